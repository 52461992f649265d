"""Put a bitstream on a board with openFPGALoader, iceprog or fujprog, whichever is installed."""

from __future__ import annotations

from . import tools
from .build import BuildError
from .catalog import Board

# openFPGALoader's names for our boards
OFL_BOARD = {"icebreaker": "ice40_generic", "icesugar": "icesugar",
             "ulx3s-85f": "ulx3s", "ulx3s-45f": "ulx3s", "ulx3s-25f": "ulx3s"}

INSTALL_HINT = ("install openFPGALoader (e.g. 'apt install openfpgaloader' or "
                "https://github.com/trabucayre/openFPGALoader)")


def flash_command(board: Board, bitstream: str, persist: bool = False,
                  which=tools.find_program) -> list[str]:
    """The programmer command for ``board``: to volatile configuration memory by default, to the
    board's SPI flash with ``persist``. ``which(name)`` gives a program's path or None (default:
    :func:`trnn.boards.tools.find_program`, PATH then beside the interpreter). Raises :class:`BuildError` naming what to install."""
    ofl = which("openFPGALoader")
    if ofl:
        return [ofl, "-b", OFL_BOARD[board.name], *(["-f"] if persist else []), bitstream]
    iceprog = which("iceprog") if board.family == "ice40" else None
    if iceprog:
        return [iceprog, *([] if persist else ["-S"]), bitstream]
    fujprog = which("fujprog") if board.family == "ecp5" else None
    if fujprog:
        return [fujprog, *(["-j", "flash"] if persist else []), bitstream]
    extra = " or iceprog ('apt install fpga-icestorm')" if board.family == "ice40" \
        else " or fujprog"
    raise BuildError(f"no programmer for {board.name} found: {INSTALL_HINT}{extra}")


def flash(board: Board, bitstream: str, persist: bool = False) -> list[str]:
    """Program ``board`` with ``bitstream``; returns the command run. :class:`BuildError` if no
    programmer is installed or it fails."""
    cmd = flash_command(board, bitstream, persist)
    try:
        r = tools.run(cmd)
    except OSError as e:
        raise BuildError(f"cannot run {cmd[0]}: {e}") from None
    if r.returncode != 0:
        last = (r.stderr or r.stdout).strip().splitlines()
        raise BuildError(f"{cmd[0]} failed (exit {r.returncode}): "
                         f"{last[-1] if last else 'no output'}")
    return cmd
