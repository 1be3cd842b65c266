"""
The errors this library raises.

Every error is a subclass of a built-in exception, so that callers that do
not know this library can still catch it: an unknown id is a
:class:`KeyError`, bad data is a :class:`ValueError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import attrs


__all__ = [
    "DnnSupplyChainError",
    "ExtensionError",
    "Location",
    "Problem",
    "TaxonomyDataError",
    "ThreatModelError",
    "UnknownIdError",
]


#: The place of a problem inside a file, as keys and list indexes from
#: the top, for example ``("attacks", 3, "stage")``.
Location: TypeAlias = tuple[str | int, ...]


def format_location(location: Location) -> str:
    """
    Return *location* as a path: ``attacks[3].stage``.

    An empty key shows as ``''``.
    """
    out: list[str] = []
    for step in location:
        if isinstance(step, int):
            out.append(f"[{step}]")
        else:
            out.append(("." if out else "") + (step or "''"))
    return "".join(out)


@attrs.frozen(kw_only=True)
class Problem:
    """
    One problem found in a file: taxonomy data, a fragment, a threat model.

    Attributes:
        source: The file (or other source) the problem is in, if any.
        location: Where in the file, as keys and list indexes from the
            top (``("attacks", 3, "stage")``); empty for the file as a
            whole.
        position: The line and column, for text that could not be parsed.
        record: The id of the record the problem is in, if known.
        message: What is wrong, and how to fix it where that is clear.
        severity: ``"error"`` or ``"warning"`` for the findings of a
            threat-model check; ``None`` where every problem is an error
            (taxonomy data and fragments).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The location is kept as a tuple (:attr:`Problem.path` formats it);
       threat-model findings are problems too (``Diagnostic`` is this
       class).
    """

    source: str | None = None
    location: Location = ()
    position: tuple[int, int] | None = None
    record: str | None = None
    message: str
    severity: Literal["error", "warning"] | None = None

    @property
    def path(self) -> str:
        """
        The place in the file as text, such as ``"attacks[3].stage"``, or
        ``"line 2, column 5"`` for text that could not be parsed; empty
        for the file as a whole.
        """
        if self.position is not None and not self.location:
            line, column = self.position
            return f"line {line}, column {column}"
        return format_location(self.location)

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.path) if part)
        if self.record is not None:
            where += f" (record {self.record!r})"
        parts = [where.lstrip()] if where else []
        if self.severity is not None:
            parts.append(self.severity)
        parts.append(self.message)
        return ": ".join(parts)


class DnnSupplyChainError(Exception):
    """
    The base class of every error this library raises on purpose.

    Catch it to handle the library's errors and nothing else: a bug in the
    library (or in the caller) is not one of them.

    .. versionadded:: 0.2.0
    """


class UnknownIdError(DnnSupplyChainError, KeyError):
    """
    An id (or vocabulary term) that the taxonomy does not know.

    Attributes:
        id: The id that was asked for.
        kind: What kind of record was expected, for example ``"attack"``,
            or ``"record"`` for any kind.
        suggestions: The closest known ids, best first.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        id: str,  # noqa: A002
        *,
        kind: str = "record",
        suggestions: Sequence[str] = (),
        detail: str = "",
    ) -> None:
        self.id: str = id
        self.kind: str = kind
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        msg = f"unknown {kind} {id!r}"
        if detail:
            msg += f": {detail}"
        if self.suggestions:
            msg += (
                "; did you mean "
                + " or ".join(repr(s) for s in self.suggestions)
                + "?"
            )
        super().__init__(msg)

    def __str__(self) -> str:
        # KeyError's own __str__ shows the repr of its argument: quotes
        # around a sentence help nobody.
        return str(self.args[0])


class TaxonomyDataError(DnnSupplyChainError, ValueError):
    """
    Taxonomy data that cannot be loaded, with every problem found in it.

    Attributes:
        problems: All problems found, in file order.

    .. versionadded:: 0.1.0
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in taxonomy data"
        super().__init__(
            "\n".join([head + ":", *(f"  - {p}" for p in self.problems)])
        )


class ThreatModelError(DnnSupplyChainError, ValueError):
    """
    A threat model that cannot be read or does not validate.

    Attributes:
        diagnostics: Every problem found, each with its path (or line).
        source: The file, if the model came from one.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, diagnostics: Sequence[Problem], *, source: str | None = None
    ) -> None:
        self.diagnostics: tuple[Problem, ...] = tuple(diagnostics)
        self.source: str | None = source
        count = len(self.diagnostics)
        where = f" in {source}" if source else ""
        head = f"{count} problem{'s' if count != 1 else ''}{where}"
        super().__init__(
            "\n".join([head + ":", *(f"  - {d}" for d in self.diagnostics)])
        )


class ExtensionError(DnnSupplyChainError, ValueError):
    """
    An extension (or a fragment file) that cannot be loaded or merged.

    Attributes:
        problems: Every problem found; each names the extension (its
            distribution and entry point) or file, and the path.
        source: The extension or file, if there is one.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, problems: Sequence[Problem], *, source: str | None = None
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source: str | None = source
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} with extensions"
        super().__init__(
            "\n".join([head + ":", *(f"  - {p}" for p in self.problems)])
        )
