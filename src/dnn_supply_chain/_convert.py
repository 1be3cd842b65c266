"""
The one converter between records and JSON values, both ways.

Reading structures plain data (what :func:`json.loads` or
:func:`tomllib.loads` returned) into records and reports every problem with
its location; writing unstructures records back into plain data.  cattrs is
imported only when there is something to report.
"""

from __future__ import annotations

import functools

from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin

import attrs

from ._checks import FieldTypeError, FieldValueError, NotFast, build
from ._records import Attributes
from ._text import show
from .exceptions import Location, Problem


if TYPE_CHECKING:
    import cattrs

    from attrs import AttrsInstance


__all__ = [
    "converter",
    "problems_of",
    "record_to_dict",
    "structure",
    "unstructure",
]

_T = TypeVar("_T")
_R = TypeVar("_R")


@functools.cache
def converter() -> cattrs.Converter:
    """
    Return the one cattrs converter between records and JSON values.

    It forbids unknown keys and checks types instead of coercing them.
    """
    from cattrs.cols import homogenous_tuple_structure_factory
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

    # Any other tuple of the records is read from a list alone: cattrs would
    # iterate a dict or a string too, so that {} read as an empty tuple.
    def is_record_tuple(tp: Any) -> bool:
        args = get_args(tp)
        return (
            get_origin(tp) is tuple
            and len(args) == 2  # noqa: PLR2004 - tuple[X, ...]
            and args[1] is Ellipsis
            and args[0] is not str
        )

    def record_tuple(tp: Any, conv: cattrs.Converter) -> Any:
        items = homogenous_tuple_structure_factory(tp, conv)
        noun = getattr(get_args(tp)[0], "__name__", "item")

        def hook(value: object, _: type) -> object:
            if not isinstance(value, list | tuple):
                msg = (
                    f"expected a list of {noun} objects, got "
                    f"{type(value).__name__} {show(value)}"
                )
                raise TypeError(msg)
            return items(value, tp)

        return hook

    conv.register_structure_hook_factory(is_record_tuple, record_tuple)

    # cattrs' own Literal hook quotes the whole value in its message, which
    # a hostile file can make as long as it likes.
    def is_literal(tp: Any) -> bool:
        return get_origin(tp) is Literal

    def literal(value: object, tp: Any) -> object:
        choices = get_args(tp)
        if type(value) is str and value in choices:
            return value
        msg = (
            f"expected one of {', '.join(map(repr, choices))}, "
            f"got {show(value)}"
        )
        raise ValueError(msg)

    conv.register_structure_hook_func(is_literal, literal)

    def attributes(value: object, _: type) -> Attributes:
        if not isinstance(value, dict):
            msg = f"expected an object of attributes, got {show(value)}"
            raise TypeError(msg)
        return Attributes(value)

    conv.register_structure_hook(Attributes, attributes)
    conv.register_unstructure_hook(Attributes, Attributes.to_json)
    return conv


def _message(exc: BaseException) -> str:
    """
    The message of one leaf error, as our hooks and validators wrote it.
    """
    from cattrs.errors import ForbiddenExtraKeysError

    if isinstance(exc, ForbiddenExtraKeysError):
        extra = ", ".join(sorted(map(str, exc.extra_fields)))
        return (
            f"extra fields found ({extra}); remove them or fix their spelling"
        )
    if isinstance(exc, KeyError):
        return "required field missing"
    if exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    return type(exc).__name__


def _field_of(exc: BaseException) -> str | None:
    """
    The field an attrs validator complained about: validators raise with
    the attribute as their second argument (attrs' own), or a
    FieldValueError or FieldTypeError naming it (ours).
    """
    if isinstance(exc, FieldValueError | FieldTypeError):
        return exc.field
    if len(exc.args) > 1 and isinstance(exc.args[1], attrs.Attribute):
        name: str = exc.args[1].name
        return name
    return None


def problems_of(
    exc: BaseException,
    *,
    source: str | None,
    location: Location,
    record: str | None = None,
) -> list[Problem]:
    """
    Every problem in *exc*, an error cattrs raised while structuring the
    value at *location*, each at its own location.
    """
    from cattrs.errors import (
        ClassValidationError,
        IterableValidationError,
    )

    out: list[Problem] = []

    def walk(error: BaseException, where: Location) -> None:
        if isinstance(error, ClassValidationError):
            with_notes, others = error.group_exceptions()
            for inner, note in with_notes:
                walk(inner, (*where, note.name))
            for inner in others:
                walk(inner, where)
            return
        if isinstance(error, IterableValidationError):
            with_index, others = error.group_exceptions()
            for inner, index in with_index:
                walk(inner, (*where, index.index))
            for inner in others:
                walk(inner, where)
            return
        field = _field_of(error)
        out.append(
            Problem(
                source=source,
                location=where if field is None else (*where, field),
                record=record,
                message=_message(error),
            )
        )

    walk(exc, location)
    return out


def structure(
    item: object,
    cls: type[_R],
    *,
    source: str | None,
    location: Location,
    record: str | None = None,
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
            Problem(
                source=source,
                location=location,
                record=record,
                message=message,
            )
        ]
    try:
        return converter().structure(item, cls)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        return problems_of(
            exc, source=source, location=location, record=record
        )


def unstructure(value: Any) -> Any:
    """
    Return *value* (a record, or what a record's field holds) as JSON
    values: records become objects of their fields, tuples lists,
    attributes plain objects.

    The converter's way out, written here so that commands that only print
    a record do not import cattrs; a test holds it equal to
    ``converter().unstructure``.
    """
    if isinstance(value, tuple):
        return [unstructure(item) for item in value]
    if isinstance(value, Attributes):
        return value.to_json()
    if attrs.has(type(value)):
        return {
            f.name: unstructure(getattr(value, f.name))
            for f in attrs.fields(type(value))
        }
    if isinstance(value, dict):
        return {key: unstructure(item) for key, item in value.items()}
    return value


def record_to_dict(record: AttrsInstance) -> dict[str, Any]:
    """
    Return *record* as JSON-compatible data: tuples become lists,
    attributes plain objects; empty attributes are left out.
    """
    data: dict[str, Any] = unstructure(record)
    if not data.get("attributes", True):
        del data["attributes"]
    return data
