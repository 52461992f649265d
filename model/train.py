"""Training: truncated BPTT over a token stream, checkpoints that survive interruption.

The training stream is the encoded corpus (EOT, story, EOT, story, …) cut into ``batch``
contiguous rows; each step reads the next ``seq_len`` tokens of every row and carries the
state (detached) to the next step. Reading EOT resets a row's state to ``h0``, as in the
machine, so training sees stories exactly as generation does. The optimisation itself (Adam,
learning-rate schedule, clipping) is :func:`trnn.model.loop.optimise`, shared with the other
training runs of the project.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .checks import check_range
from .data import DataError, encode_stream, read_stories, resolve_split
from .distributed import join, world_size
from .loop import adam, optimise
from .net import ModelConfig, RecurrentLM
from .tokenizer import Tokenizer


@dataclass
class TrainConfig:
    """Everything a run depends on; saved in every checkpoint."""

    model: ModelConfig = field(default_factory=ModelConfig)
    tokenizer: str = "bytes"          # "bytes" or "bpe"
    vocab_size: int = 512             # BPE only
    data: str | None = None           # file or directory; None = default data directory
    max_train_stories: int | None = None
    batch: int = 64
    seq_len: int = 128
    steps: int = 2000
    lr: float = 0.03
    bias_lr: float = 0.05
    warmup: int = 100
    seed: int = 0
    val_every: int = 250
    val_stories: int = 100
    device: str = "auto"
    teacher: str | None = None        # checkpoint to distil from (None: plain cross-entropy)
    distill_weight: float = 0.5       # loss = (1 − w)·CE + w·τ²·KL(teacher_τ ‖ student_τ)
    distill_temperature: float = 2.0  # τ (Hinton, Vinyals & Dean 2015)
    anneal: float = 0.0               # progressive binarisation over this fraction of steps
    gate_noise: float = 0.0           # stochastic binary units: logistic noise scale

    def to_dict(self) -> dict:
        """Every field as plain data (``model`` as a dict), as saved in checkpoints."""
        return asdict(self)

    def validate(self) -> None:
        """ValueError naming the first field out of its range (token ids are 16 bits in the
        board protocol; NumPy seeds are 32 bits; under ``torchrun`` the batch splits evenly
        among the processes)."""
        self.model.validate()
        if self.tokenizer not in ("bytes", "bpe"):
            raise ValueError(f"tokenizer must be bytes or bpe, got {self.tokenizer!r}")
        check_range("vocab_size", self.vocab_size, 257, 0xFFFF,
                    " (all 256 bytes and the end-of-story token; ids are 16 bits on a board)")
        if self.max_train_stories is not None:
            check_range("max_train_stories", self.max_train_stories, 1)
        for name in ("batch", "seq_len", "steps", "val_every", "val_stories"):
            check_range(name, getattr(self, name), 1)
        check_range("lr", self.lr, 0.0, None, above=True)
        check_range("bias_lr", self.bias_lr, 0.0)
        check_range("warmup", self.warmup, 0)
        check_range("seed", self.seed, 0, 2**32 - 1, " (NumPy seeds are 32 bits)")
        check_range("distill_weight", self.distill_weight, 0.0, 1.0)
        check_range("distill_temperature", self.distill_temperature, 0.0, None, above=True)
        check_range("anneal", self.anneal, 0.0, 1.0)
        check_range("gate_noise", self.gate_noise, 0.0)
        if self.device not in ("auto", "cpu", "cuda") and not str(self.device).startswith(
                "cuda:"):
            raise ValueError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        if self.batch % world_size():
            raise ValueError(f"batch must be a multiple of the {world_size()} data-parallel "
                             f"processes, got {self.batch}")

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """The inverse of :meth:`to_dict`; ``ValueError`` naming any unknown key (of the
        config or of its ``model``)."""
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
        d = dict(d)
        if isinstance(d.get("model"), dict):
            mnames = {f.name for f in fields(ModelConfig)}
            bad = set(d["model"]) - mnames
            if bad:
                raise ValueError(f"unknown model config keys: {', '.join(sorted(bad))}")
            d["model"] = ModelConfig(**d["model"])
        return cls(**d)


def relaxation(cfg: TrainConfig, step: int) -> tuple[float, float]:
    """``(soft, noise)`` of the binary units at 0-based ``step`` (see
    :func:`trnn.model.net.relaxed_sign`): ``soft = (1 − step / (anneal·steps))²`` during the
    first ``anneal`` fraction of the steps, then 0 (the state sharpens from ``tanh`` to the
    sign, and the rest of the run trains the machine itself); ``noise = gate_noise · (1 −
    step / steps)``, reaching 0 at the end. Both are 0 throughout by default."""
    span = cfg.anneal * cfg.steps
    soft = (1.0 - step / span) ** 2 if step < span else 0.0
    return soft, cfg.gate_noise * max(0.0, 1.0 - step / cfg.steps)


def pick_device(name: str) -> torch.device:
    """``"auto"``: CUDA when available, else the CPU; any other name as ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def build_tokenizer(cfg: TrainConfig, stories: list[str]) -> Tokenizer:
    """The tokenizer of ``cfg``: bytes, or BPE of ``cfg.vocab_size`` tokens trained on
    ``stories``; ``ValueError`` for another kind."""
    if cfg.tokenizer == "bytes":
        return Tokenizer.bytes()
    if cfg.tokenizer == "bpe":
        return Tokenizer.train_bpe(stories, cfg.vocab_size)
    raise ValueError(f"unknown tokenizer {cfg.tokenizer!r} (bytes or bpe)")


def save_atomic(obj, path: Path) -> None:
    """``torch.save`` to a temporary file, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def story_batches(tok: Tokenizer, stories: list[str], batch: int):
    """Yield ``(ids [B, T+2], mask [B, T+1], nbytes)`` batches: each row is EOT, story, EOT,
    padded with EOT; ``mask`` marks the predicted positions (story tokens and the final EOT)."""
    for i in range(0, len(stories), batch):
        enc = [tok.encode(s) for s in stories[i:i + batch]]
        T = max(len(e) for e in enc)
        ids = np.full((len(enc), T + 2), tok.eot_id, dtype=np.int64)
        mask = np.zeros((len(enc), T + 1), dtype=bool)
        for r, e in enumerate(enc):
            ids[r, 1:1 + len(e)] = e
            mask[r, :len(e) + 1] = True
        nbytes = sum(len(s.encode()) + 1 for s in stories[i:i + batch])
        yield ids, mask, nbytes


@torch.no_grad()
def net_bpb(net: RecurrentLM, tok: Tokenizer, stories: list[str], batch: int = 64,
            device: torch.device | str = "cpu") -> float:
    """Bits per byte of ``stories`` under the network itself (quantised or float twin).

    Each story starts from ``h0``; every story token and the closing EOT are predicted; the
    EOT counts as one byte (see docs/machine.md §Evaluation)."""
    net.eval()
    relaxed = net.soft
    net.soft = 0.0       # the binary units as the machine has them
    bits, nbytes = 0.0, 0
    for ids, mask, nb in story_batches(tok, stories, batch):
        ids_t = torch.as_tensor(ids, device=device)
        logits, _ = net(ids_t[:, :-1])
        lp = F.log_softmax(logits.double(), dim=-1)
        nll = -lp.gather(-1, ids_t[:, 1:].unsqueeze(-1)).squeeze(-1)
        bits += float(nll[torch.as_tensor(mask, device=device)].sum()) / math.log(2)
        nbytes += nb
    net.train()
    net.soft = relaxed
    return bits / nbytes


def _quiet(msg: str) -> None:
    """A log that writes nothing (the processes of a data-parallel run other than rank 0)."""


def _log(msg: str) -> None:
    from tqdm import tqdm
    tqdm.write(msg, file=sys.stderr)  # above the progress bar, unbuffered


def train(cfg: TrainConfig, out: Path, resume: bool = True, progress: bool = True,
          log=_log, stop_after: int | None = None) -> Path:
    """Train per ``cfg``, writing ``out`` (a checkpoint) every validation, at the end, and
    when interrupted (Ctrl-C), so no finished step is lost.

    If ``out`` exists and ``resume`` is true, training continues from it (its saved config
    wins) and the result equals that of an uninterrupted run. ``stop_after`` ends this call
    after that many steps in total (with a checkpoint). Returns ``out``. ``ValueError`` for a
    config out of range (:meth:`TrainConfig.validate`),
    :class:`~trnn.model.data.DataError` for training text too short for ``batch`` rows of
    ``seq_len + 1`` tokens; Ctrl-C (``KeyboardInterrupt``) is re-raised
    after the checkpoint.

    Started by ``torchrun`` with several processes, the run is data-parallel
    (:mod:`trnn.model.distributed`): ``batch`` must be a multiple of the process count, each
    process reads its block of rows, and rank 0 alone validates, logs and writes ``out``,
    which a single process can resume.
    """
    from tqdm import tqdm

    out = Path(out)
    state = None
    if resume and out.exists():
        state = torch.load(out, map_location="cpu", weights_only=False)
        cfg = TrainConfig.from_dict(state["config"])
        log(f"resuming {out} at step {state['step']}/{cfg.steps}")
    cfg.validate()
    group, device = join(pick_device(cfg.device))
    if not group.main:
        log = _quiet
        progress = False
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)

    train_stories = read_stories(resolve_split(cfg.data, "train"), cfg.max_train_stories)
    val_stories = read_stories(resolve_split(cfg.data, "valid"), cfg.val_stories)
    teacher = None
    if cfg.teacher:
        # the teacher's tokenizer, so that its distribution is over the student's vocabulary
        teacher, teacher_tok, _, _ = load_checkpoint(Path(cfg.teacher))
        teacher = teacher.to(device).requires_grad_(False)
        log(f"distilling from {cfg.teacher} (weight {cfg.distill_weight:g}, temperature "
            f"{cfg.distill_temperature:g})")
    if state:
        tok = Tokenizer.from_config(state["tokenizer"]["config"], state["tokenizer"]["arrays"])
    else:
        tok = teacher_tok if teacher is not None else build_tokenizer(cfg, train_stories)
    stream = encode_stream(tok, train_stories)
    # a fixed shuffle of story order per seed would change nothing the model can see across
    # rows; rows start at evenly spaced offsets into the stream instead
    rows = cfg.batch
    row_len = len(stream) // rows
    if row_len < cfg.seq_len + 1:
        raise DataError(f"training text too short: {len(stream)} tokens for {rows} rows of "
                         f"{cfg.seq_len + 1}")
    data = torch.as_tensor(stream[:rows * row_len].reshape(rows, row_len).astype(np.int64))
    mine = group.rows(rows)          # this process's block of the batch (all of it alone)
    data = data[mine]

    net = RecurrentLM(cfg.model, tok.vocab_size, tok.eot_id).to(device)
    if net.token_class is not None and not state:
        # every process computes the same classes (k-means with a fixed seed)
        from .classes import distributional_classes
        log(f"grouping {tok.vocab_size} tokens into {cfg.model.token_classes} classes")
        net.token_class.copy_(torch.as_tensor(distributional_classes(
            stream, tok.vocab_size, cfg.model.token_classes, cfg.seed)))
    opt, base_lrs = adam(net, cfg.lr, cfg.bias_lr)
    step, pos = 0, 0
    history: list[dict] = []
    carry = None
    t_carry = None   # the teacher's state, carried like the student's
    if state:
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        step, pos, history = state["step"], state["pos"], state["history"]
        carry = state.get("carry")
        if carry is not None:
            carry = carry[mine].to(device)
        t_carry = state.get("teacher_carry")
        if t_carry is not None:
            t_carry = t_carry[mine].to(device)
        torch.set_rng_state(state["torch_rng"])
    group.broadcast_(net)

    def checkpoint(gather: bool = True):
        # the carried states of the whole batch (a collective: every process calls this);
        # without gathering (an interrupted data-parallel run) the carry restarts on resume
        whole = [group.gather_rows(c) for c in (carry, t_carry)] if gather else [None, None]
        if not group.main:
            return
        save_atomic({"config": cfg.to_dict(), "net": net.state_dict(), "opt": opt.state_dict(),
                     "step": step, "pos": pos, "history": history,
                     "carry": None if whole[0] is None else whole[0].cpu(),
                     "teacher_carry": None if whole[1] is None else whole[1].cpu(),
                     "torch_rng": torch.get_rng_state(),
                     "tokenizer": {"config": tok.to_config(), "arrays": tok.to_arrays()}}, out)

    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, unit="step",
               dynamic_ncols=True)
    t0, tokens_done, ema = time.time(), 0, None
    chunk = ce = s = None

    def loss_of(_step):
        nonlocal pos, carry, t_carry, chunk, ce, s
        if pos + cfg.seq_len + 1 > row_len:
            pos, carry, t_carry = 0, None, None
        chunk = data[:, pos:pos + cfg.seq_len + 1].to(device)
        net.soft, net.noise = relaxation(cfg, _step)
        logits, s = net(chunk[:, :-1], carry)
        loss = ce = F.cross_entropy(logits.reshape(-1, tok.vocab_size),
                                    chunk[:, 1:].reshape(-1))
        if teacher is not None:
            with torch.no_grad():
                t_logits, t_carry = teacher(chunk[:, :-1], t_carry)
            tau, w = cfg.distill_temperature, cfg.distill_weight
            kl = F.kl_div(F.log_softmax(logits.reshape(-1, tok.vocab_size) / tau, -1),
                          F.log_softmax(t_logits.reshape(-1, tok.vocab_size) / tau, -1),
                          log_target=True, reduction="batchmean")
            loss = (1 - w) * loss + w * tau * tau * kl
        return loss

    def after(done, _loss):
        nonlocal carry, pos, step, tokens_done, ema
        carry = s.detach()
        pos += cfg.seq_len
        step = done
        tokens_done += chunk.shape[0] * cfg.seq_len * group.world
        loss_now = group.mean(ce.item())
        ema = loss_now if ema is None else 0.98 * ema + 0.02 * loss_now
        bar.update(1)
        bar.set_postfix(loss=f"{ema:.3f}",
                        tok_s=f"{tokens_done / (time.time() - t0):.0f}")
        if step % cfg.val_every == 0 or step == cfg.steps:
            if group.main:
                vb = net_bpb(net, tok, val_stories, device=device)
                history.append({"step": step, "loss": ema, "val_bpb": vb,
                                "elapsed_s": round(time.time() - t0, 1)})
                log(f"step {step}: train loss {ema:.3f} nats/token, val {vb:.3f} bpb")
            checkpoint()
        elif stop_after is not None and step == stop_after:
            checkpoint()

    try:
        optimise(net, opt, base_lrs, loss_of, step=step, steps=cfg.steps, warmup=cfg.warmup,
                 until=stop_after, after=after, after_backward=lambda: group.average_grads(net))
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt):
            checkpoint(gather=group.world == 1)   # a peer may already be gone
            bar.close()
            log(f"interrupted: checkpoint at step {step} written to {out}; continue with "
                f"--resume")
        group.close(together=False)
        raise
    group.close()
    bar.close()
    return out


def load_checkpoint(path: Path):
    """``(net, tokenizer, config, history)`` from a training checkpoint."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    cfg = TrainConfig.from_dict(state["config"])
    tok = Tokenizer.from_config(state["tokenizer"]["config"], state["tokenizer"]["arrays"])
    net = RecurrentLM(cfg.model, tok.vocab_size, tok.eot_id)
    net.load_state_dict(state["net"])
    net.eval()
    return net, tok, cfg, state["history"]
