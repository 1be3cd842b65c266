"""
Fast field checks for loading trusted-looking data.

Each record field carries, in its attrs metadata, a check that accepts
exactly what the field's validators accept, given JSON input: it returns
the field's value (lists become tuples) or raises :class:`NotFast`.  The
loader builds records with them, without running attrs validators one
value at a time; a record that fails a check is built again through the
validators (and cattrs), which name the problem.  A property test holds
the two paths to the same verdict.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Any, Final

from ._text import is_text


__all__ = ["CHECK", "ID_PATTERN", "NotFast", "build", "check"]

#: The form of every record id: a lowercase slug, with the namespace of
#: its extension in front for records that extensions add
#: (``acme:prompt-leak``).
ID_PATTERN: Final = re.compile(
    r"(?:[a-z0-9]+(?:-[a-z0-9]+)*:)?[a-z0-9]+(?:-[a-z0-9]+)*"
)

#: The metadata key of a field's fast check.
CHECK: Final = "dnn_supply_chain.check"

Check = Callable[[Any], Any]


class NotFast(Exception):  # noqa: N818 - a signal, not an error
    """
    The fast path cannot build this value; take the checked one.
    """


def check(fn: Check) -> dict[str, Check]:
    """
    Return field metadata that carries the fast check *fn*.
    """
    return {CHECK: fn}


def str_(value: Any) -> str:
    """
    A string.
    """
    if type(value) is not str or not is_text(value):
        raise NotFast
    return value


def opt_str(value: Any) -> str | None:
    """
    A string or None.
    """
    if value is not None and (type(value) is not str or not is_text(value)):
        raise NotFast
    return value


def text(value: Any) -> str:
    """
    A string with something in it.
    """
    if type(value) is not str or not value.strip() or not is_text(value):
        raise NotFast
    return value


def pattern(regex: re.Pattern[str]) -> Check:
    """
    A string that matches *regex* whole.
    """
    fullmatch = regex.fullmatch

    def check_one(value: Any) -> str:
        if type(value) is not str or fullmatch(value) is None:
            raise NotFast
        return value

    return check_one


def optional(inner: Check) -> Check:
    """
    None, or what *inner* accepts.
    """

    def check_optional(value: Any) -> Any:
        return None if value is None else inner(value)

    return check_optional


def tuple_of(inner: Check | None, *, unique: bool = False) -> Check:
    """
    A list whose items *inner* accepts (any string when None), as a tuple;
    with *unique*, no item twice.
    """

    def check_tuple(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise NotFast
        for item in value:
            if type(item) is not str or not is_text(item):
                raise NotFast
        if inner is not None:
            for item in value:
                inner(item)
        result = tuple(value)
        if unique and len(set(result)) != len(result):
            raise NotFast
        return result

    return check_tuple


def int_(value: Any) -> int:
    """
    An int (not a bool).
    """
    if type(value) is not int:
        raise NotFast
    return value


def positive_int(value: Any) -> int:
    """
    An int of at least 1.
    """
    if type(value) is not int or value < 1:
        raise NotFast
    return value


ID: Final = pattern(ID_PATTERN)
STRINGS: Final = tuple_of(None)
UNIQUE_STRINGS: Final = tuple_of(None, unique=True)
IDS: Final = tuple_of(ID, unique=True)

_MISSING: Final = object()
_BUILDERS: dict[type, Callable[[Any], Any]] = {}

# Checks simple enough to write out in the generated builder, as code on
# the value ``v``; the others are called.
_INLINE: dict[Check, str] = {}


def _inline(fn: Check, code: str) -> None:
    _INLINE[fn] = code


_inline(
    str_,
    "if type(v) is not str or not (v.isascii() or is_text(v)): raise NotFast",
)
_inline(
    opt_str,
    "if v is not None and (type(v) is not str or not (v.isascii() or "
    "is_text(v))): raise NotFast",
)
_inline(
    text,
    "if type(v) is not str or not v.strip() or not (v.isascii() or "
    "is_text(v)): raise NotFast",
)
_inline(int_, "if type(v) is not int: raise NotFast")


def _compile(cls: type[Any]) -> Callable[[Any], Any]:
    """
    Generate the builder of *cls*: straight-line code, one block a field
    (as attrs generates ``__init__``).
    """
    import attrs

    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "NotFast": NotFast,
        "is_text": is_text,
        "M": _MISSING,
        "new": object.__new__,
        "cls": cls,
        "setattr": object.__setattr__,
        "NAMES": frozenset(f.name for f in fields),
    }
    lines = [
        "def build(item):",
        "    if type(item) is not dict or not item.keys() <= NAMES:",
        "        raise NotFast",
        "    r = new(cls)",
        "    get = item.get",
    ]
    for n, f in enumerate(fields):
        fast = f.metadata.get(CHECK)
        if fast is None:
            # Without a check for every field, only __init__ can build it.
            lines = ["def build(item):", "    raise NotFast"]
            break
        lines.append(f"    v = get({f.name!r}, M)")
        lines.append("    if v is M:")
        if f.default is attrs.NOTHING:
            lines.append("        raise NotFast")
        else:
            namespace[f"d{n}"] = f.default
            lines.append(f"        v = d{n}")
        code = _INLINE.get(fast)
        lines.append("    else:")
        if code is None:
            namespace[f"c{n}"] = fast
            lines.append(f"        v = c{n}(v)")
        else:
            lines.append(f"        {code}")
        lines.append(f"    setattr(r, {f.name!r}, v)")
    else:
        lines.append("    return r")
    exec("\n".join(lines), namespace)  # noqa: S102 - our own generated code
    built: Callable[[Any], Any] = namespace["build"]
    return built


def build(cls: type[Any], item: Any) -> Any:
    """
    Build a *cls* record from the JSON object *item* with the fields' fast
    checks, or raise :class:`NotFast`.

    The record is made without calling its ``__init__``: the checks stand
    in for its validators (they accept exactly the same values), and
    defaults are immutable values.
    """
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _compile(cls)
    return builder(item)


def nested(cls: type[Any]) -> Check:
    """
    A JSON object that builds a *cls* record.
    """

    def check_nested(value: Any) -> Any:
        return build(cls, value)

    return check_nested
