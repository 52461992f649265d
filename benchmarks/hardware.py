"""Hardware benchmark: what trnn models cost on an iCE40 UP5K and an ECP5-85F.

Three tables, written to benchmarks/results/hardware.{md,json} (and a plot, hardware.png):

1. the two popcount/threshold adder structures (``tree``, ``csa``), synthesis only, on the
   next-state logic of ``small`` and of a random H=64, K=32 model, in LUT4s and LUT4s per
   nonzero cell weight; and the readout in block RAM or in logic;
2. whole-board builds (UART, protocol, core; placed and routed) for a grid of random models
   with exact fan-in, on the iCEBreaker (UP5K) and the ULX3S-85F: LUT4s, Fmax against the
   board clock, cycles and tokens per second, and the pre-synthesis estimate;
3. the shipped models on their boards (the acceptance builds) with the gate-level check of
   each build (``trnn build --verify``: bitstream against nextpnr's configuration, routed
   netlist simulated against the golden engine) and its time; their full
   reports are also written as benchmarks/results/build-MODEL-BOARD.json.

Builds are cached (``trnn build``'s cache), so a re-run only rebuilds what changed.
``--quick`` runs table 1 and the shipped small build only; ``--shipped-only`` rebuilds and
checks the shipped models only and keeps the other tables from the stored hardware.json
(saying so in hardware.md: they were measured with the gateware of that earlier run).

    python benchmarks/hardware.py [--quick | --shipped-only]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from trnn.boards.build import BuildError, build, estimate
from trnn.boards.catalog import BOARDS
from trnn.boards.synth import synthesize
from trnn.hdl.nextstate import NextState
from trnn.hdl.popcount import ADDERS
from trnn.model.machine import GATES, Machine, temperature_to_tq
from trnn.models import shipped_path

RESULTS = Path(__file__).resolve().parent / "results"

# (board, H, E, fan-in K) for the grid; V = 512 like the shipped models
GRID = [("icebreaker", 32, 16, 16), ("icebreaker", 64, 16, 8), ("icebreaker", 64, 16, 12),
        ("icebreaker", 64, 16, 16), ("icebreaker", 96, 16, 8),
        ("ulx3s-85f", 128, 32, 32)]


def fanin_machine(seed: int, H: int, E: int, K: int, V: int = 512, cell: str = "gated"):
    """A random machine whose every gate row has exactly K nonzero weights and whose
    thresholds keep the gates from being constant (so no logic is optimised away)."""
    rng = np.random.default_rng(seed)
    m = Machine.random(rng, V=V, E=E, H=H, cell=cell, density=0.1)
    for g in GATES[cell]:
        W = np.zeros((H, H + E), dtype=np.int8)
        for i in range(H):
            cols = rng.choice(H + E, size=min(K, H + E), replace=False)
            W[i, cols] = rng.choice(np.array([-1, 1], dtype=np.int8), size=len(cols))
        m.W[g] = W
        m.theta[g] = rng.integers(-K // 4, K // 4 + 1, size=H).astype(np.int32)
    m.R = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=(V, H), p=[0.25, 0.5, 0.25])
    return m


def nnz(m) -> int:
    return int(sum((m.W[g] != 0).sum() for g in m.gates))


def adder_table(log):
    rows = []
    for name in ("small", "H64 E16 K32"):
        m = Machine.load(shipped_path(name)) if name == "small" else fanin_machine(99, 64, 16, 32)
        for family in ("ice40", "ecp5"):
            for adder in ADDERS:
                s = synthesize(NextState(m, external_embedding=True, adder=adder), family,
                               name="nextstate")
                rows.append({"model": name, "family": family, "adder": adder,
                             "lut4": s.lut4, "carry": s.carry, "nnz": nnz(m),
                             "lut4_per_nnz": round(s.lut4 / nnz(m), 3), "synth_s": s.seconds})
                log(f"  {name:5} {family:5} {adder:4}: {s.lut4:6,} LUT4 ({s.carry} carry) "
                    f"{s.lut4 / nnz(m):.2f}/weight, {s.seconds:.0f} s")
    return rows


def readout_table(log):
    """The core of ``small`` with its readout table in block RAM (scanned, the default) or
    read combinationally from LUTs; same cycles per token."""
    from trnn.hdl.core import READOUTS, Core
    m = Machine.load(shipped_path("small"))
    rows = []
    for readout in READOUTS:
        s = synthesize(Core(m, readout=readout), "ice40", name="core")
        rows.append({"model": "small", "family": "ice40", "readout": readout, "lut4": s.lut4,
                     "carry": s.carry, "bram": s.bram, "dsp": s.dsp})
        log(f"  small core, readout in {readout}: {s.lut4:,} LUT4, {s.bram} BRAM")
    return rows


def build_row(m, board_name: str, label: str, H: int, K: int | None, log,
              story_tq: int | None = None):
    """Build ``m`` for the board and return (report or None, table row); a model refused by
    the estimate or too big for the device after packing gets a row saying so.
    ``story_tq``: the story mode the board starts in (None: idle)."""
    from trnn.boards.build import readout_memory
    from trnn.hdl.system import cycles_per_token
    board = BOARDS[board_name]
    t0 = time.time()
    readout = readout_memory(m, board)
    row = {"board": board_name, "model": label, "H": H, "K": K, "V": m.V, "cell_nnz": nnz(m),
           "estimate": estimate(m, board).lut4, "clock_mhz": board.clk_hz / 1e6,
           "readout": readout, "cycles_per_token": cycles_per_token(m, readout), "lut4": "",
           "lut4_available": board.lut4,
           "lut4_pct": "", "lut4_per_nnz": "", "bram": "", "timing_met": False,
           "core_tokens_per_s": ""}

    def placed(used, avail):
        row.update(lut4=used, lut4_available=avail, lut4_pct=round(100 * used / avail, 1),
                   lut4_per_nnz=round(used / nnz(m), 3))

    try:
        rep = build(m, board, label, story_tq=story_tq, log=lambda msg: None)
    except BuildError as e:
        row["build_s"] = round(time.time() - t0, 1)
        util = getattr(e, "utilisation", None)
        if util is None:   # refused by the estimate, before synthesis
            log(f"  {label:18} {board_name:10}: refused: {e}")
            row["fmax_mhz"] = f"refused: {str(e).split(';')[0]}"
        else:
            log(f"  {label:18} {board_name:10}: {util[0]:6,} / {util[1]:,} LUT4: does not fit")
            placed(*util)
            row["fmax_mhz"] = "does not fit"
        return None, row
    log(f"  {label:18} {board_name:10}: {rep.lut4_used:6,} / {rep.lut4_available:,} LUT4, "
        f"Fmax {rep.fmax_mhz:.1f} MHz, {'cached' if rep.cached else f'{time.time() - t0:.0f} s'}")
    placed(rep.lut4_used, rep.lut4_available)
    row.update(bram=rep.bram_used, fmax_mhz=rep.fmax_mhz, timing_met=rep.timing_met,
               core_tokens_per_s=rep.core_tokens_per_s, build_s=rep.build_s)
    return rep, row


def verify_build(m, rep, log):
    """``rep`` with the gate-level check of its build (trnn build --verify) recorded; a
    failed check is recorded in the row (not in the cache) and the benchmark goes on."""
    from trnn.sim.routed import verify_report
    if not rep.verified_netlist:
        t0 = time.time()
        try:
            verify_report(m, rep, log=lambda msg: None)
        except BuildError as e:   # VerifyError included: recorded, not hidden
            rep.verified_bitstream, rep.verified_netlist = "", f"FAILED: {e}"
            rep.verify_s = round(time.time() - t0, 1)
            log(f"  {rep.model:18} {rep.board:10}: verification FAILED: {e}")
            return rep
    log(f"  {rep.model:18} {rep.board:10}: verified in {rep.verify_s:.0f} s: "
        f"{rep.verified_bitstream}; {rep.verified_netlist}")
    return rep


def md_table(rows, cols):
    head = "| " + " | ".join(c for c, _ in cols) + " |"
    sep = "|" + "|".join("---:" if k not in ("model", "board", "family", "adder", "readout")
                         else "---"
                         for _, k in cols) + "|"
    body = []
    for r in rows:
        cells = []
        for _, k in cols:
            v = r[k]
            cells.append(f"{v:,}" if isinstance(v, int) and not isinstance(v, bool)
                         else ("yes" if v is True else "NO" if v is False else str(v)))
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, sep, *body])


def plot(grid_rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, board in zip(axes, ("icebreaker", "ulx3s-85f")):
        rs = [r for r in grid_rows if r["board"] == board and r["lut4"] != ""]
        ax.scatter([r["cell_nnz"] for r in rs], [r["lut4"] for r in rs], label="placed")
        ax.scatter([r["cell_nnz"] for r in rs], [r["estimate"] for r in rs], marker="x",
                   label="estimate")
        for r in rs:
            ax.annotate(r["model"], (r["cell_nnz"], r["lut4"]), fontsize=7)
        budget = 0.9 * BOARDS[board].lut4
        ax.axhline(budget, color="red", linestyle="--", label="90 % budget")
        ax.set_title(f"{board} ({BOARDS[board].device})")
        ax.set_xlabel("nonzero cell weights")
        ax.set_ylabel("LUT4 (whole board design)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="adder table and the small build only")
    p.add_argument("--shipped-only", action="store_true", help="the shipped models' builds "
                   "only; the other tables as stored in hardware.json")
    a = p.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    stored = json.loads((RESULTS / "hardware.json").read_text()) if a.shipped_only else None
    if stored:
        adders, readouts = stored["adders"], stored["readouts"]
    else:
        log("1. adder structures (synthesis only, next-state logic)")
        adders = adder_table(log)
        readouts = readout_table(log)
    log("2./3. board builds (placed and routed)")
    shipped, grid = [], []
    for name in ("small",) if a.quick else ("small", "large"):
        board = {"small": "icebreaker", "large": "ulx3s-85f"}[name]
        m = Machine.load(shipped_path(name))
        # as `trnn build` makes it: starting in story mode at temperature 0.8, seed 0
        rep, row = build_row(m, board, name, m.H, None, log,
                             story_tq=temperature_to_tq(0.8, m.logit_scale))
        rep = verify_build(m, rep, log)
        row.update(verify_s=rep.verify_s, verified=not rep.verified_netlist.startswith("FAILED"),
                   checked=f"{rep.verified_bitstream}; {rep.verified_netlist}")
        shipped.append(row)
        rd = asdict(rep)
        rd.pop("bitstream"), rd.pop("cached")
        (RESULTS / f"build-{name}-{board}.json").write_text(json.dumps(rd, indent=1,
                                                                       sort_keys=True) + "\n")
    if stored:
        grid = stored["grid"]
    elif not a.quick:
        for k, (board, H, E, K) in enumerate(GRID):
            m = fanin_machine(k, H, E, K)
            grid.append(build_row(m, board, f"H{H} E{E} K{K}", H, K, log)[1])

    cols_a = [("model", "model"), ("family", "family"), ("adder", "adder"), ("LUT4", "lut4"),
              ("carry cells", "carry"), ("cell nnz", "nnz"), ("LUT4 / nnz", "lut4_per_nnz")]
    cols_b = [("model", "model"), ("board", "board"), ("cell nnz", "cell_nnz"),
              ("LUT4", "lut4"), ("of", "lut4_available"), ("%", "lut4_pct"),
              ("estimate", "estimate"), ("BRAM", "bram"), ("Fmax MHz", "fmax_mhz"),
              ("clock MHz", "clock_mhz"), ("met", "timing_met"),
              ("cycles/token", "cycles_per_token"), ("tokens/s", "core_tokens_per_s"),
              ("LUT4 / nnz", "lut4_per_nnz")]
    cols_s = cols_b[:8] + [("readout", "readout")] + cols_b[8:] + [("verified", "verified"),
                                                                    ("verify s", "verify_s")]
    checked = "\n".join(f"- `{r['model']}` on {r['board']}: {r['checked']}" for r in shipped)
    md = ["# Hardware benchmark", "",
          "Written by `python benchmarks/hardware.py`. Tools: the YoWASP builds of Yosys and "
          "nextpnr pinned in pyproject.toml. LUT4 counts after place and route are nextpnr's "
          "logic cells (`ICESTORM_LC` on iCE40, `TRELLIS_COMB` on ECP5) for the whole board "
          "design (UART, protocol controller, core); `estimate` is `trnn build`'s pre-synthesis "
          "estimate. tokens/s is the core alone (clock / cycles per token); the UART at "
          "115200 baud carries 1,920 tokens/s in host mode.", "",
          "## Shipped models on their boards", "", md_table(shipped, cols_s), "",
          "Gate-level check of each build (`trnn build --verify`; `verify s` is its time, "
          "Verilator compile included):", "", checked, "",
          "## Adder structures (synthesis only, next-state logic)", "",
          "`tree`: balanced tree of two-operand adders; `csa`: carry-save full-adder "
          "reduction, then one adder. Both compute the folded popcount (negative weights as "
          "inverted inputs). On iCE40 a carry cell shares a logic cell with a LUT4.", "",
          *([f"(From the earlier full run: {stored.get('measured', 'an earlier gateware')}; "
             "this and the tables below were not rebuilt with the current gateware.)", ""]
            if stored else []),
          md_table(adders, cols_a), "",
          "## Readout: block-RAM scan or logic (synthesis only, core of `small`, iCE40)", "",
          "Both scan one vocabulary entry per cycle; `logic` reads "
          "the readout table combinationally, so Yosys builds it from LUT4s.", "",
          md_table(readouts, [("model", "model"), ("readout", "readout"), ("LUT4", "lut4"),
                              ("carry cells", "carry"), ("SB_RAM40_4K", "bram"),
                              ("SB_MAC16", "dsp")]), ""]
    if grid:
        md += ["## Grid of random models (exact fan-in K, V = 512, gated cell)", "",
               md_table(grid, cols_b), "", "![LUT4 against nonzero weights](hardware.png)", ""]
        plot(grid + shipped, RESULTS / "hardware.png")
    (RESULTS / "hardware.md").write_text("\n".join(md))
    measured = stored.get("measured", "an earlier gateware") if stored else \
        "the gateware of this run"
    (RESULTS / "hardware.json").write_text(json.dumps(
        {"adders": adders, "readouts": readouts, "shipped": shipped, "grid": grid,
         "measured": measured}, indent=1, sort_keys=True) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
