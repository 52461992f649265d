"""A known machine, recovered: train on a task with a known automaton, extract, minimise, compare.

Two tasks (:class:`SumModTask`, :class:`BracketDepthTask`; both :class:`AutomatonTask`):

* the running sum of digits modulo ``p``: the vocabulary is the digits ``0 … p−1`` (ids
  ``0 … p−1``) and the end-of-story token EOT (id ``p``); after each token the output is
  ``(d1 + … + dk) mod p`` as a digit id (``0`` right after EOT). ``p`` states.
* the bracket depth up to a bound ``D``: ids ``0 … D`` are digits, ``(`` is ``D+1``, ``)`` is
  ``D+2``, EOT is ``D+3``; the depth starts at 0 after EOT, ``(`` raises it to
  ``min(d+1, D)``, ``)`` lowers it to ``max(d−1, 0)``, a digit leaves it; the output is the
  depth as a digit id. ``D + 1`` states.

A sequence is ``EOT t1 t2 … tn`` and after reading each token the machine's greedy choice
(docs/machine.md §4) must be the task's output. The network is the ordinary
:class:`trnn.model.net.RecurrentLM` (gated cell, ternary weights, binary state), trained as a
*transducer* — the readout at each position is scored against the task's output, not against
the next token — with the optimisation loop of :mod:`trnn.model.loop` (:func:`train_task`),
and exported with :func:`trnn.model.net.to_machine`.

The exported :class:`~trnn.model.machine.Machine` is then read as a Moore machine with the
tools of :mod:`trnn.logic.fsm`: its reachable states from ``h0`` after EOT
(:func:`~trnn.logic.fsm.reachable_graph`), minimised (:func:`~trnn.logic.fsm.minimise`), and
compared state by state and transition by transition with the task's own automaton
(:func:`~trnn.logic.fsm.isomorphism`; for the sum, :func:`mod_p_isomorphism`,
:func:`matches_mod_p`); :func:`counterexample` gives a shortest input on which a machine that
is not the automaton goes wrong. :func:`analyse` does all of that for one machine;
:func:`report` builds the machine first (trained or hand-built), as ``trnn logic automaton``
does.

What trains (benchmarks/results/automaton.md): with the defaults of :class:`TrainConfig`
(H = 16, E = 8, fan-in 8), p = 3 is learnt exactly on every seed tried (0–7, about 1,000
steps, 5–8 s on one CPU thread), and the minimal machine is Z_3. p = 4 and p = 5 did not
train with any configuration tried (H from 16 to 64, up to 6,000 steps, several learning
rates, surrogate widths, lengths and curricula): for p = 4 the minimal machine is often the
2-state quotient (the sum's parity), for p = 5 nothing better than chance. The bracket depth
trains much more easily: for D = 2, 3, 4 with seeds 0 and 1, the automaton is recovered
exactly in 18 of 24 runs of the four H = 16 recipes (5 of 6 with the defaults, 4 of 6 with
the language models' recipe; 100–1,800 steps, 0.7–15 s of CPU) but only 2 of 12 with H = 32.
Most failures (14 of the 16) were exact on the training check set (256 sequences of length
64), and 8 were right on all 100 held-out sequences of length 200, yet their minimal machines
have 12 to 15,208 states: each goes wrong on some input of 5 to 12 tokens, every one with
digits (the no-op symbols) among the brackets, e.g. ``((00)000`` for D = 2, seed 0, that
random sequences seldom contain. Only the extraction tells these apart. :func:`construct`
builds a correct machine for either task by hand (:func:`construct_sum_mod`,
:func:`construct_bracket_depth`), so the extraction and the check are shown there too.

Only :func:`train_task` (and :func:`train_sum_mod`, :func:`report`, through it) needs
PyTorch; it is imported inside it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np

from ..model.machine import Machine
from ..model.tokenizer import EOT_BYTES, Tokenizer
from .fsm import (AutomatonError, MinimalMachine, greedy_outputs, isomorphism, minimise_graph,
                  reachable_graph)

__all__ = ["AutomatonError", "AutomatonReport", "AutomatonTask", "BracketDepthTask", "SumModTask",
           "SumModTrainConfig", "TrainConfig", "analyse", "as_task", "construct",
           "construct_bracket_depth", "construct_sum_mod", "counterexample", "greedy_accuracy",
           "matches_mod_p", "mod_p_isomorphism", "report", "sum_mod_task", "task_named",
           "train_sum_mod", "train_task"]


# -- the tasks ---------------------------------------------------------------------------------
class AutomatonTask:
    """What :func:`train_task`, :func:`construct` and :func:`analyse` need of a task with a known
    automaton (:class:`SumModTask`, :class:`BracketDepthTask`): ``vocab_size`` (V) and
    ``eot_id`` (the last id), ``tokenizer()``, ``targets(tokens)`` (int64, the shape of
    ``tokens``: the right output token after each token), ``sample(rng, batch, length,
    eot_prob)`` (``(tokens, targets)``, int64 [batch, length], each row starting with EOT),
    ``automaton()`` (the task's minimal Moore machine over the V tokens, start = the state
    after EOT, output = the right token) and the words the report uses: ``name`` (also the
    machine's ``meta["task"]``), ``description`` (one line, with the vocabulary), ``title``,
    ``label``, ``output_name`` and ``state_name``."""

    name: str
    description: str
    title: str          # "running sum mod 3": what is trained
    label: str          # "mod 3": the automaton is the "mod-3 automaton"
    output_name: str    # what the greedy output must be: "running sum"
    state_name: str     # what a state of the automaton is: "residue"

    @property
    def automaton_name(self) -> str:
        """E.g. ``"mod-3 automaton"``, ``"depth-3 automaton"``."""
        return f"{self.label.replace(' ', '-')} automaton"


@dataclass(frozen=True)
class SumModTask(AutomatonTask):
    """Running sum of digits modulo ``p``: tokens ``0 … p−1`` are digits, token ``p`` is EOT.
    ``ValueError`` unless ``p`` is an integer ≥ 2."""

    p: int

    def __post_init__(self):
        if not isinstance(self.p, int) or self.p < 2:
            raise ValueError(f"p must be an integer >= 2, got {self.p!r}")

    name = property(lambda self: f"sum_mod_{self.p}", doc="``sum_mod_<p>``")
    description = property(lambda self: f"running sum of digits mod {self.p} (V = "
                           f"{self.vocab_size}: digits 0..{self.p - 1}, EOT = {self.eot_id})")
    title = property(lambda self: f"running sum mod {self.p}")
    label = property(lambda self: f"mod {self.p}")
    output_name = "running sum"
    state_name = "residue"

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


@dataclass(frozen=True)
class BracketDepthTask(AutomatonTask):
    """Bracket depth up to a bound ``D``: the depth starts at 0 after EOT; ``(`` (id ``D+1``)
    raises it to ``min(d+1, D)`` (it saturates at the bound), ``)`` (id ``D+2``) lowers it to
    ``max(d−1, 0)``, a digit ``0 … D`` (ids ``0 … D``) leaves it as it is, EOT (id ``D+3``,
    last) resets it to 0. After each token the output is the depth ``d`` as the digit id
    ``d``, so the digits are both the outputs and, as inputs, the "other symbols". The
    automaton has the ``D + 1`` depths as states. ``ValueError`` unless ``bound`` is an
    integer ≥ 1."""

    bound: int

    def __post_init__(self):
        if isinstance(self.bound, bool) or not isinstance(self.bound, int) or self.bound < 1:
            raise ValueError(f"the bound must be an integer >= 1, got {self.bound!r}")

    name = property(lambda self: f"depth_{self.bound}", doc="``depth_<D>``")
    description = property(lambda self: (
        f"bracket depth up to {self.bound} (V = {self.vocab_size}: digits 0..{self.bound} keep "
        f"it, ( = {self.open_id} adds 1, ) = {self.close_id} takes 1, EOT = {self.eot_id} "
        f"resets)"))
    title = property(lambda self: f"bracket depth up to {self.bound}")
    label = property(lambda self: f"depth {self.bound}")
    output_name = "depth"
    state_name = "depth"

    @property
    def open_id(self) -> int:
        """``(``: id ``D + 1``."""
        return self.bound + 1

    @property
    def close_id(self) -> int:
        """``)``: id ``D + 2``."""
        return self.bound + 2

    @property
    def vocab_size(self) -> int:
        """``D + 1`` digits, ``(``, ``)`` and EOT."""
        return self.bound + 4

    @property
    def eot_id(self) -> int:
        """The end-of-story token's id, ``D + 3``."""
        return self.bound + 3

    def tokenizer(self) -> Tokenizer:
        """An ``ids`` tokenizer: digit ``d`` is the bytes of ``str(d)``, then ``(``, ``)``,
        EOT."""
        return Tokenizer("ids", [str(d).encode() for d in range(self.bound + 1)]
                         + [b"(", b")", EOT_BYTES], self.eot_id)

    def targets(self, tokens: np.ndarray) -> np.ndarray:
        """The depth after each token of ``tokens`` [..., T] (0 before the first token)."""
        tokens = np.asarray(tokens)
        out = np.empty(tokens.shape, dtype=np.int64)
        d = np.zeros(tokens.shape[:-1], dtype=np.int64)
        for t in range(tokens.shape[-1]):
            tok = tokens[..., t]
            d = np.where(tok == self.open_id, np.minimum(d + 1, self.bound),
                         np.where(tok == self.close_id, np.maximum(d - 1, 0), d))
            d = np.where(tok == self.eot_id, 0, d)
            out[..., t] = d
        return out

    def sample(self, rng: np.random.Generator, batch: int, length: int,
               eot_prob: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """``(tokens, targets)``, both int64 [batch, length]: each row is EOT, then each
        position is ``(`` with probability 0.4, ``)`` with 0.4 and a uniform random digit
        with 0.2 — or, with ``eot_prob``, EOT instead."""
        u = rng.random((batch, length))
        digits = rng.integers(0, self.bound + 1, size=(batch, length))
        tokens = np.where(u < 0.4, self.open_id, np.where(u < 0.8, self.close_id, digits))
        if eot_prob > 0:
            tokens[rng.random((batch, length)) < eot_prob] = self.eot_id
        tokens[:, 0] = self.eot_id
        return tokens.astype(np.int64), self.targets(tokens)

    def automaton(self) -> MinimalMachine:
        """The task's own (minimal) Moore machine: state ``d`` is the depth, output ``d``
        (numbered breadth-first from 0, as :func:`~trnn.logic.fsm.minimise` numbers)."""
        D = self.bound
        n = D + 1
        delta = np.empty((n, self.vocab_size), dtype=np.int64)
        for d in range(n):
            delta[d, :n] = d
            delta[d, self.open_id] = min(d + 1, D)
            delta[d, self.close_id] = max(d - 1, 0)
            delta[d, self.eot_id] = 0
        return MinimalMachine(n_states=n, start=0, delta=delta,
                              output=np.arange(n, dtype=np.int64),
                              block_of=np.arange(n, dtype=np.int64))


def as_task(task: "AutomatonTask | int") -> AutomatonTask:
    """``task`` itself if it is a task object, :class:`SumModTask` ``(task)`` for an int p
    (``ValueError`` for p < 2); ``TypeError`` for anything else."""
    if isinstance(task, AutomatonTask):
        return task
    if isinstance(task, int):
        return SumModTask(task)
    raise TypeError(f"a task must be an automaton task or an int p, got {task!r}")


def task_named(name: str) -> AutomatonTask:
    """The task whose ``name`` is ``name`` (``"sum_mod_<p>"``, ``"depth_<D>"``);
    ``ValueError`` for another name."""
    for prefix, cls in (("sum_mod_", SumModTask), ("depth_", BracketDepthTask)):
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if rest.isdigit() and rest == str(int(rest)):
            return cls(int(rest))
    raise ValueError(f"no task is named {name!r}")


# -- a hand-built machine -----------------------------------------------------------------------
def construct(task: AutomatonTask) -> Machine:
    """A gated machine *built by hand* (not trained) that computes ``task`` exactly, by
    Minsky's construction of a finite automaton from threshold units, read off the task's
    ``automaton()`` (``n`` states, ``V`` tokens): one state bit per pair (automaton state
    ``q``, last token ``a``), one-hot. Bit ``(q, a)`` fires iff the input is ``a`` and some
    bit ``(q', ·)`` with ``δ(q', a) = q`` is on (threshold 2); iff the input is ``a`` when
    *every* state goes to ``q`` under ``a`` (threshold 1: the EOT reset, which must work
    from ``h0`` too); never when no state does. The update gate always fires and the readout
    scores bit ``(q, a)`` for ``q``'s output token (EOT scored −1), so ``H = n·V``, ``E = V``
    (one-hot tokens) and a candidate gate has at most ``(number of predecessors)·V + 1``
    nonzero weights. Its reachable graph has one state per pair ``(δ(q', a), a)`` that
    occurs (the start is ``(0, EOT)``), which minimise to the automaton's ``n`` states.
    ``meta``: ``{"task": task.name, "construction": "minsky"}``."""
    aut = task.automaton()
    n, V = aut.delta.shape
    if V != task.vocab_size:
        raise AutomatonError(f"the automaton has {V} tokens, the task {task.vocab_size}")
    H, E = n * V, V
    unit = lambda q, a: q * V + a
    W_c = np.zeros((H, H + E), dtype=np.int8)
    th_c = np.ones(H, dtype=np.int32)              # no weights and θ = 1: never fires
    for q in range(n):
        for a in range(V):
            pred = [q2 for q2 in range(n) if aut.delta[q2, a] == q]
            if not pred:
                continue
            i = unit(q, a)
            W_c[i, H + a] = 1
            if len(pred) == n:                     # every state goes to q: the input alone
                continue
            for q2 in pred:
                for b in range(V):
                    W_c[i, unit(q2, b)] = 1
            th_c[i] = 2
    R = np.zeros((V, H), dtype=np.int8)
    for q in range(n):
        for a in range(V):
            R[aut.output[q], unit(q, a)] = 1
    c = np.zeros(V, dtype=np.int32)
    c[task.eot_id] = -1
    return Machine(cell="gated", embedding=np.eye(V, dtype=np.uint8),
                   h0=np.zeros(H, dtype=np.uint8),
                   W={"update": np.zeros((H, H + E), dtype=np.int8), "cand": W_c},
                   theta={"update": np.zeros(H, dtype=np.int32), "cand": th_c},
                   R=R, c=c, tokenizer=task.tokenizer(), logit_scale=1.0,
                   meta={"task": task.name, "construction": "minsky"})


def construct_sum_mod(p: int) -> Machine:
    """:func:`construct` for the running sum mod ``p``: ``H = p·(p+1)``, ``E = p+1``, every
    candidate gate has at most ``p + 2`` nonzero weights. Its reachable graph has ``p² + 1``
    states (the ``(r, d)`` for digits ``d`` and the start ``(0, EOT)``), which minimise to the
    ``p`` residues. ``ValueError`` for ``p < 2``."""
    return construct(SumModTask(p))


def construct_bracket_depth(bound: int) -> Machine:
    """:func:`construct` for the bracket depth up to ``D = bound``: ``H = (D+1)(D+4)``,
    ``E = D+4``. Its reachable graph has ``(D+1)² + 2D + 1`` states (each depth with each
    digit, depths ``1 … D`` after ``(``, ``0 … D−1`` after ``)``, and the start), which
    minimise to the ``D + 1`` depths. ``ValueError`` for ``bound < 1``."""
    return construct(BracketDepthTask(bound))


# -- training -----------------------------------------------------------------------------------
@dataclass
class TrainConfig:
    """Training of :func:`train_task` (either task). The defaults train p = 3 in seconds (not
    p ≥ 4; see the module's docstring for both tasks)."""

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


SumModTrainConfig = TrainConfig     # its name before the depth task


def train_sum_mod(p: int = 3, seed: int = 0, config: TrainConfig | None = None,
                  **overrides) -> Machine:
    """:func:`train_task` on the running sum mod ``p`` (``ValueError`` for ``p < 2``)."""
    return train_task(SumModTask(p), seed, config, **overrides)


def train_task(task: AutomatonTask, seed: int = 0, config: TrainConfig | None = None,
               **overrides) -> Machine:
    """Train a quantised gated :class:`~trnn.model.net.RecurrentLM` on ``task`` (a
    :class:`SumModTask`, a :class:`BracketDepthTask`, or an int p for the sum mod p) and export
    it as a :class:`Machine` (``meta`` records the task's name, the seed, the configuration,
    the steps run, the step at which it became exact on the check, the last loss and the
    training time in seconds). ``overrides`` replace fields of ``config`` (default
    :class:`TrainConfig`); ``TypeError`` for a name that is not one.

    Deterministic given ``seed``: PyTorch runs on one thread for the duration (restored after)
    and all data come from ``numpy.random.default_rng(seed)``.
    """
    import torch
    import torch.nn.functional as F

    from ..model.loop import adam, optimise
    from ..model.net import ModelConfig, RecurrentLM, to_machine

    cfg = config or TrainConfig()
    if overrides:
        cfg = TrainConfig(**{**asdict(cfg), **overrides})
    task = as_task(task)
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
        meta = {"task": task.name, "seed": seed, "config": asdict(cfg), "steps_run": step,
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


def counterexample(mm: MinimalMachine, task: AutomatonTask | int) -> list[int] | None:
    """A shortest input on which ``mm`` (a Moore machine over ``task``'s tokens, as
    :func:`~trnn.logic.fsm.minimise` gives) and the task's automaton output differently: the
    tokens after the start (the state after EOT), ``[]`` if they differ already there, or
    ``None`` if they agree on every input (the machines are equivalent — for a minimal
    ``mm``, isomorphic). Breadth-first over pairs of states, tokens in id order, so the
    answer is the first such input in length-then-id order. ``AutomatonError`` if ``mm`` has
    another number of tokens."""
    aut = as_task(task).automaton()
    if mm.delta.shape[1] != aut.delta.shape[1]:
        raise AutomatonError(f"the machine has {mm.delta.shape[1]} tokens, the task "
                             f"{aut.delta.shape[1]}")
    start = (int(mm.start), int(aut.start))
    back: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    queue = deque([start])
    while queue:
        pair = queue.popleft()
        if mm.output[pair[0]] != aut.output[pair[1]]:
            word = []
            while back[pair] is not None:
                pair, t = back[pair]
                word.append(t)
            return word[::-1]
        for t in range(aut.delta.shape[1]):
            nxt = (int(mm.delta[pair[0], t]), int(aut.delta[pair[1], t]))
            if nxt not in back:
                back[nxt] = (pair, t)
                queue.append(nxt)
    return None


# -- the whole experiment -----------------------------------------------------------------------
@dataclass
class AutomatonReport:
    """What :func:`analyse` finds; ``str()`` gives a short printable summary (the text
    ``trnn logic automaton`` prints), ``to_dict()`` the same as plain data. The state-graph
    fields are ``None`` when more than ``max_states`` states were reachable
    (``too_many_states`` is then that bound). ``machine``: the machine analysed (not part of
    ``to_dict()``, the text or comparisons).

    ``p`` is the number of states of the task's automaton (the modulus p for the sum task,
    ``D + 1`` for the depth task); ``task`` the task's name (``sum_mod_<p>``, ``depth_<D>``;
    ``None`` is read as ``sum_mod_<p>``). A "task state" is a residue or a depth."""

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
    residue_of_state: list[int] | None   # minimal state → task state, residue or depth
                                         # (None: not isomorphic)
    raw_per_residue: list[int] | None    # raw states merged into each task state's state
    raw_per_minimal: list[int] | None    # raw states merged into each minimal state
    constant_bits: int | None       # state bits with one value in every reachable state
    varying_bits: int | None        # the others: the bits the machine actually uses
    fingerprint: int
    too_many_states: int | None = None
    task: str | None = None
    machine: Machine | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """Every field but ``machine``, JSON-ready."""
        d = asdict(replace(self, machine=None))
        del d["machine"]
        return d

    def __str__(self) -> str:
        task = task_named(self.task) if self.task is not None else SumModTask(self.p)
        what = f"the {task.automaton_name}"
        lines = [
            f"task: {task.description}",
            (f"machine: gated, H = {self.H} state bits, E = {self.E} embedding bits, "
             f"fingerprint {self.fingerprint:08x}"),
        ]
        if self.train_seconds is not None:
            lines.append(f"training: seed {self.seed}, {self.train_steps} steps, "
                         f"{self.train_seconds:.1f} s")
        lines.append(
            f"greedy output = {task.output_name}: {100 * self.accuracy:.1f}% of "
            f"{self.eval_sequences} held-out sequences of length {self.eval_length} "
            f"({100 * self.token_accuracy:.2f}% of positions)")
        if self.raw_states is None:
            lines.append(f"reachable states from h0 after EOT: more than {self.too_many_states}"
                         f" (search stopped): whether it is {what} is not determined")
            return "\n".join(lines)
        lines += [
            (f"reachable states from h0 after EOT: {self.raw_states} (of 2^{self.H}; "
             f"{self.varying_bits} bits vary, {self.constant_bits} are constant)"),
            (f"minimal Moore machine: {self.minimal_states} states; "
             f"raw states per minimal state: {_short(self.raw_per_minimal)}"),
        ]
        if self.isomorphic:
            lines.append(f"it IS {what}: minimal state -> {task.state_name} "
                         f"{self.residue_of_state}; raw states per {task.state_name} "
                         f"0..{self.p - 1}: {self.raw_per_residue}")
        else:
            lines.append(f"it is NOT {what}")
        return "\n".join(lines)


def _short(xs: list, n: int = 12) -> str:
    """``xs`` as ``str(list)``, or its first ``n`` items and the count when longer."""
    return str(xs) if len(xs) <= n else f"[{', '.join(map(str, xs[:n]))}, … ({len(xs)} in all)]"


def analyse(m: Machine, task: AutomatonTask | int, eval_sequences: int = 100,
            eval_length: int = 200, eval_seed: int = 12345,
            max_states: int = 1 << 16) -> AutomatonReport:
    """Evaluate a machine on ``task`` (a task object, or an int p for the sum mod p:
    ``eval_sequences`` held-out sequences of length ``eval_length`` from ``task.sample`` with
    ``eval_seed``, golden engine, greedy), extract and minimise its reachable state graph (at
    most ``max_states`` states), and compare it with the task's automaton. Training fields
    come from ``m.meta`` (``None`` for a machine that was not trained). Raises
    :class:`AutomatonError` if ``m``'s vocabulary is not the task's, ``ValueError`` for an
    int p < 2."""
    task = as_task(task)
    if m.V != task.vocab_size or m.eot_id != task.eot_id:
        raise AutomatonError(f"the machine has V = {m.V}, EOT = {m.eot_id}; the {task.title} "
                             f"task needs V = {task.vocab_size}, EOT = {task.eot_id}")
    aut = task.automaton()
    x, y = task.sample(np.random.default_rng(eval_seed), eval_sequences, eval_length)
    out = greedy_outputs(m, x)
    meta = m.meta or {}
    common = {"p": aut.n_states, "seed": meta.get("seed"), "H": m.H, "E": m.E, "V": m.V,
              "train_seconds": meta.get("train_seconds"), "train_steps": meta.get("steps_run"),
              "accuracy": float(np.mean(np.all(out == y, axis=1))),
              "token_accuracy": float(np.mean(out == y)), "eval_sequences": eval_sequences,
              "eval_length": eval_length, "fingerprint": m.fingerprint(), "task": task.name,
              "machine": m}
    try:
        g = reachable_graph(m, max_states=max_states)
    except AutomatonError:
        return AutomatonReport(**common, raw_states=None, minimal_states=None,
                               isomorphic=None, residue_of_state=None, raw_per_residue=None,
                               raw_per_minimal=None, constant_bits=None, varying_bits=None,
                               too_many_states=max_states)
    mm = minimise_graph(g)
    f = isomorphism(mm, aut)
    varying = int(np.sum(g.states.min(axis=0) != g.states.max(axis=0)))
    sizes = mm.block_sizes
    per_state = None
    if f is not None:
        per_state = [0] * aut.n_states
        for s, r in enumerate(f):
            per_state[int(r)] = int(sizes[s])
    return AutomatonReport(
        **common, raw_states=len(g.states), minimal_states=mm.n_states,
        isomorphic=f is not None, residue_of_state=None if f is None else f.tolist(),
        raw_per_residue=per_state, raw_per_minimal=sizes.tolist(),
        constant_bits=m.H - varying, varying_bits=varying)


def report(p: int | AutomatonTask | None = None, seed: int = 0, constructed: bool = False,
           eval_sequences: int = 100, eval_length: int = 200, max_states: int = 1 << 16,
           log: Callable[[str], object] | None = None, *,
           task: AutomatonTask | int | None = None, **train_overrides) -> AutomatonReport:
    """The whole experiment, as ``trnn logic automaton`` runs it, on ``task`` or ``p`` (either:
    a task object, or an int p for the sum mod p; default the sum mod 3): the machine is
    :func:`construct` ``(task)`` if ``constructed``, else :func:`train_task` ``(task, seed,
    **train_overrides)``; then :func:`analyse`. ``str()`` of the result is the text the
    command prints, ``.to_dict()`` its JSON, ``.machine`` the machine. ``log``, if given,
    first receives one line on what is being built (the command writes it to stderr).
    ``ValueError`` for p < 2 or for both ``p`` and ``task``."""
    if p is not None and task is not None:
        raise ValueError("give p or task, not both")
    task = as_task(task if task is not None else 3 if p is None else p)
    if log:
        log(f"hand-built machine for {task.label} (not trained)" if constructed else
            f"training a gated ternary RNN on the {task.title} (seed {seed}) …")
    m = construct(task) if constructed else train_task(task, seed, **train_overrides)
    return analyse(m, task, eval_sequences=eval_sequences, eval_length=eval_length,
                   max_states=max_states)
