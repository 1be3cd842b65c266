"""
How dnn_supply_chain scales with the size of an extension.

Generates synthetic fragments of 1,000, 10,000 and 100,000 attacks, with
their papers (one per attack, a fifth of them shared), defenses that name
attacks explicitly and links that add papers to bundled attacks; installs
each one as an extension (a fake distribution on ``PYTHONPATH``, the way an
installed wheel is found) and measures, at each size:

- ``dsc.load()`` in fresh processes next to the floor, ``json.load`` of the
  same files (bundled + fragment) in the same kind of process;
- peak memory of ``load()`` next to that of ``json.load`` (tracemalloc);
- warm queries: ``tax.get``, an indexed filter, a search, and the
  relationship hops ``defenses_for`` and ``papers_of``;
- MITRE's ``mitreattack-python`` on the same taxonomy, exported with our
  STIX 2.1 export: its load and its per-id lookups.

Run it from the repository root (``--no-mitre`` skips the last part, which
needs the ``benchmark`` extra; ``--profile`` adds a cProfile summary of
``load()`` at the largest size)::

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--no-mitre]

It first compiles the package's bytecode where it may (the environment may
set ``PYTHONDONTWRITEBYTECODE``), so that cold numbers leave compiling out.
A ``PYTHONPATH`` already set stays behind the fragment's directory, so that
``PYTHONPATH=src`` measures a checkout.  Each size prints its pass or fail
against the aims in ``AIMS``; every number comes from this one run, and the
budgets below keep the whole run to minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

import dnn_supply_chain as dsc


SIZES = (1_000, 10_000, 100_000)
ROUNDS = 5
"""Most fresh processes per cold measurement; the best one counts."""

MIN_ROUNDS = 2
COLD_BUDGET = 20.0
"""Seconds after which no new round of cold measurements starts (once
``MIN_ROUNDS`` are done)."""

FIRSTS = 1
"""Rounds that also time the first filter and the first search."""

MITRE_ROUNDS = 3
"""Most fresh processes for MitreAttackData's load."""

MITRE_BUDGET = 20.0
"""Seconds after which no new MitreAttackData load starts."""

REPEAT = 5
"""timeit repeats per warm measurement; the best one counts."""

PROFILE_TOP = 25
"""Functions the cProfile summary shows, by own and by cumulative time."""

SAMPLE = 1_000
"""Random ids per lookup measurement (the same ids in every repeat)."""

SEED = 4242
NAMESPACE = "synth"
DIST = "synth_scale"
STIX_FILE = "taxonomy.stix.json"
SAMPLE_FILE = "sample.json"
ATTACK_ID_BUDGET = 2.0
"""Seconds spent on MitreAttackData's get_object_by_attack_id (a scan)."""

AIMS = {
    "load": 2.5,
    "memory": 3.0,
    "get": 1e-6,
    "hop": 2e-6,
    "search": 50e-3,
    "mitre_load": 10.0,
    "mitre_get": 10_000.0,
}
AIM_SIZE = 100_000
"""The size the load and search aims are set for."""

GROWTH = 2.0
"""How much slower a lookup may be at the largest size than at the
smallest and still count as not growing (timings are that noisy)."""


# -- the synthetic fragment ---------------------------------------------------


def search_query(size: int) -> str:
    """The search text: the name of an attack that exists at *size*."""
    return f"synthetic attack {4242 % size}"


def paper_of(i: int) -> str:
    """The paper of attack *i*: every fifth attack shares its neighbour's."""
    return f"{NAMESPACE}:paper-{i - 1 if i % 5 == 4 else i}"


def synthetic(size: int, bundled: dict[str, Any]) -> dict[str, Any]:
    """
    A fragment of *size* attacks that uses the bundled stages, categories
    and vocabulary.

    Attacks take the threat types that no bundled defense counters, so
    every relationship in the STIX export is one the fragment states: a
    synthetic defense names every even attack, and every tenth defense a
    bundled attack too.  Every tenth attack's paper is also linked onto a
    bundled attack.
    """
    stages = [s["id"] for s in bundled["stages"]]
    categories: dict[str, list[str]] = {}
    for cat in bundled["categories"]:
        categories.setdefault(cat["stage"], []).append(cat["id"])
    countered = {t for d in bundled["defenses"] for t in d["counters"]}
    threats = [
        t for t in bundled["vocabulary"]["threat_types"] if t not in countered
    ]
    modalities = bundled["vocabulary"]["modalities"]
    bundled_attacks = [a["id"] for a in bundled["attacks"]]
    attacks = []
    for i in range(size):
        stage = stages[i % len(stages)]
        attack: dict[str, Any] = {
            "id": f"{NAMESPACE}:attack-{i}",
            "name": f"Synthetic attack {i}",
            "stage": stage,
            "threat_types": [threats[i % len(threats)]],
            "modalities": [modalities[i % len(modalities)]],
            "summary": (
                f"A synthetic attack, number {i}, made up to measure how "
                "the taxonomy scales; it poisons nothing real."
            ),
            "attacker_access": "Whatever the benchmark says.",
            "papers": [paper_of(i)],
        }
        if i % 2 == 0 and categories.get(stage):
            attack["category"] = categories[stage][i % len(categories[stage])]
        if i % 3 == 0:
            attack["attributes"] = {f"{NAMESPACE}:severity": "high"}
        attacks.append(attack)
    papers = []
    for i in range(size):
        if i % 5 == 4:
            continue
        paper: dict[str, Any] = {
            "id": f"{NAMESPACE}:paper-{i}",
            "title": f"Synthetic paper {i}",
            "authors": [f"Author {i % 997}", "B. Benchmark"],
            "venue": "Proceedings of the Synthetic Conference",
            "venue_short": f"SynthConf {2000 + i % 25}",
            "year": 2000 + i % 25,
            "url": f"https://example.com/synth/{i}",
        }
        if i % 3 == 0:
            paper["arxiv"] = f"2{i % 10}01.{i % 100_000:05d}"
        if i % 7 == 0:
            paper["code"] = f"https://example.com/synth/{i}/code"
        papers.append(paper)
    defenses = []
    for k in range(size // 20):
        named = [f"{NAMESPACE}:attack-{20 * k + j}" for j in range(0, 20, 2)]
        if k % 10 == 0:
            named.append(bundled_attacks[k // 10 % len(bundled_attacks)])
        defenses.append(
            {
                "id": f"{NAMESPACE}:defense-{k}",
                "name": f"Synthetic defense {k}",
                "stage": stages[k % len(stages)],
                "attacks": named,
                "modalities": [modalities[k % len(modalities)]],
                "summary": f"A synthetic defense, number {k}.",
                "defender_access": "Whatever the benchmark says.",
                "papers": [paper_of(20 * k)],
            }
        )
    links = [
        {
            "record": bundled_attacks[i // 10 % len(bundled_attacks)],
            "papers": [paper_of(i)],
        }
        for i in range(0, size, 10)
    ]
    return {
        "namespace": NAMESPACE,
        "attacks": attacks,
        "defenses": defenses,
        "papers": papers,
        "links": links,
    }


def install(site: Path, fragment: dict[str, Any]) -> Path:
    """
    Put a distribution whose entry point names the fragment on *site*;
    return the fragment's file.
    """
    info = site / f"{DIST}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 1.0\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(
        f"[dnn_supply_chain.extensions]\n{DIST} = {DIST}:fragment.json\n",
        encoding="utf-8",
    )
    (site / DIST).mkdir()
    path = site / DIST / "fragment.json"
    path.write_text(json.dumps(fragment), encoding="utf-8")
    return path


# -- what the fresh processes run ---------------------------------------------


def bundled_file() -> Path:
    """The bundled data file."""
    return Path(str(files("dnn_supply_chain") / "data" / "taxonomy.json"))


def max_rss() -> int:
    """The peak resident set size of this process so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child_load(query: str, *, firsts: bool) -> dict[str, Any]:
    """
    Time ``load()`` in this fresh process; with *firsts*, then time the
    first filter and the first search, each of which builds its index.
    """
    start = time.perf_counter()
    load = dsc.load  # imports the modules behind the lazy package
    modules = time.perf_counter() - start
    rss = max_rss()
    start = time.perf_counter()
    tax = load()
    loaded = time.perf_counter() - start
    rss = max_rss() - rss
    result: dict[str, Any] = {
        "modules": modules,
        "load": loaded,
        "rss": rss,
        "attacks": len(tax.attacks),
        "records": len(tax.stages)
        + len(tax.categories)
        + len(tax.attacks)
        + len(tax.defenses)
        + len(tax.papers),
        "extensions": [e.name for e in tax.extensions if e.status == "loaded"],
    }
    if firsts:
        stage, threat = filter_args(tax)
        start = time.perf_counter()
        tax.find_attacks(stage=stage, threat_type=threat)
        result["find_first"] = time.perf_counter() - start
        start = time.perf_counter()
        tax.search(query)
        result["search_first"] = time.perf_counter() - start
    return result


def filter_args(tax: dsc.Taxonomy) -> tuple[str, str]:
    """The stage and threat type the filter asks for."""
    return tax.stages[-1].id, tax.attack(f"{NAMESPACE}:attack-0").threat_types[
        0
    ]


def child_floor(fragment: str, *, collect: bool) -> dict[str, Any]:
    """
    Time ``json.load`` of the bundled file and of *fragment*; unless
    *collect*, with the cyclic garbage collector off.
    """
    if not collect:
        gc.disable()
    rss = max_rss()
    start = time.perf_counter()
    with bundled_file().open("rb") as f:
        bundled = json.load(f)
    with Path(fragment).open("rb") as f:
        extra = json.load(f)
    loaded = time.perf_counter() - start
    rss = max_rss() - rss
    return {"load": loaded, "rss": rss, "keys": len(bundled) + len(extra)}


def child_memory(fragment: str) -> dict[str, Any]:
    """
    Trace the memory of ``json.load`` of the bundled file and *fragment*:
    the peak while it runs and what stays allocated, the result kept.
    """
    gc.collect()
    tracemalloc.start()
    with bundled_file().open("rb") as f, Path(fragment).open("rb") as g:
        kept = (json.load(f), json.load(g))
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak": peak, "current": current, "kept": len(kept)}


def child_profile(top: int) -> dict[str, Any]:
    """Profile ``load()`` with cProfile; return the summary as text."""
    import cProfile
    import io
    import pstats

    load = dsc.load
    profile = cProfile.Profile()
    profile.runcall(load)
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {"text": text.getvalue()}


def per_call(stmt: str, namespace: dict[str, Any], calls: int = 1) -> float:
    """
    The best time per call of *stmt*, which makes *calls* calls, in
    seconds.
    """
    timer = timeit.Timer(stmt, globals=namespace)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=REPEAT, number=number))
    return best / number / calls


def child_warm(query: str, out: str | None) -> dict[str, Any]:
    """
    Trace the memory of ``load()``, then time the warm queries; with
    *out*, also export the taxonomy to STIX in that directory, with a
    sample of ids for MitreAttackData.
    """
    load = dsc.load  # imports the modules before tracing starts
    gc.collect()
    tracemalloc.start()
    tax = load()
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rng = random.Random(SEED)  # noqa: S311 - picks ids, not secrets
    everything = [
        r.id
        for records in (
            tax.stages,
            tax.categories,
            tax.attacks,
            tax.defenses,
            tax.papers,
        )
        for r in records
    ]
    ids = rng.sample(everything, min(SAMPLE, len(everything)))
    attack_ids = rng.sample(
        [a.id for a in tax.attacks], min(SAMPLE, len(tax.attacks))
    )
    stage, threat = filter_args(tax)
    ns: dict[str, Any] = {
        "tax": tax,
        "ids": ids,
        "attack_ids": attack_ids,
        "stage": stage,
        "threat": threat,
        "query": query,
    }
    found = tax.find_attacks(stage=stage, threat_type=threat)
    tax.search(query)
    for attack in attack_ids:  # the hops cache what they compute
        tax.defenses_for(attack)
        tax.papers_of(attack)
    result: dict[str, Any] = {
        "peak": peak,
        "kept": kept,
        "get": per_call("for i in ids: tax.get(i)", ns, len(ids)),
        "find": per_call(
            "tax.find_attacks(stage=stage, threat_type=threat)", ns
        ),
        "find_count": len(found),
        "find_args": [stage, threat],
        "search": per_call("tax.search(query)", ns),
        "defenses_for": per_call(
            "for i in attack_ids: tax.defenses_for(i)", ns, len(attack_ids)
        ),
        "papers_of": per_call(
            "for i in attack_ids: tax.papers_of(i)", ns, len(attack_ids)
        ),
        "hop_sample": len(attack_ids),
        "hop_sizes": [
            sum(len(tax.defenses_for(i)) for i in attack_ids)
            / len(attack_ids),
            sum(len(tax.papers_of(i)) for i in attack_ids) / len(attack_ids),
        ],
    }
    if out is not None:
        result.update(export_stix(tax, Path(out), attack_ids))
    return result


# MitreAttackData.get_object_by_attack_id upper-cases the id it looks for
# (ATT&CK ids are upper case), so the file it reads carries our ids upper
# case in the reference that names them; nothing else changes.
_OWN_REF = re.compile(
    r'("external_id": ")([^"]*)(",\s*"source_name": "dnn-supply-chain")'
)


def export_stix(
    tax: dsc.Taxonomy, out: Path, attack_ids: list[str]
) -> dict[str, Any]:
    """
    Export *tax* as STIX into *out* for MitreAttackData, with the STIX ids
    of *attack_ids*; return how long the export took and what it holds.
    """
    start = time.perf_counter()
    text = dsc.export(tax, "stix")
    exported = time.perf_counter() - start
    adapted, renamed = _OWN_REF.subn(
        lambda m: m[1] + m[2].upper() + m[3], text
    )
    (out / STIX_FILE).write_text(adapted, encoding="utf-8")
    objects = json.loads(text)["objects"]
    kinds: dict[str, int] = {}
    stix_of: dict[str, str] = {}
    for obj in objects:
        kinds[obj["type"]] = kinds.get(obj["type"], 0) + 1
        if obj["type"] == "attack-pattern":
            own = obj["external_references"][0]
            stix_of[own["external_id"]] = obj["id"]
    sample = [[a.upper(), stix_of[a], tax.attack(a).name] for a in attack_ids]
    (out / SAMPLE_FILE).write_text(json.dumps(sample), encoding="utf-8")
    return {
        "export": exported,
        "stix_bytes": len(adapted.encode("utf-8")),
        "stix_objects": kinds,
        "renamed": renamed,
    }


def child_mitre(out: str, *, lookups: bool) -> dict[str, Any]:
    """
    Time ``MitreAttackData(file)`` in this fresh process; with *lookups*,
    then its lookups by STIX id and by ATT&CK-style id.
    """
    from mitreattack.stix20 import MitreAttackData  # type: ignore[import-untyped]

    path = str(Path(out) / STIX_FILE)
    start = time.perf_counter()
    data = MitreAttackData(stix_filepath=path)
    loaded = time.perf_counter() - start
    result: dict[str, Any] = {"load": loaded}
    if not lookups:
        return result
    sample = json.loads((Path(out) / SAMPLE_FILE).read_text(encoding="utf-8"))
    wrong = [
        name
        for attack_id, stix_id, name in sample[:20]
        if data.get_object_by_stix_id(stix_id)["name"] != name
        or data.get_object_by_attack_id(attack_id, "attack-pattern")["name"]
        != name
    ]
    ns = {"data": data, "stix_ids": [s[1] for s in sample]}
    result["by_stix_id"] = per_call(
        "for i in stix_ids: data.get_object_by_stix_id(i)",
        ns,
        len(sample),
    )
    calls = 0
    start = time.perf_counter()
    while calls < len(sample) and (
        calls == 0 or time.perf_counter() - start < ATTACK_ID_BUDGET
    ):
        data.get_object_by_attack_id(sample[calls][0], "attack-pattern")
        calls += 1
    result["by_attack_id"] = (time.perf_counter() - start) / calls
    result["attack_id_calls"] = calls
    result["wrong"] = wrong
    return result


def child(argv: list[str]) -> None:
    """Run one measurement in this fresh process; print it as JSON."""
    what, *args = argv
    if what == "load":
        result = child_load(args[0], firsts=args[1] == "firsts")
    elif what == "floor":
        result = child_floor(args[0], collect=args[1] == "gc")
    elif what == "memory":
        result = child_memory(args[0])
    elif what == "warm":
        result = child_warm(args[0], args[1] if len(args) > 1 else None)
    elif what == "profile":
        result = child_profile(int(args[0]))
    else:
        result = child_mitre(args[0], lookups=args[1] == "lookups")
    print(json.dumps(result))


# -- the parent -----------------------------------------------------------------


def spawn(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a measurement in a fresh process; return what it measured."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        msg = f"the {args[0]!r} measurement failed (exit {done.returncode})"
        raise RuntimeError(msg)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def compile_package() -> str:
    """
    Write the package's bytecode, so that cold numbers leave compiling
    out; return what the output should say about it.
    """
    package = Path(dsc.__file__).parent
    if not os.access(package, os.W_OK):
        return f"{package} is read-only: cold numbers include compiling any module without bytecode"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], check=True
    )
    return f"compiled the bytecode of {package} first (PYTHONDONTWRITEBYTECODE stops imports writing it); a module edited since is compiled again in each process"


def measure(size: int, tmp: Path, *, mitre: bool) -> dict[str, Any]:
    """Install a fragment of *size* attacks and measure everything."""
    bundled = json.loads(bundled_file().read_text(encoding="utf-8"))
    site = tmp / f"site-{size}"
    fragment = str(install(site, synthetic(size, bundled)))
    out = tmp / f"out-{size}"
    out.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(site), os.environ.get("PYTHONPATH")])
    )
    query = search_query(size)
    row: dict[str, Any] = {"size": size, "query": query}

    # Cold: fresh processes, the kinds interleaved so that drift hits all
    # alike.  The files were just written, so the OS caches are warm.
    loads: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    floors_off: list[dict[str, Any]] = []
    start = time.perf_counter()
    while len(loads) < ROUNDS and (
        len(loads) < MIN_ROUNDS or time.perf_counter() - start < COLD_BUDGET
    ):
        firsts = "firsts" if len(loads) < FIRSTS else "-"
        loads.append(spawn(env, "load", query, firsts))
        floors.append(spawn(env, "floor", fragment, "gc"))
        floors_off.append(spawn(env, "floor", fragment, "-"))
    row["rounds"] = len(loads)
    for key in ("modules", "load", "rss"):
        row[key] = min(r[key] for r in loads)
    for key in ("find_first", "search_first"):
        row[key] = min(r[key] for r in loads if key in r)
    row["floor"] = min(r["load"] for r in floors)
    row["floor_rss"] = min(r["rss"] for r in floors)
    row["floor_off"] = min(r["load"] for r in floors_off)
    for key in ("attacks", "records", "extensions"):
        row[key] = loads[0][key]
    traced = spawn(env, "memory", fragment)
    row.update(floor_peak=traced["peak"], floor_kept=traced["current"])

    # Warm: one process per size, timeit inside.
    row.update(spawn(env, "warm", query, *([str(out)] if mitre else [])))
    if mitre:
        start = time.perf_counter()
        runs = [spawn(env, "mitre", str(out), "lookups")]
        while (
            len(runs) < MITRE_ROUNDS
            and time.perf_counter() - start < MITRE_BUDGET
        ):
            runs.append(spawn(env, "mitre", str(out), "load"))
        row["mitre"] = {
            **runs[0],
            "load": min(r["load"] for r in runs),
            "rounds": len(runs),
        }
    return row


def profile(size: int, tmp: Path) -> str:
    """Profile ``load()`` with a fragment of *size* attacks installed."""
    bundled = json.loads(bundled_file().read_text(encoding="utf-8"))
    site = tmp / f"profile-{size}"
    install(site, synthetic(size, bundled))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(site), os.environ.get("PYTHONPATH")])
    )
    return str(spawn(env, "profile", str(PROFILE_TOP))["text"])


def fmt(seconds: float) -> str:
    """Format a duration with a unit that suits it."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def mib(size: float) -> str:
    """Format a number of bytes in MiB."""
    return f"{size / 2**20:.1f}"


def report(rows: list[dict[str, Any]], *, mitre: bool) -> None:
    """Print the table, the aims and the notes."""
    columns: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("attacks", lambda r: f"{r['attacks']:,}"),
        ("load()", lambda r: fmt(r["load"])),
        ("json.load", lambda r: fmt(r["floor"])),
        ("x json", lambda r: f"{r['load'] / r['floor']:.2f}"),
        ("peak MiB", lambda r: mib(r["peak"])),
        ("json MiB", lambda r: mib(r["floor_peak"])),
        ("x json", lambda r: f"{r['peak'] / r['floor_peak']:.2f}"),
        ("get", lambda r: fmt(r["get"])),
        ("find", lambda r: fmt(r["find"])),
        ("search 1st", lambda r: fmt(r["search_first"])),
        ("search", lambda r: fmt(r["search"])),
        ("defenses_for", lambda r: fmt(r["defenses_for"])),
        ("papers_of", lambda r: fmt(r["papers_of"])),
    ]
    if mitre:
        columns += [
            ("MAD load", lambda r: fmt(r["mitre"]["load"])),
            ("x ours", lambda r: f"{r['mitre']['load'] / r['load']:.1f}"),
            ("MAD stix id", lambda r: fmt(r["mitre"]["by_stix_id"])),
            (
                "x ours",
                lambda r: f"{r['mitre']['by_stix_id'] / r['get']:,.0f}",
            ),
            ("MAD ATT&CK id", lambda r: fmt(r["mitre"]["by_attack_id"])),
            (
                "x ours",
                lambda r: f"{r['mitre']['by_attack_id'] / r['get']:,.0f}",
            ),
        ]
    cells = [[f"{r['size']:,}", *(f(r) for _, f in columns)] for r in rows]
    heads = ["size", *(h for h, _ in columns)]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)
    ]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print("  ".join(v.rjust(w) for v, w in zip(c, widths, strict=True)))
    print()
    print_aims(rows, mitre=mitre)
    print()
    print_notes(rows, mitre=mitre)


def print_aims(rows: list[dict[str, Any]], *, mitre: bool) -> None:
    """Print each aim, and whether each size meets it."""

    def each(
        value: Callable[[dict[str, Any]], float],
        shown: Callable[[float], str],
        ok: Callable[[float], bool],
        *,
        at_aim_size: bool = False,
    ) -> str:
        found = []
        for r in rows:
            v = value(r)
            if at_aim_size and r["size"] != AIM_SIZE:
                found.append(f"{r['size']:,}: {shown(v)}")
            else:
                verdict = "pass" if ok(v) else "FAIL"
                found.append(f"{r['size']:,}: {shown(v)} {verdict}")
        return ", ".join(found)

    def growth(key: str) -> str:
        first, last = rows[0], rows[-1]
        if first is last:
            return "one size only"
        ratio = last[key] / first[key]
        verdict = "pass" if ratio <= GROWTH else "FAIL"
        return (
            f"{ratio:.2f}x from {first['size']:,} to {last['size']:,} "
            f"{verdict}"
        )

    def times(x: float) -> str:
        return f"{x:,.2f}x" if x < 100 else f"{x:,.0f}x"

    lines = [
        (
            f"load() within {AIMS['load']}x of json.load at {AIM_SIZE:,}",
            each(
                lambda r: r["load"] / r["floor"],
                times,
                lambda x: x <= AIMS["load"],
                at_aim_size=True,
            ),
        ),
        (
            f"peak memory within {AIMS['memory']}x of parsed JSON",
            each(
                lambda r: r["peak"] / r["floor_peak"],
                times,
                lambda x: x <= AIMS["memory"],
            ),
        ),
        (
            "tax.get(id) under 1 µs",
            each(lambda r: r["get"], fmt, lambda x: x < AIMS["get"]),
        ),
        (
            f"tax.get(id) not growing (at most {GROWTH}x)",
            growth("get"),
        ),
        (
            "relationship hop under 2 µs: defenses_for",
            each(lambda r: r["defenses_for"], fmt, lambda x: x < AIMS["hop"]),
        ),
        (
            "relationship hop under 2 µs: papers_of",
            each(lambda r: r["papers_of"], fmt, lambda x: x < AIMS["hop"]),
        ),
        (
            f"defenses_for not growing (at most {GROWTH}x)",
            growth("defenses_for"),
        ),
        (
            f"papers_of not growing (at most {GROWTH}x)",
            growth("papers_of"),
        ),
        (
            f"search under 50 ms at {AIM_SIZE:,} (repeated calls)",
            each(
                lambda r: r["search"],
                fmt,
                lambda x: x < AIMS["search"],
                at_aim_size=True,
            ),
        ),
    ]
    if mitre:
        lines += [
            (
                "MitreAttackData load at least 10x slower",
                each(
                    lambda r: r["mitre"]["load"] / r["load"],
                    times,
                    lambda x: x >= AIMS["mitre_load"],
                ),
            ),
            (
                "per-id lookup 10,000x faster: STIX id",
                each(
                    lambda r: r["mitre"]["by_stix_id"] / r["get"],
                    times,
                    lambda x: x >= AIMS["mitre_get"],
                ),
            ),
            (
                "per-id lookup 10,000x faster: ATT&CK-style id",
                each(
                    lambda r: r["mitre"]["by_attack_id"] / r["get"],
                    times,
                    lambda x: x >= AIMS["mitre_get"],
                ),
            ),
        ]
    print("aims (pass/fail as measured in this run)")
    width = max(len(label) for label, _ in lines)
    for label, text in lines:
        print(f"  {label:<{width}}  {text}")


def print_notes(rows: list[dict[str, Any]], *, mitre: bool) -> None:
    """Print what the table does not show, size by size."""
    print("details")
    for r in rows:
        stage, threat = r["find_args"]
        print(
            f"  {r['size']:,} attacks in the fragment, {r['records']:,} "
            f"records in all; cold rounds: {r['rounds']}"
        )
        print(
            f"    json.load with the garbage collector off "
            f"{fmt(r['floor_off'])} (load() is {r['load'] / r['floor_off']:.1f}x "
            f"that); modules imported before load() in {fmt(r['modules'])}"
        )
        print(
            f"    memory kept after load() {mib(r['kept'])} MiB, parsed JSON "
            f"{mib(r['floor_kept'])} MiB; RSS growth during load() "
            f"{mib(r['rss'])} MiB, during json.load {mib(r['floor_rss'])} MiB"
        )
        print(
            f"    find_attacks(stage={stage!r}, threat_type={threat!r}) finds "
            f"{r['find_count']:,}; its first call, building the filter "
            f"indexes, {fmt(r['find_first'])}; searched {r['query']!r}"
        )
        print(
            f"    hops over {r['hop_sample']:,} random attacks return "
            f"{r['hop_sizes'][0]:.2f} defenses and {r['hop_sizes'][1]:.2f} "
            "papers on average"
        )
        if mitre:
            m = r["mitre"]
            kinds = ", ".join(
                f"{n:,} {k}" for k, n in sorted(r["stix_objects"].items())
            )
            print(
                f"    STIX export {fmt(r['export'])}, {mib(r['stix_bytes'])} "
                f"MiB: {kinds}"
            )
            print(
                f"    MitreAttackData: load best of {m['rounds']}; "
                f"get_object_by_attack_id timed over {m['attack_id_calls']} "
                f"calls; wrong answers in 20 checked: {len(m['wrong'])}; "
                f"upper-cased ids in the file: {r['renamed']:,}"
            )


def main() -> None:
    """Measure every size, then print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="comma-separated fragment sizes, in attacks",
    )
    parser.add_argument(
        "--no-mitre",
        action="store_true",
        help="skip the mitreattack-python comparison",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile summary of load() at the largest size",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    mitre = not args.no_mitre
    header = (
        f"dnn-supply-chain {version('dnn-supply-chain')} on Python "
        f"{sys.version.split()[0]} ({sys.platform}, {os.cpu_count()} CPUs)"
    )
    if mitre:
        try:
            header += f", mitreattack-python {version('mitreattack-python')}"
        except PackageNotFoundError:
            print(
                "mitreattack-python is not installed: install the "
                "'benchmark' extra, or pass --no-mitre",
                file=sys.stderr,
            )
            sys.exit(2)
    compiled = compile_package()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            rows.append(measure(size, Path(tmp), mitre=mitre))
            print(
                f"measured {size:,} attacks "
                f"({time.perf_counter() - started:.0f} s so far)",
                file=sys.stderr,
            )
        profiled = profile(max(sizes), Path(tmp)) if args.profile else ""
    print(header)
    print(f"extensions loaded: {', '.join(rows[0]['extensions'])}")
    print(compiled)
    print(
        f"cold (load, json.load): best of {MIN_ROUNDS} to {ROUNDS} fresh "
        f"processes, as many as start within {COLD_BUDGET:.0f} s; search 1st "
        "(with building the index): the first of them; memory: tracemalloc "
        f"peak, one process each; warm: best of {REPEAT} timeit repeats over "
        f"{SAMPLE:,} random ids"
    )
    if mitre:
        print(
            "MAD = mitreattack-python's MitreAttackData on our STIX export of "
            "the same taxonomy, its load best of up to "
            f"{MITRE_ROUNDS} fresh processes; x ours = theirs / ours"
        )
    print()
    report(rows, mitre=mitre)
    if profiled:
        print()
        print(f"cProfile of load() with {max(sizes):,} attacks installed")
        print(profiled.rstrip())
    print()
    print(f"benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
