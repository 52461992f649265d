"""Frame receiver and transmitter for the serial protocol (:mod:`trnn.hdl.protospec`).

:class:`FrameRx` hunts for SYNC, collects TYPE, LEN and the payload into a two-bank buffer,
checks the CRC and reports each good frame with its bank (so the next frame can arrive while
the last one's payload is still being read). A wrong CRC or a frame left unfinished for
``timeout`` cycles is reported as an error and the receiver hunts for SYNC again, so garbage
and truncated frames never wedge it. :class:`FrameTx` sends one frame of up to
:data:`~trnn.hdl.protospec.MAX_TX_PAYLOAD` bytes, computing its CRC on the way out.
"""


from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .protospec import ERR_CRC, ERR_TRUNCATED, MAX_TX_PAYLOAD, SYNC


def _crc8_taps() -> list[list[int]]:
    # For each bit of the next CRC, the bits of (crc ^ byte) whose XOR it is: eight shifts of
    # the register c·x mod (x⁸ + x² + x + 1) run on sets of input bits (XOR = symmetric
    # difference), so the logic is one flat XOR per output bit.
    reg = [{i} for i in range(8)]
    for _ in range(8):
        top = reg[7]
        shifted = [set()] + reg[:7]
        reg = [shifted[i] ^ top if (0x07 >> i) & 1 else shifted[i] for i in range(8)]
    return [sorted(bits) for bits in reg]


_CRC8_TAPS = _crc8_taps()


def crc8_update(crc, byte):
    """The CRC-8 (polynomial 0x07) after one more byte, as logic (see ``protospec.crc8``)."""
    c = crc ^ byte
    return Cat(*[Cat(*[c[i] for i in taps]).xor() for taps in _CRC8_TAPS])


class FrameRx(wiring.Component):
    """Parses frames from ``data``. For each good frame, ``frame_valid`` pulses for one cycle
    with ``frame_type``, ``frame_len`` and ``frame_bank``; its payload byte ``k`` is then read
    at ``rd_addr = bank·256 + k`` and appears on ``rd_data`` one cycle later. ``error_valid``
    pulses with ``error_code`` (``ERR_CRC`` or ``ERR_TRUNCATED``) for a bad frame."""

    data: In(stream.Signature(8))
    frame_valid: Out(1)
    frame_type: Out(8)
    frame_len: Out(8)
    frame_bank: Out(1)
    error_valid: Out(1)
    error_code: Out(8)
    rd_addr: In(9)
    rd_data: Out(8)

    def __init__(self, timeout: int):
        if timeout < 1:
            raise ValueError("timeout must be at least one cycle")
        self.timeout = timeout
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.buf = buf = Memory(shape=8, depth=512, init=[])
        wr = buf.write_port()
        rd = buf.read_port()
        m.d.comb += [rd.addr.eq(self.rd_addr), self.rd_data.eq(rd.data)]

        kind = Signal(8)
        length = Signal(8)
        count = Signal(8)
        crc = Signal(8)
        bank = Signal()
        timer = Signal(range(self.timeout + 1))
        byte = self.data.payload
        got = Signal()
        timed_out = Signal()
        m.d.comb += [self.data.ready.eq(1), got.eq(self.data.valid),
                     timed_out.eq(timer == self.timeout)]
        m.d.comb += [wr.addr.eq(bank * 256 + count), wr.data.eq(byte)]
        m.d.sync += [self.frame_valid.eq(0), self.error_valid.eq(0)]

        def drop():
            # a frame left unfinished: report it and hunt for the next SYNC
            m.d.sync += [self.error_valid.eq(1), self.error_code.eq(ERR_TRUNCATED)]
            m.next = "HUNT"

        with m.FSM() as fsm:
            with m.State("HUNT"):
                with m.If(got & (byte == SYNC)):
                    m.d.sync += crc.eq(0)
                    m.next = "TYPE"
            with m.State("TYPE"):
                with m.If(got):
                    m.d.sync += [kind.eq(byte), crc.eq(crc8_update(crc, byte))]
                    m.next = "LEN"
                with m.Elif(timed_out):
                    drop()
            with m.State("LEN"):
                with m.If(got):
                    m.d.sync += [length.eq(byte), count.eq(0), crc.eq(crc8_update(crc, byte))]
                    with m.If(byte == 0):
                        m.next = "CRC"
                    with m.Else():
                        m.next = "PAYLOAD"
                with m.Elif(timed_out):
                    drop()
            with m.State("PAYLOAD"):
                with m.If(got):
                    m.d.comb += wr.en.eq(1)
                    m.d.sync += [count.eq(count + 1), crc.eq(crc8_update(crc, byte))]
                    with m.If(count + 1 == length):
                        m.next = "CRC"
                with m.Elif(timed_out):
                    drop()
            with m.State("CRC"):
                with m.If(got):
                    with m.If(byte == crc):
                        m.d.sync += [self.frame_valid.eq(1), self.frame_type.eq(kind),
                                     self.frame_len.eq(length), self.frame_bank.eq(bank),
                                     bank.eq(~bank)]
                    with m.Else():
                        m.d.sync += [self.error_valid.eq(1), self.error_code.eq(ERR_CRC)]
                    m.next = "HUNT"
                with m.Elif(timed_out):
                    drop()
        # a frame left unfinished is dropped after `timeout` cycles without a byte
        with m.If(fsm.ongoing("HUNT") | got | timed_out):
            m.d.sync += timer.eq(0)
        with m.Else():
            m.d.sync += timer.eq(timer + 1)
        return m


class FrameTx(wiring.Component):
    """Sends the frame offered on ``frame`` (type, length ≤ MAX_TX_PAYLOAD, payload bytes
    little-endian in ``payload``) as SYNC · TYPE · LEN · PAYLOAD · CRC on ``data``."""

    layout = data.StructLayout({"type": 8, "length": 8, "payload": 8 * MAX_TX_PAYLOAD})
    frame: In(stream.Signature(layout))
    data: Out(stream.Signature(8))

    def elaborate(self, platform):
        m = Module()
        cur = Signal(self.layout)
        index = Signal(8)
        crc = Signal(8)
        out = self.data
        payload_byte = cur.payload.word_select(index, 8)
        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.frame.ready.eq(1)
                with m.If(self.frame.valid):
                    m.d.sync += [cur.eq(self.frame.payload), crc.eq(0), index.eq(0)]
                    m.next = "SYNC"
            with m.State("SYNC"):
                m.d.comb += [out.valid.eq(1), out.payload.eq(SYNC)]
                with m.If(out.ready):
                    m.next = "TYPE"
            with m.State("TYPE"):
                m.d.comb += [out.valid.eq(1), out.payload.eq(cur.type)]
                with m.If(out.ready):
                    m.d.sync += crc.eq(crc8_update(crc, cur.type))
                    m.next = "LEN"
            with m.State("LEN"):
                m.d.comb += [out.valid.eq(1), out.payload.eq(cur.length)]
                with m.If(out.ready):
                    m.d.sync += crc.eq(crc8_update(crc, cur.length))
                    with m.If(cur.length == 0):
                        m.next = "CRC"
                    with m.Else():
                        m.next = "PAYLOAD"
            with m.State("PAYLOAD"):
                m.d.comb += [out.valid.eq(1), out.payload.eq(payload_byte)]
                with m.If(out.ready):
                    m.d.sync += [crc.eq(crc8_update(crc, payload_byte)), index.eq(index + 1)]
                    with m.If(index + 1 == cur.length):
                        m.next = "CRC"
            with m.State("CRC"):
                m.d.comb += [out.valid.eq(1), out.payload.eq(crc)]
                with m.If(out.ready):
                    m.next = "IDLE"
        return m
