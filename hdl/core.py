"""The trnn core: state register, next-state logic, readout scan and sampler.

Contract (docs/machine.md §2–§5): each token accepted on ``tokens_in`` advances the state by
one step: the token's embedding is read from a block-RAM table in the accepting cycle and the
state register takes the combinational :class:`~trnn.hdl.nextstate.NextState` in the next. If the
token's ``choose`` bit is set, the core then scans the vocabulary, one entry per cycle — the
readout row of entry ``v`` is read from a ROM in block RAM (+1 mask, −1 mask, c[v]), its
score is ``popcount(h & pos) − popcount(h & neg) + c[v]`` (computed in the folded form of
:mod:`trnn.hdl.popcount`), and the sampler keeps the entry with the largest key — and offers the
chosen token on ``choice``. A step therefore costs 2 cycles, and a choice V + 1 more. With
``readout="logic"`` the readout table is read combinationally instead (same cycles, built from
LUTs; for comparison). ``tq`` is
the integer temperature (0 = greedy; hold it steady while a choice is made); ``rng`` is the
sampler state, loaded from ``rng_load_value`` when ``rng_load`` is high while the core is idle
(``tokens_in.ready``).
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..model.machine import NOISE_BITS, SCORE_SHIFT, pack_bits, sampling_key, xorshift32
from .nextstate import NextState
from .readout import folded_score


READOUTS = ("bram", "logic")


def _low32(v):
    """The low 32 bits of an Amaranth value (the PRNG's ``mod 2³²``, as a slice)."""
    return v[:32]


def token_layout(V: int) -> data.StructLayout:
    """Payload of the core's input stream: a token id and whether to choose the next token."""
    return data.StructLayout({"token": range(V), "choose": 1})


class Core(wiring.Component):
    """The machine ``m`` (a :class:`trnn.model.machine.Machine`) as a streaming core."""

    def __init__(self, m, adder: str = "csa", readout: str = "bram"):
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        self.m = m
        self.adder = adder
        self.readout = readout
        super().__init__({
            "tokens_in": In(stream.Signature(token_layout(m.V))),
            "choice": Out(stream.Signature(range(m.V))),
            "tq": In(16),
            "rng_load": In(1),
            "rng_load_value": In(32),
            "h": Out(m.H, init=pack_bits(m.h0)),
            "rng": Out(32, init=1),
        })

    def elaborate(self, platform):
        m, adder = self.m, self.adder
        V, H = m.V, m.H
        mod = Module()
        mod.submodules.next_state = ns = NextState(m, external_embedding=True, adder=adder)
        mod.submodules.emb_rom = emb_rom = Memory(
            shape=m.E, depth=V, init=[pack_bits(m.embedding[t]) for t in range(V)])
        emb_rd = emb_rom.read_port()
        token = Signal(range(V))
        choose = Signal()
        mod.d.comb += [emb_rd.addr.eq(self.tokens_in.payload.token),
                       ns.h.eq(self.h), ns.token.eq(token), ns.emb.eq(emb_rd.data)]

        offs = m.readout_offsets()
        score_shape = signed(m.score_bits)
        cw = score_shape.width
        # one ROM row per entry: +1 mask, −1 mask, offset; read synchronously (block RAM), so
        # the row of entry v is addressed one cycle before v is scored
        rows = [plus | (minus << H) | ((int(off) & ((1 << cw) - 1)) << 2 * H)
                for (plus, minus), off in zip(m.readout_masks(), offs)]
        mod.submodules.rom = rom = Memory(shape=2 * H + cw, depth=V, init=rows)
        noise_shape = signed(int(abs(m.noise).max()).bit_length() + 1)
        mod.submodules.noise = noise = Memory(shape=noise_shape, depth=2**NOISE_BITS,
                                              init=[int(g) for g in m.noise])
        v = Signal(range(V + 1))
        # "bram": synchronous read, so row v is addressed a cycle ahead; "logic": the table is
        # read combinationally, which Yosys builds from LUTs (the cost comparison in
        # benchmarks/results/hardware.md)
        in_bram = self.readout == "bram"
        rd = rom.read_port() if in_bram else rom.read_port(domain="comb")
        nrd = noise.read_port()
        plus, minus = rd.data[:H], rd.data[H:2 * H]
        terms = (plus & self.h) | (minus & ~self.h)
        score = Signal(score_shape)
        mod.d.comb += score.eq(folded_score(mod, [terms[j] for j in range(H)],
                                            rd.data[2 * H:].as_signed(), self.adder))

        # the PRNG step and the sampling key of entry v
        r_next = Signal(32)
        mod.d.comb += r_next.eq(xorshift32(self.rng, _low32))
        # the noise table is a synchronously read ROM too: in the cycle before entry v is
        # scored, address it with the PRNG state entry v will use — one step ahead of the
        # register in STEP (the register does not move there), two steps ahead in SCAN
        # (the register moves every scan cycle while sampling)
        scanning = Signal()
        # (the noise index, the top NOISE_BITS bits, as a slice of the next state)
        r_use = Mux(scanning, xorshift32(r_next, _low32), r_next)
        mod.d.comb += nrd.addr.eq(r_use[32 - NOISE_BITS:])
        key = Signal(signed(max(score_shape.width + SCORE_SHIFT, 16 + noise_shape.width) + 1))
        sampling = self.tq != 0
        with mod.If(sampling):
            mod.d.comb += key.eq(sampling_key(score, self.tq, nrd.data))
        with mod.Else():
            mod.d.comb += key.eq(score << SCORE_SHIFT)
        best_key = Signal.like(key)
        best = Signal(range(V))

        with mod.FSM():
            with mod.State("IDLE"):
                mod.d.comb += self.tokens_in.ready.eq(1)
                with mod.If(self.rng_load):
                    mod.d.sync += self.rng.eq(self.rng_load_value)
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
                mod.d.comb += [rd.addr.eq(v + 1 if in_bram else v), scanning.eq(1)]
                with mod.If(sampling):
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


