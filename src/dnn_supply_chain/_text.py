"""
Small text helpers every layer uses: showing a value in a message,
suggesting the closest names, telling Unicode text from lone surrogates.

This module is at the bottom of the package: it imports nothing of it.
"""

from __future__ import annotations

import difflib
import html

from collections.abc import Iterable


__all__ = ["article", "count", "html_table", "is_text", "show", "suggest"]


def show(value: object, limit: int = 80) -> str:
    """
    ``repr(value)``, shortened, and safe for ints too long to print.
    """
    try:
        text = repr(value)
    except ValueError:
        # Python refuses to print ints of more than 4300 digits.
        digits = (
            int(value.bit_length() * 0.30103) if isinstance(value, int) else 0
        )
        return f"<an integer of about {digits} digits>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def suggest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """
    Return up to *n* of *candidates* closest to *word*, best first.
    """
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def is_text(value: str) -> bool:
    """
    Whether *value* is Unicode text (no lone surrogate), which UTF-8 can
    carry.
    """
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def article(noun: str) -> str:
    """
    *noun* with its indefinite article: ``"an attack"``, ``"a stage"``.
    """
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def count(n: int, noun: str) -> str:
    """
    *n* and *noun*, plural unless *n* is 1: ``"1 extension"``,
    ``"0 extensions"``, ``"4 categories"``.
    """
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{n} {noun[:-1]}ies"
    return f"{n} {noun}s"


def html_table(
    caption: str, header: Iterable[str], rows: Iterable[Iterable[object]]
) -> str:
    """
    An HTML table of *rows*, every cell escaped: for the ``_repr_html_``
    of objects a notebook shows.
    """

    def cells(tag: str, values: Iterable[object]) -> str:
        return "".join(f"<{tag}>{html.escape(str(v))}</{tag}>" for v in values)

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{cells('th', header)}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
