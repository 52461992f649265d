"""The serial protocol between a host and a trnn board, in pure Python (docs/protocol.md).

This module is the specification the gateware (:mod:`trnn.hdl.frames`,
:mod:`trnn.hdl.protocol`) and the host tool (``trnn talk``) both follow; of the hardware
library it uses only the CRC parameters (:data:`FRAME_CRC`, pure Python). A frame is::

    SYNC (0xA5) · TYPE · LEN · PAYLOAD (LEN bytes) · CRC

with ``CRC`` the CRC-8 (polynomial 0x07, initial value 0, no reflection, no final XOR) of
``TYPE · LEN · PAYLOAD`` — CRC-8/SMBUS of Amaranth's catalogue, whose ``compute()`` is the
host's check and whose ``create()`` the gateware's. Multi-byte fields are little-endian.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from amaranth.lib.crc.catalog import CRC8_SMBUS

SYNC = 0xA5
VERSION = 1

# host → board
CMD_INFO = ord("I")      # no payload; answered by an INFO frame
CMD_GENERATE = ord("G")  # GenerateRequest; answered by TOKEN frames and one END frame
CMD_STORY = ord("S")     # seed u32, tq u16; answered by ACK, then free-running story text
CMD_HALT = ord("H")      # no payload; stops generation or story mode, answered by ACK

# board → host
RSP_INFO = ord("i")      # Info
RSP_TOKEN = ord("t")     # token id u16
RSP_END = ord("e")       # tokens generated u16, reason u8
RSP_ACK = ord("a")       # the command type acknowledged u8
RSP_ERROR = ord("x")     # error code u8

END_COUNT, END_EOT, END_INTERRUPTED = 0, 1, 2
END_REASONS = {END_COUNT: "token count reached", END_EOT: "end of story",
               END_INTERRUPTED: "interrupted by a new command"}
ERR_CRC, ERR_COMMAND, ERR_TRUNCATED = 1, 2, 3
ERRORS = {ERR_CRC: "checksum mismatch", ERR_COMMAND: "unknown command or bad length",
          ERR_TRUNCATED: "frame truncated (timeout)"}

GENERATE_HEADER = 9                       # seed u32, tq u16, count u16, flags u8
MAX_PROMPT = (255 - GENERATE_HEADER) // 2  # 123 tokens
FLAG_STOP_AT_EOT = 1
MAX_TX_PAYLOAD = 17
INFO_FORMAT = "<BIHHII"                   # version, model hash, V, H, clock Hz, baud
STORY_FORMAT = "<IH"


#: the frame check: CRC-8/SMBUS (polynomial 0x07, initial value 0, no reflection, no final
#: XOR) over bytes; ``FRAME_CRC.create()`` is the hardware's
FRAME_CRC = CRC8_SMBUS(data_width=8)


def crc8(data: bytes) -> int:
    """The frame check value of ``data`` (:data:`FRAME_CRC`), 0…255."""
    return FRAME_CRC.compute(data)


def frame(kind: int, payload: bytes = b"") -> bytes:
    """One complete frame."""
    if len(payload) > 255:
        raise ValueError("a frame payload holds at most 255 bytes")
    body = bytes([kind, len(payload)]) + payload
    return bytes([SYNC]) + body + bytes([crc8(body)])


@dataclass(frozen=True)
class GenerateRequest:
    """Generate up to ``count`` tokens after ``prompt`` (ids, without the leading end-of-story
    token), with integer temperature ``tq`` (0 = greedy) and seed ``seed`` (docs/machine.md)."""

    prompt: tuple[int, ...]
    count: int
    tq: int = 0
    seed: int = 0
    stop_at_eot: bool = True

    def __post_init__(self):
        # the frame's field widths (u32 seed, u16 t_q, u16 count, u16 token ids): a value out
        # of range is refused here, with its limit, not by struct.pack mid-conversation
        for name, value, hi in (("seed", self.seed, 2**32 - 2), ("tq", self.tq, 0xFFFF),
                                ("count", self.count, 0xFFFF)):
            if not 0 <= value <= hi:
                raise ValueError(f"{name} must be in 0..{hi} (a field of the GENERATE frame), "
                                 f"got {value}")
        if len(self.prompt) > MAX_PROMPT:
            raise ValueError(f"a prompt holds at most {MAX_PROMPT} tokens, got {len(self.prompt)}")
        if any(not 0 <= t <= 0xFFFF for t in self.prompt):
            raise ValueError("prompt token ids must be in 0..65535")

    def encode(self) -> bytes:
        """The complete ``G`` frame of this request."""
        head = struct.pack("<IHHB", self.seed, self.tq, self.count,
                           FLAG_STOP_AT_EOT if self.stop_at_eot else 0)
        return frame(CMD_GENERATE, head + b"".join(struct.pack("<H", t) for t in self.prompt))


@dataclass(frozen=True)
class Info:
    """The payload of an INFO frame (``i``): protocol version, the machine's fingerprint
    (:meth:`trnn.model.machine.Machine.fingerprint`), V, H, clock in Hz and baud rate."""
    version: int
    fingerprint: int
    V: int
    H: int
    clk_hz: int
    baud: int

    @classmethod
    def for_machine(cls, m, clk_hz: int, baud: int) -> "Info":
        """The INFO a board running machine ``m`` reports."""
        return cls(VERSION, m.fingerprint(), m.V, m.H, clk_hz, baud)

    def payload(self) -> bytes:
        """The frame payload (:data:`INFO_FORMAT`, little-endian)."""
        return struct.pack(INFO_FORMAT, self.version, self.fingerprint, self.V, self.H,
                           self.clk_hz, self.baud)

    @classmethod
    def decode(cls, payload: bytes) -> "Info":
        """The :class:`Info` of an INFO frame's payload; ``struct.error`` if it has the wrong
        length."""
        return cls(*struct.unpack(INFO_FORMAT, payload))


RESPONSES = frozenset({RSP_INFO, RSP_TOKEN, RSP_END, RSP_ACK, RSP_ERROR})


class FrameParser:
    """Host-side receiver: feed it bytes, get ``(type, payload)`` for each frame whose CRC
    holds. Bytes outside frames (story text, line noise) are skipped and kept in ``skipped``.
    A SYNC byte followed by a type not in ``types`` or a length over ``max_len`` is not a frame
    start, so a stray SYNC in text cannot make the parser wait for a long phantom frame."""

    def __init__(self, types=RESPONSES, max_len: int = MAX_TX_PAYLOAD):
        self.buf = bytearray()
        self.skipped = bytearray()
        self.types, self.max_len = types, max_len

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Take more received bytes; the ``(type, payload)`` of each frame completed by them, in
        order."""
        self.buf += data
        out = []
        while True:
            start = self.buf.find(SYNC)
            if start < 0:
                self.skipped += self.buf
                self.buf.clear()
                return out
            if start:
                self.skipped += self.buf[:start]
                del self.buf[:start]
            if len(self.buf) < 3 and (len(self.buf) < 2 or self.buf[1] in self.types):
                return out
            n = self.buf[2] if len(self.buf) >= 3 else 0
            plausible = self.buf[1] in self.types and n <= self.max_len
            if plausible and len(self.buf) < 4 + n:
                return out
            body = bytes(self.buf[1:3 + n])
            if plausible and crc8(body) == self.buf[3 + n]:
                out.append((body[0], body[2:]))
                del self.buf[:4 + n]
            else:
                # not a frame after all: resynchronise on the next SYNC byte
                self.skipped.append(self.buf[0])
                del self.buf[:1]
