"""UART: transmitter waveform against the reference frame; loopback at several baud rates."""

import random

import pytest
from amaranth.hdl import Module
from amaranth.sim import Simulator

from trnn.hdl.uart import UARTRx, UARTTx, reference_bits

CLK_HZ = 12_000_000


async def send_bytes(ctx, tx, data):
    """Offer ``data`` to transmitter ``tx`` one byte per handshake."""
    for b in data:
        ctx.set(tx.data.payload, b)
        ctx.set(tx.data.valid, 1)
        await ctx.tick().until(tx.data.ready)
    ctx.set(tx.data.valid, 0)


@pytest.mark.parametrize("divisor", [4, 12, 104])   # 3 Mbaud, 1 Mbaud, 115200 at 12 MHz
def test_rtl_tx_waveform_equals_ref(divisor):
    dut = UARTTx(divisor)
    data = [0x55, 0x00, 0xFF, 0xA3]
    want = [lvl for b in data for lvl in reference_bits(b) for _ in range(divisor)]
    got = []

    async def send(ctx):
        await send_bytes(ctx, dut, data)

    async def watch(ctx):
        # `until` returns after the edge that ends the first low cycle of the start bit
        await ctx.tick().until(dut.tx == 0)
        got.append(0)
        for _ in range(len(want) - 1):
            got.append(ctx.get(dut.tx))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1 / CLK_HZ)
    sim.add_testbench(send)
    sim.add_testbench(watch)
    sim.run()
    assert got == want


def loopback(divisor, data, rx_divisor=None):
    mod = Module()
    mod.submodules.tx = tx = UARTTx(divisor)
    mod.submodules.rx = rx = UARTRx(rx_divisor or divisor)
    mod.d.comb += rx.rx.eq(tx.tx)
    got, errors = [], []

    async def send(ctx):
        await send_bytes(ctx, tx, data)

    async def recv(ctx):
        ctx.set(rx.data.ready, 1)
        for _ in range((len(data) + 2) * 10 * divisor + 50):
            _, _, valid, payload, ferr = await ctx.tick().sample(rx.data.valid, rx.data.payload,
                                                                 rx.frame_error)
            if valid:
                got.append(payload)
            if ferr:
                errors.append(True)

    sim = Simulator(mod)
    sim.add_clock(1 / CLK_HZ)
    sim.add_testbench(send)
    sim.add_testbench(recv, background=True)
    sim.run_until((len(data) + 2) * 10 * divisor / CLK_HZ + 50 / CLK_HZ)
    return got, errors


@pytest.mark.parametrize("divisor", [4, 12, 104])
def test_loopback(divisor):
    data = [random.Random(divisor).randrange(256) for _ in range(24)] + [0x00, 0xFF]
    got, errors = loopback(divisor, data)
    assert got == data and not errors


def test_rx_tolerates_baud_mismatch():
    # the receiver samples mid-bit, so ±3 % clock difference still decodes
    data = list(range(0, 256, 17))
    got, _ = loopback(100, data, rx_divisor=103)
    assert got == data
