"""
``list``, ``show``, ``search`` and ``vocabulary``: find records, look at
one, and the terms the filters take.
"""

from __future__ import annotations

import argparse
import re

from typing import TYPE_CHECKING, cast

from ._common import UsageError, add_format_option, nonempty, one_line
from ._output import (
    dump,
    evidence_entries,
    evidence_lines,
    label,
    plain,
    provenance,
)


if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

    from dnn_supply_chain._records import (
        Attack,
        Basis,
        CounterEvidence,
        Defense,
        MappingReason,
        Record,
    )
    from dnn_supply_chain._taxonomy import Taxonomy
    from dnn_supply_chain.crosswalk import CrosswalkEntry, CrosswalkMatch

    from ._common import Subparsers


_PLURALS = {
    "stages": "stage",
    "categories": "category",
    "attacks": "attack",
    "defenses": "defense",
    "papers": "paper",
}

# The bases of counter evidence, strongest first: ``_records.BASES``
# (a test checks they agree), written out so that building the parser,
# which ``--version`` does too, imports no record module.
_BASES = ("evaluated", "claimed", "mechanism")

#: What ``show`` calls the evidence of an attack, and of a defense.
_EVIDENCE_LINKS = {"attack": "countered by", "defense": "counters"}

#: What ``show`` says of an attack, and of a defense, without counter
#: evidence; scripts may match the first.
_NO_DEFENSE = "no known defense in the taxonomy"
_NO_ATTACK = "no evidence in the taxonomy that it counters an attack"


def _add_basis_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--basis", choices=_BASES, help=text)


def register(subparsers: Subparsers) -> None:
    """
    Add ``list``, ``show``, ``search`` and ``vocabulary`` to
    *subparsers*.
    """
    _register_list(subparsers)
    _register_show(subparsers)
    _register_search(subparsers)
    _register_vocabulary(subparsers)


# -- list -------------------------------------------------------------------


#: The years a --year may name: four digits (``20222`` is a typo, and
#: would match nothing).
_YEARS = range(1000, 10000)


def _year(text: str) -> int | tuple[int | None, int | None]:
    first, sep, last = text.partition(":")
    usage = "use 2021, 2019:2022, 2020: or :2021"
    try:
        if not sep:
            years: tuple[int | None, ...] = (int(first),)
        else:
            years = (
                int(first) if first else None,
                int(last) if last else None,
            )
    except ValueError:
        msg = f"invalid year {text!r}: {usage}"
        raise argparse.ArgumentTypeError(msg) from None
    if years == (None, None):
        msg = f"invalid year {text!r}: name a year on either side; {usage}"
        raise argparse.ArgumentTypeError(msg)
    for year in years:
        if year is not None and year not in _YEARS:
            msg = f"invalid year {year}: a year has four digits"
            raise argparse.ArgumentTypeError(msg)
    if len(years) == 1:
        return cast("int", years[0])
    start, end = years
    if start is not None and end is not None and start > end:
        msg = (
            f"invalid year range {text!r}: {start} comes after {end}; "
            f"write {end}:{start}"
        )
        raise argparse.ArgumentTypeError(msg)
    return start, end


def _add_filter(
    parser: argparse.ArgumentParser, flag: str, what: str, text: str
) -> None:
    """
    Add the filter *flag*, which takes one *what* or, repeated, several:
    a record meets it when it meets any of them.
    """
    parser.add_argument(
        flag,
        action="append",
        type=nonempty(what),
        help=f"{text} (repeatable: any of them)",
    )


def _register_list(subparsers: Subparsers) -> None:
    lst = subparsers.add_parser(
        "list",
        help="list records of one kind, filtered",
        description=(
            "List the records of one kind.  Filters combine: a record is "
            "listed when it meets all of them, and a filter given several "
            "times when the record meets any of its values.  Ids, names "
            "and terms may be typed in any letter case."
        ),
    )
    lst.add_argument("kind", choices=tuple(_PLURALS))
    _add_filter(lst, "--stage", "stage", "a stage id")
    _add_filter(lst, "--category", "category", "an attack category id")
    _add_filter(lst, "--threat-type", "threat type", "a threat-type term")
    _add_filter(lst, "--modality", "modality", "a modality term")
    lst.add_argument(
        "--year",
        type=_year,
        help="a year or an inclusive range: 2021, 2019:2022, 2020:, :2021",
    )
    _add_filter(lst, "--venue", "venue", "a venue word, e.g. CCS or NeurIPS")
    _add_filter(lst, "--author", "author", "part of an author's name")
    lst.add_argument(
        "--role",
        choices=("attack", "defense"),
        help="papers only: cited by an attack or by a defense",
    )
    lst.add_argument(
        "--undefended",
        action="store_const",
        const=True,
        help=(
            "attacks only: those no defense of the taxonomy has evidence "
            "against (at --basis or stronger)"
        ),
    )
    _add_basis_option(
        lst,
        "attacks and defenses: only those with counter evidence at this "
        "basis or stronger (evaluated, claimed, mechanism: strongest "
        "first); with --undefended, those without",
    )
    code = lst.add_mutually_exclusive_group()
    code.add_argument(
        "--has-code",
        dest="has_code",
        action="store_const",
        const=True,
        help="only records with a code repository (and show it)",
    )
    code.add_argument(
        "--no-code",
        dest="has_code",
        action="store_const",
        const=False,
        help="only records without a code repository",
    )
    add_format_option(lst)
    lst.set_defaults(handler=_list)


#: What ``list`` takes besides the criteria of ``Taxonomy.find``: the
#: counter evidence.
_EVIDENCE_CRITERIA = {
    "attack": frozenset({"undefended", "basis"}),
    "defense": frozenset({"basis"}),
    "paper": frozenset(),
}


def _canonical(tax: Taxonomy, axis: str, values: list[str]) -> list[str]:
    """
    *values* of the filter *axis* as the taxonomy writes them: a stage's
    or a category's id, a vocabulary term; an unknown one is an error
    with suggestions.
    """
    if axis in ("stage", "category"):
        return [tax.resolve(v, kind=axis).id for v in values]
    if axis == "threat_type":
        return [tax.canonical_term(v, "threat_type") for v in values]
    if axis == "modality":
        return [tax.canonical_term(v, "modality") for v in values]
    return values


def _flags(given: dict[str, object]) -> str:
    """
    The filters *given* as command-line options, for a message.
    """
    import shlex

    words: list[str] = []
    for key, value in given.items():
        flag = "--" + key.replace("_", "-")
        if key == "has_code":
            words.append("--has-code" if value else "--no-code")
        elif value is True:
            words.append(flag)
        elif isinstance(value, list):
            for item in value:
                words += [flag, shlex.quote(str(item))]
        elif isinstance(value, tuple):
            first, last = value
            words += [flag, f"{first or ''}:{last or ''}"]
        else:
            words += [flag, shlex.quote(str(value))]
    return " ".join(words)


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
        "undefended": args.undefended,
        "basis": args.basis,
    }
    given = {k: v for k, v in criteria.items() if v is not None}
    if kind in ("stage", "category"):
        applicable = frozenset({"stage"} if kind == "category" else ())
    else:
        from dnn_supply_chain._queries import CRITERIA

        applicable = CRITERIA[kind] | _EVIDENCE_CRITERIA[kind]
    extra = sorted(set(given) - applicable)
    if extra:
        flags = ", ".join("--" + k.replace("_", "-") for k in extra)
        msg = f"list {args.kind} takes no {flags}"
        raise UsageError(msg)
    for axis in ("stage", "category", "threat_type", "modality"):
        if axis in given:
            given[axis] = _canonical(tax, axis, given[axis])
    records: tuple[Record, ...]
    if kind == "stage":
        records = tax.stages
    elif kind == "category":
        stages = given.get("stage")
        records = tuple(
            c for c in tax.categories if stages is None or c.stage in stages
        )
    else:
        criteria = dict(given)
        undefended = criteria.pop("undefended", False)
        basis: Basis | None = criteria.pop("basis", None)
        records = tax.find(kind, **criteria)
        if undefended:
            open_ids = {
                a.id for a in tax.undefended(basis=basis or "mechanism")
            }
            records = tuple(r for r in records if r.id in open_ids)
        elif basis is not None:
            records = tuple(r for r in records if _evidence_of(tax, r, basis))
    if not records:
        # Nothing on standard output, which stays a list (of nothing).
        from ._common import PROG
        from ._output import echo

        echo(f"{PROG}: no {args.kind} match {_flags(given)}", err=True)
    if args.format == "json":
        dump([plain(tax, r) for r in records], out)
        return
    rows = [
        [
            rec.id,
            *_stage_column(rec),
            label(rec),
            *_code_column(tax, rec, given),
        ]
        for rec in records
    ]
    out.writelines(f"{line}\n" for line in _columns(rows))


def _stage_column(rec: Record) -> list[str]:
    """
    The stage of an attack, a defense or a category, as a column of
    ``list``; nothing for stages and papers.
    """
    stage = getattr(rec, "stage", None)
    return [] if stage is None else [stage]


def _code_column(
    tax: Taxonomy, rec: Record, given: dict[str, object]
) -> list[str]:
    """
    With ``--has-code``, the code repositories of *rec*: a paper's, or
    those of an attack's or a defense's papers.
    """
    from dnn_supply_chain._records import Paper

    if given.get("has_code") is not True:
        return []
    papers = (rec,) if isinstance(rec, Paper) else tax.papers_of(rec.id)
    return [" ".join(one_line(p.code) for p in papers if p.code)]


def _columns(rows: list[list[str]]) -> list[str]:
    """
    *rows* as lines of columns two spaces apart, each as wide as its
    widest cell; the last column unpadded.
    """
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell if i == len(row) - 1 else f"{cell:<{widths[i]}}"
            for i, cell in enumerate(row)
        )
        for row in rows
    ]


def _evidence_of(
    tax: Taxonomy, rec: Record, basis: Basis | None
) -> tuple[CounterEvidence, ...]:
    """
    The counter evidence of an attack or a defense, at *basis* or
    stronger, strongest first; ``()`` for other records.
    """
    kind = tax.kind_of(rec.id)
    if kind == "attack":
        return tax.counter_evidence(attack=rec.id, basis=basis)
    if kind == "defense":
        return tax.counter_evidence(defense=rec.id, basis=basis)
    return ()


# -- show -------------------------------------------------------------------


def _register_show(subparsers: Subparsers) -> None:
    show = subparsers.add_parser(
        "show",
        help="show one record and what it links to",
        description=(
            "Show one record, by id, and the records it links to.  An "
            "attack's defenses, and a defense's attacks, come from the "
            "counter evidence alone, each with its basis, caveat and source."
        ),
    )
    show.add_argument(
        "id",
        help=(
            "the id of any record, or an ATLAS, OWASP ML Top 10, OWASP LLM "
            "Top 10 or NIST AI 100-2 id (any letter case) or name "
            "(AML.T0018, ML06, LLM03:2025, NISTAML.023, NISTAML.02, "
            "'Backdoor ML Model')"
        ),
    )
    _add_basis_option(
        show,
        "attacks and defenses: list only the counter evidence at this basis "
        "or stronger (evaluated, claimed, mechanism: strongest first)",
    )
    add_format_option(show)
    show.set_defaults(handler=_show)


def _show(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    if args.id not in tax:
        match = _crosswalk_match(tax, args.id)
        if match is not None:
            if args.basis is not None:
                msg = (
                    "show --basis applies to attacks and defenses, not to "
                    f"{match.entry.id}"
                )
                raise UsageError(msg)
            _show_crosswalk(tax, match, args, out)
            return
    # An id in any case, or a record's name ('BadEncoder'): the record is
    # shown under its own id.
    rec = tax.resolve(args.id)
    kind = tax.kind_of(rec.id)
    evidence_link = _EVIDENCE_LINKS.get(kind)
    if args.basis is not None and evidence_link is None:
        from dnn_supply_chain._text import article

        msg = (
            "show --basis applies to attacks and defenses; "
            f"{rec.id!r} is {article(kind)}"
        )
        raise UsageError(msg)
    links = tax.neighbours(rec.id)
    evidence = _evidence_of(tax, rec, args.basis)
    other = "defense" if kind == "attack" else "attack"
    data = plain(tax, rec)
    if args.format == "json":
        data["links"] = {
            k: evidence_entries(evidence, other=other)
            if k == evidence_link
            else [r.id for r in v]
            for k, v in links.items()
        }
        data["provenance"] = provenance(tax, rec.id)
        dump(data, out)
        return
    data.pop("kind")
    data.pop("mapping_reasons", None)
    if kind == "defense":
        data = _defense_fields(data)
    data["source"] = str(tax.provenance(rec.id))
    out.write(f"{label(rec)}\n{kind} {rec.id}\n\n")
    width = max(len(k) for k in data)
    out.writelines(
        f"{key:<{width}}  {_text(value, width + 2)}\n"
        for key, value in data.items()
    )
    reasons = getattr(rec, "mapping_reasons", ())
    if reasons:
        out.write(f"\nwhy mapped to OWASP LLM and NIST ({len(reasons)}):\n")
        out.writelines(f"{line}\n" for line in _mapping_lines(reasons))
    for title, items in links.items():
        if title != evidence_link:
            # An empty relation ('previous stages' of the first stage) is
            # left out; the counter evidence always says what it found.
            if items:
                out.write(f"\n{title} ({len(items)}):\n")
                out.writelines(_item_lines(items))
            continue
        qualifier = (
            ""
            if args.basis in (None, _BASES[-1])
            else f"; basis {args.basis} or stronger"
        )
        out.write(f"\n{title} ({len(evidence)}{qualifier}):\n")
        if evidence:
            out.writelines(
                f"{line}\n"
                for line in evidence_lines(tax, evidence, other=other)
            )
        else:
            out.write(f"  {_nothing(tax, rec.id, kind, args.basis)}\n")


def _item_lines(items: Sequence[Record]) -> list[str]:
    """
    The records of a ``show`` section, one a line, their names aligned.
    """
    width = max((len(item.id) for item in items), default=0)
    return [f"  {item.id:<{width}}  {label(item)}\n" for item in items]


def _mapping_lines(reasons: Sequence[MappingReason]) -> list[str]:
    """
    A record's OWASP LLM and NIST mappings as ``show`` prints them: each
    id with its reason (``show ID`` gives the entry's name; looking it up
    here would load the catalogue for every record shown).
    """
    lines = []
    for reason in reasons:
        confidence = (
            f" (confidence {reason.confidence})" if reason.confidence else ""
        )
        lines.append(f"  {reason.id}{confidence}")
        lines.append(f"      {reason.why}")
    return lines


def _defense_fields(data: dict[str, object]) -> dict[str, object]:
    """
    A defense's fields as ``show`` prints them: its threat types under that
    name (a defense's ``counters`` field describes it, and pairs it with no
    attack), without the deprecated ``attacks`` list when empty.
    """
    shown: dict[str, object] = {}
    for key, value in data.items():
        if key == "counters":
            shown["threat_types"] = value
        elif key == "attacks":
            if value:
                shown["attacks (deprecated)"] = value
        else:
            shown[key] = value
    return shown


def _nothing(tax: Taxonomy, rid: str, kind: str, basis: Basis | None) -> str:
    """
    What ``show`` says of an attack or a defense with no counter evidence
    at *basis*: that there is none, and how many weaker links there are.
    """
    text = _NO_DEFENSE if kind == "attack" else _NO_ATTACK
    if basis in (None, _BASES[-1]):
        return text
    weaker = len(_evidence_of(tax, tax.get(rid), None))
    if not weaker:
        return text
    return (
        f"{text}, at basis {basis} or stronger; {weaker} with weaker "
        f"evidence (--basis {_BASES[-1]} lists them)"
    )


def _text(value: object, indent: int) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(one_line(str(v)) for v in value)
    if isinstance(value, dict):
        pad = " " * indent
        return "\n".join(
            f"{pad if i else ''}{one_line(str(k))}: "
            f"{'-' if v is None else one_line(str(v))}"
            for i, (k, v) in enumerate(value.items())
        )
    return one_line(str(value))


#: What starts like a crosswalk id (``LLM3:2025``, ``aml.t18``): a near
#: miss is answered with the nearest crosswalk ids, not record ids.
_LOOKS_CROSSWALK = re.compile(r"aml\.|nistaml|llm[0-9]|ml[0-9]", re.IGNORECASE)


def _crosswalk_match(tax: Taxonomy, ref: str) -> CrosswalkMatch | None:
    """
    The crosswalk match of *ref*, if it names an ATLAS, OWASP or NIST
    entry (an id in any letter case, or a name).
    """
    from dnn_supply_chain.crosswalk import CROSSWALK_ID, load_crosswalk
    from dnn_supply_chain.exceptions import UnknownIdError

    try:
        load_crosswalk().resolve(ref)
    except UnknownIdError:
        if CROSSWALK_ID.fullmatch(ref) or _LOOKS_CROSSWALK.match(ref):
            raise
        return None
    return tax.crosswalk(ref, subtechniques=True)


def _crosswalk_kind(entry: CrosswalkEntry) -> str:
    from dnn_supply_chain.crosswalk import (
        AtlasMitigation,
        NistClass,
        OwaspLlmRisk,
        OwaspRisk,
    )

    if isinstance(entry, OwaspRisk):
        return "OWASP ML Top 10"
    if isinstance(entry, OwaspLlmRisk):
        return "OWASP Top 10 for LLM Applications"
    if isinstance(entry, NistClass):
        return f"NIST AI 100-2 {entry.kind}"
    if isinstance(entry, AtlasMitigation):
        return "ATLAS mitigation"
    return "ATLAS technique"


def _reason_lines(
    match: CrosswalkMatch, record: Attack | Defense
) -> list[str]:
    """
    The lines under a record in ``show`` of a crosswalk entry: the reason
    of each of its mappings the match covers.
    """
    lines = []
    for reason in match.reasons_of(record):
        confidence = (
            f" (confidence {reason.confidence})" if reason.confidence else ""
        )
        lines.append(f"      {reason.id}{confidence}: {reason.why}")
    return lines


def _reason_entries(
    match: CrosswalkMatch, records: Sequence[Attack | Defense]
) -> list[dict[str, object]]:
    return [
        {
            "id": rec.id,
            "reasons": [
                {"id": r.id, "why": r.why, "confidence": r.confidence}
                for r in match.reasons_of(rec)
            ],
        }
        for rec in records
    ]


def _show_crosswalk(
    tax: Taxonomy, wide: CrosswalkMatch, args: argparse.Namespace, out: TextIO
) -> None:
    from dnn_supply_chain._records import Attack, Defense
    from dnn_supply_chain.crosswalk import AtlasTechnique, load_crosswalk

    catalog = load_crosswalk()
    entry = wide.entry
    narrow = tax.crosswalk(entry.id)
    kind = _crosswalk_kind(entry)
    release = catalog.framework(entry)
    members = (
        "sub-techniques"
        if isinstance(entry, AtlasTechnique)
        else ("attack classes")
    )
    unverified = getattr(entry, "unverified", ())
    further_attacks = [a for a in wide.attacks if a not in narrow.attacks]
    further_defenses = [d for d in wide.defenses if d not in narrow.defenses]
    if args.format == "json":
        data: dict[str, object] = {
            "id": entry.id,
            "name": entry.name,
            "kind": kind,
            "framework": release,
            "asked": wide.asked,
            "attacks": [a.id for a in narrow.attacks],
            "defenses": [d.id for d in narrow.defenses],
            "papers": [p.id for p in narrow.papers],
            "reasons": {
                "attacks": _reason_entries(wide, wide.attacks),
                "defenses": _reason_entries(wide, wide.defenses),
            },
            "through_subtechniques": {
                "subtechniques": list(wide.via[1:]),
                "attacks": [a.id for a in further_attacks],
                "defenses": [d.id for d in further_defenses],
            },
        }
        if unverified:
            data["unverified"] = list(unverified)
        dump(data, out)
        return
    former = f"; formerly {wide.asked!r}" if wide.renamed else ""
    out.write(f"{entry.id} {entry.name} ({release}{former})\n")
    if unverified:
        out.write(
            f"not confirmed from the publication: {', '.join(unverified)}\n"
        )
    publisher = (
        "NIST"
        if kind.startswith("NIST")
        else "OWASP"
        if kind.startswith("OWASP Top 10 for LLM")
        else "MITRE or OWASP"
    )
    out.write(
        f"{kind}; the mappings below are a curated crosswalk, not an "
        f"official {publisher} mapping\n"
    )
    sections: list[tuple[str, Sequence[Record]]] = [
        (f"attacks mapped to {entry.id}", narrow.attacks),
        (f"defenses mapped to {entry.id}", narrow.defenses),
    ]
    if len(wide.via) > 1:
        subs = ", ".join(wide.via[1:])
        sections += [
            (
                f"attacks mapped through its {members} ({subs})",
                further_attacks,
            ),
            (
                f"defenses mapped through its {members} ({subs})",
                further_defenses,
            ),
        ]
    sections.append(("papers", wide.papers))
    if not any(items for _, items in sections):
        out.write(
            f"\nno attack or defense of the taxonomy is mapped to {entry.id}\n"
        )
    for title, items in sections:
        if not items:
            continue
        out.write(f"\n{title} ({len(items)}):\n")
        width = max((len(item.id) for item in items), default=0)
        for item in items:
            out.write(f"  {item.id:<{width}}  {label(item)}\n")
            if isinstance(item, Attack | Defense):
                out.writelines(
                    f"{line}\n" for line in _reason_lines(wide, item)
                )


# -- search -----------------------------------------------------------------


def _register_search(subparsers: Subparsers) -> None:
    search = subparsers.add_parser(
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
    add_format_option(search)
    search.set_defaults(handler=_search)


def _search(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from dnn_supply_chain._taxonomy import KINDS

    if args.limit < 1:
        msg = "--limit must be at least 1"
        raise UsageError(msg)
    unknown = set(args.kind or ()) - set(KINDS)
    if unknown:
        msg = (
            f"unknown kinds {sorted(unknown)}; choose from {', '.join(KINDS)}"
        )
        raise UsageError(msg)
    text = " ".join(args.text)
    if not text.strip():
        msg = "search names no words; give the words to look for"
        raise UsageError(msg)
    hits = tax.search(text, kinds=args.kind, limit=args.limit)
    if not hits:
        from ._common import PROG
        from ._output import echo

        kinds = " or ".join(
            f"{k}s" if k != "category" else "categories"
            for k in dict.fromkeys(args.kind or ("record",))
        )
        echo(f"{PROG}: no {kinds} match {text!r}", err=True)
    if args.format == "json":
        dump(
            [{"score": h.score, **plain(tax, h.record)} for h in hits],
            out,
        )
        return
    if not hits:
        return
    width = max(len(h.record.id) for h in hits)
    for hit in hits:
        kind = tax.kind_of(hit.record.id)
        out.write(
            f"{hit.record.id:<{width}}  {kind:<8}  {label(hit.record)}\n"
        )


# -- vocabulary -------------------------------------------------------------


def _register_vocabulary(subparsers: Subparsers) -> None:
    vocabulary = subparsers.add_parser(
        "vocabulary",
        help="list the threat types and modalities the filters take",
        description=(
            "List the terms of the taxonomy's vocabulary, which --threat-type "
            "and --modality take: its threat types and modalities, each with "
            "the number of attacks and defenses that use it."
        ),
    )
    add_format_option(vocabulary)
    vocabulary.set_defaults(handler=_vocabulary)


def _vocabulary(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    axes = {
        "threat_types": [
            (
                term,
                len(tax.find_attacks(threat_type=term)),
                len(tax.find_defenses(threat_type=term)),
            )
            for term in tax.vocabulary.threat_types
        ],
        "modalities": [
            (
                term,
                len(tax.find_attacks(modality=term)),
                len(tax.find_defenses(modality=term)),
            )
            for term in tax.vocabulary.modalities
        ],
    }
    if args.format == "json":
        dump(
            {
                axis: [
                    {"term": term, "attacks": attacks, "defenses": defenses}
                    for term, attacks, defenses in rows
                ]
                for axis, rows in axes.items()
            },
            out,
        )
        return
    titles = {"threat_types": "threat type", "modalities": "modality"}
    for i, (axis, rows) in enumerate(axes.items()):
        table = [
            [titles[axis], "attacks", "defenses"],
            *([one_line(t), str(a), str(d)] for t, a, d in rows),
        ]
        width = max(len(row[0]) for row in table)
        out.write("\n" if i else "")
        out.writelines(
            f"{term:<{width}}  {attacks:>7}  {defenses:>8}\n"
            for term, attacks, defenses in table
        )
