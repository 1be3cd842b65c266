"""Sphinx configuration for the dnn-supply-chain documentation."""

from __future__ import annotations

import importlib
import re
import sys

from importlib.metadata import version as _version
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from sphinx import addnodes
from sphinx.pycode import ModuleAnalyzer


if TYPE_CHECKING:
    from sphinx.application import Sphinx


project = "dnn-supply-chain"
author = "dnn-supply-chain maintainers"
copyright = "dnn-supply-chain maintainers"
release = _version("dnn-supply-chain")
version = ".".join(release.split(".")[:2])

# Local extensions: dsc_catalogue generates the catalogue from the data.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "myst_parser",
    "sphinx_copybutton",
    "dsc_catalogue",
]

# The copy button copies what a reader types: the commands of a console
# transcript without their "$ " and without the output, the input lines of
# a doctest without ">>> " and "... ", and a block without prompts whole.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True

# The hand-written pages are MyST; the generated catalogue pages are reST,
# which has field lists and escaping rules that suit generated text.
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = [
    "_build",
    "_inventories",
    # Snippets that catalogue.md and index.md include, not pages.
    "catalogue/_*",
]

html_theme = "furo"
html_title = f"{project} {release}"
html_static_path = ["_static"]
html_css_files = ["dsc.css"]

autodoc_typehints = "description"
autodoc_member_order = "bysource"

napoleon_google_docstring = True
napoleon_numpy_docstring = False

# The public names live in private modules (dnn_supply_chain._records...)
# and are documented under dnn_supply_chain: show resolved type names
# without their module.
python_use_unqualified_type_names = True

nitpicky = True

# The build machine has no internet, so the inventories ship in
# _inventories/ (from Debian's documentation packages; see its README.md
# and update.sh).  Each base URL is that of the release the inventory was
# built from, so that every anchor in it exists there.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3.11/", "_inventories/python.inv"),
    "attrs": ("https://www.attrs.org/en/22.2.0/", "_inventories/attrs.inv"),
    "cattrs": ("https://catt.rs/en/v22.2.0/", "_inventories/cattrs.inv"),
}
# Names intersphinx cannot resolve.  A broken reference to one of our own
# names must fail the build, so only third-party names belong here, each
# with the reason it cannot resolve.
nitpick_ignore = [
    # In the signatures of dnn_supply_chain.testing.  Hypothesis is an
    # optional dependency (the "testing" extra) and no Hypothesis inventory
    # ships in _inventories/.
    ("py:class", "hypothesis.strategies.SearchStrategy"),
    # pytest's own types, in the signatures of the plugin's hooks: no
    # pytest inventory ships with the offline build.
    ("py:class", "_pytest.config.argparsing.Parser"),
    ("py:class", "_pytest.config.Config"),
    ("py:class", "_pytest.nodes.Item"),
    ("py:exc", "pytest.UsageError"),
]


# The modules that re-export constants defined in their submodules.
_REEXPORTING = frozenset({"dnn_supply_chain", "dnn_supply_chain.testing"})


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

    autodoc looks for the comment in ``dnn_supply_chain/__init__.py`` (or
    ``dnn_supply_chain/testing/__init__.py``), which only imports the
    constant, and falls back to the docstring of its type (``int``,
    ``tuple``, ``SearchStrategy``...).
    """
    package, _, attr = name.rpartition(".")
    if what != "data" or package not in _REEXPORTING:
        return
    importlib.import_module(package)
    # Only modules the package itself imported, those of its subpackages
    # (threat_model/, extensions/) included: importing any other
    # (``__main__`` runs the command line) could have side effects.
    for module_name, module in sorted(sys.modules.copy().items()):
        if not module_name.startswith(f"{package}.") or (
            getattr(module, attr, None) is not obj
        ):
            continue
        analyzer = ModuleAnalyzer.for_module(module_name)
        comment = analyzer.find_attr_docs().get(("", attr))
        if comment:
            lines[:] = [*comment]
            return


def _factory_defaults(  # noqa: PLR0917 - the event's signature
    app: Sphinx,  # noqa: ARG001 - the event's signature
    what: str,  # noqa: ARG001 - the event's signature
    name: str,  # noqa: ARG001 - the event's signature
    obj: object,
    options: object,  # noqa: ARG001 - the event's signature
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """
    Show an attrs factory default as the call that makes it, such as
    ``attributes=Attributes()``.

    The ``__init__`` that attrs generates defaults such arguments to its
    ``NOTHING`` sentinel, which means nothing to a reader, and
    dataclasses' ``<factory>`` says no more.  A factory that is not a
    class (none is, today) fails the build, so that it gets a spelling.
    """
    if signature is None or "=NOTHING" not in signature:
        return None
    fields = (
        {f.name: f for f in attrs.fields(obj)}
        if (isinstance(obj, type) and attrs.has(obj))
        else {}
    )

    def spell(match: re.Match[str]) -> str:
        field = fields.get(match["name"])
        default = field.default if field is not None else None
        factory = getattr(default, "factory", None)
        if not isinstance(factory, type):
            msg = f"no spelling for the default of {match['name']!r}"
            raise TypeError(msg)
        return f"{match['name']}={factory.__name__}()"

    return re.sub(r"(?P<name>\w+)=NOTHING\b", spell, signature), (
        return_annotation
    )


def _version_notes_last(
    app: Sphinx,  # noqa: ARG001 - the event's signature
    domain: str,  # noqa: ARG001 - the event's signature
    objtype: str,  # noqa: ARG001 - the event's signature
    contentnode: addnodes.desc_content,
) -> None:
    """
    Move "Added in version" notes after the parameter and return types.

    With ``autodoc_typehints = "description"``, a docstring without an
    ``Args:`` section gets its types in a field list appended after the
    whole docstring, so after its ``versionadded`` note.  The note goes
    last, before the members of a class.
    """
    notes = [
        node
        for node in contentnode.children
        if isinstance(node, addnodes.versionmodified)
    ]
    for node in notes:
        contentnode.remove(node)
    members = [
        i
        for i, node in enumerate(contentnode.children)
        if isinstance(node, addnodes.desc)
    ]
    at = members[0] if members else len(contentnode.children)
    contentnode[at:at] = notes


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _reexported_data_doc)
    app.connect("autodoc-process-signature", _factory_defaults)
    # After autodoc's typehints (priority 500) have added their fields.
    app.connect(
        "object-description-transform", _version_notes_last, priority=900
    )
