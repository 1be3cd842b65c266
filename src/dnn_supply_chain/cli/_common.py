"""
What the command modules share: the program's name, its parsers and
usage error, the signature of a command's handler, the ``--format``
option, and the two
ways output leaves the program: :class:`Output` (standard output) and
:func:`write_file` (``-o FILE``).
"""

from __future__ import annotations

import argparse
import codecs
import errno
import io
import os
import stat
import unicodedata

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final


if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TextIO, TypeAlias

    from dnn_supply_chain._taxonomy import Taxonomy

    #: What a command module's ``register()`` adds its commands to.
    # argparse has no public name for the type add_subparsers() returns.
    Subparsers: TypeAlias = argparse._SubParsersAction[  # noqa: SLF001
        argparse.ArgumentParser
    ]

    #: A command: it writes to the stream it is given and returns its exit
    #: status (``None`` for 0), or raises an error that ``main`` reports.
    Handler: TypeAlias = Callable[
        [Taxonomy, argparse.Namespace, TextIO], int | None
    ]


PROG = "dnn-supply-chain"

#: The exit status after Ctrl-C, as shells report a command that SIGINT
#: ended (128 + 2).
INTERRUPTED: Final = 130

# The error handler that writes a character the output's encoding cannot
# encode as a JSON escape: text stays readable, JSON stays exact.
_ESCAPE: Final = "dnn_supply_chain.escape"


def _escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:  # noqa: PLR2004 - outside the BMP: a surrogate pair
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}")
            out.append(f"\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


codecs.register_error(_ESCAPE, _escape)


#: Where a namespace keeps the dests of the options given once so far.
_GIVEN: Final = "_dnn_supply_chain_given"


class _StoreOnce(argparse._StoreAction):  # noqa: SLF001 - argparse's own
    """
    ``store``, but an option given twice is a usage error: without it the
    last value wins and the first is silently dropped.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        given: set[str] = namespace.__dict__.setdefault(_GIVEN, set())
        if option_string is not None and self.dest in given:
            msg = f"given more than once; give {option_string} once"
            raise argparse.ArgumentError(self, msg)
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    """
    The parser of the command and of each of its commands: an option that
    takes one value is refused when it is repeated (those that combine
    their values are ``action="append"``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)


def add_global_options(
    parser: argparse.ArgumentParser, *, command: bool = False
) -> None:
    """
    Add ``--version``, ``--strict`` and ``--no-extensions`` to *parser*.

    On a *command*'s parser they default to ``argparse.SUPPRESS``, so that
    they work after the command too and a command not given them leaves
    the top level's value; its help leaves them to the top level's.
    """
    default: object = argparse.SUPPRESS if command else False
    for flag, text in (
        ("--version", "show the version and exit"),
        ("--strict", "fail on a broken extension instead of skipping it"),
        (
            "--no-extensions",
            "use the bundled survey alone, without installed extensions",
        ),
    ):
        parser.add_argument(
            flag,
            action="store_true",
            default=default,
            help=argparse.SUPPRESS if command else text,
        )


class CommandParser(Parser):
    """
    The parser of a command: the global options work after it too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_global_options(self, command=True)


def given_once(args: argparse.Namespace) -> argparse.Namespace:
    """
    *args* without the record :class:`Parser` keeps of the options given.
    """
    vars(args).pop(_GIVEN, None)
    return args


def nonempty(what: str) -> Callable[[str], str]:
    """
    An argparse ``type`` that refuses an empty value (``--stage ''``),
    which would otherwise mean no filter at all.
    """

    def check(text: str) -> str:
        if not text.strip():
            msg = f"an empty value names no {what}"
            raise argparse.ArgumentTypeError(msg)
        return text

    return check


class UsageError(Exception):
    """
    A mistake in the command line that argparse cannot see.
    """


class OutputError(UsageError):
    """
    Output that cannot be written: a message naming the file and the
    cause (exit status 2).
    """


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """
    Add ``--format text|json`` to *parser*.
    """
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def encodes(out: TextIO | io.TextIOBase, text: str) -> bool:
    """
    Whether the encoding of *out* can encode *text*: the switch for
    output that has an ASCII form, such as the tree's box-drawing lines.
    """
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# Characters that a terminal acts on, or that hide or reorder what is
# shown: C0 controls but tab and newline (ESC starts the sequences that
# clear a screen or set a window title), DEL, C1 controls, the format
# characters (bidi controls, zero-width spaces, soft hyphen, tag
# characters; the two zero-width joiners stay, as scripts and emoji need
# them), line and paragraph separators, and lone surrogates. A CR that
# ends a line (CRLF, as CSV writes it) is a line ending, not a control.
_KEEP: Final = frozenset("\t\n\u200c\u200d")
_HIDDEN: Final = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
_BMP_LAST: Final = 0xFFFF


def _unsafe(char: str) -> bool:
    return char not in _KEEP and unicodedata.category(char) in _HIDDEN


def terminal_safe(text: str) -> str:
    """
    *text* with every character a terminal would act on, hide or reorder
    written as a ``\\uXXXX`` escape (a surrogate pair above U+FFFF): what data and
    users' files hold can neither move the cursor, clear the screen, set
    the window title nor disguise a line. Inside a JSON string the escape
    means the same character, so JSON output stays exact.
    """
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for i, char in enumerate(text):
        if not _unsafe(char) or (
            char == "\r" and text.startswith("\n", i + 1)
        ):
            out.append(char)
        elif ord(char) > _BMP_LAST:
            # As a UTF-16 surrogate pair: the escape JSON reads back.
            high, low = divmod(ord(char) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def one_line(text: str) -> str:
    """
    *text* as one line: a line break inside a field of data is written
    ``\\n``, so that the field cannot start a line of output of its own.
    """
    return text.replace("\r\n", "\\r\\n").replace("\n", "\\n")


class Output(io.TextIOBase):
    """
    Standard output as a command writes it.

    - A reader that went away (``| head``) is remembered in
      :attr:`broken`, not raised: the command runs on and keeps its own
      exit status, and what it writes after goes nowhere.
    - A character the stream's encoding cannot encode is written as a
      ``\\uXXXX`` escape (``errors="backslashreplace"`` with JSON's
      escapes), never an error.
    - A stream that is closed (``>&-``) is an :class:`OSError` on the
      first write, which ``main`` reports with exit status 2.
    - Every character a terminal would act on is escaped
      (:func:`terminal_safe`).
    """

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream
        #: The reader went away.
        self.broken = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """
        The encoding of the stream written to.
        """
        return getattr(self._stream, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        """
        Always: a closed stream fails on write, with a message.
        """
        return True

    def _target(self) -> TextIO:
        if self._stream is None or getattr(self._stream, "closed", False):
            raise OSError(errno.EBADF, "standard output is closed")
        return self._stream

    def close(self) -> None:
        """
        Stop writing; the stream itself is left open (and unflushed: the
        garbage collector closes this object, and the stream is not its
        to flush then).
        """
        self._stream = None
        super().close()

    def write(self, text: str) -> int:
        """
        Write *text*; see the class.
        """
        if self.broken:
            return len(text)
        stream = self._target()
        size = len(text)
        text = terminal_safe(text)
        try:
            try:
                stream.write(text)
            except UnicodeEncodeError:
                encoding = self.encoding
                stream.write(
                    text.encode(encoding, _ESCAPE).decode(encoding, "replace")
                )
        except BrokenPipeError:
            self.broken = True
        return size

    def flush(self) -> None:
        """
        Flush the stream; a reader that went away is remembered.
        """
        if (
            self.broken
            or self._stream is None
            or getattr(self._stream, "closed", False)
        ):
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self.broken = True


def detach(stream: TextIO) -> None:
    """
    Point the file descriptor of *stream* at the null device, so that
    what is left in its buffer (after a broken pipe or a full disk) is
    dropped quietly when Python exits, instead of failing again.
    """
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def write_file(name: str, text: str, *, overwrite: bool = True) -> Path:
    """
    Write *text* as UTF-8 to the file *name* through a temporary file in
    its folder, renamed over it once it is whole: a failure (a full disk,
    an error while writing) leaves an existing file as it was.

    A symlink is written through (its target is replaced); a file that is
    not a regular file (``/dev/null``, a FIFO) is written to directly,
    never replaced.

    Args:
        name: The file, as the user gave it.
        text: What to write.
        overwrite: Replace an existing file; without it, an existing file
            is an error (checked when the file is put in place, so that a
            file made meanwhile is not overwritten).

    Returns:
        The path written.

    Raises:
        OutputError: The file cannot be written: the message names it and
            says why.
    """
    if not name:
        msg = "cannot write '': name a file"
        raise OutputError(msg)
    path = Path(name)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    data = text.encode("utf-8")

    def fail(reason: str) -> OutputError:
        return OutputError(f"cannot write {name}: {reason}")

    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            msg = "it is a directory; name a file"
            raise fail(msg)
        if not overwrite:
            msg = "it exists; use --force to overwrite it"
            raise fail(msg)
        if not stat.S_ISREG(info.st_mode):
            try:
                with target.open("wb") as stream:
                    stream.write(data)
            except OSError as exc:
                raise fail(exc.strerror or str(exc)) from None
            return path
    folder = target.parent
    if not folder.is_dir():
        msg = f"there is no folder {str(folder)!r}"
        raise fail(msg)
    temporary = folder / f".{target.name}.{os.urandom(4).hex()}.tmp"
    mode = 0o666 if info is None else stat.S_IMODE(info.st_mode)
    try:
        fd = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
            mode,
        )
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if info is not None:
            # O_CREAT applied the umask: keep the replaced file's mode.
            temporary.chmod(mode)
        if overwrite:
            temporary.replace(target)
        else:
            _put_new(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            msg = "it exists; use --force to overwrite it"
            raise fail(msg) from None
        if isinstance(exc, OSError):
            raise fail(exc.strerror or str(exc)) from None
        raise
    return path


def _put_new(temporary: Path, target: Path) -> None:
    """
    Move *temporary* to *target*, which must not exist: a hard link fails
    if it does (FileExistsError); where links cannot be made, a check
    just before the rename.
    """
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(
                errno.EEXIST, "exists", str(target)
            ) from None
        temporary.replace(target)
    else:
        temporary.unlink()
