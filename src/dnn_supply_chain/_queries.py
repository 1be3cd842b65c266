"""
The queries of a taxonomy: filters on every axis and ranked text search.
:class:`~dnn_supply_chain.Taxonomy` inherits them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final, Literal, cast, overload

from ._index import Index, SearchHit, year_range
from ._records import (
    COLLECTION_OF,
    KINDS,
    Attack,
    Category,
    Defense,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._text import suggest
from .exceptions import UnknownIdError


__all__ = ["Queries", "Terms", "YearRange"]

#: A year, or an inclusive ``(first, last)`` range where either end may
#: be ``None``.
YearRange = int | tuple[int | None, int | None]

#: The value of a filter of :meth:`Queries.find_attacks` that takes
#: several: one, or any number, any of which a record may meet.
Terms = str | Iterable[str]

_TERM_AXES: Final = (
    ("stage", "stage"),
    ("category", "category"),
    ("threat_type", "threat type"),
    ("modality", "modality"),
    ("role", "role"),
)


class Queries:
    """
    Filters and search over a taxonomy's records.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        vocabulary: Vocabulary

        @property
        def _index(self) -> Index: ...

        def stage(self, id: str) -> Stage: ...  # noqa: A002

        def category(self, id: str) -> Category: ...  # noqa: A002

        def resolve(self, ref: str, *, kind: str | None = None) -> Record: ...

    # -- filters ----------------------------------------------------------

    def find_attacks(
        self,
        *,
        stage: Terms | None = None,
        category: Terms | None = None,
        threat_type: Terms | None = None,
        modality: Terms | None = None,
        year: YearRange | None = None,
        venue: Terms | None = None,
        has_code: bool | None = None,
        author: Terms | None = None,
    ) -> tuple[Attack, ...]:
        """
        Return the attacks that meet every given criterion, in survey order.

        *stage*, *category*, *threat_type*, *modality*, *venue* and
        *author* each take one value or several (a list or a tuple): an
        attack meets the criterion when it meets any of its values
        (``stage=["design", "deployment"]``), and it is returned when it
        meets every criterion given.  Stages and categories are looked up
        as :meth:`~dnn_supply_chain.Taxonomy.resolve` does, by id in any
        letter case or by name; vocabulary terms as :meth:`canonical_term`
        does, in any letter case.

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
            TypeError: A criterion is neither a string nor an iterable of
                strings (or, for *year*, neither a year nor a range).
            ValueError: A criterion has no value (``[]``), or *year* is a
                range whose first year is after its last.

        .. versionchanged:: 0.2.0
           Several values for a criterion; ids, names and terms in any
           letter case.
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
        stage: Terms | None = None,
        threat_type: Terms | None = None,
        modality: Terms | None = None,
        year: YearRange | None = None,
        venue: Terms | None = None,
        has_code: bool | None = None,
        author: Terms | None = None,
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
        stage: Terms | None = None,
        category: Terms | None = None,
        role: Literal["attack", "defense"]
        | Iterable[Literal["attack", "defense"]]
        | None = None,
        threat_type: Terms | None = None,
        modality: Terms | None = None,
        year: YearRange | None = None,
        venue: Terms | None = None,
        has_code: bool | None = None,
        author: Terms | None = None,
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
        extra = sorted(set(criteria) - CRITERIA[kind])
        if extra:
            msg = (
                f"criteria {sorted(criteria)} do not all apply to {kind}s: "
                f"not {', '.join(extra)}"
            )
            raise ValueError(msg)
        return methods[kind](**criteria)

    def canonical_term(
        self, term: str, axis: Literal["threat_type", "modality"]
    ) -> str:
        """
        Return the term of the vocabulary that *term* is, as a user types
        it: in any letter case, with ``-`` or ``_`` for a space
        (``"Backdoor"`` gives ``"backdoor"``, ``"time-series"`` gives
        ``"time series"``, ``"nlp"`` gives ``"NLP"``).

        Args:
            term: The term as typed.
            axis: ``"threat_type"`` or ``"modality"``: which list of
                :attr:`~dnn_supply_chain.Taxonomy.vocabulary` to look in.

        Raises:
            UnknownIdError: *term* is none of the vocabulary's terms (with
                the closest ones).

        .. versionadded:: 0.2.0
        """
        if axis == "threat_type":
            pool, known = self.vocabulary.threat_types, "threat type"
        elif axis == "modality":
            pool, known = self.vocabulary.modalities, "modality"
        else:
            msg = f"axis must be 'threat_type' or 'modality', not {axis!r}"
            raise ValueError(msg)
        return _canonical(term, pool, known)

    def _find(self, kind: str, **criteria: object) -> tuple[Record, ...]:
        items: tuple[Record, ...] = getattr(self, COLLECTION_OF[kind])
        terms: dict[str, tuple[str, ...]] = {}
        for axis, known in _TERM_AXES:
            value = criteria.get(axis)
            if value is not None:
                terms[axis] = tuple(
                    self._term(axis, known, v)
                    for v in _values(axis, value, known)
                )
        venues = _optional_values("venue", criteria.get("venue"), "venue word")
        authors = _optional_values(
            "author", criteria.get("author"), "part of a name"
        )
        year = criteria.get("year")
        years = None if year is None else year_range(year)
        first, last = (None, None) if years is None else years
        if first is not None and last is not None and first > last:
            msg = (
                f"year range {year!r} is reversed: its first year comes "
                "after its last"
            )
            raise ValueError(msg)
        selected = self._index.select(
            kind,
            terms=terms,
            years=years,
            venues=venues,
            has_code=None
            if criteria.get("has_code") is None
            else bool(criteria["has_code"]),
            authors=authors,
        )
        if selected is None:
            return items
        return tuple(items[pos] for pos in selected)

    def _term(self, axis: str, known: str, value: str) -> str:
        """
        The canonical form of *value* on *axis*: the id of the stage or
        category it names, or the vocabulary term (or role) it is.
        """
        if axis in ("stage", "category"):
            return self.resolve(value, kind=axis).id
        if axis == "threat_type":
            return _canonical(value, self.vocabulary.threat_types, known)
        if axis == "modality":
            return _canonical(value, self.vocabulary.modalities, known)
        return _canonical(value, ("attack", "defense"), known)

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
        return self._index.hits(text, wanted, limit)


#: The criteria each kind of :meth:`Queries.find` takes.
CRITERIA: Final = {
    "attack": frozenset(
        {
            "stage",
            "category",
            "threat_type",
            "modality",
            "year",
            "venue",
            "has_code",
            "author",
        }
    ),
    "defense": frozenset(
        {
            "stage",
            "threat_type",
            "modality",
            "year",
            "venue",
            "has_code",
            "author",
        }
    ),
    "paper": frozenset(
        {
            "stage",
            "category",
            "role",
            "threat_type",
            "modality",
            "year",
            "venue",
            "has_code",
            "author",
        }
    ),
}


def _fold_term(term: str) -> str:
    return " ".join(
        term.replace("-", " ").replace("_", " ").casefold().split()
    )


def _canonical(term: str, pool: Sequence[str], known: str) -> str:
    """
    The term of *pool* that *term* is, in any letter case and with ``-``
    or ``_`` for a space: the rule of :meth:`Queries.canonical_term`.
    """
    if term in pool:
        return term
    folded = _fold_term(term)
    found = [t for t in pool if _fold_term(t) == folded]
    if len(found) == 1:
        return found[0]
    raise UnknownIdError(
        term, kind=known, suggestions=found or suggest(term, pool)
    )


def _values(name: str, value: object, what: str) -> tuple[str, ...]:
    """
    The values of the criterion *name*: one string, or an iterable of
    strings, never empty.
    """
    if isinstance(value, str):
        return (value,)
    values = tuple(value) if isinstance(value, Iterable) else None
    if values is None or not all(isinstance(v, str) for v in values):
        msg = f"{name} must be a {what} or a list of them, not {value!r}"
        raise TypeError(msg)
    if not values:
        msg = f"{name}={value!r} names no {what}; pass None for any"
        raise ValueError(msg)
    return values


def _optional_values(
    name: str, value: object, what: str
) -> tuple[str, ...] | None:
    return None if value is None else _values(name, value, what)
