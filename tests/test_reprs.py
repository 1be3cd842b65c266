"""
Reprs and notebook tables: short, informative, and escaped.
"""

from __future__ import annotations

import html.parser

import attrs
import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import threat_model as tm
from dnn_supply_chain.crosswalk import load_crosswalk


LONGEST = 200


class _Checker(html.parser.HTMLParser):
    """
    Checks that tags nest and close, and that no script or handler is in.
    """

    VOID = frozenset({"br", "hr", "img"})

    def __init__(self):
        super().__init__()
        self.open = []
        self.text = []

    def handle_starttag(self, tag, attrs_):
        assert tag not in ("script", "style", "iframe"), tag
        assert not [a for a, _ in attrs_ if a.startswith("on")], attrs_
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open, tag
        assert tag == self.open.pop(), tag

    def handle_data(self, data):
        self.text.append(data)


def well_formed(markup):
    """
    Parse *markup*, check it, and return its text.
    """
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert [] == checker.open
    return "".join(checker.text)


@pytest.fixture(name="report", scope="module")
def _report(tax):
    model = tm.starter_threat_model(None, tax, name="<b>Phone & co</b>")
    return tm.coverage_report(model, tax)


class TestTaxonomy:
    """
    A taxonomy's repr counts what it holds.
    """

    def test_bundled(self, tax):
        """
        The bundled taxonomy's repr is exactly its counts.
        """
        loaded = sum(e.status == "loaded" for e in tax.extensions)
        expected = (
            f"<Taxonomy {len(tax.stages)} stages, {len(tax.attacks)} attacks,"
            f" {len(tax.defenses)} defenses, {len(tax.papers)} papers, "
            f"{loaded} extension{'' if loaded == 1 else 's'}>"
        )
        assert expected == repr(tax)

    def test_singular(self, tax):
        """
        Counts of one are singular.
        """
        stage = tax.stages[0]
        small = dsc.Taxonomy(stages=(attrs.evolve(stage, next=()),))
        assert (
            "<Taxonomy 1 stage, 0 attacks, 0 defenses, 0 papers, "
            "0 extensions>" == repr(small)
        )

    def test_one_extension(self, tax):
        """
        A loaded extension counts; one that was skipped does not.
        """
        info = dsc.ExtensionInfo(
            name="x", distribution="x", version="1", value="x:y"
        )
        changed = tax._evolve(
            extensions=(
                attrs.evolve(info, status="loaded"),
                attrs.evolve(info, name="y", status="skipped"),
            )
        )
        assert repr(changed).endswith(", 1 extension>")

    def test_html(self, tax):
        """
        The notebook table has a row per stage and a total.
        """
        markup = tax._repr_html_()
        text = well_formed(markup)
        assert markup.count("<tr>") == len(tax.stages) + 2
        for stage in tax.stages:
            assert stage.name in text
        assert str(len(tax.attacks)) in text


class TestSearchHit:
    """
    A search hit's repr names its record, not the whole record.
    """

    def test_repr(self, tax):
        """
        id, kind and score, and nothing of the record's summary.
        """
        hit = tax.search("BadEncoder", limit=1)[0]
        assert ("badencoder", "attack") == (hit.id, hit.kind)
        assert repr(hit) == (
            f"SearchHit(id='badencoder', kind='attack', score={hit.score!r})"
        )

    def test_results_short(self, tax):
        """
        A whole page of results stays short.
        """
        hits = tax.search("backdoor")
        assert 20 == len(hits)
        assert len(repr(hits)) <= 20 * 80
        for hit in hits:
            assert len(repr(hit)) <= LONGEST


class TestReports:
    """
    Report types name their subject and count what they hold.
    """

    def test_coverage_report(self, report):
        """
        The model's name, the stages, the gaps and the mitigations.
        """
        text = repr(report)
        assert len(text) <= LONGEST
        assert text.startswith("<CoverageReport '<b>Phone & co</b>': 4 stages")
        assert f"{report.gap_count} gaps" in text

    def test_parts_short(self, report):
        """
        Every part of a report has a short repr naming its record.
        """
        parts = [
            *report.stages,
            *report.mitigations,
            *report.suggestions,
            *report.not_applicable,
            *(d for s in report.suggestions for d in s.defenses),
        ]
        assert parts
        for part in parts:
            text = repr(part)
            assert len(text) <= LONGEST, text
            assert text.startswith(f"<{type(part).__name__} '")

    def test_stage_coverage_counts(self, report):
        """
        A stage's repr counts its attacks and their coverage.
        """
        stage = report.stages[0]
        assert repr(stage) == (
            f"<StageCoverage {stage.stage.id!r}: {len(stage.attacks)} attacks,"
            f" {len(stage.considered)} considered, "
            f"{len(stage.not_considered)} not considered, "
            f"{len(stage.not_applicable)} not applicable>"
        )

    def test_html_escaped(self, report):
        """
        The notebook table escapes the model's name and has a row per
        stage.
        """
        markup = report._repr_html_()
        assert "<b>" not in markup
        assert "&lt;b&gt;Phone &amp; co&lt;/b&gt;" in markup
        text = well_formed(markup)
        assert "<b>Phone & co</b>" in text
        assert markup.count("<tr>") == len(report.stages) + 1

    def test_crosswalk(self, tax):
        """
        A crosswalk match and the catalogue count, not list.
        """
        match = tax.crosswalk("AML.T0018")
        assert repr(match).startswith("<CrosswalkMatch 'AML.T0018' ")
        assert f"{len(match.attacks)} attacks" in repr(match)
        catalog = load_crosswalk()
        assert len(repr(catalog)) <= LONGEST
        assert f"{len(catalog.techniques)} techniques" in repr(catalog)


class TestRecords:
    """
    Records keep their attrs reprs, which stay of a readable size.
    """

    def test_records_keep_attrs_repr(self, tax):
        """
        A record's repr shows its fields, and is at most a few thousand
        characters.
        """
        atk = tax.attack("ripple")
        assert repr(atk).startswith("Attack(id='ripple', name=")
        for rec in (*tax.attacks, *tax.defenses, *tax.papers):
            assert len(repr(rec)) < 4000
