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
        mach = self.m
        V, eot = mach.V, mach.eot_id
        m = Module()
        m.submodules.frx = frx = FrameRx(self.timeout)
        m.submodules.ftx = ftx = FrameTx()
        m.d.comb += [frx.data.valid.eq(self.rx.valid), frx.data.payload.eq(self.rx.payload),
                     self.rx.ready.eq(frx.data.ready)]

        # token → text bytes table for story mode
        tb = mach.tokenizer.to_arrays()
        offsets, text = [int(o) for o in tb["token_offsets"]], [int(b) for b in tb["token_bytes"]]
        m.submodules.offsets = off_mem = Memory(shape=range(len(text) + 1), depth=V + 1,
                                                init=offsets)
        m.submodules.text = text_mem = Memory(shape=8, depth=max(1, len(text)), init=text)
        off_rd, text_rd = off_mem.read_port(), text_mem.read_port()

        # a frame waiting to be served (a newer one replaces it) and an error waiting to be told
        pend, pend_type, pend_len, pend_bank = Signal(), Signal(8), Signal(8), Signal()
        err, err_code = Signal(), Signal(8)
        with m.If(frx.frame_valid):
            m.d.sync += [pend.eq(1), pend_type.eq(frx.frame_type), pend_len.eq(frx.frame_len),
                         pend_bank.eq(frx.frame_bank)]
        with m.If(frx.error_valid):
            m.d.sync += [err.eq(1), err_code.eq(frx.error_code)]
        m.d.comb += self.error.eq(frx.error_valid)

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
        m.d.comb += [self.tq.eq(tq), self.story.eq(story)]

        # frames out
        f = ftx.frame.payload
        info_payload = int.from_bytes(self.info.payload(), "little")

        def send(kind_, payload_bytes: int, length: int):
            m.d.comb += [ftx.frame.valid.eq(1), f.type.eq(kind_), f.length.eq(length),
                         f.payload.eq(payload_bytes)]

        # story text shares the UART with frames; a frame in flight always goes first
        raw_valid, raw_byte, raw_ready = Signal(), Signal(8), Signal()
        ftx_idle = ftx.frame.ready
        with m.If(ftx_idle):
            m.d.comb += [self.tx.valid.eq(raw_valid), self.tx.payload.eq(raw_byte),
                         raw_ready.eq(self.tx.ready)]
        with m.Else():
            wiring.connect(m, wiring.flipped(self.tx), ftx.data)

        end_reason = Signal(8)
        text_idx, text_end = Signal(range(len(text) + 1)), Signal(range(len(text) + 1))
        m.d.comb += frx.rd_addr.eq(Cat(k[:8], bank))

        with m.FSM():
            with m.State("IDLE"):
                with m.If(start_story):
                    m.d.sync += start_story.eq(0)
                    m.next = "STORY_START"
                with m.Elif(err):
                    send(ps.RSP_ERROR, err_code, 1)
                    with m.If(ftx.frame.ready):
                        m.d.sync += err.eq(0)
                with m.Elif(pend):
                    m.d.sync += [pend.eq(0), kind.eq(pend_type), bank.eq(pend_bank),
                                 plen.eq((pend_len - ps.GENERATE_HEADER) >> 1), k.eq(0),
                                 story.eq(0)]
                    g_ok = ((pend_len >= ps.GENERATE_HEADER) & ~(pend_len - ps.GENERATE_HEADER)[0])
                    with m.If((pend_type == ps.CMD_INFO) & (pend_len == 0)):
                        m.next = "SEND_INFO"
                    with m.Elif((pend_type == ps.CMD_HALT) & (pend_len == 0)):
                        m.next = "SEND_ACK"
                    with m.Elif(((pend_type == ps.CMD_GENERATE) & g_ok)
                                | ((pend_type == ps.CMD_STORY) & (pend_len == 6))):
                        m.next = "READ_HEADER"
                    with m.Else():
                        m.d.sync += [err.eq(1), err_code.eq(ps.ERR_COMMAND)]
            with m.State("SEND_INFO"):
                send(ps.RSP_INFO, info_payload, len(self.info.payload()))
                with m.If(ftx.frame.ready):
                    m.next = "IDLE"
            with m.State("SEND_ACK"):
                send(ps.RSP_ACK, kind, 1)
                with m.If(ftx.frame.ready):
                    with m.If(kind == ps.CMD_STORY):
                        m.next = "STORY_START"
                    with m.Else():
                        m.next = "IDLE"
            with m.State("READ_HEADER"):
                # buffer reads take a cycle: byte k−1 arrives while byte k is addressed
                m.d.sync += k.eq(k + 1)
                with m.If(k != 0):
                    m.d.sync += hdr.eq(Cat(hdr[8:], frx.rd_data))
                with m.If(((kind == ps.CMD_GENERATE) & (k == ps.GENERATE_HEADER))
                          | ((kind == ps.CMD_STORY) & (k == 6))):
                    m.next = "SETUP"
            with m.State("SETUP"):
                with m.If(kind == ps.CMD_STORY):
                    # six bytes were shifted in: they sit in the top 48 bits
                    m.d.sync += [story_seed.eq(hdr[24:56]), tq.eq(hdr[56:72])]
                    m.next = "SEND_ACK"
                with m.Else():
                    m.d.comb += [self.rng_load.eq(1), self.rng_load_value.eq(hdr[0:32] + 1)]
                    m.d.sync += [tq.eq(hdr[32:48]), count.eq(hdr[48:64]), flags.eq(hdr[64:72]),
                                 ngen.eq(0), pidx.eq(0), tok.eq(eot),
                                 choose.eq((plen == 0) & (hdr[48:64] != 0))]
                    m.next = "FEED"
            with m.State("FEED"):
                m.d.comb += [self.tokens.valid.eq(1), self.tokens.payload.token.eq(tok),
                             self.tokens.payload.choose.eq(choose)]
                with m.If(self.tokens.ready):
                    with m.If(choose):
                        m.next = "CHOOSE"
                    with m.Elif(pidx == plen):
                        # the prompt was read and no token was asked for
                        m.d.sync += end_reason.eq(ps.END_COUNT)
                        m.next = "SEND_END"
                    with m.Else():
                        m.d.sync += k.eq(ps.GENERATE_HEADER + 2 * pidx)
                        m.next = "READ_TOKEN_LO"
            with m.State("READ_TOKEN_LO"):
                m.d.sync += k.eq(k + 1)
                m.next = "READ_TOKEN_HI"
            with m.State("READ_TOKEN_HI"):
                m.d.sync += tok_word[:8].eq(frx.rd_data)
                m.next = "READ_TOKEN_DONE"
            with m.State("READ_TOKEN_DONE"):
                word = Cat(tok_word[:8], frx.rd_data)
                # an id outside the vocabulary is read as the end-of-story token
                m.d.sync += [tok.eq(word), pidx.eq(pidx + 1),
                             choose.eq((pidx + 1 == plen) & (count != 0))]
                with m.If(word >= V):
                    m.d.sync += tok.eq(eot)
                m.next = "FEED"
            with m.State("CHOOSE"):
                m.d.comb += self.choice.ready.eq(1)
                with m.If(self.choice.valid):
                    m.d.comb += self.activity.eq(1)
                    m.d.sync += [tok.eq(self.choice.payload), ngen.eq(ngen + 1), choose.eq(1)]
                    with m.If(story):
                        m.next = "TEXT_START"
                    with m.Else():
                        m.next = "SEND_TOKEN"
            with m.State("SEND_TOKEN"):
                send(ps.RSP_TOKEN, tok, 2)
                with m.If(ftx.frame.ready):
                    with m.If(flags[0] & (tok == eot)):
                        m.d.sync += end_reason.eq(ps.END_EOT)
                        m.next = "SEND_END"
                    with m.Elif(ngen == count):
                        m.d.sync += end_reason.eq(ps.END_COUNT)
                        m.next = "SEND_END"
                    with m.Elif(pend):
                        m.d.sync += end_reason.eq(ps.END_INTERRUPTED)
                        m.next = "SEND_END"
                    with m.Else():
                        m.next = "FEED"
            with m.State("SEND_END"):
                send(ps.RSP_END, Cat(ngen, end_reason), 3)
                with m.If(ftx.frame.ready):
                    m.next = "IDLE"
            with m.State("STORY_START"):
                m.d.comb += [self.rng_load.eq(1), self.rng_load_value.eq(story_seed + 1)]
                m.d.sync += [story.eq(1), tok.eq(eot), choose.eq(1)]
                m.next = "FEED"
            # story mode: write the chosen token's bytes, then read it and choose again
            with m.State("TEXT_START"):
                m.d.comb += off_rd.addr.eq(tok)
                m.next = "TEXT_END"
            with m.State("TEXT_END"):
                m.d.comb += off_rd.addr.eq(tok + 1)
                m.d.sync += text_idx.eq(off_rd.data)
                m.next = "TEXT_BOUNDS"
            with m.State("TEXT_BOUNDS"):
                m.d.sync += text_end.eq(off_rd.data)
                m.next = "TEXT_FETCH"
            with m.State("TEXT_FETCH"):
                m.d.comb += text_rd.addr.eq(text_idx)
                with m.If(text_idx == text_end):
                    with m.If(pend):
                        m.d.sync += story.eq(0)
                        m.next = "IDLE"
                    with m.Else():
                        m.next = "FEED"
                with m.Else():
                    m.next = "TEXT_OUT"
            with m.State("TEXT_OUT"):
                m.d.comb += [text_rd.addr.eq(text_idx), raw_valid.eq(1),
                             raw_byte.eq(text_rd.data)]
                with m.If(raw_ready):
                    m.d.sync += text_idx.eq(text_idx + 1)
                    m.next = "TEXT_FETCH"
        return m

