"""The optimisation loop every training run shares: Adam, warm-up and cosine decay, clipping.

A :class:`~trnn.model.net.RecurrentLM` is trained with Adam in two parameter groups (the gate
and readout biases ``b`` and ``c`` at their own learning rate, everything else at the main
one). Each step sets both learning rates to ``base · max(scale, 0.02)`` with
:func:`lr_scale` (linear warm-up over ``warmup`` steps, times a cosine from 1 to 0 over
``steps``), computes the loss, clips the gradient norm to 1, steps the optimiser and clamps
the network's latent weights (:meth:`~trnn.model.net.RecurrentLM.clamp_`).
:func:`optimise` runs those steps; what a step reads and what happens between steps
(checkpoints, validation, early stopping) are the caller's, through two callbacks.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

MIN_LR_SCALE = 0.02     # the learning rate never falls below this fraction of its base
CLIP_NORM = 1.0         # gradient norm limit per step


def adam(net: torch.nn.Module, lr: float, bias_lr: float
         ) -> tuple[torch.optim.Adam, list[float]]:
    """Adam over ``net``'s parameters: ``net.b`` and ``net.c`` at ``bias_lr``, the rest at
    ``lr``. Returns the optimiser and the base learning rates of its two groups (rest,
    biases), as :func:`optimise` takes them."""
    biases = [net.b, net.c]
    others = [p for p in net.parameters() if all(p is not q for q in biases)]
    opt = torch.optim.Adam([{"params": others, "lr": lr},
                            {"params": biases, "lr": bias_lr}])
    return opt, [lr, bias_lr]


def lr_scale(step: int, steps: int, warmup: int) -> float:
    """The schedule's factor at step ``step`` (0-based) of ``steps``: ``min(1, (step + 1) /
    warmup) · (1 + cos(π · step / steps)) / 2`` (``warmup`` and ``steps`` below 1 count as 1).
    :func:`optimise` applies it with a floor of :data:`MIN_LR_SCALE`."""
    frac = step / max(1, steps)
    return min(1.0, (step + 1) / max(1, warmup)) * 0.5 * (1 + math.cos(math.pi * frac))


def optimise(net: torch.nn.Module, opt: torch.optim.Optimizer, base_lrs: list[float],
             loss_of: Callable[[int], torch.Tensor], *, step: int, steps: int, warmup: int,
             until: int | None = None,
             after: Callable[[int, torch.Tensor], bool | None] | None = None,
             after_backward: Callable[[], None] | None = None) -> int:
    """Run optimisation steps from step ``step`` (0-based; steps done so far) while
    ``step < steps`` and, if given, ``step < until``. One step: set the learning rate of
    each group of ``opt`` to its ``base_lrs`` entry times ``max(lr_scale(step, steps,
    warmup), MIN_LR_SCALE)``; ``loss = loss_of(step)`` (a scalar tensor with a graph back to
    ``net``'s parameters); zero the gradients, backpropagate, ``after_backward()`` if given
    (data-parallel training averages the gradients there), clip the gradient norm to
    :data:`CLIP_NORM`, ``opt.step()``, ``net.clamp_()``; then ``after(step + 1, loss)``,
    which ends the loop by returning True. Returns the number of steps done in all.
    Exceptions from the callbacks (``KeyboardInterrupt`` included) propagate, the steps done
    so far kept in ``net`` and ``opt``."""
    end = steps if until is None else min(steps, until)
    while step < end:
        scale = lr_scale(step, steps, warmup)
        for g, lr in zip(opt.param_groups, base_lrs):
            g["lr"] = lr * max(scale, MIN_LR_SCALE)
        loss = loss_of(step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if after_backward is not None:
            after_backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP_NORM)
        opt.step()
        net.clamp_()
        step += 1
        if after is not None and after(step, loss):
            break
    return step
