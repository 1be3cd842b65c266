"""
Hostile input, round 2 (issue 12): files that are not regular files or
are too big, TOML that would cost tomllib quadratic time and memory, JSON
with a key twice, byte order marks, data that is not JSON, and a damaged
install.

Big inputs are generated at test time; where memory is what could go
wrong, the reading runs in a subprocess under an address-space limit
(``RLIMIT_AS``) and a timeout.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from conftest import ROOT
from dnn_supply_chain import _files, _io, _loading, _packaged, crosswalk
from dnn_supply_chain._parsing import (
    MAX_KEY_PARTS,
    ParseFailure,
    parse,
    plain,
)
from dnn_supply_chain.cli import main


DATA = ROOT / "src" / "dnn_supply_chain" / "data"
# Enough for the interpreter, the package and a bounded read; far less
# than the gigabytes the unguarded cases took.
MEMORY = 512 * 1024 * 1024
posix_only = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="FIFOs and devices are POSIX"
)


def run_python(code, *, memory=MEMORY, timeout=60, env=None):
    """
    Run *code* in a fresh interpreter limited to *memory* bytes of address
    space; fail the test on a timeout (a hang).
    """
    prelude = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def hostile_toml(parts=100_000):
    """
    One dotted key of *parts* parts: about 200 kB.
    """
    return "a" + ".a" * (parts - 1) + " = 1\n"


def _bind(path):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))


class TestReadBytes:
    """
    _files reads regular files only, within the size limit.
    """

    @posix_only
    def test_fifo_refused_without_hanging(self, tmp_path):
        """
        A FIFO nobody writes to is refused at once, by every reader.
        """
        fifo = tmp_path / "pipe.toml"
        os.mkfifo(fifo)
        json_fifo = tmp_path / "pipe.json"
        os.mkfifo(json_fifo)
        result = run_python(
            f"""
            import dnn_supply_chain as dsc
            for read, path in (
                (dsc.read_fragment, {str(fifo)!r}),
                (dsc.load_file, {str(json_fifo)!r}),
            ):
                try:
                    read(path)
                except dsc.DnnSupplyChainError as exc:
                    print(exc.problems[0].message)
            """,
            timeout=30,
        )
        assert (0, "") == (result.returncode, result.stderr)
        assert [
            (
                "cannot read the file: it is a FIFO (named pipe), not a regular "
                "file; name a regular file"
            )
        ] * 2 == result.stdout.splitlines()

    @posix_only
    @pytest.mark.parametrize(
        ("make", "kind"),
        [
            (lambda p: p.mkdir(), "a directory"),
            (lambda p: p.symlink_to(os.devnull), "a device"),
            (_bind, "a socket"),
        ],
        ids=["directory", "device", "socket"],
    )
    def test_not_a_regular_file(self, tmp_path, make, kind):
        """
        Directories, devices (through a symlink too) and sockets are named
        as what they are.
        """
        path = tmp_path / "x.json"
        make(path)
        with pytest.raises(_files.ReadFailure) as info:
            _files.read_bytes(path)
        assert (
            f"cannot read the file: it is {kind}, not a regular file; name a "
            "regular file"
        ) == info.value.problem.message
        assert str(path) == info.value.problem.source

    @posix_only
    def test_symlink_to_dev_zero_bounded(self, tmp_path):
        """
        A symlink to /dev/zero is refused without reading it, within a
        small memory limit.
        """
        link = tmp_path / "zero.toml"
        link.symlink_to("/dev/zero")
        result = run_python(
            f"""
            import sys
            from dnn_supply_chain.cli import main
            sys.exit(main(["validate", {str(link)!r}]))
            """,
            timeout=30,
        )
        assert 2 == result.returncode
        assert "Traceback" not in result.stderr
        assert "it is a device, not a regular file" in result.stderr

    def test_size_limit(self, tmp_path, monkeypatch):
        """
        A file over the limit is refused with the size and the way to
        raise the limit; the variable raises it.
        """
        path = tmp_path / "big.json"
        path.write_bytes(b" " * 2000 + b"{}")
        with pytest.raises(_files.ReadFailure) as info:
            _files.read_bytes(path, limit=1000)
        assert (
            "cannot read the file: it is 2002 bytes, more than the limit of "
            "1000 bytes (1000 bytes); set DNN_SUPPLY_CHAIN_MAX_FILE_SIZE to a "
            "bigger size (such as 64M) to read it"
        ) == info.value.problem.message
        monkeypatch.setenv(_files.LIMIT_VARIABLE, "1K")
        with pytest.raises(dsc.TaxonomyDataError, match="limit of 1024"):
            dsc.load_file(path)
        monkeypatch.setenv(_files.LIMIT_VARIABLE, "3k")
        assert b"{}" == _files.read_bytes(path)[-2:]

    @pytest.mark.parametrize(
        ("value", "limit"),
        [
            ("1000", 1000),
            ("2_000", 2000),
            ("16M", 16 * 2**20),
            ("1 GiB", 2**30),
        ],
    )
    def test_limit_variable(self, monkeypatch, value, limit):
        """
        The variable takes bytes, or K, M and G (powers of 1024).
        """
        monkeypatch.setenv(_files.LIMIT_VARIABLE, value)
        assert limit == _files.size_limit()

    @pytest.mark.parametrize("value", ["lots", "-5", "0", "1T"])
    def test_bad_limit_variable(self, monkeypatch, tmp_path, value):
        """
        A variable that is not a size is a problem naming it.
        """
        monkeypatch.setenv(_files.LIMIT_VARIABLE, value)
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.read_fragment(tmp_path / "f.toml")
        assert (
            f"{_files.LIMIT_VARIABLE} is {value!r}, which is not a size"
            in info.value.problems[0].message
        )

    @pytest.mark.skipif(
        not Path("/proc/self/status").is_file(), reason="needs /proc"
    )
    def test_reads_at_most_one_byte_over(self):
        """
        A file whose size says 0 but that holds more (a /proc file, or
        one growing while read) is refused once past the limit.
        """
        assert 0 == Path("/proc/self/status").stat().st_size
        with pytest.raises(_files.ReadFailure, match="bigger than that"):
            _files.read_bytes("/proc/self/status", limit=10)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                codecs.BOM_UTF8 + b"{}",
                (
                    "it starts with a UTF-8 byte order mark (BOM); save it as "
                    "UTF-8 without a BOM"
                ),
            ),
            (
                codecs.BOM_UTF16_LE + "{}".encode("utf-16-le"),
                (
                    "it is UTF-16 text (it starts with a UTF-16 byte order "
                    "mark); save it as UTF-8"
                ),
            ),
            (
                codecs.BOM_UTF16_BE + "{}".encode("utf-16-be"),
                (
                    "it is UTF-16 text (it starts with a UTF-16 byte order "
                    "mark); save it as UTF-8"
                ),
            ),
            (
                codecs.BOM_UTF32_LE + "{}".encode("utf-32-le"),
                (
                    "it is UTF-32 text (it starts with a UTF-32 byte order "
                    "mark); save it as UTF-8"
                ),
            ),
            (b"\xff{}", "it is not UTF-8 text (invalid start byte at byte 0)"),
        ],
        ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1"],
    )
    def test_encodings(self, tmp_path, data, message):
        """
        Text that is not plain UTF-8 is named for what it is.
        """
        path = tmp_path / "f.json"
        path.write_bytes(data)
        with pytest.raises(dsc.TaxonomyDataError) as info:
            dsc.load_file(path)
        (problem,) = info.value.problems
        assert (str(path), f"cannot read the file: {message}") == (
            problem.source,
            problem.message,
        )

    def test_missing_and_empty_names(self, tmp_path):
        """
        A missing file and an empty name are problems, not OSError.
        """
        with pytest.raises(dsc.TaxonomyDataError, match="no such file"):
            dsc.load_file(tmp_path / "none.json")
        with pytest.raises(_files.ReadFailure, match="the file name is empty"):
            _files.read_bytes("")


class TestTomlKeys:
    """
    TOML keys of many dotted parts are refused before tomllib reads them.
    """

    def test_hostile_key_is_cheap(self):
        """
        A 200 kB file of one 100,000-part key is refused in a few
        milliseconds, at the part over the limit.
        """
        text = hostile_toml()
        start = time.perf_counter()
        with pytest.raises(ParseFailure) as info:
            parse(text, toml=True)
        assert time.perf_counter() - start < 1
        assert (1, 2 * MAX_KEY_PARTS) == info.value.position
        assert "more than 128 dotted parts" in info.value.message

    @pytest.mark.parametrize(
        "template",
        [
            "{key} = 1\n",
            "[{key}]\n",
            "[[{key}]]\n",
            "x = {{ {key} = 1 }}\n",
            "x = [{{ {key} = 1 }}]\n",
        ],
        ids=["key", "table", "array-of-tables", "inline", "inline-in-array"],
    )
    @pytest.mark.parametrize("quoted", [False, True], ids=["bare", "quoted"])
    def test_limit_is_exact(self, template, quoted):
        """
        128 parts read, 129 are refused, wherever a key can be.
        """
        part = '"p.q"' if quoted else "p"

        def key(n):
            return " . ".join([part] * n)

        data = parse(template.format(key=key(MAX_KEY_PARTS)), toml=True)
        assert isinstance(data, dict)
        with pytest.raises(ParseFailure, match="more than 128 dotted parts"):
            parse(template.format(key=key(MAX_KEY_PARTS + 1)), toml=True)

    @pytest.mark.parametrize(
        "value",
        [
            '"' + "." * 500 + '"',
            "'" + "." * 500 + "'",
            '"""\n' + "." * 500 + '\n""""',
            "'''\n" + "." * 500 + "\n''''",
            '"\\"' + "." * 500 + '"',
            "[" + ", ".join(["1.5"] * 300) + "]",
            "1979-05-27T07:32:00.999999 # " + "." * 500,
        ],
        ids=[
            "basic",
            "literal",
            "multiline-basic",
            "multiline-literal",
            "escaped-quote",
            "floats",
            "comment",
        ],
    )
    def test_dots_elsewhere_are_not_keys(self, value):
        """
        Dots in strings, comments and numbers are never counted.
        """
        text = f"x = {value}\n"
        import tomllib

        assert tomllib.loads(text) == parse(text, toml=True)

    @given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",))))
    def test_any_string_value(self, value):
        """
        Any string value reads back as it was written, dots and quotes
        included.
        """
        escaped = json.dumps(value, ensure_ascii=False).replace(
            "\x7f", "\\u007f"
        )
        text = f"x = {escaped}\ny = {escaped}\n" + "".join(
            f"z{i} = 1.5\n" for i in range(200)
        )
        assert value == parse(text, toml=True)["x"]  # type: ignore[index]

    def test_unterminated_strings_cost_one_pass(self):
        """
        Thousands of unterminated string openers cost one pass, not one
        pass each.
        """
        text = "a = 1\n" + '\\"""' * 50_000 + "." * 1000
        start = time.perf_counter()
        with pytest.raises(ParseFailure):
            parse(text, toml=True)
        assert time.perf_counter() - start < 2

    def test_hostile_file_bounded_in_memory(self, tmp_path):
        """
        The 200 kB file, read by validate, stays within 512 MiB (it once
        grew past 4 GiB) and is a clean error.
        """
        path = tmp_path / "deep.toml"
        path.write_text(hostile_toml(), encoding="utf-8")
        result = run_python(
            f"""
            import sys
            from dnn_supply_chain.cli import main
            sys.exit(main(["validate", {str(path)!r}]))
            """,
            timeout=60,
        )
        assert 2 == result.returncode
        assert "Traceback" not in result.stderr
        assert (
            f"{path}: line 1, column 256: invalid TOML: a key or table "
            "header has more than 128 dotted parts" in result.stderr
        )


class TestJson:
    """
    JSON text is read as strictly as TOML.
    """

    @pytest.mark.parametrize(
        ("text", "location"),
        [
            ('{"a": 1, "a": 2}', ("a",)),
            (
                '{"attacks": [{}, {"id": "x", "id": "y"}]}',
                ("attacks", 1, "id"),
            ),
            ('{"a": {"b": {"c": 1, "d": 2, "c": 3}}}', ("a", "b", "c")),
        ],
    )
    def test_duplicate_keys(self, text, location):
        """
        A key twice in one object is refused at its location.
        """
        with pytest.raises(ParseFailure) as info:
            parse(text, toml=False)
        assert location == info.value.location
        assert (
            f"invalid JSON: the key {location[-1]!r} appears twice in one "
            "object; keep one"
        ) == info.value.message

    def test_duplicate_keys_in_files(self, tmp_path):
        """
        load_file and read_fragment both name the place.
        """
        path = tmp_path / "dup.json"
        path.write_text('{"namespace": "a", "namespace": "b"}', "utf-8")
        with pytest.raises(dsc.ExtensionError) as info:
            dsc.read_fragment(path)
        assert "namespace" == info.value.problems[0].path
        with pytest.raises(dsc.TaxonomyDataError) as tax_info:
            dsc.load_file(path)
        assert "namespace" == tax_info.value.problems[0].path

    @pytest.mark.parametrize("toml", [True, False], ids=["toml", "json"])
    def test_bom_in_text(self, toml):
        """
        A BOM at the start of text is named as such, in TOML as in JSON.
        """
        with pytest.raises(ParseFailure) as info:
            parse("\ufeff{}" if not toml else "\ufeffa = 1", toml=toml)
        assert (1, 1) == info.value.position
        assert "starts with a byte order mark (U+FEFF, a BOM)" in str(
            info.value
        )


class _Raising(Mapping):
    """
    A mapping whose iteration raises.
    """

    def __getitem__(self, key):
        raise KeyError(key)

    def __len__(self):
        return 1

    def __iter__(self) -> Iterator[str]:
        msg = "no"
        raise RuntimeError(msg)


class TestPlain:
    """
    plain() copies data Python code made, refusing what is not JSON data.
    """

    @pytest.mark.parametrize(
        ("value", "location", "message"),
        [
            ({"a": {1: "x"}}, ("a",), "keys must be strings, got int 1"),
            ({("k",): 1}, (), "keys must be strings, got tuple ('k',)"),
            ({"a": [b"x"]}, ("a", 0), "got bytes b'x'"),
            ({"a": {1, 2}}, ("a",), "got set {1, 2}"),
            ({"a": "\ud800"}, ("a",), "not Unicode text"),
        ],
    )
    def test_refused(self, value, location, message):
        """
        Each value that is not JSON data is named at its location.
        """
        with pytest.raises(ParseFailure) as info:
            plain(value)
        assert location == info.value.location
        assert message in info.value.message

    def test_self_reference(self):
        """
        A list that holds itself is refused, not a RecursionError.
        """
        loop: list[object] = []
        loop.append(loop)
        with pytest.raises(ParseFailure, match="hold themselves"):
            plain({"a": loop})

    def test_subclasses_become_builtins(self):
        """
        Subclasses of str, int and dict come back as the built-in types,
        with none of their methods.
        """

        class Text(str):
            __slots__ = ()

            def __str__(self):
                raise AssertionError

        class Number(int):
            __slots__ = ()

        value = plain({Text("k"): (Number(3), Text("v"), True, None, 1.5)})
        assert {"k": [3, "v", True, None, 1.5]} == value
        assert [str, int, str] == [
            type(x)
            for x in (next(iter(value)), value["k"][0], value["k"][1])  # type: ignore[index]
        ]

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text()
            | st.binary(max_size=3)
            | st.sets(st.integers(), max_size=2),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.tuples(inner, inner)
                | st.dictionaries(
                    st.text(max_size=3) | st.integers() | st.none(),
                    inner,
                    max_size=3,
                )
            ),
            max_leaves=12,
        )
    )
    def test_any_python_value(self, value):
        """
        Any value either copies into data JSON writes and reads back
        unchanged, or is a ParseFailure; nothing else escapes.
        """
        try:
            copied = plain(value)
        except ParseFailure:
            return
        text = json.dumps(copied)
        assert copied == json.loads(text)

    def test_raising_mapping_left_to_the_caller(self):
        """
        An error iterating a mapping is the caller's to report.
        """
        with pytest.raises(RuntimeError, match="no"):
            plain({"a": _Raising()})


def _copy_install(tmp_path):
    root = tmp_path / "install"
    shutil.copytree(DATA, root / "data")
    return root / "data"


@pytest.fixture(name="damaged")
def _damaged(tmp_path, monkeypatch):
    """
    A copy of the installed data that the test damages; the package reads
    it instead of its own, with every cache forgotten.
    """
    data = _copy_install(tmp_path)
    monkeypatch.setattr(_packaged, "files", lambda _: data.parent)
    monkeypatch.setattr(_io, "_cached", None)
    monkeypatch.setattr(_loading, "_merged", {})
    crosswalk.load_crosswalk.cache_clear()
    yield data
    crosswalk.load_crosswalk.cache_clear()


def _resum(data, name):
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    digest = hashlib.sha256((data / name).read_bytes()).hexdigest()
    manifest["sha256"][name] = digest
    (data / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _edit_manifest(change):
    def damage(data):
        manifest = json.loads((data / "manifest.json").read_text("utf-8"))
        change(manifest)
        (data / "manifest.json").write_text(json.dumps(manifest), "utf-8")

    return damage


def _write(name, content, *, resum=False):
    def damage(data):
        (data / name).write_bytes(content)
        if resum:
            _resum(data, name)

    return damage


def _remove(name):
    def damage(data):
        (data / name).unlink()

    return damage


def _directory(name):
    def damage(data):
        (data / name).unlink()
        (data / name).mkdir()

    return damage


def _fifo(name):
    def damage(data):
        (data / name).unlink()
        os.mkfifo(data / name)

    return damage


_TAXONOMY = "dnn_supply_chain/data/taxonomy.json"
_CROSSWALK = "dnn_supply_chain/data/crosswalk.json"
_MANIFEST = "dnn_supply_chain/data/manifest.json"
_DAMAGE = [
    pytest.param(_remove("taxonomy.json"), _TAXONOMY, id="taxonomy-missing"),
    pytest.param(
        _directory("taxonomy.json"), _TAXONOMY, id="taxonomy-a-directory"
    ),
    pytest.param(
        _write("taxonomy.json", b"{}", resum=True),
        _TAXONOMY,
        id="taxonomy-empty-object-with-its-checksum",
    ),
    pytest.param(
        _write("taxonomy.json", b"\xef\xbb\xbf{}", resum=True),
        _TAXONOMY,
        id="taxonomy-bom-with-its-checksum",
    ),
    pytest.param(
        _edit_manifest(lambda m: m.update(sha256=5)),
        _MANIFEST,
        id="manifest-sha256-an-integer",
    ),
    pytest.param(
        _edit_manifest(lambda m: m.update(sha256=["x"])),
        _MANIFEST,
        id="manifest-sha256-a-list",
    ),
    pytest.param(
        _edit_manifest(lambda m: m["sha256"].update({"taxonomy.json": 5})),
        _MANIFEST,
        id="manifest-checksum-an-integer",
    ),
    pytest.param(
        _edit_manifest(lambda m: m["sha256"].pop("taxonomy.json")),
        _TAXONOMY,
        id="manifest-without-a-checksum",
    ),
    pytest.param(
        _write("manifest.json", b"\xff\xfe{\x00}\x00"),
        _MANIFEST,
        id="manifest-not-utf-8",
    ),
    pytest.param(_remove("manifest.json"), _MANIFEST, id="manifest-missing"),
    pytest.param(
        _write("manifest.json", b"[]"), _MANIFEST, id="manifest-a-list"
    ),
]
_CROSSWALK_DAMAGE = [
    pytest.param(_remove("crosswalk.json"), id="crosswalk-missing"),
    pytest.param(_write("crosswalk.json", b"{}"), id="crosswalk-empty"),
    pytest.param(
        _write("crosswalk.json", b"{}", resum=True),
        id="crosswalk-empty-with-its-checksum",
    ),
    pytest.param(
        _write("crosswalk.json", b"{", resum=True),
        id="crosswalk-invalid-with-its-checksum",
    ),
    pytest.param(
        _write("crosswalk.json", b'{"note": "x", "atlas": 5}', resum=True),
        id="crosswalk-malformed-with-its-checksum",
    ),
    pytest.param(_directory("crosswalk.json"), id="crosswalk-a-directory"),
]
if hasattr(os, "mkfifo"):
    _DAMAGE.append(
        pytest.param(_fifo("taxonomy.json"), _TAXONOMY, id="taxonomy-a-fifo")
    )


def _reinstall_error(problems, source):
    assert problems
    assert all(
        p.message.endswith("reinstall dnn-supply-chain") for p in problems
    )
    assert source in {p.source for p in problems}


class TestDamagedInstall:
    """
    A damaged install is always the reinstall error with the file's name,
    from load(), every command and --version.
    """

    @pytest.mark.parametrize(("damage", "source"), _DAMAGE)
    def test_taxonomy_and_manifest(self, damaged, capsys, damage, source):
        """
        load(), a command and --version (when it reads the file) give the
        error; never a traceback.
        """
        damage(damaged)
        with pytest.raises(dsc.TaxonomyDataError) as info:
            dsc.load()
        _reinstall_error(info.value.problems, source)
        for argv in (
            ["tree"],
            ["show", "ripple"],
            ["export", "--format", "csv"],
        ):
            assert 1 == main(argv)
            out, err = capsys.readouterr()
            assert "" == out
            assert "the bundled data is broken" in err
            assert source in err
            assert "reinstall dnn-supply-chain" in err
        code = main(["--version"])
        out, err = capsys.readouterr()
        if source == _MANIFEST:
            assert 1 == code
            assert _MANIFEST in err
            assert "reinstall dnn-supply-chain" in err
        else:
            assert 0 == code

    @pytest.mark.parametrize("damage", _CROSSWALK_DAMAGE)
    def test_crosswalk(self, damaged, capsys, damage):
        """
        A damaged crosswalk is the reinstall error where it is read: the
        catalogue, a crosswalk lookup, show of an ATLAS id.
        """
        damage(damaged)
        with pytest.raises(dsc.TaxonomyDataError) as info:
            dsc.load_crosswalk()
        _reinstall_error(info.value.problems, _CROSSWALK)
        with pytest.raises(dsc.TaxonomyDataError):
            dsc.load().crosswalk("AML.T0018")
        assert 1 == main(["show", "AML.T0018"])
        err = capsys.readouterr().err
        assert _CROSSWALK in err
        assert "reinstall dnn-supply-chain" in err

    def test_every_data_file_has_a_checksum(self):
        """
        Every file shipped under data/ (the example and the schemas too)
        is in the manifest, with its checksum; nothing else is.
        """
        manifest = dsc.read_manifest()
        shipped = {
            p.relative_to(DATA).as_posix(): hashlib.sha256(
                p.read_bytes()
            ).hexdigest()
            for p in DATA.rglob("*")
            if p.is_file()
            and p.name != "manifest.json"
            and "__pycache__" not in p.parts
        }
        assert shipped == dict(manifest.sha256)
        assert "examples/edge-deployment.toml" in shipped

    def test_example_verified(self, damaged):
        """
        The example threat model is read through the manifest: a changed
        copy is the reinstall error.
        """
        assert (DATA / "examples" / "edge-deployment.toml").read_text(
            "utf-8"
        ) == _packaged.read_verified_text("examples/edge-deployment.toml")
        (damaged / "examples" / "edge-deployment.toml").write_text(
            "name = 'x'\n", "utf-8"
        )
        with pytest.raises(dsc.TaxonomyDataError, match="checksum mismatch"):
            _packaged.read_verified_text("examples/edge-deployment.toml")

    def test_manifest_regenerates(self):
        """
        The build script's manifest is the shipped one, byte for byte.
        """
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "build_data.py"),
                "--check",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (0, "") == (result.returncode, result.stdout)

    def test_files_left_alone(self, damaged):
        """
        Reading a damaged install changes none of its files.
        """
        _write("taxonomy.json", b"{}", resum=True)(damaged)
        before = {p: p.read_bytes() for p in damaged.rglob("*") if p.is_file()}
        with pytest.raises(dsc.TaxonomyDataError):
            dsc.load()
        assert before == {
            p: p.read_bytes() for p in damaged.rglob("*") if p.is_file()
        }
