"""
Reading a file that a user or a package names, within bounds.

Whatever the path is, reading it never hangs and never takes more memory
than the size limit: a FIFO, a device, a directory or a socket is refused
before it is opened for reading; a regular file is read up to the limit
and one byte more, so that a file that grows while it is read (or a
symlink to ``/dev/zero`` that races in) is refused too.  The text must be
UTF-8, without a byte order mark.

Every refusal is one :class:`ReadFailure` carrying the
:class:`~dnn_supply_chain.Problem` (the file, what is wrong, the fix),
which the caller raises as its own error.
"""

from __future__ import annotations

import codecs
import os
import re
import stat

from pathlib import Path
from typing import Final

from ._parsing import ParseFailure, parse
from .exceptions import Problem


__all__ = [
    "DEFAULT_LIMIT",
    "LIMIT_VARIABLE",
    "ReadFailure",
    "decode",
    "read_bytes",
    "read_data",
    "read_source",
    "read_text",
    "size_limit",
]

#: The size limit of a file read, in bytes, unless :data:`LIMIT_VARIABLE`
#: or the caller sets another: 16 MiB, about a hundred times the bundled
#: taxonomy.
DEFAULT_LIMIT: Final = 16 * 1024 * 1024

#: The environment variable that sets the size limit: a number of bytes,
#: with an optional ``K``, ``M`` or ``G`` suffix (powers of 1024), such as
#: ``64M``.
LIMIT_VARIABLE: Final = "DNN_SUPPLY_CHAIN_MAX_FILE_SIZE"

_SIZE: Final = re.compile(
    r"\s*([0-9][0-9_]*)\s*(?:([KMG])(?:i?B)?)?\s*", re.IGNORECASE
)
_UNITS: Final = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_CHUNK: Final = 1024 * 1024
# Longest first: the UTF-32 little-endian mark starts with UTF-16's.
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class ReadFailure(Exception):  # noqa: N818 - carried to the caller's error
    """
    A file that cannot be read: :attr:`problem` says which, why and how
    to fix it; :attr:`reason` is the cause alone, for callers that phrase
    their own message.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str | None,
        fix: str = "",
        problem: Problem | None = None,
    ) -> None:
        self.reason = reason
        message = f"cannot read the file: {reason}"
        if fix:
            message += f"; {fix}"
        self.problem = (
            Problem(source=source, message=message)
            if problem is None
            else problem
        )
        super().__init__(self.problem.message)


def _megabytes(size: int) -> str:
    mib = size / 1024**2
    return f"{mib:.0f} MiB" if mib >= 1 else f"{size} bytes"


def size_limit(limit: int | None = None, *, source: str | None = None) -> int:
    """
    The size limit in bytes: *limit* if given, else :data:`LIMIT_VARIABLE`
    if set, else :data:`DEFAULT_LIMIT`.

    Raises:
        ReadFailure: The variable is not a size.
    """
    if limit is not None:
        return limit
    raw = os.environ.get(LIMIT_VARIABLE, "")
    if not raw.strip():
        return DEFAULT_LIMIT
    found = _SIZE.fullmatch(raw)
    if found is None or int(found[1].replace("_", "")) < 1:
        reason = (
            f"{LIMIT_VARIABLE} is {raw!r}, which is not a size; set it to a "
            "number of bytes, such as 33554432 or 32M"
        )
        raise ReadFailure(reason, source=source)
    return int(found[1].replace("_", "")) * _UNITS[(found[2] or "").upper()]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(
    path: str | os.PathLike[str],
    *,
    source: str | None = None,
    limit: int | None = None,
) -> bytes:
    """
    The bytes of the regular file *path*, at most *limit* of them (see
    :func:`size_limit`).

    Args:
        path: The file; a symlink is followed, and what it points at
            must be a regular file too.
        source: How problems name the file (default: *path*).
        limit: The size limit in bytes.

    Raises:
        ReadFailure: The file is missing, is not a regular file, is too
            big, or cannot be read.
    """
    name = os.fspath(path)
    where = name if source is None else source
    if not name:
        msg = "the file name is empty"
        raise ReadFailure(msg, source=where)
    most = size_limit(limit, source=where)

    def refuse(mode: int) -> ReadFailure:
        return ReadFailure(
            f"it is {_kind(mode)}, not a regular file",
            source=where,
            fix="name a regular file",
        )

    def too_big(size: str) -> ReadFailure:
        return ReadFailure(
            f"it is {size}, more than the limit of {most} bytes "
            f"({_megabytes(most)})",
            source=where,
            fix=f"set {LIMIT_VARIABLE} to a bigger size (such as 64M) to "
            "read it",
        )

    try:
        info = Path(name).stat()
        if not stat.S_ISREG(info.st_mode):
            raise refuse(info.st_mode)
        if info.st_size > most:
            raise too_big(f"{info.st_size} bytes")
        # O_NONBLOCK: a FIFO swapped in after the stat must not block the
        # open; fstat below refuses it.
        flags = (
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_BINARY", 0)
        )
        fd = os.open(name, flags)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise refuse(mode)
            chunks: list[bytes] = []
            left = most + 1
            while left > 0:
                chunk = os.read(fd, min(left, _CHUNK))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except FileNotFoundError:
        msg = "no such file"
        raise ReadFailure(msg, source=where) from None
    except OSError as exc:
        raise ReadFailure(exc.strerror or str(exc), source=where) from None
    data = b"".join(chunks)
    if len(data) > most:
        msg = "bigger than that"
        raise too_big(msg)
    return data


def decode(data: bytes, *, source: str | None) -> str:
    """
    *data* as UTF-8 text, refusing a byte order mark.

    Raises:
        ReadFailure: A byte order mark, or bytes that are not UTF-8.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            if encoding == "UTF-8":
                msg = "it starts with a UTF-8 byte order mark (BOM)"
                fix = "save it as UTF-8 without a BOM"
            else:
                msg = (
                    f"it is {encoding} text (it starts with a {encoding} "
                    "byte order mark)"
                )
                fix = "save it as UTF-8"
            raise ReadFailure(msg, source=source, fix=fix)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"it is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise ReadFailure(reason, source=source) from None


def read_text(
    path: str | os.PathLike[str],
    *,
    source: str | None = None,
    limit: int | None = None,
) -> str:
    """
    The UTF-8 text of the regular file *path*; see :func:`read_bytes`.

    Raises:
        ReadFailure: As :func:`read_bytes`, or the file is not UTF-8
            text, or starts with a byte order mark.
    """
    where = os.fspath(path) if source is None else source
    return decode(read_bytes(path, source=where, limit=limit), source=where)


def read_data(
    path: str | os.PathLike[str],
    *,
    toml: bool,
    source: str | None = None,
    limit: int | None = None,
) -> object:
    """
    The parsed TOML or JSON data of the file *path*; see :func:`read_text`
    and :func:`dnn_supply_chain._parsing.parse`.

    Raises:
        ReadFailure: The file cannot be read, or its text parsed (then
            the problem has the line and column, or the location).
    """
    return read_source(path, toml=toml, source=source, limit=limit)[1]


def read_source(
    path: str | os.PathLike[str],
    *,
    toml: bool,
    source: str | None = None,
    limit: int | None = None,
) -> tuple[str, object]:
    """
    The text of the file *path* and its parsed TOML or JSON data, from
    one read; see :func:`read_data`.

    Raises:
        ReadFailure: As :func:`read_data`.
    """
    where = os.fspath(path) if source is None else source
    text = read_text(path, source=where, limit=limit)
    try:
        return text, parse(text, toml=toml)
    except ParseFailure as exc:
        problem = exc.problem(where)
        raise ReadFailure(exc.message, source=where, problem=problem) from None
