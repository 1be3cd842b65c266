"""
Finding the installed extensions and loading what they declare.
"""

from __future__ import annotations

import os
import warnings

from collections.abc import Sequence
from importlib import metadata
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Final

import attrs

from dnn_supply_chain._convert import record_to_dict
from dnn_supply_chain._files import ReadFailure, read_text
from dnn_supply_chain._io import bundled
from dnn_supply_chain._parsing import ParseFailure, plain
from dnn_supply_chain._records import (
    CLASS_OF_COLLECTION,
    CounterEvidence,
    ExtensionInfo,
    Vocabulary,
)
from dnn_supply_chain._taxonomy import Taxonomy
from dnn_supply_chain._text import show
from dnn_supply_chain.exceptions import ExtensionError, Problem

from ._fragments import Fragment, Link, fragment_from_dict, parse_text
from ._merge import Part, combine


__all__ = [
    "ENTRY_POINT_GROUP",
    "ExtensionWarning",
    "build",
    "installed_extensions",
    "installed_file",
    "validate_fragment",
]

#: The entry point group extensions declare themselves in.
ENTRY_POINT_GROUP: Final = "dnn_supply_chain.extensions"

# How much of an extension's exception message a problem quotes.
_MESSAGE_LIMIT: Final = 300


class ExtensionWarning(UserWarning):
    """
    An installed extension was skipped because it is broken.

    .. versionadded:: 0.1.0
    """


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


def _data_file(
    dist: metadata.Distribution, module: str, name: str
) -> tuple[Path, Path]:
    """
    Find the data file *name* of package *module* without importing it;
    return it and the package's directory.

    In an installed wheel the file sits where the distribution's metadata
    says; in an editable install, where the import system would find the
    package (looked up, never imported).
    """
    package = Path(str(dist.locate_file(Path(*module.split(".")))))
    installed = package / name
    if installed.exists():
        return installed, package
    top, *rest = module.split(".")
    spec = PathFinder.find_spec(top)
    if spec is None or spec.submodule_search_locations is None:
        return installed, package
    for location in spec.submodule_search_locations:
        candidate = Path(location, *rest, name)
        if candidate.exists():
            return candidate, Path(location, *rest)
    return installed, package


def _inside(path: Path, folder: Path) -> bool:
    """
    Whether *path*, with every symlink followed, is inside *folder*.
    """
    real, home = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, home]) == home


def _describe(exc: BaseException) -> str:
    """
    ``Type: message`` of an exception an extension raised, even when its
    message cannot be made.
    """
    name = type(exc).__name__
    try:
        text = str(exc)
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - an extension's __str__ raised
        text = "(its message cannot be shown: its __str__ raised)"
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 3] + "..."
    return f"{name}: {text}" if text else name


def _fragment_data(fragment: Fragment) -> object:
    """
    A :class:`Fragment` a callable returned, as plain data, once each of
    its fields is checked to hold what it must.

    Raises:
        ParseFailure: A field holds something else, at its location.
    """
    expected: dict[str, type] = {
        **CLASS_OF_COLLECTION,
        "links": Link,
        "counter_evidence": CounterEvidence,
    }
    if type(fragment.vocabulary) is not Vocabulary:
        msg = "expected a Vocabulary"
        raise ParseFailure(msg, location=("vocabulary",))
    for name, cls in expected.items():
        items = getattr(fragment, name)
        if type(items) is not tuple:
            msg = f"expected a tuple, got {type(items).__name__}"
            raise ParseFailure(msg, location=(name,))
        for i, item in enumerate(items):
            if type(item) is not cls:
                msg = (
                    f"expected a record of type {cls.__name__}, got "
                    f"{type(item).__name__} {show(item)}"
                )
                raise ParseFailure(msg, location=(name, i))
    return record_to_dict(fragment)


def _copied(data: object, source: str) -> object:
    """
    What a callable returned, copied into plain data (a :class:`Fragment`
    through its fields, each checked to hold the records it must), so
    that nothing of the extension's code runs once it is back.

    Raises:
        ExtensionError: It is not JSON data, at the first place it is not.
    """
    try:
        if isinstance(data, Fragment):
            data = _fragment_data(data)
        return plain(data)
    except ParseFailure as exc:
        problem = exc.problem(source)
        problem = attrs.evolve(
            problem,
            message=f"what it returned cannot be read: {problem.message}",
        )
        raise ExtensionError([problem], source=source) from None


def _fragment_of(ep: metadata.EntryPoint, info: ExtensionInfo) -> Fragment:
    """
    Read the fragment an entry point declares.

    A callable extension is imported and called with the warnings filters
    saved and restored around it; whatever it raises (but a
    :class:`KeyboardInterrupt`, which is the user's) makes it broken.

    Raises:
        ExtensionError: Naming the distribution, the entry point and the
            cause.
    """
    source = f"extension {info.label}"

    def broken(message: str) -> ExtensionError:
        problem = Problem(source=source, message=message)
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
        path, package = _data_file(ep.dist, module, attr)
        if not _inside(path, package):
            msg = (
                f"{attr} in package {module} is a link to a file outside "
                f"the package ({os.path.realpath(path)}); a data file must "
                "be inside its package"
            )
            raise broken(msg)
        where = f"{source}: {attr}"
        try:
            text = read_text(path, source=where)
        except ReadFailure as exc:
            msg = f"cannot read {attr} in package {module}: {exc.reason}"
            raise broken(msg) from None
        data = parse_text(text, where, toml=attr.lower().endswith(".toml"))
        return fragment_from_dict(data, source=where)
    try:
        with warnings.catch_warnings():
            obj = ep.load()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: a broken plugin
        msg = f"cannot be imported: {_describe(exc)}"
        raise broken(msg) from None
    if not callable(obj):
        msg = f"{ep.value} is not callable; point the entry point at a function that returns the fragment, or at a .toml or .json file"
        raise broken(msg)
    try:
        with warnings.catch_warnings():
            data = obj()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: a broken plugin
        msg = f"raised {_describe(exc)}"
        raise broken(msg) from None
    try:
        # Iterating what it returned may run its code too.
        with warnings.catch_warnings():
            copied = _copied(data, source)
    except (KeyboardInterrupt, ExtensionError):
        raise
    except BaseException as exc:  # noqa: BLE001 - its mapping raised
        msg = f"what it returned cannot be read: {_describe(exc)}"
        raise broken(msg) from None
    return fragment_from_dict(copied, source=source)


def installed_file(info: ExtensionInfo) -> Path | None:
    """
    The data file of the installed pure-data extension *info*, or None
    for a callable extension (or one no longer installed).
    """
    for ep in _entry_points():
        if (ep.name, _info(ep).distribution) != (info.name, info.distribution):
            continue
        try:
            module, attr = ep.module, ep.attr
        except (AttributeError, ValueError):
            return None
        if ep.dist is None or not attr.lower().endswith((".toml", ".json")):
            return None
        return _data_file(ep.dist, module, attr)[0]
    return None


def build(
    base: Taxonomy,
    *,
    extensions: bool | Sequence[str] = True,
    strict: bool = False,
) -> Taxonomy:
    """
    Merge *base* with the installed extensions selected; see
    :func:`dnn_supply_chain.load`.

    Every selected extension is read; a namespace that two or more of them
    declare belongs to none of them (each is skipped, naming the others);
    then the rest are merged, and any that does not merge is left out and
    the merge done again without it, until the rest merges.  Default and
    strict mode find the same problems; strict mode raises them.
    """
    if extensions is False:
        return base
    installed = _entry_points()
    selected = installed
    if extensions is not True:
        wanted = list(extensions)
        names = {ep.name for ep in installed}
        missing = [name for name in wanted if name not in names]
        if missing:
            listing = ", ".join(sorted(names)) or "none"
            problem = Problem(
                source="extensions",
                message=f"no extension named {', '.join(map(repr, missing))} is installed (installed: {listing})",
            )
            raise ExtensionError([problem], source="extensions")
        selected = [ep for ep in installed if ep.name in wanted]
    infos = [_info(ep) for ep in selected]
    fragments: dict[int, Fragment] = {}
    problems: dict[int, list[Problem]] = {}
    for k, ep in enumerate(selected):
        try:
            fragments[k] = _fragment_of(ep, infos[k])
        except ExtensionError as exc:
            problems[k] = list(exc.problems)
    claims: dict[str, list[int]] = {}
    for k, fragment in fragments.items():
        claims.setdefault(fragment.namespace, []).append(k)
    for namespace, claimants in claims.items():
        if len(claimants) < 2:  # noqa: PLR2004 - a namespace claimed twice
            continue
        for k in claimants:
            others = ", ".join(
                f"extension {infos[j].label}" for j in claimants if j != k
            )
            problems[k] = [
                Problem(
                    source=f"extension {infos[k].label}",
                    location=("namespace",),
                    message=(
                        f"namespace {namespace!r} is declared by {others} "
                        "too; a namespace belongs to one extension, so "
                        "none of them is loaded: uninstall all but one"
                    ),
                )
            ]
            del fragments[k]
    active = sorted(fragments)
    while True:
        parts = [
            Part(
                info=infos[k],
                fragment=fragments[k],
                source=f"extension {infos[k].label}",
            )
            for k in active
        ]
        merged, failures = combine(base, parts)
        if not failures:
            break
        for n, found in failures.items():
            problems[active[n]] = found
        active = [k for n, k in enumerate(active) if n not in failures]
    if strict and problems:
        raise ExtensionError(
            [p for k in sorted(problems) for p in problems[k]],
            source="extensions",
        )
    assert merged is not None  # noqa: S101 - the loop ends on success
    for k in sorted(problems):
        info = infos[k]
        causes = "; ".join(
            f"{p.path}: {p.message}" if p.path else p.message
            for p in problems[k]
        )
        warnings.warn(
            f"dnn-supply-chain skipped the broken extension {info.label}, "
            f"entry point {info.name} = {info.value!r}: {causes}",
            ExtensionWarning,
            stacklevel=3,
        )
    status: dict[tuple[str, str, str], ExtensionInfo] = {}
    for k, info in enumerate(infos):
        key = (info.name, info.distribution, info.value)
        if k in problems:
            status[key] = attrs.evolve(
                info, status="skipped", problems=tuple(problems[k])
            )
        else:
            fragment = fragments[k]
            count = sum(
                len(getattr(fragment, c))
                for c in (
                    "stages",
                    "categories",
                    "attacks",
                    "defenses",
                    "papers",
                )
            )
            status[key] = attrs.evolve(
                info,
                status="loaded",
                namespace=fragment.namespace,
                records=count,
            )
    report = []
    for ep in installed:
        info = _info(ep)
        report.append(
            status.get((info.name, info.distribution, info.value), info)
        )
    return merged._evolve(extensions=tuple(report))  # noqa: SLF001 - no check depends on it


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
    base = bundled() if taxonomy is None else taxonomy
    info = ExtensionInfo(
        name=fragment.namespace,
        distribution="<file>",
        version="-",
        value=source,
    )
    _, failures = combine(
        base, [Part(info=info, fragment=fragment, source=source)]
    )
    return tuple(failures.get(0, ()))
