"""
The taxonomy :func:`load` returns: the bundled data, checked against its
manifest and cached, merged with the installed extensions.
"""

from __future__ import annotations

import threading

from collections.abc import Sequence

from ._io import bundled
from ._taxonomy import Taxonomy
from .extensions._discovery import build


__all__ = ["load"]


_lock = threading.RLock()
_merged: dict[tuple[bool | tuple[str, ...], bool], Taxonomy] = {}


def load(
    *, extensions: bool | Sequence[str] = True, strict: bool = False
) -> Taxonomy:
    """
    Return the taxonomy: the bundled survey, merged with the installed
    extensions.

    The data is read and checked on the first call only; every later call
    with the same arguments, from any thread, returns the same object.

    Args:
        extensions: ``True`` merges every installed extension, ``False``
            none (the bundled survey alone); a list of entry point names
            merges those.
        strict: Raise :class:`~dnn_supply_chain.ExtensionError` for a
            broken extension, instead of skipping it with an
            :class:`~dnn_supply_chain.ExtensionWarning`.

    Raises:
        TaxonomyDataError: The bundled data is damaged (a broken install).
        ExtensionError: With *strict*, an extension is broken; or
            *extensions* names one that is not installed.

    .. versionadded:: 0.1.0
    """
    if isinstance(extensions, str):
        msg = "extensions is a list of names, not a string"
        raise TypeError(msg)
    key = (
        extensions if isinstance(extensions, bool) else tuple(extensions),
        strict,
    )
    tax = _merged.get(key)
    if tax is None:
        with _lock:
            tax = _merged.get(key)
            if tax is None:
                tax = build(bundled(), extensions=extensions, strict=strict)
                _merged[key] = tax
    return tax
