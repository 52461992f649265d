"""Readout scores as logic (docs/machine.md §3) in the folded form, and the :class:`Readout`
block that the logic tools analyse.

A score is ``popcount(terms) + offset`` where the terms are ``h_j`` for ``R[v, j] = +1`` and
``¬h_j`` for −1 and the offset is :meth:`trnn.model.machine.Machine.readout_offsets`
(``c[v] − #{−1}``): one adder tree per score. :func:`folded_score` is that sum; the core
(:class:`trnn.hdl.core.Core`) applies it to one readout-ROM row per cycle, :class:`Readout` to
every entry at once.

Where the readout table does not fit in block RAM, it is kept in the iCE40 UP5K's single-port
RAM (:mod:`trnn.hdl.spram`) as :data:`WORD_BITS`-bit words, loaded from the board's flash
(:func:`readout_image`): each entry takes :func:`words_per_entry` words, scanned one per
cycle — its +1 mask in ⌈H/64⌉ words, its −1 mask in as many, and its offset (two's complement,
in the low :attr:`~trnn.model.machine.Machine.score_bits` bits of the last word). Since the
masks are disjoint, the score is the sum of ``popcount(word & h_chunk)`` over the +1 words,
of ``popcount(word & ¬h_chunk)`` over the −1 words, and the offset: the folded score.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .popcount import popcount

# width of one word of the readout table in single-port RAM (four 16-bit SPRAMs side by side)
WORD_BITS = 64


def words_per_entry(H: int) -> int:
    """Words of :data:`WORD_BITS` bits one readout entry of a machine with ``H`` state bits
    takes: ⌈H/64⌉ for each mask and one for the offset."""
    return 2 * -(-H // WORD_BITS) + 1


def readout_words(m) -> list[int]:
    """The readout table of machine ``m`` as ``V · words_per_entry(H)`` unsigned
    :data:`WORD_BITS`-bit words, entry after entry (layout in the module docstring)."""
    nh = -(-m.H // WORD_BITS)
    full = (1 << WORD_BITS) - 1
    out = []
    for (plus, minus), off in zip(m.readout_masks(), m.readout_offsets()):
        out += [(plus >> (WORD_BITS * k)) & full for k in range(nh)]
        out += [(minus >> (WORD_BITS * k)) & full for k in range(nh)]
        out.append(int(off) & ((1 << m.score_bits) - 1))
    return out


def readout_image(m) -> bytes:
    """:func:`readout_words` as bytes, each word little-endian: what the board's flash holds
    at :data:`trnn.hdl.flash.FLASH_OFFSET` and the core loads at power-up."""
    return b"".join(w.to_bytes(WORD_BITS // 8, "little") for w in readout_words(m))


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
