"""
The MITRE ATLAS ids and names the crosswalk uses, shipped so that names are
looked up, never copied.
"""

from __future__ import annotations

import functools
import json
import re

from importlib.resources import files
from typing import Final

import attrs


__all__ = ["ATLAS_ID", "AtlasCatalog", "atlas_catalog"]

#: The form of an ATLAS technique or mitigation id.
ATLAS_ID: Final = re.compile(r"AML\.(?:T[0-9]{4}(?:\.[0-9]{3})?|M[0-9]{4})")


@attrs.frozen
class AtlasCatalog:
    """
    The ids and names of one ATLAS release.

    Attributes:
        version: The ATLAS release, for example ``"5.6.0"``.
        names: Technique and mitigation names by id.
    """

    version: str
    names: dict[str, str] = attrs.field(eq=False)

    def name(self, atlas_id: str) -> str | None:
        """
        Return the current name of *atlas_id*, or ``None`` if unknown.
        """
        return self.names.get(atlas_id)


@functools.cache
def atlas_catalog() -> AtlasCatalog:
    """
    Return the bundled ATLAS catalogue (read once).
    """
    text = (files("dnn_supply_chain") / "data" / "atlas.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    names = {t["id"]: t["name"] for t in data["techniques"]}
    names.update({m["id"]: m["name"] for m in data["mitigations"]})
    return AtlasCatalog(version=data["version"], names=names)
