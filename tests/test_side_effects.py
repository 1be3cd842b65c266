"""
No side effects: importing the package reads nothing but its own
``__init__``, starts no thread and leaves the interpreter's global state
alone; using it writes no file; loading twice duplicates nothing.

The import tests run in a fresh interpreter (``-B``, so that the import
system writes no bytecode either), where nothing has imported the package
yet.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _io, _loading


# Runs first in the child: records file and directory access, and takes a
# snapshot of the global state that a library must leave alone.
_WATCH = """
import json
import logging
import os
import signal
import sys
import threading
import warnings

EVENTS = []
_WATCHED = {"open", "os.listdir", "os.scandir", "os.mkdir", "os.remove",
            "os.rename", "os.rmdir", "shutil.rmtree", "os.truncate"}


def _audit(event, args):
    if event in _WATCHED:
        EVENTS.append([event, *(str(a) for a in args)])


sys.addaudithook(_audit)


def _loggers():
    return {
        name: [
            type(logger).__name__,
            getattr(logger, "level", None),
            [type(h).__name__ for h in getattr(logger, "handlers", ())],
            getattr(logger, "propagate", None),
            getattr(logger, "disabled", None),
        ]
        for name, logger in logging.root.manager.loggerDict.items()
    }


def snapshot():
    return {
        "sys.path": list(sys.path),
        "sys.meta_path": [repr(f) for f in sys.meta_path],
        "sys.path_hooks": [repr(h) for h in sys.path_hooks],
        "warnings.filters": [repr(f) for f in warnings.filters],
        "logging.root": [
            logging.root.level,
            [repr(h) for h in logging.root.handlers],
            logging.root.manager.disable,
            logging.raiseExceptions,
        ],
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
        "hooks": [
            repr(sys.excepthook),
            repr(threading.excepthook),
            repr(sys.displayhook),
            repr(sys.unraisablehook),
        ],
        "limits": [sys.getrecursionlimit(), sys.get_int_max_str_digits()],
        "signals": [
            repr(signal.getsignal(signal.SIGINT)),
            repr(signal.getsignal(signal.SIGTERM)),
        ],
        "threads": sorted(t.name for t in threading.enumerate()),
        "thread_count": threading.active_count(),
    }


BEFORE = snapshot()
LOGGERS = _loggers()
"""

_IMPORT = """
import dnn_supply_chain as dsc
"""

_USE = """
import io
import tomllib

from importlib.resources import files

import dnn_supply_chain as dsc

tax = dsc.load()
dsc.load(extensions=False)
tax.find_attacks(stage=tax.stages[0].id)
tax.search("backdoor")
tax.crosswalk("ML06")
text = (
    files("dnn_supply_chain") / "data" / "examples" / "edge-deployment.toml"
).read_text(encoding="utf-8")
model = dsc.threat_model_from_dict(tomllib.loads(text))
dsc.coverage_report(model, tax)
for fmt in dsc.FORMATS:
    dsc.export(tax, fmt)
"""

_REPORT = """
import os

AFTER = snapshot()
NEW_LOGGERS = {k: v for k, v in _loggers().items() if k not in LOGGERS}
print(json.dumps({
    "package": os.path.dirname(dsc.__file__),
    "before": BEFORE,
    "after": AFTER,
    "new_loggers": NEW_LOGGERS,
    "events": EVENTS,
}))
"""


def run_watched(code: str, tmp_path) -> dict:
    """
    Run *code* in a fresh interpreter, between two snapshots of its global
    state; return both, the loggers it made and the files it touched.
    """
    script = "\n".join(
        textwrap.dedent(part) for part in (_WATCH, code, _REPORT)
    )
    result = subprocess.run(
        [sys.executable, "-B", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert 0 == result.returncode, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _writes(events: list[list[str]]) -> list[list[str]]:
    """
    The events that create, change or remove a file or folder.
    """
    import os

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
    found = []
    for event in events:
        if event[0] == "open":
            _, _, mode, flags = event
            if (mode != "None" and set(mode) & set("wax+")) or (
                flags.lstrip("-").isdigit() and int(flags) & write_flags
            ):
                found.append(event)
        elif event[0] not in ("os.listdir", "os.scandir"):
            found.append(event)
    return found


@pytest.fixture(name="imported", scope="module")
def _imported(tmp_path_factory):
    """
    What importing the package in a fresh interpreter did.
    """
    return run_watched(_IMPORT, tmp_path_factory.mktemp("import"))


@pytest.fixture(name="used", scope="module")
def _used(tmp_path_factory):
    """
    What importing and using the package (load, queries, the check of the
    example threat model, every export) in a fresh interpreter did.
    """
    return run_watched(_USE, tmp_path_factory.mktemp("use"))


class TestWatch:
    """
    The watch in the child sees what it is meant to see.
    """

    def test_sees_writes_and_changes(self, tmp_path):
        """
        A file written, a warnings filter added and a thread started are
        all seen.
        """
        code = """
        import dnn_supply_chain as dsc

        with open("written.txt", "w", encoding="utf-8") as f:
            f.write("x")
        warnings.simplefilter("ignore")
        threading.Thread(target=threading.Event().wait, daemon=True).start()
        """
        found = run_watched(code, tmp_path)
        assert 1 == len(_writes(found["events"]))
        before, after = found["before"], found["after"]
        assert before["warnings.filters"] != after["warnings.filters"]
        assert before["thread_count"] + 1 == after["thread_count"]


class TestImport:
    """
    Importing the package has no effect but defining it.
    """

    def test_reads_only_its_init(self, imported):
        """
        The import reads the package's __init__ (as source or bytecode),
        and no other file or folder of the package: no data file.
        """
        package = imported["package"]
        touched = [
            event[1].removeprefix(package)
            for event in imported["events"]
            if event[1].startswith(package)
        ]
        assert touched
        assert all(
            path in ("/__init__.py", "/__pycache__/__init__.pyc")
            or (
                path.startswith("/__pycache__/__init__.")
                and path.endswith(".pyc")
            )
            for path in touched
        ), touched

    def test_writes_nothing(self, imported):
        """
        The import creates, changes and removes no file.
        """
        assert [] == _writes(imported["events"])

    def test_starts_no_thread(self, imported):
        """
        The import starts no thread.
        """
        before, after = imported["before"], imported["after"]
        assert before["thread_count"] == after["thread_count"]
        assert before["threads"] == after["threads"]

    @pytest.mark.parametrize(
        "state",
        [
            "sys.path",
            "sys.meta_path",
            "sys.path_hooks",
            "warnings.filters",
            "logging.root",
            "environ",
            "cwd",
            "hooks",
            "limits",
            "signals",
        ],
    )
    def test_global_state_unchanged(self, imported, state):
        """
        The import leaves the interpreter's global state as it was.
        """
        assert imported["before"][state] == imported["after"][state]

    def test_configures_no_logging(self, imported):
        """
        The import makes no logger with a handler or a level of its own.
        """
        for name, (kind, level, handlers, _, _) in imported[
            "new_loggers"
        ].items():
            assert "PlaceHolder" == kind or (0 == level and [] == handlers), (
                name
            )


class TestUse:
    """
    Loading, querying, checking and exporting touch nothing outside the
    process.
    """

    def test_writes_nothing(self, used):
        """
        Using the library creates, changes and removes no file.
        """
        assert [] == _writes(used["events"])

    def test_leaves_no_thread(self, used):
        """
        Using the library leaves no thread running.
        """
        assert used["before"]["threads"] == used["after"]["threads"]

    @pytest.mark.parametrize(
        "state",
        [
            "sys.path",
            "sys.meta_path",
            "sys.path_hooks",
            "warnings.filters",
            "logging.root",
            "environ",
            "cwd",
            "hooks",
            "limits",
            "signals",
        ],
    )
    def test_global_state_unchanged(self, used, state):
        """
        Using the library leaves the interpreter's global state as it was.
        """
        assert used["before"][state] == used["after"][state]

    def test_configures_no_logging(self, used):
        """
        Using the library makes no logger with a handler or a level of its
        own.
        """
        for name, (kind, level, handlers, _, _) in used["new_loggers"].items():
            assert "PlaceHolder" == kind or (0 == level and [] == handlers), (
                name
            )


class TestLoadTwice:
    """
    Loading again returns what was loaded, and duplicates nothing.
    """

    def test_same_object(self):
        """
        Every call with the same arguments returns the same taxonomy.
        """
        assert dsc.load() is dsc.load()
        assert dsc.load(extensions=False) is dsc.load(extensions=False)
        assert dsc.load(extensions=[]) is dsc.load(extensions=())

    def test_cache_does_not_grow(self):
        """
        Loading again adds nothing to the cache.
        """
        dsc.load()
        dsc.load(extensions=False)
        before = dict(_loading._merged)
        for _ in range(3):
            dsc.load()
            dsc.load(extensions=False)
        assert before == _loading._merged
        assert _io._cached is dsc.load(extensions=False)

    def test_counts_stay(self):
        """
        The record counts are the same after every load.
        """

        def counts(tax):
            return [
                len(getattr(tax, c))
                for c in ("stages", "categories", "attacks", "defenses")
            ] + [len(tax.papers), len(tax.vocabulary.threat_types)]

        first = counts(dsc.load(extensions=False))
        for _ in range(3):
            assert first == counts(dsc.load(extensions=False))
            assert first == counts(dsc.load())

    def test_from_dict_twice(self):
        """
        taxonomy_from_dict twice on the same data gives equal taxonomies
        with the same counts, and leaves the data as it was.
        """
        data = dsc.taxonomy_to_dict(dsc.load(extensions=False))
        before = copy.deepcopy(data)
        first = dsc.taxonomy_from_dict(data)
        second = dsc.taxonomy_from_dict(data)
        assert first is not second
        assert first == second
        for collection in ("stages", "categories", "attacks", "defenses"):
            assert len(data[collection]) == len(getattr(first, collection))
            assert len(data[collection]) == len(getattr(second, collection))
        assert len(data["papers"]) == len(first.papers) == len(second.papers)
        assert before == data

    @pytest.mark.parametrize("extensions", [False, True])
    def test_no_duplicates(self, extensions):
        """
        The loaded vocabulary lists every term once, and every id names
        one record.
        """
        tax = dsc.load(extensions=extensions)
        vocabulary = tax.vocabulary
        assert len(set(vocabulary.threat_types)) == len(
            vocabulary.threat_types
        )
        assert len(set(vocabulary.modalities)) == len(vocabulary.modalities)
        ids = [
            rec.id
            for collection in ("stages", "categories", "attacks", "defenses")
            for rec in getattr(tax, collection)
        ] + [p.id for p in tax.papers]
        assert len(set(ids)) == len(ids)


class TestPublicNames:
    """
    A public name means the same whatever was imported before.
    """

    def test_names_survive_submodule_imports(self, tmp_path):
        """
        dsc.export is the export function after dsc.FORMATS, and every
        public name is its home module's object after every submodule is
        imported.
        """
        code = """
        import importlib
        import pkgutil

        import dnn_supply_chain as dsc

        dsc.FORMATS
        for info in pkgutil.walk_packages(dsc.__path__, "dnn_supply_chain."):
            if info.name.rpartition(".")[2] not in ("__main__", "testing"):
                importlib.import_module(info.name)
        wrong = [
            name
            for name, home in sorted(dsc._HOME_OF.items())
            if getattr(dsc, name)
            is not getattr(importlib.import_module(home, "dnn_supply_chain"), name)
        ]
        print(json.dumps(wrong))
        """
        result = subprocess.run(
            [
                sys.executable,
                "-B",
                "-c",
                "import json\n" + textwrap.dedent(code),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
            timeout=300,
        )
        assert 0 == result.returncode, result.stderr
        assert [] == json.loads(result.stdout)
