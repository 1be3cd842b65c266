"""
Judging a threat model against the taxonomy: which attacks apply in its
scope, what its threats consider, what the counter evidence says of its
mitigations, and which defenses to suggest where none is supported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dnn_supply_chain._records import BASES
from dnn_supply_chain._taxonomy import current_id
from dnn_supply_chain.exceptions import ThreatModelError

from ._model import (
    Diagnostic,
    Mitigation,
    Threat,
    ThreatModel,
    stage_attacks,
)
from ._report import (
    STATUS_OF_BASIS,
    CoverageReport,
    MitigationSupport,
    NotApplicable,
    StageCoverage,
    SuggestedDefense,
    Suggestion,
)
from ._validate import validate_threat_model


if TYPE_CHECKING:
    from dnn_supply_chain._records import (
        Attack,
        Basis,
        CounterEvidence,
    )
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["coverage_report"]


def coverage_report(
    model: ThreatModel,
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
    basis: Basis = "mechanism",
) -> CoverageReport:
    """
    Return what *model* covers of *taxonomy* (default: the bundled one),
    and what the taxonomy's counter evidence says of its mitigations.

    Args:
        model: The threat model.
        taxonomy: The taxonomy to judge it by.
        source: The file name that problems are reported against.
        basis: The weakest basis of counter evidence that counts as
            support (see :meth:`~dnn_supply_chain.Taxonomy.counter_evidence`):
            ``"mechanism"`` (the default) counts all of it, ``"claimed"``
            leaves out what applies only by mechanism, ``"evaluated"``
            keeps only what a defense's paper or code tested.

    Raises:
        ThreatModelError: The model does not validate; the error lists
            every problem (see :func:`validate_threat_model`).
        ValueError: *basis* is not one of ``"evaluated"``, ``"claimed"``,
            ``"mechanism"``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Follows the counter evidence and the scope's modalities; *basis*
       added.
    """
    from dnn_supply_chain._loading import load

    if basis not in BASES:
        msg = f"basis must be one of {', '.join(BASES)}, not {basis!r}"
        raise ValueError(msg)
    tax = load() if taxonomy is None else taxonomy
    diagnostics = validate_threat_model(model, tax, source=source)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise ThreatModelError(errors, source=source)
    return _Judge(tax, model, basis).report(
        tuple(d for d in diagnostics if d.severity == "warning")
    )


class _Judge:
    """
    The pieces of one report, from one model and one taxonomy.
    """

    def __init__(
        self, tax: Taxonomy, model: ThreatModel, basis: Basis
    ) -> None:
        self.tax = tax
        self.model = model
        self.basis = basis
        self.scope = model.scope
        self.attack_order = {a.id: i for i, a in enumerate(tax.attacks)}
        self.defense_order = {d.id: i for i, d in enumerate(tax.defenses)}
        self.tagged = {
            threat.id: tuple(
                dict.fromkeys(
                    ref
                    for ref in (current_id(tax, t.id) for t in threat.tags)
                    if ref in tax and tax.kind_of(ref) == "attack"
                )
            )
            for threat in model.threats
        }

    def report(self, warnings: tuple[Diagnostic, ...]) -> CoverageReport:
        model = self.model
        mitigated = {tid for m in model.mitigations for tid in m.mitigates}
        supports = tuple(self.support(m) for m in model.mitigations)
        supported = {
            tid
            for s in supports
            if s.supported
            for tid in s.mitigation.mitigates
        }
        return CoverageReport(
            model=model,
            basis=self.basis,
            stages=self.stages(),
            unmitigated=tuple(
                t
                for t in model.threats
                if t.status == "open" and t.id not in mitigated
            ),
            mitigations=supports,
            suggestions=tuple(
                self.suggest(t)
                for t in model.threats
                if t.status in ("open", "mitigated") and t.id not in supported
            ),
            warnings=warnings,
        )

    def stages(self) -> tuple[StageCoverage, ...]:
        tax, scope = self.tax, self.scope
        considered = {a for ids in self.tagged.values() for a in ids}
        out = []
        for stage in tax.stages:
            if stage.id not in scope.stages:
                continue
            cats, in_scope = stage_attacks(tax, scope, stage.id)
            attacks = tuple(a for a in in_scope if scope.applies(a.modalities))
            out.append(
                StageCoverage(
                    stage=stage,
                    categories=cats,
                    attacks=attacks,
                    considered=tuple(a for a in attacks if a.id in considered),
                    not_considered=tuple(
                        a for a in attacks if a.id not in considered
                    ),
                    not_applicable=tuple(
                        NotApplicable(
                            attack=a, scope_modalities=scope.modalities
                        )
                        for a in in_scope
                        if not scope.applies(a.modalities)
                    ),
                )
            )
        return tuple(out)

    def links(
        self, *, attack: str | None = None, defense: str | None = None
    ) -> tuple[CounterEvidence, ...]:
        return self.tax.counter_evidence(
            attack=attack, defense=defense, basis=self.basis
        )

    def ordered(
        self, links: Iterable[CounterEvidence]
    ) -> tuple[CounterEvidence, ...]:
        return tuple(
            sorted(
                links,
                key=lambda e: (
                    e.rank,
                    self.defense_order[e.defense],
                    self.attack_order[e.attack],
                ),
            )
        )

    def support(self, mitigation: Mitigation) -> MitigationSupport:
        tax = self.tax
        defenses = tuple(
            tax.defense(ref)
            for ref in dict.fromkeys(
                current_id(tax, t.id) for t in mitigation.tags
            )
            if ref in tax and tax.kind_of(ref) == "defense"
        )
        attacks = tuple(
            tax.attack(a)
            for a in dict.fromkeys(
                a
                for tid in mitigation.mitigates
                for a in self.tagged.get(tid, ())
            )
        )
        if not defenses or not attacks:
            return MitigationSupport(
                mitigation=mitigation,
                status="not-mapped",
                defenses=defenses,
                attacks=attacks,
                evidence=(),
                without_evidence=attacks,
                undefended=tuple(a for a in attacks if not self.defended(a)),
            )
        wanted = {a.id for a in attacks}
        evidence = self.ordered(
            e
            for d in defenses
            for e in self.links(defense=d.id)
            if e.attack in wanted
        )
        reached = {e.attack for e in evidence}
        without = tuple(a for a in attacks if a.id not in reached)
        return MitigationSupport(
            mitigation=mitigation,
            status=(
                STATUS_OF_BASIS[evidence[0].basis]
                if evidence
                else "unsupported"
            ),
            defenses=defenses,
            attacks=attacks,
            evidence=evidence,
            without_evidence=without,
            undefended=tuple(a for a in without if not self.defended(a)),
        )

    def in_scope(
        self, links: Iterable[CounterEvidence]
    ) -> list[CounterEvidence]:
        """
        The *links* whose defense's modalities meet the scope's.
        """
        tax, scope = self.tax, self.scope
        return [
            e
            for e in links
            if scope.applies(tax.defense(e.defense).modalities)
        ]

    def defended(self, attack: Attack) -> bool:
        """
        Whether some defense in scope has evidence against *attack*.
        """
        return bool(self.in_scope(self.links(attack=attack.id)))

    def suggest(self, threat: Threat) -> Suggestion:
        tax, scope = self.tax, self.scope
        attacks = tuple(
            a
            for a in (tax.attack(i) for i in self.tagged[threat.id])
            if scope.applies(a.modalities)
        )
        by_defense: dict[str, list[CounterEvidence]] = {}
        for attack in attacks:
            for e in self.in_scope(self.links(attack=attack.id)):
                by_defense.setdefault(e.defense, []).append(e)
        defenses = sorted(
            (
                SuggestedDefense(
                    defense=tax.defense(d), evidence=self.ordered(links)
                )
                for d, links in by_defense.items()
            ),
            key=lambda s: (
                BASES.index(s.basis),
                self.defense_order[s.defense.id],
            ),
        )
        reached = {e.attack for links in by_defense.values() for e in links}
        return Suggestion(
            threat=threat,
            attacks=attacks,
            defenses=tuple(defenses),
            undefended=tuple(a for a in attacks if a.id not in reached),
        )
