"""
The errors this library raises.

Every error is a subclass of a built-in exception, so that callers that do
not know this library can still catch it: an unknown id is a
:class:`KeyError`, bad data is a :class:`ValueError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs


if TYPE_CHECKING:
    from .threat_model import Diagnostic


__all__ = [
    "DnnSupplyChainError",
    "ExtensionError",
    "Problem",
    "TaxonomyDataError",
    "ThreatModelError",
    "UnknownIdError",
]


@attrs.frozen(kw_only=True)
class Problem:
    """
    One problem found in a data file.

    Attributes:
        source: The file (or other source) the problem is in.
        path: Where in the file, for example ``"attacks[3].stage"``; empty
            for the file as a whole.
        record: The id of the record the problem is in, if known.
        message: What is wrong, and how to fix it where that is clear.

    .. versionadded:: 0.1.0
    """

    source: str
    path: str
    record: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.path:
            where += f": {self.path}"
        if self.record is not None:
            where += f" (record {self.record!r})"
        return f"{where}: {self.message}"


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
        self.id = id
        self.kind = kind
        self.suggestions = tuple(suggestions)
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
        self.problems = tuple(problems)
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
        self, diagnostics: Sequence[Diagnostic], *, source: str | None = None
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.source = source
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
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} with extensions"
        super().__init__(
            "\n".join([head + ":", *(f"  - {p}" for p in self.problems)])
        )
