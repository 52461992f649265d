"""The dependency graph of a machine's state bits, and its connected components.

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
(*components*) and strongly connected components (*SCCs*, with the *cyclic* ones: more than one
bit, or a bit that reads itself through a weight); *embedding-only* bits (no state column
in any live gate, the keep loop aside); *unread* bits (a zero column in every live gate,
its own included, and in ``R``); *dead* bits (no path to any readout weight: they cannot
affect a score); and *unreached* tokens (an all-zero readout row: only the constant ``c``).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from trnn.model.machine import Machine


def _live_gates(m: Machine) -> dict[str, np.ndarray]:
    """Per gate, a bool [H] mask of the bits whose gate can influence the next state."""
    H = m.H
    live = {g: np.ones(H, dtype=bool) for g in m.gates}
    if m.cell == "gated":
        const0 = ~(m.W["update"] != 0).any(axis=1) & (m.theta["update"] > 0)
        live["cand"] &= ~const0
    return live


def _sorted_components(comps) -> list[list[int]]:
    """Components as sorted lists of ints, largest first (ties: by smallest bit)."""
    return sorted((sorted(int(x) for x in c) for c in comps), key=lambda c: (-len(c), c[0]))


def size_histogram(sizes: list[int]) -> str:
    """Sizes (e.g. of components) as ``"200, 3×2, 50×1"``: largest first, a size that occurs
    ``k > 1`` times written ``k×size``; ``"-"`` for none."""
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
    keep self-loop). ``reads``: bool [H, V], ``reads[j, v] = R[v, j] != 0``. ``weights``: per
    gate, the nonzero weights of live rows in state and embedding columns. ``components``:
    the weakly connected components of ``bits``; ``components_with_tokens``: their number
    once bits that feed a common token are joined. ``constant_gates``: ``(gate, bit, value)``
    of each live gate with an all-zero row. Bit and token lists are ascending; component lists
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
    components: list[list[int]]
    sccs: list[list[int]]
    cyclic_sccs: list[list[int]]
    embedding_only: list[int]
    unread: list[int]
    dead: list[int]
    unreached_tokens: list[int]
    constant_gates: list[tuple[str, int, int]]
    components_with_tokens: int

    @property
    def total_weights(self) -> int:
        """Nonzero weights of live gate rows plus those of the readout."""
        gates = sum(w["state"] + w["embedding"] for w in self.weights.values())
        return gates + self.readout_weights

    def component_of(self) -> np.ndarray:
        """int64 [H]: the index in :attr:`components` of each bit's component."""
        out = np.empty(self.H, dtype=np.int64)
        for k, c in enumerate(self.components):
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
        """The headline numbers, JSON-ready. The components are under the keys ``modules``,
        ``module_sizes`` and ``modules_with_tokens``."""
        return {
            "bits": self.H, "tokens": self.V,
            "weights": self.weights, "readout_weights": self.readout_weights,
            "total_weights": self.total_weights,
            "edges": self.n_edges, "self_weight_bits": len(self.self_weight_bits),
            "keep_loops": self.keep_loops,
            "readout_edges": int(self.reads.sum()),
            "modules": len(self.components),
            "module_sizes": [len(c) for c in self.components],
            "modules_with_tokens": self.components_with_tokens,
            "sccs": len(self.sccs), "scc_sizes": [len(c) for c in self.sccs],
            "cyclic_sccs": len(self.cyclic_sccs),
            "cyclic_scc_sizes": [len(c) for c in self.cyclic_sccs],
            "embedding_only_bits": self.embedding_only, "unread_bits": self.unread,
            "dead_bits": self.dead, "unreached_tokens": self.unreached_tokens,
            "constant_gates": [list(x) for x in self.constant_gates],
        }


def dependency_graph(m: Machine) -> DepGraph:
    """The dependency graph of ``m``'s state bits and readout, with its numbers (module
    docstring). ``m`` is not changed."""
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
    components = _sorted_components(nx.weakly_connected_components(g))
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
    # components once bits that feed a common token are joined (one edge chain per token)
    ug = nx.Graph()
    ug.add_nodes_from(range(H))
    ug.add_edges_from((j, i) for j, i in g.edges if j != i)
    for v in range(V):
        js = np.nonzero(reads[:, v])[0]
        ug.add_edges_from((int(js[0]), int(k)) for k in js[1:])
    components_with_tokens = nx.number_connected_components(ug)
    return DepGraph(cell=m.cell, H=H, V=V, bits=g, reads=reads, weights=weights,
                    readout_weights=int((m.R != 0).sum()), n_edges=n_edges,
                    self_weight_bits=self_weight, keep_loops=keep_loops, components=components,
                    sccs=sccs, cyclic_sccs=cyclic, embedding_only=embedding_only,
                    unread=unread, dead=dead, unreached_tokens=unreached,
                    constant_gates=constant_gates,
                    components_with_tokens=components_with_tokens)
