"""
Threat models: reading, validation, coverage, and the check/init commands.
"""

from __future__ import annotations

import json
import tomllib

from importlib.resources import files

import jsonschema
import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain.cli import main


SCHEMA = json.loads(
    (
        files("dnn_supply_chain") / "data" / "threat-model.schema.json"
    ).read_text(encoding="utf-8")
)
EXAMPLE_TEXT = (
    files("dnn_supply_chain") / "data" / "examples" / "edge-deployment.toml"
).read_text(encoding="utf-8")


def model(**changes):
    """
    A small valid model over the usage stage, changed by *changes*.
    """
    data = {
        "name": "m",
        "scope": {"stages": ["usage"]},
        "threats": [
            {
                "id": "T1",
                "title": "stealing",
                "tags": ["imitation-attack"],
                "status": "open",
            },
            {
                "id": "T2",
                "title": "leakage",
                "tags": ["pii-leakage"],
                "status": "mitigated",
            },
        ],
        "mitigations": [
            {
                "id": "M1",
                "title": "obfuscate",
                "tags": ["textobfuscator"],
                "mitigates": ["T2"],
            },
        ],
    }
    data.update(changes)
    return data


def errors(data, tax=None):
    tm = dsc.threat_model_from_dict(data)
    return [
        (d.path, d.message)
        for d in dsc.validate_threat_model(tm, tax)
        if d.severity == "error"
    ]


# -- strategies ---------------------------------------------------------------

titles = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip())


@st.composite
def threat_models(draw):
    """
    Threat models that validate against the bundled taxonomy.
    """
    tax = dsc.load()
    stage_ids = draw(
        st.lists(
            st.sampled_from([s.id for s in tax.stages]),
            min_size=1,
            unique=True,
        )
    )
    attacks = [a for s in stage_ids for a in tax.attacks_in(s)]
    threat_ids = draw(
        st.lists(
            st.from_regex(r"T[0-9]{1,3}", fullmatch=True),
            max_size=5,
            unique=True,
        )
    )
    mitigation_ids = draw(
        st.lists(
            st.from_regex(r"M[0-9]{1,3}", fullmatch=True),
            max_size=4,
            unique=True,
        )
    )

    def tag(records):
        rec = draw(st.sampled_from(records))
        name = draw(st.sampled_from([None, rec.name, rec.name.upper()]))
        return dsc.Tag(id=rec.id, name=name)

    mitigations = []
    for mid in mitigation_ids:
        mitigations.append(
            dsc.Mitigation(
                id=mid,
                title=draw(titles),
                tags=tuple(
                    tag(tax.defenses) for _ in range(draw(st.integers(0, 2)))
                ),
                mitigates=tuple(
                    draw(st.lists(st.sampled_from(threat_ids), unique=True))
                )
                if threat_ids
                else (),
            )
        )
    covered = {t for m in mitigations for t in m.mitigates}
    threats = []
    for tid in threat_ids:
        statuses = ["open", "accepted", "not-applicable"]
        if tid in covered:
            statuses.append("mitigated")
        status = draw(st.sampled_from(statuses))
        rationale = (
            draw(titles)
            if status in ("accepted", "not-applicable")
            else draw(st.none() | titles)
        )
        threats.append(
            dsc.Threat(
                id=tid,
                title=draw(titles),
                tags=tuple(
                    tag(attacks) for _ in range(draw(st.integers(0, 3)))
                )
                if attacks
                else (),
                status=status,
                rationale=rationale,
            )
        )
    return dsc.ThreatModel(
        name=draw(titles),
        description=draw(st.text(max_size=30)),
        scope=dsc.Scope(stages=tuple(stage_ids)),
        threats=tuple(threats),
        mitigations=tuple(mitigations),
    )


class TestFiles:
    """
    TOML and JSON files with one schema.
    """

    @given(threat_models())
    def test_round_trip_toml(self, tm):
        """
        A model written as TOML reads back equal.
        """
        text = dsc.dump_threat_model(tm, "toml")
        assert tm == dsc.threat_model_from_dict(tomllib.loads(text))

    @given(threat_models())
    def test_round_trip_json(self, tm):
        """
        A model written as JSON reads back equal.
        """
        text = dsc.dump_threat_model(tm, "json")
        assert tm == dsc.threat_model_from_dict(json.loads(text))

    @given(threat_models())
    def test_generated_models_are_valid(self, tm):
        """
        The generated models validate, and follow the shipped JSON Schema.
        """
        assert [] == [
            d for d in dsc.validate_threat_model(tm) if d.severity == "error"
        ]
        jsonschema.validate(dsc.threat_model_to_dict(tm), SCHEMA)

    def test_read_files(self, tmp_path):
        """
        read_threat_model reads .toml and .json files.
        """
        tm = dsc.threat_model_from_dict(model())
        for fmt in ("toml", "json"):
            path = tmp_path / f"tm.{fmt}"
            path.write_text(dsc.dump_threat_model(tm, fmt), encoding="utf-8")
            assert tm == dsc.read_threat_model(path)

    def test_example_follows_schema(self):
        """
        The shipped example follows the shipped schema.
        """
        jsonschema.validate(tomllib.loads(EXAMPLE_TEXT), SCHEMA)

    def test_broken_toml_names_the_line(self, tmp_path):
        """
        A broken TOML line gives ThreatModelError with file, line and column.
        """
        path = tmp_path / "tm.toml"
        path.write_text(
            'name = "x"\nscope = { stages = ["usage"]\n', encoding="utf-8"
        )
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.read_threat_model(path)
        (problem,) = exc_info.value.diagnostics
        assert (str(path), "line 2, column 29") == (
            problem.source,
            problem.path,
        )
        assert isinstance(exc_info.value, ValueError)

    def test_broken_json_names_the_line(self, tmp_path):
        """
        Broken JSON gives the line and column too.
        """
        path = tmp_path / "tm.json"
        path.write_text('{"name": "x",\n "scope": }', encoding="utf-8")
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.read_threat_model(path)
        assert "line 2, column 11" == exc_info.value.diagnostics[0].path

    def test_unknown_suffix_and_missing_file(self, tmp_path):
        """
        A .yaml file or a missing file is a ThreatModelError, not OSError.
        """
        with pytest.raises(dsc.ThreatModelError, match=r"\.toml or \.json"):
            dsc.read_threat_model(tmp_path / "tm.yaml")
        with pytest.raises(dsc.ThreatModelError, match="cannot read"):
            dsc.read_threat_model(tmp_path / "missing.toml")

    def test_every_structural_problem_with_its_path(self):
        """
        Structural problems are all reported, each with its path, and the
        schema rejects the same document.
        """
        data = {
            "name": 3,
            "scope": {"stages": "usage", "phase": 1},
            "threats": [
                {
                    "id": "T1",
                    "tags": [5, {"id": "ripple", "nmae": "x"}],
                    "status": "done",
                },
                "T2",
            ],
            "mitigations": [{"id": "M1", "title": "x", "mitigates": "T1"}],
            "extra": True,
        }
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.threat_model_from_dict(data, source="f.json")
        paths = {d.path for d in exc_info.value.diagnostics}
        assert {
            "name",
            "scope.stages",
            "scope.phase",
            "threats[0].title",
            "threats[0].tags[0]",
            "threats[0].tags[1].nmae",
            "threats[0].status",
            "threats[1]",
            "mitigations[0].mitigates",
            "extra",
        } == paths
        assert all(d.source == "f.json" for d in exc_info.value.diagnostics)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCHEMA)

    def test_missing_scope(self):
        """
        A model must name its scope.
        """
        data = model()
        del data["scope"]
        with pytest.raises(dsc.ThreatModelError, match="missing 'scope'"):
            dsc.threat_model_from_dict(data)


class TestReading:
    """
    Threat-model data read through the one converter, every problem at its
    location.
    """

    def problems(self, data):
        """
        The (location, message) of every problem of reading *data*.
        """
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.threat_model_from_dict(data)
        assert all("error" == d.severity for d in exc_info.value.diagnostics)
        return [(d.location, d.message) for d in exc_info.value.diagnostics]

    def test_tags_are_ids_or_tables(self):
        """
        A tag is an id, or a table {id, name}; anything else is a problem
        at its index.
        """
        data = model()
        data["threats"][0]["tags"] = [
            "ripple",
            {"id": "ripple", "name": "RIPPLe"},
            {"id": "ripple"},
        ]
        threat = dsc.threat_model_from_dict(data).threats[0]
        assert (
            dsc.Tag(id="ripple"),
            dsc.Tag(id="ripple", name="RIPPLe"),
            dsc.Tag(id="ripple"),
        ) == threat.tags
        data["threats"][0]["tags"] = [["ripple"], " "]
        assert [
            (
                ("threats", 0, "tags", 0),
                "expected an id or a table {id, name}, got list ['ripple']",
            ),
            (("threats", 0, "tags", 1), "'id' must not be empty"),
        ] == self.problems(data)

    def test_every_bad_field_of_a_table(self):
        """
        Every bad field of one table is reported, not only the first.
        """
        data = model()
        data["threats"][0] = {"id": " ", "title": 5, "status": "done"}
        assert [
            (("threats", 0, "id"), "'id' must not be empty"),
            (("threats", 0, "title"), "expected str, got int 5"),
            (
                ("threats", 0, "status"),
                "'status' must be in ('open', 'mitigated', 'accepted', 'not-applicable') (got 'done')",
            ),
        ] == self.problems(data)

    def test_every_bad_item_of_a_list(self):
        """
        Each bad item of a list is reported at its index.
        """
        data = model(scope={"stages": ["usage", "", 7, "design"]})
        data["mitigations"][0]["mitigates"] = ["T2", None]
        assert [
            (("scope", "stages", 1), "'stages[1]' must not be empty"),
            (("scope", "stages", 2), "expected str, got int 7"),
            (
                ("mitigations", 0, "mitigates", 1),
                "expected str, got NoneType None",
            ),
        ] == self.problems(data)

    def test_missing_fields_and_empty_scope(self):
        """
        A missing field is named; a scope must name a stage.
        """
        data = model(scope={"stages": []})
        del data["threats"][1]["title"]
        del data["mitigations"][0]["id"]
        assert [
            (("scope", "stages"), "name at least one stage"),
            (("threats", 1, "title"), "missing 'title'"),
            (("mitigations", 0, "id"), "missing 'id'"),
        ] == self.problems(data)

    @pytest.mark.parametrize("key", ["[", "]", ".", "", "a.b", "[0]"])
    def test_odd_keys_are_kept_as_they_are(self, key):
        """
        An unknown key is reported at the key, whatever its text, at the
        top and in every kind of table.
        """
        data = model()
        data[key] = 1
        data["scope"][key] = 1
        data["threats"][0][key] = 1
        data["threats"][0]["tags"] = [{"id": "imitation-attack", key: 1}]
        data["mitigations"][0][key] = 1
        problems = self.problems(data)
        assert [
            ("scope", key),
            ("threats", 0, "tags", 0, key),
            ("threats", 0, key),
            ("mitigations", 0, key),
            (key,),
        ] == [location for location, _ in problems]
        assert (
            f"unknown key {key!r}; expected one of id, name" == problems[1][1]
        )

    def test_schema_key_is_allowed(self):
        """
        The top-level "$schema" key, for editors, is read and ignored.
        """
        data = model()
        expected = dsc.threat_model_from_dict(data)
        data["$schema"] = "threat-model.schema.json"
        assert expected == dsc.threat_model_from_dict(data)

    def test_problems_in_file_order(self):
        """
        Problems come in the order of the file, whatever order they are
        found in.
        """
        data = {
            "zz": 1,
            "mitigations": [{"id": "M1", "title": " "}],
            "threats": [{"title": "t", "tags": [1], "id": " "}],
            "scope": {"categories": [2], "stages": "usage"},
            "name": " ",
        }
        assert [
            ("name",),
            ("scope", "stages"),
            ("scope", "categories", 0),
            ("threats", 0, "id"),
            ("threats", 0, "tags", 0),
            ("mitigations", 0, "title"),
            ("zz",),
        ] == [location for location, _ in self.problems(data)]

    def test_through_the_one_converter(self):
        """
        Reading registers the threat-model hooks on the converter every
        other file is read with.
        """
        from dnn_supply_chain import _convert

        data = model()
        data["threats"][0]["tags"] = [{"id": "imitation-attack"}]
        expected = dsc.threat_model_from_dict(data)
        assert expected == _convert.converter().structure(
            data, dsc.ThreatModel
        )

    def test_records_built_in_python_follow_the_same_rules(self):
        """
        The field rules that read a file also check records built in
        Python.
        """
        with pytest.raises(ValueError, match="'title' must not be empty"):
            dsc.Threat(id="T1", title=" ")
        with pytest.raises(ValueError, match="'status' must be in"):
            dsc.Threat(id="T1", title="t", status="done")
        with pytest.raises(TypeError, match="'mitigates' must be"):
            dsc.Mitigation(id="M1", title="t", mitigates=["T1"])

    def test_diagnostic_is_problem(self):
        """
        Threat-model findings are Problems, with tuple locations.
        """
        data = model()
        data["threats"][0]["tags"] = ["nope"]
        tm = dsc.threat_model_from_dict(data)
        (diagnostic,) = dsc.validate_threat_model(tm)
        assert dsc.Diagnostic is dsc.Problem
        assert ("threats", 0, "tags", 0) == diagnostic.location


class TestValidation:
    """
    Tags and internal consistency, every problem with its path.
    """

    def test_valid(self):
        """
        The base model has no problem.
        """
        assert [] == errors(model())

    def test_unknown_tag_suggests(self):
        """
        An unknown id gets a did-you-mean suggestion.
        """
        data = model()
        data["threats"][0]["tags"] = ["imitation-atack"]
        assert [
            (
                "threats[0].tags[0]",
                "unknown attack 'imitation-atack'; did you mean 'imitation-attack'?",
            )
        ] == errors(data)

    def test_unknown_tag_suggests_by_name(self):
        """
        An unknown id with a name suggests the id of that name.
        """
        data = model()
        data["threats"][0]["tags"] = [
            {"id": "sra", "name": "Subnet replacement attack"}
        ]
        assert [
            (
                "threats[0].tags[0]",
                "unknown attack 'sra'; did you mean 'subnet-replacement-attack'?",
            )
        ] == errors(data)

    def test_wrong_kind(self):
        """
        Threats take attacks; mitigations take defenses.
        """
        data = model()
        data["threats"][0]["tags"] = ["textfusion", "usage"]
        data["mitigations"][0]["tags"] = ["pii-leakage"]
        assert [
            (
                "threats[0].tags[0]",
                "'textfusion' is a defense; tag threats with attacks",
            ),
            (
                "threats[0].tags[1]",
                "'usage' is a stage; tag threats with attacks",
            ),
            (
                "mitigations[0].tags[0]",
                "'pii-leakage' is an attack; tag mitigations with defenses",
            ),
        ] == errors(data)

    def test_mismatched_name(self):
        """
        An id paired with another entry's name is caught, naming that entry.
        """
        data = model()
        data["threats"][0]["tags"] = [
            {"id": "imitation-attack", "name": "PII leakage attacks"}
        ]
        assert [
            (
                "threats[0].tags[0]",
                (
                    "'imitation-attack' is named 'Black-box API imitation attack', "
                    "not 'PII leakage attacks'; 'PII leakage attacks' is the name of 'pii-leakage'"
                ),
            )
        ] == errors(data)

    def test_name_match_ignores_case_and_spacing(self):
        """
        Names match case-insensitively, whitespace folded.
        """
        data = model()
        data["threats"][0]["tags"] = [
            {
                "id": "imitation-attack",
                "name": "black-box  API imitation ATTACK",
            }
        ]
        assert [] == errors(data)

    def test_atlas_tags(self):
        """
        ATLAS ids are looked up; old names and mitigations are refused.
        """
        data = model()
        data["threats"][0]["tags"] = [
            {"id": "AML.T0018", "name": "Manipulate AI Model"},
            {"id": "AML.T0018", "name": "Backdoor ML Model"},
            "AML.T9999",
            "AML.M0007",
        ]
        assert [
            (
                "threats[0].tags[1]",
                "AML.T0018 is named 'Manipulate AI Model' in ATLAS 5.6.0, not 'Backdoor ML Model' (its name before ATLAS 4.9.0)",
            ),
            (
                "threats[0].tags[2]",
                "unknown ATLAS id 'AML.T9999' (ATLAS 5.6.0)",
            ),
            (
                "threats[0].tags[3]",
                "'AML.M0007' is an ATLAS mitigation; tag threats with techniques",
            ),
        ] == errors(data)

    def test_internal_consistency(self):
        """
        Duplicate ids, unknown mitigated threats, mitigated without a
        mitigation, and missing rationales are all reported.
        """
        data = model()
        data["threats"].append(
            {"id": "T1", "title": "again", "status": "accepted"}
        )
        data["threats"].append(
            {"id": "T3", "title": "x", "status": "mitigated"}
        )
        data["threats"].append(
            {
                "id": "T4",
                "title": "x",
                "status": "not-applicable",
                "rationale": " ",
            }
        )
        data["mitigations"].append(
            {"id": "M2", "title": "x", "mitigates": ["T9"]}
        )
        data["mitigations"].append({"id": "T2", "title": "x"})
        assert [
            ("threats[2].id", "duplicate id 'T1': threats[0] has it already"),
            (
                "threats[2].rationale",
                "a threat that is 'accepted' needs a rationale: say why",
            ),
            (
                "threats[3].status",
                "threat 'T3' is 'mitigated' but no mitigation lists it in 'mitigates'",
            ),
            (
                "threats[4].rationale",
                "a threat that is 'not-applicable' needs a rationale: say why",
            ),
            ("mitigations[1].mitigates[0]", "no threat has id 'T9'"),
            (
                "mitigations[2].id",
                "duplicate id 'T2': threats[1] has it already",
            ),
        ] == errors(data)

    def test_scope(self):
        """
        Scope stages and categories must exist and fit together.
        """
        data = model(
            scope={
                "stages": ["usage", "deploy"],
                "categories": ["compression", "transfr"],
            }
        )
        assert [
            (
                "scope.stages[1]",
                "unknown stage 'deploy'; did you mean 'deployment'?",
            ),
            (
                "scope.categories[0]",
                "category 'compression' belongs to stage 'secondary-development', which is not in scope.stages",
            ),
            (
                "scope.categories[1]",
                "unknown category 'transfr'; did you mean 'transfer'?",
            ),
        ] == errors(data)

    def test_out_of_scope_tag_warns(self):
        """
        A tag outside the scope is a warning, not an error.
        """
        data = model()
        data["threats"][0]["tags"] = ["ripple"]
        tm = dsc.threat_model_from_dict(data)
        (warning,) = dsc.validate_threat_model(tm)
        assert ("warning", "threats[0].tags[0]") == (
            warning.severity,
            warning.path,
        )
        assert "outside the model's scope" in warning.message

    def test_deprecated_id_warns_with_successor(self, tax):
        """
        A deprecated tag warns, naming its successor, and is checked as the
        successor.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["deprecated"] = [
            {
                "id": "api-imitation",
                "change": "renamed",
                "successors": ["imitation-attack"],
                "since": "0.2.0",
            }
        ]
        renamed = dsc.taxonomy_from_dict(data)
        tm = model()
        tm["threats"][0]["tags"] = [
            {"id": "api-imitation", "name": "Black-box API imitation attack"}
        ]
        (warning,) = dsc.validate_threat_model(
            dsc.threat_model_from_dict(tm), renamed
        )
        assert (
            "warning",
            "threats[0].tags[0]",
            "'api-imitation' is deprecated; use 'imitation-attack'",
        ) == (
            warning.severity,
            warning.path,
            warning.message,
        )


class TestCoverage:
    """
    The coverage and gap report.
    """

    def test_usage_model(self, tax):
        """
        Considered, not considered, unmitigated and suggestions are right.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(model()))
        (usage,) = report.stages
        assert [a.id for a in tax.attacks_in("usage")] == [
            a.id for a in usage.attacks
        ]
        assert ["pii-leakage", "imitation-attack"] == [
            a.id for a in usage.considered
        ]
        assert {a.id for a in tax.attacks_in("usage")} - {
            "pii-leakage",
            "imitation-attack",
        } == {a.id for a in report.not_considered}
        assert ["T1"] == [t.id for t in report.unmitigated]
        assert [] == list(report.mismatched)
        (suggestion,) = report.suggestions
        assert "T1" == suggestion.threat
        assert list(tax.defenses_for("imitation-attack")) == list(
            suggestion.defenses
        )
        assert len(report.not_considered) + 1 == report.gap_count

    def test_mismatch(self):
        """
        A mitigation whose defenses counter none of its threats' attack
        types is a mismatch.
        """
        data = model()
        data["mitigations"][0]["tags"] = ["nnsmith"]
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        (mismatch,) = report.mismatched
        assert (
            "M1",
            ("nnsmith",),
            ("pii-leakage",),
            ("deployment integrity",),
        ) == (
            mismatch.mitigation,
            mismatch.defenses,
            mismatch.attacks,
            mismatch.counters,
        )

    def test_categories_narrow_their_stage(self, tax):
        """
        A category in scope narrows its stage to that category's attacks.
        """
        data = model(
            scope={
                "stages": ["design", "secondary-development"],
                "categories": ["compression"],
            }
        )
        data["threats"] = []
        data["mitigations"] = []
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        design, secondary = report.stages
        assert tax.attacks_in("design") == design.attacks
        assert tax.attacks_in("compression") == secondary.attacks

    def test_policies(self):
        """
        gaps fails on gaps, open on open threats, never never.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(model()))
        assert (True, True, False) == (
            report.fails("gaps"),
            report.fails("open"),
            report.fails("never"),
        )
        with pytest.raises(ValueError, match="policy must be"):
            report.fails("sometimes")

    def test_complete_model_passes(self, tax):
        """
        A model that considers and mitigates everything has no gap.
        """
        attacks = tax.attacks_in("deployment")
        data = {
            "name": "full",
            "scope": {"stages": ["deployment"]},
            "threats": [
                {
                    "id": "T1",
                    "title": "t",
                    "tags": [a.id for a in attacks],
                    "status": "mitigated",
                }
            ],
            "mitigations": [
                {
                    "id": "M1",
                    "title": "m",
                    "tags": ["purifier"],
                    "mitigates": ["T1"],
                }
            ],
        }
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        assert 0 == report.gap_count
        assert not report.fails("gaps")

    def test_invalid_model_raises(self):
        """
        coverage_report refuses a model with errors.
        """
        data = model()
        data["threats"][0]["tags"] = ["nope"]
        with pytest.raises(
            dsc.ThreatModelError, match="unknown attack 'nope'"
        ):
            dsc.coverage_report(dsc.threat_model_from_dict(data))

    def test_formats(self):
        """
        JSON, Markdown and text say the same things.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(model()))
        data = json.loads(json.dumps(report.to_dict()))
        assert report.gap_count == data["gaps"]
        assert ["T1"] == [t["id"] for t in data["unmitigated"]]
        markdown = report.to_markdown()
        assert "| Usage | 6 | 2 | 4 |" in markdown
        text = report.to_text()
        assert f"{report.gap_count} gaps." in text
        assert "T1: stealing" in text

    def test_starter(self, tax):
        """
        The starter has one open threat per attack in scope, and is valid.
        """
        tm = dsc.starter_threat_model(["deployment", "usage"])
        assert [
            a.id for s in ("deployment", "usage") for a in tax.attacks_in(s)
        ] == [t.tags[0].id for t in tm.threats]
        report = dsc.coverage_report(tm)
        assert [] == list(report.not_considered)
        assert len(tm.threats) == len(report.unmitigated)


class TestExample:
    """
    The shipped example names real gaps.
    """

    def test_example_gaps(self):
        """
        The example is valid and names its open threat and mismatch.
        """
        tm = dsc.threat_model_from_dict(tomllib.loads(EXAMPLE_TEXT))
        report = dsc.coverage_report(tm)
        assert ["T4"] == [t.id for t in report.unmitigated]
        assert ["M3"] == [m.mitigation for m in report.mismatched]
        assert report.not_considered
        assert () == report.warnings


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestCheckCommand:
    """
    dnn-supply-chain check.
    """

    @pytest.mark.parametrize(
        ("policy", "expected"), [("gaps", 1), ("open", 1), ("never", 0)]
    )
    def test_exit_code_follows_policy(self, capsys, policy, expected):
        """
        The example fails on gaps and open threats, passes with never.
        """
        code, out, _ = run(capsys, "check", "--example", "--fail-on", policy)
        assert expected == code
        assert "T4: Weights tampered with on the device" in out

    def test_passing_file(self, capsys, tmp_path):
        """
        A complete model exits 0 under the default policy.
        """
        path = tmp_path / "tm.json"
        path.write_text(
            json.dumps(
                {
                    "name": "full",
                    "scope": {"stages": ["deployment"]},
                    "threats": [
                        {
                            "id": "T1",
                            "title": "t",
                            "tags": ["subnet-replacement-attack"],
                            "status": "accepted",
                            "rationale": "r",
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        code, out, _ = run(capsys, "check", str(path))
        assert 0 == code
        assert "Policy --fail-on gaps: passes." in out

    @pytest.mark.parametrize("fmt", ["json", "markdown"])
    def test_formats(self, capsys, fmt):
        """
        --format json and markdown print the report in that format.
        """
        code, out, _ = run(capsys, "check", "--example", "--format", fmt)
        assert 1 == code
        if fmt == "json":
            data = json.loads(out)
            assert (True, "gaps") == (data["failed"], data["policy"])
        else:
            assert out.startswith("# Threat model coverage")

    def test_invalid_file(self, capsys, tmp_path):
        """
        An unknown id, a wrong kind and a mismatched name: exit 2, one
        message per problem, each with its path, on stderr.
        """
        path = tmp_path / "tm.toml"
        path.write_text(
            'name = "x"\n[scope]\nstages = ["design"]\n[[threats]]\nid = "T1"\ntitle = "t"\n'
            'tags = ["ripplee", "decree", { id = "badencoder", name = "RIPPLe weight poisoning" }]\n',
            encoding="utf-8",
        )
        code, out, err = run(capsys, "check", str(path))
        assert (2, "") == (code, out)
        lines = err.splitlines()
        assert 4 == len(lines)
        assert lines[0].startswith(
            f"{path}: threats[0].tags[0]: error: unknown attack 'ripplee'"
        )
        assert lines[1].startswith(
            f"{path}: threats[0].tags[1]: error: 'decree' is a defense"
        )
        assert lines[2].startswith(
            f"{path}: threats[0].tags[2]: error: 'badencoder' is named 'BadEncoder'"
        )
        assert "Traceback" not in err

    def test_broken_toml(self, capsys, tmp_path):
        """
        A broken TOML line: exit 2 naming the line.
        """
        path = tmp_path / "tm.toml"
        path.write_text('name = "x\n', encoding="utf-8")
        code, _, err = run(capsys, "check", str(path))
        assert 2 == code
        assert f"{path}: line 1, column 10: error: invalid TOML" in err

    def test_file_or_example(self, capsys):
        """
        check needs a file or --example, not both.
        """
        assert 2 == run(capsys, "check")[0]
        assert 2 == run(capsys, "check", "x.toml", "--example")[0]


class TestInitCommand:
    """
    dnn-supply-chain init.
    """

    def test_starter_checks(self, capsys, tmp_path):
        """
        The starter written for two stages reads back and checks (it fails
        on its open threats, as a starter should).
        """
        path = tmp_path / "tm.toml"
        code, _, err = run(
            capsys,
            "init",
            "--stage",
            "usage",
            "--stage",
            "deployment",
            "-o",
            str(path),
        )
        assert 0 == code
        assert f"wrote {path}" in err
        tm = dsc.read_threat_model(path)
        assert ("deployment", "usage") == tm.scope.stages
        assert 1 == run(capsys, "check", str(path))[0]

    def test_json_by_suffix(self, capsys, tmp_path):
        """
        A .json output gets JSON.
        """
        path = tmp_path / "tm.json"
        assert 0 == run(capsys, "init", "-o", str(path))[0]
        assert (
            "design"
            == json.loads(path.read_text(encoding="utf-8"))["scope"]["stages"][
                0
            ]
        )

    def test_refuses_to_overwrite(self, capsys, tmp_path):
        """
        An existing file is kept unless --force.
        """
        path = tmp_path / "tm.toml"
        path.write_text("keep", encoding="utf-8")
        code, _, err = run(capsys, "init", "-o", str(path))
        assert 2 == code
        assert "--force" in err
        assert "keep" == path.read_text(encoding="utf-8")
        assert 0 == run(capsys, "init", "-o", str(path), "--force")[0]

    def test_example(self, capsys):
        """
        init --example prints the shipped example.
        """
        code, out, _ = run(capsys, "init", "--example")
        assert (0, EXAMPLE_TEXT) == (code, out)

    def test_unknown_stage(self, capsys):
        """
        An unknown stage exits 2 with a suggestion.
        """
        code, _, err = run(capsys, "init", "--stage", "deploy")
        assert 2 == code
        assert "did you mean 'deployment'?" in err


class TestDeprecatedCoverage:
    """
    Coverage follows deprecated tags to their successors.
    """

    def test_renamed_tag_counts_as_its_successor(self, tax):
        """
        A threat tagged with a renamed id considers the successor.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["deprecated"] = [
            {
                "id": "api-imitation",
                "change": "renamed",
                "successors": ["imitation-attack"],
                "since": "0.2.0",
            }
        ]
        renamed = dsc.taxonomy_from_dict(data)
        tm = model()
        tm["threats"][0]["tags"] = ["api-imitation"]
        report = dsc.coverage_report(dsc.threat_model_from_dict(tm), renamed)
        assert renamed.attack("imitation-attack") not in report.not_considered
        assert 1 == len(report.warnings)
