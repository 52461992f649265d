"""A whole trnn device behind a serial line: UART, protocol controller and core.

This is what a board top instantiates (with its pins and clock) and what the board-level
simulations drive: bytes in on ``rx``, bytes out on ``tx``, nothing else needed.
"""

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .core import Core
from .flash import FLASH_OFFSET, FlashReader
from .protocol import Protocol
from .protospec import Info
from .readout import readout_image, words_per_entry
from .uart import UARTRx, UARTTx


def frame_timeout(clk_hz: int, divisor: int) -> int:
    """Cycles without a byte after which an unfinished frame is dropped: 50 ms, and never less
    than 32 byte times (so a slow host is not cut off at low baud rates)."""
    return max(clk_hz // 20, 32 * 10 * divisor)


def connect_core(mod, proto, core):
    """Wire a :class:`Protocol` to the :class:`Core` it drives."""
    wiring.connect(mod, proto.tokens, core.tokens_in)
    wiring.connect(mod, core.choice, proto.choice)
    mod.d.comb += [core.tq.eq(proto.tq), core.rng_load.eq(proto.rng_load),
                   core.rng_load_value.eq(proto.rng_load_value)]


def cycles_per_token(m, readout: str = "bram") -> int:
    """Clock cycles from one generated token to the next while the UART keeps up: the
    controller hands the token back (2 cycles), the core latches the token's embedding (2
    cycles from block RAM, 1 with the readout in SPRAM), steps (1), scans V entries and
    offers the choice (1). The scan takes V + 2 cycles from block RAM (one entry a cycle
    through three stages), K·V in SPRAM (K = :func:`~trnn.hdl.readout.words_per_entry` words
    an entry)."""
    if readout == "spram":
        return words_per_entry(m.H) * m.V + 5
    return m.V + 8


def uart_divisor(clk_hz: int, baud: int) -> int:
    """Clock cycles per UART bit; ValueError when ``baud`` cannot be made from ``clk_hz``."""
    divisor = round(clk_hz / baud)
    if divisor < 4:
        raise ValueError(f"a {clk_hz} Hz clock cannot run a UART at {baud} baud "
                         f"(needs at least 4 cycles per bit)")
    if abs(clk_hz / divisor - baud) > 0.02 * baud:
        # an 8N1 receiver tolerates a few percent; beyond that the board would need a PLL
        raise ValueError(f"{baud} baud is {abs(clk_hz / divisor - baud) / baud:.1%} off "
                         f"at {clk_hz / 1e6:g} MHz (limit 2%); choose a rate near "
                         f"{clk_hz}/N")
    return divisor


class System(wiring.Component):
    """The machine ``m`` as a serial device at ``baud`` with a ``clk_hz`` clock.

    ``activity`` pulses once per generated token, ``error`` once per bad frame, and ``story``
    is high in story mode (board tops stretch the pulses for LEDs). ``story_tq``: the integer
    temperature of story mode after reset (``None``: wait for the host). ``timeout``: frame
    timeout in cycles (default :func:`frame_timeout`).

    ``readout``: ``"bram"`` (the table in block RAM) or ``"spram"`` (in single-port RAM,
    read from the SPI flash at power-up, :data:`~trnn.hdl.flash.FLASH_OFFSET`, by a
    :class:`~trnn.hdl.flash.FlashReader`; the ports ``flash_cs``, ``flash_sck``,
    ``flash_copi`` and ``flash_cipo`` are its bus, and frames are answered meanwhile but
    tokens wait until the table is loaded)."""

    def __init__(self, m, clk_hz: int, baud: int = 115200, story_tq: int | None = None,
                 story_seed: int = 0, adder: str = "csa", timeout: int | None = None,
                 readout: str = "bram"):
        if readout not in ("bram", "spram"):
            raise ValueError(f"readout must be 'bram' or 'spram', got {readout!r}")
        divisor = uart_divisor(clk_hz, baud)
        self.m, self.clk_hz, self.baud, self.divisor = m, clk_hz, baud, divisor
        self.story_tq, self.story_seed, self.adder = story_tq, story_seed, adder
        self.timeout = frame_timeout(clk_hz, divisor) if timeout is None else timeout
        self.readout = readout
        self.info = Info.for_machine(m, clk_hz, baud)
        sig = {"rx": In(1, init=1), "tx": Out(1, init=1), "activity": Out(1),
               "error": Out(1), "story": Out(1)}
        if readout == "spram":
            sig.update({"flash_cs": Out(1), "flash_sck": Out(1), "flash_copi": Out(1),
                        "flash_cipo": In(1)})
        super().__init__(sig)

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.uart_rx = urx = UARTRx(self.divisor)
        mod.submodules.uart_tx = utx = UARTTx(self.divisor)
        mod.submodules.core = core = Core(self.m, adder=self.adder, readout=self.readout)
        if self.readout == "spram":
            # 5 µs after the wake-up command (the flash needs 3)
            mod.submodules.flash = flash = FlashReader(
                FLASH_OFFSET, len(readout_image(self.m)), -(-self.clk_hz * 5 // 1_000_000))
            wiring.connect(mod, flash.data, core.load)
            mod.d.comb += [self.flash_cs.eq(flash.cs), self.flash_sck.eq(flash.sck),
                           self.flash_copi.eq(flash.copi), flash.cipo.eq(self.flash_cipo)]
        mod.submodules.protocol = proto = Protocol(self.m, self.info, self.timeout,
                                                   self.story_seed, self.story_tq)
        wiring.connect(mod, urx.data, proto.rx)
        wiring.connect(mod, proto.tx, utx.data)
        connect_core(mod, proto, core)
        mod.d.comb += [urx.rx.eq(self.rx), self.tx.eq(utx.tx),
                       self.activity.eq(proto.activity), self.story.eq(proto.story),
                       self.error.eq(proto.error | urx.frame_error)]
        return mod
