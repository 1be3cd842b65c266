"""
HTML pages: the taxonomy (export --format html) and a threat model's
coverage (check FILE --format html), self-contained, escaped, and drawn
by a real browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

from html.parser import HTMLParser

import attrs
import pytest

import dnn_supply_chain as dsc

from conftest import need_programs
from dnn_supply_chain._export import _html
from dnn_supply_chain.cli import main
from dnn_supply_chain.threat_model import (
    coverage_report,
    starter_threat_model,
    threat_model_from_dict,
)
from dnn_supply_chain.threat_model._files import read_threat_model


VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


class Page(HTMLParser):
    """
    A page read with the stdlib's parser: whether its tags nest, its
    attributes, and the text of each attack's cell and of each stage's
    column.
    """

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.attributes = []
        self.tags = []
        self.cells = {}  # attack id -> {"class", "status", "text"}
        self.stages = []  # the h3 heading of each column, in order
        self.styles = []  # the text of each <style>
        self._cell = None
        self._status = None
        self._stage_heading = False
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"never closed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        """
        Open *tag*; note the cell, status paragraph or column it starts.
        """
        self.tags.append(tag)
        self.attributes += attrs
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "li" and "cell" in classes and "id" in attrs:
            self._cell = len(self.stack)
            ident = attrs["id"].removeprefix("attack-")
            assert ident not in self.cells, f"cell {ident} twice"
            self.cells[ident] = {"class": classes, "status": "", "text": ""}
            self._current = ident
        if tag == "p" and "status" in classes and self._cell:
            self._status = len(self.stack)
        if tag == "h3":
            self._stage_heading = True
            self.stages.append("")

    def handle_startendtag(self, tag, attrs):
        """
        A self-closing tag: only void elements may be written so.
        """
        if tag not in VOID:
            self.problems.append(f"<{tag}/> is not a void element")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        """
        Close *tag*, which must be the innermost open element.
        """
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        if self._status == len(self.stack):
            self._status = None
        if self._cell == len(self.stack):
            self._cell = None
        if tag == "h3":
            self._stage_heading = False
        self.stack.pop()

    def handle_data(self, data):
        """
        Text: added to the cell, status or heading it is in.
        """
        if self._cell:
            cell = self.cells[self._current]
            cell["text"] += data
            if self._status:
                cell["status"] += data
        if self._stage_heading:
            self.stages[-1] += data
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)


def status_text(cell):
    """
    A cell's status as written, without its icon and badge.
    """
    words = " ".join(cell["status"].split())
    words = words.split(" ", 1)[1]  # the icon
    return words.removesuffix(
        " " + _html.NO_KNOWN_DEFENSE.icon + " no known defense"
    )


def assert_self_contained(text, page):
    """
    *text* loads nothing, runs nothing, and its tags nest.
    """
    assert [] == page.problems
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in text
    assert 1 == page.tags.count("title")
    assert "<script" not in text.lower()
    assert set() == {"script", "link", "img", "iframe", "object"} & set(
        page.tags
    )
    assert 1 == len(page.styles)
    for needle in ("url(", "@import", "@font", "://"):
        assert needle not in page.styles[0]
    for name, value in page.attributes:
        assert name not in ("src", "srcset", "style") or (
            name == "style" and "(" not in value
        )
        assert not name.startswith("on")
        if name == "href":
            assert value.startswith(("#", "https://", "http://"))
        else:
            assert "://" not in (value or "")
    assert "@media (prefers-color-scheme: dark)" in text
    assert "@media print" in text


@pytest.fixture(name="example", scope="module")
def _example(tax):
    from dnn_supply_chain._parsing import parse
    from dnn_supply_chain.cli._threats import _example_text

    model = threat_model_from_dict(parse(_example_text(), toml=True))
    return coverage_report(model, tax)


@pytest.fixture(name="example_html", scope="module")
def _example_html(example, tax):
    return _html.render_coverage(example, tax)


@pytest.fixture(name="taxonomy_html", scope="module")
def _taxonomy_html(tax):
    return dsc.export(tax, "html")


def expected_statuses(report):
    """
    Each attack's status label, from the report alone.
    """
    reached = {e.attack for m in report.mitigations for e in m.evidence}
    found = {}
    for stage in report.stages:
        for attack in stage.considered:
            found[attack.id] = "supported" if attack.id in reached else "open"
        for attack in stage.not_considered:
            found[attack.id] = "gap"
        for entry in stage.not_applicable:
            found[entry.attack.id] = "not applicable"
    return found


class TestCoverage:
    """
    check FILE --format html: the coverage of a threat model.
    """

    def test_self_contained(self, example_html):
        """
        The page is well formed, loads nothing and runs nothing.
        """
        assert_self_contained(example_html, Page(example_html))

    def test_every_stage_a_column(self, example_html, tax):
        """
        Every stage of the taxonomy is a column, in lifecycle order,
        those out of scope too.
        """
        page = Page(example_html)
        assert [s.name for s in tax.stages] == page.stages

    def test_statuses_match_the_report(self, example, example_html):
        """
        Every attack of the scope has one cell, its status as the report
        has it; attacks out of scope have none.
        """
        page = Page(example_html)
        expected = expected_statuses(example)
        assert set(expected) == set(page.cells)
        actual = {a: status_text(c) for a, c in page.cells.items()}
        assert expected == actual
        assert {"supported", "open", "gap", "not applicable"} == set(
            expected.values()
        )
        statuses = example.attack_statuses()
        assert expected == {
            a: s.replace("-", " ") for a, s in statuses.items()
        }
        for attack, cell in page.cells.items():
            assert f"st-{statuses[attack]}" in cell["class"]

    def test_no_known_defense(self, example, example_html, tax):
        """
        The badge marks exactly the attacks that no defense in scope
        counters, those the report calls undefended among them.
        """
        page = Page(example_html)
        scope = example.model.scope
        badged = {
            a
            for a, c in page.cells.items()
            if "no known defense" in c["status"]
        }
        expected = {
            a
            for a in page.cells
            if "st-not-applicable" not in page.cells[a]["class"]
            and not any(
                scope.applies(tax.defense(e.defense).modalities)
                for e in tax.counter_evidence(attack=a, basis=example.basis)
            )
        }
        assert expected == badged
        undefended = {a.id for s in example.suggestions for a in s.undefended}
        undefended |= {a.id for m in example.mitigations for a in m.undefended}
        assert undefended
        assert undefended <= badged

    def test_cells_name_threats_and_mitigations(self, example, example_html):
        """
        Each cell names the threats tagged with its attack and the
        mitigations whose threats name it.
        """
        page = Page(example_html)
        for support in example.mitigations:
            for attack in support.attacks:
                text = page.cells[attack.id]["text"]
                assert support.mitigation.title in text
                assert support.mitigation.id in text
        for threat in example.model.threats:
            for tag in threat.tags:
                if tag.id in page.cells:
                    assert threat.title in page.cells[tag.id]["text"]

    def test_tables(self, example, example_html):
        """
        The threats and the mitigations are tables with headers.
        """
        assert example_html.count("<table>") == 2
        assert '<th scope="col">Status</th>' in example_html
        assert '<th scope="col">Support</th>' in example_html
        for m in example.mitigations:
            assert f'<th scope="row"><code>{m.mitigation.id}</code></th>' in (
                example_html
            )
            assert f"<td>{m.status}</td>" in example_html

    def test_deterministic(self, example, example_html, tax):
        """
        The same report gives the same bytes.
        """
        assert example_html == _html.render_coverage(example, tax)

    def test_cli(self, capsys, tmp_path, example_html):
        """
        check --example --format html writes the page, to a file with -o,
        and exits as the text report does.
        """
        assert 1 == main(["check", "--example", "--format", "html"])
        out = capsys.readouterr().out
        assert example_html == out
        target = tmp_path / "report.html"
        assert 1 == main(
            ["check", "--example", "--format", "html", "-o", str(target)]
        )
        assert out == target.read_text("utf-8")

    def test_hostile_text(self, tmp_path, tax):
        """
        Markup and control characters of a team's file are written as
        text: no tag, no control character, no bidi override survives.
        """
        path = tmp_path / "evil.json"
        path.write_text(
            json.dumps(
                {
                    "name": 'Evil "model" & <b>co</b>',
                    "description": "</style><script>alert(2)</script>",
                    "scope": {"stages": ["deployment"]},
                    "threats": [
                        {
                            "id": "T<1>",
                            "title": "<script>alert(1)</script>"
                            "\x1b]0;pwned\x07\u202eevil\x85 ' \"",
                            "tags": ["subnet-replacement-attack"],
                            "status": "open",
                        }
                    ],
                    "mitigations": [
                        {
                            "id": "M&1",
                            "title": "<img src=x onerror=alert(3)>",
                            "tags": ["beagle"],
                            "mitigates": ["T<1>"],
                        }
                    ],
                }
            ),
            "utf-8",
        )
        report = coverage_report(read_threat_model(path), tax)
        text = _html.render_coverage(report, tax)
        page = Page(text)
        assert_self_contained(text, page)
        assert {"html", "head", "body"} <= set(page.tags)
        assert "img" not in page.tags
        for bad in ("\x1b", "\x07", "\x85", "\u202e", "<script>", "<b>"):
            assert bad not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "\\u001b]0;pwned\\u0007\\u202eevil\\u0085" in text
        assert "&lt;img src=x onerror=alert(3)&gt;" in text
        assert "T&lt;1&gt;" in text
        assert "&#x27; &quot;" in text
        cell = page.cells["subnet-replacement-attack"]
        assert "<script>alert(1)</script>" in cell["text"]


class TestTaxonomy:
    """
    export --format html: the whole taxonomy, with the counter evidence.
    """

    def test_self_contained(self, taxonomy_html):
        """
        The page is well formed, loads nothing and runs nothing.
        """
        assert_self_contained(taxonomy_html, Page(taxonomy_html))

    def test_every_attack_with_its_defenses(self, taxonomy_html, tax):
        """
        Every attack has one cell, in its stage's column, naming each
        defense with counter evidence against it and the basis, or "no
        known defense".
        """
        page = Page(taxonomy_html)
        assert [s.name for s in tax.stages] == page.stages
        assert {a.id for a in tax.attacks} == set(page.cells)
        for attack in tax.attacks:
            cell = page.cells[attack.id]
            links = tax.counter_evidence(attack=attack.id)
            text = " ".join(cell["text"].split())
            if not links:
                assert "no known defense" == status_text(cell)
                assert attack in tax.undefended()
            else:
                assert links[0].basis == status_text(cell)
            for e in links:
                name = tax.defense(e.defense).name
                assert f"{name} {e.defense}: {e.basis}" in text

    def test_deterministic_and_cli(self, capsys, taxonomy_html, tax):
        """
        The CLI writes what dsc.export returns, the same each time.
        """
        assert taxonomy_html == dsc.export(tax, "html")
        assert 0 == main(["export", "--format", "html"])
        assert taxonomy_html == capsys.readouterr().out


class TestSafeText:
    """
    Text from data is escaped, controls written visibly.
    """

    @pytest.mark.parametrize(
        ("raw", "written"),
        [
            ("a<b>&\"'", "a&lt;b&gt;&amp;&quot;&#x27;"),
            ("tab\tand\nline", "tab\tand\nline"),
            ("\x00\x1f\x7f\x9f", "\\u0000\\u001f\\u007f\\u009f"),
            ("\u202ertl\u2066", "\\u202ertl\\u2066"),
            ("\ud800", "\\ud800"),
            ("日本語 é", "日本語 é"),
        ],
    )
    def test_text(self, raw, written):
        """
        Markup is escaped, quotes too; unsafe characters are escapes.
        """
        assert written == _html._text(raw)

    @pytest.mark.parametrize(
        "url",
        [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://a b",
            "//example.org",
            None,
        ],
    )
    def test_no_link_but_http(self, url):
        """
        Only http(s) URLs become links.
        """
        assert _html._href(url) is None

    def test_link(self):
        """
        An http(s) URL is escaped for its attribute.
        """
        assert "https://x/?a=1&amp;b=&quot;" == _html._href(
            'https://x/?a=1&b="'
        )


# -- Chromium --------------------------------------------------------------


def png_pixels(data):
    """
    The pixels of an 8-bit RGB or RGBA PNG, as a list of rows of bytes
    (unfiltered), and the number of channels.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = (
                    left
                    if pa <= pb and pa <= pc
                    else up
                    if pb <= pc
                    else corner
                )
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows, channels


def chromium():
    """
    The Chromium on PATH, or None.
    """
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chromium_draws_the_example(tmp_path, example_html, scheme):
    """
    Headless Chromium draws the example's report: the screenshot has the
    page's colours, not one blank colour.
    """
    if chromium() is None:
        need_programs("chromium")
    page = tmp_path / "report.html"
    page.write_text(example_html, "utf-8")
    shot = tmp_path / "report.png"
    profile = tempfile.mkdtemp(dir=tmp_path)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=800,600",
        f"--blink-settings=preferredColorScheme={0 if scheme == 'dark' else 1}",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    subprocess.run(
        [chromium(), *flags],
        check=True,
        capture_output=True,
        timeout=30,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    rows, channels = png_pixels(shot.read_bytes())
    assert (600, 800) == (len(rows), len(rows[0]) // channels)
    colours = {
        row[x : x + 3]
        for row in rows[::4]
        for x in range(0, len(row), 4 * channels)
    }
    assert len(colours) > 50
    background = rows[2][:3]
    expected = b"\x16\x16\x16" if scheme == "dark" else b"\xff\xff\xff"
    assert expected == background
    ink = sum(
        row[x : x + 3] != background
        for row in rows[::4]
        for x in range(0, len(row), 4 * channels)
    )
    assert ink > len(rows) // 4 * len(rows[0]) // (4 * channels) // 10


class TestScope:
    """
    Stages and categories outside the scope are columns and groups marked
    out of scope, their attacks named but not judged.
    """

    def test_out_of_scope(self, tax):
        """
        A model of compression alone: only its attacks have cells.
        """
        model = starter_threat_model(
            ["secondary-development"], tax, name="Small"
        )
        model = attrs.evolve(
            model,
            scope=attrs.evolve(model.scope, categories=("compression",)),
            threats=(),
        )
        report = coverage_report(model, tax)
        text = _html.render_coverage(report, tax)
        page = Page(text)
        assert_self_contained(text, page)
        assert [s.name for s in tax.stages] == page.stages
        expected = {a.id for a in tax.attacks_in("compression")}
        assert expected == set(page.cells)
        assert {"gap"} == {status_text(c) for c in page.cells.values()}
        # Three stages (design with its two categories), and the transfer
        # category of the fourth.
        assert 3 == text.count('<section class="stage out-of-scope"')
        assert 2 + 1 + 1 + 1 == text.count('class="cell st-out-of-scope"')
        for attack in tax.attacks_in("transfer"):
            assert f'<li title="{attack.id}">{attack.name}</li>' in text


def _luminance(colour):
    """
    The relative luminance of a ``#rrggbb`` colour (WCAG 2).
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one, other):
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contrast(scheme):
    """
    Text, muted text and links have a contrast of at least 4.5:1 (WCAG
    AA) on the page and on every cell's background, in both schemes.
    """
    css = _html._CSS
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", light))
    if scheme == "dark":
        block = dark.split("}", 1)[0]
        colours.update(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", block))
    backgrounds = [colours["bg"], colours["head"]] + [
        v for k, v in colours.items() if k.endswith("-bg")
    ]
    assert len(backgrounds) > 8
    for text in ("fg", "muted", "link"):
        for background in backgrounds:
            assert _contrast(colours[text], background) >= 4.5, (
                text,
                background,
            )


def test_basis(tax):
    """
    At --basis evaluated, weaker evidence is left out of the statuses and
    of the badge, as the report leaves it out.
    """
    from dnn_supply_chain._parsing import parse
    from dnn_supply_chain.cli._threats import _example_text

    model = threat_model_from_dict(parse(_example_text(), toml=True))
    report = coverage_report(model, tax, basis="evaluated")
    text = _html.render_coverage(report, tax)
    page = Page(text)
    assert expected_statuses(report) == {
        a: status_text(c) for a, c in page.cells.items()
    }
    badged = {
        a for a, c in page.cells.items() if "no known defense" in c["status"]
    }
    weaker = {
        e.attack for e in tax.counter_evidence() if e.basis != "evaluated"
    }
    assert badged & weaker
    assert "at basis evaluated or stronger" in text
