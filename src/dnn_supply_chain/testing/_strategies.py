"""
The Hypothesis strategies of :mod:`dnn_supply_chain.testing`.

Only that module imports this one, and only when a strategy is asked
for: this is the one module of the package that needs Hypothesis.
"""

from __future__ import annotations

from typing import Any

import attrs

from hypothesis import strategies as st

from dnn_supply_chain._records import (
    Attack,
    Category,
    Defense,
    Paper,
    Stage,
    SurveyListing,
    Vocabulary,
)
from dnn_supply_chain._taxonomy import Taxonomy
from dnn_supply_chain.extensions import Fragment, Link


__all__ = [
    "attacks",
    "attribute_maps",
    "categories",
    "defenses",
    "fragments",
    "ids",
    "links",
    "listings",
    "papers",
    "stages",
    "taxonomies",
    "vocabularies",
]


_slug_part = st.text(
    "abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8
)
#: Record ids, lowercase slugs.
ids: st.SearchStrategy[str] = st.lists(_slug_part, min_size=1, max_size=3).map(
    "-".join
)
_texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())
_optional_texts = st.none() | _texts
_terms = st.lists(_texts, max_size=3, unique=True).map(tuple)
_id_tuples = st.lists(ids, max_size=3, unique=True).map(tuple)
_atlas_techniques = st.lists(
    st.from_regex(r"AML\.T[0-9]{4}(\.[0-9]{3})?", fullmatch=True),
    max_size=3,
    unique=True,
).map(tuple)
_atlas_mitigations = st.lists(
    st.from_regex(r"AML\.M[0-9]{4}", fullmatch=True), max_size=3, unique=True
).map(tuple)
_owasp = st.lists(
    st.from_regex(r"ML[0-9]{2}", fullmatch=True), max_size=3, unique=True
).map(tuple)
_years = st.integers(min_value=1990, max_value=2030)
_json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
_json = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def attribute_maps(namespace: str = "x") -> st.SearchStrategy[dict[str, Any]]:
    """
    Attribute mappings with keys in *namespace* and JSON values.
    """
    keys = _slug_part.map(lambda key: f"{namespace}:{key}")
    return st.dictionaries(keys, _json, max_size=3)


#: Stages.
stages: st.SearchStrategy[Stage] = st.builds(
    Stage,
    id=ids,
    name=_texts,
    name_zh=_texts,
    description=_texts,
    actors=_terms,
    artefacts=_terms,
    operations=_terms,
    next=_id_tuples,
    attributes=attribute_maps(),
)
#: Attack categories.
categories: st.SearchStrategy[Category] = st.builds(
    Category,
    id=ids,
    stage=ids,
    name=_texts,
    name_zh=_texts,
    attributes=attribute_maps(),
)
#: Attacks.
attacks: st.SearchStrategy[Attack] = st.builds(
    Attack,
    id=ids,
    name=_texts,
    stage=ids,
    category=st.none() | ids,
    threat_types=_terms,
    modalities=_terms,
    summary=st.text(max_size=50),
    attacker_access=st.text(max_size=50),
    papers=_id_tuples,
    atlas_techniques=_atlas_techniques,
    owasp_ml=_owasp,
    attributes=attribute_maps(),
)
#: Defenses.
defenses: st.SearchStrategy[Defense] = st.builds(
    Defense,
    id=ids,
    name=_texts,
    stage=ids,
    counters=_terms,
    attacks=_id_tuples,
    modalities=_terms,
    summary=st.text(max_size=50),
    defender_access=st.text(max_size=50),
    papers=_id_tuples,
    atlas_mitigations=_atlas_mitigations,
    atlas_counters=_atlas_techniques,
    owasp_ml=_owasp,
    attributes=attribute_maps(),
)
#: How the survey lists a paper.
listings: st.SearchStrategy[SurveyListing] = st.builds(
    SurveyListing,
    section=_texts,
    section_zh=_texts,
    subsection=_optional_texts,
    subsection_zh=_optional_texts,
    index=st.integers(min_value=1, max_value=99),
    title=_texts,
    venue=_texts,
    year=_years,
    paper_url=_optional_texts,
    code_url=_optional_texts,
)
#: Papers.
papers: st.SearchStrategy[Paper] = st.builds(
    Paper,
    id=ids,
    title=_texts,
    authors=_terms,
    venue=_optional_texts,
    venue_short=_optional_texts,
    year=st.none() | _years,
    pages=_optional_texts,
    doi=st.none()
    | st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.]{1,12}", fullmatch=True),
    arxiv=st.none() | st.from_regex(r"[0-9]{4}\.[0-9]{4,5}", fullmatch=True),
    url=_optional_texts,
    code=_optional_texts,
    listing=st.none() | listings,
    attributes=attribute_maps(),
)
#: Vocabularies (never empty, so that records can use their terms).
vocabularies: st.SearchStrategy[Vocabulary] = st.builds(
    Vocabulary,
    threat_types=st.lists(_texts, min_size=1, max_size=4, unique=True).map(
        tuple
    ),
    modalities=st.lists(_texts, min_size=1, max_size=4, unique=True).map(
        tuple
    ),
)
#: Links (their targets need not exist).
links: st.SearchStrategy[Link] = st.builds(
    Link,
    record=ids,
    next=_id_tuples,
    papers=_id_tuples,
    attacks=_id_tuples,
    attributes=attribute_maps(),
)


@st.composite
def fragments(draw: st.DrawFn, namespace: str | None = None) -> Fragment:
    """
    Fragments whose records carry the namespace (references unchecked).
    """
    ns = namespace or draw(ids)

    def own(record: Any) -> Any:
        return attrs.evolve(
            record,
            id=f"{ns}:{record.id}",
            attributes=draw(attribute_maps(ns)),
        )

    def some(strategy: st.SearchStrategy[Any]) -> tuple[Any, ...]:
        items = draw(st.lists(strategy, max_size=2))
        unique = {own(item).id: own(item) for item in items}
        return tuple(unique.values())

    return Fragment(
        namespace=ns,
        vocabulary=draw(vocabularies),
        stages=some(stages),
        categories=some(categories),
        attacks=some(attacks),
        defenses=some(defenses),
        papers=some(papers),
        links=tuple(
            attrs.evolve(link, attributes=draw(attribute_maps(ns)))
            for link in draw(st.lists(links, max_size=2))
        ),
    )


@st.composite
def taxonomies(draw: st.DrawFn) -> Taxonomy:
    """
    Consistent taxonomies: every reference resolves, every paper is used.
    """
    all_ids = draw(st.lists(ids, min_size=4, max_size=24, unique=True))
    n_stages = draw(st.integers(1, 3))
    n_cats = draw(st.integers(0, 2))
    n_attacks = draw(st.integers(0, 6))
    n_defenses = draw(st.integers(0, 6))
    stage_ids = all_ids[:n_stages]
    rest = all_ids[n_stages:]
    cat_ids, rest = rest[:n_cats], rest[n_cats:]
    attack_ids, rest = rest[:n_attacks], rest[n_attacks:]
    defense_ids, paper_ids = rest[:n_defenses], rest[n_defenses:]
    owners = attack_ids + defense_ids
    if not owners or not paper_ids:
        owners, attack_ids, defense_ids, paper_ids = [], [], [], []
    vocabulary = draw(vocabularies)

    def subset(
        pool: list[str] | tuple[str, ...], min_size: int = 0
    ) -> tuple[str, ...]:
        if not pool:
            return ()
        chosen = draw(
            st.lists(
                st.sampled_from(pool),
                min_size=min_size,
                max_size=3,
                unique=True,
            )
        )
        return tuple(chosen)

    stage_list = [
        attrs.evolve(
            draw(stages), id=sid, next=tuple(stage_ids[pos + 1 : pos + 2])
        )
        for pos, sid in enumerate(stage_ids)
    ]
    cat_list = [
        attrs.evolve(
            draw(categories), id=cid, stage=draw(st.sampled_from(stage_ids))
        )
        for cid in cat_ids
    ]
    # Deal every paper to some attack or defense, so that all are used.
    dealt: dict[str, list[str]] = {owner: [] for owner in owners}
    for pid in paper_ids:
        dealt[draw(st.sampled_from(owners))].append(pid)
    for owner in owners:
        if not dealt[owner]:
            dealt[owner] = list(subset(paper_ids, min_size=1))
    attack_list = []
    for aid in attack_ids:
        stage = draw(st.sampled_from(stage_ids))
        own_cats = [c.id for c in cat_list if c.stage == stage]
        attack_list.append(
            attrs.evolve(
                draw(attacks),
                id=aid,
                stage=stage,
                category=draw(st.none() | st.sampled_from(own_cats))
                if own_cats
                else None,
                threat_types=subset(vocabulary.threat_types),
                modalities=subset(vocabulary.modalities),
                papers=tuple(dealt[aid]),
            )
        )
    defense_list = [
        attrs.evolve(
            draw(defenses),
            id=did,
            stage=draw(st.sampled_from(stage_ids)),
            counters=subset(vocabulary.threat_types),
            attacks=subset(attack_ids),
            modalities=subset(vocabulary.modalities),
            papers=tuple(dealt[did]),
        )
        for did in defense_ids
    ]
    paper_list = [attrs.evolve(draw(papers), id=pid) for pid in paper_ids]
    return Taxonomy(
        stages=tuple(stage_list),
        categories=tuple(cat_list),
        attacks=tuple(attack_list),
        defenses=tuple(defense_list),
        papers=tuple(paper_list),
        vocabulary=vocabulary,
        survey=None,
        atlas_version=draw(st.none() | st.just("5.6.0")),
    )
