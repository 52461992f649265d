"""Every numeric option is checked against the range of what it feeds, with one
``trnn: error:`` line naming the limit, before anything is sent, printed or written."""

from __future__ import annotations

import io
import json

import pytest

from trnn.boards.host import HostError, RefBoard, talk
from trnn.hdl import protospec as ps
from trnn.main import main
from trnn.model.machine import Machine, max_temperature, temperature_to_tq
from trnn.models import shipped_path


def _largest(name: str) -> str:
    """How the one error line names the shipped model's largest temperature."""
    return f"largest, {max_temperature(Machine.load(shipped_path(name)).logit_scale):g}"


SMALL_MAX, LARGE_MAX = _largest("small"), _largest("large")

# (name, argv, what the one error line must say)
CASES = [
    ("talk count over 16 bits", ["talk", "PORT", "--max-tokens", "65536"], "1..65,535"),
    ("talk count zero", ["talk", "PORT", "--max-tokens", "0"], "1..65,535"),
    ("talk seed over 32 bits", ["talk", "PORT", "--seed", "4294967295"], "0..4,294,967,294"),
    ("talk negative seed", ["talk", "PORT", "--seed", "-1"], "0..4,294,967,294"),
    ("talk zero timeout", ["talk", "PORT", "--timeout", "0"], "> 0"),
    ("talk endless timeout", ["talk", "PORT", "--timeout", "inf"], "finite"),
    ("talk baud too low", ["talk", "PORT", "--baud", "10"], "50..6,250,000"),
    ("talk baud too high", ["talk", "PORT", "--baud", "9000000"], "50..6,250,000"),
    ("talk negative temperature", ["talk", "PORT", "--temperature", "-0.5"], ">= 0"),
    ("sim count over 16 bits", ["sim", "--prompt", "Hi", "--max-tokens", "65536"],
     "1..65,535"),
    ("sim temperature over t_q", ["sim", "--prompt", "Hi", "--temperature", "1000"],
     SMALL_MAX),
    ("sim baud the clock cannot make", ["sim", "--baud", "5000000"], "4 cycles per bit"),
    ("sim story seed", ["sim", "--story-seed", "99999999999"], "0..4,294,967,294"),
    ("sim story temperature", ["sim", "--story-temperature", "500"], SMALL_MAX),
    ("generate temperature over t_q", ["generate", "--temperature", "1000"],
     LARGE_MAX),
    ("generate seed", ["generate", "--seed", "4294967295"], "0..4,294,967,294"),
    ("generate not a number", ["generate", "--temperature", "warm"], "not a number"),
    ("build story temperature", ["build", "--model", "small", "--story-temperature", "1000"],
     SMALL_MAX),
    ("build baud off the clock", ["build", "--model", "small", "--baud", "2900000"],
     "off at 12 MHz"),
    ("build story seed", ["build", "--model", "small", "--story-seed", "-3"],
     "0..4,294,967,294"),
    ("train zero steps", ["train", "--out", "{tmp}/x.pt", "--steps", "0"], "--steps: must be >= 1"),
    ("train negative lr", ["train", "--out", "{tmp}/x.pt", "--lr", "-1"], "lr must be > 0"),
    ("train vocabulary", ["train", "--out", "{tmp}/x.pt", "--vocab-size", "70000"],
     "vocab_size must be 257..65,535"),
    ("train fan-in", ["train", "--out", "{tmp}/x.pt", "--state-bits", "8", "--embed-bits", "4",
                      "--fanin", "13"], "fanin must be 0..12"),
    ("train threads", ["train", "--out", "{tmp}/x.pt", "--threads", "0"], "1..1,024"),
    ("train config file", ["train", "--out", "{tmp}/x.pt", "--config", "{tmp}/bad.json"],
     "batch must be >= 1, got 0"),
    ("train config seed", ["train", "--out", "{tmp}/x.pt", "--config", "{tmp}/seed.json"],
     "seed must be 0..4,294,967,295"),
    ("query bit", ["logic", "query", "small", "bit", "64"], "0..63"),
    ("automaton modulus", ["logic", "automaton", "--p", "1"], "2..64"),
]


@pytest.mark.parametrize("argv,says", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_out_of_range_is_one_line_before_anything_else(argv, says, tmp_path, capsysbinary):
    (tmp_path / "bad.json").write_text(json.dumps({"batch": 0}))
    (tmp_path / "seed.json").write_text(json.dumps({"seed": 2**32}))
    argv = [s.replace("{tmp}", str(tmp_path)) for s in argv]
    assert main(argv) == 2
    cap = capsysbinary.readouterr()
    err = cap.err.decode()
    assert err.startswith("trnn: error: ") and err.count("\n") == 1, err
    assert says in err, err
    assert cap.out == b""                          # nothing printed
    assert not (tmp_path / "x.pt").exists()        # nothing written


class Recorder(RefBoard):
    """The reference board, recording the command of every frame the host sends."""

    def __init__(self, m):
        super().__init__(m)
        self.commands = []

    def answer(self, kind, payload):
        self.commands.append(kind)
        return super().answer(kind, payload)


def small():
    return Machine.load(shipped_path("small"))


def test_talk_refuses_a_too_high_temperature_before_generating():
    """The limit depends on the board's model (its logit scale), so talk asks the board which
    model it runs (INFO), then refuses before a GENERATE is sent or anything printed."""
    board, out = Recorder(small()), io.BytesIO()
    with pytest.raises(HostError, match=SMALL_MAX):
        talk(board, out, temperature=1000.0)
    assert out.getvalue() == b"" and board.commands == [ps.CMD_INFO]


@pytest.mark.parametrize("story", [False, True])
def test_explicit_temperature_zero_is_greedy(story):
    """`--temperature 0` sends t_q = 0 (greedy), in story mode too (where the default is 0.8)."""
    sent = []

    class Client:
        def __init__(self, *args, **kw):
            pass

        def info(self):
            return ps.Info.for_machine(small(), 12_000_000, 115200)

        def story(self, seed, tq):
            sent.append(("story", tq))
            raise KeyboardInterrupt

        def generate(self, req, emit):
            sent.append(("generate", req.tq))
            return [], ps.END_COUNT

    import trnn.boards.host as host
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(host, "Client", Client)
        for given in ({"temperature": 0.0}, {}):
            try:
                talk(None, io.BytesIO(), story=story, quiet=True, **given)
            except KeyboardInterrupt:
                pass
    kind = "story" if story else "generate"
    assert sent[0] == (kind, 0)
    # not given: story mode samples (0.8), a prompt is greedy
    assert sent[1] == (kind, temperature_to_tq(0.8, small().logit_scale) if story else 0)
