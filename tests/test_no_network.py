"""
Nothing the library does touches the network: import, load, queries, the
threat-model check and every export run with sockets blocked.

Each test runs in a fresh interpreter, so that importing the package (and
the lazy imports of its modules) happens with the network already blocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


# Runs first in the child: sockets that raise on creation, name lookups
# and connections that raise, and an audit hook that records any socket
# use, even one a library catches and hides.
_BLOCK = """
import socket
import sys

ATTEMPTS = []
_LOCAL = {"socket.gethostname", "socket.sethostname"}


def _audit(event, args):
    if event.startswith("socket.") and event not in _LOCAL:
        ATTEMPTS.append(event)


sys.addaudithook(_audit)


def _refuse(name):
    def refuse(*args, **kwargs):
        ATTEMPTS.append(name)
        raise OSError(f"network access attempted: {name}")

    return refuse


class _NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        _refuse("socket.socket")()


socket.socket = _NoSocket
socket.SocketType = _NoSocket
for _name in (
    "create_connection",
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getnameinfo",
    "socketpair",
    "fromfd",
):
    setattr(socket, _name, _refuse(f"socket.{_name}"))
"""

_LIBRARY = """
import io
import json

from importlib.resources import files

import dnn_supply_chain as dsc

done = []

tax = dsc.load()
bundled = dsc.load(extensions=False)
done.append("load")

atk = tax.attacks[0]
assert atk == tax.get(atk.id) == tax.attack(atk.id)
for stage in tax.stages:
    tax.find_attacks(stage=stage.id)
    tax.find_defenses(stage=stage.id)
    tax.find_papers(stage=stage.id)
    tax.categories_of(stage.id)
tax.find_attacks(threat_type=tax.vocabulary.threat_types[0], year=(2018, None))
tax.find_papers(has_code=True, author="a")
tax.defenses_for(atk.id)
tax.papers_of(atk.id)
hits = tax.search("backdoor")
assert hits
ref = next(r for a in tax.attacks for r in a.atlas_techniques)
assert tax.crosswalk(ref).attacks
tax.crosswalk("ML06")
dsc.load_crosswalk()
done.append("query")

text = (
    files("dnn_supply_chain") / "data" / "examples" / "edge-deployment.toml"
).read_text(encoding="utf-8")
import tomllib

model = dsc.threat_model_from_dict(tomllib.loads(text), source="example")
report = dsc.coverage_report(model, tax)
assert report.stages
dsc.validate_threat_model(model)
dsc.starter_threat_model()
done.append("check")

sizes = {}
for fmt in dsc.FORMATS:
    sizes[fmt] = len(dsc.export(tax, fmt))
assert all(sizes.values()), sizes
done.append("export")
"""

_REPORT = """
print(json.dumps({"done": done, "attempts": ATTEMPTS}))
"""

_CLI = """
import contextlib
import io
import json

from dnn_supply_chain.cli import main

done = []
for argv in (
    ["check", "--example", "--fail-on", "never"],
    ["search", "backdoor"],
    ["export", "--format", "stix"],
    ["list", "attacks"],
):
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    done.append([argv[0], code])
"""


def run_offline(code: str, tmp_path) -> dict:
    """
    Run *code* in a fresh interpreter with the network blocked; return the
    steps it finished and the socket uses it attempted.
    """
    script = "\n".join(
        textwrap.dedent(part) for part in (_BLOCK, code, _REPORT)
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert 0 == result.returncode, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


class TestNoNetwork:
    """
    The library works, and never reaches for a socket, without a network.
    """

    def test_blocking_works(self, tmp_path):
        """
        The child really has no network: a connection attempt is refused
        and recorded.
        """
        code = """
        import socket
        import json

        done = []
        try:
            socket.create_connection(("example.com", 80), timeout=1)
        except OSError:
            done.append("refused")
        try:
            socket.socket()
        except OSError:
            done.append("refused")
        """
        found = run_offline(code, tmp_path)
        assert ["refused", "refused"] == found["done"]
        assert ["socket.create_connection", "socket.socket"] == found[
            "attempts"
        ]

    def test_import(self, tmp_path):
        """
        Importing the package, and every public name, needs no network.
        """
        code = """
        import json

        import dnn_supply_chain as dsc

        done = [name for name in dsc.__all__ if getattr(dsc, name) is not None]
        """
        found = run_offline(code, tmp_path)
        assert [] == found["attempts"]
        from dnn_supply_chain import __all__ as names

        assert names == found["done"]

    def test_library(self, tmp_path):
        """
        Load, queries, the check of the example threat model and every
        export run offline.
        """
        found = run_offline(_LIBRARY, tmp_path)
        assert ["load", "query", "check", "export"] == found["done"]
        assert [] == found["attempts"]

    def test_cli(self, tmp_path):
        """
        The command line's check, search, export and list run offline.
        """
        found = run_offline(_CLI, tmp_path)
        assert [] == found["attempts"]
        assert [
            ["check", 0],
            ["search", 0],
            ["export", 0],
            ["list", 0],
        ] == found["done"]
