"""
JSON: the whole taxonomy in the bundled data file's form.

The export follows the JSON Schema shipped as
``dnn_supply_chain/data/taxonomy.schema.json``; records that extensions
added carry their provenance.  :func:`dnn_supply_chain.load_file` reads it
back into an equal taxonomy.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING

from dnn_supply_chain._io import taxonomy_to_dict


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["render"]


def render(taxonomy: Taxonomy) -> str:
    """
    Return *taxonomy* as JSON text.
    """
    return (
        json.dumps(taxonomy_to_dict(taxonomy), ensure_ascii=False, indent=2)
        + "\n"
    )
