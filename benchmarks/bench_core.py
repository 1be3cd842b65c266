"""
Time the core operations of dnn_supply_chain, in one run.

Run it with the interpreter the package is installed in::

    python benchmarks/bench_core.py

Cold timings run in fresh interpreters (best of several runs, interleaved so
that drift hits every command alike); warm timings use timeit in this
process.  Only the standard library is used, and cwe2 for the last part.

Before any cold timing, the bytecode of every module that the cold commands
import is written (the environment may set ``PYTHONDONTWRITEBYTECODE``, and
an editable install has none of its own), so that no cold run compiles.

The cold start is then compared with that of another taxonomy library:
``dnn-supply-chain show ripple`` against a fresh ``python -c`` that looks
up CWE-79 in cwe2 (the ``benchmark`` extra pins it), in pairs that swap
their order each round, over many rounds; the medians' ratio is printed
next to the target ``COLD_START_TARGET``.  Without cwe2 that part is
skipped.
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import timeit

from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from tempfile import TemporaryDirectory

import dnn_supply_chain as dsc


ROUNDS = 5
"""Fresh processes per cold measurement; the best (fastest) one counts."""

REPEAT = 5
"""timeit repeats per warm measurement; the best one counts."""

COLD_START_ROUNDS = 41
"""Rounds of the cold-start comparison: one run of each command a round."""

COLD_START_TARGET = 0.8
"""The aim: our CLI's median cold start at most this times cwe2's."""

SEARCH_TEXT = "quantization backdoor"

# What the fresh interpreters run; each prints its own timing in seconds.
IMPORT_CODE = (
    "import time; t = time.perf_counter(); "
    "import dnn_supply_chain; print(time.perf_counter() - t)"
)
LOAD_CODE = (
    "import time; import dnn_supply_chain as dsc; "
    "t = time.perf_counter(); dsc.load(); print(time.perf_counter() - t)"
)
FIND_CODE = (
    "tax.find_attacks(stage='secondary-development', threat_type='backdoor')"
)
CWE2_CODE = "from cwe2.database import Database; Database().get(79)"
CLI_CODE = (
    "import sys; from dnn_supply_chain.cli import main; "
    "sys.exit(main(['show', 'ripple']))"
)
# Runs *code*, then writes the files of every module it imported to the
# file named by the environment variable below, one a line.
RECORD_CODE = """
import os, sys
try:
    exec(compile(os.environ['BENCH_CODE'], '<bench>', 'exec'))
finally:
    with open(os.environ['BENCH_IMPORTED'], 'w', encoding='utf-8') as out:
        for module in list(sys.modules.values()):
            path = getattr(module, '__file__', None)
            if path and path.endswith('.py'):
                print(path, file=out)
"""


def fmt(seconds: float) -> str:
    """Format a duration with a unit that suits it."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:7.2f} {unit}"
    return f"{seconds / 1e-9:7.1f} ns"


def per_call(stmt: str, namespace: dict[str, object]) -> float:
    """Return the best per-call time of *stmt*, in seconds."""
    timer = timeit.Timer(stmt, globals=namespace)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def run(argv: list[str]) -> tuple[float, str]:
    """Run *argv*; return its wall time and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def imported_files(code: str) -> set[str]:
    """Return the source files of the modules that *code* imports."""
    with TemporaryDirectory() as tmp:
        listing = Path(tmp) / "imported.txt"
        env = {
            **os.environ,
            "BENCH_CODE": code,
            "BENCH_IMPORTED": str(listing),
        }
        subprocess.run(
            [sys.executable, "-c", RECORD_CODE],
            env=env,
            capture_output=True,
            check=False,  # `show` exits with its status; the listing counts
        )
        return set(listing.read_text(encoding="utf-8").splitlines())


def compile_imported(codes: list[str]) -> str:
    """
    Write the bytecode of every module that *codes* import, so that cold
    runs leave compiling out; return what the output should say about it.
    """
    paths = set().union(*(imported_files(code) for code in codes))
    writable = [p for p in sorted(paths) if os.access(Path(p).parent, os.W_OK)]
    failed = [p for p in writable if not compileall.compile_file(p, quiet=2)]
    if failed:
        msg = f"could not compile {', '.join(failed)}"
        raise RuntimeError(msg)
    read_only = len(paths) - len(writable)
    note = (
        f" ({read_only} in read-only places as they were)" if read_only else ""
    )
    return (
        f"bytecode of the {len(paths)} modules the cold commands import "
        f"written first{note}"
    )


def have_cwe2() -> bool:
    """Tell whether cwe2 is installed (the ``benchmark`` extra)."""
    try:
        version("cwe2")
    except PackageNotFoundError:
        return False
    return True


def cold_start_pairs(
    ours: list[str], theirs: list[str], rounds: int
) -> tuple[list[float], list[float]]:
    """
    Time *ours* and *theirs* in fresh processes, one of each a round, the
    order swapped every round; return their wall times.
    """
    run(ours)  # warm the OS caches once
    run(theirs)
    mine: list[float] = []
    other: list[float] = []
    for i in range(rounds):
        if i % 2:
            other.append(run(theirs)[0])
            mine.append(run(ours)[0])
        else:
            mine.append(run(ours)[0])
            other.append(run(theirs)[0])
    return mine, other


def spread(times: list[float]) -> str:
    """Median, quartiles and extremes of *times*, for the report."""
    q1, median, q3 = statistics.quantiles(times, n=4)
    return (
        f"median {fmt(median).strip()} "
        f"(quartiles {fmt(q1).strip()} to {fmt(q3).strip()}, "
        f"min {fmt(min(times)).strip()}, max {fmt(max(times)).strip()})"
    )


def cli_command() -> tuple[list[str], str]:
    """Find the console script, or fall back to ``python -m``."""
    script = Path(sys.executable).with_name("dnn-supply-chain")
    if not script.exists():
        found = shutil.which("dnn-supply-chain")
        script = Path(found) if found else script
    if script.exists():
        return [str(script)], "dnn-supply-chain"
    return [sys.executable, "-m", "dnn_supply_chain"], "python -m ..."


def main() -> None:
    """Measure everything, then print the table."""
    started = time.perf_counter()
    data_file = files("dnn_supply_chain") / "data" / "taxonomy.json"
    py = sys.executable
    cli, cli_name = cli_command()
    cwe2 = have_cwe2()
    compiled = compile_imported(
        [IMPORT_CODE, LOAD_CODE, CLI_CODE, "import attrs"]
        + ([CWE2_CODE] if cwe2 else [])
    )

    # -- cold: fresh interpreters, interleaved -----------------------------
    commands = {
        "bare": [py, "-c", "pass"],
        "floor": [
            py,
            "-c",
            f"import json; json.load(open({str(data_file)!r}, 'rb'))",
        ],
        "attrs": [py, "-c", "import attrs"],
        "import": [py, "-c", IMPORT_CODE],
        "load": [py, "-c", LOAD_CODE],
        "cli": [*cli, "show", "ripple"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    inside: dict[str, list[float]] = {"import": [], "load": []}
    for argv in commands.values():  # warm the OS caches once
        run(argv)
    for _ in range(ROUNDS):
        for name, argv in commands.items():
            wall, out = run(argv)
            walls[name].append(wall)
            if name in inside:
                inside[name].append(float(out))
    best = {name: min(times) for name, times in walls.items()}

    # -- warm: this process ------------------------------------------------
    tax = dsc.load()
    ns: dict[str, object] = {"dsc": dsc, "tax": tax, "text": SEARCH_TEXT}
    warm_load = per_call("dsc.load()", ns)
    get = per_call("tax.get('ripple')", ns)
    find = per_call(FIND_CODE, ns)
    # The search index is built on a taxonomy's first search: time that
    # first call on fresh (equal) taxonomies, then repeated calls.
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    first_search = []
    for _ in range(ROUNDS):
        fresh = dsc.taxonomy_from_dict(raw)
        start = time.perf_counter()
        fresh.search(SEARCH_TEXT)
        first_search.append(time.perf_counter() - start)
    tax.search(SEARCH_TEXT)
    search = per_call("tax.search(text)", ns)
    # Evidence lookups, on their warm path: each is cached by the index.
    evidence = {
        stmt: per_call(stmt, ns)
        for stmt in (
            "tax.defenses_for('badencoder')",
            "tax.defenses_for('badencoder', basis='evaluated')",
            "tax.attacks_countered_by('purifier')",
            "tax.counter_evidence(attack='badencoder')",
            "tax.undefended()",
        )
    }

    # -- cold start against cwe2: fresh processes, in pairs ----------------
    if cwe2:
        ours, theirs = cold_start_pairs(
            [*cli, "show", "ripple"], [py, "-c", CWE2_CODE], COLD_START_ROUNDS
        )

    # -- report ------------------------------------------------------------
    rows = [
        ("import dnn_supply_chain (fresh process)", min(inside["import"])),
        ("load() cold (fresh process, around load())", min(inside["load"])),
        ("load() warm (cached)", warm_load),
        ("tax.get('ripple')", get),
        (FIND_CODE.removeprefix("tax."), find),
        (f"search({SEARCH_TEXT!r}), first call + index", min(first_search)),
        (f"search({SEARCH_TEXT!r}), repeated", search),
        *((stmt.removeprefix("tax."), t) for stmt, t in evidence.items()),
        (f"CLI: {cli_name} show ripple (wall)", best["cli"]),
        ("python -c pass (wall)", best["bare"]),
        ("python -c 'import attrs' (wall)", best["attrs"]),
        ("floor: python -c json.load(taxonomy.json) (wall)", best["floor"]),
        ("import + load() (whole process, wall)", best["load"]),
    ]
    width = max(len(label) for label, _ in rows)
    print(
        f"dnn-supply-chain {version('dnn-supply-chain')} on Python "
        f"{sys.version.split()[0]} ({sys.platform}); cold: best of "
        f"{ROUNDS} fresh processes, warm: best of {REPEAT} timeit repeats"
    )
    print(compiled)
    print(f"{'measurement':<{width}}  {'time':>10}")
    print(f"{'-' * width}  {'-' * 10}")
    for label, seconds in rows:
        print(f"{label:<{width}}  {fmt(seconds):>10}")
    print()
    slowest = max(evidence.values())
    print(
        f"evidence lookups: slowest {fmt(slowest).strip()} (aim: under 2 µs: "
        f"{'pass' if slowest < 2e-6 else 'FAIL'})"
    )
    print(
        f"import wall - bare interpreter wall: "
        f"{fmt(best['import'] - best['bare']).strip()}"
    )
    print(
        f"cold load (whole process) / json floor: "
        f"{best['load'] / best['floor']:.2f}x "
        f"({fmt(best['load']).strip()} vs {fmt(best['floor']).strip()})"
    )
    print(
        f"CLI show / python -c 'import attrs': "
        f"{best['cli'] / best['attrs']:.2f}x"
    )
    print()
    if cwe2:
        ratio = statistics.median(ours) / statistics.median(theirs)
        verdict = "pass" if ratio <= COLD_START_TARGET else "FAIL"
        print(
            f"cold start, {COLD_START_ROUNDS} rounds of one fresh process "
            f"each, the order swapped every round (cwe2 {version('cwe2')}):"
        )
        print(f"  {cli_name} show ripple: {spread(ours)}")
        print(f"  python -c {CWE2_CODE!r}: {spread(theirs)}")
        print(
            f"  ratio of medians (ours / cwe2): {ratio:.2f} "
            f"(target <= {COLD_START_TARGET}: {verdict})"
        )
    else:
        print(
            "cold start against cwe2: skipped, cwe2 is not installed "
            "(the 'benchmark' extra)"
        )
    print(f"benchmark took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
