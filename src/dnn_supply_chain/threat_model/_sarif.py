"""
The check of a threat model as a SARIF 2.1.0 log, for code scanning.

Each gap, open threat, unsupported mitigation and problem of the file is
one result, located at the line where its entry starts; its level follows
the policy the check is run with.
"""

from __future__ import annotations

import os

from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any, Final, Literal

import attrs

from dnn_supply_chain.exceptions import Location, Problem, format_location

from ._lines import Positions, locate, positions
from ._model import FAIL_POLICIES, Diagnostic, FailPolicy
from ._report import CoverageReport


__all__ = ["RULES", "sarif_log"]

SARIF_VERSION: Final = "2.1.0"
# The official schema's own id (reference/sarif-schema-2.1.0.json).
SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_DOCS: Final = (
    "See 'SARIF for code scanning' in the dnn-supply-chain guide to "
    "threat models (docs/threat-models.md)."
)

_Level = Literal["error", "warning", "note"]


@attrs.frozen(kw_only=True)
class Rule:
    """
    One kind of result: its stable id and name, what it means, and the
    first policy of :data:`FAIL_POLICIES` that fails on it (None for a
    problem of the file, which is always an error, or a warning, which
    is always a note).
    """

    id: str
    name: str
    short: str
    full: str
    fix: str
    policy: FailPolicy | None = None
    warning: bool = False

    def level(self, policy: FailPolicy) -> _Level:
        """
        The level of this rule's results under *policy*.
        """
        if self.warning:
            return "note"
        if self.policy is None:
            return "error"
        reached = FAIL_POLICIES.index(policy) >= FAIL_POLICIES.index(
            self.policy
        )
        return "error" if reached else "warning"

    def to_sarif(self, policy: FailPolicy) -> dict[str, Any]:
        """
        The rule as a SARIF ``reportingDescriptor``.
        """
        if self.policy is not None:
            cut = FAIL_POLICIES.index(self.policy)
            when = (
                f"It is an error with --fail-on {_either(FAIL_POLICIES[cut:])}, "
                f"a warning with {_either(FAIL_POLICIES[:cut])}."
            )
        elif self.warning:
            when = "It is a note: warnings never fail the check."
        else:
            when = "It is always an error: the file is invalid."
        text = f"{self.full} {self.fix} {when} {_DOCS}"
        markdown = (
            f"{self.full}\n\n**Fix:** {self.fix}\n\n{when}\n\n"
            "See *SARIF for code scanning* in the dnn-supply-chain guide to "
            "threat models (`docs/threat-models.md`)."
        )
        return {
            "id": self.id,
            "name": self.name,
            "shortDescription": {"text": self.short},
            "fullDescription": {"text": self.full},
            "help": {"text": text, "markdown": markdown},
            "defaultConfiguration": {"level": self.level(policy)},
        }


#: The rules, in id order.  Their ids and names are a public contract:
#: a rule keeps its id for good, and a new rule gets a new one.
RULES: Final = (
    Rule(
        id="DSC001",
        name="attack-not-considered",
        short="An attack in scope that no threat considers",
        full="An attack of a stage in the model's scope, which applies to "
        "its modalities, is tagged on no threat: a gap.",
        fix="Add a threat tagged with the attack, or mark one "
        "'not-applicable' with a rationale.",
        policy="gaps",
    ),
    Rule(
        id="DSC002",
        name="threat-without-mitigation",
        short="An open threat that no mitigation lists",
        full="A threat whose status is 'open' is in the 'mitigates' list of "
        "no mitigation: a gap.",
        fix="Add a mitigation that lists it, or accept it with a rationale.",
        policy="gaps",
    ),
    Rule(
        id="DSC003",
        name="open-threat",
        short="A threat still open",
        full="A threat whose status is 'open'.",
        fix="Mitigate it, accept it, or mark it 'not-applicable', each with "
        "what it takes.",
        policy="open",
    ),
    Rule(
        id="DSC004",
        name="unsupported-mitigation",
        short="A mitigation without counter evidence",
        full="The taxonomy has no counter evidence, at the check's basis or "
        "stronger, that the mitigation's defenses counter its threats' "
        "attacks.",
        fix="Tag the mitigation with defenses that counter those attacks, "
        "or check that it does what it claims.",
        policy="unsupported",
    ),
    Rule(
        id="DSC005",
        name="invalid-tag",
        short="A tag the taxonomy does not accept",
        full="A tag of a threat or a mitigation is unknown, of the wrong "
        "kind, or names a record by another name.",
        fix="Use the id the message suggests.",
    ),
    Rule(
        id="DSC006",
        name="invalid-threat-model",
        short="A threat-model file that does not validate",
        full="The file cannot be read, is not valid TOML or JSON, or does "
        "not follow the threat-model format.",
        fix="Fix what the message names.",
    ),
    Rule(
        id="DSC007",
        name="threat-model-warning",
        short="A warning about the threat model",
        full="Something of the file that the check warns about, such as a "
        "deprecated id or a tag outside the scope; the file stays valid.",
        fix="Follow the message.",
        warning=True,
    ),
)
_INDEX: Final = {rule.id: i for i, rule in enumerate(RULES)}


def sarif_log(
    checked: CoverageReport | Iterable[Diagnostic],
    path: str | os.PathLike[str],
    *,
    text: str = "",
    policy: FailPolicy = "gaps",
    root: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """
    Return the check of the threat-model file *path* as a SARIF 2.1.0 log:
    JSON-compatible data, for GitHub code scanning and other SARIF tools.

    Each attack not considered, open threat without a mitigation, open
    threat and unsupported mitigation of *checked* is one result (of rule
    ``DSC001`` to ``DSC004``), and so is each of its warnings
    (``DSC007``); for a file that does not validate, each problem is one
    (``DSC005`` for a tag, ``DSC006`` for anything else, ``DSC007`` for
    a warning).  A result is located at the line where its entry starts in
    *text*: a threat's or a mitigation's ``[[threats]]`` or
    ``[[mitigations]]`` header in TOML, or its object in JSON; a tag's
    item; an attack not considered, at line 1, for the file as a whole.
    Results are in file order.

    Args:
        checked: The coverage report of the file, or the diagnostics of a
            file that does not validate.
        path: The file; the result's artifact is its path relative to
            *root* (``uriBaseId`` ``%SRCROOT%``), or its absolute
            ``file:`` URI if it is outside *root*.
        text: The text of the file, to find the lines in; TOML unless
            *path* ends in ``.json``.  Without it, every result is at
            line 1.
        policy: The :data:`FAIL_POLICIES` policy of the check: a result
            that makes it fail is an ``error``, another a ``warning``; a
            problem of the file is always an ``error``, a warning a
            ``note``.
        root: The directory paths are relative to (default: the working
            directory).

    Raises:
        ValueError: *policy* is not one of :data:`FAIL_POLICIES`.

    .. versionadded:: 0.2.0
    """
    from importlib.metadata import version

    if policy not in FAIL_POLICIES:
        msg = (
            f"policy must be one of {', '.join(FAIL_POLICIES)}, not {policy!r}"
        )
        raise ValueError(msg)
    # Lexically, as the user named them: a symlink stays a symlink.
    base = Path(os.path.abspath(Path.cwd() if root is None else root))  # noqa: PTH100
    found = positions(text, toml=not str(path).lower().endswith(".json"))
    artifact, base_ids = _artifact(Path(path), base)
    if isinstance(checked, CoverageReport):
        results = _report_results(checked, found)
        properties = {"failed": checked.fails(policy), "valid": True}
    else:
        problems = tuple(checked)
        results = [_problem_result(p, found) for p in problems]
        properties = {
            "failed": any(p.severity == "error" for p in problems),
            "valid": not any(p.severity == "error" for p in problems),
        }
    results.sort(key=lambda r: r.at)
    release = version("dnn-supply-chain")
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dnn-supply-chain",
                "version": release,
                "semanticVersion": release,
                "rules": [rule.to_sarif(policy) for rule in RULES],
            }
        },
        "automationDetails": {"id": f"dnn-supply-chain/{artifact['uri']}/"},
        "invocations": [
            {
                "executionSuccessful": True,
                "properties": {"failOn": policy, **properties},
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [r.to_sarif(artifact, policy) for r in results],
    }
    if base_ids:
        run["originalUriBaseIds"] = base_ids
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


@attrs.frozen(kw_only=True)
class _Found:
    """
    One result: where, of which rule, what it says.
    """

    at: tuple[int, int]
    rule: str
    message: str
    properties: dict[str, Any] = attrs.field(factory=dict)

    def to_sarif(
        self, artifact: dict[str, Any], policy: FailPolicy
    ) -> dict[str, Any]:
        index = _INDEX[self.rule]
        line, column = self.at
        result: dict[str, Any] = {
            "ruleId": self.rule,
            "ruleIndex": index,
            "level": RULES[index].level(policy),
            "message": {"text": _one_line(self.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {"startLine": line, "startColumn": column},
                    }
                }
            ],
        }
        if self.properties:
            result["properties"] = self.properties
        return result


def _report_results(report: CoverageReport, found: Positions) -> list[_Found]:
    out = [
        _Found(
            at=(1, 1),
            rule="DSC001",
            message=f"attack {a.id!r} ({a.name}) of stage {s.stage.id!r} "
            "is in scope, and no threat considers it",
            properties={"attack": a.id, "stage": s.stage.id},
        )
        for s in report.stages
        for a in s.not_considered
    ]
    unmitigated = {id(t) for t in report.unmitigated}
    for i, threat in enumerate(report.model.threats):
        if threat.status != "open":
            continue
        at = locate(found, ("threats", i))
        named = {"threat": threat.id}
        what = f"threat {threat.id!r} ({threat.title}) is open"
        if id(threat) in unmitigated:
            out.append(
                _Found(
                    at=at,
                    rule="DSC002",
                    message=f"{what}, and no mitigation lists it",
                    properties=named,
                )
            )
        out.append(
            _Found(at=at, rule="DSC003", message=what, properties=named)
        )
    unsupported = {id(m.mitigation): m for m in report.unsupported}
    for i, mitigation in enumerate(report.model.mitigations):
        support = unsupported.get(id(mitigation))
        if support is None:
            continue
        attacks = ", ".join(repr(a.id) for a in support.without_evidence)
        out.append(
            _Found(
                at=locate(found, ("mitigations", i)),
                rule="DSC004",
                message=f"mitigation {mitigation.id!r} ({mitigation.title}) "
                "is unsupported: no counter evidence that its defenses "
                f"counter {attacks}",
                properties={"mitigation": mitigation.id},
            )
        )
    out += [_problem_result(w, found) for w in report.warnings]
    return out


def _is_tag(location: Location) -> bool:
    return (
        len(location) >= 4  # noqa: PLR2004 - ("threats", i, "tags", j)
        and location[0] in ("threats", "mitigations")
        and isinstance(location[1], int)
        and location[2] == "tags"
    )


def _problem_result(problem: Problem, found: Positions) -> _Found:
    if problem.severity == "warning":
        rule = "DSC007"
    elif _is_tag(problem.location):
        rule = "DSC005"
    else:
        rule = "DSC006"
    if problem.position is not None and not problem.location:
        at = problem.position
    else:
        at = locate(found, problem.location)
    where = format_location(problem.location) if problem.location else ""
    return _Found(
        at=at,
        rule=rule,
        message=f"{where}: {problem.message}" if where else problem.message,
        properties={"path": where} if where else {},
    )


_SRCROOT: Final = (
    "The working directory of the check: the repository's root in CI."
)


def _artifact(path: Path, base: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """
    The artifact location of *path*, and the ``originalUriBaseIds`` it
    needs.
    """
    from urllib.parse import quote

    full = Path(os.path.abspath(path))  # noqa: PTH100 - as for the base
    try:
        relative = full.relative_to(base)
    except ValueError:
        return {"uri": full.as_uri()}, {}
    uri = quote(PurePath(relative).as_posix(), safe="/")
    # The base is described, not given: its absolute URI would write the
    # machine's paths into a log that is uploaded.
    return (
        {"uri": uri, "uriBaseId": "%SRCROOT%"},
        {"%SRCROOT%": {"description": {"text": _SRCROOT}}},
    )


def _either(words: tuple[str, ...]) -> str:
    return (
        " or ".join((", ".join(words[:-1]), words[-1]))
        if len(words) > 1
        else words[0]
    )


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")
