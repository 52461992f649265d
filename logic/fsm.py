"""Finite-state machines: a trained machine read as a Moore machine, minimised and compared.

A :class:`~trnn.model.machine.Machine` with ``H`` state bits is a Moore machine over its
``2**H`` binary states: the input alphabet is its ``V`` tokens, the transition is the integer
step of :class:`~trnn.model.golden.NumpyEngine` (EOT resets to ``h0`` first), and the output
of a state is its greedy token (argmax of the scores, lowest id on ties).

:func:`reachable_graph` enumerates every state reachable from a start state (default
:func:`start_state`: ``h0`` after reading EOT) under all ``V`` tokens; :func:`minimise` merges
equivalent states of any Moore machine ``(delta, output)`` by partition refinement into a
canonically numbered :class:`MinimalMachine`; :func:`isomorphism` checks, state by state and
transition by transition, whether two minimal machines are the same machine.
:func:`greedy_outputs` runs a machine's greedy outputs over a batch of token sequences.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..model.golden import NumpyEngine
from ..model.machine import Machine


class AutomatonError(ValueError):
    """A machine whose reachable state graph is too large, or an inconsistent table."""


# -- running a machine -----------------------------------------------------------------------
def greedy_outputs(m: Machine, tokens: np.ndarray) -> np.ndarray:
    """int64 [B, T]: the greedy token after each input token, for a batch ``tokens`` [B, T]
    of token ids read from ``h0`` (with the golden engine: integer step, argmax with ties to
    the lowest id). Sequences usually start with EOT, which resets to ``h0`` anyway."""
    eng = NumpyEngine(m)
    tokens = np.asarray(tokens)
    h = eng.initial_state(tokens.shape[0])
    out = np.empty(tokens.shape, dtype=np.int64)
    for t in range(tokens.shape[1]):
        h = eng.step(h, tokens[:, t])
        out[:, t] = np.argmax(eng.scores(h), axis=-1)
    return out


# -- the reachable state graph ------------------------------------------------------------------
class StateGraph(NamedTuple):
    """The reachable part of a machine as a Moore machine; state 0 is the start state.

    ``states`` [n, H] uint8 bits, ``delta`` [n, V] next-state indices, ``output`` [n] the
    greedy token of each state."""

    states: np.ndarray
    delta: np.ndarray
    output: np.ndarray


def start_state(m: Machine) -> np.ndarray:
    """uint8 [H]: ``h0`` after reading EOT, where every sequence ``EOT d1 d2 …`` starts."""
    eng = NumpyEngine(m)
    return eng.step(eng.initial_state(), m.eot_id)


def reachable_graph(m: Machine, start: np.ndarray | None = None,
                    max_states: int = 1 << 16) -> StateGraph:
    """All states reachable from ``start`` (uint8 [H]; default :func:`start_state`) under all
    ``V`` tokens, EOT included, by breadth-first search with the integer step of the golden
    engine; states are numbered in the order found, ``start`` first.

    Raises :class:`AutomatonError` if ``start`` is not ``H`` bits, or if more than
    ``max_states`` states are reachable (the search stops there; a machine with ``H`` state
    bits has at most ``2**H``)."""
    eng = NumpyEngine(m)
    V, H = m.V, m.H
    s0 = start_state(m) if start is None else np.asarray(start, dtype=np.uint8)
    if s0.shape != (H,) or s0.max(initial=0) > 1:
        raise AutomatonError(f"start must be {H} bits, got shape {s0.shape}")
    index = {s0.tobytes(): 0}
    states = [s0]
    rows: list[np.ndarray] = []
    frontier = [0]
    toks = np.arange(V)
    while frontier:
        # one batched step: every frontier state under every token
        hs = np.stack([states[i] for i in frontier])
        nxt = eng.step(np.repeat(hs, V, axis=0), np.tile(toks, len(frontier)))
        new_frontier = []
        for k, i in enumerate(frontier):
            row = np.empty(V, dtype=np.int64)
            for v in range(V):
                h = nxt[k * V + v]
                key = h.tobytes()
                j = index.get(key)
                if j is None:
                    j = len(states)
                    if j >= max_states:
                        raise AutomatonError(f"more than {max_states} reachable states (H = {H}"
                                             f"); raise max_states to search further")
                    index[key] = j
                    states.append(h)
                    new_frontier.append(j)
                row[v] = j
            rows.append((i, row))
        frontier = new_frontier
    delta = np.empty((len(states), V), dtype=np.int64)
    for i, row in rows:
        delta[i] = row
    S = np.stack(states).astype(np.uint8)
    output = np.argmax(eng.scores(S), axis=-1).astype(np.int64)
    return StateGraph(S, delta, output)


# -- minimisation -------------------------------------------------------------------------------
@dataclass
class MinimalMachine:
    """A minimal Moore machine. States are numbered in breadth-first order from ``start = 0``
    (tokens in id order), so two isomorphic minimal machines have identical tables.

    ``delta`` int64 [n, V] next state, ``output`` int64 [n] output token, ``block_of`` int64
    [n_raw] the minimal state of each raw state of the machine it was made from (−1:
    unreachable from start)."""

    n_states: int
    start: int
    delta: np.ndarray
    output: np.ndarray
    block_of: np.ndarray = field(repr=False)

    @property
    def block_sizes(self) -> np.ndarray:
        """int64 [n]: how many raw states each minimal state stands for."""
        b = self.block_of[self.block_of >= 0]
        return np.bincount(b, minlength=self.n_states)


def _check_table(delta: np.ndarray, output: np.ndarray, start: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(delta, output)`` as int64 arrays; :class:`AutomatonError` unless they are a Moore
    machine's table ([n, V] and [n], n ≥ 1, every entry a state) with ``start`` a state."""
    delta = np.asarray(delta, dtype=np.int64)
    output = np.asarray(output, dtype=np.int64)
    if delta.ndim != 2 or output.shape != (delta.shape[0],) or delta.shape[0] == 0:
        raise AutomatonError(f"delta must be [n, V] and output [n]; got {delta.shape} and "
                             f"{output.shape}")
    n = delta.shape[0]
    if delta.size and (delta.min() < 0 or delta.max() >= n):
        raise AutomatonError("delta refers to a state that does not exist")
    if not 0 <= start < n:
        raise AutomatonError(f"start {start} is not a state (n = {n})")
    return delta, output


def minimise(delta: np.ndarray, output: np.ndarray, start: int = 0) -> MinimalMachine:
    """Merge equivalent states of the Moore machine ``(delta, output)`` (Moore's partition
    refinement: start from the partition by output; split blocks whose members go to
    different blocks under some token; repeat until stable). States unreachable from
    ``start`` are dropped first. The result is numbered canonically (see
    :class:`MinimalMachine`). ``delta``: [n, V] next-state indices, ``output``: [n] output
    symbols (any integers); :class:`AutomatonError` if they are not such a table or
    ``start`` is not a state."""
    delta, output = _check_table(delta, output, start)
    n, V = delta.shape
    # reachable from start
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        s = queue.popleft()
        for t in delta[s]:
            if not seen[t]:
                seen[t] = True
                queue.append(int(t))
    reach = np.flatnonzero(seen)
    # refinement over the reachable states: block ids are dense integers
    _, block = np.unique(output[reach], return_inverse=True)
    local = np.full(n, -1, dtype=np.int64)
    local[reach] = np.arange(len(reach))
    d = local[delta[reach]]                          # [r, V] in reachable-local indices
    n_blocks = int(block.max()) + 1
    while True:
        sig = np.concatenate([block[:, None], block[d]], axis=1)
        _, new = np.unique(sig, axis=0, return_inverse=True)
        new = new.reshape(-1)
        k = int(new.max()) + 1
        block = new
        if k == n_blocks:
            break
        n_blocks = k
    # quotient table, then canonical breadth-first numbering from the start's block
    qdelta = np.empty((n_blocks, V), dtype=np.int64)
    qout = np.empty(n_blocks, dtype=np.int64)
    qdelta[block] = block[d]
    qout[block] = output[reach]
    order = {int(block[local[start]]): 0}
    queue = deque([int(block[local[start]])])
    while queue:
        b = queue.popleft()
        for t in qdelta[b]:
            if int(t) not in order:
                order[int(t)] = len(order)
                queue.append(int(t))
    perm = np.empty(n_blocks, dtype=np.int64)
    for b, i in order.items():
        perm[b] = i
    cdelta = np.empty_like(qdelta)
    cout = np.empty_like(qout)
    cdelta[perm] = perm[qdelta]
    cout[perm] = qout
    block_of = np.full(n, -1, dtype=np.int64)
    block_of[reach] = perm[block]
    return MinimalMachine(n_states=n_blocks, start=0, delta=cdelta, output=cout,
                          block_of=block_of)


def minimise_graph(g: StateGraph) -> MinimalMachine:
    """:func:`minimise` of a :func:`reachable_graph` (start state 0)."""
    return minimise(g.delta, g.output, 0)


# -- comparison ----------------------------------------------------------------------------------
def isomorphism(a: MinimalMachine, b: MinimalMachine) -> np.ndarray | None:
    """The bijection ``f`` from the states of ``a`` onto those of ``b`` with ``f(start_a) =
    start_b``, ``f(δ_a(s, t)) = δ_b(f(s), t)`` for every state ``s`` and token ``t``, and
    ``output_b(f(s)) = output_a(s)``; ``None`` if there is none. Both machines must have all
    states reachable from their start (as :func:`minimise` gives); the map is then forced, so
    the check is a walk of both tables side by side. Returns int64 [n] (state of ``a`` →
    state of ``b``)."""
    if a.delta.shape[1] != b.delta.shape[1] or a.n_states != b.n_states:
        return None
    f = np.full(a.n_states, -1, dtype=np.int64)
    used = np.zeros(b.n_states, dtype=bool)
    f[a.start], used[b.start] = b.start, True
    queue = deque([a.start])
    while queue:
        s = queue.popleft()
        if a.output[s] != b.output[f[s]]:
            return None
        for t in range(a.delta.shape[1]):
            sa, sb = int(a.delta[s, t]), int(b.delta[f[s], t])
            if f[sa] < 0:
                if used[sb]:
                    return None
                f[sa], used[sb] = sb, True
                queue.append(sa)
            elif f[sa] != sb:
                return None
    if (f < 0).any():  # a state of `a` not reachable from its start
        return None
    return f
