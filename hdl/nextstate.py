"""The machine's next-state function as combinational logic (docs/machine.md §2).

Weights are constants: each gate bit is a threshold of a folded popcount
(:func:`trnn.hdl.popcount.threshold`) built with the chosen adder structure. No clock: the core that
holds the state register instantiates this and registers ``h_next``.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .popcount import threshold


def bits_to_int(bits) -> int:
    """Pack a 0/1 sequence into an integer, element 0 in bit 0 (signal bit order)."""
    return sum(int(b) << i for i, b in enumerate(bits))


class NextState(wiring.Component):
    """``h_next = step(h, token)`` for the machine ``m`` (a :class:`trnn.model.machine.Machine`),
    purely combinational. With ``external_embedding`` the token's embedding bits come in on
    ``emb`` (read from a block-RAM table by the caller) instead of a table in logic. ``adder``
    picks the popcount structure (:data:`trnn.hdl.popcount.ADDERS`)."""

    def __init__(self, m, external_embedding: bool = False, adder: str = "csa"):
        self.m = m
        self.adder = adder
        self.external_embedding = external_embedding
        sig = {"h": In(m.H), "token": In(range(m.V)), "h_next": Out(m.H)}
        if external_embedding:
            sig["emb"] = In(m.E)
        super().__init__(sig)

    def elaborate(self, platform):
        m = self.m
        mod = Module()
        emb = Signal(m.E)
        if self.external_embedding:
            mod.d.comb += emb.eq(self.emb)
        else:
            with mod.Switch(self.token):
                for t in range(m.V):
                    with mod.Case(t):
                        mod.d.comb += emb.eq(bits_to_int(m.embedding[t]))
        h = Signal(m.H)
        mod.d.comb += h.eq(self.h)
        with mod.If(self.token == m.eot_id):
            mod.d.comb += h.eq(bits_to_int(m.h0))
        mod.d.comb += self.h_next.eq(step_logic(mod, m, h, emb, self.adder))
        return mod


def step_logic(mod, m, h, emb, adder: str = "csa"):
    """The gates of docs/machine.md §2 (steps 2–4, after the EOT reset) on state ``h`` (H bits)
    and embedding bits ``emb`` (E bits); returns the H-bit next-state value. Helper signals are
    driven in ``mod``. Shared by :class:`NextState` and the logic-analysis tools
    (:mod:`trnn.logic.synth`), so both look at the same circuit."""
    x = Signal(m.H + m.E)
    mod.d.comb += x.eq(h | (emb << m.H))
    bits = {}
    for g in m.gates:
        bits[g] = Signal(m.H, name=f"gate_{g}")
        for i in range(m.H):
            mod.d.comb += bits[g][i].eq(threshold(mod, x, m.W[g][i], m.theta[g][i], adder))
    if m.cell == "threshold":
        return bits["cand"]
    # per bit: take the candidate where the update gate fired, else keep h
    return (bits["update"] & bits["cand"]) | (~bits["update"] & h)
