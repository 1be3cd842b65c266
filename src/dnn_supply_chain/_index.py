"""
The indexes a taxonomy builds over its records: by id, by relation, by
filter axis, and the inverted index of text search.  Each is built on
first use.
"""

from __future__ import annotations

import functools
import heapq
import math
import re

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, cast

import attrs

from ._records import (
    COLLECTION_OF,
    KIND_OF_TYPE,
    Attack,
    Category,
    CounterEvidence,
    Defense,
    Paper,
    Record,
    Stage,
)
from ._text import suggest
from ._words import fold_name, terms


if TYPE_CHECKING:
    from ._taxonomy import Taxonomy


__all__ = ["Index", "SearchHit", "SearchIndex", "year_range"]

# Up to this many ids, suggestions rank them all; above, the candidates
# the trigram index proposes, at most _RANKED of them.
_SMALL: Final = 2000
_RANKED: Final = 200


def _grams(word: str) -> set[str]:
    text = f" {word.casefold()} "
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@attrs.frozen
class SearchHit:
    """
    One result of :meth:`Taxonomy.search`.

    Attributes:
        record: The record found.
        score: Its relevance; higher is better.  Only the order of scores
            within one search is meaningful.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A short repr, without the record; :attr:`id` and :attr:`kind`.
    """

    record: Record
    score: float

    @property
    def id(self) -> str:
        """
        The record's id.

        .. versionadded:: 0.2.0
        """
        return self.record.id

    @property
    def kind(self) -> str:
        """
        The record's kind, one of :data:`~dnn_supply_chain.KINDS`.

        .. versionadded:: 0.2.0
        """
        return KIND_OF_TYPE[type(self.record)]

    def __repr__(self) -> str:
        return (
            f"SearchHit(id={self.id!r}, kind={self.kind!r}, "
            f"score={self.score!r})"
        )


def year_range(value: object) -> tuple[int | None, int | None]:
    """
    The inclusive ``(first, last)`` range a year criterion means.

    Raises:
        ValueError: *value* is neither an int nor a ``(first, last)`` tuple.
    """
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


class _Evidence:
    """
    The counter evidence, by attack and by defense, strongest first, and
    the answers already given.
    """

    __slots__ = (
        "attacks",
        "by_attack",
        "by_defense",
        "defenses",
        "ordered",
        "undefended",
    )

    def __init__(self, tax: Taxonomy, pos: dict[str, dict[str, int]]) -> None:
        attack_pos, defense_pos = pos["attack"], pos["defense"]
        self.ordered = tuple(
            sorted(
                tax.evidence,
                key=lambda link: (
                    link.rank,
                    defense_pos[link.defense],
                    attack_pos[link.attack],
                ),
            )
        )
        by_attack: dict[str, list[CounterEvidence]] = defaultdict(list)
        by_defense: dict[str, list[CounterEvidence]] = defaultdict(list)
        for link in self.ordered:
            by_attack[link.attack].append(link)
            by_defense[link.defense].append(link)
        self.by_attack = {k: tuple(v) for k, v in by_attack.items()}
        self.by_defense = {k: tuple(v) for k, v in by_defense.items()}
        self.defenses: dict[tuple[str, int], tuple[Defense, ...]] = {}
        self.attacks: dict[tuple[str, int], tuple[Attack, ...]] = {}
        self.undefended: dict[int, tuple[Attack, ...]] = {}


@attrs.frozen
class _Filters:
    """
    The indexes behind the filters and the crosswalk, built together.
    """

    postings: dict[str, dict[str, dict[str, list[int]]]]
    years: dict[str, list[tuple[int, ...]]]
    venues: dict[str, list[tuple[str, ...]]]
    has_code: dict[str, list[bool]]
    authors: dict[str, list[tuple[str, ...]]]
    records_by_paper: dict[str, tuple[Attack | Defense, ...]]
    # ATLAS or OWASP id -> (attack positions, defense positions)
    by_crosswalk: dict[str, tuple[list[int], list[int]]]


class SearchIndex:
    """
    An inverted index over names, titles and summaries, of the terms
    that :func:`~dnn_supply_chain._words.terms` makes of them; a query is
    made into terms by the same rule.
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
                self._exact[fold_name(name)].setdefault(pos, set()).add(name)
            for text, weight in ((" ".join(names), 3.0), (body, 1.0)):
                for term, share in _distinct(terms(text)).items():
                    posting = self._postings[term]
                    posting[pos] = posting.get(pos, 0.0) + weight * share

    def search(
        self, text: str, limit: int | None = None
    ) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        wanted = _distinct(terms(text))
        postings = [
            (p, share)
            for p, share in (
                (self._postings.get(t), share) for t, share in wanted.items()
            )
            if p
        ]
        # Words in most records ("attack") say little about relevance and
        # cost a pass over everything: drop them when the query has a
        # word that is rare enough to rank by.
        rare = [p for p, _ in postings if len(p) <= self._size // 10]
        if rare and len(postings) > len(rare):
            postings = [
                (p, share)
                for p, share in postings
                if len(p) <= self._size // 2
            ]
        for posting, share in postings:
            idf = share * math.log(1 + self._size / len(posting))
            for pos, weight in posting.items():
                scores[pos] += weight * idf
        # A name equal to the query wins; written exactly so, it wins ties
        # between names that differ only in case or punctuation.
        for pos, names in self._exact.get(fold_name(text), {}).items():
            scores[pos] += 1000.0 + (500.0 if text.strip() in names else 0.0)
        key = lambda item: (-item[1], item[0])  # noqa: E731 - used twice
        if limit is not None:
            return heapq.nsmallest(limit, scores.items(), key=key)
        return sorted(scores.items(), key=key)


def _distinct(found: Iterable[tuple[str, float]]) -> dict[str, float]:
    """
    Each term of *found* once, with the most it counts for.
    """
    out: dict[str, float] = {}
    for term, share in found:
        if share > out.get(term, 0.0):
            out[term] = share
    return out


def _search_fields(rec: Record) -> tuple[list[str], str]:
    if isinstance(rec, Paper):
        return [rec.title, rec.id], " ".join(rec.authors)
    if isinstance(rec, Stage):
        return [rec.name, rec.name_zh, rec.id], rec.description
    if isinstance(rec, Category):
        return [rec.name, rec.name_zh, rec.id], ""
    return [rec.name, rec.id], rec.summary


class Index:
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
        self.papers_of: dict[str, tuple[Paper, ...]] = {}
        self._ids_of: dict[str, tuple[str, ...]] = {}
        self._gram_index: dict[str, dict[str, list[str]]] = {}
        self._name_index: dict[str, dict[str, list[str]]] = {}
        self._folded_index: dict[str, dict[str, list[str]]] = {}
        self._tax = tax

    @functools.cached_property
    def pos(self) -> dict[str, dict[str, int]]:
        """
        kind -> id -> position in its collection.
        """
        tax = self._tax
        return {
            kind: {r.id: i for i, r in enumerate(getattr(tax, coll))}
            for kind, coll in COLLECTION_OF.items()
        }

    @functools.cached_property
    def filters(self) -> _Filters:
        """
        The filter indexes, built on first use: loading stays cheap for
        callers that only look records up.
        """
        return self._build_filters(self._tax)

    def _build_filters(self, tax: Taxonomy) -> _Filters:
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
        # ATLAS, OWASP or NIST id -> (attack positions, defense positions)
        by_crosswalk: dict[str, tuple[list[int], list[int]]] = defaultdict(
            lambda: ([], [])
        )
        for pos, atk in enumerate(tax.attacks):
            refs = (
                *atk.atlas_techniques,
                *atk.owasp_ml,
                *atk.owasp_llm,
                *atk.nist_aml,
            )
            for ref in dict.fromkeys(refs):
                by_crosswalk[ref][0].append(pos)
        for pos, dfn in enumerate(tax.defenses):
            refs = (
                *dfn.atlas_mitigations,
                *dfn.atlas_counters,
                *dfn.owasp_ml,
                *dfn.owasp_llm,
                *dfn.nist_aml,
            )
            for ref in dict.fromkeys(refs):
                by_crosswalk[ref][1].append(pos)
        return _Filters(
            postings=postings,
            years=years_of,
            venues=venues_of,
            has_code=has_code_of,
            authors=authors_of,
            records_by_paper=records_by_paper,
            by_crosswalk=dict(by_crosswalk),
        )

    def select(
        self,
        kind: str,
        *,
        terms: Mapping[str, Sequence[str]],
        years: tuple[int | None, int | None] | None,
        venues: Sequence[str] | None,
        has_code: bool | None,
        authors: Sequence[str] | None,
    ) -> list[int] | None:
        """
        The positions, in order, of the records of *kind* that meet every
        criterion given; None when no criterion is given.  The values of
        one axis of *terms*, the *venues* and the *authors* are
        alternatives: a record meets the criterion when it meets any of
        them.
        """
        filters = self.filters
        selected: set[int] | None = None

        def narrow(positions: Iterable[int]) -> None:
            nonlocal selected
            selected = (
                set(positions)
                if selected is None
                else selected & set(positions)
            )

        for axis, values in terms.items():
            postings = filters.postings[kind][axis]
            narrow(pos for value in values for pos in postings.get(value, ()))
        if years is not None:
            first, last = years
            narrow(
                pos
                for pos, found in enumerate(filters.years[kind])
                if any(
                    (first is None or y >= first)
                    and (last is None or y <= last)
                    for y in found
                )
            )
        if venues is not None:
            pattern = re.compile(
                "|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in venues),
                re.IGNORECASE,
            )
            narrow(
                pos
                for pos, venues in enumerate(filters.venues[kind])
                if any(pattern.search(v) for v in venues)
            )
        if has_code is not None:
            narrow(
                pos
                for pos, code in enumerate(filters.has_code[kind])
                if code is has_code
            )
        if authors is not None:
            needles = [a.casefold() for a in authors]
            narrow(
                pos
                for pos, found in enumerate(filters.authors[kind])
                if any(n in a for a in found for n in needles)
            )
        return None if selected is None else sorted(selected)

    @functools.cached_property
    def _evidence(self) -> _Evidence:
        return _Evidence(self._tax, self.pos)

    def evidence(
        self, attack: str | None, defense: str | None, rank: int
    ) -> tuple[CounterEvidence, ...]:
        """
        The links to *attack* and of *defense* (either None for any), at
        basis rank *rank* or stronger, strongest first.
        """
        ev = self._evidence
        if attack is not None:
            links = ev.by_attack.get(attack, ())
        elif defense is not None:
            links = ev.by_defense.get(defense, ())
        else:
            links = ev.ordered
        return tuple(
            link
            for link in links
            if link.rank <= rank
            and (defense is None or link.defense == defense)
        )

    def defenses_for(self, attack: str, rank: int) -> tuple[Defense, ...]:
        """
        The defenses with evidence against *attack* at rank *rank* or
        stronger, strongest first.
        """
        key = (attack, rank)
        ev = self._evidence
        found = ev.defenses.get(key)
        if found is None:
            by_id = self.by_id
            found = tuple(
                cast("Defense", by_id[link.defense])
                for link in ev.by_attack.get(attack, ())
                if link.rank <= rank
            )
            ev.defenses[key] = found
        return found

    def undefended(self, rank: int) -> tuple[Attack, ...]:
        """
        The attacks with no evidence at rank *rank* or stronger, in
        taxonomy order.
        """
        ev = self._evidence
        found = ev.undefended.get(rank)
        if found is None:
            found = tuple(
                atk
                for atk in self._tax.attacks
                if not any(
                    link.rank <= rank for link in ev.by_attack.get(atk.id, ())
                )
            )
            ev.undefended[rank] = found
        return found

    def attacks_for(self, defense: str, rank: int) -> tuple[Attack, ...]:
        """
        The attacks *defense* has evidence against at rank *rank* or
        stronger, strongest first.
        """
        key = (defense, rank)
        ev = self._evidence
        found = ev.attacks.get(key)
        if found is None:
            by_id = self.by_id
            found = tuple(
                cast("Attack", by_id[link.attack])
                for link in ev.by_defense.get(defense, ())
                if link.rank <= rank
            )
            ev.attacks[key] = found
        return found

    def mapped_to(self, refs: Iterable[str]) -> tuple[list[int], list[int]]:
        """
        The positions of the attacks and of the defenses mapped to any of
        the ATLAS, OWASP or NIST ids *refs*, in order.
        """
        attack_pos: set[int] = set()
        defense_pos: set[int] = set()
        index = self.filters.by_crosswalk
        for ref in refs:
            attacks, defenses = index.get(ref, ([], []))
            attack_pos.update(attacks)
            defense_pos.update(defenses)
        return sorted(attack_pos), sorted(defense_pos)

    def hits(
        self, text: str, kinds: set[str], limit: int | None
    ) -> tuple[SearchHit, ...]:
        """
        The search hits for *text* among records of *kinds*, best first.
        """
        hits: list[SearchHit] = []
        # With every kind wanted, the index can stop at the limit.
        cap = limit if len(kinds) == len(KIND_OF_TYPE) else None
        for pos, score in self.search.search(text, cap):
            rec = self.all_records[pos]
            if KIND_OF_TYPE[type(rec)] in kinds:
                hits.append(SearchHit(rec, round(score, 6)))
                if limit is not None and len(hits) >= limit:
                    break
        return tuple(hits)

    def closest(self, word: str, kind: str, n: int = 3) -> list[str]:
        """
        Up to *n* ids of *kind* (``"record"`` for any) closest to *word*,
        best first, as :func:`~dnn_supply_chain._text.suggest` ranks them.

        Over a few thousand ids, the ids ranked are those that share the
        most rare character trigrams with *word* (a trigram in more than a
        tenth of the ids says nothing), so that a suggestion costs the
        postings of the word's trigrams, not a pass over every id: a typo
        that keeps no rare trigram of the id gets no suggestion.
        """
        pool = self.ids_of(kind)
        if len(pool) <= _SMALL:
            return suggest(word, pool, n)
        grams = self._trigrams(kind)
        common = len(pool) // 10
        counts: Counter[str] = Counter()
        for gram in _grams(word):
            posting = grams.get(gram, ())
            if len(posting) <= common:
                counts.update(posting)
        return suggest(word, [i for i, _ in counts.most_common(_RANKED)], n)

    def ids_named(self, name: str, kind: str) -> list[str]:
        """
        The ids of the records of *kind* whose name is *name*, compared
        case-insensitively with white space folded.
        """
        return list(self._names(kind).get(_fold(name), ()))

    def ids_folded(self, ref: str, kind: str) -> list[str]:
        """
        The ids of the records of *kind* that are *ref* in another letter
        case.
        """
        found = self._folded_index.get(kind)
        if found is None:
            index: dict[str, list[str]] = defaultdict(list)
            for rec_id in self.ids_of(kind):
                index[rec_id.casefold()].append(rec_id)
            found = self._folded_index[kind] = dict(index)
        return list(found.get(ref.casefold(), ()))

    def _trigrams(self, kind: str) -> dict[str, list[str]]:
        found = self._gram_index.get(kind)
        if found is None:
            index: dict[str, list[str]] = defaultdict(list)
            for rec_id in self.ids_of(kind):
                for gram in _grams(rec_id):
                    index[gram].append(rec_id)
            found = self._gram_index[kind] = dict(index)
        return found

    def _names(self, kind: str) -> dict[str, list[str]]:
        found = self._name_index.get(kind)
        if found is None:
            index: dict[str, list[str]] = defaultdict(list)
            for rec_id in self.ids_of(kind):
                rec = self.by_id[rec_id]
                name = rec.title if isinstance(rec, Paper) else rec.name
                index[_fold(name)].append(rec_id)
            found = self._name_index[kind] = dict(index)
        return found

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

    @functools.cached_property
    def search(self) -> SearchIndex:
        """
        The text index, built on first use: most callers never search, and
        it costs more than the rest of the taxonomy.
        """
        return SearchIndex(self.all_records)


def _venues(paper: Paper) -> list[str]:
    found = [v for v in (paper.venue, paper.venue_short) if v]
    if paper.listing is not None:
        found.append(paper.listing.venue)
    return found
