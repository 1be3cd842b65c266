"""
Exports of a taxonomy to the formats other tools read.

Every format is a function from a :class:`~dnn_supply_chain.Taxonomy` to
text; :func:`export` picks one by name.  Formats that need a third-party
library import it only when used.
"""

from __future__ import annotations

import importlib

from typing import TYPE_CHECKING, Final, Literal, TypeAlias


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["FORMATS", "ExportFormat", "export"]

#: The name of an export format.
#:
#: .. versionadded:: 0.2.0
ExportFormat: TypeAlias = Literal[
    "json",
    "stix",
    "bibtex",
    "markdown",
    "markdown-en",
    "csv",
    "navigator",
    "html",
]

# The export formats, by name, and the module that renders each; a test
# keeps its keys and ExportFormat the same, in the same order.
_MODULES: Final[dict[ExportFormat, str]] = {
    "json": "._json",
    "stix": "._stix",
    "bibtex": "._bibtex",
    "markdown": "._markdown",
    "markdown-en": "._markdown",
    "csv": "._csv",
    "navigator": "._navigator",
    "html": "._html",
}

#: The names :func:`export` accepts.
FORMATS: Final[tuple[ExportFormat, ...]] = tuple(_MODULES)


def export(taxonomy: Taxonomy, format: ExportFormat) -> str:  # noqa: A002
    """
    Return *taxonomy* rendered in *format*, one of :data:`FORMATS`.

    A type checker rejects any other name; the check at run time is for
    callers without one.

    Raises:
        ValueError: *format* is unknown.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *format* is an :data:`ExportFormat`, not any string.
    """
    if format not in _MODULES:
        msg = f"unknown format {format!r}; choose from {', '.join(FORMATS)}"
        raise ValueError(msg)
    module = importlib.import_module(_MODULES[format], __name__)
    if format == "markdown-en":
        return module.render_english(taxonomy)  # type: ignore[no-any-return]
    return module.render(taxonomy)  # type: ignore[no-any-return]
