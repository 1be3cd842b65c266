"""
Time text search before and after the search normaliser, in one run.

The baseline is the index as it was before the normaliser (words cut at
``\\w+`` and case-folded, nothing else), kept below as ``BaselineIndex``;
the current one is :class:`dnn_supply_chain._index.SearchIndex`.  Both
index the same records, and each query runs on both, interleaved, best of
several timeit repeats.  Records: the bundled taxonomy, and a synthetic
one of ``--size`` attacks (default 100,000) with their papers, whose texts
come from ``bench_scale.synthetic``.  Also timed: building each index, and
that ``load()`` builds neither (the index stays lazy).

Run it from the repository root::

    python benchmarks/bench_search.py [--size 100000]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import re
import sys
import time
import timeit

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import attrs

import dnn_supply_chain as dsc

from dnn_supply_chain._index import SearchIndex, _search_fields


sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import bundled_file, search_query, synthetic


REPEAT = 5
"""timeit repeats per measurement; the best one counts."""

QUERIES = (
    "quantization backdoor",
    "quantize",
    "int8",
    "hugging face",
    "phone",
    "fine-tuning",
    (
        "attacks on a model I download from a hub and quantize to int8 "
        "for a phone"
    ),
)

SLOWER = 2.0
"""The most a query may take, current over baseline, and pass; only
queries the baseline finds something for count."""

_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _normal(text: str) -> str:
    return " ".join(_tokens(text))


class BaselineIndex:
    """The search index before the normaliser, as it was (effa63e)."""

    def __init__(self, records: Sequence[dsc.Record]) -> None:
        self._size = len(records)
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._exact: dict[str, dict[int, set[str]]] = defaultdict(dict)
        for pos, rec in enumerate(records):
            names, body = _search_fields(rec)
            for name in names:
                self._exact[_normal(name)].setdefault(pos, set()).add(name)
            for text, weight in ((" ".join(names), 3.0), (body, 1.0)):
                for token in set(_tokens(text)):
                    posting = self._postings[token]
                    posting[pos] = posting.get(pos, 0.0) + weight

    def search(
        self, text: str, limit: int | None = None
    ) -> list[tuple[int, float]]:
        """The positions and scores of the hits, best first."""
        scores: dict[int, float] = defaultdict(float)
        postings = [
            p for p in (self._postings.get(t) for t in set(_tokens(text))) if p
        ]
        rare = [p for p in postings if len(p) <= self._size // 10]
        if rare and len(postings) > len(rare):
            postings = [p for p in postings if len(p) <= self._size // 2]
        for posting in postings:
            idf = math.log(1 + self._size / len(posting))
            for pos, weight in posting.items():
                scores[pos] += weight * idf
        for pos, names in self._exact.get(_normal(text), {}).items():
            scores[pos] += 1000.0 + (500.0 if text.strip() in names else 0.0)
        key = lambda item: (-item[1], item[0])  # noqa: E731
        if limit is not None:
            return heapq.nsmallest(limit, scores.items(), key=key)
        return sorted(scores.items(), key=key)


def fmt(seconds: float) -> str:
    """Format a duration with a unit that suits it."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:7.2f} {unit}"
    return f"{seconds / 1e-9:7.1f} ns"


def best(stmt: object) -> float:
    """The best per-call time of the callable *stmt*, in seconds."""
    timer = timeit.Timer(stmt)  # type: ignore[arg-type]
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def built(cls: type, records: Sequence[dsc.Record]) -> tuple[object, float]:
    """An index of *records* and the time it took to build."""
    start = time.perf_counter()
    index = cls(records)
    return index, time.perf_counter() - start


def synthetic_records(size: int) -> list[dsc.Record]:
    """
    The bundled records, then *size* attacks and their papers made from
    the texts of ``bench_scale.synthetic``.
    """
    tax = dsc.load(extensions=False)
    raw = json.loads(bundled_file().read_text(encoding="utf-8"))
    fragment = synthetic(size, raw)
    atk, paper = tax.attacks[0], tax.papers[0]
    records: list[dsc.Record] = [
        *tax.stages,
        *tax.categories,
        *tax.attacks,
        *tax.defenses,
        *tax.papers,
    ]
    records += [
        attrs.evolve(
            atk,
            id=a["id"].replace(":", "-"),
            name=a["name"],
            summary=a["summary"],
        )
        for a in fragment["attacks"]
    ]
    records += [
        attrs.evolve(
            paper,
            id=p["id"].replace(":", "-"),
            title=p["title"],
            authors=tuple(p["authors"]),
        )
        for p in fragment["papers"]
    ]
    return records


def compare(
    label: str, records: Sequence[dsc.Record], queries: Sequence[str]
) -> bool:
    """Time both indexes over *records*; print the table; tell if it passes."""
    old, old_build = built(BaselineIndex, records)
    new, new_build = built(SearchIndex, records)
    print(f"\n{label}: {len(records):,} records")
    print(
        f"  build: baseline {fmt(old_build).strip()}, "
        f"current {fmt(new_build).strip()} "
        f"({new_build / old_build:.2f}x)"
    )
    width = max(len(q) for q in queries)
    print(f"  {'query':<{width}}  {'baseline':>10}  {'current':>10}  ratio")
    worst = 0.0
    for query in queries:
        before = best(lambda q=query: old.search(q, 20))  # type: ignore[attr-defined]
        after = best(lambda q=query: new.search(q, 20))  # type: ignore[attr-defined]
        # A query the baseline finds nothing for costs it no ranking:
        # its ratio says what finding something costs, not a slowdown.
        missed = not old.search(query, 20)  # type: ignore[attr-defined]
        if not missed:
            worst = max(worst, after / before)
        print(
            f"  {query:<{width}}  {fmt(before):>10}  {fmt(after):>10}  "
            f"{after / before:5.2f}x"
            f"{'  (baseline finds nothing)' if missed else ''}"
        )
    verdict = worst <= SLOWER
    print(
        f"  slowest ratio where both find hits {worst:.2f}x "
        f"(aim: at most {SLOWER}x: "
        f"{'pass' if verdict else 'FAIL'})"
    )
    return verdict


def lazy() -> bool:
    """Tell whether load() and a lookup leave the search index unbuilt."""
    tax = dsc.taxonomy_from_dict(
        json.loads(bundled_file().read_text(encoding="utf-8"))
    )
    tax.get("ripple")
    tax.find_attacks(stage="deployment")
    return "search" not in tax._index.__dict__  # noqa: SLF001


def main() -> None:
    """Measure, then print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    tax = dsc.load(extensions=False)
    bundled = [
        *tax.stages,
        *tax.categories,
        *tax.attacks,
        *tax.defenses,
        *tax.papers,
    ]
    print(
        f"dnn-supply-chain on Python {sys.version.split()[0]}; best of {REPEAT}"
    )
    ok = compare("bundled", bundled, QUERIES)
    ok &= compare(
        f"synthetic, {args.size:,} attacks",
        synthetic_records(args.size),
        (*QUERIES, search_query(args.size)),
    )
    print(f"\nsearch index left unbuilt by load(), get() and find: {lazy()}")
    print(f"benchmark took {time.perf_counter() - started:.1f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
