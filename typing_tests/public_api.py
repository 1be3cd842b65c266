"""
What a type checker accepts and rejects in the public API.

Not run: checked by ``mypy --strict --warn-unused-ignores typing_tests``
and by ``pyright typing_tests`` (see ``.ci/run``).  Each line with a
``type: ignore`` must be an error, or the unused ignore is one.
"""

from __future__ import annotations

from typing import assert_type

from hypothesis.strategies import SearchStrategy

import dnn_supply_chain as dsc

from dnn_supply_chain import testing
from dnn_supply_chain.threat_model import FailPolicy


def export_formats(tax: dsc.Taxonomy) -> None:
    assert_type(dsc.export(tax, "stix"), str)
    assert_type(dsc.FORMATS, tuple[dsc.ExportFormat, ...])
    for name in dsc.FORMATS:
        dsc.export(tax, name)
    dsc.export(tax, "yaml")  # type: ignore[arg-type]
    dsc.export(tax, "STIX")  # type: ignore[arg-type]


def fail_policies(report: dsc.CoverageReport) -> None:
    assert_type(report.fails("open"), bool)
    assert_type(dsc.FAIL_POLICIES, tuple[FailPolicy, ...])
    for policy in dsc.FAIL_POLICIES:
        report.fails(policy)
    report.fails("sometimes")  # type: ignore[arg-type]
    dsc.sarif_log(report, "tm.toml", policy="always")  # type: ignore[arg-type]


def bases(tax: dsc.Taxonomy) -> None:
    assert_type(dsc.BASES, tuple[dsc.Basis, ...])
    for basis in dsc.BASES:
        tax.defenses_for("badencoder", basis=basis)
    tax.defenses_for("badencoder", basis="tested")  # type: ignore[arg-type]
    tax.undefended(basis="strong")  # type: ignore[arg-type]


def errors(
    unknown: dsc.UnknownIdError,
    data: dsc.TaxonomyDataError,
    model: dsc.ThreatModelError,
    extension: dsc.ExtensionError,
) -> None:
    assert_type(unknown.suggestions, tuple[str, ...])
    assert_type(data.problems, tuple[dsc.Problem, ...])
    assert_type(model.diagnostics, tuple[dsc.Problem, ...])
    assert_type(model.source, str | None)
    assert_type(extension.problems, tuple[dsc.Problem, ...])


def strategies() -> None:
    assert_type(testing.stages, SearchStrategy[dsc.Stage])
    assert_type(testing.attacks, SearchStrategy[dsc.Attack])
    assert_type(testing.ids, SearchStrategy[str])
    assert_type(testing.taxonomies(), SearchStrategy[dsc.Taxonomy])
