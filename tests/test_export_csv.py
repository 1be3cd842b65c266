"""
The CSV export, read back with csv.DictReader.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain._export import export
from dnn_supply_chain._export._csv import COLUMNS, render
from dnn_supply_chain._records import BASES


def read(text):
    """
    The rows of the CSV *text*, as dicts.
    """
    return list(csv.DictReader(io.StringIO(text, newline="")))


def split(cell):
    """
    The values of a multi-valued *cell*.
    """
    return tuple(cell.split("; ")) if cell else ()


@pytest.fixture(name="tax", scope="module")
def _tax():
    return dsc.load(extensions=False)


@pytest.fixture(name="text", scope="module")
def _text(tax):
    return render(tax)


@pytest.fixture(name="rows", scope="module")
def _rows(text):
    return {row["id"]: row for row in read(text)}


class TestBundled:
    """
    The bundled taxonomy exports one faithful row per attack and defense.
    """

    def test_header(self, text):
        """
        The first line names the columns.
        """
        assert ",".join(COLUMNS) == text.split("\n", 1)[0]

    def test_one_row_per_record(self, tax, text):
        """
        Attacks come first, then defenses, in taxonomy order.
        """
        rows = read(text)
        assert 60 == len(rows)
        assert [r.id for r in (*tax.attacks, *tax.defenses)] == [
            row["id"] for row in rows
        ]
        assert ["attack"] * 42 + ["defense"] * 18 == [
            row["kind"] for row in rows
        ]

    def test_ripple(self, rows):
        """
        The row of an attack holds its fields.
        """
        assert {
            "id": "ripple",
            "kind": "attack",
            "name": "RIPPLe weight poisoning",
            "stage": "design",
            "category": "downstream-task-related",
            "threat_types": "weight poisoning; backdoor",
            "attacks": "",
            "bases": "",
            "modalities": "NLP",
            "papers": "kurita2020weight",
            "dois": "10.18653/v1/2020.acl-main.249",
            "atlas_techniques": "AML.T0010.003; AML.T0058; AML.T0018.000; AML.T0043.004",
            "atlas_mitigations": "",
            "owasp_ml": "ML10; ML07; ML06",
            "source": "bundled",
        } == rows["ripple"]

    def test_decree(self, tax, rows):
        """
        The row of a defense holds the attacks it has evidence against,
        strongest first, with their bases, and its mitigations.
        """
        links = tax.counter_evidence(defense="decree")
        assert {
            "id": "decree",
            "kind": "defense",
            "name": "DECREE",
            "stage": "design",
            "category": "",
            "threat_types": "backdoor; weight poisoning",
            "attacks": "; ".join(link.attack for link in links),
            "bases": "; ".join(link.basis for link in links),
            "modalities": "vision; multimodal",
            "papers": "feng2023detecting",
            "dois": "",
            "atlas_techniques": "AML.T0018.000; AML.T0010.003; AML.T0043.004",
            "atlas_mitigations": "AML.M0008",
            "owasp_ml": "ML10; ML06",
            "source": "bundled",
        } == rows["decree"]
        assert "badencoder" == split(rows["decree"]["attacks"])[0]

    def test_reference_links(self, tax, rows, reference):
        """
        The attacks and bases of the defenses' rows are the reference's
        counter evidence, pair for pair.
        """

        def record_of(paper):
            (record,) = tax.records_of(paper)
            return record.id

        expected = {
            (record_of(link["defense"]), record_of(link["attack"])): link[
                "basis"
            ]
            for link in reference["counter_evidence"]["links"]
        }
        found = {
            (defense.id, attack): basis
            for defense in tax.defenses
            for attack, basis in zip(
                split(rows[defense.id]["attacks"]),
                split(rows[defense.id]["bases"]),
                strict=True,
            )
        }
        assert expected == found

    def test_bases_strongest_first(self, tax, rows):
        """
        A defense's attacks come strongest basis first.
        """
        for defense in tax.defenses:
            ranks = [BASES.index(b) for b in split(rows[defense.id]["bases"])]
            assert sorted(ranks) == ranks

    def test_same_pairs_as_stix(self, tax, rows):
        """
        The defenses' attacks are exactly the STIX mitigates relationships.
        """
        bundle = json.loads(export(tax, "stix"))
        by_stix_id = {
            o["id"]: ref["external_id"]
            for o in bundle["objects"]
            if o["type"] in ("attack-pattern", "course-of-action")
            for ref in o["external_references"]
            if ref["source_name"] == "dnn-supply-chain"
        }
        relationships = {
            (by_stix_id[o["source_ref"]], by_stix_id[o["target_ref"]])
            for o in bundle["objects"]
            if o["type"] == "relationship"
        }
        assert relationships == {
            (defense.id, attack)
            for defense in tax.defenses
            for attack in split(rows[defense.id]["attacks"])
        }

    def test_attack_cells_split_back(self, tax, rows):
        """
        Every multi-valued cell of an attack splits back into its tuple.
        """
        for attack in tax.attacks:
            row = rows[attack.id]
            assert (attack.category or "") == row["category"]
            assert attack.threat_types == split(row["threat_types"])
            assert attack.modalities == split(row["modalities"])
            assert attack.papers == split(row["papers"])
            assert attack.atlas_techniques == split(row["atlas_techniques"])
            assert () == split(row["atlas_mitigations"])
            assert () == split(row["attacks"])
            assert () == split(row["bases"])
            assert attack.owasp_ml == split(row["owasp_ml"])

    def test_defense_cells_split_back(self, tax, rows):
        """
        Every multi-valued cell of a defense splits back into its tuple.
        """
        for defense in tax.defenses:
            row = rows[defense.id]
            assert "" == row["category"]
            assert defense.counters == split(row["threat_types"])
            links = tax.counter_evidence(defense=defense.id)
            assert tuple(link.attack for link in links) == split(
                row["attacks"]
            )
            assert tuple(link.basis for link in links) == split(row["bases"])
            assert defense.modalities == split(row["modalities"])
            assert defense.papers == split(row["papers"])
            assert defense.atlas_counters == split(row["atlas_techniques"])
            assert defense.atlas_mitigations == split(row["atlas_mitigations"])
            assert defense.owasp_ml == split(row["owasp_ml"])

    def test_dois(self, tax, rows):
        """
        The DOIs are those of the record's papers that have one, in order.
        """
        for record in (*tax.attacks, *tax.defenses):
            expected = tuple(
                p.doi for p in tax.papers_of(record.id) if p.doi is not None
            )
            assert expected == split(rows[record.id]["dois"])

    def test_uncategorised(self, rows):
        """
        An attack the survey gives no category has an empty category cell.
        """
        assert "" == rows["pii-leakage"]["category"]

    def test_line_endings(self, text):
        """
        Lines end with a bare newline, the last one too.
        """
        assert "\r" not in text
        assert text.endswith("bundled\n")
        assert 61 == text.count("\n")

    def test_deterministic(self, tax, text):
        """
        Rendering again, or from an equal taxonomy, gives the same text.
        """
        assert text == render(tax)
        assert text == render(
            dsc.taxonomy_from_dict(dsc.taxonomy_to_dict(tax))
        )

    def test_dispatcher(self, tax, text):
        """
        export(tax, "csv") is this format.
        """
        assert text == export(tax, "csv")


class TestEdgeCases:
    """
    Unusual values survive, and provenance shows.
    """

    def test_quoting(self, tax):
        """
        Commas, quotes, newlines and non-ASCII in a cell read back.
        """
        name = 'Zoë\'s "attack", part 1\nand 2'
        data = dsc.taxonomy_to_dict(tax)
        data["attacks"][0]["name"] = name
        rows = read(render(dsc.taxonomy_from_dict(data)))
        assert name == rows[0]["name"]
        assert 60 == len(rows)

    def test_extension_source(self, tax):
        """
        A record an extension adds names its distribution as its source.
        """
        data = dsc.taxonomy_to_dict(tax)
        added = dict(data["attacks"][0], id="acme:ripple-copy")
        data["attacks"].append(added)
        data["provenance"] = {
            "acme:ripple-copy": {
                "source": "acme-threats",
                "version": "1.0",
                "extension": "acme",
            }
        }
        rows = read(render(dsc.taxonomy_from_dict(data)))
        assert ("acme:ripple-copy", "attack", "acme-threats") == (
            rows[42]["id"],
            rows[42]["kind"],
            rows[42]["source"],
        )
        assert "bundled" == rows[0]["source"]

    def test_empty(self):
        """
        A taxonomy without attacks or defenses exports only the header.
        """
        assert ",".join(COLUMNS) + "\n" == render(dsc.Taxonomy(stages=()))
