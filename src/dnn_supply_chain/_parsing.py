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


__all__ = ["ParseFailure", "parse"]

# A JSON escape of a UTF-16 surrogate: the only way a string that is not
# valid Unicode text gets into parsed data.
_SURROGATE_ESCAPE: Final = re.compile(r"\\[uU][dD][89a-fA-F]")


class ParseFailure(Exception):  # noqa: N818 - carried to the caller's error
    """
    The text cannot be read; *where* is a line and column, or a path.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _first_surrogate(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(top level)"
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_surrogate(item, f"{path}[{i}]")
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = _first_surrogate(key, where) or _first_surrogate(
                item, where
            )
            if found:
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
        message, _, at = str(exc).rpartition(" (at ")
        msg = f"invalid TOML: {message or exc}"
        raise ParseFailure(
            msg, where=at.rstrip(")") if message else ""
        ) from None
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON: {exc.msg}"
        raise ParseFailure(
            msg, where=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        msg = f"invalid {kind}: values nest too deeply to read"
        raise ParseFailure(msg) from None
    except ValueError as exc:
        # For example an integer of more than 4300 digits.
        msg = f"invalid {kind}: {exc}"
        raise ParseFailure(msg) from None
    if _SURROGATE_ESCAPE.search(text):
        bad = _first_surrogate(data, "")
        if bad is not None:
            msg = (
                f"invalid {kind}: a string escapes a lone UTF-16 surrogate, "
                "which is not Unicode text"
            )
            raise ParseFailure(msg, where=bad)
    return data
