"""
The ``dnn-supply-chain`` command.

Exit status: 0 on success, 2 on a usage error or an unknown id (the message
and any suggestion on standard error, never a traceback), 1 when the
bundled data itself is broken.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO


if TYPE_CHECKING:
    from ._records import Attack, Defense, Record
    from ._taxonomy import Taxonomy
    from .crosswalk import CrosswalkMatch


__all__ = ["main"]

_PROG = "dnn-supply-chain"
_PLURALS = {
    "stages": "stage",
    "categories": "category",
    "attacks": "attack",
    "defenses": "defense",
    "papers": "paper",
}


class _UsageError(Exception):
    """
    A mistake in the command line that argparse cannot see.
    """


def _year(text: str) -> int | tuple[int | None, int | None]:
    first, sep, last = text.partition(":")
    try:
        if not sep:
            return int(first)
        return (int(first) if first else None, int(last) if last else None)
    except ValueError:
        msg = f"invalid year {text!r}: use 2021, 2019:2022, 2020: or :2021"
        raise argparse.ArgumentTypeError(msg) from None


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    extensions = sub.add_parser(
        "extensions",
        help="list the installed extensions and what became of each",
        description=(
            "List the installed extensions (entry point group "
            "dnn_supply_chain.extensions): loaded, skipped as broken (with "
            "the cause), or not selected."
        ),
    )
    _format_option(extensions)

    validate = sub.add_parser(
        "validate",
        help="validate an extension fragment file",
        description=(
            "Validate a fragment file (TOML or JSON) without installing it: "
            "its form, and that it merges into the taxonomy.  Exit 0 when "
            "valid, 2 with every problem and its path when not."
        ),
    )
    validate.add_argument("file", help="the fragment file")

    export = sub.add_parser(
        "export",
        help="export the taxonomy (JSON, STIX 2.1, BibTeX, Markdown, CSV)",
        description=(
            "Export the taxonomy, extensions included, to a format other "
            "tools read."
        ),
    )
    export.add_argument(
        "--format",
        required=True,
        choices=("json", "stix", "bibtex", "markdown", "markdown-en", "csv"),
        help=(
            "json (the whole taxonomy), stix (a STIX 2.1 bundle), bibtex "
            "(the papers), markdown (the survey's listing, Chinese "
            "headings), markdown-en (the taxonomy in English), csv (one "
            "row per attack or defense)"
        ),
    )
    export.add_argument(
        "-o", "--output", help="write to this file instead of standard output"
    )

    tree = sub.add_parser(
        "tree",
        help="print stages, categories, attacks, defenses and papers",
        description=(
            "Print the taxonomy as a tree: stages, their attack categories, "
            "attacks and defenses, and the papers of each."
        ),
    )
    tree.add_argument("--stage", help="print only this stage")
    tree.add_argument(
        "--no-papers", action="store_true", help="leave out the papers"
    )
    _format_option(tree)

    lst = sub.add_parser(
        "list",
        help="list records of one kind, filtered",
        description=(
            "List the records of one kind.  Filters combine: a record is "
            "listed when it meets all of them."
        ),
    )
    lst.add_argument("kind", choices=tuple(_PLURALS))
    lst.add_argument("--stage", help="a stage id")
    lst.add_argument("--category", help="an attack category id")
    lst.add_argument("--threat-type", help="a threat-type term")
    lst.add_argument("--modality", help="a modality term")
    lst.add_argument(
        "--year",
        type=_year,
        help="a year or an inclusive range: 2021, 2019:2022, 2020:, :2021",
    )
    lst.add_argument("--venue", help="a venue word, e.g. CCS or NeurIPS")
    lst.add_argument("--author", help="part of an author's name")
    lst.add_argument(
        "--role",
        choices=("attack", "defense"),
        help="papers only: cited by an attack or by a defense",
    )
    code = lst.add_mutually_exclusive_group()
    code.add_argument(
        "--has-code",
        dest="has_code",
        action="store_const",
        const=True,
        help="only records with a code repository",
    )
    code.add_argument(
        "--no-code",
        dest="has_code",
        action="store_const",
        const=False,
        help="only records without a code repository",
    )
    _format_option(lst)

    show = sub.add_parser(
        "show",
        help="show one record and what it links to",
        description="Show one record, by id, and the records it links to.",
    )
    show.add_argument(
        "id",
        help=(
            "the id of any record, or an ATLAS or OWASP ML Top 10 id or "
            "name (AML.T0018, ML06, 'Backdoor ML Model')"
        ),
    )
    _format_option(show)

    search = sub.add_parser(
        "search",
        help="search names, titles and summaries",
        description="Search names, titles, ids, authors and summaries.",
    )
    search.add_argument("text", nargs="+", help="words to look for")
    search.add_argument(
        "--kind",
        action="append",
        choices=tuple(_PLURALS.values()),
        help="only this kind of record (repeatable)",
    )
    search.add_argument(
        "--limit",
        type=int,
        default=20,
        help="the most results to show (default: 20)",
    )
    _format_option(search)

    check = sub.add_parser(
        "check",
        help="check a threat model and report its gaps",
        description=(
            "Check a threat model (TOML or JSON) against the taxonomy and "
            "report its coverage and gaps.  Exit 0 when the --fail-on policy "
            "holds, 1 when it fails, 2 when the file is invalid."
        ),
    )
    check.add_argument("file", nargs="?", help="the threat model file")
    check.add_argument(
        "--example",
        action="store_true",
        help="check the example threat model shipped with the package",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="report format (default: text)",
    )
    check.add_argument(
        "--fail-on",
        choices=("gaps", "open", "never"),
        default="gaps",
        help=(
            "gaps (default): fail on an in-scope attack no threat considers, "
            "an open threat without a mitigation or a mismatched mitigation; "
            "open: fail while any threat is open; never: only an invalid "
            "file fails"
        ),
    )

    init = sub.add_parser(
        "init",
        help="write a starter threat model",
        description=(
            "Write a starter threat model: one open threat per attack of "
            "the stages you name (default: all), to edit into your own."
        ),
    )
    init.add_argument(
        "--stage",
        action="append",
        help="a stage the system takes part in (repeatable)",
    )
    init.add_argument("--name", default="My model", help="the model's name")
    init.add_argument(
        "--format",
        choices=("toml", "json"),
        default=None,
        help="file format (default: from -o's suffix, else toml)",
    )
    init.add_argument(
        "-o", "--output", help="write to this file instead of standard output"
    )
    init.add_argument(
        "--force", action="store_true", help="overwrite an existing file"
    )
    init.add_argument(
        "--example",
        action="store_true",
        help="write the shipped example threat model instead",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one exit per outcome
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        from ._packaged import read_manifest
        from .exceptions import TaxonomyDataError

        print(f"{_PROG} {version(_PROG)}")
        try:
            print(read_manifest())
        except TaxonomyDataError as exc:
            print(f"{_PROG}: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"{_PROG}: error: name a command", file=sys.stderr)
        return 2

    from . import _loading
    from .exceptions import (
        ExtensionError,
        TaxonomyDataError,
        ThreatModelError,
        UnknownIdError,
    )
    from .extensions import ExtensionWarning

    commands: dict[
        str, Callable[[Taxonomy, argparse.Namespace, TextIO], int | None]
    ] = {
        "tree": _tree,
        "list": _list,
        "show": _show,
        "search": _search,
        "check": _check,
        "init": _init,
        "extensions": _extensions,
        "validate": _validate,
        "export": _export,
    }
    out = sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExtensionWarning)
            tax = _loading.load(
                extensions=not args.no_extensions, strict=args.strict
            )
        for warning in caught:
            print(f"{_PROG}: warning: {warning.message}", file=sys.stderr)
        code = commands[args.command](tax, args, out)
        out.flush()
    except ExtensionError as exc:
        for problem in exc.problems:
            print(f"{_PROG}: error: {problem}", file=sys.stderr)
        if args.command == "validate":
            return 2
        print(
            f"{_PROG}: an extension is broken; uninstall it, or drop "
            "--strict to skip it",
            file=sys.stderr,
        )
        return 1
    except ThreatModelError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        count = len(exc.diagnostics)
        print(
            f"{_PROG}: {count} problem{'s' if count != 1 else ''}: "
            "the threat model is invalid",
            file=sys.stderr,
        )
        return 2
    except (UnknownIdError, _UsageError, ValueError) as exc:
        if isinstance(exc, TaxonomyDataError):
            print(
                f"{_PROG}: the bundled data is broken: {exc}", file=sys.stderr
            )
            return 1
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as cat does.
        sys.stderr.close()
        return 0
    return code or 0


# -- output helpers -------------------------------------------------------


def _dump(value: object, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _plain(tax: Taxonomy, rec: Record) -> dict[str, Any]:
    from ._convert import record_to_dict

    data = record_to_dict(rec)
    return {"kind": tax.kind_of(rec.id), **data}


def _label(rec: Record) -> str:
    from ._records import Paper

    if isinstance(rec, Paper):
        when = rec.venue_short or (str(rec.year) if rec.year else "")
        return f"{rec.title} ({when})" if when else rec.title
    return rec.name


# -- commands ---------------------------------------------------------------


def _tree(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    stages = (tax.stage(args.stage),) if args.stage else tax.stages
    if args.format == "json":
        _dump(
            [
                _stage_tree(tax, s.id, papers=not args.no_papers)
                for s in stages
            ],
            out,
        )
        return
    for stage in stages:
        origin = _origin(tax, stage.id)
        out.write(f"{stage.name} [{stage.id}] {stage.name_zh}{origin}\n")
        out.writelines(
            line + "\n"
            for line in _render(
                _stage_children(tax, stage.id, papers=not args.no_papers)
            )
        )


_Node = tuple[str, list["_Node"]]


def _stage_children(tax: Taxonomy, stage: str, *, papers: bool) -> list[_Node]:
    def entry(rec: Attack | Defense) -> _Node:
        kids: list[_Node] = []
        if papers:
            kids = [
                (f"{p.id}: {_label(p)}", []) for p in tax.papers_of(rec.id)
            ]
        return (f"{rec.name} [{rec.id}]{_origin(tax, rec.id)}", kids)

    attacks: list[_Node] = [
        (
            f"{cat.name} [{cat.id}] {cat.name_zh}",
            [entry(a) for a in tax.attacks_in(cat.id)],
        )
        for cat in tax.categories_of(stage)
    ]
    attacks.extend(
        entry(a) for a in tax.attacks_in(stage) if a.category is None
    )
    defenses = [entry(d) for d in tax.defenses_in(stage)]
    return [
        (f"Attacks ({len(tax.attacks_in(stage))})", attacks),
        (f"Defenses ({len(defenses)})", defenses),
    ]


def _render(nodes: list[_Node], prefix: str = "") -> Iterator[str]:
    for i, (text, kids) in enumerate(nodes):
        last = i == len(nodes) - 1
        yield prefix + ("└── " if last else "├── ") + text
        yield from _render(kids, prefix + ("    " if last else "│   "))


def _stage_tree(tax: Taxonomy, stage: str, *, papers: bool) -> dict[str, Any]:
    def entry(rec: Attack | Defense) -> dict[str, Any]:
        data: dict[str, Any] = {"id": rec.id, "name": rec.name}
        if papers:
            data["papers"] = [
                {
                    "id": p.id,
                    "title": p.title,
                    "venue": p.venue_short,
                    "year": p.year,
                }
                for p in tax.papers_of(rec.id)
            ]
        return data

    rec = tax.stage(stage)
    return {
        "id": rec.id,
        "name": rec.name,
        "name_zh": rec.name_zh,
        "categories": [
            {
                "id": cat.id,
                "name": cat.name,
                "name_zh": cat.name_zh,
                "attacks": [entry(a) for a in tax.attacks_in(cat.id)],
            }
            for cat in tax.categories_of(stage)
        ],
        "attacks": [
            entry(a) for a in tax.attacks_in(stage) if a.category is None
        ],
        "defenses": [entry(d) for d in tax.defenses_in(stage)],
    }


def _list(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    kind = _PLURALS[args.kind]
    criteria = {
        "stage": args.stage,
        "category": args.category,
        "threat_type": args.threat_type,
        "modality": args.modality,
        "year": args.year,
        "venue": args.venue,
        "author": args.author,
        "has_code": args.has_code,
        "role": args.role,
    }
    given = {k: v for k, v in criteria.items() if v is not None}
    records: tuple[Record, ...]
    if kind in ("stage", "category"):
        allowed = {"stage"} if kind == "category" else set()
        extra = sorted(set(given) - allowed)
        if extra:
            flags = ", ".join("--" + k.replace("_", "-") for k in extra)
            msg = f"list {args.kind} takes no {flags}"
            raise _UsageError(msg)
        if kind == "stage":
            records = tax.stages
        elif "stage" in given:
            records = tax.categories_of(given["stage"])
        else:
            records = tax.categories
    else:
        applicable = {
            "attack": {
                "stage",
                "category",
                "threat_type",
                "modality",
                "year",
                "venue",
                "author",
                "has_code",
            },
            "defense": {
                "stage",
                "threat_type",
                "modality",
                "year",
                "venue",
                "author",
                "has_code",
            },
            "paper": set(criteria),
        }[kind]
        extra = sorted(set(given) - applicable)
        if extra:
            flags = ", ".join("--" + k.replace("_", "-") for k in extra)
            msg = f"list {args.kind} takes no {flags}"
            raise _UsageError(msg)
        records = tax.find(kind, **given)
    if args.format == "json":
        _dump([_plain(tax, r) for r in records], out)
        return
    width = max((len(r.id) for r in records), default=0)
    out.writelines(f"{rec.id:<{width}}  {_label(rec)}\n" for rec in records)


def _show(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    if args.id not in tax:
        match = _crosswalk_match(tax, args.id)
        if match is not None:
            _show_crosswalk(tax, match, args, out)
            return
    rec = tax.get(args.id)
    links = tax.neighbours(rec.id)
    if args.format == "json":
        data = _plain(tax, rec)
        data["links"] = {k: [r.id for r in v] for k, v in links.items()}
        data["provenance"] = _provenance(tax, rec.id)
        _dump(data, out)
        return
    data = _plain(tax, rec)
    kind = data.pop("kind")
    data["source"] = str(tax.provenance(rec.id))
    out.write(f"{_label(rec)}\n{kind} {rec.id}\n\n")
    width = max(len(k) for k in data)
    out.writelines(
        f"{key:<{width}}  {_text(value, width + 2)}\n"
        for key, value in data.items()
    )
    for title, items in links.items():
        out.write(f"\n{title} ({len(items)}):\n")
        out.writelines(f"  {item.id}  {_label(item)}\n" for item in items)


def _text(value: object, indent: int) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        pad = " " * indent
        return "\n".join(
            f"{pad if i else ''}{k}: {'-' if v is None else v}"
            for i, (k, v) in enumerate(value.items())
        )
    return str(value)


def _search(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    if args.limit < 1:
        msg = "--limit must be at least 1"
        raise _UsageError(msg)
    hits = tax.search(" ".join(args.text), kinds=args.kind, limit=args.limit)
    if args.format == "json":
        _dump(
            [{"score": h.score, **_plain(tax, h.record)} for h in hits],
            out,
        )
        return
    if not hits:
        out.write("no match\n")
        return
    width = max(len(h.record.id) for h in hits)
    for hit in hits:
        kind = tax.kind_of(hit.record.id)
        out.write(
            f"{hit.record.id:<{width}}  {kind:<8}  {_label(hit.record)}\n"
        )


_EXAMPLE = "edge-deployment.toml"


def _example_text() -> str:
    from importlib.resources import files

    resource = files("dnn_supply_chain") / "data" / "examples" / _EXAMPLE
    return resource.read_text(encoding="utf-8")


def _check(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> int:
    from .threat_model import (
        coverage_report,
        read_threat_model,
        threat_model_from_dict,
    )

    if args.example == (args.file is not None):
        msg = "name a threat model FILE, or --example (not both)"
        raise _UsageError(msg)
    if args.example:
        import tomllib

        source = f"<example {_EXAMPLE}>"
        model = threat_model_from_dict(
            tomllib.loads(_example_text()), source=source
        )
    else:
        source = args.file
        model = read_threat_model(args.file)
    report = coverage_report(model, tax, source=source)
    if args.format == "json":
        data = report.to_dict()
        data["policy"] = args.fail_on
        data["failed"] = report.fails(args.fail_on)
        _dump(data, out)
    elif args.format == "markdown":
        out.write(report.to_markdown())
    else:
        out.write(report.to_text())
    failed = report.fails(args.fail_on)
    if args.format == "text":
        verdict = "fails" if failed else "passes"
        out.write(f"Policy --fail-on {args.fail_on}: {verdict}.\n")
    return 1 if failed else 0


def _init(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from pathlib import Path

    from .threat_model import dump_threat_model, starter_threat_model

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = "json" if suffix == ".json" else "toml"
    if args.example:
        if args.stage or fmt != "toml":
            msg = "--example writes the TOML example as shipped; drop --stage and --format"
            raise _UsageError(msg)
        text = _example_text()
    else:
        model = starter_threat_model(args.stage, tax, name=args.name)
        header = (
            f"A starter threat model written by {_PROG} init.\n"
            "Each threat is one attack of the taxonomy, still open: mark the\n"
            "ones that do not apply 'not-applicable' with a rationale, add\n"
            "[[mitigations]] for the others, then run\n"
            f"  {_PROG} check THIS-FILE"
        )
        text = dump_threat_model(model, fmt, header=header)
    if args.output is None:
        out.write(text)
        return
    path = Path(args.output)
    if path.exists() and not args.force:
        msg = f"{path} exists; use --force to overwrite it"
        raise _UsageError(msg)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def _provenance(tax: Taxonomy, record: str) -> dict[str, Any]:
    from ._convert import record_to_dict

    return record_to_dict(tax.provenance(record))


def _origin(tax: Taxonomy, record: str) -> str:
    """
    `` (distribution version)`` for a record an extension added, else ``""``.
    """
    prov = tax.provenance(record)
    return "" if prov.extension is None else f" ({prov.source} {prov.version})"


def _extensions(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from .extensions import installed_extensions

    infos = tax.extensions or installed_extensions()
    if args.format == "json":
        from ._convert import record_to_dict

        _dump(
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


def _validate(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> int:
    from . import _loading
    from .exceptions import ExtensionError
    from .extensions import read_fragment, validate_fragment

    fragment = read_fragment(args.file)
    # Validate against the bundled survey and the installed extensions,
    # but for an installed copy of this very fragment (same namespace).
    others = [
        info.name
        for info in tax.extensions
        if info.status == "loaded" and info.namespace != fragment.namespace
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


def _export(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from pathlib import Path

    from ._export import export

    text = export(tax, args.format)
    if args.output is None:
        out.write(text)
        return
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


def _crosswalk_match(tax: Taxonomy, ref: str) -> CrosswalkMatch | None:
    """
    The crosswalk match of *ref*, if it names an ATLAS or OWASP entry.
    """
    from .crosswalk import ATLAS_ID, OWASP_ID, load_crosswalk
    from .exceptions import UnknownIdError

    try:
        load_crosswalk().resolve(ref)
    except UnknownIdError:
        if ATLAS_ID.fullmatch(ref) or OWASP_ID.fullmatch(ref):
            raise
        return None
    return tax.crosswalk(ref, subtechniques=True)


def _show_crosswalk(
    tax: Taxonomy, wide: CrosswalkMatch, args: argparse.Namespace, out: TextIO
) -> None:
    from .crosswalk import AtlasMitigation, OwaspRisk, load_crosswalk

    catalog = load_crosswalk()
    entry = wide.entry
    narrow = tax.crosswalk(entry.id)
    kind = (
        "OWASP ML Top 10"
        if isinstance(entry, OwaspRisk)
        else "ATLAS mitigation"
        if isinstance(entry, AtlasMitigation)
        else "ATLAS technique"
    )
    release = (
        f"OWASP ML Top 10 {catalog.owasp_edition}"
        if isinstance(entry, OwaspRisk)
        else f"ATLAS {catalog.atlas_version}"
    )
    further_attacks = [a for a in wide.attacks if a not in narrow.attacks]
    further_defenses = [d for d in wide.defenses if d not in narrow.defenses]
    if args.format == "json":
        _dump(
            {
                "id": entry.id,
                "name": entry.name,
                "kind": kind,
                "asked": wide.asked,
                "attacks": [a.id for a in narrow.attacks],
                "defenses": [d.id for d in narrow.defenses],
                "papers": [p.id for p in narrow.papers],
                "through_subtechniques": {
                    "subtechniques": list(wide.via[1:]),
                    "attacks": [a.id for a in further_attacks],
                    "defenses": [d.id for d in further_defenses],
                },
            },
            out,
        )
        return
    former = f"; formerly {wide.asked!r}" if wide.renamed else ""
    out.write(f"{entry.id} {entry.name} ({release}{former})\n")
    out.write(
        f"{kind}; the mappings below are a curated crosswalk, not an "
        "official MITRE or OWASP mapping\n"
    )
    sections: list[tuple[str, Sequence[Record]]] = [
        (f"attacks mapped to {entry.id}", narrow.attacks),
        (f"defenses mapped to {entry.id}", narrow.defenses),
    ]
    if len(wide.via) > 1:
        subs = ", ".join(wide.via[1:])
        sections += [
            (
                f"attacks mapped through its sub-techniques ({subs})",
                further_attacks,
            ),
            (
                f"defenses mapped through its sub-techniques ({subs})",
                further_defenses,
            ),
        ]
    sections.append(("papers", wide.papers))
    for title, items in sections:
        out.write(f"\n{title} ({len(items)}):\n")
        out.writelines(f"  {item.id}  {_label(item)}\n" for item in items)
