"""
crosswalk check --atlas: the ATLAS ids of the crosswalk against another
ATLAS release (STIX bundle, ATLAS.yaml 5.x and the monthly 6.x format).
"""

from __future__ import annotations

import copy
import json

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT
from dnn_supply_chain.cli import main
from dnn_supply_chain.crosswalk import (
    NotAtlasDataError,
    atlas_drift,
    read_atlas_release,
)


BUNDLE_PATH = ROOT / "reference" / "atlas-5.6.0.stix.json"
BUNDLE = json.loads(BUNDLE_PATH.read_text("utf-8"))
ATLAS = json.loads(
    (ROOT / "reference" / "atlas-5.6.0.json").read_text("utf-8")
)

#: Ids the bundled crosswalk maps to, which the drifted copies change.
REMOVED, RENAMED, REVOKED, REPLACEMENT = (
    "AML.T0058",
    "AML.T0018.000",
    "AML.T0010.003",
    "AML.T0010",
)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def atlas_object(bundle, atlas_id):
    (found,) = (
        o
        for o in bundle["objects"]
        if any(
            r.get("source_name") == "mitre-atlas"
            and r.get("external_id") == atlas_id
            for r in o.get("external_references", ())
        )
    )
    return found


def drifted_bundle():
    """
    The shipped bundle with REMOVED removed, RENAMED renamed and REVOKED
    revoked by REPLACEMENT (a revoked-by relationship, as ATT&CK writes).
    """
    bundle = copy.deepcopy(BUNDLE)
    gone = atlas_object(bundle, REMOVED)
    bundle["objects"].remove(gone)
    atlas_object(bundle, RENAMED)["name"] = "Poison AI Model (renamed)"
    revoked = atlas_object(bundle, REVOKED)
    revoked["revoked"] = True
    bundle["objects"].append(
        {
            "type": "relationship",
            "spec_version": "2.1",
            "id": "relationship--00000000-0000-4000-8000-000000000001",
            "created": "2026-07-01T00:00:00.000Z",
            "modified": "2026-07-01T00:00:00.000Z",
            "relationship_type": "revoked-by",
            "source_ref": revoked["id"],
            "target_ref": atlas_object(bundle, REPLACEMENT)["id"],
        }
    )
    return bundle


def yaml_5x():
    """
    An ATLAS.yaml in the 5.x layout (top-level id, name, version;
    matrices with tactics, techniques and mitigations), built from the
    reference's ATLAS 5.6.0 data.
    """
    return {
        "id": "ATLAS",
        "name": "Adversarial Threat Landscape for AI Systems",
        "version": ATLAS["version"],
        "matrices": [
            {
                "id": "ATLAS",
                "name": "ATLAS Matrix",
                "tactics": [
                    {"id": t["id"], "name": t["name"], "object-type": "tactic"}
                    for t in ATLAS["tactics"]
                ],
                "techniques": [
                    {
                        "id": t["id"],
                        "name": t["name"],
                        "object-type": "technique",
                        **(
                            {"subtechnique-of": t["subtechnique_of"]}
                            if t["subtechnique_of"]
                            else {"tactics": t["tactics"]}
                        ),
                    }
                    for t in ATLAS["techniques"]
                ],
                "mitigations": [
                    {
                        "id": m["id"],
                        "name": m["name"],
                        "object-type": "mitigation",
                        "techniques": [{"id": i} for i in m["mitigates"]],
                    }
                    for m in ATLAS["mitigations"]
                ],
            }
        ],
        "case-studies": [],
    }


def yaml_6x():
    """
    The monthly layout as this project assumes it (docs/crosswalk.md says
    which details are unconfirmed): a month version, REMOVED retired,
    REVOKED deprecated with a replacement.
    """
    data = yaml_5x()
    data["version"] = "2026.07"
    techniques = data["matrices"][0]["techniques"]
    for item in techniques:
        if item["id"] == REMOVED:
            item["status"] = "retired"
        if item["id"] == REVOKED:
            item["status"] = "deprecated"
            item["replaced-by"] = REPLACEMENT
    return data


def write(tmp_path, name, data):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        import yaml

        path.write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )
    return path


def changes(drifts):
    return {d.id: (d.change, d.replaced_by) for d in drifts}


class TestStixBundle:
    """
    The drift check on ATLAS STIX bundles.
    """

    def test_shipped_bundle_is_clean(self, capsys):
        """
        The shipped ATLAS 5.6.0 bundle: nothing drifted, exit 0.
        """
        code, out, _ = run(
            capsys, "crosswalk", "check", "--atlas", str(BUNDLE_PATH)
        )
        assert 0 == code
        assert out.rstrip().endswith(" 0 drifted")

    def test_drifted_copy(self, tax, tmp_path):
        """
        A copy with an id removed, one renamed and one revoked gives
        exactly those, the revoked one with its replacement.
        """
        path = write(tmp_path, "atlas.json", drifted_bundle())
        found = atlas_drift(
            tax.attacks, tax.defenses, read_atlas_release(path)
        )
        assert {
            REMOVED: ("missing", None),
            RENAMED: ("renamed", None),
            REVOKED: ("revoked", REPLACEMENT),
        } == changes(found)

    def test_drift_names_its_records(self, tax, tmp_path):
        """
        Each drifted id lists the attacks and defenses mapped to it.
        """
        path = write(tmp_path, "atlas.json", drifted_bundle())
        found = atlas_drift(
            tax.attacks, tax.defenses, read_atlas_release(path)
        )
        (removed,) = (d for d in found if d.id == REMOVED)
        assert tuple(
            a.id for a in tax.attacks if REMOVED in a.atlas_techniques
        ) == (removed.attacks)
        assert tuple(
            d.id
            for d in tax.defenses
            if REMOVED in (*d.atlas_mitigations, *d.atlas_counters)
        ) == (removed.defenses)

    def test_cli_exit_1_names_the_ids(self, capsys, tmp_path):
        """
        The command exits 1 and names each drifted id.
        """
        path = write(tmp_path, "atlas.json", drifted_bundle())
        code, out, _ = run(capsys, "crosswalk", "check", "--atlas", str(path))
        assert 1 == code
        assert f"\n{REMOVED} " in out
        assert "not in the file" in out
        assert "named 'Poison AI Model (renamed)' in the file" in out
        assert f"revoked in the file, replaced by {REPLACEMENT}" in out

    def test_json(self, capsys, tmp_path):
        """
        --format json lists the drifted ids with their change.
        """
        path = write(tmp_path, "atlas.json", drifted_bundle())
        code, out, _ = run(
            capsys,
            "crosswalk",
            "check",
            "--atlas",
            str(path),
            "--format",
            "json",
        )
        data = json.loads(out)
        assert 1 == code
        assert [
            (REVOKED, "revoked"),
            (RENAMED, "renamed"),
            (REMOVED, "missing"),
        ] == [(d["id"], d["change"]) for d in data["drifted"]]
        assert "stix" == data["format"]
        assert "5.6.0" == data["pinned"]

    def test_extension_ids_are_checked(self, tmp_path):
        """
        An id only an extension maps to is checked too.
        """
        (attack, *_) = dsc.load().attacks
        extra = attack.__class__(
            id="acme:x",
            name="X",
            stage=attack.stage,
            atlas_techniques=("AML.T0999",),
        )
        path = write(tmp_path, "atlas.json", BUNDLE)
        found = atlas_drift([extra], [], read_atlas_release(path))
        assert {"AML.T0999": ("missing", None)} == changes(found)


class TestYaml:
    """
    The drift check on ATLAS.yaml files of both formats.
    """

    def test_5x_clean(self, capsys, tmp_path):
        """
        A 5.x ATLAS.yaml of the pinned release: nothing drifted.
        """
        path = write(tmp_path, "ATLAS.yaml", yaml_5x())
        code, out, _ = run(capsys, "crosswalk", "check", "--atlas", str(path))
        assert 0 == code
        assert "(ATLAS.yaml, ATLAS 5.6.0)" in out

    def test_6x_monthly(self, tax, tmp_path):
        """
        A monthly release that retires one id and deprecates another with
        a replacement gives both.
        """
        path = write(tmp_path, "ATLAS.yaml", yaml_6x())
        release = read_atlas_release(path)
        assert "2026.07" == release.version
        assert {
            REMOVED: ("revoked", None),
            REVOKED: ("deprecated", REPLACEMENT),
        } == changes(atlas_drift(tax.attacks, tax.defenses, release))

    def test_safe_loading_only(self, tmp_path):
        """
        A YAML tag that would build a Python object is refused as not
        ATLAS data, never run.
        """
        path = tmp_path / "ATLAS.yaml"
        path.write_text("!!python/object/apply:os.system ['true']\n", "utf-8")
        with pytest.raises(NotAtlasDataError):
            read_atlas_release(path)

    def test_missing_pyyaml(self, capsys, tmp_path, monkeypatch):
        """
        Without PyYAML, a YAML file is exit 2 with the extra to install.
        """
        path = write(tmp_path, "ATLAS.yaml", yaml_5x())
        monkeypatch.setitem(__import__("sys").modules, "yaml", None)
        code, _, err = run(capsys, "crosswalk", "check", "--atlas", str(path))
        assert 2 == code
        assert "'dnn-supply-chain[atlas]'" in err
        assert "python -m pip install '.[atlas]'" in err


class TestNotAtlas:
    """
    A file that is not ATLAS data is exit 2.
    """

    @pytest.mark.parametrize(
        "content",
        [
            '{"type": "bundle", "objects": []}',
            '{"a": 1}',
            "[1, 2]",
            "just: text\n",
        ],
    )
    def test_not_atlas(self, capsys, tmp_path, content):
        """
        JSON or YAML without ATLAS techniques or mitigations is exit 2.
        """
        path = tmp_path / "other.txt"
        path.write_text(content, encoding="utf-8")
        code, _, err = run(capsys, "crosswalk", "check", "--atlas", str(path))
        assert 2 == code
        assert "not ATLAS data" in err

    def test_missing_file(self, capsys, tmp_path):
        """
        A file that does not exist is exit 2.
        """
        code, _, err = run(
            capsys,
            "crosswalk",
            "check",
            "--atlas",
            str(tmp_path / "none.json"),
        )
        assert 2 == code
        assert "none.json" in err
