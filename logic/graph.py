"""Split: which state bits depend on which, and what is left after pruning unused weights.

**The dependency graph** (:func:`dependency_graph`) of a :class:`~trnn.model.machine.Machine`
has the state bits ``0…H−1`` as nodes and an edge ``j → i`` when ``W[g][i, j] != 0`` for a
gate ``g`` of bit ``i`` that is *live* (``j < H``: a state column; embedding columns are inputs from
the token, not edges). In the gated cell ``h'[i] = update[i] ? cand[i] : h[i]`` also reads
``h[i]`` itself through the multiplexer: this *keep path* is recorded as a self-loop with the
edge attribute ``keep=True`` (``weight_gates`` lists the gates whose weight ``W[g][i, i]`` is
nonzero, empty for a pure keep loop). Keep loops are memory, not a dependency on another bit,
so they change no component below; a gate whose weight row is all zero is a constant
(``0 ≥ theta``), so an update gate that is constantly 0 makes the bit's candidate dead (its
edges are left out and the bit never changes after the EOT reset), and one that is
constantly 1 removes the keep loop. The readout gives edges bit ``j`` → token ``v`` when
``R[v, j] != 0`` (kept as the boolean matrix :attr:`DepGraph.reads`).

Numbers (all on :class:`DepGraph`): weights kept per gate (state / embedding columns) and in
the readout; bit→bit edges (``j != i``); weakly connected components of the bit graph
(*modules*) and strongly connected components (*SCCs*, with the *cyclic* ones: more than one
bit, or a bit that reads itself through a weight); *embedding-only* bits (no state column
in any live gate, the keep loop aside); *unread* bits (a zero column in every live gate,
its own included, and in ``R``); *dead* bits (no path to any readout weight: they cannot
affect a score); and *unreached* tokens (an all-zero readout row: only the constant ``c``).

**Pruning** (:func:`prune`) removes the weights that, on a :class:`~trnn.logic.trace.Trace`
(the validation text), never change an output. Gate weights go first, greedily, gate row by
gate row: with the row's pre-activations ``a[t] = Σ_j W[i, j]·x[t, j]`` kept up to date while
weights are removed one by one, a weight ``w = W[i, j]`` is removed only if ``a[t] − w·x[t, j]``
stays on the same side of ``theta[i]`` at every step ``t`` that matters (for ``w = +1`` no step
with ``a[t] = theta`` may have ``x[t, j] = 1``; for ``w = −1`` none with ``a[t] = theta − 1``).
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

:func:`split_report` gathers the graph before and (given a trace) after pruning;
:func:`draw` draws them as a PNG with matplotlib's Agg backend.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import networkx as nx
import numpy as np

from trnn.model.machine import Machine

from .trace import Trace, replay


# -- the graph ------------------------------------------------------------------------------

def _live_gates(m: Machine) -> dict[str, np.ndarray]:
    """Per gate, a bool [H] mask of the bits whose gate can influence the next state."""
    H = m.H
    live = {g: np.ones(H, dtype=bool) for g in m.gates}
    if m.cell == "gated":
        const0 = ~(m.W["update"] != 0).any(axis=1) & (m.theta["update"] > 0)
        live["cand"] &= ~const0
    return live


def _sorted_components(comps) -> list[list[int]]:
    return sorted((sorted(int(x) for x in c) for c in comps), key=lambda c: (-len(c), c[0]))


def _histogram(sizes: list[int]) -> str:
    """``"200×1, 3×2, 50"``: sizes largest first, repeats counted."""
    out = []
    for s in sorted(set(sizes), reverse=True):
        k = sizes.count(s)
        out.append(f"{s}" if k == 1 else f"{k}×{s}")
    return ", ".join(out) if out else "-"


@dataclass
class DepGraph:
    """The dependency graph of one machine and its numbers (see the module docstring).

    ``bits``: networkx DiGraph on ``0…H−1``, edge ``j → i`` with attributes ``weight_gates``
    (tuple of gate names with ``W[g][i, j] != 0``) and ``keep`` (True on the gated cell's
    keep self-loop). ``reads``: bool [H, V], ``reads[j, v] = R[v, j] != 0``. Component lists
    are sorted largest first, bits ascending inside."""

    cell: str
    H: int
    V: int
    bits: nx.DiGraph
    reads: np.ndarray
    weights: dict[str, dict[str, int]]
    readout_weights: int
    n_edges: int
    self_weight_bits: list[int]
    keep_loops: int
    modules: list[list[int]]
    sccs: list[list[int]]
    cyclic_sccs: list[list[int]]
    embedding_only: list[int]
    unread: list[int]
    dead: list[int]
    unreached_tokens: list[int]
    constant_gates: list[tuple[str, int, int]]
    modules_with_tokens: int

    @property
    def total_weights(self) -> int:
        gates = sum(w["state"] + w["embedding"] for w in self.weights.values())
        return gates + self.readout_weights

    def module_of(self) -> np.ndarray:
        """int [H]: the index in :attr:`modules` of each bit's module."""
        out = np.empty(self.H, dtype=np.int64)
        for k, c in enumerate(self.modules):
            out[c] = k
        return out

    def with_tokens(self) -> nx.DiGraph:
        """The bit graph plus one node ``("tok", v)`` per token with edges bit → token."""
        g = self.bits.copy()
        g.add_nodes_from(("tok", v) for v in range(self.V))
        js, vs = np.nonzero(self.reads)
        g.add_edges_from((int(j), ("tok", int(v))) for j, v in zip(js, vs))
        return g

    def numbers(self) -> dict:
        """The headline numbers, JSON-ready."""
        return {
            "bits": self.H, "tokens": self.V,
            "weights": self.weights, "readout_weights": self.readout_weights,
            "total_weights": self.total_weights,
            "edges": self.n_edges, "self_weight_bits": len(self.self_weight_bits),
            "keep_loops": self.keep_loops,
            "readout_edges": int(self.reads.sum()),
            "modules": len(self.modules), "module_sizes": [len(c) for c in self.modules],
            "modules_with_tokens": self.modules_with_tokens,
            "sccs": len(self.sccs), "scc_sizes": [len(c) for c in self.sccs],
            "cyclic_sccs": len(self.cyclic_sccs),
            "cyclic_scc_sizes": [len(c) for c in self.cyclic_sccs],
            "embedding_only_bits": self.embedding_only, "unread_bits": self.unread,
            "dead_bits": self.dead, "unreached_tokens": self.unreached_tokens,
            "constant_gates": [list(x) for x in self.constant_gates],
        }


def dependency_graph(m: Machine) -> DepGraph:
    """The dependency graph of ``m``'s state bits and readout, with its numbers."""
    H, V = m.H, m.V
    live = _live_gates(m)
    g = nx.DiGraph()
    g.add_nodes_from(range(H))
    gates_of: dict[tuple[int, int], list[str]] = {}
    weights = {}
    for gate in m.gates:
        nz = (m.W[gate] != 0) & live[gate][:, None]
        weights[gate] = {"state": int(nz[:, :H].sum()), "embedding": int(nz[:, H:].sum())}
        for i, j in zip(*np.nonzero(nz[:, :H])):
            gates_of.setdefault((int(j), int(i)), []).append(gate)
    for (j, i), gs in gates_of.items():
        g.add_edge(j, i, weight_gates=tuple(gs), keep=False)
    constant_gates = []
    for gate in m.gates:
        for i in np.nonzero(~(m.W[gate] != 0).any(axis=1) & live[gate])[0]:
            constant_gates.append((gate, int(i), int(0 >= m.theta[gate][i])))
    keep_loops = 0
    if m.cell == "gated":
        upd_const1 = ~(m.W["update"] != 0).any(axis=1) & (m.theta["update"] <= 0)
        for i in np.nonzero(~upd_const1)[0]:
            i = int(i)
            if g.has_edge(i, i):
                g.edges[i, i]["keep"] = True
            else:
                g.add_edge(i, i, weight_gates=(), keep=True)
            keep_loops += 1
    self_weight = sorted(i for i in range(H) if g.has_edge(i, i) and g.edges[i, i]["weight_gates"])
    n_edges = sum(1 for j, i in g.edges if j != i)

    reads = (m.R != 0).T.copy()                                        # [H, V]
    modules = _sorted_components(nx.weakly_connected_components(g))
    sccs = _sorted_components(nx.strongly_connected_components(g))
    cyclic = [c for c in sccs if len(c) > 1 or c[0] in self_weight]
    state_in = np.zeros(H, dtype=bool)
    read_by_gate = np.zeros(H, dtype=bool)
    for gate in m.gates:
        nz = (m.W[gate][:, :H] != 0) & live[gate][:, None]
        state_in |= nz.any(axis=1)
        read_by_gate |= nz.any(axis=0)
    embedding_only = [int(i) for i in np.nonzero(~state_in)[0]]
    unread = [int(j) for j in np.nonzero(~read_by_gate & ~reads.any(axis=1))[0]]
    alive = set(int(j) for j in np.nonzero(reads.any(axis=1))[0])
    for j in list(alive):
        alive |= nx.ancestors(g, j)
    dead = [i for i in range(H) if i not in alive]
    unreached = [int(v) for v in np.nonzero(~reads.any(axis=0))[0]]
    # modules once bits that feed a common token are joined (a union-find over readout rows)
    ug = nx.Graph()
    ug.add_nodes_from(range(H))
    ug.add_edges_from((j, i) for j, i in g.edges if j != i)
    for v in range(V):
        js = np.nonzero(reads[:, v])[0]
        ug.add_edges_from((int(js[0]), int(k)) for k in js[1:])
    modules_with_tokens = nx.number_connected_components(ug)
    return DepGraph(cell=m.cell, H=H, V=V, bits=g, reads=reads, weights=weights,
                    readout_weights=int((m.R != 0).sum()), n_edges=n_edges,
                    self_weight_bits=self_weight, keep_loops=keep_loops, modules=modules,
                    sccs=sccs, cyclic_sccs=cyclic, embedding_only=embedding_only,
                    unread=unread, dead=dead, unreached_tokens=unreached,
                    constant_gates=constant_gates, modules_with_tokens=modules_with_tokens)


# -- pruning --------------------------------------------------------------------------------

_BIG = np.int32(1 << 30)


@dataclass
class PruneStats:
    """What :func:`prune` removed. ``weights_before`` / ``weights_after``: nonzero weights per
    gate and ``"R"``; ``state_weights_*``: those in state columns per gate. ``verified``:
    the re-run of the pruned machine on the trace matched every state and greedy token.
    ``critical``: over the gate weights of the *unpruned* machine, how many change a gate
    value that matters at 0, ≤ 10, ≤ 100 and ≤ 1000 steps when removed alone, and the median
    such count (:func:`critical_steps`): how close the machine is to more pruning."""

    steps: int
    stories: int
    exploit_update: bool
    readout: bool
    weights_before: dict[str, int]
    weights_after: dict[str, int]
    state_weights_before: dict[str, int]
    state_weights_after: dict[str, int]
    verified: bool
    seconds: float
    critical: dict[str, float] = field(default_factory=dict)

    @property
    def removed(self) -> int:
        return sum(self.weights_before.values()) - sum(self.weights_after.values())

    def to_dict(self) -> dict:
        return {**asdict(self), "removed": self.removed}


def _exact_matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w`` for 0/1 and ternary matrices as int32, through float32 BLAS (exact: every
    partial sum is an integer far below 2²⁴)."""
    assert x.shape[1] < 1 << 23
    return (x.astype(np.float32) @ w.astype(np.float32)).astype(np.int32)


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
    S = np.asfortranarray(_exact_matmul(h, R.T) + c.astype(np.int32))  # [T, V]
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
    """Pre-activations ``A[g]`` [T, H] int32 and values ``G[g]`` (bool) of every gate on the
    trace; ``ValueError`` unless they reproduce the trace's states."""
    X = trace.gate_inputs(m)
    A = {g: _exact_matmul(X, m.W[g].T) for g in m.gates}
    G = {g: A[g] >= m.theta[g] for g in m.gates}
    if m.cell == "threshold":
        nxt = G["cand"]
    else:
        nxt = np.where(G["update"], G["cand"], trace.h_before.astype(bool))
    if not np.array_equal(nxt, trace.h_after.astype(bool)):
        raise ValueError("the trace's states are not those of this machine")
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
    removable on its own; :func:`prune` removes a jointly safe subset of those."""
    X, A, G = _gate_values(m, trace)
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
    verified = (np.array_equal(check.h_after, trace.h_after)
                and np.array_equal(check.greedy, trace.greedy))
    if not verified:
        raise RuntimeError("pruned machine diverges from the trace (a bug in prune)")

    def count(ws, state=False):
        out = {g: int((ws[g][:, :H] if state else ws[g]).astype(bool).sum()) for g in m.gates}
        return out
    crit = np.concatenate([c[c >= 0] for c in critical_steps(m, trace, exploit_update)
                           .values()])
    critical = {f"<= {k}": int((crit <= k).sum()) for k in (0, 10, 100, 1000)}
    critical["median"] = float(np.median(crit)) if crit.size else 0.0
    before, after = count(m.W), count(W)
    before["R"], after["R"] = int((m.R != 0).sum()), int((R != 0).sum())
    stats = PruneStats(steps=T, stories=trace.n_stories, exploit_update=exploit_update,
                       readout=readout, weights_before=before, weights_after=after,
                       state_weights_before=count(m.W, True), state_weights_after=count(W, True),
                       verified=verified, seconds=time.perf_counter() - t0,
                       critical=critical)
    return pm, stats


# -- the report -----------------------------------------------------------------------------

@dataclass
class SplitReport:
    """The graph of a machine, and (when a trace was given) of its pruned copy."""

    name: str
    before: DepGraph
    after: DepGraph | None = None
    prune: PruneStats | None = None
    pruned: Machine | None = field(default=None, repr=False)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "seconds": self.seconds,
                "before": self.before.numbers(),
                "after": self.after.numbers() if self.after else None,
                "prune": self.prune.to_dict() if self.prune else None}

    def format(self) -> str:
        """A short text table, one column per graph."""
        cols = [("before", self.before)] + ([("after pruning", self.after)] if self.after else [])

        def ids(xs, n=12):
            if not xs:
                return "0"
            more = ", …" if len(xs) > n else ""
            return f"{len(xs)} ({', '.join(map(str, xs[:n]))}{more})"
        rows = [
            ("weights (gates state/emb, R)",
             lambda d: " ".join(f"{g} {w['state']}/{w['embedding']}"
                                for g, w in d.weights.items()) + f", R {d.readout_weights}"),
            ("weights total", lambda d: f"{d.total_weights}"),
            ("bit→bit edges", lambda d: f"{d.n_edges}"),
            ("bits reading themselves (weight)", lambda d: f"{len(d.self_weight_bits)}"),
            ("keep loops (gated mux)", lambda d: f"{d.keep_loops}"),
            ("bit→token edges", lambda d: f"{int(d.reads.sum())}"),
            ("modules (weakly connected)", lambda d: f"{len(d.modules)}"),
            ("module sizes", lambda d: _histogram([len(c) for c in d.modules])),
            ("modules incl. shared tokens", lambda d: f"{d.modules_with_tokens}"),
            ("SCCs", lambda d: f"{len(d.sccs)}"),
            ("cyclic SCC sizes", lambda d: _histogram([len(c) for c in d.cyclic_sccs])),
            ("embedding-only bits", lambda d: ids(d.embedding_only)),
            ("unread bits", lambda d: ids(d.unread)),
            ("dead bits (reach no token)", lambda d: ids(d.dead)),
            ("tokens no bit reaches", lambda d: ids(d.unreached_tokens)),
        ]
        width = max(len(r[0]) for r in rows)
        cells = [[f(d) for _, d in cols] for _, f in rows]
        cw = [max(len(cols[k][0]), *(len(c[k]) for c in cells)) for k in range(len(cols))]
        lines = [f"split: {self.name} ({self.before.cell} cell, H={self.before.H}, "
                 f"V={self.before.V})",
                 (" " * width + "  "
                  + "  ".join(n.ljust(w) for (n, _), w in zip(cols, cw))).rstrip()]
        for (label, _), cs in zip(rows, cells):
            lines.append((label.ljust(width) + "  "
                          + "  ".join(c.ljust(w) for c, w in zip(cs, cw))).rstrip())
        if self.prune:
            p = self.prune
            per = ", ".join(f"{k} {p.weights_before[k]}→{p.weights_after[k]}"
                            for k in p.weights_before)
            lines.append(f"pruned on {p.steps} steps of {p.stories} stories: "
                         f"{p.removed} of {sum(p.weights_before.values())} weights removed "
                         f"({per}); candidate held only where update=1: {p.exploit_update}; "
                         f"readout pruned: {p.readout}; re-run identical: {p.verified} "
                         f"({p.seconds:.1f} s)")
            c = p.critical
            if c:
                lines.append("gate weights whose removal alone changes a gate at 0 / ≤10 / "
                             f"≤100 / ≤1000 steps: {c['<= 0']} / {c['<= 10']} / "
                             f"{c['<= 100']} / {c['<= 1000']} of "
                             f"{sum(p.weights_before[g] for g in self.before.weights)} "
                             f"(median {c['median']:g} steps)")
        return "\n".join(lines)


def split_report(m: Machine, trace: Trace | None = None, name: str = "model",
                 exploit_update: bool = True, readout: bool = True) -> SplitReport:
    """The graph of ``m``; with a ``trace`` of ``m`` also the pruned machine and its graph."""
    t0 = time.perf_counter()
    rep = SplitReport(name=name, before=dependency_graph(m))
    if trace is not None:
        rep.pruned, rep.prune = prune(m, trace, exploit_update=exploit_update, readout=readout)
        rep.after = dependency_graph(rep.pruned)
    rep.seconds = time.perf_counter() - t0
    return rep


# -- the picture ----------------------------------------------------------------------------

def _draw_panel(ax, d: DepGraph, title: str, seed: int) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    und = nx.Graph()
    und.add_nodes_from(range(d.H))
    und.add_edges_from((j, i) for j, i in d.bits.edges if j != i)
    pos = nx.spring_layout(und, seed=seed, k=1.5 / np.sqrt(max(d.H, 1)), iterations=100)
    xy = np.array([pos[i] for i in range(d.H)])
    segs = [(xy[j], xy[i]) for j, i in d.bits.edges if j != i]
    if 0 < len(segs) <= 300:                                            # few: arrows
        for a, b in segs:
            ax.annotate("", xy=b, xytext=a, zorder=1,
                        arrowprops=dict(arrowstyle="-|>", color="0.4", lw=0.6,
                                        shrinkA=6, shrinkB=6, mutation_scale=8))
    elif segs:
        alpha = float(np.clip(30.0 / np.sqrt(len(segs)), 0.04, 0.6))
        ax.add_collection(LineCollection(segs, colors="0.35", linewidths=0.4, alpha=alpha,
                                         zorder=1))
    palette = [f"C{k}" for k in range(10)]
    colour = ["0.75"] * d.H
    k = 0
    for comp in d.modules:
        if len(comp) < 2:
            continue
        for i in comp:
            colour[i] = palette[k % len(palette)]
        k += 1
    fan = d.reads.sum(axis=1)
    size = (40 if d.H <= 80 else 12) + 120 * np.sqrt(fan / max(int(fan.max()), 1))
    cyclic = np.zeros(d.H, dtype=bool)
    for c in d.cyclic_sccs:
        cyclic[c] = True
    emb_only = np.zeros(d.H, dtype=bool)
    emb_only[d.embedding_only] = True
    dead = np.zeros(d.H, dtype=bool)
    dead[d.dead] = True
    for marker, sel in (("o", ~emb_only), ("s", emb_only)):
        for cyc in (True, False):
            s = sel & (cyclic == cyc)
            if not s.any():
                continue
            idx = np.nonzero(s)[0]
            ax.scatter(xy[idx, 0], xy[idx, 1], s=size[idx], marker=marker,
                       c=[colour[i] for i in idx], edgecolors="black" if cyc else "none",
                       linewidths=0.8, zorder=2)
    if dead.any():
        ax.scatter(xy[dead, 0], xy[dead, 1], s=20, marker="x", c="red", linewidths=0.8,
                   zorder=3)
    if d.H <= 80:
        for i in range(d.H):
            ax.annotate(str(i), xy[i], fontsize=6, ha="center", va="center", zorder=4)
    sizes = [len(c) for c in d.modules]
    ax.set_title(f"{title}\n{d.total_weights} weights, {d.n_edges} bit→bit edges, "
                 f"{int(d.reads.sum())} bit→token edges\n{len(d.modules)} modules "
                 f"(largest {sizes[0] if sizes else 0}), {len(d.sccs)} SCCs, cyclic: "
                 f"{_histogram([len(c) for c in d.cyclic_sccs])}", fontsize=8)
    ax.text(0.01, 0.01, f"tokens no bit reaches: {len(d.unreached_tokens)} of {d.V}; "
            f"embedding-only bits: {len(d.embedding_only)}; dead bits: {len(d.dead)}",
            transform=ax.transAxes, fontsize=7, va="bottom")
    handles = [Line2D([], [], ls="", marker="o", mfc="0.75", mec="black", label="in a cyclic SCC"),
               Line2D([], [], ls="", marker="s", mfc="0.75", mec="none",
                      label="embedding-only bit"),
               Line2D([], [], ls="", marker="x", color="red", label="dead (reaches no token)"),
               Line2D([], [], ls="", marker="o", mfc="0.75", mec="none",
                      label="colour: module (grey: singleton)\narea: tokens the bit reads into")]
    ax.legend(handles=handles, loc="upper right", fontsize=6, framealpha=0.7)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.08)
    ax.autoscale_view()
    ax.set_xticks([])
    ax.set_yticks([])


def draw(what, path: str | Path, seed: int = 0) -> Path:
    """Draw a :class:`SplitReport` (before and, if pruned, after: two panels), a
    :class:`DepGraph` or a list of them to the PNG ``path``: state bits placed by a
    force-directed layout (``spring_layout``, fixed ``seed``), coloured by module, outlined
    when in a cyclic SCC, sized by how many output tokens they feed (the tokens themselves are
    summarised, not drawn). Edges are arrows when there are at most 300, else faint lines;
    self-loops (keep loops, self weights) are not drawn. Uses the Agg backend without touching
    pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if isinstance(what, SplitReport):
        panels = [(f"{what.name}: as trained", what.before)]
        if what.after is not None:
            panels.append((f"{what.name}: after pruning on the trace", what.after))
    elif isinstance(what, DepGraph):
        panels = [("dependency graph", what)]
    else:
        panels = [(f"graph {k}", d) for k, d in enumerate(what)]
    fig = Figure(figsize=(7 * len(panels), 7.5), dpi=120)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, d) in zip(axes, panels):
        _draw_panel(ax, d, title, seed)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path

