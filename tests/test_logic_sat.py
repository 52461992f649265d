"""Simplify, prove and query: the logic tools checked against the golden reference.

* the AIGs Yosys writes before and after ABC compute the model's step exactly (every input of
  a small model, evaluated and compared with the NumPy engine);
* the SAT miter proves the simplified logic equal to the generated logic, and fails — with a
  counterexample that the model itself confirms — on an altered copy and on a model with one
  weight changed;
* every SAT query agrees with brute force over all states and tokens of small models, and its
  witnesses are real steps of the machine.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from trnn.logic.aig import load_aag
from trnn.logic.prove import alter, check_equivalence, evaluate
from trnn.logic.greedy import can_be_greedy, greedy_sweep
from trnn.logic.query import (all_bits, can_become, encode_step, parse_assignment, QueryError,
                              tokens_setting)
from trnn.logic.simplify import format_report, simplify
from trnn.main import main
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine


def model_step(m: Machine, h: np.ndarray, e: np.ndarray) -> np.ndarray:
    """docs/machine.md §2 steps 2–4 (no EOT reset) on explicit embedding bits."""
    x = np.concatenate([h, e], axis=-1).astype(np.int64)
    g = {k: (x @ m.W[k].T.astype(np.int64) >= m.theta[k]).astype(np.uint8) for k in m.gates}
    if m.cell == "threshold":
        return g["cand"]
    return np.where(g["update"] == 1, g["cand"], h).astype(np.uint8)


def all_inputs(m: Machine):
    bits = np.array(list(itertools.product([0, 1], repeat=m.H + m.E)), dtype=np.uint8)
    return bits[:, :m.H], bits[:, m.H:]


def aig_step(aig, m, h, e) -> np.ndarray:
    out = np.zeros((len(h), m.H), dtype=np.uint8)
    for r in range(len(h)):
        ins = {f"h[{i}]": int(h[r, i]) for i in range(m.H)}
        ins.update({f"e[{k}]": int(e[r, k]) for k in range(m.E)})
        o = evaluate(aig, ins)
        out[r] = [o[f"h_next[{i}]"] for i in range(m.H)]
    return out


@pytest.fixture(scope="module", params=["gated", "threshold"])
def simplified(request, tmp_path_factory):
    m = Machine.random(np.random.default_rng(7), V=11, E=4, H=7, cell=request.param,
                       density=0.5)
    wd = tmp_path_factory.mktemp(f"synth-{request.param}")
    rep = simplify(m, "step", workdir=wd)
    return m, rep, load_aag(wd / "before.aag"), load_aag(wd / "after.aag")


def test_aigs_compute_the_model_step(simplified):
    m, rep, before, after = simplified
    h, e = all_inputs(m)
    want = model_step(m, h, e)
    assert (aig_step(before, m, h, e) == want).all()
    assert (aig_step(after, m, h, e) == want).all()
    assert rep.after.aig_ands <= rep.before.aig_ands
    assert rep.after.lut4 > 0 and len(rep.cones) == m.H
    assert "AIG AND nodes" in format_report(rep)


def test_proof_passes_on_the_simplified_logic(simplified):
    m, rep, before, after = simplified
    r = check_equivalence(before, after)
    assert r.equivalent and r.proved == m.H


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proof_fails_on_an_altered_copy(simplified, seed):
    m, rep, before, after = simplified
    bad, _ = alter(after, seed)
    h, e = all_inputs(m)
    differs = (aig_step(bad, m, h, e) != model_step(m, h, e)).any()
    # no random simulation: the solver itself must find the difference
    r = check_equivalence(before, bad, sim_patterns=0)
    assert r.equivalent is (not differs)
    if differs:
        c = r.counterexample
        assert c.gold != c.gate
        hh = np.array([[c.inputs[f"h[{i}]"] for i in range(m.H)]], dtype=np.uint8)
        ee = np.array([[c.inputs[f"e[{k}]"] for k in range(m.E)]], dtype=np.uint8)
        i = int(c.output[len("h_next["):-1])
        assert model_step(m, hh, ee)[0, i] == c.gold          # the model sides with gold
        assert "NOT EQUIVALENT" in r.format()


def test_proof_fails_on_a_model_with_one_weight_changed(tmp_path):
    rng = np.random.default_rng(3)
    m = Machine.random(rng, V=9, E=4, H=6, cell="gated", density=0.5)
    h, e = all_inputs(m)
    want = model_step(m, h, e)
    for i, j in zip(*np.nonzero(m.W["cand"])):
        m2 = Machine(**{**m.__dict__, "W": {g: w.copy() for g, w in m.W.items()}})
        m2.W["cand"][i, j] *= -1
        if (model_step(m2, h, e) != want).any():
            break
    else:
        pytest.fail("no weight flip changes the function")
    simplify(m, "step", workdir=tmp_path / "a", luts=False)
    simplify(m2, "step", workdir=tmp_path / "b", luts=False)
    r = check_equivalence(load_aag(tmp_path / "a" / "before.aag"),
                          load_aag(tmp_path / "b" / "after.aag"))
    assert not r.equivalent
    c = r.counterexample
    hh = np.array([[c.inputs[f"h[{k}]"] for k in range(m.H)]], dtype=np.uint8)
    ee = np.array([[c.inputs[f"e[{k}]"] for k in range(m.E)]], dtype=np.uint8)
    out = int(c.output[len("h_next["):-1])
    assert model_step(m, hh, ee)[0, out] == c.gold
    assert model_step(m2, hh, ee)[0, out] == c.gate


@pytest.mark.parametrize("seed,cell", [(0, "gated"), (1, "threshold"), (4, "gated")])
def test_queries_agree_with_brute_force(seed, cell):
    m = Machine.random(np.random.default_rng(seed), V=9, E=4, H=6, cell=cell, density=0.5)
    m.h0[:] = [1, 0, 1, 0, 0, 1]                         # both reset polarities
    eng = NumpyEngine(m)
    hs = np.array(list(itertools.product([0, 1], repeat=m.H)), dtype=np.uint8)
    nxt = {v: eng.step(hs, np.full(len(hs), v)) for v in range(m.V)}
    cnf = encode_step(m)
    for i in range(m.H):
        for val in (0, 1):
            for frm in (None, 0, 1):
                sel = np.ones(len(hs), bool) if frm is None else hs[:, i] == frm
                want = any((nxt[v][sel, i] == val).any() for v in range(m.V))
                a = can_become(cnf, i, val, from_value=frm)
                assert a.sat == want, (i, val, frm)
                if a.sat:
                    assert (eng.step(a.state, a.token) == a.next_state).all()
                    assert a.next_state[i] == val
            given = {(i + 1) % m.H: 1, (i + 3) % m.H: 0}
            sel = (hs[:, (i + 1) % m.H] == 1) & (hs[:, (i + 3) % m.H] == 0)
            want = [v for v in range(m.V) if (nxt[v][sel, i] == val).any()]
            assert tokens_setting(cnf, i, val, given).tokens == want
            forced = [v for v in range(m.V) if (nxt[v][sel, i] == val).all()]
            assert tokens_setting(cnf, i, val, given, always=True).tokens == forced
    never1 = [i for i in range(m.H) if not any((nxt[v][:, i] == 1).any() for v in range(m.V))]
    assert all_bits(cnf)["never 1"] == never1
    cnf.close()
    greedy = set(np.argmax(eng.scores(hs), axis=1).tolist())
    for v in range(m.V):
        a = can_be_greedy(m, v)
        assert a.sat == (v in greedy)
        if a.sat:
            assert int(np.argmax(eng.scores(a.state))) == v
    sw = greedy_sweep(m, samples=0)                      # everything through hill climb + SAT
    assert sorted(sw.by_sampling + sw.by_sat) == sorted(greedy)
    assert sw.never == [v for v in range(m.V) if v not in greedy]


def test_greedy_with_ties_goes_to_the_lowest_id():
    m = Machine.random(np.random.default_rng(5), V=5, E=3, H=4, cell="gated")
    m.R[:] = 0
    m.c[:] = [1, 3, 3, 0, 2]                             # token 1 and 2 tie for every state
    assert can_be_greedy(m, 1).sat
    assert not can_be_greedy(m, 2).sat and not can_be_greedy(m, 0).sat


def test_assignment_errors_are_one_line():
    m = Machine.random(np.random.default_rng(0), H=6)
    assert parse_assignment(m, "1=1, 4=0") == {1: 1, 4: 0}
    for bad in ("9=1", "2=3", "x"):
        with pytest.raises(QueryError):
            parse_assignment(m, bad)


def test_cli_simplify_prove_query(tmp_path, capsys):
    m = Machine.random(np.random.default_rng(11), V=9, E=4, H=6, cell="gated", density=0.5)
    path = tmp_path / "m.trnn"
    m.save(path)
    assert main(["logic", "simplify", str(path), "--block", "all",
                 "--json", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "step: H=6" in out and "readout: H=6" in out
    assert main(["logic", "prove", str(path)]) == 0
    assert "EQUIVALENT: all 6 outputs" in capsys.readouterr().out
    assert main(["logic", "prove", str(path), "--alter", "1"]) == 1
    assert "NOT EQUIVALENT" in capsys.readouterr().out
    assert main(["logic", "query", str(path), "bit", "2", "--value", "1",
                 "--given", "0=1"]) == 0
    assert "h'[2] = 1 given h[0]=1" in capsys.readouterr().out
    assert main(["logic", "query", str(path), "bit", "7"]) == 2
    assert "out of range" in capsys.readouterr().err
    # a file that cannot be written: one line, exit status 2
    assert main(["decompile", str(path), "-o", str(tmp_path / "no" / "such" / "x.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trnn: error:") and len(err.strip().splitlines()) == 1
