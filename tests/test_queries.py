"""
The query API: lookup, filters, navigation and search.
"""

from __future__ import annotations

import threading

import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc


class TestLoad:
    """
    load() gives one cached taxonomy.
    """

    def test_cached(self):
        """
        Every call returns the same object.
        """
        assert dsc.load() is dsc.load()

    def test_threads(self, monkeypatch):
        """
        Many threads loading at once get one and the same taxonomy.
        """
        from dnn_supply_chain import _io, _loading

        monkeypatch.setattr(_io, "_cached", None)
        monkeypatch.setattr(_loading, "_merged", {})
        results = []
        barrier = threading.Barrier(8)

        def work():
            barrier.wait()
            results.append(dsc.load())

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert 8 == len(results)
        assert 1 == len({id(r) for r in results})


class TestGet:
    """
    Lookup by id.
    """

    def test_every_record(self, tax):
        """
        get(r.id) is r for every record of every kind.
        """
        for rec in (
            *tax.stages,
            *tax.categories,
            *tax.attacks,
            *tax.defenses,
            *tax.papers,
        ):
            assert rec is tax.get(rec.id)
            assert rec.id in tax

    def test_contract_example(self, tax):
        """
        The paper id of the contract resolves to its paper.
        """
        assert (
            "Weight Poisoning Attacks on Pretrained Models"
            == tax.get("kurita2020weight").title
        )

    def test_unknown_suggests(self, tax):
        """
        An unknown id raises UnknownIdError, a KeyError naming the closest.
        """
        with pytest.raises(dsc.UnknownIdError) as exc_info:
            tax.get("kurita2020weigth")
        assert isinstance(exc_info.value, KeyError)
        assert "kurita2020weight" in str(exc_info.value)
        assert ("kurita2020weight",) == exc_info.value.suggestions[:1]

    def test_unknown_without_match(self, tax):
        """
        An id like nothing gets no suggestion, still a clear message.
        """
        with pytest.raises(
            dsc.UnknownIdError, match=r"unknown record 'zzzzqqq'$"
        ):
            tax.get("zzzzqqq")

    def test_non_string(self, tax):
        """
        A non-string id is unknown, not a TypeError.
        """
        with pytest.raises(dsc.UnknownIdError):
            tax.get(42)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("method", "cls", "rid"),
        [
            ("stage", dsc.Stage, "design"),
            ("category", dsc.Category, "compression"),
            ("attack", dsc.Attack, "ripple"),
            ("defense", dsc.Defense, "decree"),
            ("paper", dsc.Paper, "kurita2020weight"),
        ],
    )
    def test_typed_helpers(self, tax, method, cls, rid):
        """
        Each typed helper returns its kind.
        """
        assert isinstance(getattr(tax, method)(rid), cls)

    def test_typed_helper_wrong_kind(self, tax):
        """
        Asking for an attack by a paper's id names the kind it really is.
        """
        with pytest.raises(
            dsc.UnknownIdError, match="'kurita2020weight' is a paper"
        ):
            tax.attack("kurita2020weight")

    def test_kind_of(self, tax):
        """
        kind_of tells the kind of an id.
        """
        assert ["stage", "category", "attack", "defense", "paper"] == [
            tax.kind_of(i)
            for i in (
                "usage",
                "transfer",
                "badencoder",
                "nnsmith",
                "liu2023nnsmith",
            )
        ]


class TestFilters:
    """
    Filters on every axis, composable, in deterministic order.
    """

    def test_stage_partitions_attacks(self, tax):
        """
        Filtering by each stage partitions the attacks, in order.
        """
        parts = [tax.find_attacks(stage=s.id) for s in tax.stages]
        flat = [a for part in parts for a in part]
        assert sorted(a.id for a in tax.attacks) == sorted(a.id for a in flat)
        assert len(flat) == len(set(flat))
        for part in parts:
            assert list(part) == sorted(part, key=tax.attacks.index)

    def test_category_partitions_stage(self, tax):
        """
        A stage's attacks are its categories' attacks plus uncategorised.
        """
        for stage in tax.stages:
            by_cat = [
                a
                for c in tax.categories_of(stage.id)
                for a in tax.attacks_in(c.id)
            ]
            loose = [a for a in tax.attacks_in(stage.id) if a.category is None]
            assert sorted(a.id for a in tax.attacks_in(stage.id)) == sorted(
                a.id for a in by_cat + loose
            )

    def test_compression_attacks(self, tax):
        """
        The compression category holds the survey's five compression attacks.
        """
        assert 5 == len(tax.find_attacks(category="compression"))
        assert all(
            a.stage == "secondary-development"
            for a in tax.find_attacks(category="compression")
        )

    def test_combined_criteria_are_an_intersection(self, tax):
        """
        Several criteria in one call give the intersection of each alone.
        """
        one = set(tax.find_attacks(stage="secondary-development"))
        two = set(tax.find_attacks(threat_type="backdoor"))
        three = set(tax.find_attacks(modality="vision"))
        both = tax.find_attacks(
            stage="secondary-development",
            threat_type="backdoor",
            modality="vision",
        )
        assert one & two & three == set(both)
        assert both

    def test_threat_type(self, tax):
        """
        threat_type matches attacks' threat types and defenses' counters.
        """
        for a in tax.find_attacks(threat_type="model stealing"):
            assert "model stealing" in a.threat_types
        for d in tax.find_defenses(threat_type="deployment integrity"):
            assert "deployment integrity" in d.counters
        assert {"mt-dlcomp", "nnsmith", "hirgen"} <= {
            d.id for d in tax.find_defenses(threat_type="deployment integrity")
        }

    def test_year_range(self, tax):
        """
        Years match inclusively; open ends work.
        """
        papers = tax.find_papers(year=(2021, 2022))
        assert papers
        assert all(p.year in (2021, 2022) for p in papers)
        assert {p.id for p in tax.find_papers(year=(None, 2018))} == {
            p.id for p in tax.papers if p.year is not None and p.year <= 2018
        }
        assert tax.find_papers(year=2020) == tax.find_papers(year=(2020, 2020))

    def test_venue_word(self, tax):
        """
        Venue matches whole words, case-insensitive.
        """
        ccs = tax.find_papers(venue="ccs")
        assert "ji2018modelreuse" in {p.id for p in ccs}
        assert all(
            any(
                "CCS" in (v or "")
                for v in (
                    p.venue_short,
                    p.listing.venue if p.listing else None,
                )
            )
            for p in ccs
        )
        # "ACL" must not match inside "NAACL".
        assert (
            "xu2024instructions"
            not in {p.id for p in tax.find_papers(venue="ACL")}
            or "ACL"
            in (tax.paper("xu2024instructions").venue_short or "").split()
        )

    def test_has_code_and_author(self, tax):
        """
        has_code and author filter on the papers.
        """
        with_code = tax.find_papers(has_code=True)
        without = tax.find_papers(has_code=False)
        assert len(with_code) + len(without) == len(tax.papers)
        assert all(p.code for p in with_code)
        carlini = tax.find_papers(author="carlini")
        assert ["carlini2021extracting"] == [p.id for p in carlini]
        assert ["training-data-extraction"] == [
            a.id for a in tax.find_attacks(author="Carlini")
        ]

    def test_paper_role(self, tax):
        """
        role splits the survey's papers into attack and defense papers.
        """
        assert 42 == len(tax.find_papers(role="attack"))
        assert 18 == len(tax.find_papers(role="defense"))

    def test_unknown_values_raise(self, tax):
        """
        An unknown stage or term raises UnknownIdError with a suggestion.
        """
        with pytest.raises(dsc.UnknownIdError, match="did you mean 'design'"):
            tax.find_attacks(stage="desgn")
        with pytest.raises(
            dsc.UnknownIdError, match="did you mean 'backdoor'"
        ):
            tax.find_attacks(threat_type="backdor")
        with pytest.raises(dsc.UnknownIdError, match="modality"):
            tax.find_defenses(modality="smell")

    def test_generic_find(self, tax):
        """
        find(kind, ...) equals the typed method; bad kinds are refused.
        """
        assert tax.find("attack", stage="usage") == tax.find_attacks(
            stage="usage"
        )
        with pytest.raises(ValueError, match="kind must be"):
            tax.find("stage")
        with pytest.raises(ValueError, match="do not all apply"):
            tax.find("defense", category="transfer")

    def test_bad_year(self, tax):
        """
        A year that is neither an int nor a pair is refused.
        """
        with pytest.raises(ValueError, match="year must be"):
            tax.find_papers(year="2020")  # type: ignore[arg-type]

    @given(
        stage=st.none()
        | st.sampled_from(
            ["design", "secondary-development", "deployment", "usage"]
        ),
        threat=st.none()
        | st.sampled_from(["backdoor", "model stealing", "data poisoning"]),
        modality=st.none() | st.sampled_from(["NLP", "vision", "code"]),
        has_code=st.none() | st.booleans(),
    )
    def test_filters_agree_with_a_plain_scan(
        self, stage, threat, modality, has_code
    ):
        """
        The indexed filter returns what a plain scan over the records finds.
        """
        tax = dsc.load()

        def keep(a):
            return (
                (stage is None or a.stage == stage)
                and (threat is None or threat in a.threat_types)
                and (modality is None or modality in a.modalities)
                and (
                    has_code is None
                    or any(p.code for p in tax.papers_of(a.id)) is has_code
                )
            )

        assert tuple(a for a in tax.attacks if keep(a)) == tax.find_attacks(
            stage=stage,
            threat_type=threat,
            modality=modality,
            has_code=has_code,
        )


class TestNavigation:
    """
    Navigation both ways.
    """

    def test_every_attack_papers_resolve(self, tax):
        """
        Every attack's and defense's papers resolve, the first introducing.
        """
        for rec in (*tax.attacks, *tax.defenses):
            papers = tax.papers_of(rec.id)
            assert rec.papers == tuple(p.id for p in papers)
            for p in papers:
                assert rec in tax.records_of(p.id)

    def test_defenses_and_attacks_are_inverse(self, tax):
        """
        d counters a exactly when a is countered by d.
        """
        for attack in tax.attacks:
            for defense in tax.defenses:
                assert (defense in tax.defenses_for(attack.id)) == (
                    attack in tax.attacks_countered_by(defense.id)
                )

    def test_no_pairing_by_threat_type(self, tax):
        """
        Every defense paired with an attack has counter evidence for it.
        """
        linked = {(e.defense, e.attack) for e in tax.counter_evidence()}
        for attack in tax.attacks:
            for defense in tax.defenses_for(attack.id):
                assert (defense.id, attack.id) in linked

    def test_quantization_question(self, tax):
        """
        Which attacks target compression, and which defenses counter them?
        The compression-stage defenses, not NLP fine-tuning defenses.
        """
        attacks = tax.find_attacks(category="compression")
        defenses = {d.id for a in attacks for d in tax.defenses_for(a.id)}
        assert {"beagle", "purifier", "dflare"} <= defenses
        assert not {"fine-mixing", "fine-purifying", "moderate-fitting"} & (
            defenses
        )

    def test_evaluated_link(self, tax):
        """
        DECREE counters BadEncoder on evaluated evidence.
        """
        assert (
            tax.defense("decree")
            == tax.defenses_for("badencoder", basis="evaluated")[0]
        )

    def test_stages_both_ways(self, tax):
        """
        next and previous stages mirror each other.
        """
        for stage in tax.stages:
            for nxt in tax.next_stages(stage.id):
                assert stage in tax.previous_stages(nxt.id)
        assert ("secondary-development", "deployment") == tuple(
            s.id for s in tax.previous_stages("usage")
        )
        assert () == tax.previous_stages("design")

    def test_categories_of(self, tax):
        """
        Each stage lists its own categories.
        """
        assert ("transfer", "compression") == tuple(
            c.id for c in tax.categories_of("secondary-development")
        )
        assert () == tax.categories_of("usage")

    def test_navigation_errors(self, tax):
        """
        Navigation from the wrong kind of id raises UnknownIdError.
        """
        with pytest.raises(dsc.UnknownIdError):
            tax.attacks_in("ripple")
        with pytest.raises(dsc.UnknownIdError):
            tax.papers_of("design")
        with pytest.raises(dsc.UnknownIdError):
            tax.defenses_for("decree")
        with pytest.raises(dsc.UnknownIdError):
            tax.records_of("ripple")


class TestSearch:
    """
    Text search, ranked by relevance.
    """

    def test_finds_every_record_by_its_name_first(self, tax):
        """
        Searching a record's name (or a paper's title) ranks it first.
        """
        for rec in (
            *tax.stages,
            *tax.categories,
            *tax.attacks,
            *tax.defenses,
            *tax.papers,
        ):
            text = rec.title if isinstance(rec, dsc.Paper) else rec.name
            hits = tax.search(text, limit=1)
            assert rec is hits[0].record, text

    def test_ranked_and_deterministic(self, tax):
        """
        Scores never increase down the list, and a repeat gives the same.
        """
        hits = tax.search("backdoor pre-trained encoder", limit=None)
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert hits == tax.search("backdoor pre-trained encoder", limit=None)

    def test_kinds_and_limit(self, tax):
        """
        kinds keeps only the kinds asked for; limit caps the count.
        """
        hits = tax.search("backdoor", kinds=["defense"], limit=3)
        assert 3 == len(hits)
        assert all(isinstance(h.record, dsc.Defense) for h in hits)
        with pytest.raises(ValueError, match="unknown kinds"):
            tax.search("x", kinds=["attacks"])

    def test_no_match(self, tax):
        """
        Words found nowhere give no hit.
        """
        assert () == tax.search("xylophone")

    def test_chinese_name(self, tax):
        """
        A stage is found by its Chinese name.
        """
        assert tax.stage("deployment") is tax.search("部署阶段")[0].record


class TestSeveralValues:
    """
    A filter given several values keeps the records that meet any of them;
    different filters still all apply.
    """

    def test_union_within_a_criterion(self, tax):
        """
        Two stages give the attacks of either, in survey order.
        """
        both = tax.find_attacks(stage=["design", "deployment"])
        expected = [
            a for a in tax.attacks if a.stage in ("design", "deployment")
        ]
        assert expected == list(both)
        assert len(tax.find_attacks(stage="design")) < len(both)

    def test_intersection_across_criteria(self, tax):
        """
        --stage design --category compression: no design attack is in the
        compression category.
        """
        assert () == tax.find_attacks(stage="design", category="compression")

    @pytest.mark.parametrize(
        ("axis", "values"),
        [
            ("threat_type", ("backdoor", "model stealing")),
            ("modality", ("vision", "code")),
            ("venue", ("CCS", "NeurIPS")),
            ("author", ("Zhang", "Carlini")),
        ],
    )
    def test_every_axis(self, tax, axis, values):
        """
        Each axis that takes several values gives the union of what each
        value gives.
        """
        one, two = (
            {p.id for p in tax.find_papers(**{axis: v})} for v in values
        )
        both = {p.id for p in tax.find_papers(**{axis: list(values)})}
        assert one | two == both

    def test_generic_find_takes_several(self, tax):
        """
        find() passes several values on.
        """
        assert tax.find_attacks(stage=("usage", "design")) == tax.find(
            "attack", stage=("usage", "design")
        )

    @pytest.mark.parametrize("value", [3, [1], ["design", None]])
    def test_wrong_type(self, tax, value):
        """
        A value that is neither a string nor an iterable of strings is a
        TypeError that says what to pass.
        """
        with pytest.raises(TypeError, match="must be a stage or a list"):
            tax.find_attacks(stage=value)

    def test_no_value(self, tax):
        """
        An empty list names nothing: a ValueError, not an empty result.
        """
        with pytest.raises(ValueError, match="pass None for any"):
            tax.find_attacks(stage=[])

    def test_reversed_year_range(self, tax):
        """
        A range whose first year is after its last is a ValueError.
        """
        with pytest.raises(ValueError, match="is reversed"):
            tax.find_papers(year=(2023, 2021))


class TestResolve:
    """
    Taxonomy.resolve and canonical_term: what users type, to records and
    terms.
    """

    @pytest.mark.parametrize(
        ("ref", "kind", "expected"),
        [
            ("ripple", None, "ripple"),
            ("RIPPLE", None, "ripple"),
            ("BadEncoder", None, "badencoder"),
            ("badencoder", "attack", "badencoder"),
            ("Deployment", "stage", "deployment"),
            ("  model   DESIGN ", "stage", "design"),
        ],
    )
    def test_resolves(self, tax, ref, kind, expected):
        """
        An id in any case, or a name, gives the record.
        """
        assert expected == tax.resolve(ref, kind=kind).id

    def test_wrong_kind(self, tax):
        """
        An id of another kind says which kind it is.
        """
        with pytest.raises(dsc.UnknownIdError, match="'design' is a stage"):
            tax.resolve("design", kind="attack")

    def test_unknown(self, tax):
        """
        An unknown reference suggests the closest ids.
        """
        with pytest.raises(dsc.UnknownIdError) as exc_info:
            tax.resolve("ripplee")
        assert ("ripple",) == exc_info.value.suggestions[:1]

    def test_ambiguous_name(self):
        """
        A name two records share is an error listing both ids.
        """
        # Unchecked: a paper no record cites is fine for a lookup.
        tax = dsc.Taxonomy._checked(
            stages=(),
            papers=(
                dsc.Paper(id="one", title="Same title"),
                dsc.Paper(id="two", title="Same title"),
            ),
        )
        with pytest.raises(dsc.UnknownIdError) as exc_info:
            tax.resolve("same title")
        assert ("one", "two") == exc_info.value.suggestions
        assert "it names 2 records" in str(exc_info.value)

    def test_unknown_kind(self, tax):
        """
        A kind that is not one of KINDS is a ValueError.
        """
        with pytest.raises(ValueError, match="kind must be one of"):
            tax.resolve("ripple", kind="attacks")

    def test_filters_resolve(self, tax):
        """
        find_* looks its stage, category and terms up the same way.
        """
        assert tax.find_attacks(
            stage="secondary-development", threat_type="backdoor"
        ) == tax.find_attacks(
            stage="Secondary Development", threat_type="Backdoor"
        )

    @pytest.mark.parametrize(
        ("term", "axis", "expected"),
        [
            ("Backdoor", "threat_type", "backdoor"),
            ("weight-poisoning", "threat_type", "weight poisoning"),
            ("nlp", "modality", "NLP"),
            ("Time_Series", "modality", "time series"),
        ],
    )
    def test_canonical_term(self, tax, term, axis, expected):
        """
        A term in any case, with - or _ for a space, is the vocabulary's.
        """
        assert expected == tax.canonical_term(term, axis)

    def test_unknown_term(self, tax):
        """
        An unknown term suggests the closest.
        """
        with pytest.raises(
            dsc.UnknownIdError, match="did you mean 'backdoor'"
        ):
            tax.canonical_term("backdor", "threat_type")
