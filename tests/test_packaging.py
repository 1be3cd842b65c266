"""
The package as installed: public names, version, and the wheel's content.
"""

from __future__ import annotations

import subprocess
import sys
import typing
import zipfile

from importlib.metadata import version

import pytest

import dnn_supply_chain as dsc

from conftest import ROOT


class TestPublicApi:
    """
    The public namespace is explicit.
    """

    def test_all_sorted_and_resolvable(self):
        """
        __all__ has no duplicate and every name in it exists and is
        documented (ruff's RUF022 keeps it sorted).
        """
        assert len(set(dsc.__all__)) == len(dsc.__all__)
        for name in dsc.__all__:
            obj = getattr(dsc, name)
            # A type alias (Basis, Record) is documented by its #: comment.
            if typing.get_origin(obj) is not None:
                continue
            if isinstance(obj, type) or callable(obj):
                assert obj.__doc__, name

    def test_every_public_name_has_a_home(self):
        """
        The lazy re-exports cover exactly __all__.
        """
        assert sorted(dsc.__all__) == sorted(dsc._HOME_OF)

    def test_import_is_lazy(self):
        """
        Importing the package imports none of its modules (pytest imports
        it for the bundled plugin in every run).
        """
        code = (
            "import sys, dnn_supply_chain; "
            "print(sorted(m for m in sys.modules if m.startswith('dnn_supply_chain.')))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "[]\n" == result.stdout

    def test_version(self):
        """
        __version__ is the installed distribution's version.
        """
        assert version("dnn-supply-chain") == dsc.__version__

    def test_unknown_attribute(self):
        """
        A missing attribute raises AttributeError.
        """
        with pytest.raises(AttributeError):
            dsc.no_such_name  # noqa: B018

    def test_exceptions_module(self):
        """
        The errors subclass the built-ins callers already catch.
        """
        assert issubclass(dsc.UnknownIdError, KeyError)
        assert issubclass(dsc.TaxonomyDataError, ValueError)


class TestWheel:
    """
    The built wheel ships the data and the type marker.
    """

    def test_wheel_contents(self, tmp_path):
        """
        The wheel holds the data file, py.typed and the console script.
        """
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--quiet",
                "--wheel-dir",
                str(tmp_path),
                str(ROOT),
            ],
            check=True,
        )
        (wheel,) = tmp_path.glob("dnn_supply_chain-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            data = zf.read("dnn_supply_chain/data/taxonomy.json")
            entry_points = next(
                zf.read(n).decode()
                for n in names
                if n.endswith("entry_points.txt")
            )
        assert {
            "dnn_supply_chain/data/taxonomy.json",
            "dnn_supply_chain/py.typed",
            "dnn_supply_chain/__init__.py",
        } <= names
        assert (
            ROOT / "src" / "dnn_supply_chain" / "data" / "taxonomy.json"
        ).read_bytes() == data
        assert "dnn-supply-chain = dnn_supply_chain.cli:main" in entry_points
