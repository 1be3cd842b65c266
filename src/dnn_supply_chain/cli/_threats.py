"""
``check`` and ``init``: threat models, checked against the taxonomy or
started from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import PROG, UsageError, nonempty, one_line, write_file
from ._output import dumps, echo


if TYPE_CHECKING:
    import argparse

    from typing import Literal, TextIO

    from dnn_supply_chain._taxonomy import Taxonomy

    from ._common import Subparsers


_EXAMPLE = "edge-deployment.toml"
_DEFAULT_NAME = "My model"


def register(subparsers: Subparsers) -> None:
    """
    Add ``check`` and ``init`` to *subparsers*.
    """
    _register_check(subparsers)
    _register_init(subparsers)


def _example_text() -> str:
    from dnn_supply_chain._packaged import read_verified_text

    # Checked against the manifest: a damaged example is a broken install.
    return read_verified_text(f"examples/{_EXAMPLE}")


# -- check ------------------------------------------------------------------


def _register_check(subparsers: Subparsers) -> None:
    check = subparsers.add_parser(
        "check",
        help="check a threat model and report its gaps",
        description=(
            "Check a threat model (TOML or JSON) against the taxonomy and "
            "report its coverage, its gaps, and what the counter evidence "
            "says of its mitigations.  Exit 0 when the --fail-on policy "
            "holds, 1 when it fails, 2 when the file is invalid (every "
            "problem of the file is reported)."
        ),
    )
    check.add_argument("file", nargs="?", help="the threat model file")
    check.add_argument(
        "--example",
        action="store_true",
        help="check the example threat model shipped with the package",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "markdown", "navigator", "sarif", "html"),
        default="text",
        help=(
            "report format (default: text); navigator: an ATLAS Navigator "
            "layer of the coverage; sarif: SARIF 2.1.0 for code scanning, "
            "written for an invalid file too; html: a self-contained page "
            "of the coverage"
        ),
    )
    # The library's FAIL_POLICIES, written out so that building the parser
    # imports nothing (tests/test_cli.py checks that they are the same).
    check.add_argument(
        "--fail-on",
        choices=("never", "gaps", "open", "unsupported"),
        default="gaps",
        help=(
            "each policy fails on its own condition and on those before "
            "it: never: only an invalid file fails; gaps (default): an "
            "attack in scope that no threat considers, or an open threat "
            "without a mitigation; open: any threat still open; "
            "unsupported: a mitigation whose defenses have no evidence "
            "against its threats' attacks"
        ),
    )
    check.add_argument(
        "--basis",
        choices=("evaluated", "claimed", "mechanism"),
        default="mechanism",
        help=(
            "the weakest basis of counter evidence that counts as support "
            "(default: mechanism, all of it)"
        ),
    )
    check.add_argument(
        "-o",
        "--output",
        help=(
            "write the report to this file instead of standard output "
            "(through a temporary file: a failure leaves an existing file "
            "as it was); the exit status is the same"
        ),
    )
    check.set_defaults(handler=_check)


def _check(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> int:
    from dnn_supply_chain._parsing import parse
    from dnn_supply_chain.exceptions import ThreatModelError
    from dnn_supply_chain.threat_model import (
        FAIL_POLICIES,
        coverage_report,
        sarif_log,
    )
    from dnn_supply_chain.threat_model._validate import examine, examine_file

    if args.example == (args.file is not None):
        msg = "name a threat model FILE, or --example (not both)"
        raise UsageError(msg)
    if args.fail_on not in FAIL_POLICIES:
        msg = f"policy must be one of {', '.join(FAIL_POLICIES)}, not {args.fail_on!r}"
        raise UsageError(msg)
    if args.example:
        source = f"<example {_EXAMPLE}>"
        # SARIF names the example by the file `init --example` writes.
        artifact = _EXAMPLE
        original = _example_text()
        model, diagnostics = examine(
            parse(original, toml=True), tax, source=source
        )
    else:
        source = artifact = args.file
        original, model, diagnostics = examine_file(args.file, tax)
    invalid = model is None or any(d.severity == "error" for d in diagnostics)
    if invalid and args.format == "sarif":
        # Code scanning shows why the file is invalid; the problems go to
        # standard error too, and the exit status is still 2.
        log = sarif_log(
            diagnostics, artifact, text=original, policy=args.fail_on
        )
        _write(args, dumps(log), out)
    if model is None or invalid:
        raise ThreatModelError(diagnostics, source=source)
    report = coverage_report(model, tax, source=source, basis=args.basis)
    failed = report.fails(args.fail_on)
    if args.format == "json":
        data = report.to_dict()
        data["policy"] = args.fail_on
        data["failed"] = failed
        text = dumps(data)
    elif args.format == "markdown":
        text = report.to_markdown()
    elif args.format == "navigator":
        from dnn_supply_chain._export._navigator import render_coverage

        text = render_coverage(report, tax)
    elif args.format == "sarif":
        text = dumps(
            sarif_log(report, artifact, text=original, policy=args.fail_on)
        )
    elif args.format == "html":
        from dnn_supply_chain._export import _html

        text = _html.render_coverage(report, tax)
    else:
        verdict = "fails" if failed else "passes"
        text = (
            report.to_text() + f"Policy --fail-on {args.fail_on}: {verdict}.\n"
        )
    _write(args, text, out)
    return 1 if failed else 0


def _write(args: argparse.Namespace, text: str, out: TextIO) -> None:
    """
    Write the report *text* to ``-o`` if given, else to *out*.
    """
    if args.output is None:
        out.write(text)
    else:
        write_file(args.output, text)
        echo(f"wrote {args.output}", err=True)


# -- init -------------------------------------------------------------------


def _inferred_starter(
    tax: Taxonomy, args: argparse.Namespace, fmt: Literal["toml", "json"]
) -> str:
    """
    The starter of the scope inferred from ``--from-bom`` or
    ``--from-model-card``; what was and was not inferred is printed on
    standard error and written in the file.
    """
    from dnn_supply_chain.threat_model import (
        dump_threat_model,
        infer_scope_from_bom,
        infer_scope_from_model_card,
    )

    if args.from_bom is not None:
        inference = infer_scope_from_bom(args.from_bom)
    else:
        inference = infer_scope_from_model_card(args.from_model_card)
    name = None if args.name == _DEFAULT_NAME else args.name
    try:
        model = inference.starter(tax, name=name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    comments: dict[str, dict[str, str]] = {}
    summary = [f"inferred from {inference.source}:"]
    keys = {"stage": "stages", "category": "categories"}
    for item in inference.inferred:
        beside = comments.setdefault(keys.get(item.kind, "modalities"), {})
        because = f"{item.field}: {item.reason}"
        if item.value in beside:
            beside[item.value] += f"; {because}"
        else:
            beside[item.value] = because
        summary.append(f"  {item.kind} {item.value}: {because}")
    if not inference.inferred:
        summary.append("  nothing")
    notes = [f"- {n}" for n in inference.not_inferred]
    if inference.ignored:
        notes.append(
            "- fields the mapping table does not know, ignored: "
            + ", ".join(inference.ignored)
        )
    if notes:
        summary += ["not inferred:", *(f"  {n}" for n in notes)]
    for line in summary:
        echo(one_line(line), err=True)
    if fmt == "json":
        # JSON has no comments: the description says it all.
        import attrs

        lines = [*summary, model.description]
        model = attrs.evolve(
            model, description=" ".join(line.strip() for line in lines)
        )
    header = (
        f"A starter threat model written by {PROG} init from "
        f"{inference.source}.\n"
        "Each scope item inferred from the file names the field it came\n"
        "from, and the rule of the mapping table that made it.\n"
        "Each threat is one attack of the taxonomy, still open: mark the\n"
        "ones that do not apply 'not-applicable' with a rationale, add\n"
        "[[mitigations]] for the others, then run\n"
        f"  {PROG} check THIS-FILE\n"
        + ("Not inferred:\n" + "\n".join(notes) if notes else "")
    )
    return dump_threat_model(model, fmt, header=header, comments=comments)


def _register_init(subparsers: Subparsers) -> None:
    init = subparsers.add_parser(
        "init",
        help="write a starter threat model",
        description=(
            "Write a starter threat model: one open threat per attack of "
            "the stages you name (default: all), to edit into your own."
        ),
    )
    init.add_argument(
        "--stage",
        action="append",
        type=nonempty("stage"),
        help="a stage the system takes part in (repeatable)",
    )
    init.add_argument(
        "--modality",
        action="append",
        type=nonempty("modality"),
        help=(
            "a modality the system works with, such as vision or NLP "
            "(repeatable; default: every modality of the taxonomy)"
        ),
    )
    init.add_argument(
        "--name",
        default=_DEFAULT_NAME,
        help="the model's name (default: the BOM's or card's, else My model)",
    )
    init.add_argument(
        "--format",
        choices=("toml", "json"),
        default=None,
        help=(
            "file format (default: from -o's suffix, .toml or .json, else "
            "toml)"
        ),
    )
    init.add_argument(
        "-o", "--output", help="write to this file instead of standard output"
    )
    init.add_argument(
        "--force", action="store_true", help="overwrite an existing file"
    )
    init.add_argument(
        "--example",
        action="store_true",
        help="write the shipped example threat model instead",
    )
    init.add_argument(
        "--from-bom",
        metavar="BOM",
        help=(
            "infer the scope from a CycloneDX ML-BOM (JSON, spec 1.5 or "
            "1.6); each inferred item names its field"
        ),
    )
    init.add_argument(
        "--from-model-card",
        metavar="CARD",
        help=(
            "infer the scope from a Hugging Face model card (README.md "
            "with YAML front matter; needs dnn-supply-chain[model-card])"
        ),
    )
    init.set_defaults(handler=_init)


def _format_of(
    output: str | None, given: Literal["toml", "json"] | None
) -> Literal["toml", "json"]:
    """
    The format ``init`` writes: *given*, else the one of the suffix of
    *output*, else TOML.  A file named for neither (``out.yaml``), or for
    the other format, is refused: ``check`` reads ``.toml`` and ``.json``
    files by their suffix, and could not read it.  A file that exists
    and is not a regular one (``/dev/stdout``) takes any name.
    """
    from pathlib import Path

    if output is None:
        return given or "toml"
    path = Path(output)
    suffix = path.suffix.lower()
    if path.exists() and not path.is_file():
        return given or ("json" if suffix == ".json" else "toml")
    named: Literal["toml", "json"] | None = (
        "toml" if suffix == ".toml" else "json" if suffix == ".json" else None
    )
    if named is None:
        msg = (
            f"cannot write a threat model to {output}: name the file "
            ".toml or .json, which check reads"
        )
        raise UsageError(msg)
    if given is not None and given != named:
        msg = (
            f"--format {given} does not match the name {output}; name the "
            f"file .{given}, or drop --format"
        )
        raise UsageError(msg)
    return named


def _init(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> None:
    from pathlib import Path

    from dnn_supply_chain.threat_model import (
        dump_threat_model,
        starter_threat_model,
    )

    fmt = _format_of(args.output, args.format)
    sources = [
        flag
        for flag, given in (
            ("--example", args.example),
            ("--from-bom", args.from_bom is not None),
            ("--from-model-card", args.from_model_card is not None),
        )
        if given
    ]
    if len(sources) > 1:
        msg = f"{' and '.join(sources)} each write a whole model; pass one"
        raise UsageError(msg)
    if args.from_bom is not None or args.from_model_card is not None:
        if args.stage or getattr(args, "modality", None):
            msg = (
                f"{sources[0]} infers the stages and modalities; drop "
                "--stage and --modality, or edit the file it writes"
            )
            raise UsageError(msg)
        text = _inferred_starter(tax, args, fmt)
    elif args.example:
        if args.stage or getattr(args, "modality", None) or fmt != "toml":
            msg = "--example writes the TOML example as shipped; drop --stage, --modality and --format"
            raise UsageError(msg)
        text = _example_text()
    else:
        # As the user typed them: in any case, stages also by name.
        stages = [tax.resolve(s, kind="stage").id for s in args.stage or ()]
        modalities = [
            tax.canonical_term(m, "modality")
            for m in getattr(args, "modality", None) or ()
        ]
        try:
            model = starter_threat_model(
                stages or None,
                tax,
                name=args.name,
                modalities=modalities or None,
            )
        except ValueError as exc:
            # A bad --name, in the words of the record's rule.  An unknown
            # stage or modality is an UnknownIdError, which main reports.
            raise UsageError(str(exc)) from None
        scope = (
            "[scope] modalities names the modalities you chose: attacks\n"
            "on others do not apply, and have no threat here."
            if modalities
            else "[scope] modalities lists every modality of the taxonomy:\n"
            "write the starter again with --modality for each one your\n"
            "system works with, to leave out the attacks on the others."
        )
        header = (
            f"A starter threat model written by {PROG} init.\n"
            "Each threat is one attack of the taxonomy, still open: mark the\n"
            "ones that do not apply 'not-applicable' with a rationale, add\n"
            "[[mitigations]] for the others, then run\n"
            f"  {PROG} check THIS-FILE\n"
            f"{scope}"
        )
        text = dump_threat_model(model, fmt, header=header)
    if args.output is None:
        out.write(text)
        return
    path = Path(args.output)
    if path.exists() and not args.force:
        msg = f"{path} exists; use --force to overwrite it"
        raise UsageError(msg)
    # Through a temporary file: a failure leaves an existing file as it was.
    written = write_file(args.output, text, overwrite=args.force)
    echo(f"wrote {written}", err=True)
