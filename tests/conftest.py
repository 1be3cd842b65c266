"""
Shared fixtures and Hypothesis profiles.

Profiles: ``dev`` (the default), ``ci`` (more examples; chosen when the
``CI`` environment variable is set) and ``fast`` (``HYPOTHESIS_PROFILE=fast``).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil

from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings

import dnn_supply_chain as dsc


pytest_plugins = ("pytester",)

# pytester's in-process runs restore sys.modules afterwards, dropping the
# modules first imported during the run; a later import would then make
# new classes, unequal to those the tests already hold. Importing every
# module now (but __main__, which runs the CLI) keeps one copy of each for
# the whole session.
for _module in pkgutil.walk_packages(dsc.__path__, f"{dsc.__name__}."):
    if not _module.name.endswith(".__main__"):
        importlib.import_module(_module.name)

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


def need_programs(*names):
    """
    Skip the test when one of the programs *names* is not on PATH, or fail
    it when the ``CI`` environment variable is set: ``.ci/run`` installs
    them, so a missing one there is a broken run, not a reason to skip.
    """
    import shutil

    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        msg = f"not installed: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(msg + " (.ci/run installs them)")
        pytest.skip(msg)
