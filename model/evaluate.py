"""Bits per byte of the *deployed* integer machine (docs/machine.md §Evaluation).

Probabilities come from the integer scores as ``p = softmax(β · score)`` with ``β`` the
model file's ``logit_scale``, computed in float64. The integer states are produced by an engine
(NumPy by default), so the figure is that of exactly the machine the hardware runs.
"""

from __future__ import annotations

import math

import numpy as np

from .golden import NumpyEngine
from .machine import Machine


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def run_stories(eng, enc: list[list[int]], eot_id: int, progress: bool = False):
    """Read encoded stories ``enc`` as evaluation does: each as EOT, its tokens, from ``h0``,
    all as one batch, longest first, so finished stories drop off the end of the batch.

    Yields, for each position ``t``, ``(t, rows, inputs, targets, h)``: the indices into
    ``enc`` of the stories still being read (longest first), the token each reads at ``t``,
    the token each must predict next (its next token, or the closing EOT after its last), and
    their states after the step."""
    from tqdm import tqdm

    n = np.array([len(e) + 1 for e in enc], dtype=np.int64)     # steps per story
    order = np.argsort(-n, kind="stable")
    lengths = n[order]
    ids = np.full((len(enc), int(lengths[0]) + 1), eot_id, dtype=np.int64)
    for r, s in enumerate(order):
        ids[r, 1:1 + len(enc[s])] = enc[s]
    h = eng.initial_state(len(enc))
    with tqdm(total=int(n.sum()), disable=not progress, unit="tok", dynamic_ncols=True) as bar:
        for t in range(int(lengths[0])):
            live = int((lengths > t).sum())             # a prefix, lengths are sorted
            h = eng.step(h[:live], ids[:live, t])
            yield t, order[:live], ids[:live, t], ids[:live, t + 1], h
            bar.update(live)


def machine_bpb(m: Machine, stories: list[str], engine=None, progress: bool = False
                ) -> tuple[float, int]:
    """``(bits per byte, bytes)`` of ``stories`` under machine ``m``.

    Each story is read as EOT, its tokens, EOT, starting from ``h0``; every story token and
    the closing EOT are predicted, and the EOT counts as one byte (:func:`run_stories`)."""
    eng = engine or NumpyEngine(m)
    enc = [m.tokenizer.encode(s) for s in stories]
    if not enc:
        raise ValueError("no stories to evaluate")
    beta = float(m.logit_scale)
    bits = 0.0
    for _, _, _, targets, h in run_stories(eng, enc, m.eot_id, progress):
        lp = _log_softmax(np.asarray(eng.scores(h), dtype=np.float64) * beta)
        bits -= lp[np.arange(len(targets)), targets].sum() / math.log(2)
    nbytes = sum(len(s.encode()) + 1 for s in stories)
    return bits / nbytes, nbytes
