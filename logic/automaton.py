"""A known machine, recovered: train on a task with a known automaton, extract, minimise, compare.

The task is the running sum of digits modulo ``p``: the vocabulary is the digits ``0 … p−1``
(ids ``0 … p−1``) and the end-of-story token EOT (id ``p``). A sequence is ``EOT d1 d2 … dn``
and after reading each token the machine's greedy choice (docs/machine.md §4) must be the
running sum ``(d1 + … + dk) mod p`` as a digit id (``0`` right after EOT). The network is the
ordinary :class:`trnn.model.net.RecurrentLM` (gated cell, ternary weights, binary state),
trained as a *transducer* — the readout at each position is scored against the running sum,
not against the next token — and exported with :func:`trnn.model.net.to_machine`.

The exported :class:`~trnn.model.machine.Machine` is then read as a Moore machine over its
binary states: :func:`reachable_graph` enumerates every state reachable from the start state
(``h0`` after reading EOT) under all ``V`` tokens with the integer step of
:class:`~trnn.model.golden.NumpyEngine`, the output of a state being its greedy token;
:func:`minimise` merges equivalent states by Moore partition refinement; and
:func:`isomorphism` / :func:`matches_mod_p` check, state by state and transition by
transition, that the minimal machine *is* the ``p``-state counter ``Z_p``.

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
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np

from ..model.golden import NumpyEngine
from ..model.machine import Machine
from ..model.tokenizer import EOT_BYTES, Tokenizer


class AutomatonError(ValueError):
    """A machine whose reachable state graph is too large, or an inconsistent table."""


# -- the task ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SumModTask:
    """Running sum of digits modulo ``p``: tokens ``0 … p−1`` are digits, token ``p`` is EOT."""

    p: int

    def __post_init__(self):
        if not isinstance(self.p, int) or self.p < 2:
            raise ValueError(f"p must be an integer >= 2, got {self.p!r}")

    @property
    def vocab_size(self) -> int:
        return self.p + 1

    @property
    def eot_id(self) -> int:
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


def train_sum_mod(p: int = 3, seed: int = 0, config: SumModTrainConfig | None = None,
                  **overrides) -> Machine:
    """Train a quantised gated :class:`~trnn.model.net.RecurrentLM` on the running sum mod
    ``p`` and export it as a :class:`Machine` (``meta`` records the task, the configuration,
    the steps run and the training time).

    Deterministic given ``seed``: PyTorch runs on one thread for the duration (restored after)
    and all data come from ``numpy.random.default_rng(seed)``.
    """
    import torch
    import torch.nn.functional as F

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
        biases = [net.b, net.c]
        others = [q for q in net.parameters() if all(q is not b for b in biases)]
        opt = torch.optim.Adam([{"params": others, "lr": cfg.lr},
                                {"params": biases, "lr": cfg.bias_lr}])
        base_lrs = [cfg.lr, cfg.bias_lr]
        check_tokens, check_targets = task.sample(np.random.default_rng([seed, 1]), 256,
                                                  cfg.check_len, cfg.eot_prob)
        t0 = time.perf_counter()
        step, loss_v, exact_at = 0, float("nan"), None
        while step < cfg.steps:
            frac = step / max(1, cfg.steps)
            scale = min(1.0, (step + 1) / max(1, cfg.warmup)) * 0.5 * (1 + np.cos(np.pi * frac))
            for g, lr in zip(opt.param_groups, base_lrs):
                g["lr"] = lr * max(scale, 0.02)
            x, y = task.sample(rng, cfg.batch, cfg.seq_len, cfg.eot_prob)
            logits, _ = net(torch.as_tensor(x))
            loss = F.cross_entropy(logits.reshape(-1, task.vocab_size),
                                   torch.as_tensor(y).reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            net.clamp_()
            step += 1
            loss_v = loss.item()
            if cfg.stop_early and step % cfg.check_every == 0:
                m = to_machine(net, tok)
                if greedy_accuracy(m, check_tokens, check_targets) == 1.0:
                    exact_at = step
                    break
        seconds = time.perf_counter() - t0
        meta = {"task": f"sum_mod_{p}", "seed": seed, "config": asdict(cfg), "steps_run": step,
                "exact_at_step": exact_at, "final_loss": loss_v,
                "train_seconds": round(seconds, 3)}
        return to_machine(net, tok, meta)
    finally:
        torch.set_num_threads(threads)


# -- running the exported machine --------------------------------------------------------------
def greedy_outputs(m: Machine, tokens: np.ndarray) -> np.ndarray:
    """The greedy token after each input token, for a batch ``tokens`` [B, T] read from ``h0``
    (with the golden engine: integer step, argmax with ties to the lowest id)."""
    eng = NumpyEngine(m)
    tokens = np.asarray(tokens)
    h = eng.initial_state(tokens.shape[0])
    out = np.empty(tokens.shape, dtype=np.int64)
    for t in range(tokens.shape[1]):
        h = eng.step(h, tokens[:, t])
        out[:, t] = np.argmax(eng.scores(h), axis=-1)
    return out


def greedy_accuracy(m: Machine, tokens: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of *sequences* whose greedy output equals ``targets`` at every position."""
    return float(np.mean(np.all(greedy_outputs(m, tokens) == targets, axis=1)))


# -- the reachable state graph ------------------------------------------------------------------
class StateGraph(NamedTuple):
    """The reachable part of a machine as a Moore machine; state 0 is the start state.

    ``states`` [n, H] uint8 bits, ``delta`` [n, V] next-state indices, ``output`` [n] the
    greedy token of each state."""

    states: np.ndarray
    delta: np.ndarray
    output: np.ndarray


def start_state(m: Machine) -> np.ndarray:
    """``h0`` after reading EOT: where every sequence ``EOT d1 d2 …`` starts."""
    eng = NumpyEngine(m)
    return eng.step(eng.initial_state(), m.eot_id)


def reachable_graph(m: Machine, start: np.ndarray | None = None,
                    max_states: int = 1 << 16) -> StateGraph:
    """All states reachable from ``start`` (default :func:`start_state`) under all ``V``
    tokens, EOT included, by breadth-first search with the integer step of the golden engine.

    Raises :class:`AutomatonError` if more than ``max_states`` states are reachable (the
    search stops there; a machine with ``H`` state bits has at most ``2**H``)."""
    eng = NumpyEngine(m)
    V, H = m.V, m.H
    s0 = start_state(m) if start is None else np.asarray(start, dtype=np.uint8)
    if s0.shape != (H,) or s0.max(initial=0) > 1:
        raise AutomatonError(f"start must be {H} bits, got shape {s0.shape}")
    index = {s0.tobytes(): 0}
    states = [s0]
    rows: list[np.ndarray] = []
    frontier = [0]
    toks = np.arange(V)
    while frontier:
        # one batched step: every frontier state under every token
        hs = np.stack([states[i] for i in frontier])
        nxt = eng.step(np.repeat(hs, V, axis=0), np.tile(toks, len(frontier)))
        new_frontier = []
        for k, i in enumerate(frontier):
            row = np.empty(V, dtype=np.int64)
            for v in range(V):
                h = nxt[k * V + v]
                key = h.tobytes()
                j = index.get(key)
                if j is None:
                    j = len(states)
                    if j >= max_states:
                        raise AutomatonError(f"more than {max_states} reachable states (H = {H}"
                                             f"); raise max_states to search further")
                    index[key] = j
                    states.append(h)
                    new_frontier.append(j)
                row[v] = j
            rows.append((i, row))
        frontier = new_frontier
    delta = np.empty((len(states), V), dtype=np.int64)
    for i, row in rows:
        delta[i] = row
    S = np.stack(states).astype(np.uint8)
    output = np.argmax(eng.scores(S), axis=-1).astype(np.int64)
    return StateGraph(S, delta, output)


# -- minimisation -------------------------------------------------------------------------------
@dataclass
class MinimalMachine:
    """A minimal Moore machine. States are numbered in breadth-first order from ``start = 0``
    (tokens in id order), so two isomorphic minimal machines have identical tables.

    ``delta`` [n, V] next state, ``output`` [n] output token, ``block_of`` [n_raw] the minimal
    state of each raw state of the machine it was made from (−1: unreachable from start)."""

    n_states: int
    start: int
    delta: np.ndarray
    output: np.ndarray
    block_of: np.ndarray = field(repr=False)

    @property
    def block_sizes(self) -> np.ndarray:
        """How many raw states each minimal state stands for."""
        b = self.block_of[self.block_of >= 0]
        return np.bincount(b, minlength=self.n_states)


def _check_table(delta: np.ndarray, output: np.ndarray, start: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    delta = np.asarray(delta, dtype=np.int64)
    output = np.asarray(output, dtype=np.int64)
    if delta.ndim != 2 or output.shape != (delta.shape[0],) or delta.shape[0] == 0:
        raise AutomatonError(f"delta must be [n, V] and output [n]; got {delta.shape} and "
                             f"{output.shape}")
    n = delta.shape[0]
    if delta.size and (delta.min() < 0 or delta.max() >= n):
        raise AutomatonError("delta refers to a state that does not exist")
    if not 0 <= start < n:
        raise AutomatonError(f"start {start} is not a state (n = {n})")
    return delta, output


def minimise(delta: np.ndarray, output: np.ndarray, start: int = 0) -> MinimalMachine:
    """Merge equivalent states of the Moore machine ``(delta, output)`` (Moore's partition
    refinement: start from the partition by output; split blocks whose members go to
    different blocks under some token; repeat until stable). States unreachable from
    ``start`` are dropped first. The result is numbered canonically (see
    :class:`MinimalMachine`)."""
    delta, output = _check_table(delta, output, start)
    n, V = delta.shape
    # reachable from start
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        s = queue.popleft()
        for t in delta[s]:
            if not seen[t]:
                seen[t] = True
                queue.append(int(t))
    reach = np.flatnonzero(seen)
    # refinement over the reachable states: block ids are dense integers
    _, block = np.unique(output[reach], return_inverse=True)
    local = np.full(n, -1, dtype=np.int64)
    local[reach] = np.arange(len(reach))
    d = local[delta[reach]]                          # [r, V] in reachable-local indices
    n_blocks = int(block.max()) + 1
    while True:
        sig = np.concatenate([block[:, None], block[d]], axis=1)
        _, new = np.unique(sig, axis=0, return_inverse=True)
        new = new.reshape(-1)
        k = int(new.max()) + 1
        block = new
        if k == n_blocks:
            break
        n_blocks = k
    # quotient table, then canonical breadth-first numbering from the start's block
    qdelta = np.empty((n_blocks, V), dtype=np.int64)
    qout = np.empty(n_blocks, dtype=np.int64)
    qdelta[block] = block[d]
    qout[block] = output[reach]
    order = {int(block[local[start]]): 0}
    queue = deque([int(block[local[start]])])
    while queue:
        b = queue.popleft()
        for t in qdelta[b]:
            if int(t) not in order:
                order[int(t)] = len(order)
                queue.append(int(t))
    perm = np.empty(n_blocks, dtype=np.int64)
    for b, i in order.items():
        perm[b] = i
    cdelta = np.empty_like(qdelta)
    cout = np.empty_like(qout)
    cdelta[perm] = perm[qdelta]
    cout[perm] = qout
    block_of = np.full(n, -1, dtype=np.int64)
    block_of[reach] = perm[block]
    return MinimalMachine(n_states=n_blocks, start=0, delta=cdelta, output=cout,
                          block_of=block_of)


def minimise_graph(g: StateGraph) -> MinimalMachine:
    """:func:`minimise` of a :func:`reachable_graph` (start state 0)."""
    return minimise(g.delta, g.output, 0)


# -- comparison with a known automaton ----------------------------------------------------------
def isomorphism(a: MinimalMachine, b: MinimalMachine) -> np.ndarray | None:
    """The bijection ``f`` from the states of ``a`` onto those of ``b`` with ``f(start_a) =
    start_b``, ``f(δ_a(s, t)) = δ_b(f(s), t)`` for every state ``s`` and token ``t``, and
    ``output_b(f(s)) = output_a(s)``; ``None`` if there is none. Both machines must have all
    states reachable from their start (as :func:`minimise` gives); the map is then forced, so
    the check is a walk of both tables side by side."""
    if a.delta.shape[1] != b.delta.shape[1] or a.n_states != b.n_states:
        return None
    f = np.full(a.n_states, -1, dtype=np.int64)
    used = np.zeros(b.n_states, dtype=bool)
    f[a.start], used[b.start] = b.start, True
    queue = deque([a.start])
    while queue:
        s = queue.popleft()
        if a.output[s] != b.output[f[s]]:
            return None
        for t in range(a.delta.shape[1]):
            sa, sb = int(a.delta[s, t]), int(b.delta[f[s], t])
            if f[sa] < 0:
                if used[sb]:
                    return None
                f[sa], used[sb] = sb, True
                queue.append(sa)
            elif f[sa] != sb:
                return None
    if (f < 0).any():  # a state of `a` not reachable from its start
        return None
    return f


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
    """What :func:`analyse` finds; ``str()`` gives a short printable summary, ``to_dict()``
    the same as plain data. The state-graph fields are ``None`` when more than
    ``max_states`` states were reachable (``too_many_states`` is then that bound)."""

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

    def to_dict(self) -> dict:
        return asdict(self)

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
    return str(xs) if len(xs) <= n else f"[{', '.join(map(str, xs[:n]))}, … ({len(xs)} in all)]"


def analyse(m: Machine, p: int, eval_sequences: int = 100, eval_length: int = 200,
            eval_seed: int = 12345, max_states: int = 1 << 16) -> AutomatonReport:
    """Evaluate a machine on the sum-mod-``p`` task (``eval_sequences`` held-out sequences
    ``EOT d1 … d_{eval_length−1}`` of uniform digits, golden engine, greedy), extract and
    minimise its reachable state graph, and compare it with the task's automaton."""
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
              "eval_length": eval_length, "fingerprint": m.fingerprint()}
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


def report(p: int = 3, seed: int = 0, eval_sequences: int = 100, eval_length: int = 200,
           max_states: int = 1 << 16, **train_overrides) -> AutomatonReport:
    """Train (:func:`train_sum_mod`), then :func:`analyse`. ``print(report())`` shows it."""
    m = train_sum_mod(p, seed, **train_overrides)
    return analyse(m, p, eval_sequences=eval_sequences, eval_length=eval_length,
                   max_states=max_states)
