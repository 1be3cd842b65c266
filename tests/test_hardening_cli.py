"""
The command line's output, round 2 (issue 12): every error writing is a
message and exit status 2, a reader that goes away leaves the command's
own exit status, Ctrl-C is 130, a console that cannot encode a character
gets an escape, and ``-o`` never leaves a half-written file.

Pipes, closed descriptors and signals are real: those tests run the
command in a subprocess, with a timeout.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

from pathlib import Path

import pytest

from dnn_supply_chain import _loading
from dnn_supply_chain.cli import _common, main
from dnn_supply_chain.cli._common import OutputError, write_file


posix_only = pytest.mark.skipif(
    os.name != "posix", reason="POSIX descriptors and signals"
)
COMMAND = [
    sys.executable,
    "-c",
    "import sys; from dnn_supply_chain.cli import main; sys.exit(main(sys.argv[1:]))",
]
FAILING_MODEL = 'name = "x"\n[scope]\nstages = ["usage"]\n'


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def spawn(*args, env=None, **kwargs):
    return subprocess.Popen(
        [*COMMAND, *args],
        env={**os.environ, **(env or {})},
        **kwargs,
    )


class TestOutputFile:
    """
    export -o: every error is a message and exit 2; the file is whole or
    as it was.
    """

    @pytest.mark.parametrize(
        ("target", "message"),
        [
            ("missing/x.json", "there is no folder 'missing'"),
            (".", "it is a directory; name a file"),
            ("", None),
        ],
        ids=["missing-folder", "directory", "empty-name"],
    )
    def test_bad_targets(self, capsys, tmp_path, monkeypatch, target, message):
        """
        A missing folder, a directory and an empty name are messages.
        """
        monkeypatch.chdir(tmp_path)
        code, out, err = run(
            capsys, "export", "--format", "json", "-o", target
        )
        expected = (
            f"cannot write {target}: {message}"
            if message
            else "cannot write '': name a file"
        )
        assert (2, "", f"dnn-supply-chain: error: {expected}\n") == (
            code,
            out,
            err,
        )
        assert [] == [p.name for p in tmp_path.iterdir()]

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full")
    def test_full_disk(self, capsys):
        """
        /dev/full is written to directly (never replaced) and fails with
        the cause.
        """
        code, _, err = run(
            capsys, "export", "--format", "csv", "-o", "/dev/full"
        )
        assert (
            2,
            "dnn-supply-chain: error: cannot write /dev/full: No space left on device\n",
        ) == (code, err)
        assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)

    def test_failure_leaves_the_old_file(self, capsys, tmp_path, monkeypatch):
        """
        A write that fails half-way leaves the existing file as it was,
        and no temporary file behind.
        """
        path = tmp_path / "out.json"
        path.write_text("old\n", "utf-8")

        def full(_fd, _data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(_common.os, "write", full)
        code, _, err = run(
            capsys, "export", "--format", "json", "-o", str(path)
        )
        assert 2 == code
        assert f"cannot write {path}: No space left on device" in err
        assert "old\n" == path.read_text("utf-8")
        assert ["out.json"] == [p.name for p in tmp_path.iterdir()]


class TestWriteFile:
    """
    write_file, the helper -o uses (and init will).
    """

    def test_replaces_keeping_the_mode(self, tmp_path):
        """
        An existing file is replaced whole and keeps its permissions.
        """
        path = tmp_path / "f.txt"
        path.write_text("old", "utf-8")
        path.chmod(0o640)
        assert path == write_file(str(path), "new ✓")
        assert "new ✓" == path.read_text("utf-8")
        assert 0o640 == stat.S_IMODE(path.stat().st_mode)

    def test_no_overwrite(self, tmp_path):
        """
        Without overwrite an existing file is an error and stays.
        """
        path = tmp_path / "f.txt"
        path.write_text("old", "utf-8")
        with pytest.raises(OutputError, match="exists; use --force"):
            write_file(str(path), "new", overwrite=False)
        assert "old" == path.read_text("utf-8")
        fresh = tmp_path / "g.txt"
        write_file(str(fresh), "new", overwrite=False)
        assert "new" == fresh.read_text("utf-8")
        assert {"f.txt", "g.txt"} == {p.name for p in tmp_path.iterdir()}

    def test_no_overwrite_race(self, tmp_path, monkeypatch):
        """
        A file made between the check and the rename is not overwritten.
        """
        path = tmp_path / "f.txt"
        real_link = os.link

        def link(source, target):
            Path(target).write_text("theirs", "utf-8")
            real_link(source, target)

        monkeypatch.setattr(_common.os, "link", link)
        with pytest.raises(OutputError, match="exists"):
            write_file(str(path), "mine", overwrite=False)
        assert "theirs" == path.read_text("utf-8")
        assert ["f.txt"] == [p.name for p in tmp_path.iterdir()]

    @pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
    def test_symlink_written_through(self, tmp_path):
        """
        A symlink stays a symlink; its target gets the text.
        """
        target = tmp_path / "real.txt"
        target.write_text("old", "utf-8")
        link = tmp_path / "link.txt"
        link.symlink_to(target)
        write_file(str(link), "new")
        assert link.is_symlink()
        assert "new" == target.read_text("utf-8")

    @pytest.mark.skipif(not Path(os.devnull).exists(), reason="null device")
    def test_device_written_directly(self):
        """
        The null device is written to, never replaced by a file.
        """
        write_file(os.devnull, "text")
        assert not Path(os.devnull).is_file()


@posix_only
class TestStandardOutput:
    """
    Standard output closed, full, gone or unable to encode.
    """

    def test_closed(self):
        """
        >&-: a message and exit 2, without a traceback.
        """
        result = subprocess.run(
            [
                shutil.which("sh") or "/bin/sh",
                "-c",
                'exec "$@" >&-',
                "sh",
                *COMMAND,
                "tree",
            ],
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
        assert (
            2,
            "dnn-supply-chain: error: cannot write the output: standard output is closed\n",
        ) == (result.returncode, result.stderr)

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full")
    @pytest.mark.parametrize("args", [["tree"], ["--version"]])
    def test_full(self, args):
        """
        > /dev/full: the cause and exit 2, nothing more.
        """
        with Path("/dev/full").open("w") as full:
            result = subprocess.run(
                [*COMMAND, *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                check=False,
            )
        assert (
            2,
            "dnn-supply-chain: error: cannot write the output: No space left on device\n",
        ) == (result.returncode, result.stderr)

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (["check", "{model}"], 1),
            (["tree"], 0),
            (["--version"], 0),
            (["export", "--format", "json"], 0),
        ],
        ids=["failing-check", "tree", "version", "export"],
    )
    def test_reader_goes_away(self, tmp_path, args, code):
        """
        A reader that closes the pipe at once leaves the command's own
        exit status (1 for a failing policy) and a quiet stderr.
        """
        model = tmp_path / "model.toml"
        model.write_text(FAILING_MODEL, "utf-8")
        proc = spawn(
            *(a.format(model=model) for a in args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
        assert (code, b"") == (proc.returncode, err)

    @pytest.mark.skipif(not shutil.which("bash"), reason="bash")
    def test_pipefail_gate(self, tmp_path):
        """
        check FILE | head -c1 under pipefail fails, as the policy does.
        """
        model = tmp_path / "model.toml"
        model.write_text(FAILING_MODEL, "utf-8")
        command = " ".join(f"'{part}'" for part in COMMAND)
        result = subprocess.run(
            [
                shutil.which("bash") or "bash",
                "-c",
                f"set -o pipefail; {command} check '{model}' | head -c1",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (1, "T", "") == (
            result.returncode,
            result.stdout,
            result.stderr,
        )

    def test_ascii_console(self):
        """
        A console that cannot encode the output gets escapes, exit 0; JSON
        through it reads back exactly.
        """
        env = {"PYTHONIOENCODING": "ascii"}
        outputs = {}
        for name, extra in (
            ("ascii", env),
            ("utf-8", {"PYTHONIOENCODING": "utf-8"}),
        ):
            proc = spawn(
                "export",
                "--format",
                "json",
                env=extra,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = proc.communicate(timeout=60)
            assert (0, b"") == (proc.returncode, err)
            outputs[name] = out
        assert outputs["ascii"].isascii()
        assert json.loads(outputs["utf-8"]) == json.loads(outputs["ascii"])
        proc = spawn(
            "tree", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = proc.communicate(timeout=60)
        assert (0, b"") == (proc.returncode, err)
        assert "\\u4f7f\\u7528\\u9636\\u6bb5" in out.decode("ascii")
        # The branches fall back to ASCII glyphs, not escapes.
        assert "|-- Attacks (" in out.decode("ascii")
        assert "\\u251c" not in out.decode("ascii")

    def test_escape_outside_the_basic_plane(self):
        """
        A character beyond U+FFFF is escaped as a JSON surrogate pair.
        """

        class Ascii:
            encoding = "ascii"

            def __init__(self):
                self.text = ""

            def write(self, text):
                self.text += text.encode("ascii").decode("ascii")

        stream = Ascii()
        _common.Output(stream).write('"\U0001f600é"')  # type: ignore[arg-type]
        assert '"\\ud83d\\ude00\\u00e9"' == stream.text
        assert "\U0001f600é" == json.loads(stream.text)


@posix_only
class TestInterrupt:
    """
    Ctrl-C ends a command with exit 130 and no traceback.
    """

    def test_sigint(self, tmp_path):
        """
        SIGINT while an extension runs: 130, one line on stderr.
        """
        site = tmp_path / "site"
        info = site / "slow_ext-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: slow-ext\nVersion: 1.0\n", "utf-8"
        )
        (info / "entry_points.txt").write_text(
            "[dnn_supply_chain.extensions]\nslow = slow_ext:fragment\n",
            "utf-8",
        )
        marker = tmp_path / "started"
        (site / "slow_ext.py").write_text(
            "import pathlib, time\n"
            "def fragment():\n"
            f"    pathlib.Path({str(marker)!r}).touch()\n"
            "    time.sleep(60)\n",
            "utf-8",
        )
        proc = spawn(
            "tree",
            env={"PYTHONPATH": str(site)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline, "the extension never ran"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert (130, b"", b"dnn-supply-chain: interrupted\n") == (
            proc.returncode,
            out,
            err,
        )

    def test_in_process(self, capsys, monkeypatch):
        """
        main() returns 130 for a KeyboardInterrupt raised anywhere.
        """

        def interrupt(**_):
            raise KeyboardInterrupt

        monkeypatch.setattr(_loading, "load", interrupt)
        assert (130, "", "dnn-supply-chain: interrupted\n") == run(
            capsys, "tree"
        )
