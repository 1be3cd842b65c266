"""
The crosswalk to MITRE ATLAS and the OWASP Machine Learning Security Top 10.

Every attack carries the ATLAS technique ids and OWASP ML Top 10 (2023) ids
it maps to, every defense its ATLAS mitigation ids and the techniques it
works against.  The mapping is curated: a judgement made against ATLAS's and
OWASP's names and descriptions, not an official MITRE or OWASP mapping.

The ATLAS and OWASP ids and names the crosswalk uses ship with the package,
so that names are looked up, never copied: :func:`load_crosswalk` returns
them, and :meth:`CrosswalkCatalog.resolve` answers an id, a current name or
a name ATLAS has since changed (with the current name).
"""

from __future__ import annotations

import functools
import re

from typing import TYPE_CHECKING, Final, TypeAlias

import attrs

from . import _checks as rules
from ._packaged import read_packaged
from ._text import suggest
from .exceptions import UnknownIdError


if TYPE_CHECKING:
    from ._records import Attack, Defense, Paper


__all__ = [
    "ATLAS_ID",
    "OWASP_ID",
    "AtlasMitigation",
    "AtlasTechnique",
    "CrosswalkCatalog",
    "CrosswalkEntry",
    "CrosswalkMatch",
    "OwaspRisk",
    "load_crosswalk",
]

#: The form of an ATLAS technique (``AML.T0018``, ``AML.T0018.000``) or
#: mitigation (``AML.M0007``) id.
ATLAS_ID: Final = re.compile(r"AML\.(?:T[0-9]{4}(?:\.[0-9]{3})?|M[0-9]{4})")

#: The form of an OWASP ML Top 10 id (``ML06``).
OWASP_ID: Final = re.compile(r"ML[0-9]{2}")


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


#: An entry of the crosswalk's catalogue: an ATLAS technique or mitigation,
#: or an OWASP ML Top 10 entry.
CrosswalkEntry: TypeAlias = AtlasTechnique | AtlasMitigation | OwaspRisk


@attrs.frozen(kw_only=True)
class CrosswalkCatalog:
    """
    The ATLAS and OWASP ids and names the crosswalk was made against.

    Attributes:
        atlas_version: The ATLAS release, for example ``"5.6.0"``.
        owasp_edition: The OWASP ML Top 10 edition, ``"2023"``.
        techniques: ATLAS techniques and sub-techniques.
        mitigations: ATLAS mitigations.
        owasp: OWASP ML Top 10 entries.
        note: What the crosswalk is (curated, not official).

    .. versionadded:: 0.1.0
    """

    atlas_version: str
    owasp_edition: str
    techniques: tuple[AtlasTechnique, ...]
    mitigations: tuple[AtlasMitigation, ...]
    owasp: tuple[OwaspRisk, ...]
    note: str

    @property
    def _entries(self) -> tuple[CrosswalkEntry, ...]:
        entries: tuple[CrosswalkEntry, ...] = (
            *self.techniques,
            *self.mitigations,
            *self.owasp,
        )
        return entries

    @functools.cached_property
    def _by_id(self) -> dict[str, CrosswalkEntry]:
        return {e.id: e for e in self._entries}

    @functools.cached_property
    def _by_name(self) -> dict[str, CrosswalkEntry]:
        by_name: dict[str, CrosswalkEntry] = {}
        for entry in self._entries:
            names = [entry.name]
            if isinstance(entry, AtlasTechnique):
                names += entry.former_names
            for name in names:
                by_name.setdefault(_fold(name), entry)
        return by_name

    def get(self, ref: str) -> CrosswalkEntry:
        """
        Return the technique, mitigation or OWASP entry with id *ref*.

        Raises:
            UnknownIdError: No entry has that id.
        """
        entry = self._by_id.get(ref)
        if entry is None:
            near = suggest(ref, self._by_id)
            raise UnknownIdError(
                ref, kind="ATLAS or OWASP id", suggestions=near
            )
        return entry

    def resolve(self, ref: str) -> CrosswalkEntry:
        """
        Return the entry with id *ref*, or with the name *ref* (current or
        former, case-insensitive).

        Raises:
            UnknownIdError: Neither an id nor a name of an entry.
        """
        if ref in self._by_id:
            return self._by_id[ref]
        entry = self._by_name.get(_fold(ref))
        if entry is not None:
            return entry

        pool = [*self._by_id, *(e.name for e in self._by_id.values())]
        near = suggest(ref, pool)
        raise UnknownIdError(
            ref, kind="ATLAS or OWASP id or name", suggestions=near
        )

    def subtechniques(self, technique: str) -> tuple[AtlasTechnique, ...]:
        """
        Return the sub-techniques of *technique*, in catalogue order.
        """
        return tuple(
            t for t in self.techniques if t.subtechnique_of == technique
        )

    def current_name(self, ref: str) -> str | None:
        """
        Return the current name of the entry with id *ref*, if any.
        """
        entry = self._by_id.get(ref)
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
        via: The ids matched: the entry's, and its sub-techniques' when
            they were asked for.

    .. versionadded:: 0.1.0
    """

    entry: CrosswalkEntry
    asked: str
    attacks: tuple[Attack, ...]
    defenses: tuple[Defense, ...]
    papers: tuple[Paper, ...]
    via: tuple[str, ...]

    @property
    def renamed(self) -> bool:
        """
        Whether the entry was asked for by a name it no longer has.
        """
        return self.asked not in (self.entry.id, self.entry.name) and (
            _fold(self.asked) != _fold(self.entry.name)
        )


# The catalogue file as it is written, read with the converter (good files
# by the fields' fast checks, without importing cattrs).
_STR = rules.string()


@attrs.frozen(kw_only=True)
class _Named:
    id: str = rules.field(_STR)
    name: str = rules.field(_STR)


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
    tactics: tuple[_Named, ...] = rules.field(
        rules.strings(rules.nested(_Named))
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
class _CrosswalkFile:
    """
    ``crosswalk.json`` as it is written.
    """

    note: str = rules.field(_STR)
    atlas: _AtlasFile = rules.field(rules.nested(_AtlasFile))
    owasp_ml: _OwaspFile = rules.field(rules.nested(_OwaspFile))


@functools.cache
def load_crosswalk() -> CrosswalkCatalog:
    """
    Return the bundled ATLAS and OWASP catalogue (read once).

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
    )
