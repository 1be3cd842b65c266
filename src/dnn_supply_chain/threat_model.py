"""
Threat models tagged against the taxonomy, their validation, and the
coverage and gap report.

A threat model names the stages a system takes part in, the threats the
team considered (each tagged with taxonomy attack ids, and optionally MITRE
ATLAS technique ids) and the mitigations in place (tagged with taxonomy
defense ids).  :func:`validate_threat_model` checks the tags against a
taxonomy; :func:`coverage_report` tells what the model forgot.
"""

from __future__ import annotations

import json

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from attrs import field, validators

from ._parsing import ParseFailure, parse
from ._text import is_text, show, suggest
from .exceptions import Location, Problem, ThreatModelError


if TYPE_CHECKING:
    from ._records import Attack, Defense, Stage
    from ._taxonomy import Taxonomy


__all__ = [
    "FAIL_POLICIES",
    "STATUSES",
    "CoverageReport",
    "Diagnostic",
    "Mismatch",
    "Mitigation",
    "Scope",
    "StageCoverage",
    "Suggestion",
    "Tag",
    "Threat",
    "ThreatModel",
    "coverage_report",
    "dump_threat_model",
    "read_threat_model",
    "starter_threat_model",
    "threat_model_from_dict",
    "threat_model_to_dict",
    "validate_threat_model",
]

#: The statuses a threat can have.
STATUSES: Final = ("open", "mitigated", "accepted", "not-applicable")

#: When :meth:`CoverageReport.fails` says a check fails.
FAIL_POLICIES: Final = ("gaps", "open", "never")

_NEEDS_RATIONALE: Final = ("accepted", "not-applicable")

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


# -- reading and writing ---------------------------------------------------

_TOP_KEYS: Final = (
    "$schema",
    "name",
    "description",
    "scope",
    "threats",
    "mitigations",
)
_THREAT_KEYS: Final = ("id", "title", "tags", "status", "rationale")
_MITIGATION_KEYS: Final = ("id", "title", "tags", "mitigates")
_SCOPE_KEYS: Final = ("stages", "categories")


class _Reader:
    """
    Structures plain data into a ThreatModel, collecting every problem.
    """

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []

    def error(self, path: str, message: str) -> None:
        self.problems.append(
            Problem(
                severity="error",
                location=_location(path),
                message=message,
                source=self.source,
            )
        )

    def table(
        self, value: object, path: str, keys: Sequence[str]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a table, got {_kind(value)}")
            return None
        for key in value:
            if key not in keys:
                self.error(
                    f"{path}.{key}" if path else (str(key) or "''"),
                    f"unknown key {key!r}; expected one of {', '.join(keys)}",
                )
        return value

    def text(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
    ) -> str | None:
        where = f"{path}.{key}" if path else key
        if key not in table:
            if required:
                self.error(where, f"missing {key!r}")
            return None
        value = table[key]
        if (
            not isinstance(value, str)
            or not value.strip()
            or not is_text(value)
        ):
            self.error(
                where, f"expected a non-empty string, got {_kind(value)}"
            )
            return None
        return value

    def string(
        self, table: Mapping[str, Any], key: str, path: str
    ) -> str | None:
        where = f"{path}.{key}" if path else key
        value = table.get(key)
        if key in table and (not isinstance(value, str) or not is_text(value)):
            self.error(where, f"expected a string, got {_kind(value)}")
            return None
        return value

    def texts(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
    ) -> tuple[str, ...]:
        where = f"{path}.{key}" if path else key
        if key not in table:
            if required:
                self.error(where, f"missing {key!r}")
            return ()
        value = table[key]
        if not isinstance(value, list):
            self.error(
                where, f"expected a list of strings, got {_kind(value)}"
            )
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip() and is_text(item):
                out.append(item)
            else:
                self.error(
                    f"{where}[{i}]",
                    f"expected a non-empty string, got {_kind(item)}",
                )
        return tuple(out)

    def tags(self, table: Mapping[str, Any], path: str) -> tuple[Tag, ...]:
        where = f"{path}.tags"
        value = table.get("tags", [])
        if not isinstance(value, list):
            self.error(where, f"expected a list of ids, got {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            here = f"{where}[{i}]"
            if isinstance(item, str) and item.strip() and is_text(item):
                out.append(Tag(id=item))
                continue
            entry = (
                self.table(item, here, ("id", "name"))
                if isinstance(item, dict)
                else None
            )
            if entry is None:
                if not isinstance(item, dict):
                    self.error(
                        here,
                        f"expected an id or a table {{id, name}}, got {_kind(item)}",
                    )
                continue
            tag_id = self.text(entry, "id", here)
            name = self.text(entry, "name", here, required=False)
            if tag_id is not None:
                out.append(Tag(id=tag_id, name=name))
        return tuple(out)

    def model(self, data: object) -> ThreatModel | None:
        top = self.table(data, "", _TOP_KEYS)
        if top is None:
            return None
        name = self.text(top, "name", "")
        description = self.string(top, "description", "") or ""
        scope = None
        if "scope" not in top:
            self.error(
                "scope",
                "missing 'scope': name the stages the system takes part in",
            )
        else:
            raw = self.table(top["scope"], "scope", _SCOPE_KEYS)
            if raw is not None:
                stages = self.texts(raw, "stages", "scope", required=True)
                if (
                    "stages" in raw
                    and not stages
                    and isinstance(raw["stages"], list)
                ):
                    self.error("scope.stages", "name at least one stage")
                scope = Scope(
                    stages=stages,
                    categories=self.texts(raw, "categories", "scope"),
                )
        threats = []
        for i, item in enumerate(self.list(top, "threats")):
            path = f"threats[{i}]"
            raw = self.table(item, path, _THREAT_KEYS)
            if raw is None:
                continue
            tid = self.text(raw, "id", path)
            title = self.text(raw, "title", path)
            tags = self.tags(raw, path)
            status = raw.get("status", "open")
            if status not in STATUSES:
                self.error(
                    f"{path}.status",
                    f"unknown status {show(status)}; use one of {', '.join(STATUSES)}",
                )
                status = "open"
            rationale = self.string(raw, "rationale", path)
            if tid is not None and title is not None:
                threats.append(
                    Threat(
                        id=tid,
                        title=title,
                        tags=tags,
                        status=status,
                        rationale=rationale,
                    )
                )
        mitigations = []
        for i, item in enumerate(self.list(top, "mitigations")):
            path = f"mitigations[{i}]"
            raw = self.table(item, path, _MITIGATION_KEYS)
            if raw is None:
                continue
            mid = self.text(raw, "id", path)
            title = self.text(raw, "title", path)
            tags = self.tags(raw, path)
            mitigates = self.texts(raw, "mitigates", path)
            if mid is not None and title is not None:
                mitigations.append(
                    Mitigation(
                        id=mid, title=title, tags=tags, mitigates=mitigates
                    )
                )
        if self.problems or name is None or scope is None:
            return None
        return ThreatModel(
            name=name,
            description=description,
            scope=scope,
            threats=tuple(threats),
            mitigations=tuple(mitigations),
        )

    def list(self, table: Mapping[str, Any], key: str) -> list[Any]:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.error(key, f"expected a list of tables, got {_kind(value)}")
            return []
        return value


def _kind(value: object) -> str:  # noqa: PLR0911 - one answer per kind
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({show(value)})"
    if isinstance(value, str):
        if not is_text(value):
            return "a string that is not Unicode text (a lone surrogate)"
        return (
            "an empty string"
            if not value.strip()
            else f"a string ({show(value)})"
        )
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def threat_model_from_dict(
    data: object, *, source: str | None = None
) -> ThreatModel:
    """
    Build a threat model from the plain data of a TOML or JSON file.

    Args:
        data: What :func:`tomllib.load` or :func:`json.load` returned.
        source: The file name that problems are reported against.

    Raises:
        ThreatModelError: With every structural problem, each with its path.

    .. versionadded:: 0.1.0
    """
    reader = _Reader(source)
    model = reader.model(data)
    if model is None:
        raise ThreatModelError(reader.problems, source=source)
    return model


def read_threat_model(path: str | Path) -> ThreatModel:
    """
    Read a threat model from a ``.toml`` or ``.json`` file.

    Reading never executes anything in the file and never touches the
    network.

    Raises:
        ThreatModelError: The file cannot be read, is not valid TOML or
            JSON (the line and column are named), or does not follow the
            threat-model schema (every problem is named with its path).

    .. versionadded:: 0.1.0
    """
    path = Path(path)
    source = str(path)

    def fail(message: str) -> ThreatModelError:
        problem = Problem(severity="error", message=message, source=source)
        return ThreatModelError([problem], source=source)

    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        msg = (
            f"unknown file type {path.suffix!r}: name the file .toml or .json"
        )
        raise fail(msg)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"cannot read the file: {exc}"
        raise fail(msg) from None
    try:
        data = parse(text, toml=suffix == ".toml")
    except ParseFailure as exc:
        problem = attrs.evolve(exc.problem(source), severity="error")
        raise ThreatModelError([problem], source=source) from None
    return threat_model_from_dict(data, source=source)


def threat_model_to_dict(model: ThreatModel) -> dict[str, Any]:
    """
    Return *model* as plain data in the file schema.

    :func:`threat_model_from_dict` of the result gives an equal model.

    .. versionadded:: 0.1.0
    """

    def tags(items: Iterable[Tag]) -> list[Any]:
        return [
            t.id if t.name is None else {"id": t.id, "name": t.name}
            for t in items
        ]

    data: dict[str, Any] = {"name": model.name}
    if model.description:
        data["description"] = model.description
    scope: dict[str, Any] = {"stages": list(model.scope.stages)}
    if model.scope.categories:
        scope["categories"] = list(model.scope.categories)
    data["scope"] = scope
    data["threats"] = []
    for threat in model.threats:
        entry: dict[str, Any] = {
            "id": threat.id,
            "title": threat.title,
            "tags": tags(threat.tags),
            "status": threat.status,
        }
        if threat.rationale is not None:
            entry["rationale"] = threat.rationale
        data["threats"].append(entry)
    data["mitigations"] = [
        {
            "id": m.id,
            "title": m.title,
            "tags": tags(m.tags),
            "mitigates": list(m.mitigates),
        }
        for m in model.mitigations
    ]
    return data


def _toml_string(value: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML
    # does not allow unescaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ "
            + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
            + " }"
        )
    msg = f"cannot write {value!r} as TOML"
    raise TypeError(msg)


def dump_threat_model(
    model: ThreatModel,
    fmt: Literal["toml", "json"] = "toml",
    *,
    header: str = "",
) -> str:
    """
    Return *model* as the text of a ``.toml`` or ``.json`` file.

    Args:
        model: The threat model.
        fmt: ``"toml"`` or ``"json"``.
        header: Comment lines to put at the top of a TOML file.

    .. versionadded:: 0.1.0
    """
    data = threat_model_to_dict(model)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt != "toml":
        msg = f"fmt must be 'toml' or 'json', not {fmt!r}"
        raise ValueError(msg)
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines.extend(
        f"{key} = {_toml_value(data[key])}"
        for key in ("name", "description")
        if key in data
    )
    lines += ["", "[scope]"]
    lines.extend(f"{k} = {_toml_value(v)}" for k, v in data["scope"].items())
    for table in ("threats", "mitigations"):
        for entry in data[table]:
            lines += ["", f"[[{table}]]"]
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in entry.items())
    return "\n".join(lines) + "\n"


# -- validation --------------------------------------------------------------


def _current(taxonomy: Taxonomy, record_id: str) -> str:
    """
    The id that names the record now: a renamed or merged id's successor.
    """
    successors = taxonomy.successor_of(record_id)
    return successors[0] if len(successors) == 1 else record_id


def _successors(taxonomy: Taxonomy, record_id: str) -> tuple[str, ...]:
    """
    The ids that replace a deprecated *record_id* (the id lifecycle).
    """
    return taxonomy.successor_of(record_id)


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
    from ._loading import load
    from .crosswalk import ATLAS_ID, AtlasTechnique, load_crosswalk

    tax = load() if taxonomy is None else taxonomy
    out: list[Diagnostic] = []

    def add(
        severity: Literal["error", "warning"], path: str, message: str
    ) -> None:
        out.append(
            Problem(
                severity=severity,
                location=_location(path),
                message=message,
                source=source,
            )
        )

    in_scope_stages = set()
    for i, stage in enumerate(model.scope.stages):
        if stage in tax and tax.kind_of(stage) == "stage":
            in_scope_stages.add(stage)
        else:
            _unknown(add, tax, f"scope.stages[{i}]", stage, "stage")
    for i, cat in enumerate(model.scope.categories):
        if cat not in tax or tax.kind_of(cat) != "category":
            _unknown(add, tax, f"scope.categories[{i}]", cat, "category")
        elif tax.category(cat).stage not in model.scope.stages:
            add(
                "error",
                f"scope.categories[{i}]",
                f"category {cat!r} belongs to stage {tax.category(cat).stage!r}, which is not in scope.stages",
            )

    groups: tuple[tuple[str, Sequence[Threat | Mitigation], str], ...] = (
        ("threats", model.threats, "attack"),
        ("mitigations", model.mitigations, "defense"),
    )
    seen: dict[str, str] = {}
    for collection, items, _ in groups:
        for i, item in enumerate(items):
            path = f"{collection}[{i}]"
            if item.id in seen:
                add(
                    "error",
                    f"{path}.id",
                    f"duplicate id {item.id!r}: {seen[item.id]} has it already",
                )
            else:
                seen[item.id] = path

    catalog = None
    for collection, items, kind in groups:
        for i, item in enumerate(items):
            for j, tag in enumerate(item.tags):
                path = f"{collection}[{i}].tags[{j}]"
                if kind == "attack" and ATLAS_ID.fullmatch(tag.id):
                    catalog = catalog or load_crosswalk()
                    current = catalog.current_name(tag.id)
                    if current is None:
                        add(
                            "error",
                            path,
                            f"unknown ATLAS id {tag.id!r} (ATLAS {catalog.atlas_version})",
                        )
                    elif tag.id.startswith("AML.M"):
                        add(
                            "error",
                            path,
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
                            path,
                            f"{tag.id} is named {current!r} in ATLAS {catalog.atlas_version}, not {tag.name!r}{hint}",
                        )
                    continue
                _check_tag(
                    add,
                    tax,
                    path=path,
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
                f"mitigations[{i}].mitigates[{j}]",
                f"no threat has id {tid!r}{hint}",
            )
    for i, threat in enumerate(model.threats):
        path = f"threats[{i}]"
        if threat.status == "mitigated" and threat.id not in mitigated:
            add(
                "error",
                f"{path}.status",
                f"threat {threat.id!r} is 'mitigated' but no mitigation lists it in 'mitigates'",
            )
        if (
            threat.status in _NEEDS_RATIONALE
            and not (threat.rationale or "").strip()
        ):
            add(
                "error",
                f"{path}.rationale",
                f"a threat that is {threat.status!r} needs a rationale: say why",
            )
    return tuple(sorted(out, key=lambda d: _path_key(d.path)))


_FIELD_ORDER: Final = {
    name: rank
    for rank, name in enumerate(
        (
            "name",
            "description",
            "scope",
            "stages",
            "categories",
            "threats",
            "mitigations",
            "id",
            "title",
            "tags",
            "status",
            "rationale",
            "mitigates",
        )
    )
}


def _path_key(path: str) -> tuple[tuple[int, int | str], ...]:
    # File order: "threats[2].tags[0]" sorts as (threats, 2, tags, 0).
    key: list[tuple[int, int | str]] = []
    for token in path.replace("[", ".").replace("]", "").split("."):
        if token.isdigit():
            key.append((0, int(token)))
        else:
            key.append((1, _FIELD_ORDER.get(token, len(_FIELD_ORDER))))
    return tuple(key)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _unknown(
    add: Any, tax: Taxonomy, path: str, value: str, kind: str
) -> None:
    if value in tax:
        add(
            "error", path, f"{value!r} is a {tax.kind_of(value)}, not a {kind}"
        )
        return

    pool = tax.stages if kind == "stage" else tax.categories
    near = suggest(value, [r.id for r in pool])
    hint = f"; did you mean {near[0]!r}?" if near else ""
    add("error", path, f"unknown {kind} {value!r}{hint}")


def _check_tag(
    add: Any,
    tax: Taxonomy,
    *,
    path: str,
    tag: Tag,
    kind: str,
    in_scope: set[str],
) -> None:

    pool = tax.attacks if kind == "attack" else tax.defenses
    successors = _successors(tax, tag.id)
    if successors:
        names = " or ".join(repr(s) for s in successors)
        add("warning", path, f"{tag.id!r} is deprecated; use {names}")
        if len(successors) > 1:
            return
        tag = attrs.evolve(tag, id=successors[0])
    if tag.id not in tax:
        near = suggest(tag.id, [r.id for r in pool])
        if tag.name is not None:
            named = [r.id for r in pool if _norm(r.name) == _norm(tag.name)]
            near = named + [n for n in near if n not in named]
        hint = f"; did you mean {near[0]!r}?" if near else ""
        add("error", path, f"unknown {kind} {tag.id!r}{hint}")
        return
    found = tax.kind_of(tag.id)
    if found != kind:
        owner = "threats" if kind == "attack" else "mitigations"
        article = "an" if found[0] in "aeiou" else "a"
        add(
            "error",
            path,
            f"{tag.id!r} is {article} {found}; tag {owner} with {kind}s",
        )
        return
    record = tax.get(tag.id)
    name = getattr(record, "name", "")
    if tag.name is not None and _norm(tag.name) != _norm(name):
        others = [r.id for r in pool if _norm(r.name) == _norm(tag.name)]
        hint = f"; {tag.name!r} is the name of {others[0]!r}" if others else ""
        add(
            "error",
            path,
            f"{tag.id!r} is named {name!r}, not {tag.name!r}{hint}",
        )
    if kind == "attack":
        stage = tax.attack(tag.id).stage
        if stage not in in_scope:
            add(
                "warning",
                path,
                f"{tag.id!r} targets the {stage!r} stage, which is "
                "outside the model's scope",
            )


# -- coverage -----------------------------------------------------------------


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
        from ._convert import record_to_dict

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
    from ._loading import load

    tax = load() if taxonomy is None else taxonomy
    diagnostics = validate_threat_model(model, tax, source=source)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise ThreatModelError(errors, source=source)

    tagged: dict[str, list[str]] = {}
    for threat in model.threats:
        tagged[threat.id] = [
            ref
            for ref in (_current(tax, t.id) for t in threat.tags)
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


def starter_threat_model(
    stages: Sequence[str] | None = None,
    taxonomy: Taxonomy | None = None,
    *,
    name: str = "My model",
) -> ThreatModel:
    """
    Return a starter threat model for *stages* (default: all): one open
    threat per attack in scope, tagged with the attack's id and name, to be
    edited into the team's own.

    Raises:
        UnknownIdError: A stage id is unknown.

    .. versionadded:: 0.1.0
    """
    from ._loading import load

    tax = load() if taxonomy is None else taxonomy
    chosen = (
        [tax.stage(s).id for s in stages]
        if stages
        else [s.id for s in tax.stages]
    )
    ordered = [s.id for s in tax.stages if s.id in chosen]
    threats = tuple(
        Threat(
            id=f"T{n}",
            title=f"{attack.name} ({attack.stage})",
            tags=(Tag(id=attack.id, name=attack.name),),
            status="open",
        )
        for n, attack in enumerate(
            (a for s in ordered for a in tax.attacks_in(s)), start=1
        )
    )
    return ThreatModel(
        name=name,
        description="Describe the system: where its model comes from, how it is changed, where it runs.",
        scope=Scope(stages=tuple(ordered)),
        threats=threats,
    )
