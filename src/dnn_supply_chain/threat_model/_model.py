"""
The records of a threat model, and the order of their fields in a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from attrs import field, validators

from dnn_supply_chain.exceptions import Location, Problem


__all__ = [
    "FAIL_POLICIES",
    "STATUSES",
    "Diagnostic",
    "Mitigation",
    "Scope",
    "Tag",
    "Threat",
    "ThreatModel",
    "in_file_order",
]


#: The statuses a threat can have.
STATUSES: Final = ("open", "mitigated", "accepted", "not-applicable")

#: When :meth:`CoverageReport.fails` says a check fails.
FAIL_POLICIES: Final = ("gaps", "open", "never")

_str = validators.instance_of(str)


def _nonempty(
    _inst: object, attribute: attrs.Attribute[str], value: str
) -> None:
    if not value.strip():
        msg = f"'{attribute.name}' must not be empty"
        raise ValueError(msg)


_text = validators.and_(_str, _nonempty)
_strings = validators.deep_iterable(_text, validators.instance_of(tuple))


@attrs.frozen(kw_only=True)
class Tag:
    """
    A reference from a threat model to a taxonomy (or ATLAS) id.

    Attributes:
        id: The id, for example ``"ripple"`` or ``"AML.T0018"``.
        name: The name the author wrote next to the id, if any; it must
            match the id's name, which catches an id paired with another
            entry's name.

    .. versionadded:: 0.1.0
    """

    id: str = field(validator=_text)
    name: str | None = field(
        default=None, validator=validators.optional(_text)
    )


_tags = validators.deep_iterable(
    validators.instance_of(Tag), validators.instance_of(tuple)
)


@attrs.frozen(kw_only=True)
class Threat:
    """
    A threat the team considered.

    Attributes:
        id: Its id within the threat model, for example ``"T1"``.
        title: What the threat is, in the team's words.
        tags: Taxonomy attack ids (and optionally ATLAS technique ids).
        status: One of :data:`STATUSES`.
        rationale: Why; required for ``accepted`` and ``not-applicable``.

    .. versionadded:: 0.1.0
    """

    id: str = field(validator=_text)
    title: str = field(validator=_text)
    tags: tuple[Tag, ...] = field(default=(), validator=_tags)
    status: str = field(default="open", validator=validators.in_(STATUSES))
    rationale: str | None = field(
        default=None, validator=validators.optional(_str)
    )


@attrs.frozen(kw_only=True)
class Mitigation:
    """
    A mitigation in place.

    Attributes:
        id: Its id within the threat model, for example ``"M1"``.
        title: What is done, in the team's words.
        tags: Taxonomy defense ids.
        mitigates: The ids of the threats it mitigates.

    .. versionadded:: 0.1.0
    """

    id: str = field(validator=_text)
    title: str = field(validator=_text)
    tags: tuple[Tag, ...] = field(default=(), validator=_tags)
    mitigates: tuple[str, ...] = field(default=(), validator=_strings)


@attrs.frozen(kw_only=True)
class Scope:
    """
    The part of the supply chain a system takes part in.

    Attributes:
        stages: Stage ids.
        categories: Attack category ids that narrow their stages: a stage
            with a category listed here counts only those categories'
            attacks; a stage with none counts all its attacks.

    .. versionadded:: 0.1.0
    """

    stages: tuple[str, ...] = field(validator=_strings)
    categories: tuple[str, ...] = field(default=(), validator=_strings)


@attrs.frozen(kw_only=True)
class ThreatModel:
    """
    A system's threat model, tagged against the taxonomy.

    Attributes:
        name: The system or model's name.
        description: What the system is and does.
        scope: The stages (and categories) it takes part in.
        threats: The threats considered.
        mitigations: The mitigations in place.

    .. versionadded:: 0.1.0
    """

    name: str = field(validator=_text)
    scope: Scope = field(validator=validators.instance_of(Scope))
    description: str = field(default="", validator=_str)
    threats: tuple[Threat, ...] = field(
        default=(),
        validator=validators.deep_iterable(
            validators.instance_of(Threat), validators.instance_of(tuple)
        ),
    )
    mitigations: tuple[Mitigation, ...] = field(
        default=(),
        validator=validators.deep_iterable(
            validators.instance_of(Mitigation), validators.instance_of(tuple)
        ),
    )


#: One finding about a threat model: a :class:`~dnn_supply_chain.Problem`
#: whose severity is ``"error"`` or ``"warning"``.
Diagnostic = Problem


def _location(path: str) -> Location:
    # Transitional: paths here are still built as text.
    out: list[str | int] = []
    for token in path.replace("[", ".[").split("."):
        if not token:
            continue
        if token.startswith("["):
            out.append(int(token[1:-1]))
        else:
            out.append(token)
    return tuple(out)


# The order of the keys in a file, as threat_model_to_dict writes them,
# in each table: "id" comes first for a tag table ({id, name}), and is in no
# table with the other top-level keys.  Keys that are not a field come last.
_FIELD_ORDER: Final = {
    name: rank
    for rank, name in enumerate(
        (
            "id",
            "name",
            "description",
            "scope",
            "stages",
            "categories",
            "threats",
            "mitigations",
            "title",
            "tags",
            "status",
            "rationale",
            "mitigates",
        )
    )
}


def _file_order(location: Location) -> tuple[tuple[int, int], ...]:
    # ("threats", 2, "tags", 0) sorts after ("threats", 2, "title").
    return tuple(
        (0, step)
        if isinstance(step, int)
        else (1, _FIELD_ORDER.get(step, len(_FIELD_ORDER)))
        for step in location
    )


def in_file_order(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """
    *problems* sorted by where they are in the file; problems at the same
    place keep their order.
    """
    return tuple(sorted(problems, key=lambda p: _file_order(p.location)))
