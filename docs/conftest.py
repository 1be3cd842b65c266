"""
Run the examples of the documentation with Sybil.

Every page of ``docs/`` (but the generated catalogue) is a test module.
Its examples run in order, in a fresh temporary directory that is the
working directory while they run; ``examples`` in it links to the
repository's ``examples/`` directory, so commands run as from the root of a
checkout.

- A ```` ```python ```` block runs; one that starts with ``>>>`` is a
  doctest (with ``ELLIPSIS``).  The blocks of a page share one namespace.
- A ```` ```{code-block} LANGUAGE ```` block with a ``:caption:`` is a
  file: it is written to the working directory under the name in the
  caption, for the examples that follow.  A caption ``NAME (continued)``
  adds the block to the end of the file instead.
- A ```` ```console ```` block is a transcript.  Each ``$ `` line runs in
  a plain bash, as a reader's shell runs it (no ``pipefail``: a pipeline's
  status is that of its last command), with the scripts of this Python
  environment first on ``PATH``; what it prints, standard output and error together,
  must match the lines that follow it, where ``...`` matches anything.
  A command that fails must be followed by ``$ echo $?``, which must show
  its exit status.
- In the how-to guides (``HOW_TO_GUIDES``) every command runs so, in a new
  process, as for a reader who follows them.  Elsewhere a
  ``dnn-supply-chain ...`` command, alone or piped into others, runs in
  this process through :func:`dnn_supply_chain.cli.main`: the same code,
  without the cost of starting Python and loading the taxonomy each time.
- ```` ```sh ````, ```` ```toml ```` and other blocks do not run.

Two commands do not run as written, because they would change this
environment: ``python -m pip install DIRECTORY`` installs with ``--target``
into a directory of the page's own, which the page's later commands get on
``PYTHONPATH``, and ``python -m pip uninstall --yes NAME`` takes that
directory away again.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import shlex
import shutil
import subprocess
import sysconfig
import tempfile

from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from sybil import Document, Example, Sybil
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.abstract.codeblock import PythonDocTestOrCodeBlockParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer
from sybil.parsers.myst import DocTestDirectiveParser, SkipParser
from sybil.parsers.myst.lexers import DirectiveLexer

from dnn_supply_chain.cli import main


ROOT = Path(__file__).resolve().parent.parent
OPTIONFLAGS = doctest.ELLIPSIS
#: The pages whose commands all run in a new process.
HOW_TO_GUIDES = frozenset(
    {"threat-models.md", "pytest-plugin.md", "extensions.md", "from-a-bom.md"}
)
_PAGE = "__docs_page__"
_PROGRAM = "dnn-supply-chain"
_BASH = shutil.which("bash") or "/bin/bash"
_SHELL = frozenset({";", "&", "&&", "||", "<", ">", ">>", "2>", "2>&1", "$("})
_CONTINUED = " (continued)"
_PIP_INSTALL = re.compile(r"python -m pip install (?P<what>[^-\s]\S*)")
_PIP_UNINSTALL = re.compile(r"python -m pip uninstall --yes \S+")


class _Page:
    """
    The working directory of a page's examples, and what its commands
    installed.
    """

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="dsc-docs-"))
        (self.directory / "examples").symlink_to(ROOT / "examples")
        self.site: Path | None = None
        self.previous = Path.cwd()
        os.chdir(self.directory)

    def close(self) -> None:
        os.chdir(self.previous)
        shutil.rmtree(self.directory)

    def environment(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("PYTEST_")
        }
        scripts = sysconfig.get_path("scripts")
        env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
        if self.site is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(self.site), *filter(None, [env.get("PYTHONPATH")])]
            )
        env["PYTHONIOENCODING"] = "utf-8"
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        # pytest's separators are as wide as the terminal.
        env["COLUMNS"] = "80"
        # Hypothesis (installed for the test suite) has a pytest plugin that
        # takes seconds to import and has no part in the examples.
        env["PYTEST_ADDOPTS"] = "-p no:hypothesispytest"
        return env

    def run(self, command: str, *, new_process: bool) -> tuple[int, str]:
        """
        Run *command*; return its exit status and what it printed.
        """
        if not new_process and self.site is None:
            done = self._in_process(command)
            if done is not None:
                return done
        if _PIP_UNINSTALL.fullmatch(command):
            if self.site is not None:
                shutil.rmtree(self.site)
                self.site = None
            return 0, ""
        install = _PIP_INSTALL.fullmatch(command)
        if install:
            self.site = Path(tempfile.mkdtemp(dir=self.directory))
            command = (
                "python -m pip install --no-deps "
                f"--target {self.site} {install['what']}"
            )
        elif "pip " in command:
            msg = f"this example would change the environment: {command}"
            raise AssertionError(msg)
        return self._bash(command)

    def _in_process(self, command: str) -> tuple[int, str] | None:
        """
        Run a ``dnn-supply-chain`` *command* through ``cli.main``, and pipe
        its output into the rest of the pipeline, if any; None for any
        other command.
        """
        head, bar, pipeline = command.partition(" | ")
        words = shlex.split(head, comments=True)
        if not words or words[0] != _PROGRAM or _SHELL.intersection(words):
            return None
        output = io.StringIO()
        with redirect_stdout(output), redirect_stderr(output):
            try:
                status = main(words[1:])
            except SystemExit as exit_:  # argparse: a usage error, --help
                status = exit_.code if isinstance(exit_.code, int) else 1
        if not bar:
            return status, output.getvalue()
        # As in a plain shell, a pipeline's status is its last command's.
        rest, printed = self._bash(pipeline, stdin=output.getvalue())
        return rest, printed

    def _bash(self, command: str, stdin: str | None = None) -> tuple[int, str]:
        # The commands are the documentation's own examples.
        result = subprocess.run(  # noqa: S603
            [_BASH, "-c", command],
            cwd=self.directory,
            env=self.environment(),
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=300,
        )
        return result.returncode, result.stdout


def _setup(namespace: dict[str, Any]) -> None:
    namespace[_PAGE] = _Page()


def _teardown(namespace: dict[str, Any]) -> None:
    namespace.pop(_PAGE).close()


class _FencedCodeBlockParser(AbstractCodeBlockParser):
    """
    Fenced code blocks of one language, and not ``{code-block}``
    directives, which are files.
    """

    def __init__(self, language: str, evaluator: Any = None) -> None:
        lexer = FencedCodeBlockLexer(
            language=r".+",
            mapping={"language": "arguments", "source": "source"},
        )
        super().__init__([lexer], language, evaluator)


class _PythonParser(PythonDocTestOrCodeBlockParser):
    codeblock_parser_class = _FencedCodeBlockParser


def _write(example: Example) -> None:
    caption, text = example.parsed
    name, continued = (
        caption.removesuffix(_CONTINUED),
        caption.endswith(_CONTINUED),
    )
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if continued:
        text = path.read_text(encoding="utf-8") + "\n" + text
    path.write_text(text, encoding="utf-8")


def _files(document: Document) -> Any:
    """
    ```{code-block} blocks with a caption: files to write.
    """
    for region in DirectiveLexer("code-block", arguments=".*")(document):
        caption = region.lexemes["options"].get("caption")
        if caption:
            region.parsed = (caption, str(region.lexemes["source"]))
            region.evaluator = _write
            yield region


def _transcript(source: str, path: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for line in source.splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append((line[2:].strip(), ""))
        elif steps:
            command, expected = steps[-1]
            steps[-1] = (command, expected + line)
        else:
            msg = f"{path}: a console block must start with a '$ ' line"
            raise ValueError(msg)
    return steps


def _run_transcript(example: Example) -> str | None:
    page: _Page = example.namespace[_PAGE]
    checker = doctest.OutputChecker()
    status = 0
    unchecked: str | None = None
    new_process, steps = example.parsed
    for command, expected in steps:
        if command == "echo $?":
            output = f"{status}\n"
            unchecked = None
        else:
            if unchecked is not None:
                return (
                    f"{unchecked!r} exited {status}; show it with '$ echo $?'"
                )
            status, output = page.run(command, new_process=new_process)
            if status:
                unchecked = command
        if expected.strip() == "...":
            continue
        if not checker.check_output(expected, output, OPTIONFLAGS):
            return (
                f"$ {command}\nexpected:\n{expected or '(nothing)'}\n"
                f"got:\n{output or '(nothing)'}"
            )
    if unchecked is not None:
        return f"{unchecked!r} exited {status}; show it with '$ echo $?'"
    return None


def _consoles(document: Document) -> Any:
    """
    ```console blocks: transcripts to run.
    """
    for region in FencedCodeBlockLexer("console")(document):
        new_process = Path(document.path).name in HOW_TO_GUIDES
        steps = _transcript(str(region.lexemes["source"]), document.path)
        region.parsed = (new_process, steps)
        region.evaluator = _run_transcript
        yield region


def _catalogue(depth: int) -> list[str]:
    return [
        "/".join(["catalogue", *["*"] * level]) for level in range(1, depth)
    ]


pytest_collect_file = Sybil(
    parsers=[
        _PythonParser(doctest_optionflags=OPTIONFLAGS),
        DocTestDirectiveParser(optionflags=OPTIONFLAGS),
        _files,
        _consoles,
        SkipParser(),
    ],
    patterns=["*.md"],
    # The catalogue is generated from the data, and has no examples.
    excludes=["catalogue.md", *_catalogue(5), "_build/*"],
    setup=_setup,
    teardown=_teardown,
).pytest()
