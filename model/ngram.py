"""Byte n-gram baselines with interpolated Witten–Bell smoothing.

Symbols are the 256 byte values plus an end-of-story symbol (256); stories are scored like the
models: EOT, story bytes, EOT, with every story byte and the closing EOT predicted and the EOT
counted as one byte. Contexts are packed into int64 (9 bits per symbol), so n ≤ 7.
"""

from __future__ import annotations


import numpy as np

EOT = 256
SYMBOLS = 257
BITS = 9


def _stream(stories: list[str]) -> np.ndarray:
    parts = [np.array([EOT])]
    for s in stories:
        parts.append(np.frombuffer(s.encode(), dtype=np.uint8).astype(np.int64))
        parts.append(np.array([EOT]))
    return np.concatenate(parts)


def _contexts(seq: np.ndarray, k: int) -> np.ndarray:
    """For each position i ≥ k, the packed k symbols before it (positions i-k … i-1)."""
    ctx = np.zeros(len(seq) - k, dtype=np.int64)
    for j in range(k):
        ctx = (ctx << BITS) | seq[j:len(seq) - k + j]
    return ctx


class NGram:
    """An order-``n`` byte model: ``P_k(c | last k-1 symbols)`` interpolated down to uniform."""

    def __init__(self, n: int, train_stories: list[str]):
        if not 1 <= n <= 7:
            raise ValueError("n must be in 1..7")
        self.n = n
        seq = _stream(train_stories)
        self.tables = []
        for k in range(n):  # context length k = 0 … n-1
            ctx = _contexts(seq, k)
            nxt = seq[k:]
            joint, jcount = np.unique((ctx << BITS) | nxt, return_counts=True)
            jctx = joint >> BITS
            cctx, first = np.unique(jctx, return_index=True)
            ctotal = np.add.reduceat(jcount, first)
            ctypes = np.diff(np.append(first, len(jctx)))
            self.tables.append((joint, jcount, cctx, ctotal, ctypes))

    def _prob(self, seq: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """P(seq[i] | the n-1 symbols before it) for each i in ``targets`` (needs i ≥ n-1)."""
        p = np.full(len(targets), 1.0 / SYMBOLS)
        nxt = seq[targets]
        for k in range(self.n):
            ctx = np.zeros(len(targets), dtype=np.int64)
            for j in range(k, 0, -1):
                ctx = (ctx << BITS) | seq[targets - j]
            joint, jcount, cctx, ctotal, ctypes = self.tables[k]
            ci = np.minimum(np.searchsorted(cctx, ctx), len(cctx) - 1)
            seen = cctx[ci] == ctx
            tot = np.where(seen, ctotal[ci], 0).astype(np.float64)
            typ = np.where(seen, ctypes[ci], 0).astype(np.float64)
            key = (ctx << BITS) | nxt
            ji = np.minimum(np.searchsorted(joint, key), len(joint) - 1)
            cnt = np.where(joint[ji] == key, jcount[ji], 0).astype(np.float64)
            # Witten–Bell: mix the counts with the lower order by the number of seen types
            p = np.where(seen, (cnt + typ * p) / np.maximum(tot + typ, 1), p)
        return p

    def distribution(self, history: list[int]) -> np.ndarray:
        """P(next symbol) over all 257 symbols after ``history`` (padded with EOT)."""
        h = [EOT] * (self.n - 1) + list(history)
        h = h[len(h) - (self.n - 1):] if self.n > 1 else []
        seq = np.array([x for c in range(SYMBOLS) for x in (*h, c)], dtype=np.int64)
        return self._prob(seq, np.arange(len(h), len(seq), len(h) + 1))

    def bits(self, stories: list[str]) -> tuple[float, int]:
        """``(total bits, bytes)`` over ``stories``, each scored from a run of EOTs."""
        pad = self.n - 1
        seqs, nbytes = [], 0
        for s in stories:
            b = np.frombuffer(s.encode(), dtype=np.uint8).astype(np.int64)
            seqs.append(np.concatenate([np.full(pad + 1, EOT), b, [EOT]]))
            nbytes += len(b) + 1
        seq = np.concatenate(seqs)
        starts = np.cumsum([0] + [len(x) for x in seqs[:-1]])
        targets = np.concatenate([np.arange(st + pad + 1, st + len(x))
                                  for st, x in zip(starts, seqs)])
        return float(-np.log2(self._prob(seq, targets)).sum()), nbytes

    def bpb(self, stories: list[str]) -> float:
        """Bits per byte of ``stories`` under the table."""
        b, n = self.bits(stories)
        return b / n
