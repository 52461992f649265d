#!/usr/bin/env python3
"""Check that every engine runs a model file bit for bit the same (docs/machine.md).

    .venv/bin/python scripts/check_engines.py MODEL [--tokens N] [--rtl-tokens N] [--no-verilator]

Compares with ``==`` against the NumPy golden reference: the PyTorch deploy engine (states,
scores and tokens of ``--tokens`` generated tokens, greedy and two sampled seeds), the
Amaranth core in Amaranth's simulator (``--rtl-tokens`` tokens: Python simulation is slow for
large V) and the core's Verilog in Verilator through the cocotb bench (the tests' plan of
choices and steps). Prints one line per engine and exits 1 at the first difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))   # the RTL driver the tests use

from trnn.model.deploy import TorchEngine  # noqa: E402
from trnn.model.generate import generate  # noqa: E402
from trnn.model.golden import NumpyEngine  # noqa: E402
from trnn.model.machine import Machine, pack_bits  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--prompt", default="Once upon a time")
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--rtl-tokens", type=int, default=2)
    ap.add_argument("--no-verilator", action="store_true")
    a = ap.parse_args()
    m = Machine.load(a.model)
    prompt = m.tokenizer.encode(a.prompt)
    ok = True
    for tq, seed in ((0, 0), (450, 5), (900, 77)):
        t0 = time.time()
        ref = generate(NumpyEngine(m), prompt, a.tokens, tq, seed, stop_at_eot=False,
                       record=True)
        got = generate(TorchEngine(m), prompt, a.tokens, tq, seed, stop_at_eot=False,
                       record=True)
        same = (got.tokens == ref.tokens
                and all(np.array_equal(x, y) for x, y in zip(got.states, ref.states))
                and all(np.array_equal(x, y) for x, y in zip(got.scores, ref.scores)))
        print(f"torch deploy, t_q {tq}, seed {seed}: {len(ref.tokens)} tokens, "
              f"{len(ref.states)} states and score vectors: {'equal' if same else 'DIFFERENT'}"
              f"  [{time.time() - t0:.1f} s]", flush=True)
        ok &= same
    from test_hdl_core import rtl_generate
    for tq, seed in ((0, 0), (450, 5)):
        t0 = time.time()
        ref = generate(NumpyEngine(m), prompt, a.rtl_tokens, tq, seed, stop_at_eot=False,
                       record=True)
        toks, states = rtl_generate(m, prompt, a.rtl_tokens, tq, seed)
        same = toks == ref.tokens and states == [pack_bits(s) for s in ref.states]
        print(f"Amaranth core (pysim), t_q {tq}, seed {seed}: {len(toks)} tokens, "
              f"{len(states)} states: {'equal' if same else 'DIFFERENT'}  "
              f"[{time.time() - t0:.1f} s]", flush=True)
        ok &= same
    if not a.no_verilator:
        from trnn.sim import plans
        t0 = time.time()
        the_plan = plans.core_plan(m, 1, 2000, (3, 2, 2))
        n = sum(len(c["states"]) for c in the_plan["cases"])
        rc = plans.run_core("verilator", m, the_plan, f"check-{m.fingerprint():08x}",
                            ROOT / "build" / "sim")
        print(f"Verilog core (cocotb + Verilator) against torch: {n} states, "
              f"{'equal' if rc == 0 else 'DIFFERENT'}  [{time.time() - t0:.1f} s]", flush=True)
        ok &= rc == 0
    print("all engines equal" if ok else "ENGINES DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
