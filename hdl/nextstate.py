"""The machine's next-state function as combinational logic (docs/machine.md §2).

The end-of-story reset (step 1) in front of :func:`trnn.hdl.step.step_logic` (steps 2–4), whose
weights are constants: each gate bit is a threshold of a folded popcount built with the chosen
adder structure. No clock: the core that holds the state register instantiates this and
registers ``h_next``.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.machine import pack_bits
from .step import step_logic


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
                        mod.d.comb += emb.eq(pack_bits(m.embedding[t]))
        h = Signal(m.H)
        mod.d.comb += h.eq(self.h)
        with mod.If(self.token == m.eot_id):
            mod.d.comb += h.eq(pack_bits(m.h0))
        mod.d.comb += self.h_next.eq(step_logic(mod, m, h, emb, self.adder))
        return mod
