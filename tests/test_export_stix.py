"""
The STIX 2.1 export: checked with the official validator and read back
with the stix2 library.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import subprocess
import sys
import uuid

import attrs
import jsonschema
import pytest
import stix2

from stix2.confidence import scales
from stix2validator import ValidationOptions, validate_string

import dnn_supply_chain as dsc

from dnn_supply_chain._export import _stix, export
from dnn_supply_chain.extensions import Provenance


ACME_PROVENANCE = Provenance(
    source="acme-dsc-extension", version="1.0.0", extension="acme"
)

#: The validator's warnings for the two recommendations the export does
#: not follow on purpose: UUIDv4 ids (103) and hashes of external
#: references' URLs (302).
KNOWN_WARNINGS = {"103", "302"}

#: The level of the STIX 2.1 "None / Low / Med / High" confidence scale
#: each basis stands for (docs/exports.md).
CONFIDENCE_SCALE_LEVELS = {
    "evaluated": "High",
    "claimed": "Med",
    "mechanism": "Low",
}

#: The confidence values of those levels, as the stix2 library maps the
#: scale of the STIX 2.1 specification.
CONFIDENCE_SCALE = {
    basis: scales.none_low_med_high_to_value(level)
    for basis, level in CONFIDENCE_SCALE_LEVELS.items()
}

STIX_ID = re.compile(
    r"[a-z][a-z0-9-]+--"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def acme_taxonomy() -> dsc.Taxonomy:
    """
    Return the bundled taxonomy plus records with namespaced ids, as an
    extension would add them: a stage, an attack, a defense and a paper.
    """
    data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
    data["stages"].insert(
        0,
        {
            "id": "acme:data-collection",
            "name": "Data collection",
            "name_zh": "数据收集阶段",
            "description": "A team gathers the data a model is trained on.",
            "next": ["design"],
        },
    )
    data["attacks"].append(
        {
            "id": "acme:x",
            "name": "Crawl poisoning",
            "stage": "acme:data-collection",
            "threat_types": ["data poisoning"],
            "modalities": ["NLP"],
            "summary": "Plants poisoned pages where a crawler will find them.",
            "papers": ["acme:redteam2026"],
            "atlas_techniques": ["AML.T0020"],
            "owasp_ml": ["ML02"],
            "attributes": {"acme:severity": "high", "acme:seen": [2025]},
        }
    )
    data["defenses"].append(
        {
            "id": "acme:crawl-audit",
            "name": "Crawl audit",
            "stage": "acme:data-collection",
            "counters": ["data poisoning"],
            "summary": "Checks crawled pages against archived copies.",
            "papers": ["acme:redteam2026"],
            "atlas_mitigations": ["AML.M0007"],
        }
    )
    data["papers"].append(
        {
            "id": "acme:redteam2026",
            "title": "Example: internal red-team report",
            "authors": ["ACME Red Team"],
            "year": 2026,
            "doi": "10.5555/acme.2026.1",
            "arxiv": "2601.01234",
            "url": "https://acme.example/redteam-2026",
        }
    )
    data["counter_evidence"].append(
        {
            "defense": "acme:crawl-audit",
            "attack": "acme:x",
            "basis": "evaluated",
            "evidence": "The report runs the audit against crawl poisoning",
            "source": "acme:redteam2026, section 2",
        }
    )
    tax = dsc.taxonomy_from_dict(data)
    acme = ("acme:data-collection", "acme:x", "acme:crawl-audit")
    return attrs.evolve(
        tax,
        provenance={
            **dict.fromkeys(acme, ACME_PROVENANCE),
            "acme:redteam2026": ACME_PROVENANCE,
        },
    )


def validate(text, *, strict=False, disabled=""):
    """
    Return the official validator's results for *text*, checked with no
    network: every schema it needs ships with it.  *strict* turns the
    warnings into errors; *disabled* names the checks left out.
    """

    def refuse(*_args):
        msg = "the validator tried to use the network"
        raise AssertionError(msg)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        return validate_string(
            text,
            ValidationOptions(
                strict=strict,
                enforce_refs=True,
                silent=True,
                disabled=disabled,
            ),
        )


def of_type(bundle, stix_type):
    """
    Return the objects of *stix_type* in *bundle* (parsed JSON).
    """
    return [o for o in bundle["objects"] if o["type"] == stix_type]


def record_id(obj):
    """
    Return the taxonomy id that a STIX object (parsed JSON or stix2)
    refers back to.
    """
    (found,) = (
        ref["external_id"]
        for ref in obj["external_references"]
        if ref["source_name"] == "dnn-supply-chain"
    )
    return found


def stix_ids(bundle):
    """
    Return the STIX id of each record of *bundle*, by record id.
    """
    return {
        record_id(o): o["id"]
        for o in bundle["objects"]
        if o["type"] in ("attack-pattern", "course-of-action")
    }


def pairs(store, relationships):
    """
    Return the (defense, attack) record ids of each relationship, in
    order.
    """
    by_id = {
        o.id: record_id(o)
        for o in store.query(
            [
                stix2.Filter(
                    "type", "in", ["attack-pattern", "course-of-action"]
                )
            ]
        )
    }
    return [(by_id[r.source_ref], by_id[r.target_ref]) for r in relationships]


def warning_codes(results):
    """
    Return the check codes of the validator's warnings.
    """
    return {re.search(r"\{(\d+)\}", str(w)).group(1) for w in results.warnings}


@pytest.fixture(name="tax", scope="module")
def _tax():
    """
    The bundled taxonomy alone, whatever extensions are installed.
    """
    return dsc.load(extensions=False)


@pytest.fixture(name="text", scope="module")
def _text(tax):
    return export(tax, "stix")


@pytest.fixture(name="bundle", scope="module")
def _bundle(text):
    return json.loads(text)


@pytest.fixture(name="acme", scope="module")
def _acme():
    return acme_taxonomy()


@pytest.fixture(name="acme_text", scope="module")
def _acme_text(acme):
    return export(acme, "stix")


@pytest.fixture(name="acme_bundle", scope="module")
def _acme_bundle(acme_text):
    return json.loads(acme_text)


@pytest.fixture(name="store", scope="module")
def _store(text):
    return stix2.MemoryStore(stix2.parse(text, allow_custom=False))


class TestValidator:
    """
    The official STIX validator accepts the bundle.
    """

    @pytest.mark.parametrize("which", ["text", "acme_text"])
    def test_valid(self, request, which):
        """
        The bundled taxonomy, and one with namespaced ids, give a valid
        bundle with no errors, every reference resolving inside it; the
        only warnings are the known ones.
        """
        results = validate(request.getfixturevalue(which))

        assert [] == results.errors
        assert results.is_valid
        assert set() == warning_codes(results) - KNOWN_WARNINGS

    @pytest.mark.parametrize("which", ["text", "acme_text"])
    def test_strict(self, request, which):
        """
        --strict passes with only the two documented checks disabled:
        UUIDv5 ids and unhashed links.
        """
        results = validate(
            request.getfixturevalue(which),
            strict=True,
            disabled="uuid-check,extref-hashes",
        )

        assert [] == results.errors
        assert results.is_valid
        assert set() == warning_codes(results)


class TestStix2:
    """
    The stix2 library reads the bundle without custom content.
    """

    def test_counts(self, tax, store):
        """
        One attack pattern per attack, one course of action per defense.
        """
        patterns = store.query([stix2.Filter("type", "=", "attack-pattern")])
        actions = store.query([stix2.Filter("type", "=", "course-of-action")])

        assert len(tax.attacks) == len(patterns)
        assert len(tax.defenses) == len(actions)
        assert {a.id for a in tax.attacks} == {record_id(p) for p in patterns}

    def test_mitigates(self, tax, store):
        """
        The mitigates relationships are exactly the counter evidence.
        """
        relationships = store.query(
            [stix2.Filter("type", "=", "relationship")]
        )

        assert {"mitigates"} == {r.relationship_type for r in relationships}
        assert {(e.defense, e.attack) for e in tax.counter_evidence()} == set(
            pairs(store, relationships)
        )
        assert len(tax.counter_evidence()) == len(relationships)

    def test_reference_links(self, tax, store, reference):
        """
        The relationships are the reference's links, each with the
        confidence of its basis.
        """

        def record_of(paper):
            (record,) = tax.records_of(paper)
            return record.id

        relationships = store.query(
            [stix2.Filter("type", "=", "relationship")]
        )
        expected = {
            (record_of(link["defense"]), record_of(link["attack"])): link[
                "basis"
            ]
            for link in reference["counter_evidence"]["links"]
        }

        assert {
            pair: CONFIDENCE_SCALE[basis] for pair, basis in expected.items()
        } == dict(
            zip(
                pairs(store, relationships),
                (r.confidence for r in relationships),
                strict=True,
            )
        )

    def test_confidence_scale(self):
        """
        The confidence of each basis is the STIX 2.1 value of a level of
        the "None / Low / Med / High" scale, and reads back as that level.
        """
        assert CONFIDENCE_SCALE == _stix.CONFIDENCE
        assert CONFIDENCE_SCALE_LEVELS == {
            basis: scales.value_to_none_low_medium_high(value)
            for basis, value in _stix.CONFIDENCE.items()
        }
        assert list(dsc.BASES) == sorted(
            _stix.CONFIDENCE, key=_stix.CONFIDENCE.get, reverse=True
        )

    def test_description(self, tax, bundle):
        """
        Each relationship's description holds its link's basis, evidence,
        source and caveat.
        """
        relationships = {o["id"]: o for o in of_type(bundle, "relationship")}
        for link in tax.counter_evidence():
            key = f"relationship/mitigates/{link.defense}/{link.attack}"
            rel = relationships[
                f"relationship--{uuid.uuid5(_stix.NAMESPACE, key)}"
            ]
            text = rel["description"]

            assert f"Basis: {link.basis} (" in text
            assert link.evidence.rstrip(".") in text
            assert link.source.rstrip(".") in text
            assert (link.caveat is not None) == ("Caveat: " in text)
            if link.caveat is not None:
                assert link.caveat.rstrip(".") in text

    def test_no_evidence_no_relationship(self, tax):
        """
        A defense that shares a threat type with an attack, but has no
        evidence against it, mitigates nothing.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["counter_evidence"] = []
        bare = json.loads(export(dsc.taxonomy_from_dict(data), "stix"))
        shared = [
            (d.id, a.id)
            for d in tax.defenses
            for a in tax.attacks
            if set(d.counters) & set(a.threat_types)
        ]

        assert 0 < len(shared)
        assert [] == of_type(bare, "relationship")

    def test_order(self, tax, bundle):
        """
        Relationships come by defense, in taxonomy order, each defense's
        strongest evidence first.
        """
        ids = [o["id"] for o in of_type(bundle, "relationship")]

        assert [
            _stix._stix_id("relationship", "mitigates", d.id, link.attack)
            for d in tax.defenses
            for link in tax.counter_evidence(defense=d.id)
        ] == ids

    def test_creator(self, store):
        """
        Every object is created by the dnn-supply-chain identity.
        """
        (identity,) = store.query([stix2.Filter("type", "=", "identity")])
        everything = store.query([])

        assert "dnn-supply-chain" == identity.name
        assert {identity.id} == {o.created_by_ref for o in everything}

    def test_namespaced(self, acme_text):
        """
        Records with namespaced ids load like the others.
        """
        store = stix2.MemoryStore(stix2.parse(acme_text, allow_custom=False))
        (pattern,) = store.query(
            [
                stix2.Filter("type", "=", "attack-pattern"),
                stix2.Filter("name", "=", "Crawl poisoning"),
            ]
        )

        assert "acme:x" == record_id(pattern)
        assert "acme:data-collection" == (
            pattern.kill_chain_phases[0].phase_name
        )


class TestDeterminism:
    """
    The same taxonomy always gives the same bytes and the same ids.
    """

    def test_twice(self, tax, text):
        """
        Two exports are byte-identical.
        """
        assert text == export(tax, "stix")

    def test_reloaded(self, tax, bundle):
        """
        A taxonomy rebuilt from its data gives every record the same id.
        """
        again = dsc.taxonomy_from_dict(dsc.taxonomy_to_dict(tax))

        assert stix_ids(bundle) == stix_ids(json.loads(export(again, "stix")))

    def test_extensions_keep_ids(self, bundle, acme_bundle):
        """
        Adding records leaves the ids of the others alone.
        """
        bundled = stix_ids(bundle)
        extended = stix_ids(acme_bundle)

        assert bundled == {k: extended[k] for k in bundled}

    def test_uuid5(self, bundle):
        """
        Ids are UUIDv5 in the documented namespace, of type/record-id keys.
        """
        namespace = uuid.uuid5(
            uuid.NAMESPACE_URL, "https://pypi.org/project/dnn-supply-chain/"
        )

        assert namespace == _stix.NAMESPACE
        assert (
            "attack-pattern--e5e04c5d-29da-5a4d-ac2c-b322d3be42ef"
            == stix_ids(bundle)["ripple"]
        )
        assert {
            f"course-of-action--{uuid.uuid5(namespace, 'course-of-action/decree')}"
        } == {
            o["id"]
            for o in of_type(bundle, "course-of-action")
            if record_id(o) == "decree"
        }

    def test_timestamps(self, bundle):
        """
        Every object is created at the fixed timestamp, never the time of
        export, and modified less than a day after it.
        """
        created = dt.datetime.fromisoformat(_stix.TIMESTAMP)
        assert {_stix.TIMESTAMP} == {o["created"] for o in bundle["objects"]}
        assert [] == [
            o["id"]
            for o in bundle["objects"]
            if not created
            <= dt.datetime.fromisoformat(o["modified"])
            < created + dt.timedelta(days=1)
        ]

    def test_modified_follows_content(self, tax, bundle):
        """
        An object whose content changes keeps its id and gets another
        modified; the objects left alone keep theirs.
        """
        data = dsc.taxonomy_to_dict(tax)
        (ripple,) = (a for a in data["attacks"] if a["id"] == "ripple")
        ripple["summary"] += " Corrected."
        changed = json.loads(export(dsc.taxonomy_from_dict(data), "stix"))
        before = {o["id"]: o["modified"] for o in bundle["objects"]}
        after = {o["id"]: o["modified"] for o in changed["objects"]}
        ripple_id = stix_ids(bundle)["ripple"]

        assert before.keys() == after.keys()
        assert {ripple_id} == {i for i in before if before[i] != after[i]}

    def test_layout(self, text, bundle):
        """
        The text is the bundle's JSON with sorted keys, indented, ending
        with a newline; objects come identity first, then the extension
        definition, attack patterns, courses of action and relationships.
        """
        order = [
            "identity",
            "extension-definition",
            "attack-pattern",
            "course-of-action",
            "relationship",
        ]
        types = [o["type"] for o in bundle["objects"]]

        assert (
            json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False)
            + "\n"
        ) == text
        assert sorted(types, key=order.index) == types

    def test_no_stix2_at_runtime(self):
        """
        Exporting imports neither stix2 nor its validator.
        """
        code = (
            "import sys, dnn_supply_chain as dsc\n"
            "from dnn_supply_chain._export import export\n"
            "export(dsc.load(extensions=False), 'stix')\n"
            "print(sorted(m for m in sys.modules if m.startswith('stix2')))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

        assert "[]\n" == out


class TestReferences:
    """
    External references map objects back to records, papers, ATLAS and
    OWASP.
    """

    def test_ids_well_formed(self, acme_bundle):
        """
        Every id and reference is a STIX id, namespaced records included.
        """
        refs = [
            o[key]
            for o in acme_bundle["objects"]
            for key in ("id", "created_by_ref", "source_ref", "target_ref")
            if key in o
        ]

        assert [] == [r for r in refs if not STIX_ID.fullmatch(r)]
        assert len(acme_bundle["objects"]) == len(
            {o["id"] for o in acme_bundle["objects"]}
        )

    def test_attacks(self, tax, bundle):
        """
        Every attack pattern names its record, its ATLAS techniques, its
        OWASP risks and its papers with their DOIs and arXiv ids.
        """
        by_id = {record_id(o): o for o in of_type(bundle, "attack-pattern")}
        for attack in tax.attacks:
            refs = by_id[attack.id]["external_references"]
            papers = tax.papers_of(attack.id)

            assert {
                ("dnn-supply-chain", attack.id),
                *(("owasp-ml-top-10-2023", r) for r in attack.owasp_ml),
                *(("doi", p.doi) for p in papers if p.doi),
                *(("arxiv", p.arxiv) for p in papers if p.arxiv),
            } == {
                (r["source_name"], r["external_id"])
                for r in refs
                if "external_id" in r
            }
            assert [p.id for p in papers] == [
                r["source_name"]
                for r in refs
                if r["source_name"] in {p.id for p in papers}
            ]

    def test_defenses(self, tax, bundle):
        """
        Every course of action names its ATLAS mitigations and countered
        techniques, at their ATLAS pages.
        """
        by_id = {record_id(o): o for o in of_type(bundle, "course-of-action")}
        for defense in tax.defenses:
            urls = {
                r["url"]
                for r in by_id[defense.id]["external_references"]
                if r["source_name"] == "dnn-supply-chain-atlas-crosswalk"
            }

            assert {
                *(
                    f"https://atlas.mitre.org/mitigations/{m}"
                    for m in defense.atlas_mitigations
                ),
                *(
                    f"https://atlas.mitre.org/techniques/{t}"
                    for t in defense.atlas_counters
                ),
            } == urls

    def test_paper(self, bundle):
        """
        A paper gives a reference to itself, its DOI, arXiv id and code.
        """
        (ripple,) = (
            o
            for o in of_type(bundle, "attack-pattern")
            if record_id(o) == "ripple"
        )

        assert [
            {"external_id": "ripple", "source_name": "dnn-supply-chain"},
            {
                "description": "Weight Poisoning Attacks on Pretrained Models"
                " (ACL 2020)",
                "source_name": "kurita2020weight",
                "url": "https://aclanthology.org/2020.acl-main.249/",
            },
            {
                "description": "DOI of kurita2020weight",
                "external_id": "10.18653/v1/2020.acl-main.249",
                "source_name": "doi",
                "url": "https://doi.org/10.18653/v1/2020.acl-main.249",
            },
            {
                "description": "arXiv preprint of kurita2020weight",
                "external_id": "2004.06660",
                "source_name": "arxiv",
                "url": "https://arxiv.org/abs/2004.06660",
            },
            {
                "description": "Code of kurita2020weight",
                "source_name": "code",
                "url": "https://github.com/neulab/RIPPLe",
            },
            {
                "description": "ATLAS technique it realises: MITRE ATLAS "
                "AML.T0010.003 Model (curated crosswalk, not an official "
                "MITRE mapping; not this object's own id)",
                "source_name": "dnn-supply-chain-atlas-crosswalk",
                "url": "https://atlas.mitre.org/techniques/AML.T0010.003",
            },
        ] == ripple["external_references"][:6]

    def test_namespaced_paper(self, acme_bundle):
        """
        A namespaced record cites its namespaced paper and that paper's DOI.
        """
        (pattern,) = (
            o
            for o in of_type(acme_bundle, "attack-pattern")
            if record_id(o) == "acme:x"
        )
        refs = {
            (r["source_name"], r.get("external_id"))
            for r in pattern["external_references"]
        }

        assert {
            ("dnn-supply-chain", "acme:x"),
            ("acme:redteam2026", None),
            ("doi", "10.5555/acme.2026.1"),
            ("arxiv", "2601.01234"),
            ("dnn-supply-chain-atlas-crosswalk", None),
            ("owasp-ml-top-10-2023", "ML02"),
        } == refs


class TestAtlasIds:
    """
    No object of ours states an ATLAS id as its own; the mapping is in the
    property extension.
    """

    def test_no_atlas_external_id(self, acme_bundle):
        """
        No external reference of any object has an ATLAS id as its
        external_id (ATLAS tools find objects by it).
        """
        assert [] == [
            (o["id"], r["external_id"])
            for o in acme_bundle["objects"]
            for r in o.get("external_references", ())
            if dsc.crosswalk.ATLAS_ID.fullmatch(
                r.get("external_id", "").upper()
            )
        ]

    def test_mapping_in_extension(self, tax, bundle):
        """
        Each object's extension carries its record's ATLAS, OWASP LLM and
        NIST ids.
        """
        fields = {
            "attack-pattern": ("atlas_techniques", "owasp_llm", "nist_aml"),
            "course-of-action": (
                "atlas_mitigations",
                "atlas_counters",
                "owasp_llm",
                "nist_aml",
            ),
        }
        for stix_type, names in fields.items():
            for obj in of_type(bundle, stix_type):
                record = tax.get(record_id(obj))
                ext = obj["extensions"][_stix.EXTENSION_ID]
                assert {n: list(getattr(record, n)) for n in names} == {
                    n: ext.get(n, []) for n in names
                }

    def test_mitreattack_getters(self, tax, text, tmp_path):
        """
        MitreAttackData reads the bundle: every technique and mitigation,
        the mitigations of a technique, and no object found by any ATLAS
        id the taxonomy maps to.
        """
        from mitreattack import stix20 as mitre

        path = tmp_path / "bundle.json"
        path.write_text(text, encoding="utf-8")
        data = mitre.MitreAttackData(str(path))
        mapped = {
            i
            for rec in (*tax.attacks, *tax.defenses)
            for i in (
                *getattr(rec, "atlas_techniques", ()),
                *getattr(rec, "atlas_mitigations", ()),
                *getattr(rec, "atlas_counters", ()),
            )
        }
        (ripple,) = (
            t
            for t in data.get_techniques()
            if t.name == tax.attack("ripple").name
        )
        assert len(tax.attacks) == len(data.get_techniques())
        assert len(tax.defenses) == len(data.get_mitigations())
        assert {d.name for d in tax.defenses_for("ripple")} == {
            m["object"].name
            for m in data.get_mitigations_mitigating_technique(ripple.id)
        }
        assert [] == [
            (i, stix_type)
            for i in sorted(mapped)
            for stix_type in ("attack-pattern", "course-of-action")
            if data.get_object_by_attack_id(i, stix_type) is not None
        ]


class TestExtension:
    """
    The taxonomy's own properties travel in a published property extension.
    """

    def test_definition(self, tax, bundle):
        """
        The bundle defines the extension, created by the identity, and cites
        the survey.
        """
        (definition,) = of_type(bundle, "extension-definition")
        (identity,) = of_type(bundle, "identity")

        assert _stix.EXTENSION_ID == definition["id"]
        assert ["property-extension"] == definition["extension_types"]
        assert _stix.EXTENSION_VERSION == definition["version"]
        assert definition["schema"].startswith("https://")
        assert identity["id"] == definition["created_by_ref"]
        assert (
            tax.survey == definition["external_references"][0]["source_name"]
        )

    def test_schema(self, acme_bundle):
        """
        Every object's extension properties follow the published schema.
        """
        schema = _stix.extension_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        extended = [o for o in acme_bundle["objects"] if "extensions" in o]

        assert 0 < len(extended)
        for obj in extended:
            assert [_stix.EXTENSION_ID] == list(obj["extensions"])
            assert [] == [
                e.message
                for e in validator.iter_errors(
                    obj["extensions"][_stix.EXTENSION_ID]
                )
            ]

    def test_stage(self, tax, bundle):
        """
        The extension carries each record's stage, category and threat
        types; the kill chain phase repeats the stage.
        """
        by_id = {
            record_id(o): o
            for o in bundle["objects"]
            if o["type"] in ("attack-pattern", "course-of-action")
        }
        for attack in tax.attacks:
            obj = by_id[attack.id]
            ext = obj["extensions"][_stix.EXTENSION_ID]

            assert (
                attack.stage,
                attack.category,
                list(attack.threat_types),
                list(attack.modalities),
            ) == (
                ext["stage"],
                ext.get("category"),
                ext["threat_types"],
                ext["modalities"],
            )
            assert [
                {
                    "kill_chain_name": "dnn-supply-chain",
                    "phase_name": attack.stage,
                }
            ] == obj["kill_chain_phases"]
        for defense in tax.defenses:
            ext = by_id[defense.id]["extensions"][_stix.EXTENSION_ID]

            assert (defense.stage, list(defense.counters)) == (
                ext["stage"],
                ext["counters"],
            )

    def test_provenance(self, acme_bundle):
        """
        Records from an extension say which, and carry their attributes.
        """
        (pattern,) = (
            o
            for o in of_type(acme_bundle, "attack-pattern")
            if record_id(o) == "acme:x"
        )
        ext = pattern["extensions"][_stix.EXTENSION_ID]

        assert {
            "source": "acme-dsc-extension",
            "version": "1.0.0",
            "extension": "acme",
        } == ext["provenance"]
        assert {"acme:severity": "high", "acme:seen": [2025]} == ext[
            "attributes"
        ]
        assert "acme:data-collection" == ext["stage"]

    def test_bundled_provenance(self, bundle):
        """
        Bundled records say so.
        """
        provenance = [
            o["extensions"][_stix.EXTENSION_ID]["provenance"]
            for o in bundle["objects"]
            if "extensions" in o
        ]

        assert [{"source": "bundled"}] * len(provenance) == provenance
