"""Drawing the dependency graph: state bits as a force-directed picture, one panel per graph.

:func:`draw` renders a :class:`~trnn.logic.split.SplitReport` (before and after pruning) or
:class:`~trnn.logic.depgraph.DepGraph` objects to a PNG with matplotlib's Agg backend, without
touching pyplot's global state.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np

from .depgraph import DepGraph, size_histogram
from .split import SplitReport


def _draw_panel(ax, d: DepGraph, title: str, seed: int,
                names: dict[int, str] | None = None) -> None:
    """Draw graph ``d`` into the matplotlib axes ``ax`` under ``title`` (see :func:`draw`)."""
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
    for comp in d.components:
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
    names = names or {}
    for i in range(d.H):
        if i in names:   # named bits by name (beside the dot), at any size
            ax.annotate(names[i], xy[i], xytext=(4, 3), textcoords="offset points", fontsize=6,
                        color="darkblue", zorder=4)
        elif d.H <= 80:
            ax.annotate(str(i), xy[i], fontsize=6, ha="center", va="center", zorder=4)
    sizes = [len(c) for c in d.components]
    ax.set_title(f"{title}\n{d.total_weights} weights, {d.n_edges} bit→bit edges, "
                 f"{int(d.reads.sum())} bit→token edges\n{len(d.components)} components "
                 f"(largest {sizes[0] if sizes else 0}), {len(d.sccs)} SCCs, cyclic: "
                 f"{size_histogram([len(c) for c in d.cyclic_sccs])}", fontsize=8)
    ax.text(0.01, 0.01, f"tokens no bit reaches: {len(d.unreached_tokens)} of {d.V}; "
            f"embedding-only bits: {len(d.embedding_only)}; dead bits: {len(d.dead)}",
            transform=ax.transAxes, fontsize=7, va="bottom")
    handles = [Line2D([], [], ls="", marker="o", mfc="0.75", mec="black", label="in a cyclic SCC"),
               Line2D([], [], ls="", marker="s", mfc="0.75", mec="none",
                      label="embedding-only bit"),
               Line2D([], [], ls="", marker="x", color="red", label="dead (reaches no token)"),
               Line2D([], [], ls="", marker="o", mfc="0.75", mec="none",
                      label="colour: component (grey: singleton)\n"
                            "area: tokens the bit reads into")]
    ax.legend(handles=handles, loc="upper right", fontsize=6, framealpha=0.7)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.08)
    ax.autoscale_view()
    ax.set_xticks([])
    ax.set_yticks([])


def draw(what, path: str | Path, seed: int = 0, names: dict[int, str] | None = None) -> Path:
    """Draw a :class:`SplitReport` (before and, if pruned, after: two panels), a
    :class:`DepGraph` or a list of them to the PNG ``path``: state bits placed by a
    force-directed layout (``spring_layout``, fixed ``seed``), coloured by component, outlined
    when in a cyclic SCC, sized by how many output tokens they feed (the tokens themselves are
    summarised, not drawn). Edges are arrows when there are at most 300, else faint lines;
    self-loops (keep loops, self weights) are not drawn. Uses the Agg backend without touching
    pyplot's global state. The PNG is 120 dpi, 7 × 7.5 inches per panel; missing parent
    folders are created. ``names`` labels the named bits by name (the others by number, up
    to 80 bits). Returns ``path`` as a :class:`~pathlib.Path`; ``OSError`` if it
    cannot be written."""
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
        _draw_panel(ax, d, title, seed, names)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path

