"""
Checking a threat model against the taxonomy: its tags, scope and own
consistency.
"""

from __future__ import annotations

import os

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from dnn_supply_chain._text import article, suggest
from dnn_supply_chain.exceptions import (
    Location,
    Problem,
    ThreatModelError,
    UnknownIdError,
    format_location,
)

from ._files import read_source, threat_model_from_dict
from ._model import (
    Diagnostic,
    Mitigation,
    Scope,
    Tag,
    Threat,
    ThreatModel,
    in_file_order,
    not_met,
)
from ._salvage import Salvage, salvage


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy
    from dnn_supply_chain.crosswalk import CrosswalkCatalog


__all__ = ["examine", "examine_file", "validate_threat_model"]

_NEEDS_RATIONALE: Final = ("accepted", "not-applicable")

_Add = Callable[[Literal["error", "warning"], Location, str], None]


def validate_threat_model(
    model: ThreatModel | Mapping[str, Any] | str | os.PathLike[str],
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
) -> tuple[Diagnostic, ...]:
    """
    Check *model* against *taxonomy* (default: :func:`~dnn_supply_chain.load`).

    Every problem is reported, in file order, each with its path: unknown
    tags (with did-you-mean suggestions), tags of the wrong kind, names
    that do not match their ids, deprecated ids (a warning naming the
    successor), unknown stages, categories and modalities of the scope,
    duplicate threat or mitigation ids, mitigations of unknown threats,
    ``mitigated`` threats without a mitigation, missing rationales, and
    tags outside the model's scope: of a stage it does not take part in,
    or of modalities it does not work with (warnings).

    Args:
        model: The threat model; or the plain data of a file, or the path
            of a ``.toml`` or ``.json`` file.  Data or a file is checked
            whole: its structural problems (those
            :func:`threat_model_from_dict` raises for) are reported
            together with the problems of its tags, wherever its structure
            leaves the tags readable, and a file that cannot be read or
            parsed gives the one problem that says so.
        taxonomy: The taxonomy to check against.
        source: The file name to report problems against (default: the
            path, for a file).

    Returns:
        The diagnostics; the model is valid when none is an ``"error"``.
        Nothing is raised for a model that is invalid.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Accepts a file's data or path, and checks the scope's modalities.
    """
    return examine(model, taxonomy, source=source)[1]


def examine(
    target: object,
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
) -> tuple[ThreatModel | None, tuple[Diagnostic, ...]]:
    """
    The model of *target* (None when it cannot be built) and every
    problem of it; see :func:`validate_threat_model`.  *target* is a
    model, a path (a ``str`` is one), or the plain data of a file.
    """
    from dnn_supply_chain._loading import load

    tax = load() if taxonomy is None else taxonomy
    if isinstance(target, ThreatModel):
        return target, _validate(target, tax, source=source)
    if isinstance(target, (str, os.PathLike)):
        _, model, problems = examine_file(target, tax, source=source)
        return model, problems
    return _examine_data(target, tax, source=source)


def examine_file(
    path: str | os.PathLike[str],
    taxonomy: Taxonomy | None = None,
    *,
    source: str | None = None,
) -> tuple[str, ThreatModel | None, tuple[Diagnostic, ...]]:
    """
    The text of the file *path* (empty when it cannot be read), its model
    and every problem of it, from one read; see :func:`examine`.
    """
    from dnn_supply_chain._loading import load

    tax = load() if taxonomy is None else taxonomy
    path = Path(path)
    source = str(path) if source is None else source
    try:
        text, data = read_source(path)
    except ThreatModelError as exc:
        problems = [attrs.evolve(d, source=source) for d in exc.diagnostics]
        return "", None, tuple(problems)
    return (text, *_examine_data(data, tax, source=source))


def _examine_data(
    data: object, tax: Taxonomy, *, source: str | None
) -> tuple[ThreatModel | None, tuple[Diagnostic, ...]]:
    """
    The model of the plain data *data* and every problem of it.
    """
    try:
        model = threat_model_from_dict(data, source=source)
    except ThreatModelError as exc:
        structural = exc.diagnostics
    else:
        return model, _validate(model, tax, source=source)
    rest = salvage(data, structural)
    if rest is None:
        return None, structural
    found = [
        attrs.evolve(d, location=rest.original(d.location))
        for d in _validate(rest.model, tax, source=source, rest=rest)
    ]
    return None, in_file_order([*structural, *filter(rest.reports, found)])


def _validate(
    model: ThreatModel,
    tax: Taxonomy,
    *,
    source: str | None,
    rest: Salvage | None = None,
) -> tuple[Diagnostic, ...]:
    """
    The problems of *model*; *rest* says what of the file was set aside
    to build it, if anything.
    """
    from dnn_supply_chain.crosswalk import CROSSWALK_ID, load_crosswalk

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
    modalities = tax.vocabulary.modalities
    for i, term in enumerate(model.scope.modalities):
        if term not in modalities:
            near = suggest(term, modalities)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            add(
                "error",
                ("scope", "modalities", i),
                f"unknown modality {term!r}{hint}",
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
                if tag.id not in tax and CROSSWALK_ID.fullmatch(tag.id):
                    catalog = catalog or load_crosswalk()
                    _check_crosswalk_tag(
                        add, catalog, location=where, tag=tag, kind=kind
                    )
                    continue
                _check_tag(
                    add,
                    tax,
                    location=where,
                    tag=tag,
                    kind=kind,
                    scope=model.scope,
                    in_scope=in_scope_stages,
                )

    threat_ids = {t.id for t in model.threats}
    mitigated: set[str] = set()
    if rest is not None:
        # Ids of threats and mitigations set aside are not unknown.
        threat_ids = (threat_ids | rest.threat_ids) - rest.fillers
        mitigated |= rest.mitigated
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

    near = tax.closest_ids(value, kind=kind)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    add("error", location, f"unknown {kind} {value!r}{hint}")


def _check_crosswalk_tag(
    add: _Add,
    catalog: CrosswalkCatalog,
    *,
    location: Location,
    tag: Tag,
    kind: str,
) -> None:
    """
    Check the crosswalk id *tag* on a threat (*kind* ``"attack"``: an ATLAS
    technique, OWASP or NIST entry) or a mitigation (an ATLAS mitigation),
    in any letter case; a name it carries must be the entry's.
    """
    from dnn_supply_chain.crosswalk import AtlasMitigation, AtlasTechnique

    try:
        entry = catalog.get(tag.id)
    except UnknownIdError as exc:
        near = exc.suggestions[:1]
        hint = f"; did you mean {near[0]!r}?" if near else ""
        add(
            "error",
            location,
            f"unknown crosswalk id {tag.id!r} ({catalog.editions()}){hint}",
        )
        return
    is_mitigation = isinstance(entry, AtlasMitigation)
    if kind == "attack" and is_mitigation:
        add(
            "error",
            location,
            f"{entry.id!r} is an ATLAS mitigation; tag threats with "
            "attacks or ATLAS techniques",
        )
        return
    if kind == "defense" and not is_mitigation:
        what = (
            "an ATLAS technique"
            if isinstance(entry, AtlasTechnique)
            else f"an entry of {catalog.framework(entry)}"
        )
        add(
            "error",
            location,
            f"{entry.id!r} is {what}; tag mitigations with defenses or "
            "ATLAS mitigations",
        )
        return
    if tag.name is None or _norm(tag.name) == _norm(entry.name):
        return
    former = isinstance(entry, AtlasTechnique) and any(
        _norm(tag.name) == _norm(n) for n in entry.former_names
    )
    hint = " (its name before ATLAS 4.9.0)" if former else ""
    add(
        "error",
        location,
        f"{entry.id} is named {entry.name!r} in "
        f"{catalog.framework(entry)}, not {tag.name!r}{hint}",
    )


def _check_tag(
    add: _Add,
    tax: Taxonomy,
    *,
    location: Location,
    tag: Tag,
    kind: str,
    scope: Scope,
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
        near = tax.closest_ids(tag.id, kind=kind)
        if tag.name is not None:
            named = tax.ids_named(tag.name, kind=kind)
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
    modalities = getattr(record, "modalities", ())
    if not scope.applies(modalities):
        add(
            "warning",
            location,
            f"{tag.id!r} does not apply: its {not_met(modalities, scope.modalities)}",
        )
