"""
What extending the taxonomy costs.

Installs (as a fake distribution on ``PYTHONPATH``, the way an installed
wheel is found) the example extension and a synthetic fragment of 10,000
attacks with their papers, then times ``dnn_supply_chain.load()`` in fresh
processes next to the bundled survey alone and to the floor, ``json.load``
of the same files.  Run it from the repository root::

    python benchmarks/bench_extensions.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from importlib.resources import files
from pathlib import Path


ROUNDS = 5
SIZE = 10_000
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (
    ROOT / "examples" / "extension" / "src" / "acme_dsc" / "fragment.toml"
)

LOAD = (
    "import time, dnn_supply_chain as d; t = time.perf_counter(); "
    "tax = d.load({args}); print(time.perf_counter() - t, len(tax.attacks))"
)


def synthetic(size: int) -> dict[str, object]:
    """
    A fragment of *size* attacks, each with a paper of its own.
    """
    stages = ("design", "secondary-development", "deployment", "usage")
    threats = ("backdoor", "weight poisoning", "model stealing")
    return {
        "namespace": "synth",
        "attacks": [
            {
                "id": f"synth:attack-{i}",
                "name": f"Synthetic attack {i}",
                "stage": stages[i % 4],
                "threat_types": [threats[i % 3]],
                "modalities": ["vision"],
                "summary": f"A synthetic attack number {i} for the benchmark.",
                "papers": [f"synth:paper-{i}"],
            }
            for i in range(size)
        ],
        "papers": [
            {
                "id": f"synth:paper-{i}",
                "title": f"Synthetic paper {i}",
                "authors": ["A. Author", "B. Author"],
                "year": 2000 + i % 25,
            }
            for i in range(size)
        ],
    }


def install(site: Path, dist: str, package: str, name: str, text: str) -> None:
    """
    Put a distribution whose entry point names a data file on *site*.
    """
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(
        f"[dnn_supply_chain.extensions]\n{package} = {package}:{name}\n",
        encoding="utf-8",
    )
    (site / package).mkdir()
    (site / package / name).write_text(text, encoding="utf-8")


def best(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """
    Best wall time, best in-process load time, and the attack count.
    """
    walls, inner, count = [], [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        out = subprocess.run(
            argv, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        walls.append(time.perf_counter() - start)
        if out:
            inner.append(float(out[0]))
            count = int(out[1])
    return min(walls), min(inner, default=0.0), count


def main() -> None:
    """
    Measure and print the table.
    """
    started = time.perf_counter()
    py = sys.executable
    bundled_file = files("dnn_supply_chain") / "data" / "taxonomy.json"
    with tempfile.TemporaryDirectory() as tmp:
        example_site = Path(tmp) / "example"
        install(
            example_site,
            "acme_dsc_extension",
            "acme_dsc",
            "fragment.toml",
            EXAMPLE.read_text(encoding="utf-8"),
        )
        synth_site = Path(tmp) / "synth"
        synth_file = json.dumps(synthetic(SIZE))
        install(
            synth_site, "synth_ext", "synth_ext", "fragment.json", synth_file
        )
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        cases = [
            ("bundled survey alone", base_env, "extensions=False"),
            (
                "bundled + example extension",
                {**base_env, "PYTHONPATH": str(example_site)},
                "",
            ),
            (
                f"bundled + {SIZE:,}-attack fragment",
                {**base_env, "PYTHONPATH": str(synth_site)},
                "",
            ),
        ]
        rows = []
        for label, env, args in cases:
            wall, inner, count = best([py, "-c", LOAD.format(args=args)], env)
            rows.append((label, wall, inner, count))
        floor_code = (
            "import json, time; t = time.perf_counter(); "
            "json.load(open({path!r}, 'rb')); json.load(open({extra!r}, 'rb')); "
            "print(time.perf_counter() - t, 0)"
        )
        synth_path = synth_site / "synth_ext" / "fragment.json"
        _, floor, _ = best(
            [
                py,
                "-c",
                floor_code.format(
                    path=str(bundled_file), extra=str(synth_path)
                ),
            ],
            base_env,
        )
        _, floor_bundled, _ = best(
            [
                py,
                "-c",
                floor_code.format(
                    path=str(bundled_file), extra=str(bundled_file)
                ),
            ],
            base_env,
        )

    width = max(len(r[0]) for r in rows)
    print(f"load() in fresh processes, best of {ROUNDS}")
    print(
        f"{'case':<{width}}  {'attacks':>7}  {'load()':>10}  {'process':>10}"
    )
    for label, wall, inner, count in rows:
        print(
            f"{label:<{width}}  {count:>7}  {inner * 1e3:>7.1f} ms  {wall * 1e3:>7.1f} ms"
        )
    print()
    synth_load = rows[2][2]
    print(
        f"json.load of bundled + {SIZE:,}-attack fragment: {floor * 1e3:.1f} ms; "
        f"load() / json.load: {synth_load / floor:.1f}x"
    )
    print(
        f"json.load of the bundled file twice: {floor_bundled * 1e3:.1f} ms; "
        f"extra load() time of the example extension: "
        f"{(rows[1][2] - rows[0][2]) * 1e3:.1f} ms"
    )
    print(f"benchmark took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
