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

import functools
import hashlib
import re
import threading

from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from ._checks import NotFast, build
from ._parsing import ParseFailure, parse, show
from ._records import (
    Attack,
    Attributes,
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
from .exceptions import Problem, TaxonomyDataError


if TYPE_CHECKING:
    import cattrs

    from attrs import AttrsInstance

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
_T = TypeVar("_T")
_R = TypeVar("_R")

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


@functools.cache
def converter() -> cattrs.Converter:
    """
    Return the one cattrs converter between records and JSON values.

    It forbids unknown keys and checks types instead of coercing them.
    """
    from cattrs.preconf.json import make_converter

    conv = make_converter(forbid_extra_keys=True)

    # cattrs coerces by default (5 -> "5", "abc" -> ("a", "b", "c")):
    # data files must say what they mean, so types are checked instead.
    def strict(cls: type[_T]) -> Any:
        def hook(value: object, _: type) -> object:
            if type(value) is not cls:
                msg = (
                    f"expected {cls.__name__}, got {type(value).__name__} "
                    f"{show(value)}"
                )
                raise TypeError(msg)
            return value

        return hook

    for cls in (str, int, bool):
        conv.register_structure_hook(cls, strict(cls))

    def is_str_tuple(tp: Any) -> bool:
        return bool(tp == tuple[str, ...])

    def str_tuple(value: object, _: type) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            msg = (
                "expected a list of strings, got "
                f"{type(value).__name__} {show(value)}"
            )
            raise TypeError(msg)
        for item in value:
            if type(item) is not str:
                msg = f"expected a list of strings, got an item {show(item)}"
                raise TypeError(msg)
        return tuple(value)

    conv.register_structure_hook_func(is_str_tuple, str_tuple)

    def attributes(value: object, _: type) -> Attributes:
        if not isinstance(value, dict):
            msg = f"expected an object of attributes, got {show(value)}"
            raise TypeError(msg)
        return Attributes(value)

    conv.register_structure_hook(Attributes, attributes)
    conv.register_unstructure_hook(Attributes, Attributes.to_json)
    return conv


def _describe(exc: BaseException, type_: type | None) -> str:
    import cattrs

    from cattrs.v import format_exception

    # Keep the messages of attrs validators and of our hooks: the default
    # formatter reduces them to "invalid value".
    if isinstance(exc, ValueError | TypeError) and not isinstance(
        exc, cattrs.BaseValidationError
    ):
        return str(exc.args[0]) if exc.args else type(exc).__name__
    text = format_exception(exc, type_)
    if text.startswith("extra fields found"):
        text += "; remove them or fix their spelling"
    return text


def _structure(
    item: object, cls: type[_R], source: str, path: str, record: str | None
) -> _R | list[Problem]:
    """
    Return *item* as a *cls*, or every problem that prevents it.
    """
    try:
        built: _R = build(cls, item)
    except NotFast:
        pass
    else:
        return built
    if not isinstance(item, dict):
        what = (
            "null" if item is None else f"{type(item).__name__} {show(item)}"
        )
        message = f"expected an object with the fields of a {cls.__name__}, got {what}"
        return [
            Problem(source=source, path=path, record=record, message=message)
        ]
    try:
        return converter().structure(item, cls)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        return _problems_of(exc, source, path, record)


def _problems_of(
    exc: Exception, source: str, path: str, record: str | None
) -> list[Problem]:
    import cattrs

    from cattrs.v import transform_error

    if not isinstance(exc, cattrs.BaseValidationError):
        return [
            Problem(
                source=source,
                path=path,
                record=record,
                message=_describe(exc, None),
            )
        ]
    out = []
    for line in transform_error(exc, path=path, format_exception=_describe):
        message, _, where = line.rpartition(" @ ")
        # A validator's error surfaces at its record; its message starts
        # with the field's name, which belongs in the path.
        field_name = _FIELD_IN_MESSAGE.match(message)
        if where == path and field_name:
            where = f"{path}.{field_name.group(1)}"
        out.append(
            Problem(source=source, path=where, record=record, message=message)
        )
    return out


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


def record_to_dict(record: AttrsInstance) -> dict[str, Any]:
    """
    Return *record* as JSON-compatible data: tuples become lists.
    """
    data = attrs.asdict(record, value_serializer=_plain)
    if not data.get("attributes", True):
        del data["attributes"]
    return data


def _plain(_inst: object, _field: object, value: object) -> object:
    if isinstance(value, Attributes):
        return value.to_json()
    return list(value) if isinstance(value, tuple) else value


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


def _parse_json(text: str, source: str) -> object:
    try:
        return parse(text, toml=False)
    except ParseFailure as exc:
        problem = Problem(
            source=source, path=exc.where, record=None, message=exc.message
        )
        raise TaxonomyDataError([problem]) from None


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
    return taxonomy_from_dict(_parse_json(text, str(path)), source=str(path))


@attrs.frozen(kw_only=True)
class Manifest:
    """
    What the bundled data is: its release, the survey edition, the ATLAS
    release the crosswalk was made against, counts per kind, and the
    checksums :func:`load` verifies.

    Attributes:
        data_version: The release of the bundled data.
        survey_title: The survey's title.
        survey_edition: Which edition of the survey's listing.
        survey_listing: Where the listing is.
        listing_commit: The listing's commit the data was checked against.
        atlas_version: The ATLAS release of the crosswalk.
        owasp_edition: The OWASP ML Top 10 edition of the crosswalk.
        stages: How many stages the data has.
        categories: How many categories.
        attacks: How many attacks.
        defenses: How many defenses.
        papers: How many papers.
        sha256: The SHA-256 of each data file, by file name.

    .. versionadded:: 0.1.0
    """

    data_version: str
    survey_title: str
    survey_edition: str
    survey_listing: str
    listing_commit: str
    atlas_version: str
    owasp_edition: str
    stages: int
    categories: int
    attacks: int
    defenses: int
    papers: int
    sha256: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return (
            f"data {self.data_version}: {self.survey_title!r}, "
            f"{self.survey_edition}; crosswalk to ATLAS {self.atlas_version} "
            f"and OWASP ML Top 10 {self.owasp_edition}; {self.stages} "
            f"stages, {self.categories} categories, {self.attacks} attacks, "
            f"{self.defenses} defenses, {self.papers} papers"
        )


_MANIFEST = "manifest.json"


def read_manifest() -> Manifest:
    """
    Return the manifest of the bundled data (without loading the data).

    Raises:
        TaxonomyDataError: The manifest is missing or damaged.

    .. versionadded:: 0.1.0
    """
    source = f"dnn_supply_chain/data/{_MANIFEST}"
    try:
        text = (files("dnn_supply_chain") / "data" / _MANIFEST).read_text(
            encoding="utf-8"
        )
        data = _parse_json(text, source)
        assert isinstance(data, dict)  # noqa: S101 - caught below
        survey, counts = data["survey"], data["counts"]
        return Manifest(
            data_version=data["data_version"],
            survey_title=survey["title"],
            survey_edition=survey["edition"],
            survey_listing=survey["listing"],
            listing_commit=survey["listing_commit"],
            atlas_version=data["atlas_version"],
            owasp_edition=data["owasp_edition"],
            sha256=tuple(sorted(data["sha256"].items())),
            **{k: counts[k] for k in _COLLECTIONS},
        )
    except (OSError, KeyError, TypeError, AssertionError) as exc:
        problem = Problem(
            source=source,
            path="",
            record=None,
            message=f"the manifest is missing or damaged ({exc!r}); "
            "reinstall dnn-supply-chain",
        )
        raise TaxonomyDataError([problem]) from None


def verify(name: str, data: bytes, manifest: Manifest) -> None:
    """
    Check a bundled data file against the manifest's checksum.

    Raises:
        TaxonomyDataError: The file is not the one released.
    """
    expected = dict(manifest.sha256).get(name)
    actual = hashlib.sha256(data).hexdigest()
    if expected != actual:
        problem = Problem(
            source=f"dnn_supply_chain/data/{name}",
            path="",
            record=None,
            message=(
                f"checksum mismatch: the file is not the one released with "
                f"data {manifest.data_version} (sha256 {actual}, expected "
                f"{expected}); it was changed or damaged after installation: "
                "reinstall dnn-supply-chain"
            ),
        )
        raise TaxonomyDataError([problem])


def _load_bundled() -> Taxonomy:
    manifest = read_manifest()
    resource = files("dnn_supply_chain") / "data" / _BUNDLED
    source = f"dnn_supply_chain/data/{_BUNDLED}"
    raw = resource.read_bytes()
    verify(_BUNDLED, raw, manifest)
    tax = taxonomy_from_dict(
        _parse_json(raw.decode("utf-8"), source), source=source
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
