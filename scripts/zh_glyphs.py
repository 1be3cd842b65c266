"""
Write the outlines of the Chinese characters that the lifecycle diagram
draws, so that the diagram needs no CJK font on the reader's machine.

The diagram is an image, and an image's text shows with the reader's
fonts; without a CJK font the stage names would be boxes.  The docs build
draws each Chinese character as an SVG path instead, from
``docs/_ext/zh_glyphs.json``, which this script writes from a font file.
The build fails, naming this script, when a stage name has a character
the file lacks.  Run it after a stage's Chinese name changes::

    python -m pip install fonttools
    python scripts/zh_glyphs.py /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf

The default font is Droid Sans Fallback (Apache License 2.0; Debian's
``fonts-droid-fallback``).
"""

from __future__ import annotations

import json
import sys

from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont

import dnn_supply_chain as dsc


ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "_ext" / "zh_glyphs.json"
DEFAULT_FONT = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"


def characters() -> list[str]:
    """
    The characters of the bundled stages' Chinese names, sorted.
    """
    tax = dsc.load(extensions=False)
    return sorted({c for s in tax.stages for c in s.name_zh if c.strip()})


def main(argv: list[str]) -> int:
    font_path = argv[1] if len(argv) > 1 else DEFAULT_FONT
    font = TTFont(font_path)
    cmap = font.getBestCmap()
    glyph_set = font.getGlyphSet()
    glyphs: dict[str, dict[str, object]] = {}
    for char in characters():
        name = cmap.get(ord(char))
        if name is None:
            print(f"{font_path} has no glyph for {char!r}", file=sys.stderr)
            return 1
        pen = SVGPathPen(glyph_set)
        glyph_set[name].draw(pen)
        glyphs[char] = {
            "advance": glyph_set[name].width,
            "d": pen.getCommands(),
        }
    data = {
        "font": font["name"].getDebugName(4),
        "license": font["name"].getDebugName(13) or "",
        "units_per_em": font["head"].unitsPerEm,
        "glyphs": glyphs,
    }
    OUT.write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(glyphs)} glyphs to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
