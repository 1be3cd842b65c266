"""
The Taxonomy: all records, the indexes built once over them, and the
queries.  No I/O happens here.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import re
import threading
import warnings

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import attrs

from attrs import field

from ._records import (
    Attack,
    Category,
    Defense,
    Deprecation,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._text import article as _a
from ._text import suggest
from .exceptions import Problem, TaxonomyDataError, UnknownIdError


if TYPE_CHECKING:
    from ._packaged import Manifest
    from .crosswalk import CrosswalkMatch
    from .extensions import ExtensionInfo, Provenance


__all__ = ["KINDS", "SearchHit", "Taxonomy"]

#: The kinds of record, in the order a taxonomy lists them.
KINDS = ("stage", "category", "attack", "defense", "paper")

_KIND_OF_TYPE: dict[type, str] = {
    Stage: "stage",
    Category: "category",
    Attack: "attack",
    Defense: "defense",
    Paper: "paper",
}
_COLLECTIONS = {
    "stage": "stages",
    "category": "categories",
    "attack": "attacks",
    "defense": "defenses",
    "paper": "papers",
}

R = TypeVar("R", Stage, Category, Attack, Defense, Paper)
YearRange = int | tuple[int | None, int | None]


@attrs.frozen
class SearchHit:
    """
    One result of :meth:`Taxonomy.search`.

    Attributes:
        record: The record found.
        score: Its relevance; higher is better.  Only the order of scores
            within one search is meaningful.

    .. versionadded:: 0.1.0
    """

    record: Record
    score: float


def _readonly(
    mapping: Mapping[str, Provenance],
) -> Mapping[str, Provenance]:
    return MappingProxyType(dict(mapping))


_TRUSTED: ContextVar[bool] = ContextVar("_TRUSTED", default=False)


@contextlib.contextmanager
def trusted() -> Iterator[None]:
    """
    Within this block, Taxonomy() skips its checks: for loaders that have
    just run :func:`check_records` themselves.
    """
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def check_records(
    *,
    source: str,
    vocabulary: Vocabulary,
    survey: str | None,
    records: Mapping[str, Sequence[Record]],
    path_of: Callable[[str, int], str] | None = None,
    kind_of: Mapping[str, str] | None = None,
    unreadable: Mapping[str, str] | None = None,
    cited: Iterable[str] = (),
    deprecated: Sequence[tuple[str, Deprecation]] = (),
) -> list[Problem]:
    """
    Return every cross-record problem: duplicate ids, dangling references,
    unknown vocabulary terms, unused papers, a cyclic lifecycle.

    *records* maps each collection name (``"stages"``...) to its records;
    *path_of* tells where record *i* of a collection sits in its file
    (default ``collection[i]``); it is called only to report a problem.
    *kind_of*, the kind of every id, may be given by a caller that has
    already checked the ids are unique.  *unreadable* maps the ids of records that could not be read (already
    reported) to their kinds, and *cited* lists the papers they cite, so
    that their problems are not reported again as dangling references.
    """
    problems: list[Problem] = []

    def add(path: str, record: str | None, message: str) -> None:
        problems.append(
            Problem(source=source, path=path, record=record, message=message)
        )

    where = path_of or _default_path
    if kind_of is None:
        kinds: dict[str, str] = dict(unreadable or {})
        first: dict[str, tuple[str, int] | None] = dict.fromkeys(kinds)
        for collection in (
            "stages",
            "categories",
            "attacks",
            "defenses",
            "papers",
        ):
            for i, rec in enumerate(records.get(collection, ())):
                if rec.id in kinds:
                    earlier = first[rec.id]
                    shown = (
                        "an unreadable record"
                        if earlier is None
                        else where(*earlier)
                    )
                    add(
                        f"{where(collection, i)}.id",
                        rec.id,
                        f"duplicate id: {shown} already defines "
                        f"{rec.id!r} (a {kinds[rec.id]}); ids are unique "
                        "across all kinds of record",
                    )
                    continue
                kinds[rec.id] = _KIND_OF_TYPE[type(rec)]
                first[rec.id] = (collection, i)
        kind_of = kinds

    def ref(  # noqa: PLR0917 - a private helper
        prefix: str | tuple[str, int],
        field: str,
        index: int | None,
        owner: str | None,
        value: str,
        kind: str,
    ) -> None:
        found = kind_of.get(value)
        if found == kind:
            return
        # The path is spelt out only for a problem: most references are
        # fine, and formatting every path costs more than the check.
        head = prefix if isinstance(prefix, str) else where(*prefix)
        path = head + field + ("" if index is None else f"[{index}]")
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
                    f"{where(*prefix)}{field}[{i}]",
                    owner,
                    f"unknown {what} {value!r}{hint}",
                )

    used_papers: set[str] = set(cited)
    if survey is not None:
        if kind_of.get(survey) != "paper":
            ref("survey", "", None, None, survey, "paper")
        used_papers.add(survey)

    stage_of_category: dict[str, str] = {}
    for n, cat in enumerate(records.get("categories", ())):
        assert isinstance(cat, Category)  # noqa: S101
        ref(("categories", n), ".stage", None, cat.id, cat.stage, "stage")
        stage_of_category[cat.id] = cat.stage

    nexts: dict[str, tuple[str, ...]] = {}
    for n, stage in enumerate(records.get("stages", ())):
        assert isinstance(stage, Stage)  # noqa: S101
        nexts[stage.id] = stage.next
        for i, nxt in enumerate(stage.next):
            ref(("stages", n), ".next", i, stage.id, nxt, "stage")
            if nxt == stage.id:
                add(
                    f"{where('stages', n)}.next[{i}]",
                    stage.id,
                    "a stage cannot follow itself",
                )
    cycle = _find_cycle(nexts)
    if cycle:
        add("stages", None, "the lifecycle has a cycle: " + " -> ".join(cycle))

    for collection in ("attacks", "defenses"):
        for n, rec in enumerate(records.get(collection, ())):
            assert isinstance(rec, Attack | Defense)  # noqa: S101
            path = (collection, n)
            ref(path, ".stage", None, rec.id, rec.stage, "stage")
            if isinstance(rec, Attack):
                if rec.category is not None:
                    ref(
                        path,
                        ".category",
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
                            f"{where(*path)}.category",
                            rec.id,
                            f"category {rec.category!r} belongs to stage "
                            f"{owner_stage!r}, not {rec.stage!r}",
                        )
                terms(
                    path,
                    ".threat_types",
                    rec.id,
                    rec.threat_types,
                    vocabulary.threat_types,
                    "threat type",
                )
            else:
                terms(
                    path,
                    ".counters",
                    rec.id,
                    rec.counters,
                    vocabulary.threat_types,
                    "threat type",
                )
                for i, attack in enumerate(rec.attacks):
                    ref(path, ".attacks", i, rec.id, attack, "attack")
            terms(
                path,
                ".modalities",
                rec.id,
                rec.modalities,
                vocabulary.modalities,
                "modality",
            )
            if not rec.papers:
                add(
                    f"{where(*path)}.papers",
                    rec.id,
                    "lists no paper; name at least the paper that introduced it",
                )
            for i, paper in enumerate(rec.papers):
                ref(path, ".papers", i, rec.id, paper, "paper")
                used_papers.add(paper)

    seen_deprecated: set[str] = set()
    for dep_path, dep in deprecated:
        if dep.id in kind_of:
            add(
                f"{dep_path}.id",
                dep.id,
                f"{dep.id!r} is deprecated, so it cannot name a record: "
                "a released id is never reused",
            )
        if dep.id in seen_deprecated:
            add(f"{dep_path}.id", dep.id, f"{dep.id!r} is deprecated twice")
        seen_deprecated.add(dep.id)
        for i, successor in enumerate(dep.successors):
            if successor not in kind_of:
                near = suggest(successor, list(kind_of))
                hint = f"; did you mean {near[0]!r}?" if near else ""
                add(
                    f"{dep_path}.successors[{i}]",
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


def _default_path(collection: str, index: int) -> str:
    return f"{collection}[{index}]"


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


_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _normal(text: str) -> str:
    return " ".join(_tokens(text))


class _SearchIndex:
    """
    An inverted index over names, titles and summaries.
    """

    __slots__ = ("_exact", "_postings", "_records", "_size")

    _FIELD_WEIGHTS = (("name", 3.0), ("body", 1.0))

    def __init__(self, records: Sequence[Record]) -> None:
        self._records = records
        self._size = len(records)
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        # normalised name -> {position: the names as written}
        self._exact: dict[str, dict[int, set[str]]] = defaultdict(dict)
        for pos, rec in enumerate(records):
            names, body = _search_fields(rec)
            for name in names:
                self._exact[_normal(name)].setdefault(pos, set()).add(name)
            for text, weight in ((" ".join(names), 3.0), (body, 1.0)):
                for token in set(_tokens(text)):
                    posting = self._postings[token]
                    posting[pos] = posting.get(pos, 0.0) + weight

    def search(
        self, text: str, limit: int | None = None
    ) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        postings = [
            p for p in (self._postings.get(t) for t in set(_tokens(text))) if p
        ]
        # Words in most records ("attack") say little about relevance and
        # cost a pass over everything: drop them when the query has a
        # word that is rare enough to rank by.
        rare = [p for p in postings if len(p) <= self._size // 10]
        if rare and len(postings) > len(rare):
            postings = [p for p in postings if len(p) <= self._size // 2]
        for posting in postings:
            idf = math.log(1 + self._size / len(posting))
            for pos, weight in posting.items():
                scores[pos] += weight * idf
        # A name equal to the query wins; written exactly so, it wins ties
        # between names that differ only in case or punctuation.
        for pos, names in self._exact.get(_normal(text), {}).items():
            scores[pos] += 1000.0 + (500.0 if text.strip() in names else 0.0)
        key = lambda item: (-item[1], item[0])  # noqa: E731 - used twice
        if limit is not None:
            return heapq.nsmallest(limit, scores.items(), key=key)
        return sorted(scores.items(), key=key)


def _search_fields(rec: Record) -> tuple[list[str], str]:
    if isinstance(rec, Paper):
        return [rec.title, rec.id], " ".join(rec.authors)
    if isinstance(rec, Stage):
        return [rec.name, rec.name_zh, rec.id], rec.description
    if isinstance(rec, Category):
        return [rec.name, rec.name_zh, rec.id], ""
    return [rec.name, rec.id], rec.summary


@attrs.frozen(kw_only=True)
class Taxonomy:
    """
    The whole taxonomy: records of every kind, the indexes over them and
    the queries.

    Get the bundled one with :func:`dnn_supply_chain.load`.  Constructing a
    taxonomy checks it: every id is unique across kinds, every reference
    resolves, every vocabulary term is known and every paper is used, or a
    :class:`~dnn_supply_chain.TaxonomyDataError` lists all problems.

    Attributes:
        stages: The lifecycle stages, in lifecycle order.
        categories: The attack sub-categories, in survey order.
        attacks: The attacks, in survey order.
        defenses: The defenses, in survey order.
        papers: The papers, in survey order; the survey itself last.
        vocabulary: The threat types and modalities records may use.
        survey: The id of the survey's own paper, if any.
        atlas_version: The MITRE ATLAS release the crosswalk was made
            against.
        deprecated: Ids that no longer name a record, and their
            successors; :meth:`get` follows them with a warning.
        manifest: What the bundled data is (versions, counts, checksums),
            for the taxonomy :func:`dnn_supply_chain.load` returns.
        extensions: The installed extensions and what became of each
            (loaded, skipped, not selected); empty when none is installed.

    .. versionadded:: 0.1.0
    """

    stages: tuple[Stage, ...]
    categories: tuple[Category, ...] = ()
    attacks: tuple[Attack, ...] = ()
    defenses: tuple[Defense, ...] = ()
    papers: tuple[Paper, ...] = ()
    vocabulary: Vocabulary = field(factory=Vocabulary)
    survey: str | None = None
    atlas_version: str | None = None
    deprecated: tuple[Deprecation, ...] = ()
    _provenance: Mapping[str, Provenance] = field(
        factory=dict,
        converter=_readonly,
        eq=False,
        repr=False,
        hash=False,
    )
    extensions: tuple[ExtensionInfo, ...] = field(
        default=(), eq=False, repr=False, hash=False
    )
    manifest: Manifest | None = field(
        default=None, eq=False, repr=False, hash=False
    )
    _index: _Index = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        if _TRUSTED.get():
            object.__setattr__(self, "_index", _Index(self))
            return
        problems = check_records(
            source="<Taxonomy>",
            vocabulary=self.vocabulary,
            survey=self.survey,
            deprecated=[
                (f"deprecated[{i}]", d) for i, d in enumerate(self.deprecated)
            ],
            records={
                collection: getattr(self, collection)
                for collection in _COLLECTIONS.values()
            },
        )
        if problems:
            raise TaxonomyDataError(problems)
        object.__setattr__(self, "_index", _Index(self))

    # -- lookup -----------------------------------------------------------

    def __contains__(self, id: object) -> bool:  # noqa: A002
        """
        Tell whether *id* names a record of this taxonomy.
        """
        return id in self._index.by_id

    def get(self, id: str) -> Record:  # noqa: A002
        """
        Return the record with *id*, of any kind.

        A deprecated id that was renamed or merged gives its successor,
        with a :class:`DeprecationWarning` that names it.

        Raises:
            UnknownIdError: No record has that id (the message names the
                closest ids), or the id was split (the message names the
                ids it was split into).
        """
        try:
            return self._index.by_id[id]
        except (KeyError, TypeError):
            successor = self._follow(id, "record", stacklevel=3)
            if successor is None:
                raise self._unknown(id, "record") from None
            return self._index.by_id[successor]

    def successor_of(self, id: str) -> tuple[str, ...]:  # noqa: A002
        """
        Return the ids that replace the deprecated *id*; empty when *id* is
        not deprecated.

        .. versionadded:: 0.1.0
        """
        dep = self._index.deprecated.get(id)
        return () if dep is None else dep.successors

    def _follow(
        self,
        id: object,  # noqa: A002
        kind: str,
        *,
        stacklevel: int,
    ) -> str | None:
        """
        The successor of a deprecated *id*, after warning; None if *id* is
        not deprecated.
        """
        dep = self._index.deprecated.get(id) if isinstance(id, str) else None
        if dep is None:
            return None
        names = " and ".join(repr(s) for s in dep.successors)
        if dep.change == "split":
            raise UnknownIdError(
                dep.id,
                kind=kind,
                detail=f"it was split into {names} in {dep.since}; use one of them",
            )
        warnings.warn(
            f"{dep.id!r} was {dep.change} in {dep.since}; use {names}",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        return dep.successors[0]

    def kind_of(self, id: str) -> str:  # noqa: A002
        """
        Return the kind of the record with *id*: one of :data:`KINDS`.

        Raises:
            UnknownIdError: No record has that id.
        """
        return _KIND_OF_TYPE[type(self.get(id))]

    def stage(self, id: str) -> Stage:  # noqa: A002
        """
        Return the stage with *id*.

        Raises:
            UnknownIdError: No stage has that id.
        """
        return self._typed(id, Stage)

    def category(self, id: str) -> Category:  # noqa: A002
        """
        Return the attack category with *id*.

        Raises:
            UnknownIdError: No category has that id.
        """
        return self._typed(id, Category)

    def attack(self, id: str) -> Attack:  # noqa: A002
        """
        Return the attack with *id*.

        Raises:
            UnknownIdError: No attack has that id.
        """
        return self._typed(id, Attack)

    def defense(self, id: str) -> Defense:  # noqa: A002
        """
        Return the defense with *id*.

        Raises:
            UnknownIdError: No defense has that id.
        """
        return self._typed(id, Defense)

    def paper(self, id: str) -> Paper:  # noqa: A002
        """
        Return the paper with *id*.

        Raises:
            UnknownIdError: No paper has that id.
        """
        return self._typed(id, Paper)

    @property
    def survey_paper(self) -> Paper | None:
        """
        The survey's own paper, if the taxonomy names one.
        """
        return None if self.survey is None else self.paper(self.survey)

    def _typed(self, id: str, cls: type[R]) -> R:  # noqa: A002
        rec = self._index.by_id.get(id)
        if isinstance(rec, cls):
            return rec
        kind = _KIND_OF_TYPE[cls]
        if rec is None:
            successor = self._follow(id, kind, stacklevel=4)
            if successor is not None:
                id = successor  # noqa: A001
                rec = self._index.by_id[successor]
                if isinstance(rec, cls):
                    return rec
        if rec is None:
            raise self._unknown(id, kind)
        raise UnknownIdError(
            id,
            kind=kind,
            detail=f"{id!r} is {_a(_KIND_OF_TYPE[type(rec)])}",
            suggestions=suggest(id, self._index.ids_of(kind)),
        )

    def _unknown(self, id: object, kind: str) -> UnknownIdError:  # noqa: A002
        if not isinstance(id, str):
            return UnknownIdError(
                repr(id), kind=kind, detail="ids are strings"
            )
        pool = (
            self._index.by_id if kind == "record" else self._index.ids_of(kind)
        )
        return UnknownIdError(id, kind=kind, suggestions=suggest(id, pool))

    def provenance(self, id: str) -> Provenance:  # noqa: A002
        """
        Return where the record with *id* came from: the bundled data, or
        the distribution and entry point of an extension.

        Raises:
            UnknownIdError: No record has that id.
        """
        from .extensions import BUNDLED

        self.get(id)
        found = self._provenance.get(id)
        if found is None and ":" in id:
            found = self._provenance.get(id.partition(":")[0] + ":")
        return BUNDLED if found is None else found

    # -- navigation -------------------------------------------------------

    def neighbours(self, id: str) -> dict[str, tuple[Record, ...]]:  # noqa: A002
        """
        Return the records linked to the record with *id*, by relation, in
        the order ``dnn-supply-chain show`` lists them.

        A stage has ``"previous stages"``, ``"next stages"``,
        ``"categories"``, ``"attacks"`` and ``"defenses"``; a category its
        ``"stage"`` and ``"attacks"``; an attack its ``"papers"`` and the
        defenses that counter it (``"countered by"``); a defense its
        ``"papers"`` and ``"counters"``; a paper the records that cite it
        (``"cited by"``).

        Raises:
            UnknownIdError: No record has that id.

        .. versionadded:: 0.2.0
        """
        rec = self.get(id)
        if isinstance(rec, Stage):
            return {
                "previous stages": self.previous_stages(rec.id),
                "next stages": self.next_stages(rec.id),
                "categories": self.categories_of(rec.id),
                "attacks": self.attacks_in(rec.id),
                "defenses": self.defenses_in(rec.id),
            }
        if isinstance(rec, Category):
            return {
                "stage": (self.stage(rec.stage),),
                "attacks": self.attacks_in(rec.id),
            }
        if isinstance(rec, Attack):
            return {
                "papers": self.papers_of(rec.id),
                "countered by": self.defenses_for(rec.id),
            }
        if isinstance(rec, Defense):
            return {
                "papers": self.papers_of(rec.id),
                "counters": self.attacks_countered_by(rec.id),
            }
        return {"cited by": self.records_of(rec.id)}

    def next_stages(self, stage: str) -> tuple[Stage, ...]:
        """
        Return the stages that directly follow *stage*.
        """
        return tuple(self.stage(s) for s in self.stage(stage).next)

    def previous_stages(self, stage: str) -> tuple[Stage, ...]:
        """
        Return the stages that *stage* directly follows, in lifecycle order.
        """
        self.stage(stage)
        return self._index.previous.get(stage, ())

    def categories_of(self, stage: str) -> tuple[Category, ...]:
        """
        Return the attack categories of *stage*.
        """
        self.stage(stage)
        return self._index.categories_by_stage.get(stage, ())

    def attacks_in(self, stage_or_category: str) -> tuple[Attack, ...]:
        """
        Return the attacks of a stage or of a category.

        Raises:
            UnknownIdError: The id names no stage or category.
        """
        rec = self._index.by_id.get(stage_or_category)
        if isinstance(rec, Stage):
            return self.find_attacks(stage=rec.id)
        if isinstance(rec, Category):
            return self.find_attacks(category=rec.id)
        raise self._unknown(stage_or_category, "stage or category")

    def defenses_in(self, stage: str) -> tuple[Defense, ...]:
        """
        Return the defenses of *stage*.
        """
        return self.find_defenses(stage=stage)

    def papers_of(self, record: str) -> tuple[Paper, ...]:
        """
        Return the papers of an attack or defense, the introducing one first.

        Raises:
            UnknownIdError: The id names no attack or defense.
        """
        found = self._index.papers_of.get(record)
        if found is None:
            rec = self._index.by_id.get(record)
            if not isinstance(rec, Attack | Defense):
                raise self._unknown(record, "attack or defense")
            found = tuple(self.paper(p) for p in rec.papers)
            self._index.papers_of[record] = found
        return found

    def records_of(self, paper: str) -> tuple[Attack | Defense, ...]:
        """
        Return the attacks and defenses that cite *paper*, attacks first.
        """
        self.paper(paper)
        found: tuple[Attack | Defense, ...] = self._index.records_by_paper.get(
            paper, ()
        )
        return found

    def defenses_for(self, attack: str) -> tuple[Defense, ...]:
        """
        Return the defenses that counter *attack*.

        A defense counters an attack when it counters one of the attack's
        threat types, or when it names the attack explicitly
        (:attr:`Defense.attacks`).
        """
        atk = self.attack(attack)
        found = self._index.defenses_for.get(attack)
        if found is None:
            positions: set[int] = set()
            for term in atk.threat_types:
                positions.update(
                    self._index.defense_pos_by_counter.get(term, ())
                )
            positions.update(self._index.defense_pos_by_attack.get(attack, ()))
            found = tuple(self.defenses[p] for p in sorted(positions))
            self._index.defenses_for[attack] = found
        return found

    def attacks_countered_by(self, defense: str) -> tuple[Attack, ...]:
        """
        Return the attacks *defense* counters; see :meth:`defenses_for`.
        """
        dfn = self.defense(defense)
        found = self._index.attacks_for.get(defense)
        if found is None:
            positions: set[int] = set()
            for term in dfn.counters:
                positions.update(
                    self._index.postings["attack"]["threat_type"].get(term, ())
                )
            positions.update(self._index.pos["attack"][a] for a in dfn.attacks)
            found = tuple(self.attacks[p] for p in sorted(positions))
            self._index.attacks_for[defense] = found
        return found

    # -- crosswalk --------------------------------------------------------

    def crosswalk(
        self, ref: str, *, subtechniques: bool = False
    ) -> CrosswalkMatch:
        """
        Return the attacks, defenses and papers mapped to an ATLAS or OWASP
        entry (reverse lookup of the curated crosswalk).

        Args:
            ref: An ATLAS technique or mitigation id (``"AML.T0018"``), an
                OWASP ML Top 10 id (``"ML06"``), or a name: current, or
                one ATLAS has since changed (``"Backdoor ML Model"``),
                which is answered with the current name.
            subtechniques: For a technique, also match the records mapped
                to its sub-techniques.

        Raises:
            UnknownIdError: *ref* is neither an id nor a name of the
                catalogue the crosswalk was made against.

        .. versionadded:: 0.1.0
        """
        from .crosswalk import AtlasTechnique, CrosswalkMatch, load_crosswalk

        catalog = load_crosswalk()
        entry = catalog.resolve(ref)
        via = [entry.id]
        if subtechniques and isinstance(entry, AtlasTechnique):
            via += [t.id for t in catalog.subtechniques(entry.id)]
        attack_pos: set[int] = set()
        defense_pos: set[int] = set()
        index = self._index.by_crosswalk
        for ref_id in via:
            attacks, defenses = index.get(ref_id, ((), ()))
            attack_pos.update(attacks)
            defense_pos.update(defenses)
        attacks_found = tuple(self.attacks[p] for p in sorted(attack_pos))
        defenses_found = tuple(self.defenses[p] for p in sorted(defense_pos))
        paper_ids = {p for rec in attacks_found for p in rec.papers}
        paper_ids.update(p for rec in defenses_found for p in rec.papers)
        return CrosswalkMatch(
            entry=entry,
            asked=ref,
            attacks=attacks_found,
            defenses=defenses_found,
            papers=tuple(p for p in self.papers if p.id in paper_ids),
            via=tuple(via),
        )

    # -- filters ----------------------------------------------------------

    def find_attacks(
        self,
        *,
        stage: str | None = None,
        category: str | None = None,
        threat_type: str | None = None,
        modality: str | None = None,
        year: YearRange | None = None,
        venue: str | None = None,
        has_code: bool | None = None,
        author: str | None = None,
    ) -> tuple[Attack, ...]:
        """
        Return the attacks that meet every given criterion, in survey order.

        Args:
            stage: A stage id.
            category: A category id.
            threat_type: A threat-type term.
            modality: A modality term.
            year: A year, or an inclusive ``(first, last)`` range where
                either end may be ``None``; matches the year of any of the
                attack's papers.
            venue: A venue word, matched case-insensitively as whole words
                against any paper's venue (``"CCS"``, ``"NeurIPS"``).
            has_code: Whether any of its papers has a code repository.
            author: Part of an author's name, case-insensitive.

        Raises:
            UnknownIdError: A stage, category or vocabulary term is unknown.
        """
        return cast(
            "tuple[Attack, ...]",
            self._find(
                "attack",
                stage=stage,
                category=category,
                threat_type=threat_type,
                modality=modality,
                year=year,
                venue=venue,
                has_code=has_code,
                author=author,
            ),
        )

    def find_defenses(
        self,
        *,
        stage: str | None = None,
        threat_type: str | None = None,
        modality: str | None = None,
        year: YearRange | None = None,
        venue: str | None = None,
        has_code: bool | None = None,
        author: str | None = None,
    ) -> tuple[Defense, ...]:
        """
        Return the defenses that meet every given criterion, in survey
        order.

        Takes the criteria of :meth:`find_attacks` but *category*;
        *threat_type* matches what a defense counters.
        """
        return cast(
            "tuple[Defense, ...]",
            self._find(
                "defense",
                stage=stage,
                threat_type=threat_type,
                modality=modality,
                year=year,
                venue=venue,
                has_code=has_code,
                author=author,
            ),
        )

    def find_papers(
        self,
        *,
        stage: str | None = None,
        category: str | None = None,
        role: Literal["attack", "defense"] | None = None,
        threat_type: str | None = None,
        modality: str | None = None,
        year: YearRange | None = None,
        venue: str | None = None,
        has_code: bool | None = None,
        author: str | None = None,
    ) -> tuple[Paper, ...]:
        """
        Return the papers that meet every given criterion, in survey order.

        Takes the criteria of :meth:`find_attacks`; *stage*, *category*,
        *threat_type* and *modality* match through the attacks and
        defenses that cite the paper, and *role* keeps papers cited by an
        attack or by a defense.
        """
        return cast(
            "tuple[Paper, ...]",
            self._find(
                "paper",
                stage=stage,
                category=category,
                role=role,
                threat_type=threat_type,
                modality=modality,
                year=year,
                venue=venue,
                has_code=has_code,
                author=author,
            ),
        )

    @overload
    def find(
        self, kind: Literal["attack"], **criteria: object
    ) -> tuple[Attack, ...]: ...
    @overload
    def find(
        self, kind: Literal["defense"], **criteria: object
    ) -> tuple[Defense, ...]: ...
    @overload
    def find(
        self, kind: Literal["paper"], **criteria: object
    ) -> tuple[Paper, ...]: ...
    @overload
    def find(self, kind: str, **criteria: object) -> tuple[Record, ...]: ...

    def find(self, kind: str, **criteria: object) -> tuple[Record, ...]:
        """
        Return the records of *kind* that meet every criterion.

        The generic form of :meth:`find_attacks`, :meth:`find_defenses` and
        :meth:`find_papers`, for callers that choose the kind at run time.
        Criteria that are ``None`` are ignored.

        Raises:
            ValueError: *kind* is not ``"attack"``, ``"defense"`` or
                ``"paper"``, or a criterion does not apply to it.
        """
        methods: dict[str, Callable[..., tuple[Record, ...]]] = {
            "attack": self.find_attacks,
            "defense": self.find_defenses,
            "paper": self.find_papers,
        }
        if kind not in methods:
            msg = f"kind must be 'attack', 'defense' or 'paper', not {kind!r}"
            raise ValueError(msg)
        try:
            return methods[kind](**criteria)
        except TypeError:
            msg = f"criteria {sorted(criteria)} do not all apply to {kind}s"
            raise ValueError(msg) from None

    def _find(self, kind: str, **criteria: object) -> tuple[Record, ...]:
        items: tuple[Record, ...] = getattr(self, _COLLECTIONS[kind])
        postings = self._index.postings[kind]
        selected: set[int] | None = None

        def narrow(positions: Iterable[int]) -> None:
            nonlocal selected
            selected = (
                set(positions)
                if selected is None
                else selected & set(positions)
            )

        for axis, known in (
            ("stage", "stage"),
            ("category", "category"),
            ("threat_type", "threat type"),
            ("modality", "modality"),
            ("role", "role"),
        ):
            value = criteria.get(axis)
            if value is None:
                continue
            self._check_term(axis, known, value)
            narrow(postings[axis].get(cast("str", value), ()))
        if criteria.get("year") is not None:
            first, last = _year_range(criteria["year"])
            narrow(
                pos
                for pos, years in enumerate(self._index.years[kind])
                if any(
                    (first is None or y >= first)
                    and (last is None or y <= last)
                    for y in years
                )
            )
        venue = criteria.get("venue")
        if venue is not None:
            pattern = re.compile(
                rf"(?<!\w){re.escape(str(venue))}(?!\w)", re.IGNORECASE
            )
            narrow(
                pos
                for pos, venues in enumerate(self._index.venues[kind])
                if any(pattern.search(v) for v in venues)
            )
        has_code = criteria.get("has_code")
        if has_code is not None:
            narrow(
                pos
                for pos, code in enumerate(self._index.has_code[kind])
                if code is bool(has_code)
            )
        author = criteria.get("author")
        if author is not None:
            needle = str(author).casefold()
            narrow(
                pos
                for pos, authors in enumerate(self._index.authors[kind])
                if any(needle in a for a in authors)
            )
        if selected is None:
            return items
        return tuple(items[pos] for pos in sorted(selected))

    def _check_term(self, axis: str, known: str, value: object) -> None:
        if axis in ("stage", "category"):
            if axis == "stage":
                self.stage(cast("str", value))
            else:
                self.category(cast("str", value))
            return
        pool: tuple[str, ...]
        if axis == "threat_type":
            pool = self.vocabulary.threat_types
        elif axis == "modality":
            pool = self.vocabulary.modalities
        else:
            pool = ("attack", "defense")
        if value not in pool:
            raise UnknownIdError(
                str(value), kind=known, suggestions=suggest(str(value), pool)
            )

    # -- search -----------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        kinds: Iterable[str] | None = None,
        limit: int | None = 20,
    ) -> tuple[SearchHit, ...]:
        """
        Search names, titles, ids, authors and summaries for *text*.

        Results are ranked by relevance: a record whose name (or title, or
        id) is exactly *text* comes first, then records that share the most
        and rarest words with it, names counting three times as much as
        summaries.  Ties keep taxonomy order.

        Args:
            text: Words to look for, case-insensitive.
            kinds: Keep only these kinds of record (see :data:`KINDS`).
            limit: The most hits to return; ``None`` for all.

        Raises:
            ValueError: *kinds* names an unknown kind.
        """
        wanted = set(KINDS if kinds is None else kinds)
        unknown = wanted - set(KINDS)
        if unknown:
            msg = f"unknown kinds {sorted(unknown)}; choose from {', '.join(KINDS)}"
            raise ValueError(msg)
        index = self._index.search_index()
        hits: list[SearchHit] = []
        # With every kind wanted, the index can stop at the limit.
        cap = limit if wanted == set(KINDS) else None
        for pos, score in index.search(text, cap):
            rec = self._index.all_records[pos]
            if _KIND_OF_TYPE[type(rec)] in wanted:
                hits.append(SearchHit(rec, round(score, 6)))
                if limit is not None and len(hits) >= limit:
                    break
        return tuple(hits)


def _year_range(value: object) -> tuple[int | None, int | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if (
        isinstance(value, tuple)
        and len(value) == 2  # noqa: PLR2004
        and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool))
            for v in value
        )
    ):
        return value[0], value[1]
    msg = f"year must be an int or a (first, last) tuple, not {value!r}"
    raise ValueError(msg)


class _Index:
    """
    Lookups built once per taxonomy.
    """

    def __init__(self, tax: Taxonomy) -> None:
        self.all_records: tuple[Record, ...] = (
            *tax.stages,
            *tax.categories,
            *tax.attacks,
            *tax.defenses,
            *tax.papers,
        )
        self.by_id: dict[str, Record] = {r.id: r for r in self.all_records}
        self.previous: dict[str, tuple[Stage, ...]] = {}
        for stage in tax.stages:
            for nxt in stage.next:
                self.previous[nxt] = (*self.previous.get(nxt, ()), stage)
        by_stage: dict[str, list[Category]] = defaultdict(list)
        for cat in tax.categories:
            by_stage[cat.stage].append(cat)
        self.categories_by_stage = {k: tuple(v) for k, v in by_stage.items()}
        self.deprecated = {d.id: d for d in tax.deprecated}
        self.defenses_for: dict[str, tuple[Defense, ...]] = {}
        self.papers_of: dict[str, tuple[Paper, ...]] = {}
        self.attacks_for: dict[str, tuple[Attack, ...]] = {}
        self._search: _SearchIndex | None = None
        self._ids_of: dict[str, tuple[str, ...]] = {}
        self._tax = tax
        self._lock = threading.Lock()

    _LAZY = frozenset(
        {
            "postings",
            "years",
            "venues",
            "has_code",
            "authors",
            "records_by_paper",
            "defense_pos_by_counter",
            "defense_pos_by_attack",
            "by_crosswalk",
        }
    )

    def __getattr__(self, name: str) -> Any:
        # The filter indexes are built on first use: loading stays cheap for
        # callers that only look records up.  Two threads may both build
        # them; they build equal values, and either result serves.
        if name == "pos":
            tax = self._tax
            pos = {
                kind: {r.id: i for i, r in enumerate(getattr(tax, coll))}
                for kind, coll in _COLLECTIONS.items()
            }
            self.__dict__.setdefault("pos", pos)
            return self.__dict__["pos"]
        if name not in _Index._LAZY:
            raise AttributeError(name)
        self._build_filters(self._tax)
        return self.__dict__[name]

    def _build_filters(self, tax: Taxonomy) -> None:
        papers = {p.id: p for p in tax.papers}
        postings: dict[str, dict[str, dict[str, list[int]]]] = {
            kind: defaultdict(lambda: defaultdict(list))
            for kind in ("attack", "defense", "paper")
        }
        years_of: dict[str, list[tuple[int, ...]]] = {}
        venues_of: dict[str, list[tuple[str, ...]]] = {}
        has_code_of: dict[str, list[bool]] = {}
        authors_of: dict[str, list[tuple[str, ...]]] = {}
        cited_by: dict[str, list[Attack | Defense]] = defaultdict(list)
        paper_pos = self.pos["paper"]
        groups: tuple[tuple[str, tuple[Attack | Defense, ...]], ...] = (
            ("attack", tax.attacks),
            ("defense", tax.defenses),
        )
        for kind, items in groups:
            post = postings[kind]
            years: list[tuple[int, ...]] = []
            venues: list[tuple[str, ...]] = []
            codes: list[bool] = []
            authors: list[tuple[str, ...]] = []
            for pos, rec in enumerate(items):
                post["stage"][rec.stage].append(pos)
                if isinstance(rec, Attack):
                    if rec.category is not None:
                        post["category"][rec.category].append(pos)
                    threats = rec.threat_types
                else:
                    threats = rec.counters
                for term in threats:
                    post["threat_type"][term].append(pos)
                for term in rec.modalities:
                    post["modality"][term].append(pos)
                cited = [papers[p] for p in rec.papers]
                years.append(
                    tuple(p.year for p in cited if p.year is not None)
                )
                venues.append(tuple(v for p in cited for v in _venues(p)))
                codes.append(any(p.code for p in cited))
                authors.append(
                    tuple(a.casefold() for p in cited for a in p.authors)
                )
                for paper in rec.papers:
                    cited_by[paper].append(rec)
                    ppost = postings["paper"]
                    ppos = paper_pos[paper]
                    ppost["role"][kind].append(ppos)
                    ppost["stage"][rec.stage].append(ppos)
                    if isinstance(rec, Attack) and rec.category is not None:
                        ppost["category"][rec.category].append(ppos)
                    for term in threats:
                        ppost["threat_type"][term].append(ppos)
                    for term in rec.modalities:
                        ppost["modality"][term].append(ppos)
            years_of[kind] = years
            venues_of[kind] = venues
            has_code_of[kind] = codes
            authors_of[kind] = authors
        years_of["paper"] = [
            (p.year,) if p.year is not None else () for p in tax.papers
        ]
        venues_of["paper"] = [tuple(_venues(p)) for p in tax.papers]
        has_code_of["paper"] = [bool(p.code) for p in tax.papers]
        authors_of["paper"] = [
            tuple(a.casefold() for a in p.authors) for p in tax.papers
        ]
        records_by_paper = {
            k: tuple(sorted(v, key=lambda r: isinstance(r, Defense)))
            for k, v in cited_by.items()
        }
        defense_pos_by_counter = postings["defense"]["threat_type"]
        defense_pos_by_attack: dict[str, list[int]] = defaultdict(list)
        for pos, dfn in enumerate(tax.defenses):
            for attack in dfn.attacks:
                defense_pos_by_attack[attack].append(pos)
        # ATLAS or OWASP id -> (attack positions, defense positions)
        by_crosswalk: dict[str, tuple[list[int], list[int]]] = defaultdict(
            lambda: ([], [])
        )
        for pos, atk in enumerate(tax.attacks):
            for ref in (*atk.atlas_techniques, *atk.owasp_ml):
                by_crosswalk[ref][0].append(pos)
        for pos, dfn in enumerate(tax.defenses):
            refs = (*dfn.atlas_mitigations, *dfn.atlas_counters, *dfn.owasp_ml)
            for ref in dict.fromkeys(refs):
                by_crosswalk[ref][1].append(pos)
        with self._lock:
            if "postings" not in self.__dict__:
                self.__dict__.update(
                    postings=postings,
                    years=years_of,
                    venues=venues_of,
                    has_code=has_code_of,
                    authors=authors_of,
                    records_by_paper=records_by_paper,
                    defense_pos_by_counter=defense_pos_by_counter,
                    defense_pos_by_attack=defense_pos_by_attack,
                    by_crosswalk=dict(by_crosswalk),
                )

    def ids_of(self, kind: str) -> tuple[str, ...]:
        found = self._ids_of.get(kind)
        if found is None:
            found = (
                tuple(self.pos[kind])
                if kind in self.pos
                else tuple(self.by_id)
            )
            self._ids_of[kind] = found
        return found

    def search_index(self) -> _SearchIndex:
        # Built on first use: most callers never search, and the index
        # costs more than the rest of the taxonomy.
        if self._search is None:
            self._search = _SearchIndex(self.all_records)
        return self._search


def _venues(paper: Paper) -> list[str]:
    found = [v for v in (paper.venue, paper.venue_short) if v]
    if paper.listing is not None:
        found.append(paper.listing.venue)
    return found
