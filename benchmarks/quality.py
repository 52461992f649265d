"""Quality benchmark: validation bits per byte of n-gram baselines, ternary models and twins.

    python benchmarks/quality.py [--data DIR] [--stories N]
    python benchmarks/quality.py --from-json     # re-render the table only
    python benchmarks/quality.py --only NAME ... # re-evaluate these zoo models, keep the rest

Evaluates (never trains) what exists: byte n-grams (n = 1, 3, 5, 7) fitted on the training
text, every ternary model of ``benchmarks/zoo.py`` as deployed integers (``trnn eval``'s
figure), and its float twin. Prints a Markdown table and writes it with the raw numbers to
``benchmarks/results/quality.md`` and ``quality.json``. Deterministic: a re-run prints the
same table.

The price of interpretability: next to each ternary model's gap to its float twin, the table
shows the size of its logic after simplification (AND nodes and LUT4s of the next-state and
readout blocks), read from ``benchmarks/results/logic.json`` (``benchmarks/logic.py``).
``--from-json`` re-renders the table from the stored ``quality.json`` with the current
``logic.json``, without evaluating again; ``--only`` evaluates the zoo models named (and their
twins) and keeps every other stored row. Each zoo model's training time is
``benchmarks/zoo.py``'s record (``TRAINING``). A second table lists the ablations and recipe
runs of ``benchmarks/recipes.py`` from its ``recipes.json`` (not evaluated again here).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from zoo import TRAINING, ZOO, model_path, twin_path  # noqa: E402

from trnn.boards.build import cell_weights  # noqa: E402
from trnn.model.cost import weight_counts  # noqa: E402
from trnn.model.data import read_stories, resolve_split  # noqa: E402
from trnn.model.evaluate import machine_bpb  # noqa: E402
from trnn.model.machine import Machine  # noqa: E402
from trnn.model.ngram import NGram  # noqa: E402
from trnn.model.train import load_checkpoint, net_bpb  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data directory (default: TRNN_DATA or ../shared/...)")
    ap.add_argument("--stories", type=int, help="only the first N validation stories")
    ap.add_argument("--out", default=str(HERE / "results"), help="results directory")
    ap.add_argument("--from-json", action="store_true", help="re-render the stored results "
                    "(quality.json + logic.json) without evaluating")
    ap.add_argument("--only", nargs="+", choices=sorted(ZOO), help="evaluate only these zoo "
                    "models and their twins; keep the other stored rows")
    a = ap.parse_args()
    out = Path(a.out)
    if a.only:
        stored = json.loads((out / "quality.json").read_text())
        valid = read_stories(resolve_split(a.data, "valid"), a.stories)
        if len(valid) != stored["valid_stories"]:
            ap.error(f"the stored rows are on {stored['valid_stories']} stories, not "
                     f"{len(valid)}")
        fresh = evaluate_zoo(a.only, valid)
        names = {r["model"] for r in fresh}
        rows = [r for r in stored["rows"] if r["model"] not in names
                and r["model"].removesuffix(" float twin") in ZOO
                or r["kind"].startswith("n-gram")]
        # in the zoo's order, n-grams first
        order = {n: k for k, n in enumerate(ZOO)}
        rows = sorted(rows + fresh, key=lambda r: (not r["kind"].startswith("n-gram"),
                                                    order.get(r["model"].removesuffix(
                                                        " float twin"), -1),
                                                    r["kind"].startswith("float")))
        write(rows, stored["valid_stories"], stored["valid_bytes"],
              bytes_per_token(valid), out)
        return
    if a.from_json:
        stored = json.loads((out / "quality.json").read_text())
        write(stored["rows"], stored["valid_stories"], stored["valid_bytes"],
              stored.get("bytes_per_token"), out)
        return

    train = read_stories(resolve_split(a.data, "train"))
    valid = read_stories(resolve_split(a.data, "valid"), a.stories)
    rows = []

    def add(seconds: float, **r):
        rows.append(r)  # timings are printed, not stored: the results must match a re-run
        print(f"  {r['model']:<16} {r['bpb']:.4f} bpb  ({seconds:.0f} s)", flush=True)

    print(f"{len(valid)} validation stories, {len(train)} training stories", flush=True)
    for n in (1, 3, 5, 7):
        t = time.time()
        add(model=f"byte {n}-gram", kind="n-gram (Witten-Bell)", state_bits=None,
            weights=None, steps=None, bpb=NGram(n, train).bpb(valid), seconds=time.time() - t)
    rows += evaluate_zoo(list(ZOO), valid)
    write(rows, len(valid), sum(len(s.encode()) + 1 for s in valid), bytes_per_token(valid),
          out)


def evaluate_zoo(names: list[str], valid: list[str]) -> list[dict]:
    """Rows for the zoo models ``names`` (deployed integers) and their float twins, where
    the files exist, on the stories ``valid``."""
    rows = []

    def add(seconds: float, **r):
        rows.append(r)
        print(f"  {r['model']:<16} {r['bpb']:.4f} bpb  ({seconds:.0f} s)", flush=True)

    for name in names:
        mp, tp = model_path(name), twin_path(name)
        if mp.exists():
            t = time.time()
            m = Machine.load(mp)
            bpb, _ = machine_bpb(m, valid)
            add(model=name, kind="ternary, deployed integers", state_bits=m.H,
                steps=m.meta.get("train_config", {}).get("steps"), vocab=m.V,
                weights=sum(weight_counts(m).nnz.values()), cell_weights=cell_weights(m),
                trained=TRAINING.get(name, {}).get("model"), bpb=bpb, seconds=time.time() - t)
        else:
            print(f"  {name}: no model file {mp} (run benchmarks/zoo.py)", flush=True)
        if tp.exists():
            t = time.time()
            net, tok, cfg, hist = load_checkpoint(tp)
            dense = sum(p.numel() for p in (net.W, net.R))
            add(model=f"{name} float twin", kind="float twin (dense, real-valued)",
                state_bits=cfg.model.state_bits, weights=dense, vocab=tok.vocab_size,
                steps=hist[-1]["step"] if hist else 0,
                trained=TRAINING.get(name, {}).get("twin"),
                bpb=net_bpb(net, tok, valid), seconds=time.time() - t)
    return rows


def bytes_per_token(valid: list[str]) -> dict[str, float]:
    """Bytes per token of each shipped vocabulary on the stories ``valid``."""
    bpt = {}
    for name in ("large", "small"):
        if model_path(name).exists():
            tok = Machine.load(model_path(name)).tokenizer
            ntok = sum(len(tok.encode(v)) for v in valid)
            bpt[f"BPE-{tok.vocab_size}"] = sum(len(v.encode()) for v in valid) / ntok
    return bpt


def logic_sizes(out: Path) -> dict[str, dict]:
    """model -> {"ands": …, "lut4": …} summed over the blocks in logic.json (both blocks
    needed; a model with only one is left out)."""
    path = out / "logic.json"
    if not path.exists():
        return {}
    per: dict[str, dict] = {}
    for r in json.loads(path.read_text())["rows"]:
        d = per.setdefault(r["model"], {"ands": 0, "lut4": 0, "blocks": set()})
        d["ands"] += r["ands_simplified"]
        d["lut4"] += r["lut4"]
        d["blocks"].add(r["block"])
    return {k: v for k, v in per.items() if v["blocks"] == {"step", "readout"}}


def recipes_section(out: Path) -> str:
    """The ablations and recipe runs of ``benchmarks/recipes.py`` (its recipes.json) as a
    second table: shorter runs, scored on the first 200 validation stories, each against the
    run it changes and, for the large shape, against the float twin of the same steps."""
    path = out / "recipes.json"
    if not path.exists():
        return ""
    from recipes import RECIPES   # this directory: the runs' current descriptions
    runs = json.loads(path.read_text())
    twin = runs.get("large/twin", {}).get("val_bpb")
    lines = ["", "## Ablations and training recipes", "",
             "From `benchmarks/recipes.py` (table and curves: `recipes.md`, Pareto front per "
             "board: `recipes_pareto.png`): bits per byte on the **first 200** validation "
             "stories, so not comparable to the table above; CPU time of the training "
             "process; the gap to the float twin is against `large/twin` (the large shape's "
             "float twin at 600 steps, BPE 512) for the large runs of 600 steps with that "
             "vocabulary.", "",
             "| run | what | steps | val bpb | CPU time | gap to float twin (600 steps) |",
             "|---|---|---:|---:|---:|---:|"]
    for name, r in runs.items():
        gap = (f"{r['val_bpb'] - twin:+.3f}" if twin is not None and name != "large/twin"
               and name.startswith("large/") and r["steps"] == runs["large/twin"]["steps"]
               and "--vocab-size" not in r["flags"] else "")
        what = RECIPES[name][0] if name in RECIPES else r["what"]
        lines.append(f"| `{name}` | {what} | {r['steps']} | {r['val_bpb']:.3f} | "
                     f"{r['cpu_s'] / 60:.0f} min | {gap} |")
    return "\n".join(lines) + "\n"


def write(rows: list[dict], n_valid: int, n_bytes: int, bytes_per_token, out: Path) -> None:
    """Print the Markdown table and write quality.md, quality.json and quality.png."""
    by = {r["model"]: r["bpb"] for r in rows}
    logic = logic_sizes(out)
    lines = ["| model | kind | state bits | vocabulary | weights | training steps | training "
             "time | val bpb | gap to float twin | logic after simplification: AND nodes | "
             "LUT4 |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        twin = by.get(f"{r['model']} float twin")
        gap = f"+{r['bpb'] - twin:.3f}" if twin is not None else ""
        lg = logic.get(r["model"]) if r["kind"].startswith("ternary") else None
        size = f"{lg['ands']:,} | {lg['lut4']:,}" if lg else " | "
        lines.append(f"| {r['model']} | {r['kind']} | {r['state_bits'] or ''} | "
                     f"{r.get('vocab') or ''} | {r['weights'] or ''} | {r['steps'] or ''} | "
                     f"{r.get('trained') or ''} | {r['bpb']:.3f} | {gap} | {size} |")
    table = "\n".join(lines)
    if isinstance(bytes_per_token, float):   # stored before there were two vocabularies
        bytes_per_token = {"BPE-512": bytes_per_token}
    per_token = ("; " + ", ".join(f"the {k} vocabulary averages {v:.2f} bytes per token"
                                  for k, v in sorted((bytes_per_token or {}).items()))
                 + " here") if bytes_per_token else ""
    print()
    print(table)
    out.mkdir(parents=True, exist_ok=True)
    head = (f"# Quality benchmark\n\n`python benchmarks/quality.py` on {n_valid} validation "
            f"stories ({n_bytes} bytes). Ternary models are "
            "scored as deployed integers (docs/machine.md §7); float twins have the same "
            "shape with dense real weights and continuous states. Weights: nonzero ternary "
            "weights in gates + readout; for twins, all real weights. A training step is "
            f"64 sequences x 128 tokens{per_token}.\n\n"
            "**The price of interpretability**: the gap is what the ternary weights and binary "
            "state cost in bits per byte against the same network with real weights and "
            "continuous state; the last two columns are what is bought with it — the whole "
            "model (next-state and readout logic) as an and-inverter graph after Yosys/ABC, and "
            "as LUT4s (`benchmarks/logic.py`, `benchmarks/results/logic.md`).\n\n")
    (out / "quality.md").write_text(head + table + "\n" + recipes_section(out))
    (out / "quality.json").write_text(json.dumps(
        {"rows": rows, "valid_stories": n_valid, "valid_bytes": n_bytes,
         "bytes_per_token": bytes_per_token, "python": platform.python_version()},
        indent=1) + "\n")
    print(f"\nwrote {out / 'quality.md'} and {out / 'quality.json'}")
    plot(rows, out / "quality.png")


def plot(rows: list[dict], path: Path) -> None:
    """bpb against nonzero weights: ternary models as a line, twins as points, n-grams as
    horizontal references."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no plot: pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    tern = sorted((r for r in rows if r["kind"].startswith("ternary")),
                  key=lambda r: r["weights"])
    ax.plot([r["weights"] for r in tern], [r["bpb"] for r in tern], "o-", label="ternary")
    for r in tern:
        ax.annotate(r["model"], (r["weights"], r["bpb"]), textcoords="offset points",
                    xytext=(5, 5))
    twins = [r for r in rows if r["kind"].startswith("float")]
    ax.plot([r["weights"] for r in twins], [r["bpb"] for r in twins], "s",
            label="float twin (dense)")
    for r in twins:
        ax.annotate(r["model"], (r["weights"], r["bpb"]), textcoords="offset points",
                    xytext=(5, -12))
    for r in rows:
        if r["kind"].startswith("n-gram"):
            ax.axhline(r["bpb"], color="gray", lw=0.8, ls="--")
            ax.text(0.01, r["bpb"], r["model"], va="bottom", fontsize=8, color="gray",
                    transform=ax.get_yaxis_transform())
    ax.set_xscale("log")
    ax.set_xlabel("weights (nonzero ternary; all real for twins)")
    ax.set_ylabel("validation bits per byte")
    ax.set_title("trnn quality: deployed integer models vs baselines")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
