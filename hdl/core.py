"""The trnn core: state register, next-state logic, readout scan and sampler.

Contract (docs/machine.md §2–§5): each token accepted on ``tokens_in`` advances the state by
one step: the token's embedding is addressed in a block-RAM table in the accepting cycle and
latched into a register in the next — twice, in two cycles, with the readout in block RAM —
and the state register takes the combinational :class:`~trnn.hdl.nextstate.NextState` of that
register in the cycle after (:attr:`step_cycles` edges after the accepting one). The latches
keep the block RAM's clock-to-output delay and its long route off the next-state path: on
the ECP5-85F the BPE-2,048 ``large`` placed at 20.5 MHz without them and at 24.8 MHz with one
(its register then sat by the block RAM, 18 ns of routing away from the gates). If the
token's ``choose`` bit is set, the core then scans the vocabulary, one entry per cycle — the
readout row of entry ``v`` is read from a ROM in block RAM (+1 mask, −1 mask, c[v]), its
score is ``popcount(h & pos) − popcount(h & neg) + c[v]`` (computed in the folded form of
:mod:`trnn.hdl.popcount`), and the sampler keeps the entry with the largest key — and offers the
chosen token on ``choice``. The scan is pipelined in three stages (row, score, key), so a step
costs 4 cycles (3 with the readout in SPRAM) and a choice V + 3 more. With
``readout="logic"`` the readout table is read combinationally instead (same cycles, built from
LUTs; for comparison). With ``readout="spram"`` it is kept in single-port RAM
(:class:`~trnn.hdl.spram.ReadoutRAM`, the layout of :func:`~trnn.hdl.readout.readout_words`)
that the core first fills from the byte stream ``load`` (:func:`~trnn.hdl.readout.readout_image`,
8 bytes per word, little-endian; ``tokens_in`` is not ready until it is full), and an entry is
scored over K = :func:`~trnn.hdl.readout.words_per_entry` cycles (not pipelined): a choice
costs K·V + 1 cycles. ``tq`` is
the integer temperature (0 = greedy; hold it steady while a choice is made); ``rng`` is the
sampler state, loaded from ``rng_load_value`` when ``rng_load`` is high while the core is idle
(``tokens_in.ready``).
"""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..model.machine import NOISE_BITS, SCORE_SHIFT, pack_bits, sampling_key, xorshift32
from .nextstate import NextState
from .popcount import popcount
from .readout import WORD_BITS, folded_score, readout_words, words_per_entry
from .spram import ReadoutRAM


READOUTS = ("bram", "logic", "spram")


def _low32(v):
    """The low 32 bits of an Amaranth value (the PRNG's ``mod 2³²``, as a slice)."""
    return v[:32]


def step_cycles(readout: str) -> int:
    """Clock edges after the one that accepts a token until ``h`` holds the new state: the
    embedding latches (two with the readout in block RAM, one in SPRAM) and the step."""
    return 2 if readout == "spram" else 3


def token_layout(V: int) -> data.StructLayout:
    """Payload of the core's input stream: a token id and whether to choose the next token."""
    return data.StructLayout({"token": range(V), "choose": 1})


class Core(wiring.Component):
    """The machine ``m`` (a :class:`trnn.model.machine.Machine`) as a streaming core."""

    def __init__(self, m, adder: str = "csa", readout: str = "bram"):
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        self.step_cycles = step_cycles(readout)
        self.m = m
        self.adder = adder
        self.readout = readout
        sig = {
            "tokens_in": In(stream.Signature(token_layout(m.V))),
            "choice": Out(stream.Signature(range(m.V))),
            "tq": In(16),
            "rng_load": In(1),
            "rng_load_value": In(32),
            "h": Out(m.H, init=pack_bits(m.h0)),
            "rng": Out(32, init=1),
        }
        if readout == "spram":
            sig["load"] = In(stream.Signature(8))
        super().__init__(sig)

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
        emb = Signal(m.E)
        # with the readout in block RAM (the large devices), the embedding is latched twice:
        # beside the block RAM, then into a register the placer puts among the gates it
        # feeds (each bit reaches a few dozen gates across the device)
        emb_near = Signal(m.E)
        mod.d.comb += [emb_rd.addr.eq(self.tokens_in.payload.token),
                       ns.h.eq(self.h), ns.token.eq(token), ns.emb.eq(emb)]

        score_shape = signed(m.score_bits)
        cw = score_shape.width
        noise_shape = signed(int(abs(m.noise).max()).bit_length() + 1)
        mod.submodules.noise = noise = Memory(shape=noise_shape, depth=2**NOISE_BITS,
                                              init=[int(g) for g in m.noise])
        v = Signal(range(V + 3))
        nrd = noise.read_port()
        score = Signal(score_shape)
        in_spram = self.readout == "spram"
        if not in_spram:
            # one ROM row per entry: +1 mask, −1 mask, offset. "bram": read synchronously, so
            # the row of entry v is addressed a cycle ahead; "logic": read combinationally,
            # which Yosys builds from LUTs (the cost comparison in
            # benchmarks/results/hardware.md)
            rows = [plus | (minus << H) | ((int(off) & ((1 << cw) - 1)) << 2 * H)
                    for (plus, minus), off in zip(m.readout_masks(), m.readout_offsets())]
            mod.submodules.rom = rom = Memory(shape=2 * H + cw, depth=V, init=rows)
            in_bram = self.readout == "bram"
            rd = rom.read_port() if in_bram else rom.read_port(domain="comb")
            # a three-stage scan, one entry per cycle: the row is registered (A), its score
            # (B) and then its key is compared (C), so that neither the block RAM's output
            # route nor the popcount shares a cycle with the sampler; the state is copied
            # into h_scan, whose only loads are the readout's (placed next to it)
            row = Signal(2 * H + cw)
            h_scan = Signal(H)
            plus, minus = row[:H], row[H:2 * H]
            terms = (plus & h_scan) | (minus & ~h_scan)
            score_next = Signal(score_shape)
            mod.d.comb += score_next.eq(folded_score(mod, [terms[j] for j in range(H)],
                                                     row[2 * H:].as_signed(), self.adder))
        else:
            # K words per entry, scanned one per cycle (address a+1 while word a is scored);
            # acc sums the masks' popcounts, the offset word ends the entry
            K, nh = words_per_entry(H), -(-H // WORD_BITS)
            depth = len(readout_words(m))
            mod.submodules.ram = ram = ReadoutRAM(depth)
            a = Signal(range(depth + 1))
            p = Signal(range(K))
            acc = Signal(range(2 * H + 1))
            h_words = Cat(self.h, Const(0, nh * WORD_BITS - H))
            masks = Array([h_words[WORD_BITS * k:WORD_BITS * (k + 1)] for k in range(nh)]
                          + [~h_words[WORD_BITS * k:WORD_BITS * (k + 1)] for k in range(nh)]
                          + [Const(0, WORD_BITS)])   # the offset word: no popcount
            hit = ram.rdata & masks[p]
            part = Signal(range(WORD_BITS + 1))
            mod.d.comb += [part.eq(popcount(mod, [hit[i] for i in range(WORD_BITS)],
                                            self.adder)),
                           score.eq(acc + ram.rdata[:cw].as_signed())]

        # the PRNG step and the sampling key of entry v
        r_next = Signal(32)
        mod.d.comb += r_next.eq(xorshift32(self.rng, _low32))
        # the noise table is a synchronously read ROM too: in the cycle before entry v is
        # keyed, address it with the PRNG state entry v will use — one step ahead of the
        # register where it does not move in that cycle, two steps ahead where it does
        # (block RAM: while the key stage runs, every cycle of the scan but the first two)
        scanning = Signal()
        # (the noise index, the top NOISE_BITS bits, as a slice of the next state). With the
        # table in SPRAM an entry takes K ≥ 3 cycles and the register moves only in its last:
        # one step ahead, always
        r_use = r_next if in_spram else Mux(scanning, xorshift32(r_next, _low32), r_next)
        mod.d.comb += nrd.addr.eq(r_use[32 - NOISE_BITS:])
        key = Signal(signed(max(score_shape.width + SCORE_SHIFT, 16 + noise_shape.width) + 1))
        sampling = self.tq != 0
        with mod.If(sampling):
            mod.d.comb += key.eq(sampling_key(score, self.tq, nrd.data))
        with mod.Else():
            mod.d.comb += key.eq(score << SCORE_SHIFT)
        best_key = Signal.like(key)
        best = Signal(range(V))

        with mod.FSM(init="LOAD" if in_spram else "IDLE"):
            if in_spram:
                with mod.State("LOAD"):
                    # 8 bytes to a word, the first in the low bits; written as the 8th arrives
                    shift = Signal(WORD_BITS - 8)
                    nbyte = Signal(range(8))
                    mod.d.comb += [self.load.ready.eq(1), ram.addr.eq(a),
                                   ram.wdata.eq(Cat(shift, self.load.payload))]
                    with mod.If(self.rng_load):   # the controller may start meanwhile
                        mod.d.sync += self.rng.eq(self.rng_load_value)
                    with mod.If(self.load.valid):
                        mod.d.sync += [shift.eq(Cat(shift[8:], self.load.payload)),
                                       nbyte.eq(nbyte + 1)]
                        with mod.If(nbyte == 7):
                            mod.d.comb += ram.we.eq(1)
                            mod.d.sync += a.eq(a + 1)
                            with mod.If(a == depth - 1):
                                mod.next = "IDLE"
            with mod.State("IDLE"):
                mod.d.comb += self.tokens_in.ready.eq(1)
                with mod.If(self.rng_load):
                    mod.d.sync += self.rng.eq(self.rng_load_value)
                with mod.If(self.tokens_in.valid):
                    mod.d.sync += [token.eq(self.tokens_in.payload.token),
                                   choose.eq(self.tokens_in.payload.choose), v.eq(0)]
                    if in_spram:
                        mod.d.sync += [a.eq(0), p.eq(0), acc.eq(0)]
                    mod.next = "FETCH"
            with mod.State("FETCH"):
                if in_spram:
                    mod.d.sync += emb.eq(emb_rd.data)
                    mod.next = "STEP"
                else:
                    mod.d.sync += emb_near.eq(emb_rd.data)
                    mod.next = "MOVE"
            if not in_spram:
                with mod.State("MOVE"):
                    mod.d.sync += emb.eq(emb_near)
                    mod.next = "STEP"
            with mod.State("STEP"):
                mod.d.sync += self.h.eq(ns.h_next)
                with mod.If(choose):
                    mod.next = "SCAN"
                with mod.Else():
                    mod.next = "IDLE"
            with mod.State("SCAN"):
                if in_spram:
                    # v: the entry; the key stage is an entry's last word
                    mod.d.comb += ram.addr.eq(a + 1)
                    mod.d.sync += [a.eq(a + 1), acc.eq(acc + part), p.eq(p + 1)]
                    keyed, entry = p == K - 1, v
                    with mod.If(keyed):
                        mod.d.sync += [v.eq(v + 1), p.eq(0), acc.eq(0)]
                else:
                    # v counts cycles: stage A takes row v, B scores entry v − 1, C keys
                    # entry v − 2
                    mod.d.comb += rd.addr.eq(v + 1 if in_bram else v)
                    mod.d.sync += [row.eq(rd.data), score.eq(score_next), v.eq(v + 1)]
                    with mod.If(v == 0):
                        mod.d.sync += h_scan.eq(self.h)
                    keyed, entry = v >= 2, v - 2
                    mod.d.comb += scanning.eq(keyed)
                with mod.If(keyed):
                    with mod.If(sampling):
                        mod.d.sync += self.rng.eq(r_next)
                    # strictly greater: ties keep the lower token id
                    with mod.If((entry == 0) | (key > best_key)):
                        mod.d.sync += [best_key.eq(key), best.eq(entry)]
                    with mod.If(entry == V - 1):
                        mod.next = "OFFER"
            with mod.State("OFFER"):
                mod.d.comb += [self.choice.valid.eq(1), self.choice.payload.eq(best)]
                with mod.If(self.choice.ready):
                    mod.next = "IDLE"
        return mod


