"""
From files to records: the one cattrs converter, validation that reports
every problem at once, and the cached bundled taxonomy.
"""

from __future__ import annotations

import json
import threading

from importlib.resources import files
from pathlib import Path
from typing import Any, Final, TypeVar

import cattrs

from cattrs.preconf.json import make_converter
from cattrs.v import format_exception, transform_error

from ._records import (
    Attack,
    Category,
    Defense,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._taxonomy import Taxonomy, check_records
from .exceptions import Problem, TaxonomyDataError


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

_COLLECTIONS: Final[dict[str, type[Record]]] = {
    "stages": Stage,
    "categories": Category,
    "attacks": Attack,
    "defenses": Defense,
    "papers": Paper,
}
_KINDS: Final = {
    "stages": "stage",
    "categories": "category",
    "attacks": "attack",
    "defenses": "defense",
    "papers": "paper",
}
_SCALARS: Final = ("survey", "atlas_version")
_KEYS: Final = frozenset(
    {"schema_version", "vocabulary", *_SCALARS, *_COLLECTIONS}
)


def _make_converter() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=True)

    # cattrs coerces by default (5 -> "5", "abc" -> ("a", "b", "c")):
    # data files must say what they mean, so types are checked instead.
    def strict(cls: type[_T]) -> Any:
        def hook(value: object, _: type) -> object:
            if type(value) is not cls:
                msg = (
                    f"expected {cls.__name__}, got {type(value).__name__} "
                    f"{value!r}"
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
            msg = f"expected a list of strings, got {type(value).__name__} {value!r}"
            raise TypeError(msg)
        for item in value:
            if type(item) is not str:
                msg = f"expected a list of strings, got an item {item!r}"
                raise TypeError(msg)
        return tuple(value)

    conv.register_structure_hook_func(is_str_tuple, str_tuple)
    return conv


#: The one converter between records and JSON-compatible values.
converter: Final = _make_converter()


def _describe(exc: BaseException, type_: type | None) -> str:
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


def _problems_of(
    exc: Exception, source: str, path: str, record: str | None
) -> list[Problem]:
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
        out.append(
            Problem(source=source, path=where, record=record, message=message)
        )
    return out


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
            str(key),
            f"unknown key {key!r}; remove it (known: {', '.join(sorted(_KEYS))})",
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        add(
            "schema_version",
            f"unsupported schema_version {version!r}; this release reads "
            f"version {SCHEMA_VERSION}",
        )
    scalars: dict[str, str | None] = {}
    for key in _SCALARS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            add(key, f"expected a string or null, got {value!r}")
            value = None
        scalars[key] = value
    vocabulary = Vocabulary()
    try:
        vocabulary = converter.structure(
            data.get("vocabulary", {}), Vocabulary
        )
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        problems.extend(_problems_of(exc, source, "vocabulary", None))

    records: dict[str, list[tuple[str, Record]]] = {}
    unreadable: dict[str, str] = {}
    cited: list[str] = []
    for collection, cls in _COLLECTIONS.items():
        items = data.get(collection, [])
        records[collection] = []
        if not isinstance(items, list):
            add(collection, f"expected a list, got {type(items).__name__}")
            continue
        for i, item in enumerate(items):
            path = f"{collection}[{i}]"
            record_id = item.get("id") if isinstance(item, dict) else None
            record_id = record_id if isinstance(record_id, str) else None
            try:
                rec = converter.structure(item, cls)
            except Exception as exc:  # noqa: BLE001 - reported, never swallowed
                problems.extend(_problems_of(exc, source, path, record_id))
                if record_id is not None:
                    unreadable.setdefault(record_id, _KINDS[collection])
                    raw_papers = item.get("papers")
                    if isinstance(raw_papers, list):
                        cited.extend(
                            p for p in raw_papers if isinstance(p, str)
                        )
            else:
                records[collection].append((path, rec))
    if "stages" not in data:
        add("stages", "missing: a taxonomy needs at least its stages")

    problems.extend(
        check_records(
            source=source,
            vocabulary=vocabulary,
            survey=scalars["survey"],
            records=records,
            unreadable=unreadable,
            cited=cited,
        )
    )
    if problems:
        raise TaxonomyDataError(problems)
    return Taxonomy(
        vocabulary=vocabulary,
        survey=scalars["survey"],
        atlas_version=scalars["atlas_version"],
        **{  # type: ignore[arg-type]
            collection: tuple(rec for _, rec in pairs)
            for collection, pairs in records.items()
        },
    )


def taxonomy_to_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    """
    Return *taxonomy* as JSON-compatible data, in the bundled file's form.

    :func:`taxonomy_from_dict` of the result gives an equal taxonomy.

    .. versionadded:: 0.1.0
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "survey": taxonomy.survey,
        "atlas_version": taxonomy.atlas_version,
        "vocabulary": converter.unstructure(taxonomy.vocabulary),
        **{
            collection: [
                converter.unstructure(rec, cls)
                for rec in getattr(taxonomy, collection)
            ]
            for collection, cls in _COLLECTIONS.items()
        },
    }


def _parse_json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Problem(
            source=source,
            path=f"line {exc.lineno}, column {exc.colno}",
            record=None,
            message=f"invalid JSON: {exc.msg}",
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
    text = path.read_text(encoding="utf-8")
    return taxonomy_from_dict(_parse_json(text, str(path)), source=str(path))


def _load_bundled() -> Taxonomy:
    resource = files("dnn_supply_chain") / "data" / _BUNDLED
    source = f"dnn_supply_chain/data/{_BUNDLED}"
    text = resource.read_text(encoding="utf-8")
    return taxonomy_from_dict(_parse_json(text, source), source=source)


_lock = threading.Lock()
_cached: Taxonomy | None = None


def load() -> Taxonomy:
    """
    Return the bundled taxonomy of the survey.

    The data is read and checked on the first call only; every later call,
    from any thread, returns the same object.

    Raises:
        TaxonomyDataError: The bundled data is damaged (a broken install).

    .. versionadded:: 0.1.0
    """
    global _cached  # noqa: PLW0603 - the process-wide cache
    tax = _cached
    if tax is None:
        with _lock:
            if _cached is None:
                _cached = _load_bundled()
            tax = _cached
    return tax
