"""``trnn generate``, ``info``, ``eval``, ``export``, ``train`` and ``data download``: the
commands about a model itself, with no board. :func:`add_parsers` adds them to ``trnn``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from trnn.boards.build import estimate
from trnn.boards.catalog import BOARDS
from trnn.model.cost import format_info
from trnn.model.data import download_tinystories, read_stories, resolve_split
from trnn.model.evaluate import machine_bpb
from trnn.model.generate import generate
from trnn.model.output import StoryWriter

from .common import (CLIError, Parser, check_seed, load_ckpt, load_machine, make_engine,
                     nonneg_float, number, pos_int, seed_number, tq_for, user_errors)


def cmd_generate(a: argparse.Namespace) -> int:
    """``trnn generate``: the story of ``a.model`` after ``a.prompt``, on stdout."""
    check_seed(a.seed)  # validates the seed before any work
    m = load_machine(a.model)
    tq = tq_for(a.temperature, m)
    ids = m.tokenizer.encode(a.prompt)
    eng = make_engine(m, a.engine)
    writer = StoryWriter(m, sys.stdout.buffer, a.prompt, a.show_eot)
    generate(eng, ids, a.max_tokens, tq=tq, seed=a.seed, stop_at_eot=not a.no_stop,
             on_token=writer.emit)
    writer.end()
    return 0


def cmd_info(a: argparse.Namespace) -> int:
    """``trnn info``: :func:`trnn.model.cost.format_info`, then the build estimate per board
    (:func:`trnn.boards.build.estimate`) and the model's metadata."""
    m = load_machine(a.model)
    print(format_info(m, a.model))
    print("trnn build estimate per board (whole design, calibrated on placed builds):")
    for b in BOARDS.values():
        est = estimate(m, b)
        print(f"  {b.name:<11} {est.lut4:>7,} LUT4 of {est.lut4_budget:>6,} allowed, "
              f"{est.rom_bits:>9,} block-RAM bits in {est.bram_blocks:>3} of "
              f"{est.bram_blocks_available:>3} blocks: {'fits' if est.fits else 'does not fit'}")
    if m.meta:
        print("meta:", json.dumps(m.meta, sort_keys=True))
    return 0


def cmd_eval(a: argparse.Namespace) -> int:
    """``trnn eval``: bits per byte of the deployed model (and optionally a checkpoint) on
    validation stories."""
    m = load_machine(a.model)
    stories = read_stories(resolve_split(a.data, "valid"), a.stories)
    bpb, nbytes = machine_bpb(m, stories, make_engine(m, a.engine), progress=not a.quiet)
    rows = [(f"{a.model} (deployed integers, {a.engine})", bpb)]
    if a.twin:
        # the training stack imports torch (about a second): only with --twin
        from trnn.model.train import net_bpb
        net, tok, _, _ = load_ckpt(a.twin)
        rows.append((f"{a.twin} ({'float twin' if not net.cfg.quantize else 'checkpoint'})",
                     net_bpb(net, tok, stories)))
    print(f"{len(stories)} stories, {nbytes} bytes")
    for name, v in rows:
        print(f"{v:8.4f} bpb  {name}")
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    """``trnn export``: a quantised checkpoint written as a model file."""
    # the network module imports torch (about a second): only here
    from trnn.model.net import ExportError, to_machine

    net, tok, cfg, history = load_ckpt(a.checkpoint)
    meta = {"train_config": cfg.to_dict(),
            "steps": history[-1]["step"] if history else 0,
            "val_bpb_during_training": history[-1]["val_bpb"] if history else None}
    try:
        m = to_machine(net, tok, meta)
    except ExportError as e:   # a float twin or an ablation
        raise CLIError(str(e)) from None
    m.save(a.output)
    print(f"wrote {a.output}: H={m.H} E={m.E} V={m.V} cell={m.cell}")
    return 0


def cmd_train(a: argparse.Namespace) -> int:
    """``trnn train``: the config from ``--config`` and the flags, checked, then trained into
    the checkpoint ``--out`` (continued with ``--resume``)."""
    # the training stack imports torch (about a second): only here
    from trnn.model.net import ModelConfig
    from trnn.model.train import TrainConfig, train

    cfg = TrainConfig()
    if a.config:
        try:
            d = json.loads(Path(a.config).read_text())
        except FileNotFoundError:
            raise CLIError(f"config file not found: {a.config}") from None
        except json.JSONDecodeError as e:
            raise CLIError(f"config file {a.config} is not valid JSON (line {e.lineno})") from None
        with user_errors():
            cfg = TrainConfig.from_dict(d)
    over = {f.name: getattr(a, f.name) for f in fields(TrainConfig)
            if f.name != "model" and getattr(a, f.name, None) is not None}
    mover = {f.name: getattr(a, f.name) for f in fields(ModelConfig)
             if getattr(a, f.name, None) is not None}
    d = cfg.to_dict()
    d.update(over)
    d["model"].update(mover)
    if a.float_twin:
        d["model"]["quantize"] = False
    with user_errors():
        cfg = TrainConfig.from_dict(d)
        cfg.validate()   # every number in range (flags and --config alike) before any work
    if a.threads:
        import torch
        torch.set_num_threads(a.threads)
    out = Path(a.out)
    if out.exists() and not a.resume:
        raise CLIError(f"{out} exists; pass --resume to continue it or choose another --out")
    if out.exists():
        load_ckpt(str(out))  # a damaged checkpoint is reported before any work starts
    train(cfg, out, resume=a.resume, progress=not a.quiet)
    from trnn.model.distributed import is_main_process
    if is_main_process():   # under torchrun, one line for the run, not one per process
        print(f"checkpoint: {out}")
    return 0


def cmd_data_download(a: argparse.Namespace) -> int:
    """``trnn data download``: TinyStories from the Hugging Face hub into ``a.dir``."""
    out = download_tinystories(a.dir, a.max_train)
    print(f"wrote {out}/train.txt and {out}/valid.txt")
    return 0


def _add_train(sub) -> None:
    t = sub.add_parser("train", help="train a model (checkpoint + resume)",
                       description="Train a model. Flags override --config (a JSON file of "
                       "the TrainConfig fields); the config is saved in the checkpoint. "
                       "Interrupt any time and continue with --resume.")
    t.add_argument("--out", required=True, help="checkpoint file (.pt)")
    t.add_argument("--config", help="JSON config file")
    t.add_argument("--resume", action="store_true", help="continue an existing checkpoint")
    t.add_argument("--float-twin", action="store_true", help="train the float twin "
                   "(no quantisation)")
    t.add_argument("--threads", type=number(int, 1, 1024), help="torch CPU threads")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--data", help="training data file or directory")
    t.add_argument("--tokenizer", choices=["bytes", "bpe"])
    t.add_argument("--vocab-size", type=pos_int, help="BPE vocabulary size")
    t.add_argument("--max-train-stories", type=pos_int)
    for name, typ in (("batch", pos_int), ("seq_len", pos_int), ("steps", pos_int),
                      ("lr", float), ("bias_lr", float), ("warmup", int), ("seed", int),
                      ("val_every", pos_int), ("val_stories", pos_int)):
        t.add_argument("--" + name.replace("_", "-"), type=typ, dest=name)
    t.add_argument("--device", help="auto (default), cpu or cuda")
    t.add_argument("--cell", choices=["threshold", "gated"])
    for name in ("state_bits", "embed_bits", "fanin", "readout_fanin"):
        t.add_argument("--" + name.replace("_", "-"), type=int, dest=name)
    t.add_argument("--modules", type=int, help="train the state as M modules: a gate reads "
                   "its own module's bits, the token and at most --cross-fanin bits of other "
                   "modules (default 1: no modules)")
    t.add_argument("--cross-fanin", type=int, dest="cross_fanin", help="state bits of other "
                   "modules each gate may read when --modules > 1 (default 0: independent "
                   "modules)")
    t.add_argument("--token-classes", type=int, dest="token_classes", help="the state sees "
                   "only the class of each token: the vocabulary is grouped into C classes of "
                   "tokens with similar neighbours in the training text (k-means over bigram "
                   "statistics) and the tokens of a class share one embedding, so that the "
                   "decompiled rules read token classes (default 0: one embedding per token)")
    t.add_argument("--sparsity", type=float, help="ternary dead zone (x mean |w| of a row)")
    t.add_argument("--surrogate", type=float, help="width of the straight-through gradient "
                   "window, x sqrt(fan-in) (default 1)")
    t.add_argument("--state", choices=["binary", "continuous"], help="ablation: continuous "
                   "state (tanh/sigmoid) instead of binary; such a model cannot be exported")
    t.add_argument("--weights", choices=["ternary", "real"], help="ablation: real next-state "
                   "weights instead of ternary (not exportable)")
    t.add_argument("--readout", choices=["ternary", "real"], help="ablation: real readout "
                   "weights instead of ternary (not exportable)")
    t.add_argument("--teacher", help="distil from this trained checkpoint (.pt, e.g. a float "
                   "twin; its tokenizer is used): the loss mixes the cross-entropy with the KL "
                   "divergence to the teacher's tempered next-token distribution")
    t.add_argument("--distill-weight", type=float, dest="distill_weight",
                   help="weight of the teacher term, 0..1 (default 0.5)")
    t.add_argument("--distill-temperature", type=float, dest="distill_temperature",
                   help="temperature of both distributions in the teacher term (default 2)")
    t.add_argument("--anneal", type=float, help="progressive binarisation: the binary units "
                   "are tanh, sharpening to the sign over this fraction of the steps (0..1; "
                   "default 0, binary throughout)")
    t.add_argument("--gate-noise", type=float, dest="gate_noise", help="stochastic binary "
                   "units in training: logistic noise of this scale (x the surrogate window) "
                   "before each sign, decaying to 0 at the last step (default 0)")
    t.set_defaults(fn=cmd_train)


def add_parsers(sub) -> None:
    """Add ``generate``, ``info``, ``eval``, ``export`` and ``train`` to the subparsers ``sub``
    of ``trnn`` (``data`` is added by :func:`add_data_parsers`, after the board commands in
    the help's list)."""
    g = sub.add_parser("generate", help="write text with a model",
                       description="Generate text: feed the prompt, then choose tokens greedily "
                       "(default) or by temperature sampling with the machine's PRNG.")
    g.add_argument("--model", default="large", help="model file or shipped model name "
                   "(default: large)")
    g.add_argument("--prompt", default="Once upon a time", help="text to start from")
    g.add_argument("--engine", choices=["numpy", "torch"], default="numpy",
                   help="which engine runs the integer machine (identical output)")
    g.add_argument("--temperature", type=nonneg_float, default=0.0,
                   help="0 = greedy (default); > 0 samples (converted to the integer t_q)")
    g.add_argument("--seed", type=seed_number, default=0, help="PRNG seed, 0..2^32-2 "
                   "(default 0)")
    g.add_argument("--max-tokens", type=pos_int, default=400, help="tokens to generate")
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
    e.add_argument("--stories", type=pos_int, help="only the first N stories")
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

    _add_train(sub)


def add_data_parsers(sub) -> None:
    """Add ``data`` (with ``download``) to the subparsers ``sub`` of ``trnn``."""
    d = sub.add_parser("data", help="data utilities")
    dsub = d.add_subparsers(dest="data_cmd", required=True, parser_class=Parser)
    dd = dsub.add_parser("download", help="download TinyStories from the Hugging Face hub")
    dd.add_argument("dir", help="output directory")
    dd.add_argument("--max-train", type=pos_int, help="only the first N training stories")
    dd.set_defaults(fn=cmd_data_download)
