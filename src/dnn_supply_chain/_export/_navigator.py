"""
ATLAS Navigator layers: the taxonomy, or a threat model's coverage, on the
ATLAS matrix.

A layer has the shape of MITRE's own layers for ATLAS (for example
``atlas_layer_matrix.json`` of atlas-navigator-data): ``domain``
``"atlas-atlas"``, ``versions`` with the layer format ``LAYER_VERSION``
(4.3) and the Navigator version ``NAVIGATOR_VERSION`` those layers name,
``metadata`` naming the ATLAS release, and one entry of ``techniques`` per
technique and tactic: ``techniqueID`` an ATLAS technique or sub-technique
id of the pinned release, ``tactic`` the tactic's short name as ATLAS's
STIX bundle gives it (``"persistence"``); a sub-technique has its parent's
tactics, as in ATLAS.  Only ids that the pinned ATLAS release has are
written; a parent technique of a mapped sub-technique gets an entry with
``showSubtechniques`` so that the Navigator shows it unfolded.

- :func:`render` (``export --format navigator``): each technique the
  attacks realise, ``score`` the number of those attacks, ``comment``
  their ids and names; a gradient from ``score`` 1 to the highest.
- :func:`coverage_layer` (``check FILE --format navigator``): each
  technique the attacks in the threat model's scope realise, coloured by
  the worst status of those attacks (``COVERAGE_COLOURS``), with a legend,
  and each attack's status in the comment.

The output is deterministic: entries in matrix order of the tactics, then
catalogue order of the techniques; keys sorted.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING, Any, Final

from dnn_supply_chain.crosswalk import load_crosswalk


if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from dnn_supply_chain._records import Attack
    from dnn_supply_chain._taxonomy import Taxonomy
    from dnn_supply_chain.threat_model import CoverageReport


__all__ = [
    "COVERAGE_COLOURS",
    "DOMAIN",
    "LAYER_VERSION",
    "NAVIGATOR_VERSION",
    "coverage_layer",
    "render",
    "render_coverage",
    "taxonomy_layer",
]

#: The Navigator domain of ATLAS layers.
DOMAIN: Final = "atlas-atlas"

#: The layer format version, as MITRE's ATLAS layers for 5.6.0 write it.
LAYER_VERSION: Final = "4.3"

#: The ATLAS Navigator version MITRE's ATLAS layers for 5.6.0 name.
NAVIGATOR_VERSION: Final = "4.6.4"

#: The colour of a technique in a coverage layer, by the worst status of
#: its attacks, worst first, with the legend's label of each.
COVERAGE_COLOURS: Final = {
    "gap": ("#e60d0d", "gap: an attack in scope that no threat considers"),
    "open": (
        "#ff9f1c",
        "open: considered, but no mitigation has counter evidence against it",
    ),
    "supported": (
        "#31a354",
        "considered, with a mitigation that has counter evidence against it",
    ),
    "not-applicable": (
        "#bdbdbd",
        "not applicable: outside the threat model's modalities",
    ),
}

_SCORE_COLOURS: Final = ["#fff7bc", "#fec44f", "#d95f0e"]


def _entries(
    by_technique: Mapping[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """
    The layer's technique entries: one per technique of *by_technique*
    and tactic, and one per tactic of the parent of a sub-technique there,
    in matrix order of the tactics, then catalogue order.
    """
    catalog = load_crosswalk()
    parents = {
        t.subtechnique_of
        for t in catalog.techniques
        if t.id in by_technique and t.subtechnique_of is not None
    }
    found = []
    for tactic in catalog.tactics:
        for technique in catalog.techniques:
            if (
                technique.id not in by_technique
                and technique.id not in parents
            ):
                continue
            if tactic not in catalog.tactics_of(technique.id):
                continue
            entry: dict[str, Any] = {
                "techniqueID": technique.id,
                "tactic": tactic.shortname,
                "enabled": True,
            }
            entry.update(by_technique.get(technique.id, {}))
            if technique.id in parents:
                entry["showSubtechniques"] = True
            found.append(entry)
    return found


def _layer(
    name: str,
    description: str,
    entries: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    catalog = load_crosswalk()
    return {
        "name": name,
        "versions": {"layer": LAYER_VERSION, "navigator": NAVIGATOR_VERSION},
        "domain": DOMAIN,
        "description": description,
        "metadata": [
            {"name": "atlas_data_version", "value": catalog.atlas_version},
            {"name": "generated_by", "value": "dnn-supply-chain"},
        ],
        "techniques": entries,
        **extra,
    }


def _known(attacks: Iterable[Attack]) -> dict[str, list[Attack]]:
    """
    The attacks of *attacks* by each technique they realise that the
    pinned ATLAS release has, in taxonomy order.
    """
    catalog = load_crosswalk()
    found: dict[str, list[Attack]] = {}
    for attack in attacks:
        for technique in attack.atlas_techniques:
            if catalog.current_name(technique) is not None:
                found.setdefault(technique, []).append(attack)
    return found


def taxonomy_layer(taxonomy: Taxonomy) -> dict[str, Any]:
    """
    Return the layer of *taxonomy*: each ATLAS technique its attacks
    realise, scored by how many, the attacks in its comment.

    .. versionadded:: 0.2.0
    """
    by_technique = _known(taxonomy.attacks)
    scored = {
        technique: {
            "score": len(attacks),
            "comment": "attacks: "
            + "; ".join(f"{a.id} ({a.name})" for a in attacks),
        }
        for technique, attacks in by_technique.items()
    }
    high = max((len(a) for a in by_technique.values()), default=1)
    return _layer(
        "dnn-supply-chain: attacks on the DNN supply chain",
        (
            "The ATLAS techniques the attacks of the taxonomy realise, "
            "scored by how many attacks realise each (curated crosswalk, "
            "not an official MITRE mapping)."
        ),
        _entries(scored),
        gradient={"colors": _SCORE_COLOURS, "minValue": 0, "maxValue": high},
        legendItems=[],
        sorting=3,
        hideDisabled=False,
    )


def render(taxonomy: Taxonomy) -> str:
    """
    Return the layer of *taxonomy* as JSON text (``export --format
    navigator``).

    .. versionadded:: 0.2.0
    """
    return _dumps(taxonomy_layer(taxonomy))


def render_coverage(report: CoverageReport, taxonomy: Taxonomy) -> str:
    """
    Return the coverage layer of *report* as JSON text (``check FILE
    --format navigator``).

    .. versionadded:: 0.2.0
    """
    return _dumps(coverage_layer(report, taxonomy))


def _dumps(layer: Mapping[str, Any]) -> str:
    """
    Return *layer* as the JSON text of a layer file.
    """
    return (
        json.dumps(layer, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def coverage_layer(
    report: CoverageReport, taxonomy: Taxonomy
) -> dict[str, Any]:
    """
    Return the layer of a threat model's coverage: each technique that the
    attacks in its scope realise, coloured by the worst status of those
    attacks (:data:`COVERAGE_COLOURS`), each attack's status in the
    comment.

    .. versionadded:: 0.2.0
    """
    statuses = report.attack_statuses()
    order = list(COVERAGE_COLOURS)
    in_scope = [a for a in taxonomy.attacks if a.id in statuses]
    coloured = {}
    for technique, attacks in _known(in_scope).items():
        worst = min((statuses[a.id] for a in attacks), key=order.index)
        coloured[technique] = {
            "color": COVERAGE_COLOURS[worst][0],
            "comment": "; ".join(f"{a.id}: {statuses[a.id]}" for a in attacks),
            "metadata": [{"name": "status", "value": worst}],
        }
    return _layer(
        f"dnn-supply-chain coverage: {report.model.name}",
        (
            "The ATLAS techniques of the attacks in the threat model's "
            f"scope, by the worst status of their attacks (counter evidence "
            f"at basis {report.basis} or stronger counts as support)."
        ),
        _entries(coloured),
        legendItems=[
            {"label": label, "color": colour}
            for colour, label in COVERAGE_COLOURS.values()
        ],
        sorting=0,
        hideDisabled=False,
    )
