"""
The files shipped in the package: the data files, read with
:mod:`importlib.resources`, and the manifest that names and checksums them.
"""

from __future__ import annotations

import hashlib

from importlib.resources import files
from typing import Final, TypeVar

import attrs

from . import _checks as rules
from ._convert import structure
from ._parsing import ParseFailure, parse
from .exceptions import Problem, TaxonomyDataError


__all__ = [
    "Manifest",
    "parse_json",
    "read_manifest",
    "read_packaged",
    "read_verified",
    "verify",
]

_T = TypeVar("_T")
_MANIFEST: Final = "manifest.json"
_REINSTALL: Final = "reinstall dnn-supply-chain"


def parse_json(text: str, source: str) -> object:
    """
    Parse the JSON text of a data file, or raise
    :class:`TaxonomyDataError`.
    """
    try:
        return parse(text, toml=False)
    except ParseFailure as exc:
        raise TaxonomyDataError([exc.problem(source)]) from None


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
    data = _parse_packaged(raw, source)
    found = structure(data, cls, source=source, location=())
    if isinstance(found, list):
        raise TaxonomyDataError(
            [
                attrs.evolve(p, message=f"{p.message}; {_REINSTALL}")
                for p in found
            ]
        )
    return found


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


def _read_bytes(name: str, source: str) -> bytes:
    try:
        return (files("dnn_supply_chain") / "data" / name).read_bytes()
    except OSError as exc:
        problem = Problem(
            source=source,
            message=f"cannot read the file ({exc.strerror or exc}); {_REINSTALL}",
        )
        raise TaxonomyDataError([problem]) from None


def _parse_packaged(raw: bytes, source: str) -> object:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(
            source=source,
            message=f"the file is not UTF-8 text ({exc.reason} at byte "
            f"{exc.start}); {_REINSTALL}",
        )
        raise TaxonomyDataError([problem]) from None
    try:
        return parse(text, toml=False)
    except ParseFailure as exc:
        problem = exc.problem(source)
        raise TaxonomyDataError(
            [attrs.evolve(problem, message=f"{problem.message}; {_REINSTALL}")]
        ) from None


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
    if expected != actual:
        problem = Problem(
            source=f"dnn_supply_chain/data/{name}",
            message=(
                f"checksum mismatch: the file is not the one released with "
                f"data {manifest.data_version} (sha256 {actual}, expected "
                f"{expected}); it was changed or damaged after installation: "
                "reinstall dnn-supply-chain"
            ),
        )
        raise TaxonomyDataError([problem])
