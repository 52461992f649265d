"""Host side of the serial protocol: talk to a board (or anything that speaks like one).

:class:`Client` works over any transport with ``write(bytes)`` and ``read(n)`` (returning what
arrived within the transport's read timeout, possibly nothing): a pyserial port, the simulated
board's pty, or :class:`RefBoard`, the protocol computed in Python with the golden engine.
:func:`talk` is one session as ``trnn talk`` runs it: ask the board which model it runs, then
generate from a prompt (or switch it to story mode) and write the text.
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable
from typing import BinaryIO, Protocol

from ..hdl import protospec as ps
from ..model.generate import generate
from ..model.golden import NumpyEngine
from ..model.machine import Machine, seed_to_state, temperature_to_tq
from ..model.output import StoryWriter, TerminalText
from ..models import SHIPPED, shipped_path


class Transport(Protocol):
    """What :class:`Client` talks over: ``write`` sends bytes; ``read(n)`` returns up to ``n``
    bytes that arrived within the transport's read timeout (possibly none)."""

    def write(self, data: bytes) -> int | None:
        """Send ``data``."""

    def read(self, n: int) -> bytes:
        """Up to ``n`` received bytes."""


class HostError(Exception):
    """A failure talking to a board; the message is one line for the user."""


def open_serial(port: str, baud: int, read_timeout: float = 0.05):
    """Open ``port`` (a device path) exclusively at ``baud``, with ``read_timeout`` seconds
    per read; a pyserial ``Serial``. :class:`HostError` (one line) for a missing or busy port
    or one that cannot be opened."""
    try:
        import serial   # only here: the message below names the missing package
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

    def __init__(self, transport: Transport, timeout: float = 2.0, name: str = "the board"):
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

    def sync(self) -> None:
        """Flush whatever the board was sending (story text) and drop it."""
        self.t.write(ps.frame(ps.CMD_HALT))
        self._expect({ps.RSP_ACK})
        self.pending.clear()

    def info(self) -> ps.Info:
        """Ask the board what it runs (model hash, V, H, clock, baud)."""
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

    def story(self, seed: int, tq: int) -> None:
        """Switch the board to story mode with PRNG ``seed`` and integer temperature ``tq``;
        its text then arrives as raw bytes (:meth:`read_raw`)."""
        self.t.write(ps.frame(ps.CMD_STORY, struct.pack(ps.STORY_FORMAT, seed, tq)))
        self._expect({ps.RSP_ACK})
        self.pending.clear()
        self.parser = ps.FrameParser()

    def read_raw(self) -> bytes:
        """Up to 4096 bytes the board sent (possibly none), not parsed as frames."""
        return self.t.read(4096)


def board_model(info: ps.Info, model: Machine | None = None,
                model_name: str | None = None) -> Machine:
    """The model a board that answered INFO ``info`` runs: ``model`` if given (its
    fingerprint must be the one the board reports; ``model_name`` names it in the error), else
    the shipped model with that hash. :class:`HostError` when neither matches."""
    if model is not None:
        if model.fingerprint() != info.fingerprint:
            raise HostError(f"the board runs a different model (hash {info.fingerprint:08x}) "
                            f"than {model_name or 'the given model'} "
                            f"({model.fingerprint():08x}); pass the model file it was built "
                            f"from with --model")
        return model
    for name in SHIPPED:
        m = Machine.load(shipped_path(name))
        if m.fingerprint() == info.fingerprint:
            return m
    raise HostError(f"the board runs model {info.fingerprint:08x}, not a shipped one; pass its "
                    f"model file with --model")


def _tq(temperature: float, m: Machine) -> int:
    """:func:`temperature_to_tq` for ``m``, its range error as a :class:`HostError`."""
    try:
        return temperature_to_tq(temperature, m.logit_scale)
    except ValueError as e:
        raise HostError(str(e)) from None


def talk(transport: Transport, out: BinaryIO, *, prompt: str = "Once upon a time",
         max_tokens: int = 400, temperature: float | None = None, seed: int = 0,
         story: bool = False, stop_at_eot: bool = True, show_eot: bool = False,
         timeout: float = 2.0, quiet: bool = False, port: str = "the board",
         model: Machine | None = None, model_name: str | None = None) -> list[int]:
    """One session with the board on ``transport`` (see :class:`Client`), as ``trnn talk``.

    Asks the board which model it runs (:func:`board_model` with ``model``/``model_name``),
    then generates up to ``max_tokens`` (1..65535) tokens after ``prompt`` (at most
    :data:`~trnn.hdl.protospec.MAX_PROMPT` tokens) with PRNG ``seed`` (0..2^32-2) at
    ``temperature`` (0 = greedy; ``None``: 0, or 0.8 in story mode), stopping at the
    end-of-story token if ``stop_at_eot``. The text goes to the binary stream ``out`` as
    ``trnn generate`` writes it (:class:`~trnn.model.output.StoryWriter`, the marker only with
    ``show_eot``); unless ``quiet`` a tokens/s line goes to stderr. Returns the generated ids.

    With ``story`` the board is switched to story mode instead and its text copied to ``out``
    until interrupted (the function does not return). ``timeout``: seconds without an answer
    before giving up; ``port`` names the board in messages. :class:`HostError` (one line) for
    a silent or refusing board, a different model, a too long prompt, or a seed or temperature
    out of range (checked before anything is sent or written); a prompt the tokenizer cannot
    encode raises :class:`~trnn.model.tokenizer.TokenizerError`."""
    try:
        seed_to_state(seed)
    except ValueError as e:
        raise HostError(str(e)) from None
    if temperature is None:
        temperature = 0.8 if story else 0.0
    client = Client(transport, timeout=timeout, name=port)
    if story:
        m = board_model(client.info(), model, model_name)
        client.story(seed, _tq(temperature, m))
        text = TerminalText(out)
        while True:
            data = client.read_raw()
            if data:
                text.write(data)
    m = board_model(client.info(), model, model_name)
    ids = m.tokenizer.encode(prompt)
    if len(ids) > ps.MAX_PROMPT:
        raise HostError(f"the prompt is {len(ids)} tokens; the protocol carries at most "
                        f"{ps.MAX_PROMPT}")
    req = ps.GenerateRequest(tuple(ids), max_tokens, _tq(temperature, m), seed,
                             stop_at_eot=stop_at_eot)
    writer = StoryWriter(m, out, prompt, show_eot)
    t0 = time.monotonic()
    tokens, reason = client.generate(req, writer.emit)
    dt = time.monotonic() - t0
    writer.end()
    if not quiet:
        print(f"{len(tokens)} tokens in {dt:.2f} s ({len(tokens) / max(dt, 1e-9):,.0f} "
              f"tokens/s), {ps.END_REASONS.get(reason, reason)}", file=sys.stderr)
    return tokens


class RefBoard:
    """A board in pure Python: the protocol answered with the golden engine (docs/protocol.md).
    Host-mode replies only (no story mode), written to an output queue in one go."""

    def __init__(self, m, clk_hz: int = 12_000_000, baud: int = 115200, engine=None):
        self.m = m
        self.engine = engine or NumpyEngine(m)
        self.info = ps.Info.for_machine(m, clk_hz, baud)
        self.parser = ps.FrameParser(types={ps.CMD_INFO, ps.CMD_GENERATE, ps.CMD_STORY,
                                            ps.CMD_HALT}, max_len=255)
        self.out = bytearray()

    def write(self, data: bytes) -> int:
        """Receive ``data`` from the host; answers are queued for :meth:`read`."""
        for kind, payload in self.parser.feed(data):
            self.out += self.answer(kind, payload)
        return len(data)

    def read(self, n: int) -> bytes:
        """Up to ``n`` queued answer bytes (none when the queue is empty)."""
        chunk = bytes(self.out[:n])
        del self.out[:n]
        return chunk

    def answer(self, kind: int, payload: bytes) -> bytes:
        """The bytes the board sends in reply to one frame (``kind``, ``payload``)."""
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
