"""Training, checkpoint/resume, export and the CLI, end to end on tiny synthetic data."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from trnn.main import main
from trnn.model.evaluate import machine_bpb
from trnn.model.machine import Machine
from trnn.model.net import ModelConfig
from trnn.model.train import TrainConfig, load_checkpoint, net_bpb, train


def tiny_cfg(data, **kw):
    base = dict(model=ModelConfig(state_bits=16, embed_bits=6, fanin=6, readout_fanin=8),
                data=str(data), batch=8, seq_len=16, steps=12, val_every=6, val_stories=5)
    base.update(kw)
    return TrainConfig(**base)


def test_training_is_deterministic_and_resumes(tiny_data, tmp_path):
    torch.set_num_threads(1)
    a = train(tiny_cfg(tiny_data), tmp_path / "a.pt", progress=False, log=lambda *_: None)
    # interrupted run: 6 steps, then resumed to 12 with the saved config
    b = tmp_path / "b.pt"
    train(tiny_cfg(tiny_data), b, progress=False, log=lambda *_: None, stop_after=5)
    assert torch.load(b, weights_only=False)["step"] == 5
    train(tiny_cfg(tiny_data), b, progress=False, log=lambda *_: None)
    na, *_ , ha = load_checkpoint(a)
    nb, *_ , hb = load_checkpoint(b)
    for (k, va), (_, vb) in zip(na.state_dict().items(), nb.state_dict().items()):
        assert torch.equal(va, vb), k
    assert [h["step"] for h in ha] == [6, 12] and [h["step"] for h in hb] == [6, 12]


def test_training_lowers_loss(tiny_data, tmp_path):
    torch.set_num_threads(1)
    cfg = tiny_cfg(tiny_data, steps=60, val_every=30, lr=0.1)
    train(cfg, tmp_path / "c.pt", progress=False, log=lambda *_: None)
    _, _, _, hist = load_checkpoint(tmp_path / "c.pt")
    assert hist[-1]["val_bpb"] < 5.0   # uniform over 257 tokens is 8.0 bits per token


def test_export_eval_generate_cli(tiny_data, tmp_path, capsysbinary):
    capsys = capsysbinary
    torch.set_num_threads(1)
    ck, mf = tmp_path / "m.pt", tmp_path / "m.trnn"
    assert main(["train", "--out", str(ck), "--data", str(tiny_data), "--state-bits", "16",
                 "--embed-bits", "6", "--fanin", "6", "--steps", "20", "--batch", "8",
                 "--seq-len", "16", "--val-every", "10", "--val-stories", "5",
                 "--quiet"]) == 0
    assert main(["export", str(ck), "-o", str(mf)]) == 0
    net, tok, _, _ = load_checkpoint(ck)
    m = Machine.load(mf)
    stories = ["The cat ran.", "A big dog saw the sun and was happy."]
    # the deployed integers score text like the quantised network (states are equal; the
    # network applies softmax in float32 first, hence the float tolerance here only)
    assert machine_bpb(m, stories)[0] == pytest.approx(net_bpb(net, tok, stories), rel=1e-6)  # float32 vs float64 softmax
    capsys.readouterr()
    for engine in ("numpy", "torch"):
        assert main(["generate", "--model", str(mf), "--prompt", "The cat", "--engine",
                     engine, "--temperature", "0.8", "--seed", "7", "--max-tokens", "40"]) == 0
    out = capsys.readouterr().out
    first, second = out[:len(out) // 2], out[len(out) // 2:]
    assert first == second and first.startswith(b"The cat")
    assert main(["eval", str(mf), "--data", str(tiny_data), "--quiet"]) == 0
    assert b"bpb" in capsys.readouterr().out
    assert main(["info", str(mf)]) == 0
    assert b"nonzero ternary weights" in capsys.readouterr().out


def one_line_error(args, capsys, code=2):
    assert main(args) == code
    err = capsys.readouterr().err
    assert err.startswith("trnn: error: ") and err.count("\n") == 1, err
    return err


def test_bad_input_one_line(tmp_path, capsys):
    m = Machine.random(np.random.default_rng(0))
    good = tmp_path / "m.trnn"
    m.save(good)
    trunc = tmp_path / "t.trnn"
    trunc.write_bytes(good.read_bytes()[:-3])
    assert "not found" in one_line_error(["info", str(tmp_path / "missing.trnn")], capsys)
    assert "truncated" in one_line_error(["generate", "--model", str(trunc)], capsys)
    assert "no shipped model" in one_line_error(["info", "medium"], capsys)
    assert "invalid choice" in one_line_error(["generate", "--engine", "verilog"], capsys)
    assert "must be a finite number" in one_line_error(["generate", "--temperature", "-1"],
                                                       capsys)
    assert "cannot encode text" in one_line_error(["generate", "--model", str(good)], capsys)
    assert "seed" in one_line_error(["generate", "--model", str(good), "--seed", "-4"],
                                    capsys)
    assert "not found" in one_line_error(["export", str(tmp_path / "x.pt"), "-o", "y"],
                                         capsys)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a checkpoint")
    assert "not a usable trnn checkpoint" in one_line_error(["export", str(junk), "-o", "y"],
                                                            capsys)


def test_unencodable_prompt_one_line(tmp_path, capsys):
    from trnn.model.tokenizer import Tokenizer
    from conftest import make_stories
    tok = Tokenizer.train_bpe(make_stories(50, 1), vocab_size=50, limit_alphabet=30)
    m = Machine.random(np.random.default_rng(0), tokenizer=tok)
    p = tmp_path / "bpe.trnn"
    m.save(p)
    assert "cannot encode" in one_line_error(["generate", "--model", str(p), "--prompt",
                                              "snow \u2603"], capsys)


def test_newer_format_one_line(tmp_path, capsys):
    import struct
    m = Machine.random(np.random.default_rng(0))
    p = tmp_path / "m.trnn"
    m.save(p)
    raw = bytearray(p.read_bytes())
    raw[4:6] = struct.pack("<H", 99)
    p.write_bytes(bytes(raw))
    assert "newer" in one_line_error(["info", str(p)], capsys)


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "trnn", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for cmd in ("generate", "train", "eval", "export", "info"):
        assert cmd in out


def test_sigterm_keeps_the_training_run(tiny_data, tmp_path):
    """`kill` (SIGTERM) of a training run, as a scheduler or a user does it: the checkpoint of
    the step reached is written (in a path with a space and a non-ASCII letter), one line
    says so, exit status 143; the checkpoint loads."""
    import signal
    import time

    from conftest import trnn_argv
    out = tmp_path / "run é" / "my run.pt"
    out.parent.mkdir()
    proc = subprocess.Popen([*trnn_argv(), "train", "--out", str(out), "--data", str(tiny_data),
                             "--tokenizer", "bytes", "--state-bits", "16", "--embed-bits", "6",
                             "--fanin", "6", "--readout-fanin", "8", "--batch", "8",
                             "--seq-len", "16", "--steps", "100000", "--val-every", "10",
                             "--val-stories", "3", "--threads", "1", "--quiet"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not out.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert out.exists(), proc.stderr.read() if proc.poll() is not None else "no checkpoint"
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(60)
    err = proc.stderr.read().strip().splitlines()
    assert rc == 128 + signal.SIGTERM, err
    assert err[-1] == "trnn: stopped by SIGTERM", err
    assert any(line.startswith("interrupted: checkpoint at step") for line in err), err
    step = torch.load(out, weights_only=False)["step"]
    assert f"interrupted: checkpoint at step {step} written" in "\n".join(err)
    assert not any(p.name != out.name for p in out.parent.iterdir()), \
        list(out.parent.iterdir())   # no temporary files left
    load_checkpoint(out)


@pytest.mark.parametrize("part", [dict(state="continuous"), dict(weights="real"),
                                  dict(readout="real")])
def test_ablations_train_but_do_not_export(tiny_data, tmp_path, part):
    """Each relaxation of the logic trains (a finite validation bpb) and is refused by export,
    naming what it relaxed; the fully quantised default is what exports."""
    from trnn.model.net import to_machine
    torch.set_num_threads(1)
    cfg = tiny_cfg(tiny_data, steps=30, val_every=30,
                   model=ModelConfig(state_bits=16, embed_bits=6, fanin=6, readout_fanin=8,
                                     **part))
    out = train(cfg, tmp_path / "a.pt", progress=False, log=lambda *_: None)
    net, tok, _, hist = load_checkpoint(out)
    assert np.isfinite(hist[-1]["val_bpb"]) and hist[-1]["step"] == 30
    with pytest.raises(ValueError, match="an ablation"):
        to_machine(net, tok)


def test_distillation_resumes_exactly(tiny_data, tmp_path):
    """A student distilled from a float-twin teacher: the teacher's tokenizer is used, and an
    interrupted run resumed (teacher state included) equals an uninterrupted one."""
    torch.set_num_threads(1)
    teacher = train(tiny_cfg(tiny_data, model=ModelConfig(state_bits=16, embed_bits=6,
                                                          fanin=6, quantize=False)),
                    tmp_path / "teacher.pt", progress=False, log=lambda *_: None)
    cfg = tiny_cfg(tiny_data, teacher=str(teacher), distill_weight=0.7)
    a = train(cfg, tmp_path / "a.pt", progress=False, log=lambda *_: None)
    b = tmp_path / "b.pt"
    train(cfg, b, progress=False, log=lambda *_: None, stop_after=5)
    train(cfg, b, progress=False, log=lambda *_: None)
    (na, tok_a, *_), (nb, *_) = load_checkpoint(a), load_checkpoint(b)
    for (k, va), (_, vb) in zip(na.state_dict().items(), nb.state_dict().items()):
        assert torch.equal(va, vb), k
    assert tok_a.to_config() == load_checkpoint(teacher)[1].to_config()
    # a different teacher weight is a different run
    c = train(tiny_cfg(tiny_data, teacher=str(teacher), distill_weight=0.0), tmp_path / "c.pt",
              progress=False, log=lambda *_: None)
    assert not torch.equal(load_checkpoint(c)[0].W, na.W)


def test_relaxation_schedule():
    """Progressive binarisation sharpens from tanh (soft 1) to the sign (soft 0) over the
    ``anneal`` fraction of the steps; the gate noise decays linearly to 0; defaults relax
    nothing."""
    from trnn.model.train import relaxation
    cfg = TrainConfig(steps=100, anneal=0.5, gate_noise=0.4)
    assert relaxation(cfg, 0) == (1.0, 0.4)
    assert relaxation(cfg, 25) == (0.25, pytest.approx(0.3))
    assert relaxation(cfg, 50)[0] == 0.0 and relaxation(cfg, 99)[0] == 0.0
    assert relaxation(cfg, 99)[1] == pytest.approx(0.004)
    assert relaxation(TrainConfig(steps=100), 0) == (0.0, 0.0)


def test_relaxed_sign_limits():
    """soft = noise = 0 is the machine's sign exactly; a small softness is nearly the sign
    and a large one is tanh; the gradient window never narrows below the surrogate's."""
    from trnn.model.net import binarize, relaxed_sign
    pre = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], requires_grad=True)
    assert torch.equal(relaxed_sign(pre, 2.0), binarize(pre, 2.0))
    sharp = relaxed_sign(pre, 2.0, soft=1e-3)
    assert torch.equal(sharp[[0, 1, 3, 4]].sign(), torch.tensor([-1.0, -1.0, 1.0, 1.0]))
    assert torch.allclose(relaxed_sign(pre, 2.0, soft=1.0), torch.tanh(pre / 2.0))
    g_soft, = torch.autograd.grad(relaxed_sign(pre, 2.0, soft=1e-3).sum(), pre)
    g_ste, = torch.autograd.grad(binarize(pre, 2.0).sum(), pre)
    assert torch.equal(g_soft, g_ste)


def test_relaxed_training_resumes_and_exports(tiny_data, tmp_path):
    """A run with progressive binarisation and stochastic units resumes exactly (the noise
    draws come from the saved RNG), validates the machine itself (the bpb in its history is
    the exported machine's) and exports."""
    from trnn.model.net import to_machine
    torch.set_num_threads(1)
    cfg = tiny_cfg(tiny_data, anneal=0.5, gate_noise=0.5)
    a = train(cfg, tmp_path / "a.pt", progress=False, log=lambda *_: None)
    b = tmp_path / "b.pt"
    train(cfg, b, progress=False, log=lambda *_: None, stop_after=4)
    train(cfg, b, progress=False, log=lambda *_: None)
    (na, tok, _, hist), (nb, *_) = load_checkpoint(a), load_checkpoint(b)
    for (k, va), (_, vb) in zip(na.state_dict().items(), nb.state_dict().items()):
        assert torch.equal(va, vb), k
    assert not torch.equal(na.W, load_checkpoint(train(
        tiny_cfg(tiny_data), tmp_path / "plain.pt", progress=False,
        log=lambda *_: None))[0].W)     # the relaxations change the run
    from trnn.model.data import read_stories, resolve_split
    val = read_stories(resolve_split(str(tiny_data), "valid"), 5)
    assert machine_bpb(to_machine(na, tok), val)[0] == pytest.approx(hist[-1]["val_bpb"],
                                                                  rel=1e-5)
