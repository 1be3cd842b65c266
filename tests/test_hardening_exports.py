"""
Safe exports (issue 12): the CSV export cannot carry a spreadsheet
formula or split a row, and the Markdown exports carry neither raw HTML,
nor injected headings, nor links other than http(s).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain._export._csv import FORMULA_STARTS


@pytest.fixture(name="odd", scope="module")
def _odd():
    """
    The bundled taxonomy with hostile names, titles and links.
    """
    data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
    data["attacks"][0]["name"] = '=HYPERLINK("http://evil","x")'
    data["attacks"][1]["name"] = "two\rrows"
    data["attacks"][2]["name"] = '+1 "quoted", and\nmore'
    data["defenses"][0]["name"] = "@SUM(A1)"
    data["defenses"][1]["name"] = "\t-2"
    paper = data["papers"][0]
    paper["title"] = "<script>alert(1)</script>\n# Injected heading"
    paper["url"] = "javascript:alert(1)"
    paper["code"] = "https://example.org/a(b)c"
    paper["listing"]["paper_url"] = "https://example.org/x y"
    paper["listing"]["title"] = "</a><img src=x onerror=alert(1)>"
    paper["listing"]["section_zh"] = "<b>x</b>\n# Injected section"
    data["stages"][0]["name"] = "Design <i>x</i>\n- injected item"
    return dsc.taxonomy_from_dict(data)


class TestCsv:
    """
    The CSV export reads back as one row per record, no cell a formula.
    """

    def test_rows_and_cells(self, odd):
        """
        Python's csv reads one row per attack and defense, and no cell
        starts with a formula character.
        """
        text = dsc.export(odd, "csv")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert 1 + len(odd.attacks) + len(odd.defenses) == len(rows)
        for row in rows[1:]:
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row)
        names = {row[0]: row[2] for row in rows[1:]}
        assert '\'=HYPERLINK("http://evil","x")' == names[odd.attacks[0].id]
        assert "two\rrows" == names[odd.attacks[1].id]

    def test_pandas(self, odd):
        """
        pandas reads the same number of rows.
        """
        import pandas as pd

        frame = pd.read_csv(io.StringIO(dsc.export(odd, "csv")))
        assert len(odd.attacks) + len(odd.defenses) == len(frame)


class TestMarkdown:
    """
    Markdown exports escape HTML and line breaks and link only http(s).
    """

    @pytest.mark.parametrize("fmt", ["markdown", "markdown-en"])
    def test_no_injection(self, odd, fmt):
        """
        No raw tag, no heading from data, no javascript: link, no
        destination broken by a parenthesis or a space.
        """
        text = dsc.export(odd, fmt)
        # A "<" that is not backslash-escaped would open a tag.
        assert not re.search(r"(?<!\\)<", text)
        assert "\n# Injected" not in text
        assert "\n- injected" not in text
        assert "](javascript:" not in text
        assert "(https://example.org/a(b)c)" not in text
        assert "(https://example.org/x y)" not in text

    def test_safe_link_kept(self, odd):
        """
        An http(s) link with parentheses is kept, percent-encoded.
        """
        assert "[code](https://example.org/a%28b%29c)" in dsc.export(
            odd, "markdown-en"
        )


class TestStix:
    """
    The STIX export writes only valid URIs: the official validator passes
    for any data the loader accepts.
    """

    def test_odd_urls_and_dois(self):
        """
        A DOI with <>, a URL with a space and one without a scheme give a
        bundle the validator accepts, with the odd text kept in
        descriptions.
        """
        from test_export_stix import validate

        data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
        data["papers"][0]["doi"] = '10.1234/a<b>c"{x}'
        data["papers"][1]["url"] = "https://example.org/a b"
        data["papers"][2]["url"] = "example.org/no-scheme"
        data["papers"][3]["code"] = "git@github.com:x/y.git"
        tax = dsc.taxonomy_from_dict(data)
        text = dsc.export(tax, "stix")
        result = validate(text)
        assert result.is_valid, [str(e) for e in result.errors]
        assert "example.org/no-scheme" in text
        assert "git@github.com:x/y.git" in text
        assert "https://doi.org/10.1234/a%3Cb%3Ec%22%7Bx%7D" in text
