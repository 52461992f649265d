"""Which tokens can the greedy readout choose? Sampling states, then SAT for the rest.

The greedy readout (docs/machine.md §3–§4) is encoded on demand for one token: ``t`` is the
greedy choice of state ``h`` iff for every other ``v``: ``score[t] − score[v] ≥ 1`` when
``v < t`` (ties go to the lowest id) and ``≥ 0`` when ``v > t`` — each a cardinality
constraint over the state bits with weights in {−2…2} (a weight-2 literal appears twice). The
state is free: "some state" means any of the 2^H bit patterns, reachable or not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .query import SOLVER, Answer, QueryError, token_repr


def greedy_comparisons(m, tok: int):
    """The comparisons that make ``tok`` the greedy choice (docs/machine.md §4), one per
    other token ``v``, in id order: ``(v, d, need)`` with ``d = R[tok] − R[v]`` (int64 [H],
    values in {−2…2}) such that ``tok`` beats ``v`` in state ``h`` iff ``d·h ≥ need``, since
    ``score[tok] − score[v] = d·h + c[tok] − c[v]`` must be ≥ 1 for ``v < tok`` (ties go to
    the lowest id) and ≥ 0 for ``v > tok``."""
    R, c = m.R.astype(np.int64), m.c.astype(np.int64)
    for v in range(m.V):
        if v != tok:
            yield v, R[tok] - R[v], (1 if v < tok else 0) - int(c[tok] - c[v])


def greedy_constraints(m, tok: int, state_vars: list[int], top: int
                       ) -> tuple[list[list[int]], int]:
    """Clauses saying that ``tok`` is the greedy choice (docs/machine.md §4) of the state held
    in ``state_vars``."""
    from pysat.card import CardEnc, EncType

    clauses: list[list[int]] = []
    for _v, d, need in greedy_comparisons(m, tok):
        lits = []
        for j in np.flatnonzero(d):
            lit = state_vars[j] if d[j] > 0 else -state_vars[j]
            lits += [lit] * int(abs(d[j]))
        # Σ d·h = Σ|d|·lit − Σ_{d<0}|d|  ⇒  Σ|d|·lit ≥ need + Σ_{d<0}|d|
        bound = need + int(-d[d < 0].sum())
        if bound <= 0:
            continue
        if bound > len(lits):
            return [[]], top                 # impossible: an empty clause
        enc = CardEnc.atleast(lits, bound=bound, top_id=top, encoding=EncType.totalizer)
        clauses += enc.clauses
        top = max(top, enc.nv)
    return clauses, top


def can_be_greedy(m, tok: int, solver: str = SOLVER) -> Answer:
    """Is there a state ``h`` (any of the 2^H) whose greedy choice is ``tok``? If not, no
    state — reachable or not — ever emits ``tok`` at temperature 0."""
    from pysat.solvers import Solver

    if not 0 <= tok < m.V:
        raise QueryError(f"token {tok} out of range (vocabulary 0..{m.V - 1})")
    t0 = time.time()
    h = list(range(1, m.H + 1))
    clauses, _ = greedy_constraints(m, tok, h, m.H)
    q = f"token {tok} is the greedy choice of some state"
    if [] in clauses:
        return Answer(q, False, time.time() - t0)
    with Solver(name=solver, bootstrap_with=clauses) as s:
        sat = s.solve()
        dt = time.time() - t0
        if not sat:
            return Answer(q, False, dt)
        pos = set(x for x in s.get_model() if x > 0)
        return Answer(q, True, dt, np.array([int(v in pos) for v in h], dtype=np.uint8), tok)


@dataclass
class GreedySweep:
    """Which tokens some state makes the greedy choice: found by sampling states (each
    re-checked with the integer readout), proved by SAT, or proved impossible (UNSAT)."""
    by_sampling: list[int]
    by_sat: list[int]
    never: list[int]
    sat_seconds: float
    seconds: float

    def format(self, m) -> str:
        """The sweep as text: how many tokens each way found, and the tokens no state can choose."""
        def show(toks):
            return " ".join(token_repr(m, v) for v in toks[:30]) + (" …" if len(toks) > 30
                                                                     else "")
        return (f"{len(self.by_sampling)} tokens are the greedy choice of a sampled state; "
                f"{len(self.by_sat)} more of a state found by SAT; {len(self.never)} can never "
                f"be the greedy choice of any of the 2^{m.H} states (UNSAT; "
                f"{self.sat_seconds:.1f} s in SAT, {self.seconds:.1f} s in all)"
                + (f"\n  never greedy: {show(self.never)}" if self.never else ""))


def _climb(m, tok: int, rng, starts: int = 4) -> np.ndarray | None:
    """Hill climbing for a state whose greedy choice is ``tok``: flip the bit that most raises
    ``score[tok] − max_v (score[v] + [v < tok])`` until that margin is ≥ 0 (found: the state,
    re-checked with the integer readout) or no flip helps (None; proves nothing)."""
    R = m.R.astype(np.int64)
    c = m.c.astype(np.int64)
    tie = (np.arange(m.V) < tok).astype(np.int64)   # a lower id wins ties
    others = np.arange(m.V) != tok
    for _ in range(starts):
        h = (rng.random(m.H) < 0.5).astype(np.int64)
        s = R @ h + c
        for _ in range(4 * m.H):
            D = R * (1 - 2 * h)                         # score change when flipping each bit
            new = s[:, None] + D                        # [V, H]
            margin = new[tok] - (new[others] + tie[others, None]).max(axis=0)
            j = int(np.argmax(margin))
            cur = s[tok] - (s[others] + tie[others]).max()
            if cur >= 0:
                return h.astype(np.uint8)
            if margin[j] <= cur:
                break
            h[j] ^= 1
            s = new[:, j]
    return None


def greedy_sweep(m, states: np.ndarray | None = None, samples: int = 20000, seed: int = 0,
                 progress: bool = False) -> GreedySweep:
    """For every token, whether some state makes it the greedy choice. Cheap witnesses come
    first — ``states`` (e.g. a trace of real text), ``samples`` random states of various
    densities, then hill climbing on the score margin — and SAT (:func:`can_be_greedy`) settles the rest."""
    from tqdm import tqdm

    from ..model.golden import NumpyEngine

    t0 = time.time()
    eng = NumpyEngine(m)
    rng = np.random.default_rng(seed)
    dens = rng.uniform(0.05, 0.95, size=(samples, 1))
    pool = [(rng.random((samples, m.H)) < dens).astype(np.uint8)]
    if states is not None:
        pool.append(np.asarray(states, dtype=np.uint8).reshape(-1, m.H))
    seen = set()
    for block in pool:
        for k in range(0, len(block), 4096):
            seen |= set(np.argmax(eng.scores(block[k:k + 4096]), axis=1).tolist())
    for v in range(m.V):
        if v not in seen:
            h = _climb(m, v, rng)
            # re-checked with the engine's own readout: a witness is only what the machine does
            if h is not None and int(np.argmax(eng.scores(h))) == v:
                seen.add(v)
    by_sampling = sorted(seen)
    by_sat, never, sat_s = [], [], 0.0
    rest = [v for v in range(m.V) if v not in seen]
    for v in tqdm(rest, disable=not progress, unit="token", desc="SAT"):
        a = can_be_greedy(m, v)
        sat_s += a.seconds
        (by_sat if a.sat else never).append(v)
    return GreedySweep(by_sampling, by_sat, never, sat_s, time.time() - t0)
