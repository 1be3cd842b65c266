"""
The crosswalk to MITRE ATLAS, the OWASP Machine Learning Security Top 10,
the OWASP Top 10 for LLM Applications and NIST AI 100-2.

Every attack carries the ATLAS technique ids, OWASP ML Top 10 (2023) ids,
OWASP LLM Top 10 (2025) ids and NIST AI 100-2 E2025 class ids it maps to,
every defense its ATLAS mitigation ids, the techniques it works against and
its OWASP and NIST ids; the OWASP LLM and NIST mappings each carry their
reason (:class:`~dnn_supply_chain.MappingReason`).  The mapping is curated:
a judgement made against the frameworks' names and descriptions, not an
official MITRE, OWASP or NIST mapping.

The ids and names the crosswalk uses ship with the package, so that names
are looked up, never copied: :func:`load_crosswalk` returns them, and
:meth:`CrosswalkCatalog.resolve` answers an id (in any letter case), a
current name or a name ATLAS has since changed (with the current name).
"""

from __future__ import annotations

import functools
import json
import os
import re

from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from . import _checks as rules
from ._files import ReadFailure, read_text
from ._packaged import read_packaged
from ._parsing import MissingParser, ParseFailure, parse_yaml
from ._text import suggest
from .exceptions import DnnSupplyChainError, UnknownIdError


if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._records import Attack, Defense, MappingReason, Paper


__all__ = [
    "ATLAS_EXTRA",
    "ATLAS_ID",
    "CROSSWALK_ID",
    "NIST_AML_ID",
    "OWASP_ID",
    "OWASP_LLM_ID",
    "AtlasDrift",
    "AtlasMitigation",
    "AtlasRelease",
    "AtlasReleaseEntry",
    "AtlasTactic",
    "AtlasTechnique",
    "CrosswalkCatalog",
    "CrosswalkEntry",
    "CrosswalkMatch",
    "NistClass",
    "NotAtlasDataError",
    "OwaspLlmRisk",
    "OwaspRisk",
    "atlas_drift",
    "load_crosswalk",
    "read_atlas_release",
]

#: The form of an ATLAS technique (``AML.T0018``, ``AML.T0018.000``) or
#: mitigation (``AML.M0007``) id.
ATLAS_ID: Final = re.compile(r"AML\.(?:T[0-9]{4}(?:\.[0-9]{3})?|M[0-9]{4})")

#: The form of an OWASP ML Top 10 id (``ML06``).
OWASP_ID: Final = re.compile(r"ML[0-9]{2}")

#: The form of an OWASP Top 10 for LLM Applications id (``LLM03:2025``):
#: the edition's year is part of the id.
OWASP_LLM_ID: Final = re.compile(r"LLM[0-9]{2}:[0-9]{4}")

#: The form of a NIST AI 100-2 class id, an objective (``NISTAML.02``) or
#: an attack (``NISTAML.023``).
NIST_AML_ID: Final = re.compile(r"NISTAML\.[0-9]{2,3}")

#: Any crosswalk id as people type it, the forms above in any letter case
#: (``llm03:2025``, ``aml.t0018``, ``ml06``, ``nistaml.023``).
CROSSWALK_ID: Final = re.compile(
    rf"{ATLAS_ID.pattern}|{OWASP_ID.pattern}|{OWASP_LLM_ID.pattern}"
    rf"|{NIST_AML_ID.pattern}",
    re.IGNORECASE,
)


@attrs.frozen(kw_only=True)
class AtlasTechnique:
    """
    An ATLAS technique or sub-technique.

    Attributes:
        id: For example ``"AML.T0018"`` or ``"AML.T0018.000"``.
        name: Its name in the ATLAS release of the catalogue.
        subtechnique_of: The parent technique's id, for a sub-technique.
        tactics: The ids of its tactics.
        former_names: Names it had in earlier ATLAS releases.

    .. versionadded:: 0.1.0
    """

    id: str
    name: str
    subtechnique_of: str | None = None
    tactics: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class AtlasTactic:
    """
    An ATLAS tactic.

    Attributes:
        id: For example ``"AML.TA0006"``.
        name: For example ``"Persistence"``.
        shortname: The short name ATLAS's STIX bundle gives it and ATLAS
            Navigator layers use, for example ``"persistence"``.

    .. versionadded:: 0.2.0
    """

    id: str
    name: str
    shortname: str


@attrs.frozen(kw_only=True)
class AtlasMitigation:
    """
    An ATLAS mitigation.

    Attributes:
        id: For example ``"AML.M0007"``.
        name: Its name in the ATLAS release of the catalogue.
        mitigates: The technique ids ATLAS says it mitigates.

    .. versionadded:: 0.1.0
    """

    id: str
    name: str
    mitigates: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class OwaspRisk:
    """
    An entry of the OWASP Machine Learning Security Top 10.

    Attributes:
        id: For example ``"ML06"``.
        name: For example ``"AI Supply Chain Attacks"``.

    .. versionadded:: 0.1.0
    """

    id: str
    name: str


@attrs.frozen(kw_only=True)
class OwaspLlmRisk:
    """
    An entry of the OWASP Top 10 for LLM Applications.

    Attributes:
        id: For example ``"LLM03:2025"`` (the edition's year is part of it).
        name: For example ``"Supply Chain"``.

    .. versionadded:: 0.2.0
    """

    id: str
    name: str


@attrs.frozen(kw_only=True)
class NistClass:
    """
    A class of the NIST AI 100-2 E2025 taxonomy: an attacker objective
    (``NISTAML.02``) or an attack (``NISTAML.023``).

    Attributes:
        id: For example ``"NISTAML.023"``.
        name: Its name in the publication's index.
        kind: ``"objective"`` or ``"attack"``.
        objectives: For an attack, the objectives the index lists it under
            (in either of its taxonomies, predictive and generative AI).
        unverified: The fields not confirmed from the publication (for
            example ``("name",)``).

    .. versionadded:: 0.2.0
    """

    id: str
    name: str
    kind: str
    objectives: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()


#: An entry of the crosswalk's catalogue: an ATLAS technique or mitigation,
#: an OWASP ML Top 10 or LLM Top 10 entry, or a NIST AI 100-2 class.
CrosswalkEntry: TypeAlias = (
    AtlasTechnique | AtlasMitigation | OwaspRisk | OwaspLlmRisk | NistClass
)


@attrs.frozen(kw_only=True)
class CrosswalkCatalog:
    """
    The ATLAS, OWASP and NIST ids and names the crosswalk was made against.

    Attributes:
        atlas_version: The ATLAS release, for example ``"5.6.0"``.
        owasp_edition: The OWASP ML Top 10 edition, ``"2023"``.
        techniques: ATLAS techniques and sub-techniques.
        mitigations: ATLAS mitigations.
        owasp: OWASP ML Top 10 entries.
        note: What the crosswalk is (curated, not official).
        owasp_llm_edition: The OWASP Top 10 for LLM Applications edition,
            ``"2025"``.
        owasp_llm: OWASP Top 10 for LLM Applications entries.
        nist_edition: The NIST AI 100-2 edition, ``"E2025"``.
        nist: NIST AI 100-2 classes, objectives and attacks.
        tactics: ATLAS tactics, in ATLAS's matrix order.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The OWASP LLM Top 10 and NIST AI 100-2; ids match in any case.
    """

    atlas_version: str
    owasp_edition: str
    techniques: tuple[AtlasTechnique, ...]
    mitigations: tuple[AtlasMitigation, ...]
    owasp: tuple[OwaspRisk, ...]
    note: str
    owasp_llm_edition: str = ""
    owasp_llm: tuple[OwaspLlmRisk, ...] = ()
    nist_edition: str = ""
    nist: tuple[NistClass, ...] = ()
    tactics: tuple[AtlasTactic, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<CrosswalkCatalog ATLAS {self.atlas_version}: "
            f"{len(self.techniques)} techniques, "
            f"{len(self.mitigations)} mitigations; "
            f"OWASP ML {self.owasp_edition}: {len(self.owasp)}; "
            f"OWASP LLM {self.owasp_llm_edition or '-'}: "
            f"{len(self.owasp_llm)}; "
            f"NIST {self.nist_edition or '-'}: {len(self.nist)}>"
        )

    @property
    def _entries(self) -> tuple[CrosswalkEntry, ...]:
        entries: tuple[CrosswalkEntry, ...] = (
            *self.techniques,
            *self.mitigations,
            *self.owasp,
            *self.owasp_llm,
            *self.nist,
        )
        return entries

    @functools.cached_property
    def _by_id(self) -> dict[str, CrosswalkEntry]:
        return {e.id: e for e in self._entries}

    @functools.cached_property
    def _by_folded_id(self) -> dict[str, CrosswalkEntry]:
        return {_fold(e.id): e for e in self._entries}

    @functools.cached_property
    def _by_name(self) -> dict[str, tuple[CrosswalkEntry, ...]]:
        by_name: dict[str, tuple[CrosswalkEntry, ...]] = {}
        for entry in self._entries:
            names = [entry.name]
            if isinstance(entry, AtlasTechnique):
                names += entry.former_names
            for name in names:
                key = _fold(name)
                if entry not in by_name.get(key, ()):
                    by_name[key] = (*by_name.get(key, ()), entry)
        return by_name

    def _find(self, ref: str) -> CrosswalkEntry | None:
        return self._by_id.get(ref) or self._by_folded_id.get(_fold(ref))

    def _near(self, ref: str, pool: list[str]) -> list[str]:
        # Ids are upper case: compare what was typed in the same case.
        return suggest(" ".join(ref.split()).upper(), pool) or suggest(
            ref, pool
        )

    def get(self, ref: str) -> CrosswalkEntry:
        """
        Return the entry with id *ref*, in any letter case (``"ml06"``,
        ``"llm03:2025"``).

        Raises:
            UnknownIdError: No entry has that id.
        """
        entry = self._find(ref)
        if entry is None:
            near = self._near(ref, list(self._by_id))
            raise UnknownIdError(
                ref, kind="ATLAS, OWASP or NIST id", suggestions=near
            )
        return entry

    def resolve(self, ref: str) -> CrosswalkEntry:
        """
        Return the entry with id *ref* (in any letter case), or with the
        name *ref* (current or former, case-insensitive).

        Raises:
            UnknownIdError: Neither an id nor a name of an entry, or a
                name that several entries have (the error suggests their
                ids).
        """
        entry = self._find(ref)
        if entry is not None:
            return entry
        named = self._by_name.get(_fold(ref), ())
        if len(named) == 1:
            return named[0]
        if named:
            raise UnknownIdError(
                ref,
                kind="ATLAS, OWASP or NIST id or name",
                suggestions=[e.id for e in named],
                detail=f"{len(named)} entries have that name; ask by id",
            )
        pool = [*self._by_id, *(e.name for e in self._by_id.values())]
        near = self._near(ref, pool)
        raise UnknownIdError(
            ref, kind="ATLAS, OWASP or NIST id or name", suggestions=near
        )

    def subtechniques(self, technique: str) -> tuple[AtlasTechnique, ...]:
        """
        Return the sub-techniques of *technique*, in catalogue order.
        """
        return tuple(
            t for t in self.techniques if t.subtechnique_of == technique
        )

    def tactics_of(self, technique: str) -> tuple[AtlasTactic, ...]:
        """
        Return the tactics of the ATLAS technique *technique*, in matrix
        order; a sub-technique has its parent's (ATLAS lists none of its
        own).  Nothing for an id the catalogue does not have.

        .. versionadded:: 0.2.0
        """
        entry = self._by_id.get(technique)
        if not isinstance(entry, AtlasTechnique):
            return ()
        if entry.subtechnique_of is not None and not entry.tactics:
            return self.tactics_of(entry.subtechnique_of)
        return tuple(t for t in self.tactics if t.id in entry.tactics)

    def under_objective(self, objective: str) -> tuple[NistClass, ...]:
        """
        Return the NIST attack classes the index lists under *objective*
        (for example ``"NISTAML.02"``), in catalogue order.

        .. versionadded:: 0.2.0
        """
        return tuple(c for c in self.nist if objective in c.objectives)

    def members(self, entry: CrosswalkEntry) -> tuple[CrosswalkEntry, ...]:
        """
        Return what sits under *entry*: a technique's sub-techniques, a
        NIST objective's attacks; nothing for other entries.

        .. versionadded:: 0.2.0
        """
        if isinstance(entry, AtlasTechnique):
            return self.subtechniques(entry.id)
        if isinstance(entry, NistClass) and entry.kind == "objective":
            return self.under_objective(entry.id)
        return ()

    def framework(self, entry: CrosswalkEntry) -> str:
        """
        Return the framework and version *entry* belongs to, for example
        ``"OWASP Top 10 for LLM Applications 2025"`` or ``"ATLAS 5.6.0"``.

        .. versionadded:: 0.2.0
        """
        if isinstance(entry, OwaspRisk):
            return f"OWASP ML Top 10 {self.owasp_edition}"
        if isinstance(entry, OwaspLlmRisk):
            return (
                f"OWASP Top 10 for LLM Applications {self.owasp_llm_edition}"
            )
        if isinstance(entry, NistClass):
            return f"NIST AI 100-2 {self.nist_edition}"
        return f"ATLAS {self.atlas_version}"

    def editions(self) -> str:
        """
        Return the versions of the four frameworks, as error messages name
        them: ``"ATLAS 5.6.0, OWASP ML Top 10 2023, ..."``.

        .. versionadded:: 0.2.0
        """
        return (
            f"ATLAS {self.atlas_version}, OWASP ML Top 10 "
            f"{self.owasp_edition}, OWASP Top 10 for LLM Applications "
            f"{self.owasp_llm_edition}, NIST AI 100-2 {self.nist_edition}"
        )

    def current_name(self, ref: str) -> str | None:
        """
        Return the current name of the entry with id *ref* (in any letter
        case), if any.
        """
        entry = self._find(ref)
        return None if entry is None else entry.name


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@attrs.frozen(kw_only=True)
class CrosswalkMatch:
    """
    What the taxonomy maps to one ATLAS or OWASP entry.

    Attributes:
        entry: The entry, with its current name.
        asked: The id or name that was looked up, as given.
        attacks: Attacks mapped to it, in taxonomy order.
        defenses: Defenses mapped to it (a mitigation they implement, or a
            technique they work against), in taxonomy order.
        papers: The papers of those attacks and defenses.
        via: The ids matched: the entry's, and when they were asked for
            those under it (a technique's sub-techniques, a NIST
            objective's attack classes).

    .. versionadded:: 0.1.0
    """

    entry: CrosswalkEntry
    asked: str
    attacks: tuple[Attack, ...]
    defenses: tuple[Defense, ...]
    papers: tuple[Paper, ...]
    via: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"<CrosswalkMatch {self.entry.id!r} {self.entry.name!r}: "
            f"{len(self.attacks)} attacks, {len(self.defenses)} defenses, "
            f"{len(self.papers)} papers>"
        )

    def reasons_of(
        self, record: Attack | Defense
    ) -> tuple[MappingReason, ...]:
        """
        Return the reasons *record* gives for its mappings to the ids
        matched (:attr:`via`); ATLAS and OWASP ML mappings carry none.

        .. versionadded:: 0.2.0
        """
        return tuple(r for r in record.mapping_reasons if r.id in self.via)

    @property
    def renamed(self) -> bool:
        """
        Whether the entry was asked for by a name it no longer has.
        """
        return _fold(self.asked) not in (
            _fold(self.entry.id),
            _fold(self.entry.name),
        )


# The catalogue file as it is written, read with the converter (good files
# by the fields' fast checks, without importing cattrs).
_STR = rules.string()


@attrs.frozen(kw_only=True)
class _Named:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)


@attrs.frozen(kw_only=True)
class _TacticEntry:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)
    shortname: str = rules.field(_STR)


@attrs.frozen(kw_only=True)
class _TechniqueEntry:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)
    subtechnique_of: str | None = rules.field(rules.optional(_STR))
    tactics: tuple[str, ...] = rules.field(rules.strings())


@attrs.frozen(kw_only=True)
class _MitigationEntry:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)
    mitigates: tuple[str, ...] = rules.field(rules.strings())


@attrs.frozen(kw_only=True)
class _Rename:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)
    until: str = rules.field(_STR)


@attrs.frozen(kw_only=True)
class _AtlasFile:
    source: str = rules.field(_STR)
    version: str = rules.field(_STR)
    tactics: tuple[_TacticEntry, ...] = rules.field(
        rules.strings(rules.nested(_TacticEntry))
    )
    techniques: tuple[_TechniqueEntry, ...] = rules.field(
        rules.strings(rules.nested(_TechniqueEntry))
    )
    mitigations: tuple[_MitigationEntry, ...] = rules.field(
        rules.strings(rules.nested(_MitigationEntry))
    )
    renamed: tuple[_Rename, ...] = rules.field(
        rules.strings(rules.nested(_Rename))
    )


@attrs.frozen(kw_only=True)
class _OwaspFile:
    source: str = rules.field(_STR)
    edition: str = rules.field(_STR)
    items: tuple[_Named, ...] = rules.field(
        rules.strings(rules.nested(_Named))
    )


@attrs.frozen(kw_only=True)
class _NistEntry:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)
    kind: str = rules.field(rules.one_of(("objective", "attack")))
    objectives: tuple[str, ...] = rules.field(rules.strings())
    unverified: tuple[str, ...] = rules.field(rules.strings())


@attrs.frozen(kw_only=True)
class _NistFile:
    source: str = rules.field(_STR)
    edition: str = rules.field(_STR)
    classes: tuple[_NistEntry, ...] = rules.field(
        rules.strings(rules.nested(_NistEntry))
    )


@attrs.frozen(kw_only=True)
class _CrosswalkFile:
    """
    ``crosswalk.json`` as it is written.
    """

    note: str = rules.field(_STR)
    atlas: _AtlasFile = rules.field(rules.nested(_AtlasFile))
    owasp_ml: _OwaspFile = rules.field(rules.nested(_OwaspFile))
    owasp_llm: _OwaspFile = rules.field(rules.nested(_OwaspFile))
    nist_aml: _NistFile = rules.field(rules.nested(_NistFile))


@functools.cache
def load_crosswalk() -> CrosswalkCatalog:
    """
    Return the bundled ATLAS, OWASP and NIST catalogue (read once).

    Raises:
        TaxonomyDataError: The catalogue file is missing or damaged (a
            broken install).

    .. versionadded:: 0.1.0
    """
    data = read_packaged("crosswalk.json", _CrosswalkFile)
    atlas, owasp = data.atlas, data.owasp_ml
    former: dict[str, list[str]] = {}
    for rename in atlas.renamed:
        former.setdefault(rename.id, []).append(rename.name)
    return CrosswalkCatalog(
        atlas_version=atlas.version,
        owasp_edition=owasp.edition,
        techniques=tuple(
            AtlasTechnique(
                id=t.id,
                name=t.name,
                subtechnique_of=t.subtechnique_of,
                tactics=t.tactics,
                former_names=tuple(former.get(t.id, ())),
            )
            for t in atlas.techniques
        ),
        mitigations=tuple(
            AtlasMitigation(id=m.id, name=m.name, mitigates=m.mitigates)
            for m in atlas.mitigations
        ),
        owasp=tuple(OwaspRisk(id=i.id, name=i.name) for i in owasp.items),
        note=data.note,
        owasp_llm_edition=data.owasp_llm.edition,
        owasp_llm=tuple(
            OwaspLlmRisk(id=i.id, name=i.name) for i in data.owasp_llm.items
        ),
        tactics=tuple(
            AtlasTactic(id=t.id, name=t.name, shortname=t.shortname)
            for t in atlas.tactics
        ),
        nist_edition=data.nist_aml.edition,
        nist=tuple(
            NistClass(
                id=c.id,
                name=c.name,
                kind=c.kind,
                objectives=c.objectives,
                unverified=c.unverified,
            )
            for c in data.nist_aml.classes
        ),
    )


# -- drift against another ATLAS release -----------------------------------

#: The optional extra that reading ``ATLAS.yaml`` needs (PyYAML).
ATLAS_EXTRA: Final = "dnn-supply-chain[atlas]"

_AtlasStatus: TypeAlias = Literal["current", "deprecated", "revoked"]


class NotAtlasDataError(DnnSupplyChainError, ValueError):
    """
    A file that is not ATLAS data (an ``ATLAS.yaml`` or an ATLAS STIX
    bundle), or that cannot be read as one, or whose format needs a parser
    that is not installed (the message names :data:`ATLAS_EXTRA`).

    .. versionadded:: 0.2.0
    """


@attrs.frozen(kw_only=True)
class AtlasReleaseEntry:
    """
    A technique or mitigation as an ATLAS data file has it.

    Attributes:
        id: For example ``"AML.T0018"``.
        name: Its name in that file.
        status: ``"current"``, ``"deprecated"`` or ``"revoked"``.
        replaced_by: The id that replaces it, where the file says so.

    .. versionadded:: 0.2.0
    """

    id: str
    name: str
    status: _AtlasStatus = "current"
    replaced_by: str | None = None


@attrs.frozen(kw_only=True)
class AtlasRelease:
    """
    The techniques and mitigations of an ATLAS data file.

    Attributes:
        version: The release the file states (``"5.6.0"``), or ``None``
            (an ATLAS STIX bundle states none).
        format: ``"stix"`` (an ATLAS STIX bundle) or ``"yaml"`` (an
            ``ATLAS.yaml`` of atlas-data).
        entries: Its techniques, sub-techniques and mitigations, in file
            order.

    .. versionadded:: 0.2.0
    """

    version: str | None
    format: Literal["stix", "yaml"]
    entries: tuple[AtlasReleaseEntry, ...]

    @functools.cached_property
    def _by_id(self) -> dict[str, AtlasReleaseEntry]:
        return {e.id: e for e in self.entries}

    def get(self, atlas_id: str) -> AtlasReleaseEntry | None:
        """
        Return the entry with id *atlas_id*, or ``None`` if the file has
        none.
        """
        return self._by_id.get(atlas_id)


@attrs.frozen(kw_only=True)
class AtlasDrift:
    """
    An ATLAS id the crosswalk maps to that another ATLAS release no
    longer has as it was.

    Attributes:
        id: The ATLAS id.
        change: ``"missing"`` (the file does not have it), ``"renamed"``
            (it has it under another name), ``"deprecated"`` or
            ``"revoked"`` (it marks it so).
        name: Its name in the catalogue the crosswalk was made against,
            or ``None`` for an id only an extension maps to.
        name_in_file: Its name in the file, where it has it.
        replaced_by: Its replacement, where the file names one.
        attacks: The ids of the attacks mapped to it, in taxonomy order.
        defenses: The ids of the defenses mapped to it, in taxonomy order.

    .. versionadded:: 0.2.0
    """

    id: str
    change: Literal["missing", "renamed", "deprecated", "revoked"]
    name: str | None
    name_in_file: str | None
    replaced_by: str | None
    attacks: tuple[str, ...]
    defenses: tuple[str, ...]


_ATLAS_ANY: Final = re.compile(r"AML\.(?:T[0-9]{4}(?:\.[0-9]{3})?|M[0-9]{4})")


def _replacement(item: dict[str, Any]) -> str | None:
    for key in (
        "replaced-by",
        "replaced_by",
        "revoked-by",
        "revoked_by",
        "superseded-by",
        "superseded_by",
    ):
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, list) and value:
            value = value[0]
            if isinstance(value, dict):
                value = value.get("id")
        if isinstance(value, str) and value:
            return value
    return None


def _status(item: dict[str, Any]) -> _AtlasStatus:
    status = str(item.get("status", "")).casefold()
    if item.get("revoked") is True or status in {"revoked", "retired"}:
        return "revoked"
    if item.get("deprecated") is True or status == "deprecated":
        return "deprecated"
    return "current"


def _yaml_items(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    holders = [data]
    matrices = data.get("matrices")
    if isinstance(matrices, list):
        holders += [m for m in matrices if isinstance(m, dict)]
    for holder in holders:
        for key in ("techniques", "mitigations"):
            items = holder.get(key)
            if isinstance(items, list):
                yield from (i for i in items if isinstance(i, dict))


def _from_yaml(data: object) -> AtlasRelease:
    if not isinstance(data, dict):
        msg = "not ATLAS data: the YAML is not a mapping"
        raise NotAtlasDataError(msg)
    entries: dict[str, AtlasReleaseEntry] = {}
    for item in _yaml_items(data):
        atlas_id = item.get("id")
        if isinstance(atlas_id, str) and _ATLAS_ANY.fullmatch(atlas_id):
            entries.setdefault(
                atlas_id,
                AtlasReleaseEntry(
                    id=atlas_id,
                    name=str(item.get("name", "")),
                    status=_status(item),
                    replaced_by=_replacement(item),
                ),
            )
    if not entries:
        msg = (
            "not ATLAS data: no ATLAS technique or mitigation in the file "
            "(neither an ATLAS.yaml nor an ATLAS STIX bundle)"
        )
        raise NotAtlasDataError(msg)
    version = data.get("version")
    return AtlasRelease(
        version=None if version is None else str(version),
        format="yaml",
        entries=tuple(entries.values()),
    )


def _atlas_id_of(obj: dict[str, Any]) -> str | None:
    for ref in obj.get("external_references") or ():
        if (
            isinstance(ref, dict)
            and ref.get("source_name") == "mitre-atlas"
            and isinstance(ref.get("external_id"), str)
            and _ATLAS_ANY.fullmatch(ref["external_id"])
        ):
            found: str = ref["external_id"]
            return found
    return None


def _from_stix(data: dict[str, Any]) -> AtlasRelease:
    objects = [o for o in data.get("objects") or () if isinstance(o, dict)]
    atlas_of = {
        o.get("id"): _atlas_id_of(o)
        for o in objects
        if o.get("type") in ("attack-pattern", "course-of-action")
    }
    revoked_by = {
        o.get("source_ref"): atlas_of.get(o.get("target_ref"))
        for o in objects
        if o.get("type") == "relationship"
        and o.get("relationship_type") == "revoked-by"
    }
    entries: dict[str, AtlasReleaseEntry] = {}
    for obj in objects:
        atlas_id = atlas_of.get(obj.get("id"))
        if atlas_id is None:
            continue
        status: _AtlasStatus = (
            "revoked"
            if obj.get("revoked") is True
            else "deprecated"
            if obj.get("x_mitre_deprecated") is True
            else "current"
        )
        entries.setdefault(
            atlas_id,
            AtlasReleaseEntry(
                id=atlas_id,
                name=str(obj.get("name", "")),
                status=status,
                replaced_by=revoked_by.get(obj.get("id")),
            ),
        )
    if not entries:
        msg = (
            "not ATLAS data: the STIX bundle has no object with a "
            "mitre-atlas technique or mitigation id"
        )
        raise NotAtlasDataError(msg)
    # The bundle does not state the ATLAS release (its collection's
    # x_mitre_version is the collection's own version).
    return AtlasRelease(
        version=None,
        format="stix",
        entries=tuple(entries.values()),
    )


def _parse_yaml(text: str) -> object:
    missing = (
        f"reading ATLAS.yaml needs PyYAML, which the extra {ATLAS_EXTRA!r} "
        "installs (from a checkout: python -m pip install '.[atlas]'); or "
        "pass an ATLAS STIX bundle, which needs nothing extra"
    )
    try:
        return parse_yaml(text, missing=missing)
    except MissingParser:
        raise NotAtlasDataError(missing) from None
    except ParseFailure as exc:
        msg = f"not ATLAS data: the file is neither JSON nor YAML ({exc.message})"
        raise NotAtlasDataError(msg) from None


def read_atlas_release(path: str | os.PathLike[str]) -> AtlasRelease:
    """
    Read the ATLAS data file *path*: an ATLAS STIX 2.1 bundle (JSON, as
    atlas-navigator-data's ``stix-atlas.json``), or the ``ATLAS.yaml`` of
    atlas-data, 5.x or newer (YAML needs :data:`ATLAS_EXTRA`).

    Raises:
        NotAtlasDataError: The file cannot be read, or holds no ATLAS
            technique or mitigation, or is YAML and PyYAML is missing.

    .. versionadded:: 0.2.0
    """
    try:
        text = read_text(path)
    except ReadFailure as exc:
        raise NotAtlasDataError(str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError:
        return _from_yaml(_parse_yaml(text))
    if isinstance(data, dict) and data.get("type") == "bundle":
        return _from_stix(data)
    return _from_yaml(data)


def atlas_drift(
    attacks: Iterable[Attack],
    defenses: Iterable[Defense],
    release: AtlasRelease,
    catalog: CrosswalkCatalog | None = None,
) -> tuple[AtlasDrift, ...]:
    """
    Return every ATLAS id that *attacks* and *defenses* map to and that
    *release* does not have, has under another name than *catalog* (the
    bundled one by default), or marks deprecated or revoked; in id order.

    .. versionadded:: 0.2.0
    """
    catalog = catalog or load_crosswalk()
    users: dict[str, tuple[list[str], list[str]]] = {}
    for attack in attacks:
        for atlas_id in attack.atlas_techniques:
            users.setdefault(atlas_id, ([], []))[0].append(attack.id)
    for defense in defenses:
        refs = (*defense.atlas_mitigations, *defense.atlas_counters)
        for atlas_id in dict.fromkeys(refs):
            users.setdefault(atlas_id, ([], []))[1].append(defense.id)
    found = []
    for atlas_id in sorted(users):
        ours = catalog.current_name(atlas_id)
        theirs = release.get(atlas_id)
        change: Literal["missing", "renamed", "deprecated", "revoked"]
        if theirs is None:
            change = "missing"
        elif theirs.status != "current":
            change = theirs.status
        elif ours is not None and _fold(ours) != _fold(theirs.name):
            change = "renamed"
        else:
            continue
        attack_ids, defense_ids = users[atlas_id]
        found.append(
            AtlasDrift(
                id=atlas_id,
                change=change,
                name=ours,
                name_in_file=None if theirs is None else theirs.name,
                replaced_by=None if theirs is None else theirs.replaced_by,
                attacks=tuple(attack_ids),
                defenses=tuple(defense_ids),
            )
        )
    return tuple(found)
