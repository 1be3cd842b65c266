"""
Terminal safety (issue 12): what data and users' files hold is printed with
every character a terminal acts on escaped, so it cannot clear the screen,
set the window title or reorder a line; JSON output stays exact.
"""

from __future__ import annotations

import json
import re

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _loading
from dnn_supply_chain.cli import main
from dnn_supply_chain.cli._common import terminal_safe


HOSTILE = (
    "x\x1b]0;pwned\x07\x1b[2J\u202eevil\x9b\u200b\u2028\U000e0041\nFAKE LINE"
)
# What a terminal would act on: C0 but tab and newline, DEL, C1, bidi.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(name="hostile_taxonomy")
def _hostile_taxonomy(monkeypatch):
    """
    The CLI loads a taxonomy whose first attack's name and summary are
    hostile.
    """
    data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
    data["attacks"][0]["name"] = HOSTILE
    data["attacks"][0]["summary"] = "line\rover" + HOSTILE
    tax = dsc.taxonomy_from_dict(data)
    monkeypatch.setattr(_loading, "load", lambda **_: tax)
    return tax


class TestEscaping:
    """
    terminal_safe escapes what a terminal acts on and nothing else.
    """

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("\x1b[2J", "\\u001b[2J"),
            ("a\x07b", "a\\u0007b"),
            ("\u202eabc", "\\u202eabc"),
            ("over\rwrite", "over\\u000dwrite"),
            ("row\r\nnext", "row\r\nnext"),
            ("tab\there\n", "tab\there\n"),
            ("café 中文", "café 中文"),
            ("\x9b31m", "\\u009b31m"),
            ("zero\u200bwidth\u00ad", "zero\\u200bwidth\\u00ad"),
            ("tag\U000e0041", "tag\\udb40\\udc41"),
            (
                "emoji \U0001f469\u200d\U0001f4bb",
                "emoji \U0001f469\u200d\U0001f4bb",
            ),
        ],
    )
    def test_cases(self, text, expected):
        """
        Controls become \\uXXXX; text, tabs, newlines and CRLF stay.
        """
        assert expected == terminal_safe(text)


class TestCommands:
    """
    No raw control character from data reaches the terminal.
    """

    @pytest.mark.parametrize(
        "args",
        [
            ("tree",),
            ("list", "attacks"),
            ("show", "ripple"),
            ("search", "RIPPLe"),
            ("show", "remos"),
        ],
    )
    @pytest.mark.usefixtures("hostile_taxonomy")
    def test_text_output(self, capsys, args):
        """
        tree, list, show and search escape a hostile record.
        """
        code, out, err = run(capsys, *args)
        assert 0 == code
        assert not RAW.search(out)
        assert not RAW.search(err)
        # A line break inside a field cannot forge a line of output.
        assert not any(
            line.startswith("FAKE LINE") for line in out.splitlines()
        )

    def test_json_stays_exact(self, capsys, hostile_taxonomy):
        """
        show --format json reads back to the record's exact name.
        """
        attack = hostile_taxonomy.attacks[0]
        code, out, _ = run(capsys, "show", attack.id, "--format", "json")
        assert 0 == code
        assert not RAW.search(out)
        assert HOSTILE == json.loads(out)["name"]

    def test_unknown_id(self, capsys):
        """
        An unknown id typed by the user is escaped in the error.
        """
        code, out, err = run(capsys, "show", HOSTILE)
        assert 2 == code
        assert not RAW.search(out + err)
        assert "\\x1b" in err

    def test_threat_model(self, capsys, tmp_path):
        """
        A threat model's hostile title and tag are escaped by check, in its
        report and in its problems; its JSON report reads back exactly.
        """
        path = tmp_path / "model.json"

        def model(tag):
            return {
                "name": "m",
                "scope": {"stages": ["usage"]},
                "threats": [{"id": "T1", "title": HOSTILE, "tags": [tag]}],
            }

        path.write_text(json.dumps(model(HOSTILE)), encoding="utf-8")
        code, out, err = run(capsys, "check", str(path))
        assert 2 == code
        assert not RAW.search(out + err)
        path.write_text(json.dumps(model("pii-leakage")), encoding="utf-8")
        code, out, err = run(capsys, "check", str(path), "--fail-on", "never")
        assert 0 == code
        assert not RAW.search(out + err)
        assert not any(
            line.startswith("FAKE LINE") for line in out.splitlines()
        )
        code, out, _ = run(
            capsys,
            "check",
            str(path),
            "--format",
            "json",
            "--fail-on",
            "never",
        )
        assert [HOSTILE] == [
            t["title"] for t in json.loads(out)["unmitigated"]
        ]
