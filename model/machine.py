"""The integer machine: the typed contents of a model file and the helpers every engine shares.

A :class:`Machine` is the spec object (cf. ``amaranth.lib.crc.Parameters``): it holds the
integer arrays that define the next-state function and the readout, and is executed by the
engines — :mod:`trnn.model.golden` (NumPy), :mod:`trnn.model.deploy` (PyTorch), and the
hardware. The semantics are written down once, in ``docs/machine.md``.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .modelfile import ModelFileError, read_model_file, write_model_file
from .tokenizer import Tokenizer

CELLS = ("threshold", "gated")
#: gate names per cell type, in the order the hardware evaluates them
GATES = {"threshold": ("cand",), "gated": ("update", "cand")}

NOISE_BITS = 8          # the sampler draws this many bits per vocabulary entry
NOISE_FRAC_BITS = 8     # fixed-point fraction bits of the Gumbel noise table
SCORE_SHIFT = 16        # sampling key = score << SCORE_SHIFT + t_q * noise
MAX_TQ = 0xFFFF         # the temperature register is 16 bits
MAX_SEED = 2**32 - 2    # seed s gives PRNG state s + 1, which must be a nonzero u32


def gumbel_table() -> np.ndarray:
    """The Gumbel noise table stored in every model file: ``G[r] = round(256·(−ln(−ln u)))``
    with ``u = (r + ½) / 256`` for ``r`` in 0…255 (float64, round half to even)."""
    u = (np.arange(2**NOISE_BITS, dtype=np.float64) + 0.5) / 2**NOISE_BITS
    return np.rint(-np.log(-np.log(u)) * 2**NOISE_FRAC_BITS).astype(np.int32)


MASK32 = 0xFFFFFFFF
#: the shifts of Marsaglia's xorshift32 (left, right, left)
XORSHIFT = (13, 17, 5)


def _low32(x):
    return x & MASK32


def xorshift32(x, low32=_low32):
    """One step of Marsaglia's xorshift32 (docs/machine.md §5) on a nonzero u32: the one
    spelling of the PRNG. ``x`` may be an ``int``, a NumPy or PyTorch integer array (``int64``
    or wider), or, with ``low32=lambda v: v[:32]``, an Amaranth value (the hardware's step).
    ``low32`` keeps the low 32 bits of a left shift."""
    a, b, c = XORSHIFT
    x = x ^ low32(x << a)
    x = x ^ (x >> b)
    return x ^ low32(x << c)


def noise_index(x):
    """The Gumbel table index a PRNG state draws: its top :data:`NOISE_BITS` bits (§5);
    ``x`` as in :func:`xorshift32`."""
    return x >> (32 - NOISE_BITS)


def prng_draws(rng_state: int, n: int) -> tuple[np.ndarray, int]:
    """The noise indices of ``n`` successive PRNG steps from ``rng_state`` (a sampled choice
    draws one per vocabulary entry, in id order; §5), int64 [n], and the PRNG state after
    them."""
    r = np.empty(n, dtype=np.int64)
    for v in range(n):
        rng_state = xorshift32(rng_state)
        r[v] = noise_index(rng_state)
    return r, rng_state


def sampling_key(score, tq, g):
    """The sampling key ``score · 2^16 + t_q · G[u]`` of one entry (§5); works on ints, NumPy
    and PyTorch integer arrays and Amaranth values alike."""
    return (score << SCORE_SHIFT) + tq * g


def cell_update(update, cand, h):
    """The gated cell's new state bit(s) (§2 step 4): ``cand`` where ``update`` is 1, else
    ``h``, written as ``update·cand + (1 − update)·h`` so that it serves 0/1 integer arrays
    (NumPy, PyTorch) and the training network's real-valued gates alike."""
    return update * cand + (1 - update) * h


def pack_bits(bits) -> int:
    """An int whose bit ``i`` is ``bits[i]`` (element 0 in bit 0: Amaranth's signal order and
    the decompiled program's state word). ``bits`` is any sequence of 0/1 (or bools)."""
    return sum(1 << i for i, b in enumerate(np.asarray(bits).tolist()) if b)


def unpack_bits(x: int, n: int) -> np.ndarray:
    """The ``n`` low bits of ``x``, bit 0 first, as ``uint8`` [n]; inverse of
    :func:`pack_bits`."""
    return np.array([(x >> i) & 1 for i in range(n)], dtype=np.uint8)


def folded_bound(w: np.ndarray, theta) -> np.ndarray:
    """The folded threshold of ternary gate rows ``w`` [..., N] with thresholds ``theta``
    [...]: ``Σ w·x ≥ θ  ⇔  #{x_j: w_j = +1} + #{¬x_j: w_j = −1} ≥ θ + #{w_j = −1}``, because
    ``−x = (1 − x) − 1``. Returns ``θ + #{w_j = −1}`` as int64 [...]: a bound ≤ 0 means the
    gate is always 1, one above the number of nonzero weights that it is always 0."""
    return np.asarray(theta, dtype=np.int64) + (np.asarray(w) < 0).sum(axis=-1)


def seed_to_state(seed: int) -> int:
    """PRNG start state for a user seed in 0…2³²−2: ``seed + 1``."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be in 0..{MAX_SEED}, got {seed}")
    return seed + 1


def max_temperature(logit_scale: float) -> float:
    """The largest temperature whose ``t_q`` fits the 16-bit register, to 4 significant
    digits, rounded down."""
    t = MAX_TQ * logit_scale / 2**NOISE_FRAC_BITS
    digits = 3 - math.floor(math.log10(t))
    return math.floor(t * 10**digits) / 10**digits


def temperature_to_tq(temperature: float, logit_scale: float) -> int:
    """The integer temperature ``t_q = round(256·T/β)`` (0 means greedy). ValueError, naming
    the limit, when ``temperature`` is negative, not finite, or its ``t_q`` exceeds 16 bits
    (:data:`MAX_TQ`; :func:`max_temperature`)."""
    if not temperature >= 0 or math.isinf(temperature):
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature}")
    tq = int(round(temperature * 2**NOISE_FRAC_BITS / logit_scale))
    if tq > MAX_TQ:
        raise ValueError(f"temperature {temperature:g} is above this model's largest, "
                         f"{max_temperature(logit_scale):g} (the integer temperature t_q is "
                         f"16 bits: at most {MAX_TQ})")
    return tq


@dataclass
class Machine:
    """Everything that defines one trained model as integers.

    Arrays (0/1 bits are ``uint8``, ternary weights ``int8`` in {−1, 0, +1}):

    - ``embedding`` [V, E] bits, ``h0`` [H] bits,
    - ``W[g]`` [H, H+E] ternary and ``theta[g]`` [H] int32 for each gate ``g`` of the cell,
    - ``R`` [V, H] ternary and ``c`` [V] int32: the readout,
    - ``noise`` [256] int32: the Gumbel table (:func:`gumbel_table`).
    """

    cell: str
    embedding: np.ndarray
    h0: np.ndarray
    W: dict[str, np.ndarray]
    theta: dict[str, np.ndarray]
    R: np.ndarray
    c: np.ndarray
    tokenizer: Tokenizer
    logit_scale: float
    noise: np.ndarray = field(default_factory=gumbel_table)
    meta: dict = field(default_factory=dict)

    # -- shape ------------------------------------------------------------------------------
    @property
    def V(self) -> int:
        """Vocabulary size: the number of tokens."""
        return self.embedding.shape[0]

    @property
    def E(self) -> int:
        """Embedding bits per token."""
        return self.embedding.shape[1]

    @property
    def H(self) -> int:
        """State bits."""
        return self.h0.shape[0]

    @property
    def eot_id(self) -> int:
        """The end-of-story token id (the tokenizer's)."""
        return self.tokenizer.eot_id

    @property
    def gates(self) -> tuple[str, ...]:
        """The cell's gate names, in the order the hardware evaluates them (:data:`GATES`)."""
        return GATES[self.cell]

    # -- derived views: each computed here once, for every engine and tool ------------------
    def folded_bounds(self, g: str) -> np.ndarray:
        """int64 [H]: the folded thresholds of gate ``g`` (:func:`folded_bound`), the bound a
        popcount of the gate's folded inputs must reach."""
        return folded_bound(self.W[g], self.theta[g])

    def readout_offsets(self) -> np.ndarray:
        """int64 [V]: ``c[v] − #{j: R[v, j] = −1}``, so that ``score[v]`` (§3) is the popcount
        of the folded terms (``h_j`` where ``R[v, j] = +1``, ``¬h_j`` where −1) plus this."""
        return self.c.astype(np.int64) - (self.R < 0).sum(axis=1)

    def readout_masks(self) -> list[tuple[int, int]]:
        """Per entry ``v``: ``(plus, minus)`` as ints (:func:`pack_bits`), bit ``j`` set where
        ``R[v, j]`` is +1, respectively −1."""
        return [(pack_bits(r > 0), pack_bits(r < 0)) for r in self.R]

    @property
    def score_bits(self) -> int:
        """Width of a signed integer that holds every folded readout score and offset (the
        hardware's score register and readout-ROM offset field)."""
        lim = max([self.H] + [abs(int(o)) for o in self.readout_offsets()]) + self.H
        return lim.bit_length() + 1

    @property
    def readout_row_bits(self) -> int:
        """Bits of one readout-ROM row: the +1 mask, the −1 mask (H bits each) and the offset
        (:attr:`score_bits`)."""
        return 2 * self.H + self.score_bits

    def validate(self) -> None:
        """Raise :class:`ModelFileError` unless shapes, dtypes and value ranges are consistent."""
        def need(cond, what):
            if not cond:
                raise ModelFileError(f"invalid model: {what}")
        need(self.cell in CELLS, f"unknown cell type {self.cell!r}")
        V, E, H = self.V, self.E, self.H
        need(self.embedding.dtype == np.uint8 and self.embedding.max(initial=0) <= 1,
             "embedding must be 0/1 bits")
        need(self.h0.dtype == np.uint8 and self.h0.ndim == 1 and self.h0.max(initial=0) <= 1,
             "h0 must be 0/1 bits")
        need(set(self.W) == set(self.gates) == set(self.theta), f"{self.cell} cell needs gates "
             f"{self.gates}")
        for g in self.gates:
            need(self.W[g].shape == (H, H + E) and self.W[g].dtype == np.int8,
                 f"W_{g} must be int8 [{H}, {H + E}]")
            need(np.abs(self.W[g]).max(initial=0) <= 1, f"W_{g} must be ternary")
            need(self.theta[g].shape == (H,) and self.theta[g].dtype == np.int32,
                 f"theta_{g} must be int32 [{H}]")
        need(self.R.shape == (V, H) and self.R.dtype == np.int8
             and np.abs(self.R).max(initial=0) <= 1, f"R must be ternary int8 [{V}, {H}]")
        need(self.c.shape == (V,) and self.c.dtype == np.int32, f"c must be int32 [{V}]")
        need(self.noise.shape == (2**NOISE_BITS,) and self.noise.dtype == np.int32,
             "noise must be int32 [256]")
        need(self.tokenizer.vocab_size == V, "tokenizer size differs from the vocabulary")
        need(0 <= self.eot_id < V, "eot_id out of range")
        need(self.logit_scale > 0, "logit_scale must be positive")

    # -- file I/O ---------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """The integer arrays that define the machine, by their model-file names."""
        arrays = {"embedding": self.embedding, "h0": self.h0}
        for g in self.gates:
            arrays[f"W_{g}"] = self.W[g]
            arrays[f"theta_{g}"] = self.theta[g]
        arrays.update(R=self.R, c=self.c, noise=self.noise, **self.tokenizer.to_arrays())
        return arrays

    def fingerprint(self) -> int:
        """A 32-bit hash of everything that decides the machine's output (cell, eot id and the
        integer arrays; not the metadata): CRC-32 over names, shapes and bytes in name order.
        A board reports it so that a host can tell which model the board runs."""
        crc = zlib.crc32(f"{self.cell}:{self.eot_id}".encode())
        for name, a in sorted(self.arrays().items()):
            a = np.ascontiguousarray(a)
            crc = zlib.crc32(f"{name}:{a.dtype.str}:{a.shape}".encode(), crc)
            crc = zlib.crc32(a.tobytes(), crc)
        return crc

    def save(self, path: str | Path) -> None:
        """Write the machine to ``path`` as a model file (docs/machine.md §1, format version 1).
        Raises :class:`ModelFileError` if the machine is invalid (:meth:`validate`) and
        ``OSError`` if the file cannot be written; the file is replaced atomically."""
        self.validate()
        config = {"cell": self.cell, "vocab_size": self.V, "embed_bits": self.E,
                  "state_bits": self.H, "logit_scale": float(self.logit_scale),
                  "tokenizer": self.tokenizer.to_config(), "meta": self.meta}
        write_model_file(path, config, self.arrays())

    @classmethod
    def load(cls, path: str | Path) -> "Machine":
        """Read a model file. Raises :class:`ModelFileError` (one line naming ``path``) for a
        file that is not a valid trnn model of a version this reader implements, ``OSError`` if
        it cannot be read."""
        config, arrays = read_model_file(path)
        try:
            cell = config["cell"]
            gates = GATES[cell]
            m = cls(cell=cell, embedding=arrays["embedding"], h0=arrays["h0"],
                    W={g: arrays[f"W_{g}"] for g in gates},
                    theta={g: arrays[f"theta_{g}"] for g in gates},
                    R=arrays["R"], c=arrays["c"], noise=arrays["noise"],
                    tokenizer=Tokenizer.from_config(config["tokenizer"], arrays),
                    logit_scale=float(config["logit_scale"]), meta=config.get("meta", {}))
        except KeyError as e:
            raise ModelFileError(f"{path}: missing field or array {e.args[0]!r}") from None
        except (ValueError, TypeError) as e:
            raise ModelFileError(f"{path}: invalid model ({e})") from None
        m.validate()
        return m

    # -- random models for tests and hardware bring-up ---------------------------------------
    @classmethod
    def random(cls, rng: np.random.Generator, V: int = 17, E: int = 6, H: int = 12,
               cell: str = "gated", density: float = 0.3, tokenizer: Tokenizer | None = None
               ) -> "Machine":
        """A random machine with valid shapes; thresholds are spread so that bits flip.

        Without ``tokenizer`` the vocabulary is V arbitrary one-byte tokens with EOT last
        (enough for running token ids; such a tokenizer cannot encode text)."""
        if tokenizer is not None:
            V = tokenizer.vocab_size
        def tern(shape):
            w = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=shape,
                           p=[density / 2, 1 - density, density / 2])
            return w.astype(np.int8)
        gates = GATES[cell]
        W = {g: tern((H, H + E)) for g in gates}
        theta = {g: rng.integers(-2, 3, size=H).astype(np.int32) for g in gates}
        tok = tokenizer or Tokenizer("ids", [bytes([i % 256]) for i in range(V - 1)] + [b"\n"],
                                     V - 1)
        return cls(cell=cell, embedding=rng.integers(0, 2, (V, E)).astype(np.uint8),
                   h0=rng.integers(0, 2, H).astype(np.uint8), W=W, theta=theta,
                   R=tern((V, H)), c=rng.integers(-3, 4, V).astype(np.int32), tokenizer=tok,
                   logit_scale=float(rng.uniform(0.2, 2.0)))
