"""
Counter evidence: which defense counters which attack, on what basis, as
the reference says, entry by entry; and the honest answer where nothing
does.
"""

from __future__ import annotations

import warnings

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain._records import BASES


def record_of(tax, paper_id):
    """
    The attack or defense a paper introduced.
    """
    (record,) = tax.records_of(paper_id)
    return record.id


@pytest.fixture(name="bundled", scope="module")
def _bundled():
    return dsc.load(extensions=False)


@pytest.fixture(name="links", scope="module")
def _links(reference):
    return reference["counter_evidence"]["links"]


class TestBundled:
    """
    The bundled evidence is the reference's, and the queries follow it.
    """

    def test_every_link(self, bundled, links):
        """
        Each reference link is a CounterEvidence between the papers'
        records, with its basis, evidence, source and caveat.
        """
        expected = {
            (
                record_of(bundled, link["defense"]),
                record_of(bundled, link["attack"]),
            ): (
                link["basis"],
                link["evidence"],
                link["source"],
                link.get("caveat"),
            )
            for link in links
        }
        found = {
            (e.defense, e.attack): (e.basis, e.evidence, e.source, e.caveat)
            for e in bundled.counter_evidence()
        }
        assert expected == found
        assert len(links) == len(bundled.counter_evidence())

    def test_defenses_for_every_attack(self, bundled, links):
        """
        For every attack, defenses_for gives exactly the defenses of the
        reference's links for its paper, strongest first.
        """
        for attack in bundled.attacks:
            (paper,) = attack.papers
            mine = [link for link in links if link["attack"] == paper]
            mine.sort(key=lambda link: BASES.index(link["basis"]))
            ranks = [BASES.index(link["basis"]) for link in mine]
            found = bundled.defenses_for(attack.id)
            assert sorted(ranks) == ranks
            assert {record_of(bundled, link["defense"]) for link in mine} == {
                d.id for d in found
            }
            found_ranks = [
                BASES.index(
                    next(
                        e.basis
                        for e in bundled.counter_evidence(
                            attack=attack.id, defense=d.id
                        )
                    )
                )
                for d in found
            ]
            assert sorted(found_ranks) == found_ranks

    def test_undefended(self, bundled, reference):
        """
        The undefended attacks are exactly the reference's list.
        """
        expected = {
            record_of(bundled, item["attack"])
            for item in reference["counter_evidence"][
                "attacks_without_applicable_defense"
            ]
        }
        assert 16 == len(expected)
        assert expected == {a.id for a in bundled.undefended()}

    def test_basis_narrows(self, bundled):
        """
        A stronger basis keeps fewer links; evaluated is the strongest.
        """
        counts = [len(bundled.counter_evidence(basis=b)) for b in BASES]
        assert counts == sorted(counts)
        assert {"evaluated"} == {
            e.basis for e in bundled.counter_evidence(basis="evaluated")
        }
        assert len(bundled.undefended(basis="evaluated")) > len(
            bundled.undefended()
        )

    def test_strongest_first(self, bundled):
        """
        All links come strongest basis first.
        """
        ranks = [e.rank for e in bundled.counter_evidence()]
        assert sorted(ranks) == ranks

    def test_both_ways(self, bundled):
        """
        attacks_countered_by mirrors defenses_for.
        """
        for defense in bundled.defenses:
            for attack in bundled.attacks_countered_by(defense.id):
                assert defense in bundled.defenses_for(attack.id)

    def test_nlp_fine_tuning_defenses_not_for_weight_poisoning(self, bundled):
        """
        The NLP fine-tuning defenses assume clean pre-trained weights: no
        evidence pairs them with weight poisoning by the publisher.
        """
        for attack in ("ripple", "badpre", "neuba"):
            found = {d.id for d in bundled.defenses_for(attack)}
            assert not {
                "fine-mixing",
                "fine-purifying",
                "moderate-fitting",
            } & (found)

    def test_defense_scope(self, bundled, reference):
        """
        Each defense's record says where it is applied and what its
        defender needs, as the reference's defense_scope does.
        """
        scopes = reference["counter_evidence"]["defense_scope"]
        for defense in bundled.defenses:
            (paper,) = defense.papers
            assert scopes[paper]["stage_applied"] == defense.stage_applied
            assert scopes[paper]["defender_needs"] == defense.defender_needs

    def test_bad_arguments(self, bundled):
        """
        An unknown basis is a ValueError; an unknown id an UnknownIdError.
        """
        with pytest.raises(ValueError, match="basis must be one of"):
            bundled.defenses_for("ripple", basis="strong")  # type: ignore[arg-type]
        with pytest.raises(dsc.UnknownIdError):
            bundled.counter_evidence(attack="decree")
        with pytest.raises(dsc.UnknownIdError):
            bundled.attacks_countered_by("ripple")


def _fragment(extra=""):
    return dsc.fragment_from_dict(
        {
            "namespace": "ev",
            "defenses": [
                {
                    "id": "ev:scan",
                    "name": "Scan",
                    "stage": "design",
                    "papers": ["ev:p"],
                }
            ],
            "papers": [{"id": "ev:p", "title": "P"}],
            "counter_evidence": [
                {
                    "defense": "ev:scan",
                    "attack": "ripple",
                    "basis": "evaluated",
                    "evidence": "Runs RIPPLe.",
                    "source": "ev:p, section 4",
                    **({"caveat": extra} if extra else {}),
                }
            ],
        }
    )


class TestExtensions:
    """
    Extensions add evidence, checked like every other record.
    """

    def test_merged(self, bundled):
        """
        An extension's evidence joins the bundled evidence, in order.
        """
        fragment = _fragment()
        assert () == dsc.validate_fragment(fragment)
        merged, failures = dsc.extensions._merge.combine(
            bundled,
            [
                dsc.extensions._merge.Part(
                    info=dsc.ExtensionInfo(
                        name="ev", distribution="ev", version="1", value="x"
                    ),
                    fragment=fragment,
                    source="extension 'ev'",
                )
            ],
        )
        assert {} == failures
        assert (*bundled.evidence, *fragment.counter_evidence) == (
            merged.evidence
        )
        assert ("remos", "ev:scan") == tuple(
            d.id for d in merged.defenses_for("ripple", basis="evaluated")
        )

    @pytest.mark.parametrize(
        ("change", "location", "message"),
        [
            (
                {"attack": "ripplee"},
                ("counter_evidence", 0, "attack"),
                "unknown attack 'ripplee'",
            ),
            (
                {"defense": "ripple"},
                ("counter_evidence", 0, "defense"),
                "'ripple' is an attack, not a defense",
            ),
        ],
    )
    def test_bad_references(self, change, location, message):
        """
        Unknown or wrong-kind ids are problems at their location.
        """
        data = {
            "namespace": "ev",
            "counter_evidence": [
                {
                    "defense": "decree",
                    "attack": "ripple",
                    "basis": "claimed",
                    "evidence": "x",
                    "source": "y",
                    **change,
                }
            ],
        }
        (problem,) = dsc.validate_fragment(dsc.fragment_from_dict(data))
        assert location == problem.location
        assert problem.message.startswith(message)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"basis": "strong"}, "basis"),
            ({"evidence": " "}, "evidence"),
            ({"source": ""}, "source"),
        ],
    )
    def test_bad_fields(self, change, field):
        """
        An unknown basis, or empty evidence or source, is a problem with
        its location.
        """
        data = {
            "namespace": "ev",
            "counter_evidence": [
                {
                    "defense": "decree",
                    "attack": "ripple",
                    "basis": "claimed",
                    "evidence": "x",
                    "source": "y",
                    **change,
                }
            ],
        }
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.fragment_from_dict(data)
        assert [("counter_evidence", 0, field)] == [
            p.location for p in exc_info.value.problems
        ]

    def test_duplicate_pair(self):
        """
        A second entry for a pair that has evidence is a problem.
        """
        data = {
            "namespace": "ev",
            "counter_evidence": [
                {
                    "defense": "decree",
                    "attack": "badencoder",
                    "basis": "claimed",
                    "evidence": "x",
                    "source": "y",
                }
            ],
        }
        (problem,) = dsc.validate_fragment(dsc.fragment_from_dict(data))
        assert ("counter_evidence", 0) == problem.location
        assert "already links defense 'decree' to attack 'badencoder'" in (
            problem.message
        )

    def test_deprecated_attacks_list(self):
        """
        A defense's list of countered attacks still works: it is claimed
        evidence whose source is the extension, with a warning that says
        how to write it.
        """
        data = {
            "namespace": "old",
            "defenses": [
                {
                    "id": "old:scan",
                    "name": "Scan",
                    "stage": "design",
                    "attacks": ["ripple"],
                    "papers": ["old:p"],
                }
            ],
            "papers": [{"id": "old:p", "title": "P"}],
        }
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fragment = dsc.fragment_from_dict(data, source="old.toml")
        (warning,) = caught
        assert issubclass(warning.category, DeprecationWarning)
        assert "old.toml: defenses[0].attacks" in str(warning.message)
        assert "[[counter_evidence]]" in str(warning.message)
        assert () == dsc.validate_fragment(fragment, source="old.toml")
        base = dsc.load(extensions=False)
        merged, failures = dsc.extensions._merge.combine(
            base,
            [
                dsc.extensions._merge.Part(
                    info=dsc.ExtensionInfo(
                        name="old", distribution="old", version="1", value="x"
                    ),
                    fragment=fragment,
                    source="extension 'old'",
                )
            ],
        )
        assert {} == failures
        (link,) = merged.counter_evidence(defense="old:scan")
        assert ("ripple", "claimed", "extension 'old'") == (
            link.attack,
            link.basis,
            link.source,
        )
        assert link.caveat
