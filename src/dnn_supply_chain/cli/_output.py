"""
Output helpers the commands share: JSON, records as plain data, labels,
and where a record came from.
"""

from __future__ import annotations

import json
import sys

from typing import TYPE_CHECKING, Any, TextIO


if TYPE_CHECKING:
    from dnn_supply_chain._records import Record
    from dnn_supply_chain._taxonomy import Taxonomy


def echo(line: str, *, err: bool = False) -> None:
    """
    Print *line* on standard output, or on standard error with *err*.
    """
    print(line, file=sys.stderr if err else sys.stdout)


def dump(value: object, out: TextIO) -> None:
    """
    Write *value* to *out* as indented JSON, with a final newline.
    """
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


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
        return f"{rec.title} ({when})" if when else rec.title
    return rec.name


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
