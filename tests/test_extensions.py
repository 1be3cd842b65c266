"""
Extensions: discovery through entry points, merge, provenance, failure
policy, fragment validation.

These tests install fake distributions (a ``.dist-info`` folder with
metadata and entry points, next to the package's files) on ``sys.path``:
the discovery code finds them exactly as it finds installed wheels.
tests/test_extension_packages.py builds and installs real ones with pip.
"""

from __future__ import annotations

import json
import textwrap

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _convert, _loading
from dnn_supply_chain.cli import main


ACME = """
namespace = "acme"

[vocabulary]
threat_types = ["prompt leakage"]
modalities = ["LLM"]

[[stages]]
id = "acme:data-collection"
name = "Data collection"
name_zh = "数据收集阶段"
description = "A team gathers the data a model is trained on."
next = ["design"]

[[attacks]]
id = "acme:prompt-leak"
name = "Prompt leak"
stage = "usage"
threat_types = ["prompt leakage", "privacy leakage"]
modalities = ["LLM"]
papers = ["acme:redteam2026"]
attributes = { "acme:severity" = "high" }

[[defenses]]
id = "acme:weight-diff"
name = "Weight diffing"
stage = "secondary-development"
counters = ["weight poisoning"]
papers = ["acme:redteam2026"]

[[papers]]
id = "acme:redteam2026"
title = "Example: internal red-team report"
authors = ["ACME Red Team"]
year = 2026

[[links]]
record = "ripple"
papers = ["acme:redteam2026"]
attributes = { "acme:severity" = "critical", "acme:seen" = [2024, 2025] }

[[counter_evidence]]
defense = "acme:weight-diff"
attack = "ripple"
basis = "evaluated"
evidence = "The red-team report runs RIPPLe and flags its layers."
source = "acme:redteam2026, section 2"
"""


@pytest.fixture(name="install")
def _install(tmp_path, monkeypatch):
    """
    Return a function that installs a fake distribution with entry points
    in the group, and forget the cached taxonomies around the test.
    """
    monkeypatch.setattr(_loading, "_merged", {})
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(dist, entry_points, files, version="1.0"):
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n",
            encoding="utf-8",
        )
        lines = [f"{name} = {value}" for name, value in entry_points.items()]
        (info / "entry_points.txt").write_text(
            "[dnn_supply_chain.extensions]\n" + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
        for rel, text in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        monkeypatch.setattr(_loading, "_merged", {})

    return install


@pytest.fixture(name="acme")
def _acme(install):
    install(
        "acme-ext",
        {"acme": "acme_ext:fragment.toml"},
        {
            "acme_ext/__init__.py": "raise RuntimeError('never imported')\n",
            "acme_ext/fragment.toml": ACME,
        },
    )


def load_warned(**kwargs):
    with pytest.warns(dsc.ExtensionWarning) as record:
        tax = dsc.load(**kwargs)
    return tax, [str(w.message) for w in record]


class TestMerge:
    """
    An installed pure-data extension joins the taxonomy.
    """

    @pytest.mark.usefixtures("acme")
    def test_records_appear_with_provenance(self):
        """
        Its records are in load(), each knowing its distribution.
        """
        tax = dsc.load()
        bundled = dsc.load(extensions=False)
        assert len(bundled.attacks) + 1 == len(tax.attacks)
        attack = tax.attack("acme:prompt-leak")
        assert "Prompt leak" == attack.name
        prov = tax.provenance("acme:prompt-leak")
        assert ("acme-ext", "1.0", "acme") == (
            prov.source,
            prov.version,
            prov.extension,
        )
        assert "bundled" == tax.provenance("badencoder").source

    @pytest.mark.usefixtures("acme")
    def test_package_code_never_runs(self):
        """
        A pure-data extension is read without importing its package (whose
        __init__ would raise).
        """
        assert "acme:prompt-leak" in dsc.load()

    @pytest.mark.usefixtures("acme")
    def test_new_stage_in_lifecycle_order(self):
        """
        A stage that comes before design is listed first.
        """
        tax = dsc.load()
        assert [
            "acme:data-collection",
            "design",
            "secondary-development",
            "deployment",
            "usage",
        ] == [s.id for s in tax.stages]
        assert ("acme:data-collection",) == tuple(
            s.id for s in tax.previous_stages("design")
        )

    @pytest.mark.usefixtures("acme")
    def test_links_and_attributes(self):
        """
        Links add papers and attributes to bundled records, and the
        provenance says who extended them.
        """
        tax = dsc.load()
        ripple = tax.attack("ripple")
        assert ("kurita2020weight", "acme:redteam2026") == ripple.papers
        assert {
            "acme:severity": "critical",
            "acme:seen": [2024, 2025],
        } == ripple.attributes.to_json()
        assert ("acme",) == tax.provenance("ripple").extended_by
        assert (ripple, tax.attack("acme:prompt-leak")) == tax.records_of(
            "acme:redteam2026"
        )[:2]

    @pytest.mark.usefixtures("acme")
    def test_vocabulary_and_counters(self):
        """
        New vocabulary is usable in filters; a new defense counters a
        bundled attack by its evidence, and a shared threat type pairs
        nothing.
        """
        tax = dsc.load()
        assert (tax.attack("acme:prompt-leak"),) == tax.find_attacks(
            threat_type="prompt leakage"
        )
        assert tax.defense("acme:weight-diff") in tax.defenses_for("ripple")
        assert tax.defense("acme:weight-diff") not in tax.defenses_for(
            "layerwise-weight-poisoning"
        )

    @pytest.mark.usefixtures("acme")
    def test_selection(self):
        """
        extensions=False gives the bundled survey; a list selects.
        """
        assert "acme:prompt-leak" not in dsc.load(extensions=False)
        assert "acme:prompt-leak" in dsc.load(extensions=["acme"])
        assert "acme:prompt-leak" not in dsc.load(extensions=[])
        with pytest.raises(
            dsc.ExtensionError, match="no extension named 'nope' is installed"
        ):
            dsc.load(extensions=["nope"])
        with pytest.raises(TypeError):
            dsc.load(extensions="acme")

    @pytest.mark.usefixtures("acme")
    def test_merge_is_deterministic_and_cached(self):
        """
        load() caches the merged taxonomy, and an equal merge is equal.
        """
        first = dsc.load()
        assert first is dsc.load()
        _loading._merged.clear()
        assert first == dsc.load()

    @pytest.mark.usefixtures("acme")
    def test_extension_info(self):
        """
        The taxonomy lists the installed extensions and their fate.
        """
        (info,) = dsc.load().extensions
        assert ("acme", "acme-ext", "loaded", "acme", 4) == (
            info.name,
            info.distribution,
            info.status,
            info.namespace,
            info.records,
        )

    def test_python_extension(self, install):
        """
        An entry point may name a callable that returns the fragment.
        """
        install(
            "beta-ext",
            {"beta": "beta_ext_plugin:fragment"},
            {
                "beta_ext_plugin.py": """
                def fragment():
                    return {
                        "namespace": "beta",
                        "attacks": [{"id": "beta:x", "name": "Beta X", "stage": "usage", "papers": ["beta:p"]}],
                        "papers": [{"id": "beta:p", "title": "Beta paper"}],
                    }
                """
            },
        )
        tax = dsc.load()
        assert "Beta X" == tax.attack("beta:x").name
        assert "beta-ext" == tax.provenance("beta:x").source

    def test_extensions_build_on_each_other(self, acme, install):  # noqa: ARG002
        """
        One extension may reference another's records.
        """
        install(
            "gamma-ext",
            {"gamma": "gamma_ext:f.json"},
            {
                "gamma_ext/f.json": json.dumps(
                    {
                        "namespace": "gamma",
                        "attacks": [
                            {
                                "id": "gamma:poisoned-crawl",
                                "name": "Poisoned crawl",
                                "stage": "acme:data-collection",
                                "threat_types": ["data poisoning"],
                                "papers": ["acme:redteam2026"],
                            }
                        ],
                    }
                )
            },
        )
        tax = dsc.load()
        assert (
            "acme:data-collection" == tax.attack("gamma:poisoned-crawl").stage
        )


class TestFailurePolicy:
    """
    Broken extensions are skipped with a warning, or raise when strict.
    """

    def test_unimportable_entry_point(self, acme, install):  # noqa: ARG002
        """
        An entry point that cannot be imported is skipped, naming the
        distribution, the entry point and the cause; the rest load.
        """
        install("broken-ext", {"broken": "no_such_module_xyz:fragment"}, {})
        tax, messages = load_warned()
        (message,) = messages
        assert "'broken' (broken-ext 1.0)" in message
        assert "no_such_module_xyz:fragment" in message
        assert "ModuleNotFoundError" in message
        assert "acme:prompt-leak" in tax
        statuses = {i.name: i.status for i in tax.extensions}
        assert {"acme": "loaded", "broken": "skipped"} == statuses

    def test_strict_raises(self, install):
        """
        strict=True raises ExtensionError instead.
        """
        install("broken-ext", {"broken": "no_such_module_xyz:fragment"}, {})
        with pytest.raises(dsc.ExtensionError, match=r"broken-ext 1\.0"):
            dsc.load(strict=True)

    def test_dangling_reference(self, install):
        """
        A reference to nothing names the extension and the path.
        """
        install(
            "dangle-ext",
            {"dangle": "dangle_ext:f.toml"},
            {
                "dangle_ext/f.toml": """
                namespace = "dangle"
                [[attacks]]
                id = "dangle:a"
                name = "A"
                stage = "nowhere"
                papers = ["dangle:p"]
                [[papers]]
                id = "dangle:p"
                title = "P"
                """
            },
        )
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.load(strict=True)
        (problem,) = exc_info.value.problems
        assert ("extension 'dangle' (dangle-ext 1.0)", "attacks[0].stage") == (
            problem.source,
            problem.path,
        )
        assert "unknown stage 'nowhere'" in problem.message
        tax, messages = load_warned()
        assert "dangle:a" not in tax
        assert "attacks[0].stage: unknown stage 'nowhere'" in messages[0]

    def test_redefining_a_core_id(self, install):
        """
        An extension that redefines a bundled id names both sources.
        """
        install(
            "evil-ext",
            {"evil": "evil_ext:f.toml"},
            {
                "evil_ext/f.toml": """
                namespace = "evil"
                [[attacks]]
                id = "ripple"
                name = "Not RIPPLe"
                stage = "design"
                papers = ["kurita2020weight"]
                """
            },
        )
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.load(strict=True)
        message = exc_info.value.problems[0].message
        assert (
            "extension 'evil' (evil-ext 1.0) redefines an id of the bundled taxonomy (attacks[0]): 'ripple'"
            == message
        )
        tax, _ = load_warned()
        assert "RIPPLe weight poisoning" == tax.attack("ripple").name

    def test_collision_between_extensions(self, acme, install):  # noqa: ARG002
        """
        Two extensions declaring the same namespace: neither is loaded,
        each naming the other, whichever sorts first.
        """
        install(
            "copy-ext",
            {"aaa-copy": "copy_ext:f.toml"},
            {"copy_ext/f.toml": ACME},
        )
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.load(strict=True)
        assert [
            (
                "extension 'aaa-copy' (copy-ext 1.0)",
                "namespace 'acme' is declared by extension 'acme' (acme-ext 1.0) too; a namespace belongs to one extension, so none of them is loaded: uninstall all but one",
            ),
            (
                "extension 'acme' (acme-ext 1.0)",
                "namespace 'acme' is declared by extension 'aaa-copy' (copy-ext 1.0) too; a namespace belongs to one extension, so none of them is loaded: uninstall all but one",
            ),
        ] == [(p.source, p.message) for p in exc_info.value.problems]
        tax, messages = load_warned()
        assert "acme:prompt-leak" not in tax
        assert {"aaa-copy": "skipped", "acme": "skipped"} == {
            i.name: i.status for i in tax.extensions
        }
        assert 2 == len(messages)

    def test_cascade(self, install):
        """
        An extension that builds on a skipped one is skipped too.
        """
        install("broken-ext", {"a-broken": "no_such_module_xyz:fragment"}, {})
        install(
            "child-ext",
            {"child": "child_ext:f.toml"},
            {
                "child_ext/f.toml": """
                namespace = "child"
                [[links]]
                record = "a-broken:thing"
                attributes = { "child:x" = 1 }
                """
            },
        )
        tax, messages = load_warned()
        assert 2 == len(messages)
        assert (
            "links[0].record: no record has id 'a-broken:thing'" in messages[1]
        )
        assert {"a-broken": "skipped", "child": "skipped"} == {
            i.name: i.status for i in tax.extensions
        }

    @pytest.mark.parametrize(
        ("value", "files", "cause"),
        [
            (
                "bad_ret:fragment",
                {"bad_ret.py": "def fragment():\n    return 42\n"},
                "a fragment is a table",
            ),
            (
                "bad_call:fragment",
                {"bad_call.py": "fragment = 42\n"},
                "is not callable",
            ),
            (
                "bad_raise:fragment",
                {
                    "bad_raise.py": "def fragment():\n    raise OSError('disk')\n"
                },
                "raised OSError: disk",
            ),
            (
                "bad_file:missing.toml",
                {"bad_file/__init__.py": ""},
                "cannot read missing.toml",
            ),
            (
                "bad_toml:f.toml",
                {"bad_toml/f.toml": "namespace = \n"},
                "invalid TOML",
            ),
        ],
    )
    def test_broken_forms(self, install, value, files, cause):
        """
        Every way an entry point can be broken is reported with its cause.
        """
        install("odd-ext", {"odd": value}, files)
        with pytest.raises(dsc.ExtensionError, match=cause):
            dsc.load(strict=True)

    def test_link_problems(self, install):
        """
        Links must target the right kinds, with namespaced attributes.
        """
        install(
            "links-ext",
            {"links": "links_ext:f.toml"},
            {
                "links_ext/f.toml": """
                namespace = "links"
                [[links]]
                record = "ripple"
                next = ["usage"]
                [[links]]
                record = "decree"
                attacks = ["purifier", "ghost"]
                [[links]]
                record = "usage"
                next = ["design"]
                [[links]]
                record = "design"
                attributes = { "other:x" = 1 }
                """
            },
        )
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.load(strict=True)
        found = [(p.path, p.message) for p in exc_info.value.problems]
        assert [
            (
                "links[3].attributes.other:x",
                "attribute keys of this extension start with 'links:'",
            )
        ] == found
        # Without the bad attribute, the link targets are checked.
        fragment = dsc.fragment_from_dict(
            _toml(
                """
                namespace = "links"
                [[links]]
                record = "ripple"
                next = ["usage"]
                [[links]]
                record = "decree"
                attacks = ["purifier", "ghost"]
                """
            )
        )
        assert [
            (
                "links[0].next",
                "'next' extends stages, and 'ripple' is an attack",
            ),
            ("links[1].attacks[0]", "'purifier' is a defense, not an attack"),
            ("links[1].attacks[1]", "unknown attack 'ghost'"),
        ] == [(p.path, p.message) for p in dsc.validate_fragment(fragment)]

    def test_repeated_id_in_a_link(self):
        """
        An id listed twice in a link is a problem with its path, not a
        crash.
        """
        data = _toml(
            'namespace = "rep"\n[[links]]\nrecord = "ripple"\npapers = ["kurita2020weight", "kurita2020weight"]\n'
        )
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.fragment_from_dict(data)
        (problem,) = exc_info.value.problems
        assert ("links[0].papers", "'papers' lists an id twice") == (
            problem.path,
            problem.message,
        )

    def test_editable_install(self, install, tmp_path, monkeypatch):
        """
        A data file is found where an editable install puts the package
        (on sys.path through a .pth file), not only next to the metadata.
        """
        install("edit-ext", {"edit": "edit_ext.data:fragment.toml"}, {})
        src = tmp_path / "src"
        (src / "edit_ext" / "data").mkdir(parents=True)
        (src / "edit_ext" / "__init__.py").write_text(
            "raise RuntimeError('never imported')\n", encoding="utf-8"
        )
        (src / "edit_ext" / "data" / "fragment.toml").write_text(
            ACME.replace("acme", "edit"), encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(src))
        assert "edit:prompt-leak" in dsc.load(strict=True)

    def test_link_cycle(self):
        """
        A link that closes a cycle in the lifecycle is refused.
        """
        fragment = dsc.fragment_from_dict(
            _toml(
                'namespace = "loop"\n[[links]]\nrecord = "usage"\nnext = ["design"]\n'
            )
        )
        (problem,) = dsc.validate_fragment(fragment)
        assert "the lifecycle has a cycle" in problem.message


def _toml(text):
    import tomllib

    return tomllib.loads(textwrap.dedent(text))


class TestFragments:
    """
    Fragment files, validated without installing them.
    """

    def test_read_and_validate(self, tmp_path):
        """
        A good fragment file validates clean.
        """
        path = tmp_path / "f.toml"
        path.write_text(ACME, encoding="utf-8")
        fragment = dsc.read_fragment(path)
        assert "acme" == fragment.namespace
        assert () == dsc.validate_fragment(fragment)

    def test_form_problems(self):
        """
        Form problems are all reported, each with its path.
        """
        data = {
            "namespace": "Bad NS",
            "attacks": [{"id": "x:a", "name": 3, "stage": "usage"}],
            "links": [
                {"record": "ripple", "attributes": {"x": 1}, "extra": 1}
            ],
            "stuff": [],
        }
        with pytest.raises(dsc.ExtensionError) as exc_info:
            dsc.fragment_from_dict(data, source="f.json")
        paths = [p.path for p in exc_info.value.problems]
        assert ["stuff", "namespace", "attacks[0].name", "links[0]"] == paths

    def test_round_trip(self):
        """
        A fragment's records and links survive JSON.
        """
        fragment = dsc.fragment_from_dict(_toml(ACME))
        data = {
            "namespace": fragment.namespace,
            "vocabulary": _convert.record_to_dict(fragment.vocabulary),
            "links": [
                _convert.record_to_dict(link) for link in fragment.links
            ],
            "counter_evidence": [
                _convert.record_to_dict(link)
                for link in fragment.counter_evidence
            ],
            **{
                c: [_convert.record_to_dict(r) for r in getattr(fragment, c)]
                for c in (
                    "stages",
                    "categories",
                    "attacks",
                    "defenses",
                    "papers",
                )
            },
        }
        assert fragment == dsc.fragment_from_dict(json.loads(json.dumps(data)))


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestCommands:
    """
    The CLI shows extensions and validates fragments.
    """

    @pytest.mark.usefixtures("acme")
    def test_tree_and_show(self, capsys):
        """
        tree and show name the extension records' distribution.
        """
        code, out, _ = run(capsys, "tree")
        assert 0 == code
        assert out.startswith(
            "Data collection [acme:data-collection] 数据收集阶段 (acme-ext 1.0)"
        )
        assert "Prompt leak [acme:prompt-leak] (acme-ext 1.0)" in out
        code, out, _ = run(capsys, "show", "ripple")
        assert "bundled, extended by acme" in out
        code, out, _ = run(capsys, "--no-extensions", "tree")
        assert "acme:" not in out

    @pytest.mark.usefixtures("acme")
    def test_extensions_command(self, capsys, install):
        """
        extensions lists loaded and skipped ones; a warning goes to stderr.
        """
        install("broken-ext", {"broken": "no_such_module_xyz:fragment"}, {})
        code, out, err = run(capsys, "extensions")
        assert 0 == code
        assert (
            "acme  acme-ext 1.0  [acme_ext:fragment.toml]  namespace acme, 4 records"
            in out
        )
        assert (
            "broken  broken-ext 1.0  [no_such_module_xyz:fragment]  skipped"
            in out
        )
        # One prefix, the message not naming the program again.
        assert (
            "dnn-supply-chain: warning: skipped the broken extension 'broken'"
            in err
        )
        code, _, err = run(capsys, "--strict", "tree")
        assert 1 == code
        assert "ModuleNotFoundError" in err

    def test_validate(self, capsys, tmp_path):
        """
        validate exits 0 for a good fragment, 2 with every problem for a
        bad one.
        """
        good = tmp_path / "good.toml"
        good.write_text(ACME, encoding="utf-8")
        code, out, _ = run(capsys, "validate", str(good))
        assert (
            0,
            f"{good}: valid fragment, namespace 'acme', 4 records, 1 links\n",
        ) == (code, out)
        bad = tmp_path / "bad.toml"
        bad.write_text(
            ACME.replace('stage = "usage"', 'stage = "usge"').replace(
                'attack = "ripple"', 'attack = "ripplee"'
            ),
            encoding="utf-8",
        )
        code, out, err = run(capsys, "validate", str(bad))
        assert (2, "") == (code, out)
        lines = err.splitlines()
        assert 2 == len(lines)
        assert (
            f"{bad}: attacks[0].stage (record 'acme:prompt-leak'): unknown stage 'usge'; did you mean 'usage'?"
            in lines[0]
        )
        assert "counter_evidence[0].attack" in lines[1]

    @pytest.mark.usefixtures("acme")
    def test_validate_installed_copy(self, capsys, tmp_path):
        """
        Validating the data file of an installed extension does not collide
        with its installed copy.
        """
        path = tmp_path / "site" / "acme_ext" / "fragment.toml"
        assert 0 == run(capsys, "validate", str(path))[0]

    @pytest.mark.usefixtures("acme")
    def test_validate_taken_namespace(self, capsys, tmp_path):
        """
        Another file declaring an installed extension's namespace is
        refused, naming that extension; --no-extensions checks it against
        the bundled survey alone.
        """
        path = tmp_path / "f.toml"
        path.write_text(ACME, encoding="utf-8")
        code, out, err = run(capsys, "validate", str(path))
        assert (2, "") == (code, out)
        assert (
            f"dnn-supply-chain: error: {path}: namespace: namespace 'acme' belongs to the installed extension 'acme' (acme-ext 1.0): choose another namespace, or uninstall that extension to check this fragment as its replacement\n"
            == err
        )
        assert 0 == run(capsys, "--no-extensions", "validate", str(path))[0]


class TestCheckExtension:
    """
    The helper for extension authors' test suites.
    """

    @pytest.mark.usefixtures("acme")
    def test_valid(self):
        """
        A valid extension has no problem.
        """
        from dnn_supply_chain.testing import check_extension

        assert () == check_extension("acme")

    def test_invalid(self, install):
        """
        A broken extension's problems are returned, not raised.
        """
        from dnn_supply_chain.testing import check_extension

        install("broken-ext", {"broken": "no_such_module_xyz:fragment"}, {})
        (problem,) = check_extension("broken")
        assert "ModuleNotFoundError" in problem.message
        with pytest.raises(dsc.ExtensionError, match="no extension named"):
            check_extension("nope")
