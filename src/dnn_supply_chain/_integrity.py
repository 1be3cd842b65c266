"""
The rules that span records: ids unique across kinds, references that
resolve, vocabulary terms that are known, papers that are used, a
lifecycle without cycles.  Field rules live with the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ._records import (
    COLLECTIONS,
    KIND_OF_TYPE,
    Attack,
    Category,
    CounterEvidence,
    Defense,
    Deprecation,
    Record,
    Stage,
    Vocabulary,
)
from ._text import article as _a
from ._text import suggest
from .exceptions import Location, Problem, format_location


__all__ = ["check_records"]


def check_records(
    *,
    source: str,
    vocabulary: Vocabulary,
    survey: str | None,
    records: Mapping[str, Sequence[Record]],
    location_of: Callable[[str, int], Location] | None = None,
    kind_of: Mapping[str, str] | None = None,
    unreadable: Mapping[str, str] | None = None,
    cited: Iterable[str] = (),
    deprecated: Sequence[tuple[Location, Deprecation]] = (),
    evidence: Sequence[tuple[Location, CounterEvidence]] = (),
) -> list[Problem]:
    """
    Return every cross-record problem: duplicate ids, dangling references,
    unknown vocabulary terms, unused papers, a cyclic lifecycle.

    *records* maps each collection name (``"stages"``...) to its records;
    *location_of* tells where record *i* of a collection sits in its file
    (default ``(collection, i)``); it is called only to report a problem.
    *kind_of*, the kind of every id, may be given by a caller that has
    already checked the ids are unique.  *unreadable* maps the ids of records that could not be read (already
    reported) to their kinds, and *cited* lists the papers they cite, so
    that their problems are not reported again as dangling references.
    """
    problems: list[Problem] = []

    def add(location: Location, record: str | None, message: str) -> None:
        problems.append(
            Problem(
                source=source,
                location=location,
                record=record,
                message=message,
            )
        )

    where = location_of or _default_location
    if kind_of is None:
        kinds: dict[str, str] = dict(unreadable or {})
        first: dict[str, tuple[str, int] | None] = dict.fromkeys(kinds)
        for collection in COLLECTIONS:
            for i, rec in enumerate(records.get(collection, ())):
                if rec.id in kinds:
                    earlier = first[rec.id]
                    shown = (
                        "an unreadable record"
                        if earlier is None
                        else format_location(where(*earlier))
                    )
                    add(
                        (*where(collection, i), "id"),
                        rec.id,
                        f"duplicate id: {shown} already defines "
                        f"{rec.id!r} (a {kinds[rec.id]}); ids are unique "
                        "across all kinds of record",
                    )
                    continue
                kinds[rec.id] = KIND_OF_TYPE[type(rec)]
                first[rec.id] = (collection, i)
        kind_of = kinds

    def ref(  # noqa: PLR0917 - a private helper
        prefix: tuple[str, int] | None,
        field: str | None,
        index: int | None,
        owner: str | None,
        value: str,
        kind: str,
    ) -> None:
        found = kind_of.get(value)
        if found == kind:
            return
        # The location is worked out only for a problem: most references
        # are fine.
        head = ("survey",) if prefix is None else where(*prefix)
        path: Location = (
            *head,
            *(() if field is None else (field,)),
            *(() if index is None else (index,)),
        )
        if found is None:
            near = suggest(value, [k for k, v in kind_of.items() if v == kind])
            hint = f"; did you mean {near[0]!r}?" if near else ""
            add(path, owner, f"unknown {kind} {value!r}{hint}")
        else:
            add(path, owner, f"{value!r} is {_a(found)}, not {_a(kind)}")

    threat_types = frozenset(vocabulary.threat_types)
    modalities = frozenset(vocabulary.modalities)

    def terms(  # noqa: PLR0917 - a private helper
        prefix: tuple[str, int],
        field: str,
        owner: str,
        values: Iterable[str],
        known: tuple[str, ...],
        what: str,
    ) -> None:
        known_set = threat_types if what == "threat type" else modalities
        for i, value in enumerate(values):
            if value not in known_set:
                near = suggest(value, known)
                hint = (
                    f"; did you mean {near[0]!r}?"
                    if near
                    else f"; known: {', '.join(known)}"
                )
                add(
                    (*where(*prefix), field, i),
                    owner,
                    f"unknown {what} {value!r}{hint}",
                )

    used_papers: set[str] = set(cited)
    if survey is not None:
        if kind_of.get(survey) != "paper":
            ref(None, None, None, None, survey, "paper")
        used_papers.add(survey)

    stage_of_category: dict[str, str] = {}
    for n, cat in enumerate(records.get("categories", ())):
        assert isinstance(cat, Category)  # noqa: S101
        ref(("categories", n), "stage", None, cat.id, cat.stage, "stage")
        stage_of_category[cat.id] = cat.stage

    nexts: dict[str, tuple[str, ...]] = {}
    for n, stage in enumerate(records.get("stages", ())):
        assert isinstance(stage, Stage)  # noqa: S101
        nexts[stage.id] = stage.next
        for i, nxt in enumerate(stage.next):
            ref(("stages", n), "next", i, stage.id, nxt, "stage")
            if nxt == stage.id:
                add(
                    (*where("stages", n), "next", i),
                    stage.id,
                    "a stage cannot follow itself",
                )
    cycle = _find_cycle(nexts)
    if cycle:
        add(
            ("stages",),
            None,
            "the lifecycle has a cycle: " + " -> ".join(cycle),
        )

    for collection in ("attacks", "defenses"):
        for n, rec in enumerate(records.get(collection, ())):
            assert isinstance(rec, Attack | Defense)  # noqa: S101
            path = (collection, n)
            ref(path, "stage", None, rec.id, rec.stage, "stage")
            if isinstance(rec, Attack):
                if rec.category is not None:
                    ref(
                        path,
                        "category",
                        None,
                        rec.id,
                        rec.category,
                        "category",
                    )
                    owner_stage = stage_of_category.get(rec.category)
                    if (
                        owner_stage is not None
                        and owner_stage != rec.stage
                        and kind_of.get(rec.stage) == "stage"
                    ):
                        add(
                            (*where(*path), "category"),
                            rec.id,
                            f"category {rec.category!r} belongs to stage "
                            f"{owner_stage!r}, not {rec.stage!r}",
                        )
                terms(
                    path,
                    "threat_types",
                    rec.id,
                    rec.threat_types,
                    vocabulary.threat_types,
                    "threat type",
                )
            else:
                terms(
                    path,
                    "counters",
                    rec.id,
                    rec.counters,
                    vocabulary.threat_types,
                    "threat type",
                )
                for i, attack in enumerate(rec.attacks):
                    ref(path, "attacks", i, rec.id, attack, "attack")
            terms(
                path,
                "modalities",
                rec.id,
                rec.modalities,
                vocabulary.modalities,
                "modality",
            )
            if not rec.papers:
                add(
                    (*where(*path), "papers"),
                    rec.id,
                    "lists no paper; name at least the paper that introduced it",
                )
            for i, paper in enumerate(rec.papers):
                ref(path, "papers", i, rec.id, paper, "paper")
                used_papers.add(paper)

    linked: dict[tuple[str, str], Location] = {}
    for where_link, link in evidence:
        for field, value, kind in (
            ("defense", link.defense, "defense"),
            ("attack", link.attack, "attack"),
        ):
            found = kind_of.get(value)
            if found == kind:
                continue
            if found is None:
                near = suggest(
                    value, [k for k, v in kind_of.items() if v == kind]
                )
                hint = f"; did you mean {near[0]!r}?" if near else ""
                message = f"unknown {kind} {value!r}{hint}"
            else:
                message = f"{value!r} is {_a(found)}, not {_a(kind)}"
            add((*where_link, field), None, message)
        pair = (link.defense, link.attack)
        if pair in linked:
            add(
                where_link,
                None,
                f"{format_location(linked[pair])} already links defense "
                f"{link.defense!r} to attack {link.attack!r}; give each "
                "pair one entry, with its strongest basis",
            )
        else:
            linked[pair] = where_link

    seen_deprecated: set[str] = set()
    for dep_path, dep in deprecated:
        if dep.id in kind_of:
            add(
                (*dep_path, "id"),
                dep.id,
                f"{dep.id!r} is deprecated, so it cannot name a record: "
                "a released id is never reused",
            )
        if dep.id in seen_deprecated:
            add((*dep_path, "id"), dep.id, f"{dep.id!r} is deprecated twice")
        seen_deprecated.add(dep.id)
        for i, successor in enumerate(dep.successors):
            if successor not in kind_of:
                near = suggest(successor, list(kind_of))
                hint = f"; did you mean {near[0]!r}?" if near else ""
                add(
                    (*dep_path, "successors", i),
                    dep.id,
                    f"successor {successor!r} names no record{hint}",
                )

    for n, rec in enumerate(records.get("papers", ())):
        if rec.id not in used_papers:
            add(
                where("papers", n),
                rec.id,
                "paper is not used by any attack or defense; cite it from one or remove it",
            )
    return problems


def _default_location(collection: str, index: int) -> Location:
    return (collection, index)


def _find_cycle(nexts: Mapping[str, tuple[str, ...]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in nexts.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt in nexts and nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in nexts:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
