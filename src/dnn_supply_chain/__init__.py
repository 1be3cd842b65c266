"""
The security taxonomy of deep-learning model supply chains.

Stages, attacks, defenses and papers from the survey "Security of Deep
Neural Network Supply Chains: A Survey", as typed records with a query API::

    import dnn_supply_chain as dsc

    tax = dsc.load()
    tax.find_attacks(category="compression")
"""

from __future__ import annotations

from ._loading import (
    SCHEMA_VERSION,
    load,
    load_file,
    taxonomy_from_dict,
    taxonomy_to_dict,
)
from ._records import (
    Attack,
    Category,
    Defense,
    Paper,
    Record,
    Stage,
    SurveyListing,
    Vocabulary,
)
from ._taxonomy import KINDS, SearchHit, Taxonomy
from .exceptions import Problem, TaxonomyDataError, UnknownIdError


__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "Attack",
    "Category",
    "Defense",
    "Paper",
    "Problem",
    "Record",
    "SearchHit",
    "Stage",
    "SurveyListing",
    "Taxonomy",
    "TaxonomyDataError",
    "UnknownIdError",
    "Vocabulary",
    "load",
    "load_file",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
]


def __getattr__(name: str) -> str:
    # The version comes from the installed metadata, read only when asked
    # for, so that importing the package stays cheap.
    if name != "__version__":
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)

    from importlib.metadata import version

    return version("dnn-supply-chain")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})
