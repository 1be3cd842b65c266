"""
The records of a threat model, and the order of their fields in a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs

from attrs import validators

from dnn_supply_chain import _checks
from dnn_supply_chain.exceptions import Location, Problem


if TYPE_CHECKING:
    from dnn_supply_chain._records import Attack
    from dnn_supply_chain._taxonomy import Taxonomy

__all__ = [
    "COVERAGE_STATUSES",
    "FAIL_POLICIES",
    "STATUSES",
    "SUPPORT_STATUSES",
    "CoverageStatus",
    "Diagnostic",
    "FailPolicy",
    "Mitigation",
    "Scope",
    "SupportStatus",
    "Tag",
    "Threat",
    "ThreatModel",
    "ThreatStatus",
    "in_file_order",
    "not_met",
    "stage_attacks",
]

#: The statuses a threat can have.
STATUSES: Final = ("open", "mitigated", "accepted", "not-applicable")

#: The status of a threat: one of :data:`STATUSES`.
ThreatStatus: TypeAlias = Literal[
    "open", "mitigated", "accepted", "not-applicable"
]

#: A policy: one of :data:`FAIL_POLICIES`.
FailPolicy: TypeAlias = Literal["never", "gaps", "open", "unsupported"]

#: The policies of :meth:`CoverageReport.fails`, from the most lenient to
#: the strictest: each fails on its own condition and on those of every
#: policy before it.
FAIL_POLICIES: Final[tuple[FailPolicy, ...]] = (
    "never",
    "gaps",
    "open",
    "unsupported",
)

#: The coverage statuses of an attack in a report (see
#: :meth:`CoverageReport.attack_statuses
#: <dnn_supply_chain.CoverageReport.attack_statuses>`).
COVERAGE_STATUSES: Final = ("gap", "open", "supported", "not-applicable")

#: A coverage status: one of :data:`COVERAGE_STATUSES`.
CoverageStatus: TypeAlias = Literal[
    "gap", "open", "supported", "not-applicable"
]

#: What the counter evidence says of a mitigation, strongest first:
#: ``evaluated`` and ``claimed`` are the strongest basis of the evidence
#: linking its defenses to its threats' attacks, ``untested`` means that
#: only ``mechanism`` evidence does, ``unsupported`` that none does, and
#: ``not-mapped`` that there is nothing to judge: the mitigation names no
#: defense, or its threats name no attack of the taxonomy.
SUPPORT_STATUSES: Final = (
    "evaluated",
    "claimed",
    "untested",
    "unsupported",
    "not-mapped",
)

#: The support of a mitigation: one of :data:`SUPPORT_STATUSES`.
SupportStatus: TypeAlias = Literal[
    "evaluated", "claimed", "untested", "unsupported", "not-mapped"
]

#: One finding about a threat model: a :class:`~dnn_supply_chain.Problem`
#: whose severity is ``"error"`` or ``"warning"``.
Diagnostic = Problem

# Every name, id and title is text that says something.
_TEXT: Final = _checks.string(nonempty=True)
_TEXTS: Final = _checks.strings(_TEXT)


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

    id: str = _checks.field(_TEXT)
    name: str | None = _checks.field(_checks.optional(_TEXT), default=None)


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

    id: str = _checks.field(_TEXT)
    title: str = _checks.field(_TEXT)
    tags: tuple[Tag, ...] = attrs.field(default=(), validator=_tags)
    status: ThreatStatus = _checks.field(
        _checks.one_of(STATUSES), default="open"
    )
    rationale: str | None = _checks.field(
        _checks.optional(_checks.string()), default=None
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

    id: str = _checks.field(_TEXT)
    title: str = _checks.field(_TEXT)
    tags: tuple[Tag, ...] = attrs.field(default=(), validator=_tags)
    mitigates: tuple[str, ...] = _checks.field(_TEXTS, default=())


@attrs.frozen(kw_only=True)
class Scope:
    """
    The part of the supply chain a system takes part in.

    Attributes:
        stages: Stage ids.
        categories: Attack category ids that narrow their stages: a stage
            with a category listed here counts only those categories'
            attacks; a stage with none counts all its attacks.
        modalities: Terms of the taxonomy's modality vocabulary
            (``"vision"``, ``"NLP"``...) that the system works with.  An
            attack whose modalities share none with these does not apply
            to the system: the coverage report lists it apart, never as a
            gap.  An attack with no modalities applies whatever the
            scope's; a scope with none applies every attack.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *modalities* added.
    """

    stages: tuple[str, ...] = _checks.field(_TEXTS)
    categories: tuple[str, ...] = _checks.field(_TEXTS, default=())
    modalities: tuple[str, ...] = _checks.field(_TEXTS, default=())

    def applies(self, modalities: tuple[str, ...]) -> bool:
        """
        Tell whether a record with *modalities* applies to this scope: it
        has none, the scope has none, or they share one.

        .. versionadded:: 0.2.0
        """
        return (
            not modalities
            or not self.modalities
            or not set(modalities).isdisjoint(self.modalities)
        )


@attrs.frozen(kw_only=True)
class ThreatModel:
    """
    A system's threat model, tagged against the taxonomy.

    Attributes:
        name: The system or model's name.
        description: What the system is and does.
        scope: The stages (and categories) it takes part in, and the
            modalities it works with.
        threats: The threats considered.
        mitigations: The mitigations in place.

    .. versionadded:: 0.1.0
    """

    name: str = _checks.field(_TEXT)
    scope: Scope = attrs.field(validator=validators.instance_of(Scope))
    description: str = _checks.field(_checks.string(), default="")
    threats: tuple[Threat, ...] = attrs.field(
        default=(),
        validator=validators.deep_iterable(
            validators.instance_of(Threat), validators.instance_of(tuple)
        ),
    )
    mitigations: tuple[Mitigation, ...] = attrs.field(
        default=(),
        validator=validators.deep_iterable(
            validators.instance_of(Mitigation), validators.instance_of(tuple)
        ),
    )


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
            "modalities",
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


def not_met(modalities: Iterable[str], scope: Iterable[str]) -> str:
    """
    Why a record with *modalities* does not apply to a scope with the
    modalities *scope*.
    """
    return (
        f"modalities {', '.join(modalities)} do not meet the scope's "
        f"{', '.join(scope)}"
    )


def stage_attacks(
    taxonomy: Taxonomy, scope: Scope, stage: str
) -> tuple[tuple[str, ...], tuple[Attack, ...]]:
    """
    The categories of *scope* that narrow *stage*, and the attacks of the
    stage in scope: those of the categories, or all the stage's when none
    narrows it; in taxonomy order, whatever their modalities.
    """
    cats = tuple(
        c for c in scope.categories if taxonomy.category(c).stage == stage
    )
    if not cats:
        return cats, tuple(taxonomy.attacks_in(stage))
    wanted = {a.id for c in cats for a in taxonomy.attacks_in(c)}
    return cats, tuple(a for a in taxonomy.attacks if a.id in wanted)
