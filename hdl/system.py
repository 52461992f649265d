"""A whole trnn device behind a serial line: UART, protocol controller and core.

This is what a board top instantiates (with its pins and clock) and what the board-level
simulations drive: bytes in on ``rx``, bytes out on ``tx``, nothing else needed.
"""

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .core import Core
from .protocol import Protocol
from .protospec import Info
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


def cycles_per_token(m) -> int:
    """Clock cycles from one generated token to the next while the UART keeps up: the
    controller hands the token back (2 cycles), the core steps (1) and scans V entries, and
    offers the choice (1)."""
    return m.V + 4


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
    timeout in cycles (default :func:`frame_timeout`)."""

    rx: In(1, init=1)
    tx: Out(1, init=1)
    activity: Out(1)
    error: Out(1)
    story: Out(1)

    def __init__(self, m, clk_hz: int, baud: int = 115200, story_tq: int | None = None,
                 story_seed: int = 0, adder: str = "csa", timeout: int | None = None):
        divisor = uart_divisor(clk_hz, baud)
        self.m, self.clk_hz, self.baud, self.divisor = m, clk_hz, baud, divisor
        self.story_tq, self.story_seed, self.adder = story_tq, story_seed, adder
        self.timeout = frame_timeout(clk_hz, divisor) if timeout is None else timeout
        self.info = Info.for_machine(m, clk_hz, baud)
        super().__init__()

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.uart_rx = urx = UARTRx(self.divisor)
        mod.submodules.uart_tx = utx = UARTTx(self.divisor)
        mod.submodules.core = core = Core(self.m, adder=self.adder)
        mod.submodules.protocol = proto = Protocol(self.m, self.info, self.timeout,
                                                   self.story_seed, self.story_tq)
        wiring.connect(mod, urx.data, proto.rx)
        wiring.connect(mod, proto.tx, utx.data)
        connect_core(mod, proto, core)
        mod.d.comb += [urx.rx.eq(self.rx), self.tx.eq(utx.tx),
                       self.activity.eq(proto.activity), self.story.eq(proto.story),
                       self.error.eq(proto.error | urx.frame_error)]
        return mod
