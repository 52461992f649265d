"""Data-parallel training under ``torchrun`` (PyTorch's process group: gloo on CPU, NCCL on
CUDA).

``torchrun --nproc_per_node N -m trnn train …`` starts N processes with ``RANK``,
``WORLD_SIZE`` and ``LOCAL_RANK`` set; :func:`join` then opens the process group. Every
process holds the whole network and reads its own block of ``batch / N`` rows of the training
batch; after each backward pass the gradients are averaged (:meth:`Group.average_grads`), so
every process takes the same optimiser step as one process reading the whole batch would (up
to the order of floating-point sums). Rank 0 validates, logs and writes the checkpoint, whose
carried state it gathers from all ranks, so the checkpoint is the one a single process would
write and resumes in one process (or in another data-parallel run).

Without ``torchrun`` (``WORLD_SIZE`` unset or 1) :func:`join` returns a group of one whose
methods do nothing, and training is exactly the single-process run.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Group:
    """This process's place among ``world`` data-parallel processes (rank 0 is the main)."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        """Whether this process validates, logs and writes checkpoints."""
        return self.rank == 0

    def rows(self, n: int) -> slice:
        """This process's block of ``n`` batch rows (``n`` a multiple of ``world``)."""
        per = n // self.world
        return slice(self.rank * per, (self.rank + 1) * per)

    def broadcast_(self, net: torch.nn.Module) -> None:
        """Make every process's parameters rank 0's (in place)."""
        if self.world > 1:
            for p in net.parameters():
                dist.broadcast(p.data, 0)

    def average_grads(self, net: torch.nn.Module) -> None:
        """Replace each parameter's gradient by its mean over the processes (in place)."""
        if self.world > 1:
            for p in net.parameters():
                if p.grad is not None:
                    dist.all_reduce(p.grad)
                    p.grad /= self.world

    def mean(self, x: float) -> float:
        """The mean of a number over the processes."""
        if self.world == 1:
            return x
        t = torch.tensor([float(x)], dtype=torch.float64)
        dist.all_reduce(t)
        return float(t) / self.world

    def gather_rows(self, t: torch.Tensor | None) -> torch.Tensor | None:
        """The whole batch's rows [batch, ...] from each process's block (on CPU); ``None``
        stays ``None`` (every process holds the same kind)."""
        if self.world == 1 or t is None:
            return t
        t = t.detach().contiguous()
        parts = [torch.empty_like(t) for _ in range(self.world)]
        dist.all_gather(parts, t)
        return torch.cat(parts).cpu()

    def close(self, together: bool = True) -> None:
        """Leave the process group (nothing for a group of one). ``together``: first wait
        for every process (the end of a run); not after an error, when a peer may be gone
        and the wait would never end."""
        if self.world > 1 and dist.is_initialized():
            gc.collect()   # no collective's tensors left for gloo's threads at exit
            if together:
                # gloo aborts a process whose peer is gone while it still writes (rank 0's
                # last checkpoint)
                dist.barrier()
            dist.destroy_process_group()


def world_size() -> int:
    """The number of data-parallel processes ``torchrun`` started (``WORLD_SIZE``; 1 alone)."""
    return max(1, int(os.environ.get("WORLD_SIZE", "1")))


def is_main_process() -> bool:
    """Whether this is rank 0 of a ``torchrun`` run, or a process on its own (``RANK``)."""
    return int(os.environ.get("RANK", "0")) == 0


def join(device: torch.device) -> tuple[Group, torch.device]:
    """The data-parallel group this process belongs to, and the device it trains on: with
    ``WORLD_SIZE`` > 1 (as ``torchrun`` sets it) the process group is opened (NCCL on CUDA,
    each process on GPU ``LOCAL_RANK``; gloo otherwise); else a group of one on ``device``."""
    world = world_size()
    if world == 1:
        return Group(), device
    rank = int(os.environ["RANK"])
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Group(rank, world), device
