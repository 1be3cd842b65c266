"""
What the command modules share: the program's name, its usage error, the
signature of a command's handler and the ``--format`` option.
"""

from __future__ import annotations

import argparse

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO, TypeAlias

    from dnn_supply_chain._taxonomy import Taxonomy

    #: What a command module's ``register()`` adds its commands to.
    # argparse has no public name for the type add_subparsers() returns.
    Subparsers: TypeAlias = argparse._SubParsersAction[  # noqa: SLF001
        argparse.ArgumentParser
    ]

    #: A command: it writes to the stream it is given and returns its exit
    #: status (``None`` for 0), or raises an error that ``main`` reports.
    Handler: TypeAlias = Callable[
        [Taxonomy, argparse.Namespace, TextIO], int | None
    ]


PROG = "dnn-supply-chain"


class UsageError(Exception):
    """
    A mistake in the command line that argparse cannot see.
    """


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """
    Add ``--format text|json`` to *parser*.
    """
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
