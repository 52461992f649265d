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


def image_command(board: Board, image: str, which=tools.find_program) -> list[str]:
    """The programmer command that writes the readout table ``image`` (an SPRAM build's
    ``readout.bin``) into ``board``'s SPI flash at :data:`trnn.hdl.flash.FLASH_OFFSET`,
    where the design reads it at power-up. :class:`BuildError` as :func:`flash_command`."""
    from ..hdl.flash import FLASH_OFFSET
    ofl = which("openFPGALoader")
    if ofl:
        return [ofl, "-b", OFL_BOARD[board.name], "-f", "-o", str(FLASH_OFFSET), image]
    iceprog = which("iceprog") if board.family == "ice40" else None
    if iceprog:
        return [iceprog, "-o", str(FLASH_OFFSET), image]
    raise BuildError(f"no programmer for {board.name} found: {INSTALL_HINT} or iceprog "
                     f"('apt install fpga-icestorm')")


def _run(cmd: list[str]) -> None:
    try:
        r = tools.run(cmd)
    except OSError as e:
        raise BuildError(f"cannot run {cmd[0]}: {e}") from None
    if r.returncode != 0:
        last = (r.stderr or r.stdout).strip().splitlines()
        raise BuildError(f"{cmd[0]} failed (exit {r.returncode}): "
                         f"{last[-1] if last else 'no output'}")


def flash(board: Board, bitstream: str, persist: bool = False,
          image: str | None = None) -> list[list[str]]:
    """Program ``board`` with ``bitstream``, after writing the readout-table ``image`` to its
    flash when there is one; returns the commands run. :class:`BuildError` if no programmer
    is installed or it fails."""
    cmds = ([image_command(board, image)] if image else []) + \
        [flash_command(board, bitstream, persist)]
    for cmd in cmds:
        _run(cmd)
    return cmds
