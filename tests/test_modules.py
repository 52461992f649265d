"""A state trained as modules: the block-sparse fan-in mask, and a trained modular machine that
splits into its modules and still runs bit for bit the same on every engine."""

import numpy as np
import pytest
import torch

from test_hdl_core import rtl_generate
from trnn.logic.depgraph import dependency_graph
from trnn.main import main
from trnn.model.deploy import TorchEngine
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine
from trnn.model.net import ModelConfig, module_masks, module_of, ternarize


def test_module_masks():
    own, cross = module_masks(3, 7, 2, 2)
    assert own.shape == cross.shape == (14, 9)
    mod = [module_of(i, 3, 7) for i in range(7)]
    assert mod == [0, 0, 0, 1, 1, 2, 2]
    for r in range(14):
        i = r % 7
        for j in range(7):
            assert own[r, j] == (mod[i] == mod[j]) and cross[r, j] == (mod[i] != mod[j])
        assert own[r, 7:].all() and not cross[r, 7:].any()


@pytest.mark.parametrize("k", [0, 1, 3])
def test_ternarize_keeps_to_the_modules(k):
    torch.manual_seed(0)
    H, E, M = 12, 4, 4
    masks = module_masks(M, H, E, 1)
    w = torch.randn(H, H + E)
    q = ternarize(w, fanin=6, sparsity=0.0, masks=masks, cross_fanin=k)
    own, cross = masks
    assert not (q[~(own | cross)] != 0).any()
    assert ((q != 0) & cross).sum(dim=1).max() <= k
    assert ((q != 0).sum(dim=1) <= 6).all()
    if k:   # the cross inputs kept are the largest latent ones of their row
        r = 0
        kept = ((q[r] != 0) & cross[r]).nonzero().flatten().tolist()
        best = (w[r].abs() * cross[r]).topk(k).indices.tolist()
        assert set(kept) <= set(best)


def test_config_checks_modules():
    with pytest.raises(ValueError, match="modules"):
        ModelConfig(state_bits=8, modules=9).validate()
    with pytest.raises(ValueError, match="cross_fanin"):
        ModelConfig(state_bits=8, modules=2, cross_fanin=-1).validate()


@pytest.fixture(scope="module")
def modular(tiny_data, tmp_path_factory):
    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("modular")
    ck, mf = d / "m.pt", d / "m.trnn"
    assert main(["train", "--out", str(ck), "--data", str(tiny_data), "--state-bits", "16",
                 "--embed-bits", "6", "--fanin", "6", "--modules", "4", "--steps", "20",
                 "--batch", "8", "--seq-len", "16", "--val-every", "10", "--val-stories",
                 "5", "--quiet"]) == 0
    assert main(["export", str(ck), "-o", str(mf)]) == 0
    return Machine.load(mf)


def test_trained_modules_split(modular):
    m = modular
    g = dependency_graph(m)
    assert len(g.components) >= 4
    for comp in g.components:   # every component lies inside one module
        assert len({module_of(i, 4, m.H) for i in comp}) == 1
    for gate in m.gates:
        for i in range(m.H):
            for j in np.flatnonzero(m.W[gate][i][:m.H]):
                assert module_of(int(j), 4, m.H) == module_of(i, 4, m.H)
    assert m.meta["train_config"]["model"]["modules"] == 4


def test_trained_modules_run_the_same_on_every_engine(modular):
    m = modular
    prompt = m.tokenizer.encode("The cat")
    ref = generate(NumpyEngine(m), prompt, 6, tq=300, seed=5, record=True, stop_at_eot=False)
    dep = generate(TorchEngine(m), prompt, 6, tq=300, seed=5, record=True, stop_at_eot=False)
    assert dep.tokens == ref.tokens
    assert all(np.array_equal(a, b) for a, b in zip(dep.states, ref.states))
    toks, states = rtl_generate(m, prompt, 6, 300, 5)
    assert toks == ref.tokens
    packed = [int("".join(str(int(b)) for b in s[::-1]), 2) for s in ref.states]
    assert states == packed[:len(states)]


def test_the_modular_large_splits_into_its_modules():
    """benchmarks/models/large-modules-4.trnn (the shipped large recipe, 4 modules, 300 steps;
    benchmarks/recipes.py): four components of 96 bits, cyclic, and NumPy equals PyTorch."""
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "models" / \
        "large-modules-4.trnn"
    m = Machine.load(path)
    g = dependency_graph(m)
    assert sorted(len(c) for c in g.components) == [96] * 4
    assert sorted(len(c) for c in g.cyclic_sccs) == [96] * 4
    assert [sorted(c) for c in sorted(g.components)] == [list(range(k * 96, (k + 1) * 96))
                                                         for k in range(4)]
    prompt = m.tokenizer.encode("Once upon a time")
    ref = generate(NumpyEngine(m), prompt, 12, tq=450, seed=3, record=True, stop_at_eot=False)
    dep = generate(TorchEngine(m), prompt, 12, tq=450, seed=3, record=True, stop_at_eot=False)
    assert dep.tokens == ref.tokens
    assert all(np.array_equal(a, b) for a, b in zip(dep.states, ref.states))
