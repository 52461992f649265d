"""The protocol controller and core, driven with bytes (Amaranth simulator), against the golden
reference: ``ref_*`` are what the host must receive, ``rtl_*`` what the gateware sends."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.hdl import Module
from amaranth.lib import stream, wiring
from amaranth.sim import Simulator

from trnn.hdl import protospec as ps
from trnn.hdl.core import Core
from trnn.hdl.protocol import Protocol
from trnn.hdl.readout import readout_image
from trnn.hdl.system import System, connect_core
from trnn.hdl.uart import reference_bits
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine

TIMEOUT = 200  # cycles; short, so truncation tests stay fast


class Device(wiring.Component):
    """Protocol and core without the UART: byte streams in and out."""

    def __init__(self, m, story_tq=None, story_seed=0, readout="bram"):
        self.m, self.readout = m, readout
        self.proto = Protocol(m, ps.Info.for_machine(m, 12_000_000, 115200), TIMEOUT, story_seed, story_tq)
        sig = {"rx": wiring.In(self.proto.rx.signature.flip()),
               "tx": wiring.Out(self.proto.tx.signature)}
        if readout == "spram":
            sig["load"] = wiring.In(stream.Signature(8))
        super().__init__(sig)

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.proto = p = self.proto
        mod.submodules.core = core = Core(self.m, readout=self.readout)
        if self.readout == "spram":
            wiring.connect(mod, wiring.flipped(self.load), core.load)
        wiring.connect(mod, wiring.flipped(self.rx), p.rx)
        wiring.connect(mod, p.tx, wiring.flipped(self.tx))
        connect_core(mod, p, core)
        return mod


def run_device(m, script, cycles, story_tq=None, story_seed=0, stall=()):
    """Run the device for ``cycles``; ``script`` is a list of (delay cycles, bytes) sent in
    order, one byte per cycle; ``stall`` is a range of cycles in which the host does not take
    bytes. Returns every byte the device sent."""
    dut = Device(m, story_tq, story_seed)
    out = bytearray()

    async def host_in(ctx):
        for delay, data in script:
            await ctx.tick().repeat(delay) if delay else None
            for b in data:
                ctx.set(dut.rx.valid, 1)
                ctx.set(dut.rx.payload, b)
                await ctx.tick()
            ctx.set(dut.rx.valid, 0)

    async def host_out(ctx):
        for cycle in range(cycles):
            ctx.set(dut.tx.ready, cycle not in stall)
            if ctx.get(dut.tx.valid) and cycle not in stall:
                out.append(ctx.get(dut.tx.payload))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(host_in, background=True)
    sim.add_testbench(host_out)
    sim.run()
    return bytes(out)


def frames_of(data: bytes):
    p = ps.FrameParser()
    got = p.feed(data)
    return got, bytes(p.skipped)


def ref_generate(m, req: ps.GenerateRequest):
    """The frames the Python reference board (golden engine) answers ``req`` with."""
    from trnn.boards.host import RefBoard
    ref = RefBoard(m)
    ref.write(req.encode())
    frames, skipped = frames_of(ref.read(1 << 20))
    assert skipped == b""
    return frames


def budget(m, req):
    return 200 + (len(req.prompt) + 1) * 12 + (req.count + 1) * (m.V + 40) + 40


def random_machine(seed, **kw):
    rng = np.random.default_rng(seed)
    return Machine.random(rng, V=kw.get("V", int(rng.integers(3, 20))), E=4,
                          H=int(rng.integers(2, 16)), cell=kw.get("cell", "gated"),
                          density=0.4)


def test_frame_crc_check_values():
    # CRC-8/SMBUS: the catalogue's check value, and a frame of the protocol document
    assert ps.crc8(b"123456789") == 0xF4
    assert ps.crc8(b"") == 0
    assert ps.frame(ps.CMD_INFO) == bytes([ps.SYNC, ps.CMD_INFO, 0, ps.crc8(bytes([ps.CMD_INFO, 0]))])


def test_host_parser_resynchronises():
    good = ps.frame(ps.RSP_TOKEN, b"\x05\x00")
    junk = bytes([ps.SYNC, 0x10, 0x01, 0x99]) + b"\xa5\xa5hello"
    got, skipped = frames_of(junk + good + b"text" + good)
    assert got == [(ps.RSP_TOKEN, b"\x05\x00")] * 2
    assert skipped.endswith(b"text") and b"hello" in skipped


@pytest.mark.parametrize("seed, prompt_len, count, tq, stop", [
    (0, 0, 5, 0, True), (1, 3, 6, 0, False), (2, 2, 8, 300, True), (3, 5, 4, 5000, False),
    (4, 1, 0, 0, True), (5, 4, 7, 65535, True),
])
def test_rtl_generate_equals_ref(seed, prompt_len, count, tq, stop):
    m = random_machine(seed, cell="gated" if seed % 2 else "threshold")
    rng = np.random.default_rng(100 + seed)
    req = ps.GenerateRequest(tuple(int(t) for t in rng.integers(0, m.V, prompt_len)), count,
                             tq, seed=int(rng.integers(0, 2**31)), stop_at_eot=stop)
    out = run_device(m, [(2, req.encode())], budget(m, req))
    got, skipped = frames_of(out)
    assert got == ref_generate(m, req)
    assert skipped == b""


def test_rtl_info():
    m = random_machine(7)
    got, _ = frames_of(run_device(m, [(1, ps.frame(ps.CMD_INFO))], 200))
    assert got == [(ps.RSP_INFO, ps.Info.for_machine(m, 12_000_000, 115200).payload())]
    assert ps.Info.decode(got[0][1]).fingerprint == m.fingerprint()


def test_garbage_truncation_and_bad_crc_then_service():
    """Line noise is skipped, a truncated frame times out, a corrupted frame is refused, and
    the next good command is served exactly."""
    m = random_machine(8)
    req = ps.GenerateRequest((1, 2), 4, 700, seed=9, stop_at_eot=False)
    good = req.encode()
    bad_crc = good[:-1] + bytes([good[-1] ^ 0x5A])
    script = [(1, b"\x00\xffgarbage\x13"), (0, good[:7]), (TIMEOUT + 20, bad_crc),
              (10, ps.frame(ord("Q"))), (10, good)]
    out = run_device(m, script, 600 + 2 * TIMEOUT + budget(m, req))
    got, _ = frames_of(out)
    errors = [(ps.RSP_ERROR, bytes([c])) for c in (ps.ERR_TRUNCATED, ps.ERR_CRC,
                                                   ps.ERR_COMMAND)]
    assert got == errors + ref_generate(m, req)


def test_a_new_command_interrupts_generation():
    m = random_machine(9, V=12)
    long = ps.GenerateRequest((3,), 1000, 400, seed=1, stop_at_eot=False)
    out = run_device(m, [(1, long.encode()), (400, ps.frame(ps.CMD_INFO))], 1200)
    got, _ = frames_of(out)
    tokens = [p for t, p in got if t == ps.RSP_TOKEN]
    ref = ref_generate(m, long)
    assert 1 <= len(tokens) < 1000
    assert got[:len(tokens)] == ref[:len(tokens)]
    n = len(tokens).to_bytes(2, "little")
    assert got[len(tokens):] == [(ps.RSP_END, n + bytes([ps.END_INTERRUPTED])),
                                 (ps.RSP_INFO, ps.Info.for_machine(m, 12_000_000, 115200).payload())]


def test_story_mode_writes_the_reference_text_and_yields_to_the_host():
    from trnn.model.tokenizer import Tokenizer
    m = random_machine(10, V=12)
    # give the tokens visible text of varying length (one token has none)
    pieces = [b"", b"a", b"bc", b"d", b"ef", b" ", b"g", b"hij", b"k", b"l", b"mn", b"\n"]
    pieces[m.eot_id] = b"|"
    m.tokenizer = Tokenizer("bytes", pieces, m.eot_id)
    ref = m.tokenizer.decode(generate(NumpyEngine(m), [], 400, 900, 77,
                                      stop_at_eot=False).tokens)
    # a UART that is slow for a while (backpressure) delays the text but changes nothing
    out = run_device(m, [(3000, ps.frame(ps.CMD_HALT))], 3400, story_tq=900, story_seed=77,
                     stall=range(1500, 1700))
    text_end = out.index(bytes([ps.SYNC, ps.RSP_ACK]))
    text = out[:text_end]
    assert len(text) > 50
    assert text == ref[:len(text)]
    got, skipped = frames_of(out[text_end:])
    assert got == [(ps.RSP_ACK, bytes([ps.CMD_HALT]))] and skipped == b""


def uart_bytes_to_bits(data: bytes, divisor: int) -> list[int]:
    levels = []
    for b in data:
        for bit in reference_bits(b):
            levels += [bit] * divisor
    return levels


@pytest.mark.parametrize("readout", ["bram", "spram"])
def test_system_over_uart(readout):
    """The whole device, bytes as 8N1 frames at 4 cycles per bit (3 Mbaud at 12 MHz); with
    the readout in SPRAM, loaded from a simulated flash at power-up while the request
    arrives."""
    from trnn.sim.flash import FlashedSystem
    m = random_machine(11, V=10)
    req = ps.GenerateRequest((2, 5), 5, 1234, seed=42, stop_at_eot=False)
    dut = System(m, clk_hz=12_000_000, baud=3_000_000, timeout=400, readout=readout)
    divisor = dut.divisor
    if readout == "spram":
        dut = FlashedSystem(dut)
    levels = [1] * 20 + uart_bytes_to_bits(req.encode(), divisor)
    out = bytearray()
    # loading: 17 cycles a byte (8 SPI bits of 2 cycles, the hand-over), plus the commands
    cycles = len(levels) + 6000 + (17 * len(readout_image(m)) + 200 if readout == "spram"
                                   else 0)

    async def bench(ctx):
        line = []
        for cycle in range(cycles):
            ctx.set(dut.rx, levels[cycle] if cycle < len(levels) else 1)
            line.append(ctx.get(dut.tx))
            await ctx.tick()
        # decode the TX line: find start bits, sample mid-bit
        i = 0
        while i < len(line) - 10 * divisor:
            if line[i] == 0:
                bits = [line[i + divisor // 2 + k * divisor] for k in range(10)]
                assert bits[9] == 1
                out.append(sum(b << k for k, b in enumerate(bits[1:9])))
                i += 10 * divisor - divisor // 2
            else:
                i += 1

    sim = Simulator(dut)
    sim.add_clock(1 / 12e6)
    sim.add_testbench(bench)
    sim.run()
    got, skipped = frames_of(bytes(out))
    assert got == ref_generate(m, req) and skipped == b""


@pytest.mark.parametrize("seed", [20, 21])
def test_rtl_bytes_equal_the_python_reference_board(seed):
    """Byte for byte: the gateware and boards.host.RefBoard answer a session identically."""
    from trnn.boards.host import RefBoard
    m = random_machine(seed)
    req = ps.GenerateRequest((1, 0, 2), 6, 2000, seed=seed, stop_at_eot=True)
    session = ps.frame(ps.CMD_INFO) + req.encode() + ps.frame(ps.CMD_HALT)
    ref = RefBoard(m, 12_000_000, 115200)
    ref.write(session)
    want = ref.read(1 << 16)
    got = run_device(m, [(1, ps.frame(ps.CMD_INFO)), (100, req.encode()),
                         (budget(m, req), ps.frame(ps.CMD_HALT))], 2 * budget(m, req) + 200)
    assert got == want


@pytest.mark.parametrize("readout", ["bram", "spram"])
def test_cycles_per_token_is_as_documented(readout):
    from trnn.hdl.system import cycles_per_token
    m = random_machine(12, V=9)
    req = ps.GenerateRequest((1,), 12, 0, stop_at_eot=False)
    dut = Device(m, readout=readout)
    pulses = []

    async def bench(ctx):
        if readout == "spram":
            ctx.set(dut.load.valid, 1)
            for b in readout_image(m):
                ctx.set(dut.load.payload, b)
                await ctx.tick()
            ctx.set(dut.load.valid, 0)
        for b in req.encode():
            ctx.set(dut.rx.valid, 1)
            ctx.set(dut.rx.payload, b)
            await ctx.tick()
        ctx.set(dut.rx.valid, 0)
        ctx.set(dut.tx.ready, 1)
        for cycle in range(400 if readout == "bram" else 1000):
            if ctx.get(dut.proto.activity):
                pulses.append(cycle)
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    gaps = {b - a for a, b in zip(pulses, pulses[1:])}
    assert len(pulses) == 12 and gaps == {cycles_per_token(m, readout)}
