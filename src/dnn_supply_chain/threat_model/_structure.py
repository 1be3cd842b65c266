"""
Threat models read through the one converter.

A threat-model file is structured by the converter of
:mod:`dnn_supply_chain._convert`, as taxonomy data, fragments, the manifest
and the crosswalk are.  The hooks registered here, once, the first time a
threat model is read, make it report *every* problem of a file in one run,
each at its own location:

- each field is checked by its record's validator while cattrs structures
  it, so that a bad field does not hide the next one (attrs would stop at
  the first invalid field);
- each item of a list is checked at its index;
- an unknown key is reported at the key, with the closest known key
  (``threat``: did you mean ``threats``?), and a missing field in the
  threat-model's words;
- a tag is an id, or a table ``{id, name}``.
"""

from __future__ import annotations

import functools

from collections.abc import Callable, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Literal,
    TypeVar,
    get_args,
    get_origin,
)

import attrs

from dnn_supply_chain._checks import FieldTypeError, FieldValueError
from dnn_supply_chain._text import show, suggest

from ._model import Mitigation, Scope, Tag, Threat, ThreatModel


if TYPE_CHECKING:
    import cattrs

    from attrs import AttrsInstance


__all__ = ["threat_model_converter"]

_T = TypeVar("_T")
_Hook = Callable[[Any, Any], Any]

_MISSING_SCOPE: Final = (
    "missing 'scope': name the stages the system takes part in"
)


@functools.cache
def threat_model_converter() -> cattrs.Converter:
    """
    Return the one converter, with the hooks of threat-model records.

    The hooks are registered on the first call; a second thread that
    registers them again at the same time registers the same hooks.
    """
    from dnn_supply_chain._convert import converter

    conv = converter()
    table = _record_hook(conv, Tag)

    def tag(value: object, _: type) -> Tag:
        if isinstance(value, str):
            return _checked(lambda: Tag(id=value))
        if isinstance(value, dict):
            built: Tag = table(value, Tag)
            return built
        msg = f"expected an id or a table {{id, name}}, got {_what(value)}"
        raise TypeError(msg)

    conv.register_structure_hook(Tag, tag)
    # Each hook is built from the hooks of its fields: inner records first.
    conv.register_structure_hook(
        Scope,
        _record_hook(conv, Scope, empty={"stages": "name at least one stage"}),
    )
    conv.register_structure_hook(Threat, _record_hook(conv, Threat))
    conv.register_structure_hook(Mitigation, _record_hook(conv, Mitigation))
    conv.register_structure_hook(
        ThreatModel,
        _record_hook(
            conv,
            ThreatModel,
            ignore=("$schema",),
            missing={"scope": _MISSING_SCOPE},
        ),
    )
    return conv


def _what(value: object) -> str:
    return "null" if value is None else f"{type(value).__name__} {show(value)}"


def _checked(build: Callable[[], _T]) -> _T:
    """
    Return ``build()``; an error of a validator loses the field name it
    carries, which the location of the problem already holds.
    """
    try:
        return build()
    except FieldValueError as exc:
        raise ValueError(str(exc)) from None
    except FieldTypeError as exc:
        raise TypeError(str(exc)) from None
    except (TypeError, ValueError) as exc:
        if len(exc.args) > 1 and isinstance(exc.args[0], str):
            raise type(exc)(exc.args[0]) from None
        raise


def _item_type(tp: object) -> object | None:
    """
    ``X`` for ``tuple[X, ...]``, else None.
    """
    args = get_args(tp)
    if get_origin(tp) is not tuple or args[1:] != (Ellipsis,):
        return None
    item: object = args[0]
    return item


def _field_hook(
    conv: cattrs.Converter,
    attribute: attrs.Attribute[Any],
    empty: str | None,
) -> _Hook:
    """
    The hook of one field: the converter structures the value and the
    field's validator checks it; a list is checked item by item.
    """
    from cattrs.errors import IterableValidationError, IterableValidationNote

    validate = attribute.validator
    name = attribute.name

    def check(value: _T, about: attrs.Attribute[Any] = attribute) -> _T:
        if validate is not None:
            _checked(lambda: validate(None, about, value))
        return value

    def check_item(one: _T, index: int) -> _T:
        # Checked as a list of one, so that a bad item is reported at its
        # index; checked again named as the item, for the message.
        try:
            return check(one)
        except (TypeError, ValueError):
            return check(one, attribute.evolve(name=f"{name}[{index}]"))

    item_type = _item_type(attribute.type)
    if item_type is None:
        # A Literal field (a status) is read as text, and its validator
        # names the values it takes.
        read_as = str if get_origin(attribute.type) is Literal else None
        handler = conv.get_structure_hook(read_as or attribute.type)
        return lambda value, tp: check(handler(value, read_as or tp))
    item_hook = conv.get_structure_hook(item_type)

    def items(value: object, tp: type) -> tuple[Any, ...]:
        if not isinstance(value, list):
            msg = f"expected a list, got {_what(value)}"
            raise TypeError(msg)
        built: list[Any] = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            try:
                built += check_item((item_hook(item, item_type),), i)
            except Exception as exc:  # noqa: BLE001 - reported at its index
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(
                        f"Structuring {tp} @ index {i}", i, item_type
                    ),
                ]
                errors.append(exc)
        if errors:
            msg = f"While structuring {tp}"
            raise IterableValidationError(msg, errors, tp)
        if not built and empty is not None:
            raise ValueError(empty)
        return check(tuple(built))

    return items


def _record_hook(
    conv: cattrs.Converter,
    cls: type[AttrsInstance],
    *,
    ignore: tuple[str, ...] = (),
    missing: Mapping[str, str] | None = None,
    empty: Mapping[str, str] | None = None,
) -> _Hook:
    """
    The hook of the record *cls*: a table whose keys are its fields.

    Args:
        conv: The converter.
        cls: The record class.
        ignore: Keys that are allowed, and ignored.
        missing: The message for a missing field, by field (default:
            ``missing 'field'``).
        empty: The message for a list that must not be empty, by field.
    """
    from cattrs.errors import AttributeValidationNote, ClassValidationError
    from cattrs.gen import make_dict_structure_fn, override

    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    names = frozenset(f.name for f in fields)
    known = [*ignore, *(f.name for f in fields)]
    expected = ", ".join(known)
    missing = missing or {}
    empty = empty or {}
    # Unknown keys are reported here, one problem at each key, rather
    # than by cattrs (one problem at the table, naming them all).
    options: dict[str, Any] = {
        f.name: override(struct_hook=_field_hook(conv, f, empty.get(f.name)))
        for f in fields
    }
    base = make_dict_structure_fn(
        cls, conv, _cattrs_forbid_extra_keys=False, **options
    )

    def at(exc: Exception, key: str) -> Exception:
        note = f"Structuring class {cls.__qualname__} @ attribute {key}"
        exc.__notes__ = [AttributeValidationNote(note, key, None)]
        return exc

    def reword(exc: Exception) -> Exception:
        # cattrs says a field is missing with the KeyError of its lookup.
        if not isinstance(exc, KeyError):
            return exc
        notes = getattr(exc, "__notes__", [])
        name = next(
            (n.name for n in notes if isinstance(n, AttributeValidationNote)),
            None,
        )
        if name is None:
            return exc
        return at(ValueError(missing.get(name, f"missing {name!r}")), name)

    def unknown(key: str) -> Exception:
        near = suggest(key, known, n=1)
        hint = (
            f"did you mean {near[0]!r}?"
            if near
            else f"expected one of {expected}"
        )
        return at(ValueError(f"unknown key {key!r}; {hint}"), key)

    def hook(value: object, _: type) -> AttrsInstance:
        if not isinstance(value, dict):
            msg = f"expected a table, got {_what(value)}"
            raise TypeError(msg)
        errors = [
            unknown(str(key))
            for key in value
            if key not in names and key not in ignore
        ]
        try:
            record = base(value, cls)
        except ClassValidationError as exc:
            errors[:0] = map(reword, exc.exceptions)
        if errors:
            msg = f"While structuring {cls.__name__}"
            raise ClassValidationError(msg, errors, cls)
        return record

    return hook
