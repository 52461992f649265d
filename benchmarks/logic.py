"""Logic benchmark: the size of every zoo model's logic before and after Yosys/ABC.

    python benchmarks/logic.py [--only NAME ...] [--blocks step readout]

For each ternary model of ``benchmarks/zoo.py`` that exists, runs ``trnn logic simplify`` on
the next-state block (``step``) and the readout block (all V scores) and records AND nodes of
the generated and of the simplified and-inverter graph, LUT4s after mapping and logic depth.
Prints a Markdown table and writes it with the raw numbers to ``benchmarks/results/logic.md``
and ``logic.json``; ``benchmarks/quality.py`` puts these sizes next to the bits-per-byte gap
to each model's float twin (the price of a machine made of logic).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# run as a script, this folder is first on sys.path: zoo is the sibling module
from zoo import ZOO, model_path

from trnn.logic.simplify import simplify
from trnn.model.machine import Machine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(ZOO), help="only these models")
    ap.add_argument("--blocks", nargs="+", choices=("step", "readout"),
                    default=["step", "readout"])
    ap.add_argument("--out", default=str(HERE / "results"), help="results directory")
    a = ap.parse_args()

    out = Path(a.out)
    path = out / "logic.json"
    old = json.loads(path.read_text())["rows"] if path.exists() else []
    rows = {(r["model"], r["block"]): r for r in old}
    for name in a.only or ZOO:
        mp = model_path(name)
        if not mp.exists():
            print(f"  {name}: no model file {mp} (run benchmarks/zoo.py)", flush=True)
            continue
        m = Machine.load(mp)
        for block in a.blocks:
            t = time.time()
            rep = simplify(m, block)
            rows[(name, block)] = {
                "model": name, "block": block, "H": m.H, "E": m.E, "V": m.V,
                "ands_generated": rep.before.aig_ands, "ands_simplified": rep.after.aig_ands,
                "depth_generated": rep.before.aig_depth, "depth_simplified": rep.after.aig_depth,
                "lut4": rep.after.lut4, "lut4_depth": rep.after.lut4_depth}
            print(f"  {name:<7} {block:<8} AND {rep.before.aig_ands:>8,} -> "
                  f"{rep.after.aig_ands:>8,}  LUT4 {rep.after.lut4:>7,}  "
                  f"({time.time() - t:.0f} s)", flush=True)
    order = {n: k for k, n in enumerate(ZOO)}
    rows = sorted(rows.values(), key=lambda r: (order.get(r["model"], 99), r["block"]))
    lines = ["| model | block | H | E | V | AND nodes generated | AND nodes simplified | "
             "reduction | AIG depth | LUT4 (abc -lut 4) | LUT4 depth |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        red = 1 - r["ands_simplified"] / max(r["ands_generated"], 1)
        lines.append(f"| {r['model']} | {r['block']} | {r['H']} | {r['E']} | {r['V']} | "
                     f"{r['ands_generated']:,} | {r['ands_simplified']:,} | {red:.1%} | "
                     f"{r['depth_generated']} → {r['depth_simplified']} | {r['lut4']:,} | "
                     f"{r['lut4_depth']} |")
    table = "\n".join(lines)
    print()
    print(table)
    out.mkdir(parents=True, exist_ok=True)
    head = ("# Logic benchmark\n\n`python benchmarks/logic.py`: each model's logic as an "
            "and-inverter graph, as generated from the model file (constants folded, nothing "
            "restructured) and after ABC (`trnn logic simplify`; script in "
            "`logic/simplify.py`), then mapped to LUT4s. *step*: next state from the state and "
            "the token's embedding bits (docs/machine.md §2); *readout*: the scores of all V "
            "tokens (§3). The hardware itself scans the readout from block RAM instead "
            "(docs/protocol.md), so the readout LUT4s are what it would cost as logic.\n\n")
    (out / "logic.md").write_text(head + table + "\n")
    path.write_text(json.dumps({"rows": rows, "python": platform.python_version()},
                               indent=1) + "\n")
    print(f"\nwrote {out / 'logic.md'} and {path}")


if __name__ == "__main__":
    main()
