"""
The shipped JSON Schema of extension fragments.
"""

from __future__ import annotations

import copy
import json
import tomllib

from importlib.resources import files

import jsonschema
import pytest

from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from dnn_supply_chain.exceptions import ExtensionError
from dnn_supply_chain.extensions import fragment_from_dict, validate_fragment


SCHEMA = json.loads(
    (files("dnn_supply_chain") / "data" / "fragment.schema.json").read_text(
        encoding="utf-8"
    )
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXAMPLES = ROOT / "examples"
ACME = EXAMPLES / "extension" / "src" / "acme_dsc" / "fragment.toml"
BROKEN = EXAMPLES / "broken-extension" / "src" / "broken_dsc" / "fragment.toml"


def acme():
    """
    The example extension's fragment, as plain data.
    """
    return tomllib.loads(ACME.read_text(encoding="utf-8"))


def library_problems(data):
    """
    What the library finds wrong with *data*: in its form, or on merging.
    """
    try:
        fragment = fragment_from_dict(data)
    except ExtensionError as exc:
        return exc.problems
    return validate_fragment(fragment)


def schema_errors(data):
    """
    The paths at which the schema rejects *data*.
    """
    errors = VALIDATOR.iter_errors(data)
    return sorted("/".join(map(str, e.absolute_path)) for e in errors)


# -- strategies ---------------------------------------------------------------
# Valid fragments, built from hand-written records whose optional fields are
# drawn or left out.

texts = st.sampled_from(["Example", "示例", "An example, with punctuation."])
strings = st.lists(texts, max_size=2, unique=True)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)
attribute_maps = st.dictionaries(
    st.sampled_from(["demo:severity", "demo:owner", "demo:x-y"]),
    json_values,
    max_size=2,
)
bundled_attacks = st.lists(
    st.sampled_from(["ripple", "badencoder", "pii-leakage", "demo:attack"]),
    max_size=2,
    unique=True,
)


def records(required, **optional):
    """
    Records with the *required* fields, and some of the *optional* ones.
    """
    return st.fixed_dictionaries(required, optional=optional)


stages = records(
    {
        "id": st.just("demo:collection"),
        "name": texts,
        "name_zh": texts,
        "description": texts,
    },
    actors=strings,
    artefacts=strings,
    operations=strings,
    next=st.sampled_from([[], ["design"], ["design", "usage"]]),
    attributes=attribute_maps,
)
categories = records(
    {
        "id": st.just("demo:category"),
        "stage": st.sampled_from(["usage", "demo:collection"]),
        "name": texts,
        "name_zh": texts,
    },
    attributes=attribute_maps,
)
attacks = records(
    {
        "id": st.just("demo:attack"),
        "name": texts,
        "stage": st.sampled_from(["usage", "demo:collection"]),
    },
    category=st.sampled_from([None, "demo:category", "compression"]),
    threat_types=st.sampled_from(
        [[], ["backdoor"], ["demo leak", "backdoor"]]
    ),
    modalities=st.sampled_from([[], ["NLP", "vision"]]),
    summary=st.sampled_from(["", "What it does."]),
    attacker_access=st.sampled_from(["", "Query access."]),
    papers=st.sampled_from(
        [["demo:paper"], ["demo:paper", "kurita2020weight"]]
    ),
    atlas_techniques=st.sampled_from([[], ["AML.T0056", "AML.T0010.003"]]),
    owasp_ml=st.sampled_from([[], ["ML10"]]),
    attributes=attribute_maps,
)
defenses = records(
    {
        "id": st.just("demo:defense"),
        "name": texts,
        "stage": st.sampled_from(["design", "demo:collection"]),
    },
    counters=st.sampled_from([[], ["weight poisoning", "demo leak"]]),
    attacks=bundled_attacks,
    modalities=st.sampled_from([[], ["NLP"]]),
    summary=texts,
    defender_access=texts,
    papers=st.just(["demo:paper"]),
    atlas_mitigations=st.sampled_from([[], ["AML.M0014"]]),
    atlas_counters=st.sampled_from([[], ["AML.T0018.000"]]),
    owasp_ml=st.sampled_from([[], ["ML06", "ML10"]]),
    attributes=attribute_maps,
)
listings = records(
    {
        "section": texts,
        "section_zh": texts,
        "index": st.integers(min_value=1, max_value=50),
        "title": texts,
        "venue": texts,
        "year": st.integers(min_value=1990, max_value=2030),
    },
    subsection=st.none() | texts,
    subsection_zh=st.none() | texts,
    paper_url=st.none() | st.just("https://example.com/paper"),
    code_url=st.none() | st.just("https://example.com/code"),
)
papers = records(
    {"id": st.just("demo:paper"), "title": texts},
    authors=strings,
    venue=st.none() | texts,
    venue_short=st.none() | texts,
    year=st.none() | st.integers(min_value=1990, max_value=2030),
    pages=st.none() | st.just("1-10"),
    doi=st.none() | st.just("10.1234/example.5678"),
    arxiv=st.none() | st.just("2401.01234"),
    url=st.none() | st.just("https://example.com/demo"),
    code=st.none() | st.just("https://example.com/demo-code"),
    listing=st.none() | listings,
    attributes=attribute_maps,
)
links = records(
    {"record": st.sampled_from(["ripple", "usage", "decree", "demo:attack"])},
    next=st.sampled_from([[], ["demo:collection"]]),
    papers=st.sampled_from([[], ["demo:paper"]]),
    attacks=bundled_attacks,
    attributes=attribute_maps,
)
vocabularies = records(
    {},
    threat_types=st.sampled_from([[], ["demo leak"]]),
    modalities=st.sampled_from([[], ["tabular", "graph"]]),
)
fragments = records(
    {"namespace": st.just("demo")},
    **{"$schema": st.just("https://example.com/fragment.schema.json")},
    vocabulary=vocabularies,
    stages=st.lists(stages, max_size=1),
    categories=st.lists(categories, max_size=1),
    attacks=st.lists(attacks, max_size=1),
    defenses=st.lists(defenses, max_size=1),
    papers=st.lists(papers, max_size=1),
    links=st.lists(links, max_size=2),
)


class TestSchema:
    """
    fragment.schema.json describes the fragments the library reads.
    """

    def test_is_a_valid_schema(self):
        """
        The schema itself is valid JSON Schema, draft 2020-12.
        """
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        assert (
            "https://json-schema.org/draft/2020-12/schema" == SCHEMA["$schema"]
        )

    def test_examples_follow_it(self):
        """
        Both example fragments follow the schema: the broken one is broken
        only in a reference, which the schema cannot see.
        """
        broken = tomllib.loads(BROKEN.read_text(encoding="utf-8"))

        assert [] == schema_errors(acme())
        assert [] == schema_errors(broken)

    def test_acme_example_is_valid(self):
        """
        The example the schema is tested against is a valid fragment too.
        """
        assert () == library_problems(acme())

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            pytest.param(
                lambda d: d.update(attack=[]), "", id="unknown top-level key"
            ),
            pytest.param(
                lambda d: d["attacks"][0].update(nmae="x"),
                "attacks/0",
                id="unknown record key",
            ),
            pytest.param(
                lambda d: d["vocabulary"].update(terms=[]),
                "vocabulary",
                id="unknown vocabulary key",
            ),
            pytest.param(
                lambda d: d["links"][0].update(stage="usage"),
                "links/0",
                id="unknown link key",
            ),
            pytest.param(
                lambda d: d["attacks"][0].update(papers="acme:x"),
                "attacks/0/papers",
                id="string for a list",
            ),
            pytest.param(
                lambda d: d["papers"][0].update(year="2025"),
                "papers/0/year",
                id="string for an integer",
            ),
            pytest.param(
                lambda d: d["stages"][0].update(name=5),
                "stages/0/name",
                id="integer for a string",
            ),
            pytest.param(
                lambda d: d["defenses"][0].update(attributes=["high"]),
                "defenses/0/attributes",
                id="list for attributes",
            ),
            pytest.param(
                lambda d: d["attacks"][0].update(id="prompt-leak"),
                "attacks/0/id",
                id="id without namespace",
            ),
            pytest.param(
                lambda d: d.update(namespace="ACME"),
                "namespace",
                id="namespace not a slug",
            ),
            pytest.param(lambda d: d.pop("namespace"), "", id="no namespace"),
            pytest.param(
                lambda d: d["attacks"][0].update(attributes={"severity": 1}),
                "attacks/0/attributes",
                id="attribute key without namespace",
            ),
            pytest.param(
                lambda d: d["papers"][0].update(doi="https://doi.org/10.1/x"),
                "papers/0/doi",
                id="doi with its resolver",
            ),
            pytest.param(
                lambda d: d["attacks"][0].pop("stage"),
                "attacks/0",
                id="missing required field",
            ),
        ],
    )
    def test_rejects_what_the_library_rejects(self, change, path):
        """
        The schema rejects each malformed fragment at the right path, and so
        does the library.
        """
        data = copy.deepcopy(acme())
        change(data)

        assert [path] == schema_errors(data)
        assert library_problems(data)

    @given(fragments)
    def test_accepts_what_the_library_accepts(self, data):
        """
        Fragments that the library reads follow the schema.
        """
        fragment = fragment_from_dict(data)

        assert "demo" == fragment.namespace
        assert [] == schema_errors(data)
