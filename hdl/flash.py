"""Reads the readout table from the board's SPI flash at power-up: the loader of
``readout="spram"`` (:mod:`trnn.hdl.spram`).

Contract: after reset, :class:`FlashReader` wakes the flash (command 0xAB, release from deep
power-down, then a pause of ``wake_cycles``), sends a READ (0x03) of ``offset`` and streams
``length`` bytes out on ``data`` in flash order, pausing the SPI clock while ``data`` is not
ready; then it deselects the flash and holds ``done``. SPI mode 0, most significant bit first,
SCK at half the system clock: the flash samples COPI on SCK's rising edge and the reader
samples CIPO at the end of SCK's high phase (the flash changes it after the falling edge).
The commands are those of every 25-series SPI NOR flash (e.g. Winbond W25Q128JV, on the
iCEBreaker, datasheet §8.2.6 and §8.2.43). ``cs`` is active high here; the board top's pin
inverts it.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

# where the readout image lies in flash: 1 MiB, past any iCE40 bitstream (a UP5K's is 104 KB)
FLASH_OFFSET = 0x100000
CMD_RELEASE_POWER_DOWN = 0xAB
CMD_READ = 0x03


class FlashReader(wiring.Component):
    """``length`` bytes from flash address ``offset`` (24 bits), once after reset.

    Ports: ``cs``, ``sck``, ``copi`` Out(1), ``cipo`` In(1) (the SPI bus), ``data``
    Out(stream of bytes), ``done`` Out(1). ``wake_cycles``: the pause after the wake-up
    command (tRES1, 3 µs for the W25Q128JV; callers pass at least that at their clock)."""

    def __init__(self, offset: int, length: int, wake_cycles: int):
        if not 0 <= offset < 1 << 24 or not 1 <= length or offset + length > 1 << 24:
            raise ValueError(f"cannot read {length} bytes at {offset:#x} with 24-bit "
                             f"addresses")
        self.offset, self.length, self.wake_cycles = offset, length, max(1, wake_cycles)
        super().__init__({"cs": Out(1), "sck": Out(1), "copi": Out(1), "cipo": In(1),
                          "data": Out(stream.Signature(8)), "done": Out(1)})

    def elaborate(self, platform):
        mod = Module()
        out = Signal(32)                        # bits still to send, first in bit 31
        got = Signal(8)                         # bits received, last in bit 0
        bits = Signal(range(33))                # bits left in this transfer
        left = Signal(range(self.length + 1))   # bytes left to read
        wait = Signal(range(self.wake_cycles + 1))
        mod.d.comb += self.copi.eq(out[31])

        def shift(then):
            # one bit per two cycles: SCK high, then low with the next bit out and CIPO in
            with mod.If(~self.sck):
                mod.d.sync += self.sck.eq(1)
            with mod.Else():
                mod.d.sync += [self.sck.eq(0), out.eq(out << 1), got.eq(Cat(self.cipo, got)),
                               bits.eq(bits - 1)]
                with mod.If(bits == 1):
                    then()

        with mod.FSM():
            with mod.State("START"):
                mod.d.sync += [self.cs.eq(1), out.eq(CMD_RELEASE_POWER_DOWN << 24), bits.eq(8)]
                mod.next = "WAKE"
            with mod.State("WAKE"):
                def wake_done():
                    mod.d.sync += [self.cs.eq(0), wait.eq(self.wake_cycles)]
                    mod.next = "PAUSE"
                shift(wake_done)
            with mod.State("PAUSE"):
                mod.d.sync += wait.eq(wait - 1)
                with mod.If(wait == 0):
                    mod.d.sync += [self.cs.eq(1), out.eq((CMD_READ << 24) | self.offset),
                                   bits.eq(32), left.eq(self.length)]
                    mod.next = "COMMAND"
            with mod.State("COMMAND"):
                def command_done():
                    mod.d.sync += bits.eq(8)
                    mod.next = "RECEIVE"
                shift(command_done)
            with mod.State("RECEIVE"):
                def byte_done():
                    mod.next = "OFFER"
                shift(byte_done)
            with mod.State("OFFER"):
                mod.d.comb += [self.data.valid.eq(1), self.data.payload.eq(got)]
                with mod.If(self.data.ready):
                    mod.d.sync += [left.eq(left - 1), bits.eq(8)]
                    with mod.If(left == 1):
                        mod.d.sync += self.cs.eq(0)
                        mod.next = "DONE"
                    with mod.Else():
                        mod.next = "RECEIVE"
            with mod.State("DONE"):
                mod.d.comb += self.done.eq(1)
        return mod
