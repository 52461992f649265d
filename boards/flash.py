"""Put a bitstream on a board with openFPGALoader, iceprog or fujprog, whichever is installed."""

from __future__ import annotations

import shutil
import subprocess

from .build import BuildError
from .catalog import Board

# openFPGALoader's names for our boards
OFL_BOARD = {"icebreaker": "ice40_generic", "icesugar": "icesugar",
             "ulx3s-85f": "ulx3s", "ulx3s-45f": "ulx3s", "ulx3s-25f": "ulx3s"}

INSTALL_HINT = ("install openFPGALoader (e.g. 'apt install openfpgaloader' or "
                "https://github.com/trabucayre/openFPGALoader)")


def flash_command(board: Board, bitstream: str, persist: bool = False,
                  which=shutil.which) -> list[str]:
    """The programmer command for ``board``: to volatile configuration memory by default, to the
    board's SPI flash with ``persist``. Raises :class:`BuildError` naming what to install."""
    if which("openFPGALoader"):
        return ["openFPGALoader", "-b", OFL_BOARD[board.name], *(["-f"] if persist else []),
                bitstream]
    if board.family == "ice40" and which("iceprog"):
        return ["iceprog", *([] if persist else ["-S"]), bitstream]
    if board.family == "ecp5" and which("fujprog"):
        return ["fujprog", *(["-j", "flash"] if persist else []), bitstream]
    extra = " or iceprog ('apt install fpga-icestorm')" if board.family == "ice40" \
        else " or fujprog"
    raise BuildError(f"no programmer for {board.name} found: {INSTALL_HINT}{extra}")


def flash(board: Board, bitstream: str, persist: bool = False) -> list[str]:
    cmd = flash_command(board, bitstream, persist)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr or r.stdout).strip().splitlines()
        raise BuildError(f"{cmd[0]} failed (exit {r.returncode}): "
                         f"{last[-1] if last else 'no output'}")
    return cmd
