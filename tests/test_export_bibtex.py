"""
The BibTeX export, read back with bibtexparser.
"""

from __future__ import annotations

import re

from collections import Counter

import bibtexparser
import pytest

from bibtexparser.middlewares import LatexDecodingMiddleware

import dnn_supply_chain as dsc

from dnn_supply_chain._export import export
from dnn_supply_chain._export._bibtex import _entry_type, render


# The escapes the export writes, and the characters they stand for.
_ESCAPES = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
}
_TOKEN = re.compile(
    "|".join(re.escape(e) for e in _ESCAPES) + r"|[{}]|[^\\{}]+|\\"
)


def plain(value):
    """
    Undo the export's escapes and drop its protective braces.
    """
    return "".join(
        _ESCAPES.get(t, "" if t in "{}" else t) for t in _TOKEN.findall(value)
    )


def parse(text):
    """
    Parse *text*, failing on any block bibtexparser cannot read.
    """
    library = bibtexparser.parse_string(text)
    assert [] == library.failed_blocks
    return library


def entry_of(text, key):
    """
    The entry *key* of the BibTeX *text*.
    """
    return parse(text).entries_dict[key]


def fields(entry):
    """
    The fields of *entry*, as a plain dict.
    """
    return {f.key: f.value for f in entry.fields}


def changed(tax, paper_id, **changes):
    """
    A copy of *tax* where the paper *paper_id* has *changes*.
    """
    data = dsc.taxonomy_to_dict(tax)
    for paper in data["papers"]:
        if paper["id"] == paper_id:
            paper.update(changes)
    return dsc.taxonomy_from_dict(data)


@pytest.fixture(name="tax", scope="module")
def _tax():
    return dsc.load(extensions=False)


@pytest.fixture(name="text", scope="module")
def _text(tax):
    return render(tax)


@pytest.fixture(name="entries", scope="module")
def _entries(text):
    return parse(text).entries


class TestBundled:
    """
    The bundled taxonomy exports one faithful entry per paper.
    """

    def test_one_entry_per_paper(self, tax, entries):
        """
        Every paper, the survey's own included, has an entry keyed by its id,
        in taxonomy order.
        """
        assert 61 == len(entries)
        assert [p.id for p in tax.papers] == [e.key for e in entries]
        assert tax.survey == entries[-1].key

    def test_titles(self, tax, entries):
        """
        Titles read back equal once escapes and protective braces are gone.
        """
        assert [p.title for p in tax.papers] == [
            plain(e["title"]) for e in entries
        ]

    def test_latex_decoding(self, tax):
        """
        bibtexparser's own LaTeX decoder reads the titles and authors back.
        """
        library = bibtexparser.parse_string(
            render(tax), append_middleware=[LatexDecodingMiddleware()]
        )
        assert [(p.title, list(p.authors)) for p in tax.papers] == [
            (e["title"], e["author"].split(" and ")) for e in library.entries
        ]

    def test_authors(self, tax, entries):
        """
        Authors read back in order, joined with "and".
        """
        assert [list(p.authors) for p in tax.papers] == [
            plain(e["author"]).split(" and ") for e in entries
        ]

    def test_identifiers(self, tax, entries):
        """
        DOIs, arXiv ids and URLs read back verbatim, and only where known.
        """
        for paper, entry in zip(tax.papers, entries, strict=True):
            got = fields(entry)
            assert paper.doi == got.get("doi")
            assert paper.arxiv == got.get("eprint")
            assert paper.url == got.get("url")
            assert ("arXiv" if paper.arxiv else None) == got.get(
                "archivePrefix"
            )

    def test_years(self, tax, entries):
        """
        Years read back; the survey, whose year is unconfirmed, has n.d.
        (no date), never a guessed year.
        """
        assert [
            "n.d." if p.year is None else str(p.year) for p in tax.papers
        ] == [fields(e).get("year") for e in entries]
        assert tax.survey_paper.year is None
        assert "n.d." == fields(entries[-1])["year"]

    def test_no_empty_field(self, entries):
        """
        No field is written empty.
        """
        assert [] == [
            (e.key, f.key) for e in entries for f in e.fields if not f.value
        ]

    def test_entry_types(self, entries):
        """
        Journal papers are articles and the rest conference papers.
        """
        assert {"inproceedings": 53, "article": 8} == Counter(
            e.entry_type for e in entries
        )

    @pytest.mark.parametrize(
        ("key", "entry_type", "venue_field", "venue"),
        [
            (
                "kurita2020weight",
                "inproceedings",
                "booktitle",
                "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics",
            ),
            (
                "wang2022backdoor",
                "article",
                "journal",
                "IEEE Transactions on Services Computing",
            ),
            (
                "tian2023finding",
                "article",
                "journal",
                "ACM Transactions on Software Engineering and Methodology",
            ),
            (
                "zhang2023red",
                "article",
                "journal",
                "Machine Intelligence Research",
            ),
            (
                "xiao2022metamorphic",
                "article",
                "journal",
                "Proceedings of the ACM on Measurement and Analysis of Computing Systems (POMACS), Vol. 6, Issue 1 (SIGMETRICS 2022)",
            ),
            (
                "chen-supply-chain-survey",
                "article",
                "journal",
                "Journal of Computer Research and Development",
            ),
            (
                "panchendrarajan2021dataset",
                "inproceedings",
                "booktitle",
                "CEUR Workshop Proceedings, Vol. 2942",
            ),
            (
                "du2024uor",
                "inproceedings",
                "booktitle",
                "Findings of the Association for Computational Linguistics: ACL 2024",
            ),
            (
                "dong2021how",
                "inproceedings",
                "booktitle",
                "Advances in Neural Information Processing Systems 34",
            ),
        ],
    )
    def test_known_types(self, text, key, entry_type, venue_field, venue):
        """
        Known papers get their venue's entry type and venue field.
        """
        entry = entry_of(text, key)
        assert entry_type == entry.entry_type
        assert venue == plain(entry[venue_field])

    def test_journal_issue(self, text):
        """
        A journal venue with volume and number is split into three fields.
        """
        got = fields(entry_of(text, "wang2022backdoor"))
        assert ("15", "3") == (got["volume"], got["number"])

    def test_pages(self, text):
        """
        Page ranges use "--", and ACM article numbers their own fields.
        """
        assert "2793--2806" == entry_of(text, "kurita2020weight")["pages"]
        got = fields(entry_of(text, "li2024extracting"))
        assert ("74", "13") == (got["articleno"], got["numpages"])
        assert "pages" not in got

    def test_protected_capitals(self, text):
        """
        Acronyms and camel-case names are braced; ordinary words are not.
        """
        assert (
            "{BadEncoder}: Backdoor Attacks to Pre-trained Encoders in Self-Supervised Learning"
            == entry_of(text, "jia2022badencoder")["title"]
        )
        assert (
            "Qu-{ANTI}-zation: Exploiting Quantization Artifacts for Achieving Adversarial Outcomes"
            == entry_of(text, "hong2021quantization")["title"]
        )

    def test_deterministic(self, tax, text):
        """
        Rendering again, or from an equal taxonomy, gives the same text.
        """
        assert text == render(tax)
        assert text == render(
            dsc.taxonomy_from_dict(dsc.taxonomy_to_dict(tax))
        )

    def test_dispatcher(self, tax, text):
        """
        export(tax, "bibtex") is this format.
        """
        assert text == export(tax, "bibtex")

    def test_layout(self, text):
        """
        Entries are separated by one blank line and the text ends with one
        newline.
        """
        assert text.endswith("}\n")
        assert not text.endswith("\n\n")
        assert 60 == text.count("}\n\n@")


class TestEscaping:
    """
    Special characters survive the trip through BibTeX.
    """

    TITLE = "Zoë & 100% _x_ {a} ~ #1 $ ^2 \\ end"

    def test_title_round_trips(self, tax):
        """
        A title with LaTeX's special characters and non-ASCII reads back.
        """
        text = render(changed(tax, "kurita2020weight", title=self.TITLE))
        assert self.TITLE == plain(entry_of(text, "kurita2020weight")["title"])

    def test_unbalanced_braces(self, tax):
        """
        Even an unbalanced brace leaves every entry balanced for BibTeX,
        which counts escaped braces too.
        """
        text = render(changed(tax, "kurita2020weight", title="a { b"))
        for block in text.split("\n\n"):
            depth = 0
            for char in block:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0
            assert 0 == depth
        assert "a { b" == plain(entry_of(text, "kurita2020weight")["title"])

    def test_authors(self, tax):
        """
        Names with non-ASCII letters read back; a name with a comma or the
        word "and" is braced whole so BibTeX keeps it one name.
        """
        authors = ["Zoë Brontë", "Smith, Jr., John", "Ministry of X and Y"]
        text = render(changed(tax, "kurita2020weight", authors=authors))
        value = entry_of(text, "kurita2020weight")["author"]
        assert (
            "Zoë Brontë and {Smith, Jr., John} and {Ministry of X and Y}"
            == value
        )

    def test_urls_stay_verbatim(self, tax):
        """
        URLs keep their underscores and percent signs; braces, which no
        URL holds raw, are percent-encoded.
        """
        url = "https://example.org/a_b%20c/{x}"
        text = render(changed(tax, "kurita2020weight", url=url))
        assert (
            "https://example.org/a_b%20c/%7Bx%7D"
            == entry_of(text, "kurita2020weight")["url"]
        )

    def test_extension_key(self, tax):
        """
        An extension's paper id, with its namespace colon, is the key.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["papers"][0]["id"] = "acme:kurita2020weight"
        for attack in data["attacks"]:
            attack["papers"] = [
                "acme:kurita2020weight" if p == "kurita2020weight" else p
                for p in attack["papers"]
            ]
        text = render(dsc.taxonomy_from_dict(data))
        assert "acme:kurita2020weight" == parse(text).entries[0].key


class TestEntryTypes:
    """
    The rule table picks the entry type from the venue.
    """

    @pytest.mark.parametrize(
        ("venue", "expected"),
        [
            (None, ("misc", "howpublished")),
            ("arXiv preprint arXiv:2101.00001", ("misc", "howpublished")),
            ("CoRR abs/2101.00001", ("misc", "howpublished")),
            (
                "IEEE Transactions on Services Computing",
                ("article", "journal"),
            ),
            (
                "Transactions of the Association for Computational Linguistics",
                ("article", "journal"),
            ),
            ("Journal of Machine Learning Research", ("article", "journal")),
            (
                "Proceedings of the ACM on Programming Languages",
                ("article", "journal"),
            ),
            ("Machine Intelligence Research", ("article", "journal")),
            (
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition",
                ("inproceedings", "booktitle"),
            ),
            (
                "2022 IEEE Symposium on Security and Privacy (SP)",
                ("inproceedings", "booktitle"),
            ),
            ("CEUR Workshop Proceedings", ("inproceedings", "booktitle")),
            ("Nature", ("misc", "howpublished")),
        ],
    )
    def test_rules(self, venue, expected):
        """
        Each kind of venue gets its type; an unknown one is @misc.
        """
        paper = dsc.Paper(id="x", title="T", venue=venue)
        assert expected == _entry_type(paper)

    def test_arxiv_only(self, tax):
        """
        A paper known only from arXiv is @misc with its eprint.
        """
        text = render(
            changed(tax, "kurita2020weight", venue=None, doi=None, pages=None)
        )
        entry = entry_of(text, "kurita2020weight")
        assert "misc" == entry.entry_type
        assert {
            "author": "Keita Kurita and Paul Michel and Graham Neubig",
            "title": "Weight Poisoning Attacks on Pretrained Models",
            "year": "2020",
            "eprint": "2004.06660",
            "archivePrefix": "arXiv",
            "url": "https://aclanthology.org/2020.acl-main.249/",
        } == fields(entry)

    def test_unknown_venue(self, tax):
        """
        A venue no rule knows is kept in howpublished of a @misc.
        """
        text = render(changed(tax, "kurita2020weight", venue="Nature"))
        entry = entry_of(text, "kurita2020weight")
        assert ("misc", "Nature") == (entry.entry_type, entry["howpublished"])

    def test_bare_paper(self):
        """
        A paper with nothing but a title gets only a title, and n.d. for
        its unknown year.
        """
        tax = dsc.Taxonomy(
            stages=(),
            papers=(dsc.Paper(id="bare", title="Bare"),),
            survey="bare",
        )
        assert (
            "@misc{bare,\n  title = {Bare},\n  year = {n.d.}\n}\n"
            == render(tax)
        )

    def test_no_papers(self):
        """
        A taxonomy without papers exports nothing.
        """
        assert "" == render(dsc.Taxonomy(stages=()))


class TestStandardTools:
    """
    Standard BibTeX tools read and format every entry.
    """

    def test_pybtex_plain_formats_every_entry(self, text):
        """
        pybtex's plain style formats every entry without an error (a
        missing required field raises).
        """
        from pybtex.database import parse_string
        from pybtex.style.formatting.plain import Style

        database = parse_string(text, "bibtex")
        style = Style()
        failed = {}
        for key, entry in database.entries.items():
            try:
                (formatted,) = style.format_entries([entry])
                formatted.text.render_as("text")
            except Exception as exc:  # noqa: BLE001 - collected and shown
                failed[key] = repr(exc)
        assert {} == failed
        assert len(dsc.load().papers) == len(database.entries)

    def test_no_cjk(self, text):
        """
        No field holds CJK text, which pdfLaTeX cannot typeset without a
        CJK setup.
        """
        cjk = re.compile(
            "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
        )
        assert [] == cjk.findall(text)

    def test_pdflatex_and_bibtex(self, text, tmp_path):
        """
        A document citing every entry compiles with pdflatex and bibtex
        (plain style) without errors.
        """
        import subprocess

        from conftest import need_programs

        need_programs("pdflatex", "bibtex")
        (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
        (tmp_path / "doc.tex").write_text(
            "\\documentclass{article}\n"
            "\\usepackage[T1]{fontenc}\n"
            "\\usepackage[utf8]{inputenc}\n"
            "\\usepackage{url}\n"
            "\\begin{document}\n\\nocite{*}\n"
            "\\bibliographystyle{plain}\n\\bibliography{refs}\n"
            "\\end{document}\n",
            encoding="utf-8",
        )

        def run(*argv):
            return subprocess.run(
                argv,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )

        first = run(
            "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc"
        )
        assert 0 == first.returncode, first.stdout[-2000:]
        bib = run("bibtex", "doc")
        assert 0 == bib.returncode, bib.stdout[-2000:]
        for _ in range(2):
            done = run(
                "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc"
            )
            assert 0 == done.returncode, done.stdout[-2000:]
        assert (tmp_path / "doc.pdf").exists()
