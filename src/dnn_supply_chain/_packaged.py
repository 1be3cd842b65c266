"""
The files shipped in the package: the data files, read with
:mod:`importlib.resources`, and the manifest that names and checksums them.

Every way an installed file can be damaged (missing, a directory, not
UTF-8, not the file released, malformed) is one
:class:`~dnn_supply_chain.TaxonomyDataError` naming the file and saying to
reinstall.
"""

from __future__ import annotations

import hashlib
import re

from importlib.resources import files
from pathlib import Path
from typing import Final, TypeVar

import attrs

from . import _checks as rules
from ._convert import structure
from ._files import ReadFailure, decode, read_bytes
from ._parsing import ParseFailure, parse
from .exceptions import Problem, TaxonomyDataError


__all__ = [
    "REINSTALL",
    "Manifest",
    "parse_packaged",
    "read_manifest",
    "read_packaged",
    "read_verified",
    "read_verified_text",
    "reinstall",
    "verify",
]

_T = TypeVar("_T")
_MANIFEST: Final = "manifest.json"
#: The fix for every problem with an installed file.
REINSTALL: Final = "reinstall dnn-supply-chain"
_SHA256: Final = re.compile(r"[0-9a-f]{64}")


def reinstall(problems: list[Problem]) -> TaxonomyDataError:
    """
    The error for *problems* of installed files, each ending with the
    advice to reinstall.
    """
    return TaxonomyDataError(
        [
            p
            if p.message.endswith(REINSTALL)
            else attrs.evolve(p, message=f"{p.message}; {REINSTALL}")
            for p in problems
        ]
    )


def read_packaged(name: str, cls: type[_T]) -> _T:
    """
    Read the packaged data file *name*, check it against the manifest and
    structure it as a *cls* with the converter.

    Raises:
        TaxonomyDataError: The file is missing, changed since release or
            malformed; the message says to reinstall.
    """
    source = f"dnn_supply_chain/data/{name}"
    raw = (
        _read_bytes(name, source) if name == _MANIFEST else read_verified(name)
    )
    data = parse_packaged(raw, source)
    if name == _MANIFEST:
        _check_checksums(data, source)
    found = structure(data, cls, source=source, location=())
    if isinstance(found, list):
        raise reinstall(found)
    return found


def _check_checksums(data: object, source: str) -> None:
    """
    Refuse a manifest whose ``sha256`` is not an object of file names to
    SHA-256 digests (the converter would say less about it).
    """
    if not isinstance(data, dict) or "sha256" not in data:
        return
    sums = data["sha256"]
    if not isinstance(sums, dict):
        problem = Problem(
            source=source,
            location=("sha256",),
            message="expected an object of file names to SHA-256 digests, "
            f"got {type(sums).__name__}",
        )
        raise reinstall([problem])
    for key, value in sums.items():
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            problem = Problem(
                source=source,
                location=("sha256", key),
                message="expected a SHA-256 digest (64 hexadecimal digits), "
                f"got {type(value).__name__} {value!r:.80}",
            )
            raise reinstall([problem])


def read_verified(name: str) -> bytes:
    """
    Return the bytes of the packaged data file *name*, checked against the
    manifest.

    Raises:
        TaxonomyDataError: The file is missing or changed since release.
    """
    raw = _read_bytes(name, f"dnn_supply_chain/data/{name}")
    verify(name, raw, read_manifest())
    return raw


def read_verified_text(name: str) -> str:
    """
    The UTF-8 text of the packaged data file *name* (a path under
    ``data/``, such as ``examples/edge-deployment.toml``), checked against
    the manifest.

    Raises:
        TaxonomyDataError: The file is missing, changed since release or
            not UTF-8 text; the message says to reinstall.
    """
    source = f"dnn_supply_chain/data/{name}"
    try:
        return decode(read_verified(name), source=source)
    except ReadFailure as exc:
        raise reinstall([exc.problem]) from None


def _read_bytes(name: str, source: str) -> bytes:
    resource = files("dnn_supply_chain").joinpath("data", *name.split("/"))
    try:
        if isinstance(resource, Path):
            # A file on disk: read within bounds (never a FIFO, a device
            # or more than the size limit).
            return read_bytes(resource, source=source)
        return resource.read_bytes()
    except ReadFailure as exc:
        raise reinstall([exc.problem]) from None
    except OSError as exc:
        problem = Problem(
            source=source,
            message=f"cannot read the file: {exc.strerror or exc}",
        )
        raise reinstall([problem]) from None


def parse_packaged(raw: bytes, source: str) -> object:
    """
    Parse the bytes of a packaged JSON file, or raise the "reinstall"
    :class:`TaxonomyDataError`.
    """
    try:
        return parse(decode(raw, source=source), toml=False)
    except ReadFailure as exc:
        raise reinstall([exc.problem]) from None
    except ParseFailure as exc:
        raise reinstall([exc.problem(source)]) from None


# manifest.json as it is written, read with the converter (a good file by
# the fields' fast checks, without importing cattrs).
_STR = rules.string()
_COUNT = rules.integer(0)


@attrs.frozen(kw_only=True)
class _Survey:
    title: str = rules.field(_STR)
    edition: str = rules.field(_STR)
    listing: str = rules.field(_STR)
    listing_commit: str = rules.field(_STR)


@attrs.frozen(kw_only=True)
class _Counts:
    stages: int = rules.field(_COUNT)
    categories: int = rules.field(_COUNT)
    attacks: int = rules.field(_COUNT)
    defenses: int = rules.field(_COUNT)
    papers: int = rules.field(_COUNT)


@attrs.frozen(kw_only=True)
class _ManifestFile:
    """
    ``manifest.json`` as it is written.
    """

    data_version: str = rules.field(_STR)
    survey: _Survey = rules.field(rules.nested(_Survey))
    atlas_version: str = rules.field(_STR)
    owasp_edition: str = rules.field(_STR)
    counts: _Counts = rules.field(rules.nested(_Counts))
    sha256: dict[str, str] = rules.field(rules.string_map())


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


def read_manifest() -> Manifest:
    """
    Return the manifest of the bundled data (without loading the data).

    Raises:
        TaxonomyDataError: The manifest is missing or damaged.

    .. versionadded:: 0.1.0
    """
    found = read_packaged(_MANIFEST, _ManifestFile)
    return Manifest(
        data_version=found.data_version,
        survey_title=found.survey.title,
        survey_edition=found.survey.edition,
        survey_listing=found.survey.listing,
        listing_commit=found.survey.listing_commit,
        atlas_version=found.atlas_version,
        owasp_edition=found.owasp_edition,
        sha256=tuple(sorted(found.sha256.items())),
        **attrs.asdict(found.counts),
    )


def verify(name: str, data: bytes, manifest: Manifest) -> None:
    """
    Check a bundled data file against the manifest's checksum.

    Raises:
        TaxonomyDataError: The file is not the one released.
    """
    expected = dict(manifest.sha256).get(name)
    actual = hashlib.sha256(data).hexdigest()
    if expected is None:
        problem = Problem(
            source=f"dnn_supply_chain/data/{name}",
            message=(
                "the manifest has no checksum for this file, so it cannot "
                f"be verified; {REINSTALL}"
            ),
        )
        raise TaxonomyDataError([problem])
    if expected != actual:
        problem = Problem(
            source=f"dnn_supply_chain/data/{name}",
            message=(
                f"checksum mismatch: the file is not the one released with "
                f"data {manifest.data_version} (sha256 {actual}, expected "
                f"{expected}); it was changed or damaged after installation: "
                f"{REINSTALL}"
            ),
        )
        raise TaxonomyDataError([problem])
