"""A simulated SPI NOR flash, and the trnn System with one attached: what the simulated board
and the gate-level check of an SPRAM build (:mod:`trnn.hdl.spram`) read the readout table
from.

:class:`SimFlash` is gateware (it runs in the same simulators as the design, Verilator
included): it answers the READ command (0x03, 24-bit address, SPI mode 0, most significant
bit first) with the bytes of ``image`` placed at ``offset``, and 0xFF elsewhere, as an
erased flash does; other commands are ignored. Its pins are the pads' (``cs_n`` active low),
sampled on the system clock, so SCK may run at most at half of it — as
:class:`~trnn.hdl.flash.FlashReader` drives it.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..hdl.flash import CMD_READ, FLASH_OFFSET


class SimFlash(wiring.Component):
    """``image`` at flash address ``offset``. Ports: ``cs_n``, ``sck``, ``copi`` In(1),
    ``cipo`` Out(1)."""

    def __init__(self, image: bytes, offset: int = FLASH_OFFSET):
        self.image, self.offset = bytes(image), offset
        super().__init__({"cs_n": In(1, init=1), "sck": In(1), "copi": In(1),
                          "cipo": Out(1)})

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.rom = rom = Memory(shape=8, depth=max(1, len(self.image)),
                                          init=list(self.image))
        rd = rom.read_port(domain="comb")
        prev = Signal()
        cmd = Signal(32)                   # command and address, shifted in
        count = Signal(range(33))          # bits received, up to 32
        addr = Signal(24)
        bit = Signal(range(8))             # the next bit of the byte to send (7 = MSB)
        reading = Signal()
        mod.d.sync += prev.eq(self.sck)
        rise, fall = self.sck & ~prev, ~self.sck & prev
        index = addr - self.offset
        inside = (addr >= self.offset) & (addr < self.offset + len(self.image))
        byte = Mux(inside, rd.data, 0xFF)
        mod.d.comb += rd.addr.eq(index)
        with mod.If(self.cs_n):
            mod.d.sync += [count.eq(0), reading.eq(0), bit.eq(7)]
        with mod.Else():
            with mod.If(rise & (count < 32)):
                mod.d.sync += [cmd.eq(Cat(self.copi, cmd)), count.eq(count + 1)]
                with mod.If((count == 31) & (cmd[23:31] == CMD_READ)):
                    mod.d.sync += [addr.eq(Cat(self.copi, cmd[:23])), reading.eq(1)]
            with mod.If(fall & reading):
                mod.d.sync += [self.cipo.eq(byte.bit_select(bit, 1)), bit.eq(bit - 1)]
                with mod.If(bit == 0):
                    mod.d.sync += addr.eq(addr + 1)
        return mod


class FlashedSystem(wiring.Component):
    """A :class:`~trnn.hdl.system.System` built with ``readout="spram"`` and a
    :class:`SimFlash` holding its readout image on its flash bus: the same ports as a
    block-RAM System (``rx``, ``tx``, ``activity``, ``error``, ``story``), so the
    simulated-board harness and the board-level benches run either."""

    def __init__(self, system):
        from ..hdl.readout import readout_image
        if system.readout != "spram":
            raise ValueError("FlashedSystem needs a System with readout='spram'")
        self.system = system
        self.image = readout_image(system.m)
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "activity": Out(1),
                          "error": Out(1), "story": Out(1)})

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.system = sys_ = self.system
        mod.submodules.flash = flash = SimFlash(self.image)
        mod.d.comb += [sys_.rx.eq(self.rx), self.tx.eq(sys_.tx),
                       self.activity.eq(sys_.activity), self.error.eq(sys_.error),
                       self.story.eq(sys_.story),
                       flash.cs_n.eq(~sys_.flash_cs), flash.sck.eq(sys_.flash_sck),
                       flash.copi.eq(sys_.flash_copi), sys_.flash_cipo.eq(flash.cipo)]
        return mod
