"""The golden reference: the integer machine in NumPy, batched over independent streams.

Every method here is a literal transcription of ``docs/machine.md``, built from the spec's
derived views in :mod:`trnn.model.machine` (the PRNG, the sampling key, the cell update). All
arithmetic is on integers, so the results are exact; other engines are tested against this one.
"""

from __future__ import annotations

import numpy as np

from .machine import Machine, cell_update, prng_draws, sampling_key


def exact_matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w.T`` as int64 for 0/1 ``x`` [..., N] and ternary ``w`` [K, N], through float64
    BLAS: exact, since every partial sum is an integer of magnitude at most N < 2⁵³."""
    if x.shape[-1] >= 1 << 53:
        raise ValueError("too many inputs for an exact float64 product")
    return (np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64).T).astype(np.int64)


class NumpyEngine:
    """Runs a :class:`Machine` (the :class:`trnn.model.engine.Engine` contract). States are
    ``uint8`` bit arrays of shape [..., H]; token ids int arrays of shape [...]."""

    name = "numpy"

    def __init__(self, m: Machine):
        self.m = m
        self.emb = m.embedding.astype(np.int64)
        self.h0 = m.h0.astype(np.int64)
        self.theta = {g: m.theta[g].astype(np.int64) for g in m.gates}
        self.R = m.R.astype(np.int64)
        self.c = m.c.astype(np.int64)
        self.noise = m.noise.astype(np.int64)

    def initial_state(self, batch: int | None = None) -> np.ndarray:
        """``h0`` as uint8 [H], or tiled to [batch, H]."""
        h = self.m.h0.copy()
        return h if batch is None else np.tile(h, (batch, 1))

    def gate_input(self, h: np.ndarray, tok) -> np.ndarray:
        """§2 steps 1–2: ``x = h ‖ e(tok)`` after the end-of-story reset, int64 [..., H + E]."""
        tok = np.asarray(tok)
        h = np.where((tok == self.m.eot_id)[..., None], self.h0, np.asarray(h, dtype=np.int64))
        return np.concatenate([h, self.emb[tok]], axis=-1)

    def gate_sums(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """§2 step 3, the sums: ``a_g = x @ W_g.T`` for each gate ``g``, int64 [..., H]."""
        return {g: exact_matmul(x, self.m.W[g]) for g in self.m.gates}

    def gate_values(self, sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """§2 step 3, the thresholds: ``g = a_g ≥ θ_g`` as int64 0/1 [..., H]."""
        return {g: (a >= self.theta[g]).astype(np.int64) for g, a in sums.items()}

    def new_state(self, h: np.ndarray, gates: dict[str, np.ndarray]) -> np.ndarray:
        """§2 step 4: the next state from the (reset) state ``h`` and the gate values, uint8."""
        if self.m.cell == "threshold":
            return gates["cand"].astype(np.uint8)
        return cell_update(gates["update"], gates["cand"],
                           np.asarray(h, dtype=np.int64)).astype(np.uint8)

    def step(self, h: np.ndarray, tok) -> np.ndarray:
        """Next state(s) uint8 [..., H] after reading token(s) ``tok`` in state(s) ``h``."""
        x = self.gate_input(h, tok)
        return self.new_state(x[..., :self.m.H], self.gate_values(self.gate_sums(x)))

    def scores(self, h: np.ndarray) -> np.ndarray:
        """Integer readout scores int64 [..., V] of state(s) ``h`` (§3)."""
        return h.astype(np.int64) @ self.R.T + self.c

    def choose(self, scores: np.ndarray, rng_state: int, tq: int) -> tuple[int, int]:
        """Pick the next token from one score vector [V] (§4–5); ``(token, new_rng_state)``."""
        scores = np.asarray(scores, dtype=np.int64)
        if tq == 0:
            return int(np.argmax(scores)), rng_state  # argmax returns the lowest id on ties
        r, rng_state = prng_draws(rng_state, scores.shape[0])
        return int(np.argmax(sampling_key(scores, tq, self.noise[r]))), rng_state
