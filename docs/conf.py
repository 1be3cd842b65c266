"""Sphinx configuration for the dnn-supply-chain documentation."""

from __future__ import annotations

import importlib
import pkgutil
import sys

from importlib.metadata import version as _version
from typing import TYPE_CHECKING

from sphinx.pycode import ModuleAnalyzer


if TYPE_CHECKING:
    from sphinx.application import Sphinx


project = "dnn-supply-chain"
author = "dnn-supply-chain maintainers"
copyright = "dnn-supply-chain maintainers"
release = _version("dnn-supply-chain")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.doctest",
    "myst_parser",
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]

html_theme = "furo"
html_title = f"{project} {release}"

autodoc_typehints = "description"
autodoc_member_order = "bysource"

napoleon_google_docstring = True
napoleon_numpy_docstring = False

# The public names live in private modules (dnn_supply_chain._records...)
# and are documented under dnn_supply_chain: show resolved type names
# without their module.
python_use_unqualified_type_names = True

nitpicky = True
# Standard-library names that appear in signatures and docstrings.  There
# is no intersphinx (the docs are built offline, so the Python inventory
# cannot be fetched), so these cannot resolve.  Only stdlib names belong
# here: a broken reference to one of our own names must fail the build.
nitpick_ignore = [
    ("py:class", "collections.abc.Iterable"),
    ("py:class", "collections.abc.Sequence"),
    ("py:class", "pathlib.Path"),
    ("py:func", "json.load"),
    ("py:func", "tomllib.load"),
    # Hypothesis's own type, in the signatures of dnn_supply_chain.testing.
    ("py:class", "hypothesis.strategies.SearchStrategy"),
]


def _reexported_data_doc(  # noqa: PLR0917 - the event's signature
    app: Sphinx,  # noqa: ARG001 - the event's signature
    what: str,
    name: str,
    obj: object,
    options: object,  # noqa: ARG001 - the event's signature
    lines: list[str],
) -> None:
    """
    Give a re-exported constant the ``#:`` comment of its definition.

    autodoc looks for the comment in ``dnn_supply_chain/__init__.py``, which
    only imports the constant, and falls back to the docstring of its type
    (``int``, ``tuple``...).
    """
    package, _, attr = name.rpartition(".")
    if what != "data" or package != "dnn_supply_chain":
        return
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__, f"{package}."):
        # Only modules the package itself imported: importing any other
        # (``__main__`` runs the command line) could have side effects.
        module = sys.modules.get(info.name)
        if module is None or getattr(module, attr, None) is not obj:
            continue
        analyzer = ModuleAnalyzer.for_module(info.name)
        comment = analyzer.find_attr_docs().get(("", attr))
        if comment:
            lines[:] = [*comment]
            return


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _reexported_data_doc)
