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


# Characters that would make Markdown of a field's text: link brackets,
# raw HTML, emphasis, code spans, table cells, and the backslash itself.
_SPECIAL: Final = str.maketrans({c: f"\\{c}" for c in "\\[]<>`*_|"})


def _md(text: str) -> str:
    # One line (a line break could start a heading or a list item), and
    # every character that would change the Markdown escaped.
    return " ".join(text.split()).translate(_SPECIAL)


def _link(label: str, url: str | None) -> str:
    """
    A Markdown link to *url*, if it is an http(s) URL; otherwise the
    label and the URL as text.
    """
    if url is None:
        return ""
    if not url.startswith(("https://", "http://")) or any(
        c.isspace() or not c.isprintable() for c in url
    ):
        return f"{label} {_md(url)}"
    # Percent-encoded, the characters that end a link destination.
    safe = (
        url.replace("(", "%28").replace(")", "%29").replace("<", "%3C")
    ).replace(">", "%3E")
    return f"[{label}]({safe})"


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
            lines += [f"## {_md(section)}", ""]
        if listing.subsection_zh and listing.subsection_zh != subsection:
            subsection = listing.subsection_zh
            lines += [f"### {_md(subsection)}", ""]
        entry = (
            f"{listing.index}. {_sentence(listing.title)} "
            f"{_md(listing.venue)} {listing.year}."
        )
        if listing.paper_url:
            entry += " " + _link("\\[paper\\]", listing.paper_url)
        if listing.code_url:
            entry += " " + _link("\\[code\\]", listing.code_url)
        lines += [entry, ""]
    return "\n".join(lines)


def _paper_line(paper: Paper) -> str:
    where = paper.venue_short or paper.venue or ""
    if paper.year is not None and str(paper.year) not in where:
        where = f"{where} {paper.year}".strip()
    text = _sentence(paper.title)
    if paper.authors:
        text = f"{_md(', '.join(paper.authors))}. {text}"
    if where:
        text += f" {_md(where)}."
    links = [
        _link("paper", paper.url),
        _link(
            f"doi:{_md(paper.doi or '')}",
            None if paper.doi is None else f"https://doi.org/{paper.doi}",
        ),
        _link(
            f"arXiv:{paper.arxiv}",
            None
            if paper.arxiv is None
            else f"https://arxiv.org/abs/{paper.arxiv}",
        ),
        _link("code", paper.code),
    ]
    return " ".join([text, *(link for link in links if link)])


def _entry(taxonomy: Taxonomy, n: int, rec: Attack | Defense) -> list[str]:
    origin = taxonomy.provenance(rec.id)
    source = (
        f" ({_md(f'{origin.source} {origin.version}')})"
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
            lines += [f"## Attacks in the {_md(stage.name.lower())} stage", ""]
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
                    f"### Defenses in the {_md(stage.name.lower())} stage",
                    "",
                ]
                for n, dfn in enumerate(defenses, 1):
                    lines += [*_entry(taxonomy, n, dfn), ""]
    return "\n".join(lines)
