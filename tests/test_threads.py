"""
Thread safety: the first load, and the first use of a taxonomy's lazily
built indexes, from many threads at once.

The threads wait at a barrier and start together, and the interpreter
switches between them as often as it can, so that they interleave inside
the code under test.  Nothing here depends on timing: every interleaving
must give the same results.
"""

from __future__ import annotations

import functools
import json
import sys
import threading

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from typing import Any

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _io, _loading, crosswalk


THREADS = 16
ROUNDS = 3


@pytest.fixture(autouse=True)
def _switch_often():
    """
    Make the interpreter switch threads as often as it can.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture(name="fresh_cache")
def _fresh_cache(monkeypatch):
    """
    Forget the loaded taxonomies (and the crosswalk) around the test.
    """
    monkeypatch.setattr(_io, "_cached", None)
    monkeypatch.setattr(_loading, "_merged", {})
    crosswalk.load_crosswalk.cache_clear()
    yield
    crosswalk.load_crosswalk.cache_clear()


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """
    Run *calls*, one a thread, all started at once; return their results
    in order (an exception in any thread is raised here).
    """
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result() for future in futures]


def bundled_data() -> dict[str, Any]:
    """
    The bundled data file, freshly parsed.
    """
    text = (files("dnn_supply_chain") / "data" / "taxonomy.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def counts(tax: dsc.Taxonomy) -> dict[str, int]:
    """
    How many records of each kind, and terms, *tax* has.
    """
    found = {
        collection: len(getattr(tax, collection))
        for collection in ("stages", "categories", "attacks", "defenses")
    }
    found["papers"] = len(tax.papers)
    found["threat_types"] = len(tax.vocabulary.threat_types)
    found["modalities"] = len(tax.vocabulary.modalities)
    return found


def every_query(tax: dsc.Taxonomy) -> list[Any]:
    """
    The answers to a query on every axis of every index of *tax*.
    """
    answers: list[Any] = []
    for stage in tax.stages:
        answers.append(tax.find_attacks(stage=stage.id))
        answers.append(tax.find_defenses(stage=stage.id))
        answers.append(tax.find_papers(stage=stage.id))
        answers.append(tax.categories_of(stage.id))
        answers.append(tax.previous_stages(stage.id))
    for cat in tax.categories:
        answers.append(tax.find_attacks(category=cat.id))
        answers.append(tax.find_papers(category=cat.id))
    for term in tax.vocabulary.threat_types:
        answers.append(tax.find_attacks(threat_type=term))
        answers.append(tax.find_defenses(threat_type=term))
    for term in tax.vocabulary.modalities:
        answers.append(tax.find_attacks(modality=term))
        answers.append(tax.find_papers(modality=term))
    for role in ("attack", "defense"):
        answers.append(tax.find_papers(role=role))
    answers.append(tax.find_attacks(year=(2020, None), has_code=True))
    answers.append(tax.find_defenses(venue="CCS", author="a"))
    for atk in tax.attacks:
        answers.append(tax.defenses_for(atk.id))
        answers.append(tax.papers_of(atk.id))
    for dfn in tax.defenses:
        answers.append(tax.attacks_countered_by(dfn.id))
    for paper in tax.papers:
        answers.append(tax.records_of(paper.id))
    for text in ("backdoor", "model stealing", "quantization", "badnets"):
        answers.append(tax.search(text, limit=None))
    refs = sorted(
        {r for a in tax.attacks for r in (*a.atlas_techniques, *a.owasp_ml)}
        | {r for d in tax.defenses for r in d.atlas_mitigations}
    )
    for ref in refs:
        answers.append(tax.crosswalk(ref, subtechniques=True))
    return answers


class TestLoad:
    """
    The first load, from many threads at once, builds one taxonomy.
    """

    @pytest.mark.usefixtures("fresh_cache")
    def test_one_taxonomy(self):
        """
        Every thread gets the same, whole taxonomy.
        """
        expected = counts(dsc.taxonomy_from_dict(bundled_data()))
        results = together([dsc.load] * THREADS)
        first = results[0]
        assert [id(first)] * THREADS == [id(tax) for tax in results]
        assert expected == counts(first)
        assert first is dsc.load()

    @pytest.mark.usefixtures("fresh_cache")
    def test_bundled_alone(self):
        """
        Every thread asking for the bundled survey alone gets the one
        cached object.
        """
        results = together([lambda: dsc.load(extensions=False)] * THREADS)
        assert _io._cached is not None
        assert [id(_io._cached)] * THREADS == [id(t) for t in results]

    @pytest.mark.parametrize("round_", range(ROUNDS))
    @pytest.mark.usefixtures("fresh_cache")
    def test_mixed(self, round_):
        """
        Threads asking for the bundled survey alone, for the merged
        taxonomy and for it in strict mode get one object per question,
        all with the same records.
        """
        expected = counts(dsc.taxonomy_from_dict(bundled_data()))
        kinds = [
            {"extensions": False},
            {},
            {"extensions": True, "strict": True},
            {"extensions": []},
        ]
        calls = [
            functools.partial(dsc.load, **kinds[(i + round_) % len(kinds)])
            for i in range(THREADS)
        ]
        results = together(calls)
        by_kind: dict[int, set[int]] = {}
        for i, tax in enumerate(results):
            by_kind.setdefault((i + round_) % len(kinds), set()).add(id(tax))
            assert expected == counts(tax)
        assert [1] * len(kinds) == [len(by_kind[k]) for k in sorted(by_kind)]
        bundled = dsc.load(extensions=False)
        assert bundled is _io._cached
        for kw in kinds:
            assert bundled == dsc.load(**kw)
        assert 4 == len(_loading._merged)


class TestLazyIndexes:
    """
    The first queries on a fresh taxonomy, from many threads at once, give
    what one thread gets.
    """

    @pytest.mark.parametrize("_round", range(ROUNDS))
    @pytest.mark.usefixtures("fresh_cache")
    def test_every_query(self, _round):
        """
        Every thread gets the answers a lone thread gets from another fresh
        taxonomy.
        """
        data = bundled_data()
        expected = every_query(dsc.taxonomy_from_dict(data))
        crosswalk.load_crosswalk.cache_clear()
        tax = dsc.taxonomy_from_dict(data)
        results = together([lambda: every_query(tax)] * THREADS)
        for answers in results:
            assert expected == answers

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param(lambda tax: tax.find_attacks(), id="find-all"),
            pytest.param(
                lambda tax: [tax.find_attacks(stage=s.id) for s in tax.stages],
                id="find-by-stage",
            ),
            pytest.param(
                lambda tax: tax.search("backdoor", limit=None), id="search"
            ),
            pytest.param(
                lambda tax: [
                    tax.crosswalk(r)
                    for a in tax.attacks
                    for r in a.atlas_techniques
                ],
                id="crosswalk",
            ),
            pytest.param(
                lambda tax: [tax.defenses_for(a.id) for a in tax.attacks],
                id="defenses-for",
            ),
            pytest.param(
                lambda tax: [tax.records_of(p.id) for p in tax.papers],
                id="records-of",
            ),
        ],
    )
    def test_one_index(self, query):
        """
        Threads that all build the same index first get the same answer.
        """
        data = bundled_data()
        expected = query(dsc.taxonomy_from_dict(data))
        for _ in range(ROUNDS):
            tax = dsc.taxonomy_from_dict(data)
            results = together([lambda t=tax: query(t)] * THREADS)
            assert [expected] * THREADS == results
