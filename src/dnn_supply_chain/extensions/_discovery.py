"""
Finding the installed extensions and loading what they declare.
"""

from __future__ import annotations

import warnings

from collections.abc import Sequence
from importlib import metadata
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Final

import attrs

from dnn_supply_chain._io import bundled
from dnn_supply_chain._records import ExtensionInfo
from dnn_supply_chain._taxonomy import Taxonomy
from dnn_supply_chain.exceptions import ExtensionError, Problem

from ._fragments import Fragment, fragment_from_dict, parse_text
from ._merge import Part, combine


__all__ = [
    "ENTRY_POINT_GROUP",
    "ExtensionWarning",
    "build",
    "installed_extensions",
    "validate_fragment",
]

#: The entry point group extensions declare themselves in.
ENTRY_POINT_GROUP: Final = "dnn_supply_chain.extensions"


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
        path = _data_file(ep.dist, module, attr)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"cannot read {attr} in package {module}: {exc}"
            raise broken(msg) from None
        data = parse_text(
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
                message=f"no extension named {', '.join(map(repr, missing))} is installed (installed: {listing})",
            )
            raise ExtensionError([problem], source="extensions")
        eps = [ep for ep in eps if ep.name in wanted]
    infos: list[ExtensionInfo] = []
    parts: list[Part] = []
    skipped: dict[str, tuple[ExtensionInfo, list[Problem]]] = {}
    for ep in eps:
        info = _info(ep)
        try:
            fragment = _fragment_of(ep, info)
        except ExtensionError as exc:
            skipped[info.name] = (info, list(exc.problems))
            continue
        parts.append(
            Part(
                info=info, fragment=fragment, source=f"extension {info.label}"
            )
        )
        infos.append(info)
    while True:
        merged, failures = combine(base, parts)
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
