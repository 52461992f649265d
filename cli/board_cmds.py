"""``trnn build``, ``flash``, ``talk``, ``sim`` and ``boards``: a model on a board, real or
simulated. :func:`add_parsers` adds them to ``trnn``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from trnn.boards.build import (LUT_BUDGET, BuildError, Report, build, check_baud,
                               check_fits)
from trnn.boards.catalog import BOARDS, DEFAULT_BOARD, Board
from trnn.boards.flash import flash
from trnn.boards.tools import die_with_parent
from trnn.model.machine import Machine
from trnn.sim.device import SimDevice, SimError, build_harness
from trnn.sim.routed import verify_report

from .common import (CLIError, baud_rate, check_seed, load_machine, nonneg_float, seed_number,
                     timeout_seconds, token_count, tq_for)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def board_for(name: str | None, model: str) -> Board:
    """The board ``name`` (None: the default board of the shipped model ``model``);
    :class:`CLIError` for an unknown name or when there is no default."""
    if name is None:
        name = DEFAULT_BOARD.get(model)
        if name is None:
            raise CLIError(f"choose a board with --board ({', '.join(BOARDS)})")
    if name not in BOARDS:
        raise CLIError(f"unknown board {name!r} (known: {', '.join(BOARDS)})")
    return BOARDS[name]


def story_tq(a: argparse.Namespace, m: Machine) -> int | None:
    """The integer temperature of the story mode the board starts in (None: ``--no-story``),
    after checking ``--story-seed`` and ``--story-temperature``."""
    check_seed(a.story_seed)
    return None if a.no_story else tq_for(a.story_temperature, m)


def do_build(a: argparse.Namespace, m: Machine, board: Board) -> Report:
    """Build (or take from the cache) ``m`` for ``board`` with the build options of ``a``;
    the estimate and progress go to stderr, a failure is a one-line ``BuildError``."""
    tq = story_tq(a, m)   # options in range before anything is printed
    check_baud(board, a.baud)
    est = check_fits(m, board)
    print(f"estimate: about {est.lut4:,} LUT4 of {est.lut4_budget:,} allowed on "
          f"{board.name}, {est.rom_bits:,} of {est.bram_bits:,} block-RAM bits in "
          f"{est.bram_blocks} of {est.bram_blocks_available} blocks",
          file=sys.stderr)
    return build(m, board, a.model, baud=a.baud, story_tq=tq, story_seed=a.story_seed,
                 toolchain=a.toolchain, cache_dir=Path(a.cache_dir) if a.cache_dir else None,
                 force=a.force, log=_log)


def do_verify(a: argparse.Namespace, m: Machine, rep: Report) -> Report:
    """The gate-level check of the build ``rep`` (trnn.sim.routed.verify_report), recorded
    in its cached report; a failure is one error line."""
    try:
        return verify_report(m, rep, toolchain=a.toolchain, log=_log)
    except (BuildError, SimError) as e:
        raise CLIError(f"verification failed: {e}") from None


def cmd_build(a: argparse.Namespace) -> int:
    """``trnn build``: the bitstream of a model for a board, and its report."""
    board = board_for(a.board, a.model)
    m = load_machine(a.model)
    rep = do_build(a, m, board)
    if a.verify and not rep.verified_netlist:
        rep = do_verify(a, m, rep)
    print(rep.table())
    if a.report:
        Path(a.report).write_text(json.dumps(asdict(rep), indent=1, sort_keys=True) + "\n")
    if not rep.timing_met:
        print(f"trnn: warning: timing not met at the board clock ({rep.fmax_mhz:.2f} < "
              f"{rep.clock_mhz:.2f} MHz)", file=sys.stderr)
    return 0


def cmd_flash(a: argparse.Namespace) -> int:
    """``trnn flash``: a bitstream (given, or built) programmed onto the board."""
    board = board_for(a.board, a.model)
    if a.bitstream:
        bitstream = a.bitstream
        if not Path(bitstream).is_file():
            raise CLIError(f"bitstream not found: {bitstream}")
        # an SPRAM build keeps its readout table beside the bitstream
        beside = Path(bitstream).with_name("readout.bin")
        image = str(beside) if beside.is_file() else None
    else:
        rep = do_build(a, load_machine(a.model), board)
        bitstream, image = rep.bitstream, rep.flash_image
    for cmd in flash(board, bitstream, persist=a.persist, image=image):
        print(f"flashed {cmd[-1]} with {' '.join(cmd[:-1])}")
    return 0


def talk(a: argparse.Namespace, transport, out, port: str, story: bool,
         model: Machine | None) -> list[int]:
    """:func:`trnn.boards.host.talk` with the generation options of ``a`` (``talk``, or
    ``sim`` with ``--prompt``), on the board called ``port``."""
    # the protocol imports Amaranth's CRC catalogue (about 0.1 s): only for talk and sim
    from trnn.boards import host
    return host.talk(transport, out, prompt=a.prompt, max_tokens=a.max_tokens,
                     temperature=a.temperature, seed=a.seed, story=story,
                     stop_at_eot=not a.no_stop, show_eot=a.show_eot, timeout=a.timeout,
                     quiet=a.quiet, port=port, model=model, model_name=a.model)


def cmd_talk(a: argparse.Namespace) -> int:
    """``trnn talk``: generate on the board at the serial port ``a.port``."""
    from trnn.boards.host import open_serial   # Amaranth: see talk
    from trnn.hdl import protospec as ps

    port = open_serial(a.port, a.baud)
    try:
        model = load_machine(a.model) if a.model else None
        talk(a, port, sys.stdout.buffer, a.port, a.story, model)
        return 0
    except KeyboardInterrupt:
        if a.story:
            port.write(ps.frame(ps.CMD_HALT))   # leave the board idle, not writing
        raise
    finally:
        port.close()


def cmd_sim(a: argparse.Namespace) -> int:
    """``trnn sim``: a simulated board behind a pseudo-terminal, or (``--prompt``) one
    generation on it."""
    # the design is an Amaranth program (about 0.1 s to import): only here
    from trnn.boards.host import HostError, open_serial
    from trnn.hdl.system import uart_divisor
    from trnn.sim.verilog import system_verilog

    board = board_for(a.board, a.model)
    m = load_machine(a.model)
    baud = a.baud or (board.clk_hz // 4 if a.fast else 115200)
    story = None if (a.no_story or a.prompt is not None) else story_tq(a, m)
    try:
        divisor = uart_divisor(board.clk_hz, baud)
    except ValueError as e:
        raise CLIError(str(e)) from None
    if a.prompt is not None and a.temperature is not None:
        tq_for(a.temperature, m)   # in range before the build
    # a simulated board without the program that started it is an orphan (unless nohup)
    die_with_parent()
    # the board's own design: its readout table where a build for it keeps it (the UP5K's
    # SPRAM, loaded from a simulated flash, for the shipped small)
    from trnn.boards.build import readout_memory
    exe = build_harness(system_verilog(m, board.clk_hz, baud, story_tq=story,
                                       story_seed=a.story_seed,
                                       readout=readout_memory(m, board)), log=_log)
    with SimDevice(exe, divisor, a.link) as dev:
        if a.prompt is None:
            print(f"simulated {board.name} running {a.model} on {dev.path} "
                  f"({baud} baud{', story mode' if story is not None else ''}); "
                  f"Ctrl-C stops it", flush=True)
            dev.wait()
            raise SimError(f"the simulator stopped unexpectedly ({dev.died()})")
        port = open_serial(dev.path, baud)
        try:
            talk(a, port, sys.stdout.buffer, dev.path, False, m)
            return 0
        except HostError:
            if dev.died():
                raise SimError(f"the simulator stopped unexpectedly ({dev.died()})") \
                    from None
            raise
        finally:
            port.close()


def cmd_boards(a: argparse.Namespace) -> int:
    """``trnn boards``: the supported boards with their LUT4 budgets and clocks."""
    for b in BOARDS.values():
        print(f"{b.name:<11} {b.description:<38} {b.lut4:>6,} LUT4 (budget "
              f"{int(LUT_BUDGET * b.lut4):,}), {b.clk_hz / 1e6:g} MHz")
    return 0


def _add_talk_options(p, prompt, timeout: float) -> None:
    """Options of a generation on a board (talk, and sim with --prompt)."""
    p.add_argument("--prompt", default=prompt, help="text to start from" + (
        "" if prompt else "; given, the simulated board is talked to once"))
    p.add_argument("--temperature", type=nonneg_float, default=None,
                   help="0 = greedy (default; with --story: 0.8); at most what the model's "
                   "16-bit t_q allows")
    p.add_argument("--seed", type=seed_number, default=0, help="PRNG seed, 0..2^32-2")
    p.add_argument("--max-tokens", type=token_count, default=400,
                   help="tokens to generate, 1..65535 (the protocol's count is 16 bits)")
    p.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    p.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    p.add_argument("--timeout", type=timeout_seconds, default=timeout,
                   help=f"seconds to wait for the board, > 0 (default {timeout:g})")
    p.add_argument("--quiet", action="store_true", help="no tokens/s line")


def _add_build_options(b) -> None:
    """Options of a build (build, and flash without --bitstream)."""
    b.add_argument("--board", help="board (default: icebreaker for small, ulx3s-85f for "
                   "large); see 'trnn boards'")
    b.add_argument("--baud", type=baud_rate, default=115200, help="UART baud rate "
                   "(default 115200)")
    b.add_argument("--story-temperature", type=nonneg_float, default=0.8,
                   help="temperature of the story mode the board starts in (default 0.8)")
    b.add_argument("--story-seed", type=seed_number, default=0, help="story-mode seed, "
                   "0..2^32-2 (default 0)")
    b.add_argument("--no-story", action="store_true", help="start idle, waiting for the host")
    b.add_argument("--toolchain", choices=["auto", "yowasp", "system"], default="auto",
                   help="auto (default): system yosys/nextpnr when installed, else YoWASP")
    b.add_argument("--cache-dir", help="where builds are kept (default: TRNN_CACHE or "
                   "~/.cache/trnn)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")


def add_parsers(sub) -> None:
    """Add ``build``, ``flash``, ``talk``, ``sim`` and ``boards`` to the subparsers ``sub`` of
    ``trnn``."""
    b = sub.add_parser("build", help="compile a model into a bitstream for a board",
                       description="Turn a model into a bitstream with open tools (Yosys, "
                       "nextpnr; YoWASP from PyPI unless system tools are installed). Checks "
                       "the model fits before synthesis, prints and saves a report (LUT4s, "
                       "Fmax, cycles and tokens per second); builds are cached.")
    b.add_argument("--model", default="small", help="model file or shipped model name "
                   "(default: small)")
    _add_build_options(b)
    b.add_argument("--verify", action="store_true", help="check the result at gate level: "
                   "the bitstream decodes to nextpnr's configuration, and the placed-and-"
                   "routed netlist, simulated with the family's cell models in Verilator, "
                   "writes the reference story bytes from power-up and answers a GENERATE "
                   "byte for byte as the golden engine does (a few minutes; recorded in "
                   "the report)")
    b.add_argument("--report", help="also write the report (JSON) here")
    b.set_defaults(fn=cmd_build)

    f = sub.add_parser("flash", help="put a model's bitstream on a board",
                       description="Program the board with openFPGALoader, iceprog or "
                       "fujprog (whichever is installed), building the bitstream first if it "
                       "is not cached. Volatile by default; --persist writes the SPI flash.")
    f.add_argument("--model", default="small", help="model (default: small)")
    _add_build_options(f)
    f.add_argument("--bitstream", help="flash this file instead of building")
    f.add_argument("--persist", action="store_true", help="write the board's SPI flash")
    f.set_defaults(fn=cmd_flash)

    k = sub.add_parser("talk", help="generate text on a board over its serial port",
                       description="Send a prompt to a trnn board and stream the story it "
                       "writes. The board reports its model's hash; --model must match it "
                       "(default: the shipped model with that hash).")
    k.add_argument("port", help="serial device, e.g. /dev/ttyUSB1")
    k.add_argument("--model", help="model file the board was built from")
    _add_talk_options(k, "Once upon a time", timeout=2.0)
    k.add_argument("--baud", type=baud_rate, default=115200,
                   help="the board's baud rate (default 115200)")
    k.add_argument("--story", action="store_true", help="switch the board to story mode and "
                   "print its text until Ctrl-C")
    k.set_defaults(fn=cmd_talk)

    sm = sub.add_parser("sim", help="run a simulated board as a serial device",
                        description="Simulate a board (Verilator, the whole design: UART, "
                        "protocol, core) behind a pseudo-terminal: 'trnn talk', picocom or any "
                        "serial program talks to it as to the real board. With --prompt it "
                        "instead talks to itself once: prints the story and exits.")
    sm.add_argument("--model", default="small", help="model (default: small)")
    sm.add_argument("--board", help="board to simulate (default: the model's board)")
    sm.add_argument("--baud", type=baud_rate, help="UART baud rate (default 115200)")
    sm.add_argument("--fast", action="store_true", help="UART at clock/4 (3 Mbaud at 12 MHz), "
                    "for quicker simulated stories")
    sm.add_argument("--link", help="also make this path a symlink to the device")
    sm.add_argument("--story-temperature", type=nonneg_float, default=0.8)
    sm.add_argument("--story-seed", type=seed_number, default=0, help="story-mode seed, "
                    "0..2^32-2 (default 0)")
    sm.add_argument("--no-story", action="store_true", help="start idle, waiting for the host")
    _add_talk_options(sm, None, timeout=10.0)
    sm.set_defaults(fn=cmd_sim)

    bl = sub.add_parser("boards", help="list the supported boards")
    bl.set_defaults(fn=cmd_boards)
