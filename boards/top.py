"""Board top: the :class:`~trnn.hdl.system.System` on a board's clock, UART pins and LEDs."""

from __future__ import annotations

from amaranth.hdl import Elaboratable, Module, Signal
from amaranth.build import ResourceError
from amaranth.lib import io


class Stretch(Elaboratable):
    """Holds ``o`` high for ``cycles`` after each pulse on ``i`` (so a LED visibly blinks)."""

    def __init__(self, cycles: int):
        self.cycles = cycles
        self.i = Signal()
        self.o = Signal()

    def elaborate(self, platform):
        mod = Module()
        left = Signal(range(self.cycles + 1))
        with mod.If(self.i):
            mod.d.sync += left.eq(self.cycles)
        with mod.Elif(left != 0):
            mod.d.sync += left.eq(left - 1)
        mod.d.comb += self.o.eq(left != 0)
        return mod


class BoardTop(Elaboratable):
    """LED 0 blinks for generated tokens, LED 1 is on in story mode, LED 2 (where the board
    has it) blinks for bad frames; with two LEDs, LED 0 also shows errors."""

    def __init__(self, system):
        self.system = system

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.system = sys_ = self.system
        uart = platform.request("uart", 0, dir="-")
        mod.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        mod.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        mod.d.comb += [sys_.rx.eq(rx.i), tx.o.eq(sys_.tx)]
        if getattr(sys_, "readout", "bram") == "spram":
            # the readout table's loader on the configuration flash (1-bit SPI); write
            # protect and hold, where the board wires them, held inactive
            spi = platform.request("spi_flash_1x", 0, dir="-")
            for name, value in [("cs", sys_.flash_cs), ("clk", sys_.flash_sck),
                                ("copi", sys_.flash_copi), ("wp", 0), ("hold", 0)]:
                if hasattr(spi, name):
                    mod.submodules[f"flash_{name}"] = buf = io.Buffer("o", getattr(spi, name))
                    mod.d.comb += buf.o.eq(value)
            mod.submodules.flash_cipo = cipo = io.Buffer("i", spi.cipo)
            mod.d.comb += sys_.flash_cipo.eq(cipo.i)
        leds = []
        for k in range(3):
            try:
                port = platform.request("led", k, dir="-")
            except ResourceError:
                break
            mod.submodules[f"led{k}"] = buf = io.Buffer("o", port)
            leds.append(buf)
        blink = sys_.clk_hz // 20
        mod.submodules.act = act = Stretch(blink)
        mod.submodules.err = err = Stretch(blink * 4)
        mod.d.comb += [act.i.eq(sys_.activity), err.i.eq(sys_.error)]
        if len(leds) >= 3:
            mod.d.comb += [leds[0].o.eq(act.o), leds[1].o.eq(sys_.story), leds[2].o.eq(err.o)]
        elif len(leds) == 2:
            mod.d.comb += [leds[0].o.eq(act.o | err.o), leds[1].o.eq(sys_.story)]
        elif leds:
            mod.d.comb += leds[0].o.eq(act.o)
        return mod
