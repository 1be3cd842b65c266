"""
The pytest plugin: the threat marker, its checks and --threat-report.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import dnn_supply_chain as dsc

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

# One test of each outcome, each tagged with an attack of its own.
OUTCOMES = """
import pytest


@pytest.fixture
def broken_setup():
    raise RuntimeError("setup")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown")


@pytest.mark.threat("ripple")
def test_passes():
    pass


@pytest.mark.threat("badencoder")
def test_fails():
    assert False


@pytest.mark.threat("ppt")
def test_skips():
    pytest.skip("not today")


@pytest.mark.threat("ppt")
@pytest.mark.skip(reason="not today either")
def test_skipped_by_marker():
    pass


@pytest.mark.threat("trojanlm")
@pytest.mark.xfail(reason="known hole", strict=False)
def test_xfails():
    assert False


@pytest.mark.threat("trojanlm")
@pytest.mark.xfail(reason="known hole", strict=False)
def test_xpasses():
    pass


@pytest.mark.threat("badpre")
@pytest.mark.xfail(reason="known hole", strict=True)
def test_xpasses_strictly():
    pass


@pytest.mark.threat("neuba")
def test_setup_fails(broken_setup):
    pass


@pytest.mark.threat("uor")
def test_teardown_fails(broken_teardown):
    pass


@pytest.mark.threat("notable")
def test_fails_in_teardown_too(broken_teardown):
    assert False
"""

THREAT_MODEL = """
name = "Phone app"

[scope]
stages = ["deployment", "usage"]

[[threats]]
id = "T1"
title = "Weights tampered with"
tags = ["subnet-replacement-attack"]
status = "open"

[[threats]]
id = "T2"
title = "Leaks"
tags = ["pii-leakage", "model-update-leakage", "ppt"]
status = "open"

[[threats]]
id = "T3"
title = "Backdoored weights"
tags = ["aml.t0018"]
status = "open"
"""

EMPTY = (
    "@pytest.mark.threat needs at least one attack id, "
    "for example @pytest.mark.threat('ripple')"
)

UNTAGGED = """
def test_plain():
    pass
"""

RENAMED = """
import pytest


@pytest.mark.threat("sra")
def test_sra():
    pass
"""

# Plugins that a subprocess run does not need: they only cost time.
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


@pytest.fixture(name="run")
def _run(pytester):
    """
    Run pytest in-process on the test files written by the test.
    """
    return lambda *args: pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", *args
    )


@pytest.fixture(name="xdist")
def _xdist(pytester):
    """
    Run pytest in a subprocess, its tests spread over two xdist workers.
    """
    pytest.importorskip("xdist")
    return lambda *args: pytester.runpytest_subprocess(
        *QUIET, "-p", "xdist", "-n", "2", *args
    )


def report_of(result):
    """
    Return the lines of the threat report in *result*'s output.
    """
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "threat report" in line)
    end = next(
        i
        for i, line in enumerate(lines)
        if i > start and (line.startswith(("=", "_")) or "passed in" in line)
    )
    return lines[start + 1 : end]


def rows_of(result):
    """
    Return the rows of the report's stage sections: attack id to the rest
    of its row, words separated by one space.
    """
    rows = {}
    for line in report_of(result):
        if line == "Threats":
            break
        if line.startswith("  ") and not line.startswith("    "):
            attack, *rest = line.split()
            rows[attack] = " ".join(rest)
    return rows


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
            ["@pytest.mark.threat(*ids): the attacks of the *"]
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

    def test_options_in_their_group(self, run):
        """
        pytest --help lists both options in the plugin's own group.
        """
        result = run("--help")

        result.stdout.fnmatch_lines(
            [
                "dnn-supply-chain threat markers:",
                "  --threat-report *",
                "*",
                "  --threat-model=FILE *",
            ]
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
        Ids of other kinds of record are rejected, naming their kind and,
        for a defense, the attacks of its strongest evidence with its
        basis.
        """
        pytester.makepyfile(
            test_kinds="""
            import pytest

            @pytest.mark.threat("decree", "purifier", "rift",
                                "kurita2020weight", "design", "compression")
            def test_kinds():
                pass
            """
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert [
            "ERROR: 6 problems in @pytest.mark.threat markers:",
            (
                "  - test_kinds.py::test_kinds: unknown attack 'decree': "
                "'decree' is a defense; tag the attack it counters instead: "
                "'badencoder' (basis: evaluated)"
            ),
            (
                "  - test_kinds.py::test_kinds: unknown attack 'purifier': "
                "'purifier' is a defense; tag the attacks it counters "
                "instead: 'badencoder', 'neuba', 'data-free-backdoor', "
                "'latent-backdoor', 'robust-transfer-backdoor', "
                "'incremental-backdoor', 'adba' (basis: claimed, untested)"
            ),
            (
                "  - test_kinds.py::test_kinds: unknown attack 'rift': "
                "'rift' is a defense; no counter evidence links it to an "
                "attack: tag the attacks the test exercises"
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
        ] == result.stderr.lines[:7]

    def test_bad_crosswalk_ids(self, pytester, run):
        """
        An unknown ATLAS or OWASP id, or an ATLAS mitigation, is rejected.
        """
        pytester.makepyfile(
            test_atlas="""
            import pytest

            @pytest.mark.threat("AML.T9999", "ML11", "AML.M0007")
            def test_atlas():
                pass
            """
        )

        result = run()

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        result.stderr.fnmatch_lines(
            [
                "ERROR: 3 problems in @pytest.mark.threat markers:",
                (
                    "  - test_atlas.py::test_atlas: unknown crosswalk id "
                    "'AML.T9999' (ATLAS 5.6.0, OWASP ML Top 10 2023, OWASP "
                    "Top 10 for LLM Applications 2025, NIST AI 100-2 "
                    "E2025); did you mean 'AML.T0099'*"
                ),
                (
                    "  - test_atlas.py::test_atlas: unknown crosswalk id "
                    "'ML11' (*); did you mean 'ML10'*"
                ),
                (
                    "  - test_atlas.py::test_atlas: 'AML.M0007' is an ATLAS "
                    "mitigation; tag tests with attacks or ATLAS techniques"
                ),
            ],
            consecutive=True,
        )

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
                    "@pytest.mark.threat takes ids only, not keyword "
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


@pytest.fixture(name="renamed", scope="module")
def _renamed(tax):
    """
    The bundled taxonomy where one attack was renamed, one split.
    """
    data = dsc.taxonomy_to_dict(tax)
    data["deprecated"] = [
        {
            "id": "sra",
            "change": "renamed",
            "successors": ["subnet-replacement-attack"],
            "since": "0.2.0",
        },
        {
            "id": "encoder-attacks",
            "change": "split",
            "successors": ["badencoder", "poisonedencoder"],
            "since": "0.3.0",
        },
    ]
    return dsc.taxonomy_from_dict(data)


class TestDeprecatedIds:
    """
    A marker with a deprecated id stands for its successor, as a threat
    model's tag does.
    """

    def test_renamed(self, renamed):
        """
        A renamed id counts for its successor, and is noted as deprecated.
        """
        tags, problems, deprecations = pytest_plugin._check_marks(
            renamed, [pytest.mark.threat("sra").mark]
        )

        assert (
            ("subnet-replacement-attack",),
            [],
            ["'sra' is deprecated; use 'subnet-replacement-attack'"],
        ) == (tags.attacks, problems, deprecations)

    @pytest.fixture(name="loads_renamed")
    def _loads_renamed(self, monkeypatch, renamed):
        """
        Make the plugin load the renamed taxonomy.
        """
        monkeypatch.setattr(_loading, "load", lambda: renamed)

    @pytest.mark.usefixtures("loads_renamed")
    def test_warns(self, pytester, run):
        """
        A run with a renamed id warns, naming the successor, and counts the
        test for the successor.
        """
        pytester.makepyfile(test_renamed=RENAMED)

        result = run("--threat-report")

        assert pytest.ExitCode.OK == result.ret
        result.stdout.fnmatch_lines(
            [
                (
                    "*DeprecationWarning: test_renamed.py::test_sra: 'sra' "
                    "is deprecated; use 'subnet-replacement-attack'"
                ),
            ]
        )
        assert (
            "covered 1 test: 1 passed"
            == (rows_of(result)["subnet-replacement-attack"])
        )

    @pytest.mark.usefixtures("loads_renamed")
    def test_warning_as_error(self, pytester, run):
        """
        Where warnings are errors, a renamed id is a marker problem.
        """
        pytester.makepyfile(test_renamed=RENAMED)

        result = run("-W", "error::DeprecationWarning")

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert [
            "ERROR: 1 problem in @pytest.mark.threat markers:",
            (
                "  - test_renamed.py::test_sra: 'sra' is deprecated; use "
                "'subnet-replacement-attack'"
            ),
        ] == result.stderr.lines[:2]

    def test_split(self, renamed):
        """
        A split id is a problem that names the ids it was split into.
        """
        tags, problems, _ = pytest_plugin._check_marks(
            renamed, [pytest.mark.threat("encoder-attacks").mark]
        )

        assert () == tags.attacks
        assert [
            (
                "unknown attack 'encoder-attacks': it was split into "
                "'badencoder' and 'poisonedencoder' in 0.3.0; use one of them"
            )
        ] == problems


class TestCrosswalkIds:
    """
    A marker takes ATLAS technique and OWASP ids, which stand for the
    attacks mapped to them.
    """

    def test_mapped_attacks(self, pytester, run, tax):
        """
        An OWASP id and an ATLAS technique count for the attacks mapped to
        them, the technique's sub-techniques included, each once.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("ML05", "AML.T0024", "imitation-attack")
            def test_stealing():
                pass
            """
        )

        result = run("--threat-report")

        mapped = {
            a.id
            for ref in ("ML05", "AML.T0024")
            for a in tax.crosswalk(ref, subtechniques=True).attacks
        }
        assert {"stolenencoder", "pii-leakage", "imitation-attack"} <= mapped
        assert dict.fromkeys(mapped, "covered 1 test: 1 passed") == {
            a: row
            for a, row in rows_of(result).items()
            if "no tests" not in row
        }

    def test_unmapped(self, pytester, run):
        """
        An id that no attack is mapped to is listed apart, as not mapped.
        """
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("AML.T0051", "ripple")
            def test_prompt_injection():
                pass
            """
        )

        result = run("--threat-report")

        assert [
            "",
            "Tags that no attack of the taxonomy is mapped to",
            "AML.T0051 not mapped 1 test: 1 passed",
        ] == [" ".join(line.split()) for line in report_of(result)[-3:]]
        assert "covered 1 test: 1 passed" == rows_of(result)["ripple"]

    def test_crosswalk_forms(self, pytester, run):
        """
        Crosswalk ids of every framework are taken in the forms people
        type, and stand for the attacks mapped to them; an unmapped one is
        listed by its canonical id.
        """
        tax = dsc.load()
        mapped = [a.id for a in tax.crosswalk("LLM04:2025").attacks]
        assert mapped
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.threat("llm04:2025")
            def test_poisoning():
                pass

            @pytest.mark.threat("aml.t0051", "nistaml.023")
            def test_other():
                pass
            """
        )

        result = run("--threat-report")

        rows = rows_of(result)
        for attack in mapped:
            assert rows[attack].startswith("covered"), attack
        assert "AML.T0051 not mapped 1 test: 1 passed" in [
            " ".join(line.split()) for line in report_of(result)
        ]


class TestOutcomes:
    """
    The report gives each attack's tests by outcome; an attack is covered
    only when one of its tests passed.
    """

    def test_outcome(self, pytester, run):
        """
        Each test counts once, under its outcome: a strict xpass fails, a
        failed setup or teardown is an error unless the test failed.
        """
        pytester.makepyfile(test_outcomes=OUTCOMES)

        rows = rows_of(run("--threat-report"))

        assert {
            "ripple": "covered 1 test: 1 passed",
            "badencoder": "not covered 1 test: 1 failed",
            "ppt": "not covered 2 tests: 2 skipped",
            "trojanlm": "not covered 2 tests: 1 xfailed, 1 xpassed",
            "badpre": "not covered 1 test: 1 failed",
            "neuba": "not covered 1 test: 1 error",
            "uor": "not covered 1 test: 1 error",
            "notable": "not covered 1 test: 1 failed",
            "layerwise-weight-poisoning": "not covered no tests",
        } == {
            attack: rows[attack]
            for attack in (
                "ripple",
                "badencoder",
                "ppt",
                "trojanlm",
                "badpre",
                "neuba",
                "uor",
                "notable",
                "layerwise-weight-poisoning",
            )
        }

    def test_totals(self, pytester, run):
        """
        A stage's total counts the covered attacks and those with tests.
        """
        pytester.makepyfile(test_outcomes=OUTCOMES)

        result = run("--threat-report")

        assert "design: 1 of 16 attacks covered, 7 with tests" in (
            report_of(result)
        )

    def test_verbose(self, pytester, run):
        """
        With -v, each attack's tests are listed under it with their
        outcomes, in the order of the run.
        """
        pytester.makepyfile(test_outcomes=OUTCOMES)

        result = run("--threat-report", "-v")

        result.stdout.re_match_lines(
            [
                r"  trojanlm +not covered  2 tests: 1 xfailed, 1 xpassed$",
                r"      xfailed  test_outcomes.py::test_xfails$",
                r"      xpassed  test_outcomes.py::test_xpasses$",
            ],
            consecutive=True,
        )


class TestReport:
    """
    --threat-report shows, per stage, each attack's tests.
    """

    def test_rows(self, pytester, run, tax):
        """
        Each attack has one row, in taxonomy order, with its counts.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        rows = rows_of(result)
        assert [a.id for s in tax.stages for a in tax.attacks_in(s.id)] == (
            list(rows)
        )
        assert {
            "ripple": "covered 2 tests: 1 passed, 1 failed",
            "badencoder": "covered 1 test: 1 passed",
            "ppt": "not covered 1 test: 1 skipped",
            "subnet-replacement-attack": "covered 2 tests: 2 passed",
            "pii-leakage": "not covered 1 test: 1 error",
            "trojanlm": "not covered no tests",
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
        assert 42 - 5 == list(rows.values()).count("not covered no tests")

    def test_stages(self, pytester, run, tax):
        """
        Stages come in lifecycle order, each with a heading and a total.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run("--threat-report")

        n = {s.id: len(tax.attacks_in(s.id)) for s in tax.stages}
        assert [
            "An attack is covered when at least one of its tests passed.",
            "Model design (design)",
            f"design: 2 of {n['design']} attacks covered, 2 with tests",
            "Secondary development (secondary-development)",
            (
                "secondary-development: 0 of "
                f"{n['secondary-development']} attacks covered, 1 with tests"
            ),
            "Deployment (deployment)",
            (
                f"deployment: 1 of {n['deployment']} attacks covered, "
                "1 with tests"
            ),
            "Usage (usage)",
            f"usage: 0 of {n['usage']} attacks covered, 1 with tests",
            (
                f"all stages: 3 of {len(tax.attacks)} attacks covered, "
                "5 with tests"
            ),
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
                r"An attack is covered when at least one of its tests passed\.$",
                r"$",
                r"Model design \(design\)$",
                r"  ripple +covered      2 tests: 1 passed, 1 failed$",
                r"  layerwise-weight-poisoning +not covered  no tests$",
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

        result.stdout.re_match_lines([r"  ripple +covered +1 test: 1 passed$"])

    def test_without_option(self, pytester, run):
        """
        Without --threat-report, nothing is printed.
        """
        pytester.makepyfile(test_tagged=TAGGED)

        result = run()

        assert "threat report" not in result.stdout.str()
        assert "no tests" not in result.stdout.str()


class TestThreatModel:
    """
    --threat-model limits the report to the model's scope, and shows each
    threat's attacks.
    """

    @pytest.fixture(name="result")
    def _result(self, pytester, run):
        """
        The run of the tagged tests against the threat model.
        """
        pytester.makepyfile(test_tagged=TAGGED)
        pytester.makefile(".toml", threats=THREAT_MODEL)
        return run("--threat-model", "threats.toml")

    def test_in_scope(self, pytester, result, tax):
        """
        The stage sections list the attacks in scope, as the coverage
        report counts them, and nothing else.
        """
        model = dsc.read_threat_model(pytester.path / "threats.toml")
        coverage = dsc.coverage_report(model, tax)

        assert [a.id for s in coverage.stages for a in s.attacks] == list(
            rows_of(result)
        )

    def test_sections(self, result, tax):
        """
        The report names the model, totals the attacks in scope and names
        the tested attacks outside it.
        """
        n = len(tax.attacks_in("deployment")) + len(tax.attacks_in("usage"))

        assert [
            "Threat model: Phone app (threats.toml)",
            "An attack is covered when at least one of its tests passed.",
            "Deployment (deployment)",
            "deployment: 1 of 1 attacks covered, 1 with tests",
            "Usage (usage)",
            "usage: 0 of 6 attacks covered, 1 with tests",
            f"in scope: 1 of {n} attacks covered, 2 with tests",
            "tested, but outside the model's scope: ripple, badencoder, ppt",
            "Threats",
        ] == [
            line
            for line in report_of(result)
            if line and not line.startswith("  ")
        ]

    def test_threats(self, result):
        """
        Each threat tells how many of its attacks in scope are covered,
        lists them, and names its other tags.
        """
        lines = report_of(result)
        threats = [
            " ".join(line.split())
            for line in lines[lines.index("Threats") + 1 :]
        ]

        assert [
            "T1 Weights tampered with (open): 1 of 1 attacks in scope covered",
            "subnet-replacement-attack covered 2 tests: 2 passed",
            "T2 Leaks (open): 0 of 2 attacks in scope covered",
            "model-update-leakage not covered no tests",
            "pii-leakage not covered 1 test: 1 error",
            "outside the model's scope: ppt",
            (
                "T3 Backdoored weights (open): tagged with no attack of the "
                "taxonomy"
            ),
            "also tagged (not counted as attacks): AML.T0018",
        ] == threats

    def test_bad_file(self, pytester, run):
        """
        A model that does not validate is a usage error listing every
        problem, before any test runs.
        """
        pytester.makepyfile(test_tagged=TAGGED)
        pytester.makefile(
            ".toml",
            bad='name = "x"\n[scope]\nstages = ["desgn"]\n'
            '[[threats]]\nid = "T1"\ntitle = "t"\ntags = ["ripplee"]\n',
        )

        result = run("--threat-model", "bad.toml")

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        assert [
            "ERROR: --threat-model: 2 problems in bad.toml:",
            (
                "  - bad.toml: scope.stages[0]: error: unknown stage "
                "'desgn'; did you mean 'design'?"
            ),
            (
                "  - bad.toml: threats[0].tags[0]: error: unknown attack "
                "'ripplee'; did you mean 'ripple'?"
            ),
        ] == result.stderr.lines[:3]
        assert "Traceback" not in result.stderr.str()
        assert "test_tagged" not in result.stdout.str()

    def test_missing_file(self, run):
        """
        A file that cannot be read is a usage error naming it.
        """
        result = run("--threat-model", "nowhere.toml")

        assert pytest.ExitCode.USAGE_ERROR == result.ret
        result.stderr.fnmatch_lines(
            [
                "ERROR: --threat-model: 1 problem in nowhere.toml:",
                "  - nowhere.toml: error: cannot read the file: *",
            ]
        )


class TestXdist:
    """
    Under pytest-xdist, the report and the errors are those of a serial
    run.
    """

    def test_same_report(self, pytester, run, xdist):
        """
        The report of a run on two workers is that of a serial run.
        """
        pytester.makepyfile(test_tagged=TAGGED, test_outcomes=OUTCOMES)

        serial = run("--threat-report", "-v")
        spread = xdist("--threat-report", "-v")

        assert (
            "covered 3 tests: 2 passed, 1 failed"
            == (rows_of(spread)["ripple"])
        )
        assert report_of(serial) == report_of(spread)

    def test_same_model_report(self, pytester, run, xdist):
        """
        The report on a threat model on two workers is that of a serial
        run.
        """
        pytester.makepyfile(test_tagged=TAGGED)
        pytester.makefile(".toml", threats=THREAT_MODEL)

        serial = run("--threat-model", "threats.toml")
        spread = xdist("--threat-model", "threats.toml")

        assert "Threats" in report_of(spread)
        assert report_of(serial) == report_of(spread)

    def test_same_errors(self, pytester, run, xdist):
        """
        Bad markers stop a run on two workers with exit status 4 and the
        messages of a serial run.
        """
        pytester.makepyfile(
            test_typo="""
            import pytest

            @pytest.mark.threat("ripplee", "decree")
            def test_poisoned():
                pass

            def test_plain():
                pass
            """
        )

        serial = run("--threat-report")
        spread = xdist("--threat-report")

        assert pytest.ExitCode.USAGE_ERROR == spread.ret
        assert "INTERNALERROR" not in spread.stdout.str() + spread.stderr.str()
        assert "threat report" not in spread.stdout.str()
        assert serial.stderr.lines == spread.stderr.lines


class TestCost:
    """
    A run that uses neither the marker nor the options does not load the
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
        Without markers and without the options, the taxonomy stays
        unloaded.
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
            (
                f"all stages: 0 of {len(tax.attacks)} attacks covered, "
                "0 with tests"
            )
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
