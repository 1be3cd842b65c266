"""
Threat-model files: reading them into records, and writing records back.
"""

from __future__ import annotations

import json
import re

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from dnn_supply_chain._files import ReadFailure
from dnn_supply_chain._files import read_source as read_file_source
from dnn_supply_chain.exceptions import Problem, ThreatModelError

from ._model import Tag, ThreatModel, in_file_order
from ._structure import threat_model_converter


#: The ``$id`` of ``data/threat-model.schema.json``, which a JSON threat
#: model names as its ``$schema`` (a test checks that they agree).
SCHEMA_ID: Final = (
    "https://dnn-supply-chain.invalid/schemas/threat-model-1.json"
)


__all__ = [
    "dump_threat_model",
    "read_data",
    "read_source",
    "read_threat_model",
    "threat_model_from_dict",
    "threat_model_to_dict",
]


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
    from dnn_supply_chain._convert import structure

    threat_model_converter()
    model = structure(data, ThreatModel, source=source, location=())
    if isinstance(model, list):
        problems = [attrs.evolve(p, severity="error") for p in model]
        raise ThreatModelError(in_file_order(problems), source=source)
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
    return threat_model_from_dict(read_data(path), source=str(path))


def read_data(path: Path) -> object:
    """
    The plain data of the ``.toml`` or ``.json`` file *path*.

    Raises:
        ThreatModelError: The file cannot be read, or is not valid TOML or
            JSON.
    """
    return read_source(path)[1]


def read_source(path: Path) -> tuple[str, object]:
    """
    The text of the ``.toml`` or ``.json`` file *path* and its plain data,
    from one read.

    Raises:
        ThreatModelError: As :func:`read_data`.
    """
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
        return read_file_source(path, toml=suffix == ".toml", source=source)
    except ReadFailure as exc:
        problem = attrs.evolve(exc.problem, severity="error")
        raise ThreatModelError([problem], source=source) from None


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
    if model.scope.modalities:
        scope["modalities"] = list(model.scope.modalities)
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


# What a TOML comment may not hold: the C0 controls but tab, and DEL.
_NOT_IN_COMMENT: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _comment(text: str) -> str:
    return _NOT_IN_COMMENT.sub("?", " ".join(text.splitlines()))


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
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """
    Return *model* as the text of a ``.toml`` or ``.json`` file.

    Args:
        model: The threat model.
        fmt: ``"toml"`` or ``"json"``.
        header: Comment lines to put at the top of a TOML file.
        comments: Comments beside the scope's items in a TOML file, by
            key and item: ``{"stages": {"design": "from base_model"}}``.
            JSON has no comments: both are left out of it.

    Control characters in comments are written as ``?``: a TOML comment
    may not hold them.  A JSON file starts with ``"$schema"``, the ``$id``
    of the shipped schema ``dnn_supply_chain/data/threat-model.schema.json``
    (an identifier under the reserved ``.invalid`` domain, never fetched;
    no web copy of the schema is published).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *comments* added; JSON starts with ``"$schema"``.
    """
    data = threat_model_to_dict(model)
    if fmt == "json":
        # Readers ignore "$schema" (the schema allows it): it tells an
        # editor or a validator which schema the file follows.
        data = {"$schema": SCHEMA_ID, **data}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt != "toml":
        msg = f"fmt must be 'toml' or 'json', not {fmt!r}"
        raise ValueError(msg)
    lines = [f"# {_comment(line)}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines.extend(
        f"{key} = {_toml_value(data[key])}"
        for key in ("name", "description")
        if key in data
    )
    lines += ["", "[scope]"]
    notes = comments or {}
    for key, value in data["scope"].items():
        beside = notes.get(key, {})
        if not any(item in beside for item in value):
            lines.append(f"{key} = {_toml_value(value)}")
            continue
        lines.append(f"{key} = [")
        for item in value:
            note = beside.get(item)
            tail = f"  # {_comment(note)}" if note else ""
            lines.append(f"  {_toml_value(item)},{tail}")
        lines.append("]")
    for table in ("threats", "mitigations"):
        for entry in data[table]:
            lines += ["", f"[[{table}]]"]
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in entry.items())
    return "\n".join(lines) + "\n"
