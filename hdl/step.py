"""The gates of one step as logic, and the :class:`Step` block that the logic tools analyse.

:func:`step_logic` is the one construction of docs/machine.md §2 steps 2–4 (after the
end-of-story reset) in hardware: every gate bit is a threshold of a folded popcount
(:func:`trnn.hdl.popcount.threshold`) with the machine's folded bounds
(:meth:`trnn.model.machine.Machine.folded_bounds`). :class:`~trnn.hdl.nextstate.NextState`
puts the reset in front of it; :class:`Step` is it alone, with the embedding bits as inputs —
the ``step`` block of :mod:`trnn.logic.simplify`.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .popcount import threshold


def step_logic(mod, m, h, emb, adder: str = "csa"):
    """The gates of docs/machine.md §2 (steps 2–4, after the EOT reset) of machine ``m`` on
    state ``h`` (H bits) and embedding bits ``emb`` (E bits); returns the H-bit next-state
    value. Helper signals are driven in ``mod``; ``adder`` picks the popcount structure
    (:data:`trnn.hdl.popcount.ADDERS`)."""
    x = Signal(m.H + m.E)
    mod.d.comb += x.eq(h | (emb << m.H))
    bits = {}
    for g in m.gates:
        bits[g] = Signal(m.H, name=f"gate_{g}")
        bounds = m.folded_bounds(g)
        for i in range(m.H):
            mod.d.comb += bits[g][i].eq(threshold(mod, x, m.W[g][i], bounds[i], adder))
    if m.cell == "threshold":
        return bits["cand"]
    # per bit: take the candidate where the update gate fired, else keep h
    return (bits["update"] & bits["cand"]) | (~bits["update"] & h)


class Step(wiring.Component):
    """``h_next = f(h, e)``: one step of machine ``m`` (a
    :class:`~trnn.model.machine.Machine`) without the end-of-story reset, purely
    combinational; ``e`` are the E embedding bits of the token read.

    Ports: ``h`` In(H), ``e`` In(E), ``h_next`` Out(H)."""

    def __init__(self, m, adder: str = "csa"):
        self.m = m
        self.adder = adder
        super().__init__({"h": In(m.H), "e": In(m.E), "h_next": Out(m.H)})

    def elaborate(self, platform):
        mod = Module()
        mod.d.comb += self.h_next.eq(step_logic(mod, self.m, self.h, self.e, self.adder))
        return mod
