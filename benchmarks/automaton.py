"""The known-automaton check, harder: which automata training recovers.

    python benchmarks/automaton.py [--task sum|depth ...] [--p 3 4 5] [--bounds 2 3 4]
                                   [--seeds 0 1] [--only NAME ...]

Trains ``trnn logic automaton``'s tasks (:mod:`trnn.logic.automaton`) — the running sum mod p
(``--task sum``, for each ``--p``) and the bracket depth up to D (``--task depth``, for each
``--bounds`` D) — for each recipe and seed, and records whether the minimal Moore machine of
the exported machine IS the task's automaton, the share of positions right on held-out
sequences, the raw and minimal state counts, the steps and the CPU time. Every run is kept in
``benchmarks/results/automaton.json`` (keys ``p3/default/seed0``, ``depth3/default/seed0``)
and the tables of ``automaton.md`` (negative results included); runs already there are not
repeated.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from trnn.logic.automaton import BracketDepthTask, SumModTask, counterexample, report
from trnn.logic.fsm import minimise_graph, reachable_graph

RESULTS = Path(__file__).resolve().parent / "results"

# name: (what, overrides of TrainConfig)
RECIPES = {
    "default": ("H 16, lr 0.03, no noise (the automaton defaults)", {}),
    "lm-recipe": ("H 16, lr 0.1, stochastic binary units 0.5 (the language models' recipe)",
                  {"lr": 0.1, "gate_noise": 0.5}),
    "noise": ("H 16, lr 0.03, stochastic binary units 0.5", {"gate_noise": 0.5}),
    "lr-0.1": ("H 16, lr 0.1, no noise", {"lr": 0.1}),
    "h32-noise": ("H 32, E 8, lr 0.03, noise 0.5, 4,000 steps",
                  {"state_bits": 32, "gate_noise": 0.5, "steps": 4000}),
    "h32-noise-long-seq": ("H 32, lr 0.03, noise 0.5, sequences of 32, 4,000 steps",
                           {"state_bits": 32, "gate_noise": 0.5, "steps": 4000,
                            "seq_len": 32}),
}


def _row(r: dict, first: str, more: bool = False) -> str:
    """One table row; ``more``: with the share of sequences right and the shortest wrong
    input (recorded for the depth runs)."""
    seqs = f" {100 * r['sequences_right']:.0f}% |" if more else ""
    row = (f"| {first} | `{r['recipe']}` | {RECIPES.get(r['recipe'], ('',))[0]} | "
           f"{r['seed']} | {'**yes**' if r['isomorphic'] else 'no'} |{seqs} "
           f"{100 * r['positions_right']:.2f}% | {r['raw_states'] or '–'} | "
           f"{r['minimal_states'] or '–'} | {r['steps']} | {r['cpu_s']} |")
    if more:
        w = r.get("shortest_wrong_input")
        row += (" – |" if w is None else
                f" `{w[:24]}{'…' if len(w) > 24 else ''}` ({len(w)}) |")
    return row


def _shortest_wrong(rep, task) -> str | None:
    """The shortest input after EOT on which the machine's greedy output is wrong, as text
    (``None``: none, or the states were not extracted)."""
    if rep.raw_states is None or rep.isomorphic:
        return None
    w = counterexample(minimise_graph(reachable_graph(rep.machine, max_states=rep.raw_states)),
                       task)
    return task.tokenizer().decode(w).decode()


def _order(r: dict) -> tuple:
    return (r.get("bound", r.get("p")), list(RECIPES).index(r["recipe"])
            if r["recipe"] in RECIPES else 99, r["seed"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", nargs="+", choices=["sum", "depth"], default=["sum"],
                    help="which tasks to run (default sum)")
    ap.add_argument("--p", type=int, nargs="+", default=[3, 4, 5],
                    help="moduli of the sum task (default 3 4 5)")
    ap.add_argument("--bounds", type=int, nargs="+", default=[2, 3, 4],
                    help="bounds D of the depth task (default 2 3 4)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--only", nargs="+", choices=list(RECIPES))
    a = ap.parse_args()
    path = RESULTS / "automaton.json"
    runs = json.loads(path.read_text()) if path.exists() else {}
    jobs = [(f"p{p}", SumModTask(p), {"p": p}) for p in a.p if "sum" in a.task]
    jobs += [(f"depth{d}", BracketDepthTask(d), {"bound": d}) for d in a.bounds
             if "depth" in a.task]
    for prefix, task, fields in jobs:
        for name in a.only or RECIPES:
            for seed in a.seeds:
                key = f"{prefix}/{name}/seed{seed}"
                if key in runs:
                    continue
                t0 = time.process_time()
                rep = report(task=task, seed=seed, **RECIPES[name][1])
                cpu = round(time.process_time() - t0, 1)
                m = rep.machine.meta
                runs[key] = {"task": task.name, **fields, "recipe": name, "seed": seed,
                             "isomorphic": bool(rep.isomorphic),
                             "sequences_right": round(rep.accuracy, 4),
                             "positions_right": round(rep.token_accuracy, 4),
                             "raw_states": rep.raw_states,
                             "minimal_states": rep.minimal_states,
                             "steps": rep.train_steps, "exact_at": m.get("exact_at_step"),
                             "cpu_s": cpu, "machine": platform.machine(),
                             "shortest_wrong_input": _shortest_wrong(rep, task)}
                print(key, runs[key], flush=True)
                RESULTS.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(runs, indent=1) + "\n")
    head = ["| {} | recipe | what | seed | recovered | positions | reachable states | "
            "minimal states | steps | CPU s |",
            "|---:|---|---|---:|---|---:|---:|---:|---:|---:|"]
    head_more = ["| D | recipe | what | seed | recovered | sequences | positions | "
                 "reachable states | minimal states | steps | CPU s | shortest wrong input |",
                 "|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    sums = sorted((r for r in runs.values() if "bound" not in r), key=_order)
    depths = sorted((r for r in runs.values() if "bound" in r), key=_order)
    lines = ["# The known-automaton check", "",
             "`python benchmarks/automaton.py`: tasks with a known automaton "
             "(`trnn logic automaton`), gated cell, E 8, fan-in 8, 2,000 steps unless said, "
             "stopping early once the exported machine is exact on a check set (256 sequences "
             "of length 64). *recovered*: the minimal Moore machine of the states reachable "
             "from h0 IS the task's automaton. *positions*: share of positions whose greedy "
             "output is right on 100 held-out sequences of length 200. *reachable states*: of "
             "the exported machine from h0 (–: more than 65,536, not extracted). Every run, "
             "negative results included.", "",
             "## Running sum of digits mod p", "",
             "`--task sum`: digits 0..p−1 add, EOT resets; the output is the sum mod p.", "",
             head[0].format("p"), head[1]]
    lines += [_row(r, str(r["p"])) for r in sums]
    if depths:
        lines += ["", "## Bracket depth up to D", "",
                  "`--task depth`: `(` adds 1 up to D (saturating), `)` takes 1 down to 0, the "
                  "digits 0..D leave the depth as it is, EOT resets; the output is the depth as "
                  "a digit (D + 1 states). Training and held-out sequences: `(` and `)` with "
                  "probability 0.4 each, a uniform digit 0.2. *sequences*: share of the 100 "
                  "held-out sequences right at every position. *shortest wrong input*: when "
                  "not recovered, the first input after EOT (shortest, then in token order) "
                  "on which the greedy output is wrong, found on the minimal machine, and its "
                  "length. CPU s: training and analysis, not this search.", "",
                  *head_more]
        lines += [_row(r, str(r["bound"]), more=True) for r in depths]
    (RESULTS / "automaton.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
