"""
Extensions: taxonomy fragments that other packages install.

An extension is a fragment of taxonomy (stages, categories, vocabulary
terms, attacks, defenses, papers, and links that attach its entries to
existing records) that a distribution declares in the entry point group
``dnn_supply_chain.extensions``:

- a pure-data extension points at a JSON or TOML file inside its package,
  ``acme = "acme_dsc:fragment.toml"``; the file is found through the
  distribution's metadata and read, and none of the package's code runs;
- a Python extension points at a callable that returns the fragment as a
  mapping, ``acme = "acme_dsc.plugin:fragment"``.

:func:`dnn_supply_chain.load` merges the bundled taxonomy with every
installed extension, in the order of their entry point names.  A broken
extension is skipped with an :class:`ExtensionWarning` (the rest still
load); with ``strict=True`` it raises :class:`ExtensionError` instead.
"""

from dnn_supply_chain._records import ExtensionInfo, Provenance

from ._discovery import (
    ENTRY_POINT_GROUP,
    ExtensionWarning,
    installed_extensions,
    validate_fragment,
)
from ._fragments import Fragment, Link, fragment_from_dict, read_fragment


__all__ = [
    "ENTRY_POINT_GROUP",
    "ExtensionInfo",
    "ExtensionWarning",
    "Fragment",
    "Link",
    "Provenance",
    "fragment_from_dict",
    "installed_extensions",
    "read_fragment",
    "validate_fragment",
]
