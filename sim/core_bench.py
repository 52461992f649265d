"""cocotb bench of the core's generated Verilog (top ``trnn_core``).

Loaded by the cocotb runner (see :mod:`trnn.sim.runner`), not by pytest. The expected values
come from the PyTorch deploy engine, computed by the test that starts the simulation and
passed in the JSON file named by ``TRNN_PLAN``:

``{"cases": [{"tq": int, "seed_state": int, "feed": [[token, choose], ...],
             "states": [int, ...], "choices": [int, ...]}, ...]}``

``feed`` lists the tokens given to the core; a token of -1 means "the token the core chose
last". ``states`` is the state register after each fed token (bit i of the int = h[i]),
``choices`` the tokens chosen, in order.
"""

import json
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge


@cocotb.test()
async def core_equals_reference(dut):
    """The core bench: feed the tokens of every case of the plan in ``$TRNN_PLAN``
    (:func:`trnn.sim.plans.core_plan`) and compare each state and choice with the reference's,
    with ``==``."""
    with open(os.environ["TRNN_PLAN"]) as f:
        plan = json.load(f)
    Clock(dut.clk, 10, unit="ns").start()
    dut.rst.value = 1
    dut.tokens_in__valid.value = 0
    dut.choice__ready.value = 1               # the bench takes every choice at once
    dut.rng_load.value = 0
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    checked = 0
    for n, case in enumerate(plan["cases"]):
        dut.tq.value = case["tq"]
        dut.rng_load_value.value = case["seed_state"]
        dut.rng_load.value = 1
        await RisingEdge(dut.clk)
        dut.rng_load.value = 0
        states, choices = iter(case["states"]), iter(case["choices"])
        last = None
        for step, (tok, choose) in enumerate(case["feed"]):
            # writable phase, just after a rising edge
            token = last if tok < 0 else tok
            dut.tokens_in__payload.value = token | (int(choose) << plan["token_bits"])
            dut.tokens_in__valid.value = 1
            await ReadOnly()
            while not int(dut.tokens_in__ready.value):
                await RisingEdge(dut.clk)
                await ReadOnly()
            await RisingEdge(dut.clk)          # the accepting edge
            dut.tokens_in__valid.value = 0
            for _ in range(plan["step_cycles"] - 1):
                await RisingEdge(dut.clk)      # the latch edges: the embedding is registered
            await RisingEdge(dut.clk)          # the step edge: h holds the new state
            await ReadOnly()
            want = next(states)
            got = int(dut.h.value)
            assert got == want, f"case {n} step {step}: state {got:#x} != reference {want:#x}"
            checked += 1
            if choose:
                while not int(dut.choice__valid.value):
                    await RisingEdge(dut.clk)
                    await ReadOnly()
                last = int(dut.choice__payload.value)
                want = next(choices)
                assert last == want, f"case {n} step {step}: chose {last}, reference {want}"
            await RisingEdge(dut.clk)          # (takes the choice, if one was offered)
    dut._log.info("checked %d steps against the PyTorch reference", checked)
    assert checked == sum(len(c["states"]) for c in plan["cases"])
