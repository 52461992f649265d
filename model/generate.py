"""Generation: the host-side loop that feeds a prompt and samples, identical for every engine.

``generate`` follows ``docs/machine.md`` §Generation: start in ``h0``, read the end-of-story
token and then the prompt, then repeatedly choose a token from the scores of the current state
and read it. The engine supplies ``initial_state``, ``step``, ``scores`` and ``choose``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import Engine
from .machine import seed_to_state


@dataclass
class Generation:
    """What one generation produced: the generated token ids, and optionally, for each step
    the machine took, the state after it (as 0/1 ``uint8``) and the scores (``int64``)."""

    tokens: list[int] = field(default_factory=list)
    states: list[np.ndarray] = field(default_factory=list)
    scores: list[np.ndarray] = field(default_factory=list)


def generate(engine: Engine, prompt_ids: list[int], max_tokens: int, tq: int = 0, seed: int = 0,
             stop_at_eot: bool = True, record: bool = False, on_token=None) -> Generation:
    """Generate up to ``max_tokens`` tokens after ``prompt_ids`` (which exclude the leading
    EOT) with ``engine``. ``tq`` is the integer temperature (0 = greedy), ``seed`` the PRNG
    seed (``ValueError`` outside 0…2³²−2). With ``record`` the result keeps every state and
    score vector. ``on_token(tok)`` is called as each token is chosen, for streaming output."""
    eot = engine.m.eot_id
    rng = seed_to_state(seed)
    trace = Generation()
    h = engine.initial_state()

    def feed(h, tok):
        h = engine.step(h, tok)
        s = engine.scores(h)
        if record:
            trace.states.append(np.asarray(h, dtype=np.uint8).copy())
            trace.scores.append(np.asarray(s, dtype=np.int64).copy())
        return h, s

    for tok in [eot, *prompt_ids]:
        h, s = feed(h, tok)
    for i in range(max_tokens):
        tok, rng = engine.choose(s, rng, tq)
        trace.tokens.append(tok)
        if on_token is not None:
            on_token(tok)
        if (stop_at_eot and tok == eot) or i == max_tokens - 1:
            break
        h, s = feed(h, tok)
    return trace
