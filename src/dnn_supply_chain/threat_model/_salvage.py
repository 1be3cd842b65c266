"""
What of a malformed threat model can still be checked against the
taxonomy.

A file with structural problems (an unknown key, a field of the wrong
type, a list item that is not a table) builds no :class:`ThreatModel`.  To
report its tag problems in the same run, the problems are set aside: an
unknown key is dropped, a bad optional field is dropped (it takes its
default), a bad required id or title is replaced by a placeholder, a bad
list item is dropped.  What is left is built and validated; the
validation's locations are mapped back to the file's.  Where the structure
does not allow this (no scope, a scope without stages, a file that is not
a table), nothing is salvaged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from dnn_supply_chain.exceptions import (
    Location,
    Problem,
    ThreatModelError,
    format_location,
)

from ._files import threat_model_from_dict
from ._model import Mitigation, Scope, Tag, Threat, ThreatModel


if TYPE_CHECKING:
    from attrs import AttrsInstance


__all__ = ["Salvage", "salvage"]

# Required fields that a placeholder can stand in for: validation reads
# neither a title nor the model's name, and a placeholder id is unique.
_PLACEHOLDERS: Final = {
    ThreatModel: ("name",),
    Threat: ("id", "title"),
    Mitigation: ("id", "title"),
}


class _GiveUp(Exception):  # noqa: N818 - a signal, not an error
    """
    The structure does not allow salvaging anything.
    """


@attrs.frozen(kw_only=True)
class Salvage:
    """
    The part of a malformed threat model that can be checked.

    Attributes:
        model: The model built from what the structural problems leave.
        kept: For each list an item was dropped from (by its location in
            the file), the indexes in the file of the items kept.
        blocked: The locations of the structural problems: no finding of
            the validation at or under one is reported.
        placeholders: The threats and mitigations whose id is a
            placeholder: findings about their status are not reported.
        fillers: The placeholders themselves, which name no threat.
        threat_ids: The threat ids the file spells out, read leniently.
        mitigated: The threat ids some mitigation of the file lists, read
            leniently.
    """

    model: ThreatModel
    kept: Mapping[Location, tuple[int, ...]]
    blocked: tuple[Location, ...]
    placeholders: frozenset[Location]
    fillers: frozenset[str]
    threat_ids: frozenset[str]
    mitigated: frozenset[str]

    def original(self, location: Location) -> Location:
        """
        *location* in the salvaged model, as a location in the file.
        """
        out: list[str | int] = []
        for step in location:
            kept = self.kept.get(tuple(out))
            out.append(
                kept[step]
                if kept is not None and isinstance(step, int)
                else step
            )
        return tuple(out)

    def reports(self, finding: Problem) -> bool:
        """
        Tell whether *finding*, at its location in the file, is one to
        report: it is not at or under a structural problem, and not about
        the status of a record whose id is a placeholder.
        """
        where = finding.location
        if any(where[: len(b)] == b for b in self.blocked):
            return False
        return not (
            len(where) == 3  # noqa: PLR2004 - (collection, index, field)
            and where[:2] in self.placeholders
            and where[2] == "status"
        )


def _record_class(location: Location) -> type[AttrsInstance] | None:
    """
    The record a table at *location* is read as, if it is one.
    """
    match location:
        case ():
            return ThreatModel
        case ("scope",):
            return Scope
        case ("threats", int()):
            return Threat
        case ("mitigations", int()):
            return Mitigation
        case ("threats" | "mitigations", int(), "tags", int()):
            return Tag
    return None


@attrs.define
class _Edits:
    """
    What to change in the data: items to drop, keys to drop, values to
    put in, all at locations in the file.
    """

    drop: set[Location] = attrs.Factory(set)
    put: dict[Location, str] = attrs.Factory(dict)
    placeholders: set[Location] = attrs.Factory(set)

    def add(self, problem: Problem) -> None:
        where = problem.location
        if not where:
            raise _GiveUp
        last = where[-1]
        if isinstance(last, int):
            self.drop.add(where)
            return
        table = where[:-1]
        cls = _record_class(table)
        if cls is None:
            raise _GiveUp
        field = attrs.fields_dict(cls).get(last)
        if field is None or field.default is not attrs.NOTHING:
            # An unknown key, or a field that has a default without it.
            self.drop.add(where)
        elif last in _PLACEHOLDERS.get(cls, ()):
            self.put[where] = f"<{format_location(where)}>"
            if last == "id":
                self.placeholders.add(table)
        elif cls is Tag:
            self.drop.add(table)
        else:
            raise _GiveUp

    def apply(
        self, value: object, where: Location, kept: dict[Location, Any]
    ) -> object:
        """
        A copy of *value*, at *where* in the file, with the edits made.
        """
        if isinstance(value, dict):
            out = {
                key: self.apply(item, (*where, key), kept)
                for key, item in value.items()
                if (*where, key) not in self.drop
            }
            for at, placeholder in self.put.items():
                if at[:-1] == where:
                    out[at[-1]] = placeholder
            return out
        if isinstance(value, list):
            indexes = [
                i for i in range(len(value)) if (*where, i) not in self.drop
            ]
            if len(indexes) < len(value):
                kept[where] = tuple(indexes)
            return [self.apply(value[i], (*where, i), kept) for i in indexes]
        return value


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, str))


def _items(data: Mapping[str, Any], collection: str) -> list[dict[str, Any]]:
    found = data.get(collection)
    if not isinstance(found, list):
        return []
    return [item for item in found if isinstance(item, dict)]


def salvage(data: object, problems: Iterable[Problem]) -> Salvage | None:
    """
    Return what of *data* can be checked despite its structural
    *problems*, or None when its structure does not allow it.
    """
    if not isinstance(data, dict):
        return None
    problems = tuple(problems)
    edits = _Edits()
    try:
        for problem in problems:
            edits.add(problem)
    except _GiveUp:
        return None
    kept: dict[Location, Any] = {}
    repaired = edits.apply(data, (), kept)
    try:
        model = threat_model_from_dict(repaired)
    except ThreatModelError:
        return None
    return Salvage(
        model=model,
        kept=kept,
        blocked=tuple(p.location for p in problems),
        placeholders=frozenset(edits.placeholders),
        fillers=frozenset(edits.put.values()),
        threat_ids=frozenset(
            t["id"]
            for t in _items(data, "threats")
            if isinstance(t.get("id"), str)
        ),
        mitigated=frozenset(
            tid
            for m in _items(data, "mitigations")
            for tid in _strings(m.get("mitigates"))
        ),
    )
