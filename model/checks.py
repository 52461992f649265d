"""Range checks for configuration fields (the network's shape, the training run's settings),
shared by :mod:`trnn.model.net` and :mod:`trnn.model.train`."""

from __future__ import annotations

import math


def check_range(name: str, value, lo, hi=None, why: str = "", above: bool = False) -> None:
    """ValueError naming ``name`` and its range unless ``value`` is a number (an int if ``lo``
    is) with ``lo <= value <= hi`` (``lo < value`` if ``above``; no upper limit if ``hi`` is
    None); floats must be finite."""
    integral = isinstance(lo, int)
    ok_type = isinstance(value, int) if integral else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or (not integral and not math.isfinite(value)):
        raise ValueError(f"{name} must be {'an integer' if integral else 'a finite number'}, "
                         f"got {value!r}")
    if (value <= lo if above else value < lo) or (hi is not None and value > hi):
        rng = f"> {lo:g}" if above else f">= {lo:,}" if hi is None else f"{lo:,}..{hi:,}"
        if above and hi is not None:
            rng += f" and <= {hi:,}"
        raise ValueError(f"{name} must be {rng}{why}, got {value}")
