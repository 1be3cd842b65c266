"""
The security taxonomy of deep-learning model supply chains.

Stages, attacks, defenses and papers from the survey "Security of Deep
Neural Network Supply Chains: A Survey", as typed records with a query API::

    import dnn_supply_chain as dsc

    tax = dsc.load()
    tax.find_attacks(category="compression")

The names below are imported on first use, so that importing the package
(which pytest does for the bundled plugin in every run) costs nothing.
"""

from __future__ import annotations

import importlib

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from ._export import FORMATS, ExportFormat, export
    from ._io import (
        SCHEMA_VERSION,
        load_file,
        taxonomy_from_dict,
        taxonomy_to_dict,
    )
    from ._loading import load
    from ._packaged import Manifest, read_manifest
    from ._records import (
        BASES,
        Attack,
        Attributes,
        Basis,
        Category,
        CounterEvidence,
        Defense,
        Deprecation,
        MappingReason,
        Paper,
        Record,
        Stage,
        SurveyListing,
        Vocabulary,
    )
    from ._taxonomy import KINDS, SearchHit, Taxonomy
    from .crosswalk import (
        AtlasMitigation,
        AtlasTechnique,
        CrosswalkCatalog,
        CrosswalkEntry,
        CrosswalkMatch,
        NistClass,
        OwaspLlmRisk,
        OwaspRisk,
        load_crosswalk,
    )
    from .exceptions import (
        DnnSupplyChainError,
        ExtensionError,
        Problem,
        TaxonomyDataError,
        ThreatModelError,
        UnknownIdError,
    )
    from .extensions import (
        ENTRY_POINT_GROUP,
        ExtensionInfo,
        ExtensionWarning,
        Fragment,
        Link,
        Provenance,
        fragment_from_dict,
        installed_extensions,
        read_fragment,
        validate_fragment,
    )
    from .threat_model import (
        FAIL_POLICIES,
        STATUSES,
        SUPPORT_STATUSES,
        CoverageReport,
        Diagnostic,
        InferredItem,
        Mitigation,
        MitigationSupport,
        NotApplicable,
        Scope,
        ScopeInference,
        StageCoverage,
        SuggestedDefense,
        Suggestion,
        Tag,
        Threat,
        ThreatModel,
        coverage_report,
        dump_threat_model,
        infer_scope_from_bom,
        infer_scope_from_model_card,
        read_threat_model,
        sarif_log,
        starter_threat_model,
        threat_model_from_dict,
        threat_model_to_dict,
        validate_threat_model,
    )


__all__ = [
    "BASES",
    "ENTRY_POINT_GROUP",
    "FAIL_POLICIES",
    "FORMATS",
    "KINDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "SUPPORT_STATUSES",
    "AtlasMitigation",
    "AtlasTechnique",
    "Attack",
    "Attributes",
    "Basis",
    "Category",
    "CounterEvidence",
    "CoverageReport",
    "CrosswalkCatalog",
    "CrosswalkEntry",
    "CrosswalkMatch",
    "Defense",
    "Deprecation",
    "Diagnostic",
    "DnnSupplyChainError",
    "ExportFormat",
    "ExtensionError",
    "ExtensionInfo",
    "ExtensionWarning",
    "Fragment",
    "InferredItem",
    "Link",
    "Manifest",
    "MappingReason",
    "Mitigation",
    "MitigationSupport",
    "NistClass",
    "NotApplicable",
    "OwaspLlmRisk",
    "OwaspRisk",
    "Paper",
    "Problem",
    "Provenance",
    "Record",
    "Scope",
    "ScopeInference",
    "SearchHit",
    "Stage",
    "StageCoverage",
    "SuggestedDefense",
    "Suggestion",
    "SurveyListing",
    "Tag",
    "Taxonomy",
    "TaxonomyDataError",
    "Threat",
    "ThreatModel",
    "ThreatModelError",
    "UnknownIdError",
    "Vocabulary",
    "coverage_report",
    "dump_threat_model",
    "export",
    "fragment_from_dict",
    "infer_scope_from_bom",
    "infer_scope_from_model_card",
    "installed_extensions",
    "load",
    "load_crosswalk",
    "load_file",
    "read_fragment",
    "read_manifest",
    "read_threat_model",
    "sarif_log",
    "starter_threat_model",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
    "threat_model_from_dict",
    "threat_model_to_dict",
    "validate_fragment",
    "validate_threat_model",
]

# Where each public name is defined.
_HOMES = {
    "._io": (
        "SCHEMA_VERSION",
        "load_file",
        "taxonomy_from_dict",
        "taxonomy_to_dict",
    ),
    "._loading": ("load",),
    "._packaged": ("Manifest", "read_manifest"),
    "._records": (
        "BASES",
        "Attack",
        "Attributes",
        "Basis",
        "Category",
        "CounterEvidence",
        "Defense",
        "Deprecation",
        "MappingReason",
        "Paper",
        "Record",
        "Stage",
        "SurveyListing",
        "Vocabulary",
    ),
    "._taxonomy": ("KINDS", "SearchHit", "Taxonomy"),
    ".exceptions": (
        "DnnSupplyChainError",
        "ExtensionError",
        "Problem",
        "TaxonomyDataError",
        "ThreatModelError",
        "UnknownIdError",
    ),
    ".crosswalk": (
        "AtlasMitigation",
        "AtlasTechnique",
        "CrosswalkCatalog",
        "CrosswalkEntry",
        "CrosswalkMatch",
        "NistClass",
        "OwaspLlmRisk",
        "OwaspRisk",
        "load_crosswalk",
    ),
    "._export": ("FORMATS", "ExportFormat", "export"),
    ".extensions": (
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
    ),
    ".threat_model": (
        "FAIL_POLICIES",
        "STATUSES",
        "SUPPORT_STATUSES",
        "CoverageReport",
        "Diagnostic",
        "InferredItem",
        "Mitigation",
        "MitigationSupport",
        "NotApplicable",
        "Scope",
        "ScopeInference",
        "StageCoverage",
        "SuggestedDefense",
        "Suggestion",
        "Tag",
        "Threat",
        "ThreatModel",
        "coverage_report",
        "dump_threat_model",
        "infer_scope_from_bom",
        "infer_scope_from_model_card",
        "read_threat_model",
        "sarif_log",
        "starter_threat_model",
        "threat_model_from_dict",
        "threat_model_to_dict",
        "validate_threat_model",
    ),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    home = _HOME_OF.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value  # Later lookups skip this function.
        return value
    if name == "__version__":
        from importlib.metadata import version

        return version("dnn-supply-chain")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})
