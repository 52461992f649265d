"""Plans for the cocotb benches: what the reference engine says the design must do.

A *plan* is JSON that a bench (:mod:`trnn.sim.core_bench`, :mod:`trnn.sim.board_bench`)
replays against the Verilog: the tokens to feed and the states and choices to expect (core),
or the frames to send and the bytes to expect back (board). Every expected value comes from
the PyTorch deploy engine (:class:`trnn.model.deploy.TorchEngine`); the benches compare with
``==``. Used by ``tests/test_cocotb.py`` and ``benchmarks/sim.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..model.deploy import TorchEngine
from ..model.generate import generate
from ..model.machine import Machine, pack_bits, seed_to_state
from .runner import run_bench
from .verilog import core_verilog, write_cached


def generation_case(engine, prompt: list[int], n: int, tq: int, seed: int) -> dict:
    """A case that reads EOT and ``prompt`` and then chooses ``n`` tokens at integer
    temperature ``tq`` with ``seed``: the feed, and every state (packed, :func:`pack_bits`)
    and choice the reference makes."""
    m = engine.m
    trace = generate(engine, prompt, n, tq=tq, seed=seed, stop_at_eot=False, record=True)
    feed = [[t, 0] for t in [m.eot_id, *prompt]]
    feed[-1][1] = 1
    feed += [[-1, 1]] * (n - 1)
    return {"tq": tq, "seed_state": seed_to_state(seed), "feed": feed,
            "states": [pack_bits(s) for s in trace.states], "choices": trace.tokens}


def stepping_case(engine, rng: np.random.Generator, steps: int) -> dict:
    """``steps`` random tokens without choices: checks the next-state logic step after
    step. The first token and the middle one are EOT, so the case starts from h0 whatever
    ran before and resets once more."""
    m = engine.m
    h = engine.initial_state()
    toks = [int(t) for t in rng.integers(0, m.V, steps)]
    toks[0] = toks[steps // 2] = m.eot_id
    states = []
    for t in toks:
        h = engine.step(h, t)
        states.append(pack_bits(np.asarray(h)))
    return {"tq": 0, "seed_state": 1, "feed": [[t, 0] for t in toks], "states": states,
            "choices": []}


def core_plan(m: Machine, seed: int, steps: int, tokens: tuple[int, int, int] = (8, 8, 5)
              ) -> dict:
    """The core bench's plan for machine ``m``: three generations (greedy, two temperatures;
    ``tokens`` chosen in each) and a stepping case of ``steps`` tokens, drawn from
    ``seed``."""
    engine = TorchEngine(m)
    rng = np.random.default_rng(seed)
    prompt = [int(t) for t in rng.integers(0, m.V, 3)]
    cases = [generation_case(engine, prompt, tokens[0], 0, 0),
             generation_case(engine, prompt, tokens[1], 450, seed + 1),
             generation_case(engine, [], tokens[2], 5000, seed + 2),
             stepping_case(engine, rng, steps)]
    from ..hdl.core import step_cycles
    # clock edges from acceptance to the new state (block-RAM readout, as core_verilog
    # builds the core)
    return {"token_bits": max(1, (m.V - 1).bit_length()), "cases": cases,
            "step_cycles": step_cycles("bram")}


def run_core(sim: str, m: Machine, the_plan: dict, tag: str, build: Path) -> int:
    """Run the core bench for ``m`` under simulator ``sim`` with ``the_plan``, building in
    ``build/<sim>-core-<tag>``; the number of failed tests (0: the core did exactly what the
    plan says)."""
    d = build / f"{sim}-core-{tag}"
    d.mkdir(parents=True, exist_ok=True)
    verilog = write_cached(core_verilog(m), build / "verilog", f"core-{tag}")
    (d / "plan.json").write_text(json.dumps(the_plan))
    return run_bench(sim, verilog, "trnn_core", "trnn.sim.core_bench",
                     d / verilog.stem, {"TRNN_PLAN": str(d / "plan.json")})


def board_plan(m: Machine, clock_ns: int = 10, baud: int = 5_000_000, timeout: int = 2000
               ) -> tuple[dict, int]:
    """The board bench's plan (line noise, a truncated frame, a bad CRC, an unknown command,
    a good request, a long one interrupted, and two frames back to back), every answer
    computed by the reference board (:class:`trnn.boards.host.RefBoard`) on PyTorch; and the
    clock in Hz. ``timeout`` is the frame timeout in cycles."""
    from ..boards.host import RefBoard
    from ..hdl import protospec as ps

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
