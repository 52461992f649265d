"""The trnn core: state register, next-state logic, readout scan and sampler.

Contract (docs/machine.md §2–§5): each token accepted on ``tokens_in`` advances the state by
one step: the token's embedding is read from a block-RAM table in the accepting cycle and the
state register takes the combinational :class:`~trnn.hdl.nextstate.NextState` in the next. If the
token's ``choose`` bit is set, the core then scans the vocabulary, one entry per cycle — the
readout row of entry ``v`` is read from a ROM in block RAM (+1 mask, −1 mask, c[v]), its
score is ``popcount(h & pos) − popcount(h & neg) + c[v]``, and the sampler keeps the entry
with the largest key — and offers the chosen token on ``choice``. A step therefore costs 2
cycles, and a choice V + 1 more. ``tq`` is the integer temperature (0 = greedy); ``rng`` is the
sampler state, loaded from ``rng_load_value`` while ``rng_load`` is high.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..model.machine import NOISE_BITS, SCORE_SHIFT
from .nextstate import NextState, bits_to_int, popcount


class Core(wiring.Component):
    """The machine ``m`` (a :class:`trnn.model.machine.Machine`) as a streaming core."""

    def __init__(self, m):
        self.m = m
        self.token_layout = data.StructLayout({"token": range(m.V), "choose": 1})
        super().__init__({
            "tokens_in": In(stream.Signature(self.token_layout)),
            "choice": Out(stream.Signature(range(m.V))),
            "tq": In(16),
            "rng_load": In(1),
            "rng_load_value": In(32),
            "h": Out(m.H, init=bits_to_int(m.h0)),
            "rng": Out(32, init=1),
        })

    def elaborate(self, platform):
        m = self.m
        V, H = m.V, m.H
        mod = Module()
        mod.submodules.next_state = ns = NextState(m, external_embedding=True)
        mod.submodules.emb_rom = emb_rom = Memory(
            shape=m.E, depth=V, init=[bits_to_int(m.embedding[t]) for t in range(V)])
        emb_rd = emb_rom.read_port()
        token = Signal(range(V))
        choose = Signal()
        mod.d.comb += [emb_rd.addr.eq(self.tokens_in.payload.token),
                       ns.h.eq(self.h), ns.token.eq(token), ns.emb.eq(emb_rd.data)]

        cmax = int(abs(m.c).max()) if V else 0
        score_shape = signed(max(H, cmax).bit_length() + 3)
        cw = score_shape.width
        # one ROM row per entry: +1 mask, −1 mask, c[v]; read synchronously (block RAM), so
        # the row of entry v is addressed one cycle before v is scored
        rows = [bits_to_int(m.R[v] > 0) | (bits_to_int(m.R[v] < 0) << H)
                | ((int(m.c[v]) & ((1 << cw) - 1)) << 2 * H) for v in range(V)]
        mod.submodules.rom = rom = Memory(shape=2 * H + cw, depth=V, init=rows)
        mod.submodules.noise = noise = Memory(shape=signed(16), depth=2**NOISE_BITS,
                                              init=[int(g) for g in m.noise])
        v = Signal(range(V + 1))
        rd = rom.read_port()
        nrd = noise.read_port(domain="comb")
        pos, neg = rd.data[:H] & self.h, rd.data[H:2 * H] & self.h
        score = Signal(score_shape)
        mod.d.comb += score.eq(popcount([pos[j] for j in range(H)])
                               - popcount([neg[j] for j in range(H)])
                               + rd.data[2 * H:].as_signed())

        # the PRNG step and the sampling key of entry v
        r = self.rng
        x1 = r ^ (r << 13)[:32]
        x2 = x1 ^ (x1 >> 17)
        r_next = Signal(32)
        mod.d.comb += r_next.eq(x2 ^ (x2 << 5)[:32])
        mod.d.comb += nrd.addr.eq(r_next[32 - NOISE_BITS:])
        key = Signal(signed(score_shape.width + SCORE_SHIFT + 18))
        sampling = self.tq != 0
        with mod.If(sampling):
            mod.d.comb += key.eq((score << SCORE_SHIFT) + self.tq * nrd.data)
        with mod.Else():
            mod.d.comb += key.eq(score << SCORE_SHIFT)
        best_key = Signal.like(key)
        best = Signal(range(V))

        with mod.If(self.rng_load):
            mod.d.sync += self.rng.eq(self.rng_load_value)
        with mod.FSM():
            with mod.State("IDLE"):
                mod.d.comb += self.tokens_in.ready.eq(1)
                with mod.If(self.tokens_in.valid):
                    mod.d.sync += [token.eq(self.tokens_in.payload.token),
                                   choose.eq(self.tokens_in.payload.choose), v.eq(0)]
                    mod.next = "STEP"
            with mod.State("STEP"):
                mod.d.sync += self.h.eq(ns.h_next)
                with mod.If(choose):
                    mod.next = "SCAN"
                with mod.Else():
                    mod.next = "IDLE"
            with mod.State("SCAN"):
                mod.d.comb += rd.addr.eq(v + 1)
                with mod.If(sampling & ~self.rng_load):
                    mod.d.sync += self.rng.eq(r_next)
                # strictly greater: ties keep the lower token id
                with mod.If((v == 0) | (key > best_key)):
                    mod.d.sync += [best_key.eq(key), best.eq(v)]
                mod.d.sync += v.eq(v + 1)
                with mod.If(v == V - 1):
                    mod.next = "OFFER"
            with mod.State("OFFER"):
                mod.d.comb += [self.choice.valid.eq(1), self.choice.payload.eq(best)]
                with mod.If(self.choice.ready):
                    mod.next = "IDLE"
        return mod


