"""
Check that the built docs document every public name.

Every name in ``__all__`` of the package and of each public module must
have an entry in the built ``objects.inv``.  Run after the html build::

    python scripts/check_api_docs.py docs/_build/html/objects.inv
"""

from __future__ import annotations

import importlib
import posixpath
import sys

from pathlib import Path

from sphinx.util.inventory import InventoryFile


MODULES = (
    "dnn_supply_chain",
    "dnn_supply_chain.exceptions",
    "dnn_supply_chain.threat_model",
    "dnn_supply_chain.extensions",
    "dnn_supply_chain.crosswalk",
    "dnn_supply_chain.testing",
    "dnn_supply_chain.cli",
    "dnn_supply_chain.pytest_plugin",
)


def main(argv: list[str]) -> int:
    """
    Print the public names without an entry; exit 1 if there are any.
    """
    inventory = Path(
        argv[1] if len(argv) > 1 else "docs/_build/html/objects.inv"
    )
    with inventory.open("rb") as f:
        inv = InventoryFile.load(f, "", posixpath.join)
    documented = {
        name
        for kind, entries in inv.items()
        if kind.startswith("py:")
        for name in entries
    }
    missing = [
        f"{module}.{name}"
        for module in MODULES
        for name in importlib.import_module(module).__all__
        if f"{module}.{name}" not in documented
        and f"dnn_supply_chain.{name}" not in documented
    ]
    for name in missing:
        print(f"not in the API docs: {name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
