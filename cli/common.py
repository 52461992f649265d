"""What the command groups of ``trnn`` share: the user-error type, the parser class, argument
types, and loading a model or checkpoint.

Imported by :mod:`trnn.model_cmds`, :mod:`trnn.board_cmds`, :mod:`trnn.logic_cmds` and
:mod:`trnn.main`; it imports none of them.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

from trnn.boards.catalog import BOARDS
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, seed_to_state, temperature_to_tq
from trnn.models import SHIPPED, shipped_path


class CLIError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one :class:`CLIError` line (naming
    ``--help``) instead of the usage text and exit status 2 of argparse."""

    def error(self, message):
        """Raise :class:`CLIError` with argparse's ``message``."""
        raise CLIError(f"{message} (see '{self.prog} --help')")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a ``ValueError`` raised inside into a :class:`CLIError` with the same message, for
    a call whose ValueErrors all describe the user's input (a seed, a temperature, a
    configuration); any other exception propagates unchanged, with its traceback."""
    try:
        yield
    except ValueError as e:
        raise CLIError(str(e)) from None


def check_seed(seed: int) -> None:
    """:class:`CLIError` unless ``seed`` is a PRNG seed (0..2^32-2)."""
    with user_errors():
        seed_to_state(seed)


def tq_for(temperature: float, m: Machine) -> int:
    """The integer temperature t_q of ``temperature`` for ``m`` (0 = greedy); a
    :class:`CLIError` naming the model's largest temperature when it is out of range."""
    with user_errors():
        return temperature_to_tq(temperature, m.logit_scale)


# -- argument types ----------------------------------------------------------------------------
def nonneg_float(s: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {s!r}")
    return v


def pos_int(s: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {s!r}")
    return v


def number(kind: type, lo=None, hi=None, *, above=None, why: str = "") -> Callable[[str], float]:
    """An argparse type: ``kind`` (int or float; floats must be finite) in ``lo..hi``
    (or ``> above``), the error naming the range and ``why`` it is the range."""
    def parse(s):
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not {'an integer' if kind is int else 'a number'}: {s!r}") from None
        if kind is float and not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"must be a finite number: {s!r}")
        low_ok = (lo is None or v >= lo) and (above is None or v > above)
        if not low_ok or (hi is not None and v > hi):
            rng = (f"> {above:g}" if above is not None else f"{lo:,}" if lo is not None
                   else "")
            rng = (f"{rng}..{hi:,}" if above is None else f"{rng} and <= {hi:,}") \
                if hi is not None else (rng if above is not None else f">= {lo:,}")
            raise argparse.ArgumentTypeError(f"{s} is out of range: {rng}{why}")
        return v
    parse.__name__ = kind.__name__   # argparse names the type in its messages
    return parse


#: a PRNG seed: the state, seed + 1, is a nonzero 32-bit word
seed_number = number(int, 0, 2**32 - 2,
                     why=" (the PRNG state, seed + 1, is a nonzero 32-bit word)")
#: a token count of the board protocol (16 bits)
token_count = number(int, 1, 0xFFFF, why=" (the protocol's token count is 16 bits)")
#: seconds to wait for a board
timeout_seconds = number(float, above=0, hi=86400.0, why=" seconds")


def baud_rate(s: str) -> int:
    """An argparse type: a UART baud rate some supported board can make (50 up to a quarter
    of the fastest board clock)."""
    hi = max(b.clk_hz for b in BOARDS.values()) // 4
    return number(int, 50, hi, why=" (a board's UART needs 4 clock cycles per bit; the "
                  "fastest supported clock is "
                  f"{4 * hi / 1e6:g} MHz)")(s)


# -- models and checkpoints ----------------------------------------------------------------------
def resolve_model(name: str) -> Path:
    """A model file path, or the name of a shipped model (``small``, ``large``);
    :class:`CLIError` for a name that is neither an existing path nor a shipped model."""
    p = Path(name)
    if p.exists() or p.suffix == ".trnn" or "/" in name:
        return p
    sp = shipped_path(name)
    if sp is None:
        raise CLIError(f"no model file {name!r} and no shipped model of that name "
                       f"(shipped: {', '.join(SHIPPED)})")
    return sp


def load_machine(name: str) -> Machine:
    """The machine of :func:`resolve_model` ``(name)``; a file that is missing or not a
    usable model raises :class:`trnn.model.modelfile.ModelFileError`."""
    return Machine.load(resolve_model(name))


def load_ckpt(path: str):
    """``load_checkpoint(path)``: (network, tokenizer, train config, history), with one-line
    :class:`CLIError` for a missing or unusable file."""
    # the training stack imports torch (about a second): only commands that need it load it
    from trnn.model.train import load_checkpoint

    p = Path(path)
    if not p.is_file():
        raise CLIError(f"checkpoint not found: {p}")
    try:
        return load_checkpoint(p)
    except (RuntimeError, KeyError, EOFError, ValueError, TypeError,
            pickle.UnpicklingError) as e:
        raise CLIError(f"{p} is not a usable trnn checkpoint ({type(e).__name__})") from None


def make_engine(m: Machine, engine: str):
    """An engine running ``m``: ``numpy`` (the golden reference) or ``torch``."""
    if engine == "numpy":
        return NumpyEngine(m)
    # the torch engine imports torch (about a second): only when chosen
    from trnn.model.deploy import TorchEngine
    return TorchEngine(m)
