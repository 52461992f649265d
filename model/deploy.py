"""The PyTorch deploy path: the exported integers executed with integer tensor arithmetic.

Same contract as :class:`trnn.model.golden.NumpyEngine`; it exists so that the PyTorch side
(and any later GPU batch evaluation) runs exactly the machine in the model file.
"""

from __future__ import annotations

import numpy as np
import torch

from .machine import NOISE_BITS, SCORE_SHIFT, Machine


def _xorshift32_t(x: torch.Tensor) -> torch.Tensor:
    mask = 0xFFFFFFFF
    x = x ^ ((x << 13) & mask)
    x = x ^ (x >> 17)
    return x ^ ((x << 5) & mask)


class TorchEngine:
    """Runs a :class:`Machine` with ``torch.int64`` tensors on ``device``."""

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
        return self.h0.clone() if batch is None else self.h0.repeat(batch, 1)

    @torch.no_grad()
    def step(self, h, tok) -> torch.Tensor:
        tok = torch.as_tensor(tok, dtype=torch.int64, device=self.device)
        h = torch.as_tensor(h, device=self.device).to(torch.int64)
        h = torch.where((tok == self.m.eot_id).unsqueeze(-1), self.h0, h)
        x = torch.cat([h, self.emb[tok]], dim=-1)
        bits = {g: (x @ self.W[g].T >= self.theta[g]).to(torch.int64) for g in self.m.gates}
        if self.m.cell == "threshold":
            return bits["cand"]
        return torch.where(bits["update"] == 1, bits["cand"], h)

    @torch.no_grad()
    def scores(self, h) -> torch.Tensor:
        h = torch.as_tensor(h, device=self.device).to(torch.int64)
        return h @ self.R.T + self.c

    @torch.no_grad()
    def choose(self, scores, rng_state: int, tq: int) -> tuple[int, int]:
        scores = torch.as_tensor(scores, device=self.device).to(torch.int64)
        V = scores.shape[0]
        if tq == 0:
            best = scores.max()
            return int((scores == best).nonzero()[0, 0]), rng_state
        # the V successive PRNG states, computed on the device one step at a time
        states = torch.empty(V, dtype=torch.int64, device=self.device)
        x = torch.tensor(rng_state, dtype=torch.int64, device=self.device)
        for v in range(V):
            x = _xorshift32_t(x)
            states[v] = x
        key = (scores << SCORE_SHIFT) + tq * self.noise[states >> (32 - NOISE_BITS)]
        best = key.max()
        return int((key == best).nonzero()[0, 0]), int(x)
