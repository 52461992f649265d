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


def machine_bpb(m: Machine, stories: list[str], engine=None, progress: bool = False
                ) -> tuple[float, int]:
    """``(bits per byte, bytes)`` of ``stories`` under machine ``m``.

    Each story is read as EOT, its tokens, EOT, starting from ``h0``; every story token and
    the closing EOT are predicted, and the EOT counts as one byte. All stories run as one
    batch, longest first, so finished stories drop off the end of the batch."""
    from tqdm import tqdm

    eng = engine or NumpyEngine(m)
    tok = m.tokenizer
    beta = float(m.logit_scale)
    enc = sorted((tok.encode(s) for s in stories), key=len, reverse=True)
    if not enc:
        raise ValueError("no stories to evaluate")
    lengths = np.array([len(e) + 1 for e in enc])      # predictions per story
    T = int(lengths[0])
    ids = np.full((len(enc), T + 1), tok.eot_id, dtype=np.int64)
    for r, e in enumerate(enc):
        ids[r, 1:1 + len(e)] = e
    bits = 0.0
    h = eng.initial_state(len(enc))
    with tqdm(total=int(lengths.sum()), disable=not progress, unit="tok",
              dynamic_ncols=True) as bar:
        for t in range(T):
            live = int((lengths > t).sum())             # a prefix, lengths are sorted
            h = eng.step(h[:live], ids[:live, t])
            lp = _log_softmax(np.asarray(eng.scores(h), dtype=np.float64) * beta)
            bits -= lp[np.arange(live), ids[:live, t + 1]].sum() / math.log(2)
            bar.update(live)
    nbytes = sum(len(s.encode()) + 1 for s in stories)
    return bits / nbytes, nbytes
