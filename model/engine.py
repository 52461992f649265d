"""The engine contract: what every executor of the integer machine offers.

An engine runs one :class:`~trnn.model.machine.Machine` exactly as ``docs/machine.md`` defines
it: :class:`trnn.model.golden.NumpyEngine` (the reference), :class:`trnn.model.deploy.TorchEngine`;
the hardware and the decompiled program implement the same four operations in their own terms.
Generation (:func:`trnn.model.generate.generate`), evaluation and tracing accept any object
that satisfies :class:`Engine`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .machine import Machine


@runtime_checkable
class Engine(Protocol):
    """One step, the readout scores and the choice of the machine ``m``.

    States are 0/1 arrays [..., H] and token ids int arrays [...] of the engine's own array
    type (NumPy or PyTorch); the leading dimensions are independent streams."""

    #: short name, e.g. ``"numpy"``
    name: str
    #: the machine it runs
    m: Machine

    def initial_state(self, batch: int | None = None) -> Any:
        """``h0`` [H], or ``batch`` copies of it [batch, H]."""
        ...

    def step(self, h: Any, tok: Any) -> Any:
        """The next state(s) after reading token(s) ``tok`` in state(s) ``h`` (§2)."""
        ...

    def scores(self, h: Any) -> Any:
        """The integer readout scores [..., V] of state(s) ``h`` (§3)."""
        ...

    def choose(self, scores: Any, rng_state: int, tq: int) -> tuple[int, int]:
        """The next token from one score vector [V] at integer temperature ``tq`` (§4–5):
        ``(token, new_rng_state)``."""
        ...
