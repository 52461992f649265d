"""Frame receiver and transmitter for the serial protocol (:mod:`trnn.hdl.protospec`).

:class:`FrameRx` hunts for SYNC, collects TYPE, LEN and the payload into a two-bank buffer,
checks the CRC and reports each good frame with its bank (so the next frame can arrive while
the last one's payload is still being read). A wrong CRC or a frame left unfinished for
``timeout`` cycles is reported as an error and the receiver hunts for SYNC again, so garbage
and truncated frames never wedge it. :class:`FrameTx` sends one frame of up to
:data:`~trnn.hdl.protospec.MAX_TX_PAYLOAD` bytes, computing its CRC on the way out. Both
compute the check with the processor that :data:`~trnn.hdl.protospec.FRAME_CRC` creates
(``amaranth.lib.crc``), the same parameters whose ``compute()`` the host uses.
"""


from amaranth.hdl import Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .protospec import ERR_CRC, ERR_TRUNCATED, FRAME_CRC, MAX_TX_PAYLOAD, SYNC


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
        mod = Module()
        mod.submodules.buf = buf = Memory(shape=8, depth=512, init=[])
        wr = buf.write_port()
        rd = buf.read_port()
        mod.d.comb += [rd.addr.eq(self.rd_addr), self.rd_data.eq(rd.data)]

        kind = Signal(8)
        length = Signal(8)
        count = Signal(8)
        mod.submodules.crc = crc = FRAME_CRC.create()
        bank = Signal()
        timer = Signal(range(self.timeout + 1))
        byte = self.data.payload
        got = Signal()
        timed_out = Signal()
        mod.d.comb += [self.data.ready.eq(1), got.eq(self.data.valid),
                     timed_out.eq(timer == self.timeout)]
        mod.d.comb += [wr.addr.eq(bank * 256 + count), wr.data.eq(byte), crc.data.eq(byte)]
        mod.d.sync += [self.frame_valid.eq(0), self.error_valid.eq(0)]

        def drop():
            # a frame left unfinished: report it and hunt for the next SYNC
            mod.d.sync += [self.error_valid.eq(1), self.error_code.eq(ERR_TRUNCATED)]
            mod.next = "HUNT"

        with mod.FSM() as fsm:
            with mod.State("HUNT"):
                with mod.If(got & (byte == SYNC)):
                    mod.d.comb += crc.start.eq(1)
                    mod.next = "TYPE"
            with mod.State("TYPE"):
                with mod.If(got):
                    mod.d.comb += crc.valid.eq(1)
                    mod.d.sync += kind.eq(byte)
                    mod.next = "LEN"
                with mod.Elif(timed_out):
                    drop()
            with mod.State("LEN"):
                with mod.If(got):
                    mod.d.comb += crc.valid.eq(1)
                    mod.d.sync += [length.eq(byte), count.eq(0)]
                    with mod.If(byte == 0):
                        mod.next = "CRC"
                    with mod.Else():
                        mod.next = "PAYLOAD"
                with mod.Elif(timed_out):
                    drop()
            with mod.State("PAYLOAD"):
                with mod.If(got):
                    mod.d.comb += [wr.en.eq(1), crc.valid.eq(1)]
                    mod.d.sync += count.eq(count + 1)
                    with mod.If(count + 1 == length):
                        mod.next = "CRC"
                with mod.Elif(timed_out):
                    drop()
            with mod.State("CRC"):
                with mod.If(got):
                    with mod.If(byte == crc.crc):
                        mod.d.sync += [self.frame_valid.eq(1), self.frame_type.eq(kind),
                                     self.frame_len.eq(length), self.frame_bank.eq(bank),
                                     bank.eq(~bank)]
                    with mod.Else():
                        mod.d.sync += [self.error_valid.eq(1), self.error_code.eq(ERR_CRC)]
                    mod.next = "HUNT"
                with mod.Elif(timed_out):
                    drop()
        # a frame left unfinished is dropped after `timeout` cycles without a byte
        with mod.If(fsm.ongoing("HUNT") | got | timed_out):
            mod.d.sync += timer.eq(0)
        with mod.Else():
            mod.d.sync += timer.eq(timer + 1)
        return mod


class FrameTx(wiring.Component):
    """Sends the frame offered on ``frame`` (type, length ≤ MAX_TX_PAYLOAD, payload bytes
    little-endian in ``payload``) as SYNC · TYPE · LEN · PAYLOAD · CRC on ``data``."""

    layout = data.StructLayout({"type": 8, "length": 8, "payload": 8 * MAX_TX_PAYLOAD})
    frame: In(stream.Signature(layout))
    data: Out(stream.Signature(8))

    def elaborate(self, platform):
        mod = Module()
        cur = Signal(self.layout)
        index = Signal(8)
        mod.submodules.crc = crc = FRAME_CRC.create()
        out = self.data
        mod.d.comb += crc.data.eq(out.payload)
        payload_byte = cur.payload.word_select(index, 8)
        with mod.FSM():
            with mod.State("IDLE"):
                mod.d.comb += self.frame.ready.eq(1)
                with mod.If(self.frame.valid):
                    mod.d.comb += crc.start.eq(1)
                    mod.d.sync += [cur.eq(self.frame.payload), index.eq(0)]
                    mod.next = "SYNC"
            with mod.State("SYNC"):
                mod.d.comb += [out.valid.eq(1), out.payload.eq(SYNC)]
                with mod.If(out.ready):
                    mod.next = "TYPE"
            with mod.State("TYPE"):
                mod.d.comb += [out.valid.eq(1), out.payload.eq(cur.type)]
                with mod.If(out.ready):
                    mod.d.comb += crc.valid.eq(1)
                    mod.next = "LEN"
            with mod.State("LEN"):
                mod.d.comb += [out.valid.eq(1), out.payload.eq(cur.length)]
                with mod.If(out.ready):
                    mod.d.comb += crc.valid.eq(1)
                    with mod.If(cur.length == 0):
                        mod.next = "CRC"
                    with mod.Else():
                        mod.next = "PAYLOAD"
            with mod.State("PAYLOAD"):
                mod.d.comb += [out.valid.eq(1), out.payload.eq(payload_byte)]
                with mod.If(out.ready):
                    mod.d.comb += crc.valid.eq(1)
                    mod.d.sync += index.eq(index + 1)
                    with mod.If(index + 1 == cur.length):
                        mod.next = "CRC"
            with mod.State("CRC"):
                mod.d.comb += [out.valid.eq(1), out.payload.eq(crc.crc)]
                with mod.If(out.ready):
                    mod.next = "IDLE"
        return mod
