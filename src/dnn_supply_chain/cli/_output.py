"""
Output helpers the commands share: JSON, records as plain data, labels,
and where a record came from.
"""

from __future__ import annotations

import json
import sys

from typing import TYPE_CHECKING, Any, TextIO

from ._common import one_line, terminal_safe


if TYPE_CHECKING:
    from collections.abc import Sequence

    from dnn_supply_chain._records import CounterEvidence, Record
    from dnn_supply_chain._taxonomy import Taxonomy


def echo(line: str, *, err: bool = False) -> None:
    """
    Print *line* on standard output, or on standard error with *err*; a
    character a terminal would act on is escaped (standard output does it
    itself).
    """
    print(
        terminal_safe(line) if err else line,
        file=sys.stderr if err else sys.stdout,
    )


def dumps(value: object) -> str:
    """
    Return *value* as indented JSON, with a final newline.
    """
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def dump(value: object, out: TextIO) -> None:
    """
    Write *value* to *out* as indented JSON, with a final newline.
    """
    out.write(dumps(value))


def plain(tax: Taxonomy, rec: Record) -> dict[str, Any]:
    """
    *rec* as JSON-compatible data, its kind first.
    """
    from dnn_supply_chain._convert import record_to_dict

    data = record_to_dict(rec)
    return {"kind": tax.kind_of(rec.id), **data}


def label(rec: Record) -> str:
    """
    A record's name, or a paper's title with its venue or year.
    """
    from dnn_supply_chain._records import Paper

    if isinstance(rec, Paper):
        when = rec.venue_short or (str(rec.year) if rec.year else "")
        title = one_line(rec.title)
        return f"{title} ({one_line(when)})" if when else title
    return one_line(rec.name)


def provenance(tax: Taxonomy, record: str) -> dict[str, Any]:
    """
    Where *record* came from, as JSON-compatible data.
    """
    from dnn_supply_chain._convert import record_to_dict

    return record_to_dict(tax.provenance(record))


def origin(tax: Taxonomy, record: str) -> str:
    """
    `` (distribution version)`` for a record an extension added, else ``""``.
    """
    prov = tax.provenance(record)
    return "" if prov.extension is None else f" ({prov.source} {prov.version})"


def evidence_entries(
    links: Sequence[CounterEvidence], *, other: str
) -> list[dict[str, Any]]:
    """
    *links* as JSON-compatible data, each naming the record at its *other*
    end (``"attack"`` or ``"defense"``) by id, with its basis, evidence,
    source and caveat.
    """
    return [
        {
            "id": getattr(link, other),
            "basis": link.basis,
            "evidence": link.evidence,
            "source": link.source,
            "caveat": link.caveat,
        }
        for link in links
    ]


def evidence_lines(
    tax: Taxonomy, links: Sequence[CounterEvidence], *, other: str
) -> list[str]:
    """
    *links* as the lines of a ``show`` section: the record at the *other*
    end with the link's basis, then, indented, its caveat if any and its
    source.
    """
    width = max((len(getattr(link, other)) for link in links), default=0)
    lines = []
    for link in links:
        rec = tax.get(getattr(link, other))
        lines.append(
            f"  {rec.id:<{width}}  {label(rec)} (basis: {link.basis})"
        )
        if link.caveat is not None:
            lines.append(f"      caveat: {one_line(link.caveat)}")
        lines.append(f"      source: {one_line(link.source)}")
    return lines
