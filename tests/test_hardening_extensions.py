"""
Broken extensions, round 2 (issue 12): whatever an extension's code does,
it is one broken extension, skipped with a warning (or the strict error);
the rest load fully.  Namespaces belong to one extension; strict mode
lists what default mode finds.

The extensions are fake distributions (a ``.dist-info`` folder next to
the package's files) on ``sys.path``, found as installed wheels are.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _loading


GOOD = """
namespace = "good"

[[attacks]]
id = "good:leak"
name = "Leak"
stage = "usage"
papers = ["good:report"]

[[papers]]
id = "good:report"
title = "Example report"
"""

GOOD_IDS = ("good:leak", "good:report")


@pytest.fixture(name="site")
def _site(tmp_path, monkeypatch):
    """
    A folder on sys.path to install fake distributions in; the cached
    taxonomies are forgotten around the test.
    """
    monkeypatch.setattr(_loading, "_merged", {})
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    # Extension modules imported by one test are not another's.
    before = set(sys.modules)
    yield site
    for name in set(sys.modules) - before:
        del sys.modules[name]


def install(site, dist, entry_points, files):
    """
    Install the fake distribution *dist* in *site*.
    """
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", "utf-8"
    )
    lines = [f"{name} = {value}" for name, value in entry_points.items()]
    (info / "entry_points.txt").write_text(
        "[dnn_supply_chain.extensions]\n" + "\n".join(lines) + "\n", "utf-8"
    )
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    _loading._merged.clear()


@pytest.fixture(name="good")
def _good(site):
    install(
        site,
        "good-ext",
        {"good": "good_ext:fragment.toml"},
        {"good_ext/__init__.py": "", "good_ext/fragment.toml": GOOD},
    )


# Callable extensions, each broken in one way: (module source, what the
# problem says).
BROKEN = {
    "raises": (
        "def fragment():\n    raise RuntimeError('disk on fire')\n",
        "raised RuntimeError: disk on fire",
    ),
    "exits": (
        "import sys\ndef fragment():\n    sys.exit(3)\n",
        "raised SystemExit: 3",
    ),
    "exits-on-import": (
        "import sys\nsys.exit('bye')\n",
        "cannot be imported: SystemExit: bye",
    ),
    "unprintable": (
        (
            "class Odd(Exception):\n"
            "    def __str__(self):\n"
            "        raise ValueError('no message')\n"
            "def fragment():\n    raise Odd()\n"
        ),
        "raised Odd: (its message cannot be shown: its __str__ raised)",
    ),
    "int-key": (
        (
            "def fragment():\n"
            "    return {'namespace': 'ik', 'attacks': [{1: 'x', 'id': 'ik:a'}]}\n"
        ),
        "attacks[0]: what it returned cannot be read: keys must be strings, got int 1",
    ),
    "plain-dicts": (
        (
            "from dnn_supply_chain import Fragment\n"
            "def fragment():\n"
            "    return Fragment(namespace='pd', attacks=({'id': 'pd:a'},))\n"
        ),
        "attacks[0]: what it returned cannot be read: expected a record of type Attack, got dict {'id': 'pd:a'}",
    ),
    "iteration-raises": (
        (
            "from collections.abc import Mapping\n"
            "class Bad(Mapping):\n"
            "    def __getitem__(self, key):\n        raise KeyError(key)\n"
            "    def __len__(self):\n        return 1\n"
            "    def __iter__(self):\n        raise RuntimeError('gone')\n"
            "def fragment():\n    return Bad()\n"
        ),
        "what it returned cannot be read: RuntimeError: gone",
    ),
    "holds-itself": (
        (
            "def fragment():\n"
            "    loop = []\n    loop.append(loop)\n"
            "    return {'namespace': 'hi', 'papers': loop}\n"
        ),
        "values nest too deeply, or hold themselves",
    ),
    "not-data": (
        "def fragment():\n    return {'namespace': 'nd', 'papers': {1, 2}}\n",
        "papers: what it returned cannot be read: expected JSON data",
    ),
    "silences-warnings": (
        (
            "import warnings\n"
            "def fragment():\n"
            "    warnings.simplefilter('ignore')\n"
            "    raise RuntimeError('and broken')\n"
        ),
        "raised RuntimeError: and broken",
    ),
}


def install_broken(site, kind):
    module = f"broken_{kind.replace('-', '_')}"
    source, _ = BROKEN[kind]
    install(
        site,
        f"{kind}-ext",
        {kind: f"{module}:fragment"},
        {f"{module}.py": source},
    )


def load_warned(**kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tax = dsc.load(**kwargs)
    return tax, [
        str(w.message) for w in caught if w.category is dsc.ExtensionWarning
    ]


class TestBrokenCallables:
    """
    A callable extension broken in any way is skipped; the rest load.
    """

    @pytest.mark.parametrize("kind", sorted(BROKEN))
    @pytest.mark.usefixtures("good")
    def test_each_kind(self, site, kind):
        """
        Default mode: one ExtensionWarning naming the distribution and the
        cause, the good extension fully there; strict: ExtensionError.
        """
        install_broken(site, kind)
        tax, messages = load_warned()
        (message,) = messages
        assert f"skipped the broken extension '{kind}' ({kind}-ext 1.0)" in (
            message
        )
        assert BROKEN[kind][1] in message
        assert all(rec_id in tax for rec_id in GOOD_IDS)
        assert {"good": "loaded", kind: "skipped"} == {
            i.name: i.status for i in tax.extensions
        }
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.load(strict=True)
        (problem,) = info.value.problems
        assert f"extension '{kind}' ({kind}-ext 1.0)" == problem.source
        assert BROKEN[kind][1] in str(problem)

    @pytest.mark.usefixtures("good")
    def test_all_at_once(self, site):
        """
        With every broken kind installed, the good one loads fully and
        strict mode lists every problem, each naming its distribution.
        """
        for kind in BROKEN:
            install_broken(site, kind)
        tax, messages = load_warned()
        assert len(BROKEN) == len(messages)
        assert all(rec_id in tax for rec_id in GOOD_IDS)
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.load(strict=True)
        assert sorted(f"extension '{k}' ({k}-ext 1.0)" for k in BROKEN) == [
            p.source for p in info.value.problems
        ]

    def test_warnings_filters_restored(self, site):
        """
        An extension that silences warnings does not hide another's, and
        the caller's filters are as they were.
        """
        install_broken(site, "silences-warnings")
        install_broken(site, "unprintable")
        before = list(warnings.filters)
        _, messages = load_warned()
        assert 2 == len(messages)
        assert before == warnings.filters

    def test_keyboard_interrupt_is_the_users(self, site):
        """
        Ctrl-C inside an extension ends load(); it is not a broken
        extension.
        """
        install(
            site,
            "ctrl-c-ext",
            {"ctrlc": "ctrl_c:fragment"},
            {"ctrl_c.py": "def fragment():\n    raise KeyboardInterrupt\n"},
        )
        with pytest.raises(KeyboardInterrupt):
            dsc.load()

    def test_a_fragment_object(self, site):
        """
        A callable may return a Fragment: it is checked and copied, and
        loads.
        """
        install(
            site,
            "obj-ext",
            {"obj": "obj_ext:fragment"},
            {
                "obj_ext/__init__.py": (
                    "import tomllib, pathlib\n"
                    "import dnn_supply_chain as dsc\n"
                    "def fragment():\n"
                    "    text = (pathlib.Path(__file__).parent / 'f.toml').read_text()\n"
                    "    return dsc.fragment_from_dict(tomllib.loads(text))\n"
                ),
                "obj_ext/f.toml": GOOD,
            },
        )
        assert all(rec_id in dsc.load(strict=True) for rec_id in GOOD_IDS)


class TestDataFiles:
    """
    A data file is read within bounds, and only inside its package.
    """

    @pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
    def test_symlink_outside_the_package(self, site, tmp_path):
        """
        A data file that links outside its package is refused; a link
        inside it is followed.
        """
        outside = tmp_path / "elsewhere.toml"
        outside.write_text(GOOD, "utf-8")
        install(site, "link-ext", {"link": "link_ext:f.toml"}, {})
        (site / "link_ext").mkdir()
        (site / "link_ext" / "f.toml").symlink_to(outside)
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.load(strict=True)
        (problem,) = info.value.problems
        assert (
            "f.toml in package link_ext is a link to a file outside the package"
            in problem.message
        )
        (site / "link_ext" / "f.toml").unlink()
        (site / "link_ext" / "real.toml").write_text(GOOD, "utf-8")
        (site / "link_ext" / "f.toml").symlink_to("real.toml")
        _loading._merged.clear()
        assert "good:leak" in dsc.load(strict=True)

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
    def test_fifo_and_device(self, site):
        """
        A data file that is a FIFO is refused at once; one that links to
        a device is outside its package.
        """
        install(
            site,
            "odd-ext",
            {"fifo": "odd_ext:f.toml", "zero": "odd_ext:z.toml"},
            {"odd_ext/__init__.py": ""},
        )
        os.mkfifo(site / "odd_ext" / "f.toml")
        (site / "odd_ext" / "z.toml").symlink_to("/dev/zero")
        # A FIFO that blocked would hang the test: read in a subprocess.
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import warnings, dnn_supply_chain as dsc\n"
                    "warnings.simplefilter('always')\n"
                    "tax = dsc.load()\n"
                    "print(sorted(i.status for i in tax.extensions))\n"
                ),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(site)},
            check=False,
        )
        assert "['skipped', 'skipped']\n" == result.stdout
        assert "cannot read f.toml in package odd_ext: it is a FIFO" in (
            result.stderr
        )
        assert (
            "z.toml in package odd_ext is a link to a file outside the "
            "package (/dev/zero)" in result.stderr
        )

    def test_hostile_toml(self, site):
        """
        A data file of one 100,000-part key is a broken extension, not a
        crash of load().
        """
        install(
            site,
            "deep-ext",
            {"deep": "deep_ext:f.toml"},
            {"deep_ext/f.toml": "a" + ".a" * 99_999 + " = 1\n"},
        )
        _, messages = load_warned()
        (message,) = messages
        assert "more than 128 dotted parts" in message


class TestNamespaces:
    """
    A namespace belongs to one extension: two claiming it load neither.
    """

    @pytest.mark.parametrize("impostor", ["aaa", "zzz"])
    @pytest.mark.usefixtures("good")
    def test_impostor_never_wins(self, site, impostor):
        """
        Whether the impostor sorts first or last, neither loads, and each
        warning names the other.
        """
        install(
            site,
            f"{impostor}-ext",
            {impostor: f"{impostor}_ext:f.toml"},
            {f"{impostor}_ext/f.toml": GOOD.replace("Leak", "Impostor")},
        )
        tax, messages = load_warned()
        assert "good:leak" not in tax
        assert 2 == len(messages)
        for message in messages:
            assert "namespace 'good' is declared by extension" in message
        assert any(
            f"'{impostor}' ({impostor}-ext 1.0) too" in m for m in messages
        )
        assert any("'good' (good-ext 1.0) too" in m for m in messages)

    def test_same_entry_point_name(self, site):
        """
        Two distributions declaring the same entry point name are both
        reported, and both load when their namespaces differ.
        """
        for dist, ns in (("first-ext", "one"), ("second-ext", "two")):
            module = dist.replace("-", "_")
            install(
                site,
                dist,
                {"same": f"{module}:f.toml"},
                {f"{module}/f.toml": GOOD.replace("good", ns)},
            )
        tax = dsc.load(strict=True)
        assert [
            ("same", "first-ext", "loaded"),
            ("same", "second-ext", "loaded"),
        ] == [(i.name, i.distribution, i.status) for i in tax.extensions]
        assert {"one:leak", "two:leak"} <= {a.id for a in tax.attacks}

    def test_paper_listing(self, site):
        """
        An extension's paper may not carry the survey's listing.
        """
        listed = GOOD + textwrap.dedent(
            """
            [papers.listing]
            section = "S"
            section_zh = "S"
            index = 1
            title = "T"
            venue = "V"
            year = 2024
            """
        )
        install(
            site,
            "listing-ext",
            {"listing": "listing_ext:f.toml"},
            {"listing_ext/f.toml": listed},
        )
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.load(strict=True)
        (problem,) = info.value.problems
        assert ("papers[0].listing", "good:report") == (
            problem.path,
            problem.record,
        )
        assert "leave it out" in problem.message


class TestStrictListsEverything:
    """
    Strict mode raises every problem default mode warns about.
    """

    def test_cycle_and_import_error(self, site):
        """
        A link that closes a cycle in the lifecycle (found only when the
        whole taxonomy is checked) is listed with an import error.
        """
        install(
            site,
            "loop-ext",
            {"loop": "loop_ext:f.toml"},
            {
                "loop_ext/f.toml": 'namespace = "loop"\n[[links]]\nrecord = "usage"\nnext = ["design"]\n'
            },
        )
        install(site, "gone-ext", {"gone": "no_such_module_xyz:f"}, {})
        tax, _messages = load_warned()
        assert {"gone": "skipped", "loop": "skipped"} == {
            i.name: i.status for i in tax.extensions
        }
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.load(strict=True)
        strict = info.value.problems
        assert [
            ("extension 'gone' (gone-ext 1.0)", "ModuleNotFoundError"),
            ("extension 'loop' (loop-ext 1.0)", "the lifecycle has a cycle"),
        ] == [
            (
                p.source,
                next(
                    w
                    for w in (
                        "ModuleNotFoundError",
                        "the lifecycle has a cycle",
                    )
                    if w in p.message
                ),
            )
            for p in strict
        ]
        assert [p for i in tax.extensions for p in i.problems] == list(strict)
