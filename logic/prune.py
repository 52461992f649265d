"""Pruning: remove the weights of a machine that never change an output on a recorded run.

:func:`prune` removes the weights that, on a :class:`~trnn.logic.trace.Trace` (the validation
text), never change an output. Gate weights go first, greedily, gate row by gate row: with the
row's pre-activations ``a[t] = Σ_j W[i, j]·x[t, j]`` kept up to date while weights are removed
one by one, a weight ``w = W[i, j]`` is removed only if ``a[t] − w·x[t, j]`` stays on the same
side of ``theta[i]`` at every step ``t`` that matters (for ``w = +1`` no step with
``a[t] = theta`` may have ``x[t, j] = 1``; for ``w = −1`` none with ``a[t] = theta − 1``).
So the *joint* removal keeps every gate value that matters at every step, the gate inputs
``x`` are then unchanged step by step (induction over the steps), and the pruned machine runs
the same states on that text. Steps that matter: all of them, except that with
``exploit_update=True`` (the default) the candidate of a gated cell is only held at the steps
where its update gate is 1 — where the update is 0 the state keeps ``h[i]`` and the candidate
is not used (the update gate itself is always held on every step). Order: state columns first
(fewer edges is the aim), each group from the least to the most often active input; one pass,
so the result is a safe set, not necessarily a largest one. Then, with
``readout=True``, readout weights ``R[v, j]`` are removed greedily, token by token, only where
the greedy token (argmax, lowest id on ties) of every traced state stays the same; scores
themselves change, so the pruned machine's bits per byte and sampled text differ, its greedy
choices on the traced text do not. Thresholds, ``c``, ``h0`` and the embedding are not changed.
:func:`prune` re-runs the pruned machine on the trace's stories and raises ``RuntimeError``
unless every state (and greedy choice) equals the trace.

The gate inputs, sums and values of every traced step come from the golden engine
(:class:`~trnn.model.golden.NumpyEngine`), which also checks that the trace is the machine's.
:func:`critical_steps` counts, per weight, the steps at which removing it alone would change a
gate value that matters.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from trnn.model.golden import NumpyEngine, exact_matmul
from trnn.model.machine import Machine

from .trace import Trace, replay

_BIG = np.int32(1 << 30)
_CHUNK = 8192          # trace rows evaluated at once (bounds the int64/float64 temporaries)


@dataclass
class PruneStats:
    """What :func:`prune` removed, on ``steps`` steps of ``stories`` stories.
    ``weights_before`` / ``weights_after``: nonzero weights per gate and ``"R"``;
    ``state_weights_*``: those in state columns per gate. ``seconds``: wall time of
    :func:`prune`. ``critical``: over the gate weights of the *unpruned* machine, how many
    change a gate value that matters at 0, ≤ 10, ≤ 100 and ≤ 1000 steps when removed alone
    (keys ``"<= 0"`` … ``"<= 1000"``), and the median such count (``"median"``, steps;
    :func:`critical_steps`): how close the machine is to more pruning."""

    steps: int
    stories: int
    exploit_update: bool
    readout: bool
    weights_before: dict[str, int]
    weights_after: dict[str, int]
    state_weights_before: dict[str, int]
    state_weights_after: dict[str, int]
    seconds: float
    critical: dict[str, float] = field(default_factory=dict)

    @property
    def removed(self) -> int:
        """Weights removed in all, gates and readout."""
        return sum(self.weights_before.values()) - sum(self.weights_after.values())

    def to_dict(self) -> dict:
        """The fields and ``removed``, JSON-ready."""
        return {**asdict(self), "removed": self.removed}


def _order(cols: np.ndarray, activity: np.ndarray, H: int) -> np.ndarray:
    """State columns first, each group from the least to the most often active input."""
    return cols[np.lexsort((cols, activity[cols], cols >= H))]


def _remove_greedily(cols, signs: np.ndarray, X: np.ndarray, dec: np.ndarray,
                     inc: np.ndarray) -> list[int]:
    """The greedy removal shared by gate rows and readout rows. A weight of sign ``signs[j]``
    adds ``X[j]`` (one 0/1 entry per step) to a sum whose room, per step, to decrease is
    ``dec`` and to increase is ``inc`` (``_BIG`` where unconstrained). Removing a +1 weight
    uses ``X[j]`` of ``dec`` and frees as much of ``inc``; a −1 weight the reverse. In the
    order ``cols``, a weight goes unless some step where ``X[j]`` is set has no room left in
    the direction its removal moves the sum. Returns the removed columns; ``dec`` and ``inc``
    are updated in place."""
    tight_dec, tight_inc = dec == 0, inc == 0
    removed = []
    for j in cols:
        xj = X[j]
        if signs[j] > 0:
            if np.any(tight_dec & xj):
                continue
            dec -= xj
            inc += xj
            tight_dec = dec == 0
        else:
            if np.any(tight_inc & xj):
                continue
            inc -= xj
            dec += xj
            tight_inc = inc == 0
        removed.append(int(j))
    return removed


def _prune_row(w: np.ndarray, a: np.ndarray, theta: int, relevant: np.ndarray,
               XT: np.ndarray, activity: np.ndarray, H: int) -> np.ndarray:
    """Greedy removal on one gate row (module docstring); returns the pruned row."""
    w = w.copy()
    b = a >= theta
    hi = np.where(relevant & b, a - theta, _BIG).astype(np.int32)      # room to decrease a
    lo = np.where(relevant & ~b, theta - 1 - a, _BIG).astype(np.int32)  # room to increase a
    w[_remove_greedily(_order(np.nonzero(w)[0], activity, H), w, XT, hi, lo)] = 0
    return w


def _prune_readout(R: np.ndarray, c: np.ndarray, h: np.ndarray, greedy: np.ndarray
                   ) -> np.ndarray:
    """Greedy removal of readout weights keeping ``argmax`` (lowest id on ties) of every row
    of ``h`` equal to ``greedy``. Token by token: with the other tokens' scores fixed, token
    ``v``'s score must stay ``≤ score[winner] − [v < winner]`` where ``v`` loses and
    ``≥ max_{u≠v}(score[u] + [u < v])`` where it wins."""
    T, H = h.shape
    V = R.shape[0]
    R = R.copy()
    S = np.empty((T, V), dtype=np.int32, order="F")                   # the scores [T, V]
    for k in range(0, T, _CHUNK):
        S[k:k + _CHUNK] = exact_matmul(h[k:k + _CHUNK], R) + c
    rows = np.arange(T)
    if not np.array_equal(np.argmax(S, axis=1), greedy):
        raise ValueError("the trace's greedy tokens are not those of this machine")
    HT = np.ascontiguousarray(h.T).astype(bool)
    activity = HT.sum(axis=1)
    ids = np.arange(V)
    for v in range(V):
        cols = np.nonzero(R[v])[0]
        if cols.size == 0:
            continue
        wins = greedy == v
        s = S[:, v].copy()
        cap = S[rows, greedy] - (v < greedy)
        up = np.where(wins, _BIG, cap - s).astype(np.int32)
        down = np.full(T, _BIG, dtype=np.int32)
        idx = np.nonzero(wins)[0]
        if idx.size:
            sub = S[idx] + (ids < v).astype(np.int32)
            sub[:, v] = -_BIG
            down[idx] = s[idx] - sub.max(axis=1)
        gone = _remove_greedily(cols[np.lexsort((cols, activity[cols]))], R[v], HT, down, up)
        if gone:                                                      # the new score of v
            s -= h[:, gone].astype(np.int32) @ R[v, gone].astype(np.int32)
            R[v, gone] = 0
        S[:, v] = s
    return R


def _gate_values(m: Machine, trace: Trace):
    """The gate input ``X`` (uint8 [T, H+E]), the sums ``A[g]`` (int32 [T, H]) and the values
    ``G[g]`` (bool [T, H]) of every gate at every step of ``trace``, from the golden engine;
    ``ValueError`` unless the engine's next states are the trace's."""
    eng = NumpyEngine(m)
    T, H = len(trace), m.H
    X = np.empty((T, H + m.E), dtype=np.uint8)
    A = {g: np.empty((T, H), dtype=np.int32) for g in m.gates}
    G = {g: np.empty((T, H), dtype=bool) for g in m.gates}
    for s in range(0, T, _CHUNK):
        rows = slice(s, s + _CHUNK)
        x = eng.gate_input(trace.h_before[rows], trace.token[rows])
        sums = eng.gate_sums(x)
        gates = eng.gate_values(sums)
        if not np.array_equal(eng.new_state(x[:, :H], gates), trace.h_after[rows]):
            raise ValueError("the trace's states are not those of this machine")
        X[rows] = x
        for g in m.gates:
            A[g][rows] = sums[g]
            G[g][rows] = gates[g]
    return X, A, G


def _relevant(m: Machine, g: str, G: dict, exploit_update: bool) -> np.ndarray | None:
    """bool [T, H]: the steps where gate ``g``'s value matters (None: all of them)."""
    if g == "cand" and m.cell == "gated" and exploit_update:
        return G["update"]
    return None


def critical_steps(m: Machine, trace: Trace, exploit_update: bool = True
                   ) -> dict[str, np.ndarray]:
    """Per gate, int64 [H, H+E]: for each nonzero weight the number of steps of ``trace`` at
    which removing that weight *alone* changes a gate value that matters (the steps of
    :func:`prune`); ``-1`` where the weight is already zero. A weight with count 0 is
    removable on its own; :func:`prune` removes a jointly safe subset of those. ``ValueError``
    if ``trace`` is not a run of ``m``."""
    return _critical(m, *_gate_values(m, trace), exploit_update)


def _critical(m: Machine, X: np.ndarray, A: dict, G: dict, exploit_update: bool
              ) -> dict[str, np.ndarray]:
    """:func:`critical_steps` from the gate inputs, sums and values of :func:`_gate_values`."""
    Xf = X.astype(np.float32)
    out = {}
    for g in m.gates:
        rel = _relevant(m, g, G, exploit_update)
        on_hi = A[g] == m.theta[g]                    # a removed +1 input turns these off
        on_lo = A[g] == m.theta[g] - 1                # a removed −1 input turns these on
        if rel is not None:
            on_hi &= rel
            on_lo &= rel
        c_hi = (on_hi.T.astype(np.float32) @ Xf).astype(np.int64)
        c_lo = (on_lo.T.astype(np.float32) @ Xf).astype(np.int64)
        w = m.W[g]
        out[g] = np.where(w > 0, c_hi, np.where(w < 0, c_lo, -1))
    return out


def prune(m: Machine, trace: Trace, exploit_update: bool = True, readout: bool = True
          ) -> tuple[Machine, PruneStats]:
    """A copy of ``m`` without the weights that never change an output on ``trace`` (module
    docstring), and what was removed. ``trace`` must be a :func:`~trnn.logic.trace.run_trace`
    of ``m`` itself (``ValueError`` otherwise). Raises ``RuntimeError`` if the pruned machine,
    re-run on the trace's stories, differs in any state or greedy token (it cannot by
    construction; the check makes the guarantee explicit)."""
    t0 = time.perf_counter()
    H = m.H
    X, A, G = _gate_values(m, trace)
    XT = np.ascontiguousarray(X.T).astype(bool)                       # [N, T]
    activity = XT.sum(axis=1)
    T = len(trace)
    W = {}
    for g in m.gates:
        Wg = m.W[g].copy()
        rel = _relevant(m, g, G, exploit_update)
        for i in range(H):
            relevant = np.ones(T, dtype=bool) if rel is None else rel[:, i]
            Wg[i] = _prune_row(m.W[g][i], A[g][:, i], int(m.theta[g][i]), relevant, XT,
                               activity, H)
        W[g] = Wg
    R = _prune_readout(m.R, m.c, trace.h_after, trace.greedy) if readout else m.R.copy()
    pm = replace(m, W=W, theta={g: m.theta[g].copy() for g in m.gates}, R=R,
                 meta={**m.meta, "pruned_on_trace": {"steps": T, "stories": trace.n_stories}})
    pm.validate()
    check = replay(pm, trace)
    if not (np.array_equal(check.h_after, trace.h_after)
            and np.array_equal(check.greedy, trace.greedy)):
        raise RuntimeError("pruned machine diverges from the trace (a bug in prune)")

    def count(ws, state=False):
        return {g: int((ws[g][:, :H] if state else ws[g]).astype(bool).sum()) for g in m.gates}
    crit = np.concatenate([c[c >= 0] for c in _critical(m, X, A, G, exploit_update).values()])
    critical = {f"<= {k}": int((crit <= k).sum()) for k in (0, 10, 100, 1000)}
    critical["median"] = float(np.median(crit)) if crit.size else 0.0
    before, after = count(m.W), count(W)
    before["R"], after["R"] = int((m.R != 0).sum()), int((R != 0).sum())
    stats = PruneStats(steps=T, stories=trace.n_stories, exploit_update=exploit_update,
                       readout=readout, weights_before=before, weights_after=after,
                       state_weights_before=count(m.W, True), state_weights_after=count(W, True),
                       seconds=time.perf_counter() - t0, critical=critical)
    return pm, stats
