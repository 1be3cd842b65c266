"""
What the API reference shows of constructors.
"""

from __future__ import annotations

import inspect
import re

import attrs
import pytest

import dnn_supply_chain as dsc


ATTRS_CLASSES = sorted(
    (
        cls
        for cls in (getattr(dsc, name) for name in dsc.__all__)
        if isinstance(cls, type) and attrs.has(cls)
    ),
    key=lambda cls: cls.__name__,
)


def described(cls: type) -> set[str]:
    """
    The names the ``Args:`` section of *cls*'s docstring describes.
    """
    doc = inspect.getdoc(cls) or ""
    section = re.search(
        r"^Args:\n((?:    .*\n|\n)+)", doc + "\n", re.MULTILINE
    )
    assert section is not None, f"{cls.__name__} has no Args: section"
    return set(re.findall(r"^    (\w+):", section[1], re.MULTILINE))


class TestConstructors:
    """
    The documented constructors.
    """

    def test_taxonomy_arguments_described(self):
        """
        Every argument of Taxonomy() is described in the class docstring,
        which is what the reference shows.
        """
        params = set(inspect.signature(dsc.Taxonomy).parameters)
        assert params == described(dsc.Taxonomy)

    @pytest.mark.parametrize(
        "cls", ATTRS_CLASSES, ids=lambda cls: cls.__name__
    )
    def test_factory_defaults_have_a_spelling(self, cls):
        """
        Every factory default is a class, which the docs spell as its
        call (``attributes=Attributes()``), not as ``<factory>``.
        """
        for field in attrs.fields(cls):
            if isinstance(field.default, attrs.Factory) and field.init:
                assert isinstance(field.default.factory, type), field.name
