"""Hardware cost of a machine: nonzero weights per part, fan-in histograms, a rough LUT4 estimate.

The estimate uses LUT4-per-nonzero-weight factors measured for plain adder-tree popcounts on
iCE40 (``shared`` FPGA fit notes: 1.65 at fan-in 16, 1.85 at 32, 2.07 at 64, interpolated
in log2 fan-in); the hardware issue replaces it with a calibrated model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .machine import Machine

_FACTORS = [(8, 1.45), (16, 1.65), (32, 1.85), (64, 2.07), (256, 2.5)]
ARGMAX_LUT_PER_ENTRY = 12   # one comparator and index mux per vocabulary entry, score ~10 bits


def lut_per_weight(fanin: float) -> float:
    """Interpolated LUT4 per nonzero weight for a threshold unit of this fan-in."""
    if fanin <= _FACTORS[0][0]:
        return _FACTORS[0][1]
    for (k0, f0), (k1, f1) in zip(_FACTORS, _FACTORS[1:]):
        if fanin <= k1:
            a = (math.log2(fanin) - math.log2(k0)) / (math.log2(k1) - math.log2(k0))
            return f0 + a * (f1 - f0)
    return _FACTORS[-1][1]


def _units_luts(W: np.ndarray) -> float:
    nnz = (W != 0).sum(axis=1)
    return float(sum(k * lut_per_weight(k) for k in nnz if k))


@dataclass
class Cost:
    nnz: dict[str, int]
    fanin: dict[str, np.ndarray]
    luts: dict[str, float]
    rom_bits: dict[str, int]


def machine_cost(m: Machine) -> Cost:
    nnz = {f"gate {g}": int((m.W[g] != 0).sum()) for g in m.gates}
    nnz["readout"] = int((m.R != 0).sum())
    fanin = {f"gate {g}": (m.W[g] != 0).sum(axis=1) for g in m.gates}
    fanin["readout"] = (m.R != 0).sum(axis=1)
    luts = {f"gate {g}": _units_luts(m.W[g]) for g in m.gates}
    if m.cell == "gated":
        luts["state mux"] = float(m.H)
    luts["readout"] = _units_luts(m.R) + ARGMAX_LUT_PER_ENTRY * m.V
    luts["embedding ROM"] = float(m.E * math.ceil(m.V / 3))
    rom = {"embedding": m.V * m.E, "readout as 2-bit ROM": 2 * m.V * m.H}
    return Cost(nnz, fanin, luts, rom)


def histogram(counts: np.ndarray, width: int = 40) -> list[str]:
    """Text histogram of fan-in values, one line per distinct value range."""
    if counts.size == 0:
        return []
    lo, hi = int(counts.min()), int(counts.max())
    nb = min(12, hi - lo + 1)
    edges = np.linspace(lo, hi + 1, nb + 1)
    h, _ = np.histogram(counts, bins=edges)
    top = max(1, h.max())
    lines = []
    for i, n in enumerate(h):
        a, b = int(math.ceil(edges[i])), int(math.ceil(edges[i + 1])) - 1
        label = f"{a}" if a == b else f"{a}-{b}"
        lines.append(f"  {label:>9} | {'#' * int(round(width * n / top)):<{width}} {n}")
    return lines


def format_info(m: Machine, name: str = "") -> str:
    c = machine_cost(m)
    out = [f"model {name}".rstrip(),
           f"  cell {m.cell}, state H={m.H} bits, embedding E={m.E} bits, vocabulary V={m.V} "
           f"({m.tokenizer.kind}), eot id {m.eot_id}, logit scale {m.logit_scale:.4f}"]
    out.append("nonzero ternary weights:")
    for part, n in c.nnz.items():
        total = c.fanin[part].size * (m.H + m.E if part != "readout" else m.H)
        out.append(f"  {part:<14} {n:>7}  ({100 * n / total:.1f}% of {total})")
    cell_nnz = sum(n for p, n in c.nnz.items() if p != "readout")
    out.append(f"  {'cell total':<14} {cell_nnz:>7}")
    out.append(f"  {'cell+readout':<14} {cell_nnz + c.nnz['readout']:>7}")
    out.append(f"embedding: {m.V}x{m.E} = {c.rom_bits['embedding']} bits (a ROM, not weights)")
    for part, f in c.fanin.items():
        out.append(f"fan-in of {part} (nonzero weights per unit; min {f.min()}, "
                   f"mean {f.mean():.1f}, max {f.max()}):")
        out.extend(histogram(f))
    out.append("LUT4 if all of it were single-cycle logic (adder trees, iCE40 factors; "
               "trnn build scans the readout from block RAM instead, see below):")
    for part, n in c.luts.items():
        out.append(f"  {part:<14} {n:>9.0f}")
    cell_luts = sum(v for p, v in c.luts.items() if p not in ("readout",))
    out.append(f"  {'total':<14} {sum(c.luts.values()):>9.0f}   (cell + embedding: "
               f"{cell_luts:.0f}; readout as a 2-bit ROM instead: "
               f"{c.rom_bits['readout as 2-bit ROM']} bits)")
    return "\n".join(out)
