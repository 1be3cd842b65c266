"""
From files to records: validation that reports every problem at once, and
the cached bundled taxonomy.

Good data takes a fast path: each record is built by its own constructor,
whose attrs validators check every field.  Only a record that fails takes
the slow path through cattrs, whose detailed validation names every bad
field with its path; so cattrs is imported only when there is something to
report.
"""

from __future__ import annotations

import re
import threading

from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._checks import NotFast, build
from ._convert import converter, record_to_dict
from ._convert import structure as _structure
from ._packaged import parse_json, read_manifest, verify
from ._records import (
    Attack,
    Category,
    Defense,
    Deprecation,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._taxonomy import _COLLECTIONS as _KIND_COLLECTIONS
from ._taxonomy import Taxonomy, check_records, trusted
from ._text import show
from .exceptions import Problem, TaxonomyDataError


if TYPE_CHECKING:
    from .extensions import Provenance


__all__ = [
    "SCHEMA_VERSION",
    "converter",
    "load",
    "load_file",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
]

#: The version of the data file format this release reads and writes.
SCHEMA_VERSION: Final = 1

_BUNDLED = "taxonomy.json"

_COLLECTIONS: Final[dict[str, type[Record]]] = {
    "stages": Stage,
    "categories": Category,
    "attacks": Attack,
    "defenses": Defense,
    "papers": Paper,
}
# collection -> kind, the other way round from the taxonomy's map.
_KINDS: Final = {coll: kind for kind, coll in _KIND_COLLECTIONS.items()}
_SCALARS: Final = ("survey", "atlas_version")
_FIELD_IN_MESSAGE: Final = re.compile(r"'(\w+)' ")
_KEYS: Final = frozenset(
    {
        "schema_version",
        "vocabulary",
        "provenance",
        "deprecated",
        *_SCALARS,
        *_COLLECTIONS,
    }
)


@attrs.define
class ReadRecords:
    """
    What :func:`read_records` made of a file's collections.
    """

    vocabulary: Vocabulary
    records: dict[str, list[Record]]
    indexes: dict[str, list[int]]
    unreadable: dict[str, str]
    cited: list[str]
    problems: list[Problem]

    def path_of(self, collection: str, index: int) -> str:
        """
        Where record *index* of *collection* sat in the file.
        """
        return f"{collection}[{self.indexes[collection][index]}]"


def read_records(data: Mapping[str, Any], source: str) -> ReadRecords:
    """
    Structure the vocabulary and the record collections of *data*.

    Records that cannot be read are reported and left out; their ids (and
    the papers they cite) are kept, so that later checks do not report
    them again as dangling references.
    """
    problems: list[Problem] = []
    vocabulary = _structure(
        data.get("vocabulary", {}), Vocabulary, source, "vocabulary", None
    )
    if isinstance(vocabulary, list):
        problems.extend(vocabulary)
        vocabulary = Vocabulary()
    records: dict[str, list[Record]] = {}
    indexes: dict[str, list[int]] = {}
    unreadable: dict[str, str] = {}
    cited: list[str] = []
    for collection, cls in _COLLECTIONS.items():
        items = data.get(collection, [])
        records[collection] = found = []
        indexes[collection] = where = []
        if not isinstance(items, list):
            problems.append(
                Problem(
                    source=source,
                    path=collection,
                    record=None,
                    message=f"expected a list, got {type(items).__name__}",
                )
            )
            continue
        for i, item in enumerate(items):
            try:
                found.append(build(cls, item))
                where.append(i)
                continue
            except NotFast:
                pass
            path = f"{collection}[{i}]"
            record_id = item.get("id") if isinstance(item, dict) else None
            record_id = record_id if isinstance(record_id, str) else None
            rec = _structure(item, cls, source, path, record_id)
            if isinstance(rec, list):
                problems.extend(rec)
                if record_id is not None:
                    unreadable.setdefault(record_id, _KINDS[collection])
                    raw_papers = item.get("papers")
                    if isinstance(raw_papers, list):
                        cited.extend(
                            p for p in raw_papers if isinstance(p, str)
                        )
            else:
                found.append(rec)
                where.append(i)
    return ReadRecords(
        vocabulary, records, indexes, unreadable, cited, problems
    )


def taxonomy_from_dict(data: object, *, source: str = "<data>") -> Taxonomy:
    """
    Build a taxonomy from the JSON-compatible *data* of a taxonomy file.

    Args:
        data: What :func:`json.load` returned for the file.
        source: The file name that problems are reported against.

    Raises:
        TaxonomyDataError: With every problem found, each naming the path
            inside the file and the record.

    .. versionadded:: 0.1.0
    """
    problems: list[Problem] = []

    def add(path: str, message: str, record: str | None = None) -> None:
        problems.append(
            Problem(source=source, path=path, record=record, message=message)
        )

    if not isinstance(data, dict):
        add(
            "",
            f"the top level must be a JSON object, not {type(data).__name__}",
        )
        raise TaxonomyDataError(problems)
    for key in sorted(set(data) - _KEYS, key=str):
        add(
            str(key) or "''",
            f"unknown key {key!r}; remove it (known: {', '.join(sorted(_KEYS))})",
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        add(
            "schema_version",
            f"unsupported schema_version {show(version)}; this release reads "
            f"version {SCHEMA_VERSION}",
        )
    scalars: dict[str, str | None] = {}
    for key in _SCALARS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            add(key, f"expected a string or null, got {show(value)}")
            value = None
        scalars[key] = value
    read = read_records(data, source)
    problems.extend(read.problems)
    vocabulary, records = read.vocabulary, read.records
    if "stages" not in data:
        add("stages", "missing: a taxonomy needs at least its stages")

    deprecated: list[tuple[str, Deprecation]] = []
    raw_deprecated = data.get("deprecated", [])
    if not isinstance(raw_deprecated, list):
        add(
            "deprecated",
            f"expected a list, got {type(raw_deprecated).__name__}",
        )
        raw_deprecated = []
    for i, item in enumerate(raw_deprecated):
        dep = _structure(item, Deprecation, source, f"deprecated[{i}]", None)
        if isinstance(dep, list):
            problems.extend(dep)
        else:
            deprecated.append((f"deprecated[{i}]", dep))
    problems.extend(
        check_records(
            source=source,
            vocabulary=vocabulary,
            survey=scalars["survey"],
            deprecated=deprecated,
            records=records,
            path_of=read.path_of,
            unreadable=read.unreadable,
            cited=read.cited,
        )
    )
    provenance, provenance_problems = _read_provenance(
        data.get("provenance", {}),
        source,
        {rec.id for items in records.values() for rec in items},
    )
    problems.extend(provenance_problems)
    if problems:
        raise TaxonomyDataError(problems)
    with trusted():  # Checked above: do not check again.
        return Taxonomy(
            vocabulary=vocabulary,
            survey=scalars["survey"],
            atlas_version=scalars["atlas_version"],
            deprecated=tuple(dep for _, dep in deprecated),
            provenance=provenance,
            **{  # type: ignore[arg-type]
                collection: tuple(items)
                for collection, items in records.items()
            },
        )


def taxonomy_to_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    """
    Return *taxonomy* as JSON-compatible data, in the bundled file's form.

    :func:`taxonomy_from_dict` of the result gives an equal taxonomy.

    .. versionadded:: 0.1.0
    """
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "survey": taxonomy.survey,
        "atlas_version": taxonomy.atlas_version,
        "vocabulary": record_to_dict(taxonomy.vocabulary),
        **{
            collection: [
                record_to_dict(rec) for rec in getattr(taxonomy, collection)
            ]
            for collection in _COLLECTIONS
        },
    }
    if taxonomy.deprecated:
        data["deprecated"] = [record_to_dict(d) for d in taxonomy.deprecated]
    from .extensions import BUNDLED

    provenance = {
        rec.id: record_to_dict(prov)
        for collection in _COLLECTIONS
        for rec in getattr(taxonomy, collection)
        if (prov := taxonomy.provenance(rec.id)) != BUNDLED
    }
    if provenance:
        data["provenance"] = provenance
    return data


def _read_provenance(
    value: object, source: str, ids: set[str]
) -> tuple[dict[str, Provenance], list[Problem]]:
    """
    Read the provenance of records that extensions added (or extended),
    and the problems with it.
    """
    from .extensions import Provenance

    found: dict[str, Provenance] = {}
    problems: list[Problem] = []
    if not isinstance(value, dict):
        message = f"expected an object, got {type(value).__name__}"
        problems.append(
            Problem(
                source=source, path="provenance", record=None, message=message
            )
        )
        return found, problems
    for record, item in value.items():
        path = f"provenance.{record}"
        if record not in ids:
            message = f"no record has id {record!r}"
            problems.append(
                Problem(source=source, path=path, record=None, message=message)
            )
            continue
        prov = _structure(item, Provenance, source, path, record)
        if isinstance(prov, list):
            problems.extend(prov)
        else:
            found[record] = prov
    return found, problems


def load_file(path: str | Path) -> Taxonomy:
    """
    Load a taxonomy from a JSON file in the bundled file's form.

    Nothing in the file is executed, and nothing is fetched.

    Raises:
        TaxonomyDataError: The file is not valid taxonomy data; every
            problem is listed.
        OSError: The file cannot be read.

    .. versionadded:: 0.1.0
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(
            source=str(path),
            path="",
            record=None,
            message=f"the file is not UTF-8 text ({exc.reason} at byte "
            f"{exc.start})",
        )
        raise TaxonomyDataError([problem]) from None
    return taxonomy_from_dict(parse_json(text, str(path)), source=str(path))


def _load_bundled() -> Taxonomy:
    manifest = read_manifest()
    resource = files("dnn_supply_chain") / "data" / _BUNDLED
    source = f"dnn_supply_chain/data/{_BUNDLED}"
    raw = resource.read_bytes()
    verify(_BUNDLED, raw, manifest)
    tax = taxonomy_from_dict(
        parse_json(raw.decode("utf-8"), source), source=source
    )
    counts = {c: len(getattr(tax, c)) for c in _COLLECTIONS}
    expected = {c: getattr(manifest, c) for c in _COLLECTIONS}
    if counts != expected:
        problem = Problem(
            source=source,
            path="",
            record=None,
            message=f"the data has {counts}, the manifest says {expected}; "
            "reinstall dnn-supply-chain",
        )
        raise TaxonomyDataError([problem])
    # Built here and seen by nobody yet.
    object.__setattr__(tax, "manifest", manifest)
    return tax


_lock = threading.RLock()
_cached: Taxonomy | None = None
_merged: dict[tuple[bool | tuple[str, ...], bool], Taxonomy] = {}


def _bundled() -> Taxonomy:
    global _cached  # noqa: PLW0603 - the process-wide cache
    tax = _cached
    if tax is None:
        with _lock:
            if _cached is None:
                _cached = _load_bundled()
            tax = _cached
    return tax


def load(
    *, extensions: bool | Sequence[str] = True, strict: bool = False
) -> Taxonomy:
    """
    Return the taxonomy: the bundled survey, merged with the installed
    extensions.

    The data is read and checked on the first call only; every later call
    with the same arguments, from any thread, returns the same object.

    Args:
        extensions: ``True`` merges every installed extension, ``False``
            none (the bundled survey alone); a list of entry point names
            merges those.
        strict: Raise :class:`~dnn_supply_chain.ExtensionError` for a
            broken extension, instead of skipping it with an
            :class:`~dnn_supply_chain.extensions.ExtensionWarning`.

    Raises:
        TaxonomyDataError: The bundled data is damaged (a broken install).
        ExtensionError: With *strict*, an extension is broken; or
            *extensions* names one that is not installed.

    .. versionadded:: 0.1.0
    """
    if isinstance(extensions, str):
        msg = "extensions is a list of names, not a string"
        raise TypeError(msg)
    key = (
        extensions if isinstance(extensions, bool) else tuple(extensions),
        strict,
    )
    tax = _merged.get(key)
    if tax is None:
        with _lock:
            tax = _merged.get(key)
            if tax is None:
                from .extensions import build

                tax = build(_bundled(), extensions=extensions, strict=strict)
                _merged[key] = tax
    return tax
