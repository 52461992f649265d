"""Gate-level check of a board build: the placed-and-routed design against the golden reference.

Every engine before place and route is tested equal to the golden reference; this checks
what Yosys mapped and nextpnr packed, placed and routed — what goes to the board:

1. **The bitstream is the routed design**: the bitstream file is unpacked with the family's
   own tool (``iceunpack``/``ecpunpack``, from the same tool packages) and compared with the
   configuration nextpnr wrote together with its routed netlist (``trnn.asc``/
   ``trnn.config``; see :func:`check_bitstream`).
2. **The routed netlist talks like the golden board**: nextpnr's routed design
   (``trnn.routed.json``, kept by ``trnn build``) is written as Verilog by the same Yosys,
   compiled with Verilator together with that Yosys's cell models of the family
   (``share/ice40/cells_sim.v``; ``share/lattice/cells_sim_ecp5.v``) into the
   simulated-board harness, and driven through its UART pins: from power-up the story-mode
   bytes must equal the reference stream, then a HALT and a GENERATE frame must be answered
   byte for byte as :class:`~trnn.boards.host.RefBoard` (the golden engine) answers them.

The netlist is made simulable in :mod:`trnn.sim.netlist`, with the cell library of
:mod:`trnn.sim.cells`; the bitstream is compared in :mod:`trnn.sim.bitstream`.
"""

from __future__ import annotations

import hashlib
import os
import select
import time
from dataclasses import dataclass
from pathlib import Path

from ..boards import tools
from ..boards.build import BuildError, VerifyError
from ..boards.catalog import Board
from .bitstream import FILES, check_bitstream
from .cells import MODELS
from .device import SimDevice, build_harness
from .netlist import ROUTED, routed_verilog


class PtyLink:
    """The simulated board's pty, opened without flushing what the board already sent (the
    story starts at power-up): ``write(bytes)``, ``read(n)`` waiting up to ``timeout`` s."""

    def __init__(self, path: str, timeout: float = 0.05):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        self.timeout = timeout

    def write(self, data: bytes) -> int:
        """Send ``data`` to the simulated board's receive pin."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        return len(data)

    def read(self, n: int) -> bytes:
        """The bytes available within ``timeout`` seconds (possibly none)."""
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        return os.read(self.fd, n) if ready else b""

    def read_exact(self, n: int, seconds: float) -> bytes:
        """Exactly ``n`` bytes, or :class:`~trnn.boards.build.VerifyError` after ``seconds``."""
        got = bytearray()
        deadline = time.monotonic() + seconds
        while len(got) < n and time.monotonic() < deadline:
            got += self.read(n - len(got))
        return bytes(got)

    def close(self):
        """Close the pty."""
        os.close(self.fd)


@dataclass
class Session:
    """What the routed design is asked and must answer (see :func:`reference_session`)."""
    story: bytes          # the first story-mode bytes after power-up (empty: no story mode)
    request: bytes        # a GENERATE frame
    answer: bytes         # the reference's frames for it, up to and including END


def reference_session(m, clk_hz: int, baud: int, story_tq: int | None, story_seed: int,
                      story_bytes: int = 200, prompt: str = "Once upon a time",
                      temperature: float = 0.8, seed: int = 7, count: int = 24) -> Session:
    """The reference board's side: story text from the golden engine (``generate`` with
    ``prompt=[]``, ``stop_at_eot=False``) and the frames :class:`RefBoard` answers a
    GENERATE with (``count`` tokens after ``prompt`` at ``temperature``)."""
    from ..model.machine import temperature_to_tq
    from ..boards.host import RefBoard
    from ..hdl import protospec as ps
    from ..model.generate import generate
    from ..model.golden import NumpyEngine
    story = b""
    if story_tq is not None:
        toks, n = [], 0
        while len(story) < story_bytes:
            n += 64
            toks = generate(NumpyEngine(m), [], n, story_tq, story_seed,
                            stop_at_eot=False).tokens
            story = m.tokenizer.decode(toks)
        story = story[:story_bytes]
    req = ps.GenerateRequest(prompt=tuple(m.tokenizer.encode(prompt)), count=count,
                             tq=temperature_to_tq(temperature, m.logit_scale), seed=seed,
                             stop_at_eot=False).encode()
    board = RefBoard(m, clk_hz, baud)
    board.write(ps.frame(ps.CMD_HALT))
    board.read(1 << 16)
    board.write(req)
    return Session(story, req, board.read(1 << 20))


# clock cycles after which the simulated board is past any power-on reset (the iCE40
# platform's is 15 µs, 180 cycles at 12 MHz) and takes frames
POWER_UP_CYCLES = 10_000


def run_session(exe: Path, divisor: int, session: Session, seconds: float = 600.0) -> dict:
    """Drive the harness ``exe`` through ``session``; :class:`VerifyError` at the first
    difference. Returns counts and the simulated clock cycles."""
    from ..hdl import protospec as ps
    with SimDevice(exe, divisor) as dev:
        link = PtyLink(dev.path)
        try:
            got = link.read_exact(len(session.story), seconds)
            if got != session.story:
                k = next((i for i, (a, b) in enumerate(zip(got, session.story)) if a != b),
                         len(got))
                raise VerifyError(f"story mode: the routed design's byte {k} differs from "
                                  f"the reference ({len(got)} of {len(session.story)} bytes "
                                  f"read; {got[k:k + 8]!r} for {session.story[k:k + 8]!r})")
            # a host talks once the board is out of its power-on reset
            while dev.cycles_now() < POWER_UP_CYCLES:
                time.sleep(0.01)
            link.write(ps.frame(ps.CMD_HALT))
            # story text still under way, then the HALT's acknowledgement
            ack = ps.frame(ps.RSP_ACK, bytes([ps.CMD_HALT]))
            tail = bytearray()
            deadline = time.monotonic() + seconds
            while not tail.endswith(ack) and time.monotonic() < deadline:
                tail += link.read(4096)
            if not tail.endswith(ack):
                raise VerifyError("the routed design did not acknowledge HALT")
            link.write(session.request)
            got = link.read_exact(len(session.answer), seconds)
            extra = link.read_exact(1, 0.5)
        finally:
            link.close()
        cycles = dev.cycles_now() if dev.died() is None else None
        if dev.died() is not None:
            raise VerifyError(f"the simulated routed design stopped ({dev.died()})")
    if got != session.answer:
        k = next((i for i, (a, b) in enumerate(zip(got, session.answer)) if a != b), len(got))
        raise VerifyError(f"GENERATE: the routed design's answer differs from the reference at "
                          f"byte {k} ({len(got)} of {len(session.answer)} bytes)")
    if extra:
        raise VerifyError("GENERATE: the routed design sent more than the reference")
    return {"story_bytes": len(session.story), "answer_bytes": len(session.answer),
            "cycles": cycles}


def verify(m, board: Board, build_dir: Path, *, baud: int, story_tq: int | None,
           story_seed: int, toolchain: str = "auto", fault=None, log=print) -> dict:
    """Both checks on the build in ``build_dir`` (a ``trnn build`` cache entry), with the
    build's UART rate and story mode; :class:`VerifyError` (one line) when either fails,
    :class:`BuildError` when a tool is missing. Returns what was checked, for the build
    report: ``bitstream`` and ``netlist`` (one line each) and ``verify_s`` (seconds)."""
    from ..boards.build import toolchain_env
    from ..hdl.system import uart_divisor
    t0 = time.time()
    env = toolchain_env(board, toolchain)
    yosys = env["YOSYS"]
    yowasp = os.path.basename(yosys).startswith("yowasp-")

    def program(name):
        found = tools.find_program(f"yowasp-{name}") if yowasp \
            else tools.find_program(name, path_only=True)
        if found is None:
            raise BuildError(f"{name} not found (pip install yowasp-nextpnr-{board.family})")
        return found
    unpacker = program(FILES[board.family][0])
    packer = program("ecppack") if board.family == "ecp5" else None
    if not (build_dir / ROUTED).exists():
        raise BuildError(f"{build_dir} has no routed netlist ({ROUTED}); rebuild with --force")
    bit = check_bitstream(build_dir, board, unpacker, packer)
    log(f"bitstream: {bit}")
    text = routed_verilog(build_dir, board, yosys, fault=fault)
    t1 = time.time()
    # the routed netlist drives ports that the cell models declare inout (pads):
    # Verilator's lint of that is not an error of the design
    exe = build_harness(text, log=log, verilator_args=("-Wno-lint", "-Wno-style",
                                                       "-Wno-ASSIGNIN"))
    compile_s = time.time() - t1
    session = reference_session(m, board.clk_hz, baud, story_tq, story_seed)
    t2 = time.time()
    res = run_session(exe, uart_divisor(board.clk_hz, baud), session)
    sim_s = time.time() - t2
    netlist = (f"routed netlist ({hashlib.sha256(text.encode()).hexdigest()[:12]}) with "
               f"{MODELS[board.family]} in Verilator: "
               + (f"first {res['story_bytes']} story bytes and " if res["story_bytes"] else "")
               + f"a {len(session.request)}-byte GENERATE answered with the reference's "
               f"{res['answer_bytes']} bytes ({res['cycles']:,} cycles simulated in "
               f"{sim_s:.0f} s; compiled in {compile_s:.0f} s)")
    log(f"netlist: {netlist}")
    return {"bitstream": bit, "netlist": netlist, "verify_s": round(time.time() - t0, 1)}


def verify_report(m, rep, *, toolchain: str = "auto", log=print):
    """:func:`verify` on the build of the report ``rep`` (its board, UART rate and story
    mode), the result recorded in ``rep`` and in its cache entry; returns ``rep``. Errors as
    :func:`verify`."""
    from ..boards.build import save_report
    from ..boards.catalog import BOARDS
    res = verify(m, BOARDS[rep.board], rep.build_dir, baud=rep.baud, story_tq=rep.story_tq,
                 story_seed=rep.story_seed, toolchain=toolchain, log=log)
    rep.verified_bitstream, rep.verified_netlist = res["bitstream"], res["netlist"]
    rep.verify_s = res["verify_s"]
    save_report(rep)
    return rep
