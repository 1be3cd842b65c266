"""
Reading JSON and TOML text safely: every way a file can be unreadable
becomes one :class:`ParseFailure` with the place and the cause, never a
stray ``ValueError``, ``RecursionError`` or text that cannot be written
back as UTF-8.

Reading costs about what the text's size costs: the one TOML construct
that costs :mod:`tomllib` time and memory quadratic in its length, a key
or table header of many dotted parts (``a.a.a... = 1``), is refused before
parsing when it has more than :data:`MAX_KEY_PARTS` parts.  A JSON object
may not hold a key twice (TOML refuses that too), and text may not start
with a byte order mark.  :func:`plain` checks data that Python code made
(an extension's callable) the same way: JSON values only, string keys.
"""

from __future__ import annotations

import json
import re
import tomllib

from collections.abc import Mapping
from typing import Any, Final

from ._text import is_text, show
from .exceptions import Location, Problem


__all__ = [
    "MAX_KEY_PARTS",
    "MAX_VALUES",
    "MissingParser",
    "ParseFailure",
    "parse",
    "parse_yaml",
    "plain",
]

#: The most parts a TOML key or table header may have (``a.b.c`` has 3).
MAX_KEY_PARTS: Final = 128

#: The most values (objects, arrays, strings, numbers...) :func:`plain`
#: copies: about what a file of the size limit can hold.
MAX_VALUES: Final = 16 * 1024 * 1024

# A JSON escape of a UTF-16 surrogate: the only way a string that is not
# valid Unicode text gets into parsed data.
_SURROGATE_ESCAPE: Final = re.compile(r"\\[uU][dD][89a-fA-F]")
_TOML_AT: Final = re.compile(r" \(at line ([0-9]+), column ([0-9]+)\)$")
_BOM: Final = "\ufeff"

# The TOML key pre-scan: the next character that starts a string or a
# comment, or ends a run of key parts; the ends of strings (possessive, so
# that an unterminated string costs one pass, never backtracking).
_TOML_NEXT: Final = re.compile(r"[\"'#=\n,{}\[\]]")
_ML_BASIC_END: Final = re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+"{3,5}')
_BASIC_END: Final = re.compile(r'(?:[^"\\\n]++|\\.)*+"')
_LITERAL_END: Final = re.compile(r"[^'\n]*+'")
_ML_LITERAL_CLOSE: Final = re.compile(r"'{3,5}")


class ParseFailure(Exception):  # noqa: N818 - carried to the caller's error
    """
    The text cannot be read: at a line and column, or at a location in
    the parsed data.
    """

    def __init__(
        self,
        message: str,
        *,
        position: tuple[int, int] | None = None,
        location: Location = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.location = location

    def problem(self, source: str | None) -> Problem:
        """
        This failure as a problem of the file *source*.
        """
        return Problem(
            source=source,
            location=self.location,
            position=self.position,
            message=self.message,
        )


class MissingParser(ParseFailure):
    """
    The parser the text needs is an optional dependency that is not
    installed; the message says which extra to install.
    """


def _first_surrogate(value: Any, location: Location) -> Location | None:
    if isinstance(value, str):
        return None if is_text(value) else location
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_surrogate(item, (*location, i))
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = (*location, str(key))
            found = _first_surrogate(key, where)
            if found is None:
                found = _first_surrogate(item, where)
            if found is not None:
                return found
    return None


def _position(text: str, at: int) -> tuple[int, int]:
    line = text.count("\n", 0, at) + 1
    return line, at - text.rfind("\n", 0, at)


def _check_toml_keys(text: str) -> None:
    """
    Refuse a key or table header of more than :data:`MAX_KEY_PARTS` parts,
    in one pass over *text*.

    Dots are counted in runs between the characters that end a key (``=``,
    a newline, ``,``, a brace or a bracket), outside strings and comments:
    a bare key holds no dot, a number or a date one at most, so only a
    dotted key (or text that is not TOML) has many in a run.  Scanning
    stops at an unterminated string, where :mod:`tomllib` stops too.
    """
    most = MAX_KEY_PARTS - 1
    if text.count(".") <= most:
        return
    run = 0
    pos = 0
    end = len(text)
    while pos < end:
        found = _TOML_NEXT.search(text, pos)
        nxt = end if found is None else found.start()
        run += text.count(".", pos, nxt)
        if run > most:
            # Point at the dot that goes over the limit.
            at = pos
            for _ in range(most + 1 - (run - text.count(".", pos, nxt))):
                at = text.index(".", at) + 1
            msg = (
                f"invalid TOML: a key or table header has more than "
                f"{MAX_KEY_PARTS} dotted parts; keys that long cost time and "
                "memory out of proportion to the file, so they are refused: "
                "nest fewer levels"
            )
            raise ParseFailure(msg, position=_position(text, at - 1))
        if found is None:
            return
        char = found[0]
        pos = nxt + 1
        if char == '"':
            if text.startswith('""', pos):
                closed = _ML_BASIC_END.match(text, pos + 2)
            else:
                closed = _BASIC_END.match(text, pos)
            if closed is None:
                return
            pos = closed.end()
        elif char == "'":
            if text.startswith("''", pos):
                close = text.find("'''", pos + 2)
                if close < 0:
                    return
                quotes = _ML_LITERAL_CLOSE.match(text, close)
                pos = close + 3 if quotes is None else quotes.end()
            else:
                closed = _LITERAL_END.match(text, pos)
                if closed is None:
                    return
                pos = closed.end()
        elif char == "#":
            newline = text.find("\n", pos)
            pos = end if newline < 0 else newline
        else:
            run = 0


def _duplicates_hook(
    found: list[dict[str, Any]],
) -> Any:
    """
    An ``object_pairs_hook`` that builds dicts, and keeps in *found* each
    one that had a key twice, with the key under a key no JSON text can
    make (not a string).
    """

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    found.append(made)
                    made[_DUPLICATE] = key  # type: ignore[index]
                    break
                seen.add(key)
        return made

    return hook


_DUPLICATE: Final = object()


def _first_duplicate(value: Any, location: Location) -> Location | None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_duplicate(item, (*location, i))
            if found is not None:
                return found
    elif isinstance(value, dict):
        if _DUPLICATE in value:
            return (*location, value[_DUPLICATE])
        for key, item in value.items():
            found = _first_duplicate(item, (*location, key))
            if found is not None:
                return found
    return None


def parse(text: str, *, toml: bool) -> object:
    """
    Parse *text* as TOML or JSON.

    Raises:
        ParseFailure: The text is not valid, starts with a byte order mark,
            nests too deeply, holds a number too long to read, a string
            that is not Unicode text, a TOML key of more than
            :data:`MAX_KEY_PARTS` parts, or a JSON key twice in an object.
    """
    kind = "TOML" if toml else "JSON"
    if text.startswith(_BOM):
        msg = (
            f"invalid {kind}: the text starts with a byte order mark "
            "(U+FEFF, a BOM); save the file as UTF-8 without a BOM"
        )
        raise ParseFailure(msg, position=(1, 1))
    duplicates: list[dict[str, Any]] = []
    try:
        if toml:
            _check_toml_keys(text)
            data: object = tomllib.loads(text)
        else:
            data = json.loads(
                text, object_pairs_hook=_duplicates_hook(duplicates)
            )
    except tomllib.TOMLDecodeError as exc:
        # tomllib says where only in its message before Python 3.14.
        found = _TOML_AT.search(str(exc))
        message = str(exc)[: found.start()] if found else str(exc)
        msg = f"invalid TOML: {message}"
        position = (int(found[1]), int(found[2])) if found else None
        raise ParseFailure(msg, position=position) from None
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON: {exc.msg}"
        raise ParseFailure(msg, position=(exc.lineno, exc.colno)) from None
    except RecursionError:
        msg = f"invalid {kind}: values nest too deeply to read"
        raise ParseFailure(msg) from None
    except ValueError as exc:
        # For example an integer of more than 4300 digits.
        msg = f"invalid {kind}: {exc}"
        raise ParseFailure(msg) from None
    if duplicates:
        where = _first_duplicate(data, ()) or ()
        msg = (
            f"invalid JSON: the key {show(where[-1] if where else '')} "
            "appears twice in one object; keep one"
        )
        raise ParseFailure(msg, location=where)
    if _SURROGATE_ESCAPE.search(text):
        bad = _first_surrogate(data, ())
        if bad is not None:
            msg = (
                f"invalid {kind}: a string escapes a lone UTF-16 surrogate, "
                "which is not Unicode text"
            )
            raise ParseFailure(msg, location=bad)
    return data


def parse_yaml(text: str, *, missing: str) -> object:
    """
    Parse *text* as YAML with PyYAML's safe loader (plain data only, never
    a Python object), and return it as :func:`plain` data: timestamps stay
    the strings they were written as, and an alias that refers to itself
    or expands to too many values is refused.

    Args:
        text: The YAML text.
        missing: The message to fail with when PyYAML is not installed
            (it names the extra to install).

    Raises:
        MissingParser: PyYAML is not installed.
        ParseFailure: The text is not YAML (with its line and column), or
            not plain data.
    """
    try:
        # Optional: an extra.  PyYAML ships no type hints.
        import yaml  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
    except ImportError:
        raise MissingParser(missing) from None

    class Loader(yaml.SafeLoader):  # type: ignore[misc,name-defined,unused-ignore]
        """
        The safe loader, but timestamps are read as the strings written.
        """

    Loader.add_constructor(
        "tag:yaml.org,2002:timestamp", Loader.construct_yaml_str
    )
    if text.startswith(_BOM):
        text = text[1:]
    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        position = None if mark is None else (mark.line + 1, mark.column + 1)
        msg = f"invalid YAML: {exc.problem or exc}"
        raise ParseFailure(msg, position=position) from None
    except yaml.YAMLError as exc:
        msg = f"invalid YAML: {exc}"
        raise ParseFailure(msg) from None
    except RecursionError:
        msg = "invalid YAML: values nest too deeply to read"
        raise ParseFailure(msg) from None
    # Each value takes at least one character of the text, but an alias
    # may stand for many: far more values than characters is an alias
    # bomb (a billion values from a few hundred bytes), refused in time
    # linear in the text's size.
    try:
        return plain(data, limit=4 * len(text) + 1024)
    except ParseFailure as exc:
        if exc.message.startswith("more than "):
            msg = (
                "invalid YAML: aliases expand to more than four values per "
                "character of the text; write the values out"
            )
            raise ParseFailure(msg, location=exc.location) from None
        raise


def plain(value: object, *, limit: int = MAX_VALUES) -> object:
    """
    A copy of *value* as plain JSON data, as :func:`parse` returns it:
    dicts with string keys, lists, strings, numbers, booleans and None.

    Mappings become dicts and tuples lists; subclasses of the built-in
    types become the built-in types, so that nothing of the caller's code
    runs when the copy is used.  Iterating a mapping or a list may still
    run the caller's code: the caller guards the call.

    Raises:
        ParseFailure: At the location of the first value that is not JSON
            data: a key that is not a string, a string that is not Unicode
            text, an object of another type; or values that nest too
            deeply, refer to themselves, or are more than *limit*.
    """
    budget = [limit]

    def copy(item: object, where: Location) -> object:  # noqa: PLR0911 - one return a type
        budget[0] -= 1
        if budget[0] < 0:
            msg = f"more than {limit} values"
            raise ParseFailure(msg, location=where)
        kind = type(item)
        if item is None or kind is bool or kind is int or kind is float:
            return item
        if isinstance(item, str):
            text = str.__str__(item)
            if not is_text(text):
                msg = "a string that is not Unicode text (a lone surrogate)"
                raise ParseFailure(msg, location=where)
            return text
        if isinstance(item, bool):
            return bool(item)
        if isinstance(item, int):
            return int.__int__(item)
        if isinstance(item, float):
            return float.__float__(item)
        if isinstance(item, Mapping):
            out: dict[str, object] = {}
            for key, inner in item.items():
                if not isinstance(key, str):
                    msg = (
                        "keys must be strings, got "
                        f"{type(key).__name__} {show(key)}"
                    )
                    raise ParseFailure(msg, location=where)
                name = str.__str__(key)
                out[name] = copy(inner, (*where, name))
            return out
        if isinstance(item, list | tuple):
            return [copy(inner, (*where, i)) for i, inner in enumerate(item)]
        msg = (
            "expected JSON data (an object, array, string, number, boolean "
            f"or null), got {kind.__name__} {show(item)}"
        )
        raise ParseFailure(msg, location=where)

    try:
        return copy(value, ())
    except RecursionError:
        msg = "values nest too deeply, or hold themselves"
        raise ParseFailure(msg) from None
