"""Data-parallel training with torchrun (2 processes, gloo on CPU), and its checkpoint resumed
by one process."""

import os
import subprocess
import sys
import textwrap

import torch

from trnn.model.train import load_checkpoint, train

from test_train_cli import tiny_cfg

SCRIPT = textwrap.dedent("""
    import sys
    import torch
    from trnn.model.net import ModelConfig
    from trnn.model.train import TrainConfig, train
    torch.set_num_threads(1)
    data, out, stop = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cfg = TrainConfig(model=ModelConfig(state_bits=16, embed_bits=6, fanin=6, readout_fanin=8),
                      data=data, batch=8, seq_len=16, steps=12, val_every=6, val_stories=5)
    train(cfg, out, progress=False, stop_after=stop)
""")


def torchrun(tmp_path, *args) -> subprocess.CompletedProcess:
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc_per_node", "2", str(script), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)


def test_torchrun_two_processes_then_resume_in_one(tiny_data, tmp_path):
    torch.set_num_threads(1)
    ddp = tmp_path / "ddp.pt"
    r = torchrun(tmp_path, tiny_data, ddp, 5)
    assert r.returncode == 0, r.stderr[-3000:]
    state = torch.load(ddp, weights_only=False)
    # the checkpoint is a single process's: the carried state of all 8 rows, step 5
    assert state["step"] == 5 and state["carry"].shape == (8, 16)
    train(tiny_cfg(tiny_data), ddp, progress=False, log=lambda *_: None)   # one process
    one = tmp_path / "one.pt"
    train(tiny_cfg(tiny_data), one, progress=False, log=lambda *_: None)
    nd, _, _, hd = load_checkpoint(ddp)
    n1, _, _, h1 = load_checkpoint(one)
    assert [h["step"] for h in hd] == [6, 12] == [h["step"] for h in h1]
    # averaged gradients make the same steps as one process on the whole batch, up to the
    # order of floating-point sums (measured: parameters within 6e-8, the same val bpb)
    for h, g in zip(hd, h1):
        assert abs(h["val_bpb"] - g["val_bpb"]) < 1e-6
    for (k, a), (_, b) in zip(nd.state_dict().items(), n1.state_dict().items()):
        assert torch.allclose(a, b, rtol=0, atol=1e-5), k


def test_trnn_train_under_torchrun(tiny_data, tmp_path):
    """The command as a user runs it: ``torchrun --nproc_per_node 2 -m trnn train …``; a batch
    that does not split evenly is one error line and no checkpoint."""
    def run(out, batch):
        return subprocess.run(
            [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
             "2", "-m", "trnn", "train", "--out", str(out), "--data", str(tiny_data),
             "--state-bits", "16", "--embed-bits", "6", "--fanin", "6", "--steps", "4",
             "--batch", str(batch), "--seq-len", "16", "--val-every", "2", "--val-stories",
             "5", "--quiet", "--threads", "1"],
            capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
            timeout=600)
    r = run(tmp_path / "ok.pt", 8)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count("checkpoint:") == 1   # rank 0 alone reports
    _, _, cfg, hist = load_checkpoint(tmp_path / "ok.pt")
    assert [h["step"] for h in hist] == [2, 4] and cfg.batch == 8
    r = run(tmp_path / "x.pt", 7)
    assert r.returncode != 0
    assert "trnn: error: batch must be a multiple of the 2 data-parallel processes" in r.stderr
    assert not (tmp_path / "x.pt").exists()
