"""
ATLAS Navigator layers: the taxonomy (export --format navigator) and a
threat model's coverage (check FILE --format navigator), in the shape of
MITRE's own ATLAS layers.
"""

from __future__ import annotations

import json

import attrs
import pytest

import dnn_supply_chain as dsc

from conftest import ROOT
from dnn_supply_chain._export import _navigator
from dnn_supply_chain.cli import main
from dnn_supply_chain.threat_model import coverage_report, starter_threat_model


MITRE_LAYER = json.loads(
    (ROOT / "reference" / "atlas-5.6.0-navigator-layer.json").read_text(
        "utf-8"
    )
)
ATLAS_STIX = json.loads(
    (ROOT / "reference" / "atlas-5.6.0.stix.json").read_text("utf-8")
)


def stix_pairs():
    """
    Every (technique id, tactic short name) pair of ATLAS's STIX bundle.
    """
    return {
        (ref["external_id"], phase["phase_name"])
        for obj in ATLAS_STIX["objects"]
        if obj["type"] == "attack-pattern"
        for ref in obj["external_references"]
        if ref.get("source_name") == "mitre-atlas"
        for phase in obj.get("kill_chain_phases", ())
        if phase["kill_chain_name"] == "mitre-atlas"
    }


@pytest.fixture(name="layer", scope="module")
def _layer(tax):
    return json.loads(dsc.export(tax, "navigator"))


@pytest.fixture(name="report", scope="module")
def _report(tax):
    # A starter model (every threat open) without its first threat, whose
    # attack is then a gap.
    model = starter_threat_model(["design", "deployment"], tax, name="Mine")
    model = attrs.evolve(model, threats=model.threats[1:])
    return coverage_report(model, tax)


@pytest.fixture(name="coverage", scope="module")
def _coverage(report, tax):
    return _navigator.coverage_layer(report, tax)


def assert_mitre_shape(layer):
    assert MITRE_LAYER["domain"] == layer["domain"]
    assert MITRE_LAYER["versions"] == layer["versions"]
    assert {"name": "atlas_data_version", "value": "5.6.0"} in layer[
        "metadata"
    ]
    assert set() == {"name", "versions", "domain", "techniques"} - set(layer)
    for entry in layer["techniques"]:
        assert isinstance(entry["techniqueID"], str)
        assert isinstance(entry["tactic"], str)
    pairs = [(e["techniqueID"], e["tactic"]) for e in layer["techniques"]]
    assert len(set(pairs)) == len(pairs)
    assert set() == set(pairs) - stix_pairs()


class TestTaxonomyLayer:
    """
    export --format navigator: the techniques the attacks realise.
    """

    def test_shape(self, layer):
        """
        The layer has MITRE's layer shape and only valid technique and
        tactic pairs of ATLAS 5.6.0.
        """
        assert_mitre_shape(layer)

    def test_every_technique_and_tactic(self, tax, layer):
        """
        Every technique an attack realises has an entry for each of its
        tactics in ATLAS's STIX bundle.
        """
        realised = {t for a in tax.attacks for t in a.atlas_techniques}
        expected = {(t, tactic) for t, tactic in stix_pairs() if t in realised}
        assert expected == {
            (e["techniqueID"], e["tactic"])
            for e in layer["techniques"]
            if "score" in e
        }

    def test_score_and_comment(self, tax, layer):
        """
        An entry's score is the number of attacks realising the technique,
        and its comment names them.
        """
        for entry in layer["techniques"]:
            if "score" not in entry:
                continue
            attacks = [
                a
                for a in tax.attacks
                if entry["techniqueID"] in a.atlas_techniques
            ]
            assert len(attacks) == entry["score"]
            for attack in attacks:
                assert f"{attack.id} ({attack.name})" in entry["comment"]

    def test_parents_unfolded(self, layer):
        """
        The parent of a scored sub-technique is there, unfolded.
        """
        scored = {
            e["techniqueID"] for e in layer["techniques"] if "score" in e
        }
        parents = {t.rsplit(".", 1)[0] for t in scored if t.count(".") == 2}
        assert parents == {
            e["techniqueID"]
            for e in layer["techniques"]
            if e.get("showSubtechniques")
        } | (parents & scored)

    def test_deterministic(self, tax):
        """
        Two exports give the same text.
        """
        assert dsc.export(tax, "navigator") == dsc.export(tax, "navigator")

    def test_cli(self, capsys, layer):
        """
        The command writes the same layer.
        """
        assert 0 == main(["export", "--format", "navigator"])
        assert layer == json.loads(capsys.readouterr().out)


class TestCoverageLayer:
    """
    check FILE --format navigator: the threat model's coverage.
    """

    def test_shape(self, coverage):
        """
        The coverage layer has MITRE's layer shape and a legend of every
        status colour.
        """
        assert_mitre_shape(coverage)
        assert [
            {"label": label, "color": colour}
            for colour, label in _navigator.COVERAGE_COLOURS.values()
        ] == coverage["legendItems"]

    def test_colour_is_worst_status(self, report, coverage):
        """
        A technique is a gap when an attack realising it is in scope but
        considered by no threat, and its colour says so.
        """
        gaps = {
            t
            for stage in report.stages
            for attack in stage.not_considered
            for t in attack.atlas_techniques
        }
        assert gaps
        colour = {
            e["techniqueID"]: e.get("color") for e in coverage["techniques"]
        }
        for technique in gaps:
            assert _navigator.COVERAGE_COLOURS["gap"][0] == colour[technique]

    def test_starter_is_open(self, coverage):
        """
        Every technique of a starter model (every threat open, no
        mitigation) is open or a gap, none mitigated.
        """
        statuses = {
            m["value"]
            for e in coverage["techniques"]
            for m in e.get("metadata", ())
            if m["name"] == "status"
        }
        assert {"open"} == statuses - {"gap", "not-applicable"}

    def test_only_techniques_in_scope(self, tax, report, coverage):
        """
        Only techniques of attacks in the model's stages are coloured.
        """
        stages = {s.stage.id for s in report.stages}
        in_scope = {
            t
            for a in tax.attacks
            if a.stage in stages
            for t in a.atlas_techniques
        }
        assert (
            set()
            == {
                e["techniqueID"]
                for e in coverage["techniques"]
                if "color" in e
            }
            - in_scope
        )

    def test_cli(self, capsys):
        """
        check --format navigator writes the layer (exit as the policy).
        """
        code = main(["check", "--example", "--format", "navigator"])
        layer = json.loads(capsys.readouterr().out)
        assert code in (0, 1)
        assert_mitre_shape(layer)
