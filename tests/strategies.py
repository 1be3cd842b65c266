"""
The Hypothesis strategies live in dnn_supply_chain.testing, for extension
authors too; the tests import them from here.
"""

from dnn_supply_chain.testing import (
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
