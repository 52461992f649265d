"""Training speed: tokens per second of the shipped shapes' training step on this machine.

One step is what ``trnn train`` does per step (forward over ``batch`` rows of ``seq_len``
tokens, cross-entropy, backward, gradient clipping, Adam, clamping; ``trnn.model.loop``), on
random tokens of the shape's vocabulary (the data does not change the cost). Each
configuration runs ``--warmup`` steps, then is timed over ``--steps`` steps (wall clock).
Configurations: one process with 1 and with 2 torch threads, and, with ``--ddp``, 2
data-parallel processes of 1 thread each under ``torchrun`` (gloo; each reads half the
batch). Results: ``benchmarks/results/train_speed.{md,json}``.

    python benchmarks/train_speed.py [--shapes small large] [--steps 10] [--ddp]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from trnn.model.distributed import join
from trnn.model.loop import adam, optimise
from trnn.model.net import ModelConfig, RecurrentLM

RESULTS = Path(__file__).resolve().parent / "results"
# the shipped shapes (benchmarks/zoo.py) and those shipped before them, each with its
# vocabulary, and the recipe's batch
SHAPES = {"small": (dict(state_bits=64, embed_bits=48, fanin=15, readout_fanin=0), 1024),
          "large": (dict(state_bits=384, embed_bits=64, fanin=32, readout_fanin=0), 2048),
          "small-bpe512": (dict(state_bits=64, embed_bits=16, fanin=15, readout_fanin=0), 512),
          "large-bpe512": (dict(state_bits=256, embed_bits=32, fanin=32, readout_fanin=32),
                           512)}
BATCH, SEQ_LEN = 64, 128


def time_steps(shape: str, steps: int, warmup: int) -> float:
    """Tokens per second (whole batch, all processes) of ``steps`` timed training steps of
    ``shape`` after ``warmup`` untimed ones, in this process (and its data-parallel peers
    when started by torchrun)."""
    group, _ = join(torch.device("cpu"))
    torch.manual_seed(0)
    config, VOCAB = SHAPES[shape]
    net = RecurrentLM(ModelConfig(**config), VOCAB, VOCAB - 1)
    group.broadcast_(net)
    opt, lrs = adam(net, 0.03, 0.03)
    rows = BATCH // group.world
    data = torch.randint(0, VOCAB, (rows, SEQ_LEN + 1), generator=torch.Generator().manual_seed(
        1 + group.rank))

    def loss_of(_):
        logits, _ = net(data[:, :-1])
        return F.cross_entropy(logits.reshape(-1, VOCAB), data[:, 1:].reshape(-1))

    def sync():
        group.average_grads(net)
    optimise(net, opt, lrs, loss_of, step=0, steps=warmup, warmup=1, after_backward=sync)
    t0 = time.perf_counter()
    optimise(net, opt, lrs, loss_of, step=0, steps=steps, warmup=1, after_backward=sync)
    dt = group.mean(time.perf_counter() - t0)
    group.close()
    return BATCH * SEQ_LEN * steps / dt


def measure(shape: str, steps: int, warmup: int, threads: int, processes: int) -> float:
    """Tokens per second of one configuration, measured in fresh processes (a process that
    changes its torch thread count after running is not what a training run sees): one plain
    process with ``threads`` threads, or ``processes`` data-parallel ones under torchrun."""
    out = RESULTS / f".speed-{shape}.json"
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    worker = [__file__, "--worker", shape, "--steps", str(steps), "--warmup", str(warmup),
              "--threads", str(threads), "--worker-out", str(out)]
    if processes > 1:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(processes), *worker]
    else:
        cmd = [sys.executable, *worker]
    subprocess.run(cmd, check=True, env=env)
    tps = json.loads(out.read_text())["tokens_per_s"]
    out.unlink()
    return tps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    ap.add_argument("--steps", type=int, default=10, help="timed steps per configuration")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    ap.add_argument("--ddp", action="store_true", help="also 2 processes under torchrun")
    ap.add_argument("--worker", choices=list(SHAPES), help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:                               # one measuring process
        torch.set_num_threads(a.threads)
        tps = time_steps(a.worker, a.steps, a.warmup)
        if int(os.environ.get("RANK", "0")) == 0:
            Path(a.worker_out).write_text(json.dumps({"tokens_per_s": tps}))
        return
    rows = []
    for shape in a.shapes:
        configs = [(1, 1, "1 process, 1 thread"), (2, 1, "1 process, 2 threads")]
        if a.ddp:
            configs.append((1, 2, "2 processes (torchrun, gloo), 1 thread each"))
        for threads, processes, what in configs:
            tps = measure(shape, a.steps, a.warmup, threads, processes)
            rows.append({"shape": shape, "config": what, "tokens_per_s": round(tps)})
            print(rows[-1], flush=True)
    info = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "torch": torch.__version__,
            "batch": BATCH, "seq_len": SEQ_LEN, "steps": a.steps, "warmup": a.warmup}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "train_speed.json").write_text(json.dumps({"info": info, "rows": rows},
                                                         indent=1) + "\n")
    lines = ["# Training speed", "",
             f"`python benchmarks/train_speed.py --ddp`: tokens per second of one training step "
             f"(forward, cross-entropy, backward, clipping, Adam) of each shipped shape on random "
             f"tokens of its vocabulary, batch {BATCH} x {SEQ_LEN} tokens; {a.steps} steps timed "
             f"after {a.warmup}. Machine: {info['machine']}; torch {torch.__version__}. The "
             f"`-bpe512` shapes are those shipped before (benchmarks/zoo.py). Bytes per second "
             f"follow from the vocabulary's bytes per token on the validation text (BPE 512: "
             f"2.4, 1,024: 3.1, 2,048: 3.7; benchmarks/results/quality.md).", "",
             "| shape | vocabulary | configuration | tokens/s |", "|---|---:|---|---:|"]
    lines += [f"| {r['shape']} | {SHAPES[r['shape']][1]:,} | {r['config']} | "
              f"{r['tokens_per_s']:,} |" for r in rows]
    (RESULTS / "train_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
