"""
Hypothesis strategies: one per record type, and one for whole, consistent
taxonomies.
"""

from __future__ import annotations

import attrs

from hypothesis import strategies as st

import dnn_supply_chain as dsc


_slug_part = st.text(
    "abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8
)
ids = st.lists(_slug_part, min_size=1, max_size=3).map("-".join)
texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())
optional_texts = st.none() | texts
terms = st.lists(texts, max_size=3, unique=True).map(tuple)
id_tuples = st.lists(ids, max_size=3, unique=True).map(tuple)
atlas_techniques = st.lists(
    st.from_regex(r"AML\.T[0-9]{4}(\.[0-9]{3})?", fullmatch=True),
    max_size=3,
    unique=True,
).map(tuple)
atlas_mitigations = st.lists(
    st.from_regex(r"AML\.M[0-9]{4}", fullmatch=True), max_size=3, unique=True
).map(tuple)
owasp = st.lists(
    st.from_regex(r"ML[0-9]{2}", fullmatch=True), max_size=3, unique=True
).map(tuple)
years = st.integers(min_value=1990, max_value=2030)

stages = st.builds(
    dsc.Stage,
    id=ids,
    name=texts,
    name_zh=texts,
    description=texts,
    actors=terms,
    artefacts=terms,
    operations=terms,
    next=id_tuples,
)
categories = st.builds(
    dsc.Category, id=ids, stage=ids, name=texts, name_zh=texts
)
attacks = st.builds(
    dsc.Attack,
    id=ids,
    name=texts,
    stage=ids,
    category=st.none() | ids,
    threat_types=terms,
    modalities=terms,
    summary=st.text(max_size=50),
    attacker_access=st.text(max_size=50),
    papers=id_tuples,
    atlas_techniques=atlas_techniques,
    owasp_ml=owasp,
)
defenses = st.builds(
    dsc.Defense,
    id=ids,
    name=texts,
    stage=ids,
    counters=terms,
    attacks=id_tuples,
    modalities=terms,
    summary=st.text(max_size=50),
    defender_access=st.text(max_size=50),
    papers=id_tuples,
    atlas_mitigations=atlas_mitigations,
    atlas_counters=atlas_techniques,
    owasp_ml=owasp,
)
listings = st.builds(
    dsc.SurveyListing,
    section=texts,
    section_zh=texts,
    subsection=optional_texts,
    subsection_zh=optional_texts,
    index=st.integers(min_value=1, max_value=99),
    title=texts,
    venue=texts,
    year=years,
    paper_url=optional_texts,
    code_url=optional_texts,
)
papers = st.builds(
    dsc.Paper,
    id=ids,
    title=texts,
    authors=terms,
    venue=optional_texts,
    venue_short=optional_texts,
    year=st.none() | years,
    pages=optional_texts,
    doi=st.none()
    | st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.]{1,12}", fullmatch=True),
    arxiv=st.none() | st.from_regex(r"[0-9]{4}\.[0-9]{4,5}", fullmatch=True),
    url=optional_texts,
    code=optional_texts,
    listing=st.none() | listings,
)
vocabularies = st.builds(
    dsc.Vocabulary,
    threat_types=st.lists(texts, min_size=1, max_size=4, unique=True).map(
        tuple
    ),
    modalities=st.lists(texts, min_size=1, max_size=4, unique=True).map(tuple),
)


@st.composite
def taxonomies(draw: st.DrawFn) -> dsc.Taxonomy:
    """
    A consistent taxonomy: every reference resolves, every paper is used.
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
    defense_ids, rest = rest[:n_defenses], rest[n_defenses:]
    paper_ids = rest
    if not attack_ids and not defense_ids:
        paper_ids = []
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
        draw(stages.map(lambda s, i=sid, n=nxt: _evolve(s, id=i, next=n)))
        for sid, nxt in (
            (sid, tuple(stage_ids[pos + 1 : pos + 2]))
            for pos, sid in enumerate(stage_ids)
        )
    ]
    cat_list = [
        _evolve(
            draw(categories), id=cid, stage=draw(st.sampled_from(stage_ids))
        )
        for cid in cat_ids
    ]
    # Deal every paper to some attack or defense, so that all are used.
    owners = attack_ids + defense_ids
    dealt: dict[str, list[str]] = {owner: [] for owner in owners}
    for pid in paper_ids:
        dealt[draw(st.sampled_from(owners))].append(pid)
    for owner in owners:
        if not dealt[owner]:
            dealt[owner] = (
                list(subset(paper_ids, min_size=1)) if paper_ids else []
            )
    attack_list = []
    for aid in attack_ids:
        stage = draw(st.sampled_from(stage_ids))
        own_cats = [c.id for c in cat_list if c.stage == stage]
        attack_list.append(
            _evolve(
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
        _evolve(
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
    paper_list = [_evolve(draw(papers), id=pid) for pid in paper_ids]
    # Records without papers are invalid: drop them if there were no papers.
    if not paper_ids:
        attack_list, defense_list = [], []
    return dsc.Taxonomy(
        stages=tuple(stage_list),
        categories=tuple(cat_list),
        attacks=tuple(attack_list),
        defenses=tuple(defense_list),
        papers=tuple(paper_list),
        vocabulary=vocabulary,
        survey=None,
        atlas_version=draw(st.none() | st.just("5.6.0")),
    )


def _evolve(record, **changes):
    return attrs.evolve(record, **changes)
