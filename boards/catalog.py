"""The boards trnn builds for, each an amaranth-boards platform with a USB-UART bridge."""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Board:
    """One supported board. ``lut4``/``bram_bits`` are the device's totals; ``spram`` whether
    it has the UP5K's single-port RAM (4 x 256 Kbit) and an SPI flash to fill it from;
    ``cell`` is the nextpnr utilisation entry that counts LUT4s (``ICESTORM_LC`` on iCE40,
    ``TRELLIS_COMB`` on ECP5)."""

    name: str
    platform: str           # "module:Class" in amaranth_boards
    family: str             # "ice40" or "ecp5"
    device: str
    lut4: int
    bram_bits: int
    clk_hz: int
    description: str
    spram: bool = False

    @property
    def cell(self) -> str:
        """The nextpnr name of this family's logic cell (a LUT4 with its flip-flop)."""
        return "ICESTORM_LC" if self.family == "ice40" else "TRELLIS_COMB"

    def make_platform(self):
        """The amaranth-boards platform, needing only the build tools (some platforms also
        require their programmer, which a build does not use)."""
        module, cls = self.platform.split(":")
        base = getattr(importlib.import_module(module), cls)
        build_tools = {"yosys", f"nextpnr-{self.family}",
                       "icepack" if self.family == "ice40" else "ecppack"}

        class BuildOnly(base):
            @property
            def required_tools(self):
                return [t for t in super().required_tools if t in build_tools]

        BuildOnly.__name__ = base.__name__
        return BuildOnly()


BOARDS = {b.name: b for b in [
    Board("icebreaker", "amaranth_boards.icebreaker:ICEBreakerPlatform", "ice40",
          "iCE40UP5K", 5280, 30 * 4096, 12_000_000, "1BitSquared iCEBreaker (iCE40 UP5K)",
          spram=True),
    Board("icesugar", "amaranth_boards.icesugar:ICESugarPlatform", "ice40",
          "iCE40UP5K", 5280, 30 * 4096, 12_000_000, "MuseLab iCESugar (iCE40 UP5K)",
          spram=True),
    Board("ulx3s-85f", "amaranth_boards.ulx3s:ULX3S_85F_Platform", "ecp5",
          "LFE5U-85F", 83640, 208 * 18432, 25_000_000, "Radiona ULX3S, ECP5 85F"),
    Board("ulx3s-45f", "amaranth_boards.ulx3s:ULX3S_45F_Platform", "ecp5",
          "LFE5U-45F", 43848, 108 * 18432, 25_000_000, "Radiona ULX3S, ECP5 45F"),
    Board("ulx3s-25f", "amaranth_boards.ulx3s:ULX3S_25F_Platform", "ecp5",
          "LFE5U-25F", 24288, 56 * 18432, 25_000_000, "Radiona ULX3S, ECP5 25F"),
]}

# the board each shipped model is made for
DEFAULT_BOARD = {"small": "icebreaker", "large": "ulx3s-85f"}
