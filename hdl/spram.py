"""The readout table's single-port RAM: :data:`~trnn.hdl.readout.WORD_BITS`-bit words in the
iCE40 UP5K's SPRAM.

Contract: one address for reading and writing; with ``we`` high the word ``wdata`` is written
at ``addr`` and ``rdata`` keeps its value; otherwise ``rdata`` is the word at ``addr`` one
cycle later (synchronous read). Nothing is initialised: the core loads the table at power-up.

For a Lattice iCE40 platform the RAM is four ``SB_SPRAM256KA`` primitives side by side (16K x 16
bits each; iCE40 UltraPlus SPRAM usage guide, TN1314), instantiated because Yosys does not map
an Amaranth memory there (Amaranth gives every memory an initial value; the SPRAM has none);
for simulation (no platform) it is an Amaranth memory with the same behaviour. The gate-level
check of a board build (``trnn build --verify``) runs the primitives' own models.
"""

from __future__ import annotations

from amaranth.hdl import Cat, ClockSignal, Const, Instance, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .readout import WORD_BITS

# one SB_SPRAM256KA: 16,384 words of 16 bits
SPRAM_DEPTH = 16384
SPRAM_WIDTH = 16


class ReadoutRAM(wiring.Component):
    """``depth`` words (at most :data:`SPRAM_DEPTH`) of :data:`WORD_BITS` bits.

    Ports: ``addr`` In(range(depth)), ``wdata`` In(64), ``we`` In(1), ``rdata`` Out(64)."""

    def __init__(self, depth: int):
        if not 1 <= depth <= SPRAM_DEPTH:
            raise ValueError(f"the readout RAM holds 1..{SPRAM_DEPTH} words, not {depth}")
        self.depth = depth
        super().__init__({"addr": In(range(depth)), "wdata": In(WORD_BITS), "we": In(1),
                          "rdata": Out(WORD_BITS)})

    def elaborate(self, platform):
        mod = Module()
        if platform is None:
            mod.submodules.mem = mem = Memory(shape=WORD_BITS, depth=self.depth, init=[])
            wr, rd = mem.write_port(), mem.read_port(transparent_for=())
            mod.d.comb += [wr.addr.eq(self.addr), wr.data.eq(self.wdata), wr.en.eq(self.we),
                           rd.addr.eq(self.addr), rd.en.eq(~self.we), self.rdata.eq(rd.data)]
            return mod
        for k in range(WORD_BITS // SPRAM_WIDTH):
            lane = slice(SPRAM_WIDTH * k, SPRAM_WIDTH * (k + 1))
            out = Signal(SPRAM_WIDTH, name=f"rdata_{k}")
            mod.submodules[f"spram_{k}"] = Instance(
                "SB_SPRAM256KA",
                i_ADDRESS=Cat(self.addr, Const(0, 14))[:14], i_DATAIN=self.wdata[lane],
                i_MASKWREN=0b1111, i_WREN=self.we, i_CHIPSELECT=1, i_CLOCK=ClockSignal("sync"),
                i_STANDBY=0, i_SLEEP=0, i_POWEROFF=1, o_DATAOUT=out)
            mod.d.comb += self.rdata[lane].eq(out)
        return mod
