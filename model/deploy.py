"""The PyTorch deploy path: the exported integers executed with integer tensor arithmetic.

Same contract as :class:`trnn.model.golden.NumpyEngine` (:class:`trnn.model.engine.Engine`);
it exists so that the PyTorch side (and any later GPU batch evaluation) runs exactly the
machine in the model file. The spec's derived views (:mod:`trnn.model.machine`) supply the
cell update, the PRNG draws and the sampling key.
"""

from __future__ import annotations

import numpy as np
import torch

from .machine import Machine, cell_update, prng_draws, sampling_key


class TorchEngine:
    """Runs a :class:`Machine` with ``torch.int64`` tensors on ``device``. States are 0/1
    tensors [..., H], token ids int tensors (or anything ``torch.as_tensor`` takes) [...]."""

    name = "torch"

    def __init__(self, m: Machine, device: str | torch.device = "cpu"):
        self.m = m
        self.device = torch.device(device)
        t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.int64), device=self.device)
        self.emb = t(m.embedding)
        self.h0 = t(m.h0)
        self.W = {g: t(m.W[g]) for g in m.gates}
        self.theta = {g: t(m.theta[g]) for g in m.gates}
        self.R = t(m.R)
        self.c = t(m.c)
        self.noise = t(m.noise)

    def initial_state(self, batch: int | None = None) -> torch.Tensor:
        """``h0`` as int64 [H], or repeated to [batch, H]."""
        return self.h0.clone() if batch is None else self.h0.repeat(batch, 1)

    @torch.no_grad()
    def step(self, h, tok) -> torch.Tensor:
        """Next state(s) int64 [..., H] after reading token(s) ``tok`` in state(s) ``h``."""
        tok = torch.as_tensor(tok, dtype=torch.int64, device=self.device)
        h = torch.as_tensor(h, device=self.device).to(torch.int64)
        h = torch.where((tok == self.m.eot_id).unsqueeze(-1), self.h0, h)
        x = torch.cat([h, self.emb[tok]], dim=-1)
        bits = {g: (x @ self.W[g].T >= self.theta[g]).to(torch.int64) for g in self.m.gates}
        if self.m.cell == "threshold":
            return bits["cand"]
        return cell_update(bits["update"], bits["cand"], h)

    @torch.no_grad()
    def scores(self, h) -> torch.Tensor:
        """Integer readout scores int64 [..., V] of state(s) ``h``."""
        h = torch.as_tensor(h, device=self.device).to(torch.int64)
        return h @ self.R.T + self.c

    @torch.no_grad()
    def choose(self, scores, rng_state: int, tq: int) -> tuple[int, int]:
        """Pick the next token from one score vector [V]; ``(token, new_rng_state)``."""
        scores = torch.as_tensor(scores, device=self.device).to(torch.int64)
        if tq == 0:
            best = scores.max()
            return int((scores == best).nonzero()[0, 0]), rng_state
        r, rng_state = prng_draws(rng_state, scores.shape[0])
        key = sampling_key(scores, tq, self.noise[torch.as_tensor(r, device=self.device)])
        best = key.max()
        return int((key == best).nonzero()[0, 0]), rng_state
