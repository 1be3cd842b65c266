"""
``export``: the taxonomy in a format other tools read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import UsageError, write_file
from ._output import echo


if TYPE_CHECKING:
    import argparse

    from typing import TextIO

    from dnn_supply_chain._taxonomy import Taxonomy

    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    """
    Add ``export`` to *subparsers*.
    """
    export = subparsers.add_parser(
        "export",
        help=(
            "export the taxonomy (JSON, STIX 2.1, BibTeX, Markdown, CSV, "
            "ATLAS Navigator layer, HTML)"
        ),
        description=(
            "Export the taxonomy, extensions included, to a format other "
            "tools read."
        ),
    )
    # The names of dnn_supply_chain.FORMATS, written out: importing the
    # export package to build the parser would slow every command down.
    export.add_argument(
        "--format",
        required=True,
        choices=(
            "json",
            "stix",
            "bibtex",
            "markdown",
            "markdown-en",
            "csv",
            "navigator",
            "html",
        ),
        help=(
            "json (the whole taxonomy), stix (a STIX 2.1 bundle), bibtex "
            "(the papers), markdown (the survey's listing, Chinese "
            "headings), markdown-en (the taxonomy in English), csv (one "
            "row per attack or defense), navigator (an ATLAS Navigator "
            "layer of the techniques the attacks realise), html (a "
            "self-contained page: every stage's attacks and the defenses "
            "with counter evidence against each)"
        ),
    )
    export.add_argument(
        "-o",
        "--output",
        help=(
            "write to this file instead of standard output (through a "
            "temporary file: a failure leaves an existing file as it was)"
        ),
    )
    export.set_defaults(handler=_export)


def _export(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from dnn_supply_chain._export import FORMATS, export

    if args.format not in FORMATS:
        msg = (
            f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}"
        )
        raise UsageError(msg)
    text = export(tax, args.format)
    if args.output is None:
        out.write(text)
        return
    write_file(args.output, text)
    echo(f"wrote {args.output}", err=True)
