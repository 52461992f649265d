"""The shipped models: every engine reproduces the golden story texts exactly."""

import json
from pathlib import Path

import numpy as np
import pytest

from trnn.model.deploy import TorchEngine
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, temperature_to_tq
from trnn.models import SHIPPED, shipped_path

GOLDEN = json.loads((Path(__file__).parent / "golden" / "stories.json").read_text())


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request):
    return request.param, Machine.load(shipped_path(request.param))


@pytest.mark.parametrize("engine", [NumpyEngine, TorchEngine])
def test_golden_stories(shipped, engine):
    name, m = shipped
    eng = engine(m)
    for case in GOLDEN[name]:
        assert temperature_to_tq(case["temperature"], m.logit_scale) == case["tq"]
        tr = generate(eng, m.tokenizer.encode(case["prompt"]), case["max_tokens"],
                      tq=case["tq"], seed=case["seed"])
        assert tr.tokens == case["tokens"], (name, engine.name, case["prompt"])


def test_engines_agree_on_states_and_scores(shipped):
    """Step by step on validation-like text, greedy and sampled, states and scores equal."""
    _, m = shipped
    npe, te = NumpyEngine(m), TorchEngine(m)
    ids = m.tokenizer.encode("Once upon a time, there was a little girl named Lily. "
                             "She liked to play outside in the sun.")
    for tq, seed in ((0, 0), (300, 1), (2000, 2)):
        a = generate(npe, ids, 60, tq=tq, seed=seed, record=True, stop_at_eot=False)
        b = generate(te, ids, 60, tq=tq, seed=seed, record=True, stop_at_eot=False)
        assert a.tokens == b.tokens
        assert len(a.states) == len(b.states) > len(ids)
        assert all(np.array_equal(x, y) for x, y in zip(a.states, b.states))
        assert all(np.array_equal(x, y) for x, y in zip(a.scores, b.scores))


# each shipped model's board (the budgets: the whole placed design within 90 % of
# the LUT4 and timing met; the tables in block RAM)
BOARD_OF = {"small": "icebreaker", "large": "ulx3s-85f"}
RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def test_budgets(shipped):
    """The shipped model fits its board by trnn's estimate, and the committed placed-and-routed
    report (benchmarks/hardware.py) is of this very model (its fingerprint), used at most
    90 % of the LUT4 and met timing at the board's clock."""
    from trnn.boards.build import LUT_BUDGET, estimate
    from trnn.boards.catalog import BOARDS
    name, m = shipped
    board = BOARDS[BOARD_OF[name]]
    est = estimate(m, board)
    assert est.fits, est
    rep = json.loads((RESULTS / f"build-{name}-{board.name}.json").read_text())
    assert rep["fingerprint"] == f"{m.fingerprint():08x}", "report of another model"
    assert rep["lut4_used"] <= LUT_BUDGET * rep["lut4_available"]
    assert rep["timing_met"] and rep["fmax_mhz"] >= rep["clock_mhz"]
