"""
Field rules, each written once.

A :class:`Rule` says what a field accepts.  From that one definition come
both the field's attrs validator (which raises with a message naming the
field, for records built in Python) and its fast check (which reads the
field from JSON input: lists become tuples; it raises :class:`NotFast`
instead of explaining).  The loader builds records from JSON with the fast
checks, without running the validators a second time; a record that fails
a check is built again through cattrs and the validators, which name the
problem.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Any, Final

import attrs

from ._text import is_text, show


__all__ = [
    "CHECK",
    "ID",
    "IDS",
    "ID_PATTERN",
    "FieldTypeError",
    "FieldValueError",
    "NotFast",
    "Rule",
    "build",
    "field",
    "integer",
    "nested",
    "one_of",
    "optional",
    "pattern",
    "string",
    "string_map",
    "strings",
]

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


class FieldValueError(ValueError):
    """
    A field's value breaks its rule; *field* names the field.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class FieldTypeError(TypeError):
    """
    A field's value has the wrong type; *field* names the field.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class Rule:
    """
    What one field accepts.

    Subclasses say it once, in :meth:`problem`; :meth:`from_json` and
    :meth:`validator` are derived from it.
    """

    __slots__ = ()

    def problem(self, name: str, value: Any) -> Exception | None:
        """
        Return the error for the field *name* holding *value*, or None
        when the rule accepts it.
        """
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        """
        Whether the rule accepts *value*.
        """
        return self.problem("", value) is None

    def from_json(self, value: Any) -> Any:
        """
        Return the field's value for the JSON *value*, or raise
        :class:`NotFast`.
        """
        if not self.accepts(value):
            raise NotFast
        return value

    def validator(
        self, _inst: object, attribute: attrs.Attribute[Any], value: Any
    ) -> None:
        """
        The attrs validator of a field with this rule.
        """
        error = self.problem(attribute.name, value)
        if error is not None:
            raise error


class _String(Rule):
    __slots__ = ("_nonempty", "_regex")

    def __init__(
        self, *, nonempty: bool, regex: re.Pattern[str] | None
    ) -> None:
        self._nonempty = nonempty
        self._regex = regex

    def accepts(self, value: Any) -> bool:
        # The one statement of what a string field accepts; problem()
        # explains a refusal.
        return (
            isinstance(value, str)
            and (value.isascii() or is_text(value))
            and (not self._nonempty or bool(value.strip()))
            and (
                self._regex is None or self._regex.fullmatch(value) is not None
            )
        )

    def problem(self, name: str, value: Any) -> Exception | None:
        if self.accepts(value):
            return None
        if not isinstance(value, str):
            msg = (
                f"'{name}' must be <class 'str'> (got {show(value)} that is a "
                f"{value.__class__!r})."
            )
            return FieldTypeError(msg, name)
        if not is_text(value):
            msg = f"'{name}' is not Unicode text (a lone surrogate)"
            return FieldValueError(msg, name)
        if self._nonempty and not value.strip():
            msg = f"'{name}' must not be empty"
            return FieldValueError(msg, name)
        pattern = "" if self._regex is None else self._regex.pattern
        msg = f"'{name}' must match regex {pattern!r} ({show(value)} doesn't)"
        return FieldValueError(msg, name)


def string(*, nonempty: bool = False) -> Rule:
    """
    A string of Unicode text; with *nonempty*, not only white space.
    """
    return _String(nonempty=nonempty, regex=None)


def pattern(regex: re.Pattern[str]) -> Rule:
    """
    A string that matches *regex* whole.
    """
    return _String(nonempty=False, regex=regex)


#: A record id.
ID: Final = pattern(ID_PATTERN)


class _Integer(Rule):
    __slots__ = ("_minimum",)

    def __init__(self, minimum: int | None) -> None:
        self._minimum = minimum

    def problem(self, name: str, value: Any) -> Exception | None:
        if not isinstance(value, int) or isinstance(value, bool):
            msg = (
                f"'{name}' must be <class 'int'> (got {show(value)} that is a "
                f"{value.__class__!r})."
            )
            return FieldTypeError(msg, name)
        if self._minimum is not None and value < self._minimum:
            msg = f"'{name}' must be >= {self._minimum}: {value}"
            return FieldValueError(msg, name)
        return None


def integer(minimum: int | None = None) -> Rule:
    """
    An int (not a bool), at least *minimum* when given.
    """
    return _Integer(minimum)


class _Strings(Rule):
    __slots__ = ("_item", "_unique")

    def __init__(self, item: Rule, *, unique: bool) -> None:
        self._item = item
        self._unique = unique

    def problem(self, name: str, value: Any) -> Exception | None:
        if not isinstance(value, tuple):
            msg = (
                f"'{name}' must be <class 'tuple'> (got {show(value)} that is a "
                f"{value.__class__!r})."
            )
            return FieldTypeError(msg, name)
        seen: set[Any] = set()
        for item in value:
            error = self._item.problem(name, item)
            if error is not None:
                return error
            if self._unique:
                if item in seen:
                    msg = f"'{name}' lists {item!r} twice"
                    return FieldValueError(msg, name)
                seen.add(item)
        return None

    def from_json(self, value: Any) -> Any:
        if type(value) is not list:
            raise NotFast
        item_rule = self._item
        if isinstance(item_rule, _String):
            accepts = item_rule.accepts
            for item in value:
                if not accepts(item):
                    raise NotFast
            result = tuple(value)
        else:
            from_json = item_rule.from_json
            result = tuple([from_json(item) for item in value])
        if self._unique and len(set(result)) != len(result):
            raise NotFast
        return result


def strings(item: Rule | None = None, *, unique: bool = False) -> Rule:
    """
    A tuple (a list in JSON) of what *item* accepts (any string when
    None); with *unique*, no item twice.
    """
    return _Strings(string() if item is None else item, unique=unique)


class _StringMap(Rule):
    __slots__ = ()

    def problem(self, name: str, value: Any) -> Exception | None:
        if not isinstance(value, dict):
            msg = (
                f"'{name}' must be <class 'dict'> (got {show(value)} that is "
                f"a {value.__class__!r})."
            )
            return FieldTypeError(msg, name)
        text = _String(nonempty=False, regex=None)
        for key, item in value.items():
            error = text.problem(name, key) or text.problem(name, item)
            if error is not None:
                return error
        return None

    def from_json(self, value: Any) -> Any:
        if type(value) is not dict or self.problem("", value) is not None:
            raise NotFast
        return dict(value)


def string_map() -> Rule:
    """
    A dict of strings to strings (a JSON object of strings).
    """
    return _StringMap()


#: A tuple of distinct record ids.
IDS: Final = strings(ID, unique=True)


class _Optional(Rule):
    __slots__ = ("_inner",)

    def __init__(self, inner: Rule) -> None:
        self._inner = inner

    def problem(self, name: str, value: Any) -> Exception | None:
        return None if value is None else self._inner.problem(name, value)

    def from_json(self, value: Any) -> Any:
        return None if value is None else self._inner.from_json(value)


def optional(inner: Rule) -> Rule:
    """
    None, or what *inner* accepts.
    """
    return _Optional(inner)


class _OneOf(Rule):
    __slots__ = ("_choices",)

    def __init__(self, choices: tuple[str, ...]) -> None:
        self._choices = choices

    def problem(self, name: str, value: Any) -> Exception | None:
        if value not in self._choices:
            msg = f"'{name}' must be in {self._choices!r} (got {show(value)})"
            return FieldValueError(msg, name)
        return None


def one_of(choices: tuple[str, ...]) -> Rule:
    """
    One of *choices*.
    """
    return _OneOf(choices)


class _Nested(Rule):
    __slots__ = ("_cls",)

    def __init__(self, cls: type[Any]) -> None:
        self._cls = cls

    def problem(self, name: str, value: Any) -> Exception | None:
        if not isinstance(value, self._cls):
            msg = (
                f"'{name}' must be {self._cls!r} (got {show(value)} that is a "
                f"{value.__class__!r})."
            )
            return FieldTypeError(msg, name)
        return None

    def from_json(self, value: Any) -> Any:
        return build(self._cls, value)


def nested(cls: type[Any]) -> Rule:
    """
    A *cls* record (a JSON object in JSON).
    """
    return _Nested(cls)


def field(rule: Rule, **kwargs: Any) -> Any:
    """
    An attrs field whose validator and fast check both come from *rule*.
    """
    return attrs.field(
        validator=rule.validator, metadata={CHECK: rule.from_json}, **kwargs
    )


_MISSING: Final = object()
_BUILDERS: dict[type, Callable[[Any], Any]] = {}


def _compile(cls: type[Any]) -> Callable[[Any], Any]:
    """
    Generate the builder of *cls*: straight-line code, one block a field
    (as attrs generates ``__init__``).
    """
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "NotFast": NotFast,
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
        namespace[f"c{n}"] = fast
        lines.append(f"    v = get({f.name!r}, M)")
        lines.append("    if v is M:")
        if f.default is attrs.NOTHING:
            lines.append("        raise NotFast")
        else:
            namespace[f"d{n}"] = f.default
            lines.append(f"        v = d{n}")
        lines.append("    else:")
        lines.append(f"        v = c{n}(v)")
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

    The record is made without calling its ``__init__``: each field's fast
    check comes from the same :class:`Rule` as its validator, so it
    accepts exactly the values the validator accepts; defaults are
    immutable values.  A record with a rule that spans fields (a
    ``__attrs_post_init__``, or a field without a fast check) is always
    built through ``__init__``.
    """
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _compile(cls)
    return builder(item)
