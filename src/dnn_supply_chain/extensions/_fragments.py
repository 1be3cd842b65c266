"""
Fragment files: what an extension ships, read and checked for its own form.
"""

from __future__ import annotations

import warnings

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from attrs import field, validators

from dnn_supply_chain._checks import FieldValueError
from dnn_supply_chain._convert import structure
from dnn_supply_chain._files import ReadFailure, read_data
from dnn_supply_chain._io import ReadRecords, read_evidence, read_records
from dnn_supply_chain._parsing import ParseFailure, parse
from dnn_supply_chain._records import (
    ID_PATTERN,
    Attack,
    Attributes,
    Category,
    CounterEvidence,
    Defense,
    Paper,
    Stage,
    Vocabulary,
)
from dnn_supply_chain._text import show
from dnn_supply_chain.exceptions import (
    ExtensionError,
    Location,
    Problem,
    format_location,
)


__all__ = [
    "Fragment",
    "Link",
    "fragment_from_dict",
    "parse_text",
    "read_fragment",
]

_NAMESPACE = validators.matches_re(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _unique(
    _inst: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    if len(set(value)) != len(value):
        msg = f"'{attribute.name}' lists an id twice"
        raise FieldValueError(msg, attribute.name)


_ids = validators.and_(
    validators.deep_iterable(
        validators.and_(
            validators.instance_of(str), validators.matches_re(ID_PATTERN)
        ),
        validators.instance_of(tuple),
    ),
    _unique,
)
_FRAGMENT_KEYS: Final = frozenset(
    {
        "$schema",
        "namespace",
        "vocabulary",
        "stages",
        "categories",
        "attacks",
        "defenses",
        "papers",
        "links",
        "counter_evidence",
    }
)


@attrs.frozen(kw_only=True)
class Link:
    """
    Additions an extension makes to a record it does not own.

    Attributes:
        record: The id of the record to extend (bundled, or of another
            extension).
        next: Stage ids to add to a stage's ``next``.
        papers: Paper ids to add to an attack's or defense's ``papers``.
        attacks: Attack ids to add to a defense's ``attacks``.
        attributes: Namespaced attributes to attach to the record.

    .. versionadded:: 0.1.0
    """

    record: str = field(validator=validators.matches_re(ID_PATTERN))
    next: tuple[str, ...] = field(default=(), validator=_ids)
    papers: tuple[str, ...] = field(default=(), validator=_ids)
    attacks: tuple[str, ...] = field(default=(), validator=_ids)
    attributes: Attributes = field(factory=Attributes, converter=Attributes)


@attrs.frozen(kw_only=True)
class Fragment:
    """
    A fragment of taxonomy, as an extension ships it.

    Attributes:
        namespace: The extension's namespace: its ids are
            ``namespace:slug`` and its attribute keys ``namespace:key``.
        vocabulary: Threat types and modalities it adds.
        stages: Its stages.
        categories: Its attack categories.
        attacks: Its attacks.
        defenses: Its defenses.
        papers: Its papers.
        links: What it adds to records it does not own.
        counter_evidence: Which defense counters which attack, on what
            basis: its own defenses and attacks, or those of others.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *counter_evidence* added.
    """

    namespace: str = field(validator=_NAMESPACE)
    vocabulary: Vocabulary = field(factory=Vocabulary)
    stages: tuple[Stage, ...] = ()
    categories: tuple[Category, ...] = ()
    attacks: tuple[Attack, ...] = ()
    defenses: tuple[Defense, ...] = ()
    papers: tuple[Paper, ...] = ()
    links: tuple[Link, ...] = ()
    counter_evidence: tuple[CounterEvidence, ...] = ()


# -- reading fragments ----------------------------------------------------


def fragment_from_dict(
    data: object, *, source: str = "<fragment>"
) -> Fragment:
    """
    Build a fragment from the plain data of a fragment file.

    This checks the fragment's own form: keys, types, and that attribute
    keys carry the namespace.  Ids (new, and carrying the namespace) and
    references to other records are checked when the fragment is merged
    (see :func:`validate_fragment`).

    Raises:
        ExtensionError: With every problem, each with its path.

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

    if not isinstance(data, Mapping):
        add(
            (),
            f"a fragment is a table (JSON object), not {type(data).__name__}",
        )
        raise ExtensionError(problems, source=source)
    for key in sorted(set(data) - _FRAGMENT_KEYS, key=str):
        add(
            (str(key),),
            f"unknown key {key!r}; expected one of {', '.join(sorted(_FRAGMENT_KEYS))}",
        )
    namespace = data.get("namespace")
    if (
        not isinstance(namespace, str)
        or not ID_PATTERN.fullmatch(namespace)
        or ":" in namespace
    ):
        add(
            ("namespace",),
            "missing or invalid 'namespace': declare a lowercase slug, for "
            f'example namespace = "acme" (got {show(namespace)})',
        )
        namespace = None
    read = read_records(data, source)
    problems.extend(read.problems)
    links: list[Link] = []
    raw_links = data.get("links", [])
    if not isinstance(raw_links, list):
        add(("links",), f"expected a list, got {type(raw_links).__name__}")
        raw_links = []
    for i, item in enumerate(raw_links):
        link = structure(item, Link, source=source, location=("links", i))
        if isinstance(link, list):
            problems.extend(link)
        else:
            links.append(link)
    evidence, evidence_problems = read_evidence(
        data.get("counter_evidence", []), source
    )
    problems.extend(evidence_problems)
    _warn_deprecated_attacks(read, links, source)
    if namespace is not None:
        prefix = f"{namespace}:"
        for collection, items in read.records.items():
            for n, rec in enumerate(items):
                if not rec.attributes:
                    continue
                problems.extend(
                    _attribute_problems(
                        rec.attributes,
                        prefix,
                        source,
                        (*read.location_of(collection, n), "attributes"),
                        rec.id,
                    )
                )
        for i, link in enumerate(links):
            problems.extend(
                _attribute_problems(
                    link.attributes,
                    prefix,
                    source,
                    ("links", i, "attributes"),
                    None,
                )
            )
    if problems or namespace is None:
        raise ExtensionError(problems, source=source)
    return Fragment(
        namespace=namespace,
        vocabulary=read.vocabulary,
        links=tuple(links),
        counter_evidence=tuple(link for _, link in evidence),
        **{  # type: ignore[arg-type]
            collection: tuple(items)
            for collection, items in read.records.items()
        },
    )


def _warn_deprecated_attacks(
    read: ReadRecords, links: list[Link], source: str
) -> None:
    """
    Warn, once per fragment, about the deprecated lists of countered
    attacks, and say how to write them.
    """
    places = [
        format_location((*read.location_of("defenses", n), "attacks"))
        for n, rec in enumerate(read.records.get("defenses", ()))
        if isinstance(rec, Defense) and rec.attacks
    ]
    places += [
        f"links[{i}].attacks" for i, link in enumerate(links) if link.attacks
    ]
    if places:
        warnings.warn(
            f"{source}: {', '.join(places)}: a list of countered attacks is "
            "deprecated; it is read as 'claimed' counter evidence whose "
            "source is the extension. Write a [[counter_evidence]] entry "
            "per attack instead, with defense, attack, basis (evaluated, "
            "claimed or mechanism), evidence and source",
            DeprecationWarning,
            stacklevel=4,
        )


def _attribute_problems(
    attributes: Attributes,
    prefix: str,
    source: str,
    location: Location,
    record: str | None,
) -> list[Problem]:
    return [
        Problem(
            source=source,
            location=(*location, key),
            record=record,
            message=f"attribute keys of this extension start with {prefix!r}",
        )
        for key in attributes
        if not key.startswith(prefix)
    ]


def parse_text(text: str, source: str, *, toml: bool) -> object:
    """
    Parse the text of a fragment file, or raise :class:`ExtensionError`.
    """
    try:
        return parse(text, toml=toml)
    except ParseFailure as exc:
        problem = exc.problem(source)
        raise ExtensionError([problem], source=source) from None


def read_fragment(path: str | Path) -> Fragment:
    """
    Read a fragment from a ``.toml`` or ``.json`` file.

    The file is read within bounds: a FIFO, a device or a directory is
    refused, and so is a file bigger than the size limit (16 MiB, or the
    ``DNN_SUPPLY_CHAIN_MAX_FILE_SIZE`` environment variable).

    Raises:
        ExtensionError: The file cannot be read or parsed, or the fragment
            is malformed; every problem is named with its path or line.

    .. versionadded:: 0.1.0
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        problem = Problem(
            source=source,
            message="name the fragment file .toml or .json",
        )
        raise ExtensionError([problem], source=source)
    try:
        data = read_data(path, toml=suffix == ".toml", source=source)
    except ReadFailure as exc:
        raise ExtensionError([exc.problem], source=source) from None
    return fragment_from_dict(data, source=source)
