"""
Extensions: taxonomy fragments that other packages install.

An extension is a fragment of taxonomy (stages, categories, vocabulary
terms, attacks, defenses, papers, and links that attach its entries to
existing records) that a distribution declares in the entry point group
``dnn_supply_chain.extensions``:

- a pure-data extension points at a JSON or TOML file inside its package,
  ``acme = "acme_dsc:fragment.toml"``; the file is found through the
  distribution's metadata and read, and none of the package's code runs;
- a Python extension points at a callable that returns the fragment as a
  mapping, ``acme = "acme_dsc.plugin:fragment"``.

:func:`dnn_supply_chain.load` merges the bundled taxonomy with every
installed extension, in the order of their entry point names.  A broken
extension is skipped with an :class:`ExtensionWarning` (the rest still
load); with ``strict=True`` it raises :class:`ExtensionError` instead.
"""

from __future__ import annotations

import bisect
import warnings

from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from attrs import field, validators

from ._records import (
    ID_PATTERN,
    Attack,
    Attributes,
    Category,
    Defense,
    Paper,
    Record,
    Stage,
    Vocabulary,
)
from ._text import show
from .exceptions import ExtensionError, Problem


if TYPE_CHECKING:
    from ._taxonomy import Taxonomy


__all__ = [
    "ENTRY_POINT_GROUP",
    "ExtensionInfo",
    "ExtensionWarning",
    "Fragment",
    "Link",
    "Provenance",
    "fragment_from_dict",
    "installed_extensions",
    "read_fragment",
    "validate_fragment",
]

#: The entry point group extensions declare themselves in.
ENTRY_POINT_GROUP: Final = "dnn_supply_chain.extensions"

_NAMESPACE = validators.matches_re(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _unique(
    _inst: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    if len(set(value)) != len(value):
        msg = f"'{attribute.name}' lists an id twice"
        raise ValueError(msg)


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
    }
)
_LINK_FIELDS: Final = {
    "next": ("stage", "stage"),
    "papers": ("attack or defense", "paper"),
    "attacks": ("defense", "attack"),
}


class ExtensionWarning(UserWarning):
    """
    An installed extension was skipped because it is broken.

    .. versionadded:: 0.1.0
    """


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

    .. versionadded:: 0.1.0
    """

    namespace: str = field(validator=_NAMESPACE)
    vocabulary: Vocabulary = field(factory=Vocabulary)
    stages: tuple[Stage, ...] = ()
    categories: tuple[Category, ...] = ()
    attacks: tuple[Attack, ...] = ()
    defenses: tuple[Defense, ...] = ()
    papers: tuple[Paper, ...] = ()
    links: tuple[Link, ...] = ()


@attrs.frozen(kw_only=True)
class Provenance:
    """
    Where a record came from.

    Attributes:
        source: ``"bundled"``, or the name of the distribution whose
            extension defines the record.
        version: That distribution's version (``None`` for bundled).
        extension: The extension's entry point name, if any.
        extended_by: The extensions that linked additions onto the record.

    .. versionadded:: 0.1.0
    """

    source: str
    version: str | None = None
    extension: str | None = None
    extended_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.extension is None:
            text = self.source
        else:
            text = (
                f"{self.source} {self.version} (extension {self.extension!r})"
            )
        if self.extended_by:
            text += f", extended by {', '.join(self.extended_by)}"
        return text


BUNDLED: Final = Provenance(source="bundled")


@attrs.frozen(kw_only=True)
class ExtensionInfo:
    """
    An installed extension, and what became of it.

    Attributes:
        name: The entry point name.
        distribution: The distribution that declares it.
        version: The distribution's version.
        value: The entry point's value (``module:file.toml`` or
            ``module:callable``).
        status: ``"loaded"``, ``"skipped"`` (broken) or
            ``"not selected"``.
        namespace: The namespace its fragment declares, once read.
        records: How many records it adds, once loaded.
        problems: Why it was skipped.

    .. versionadded:: 0.1.0
    """

    name: str
    distribution: str
    version: str
    value: str
    status: str = "not selected"
    namespace: str | None = None
    records: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def label(self) -> str:
        """
        ``name (distribution version)``, as messages name the extension.
        """
        return f"{self.name!r} ({self.distribution} {self.version})"


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
    from ._convert import structure as _structure
    from ._loading import read_records

    problems: list[Problem] = []

    def add(path: str, message: str, record: str | None = None) -> None:
        problems.append(
            Problem(source=source, path=path, record=record, message=message)
        )

    if not isinstance(data, Mapping):
        add(
            "",
            f"a fragment is a table (JSON object), not {type(data).__name__}",
        )
        raise ExtensionError(problems, source=source)
    for key in sorted(set(data) - _FRAGMENT_KEYS, key=str):
        add(
            str(key) or "''",
            f"unknown key {key!r}; expected one of {', '.join(sorted(_FRAGMENT_KEYS))}",
        )
    namespace = data.get("namespace")
    if (
        not isinstance(namespace, str)
        or not ID_PATTERN.fullmatch(namespace)
        or ":" in namespace
    ):
        add(
            "namespace",
            "missing or invalid 'namespace': declare a lowercase slug, for "
            f'example namespace = "acme" (got {show(namespace)})',
        )
        namespace = None
    read = read_records(data, source)
    problems.extend(read.problems)
    links: list[Link] = []
    raw_links = data.get("links", [])
    if not isinstance(raw_links, list):
        add("links", f"expected a list, got {type(raw_links).__name__}")
        raw_links = []
    for i, item in enumerate(raw_links):
        link = _structure(item, Link, source, f"links[{i}]", None)
        if isinstance(link, list):
            problems.extend(link)
        else:
            links.append(link)
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
                        f"{read.path_of(collection, n)}.attributes",
                        rec.id,
                    )
                )
        for i, link in enumerate(links):
            problems.extend(
                _attribute_problems(
                    link.attributes,
                    prefix,
                    source,
                    f"links[{i}].attributes",
                    None,
                )
            )
    if problems or namespace is None:
        raise ExtensionError(problems, source=source)
    return Fragment(
        namespace=namespace,
        vocabulary=read.vocabulary,
        links=tuple(links),
        **{  # type: ignore[arg-type]
            collection: tuple(items)
            for collection, items in read.records.items()
        },
    )


def _attribute_problems(
    attributes: Attributes,
    prefix: str,
    source: str,
    path: str,
    record: str | None,
) -> list[Problem]:
    return [
        Problem(
            source=source,
            path=f"{path}.{key}",
            record=record,
            message=f"attribute keys of this extension start with {prefix!r}",
        )
        for key in attributes
        if not key.startswith(prefix)
    ]


def _parse_text(text: str, source: str, *, toml: bool) -> object:
    from ._parsing import ParseFailure, parse

    try:
        return parse(text, toml=toml)
    except ParseFailure as exc:
        problem = Problem(
            source=source, path=exc.where, record=None, message=exc.message
        )
        raise ExtensionError([problem], source=source) from None


def read_fragment(path: str | Path) -> Fragment:
    """
    Read a fragment from a ``.toml`` or ``.json`` file.

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
            path="",
            record=None,
            message="name the fragment file .toml or .json",
        )
        raise ExtensionError([problem], source=source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(
            source=source,
            path="",
            record=None,
            message=f"cannot read the file: {exc}",
        )
        raise ExtensionError([problem], source=source) from None
    return fragment_from_dict(
        _parse_text(text, source, toml=suffix == ".toml"), source=source
    )


# -- merging ----------------------------------------------------------------


@attrs.frozen
class _Part:
    """
    One fragment on its way into a taxonomy.
    """

    info: ExtensionInfo
    fragment: Fragment
    source: str


def _label(owner: _Part | None) -> str:
    return (
        "the bundled taxonomy"
        if owner is None
        else f"extension {owner.info.label}"
    )


def _topological(stages: Sequence[Stage]) -> list[Stage]:
    # Kahn's algorithm; among the stages that are ready, the one listed
    # first goes first, so the bundled lifecycle keeps its order.
    index = {s.id: i for i, s in enumerate(stages)}
    indegree = dict.fromkeys(index, 0)
    for stage in stages:
        for nxt in stage.next:
            if nxt in indegree:
                indegree[nxt] += 1
    ready = sorted(i for sid, i in index.items() if indegree[sid] == 0)
    order: list[Stage] = []
    while ready:
        stage = stages[ready.pop(0)]
        order.append(stage)
        for nxt in stage.next:
            if nxt in indegree:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(index[nxt])
                    ready.sort()
    # A cycle leaves stages behind; check_records reports it.
    order.extend(s for s in stages if s not in order)
    return order


def _combine(
    base: Taxonomy, parts: Sequence[_Part]
) -> tuple[Taxonomy | None, dict[int, list[Problem]]]:
    """
    Merge *parts* into *base*; return the taxonomy, or the problems of each
    part (by position) that prevent it.
    """
    from ._loading import _COLLECTIONS
    from ._taxonomy import KINDS, Taxonomy, check_records, trusted
    from ._text import article as _a

    failures: dict[int, list[Problem]] = {}

    def fail(
        n: int, path: str, message: str, record: str | None = None
    ) -> None:
        failures.setdefault(n, []).append(
            Problem(
                source=parts[n].source,
                path=path,
                record=record,
                message=message,
            )
        )

    def source_of(n: int | None) -> Any:
        return base if n is None else parts[n].fragment

    kinds = dict(zip(_COLLECTIONS, KINDS, strict=True))
    # id -> (part or None for bundled, collection, index); paths are
    # spelt out only for problems.
    owner: dict[str, tuple[int | None, str, int]] = {}
    kind_of: dict[str, str] = {}
    for collection in _COLLECTIONS:
        kind = kinds[collection]
        for i, rec in enumerate(getattr(base, collection)):
            owner[rec.id] = (None, collection, i)
            kind_of[rec.id] = kind
    namespaces: dict[str, int] = {}
    for n, part in enumerate(parts):
        ns = part.fragment.namespace
        if ns in namespaces:
            first = parts[namespaces[ns]]
            fail(
                n,
                "namespace",
                f"namespace {ns!r} is declared by {_label(first)} too: each extension needs its own",
            )
        else:
            namespaces[ns] = n
        prefix = f"{ns}:"
        for collection in _COLLECTIONS:
            kind = kinds[collection]
            for i, rec in enumerate(getattr(part.fragment, collection)):
                rec_id = rec.id
                if rec_id in owner:
                    first_n, first_collection, first_i = owner[rec_id]
                    earlier = None if first_n is None else parts[first_n]
                    what = (
                        "redefines an id of"
                        if earlier is None
                        else "defines the same id as"
                    )
                    fail(
                        n,
                        f"{collection}[{i}].id",
                        f"{_label(part)} {what} {_label(earlier)} "
                        f"({first_collection}[{first_i}]): {rec_id!r}",
                        rec_id,
                    )
                    continue
                if not rec_id.startswith(prefix):
                    slug = rec_id.rpartition(":")[2]
                    fail(
                        n,
                        f"{collection}[{i}].id",
                        f"ids of this extension start with {prefix!r}: "
                        f"rename {rec_id!r} to '{prefix}{slug}'",
                        rec_id,
                    )
                    continue
                owner[rec_id] = (n, collection, i)
                kind_of[rec_id] = kind

    # Links: check them, then apply them to copies of their targets.
    modified: dict[str, Record] = {}

    def find(rec_id: str) -> Record | None:
        if rec_id in modified:
            return modified[rec_id]
        found = owner.get(rec_id)
        if found is None or (found[0] is not None and found[0] in failures):
            return None
        record: Record = getattr(source_of(found[0]), found[1])[found[2]]
        return record

    extended_by: dict[str, list[str]] = {}
    # record id -> (part, link index, fields changed) of the links applied
    links_on: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    attribute_owner: dict[tuple[str, str], int] = {}
    for n, part in enumerate(parts):
        if n in failures:
            continue
        for i, link in enumerate(part.fragment.links):
            path = f"links[{i}]"
            target = find(link.record)
            if target is None:
                fail(n, f"{path}.record", f"no record has id {link.record!r}")
                continue
            kind = kind_of[link.record]
            changes: dict[str, Any] = {}
            for name, (target_kind, value_kind) in _LINK_FIELDS.items():
                values: tuple[str, ...] = getattr(link, name)
                if not values:
                    continue
                if kind not in target_kind.split(" or "):
                    fail(
                        n,
                        f"{path}.{name}",
                        f"{name!r} extends {target_kind}s, and {link.record!r} is {_a(kind)}",
                    )
                    continue
                for j, value in enumerate(values):
                    found_kind = kind_of.get(value)
                    if found_kind is None:
                        fail(
                            n,
                            f"{path}.{name}[{j}]",
                            f"unknown {value_kind} {value!r}",
                        )
                    elif found_kind != value_kind:
                        fail(
                            n,
                            f"{path}.{name}[{j}]",
                            f"{value!r} is {_a(found_kind)}, not {_a(value_kind)}",
                        )
                current: tuple[str, ...] = getattr(target, name)
                changes[name] = current + tuple(
                    v for v in values if v not in current
                )
            for key in link.attributes:
                first_owner = attribute_owner.setdefault((link.record, key), n)
                if first_owner != n or key in target.attributes:
                    fail(
                        n,
                        f"{path}.attributes.{key}",
                        f"{link.record!r} already has attribute {key!r}",
                    )
            if link.attributes:
                changes["attributes"] = {
                    **target.attributes.to_json(),
                    **link.attributes.to_json(),
                }
            if n in failures:
                continue
            modified[link.record] = _replace(target, changes)
            extended_by.setdefault(link.record, []).append(part.info.name)
            links_on.setdefault(link.record, []).append((n, i, tuple(changes)))
    if failures:
        return None, failures

    # Whole-taxonomy checks, each problem traced back to its part.
    active = [n for n in range(len(parts)) if n not in failures]
    vocabulary = Vocabulary(
        threat_types=_union(
            base.vocabulary.threat_types,
            *(parts[n].fragment.vocabulary.threat_types for n in active),
        ),
        modalities=_union(
            base.vocabulary.modalities,
            *(parts[n].fragment.vocabulary.modalities for n in active),
        ),
    )
    collections: dict[str, tuple[Record, ...]] = {}
    # Per collection: (start, part or None) of each source's run.
    runs: dict[str, list[tuple[int, int | None]]] = {}
    for collection in _COLLECTIONS:
        items: list[Record] = []
        runs[collection] = spans = []
        sources: list[int | None] = [None, *active]
        for source_n in sources:
            spans.append((len(items), source_n))
            items.extend(getattr(source_of(source_n), collection))
        if modified:
            items = [modified.get(rec.id, rec) for rec in items]
        collections[collection] = tuple(items)

    def path_of(collection: str, index: int) -> str:
        spans = runs[collection]
        pos = bisect.bisect_right(spans, index, key=lambda span: span[0]) - 1
        start, n = spans[pos]
        tag = "-" if n is None else str(n)
        return f"{tag}|{collection}[{index - start}]"

    problems = check_records(
        source="",
        vocabulary=vocabulary,
        survey=base.survey,
        records=collections,
        path_of=path_of,
        kind_of=kind_of,
    )
    linkers = [
        n
        for n in active
        if parts[n].fragment.links or parts[n].fragment.stages
    ]
    next_links: list[tuple[int, int, tuple[str, ...]]] = [
        (n, i, ("next",))
        for n in active
        for i, link in enumerate(parts[n].fragment.links)
        if link.next
    ]
    for problem in problems:
        tag, _, path = problem.path.partition("|")
        field = path.partition(".")[2].partition("[")[0]
        applied = links_on.get(problem.record or "", [])
        by_link = [a for a in applied if field in a[2]]
        if problem.record is None and path == "" and next_links:
            # A cycle in the lifecycle: a link that adds a `next` made it.
            by_link = next_links
        if by_link:
            # The record is fine as its owner wrote it: the link that
            # changed it is to blame, at the link's own path.
            blamed, i, _ = by_link[-1]
            path = f"links[{i}].{field or 'next'}"
        elif tag.isdigit():
            blamed = int(tag)
        elif linkers:
            # A problem in bundled records (a cycle, a stage made
            # unreachable) comes from a link: blame the last linker.
            blamed = linkers[-1]
        else:
            blamed = active[-1]
        fail(blamed, path or problem.path, problem.message, problem.record)
    if failures:
        return None, failures

    # One Provenance per part, shared by its records; bundled records
    # have none (BUNDLED is the default), but for those extended.
    of_part = [
        Provenance(
            source=part.info.distribution,
            version=part.info.version,
            extension=part.info.name,
        )
        for part in parts
    ]
    # Keyed by "namespace:" for a part's own records (their ids carry the
    # namespace), and by id for records that links extended.
    provenance: dict[str, Provenance] = {
        f"{parts[n].fragment.namespace}:": of_part[n] for n in active
    }
    for rec_id, names in extended_by.items():
        owner_n = owner[rec_id][0]
        provenance[rec_id] = attrs.evolve(
            BUNDLED if owner_n is None else of_part[owner_n],
            extended_by=tuple(names),
        )
    collections["stages"] = tuple(_topological(collections["stages"]))  # type: ignore[arg-type]
    with trusted():
        merged = Taxonomy(
            vocabulary=vocabulary,
            survey=base.survey,
            atlas_version=base.atlas_version,
            deprecated=base.deprecated,
            manifest=base.manifest,
            provenance=provenance,
            **collections,  # type: ignore[arg-type]
        )
    return merged, {}


def _replace(record: Record, changes: dict[str, Any]) -> Record:
    """
    *record* with *changes*, without running its validators again: every
    value was checked already (the record's own when it was read, the
    link's by the link), and appending new, checked ids keeps a tuple of
    unique ids unique.  Re-validating a long ``papers`` tuple on every
    link made merging quadratic.
    """
    if "attributes" in changes:
        changes["attributes"] = Attributes(changes["attributes"])
    new = object.__new__(type(record))
    for f in attrs.fields(type(record)):
        object.__setattr__(
            new, f.name, changes.get(f.name, getattr(record, f.name))
        )
    return new


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for group in groups for term in group))


# -- discovery --------------------------------------------------------------


def _entry_points() -> list[metadata.EntryPoint]:
    seen: set[tuple[str, str]] = set()
    found = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist is not None else "unknown"
        # Some installs put a distribution on sys.path twice.
        if (ep.name, dist) in seen:
            continue
        seen.add((ep.name, dist))
        found.append(ep)
    return sorted(
        found, key=lambda ep: (ep.name, ep.dist.name if ep.dist else "")
    )


def _info(ep: metadata.EntryPoint) -> ExtensionInfo:
    return ExtensionInfo(
        name=ep.name,
        distribution=ep.dist.name if ep.dist is not None else "unknown",
        version=ep.dist.version if ep.dist is not None else "unknown",
        value=ep.value,
    )


def installed_extensions() -> tuple[ExtensionInfo, ...]:
    """
    Return the installed extensions, by entry point name, without loading
    any of them.

    .. versionadded:: 0.1.0
    """
    return tuple(_info(ep) for ep in _entry_points())


def _data_file(dist: metadata.Distribution, module: str, name: str) -> Path:
    """
    Find the data file *name* of package *module* without importing it.

    In an installed wheel the file sits where the distribution's metadata
    says; in an editable install, where the import system would find the
    package (looked up, never imported).
    """
    installed = Path(str(dist.locate_file(Path(*module.split(".")) / name)))
    if installed.exists():
        return installed
    from importlib.machinery import PathFinder

    top, *rest = module.split(".")
    spec = PathFinder.find_spec(top)
    if spec is None or spec.submodule_search_locations is None:
        return installed
    for location in spec.submodule_search_locations:
        candidate = Path(location, *rest, name)
        if candidate.exists():
            return candidate
    return installed


def _fragment_of(ep: metadata.EntryPoint, info: ExtensionInfo) -> Fragment:
    """
    Read the fragment an entry point declares.

    Raises:
        ExtensionError: Naming the distribution, the entry point and the
            cause.
    """
    source = f"extension {info.label}"

    def broken(message: str) -> ExtensionError:
        problem = Problem(source=source, path="", record=None, message=message)
        return ExtensionError([problem], source=source)

    try:
        module, attr = ep.module, ep.attr
    except (AttributeError, ValueError):
        msg = "not of the form module:file.toml or module:callable"
        raise broken(msg) from None
    if attr and attr.lower().endswith((".toml", ".json")):
        if ep.dist is None:
            msg = "no distribution to find the file in"
            raise broken(msg)
        path = _data_file(ep.dist, module, attr)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"cannot read {attr} in package {module}: {exc}"
            raise broken(msg) from None
        data = _parse_text(
            text, f"{source}: {attr}", toml=attr.lower().endswith(".toml")
        )
        return fragment_from_dict(data, source=f"{source}: {attr}")
    try:
        obj = ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported
        msg = f"cannot be imported: {type(exc).__name__}: {exc}"
        raise broken(msg) from None
    if not callable(obj):
        msg = f"{ep.value} is not callable; point the entry point at a function that returns the fragment, or at a .toml or .json file"
        raise broken(msg)
    try:
        data = obj()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported
        msg = f"raised {type(exc).__name__}: {exc}"
        raise broken(msg) from None
    if isinstance(data, Fragment):
        return data
    return fragment_from_dict(data, source=source)


def build(
    base: Taxonomy,
    *,
    extensions: bool | Sequence[str] = True,
    strict: bool = False,
) -> Taxonomy:
    """
    Merge *base* with the installed extensions selected; see
    :func:`dnn_supply_chain.load`.
    """
    if extensions is False:
        return base
    installed = eps = _entry_points()
    if extensions is not True:
        wanted = list(extensions)
        names = {ep.name for ep in eps}
        missing = [name for name in wanted if name not in names]
        if missing:
            listing = ", ".join(sorted(names)) or "none"
            problem = Problem(
                source="extensions",
                path="",
                record=None,
                message=f"no extension named {', '.join(map(repr, missing))} is installed (installed: {listing})",
            )
            raise ExtensionError([problem], source="extensions")
        eps = [ep for ep in eps if ep.name in wanted]
    infos: list[ExtensionInfo] = []
    parts: list[_Part] = []
    skipped: dict[str, tuple[ExtensionInfo, list[Problem]]] = {}
    for ep in eps:
        info = _info(ep)
        try:
            fragment = _fragment_of(ep, info)
        except ExtensionError as exc:
            skipped[info.name] = (info, list(exc.problems))
            continue
        parts.append(
            _Part(
                info=info, fragment=fragment, source=f"extension {info.label}"
            )
        )
        infos.append(info)
    while True:
        merged, failures = _combine(base, parts)
        if strict and (skipped or failures):
            raise ExtensionError(
                [p for _, problems in skipped.values() for p in problems]
                + [p for n in sorted(failures) for p in failures[n]],
                source="extensions",
            )
        if not failures:
            break
        for n in sorted(failures, reverse=True):
            part = parts.pop(n)
            skipped[part.info.name] = (part.info, failures[n])
    assert merged is not None  # noqa: S101 - the loop ends on success
    for name in sorted(skipped):
        info, problems = skipped[name]
        causes = "; ".join(
            f"{p.path}: {p.message}" if p.path else p.message for p in problems
        )
        warnings.warn(
            f"dnn-supply-chain skipped the broken extension {info.label}, "
            f"entry point {info.name} = {info.value!r}: {causes}",
            ExtensionWarning,
            stacklevel=3,
        )
    loaded = {part.info.name: part for part in parts}
    report = []
    for ep in installed:
        info = _info(ep)
        if info.name in loaded:
            part = loaded[info.name]
            count = sum(
                len(getattr(part.fragment, c))
                for c in (
                    "stages",
                    "categories",
                    "attacks",
                    "defenses",
                    "papers",
                )
            )
            info = attrs.evolve(
                info,
                status="loaded",
                namespace=part.fragment.namespace,
                records=count,
            )
        elif info.name in skipped:
            info = attrs.evolve(
                info, status="skipped", problems=tuple(skipped[info.name][1])
            )
        report.append(info)
    # The taxonomy was built here and nobody else has seen it yet.
    object.__setattr__(merged, "extensions", tuple(report))
    return merged


def validate_fragment(
    fragment: Fragment,
    taxonomy: Taxonomy | None = None,
    *,
    source: str = "<fragment>",
) -> tuple[Problem, ...]:
    """
    Check that *fragment* merges into *taxonomy* (default: the bundled
    survey alone): its references resolve, its ids are new, its links fit.

    Returns:
        Every problem, each with its path; empty when the fragment is
        valid.

    .. versionadded:: 0.1.0
    """
    from ._loading import load

    base = load(extensions=False) if taxonomy is None else taxonomy
    info = ExtensionInfo(
        name=fragment.namespace,
        distribution="<file>",
        version="-",
        value=source,
    )
    _, failures = _combine(
        base, [_Part(info=info, fragment=fragment, source=source)]
    )
    return tuple(failures.get(0, ()))
