"""
Taxonomy data files: reading (every problem at once, each with its
location) and writing, in the bundled file's form.

Good data takes a fast path: each record is built by its fields' fast
checks, which come from the same rules as its validators.  Only a record
that fails takes the slow path through cattrs and the validators, whose
detailed validation names every bad field with its location; so cattrs is
imported only when there is something to report.
"""

from __future__ import annotations

import threading

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from ._checks import NotFast, build
from ._convert import record_to_dict, structure
from ._files import ReadFailure, read_data
from ._integrity import check_records
from ._packaged import (
    parse_packaged,
    read_manifest,
    read_verified,
    reinstall,
)
from ._records import (
    BUNDLED,
    CLASS_OF_COLLECTION,
    COLLECTIONS,
    KIND_OF_COLLECTION,
    CounterEvidence,
    Deprecation,
    Provenance,
    Record,
    Vocabulary,
)
from ._taxonomy import Taxonomy
from ._text import show
from .exceptions import Location, Problem, TaxonomyDataError


__all__ = [
    "SCHEMA_VERSION",
    "bundled",
    "load_file",
    "read_evidence",
    "read_records",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
]

#: The version of the data file format this release reads and writes.
SCHEMA_VERSION: Final = 1

_BUNDLED: Final = "taxonomy.json"
_SCALARS: Final = ("survey", "atlas_version")
_KEYS: Final = frozenset(
    {
        "schema_version",
        "vocabulary",
        "provenance",
        "deprecated",
        "counter_evidence",
        *_SCALARS,
        *COLLECTIONS,
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

    def location_of(self, collection: str, index: int) -> Location:
        """
        Where record *index* of *collection* sat in the file.
        """
        return (collection, self.indexes[collection][index])


def read_records(data: Mapping[str, Any], source: str) -> ReadRecords:
    """
    Structure the vocabulary and the record collections of *data*.

    Records that cannot be read are reported and left out; their ids (and
    the papers they cite) are kept, so that later checks do not report
    them again as dangling references.
    """
    problems: list[Problem] = []
    vocabulary = structure(
        data.get("vocabulary", {}),
        Vocabulary,
        source=source,
        location=("vocabulary",),
    )
    if isinstance(vocabulary, list):
        problems.extend(vocabulary)
        vocabulary = Vocabulary()
    records: dict[str, list[Record]] = {}
    indexes: dict[str, list[int]] = {}
    unreadable: dict[str, str] = {}
    cited: list[str] = []
    for collection, cls in CLASS_OF_COLLECTION.items():
        items = data.get(collection, [])
        records[collection] = found = []
        indexes[collection] = where = []
        if not isinstance(items, list):
            problems.append(
                Problem(
                    source=source,
                    location=(collection,),
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
            record_id = item.get("id") if isinstance(item, dict) else None
            record_id = record_id if isinstance(record_id, str) else None
            rec = structure(
                item,
                cls,
                source=source,
                location=(collection, i),
                record=record_id,
            )
            if isinstance(rec, list):
                problems.extend(rec)
                if record_id is not None:
                    unreadable.setdefault(
                        record_id, KIND_OF_COLLECTION[collection]
                    )
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


def read_evidence(
    value: object, source: str
) -> tuple[list[tuple[Location, CounterEvidence]], list[Problem]]:
    """
    Structure a ``counter_evidence`` list: the links read, each with its
    location, and the problems of the rest.
    """
    found: list[tuple[Location, CounterEvidence]] = []
    if not isinstance(value, list):
        message = f"expected a list, got {type(value).__name__}"
        problem = Problem(
            source=source, location=("counter_evidence",), message=message
        )
        return found, [problem]
    problems: list[Problem] = []
    for i, item in enumerate(value):
        location: Location = ("counter_evidence", i)
        link = structure(
            item, CounterEvidence, source=source, location=location
        )
        if isinstance(link, list):
            problems.extend(link)
        else:
            found.append((location, link))
    return found, problems


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

    def add(
        location: Location, message: str, record: str | None = None
    ) -> None:
        problems.append(
            Problem(
                source=source,
                location=location,
                record=record,
                message=message,
            )
        )

    if not isinstance(data, dict):
        add(
            (),
            f"the top level must be a JSON object, not {type(data).__name__}",
        )
        raise TaxonomyDataError(problems)
    for key in sorted(set(data) - _KEYS, key=str):
        add(
            (str(key),),
            f"unknown key {key!r}; remove it (known: {', '.join(sorted(_KEYS))})",
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        add(
            ("schema_version",),
            f"unsupported schema_version {show(version)}; this release reads "
            f"version {SCHEMA_VERSION}",
        )
    scalars: dict[str, str | None] = {}
    for key in _SCALARS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            add((key,), f"expected a string or null, got {show(value)}")
            value = None
        scalars[key] = value
    read = read_records(data, source)
    problems.extend(read.problems)
    vocabulary, records = read.vocabulary, read.records
    if "stages" not in data:
        add(("stages",), "missing: a taxonomy needs at least its stages")

    deprecated: list[tuple[Location, Deprecation]] = []
    raw_deprecated = data.get("deprecated", [])
    if not isinstance(raw_deprecated, list):
        add(
            ("deprecated",),
            f"expected a list, got {type(raw_deprecated).__name__}",
        )
        raw_deprecated = []
    for i, item in enumerate(raw_deprecated):
        dep = structure(
            item, Deprecation, source=source, location=("deprecated", i)
        )
        if isinstance(dep, list):
            problems.extend(dep)
        else:
            deprecated.append((("deprecated", i), dep))
    evidence, evidence_problems = read_evidence(
        data.get("counter_evidence", []), source
    )
    problems.extend(evidence_problems)
    problems.extend(
        check_records(
            source=source,
            evidence=evidence,
            vocabulary=vocabulary,
            survey=scalars["survey"],
            deprecated=deprecated,
            records=records,
            location_of=read.location_of,
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
    return Taxonomy._checked(  # noqa: SLF001 - checked above
        vocabulary=vocabulary,
        survey=scalars["survey"],
        atlas_version=scalars["atlas_version"],
        deprecated=tuple(dep for _, dep in deprecated),
        evidence=tuple(link for _, link in evidence),
        provenance=provenance,
        **{collection: tuple(items) for collection, items in records.items()},
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
            for collection in COLLECTIONS
        },
    }
    if taxonomy.deprecated:
        data["deprecated"] = [record_to_dict(d) for d in taxonomy.deprecated]
    if taxonomy.evidence:
        data["counter_evidence"] = [
            record_to_dict(link) for link in taxonomy.evidence
        ]
    provenance = {
        rec.id: record_to_dict(prov)
        for collection in COLLECTIONS
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
    found: dict[str, Provenance] = {}
    problems: list[Problem] = []
    if not isinstance(value, dict):
        message = f"expected an object, got {type(value).__name__}"
        problems.append(
            Problem(source=source, location=("provenance",), message=message)
        )
        return found, problems
    for record, item in value.items():
        location: Location = ("provenance", record)
        if record not in ids:
            message = f"no record has id {record!r}"
            problems.append(
                Problem(source=source, location=location, message=message)
            )
            continue
        prov = structure(
            item, Provenance, source=source, location=location, record=record
        )
        if isinstance(prov, list):
            problems.extend(prov)
        else:
            found[record] = prov
    return found, problems


def load_file(path: str | Path) -> Taxonomy:
    """
    Load a taxonomy from a JSON file in the bundled file's form.

    Nothing in the file is executed, and nothing is fetched.  The file is
    read within bounds (see :doc:`/formats`): a FIFO, a device or a
    directory is refused, and so is a file bigger than the size limit.

    Raises:
        TaxonomyDataError: The file cannot be read, or is not valid
            taxonomy data; every problem is listed.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A file that cannot be read raises :class:`TaxonomyDataError`
       naming it, not :class:`OSError`.
    """
    source = str(Path(path))
    try:
        data = read_data(path, toml=False, source=source)
    except ReadFailure as exc:
        raise TaxonomyDataError([exc.problem]) from None
    return taxonomy_from_dict(data, source=source)


def _load_bundled() -> Taxonomy:
    manifest = read_manifest()
    source = f"dnn_supply_chain/data/{_BUNDLED}"
    raw = read_verified(_BUNDLED)
    try:
        tax = taxonomy_from_dict(parse_packaged(raw, source), source=source)
    except TaxonomyDataError as exc:
        # The file is the one released (its checksum matched the
        # manifest's), so the install is damaged beyond one file.
        raise reinstall(list(exc.problems)) from None
    counts = {c: len(getattr(tax, c)) for c in COLLECTIONS}
    expected = {c: getattr(manifest, c) for c in COLLECTIONS}
    if counts != expected:
        problem = Problem(
            source=source,
            message=f"the data has {counts}, the manifest says {expected}",
        )
        raise reinstall([problem])
    return tax._evolve(manifest=manifest)  # noqa: SLF001 - no check depends on it


_lock = threading.RLock()
_cached: Taxonomy | None = None


def bundled() -> Taxonomy:
    """
    Return the bundled taxonomy, read, verified and checked on first use.
    """
    global _cached  # noqa: PLW0603 - the process-wide cache
    tax = _cached
    if tax is None:
        with _lock:
            if _cached is None:
                _cached = _load_bundled()
            tax = _cached
    return tax
