"""
dnn_supply_chain.testing: importable without Hypothesis, and clear about
the extra its strategies need.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from dnn_supply_chain import testing
from dnn_supply_chain.testing import _strategies


STRATEGIES = sorted(set(testing.__all__) - {"check_extension"})


def without_hypothesis(code: str) -> dict[str, object]:
    """
    Run *code* in a new Python where ``import hypothesis`` fails, and
    return the JSON it prints.
    """
    prelude = "import json, sys\nsys.modules['hypothesis'] = None\n"
    result = subprocess.run(
        [sys.executable, "-B", "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == result.returncode, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


class TestWithoutHypothesis:
    """
    The module without Hypothesis installed.
    """

    def test_imports_and_checks_extensions(self):
        """
        The module imports, and check_extension works, without Hypothesis.
        """
        out = without_hypothesis(
            """
            from dnn_supply_chain.testing import check_extension
            try:
                check_extension("no-such-extension")
            except KeyError as exc:
                print(json.dumps({"error": type(exc).__name__}))
            except ValueError as exc:
                print(json.dumps({"error": type(exc).__name__}))
            """
        )
        assert {"error": "ExtensionError"} == out

    @pytest.mark.parametrize("name", STRATEGIES)
    def test_strategy_names_the_extra(self, name):
        """
        Using a strategy raises ModuleNotFoundError naming the extra, both
        as an attribute and in a from-import.
        """
        out = without_hypothesis(
            f"""
            import dnn_supply_chain.testing as testing
            found = {{}}
            try:
                testing.{name}
            except ModuleNotFoundError as exc:
                found["attribute"] = [str(exc), exc.name]
            try:
                from dnn_supply_chain.testing import {name}
            except ImportError as exc:
                found["from"] = [str(exc), exc.name]
            print(json.dumps(found))
            """
        )
        message = (
            f"dnn_supply_chain.testing.{name} needs Hypothesis, which the "
            "extra 'dnn-supply-chain[testing]' installs (from a checkout: "
            "python -m pip install '.[testing]')"
        )
        assert {
            "attribute": [message, "hypothesis"],
            "from": [message, "hypothesis"],
        } == out

    def test_dir_lists_the_strategies(self):
        """
        dir() lists every public name, strategies included.
        """
        out = without_hypothesis(
            """
            import dnn_supply_chain.testing as testing
            print(json.dumps(dir(testing)))
            """
        )
        assert set(testing.__all__) <= set(out)


class TestWithHypothesis:
    """
    The module with Hypothesis installed.
    """

    @pytest.mark.parametrize("name", STRATEGIES)
    def test_names_are_the_strategies(self, name):
        """
        Every strategy is the object that _strategies defines.
        """
        assert getattr(_strategies, name) is getattr(testing, name)

    def test_same_names(self):
        """
        The module's names are check_extension and those of _strategies.
        """
        assert STRATEGIES == sorted(_strategies.__all__)

    def test_unknown_name(self):
        """
        Any other name is an AttributeError.
        """
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            testing.nope  # noqa: B018
