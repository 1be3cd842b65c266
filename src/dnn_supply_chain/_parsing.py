"""
Reading JSON and TOML text safely: every way a file can be unreadable
becomes one :class:`ParseFailure` with the place and the cause, never a
stray ``ValueError``, ``RecursionError`` or text that cannot be written
back as UTF-8.
"""

from __future__ import annotations

import json
import re
import tomllib

from typing import Any, Final

from ._text import is_text
from .exceptions import Location, Problem


__all__ = ["ParseFailure", "parse"]

# A JSON escape of a UTF-16 surrogate: the only way a string that is not
# valid Unicode text gets into parsed data.
_SURROGATE_ESCAPE: Final = re.compile(r"\\[uU][dD][89a-fA-F]")
_TOML_AT: Final = re.compile(r" \(at line ([0-9]+), column ([0-9]+)\)$")


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


def parse(text: str, *, toml: bool) -> object:
    """
    Parse *text* as TOML or JSON.

    Raises:
        ParseFailure: The text is not valid, nests too deeply, holds a
            number too long to read, or a string that is not Unicode text.
    """
    kind = "TOML" if toml else "JSON"
    try:
        data: object = tomllib.loads(text) if toml else json.loads(text)
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
    if _SURROGATE_ESCAPE.search(text):
        bad = _first_surrogate(data, ())
        if bad is not None:
            msg = (
                f"invalid {kind}: a string escapes a lone UTF-16 surrogate, "
                "which is not Unicode text"
            )
            raise ParseFailure(msg, location=bad)
    return data
