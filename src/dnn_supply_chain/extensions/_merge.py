"""
Merging fragments into a taxonomy: ids owned once, links applied, every
rule of the whole taxonomy checked, each problem traced to its fragment.
"""

from __future__ import annotations

import bisect

from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from dnn_supply_chain._integrity import check_records
from dnn_supply_chain._records import (
    BUNDLED,
    COLLECTIONS,
    KIND_OF_COLLECTION,
    Attributes,
    CounterEvidence,
    ExtensionInfo,
    Provenance,
    Record,
    Stage,
    Vocabulary,
)
from dnn_supply_chain._taxonomy import Taxonomy
from dnn_supply_chain._text import article as _a
from dnn_supply_chain.exceptions import Location, Problem

from ._fragments import Fragment


__all__ = ["Part", "combine"]

_LINK_FIELDS: Final = {
    "next": ("stage", "stage"),
    "papers": ("attack or defense", "paper"),
    "attacks": ("defense", "attack"),
}


@attrs.frozen
class Part:
    """
    One fragment on its way into a taxonomy.
    """

    info: ExtensionInfo
    fragment: Fragment
    source: str


def _label(owner: Part | None) -> str:
    return (
        "the bundled taxonomy"
        if owner is None
        else f"extension {owner.info.label}"
    )


def _topological(stages: Sequence[Stage]) -> list[Stage]:
    # Kahn's algorithm; among the stages that are ready, the one listed
    # first goes first, so the bundled lifecycle keeps its order.
    index = {s.id: i for i, s in enumerate(stages)}
    indegree = dict.fromkeys(index, 0)
    for stage in stages:
        for nxt in stage.next:
            if nxt in indegree:
                indegree[nxt] += 1
    ready = sorted(i for sid, i in index.items() if indegree[sid] == 0)
    order: list[Stage] = []
    while ready:
        stage = stages[ready.pop(0)]
        order.append(stage)
        for nxt in stage.next:
            if nxt in indegree:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(index[nxt])
                    ready.sort()
    # A cycle leaves stages behind; check_records reports it.
    order.extend(s for s in stages if s not in order)
    return order


def combine(
    base: Taxonomy, parts: Sequence[Part]
) -> tuple[Taxonomy | None, dict[int, list[Problem]]]:
    """
    Merge *parts* into *base*; return the taxonomy, or the problems of each
    part (by position) that prevent it.
    """
    failures: dict[int, list[Problem]] = {}

    def fail(
        n: int, location: Location, message: str, record: str | None = None
    ) -> None:
        failures.setdefault(n, []).append(
            Problem(
                source=parts[n].source,
                location=location,
                record=record,
                message=message,
            )
        )

    def source_of(n: int | None) -> Any:
        return base if n is None else parts[n].fragment

    kinds = KIND_OF_COLLECTION
    # id -> (part or None for bundled, collection, index)
    owner: dict[str, tuple[int | None, str, int]] = {}
    kind_of: dict[str, str] = {}
    for collection in COLLECTIONS:
        kind = kinds[collection]
        for i, rec in enumerate(getattr(base, collection)):
            owner[rec.id] = (None, collection, i)
            kind_of[rec.id] = kind
    # Namespaces of the extensions merged into base already (when a
    # fragment is validated against the installed extensions).
    taken = {
        info.namespace: info
        for info in base.extensions
        if info.status == "loaded" and info.namespace is not None
    }
    namespaces: dict[str, int] = {}
    for n, part in enumerate(parts):
        ns = part.fragment.namespace
        if ns in taken:
            fail(
                n,
                ("namespace",),
                f"namespace {ns!r} belongs to the installed extension "
                f"{taken[ns].label}: choose another namespace, or uninstall "
                "that extension to check this fragment as its replacement",
            )
            continue
        for i, paper in enumerate(part.fragment.papers):
            if paper.listing is not None:
                fail(
                    n,
                    ("papers", i, "listing"),
                    "an extension's paper has no 'listing': it says how the "
                    "survey's own listing shows a paper; leave it out",
                    paper.id,
                )
        if ns in namespaces:
            first = parts[namespaces[ns]]
            fail(
                n,
                ("namespace",),
                f"namespace {ns!r} is declared by {_label(first)} too: each extension needs its own",
            )
        else:
            namespaces[ns] = n
        prefix = f"{ns}:"
        for collection in COLLECTIONS:
            kind = kinds[collection]
            for i, rec in enumerate(getattr(part.fragment, collection)):
                rec_id = rec.id
                if rec_id in owner:
                    first_n, first_collection, first_i = owner[rec_id]
                    earlier = None if first_n is None else parts[first_n]
                    what = (
                        "redefines an id of"
                        if earlier is None
                        else "defines the same id as"
                    )
                    fail(
                        n,
                        (collection, i, "id"),
                        f"{_label(part)} {what} {_label(earlier)} "
                        f"({first_collection}[{first_i}]): {rec_id!r}",
                        rec_id,
                    )
                    continue
                if not rec_id.startswith(prefix):
                    slug = rec_id.rpartition(":")[2]
                    fail(
                        n,
                        (collection, i, "id"),
                        f"ids of this extension start with {prefix!r}: "
                        f"rename {rec_id!r} to '{prefix}{slug}'",
                        rec_id,
                    )
                    continue
                owner[rec_id] = (n, collection, i)
                kind_of[rec_id] = kind

    # Links: check them, gather their changes by record, then apply each
    # record's changes at once (validated, once per record).
    changed: dict[str, dict[str, Any]] = {}

    def find(rec_id: str) -> Record | None:
        found = owner.get(rec_id)
        if found is None or (found[0] is not None and found[0] in failures):
            return None
        record: Record = getattr(source_of(found[0]), found[1])[found[2]]
        return record

    def find_owned(rec_id: str) -> Record:
        found = owner[rec_id]
        record: Record = getattr(source_of(found[0]), found[1])[found[2]]
        return record

    extended_by: dict[str, list[str]] = {}
    # record id -> (part, link index, fields changed) of the links applied
    links_on: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    attribute_owner: dict[tuple[str, str], int] = {}
    for n, part in enumerate(parts):
        if n in failures:
            continue
        for i, link in enumerate(part.fragment.links):
            path: Location = ("links", i)
            target = find(link.record)
            if target is None:
                fail(n, (*path, "record"), f"no record has id {link.record!r}")
                continue
            pending = changed.get(link.record, {})
            kind = kind_of[link.record]
            changes: dict[str, Any] = {}
            for name, (target_kind, value_kind) in _LINK_FIELDS.items():
                values: tuple[str, ...] = getattr(link, name)
                if not values:
                    continue
                if kind not in target_kind.split(" or "):
                    fail(
                        n,
                        (*path, name),
                        f"{name!r} extends {target_kind}s, and {link.record!r} is {_a(kind)}",
                    )
                    continue
                for j, value in enumerate(values):
                    found_kind = kind_of.get(value)
                    if found_kind is None:
                        fail(
                            n,
                            (*path, name, j),
                            f"unknown {value_kind} {value!r}",
                        )
                    elif found_kind != value_kind:
                        fail(
                            n,
                            (*path, name, j),
                            f"{value!r} is {_a(found_kind)}, not {_a(value_kind)}",
                        )
                current: tuple[str, ...] = pending.get(
                    name, getattr(target, name)
                )
                known = set(current)
                changes[name] = current + tuple(
                    v for v in values if v not in known
                )
            for key in link.attributes:
                first_owner = attribute_owner.setdefault((link.record, key), n)
                if first_owner != n or key in target.attributes:
                    fail(
                        n,
                        (*path, "attributes", key),
                        f"{link.record!r} already has attribute {key!r}",
                    )
            if link.attributes:
                changes["attributes"] = {
                    **pending.get("attributes", target.attributes).to_json(),
                    **link.attributes.to_json(),
                }
            if n in failures:
                continue
            if "attributes" in changes:
                changes["attributes"] = Attributes(changes["attributes"])
            changed[link.record] = {**pending, **changes}
            extended_by.setdefault(link.record, []).append(part.info.name)
            links_on.setdefault(link.record, []).append((n, i, tuple(changes)))
    if failures:
        return None, failures
    modified = {
        rec_id: attrs.evolve(find_owned(rec_id), **changes)
        for rec_id, changes in changed.items()
    }

    # Whole-taxonomy checks, each problem traced back to its part.
    active = [n for n in range(len(parts)) if n not in failures]
    vocabulary = Vocabulary(
        threat_types=_union(
            base.vocabulary.threat_types,
            *(parts[n].fragment.vocabulary.threat_types for n in active),
        ),
        modalities=_union(
            base.vocabulary.modalities,
            *(parts[n].fragment.vocabulary.modalities for n in active),
        ),
    )
    collections: dict[str, tuple[Record, ...]] = {}
    # Per collection: (start, part or None) of each source's run.
    runs: dict[str, list[tuple[int, int | None]]] = {}
    for collection in COLLECTIONS:
        items: list[Record] = []
        runs[collection] = spans = []
        sources: list[int | None] = [None, *active]
        for source_n in sources:
            spans.append((len(items), source_n))
            items.extend(getattr(source_of(source_n), collection))
        if modified:
            items = [modified.get(rec.id, rec) for rec in items]
        collections[collection] = tuple(items)

    def owner_of(collection: str, index: int) -> tuple[int | None, int]:
        """
        The part (None for bundled) whose record *index* of the merged
        *collection* is, and its index there.
        """
        spans = runs[collection]
        pos = bisect.bisect_right(spans, index, key=lambda span: span[0]) - 1
        start, n = spans[pos]
        return n, index - start

    evidence, origins = _gather_evidence(base, parts, active)
    problems = check_records(
        source="",
        vocabulary=vocabulary,
        survey=base.survey,
        records=collections,
        kind_of=kind_of,
        evidence=[
            (("counter_evidence", k), link) for k, link in enumerate(evidence)
        ],
    )
    linkers = [
        n
        for n in active
        if parts[n].fragment.links or parts[n].fragment.stages
    ]
    next_links: list[tuple[int, int, tuple[str, ...]]] = [
        (n, i, ("next",))
        for n in active
        for i, link in enumerate(parts[n].fragment.links)
        if link.next
    ]
    for problem in problems:
        location = problem.location
        if location[:1] == ("counter_evidence",) and len(location) > 1:
            # Evidence is blamed on the part that wrote it, where it did.
            origin, where = origins[int(location[1])]
            if where[:1] == ("counter_evidence",):
                where = (*where, *location[2:])
            fail(
                active[-1] if origin is None else origin,
                where,
                problem.message,
                problem.record,
            )
            continue
        # Problems of records are at (collection, index, field, ...).
        in_record = (
            len(location) >= 2  # noqa: PLR2004
            and isinstance(location[0], str)
            and isinstance(location[1], int)
        )
        field = (
            location[2]
            if in_record and len(location) > 2  # noqa: PLR2004
            else ""
        )
        applied = links_on.get(problem.record or "", [])
        by_link = [a for a in applied if field in a[2]]
        if problem.record is None and location == ("stages",) and next_links:
            # A cycle in the lifecycle: a link that adds a `next` made it.
            by_link = next_links
        owner_n: int | None = None
        if in_record:
            owner_n, local = owner_of(str(location[0]), int(location[1]))
            location = (location[0], local, *location[2:])
        if by_link:
            # The record is fine as its owner wrote it: the link that
            # changed it is to blame, at the link's own location.
            blamed, i, _ = by_link[-1]
            location = ("links", i, str(field) or "next")
        elif owner_n is not None:
            blamed = owner_n
        elif linkers:
            # A problem in bundled records (a cycle, a stage made
            # unreachable) comes from a link: blame the last linker.
            blamed = linkers[-1]
        else:
            blamed = active[-1]
        fail(blamed, location, problem.message, problem.record)
    if failures:
        return None, failures

    # One Provenance per part, shared by its records; bundled records
    # have none (BUNDLED is the default), but for those extended.
    of_part = [
        Provenance(
            source=part.info.distribution,
            version=part.info.version,
            extension=part.info.name,
        )
        for part in parts
    ]
    # Keyed by "namespace:" for a part's own records (their ids carry the
    # namespace), and by id for records that links extended.
    provenance: dict[str, Provenance] = {
        f"{parts[n].fragment.namespace}:": of_part[n] for n in active
    }
    for rec_id, names in extended_by.items():
        owner_n = owner[rec_id][0]
        provenance[rec_id] = attrs.evolve(
            BUNDLED if owner_n is None else of_part[owner_n],
            extended_by=tuple(names),
        )
    collections["stages"] = tuple(_topological(collections["stages"]))  # type: ignore[arg-type]
    merged = Taxonomy._checked(  # noqa: SLF001 - checked above
        vocabulary=vocabulary,
        survey=base.survey,
        atlas_version=base.atlas_version,
        deprecated=base.deprecated,
        manifest=base.manifest,
        provenance=provenance,
        evidence=tuple(evidence),
        **collections,
    )
    return merged, {}


def _gather_evidence(
    base: Taxonomy, parts: Sequence[Part], active: Sequence[int]
) -> tuple[list[CounterEvidence], list[tuple[int | None, Location]]]:
    """
    The counter evidence of the merged taxonomy, with where each link came
    from (part, or None for *base*, and its location there).

    The deprecated lists of countered attacks (a defense's ``attacks``, a
    link's ``attacks``) are read as ``claimed`` evidence whose source is
    the extension, unless the pair has evidence already.
    """
    evidence: list[CounterEvidence] = list(base.evidence)
    origins: list[tuple[int | None, Location]] = [
        (None, ("counter_evidence", i)) for i in range(len(base.evidence))
    ]
    for n in active:
        fragment = parts[n].fragment
        for i, link in enumerate(fragment.counter_evidence):
            evidence.append(link)
            origins.append((n, ("counter_evidence", i)))
    linked = {(link.defense, link.attack) for link in evidence}
    for n in active:
        part = parts[n]
        listed: list[tuple[str, str, Location]] = [
            (dfn.id, attack, ("defenses", i, "attacks", j))
            for i, dfn in enumerate(part.fragment.defenses)
            for j, attack in enumerate(dfn.attacks)
        ]
        listed += [
            (link.record, attack, ("links", i, "attacks", j))
            for i, link in enumerate(part.fragment.links)
            for j, attack in enumerate(link.attacks)
        ]
        for defense, attack, where in listed:
            if (defense, attack) in linked:
                continue
            linked.add((defense, attack))
            evidence.append(
                CounterEvidence(
                    defense=defense,
                    attack=attack,
                    basis="claimed",
                    evidence=(
                        f"{part.source} lists {attack!r} among the attacks "
                        f"{defense!r} counters."
                    ),
                    source=part.source,
                    caveat=(
                        "Read from a deprecated list of countered attacks: "
                        "the extension names no evidence of its own."
                    ),
                )
            )
            origins.append((n, where))
    return evidence, origins


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for group in groups for term in group))
