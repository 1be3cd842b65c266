"""
The dnn-supply-chain command.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dnn_supply_chain.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestTree:
    """
    tree prints the whole taxonomy.
    """

    def test_whole_tree(self, capsys, tax):
        """
        Every stage, category, attack, defense and cited paper appears.
        """
        code, out, err = run(capsys, "tree")
        assert (0, "") == (code, err)
        for rec in (*tax.stages, *tax.categories, *tax.attacks, *tax.defenses):
            assert f"[{rec.id}]" in out
        for paper in tax.papers:
            if paper.id != tax.survey:
                assert f"{paper.id}: " in out

    def test_one_stage_json(self, capsys, tax):
        """
        --stage and --format json give one stage's structure.
        """
        code, out, _ = run(
            capsys, "tree", "--stage", "usage", "--format", "json"
        )
        assert 0 == code
        (stage,) = json.loads(out)
        assert "usage" == stage["id"]
        assert [a.id for a in tax.attacks_in("usage")] == [
            a["id"] for a in stage["attacks"]
        ]
        assert [d.id for d in tax.defenses_in("usage")] == [
            d["id"] for d in stage["defenses"]
        ]

    def test_unknown_stage(self, capsys):
        """
        An unknown stage exits 2 with a suggestion on stderr.
        """
        code, out, err = run(capsys, "tree", "--stage", "usge")
        assert (2, "") == (code, out)
        assert "did you mean 'usage'?" in err


class TestList:
    """
    list with filters.
    """

    def test_filters(self, capsys, tax):
        """
        Filters on the command line give what the API gives.
        """
        code, out, _ = run(
            capsys,
            "list",
            "attacks",
            "--stage",
            "secondary-development",
            "--threat-type",
            "backdoor",
            "--format",
            "json",
        )
        assert 0 == code
        expected = tax.find_attacks(
            stage="secondary-development", threat_type="backdoor"
        )
        assert [a.id for a in expected] == [r["id"] for r in json.loads(out)]

    def test_papers_by_year_and_code(self, capsys, tax):
        """
        --year ranges and --has-code work on papers.
        """
        code, out, _ = run(
            capsys, "list", "papers", "--year", "2022:", "--has-code"
        )
        assert 0 == code
        expected = tax.find_papers(year=(2022, None), has_code=True)
        assert [p.id for p in expected] == [
            line.split()[0] for line in out.splitlines()
        ]

    def test_categories_of_stage(self, capsys):
        """
        list categories --stage lists that stage's categories.
        """
        code, out, _ = run(capsys, "list", "categories", "--stage", "design")
        assert 0 == code
        assert ["downstream-task-related", "downstream-task-agnostic"] == [
            line.split()[0] for line in out.splitlines()
        ]

    def test_inapplicable_filter(self, capsys):
        """
        A filter that does not apply to the kind is a usage error.
        """
        code, _, err = run(
            capsys, "list", "defenses", "--category", "transfer"
        )
        assert 2 == code
        assert "list defenses takes no --category" in err

    def test_bad_year(self, capsys):
        """
        A malformed --year is a usage error from argparse.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["list", "papers", "--year", "twenty"])
        assert 2 == exc_info.value.code
        assert "invalid year" in capsys.readouterr().err


class TestShow:
    """
    show one record.
    """

    def test_attack(self, capsys):
        """
        An attack shows its fields, papers and countering defenses.
        """
        code, out, _ = run(capsys, "show", "subnet-replacement-attack")
        assert 0 == code
        assert "Subnet replacement attack" in out.splitlines()[0]
        assert "qi2022towards" in out
        assert "countered by" in out

    def test_json(self, capsys, tax):
        """
        --format json gives the record and its links.
        """
        code, out, _ = run(capsys, "show", "decree", "--format", "json")
        assert 0 == code
        data = json.loads(out)
        assert ("defense", "decree") == (data["kind"], data["id"])
        assert [a.id for a in tax.attacks_countered_by("decree")] == data[
            "links"
        ]["counters"]

    @pytest.mark.parametrize(
        "rid", ["design", "compression", "kurita2020weight", "rose"]
    )
    def test_every_kind(self, capsys, rid):
        """
        Every kind of record can be shown.
        """
        code, out, _ = run(capsys, "show", rid)
        assert 0 == code
        assert rid in out

    def test_unknown(self, capsys):
        """
        An unknown id exits 2, message and suggestion on stderr.
        """
        code, out, err = run(capsys, "show", "kurita2020weigth")
        assert (2, "") == (code, out)
        assert "did you mean 'kurita2020weight'?" in err
        assert "Traceback" not in err


class TestSearch:
    """
    search from the shell.
    """

    def test_search(self, capsys):
        """
        The best hit comes first.
        """
        code, out, _ = run(capsys, "search", "Subnet", "replacement", "attack")
        assert 0 == code
        assert out.startswith("subnet-replacement-attack")

    def test_kind_and_json(self, capsys):
        """
        --kind and --format json narrow and structure the output.
        """
        code, out, _ = run(
            capsys,
            "search",
            "backdoor",
            "--kind",
            "paper",
            "--format",
            "json",
            "--limit",
            "2",
        )
        assert 0 == code
        hits = json.loads(out)
        assert 2 == len(hits)
        assert {"paper"} == {h["kind"] for h in hits}

    def test_no_match(self, capsys):
        """
        No hit says so.
        """
        assert (0, "no match\n", "") == run(capsys, "search", "xylophone")

    def test_bad_limit(self, capsys):
        """
        A limit below one is a usage error.
        """
        assert 2 == run(capsys, "search", "x", "--limit", "0")[0]


class TestProcess:
    """
    The installed command, as a user runs it.
    """

    def test_version(self):
        """
        --version prints the installed version.
        """
        from importlib.metadata import version

        result = subprocess.run(
            [sys.executable, "-m", "dnn_supply_chain", "--version"],
            capture_output=True,
            text=True,
            check=False,
        )
        first, second = result.stdout.splitlines()
        assert (0, f"dnn-supply-chain {version('dnn-supply-chain')}") == (
            result.returncode,
            first,
        )
        assert second.startswith("data 0.1.0: 'Security of Deep Neural")
        assert "ATLAS 5.6.0" in second
        assert "42 attacks, 18 defenses, 61 papers" in second

    def test_unknown_id_exit_code(self):
        """
        python -m exits 2 on an unknown id, without a traceback.
        """
        result = subprocess.run(
            [sys.executable, "-m", "dnn_supply_chain", "show", "nope-nope"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert 2 == result.returncode
        assert "unknown record 'nope-nope'" in result.stderr
        assert "Traceback" not in result.stderr

    def test_no_command(self):
        """
        No command is a usage error.
        """
        result = subprocess.run(
            [sys.executable, "-m", "dnn_supply_chain"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert 2 == result.returncode
        assert "usage:" in result.stderr
