"""The core (state register, readout scan, sampler) against the golden reference."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from trnn.hdl.core import Core
from trnn.hdl.readout import readout_image
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, pack_bits, seed_to_state


def rtl_generate(m, prompt, n, tq, seed, adder="csa", readout="bram"):
    """Drive the core like the host does: read EOT and the prompt, then choose and feed back.
    With ``readout="spram"`` the readout image is streamed in first (the seed is loaded
    meanwhile, as the controller may do)."""
    dut = Core(m, adder=adder, readout=readout)
    out, states = [], []

    async def bench(ctx):
        ctx.set(dut.rng_load_value, seed_to_state(seed))
        ctx.set(dut.rng_load, 1)
        if readout == "spram":
            ctx.set(dut.load.valid, 1)
            for byte in readout_image(m):
                ctx.set(dut.load.payload, byte)
                await ctx.tick().until(dut.load.ready)
                ctx.set(dut.rng_load, 0)
            ctx.set(dut.load.valid, 0)
        await ctx.tick()
        ctx.set(dut.rng_load, 0)
        ctx.set(dut.tq, tq)
        feed = [m.eot_id, *prompt]
        for k in range(len(feed) + n - 1):
            tok = feed[k] if k < len(feed) else out[-1]
            choose = k >= len(feed) - 1
            ctx.set(dut.tokens_in.payload, {"token": tok, "choose": choose})
            ctx.set(dut.tokens_in.valid, 1)
            await ctx.tick().until(dut.tokens_in.ready)
            ctx.set(dut.tokens_in.valid, 0)
            await ctx.tick().repeat(dut.step_cycles)   # the embedding latches, the step
            states.append(ctx.get(dut.h))
            if choose:
                ctx.set(dut.choice.ready, 1)
                (tok_out,) = await ctx.tick().sample(dut.choice.payload).until(
                    dut.choice.valid)
                ctx.set(dut.choice.ready, 0)
                out.append(tok_out)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return out, states


@pytest.mark.parametrize("adder, readout", [("csa", "bram"), ("tree", "bram"),
                                            ("csa", "logic"), ("csa", "spram")])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("tq", [0, 300, 5000])
def test_rtl_generation_equals_ref(seed, tq, adder, readout):
    rng = np.random.default_rng(100 + seed)
    m = Machine.random(rng, V=int(rng.integers(3, 20)), E=int(rng.integers(1, 6)),
                       H=int(rng.integers(2, 16)), cell=("gated", "threshold")[seed % 2])
    prompt = [int(t) for t in rng.integers(0, m.V, 3)]
    ref = generate(NumpyEngine(m), prompt, 10, tq=tq, seed=seed, stop_at_eot=False,
                   record=True)
    got, states = rtl_generate(m, prompt, 10, tq, seed, adder, readout)
    assert got == ref.tokens
    want = [pack_bits(s) for s in ref.states]
    assert states == want


@pytest.mark.parametrize("H", [64, 70, 128])
@pytest.mark.parametrize("tq", [0, 5000])
def test_spram_readout_over_several_words_equals_ref(H, tq):
    # masks of one word exactly, of two words with a partial one, and of two full words
    rng = np.random.default_rng(H)
    m = Machine.random(rng, V=9, E=4, H=H, cell="gated")
    prompt = [int(t) for t in rng.integers(0, m.V, 3)]
    ref = generate(NumpyEngine(m), prompt, 8, tq=tq, seed=H, stop_at_eot=False, record=True)
    got, states = rtl_generate(m, prompt, 8, tq, H, readout="spram")
    assert got == ref.tokens
    assert states == [pack_bits(s) for s in ref.states]


@pytest.mark.parametrize("name", ["small", "large"])
def test_rtl_equals_ref_on_shipped_models(name):
    from trnn.models import shipped_path
    m = Machine.load(shipped_path(name))
    prompt = m.tokenizer.encode("Once upon a time")
    # the large machine scans 2,048 entries a token in Python's simulator (minutes): two
    # tokens here, many more in Verilator (tests/test_cocotb.py)
    n = 6 if name == "small" else 2
    for tq, seed in ((0, 0), (450, 5)):
        ref = generate(NumpyEngine(m), prompt, n, tq=tq, seed=seed, stop_at_eot=False,
                       record=True)
        got, states = rtl_generate(m, prompt, n, tq, seed)
        assert got == ref.tokens
        assert states == [pack_bits(s) for s in ref.states]
