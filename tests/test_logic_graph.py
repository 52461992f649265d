"""Split: dependency graphs, components, and pruning weights that never change an output."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from conftest import make_stories
from trnn.logic.depgraph import dependency_graph
from trnn.logic.drawing import draw
from trnn.logic.prune import critical_steps, prune
from trnn.logic.split import split_report
from trnn.logic.trace import replay, run_trace
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine
from trnn.model.tokenizer import Tokenizer

BYTES = Tokenizer.bytes()


def hand_machine(H, E, cell="threshold", emb=None):
    """An all-zero machine on the byte tokenizer (V = 257) to fill in by hand."""
    V = BYTES.vocab_size
    W = {g: np.zeros((H, H + E), dtype=np.int8) for g in
         (("cand",) if cell == "threshold" else ("update", "cand"))}
    theta = {g: np.ones(H, dtype=np.int32) for g in W}
    return Machine(cell=cell, embedding=(emb if emb is not None
                                         else np.zeros((V, E), dtype=np.uint8)),
                   h0=np.zeros(H, dtype=np.uint8), W=W, theta=theta,
                   R=np.zeros((V, H), dtype=np.int8), c=np.zeros(V, dtype=np.int32),
                   tokenizer=BYTES, logit_scale=1.0)


def two_blocks(cell="threshold"):
    """Bits 0→1→2→0 (a cycle), 3→4→5 (a chain, 3 driven by the embedding), 6 alone."""
    H, E = 7, 2
    m = hand_machine(H, E, cell)
    c = m.W["cand"]
    c[1, 0] = c[2, 1] = c[0, 2] = 1
    c[3, H + 0] = 1
    c[4, 3] = 1
    c[5, 4] = -1
    c[6, H + 1] = 1
    m.R[97, 0] = 1
    m.R[98, 5] = -1
    m.validate()
    return m


def test_two_blocks_give_two_components_and_one_cycle():
    d = dependency_graph(two_blocks())
    assert d.components == [[0, 1, 2], [3, 4, 5], [6]]
    assert d.n_edges == 5 and d.keep_loops == 0 and d.self_weight_bits == []
    assert sorted(d.sccs) == [[0, 1, 2], [3], [4], [5], [6]]
    assert d.cyclic_sccs == [[0, 1, 2]]
    assert d.embedding_only == [3, 6]
    assert d.unread == [6] and d.dead == [6]
    assert d.unreached_tokens == [v for v in range(257) if v not in (97, 98)]
    assert d.components_with_tokens == 3
    assert d.component_of().tolist() == [0, 0, 0, 1, 1, 1, 2]
    assert sorted(d.bits.edges) == [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5)]
    assert d.bits.edges[4, 5]["weight_gates"] == ("cand",)
    assert d.weights == {"cand": {"state": 5, "embedding": 2}} and d.readout_weights == 2
    n = d.numbers()
    assert n["modules"] == 3 and n["module_sizes"] == [3, 3, 1] and n["sccs"] == 5
    json.dumps(n)


def test_gated_keep_loops_and_constant_update():
    m = two_blocks("gated")
    H = m.H
    m.W["update"][:, H + 1] = 1                  # update reads the embedding only
    m.W["update"][4] = 0                         # bit 4: update ≡ 0 (θ = 1): never changes
    m.W["cand"][2, 2] = 1                        # bit 2 reads itself through a weight
    d = dependency_graph(m)
    assert d.keep_loops == H
    assert all(d.bits.edges[i, i]["keep"] for i in range(H))
    assert d.bits.edges[2, 2]["weight_gates"] == ("cand",) and d.self_weight_bits == [2]
    assert not d.bits.has_edge(3, 4)             # bit 4's candidate is dead
    assert d.components == [[0, 1, 2], [4, 5], [3], [6]]
    assert d.cyclic_sccs == [[0, 1, 2]]          # keep loops make no cycle
    assert ("update", 4, 0) in d.constant_gates
    assert d.weights["update"] == {"state": 0, "embedding": H - 1}
    assert d.embedding_only == [3, 4, 6]
    # an update gate that is constantly 1 takes the keep loop away
    m.theta["update"][4] = 0
    d = dependency_graph(m)
    assert d.keep_loops == H - 1 and not d.bits.has_edge(4, 4) and d.bits.has_edge(3, 4)


def letter_machine():
    """Threshold cell on bytes. Embedding: col 0 and col 1 = "token is 'a'" (duplicates),
    col 2 = "byte ≥ 128" (never in ASCII stories), col 3 = "token is ' '".
    bit 0 = token was 'a' (three +1 weights, θ = 1): one of cols 0/1 and col 2 are unneeded;
    bit 1 = h[0] and not ' ' (h[0] − space ≥ 1): both weights needed;
    bit 2 = ' ' with a −1 weight on col 2: that one is unneeded."""
    H, E = 3, 4
    emb = np.zeros((257, E), dtype=np.uint8)
    emb[ord("a"), 0] = emb[ord("a"), 1] = 1
    emb[128:256, 2] = 1
    emb[ord(" "), 3] = 1
    m = hand_machine(H, E, emb=emb)
    W = m.W["cand"]
    W[0, H + 0] = W[0, H + 1] = W[0, H + 2] = 1
    W[1, 0], W[1, H + 3] = 1, -1
    W[2, H + 3], W[2, H + 2] = 1, -1
    m.R[ord("x"), 0] = 1                          # decides the greedy token: kept
    m.R[ord("y"), 0] = -1                         # never changes the choice: pruned
    m.validate()
    return m


def test_prune_removes_provably_irrelevant_weights_only():
    m = letter_machine()
    stories = make_stories(6, 11)
    tr = run_trace(m, stories)
    pm, st = prune(m, tr)
    H = m.H
    W = pm.W["cand"]
    assert W[0].tolist() == [0, 0, 0, 0, 1, 0, 0]            # col 0 went first, col 1 stays
    assert W[1].tolist() == [1, 0, 0, 0, 0, 0, -1]
    assert W[2].tolist() == [0, 0, 0, 0, 0, 0, 1]
    assert W[2, H + 2] == 0 and m.W["cand"][2, H + 2] == -1   # the input did not change
    assert pm.R[ord("x"), 0] == 1 and pm.R[ord("y"), 0] == 0
    assert st.weights_before == {"cand": 7, "R": 2} and st.weights_after == {"cand": 4, "R": 1}
    assert st.state_weights_before == st.state_weights_after == {"cand": 1}
    assert st.removed == 4
    again = replay(pm, tr)
    assert np.array_equal(again.h_after, tr.h_after)
    assert np.array_equal(again.greedy, tr.greedy)
    # removing a needed weight does change the states
    bad = replace(pm, W={"cand": W.copy()})
    bad.W["cand"][1, H + 3] = 0
    assert not np.array_equal(replay(bad, tr).h_after, tr.h_after)
    crit = critical_steps(m, tr)["cand"]
    assert crit[0, H + 2] == 0 and crit[2, H + 2] == 0 and crit[0, H] == 0  # alone: each free
    # h[0]'s weight in bit 1 decides every step after an 'a' that is not a space
    assert crit[1, 0] == sum(len(re.findall("a(?! )", s)) for s in stories) > 0
    assert crit[1, 1] == -1


def test_candidate_where_update_is_zero_is_free_only_when_exploited():
    """Gated bit 0: update on ' ', candidate = 'a'. The candidate's weight matters only at
    'a' steps, where the update is 0, so the state never uses it."""
    H, E = 1, 4
    m = letter_machine()
    emb = m.embedding
    g = hand_machine(H, E, "gated", emb=emb)
    g.W["update"][0, H + 3] = 1
    g.W["cand"][0, H + 0] = 1
    g.R[ord("x"), 0] = 1
    tr = run_trace(g, make_stories(4, 12))
    p1, s1 = prune(g, tr, exploit_update=True)
    p2, s2 = prune(g, tr, exploit_update=False)
    assert p1.W["cand"][0, H] == 0 and p2.W["cand"][0, H] == 1
    assert p1.W["update"][0, H + 3] == 1 and p2.W["update"][0, H + 3] == 1
    for p in (p1, p2):
        assert np.array_equal(replay(p, tr).h_after, tr.h_after)
    # the bit is constant 0 on the trace (h0 = 0 and the candidate is 0 on every space)
    assert not tr.h_after.any()


@pytest.mark.parametrize("cell", ["gated", "threshold"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prune_random_machines_keeps_states_and_choices(cell, seed):
    m = Machine.random(np.random.default_rng(seed), H=16, E=8, cell=cell, density=0.35,
                       tokenizer=BYTES)
    tr = run_trace(m, make_stories(5, seed))
    pm, st = prune(m, tr)
    assert st.steps == len(tr) and st.stories == 5
    assert st.removed > 0
    for g in m.gates:
        kept = pm.W[g] != 0
        assert np.all(pm.W[g][kept] == m.W[g][kept])           # a subset, signs unchanged
        assert np.array_equal(pm.theta[g], m.theta[g])
    assert np.all(pm.R[pm.R != 0] == m.R[pm.R != 0])
    again = replay(pm, tr)
    assert np.array_equal(again.h_after, tr.h_after)
    assert np.array_equal(again.greedy, tr.greedy)
    # every gate value that matters is unchanged (the update gate on every step)
    eng_o, eng_p = NumpyEngine(m), NumpyEngine(pm)
    x = eng_o.gate_input(tr.h_before, tr.token)
    assert np.array_equal(x, eng_p.gate_input(tr.h_before, tr.token))
    va = eng_o.gate_values(eng_o.gate_sums(x))
    vb = eng_p.gate_values(eng_p.gate_sums(x))
    for g in m.gates:
        a, b = va[g], vb[g]
        if g == "cand" and cell == "gated":
            upd = va["update"] == 1
            assert np.array_equal(a[upd], b[upd])
        else:
            assert np.array_equal(a, b)
    # a weight needed on the trace, removed alone, changes the states (threshold cell)
    if cell == "threshold":
        crit = critical_steps(m, tr)["cand"]
        i, j = np.argwhere(crit > 0)[0]
        bad = replace(m, W={"cand": m.W["cand"].copy()})
        bad.W["cand"][i, j] = 0
        assert not np.array_equal(replay(bad, tr).h_after, tr.h_after)


def test_prune_rejects_a_trace_of_another_machine():
    m = Machine.random(np.random.default_rng(3), H=8, E=4, tokenizer=BYTES)
    other = Machine.random(np.random.default_rng(4), H=8, E=4, tokenizer=BYTES)
    tr = run_trace(other, make_stories(2, 1))
    with pytest.raises(ValueError):
        prune(m, tr)


def test_split_report_and_drawing(tmp_path):
    m = Machine.random(np.random.default_rng(9), H=24, E=8, density=0.25, tokenizer=BYTES)
    tr = run_trace(m, make_stories(4, 5))
    rep = split_report(m, tr, name="rnd")
    d = rep.to_dict()
    json.dumps(d)
    assert d["before"]["total_weights"] == sum((m.W[g] != 0).sum() for g in m.gates) + \
        (m.R != 0).sum()
    assert d["after"]["total_weights"] == d["before"]["total_weights"] - rep.prune.removed
    assert d["after"]["edges"] <= d["before"]["edges"]
    assert d["prune"]["removed"] == rep.prune.removed and "verified" not in d["prune"]
    text = rep.format()
    assert "components (weakly connected)" in text and "after pruning" in text
    assert "re-run identical: True" in text
    assert f"{rep.prune.removed} of" in text
    p = draw(rep, tmp_path / "split.png")
    data = p.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    p2 = draw(dependency_graph(two_blocks()), tmp_path / "blocks.png")
    assert p2.read_bytes()[:4] == b"\x89PNG"
    no_trace = split_report(two_blocks())
    assert no_trace.after is None and no_trace.to_dict()["prune"] is None
    assert "2×3, 1" in no_trace.format()


def test_prune_is_the_same_in_chunks(monkeypatch):
    """The golden engine evaluates the trace in chunks of rows; chunk boundaries change
    nothing."""
    import trnn.logic.prune as pr
    m = Machine.random(np.random.default_rng(6), H=12, E=6, cell="gated", density=0.4,
                       tokenizer=BYTES)
    tr = run_trace(m, make_stories(3, 4))
    pm, st = prune(m, tr)
    crit = critical_steps(m, tr)
    monkeypatch.setattr(pr, "_CHUNK", 7)
    pm2, st2 = prune(m, tr)
    assert all(np.array_equal(pm.W[g], pm2.W[g]) for g in m.gates)
    assert np.array_equal(pm.R, pm2.R) and st.weights_after == st2.weights_after
    assert st.critical == st2.critical
    assert all(np.array_equal(crit[g], c) for g, c in critical_steps(m, tr).items())
