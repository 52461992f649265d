"""The protocol controller: host commands in, generated tokens or story text out.

Between the UART and the :class:`~trnn.hdl.core.Core`. Frames come from a
:class:`~trnn.hdl.frames.FrameRx` and go out through a :class:`~trnn.hdl.frames.FrameTx`
(formats in :mod:`trnn.hdl.protospec`, behaviour in docs/protocol.md):

* ``I`` → one INFO frame (protocol version, model hash, V, H, clock, baud);
* ``G`` → feed EOT and the prompt, then a TOKEN frame per generated token and one END frame,
  exactly as :func:`trnn.model.generate.generate` (docs/machine.md §Generation);
* ``S`` → ACK, then story mode: free-running generation whose tokens are written as their text
  bytes (from a token→bytes table in block RAM), story after story;
* ``H`` → ACK; stops story mode.

A command frame that arrives while tokens are being generated ends the generation at the next
token boundary (END with reason "interrupted", or the story simply stops) and is then served.
Bad frames are answered with an ERROR frame once the controller is idle. The controller never
waits on the host: the UART has no flow control, so a host that stops reading loses bytes but
cannot stall the board. After reset the board is in story mode when ``story_tq`` is given.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from . import protospec as ps
from .core import token_layout
from .frames import FrameRx, FrameTx


class Protocol(wiring.Component):
    """Controller for machine ``m``. ``info`` is the :class:`~trnn.hdl.protospec.Info` the
    board reports; ``timeout`` the cycles after which an unfinished frame is dropped;
    ``story_seed``/``story_tq`` the story-mode settings after reset (``story_tq=None``: start
    idle, waiting for the host)."""

    def __init__(self, m, info: ps.Info, timeout: int, story_seed: int = 0,
                 story_tq: int | None = None):
        self.m = m
        self.info = info
        self.timeout = timeout
        self.story_seed = story_seed
        self.story_tq = story_tq
        super().__init__({
            "rx": In(stream.Signature(8)),
            "tx": Out(stream.Signature(8)),
            "tokens": Out(stream.Signature(token_layout(m.V))),
            "choice": In(stream.Signature(range(m.V))),
            "tq": Out(16),
            "rng_load": Out(1),
            "rng_load_value": Out(32),
            "story": Out(1),
            "activity": Out(1),
            "error": Out(1),
        })

    def elaborate(self, platform):
        V, eot = self.m.V, self.m.eot_id
        mod = Module()
        mod.submodules.frx = frx = FrameRx(self.timeout)
        mod.submodules.ftx = ftx = FrameTx()
        mod.d.comb += [frx.data.valid.eq(self.rx.valid), frx.data.payload.eq(self.rx.payload),
                     self.rx.ready.eq(frx.data.ready)]

        # token → text bytes table for story mode
        tb = self.m.tokenizer.to_arrays()
        offsets, text = [int(o) for o in tb["token_offsets"]], [int(b) for b in tb["token_bytes"]]
        mod.submodules.offsets = off_mem = Memory(shape=range(len(text) + 1), depth=V + 1,
                                                init=offsets)
        mod.submodules.text = text_mem = Memory(shape=8, depth=max(1, len(text)), init=text)
        off_rd, text_rd = off_mem.read_port(), text_mem.read_port()

        # a frame waiting to be served (a newer one replaces it) and an error waiting to be told
        pend, pend_type, pend_len, pend_bank = Signal(), Signal(8), Signal(8), Signal()
        err, err_code = Signal(), Signal(8)
        with mod.If(frx.frame_valid):
            mod.d.sync += [pend.eq(1), pend_type.eq(frx.frame_type), pend_len.eq(frx.frame_len),
                         pend_bank.eq(frx.frame_bank)]
        with mod.If(frx.error_valid):
            mod.d.sync += [err.eq(1), err_code.eq(frx.error_code)]
        mod.d.comb += self.error.eq(frx.error_valid)

        # the command being served
        kind, bank, plen = Signal(8), Signal(), Signal(8)
        hdr = Signal(8 * ps.GENERATE_HEADER)          # header bytes, shifted in from the top
        k = Signal(9)                                  # byte index while reading the buffer
        tq = Signal(16, init=self.story_tq or 0)
        count, ngen, flags = Signal(16), Signal(16), Signal(8)
        pidx = Signal(8)
        tok, choose = Signal(range(V)), Signal()
        tok_word = Signal(16)
        story = Signal(init=self.story_tq is not None)
        start_story = Signal(init=self.story_tq is not None)
        story_seed = Signal(32, init=self.story_seed)
        mod.d.comb += [self.tq.eq(tq), self.story.eq(story)]

        # frames out
        f = ftx.frame.payload
        info_payload = int.from_bytes(self.info.payload(), "little")

        def send(kind_, payload_bytes: int, length: int):
            mod.d.comb += [ftx.frame.valid.eq(1), f.type.eq(kind_), f.length.eq(length),
                         f.payload.eq(payload_bytes)]

        # story text shares the UART with frames; a frame in flight always goes first
        raw_valid, raw_byte, raw_ready = Signal(), Signal(8), Signal()
        ftx_idle = ftx.frame.ready
        with mod.If(ftx_idle):
            mod.d.comb += [self.tx.valid.eq(raw_valid), self.tx.payload.eq(raw_byte),
                         raw_ready.eq(self.tx.ready)]
        with mod.Else():
            wiring.connect(mod, wiring.flipped(self.tx), ftx.data)

        end_reason = Signal(8)
        text_idx, text_end = Signal(range(len(text) + 1)), Signal(range(len(text) + 1))
        mod.d.comb += frx.rd_addr.eq(Cat(k[:8], bank))

        with mod.FSM():
            with mod.State("IDLE"):
                with mod.If(start_story):
                    mod.d.sync += start_story.eq(0)
                    mod.next = "STORY_START"
                with mod.Elif(err):
                    send(ps.RSP_ERROR, err_code, 1)
                    with mod.If(ftx.frame.ready):
                        mod.d.sync += err.eq(0)
                with mod.Elif(pend):
                    mod.d.sync += [pend.eq(0), kind.eq(pend_type), bank.eq(pend_bank),
                                 plen.eq((pend_len - ps.GENERATE_HEADER) >> 1), k.eq(0),
                                 story.eq(0)]
                    g_ok = ((pend_len >= ps.GENERATE_HEADER) & ~(pend_len - ps.GENERATE_HEADER)[0])
                    with mod.If((pend_type == ps.CMD_INFO) & (pend_len == 0)):
                        mod.next = "SEND_INFO"
                    with mod.Elif((pend_type == ps.CMD_HALT) & (pend_len == 0)):
                        mod.next = "SEND_ACK"
                    with mod.Elif(((pend_type == ps.CMD_GENERATE) & g_ok)
                                | ((pend_type == ps.CMD_STORY) & (pend_len == 6))):
                        mod.next = "READ_HEADER"
                    with mod.Else():
                        mod.d.sync += [err.eq(1), err_code.eq(ps.ERR_COMMAND)]
            with mod.State("SEND_INFO"):
                send(ps.RSP_INFO, info_payload, len(self.info.payload()))
                with mod.If(ftx.frame.ready):
                    mod.next = "IDLE"
            with mod.State("SEND_ACK"):
                send(ps.RSP_ACK, kind, 1)
                with mod.If(ftx.frame.ready):
                    with mod.If(kind == ps.CMD_STORY):
                        mod.next = "STORY_START"
                    with mod.Else():
                        mod.next = "IDLE"
            with mod.State("READ_HEADER"):
                # buffer reads take a cycle: byte k−1 arrives while byte k is addressed
                mod.d.sync += k.eq(k + 1)
                with mod.If(k != 0):
                    mod.d.sync += hdr.eq(Cat(hdr[8:], frx.rd_data))
                with mod.If(((kind == ps.CMD_GENERATE) & (k == ps.GENERATE_HEADER))
                          | ((kind == ps.CMD_STORY) & (k == 6))):
                    mod.next = "SETUP"
            with mod.State("SETUP"):
                with mod.If(kind == ps.CMD_STORY):
                    # six bytes were shifted in: they sit in the top 48 bits
                    mod.d.sync += [story_seed.eq(hdr[24:56]), tq.eq(hdr[56:72])]
                    mod.next = "SEND_ACK"
                with mod.Else():
                    mod.d.comb += [self.rng_load.eq(1), self.rng_load_value.eq(hdr[0:32] + 1)]
                    mod.d.sync += [tq.eq(hdr[32:48]), count.eq(hdr[48:64]), flags.eq(hdr[64:72]),
                                 ngen.eq(0), pidx.eq(0), tok.eq(eot),
                                 choose.eq((plen == 0) & (hdr[48:64] != 0))]
                    mod.next = "FEED"
            with mod.State("FEED"):
                mod.d.comb += [self.tokens.valid.eq(1), self.tokens.payload.token.eq(tok),
                             self.tokens.payload.choose.eq(choose)]
                with mod.If(self.tokens.ready):
                    with mod.If(choose):
                        mod.next = "CHOOSE"
                    with mod.Elif(pidx == plen):
                        # the prompt was read and no token was asked for
                        mod.d.sync += end_reason.eq(ps.END_COUNT)
                        mod.next = "SEND_END"
                    with mod.Else():
                        mod.d.sync += k.eq(ps.GENERATE_HEADER + 2 * pidx)
                        mod.next = "READ_TOKEN_LO"
            with mod.State("READ_TOKEN_LO"):
                mod.d.sync += k.eq(k + 1)
                mod.next = "READ_TOKEN_HI"
            with mod.State("READ_TOKEN_HI"):
                mod.d.sync += tok_word[:8].eq(frx.rd_data)
                mod.next = "READ_TOKEN_DONE"
            with mod.State("READ_TOKEN_DONE"):
                word = Cat(tok_word[:8], frx.rd_data)
                # an id outside the vocabulary is read as the end-of-story token
                mod.d.sync += [tok.eq(word), pidx.eq(pidx + 1),
                             choose.eq((pidx + 1 == plen) & (count != 0))]
                with mod.If(word >= V):
                    mod.d.sync += tok.eq(eot)
                mod.next = "FEED"
            with mod.State("CHOOSE"):
                mod.d.comb += self.choice.ready.eq(1)
                with mod.If(self.choice.valid):
                    mod.d.comb += self.activity.eq(1)
                    mod.d.sync += [tok.eq(self.choice.payload), ngen.eq(ngen + 1), choose.eq(1)]
                    with mod.If(story):
                        mod.next = "TEXT_START"
                    with mod.Else():
                        mod.next = "SEND_TOKEN"
            with mod.State("SEND_TOKEN"):
                send(ps.RSP_TOKEN, tok, 2)
                with mod.If(ftx.frame.ready):
                    with mod.If(flags[0] & (tok == eot)):
                        mod.d.sync += end_reason.eq(ps.END_EOT)
                        mod.next = "SEND_END"
                    with mod.Elif(ngen == count):
                        mod.d.sync += end_reason.eq(ps.END_COUNT)
                        mod.next = "SEND_END"
                    with mod.Elif(pend):
                        mod.d.sync += end_reason.eq(ps.END_INTERRUPTED)
                        mod.next = "SEND_END"
                    with mod.Else():
                        mod.next = "FEED"
            with mod.State("SEND_END"):
                send(ps.RSP_END, Cat(ngen, end_reason), 3)
                with mod.If(ftx.frame.ready):
                    mod.next = "IDLE"
            with mod.State("STORY_START"):
                mod.d.comb += [self.rng_load.eq(1), self.rng_load_value.eq(story_seed + 1)]
                mod.d.sync += [story.eq(1), tok.eq(eot), choose.eq(1)]
                mod.next = "FEED"
            # story mode: write the chosen token's bytes, then read it and choose again
            with mod.State("TEXT_START"):
                mod.d.comb += off_rd.addr.eq(tok)
                mod.next = "TEXT_END"
            with mod.State("TEXT_END"):
                mod.d.comb += off_rd.addr.eq(tok + 1)
                mod.d.sync += text_idx.eq(off_rd.data)
                mod.next = "TEXT_BOUNDS"
            with mod.State("TEXT_BOUNDS"):
                mod.d.sync += text_end.eq(off_rd.data)
                mod.next = "TEXT_FETCH"
            with mod.State("TEXT_FETCH"):
                mod.d.comb += text_rd.addr.eq(text_idx)
                with mod.If(text_idx == text_end):
                    with mod.If(pend):
                        mod.d.sync += story.eq(0)
                        mod.next = "IDLE"
                    with mod.Else():
                        mod.next = "FEED"
                with mod.Else():
                    mod.next = "TEXT_OUT"
            with mod.State("TEXT_OUT"):
                mod.d.comb += [text_rd.addr.eq(text_idx), raw_valid.eq(1),
                             raw_byte.eq(text_rd.data)]
                with mod.If(raw_ready):
                    mod.d.sync += text_idx.eq(text_idx + 1)
                    mod.next = "TEXT_FETCH"
        return mod

