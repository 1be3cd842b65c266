"""
A pytest plugin that ties security tests to the attacks of the taxonomy.

It comes with the package and pytest loads it by itself: there is nothing
to install or configure.

Tag a test with the attacks it exercises, by their taxonomy ids::

    import pytest


    @pytest.mark.threat("ripple", "badencoder")
    def test_rejects_poisoned_weights(): ...

A marker takes what a threat model's tags take: attack ids, and MITRE
ATLAS technique ids (``"AML.T0018"``) or OWASP ML Top 10 ids (``"ML06"``),
which stand for the attacks the crosswalk maps to them (for a technique,
to it and to its sub-techniques).
The marker is registered, so ``--strict-markers`` accepts it.
A typo, or the id of a defense, a paper, a stage or an ATLAS mitigation,
stops the run with exit status 4 before any test runs, with every bad
marker listed at once:

.. code-block:: text

    ERROR: 2 problems in @pytest.mark.threat markers:
      - test_weights.py::test_rejects_poisoned_weights: unknown attack 'ripplee'; did you mean 'ripple'?
      - test_weights.py::test_decree: unknown attack 'decree': 'decree' is a defense; tag the attack it counters instead: 'badencoder' (basis: evaluated)

Run ``pytest --threat-report`` to see, for each stage of the lifecycle,
each attack's tests by outcome (passed, failed, skipped, xfailed, xpassed,
error), and whether the attack is covered: an attack is covered only when
at least one of its tests passed.
With ``-v``, the report lists the tests of each attack too:

.. code-block:: text

    ================================ threat report =================================
    An attack is covered when at least one of its tests passed.

    Model design (design)
      ripple                                 covered      2 tests: 1 passed, 1 failed
      layerwise-weight-poisoning             not covered  no tests
      ...
    design: 1 of 16 attacks covered, 1 with tests
    ...
    all stages: 1 of 42 attacks covered, 1 with tests

``--threat-model FILE`` (which implies ``--threat-report``) limits the
report to the attacks in the threat model's scope, as
:func:`~dnn_supply_chain.coverage_report` counts them, and shows, for each
of its threats, whether its attacks have passing tests.

A test tagged with several attacks counts once for each of them.
Only the tests that ran count: ``-k``, ``-m`` and ``-x`` narrow the
report, but every marker is checked, selected or not.
Under pytest-xdist the report, and the errors, are those of a serial run.

A run that uses neither the marker nor the options does not load the
taxonomy.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, NamedTuple

import pytest


if TYPE_CHECKING:
    from ._taxonomy import Taxonomy
    from .threat_model import CoverageReport, Threat


__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_testnodedown",
]

_MARKER: Final = "threat"
_REPORT_PLUGIN: Final = "dnn_supply_chain-threat-report"

# The outcomes of a test, in the order the report gives them.
_OUTCOMES: Final = (
    "passed",
    "failed",
    "skipped",
    "xfailed",
    "xpassed",
    "error",
)

# How a hint names each basis of counter evidence: whether the link was
# tested.
_BASIS_HINT: Final[dict[str, str]] = {
    "evaluated": "basis: evaluated",
    "claimed": "basis: claimed, untested",
    "mechanism": "basis: mechanism, untested",
}

# An xdist worker hands the marker problems to the controller in its
# output, under this key.
_PROBLEMS: Final = "dnn_supply_chain_marker_problems"

# The attribute of a test report that carries the tags of its test, so
# that reports sent from xdist workers bring them to the controller.
_REPORT_TAGS: Final = "dnn_supply_chain_threat"


class _Tags(NamedTuple):
    """
    What the threat markers of a test stand for.
    """

    attacks: tuple[str, ...]
    # ATLAS and OWASP ids that no attack of the taxonomy is mapped to.
    unmapped: tuple[str, ...]


class _Checked(NamedTuple):
    """
    One marker argument, checked.
    """

    attacks: tuple[str, ...] = ()
    unmapped: str | None = None
    problem: str | None = None
    deprecation: str | None = None


# The tags of each tagged item, and the place of each item in the run.
_TAGS = pytest.StashKey[_Tags]()
_ORDER = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """
    Add ``--threat-report`` and ``--threat-model`` to the
    ``dnn-supply-chain`` option group.
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
            "at the end of the run, show for each lifecycle stage the "
            "tests tagged with @pytest.mark.threat of each taxonomy attack "
            "by outcome, and which attacks are covered (at least one "
            "passed test)."
        ),
    )
    group.addoption(
        "--threat-model",
        action="store",
        default=None,
        dest="threat_model",
        metavar="FILE",
        help=(
            "limit the threat report to the attacks in the scope of the "
            "threat model FILE (.toml or .json), and show for each of its "
            "threats whether its attacks have passing tests; implies "
            "--threat-report."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    """
    Register the ``threat`` marker, and the report if it is asked for.

    Raises:
        pytest.UsageError: The ``--threat-model`` file cannot be read or
            does not validate; the message lists every problem.
    """
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*ids): the attacks of the dnn-supply-chain taxonomy "
        "that this test covers, by attack id, or by ATLAS technique or "
        "OWASP ML Top 10 id for the attacks mapped to it, for example "
        f"@pytest.mark.{_MARKER}('ripple'); see --threat-report.",
    )
    path: str | None = config.getoption("threat_model")
    if not config.getoption("threat_report") and path is None:
        return
    # Only the controller of an xdist run prints the report.
    model = (
        None if path is None or _is_worker(config) else (path, _model(path))
    )
    config.pluginmanager.register(_ThreatReport(config, model), _REPORT_PLUGIN)


# First, so that tests that -k or -m deselect are checked too.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """
    Check the ids of every ``threat`` marker against the taxonomy.

    The taxonomy is loaded only if some collected test has the marker.
    In an xdist worker, the problems go to the controller, which raises
    the error (see :func:`pytest_testnodedown`), and no test runs.

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

    message = _check_items(tagged)
    if message is None:
        return
    output = getattr(config, "workeroutput", None)
    if output is None:
        raise pytest.UsageError(message)
    # Raised in a worker, the error would be the controller's
    # INTERNALERROR: send it there instead.
    output[_PROBLEMS] = message
    items.clear()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:  # noqa: ARG001
    """
    In the controller of an xdist run, raise the marker problems a worker
    found, as a serial run does.

    Raises:
        pytest.UsageError: The worker found bad markers.
    """
    output = getattr(node, "workeroutput", None)
    if isinstance(output, dict) and _PROBLEMS in output:
        raise pytest.UsageError(output[_PROBLEMS])


def _is_worker(config: pytest.Config) -> bool:
    """
    Tell whether this process is an xdist worker.
    """
    return hasattr(config, "workerinput")


def _load() -> Taxonomy:
    """
    Return the taxonomy, with the installed extensions.

    Raises:
        pytest.UsageError: It cannot be loaded (a bad extension).
    """
    from ._loading import load
    from .exceptions import DnnSupplyChainError

    try:
        return load()
    except DnnSupplyChainError as exc:
        msg = f"cannot load the dnn-supply-chain taxonomy: {exc}"
        raise pytest.UsageError(msg) from None


def _model(path: str) -> CoverageReport:
    """
    Return the coverage report of the threat model in *path*.

    Raises:
        pytest.UsageError: The file cannot be read or does not validate.
    """
    from .exceptions import ThreatModelError
    from .threat_model import coverage_report, read_threat_model

    tax = _load()
    try:
        return coverage_report(read_threat_model(path), tax, source=path)
    except ThreatModelError as exc:
        msg = f"--threat-model: {exc}"
        raise pytest.UsageError(msg) from None


def _check_items(
    tagged: Sequence[tuple[pytest.Item, Sequence[pytest.Mark]]],
) -> str | None:
    """
    Check the markers of *tagged* items and note what they stand for;
    return the message of the usage error, or None if all are good.
    """
    try:
        tax = _load()
    except pytest.UsageError as exc:
        return str(exc)
    problems: list[str] = []
    for item, marks in tagged:
        tags, item_problems, deprecations = _check_marks(tax, marks)
        item.stash[_TAGS] = tags
        for note in deprecations:
            # A warnings filter may turn the warning into an error: then it
            # is a problem like the others, not a crash.
            try:
                item.warn(DeprecationWarning(f"{item.nodeid}: {note}"))
            except DeprecationWarning:
                item_problems.append(note)
        problems.extend(f"{item.nodeid}: {p}" for p in item_problems)
    if not problems:
        return None
    count = len(problems)
    head = (
        f"{count} problem{'s' if count != 1 else ''} in "
        f"@pytest.mark.{_MARKER} markers:"
    )
    return "\n".join([head, *(f"  - {p}" for p in problems)])


def _check_marks(
    tax: Taxonomy, marks: Iterable[pytest.Mark]
) -> tuple[_Tags, list[str], list[str]]:
    """
    Return what *marks* stand for, the problems with them and the
    deprecated ids they use.
    """
    attacks: dict[str, None] = {}
    unmapped: dict[str, None] = {}
    problems: dict[str, None] = {}
    deprecations: dict[str, None] = {}
    for mark in marks:
        if mark.kwargs:
            names = ", ".join(sorted(mark.kwargs))
            problems[
                f"@pytest.mark.{_MARKER} takes ids only, not keyword "
                f"arguments ({names})"
            ] = None
        elif not mark.args:
            problems[
                f"@pytest.mark.{_MARKER} needs at least one attack id, for "
                f"example @pytest.mark.{_MARKER}('ripple')"
            ] = None
        for value in mark.args:
            checked = _check_id(tax, value)
            attacks.update(dict.fromkeys(checked.attacks))
            if checked.unmapped is not None:
                unmapped[checked.unmapped] = None
            if checked.problem is not None:
                problems[checked.problem] = None
            if checked.deprecation is not None:
                deprecations[checked.deprecation] = None
    order = {a.id: n for n, a in enumerate(tax.attacks)}
    tags = _Tags(
        tuple(sorted(attacks, key=order.__getitem__)), tuple(unmapped)
    )
    return tags, list(problems), list(deprecations)


def _check_id(tax: Taxonomy, value: object) -> _Checked:
    """
    Check *value* as a marker argument: an attack id, or a crosswalk id
    (ATLAS, OWASP or NIST) in any letter case.
    """
    from .crosswalk import CROSSWALK_ID
    from .exceptions import UnknownIdError

    if not isinstance(value, str):
        hint = (
            "; pass each id as its own argument"
            if isinstance(value, list | tuple | set | frozenset)
            else ""
        )
        return _Checked(
            problem=(
                f"attack ids are strings, got {value!r} "
                f"({type(value).__name__}){hint}"
            )
        )
    if value not in tax and CROSSWALK_ID.fullmatch(value):
        return _check_crosswalk_id(tax, value)
    from ._taxonomy import current_id

    # A split id has no one successor: attack() says what it became.
    current = current_id(tax, value)
    try:
        attack = tax.attack(current)
    except UnknownIdError as exc:
        return _Checked(problem=str(exc) + _instead(tax, current))
    deprecation = (
        f"{value!r} is deprecated; use {current!r}"
        if current != value
        else None
    )
    return _Checked(attacks=(attack.id,), deprecation=deprecation)


def _check_crosswalk_id(tax: Taxonomy, value: str) -> _Checked:
    """
    Check the crosswalk id *value*: it stands for the attacks mapped to
    it, for a technique to its sub-techniques too, and for a NIST
    objective to the attack classes under it.
    """
    from .crosswalk import AtlasMitigation, load_crosswalk
    from .exceptions import UnknownIdError

    catalog = load_crosswalk()
    try:
        entry = catalog.get(value)
    except UnknownIdError as exc:
        near = " or ".join(repr(s) for s in exc.suggestions)
        return _Checked(
            problem=(
                f"unknown crosswalk id {value!r} ({catalog.editions()})"
                + (f"; did you mean {near}?" if near else "")
            )
        )
    if isinstance(entry, AtlasMitigation):
        return _Checked(
            problem=(
                f"{value!r} is an ATLAS mitigation; tag tests with attacks "
                "or ATLAS techniques"
            )
        )
    attacks = _mapped(tax, entry.id)
    if not attacks:
        return _Checked(unmapped=entry.id)
    return _Checked(attacks=attacks)


def _mapped(tax: Taxonomy, ref: str) -> tuple[str, ...]:
    """
    Return the attacks mapped to the crosswalk entry *ref*, or to what
    sits under it.
    """
    match = tax.crosswalk(ref, subtechniques=True)
    return tuple(a.id for a in match.attacks)


def _instead(tax: Taxonomy, id_: str) -> str:
    """
    Return a hint naming the attacks that a paper or defense *id_* is
    about: a paper's attacks, or the attacks of a defense's strongest
    counter evidence, with its basis.
    """
    if id_ not in tax:
        return ""
    kind = tax.kind_of(id_)
    basis = ""
    if kind == "paper":
        attacks = [
            rec.id
            for rec in tax.records_of(id_)
            if tax.kind_of(rec.id) == "attack"
        ]
        verb = "introduced"
    elif kind == "defense":
        links = tax.counter_evidence(defense=id_)
        if not links:
            return (
                "; no counter evidence links it to an attack: tag the "
                "attacks the test exercises"
            )
        attacks = [
            link.attack for link in links if link.basis == links[0].basis
        ]
        verb = "counters"
        strongest = links[0].basis
        basis = f" ({_BASIS_HINT.get(strongest, f'basis: {strongest}')})"
    else:
        return ""
    if not attacks:
        return ""
    noun = "attack it" if len(attacks) == 1 else "attacks it"
    names = ", ".join(repr(a) for a in attacks)
    return f"; tag the {noun} {verb} instead: {names}{basis}"


class _Test:
    """
    What the report knows of one tagged test: its place in the run, its
    tags and the outcome of each of its phases.
    """

    __slots__ = ("attacks", "order", "phases", "unmapped")

    def __init__(
        self, order: int, attacks: Sequence[str], unmapped: Sequence[str]
    ) -> None:
        self.order = order
        self.attacks = tuple(attacks)
        self.unmapped = tuple(unmapped)
        self.phases: dict[str, str] = {}

    @property
    def outcome(self) -> str | None:
        """
        One of :data:`_OUTCOMES`, or None for a test that did not run.

        A failed setup is an error; a failed teardown makes an error of a
        test that did not fail.
        """
        setup = self.phases.get("setup")
        if setup == "failed":
            return "error"
        outcome = self.phases.get("call")
        if outcome is None and setup not in (None, "passed"):
            outcome = setup
        if self.phases.get("teardown") == "failed" and outcome != "failed":
            return "error"
        return outcome


def _phase(report: pytest.TestReport) -> str:
    """
    Return the outcome of one phase of a test.
    """
    expected_to_fail = hasattr(report, "wasxfail")
    if report.passed:
        return "xpassed" if expected_to_fail else "passed"
    if report.skipped:
        return "xfailed" if expected_to_fail else "skipped"
    return "failed"


# A test in the report: its node id and its outcome.
_Run = tuple[str, str]


class _ThreatReport:
    """
    The ``--threat-report`` plugin: notes the outcome of each tagged test,
    and prints the report.

    Tags travel on the test reports, so that under pytest-xdist the
    controller, which prints the report, sees those of the workers' tests.
    """

    def __init__(
        self,
        config: pytest.Config,
        model: tuple[str, CoverageReport] | None,
    ) -> None:
        self._config = config
        self._model = model
        self._tests: dict[str, _Test] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """
        Note the place of each test in the run, to list tests in it.
        """
        for order, item in enumerate(session.items):
            item.stash[_ORDER] = order

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """
        Give the report of each phase of a tagged test the test's tags.
        """
        report = yield
        tags = item.stash.get(_TAGS, None)
        if tags is not None:
            setattr(
                report,
                _REPORT_TAGS,
                (item.stash.get(_ORDER, 0), tags.attacks, tags.unmapped),
            )
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """
        Note the outcome of a phase of a tagged test.
        """
        tags = getattr(report, _REPORT_TAGS, None)
        if tags is None:
            return
        test = self._tests.get(report.nodeid)
        if test is None:
            order, attacks, unmapped = tags
            test = self._tests[report.nodeid] = _Test(order, attacks, unmapped)
        test.phases[report.when] = _phase(report)

    def pytest_terminal_summary(
        self,
        terminalreporter: pytest.TerminalReporter,
        exitstatus: pytest.ExitCode,
    ) -> None:
        """
        Print the report, unless a usage error stopped the run.
        """
        if exitstatus == pytest.ExitCode.USAGE_ERROR or _is_worker(
            self._config
        ):
            return

        tax = _load()
        runs: dict[str, list[_Run]] = {}
        for nodeid, test in sorted(
            self._tests.items(), key=lambda kv: (kv[1].order, kv[0])
        ):
            outcome = test.outcome
            if outcome is None:
                continue
            for ref in (*test.attacks, *test.unmapped):
                runs.setdefault(ref, []).append((nodeid, outcome))
        rows = _Rows(tax, runs, verbose=self._config.get_verbosity() > 0)
        lines = (
            _report_lines(tax, rows)
            if self._model is None
            else _model_lines(tax, rows, *self._model)
        )
        terminalreporter.write_sep("=", "threat report")
        for line in lines:
            terminalreporter.write_line(line)


class _Rows:
    """
    The rows of the report: one for each attack (or unmapped id), with the
    outcomes of its tests.
    """

    def __init__(
        self,
        tax: Taxonomy,
        runs: Mapping[str, Sequence[_Run]],
        *,
        verbose: bool,
    ) -> None:
        self.runs = runs
        self.verbose = verbose
        attacks = {a.id for a in tax.attacks}
        #: The ATLAS and OWASP ids of tests that no attack is mapped to.
        self.unmapped = tuple(sorted(r for r in runs if r not in attacks))
        self.width = max(
            (len(ref) for ref in (*(a.id for a in tax.attacks), *runs)),
            default=0,
        )

    def covered(self, ref: str) -> bool:
        """
        Tell whether at least one test of *ref* passed.
        """
        return any(o == "passed" for _, o in self.runs.get(ref, ()))

    def tested(self, ref: str) -> bool:
        """
        Tell whether *ref* has tests.
        """
        return bool(self.runs.get(ref))

    def lines(self, ref: str, *, indent: str = "  ") -> list[str]:
        """
        Return the row of *ref*, followed by its tests when verbose.
        """
        runs = self.runs.get(ref, ())
        if runs:
            counts = Counter(o for _, o in runs)
            n = len(runs)
            status = f"{n} test{'s' if n != 1 else ''}: " + ", ".join(
                f"{counts[o]} {o}" for o in _OUTCOMES if counts[o]
            )
        else:
            status = "no tests"
        if ref in self.unmapped:
            state = "not mapped"
        else:
            state = "covered" if self.covered(ref) else "not covered"
        lines = [f"{indent}{ref:<{self.width}}  {state:<11}  {status}"]
        if self.verbose:
            lines += [f"{indent}    {o:<7}  {nodeid}" for nodeid, o in runs]
        return lines

    def total(self, label: str, refs: Sequence[str]) -> str:
        """
        Return the summary line of the attacks *refs*.
        """
        covered = sum(self.covered(r) for r in refs)
        tested = sum(self.tested(r) for r in refs)
        return (
            f"{label}: {covered} of {len(refs)} attacks covered, "
            f"{tested} with tests"
        )


_LEGEND: Final = "An attack is covered when at least one of its tests passed."


def _unmapped_lines(rows: _Rows) -> list[str]:
    """
    Return the section of the ids that no attack is mapped to, if any
    test has one.
    """
    if not rows.unmapped:
        return []
    lines = ["", "Tags that no attack of the taxonomy is mapped to"]
    for ref in rows.unmapped:
        lines += rows.lines(ref)
    return lines


def _report_lines(tax: Taxonomy, rows: _Rows) -> list[str]:
    """
    Return the lines of the report on the whole taxonomy.
    """
    lines = [_LEGEND, ""]
    for stage in tax.stages:
        attacks = [a.id for a in tax.attacks_in(stage.id)]
        lines.append(f"{stage.name} ({stage.id})")
        for attack in attacks:
            lines += rows.lines(attack)
        lines += [rows.total(stage.id, attacks), ""]
    lines.append(rows.total("all stages", [a.id for a in tax.attacks]))
    return lines + _unmapped_lines(rows)


def _model_lines(
    tax: Taxonomy, rows: _Rows, path: str, report: CoverageReport
) -> list[str]:
    """
    Return the lines of the report on the attacks in the scope of the
    threat model in *path*, and on each of its threats.
    """
    model = report.model
    lines = [f"Threat model: {model.name} ({path})", _LEGEND, ""]
    in_scope: list[str] = []
    for coverage in report.stages:
        attacks = [a.id for a in coverage.attacks]
        in_scope += attacks
        categories = (
            f", categories: {', '.join(coverage.categories)}"
            if coverage.categories
            else ""
        )
        lines.append(
            f"{coverage.stage.name} ({coverage.stage.id}){categories}"
        )
        for attack in attacks:
            lines += rows.lines(attack)
        lines += [rows.total(coverage.stage.id, attacks), ""]
    lines.append(rows.total("in scope", in_scope))
    scope = set(in_scope)
    outside = [
        a.id for a in tax.attacks if rows.tested(a.id) and a.id not in scope
    ]
    if outside:
        lines.append(
            "tested, but outside the model's scope: " + ", ".join(outside)
        )
    lines += ["", "Threats"]
    for threat in model.threats:
        lines += _threat_lines(tax, rows, threat, scope)
    return lines + _unmapped_lines(rows)


def _threat_lines(
    tax: Taxonomy, rows: _Rows, threat: Threat, scope: set[str]
) -> list[str]:
    """
    Return the lines of one threat: whether its attacks in scope are
    covered, and which of its attacks are outside the scope.
    """
    attacks, others = _threat_tags(tax, threat)
    shown = [a for a in attacks if a in scope]
    outside = [a for a in attacks if a not in scope]
    head = f"  {threat.id} {threat.title} ({threat.status})"
    if attacks:
        covered = sum(rows.covered(a) for a in shown)
        lines = [f"{head}: {covered} of {len(shown)} attacks in scope covered"]
    else:
        lines = [f"{head}: tagged with no attack of the taxonomy"]
    for attack in shown:
        lines += rows.lines(attack, indent="    ")
    if outside:
        lines.append("    outside the model's scope: " + ", ".join(outside))
    if others:
        lines.append(
            "    also tagged (not counted as attacks): " + ", ".join(others)
        )
    return lines


def _threat_tags(tax: Taxonomy, threat: Threat) -> tuple[list[str], list[str]]:
    """
    Return the attacks a threat is tagged with, as the coverage report
    counts them (a deprecated id stands for its successor), in taxonomy
    order, and its other tags (crosswalk ids, as the catalogue spells
    them), in file order.
    """
    from ._taxonomy import current_id
    from .crosswalk import load_crosswalk
    from .exceptions import UnknownIdError

    attacks: set[str] = set()
    others: dict[str, None] = {}
    for tag in threat.tags:
        current = current_id(tax, tag.id)
        if current in tax and tax.kind_of(current) == "attack":
            attacks.add(current)
            continue
        try:
            others[load_crosswalk().get(tag.id).id] = None
        except UnknownIdError:
            others[tag.id] = None
    return [a.id for a in tax.attacks if a.id in attacks], list(others)
