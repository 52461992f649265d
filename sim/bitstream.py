"""The bitstream file against the configuration nextpnr wrote for its routed design."""

from __future__ import annotations

import os
from pathlib import Path

from ..boards import tools
from ..boards.build import VerifyError
from ..boards.catalog import Board

# each family's unpacker, nextpnr's configuration file and the bitstream (Amaranth's names)
FILES = {"ice40": ("iceunpack", "trnn.asc", "trnn.bin"),
         "ecp5": ("ecpunpack", "trnn.config", "trnn.bit")}


def _config_sections(text: str) -> dict[str, list[str]]:
    """A textual FPGA configuration (IceStorm ``.asc``, Trellis ``.config``) as its sections
    (a line starting with ``.``, and the lines after it), without comments and symbol
    names; all-zero bit sections are dropped (an unpacker may write them, nextpnr does not)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("."):
            if line.startswith((".comment", ".sym")):
                current = None
                continue
            current = line
            sections.setdefault(current, [])
            continue
        if current is not None:
            sections[current].append(line)
    out = {}
    for k, rows in sections.items():
        if rows and all(set(r) <= {"0"} for r in rows):
            continue
        out[k] = rows if not k.startswith(".tile") else sorted(rows)
    return out


def _unpack(unpacker: str, build_dir: Path, bitstream: str, out: str) -> dict[str, list[str]]:
    r = tools.run([unpacker, bitstream, out], cwd=build_dir, env=tools.tool_environ())
    if r.returncode != 0:
        raise VerifyError(f"{os.path.basename(unpacker)} could not read {bitstream}: "
                          f"{(r.stderr or r.stdout).strip().splitlines()[-1:]}")
    try:
        return _config_sections((build_dir / out).read_text())
    finally:
        (build_dir / out).unlink(missing_ok=True)


def check_bitstream(build_dir: Path, board: Board, unpacker: str,
                    packer: str | None = None) -> str:
    """Unpack the bitstream with ``unpacker`` and compare it with nextpnr's configuration;
    :class:`VerifyError` naming the first differing section. Returns a one-line summary.

    An IceStorm ``.asc`` is canonical: the decoded bitstream must equal nextpnr's file. A
    Trellis ``.config`` is not (one bit pattern has several names, and the packer adds
    fixed defaults), so on ECP5 nextpnr's configuration is packed afresh with ``packer`` and
    both bitstreams are decoded by the same unpacker, which must then give the same text."""
    _, config, bitstream = FILES[board.family]
    got = _unpack(unpacker, build_dir, bitstream, f"unpacked-{config}")
    if packer is None:
        want = _config_sections((build_dir / config).read_text())
        what = f"nextpnr's {config}"
    else:
        ref = f"repacked-{bitstream}"
        r = tools.run([packer, "--input", config, "--bit", ref], cwd=build_dir,
                      env=tools.tool_environ())
        if r.returncode != 0:
            raise VerifyError(f"{os.path.basename(packer)} could not pack {config}")
        try:
            want = _unpack(unpacker, build_dir, ref, f"repacked-{config}")
        finally:
            (build_dir / ref).unlink(missing_ok=True)
        what = f"nextpnr's {config} packed afresh"
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            raise VerifyError(f"the bitstream {bitstream} does not decode to {what}: "
                              f"section {k!r} differs")
    return f"{bitstream} decodes to {what} ({len(want)} sections)"
