"""
The crosswalk to the OWASP Top 10 for LLM Applications 2025 and NIST AI
100-2 E2025, lookups in the forms people type, and the ATLAS mappings of
defenses against ATLAS's own mitigation lists.
"""

from __future__ import annotations

import json
import re

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT
from dnn_supply_chain.cli import main


OWASP_LLM = json.loads(
    (ROOT / "reference" / "owasp-llm-top10-2025.json").read_text("utf-8")
)
NIST = json.loads(
    (ROOT / "reference" / "nist-ai-100-2-e2025.json").read_text("utf-8")
)
ATLAS = json.loads(
    (ROOT / "reference" / "atlas-5.6.0.json").read_text("utf-8")
)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(name="catalog", scope="module")
def _catalog():
    return dsc.load_crosswalk()


class TestCatalogue:
    """
    The catalogue knows the OWASP LLM 2025 risks and the NIST classes.
    """

    def test_owasp_llm_risks(self, catalog):
        """
        The ten risks, with their ids and names, as the reference has them.
        """
        assert [(r["id"], r["name"]) for r in OWASP_LLM["risks"]] == [
            (r.id, r.name) for r in catalog.owasp_llm
        ]
        assert OWASP_LLM["version"] == catalog.owasp_llm_edition

    def test_nist_classes(self, catalog):
        """
        The objectives and attacks, with names, kinds and placements.
        """
        assert [
            (
                c["id"],
                c["name"],
                c["kind"],
                list(
                    dict.fromkeys(
                        o["objective"] for o in c.get("objectives", ())
                    )
                ),
            )
            for c in NIST["classes"]
        ] == [(c.id, c.name, c.kind, list(c.objectives)) for c in catalog.nist]
        assert NIST["edition"] == catalog.nist_edition

    def test_unconfirmed_names_are_marked(self, catalog):
        """
        A NIST field the reference could not confirm is marked unverified.
        """
        assert {
            c["id"]: c["unverified_fields"]
            for c in NIST["classes"]
            if c.get("unverified_fields")
        } == {c.id: list(c.unverified) for c in catalog.nist if c.unverified}

    def test_every_mapped_id_is_in_the_catalogue(self, tax, catalog):
        """
        Every OWASP LLM and NIST id a record maps to is a catalogue entry.
        """
        mapped = {
            ref
            for rec in (*tax.attacks, *tax.defenses)
            for ref in (*rec.owasp_llm, *rec.nist_aml)
        }
        assert set() == {
            ref for ref in mapped if catalog.current_name(ref) is None
        }

    def test_objective_members(self, catalog):
        """
        An objective's members are the attack classes the index lists
        under it, in either taxonomy.
        """
        index = NIST["taxonomy_index"]
        listed = set(index["PredAI"]["NISTAML.02"]) | set(
            index["GenAI"]["NISTAML.02"]
        )
        assert listed == {c.id for c in catalog.under_objective("NISTAML.02")}


class TestResolve:
    """
    Ids resolve in any letter case; near misses get suggestions.
    """

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("LLM03:2025", "LLM03:2025"),
            ("llm03:2025", "LLM03:2025"),
            ("aml.t0018", "AML.T0018"),
            ("ml06", "ML06"),
            ("nistaml.023", "NISTAML.023"),
            ("NISTAML.02", "NISTAML.02"),
            ("Supply Chain", "LLM03:2025"),
            ("Backdoor Poisoning", "NISTAML.023"),
        ],
    )
    def test_forms(self, catalog, typed, expected):
        """
        Each form people type resolves to the entry's id.
        """
        assert expected == catalog.resolve(typed).id

    def test_get_any_case(self, catalog):
        """
        get() matches an id whatever its letter case.
        """
        assert catalog.get("LLM04:2025") == catalog.get("llm04:2025")

    @pytest.mark.parametrize(
        ("typed", "nearest"),
        [("LLM3:2025", "LLM03:2025"), ("nistaml.23", "NISTAML.023")],
    )
    def test_near_miss(self, catalog, typed, nearest):
        """
        A near miss raises UnknownIdError whose first suggestion is the
        nearest id.
        """
        with pytest.raises(dsc.UnknownIdError) as info:
            catalog.resolve(typed)
        assert nearest == info.value.suggestions[0]

    def test_shared_name_asks_for_an_id(self, catalog):
        """
        A name several entries have resolves to none of them, and the
        error suggests every one's id.
        """
        with pytest.raises(dsc.UnknownIdError) as info:
            catalog.resolve("Model Poisoning")
        named = {
            e.id
            for e in (*catalog.owasp, *catalog.nist)
            if e.name == "Model Poisoning"
        }
        assert named == set(info.value.suggestions)


class TestReverseLookup:
    """
    tax.crosswalk answers the new frameworks both ways.
    """

    def test_owasp_llm(self, tax):
        """
        The records of LLM03:2025 are exactly those whose owasp_llm has it.
        """
        match = tax.crosswalk("llm03:2025")
        assert "LLM03:2025" == match.entry.id
        assert [a for a in tax.attacks if "LLM03:2025" in a.owasp_llm] == list(
            match.attacks
        )
        assert [
            d for d in tax.defenses if "LLM03:2025" in d.owasp_llm
        ] == list(match.defenses)

    def test_reasons(self, tax):
        """
        Each record matched gives its reason for the id matched.
        """
        match = tax.crosswalk("NISTAML.023")
        for rec in (*match.attacks, *match.defenses):
            assert [rec.reason("NISTAML.023")] == list(match.reasons_of(rec))

    def test_objective_covers_its_attacks(self, tax, catalog):
        """
        With subtechniques=True an objective matches the records of every
        attack class under it.
        """
        members = {c.id for c in catalog.under_objective("NISTAML.02")}
        match = tax.crosswalk("NISTAML.02", subtechniques=True)
        expected = [
            a
            for a in tax.attacks
            if members & set(a.nist_aml) or "NISTAML.02" in a.nist_aml
        ]
        assert expected == list(match.attacks)
        assert {"NISTAML.02", *members} == set(match.via)

    def test_lower_case_is_not_a_rename(self, tax):
        """
        An id asked in lower case is not reported as a former name.
        """
        assert not tax.crosswalk("llm04:2025").renamed


class TestAtlasAgainstAtlas:
    """
    The ATLAS mappings of defenses agree with ATLAS's own mitigation lists.
    """

    def test_counters_are_under_their_mitigations(self, tax, reference):
        """
        Every technique a defense counters is one that ATLAS lists under
        one of the defense's mitigations; a defense whose counter ATLAS
        has no mitigation for has no mitigation, as the reference's
        review says.
        """
        mitigates = {
            m["id"]: set(m["mitigates"]) for m in ATLAS["mitigations"]
        }
        reviews = {
            p["id"]: p.get("atlas_review", ()) for p in reference["papers"]
        }
        for defense in tax.defenses:
            allowed = set().union(
                *(mitigates[m] for m in defense.atlas_mitigations)
            )
            uncovered = set(defense.atlas_counters) - allowed
            if not uncovered:
                continue
            assert () == defense.atlas_mitigations, defense.id
            (paper,) = defense.papers
            assert any(
                r["field"] == "atlas.mitigations" for r in reviews[paper]
            ), defense.id

    def test_mitigations_are_atlas_mitigations(self, tax):
        """
        Every mitigation a defense implements exists in ATLAS 5.6.0.
        """
        known = {m["id"] for m in ATLAS["mitigations"]}
        assert set() == {
            m
            for d in tax.defenses
            for m in d.atlas_mitigations
            if m not in known
        }


class TestShow:
    """
    show lists what is mapped to an OWASP LLM or NIST entry, with reasons.
    """

    @pytest.mark.parametrize(
        "ref", ["LLM03:2025", "llm04:2025", "NISTAML.023"]
    )
    def test_lists_records_with_reasons(self, capsys, tax, ref):
        """
        Every mapped attack and defense is listed, each with its reason.
        """
        code, out, _ = run(capsys, "show", ref)
        match = tax.crosswalk(ref)
        assert 0 == code
        assert out.startswith(f"{match.entry.id} {match.entry.name} (")
        for rec in (*match.attacks, *match.defenses):
            (reason,) = match.reasons_of(rec)
            # The names are aligned: any run of spaces after the id.
            assert re.search(
                rf"\n  {re.escape(rec.id)}  +{re.escape(rec.name)}\n"
                rf"      {re.escape(reason.id)}",
                out,
            )
            assert reason.why in out

    def test_json(self, capsys, tax):
        """
        The JSON form carries every record's reasons.
        """
        code, out, _ = run(capsys, "show", "NISTAML.023", "--format", "json")
        data = json.loads(out)
        match = tax.crosswalk("NISTAML.023")
        assert 0 == code
        assert "NIST AI 100-2 E2025" == data["framework"]
        assert [
            {
                "id": a.id,
                "reasons": [
                    {"id": r.id, "why": r.why, "confidence": r.confidence}
                    for r in match.reasons_of(a)
                ],
            }
            for a in match.attacks
        ] == data["reasons"]["attacks"]

    def test_objective(self, capsys, tax):
        """
        An objective lists the records of its attack classes.
        """
        code, out, _ = run(capsys, "show", "NISTAML.02")
        wide = tax.crosswalk("NISTAML.02", subtechniques=True)
        assert 0 == code
        assert "mapped through its attack classes" in out
        for rec in wide.attacks:
            assert re.search(
                rf"\n  {re.escape(rec.id)}  +{re.escape(rec.name)}\n", out
            )

    def test_unconfirmed_name(self, capsys, catalog):
        """
        A class whose name is unconfirmed says so.
        """
        (entry, *_) = [c for c in catalog.nist if "name" in c.unverified]
        _, out, _ = run(capsys, "show", entry.id)
        assert "not confirmed from the publication: name\n" in out

    def test_near_miss(self, capsys):
        """
        A near miss of a crosswalk id is an error naming the nearest id.
        """
        code, _, err = run(capsys, "show", "LLM3:2025")
        assert 0 != code
        assert "did you mean 'LLM03:2025'" in err

    def test_record_lists_its_reasons(self, capsys, tax):
        """
        show of an attack prints each OWASP LLM and NIST id with its
        reason.
        """
        _, out, _ = run(capsys, "show", "ripple")
        for reason in tax.attack("ripple").mapping_reasons:
            assert f"  {reason.id}\n      {reason.why}\n" in out
