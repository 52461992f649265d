"""The ``trnn logic split|explain|automaton`` and ``trnn decompile`` commands, end to end on a
small model and the tests' own story data (the libraries are tested in their own files)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from trnn.main import main
from trnn.model.machine import Machine
from trnn.model.tokenizer import Tokenizer


def test_split_explain_decompile_automaton(tiny_data, tmp_path, capsys):
    m = Machine.random(np.random.default_rng(2), E=6, H=10, cell="gated", density=0.3,
                       tokenizer=Tokenizer.bytes())
    path = tmp_path / "m.trnn"
    m.save(path)
    data = str(tiny_data)
    png, pruned = tmp_path / "g.png", tmp_path / "pruned.trnn"
    assert main(["logic", "split", str(path), "--data", data, "--stories", "5", "-q",
                 "--png", str(png), "--pruned", str(pruned)]) == 0
    out = capsys.readouterr().out
    assert "components (weakly connected)" in out and "re-run identical: True" in out
    assert png.stat().st_size > 10_000 and Machine.load(pruned).H == m.H

    report = tmp_path / "bits.md"
    assert main(["logic", "explain", str(path), "--data", data, "--stories", "5", "-q",
                 "-o", str(report)]) == 0
    text = report.read_text()
    assert all(f'<a id="bit-{i}"></a>' in text for i in range(m.H))

    prog = tmp_path / "talker.py"
    assert main(["decompile", str(path), "-o", str(prog)]) == 0
    assert f"one rule per state bit ({m.H})" in capsys.readouterr().out
    r = subprocess.run([sys.executable, str(prog), "--prompt", "Once", "--max-tokens", "20"],
                       capture_output=True, check=True)
    assert main(["generate", "--model", str(path), "--prompt", "Once", "--max-tokens",
                 "20"]) == 0
    assert r.stdout.decode("utf-8", "replace") == capsys.readouterr().out

    assert main(["logic", "automaton", "--p", "3", "--constructed"]) == 0
    assert "it IS the mod-3 automaton" in capsys.readouterr().out
    assert main(["logic", "explain", str(path), "--data", str(tmp_path / "none")]) == 2
    assert "no valid.txt" in capsys.readouterr().err
