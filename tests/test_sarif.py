"""
check --format sarif: SARIF 2.1.0 that validates against the official
schema, with results at the lines where their entries start.
"""

from __future__ import annotations

import json
import re

from pathlib import Path

import jsonschema
import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain.cli import main
from dnn_supply_chain.threat_model._lines import positions


SCHEMA = json.loads(
    (
        Path(__file__).parent.parent / "reference" / "sarif-schema-2.1.0.json"
    ).read_text(encoding="utf-8")
)
# The validator of the schema's own $schema (draft 4).
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)

RULES = [
    ("DSC001", "attack-not-considered"),
    ("DSC002", "threat-without-mitigation"),
    ("DSC003", "open-threat"),
    ("DSC004", "unsupported-mitigation"),
    ("DSC005", "invalid-tag"),
    ("DSC006", "invalid-threat-model"),
    ("DSC007", "threat-model-warning"),
]
# The first policy that fails on each rule's results.
FIRST_FAILING = {
    "DSC001": "gaps",
    "DSC002": "gaps",
    "DSC003": "open",
    "DSC004": "unsupported",
}


def run(capsys, *args):
    """
    Run the command line; return its exit code, output and errors.
    """
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def sarif(capsys, *args):
    """
    Run ``check --format sarif``; return its exit code and log, which
    must validate, and its errors.
    """
    code, out, err = run(capsys, "check", "--format", "sarif", *args)
    log = json.loads(out)
    VALIDATOR.validate(log)
    return code, log, err


def results(log):
    """
    The results of the log's one run.
    """
    (run_,) = log["runs"]
    return run_["results"]


def line_of(result):
    """
    The start line of a result.
    """
    (location,) = result["locations"]
    return location["physicalLocation"]["region"]["startLine"]


def several(tax):
    """
    A model over one stage with several threats and mitigations: gaps, an
    open threat without a mitigation, one with a mitigation, an
    unsupported mitigation, and a tag outside the scope (a warning).
    """
    defense, attack = next(
        (d.id, a.id)
        for d in tax.defenses
        for a in tax.attacks
        if not any(
            e.defense == d.id and e.attack == a.id for e in tax.evidence
        )
        and set(d.modalities) & set(a.modalities)
        and len(tax.attacks_in(a.stage)) > 3
    )
    stage = tax.attack(attack).stage
    others = [a.id for a in tax.attacks_in(stage) if a.id != attack]
    elsewhere = next(a.id for a in tax.attacks if a.stage != stage)
    return {
        "name": "several",
        "scope": {"stages": [stage]},
        "threats": [
            {
                "id": "T1",
                "title": "open, without a mitigation",
                "tags": [others[0]],
                "status": "open",
            },
            {
                "id": "T2",
                "title": "mitigated, badly",
                "tags": [attack],
                "status": "mitigated",
            },
            {
                "id": "T3",
                "title": "open, with a mitigation [[threats]] {",
                "tags": [others[1], elsewhere],
                "status": "open",
            },
            {
                "id": "T4",
                "title": "accepted",
                "tags": [others[2]],
                "status": "accepted",
                "rationale": "we live with it",
            },
        ],
        "mitigations": [
            {
                "id": "M1",
                "title": "no evidence",
                "tags": [defense],
                "mitigates": ["T2"],
            },
            {
                "id": "M2",
                "title": "not mapped",
                "tags": [],
                "mitigates": ["T3"],
            },
        ],
    }


def toml_text(data):
    """
    *data* as TOML with comments, blank lines, a multi-line string that
    holds a header, and quoted or spaced headers; each header ends with a
    comment naming its entry (``# T1``), for the test to find.
    """
    lines = [
        "# A threat model. [[threats]] in a comment is no header.",
        f"name = {json.dumps(data['name'])}",
        'description = """',
        "[[threats]]",
        'is no header in a string either"""',
        "",
        "[scope]",
        f"stages = {json.dumps(data['scope']['stages'])}",
    ]
    headers = (
        "[[threats]]",
        '[["threats"]]',
        "  [[ threats ]]",
        "[['threats']]",
    )
    for n, threat in enumerate(data["threats"]):
        lines += ["", f"{headers[n % len(headers)]}  # {threat['id']}"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in threat.items()]
    for m in data["mitigations"]:
        lines += ["", f"[[mitigations]] # {m['id']}"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in m.items()]
    return "\n".join(lines) + "\n"


def header_line(text, entry_id):
    """
    The line of the TOML header that ``toml_text`` marks with *entry_id*.
    """
    (line,) = [
        n
        for n, line in enumerate(text.split("\n"), 1)
        if re.search(rf"\]\]\s*# {entry_id}$", line)
    ]
    return line


def json_line(text, entry_id):
    """
    The line where the JSON object of *entry_id* opens: the line before
    its ``"id"`` line, as ``json.dumps(indent=2)`` writes it.
    """
    (line,) = [
        n
        for n, line in enumerate(text.split("\n"), 1)
        if line.strip() == f'"id": "{entry_id}",'
    ]
    return line - 1


def entry_of(result):
    """
    The threat or mitigation id a result is about.
    """
    properties = result.get("properties", {})
    return properties.get("threat") or properties.get("mitigation")


@pytest.fixture(name="files")
def _files(tax, tmp_path, monkeypatch):
    """
    The same model as TOML and as JSON, in the working directory.
    """
    monkeypatch.chdir(tmp_path)
    data = several(tax)
    Path("model.toml").write_text(toml_text(data), encoding="utf-8")
    Path("model.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return data


class TestValidModel:
    """
    A model that validates: one result per finding, at its entry.
    """

    @pytest.mark.parametrize("name", ["model.toml", "model.json"])
    def test_results(self, capsys, files, name):
        """
        Each finding is one result, of its rule.
        """
        code, log, _ = sarif(capsys, name)
        found = {(r["ruleId"], entry_of(r)) for r in results(log)}
        assert 1 == code
        assert {
            ("DSC002", "T1"),
            ("DSC003", "T1"),
            ("DSC003", "T3"),
            ("DSC004", "M1"),
        } == {f for f in found if f[0] in ("DSC002", "DSC003", "DSC004")}
        report = dsc.coverage_report(dsc.threat_model_from_dict(files))
        assert len(report.not_considered) == sum(
            r["ruleId"] == "DSC001" for r in results(log)
        )
        assert len(report.not_considered) > 0
        assert ["DSC007"] == [
            r["ruleId"]
            for r in results(log)
            if "path" in r.get("properties", {})
        ]

    def test_toml_lines(self, capsys, files):
        """
        A threat's or a mitigation's result is at its [[...]] header;
        an attack not considered at line 1; the warning at its tag.
        """
        text = Path("model.toml").read_text(encoding="utf-8")
        _, log, _ = sarif(capsys, "model.toml")
        lines = text.split("\n")
        for result in results(log):
            entry = entry_of(result)
            if entry is not None:
                assert header_line(text, entry) == line_of(result)
            elif result["ruleId"] == "DSC001":
                assert 1 == line_of(result)
            else:
                elsewhere = files["threats"][2]["tags"][1]
                assert "threats[2].tags[1]" == result["properties"]["path"]
                assert f'"{elsewhere}"' in lines[line_of(result) - 1]

    def test_json_lines(self, capsys, files):
        """
        A threat's or a mitigation's result is where its object opens;
        the warning at its tag's string.
        """
        text = Path("model.json").read_text(encoding="utf-8")
        _, log, _ = sarif(capsys, "model.json")
        lines = text.split("\n")
        elsewhere = files["threats"][2]["tags"][1]
        for result in results(log):
            entry = entry_of(result)
            if entry is not None:
                assert json_line(text, entry) == line_of(result)
                assert "{" == lines[line_of(result) - 1].strip()
            elif result["ruleId"] == "DSC007":
                assert f'"{elsewhere}"' == lines[line_of(result) - 1].strip()

    @pytest.mark.parametrize("policy", dsc.FAIL_POLICIES)
    @pytest.mark.usefixtures("files")
    def test_levels_follow_policy(self, capsys, policy):
        """
        A result whose condition fails the policy is an error, another a
        warning; a warning of the file is a note.
        """
        code, log, _ = sarif(capsys, "model.toml", "--fail-on", policy)
        at = dsc.FAIL_POLICIES.index(policy)
        for result in results(log):
            first = FIRST_FAILING.get(result["ruleId"])
            if first is None:
                expected = "note"
            elif dsc.FAIL_POLICIES.index(first) <= at:
                expected = "error"
            else:
                expected = "warning"
            assert expected == result["level"]
        assert (0 if policy == "never" else 1) == code
        failing = any(r["level"] == "error" for r in results(log))
        assert bool(code) == failing

    @pytest.mark.usefixtures("files")
    def test_rules_are_stable(self, capsys):
        """
        The rules are DSC001 to DSC007 with their names, each with help,
        and every result names one by id and index.
        """
        _, log, _ = sarif(capsys, "model.toml")
        (run_,) = log["runs"]
        rules = run_["tool"]["driver"]["rules"]
        assert RULES == [(r["id"], r["name"]) for r in rules]
        for rule in rules:
            assert rule["help"]["text"]
            assert "docs/threat-models.md" in rule["help"]["markdown"]
        for result in run_["results"]:
            assert result["ruleId"] == rules[result["ruleIndex"]]["id"]

    @pytest.mark.usefixtures("files")
    def test_tool(self, capsys):
        """
        The driver is this package at its version.
        """
        _, log, _ = sarif(capsys, "model.toml")
        driver = log["runs"][0]["tool"]["driver"]
        assert ("dnn-supply-chain", dsc.__version__) == (
            driver["name"],
            driver["version"],
        )
        assert "2.1.0" == log["version"]

    @pytest.mark.usefixtures("files")
    def test_deterministic(self, capsys):
        """
        Two runs write the same log.
        """
        first = run(capsys, "check", "model.json", "--format", "sarif")
        assert first == run(capsys, "check", "model.json", "--format", "sarif")

    @pytest.mark.usefixtures("files")
    def test_output_file(self, capsys):
        """
        -o writes the log to the file, with the same exit code.
        """
        code, out, err = run(
            capsys, "check", "model.toml", "--format", "sarif", "-o", "r.sarif"
        )
        assert (1, "", "wrote r.sarif\n") == (code, out, err)
        VALIDATOR.validate(json.loads(Path("r.sarif").read_text("utf-8")))


class TestArtifact:
    """
    The artifact is the file's path relative to the working directory.
    """

    @pytest.mark.usefixtures("files")
    def test_relative(self, capsys, tmp_path):
        """
        A file under the working directory: its relative path, encoded,
        against %SRCROOT%, the working directory.
        """
        Path("sub dir").mkdir()
        Path("model.toml").rename("sub dir/my model.toml")
        _, log, _ = sarif(capsys, str(Path("sub dir", "my model.toml")))
        (run_,) = log["runs"]
        location = run_["results"][0]["locations"][0]["physicalLocation"]
        assert {
            "uri": "sub%20dir/my%20model.toml",
            "uriBaseId": "%SRCROOT%",
        } == location["artifactLocation"]
        # Described, not given: no path of the machine in the log.
        assert str(tmp_path) not in json.dumps(log)
        assert {"description"} == set(run_["originalUriBaseIds"]["%SRCROOT%"])

    @pytest.mark.usefixtures("files")
    def test_absolute_inside(self, capsys, tmp_path):
        """
        An absolute path inside the working directory is relative too.
        """
        _, log, _ = sarif(capsys, str(tmp_path / "model.toml"))
        location = results(log)[0]["locations"][0]["physicalLocation"]
        assert "model.toml" == location["artifactLocation"]["uri"]

    @pytest.mark.usefixtures("files")
    def test_outside(self, capsys, tmp_path, monkeypatch):
        """
        A file outside the working directory gets its absolute file URI.
        """
        Path("elsewhere").mkdir()
        monkeypatch.chdir("elsewhere")
        _, log, _ = sarif(capsys, str(Path("..", "model.toml")))
        (run_,) = log["runs"]
        location = run_["results"][0]["locations"][0]["physicalLocation"]
        expected = (tmp_path / "model.toml").absolute().as_uri()
        assert {"uri": expected} == location["artifactLocation"]
        assert "originalUriBaseIds" not in run_


class TestExample:
    """
    --example: the artifact is the file `init --example` writes.
    """

    def test_example(self, capsys):
        """
        The example's log validates, names edge-deployment.toml, and puts
        its open threats at their headers.
        """
        code, log, _ = sarif(capsys, "--example")
        from importlib.resources import files

        text = (
            files("dnn_supply_chain")
            / "data"
            / "examples"
            / "edge-deployment.toml"
        ).read_text(encoding="utf-8")
        lines = text.split("\n")
        assert 1 == code
        for result in results(log):
            location = result["locations"][0]["physicalLocation"]
            assert (
                "edge-deployment.toml" == location["artifactLocation"]["uri"]
            )
            threat = result.get("properties", {}).get("threat")
            if threat is not None:
                line = line_of(result)
                assert "[[threats]]" == lines[line - 1]
                assert f'id = "{threat}"' == lines[line]


class TestInvalidFile:
    """
    A file that does not validate: the log has its problems, and the
    exit status is still 2 with the problems on standard error.
    """

    def test_unknown_tag(self, capsys, files):
        """
        An unknown tag is DSC005 at its item; a duplicate id DSC006 at
        its value; both errors whatever the policy.
        """
        files["threats"][1]["tags"].append("no-such-attack")
        files["threats"][3]["id"] = "T1"
        text = toml_text(files)
        Path("bad.toml").write_text(text, encoding="utf-8")
        code, log, err = sarif(capsys, "bad.toml", "--fail-on", "never")
        lines = text.split("\n")
        assert 2 == code
        assert "bad.toml: threats[1].tags[1]: error: unknown attack" in err
        assert err.endswith("the threat model is invalid\n")
        found = [
            (r["ruleId"], r["level"], lines[line_of(r) - 1])
            for r in results(log)
        ]
        assert [
            ("DSC005", "error", lines[header_line(text, "T2") + 2]),
            ("DSC006", "error", 'id = "T1"'),
        ] == [f for f in found if f[0] != "DSC007"]
        (tag,) = [r for r in results(log) if r["ruleId"] == "DSC005"]
        region = tag["locations"][0]["physicalLocation"]["region"]
        line = lines[region["startLine"] - 1]
        assert line[region["startColumn"] - 1 :].startswith('"no-such-attack"')
        assert {"valid": False, "failed": True, "failOn": "never"} == log[
            "runs"
        ][0]["invocations"][0]["properties"]

    def test_unknown_tag_json(self, capsys, files):
        """
        In JSON, an unknown tag is at its string.
        """
        files["mitigations"][0]["tags"].append("no-such-defense")
        text = json.dumps(files, indent=2)
        Path("bad.json").write_text(text, encoding="utf-8")
        code, log, _ = sarif(capsys, "bad.json")
        (tag,) = [r for r in results(log) if r["ruleId"] == "DSC005"]
        assert 2 == code
        assert (
            '"no-such-defense"' == text.split("\n")[line_of(tag) - 1].strip()
        )

    @pytest.mark.parametrize(
        ("name", "broken"),
        [
            ("broken.toml", 'title = "unterminated'),
            ("broken.json", '"title": "x",,'),
        ],
    )
    def test_parse_error(self, capsys, files, name, broken):
        """
        A file that does not parse: one DSC006 result at the line the
        parser names.
        """
        if name.endswith(".toml"):
            text = toml_text(files)
            target = 'title = "mitigated, badly"'
        else:
            text = json.dumps(files, indent=2)
            target = '"title": "mitigated, badly",'
        assert target in text
        text = text.replace(target, broken)
        Path(name).write_text(text, encoding="utf-8")
        code, log, err = sarif(capsys, name)
        (result,) = results(log)
        expected = next(
            n for n, line in enumerate(text.split("\n"), 1) if broken in line
        )
        assert (2, "DSC006", "error") == (
            code,
            result["ruleId"],
            result["level"],
        )
        assert expected == line_of(result)
        assert f"{name}: line {expected}, column" in err

    @pytest.mark.usefixtures("files")
    def test_missing_file(self, capsys):
        """
        A file that cannot be read: one DSC006 result at line 1.
        """
        code, log, _ = sarif(capsys, "missing.toml")
        (result,) = results(log)
        assert (2, "DSC006", 1) == (code, result["ruleId"], line_of(result))


class TestPublicFunction:
    """
    dsc.sarif_log() itself.
    """

    def test_bad_policy(self):
        """
        An unknown policy is a ValueError.
        """
        with pytest.raises(ValueError, match="policy must be one of"):
            dsc.sarif_log((), "x.toml", policy="sometimes")  # type: ignore[arg-type]

    def test_no_text(self, tax, files):
        """
        Without the text, every result is at line 1.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(files), tax)
        log = dsc.sarif_log(report, "model.toml")
        VALIDATOR.validate(log)
        assert {1} == {line_of(r) for r in results(log)}

    def test_one_line_messages(self, tax, files):
        """
        A line break in a title does not break the message's line.
        """
        files["threats"][0]["title"] = "two\nlines\r"
        report = dsc.coverage_report(dsc.threat_model_from_dict(files), tax)
        log = dsc.sarif_log(report, "model.json")
        texts = [r["message"]["text"] for r in results(log)]
        assert any("two\\nlines\\r" in t for t in texts)
        assert not any("\n" in t or "\r" in t for t in texts)


# -- the locator ------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
    max_size=12,
) | st.sampled_from(['{"', "[[", "]]", "\\", '"', "\n", "{", "}"])
_ENTRY = st.fixed_dictionaries(
    {
        "id": _TEXT,
        "title": _TEXT,
        "tags": st.lists(
            _TEXT | st.fixed_dictionaries({"id": _TEXT, "name": _TEXT}),
            max_size=3,
        ),
    }
)


@given(
    data=st.fixed_dictionaries(
        {
            "name": _TEXT,
            "scope": st.fixed_dictionaries({"stages": st.lists(_TEXT)}),
            "threats": st.lists(_ENTRY, max_size=4),
            "mitigations": st.lists(_ENTRY, max_size=3),
        }
    ),
    indent=st.none() | st.integers(0, 4) | st.just("\t"),
    ascii_only=st.booleans(),
)
def test_json_locator(data, indent, ascii_only):
    """
    In JSON dumped with any indentation, each entry and each tag is
    located at its first character: the value decoded from there is it.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    found = positions(text, toml=False)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def value_at(location):
        line, column = found[location]
        return decoder.raw_decode(text, starts[line - 1] + column - 1)[0]

    for collection in ("threats", "mitigations"):
        for i, entry in enumerate(data[collection]):
            assert entry == value_at((collection, i))
            for j, tag in enumerate(entry["tags"]):
                assert tag == value_at((collection, i, "tags", j))


@given(text=st.text(), toml=st.booleans())
def test_locator_never_raises(text, toml):
    """
    Any text, valid or not, gives positions inside it.
    """
    lines = text.split("\n")
    for line, column in positions(text, toml=toml).values():
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1]) + 1
