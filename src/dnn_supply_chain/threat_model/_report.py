"""
The coverage and gap report: what a threat model covers of the taxonomy,
what it forgot, and what the counter evidence says of its mitigations.

Every claim that a defense counters an attack comes from the taxonomy's
counter evidence, with its basis and source; where there is none, the
report says so ("no known defense in the taxonomy", "not mapped").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from dnn_supply_chain._records import BASES
from dnn_supply_chain._text import count, html_table

from ._model import (
    FAIL_POLICIES,
    CoverageStatus,
    Diagnostic,
    FailPolicy,
    Mitigation,
    Scope,
    SupportStatus,
    Threat,
    ThreatModel,
    not_met,
)


if TYPE_CHECKING:
    from dnn_supply_chain._records import (
        Attack,
        Basis,
        CounterEvidence,
        Defense,
        Stage,
    )


__all__ = [
    "CoverageReport",
    "MitigationSupport",
    "NotApplicable",
    "StageCoverage",
    "SuggestedDefense",
    "Suggestion",
]

# The support of a mitigation, by the strongest basis of its evidence.
STATUS_OF_BASIS: Final[dict[str, SupportStatus]] = {
    "evaluated": "evaluated",
    "claimed": "claimed",
    "mechanism": "untested",
}
_SUPPORTED: Final = frozenset(STATUS_OF_BASIS.values())

# What each support status means, for the renderings.
_MEANS: Final[dict[str, str]] = {
    "evaluated": "a defense's paper or official code runs one of the attacks",
    "claimed": "a defense's own text claims a family the attacks belong "
    "to; untested",
    "untested": "the method applies by construction; nothing claims or "
    "tests it",
    "unsupported": "no evidence that its defenses counter its threats' "
    "attacks",
}
_NO_DEFENSE: Final = "no known defense in the taxonomy"


def _no_defense(basis: Basis) -> str:
    """
    The words for an attack that no defense counters, at *basis*.
    """
    if basis == BASES[-1]:
        return _NO_DEFENSE
    return f"{_NO_DEFENSE} at basis {basis} or stronger"


@attrs.frozen(kw_only=True)
class NotApplicable:
    """
    An attack of a stage in scope that does not apply to the system: its
    modalities share none with the scope's.

    Attributes:
        attack: The attack.
        scope_modalities: The scope's modalities, which the attack's do
            not meet.

    .. versionadded:: 0.2.0
    """

    attack: Attack
    scope_modalities: tuple[str, ...]

    @property
    def reason(self) -> str:
        """
        Why it does not apply, as in ``"modalities NLP do not meet the
        scope's vision"``.
        """
        return not_met(self.attack.modalities, self.scope_modalities)

    def __repr__(self) -> str:
        return f"<NotApplicable {self.attack.id!r}: {self.reason}>"


@attrs.frozen(kw_only=True)
class StageCoverage:
    """
    How much of one stage's attacks a threat model considers.

    Attributes:
        stage: The stage.
        categories: The categories the scope narrows the stage to, if any.
        attacks: The stage's attacks in scope that apply to the system.
        considered: Those some threat is tagged with.
        not_considered: Those no threat is tagged with: gaps.
        not_applicable: The stage's attacks in scope whose modalities do
            not meet the scope's: never gaps.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *not_applicable* added; *attacks* holds only those that apply.
    """

    stage: Stage
    categories: tuple[str, ...]
    attacks: tuple[Attack, ...]
    considered: tuple[Attack, ...]
    not_considered: tuple[Attack, ...]
    not_applicable: tuple[NotApplicable, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<StageCoverage {self.stage.id!r}: "
            f"{count(len(self.attacks), 'attack')}, "
            f"{len(self.considered)} considered, "
            f"{len(self.not_considered)} not considered, "
            f"{len(self.not_applicable)} not applicable>"
        )


@attrs.frozen(kw_only=True)
class MitigationSupport:
    """
    What the counter evidence says of one mitigation: how strongly it
    links the mitigation's defenses to the attacks of the threats it
    mitigates.

    Attributes:
        mitigation: The mitigation.
        status: One of :data:`SUPPORT_STATUSES`: the strongest basis of
            :attr:`evidence` (``evaluated``, ``claimed``, or ``untested``
            for ``mechanism``), ``unsupported`` when there is none, or
            ``not-mapped`` when the mitigation names no defense or its
            threats name no attack of the taxonomy.
        defenses: The defenses it is tagged with.
        attacks: The attacks of the threats it mitigates.
        evidence: The counter evidence linking those defenses to those
            attacks, at the report's basis or stronger, strongest first.
        without_evidence: Those attacks that no link reaches.
        undefended: Those of them that no defense of the taxonomy whose
            modalities meet the scope's counters, at the report's basis or
            stronger: no known defense in the taxonomy.

    .. versionadded:: 0.2.0
    """

    mitigation: Mitigation
    status: SupportStatus
    defenses: tuple[Defense, ...]
    attacks: tuple[Attack, ...]
    evidence: tuple[CounterEvidence, ...]
    without_evidence: tuple[Attack, ...]
    undefended: tuple[Attack, ...] = ()

    @property
    def supported(self) -> bool:
        """
        Whether some evidence at the report's basis or stronger supports
        it: its status is ``evaluated``, ``claimed`` or ``untested``.
        """
        return self.status in _SUPPORTED

    def __repr__(self) -> str:
        return (
            f"<MitigationSupport {self.mitigation.id!r} {self.status}: "
            f"{count(len(self.defenses), 'defense')}, "
            f"{count(len(self.attacks), 'attack')}, "
            f"{count(len(self.evidence), 'link')}, "
            f"{len(self.without_evidence)} without evidence>"
        )


@attrs.frozen(kw_only=True)
class SuggestedDefense:
    """
    A defense with evidence that it counters some attacks of a threat.

    Attributes:
        defense: The defense.
        evidence: Its links to the threat's attacks, strongest first.

    .. versionadded:: 0.2.0
    """

    defense: Defense
    evidence: tuple[CounterEvidence, ...]

    @property
    def basis(self) -> Basis:
        """
        The strongest basis of its evidence.
        """
        return min((e.basis for e in self.evidence), key=BASES.index)

    @property
    def caveats(self) -> tuple[str, ...]:
        """
        What limits its evidence, link by link, where something does.
        """
        return tuple(
            dict.fromkeys(e.caveat for e in self.evidence if e.caveat)
        )

    def __repr__(self) -> str:
        return (
            f"<SuggestedDefense {self.defense.id!r}: "
            f"{count(len(self.evidence), 'link')}, basis {self.basis}>"
        )


@attrs.frozen(kw_only=True)
class Suggestion:
    """
    For a threat without a supported mitigation, the defenses with
    evidence against its attacks.

    Attributes:
        threat: The threat (``open`` or ``mitigated``).
        attacks: Its attacks that apply to the scope.
        defenses: The defenses whose modalities meet the scope's with
            evidence against those attacks, at the report's basis or
            stronger: strongest basis first, then in taxonomy order.
        undefended: Its attacks that none of them counters: no known
            defense in the taxonomy.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Follows the counter evidence: *threat* is the threat, each defense
       comes with its evidence, and *attacks* and *undefended* are new.
    """

    threat: Threat
    attacks: tuple[Attack, ...]
    defenses: tuple[SuggestedDefense, ...]
    undefended: tuple[Attack, ...]

    def __repr__(self) -> str:
        return (
            f"<Suggestion {self.threat.id!r}: "
            f"{count(len(self.attacks), 'attack')}, "
            f"{count(len(self.defenses), 'defense')}, "
            f"{len(self.undefended)} undefended>"
        )


@attrs.frozen(kw_only=True)
class CoverageReport:
    """
    What a threat model covers of the taxonomy, its gaps, and what the
    counter evidence says of its mitigations.

    Attributes:
        model: The threat model.
        basis: The weakest basis of counter evidence that counts as
            support; weaker evidence is left out of the report.
        stages: Coverage of each stage in scope, lifecycle order.
        unmitigated: Open threats that no mitigation lists.
        mitigations: The support of each mitigation, in file order.
        suggestions: For each open or mitigated threat that no supported
            mitigation lists, the defenses with evidence against it.
        warnings: Warnings found while validating the model.

    Its repr counts what it holds, with the model's name; in a notebook
    it shows a table of the coverage of each stage.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *basis*, *mitigations* added; *mismatched* removed (a mismatched
       mitigation is one whose status is ``unsupported``).  A short repr
       and a table in notebooks.
    """

    model: ThreatModel
    basis: Basis = "mechanism"
    stages: tuple[StageCoverage, ...]
    unmitigated: tuple[Threat, ...]
    mitigations: tuple[MitigationSupport, ...]
    suggestions: tuple[Suggestion, ...]
    warnings: tuple[Diagnostic, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<CoverageReport {self.model.name!r}: "
            f"{count(len(self.stages), 'stage')}, "
            f"{count(sum(len(s.attacks) for s in self.stages), 'attack')} "
            f"in scope, {count(self.gap_count, 'gap')}, "
            f"{count(len(self.mitigations), 'mitigation')} "
            f"({len(self.unsupported)} unsupported)>"
        )

    def _repr_html_(self) -> str:
        """
        The coverage of each stage as a table, for a notebook.
        """
        return html_table(
            f"{self.model.name}: {count(self.gap_count, 'gap')}, "
            f"basis {self.basis}",
            (
                "stage",
                "attacks",
                "considered",
                "not considered",
                "not applicable",
            ),
            (
                (
                    s.stage.id,
                    len(s.attacks),
                    len(s.considered),
                    len(s.not_considered),
                    len(s.not_applicable),
                )
                for s in self.stages
            ),
        )

    @property
    def not_considered(self) -> tuple[Attack, ...]:
        """
        All attacks that apply in scope and that no threat is tagged with.
        """
        return tuple(a for s in self.stages for a in s.not_considered)

    @property
    def not_applicable(self) -> tuple[NotApplicable, ...]:
        """
        All attacks of the stages in scope that do not apply to the
        scope's modalities.

        .. versionadded:: 0.2.0
        """
        return tuple(n for s in self.stages for n in s.not_applicable)

    @property
    def open_threats(self) -> tuple[Threat, ...]:
        """
        The threats whose status is ``open``.
        """
        return tuple(t for t in self.model.threats if t.status == "open")

    @property
    def unsupported(self) -> tuple[MitigationSupport, ...]:
        """
        The mitigations whose status is ``unsupported``.

        .. versionadded:: 0.2.0
        """
        return tuple(m for m in self.mitigations if m.status == "unsupported")

    def attack_statuses(self) -> dict[str, CoverageStatus]:
        """
        Return the coverage status of each attack of the stages in scope,
        by id, in scope order: ``"gap"`` (no threat considers it),
        ``"supported"`` (considered, and a mitigation's counter evidence
        reaches it), ``"open"`` (considered, no such evidence) or
        ``"not-applicable"`` (outside the scope's modalities).  The
        Navigator layer and the HTML page colour attacks by it.

        .. versionadded:: 0.2.0
        """
        countered = {
            link.attack
            for support in self.mitigations
            for link in support.evidence
        }
        found: dict[str, CoverageStatus] = {}
        for stage in self.stages:
            gaps = {a.id for a in stage.not_considered}
            for attack in stage.attacks:
                found[attack.id] = (
                    "gap"
                    if attack.id in gaps
                    else "supported"
                    if attack.id in countered
                    else "open"
                )
            for entry in stage.not_applicable:
                found[entry.attack.id] = "not-applicable"
        return found

    @property
    def gap_count(self) -> int:
        """
        How many gaps there are, attacks not considered and open threats
        without a mitigation.

        .. versionchanged:: 0.2.0
           Unsupported mitigations are no gaps: policy ``unsupported``
           fails on them.
        """
        return len(self.not_considered) + len(self.unmitigated)

    def fails(self, policy: FailPolicy = "gaps") -> bool:
        """
        Tell whether the report fails *policy*.

        The policies of :data:`FAIL_POLICIES` are in order: each fails on
        its own condition and on those of every policy before it.

        Args:
            policy: ``"never"`` never fails; ``"gaps"`` fails on a gap (an
                attack that applies in scope and that no threat considers,
                an open threat without a mitigation); ``"open"`` also
                fails while any threat is ``open``; ``"unsupported"`` also
                fails on a mitigation whose defenses have no evidence
                against its threats' attacks.

        Raises:
            ValueError: *policy* is not one of :data:`FAIL_POLICIES`.

        .. versionchanged:: 0.2.0
           Policy ``unsupported`` added; ``open`` fails on gaps too.
        """
        if policy not in FAIL_POLICIES:
            msg = f"policy must be one of {', '.join(FAIL_POLICIES)}, not {policy!r}"
            raise ValueError(msg)
        conditions: tuple[Callable[[], bool], ...] = (
            lambda: False,
            lambda: self.gap_count > 0,
            lambda: bool(self.open_threats),
            lambda: bool(self.unsupported),
        )
        reached = conditions[: FAIL_POLICIES.index(policy) + 1]
        return any(condition() for condition in reached)

    def to_dict(self) -> dict[str, Any]:
        """
        Return the report as JSON-compatible data, with the names of the
        Python API: each record's attributes (and properties such as
        ``reason``, ``supported``, ``basis``), ``gap_count``; an attack or
        a defense is ``{id, name}``, a threat or a mitigation ``{id,
        title}``, a link of counter evidence has the fields of
        :class:`~dnn_supply_chain.CounterEvidence`.

        .. versionchanged:: 0.2.0
           ``gaps`` is ``gap_count``; ``considered`` and ``attacks`` hold
           ``{id, name}`` like ``not_considered``; ``basis``,
           ``mitigations`` and ``not_applicable`` added, ``mismatched``
           removed.
        """
        scope = self.model.scope
        return {
            "model": self.model.name,
            "scope": {
                "stages": list(scope.stages),
                "categories": list(scope.categories),
                "modalities": list(scope.modalities),
            },
            "basis": self.basis,
            "stages": [
                {
                    "id": s.stage.id,
                    "name": s.stage.name,
                    "categories": list(s.categories),
                    "attacks": _refs(s.attacks),
                    "considered": _refs(s.considered),
                    "not_considered": _refs(s.not_considered),
                    "not_applicable": [
                        {
                            "attack": {
                                **_ref(n.attack),
                                "modalities": list(n.attack.modalities),
                            },
                            "scope_modalities": list(n.scope_modalities),
                            "reason": n.reason,
                        }
                        for n in s.not_applicable
                    ],
                }
                for s in self.stages
            ],
            "unmitigated": [_threat_ref(t) for t in self.unmitigated],
            "mitigations": [
                {
                    "mitigation": _threat_ref(m.mitigation),
                    "status": m.status,
                    "supported": m.supported,
                    "defenses": _refs(m.defenses),
                    "attacks": _refs(m.attacks),
                    "evidence": [_link(e) for e in m.evidence],
                    "without_evidence": _refs(m.without_evidence),
                    "undefended": _refs(m.undefended),
                }
                for m in self.mitigations
            ],
            "suggestions": [
                {
                    "threat": _threat_ref(s.threat),
                    "attacks": _refs(s.attacks),
                    "defenses": [
                        {
                            "defense": _ref(d.defense),
                            "basis": d.basis,
                            "caveats": list(d.caveats),
                            "evidence": [_link(e) for e in d.evidence],
                        }
                        for d in s.defenses
                    ],
                    "undefended": _refs(s.undefended),
                }
                for s in self.suggestions
            ],
            "warnings": [
                {"path": w.path, "message": w.message} for w in self.warnings
            ],
            "gap_count": self.gap_count,
        }

    def to_markdown(self) -> str:
        """
        Return the report as Markdown, for a pull request or a wiki.
        """
        lines = [f"# Threat model coverage: {_md(self.model.name)}", ""]
        lines += [
            f"Modalities: {_md(_modalities(self.model.scope))}.",
            f"Evidence that counts as support: {_counted(self.basis)}.",
            "",
            "| Stage | Attacks in scope | Considered | Not considered | Not applicable |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for s in self.stages:
            name = s.stage.name + (
                f" ({', '.join(s.categories)})" if s.categories else ""
            )
            lines.append(
                f"| {_md(name)} | {len(s.attacks)} | {len(s.considered)} "
                f"| {len(s.not_considered)} | {len(s.not_applicable)} |"
            )
        lines += ["", f"**{_summary(self)}**", ""]
        if self.not_considered:
            lines += [
                f"## Attacks not considered ({len(self.not_considered)})",
                "",
            ]
            lines += [
                f"- `{a.id}` {_md(a.name)} ({s.stage.id})"
                for s in self.stages
                for a in s.not_considered
            ]
            lines.append("")
        if self.unmitigated:
            lines += [
                f"## Open threats without a mitigation ({len(self.unmitigated)})",
                "",
            ]
            lines += [f"- `{t.id}` {_md(t.title)}" for t in self.unmitigated]
            lines.append("")
        if self.mitigations:
            lines += ["## Mitigations and their evidence", ""]
            for m in self.mitigations:
                lines.append(
                    f"- `{m.mitigation.id}` {_md(m.mitigation.title)}: "
                    f"**{_md(_status_text(m))}**"
                )
                lines += [f"  - {_md_link(e)}" for e in m.evidence]
                lines += [
                    f"  - {line}"
                    for line in _uncovered(m, self.basis, markdown=True)
                ]
            lines.append("")
        if self.suggestions:
            lines += [
                "## Defenses for threats without a supported mitigation",
                "",
            ]
            for sug in self.suggestions:
                lines.append(f"- `{sug.threat.id}` {_md(sug.threat.title)}")
                if not sug.attacks:
                    lines.append(f"  - {_UNMAPPED_THREAT}")
                for d in sug.defenses:
                    lines.append(
                        f"  - `{d.defense.id}` {_md(d.defense.name)}: "
                        f"{d.basis}"
                    )
                    lines += [f"    - {_md_link(e)}" for e in d.evidence]
                if sug.undefended:
                    lines.append(
                        f"  - {_no_defense(self.basis)}: "
                        + _attack_list(sug.undefended, markdown=True)
                    )
            lines.append("")
        if self.not_applicable:
            lines += [
                f"## Attacks that do not apply ({len(self.not_applicable)})",
                "",
            ]
            lines += [
                f"- `{n.attack.id}` {_md(n.attack.name)} ({s.stage.id}): "
                f"{_md(n.reason)}"
                for s in self.stages
                for n in s.not_applicable
            ]
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
        rows = [
            (
                "stage",
                "in scope",
                "considered",
                "not considered",
                "not applicable",
            )
        ]
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
                    str(len(s.not_applicable)),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [
            f"Threat model: {_line(self.model.name)}",
            f"Modalities: {_modalities(self.model.scope)}",
            f"Evidence that counts as support: {_counted(self.basis)}",
            "",
        ]
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
            lines += [
                f"  {s.stage.id}: {a.id} ({a.name})"
                for s in self.stages
                for a in s.not_considered
            ]
        if self.unmitigated:
            lines += [
                "",
                f"Open threats without a mitigation ({len(self.unmitigated)}):",
            ]
            lines += [
                f"  {_line(t.id)}: {_line(t.title)}" for t in self.unmitigated
            ]
        if self.mitigations:
            lines += ["", "Mitigations and their evidence:"]
            for m in self.mitigations:
                lines.append(
                    f"  {_line(m.mitigation.id)} ({_line(m.mitigation.title)}): "
                    f"{_status_text(m)}"
                )
                for e in m.evidence:
                    lines += _text_link(e, "    ")
                lines += [
                    f"    {line}"
                    for line in _uncovered(m, self.basis, markdown=False)
                ]
        if self.suggestions:
            lines += [
                "",
                "Defenses for threats without a supported mitigation:",
            ]
            for sug in self.suggestions:
                lines.append(
                    f"  {_line(sug.threat.id)} ({_line(sug.threat.title)}):"
                )
                if not sug.attacks:
                    lines.append(f"    {_UNMAPPED_THREAT}")
                for d in sug.defenses:
                    for e in d.evidence:
                        lines += _text_link(e, "    ")
                if sug.undefended:
                    lines.append(
                        f"    {_no_defense(self.basis)}: "
                        + _attack_list(sug.undefended, markdown=False)
                    )
        if self.not_applicable:
            lines += [
                "",
                f"Attacks that do not apply ({len(self.not_applicable)}):",
            ]
            lines += [
                f"  {s.stage.id}: {n.attack.id} ({n.attack.name}): {n.reason}"
                for s in self.stages
                for n in s.not_applicable
            ]
        if self.warnings:
            lines += ["", f"Warnings ({len(self.warnings)}):"]
            lines += [f"  {w.path}: {w.message}" for w in self.warnings]
        lines += ["", _summary(self)]
        return "\n".join(lines) + "\n"


_UNMAPPED_THREAT: Final = (
    "not mapped: it names no attack of the taxonomy that applies to the scope"
)


def _ref(record: Attack | Defense) -> dict[str, str]:
    return {"id": record.id, "name": record.name}


def _refs(records: Iterable[Attack | Defense]) -> list[dict[str, str]]:
    return [_ref(r) for r in records]


def _threat_ref(item: Threat | Mitigation) -> dict[str, str]:
    return {"id": item.id, "title": item.title}


def _link(evidence: CounterEvidence) -> dict[str, Any]:
    return {
        "defense": evidence.defense,
        "attack": evidence.attack,
        "basis": evidence.basis,
        "evidence": evidence.evidence,
        "source": evidence.source,
        "caveat": evidence.caveat,
    }


def _attack_list(attacks: Iterable[Attack], *, markdown: bool) -> str:
    if markdown:
        return ", ".join(f"`{a.id}` {_md(a.name)}" for a in attacks)
    return ", ".join(f"{a.id} ({a.name})" for a in attacks)


def _uncovered(
    support: MitigationSupport, basis: Basis, *, markdown: bool
) -> list[str]:
    """
    The lines that name the attacks of a mitigation that its evidence does
    not reach.
    """
    if support.status == "not-mapped":
        return []
    out = []
    others = [
        a for a in support.without_evidence if a not in support.undefended
    ]
    if others:
        out.append(
            "no evidence that its defenses counter: "
            + _attack_list(others, markdown=markdown)
        )
    if support.undefended:
        out.append(
            f"{_no_defense(basis)}: "
            + _attack_list(support.undefended, markdown=markdown)
        )
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(report: CoverageReport) -> str:
    return (
        f"{_plural(report.gap_count, 'gap')}, "
        f"{_plural(len(report.open_threats), 'open threat')}, "
        f"{_plural(len(report.unsupported), 'unsupported mitigation')}."
    )


def _counted(basis: Basis) -> str:
    return ", ".join(BASES[: BASES.index(basis) + 1])


def _modalities(scope: Scope) -> str:
    if scope.modalities:
        return ", ".join(scope.modalities)
    return "any (the scope names none: every attack applies)"


def _status_text(support: MitigationSupport) -> str:
    if support.status == "not-mapped":
        if not support.defenses:
            return "not mapped: it names no defense of the taxonomy"
        return "not mapped: its threats name no attack of the taxonomy"
    return f"{support.status} ({_MEANS[support.status]})"


def _text_link(evidence: CounterEvidence, indent: str) -> list[str]:
    caveat = f"; caveat: {evidence.caveat}" if evidence.caveat else ""
    head = (
        f"{indent}{evidence.defense} against {evidence.attack}: "
        f"{evidence.basis}{caveat}"
    )
    return [
        head,
        f"{indent}  evidence: {evidence.evidence}",
        f"{indent}  source: {evidence.source}",
    ]


def _md_link(evidence: CounterEvidence) -> str:
    caveat = f"; caveat: {_md(evidence.caveat)}" if evidence.caveat else ""
    return (
        f"`{evidence.defense}` against `{evidence.attack}`: "
        f"**{evidence.basis}**{caveat}. {_md(evidence.evidence)} "
        f"(source: {_md(evidence.source)})"
    )


def _line(text: str) -> str:
    # A field of the team's file on one line of the text report: a line
    # break in it cannot forge a line of its own.
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
