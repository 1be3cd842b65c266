"""
``tree``: the taxonomy as a tree of stages, categories, attacks, defenses
and papers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._common import add_format_option, encodes, nonempty, one_line
from ._output import dump, label, origin


if TYPE_CHECKING:
    import argparse

    from collections.abc import Iterator
    from typing import TextIO

    from dnn_supply_chain._records import Attack, Defense
    from dnn_supply_chain._taxonomy import Taxonomy

    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    """
    Add ``tree`` to *subparsers*.
    """
    tree = subparsers.add_parser(
        "tree",
        help="print stages, categories, attacks, defenses and papers",
        description=(
            "Print the taxonomy as a tree: stages, their attack categories, "
            "attacks and defenses, and the papers of each."
        ),
    )
    tree.add_argument(
        "--stage",
        action="append",
        type=nonempty("stage"),
        help="print only this stage (repeatable: these stages)",
    )
    tree.add_argument(
        "--no-papers", action="store_true", help="leave out the papers"
    )
    add_format_option(tree)
    tree.set_defaults(handler=_tree)


def _tree(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    if args.stage is None:
        stages = tax.stages
    else:
        wanted = {tax.resolve(s, kind="stage").id for s in args.stage}
        stages = tuple(s for s in tax.stages if s.id in wanted)
    if args.format == "json":
        dump(
            [
                _stage_tree(tax, s.id, papers=not args.no_papers)
                for s in stages
            ],
            out,
        )
        return
    glyphs = _BOX if encodes(out, "".join(_BOX)) else _ASCII
    for stage in stages:
        where = origin(tax, stage.id)
        out.write(
            f"{one_line(stage.name)} [{stage.id}] {one_line(stage.name_zh)}"
            f"{where}\n"
        )
        out.writelines(
            line + "\n"
            for line in _render(
                _stage_children(tax, stage.id, papers=not args.no_papers),
                glyphs,
            )
        )


_Node = tuple[str, list["_Node"]]


def _stage_children(tax: Taxonomy, stage: str, *, papers: bool) -> list[_Node]:
    def entry(rec: Attack | Defense) -> _Node:
        kids: list[_Node] = []
        if papers:
            kids = [(f"{p.id}: {label(p)}", []) for p in tax.papers_of(rec.id)]
        return (f"{label(rec)} [{rec.id}]{origin(tax, rec.id)}", kids)

    attacks: list[_Node] = [
        (
            f"{one_line(cat.name)} [{cat.id}] {one_line(cat.name_zh)}",
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


#: The tree's glyphs (branch, last branch, pipe), and their ASCII stand-ins
#: for a console that cannot show box-drawing characters.
_BOX = ("├── ", "└── ", "│   ")
_ASCII = ("|-- ", "`-- ", "|   ")


def _render(
    nodes: list[_Node],
    glyphs: tuple[str, str, str] = _BOX,
    prefix: str = "",
) -> Iterator[str]:
    branch, last_branch, pipe = glyphs
    for i, (text, kids) in enumerate(nodes):
        last = i == len(nodes) - 1
        yield prefix + (last_branch if last else branch) + text
        yield from _render(kids, glyphs, prefix + ("    " if last else pipe))


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
