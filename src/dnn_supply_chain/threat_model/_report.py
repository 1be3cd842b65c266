"""
The coverage and gap report: what a threat model covers of the taxonomy,
and what it forgot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from dnn_supply_chain.exceptions import ThreatModelError

from ._model import FAIL_POLICIES, Diagnostic, Threat, ThreatModel
from ._validate import current_id, validate_threat_model


if TYPE_CHECKING:
    from dnn_supply_chain._records import Attack, Defense, Stage
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = [
    "CoverageReport",
    "Mismatch",
    "StageCoverage",
    "Suggestion",
    "coverage_report",
]


@attrs.frozen(kw_only=True)
class StageCoverage:
    """
    How much of one stage's attacks a threat model considers.

    Attributes:
        stage: The stage.
        categories: The categories the scope narrows the stage to, if any.
        attacks: The stage's attacks in scope.
        considered: Those some threat is tagged with.
        not_considered: Those no threat is tagged with: gaps.

    .. versionadded:: 0.1.0
    """

    stage: Stage
    categories: tuple[str, ...]
    attacks: tuple[Attack, ...]
    considered: tuple[Attack, ...]
    not_considered: tuple[Attack, ...]


@attrs.frozen(kw_only=True)
class Mismatch:
    """
    A mitigation whose defenses counter none of its threats' attacks.

    Attributes:
        mitigation: The mitigation's id.
        defenses: The defenses it is tagged with.
        attacks: The attacks of the threats it mitigates.
        counters: The threat types its defenses counter.
        threat_types: The threat types of those attacks.

    .. versionadded:: 0.1.0
    """

    mitigation: str
    defenses: tuple[str, ...]
    attacks: tuple[str, ...]
    counters: tuple[str, ...]
    threat_types: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Suggestion:
    """
    The taxonomy defenses that counter an open threat.

    Attributes:
        threat: The threat's id.
        defenses: The defenses that counter its attacks, taxonomy order.

    .. versionadded:: 0.1.0
    """

    threat: str
    defenses: tuple[Defense, ...]


@attrs.frozen(kw_only=True)
class CoverageReport:
    """
    What a threat model covers of the taxonomy, and its gaps.

    Attributes:
        model: The threat model.
        stages: Coverage of each stage in scope, lifecycle order.
        unmitigated: Open threats that no mitigation lists.
        mismatched: Mitigations whose defenses counter none of their
            threats' attacks.
        suggestions: For each open threat, the defenses that counter it.
        warnings: Warnings found while validating the model.

    .. versionadded:: 0.1.0
    """

    model: ThreatModel
    stages: tuple[StageCoverage, ...]
    unmitigated: tuple[Threat, ...]
    mismatched: tuple[Mismatch, ...]
    suggestions: tuple[Suggestion, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def not_considered(self) -> tuple[Attack, ...]:
        """
        All in-scope attacks that no threat is tagged with.
        """
        return tuple(a for s in self.stages for a in s.not_considered)

    @property
    def open_threats(self) -> tuple[Threat, ...]:
        """
        The threats whose status is ``open``.
        """
        return tuple(t for t in self.model.threats if t.status == "open")

    @property
    def gap_count(self) -> int:
        """
        Attacks not considered + unmitigated threats + mismatches.
        """
        return (
            len(self.not_considered)
            + len(self.unmitigated)
            + len(self.mismatched)
        )

    def fails(self, policy: str = "gaps") -> bool:
        """
        Tell whether the report fails *policy*.

        Args:
            policy: ``"gaps"`` fails on any gap (an in-scope attack no
                threat considers, an open threat without a mitigation, a
                mismatched mitigation); ``"open"`` fails when any threat is
                still ``open``; ``"never"`` never fails.

        Raises:
            ValueError: *policy* is not one of :data:`FAIL_POLICIES`.
        """
        if policy == "gaps":
            return self.gap_count > 0
        if policy == "open":
            return bool(self.open_threats)
        if policy == "never":
            return False
        msg = (
            f"policy must be one of {', '.join(FAIL_POLICIES)}, not {policy!r}"
        )
        raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """
        Return the report as JSON-compatible data.
        """
        from dnn_supply_chain._convert import record_to_dict

        def ref(rec: Attack | Defense) -> dict[str, str]:
            return {"id": rec.id, "name": rec.name}

        return {
            "model": self.model.name,
            "scope": {
                "stages": list(self.model.scope.stages),
                "categories": list(self.model.scope.categories),
            },
            "stages": [
                {
                    "id": s.stage.id,
                    "name": s.stage.name,
                    "categories": list(s.categories),
                    "attacks": len(s.attacks),
                    "considered": [a.id for a in s.considered],
                    "not_considered": [ref(a) for a in s.not_considered],
                }
                for s in self.stages
            ],
            "unmitigated": [
                {"id": t.id, "title": t.title} for t in self.unmitigated
            ],
            "mismatched": [record_to_dict(m) for m in self.mismatched],
            "suggestions": [
                {
                    "threat": sug.threat,
                    "defenses": [ref(d) for d in sug.defenses],
                }
                for sug in self.suggestions
            ],
            "warnings": [
                {"path": w.path, "message": w.message} for w in self.warnings
            ],
            "gaps": self.gap_count,
        }

    def to_markdown(self) -> str:
        """
        Return the report as Markdown, for a pull request or a wiki.
        """
        titles = {t.id: t.title for t in self.model.threats}
        lines = [f"# Threat model coverage: {_md(self.model.name)}", ""]
        lines += [
            "| Stage | Attacks in scope | Considered | Not considered |",
            "| --- | ---: | ---: | ---: |",
        ]
        for s in self.stages:
            name = s.stage.name + (
                f" ({', '.join(s.categories)})" if s.categories else ""
            )
            lines.append(
                f"| {_md(name)} | {len(s.attacks)} | {len(s.considered)} | {len(s.not_considered)} |"
            )
        lines += [
            "",
            f"**{self.gap_count} gap{'s' if self.gap_count != 1 else ''}.**",
            "",
        ]
        if self.not_considered:
            lines += [
                f"## Attacks not considered ({len(self.not_considered)})",
                "",
            ]
            for s in self.stages:
                for a in s.not_considered:
                    lines.append(f"- `{a.id}` {_md(a.name)} ({s.stage.id})")
            lines.append("")
        if self.unmitigated:
            lines += [
                f"## Open threats without a mitigation ({len(self.unmitigated)})",
                "",
            ]
            lines += [f"- `{t.id}` {_md(t.title)}" for t in self.unmitigated]
            lines.append("")
        if self.mismatched:
            lines += [
                f"## Mismatched mitigations ({len(self.mismatched)})",
                "",
            ]
            lines += [
                f"- `{m.mitigation}`: {_md(_mismatch_text(m))}"
                for m in self.mismatched
            ]
            lines.append("")
        if self.suggestions:
            lines += ["## Defenses that counter open threats", ""]
            for sug in self.suggestions:
                names = (
                    ", ".join(f"`{d.id}` {_md(d.name)}" for d in sug.defenses)
                    or "none in the taxonomy"
                )
                lines.append(
                    f"- `{sug.threat}` {_md(titles.get(sug.threat, ''))}: {names}"
                )
            lines.append("")
        if self.warnings:
            lines += ["## Warnings", ""]
            lines += [f"- `{w.path}`: {_md(w.message)}" for w in self.warnings]
            lines.append("")
        return "\n".join(lines)

    def to_text(self) -> str:
        """
        Return the report as plain text for a terminal.
        """
        titles = {t.id: t.title for t in self.model.threats}
        rows = [("stage", "in scope", "considered", "not considered")]
        for s in self.stages:
            name = s.stage.id + (
                f" ({', '.join(s.categories)})" if s.categories else ""
            )
            rows.append(
                (
                    name,
                    str(len(s.attacks)),
                    str(len(s.considered)),
                    str(len(s.not_considered)),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"Threat model: {self.model.name}", ""]
        for n, row in enumerate(rows):
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if self.not_considered:
            lines += [
                "",
                f"Attacks not considered ({len(self.not_considered)}):",
            ]
            for s in self.stages:
                lines += [
                    f"  {s.stage.id}: {a.id} ({a.name})"
                    for a in s.not_considered
                ]
        if self.unmitigated:
            lines += [
                "",
                f"Open threats without a mitigation ({len(self.unmitigated)}):",
            ]
            lines += [f"  {t.id}: {t.title}" for t in self.unmitigated]
        if self.mismatched:
            lines += ["", f"Mismatched mitigations ({len(self.mismatched)}):"]
            lines += [
                f"  {m.mitigation}: {_mismatch_text(m)}"
                for m in self.mismatched
            ]
        if self.suggestions:
            lines += ["", "Defenses that counter open threats:"]
            for sug in self.suggestions:
                names = (
                    ", ".join(d.id for d in sug.defenses)
                    or "none in the taxonomy"
                )
                lines.append(
                    f"  {sug.threat} ({titles.get(sug.threat, '')}): {names}"
                )
        if self.warnings:
            lines += ["", f"Warnings ({len(self.warnings)}):"]
            lines += [f"  {w.path}: {w.message}" for w in self.warnings]
        lines += [
            "",
            f"{self.gap_count} gap{'s' if self.gap_count != 1 else ''}.",
        ]
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _mismatch_text(m: Mismatch) -> str:
    return (
        f"its defenses ({', '.join(m.defenses)}) counter "
        f"{', '.join(m.counters) or 'nothing'}, but its threats' attacks "
        f"({', '.join(m.attacks)}) are {', '.join(m.threat_types)}"
    )


def coverage_report(
    model: ThreatModel,
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
) -> CoverageReport:
    """
    Return what *model* covers of *taxonomy* (default: the bundled one).

    Raises:
        ThreatModelError: The model does not validate; the error lists
            every problem (see :func:`validate_threat_model`).

    .. versionadded:: 0.1.0
    """
    from dnn_supply_chain._loading import load

    tax = load() if taxonomy is None else taxonomy
    diagnostics = validate_threat_model(model, tax, source=source)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise ThreatModelError(errors, source=source)

    tagged: dict[str, list[str]] = {}
    for threat in model.threats:
        tagged[threat.id] = [
            ref
            for ref in (current_id(tax, t.id) for t in threat.tags)
            if ref in tax and tax.kind_of(ref) == "attack"
        ]
    considered = {a for ids in tagged.values() for a in ids}

    stages = []
    for stage in tax.stages:
        if stage.id not in model.scope.stages:
            continue
        cats = tuple(
            c
            for c in model.scope.categories
            if tax.category(c).stage == stage.id
        )
        attacks = (
            tuple(a for c in cats for a in tax.attacks_in(c))
            if cats
            else tax.attacks_in(stage.id)
        )
        attacks = tuple(sorted(set(attacks), key=tax.attacks.index))
        stages.append(
            StageCoverage(
                stage=stage,
                categories=cats,
                attacks=attacks,
                considered=tuple(a for a in attacks if a.id in considered),
                not_considered=tuple(
                    a for a in attacks if a.id not in considered
                ),
            )
        )

    mitigated = {tid for m in model.mitigations for tid in m.mitigates}
    unmitigated = tuple(
        t
        for t in model.threats
        if t.status == "open" and t.id not in mitigated
    )

    mismatched = []
    for mitigation in model.mitigations:
        defenses = [t.id for t in mitigation.tags]
        threat_attacks = [
            a for tid in mitigation.mitigates for a in tagged.get(tid, [])
        ]
        if not defenses or not threat_attacks:
            continue
        if any(
            tax.defense(d) in tax.defenses_for(a)
            for a in threat_attacks
            for d in defenses
        ):
            continue
        mismatched.append(
            Mismatch(
                mitigation=mitigation.id,
                defenses=tuple(defenses),
                attacks=tuple(dict.fromkeys(threat_attacks)),
                counters=tuple(
                    dict.fromkeys(
                        c for d in defenses for c in tax.defense(d).counters
                    )
                ),
                threat_types=tuple(
                    dict.fromkeys(
                        t
                        for a in threat_attacks
                        for t in tax.attack(a).threat_types
                    )
                ),
            )
        )

    suggestions = []
    for threat in model.threats:
        if threat.status != "open":
            continue
        found = {d for a in tagged[threat.id] for d in tax.defenses_for(a)}
        suggestions.append(
            Suggestion(
                threat=threat.id,
                defenses=tuple(sorted(found, key=tax.defenses.index)),
            )
        )
    return CoverageReport(
        model=model,
        stages=tuple(stages),
        unmitigated=unmitigated,
        mismatched=tuple(mismatched),
        suggestions=tuple(suggestions),
        warnings=tuple(d for d in diagnostics if d.severity == "warning"),
    )
