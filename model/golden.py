"""The golden reference: the integer machine in NumPy, batched over independent streams.

Every function here is a literal transcription of ``docs/machine.md``; all arithmetic is on
integers (``int64``), so the results are exact. Other engines are tested against this one.
"""

from __future__ import annotations

import numpy as np

from .machine import NOISE_BITS, SCORE_SHIFT, Machine, xorshift32


class NumpyEngine:
    """Runs a :class:`Machine`. States are ``uint8`` bit arrays of shape [..., H]."""

    name = "numpy"

    def __init__(self, m: Machine):
        self.m = m
        self.emb = m.embedding.astype(np.int64)
        self.h0 = m.h0.astype(np.int64)
        self.W = {g: m.W[g].astype(np.int64) for g in m.gates}
        self.theta = {g: m.theta[g].astype(np.int64) for g in m.gates}
        self.R = m.R.astype(np.int64)
        self.c = m.c.astype(np.int64)
        self.noise = m.noise.astype(np.int64)

    def initial_state(self, batch: int | None = None) -> np.ndarray:
        h = self.m.h0.copy()
        return h if batch is None else np.tile(h, (batch, 1))

    def step(self, h: np.ndarray, tok) -> np.ndarray:
        """Next state after reading token(s) ``tok`` in state(s) ``h``."""
        tok = np.asarray(tok)
        h = np.where((tok == self.m.eot_id)[..., None], self.h0, h.astype(np.int64))
        x = np.concatenate([h, self.emb[tok]], axis=-1)
        bits = {g: (x @ self.W[g].T >= self.theta[g]).astype(np.int64) for g in self.m.gates}
        if self.m.cell == "threshold":
            new = bits["cand"]
        else:
            new = np.where(bits["update"] == 1, bits["cand"], h)
        return new.astype(np.uint8)

    def scores(self, h: np.ndarray) -> np.ndarray:
        """Integer readout scores [..., V] of state(s) ``h``."""
        return h.astype(np.int64) @ self.R.T + self.c

    def choose(self, scores: np.ndarray, rng_state: int, tq: int) -> tuple[int, int]:
        """Pick the next token from one score vector; returns ``(token, new_rng_state)``."""
        scores = np.asarray(scores, dtype=np.int64)
        if tq == 0:
            return int(np.argmax(scores)), rng_state  # argmax returns the lowest id on ties
        r = np.empty(scores.shape[0], dtype=np.int64)
        for v in range(scores.shape[0]):
            rng_state = xorshift32(rng_state)
            r[v] = rng_state >> (32 - NOISE_BITS)
        key = (scores << SCORE_SHIFT) + tq * self.noise[r]
        return int(np.argmax(key)), rng_state
