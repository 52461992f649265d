"""The ``trnn`` entry point: which failures are one error line (a user's) and which keep their
traceback (trnn's), ``trnn talk`` mapped onto the typed host session, and the command modules'
import structure (no cycle; ``--help`` without the heavy libraries)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trnn import board_cmds
from trnn.boards.build import BuildError, VerifyError
from trnn.boards.host import HostError, RefBoard
from trnn.common import CLIError
from trnn.logic.aig import AIGError
from trnn.logic.fsm import AutomatonError
from trnn.logic.query import QueryError
from trnn.main import main
from trnn.model.data import DataError
from trnn.model.machine import Machine, max_temperature
from trnn.model.modelfile import ModelFileError
from trnn.model.tokenizer import TokenizerError
from trnn.models import shipped_path
from trnn.sim.device import SimError

CLI_MODULES = ("trnn.common", "trnn.model_cmds", "trnn.board_cmds", "trnn.logic_cmds",
               "trnn.main")


def _raising(exc: BaseException):
    def handler(a):
        raise exc
    return handler


@pytest.mark.parametrize("exc", [ValueError("bug"), KeyError("bug"), TypeError("bug"),
                                 ZeroDivisionError("bug")], ids=lambda e: type(e).__name__)
def test_an_internal_error_keeps_its_traceback(exc, monkeypatch, capsys):
    """A bug is not dressed up as a user error: it leaves main() as itself, no status 2."""
    monkeypatch.setattr(board_cmds, "cmd_boards", _raising(exc))
    with pytest.raises(type(exc), match="bug"):
        main(["boards"])
    assert "trnn: error" not in capsys.readouterr().err


@pytest.mark.parametrize("exc", [
    CLIError("x is wrong"), HostError("x is wrong"), BuildError("x is wrong"),
    VerifyError("x is wrong"), SimError("x is wrong"), ModelFileError("x is wrong"),
    DataError("x is wrong"), TokenizerError("x is wrong"), QueryError("x is wrong"),
    AutomatonError("x is wrong"), AIGError("x is wrong"),
    FileNotFoundError(2, "x is wrong", "f.txt")], ids=lambda e: type(e).__name__)
def test_a_user_error_is_one_line(exc, monkeypatch, capsys):
    monkeypatch.setattr(board_cmds, "cmd_boards", _raising(exc))
    assert main(["boards"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trnn: error: x is wrong") and err.count("\n") == 1, err


class Port(RefBoard):
    """The reference board as an open serial port."""

    def close(self) -> None:
        pass


def _serial_to(board, monkeypatch) -> list:
    opened = []

    def open_serial(port, baud, read_timeout=0.05):
        opened.append((port, baud))
        return board

    import trnn.boards.host as host
    monkeypatch.setattr(host, "open_serial", open_serial)
    return opened


def test_talk_command_maps_its_options(monkeypatch, capsysbinary):
    """``trnn talk``'s flags reach the session: the same bytes as ``trnn generate``."""
    small = Machine.load(shipped_path("small"))
    opened = _serial_to(Port(small), monkeypatch)
    flags = ["--prompt", "Once", "--temperature", "0.9", "--seed", "4", "--max-tokens", "9",
             "--no-stop", "--show-eot"]
    assert main(["talk", "/dev/ttyX", "--baud", "9600", "--quiet", "--model", "small",
                 *flags]) == 0
    talked = capsysbinary.readouterr()
    assert opened == [("/dev/ttyX", 9600)] and talked.err == b""
    assert main(["generate", "--model", "small", *flags]) == 0
    assert talked.out == capsysbinary.readouterr().out


def test_talk_command_errors_are_one_line(monkeypatch, capsys):
    small = Machine.load(shipped_path("small"))
    _serial_to(Port(small), monkeypatch)
    assert main(["talk", "/dev/ttyX", "--model", "large"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trnn: error: the board runs a different model") and \
        "than large" in err and err.count("\n") == 1, err
    assert main(["talk", "/dev/ttyX", "--temperature", "500"]) == 2
    limit = max_temperature(small.logit_scale)
    assert limit < 500 and f"largest, {limit:g}" in capsys.readouterr().err


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_cli_module_imports_first(module):
    """No import cycle: every command module can be the first one imported."""
    r = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr


def test_boards_do_not_import_the_cli_and_help_loads_no_heavy_library():
    code = ("import sys\n"
            "import trnn.boards.host, trnn.boards.build\n"
            f"assert not [m for m in {CLI_MODULES!r} if m in sys.modules]\n"
            "from trnn.main import build_parser\n"
            "build_parser().format_help()\n"
            "print(sorted(m for m in ('torch', 'networkx', 'matplotlib', 'tokenizers')\n"
            "             if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr + r.stdout


def test_help_loads_no_hardware_library():
    code = ("import sys\n"
            "from trnn.main import main\n"
            "try:\n"
            "    main(['--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('torch', 'amaranth', 'networkx', 'matplotlib')\n"
            "             if m in sys.modules), file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "[]", r.stderr
    assert "generate" in r.stdout and "logic" in r.stdout
