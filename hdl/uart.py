"""8N1 UART transmitter and receiver with stream interfaces.

``divisor`` is clock cycles per bit (``clk_hz // baud``). :func:`reference_bits` is the
reference frame the tests compare the transmitter's waveform with.
"""


from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out


def reference_bits(byte: int) -> list[int]:
    """The line levels of one 8N1 frame, one entry per bit time: start, LSB first, stop."""
    return [0] + [(byte >> i) & 1 for i in range(8)] + [1]


class UARTTx(wiring.Component):
    """Sends each byte accepted on ``data`` as an 8N1 frame on ``tx`` (idle high)."""

    data: In(stream.Signature(8))
    tx: Out(1, init=1)

    def __init__(self, divisor: int):
        if divisor < 2:
            raise ValueError("divisor must be at least 2 clock cycles per bit")
        self.divisor = divisor
        super().__init__()

    def elaborate(self, platform):
        mod = Module()
        shreg = Signal(10, init=0x3FF)
        bits_left = Signal(range(11))
        timer = Signal(range(self.divisor))
        idle = bits_left == 0
        # the next frame may start in the last cycle of a stop bit, so frames sent back to
        # back have stop bits of exactly one bit time
        mod.d.comb += self.data.ready.eq(idle | ((bits_left == 1) & (timer == 0)))
        with mod.If(self.data.valid & self.data.ready):
            mod.d.sync += [shreg.eq(Cat(0, self.data.payload, 1)), bits_left.eq(10),
                         timer.eq(self.divisor - 1)]
        with mod.Elif(~idle):
            with mod.If(timer == 0):
                mod.d.sync += [shreg.eq(Cat(shreg[1:], 1)), bits_left.eq(bits_left - 1),
                             timer.eq(self.divisor - 1)]
            with mod.Else():
                mod.d.sync += timer.eq(timer - 1)
        mod.d.comb += self.tx.eq(shreg[0] | (bits_left == 0))
        return mod


class UARTRx(wiring.Component):
    """Receives 8N1 frames on ``rx``; each good frame is offered on ``data`` (a one-byte
    buffer: a byte not taken before the next arrives is replaced and ``overrun`` pulses).
    A frame whose stop bit is low is dropped and ``frame_error`` pulses."""

    rx: In(1, init=1)
    data: Out(stream.Signature(8))
    frame_error: Out(1)
    overrun: Out(1)

    def __init__(self, divisor: int):
        if divisor < 4:
            raise ValueError("divisor must be at least 4 clock cycles per bit")
        self.divisor = divisor
        super().__init__()

    def elaborate(self, platform):
        mod = Module()
        rx = Signal(init=1)
        mod.submodules.sync_rx = FFSynchronizer(self.rx, rx, init=1)
        timer = Signal(range(self.divisor + self.divisor // 2 + 1))
        shreg = Signal(8)
        nbits = Signal(range(9))
        with mod.If(self.data.valid & self.data.ready):
            mod.d.sync += self.data.valid.eq(0)
        mod.d.sync += [self.frame_error.eq(0), self.overrun.eq(0)]
        with mod.FSM():
            with mod.State("IDLE"):
                with mod.If(~rx):
                    # first sample in the middle of the start bit
                    mod.d.sync += timer.eq(self.divisor // 2 - 1)
                    mod.next = "START"
            with mod.State("START"):
                with mod.If(timer == 0):
                    with mod.If(rx):
                        mod.next = "IDLE"   # a glitch, not a start bit
                    with mod.Else():
                        mod.d.sync += [timer.eq(self.divisor - 1), nbits.eq(0)]
                        mod.next = "DATA"
                with mod.Else():
                    mod.d.sync += timer.eq(timer - 1)
            with mod.State("DATA"):
                with mod.If(timer == 0):
                    mod.d.sync += [shreg.eq(Cat(shreg[1:], rx)), nbits.eq(nbits + 1),
                                 timer.eq(self.divisor - 1)]
                    with mod.If(nbits == 7):
                        mod.next = "STOP"
                with mod.Else():
                    mod.d.sync += timer.eq(timer - 1)
            with mod.State("STOP"):
                with mod.If(timer == 0):
                    with mod.If(rx):
                        mod.d.sync += [self.data.payload.eq(shreg), self.data.valid.eq(1),
                                     self.overrun.eq(self.data.valid & ~self.data.ready)]
                        mod.next = "IDLE"
                    with mod.Else():
                        mod.d.sync += self.frame_error.eq(1)
                        mod.next = "BREAK"
                with mod.Else():
                    mod.d.sync += timer.eq(timer - 1)
            with mod.State("BREAK"):
                with mod.If(rx):   # wait for the line to go idle before hunting again
                    mod.next = "IDLE"
        return mod
