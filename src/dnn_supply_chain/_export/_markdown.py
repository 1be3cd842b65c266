"""
Markdown: the survey's own listing regenerated from the data, and an
English rendering of the whole taxonomy.

:func:`render` writes the listing as the survey's README does: its Chinese
headings in the same order, and under each the same numbered entries, with
the title, venue and year as listed and the ``[paper]`` and ``[code]``
links.  Only papers the survey lists appear there.

:func:`render_english` writes the taxonomy itself, extensions included:
per stage its attacks (by category) and its defenses, each with the
technique's name and id and its papers as published (title, venue, year,
DOI, arXiv, code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final


if TYPE_CHECKING:
    from dnn_supply_chain._records import Attack, Defense, Paper
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["render", "render_english"]

# The listing's own title (its README's first heading).
_LISTING_TITLE: Final = "深度学习模型供应链的安全性研究综述"


def _md(text: str) -> str:
    # Keep the text readable; escape only what would change the Markdown.
    return " ".join(text.split()).replace("[", "\\[").replace("]", "\\]")


def _sentence(text: str) -> str:
    text = _md(text)
    return text if text.endswith((".", "?", "!")) else f"{text}."


def render(taxonomy: Taxonomy) -> str:
    """
    Return the survey's listing, regenerated from *taxonomy*.
    """
    lines = [f"# {_LISTING_TITLE}", ""]
    section = subsection = None
    for paper in taxonomy.papers:
        listing = paper.listing
        if listing is None:
            continue
        if listing.section_zh != section:
            section, subsection = listing.section_zh, None
            lines += [f"## {section}", ""]
        if listing.subsection_zh and listing.subsection_zh != subsection:
            subsection = listing.subsection_zh
            lines += [f"### {subsection}", ""]
        entry = (
            f"{listing.index}. {_sentence(listing.title)} "
            f"{listing.venue} {listing.year}."
        )
        if listing.paper_url:
            entry += f" [\\[paper\\]]({listing.paper_url})"
        if listing.code_url:
            entry += f" [\\[code\\]]({listing.code_url})"
        lines += [entry, ""]
    return "\n".join(lines)


def _paper_line(paper: Paper) -> str:
    where = paper.venue_short or paper.venue or ""
    if paper.year is not None and str(paper.year) not in where:
        where = f"{where} {paper.year}".strip()
    text = _sentence(paper.title)
    if paper.authors:
        text = f"{', '.join(paper.authors)}. {text}"
    if where:
        text += f" {_md(where)}."
    links = []
    if paper.url:
        links.append(f"[paper]({paper.url})")
    if paper.doi:
        links.append(f"[doi:{paper.doi}](https://doi.org/{paper.doi})")
    if paper.arxiv:
        links.append(
            f"[arXiv:{paper.arxiv}](https://arxiv.org/abs/{paper.arxiv})"
        )
    if paper.code:
        links.append(f"[code]({paper.code})")
    return " ".join([text, *links])


def _entry(taxonomy: Taxonomy, n: int, rec: Attack | Defense) -> list[str]:
    origin = taxonomy.provenance(rec.id)
    source = (
        f" ({origin.source} {origin.version})"
        if origin.extension is not None
        else ""
    )
    lines = [f"{n}. **{_md(rec.name)}** (`{rec.id}`){source}"]
    lines += [f"   - {_paper_line(p)}" for p in taxonomy.papers_of(rec.id)]
    return lines


def render_english(taxonomy: Taxonomy) -> str:
    """
    Return the taxonomy, extensions included, in English.
    """
    survey = taxonomy.survey_paper
    title = survey.title if survey else "DNN supply-chain security taxonomy"
    lines = [f"# {_md(title)}", ""]
    for stage in taxonomy.stages:
        attacks = taxonomy.attacks_in(stage.id)
        if attacks:
            lines += [f"## Attacks in the {stage.name.lower()} stage", ""]
            for category in taxonomy.categories_of(stage.id):
                lines += [f"### {_md(category.name)}", ""]
                for n, rec in enumerate(taxonomy.attacks_in(category.id), 1):
                    lines += [*_entry(taxonomy, n, rec), ""]
            loose = [a for a in attacks if a.category is None]
            if loose and taxonomy.categories_of(stage.id):
                lines += ["### Other attacks", ""]
            for n, rec in enumerate(loose, 1):
                lines += [*_entry(taxonomy, n, rec), ""]
    if taxonomy.defenses:
        lines += ["## Defenses in the supply chain", ""]
        for stage in taxonomy.stages:
            defenses = taxonomy.defenses_in(stage.id)
            if defenses:
                lines += [
                    f"### Defenses in the {stage.name.lower()} stage",
                    "",
                ]
                for n, dfn in enumerate(defenses, 1):
                    lines += [*_entry(taxonomy, n, dfn), ""]
    return "\n".join(lines)
