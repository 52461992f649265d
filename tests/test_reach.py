"""Questions over reachable states: the model-checked design against the golden reference, and
PDR/BMC answers on a hand-built machine whose reachable states are known."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from trnn.logic.query import encode_step
from trnn.logic.greedy import can_be_greedy
from trnn.logic.reach import (BitAfter, BitEver, Greedy, ReachDesign, ReachError, check,
                              survey)
from trnn.logic.trace import Trace
from trnn.main import main
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine
from trnn.model.tokenizer import EOT_BYTES, Tokenizer


def pair_machine(h0=(1, 1, 0, 1)):
    """Tokens '0', '1' and EOT (2). h'0 = h'1 = "token is 1", so h0 = h1 in every state
    reachable from an h0 where they agree; h'2 = h0 and not h1 (never on from there, though
    one step from the state 100 sets it); h'3 = h3 (keeps its h0 bit forever)."""
    H, E = 4, 1
    W = np.zeros((H, H + E), np.int8)
    th = np.ones(H, np.int32)
    W[0, H] = W[1, H] = 1
    W[2, 0], W[2, 1] = 1, -1
    W[3, 3] = 1
    return Machine(cell="threshold", embedding=np.array([[0], [1], [0]], np.uint8),
                   h0=np.array(h0, np.uint8), W={"cand": W}, theta={"cand": th},
                   R=np.zeros((3, H), np.int8), c=np.zeros(3, np.int32),
                   tokenizer=Tokenizer("ids", [b"0", b"1", EOT_BYTES], 2), logit_scale=1.0)


# question: (status by PDR from h0 = 1101, one step from any state satisfiable)
CASES = {
    "h2 never on": (BitEver(2, 1), "proved", None),
    "h2 not after 1": (BitAfter(2, 1, 1), "proved", True),
    "h3 keeps h0": (BitEver(3, 0), "proved", None),
    "h3 is h0's bit": (BitEver(3, 1), "reachable", None),
    "h0 cleared by 0": (BitAfter(0, 0, 1), "proved", False),
    "h0 set by 1": (BitAfter(0, 1, 1), "reachable", True),
    "h0 cleared ever": (BitEver(0, 0), "reachable", None),
    "h1 after EOT": (BitAfter(1, 2, 0), "reachable", True),
}


def ref_reachable(m, q, depth=6):
    """Breadth-first search of the reachable states (the golden engine), ``depth`` tokens."""
    eng = NumpyEngine(m)
    states = {tuple(m.h0)}
    frontier = [(tuple(m.h0), None)]
    seen = set(frontier)
    for _ in range(depth):
        nxt = []
        for h, _last in frontier:
            for t in range(m.V):
                h2 = tuple(int(b) for b in eng.step(np.array(h, np.uint8), t))
                if (h2, t) not in seen:
                    seen.add((h2, t))
                    nxt.append((h2, t))
                    states.add(h2)
        frontier = nxt
    if isinstance(q, BitEver):
        return any(h[q.bit] == q.value for h in states)
    return any(t == q.token and h[q.bit] == q.value for h, t in seen)


@pytest.mark.parametrize("name", CASES)
def test_ref_search_agrees_with_the_table(name):
    q, status, _ = CASES[name]
    assert ref_reachable(pair_machine(), q) == (status == "reachable")


def test_pdr_answers_the_hand_built_machine():
    m = pair_machine()
    qs = [c[0] for c in CASES.values()]
    got = [a.status for a in check(m, qs, "pdr", timeout=30)]
    assert got == [c[1] for c in CASES.values()]


def test_bmc_finds_the_reachable_ones_and_proves_nothing():
    m = pair_machine()
    qs = [c[0] for c in CASES.values()]
    got = [a.status for a in check(m, qs, "bmc", frames=8)]
    assert got == ["reachable" if c[1] == "reachable" else "bounded" for c in CASES.values()]


def test_h0_decides_where_it_should():
    # from h0 = 0000 the kept bit 3 is never 1 and bit 2 still never on
    m = pair_machine((0, 0, 0, 0))
    got = [a.status for a in check(m, [BitEver(3, 1), BitEver(3, 0), BitEver(2, 1)], "pdr")]
    assert got == ["proved", "reachable", "proved"]


def test_one_step_cannot_prove_what_pdr_proves():
    m = pair_machine()
    cnf = encode_step(m)
    s = cnf.solver()
    for q, status, one_step in CASES.values():
        if one_step is None:
            continue
        sat = s.solve(assumptions=[cnf.h_next[q.bit] if q.value else -cnf.h_next[q.bit],
                                   cnf.t[q.token]])
        assert bool(sat) == one_step
    cnf.close()
    # the case that separates them: possible from the state 100, never from h0
    assert CASES["h2 not after 1"][1:] == ("proved", True)


def rtl_run(m, questions, tokens):
    """The design's bad outputs after each token of ``tokens``."""
    dut = ReachDesign(m, questions)
    bads = []

    async def bench(ctx):
        for t in tokens:
            ctx.set(dut.token, t)
            await ctx.tick()
            bads.append(ctx.get(dut.bad))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return bads


def ref_run(m, questions, tokens):
    eng = NumpyEngine(m)
    h = m.h0.copy()
    out = []
    for t in tokens:
        h = eng.step(h, t)
        word = 0
        for k, q in enumerate(questions):
            if isinstance(q, Greedy):   # argmax keeps the lowest id among equal scores
                hit = int(np.argmax(eng.scores(h))) == q.token
            else:
                hit = int(h[q.bit]) == q.value and (isinstance(q, BitEver) or t == q.token)
            word |= int(hit) << k
        out.append(word)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_rtl_bad_outputs_equal_ref_on_a_random_machine(seed):
    rng = np.random.default_rng(seed)
    H, E, V = 6, 3, 5
    W = {g: rng.integers(-1, 2, (H, H + E)).astype(np.int8) for g in ("update", "cand")}
    m = Machine(cell="gated", embedding=rng.integers(0, 2, (V, E)).astype(np.uint8),
                h0=rng.integers(0, 2, H).astype(np.uint8), W=W,
                theta={g: rng.integers(-1, 3, H).astype(np.int32) for g in W},
                R=rng.integers(-1, 2, (V, H)).astype(np.int8),
                c=rng.integers(-2, 3, V).astype(np.int32),
                tokenizer=Tokenizer("ids", [b"a", b"b", b"c", b"d", EOT_BYTES], 4),
                logit_scale=1.0)
    m.validate()
    qs = [BitAfter(i, int(rng.integers(V)), int(rng.integers(2))) for i in range(H)] + \
        [BitEver(i, 1) for i in range(H)] + [Greedy(t) for t in range(V)]
    toks = [int(t) for t in rng.integers(0, 8, 40)]   # 5, 6, 7 are not tokens: ignored
    valid = [t for t in toks if t < V]
    ref = ref_run(m, qs, valid)
    rtl = [b for b, t in zip(rtl_run(m, qs, toks), toks) if t < V]
    assert rtl == ref


def greedy_machine(c_eot=1):
    """:func:`pair_machine` with a readout: score('0') = h2 − h3, score('1') = h0, score(EOT)
    = ``c_eot``. From h0 = 1101, h2 is never on and h3 always on, so '0' scores −1 and is
    never the greedy choice — though from the state 0010 (any state, one step) it is; '1' is
    greedy where h0 is on (after reading '1'), EOT (c_eot = 1) where it is off (after
    reading '0'). With c_eot = 0 EOT is never greedy in any state: '1' scores h0 ≥ 0 and wins
    ties."""
    m = pair_machine()
    m.R = np.array([[0, 0, 1, -1], [1, 0, 0, 0], [0, 0, 0, 0]], np.int8)
    m.c = np.array([0, 0, c_eot], np.int32)
    m.validate()
    return m


def test_greedy_over_reachable_states():
    m = greedy_machine()
    qs = [Greedy(t) for t in range(3)]
    assert [a.status for a in check(m, qs, "pdr", timeout=30)] == \
        ["proved", "reachable", "reachable"]
    # one step from any state cannot prove the first: some state makes '0' greedy
    assert [can_be_greedy(m, t).sat for t in range(3)] == [True, True, True]
    assert [a.status for a in check(m, qs, "bmc", frames=6)] == \
        ["bounded", "reachable", "reachable"]


def test_greedy_never_in_any_state():
    m = greedy_machine(c_eot=0)
    ans = check(m, [Greedy(2), Greedy(1)], "pdr", timeout=30)
    assert [a.status for a in ans] == ["proved", "reachable"]
    assert not can_be_greedy(m, 2).sat


def test_questions_out_of_range_are_refused():
    m = pair_machine()
    for q in (BitEver(4, 1), BitAfter(0, 3, 1), BitEver(0, 2), Greedy(3), Greedy(-1)):
        with pytest.raises(ReachError):
            check(m, [q])


def test_survey_separates_one_step_from_reachable():
    m = pair_machine()
    # an ids tokenizer encodes no stories: the trace is built from the golden engine
    eng = NumpyEngine(m)
    toks = [2, 1, 1, 0, 1, 0, 0, 2, 1, 0]
    hb, ha, h = [], [], m.h0.copy()
    for t in toks:
        h_in = m.h0.copy() if t == 2 else h
        hb.append(h.copy())
        h = eng.step(h_in, t)
        ha.append(h.copy())
    n = len(toks)
    tr = Trace(story=np.zeros(n, np.int32), pos=np.arange(n, dtype=np.int32),
               token=np.array(toks, np.int32), target=np.array(toks[1:] + [2], np.int32),
               h_before=np.array(hb, np.uint8), h_after=np.array(ha, np.uint8),
               greedy=np.zeros(n, np.int32), starts=np.array([0, n]), eot_id=2)
    sv = survey(m, tr, tokens=3, timeout=20)
    bi = survey(m, tr, tokens=8, timeout=20, bigrams=True)
    by = {(r.bit, r.token, r.value): r for r in sv.rows}
    r = by[(2, 1, 1)]                     # bit 2 set after '1': never seen, one-step SAT
    assert r.one_step_sat and r.reach.status == "proved"
    assert not by[(0, 0, 1)].one_step_sat and by[(0, 0, 1)].reach is None
    c = sv.counts()
    assert c["proved"] >= 1 and c["questions"] == len(sv.rows)
    assert "proved only over the reachable states" in sv.format(m)
    # two tokens: bit 3 keeps h0's 1, so it is never 0 after '1' then '1' — though two steps
    # from any state (bit 3 free) can give it
    r = {(r.bit, r.before, r.token, r.value): r for r in bi.rows}[(3, 1, 1, 0)]
    assert r.one_step_sat and r.two_step_sat and r.reach.status == "proved"
    # h2 after '1' then '1' is impossible in two steps from any state already
    r = {(r.bit, r.before, r.token, r.value): r for r in bi.rows}[(2, 1, 1, 1)]
    assert r.one_step_sat and r.two_step_sat is False and r.reach.status == "proved"
    assert bi.counts()["proved, two-step SAT"] >= 1 and "two steps (b then u)" in bi.format(m)


def test_cli_reach_one_question(tmp_path, capsys):
    path = tmp_path / "pair.trnn"
    pair_machine().save(path)
    assert main(["logic", "reach", str(path), "--bit", "2", "--after", "1"]) == 0
    out = capsys.readouterr().out
    assert "from any state (one step): possible (SAT)" in out
    assert "from h0 (pdr): impossible" in out
    assert main(["logic", "reach", str(path), "--bit", "2"]) == 2
    assert "exactly one of --after TOKEN and --ever" in capsys.readouterr().err


def test_cli_reach_greedy(tmp_path, capsys):
    path = tmp_path / "greedy.trnn"
    greedy_machine().save(path)
    js = tmp_path / "g.json"
    assert main(["logic", "reach", str(path), "--greedy", "0", "1", "--json", str(js)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if " greedy: " in ln]
    assert [ln.split(": ", 1)[1].split("  [")[0] for ln in lines] == [
        "from any state: possible (SAT)",
        "from h0 (pdr): never — proved for every token sequence from h0 (UNSAT)",
        "from any state: possible (SAT)",
        "from h0 (pdr): yes — in a state some token sequence from h0 reaches (SAT)"]
    import json
    got = json.loads(js.read_text())["answers"]
    assert [(r["token"], r["status"], r["one_step_sat"]) for r in got] == [
        (0, "proved", True), (1, "reachable", True)]
    assert main(["logic", "reach", str(path), "--greedy", "0", "--bit", "1"]) == 2
    assert "--greedy is a question of its own" in capsys.readouterr().err


def test_two_token_context():
    # after '0' then '1' bits 0 and 1 are 1 and bit 2 is 0 (h0 = h1); after '1' then '1'
    # bit 2 is still never on, and after EOT then '0' bit 0 is 0
    m = pair_machine()
    qs = [BitAfter(0, 1, 1, before=0), BitAfter(2, 1, 1, before=1), BitAfter(0, 0, 1, before=2),
          BitAfter(1, 0, 0, before=2)]
    assert [a.status for a in check(m, qs, "pdr")] == ["reachable", "proved", "proved",
                                                      "reachable"]
    assert qs[0].text(m) == "h[0] = 1 after '0' (0) then '1' (1)"
    with pytest.raises(ReachError):
        check(m, [BitAfter(0, 1, 1, before=3)])
