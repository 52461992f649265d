"""Readout scores as logic (docs/machine.md §3) in the folded form, and the :class:`Readout`
block that the logic tools analyse.

A score is ``popcount(terms) + offset`` where the terms are ``h_j`` for ``R[v, j] = +1`` and
``¬h_j`` for −1 and the offset is :meth:`trnn.model.machine.Machine.readout_offsets`
(``c[v] − #{−1}``): one adder tree per score. :func:`folded_score` is that sum; the core
(:class:`trnn.hdl.core.Core`) applies it to one readout-ROM row per cycle, :class:`Readout` to
every entry at once.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .popcount import popcount


def folded_score(mod, terms: list, offset, adder: str = "csa"):
    """``popcount(terms) + offset``: a readout score in the folded form, ``terms`` 1-bit
    values, ``offset`` a signed value or int; helper signals are driven in ``mod``."""
    return popcount(mod, terms, adder) + offset


class Readout(wiring.Component):
    """``score[v]`` for every entry ``v`` of machine ``m`` (a
    :class:`~trnn.model.machine.Machine`) from the state ``h``, purely combinational.

    Ports: ``h`` In(H), ``score`` Out(V scores, each ``signed(m.score_bits)``)."""

    def __init__(self, m, adder: str = "csa"):
        self.m = m
        self.adder = adder
        super().__init__({"h": In(m.H),
                          "score": Out(data.ArrayLayout(signed(m.score_bits), m.V))})

    def elaborate(self, platform):
        m = self.m
        mod = Module()
        offsets = m.readout_offsets()
        shape = signed(m.score_bits)
        for v in range(m.V):
            terms = [self.h[j] if m.R[v, j] > 0 else ~self.h[j]
                     for j in range(m.H) if m.R[v, j] != 0]
            s = Signal(shape, name=f"score_{v}")
            mod.d.comb += s.eq(folded_score(mod, terms, int(offsets[v]), self.adder))
            mod.d.comb += self.score[v].eq(s)
        return mod
