"""
Tools for the test suites of extension authors (and of this library).

- Hypothesis strategies for every record type (``stages``, ``categories``,
  ``attacks``, ``defenses``, ``papers``, ``listings``, ``vocabularies``,
  ``attribute_maps``, ``links``, ``fragments``) and for whole, consistent
  taxonomies (``taxonomies()``);
- :func:`check_extension`, which loads one installed extension in strict
  mode and returns its problems.

The strategies need Hypothesis, which the extra
``dnn-supply-chain[testing]`` installs (from a checkout:
``python -m pip install '.[testing]'``).  The module imports without it:
:func:`check_extension` works, and the first use of a strategy raises
:exc:`ModuleNotFoundError` naming the extra.

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Importing the module no longer needs Hypothesis.
"""

from __future__ import annotations

import importlib

from typing import TYPE_CHECKING

from dnn_supply_chain._io import bundled
from dnn_supply_chain.exceptions import ExtensionError, Problem
from dnn_supply_chain.extensions._discovery import build


if TYPE_CHECKING:
    from ._strategies import (
        attacks,
        attribute_maps,
        categories,
        defenses,
        fragments,
        ids,
        links,
        listings,
        papers,
        stages,
        taxonomies,
        vocabularies,
    )


__all__ = [
    "attacks",
    "attribute_maps",
    "categories",
    "check_extension",
    "defenses",
    "fragments",
    "ids",
    "links",
    "listings",
    "papers",
    "stages",
    "taxonomies",
    "vocabularies",
]

# The extra that installs Hypothesis.
_EXTRA = "dnn-supply-chain[testing]"

# The names that _strategies defines: only they need Hypothesis.
_STRATEGIES = frozenset(__all__) - {"check_extension"}


def check_extension(name: str) -> tuple[Problem, ...]:
    """
    Load the installed extension *name* alone, in strict mode, on top of
    the bundled survey, and return its problems.

    Use it in an extension's own test suite::

        from dnn_supply_chain.testing import check_extension

        def test_extension_is_valid():
            assert () == check_extension("acme")

    Returns:
        Every problem found, each naming the path in the fragment; empty
        when the extension is valid.

    Raises:
        ExtensionError: No extension of that name is installed.
    """
    try:
        build(bundled(), extensions=[name], strict=True)
    except ExtensionError as exc:
        if any(
            p.source == "extensions"
            and not p.path
            and "no extension named" in p.message
            for p in exc.problems
        ):
            raise
        return exc.problems
    return ()


def __getattr__(name: str) -> object:
    if name not in _STRATEGIES:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    try:
        strategies = importlib.import_module("._strategies", __name__)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "hypothesis":
            raise
        msg = (
            f"{__name__}.{name} needs Hypothesis, which the extra "
            f"{_EXTRA!r} installs (from a checkout: "
            "python -m pip install '.[testing]')"
        )
        raise ModuleNotFoundError(msg, name="hypothesis") from exc
    value = getattr(strategies, name)
    globals()[name] = value  # Later lookups skip this function.
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
