"""
The shape the package keeps: one error base, problems that keep their
location as data, rules written once, navigation computed in the library.
"""

from __future__ import annotations

import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain import _checks
from dnn_supply_chain.exceptions import format_location


class TestErrors:
    """
    Every error the library raises on purpose shares one base class.
    """

    @pytest.mark.parametrize(
        ("cls", "builtin"),
        [
            (dsc.UnknownIdError, KeyError),
            (dsc.TaxonomyDataError, ValueError),
            (dsc.ThreatModelError, ValueError),
            (dsc.ExtensionError, ValueError),
        ],
    )
    def test_base(self, cls, builtin):
        """
        Each is a DnnSupplyChainError and still a subclass of its builtin.
        """
        assert issubclass(cls, dsc.DnnSupplyChainError)
        assert issubclass(cls, builtin)

    def test_unknown_id_is_caught_by_the_base(self, tax):
        """
        Catching the base catches a lookup error.
        """
        with pytest.raises(dsc.DnnSupplyChainError):
            tax.get("no-such-record")


class TestProblemLocation:
    """
    A problem keeps its location as a tuple and formats it only to show it.
    """

    def test_format(self):
        """
        Keys join with dots, indexes go in brackets, an empty key is ''.
        """
        assert "attacks[3].stage" == format_location(("attacks", 3, "stage"))
        assert "''.x" == format_location(("", "x"))
        assert "" == format_location(())

    def test_odd_keys_stay_whole(self):
        """
        Keys holding dots or brackets are kept as they are in the tuple.
        """
        problem = dsc.Problem(location=("a.b", "[", 0), message="m")
        assert ("a.b", "[", 0) == problem.location
        assert "a.b.[[0]" == problem.path

    def test_position(self):
        """
        Text that could not be parsed is placed by line and column.
        """
        problem = dsc.Problem(source="f.toml", position=(2, 5), message="m")
        assert "f.toml: line 2, column 5: m" == str(problem)

    def test_str_forms(self):
        """
        Taxonomy problems name the record; threat-model ones their
        severity.
        """
        data = dsc.Problem(
            source="f.json",
            location=("attacks", 0, "stage"),
            record="x",
            message="m",
        )
        finding = dsc.Diagnostic(
            source="t.toml",
            location=("threats", 0),
            message="m",
            severity="warning",
        )
        assert "f.json: attacks[0].stage (record 'x'): m" == str(data)
        assert "t.toml: threats[0]: warning: m" == str(finding)

    def test_structured_from_cattrs(self, tax):
        """
        A wrong-typed field deep in a record is located by keys, not by
        text taken apart.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["papers"][0]["listing"]["index"] = "one"
        with pytest.raises(dsc.TaxonomyDataError) as exc_info:
            dsc.taxonomy_from_dict(data, source="bad.json")
        (problem,) = exc_info.value.problems
        assert ("papers", 0, "listing", "index") == problem.location


class TestRulesOnce:
    """
    A field's validator and its fast check come from one rule.
    """

    @given(
        st.one_of(
            st.none(),
            st.integers(),
            st.text(max_size=5),
            st.lists(st.text(max_size=3), max_size=3),
        )
    )
    def test_same_verdict(self, value):
        """
        For JSON values, the fast check accepts exactly what the validator
        accepts (after lists become tuples).
        """
        for rule in (
            _checks.ID,
            _checks.IDS,
            _checks.string(nonempty=True),
            _checks.optional(_checks.integer(1)),
            _checks.strings(unique=True),
        ):
            try:
                converted = rule.from_json(value)
            except _checks.NotFast:
                converted = None
                fast_ok = False
            else:
                fast_ok = True
            python_value = tuple(value) if isinstance(value, list) else value
            assert fast_ok == (rule.problem("f", python_value) is None)
            if fast_ok:
                assert python_value == converted

    def test_validator_names_the_field(self):
        """
        A record built in Python with a bad value names the field.
        """
        with pytest.raises(TypeError, match="'next' must be <class 'tuple'>"):
            dsc.Stage(
                id="s",
                name="s",
                name_zh="s",
                description="s",
                next=["t"],  # type: ignore[arg-type]
            )


class TestNeighbours:
    """
    The records show lists next to a record are computed by the library.
    """

    def test_every_kind(self, tax):
        """
        For a record of each kind, neighbours() gives the navigation
        methods' answers.
        """
        attack, defense = tax.attacks[0], tax.defenses[0]
        assert {
            "papers": tax.papers_of(attack.id),
            "countered by": tax.defenses_for(attack.id),
        } == tax.neighbours(attack.id)
        assert {
            "papers": tax.papers_of(defense.id),
            "counters": tax.attacks_countered_by(defense.id),
        } == tax.neighbours(defense.id)
        stage = tax.stages[1]
        assert (
            tax.previous_stages(stage.id)
            == tax.neighbours(stage.id)["previous stages"]
        )
        category = tax.categories[0]
        assert (tax.stage(category.stage),) == tax.neighbours(category.id)[
            "stage"
        ]
        paper = tax.papers[0]
        assert {"cited by": tax.records_of(paper.id)} == tax.neighbours(
            paper.id
        )

    def test_unknown(self, tax):
        """
        An unknown id is an UnknownIdError.
        """
        with pytest.raises(dsc.UnknownIdError):
            tax.neighbours("nope")


class TestOneConverterOut:
    """
    Records are written out the converter's way, without importing cattrs
    to print one.
    """

    def test_equals_cattrs(self, tax):
        """
        unstructure() gives what the cattrs converter gives, for every
        record and evidence link.
        """
        from dnn_supply_chain._convert import converter, unstructure

        for record in (
            *tax.stages,
            *tax.categories,
            *tax.attacks,
            *tax.defenses,
            *tax.papers,
            *tax.evidence,
            tax.vocabulary,
        ):
            assert converter().unstructure(record) == unstructure(record)
