"""
The top-level parser, the command table, dispatch and error handling.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from typing import TYPE_CHECKING

from . import _browse, _export, _extensions, _threats, _tree
from ._common import PROG, UsageError
from ._output import echo


if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

    from ._common import Handler


#: The command modules, in the order their commands are listed in
#: ``--help``.  Each has a ``register(subparsers)`` that adds its commands,
#: and names each command's handler with ``set_defaults(handler=...)``.
COMMANDS: tuple[ModuleType, ...] = (
    _extensions,
    _export,
    _tree,
    _browse,
    _threats,
)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Query the taxonomy of attacks on and defenses of deep-learning "
            "model supply chains."
        ),
    )
    parser.add_argument(
        "--version",
        action="store_true",
        help="show the version and exit",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on a broken extension instead of skipping it",
    )
    parser.add_argument(
        "--no-extensions",
        action="store_true",
        help="use the bundled survey alone, without installed extensions",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def _version() -> int:
    from importlib.metadata import version

    from dnn_supply_chain._packaged import read_manifest
    from dnn_supply_chain.exceptions import TaxonomyDataError

    echo(f"{PROG} {version(PROG)}")
    try:
        echo(str(read_manifest()))
    except TaxonomyDataError as exc:
        echo(f"{PROG}: {exc}", err=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        return _version()
    if args.command is None:
        parser.print_usage(sys.stderr)
        echo(f"{PROG}: error: name a command", err=True)
        return 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one exit per outcome
    from dnn_supply_chain import _loading
    from dnn_supply_chain.exceptions import (
        DnnSupplyChainError,
        ExtensionError,
        TaxonomyDataError,
        ThreatModelError,
    )
    from dnn_supply_chain.extensions import ExtensionWarning

    handler: Handler = args.handler
    out = sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExtensionWarning)
            tax = _loading.load(
                extensions=not args.no_extensions, strict=args.strict
            )
        for warning in caught:
            echo(f"{PROG}: warning: {warning.message}", err=True)
        code = handler(tax, args, out)
        out.flush()
    except ExtensionError as exc:
        for problem in exc.problems:
            echo(f"{PROG}: error: {problem}", err=True)
        if args.command == "validate":
            return 2
        echo(
            f"{PROG}: an extension is broken; uninstall it, or drop "
            "--strict to skip it",
            err=True,
        )
        return 1
    except ThreatModelError as exc:
        for diagnostic in exc.diagnostics:
            echo(str(diagnostic), err=True)
        count = len(exc.diagnostics)
        echo(
            f"{PROG}: {count} problem{'s' if count != 1 else ''}: "
            "the threat model is invalid",
            err=True,
        )
        return 2
    except TaxonomyDataError as exc:
        echo(f"{PROG}: the bundled data is broken: {exc}", err=True)
        return 1
    # Only the library's own errors and ours: a bug is not a usage error,
    # and shows its traceback.
    except (DnnSupplyChainError, UsageError) as exc:
        echo(f"{PROG}: error: {exc}", err=True)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as cat does.
        sys.stderr.close()
        return 0
    return code or 0
