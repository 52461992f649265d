"""The simulated board as a serial device (Verilator harness behind a pty)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trnn.main import main
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, temperature_to_tq
from trnn.models import shipped_path
from trnn.sim.device import SimDevice, build_harness
from trnn.sim.runner import available
from trnn.sim.verilog import system_verilog

pytestmark = pytest.mark.skipif(available("verilator") is not None,
                                reason=str(available("verilator")))

CLK = 12_000_000


@pytest.fixture(scope="module")
def small():
    return Machine.load(shipped_path("small"))


def harness(m, baud, story_tq=None, story_seed=0):
    return build_harness(system_verilog(m, CLK, baud, story_tq=story_tq, story_seed=story_seed),
                         log=lambda _: None)


TALK = ["--prompt", "Once upon a time", "--temperature", "0.7", "--seed", "11",
        "--max-tokens", "60"]


def test_talk_to_the_simulated_board_equals_generate_torch(small, capsysbinary):
    """Two processes, as a user runs them: the device, and `trnn talk` on its pty."""
    with SimDevice(harness(small, CLK // 4), 4) as dev:
        r = subprocess.run([sys.executable, "-m", "trnn", "talk", dev.path, "--quiet",
                            "--baud", str(CLK // 4), *TALK], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert main(["generate", "--engine", "torch", "--model", "small", *TALK]) == 0
    want = capsysbinary.readouterr().out
    assert r.stdout == want and len(want) > 100


def test_trnn_sim_with_prompt_prints_the_generated_story(small, capsysbinary):
    assert main(["sim", "--model", "small", "--fast", "--quiet", *TALK]) == 0
    got = capsysbinary.readouterr().out
    assert main(["generate", "--engine", "torch", "--model", "small", *TALK]) == 0
    assert got == capsysbinary.readouterr().out


def test_story_mode_text_on_a_plain_serial_port(small):
    """What picocom would show: raw story text, straight after power-up, at 115200 baud."""
    import serial

    tq = temperature_to_tq(0.8, small.logit_scale)
    ref = small.tokenizer.decode(generate(NumpyEngine(small), [], 30000, tq, 0,
                                          stop_at_eot=False).tokens)
    with SimDevice(harness(small, 115200, story_tq=tq), CLK // 115200) as dev:
        port = serial.Serial(dev.path, 115200, timeout=0.1)
        text = bytearray()
        deadline = time.monotonic() + 20
        while len(text) < 300 and time.monotonic() < deadline:
            text += port.read(512)
        port.close()
    assert len(text) >= 300
    # the port was opened after power-up: the text read is a later part of the story stream
    assert bytes(text[:300]) in ref


# -- a tough user: odd paths, signals, a dead parent, a crashing simulator ---------------------
ODD = "my dir é"   # a space and a non-ASCII letter in every path a user gives


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A byte-level random machine small enough to verilate in seconds, saved under a path
    with a space and a non-ASCII letter; and an environment whose trnn cache has them too."""
    import numpy as np

    from trnn.model.tokenizer import Tokenizer
    d = tmp_path_factory.mktemp("tough") / ODD
    d.mkdir()
    m = Machine.random(np.random.default_rng(5), H=8, E=4, tokenizer=Tokenizer.bytes())
    m.save(d / "tiny model.trnn")
    env = {"TRNN_CACHE": str(d / "trnn cache é")}
    return d, d / "tiny model.trnn", env


def _as_from_a_terminal() -> None:
    """SIGINT and SIGHUP as a shell in a terminal leaves them to the programs it starts: by
    default. A test run started in the background (``cmd &``, ``nohup``) ignores both, and a
    child inherits that, so the stop tests would otherwise test nohup's behaviour."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _start_sim(tiny, *extra):
    """`trnn sim` as a user starts it (PATH with system directories only), with a --link;
    returns (process, link) once the simulated board is ready."""
    from conftest import system_path_env, trnn_argv
    d, model, env = tiny
    link = d / "serial é"
    proc = subprocess.Popen([*trnn_argv(), "sim", "--model", str(model), "--board", "icebreaker",
                             "--link", str(link), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=system_path_env(**env),
                            preexec_fn=_as_from_a_terminal)
    line = proc.stdout.readline().decode()
    assert "simulated" in line and os.path.islink(link), (line, proc.stderr.read())
    return proc, link


def _harness_of(pid: int) -> int:
    from conftest import children
    kids = children(pid)
    assert len(kids) == 1, kids
    return kids[0]


def _gone(pid: int, within: float = 10.0) -> bool:
    from conftest import alive
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def test_odd_paths_build_and_simulate(tiny, capsysbinary):
    """Model and cache paths with spaces and non-ASCII letters, PATH without the venv: the
    simulated board answers exactly what the golden engine generates."""
    from conftest import system_path_env, trnn_argv
    d, model, env = tiny
    argv = ["--prompt", "ab", "--max-tokens", "40", "--no-stop", "--temperature", "0.9",
            "--seed", "3"]
    r = subprocess.run([*trnn_argv(), "sim", "--model", str(model), "--board", "icebreaker",
                        "--fast", "--quiet", *argv], capture_output=True,
                       env=system_path_env(**env), timeout=600)
    assert r.returncode == 0, r.stderr
    assert main(["generate", "--model", str(model), *argv]) == 0
    assert r.stdout == capsysbinary.readouterr().out
    assert any((Path(env["TRNN_CACHE"]) / "sim").glob("*/trnn_sim"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda s: s.name)
def test_a_stopped_trnn_sim_leaves_no_process_and_no_link(tiny, sig):
    proc, link = _start_sim(tiny)
    harness = _harness_of(proc.pid)
    proc.send_signal(sig)
    try:
        rc = proc.wait(20)
    except subprocess.TimeoutExpired:      # leave nothing running behind a failed test
        os.killpg(os.getpgid(harness), signal.SIGKILL)
        proc.kill()
        raise
    err = proc.stderr.read().decode()
    assert rc == (130 if sig == signal.SIGINT else 128 + sig), err
    assert _gone(harness), f"simulator {harness} outlived trnn sim"
    assert not os.path.lexists(link)


def test_a_dead_parent_takes_trnn_sim_with_it(tiny, tmp_path):
    """The program that started `trnn sim` is killed (SIGKILL: it cannot clean up): trnn sim
    and its simulator end too, and the link goes."""
    from conftest import system_path_env, trnn_argv
    d, model, env = tiny
    link = d / "serial parent"
    starter = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGHUP, signal.SIG_DFL)\n"
        f"p = subprocess.Popen({[*trnn_argv(), 'sim', '--model', str(model), '--board', 'icebreaker', '--link', str(link)]!r},"
        " stdout=subprocess.PIPE)\n"
        "p.stdout.readline()\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE,
                              env=system_path_env(**env))
    sim_pid = int(parent.stdout.readline())
    harness = _harness_of(sim_pid)
    parent.kill()
    parent.wait()
    assert _gone(sim_pid), "trnn sim outlived its parent"
    assert _gone(harness), "the simulator outlived trnn sim"
    assert not os.path.lexists(link)


def test_a_crashing_simulator_is_reported(tiny):
    proc, link = _start_sim(tiny)
    os.kill(_harness_of(proc.pid), signal.SIGSEGV)
    rc = proc.wait(20)
    err = proc.stderr.read().decode().strip().splitlines()
    assert rc == 2 and err[-1] == "trnn: error: the simulator stopped unexpectedly (killed by " \
        "SIGSEGV)", err
    assert not os.path.lexists(link)
