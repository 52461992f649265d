"""Readability against quality: the price of a machine that reads like a program, as a table and
a plot.

    python benchmarks/readability.py [--only NAME ...] [--stories N]

For each model (the shipped ones, the BPE-512 ones before them, and runs of
``benchmarks/recipes.py`` — the shipped large recipe with the state trained as M = 1 … 16
modules, the small recipe with C token classes — exported from ``runs/recipes/NAME.pt`` when
that checkpoint exists)
measures on the first ``--stories`` validation stories (default 200):

* **bpb**: bits per byte of the integer machine (``trnn eval``);
* **components**: weakly connected components of the bit dependency graph and the largest,
  SCCs and the largest cyclic one, before pruning (``trnn logic split``);
* **pruned**: gate weights (state and embedding inputs) that ``trnn logic split`` removes
  without changing any state or greedy choice on the stories, and the readout weights;
* **decompiled lines**: ``trnn decompile``'s program, in all and its ``step`` rules alone,
  and with the named bits (``--names``);
* **named bits**: bits ``trnn logic explain`` names (token-set F1 ≥ 0.5) on the stories;
* **token classes** of the next-state gates (:func:`token_classes`), and for a machine whose
  embedding has at most 256 distinct rows the length of the program whose rules say how many
  state literals each class needs (``trnn decompile --classes needs``).

Writes ``benchmarks/results/readability.json`` and ``.md`` and the plot ``readability.png``
(bpb against each measure). Models measured before are kept unless named with ``--only``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
RUNS = ROOT / "runs" / "recipes"
MODULES = (1, 2, 4, 8, 16)
# the recipe runs measured when their checkpoints exist: the modular large runs, the small
# runs trained with token classes and the two small runs they are measured against
RUN_MODELS = ([f"large-modules-{M}" for M in MODULES] + ["large-modules-8-cross-4"]
              + ["small-lr-0.1-noise", "small-embed-48-noise", "small-classes-16",
                 "small-classes-32", "small-classes-64", "small-classes-32-e16", "small-classes-32-e16-fanin-10",
                 "small-classes-32-e16-fanin-8", "small-classes-32-e8-fanin-8"])

from trnn.logic.decompile import class_needs, decompile
from trnn.logic.depgraph import dependency_graph
from trnn.logic.explain import bit_names, explain, name_note
from trnn.logic.prune import prune
from trnn.logic.trace import run_trace
from trnn.model.data import read_stories, resolve_split
from trnn.model.evaluate import machine_bpb
from trnn.model.machine import Machine


def models(export: list[str] | None = None) -> dict[str, Path]:
    """name → model file. The recipe runs (:data:`RUN_MODELS`) named in ``export`` (all when
    None) are exported here from the recipes' checkpoints when the checkpoint is newer than
    the file; only finished runs should be named (a checkpoint is also written during
    training)."""
    out = {"small": ROOT / "models" / "small.trnn", "large": ROOT / "models" / "large.trnn",
           "small-bpe512": ROOT / "benchmarks" / "models" / "small-bpe512.trnn",
           "large-bpe512": ROOT / "benchmarks" / "models" / "large-bpe512.trnn"}
    for name in RUN_MODELS:
        ck = RUNS / f"{name}.pt"
        mf = ROOT / "benchmarks" / "models" / f"{name}.trnn"
        fresh = export is None or name in export
        if fresh and ck.exists() and (not mf.exists() or mf.stat().st_mtime < ck.stat().st_mtime):
            subprocess.run([sys.executable, "-m", "trnn", "export", str(ck), "-o", str(mf)],
                           check=True, cwd=ROOT)
        if mf.exists():
            out[name] = mf
    return out


def token_classes(m: Machine) -> dict:
    """The vocabulary as each next-state gate sees it: a gate fires when its true state
    literals reach the number token t needs (:func:`trnn.logic.decompile.class_needs`, clamped
    to 0 … #literals + 1: always / never beyond), so the tokens with the same need form one
    class of that gate. Returns the classes per gate (mean, max), the distinct classes over
    all gates, how many are shared by two or more gates, and their median size."""
    seen: dict[frozenset, int] = {}
    per_gate = []
    for g in m.gates:
        for i in range(m.H):
            need = class_needs(m.W[g][i], m.theta[g][i], m.H, m.embedding)
            vals = np.unique(need)
            per_gate.append(len(vals))
            for v in vals:
                key = frozenset(np.flatnonzero(need == v).tolist())
                seen[key] = seen.get(key, 0) + 1
    sizes = sorted(len(k) for k in seen)
    return {"per_gate_mean": round(float(np.mean(per_gate)), 2), "per_gate_max": max(per_gate),
            "distinct": len(seen), "shared": sum(1 for c in seen.values() if c > 1),
            "median_size": sizes[len(sizes) // 2]}


def measure(name: str, path: Path, stories: list[str]) -> dict:
    t0 = time.time()
    m = Machine.load(path)
    bpb, _ = machine_bpb(m, stories)
    tr = run_trace(m, stories)
    g = dependency_graph(m)
    pm, ps = prune(m, tr)
    src = decompile(m)   # token classes for a model trained with them (features form)
    lines = src.splitlines()
    rows = len(np.unique(m.embedding, axis=0))
    needs = len(decompile(m, classes="needs").splitlines()) if rows <= 256 else None
    rules = src[src.index("def step("):src.index("# -- choosing")].splitlines()
    stats = explain(m, tr)
    names = bit_names(m, stats)
    named_lines = len(decompile(m, names=names, notes={i: name_note(m, stats[i])
                                                       for i in names}).splitlines())
    gate_before = sum(v for k, v in ps.weights_before.items() if k != "R")
    gate_after = sum(v for k, v in ps.weights_after.items() if k != "R")
    cyc = [len(c) for c in g.cyclic_sccs]
    return {
        "model": name, "file": str(path.relative_to(ROOT)), "H": m.H, "E": m.E, "V": m.V,
        "modules_trained": int(m.meta.get("train_config", {}).get("model", {})
                               .get("modules", 1)),
        "classes_trained": int(m.meta.get("train_config", {}).get("model", {})
                               .get("token_classes", 0)),
        "embedding_rows": rows, "needs_lines": needs,
        "steps_trained": m.meta.get("steps"), "bpb": round(bpb, 4),
        "components": len(g.components), "largest_component": len(g.components[0]),
        "sccs": len(g.sccs), "largest_cyclic_scc": max(cyc) if cyc else 0,
        "gate_weights": gate_before, "gate_weights_pruned": gate_before - gate_after,
        "readout_weights": ps.weights_before["R"],
        "readout_weights_pruned": ps.weights_before["R"] - ps.weights_after["R"],
        "decompiled_lines": len(lines), "rule_lines": len(rules), "named_bits": len(names),
        "named_lines": named_lines,
        "token_classes": token_classes(m), "stories": len(stories), "steps": len(tr),
        "seconds": round(time.time() - t0, 1), "machine": platform.machine(),
    }


def table(rows: list[dict]) -> str:
    out = ["# Readability against quality", "",
           "`python benchmarks/readability.py`: every model on the first "
           f"{rows[0]['stories'] if rows else 200} validation stories. *bpb*: bits per byte of "
           "the integer machine. *components*: weakly connected components of the state-bit "
           "dependency graph (largest in brackets); *cyclic SCC*: the largest strongly "
           "connected component with a cycle. *pruned*: gate weights removed by `trnn logic "
           "split` without changing any state or greedy choice on these stories (of all gate "
           "weights). *lines*: the decompiled program (its `step` rules); *with names*: the "
           "same with the named bits (`--names`; blank: not measured). *named*: bits with "
           "a name (a set of ≤ 4 tokens predicts the bit turning on or off with F1 ≥ 0.5). "
           "*token classes*: per gate, the tokens that need the same number of state literals "
           "form a class; distinct classes over all gates / shared by ≥ 2 gates / median "
           "size. The `large-modules-M` models are the shipped large recipe at 300 steps (the "
           "shipped `large` has 1,500) with the state trained as M independent modules; the "
           "`small-classes-C` models the small recipe at BPE 512 (600 steps) with the state "
           "seeing C token classes (benchmarks/recipes.py). *C*: the token classes trained "
           "(their programs read classes: each embedding bit a set of classes); *needs*: the "
           "program's lines when every rule says how many state literals each class needs "
           "(`trnn decompile --classes needs`; only where the embedding has ≤ 256 distinct "
           "rows).", "",
           "| model | M | C | steps | bpb | components (largest) | cyclic SCC | gate weights "
           "pruned | lines (rules) | with names | needs | named | token classes |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        tc = r["token_classes"]
        needs = f"{r['needs_lines']:,}" if r.get("needs_lines") else ""
        named = f"{r['named_lines']:,}" if r.get("named_lines") else ""
        out.append(f"| `{r['model']}` | {r['modules_trained']} | "
                   f"{r.get('classes_trained') or ''} | {r['steps_trained']} | "
                   f"{r['bpb']:.3f} | {r['components']} ({r['largest_component']}) | "
                   f"{r['largest_cyclic_scc']} | {r['gate_weights_pruned']:,} of "
                   f"{r['gate_weights']:,} | {r['decompiled_lines']:,} ({r['rule_lines']:,}) | "
                   f"{named} | {needs} | {r['named_bits']} of {r['H']} | "
                   f"{tc['distinct']:,} / {tc['shared']} / {tc['median_size']} |")
    return "\n".join(out) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(12, 3.6), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 4)
    panels = [("largest component (bits, share of H)", lambda r: r["largest_component"] / r["H"]),
              ("gate weights pruned (share)",
               lambda r: r["gate_weights_pruned"] / max(r["gate_weights"], 1)),
              ("decompiled rule lines per state bit", lambda r: r["rule_lines"] / r["H"]),
              ("named bits (share of H)", lambda r: r["named_bits"] / r["H"])]
    for ax, (label, f) in zip(axes, panels):
        for r in rows:
            mod = r["model"].startswith("large-modules")
            ax.scatter(f(r), r["bpb"], c="C1" if mod else "C2" if r.get("classes_trained")
                       else "C0", s=25)
            ax.annotate(r["model"].replace("large-modules-", "M").replace("-cross-", "k")
                        .replace("small-classes-", "C"), (f(r), r["bpb"]),
                        fontsize=6, xytext=(3, 2), textcoords="offset points")
        mods = sorted((r for r in rows if r["model"].startswith("large-modules")
                       and "cross" not in r["model"]), key=lambda r: r["modules_trained"])
        if len(mods) > 1:   # the modular runs as a curve, in order of M
            ax.plot([f(r) for r in mods], [r["bpb"] for r in mods], c="C1", lw=0.8, zorder=0)
        ax.set_xlabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("bits per byte (lower is better)", fontsize=8)
    fig.suptitle("readability against quality (orange: the large recipe trained as M modules, "
                 "300 steps; green: the small recipe seeing C token classes, 600 steps)",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", help="measure only these models")
    ap.add_argument("--stories", type=int, default=200)
    ap.add_argument("--data", help="data directory (default: trnn's)")
    a = ap.parse_args()
    path = RESULTS / "readability.json"
    rows = {r["model"]: r for r in json.loads(path.read_text())["rows"]} if path.exists() \
        else {}
    stories = read_stories(resolve_split(a.data, "valid"), a.stories)
    for name, mf in models(a.only).items():
        if (a.only and name not in a.only) or (not a.only and name in rows):
            continue
        print(f"measuring {name} …", flush=True)
        rows[name] = measure(name, mf, stories)
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"rows": list(rows.values())}, indent=1) + "\n")
    order = list(models([]))
    ordered = sorted(rows.values(), key=lambda r: order.index(r["model"])
                     if r["model"] in order else len(order))
    (RESULTS / "readability.md").write_text(table(ordered))
    plot(ordered, RESULTS / "readability.png")
    print(table(ordered))


if __name__ == "__main__":
    main()
