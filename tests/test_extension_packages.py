"""
The example extensions, really built and installed with pip.

Each example is built into a wheel (by hatchling, in pip's isolated build
environment) and installed into its own directory once per session; a
subprocess "installs" it by putting that directory on PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT


EXAMPLES = ROOT / "examples"
ACME_RECORDS = {
    "stages": ["acme:data-collection"],
    "categories": ["acme:prompt-attacks"],
    "attacks": ["acme:prompt-leak"],
    "defenses": ["acme:weight-diff-audit"],
    "papers": ["acme:example-field-guide"],
}


@pytest.fixture(name="sites", scope="session")
def _sites(tmp_path_factory):
    """
    The directories the example packages are installed in, by example.
    """
    root = tmp_path_factory.mktemp("extensions")
    sites = {name: root / name for name in ("extension", "broken-extension")}
    # The two builds are independent: run them side by side.
    builds = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
                "--target",
                str(site),
                str(EXAMPLES / name),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, site in sites.items()
    ]
    for build in builds:
        output, _ = build.communicate()
        assert 0 == build.returncode, output
    return sites


def run(args, *sites):
    """
    Run Python with *args*, with the packages in *sites* installed.
    """
    env = dict(os.environ)
    path = [str(site) for site in sites]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    if path:
        env["PYTHONPATH"] = os.pathsep.join(path)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def python(code, *sites):
    """
    Run *code* with the packages in *sites* installed; return what it
    printed as JSON.
    """
    result = run(["-c", textwrap.dedent(code)], *sites)
    assert 0 == result.returncode, result.stderr
    return json.loads(result.stdout)


LOAD = """
    import json, warnings
    import dnn_supply_chain as dsc

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tax = dsc.load()
    ids = {
        c: [r.id for r in getattr(tax, c)]
        for c in ("stages", "categories", "attacks", "defenses", "papers")
    }
    print(json.dumps({
        "ids": ids,
        "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    }))
"""


class TestInstalled:
    """
    Installing the example extension adds its records; uninstalling it
    takes them away.
    """

    def test_records_merged(self, sites):
        """
        load() holds the bundled records followed by the extension's, and
        warns about nothing.
        """
        bundled = dsc.load(extensions=False)

        loaded = python(LOAD, sites["extension"])

        assert [] == loaded["warnings"]
        for collection, new in ACME_RECORDS.items():
            ids = [r.id for r in getattr(bundled, collection)]
            if collection == "stages":
                # The new stage comes before design, so it goes first.
                assert [*new, *ids] == loaded["ids"][collection]
            else:
                assert [*ids, *new] == loaded["ids"][collection]

    def test_provenance(self, sites):
        """
        The extension's records name its distribution, version and entry
        point; bundled records it linked onto name it as their extender.
        """
        code = """
            import json
            import dnn_supply_chain as dsc

            tax = dsc.load()
            out = {}
            for id in ("acme:prompt-leak", "acme:data-collection", "ripple", "badencoder"):
                p = tax.provenance(id)
                out[id] = [p.source, p.version, p.extension, list(p.extended_by)]
            print(json.dumps(out))
        """

        provenance = python(code, sites["extension"])

        acme = ["acme-dsc-extension", "1.0.0", "acme", []]
        assert {
            "acme:prompt-leak": acme,
            "acme:data-collection": acme,
            "ripple": ["bundled", None, None, ["acme"]],
            "badencoder": ["bundled", None, None, []],
        } == provenance

    def test_links_applied(self, sites):
        """
        The links add the extension's paper and attributes to bundled
        records; its defense counters a bundled attack.
        """
        code = """
            import json
            import dnn_supply_chain as dsc

            tax = dsc.load()
            ripple = tax.attack("ripple")
            print(json.dumps({
                "ripple": [list(ripple.papers), ripple.attributes.to_json()],
                "pii-leakage": tax.attack("pii-leakage").attributes.to_json(),
                "counters": [
                    a.id for a in tax.attacks_countered_by("acme:weight-diff-audit")
                ],
                "threat_types": list(tax.vocabulary.threat_types[-1:]),
            }))
        """

        loaded = python(code, sites["extension"])

        assert {
            "ripple": [
                ["kurita2020weight", "acme:example-field-guide"],
                {"acme:severity": "high"},
            ],
            "pii-leakage": {"acme:severity": "medium"},
            "counters": ["ripple"],
            "threat_types": ["prompt leakage"],
        } == loaded

    def test_tree(self, sites):
        """
        dnn-supply-chain tree starts with the new stage and shows the new
        records.
        """
        result = run(["-m", "dnn_supply_chain", "tree"], sites["extension"])

        assert (0, "") == (result.returncode, result.stderr)
        first = result.stdout.splitlines()[0]
        assert "[acme:data-collection]" in first
        for ids in ACME_RECORDS.values():
            for rec_id in ids:
                assert rec_id in result.stdout

    def test_uninstalled(self, sites):
        """
        Without the package on the path, load() and tree know nothing of it.
        """
        assert sites  # Built, and left off the path.

        loaded = python(LOAD)
        tree = run(["-m", "dnn_supply_chain", "tree"])

        bundled = dsc.load(extensions=False)
        assert [r.id for r in bundled.attacks] == loaded["ids"]["attacks"]
        assert not [
            rec_id
            for ids in loaded["ids"].values()
            for rec_id in ids
            if rec_id.startswith("acme:")
        ]
        assert 0 == tree.returncode
        assert "acme:" not in tree.stdout


class TestBroken:
    """
    A broken extension is skipped with a warning naming its distribution,
    entry point and cause; strict loading fails instead.
    """

    def test_warns_and_keeps_the_others(self, sites):
        """
        load() warns once per broken entry point (one that calls
        sys.exit() too) and still merges the working extension.
        """
        loaded = python(LOAD, sites["extension"], sites["broken-extension"])

        messages = {
            name: message
            for category, message in loaded["warnings"]
            for name in ("unimportable", "dangling", "exits")
            if category == "ExtensionWarning" and f"'{name}'" in message
        }
        assert 3 == len(loaded["warnings"])
        assert {"unimportable", "dangling", "exits"} == set(messages)
        assert (
            "raised SystemExit: a plugin must never end the program"
            in messages["exits"]
        )
        for message in messages.values():
            assert "broken-dsc-extension" in message
        assert "ModuleNotFoundError" in messages["unimportable"]
        assert "broken_dsc.missing_module" in messages["unimportable"]
        assert "unknown stage 'nowhere'" in messages["dangling"]
        assert "acme:prompt-leak" in loaded["ids"]["attacks"]
        assert not [
            rec_id
            for ids in loaded["ids"].values()
            for rec_id in ids
            if rec_id.startswith("broken:")
        ]

    def test_strict_names_every_broken_extension(self, sites):
        """
        load(strict=True) raises ExtensionError naming every broken entry
        point and its cause.
        """
        code = """
            import json
            import dnn_supply_chain as dsc

            try:
                dsc.load(strict=True)
            except dsc.ExtensionError as exc:
                print(json.dumps(str(exc)))
            else:
                print(json.dumps(None))
        """

        message = python(code, sites["extension"], sites["broken-extension"])

        assert message is not None
        for part in (
            "broken-dsc-extension",
            "'unimportable'",
            "ModuleNotFoundError",
            "'dangling'",
            "unknown stage 'nowhere'",
            "'exits'",
            "SystemExit",
        ):
            assert part in message

    def test_extensions_command(self, sites):
        """
        dnn-supply-chain extensions lists every installed extension and
        what became of it.
        """
        args = ["-m", "dnn_supply_chain", "extensions", "--format", "json"]

        result = run(args, sites["extension"], sites["broken-extension"])
        text = run(args[:-2], sites["extension"], sites["broken-extension"])

        assert 0 == result.returncode
        assert {
            "acme": ["acme-dsc-extension", "1.0.0", "loaded"],
            "dangling": ["broken-dsc-extension", "1.0.0", "skipped"],
            "exits": ["broken-dsc-extension", "1.0.0", "skipped"],
            "unimportable": ["broken-dsc-extension", "1.0.0", "skipped"],
        } == {
            e["name"]: [e["distribution"], e["version"], e["status"]]
            for e in json.loads(result.stdout)
        }
        assert 0 == text.returncode
        for name in ("acme", "dangling", "exits", "unimportable"):
            assert name in text.stdout

    def test_strict_option(self, sites):
        """
        dnn-supply-chain --strict fails on a broken extension, naming it,
        and prints no tree.
        """
        result = run(
            ["-m", "dnn_supply_chain", "--strict", "tree"],
            sites["broken-extension"],
        )

        assert 0 != result.returncode
        assert "" == result.stdout
        assert "broken-dsc-extension" in result.stderr
        assert "unimportable" in result.stderr
