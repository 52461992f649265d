"""A known machine, recovered (trnn.logic.automaton, with trnn.logic.fsm): state graphs,
minimisation, isomorphism, and the end-to-end run — train on the running sum mod p, export, extract the reachable states,
minimise, and find exactly the p-state counter."""

from __future__ import annotations

import numpy as np
import pytest

from trnn.logic.automaton import (AutomatonError, analyse, construct_sum_mod, matches_mod_p,
                                  mod_p_isomorphism, report, sum_mod_task, train_sum_mod)
from trnn.logic.fsm import (MinimalMachine, greedy_outputs, isomorphism, minimise,
                            minimise_graph, reachable_graph, start_state)
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine


def mod_p_table(p: int) -> tuple[np.ndarray, np.ndarray]:
    """The running-sum automaton written out by hand: tokens 0..p-1 add, token p resets."""
    delta = np.array([[(r + d) % p for d in range(p)] + [0] for r in range(p)])
    return delta, np.arange(p)


def run_moore(delta, output, start, tokens):
    s, out = start, []
    for t in tokens:
        s = delta[s][t]
        out.append(output[s])
    return out


# -- the task ------------------------------------------------------------------------------------
def test_task_targets_and_tokenizer():
    task = sum_mod_task(5)
    assert task.vocab_size == 6 and task.eot_id == 5
    tok = task.tokenizer()
    assert tok.kind == "ids" and tok.vocab_size == 6 and tok.eot_id == 5
    assert tok.decode([1, 2, 3]) == b"123"
    x = np.array([[5, 1, 2, 3, 4, 5, 4, 4]])
    assert task.targets(x).tolist() == [[0, 1, 3, 1, 0, 0, 4, 3]]
    x, y = task.sample(np.random.default_rng(0), 8, 30, eot_prob=0.1)
    assert (x[:, 0] == 5).all() and x.max() <= 5 and (x == 5).sum() > 8
    assert (y == task.targets(x)).all() and (y[x == 5] == 0).all()
    with pytest.raises(ValueError):
        sum_mod_task(1)


# -- minimisation on hand-made Moore machines ----------------------------------------------------
@pytest.mark.parametrize("p", [2, 3, 5, 7])
def test_reference_table_is_the_task_automaton(p):
    delta, output = mod_p_table(p)
    ref = sum_mod_task(p).automaton()
    assert (ref.delta == delta).all() and (ref.output == output).all()
    mm = minimise(delta, output, 0)
    assert mm.n_states == p and (mm.delta == delta).all()     # already minimal, canonical
    assert mod_p_isomorphism(mm, p).tolist() == list(range(p))


def test_redundant_machine_minimises_to_known_size():
    # mod 3 with a parity bit of the length carried along: 6 states (r, b) -> 3
    p = 3
    idx = {(r, b): 2 * r + b for r in range(p) for b in range(2)}
    delta = np.zeros((6, p + 1), dtype=int)
    output = np.zeros(6, dtype=int)
    for (r, b), i in idx.items():
        output[i] = r
        for d in range(p):
            delta[i, d] = idx[((r + d) % p, 1 - b)]
        delta[i, p] = idx[(0, 0)]
    mm = minimise(delta, output, idx[(0, 0)])
    assert mm.n_states == 3
    assert mm.block_sizes.tolist() == [2, 2, 2]
    for (r, b), i in idx.items():   # both copies of a residue land in the same block
        assert mm.block_of[i] == mm.block_of[idx[(r, 0)]]
    assert matches_mod_p(mm, 3)
    assert not matches_mod_p(mm, 2) and not matches_mod_p(mm, 4)


def test_counter_with_coarse_output():
    # one "tick" token on a 6-cycle whose output is the count mod 3: minimal machine has 3
    delta = np.array([[(s + 1) % 6] for s in range(6)])
    output = np.arange(6) % 3
    mm = minimise(delta, output, 0)
    assert mm.n_states == 3 and mm.delta[:, 0].tolist() == [1, 2, 0]
    # output mod 2 and mod 3 together: nothing merges
    assert minimise(delta, np.arange(6), 0).n_states == 6
    # the constant output merges everything
    assert minimise(delta, np.zeros(6, dtype=int), 0).n_states == 1


def test_unreachable_states_are_dropped_and_numbering_is_canonical():
    p = 5
    delta, output = mod_p_table(p)
    rng = np.random.default_rng(3)
    perm = rng.permutation(p + 2)                 # 2 extra states, never reached
    big = np.zeros((p + 2, p + 1), dtype=int)
    out = np.zeros(p + 2, dtype=int)
    for s in range(p):
        big[perm[s]] = perm[delta[s]]
        out[perm[s]] = output[s]
    big[perm[p]] = perm[p + 1]
    big[perm[p + 1]] = perm[0]
    out[perm[p]] = out[perm[p + 1]] = 1
    mm = minimise(big, out, int(perm[0]))
    assert mm.n_states == p
    assert (mm.delta == delta).all() and (mm.output == output).all()
    assert mm.block_of[perm[p]] == -1 and mm.block_of[perm[p + 1]] == -1
    assert [int(mm.block_of[perm[s]]) for s in range(p)] == list(range(p))


@pytest.mark.parametrize("p", [3, 5])
def test_one_wrong_transition_is_rejected(p):
    delta, output = mod_p_table(p)
    rejected = 0
    for s in range(p):
        for t in range(p + 1):
            for wrong in range(p):
                if wrong == delta[s, t]:
                    continue
                bad = delta.copy()
                bad[s, t] = wrong
                mm = minimise(bad, output, 0)
                assert not matches_mod_p(mm, p), (s, t, wrong)
                assert mod_p_isomorphism(mm, p) is None
                rejected += 1
    assert rejected == p * (p + 1) * (p - 1)
    # and a wrong output, a wrong reset, a relabelled (but otherwise right) output
    out = output.copy()
    out[1] = 2
    assert not matches_mod_p(minimise(delta, out, 0), p)
    bad = delta.copy()
    bad[2, p] = 2
    assert not matches_mod_p(minimise(bad, output, 0), p)
    assert not matches_mod_p(minimise(delta, (output + 1) % p, 0), p)
    # a wrong start state
    assert not matches_mod_p(minimise(delta, output, 1), p)


def test_isomorphism_finds_the_relabelling():
    p = 5
    delta, output = mod_p_table(p)
    perm = np.array([0, 3, 1, 4, 2])             # state s of the reference is state perm[s]
    d2 = np.zeros_like(delta)
    o2 = np.zeros_like(output)
    for s in range(p):
        d2[perm[s]] = perm[delta[s]]
        o2[perm[s]] = output[s]
    a = MinimalMachine(p, 0, d2, o2, np.arange(p))
    f = isomorphism(a, sum_mod_task(p).automaton())
    assert f is not None and all(f[perm[s]] == s for s in range(p))
    # non-minimal input to the raw check: two copies of a state cannot map onto Z_p
    assert mod_p_isomorphism(minimise(d2, o2, 0), p).tolist() == list(range(p))


def test_bad_tables_raise():
    with pytest.raises(AutomatonError):
        minimise(np.array([[0, 2]]), np.array([0]), 0)
    with pytest.raises(AutomatonError):
        minimise(np.array([[0]]), np.array([0, 1]), 0)
    with pytest.raises(AutomatonError):
        minimise(np.array([[0]]), np.array([0]), 3)


# -- the reachable graph of a machine ------------------------------------------------------------
# random machines whose reachable graphs are not tiny: (seed, H) -> 16 raw states that
# minimise to 10, and 25 raw states that minimise to 22
RANDOM = [(1, 8), (7, 10)]


@pytest.mark.parametrize("seed,H", RANDOM)
def test_reachable_graph_follows_the_golden_engine(seed, H):
    rng = np.random.default_rng(seed)
    m = Machine.random(rng, V=5, E=4, H=H, density=0.4)
    eng = NumpyEngine(m)
    g = reachable_graph(m)
    n, V = g.delta.shape
    assert V == m.V and g.states.shape == (n, m.H) and n <= 2 ** m.H
    assert (g.states[0] == start_state(m)).all()
    assert len({s.tobytes() for s in g.states}) == n
    for i in range(n):
        nxt = eng.step(np.tile(g.states[i], (V, 1)), np.arange(V))
        assert (nxt == g.states[g.delta[i]]).all()
        assert g.output[i] == int(np.argmax(eng.scores(g.states[i])))
    # EOT from anywhere goes back to the start state
    assert (g.delta[:, m.eot_id] == 0).all()
    # the minimal machine computes the same greedy outputs as the machine itself
    mm = minimise_graph(g)
    assert 1 < mm.n_states < n and mm.block_sizes.sum() == n
    x = rng.integers(0, V, size=(20, 40))
    x[:, 0] = m.eot_id
    want = greedy_outputs(m, x)
    for row, w in zip(x, want):
        assert run_moore(mm.delta, mm.output, mm.start, row[1:]) == w[1:].tolist()
        assert run_moore(g.delta, g.output, 0, row[1:]) == w[1:].tolist()


def test_reachable_graph_refuses_too_many_states():
    m = Machine.random(np.random.default_rng(7), V=5, E=4, H=10, density=0.4)
    n = len(reachable_graph(m).states)
    assert n == 25
    with pytest.raises(AutomatonError, match="more than 3 reachable states"):
        reachable_graph(m, max_states=3)
    assert len(reachable_graph(m, max_states=n).states) == n


# -- a hand-built machine (no training): the pipeline on a Machine with a known answer ---------
@pytest.mark.parametrize("p", [2, 3, 5])
def test_hand_built_counter_is_recovered(p):
    m = construct_sum_mod(p)
    m.validate()
    g = reachable_graph(m)
    assert len(g.states) == p * p + 1                 # (residue, last digit) and the start
    assert (g.states.sum(axis=1) == 1).all()          # one-hot, as constructed
    mm = minimise_graph(g)
    assert mm.n_states == p
    assert mod_p_isomorphism(mm, p).tolist() == list(range(p))
    assert sorted(mm.block_sizes.tolist()) == [p] * (p - 1) + [p + 1]
    rep = analyse(m, p)
    assert rep.accuracy == 1.0 and rep.isomorphic
    assert rep.raw_per_residue == [p + 1] + [p] * (p - 1)


def test_report_of_the_hand_built_counter():
    """report() builds the machine and analyses it: its text is what `trnn logic automaton
    --constructed` prints, its JSON has no machine in it."""
    lines = []
    rep = report(3, constructed=True, log=lines.append)
    assert lines == ["hand-built machine for mod 3 (not trained)"]
    assert rep == analyse(construct_sum_mod(3), 3)
    assert rep.machine.fingerprint() == construct_sum_mod(3).fingerprint() == rep.fingerprint
    assert "machine" not in rep.to_dict() and rep.to_dict()["raw_states"] == 10
    assert str(rep).splitlines() == [
        "task: running sum of digits mod 3 (V = 4: digits 0..2, EOT = 3)",
        f"machine: gated, H = 12 state bits, E = 4 embedding bits, fingerprint "
        f"{rep.fingerprint:08x}",
        "greedy output = running sum: 100.0% of 100 held-out sequences of length 200 "
        "(100.00% of positions)",
        "reachable states from h0 after EOT: 10 (of 2^12; 10 bits vary, 2 are constant)",
        "minimal Moore machine: 3 states; raw states per minimal state: [4, 3, 3]",
        "it IS the mod-3 automaton: minimal state -> residue [0, 1, 2]; raw states per "
        "residue 0..2: [4, 3, 3]"]


def test_hand_built_counter_with_one_wrong_wire_is_rejected():
    p = 5
    m = construct_sum_mod(p)
    V, H = p + 1, p * (p + 1)
    i = 1 * V + 1                                     # bit (residue 1, last digit 1)
    row = m.W["cand"][i]
    row[:H] = 0
    for b in range(V):                                # now fed by residue 2 instead of 0
        row[2 * V + b] = 1
    rep = analyse(m, p)
    assert not rep.isomorphic and rep.residue_of_state is None
    assert rep.accuracy < 1.0
    assert "NOT" in str(rep)


# -- end to end: a trained network is the mod-p counter ------------------------------------------
P, SEED = 3, 0


@pytest.fixture(scope="module")
def trained():
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train_sum_mod(P, SEED)
    finally:
        torch.set_num_threads(threads)


def test_trained_machine_is_the_mod_p_automaton(trained):
    m = trained
    assert m.cell == "gated" and m.V == P + 1 and m.eot_id == P
    m.validate()
    # 100% of long held-out sequences, with the integer (golden) engine
    task = sum_mod_task(P)
    x, y = task.sample(np.random.default_rng(2024), 100, 200, eot_prob=0.01)
    assert (greedy_outputs(m, x) == y).all()
    # the reachable state graph, minimised, is exactly Z_P
    g = reachable_graph(m, max_states=4096)
    mm = minimise_graph(g)
    assert mm.n_states == P
    f = mod_p_isomorphism(mm, P)
    assert f is not None and sorted(f.tolist()) == list(range(P))
    assert (mm.output == f).all()
    # every raw state's greedy token is the residue of its block
    assert (g.output == f[mm.block_of]).all()
    rep = analyse(m, P)
    assert rep.isomorphic and rep.minimal_states == P and rep.accuracy == 1.0
    assert rep.raw_states == len(g.states) and sum(rep.raw_per_residue) == rep.raw_states
    assert rep.varying_bits + rep.constant_bits == m.H
    text = str(rep)
    assert f"IS the mod-{P} automaton" in text and "reachable states" in text
    assert rep.to_dict()["minimal_states"] == P


def test_training_is_deterministic(trained):
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        again = train_sum_mod(P, SEED)
    finally:
        torch.set_num_threads(threads)
    assert again.fingerprint() == trained.fingerprint()
    # the run of this seed is pinned: exact on the check at step 875
    assert trained.meta["steps_run"] == trained.meta["exact_at_step"] == 875
