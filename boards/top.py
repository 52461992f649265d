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
        m = Module()
        left = Signal(range(self.cycles + 1))
        with m.If(self.i):
            m.d.sync += left.eq(self.cycles)
        with m.Elif(left != 0):
            m.d.sync += left.eq(left - 1)
        m.d.comb += self.o.eq(left != 0)
        return m


class BoardTop(Elaboratable):
    """LED 0 blinks for generated tokens, LED 1 is on in story mode, LED 2 (where the board
    has it) blinks for bad frames; with two LEDs, LED 0 also shows errors."""

    def __init__(self, system):
        self.system = system

    def elaborate(self, platform):
        m = Module()
        m.submodules.system = sys_ = self.system
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += [sys_.rx.eq(rx.i), tx.o.eq(sys_.tx)]
        leds = []
        for k in range(3):
            try:
                port = platform.request("led", k, dir="-")
            except ResourceError:
                break
            m.submodules[f"led{k}"] = buf = io.Buffer("o", port)
            leds.append(buf)
        blink = sys_.clk_hz // 20
        m.submodules.act = act = Stretch(blink)
        m.submodules.err = err = Stretch(blink * 4)
        m.d.comb += [act.i.eq(sys_.activity), err.i.eq(sys_.error)]
        if len(leds) >= 3:
            m.d.comb += [leds[0].o.eq(act.o), leds[1].o.eq(sys_.story), leds[2].o.eq(err.o)]
        elif len(leds) == 2:
            m.d.comb += [leds[0].o.eq(act.o | err.o), leds[1].o.eq(sys_.story)]
        elif leds:
            m.d.comb += leds[0].o.eq(act.o)
        return m
