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
from dnn_supply_chain.threat_model import _files


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
    modalities = draw(
        st.lists(st.sampled_from(tax.vocabulary.modalities), unique=True)
    )
    return dsc.ThreatModel(
        name=draw(titles),
        description=draw(st.text(max_size=30)),
        scope=dsc.Scope(stages=tuple(stage_ids), modalities=tuple(modalities)),
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
                "unknown crosswalk id 'AML.T9999' (ATLAS 5.6.0, OWASP ML Top 10 2023, OWASP Top 10 for LLM Applications 2025, NIST AI 100-2 E2025); did you mean 'AML.T0099'?",
            ),
            (
                "threats[0].tags[3]",
                "'AML.M0007' is an ATLAS mitigation; tag threats with attacks or ATLAS techniques",
            ),
        ] == errors(data)

    def test_crosswalk_tag_forms(self):
        """
        Threats take the ids of all four frameworks in any letter case;
        mitigations take ATLAS mitigations, and nothing else of the
        crosswalk.
        """
        data = model()
        data["threats"][0]["tags"] = [
            "aml.t0018",
            "llm04:2025",
            {"id": "LLM03:2025", "name": "supply  chain"},
            "nistaml.023",
            "ml06",
            {"id": "NISTAML.02", "name": "Integrity"},
        ]
        data["mitigations"][0]["tags"] = [
            "textobfuscator",
            "aml.m0007",
            "AML.T0018",
            "LLM03:2025",
        ]
        assert [
            (
                "threats[0].tags[5]",
                "NISTAML.02 is named 'Integrity Violations' in NIST AI 100-2 E2025, not 'Integrity'",
            ),
            (
                "mitigations[0].tags[2]",
                "'AML.T0018' is an ATLAS technique; tag mitigations with defenses or ATLAS mitigations",
            ),
            (
                "mitigations[0].tags[3]",
                "'LLM03:2025' is an entry of OWASP Top 10 for LLM Applications 2025; tag mitigations with defenses or ATLAS mitigations",
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


# The support a mitigation gets from the strongest basis of its evidence.
SUPPORT_OF_BASIS = {
    "evaluated": "evaluated",
    "claimed": "claimed",
    "mechanism": "untested",
}


def one_threat(attacks, defenses=(), *, status="mitigated", scope=None):
    """
    A model with one threat tagged with *attacks*, and one mitigation of it
    tagged with *defenses* (none when *defenses* is None).
    """
    data = {
        "name": "one",
        "scope": scope or {"stages": ["design"]},
        "threats": [
            {"id": "T1", "title": "t", "tags": list(attacks), "status": status}
        ],
        "mitigations": []
        if defenses is None
        else [
            {
                "id": "M1",
                "title": "m",
                "tags": list(defenses),
                "mitigates": ["T1"],
            }
        ],
    }
    return dsc.threat_model_from_dict(data)


def unlinked_pair(tax):
    """
    The first (defense, attack) pair of the taxonomy with no counter
    evidence, and a defense whose modalities meet the attack's.
    """
    linked = {(e.defense, e.attack) for e in tax.evidence}
    return next(
        (d.id, a.id)
        for d in tax.defenses
        for a in tax.attacks
        if (d.id, a.id) not in linked and set(d.modalities) & set(a.modalities)
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
        # T1 is open without a mitigation; T2's mitigation is unsupported.
        assert ["T1", "T2"] == [s.threat.id for s in report.suggestions]
        suggestion = report.suggestions[0]
        assert list(tax.defenses_for("imitation-attack")) == [
            d.defense for d in suggestion.defenses
        ]
        assert [
            a for a in suggestion.attacks if not tax.defenses_for(a.id)
        ] == list(suggestion.undefended)
        assert len(report.not_considered) + 1 == report.gap_count

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

    def test_complete_model_passes(self, tax):
        """
        A model that considers everything and mitigates it with evidence
        fails no policy.
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
                    "tags": [tax.defenses_for(attacks[0].id)[0].id],
                    "mitigates": ["T1"],
                }
            ],
        }
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        assert 0 == report.gap_count
        assert [False] * len(dsc.FAIL_POLICIES) == [
            report.fails(p) for p in dsc.FAIL_POLICIES
        ]

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

    def test_unknown_basis(self):
        """
        coverage_report refuses a basis that is not one of the taxonomy's.
        """
        with pytest.raises(ValueError, match="basis must be one of"):
            dsc.coverage_report(
                dsc.threat_model_from_dict(model()), basis="proven"
            )

    def test_starter(self, tax):
        """
        The starter has one open threat per attack in scope, and is valid.
        """
        tm = dsc.starter_threat_model(["deployment", "usage"])
        assert [
            a.id for s in ("deployment", "usage") for a in tax.attacks_in(s)
        ] == [t.tags[0].id for t in tm.threats]
        assert tax.vocabulary.modalities == tm.scope.modalities
        report = dsc.coverage_report(tm)
        assert [] == list(report.not_considered)
        assert len(tm.threats) == len(report.unmitigated)

    def test_starter_for_modalities(self, tax):
        """
        A starter for some modalities names them, and has threats only for
        the attacks that apply to them.
        """
        tm = dsc.starter_threat_model(["design"], modalities=["vision"])
        assert ("vision",) == tm.scope.modalities
        assert [
            a.id for a in tax.attacks_in("design") if "vision" in a.modalities
        ] == [t.tags[0].id for t in tm.threats]
        with pytest.raises(dsc.UnknownIdError, match="did you mean 'vision'"):
            dsc.starter_threat_model(["design"], modalities=["visoin"])


class TestModalities:
    """
    The scope's modalities: attacks of others do not apply, and are never
    gaps.
    """

    def report(self, modalities, **changes):
        """
        The report of an empty model over every stage, for *modalities*.
        """
        tax = changes.pop("tax", None)
        data = model(
            scope={
                "stages": ["design", "secondary-development", "deployment"],
                **({"modalities": modalities} if modalities else {}),
            },
            threats=[],
            mitigations=[],
        )
        return dsc.coverage_report(dsc.threat_model_from_dict(data), tax)

    def test_vision_scope_has_no_other_gap(self, tax):
        """
        A model scoped to vision has no NLP or code attack among its gaps:
        those are not applicable, listed apart.
        """
        report = self.report(["vision"])
        stages = ("design", "secondary-development", "deployment")
        in_scope = [a for s in stages for a in tax.attacks_in(s)]
        assert [a for a in in_scope if "vision" in a.modalities] == list(
            report.not_considered
        )
        assert [a for a in in_scope if "vision" not in a.modalities] == [
            n.attack for n in report.not_applicable
        ]
        assert not any(
            {"NLP", "code"} & set(a.modalities)
            and "vision" not in a.modalities
            for a in report.not_considered
        )

    def test_reason(self, tax):
        """
        A not-applicable attack says which modalities do not meet which.
        """
        report = self.report(["vision", "speech"])
        ripple = next(
            n for n in report.not_applicable if n.attack.id == "ripple"
        )
        assert tax.attack("ripple").modalities == ("NLP",)
        assert (
            "modalities NLP do not meet the scope's vision, speech"
            == ripple.reason
        )

    def test_no_modalities_in_scope(self, tax):
        """
        A scope without modalities applies every attack.
        """
        report = self.report(None)
        assert () == report.not_applicable
        assert len(tax.attacks_in("design")) + len(
            tax.attacks_in("secondary-development")
        ) + len(tax.attacks_in("deployment")) == len(report.not_considered)

    def test_attack_without_modalities_applies(self, tax):
        """
        An attack with no modalities applies whatever the scope's.
        """
        data = dsc.taxonomy_to_dict(tax)
        (ripple,) = [a for a in data["attacks"] if a["id"] == "ripple"]
        ripple["modalities"] = []
        changed = dsc.taxonomy_from_dict(data)
        report = self.report(["vision"], tax=changed)
        assert changed.attack("ripple") in report.not_considered
        assert "ripple" not in [n.attack.id for n in report.not_applicable]

    def test_unknown_modality(self):
        """
        A modality of the scope must be a term of the vocabulary.
        """
        data = model(scope={"stages": ["usage"], "modalities": ["visoin"]})
        assert [
            (
                "scope.modalities[0]",
                "unknown modality 'visoin'; did you mean 'vision'?",
            )
        ] == errors(data)

    def test_tags_that_do_not_apply_warn(self, tax):
        """
        A tag of an attack or a defense of other modalities is a warning.
        """
        tm = one_threat(
            ["ripple"],
            ["rift"],
            scope={
                "stages": ["design"],
                "modalities": ["vision"],
            },
        )
        assert [
            (
                "threats[0].tags[0]",
                (
                    "'ripple' does not apply: its modalities NLP do not "
                    "meet the scope's vision"
                ),
            ),
            (
                "mitigations[0].tags[0]",
                (
                    "'rift' does not apply: its modalities NLP do not "
                    "meet the scope's vision"
                ),
            ),
        ] == [
            (d.path, d.message)
            for d in dsc.validate_threat_model(tm)
            if d.severity == "warning"
        ]
        assert ("NLP",) == tax.defense("rift").modalities

    def test_suggestions_keep_to_the_scope(self, tax):
        """
        Suggested defenses are those whose modalities meet the scope's.
        """

        def meets(defense, term):
            return not defense.modalities or term in defense.modalities

        attack, term = next(
            (a, term)
            for a in tax.attacks
            for term in a.modalities
            if 0
            < sum(meets(d, term) for d in tax.defenses_for(a.id))
            < len(tax.defenses_for(a.id))
        )
        tm = one_threat(
            [attack.id],
            None,
            status="open",
            scope={"stages": [attack.stage], "modalities": [term]},
        )
        (suggestion,) = dsc.coverage_report(tm).suggestions
        assert [d for d in tax.defenses_for(attack.id) if meets(d, term)] == [
            s.defense for s in suggestion.defenses
        ]

    def test_suggestions_leave_out_attacks_that_do_not_apply(self, tax):
        """
        A threat's attacks of other modalities get no suggestion, and are
        not said to have no known defense.
        """
        nlp = next(a for a in tax.attacks if a.modalities == ("NLP",))
        vision = next(
            a
            for a in tax.attacks
            if a.modalities == ("vision",) and tax.defenses_for(a.id)
        )
        tm = one_threat(
            [nlp.id, vision.id],
            None,
            status="open",
            scope={
                "stages": [s.id for s in tax.stages],
                "modalities": ["vision"],
            },
        )
        (suggestion,) = dsc.coverage_report(tm).suggestions
        assert ((vision,), ()) == (suggestion.attacks, suggestion.undefended)
        assert {vision.id} == {
            e.attack for d in suggestion.defenses for e in d.evidence
        }


class TestMitigationSupport:
    """
    What the counter evidence says of each mitigation.
    """

    @pytest.mark.parametrize(
        "link",
        dsc.load().evidence,
        ids=lambda e: f"{e.defense}-{e.attack}",
    )
    def test_status_follows_the_basis(self, link):
        """
        A mitigation tagged with a defense, of a threat tagged with an
        attack it has evidence against, is supported on that basis.
        """
        tm = one_threat([link.attack], [link.defense])
        (support,) = dsc.coverage_report(tm).mitigations
        assert (SUPPORT_OF_BASIS[link.basis], (link,), ()) == (
            support.status,
            support.evidence,
            support.without_evidence,
        )
        assert support.supported

    def test_unsupported(self, tax):
        """
        A mitigation whose defenses have no evidence against its threats'
        attacks is unsupported: it fails policy unsupported only.
        """
        defense, attack = unlinked_pair(tax)
        tm = one_threat([attack], [defense])
        report = dsc.coverage_report(tm)
        (support,) = report.mitigations
        assert ("unsupported", (), (tax.attack(attack),)) == (
            support.status,
            support.evidence,
            support.without_evidence,
        )
        assert not support.supported
        assert (support,) == report.unsupported
        assert report.fails("unsupported")

    def test_not_mapped(self):
        """
        A mitigation that names no defense, or whose threats name no
        attack, is not mapped: nothing is claimed, nothing fails.
        """
        untagged = dsc.coverage_report(one_threat(["badencoder"], []))
        atlas_only = dsc.coverage_report(one_threat(["AML.T0058"], ["decree"]))
        assert ["not-mapped", "not-mapped"] == [
            r.mitigations[0].status for r in (untagged, atlas_only)
        ]
        assert () == untagged.unsupported + atlas_only.unsupported
        # Not supported either: the threat gets suggestions.
        assert ["T1"] == [s.threat.id for s in untagged.suggestions]

    def test_strongest_first(self, tax):
        """
        The evidence of a mitigation comes strongest first, and its status
        is the strongest basis.
        """
        defense = next(
            d
            for d in tax.defenses
            if len({e.basis for e in tax.counter_evidence(defense=d.id)}) > 1
        )
        links = tax.counter_evidence(defense=defense.id)
        tm = one_threat(
            [e.attack for e in reversed(links)],
            [defense.id],
            scope={"stages": [s.id for s in tax.stages]},
        )
        (support,) = dsc.coverage_report(tm).mitigations
        assert links == support.evidence
        assert SUPPORT_OF_BASIS[links[0].basis] == support.status

    def test_without_evidence_and_undefended(self, tax):
        """
        The attacks a mitigation's evidence does not reach are named, and
        those no defense of the taxonomy counters are told apart.
        """
        link = tax.evidence[0]
        other = next(
            a
            for a in tax.attacks
            if tax.defenses_for(a.id)
            and tax.defense(link.defense) not in tax.defenses_for(a.id)
        )
        alone = tax.undefended()[0]
        tm = one_threat(
            [link.attack, other.id, alone.id],
            [link.defense],
            scope={"stages": [s.id for s in tax.stages]},
        )
        (support,) = dsc.coverage_report(tm).mitigations
        assert ((other, alone), (alone,)) == (
            support.without_evidence,
            support.undefended,
        )

    @pytest.mark.parametrize("basis", ["evaluated", "claimed", "mechanism"])
    def test_basis_sets_what_counts(self, tax, basis):
        """
        With a stronger basis, weaker evidence does not count: a
        mitigation with only that is unsupported.
        """
        report_of = {}
        for link in tax.evidence:
            tm = one_threat([link.attack], [link.defense])
            (support,) = dsc.coverage_report(tm, basis=basis).mitigations
            report_of[link.basis] = support.status
        strength = ("evaluated", "claimed", "mechanism")
        assert {
            b: SUPPORT_OF_BASIS[b]
            if strength.index(b) <= strength.index(basis)
            else "unsupported"
            for b in strength
        } == report_of


class TestSuggestions:
    """
    Defenses with evidence, for threats without a supported mitigation.
    """

    @pytest.mark.parametrize("attack", [a.id for a in dsc.load().attacks])
    def test_every_attack(self, tax, attack):
        """
        For an open threat of one attack, the defenses are those the
        taxonomy has evidence for, strongest first, each with its links.
        """
        tm = one_threat(
            [attack],
            None,
            status="open",
            scope={"stages": [s.id for s in tax.stages]},
        )
        (suggestion,) = dsc.coverage_report(tm).suggestions
        assert list(tax.defenses_for(attack)) == [
            s.defense for s in suggestion.defenses
        ]
        for s in suggestion.defenses:
            links = tax.counter_evidence(attack=attack, defense=s.defense.id)
            assert (links, links[0].basis) == (s.evidence, s.basis)
            assert tuple(e.caveat for e in links if e.caveat) == s.caveats
        expected = () if tax.defenses_for(attack) else (tax.attack(attack),)
        assert expected == suggestion.undefended

    def test_which_threats(self, tax):
        """
        Open and mitigated threats without a supported mitigation get
        suggestions; supported, accepted and not-applicable ones do not.
        """
        link = tax.evidence[0]
        defense, attack = unlinked_pair(tax)
        data = {
            "name": "m",
            "scope": {"stages": [s.id for s in tax.stages]},
            "threats": [
                {"id": "T1", "title": "a", "tags": [link.attack]},
                {"id": "T2", "title": "b", "tags": [attack]},
                {
                    "id": "T3",
                    "title": "c",
                    "tags": [attack],
                    "status": "mitigated",
                },
                {
                    "id": "T4",
                    "title": "d",
                    "tags": [attack],
                    "status": "accepted",
                    "rationale": "r",
                },
                {
                    "id": "T5",
                    "title": "e",
                    "tags": [attack],
                    "status": "not-applicable",
                    "rationale": "r",
                },
            ],
            "mitigations": [
                {
                    "id": "M1",
                    "title": "x",
                    "tags": [link.defense],
                    "mitigates": ["T1"],
                },
                {
                    "id": "M2",
                    "title": "y",
                    "tags": [defense],
                    "mitigates": ["T3"],
                },
            ],
        }
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        assert ["T2", "T3"] == [s.threat.id for s in report.suggestions]

    def test_no_known_defense(self, tax):
        """
        The attacks of a threat that no defense counters are named: no
        known defense in the taxonomy.
        """
        lonely = tax.undefended()
        tm = one_threat(
            [a.id for a in lonely],
            None,
            status="open",
            scope={"stages": [s.id for s in tax.stages]},
        )
        (suggestion,) = dsc.coverage_report(tm).suggestions
        assert ((), lonely) == (suggestion.defenses, suggestion.undefended)
        text = dsc.coverage_report(tm).to_text()
        assert (
            "no known defense in the taxonomy: "
            + ", ".join(f"{a.id} ({a.name})" for a in lonely)
            in text
        )

    def test_undefended_as_the_reference_says(self, tax, reference):
        """
        The attacks with no known defense are the reference's attacks
        without an applicable defense.
        """
        without = reference["counter_evidence"][
            "attacks_without_applicable_defense"
        ]
        expected = {
            r.id
            for entry in without
            for r in tax.records_of(entry["attack"])
            if isinstance(r, dsc.Attack)
        }
        tm = one_threat(
            [a.id for a in tax.attacks],
            None,
            status="open",
            scope={"stages": [s.id for s in tax.stages]},
        )
        (suggestion,) = dsc.coverage_report(tm).suggestions
        assert expected == {a.id for a in suggestion.undefended}


class TestPolicies:
    """
    The fail policies, in one order: each fails on its own condition and on
    those of the policies before it.
    """

    def test_order(self):
        """
        The order is a public constant.
        """
        assert ("never", "gaps", "open", "unsupported") == dsc.FAIL_POLICIES

    def reports(self, tax):
        """
        One report for each condition alone, by the policy it belongs to.
        """
        link = next(
            e
            for e in tax.evidence
            if e.attack in {a.id for a in tax.attacks_in("deployment")}
        )
        defense, attack = unlinked_pair(tax)
        everything = [a.id for a in tax.attacks_in("deployment")]

        def report(threats, mitigations):
            data = {
                "name": "m",
                "scope": {"stages": ["deployment"]},
                "threats": threats,
                "mitigations": mitigations,
            }
            return dsc.coverage_report(dsc.threat_model_from_dict(data))

        covered = {
            "id": "T1",
            "title": "all",
            "tags": everything,
            "status": "mitigated",
        }
        mitigation = {
            "id": "M1",
            "title": "m",
            "tags": [link.defense],
            "mitigates": ["T1"],
        }
        return {
            "never": report([covered], [mitigation]),
            "gaps": report([], []),
            "open": report([{**covered, "status": "open"}], [mitigation]),
            "unsupported": report(
                [
                    covered,
                    {
                        "id": "T2",
                        "title": "x",
                        "tags": [attack],
                        "status": "mitigated",
                    },
                ],
                [
                    mitigation,
                    {
                        "id": "M2",
                        "title": "y",
                        "tags": [defense],
                        "mitigates": ["T2"],
                    },
                ],
            ),
        }

    def test_each_fails_on_its_own_and_everything_before(self, tax):
        """
        A report with only one policy's condition fails that policy and
        every stricter one, and none before it.
        """
        order = dsc.FAIL_POLICIES
        for condition, report in self.reports(tax).items():
            assert [
                condition != "never"
                and order.index(p) >= order.index(condition)
                for p in order
            ] == [report.fails(p) for p in order], condition

    def test_open_fails_on_gaps(self):
        """
        --fail-on open fails a model that has gaps and no open threat.
        """
        data = model()
        data["threats"][0]["status"] = "accepted"
        data["threats"][0]["rationale"] = "r"
        report = dsc.coverage_report(dsc.threat_model_from_dict(data))
        assert (0, True) == (len(report.open_threats), 0 < report.gap_count)
        assert report.fails("open")

    def test_unknown_policy(self):
        """
        An unknown policy is a ValueError naming the policies.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(model()))
        with pytest.raises(
            ValueError,
            match="policy must be one of never, gaps, open, unsupported",
        ):
            report.fails("sometimes")


class TestRenderings:
    """
    JSON, Markdown and text say the same things, and name the basis of
    every claim.
    """

    def test_json_uses_the_python_names(self):
        """
        The JSON keys are the Python API's: gap_count, and considered of
        the shape of not_considered.
        """
        report = dsc.coverage_report(dsc.threat_model_from_dict(model()))
        data = json.loads(json.dumps(report.to_dict()))
        assert report.gap_count == data["gap_count"]
        assert "gaps" not in data
        (stage,) = data["stages"]
        for key in ("attacks", "considered", "not_considered"):
            assert [
                {"id": a.id, "name": a.name}
                for a in getattr(report.stages[0], key)
            ] == stage[key]
        assert ["T1"] == [t["id"] for t in data["unmitigated"]]
        assert "mechanism" == data["basis"]

    def test_json_mitigations_and_suggestions(self):
        """
        Each mitigation has its status and evidence; each suggested defense
        its basis and links, each with its source and caveat.
        """
        report = dsc.coverage_report(
            dsc.threat_model_from_dict(tomllib.loads(EXAMPLE_TEXT))
        )
        data = report.to_dict()
        assert [(m.mitigation.id, m.status) for m in report.mitigations] == [
            (m["mitigation"]["id"], m["status"]) for m in data["mitigations"]
        ]
        link = report.mitigations[0].evidence[0]
        assert {
            "defense": link.defense,
            "attack": link.attack,
            "basis": link.basis,
            "evidence": link.evidence,
            "source": link.source,
            "caveat": link.caveat,
        } == data["mitigations"][0]["evidence"][0]
        first = report.suggestions[0]
        suggested = first.defenses[0]
        assert {
            "defense": {
                "id": suggested.defense.id,
                "name": suggested.defense.name,
            },
            "basis": suggested.basis,
            "caveats": list(suggested.caveats),
        }.items() <= data["suggestions"][0]["defenses"][0].items()
        assert [
            (n.attack.id, n.scope_modalities, n.reason)
            for n in report.not_applicable
        ] == [
            (n["attack"]["id"], tuple(n["scope_modalities"]), n["reason"])
            for s in data["stages"]
            for n in s["not_applicable"]
        ]
        assert [[a.id for a in m.undefended] for m in report.mitigations] == [
            [a["id"] for a in m["undefended"]] for m in data["mitigations"]
        ]

    def test_text_and_markdown(self):
        """
        Text and Markdown name the gaps, each link with its basis and
        source, and the counts.
        """
        report = dsc.coverage_report(
            dsc.threat_model_from_dict(tomllib.loads(EXAMPLE_TEXT))
        )
        text = report.to_text()
        markdown = report.to_markdown()
        for m in report.mitigations:
            assert (
                f"{m.mitigation.id} ({m.mitigation.title}): {m.status}" in text
            )
            for e in m.evidence:
                assert f"{e.defense} against {e.attack}: {e.basis}" in text
                assert f"source: {e.source}" in text
                assert (
                    f"`{e.defense}` against `{e.attack}`: **{e.basis}**"
                    in markdown
                )
        summary = (
            f"{report.gap_count} gaps, {len(report.open_threats)} open "
            f"threats, {len(report.unsupported)} unsupported mitigations."
        )
        assert summary in text
        assert f"**{summary}**" in markdown
        usage = next(s for s in report.stages if s.stage.id == "usage")
        assert (
            f"| Usage | 0 | 0 | 0 | {len(usage.not_applicable)} |" in markdown
        )

    def test_unsupported_is_said(self, tax):
        """
        An unsupported mitigation says that there is no evidence, in text
        and Markdown.
        """
        defense, attack = unlinked_pair(tax)
        report = dsc.coverage_report(one_threat([attack], [defense]))
        expected = (
            "unsupported (no evidence that its defenses counter its "
            "threats' attacks)"
        )
        assert f"M1 (m): {expected}" in report.to_text()
        assert f"**{expected}**" in report.to_markdown()

    def test_no_known_defense_names_the_basis(self, tax):
        """
        Below the weakest basis, "no known defense" says at which basis:
        weaker evidence may exist.
        """
        attack = next(
            a
            for a in tax.attacks
            if tax.defenses_for(a.id)
            and not tax.defenses_for(a.id, basis="claimed")
        )
        tm = one_threat([attack.id], None, status="open")
        text = dsc.coverage_report(tm, basis="claimed").to_text()
        assert (
            "no known defense in the taxonomy at basis claimed or stronger: "
            f"{attack.id} ({attack.name})"
        ) in text


class TestExample:
    """
    The shipped example reads as advice for an on-device photo classifier.
    """

    @pytest.fixture(name="report")
    def _report(self):
        tm = dsc.threat_model_from_dict(tomllib.loads(EXAMPLE_TEXT))
        return dsc.coverage_report(tm)

    def test_valid_without_warnings(self, report):
        """
        The example is valid, and no tag of it is out of scope.
        """
        assert () == report.warnings

    def test_scoped_to_vision(self, report):
        """
        The example works with vision only: no gap is an attack on other
        modalities, and every such attack is listed apart.
        """
        assert ("vision",) == report.model.scope.modalities
        assert all("vision" in a.modalities for a in report.not_considered)
        assert report.not_applicable
        assert all(
            "vision" not in n.attack.modalities for n in report.not_applicable
        )

    def test_mitigations_are_supported(self, tax, report):
        """
        Every mitigation of the example is supported by the evidence; the
        differential test of the int-8 model (DFlare) is untested, as its
        evidence is mechanism only.
        """
        assert all(m.supported for m in report.mitigations)
        (m3,) = [m for m in report.mitigations if m.mitigation.id == "M3"]
        assert ("dflare",) == tuple(t.id for t in m3.mitigation.tags)
        (t3,) = [t for t in report.model.threats if t.id == "T3"]
        bases = {
            e.basis
            for t in t3.tags
            for e in tax.counter_evidence(attack=t.id, defense="dflare")
        }
        assert {"mechanism"} == bases
        assert "untested" == m3.status

    def test_names_real_gaps(self, tax, report):
        """
        The example has gaps: attacks it does not consider, open threats
        without a mitigation, and one with no known defense in the
        taxonomy.
        """
        assert report.not_considered
        assert ["T4", "T7"] == [t.id for t in report.unmitigated]
        assert [t.id for t in report.unmitigated] == [
            s.threat.id for s in report.suggestions
        ]
        for s in report.suggestions:
            assert (
                tuple(a for a in s.attacks if not tax.defenses_for(a.id))
                == s.undefended
            )
        assert any(s.undefended for s in report.suggestions)
        assert all(s.defenses or s.undefended for s in report.suggestions)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestCheckCommand:
    """
    dnn-supply-chain check.
    """

    @pytest.mark.parametrize(
        ("policy", "expected"),
        [("never", 0), ("gaps", 1), ("open", 1), ("unsupported", 1)],
    )
    def test_exit_code_follows_policy(self, capsys, policy, expected):
        """
        The example fails on gaps and every policy after it, passes with
        never.
        """
        code, out, _ = run(capsys, "check", "--example", "--fail-on", policy)
        assert expected == code
        assert "T4: Weights tampered with on the device" in out
        verdict = "fails" if expected else "passes"
        assert out.endswith(f"Policy --fail-on {policy}: {verdict}.\n")

    def test_open_fails_a_model_with_gaps(self, capsys, tmp_path):
        """
        --fail-on open fails a model with gaps even when no threat is
        open.
        """
        data = model()
        data["threats"][0]["status"] = "accepted"
        data["threats"][0]["rationale"] = "r"
        path = tmp_path / "tm.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        code, out, _ = run(capsys, "check", str(path), "--fail-on", "open")
        assert 1 == code
        assert "Policy --fail-on open: fails." in out

    def test_basis(self, capsys):
        """
        --basis claimed leaves out mechanism evidence: the example's
        DFlare mitigation becomes unsupported.
        """
        code, out, _ = run(
            capsys,
            "check",
            "--example",
            "--basis",
            "claimed",
            "--format",
            "json",
        )
        data = json.loads(out)
        assert ("claimed", 1) == (data["basis"], code)
        assert {"M3"} == {
            m["mitigation"]["id"]
            for m in data["mitigations"]
            if m["status"] == "unsupported"
        }
        assert [] == [
            e
            for m in data["mitigations"]
            for e in m["evidence"]
            if e["basis"] == "mechanism"
        ]

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

    @pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
    def test_output_file(self, capsys, tmp_path, fmt):
        """
        -o writes what standard output would get, says so on stderr, and
        exits by the policy all the same.
        """
        path = tmp_path / "report"
        code, printed, _ = run(capsys, "check", "--example", "--format", fmt)
        assert (code, "", f"wrote {path}\n") == run(
            capsys, "check", "--example", "--format", fmt, "-o", str(path)
        )
        assert printed == path.read_text(encoding="utf-8")

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

    def test_every_problem_in_one_run(self, capsys, tmp_path):
        """
        Structural problems and tag problems in several places of a file
        are all reported in one run, with a did-you-mean for an unknown
        key.
        """
        path = tmp_path / "tm.toml"
        path.write_text(
            'name = "x"\n'
            '[scope]\nstages = ["design"]\n'
            '[[threat]]\nid = "T0"\ntitle = "typo in the table name"\n'
            '[[threats]]\nid = "T1"\ntitle = "t"\nstatus = "done"\n'
            'tags = ["ripplee"]\n'
            '[[mitigations]]\nid = "M1"\ntitle = "m"\ntags = ["decre"]\n'
            'mitigates = ["T1"]\n',
            encoding="utf-8",
        )
        code, out, err = run(capsys, "check", str(path))
        assert (2, "") == (code, out)
        assert [
            (
                f"{path}: threats[0].tags[0]: error: unknown attack "
                "'ripplee'; did you mean 'ripple'?"
            ),
            (
                f"{path}: threats[0].status: error: 'status' must be in "
                "('open', 'mitigated', 'accepted', 'not-applicable') "
                "(got 'done')"
            ),
            (
                f"{path}: mitigations[0].tags[0]: error: unknown defense "
                "'decre'; did you mean 'decree'?"
            ),
            (
                f"{path}: threat: error: unknown key 'threat'; did you "
                "mean 'threats'?"
            ),
            "dnn-supply-chain: 4 problems: the threat model is invalid",
        ] == err.splitlines()

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


class TestEveryProblem:
    """
    validate_threat_model on a file or its data reports its structural
    problems and the problems of its tags together, wherever the structure
    leaves the tags readable.
    """

    def findings(self, data):
        """
        The (path, message) of every problem of *data*.
        """
        return [(d.path, d.message) for d in dsc.validate_threat_model(data)]

    def test_structure_and_tags(self):
        """
        A bad field, a bad list item and an unknown key are reported with
        the unknown tags next to them, at their places in the file.
        """
        data = model()
        data["threats"].insert(0, "T0")
        data["threats"][1]["status"] = "done"
        data["threats"][1]["tags"] = ["imitation-atack"]
        data["mitigations"][0]["tags"] = [5, "textobfuscatr"]
        data["mitigatoins"] = []
        assert [
            ("threats[0]", "expected a table, got str 'T0'"),
            (
                "threats[1].tags[0]",
                "unknown attack 'imitation-atack'; did you mean 'imitation-attack'?",
            ),
            (
                "threats[1].status",
                "'status' must be in ('open', 'mitigated', 'accepted', 'not-applicable') (got 'done')",
            ),
            (
                "mitigations[0].tags[0]",
                "expected an id or a table {id, name}, got int 5",
            ),
            (
                "mitigations[0].tags[1]",
                "unknown defense 'textobfuscatr'; did you mean 'textobfuscator'?",
            ),
            (
                "mitigatoins",
                "unknown key 'mitigatoins'; did you mean 'mitigations'?",
            ),
        ] == self.findings(data)

    def test_no_consequences_of_what_was_set_aside(self):
        """
        What was set aside causes no problem of its own: a mitigation of a
        threat whose table is broken is no mitigation of an unknown threat,
        and a threat listed by a broken mitigation is still mitigated.
        """
        data = model()
        data["threats"][0]["title"] = 5
        data["threats"][0]["status"] = "mitigated"
        data["mitigations"][0]["mitigates"] = "T2"
        data["mitigations"].append(
            {"id": "M2", "title": "m", "mitigates": ["T1"]}
        )
        assert [
            ("threats[0].title", "expected str, got int 5"),
            ("mitigations[0].mitigates", "expected a list, got str 'T2'"),
        ] == self.findings(data)

    def test_placeholder_ids_are_never_named(self):
        """
        A threat with a bad id is still checked, and its stand-in id
        appears in no message.
        """
        data = model()
        data["threats"][0]["id"] = ""
        data["threats"][0]["status"] = "mitigated"
        data["threats"][0]["tags"] = ["nope"]
        data["mitigations"][0]["mitigates"] = ["T3"]
        found = self.findings(data)
        assert [
            ("threats[0].id", "'id' must not be empty"),
            ("threats[0].tags[0]", "unknown attack 'nope'"),
            (
                "threats[1].status",
                "threat 'T2' is 'mitigated' but no mitigation lists it in 'mitigates'",
            ),
            ("mitigations[0].mitigates[0]", "no threat has id 'T3'"),
        ] == found

    def test_without_a_scope_nothing_more(self):
        """
        Without a readable scope, only the structural problems are
        reported.
        """
        data = model(scope={"stages": "usage"})
        data["threats"][0]["tags"] = ["nope"]
        assert [("scope.stages", "expected a list, got str 'usage'")] == (
            self.findings(data)
        )

    def test_same_as_reading_when_only_structure(self):
        """
        For data whose only problems are structural, the problems are
        those threat_model_from_dict raises.
        """
        data = model()
        data["threats"][0]["stauts"] = "open"
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.threat_model_from_dict(data)
        assert exc_info.value.diagnostics == dsc.validate_threat_model(data)

    def test_a_file(self, tmp_path):
        """
        A path is read and checked whole; a file that cannot be parsed
        gives its one problem, without raising.
        """
        data = model()
        data["threat"] = []
        data["threats"][0]["tags"] = ["nope"]
        path = tmp_path / "tm.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        assert [
            (str(path), "threats[0].tags[0]"),
            (str(path), "threat"),
        ] == [(d.source, d.path) for d in dsc.validate_threat_model(path)]
        path.write_text("{", encoding="utf-8")
        (problem,) = dsc.validate_threat_model(str(path))
        assert (str(path), "error") == (problem.source, problem.severity)
        assert problem.message.startswith("invalid JSON")

    def test_a_model_as_before(self):
        """
        A model record is validated as it always was.
        """
        tm = dsc.threat_model_from_dict(model())
        assert () == dsc.validate_threat_model(tm)

    def test_unknown_key_suggests(self):
        """
        An unknown key close to a known one gets a did-you-mean.
        """
        data = model()
        data["threats"][0]["titel"] = "t"
        assert (
            "unknown key 'titel'; did you mean 'title'?"
            == dict(self.findings(data))["threats[0].titel"]
        )


class TestInitCommand:
    """
    dnn-supply-chain init.
    """

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["-o", "out.yaml"], "name the file .toml or .json"),
            (["-o", "threat-model"], "name the file .toml or .json"),
            (["--format", "toml", "-o", "out.yaml"], "name the file .toml"),
            (
                ["--format", "toml", "-o", "out.json"],
                "--format toml does not match the name out.json",
            ),
            (
                ["--format", "json", "-o", "out.TOML"],
                "--format json does not match",
            ),
        ],
    )
    def test_file_name_it_cannot_write(
        self, capsys, tmp_path, monkeypatch, argv, message
    ):
        """
        A name that check could not read back, or that says the other
        format, is a usage error, and nothing is written.
        """
        monkeypatch.chdir(tmp_path)
        code, out, err = run(capsys, "init", "--stage", "usage", *argv)
        assert (2, "") == (code, out)
        assert message in err
        assert [] == list(tmp_path.iterdir())

    def test_json_names_its_schema(self, capsys, tmp_path):
        """
        The JSON starter names the shipped schema by its $id, follows it,
        and reads back (the reader ignores $schema).
        """
        path = tmp_path / "tm.json"
        code, _, _ = run(capsys, "init", "--stage", "usage", "-o", str(path))
        assert 0 == code
        data = json.loads(path.read_text(encoding="utf-8"))
        assert SCHEMA["$id"] == data["$schema"] == _files.SCHEMA_ID
        assert "$schema" == next(iter(data))
        jsonschema.validate(data, SCHEMA)
        tm = dsc.read_threat_model(path)
        assert path.read_text(encoding="utf-8") == dsc.dump_threat_model(
            tm, "json"
        )

    def test_stage_and_modality_any_case(self, capsys):
        """
        init takes stages and modalities as users type them, and writes
        the taxonomy's own ids and terms.
        """
        code, out, _ = run(
            capsys,
            "init",
            "--stage",
            "Deployment",
            "--modality",
            "Vision",
            "--format",
            "json",
        )
        assert 0 == code
        scope = json.loads(out)["scope"]
        assert (["deployment"], ["vision"]) == (
            scope["stages"],
            scope["modalities"],
        )

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

    def test_modalities(self, capsys, tax):
        """
        init writes the scope's modalities: those named with --modality,
        and only their attacks get a threat.
        """
        code, out, _ = run(
            capsys, "init", "--stage", "design", "--modality", "vision"
        )
        data = tomllib.loads(out)
        assert (0, ["vision"]) == (code, data["scope"]["modalities"])
        assert [
            a.id for a in tax.attacks_in("design") if "vision" in a.modalities
        ] == [t["tags"][0]["id"] for t in data["threats"]]

    def test_every_modality_by_default(self, capsys, tax):
        """
        Without --modality, init names every modality of the taxonomy, for
        the team to narrow.
        """
        code, out, _ = run(capsys, "init", "--stage", "usage")
        data = tomllib.loads(out)
        assert (0, list(tax.vocabulary.modalities)) == (
            code,
            data["scope"]["modalities"],
        )
        assert "--modality" in out
        assert len(tax.attacks_in("usage")) == len(data["threats"])

    def test_unknown_modality(self, capsys):
        """
        An unknown modality exits 2 with a suggestion.
        """
        code, _, err = run(capsys, "init", "--modality", "visoin")
        assert 2 == code
        assert "unknown modality 'visoin'; did you mean 'vision'?" in err


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
