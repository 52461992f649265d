"""Host side of the serial protocol: talk to a board (or anything that speaks like one).

:class:`Client` works over any transport with ``write(bytes)`` and ``read(n)`` (returning what
arrived within the transport's read timeout, possibly nothing): a pyserial port, the simulated
board's pty, or :class:`RefBoard`, the protocol computed in Python with the golden engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..hdl import protospec as ps


class HostError(Exception):
    """A failure talking to a board; the message is one line for the user."""


def open_serial(port: str, baud: int, read_timeout: float = 0.05):
    """Open ``port`` exclusively, with one-line errors for a missing or busy port."""
    try:
        import serial
    except ImportError:
        raise HostError("pyserial is not installed (pip install pyserial)") from None
    try:
        s = serial.Serial(port, baud, timeout=read_timeout, exclusive=True)
        s.reset_input_buffer()   # bytes the board sent before we came are not ours
        return s
    except serial.SerialException as e:
        msg = str(e)
        if "No such file" in msg or "could not open port" in msg and "[Errno 2]" in msg:
            raise HostError(f"no serial port {port}") from None
        if "lock" in msg.lower() or "busy" in msg.lower() or "[Errno 16]" in msg:
            raise HostError(f"serial port {port} is busy (another program has it open)") \
                from None
        raise HostError(f"cannot open {port}: {msg}") from None
    except (OSError, ValueError) as e:
        raise HostError(f"cannot open {port}: {e}") from None


class Client:
    """Speaks the protocol over ``transport``. ``timeout``: seconds without a frame after
    which the board counts as not answering."""

    def __init__(self, transport, timeout: float = 2.0, name: str = "the board"):
        self.t = transport
        self.timeout = timeout
        self.name = name
        self.parser = ps.FrameParser()
        self.pending: list[tuple[int, bytes]] = []

    def _next_frame(self) -> tuple[int, bytes]:
        deadline = time.monotonic() + self.timeout
        while not self.pending:
            if time.monotonic() > deadline:
                raise HostError(f"no answer from {self.name} within {self.timeout:g} s (is it "
                                f"running trnn, at this baud rate?)")
            data = self.t.read(4096)
            if data:
                self.pending += self.parser.feed(data)
                deadline = time.monotonic() + self.timeout
        return self.pending.pop(0)

    def _expect(self, kinds: set[int]) -> tuple[int, bytes]:
        while True:
            kind, payload = self._next_frame()
            if kind in kinds:
                return kind, payload
            if kind == ps.RSP_ERROR:
                code = payload[0] if payload else 0
                raise HostError(f"{self.name} refused a frame: {ps.ERRORS.get(code, code)}")
            # anything else (END of an interrupted generation, a stale ACK) is skipped

    def sync(self):
        """Flush whatever the board was sending (story text) and drop it."""
        self.t.write(ps.frame(ps.CMD_HALT))
        self._expect({ps.RSP_ACK})
        self.pending.clear()

    def info(self) -> ps.Info:
        self.t.write(ps.frame(ps.CMD_INFO))
        return ps.Info.decode(self._expect({ps.RSP_INFO})[1])

    def generate(self, req: ps.GenerateRequest,
                 on_token: Callable[[int], None] | None = None) -> tuple[list[int], int]:
        """Run ``req``; returns the generated ids and the END reason."""
        self.t.write(req.encode())
        tokens = []
        while True:
            kind, payload = self._expect({ps.RSP_TOKEN, ps.RSP_END})
            if kind == ps.RSP_END:
                return tokens, payload[2]
            tok = int.from_bytes(payload, "little")
            tokens.append(tok)
            if on_token is not None:
                on_token(tok)

    def story(self, seed: int, tq: int):
        """Switch the board to story mode; its text then arrives as raw bytes."""
        import struct
        self.t.write(ps.frame(ps.CMD_STORY, struct.pack(ps.STORY_FORMAT, seed, tq)))
        self._expect({ps.RSP_ACK})
        self.pending.clear()
        self.parser = ps.FrameParser()

    def read_raw(self) -> bytes:
        return self.t.read(4096)


class RefBoard:
    """A board in pure Python: the protocol answered with the golden engine (docs/protocol.md).
    Host-mode replies only (no story mode), written to an output queue in one go."""

    def __init__(self, m, clk_hz: int = 12_000_000, baud: int = 115200, engine=None):
        from ..model.golden import NumpyEngine
        self.m = m
        self.engine = engine or NumpyEngine(m)
        self.info = ps.Info.for_machine(m, clk_hz, baud)
        self.parser = ps.FrameParser(types={ps.CMD_INFO, ps.CMD_GENERATE, ps.CMD_STORY,
                                            ps.CMD_HALT}, max_len=255)
        self.out = bytearray()

    def write(self, data: bytes) -> int:
        for kind, payload in self.parser.feed(data):
            self.out += self.answer(kind, payload)
        return len(data)

    def read(self, n: int) -> bytes:
        chunk = bytes(self.out[:n])
        del self.out[:n]
        return chunk

    def answer(self, kind: int, payload: bytes) -> bytes:
        import struct

        from ..model.generate import generate
        if kind == ps.CMD_INFO and not payload:
            return ps.frame(ps.RSP_INFO, self.info.payload())
        if kind == ps.CMD_HALT and not payload:
            return ps.frame(ps.RSP_ACK, bytes([kind]))
        n = len(payload) - ps.GENERATE_HEADER
        if kind == ps.CMD_GENERATE and n >= 0 and n % 2 == 0:
            seed, tq, count, flags = struct.unpack("<IHHB", payload[:ps.GENERATE_HEADER])
            prompt = [int.from_bytes(payload[k:k + 2], "little")
                      for k in range(ps.GENERATE_HEADER, len(payload), 2)]
            prompt = [t if t < self.m.V else self.m.eot_id for t in prompt]
            stop = bool(flags & ps.FLAG_STOP_AT_EOT)
            toks = generate(self.engine, prompt, count, tq, seed, stop_at_eot=stop).tokens \
                if count else []
            reason = ps.END_EOT if (stop and toks and toks[-1] == self.m.eot_id) \
                else ps.END_COUNT
            return b"".join(ps.frame(ps.RSP_TOKEN, t.to_bytes(2, "little")) for t in toks) \
                + ps.frame(ps.RSP_END, len(toks).to_bytes(2, "little") + bytes([reason]))
        return ps.frame(ps.RSP_ERROR, bytes([ps.ERR_COMMAND]))
