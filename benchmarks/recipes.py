"""Where the price of logic goes, and which training recipe lowers it: a table of every run.

    python benchmarks/recipes.py [--only NAME ...] [--steps N] [--threads T]

Runs not yet measured are trained (600 steps each, 1,500 for ``large/combined``; about 8 CPU
minutes per 600 steps of the ``large`` shape on 2 cores); the table and plot are rewritten.

Each entry is a ``trnn train`` run (flags below) on the shared TinyStories training text,
validated every ``--val-every`` steps on the first 200 validation stories; its learning curve
(validation bits per byte vs step), CPU time and device go to
``benchmarks/results/recipes.json`` (runs already there with the same flags are not run
again), and the whole table to ``recipes.md`` with the curves in ``recipes.png``.

A run's bits per byte is the network's own (``net_bpb``): for the fully quantised models it is
exactly the deployed integer machine's; the ablations (continuous state, real weights) are
not machines and only say what each relaxation is worth. Negative results stay in the table.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
RUNS = ROOT / "runs" / "recipes"

LARGE = ["--cell", "gated", "--tokenizer", "bpe", "--vocab-size", "512", "--state-bits", "256",
         "--embed-bits", "32", "--fanin", "32", "--readout-fanin", "32"]
SMALL = ["--cell", "gated", "--tokenizer", "bpe", "--vocab-size", "512", "--state-bits", "64",
         "--embed-bits", "16", "--fanin", "15", "--readout-fanin", "0"]
TWIN_LR = ["--lr", "0.1", "--bias-lr", "0.1"]   # the float twin's rate (benchmarks/zoo.py)
# relative to the repository root, where the runs start: the float twin of the shipped large
# shape (256 state bits, 1,500 steps)
TEACHER = "benchmarks/models/large-bpe512.twin.pt"

STEPS = 600   # each run's steps unless listed in LONGER
LONGER = {"large/combined": 1500, "small/lr-0.1-long": 2500, "large/combined-noise": 1500,
          "large/final": 1500, "small/final": 3000}
# the modular state (issue: read the machine): the shipped large recipe with M modules, a
# fifth of its steps so that the five runs fit one session
FINAL_LARGE = ["--readout-fanin", "0", "--state-bits", "384", "--embed-bits", "64",
               "--vocab-size", "2048", "--lr", "0.1", "--gate-noise", "0.5"]
MODULES = (1, 2, 4, 8, 16)
MODULAR_STEPS = 300
LONGER.update({f"large/modules-{M}": MODULAR_STEPS for M in MODULES})
LONGER["large/modules-8-cross-4"] = MODULAR_STEPS
# token classes (the same issue): the state sees only a token's class, so that the decompiled
# rules read classes; the small recipe at the BPE-512 vocabulary of the program
CLASSES = (16, 32, 64)
SMALL_48 = ["--lr", "0.1", "--embed-bits", "48", "--gate-noise", "0.5"]
# name: (what it measures, flags beyond LARGE)
RECIPES = {
    # -- 1. where the 0.8 goes: relax one part of the logic at a time, the large shape --------
    "large/today": ("binary state, ternary gates and readout (today's recipe)", []),
    "large/twin": ("float twin: continuous state, real weights", ["--float-twin", *TWIN_LR]),
    "large/real-weights": ("binary state, real gate and readout weights",
                           ["--weights", "real", "--readout", "real"]),
    "large/continuous-state": ("continuous state, ternary gates and readout",
                               ["--state", "continuous"]),
    "large/real-readout": ("binary state, ternary gates, real readout weights",
                           ["--readout", "real"]),
    "large/dense-readout": ("today's recipe with a dense ternary readout (no fan-in cap)",
                            ["--readout-fanin", "0"]),
    "large/real-weights-lr0.01": ("binary state, real gate and readout weights, lr 0.01",
                                  ["--weights", "real", "--readout", "real", "--lr", "0.01"]),
    "large/ternary-gates-only": ("continuous state, real readout; only the gates ternary",
                                 ["--state", "continuous", "--readout", "real"]),
    # -- 2. recipes ----------------------------------------------------------------------------
    "large/distill": ("today's recipe + distillation from the large float twin (w 0.5, tau 2)",
                      ["--teacher", TEACHER]),
    "large/distill-w0.2-t1": ("today's recipe + distillation, weight 0.2, temperature 1",
                              ["--teacher", TEACHER, "--distill-weight", "0.2",
                               "--distill-temperature", "1"]),
    "large/lr-0.01": ("today's recipe at learning rate 0.01 (today 0.03)", ["--lr", "0.01"]),
    "large/lr-0.1": ("today's recipe at learning rate 0.1", ["--lr", "0.1"]),
    "large/real-weights-surrogate-3": ("binary state, real gate and readout weights, "
                                       "surrogate window x3 (real sums are ~1.7 wide, not ~1)",
                                       ["--weights", "real", "--readout", "real",
                                        "--surrogate", "3"]),
    # -- 3. shape within the ULX3S-85F budget (the readout is in block RAM: no cap needed) -----
    "large/dense-readout-h384": ("dense readout, 384 state bits",
                                 ["--readout-fanin", "0", "--state-bits", "384"]),
    "large/dense-readout-fanin64": ("dense readout, gate fan-in 64",
                                    ["--readout-fanin", "0", "--fanin", "64"]),
    # -- the helpful changes together, longer -------------------------------------------------
    "large/combined": ("dense readout, 384 state bits, learning rate 0.1",
                       ["--readout-fanin", "0", "--state-bits", "384", "--lr", "0.1"]),
    # -- the small shape (iCEBreaker budget; its readout is already dense) ---------------------
    "small/today": ("small: 64 state bits, fan-in 15, dense readout (today's recipe)", []),
    "small/lr-0.1": ("small at learning rate 0.1", ["--lr", "0.1"]),
    "small/lr-0.1-long": ("small at learning rate 0.1, longer", ["--lr", "0.1"]),
    "small/h96": ("small with 96 state bits", ["--state-bits", "96"]),
    "large/surrogate-0.5": ("today's recipe, surrogate gradient window x0.5",
                            ["--surrogate", "0.5"]),
    "large/surrogate-2": ("today's recipe, surrogate gradient window x2", ["--surrogate", "2"]),
    # -- 2b, 2d: relaxed binary units in training, against large/dense-readout ----------------
    "large/anneal-0.5": ("dense readout + progressive binarisation: tanh units sharpened to "
                         "the sign over the first half of the steps",
                         ["--readout-fanin", "0", "--anneal", "0.5"]),
    "large/gate-noise-0.5": ("dense readout + stochastic binary units (logistic noise 0.5 x "
                             "window, decaying to 0)",
                             ["--readout-fanin", "0", "--gate-noise", "0.5"]),
    "large/combined-noise": ("large/combined + stochastic binary units (noise 0.5)",
                             ["--readout-fanin", "0", "--state-bits", "384", "--lr", "0.1",
                              "--gate-noise", "0.5"]),
    "small/lr-0.1-noise": ("small at learning rate 0.1 + stochastic binary units (noise 0.5)",
                           ["--lr", "0.1", "--gate-noise", "0.5"]),
    "large/gate-noise-1.0": ("dense readout + stochastic binary units (noise 1.0)",
                             ["--readout-fanin", "0", "--gate-noise", "1.0"]),
    "large/vocab-1024": ("dense readout, BPE vocabulary of 1,024 (fewer, longer tokens)",
                         ["--readout-fanin", "0", "--vocab-size", "1024"]),
    "large/embed-64": ("dense readout, 64 embedding bits", ["--readout-fanin", "0",
                                                             "--embed-bits", "64"]),
    # -- the best recipes, longer (benchmarks/zoo.py "large-2048", "small-e48": same flags) --
    "large/final": ("the shipped large: 384 state bits, 64 embedding bits, BPE 2,048, dense "
                    "readout, learning rate 0.1, stochastic binary units (noise 0.5)",
                    ["--readout-fanin", "0", "--state-bits", "384", "--embed-bits", "64",
                     "--vocab-size", "2048", "--lr", "0.1", "--gate-noise", "0.5"]),
    "small/final": ("small-e48 (not shipped): 48 embedding bits, learning rate 0.1, stochastic binary "
                    "units (noise 0.5)",
                    ["--lr", "0.1", "--embed-bits", "48", "--gate-noise", "0.5"]),
    "large/vocab-2048": ("dense readout, BPE vocabulary of 2,048",
                         ["--readout-fanin", "0", "--vocab-size", "2048"]),
    "small/threshold-h128": ("small at learning rate 0.1, threshold cell (one gate) with 128 "
                             "state bits: the same logic as two gates of 64",
                             ["--lr", "0.1", "--cell", "threshold", "--state-bits", "128"]),
    "small/embed-32": ("small at learning rate 0.1, 32 embedding bits", ["--lr", "0.1",
                                                                        "--embed-bits", "32"]),
    "small/h72": ("small at learning rate 0.1, 72 state bits", ["--lr", "0.1",
                                                               "--state-bits", "72"]),
    "small/embed-32-noise": ("small at learning rate 0.1, 32 embedding bits, stochastic "
                             "binary units (noise 0.5)",
                             ["--lr", "0.1", "--embed-bits", "32", "--gate-noise", "0.5"]),
    "small/embed-48-noise": ("small at learning rate 0.1, 48 embedding bits, noise 0.5",
                             ["--lr", "0.1", "--embed-bits", "48", "--gate-noise", "0.5"]),
    "small/threshold-h96-embed-32-noise": ("small at learning rate 0.1, threshold cell with "
                                           "96 state bits, 32 embedding bits, noise 0.5",
                                           ["--lr", "0.1", "--cell", "threshold",
                                            "--state-bits", "96", "--embed-bits", "32",
                                            "--gate-noise", "0.5"]),
    "small/vocab-1024": ("the shipped small: learning rate 0.1, 48 embedding bits, noise "
                         "0.5, BPE vocabulary of 1,024",
                         ["--lr", "0.1", "--embed-bits", "48", "--gate-noise", "0.5",
                          "--vocab-size", "1024"]),
    **{f"large/modules-{M}": (f"the shipped large recipe, state trained as {M} independent "
                              f"modules (each gate reads its own module and the token)"
                              if M > 1 else "the shipped large recipe (one module), "
                              f"{MODULAR_STEPS} steps: the modular runs' reference",
                              [*FINAL_LARGE, "--modules", str(M)]) for M in MODULES},
    "large/modules-8-cross-4": ("the shipped large recipe, 8 modules, each gate may also read "
                                "4 bits of other modules",
                                [*FINAL_LARGE, "--modules", "8", "--cross-fanin", "4"]),
    **{f"small/classes-{C}": (f"small at learning rate 0.1, 48 embedding bits, noise 0.5, "
                              f"the state sees {C} token classes (k-means over bigram "
                              f"statistics)", [*SMALL_48, "--token-classes", str(C)])
       for C in CLASSES},
    "small/classes-32-e16": ("small/classes-32 with 16 embedding bits",
                             ["--lr", "0.1", "--gate-noise", "0.5", "--token-classes", "32"]),
    "small/classes-32-e16-fanin-10": ("small/classes-32-e16 with fan-in 10 (a rule fits a "
                                      "line)", ["--lr", "0.1", "--gate-noise", "0.5",
                                                "--token-classes", "32", "--fanin", "10"]),
    "small/classes-32-e16-fanin-8": ("small/classes-32-e16 with fan-in 8",
                                     ["--lr", "0.1", "--gate-noise", "0.5",
                                      "--token-classes", "32", "--fanin", "8"]),
    "small/classes-32-e8-fanin-8": ("small/classes-32-e16-fanin-8 with 8 embedding bits",
                                    ["--lr", "0.1", "--gate-noise", "0.5", "--token-classes",
                                     "32", "--fanin", "8", "--embed-bits", "8"]),
}


# the run each recipe is measured against (the same shape and steps, one change apart);
# runs not listed compare with today's recipe of their shape
AGAINST = {
    "large/anneal-0.5": "large/dense-readout",
    "large/gate-noise-0.5": "large/dense-readout",
    "large/gate-noise-1.0": "large/dense-readout",
    "large/vocab-1024": "large/dense-readout",
    "large/vocab-2048": "large/vocab-1024",
    "large/embed-64": "large/dense-readout",
    "large/combined-noise": "large/combined",
    "large/final": "large/combined-noise",
    "small/lr-0.1-noise": "small/lr-0.1",
    "small/threshold-h128": "small/lr-0.1",
    "small/embed-32": "small/lr-0.1",
    "small/h72": "small/lr-0.1",
    "small/embed-32-noise": "small/embed-32",
    "small/embed-48-noise": "small/embed-32-noise",
    "small/threshold-h96-embed-32-noise": "small/embed-32-noise",
    "small/vocab-1024": "small/embed-48-noise",
    **{f"large/modules-{M}": "large/modules-1" for M in MODULES if M > 1},
    "large/modules-8-cross-4": "large/modules-8",
    **{f"small/classes-{C}": "small/embed-48-noise" for C in CLASSES},
    "small/classes-32-e16": "small/classes-32",
    "small/classes-32-e16-fanin-10": "small/classes-32-e16",
    "small/classes-32-e16-fanin-8": "small/classes-32-e16-fanin-10",
    "small/classes-32-e8-fanin-8": "small/classes-32-e16-fanin-8",
}


def load_results() -> dict:
    path = RESULTS / "recipes.json"
    return json.loads(path.read_text()) if path.exists() else {}


def run_one(name: str, steps: int, val_every: int, threads: int, data: str | None) -> dict:
    what, flags = RECIPES[name]
    ck = RUNS / f"{name.replace('/', '-')}.pt"
    base = SMALL if name.startswith("small/") else LARGE
    argv = ["train", "--out", str(ck), "--resume", *base, *flags, "--steps", str(steps),
            "--val-every", str(val_every), "--val-stories", "200", "--threads", str(threads),
            "--quiet", *(["--data", data] if data else [])]
    print(f"+ trnn {' '.join(argv)}", flush=True)
    # a run resumed from its checkpoint: the time measured is that of the remaining steps only
    resumed_at = (torch.load(ck, map_location="cpu", weights_only=False)["step"]
                  if ck.exists() else 0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    subprocess.run([sys.executable, "-m", "trnn", *argv], check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    state = torch.load(ck, map_location="cpu", weights_only=False)
    return {"what": what, "flags": flags, "steps": state["step"],
            **board_cost(ck, "icebreaker" if name.startswith("small/") else "ulx3s-85f"),
            "curve": [(h["step"], round(h["val_bpb"], 4)) for h in state["history"]],
            "val_bpb": round(state["history"][-1]["val_bpb"], 4),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime),
            "wall_s": round(time.time() - t0), "threads": threads,
            **({"resumed_at": resumed_at} if resumed_at else {}),
            "device": f"CPU ({platform.machine()}, {threads} threads)"}


def board_cost(ck: Path, board: str = "ulx3s-85f") -> dict:
    """LUT4 estimate, block-RAM bits and whole blocks of the exported machine on ``board``
    (the ULX3S-85F for the large shape, the iCEBreaker for the small one) and whether it fits,
    or {} for an ablation (not a machine)."""
    from trnn.boards.build import estimate
    from trnn.boards.catalog import BOARDS
    from trnn.model.net import to_machine
    from trnn.model.train import load_checkpoint
    net, tok, cfg, _ = load_checkpoint(ck)
    if not cfg.model.exportable:
        return {}
    est = estimate(to_machine(net, tok), BOARDS[board])
    return {"lut4": est.lut4, "rom_bits": est.rom_bits, "bram_blocks": est.bram_blocks,
            "readout": est.readout, "fits": est.fits}


def write_table(results: dict) -> str:
    lines = ["# Training recipes and ablations", "",
             "`python benchmarks/recipes.py`: the `large` shape (256 state bits, 32 embedding "
             "bits, fan-in 32, readout fan-in 32, BPE 512, gated cell), 64 sequences x 128 "
             "tokens per step, cosine schedule over the steps shown; bits per byte of the "
             "network itself on the first 200 validation stories (for the fully quantised "
             "runs this is the deployed integer machine's). CPU time is user + system of the "
             "training process (inflated for `small/final` and `small/vocab-1024`, which ran "
             "beside a place-and-route for part of their runs). Every run is listed, negative "
             "results included. For scale: the BPE-512 `large` (today's recipe, 3,000 steps; "
             "benchmarks/models/large-bpe512.trnn) scored 1.945 on these 200 stories (2.019 "
             "on all 500), the BPE-512 `small` (2,000 steps) 2.260 (2.333); a byte 5-gram "
             "table 1.574 on all 500. `large/final` and `small/vocab-1024` are the shipped "
             "`large` and `small` of benchmarks/zoo.py (1.2717 and 1.7630 on all 500); "
             "`small/final` is its `small-e48`, whose tables do not fit the UP5K's block RAM (its readout "
             "would go to SPRAM; not built). The "
             "`small/` runs use the small shape (64 state bits, 16 embedding bits, fan-in 15, "
             "dense readout) and their LUT4 and block-RAM estimate is for the iCEBreaker "
             "(budget 4,752 LUT4 = 90 % of 5,280; 122,880 block-RAM bits in 30 blocks; a "
             "readout table too large for them goes to the 1 Mbit SPRAM, with 650 LUT4 more "
             "for the flash loader and the slower scan).", "",
             "LUT4 and block RAM: the estimate for the exported machine on the ULX3S-85F "
             "(`trnn.boards.build.estimate`; budget 75,276 LUT4 = 90 % of 83,640, and "
             "3,833,856 block-RAM bits in 208 blocks), the tables' bits / the whole blocks "
             "they take (without the readout table where it goes to SPRAM), `no fit` where a "
             "budget is exceeded; empty for ablations, which are not machines.", "",
             "`against`: the val bpb difference to the run named (the same steps; one change "
             "apart except for the `final` runs; today's recipe of the same shape unless "
             "another run is named in AGAINST); negative is better.", "",
             "| run | what | steps | val bpb | against | LUT4 est. | BRAM bits / blocks | CPU time "
             "| device |",
             "|---|---|---:|---:|---|---:|---:|---:|---|"]
    for name, r in results.items():
        base = AGAINST.get(name, name.split("/")[0] + "/today")
        ref = results.get(base, {})
        delta = f"{r['val_bpb'] - ref['val_bpb']:+.3f} vs `{base}`" \
            if ref and name != base and r["steps"] == ref["steps"] else ""
        lut = f"{r['lut4']:,}" if r.get("lut4") else ""
        rom = (f"{r['rom_bits']:,} / {r['bram_blocks']}"
               + (" + readout in SPRAM" if r["readout"] == "spram" else "")
               + ("" if r["fits"] else " (no fit)") if r.get("rom_bits") else "")
        what = RECIPES[name][0] if name in RECIPES else r["what"]
        lines.append(f"| `{name}` | {what} | {r['steps']} | {r['val_bpb']:.3f} | {delta} "
                     f"| {lut} | {rom} | {r['cpu_s'] / 60:.0f} min"
                     + (f" (steps {r['resumed_at']}-{r['steps']} only: resumed)"
                        if r.get("resumed_at") else "") + f" | {r['device']} |")
    lines += ["", "The Pareto front of the machines measured (val bpb against the LUT4 "
              "estimate, per board) is `recipes_pareto.png`."]
    return "\n".join(lines) + "\n"


# byte n-gram tables on all 500 validation stories (benchmarks/results/quality.md)
NGRAM_LINES = {"byte 5-gram": 1.574, "byte 7-gram": 1.348}
# shape -> (board, LUT4 budget = 90 % of the device's, block-RAM bits)
BOARD_OF = {"large": ("ULX3S-85F (ECP5-85F)", 75_276, 3_833_856),
            "small": ("iCEBreaker (iCE40 UP5K)", 4_752, 122_880)}


def pareto(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """The points ``(lut4, bpb, name)`` that no other point beats on both (fewer or equal
    LUT4 and lower or equal bpb, one strictly), by increasing LUT4."""
    front, best = [], float("inf")
    for p in sorted(points, key=lambda p: (p[0], p[1])):
        if p[1] < best:
            front.append(p)
            best = p[1]
    return front


def plot_pareto(results: dict, path: Path) -> None:
    """One panel per board: every exported machine's val bpb against its LUT4 estimate; the
    Pareto front among the runs of the default length (:data:`STEPS`, matched steps) joined,
    longer runs as stars; the budget (90 % of the LUT4) and the n-gram lines."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, (shape, (board, budget, bram)) in zip(axes, BOARD_OF.items()):
        mine = [(r["lut4"], r["val_bpb"], n) for n, r in results.items()
                if n.startswith(shape + "/") and r.get("lut4")]
        # a machine whose tables overflow the block RAM (or logic the LUT4 budget) is not
        # on the board's front
        fits = [p for p in mine if results[p[2]]["fits"]]
        over = [p for p in mine if p not in fits]
        matched = [p for p in fits if results[p[2]]["steps"] == STEPS]
        longer = [p for p in fits if results[p[2]]["steps"] != STEPS]
        front = pareto(matched)
        ax.scatter([p[0] for p in matched], [p[1] for p in matched], s=18, color="tab:blue",
                   label=f"machines, {STEPS} steps")
        ax.plot([p[0] for p in front], [p[1] for p in front], color="tab:red", lw=1.5,
                marker="o", label=f"Pareto front, {STEPS} steps")
        ax.scatter([p[0] for p in longer], [p[1] for p in longer], s=70, marker="*",
                   color="tab:green", label="longer runs")
        ax.scatter([p[0] for p in over], [p[1] for p in over], s=22, facecolors="none",
                   edgecolors="gray", label="does not fit the board")
        for x, y, n in front + longer:
            ax.annotate(f"{n.split('/', 1)[1]} ({results[n]['steps']})", (x, y), fontsize=7,
                        xytext=(4, 2), textcoords="offset points")
        ax.set_ylim(1.1, 2.5)
        for label, bpb in NGRAM_LINES.items():
            ax.axhline(bpb, color="gray", ls="--", lw=1)
            ax.text(budget, bpb, f"{label} (500 stories) ", color="gray", va="bottom",
                    ha="right", fontsize=8)
        ax.axvline(budget, color="black", ls=":", lw=1)
        ax.text(budget, 2.45, "LUT4 budget (90 %) ", ha="right", va="top", fontsize=8,
                rotation=90)
        ax.set_xlabel("LUT4 (pre-synthesis estimate)")
        ax.set_ylabel("validation bits per byte (200 stories; runs above 2.5 off scale)")
        ax.set_title(f"{shape} shapes on the {board}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(11, 6))
    colors = plt.cm.tab20.colors
    for k, (name, r) in enumerate(results.items()):
        steps, bpb = zip(*r["curve"])
        ax.plot(steps, bpb, marker="os^D"[k // 10 % 4], ms=3, color=colors[k % 20],
                ls="-" if k < 10 else "--", label=f"{name} ({r['val_bpb']:.3f})")
    ax.axhline(1.574, color="gray", ls="--", lw=1)
    ax.text(ax.get_xlim()[0], 1.58, " byte 5-gram (500 stories)", color="gray", va="bottom")
    ax.set_xlabel("training step")
    ax.set_ylabel("validation bits per byte (200 stories)")
    ax.set_title("large shape: learning curves of the ablations and recipes")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(RECIPES), help="run only these")
    ap.add_argument("--steps", type=int, help=f"steps of every run chosen (default "
                    f"{STEPS}, or as listed in LONGER)")
    ap.add_argument("--val-every", type=int, default=100, help="validation interval (runs "
                    "longer than 1,000 steps: 250)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", help="data directory (default: trnn's)")
    a = ap.parse_args()
    results = load_results()
    for name in a.only or list(RECIPES):
        steps = a.steps or LONGER.get(name, STEPS)
        old = results.get(name)
        if old and old["flags"] == RECIPES[name][1] and old["steps"] == steps:
            continue   # already measured
        results[name] = run_one(name, steps, a.val_every if steps <= 1000 else 250,
                                a.threads, a.data)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "recipes.json").write_text(json.dumps(results, indent=1) + "\n")
    for name, r in results.items():   # runs recorded before the cost columns existed
        ck = RUNS / f"{name.replace('/', '-')}.pt"
        if "readout" not in r and ck.exists() and "--float-twin" not in r["flags"]:
            r.update(board_cost(ck, "icebreaker" if name.startswith("small/") else "ulx3s-85f"))
    (RESULTS / "recipes.json").write_text(json.dumps(results, indent=1) + "\n")
    table = write_table(results)
    (RESULTS / "recipes.md").write_text(table)
    plot(results, RESULTS / "recipes.png")
    plot_pareto(results, RESULTS / "recipes_pareto.png")
    print(table)


if __name__ == "__main__":
    main()
