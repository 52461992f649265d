"""The ``trnn`` command line: one entry point, a subcommand per stage.

The commands are defined in groups — :mod:`trnn.model_cmds` (a model by itself),
:mod:`trnn.board_cmds` (a model on a board) and :mod:`trnn.logic_cmds` (the model read as
logic) — over the shared pieces in :mod:`trnn.common`. This module assembles their parsers and
runs a command, turning the errors a user can fix into one line.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from trnn.boards.build import BuildError
from trnn.boards.tools import Stopped, stop_on_signals
from trnn.logic.aig import AIGError
from trnn.logic.fsm import AutomatonError
from trnn.logic.decompile import DecompileError
from trnn.logic.query import QueryError
from trnn.model.data import DataError
from trnn.model.modelfile import ModelFileError
from trnn.model.tokenizer import TokenizerError
from trnn.sim.device import SimError

from . import __version__, board_cmds, logic_cmds, model_cmds
from .common import CLIError, Parser

#: the errors a user can fix (a bad option, file, model or board): one line, status 2; with
#: :class:`trnn.boards.host.HostError` (a board or port), see :func:`is_user_error`
USER_ERRORS = (CLIError, ModelFileError, TokenizerError, DataError, BuildError, SimError,
               AutomatonError, QueryError, AIGError, DecompileError)


def is_user_error(e: Exception) -> bool:
    """Whether ``e`` is an error a user can fix (:data:`USER_ERRORS` or a
    :class:`~trnn.boards.host.HostError`) rather than a bug in trnn."""
    # the host module imports Amaranth (about 0.1 s): only once something has failed
    from trnn.boards.host import HostError
    return isinstance(e, (*USER_ERRORS, HostError))


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``trnn`` with every command group's subcommands; each subcommand sets
    ``fn``, the handler called with the parsed arguments (returns the exit status)."""
    p = Parser(prog="trnn", description="trnn: a language model made of logic gates. "
               "Train a ternary-weight, binary-state RNN, export it as an integer machine, "
               "and run it.")
    p.add_argument("--version", action="version", version=f"trnn {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=Parser)
    model_cmds.add_parsers(sub)
    board_cmds.add_parsers(sub)
    model_cmds.add_data_parsers(sub)
    logic_cmds.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the ``trnn`` command with ``argv`` (default: ``sys.argv[1:]``); the exit status.
    Errors a user can fix (:func:`is_user_error`, a file that cannot be read or written) are one
    ``trnn: error:`` line (status 2); SIGINT, SIGTERM and SIGHUP stop the command after its
    clean-up (child processes ended, checkpoints written), status 128 + the signal number.
    Any other exception propagates with its traceback."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)} \
        if in_main_thread else {}
    try:
        if in_main_thread:
            stop_on_signals()
        a = build_parser().parse_args(argv)
        return a.fn(a)
    except Stopped as e:
        print(f"trnn: stopped by {signal.Signals(e.signum).name}", file=sys.stderr)
        return 128 + e.signum
    except KeyboardInterrupt:
        print("trnn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:  # a file that cannot be read or written: one line, not a traceback
        print(f"trnn: error: {e.strerror or e}"
              + (f": {e.filename}" if getattr(e, "filename", None) else ""), file=sys.stderr)
        return 2
    except Exception as e:
        if not is_user_error(e):
            raise   # a bug: its traceback
        print(f"trnn: error: {e}", file=sys.stderr)
        return 2
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
