"""The ``trnn`` command line: one entry point, a subcommand per stage."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from . import __version__


class CLIError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise CLIError(f"{message} (see '{self.prog} --help')")


# -- helpers ------------------------------------------------------------------------------------
def resolve_model(name: str) -> Path:
    """A model file path, or the name of a shipped model (``small``, ``large``)."""
    from trnn.models import shipped_path

    p = Path(name)
    if p.exists() or p.suffix == ".trnn" or "/" in name:
        return p
    sp = shipped_path(name)
    if sp is None:
        from trnn.models import SHIPPED
        raise CLIError(f"no model file {name!r} and no shipped model of that name "
                       f"(shipped: {', '.join(SHIPPED)})")
    return sp


def load_machine(name: str):
    from trnn.model.machine import Machine
    return Machine.load(resolve_model(name))


def load_ckpt(path: str):
    """``load_checkpoint`` with one-line errors for a missing or unusable file."""
    import pickle

    from trnn.model.train import load_checkpoint

    p = Path(path)
    if not p.is_file():
        raise CLIError(f"checkpoint not found: {p}")
    try:
        return load_checkpoint(p)
    except (RuntimeError, KeyError, EOFError, ValueError, TypeError,
            pickle.UnpicklingError) as e:
        raise CLIError(f"{p} is not a usable trnn checkpoint ({type(e).__name__})") from None


def make_engine(m, engine: str):
    if engine == "numpy":
        from trnn.model.golden import NumpyEngine
        return NumpyEngine(m)
    from trnn.model.deploy import TorchEngine
    return TorchEngine(m)


def story_writer(m, a, out):
    """Write the prompt to ``out`` and return ``emit(token)``, which writes each generated
    token's text as it comes (the end-of-story marker only with ``--show-eot``); the one
    output format of ``generate``, ``talk`` and ``sim``."""
    out.write(a.prompt.encode())
    out.flush()

    def emit(tok):
        if tok == m.eot_id and not a.show_eot:
            return
        out.write(m.tokenizer.token_bytes[tok])
        out.flush()
    return emit


# -- subcommands --------------------------------------------------------------------------------
def cmd_generate(a) -> int:
    from trnn.model.generate import generate
    from trnn.model.machine import seed_to_state, temperature_to_tq

    seed_to_state(a.seed)  # validates the seed before any work
    m = load_machine(a.model)
    tq = temperature_to_tq(a.temperature, m.logit_scale)
    ids = m.tokenizer.encode(a.prompt)
    eng = make_engine(m, a.engine)
    out = sys.stdout.buffer
    emit = story_writer(m, a, out)
    generate(eng, ids, a.max_tokens, tq=tq, seed=a.seed, stop_at_eot=not a.no_stop,
             on_token=emit)
    out.write(b"\n")
    out.flush()
    return 0


def cmd_info(a) -> int:
    from trnn.model.cost import format_info
    m = load_machine(a.model)
    print(format_info(m, a.model))
    from trnn.boards.build import estimate
    from trnn.boards.catalog import BOARDS
    print("trnn build estimate per board (whole design, calibrated on placed builds):")
    for b in BOARDS.values():
        est = estimate(m, b)
        print(f"  {b.name:<11} {est.lut4:>7,} LUT4 of {est.lut4_budget:>6,} allowed, "
              f"{est.rom_bits:>9,} block-RAM bits: {'fits' if est.fits else 'does not fit'}")
    if m.meta:
        print("meta:", json.dumps(m.meta, sort_keys=True))
    return 0


def cmd_eval(a) -> int:
    from trnn.model.data import read_stories, resolve_split
    from trnn.model.evaluate import machine_bpb

    m = load_machine(a.model)
    stories = read_stories(resolve_split(a.data, "valid"), a.stories)
    bpb, nbytes = machine_bpb(m, stories, make_engine(m, a.engine), progress=not a.quiet)
    rows = [(f"{a.model} (deployed integers, {a.engine})", bpb)]
    if a.twin:
        from trnn.model.train import net_bpb
        net, tok, _, _ = load_ckpt(a.twin)
        rows.append((f"{a.twin} ({'float twin' if not net.cfg.quantize else 'checkpoint'})",
                     net_bpb(net, tok, stories)))
    print(f"{len(stories)} stories, {nbytes} bytes")
    for name, v in rows:
        print(f"{v:8.4f} bpb  {name}")
    return 0


def cmd_export(a) -> int:
    from trnn.model.net import to_machine

    net, tok, cfg, history = load_ckpt(a.checkpoint)
    meta = {"train_config": cfg.to_dict(),
            "steps": history[-1]["step"] if history else 0,
            "val_bpb_during_training": history[-1]["val_bpb"] if history else None}
    m = to_machine(net, tok, meta)
    m.save(a.output)
    print(f"wrote {a.output}: H={m.H} E={m.E} V={m.V} cell={m.cell}")
    return 0


def cmd_train(a) -> int:
    from trnn.model.net import ModelConfig
    from trnn.model.train import TrainConfig, train

    cfg = TrainConfig()
    if a.config:
        try:
            cfg = TrainConfig.from_dict(json.loads(Path(a.config).read_text()))
        except FileNotFoundError:
            raise CLIError(f"config file not found: {a.config}") from None
        except json.JSONDecodeError as e:
            raise CLIError(f"config file {a.config} is not valid JSON (line {e.lineno})") from None
    over = {f.name: getattr(a, f.name) for f in fields(TrainConfig)
            if f.name != "model" and getattr(a, f.name, None) is not None}
    mover = {f.name: getattr(a, f.name) for f in fields(ModelConfig)
             if getattr(a, f.name, None) is not None}
    d = cfg.to_dict()
    d.update(over)
    d["model"].update(mover)
    if a.float_twin:
        d["model"]["quantize"] = False
    cfg = TrainConfig.from_dict(d)
    if a.threads:
        import torch
        torch.set_num_threads(a.threads)
    out = Path(a.out)
    if out.exists() and not a.resume:
        raise CLIError(f"{out} exists; pass --resume to continue it or choose another --out")
    if out.exists():
        load_ckpt(str(out))  # a damaged checkpoint is reported before any work starts
    train(cfg, out, resume=a.resume, progress=not a.quiet)
    print(f"checkpoint: {out}")
    return 0


def cmd_data_download(a) -> int:
    from trnn.model.data import download_tinystories
    out = download_tinystories(a.dir, a.max_train)
    print(f"wrote {out}/train.txt and {out}/valid.txt")
    return 0


# -- parser -------------------------------------------------------------------------------------
def _nonneg_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {s!r}")
    return v


def _pos_int(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {s!r}")
    return v


def _board(name: str | None, model: str):
    from trnn.boards.catalog import BOARDS, DEFAULT_BOARD
    if name is None:
        name = DEFAULT_BOARD.get(model)
        if name is None:
            raise CLIError(f"choose a board with --board ({', '.join(BOARDS)})")
    if name not in BOARDS:
        raise CLIError(f"unknown board {name!r} (known: {', '.join(BOARDS)})")
    return BOARDS[name]


def _story_tq(a, m):
    from trnn.model.machine import seed_to_state, temperature_to_tq
    seed_to_state(a.story_seed)
    return None if a.no_story else temperature_to_tq(a.story_temperature, m.logit_scale)


def do_build(a, m, board):
    from trnn.boards.build import BuildError, build, check_fits

    try:
        est = check_fits(m, board)
        print(f"estimate: about {est.lut4:,} LUT4 of {est.lut4_budget:,} allowed on "
              f"{board.name}, {est.rom_bits:,} of {est.bram_bits:,} block-RAM bits",
              file=sys.stderr)
        rep = build(m, board, a.model, baud=a.baud, story_tq=_story_tq(a, m),
                    story_seed=a.story_seed, toolchain=a.toolchain,
                    cache_dir=Path(a.cache_dir) if a.cache_dir else None, force=a.force,
                    log=lambda msg: print(msg, file=sys.stderr))
    except BuildError as e:
        raise CLIError(str(e)) from None
    return rep


def cmd_build(a) -> int:
    from dataclasses import asdict

    board = _board(a.board, a.model)
    m = load_machine(a.model)
    rep = do_build(a, m, board)
    print(rep.table())
    if a.report:
        Path(a.report).write_text(json.dumps(asdict(rep), indent=1, sort_keys=True) + "\n")
    if not rep.timing_met:
        print(f"trnn: warning: timing not met at the board clock ({rep.fmax_mhz:.2f} < "
              f"{rep.clock_mhz:.2f} MHz)", file=sys.stderr)
    return 0


def cmd_flash(a) -> int:
    from trnn.boards.build import BuildError
    from trnn.boards.flash import flash

    board = _board(a.board, a.model)
    if a.bitstream:
        bitstream = a.bitstream
        if not Path(bitstream).is_file():
            raise CLIError(f"bitstream not found: {bitstream}")
    else:
        bitstream = do_build(a, load_machine(a.model), board).bitstream
    try:
        cmd = flash(board, bitstream, persist=a.persist)
    except BuildError as e:
        raise CLIError(str(e)) from None
    print(f"flashed {bitstream} with {' '.join(cmd[:-1])}")
    return 0


def _board_model(a, info):
    """The model the board runs: --model if given (checked against the board's hash), else
    the shipped model with the board's hash."""
    from trnn.model.machine import Machine
    from trnn.models import SHIPPED, shipped_path
    if a.model:
        m = load_machine(a.model)
        if m.fingerprint() != info.model_hash:
            raise CLIError(f"the board runs a different model (hash {info.model_hash:08x}) "
                           f"than {a.model} ({m.fingerprint():08x}); pass the model file it "
                           f"was built from with --model")
        return m
    for name in SHIPPED:
        m = Machine.load(shipped_path(name))
        if m.fingerprint() == info.model_hash:
            return m
    raise CLIError(f"the board runs model {info.model_hash:08x}, not a shipped one; pass its "
                   f"model file with --model")


def talk(a, transport, out) -> int:
    """The body of ``trnn talk`` over an open transport (tests pass a reference board)."""
    import time

    from trnn.boards.host import Client, HostError
    from trnn.hdl import protospec as ps
    from trnn.model.machine import seed_to_state, temperature_to_tq

    seed_to_state(a.seed)
    client = Client(transport, timeout=a.timeout, name=a.port)
    try:
        if a.story:
            info = client.info()
            m = _board_model(a, info)
            client.story(a.seed, temperature_to_tq(a.temperature or 0.8, m.logit_scale))
            while True:
                data = client.read_raw()
                if data:
                    out.write(data)
                    out.flush()
        info = client.info()
        m = _board_model(a, info)
        ids = m.tokenizer.encode(a.prompt)
        if len(ids) > ps.MAX_PROMPT:
            raise CLIError(f"the prompt is {len(ids)} tokens; the protocol carries at most "
                           f"{ps.MAX_PROMPT}")
        req = ps.GenerateRequest(tuple(ids), a.max_tokens,
                                 temperature_to_tq(a.temperature, m.logit_scale), a.seed,
                                 stop_at_eot=not a.no_stop)
        emit = story_writer(m, a, out)
        t0 = time.monotonic()
        tokens, reason = client.generate(req, emit)
        dt = time.monotonic() - t0
        out.write(b"\n")
        out.flush()
        if not a.quiet:
            print(f"{len(tokens)} tokens in {dt:.2f} s ({len(tokens) / max(dt, 1e-9):,.0f} "
                  f"tokens/s), {ps.END_REASONS.get(reason, reason)}", file=sys.stderr)
    except HostError as e:
        raise CLIError(str(e)) from None
    return 0


def cmd_talk(a) -> int:
    from trnn.boards.host import HostError, open_serial
    from trnn.hdl import protospec as ps
    try:
        port = open_serial(a.port, a.baud)
    except HostError as e:
        raise CLIError(str(e)) from None
    try:
        return talk(a, port, sys.stdout.buffer)
    except KeyboardInterrupt:
        if a.story:
            port.write(ps.frame(ps.CMD_HALT))   # leave the board idle, not writing
        raise
    finally:
        port.close()


def cmd_sim(a) -> int:
    from trnn.sim.device import SimDevice, SimError, build_harness
    from trnn.sim.verilog import system_verilog

    board = _board(a.board, a.model)
    m = load_machine(a.model)
    baud = a.baud or (board.clk_hz // 4 if a.fast else 115200)
    story = None if (a.no_story or a.prompt is not None) else _story_tq(a, m)
    try:
        from trnn.hdl.system import uart_divisor
        divisor = uart_divisor(board.clk_hz, baud)
        exe = build_harness(system_verilog(m, board.clk_hz, baud, story_tq=story,
                                           story_seed=a.story_seed),
                            log=lambda msg: print(msg, file=sys.stderr))
        with SimDevice(exe, divisor, a.link) as dev:
            if a.prompt is None:
                print(f"simulated {board.name} running {a.model} on {dev.path} "
                      f"({baud} baud{', story mode' if story is not None else ''}); "
                      f"Ctrl-C stops it", flush=True)
                dev.wait()
                return 0
            from trnn.boards.host import open_serial
            a.port, a.story = dev.path, False
            port = open_serial(dev.path, baud)
            try:
                return talk(a, port, sys.stdout.buffer)
            finally:
                port.close()
    except SimError as e:
        raise CLIError(str(e)) from None


def _add_talk_options(p, prompt, timeout: float):
    """Options of a generation on a board (talk, and sim with --prompt)."""
    p.add_argument("--prompt", default=prompt, help="text to start from" + (
        "" if prompt else "; given, the simulated board is talked to once"))
    p.add_argument("--temperature", type=_nonneg_float, default=0.0,
                   help="0 = greedy (default)")
    p.add_argument("--seed", type=int, default=0, help="PRNG seed, 0..2^32-2")
    p.add_argument("--max-tokens", type=_pos_int, default=400)
    p.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    p.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    p.add_argument("--timeout", type=float, default=timeout,
                   help=f"seconds to wait for the board (default {timeout:g})")
    p.add_argument("--quiet", action="store_true", help="no tokens/s line")


def _add_build_options(b):
    b.add_argument("--board", help="board (default: icebreaker for small, ulx3s-85f for "
                   "large); see 'trnn boards'")
    b.add_argument("--baud", type=_pos_int, default=115200, help="UART baud rate "
                   "(default 115200)")
    b.add_argument("--story-temperature", type=_nonneg_float, default=0.8,
                   help="temperature of the story mode the board starts in (default 0.8)")
    b.add_argument("--story-seed", type=int, default=0, help="story-mode seed (default 0)")
    b.add_argument("--no-story", action="store_true", help="start idle, waiting for the host")
    b.add_argument("--toolchain", choices=["auto", "yowasp", "system"], default="auto",
                   help="auto (default): system yosys/nextpnr when installed, else YoWASP")
    b.add_argument("--cache-dir", help="where builds are kept (default: TRNN_CACHE or "
                   "~/.cache/trnn)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")


def cmd_boards(a) -> int:
    from trnn.boards.build import LUT_BUDGET
    from trnn.boards.catalog import BOARDS
    for b in BOARDS.values():
        print(f"{b.name:<11} {b.description:<38} {b.lut4:>6,} LUT4 (budget "
              f"{int(LUT_BUDGET * b.lut4):,}), {b.clk_hz / 1e6:g} MHz")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="trnn", description="trnn: a language model made of logic gates. "
                "Train a ternary-weight, binary-state RNN, export it as an integer machine, "
                "and run it.")
    p.add_argument("--version", action="version", version=f"trnn {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    g = sub.add_parser("generate", help="write text with a model",
                       description="Generate text: feed the prompt, then choose tokens greedily "
                       "(default) or by temperature sampling with the machine's PRNG.")
    g.add_argument("--model", default="large", help="model file or shipped model name "
                   "(default: large)")
    g.add_argument("--prompt", default="Once upon a time", help="text to start from")
    g.add_argument("--engine", choices=["numpy", "torch"], default="numpy",
                   help="which engine runs the integer machine (identical output)")
    g.add_argument("--temperature", type=_nonneg_float, default=0.0,
                   help="0 = greedy (default); > 0 samples (converted to the integer t_q)")
    g.add_argument("--seed", type=int, default=0, help="PRNG seed, 0..2^32-2 (default 0)")
    g.add_argument("--max-tokens", type=_pos_int, default=400, help="tokens to generate")
    g.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    g.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    g.set_defaults(fn=cmd_generate)

    i = sub.add_parser("info", help="sizes, nonzero weights, fan-in and LUT estimate",
                       description="Print nonzero weights per part, fan-in histograms and a "
                       "rough LUT4 estimate of a model.")
    i.add_argument("model", help="model file or shipped model name")
    i.set_defaults(fn=cmd_info)

    e = sub.add_parser("eval", help="bits per byte on validation text",
                       description="Bits per byte of the deployed integer model on TinyStories "
                       "validation text (p = softmax(logit_scale * integer scores)).")
    e.add_argument("model", help="model file or shipped model name")
    e.add_argument("--data", help="validation file or data directory (default: TRNN_DATA or "
                   "../shared/data/tinystories)")
    e.add_argument("--stories", type=_pos_int, help="only the first N stories")
    e.add_argument("--engine", choices=["numpy", "torch"], default="numpy")
    e.add_argument("--twin", help="also evaluate this float-twin checkpoint (.pt)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(fn=cmd_eval)

    x = sub.add_parser("export", help="write a trained checkpoint as a model file",
                       description="Export a quantised training checkpoint as a .trnn model "
                       "file (docs/machine.md).")
    x.add_argument("checkpoint")
    x.add_argument("-o", "--output", required=True, help="output .trnn file")
    x.set_defaults(fn=cmd_export)

    t = sub.add_parser("train", help="train a model (checkpoint + resume)",
                       description="Train a model. Flags override --config (a JSON file of "
                       "the TrainConfig fields); the config is saved in the checkpoint. "
                       "Interrupt any time and continue with --resume.")
    t.add_argument("--out", required=True, help="checkpoint file (.pt)")
    t.add_argument("--config", help="JSON config file")
    t.add_argument("--resume", action="store_true", help="continue an existing checkpoint")
    t.add_argument("--float-twin", action="store_true", help="train the float twin "
                   "(no quantisation)")
    t.add_argument("--threads", type=_pos_int, help="torch CPU threads")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--data", help="training data file or directory")
    t.add_argument("--tokenizer", choices=["bytes", "bpe"])
    t.add_argument("--vocab-size", type=_pos_int, help="BPE vocabulary size")
    t.add_argument("--max-train-stories", type=_pos_int)
    for name, typ in (("batch", _pos_int), ("seq_len", _pos_int), ("steps", _pos_int),
                      ("lr", float), ("bias_lr", float), ("warmup", int), ("seed", int),
                      ("val_every", _pos_int), ("val_stories", _pos_int)):
        t.add_argument("--" + name.replace("_", "-"), type=typ, dest=name)
    t.add_argument("--device", help="auto (default), cpu or cuda")
    t.add_argument("--cell", choices=["threshold", "gated"])
    for name in ("state_bits", "embed_bits", "fanin", "readout_fanin"):
        t.add_argument("--" + name.replace("_", "-"), type=int, dest=name)
    t.add_argument("--sparsity", type=float, help="ternary dead zone (x mean |w| of a row)")
    t.add_argument("--surrogate", type=float, help="width of the straight-through gradient "
                   "window, x sqrt(fan-in) (default 1)")
    t.set_defaults(fn=cmd_train)

    b = sub.add_parser("build", help="compile a model into a bitstream for a board",
                       description="Turn a model into a bitstream with open tools (Yosys, "
                       "nextpnr; YoWASP from PyPI unless system tools are installed). Checks "
                       "the model fits before synthesis, prints and saves a report (LUT4s, "
                       "Fmax, cycles and tokens per second); builds are cached.")
    b.add_argument("--model", default="small", help="model file or shipped model name "
                   "(default: small)")
    _add_build_options(b)
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
    k.add_argument("--baud", type=_pos_int, default=115200)
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
    sm.add_argument("--baud", type=_pos_int, help="UART baud rate (default 115200)")
    sm.add_argument("--fast", action="store_true", help="UART at clock/4 (3 Mbaud at 12 MHz), "
                    "for quicker simulated stories")
    sm.add_argument("--link", help="also make this path a symlink to the device")
    sm.add_argument("--story-temperature", type=_nonneg_float, default=0.8)
    sm.add_argument("--story-seed", type=int, default=0)
    sm.add_argument("--no-story", action="store_true", help="start idle, waiting for the host")
    _add_talk_options(sm, None, timeout=10.0)
    sm.set_defaults(fn=cmd_sim, model_arg=None)

    bl = sub.add_parser("boards", help="list the supported boards")
    bl.set_defaults(fn=cmd_boards)

    d = sub.add_parser("data", help="data utilities")
    dsub = d.add_subparsers(dest="data_cmd", required=True, parser_class=_Parser)
    dd = dsub.add_parser("download", help="download TinyStories from the Hugging Face hub")
    dd.add_argument("dir", help="output directory")
    dd.add_argument("--max-train", type=_pos_int, help="only the first N training stories")
    dd.set_defaults(fn=cmd_data_download)

    from .logic_cmds import add_parsers
    add_parsers(sub, _Parser)
    return p


def main(argv: list[str] | None = None) -> int:
    from trnn.model.data import DataError
    from trnn.model.modelfile import ModelFileError
    from trnn.model.tokenizer import TokenizerError

    try:
        a = build_parser().parse_args(argv)
        return a.fn(a)
    except (CLIError, ModelFileError, TokenizerError, DataError) as e:
        print(f"trnn: error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"trnn: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trnn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:  # a file that cannot be read or written: one line, not a traceback
        print(f"trnn: error: {e.strerror or e}"
              + (f": {e.filename}" if getattr(e, "filename", None) else ""), file=sys.stderr)
        return 2
