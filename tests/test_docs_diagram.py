"""
The lifecycle diagram of the docs draws its Chinese names as outlines, so
that they show without a CJK font on the reader's machine.
"""

from __future__ import annotations

import json
import sys

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT


GLYPHS = ROOT / "docs" / "_ext" / "zh_glyphs.json"


class TestGlyphs:
    """
    docs/_ext/zh_glyphs.json, which scripts/zh_glyphs.py writes.
    """

    def test_every_character_of_the_stage_names(self):
        """
        The file has an outline for every character of every stage's
        Chinese name, and none more.
        """
        glyphs = json.loads(GLYPHS.read_text(encoding="utf-8"))["glyphs"]
        names = "".join(s.name_zh for s in dsc.load(extensions=False).stages)
        assert {c for c in names if c.strip()} == set(glyphs)

    def test_outlines_are_paths(self):
        """
        Every outline is a non-empty SVG path with an advance width.
        """
        glyphs = json.loads(GLYPHS.read_text(encoding="utf-8"))["glyphs"]
        for glyph in glyphs.values():
            assert glyph["d"].startswith("M")
            assert glyph["advance"] > 0


class TestDiagram:
    """
    The diagram that the docs build draws.
    """

    @pytest.fixture(name="catalogue")
    def _catalogue(self, monkeypatch):
        monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
        import dsc_catalogue

        yield dsc_catalogue
        sys.modules.pop("dsc_catalogue", None)

    def test_no_chinese_text(self, catalogue):
        """
        No Chinese character is left as text: each name is a group of
        paths labelled with the name.
        """
        stages = dsc.load(extensions=False).stages
        svg = catalogue.lifecycle_svg(stages)
        for stage in stages:
            assert f'aria-label="{stage.name_zh}"' in svg
            svg = svg.replace(f'aria-label="{stage.name_zh}"', "")
        assert not any("\u4e00" <= c <= "\u9fff" for c in svg)

    def test_missing_glyph(self, catalogue):
        """
        A character without an outline fails the build, naming the script
        that writes them.
        """
        with pytest.raises(ValueError, match=r"run scripts/zh_glyphs\.py"):
            catalogue._outlined("鬼", 0, 0, 19)
