"""The simulated board as a serial device (Verilator harness behind a pty)."""

from __future__ import annotations

import subprocess
import sys
import time

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
