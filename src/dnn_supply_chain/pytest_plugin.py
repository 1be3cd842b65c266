"""
A pytest plugin that ties security tests to the attacks of the taxonomy.

It comes with the package and pytest loads it by itself: there is nothing
to install or configure.

Tag a test with the attacks it exercises, by their taxonomy ids::

    import pytest


    @pytest.mark.threat("ripple", "badencoder")
    def test_rejects_poisoned_weights(): ...

The marker is registered, so ``--strict-markers`` accepts it.
Every id must be an attack of the taxonomy.
A typo, or the id of a defense, a paper or a stage, stops the run before
any test runs, with every bad marker listed at once:

.. code-block:: text

    ERROR: 2 problems in @pytest.mark.threat markers:
      - test_weights.py::test_rejects_poisoned_weights: unknown attack 'ripplee'; did you mean 'ripple'?
      - test_weights.py::test_decree: unknown attack 'decree': 'decree' is a defense; tag the attack it counters instead: 'badencoder'

Run ``pytest --threat-report`` to see, for each stage of the lifecycle,
which attacks have tests, how many of those tests passed, and which
attacks have none:

.. code-block:: text

    ================================ threat report =================================
    Model design (design)
      ripple                                 2 tests, 1 passed
      layerwise-weight-poisoning             no tests
      ...
    design: 1 of 16 attacks have tests

    Secondary development (secondary-development)
      ...
    secondary-development: 0 of 19 attacks have tests
    ...
    all stages: 1 of 42 attacks have tests

A test tagged with several attacks counts once for each of them.
Only the tests that a run selects are counted: ``-k`` and ``-m`` narrow
the report, but every marker is checked, selected or not.

A run that uses neither the marker nor the option does not load the
taxonomy.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import pytest


if TYPE_CHECKING:
    from ._taxonomy import Taxonomy


__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
]

_MARKER: Final = "threat"
_REPORT_PLUGIN: Final = "dnn_supply_chain-threat-report"

# The checked attack ids of each tagged item, for the report.
_ATTACKS = pytest.StashKey[tuple[str, ...]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """
    Add ``--threat-report`` to the ``dnn-supply-chain`` option group.
    """
    group = parser.getgroup(
        "dnn-supply-chain", "dnn-supply-chain threat markers"
    )
    group.addoption(
        "--threat-report",
        action="store_true",
        default=False,
        dest="threat_report",
        help=(
            "at the end of the run, show for each lifecycle stage which "
            "taxonomy attacks have tests tagged with @pytest.mark.threat, "
            "how many of them passed, and which attacks have none."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    """
    Register the ``threat`` marker, and the report if it is asked for.
    """
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*attack_ids): the attacks of the dnn-supply-chain "
        "taxonomy that this test covers, for example "
        f"@pytest.mark.{_MARKER}('ripple'); see --threat-report.",
    )
    if config.getoption("threat_report"):
        config.pluginmanager.register(_ThreatReport(), _REPORT_PLUGIN)


# First, so that tests that -k or -m deselect are checked too.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """
    Check the ids of every ``threat`` marker against the taxonomy.

    The taxonomy is loaded only if some collected test has the marker.

    Raises:
        pytest.UsageError: Some markers are bad; the message lists every
            problem, each with the node id of its test.
    """
    tagged = [
        (item, marks)
        for item in items
        if (marks := list(item.iter_markers(name=_MARKER)))
    ]
    if not tagged:
        return

    from ._loading import load

    tax = load()
    problems: list[str] = []
    for item, marks in tagged:
        ids, item_problems = _check_marks(tax, marks)
        item.stash[_ATTACKS] = ids
        problems.extend(f"{item.nodeid}: {p}" for p in item_problems)
    if problems:
        count = len(problems)
        head = (
            f"{count} problem{'s' if count != 1 else ''} in "
            f"@pytest.mark.{_MARKER} markers:"
        )
        raise pytest.UsageError(
            "\n".join([head, *(f"  - {p}" for p in problems)])
        )


def _check_marks(
    tax: Taxonomy, marks: Iterable[pytest.Mark]
) -> tuple[tuple[str, ...], list[str]]:
    """
    Return the attack ids of *marks*, and the problems with them.
    """
    ids: dict[str, None] = {}
    problems: dict[str, None] = {}
    for mark in marks:
        if mark.kwargs:
            names = ", ".join(sorted(mark.kwargs))
            problems[
                f"@pytest.mark.{_MARKER} takes attack ids only, not keyword "
                f"arguments ({names})"
            ] = None
        elif not mark.args:
            problems[
                f"@pytest.mark.{_MARKER} needs at least one attack id, for "
                f"example @pytest.mark.{_MARKER}('ripple')"
            ] = None
        for value in mark.args:
            problem = _check_id(tax, value)
            if problem is None:
                ids[value] = None
            else:
                problems[problem] = None
    return tuple(ids), list(problems)


def _check_id(tax: Taxonomy, value: object) -> str | None:
    """
    Return what is wrong with *value* as an attack id, or None.
    """
    from .exceptions import UnknownIdError

    if not isinstance(value, str):
        hint = (
            "; pass each id as its own argument"
            if isinstance(value, list | tuple | set | frozenset)
            else ""
        )
        return (
            f"attack ids are strings, got {value!r} "
            f"({type(value).__name__}){hint}"
        )
    try:
        tax.attack(value)
    except UnknownIdError as exc:
        return str(exc) + _instead(tax, value)
    return None


def _instead(tax: Taxonomy, id_: str) -> str:
    """
    Return a hint naming the attacks that a paper or defense *id_* is about.
    """
    if id_ not in tax:
        return ""
    kind = tax.kind_of(id_)
    if kind == "paper":
        attacks = [
            rec.id
            for rec in tax.records_of(id_)
            if tax.kind_of(rec.id) == "attack"
        ]
        verb = "introduced"
    elif kind == "defense":
        links = tax.counter_evidence(defense=id_)
        # The attacks of its strongest evidence.
        attacks = [
            link.attack for link in links if link.basis == links[0].basis
        ]
        verb = "counters"
    else:
        return ""
    if not attacks:
        return ""
    noun = "attack it" if len(attacks) == 1 else "attacks it"
    return f"; tag the {noun} {verb} instead: " + ", ".join(
        repr(a) for a in attacks
    )


class _ThreatReport:
    """
    The ``--threat-report`` plugin: counts the tagged tests and their
    outcomes, and prints the report.
    """

    def __init__(self) -> None:
        self._tagged: dict[str, tuple[str, ...]] = {}
        self._passed: set[str] = set()
        self._failed: set[str] = set()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """
        Note the tagged tests among those selected to run.
        """
        self._tagged = {
            item.nodeid: ids
            for item in session.items
            if (ids := item.stash.get(_ATTACKS, ()))
        }

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """
        Note the outcome of a tagged test.

        A test passed if its call passed and none of its phases failed.
        """
        if report.nodeid not in self._tagged:
            return
        if report.failed:
            self._failed.add(report.nodeid)
        elif report.when == "call" and report.passed:
            self._passed.add(report.nodeid)

    def pytest_terminal_summary(
        self,
        terminalreporter: pytest.TerminalReporter,
        exitstatus: pytest.ExitCode,
    ) -> None:
        """
        Print the report, unless a usage error stopped the run.
        """
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            return

        from ._loading import load

        tests: Counter[str] = Counter()
        passed: Counter[str] = Counter()
        for nodeid, ids in self._tagged.items():
            tests.update(ids)
            if nodeid in self._passed and nodeid not in self._failed:
                passed.update(ids)
        terminalreporter.write_sep("=", "threat report")
        for line in _report_lines(load(), tests, passed):
            terminalreporter.write_line(line)


def _report_lines(
    tax: Taxonomy, tests: Mapping[str, int], passed: Mapping[str, int]
) -> list[str]:
    """
    Return the lines of the report, given the number of tests and of
    passed tests of each attack.
    """
    width = max((len(attack.id) for attack in tax.attacks), default=0)
    lines: list[str] = []
    covered_total = 0
    for stage in tax.stages:
        attacks = tax.attacks_in(stage.id)
        covered = 0
        lines.append(f"{stage.name} ({stage.id})")
        for attack in attacks:
            count = tests.get(attack.id, 0)
            if count:
                covered += 1
                noun = "test" if count == 1 else "tests"
                status = f"{count} {noun}, {passed.get(attack.id, 0)} passed"
            else:
                status = "no tests"
            lines.append(f"  {attack.id:<{width}}  {status}")
        lines.append(
            f"{stage.id}: {covered} of {len(attacks)} attacks have tests"
        )
        lines.append("")
        covered_total += covered
    lines.append(
        f"all stages: {covered_total} of {len(tax.attacks)} attacks have tests"
    )
    return lines
