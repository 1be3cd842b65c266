"""
Threat models tagged against the taxonomy, their validation, and the
coverage and gap report.

A threat model names the stages a system takes part in, the threats the
team considered (each tagged with taxonomy attack ids, and optionally MITRE
ATLAS technique ids) and the mitigations in place (tagged with taxonomy
defense ids).  :func:`validate_threat_model` checks the tags against a
taxonomy; :func:`coverage_report` tells what the model forgot, and what
the taxonomy's counter evidence says of its mitigations.
"""

from __future__ import annotations

from ._files import (
    dump_threat_model,
    read_threat_model,
    threat_model_from_dict,
    threat_model_to_dict,
)
from ._infer import (
    BOM_SPEC_VERSIONS,
    MODEL_CARD_EXTRA,
    InferredItem,
    ScopeInference,
    infer_scope_from_bom,
    infer_scope_from_model_card,
)
from ._judge import coverage_report
from ._model import (
    COVERAGE_STATUSES,
    FAIL_POLICIES,
    STATUSES,
    SUPPORT_STATUSES,
    CoverageStatus,
    Diagnostic,
    FailPolicy,
    Mitigation,
    Scope,
    SupportStatus,
    Tag,
    Threat,
    ThreatModel,
    ThreatStatus,
)
from ._report import (
    CoverageReport,
    MitigationSupport,
    NotApplicable,
    StageCoverage,
    SuggestedDefense,
    Suggestion,
)
from ._sarif import sarif_log
from ._starter import starter_threat_model
from ._validate import validate_threat_model


__all__ = [
    "BOM_SPEC_VERSIONS",
    "COVERAGE_STATUSES",
    "FAIL_POLICIES",
    "MODEL_CARD_EXTRA",
    "STATUSES",
    "SUPPORT_STATUSES",
    "CoverageReport",
    "CoverageStatus",
    "Diagnostic",
    "FailPolicy",
    "InferredItem",
    "Mitigation",
    "MitigationSupport",
    "NotApplicable",
    "Scope",
    "ScopeInference",
    "StageCoverage",
    "SuggestedDefense",
    "Suggestion",
    "SupportStatus",
    "Tag",
    "Threat",
    "ThreatModel",
    "ThreatStatus",
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
]
