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


def machine_bpb(m: Machine, stories: list[str], engine=None, batch: int = 256,
                progress: bool = False) -> tuple[float, int]:
    """``(bits per byte, bytes)`` of ``stories`` under machine ``m``.

    Each story is read as EOT, its tokens, EOT, starting from ``h0``; every story token and
    the closing EOT are predicted, and the EOT counts as one byte."""
    from tqdm import tqdm

    eng = engine or NumpyEngine(m)
    tok = m.tokenizer
    beta = float(m.logit_scale)
    bits, nbytes = 0.0, 0
    enc_all = [tok.encode(s) for s in stories]
    total = sum(len(e) + 1 for e in enc_all)
    bar = tqdm(total=total, disable=not progress, unit="tok", dynamic_ncols=True)
    for i in range(0, len(stories), batch):
        enc = enc_all[i:i + batch]
        T = max(len(e) for e in enc)
        ids = np.full((len(enc), T + 2), tok.eot_id, dtype=np.int64)
        for r, e in enumerate(enc):
            ids[r, 1:1 + len(e)] = e
        lengths = np.array([len(e) + 1 for e in enc])
        h = eng.initial_state(len(enc))
        for t in range(T + 1):
            h = eng.step(h, ids[:, t])
            live = lengths > t
            s = np.asarray(eng.scores(h), dtype=np.float64)[live] * beta
            lp = _log_softmax(s)
            bits -= lp[np.arange(lp.shape[0]), ids[live, t + 1]].sum() / math.log(2)
            bar.update(int(live.sum()))
        nbytes += sum(len(s.encode()) + 1 for s in stories[i:i + batch])
    bar.close()
    return bits / nbytes, nbytes
