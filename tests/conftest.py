"""
Shared fixtures and Hypothesis profiles.

Profiles: ``dev`` (the default), ``ci`` (more examples; chosen when the
``CI`` environment variable is set) and ``fast`` (``HYPOTHESIS_PROFILE=fast``).
"""

from __future__ import annotations

import json
import os

from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings

import dnn_supply_chain as dsc


pytest_plugins = ("pytester",)

settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fast", deadline=None, max_examples=10)
settings.load_profile(
    os.environ.get(
        "HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"
    )
)

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "papers.json"


@pytest.fixture(name="tax", scope="session")
def _tax() -> dsc.Taxonomy:
    return dsc.load()


@pytest.fixture(name="reference", scope="session")
def _reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(name="bundled", scope="session")
def _bundled() -> dict:
    """
    The bundled data file, as plain JSON.
    """
    from importlib.resources import files

    text = (files("dnn_supply_chain") / "data" / "taxonomy.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)
