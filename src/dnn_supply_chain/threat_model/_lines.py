"""
Where the entries of a TOML or JSON file start: the line and column of
each value, by its location (``("threats", 2)``, ``("threats", 2,
"tags", 0)``), for pointing a reader at it.

Each scan is one pass over the text, without a dependency, and never
raises: text it cannot follow (a file that does not parse) gives what it
found up to there, and a location it did not find falls back to its
nearest enclosing one, and at last to the start of the file.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re

from typing import Final, TypeAlias

from dnn_supply_chain.exceptions import Location


__all__ = ["MAX_DEPTH", "Positions", "locate", "positions"]

#: The deepest location recorded: ``threats[i].tags[j]`` is 4 deep.
MAX_DEPTH: Final = 4

#: Line and column (1-based, in code points) of each location found.
Positions: TypeAlias = dict[Location, tuple[int, int]]

_JSON_STRING: Final = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_JSON_SCALAR: Final = re.compile(r"[^\s,:\[\]{}\"]+")
_JSON_SPACE: Final = re.compile(r"[ \t\r\n]*+")

_TOML_SPACE: Final = re.compile(r"[ \t]*+")
_TOML_BLANK: Final = re.compile(r"(?:[ \t\r\n]++|#[^\n]*+)*+")
_TOML_BARE: Final = re.compile(r"[A-Za-z0-9_-]++")
_TOML_BASIC: Final = re.compile(r'"((?:[^"\\\n]++|\\.)*+)"')
_TOML_LITERAL: Final = re.compile(r"'([^'\n]*+)'")
_TOML_ML_BASIC: Final = re.compile(r'"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"{3,5}')
_TOML_ML_LITERAL: Final = re.compile(r"'''[\s\S]*?'{3,5}")
_TOML_SCALAR: Final = re.compile(r"[^,\]}\n#]*+")


class _Lines:
    """
    Offsets of *text* as line and column.
    """

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def positions(text: str, *, toml: bool) -> Positions:
    """
    The position of each value of *text* down to :data:`MAX_DEPTH`, by
    location: in TOML a table's header (``[[threats]]``), a key's start, or
    an array item's start; in JSON a value's first character.
    """
    if toml:
        return _toml_positions(text)
    return _json_positions(text)


def locate(found: Positions, location: Location) -> tuple[int, int]:
    """
    The position of *location*, or of its nearest enclosing location
    that *found* has; the start of the file if none.
    """
    for end in range(len(location), -1, -1):
        at = found.get(location[:end])
        if at is not None:
            return at
    return 1, 1


# -- JSON -------------------------------------------------------------------


def _json_positions(text: str) -> Positions:
    """
    A scan of JSON tokens with a stack of open containers: each value's
    location is its container's and its key or index.
    """
    lines = _Lines(text)
    out: Positions = {}
    # Each open container: its location, and its next item (an index; or
    # for an object, the key just read, None while a key is expected).
    stack: list[tuple[Location, list[str | int | None]]] = []
    pos = 0
    end = len(text)

    def record(at: int) -> None:
        if not stack:
            out.setdefault((), lines.at(at))
            return
        where, slot = stack[-1]
        if slot[0] is not None and len(where) < MAX_DEPTH:
            out.setdefault((*where, slot[0]), lines.at(at))

    def current() -> Location:
        where, slot = stack[-1]
        return (*where, slot[0]) if slot[0] is not None else where

    expect_key = False
    while True:
        pos = _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= end:
            return out
        char = text[pos]
        if char == '"':
            found = _JSON_STRING.match(text, pos)
            if found is None:
                return out
            if expect_key:
                stack[-1][1][0] = _json_key(found[0])
                expect_key = False
            else:
                record(pos)
            pos = found.end()
        elif char in "{[":
            record(pos)
            where = current() if stack else ()
            stack.append((where, [0 if char == "[" else None]))
            expect_key = char == "{"
            pos += 1
        elif char in "}]":
            if stack:
                stack.pop()
            expect_key = False
            pos += 1
        elif char == ",":
            if stack:
                slot = stack[-1][1]
                if isinstance(slot[0], int):
                    slot[0] += 1
                else:
                    slot[0] = None
                    expect_key = True
            pos += 1
        elif char == ":":
            pos += 1
        else:
            found = _JSON_SCALAR.match(text, pos)
            record(pos)
            pos = pos + 1 if found is None else max(found.end(), pos + 1)


def _json_key(quoted: str) -> str:
    try:
        key = json.loads(quoted)
    except ValueError:
        return quoted[1:-1]
    return key if isinstance(key, str) else quoted[1:-1]


# -- TOML -------------------------------------------------------------------


def _toml_positions(text: str) -> Positions:
    """
    A scan of TOML statements: table headers, ``key = value`` lines, and
    the items of arrays and inline tables within values.
    """
    scan = _TomlScan(text)
    # Values nested deeper than the stack: keep what was found.
    with contextlib.suppress(RecursionError):
        scan.run()
    return scan.out


class _TomlScan:
    """
    One pass over TOML *text*, recording positions in :attr:`out`.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _Lines(text)
        self.out: Positions = {}
        # How many tables each array of tables has had so far.
        self.counts: dict[Location, int] = {}

    def record(self, location: Location, at: int) -> None:
        if len(location) <= MAX_DEPTH:
            self.out.setdefault(location, self.lines.at(at))

    def run(self) -> None:
        text = self.text
        table: Location = ()
        pos = 0
        end = len(text)
        while pos < end:
            pos = _TOML_BLANK.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= end:
                return
            start = pos
            if text[pos] == "[":
                double = text.startswith("[[", pos)
                parts, pos = self.key(pos + (2 if double else 1))
                closing = "]]" if double else "]"
                if parts and text.startswith(closing, pos):
                    table = self.header(parts, start, array=double)
                    pos += len(closing)
            else:
                parts, pos = self.key(pos)
                if parts and text.startswith("=", pos):
                    where = (*table, *parts)
                    self.record(where, start)
                    pos = self.value(pos + 1, where)
            pos = self.line_end(pos, start)

    def line_end(self, pos: int, start: int) -> int:
        """
        The offset after the end of the line *pos* is on (past *start*).
        """
        newline = self.text.find("\n", max(pos, start + 1))
        return len(self.text) if newline < 0 else newline + 1

    def header(
        self, parts: tuple[str, ...], start: int, *, array: bool
    ) -> Location:
        """
        Record the table the header at *start* opens; return its location.
        """
        where: Location = ()
        for part in parts[:-1]:
            where = (*where, part)
            if where in self.counts:
                where = (*where, self.counts[where] - 1)
        where = (*where, parts[-1])
        if array:
            self.record(where, start)
            index = self.counts.get(where, 0)
            self.counts[where] = index + 1
            where = (*where, index)
        self.record(where, start)
        return where

    def key(self, pos: int) -> tuple[tuple[str, ...], int]:
        """
        The parts of the (dotted) key at *pos*, and the offset after it and
        the blanks that follow; no parts if there is no key there.
        """
        text = self.text
        parts: list[str] = []
        while True:
            pos = _TOML_SPACE.match(text, pos).end()  # type: ignore[union-attr]
            bare = _TOML_BARE.match(text, pos)
            basic = _TOML_BASIC.match(text, pos)
            literal = _TOML_LITERAL.match(text, pos)
            if bare is not None:
                parts.append(bare[0])
                pos = bare.end()
            elif basic is not None:
                parts.append(_json_key(basic[0]))
                pos = basic.end()
            elif literal is not None:
                parts.append(literal[1])
                pos = literal.end()
            else:
                return (), pos
            pos = _TOML_SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith(".", pos):
                return tuple(parts), pos
            pos += 1

    def value(self, pos: int, where: Location) -> int:
        """
        Skip the value at *pos*, recording the items of arrays and inline
        tables in it; return the offset after it.
        """
        text = self.text
        pos = _TOML_SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            return pos
        char = text[pos]
        if char == "[":
            return self.array(pos + 1, where)
        if char == "{":
            return self.inline_table(pos + 1, where)
        if char in "\"'":
            multiline = text.startswith(char * 3, pos)
            if multiline:
                pattern = _TOML_ML_BASIC if char == '"' else _TOML_ML_LITERAL
            else:
                pattern = _TOML_BASIC if char == '"' else _TOML_LITERAL
            found = pattern.match(text, pos)
            if found is not None:
                return found.end()
            # Unterminated: a multi-line string runs to the end of the
            # text (no later quotes close it), any other to its line's.
            return len(text) if multiline else self.line_end(pos, pos)
        found = _TOML_SCALAR.match(text, pos)
        return max(found.end(), pos + 1) if found else pos + 1

    def array(self, pos: int, where: Location) -> int:
        text = self.text
        index = 0
        while True:
            pos = _TOML_BLANK.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= len(text):
                return pos
            if text[pos] == "]":
                return pos + 1
            if text[pos] == ",":
                index += 1
                pos += 1
                continue
            item = (*where, index)
            self.record(item, pos)
            pos = self.value(pos, item)

    def inline_table(self, pos: int, where: Location) -> int:
        text = self.text
        while True:
            pos = _TOML_BLANK.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= len(text):
                return pos
            if text[pos] == "}":
                return pos + 1
            if text[pos] == ",":
                pos += 1
                continue
            start = pos
            parts, pos = self.key(pos)
            if not parts or not text.startswith("=", pos):
                # Not a key: step over the character and go on.
                return self.value(max(pos, start + 1), where)
            inner = (*where, *parts)
            self.record(inner, start)
            pos = self.value(pos + 1, inner)
