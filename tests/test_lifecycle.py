"""
The id lifecycle: deprecated ids, their successors, and the guard on
released ids.
"""

from __future__ import annotations

import warnings

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT


RELEASED = [
    line.split()
    for line in (ROOT / "tests" / "released-ids.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("#")
]


@pytest.fixture(name="renamed")
def _renamed(tax):
    """
    The bundled taxonomy where three ids were renamed, merged and split.
    """
    data = dsc.taxonomy_to_dict(tax)
    data["deprecated"] = [
        {
            "id": "sra",
            "change": "renamed",
            "successors": ["subnet-replacement-attack"],
            "since": "0.2.0",
        },
        {
            "id": "old-quantization",
            "change": "merged",
            "successors": ["quantization-backdoor"],
            "since": "0.2.0",
            "note": "one attack",
        },
        {
            "id": "encoder-attacks",
            "change": "split",
            "successors": ["badencoder", "poisonedencoder"],
            "since": "0.3.0",
        },
    ]
    return dsc.taxonomy_from_dict(data)


class TestDeprecatedIds:
    """
    get() and the typed helpers follow deprecated ids.
    """

    def test_get_follows_a_rename(self, renamed):
        """
        A renamed id gives its successor, warning with its name.
        """
        with pytest.warns(
            DeprecationWarning,
            match=r"'sra' was renamed in 0\.2\.0; use 'subnet-replacement-attack'",
        ):
            rec = renamed.get("sra")
        assert renamed.attack("subnet-replacement-attack") is rec

    def test_typed_helper_follows(self, renamed):
        """
        attack() follows a merged id too.
        """
        with pytest.warns(DeprecationWarning, match="merged"):
            assert (
                "quantization-backdoor"
                == renamed.attack("old-quantization").id
            )

    def test_warning_points_at_the_caller(self, renamed):
        """
        The warning is reported at the line that asked.
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            renamed.get("sra")
        assert __file__ == caught[0].filename

    def test_split_names_the_parts(self, renamed):
        """
        A split id cannot be followed: the error names its parts.
        """
        with pytest.raises(
            dsc.UnknownIdError,
            match=r"split into 'badencoder' and 'poisonedencoder' in 0\.3\.0",
        ):
            renamed.get("encoder-attacks")

    def test_successor_of(self, renamed):
        """
        successor_of tells the successors, or nothing.
        """
        assert ("badencoder", "poisonedencoder") == renamed.successor_of(
            "encoder-attacks"
        )
        assert () == renamed.successor_of("ripple")
        assert "sra" not in renamed

    def test_round_trip(self, renamed):
        """
        Deprecations survive the JSON form.
        """
        again = dsc.taxonomy_from_dict(dsc.taxonomy_to_dict(renamed))
        assert renamed == again
        assert renamed.deprecated == again.deprecated

    @pytest.mark.parametrize(
        ("entry", "path", "message"),
        [
            (
                {
                    "id": "ripple",
                    "change": "renamed",
                    "successors": ["badencoder"],
                    "since": "0.2.0",
                },
                "deprecated[0].id",
                "never reused",
            ),
            (
                {
                    "id": "gone",
                    "change": "renamed",
                    "successors": ["nowhere"],
                    "since": "0.2.0",
                },
                "deprecated[0].successors[0]",
                "names no record",
            ),
            (
                {
                    "id": "gone",
                    "change": "split",
                    "successors": ["ripple"],
                    "since": "0.2.0",
                },
                "deprecated[0].successors",
                "two or more successors",
            ),
            (
                {
                    "id": "gone",
                    "change": "vanished",
                    "successors": ["ripple"],
                    "since": "0.2.0",
                },
                "deprecated[0].change",
                "must be in",
            ),
        ],
    )
    def test_bad_deprecations(self, tax, entry, path, message):
        """
        A deprecation that reuses an id, points nowhere or is malformed is
        refused, with its path.
        """
        data = dsc.taxonomy_to_dict(tax)
        data["deprecated"] = [entry]
        with pytest.raises(dsc.TaxonomyDataError) as exc_info:
            dsc.taxonomy_from_dict(data)
        assert any(
            p.path == path and message in p.message
            for p in exc_info.value.problems
        ), exc_info.value


class TestReleasedIds:
    """
    A released id keeps its meaning or is deprecated, and is never reused.
    """

    def test_every_released_id_resolves(self, tax):
        """
        Each released id names a record, or is deprecated with successors
        that do.
        """
        assert RELEASED
        for rid, _ in RELEASED:
            if rid in tax:
                continue
            successors = tax.successor_of(rid)
            assert successors, (
                f"{rid!r} was released and is gone: deprecate it"
            )
            for successor in successors:
                assert successor in tax

    def test_every_bundled_id_was_released(self, tax):
        """
        New ids are added to the released list when they ship.
        """
        released = {rid for rid, _ in RELEASED}
        current = {
            r.id
            for c in ("stages", "categories", "attacks", "defenses", "papers")
            for r in getattr(tax, c)
        }
        assert set() == current - released

    def test_released_ids_keep_their_kind(self):
        """
        The list names each id once.
        """
        ids = [rid for rid, _ in RELEASED]
        assert len(ids) == len(set(ids))


class TestManifest:
    """
    The bundled data carries a manifest that load() verifies.
    """

    def test_manifest(self, tax):
        """
        The manifest names the versions and counts of the loaded data.
        """
        manifest = dsc.load().manifest
        assert manifest is not None
        assert dsc.read_manifest() == manifest
        assert ("0.1.0", "5.6.0", "2023") == (
            manifest.data_version,
            manifest.atlas_version,
            manifest.owasp_edition,
        )
        assert (4, 4, 42, 18, 61) == (
            manifest.stages,
            manifest.categories,
            manifest.attacks,
            manifest.defenses,
            manifest.papers,
        )
        assert tax.atlas_version == manifest.atlas_version
        assert "newest listing" in manifest.survey_edition

    @pytest.mark.parametrize("name", ["taxonomy.json", "crosswalk.json"])
    def test_tampered_file(self, tmp_path, monkeypatch, name):
        """
        A data file changed after installation gives a clear error.
        """
        import shutil

        from dnn_supply_chain import _io, _loading, _packaged, crosswalk

        data = tmp_path / "data"
        shutil.copytree(ROOT / "src" / "dnn_supply_chain" / "data", data)
        path = data / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("5.6.0", "5.7.0", 1),
            encoding="utf-8",
        )
        monkeypatch.setattr(_packaged, "files", lambda _: tmp_path)
        monkeypatch.setattr(_io, "_cached", None)
        monkeypatch.setattr(_loading, "_merged", {})
        crosswalk.load_crosswalk.cache_clear()
        loader = (
            (lambda: dsc.load(extensions=False))
            if name == "taxonomy.json"
            else dsc.load_crosswalk
        )
        try:
            with pytest.raises(
                dsc.TaxonomyDataError, match="checksum mismatch"
            ) as exc_info:
                loader()
        finally:
            crosswalk.load_crosswalk.cache_clear()
        assert "reinstall dnn-supply-chain" in str(exc_info.value)
        assert name in exc_info.value.problems[0].source
