"""Synthesis only (no place and route): what a component costs in LUT4s, quickly.

Used by the hardware benchmark to compare structures (adder trees) and sizes; ``trnn build``
places and routes a whole board instead.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import tools
from .build import BuildError, toolchain_env


@dataclass
class SynthStats:
    """Cell counts of one synthesised design: LUT4s (an ECP5 CCU2C carry cell counting as two),
    carry cells, block RAMs, DSPs, flip-flops; and the run time in seconds."""
    lut4: int      # LUT4s, counting an ECP5 CCU2C carry cell as two
    carry: int     # SB_CARRY (iCE40) or CCU2C (ECP5) cells
    bram: int
    dsp: int
    ff: int
    seconds: float


def _count(stat: str, pattern: str) -> int:
    return sum(int(n) for n, name in re.findall(r"^\s*(\d+)\s+(\S+)\s*$", stat, re.M)
               if re.fullmatch(pattern, name))


def run_yosys(yosys: str, script: str, cwd: Path) -> None:
    """Run the Yosys command ``yosys`` on ``script`` (commands separated by ``;``) in ``cwd``;
    :class:`BuildError` with the end of its output if it fails. YoWASP tools see only the
    working directory tree, so scripts name their files relative to ``cwd``; results are read
    from files the script writes (YoWASP's in-process ABC ends Yosys's console output)."""
    try:
        r = tools.run([yosys, "-q", "-p", script], cwd=cwd, env=tools.tool_environ())
    except OSError as e:
        raise BuildError(f"cannot run {yosys}: {e}") from None
    if r.returncode != 0:
        raise BuildError(f"synthesis failed: {(r.stderr or r.stdout).strip()[-300:]}")


def synthesize(component, family: str, name: str = "top", toolchain: str = "auto",
               dsp: bool = True) -> SynthStats:
    """Run ``synth_ice40`` (with ``-dsp`` unless ``dsp=False``) or ``synth_ecp5`` on
    ``component`` and count the cells."""
    from amaranth.back import rtlil

    from .catalog import BOARDS
    board = next(b for b in BOARDS.values() if b.family == family)
    yosys = toolchain_env(board, toolchain)["YOSYS"]
    cmd = {"ice40": f"synth_ice40 {'-dsp' if dsp else ''} -top {name}",
           "ecp5": f"synth_ecp5 -top {name}"}[family]
    with tempfile.TemporaryDirectory(prefix="trnn-synth-") as tmp:
        il = Path(tmp) / f"{name}.il"
        il.write_text(rtlil.convert(component, name=name))
        t0 = time.time()
        run_yosys(yosys, f"read_rtlil {name}.il; {cmd}; tee -o stat.txt stat", Path(tmp))
        seconds = time.time() - t0
        stat = (Path(tmp) / "stat.txt").read_text()
    if family == "ice40":
        return SynthStats(_count(stat, "SB_LUT4"), _count(stat, "SB_CARRY"),
                          _count(stat, "SB_RAM40_4K"), _count(stat, "SB_MAC16"),
                          _count(stat, r"SB_DFF\w*"), round(seconds, 1))
    carry = _count(stat, "CCU2C")
    return SynthStats(_count(stat, "LUT4") + 2 * carry, carry, _count(stat, "DP16KD"),
                      _count(stat, r"MULT18X18D"), _count(stat, "TRELLIS_FF"), round(seconds, 1))
