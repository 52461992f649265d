"""The trainable recurrent LM (PyTorch): quantisation-aware ternary/binary model and float twin.

In the quantised model the forward pass computes *exactly* the integer machine of
``docs/machine.md`` (small integers are exact in float32), using ±1 activations internally:
a gate fires when ``Σ w·s + b ≥ 0`` with ``s = 2x − 1`` and an integer bias ``b``, which is
the machine's ``Σ w·x ≥ θ`` with ``θ = ⌈(Σ w − b) / 2⌉`` (see :func:`to_machine`). Gradients
pass through the quantisers by straight-through estimators. The float twin (``quantize=False``)
has the same shapes with real weights and continuous states (sigmoid gates, tanh candidates).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from .checks import check_range
from .machine import GATES, Machine, cell_update
from .tokenizer import Tokenizer


@dataclass
class ModelConfig:
    """Architecture. ``fanin``/``readout_fanin`` cap nonzero weights per neuron (0 = no cap);
    ``sparsity`` sets the ternary dead zone: a latent weight is zero unless its magnitude
    exceeds ``sparsity × mean |w|`` of its row. ``surrogate`` scales the width of the
    straight-through gradient window of the binary units (``surrogate × √fan-in``).

    ``quantize=False`` is the float twin: real weights, continuous state. With ``quantize``
    the three parts can be relaxed one at a time, to measure what each costs (the ablation
    of benchmarks/recipes.py; only the all-quantised default exports to a machine):
    ``state`` ``"binary"`` (±1 state, embedding and h0) or ``"continuous"`` (tanh/sigmoid, as
    the twin); ``weights`` of the next-state gates ``"ternary"`` or ``"real"``; ``readout``
    weights ``"ternary"`` or ``"real"``."""

    cell: str = "gated"
    state_bits: int = 64
    embed_bits: int = 16
    fanin: int = 16
    readout_fanin: int = 0
    sparsity: float = 0.5
    surrogate: float = 1.0
    quantize: bool = True
    state: str = "binary"
    weights: str = "ternary"
    readout: str = "ternary"
    modules: int = 1
    cross_fanin: int = 0
    token_classes: int = 0

    def to_dict(self) -> dict:
        """The configuration as a plain dict (for checkpoints and the model file's meta)."""
        return asdict(self)

    def validate(self) -> None:
        """ValueError naming the first field out of its range (the board protocol's INFO frame
        carries H as 16 bits)."""
        if self.cell not in GATES:
            raise ValueError(f"cell must be one of {', '.join(GATES)}, got {self.cell!r}")
        check_range("state_bits", self.state_bits, 1, 0xFFFF, " (16 bits in the protocol)")
        check_range("embed_bits", self.embed_bits, 1, 0xFFFF)
        check_range("fanin", self.fanin, 0, self.state_bits + self.embed_bits,
                    " (0 = no cap; at most state_bits + embed_bits)")
        check_range("readout_fanin", self.readout_fanin, 0, self.state_bits,
                    " (0 = no cap; at most state_bits)")
        check_range("modules", self.modules, 1, self.state_bits, " (at most state_bits)")
        check_range("cross_fanin", self.cross_fanin, 0, self.state_bits)
        check_range("token_classes", self.token_classes, 0, None, " (0 = one embedding per "
                    "token)")
        check_range("sparsity", self.sparsity, 0.0, None)
        check_range("surrogate", self.surrogate, 0.0, None, above=True)
        for name, kinds in (("state", ("binary", "continuous")),
                            ("weights", ("ternary", "real")), ("readout", ("ternary", "real"))):
            if getattr(self, name) not in kinds:
                raise ValueError(f"{name} must be {' or '.join(kinds)}, "
                                 f"got {getattr(self, name)!r}")

    @property
    def exportable(self) -> bool:
        """Whether every part is quantised: binary state, ternary gates and readout."""
        return self.quantize and (self.state, self.weights, self.readout) == (
            "binary", "ternary", "ternary")


def _surrogate_grad(g: torch.Tensor, pre: torch.Tensor, width: float) -> torch.Tensor:
    """``g`` times the derivative of ``tanh(pre / width)``: the straight-through window of
    every binary unit."""
    t = torch.tanh(pre / width)
    return g * (1 - t * t) / width


class _BinarySTE(torch.autograd.Function):
    """±1 forward (``pre ≥ 0`` → +1), tanh-shaped surrogate gradient of width ``scale``."""

    @staticmethod
    def forward(ctx, pre, scale):
        ctx.save_for_backward(pre)
        ctx.scale = scale
        return torch.where(pre >= 0, 1.0, -1.0).to(pre.dtype)

    @staticmethod
    def backward(ctx, g):
        (pre,) = ctx.saved_tensors
        return _surrogate_grad(g, pre, ctx.scale), None


def binarize(pre: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """Sign of ``pre`` as ±1 forward; a straight-through gradient within ``±scale`` (the
    surrogate window) backward."""
    return _BinarySTE.apply(pre, scale)


class _SoftSign(torch.autograd.Function):
    """``tanh(pre / soft)`` forward, the gradient of ``tanh(pre / max(soft, scale))`` backward:
    the surrogate window never narrows below the straight-through one."""

    @staticmethod
    def forward(ctx, pre, soft, scale):
        ctx.save_for_backward(pre)
        ctx.width = max(soft, scale)
        return torch.tanh(pre / soft)

    @staticmethod
    def backward(ctx, g):
        (pre,) = ctx.saved_tensors
        return _surrogate_grad(g, pre, ctx.width), None, None


def relaxed_sign(pre: torch.Tensor, scale: float, soft: float = 0.0,
                 noise: float = 0.0) -> torch.Tensor:
    """A binary unit while training, relaxed two ways (both 0 = :func:`binarize`, the machine).

    ``soft`` > 0: the forward value is ``tanh(pre / (soft·scale))``, continuous, and becomes
    the sign as ``soft`` → 0 (progressive binarisation: a schedule sharpens it during
    training, as in self-binarising networks, Lahoud et al. 2019). ``noise`` > 0: logistic
    noise of scale ``noise·scale`` is added to ``pre`` before the sign, which makes the unit
    a Bernoulli one, ``P(+1) = sigmoid(pre / (noise·scale))`` (stochastic binary neurons,
    Courbariaux et al. 2016). ``scale`` is the surrogate window. Shapes as ``pre``."""
    if noise > 0:
        u = torch.rand_like(pre).clamp_(1e-6, 1 - 1e-6)
        pre = pre + noise * scale * (torch.log(u) - torch.log1p(-u))
    if soft > 0:
        return _SoftSign.apply(pre, soft * scale, scale)
    return binarize(pre, scale)


def _ste(q: torch.Tensor, latent: torch.Tensor) -> torch.Tensor:
    """Value ``q`` forward, identity gradient to ``latent``."""
    return latent + (q - latent).detach()


def module_of(i, modules: int, state_bits: int):
    """The module (0…M−1) of state bit ``i`` (an int or an integer array): contiguous blocks,
    ``i · M // H``."""
    return i * modules // state_bits


def module_masks(modules: int, state_bits: int, embed_bits: int, gates: int
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(own, cross)`` boolean masks [gates·H, H+E] for M = ``modules``: ``own`` marks the
    inputs a gate may always read (its bit's module and the embedding), ``cross`` the state
    bits of other modules. Row ``r`` is the gate of state bit ``r mod H``."""
    H, E = state_bits, embed_bits
    mod = module_of(torch.arange(H), modules, H)
    same = mod.unsqueeze(1) == mod.unsqueeze(0)                         # [H, H]
    own = torch.cat([same, torch.ones(H, E, dtype=torch.bool)], dim=1).repeat(gates, 1)
    cross = torch.cat([~same, torch.zeros(H, E, dtype=torch.bool)], dim=1).repeat(gates, 1)
    return own, cross


def _top(a: torch.Tensor, k: int) -> torch.Tensor:
    """Boolean mask of the ``k`` largest entries of each row of ``a`` (all when ``k`` ≥ width)."""
    if k >= a.shape[1]:
        return torch.ones_like(a, dtype=torch.bool)
    top = torch.zeros_like(a, dtype=torch.bool)
    top.scatter_(1, a.topk(k, dim=1).indices, True)
    return top


def ternarize(w: torch.Tensor, fanin: int, sparsity: float,
              masks: tuple[torch.Tensor, torch.Tensor] | None = None,
              cross_fanin: int = 0) -> torch.Tensor:
    """Row-wise ternary quantisation with a fan-in cap (values in {−1, 0, +1}, STE).

    ``masks`` = ``(own, cross)`` of :func:`module_masks` restricts each row to its ``own``
    inputs plus at most ``cross_fanin`` of its ``cross`` inputs (the largest latent weights);
    the dead zone and the fan-in cap then apply among the eligible inputs only."""
    a = w.detach().abs()
    if masks is None:
        keep = a > sparsity * a.mean(dim=1, keepdim=True)
    else:
        own, cross = masks
        eligible = own.clone()
        if cross_fanin > 0:
            eligible |= cross & _top(a * cross, cross_fanin)
        a = a * eligible
        mean = a.sum(dim=1, keepdim=True) / eligible.sum(dim=1, keepdim=True).clamp(min=1)
        keep = (a > sparsity * mean) & eligible
    if 0 < fanin < w.shape[1]:
        keep &= _top(a, fanin)
    return _ste(torch.sign(w.detach()) * keep, w)


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """``round(x)`` forward, identity gradient backward (straight-through)."""
    return _ste(torch.round(x.detach()), x)


class RecurrentLM(nn.Module):
    """Binary-state RNN LM. ``forward(tokens, state)`` returns logits [B, T, V] and the state.

    States are carried as ±1 floats (quantised) or in (−1, 1) (float twin).
    """

    def __init__(self, cfg: ModelConfig, vocab_size: int, eot_id: int):
        super().__init__()
        if cfg.cell not in GATES:
            raise ValueError(f"unknown cell {cfg.cell!r}; choose from {sorted(GATES)}")
        self.cfg, self.V, self.eot_id = cfg, vocab_size, eot_id
        H, E = cfg.state_bits, cfg.embed_bits
        self.gates = GATES[cfg.cell]
        # with token classes the state sees only a token's class: one embedding row per class
        # and the token → class map as a saved buffer (set by the trainer from the data)
        C = cfg.token_classes
        if C > vocab_size:
            raise ValueError(f"token_classes must be at most the vocabulary ({vocab_size}), "
                             f"got {C}")
        self.embedding = nn.Parameter(torch.empty(C or vocab_size, E).uniform_(-1, 1))
        if C:
            self.register_buffer("token_class", torch.arange(vocab_size) % C)
        else:
            self.token_class = None
        self.h0 = nn.Parameter(torch.empty(H).uniform_(-1, 1))
        self.W = nn.Parameter(torch.empty(len(self.gates) * H, H + E).uniform_(-1, 1))
        self.b = nn.Parameter(torch.zeros(len(self.gates) * H))
        self.R = nn.Parameter(torch.empty(vocab_size, H).uniform_(-1, 1))
        self.c = nn.Parameter(torch.zeros(vocab_size))
        fan = cfg.fanin if cfg.fanin > 0 else H + E
        rfan = cfg.readout_fanin if cfg.readout_fanin > 0 else H
        self.pre_scale = math.sqrt(fan)
        # the block-sparse fan-in of a modular state (a buffer: moves with .to(device))
        if cfg.modules > 1:
            own, cross = module_masks(cfg.modules, H, E, len(self.gates))
            self.register_buffer("own_mask", own, persistent=False)
            self.register_buffer("cross_mask", cross, persistent=False)
        else:
            self.own_mask = self.cross_mask = None
        q = cfg.quantize
        self.binary_state = q and cfg.state == "binary"
        self.ternary_w = q and cfg.weights == "ternary"
        self.ternary_r = q and cfg.readout == "ternary"
        # ternary weights give integer sums of size ~√fan-in; real ones are scaled to ~1
        self.ste_width = cfg.surrogate * (math.sqrt(fan) if self.ternary_w else 1.0)
        self.log_beta = nn.Parameter(torch.tensor(math.log(2.0 / math.sqrt(rfan))))
        # training-time relaxations of the binary units (see relaxed_sign); 0 = the machine.
        # Set by the trainer per step, never saved: an exported or evaluated net uses 0.
        self.soft = 0.0
        self.noise = 0.0

    def _sign(self, pre: torch.Tensor, scale: float) -> torch.Tensor:
        # noise only while training; softness whenever set (evaluation sets it to 0)
        return relaxed_sign(pre, scale, self.soft, self.noise if self.training else 0.0)

    # -- quantised views of the parameters (exactly what export writes) -----------------------
    def q_embedding(self):
        """The embedding as used: ±1 bits [V, E] when the state is binary, else ``tanh`` of the
        latent; with token classes row t is its class's row."""
        e = self.embedding
        q = self._sign(e, 0.5) if self.binary_state else torch.tanh(e)
        return q if self.token_class is None else q[self.token_class]

    def q_h0(self):
        """The initial state as used: ±1 bits [H] when binary, else ``tanh`` of the latent."""
        return self._sign(self.h0, 0.5) if self.binary_state else torch.tanh(self.h0)

    def q_W(self):
        """The gate weights as used [G·H, H+E]: ternary with the fan-in cap, else real and
        scaled by 1/√fan-in."""
        masks = None if self.own_mask is None else (self.own_mask, self.cross_mask)
        if not self.ternary_w:
            # real weights (the twin, an ablation) keep to the own-module inputs only
            W = self.W if masks is None else self.W * masks[0]
            return W / self.pre_scale
        return ternarize(self.W, self.cfg.fanin, self.cfg.sparsity, masks, self.cfg.cross_fanin)

    def q_b(self):
        """The gate biases [G·H]: rounded to integers with ternary weights (minus the
        thresholds), else scaled."""
        return round_ste(self.b) if self.ternary_w else self.b / self.pre_scale

    def q_R(self):
        """The readout weights as used [V, H]: ternary with the readout fan-in cap, else real."""
        if not self.ternary_r:
            return self.R
        return ternarize(self.R, self.cfg.readout_fanin, self.cfg.sparsity)

    def q_c(self):
        """The readout offsets [V]: rounded to integers with a ternary readout, else real."""
        return round_ste(self.c) if self.ternary_r else self.c

    # -- running ---------------------------------------------------------------------------------
    def initial_state(self, batch: int) -> torch.Tensor:
        """``batch`` copies of the initial state, [batch, H]."""
        return self.q_h0().unsqueeze(0).expand(batch, -1)

    def forward(self, tokens: torch.Tensor, state: torch.Tensor | None = None):
        """Logits [B, T, V] for ``tokens`` [B, T] from ``state`` [B, H] (default h0), and the
        last state [B, H]."""
        states = self.states(tokens, state)
        return self.readout(states), states[:, -1]

    def states(self, tokens: torch.Tensor, state: torch.Tensor | None = None) -> torch.Tensor:
        """The state after each token [B, T, H] (±1 when quantised), from ``state`` or h0."""
        B, T = tokens.shape
        H = self.cfg.state_bits
        emb, h0, W, b = self.q_embedding(), self.q_h0(), self.q_W(), self.q_b()
        Wh, We = W[:, :H], W[:, H:]
        # the input part of every gate's sum, for all time steps at once
        xin = emb[tokens] @ We.T + b                                   # [B, T, G*H]
        reset = (tokens == self.eot_id).unsqueeze(-1)                  # [B, T, 1]
        s = h0.expand(B, H) if state is None else state
        out = []
        for t in range(T):
            s = torch.where(reset[:, t], h0.expand(B, H), s)
            pre = s @ Wh.T + xin[:, t]
            s = self._cell(pre, s)
            out.append(s)
        return torch.stack(out, dim=1)

    def _cell(self, pre: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        H = self.cfg.state_bits
        q = self.binary_state
        if not q and self.ternary_w:
            pre = pre / self.pre_scale   # integer sums to the range tanh and sigmoid use
        if self.cfg.cell == "threshold":
            return self._sign(pre, self.ste_width) if q else torch.tanh(pre)
        pz, pc = pre[:, :H], pre[:, H:]
        if q:
            z = (self._sign(pz, self.ste_width) + 1) / 2
            cand = self._sign(pc, self.ste_width)
        else:
            z, cand = torch.sigmoid(pz), torch.tanh(pc)
        return cell_update(z, cand, s)

    def scores(self, states: torch.Tensor) -> torch.Tensor:
        """Readout scores of ±1 states (integers when quantised)."""
        return ((states + 1) / 2) @ self.q_R().T + self.q_c()

    def readout(self, states: torch.Tensor) -> torch.Tensor:
        """Logits: the readout scores times β = exp(log_beta), [..., V]."""
        return self.scores(states) * self.log_beta.exp()

    @torch.no_grad()
    def clamp_(self) -> None:
        """Keep the latent embedding and h0 in [−1, 1] so a sign can always flip back.

        The weights are not clamped: the fan-in cap keeps the largest latent magnitudes, and
        clamping makes many of them tie at 1, which turns that choice arbitrary."""
        if self.binary_state:
            for p in (self.embedding, self.h0):
                p.clamp_(-1, 1)


class ExportError(ValueError):
    """A network that is not an integer machine (a float twin or a partly quantised
    ablation) cannot be exported; one line."""


@torch.no_grad()
def to_machine(net: RecurrentLM, tok: Tokenizer, meta: dict | None = None) -> Machine:
    """Export a quantised network as the integer machine it computes (:class:`Machine`, its
    ``meta`` from ``meta``). Raises :class:`ExportError` for a float twin or an ablation."""
    if not net.cfg.quantize:
        raise ExportError("only a quantised model can be exported (this is a float twin)")
    if not net.cfg.exportable:
        raise ExportError(f"only a fully quantised model can be exported (this one has "
                         f"{net.cfg.state} state, {net.cfg.weights} gate weights and "
                         f"{net.cfg.readout} readout weights: an ablation)")
    H = net.cfg.state_bits
    bits = lambda t: ((t > 0).to(torch.uint8)).numpy()
    W = net.q_W().round().to(torch.int64)
    b = net.q_b().round().to(torch.int64)
    Wd, thd = {}, {}
    for k, g in enumerate(net.gates):
        Wg, bg = W[k * H:(k + 1) * H], b[k * H:(k + 1) * H]
        # Σw(2x−1) + b ≥ 0  ⇔  Σwx ≥ ⌈(Σw − b)/2⌉ ; integer ceil of n/2 is −((−n) // 2)
        n = Wg.sum(dim=1) - bg
        thd[g] = (-((-n) // 2)).numpy().astype(np.int32)
        Wd[g] = Wg.numpy().astype(np.int8)
    return Machine(cell=net.cfg.cell, embedding=bits(net.q_embedding()), h0=bits(net.q_h0()),
                   W=Wd, theta=thd, R=net.q_R().round().numpy().astype(np.int8),
                   c=net.q_c().round().numpy().astype(np.int32), tokenizer=tok,
                   logit_scale=float(net.log_beta.exp()), meta=meta or {})
