"""cocotb bench of a whole board design (top ``trnn_system``: UART, protocol, core), driven
through its serial pins with cocotbext-uart.

The plan (JSON file named by ``TRNN_PLAN``, hex strings for bytes) comes from the test, which
computes every expected answer with the Python reference board on the PyTorch engine:

* ``noise``: garbage, a truncated frame (then a pause longer than the frame timeout), a frame
  with a bad CRC and an unknown command, then ``good``; the board must answer exactly
  ``expect_noise`` (three error frames, then the generation);
* ``long`` is started, the board is reset while it generates, and after the reset ``again``
  must be answered exactly ``expect_again``.
"""

import json
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Timer, with_timeout
from cocotbext.uart import UartSink, UartSource


async def read_exact(sink, n: int) -> bytes:
    """Exactly ``n`` bytes from the UART ``sink``, waiting as long as it takes."""
    got = bytearray()
    while len(got) < n:
        # one byte at a time: cocotbext-uart 0.1.4 raises when asked for more than it holds
        got += await sink.read(1)
    return bytes(got)


@cocotb.test()
async def board_session(dut):
    """The board bench: replay the plan in ``$TRNN_PLAN`` (:func:`trnn.sim.plans.board_plan`)
    over the UART pins and compare every answer byte for byte."""
    with open(os.environ["TRNN_PLAN"]) as f:
        plan = json.load(f)
    hx = bytes.fromhex
    Clock(dut.clk, plan["clock_ns"], unit="ns").start()
    src = UartSource(dut.rx, baud=plan["baud"])
    sink = UartSink(dut.tx, baud=plan["baud"])
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 4)

    await src.write(hx(plan["garbage"]) + hx(plan["truncated"]))
    await src.wait()
    await Timer(2 * plan["timeout_ns"], "ns")
    await src.write(hx(plan["bad_crc"]) + hx(plan["unknown"]) + hx(plan["good"]))
    want = hx(plan["expect_noise"])
    got = await with_timeout(read_exact(sink, len(want)), plan["limit_ns"], "ns")
    assert got == want, f"after noise: {got.hex()} != {want.hex()}"

    await src.write(hx(plan["long"]))
    await src.wait()
    while sink.count() < 12:                 # generation under way: two token frames out
        await ClockCycles(dut.clk, 100)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await Timer(20 * 1e9 / plan["baud"], "ns")   # let a frame cut by the reset drain
    sink.clear()
    await src.write(hx(plan["again"]))
    want = hx(plan["expect_again"])
    got = await with_timeout(read_exact(sink, len(want)), plan["limit_ns"], "ns")
    assert got == want, f"after reset: {got.hex()} != {want.hex()}"
    await ClockCycles(dut.clk, 2000)
    assert sink.count() == 0, "the board sent more than the reference"
