"""
The files shipped in the package: the data files, read with
:mod:`importlib.resources`, and the manifest that names and checksums them.
"""

from __future__ import annotations

import hashlib

from importlib.resources import files

import attrs

from ._parsing import ParseFailure, parse
from .exceptions import Problem, TaxonomyDataError


__all__ = ["Manifest", "parse_json", "read_manifest", "verify"]

_COUNTED = ("stages", "categories", "attacks", "defenses", "papers")


def parse_json(text: str, source: str) -> object:
    try:
        return parse(text, toml=False)
    except ParseFailure as exc:
        problem = Problem(
            source=source, path=exc.where, record=None, message=exc.message
        )
        raise TaxonomyDataError([problem]) from None


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
        data = parse_json(text, source)
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
            **{k: counts[k] for k in _COUNTED},
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
