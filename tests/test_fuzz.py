"""
Fuzzing every loader: random and mutated input makes only the documented
errors escape, each problem says where it is, and what a loader returns is
whole and valid.

:class:`TestRegressions` and :class:`TestFixedBugs` keep the inputs that
found bugs.  Text strategies leave out lone surrogates only because the
tests write their inputs to files as UTF-8 (the readers' handling of them
is tested in :class:`TestFixedBugs`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import math
import re
import sys
import tomllib

from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import pytest

from hypothesis import (
    assume,
    currently_in_test_context,
    event,
    given,
    settings,
)
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain import _convert, export, extensions
from dnn_supply_chain.threat_model import validate_threat_model
from strategies import fragments


ROOT = Path(__file__).resolve().parent.parent
FRAGMENT_FILE = ROOT / "examples/extension/src/acme_dsc/fragment.toml"
DATA = files("dnn_supply_chain") / "data"

_TAXONOMY_KEYS = frozenset(
    {
        "counter_evidence",
        "schema_version",
        "survey",
        "atlas_version",
        "vocabulary",
        "provenance",
        "stages",
        "categories",
        "attacks",
        "defenses",
        "papers",
    }
)
_FRAGMENT_KEYS = frozenset(
    {
        "$schema",
        "counter_evidence",
        "namespace",
        "vocabulary",
        "stages",
        "categories",
        "attacks",
        "defenses",
        "papers",
        "links",
    }
)
_THREAT_MODEL_KEYS = frozenset(
    {"$schema", "name", "description", "scope", "threats", "mitigations"}
)
# The keys of every table of a threat model.
_THREAT_MODEL_FIELDS = _THREAT_MODEL_KEYS | {
    "stages",
    "categories",
    "modalities",
    "id",
    "title",
    "tags",
    "status",
    "rationale",
    "mitigates",
}
_RECORD_PATH = re.compile(
    r"(stages|categories|attacks|defenses|papers)\[([0-9]+)\]"
)
_HEAD = re.compile(r"[^.\[]*")
# Messages quote bad values shortened, so that none is a data dump (ids
# and keys are quoted whole, and those the fuzzing draws are short).
_LONGEST_MESSAGE = 500
_PARSE_ERROR = re.compile(r"invalid (JSON|TOML): .")

# The longest integer Python prints (or reads from a file).
_MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_HUGE = 10 ** (_MAX_DIGITS - 1)

# Files are slow to write, and random fragments slow to draw: fewer of
# them, in every profile.
_SLOW_EXAMPLES = max(10, settings.default.max_examples // 4)
_FRAGMENT_EXAMPLES = max(5, settings.default.max_examples // 10)


# -- the bundled inputs --------------------------------------------------


@functools.cache
def bundled_data() -> dict[str, Any]:
    """
    The bundled survey, as taxonomy_to_dict writes it.
    """
    return dsc.taxonomy_to_dict(dsc.load(extensions=False))


@functools.cache
def bundled_text() -> str:
    """
    The bundled data file, as shipped.
    """
    return (DATA / "taxonomy.json").read_text(encoding="utf-8")


@functools.cache
def fragment_text() -> str:
    """
    The example extension's fragment file.
    """
    return FRAGMENT_FILE.read_text(encoding="utf-8")


@functools.cache
def fragment_data() -> dict[str, Any]:
    """
    The example extension's fragment, as plain data.
    """
    return tomllib.loads(fragment_text())


@functools.cache
def example_text() -> str:
    """
    The shipped example threat model.
    """
    return (DATA / "examples" / "edge-deployment.toml").read_text(
        encoding="utf-8"
    )


@functools.cache
def example_data() -> dict[str, Any]:
    """
    The shipped example threat model, as plain data.
    """
    return tomllib.loads(example_text())


def all_records(tax: dsc.Taxonomy) -> list[dsc.Record]:
    """
    Every record of *tax*, stages first.
    """
    return [
        rec
        for collection in ("stages", "categories", "attacks", "defenses")
        for rec in getattr(tax, collection)
    ] + list(tax.papers)


@functools.cache
def known_words() -> tuple[str, ...]:
    """
    Ids, terms and field names of the bundled survey: junk made of them
    gets further into the loaders than random text does.
    """
    tax = dsc.load(extensions=False)
    words = {rec.id for rec in all_records(tax)}
    words.update(tax.vocabulary.threat_types, tax.vocabulary.modalities)
    for cls in (dsc.Stage, dsc.Attack, dsc.Defense, dsc.Paper, dsc.Link):
        words.update(f.name for f in attrs.fields(cls))
    words.update(_TAXONOMY_KEYS | _FRAGMENT_KEYS | _THREAT_MODEL_KEYS)
    words.update(
        (
            "acme:prompt-leak",
            "acme:nope",
            "AML.T0018",
            "AML.M0007",
            "ML06",
            "10.1145/1",
            "2101.00001",
            "open",
            "mitigated",
            "accepted",
            "not-applicable",
            "T1",
            "M1",
            "bundled",
        )
    )
    return tuple(sorted(words))


# -- junk ------------------------------------------------------------------

# Odd strings: control characters, look-alikes of ids, combining marks;
# no lone surrogate, which a UTF-8 file cannot hold (TestFixedBugs covers
# them in data).
_ODD = (
    " ",
    "\t\n",
    "\x00",
    "\x7f",
    "\u202edesign",
    "".join(chr(ord(c) + 0xFEE0) for c in "design"),  # Full-width.
    "DESIGN",
    "design ",
    "a:b:c",
    "-",
    "\U0001f600",
    "e\u0301",
    "\ufeff",
)
# Edge-case integers, up to one too long for Python to print.
_EDGE_INTS = (
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**100,
    _HUGE,
    _HUGE * 10**10,
)


def _edge_int(i: int) -> int:
    """
    The *i*-th edge-case integer: those of _EDGE_INTS, then their negations.
    """
    value = _EDGE_INTS[i % len(_EDGE_INTS)]
    return value if i < len(_EDGE_INTS) else -value


# Drawn lazily: the list needs the taxonomy.
_known_word = st.deferred(lambda: st.sampled_from(known_words()))


def _nested(depth: int) -> Any:
    """
    A list nested *depth* deep (JSON reads up to about 990 levels).
    """
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


# Any character but a lone surrogate (see _ODD).
_texts = (
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    | st.sampled_from(_ODD)
    | _known_word
)
_keys = _texts
_ints = st.integers() | st.integers(0, 2 * len(_EDGE_INTS) - 1).map(_edge_int)
# Lists nested around the attribute depth limit, and far beyond it.
_deep = st.sampled_from((63, 64, 65, 300)).map(_nested)
_floats = st.floats() | st.sampled_from(
    (math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, 2023.0)
)
_leaves = st.none() | st.booleans() | _ints | _floats | _texts | _deep
#: JSON-like values, NaN and infinities included.
json_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=8,
)


def objects(keys: frozenset[str]) -> st.SearchStrategy[dict[Any, Any]]:
    """
    Objects with some of *keys* (and perhaps others), of random values.
    """
    return st.dictionaries(
        st.sampled_from(sorted(keys)) | _keys, json_values, max_size=6
    )


# -- mutations -------------------------------------------------------------


class Mutant:
    """
    Data (or text) changed from a base, shown by its changes alone: a
    failing example reads as what was done, not as the whole taxonomy.
    """

    __slots__ = ("base", "changes", "data")

    def __init__(self, data: Any, changes: list[str], base: str) -> None:
        self.data = data
        self.changes = tuple(changes)
        self.base = base

    def __repr__(self) -> str:
        return f"<{self.base}: {'; '.join(self.changes) or 'unchanged'}>"


def _label(base: Any) -> str:
    """
    How a Mutant names its *base*: the function that gives it, or itself.
    """
    return f"{base.__name__}()" if callable(base) else repr(base)


def short(value: object, limit: int = 60) -> str:
    """
    ``repr(value)``, cut to *limit*; safe for integers too long to print.
    """
    try:
        text = repr(value)
    except ValueError:
        return f"<{type(value).__name__} with an int too long to print>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mutate_dict(
    draw: st.DrawFn, node: dict[Any, Any], path: str, log: list[str]
) -> Any:
    """
    Delete, replace, add or copy one of *node*'s keys.
    """
    op = draw(st.sampled_from(("delete", "replace", "add", "duplicate")))
    key = draw(st.sampled_from(sorted(node, key=str)))
    changed = dict(node)
    if op == "delete":
        del changed[key]
        log.append(f"{path}: delete {short(key)}")
    elif op == "replace":
        changed[key] = value = draw(json_values)
        log.append(f"{path}[{short(key)}] = {short(value)}")
    else:
        new = draw(_keys)
        changed[new] = value = (
            node[key] if op == "duplicate" else draw(json_values)
        )
        log.append(f"{path}[{short(new)}] = {short(value)}")
    return changed


def _mutate_list(
    draw: st.DrawFn, node: list[Any], path: str, log: list[str]
) -> Any:
    """
    Delete, replace, insert, repeat items of *node*, or reverse it.
    """
    op = draw(
        st.sampled_from(
            ("delete", "replace", "insert", "duplicate", "reverse")
        )
    )
    i = draw(st.integers(0, len(node) - 1))
    changed = list(node)
    if op == "delete":
        del changed[i]
        log.append(f"{path}: delete [{i}]")
    elif op == "replace":
        changed[i] = value = draw(json_values)
        log.append(f"{path}[{i}] = {short(value)}")
    elif op == "insert":
        changed.insert(i, value := draw(json_values))
        log.append(f"{path}: insert {short(value)} at {i}")
    elif op == "duplicate":
        j = draw(st.integers(0, len(node)))
        changed.insert(j, node[i])
        log.append(f"{path}: copy [{i}] to {j}")
    else:
        changed.reverse()
        log.append(f"{path}: reverse")
    return changed


def _as_float(value: int) -> float:
    """
    *value* as a float; infinite when it is too large for one.
    """
    if abs(value) < 2**1023:
        return float(value)
    return math.inf if value > 0 else -math.inf


def _as_text(value: int) -> str:
    """
    *value* in decimal, or in hex when it is too long to print.
    """
    return str(value) if abs(value) <= _HUGE else hex(value)


def _mutate_leaf(draw: st.DrawFn, node: Any) -> Any:
    """
    A value near *node*: edited text, a neighbouring or converted number.
    """
    if isinstance(node, str):
        i = draw(st.integers(0, len(node)))
        return node[:i] + draw(_texts) + node[i + draw(st.integers(0, 3)) :]
    if isinstance(node, bool):
        return not node
    if isinstance(node, int):
        return draw(
            st.sampled_from(
                (node + 1, -node, _as_float(node), _as_text(node), [node])
            )
        )
    return draw(json_values)


def _mutate_here(draw: st.DrawFn, node: Any, path: str, log: list[str]) -> Any:
    """
    Return a changed copy of *node*; its children are shared.
    """
    way = draw(st.sampled_from(("edit", "junk", "empty")))
    if way == "edit" and isinstance(node, dict) and node:
        return _mutate_dict(draw, node, path, log)
    if way == "edit" and isinstance(node, list) and node:
        return _mutate_list(draw, node, path, log)
    if way == "empty":
        value = type(node)() if isinstance(node, dict | list) else None
    elif way == "junk":
        value = draw(json_values)
    else:
        value = _mutate_leaf(draw, node)
    log.append(f"{path or 'top'} = {short(value)}")
    return value


def _mutate_somewhere(
    draw: st.DrawFn, node: Any, path: str, log: list[str]
) -> Any:
    """
    Walk down from *node* to a random place, and change it there; return
    the changed copy (only the nodes along the way are copied).
    """
    if isinstance(node, dict | list) and node and draw(st.integers(0, 3)):
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node, key=str)))
            changed: Any = dict(node)
        else:
            key = draw(st.integers(0, len(node) - 1))
            changed = list(node)
        here = f"{path}[{short(key)}]"
        changed[key] = _mutate_somewhere(draw, node[key], here, log)
        return changed
    return _mutate_here(draw, node, path, log)


@st.composite
def mutations(draw: st.DrawFn, base: Any) -> Mutant:
    """
    *base* (or what a callable *base* returns) changed in one to three
    random places.
    """
    data = base() if callable(base) else base
    log: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate_somewhere(draw, data, "", log)
    return Mutant(data, log, _label(base))


@st.composite
def text_mutations(draw: st.DrawFn, base: Any) -> Mutant:
    """
    The text *base()* cut, spliced, with lines repeated or junk put in.
    """
    text: str = base()
    log: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(("cut", "delete", "insert", "repeat")))
        i = draw(st.integers(0, len(text)))
        if op == "cut":
            text = text[:i]
            log.append(f"cut at {i}")
        elif op == "delete":
            n = draw(st.integers(1, 200))
            text = text[:i] + text[i + n :]
            log.append(f"delete {n} at {i}")
        elif op == "insert":
            junk = draw(
                st.text(max_size=5)
                | st.sampled_from(
                    ("[", "]", "{", "}", '"', ",", "=", "\n", "[[x]]\n", "\\")
                )
            )
            text = text[:i] + junk + text[i:]
            log.append(f"insert {junk!r} at {i}")
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                j = draw(st.integers(0, len(lines) - 1))
                lines.insert(j, lines[j])
                text = "".join(lines)
                log.append(f"repeat line {j}")
    return Mutant(text, log, _label(base))


_TEXT_FIELDS = frozenset(
    {
        "name",
        "name_zh",
        "description",
        "summary",
        "attacker_access",
        "defender_access",
        "title",
        "venue",
        "venue_short",
        "pages",
        "url",
        "code",
    }
)


@st.composite
def text_edits(draw: st.DrawFn, base: Any) -> Mutant:
    """
    The taxonomy data *base()* with junk in a few of its records' texts
    and attributes: data that mostly loads, for the exports to chew on.
    """
    data = dict(base())
    log: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        collection = draw(
            st.sampled_from(
                ("stages", "categories", "attacks", "defenses", "papers")
            )
        )
        items = list(data[collection])
        i = draw(st.integers(0, len(items) - 1))
        item = dict(items[i])
        if draw(st.booleans()):
            key = draw(st.sampled_from(sorted(_TEXT_FIELDS & item.keys())))
            item[key] = value = draw(_texts)
        else:
            key = "x:" + draw(st.from_regex("[a-z]{1,5}", fullmatch=True))
            value = draw(json_values)
            item["attributes"] = {**item.get("attributes", {}), key: value}
            key = f"attributes.{key}"
        log.append(f"{collection}[{i}].{key} = {short(value)}")
        items[i] = item
        data[collection] = items
    return Mutant(data, log, _label(base))


_file_texts = st.text(max_size=200) | st.sampled_from(
    ("", "{}", "[]", "null", "NaN", '{"a": 1', "a = 1", "[x]\n", "\ufeff{}")
)


# -- what the loaders must give back -------------------------------------


def assert_problems(
    exc: dsc.TaxonomyDataError | dsc.ExtensionError,
    source: str,
    data: object,
    keys: frozenset[str],
) -> None:
    """
    Every problem of *exc* names *source* and says what is wrong; its path
    starts with a key of *data*; a record's problem sits at that record.
    """
    assert exc.problems
    for problem in exc.problems:
        assert isinstance(problem, dsc.Problem)
        assert source == problem.source
        assert 0 < len(problem.message.strip()) <= _LONGEST_MESSAGE
        assert str(problem)
        if _PARSE_ERROR.match(problem.message) or not problem.path:
            # The whole input: it is no object, or not JSON or TOML.
            assert 1 == len(exc.problems)
            assert _PARSE_ERROR.match(problem.message) or not isinstance(
                data, dict
            )
            continue
        assert isinstance(data, dict)
        head = _HEAD.match(problem.path).group()
        unknown = {str(k) or "''" for k in data if k not in keys}
        assert head in keys or problem.path in unknown
        if problem.record is not None:
            assert_at_record(problem, data)


def assert_at_record(problem: dsc.Problem, data: dict[Any, Any]) -> None:
    """
    The problem of a record has the record's path.
    """
    found = _RECORD_PATH.match(problem.path)
    if found is None:
        assert problem.path.startswith(f"provenance.{problem.record}")
        return
    item = data[found[1]][int(found[2])]
    assert problem.record == item["id"]


def assert_whole(tax: dsc.Taxonomy) -> None:
    """
    *tax* is whole: every reference resolves to a record of its kind, it
    passes its own checks again, and it survives a trip through JSON.
    """
    terms = tax.vocabulary
    attrs.validate(terms)
    for rec in all_records(tax):
        attrs.validate(rec)  # The loader may build records without them.
        assert isinstance(rec.attributes, dsc.Attributes)
    assert len(set(terms.threat_types)) == len(terms.threat_types)
    assert len(set(terms.modalities)) == len(terms.modalities)
    ids = [rec.id for rec in all_records(tax)]
    assert len(set(ids)) == len(ids)
    if tax.survey is not None:
        assert "paper" == tax.kind_of(tax.survey)
    for stage in tax.stages:
        assert all("stage" == tax.kind_of(n) for n in stage.next)
    for cat in tax.categories:
        assert "stage" == tax.kind_of(cat.stage)
    for atk in tax.attacks:
        assert "stage" == tax.kind_of(atk.stage)
        if atk.category is not None:
            assert atk.stage == tax.category(atk.category).stage
        assert set(atk.threat_types) <= set(terms.threat_types)
    for rec in (*tax.attacks, *tax.defenses):
        assert rec.papers
        assert all("paper" == tax.kind_of(p) for p in rec.papers)
        assert set(rec.modalities) <= set(terms.modalities)
    for dfn in tax.defenses:
        assert all("attack" == tax.kind_of(a) for a in dfn.attacks)
        assert set(dfn.counters) <= set(terms.threat_types)
    cited = {p for rec in (*tax.attacks, *tax.defenses) for p in rec.papers}
    assert {p.id for p in tax.papers} <= cited | {tax.survey}
    assert tax == attrs.evolve(tax)  # Checked anew, outside the loader.
    text = json.dumps(
        dsc.taxonomy_to_dict(tax), allow_nan=False, ensure_ascii=False
    )
    # Through UTF-8 bytes, as a file holds it.
    again = dsc.taxonomy_from_dict(json.loads(text.encode().decode()))
    assert tax == again
    assert [tax.provenance(i) for i in ids] == [
        again.provenance(i) for i in ids
    ]


def note(label: str) -> None:
    """
    Count *label* in Hypothesis's statistics, when inside a test it runs.
    """
    if currently_in_test_context():
        event(label)


def attempt(load: Any, arg: object, error: type[Exception]) -> Any:
    """
    Return ``(load(arg), None)``, or ``(None, exc)`` when it raises the
    *error* exc; any other exception escapes, and fails the test.
    """
    try:
        return load(arg), None
    except error as exc:
        return None, exc


def load_taxonomy(data: object, source: str = "<fuzz>") -> None:
    """
    taxonomy_from_dict(*data*) raises TaxonomyDataError, well reported, or
    returns a whole taxonomy.
    """
    tax, exc = attempt(
        functools.partial(dsc.taxonomy_from_dict, source=source),
        data,
        dsc.TaxonomyDataError,
    )
    if exc is not None:
        note("error")
        assert_problems(exc, source, data, _TAXONOMY_KEYS)
    else:
        note("whole")
        assert_whole(tax)


def assert_fragment_whole(frag: dsc.Fragment) -> None:
    """
    *frag* passes its own checks and survives a trip through JSON.
    """
    attrs.validate(frag)
    attrs.validate(frag.vocabulary)
    for collection in _FRAGMENT_KEYS - {
        "$schema",
        "namespace",
        "vocabulary",
        "counter_evidence",
    }:
        for rec in getattr(frag, collection):
            attrs.validate(rec)
            assert all(
                k.startswith(f"{frag.namespace}:") for k in rec.attributes
            )
    text = json.dumps(_convert.record_to_dict(frag), allow_nan=False)
    assert frag == dsc.fragment_from_dict(json.loads(text))


def load_fragment(data: object, source: str = "<fuzz>") -> dsc.Fragment | None:
    """
    fragment_from_dict(*data*) raises ExtensionError, well reported, or
    returns a whole fragment.
    """
    frag, exc = attempt(
        functools.partial(dsc.fragment_from_dict, source=source),
        data,
        dsc.ExtensionError,
    )
    if exc is not None:
        note("error")
        assert source == exc.source
        assert_problems(exc, source, data, _FRAGMENT_KEYS)
        return None
    note("whole")
    assert_fragment_whole(frag)
    return frag


def read_taxonomy(path: Path) -> None:
    """
    load_file(*path*) raises TaxonomyDataError, well reported, or returns
    a whole taxonomy.
    """
    tax, exc = attempt(dsc.load_file, path, dsc.TaxonomyDataError)
    if exc is not None:
        assert_problems(exc, str(path), parsed(path), _TAXONOMY_KEYS)
    else:
        assert_whole(tax)


def read_fragment(path: Path) -> None:
    """
    read_fragment(*path*) raises ExtensionError, well reported, or returns
    a whole fragment.
    """
    frag, exc = attempt(dsc.read_fragment, path, dsc.ExtensionError)
    if exc is not None:
        assert str(path) == exc.source
        assert_problems(exc, str(path), parsed(path), _FRAGMENT_KEYS)
    else:
        assert_fragment_whole(frag)
        check_fragment(frag)


def check_fragment(frag: dsc.Fragment) -> None:
    """
    validate_fragment lists problems, each at a path of the fragment; with
    none, the fragment merges into a whole taxonomy.
    """
    base = dsc.load(extensions=False)
    problems = dsc.validate_fragment(frag, source="<frag>")
    assert isinstance(problems, tuple)
    note("merges" if not problems else "does not merge")
    own = {
        rec.id
        for collection in ("stages", "categories", "attacks", "defenses")
        for rec in getattr(frag, collection)
    }
    for problem in problems:
        assert "<frag>" == problem.source
        assert problem.path
        assert problem.message.strip()
        head = _HEAD.match(problem.path).group()
        assert head in _FRAGMENT_KEYS | {"survey"}
        found = _RECORD_PATH.match(problem.path)
        if found is None or problem.record is None:
            continue
        item = getattr(frag, found[1])[int(found[2])]
        assert problem.record == item.id
    if problems:
        return
    info = dsc.ExtensionInfo(
        name="fuzz", distribution="fuzz-dist", version="1", value="x"
    )
    merged, failures = extensions._merge.combine(
        base,
        [extensions._merge.Part(info=info, fragment=frag, source="<frag>")],
    )
    assert {} == failures
    assert merged is not None
    assert_whole(merged)
    for rec_id in own | {p.id for p in frag.papers}:
        assert "fuzz-dist" == merged.provenance(rec_id).source


def assert_diagnostics(
    exc: dsc.ThreatModelError, source: str | None, data: object
) -> None:
    """
    Every diagnostic is an error naming *source*, with a path that starts
    with a key of *data*, or about the whole input.
    """
    assert source == exc.source
    assert exc.diagnostics
    for diag in exc.diagnostics:
        assert isinstance(diag, dsc.Diagnostic)
        assert "error" == diag.severity
        assert source == diag.source
        assert 0 < len(diag.message.strip()) <= _LONGEST_MESSAGE
        assert str(diag)
        if _PARSE_ERROR.match(diag.message) or not diag.path:
            assert 1 == len(exc.diagnostics)
            assert _PARSE_ERROR.match(diag.message) or not isinstance(
                data, dict
            )
            continue
        assert isinstance(data, dict)
        head = _HEAD.match(diag.path).group()
        unknown = {str(k) or "''" for k in data if k not in _THREAT_MODEL_KEYS}
        assert head in _THREAT_MODEL_KEYS or diag.path in unknown


def assert_model_whole(model: dsc.ThreatModel) -> None:
    """
    *model* passes its own checks, survives a trip through both file
    formats, and is judged against the taxonomy without surprises.
    """
    attrs.validate(model)
    attrs.validate(model.scope)
    for item in (*model.threats, *model.mitigations):
        attrs.validate(item)
    assert model == dsc.threat_model_from_dict(dsc.threat_model_to_dict(model))
    for fmt, parse in (("toml", tomllib.loads), ("json", json.loads)):
        text = dsc.dump_threat_model(model, fmt).encode().decode()
        assert model == dsc.threat_model_from_dict(parse(text))
    tax = dsc.load(extensions=False)
    diagnostics = validate_threat_model(model, tax)
    assert all(isinstance(d, dsc.Diagnostic) for d in diagnostics)
    errors = [d for d in diagnostics if "error" == d.severity]
    report, exc = attempt(
        functools.partial(dsc.coverage_report, taxonomy=tax),
        model,
        dsc.ThreatModelError,
    )
    if exc is not None:
        assert errors == list(exc.diagnostics)
    else:
        assert [] == errors
        assert model == report.model


def load_model(data: object, source: str | None = "<fuzz>") -> None:
    """
    threat_model_from_dict(*data*) raises ThreatModelError, well reported,
    or returns a whole model.
    """
    model, exc = attempt(
        functools.partial(dsc.threat_model_from_dict, source=source),
        data,
        dsc.ThreatModelError,
    )
    if exc is not None:
        note("error")
        assert_diagnostics(exc, source, data)
    else:
        note("whole")
        assert_model_whole(model)


def resolves(data: object, location: tuple[str | int, ...]) -> bool:
    """
    Whether *location* names a place in *data*, key by key and index by
    index.
    """
    for step in location:
        if isinstance(step, int) and isinstance(data, list):
            if not 0 <= step < len(data):
                return False
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            if step not in data:
                return False
            data = data[step]
        else:
            return False
    return True


def check_whole(data: dict[str, Any], source: str = "<fuzz>") -> None:
    """
    validate_threat_model(*data*) raises nothing; it reports every
    structural problem that threat_model_from_dict raises, and each other
    finding at a place of *data*; for a whole model, what validating the
    model reports.
    """
    tax = dsc.load(extensions=False)
    found = validate_threat_model(data, tax, source=source)
    assert all(isinstance(d, dsc.Diagnostic) for d in found)
    assert all(source == d.source for d in found)
    assert all(d.severity in ("error", "warning") for d in found)
    model, exc = attempt(
        functools.partial(dsc.threat_model_from_dict, source=source),
        data,
        dsc.ThreatModelError,
    )
    if exc is None:
        note("whole")
        assert validate_threat_model(model, tax, source=source) == found
        return
    note("salvaged" if len(found) > len(exc.diagnostics) else "structural")
    assert set(exc.diagnostics) <= set(found)
    for finding in set(found) - set(exc.diagnostics):
        # The item a finding is about is there (a missing rationale is
        # reported at the key it belongs at).
        assert resolves(data, finding.location[:-1]), finding


def read_model(path: Path) -> None:
    """
    read_threat_model(*path*) raises ThreatModelError, well reported, or
    returns a whole model.
    """
    model, exc = attempt(dsc.read_threat_model, path, dsc.ThreatModelError)
    if exc is not None:
        assert_diagnostics(exc, str(path), parsed(path))
    else:
        assert_model_whole(model)


def to_json(data: object) -> str:
    """
    *data* as JSON text, integers of any length included (which readers
    must refuse: Python cannot read them back).
    """
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(data)
    finally:
        sys.set_int_max_str_digits(limit)


def parsed(path: Path) -> object:
    """
    The file *path* read as the loaders read it (UTF-8, universal
    newlines), as TOML or JSON by its suffix; None if it is neither.
    """
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except ValueError:  # Decoding and parse errors all are.
        return None


def _has_nan(value: object) -> bool:
    """
    Whether *value* holds a NaN (which equals nothing, not even itself).
    """
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


@pytest.fixture(name="workdir", scope="module")
def _workdir(tmp_path_factory):
    """
    A folder for the files the fuzz tests write (one per test at a time).
    """
    return tmp_path_factory.mktemp("fuzz")


# -- the tests -------------------------------------------------------------


class TestTaxonomyFromDict:
    """
    taxonomy_from_dict on random and mutated data.
    """

    @given(json_values)
    def test_random_json(self, data):
        """
        Any JSON value gives a whole taxonomy or a TaxonomyDataError.
        """
        load_taxonomy(data)

    @given(objects(_TAXONOMY_KEYS))
    def test_random_objects(self, data):
        """
        Objects with the keys of a taxonomy file and random values give a
        whole taxonomy or a TaxonomyDataError.
        """
        load_taxonomy(data)

    @given(mutations(bundled_data))
    def test_mutated_bundled(self, mutant):
        """
        The bundled data, changed in a few places, gives a whole taxonomy
        or a TaxonomyDataError whose problems point at the changes' records.
        """
        data = mutant.data
        load_taxonomy(data)

    def test_unmutated_bundled(self):
        """
        The bundled data itself loads whole.
        """
        assert_whole(dsc.taxonomy_from_dict(bundled_data()))

    @settings(max_examples=_SLOW_EXAMPLES)
    @given(text_edits(bundled_data))
    def test_exports(self, workdir, mutant):
        """
        The bundled data with junk texts and attributes gives a
        TaxonomyDataError or a taxonomy that every format exports, as UTF-8
        text, and whose JSON export loads back equal.
        """
        data = mutant.data
        tax, exc = attempt(dsc.taxonomy_from_dict, data, dsc.TaxonomyDataError)
        if exc is not None:
            note("error")
            assert_problems(exc, "<data>", data, _TAXONOMY_KEYS)
            return
        note("whole")
        for fmt in dsc.FORMATS:
            assert export(tax, fmt).encode("utf-8")
        path = workdir / "export.json"
        path.write_text(export(tax, "json"), encoding="utf-8")
        assert tax == dsc.load_file(path)

    @settings(max_examples=20)
    @given(mutations(bundled_data))
    def test_input_left_alone(self, mutant):
        """
        Loading never changes the data it is given.
        """
        data = mutant.data
        before = copy.deepcopy(data)
        with contextlib.suppress(dsc.TaxonomyDataError):
            dsc.taxonomy_from_dict(data)
        assert before == data or _has_nan(data)


class TestLoadFile:
    """
    load_file on random, cut and mutated files.
    """

    @given(_file_texts)
    def test_random_text(self, workdir, text):
        """
        A random UTF-8 file gives a whole taxonomy or a TaxonomyDataError
        naming the file.
        """
        path = workdir / "random.json"
        path.write_text(text, encoding="utf-8")
        read_taxonomy(path)

    @given(st.integers(0, len(bundled_text())))
    def test_truncated(self, workdir, end):
        """
        The bundled file, cut anywhere, gives a TaxonomyDataError (or the
        taxonomy when only white space was cut).
        """
        text = bundled_text()[:end]
        path = workdir / "cut.json"
        path.write_text(text, encoding="utf-8")
        tax, exc = attempt(dsc.load_file, path, dsc.TaxonomyDataError)
        if exc is not None:
            assert_problems(exc, str(path), parsed(path), _TAXONOMY_KEYS)
        else:
            assert text.strip() == bundled_text().strip()
            assert dsc.load(extensions=False) == tax

    @given(text_mutations(bundled_text))
    def test_mutated_text(self, workdir, mutant):
        """
        The bundled file with its text spliced gives a whole taxonomy or a
        TaxonomyDataError.
        """
        text = mutant.data
        path = workdir / "spliced.json"
        path.write_text(text, encoding="utf-8")
        read_taxonomy(path)

    @settings(max_examples=_SLOW_EXAMPLES)
    @given(mutations(bundled_data))
    def test_mutated_data(self, workdir, mutant):
        """
        A file of mutated bundled data (NaN written as JSON reads it) gives
        a whole taxonomy or a TaxonomyDataError.
        """
        data = mutant.data
        path = workdir / "mutated.json"
        path.write_text(to_json(data), encoding="utf-8")
        read_taxonomy(path)

    @settings(max_examples=50)
    @given(st.binary(max_size=64))
    def test_random_bytes(self, workdir, raw):
        """
        A file of random bytes gives a whole taxonomy or a
        TaxonomyDataError.
        """
        path = workdir / "bytes.json"
        path.write_bytes(raw)
        read_taxonomy(path)


class TestFragments:
    """
    fragment_from_dict, read_fragment and validate_fragment on random and
    mutated fragments.
    """

    @given(json_values)
    def test_random_json(self, data):
        """
        Any JSON value gives a whole fragment or an ExtensionError.
        """
        load_fragment(data)

    @given(objects(_FRAGMENT_KEYS))
    def test_random_objects(self, data):
        """
        Objects with the keys of a fragment and random values give a whole
        fragment or an ExtensionError.
        """
        load_fragment(data)

    @given(mutations(fragment_data))
    def test_mutated_example(self, mutant):
        """
        The example fragment, changed in a few places, gives an
        ExtensionError or a fragment that validate_fragment judges without
        raising.
        """
        data = mutant.data
        frag = load_fragment(data)
        if frag is not None:
            check_fragment(frag)

    @settings(max_examples=_FRAGMENT_EXAMPLES)
    @given(
        fragments().flatmap(
            lambda f: (
                mutations(_convert.record_to_dict(f)).map(lambda m: m.data)
                | st.just(_convert.record_to_dict(f))
            )
        )
    )
    def test_mutated_random(self, data):
        """
        Random fragments, changed or not, give an ExtensionError or a
        fragment that validate_fragment judges without raising.
        """
        frag = load_fragment(data)
        if frag is not None:
            check_fragment(frag)

    @given(mutations(example_data))
    def test_mutated_example_checked_whole(self, mutant):
        """
        validate_threat_model on the example model changed in a few places
        reports the structural problems and the findings on what is left,
        each at its place in the data.
        """
        assume(isinstance(mutant.data, dict))
        check_whole(mutant.data)

    @given(objects(_THREAT_MODEL_KEYS))
    def test_random_objects_checked_whole(self, data):
        """
        validate_threat_model on objects with the keys of a threat model
        and random values raises nothing and reports well.
        """
        check_whole(data)

    @pytest.mark.parametrize("suffix", [".toml", ".json"])
    @given(text=_file_texts)
    def test_read_random_text(self, workdir, suffix, text):
        """
        A random file gives a whole fragment or an ExtensionError naming
        the file.
        """
        path = workdir / f"random{suffix}"
        path.write_text(text, encoding="utf-8")
        read_fragment(path)

    @given(text_mutations(fragment_text))
    def test_read_mutated_toml(self, workdir, mutant):
        """
        The example fragment file, spliced, gives a whole fragment or an
        ExtensionError.
        """
        text = mutant.data
        path = workdir / "spliced.toml"
        path.write_text(text, encoding="utf-8")
        read_fragment(path)

    @settings(max_examples=_SLOW_EXAMPLES)
    @given(mutations(fragment_data))
    def test_read_mutated_json(self, workdir, mutant):
        """
        A JSON file of the mutated example fragment gives a whole fragment
        or an ExtensionError.
        """
        data = mutant.data
        path = workdir / "mutated.json"
        path.write_text(to_json(data), encoding="utf-8")
        read_fragment(path)

    @settings(max_examples=50)
    @given(st.binary(max_size=64))
    def test_read_random_bytes(self, workdir, raw):
        """
        A file of random bytes gives a whole fragment or an ExtensionError.
        """
        path = workdir / "bytes.toml"
        path.write_bytes(raw)
        read_fragment(path)


class TestThreatModels:
    """
    threat_model_from_dict and read_threat_model on random and mutated
    threat models.
    """

    @given(json_values)
    def test_random_json(self, data):
        """
        Any JSON value gives a whole model or a ThreatModelError.
        """
        load_model(data)

    @given(objects(_THREAT_MODEL_KEYS))
    def test_random_objects(self, data):
        """
        Objects with the keys of a threat model and random values give a
        whole model or a ThreatModelError.
        """
        load_model(data, source=None)

    @given(mutations(example_data))
    def test_mutated_example(self, mutant):
        """
        The example model, changed in a few places, gives a whole model or
        a ThreatModelError.
        """
        data = mutant.data
        load_model(data)

    @pytest.mark.parametrize("suffix", [".toml", ".json"])
    @given(text=_file_texts)
    def test_read_random_text(self, workdir, suffix, text):
        """
        A random file gives a whole model or a ThreatModelError naming the
        file.
        """
        path = workdir / f"random{suffix}"
        path.write_text(text, encoding="utf-8")
        read_model(path)

    @given(text_mutations(example_text))
    def test_read_mutated_toml(self, workdir, mutant):
        """
        The example model's file, spliced, gives a whole model or a
        ThreatModelError.
        """
        text = mutant.data
        path = workdir / "spliced.toml"
        path.write_text(text, encoding="utf-8")
        read_model(path)

    @settings(max_examples=_SLOW_EXAMPLES)
    @given(mutations(example_data))
    def test_read_mutated_json(self, workdir, mutant):
        """
        A JSON file of the mutated example gives a whole model or a
        ThreatModelError.
        """
        data = mutant.data
        path = workdir / "mutated.json"
        path.write_text(to_json(data), encoding="utf-8")
        read_model(path)

    @settings(max_examples=50)
    @given(st.binary(max_size=64))
    def test_read_random_bytes(self, workdir, raw):
        """
        A file of random bytes gives a whole model or a ThreatModelError.
        """
        path = workdir / "bytes.json"
        path.write_bytes(raw)
        read_model(path)

    @given(st.data(), _keys)
    def test_unknown_key_in_any_table(self, data, key):
        """
        An unknown key, whatever its text, added to any table of the
        example model, is one problem at that key, kept as it is.
        """
        model = copy.deepcopy(example_data())
        tables = [((), model), (("scope",), model["scope"])]
        for collection in ("threats", "mitigations"):
            for i, item in enumerate(model[collection]):
                tables.append(((collection, i), item))
                tables.extend(
                    ((collection, i, "tags", j), tag)
                    for j, tag in enumerate(item.get("tags", []))
                    if isinstance(tag, dict)
                )
        location, table = data.draw(st.sampled_from(tables))
        assume(key not in _THREAT_MODEL_FIELDS)
        table[key] = 1
        with pytest.raises(dsc.ThreatModelError) as info:
            dsc.threat_model_from_dict(model, source="<fuzz>")
        (problem,) = info.value.diagnostics
        assert (*location, key) == problem.location
        assert_diagnostics(info.value, "<fuzz>", model)


_READERS = [
    pytest.param(
        dsc.load_file, ".json", dsc.TaxonomyDataError, id="load_file"
    ),
    pytest.param(
        dsc.read_fragment, ".json", dsc.ExtensionError, id="fragment-json"
    ),
    pytest.param(
        dsc.read_fragment, ".toml", dsc.ExtensionError, id="fragment-toml"
    ),
    pytest.param(
        dsc.read_threat_model, ".json", dsc.ThreatModelError, id="model-json"
    ),
    pytest.param(
        dsc.read_threat_model, ".toml", dsc.ThreatModelError, id="model-toml"
    ),
]


def whole_file_problem(exc: Exception, path: Path) -> dsc.Problem | Any:
    """
    The one problem (or diagnostic) of *exc*, which names the file *path*.
    """
    found = getattr(exc, "problems", None) or exc.diagnostics
    assert 1 == len(found)
    assert str(path) == found[0].source
    return found[0]


class TestRegressions:
    """
    Inputs the fuzzing found that once let the wrong error escape or were
    reported in the wrong place.
    """

    def test_invalid_utf8_file(self, tmp_path):
        """
        A taxonomy file that is not UTF-8 gives a TaxonomyDataError naming
        the file, as fragment and threat-model files do.
        """
        path = tmp_path / "latin1.json"
        path.write_bytes('{"survey": "é"}'.encode("latin-1"))
        with pytest.raises(dsc.TaxonomyDataError) as info:
            dsc.load_file(path)
        assert "UTF-8" in whole_file_problem(info.value, path).message

    @pytest.mark.parametrize(("read", "suffix", "error"), _READERS)
    def test_huge_int_in_file(self, tmp_path, read, suffix, error):
        """
        A file with an integer too long to read gives the reader's error.
        """
        path = tmp_path / f"huge{suffix}"
        digits = "1" * (_MAX_DIGITS + 1)
        text = f"a = {digits}\n" if suffix == ".toml" else f'{{"a": {digits}}}'
        path.write_text(text, encoding="utf-8")
        with pytest.raises(error) as info:
            read(path)
        assert _PARSE_ERROR.match(whole_file_problem(info.value, path).message)

    @pytest.mark.parametrize(("read", "suffix", "error"), _READERS)
    def test_deep_file(self, tmp_path, read, suffix, error):
        """
        A file nested deeper than the parser allows gives the reader's
        error.
        """
        path = tmp_path / f"deep{suffix}"
        nesting = "[" * 100_000
        path.write_text(
            f"a = {nesting}" if suffix == ".toml" else nesting,
            encoding="utf-8",
        )
        with pytest.raises(error) as info:
            read(path)
        assert _PARSE_ERROR.match(whole_file_problem(info.value, path).message)

    @pytest.mark.parametrize(("read", "suffix", "error"), _READERS)
    def test_lone_surrogate_in_file(self, tmp_path, read, suffix, error):
        """
        A file whose string escapes a lone UTF-16 surrogate, which no UTF-8
        file can hold, gives the reader's error.
        """
        path = tmp_path / f"surrogate{suffix}"
        escape = "\\ud800"
        path.write_text(
            f'name = "x{escape}"\n'
            if suffix == ".toml"
            else f'{{"name": "x{escape}"}}',
            encoding="utf-8",
        )
        with pytest.raises(error) as info:
            read(path)
        whole_file_problem(info.value, path)

    @pytest.mark.parametrize("where", ["taxonomy", "file", "fragment"])
    def test_deep_attribute_value(self, tmp_path, where):
        """
        An attribute value nested 500 deep, which json.loads reads, gives
        a taxonomy or fragment (or the loader's error), not a
        RecursionError.
        """
        value = _nested(500)
        if where == "fragment":
            data = copy.deepcopy(fragment_data())
            data["attacks"][0]["attributes"] = {"acme:deep": value}
            load_fragment(data)
            return
        data = copy.deepcopy(bundled_data())
        data["attacks"][0]["attributes"] = {"x:deep": value}
        if where == "taxonomy":
            load_taxonomy(data)
            return
        path = tmp_path / "deep.json"
        path.write_text(to_json(data), encoding="utf-8")
        read_taxonomy(path)

    @pytest.mark.parametrize("loader", ["taxonomy", "fragment", "model"])
    def test_huge_int_in_message(self, loader):
        """
        A bad value too long to print is reported like any other.
        """
        huge = 10**_MAX_DIGITS
        if loader == "taxonomy":
            load_taxonomy({**bundled_data(), "survey": huge})
        elif loader == "fragment":
            load_fragment({**fragment_data(), "namespace": huge})
        else:
            load_model({**example_data(), "name": huge})

    @pytest.mark.parametrize("loader", ["taxonomy", "fragment", "model"])
    def test_empty_top_level_key(self, loader):
        """
        A problem with the key "" has a path that says so.
        """
        if loader == "taxonomy":
            with pytest.raises(dsc.TaxonomyDataError) as info:
                dsc.taxonomy_from_dict({**bundled_data(), "": 1})
            paths = [p.path for p in info.value.problems]
        elif loader == "fragment":
            with pytest.raises(dsc.ExtensionError) as info:
                dsc.fragment_from_dict({**fragment_data(), "": 1})
            paths = [p.path for p in info.value.problems]
        else:
            with pytest.raises(dsc.ThreatModelError) as info:
                dsc.threat_model_from_dict({**example_data(), "": 1})
            paths = [d.path for d in info.value.diagnostics]
        assert ["''"] == paths

    @pytest.mark.parametrize("key", ["[", "]", ".", "[0]", "a.b", "", "''"])
    def test_odd_key_in_model(self, key):
        """
        A threat-model key that reads like a piece of a path (``{"[":
        None}`` once crashed the reader) is reported at the key as it is,
        at the top and in a table.
        """
        data = copy.deepcopy(example_data())
        data[key] = None
        data["threats"][0][key] = None
        with pytest.raises(dsc.ThreatModelError) as info:
            dsc.threat_model_from_dict(data)
        assert [("threats", 0, key), (key,)] == [
            d.location for d in info.value.diagnostics
        ]

    @pytest.mark.parametrize(
        "link",
        [
            {"record": "design", "next": ["design"]},
            {"record": "usage", "next": ["design"]},
        ],
        ids=["self", "cycle"],
    )
    def test_link_problem_path(self, link):
        """
        A link that makes a stage follow itself, or closes a cycle, is
        reported at the link.
        """
        frag = dsc.fragment_from_dict({"namespace": "acme", "links": [link]})
        problems = dsc.validate_fragment(frag, source="frag.toml")
        assert problems
        assert all(p.path.startswith("links[0]") for p in problems), [
            p.path for p in problems
        ]

    @pytest.mark.parametrize("value", [[], 1, "x", None])
    @pytest.mark.parametrize("where", ["stages", "vocabulary", "links"])
    def test_record_not_an_object(self, where, value):
        """
        A record (or vocabulary, or link) that is not an object is
        reported in the library's words.
        """
        if where == "links":
            with pytest.raises(dsc.ExtensionError) as info:
                dsc.fragment_from_dict({"namespace": "a", "links": [value]})
        else:
            data = {**bundled_data()}
            data[where] = [value] if where == "stages" else value
            with pytest.raises(dsc.TaxonomyDataError) as info:
                dsc.taxonomy_from_dict(data)
        for problem in info.value.problems:
            assert "unknown error" not in problem.message
            assert "argument of type" not in problem.message
            assert "has no attribute" not in problem.message


class TestFixedBugs:
    """
    Reproducers of the last bugs the fuzzing found, fixed since.
    """

    def test_lone_surrogate_in_data(self):
        """
        Taxonomy data naming an attack "x\\ud800" is refused, or exports
        in every format as UTF-8 text.
        """
        data = copy.deepcopy(bundled_data())
        data["attacks"][0]["name"] = "x\ud800"
        tax, exc = attempt(dsc.taxonomy_from_dict, data, dsc.TaxonomyDataError)
        if exc is None:
            for fmt in dsc.FORMATS:
                export(tax, fmt).encode("utf-8")

    def test_huge_int_status(self):
        """
        A threat whose status is an integer too long to print is reported
        like any other bad status.
        """
        data = copy.deepcopy(example_data())
        data["threats"][0]["status"] = 10**_MAX_DIGITS
        load_model(data)

    def test_long_status(self):
        """
        A threat whose status is a long list is reported with the list
        shortened.
        """
        data = copy.deepcopy(example_data())
        data["threats"][0]["status"] = list(range(2000))
        load_model(data)

    @pytest.mark.parametrize("loader", ["taxonomy", "fragment"])
    def test_huge_int_attribute(self, loader):
        """
        An attribute holding an integer that no JSON writer can print is
        refused, or the record it is on is whole.
        """
        if loader == "taxonomy":
            data = copy.deepcopy(bundled_data())
            data["stages"][0]["attributes"] = {"x:a": 10**_MAX_DIGITS}
            load_taxonomy(data)
        else:
            data = copy.deepcopy(fragment_data())
            data["links"][0]["attributes"] = {"acme:a": [10**_MAX_DIGITS]}
            load_fragment(data)
