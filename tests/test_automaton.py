"""A known machine, recovered (trnn.logic.automaton, with trnn.logic.fsm): state graphs,
minimisation, isomorphism, and the end-to-end run — train on the running sum mod p, export, extract the reachable states,
minimise, and find exactly the p-state counter; and the same for the bracket depth up to D
(hand-built machines for D = 1..4, one trained for D = 3)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trnn.logic.automaton import (AutomatonError, BracketDepthTask, SumModTask, analyse,
                                  construct, construct_bracket_depth, construct_sum_mod,
                                  counterexample, matches_mod_p, mod_p_isomorphism, report,
                                  sum_mod_task, task_named, train_sum_mod, train_task)
from trnn.logic.fsm import (MinimalMachine, greedy_outputs, isomorphism, minimise,
                            minimise_graph, reachable_graph, start_state)
from trnn.main import main
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


# -- the bracket depth up to D -------------------------------------------------------------------
def depth_tokens(D: int, text: str) -> list[int]:
    """``text`` over ``E()0123…`` as token ids of the depth-``D`` task (``E``: EOT)."""
    ids = {"(": D + 1, ")": D + 2, "E": D + 3, **{str(d): d for d in range(D + 1)}}
    return [ids[ch] for ch in text]


def ref_depth(D: int, tokens: list[int]) -> list[int]:
    """The depth after each token, written out plainly: ( up to D, ) down to 0, EOT to 0."""
    d, out = 0, []
    for t in tokens:
        if t == D + 1:
            d = min(d + 1, D)
        elif t == D + 2:
            d = max(d - 1, 0)
        elif t == D + 3:
            d = 0
        out.append(d)
    return out


# (name, D, tokens, the depth after each token)
DEPTH_CASES = [
    ("saturates at the top", 2, "E((((", [0, 1, 2, 2, 2]),
    ("saturates at the bottom", 2, "E)))(", [0, 0, 0, 0, 1]),
    ("both ends", 2, "E((()))))((", [0, 1, 2, 2, 1, 0, 0, 0, 0, 1, 2]),
    ("bound 1", 1, "E(()(()", [0, 1, 1, 0, 1, 1, 0]),
    ("digits are no-ops", 3, "E(3(0()12)", [0, 1, 1, 2, 2, 3, 2, 2, 2, 1]),
    ("digits only", 4, "E01234", [0, 0, 0, 0, 0, 0]),
    ("EOT resets", 3, "E(((E(E)(", [0, 1, 2, 3, 0, 1, 0, 0, 1]),
    ("a long climb to 4 and back", 4, "E((((((2)))))))",
     [0, 1, 2, 3, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0, 0]),
]


@pytest.mark.parametrize("D,text,want", [c[1:] for c in DEPTH_CASES],
                         ids=[c[0] for c in DEPTH_CASES])
def test_depth_targets_on_written_sequences(D, text, want):
    tokens = depth_tokens(D, text)
    assert ref_depth(D, tokens) == want
    assert BracketDepthTask(D).targets(np.array([tokens])).tolist() == [want]
    # and the hand-built machine's greedy outputs
    assert greedy_outputs(construct_bracket_depth(D), np.array([tokens])).tolist() == [want]


def test_depth_task_vocabulary_and_sampling():
    task = BracketDepthTask(3)
    assert (task.vocab_size, task.eot_id, task.open_id, task.close_id) == (7, 6, 4, 5)
    assert task.name == "depth_3" and task_named("depth_3") == task
    assert task_named("sum_mod_5") == SumModTask(5) and SumModTask(5).name == "sum_mod_5"
    tok = task.tokenizer()
    assert tok.kind == "ids" and tok.vocab_size == 7 and tok.eot_id == 6
    assert tok.decode([4, 0, 3, 5]) == b"(03)"
    x, y = task.sample(np.random.default_rng(0), 16, 50, eot_prob=0.05)
    assert x.dtype == y.dtype == np.int64 and x.shape == y.shape == (16, 50)
    assert (x[:, 0] == 6).all() and (x[:, 1:] == 6).sum() > 0
    assert sorted(np.unique(x).tolist()) == list(range(7))
    assert all(ref_depth(3, row.tolist()) == want.tolist() for row, want in zip(x, y))
    assert y.max() == 3 and y.min() == 0
    x, _ = task.sample(np.random.default_rng(0), 16, 50)
    assert (x[:, 1:] != 6).all()
    for bad in (0, -1, True, 2.0, "3"):
        with pytest.raises(ValueError):
            BracketDepthTask(bad)
    for bad in ("depth_03", "depth_", "depth_x", "mod_3", "sum_mod_"):
        with pytest.raises(ValueError):
            task_named(bad)


@pytest.mark.parametrize("D", [1, 2, 3, 4])
def test_hand_built_depth_machine_is_the_depth_automaton(D):
    task = BracketDepthTask(D)
    aut = task.automaton()
    assert aut.n_states == D + 1
    assert [[ref_depth(D, [D + 3, t])[-1] for t in range(D + 4)]] == [aut.delta[0].tolist()]
    for d in range(D + 1):          # state d after "E" and d "(": each token from there
        prefix = [D + 3] + [D + 1] * d
        assert aut.delta[d].tolist() == [ref_depth(D, prefix + [t])[-1] for t in range(D + 4)]
    m = construct_bracket_depth(D)
    m.validate()
    assert (m.H, m.E, m.V, m.eot_id) == ((D + 1) * (D + 4), D + 4, D + 4, D + 3)
    g = reachable_graph(m)
    assert len(g.states) == (D + 1) ** 2 + 2 * D + 1
    assert (g.states.sum(axis=1) == 1).all()          # one-hot, as constructed
    mm = minimise_graph(g)
    assert mm.n_states == D + 1
    assert isomorphism(mm, aut).tolist() == list(range(D + 1))
    rep = analyse(m, task)
    assert rep.accuracy == 1.0 and rep.token_accuracy == 1.0 and rep.isomorphic
    assert (rep.p, rep.task, rep.minimal_states) == (D + 1, f"depth_{D}", D + 1)
    assert rep.residue_of_state == list(range(D + 1))
    assert rep.raw_per_residue == [D + 3] * D + [D + 2]
    assert rep.to_dict()["task"] == f"depth_{D}"
    assert f"it IS the depth-{D} automaton" in str(rep)


def test_report_of_the_hand_built_depth_machine():
    lines = []
    rep = report(task=BracketDepthTask(2), constructed=True, log=lines.append)
    assert lines == ["hand-built machine for depth 2 (not trained)"]
    assert rep == analyse(construct_bracket_depth(2), BracketDepthTask(2))
    assert rep.machine.meta == {"task": "depth_2", "construction": "minsky"}
    assert str(rep).splitlines() == [
        "task: bracket depth up to 2 (V = 6: digits 0..2 keep it, ( = 3 adds 1, ) = 4 takes 1, "
        "EOT = 5 resets)",
        f"machine: gated, H = 18 state bits, E = 6 embedding bits, fingerprint "
        f"{rep.fingerprint:08x}",
        "greedy output = depth: 100.0% of 100 held-out sequences of length 200 "
        "(100.00% of positions)",
        "reachable states from h0 after EOT: 14 (of 2^18; 14 bits vary, 4 are constant)",
        "minimal Moore machine: 3 states; raw states per minimal state: [5, 5, 4]",
        "it IS the depth-2 automaton: minimal state -> depth [0, 1, 2]; raw states per "
        "depth 0..2: [5, 5, 4]"]
    # the sum task by either name; not both
    assert report(task=3, constructed=True) == report(3, constructed=True)
    assert report(constructed=True).task == "sum_mod_3"
    with pytest.raises(ValueError, match="not both"):
        report(3, task=BracketDepthTask(2), constructed=True)


class WrappingDepth(BracketDepthTask):
    """A wrong automaton with the depth task's vocabulary and number of states: ``)`` at
    depth 0 wraps round to D instead of staying."""

    def automaton(self):
        aut = super().automaton()
        aut.delta[0, self.close_id] = self.bound
        return aut


@pytest.mark.parametrize("D", [1, 2, 3, 4])
def test_machine_for_the_wrong_task_is_not_the_depth_automaton(D):
    right, wrong = BracketDepthTask(D), WrappingDepth(D)
    # a one-hot machine for the wrapping counter: D + 1 minimal states, but not the depth's
    m = construct(wrong)
    assert analyse(m, wrong).isomorphic        # it is what it was built to be …
    rep = analyse(m, right)
    assert rep.minimal_states == D + 1 and not rep.isomorphic and rep.accuracy < 1.0
    assert rep.residue_of_state is None and rep.raw_per_residue is None
    assert f"it is NOT the depth-{D} automaton" in str(rep)
    # … and the right machine is not the wrapping counter
    assert not analyse(construct_bracket_depth(D), wrong).isomorphic
    # the running sum mod D + 3 has the depth task's vocabulary (D + 4 tokens, EOT last)
    rep = analyse(construct_sum_mod(D + 3), right)
    assert rep.minimal_states == D + 3 and not rep.isomorphic
    rep = analyse(construct_bracket_depth(D), D + 3)
    assert rep.minimal_states == D + 1 and not rep.isomorphic and rep.task == f"sum_mod_{D + 3}"
    # another bound: another vocabulary
    with pytest.raises(AutomatonError, match="needs V = "):
        analyse(construct_bracket_depth(D), BracketDepthTask(D + 1))


@pytest.mark.parametrize("D", [2, 3])
def test_one_wrong_depth_transition_is_rejected(D):
    aut = BracketDepthTask(D).automaton()
    n, V = aut.delta.shape
    rejected = 0
    for s in range(n):
        for t in range(V):
            for wrong in range(n):
                if wrong == aut.delta[s, t]:
                    continue
                bad = aut.delta.copy()
                bad[s, t] = wrong
                assert isomorphism(minimise(bad, aut.output, 0), aut) is None, (s, t, wrong)
                rejected += 1
    assert rejected == n * V * (n - 1)
    assert isomorphism(minimise(aut.delta, aut.output, 0), aut).tolist() == list(range(n))


def test_shortest_wrong_input():
    """counterexample(): the first input after EOT (shortest, then in token order) on which a
    Moore machine's output is not the task's — and the machine really is wrong there."""
    for D in (1, 2, 3, 4):
        task = BracketDepthTask(D)
        aut = task.automaton()
        assert counterexample(aut, task) is None
        assert counterexample(minimise_graph(reachable_graph(construct_bracket_depth(D))),
                              task) is None
        # wrapping at the bottom: ")" at once
        m = construct(WrappingDepth(D))
        w = counterexample(minimise_graph(reachable_graph(m)), task)
        assert w == [D + 2]
        tokens = [D + 3] + w
        assert greedy_outputs(m, np.array([tokens]))[0, -1] != ref_depth(D, tokens)[-1]
        # "(" at the top falls back to D - 1: D + 1 "(" in a row
        bad = aut.delta.copy()
        bad[D, D + 1] = D - 1
        assert counterexample(minimise(bad, aut.output, 0), task) == [D + 1] * (D + 1)
        # a digit at depth 1 resets: "(" then digit 0
        bad = aut.delta.copy()
        bad[1, 0] = 0
        assert counterexample(minimise(bad, aut.output, 0), task) == [D + 1, 0]
        # the output after EOT already wrong: no token needed
        assert counterexample(minimise(aut.delta, (aut.output + 1) % (D + 1), 0), task) == []
        # the running sum mod D + 3: digit 1 adds 1, the depth stays 0
        assert counterexample(SumModTask(D + 3).automaton(), task) == [1]
        with pytest.raises(AutomatonError, match="tokens"):
            counterexample(aut, BracketDepthTask(D + 1))
    assert counterexample(sum_mod_task(3).automaton(), 3) is None


# (name, arguments, what the one error line says)
CLI_ERRORS = [
    ("bound 0", ["--task", "depth", "--bound", "0"], "--bound: 0 is out of range: 1..9"),
    ("bound 10", ["--task", "depth", "--bound", "10"], "--bound: 10 is out of range: 1..9"),
    ("bound not a number", ["--task", "depth", "--bound", "two"], "not an integer"),
    ("p for depth", ["--task", "depth", "--p", "3"], "--p is for --task sum"),
    ("bound for sum", ["--bound", "2"], "--bound is for --task depth"),
    ("unknown task", ["--task", "brackets"], "invalid choice: 'brackets'"),
]


@pytest.mark.parametrize("args,says", [c[1:] for c in CLI_ERRORS],
                         ids=[c[0] for c in CLI_ERRORS])
def test_cli_bad_task_arguments_are_one_line(args, says, capsys):
    assert main(["logic", "automaton", "--constructed", *args]) == 2
    cap = capsys.readouterr()
    assert cap.err.startswith("trnn: error: ") and cap.err.count("\n") == 1, cap.err
    assert says in cap.err and cap.out == ""


def test_cli_depth_task(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["logic", "automaton", "--task", "depth", "--bound", "4", "--constructed",
                 "--json", str(out)]) == 0
    cap = capsys.readouterr()
    assert cap.err == "hand-built machine for depth 4 (not trained)\n"
    assert "it IS the depth-4 automaton" in cap.out
    assert str(analyse(construct_bracket_depth(4), BracketDepthTask(4))) in cap.out
    d = json.loads(out.read_text())
    assert (d["task"], d["p"], d["isomorphic"], d["V"]) == ("depth_4", 5, True, 8)
    assert main(["logic", "automaton", "--task", "depth", "--constructed"]) == 0
    assert "it IS the depth-3 automaton" in capsys.readouterr().out


def test_trained_machine_is_the_depth_3_automaton():
    """Training on the depth task, D = 3 (a few seconds): the exported machine IS the
    automaton, exact on long held-out sequences; the run of seed 0 is pinned."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        m = train_task(BracketDepthTask(3), 0)
    finally:
        torch.set_num_threads(threads)
    assert m.meta["task"] == "depth_3" and m.meta["steps_run"] == m.meta["exact_at_step"] == 250
    x, y = BracketDepthTask(3).sample(np.random.default_rng(2024), 100, 200, eot_prob=0.01)
    assert (greedy_outputs(m, x) == y).all()
    rep = analyse(m, BracketDepthTask(3))
    assert rep.isomorphic and rep.minimal_states == 4 and rep.accuracy == 1.0
    assert sum(rep.raw_per_residue) == rep.raw_states
