"""
The top-level parser, the command table, dispatch and error handling.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from typing import TYPE_CHECKING, TextIO, cast

from . import _browse, _crosswalk, _export, _extensions, _threats, _tree
from ._common import (
    INTERRUPTED,
    PROG,
    CommandParser,
    Output,
    Parser,
    UsageError,
    add_global_options,
    detach,
    given_once,
)
from ._output import echo


if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

    from ._common import Handler


#: The command modules, in the order their commands are listed in
#: ``--help``.  Each has a ``register(subparsers)`` that adds its commands,
#: and names each command's handler with ``set_defaults(handler=...)``.
COMMANDS: tuple[ModuleType, ...] = (
    _tree,
    _browse,
    _threats,
    _export,
    _crosswalk,
    _extensions,
)

_EPILOG = f"""\
examples:
  {PROG} tree --stage deployment
  {PROG} list attacks --stage design --threat-type backdoor
  {PROG} show BadEncoder
  {PROG} search quantization backdoor
  {PROG} vocabulary
  {PROG} init --stage deployment -o threat-model.toml
  {PROG} check threat-model.toml

'{PROG} COMMAND --help' prints a command's options; the options above
work after the command too ('{PROG} tree --no-extensions').
"""


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description=(
            "Query the taxonomy of attacks on and defenses of deep-learning "
            "model supply chains."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(parser)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=CommandParser
    )
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def _unknown_command(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> str | None:
    """
    The message for a mistyped command in *argv* (``lst``), with the
    commands it is closest to; None when the command is known or absent.
    """
    (commands,) = (
        a
        for a in parser._actions  # noqa: SLF001 - argparse has no public way
        if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001
    )
    names = tuple(commands.choices)
    for word in argv:
        if word == "--":
            return None
        if word.startswith("-"):
            continue
        if word in names:
            return None
        from dnn_supply_chain._text import suggest

        close = suggest(word, names)
        hint = (
            "; did you mean " + " or ".join(repr(c) for c in close) + "?"
            if close
            else f"; choose from {', '.join(names)}"
        )
        return f"unknown command {word!r}{hint}"
    return None


def _version() -> int:
    from importlib.metadata import PackageNotFoundError, version

    from dnn_supply_chain._packaged import REINSTALL, read_manifest
    from dnn_supply_chain.exceptions import TaxonomyDataError

    try:
        echo(f"{PROG} {version(PROG)}")
    except PackageNotFoundError:
        echo(
            f"{PROG}: the installed metadata is missing; {REINSTALL}", err=True
        )
        return 1
    try:
        echo(str(read_manifest()))
    except TaxonomyDataError as exc:
        echo(f"{PROG}: {exc}", err=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``).

    Standard output is wrapped while it runs (``_common.Output``): a
    reader that goes away (``| head``) leaves the command's own exit
    status, and what is left to write is dropped quietly.  An error
    writing the output is a message and exit status 2; Ctrl-C is exit
    status 130, without a traceback.

    Returns:
        The exit status.
    """
    real = sys.stdout
    out = Output(real)
    sys.stdout = cast("TextIO", out)
    failed = False
    try:
        try:
            code = _main(argv, cast("TextIO", out))
            out.flush()
        except KeyboardInterrupt:
            echo(f"{PROG}: interrupted", err=True)
            code = INTERRUPTED
        except OSError as exc:
            failed = True
            echo(f"{PROG}: error: {_os_error(exc)}", err=True)
            code = 2
    finally:
        sys.stdout = real
        if (out.broken or failed) and real is not None:
            detach(real)
    return code


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return f"cannot write the output: {reason}"


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    parser = _build_parser()
    words = sys.argv[1:] if argv is None else argv
    unknown = _unknown_command(parser, words)
    if unknown is not None:
        parser.print_usage(sys.stderr)
        echo(f"{PROG}: error: {unknown}", err=True)
        return 2
    args = given_once(parser.parse_args(words))
    if args.version:
        return _version()
    if args.command is None:
        parser.print_usage(sys.stderr)
        echo(f"{PROG}: error: name a command", err=True)
        return 2
    return _run(args, out)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from dnn_supply_chain import _loading
    from dnn_supply_chain.exceptions import (
        DnnSupplyChainError,
        ExtensionError,
        TaxonomyDataError,
        ThreatModelError,
    )
    from dnn_supply_chain.extensions import ExtensionWarning

    handler: Handler = args.handler
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExtensionWarning)
            tax = _loading.load(
                extensions=not args.no_extensions, strict=args.strict
            )
        for warning in caught:
            # One prefix: a library warning that names the program itself
            # (for Python users) does not name it twice.
            text = str(warning.message).removeprefix(f"{PROG} ")
            echo(f"{PROG}: warning: {text}", err=True)
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
        what = (
            "the BOM"
            if getattr(args, "from_bom", None) is not None
            else "the model card"
            if getattr(args, "from_model_card", None) is not None
            else "the threat model"
        )
        echo(
            f"{PROG}: {count} problem{'s' if count != 1 else ''}: "
            f"{what} is invalid",
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
    return code or 0
