"""
Starter threat models from a CycloneDX ML-BOM or a Hugging Face model card:
the scope the mapping table infers, the fields named, what is not
inferred, and the errors of bad files.
"""

from __future__ import annotations

import json
import sys
import tomllib

import pytest

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.service import Service
from cyclonedx.output.json import JsonV1Dot5, JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

import dnn_supply_chain as dsc

from dnn_supply_chain.cli import main
from dnn_supply_chain.threat_model import MODEL_CARD_EXTRA
from dnn_supply_chain.threat_model._infer import ON_DEVICE_RUNTIMES


OUTPUTS = {
    "1.5": (JsonV1Dot5, SchemaVersion.V1_5),
    "1.6": (JsonV1Dot6, SchemaVersion.V1_6),
}


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def bom_json(bom, version="1.6", *, model_card=None):
    """
    *bom* as CycloneDX JSON of *version*, with *model_card* set on its
    first machine-learning-model component (cyclonedx-python-lib has no
    model card yet), validated by the library's strict JSON validator.
    """
    output, schema = OUTPUTS[version]
    data = json.loads(output(bom).output_as_string())
    if model_card is not None:
        for component in data["components"]:
            if component["type"] == "machine-learning-model":
                component["modelCard"] = model_card
                break
    text = json.dumps(data, indent=2)
    error = JsonStrictValidator(schema).validate_str(text)
    assert error is None, error
    return text


def derived_bom():
    """
    A model fine-tuned from a hub model, shipped with TFLite to a device,
    and served.
    """
    base = Component(
        name="google/vit-base-patch16-224",
        type=ComponentType.MACHINE_LEARNING_MODEL,
        version="1",
    )
    model = Component(
        name="acme/photo-classifier",
        type=ComponentType.MACHINE_LEARNING_MODEL,
        version="2.0",
        bom_ref="model",
        pedigree=Pedigree(ancestors=[base]),
    )
    runtime = Component(
        name="tflite-runtime", type=ComponentType.LIBRARY, version="2.14.0"
    )
    phone = Component(name="Pixel 8", type=ComponentType.DEVICE)
    bom = Bom(components=[model, runtime, phone])
    bom.services.add(Service(name="photo-api"))
    return bom


CARD = {
    "modelParameters": {
        "task": "image-classification",
        "inputs": [{"format": "image"}],
        "outputs": [{"format": "string"}],
        "architectureFamily": "vit",
    },
    "considerations": {"useCases": ["sorting photos"]},
}


def values(inference, kind):
    return set(inference.values(kind))


class TestBom:
    """
    The mapping table on BOMs built with cyclonedx-python-lib.
    """

    @pytest.mark.parametrize("version", ["1.5", "1.6"])
    def test_derived_model(self, tmp_path, version):
        """
        Ancestors give design and secondary development, a runtime and a
        device deployment, services usage, the task and formats the
        modalities; each item names its field.
        """
        path = tmp_path / "bom.json"
        text = bom_json(derived_bom(), version, model_card=CARD)
        path.write_text(text, "utf-8")
        at = {
            c["name"]: f"components[{i}]"
            for i, c in enumerate(json.loads(text)["components"])
        }
        model = at["acme/photo-classifier"]

        inference = dsc.infer_scope_from_bom(path)

        assert "acme/photo-classifier" == inference.name
        assert {
            "design",
            "secondary-development",
            "deployment",
            "usage",
        } == values(inference, "stage")
        # The inputs' formats count, not the outputs'.
        assert {"vision"} == values(inference, "modality")
        assert () == inference.values("category")
        assert (f"{model}.pedigree.ancestors",) == inference.fields(
            "stage", "design"
        )
        assert {
            f"{at['tflite-runtime']}.name",
            f"{at['Pixel 8']}.type",
        } == set(inference.fields("stage", "deployment"))
        assert ("services",) == inference.fields("stage", "usage")
        assert (
            f"{model}.modelCard.modelParameters.task",
            f"{model}.modelCard.modelParameters.inputs[0].format",
        ) == inference.fields("modality", "vision")
        # How the model was made from its ancestor: CycloneDX does not say.
        assert any(n.startswith("categories:") for n in inference.not_inferred)
        assert {
            f"{model}.modelCard.considerations",
            f"{model}.modelCard.modelParameters.outputs",
            f"{model}.modelCard.modelParameters.architectureFamily",
        } == set(inference.ignored)

    def test_starter_follows_the_scope(self, tmp_path):
        """
        The starter has one open threat per attack of the inferred stages
        that applies to the inferred modalities.
        """
        tax = dsc.load()
        path = tmp_path / "bom.json"
        path.write_text(bom_json(derived_bom(), model_card=CARD), "utf-8")

        model = dsc.infer_scope_from_bom(path).starter(tax)

        scope = model.scope
        expected = [
            a.id
            for s in scope.stages
            for a in tax.attacks_in(s)
            if scope.applies(a.modalities)
        ]
        assert expected == [t.tags[0].id for t in model.threats]
        assert {"open"} == {t.status for t in model.threats}
        assert "acme/photo-classifier" == model.name

    def test_nothing_useful(self, tmp_path):
        """
        A BOM that says nothing of models gives every stage and modality,
        each listed as not inferred.
        """
        bom = Bom(
            components=[Component(name="requests", type=ComponentType.LIBRARY)]
        )
        path = tmp_path / "bom.json"
        path.write_text(bom_json(bom), "utf-8")
        tax = dsc.load()

        inference = dsc.infer_scope_from_bom(path)
        model = inference.starter(tax)

        assert () == inference.inferred
        assert ["stages:", "modalities:"] == [
            n.split()[0] for n in inference.not_inferred
        ]
        assert tuple(s.id for s in tax.stages) == model.scope.stages
        assert tax.vocabulary.modalities == model.scope.modalities
        assert len(tax.attacks) == len(model.threats)

    @pytest.mark.parametrize("name", sorted(ON_DEVICE_RUNTIMES)[:3])
    def test_runtime_names(self, name):
        """
        A component named for an on-device runtime, in any case, puts
        deployment in scope.
        """
        data = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [
                {"type": "framework", "name": name.upper()},
                {"type": "file", "name": "weights/model.TFLite"},
            ],
        }

        inference = dsc.infer_scope_from_bom(data)

        assert ("components[0].name", "components[1].name") == (
            inference.fields("stage", "deployment")
        )

    def test_nested_components(self):
        """
        Components inside components are read, with their paths.
        """
        data = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {
                "component": {
                    "type": "application",
                    "name": "app",
                    "components": [
                        {
                            "type": "machine-learning-model",
                            "name": "m",
                            "pedigree": {
                                "ancestors": [
                                    {
                                        "type": "machine-learning-model",
                                        "name": "base",
                                    }
                                ]
                            },
                        }
                    ],
                }
            },
        }

        inference = dsc.infer_scope_from_bom(data)

        assert ("metadata.component.components[0].pedigree.ancestors",) == (
            inference.fields("stage", "design")
        )
        assert "m" == inference.name

    @pytest.mark.parametrize(
        ("data", "location", "message"),
        [
            ([], "", "not a CycloneDX BOM: expected a JSON object"),
            ({"bomFormat": "SPDX"}, "bomFormat", "not a CycloneDX BOM"),
            (
                {"bomFormat": "CycloneDX", "specVersion": "1.4"},
                "specVersion",
                "CycloneDX specVersion '1.4' is not read",
            ),
            (
                {
                    "bomFormat": "CycloneDX",
                    "specVersion": "1.6",
                    "components": {},
                },
                "components",
                "expected an array of components",
            ),
            (
                {
                    "bomFormat": "CycloneDX",
                    "specVersion": "1.6",
                    "components": [1],
                },
                "components[0]",
                "expected a component object",
            ),
        ],
    )
    def test_bad_boms(self, tmp_path, data, location, message):
        """
        A file that is not a BOM of a spec read here is a ThreatModelError
        naming the file and the path.
        """
        path = tmp_path / "bom.json"
        path.write_text(json.dumps(data), "utf-8")

        with pytest.raises(dsc.ThreatModelError) as info:
            dsc.infer_scope_from_bom(path)

        (problem,) = info.value.diagnostics
        assert (str(path), location) == (problem.source, problem.path)
        assert problem.message.startswith(message)

    def test_not_json(self, tmp_path, capsys):
        """
        Text that is not JSON: the line and column, exit 2, no traceback.
        """
        path = tmp_path / "bom.json"
        path.write_text('{"bomFormat": "CycloneDX",\n  oops}', "utf-8")

        code, out, err = run(capsys, "init", "--from-bom", str(path))

        assert (2, "") == (code, out)
        assert err.startswith(f"{path}: line 2, column 3: invalid JSON")
        assert err.endswith("1 problem: the BOM is invalid\n")
        assert "Traceback" not in err


def card(tmp_path, front, body="# A model\n"):
    path = tmp_path / "README.md"
    path.write_text(f"---\n{front}---\n{body}", "utf-8")
    return path


class TestModelCard:
    """
    The mapping table on model cards as Hugging Face documents them.
    """

    @pytest.mark.parametrize(
        ("relation", "category"),
        [
            ("finetune", "transfer"),
            ("adapter", "transfer"),
            ("merge", "transfer"),
            ("quantized", "compression"),
        ],
    )
    def test_relations(self, tmp_path, relation, category):
        """
        base_model puts design and secondary development in scope, its
        relation the category.
        """
        path = card(
            tmp_path,
            "base_model: meta-llama/Llama-3.1-8B\n"
            f"base_model_relation: {relation}\n"
            "pipeline_tag: text-generation\n",
        )

        inference = dsc.infer_scope_from_model_card(path)

        assert ("design", "secondary-development") == inference.values("stage")
        assert (category,) == inference.values("category")
        assert ("NLP",) == inference.values("modality")
        assert ("base_model_relation",) == inference.fields(
            "category", category
        )
        assert () == inference.not_inferred

    def test_card_fields(self, tmp_path):
        """
        A list of base models, on-device tags, a task across modalities;
        unknown keys ignored and listed, keys known to say nothing not.
        """
        path = card(
            tmp_path,
            "base_model:\n- a/b\n- c/d\n"
            "library_name: transformers\n"
            "tags:\n- gguf\n- vision\n"
            "pipeline_tag: image-text-to-text\n"
            "license: mit\n"
            "language: [en]\n"
            "my_field: 1\n"
            "model-index:\n- name: My VLM\n  results: []\n",
        )

        inference = dsc.infer_scope_from_model_card(path)

        assert ("tags[0]",) == inference.fields("stage", "deployment")
        assert {"vision", "NLP", "multimodal"} == values(inference, "modality")
        assert ("my_field",) == inference.ignored
        assert "My VLM" == inference.name
        assert any(n.startswith("categories:") for n in inference.not_inferred)

    def test_unknown_values_are_listed(self, tmp_path):
        """
        A relation or task the table does not know is listed, never
        guessed.
        """
        path = card(
            tmp_path,
            "base_model_relation: distilled\npipeline_tag: robotics\n",
        )

        inference = dsc.infer_scope_from_model_card(path)

        assert () == inference.inferred
        assert [
            (
                "base_model_relation 'distilled': not a relation of the mapping "
                "table (finetune, adapter, merge, quantized)"
            ),
            (
                "modalities of pipeline_tag 'robotics': not a task of the "
                "mapping table"
            ),
        ] == list(inference.not_inferred[:2])

    def test_no_front_matter(self, tmp_path):
        """
        A card without front matter infers nothing, and says so.
        """
        path = tmp_path / "README.md"
        path.write_text("# Just prose\n---\nbase_model: x\n---\n", "utf-8")

        inference = dsc.infer_scope_from_model_card(path)

        assert () == inference.inferred
        assert inference.not_inferred[0].startswith(
            "the card has no YAML front matter"
        )

    def test_bad_yaml(self, tmp_path):
        """
        Front matter that is not YAML: the line in the file.
        """
        path = card(tmp_path, "base_model: a\npipeline_tag: [x\n")

        with pytest.raises(dsc.ThreatModelError) as info:
            dsc.infer_scope_from_model_card(path)

        (problem,) = info.value.diagnostics
        assert problem.message.startswith("invalid YAML")
        assert problem.position is not None
        assert problem.position[0] >= 3

    @pytest.mark.parametrize(
        "front",
        [
            "- a list\n",
            "!!python/object/apply:os.system ['true']\n",
            "a: &a [*a]\n",
            # A billion values from a few hundred bytes: refused at once.
            "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n"
                for i in range(1, 10)
            ),
        ],
    )
    def test_hostile_front_matter(self, tmp_path, front):
        """
        Front matter that is not a mapping of plain data is refused; a
        Python tag is never run.
        """
        path = card(tmp_path, front)

        with pytest.raises(dsc.ThreatModelError):
            dsc.infer_scope_from_model_card(path)

    def test_yaml_timestamps_stay_text(self, tmp_path):
        """
        A date in the front matter is no error.
        """
        path = card(tmp_path, "date: 2024-01-01\npipeline_tag: fill-mask\n")

        assert ("NLP",) == dsc.infer_scope_from_model_card(path).values(
            "modality"
        )

    def test_pyyaml_missing(self, tmp_path, monkeypatch, capsys):
        """
        Without PyYAML the error names the extra to install.
        """
        path = card(tmp_path, "pipeline_tag: fill-mask\n")
        monkeypatch.setitem(sys.modules, "yaml", None)

        code, out, err = run(capsys, "init", "--from-model-card", str(path))

        assert (2, "") == (code, out)
        assert MODEL_CARD_EXTRA in err
        assert "python -m pip install '.[model-card]'" in err
        assert "Traceback" not in err


class TestInitCommand:
    """
    ``init --from-bom`` and ``init --from-model-card``.
    """

    def test_toml_with_comments(self, tmp_path, capsys):
        """
        The file has a comment beside each inferred item naming its
        field, and lists what was not inferred; stderr says the same; the
        file checks.
        """
        bom = tmp_path / "bom.json"
        bom.write_text(bom_json(derived_bom(), model_card=CARD), "utf-8")
        out_path = tmp_path / "tm.toml"

        code, out, err = run(
            capsys, "init", "--from-bom", str(bom), "-o", str(out_path)
        )

        assert (0, "") == (code, out)
        text = out_path.read_text("utf-8")
        data = tomllib.loads(text)
        inference = dsc.infer_scope_from_bom(bom)
        assert set(inference.values("stage")) == set(data["scope"]["stages"])
        lines = text.splitlines()
        for item in inference.inferred:
            (line,) = [
                ln for ln in lines if ln.startswith(f'  "{item.value}",')
            ]
            assert f"{item.field}: {item.reason}" in line
        assert "# Not inferred:" in lines
        assert f"inferred from {bom}:" == err.splitlines()[0]
        assert "not inferred:" in err.splitlines()
        assert 1 == main(["check", str(out_path)])

    def test_json(self, tmp_path, capsys):
        """
        JSON has no comments: the description says what was inferred.
        """
        path = card(tmp_path, "base_model: a/b\npipeline_tag: fill-mask\n")

        code, out, _ = run(
            capsys, "init", "--from-model-card", str(path), "--format", "json"
        )

        assert 0 == code
        description = json.loads(out)["description"]
        assert "stage design: base_model:" in description
        assert "\n" not in description

    def test_control_characters_in_comments(self, tmp_path, capsys):
        """
        A component name with control characters cannot break the TOML.
        """
        data = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "file", "name": "m\x07\n\x1b[31m.tflite"}],
        }
        bom = tmp_path / "bom.json"
        bom.write_text(json.dumps(data), "utf-8")

        code, out, err = run(capsys, "init", "--from-bom", str(bom))

        assert 0 == code
        assert ["deployment"] == tomllib.loads(out)["scope"]["stages"]
        assert "\x1b" not in out + err
        assert "\x07" not in out + err

    @pytest.mark.parametrize(
        "extra",
        [
            ["--example"],
            ["--from-model-card", "README.md"],
            ["--stage", "design"],
            ["--modality", "vision"],
        ],
    )
    def test_conflicts(self, tmp_path, capsys, extra):
        """
        --from-bom with another source or with --stage/--modality is a
        usage error.
        """
        bom = tmp_path / "bom.json"
        bom.write_text(bom_json(derived_bom()), "utf-8")

        code, out, err = run(capsys, "init", "--from-bom", str(bom), *extra)

        assert (2, "") == (code, out)
        assert "usage" in err or "error" in err


class TestMappingTableDocs:
    """
    The mapping table in docs/from-a-bom.md is the one the code applies.
    """

    def page(self):
        from conftest import ROOT

        return (ROOT / "docs" / "from-a-bom.md").read_text("utf-8")

    def test_tasks_and_formats(self):
        """
        Every task and format row lists the modalities the code gives.
        """
        import re

        from dnn_supply_chain.threat_model._infer import (
            FORMAT_MODALITIES,
            TASK_MODALITIES,
        )

        tasks, formats = {}, {}
        table = self.page().split("| Task or format | Modalities |")[1]
        for row in table.split("\n\n")[0].splitlines()[2:]:
            left, right = row.strip("|").split("|")
            modalities = tuple(re.findall(r"`([^`]+)`", right))
            into = formats if left.strip().startswith("format") else tasks
            for name in re.findall(r"`([^`]+)`", left):
                into[name] = modalities
        assert dict(TASK_MODALITIES) == tasks
        assert dict(FORMAT_MODALITIES) == formats

    def test_runtimes(self):
        """
        The runtimes and file suffixes the page lists are the code's.
        """
        import re

        from dnn_supply_chain.threat_model._infer import ON_DEVICE_SUFFIXES

        (line,) = [
            ln
            for ln in self.page().splitlines()
            if ln.startswith("On-device runtimes and formats")
        ]
        names, suffixes = line.split("; model files ending in ")
        assert sorted(ON_DEVICE_RUNTIMES) == re.findall(r"`([^`]+)`", names)
        assert sorted(ON_DEVICE_SUFFIXES) == re.findall(r"`([^`]+)`", suffixes)
