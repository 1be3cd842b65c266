"""
The crosswalk's reverse lookup, and the JSON and Markdown exports.
"""

from __future__ import annotations

import json
import re
import typing

import jsonschema
import pytest

import dnn_supply_chain as dsc

from conftest import ROOT
from dnn_supply_chain._export import _MODULES, FORMATS, export
from dnn_supply_chain.cli import main


SCHEMA = json.loads(
    (
        ROOT / "src" / "dnn_supply_chain" / "data" / "taxonomy.schema.json"
    ).read_text(encoding="utf-8")
)
SURVEY_README = (ROOT / "reference" / "survey-README.md").read_text(
    encoding="utf-8"
)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestCrosswalk:
    """
    ATLAS and OWASP ids and names, looked up both ways.
    """

    def test_every_crosswalk_id_is_in_the_catalog(self, tax):
        """
        Every ATLAS and OWASP id on a record exists in the shipped catalogue.
        """
        catalog = dsc.load_crosswalk()
        for rec in (*tax.attacks, *tax.defenses):
            refs = (*rec.owasp_ml, *getattr(rec, "atlas_techniques", ()))
            refs += (
                *getattr(rec, "atlas_mitigations", ()),
                *getattr(rec, "atlas_counters", ()),
            )
            for ref in refs:
                catalog.get(ref)
        assert tax.atlas_version == catalog.atlas_version

    def test_names_agree_with_the_reference(self, reference):
        """
        The reference's crosswalk names are the catalogue's, looked up.
        """
        catalog = dsc.load_crosswalk()
        for paper in reference["papers"]:
            atlas = paper["atlas"]
            for item in (
                *atlas["techniques"],
                *atlas["mitigations"],
                *atlas["counters"],
            ):
                assert item["name"] == catalog.get(item["id"]).name
            for item in paper["owasp_ml_2023"]:
                assert item["name"].endswith(catalog.get(item["id"]).name)

    def test_reverse_lookup(self, tax):
        """
        An ATLAS id gives the attacks, defenses and papers mapped to it.
        """
        match = tax.crosswalk("AML.T0018")
        assert "Manipulate AI Model" == match.entry.name
        expected = [
            a for a in tax.attacks if "AML.T0018" in a.atlas_techniques
        ]
        assert expected == list(match.attacks)
        assert {p.id for a in expected for p in tax.papers_of(a.id)} == {
            p.id for p in match.papers
        }

    def test_subtechniques_when_asked(self, tax):
        """
        A technique matches its sub-techniques' records when asked.
        """
        narrow = tax.crosswalk("AML.T0018")
        wide = tax.crosswalk("AML.T0018", subtechniques=True)
        assert set(narrow.attacks) < set(wide.attacks)
        assert tax.attack("ripple") in wide.attacks
        assert tax.defense("decree") in wide.defenses
        assert (
            "AML.T0018",
            "AML.T0018.000",
            "AML.T0018.001",
            "AML.T0018.002",
        ) == wide.via

    def test_mitigation_and_owasp(self, tax):
        """
        A mitigation id finds defenses; an OWASP id finds both kinds.
        """
        assert (
            tax.defense("poison-forensics")
            in tax.crosswalk("AML.M0007").defenses
        )
        supply_chain = tax.crosswalk("ML06")
        assert "AI Supply Chain Attacks" == supply_chain.entry.name
        assert all("ML06" in a.owasp_ml for a in supply_chain.attacks)
        assert tax.attack("ripple") in supply_chain.attacks

    def test_old_names_answer_with_the_current_name(self, tax):
        """
        A name ATLAS changed in 4.9.0 resolves, with the current name.
        """
        match = tax.crosswalk("Backdoor ML Model")
        assert ("AML.T0018", "Manipulate AI Model", True) == (
            match.entry.id,
            match.entry.name,
            match.renamed,
        )
        assert (
            "AML.T0010" == tax.crosswalk("ml supply chain compromise").entry.id
        )
        assert not tax.crosswalk("AML.T0018").renamed

    def test_unknown(self, tax):
        """
        An unknown id raises UnknownIdError with a suggestion.
        """
        with pytest.raises(dsc.UnknownIdError, match=r"AML\.T0018"):
            tax.crosswalk("AML.T0O18")

    def test_show_atlas_id(self, capsys, tax):
        """
        show AML.T0018 lists the attacks mapped to it and through its
        sub-techniques.
        """
        code, out, _ = run(capsys, "show", "AML.T0018")
        assert 0 == code
        assert out.startswith("AML.T0018 Manipulate AI Model (ATLAS 5.6.0")
        for attack in tax.crosswalk("AML.T0018", subtechniques=True).attacks:
            assert attack.id in out
        code, out, _ = run(capsys, "show", "ML06", "--format", "json")
        data = json.loads(out)
        assert [a.id for a in tax.crosswalk("ML06").attacks] == data["attacks"]

    def test_show_old_name(self, capsys):
        """
        show answers an old ATLAS name with the current one.
        """
        code, out, _ = run(capsys, "show", "Backdoor ML Model")
        assert 0 == code
        assert "formerly 'Backdoor ML Model'" in out.splitlines()[0]


class TestJson:
    """
    The JSON export.
    """

    def test_round_trip(self, tax, tmp_path):
        """
        The export re-imports to an equal taxonomy.
        """
        path = tmp_path / "tax.json"
        path.write_text(export(tax, "json"), encoding="utf-8")
        assert tax == dsc.load_file(path)

    def test_schema(self, tax):
        """
        The export follows the shipped schema.
        """
        jsonschema.validate(json.loads(export(tax, "json")), SCHEMA)

    def test_provenance_round_trips(self, tax):
        """
        Provenance of extension records survives the export.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["papers"].append({"id": "acme:p", "title": "P"})
        data["attacks"].append(
            {
                "id": "acme:a",
                "name": "A",
                "stage": "usage",
                "papers": ["acme:p"],
            }
        )
        data["provenance"] = {
            "acme:a": {
                "source": "acme-ext",
                "version": "1.0",
                "extension": "acme",
            }
        }
        extended = dsc.taxonomy_from_dict(data)
        again = dsc.taxonomy_from_dict(json.loads(export(extended, "json")))
        assert "acme-ext" == again.provenance("acme:a").source
        assert "bundled" == again.provenance("acme:p").source
        jsonschema.validate(json.loads(export(extended, "json")), SCHEMA)

    def test_bad_provenance(self, tax):
        """
        Provenance of an unknown record is reported.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["provenance"] = {"ghost": {"source": "x"}}
        with pytest.raises(
            dsc.TaxonomyDataError, match="no record has id 'ghost'"
        ):
            dsc.taxonomy_from_dict(data)


_HEADING = re.compile(r"^(#{2,3}) (.+?)\s*$")
_ENTRY = re.compile(
    r"^(\d+)\.\s+(.*?)\s*(\[\\\[paper\\\]\]\((\S+)\))\s*(\[\\\[code\\\]\]\((\S+)\))?\s*$"
)


def listing(markdown):
    """
    The headings and entries of a survey-style listing, normalised.
    """
    out = []
    for raw in markdown.splitlines():
        line = " ".join(raw.split())
        if m := _HEADING.match(line):
            out.append(("heading", m.group(1), m.group(2)))
        elif m := _ENTRY.match(line):
            out.append(
                (
                    "entry",
                    int(m.group(1)),
                    " ".join(m.group(2).split()),
                    m.group(4),
                    m.group(6),
                )
            )
    return out


class TestMarkdown:
    """
    The survey listing regenerated, and the English rendering.
    """

    def test_same_as_the_survey(self, tax):
        """
        Same sections in the same order, same entries with venue, year and
        links, as the survey's own README.
        """
        ours = listing(export(tax, "markdown"))
        theirs = listing(SURVEY_README)
        assert theirs == ours
        assert 60 == sum(1 for item in ours if item[0] == "entry")
        assert "## 模型设计阶段的攻击" in export(tax, "markdown")

    def test_english(self, tax):
        """
        The English rendering names every attack and defense and paper.
        """
        text = export(tax, "markdown-en")
        for rec in (*tax.attacks, *tax.defenses):
            assert f"(`{rec.id}`)" in text
        for paper in tax.papers:
            if paper.id != tax.survey:
                assert paper.title in text
        assert "## Attacks in the model design stage" in text
        assert "### Defenses in the usage stage" in text


class TestExportCommand:
    """
    dnn-supply-chain export.
    """

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_every_format(self, capsys, tax, fmt):
        """
        Every format prints what export() returns.
        """
        code, out, _ = run(capsys, "export", "--format", fmt)
        assert (0, export(tax, fmt)) == (code, out)

    def test_output_file(self, capsys, tax, tmp_path):
        """
        -o writes the file.
        """
        path = tmp_path / "tax.json"
        code, out, err = run(
            capsys, "export", "--format", "json", "-o", str(path)
        )
        assert (0, "") == (code, out)
        assert tax == dsc.load_file(path)
        assert str(path) in err

    def test_unknown_format(self):
        """
        An unknown format is refused by the API.
        """
        with pytest.raises(ValueError, match="unknown format"):
            export(dsc.load(), "yaml")


class TestExportFormat:
    """
    The ExportFormat type and the names export() accepts.
    """

    def test_same_names_in_order(self):
        """
        ExportFormat names the formats of FORMATS, in the same order.
        """
        assert FORMATS == typing.get_args(dsc.ExportFormat)

    def test_every_name_has_a_renderer(self):
        """
        Every name of FORMATS has a module that renders it.
        """
        assert FORMATS == tuple(_MODULES)
