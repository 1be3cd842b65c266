"""
Threat-model files and the commands that read and write them, hardened
(issue 12): bounded reads, an atomic ``init``, and the shipped example
checked against the manifest.
"""

from __future__ import annotations

import os

import pytest

import dnn_supply_chain as dsc

from dnn_supply_chain import _packaged
from dnn_supply_chain.cli import _common, main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestReading:
    """
    A threat-model path that is not a regular file is refused before it is
    read.
    """

    @pytest.mark.skipif(os.name != "posix", reason="FIFOs are POSIX")
    def test_fifo(self, tmp_path, capsys):
        """
        A FIFO named like a threat model is a problem, not a hang.
        """
        fifo = tmp_path / "model.toml"
        os.mkfifo(fifo)
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.read_threat_model(fifo)
        (problem,) = exc_info.value.diagnostics
        assert "error" == problem.severity
        assert str(fifo) == problem.source
        code, _, err = run(capsys, "check", str(fifo))
        assert 2 == code
        assert str(fifo) in err
        assert "Traceback" not in err

    def test_directory(self, tmp_path):
        """
        A directory named like a threat model is a problem with its name.
        """
        folder = tmp_path / "model.json"
        folder.mkdir()
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.read_threat_model(folder)
        assert str(folder) == exc_info.value.diagnostics[0].source

    def test_too_big(self, tmp_path, monkeypatch):
        """
        A file over the size limit is refused with the limit's variable.
        """
        monkeypatch.setenv("DNN_SUPPLY_CHAIN_MAX_FILE_SIZE", "1K")
        path = tmp_path / "model.toml"
        path.write_text('name = "x"\n' + "# pad\n" * 400, encoding="utf-8")
        with pytest.raises(dsc.ThreatModelError) as exc_info:
            dsc.read_threat_model(path)
        assert "DNN_SUPPLY_CHAIN_MAX_FILE_SIZE" in str(exc_info.value)


class TestInit:
    """
    init writes through a temporary file: a failure leaves the old file.
    """

    def test_failure_keeps_the_old_file(self, tmp_path, capsys, monkeypatch):
        """
        With --force, a write that fails half way leaves the existing file
        as it was, and no temporary file behind.
        """
        target = tmp_path / "model.toml"
        target.write_text("old content\n", encoding="utf-8")

        def broken(_fd, _data):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(_common.os, "write", broken)
        code, _, err = run(
            capsys, "init", "--force", "-o", str(target), "--stage", "usage"
        )
        assert 2 == code
        assert "Traceback" not in err
        assert "old content\n" == target.read_text(encoding="utf-8")
        assert ["model.toml"] == sorted(p.name for p in tmp_path.iterdir())

    def test_writes(self, tmp_path, capsys):
        """
        init -o writes a model that checks.
        """
        target = tmp_path / "model.toml"
        code, _, err = run(
            capsys, "init", "-o", str(target), "--stage", "usage"
        )
        assert (0, f"wrote {target}\n") == (code, err)
        assert dsc.read_threat_model(target).scope.stages == ("usage",)


class TestExample:
    """
    The shipped example is checked against the manifest like every data
    file.
    """

    def test_damaged_example(self, tmp_path, capsys, monkeypatch):
        """
        A changed example is the reinstall error, exit 1, for check and
        init.
        """
        import shutil

        from conftest import ROOT

        data = tmp_path / "data"
        shutil.copytree(ROOT / "src" / "dnn_supply_chain" / "data", data)
        example = data / "examples" / "edge-deployment.toml"
        example.write_text(
            example.read_text(encoding="utf-8") + "\n# changed\n",
            encoding="utf-8",
        )
        monkeypatch.setattr(_packaged, "files", lambda _: tmp_path)
        for args in (("check", "--example"), ("init", "--example")):
            code, _, err = run(capsys, *args)
            assert 1 == code, args
            assert "reinstall dnn-supply-chain" in err
            assert "edge-deployment.toml" in err
