"""
Suggestions for unknown ids at scale: the trigram index against a difflib
pass over every id, in one run.

    python benchmarks/bench_suggest.py [--size 100000] [--tags 200]
"""

from __future__ import annotations

import argparse
import difflib
import time

import dnn_supply_chain as dsc


def main() -> None:
    """Build a large taxonomy, then time both ways of suggesting."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--tags", type=int, default=200)
    args = parser.parse_args()
    data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
    template = data["attacks"][0]
    data["attacks"] += [
        {**template, "id": f"synthetic-attack-{n}", "name": f"Synthetic {n}"}
        for n in range(args.size)
    ]
    tax = dsc.taxonomy_from_dict(data)
    typos = [f"synthetic-atack-{n * 37 % args.size}" for n in range(args.tags)]
    ids = [a.id for a in tax.attacks]
    tax.closest_ids(typos[0], kind="attack")  # builds the index once
    start = time.perf_counter()
    found = [tax.closest_ids(t, kind="attack", n=1) for t in typos]
    indexed = (time.perf_counter() - start) / len(typos)
    sample = typos[: max(1, len(typos) // 20)]
    start = time.perf_counter()
    expected = [difflib.get_close_matches(t, ids, n=1) for t in sample]
    scan = (time.perf_counter() - start) / len(sample)
    agree = sum(f == e for f, e in zip(found, expected, strict=False))
    print(
        f"{len(ids):,} attacks: indexed {indexed * 1e3:.2f} ms per unknown "
        f"tag, difflib over all {scan * 1e3:.1f} ms ({scan / indexed:.0f}x); "
        f"same answer for {agree} of {len(sample)} compared"
    )


if __name__ == "__main__":
    main()
