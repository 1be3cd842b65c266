"""
BibTeX: one entry for every paper of the taxonomy, the survey's own paper
included, in taxonomy order.

The key of each entry is the paper's id (``kurita2020weight``, or
``acme:doe2024x`` for a paper an extension adds).  The text is UTF-8, as
biber and bibtexparser read it; BibTeX passes the bytes through, and
pdfLaTeX typesets the accented Latin letters.  No field holds Chinese
text: the survey's journal is written by its English name (the data keeps
the Chinese name apart, never in ``venue``), so a document citing every
entry compiles with pdfLaTeX and BibTeX without a CJK setup.

The entry type is read off the venue by the first rule that matches it
(case-insensitively); a venue that no rule knows becomes ``@misc``, since
facts are never guessed:

1. No venue: ``@misc``.
2. The venue mentions ``arXiv``, ``CoRR`` or ``preprint``: ``@misc``, the
   venue in ``howpublished``.
3. It contains ``Transactions on`` or ``Transactions of`` (``IEEE
   Transactions on ...``, ``ACM Transactions on ...``): ``@article``, the
   venue in ``journal``.
4. It contains the word ``Journal``: ``@article``.
5. It starts with ``Proceedings of the ACM on``, the ACM's journals of
   that name (POMACS, PACMPL, ...): ``@article``.
6. It starts with ``Machine Intelligence Research``: ``@article``.
7. It contains ``Proceedings``, ``Conference``, ``Symposium``,
   ``Workshop`` or ``Findings of``, or starts with ``Advances in Neural
   Information Processing Systems``: ``@inproceedings``, the venue in
   ``booktitle``.
8. Anything else: ``@misc``, the venue in ``howpublished``.

The fields, in this order, each only where the paper has the fact
(nothing is ever written empty; ``year`` is always written, see below):

``author``
    The authors joined with ``and``; a name that holds a comma or the
    word ``and`` is braced whole, so that BibTeX reads it as one name.
``title``
    Words with a capital letter after their first letter (``BadEncoder``,
    ``NLP``) or with both capitals and digits (``T5``) are braced, so that
    styles which lowercase titles keep them.  Other proper nouns are not
    recognised and may be lowercased by such styles.
``journal`` / ``booktitle`` / ``howpublished``
    The venue, as the rules above say.  For ``@article``, a venue of the
    form ``<journal>, vol. <n>, no. <m>`` is split into ``journal``,
    ``volume`` and ``number``; any other form is kept whole in ``journal``.
``year``
    The publication year.  A paper whose year nobody could confirm (the
    survey's own) gets ``n.d.`` ("no date", as bibliographies write it),
    so that styles which require a year (``plain``'s ``@article``) format
    the entry instead of failing; no year is guessed.
``pages``
    The page range, with the en dash written ``--``.  A page field of the
    form ``Article <n> (<m> pages)`` becomes ``articleno`` and ``numpages``
    instead, the fields ACM's own BibTeX uses.
``doi``, ``eprint`` and ``archivePrefix = {arXiv}``, ``url``
    Written verbatim (biblatex treats them so), except that ``{``, ``}``,
    ``\\`` and whitespace, which no URL may hold raw and which would
    upset BibTeX, are percent-encoded.

In the other fields the characters LaTeX gives a meaning to are escaped:
``\\& \\% \\$ \\# \\_``, and ``\\textbraceleft{}``, ``\\textbraceright{}``,
``\\textasciitilde{}``, ``\\textasciicircum{}``, ``\\textbackslash{}`` for
``{ } ~ ^ \\``.  The braces are written as commands because BibTeX counts
every brace, escaped or not.  Other characters, non-ASCII letters
included, are kept as they are.

The code repository of a paper is not written: styles would print a
``note`` or ``howpublished`` in every bibliography.  The JSON and
Markdown exports carry it.
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING, Final


#: The year of an entry whose year nobody confirmed: "no date".
_NO_DATE: Final = "n.d."


if TYPE_CHECKING:
    from dnn_supply_chain._records import Paper
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = ["render"]

_ARTICLE: Final = ("article", "journal")
_INPROCEEDINGS: Final = ("inproceedings", "booktitle")
_MISC: Final = ("misc", "howpublished")

#: The entry type and venue field for each kind of venue, first match wins;
#: the module docstring shows the same table.
_RULES: Final[tuple[tuple[re.Pattern[str], tuple[str, str]], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        (r"\barXiv\b|\bCoRR\b|\bpreprint\b", _MISC),
        (r"\bTransactions\s+(?:on|of)\b", _ARTICLE),
        (r"\bJournal\b", _ARTICLE),
        (r"^Proceedings\s+of\s+the\s+ACM\s+on\b", _ARTICLE),
        (r"^Machine\s+Intelligence\s+Research\b", _ARTICLE),
        (
            (
                r"\b(?:Proceedings|Conference|Symposium|Workshop|Findings\s+of)\b"
                r"|^Advances\s+in\s+Neural\s+Information\s+Processing\s+Systems\b"
            ),
            _INPROCEEDINGS,
        ),
    )
)

_JOURNAL_ISSUE: Final = re.compile(
    r"(?P<journal>.+?),\s+vol\.\s*(?P<volume>[0-9]+)"
    r"(?:,\s+no\.\s*(?P<number>[0-9]+))?",
    re.IGNORECASE,
)
_ARTICLE_NUMBER: Final = re.compile(
    r"Article\s+(?P<articleno>[0-9]+)\s+\((?P<numpages>[0-9]+)\s+pages\)"
)

_LATEX: Final = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
_VERBATIM: Final = re.compile(r"[{}\\\s]")
# Letters and digits only: the other characters of a title are escaped
# one by one and never need protecting.
_WORD: Final = re.compile(r"[^\W_]+")
_AND: Final = re.compile(r"\band\b", re.IGNORECASE)


def render(taxonomy: Taxonomy) -> str:
    """
    Return every paper of *taxonomy* as a BibTeX entry, in taxonomy order.

    Entries are separated by a blank line; the text ends with a newline
    (it is empty for a taxonomy without papers).
    """
    return "".join(
        ("\n" if i else "") + _entry(paper) + "\n"
        for i, paper in enumerate(taxonomy.papers)
    )


def _entry_type(paper: Paper) -> tuple[str, str]:
    """
    Return the entry type of *paper* and the field its venue goes in.

    Follows the rule table of the module documentation.
    """
    if paper.venue is None:
        return _MISC
    for pattern, kind in _RULES:
        if pattern.search(paper.venue):
            return kind
    return _MISC


def _entry(paper: Paper) -> str:
    """
    Return the BibTeX entry of *paper*, without a trailing newline.
    """
    kind, venue_field = _entry_type(paper)
    fields: list[tuple[str, str]] = []
    if paper.authors:
        fields.append(("author", " and ".join(map(_name, paper.authors))))
    fields.append(("title", _title(paper.title)))
    if paper.venue is not None:
        issue = (
            _JOURNAL_ISSUE.fullmatch(paper.venue)
            if kind == "article"
            else None
        )
        if issue is None:
            fields.append((venue_field, _escape(paper.venue)))
        else:
            fields.append((venue_field, _escape(issue["journal"])))
            fields.append(("volume", issue["volume"]))
            if issue["number"] is not None:
                fields.append(("number", issue["number"]))
    fields.append(
        ("year", _NO_DATE if paper.year is None else str(paper.year))
    )
    if paper.pages is not None:
        article = _ARTICLE_NUMBER.fullmatch(paper.pages)
        if article is None:
            pages = _escape(paper.pages.replace("\N{EN DASH}", "--"))
            fields.append(("pages", pages))
        else:
            fields.append(("articleno", article["articleno"]))
            fields.append(("numpages", article["numpages"]))
    if paper.doi is not None:
        fields.append(("doi", _verbatim(paper.doi)))
    if paper.arxiv is not None:
        fields.append(("eprint", _verbatim(paper.arxiv)))
        fields.append(("archivePrefix", "arXiv"))
    if paper.url is not None:
        fields.append(("url", _verbatim(paper.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{paper.id},\n{body}\n}}"


def _escape(text: str) -> str:
    """
    Return *text* with the characters LaTeX gives a meaning to escaped.
    """
    return text.translate(_LATEX)


def _verbatim(text: str) -> str:
    """
    Return the URL-like *text* with the characters that BibTeX cannot
    hold raw percent-encoded.
    """
    return _VERBATIM.sub(
        lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), text
    )


def _name(author: str) -> str:
    """
    Return *author* escaped, braced whole if BibTeX would split it.
    """
    escaped = _escape(author)
    if "," in author or _AND.search(author):
        return f"{{{escaped}}}"
    return escaped


def _title(title: str) -> str:
    """
    Return *title* escaped, with the words whose capitals must survive
    a lowercasing style braced.
    """
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(title):
        out.append(_escape(title[last : match.start()]))
        word = match[0]
        if _keeps_capitals(word):
            out.append(f"{{{word}}}")
        else:
            out.append(word)
        last = match.end()
    out.append(_escape(title[last:]))
    return "".join(out)


def _keeps_capitals(word: str) -> bool:
    """
    Tell whether *word* is an acronym or a name in camel case (``NLP``,
    ``BadEncoder``, ``T5``), whose capitals a style must not lowercase.
    """
    if any(c.isupper() for c in word[1:]):
        return True
    return any(c.isupper() for c in word) and any(c.isdigit() for c in word)
