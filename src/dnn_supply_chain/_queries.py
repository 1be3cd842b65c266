"""
The queries of a taxonomy: filters on every axis and ranked text search.
:class:`~dnn_supply_chain.Taxonomy` inherits them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


__all__ = ["Queries", "YearRange"]

#: A year, or an inclusive ``(first, last)`` range where either end may
#: be ``None``.
YearRange = int | tuple[int | None, int | None]

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
        items: tuple[Record, ...] = getattr(self, COLLECTION_OF[kind])
        for axis, known in _TERM_AXES:
            value = criteria.get(axis)
            if value is not None:
                self._check_term(axis, known, value)
        year = criteria.get("year")
        selected = self._index.select(
            kind,
            terms={
                axis: cast("str", criteria[axis])
                for axis, _ in _TERM_AXES
                if criteria.get(axis) is not None
            },
            years=None if year is None else year_range(year),
            venue=None
            if criteria.get("venue") is None
            else str(criteria["venue"]),
            has_code=None
            if criteria.get("has_code") is None
            else bool(criteria["has_code"]),
            author=None
            if criteria.get("author") is None
            else str(criteria["author"]),
        )
        if selected is None:
            return items
        return tuple(items[pos] for pos in selected)

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
        return self._index.hits(text, wanted, limit)
