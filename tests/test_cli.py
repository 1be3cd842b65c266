"""
The dnn-supply-chain command.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain._records import BASES
from dnn_supply_chain.cli import _browse, _export, _main, _threats, main
from dnn_supply_chain.cli._common import UsageError
from dnn_supply_chain.threat_model import (
    FAIL_POLICIES,
    coverage_report,
    starter_threat_model,
)


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

    def test_several_stages_any_case(self, capsys):
        """
        --stage repeated prints those stages, in lifecycle order, typed in
        any case.
        """
        code, out, _ = run(
            capsys,
            "tree",
            "--stage",
            "Usage",
            "--stage",
            "design",
            "--format",
            "json",
        )
        assert 0 == code
        assert ["design", "usage"] == [s["id"] for s in json.loads(out)]

    def test_empty_stage(self, capsys):
        """
        --stage '' is a usage error, not the whole tree.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["tree", "--stage", ""])
        assert 2 == exc_info.value.code
        assert "an empty value names no stage" in capsys.readouterr().err

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

    @pytest.mark.parametrize(
        ("year", "message"),
        [
            ("twenty", "invalid year 'twenty'"),
            ("20222", "invalid year 20222: a year has four digits"),
            ("2023:2021", "2023 comes after 2021; write 2021:2023"),
            (":", "name a year on either side"),
        ],
    )
    def test_bad_year(self, capsys, year, message):
        """
        A malformed, impossible or reversed --year is a usage error from
        argparse, not an empty list.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["list", "papers", "--year", year])
        assert 2 == exc_info.value.code
        assert message in capsys.readouterr().err

    def test_repeated_filters_combine(self, capsys, tax):
        """
        A filter given twice keeps the records that meet either value;
        different filters all apply: what find_attacks gives.
        """
        code, out, _ = run(
            capsys,
            "list",
            "attacks",
            "--stage",
            "design",
            "--stage",
            "deployment",
            "--threat-type",
            "backdoor",
            "--format",
            "json",
        )
        assert 0 == code
        expected = tax.find_attacks(
            stage=["design", "deployment"], threat_type="backdoor"
        )
        assert "subnet-replacement-attack" in {a.id for a in expected}
        assert [a.id for a in expected] == [r["id"] for r in json.loads(out)]

    @pytest.mark.parametrize(
        ("argv", "flags"),
        [
            (
                ["attacks", "--stage", "design", "--category", "compression"],
                "--stage design --category compression",
            ),
            (
                [
                    "papers",
                    "--threat-type",
                    "Weight-Poisoning",
                    "--no-code",
                    "--year",
                    "2023:",
                ],
                "--threat-type 'weight poisoning' --year 2023: --no-code",
            ),
        ],
    )
    def test_nothing_matches(self, capsys, argv, flags):
        """
        No record matching says so on stderr, naming the filters as the
        taxonomy writes them, with exit 0 and nothing on stdout.
        """
        code, out, err = run(capsys, "list", *argv)
        assert (0, "") == (code, out)
        assert f"dnn-supply-chain: no {argv[0]} match {flags}\n" == err

    def test_nothing_matches_json(self, capsys):
        """
        In JSON, no match is an empty list (and the note on stderr).
        """
        code, out, err = run(
            capsys, "list", "attacks", "--year", "1999", "--format", "json"
        )
        assert (0, []) == (code, json.loads(out))
        assert "no attacks match --year 1999" in err

    @pytest.mark.parametrize(
        "argv",
        [
            ["--stage", "Deployment"],
            ["--stage", "DEPLOYMENT", "--threat-type", "Backdoor"],
            ["--stage", "Deployment", "--modality", "VISION"],
        ],
    )
    def test_any_case(self, capsys, argv):
        """
        Stage ids and vocabulary terms are matched in any letter case.
        """
        code, out, err = run(capsys, "list", "attacks", *argv)
        assert (0, "") == (code, err)
        assert out.startswith("subnet-replacement-attack  deployment  ")

    @pytest.mark.parametrize("option", ["--stage", "--threat-type", "--venue"])
    def test_empty_value(self, capsys, option):
        """
        An empty filter value is a usage error, not a filter that is off.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["list", "attacks", option, ""])
        assert 2 == exc_info.value.code
        assert "an empty value names no" in capsys.readouterr().err

    def test_stage_column(self, capsys, tax):
        """
        Attacks, defenses and categories are listed with their stage.
        """
        for kind, records in (
            ("attacks", tax.attacks),
            ("defenses", tax.defenses),
            ("categories", tax.categories),
        ):
            code, out, _ = run(capsys, "list", kind)
            assert 0 == code
            assert [(r.id, r.stage) for r in records] == [
                tuple(line.split()[:2]) for line in out.splitlines()
            ]

    def test_has_code_shows_the_code(self, capsys, tax):
        """
        With --has-code, each line ends with the code repository.
        """
        code, out, _ = run(capsys, "list", "papers", "--has-code")
        assert 0 == code
        papers = tax.find_papers(has_code=True)
        assert [p.code for p in papers] == [
            line.split()[-1] for line in out.splitlines()
        ]
        code, out, _ = run(capsys, "list", "defenses", "--has-code")
        assert "https://github.com/GiantSeaweed/DECREE" in out


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
        --format json gives the record and its links: ids, and for the
        counter evidence each link's record, basis, evidence, source and
        caveat.
        """
        code, out, _ = run(capsys, "show", "decree", "--format", "json")
        assert 0 == code
        data = json.loads(out)
        assert ("defense", "decree") == (data["kind"], data["id"])
        assert [p.id for p in tax.papers_of("decree")] == data["links"][
            "papers"
        ]
        assert [
            {
                "id": e.attack,
                "basis": e.basis,
                "evidence": e.evidence,
                "source": e.source,
                "caveat": e.caveat,
            }
            for e in tax.counter_evidence(defense="decree")
        ] == data["links"]["counters"]

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


class TestShowLookup:
    """
    show looks a record up as users type it, and prints only sections
    with something in them, aligned.
    """

    @pytest.mark.parametrize(
        ("ref", "header"),
        [
            ("BadEncoder", "BadEncoder\nattack badencoder\n"),
            ("RIPPLE", "RIPPLe weight poisoning\nattack ripple\n"),
            ("Deployment", "Deployment\nstage deployment\n"),
            ("model design", "Model design\nstage design\n"),
        ],
    )
    def test_any_case_or_name(self, capsys, ref, header):
        """
        An id in any case, or a record's name, shows the record under its
        own id.
        """
        code, out, err = run(capsys, "show", ref)
        assert (0, "") == (code, err)
        assert out.startswith(header)

    @pytest.mark.parametrize(
        ("ref", "first"),
        [
            ("aml.t0018", "AML.T0018 Manipulate AI Model"),
            ("ml06", "ML06 AI Supply Chain Attacks"),
            ("llm03:2025", "LLM03:2025 "),
        ],
    )
    def test_crosswalk_ids_any_case(self, capsys, ref, first):
        """
        Crosswalk ids in any case still show the crosswalk entry.
        """
        code, out, _ = run(capsys, "show", ref)
        assert 0 == code
        assert out.startswith(first)

    def test_no_empty_sections(self, capsys):
        """
        The first stage has no previous stages: no such heading.
        """
        code, out, _ = run(capsys, "show", "design")
        assert 0 == code
        assert "previous stages" not in out
        assert "(0)" not in out
        code, out, _ = run(capsys, "show", "usage")
        assert "next stages" not in out
        assert "categories" not in out

    def test_aligned(self, capsys):
        """
        The names of a section's records start in one column.
        """
        code, out, _ = run(capsys, "show", "deployment")
        assert 0 == code
        assert (
            "defenses (3):\n"
            "  mt-dlcomp  MT-DLComp\n"
            "  nnsmith    NNSmith\n"
            "  hirgen     HirGen\n"
        ) in out

    def test_crosswalk_entry_without_mappings(self, capsys):
        """
        A crosswalk entry nothing maps to says so, with no empty sections.
        """
        code, out, _ = run(capsys, "show", "AML.T0000")
        assert 0 == code
        assert "no attack or defense of the taxonomy is mapped to" in out
        assert "(0)" not in out


def section(out, title):
    """
    The lines of the section of ``show`` output whose heading starts with
    *title*, heading first.
    """
    lines = out.splitlines()
    (start,) = [
        i for i, line in enumerate(lines) if line.startswith(f"{title} (")
    ]
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i]), len(lines)
    )
    return lines[start:end]


def listed(lines):
    """
    The ids a ``show`` section lists, with the basis each names.
    """
    return [
        (line.split()[0], line.rpartition("(basis: ")[2].rstrip(")"))
        for line in lines[1:]
        if line.startswith("  ") and not line.startswith("   ")
    ]


def record_of(tax, paper_id):
    """
    The attack or defense a paper introduced.
    """
    (record,) = tax.records_of(paper_id)
    return record.id


class TestShowEvidence:
    """
    show names the counter evidence behind every pairing of a defense and
    an attack, and says so when there is none.
    """

    def test_attack(self, capsys, tax):
        """
        An attack lists its defenses with their bases, strongest first.
        """
        code, out, _ = run(capsys, "show", "badencoder")
        lines = section(out, "countered by")
        expected = [
            (e.defense, e.basis)
            for e in tax.counter_evidence(attack="badencoder")
        ]
        assert 0 == code
        assert f"countered by ({len(expected)}):" == lines[0]
        assert expected == listed(lines)
        assert sorted(BASES.index(b) for _, b in expected) == [
            BASES.index(b) for _, b in expected
        ]

    def test_reference_links(self, capsys, tax, reference):
        """
        Every link of the reference shows, on the defense's page, with its
        basis and source, and its caveat indented under it.
        """
        by_defense = {}
        for link in reference["counter_evidence"]["links"]:
            by_defense.setdefault(record_of(tax, link["defense"]), []).append(
                link
            )
        for defense, links in by_defense.items():
            code, out, _ = run(capsys, "show", defense)
            lines = section(out, "counters")
            text = "\n".join(lines)
            assert 0 == code
            assert {
                (record_of(tax, link["attack"]), link["basis"])
                for link in links
            } == set(listed(lines))
            for link in links:
                assert f"      source: {link['source']}" in lines
                if link.get("caveat"):
                    assert f"      caveat: {link['caveat']}" in text

    def test_no_known_defense(self, capsys, tax, reference):
        """
        Each attack the reference leaves without an applicable defense
        says "no known defense in the taxonomy".
        """
        for item in reference["counter_evidence"][
            "attacks_without_applicable_defense"
        ]:
            attack = record_of(tax, item["attack"])
            code, out, _ = run(capsys, "show", attack)
            assert 0 == code
            assert [
                "countered by (0):",
                "  no known defense in the taxonomy",
            ] == section(out, "countered by")

    def test_defense_scope(self, capsys, tax):
        """
        A defense shows where it is applied and what its defender needs,
        and its threat types under that name, apart from what it counters.
        """
        decree = tax.defense("decree")
        code, out, _ = run(capsys, "show", "decree")
        lines = out.splitlines()
        fields = dict(
            line.split(None, 1) for line in lines[3 : lines.index("", 3)]
        )
        assert 0 == code
        assert decree.stage_applied == fields["stage_applied"]
        assert decree.defender_needs == fields["defender_needs"]
        assert ", ".join(decree.counters) == fields["threat_types"]
        assert "counters" not in fields
        assert "attacks" not in fields

    def test_defense_without_evidence(self, capsys, tax):
        """
        A defense with no evidence against any attack says so.
        """
        (defense,) = [
            d for d in tax.defenses if not tax.counter_evidence(defense=d.id)
        ][:1]
        code, out, _ = run(capsys, "show", defense.id)
        assert 0 == code
        assert [
            "counters (0):",
            "  no evidence in the taxonomy that it counters an attack",
        ] == section(out, "counters")

    @pytest.mark.parametrize("basis", BASES)
    def test_basis(self, capsys, tax, basis):
        """
        --basis keeps the links at that basis or stronger, in text and in
        JSON.
        """
        expected = [
            (e.attack, e.basis)
            for e in tax.counter_evidence(defense="remos", basis=basis)
        ]
        _, out, _ = run(capsys, "show", "remos", "--basis", basis)
        _, js, _ = run(
            capsys, "show", "remos", "--basis", basis, "--format", "json"
        )
        assert expected == listed(section(out, "counters"))
        assert expected == [
            (e["id"], e["basis"]) for e in json.loads(js)["links"]["counters"]
        ]
        assert {b for _, b in expected} <= set(BASES[: BASES.index(basis) + 1])

    def test_basis_leaves_out_weaker(self, capsys, tax):
        """
        An attack whose only evidence is weaker than --basis has no known
        defense at that basis, and the count of weaker links is given.
        """
        attack = next(
            a
            for a in tax.attacks
            if tax.counter_evidence(attack=a.id)
            and not tax.counter_evidence(attack=a.id, basis="evaluated")
        )
        weaker = len(tax.counter_evidence(attack=attack.id))
        code, out, _ = run(capsys, "show", attack.id, "--basis", "evaluated")
        assert 0 == code
        assert [
            "countered by (0; basis evaluated or stronger):",
            (
                "  no known defense in the taxonomy, at basis evaluated or "
                f"stronger; {weaker} with weaker evidence (--basis mechanism "
                "lists them)"
            ),
        ] == section(out, "countered by")

    @pytest.mark.parametrize(
        ("ref", "message"),
        [
            ("design", "'design' is a stage"),
            ("kurita2020weight", "'kurita2020weight' is a paper"),
            ("ML06", "not to ML06"),
        ],
    )
    def test_basis_of_other_records(self, capsys, ref, message):
        """
        --basis on a record without counter evidence is a usage error.
        """
        code, out, err = run(capsys, "show", ref, "--basis", "claimed")
        assert (2, "") == (code, out)
        assert message in err

    def test_unknown_basis(self, capsys):
        """
        An unknown basis is refused by argparse, with the choices.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["show", "ripple", "--basis", "strong"])
        assert 2 == exc_info.value.code
        assert "'evaluated', 'claimed', 'mechanism'" in capsys.readouterr().err

    def test_bases_are_the_librarys(self):
        """
        The choices of --basis are the library's bases, strongest first.
        """
        assert BASES == _choices("show", "--basis")
        assert BASES == _choices("list", "--basis")


class TestListEvidence:
    """
    list --undefended and --basis select attacks and defenses by their
    counter evidence.
    """

    def test_undefended(self, capsys, tax, reference):
        """
        list attacks --undefended lists the attacks the reference leaves
        without an applicable defense, in taxonomy order.
        """
        expected = {
            record_of(tax, item["attack"])
            for item in reference["counter_evidence"][
                "attacks_without_applicable_defense"
            ]
        }
        code, out, _ = run(capsys, "list", "attacks", "--undefended")
        ids = [line.split()[0] for line in out.splitlines()]
        assert 0 == code
        assert expected == set(ids)
        assert [a.id for a in tax.attacks if a.id in expected] == ids

    @pytest.mark.parametrize("basis", BASES)
    def test_undefended_basis(self, capsys, tax, basis):
        """
        --basis sets the strength the evidence must have.
        """
        code, out, _ = run(
            capsys,
            "list",
            "attacks",
            "--undefended",
            "--basis",
            basis,
            "--format",
            "json",
        )
        assert 0 == code
        assert [
            a.id
            for a in tax.attacks
            if not tax.counter_evidence(attack=a.id, basis=basis)
        ] == [r["id"] for r in json.loads(out)]

    def test_undefended_and_filters(self, capsys, tax):
        """
        --undefended combines with the other filters.
        """
        code, out, _ = run(
            capsys, "list", "attacks", "--undefended", "--stage", "usage"
        )
        assert 0 == code
        assert [a.id for a in tax.undefended() if a.stage == "usage"] == [
            line.split()[0] for line in out.splitlines()
        ]

    @pytest.mark.parametrize("kind", ["attacks", "defenses"])
    def test_basis(self, capsys, tax, kind):
        """
        Without --undefended, --basis keeps the attacks or defenses with
        evidence at that basis or stronger.
        """
        side = kind[:-1]
        code, out, _ = run(capsys, "list", kind, "--basis", "evaluated")
        assert 0 == code
        assert [
            r.id
            for r in getattr(tax, kind)
            if tax.counter_evidence(basis="evaluated", **{side: r.id})
        ] == [line.split()[0] for line in out.splitlines()]

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (
                ["defenses", "--undefended"],
                "list defenses takes no --undefended",
            ),
            (["papers", "--basis", "claimed"], "list papers takes no --basis"),
            (
                ["stages", "--undefended", "--basis", "claimed"],
                "list stages takes no --basis, --undefended",
            ),
        ],
    )
    def test_inapplicable(self, capsys, argv, message):
        """
        --undefended applies to attacks only, --basis to attacks and
        defenses.
        """
        code, out, err = run(capsys, "list", *argv)
        assert (2, "") == (code, out)
        assert message in err


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
        No hit says so on standard error, exit 0.
        """
        assert (
            0,
            "",
            "dnn-supply-chain: no records match 'xylophone'\n",
        ) == run(capsys, "search", "xylophone")
        assert (
            "no attacks or papers match"
            in run(
                capsys,
                "search",
                "xylophone",
                "--kind",
                "attack",
                "--kind",
                "paper",
            )[2]
        )

    def test_no_words(self, capsys):
        """
        Blank words are a usage error, not a search for nothing.
        """
        code, _, err = run(capsys, "search", " ")
        assert 2 == code
        assert "search names no words" in err

    def test_bad_limit(self, capsys):
        """
        A limit below one is a usage error.
        """
        assert 2 == run(capsys, "search", "x", "--limit", "0")[0]


class TestVocabulary:
    """
    vocabulary lists the terms --threat-type and --modality take.
    """

    def test_text(self, capsys, tax):
        """
        Every term, with how many attacks and defenses use it.
        """
        code, out, err = run(capsys, "vocabulary")
        assert (0, "") == (code, err)
        rows = {
            tuple(line.rsplit(None, 2))
            for line in out.splitlines()
            if line and not line.startswith(("threat type", "modality"))
        }
        expected = {
            (
                term,
                str(len(tax.find_attacks(**{axis: term}))),
                str(len(tax.find_defenses(**{axis: term}))),
            )
            for axis, terms in (
                ("threat_type", tax.vocabulary.threat_types),
                ("modality", tax.vocabulary.modalities),
            )
            for term in terms
        }
        assert expected == rows

    def test_json(self, capsys, tax):
        """
        --format json gives the same, as data.
        """
        code, out, _ = run(capsys, "vocabulary", "--format", "json")
        assert 0 == code
        data = json.loads(out)
        assert list(tax.vocabulary.modalities) == [
            m["term"] for m in data["modalities"]
        ]
        assert {"term": "backdoor", "attacks": 25, "defenses": 8} == data[
            "threat_types"
        ][0]


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


def _choices(command, option):
    """
    The choices argparse allows for *option* of *command*.
    """
    parser = _main._build_parser()
    (commands,) = [
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ]
    (action,) = [
        a
        for a in commands.choices[command]._actions
        if option in a.option_strings
    ]
    return tuple(action.choices)


class TestCommandTable:
    """
    The command table builds the parser the command always had.
    """

    def test_help_lists_commands_in_order(self, capsys):
        """
        --help lists the commands in the order users need them, and
        examples.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(["--help"])
        out = capsys.readouterr().out
        assert 0 == exc_info.value.code
        listed = [
            line.split()[0]
            for line in out.splitlines()
            # A command's line; its help, when wrapped, is indented more.
            if re.match(r"    \S", line)
        ]
        # What users do first, then the maintainers' commands.
        assert [
            "tree",
            "list",
            "show",
            "search",
            "vocabulary",
            "check",
            "init",
            "export",
            "crosswalk",
            "extensions",
            "validate",
        ] == listed
        assert "examples:\n  dnn-supply-chain tree" in out

    def test_every_command_has_a_handler(self):
        """
        Every sub-command names the function that runs it.
        """
        parser = _main._build_parser()
        for command in (
            "extensions",
            "validate x",
            "export --format csv",
            "tree",
            "list stages",
            "show x",
            "search x",
            "check",
            "init",
        ):
            args = parser.parse_args(command.split())
            assert callable(args.handler), command

    def test_choices_are_the_librarys(self):
        """
        The choices written out in the parser are the library's own.
        """
        assert dsc.FORMATS == _choices("export", "--format")
        assert FAIL_POLICIES == _choices("check", "--fail-on")
        assert dsc.KINDS == _choices("search", "--kind")


class TestParser:
    """
    What every command's parser does: repeated options, global options
    after the command, mistyped commands.
    """

    @pytest.mark.parametrize(
        "argv",
        [
            ["list", "attacks", "--format", "json", "--format", "text"],
            ["search", "x", "--limit", "2", "--limit", "3"],
            ["list", "papers", "--year", "2020", "--year", "2021"],
            ["list", "attacks", "--basis", "claimed", "--basis", "evaluated"],
            ["init", "-o", "a.toml", "--output", "b.toml"],
        ],
    )
    def test_repeated_single_value_option(self, capsys, argv):
        """
        An option that takes one value, given twice, is a usage error: the
        last value no longer wins silently.
        """
        with pytest.raises(SystemExit) as exc_info:
            main(argv)
        assert 2 == exc_info.value.code
        assert "given more than once" in capsys.readouterr().err

    @pytest.mark.parametrize(
        "argv",
        [
            ["tree", "--no-extensions", "--stage", "usage"],
            ["--no-extensions", "tree", "--stage", "usage"],
            ["tree", "--stage", "usage", "--strict"],
        ],
    )
    def test_global_options_after_the_command(self, capsys, argv):
        """
        --no-extensions and --strict work before and after the command.
        """
        code, out, err = run(capsys, *argv)
        assert (0, "") == (code, err)
        assert out.startswith("Usage [usage]")

    def test_global_option_after_the_command_is_seen(self, monkeypatch):
        """
        --no-extensions after the command reaches the loader.
        """
        from dnn_supply_chain import _loading

        seen = {}
        real = _loading.load

        def load(**kwargs):
            seen.update(kwargs)
            return real(**kwargs)

        monkeypatch.setattr(_loading, "load", load)
        main(["list", "stages", "--no-extensions", "--strict"])
        assert {"extensions": False, "strict": True} == seen

    def test_version_after_the_command(self, capsys):
        """
        --version after a command prints the version.
        """
        code, out, _ = run(capsys, "tree", "--version")
        assert 0 == code
        assert out.startswith("dnn-supply-chain ")

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (
                ["lst", "attacks"],
                "unknown command 'lst'; did you mean 'list'?",
            ),
            (["--strict", "shwo", "x"], "did you mean 'show'?"),
            (["xyzzy"], "unknown command 'xyzzy'; choose from tree, list"),
        ],
    )
    def test_mistyped_command(self, capsys, argv, message):
        """
        A mistyped command gets the closest commands, and exit status 2.
        """
        code, out, err = run(capsys, *argv)
        assert (2, "") == (code, out)
        assert message in err
        assert err.startswith("usage: dnn-supply-chain")


class TestErrors:
    """
    Only the library's errors and usage errors become exit status 2.
    """

    def test_bug_in_handler_is_a_traceback(self, capsys, monkeypatch):
        """
        A ValueError from a bug in a command propagates: it is not a usage
        error.
        """

        def broken(*_args):
            msg = "a bug"
            raise ValueError(msg)

        monkeypatch.setattr(_browse, "_show", broken)
        with pytest.raises(ValueError, match="a bug"):
            main(["show", "ripple"])
        assert "" == capsys.readouterr().err

    def test_bug_in_library_is_a_traceback(self, monkeypatch):
        """
        A plain ValueError from the library propagates too.
        """

        def broken(*_args):
            msg = "a bug"
            raise ValueError(msg)

        monkeypatch.setattr(dsc.Taxonomy, "neighbours", broken)
        with pytest.raises(ValueError, match="a bug"):
            main(["show", "ripple"])

    def test_library_error_in_handler(self, capsys, monkeypatch):
        """
        A library error raised in a command is reported, exit status 2.
        """

        def unknown(*_args):
            ref = "nope"
            raise dsc.UnknownIdError(ref, kind="stage")

        monkeypatch.setattr(_browse, "_search", unknown)
        code, out, err = run(capsys, "search", "x")
        assert (2, "", "dnn-supply-chain: error: unknown stage 'nope'\n") == (
            code,
            out,
            err,
        )

    def test_broken_data_in_handler(self, capsys, monkeypatch):
        """
        Broken data found by a command exits 1, not 2.
        """
        problem = dsc.Problem(source="taxonomy.json", message="broken")

        def broken(*_args):
            raise dsc.TaxonomyDataError([problem])

        monkeypatch.setattr(_browse, "_search", broken)
        code, _, err = run(capsys, "search", "x")
        assert 1 == code
        assert err.startswith("dnn-supply-chain: the bundled data is broken")

    def test_empty_name(self, capsys):
        """
        init --name with no text is a usage error.
        """
        code, out, err = run(capsys, "init", "--name", " ")
        assert (
            2,
            "",
            "dnn-supply-chain: error: 'name' must not be empty\n",
        ) == (
            code,
            out,
            err,
        )

    def test_unknown_stage_before_empty_name(self, capsys):
        """
        An unknown stage is reported before an empty name.
        """
        code, _, err = run(capsys, "init", "--stage", "nope", "--name", "")
        assert 2 == code
        assert err.startswith("dnn-supply-chain: error: unknown stage 'nope'")


def _message(call):
    """
    The message of the ValueError *call* raises.
    """
    try:
        call()
    except ValueError as exc:
        return str(exc)
    pytest.fail("no ValueError")


class TestPreChecks:
    """
    The command checks what the library would reject with a ValueError,
    and says it in the library's words.
    """

    def test_empty_name(self, tax):
        """
        init --name "" says what the threat model's validator says.
        """
        args = argparse.Namespace(
            format=None,
            output=None,
            example=False,
            stage=None,
            name="",
            from_bom=None,
            from_model_card=None,
        )
        expected = _message(lambda: starter_threat_model(None, tax, name=""))
        with pytest.raises(UsageError) as exc_info:
            _threats._init(tax, args, io.StringIO())
        assert expected == str(exc_info.value)

    def test_unknown_policy(self, tax):
        """
        An unknown --fail-on says what CoverageReport.fails() says.
        """
        args = argparse.Namespace(
            example=True, file=None, format="text", fail_on="bogus"
        )
        model = starter_threat_model(None, tax)
        report = coverage_report(model, tax)
        expected = _message(lambda: report.fails("bogus"))
        out = io.StringIO()
        with pytest.raises(UsageError) as exc_info:
            _threats._check(tax, args, out)
        assert (expected, "") == (str(exc_info.value), out.getvalue())

    def test_unknown_format(self, tax):
        """
        An unknown export format says what export() says.
        """
        args = argparse.Namespace(format="bogus", output=None)
        expected = _message(lambda: dsc.export(tax, "bogus"))
        with pytest.raises(UsageError) as exc_info:
            _export._export(tax, args, io.StringIO())
        assert expected == str(exc_info.value)

    def test_unknown_kind(self, tax):
        """
        An unknown search kind says what Taxonomy.search() says.
        """
        args = argparse.Namespace(
            text=["x"], kind=["bogus"], limit=20, format="text"
        )
        expected = _message(lambda: tax.search("x", kinds=["bogus"]))
        with pytest.raises(UsageError) as exc_info:
            _browse._search(tax, args, io.StringIO())
        assert expected == str(exc_info.value)


class TestLazyImports:
    """
    The command imports only what the command it runs needs.
    """

    @pytest.mark.parametrize(
        ("argv", "unwanted"),
        [
            (
                None,
                [
                    "dnn_supply_chain._loading",
                    "dnn_supply_chain.extensions",
                    "dnn_supply_chain.threat_model",
                    "cattrs",
                ],
            ),
            (
                ["--version"],
                [
                    "dnn_supply_chain._loading",
                    "dnn_supply_chain.extensions",
                    "dnn_supply_chain.threat_model",
                    "cattrs",
                ],
            ),
            (
                ["show", "ripple"],
                [
                    "dnn_supply_chain._export",
                    "dnn_supply_chain.crosswalk",
                    "dnn_supply_chain.threat_model",
                ],
            ),
        ],
    )
    def test_imports(self, argv, unwanted):
        """
        Importing the command, --version and show ripple leave the modules
        they do not need unimported.
        """
        code = (
            "import contextlib, io, sys\n"
            "from dnn_supply_chain.cli import main\n"
            f"argv = {argv!r}\n"
            "if argv is not None:\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        assert main(argv) == 0\n"
            "print(sorted(sys.modules))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        imported = set(eval(result.stdout))  # noqa: S307 - our own output
        assert [] == sorted(
            m
            for m in imported
            for name in unwanted
            if m == name or m.startswith(name + ".")
        )
