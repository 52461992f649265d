"""Every engine of the integer machine against the NumPy golden reference, compared with ==."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from trnn.model.deploy import TorchEngine
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.engine import Engine
from trnn.model.machine import (Machine, folded_bound, gumbel_table, pack_bits, prng_draws,
                                unpack_bits, xorshift32)
from trnn.model.net import ModelConfig, RecurrentLM, to_machine
from trnn.model.tokenizer import Tokenizer


def test_xorshift32_known_values():
    # Marsaglia (2003): from state 1 the sequence starts 270369, 67634689, 2647435461
    x, seq = 1, []
    for _ in range(3):
        x = xorshift32(x)
        seq.append(x)
    assert seq == [270369, 67634689, 2647435461]


def test_xorshift32_is_one_function_for_ints_and_tensors():
    # the same spelling on a torch tensor and a NumPy array gives the int sequence
    xs = [1, 270369, 2**32 - 1, 0x80000000]
    want = [xorshift32(x) for x in xs]
    assert xorshift32(torch.tensor(xs, dtype=torch.int64)).tolist() == want
    assert xorshift32(np.array(xs, dtype=np.int64)).tolist() == want
    r, last = prng_draws(1, 3)
    assert r.tolist() == [270369 >> 24, 67634689 >> 24, 2647435461 >> 24] and last == 2647435461


def test_pack_bits_order_and_inverse():
    assert pack_bits([1, 0, 1, 1]) == 0b1101
    assert pack_bits(np.array([True, False])) == 1 and pack_bits([]) == 0
    assert unpack_bits(0b1101, 6).tolist() == [1, 0, 1, 1, 0, 0]
    assert pack_bits(unpack_bits(0xDEADBEEF, 32)) == 0xDEADBEEF


def test_folded_forms_equal_the_weighted_sums():
    rng = np.random.default_rng(5)
    m = Machine.random(rng, V=9, E=3, H=7, density=0.6)
    x = rng.integers(0, 2, (200, m.H + m.E))
    for g in m.gates:
        w = m.W[g].astype(np.int64)
        folded = np.where(w > 0, x[:, None, :], 0).sum(-1) + np.where(
            w < 0, 1 - x[:, None, :], 0).sum(-1)
        assert np.array_equal(x @ w.T >= m.theta[g], folded >= m.folded_bounds(g))
        assert np.array_equal(m.folded_bounds(g), folded_bound(m.W[g], m.theta[g]))
    h = x[:, :m.H]
    R = m.R.astype(np.int64)
    terms = np.where(R > 0, h[:, None, :], 0).sum(-1) + np.where(R < 0, 1 - h[:, None, :], 0).sum(-1)
    assert np.array_equal(h @ R.T + m.c, terms + m.readout_offsets())
    plus, minus = zip(*m.readout_masks())
    assert list(plus) == [pack_bits(r > 0) for r in m.R]
    assert list(minus) == [pack_bits(r < 0) for r in m.R]


def test_engines_satisfy_the_protocol():
    m = Machine.random(np.random.default_rng(0))
    assert isinstance(NumpyEngine(m), Engine) and isinstance(TorchEngine(m), Engine)
    assert not isinstance(object(), Engine)


def test_gumbel_table_endpoints():
    g = gumbel_table()
    assert g.shape == (256,) and g[0] == -469 and g[255] == 1597
    assert np.all(np.diff(g) >= 0)


machines = st.builds(
    lambda seed, V, E, H, cell, density: Machine.random(
        np.random.default_rng(seed), V=V, E=E, H=H, cell=cell, density=density),
    seed=st.integers(0, 2**32 - 1), V=st.integers(2, 40), E=st.integers(1, 12),
    H=st.integers(1, 40), cell=st.sampled_from(["gated", "threshold"]),
    density=st.floats(0.05, 0.9))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=machines, data=st.data())
def test_numpy_equals_torch_on_random_models(m, data):
    """States, scores and chosen tokens agree exactly, greedy and sampled."""
    npe, te = NumpyEngine(m), TorchEngine(m)
    toks = data.draw(st.lists(st.integers(0, m.V - 1), min_size=1, max_size=30))
    h, th = npe.initial_state(), te.initial_state()
    for t in toks:
        h, th = npe.step(h, t), te.step(th, t)
        assert np.array_equal(h, th.numpy().astype(np.uint8))
        assert np.array_equal(npe.scores(h), te.scores(th).numpy())
    tq = data.draw(st.sampled_from([0, 1, 37, 256, 5000, 65535]))
    seed = data.draw(st.integers(0, 2**32 - 2))
    a = generate(npe, toks, 12, tq=tq, seed=seed, record=True, stop_at_eot=False)
    b = generate(te, toks, 12, tq=tq, seed=seed, record=True, stop_at_eot=False)
    assert a.tokens == b.tokens
    assert all(np.array_equal(x, y) for x, y in zip(a.states, b.states))
    assert all(np.array_equal(x, y) for x, y in zip(a.scores, b.scores))


def test_batched_step_equals_single_step():
    m = Machine.random(np.random.default_rng(5), V=30, H=20)
    eng = NumpyEngine(m)
    rng = np.random.default_rng(6)
    toks = rng.integers(0, m.V, size=(4, 25))
    hb = eng.initial_state(4)
    hs = [eng.initial_state() for _ in range(4)]
    for t in range(25):
        hb = eng.step(hb, toks[:, t])
        hs = [eng.step(h, toks[i, t]) for i, h in enumerate(hs)]
        assert np.array_equal(hb, np.stack(hs))


def test_eot_resets_to_h0():
    m = Machine.random(np.random.default_rng(7))
    eng = NumpyEngine(m)
    h = eng.step(eng.initial_state(), 3)
    h = eng.step(h, 4)
    assert np.array_equal(eng.step(h, m.eot_id), eng.step(m.h0, m.eot_id))


def test_sampling_uses_noise_and_seed():
    m = Machine.random(np.random.default_rng(8), V=30)
    eng = NumpyEngine(m)
    runs = {tuple(generate(eng, [1, 2], 20, tq=2000, seed=s, stop_at_eot=False).tokens)
            for s in range(5)}
    assert len(runs) > 1                       # different seeds, different text
    again = generate(eng, [1, 2], 20, tq=2000, seed=3, stop_at_eot=False).tokens
    assert tuple(again) in runs


def test_greedy_ties_pick_lowest_id():
    m = Machine.random(np.random.default_rng(9), V=6)
    for eng in (NumpyEngine(m), TorchEngine(m)):
        assert eng.choose(np.array([1, 5, 2, 5, 5, 0]), 1, 0) == (1, 1)
        assert eng.choose(np.array([7, 7, 7, 7, 7, 7]), 9, 0)[0] == 0


@pytest.mark.parametrize("cell", ["gated", "threshold"])
def test_quantised_network_computes_the_exported_machine(cell):
    """The training network's forward pass is the integer machine (scores × β)."""
    torch.manual_seed(0)
    tok = Tokenizer.bytes()
    net = RecurrentLM(ModelConfig(cell=cell, state_bits=24, embed_bits=8, fanin=9,
                                  readout_fanin=10), tok.vocab_size, tok.eot_id)
    with torch.no_grad():
        net.b.normal_(0, 2)
        net.c.normal_(0, 3)
    m = to_machine(net, tok)
    ids = torch.randint(0, 257, (3, 50))
    ids[:, 0] = tok.eot_id
    ids[1, 20] = tok.eot_id
    with torch.no_grad():
        states = net.states(ids)
        net_scores = net.scores(states).numpy()
    net_bits = ((states.numpy() + 1) / 2)
    eng = NumpyEngine(m)
    h = eng.initial_state(3)
    for t in range(50):
        h = eng.step(h, ids[:, t].numpy())
        assert np.array_equal(net_bits[:, t], h)        # float 0.0/1.0 == uint8 0/1
        assert np.array_equal(net_scores[:, t], eng.scores(h))
    assert (m.W["cand"] != 0).sum(axis=1).max() <= 9
    assert (m.R != 0).sum(axis=1).max() <= 10
