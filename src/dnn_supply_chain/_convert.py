"""
The one converter between records and JSON values, both ways.

Reading structures plain data (what :func:`json.loads` or
:func:`tomllib.loads` returned) into records and reports every problem with
its location; writing unstructures records back into plain data.  cattrs is
imported only when there is something to report.
"""

from __future__ import annotations

import functools
import re

from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from ._checks import NotFast, build
from ._records import Attributes
from ._text import show
from .exceptions import Problem


if TYPE_CHECKING:
    import cattrs

    from attrs import AttrsInstance


__all__ = ["converter", "record_to_dict", "structure"]

_T = TypeVar("_T")
_R = TypeVar("_R")
_FIELD_IN_MESSAGE: Final = re.compile(r"'(\w+)' ")


@functools.cache
def converter() -> cattrs.Converter:
    """
    Return the one cattrs converter between records and JSON values.

    It forbids unknown keys and checks types instead of coercing them.
    """
    from cattrs.preconf.json import make_converter

    conv = make_converter(forbid_extra_keys=True)

    # cattrs coerces by default (5 -> "5", "abc" -> ("a", "b", "c")):
    # data files must say what they mean, so types are checked instead.
    def strict(cls: type[_T]) -> Any:
        def hook(value: object, _: type) -> object:
            if type(value) is not cls:
                msg = (
                    f"expected {cls.__name__}, got {type(value).__name__} "
                    f"{show(value)}"
                )
                raise TypeError(msg)
            return value

        return hook

    for cls in (str, int, bool):
        conv.register_structure_hook(cls, strict(cls))

    def is_str_tuple(tp: Any) -> bool:
        return bool(tp == tuple[str, ...])

    def str_tuple(value: object, _: type) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            msg = (
                "expected a list of strings, got "
                f"{type(value).__name__} {show(value)}"
            )
            raise TypeError(msg)
        for item in value:
            if type(item) is not str:
                msg = f"expected a list of strings, got an item {show(item)}"
                raise TypeError(msg)
        return tuple(value)

    conv.register_structure_hook_func(is_str_tuple, str_tuple)

    def attributes(value: object, _: type) -> Attributes:
        if not isinstance(value, dict):
            msg = f"expected an object of attributes, got {show(value)}"
            raise TypeError(msg)
        return Attributes(value)

    conv.register_structure_hook(Attributes, attributes)
    conv.register_unstructure_hook(Attributes, Attributes.to_json)
    return conv


def _describe(exc: BaseException, type_: type | None) -> str:
    import cattrs

    from cattrs.v import format_exception

    # Keep the messages of attrs validators and of our hooks: the default
    # formatter reduces them to "invalid value".
    if isinstance(exc, ValueError | TypeError) and not isinstance(
        exc, cattrs.BaseValidationError
    ):
        return str(exc.args[0]) if exc.args else type(exc).__name__
    text = format_exception(exc, type_)
    if text.startswith("extra fields found"):
        text += "; remove them or fix their spelling"
    return text


def structure(
    item: object, cls: type[_R], source: str, path: str, record: str | None
) -> _R | list[Problem]:
    """
    Return *item* as a *cls*, or every problem that prevents it.
    """
    try:
        built: _R = build(cls, item)
    except NotFast:
        pass
    else:
        return built
    if not isinstance(item, dict):
        what = (
            "null" if item is None else f"{type(item).__name__} {show(item)}"
        )
        message = f"expected an object with the fields of a {cls.__name__}, got {what}"
        return [
            Problem(source=source, path=path, record=record, message=message)
        ]
    try:
        return converter().structure(item, cls)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        return _problems_of(exc, source, path, record)


def _problems_of(
    exc: Exception, source: str, path: str, record: str | None
) -> list[Problem]:
    import cattrs

    from cattrs.v import transform_error

    if not isinstance(exc, cattrs.BaseValidationError):
        return [
            Problem(
                source=source,
                path=path,
                record=record,
                message=_describe(exc, None),
            )
        ]
    out = []
    for line in transform_error(exc, path=path, format_exception=_describe):
        message, _, where = line.rpartition(" @ ")
        # A validator's error surfaces at its record; its message starts
        # with the field's name, which belongs in the path.
        field_name = _FIELD_IN_MESSAGE.match(message)
        if where == path and field_name:
            where = f"{path}.{field_name.group(1)}"
        out.append(
            Problem(source=source, path=where, record=record, message=message)
        )
    return out


def record_to_dict(record: AttrsInstance) -> dict[str, Any]:
    """
    Return *record* as JSON-compatible data: tuples become lists.
    """
    data = attrs.asdict(record, value_serializer=_plain)
    if not data.get("attributes", True):
        del data["attributes"]
    return data


def _plain(_inst: object, _field: object, value: object) -> object:
    if isinstance(value, Attributes):
        return value.to_json()
    return list(value) if isinstance(value, tuple) else value
