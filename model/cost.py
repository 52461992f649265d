"""What a machine is made of: nonzero ternary weights per part and their fan-in (``trnn info``).

These are counts, not a hardware estimate: the LUT4s and block-RAM bits a machine needs on a
board are estimated in one place, :func:`trnn.boards.build.estimate` (calibrated on placed
builds), which ``trnn info`` prints after :func:`format_info`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .machine import Machine


@dataclass
class WeightCounts:
    """Per part of a machine (``gate <name>`` for each gate of the cell, then ``readout``):
    ``nnz``, its number of nonzero ternary weights, and ``fanin``, int [units] — the nonzero
    weights of each of its units (rows: H per gate, V for the readout)."""

    nnz: dict[str, int]
    fanin: dict[str, np.ndarray]


def weight_counts(m: Machine) -> WeightCounts:
    """The :class:`WeightCounts` of ``m``."""
    parts = {f"gate {g}": m.W[g] for g in m.gates}
    parts["readout"] = m.R
    fanin = {part: (w != 0).sum(axis=1) for part, w in parts.items()}
    return WeightCounts({part: int(f.sum()) for part, f in fanin.items()}, fanin)


def histogram(counts: np.ndarray, width: int = 40) -> list[str]:
    """Text histogram of the integer values ``counts`` [n]: at most 12 lines, one per range
    of values, each with a bar scaled to ``width`` characters and its count."""
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
    """The report of ``trnn info`` on ``m`` (called ``name``) without the board estimates:
    shapes, nonzero weights per part and their share, embedding size, fan-in histograms."""
    c = weight_counts(m)
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
    out.append(f"embedding: {m.V}x{m.E} = {m.V * m.E} bits (a ROM, not weights)")
    for part, f in c.fanin.items():
        out.append(f"fan-in of {part} (nonzero weights per unit; min {f.min()}, "
                   f"mean {f.mean():.1f}, max {f.max()}):")
        out.extend(histogram(f))
    return "\n".join(out)
