"""
The pytest plugin: the threat marker, its checks and --threat-report.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from dnn_supply_chain import _io, _loading, pytest_plugin


TAGGED = """
import pytest


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown")


@pytest.mark.threat("ripple", "badencoder")
def test_both():
    pass


@pytest.mark.threat("ripple")
def test_fails():
    assert False


@pytest.mark.threat("subnet-replacement-attack")
@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass


@pytest.mark.threat("ppt")
def test_skipped():
    pytest.skip("not today")


@pytest.mark.threat("pii-leakage")
def test_teardown_fails(broken_teardown):
    pass


def test_untagged():
    pass
"""

EMPTY = (
    "@pytest.mark.threat needs at least one attack id, "
    "for example @pytest.mark.threat('ripple')"
)

UNTAGGED = """
def test_plain():
    pass
"""


@pytest.fixture(name="run")
def _run(pytester):
    """
    Run pytest in-process on the test files written by the test.
    """
    return lambda *args: pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", *args
    )


def report_of(result):
    """
    Return the lines of the threat report in *result*'s output.
    """
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "threat report" in line)
    end = next(
        i for i, line in enumerate(lines) if line.startswith("all stages:")
    )
    return lines[start + 1 : end + 1]


class TestMarker:
    """
    The threat marker is registered.
    """

    def test_listed(self, run):
        """
        pytest --markers describes the marker.
        """
        result = run("--markers")

        result.stdout.fnmatch_lines(
            ["@pytest.mark.threat(*attack_ids): the attacks of the *"]
        )

    def test_strict_markers(self, pytester, run):
        """
        Under --strict-markers, tagged tests are collected and run.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("ripple")
            def test_tagged():
                pass
            """
        )

        result = run("--strict-markers")

        assert pytest.ExitCode.OK == result.ret
        result.assert_outcomes(passed=1)

    def test_option_in_its_group(self, run):
        """
        pytest --help lists --threat-report in the plugin's own group.
        """
        result = run("--help")

        result.stdout.fnmatch_lines(
            ["dnn-supply-chain threat markers:", "  --threat-report *"]
        )


class TestBadMarkers:
    """
    Markers with bad ids stop the run, every problem listed.
    """

    def test_typo(self, pytester, run):
        """
        An unknown id fails the run with the node id and a suggestion.
        """
        pytester.makepyfile(
            test_typo="""
            import pytest

            @pytest.mark.threat("ripplee")
            def test_poisoned():
                pass
            """
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert [
            "ERROR: 1 problem in @pytest.mark.threat markers:",
            (
                "  - test_typo.py::test_poisoned: unknown attack 'ripplee'; "
                "did you mean 'ripple'?"
            ),
        ] == result.stderr.lines[:2]
        result.assert_outcomes()

    def test_wrong_kinds(self, pytester, run):
        """
        Ids of other kinds of record are rejected, naming their kind.
        """
        pytester.makepyfile(
            test_kinds="""
            import pytest

            @pytest.mark.threat("decree", "kurita2020weight", "design",
                                "compression")
            def test_kinds():
                pass
            """
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert [
            "ERROR: 4 problems in @pytest.mark.threat markers:",
            (
                "  - test_kinds.py::test_kinds: unknown attack 'decree': "
                "'decree' is a defense; tag the attack it counters instead: "
                "'badencoder'"
            ),
            (
                "  - test_kinds.py::test_kinds: unknown attack "
                "'kurita2020weight': 'kurita2020weight' is a paper; tag the "
                "attack it introduced instead: 'ripple'"
            ),
            (
                "  - test_kinds.py::test_kinds: unknown attack 'design': "
                "'design' is a stage"
            ),
            (
                "  - test_kinds.py::test_kinds: unknown attack "
                "'compression': 'compression' is a category"
            ),
        ] == result.stderr.lines[:5]

    @pytest.mark.parametrize(
        ("marker", "message"),
        [
            ("threat", EMPTY),
            ("threat()", EMPTY),
            ("threat(5)", "attack ids are strings, got 5 (int)"),
            (
                "threat(['ripple'])",
                (
                    "attack ids are strings, got ['ripple'] (list); "
                    "pass each id as its own argument"
                ),
            ),
            (
                "threat(attack='ripple')",
                (
                    "@pytest.mark.threat takes attack ids only, not keyword "
                    "arguments (attack)"
                ),
            ),
        ],
    )
    def test_malformed(self, pytester, run, marker, message):
        """
        A marker without ids, or with ids that are not strings, is an error.
        """
        pytester.makepyfile(
            test_malformed=f"""
            import pytest

            @pytest.mark.{marker}
            def test_it():
                pass
            """
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert (
            f"  - test_malformed.py::test_it: {message}"
            == (result.stderr.lines[1])
        )

    def test_all_reported(self, pytester, run):
        """
        Every bad marker of every file is reported in one run.
        """
        pytester.makepyfile(
            test_one="""
            import pytest

            @pytest.mark.threat("ripplee")
            def test_a():
                pass

            @pytest.mark.threat("ripple")
            def test_good():
                pass

            @pytest.mark.threat("badencodr", "decree")
            def test_b():
                pass
            """,
            test_two="""
            import pytest

            pytestmark = pytest.mark.threat("design")

            class TestC:
                def test_c(self):
                    pass
            """,
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        result.stderr.fnmatch_lines(
            [
                "ERROR: 4 problems in @pytest.mark.threat markers:",
                "  - test_one.py::test_a: unknown attack 'ripplee'*",
                (
                    "  - test_one.py::test_b: unknown attack 'badencodr'; "
                    "did you mean 'badencoder'*"
                ),
                "  - test_one.py::test_b: unknown attack 'decree'*",
                "  - test_two.py::TestC::test_c: unknown attack 'design'*",
            ],
            consecutive=True,
        )
        result.assert_outcomes()

    def test_no_traceback(self, pytester, run):
        """
        A bad marker is a usage error, reported without a traceback.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("ripplee")
            def test_it():
                pass
            """
        )

        result = run("--threat-report")
        output = "\n".join([*result.outlines, *result.errlines])

        assert "Traceback" not in output
        assert "pytest_plugin" not in output
        assert "threat report" not in output

    def test_deselected_checked(self, pytester, run):
        """
        A bad marker on a test that -k leaves out still fails the run.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("ripplee")
            def test_left_out():
                pass

            def test_kept():
                pass
            """
        )

        result = run("-k", "kept")

        assert pytest.ExitCode.USAGE_ERROR == result.ret


class TestReport:
    """
    --threat-report shows, per stage, which attacks have tests.
    """

    def test_rows(self, pytester, run, tax):
        """
        Each attack has one row, in taxonomy order, with its counts.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        rows = {
            line.split()[0]: " ".join(line.split()[1:])
            for line in report_of(result)
            if line.startswith("  ")
        }
        assert [a.id for s in tax.stages for a in tax.attacks_in(s.id)] == (
            list(rows)
        )
        assert {
            "ripple": "2 tests, 1 passed",
            "badencoder": "1 test, 1 passed",
            "ppt": "1 test, 0 passed",
            "subnet-replacement-attack": "2 tests, 2 passed",
            "pii-leakage": "1 test, 0 passed",
            "trojanlm": "no tests",
        } == {
            k: rows[k]
            for k in (
                "ripple",
                "badencoder",
                "ppt",
                "subnet-replacement-attack",
                "pii-leakage",
                "trojanlm",
            )
        }
        assert 42 - 5 == list(rows.values()).count("no tests")

    def test_stages(self, pytester, run, tax):
        """
        Stages come in lifecycle order, each with a heading and a total.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        n = {s.id: len(tax.attacks_in(s.id)) for s in tax.stages}
        assert [
            "Model design (design)",
            f"design: 2 of {n['design']} attacks have tests",
            "Secondary development (secondary-development)",
            (
                "secondary-development: 1 of "
                f"{n['secondary-development']} attacks have tests"
            ),
            "Deployment (deployment)",
            f"deployment: 1 of {n['deployment']} attacks have tests",
            "Usage (usage)",
            f"usage: 1 of {n['usage']} attacks have tests",
            f"all stages: 5 of {len(tax.attacks)} attacks have tests",
        ] == [
            line
            for line in report_of(result)
            if line and not line.startswith("  ")
        ]

    def test_layout(self, pytester, run):
        """
        The report is a titled section of aligned, plain-text rows.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        result.stdout.re_match_lines(
            [
                r"=+ threat report =+$",
                r"Model design \(design\)$",
                r"  ripple +2 tests, 1 passed$",
                r"  layerwise-weight-poisoning +no tests$",
            ],
            consecutive=True,
        )
        rows = [line for line in report_of(result) if line.startswith("  ")]
        columns = {len(re.match(r"  \S+ +", row).group()) for row in rows}
        assert 1 == len(columns)

    def test_exit_status(self, pytester, run):
        """
        The report leaves the run's exit status alone.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        assert pytest.ExitCode.TESTS_FAILED == result.ret
        result.assert_outcomes(passed=5, failed=1, skipped=1, errors=1)

    def test_selection(self, pytester, run):
        """
        Only the tests that the run selects are counted.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report", "-k", "not fails")

        result.stdout.re_match_lines([r"  ripple +1 test, 1 passed$"])

    def test_without_option(self, pytester, run):
        """
        Without --threat-report, nothing is printed.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run()

        assert "threat report" not in result.stdout.str()
        assert "no tests" not in result.stdout.str()


class TestCost:
    """
    A run that uses neither the marker nor the option does not load the
    taxonomy.
    """

    @pytest.fixture(name="unloaded")
    def _unloaded(self, monkeypatch):
        """
        Forget the cached taxonomy for the duration of the test.
        """
        monkeypatch.setattr(_io, "_cached", None)
        monkeypatch.setattr(_loading, "_merged", {})

    @pytest.mark.usefixtures("unloaded")
    def test_unused(self, pytester, run):
        """
        Without markers and without the option, the taxonomy stays unloaded.
        """
        pytester.makepyfile(UNTAGGED)

        result = run()

        assert pytest.ExitCode.OK == result.ret
        assert _io._cached is None

    @pytest.mark.usefixtures("unloaded")
    def test_marker_loads(self, pytester, run):
        """
        A threat marker on a collected test loads the taxonomy.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("ripple")
            def test_tagged():
                pass
            """
        )

        run()

        assert _io._cached is not None

    @pytest.mark.usefixtures("unloaded")
    def test_option_loads(self, pytester, run, tax):
        """
        --threat-report loads the taxonomy, even with no tagged test.
        """
        pytester.makepyfile(UNTAGGED)

        result = run("--threat-report")

        assert _io._cached is not None
        assert [
            f"all stages: 0 of {len(tax.attacks)} attacks have tests"
        ] == report_of(result)[-1:]

    def test_module_imports_nothing(self):
        """
        The plugin module runs without importing dnn_supply_chain.

        The package's own __init__ imports the taxonomy's modules, so the
        plugin's file is loaded here as a standalone module: a top-level
        import of the package would show in sys.modules or, if relative,
        fail.
        """
        code = (
            "import importlib.util, sys\n"
            "spec = importlib.util.spec_from_file_location("
            f"'standalone', {pytest_plugin.__file__!r})\n"
            "module = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(module)\n"
            "print(sorted(m for m in sys.modules "
            "if m.startswith('dnn_supply_chain')))\n"
        )

        out = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

        assert "[]\n" == out
