"""
Threat-model files: reading them into records, and writing records back.
"""

from __future__ import annotations

import json

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from dnn_supply_chain._parsing import ParseFailure, parse
from dnn_supply_chain._text import is_text, show
from dnn_supply_chain.exceptions import Problem, ThreatModelError

from ._model import (
    STATUSES,
    Diagnostic,
    Mitigation,
    Scope,
    Tag,
    Threat,
    ThreatModel,
    _location,
)


__all__ = [
    "dump_threat_model",
    "read_threat_model",
    "threat_model_from_dict",
    "threat_model_to_dict",
]


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
