"""
The starter threat model that ``dnn-supply-chain init`` writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dnn_supply_chain._text import suggest
from dnn_supply_chain.exceptions import UnknownIdError

from ._model import Scope, Tag, Threat, ThreatModel, stage_attacks


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["starter_threat_model"]


def starter_threat_model(
    stages: Sequence[str] | None = None,
    taxonomy: Taxonomy | None = None,
    *,
    name: str = "My model",
    modalities: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
) -> ThreatModel:
    """
    Return a starter threat model for *stages* (default: all) and
    *modalities* (default: every modality of the taxonomy's vocabulary):
    one open threat per attack in scope that applies to those modalities,
    tagged with the attack's id and name, to be edited into the team's
    own.  *categories* narrow their stages to their attacks, as
    :attr:`Scope.categories <dnn_supply_chain.Scope.categories>` does.

    Raises:
        UnknownIdError: A stage id, a category id or a modality is
            unknown.
        ValueError: A category's stage is not one of *stages*.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *modalities* and *categories* added; the scope names them.
    """
    from dnn_supply_chain._loading import load

    tax = load() if taxonomy is None else taxonomy
    chosen = (
        [tax.stage(s).id for s in stages]
        if stages
        else [s.id for s in tax.stages]
    )
    ordered = [s.id for s in tax.stages if s.id in chosen]
    known = tax.vocabulary.modalities
    for term in modalities or ():
        if term not in known:
            raise UnknownIdError(
                term, kind="modality", suggestions=suggest(term, known)
            )
    cats = [tax.category(c).id for c in categories or ()]
    for cat in cats:
        stage = tax.category(cat).stage
        if stage not in ordered:
            msg = (
                f"category {cat!r} belongs to stage {stage!r}, which is not "
                "one of the stages"
            )
            raise ValueError(msg)
    scope = Scope(
        stages=tuple(ordered),
        categories=tuple(c.id for c in tax.categories if c.id in cats),
        modalities=tuple(dict.fromkeys(modalities) if modalities else known),
    )
    attacks = (
        a
        for s in ordered
        for a in stage_attacks(tax, scope, s)[1]
        if scope.applies(a.modalities)
    )
    threats = tuple(
        Threat(
            id=f"T{n}",
            title=f"{attack.name} ({attack.stage})",
            tags=(Tag(id=attack.id, name=attack.name),),
            status="open",
        )
        for n, attack in enumerate(attacks, start=1)
    )
    return ThreatModel(
        name=name,
        description="Describe the system: where its model comes from, how it is changed, where it runs.",
        scope=scope,
        threats=threats,
    )
