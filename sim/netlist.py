"""nextpnr's routed design as a Verilog netlist that the simulated-board harness can run.

``trnn build`` keeps nextpnr's routed design (``trnn.routed.json``). :func:`routed_verilog`
makes it simulable — each step in one place: ports take the direction of the I/O buffer on
them (nextpnr writes ``inout``), floating inputs are tied to their model's pull level, the
iCE40 pad-to-global-buffer wire nextpnr leaves implicit is drawn (:func:`netlist_json`), and
nextpnr's ECP5 conventions become plain connections (:func:`ecp5_normalise`) — then writes
it as Verilog with the same Yosys, behind a ``trnn_system`` wrapper, with the cell library
(:mod:`trnn.sim.cells`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..boards import tools
from ..boards.build import BuildError
from ..boards.catalog import Board
from .cells import cell_library

ROUTED = "trnn.routed.json"


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


# the SPI flash pins of an SPRAM build's top (amaranth-boards' spi_flash_1x resource)
FLASH_PORTS = {"cs": "spi_flash_1x_0__cs__io", "sck": "spi_flash_1x_0__clk__io",
               "copi": "spi_flash_1x_0__copi__io", "cipo": "spi_flash_1x_0__cipo__io"}


def wrapper(top: dict, clock_port: str, rx_port: str, tx_port: str,
            flash: bool = False) -> str:
    """Module ``trnn_system`` (the simulated-board harness's top: ``clk``, ``rst``, ``rx``,
    ``tx``) around the routed ``top``; other ports are left open. ``rst`` is not connected:
    a board has no reset pin and comes out of its power-on reset by itself. With ``flash``
    the top's SPI flash pins go to a ``trnn_sim_flash`` (:class:`trnn.sim.flash.SimFlash`,
    whose Verilog the caller adds)."""
    names = {clock_port: "clk", rx_port: "rx", tx_port: "tx"}
    if flash:
        names.update({port: f"flash_{pin}" for pin, port in FLASH_PORTS.items()})
    missing = [p for p in names if p not in top["ports"]]
    if missing:
        raise BuildError(f"the routed design has no port {', '.join(missing)}")
    conns = ", ".join(f".{_escape(p)}({names.get(p, '')})" for p in top["ports"])
    chip = ("  wire flash_cs, flash_sck, flash_copi, flash_cipo;\n"
            "  trnn_sim_flash flash (.clk(clk), .rst(1'b0), .cs_n(flash_cs), "
            ".sck(flash_sck), .copi(flash_copi), .cipo(flash_cipo));\n") if flash else ""
    return ("module trnn_system(input clk, input rst, input rx, output tx);\n"
            f"{chip}  top board ({conns});\nendmodule\n")


def _escape(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else f"\\{name} "


def routed_verilog(build_dir: Path, board: Board, yosys: str, *, fault=None) -> str:
    """One Verilog text to simulate the routed design in ``build_dir``: the netlist (top
    ``top``), the wrapper ``trnn_system`` and the cell library. ``fault`` (for the test that
    a planted fault is caught) is called with the netlist JSON's top module to alter it."""
    lib, levels = cell_library(board.family, yosys)
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
    image = build_dir / "readout.bin"    # an SPRAM build: its flash holds the readout table
    chip = ""
    if image.exists():
        from amaranth.back import verilog
        from .flash import SimFlash
        chip = verilog.convert(SimFlash(image.read_bytes()), name="trnn_sim_flash")
    return (netlist + wrapper(top, clock, "uart_0__rx__io", "uart_0__tx__io",
                              flash=image.exists()) + chip + lib)


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
