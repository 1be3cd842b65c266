"""
``extensions`` and ``validate``: the installed extensions, and a fragment
file checked before it is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import add_format_option
from ._output import dump


if TYPE_CHECKING:
    import argparse

    from typing import TextIO

    from dnn_supply_chain._records import ExtensionInfo
    from dnn_supply_chain._taxonomy import Taxonomy

    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    """
    Add ``extensions`` and ``validate`` to *subparsers*.
    """
    extensions = subparsers.add_parser(
        "extensions",
        help="list the installed extensions and what became of each",
        description=(
            "List the installed extensions (entry point group "
            "dnn_supply_chain.extensions): loaded, skipped as broken (with "
            "the cause), or not selected."
        ),
    )
    add_format_option(extensions)
    extensions.set_defaults(handler=_extensions)

    validate = subparsers.add_parser(
        "validate",
        help="validate an extension fragment file",
        description=(
            "Validate a fragment file (TOML or JSON) without installing it: "
            "its form, and that it merges into the bundled survey and the "
            "installed extensions (a namespace an installed extension owns "
            "is taken, but by that extension's own file).  Exit 0 when "
            "valid, 2 with every problem and its path when not."
        ),
    )
    validate.add_argument("file", help="the fragment file")
    validate.set_defaults(handler=_validate)


def _extensions(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from dnn_supply_chain.extensions import installed_extensions

    infos = tax.extensions or installed_extensions()
    if args.format == "json":
        from dnn_supply_chain._convert import record_to_dict

        dump(
            [
                {
                    **record_to_dict(info),
                    "problems": [str(p) for p in info.problems],
                }
                for info in infos
            ],
            out,
        )
        return
    if not infos:
        out.write("no extensions installed\n")
        return
    for info in infos:
        detail = (
            f"namespace {info.namespace}, {info.records} records"
            if info.status == "loaded"
            else info.status
        )
        out.write(
            f"{info.name}  {info.distribution} {info.version}  "
            f"[{info.value}]  {detail}\n"
        )
        out.writelines(f"    {problem}\n" for problem in info.problems)


def _is_installed_copy(info: ExtensionInfo, file: str) -> bool:
    """
    Whether *file* is the data file of the installed extension *info*.
    """
    import os

    from dnn_supply_chain.extensions._discovery import installed_file

    installed = installed_file(info)
    if installed is None:
        return False
    return os.path.realpath(installed) == os.path.realpath(file)


def _validate(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> int:
    from dnn_supply_chain import _loading
    from dnn_supply_chain.exceptions import ExtensionError
    from dnn_supply_chain.extensions import read_fragment, validate_fragment

    fragment = read_fragment(args.file)
    # Validate against the bundled survey and the installed extensions,
    # but the installed extension whose data file this very file is: a
    # different file with an installed extension's namespace collides.
    others = [
        info.name
        for info in tax.extensions
        if info.status == "loaded" and not _is_installed_copy(info, args.file)
    ]
    base = _loading.load(extensions=others or False, strict=False)
    problems = validate_fragment(fragment, base, source=args.file)
    if problems:
        raise ExtensionError(problems, source=args.file)
    count = sum(
        len(getattr(fragment, c))
        for c in ("stages", "categories", "attacks", "defenses", "papers")
    )
    out.write(
        f"{args.file}: valid fragment, namespace {fragment.namespace!r}, "
        f"{count} records, {len(fragment.links)} links\n"
    )
    return 0
