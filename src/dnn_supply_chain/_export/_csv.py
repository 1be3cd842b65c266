"""
CSV: one row for every attack and every defense, for spreadsheets and
data frames.

The attacks come first, then the defenses, each in taxonomy order.  The
first row names the columns; lines end with ``\\n``, and fields are quoted
only where they must be (``csv.QUOTE_MINIMAL``).  A cell that holds
several values joins them with ``"; "``, in the record's order, and
splits back with ``cell.split("; ")``; an empty cell means the record has
none.  (Ids, DOIs and the ATLAS and OWASP ids never contain ``"; "``; a
vocabulary term holding it, which only an extension could add, would not
split back.)

``id``
    The record's id.
``kind``
    ``attack`` or ``defense``.
``name``
    The technique's name.
``stage``
    The id of the stage it targets (attacks) or protects (defenses).
``category``
    The id of the attack's sub-category; empty for attacks the survey
    gives none, and for defenses.
``threat_types``
    The attack's threat types, or the threat types a defense counters.
``attacks``
    The ids of the attacks a defense has counter evidence against,
    strongest basis first (see
    :meth:`~dnn_supply_chain.Taxonomy.counter_evidence`): the same pairs
    as the ``mitigates`` relationships of the STIX export.  A shared
    threat type adds none.  Empty for attacks, and for a defense with no
    evidence against any attack.
``bases``
    The basis of each of those links (``evaluated``, ``claimed`` or
    ``mechanism``), in the same order as ``attacks``.
``modalities``
    The data modalities.
``papers``
    The ids of the record's papers; the first introduced it.
``dois``
    The DOIs of those papers that have one, in the same order.
``atlas_techniques``
    MITRE ATLAS technique ids: those an attack uses, or those a defense
    works against.
``atlas_mitigations``
    MITRE ATLAS mitigation ids of a defense; empty for attacks.
``owasp_ml``
    OWASP Machine Learning Top 10 (2023) ids.
``source``
    Where the record comes from: ``bundled``, or the name of the
    distribution whose extension adds it.
"""

from __future__ import annotations

import csv
import io

from typing import TYPE_CHECKING, Final

from dnn_supply_chain._records import Attack


if TYPE_CHECKING:
    from collections.abc import Iterable

    from dnn_supply_chain._records import CounterEvidence, Defense
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["COLUMNS", "FORMULA_STARTS", "SEPARATOR", "render"]

#: The columns, in order.
COLUMNS: Final = (
    "id",
    "kind",
    "name",
    "stage",
    "category",
    "threat_types",
    "attacks",
    "bases",
    "modalities",
    "papers",
    "dois",
    "atlas_techniques",
    "atlas_mitigations",
    "owasp_ml",
    "source",
)

#: What joins the values of a cell that holds several.
SEPARATOR: Final = "; "


#: What a cell must not start with, lest a spreadsheet read it as a
#: formula (the OWASP CSV-injection rule): such a cell gets a leading ``'``.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def render(taxonomy: Taxonomy) -> str:
    """
    Return the attacks and defenses of *taxonomy* as CSV, with a header.

    A cell that starts with a formula character (:data:`FORMULA_STARTS`)
    gets a leading ``'``, so that a spreadsheet shows it as text; a row
    with a cell holding a line break is quoted whole, so that every reader
    reads one row per record.
    """
    out = io.StringIO()
    minimal = csv.writer(out, lineterminator="\n")
    # csv quotes "\n" on its own, but not a bare "\r" with this line
    # terminator: a row holding one is quoted whole.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    minimal.writerow(COLUMNS)
    records: tuple[Attack | Defense, ...] = (
        *taxonomy.attacks,
        *taxonomy.defenses,
    )
    for record in records:
        row = tuple(_neutral(cell) for cell in _row(taxonomy, record))
        writer = quoted if any("\r" in cell for cell in row) else minimal
        writer.writerow(row)
    return out.getvalue()


def _neutral(cell: str) -> str:
    """
    *cell*, with a leading ``'`` if it starts like a formula.
    """
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _row(taxonomy: Taxonomy, record: Attack | Defense) -> tuple[str, ...]:
    """
    Return the cells of *record*'s row, in the order of ``COLUMNS``.
    """
    dois = (p.doi for p in taxonomy.papers_of(record.id) if p.doi)
    if isinstance(record, Attack):
        kind = "attack"
        category = record.category or ""
        threats = record.threat_types
        links: tuple[CounterEvidence, ...] = ()
        techniques = record.atlas_techniques
        mitigations: tuple[str, ...] = ()
    else:
        kind = "defense"
        category = ""
        threats = record.counters
        links = taxonomy.counter_evidence(defense=record.id)
        techniques = record.atlas_counters
        mitigations = record.atlas_mitigations
    return (
        record.id,
        kind,
        record.name,
        record.stage,
        category,
        _join(threats),
        _join(link.attack for link in links),
        _join(link.basis for link in links),
        _join(record.modalities),
        _join(record.papers),
        _join(dois),
        _join(techniques),
        _join(mitigations),
        _join(record.owasp_ml),
        taxonomy.provenance(record.id).source,
    )


def _join(values: Iterable[str]) -> str:
    """
    Return *values* as one cell.
    """
    return SEPARATOR.join(values)
