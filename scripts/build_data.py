"""
Build ``src/dnn_supply_chain/data/taxonomy.json`` (and ``crosswalk.json``,
the ATLAS and OWASP ids and names that names are looked up in) from the
reference.

The reference (``reference/papers.json``, a verbatim copy of the team's
verified facts) holds one record per survey entry.  This script adds only
what the reference leaves to us, all of it in the tables below so that a
reviewer can read every curated choice in one place:

* the id slug and the name of the technique each paper introduces;
* the mapping of the few free-text ``counters`` entries of defenses onto the
  threat-type vocabulary;
* nothing else: which defense counters which attack is the reference's
  ``counter_evidence``, copied with paper ids turned into record ids.

Everything else (titles, authors, venues, DOIs, summaries, crosswalk ids) is
copied, never edited.  Run it from the repository root::

    python scripts/build_data.py          # rewrite the data file
    python scripts/build_data.py --check  # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "papers.json"
ATLAS = ROOT / "reference" / "atlas-5.6.0.json"
OUTPUT = ROOT / "src" / "dnn_supply_chain" / "data" / "taxonomy.json"
OWASP = ROOT / "reference" / "owasp-ml-top10-2023.json"
OWASP_LLM = ROOT / "reference" / "owasp-llm-top10-2025.json"
NIST = ROOT / "reference" / "nist-ai-100-2-e2025.json"
ATLAS_STIX = ROOT / "reference" / "atlas-5.6.0.stix.json"
CROSSWALK_OUTPUT = (
    ROOT / "src" / "dnn_supply_chain" / "data" / "crosswalk.json"
)
DATA = ROOT / "src" / "dnn_supply_chain" / "data"
MANIFEST = DATA / "manifest.json"
FRAGMENT_SCHEMA = (
    ROOT / "src" / "dnn_supply_chain" / "data" / "fragment.schema.json"
)
TAXONOMY_SCHEMA = (
    ROOT / "src" / "dnn_supply_chain" / "data" / "taxonomy.schema.json"
)

SCHEMA_VERSION = 1

# paper id -> (record id, name of the technique the paper introduces).
# Ids are a public contract: once released, never change one; add an alias.
ENTRIES: dict[str, tuple[str, str]] = {
    # Design stage, downstream-task-related attacks.
    "kurita2020weight": ("ripple", "RIPPLe weight poisoning"),
    "li2021backdoor": (
        "layerwise-weight-poisoning",
        "Layerwise weight poisoning",
    ),
    "zhang2021trojaning": ("trojanlm", "TrojanLM"),
    "cai2022badprompt": ("badprompt", "BadPrompt"),
    "jia2022badencoder": ("badencoder", "BadEncoder"),
    "liu2022poisonedencoder": ("poisonedencoder", "PoisonedEncoder"),
    "zhang2024data": ("corruptencoder", "CorruptEncoder"),
    # Design stage, downstream-task-agnostic attacks.
    "ji2018modelreuse": ("model-reuse-attack", "Model-reuse attack"),
    "chen2022badpre": ("badpre", "BadPre"),
    "zhang2023red": ("neuba", "NeuBA neuron-level backdoor"),
    "shen2021backdoor": (
        "output-representation-backdoor",
        "Predefined output representation backdoor",
    ),
    "lv2023data": ("data-free-backdoor", "Data-free backdoor injection"),
    "mei2023notable": ("notable", "NOTABLE"),
    "du2024uor": ("uor", "UOR universal backdoor"),
    "huang2023training": ("tflexattack", "TFLexAttack lexical backdoor"),
    "li2023multitarget": (
        "multi-target-code-backdoor",
        "Multi-target code backdoor",
    ),
    # Secondary development, attacks targeting transfer learning.
    "wang2018great": (
        "transfer-misclassification-attack",
        "Transfer-learning misclassification attack",
    ),
    "yao2019latent": ("latent-backdoor", "Latent backdoor"),
    "wang2022backdoor": (
        "robust-transfer-backdoor",
        "Robust transfer-learning backdoor",
    ),
    "jiang2024incremental": (
        "incremental-backdoor",
        "Incremental-learning latent backdoor",
    ),
    "ban2022pretrained": (
        "pre-trained-adversarial-perturbations",
        "Pre-trained adversarial perturbations",
    ),
    "du2022ppt": ("ppt", "PPT poisoned prompt tuning"),
    "xu2024instructions": (
        "instruction-backdoor",
        "Instruction-tuning backdoor",
    ),
    "chen2022teacher": (
        "teacher-model-fingerprinting",
        "Teacher model fingerprinting",
    ),
    "tian2023manipulating": (
        "transfer-property-inference",
        "Manipulated-upstream property inference",
    ),
    "song2020information": (
        "embedding-leakage",
        "Embedding inversion and inference",
    ),
    "carlini2021extracting": (
        "training-data-extraction",
        "Language-model training data extraction",
    ),
    "liu2021encodermi": ("encodermi", "EncoderMI"),
    "liu2022stolenencoder": ("stolenencoder", "StolenEncoder"),
    "sha2023cant": ("cont-steal", "Cont-Steal"),
    # Secondary development, attacks targeting compression.
    "hong2021quantization": ("qu-anti-zation", "Qu-ANTI-zation"),
    "ma2023quantization": (
        "quantization-backdoor",
        "Post-training quantization backdoor",
    ),
    "tian2022stealthy": (
        "compression-artifact-backdoor",
        "Compression-artifact backdoor",
    ),
    "phan2022ribac": ("ribac", "RIBAC"),
    "ge2021antidistillation": ("adba", "ADBA anti-distillation backdoor"),
    # Deployment stage attacks.
    "qi2022towards": (
        "subnet-replacement-attack",
        "Subnet replacement attack",
    ),
    # Usage stage attacks.
    "zanella2020analyzing": (
        "model-update-leakage",
        "Model-update differential leakage",
    ),
    "panchendrarajan2021dataset": (
        "dataset-reconstruction",
        "Dataset reconstruction attack",
    ),
    "lukas2023analyzing": ("pii-leakage", "PII leakage attacks"),
    "keskar2020thieves": (
        "multilingual-model-extraction",
        "Multilingual model extraction",
    ),
    "xu2022student": ("imitation-attack", "Black-box API imitation attack"),
    "li2024extracting": (
        "code-ability-extraction",
        "Code-ability imitation attack",
    ),
    # Defenses, design stage.
    "feng2023detecting": ("decree", "DECREE"),
    "zhu2022moderatefitting": ("moderate-fitting", "Moderate-fitting"),
    "zhang2022purifier": ("purifier", "Purifier"),
    "shan2022poison": ("poison-forensics", "Poison forensics"),
    "cheng2023beagle": ("beagle", "BEAGLE"),
    # Defenses, secondary development.
    "dong2021how": ("rift", "RIFT robust informative fine-tuning"),
    "jiang2022rose": ("rose", "ROSE"),
    "zhang2022finemixing": ("fine-mixing", "Fine-mixing"),
    "zhang2023diffusion": ("fine-purifying", "Fine-purifying"),
    "zhang2022remos": ("remos", "ReMoS"),
    "jajal2024interoperability": (
        "onnx-converter-failure-analysis",
        "ONNX converter failure analysis",
    ),
    "zhu2022safety": ("safecompress", "SafeCompress"),
    "tian2023finding": ("dflare", "DFlare"),
    # Defenses, deployment.
    "xiao2022metamorphic": ("mt-dlcomp", "MT-DLComp"),
    "liu2023nnsmith": ("nnsmith", "NNSmith"),
    "ma2023fuzzing": ("hirgen", "HirGen"),
    # Defenses, usage.
    "zhou2022textfusion": ("textfusion", "TextFusion"),
    "zhou2023textobfuscator": ("textobfuscator", "TextObfuscator"),
}

# Free-text entries of a defense's ``counters`` in the reference, and the
# vocabulary terms they name.  Entries that already are vocabulary terms are
# copied as they are.
COUNTER_TERMS: dict[str, tuple[str, ...]] = {
    "backdoor / trojaned pre-trained encoders (e.g. BadEncoder, "
    "Carlini & Terzis 2022)": ("backdoor",),
    "weight poisoning of published pre-trained models": ("weight poisoning",),
    "adversarial examples against fine-tuned models (e.g. transfer-learning "
    "adversarial attacks)": ("adversarial example",),
    "deployment-stage integrity failures of the toolchain (not an "
    "adversarial attack in this list)": ("deployment integrity",),
    "privacy / information leakage at usage time (representation inversion)": (
        "privacy leakage",
        "model inversion",
    ),
}

# What the survey's stage figure says happens in each stage (reference:
# survey_paper.note), as one sentence per stage.
STAGE_DESCRIPTIONS = {
    "design": (
        "A developer builds and trains the model and uploads it to a "
        "model hub."
    ),
    "secondary-development": (
        "A secondary developer downloads the model and transfers or "
        "compresses it for a downstream task."
    ),
    "deployment": "A deployer deploys the model to a device.",
    "usage": "A user invokes the model and gets its output.",
}


def _listing(paper: dict[str, Any]) -> dict[str, Any]:
    survey = paper["survey"]
    return {
        "section": survey["section_en"],
        "section_zh": survey["section_zh"],
        "subsection": survey["subsection_en"],
        "subsection_zh": survey["subsection_zh"],
        "index": survey["index"],
        "title": survey["title_as_listed"],
        "venue": survey["venue_as_listed"],
        "year": survey["year_as_listed"],
        "paper_url": survey["paper_url"],
        "code_url": survey["code_url"],
    }


def _paper(paper: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": paper["id"],
        "title": paper["title"],
        "authors": paper["authors"],
        "venue": paper["venue"],
        "venue_short": paper["venue_short"],
        "year": paper["year"],
        "pages": paper["pages"],
        "doi": paper["doi"],
        "arxiv": paper["arxiv"],
        "url": paper["url"],
        "code": paper["code"],
        "listing": _listing(paper),
    }


def _counters(paper: dict[str, Any], vocabulary: set[str]) -> list[str]:
    terms: list[str] = []
    for entry in paper["counters"]:
        for term in (entry,) if entry in vocabulary else COUNTER_TERMS[entry]:
            if term not in terms:
                terms.append(term)
    return terms


def _scope(reference: dict[str, Any], paper_id: str) -> dict[str, str]:
    """
    Where a defense is applied and what its defender needs, as the
    reference's ``counter_evidence.defense_scope`` says.
    """
    scope = reference["counter_evidence"]["defense_scope"][paper_id]
    return {
        "stage_applied": scope["stage_applied"],
        "defender_needs": scope["defender_needs"],
    }


def _evidence(reference: dict[str, Any]) -> list[dict[str, Any]]:
    """
    The reference's counter-evidence links, between records.
    """
    out = []
    for link in reference["counter_evidence"]["links"]:
        entry = {
            "defense": ENTRIES[link["defense"]][0],
            "attack": ENTRIES[link["attack"]][0],
            "basis": link["basis"],
            "evidence": link["evidence"],
            "source": link["source"],
        }
        if link.get("caveat"):
            entry["caveat"] = link["caveat"]
        out.append(entry)
    return out


def _reasons(paper: dict[str, Any]) -> list[dict[str, Any]]:
    """
    The reason of each OWASP LLM and NIST AI 100-2 mapping of *paper*, as
    the reference gives it (a confidence only where the reference states
    one).
    """
    out = []
    for mapping in (
        *paper["owasp_llm_2025"],
        *paper["nist_ai_100_2_e2025"],
    ):
        entry = {"id": mapping["id"], "why": mapping["why"]}
        if mapping.get("confidence"):
            entry["confidence"] = mapping["confidence"]
        out.append(entry)
    return out


def build(reference: dict[str, Any]) -> dict[str, Any]:
    """
    Return the bundled data file's content for *reference*.
    """
    vocabulary = set(reference["threat_type_vocabulary"])
    attacks: list[dict[str, Any]] = []
    defenses: list[dict[str, Any]] = []
    papers: list[dict[str, Any]] = []
    modalities: list[str] = []
    for paper in reference["papers"]:
        record_id, name = ENTRIES[paper["id"]]
        survey = paper["survey"]
        common = {
            "id": record_id,
            "name": name,
            "stage": survey["stage"],
        }
        crosswalk = {
            "owasp_ml": [item["id"] for item in paper["owasp_ml_2023"]],
            "owasp_llm": [m["id"] for m in paper["owasp_llm_2025"]],
            "nist_aml": [m["id"] for m in paper["nist_ai_100_2_e2025"]],
            "mapping_reasons": _reasons(paper),
        }
        for modality in paper["modalities"]:
            if modality not in modalities:
                modalities.append(modality)
        if survey["role"] == "attack":
            attacks.append(
                {
                    **common,
                    "category": survey["category"],
                    "threat_types": paper["threat_types"],
                    "modalities": paper["modalities"],
                    "summary": paper["summary"],
                    "attacker_access": paper["attacker_access"],
                    "papers": [paper["id"]],
                    "atlas_techniques": [
                        t["id"] for t in paper["atlas"]["techniques"]
                    ],
                    **crosswalk,
                }
            )
        else:
            defenses.append(
                {
                    **common,
                    "counters": _counters(paper, vocabulary),
                    "modalities": paper["modalities"],
                    "summary": paper["summary"],
                    "defender_access": paper["defender_access"],
                    **_scope(reference, paper["id"]),
                    "papers": [paper["id"]],
                    "atlas_mitigations": [
                        m["id"] for m in paper["atlas"]["mitigations"]
                    ],
                    "atlas_counters": [
                        t["id"] for t in paper["atlas"]["counters"]
                    ],
                    **crosswalk,
                }
            )
        papers.append(_paper(paper))

    survey_paper = reference["survey_paper"]
    papers.append(
        {
            "id": survey_paper["id"],
            "title": survey_paper["title"],
            "authors": survey_paper["authors"],
            "venue": survey_paper["venue"],
            "venue_short": None,
            "year": survey_paper["year"],
            "pages": None,
            "doi": survey_paper["doi"],
            "arxiv": None,
            "url": None,
            "code": None,
            "listing": None,
        }
    )
    atlas_version = {p["atlas"]["version"] for p in reference["papers"]}.pop()
    return {
        "schema_version": SCHEMA_VERSION,
        "survey": survey_paper["id"],
        "atlas_version": atlas_version,
        "vocabulary": {
            "threat_types": reference["threat_type_vocabulary"],
            "modalities": modalities,
        },
        "stages": [
            {
                "id": stage["id"],
                "name": stage["name"],
                "name_zh": stage["name_zh"],
                "description": STAGE_DESCRIPTIONS[stage["id"]],
                "actors": stage["actors"],
                "artefacts": stage["artefacts"],
                "operations": stage["operations"],
                "next": stage["next"],
            }
            for stage in reference["stages"]
        ],
        "categories": reference["attack_categories"],
        "attacks": attacks,
        "defenses": defenses,
        "papers": papers,
        "counter_evidence": _evidence(reference),
    }


# ATLAS names that changed, as the reference's ATLAS source note states them
# ("Names changed in ATLAS 4.9.0 (2025-04): e.g. AML.T0010 'ML Supply Chain
# Compromise' -> 'AI Supply Chain Compromise', AML.T0018 'Backdoor ML Model'
# -> 'Manipulate AI Model'; IDs did not change.").  Only these two are
# verified; add others only with a source.
ATLAS_RENAMES = (
    {
        "id": "AML.T0010",
        "name": "ML Supply Chain Compromise",
        "until": "4.9.0",
    },
    {"id": "AML.T0018", "name": "Backdoor ML Model", "until": "4.9.0"},
)

CROSSWALK_NOTE = (
    "The ATLAS, OWASP and NIST ids of attacks and defenses are a curated "
    "crosswalk: a judgement made against the names and descriptions of "
    "MITRE ATLAS {atlas}, the OWASP Machine Learning Security Top 10 "
    "({owasp}), the OWASP Top 10 for LLM Applications ({llm}) and NIST "
    "AI 100-2 {nist}, not an official MITRE, OWASP or NIST mapping."
)


def build_crosswalk(
    atlas: dict[str, Any],
    owasp: dict[str, Any],
    llm: dict[str, Any],
    nist: dict[str, Any],
    atlas_stix: dict[str, Any],
) -> dict[str, Any]:
    """
    Return the ATLAS, OWASP and NIST ids and names the library looks names
    up in; each ATLAS tactic's short name (what ATLAS Navigator layers
    use) comes from MITRE's STIX bundle of the same release.
    """
    llm_source = llm["source"]
    shortnames = {
        ref["external_id"]: obj["x_mitre_shortname"]
        for obj in atlas_stix["objects"]
        if obj["type"] == "x-mitre-tactic"
        for ref in obj["external_references"]
        if ref.get("source_name") == "mitre-atlas"
    }
    return {
        "note": CROSSWALK_NOTE.format(
            atlas=atlas["version"],
            owasp=owasp["edition"],
            llm=llm["version"],
            nist=nist["edition"],
        ),
        "atlas": {
            "source": atlas["source"],
            "version": atlas["version"],
            "tactics": [
                {
                    "id": t["id"],
                    "name": t["name"],
                    "shortname": shortnames[t["id"]],
                }
                for t in atlas["tactics"]
            ],
            "techniques": [
                {
                    "id": t["id"],
                    "name": t["name"],
                    "subtechnique_of": t["subtechnique_of"],
                    "tactics": t["tactics"],
                }
                for t in atlas["techniques"]
            ],
            "mitigations": [
                {"id": m["id"], "name": m["name"], "mitigates": m["mitigates"]}
                for m in atlas["mitigations"]
            ],
            "renamed": list(ATLAS_RENAMES),
        },
        "owasp_ml": {
            "source": owasp["source"],
            "edition": owasp["edition"],
            "items": [
                {"id": i["id"], "name": i["name"]} for i in owasp["items"]
            ],
        },
        "owasp_llm": {
            "source": (
                f"{llm['name']}: {llm_source['repo']} "
                f"{llm_source['folder']} at {llm_source['commit']}"
            ),
            "edition": llm["version"],
            "items": [
                {"id": r["id"], "name": r["name"]} for r in llm["risks"]
            ],
        },
        "nist_aml": {
            "source": f"{nist['source']['publication']}, "
            f"{nist['source']['doi']}",
            "edition": nist["edition"],
            "classes": [
                {
                    "id": c["id"],
                    "name": c["name"],
                    "kind": c["kind"],
                    "objectives": list(
                        dict.fromkeys(
                            o["objective"] for o in c.get("objectives", ())
                        )
                    ),
                    "unverified": c.get("unverified_fields", []),
                }
                for c in nist["classes"]
            ],
        },
    }


def build_taxonomy_schema(fragment_schema: dict[str, Any]) -> dict[str, Any]:
    """
    Return the JSON Schema of taxonomy files (the bundled data and the JSON
    export), derived from the fragment schema so that records are described
    once.
    """
    defs = dict(fragment_schema["$defs"])
    # In a taxonomy, ids carry a namespace only for extension records.
    defs["own-id"] = {
        **defs["ref"],
        "description": "The record's id: a slug, namespaced "
        "(`acme:prompt-leak`) for records an extension added.",
    }
    defs.pop("link", None)
    collections = ("stages", "categories", "attacks", "defenses", "papers")
    optional_text = {"type": ["string", "null"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dnn-supply-chain.invalid/schemas/taxonomy-1.json",
        "title": "dnn-supply-chain taxonomy",
        "description": (
            "A whole taxonomy: the bundled survey data, or the JSON export "
            "of a taxonomy (extensions included). Cross-record rules (ids "
            "unique across kinds, references that resolve, every paper "
            "cited) are checked by the library, not by this schema."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "stages"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "survey": {
                **optional_text,
                "description": "The id of the survey's own paper.",
            },
            "atlas_version": {
                **optional_text,
                "description": "The ATLAS release the crosswalk was made against.",
            },
            "vocabulary": {
                **fragment_schema["properties"]["vocabulary"],
                "description": "The threat types and modalities records may use.",
            },
            **{c: fragment_schema["properties"][c] for c in collections},
            "counter_evidence": fragment_schema["properties"][
                "counter_evidence"
            ],
            "deprecated": {
                "type": "array",
                "description": "Ids that no longer name a record, and what replaced them.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "change", "successors", "since"],
                    "properties": {
                        "id": {"$ref": "#/$defs/ref"},
                        "change": {"enum": ["renamed", "merged", "split"]},
                        "successors": {"$ref": "#/$defs/refs", "minItems": 1},
                        "since": {"$ref": "#/$defs/text"},
                        "note": {"type": "string"},
                    },
                },
            },
            "provenance": {
                "type": "object",
                "description": "Where records that extensions added (or extended) came from, by record id.",
                "propertyNames": {"$ref": "#/$defs/ref"},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["source"],
                    "properties": {
                        "source": {"type": "string"},
                        "version": optional_text,
                        "extension": optional_text,
                        "extended_by": {
                            "type": "array",
                            "items": {"type": "string"},
                        },
                    },
                },
            },
        },
        "$defs": defs,
    }


# The data release; bump it whenever the bundled data changes.
DATA_VERSION = "0.1.0"
# The survey listing's commit the reference was verified against (its
# sources cite "github:Dipsy0830/DNN-supply-chain-survey @7b56db4").
LISTING_COMMIT = "7b56db4"


def data_files(written: dict[Path, str]) -> dict[str, bytes]:
    """
    The bytes of every data file the manifest checksums, by its path under
    ``data/``: the files this script writes as in *written*, every other
    file (schemas, the example threat model) as it is on disk.
    """
    found: dict[str, bytes] = {}
    for path in sorted(DATA.rglob("*")):
        name = path.relative_to(DATA).as_posix()
        if (
            not path.is_file()
            or path == MANIFEST
            or any(part.startswith(".") for part in path.parts)
            or "__pycache__" in path.parts
        ):
            continue
        text = written.get(path)
        found[name] = (
            path.read_bytes() if text is None else text.encode("utf-8")
        )
    for path, text in written.items():
        if path != MANIFEST:
            found.setdefault(
                path.relative_to(DATA).as_posix(), text.encode("utf-8")
            )
    return dict(sorted(found.items()))


def render_manifest(
    taxonomy_text: str, crosswalk_text: str, files: dict[str, bytes]
) -> str:
    """
    Return the manifest of the bundled data: versions, counts, and the
    checksum of each file in *files* (every data file, by its path under
    ``data/``).
    """
    taxonomy = json.loads(taxonomy_text)
    crosswalk = json.loads(crosswalk_text)
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    attacks, defenses = len(taxonomy["attacks"]), len(taxonomy["defenses"])
    manifest = {
        "data_version": DATA_VERSION,
        "survey": {
            "title": reference["survey_paper"]["title"],
            "edition": (
                f"newest listing ({attacks + defenses} entries: "
                f"{attacks} attacks, {defenses} defenses)"
            ),
            "listing": reference["survey_paper"]["listing"],
            "listing_commit": LISTING_COMMIT,
        },
        "atlas_version": crosswalk["atlas"]["version"],
        "owasp_edition": crosswalk["owasp_ml"]["edition"],
        "counts": {
            kind: len(taxonomy[kind])
            for kind in (
                "stages",
                "categories",
                "attacks",
                "defenses",
                "papers",
            )
        },
        "sha256": {
            name: hashlib.sha256(data).hexdigest()
            for name, data in files.items()
        },
    }
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def render(reference_path: Path = REFERENCE) -> str:
    """
    Return the data file's text, as written to disk.
    """
    reference = json.loads(reference_path.read_text(encoding="utf-8"))
    return _dump(build(reference))


def render_crosswalk(
    atlas_path: Path = ATLAS,
    owasp_path: Path = OWASP,
    llm_path: Path = OWASP_LLM,
    nist_path: Path = NIST,
    stix_path: Path = ATLAS_STIX,
) -> str:
    """
    Return the crosswalk file's text, as written to disk.
    """
    atlas, owasp, llm, nist, stix = (
        json.loads(path.read_text(encoding="utf-8"))
        for path in (atlas_path, owasp_path, llm_path, nist_path, stix_path)
    )
    return _dump(build_crosswalk(atlas, owasp, llm, nist, stix))


def main(argv: list[str] | None = None) -> int:
    """
    Write the data file, or with ``--check`` compare it.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    fragment_schema = json.loads(FRAGMENT_SCHEMA.read_text(encoding="utf-8"))
    outputs = {
        OUTPUT: render(),
        CROSSWALK_OUTPUT: render_crosswalk(),
        TAXONOMY_SCHEMA: json.dumps(
            build_taxonomy_schema(fragment_schema),
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    }
    outputs[MANIFEST] = render_manifest(
        outputs[OUTPUT], outputs[CROSSWALK_OUTPUT], data_files(outputs)
    )
    stale = 0
    for path, text in outputs.items():
        if args.check:
            if path.read_text(encoding="utf-8") != text:
                print(f"{path} is stale: run scripts/build_data.py")
                stale = 1
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return stale


if __name__ == "__main__":
    sys.exit(main())
