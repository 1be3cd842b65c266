"""
Time the core operations of dnn_supply_chain, in one run.

Run it with the interpreter the package is installed in::

    python benchmarks/bench_core.py

Cold timings run in fresh interpreters (best of several runs, interleaved so
that drift hits every command alike); warm timings use timeit in this
process.  Only the standard library is used.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import timeit

from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import dnn_supply_chain as dsc


ROUNDS = 5
"""Fresh processes per cold measurement; the best (fastest) one counts."""

REPEAT = 5
"""timeit repeats per warm measurement; the best one counts."""

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

    # -- report ------------------------------------------------------------
    rows = [
        ("import dnn_supply_chain (fresh process)", min(inside["import"])),
        ("load() cold (fresh process, around load())", min(inside["load"])),
        ("load() warm (cached)", warm_load),
        ("tax.get('ripple')", get),
        (FIND_CODE.removeprefix("tax."), find),
        (f"search({SEARCH_TEXT!r}), first call + index", min(first_search)),
        (f"search({SEARCH_TEXT!r}), repeated", search),
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
    print(f"{'measurement':<{width}}  {'time':>10}")
    print(f"{'-' * width}  {'-' * 10}")
    for label, seconds in rows:
        print(f"{label:<{width}}  {fmt(seconds):>10}")
    print()
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
    print(f"benchmark took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
