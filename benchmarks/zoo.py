"""The models of the quality benchmark, and a script that trains the missing ones.

    python benchmarks/zoo.py [--only NAME ...]

Each entry is trained with ``trnn train`` flags; the ternary result is exported to
``benchmarks/models/NAME.trnn`` (the shipped ones to ``models/NAME.trnn``) and its float twin
is kept as a slim checkpoint ``benchmarks/models/NAME.twin.pt`` (weights, config, tokenizer,
history; no optimizer state). Checkpoints go to ``runs/`` and resume if interrupted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent

COMMON = ["--cell", "gated", "--tokenizer", "bpe", "--vocab-size", "512",
          "--val-every", "500", "--val-stories", "200"]
# the float twins are dense real-valued nets and train best at a higher rate; only the
# shipped shapes and large-2048 get one (CPU time), the large ones with fewer steps
TWIN = ["--lr", "0.1", "--bias-lr", "0.1"]
TWIN_STEPS = {"small": "600", "large": "500", "small-bpe512": "3000", "large-bpe512": "1500"}
# an entry's flags come after COMMON (a flag given twice: the later wins)
ZOO = {
    # name: (flags, shipped?) — in training order. The shipped "large" and "small" are
    # benchmarks/recipes.py's runs large/final and small/vocab-1024 (docs/training.md): the
    # same flags and seed, hence the same training. "large-bpe512" and "small-bpe512" are
    # the models shipped before them (BPE 512), kept for the comparison; "small-e48" is
    # recipes.py's small/final, whose tables need more of the UP5K's 30 block RAMs than
    # there are (nextpnr: no ICESTORM_RAM left).
    "large": (["--state-bits", "384", "--embed-bits", "64", "--fanin", "32",
               "--readout-fanin", "0", "--vocab-size", "2048", "--lr", "0.1",
               "--gate-noise", "0.5", "--steps", "1500", "--val-every", "250"], True),
    "small": (["--state-bits", "64", "--embed-bits", "48", "--fanin", "15",
               "--readout-fanin", "0", "--vocab-size", "1024", "--lr", "0.1",
               "--gate-noise", "0.5", "--steps", "600", "--val-every", "100"], True),
    "large-bpe512": (["--state-bits", "256", "--embed-bits", "32", "--fanin", "32",
                      "--readout-fanin", "32", "--steps", "3000"], False),
    "small-bpe512": (["--state-bits", "64", "--embed-bits", "16", "--fanin", "15",
                      "--readout-fanin", "0", "--steps", "2000"], False),
    "small-e48": (["--state-bits", "64", "--embed-bits", "48", "--fanin", "15",
                   "--readout-fanin", "0", "--lr", "0.1", "--gate-noise", "0.5", "--steps",
                   "3000", "--val-every", "250"], False),
    "medium": (["--state-bits", "128", "--embed-bits", "24", "--fanin", "24",
                "--readout-fanin", "24", "--steps", "1000"], False),
    "tiny": (["--state-bits", "32", "--embed-bits", "8", "--fanin", "8", "--readout-fanin",
              "0", "--steps", "1000"], False),
}

# how long each model and twin took to train, and where (the shipped models are recipes.py
# runs: their CPU time is in benchmarks/results/recipes.json; the BPE-512 models were trained
# before times were recorded)
TRAINING = {
    "large": {"model": "2,550 s CPU, 1,291 s wall (CPU, 2 threads)",
              "twin": "743 s wall (CPU, 1 thread, beside a place and route)"},
    "small": {"model": "1,309 s CPU, 1,617 s wall (CPU, 2 threads, beside a place and "
                       "route)",
              "twin": "204 s wall (CPU, 1 thread, beside a synthesis)"},
    "small-e48": {"model": "1,715 s CPU, 1,287 s wall (CPU, 2 threads)"},
    "large-bpe512": {"model": "not recorded", "twin": "not recorded"},
    "small-bpe512": {"model": "not recorded", "twin": "not recorded"},
}


def model_path(name: str) -> Path:
    shipped = ZOO[name][1]
    return (ROOT / "models" if shipped else ROOT / "benchmarks" / "models") / f"{name}.trnn"


def twin_path(name: str) -> Path:
    return ROOT / "benchmarks" / "models" / f"{name}.twin.pt"


def slim(ckpt: Path, out: Path) -> None:
    s = torch.load(ckpt, map_location="cpu", weights_only=False)
    torch.save({k: s[k] for k in ("config", "net", "tokenizer", "history")}, out)


def run(args: list[str]) -> None:
    print("+ trnn", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "trnn", *args], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(ZOO), help="train only these")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--part", choices=["all", "ternary", "twins"], default="all",
                    help="train only the ternary models or only the float twins")
    a = ap.parse_args()
    names = a.only or list(ZOO)
    runs = ROOT / "runs"
    for name in names if a.part != "twins" else []:  # ternary first: they are what ships
        flags = COMMON + ZOO[name][0] + ["--threads", a.threads, "--quiet"]
        if not model_path(name).exists():
            ck = runs / f"{name}.pt"
            run(["train", "--out", str(ck), "--resume", *flags])
            run(["export", str(ck), "-o", str(model_path(name))])
    for name in [n for n in names if n in TWIN_STEPS] if a.part != "ternary" else []:
        flags = (COMMON + ZOO[name][0] + TWIN + ["--steps", TWIN_STEPS[name]]
                 + ["--threads", a.threads, "--quiet"])
        if not twin_path(name).exists():
            ck = runs / f"{name}.twin.pt"
            run(["train", "--out", str(ck), "--resume", "--float-twin", *flags])
            twin_path(name).parent.mkdir(parents=True, exist_ok=True)
            slim(ck, twin_path(name))


if __name__ == "__main__":
    main()
