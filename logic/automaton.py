"""A known machine, recovered: train on a task with a known automaton, extract, minimise, compare.

The task is the running sum of digits modulo ``p``: the vocabulary is the digits ``0 … p−1``
(ids ``0 … p−1``) and the end-of-story token EOT (id ``p``). A sequence is ``EOT d1 d2 … dn``
and after reading each token the machine's greedy choice (docs/machine.md §4) must be the
running sum ``(d1 + … + dk) mod p`` as a digit id (``0`` right after EOT). The network is the
ordinary :class:`trnn.model.net.RecurrentLM` (gated cell, ternary weights, binary state),
trained as a *transducer* — the readout at each position is scored against the running sum,
not against the next token — with the optimisation loop of :mod:`trnn.model.loop`, and
exported with :func:`trnn.model.net.to_machine`.

The exported :class:`~trnn.model.machine.Machine` is then read as a Moore machine with the
tools of :mod:`trnn.logic.fsm`: its reachable states from ``h0`` after EOT
(:func:`~trnn.logic.fsm.reachable_graph`), minimised (:func:`~trnn.logic.fsm.minimise`), and
compared state by state and transition by transition with the ``p``-state counter ``Z_p``
(:func:`mod_p_isomorphism`, :func:`matches_mod_p`). :func:`analyse` does all of that for one
machine; :func:`report` builds the machine first (trained or hand-built), as
``trnn logic automaton`` does.

What trains: with the defaults of :class:`SumModTrainConfig` (H = 16, E = 8, fan-in 8),
p = 3 is learnt exactly on every seed tried (0–7, about 1,000 steps, 5–8 s on one CPU thread),
and the minimal machine is Z_3. p = 4 and p = 5 did not train with any configuration tried
(H from 16 to 64, up to 6,000 steps, several learning rates, surrogate widths, lengths and
curricula): for p = 4 the minimal machine is often the 2-state quotient
(the sum's parity), for p = 5 nothing better than chance. :func:`construct_sum_mod` builds a
correct machine for any p by hand, so the extraction and the check are shown there too.

Only :func:`train_sum_mod` (and :func:`report`, through it) needs PyTorch; it is imported
inside them.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np

from ..model.machine import Machine
from ..model.tokenizer import EOT_BYTES, Tokenizer
from .fsm import (AutomatonError, MinimalMachine, greedy_outputs, isomorphism, minimise_graph,
                  reachable_graph)

__all__ = ["AutomatonError", "AutomatonReport", "SumModTask", "SumModTrainConfig", "analyse",
           "construct_sum_mod", "greedy_accuracy", "matches_mod_p", "mod_p_isomorphism",
           "report", "sum_mod_task", "train_sum_mod"]


# -- the task ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SumModTask:
    """Running sum of digits modulo ``p``: tokens ``0 … p−1`` are digits, token ``p`` is EOT.
    ``ValueError`` unless ``p`` is an integer ≥ 2."""

    p: int

    def __post_init__(self):
        if not isinstance(self.p, int) or self.p < 2:
            raise ValueError(f"p must be an integer >= 2, got {self.p!r}")

    @property
    def vocab_size(self) -> int:
        """``p`` digits and EOT."""
        return self.p + 1

    @property
    def eot_id(self) -> int:
        """The end-of-story token's id, ``p``."""
        return self.p

    def tokenizer(self) -> Tokenizer:
        """An ``ids`` tokenizer: digit ``d`` is the bytes of ``str(d)``, EOT is last."""
        return Tokenizer("ids", [str(d).encode() for d in range(self.p)] + [EOT_BYTES],
                         self.eot_id)

    def targets(self, tokens: np.ndarray) -> np.ndarray:
        """The running sum after each token of ``tokens`` [..., T] (reset to 0 by EOT)."""
        tokens = np.asarray(tokens)
        out = np.empty(tokens.shape, dtype=np.int64)
        s = np.zeros(tokens.shape[:-1], dtype=np.int64)
        for t in range(tokens.shape[-1]):
            tok = tokens[..., t]
            s = np.where(tok == self.eot_id, 0, (s + tok) % self.p)
            out[..., t] = s
        return out

    def sample(self, rng: np.random.Generator, batch: int, length: int,
               eot_prob: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """``(tokens, targets)``, both int64 [batch, length]: each row is EOT followed by
        uniform random digits, each later position being EOT instead with ``eot_prob``."""
        tokens = rng.integers(0, self.p, size=(batch, length))
        if eot_prob > 0:
            tokens[rng.random((batch, length)) < eot_prob] = self.eot_id
        tokens[:, 0] = self.eot_id
        return tokens.astype(np.int64), self.targets(tokens)

    def automaton(self) -> MinimalMachine:
        """The task's own (minimal) Moore machine: state ``r`` is the residue, output ``r``."""
        p = self.p
        delta = np.empty((p, p + 1), dtype=np.int64)
        for r in range(p):
            delta[r, :p] = (r + np.arange(p)) % p
            delta[r, p] = 0
        return MinimalMachine(n_states=p, start=0, delta=delta,
                              output=np.arange(p, dtype=np.int64),
                              block_of=np.arange(p, dtype=np.int64))


def sum_mod_task(p: int = 3) -> SumModTask:
    """The running-sum-mod-``p`` task (vocabulary ``p`` digits + EOT)."""
    return SumModTask(p)


# -- a hand-built machine -----------------------------------------------------------------------
def construct_sum_mod(p: int) -> Machine:
    """A gated machine *built by hand* (not trained) that computes the running sum mod ``p``,
    by Minsky's construction of a finite automaton from threshold units: one state bit per
    pair (residue ``r``, last token ``a``), one-hot; bit ``(r, a)`` fires iff the input is
    ``a`` and some bit ``(r − a, ·)`` is on (for EOT: iff ``r = 0``). The update gate always
    fires, so ``H = p·(p+1)``, ``E = p+1`` (one-hot tokens) and every candidate gate has at
    most ``p + 2`` nonzero weights. Its reachable graph has ``p² + 1`` states (the ``(r, d)``
    for digits ``d`` and the start ``(0, EOT)``), which minimise to the ``p`` residues."""
    task = SumModTask(p)
    V = task.vocab_size
    H, E = p * V, V
    unit = lambda r, a: r * V + a
    W_c = np.zeros((H, H + E), dtype=np.int8)
    th_c = np.ones(H, dtype=np.int32)              # no weights and θ = 1: never fires
    for r in range(p):
        for a in range(V):
            i = unit(r, a)
            if a == task.eot_id:
                if r == 0:
                    W_c[i, H + a] = 1
                continue
            W_c[i, H + a] = 1
            for b in range(V):
                W_c[i, unit((r - a) % p, b)] = 1
            th_c[i] = 2
    R = np.zeros((V, H), dtype=np.int8)
    for r in range(p):
        for a in range(V):
            R[r, unit(r, a)] = 1
    c = np.zeros(V, dtype=np.int32)
    c[task.eot_id] = -1
    return Machine(cell="gated", embedding=np.eye(V, dtype=np.uint8),
                   h0=np.zeros(H, dtype=np.uint8),
                   W={"update": np.zeros((H, H + E), dtype=np.int8), "cand": W_c},
                   theta={"update": np.zeros(H, dtype=np.int32), "cand": th_c},
                   R=R, c=c, tokenizer=task.tokenizer(), logit_scale=1.0,
                   meta={"task": f"sum_mod_{p}", "construction": "minsky"})


# -- training -----------------------------------------------------------------------------------
@dataclass
class SumModTrainConfig:
    """Training of :func:`train_sum_mod`. The defaults train p = 3 in seconds (not p ≥ 4; see
    the module's docstring)."""

    state_bits: int = 16
    embed_bits: int = 8
    fanin: int = 8
    sparsity: float = 0.5
    surrogate: float = 1.0
    steps: int = 2000
    batch: int = 64
    seq_len: int = 16
    eot_prob: float = 0.0
    lr: float = 0.03
    bias_lr: float = 0.05
    warmup: int = 20
    check_every: int = 25      # test the exported machine this often …
    check_len: int = 64        # … on this many sequences of this length
    stop_early: bool = True    # stop once the exported machine is exact on the check
    gate_noise: float = 0.0    # stochastic binary units (the language models' recipe, 0.5):
                               # logistic noise of this scale, decaying linearly to 0


def train_sum_mod(p: int = 3, seed: int = 0, config: SumModTrainConfig | None = None,
                  **overrides) -> Machine:
    """Train a quantised gated :class:`~trnn.model.net.RecurrentLM` on the running sum mod
    ``p`` and export it as a :class:`Machine` (``meta`` records the task, the configuration,
    the steps run, the step at which it became exact on the check, the last loss and the
    training time in seconds). ``overrides`` replace fields of ``config`` (default
    :class:`SumModTrainConfig`); ``TypeError`` for a name that is not one, ``ValueError`` for
    ``p < 2``.

    Deterministic given ``seed``: PyTorch runs on one thread for the duration (restored after)
    and all data come from ``numpy.random.default_rng(seed)``.
    """
    import torch
    import torch.nn.functional as F

    from ..model.loop import adam, optimise
    from ..model.net import ModelConfig, RecurrentLM, to_machine

    cfg = config or SumModTrainConfig()
    if overrides:
        cfg = SumModTrainConfig(**{**asdict(cfg), **overrides})
    task = SumModTask(p)
    tok = task.tokenizer()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        mcfg = ModelConfig(cell="gated", state_bits=cfg.state_bits, embed_bits=cfg.embed_bits,
                           fanin=cfg.fanin, sparsity=cfg.sparsity,
                           surrogate=cfg.surrogate, quantize=True)
        net = RecurrentLM(mcfg, task.vocab_size, task.eot_id)
        opt, base_lrs = adam(net, cfg.lr, cfg.bias_lr)
        check_tokens, check_targets = task.sample(np.random.default_rng([seed, 1]), 256,
                                                  cfg.check_len, cfg.eot_prob)
        t0 = time.perf_counter()
        loss_v, exact_at = float("nan"), None

        def loss_of(_step):
            net.noise = cfg.gate_noise * max(0.0, 1.0 - _step / cfg.steps)
            x, y = task.sample(rng, cfg.batch, cfg.seq_len, cfg.eot_prob)
            logits, _ = net(torch.as_tensor(x))
            return F.cross_entropy(logits.reshape(-1, task.vocab_size),
                                   torch.as_tensor(y).reshape(-1))

        def exported():
            # the machine itself: no training noise in the export
            noise, net.noise = net.noise, 0.0
            try:
                return to_machine(net, tok)
            finally:
                net.noise = noise

        def after(step, loss):
            nonlocal loss_v, exact_at
            loss_v = loss.item()
            if cfg.stop_early and step % cfg.check_every == 0:
                m = exported()
                if greedy_accuracy(m, check_tokens, check_targets) == 1.0:
                    exact_at = step
                    return True
            return False

        step = optimise(net, opt, base_lrs, loss_of, step=0, steps=cfg.steps,
                        warmup=cfg.warmup, after=after)
        seconds = time.perf_counter() - t0
        meta = {"task": f"sum_mod_{p}", "seed": seed, "config": asdict(cfg), "steps_run": step,
                "exact_at_step": exact_at, "final_loss": loss_v,
                "train_seconds": round(seconds, 3)}
        net.noise = 0.0
        return to_machine(net, tok, meta)
    finally:
        torch.set_num_threads(threads)


def greedy_accuracy(m: Machine, tokens: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of *sequences* (rows of ``tokens`` and ``targets``, both [B, T]) whose greedy
    output (:func:`~trnn.logic.fsm.greedy_outputs`) equals ``targets`` at every position."""
    return float(np.mean(np.all(greedy_outputs(m, tokens) == targets, axis=1)))


# -- comparison with the task's automaton -------------------------------------------------------
def mod_p_isomorphism(mm: MinimalMachine, p: int) -> np.ndarray | None:
    """The residue ``f(s)`` of each state if ``mm`` is the running-sum-mod-``p`` automaton:
    ``f(start) = 0``, ``f(δ(s, d)) = (f(s) + d) mod p`` for digits ``d``, ``f(δ(s, EOT)) = 0``,
    ``output(s) = f(s)``, ``f`` a bijection onto ``Z_p``. ``None`` otherwise."""
    return isomorphism(mm, SumModTask(p).automaton())


def matches_mod_p(mm: MinimalMachine, p: int) -> bool:
    """Whether ``mm`` is (isomorphic to) the running-sum-mod-``p`` automaton."""
    return mod_p_isomorphism(mm, p) is not None


# -- the whole experiment -----------------------------------------------------------------------
@dataclass
class AutomatonReport:
    """What :func:`analyse` finds; ``str()`` gives a short printable summary (the text
    ``trnn logic automaton`` prints), ``to_dict()`` the same as plain data. The state-graph
    fields are ``None`` when more than ``max_states`` states were reachable
    (``too_many_states`` is then that bound). ``machine``: the machine analysed (not part of
    ``to_dict()``, the text or comparisons)."""

    p: int
    seed: int | None
    H: int
    E: int
    V: int
    train_seconds: float | None
    train_steps: int | None
    accuracy: float                 # held-out sequences whose every greedy output is right
    token_accuracy: float           # held-out positions whose greedy output is right
    eval_sequences: int
    eval_length: int
    raw_states: int | None          # states reachable from the start state
    minimal_states: int | None
    isomorphic: bool | None         # None: not determined (too many reachable states)
    residue_of_state: list[int] | None   # minimal state → residue (None: not isomorphic)
    raw_per_residue: list[int] | None    # raw states merged into each residue's state
    raw_per_minimal: list[int] | None    # raw states merged into each minimal state
    constant_bits: int | None       # state bits with one value in every reachable state
    varying_bits: int | None        # the others: the bits the machine actually uses
    fingerprint: int
    too_many_states: int | None = None
    machine: Machine | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """Every field but ``machine``, JSON-ready."""
        d = asdict(replace(self, machine=None))
        del d["machine"]
        return d

    def __str__(self) -> str:
        lines = [
            (f"task: running sum of digits mod {self.p} (V = {self.V}: digits "
             f"0..{self.p - 1}, EOT = {self.p})"),
            (f"machine: gated, H = {self.H} state bits, E = {self.E} embedding bits, "
             f"fingerprint {self.fingerprint:08x}"),
        ]
        if self.train_seconds is not None:
            lines.append(f"training: seed {self.seed}, {self.train_steps} steps, "
                         f"{self.train_seconds:.1f} s")
        lines.append(
            f"greedy output = running sum: {100 * self.accuracy:.1f}% of {self.eval_sequences}"
            f" held-out sequences of length {self.eval_length} "
            f"({100 * self.token_accuracy:.2f}% of positions)")
        if self.raw_states is None:
            lines.append(f"reachable states from h0 after EOT: more than {self.too_many_states}"
                         f" (search stopped): whether it is the mod-{self.p} automaton is not "
                         f"determined")
            return "\n".join(lines)
        lines += [
            (f"reachable states from h0 after EOT: {self.raw_states} (of 2^{self.H}; "
             f"{self.varying_bits} bits vary, {self.constant_bits} are constant)"),
            (f"minimal Moore machine: {self.minimal_states} states; "
             f"raw states per minimal state: {_short(self.raw_per_minimal)}"),
        ]
        if self.isomorphic:
            lines.append(f"it IS the mod-{self.p} automaton: minimal state -> residue "
                         f"{self.residue_of_state}; raw states per residue 0..{self.p - 1}: "
                         f"{self.raw_per_residue}")
        else:
            lines.append(f"it is NOT the mod-{self.p} automaton")
        return "\n".join(lines)


def _short(xs: list, n: int = 12) -> str:
    """``xs`` as ``str(list)``, or its first ``n`` items and the count when longer."""
    return str(xs) if len(xs) <= n else f"[{', '.join(map(str, xs[:n]))}, … ({len(xs)} in all)]"


def analyse(m: Machine, p: int, eval_sequences: int = 100, eval_length: int = 200,
            eval_seed: int = 12345, max_states: int = 1 << 16) -> AutomatonReport:
    """Evaluate a machine on the sum-mod-``p`` task (``eval_sequences`` held-out sequences
    ``EOT d1 … d_{eval_length−1}`` of uniform digits drawn with ``eval_seed``, golden engine,
    greedy), extract and minimise its reachable state graph (at most ``max_states`` states),
    and compare it with the task's automaton. Training fields come from ``m.meta`` (``None``
    for a machine that was not trained). Raises :class:`AutomatonError` if ``m``'s vocabulary
    is not the task's."""
    task = SumModTask(p)
    if m.V != task.vocab_size or m.eot_id != task.eot_id:
        raise AutomatonError(f"the machine has V = {m.V}, EOT = {m.eot_id}; the sum-mod-{p} "
                             f"task needs V = {task.vocab_size}, EOT = {task.eot_id}")
    x, y = task.sample(np.random.default_rng(eval_seed), eval_sequences, eval_length)
    out = greedy_outputs(m, x)
    meta = m.meta or {}
    common = {"p": p, "seed": meta.get("seed"), "H": m.H, "E": m.E, "V": m.V,
              "train_seconds": meta.get("train_seconds"), "train_steps": meta.get("steps_run"),
              "accuracy": float(np.mean(np.all(out == y, axis=1))),
              "token_accuracy": float(np.mean(out == y)), "eval_sequences": eval_sequences,
              "eval_length": eval_length, "fingerprint": m.fingerprint(), "machine": m}
    try:
        g = reachable_graph(m, max_states=max_states)
    except AutomatonError:
        return AutomatonReport(**common, raw_states=None, minimal_states=None,
                               isomorphic=None, residue_of_state=None, raw_per_residue=None,
                               raw_per_minimal=None, constant_bits=None, varying_bits=None,
                               too_many_states=max_states)
    mm = minimise_graph(g)
    f = mod_p_isomorphism(mm, p)
    varying = int(np.sum(g.states.min(axis=0) != g.states.max(axis=0)))
    sizes = mm.block_sizes
    per_residue = None
    if f is not None:
        per_residue = [0] * p
        for s, r in enumerate(f):
            per_residue[int(r)] = int(sizes[s])
    return AutomatonReport(
        **common, raw_states=len(g.states), minimal_states=mm.n_states,
        isomorphic=f is not None, residue_of_state=None if f is None else f.tolist(),
        raw_per_residue=per_residue, raw_per_minimal=sizes.tolist(),
        constant_bits=m.H - varying, varying_bits=varying)


def report(p: int = 3, seed: int = 0, constructed: bool = False, eval_sequences: int = 100,
           eval_length: int = 200, max_states: int = 1 << 16,
           log: Callable[[str], object] | None = None, **train_overrides) -> AutomatonReport:
    """The whole experiment, as ``trnn logic automaton`` runs it: the machine is
    :func:`construct_sum_mod` ``(p)`` if ``constructed``, else :func:`train_sum_mod` ``(p,
    seed, **train_overrides)``; then :func:`analyse`. ``str()`` of the result is the text the
    command prints, ``.to_dict()`` its JSON, ``.machine`` the machine. ``log``, if given,
    first receives one line on what is being built (the command writes it to stderr).
    ``ValueError`` for ``p < 2``."""
    if log:
        log(f"hand-built machine for mod {p} (not trained)" if constructed else
            f"training a gated ternary RNN on the running sum mod {p} (seed {seed}) …")
    m = construct_sum_mod(p) if constructed else train_sum_mod(p, seed, **train_overrides)
    return analyse(m, p, eval_sequences=eval_sequences, eval_length=eval_length,
                   max_states=max_states)
