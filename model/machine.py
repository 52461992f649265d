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


def xorshift32(x: int) -> int:
    """One step of Marsaglia's xorshift32 (shifts 13, 17, 5) on a nonzero u32."""
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    return x


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
        return self.embedding.shape[0]

    @property
    def E(self) -> int:
        return self.embedding.shape[1]

    @property
    def H(self) -> int:
        return self.h0.shape[0]

    @property
    def eot_id(self) -> int:
        return self.tokenizer.eot_id

    @property
    def gates(self) -> tuple[str, ...]:
        return GATES[self.cell]

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
        self.validate()
        config = {"cell": self.cell, "vocab_size": self.V, "embed_bits": self.E,
                  "state_bits": self.H, "logit_scale": float(self.logit_scale),
                  "tokenizer": self.tokenizer.to_config(), "meta": self.meta}
        write_model_file(path, config, self.arrays())

    @classmethod
    def load(cls, path: str | Path) -> "Machine":
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
