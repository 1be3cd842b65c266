"""
The Taxonomy: all records, the indexes built once over them, and the
queries.  No I/O happens here.
"""

from __future__ import annotations

import functools
import warnings

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from attrs import field

from ._index import Index, SearchHit
from ._integrity import check_records
from ._queries import Queries
from ._records import (
    BASES,
    BUNDLED,
    COLLECTIONS,
    KIND_OF_TYPE,
    KINDS,
    Attack,
    Basis,
    Category,
    CounterEvidence,
    Defense,
    Deprecation,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._text import article as _a
from ._text import count, html_table
from .exceptions import TaxonomyDataError, UnknownIdError


if TYPE_CHECKING:
    from ._packaged import Manifest
    from ._records import ExtensionInfo, Provenance
    from .crosswalk import CrosswalkMatch


__all__ = ["KINDS", "SearchHit", "Taxonomy"]

R = TypeVar("R", Stage, Category, Attack, Defense, Paper)


def _rank(basis: object) -> int:
    if basis is None:
        return len(BASES) - 1
    if basis not in BASES:
        msg = f"basis must be one of {', '.join(BASES)}, not {basis!r}"
        raise ValueError(msg)
    return BASES.index(basis)


def _readonly(
    mapping: Mapping[str, Provenance],
) -> Mapping[str, Provenance]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True, init=False)
class Taxonomy(Queries):
    """
    The whole taxonomy: records of every kind, the indexes over them and
    the queries.

    Get the bundled one with :func:`dnn_supply_chain.load`.  Constructing a
    taxonomy checks it: every id is unique across kinds, every reference
    resolves, every vocabulary term is known and every paper is used, or a
    :class:`~dnn_supply_chain.TaxonomyDataError` lists all problems.

    Args:
        stages: The lifecycle stages, in lifecycle order.
        categories: The attack sub-categories.
        attacks: The attacks.
        defenses: The defenses.
        papers: The papers.
        vocabulary: The threat types and modalities records may use
            (default: none).
        survey: The id of the survey's own paper, if any.
        atlas_version: The MITRE ATLAS release of the crosswalk.
        deprecated: Ids that no longer name a record.
        evidence: Which defense counters which attack, and on what
            basis.
        provenance: Where records came from, by id (or by
            ``"namespace:"`` for all ids of an extension); records not
            named are bundled.
        extensions: The installed extensions and what became of each.
        manifest: What the bundled data is, for the bundled taxonomy.

    Raises:
        TaxonomyDataError: With every cross-record problem.

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
        evidence: The counter evidence, in file order; query it with
            :meth:`counter_evidence`.
        manifest: What the bundled data is (versions, counts, checksums),
            for the taxonomy :func:`dnn_supply_chain.load` returns.
        extensions: The installed extensions and what became of each
            (loaded, skipped, not selected); empty when none is installed.

    Its repr counts its records and loaded extensions
    (``<Taxonomy 4 stages, 42 attacks, 18 defenses, 61 papers,
    0 extensions>``); in a notebook it shows a table of its stages.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A short repr, and a table in notebooks.
    """

    stages: tuple[Stage, ...]
    categories: tuple[Category, ...] = ()
    attacks: tuple[Attack, ...] = ()
    defenses: tuple[Defense, ...] = ()
    papers: tuple[Paper, ...] = ()
    vocabulary: Vocabulary
    survey: str | None = None
    atlas_version: str | None = None
    deprecated: tuple[Deprecation, ...] = ()
    evidence: tuple[CounterEvidence, ...] = ()
    _provenance: Mapping[str, Provenance] = field(
        converter=_readonly, eq=False, repr=False, hash=False
    )
    extensions: tuple[ExtensionInfo, ...] = field(
        eq=False, repr=False, hash=False
    )
    manifest: Manifest | None = field(eq=False, repr=False, hash=False)

    def __init__(
        self,
        *,
        stages: tuple[Stage, ...],
        categories: tuple[Category, ...] = (),
        attacks: tuple[Attack, ...] = (),
        defenses: tuple[Defense, ...] = (),
        papers: tuple[Paper, ...] = (),
        vocabulary: Vocabulary | None = None,
        survey: str | None = None,
        atlas_version: str | None = None,
        deprecated: tuple[Deprecation, ...] = (),
        evidence: tuple[CounterEvidence, ...] = (),
        provenance: Mapping[str, Provenance] | None = None,
        extensions: tuple[ExtensionInfo, ...] = (),
        manifest: Manifest | None = None,
    ) -> None:
        """
        Build a taxonomy from its records, and check it: the class
        documentation describes the arguments.
        """
        self.__attrs_init__(
            stages=stages,
            categories=categories,
            attacks=attacks,
            defenses=defenses,
            papers=papers,
            vocabulary=Vocabulary() if vocabulary is None else vocabulary,
            survey=survey,
            atlas_version=atlas_version,
            deprecated=deprecated,
            evidence=evidence,
            provenance={} if provenance is None else provenance,
            extensions=extensions,
            manifest=manifest,
        )
        problems = check_records(
            source="<Taxonomy>",
            vocabulary=self.vocabulary,
            survey=self.survey,
            deprecated=[
                (("deprecated", i), d) for i, d in enumerate(self.deprecated)
            ],
            records={
                collection: getattr(self, collection)
                for collection in COLLECTIONS
            },
            evidence=[
                (("counter_evidence", i), link)
                for i, link in enumerate(self.evidence)
            ],
        )
        if problems:
            raise TaxonomyDataError(problems)

    @classmethod
    def _checked(cls, **fields: Any) -> Taxonomy:
        """
        Build a taxonomy from records that :func:`check_records` has just
        passed, without checking them again: for loaders.
        """
        fields.setdefault("vocabulary", Vocabulary())
        fields.setdefault("provenance", {})
        fields.setdefault("extensions", ())
        fields.setdefault("manifest", None)
        for name in ("categories", "attacks", "defenses", "papers"):
            fields.setdefault(name, ())
        fields.setdefault("survey", None)
        fields.setdefault("atlas_version", None)
        fields.setdefault("deprecated", ())
        fields.setdefault("evidence", ())
        tax = cls.__new__(cls)
        tax.__attrs_init__(**fields)
        return tax

    def _evolve(self, **changes: Any) -> Taxonomy:
        """
        This taxonomy with *changes* to fields that no check depends on
        (its manifest, its extensions report).
        """
        fields = {
            f.alias: getattr(self, f.name) for f in attrs.fields(type(self))
        }
        return Taxonomy._checked(**{**fields, **changes})

    @functools.cached_property
    def _index(self) -> Index:
        return Index(self)

    # -- display ----------------------------------------------------------

    def __repr__(self) -> str:
        loaded = sum(1 for e in self.extensions if e.status == "loaded")
        return (
            f"<Taxonomy {count(len(self.stages), 'stage')}, "
            f"{count(len(self.attacks), 'attack')}, "
            f"{count(len(self.defenses), 'defense')}, "
            f"{count(len(self.papers), 'paper')}, "
            f"{count(loaded, 'extension')}>"
        )

    def _repr_html_(self) -> str:
        """
        A table of the stages, with their categories, attacks and
        defenses, for a notebook.
        """
        rows = [
            (
                stage.id,
                stage.name,
                len(self.categories_of(stage.id)),
                len(self.attacks_in(stage.id)),
                len(self.defenses_in(stage.id)),
            )
            for stage in self.stages
        ]
        rows.append(
            (
                "",
                "total",
                len(self.categories),
                len(self.attacks),
                len(self.defenses),
            )
        )
        caption = repr(self).strip("<>")
        return html_table(
            caption,
            ("stage", "name", "categories", "attacks", "defenses"),
            rows,
        )

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

    def resolve(self, ref: str, *, kind: str | None = None) -> Record:
        """
        Return the record *ref* names, as a user types it.

        The rule, in order: *ref* is an id (a deprecated one is followed,
        as :meth:`get` does); an id in another letter case (``"RIPPLE"``);
        the name of one record, a paper's title, compared
        case-insensitively with white space folded (``"badencoder"`` for
        ``"BadEncoder"``).  The command line looks up what users type
        through it, and so do the filters of :meth:`find_attacks`,
        :meth:`find_defenses` and :meth:`find_papers`.

        Args:
            ref: An id or a name.
            kind: Only records of this kind (one of :data:`KINDS`); any
                kind when ``None``.

        Raises:
            UnknownIdError: *ref* names no record of *kind* (the message
                names the closest ids), names a record of another kind,
                or is the name, or the id in another case, of several
                records (the message lists their ids).

        .. versionadded:: 0.2.0
        """
        if kind is not None and kind not in KINDS:
            msg = f"kind must be one of {', '.join(KINDS)}, not {kind!r}"
            raise ValueError(msg)
        if not isinstance(ref, str):
            return self.get(ref)
        pool = "record" if kind is None else kind
        if ref in self._index.by_id or ref in self._index.deprecated:
            # stage(), category(), attack(), defense(), paper(): the
            # message names the kind of a record of another kind.
            typed: Callable[[str], Record] = getattr(self, kind or "get")
            return typed(ref)
        for found in (
            self._index.ids_folded(ref, pool),
            self._index.ids_named(ref, pool),
        ):
            if len(found) == 1:
                return self._index.by_id[found[0]]
            if found:
                raise UnknownIdError(
                    ref,
                    kind=pool,
                    detail=f"it names {len(found)} {pool}s; give one's id",
                    suggestions=found,
                )
        raise self._unknown(ref, pool)

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
        return KIND_OF_TYPE[type(self.get(id))]

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
        kind = KIND_OF_TYPE[cls]
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
            detail=f"{id!r} is {_a(KIND_OF_TYPE[type(rec)])}",
            suggestions=self._index.closest(id, kind),
        )

    def _unknown(self, id: object, kind: str) -> UnknownIdError:  # noqa: A002
        if not isinstance(id, str):
            return UnknownIdError(
                repr(id), kind=kind, detail="ids are strings"
            )
        known = kind if kind in KINDS else "record"
        return UnknownIdError(
            id, kind=kind, suggestions=self._index.closest(id, known)
        )

    def closest_ids(
        self, word: str, *, kind: str = "record", n: int = 3
    ) -> list[str]:
        """
        Return up to *n* ids of records of *kind* (one of :data:`KINDS`,
        or ``"record"`` for any) closest to *word*, best first: the
        suggestions of an unknown id.

        In a large taxonomy the candidates are found through an index of
        the ids' character trigrams, so a suggestion does not cost a pass
        over every id.

        .. versionadded:: 0.2.0
        """
        return self._index.closest(word, kind, n)

    def ids_named(self, name: str, *, kind: str = "record") -> list[str]:
        """
        Return the ids of the records of *kind* whose name (a paper's
        title) is *name*, case-insensitively and with white space folded.

        .. versionadded:: 0.2.0
        """
        return self._index.ids_named(name, kind)

    def provenance(self, id: str) -> Provenance:  # noqa: A002
        """
        Return where the record with *id* came from: the bundled data, or
        the distribution and entry point of an extension.

        Raises:
            UnknownIdError: No record has that id.
        """
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
        found: tuple[Attack | Defense, ...] = (
            self._index.filters.records_by_paper.get(paper, ())
        )
        return found

    def counter_evidence(
        self,
        *,
        attack: str | None = None,
        defense: str | None = None,
        basis: Basis | None = None,
    ) -> tuple[CounterEvidence, ...]:
        """
        Return the counter evidence: which defense counters which attack,
        strongest basis first (then in the taxonomy order of defenses and
        attacks).

        Args:
            attack: Keep the links to this attack.
            defense: Keep the links of this defense.
            basis: Keep the links at this basis or stronger.

        Raises:
            UnknownIdError: *attack* or *defense* is unknown.
            ValueError: *basis* is not one of :data:`BASES`.

        .. versionadded:: 0.2.0
        """
        return self._evidence(attack=attack, defense=defense, basis=basis)

    def _evidence(
        self,
        *,
        attack: str | None,
        defense: str | None,
        basis: Basis | None,
    ) -> tuple[CounterEvidence, ...]:
        rank = _rank(basis)
        if attack is not None:
            attack = self.attack(attack).id
        if defense is not None:
            defense = self.defense(defense).id
        return self._index.evidence(attack, defense, rank)

    def defenses_for(
        self, attack: str, *, basis: Basis = "mechanism"
    ) -> tuple[Defense, ...]:
        """
        Return the defenses with evidence that they counter *attack*, at
        *basis* or stronger, strongest evidence first (then in taxonomy
        order).

        A shared threat type is no evidence: only
        :class:`CounterEvidence` pairs a defense with an attack.  An
        attack with no link gives ``()``: no known defense in the
        taxonomy.

        Raises:
            UnknownIdError: *attack* names no attack.
            ValueError: *basis* is not one of :data:`BASES`.

        .. versionchanged:: 0.2.0
           Follows the counter evidence only; *basis* added.
        """
        atk = self.attack(attack)
        return self._index.defenses_for(atk.id, _rank(basis))

    def attacks_countered_by(
        self, defense: str, *, basis: Basis = "mechanism"
    ) -> tuple[Attack, ...]:
        """
        Return the attacks *defense* has evidence against, at *basis* or
        stronger, strongest evidence first; see :meth:`defenses_for`.

        .. versionchanged:: 0.2.0
           Follows the counter evidence only; *basis* added.
        """
        dfn = self.defense(defense)
        return self._index.attacks_for(dfn.id, _rank(basis))

    def undefended(self, *, basis: Basis = "mechanism") -> tuple[Attack, ...]:
        """
        Return the attacks that no defense of the taxonomy has evidence
        against at *basis* or stronger, in taxonomy order.

        .. versionadded:: 0.2.0
        """
        return self._index.undefended(_rank(basis))

    # -- crosswalk --------------------------------------------------------

    def crosswalk(
        self, ref: str, *, subtechniques: bool = False
    ) -> CrosswalkMatch:
        """
        Return the attacks, defenses and papers mapped to an ATLAS, OWASP
        or NIST entry (reverse lookup of the curated crosswalk).

        Args:
            ref: An ATLAS technique or mitigation id (``"AML.T0018"``), an
                OWASP ML Top 10 id (``"ML06"``), an OWASP Top 10 for LLM
                Applications id (``"LLM03:2025"``), a NIST AI 100-2 class
                id (``"NISTAML.023"``, or an objective, ``"NISTAML.02"``),
                in any letter case (``"llm03:2025"``, ``"aml.t0018"``); or
                a name: current, or one ATLAS has since changed
                (``"Backdoor ML Model"``), which is answered with the
                current name.
            subtechniques: Also match the records mapped to what sits
                under the entry: a technique's sub-techniques, a NIST
                objective's attack classes.

        Raises:
            UnknownIdError: *ref* is neither an id nor a name of the
                catalogue the crosswalk was made against (with the
                nearest ids).

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0
           OWASP LLM Top 10 and NIST AI 100-2 ids; ids in any case.
        """
        # Lazy (and downward): most callers never look up the crosswalk.
        from .crosswalk import (  # noqa: PLC0415
            CrosswalkMatch,
            load_crosswalk,
        )

        catalog = load_crosswalk()
        entry = catalog.resolve(ref)
        via = [entry.id]
        if subtechniques:
            via += [m.id for m in catalog.members(entry)]
        attack_pos, defense_pos = self._index.mapped_to(via)
        attacks_found = tuple(self.attacks[p] for p in attack_pos)
        defenses_found = tuple(self.defenses[p] for p in defense_pos)
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


def current_id(taxonomy: Taxonomy, record_id: str) -> str:
    """
    The id that names the record now: a renamed or merged id's successor,
    else *record_id* itself (a split id has no one successor).
    """
    successors = taxonomy.successor_of(record_id)
    return successors[0] if len(successors) == 1 else record_id
