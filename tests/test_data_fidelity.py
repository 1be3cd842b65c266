"""
The bundled data agrees with the reference (reference/papers.json), entry
by entry.
"""

from __future__ import annotations

import importlib.util
import json

from importlib.resources import files

import pytest

import dnn_supply_chain as dsc

from conftest import REFERENCE, ROOT


PAPER_FIELDS = (
    "title",
    "authors",
    "venue",
    "venue_short",
    "year",
    "pages",
    "doi",
    "arxiv",
    "url",
    "code",
)
REFERENCE_PAPERS = json.loads(REFERENCE.read_text(encoding="utf-8"))["papers"]


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


class TestCounts:
    """
    The taxonomy has the survey's shape.
    """

    def test_counts(self, tax):
        """
        4 stages, 4 categories, 42 attacks, 18 defenses, 60 papers + survey.
        """
        assert (4, 4, 42, 18, 61) == (
            len(tax.stages),
            len(tax.categories),
            len(tax.attacks),
            len(tax.defenses),
            len(tax.papers),
        )

    def test_stage_ids_in_lifecycle_order(self, tax):
        """
        Stages come in lifecycle order with the contract's ids.
        """
        assert ["design", "secondary-development", "deployment", "usage"] == [
            s.id for s in tax.stages
        ]

    def test_lifecycle_dag(self, tax):
        """
        design -> secondary-development -> deployment and usage; deployment
        -> usage.
        """
        assert {
            "design": ("secondary-development",),
            "secondary-development": ("deployment", "usage"),
            "deployment": ("usage",),
            "usage": (),
        } == {s.id: s.next for s in tax.stages}

    def test_categories(self, tax, reference):
        """
        Categories carry the survey's names, English and Chinese.
        """
        expected = [
            (c["id"], c["stage"], c["name"], c["name_zh"])
            for c in reference["attack_categories"]
        ]
        assert expected == [
            (c.id, c.stage, c.name, c.name_zh) for c in tax.categories
        ]

    def test_stage_names(self, tax, reference):
        """
        Stages carry the survey's names, actors, artefacts and operations.
        """
        expected = [
            (
                s["id"],
                s["name"],
                s["name_zh"],
                s["actors"],
                s["artefacts"],
                s["operations"],
            )
            for s in reference["stages"]
        ]
        assert expected == [
            (
                s.id,
                s.name,
                s.name_zh,
                list(s.actors),
                list(s.artefacts),
                list(s.operations),
            )
            for s in tax.stages
        ]

    def test_vocabulary(self, tax, reference):
        """
        The threat-type vocabulary is the reference's.
        """
        assert reference["threat_type_vocabulary"] == list(
            tax.vocabulary.threat_types
        )


@pytest.mark.parametrize("ref", REFERENCE_PAPERS, ids=lambda p: p["id"])
class TestEveryPaper:
    """
    Every reference paper is bundled with the same facts and placement.
    """

    def test_facts(self, tax, ref):
        """
        Title, authors, venue, year, pages, DOI, arXiv, URL and code match.
        """
        paper = tax.paper(ref["id"])
        assert {f: ref[f] for f in PAPER_FIELDS} == {
            f: _plain(getattr(paper, f)) for f in PAPER_FIELDS
        }

    def test_unverified_fields_are_empty(self, tax, ref):
        """
        A field the reference could not verify stays empty.
        """
        paper = tax.paper(ref["id"])
        assert dict.fromkeys(ref["unverified_fields"]) == {
            f: getattr(paper, f) for f in ref["unverified_fields"]
        }

    def test_placement(self, tax, ref):
        """
        The paper's record sits under the survey's stage, role and category.
        """
        survey = ref["survey"]
        (record,) = tax.records_of(ref["id"])
        assert (survey["stage"], survey["role"], survey["category"]) == (
            record.stage,
            tax.kind_of(record.id),
            getattr(record, "category", None),
        )
        assert record.papers[0] == ref["id"]

    def test_classification(self, tax, ref):
        """
        Threat types, modalities, summary, access and crosswalk are copied.
        """
        (record,) = tax.records_of(ref["id"])
        atlas = ref["atlas"]
        owasp = [o["id"] for o in ref["owasp_ml_2023"]]
        assert ref["modalities"] == list(record.modalities)
        assert ref["summary"] == record.summary
        assert owasp == list(record.owasp_ml)
        if isinstance(record, dsc.Attack):
            assert ref["threat_types"] == list(record.threat_types)
            assert ref["attacker_access"] == record.attacker_access
            assert [t["id"] for t in atlas["techniques"]] == list(
                record.atlas_techniques
            )
        else:
            assert ref["defender_access"] == record.defender_access
            assert [m["id"] for m in atlas["mitigations"]] == list(
                record.atlas_mitigations
            )
            assert [t["id"] for t in atlas["counters"]] == list(
                record.atlas_counters
            )
            vocabulary = set(tax.vocabulary.threat_types)
            literal = [c for c in ref["counters"] if c in vocabulary]
            assert set(literal) <= set(record.counters)
            assert set(record.counters) <= vocabulary

    def test_owasp_llm_and_nist_mappings(self, tax, ref):
        """
        Every OWASP LLM 2025 and NIST AI 100-2 mapping of the reference is
        on the paper's record, in order, with its reason and confidence.
        """
        (record,) = tax.records_of(ref["id"])
        llm, nist = ref["owasp_llm_2025"], ref["nist_ai_100_2_e2025"]
        assert [m["id"] for m in llm] == list(record.owasp_llm)
        assert [m["id"] for m in nist] == list(record.nist_aml)
        assert [
            (m["id"], m["why"], m.get("confidence")) for m in (*llm, *nist)
        ] == [(r.id, r.why, r.confidence) for r in record.mapping_reasons]

    def test_listing(self, tax, ref):
        """
        The survey's own listing of the paper is kept as listed.
        """
        survey = ref["survey"]
        listing = tax.paper(ref["id"]).listing
        assert listing is not None
        assert (
            survey["section_zh"],
            survey["subsection_zh"],
            survey["index"],
            survey["title_as_listed"],
            survey["venue_as_listed"],
            survey["year_as_listed"],
            survey["paper_url"],
            survey["code_url"],
        ) == (
            listing.section_zh,
            listing.subsection_zh,
            listing.index,
            listing.title,
            listing.venue,
            listing.year,
            listing.paper_url,
            listing.code_url,
        )


class TestSurveyPaper:
    """
    The survey itself is a paper of the taxonomy.
    """

    def test_survey_paper(self, tax, reference):
        """
        Its facts come from the reference; unverified ones stay empty.
        """
        ref = reference["survey_paper"]
        paper = tax.survey_paper
        assert paper is not None
        assert (ref["id"], ref["title"], ref["authors"], ref["doi"]) == (
            paper.id,
            paper.title,
            list(paper.authors),
            paper.doi,
        )
        assert None is paper.year
        assert None is paper.pages
        assert None is paper.listing


class TestGeneratedFile:
    """
    The shipped file is what the build script makes of the reference.
    """

    def test_not_stale(self):
        """
        Regenerating the data file from the reference changes nothing.
        """
        spec = importlib.util.spec_from_file_location(
            "build_data", ROOT / "scripts" / "build_data.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        shipped = (
            files("dnn_supply_chain") / "data" / "taxonomy.json"
        ).read_text(encoding="utf-8")
        assert module.render(REFERENCE) == shipped

    def test_every_attack_and_defense_has_a_distinct_name(self, tax):
        """
        Names identify techniques: no two records share one.
        """
        names = [r.name for r in (*tax.attacks, *tax.defenses)]
        assert len(names) == len(set(names))
