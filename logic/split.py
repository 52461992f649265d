"""The split report: a machine's dependency graph before and, given a trace, after pruning.

:func:`split_report` builds the :class:`~trnn.logic.depgraph.DepGraph` of a machine and, when a
:class:`~trnn.logic.trace.Trace` of it is given, prunes it (:func:`trnn.logic.prune.prune`)
and builds the graph of the pruned copy. :meth:`SplitReport.format` is the text table that
``trnn logic split`` prints, :meth:`SplitReport.to_dict` the numbers it writes as JSON;
:func:`trnn.logic.drawing.draw` draws the graphs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from trnn.model.machine import Machine

from .depgraph import DepGraph, dependency_graph, size_histogram
from .prune import PruneStats, prune
from .trace import Trace


@dataclass
class SplitReport:
    """The graph of a machine (``before``), and when a trace was given the pruning
    (``prune``), the pruned machine (``pruned``) and its graph (``after``); ``None`` without a
    trace. ``seconds``: wall time of :func:`split_report`."""

    name: str
    before: DepGraph
    after: DepGraph | None = None
    prune: PruneStats | None = None
    pruned: Machine | None = field(default=None, repr=False)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """The numbers of both graphs and of the pruning, JSON-ready (``None`` for parts not
        computed)."""
        return {"name": self.name, "seconds": self.seconds,
                "before": self.before.numbers(),
                "after": self.after.numbers() if self.after else None,
                "prune": self.prune.to_dict() if self.prune else None}

    def format(self) -> str:
        """A short text table, one column per graph, then one line on the pruning and one on
        the weights closest to being prunable."""
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
            ("components (weakly connected)", lambda d: f"{len(d.components)}"),
            ("component sizes", lambda d: size_histogram([len(c) for c in d.components])),
            ("components incl. shared tokens", lambda d: f"{d.components_with_tokens}"),
            ("SCCs", lambda d: f"{len(d.sccs)}"),
            ("cyclic SCC sizes", lambda d: size_histogram([len(c) for c in d.cyclic_sccs])),
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
            # prune raises unless the re-run is identical, so a report with pruning says so
            lines.append(f"pruned on {p.steps} steps of {p.stories} stories: "
                         f"{p.removed} of {sum(p.weights_before.values())} weights removed "
                         f"({per}); candidate held only where update=1: {p.exploit_update}; "
                         f"readout pruned: {p.readout}; re-run identical: True "
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
    """The graph of ``m``; with a ``trace`` of ``m`` also the pruned machine and its graph
    (:func:`~trnn.logic.prune.prune` with ``exploit_update`` and ``readout``; its
    ``ValueError`` if the trace is not of ``m``). ``name`` heads the report."""
    t0 = time.perf_counter()
    rep = SplitReport(name=name, before=dependency_graph(m))
    if trace is not None:
        rep.pruned, rep.prune = prune(m, trace, exploit_update=exploit_update, readout=readout)
        rep.after = dependency_graph(rep.pruned)
    rep.seconds = time.perf_counter() - t0
    return rep
