"""
Loading data: round trips, and bad data reported in full.
"""

from __future__ import annotations

import copy
import json

import attrs
import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain import _checks, _convert
from strategies import (
    attacks,
    categories,
    defenses,
    listings,
    papers,
    stages,
    taxonomies,
    vocabularies,
)


class TestRoundTrip:
    """
    unstructure -> structure gives back an equal value.
    """

    @pytest.mark.parametrize(
        ("strategy", "cls"),
        [
            (stages, dsc.Stage),
            (categories, dsc.Category),
            (attacks, dsc.Attack),
            (defenses, dsc.Defense),
            (papers, dsc.Paper),
            (listings, dsc.SurveyListing),
            (vocabularies, dsc.Vocabulary),
        ],
        ids=lambda v: getattr(v, "__name__", ""),
    )
    def test_records(self, strategy, cls):
        """
        Every record type survives a trip through JSON.
        """

        @given(strategy)
        def check(record):
            data = json.loads(json.dumps(_convert.record_to_dict(record)))
            assert record == _convert.converter().structure(data, cls)

        check()

    @given(taxonomies())
    def test_taxonomy(self, tax):
        """
        A whole taxonomy survives a trip through JSON.
        """
        data = json.loads(json.dumps(dsc.taxonomy_to_dict(tax)))
        assert tax == dsc.taxonomy_from_dict(data)

    def test_bundled(self, tax):
        """
        The bundled taxonomy survives a trip through a file.
        """
        data = dsc.taxonomy_to_dict(tax)
        assert tax == dsc.taxonomy_from_dict(json.loads(json.dumps(data)))

    def test_load_file(self, tax, tmp_path):
        """
        load_file reads what taxonomy_to_dict wrote.
        """
        path = tmp_path / "tax.json"
        path.write_text(
            json.dumps(dsc.taxonomy_to_dict(tax)), encoding="utf-8"
        )
        assert tax == dsc.load_file(path)


class TestRecords:
    """
    Records are immutable and validate their fields.
    """

    def test_frozen(self, tax):
        """
        Assigning to a record's field raises.
        """
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            tax.attacks[0].name = "x"  # type: ignore[misc]

    def test_collections_are_tuples(self, tax):
        """
        Every collection on the taxonomy and its records is a tuple.
        """
        for rec in (*tax.stages, *tax.attacks, *tax.defenses, *tax.papers):
            for f in attrs.fields(type(rec)):
                value = getattr(rec, f.name)
                assert not isinstance(value, list | set | dict), f.name

    def test_bad_id(self):
        """
        An id that is not a lowercase slug is refused.
        """
        with pytest.raises(ValueError, match="must match regex"):
            dsc.Category(id="Bad Id", stage="design", name="x", name_zh="x")

    def test_list_instead_of_tuple(self):
        """
        A list where a tuple belongs is refused.
        """
        with pytest.raises(TypeError):
            dsc.Stage(
                id="s", name="s", name_zh="s", description="s", next=["t"]
            )  # type: ignore[arg-type]

    def test_duplicate_in_tuple(self):
        """
        A term listed twice is refused.
        """
        with pytest.raises(ValueError, match="twice"):
            dsc.Attack(id="a", name="a", stage="s", threat_types=("x", "x"))

    def test_crosswalk_id_form(self):
        """
        ATLAS and OWASP ids must have their published form.
        """
        with pytest.raises(ValueError, match="must match regex"):
            dsc.Attack(
                id="a", name="a", stage="s", atlas_techniques=("T0018",)
            )
        with pytest.raises(ValueError, match="must match regex"):
            dsc.Defense(id="d", name="d", stage="s", owasp_ml=("ML1",))


def _data(tax):
    return copy.deepcopy(dsc.taxonomy_to_dict(tax))


def _problems(data):
    with pytest.raises(dsc.TaxonomyDataError) as exc_info:
        dsc.taxonomy_from_dict(data, source="bad.json")
    err = exc_info.value
    assert isinstance(err, ValueError)
    return err.problems


class TestBadData:
    """
    Bad data gives TaxonomyDataError naming file, record and field.
    """

    def test_dangling_reference(self, tax):
        """
        An attack pointing at a missing stage names the record and field.
        """
        data = _data(tax)
        data["attacks"][3]["stage"] = "desgn"
        (problem,) = _problems(data)
        assert ("bad.json", "attacks[3].stage", data["attacks"][3]["id"]) == (
            problem.source,
            problem.path,
            problem.record,
        )
        assert (
            "unknown stage 'desgn'; did you mean 'design'?" == problem.message
        )

    def test_duplicate_id(self, tax):
        """
        Two records with one id: the second is named, with the first's path.
        """
        data = _data(tax)
        data["defenses"][0]["id"] = "ripple"
        problems = _problems(data)
        assert any(
            p.path == "defenses[0].id"
            and p.record == "ripple"
            and "attacks[0] already defines 'ripple'" in p.message
            for p in problems
        )

    def test_wrong_type(self, tax):
        """
        A number where a string belongs is refused, not coerced.
        """
        data = _data(tax)
        data["papers"][2]["title"] = 42
        (problem,) = _problems(data)
        assert ("papers[2].title", data["papers"][2]["id"]) == (
            problem.path,
            problem.record,
        )
        assert "expected str" in problem.message

    def test_string_for_a_list(self, tax):
        """
        A string where a list belongs is refused, not split into letters.
        """
        data = _data(tax)
        data["attacks"][0]["threat_types"] = "backdoor"
        (problem,) = _problems(data)
        assert "attacks[0].threat_types" == problem.path
        assert "expected a list of strings" in problem.message

    def test_unknown_key(self, tax):
        """
        A misspelt key is reported with its record.
        """
        data = _data(tax)
        data["stages"][1]["nmae"] = "x"
        (problem,) = _problems(data)
        assert ("stages[1]", "secondary-development") == (
            problem.path,
            problem.record,
        )
        assert "nmae" in problem.message

    def test_unknown_top_level_key(self, tax):
        """
        An unknown top-level key is reported.
        """
        data = _data(tax)
        data["atacks"] = []
        (problem,) = _problems(data)
        assert "atacks" == problem.path

    def test_unknown_threat_type(self, tax):
        """
        A threat type outside the vocabulary is reported with a suggestion.
        """
        data = _data(tax)
        data["attacks"][5]["threat_types"][0] = "backdor"
        (problem,) = _problems(data)
        assert "attacks[5].threat_types[0]" == problem.path
        assert "did you mean 'backdoor'" in problem.message

    def test_unused_paper(self, tax):
        """
        A paper no record cites is reported.
        """
        data = _data(tax)
        data["attacks"][0]["papers"] = [data["attacks"][1]["papers"][0]]
        (problem,) = _problems(data)
        assert ("papers[0]", "kurita2020weight") == (
            problem.path,
            problem.record,
        )

    def test_wrong_kind_of_reference(self, tax):
        """
        A reference to an id of the wrong kind names both kinds.
        """
        data = _data(tax)
        data["defenses"][0]["attacks"] = ["purifier"]
        (problem,) = _problems(data)
        assert "'purifier' is a defense, not an attack" == problem.message

    def test_cycle(self, tax):
        """
        A lifecycle with a cycle is refused.
        """
        data = _data(tax)
        data["stages"][3]["next"] = ["design"]
        problems = _problems(data)
        assert any("cycle" in p.message for p in problems)

    def test_every_problem_at_once(self, tax):
        """
        A file with several problems reports all of them.
        """
        data = _data(tax)
        data["attacks"][0]["stage"] = "nowhere"
        data["attacks"][1]["name"] = 7
        data["defenses"][2]["counters"] = ["backdoor", "telepathy"]
        data["papers"][4]["year"] = "2020"
        data["categories"][0]["extra"] = 1
        problems = _problems(data)
        paths = {p.path for p in problems}
        assert {
            "attacks[0].stage",
            "attacks[1].name",
            "defenses[2].counters[1]",
            "papers[4].year",
            "categories[0]",
        } <= paths
        # The message lists each problem on a line of its own.
        text = str(dsc.TaxonomyDataError(problems))
        assert len(problems) + 1 == len(text.splitlines())

    def test_not_an_object(self):
        """
        A top level that is not an object is refused.
        """
        (problem,) = _problems([1, 2])
        assert "JSON object" in problem.message

    def test_schema_version(self, tax):
        """
        An unknown schema version is refused.
        """
        data = _data(tax)
        data["schema_version"] = 99
        (problem,) = _problems(data)
        assert "schema_version" == problem.path

    def test_invalid_json_file(self, tmp_path):
        """
        A file that is not JSON names the line and column.
        """
        path = tmp_path / "broken.json"
        path.write_text('{"stages": [\n  oops\n]}', encoding="utf-8")
        with pytest.raises(dsc.TaxonomyDataError) as exc_info:
            dsc.load_file(path)
        (problem,) = exc_info.value.problems
        assert (str(path), "line 2, column 3") == (
            problem.source,
            problem.path,
        )

    def test_taxonomy_constructor_checks(self, tax):
        """
        Building a Taxonomy by hand checks it too.
        """
        with pytest.raises(dsc.TaxonomyDataError, match="unknown stage"):
            attrs.evolve(
                tax,
                categories=(
                    dsc.Category(
                        id="c", stage="nowhere", name="c", name_zh="c"
                    ),
                ),
            )

    @pytest.mark.parametrize("value", [{}, {"a": 1}, "ab"])
    def test_record_lists_are_lists(self, tax, value):
        """
        A list of records given as an object or a string is refused on
        both paths (cattrs would iterate it: {} read as no reasons).
        """
        item = _convert.record_to_dict(tax.attacks[0])
        item["mapping_reasons"] = value
        with pytest.raises(_checks.NotFast):
            _checks.build(dsc.Attack, item)
        data = dsc.taxonomy_to_dict(tax)
        data["attacks"][0]["mapping_reasons"] = value
        with pytest.raises(dsc.TaxonomyDataError) as exc_info:
            dsc.taxonomy_from_dict(data)
        (problem,) = exc_info.value.problems
        assert "attacks[0].mapping_reasons" in problem.path
        assert "expected a list of MappingReason objects" in problem.message


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


class TestFastPath:
    """
    The fast path accepts exactly what the checked (cattrs) path accepts.
    """

    @pytest.mark.parametrize(
        ("strategy", "cls"),
        [
            (stages, dsc.Stage),
            (attacks, dsc.Attack),
            (defenses, dsc.Defense),
            (papers, dsc.Paper),
            (vocabularies, dsc.Vocabulary),
        ],
        ids=lambda v: getattr(v, "__name__", ""),
    )
    def test_same_verdict(self, strategy, cls):
        """
        A record dict with one field changed gives the same record, or
        fails, on both paths.
        """

        @given(strategy, st.data())
        def check(record, data):
            item = _convert.record_to_dict(record)
            key = data.draw(st.sampled_from([*item, "extra"]))
            if data.draw(st.booleans()):
                item[key] = data.draw(json_values)
            else:
                item.pop(key, None)
            try:
                fast = _checks.build(cls, item)
            except _checks.NotFast:
                fast = None
            try:
                slow = _convert.converter().structure(item, cls)
            except Exception:  # noqa: BLE001 - any failure is a verdict
                slow = None
            assert slow == fast

        check()
