"""
Suggestions for unknown ids in a large taxonomy (issue 12) come from an
index, not from a pass over every id.
"""

from __future__ import annotations

import difflib

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _index


def big_taxonomy(count):
    """
    The bundled taxonomy with *count* more attacks, from a fragment-like
    change of its data.
    """
    data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
    template = data["attacks"][0]
    data["attacks"] += [
        {**template, "id": f"synthetic-attack-{n}", "name": f"Synthetic {n}"}
        for n in range(count)
    ]
    return dsc.taxonomy_from_dict(data)


class TestClosest:
    """
    closest_ids() finds the ids difflib would, through trigrams.
    """

    def test_small_taxonomy_ranks_all(self, tax):
        """
        In a small taxonomy every id is ranked, as difflib does.
        """
        expected = difflib.get_close_matches(
            "ripplee", [a.id for a in tax.attacks], n=3, cutoff=0.6
        )
        assert expected == tax.closest_ids("ripplee", kind="attack")

    def test_large_taxonomy_uses_the_index(self, monkeypatch):
        """
        In a large one, a typo is answered from a few candidates: difflib
        never sees the whole pool.
        """
        tax = big_taxonomy(5000)
        seen = []
        real = _index.suggest

        def spy(word, candidates, n=3):
            pool = list(candidates)
            seen.append(len(pool))
            return real(word, pool, n)

        monkeypatch.setattr(_index, "suggest", spy)
        assert ["synthetic-attack-4242"] == tax.closest_ids(
            "synthetic-atack-4242", kind="attack", n=1
        )
        assert max(seen) <= 200
        with pytest.raises(dsc.UnknownIdError) as exc_info:
            tax.attack("synthetic-attack-42420")
        assert "synthetic-attack-4242" in str(exc_info.value)

    def test_names(self, tax):
        """
        ids_named() finds a record by its name, case and spaces folded.
        """
        assert ["badencoder"] == tax.ids_named("  badencoder ", kind="attack")
        assert [] == tax.ids_named("no such name", kind="attack")
