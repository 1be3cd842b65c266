"""
Checking a threat model against the taxonomy: its tags, scope and own
consistency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, Literal

import attrs

from dnn_supply_chain._text import article, suggest
from dnn_supply_chain.exceptions import Location, Problem, format_location

from ._model import (
    Diagnostic,
    Mitigation,
    Tag,
    Threat,
    ThreatModel,
    in_file_order,
)


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["current_id", "validate_threat_model"]

_NEEDS_RATIONALE: Final = ("accepted", "not-applicable")

_Add = Callable[[Literal["error", "warning"], Location, str], None]


def current_id(taxonomy: Taxonomy, record_id: str) -> str:
    """
    The id that names the record now: a renamed or merged id's successor.
    """
    successors = taxonomy.successor_of(record_id)
    return successors[0] if len(successors) == 1 else record_id


def validate_threat_model(
    model: ThreatModel,
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
) -> tuple[Diagnostic, ...]:
    """
    Check *model* against *taxonomy* (default: :func:`~dnn_supply_chain.load`).

    Every problem is reported, in file order, each with its path: unknown
    tags (with did-you-mean suggestions), tags of the wrong kind, names
    that do not match their ids, deprecated ids (a warning naming the
    successor), duplicate threat or mitigation ids, mitigations of unknown
    threats, ``mitigated`` threats without a mitigation, missing
    rationales, and tags outside the model's scope (a warning).

    Returns:
        The diagnostics; the model is valid when none is an ``"error"``.

    .. versionadded:: 0.1.0
    """
    from dnn_supply_chain._loading import load
    from dnn_supply_chain.crosswalk import (
        ATLAS_ID,
        AtlasTechnique,
        load_crosswalk,
    )

    tax = load() if taxonomy is None else taxonomy
    out: list[Diagnostic] = []

    def add(
        severity: Literal["error", "warning"],
        location: Location,
        message: str,
    ) -> None:
        out.append(
            Problem(
                severity=severity,
                location=location,
                message=message,
                source=source,
            )
        )

    in_scope_stages = set()
    for i, stage in enumerate(model.scope.stages):
        if stage in tax and tax.kind_of(stage) == "stage":
            in_scope_stages.add(stage)
        else:
            _unknown(add, tax, ("scope", "stages", i), stage, "stage")
    for i, cat in enumerate(model.scope.categories):
        where: Location = ("scope", "categories", i)
        if cat not in tax or tax.kind_of(cat) != "category":
            _unknown(add, tax, where, cat, "category")
        elif tax.category(cat).stage not in model.scope.stages:
            add(
                "error",
                where,
                f"category {cat!r} belongs to stage {tax.category(cat).stage!r}, which is not in scope.stages",
            )

    groups: tuple[tuple[str, Sequence[Threat | Mitigation], str], ...] = (
        ("threats", model.threats, "attack"),
        ("mitigations", model.mitigations, "defense"),
    )
    seen: dict[str, Location] = {}
    for collection, items, _ in groups:
        for i, item in enumerate(items):
            if item.id in seen:
                add(
                    "error",
                    (collection, i, "id"),
                    f"duplicate id {item.id!r}: {format_location(seen[item.id])} has it already",
                )
            else:
                seen[item.id] = (collection, i)

    catalog = None
    for collection, items, kind in groups:
        for i, item in enumerate(items):
            for j, tag in enumerate(item.tags):
                where = (collection, i, "tags", j)
                if kind == "attack" and ATLAS_ID.fullmatch(tag.id):
                    catalog = catalog or load_crosswalk()
                    current = catalog.current_name(tag.id)
                    if current is None:
                        add(
                            "error",
                            where,
                            f"unknown ATLAS id {tag.id!r} (ATLAS {catalog.atlas_version})",
                        )
                    elif tag.id.startswith("AML.M"):
                        add(
                            "error",
                            where,
                            f"{tag.id!r} is an ATLAS mitigation; tag threats with techniques",
                        )
                    elif tag.name is not None and _norm(tag.name) != _norm(
                        current
                    ):
                        entry = catalog.get(tag.id)
                        former = isinstance(entry, AtlasTechnique) and any(
                            _norm(tag.name) == _norm(n)
                            for n in entry.former_names
                        )
                        hint = (
                            " (its name before ATLAS 4.9.0)" if former else ""
                        )
                        add(
                            "error",
                            where,
                            f"{tag.id} is named {current!r} in ATLAS {catalog.atlas_version}, not {tag.name!r}{hint}",
                        )
                    continue
                _check_tag(
                    add,
                    tax,
                    location=where,
                    tag=tag,
                    kind=kind,
                    in_scope=in_scope_stages,
                )

    threat_ids = {t.id for t in model.threats}
    mitigated: set[str] = set()
    for i, mitigation in enumerate(model.mitigations):
        for j, tid in enumerate(mitigation.mitigates):
            if tid in threat_ids:
                mitigated.add(tid)
                continue
            near = suggest(tid, sorted(threat_ids))
            hint = f"; did you mean {near[0]!r}?" if near else ""
            add(
                "error",
                ("mitigations", i, "mitigates", j),
                f"no threat has id {tid!r}{hint}",
            )
    for i, threat in enumerate(model.threats):
        if threat.status == "mitigated" and threat.id not in mitigated:
            add(
                "error",
                ("threats", i, "status"),
                f"threat {threat.id!r} is 'mitigated' but no mitigation lists it in 'mitigates'",
            )
        if (
            threat.status in _NEEDS_RATIONALE
            and not (threat.rationale or "").strip()
        ):
            add(
                "error",
                ("threats", i, "rationale"),
                f"a threat that is {threat.status!r} needs a rationale: say why",
            )
    return in_file_order(out)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _unknown(
    add: _Add, tax: Taxonomy, location: Location, value: str, kind: str
) -> None:
    if value in tax:
        add(
            "error",
            location,
            f"{value!r} is a {tax.kind_of(value)}, not a {kind}",
        )
        return

    pool = tax.stages if kind == "stage" else tax.categories
    near = suggest(value, [r.id for r in pool])
    hint = f"; did you mean {near[0]!r}?" if near else ""
    add("error", location, f"unknown {kind} {value!r}{hint}")


def _check_tag(
    add: _Add,
    tax: Taxonomy,
    *,
    location: Location,
    tag: Tag,
    kind: str,
    in_scope: set[str],
) -> None:
    pool = tax.attacks if kind == "attack" else tax.defenses
    successors = tax.successor_of(tag.id)
    if successors:
        names = " or ".join(repr(s) for s in successors)
        add("warning", location, f"{tag.id!r} is deprecated; use {names}")
        if len(successors) > 1:
            return
        tag = attrs.evolve(tag, id=successors[0])
    if tag.id not in tax:
        near = suggest(tag.id, [r.id for r in pool])
        if tag.name is not None:
            named = [r.id for r in pool if _norm(r.name) == _norm(tag.name)]
            near = named + [n for n in near if n not in named]
        hint = f"; did you mean {near[0]!r}?" if near else ""
        add("error", location, f"unknown {kind} {tag.id!r}{hint}")
        return
    found = tax.kind_of(tag.id)
    if found != kind:
        owner = "threats" if kind == "attack" else "mitigations"
        add(
            "error",
            location,
            f"{tag.id!r} is {article(found)}; tag {owner} with {kind}s",
        )
        return
    record = tax.get(tag.id)
    name = getattr(record, "name", "")
    if tag.name is not None and _norm(tag.name) != _norm(name):
        others = [r.id for r in pool if _norm(r.name) == _norm(tag.name)]
        hint = f"; {tag.name!r} is the name of {others[0]!r}" if others else ""
        add(
            "error",
            location,
            f"{tag.id!r} is named {name!r}, not {tag.name!r}{hint}",
        )
    if kind == "attack":
        stage = tax.attack(tag.id).stage
        if stage not in in_scope:
            add(
                "warning",
                location,
                f"{tag.id!r} targets the {stage!r} stage, which is "
                "outside the model's scope",
            )
