"""The decompiled program (``trnn decompile``) against the golden reference, byte for byte."""

import ast
import importlib.util
import itertools
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from trnn.logic.decompile import decompile, gate_rule, gate_text, write_program
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, max_temperature, temperature_to_tq
from trnn.model.tokenizer import Tokenizer, TokenizerError
from trnn.models import shipped_path

from conftest import make_stories

RULE = re.compile(r"^    h\[(\d+)\] = ", re.MULTILINE)


def reference(m: Machine, prompt="Once upon a time", max_tokens=200, temperature=0.0, seed=0,
              no_stop=False, show_eot=False) -> bytes:
    """What ``trnn generate`` writes: the prompt, the generated tokens' bytes (EOT's only with
    --show-eot), a newline."""
    tq = temperature_to_tq(temperature, m.logit_scale)
    tr = generate(NumpyEngine(m), m.tokenizer.encode(prompt), max_tokens, tq=tq, seed=seed,
                  stop_at_eot=not no_stop)
    return (prompt.encode() + b"".join(m.tokenizer.token_bytes[t] for t in tr.tokens
                                       if t != m.eot_id or show_eot) + b"\n")


def run(prog: Path, *args, check=True) -> subprocess.CompletedProcess:
    # -I -S: no site-packages, no environment, so only the standard library can be imported
    return subprocess.run([sys.executable, "-I", "-S", str(prog), *map(str, args)],
                          capture_output=True, check=check, timeout=120)


def load(prog: Path):
    """The program as a module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location(f"decompiled_{prog.stem}", prog)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def options(temperature=0.0, seed=0, no_stop=False, show_eot=False, max_tokens=200,
            prompt="Once upon a time"):
    args = ["--prompt", prompt, "--max-tokens", max_tokens, "--temperature", temperature,
            "--seed", seed]
    return args + ["--no-stop"] * no_stop + ["--show-eot"] * show_eot


# -- machines -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bpe():
    return Tokenizer.train_bpe(make_stories(200, 3), vocab_size=300)


def all_rule_forms(m: Machine) -> Machine:
    """``m`` (gated) with bits whose rules take every special form: update never / always
    fires, candidate constantly 1 / 0, a single-literal update rule."""
    W, th = m.W, m.theta
    W["update"][0], th["update"][0] = 0, 1          # never updated: the constant h0[0]
    W["update"][1], th["update"][1] = 0, 0          # updated on every token
    W["cand"][2], th["cand"][2] = 0, 0              # set when updated
    W["cand"][3], th["cand"][3] = 0, 5              # cleared when updated
    W["update"][3], th["update"][3] = 0, 0
    W["update"][3][m.H + 1], th["update"][3] = -1, 0  # ... by a one-literal rule
    return m


@pytest.fixture(scope="module")
def machines(bpe):
    small = Machine.load(shipped_path("small"))
    return {
        "small": small,
        "gated_bpe": all_rule_forms(Machine.random(np.random.default_rng(1), H=24, E=8,
                                                   cell="gated", tokenizer=bpe)),
        "threshold_bytes": Machine.random(np.random.default_rng(2), H=20, E=7, density=0.25,
                                          cell="threshold", tokenizer=Tokenizer.bytes()),
        "sparse_gated_bytes": Machine.random(np.random.default_rng(3), H=9, E=3, density=0.08,
                                             cell="gated", tokenizer=Tokenizer.bytes()),
    }


@pytest.fixture(scope="module")
def programs(machines, tmp_path_factory):
    d = tmp_path_factory.mktemp("programs")
    return {name: write_program(m, d / f"talker_{name}.py") for name, m in machines.items()}


# -- generation -----------------------------------------------------------------------------------------
CASES = [dict(), dict(temperature=0.8, seed=1), dict(temperature=1.0, seed=2**32 - 2),
         dict(temperature=0.3, seed=12345, no_stop=True, show_eot=True, max_tokens=150),
         dict(temperature="max", seed=7, no_stop=True, max_tokens=60)]


@pytest.mark.parametrize("name", ["small", "gated_bpe", "threshold_bytes", "sparse_gated_bytes"])
def test_program_equals_reference(name, machines, programs):
    m, prog = machines[name], programs[name]
    for case in CASES:
        if case.get("temperature") == "max":   # the largest t_q the 16-bit register holds
            case = {**case, "temperature": max_temperature(m.logit_scale)}
        assert run(prog, *options(**case)).stdout == reference(m, **case), case


def test_too_high_temperature_is_refused(machines, programs):
    """As `trnn generate`: a temperature whose t_q exceeds 16 bits is one error line (exit 2),
    not silently clipped."""
    m, prog = machines["small"], programs["small"]
    r = run(prog, "--temperature", max_temperature(m.logit_scale) * 1.01, check=False)
    err = r.stderr.decode()
    assert r.returncode == 2 and r.stdout == b"" and err.count("\n") == 1, err
    assert "above this model's largest" in err and "65535" in err


def test_prompts_and_stopping(machines, programs):
    m, prog = machines["small"], programs["small"]
    for prompt, case in [("", {}), ("The dog said, \"Hi!\"  Tom's 3 cats ran.\n\nThen", {}),
                         ("Lily", dict(no_stop=True, show_eot=True, max_tokens=300)),
                         ("A", dict(max_tokens=1)), ("Once upon a time", dict(no_stop=True))]:
        assert run(prog, *options(prompt=prompt, **case)).stdout == \
            reference(m, prompt=prompt, **case), (prompt, case)


def test_many_seeds_in_process(machines, programs):
    """Token sequences for many seeds and temperatures, the program's functions called
    directly (no process per case)."""
    for name in ("small", "gated_bpe", "threshold_bytes"):
        m, mod = machines[name], load(programs[name])
        eng = NumpyEngine(m)
        for seed, temperature in itertools.product([0, 1, 99, 4242, 2**31], [0.0, 0.5, 2.0]):
            tq = temperature_to_tq(temperature, m.logit_scale)
            got = []
            mod.generate(mod.encode("Once"), 40, tq, seed, False, got.append)
            want = generate(eng, m.tokenizer.encode("Once"), 40, tq=tq, seed=seed,
                            stop_at_eot=False).tokens
            assert got == want, (name, seed, temperature)


def test_same_bytes_as_trnn_generate(programs, capsysbinary):
    from trnn.main import main

    for args in (["--max-tokens", 120], ["--temperature", 0.9, "--seed", 5, "--show-eot",
                                         "--no-stop", "--max-tokens", 120]):
        assert main(["generate", "--model", str(shipped_path("small")), *map(str, args)]) == 0
        assert run(programs["small"], *args).stdout == capsysbinary.readouterr().out


def test_default_options_and_speed(machines, programs):
    """The program's defaults are trnn generate's (but 200 tokens), and the small model's
    200 tokens take well under the few seconds allowed."""
    t = time.perf_counter()
    out = run(programs["small"], "--no-stop").stdout
    assert time.perf_counter() - t < 15
    assert out == reference(machines["small"], no_stop=True)


def test_command_line_errors(programs):
    prog = programs["small"]
    assert b"--temperature" in run(prog, "--help").stdout
    for args in (["--seed", 2**32 - 1], ["--seed", -1], ["--prompt", "a<|endoftext|>b"],
                 ["--temperature", "-1"], ["--max-tokens", 0]):
        r = run(prog, *args, check=False)
        assert r.returncode == 2 and r.stdout == b"" and b"error" in r.stderr, args


# -- the prompt encoder ---------------------------------------------------------------------------------
ASCII_TEXTS = [
    "Once upon a time", "", " ", "  ", "a  b", "a   b", " leading", "trailing ", "trailing  ",
    "tab\tsep", "\t\tx", " \tx", "\t x", "line\nbreak", "two\n\nlines", "end\n", "\n\n\n",
    "don't", "I'm", "we're", "you've", "she'll", "he'd", "it's", "DON'T", "'s'", "''s", " 's",
    "x's", "rock'n'roll", "'tis", "3.14159", "abc123def", "12 345", " 42", "$100!", "a,b;c:d",
    "hello...world", '"Quoted," she said.', "(paren) [bracket] {brace}", "under_score",
    "e-mail@example.com", "\x00\x01\x1c\x7f", "~`!@#$%^&*()-=+", "CamelCase WORDS mixed",
    "x" * 60, "The cat ran with his friend. The happy dog saw the sun.",
]
UNICODE_TEXTS = [
    "café naïve Ünïcode", "Straße", "日本語のテキスト", "x²+y³", "Ⅷ and ½", "e\u0301 combining",
    "a\u00a0b\u00a0\u00a0c", "ideographic\u3000space", "nel\x85x", "\x1c\x1d\x1e\x1fsep",
    "Ελληνικά 123", "emoji 😀 ☃!", "zero\u200bwidth", "١٢٣ arabic digits", "٣x",
]


def ascii_fuzz(n: int, seed: int) -> list[str]:
    r = random.Random(seed)
    alphabet = "aaabcdeeTxyz  \t\n''.,!?\"-0123456789_()"
    return ["".join(r.choice(alphabet) for _ in range(r.randint(1, 40))) for _ in range(n)]


def unicode_fuzz(n: int, seed: int) -> list[str]:
    """Text from code points that Python's Unicode database assigns (of every category)."""
    r = random.Random(seed)
    chars = [chr(c) for c in range(0x20, 0x30000, 7)
             if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]
    pool = chars + list(" \t\n'sab1")*200
    return ["".join(r.choice(pool) for _ in range(r.randint(1, 30))) for _ in range(n)]


def expected_ids(tok: Tokenizer, text: str):
    try:
        return tok.encode(text)
    except TokenizerError:
        return "error"


def program_ids(mod, text: str):
    try:
        return mod.encode(text)
    except ValueError:
        return "error"


@pytest.mark.parametrize("name", ["small", "gated_bpe"])
def test_bpe_encoder_equals_tokenizer(name, machines, programs):
    tok, mod = machines[name].tokenizer, load(programs[name])
    texts = ASCII_TEXTS + UNICODE_TEXTS + ascii_fuzz(400, 1) + unicode_fuzz(300, 2)
    texts += [make_stories(1, s)[0] for s in range(30)]
    for text in texts:
        assert program_ids(mod, text) == expected_ids(tok, text), repr(text)
    assert expected_ids(tok, "a<|endoftext|>b") == program_ids(mod, "a<|endoftext|>b") == "error"


def test_limited_alphabet_bpe_refuses_what_the_tokenizer_refuses(tmp_path):
    tok = Tokenizer.train_bpe(make_stories(50, 1), vocab_size=50, limit_alphabet=30)
    m = Machine.random(np.random.default_rng(4), H=10, E=4, tokenizer=tok)
    mod = load(write_program(m, tmp_path / "limited.py"))
    for text in ASCII_TEXTS + ascii_fuzz(100, 3) + ["the cat", "zebra QUIZ", "é"]:
        assert program_ids(mod, text) == expected_ids(tok, text), repr(text)
    r = run(tmp_path / "limited.py", "--prompt", "the cat", "--max-tokens", 30, "--no-stop")
    assert r.stdout == reference(m, prompt="the cat", max_tokens=30, no_stop=True)


def test_bytes_encoder(machines, programs):
    mod = load(programs["threshold_bytes"])
    for text in ASCII_TEXTS + UNICODE_TEXTS:
        assert mod.encode(text) == Tokenizer.bytes().encode(text)


def test_ids_vocabulary_refuses_every_prompt(tmp_path):
    prog = write_program(Machine.random(np.random.default_rng(5)), tmp_path / "ids.py")
    r = run(prog, "--prompt", "", check=False)
    assert r.returncode == 2 and b"cannot encode" in r.stderr


# -- the program as code --------------------------------------------------------------------------------
def test_one_rule_per_state_bit(machines):
    for m in machines.values():
        src = decompile(m)
        assert [int(i) for i in RULE.findall(src)] == list(range(m.H))
        assert len(src.splitlines()) < 2000 and max(map(len, src.splitlines())) <= 100


def test_special_rules_are_named(machines):
    m = machines["gated_bpe"]
    src = decompile(m)
    lines = dict(re.findall(r"^    h\[(\d+)\] = (.*)$", src, re.MULTILINE))
    assert lines["0"] == f"{m.h0[0]}  # constant: never updated, keeps H0's bit"
    assert re.search(r"# h\[1\]: updated on every token\n    h\[1\] = atleast\(", src)
    assert lines["2"].startswith("s2 or ") and lines["3"] == "s3 and e1  # cleared when updated"
    src = decompile(machines["sparse_gated_bytes"])
    assert re.search(r" and | or ", src) and "atleast(" in decompile(m)


def test_imports_only_standard_library(machines):
    for m in machines.values():
        tree = ast.parse(decompile(m))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom)}
        assert names and names <= set(sys.stdlib_module_names), names


def test_header_and_file(machines, tmp_path):
    m = machines["small"]
    src = decompile(m, name="storyteller")
    head = src.split('"""')[1]
    assert src.startswith("#!/usr/bin/env python3\n") and "trnn decompile" in head
    assert f"{m.fingerprint():08x}" in head and "gated cell" in head
    assert f"H = {m.H} state bits" in head and f"E = {m.E}" in head and f"V = {m.V}" in head
    p = write_program(m, tmp_path / "t.py")
    assert p.read_text(encoding="utf-8") == decompile(m)
    assert os.stat(p).st_mode & 0o111 and [f.name for f in tmp_path.iterdir()] == ["t.py"]


def test_gate_rule_forms_are_exact():
    """Every simplified form evaluates to the threshold gate on every input."""
    rng = np.random.default_rng(6)
    H, E = 3, 2
    names = [f"s{i}" for i in range(H)] + [f"e{j}" for j in range(E)]
    forms = set()
    for _ in range(300):
        w = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=H + E, p=[.2, .6, .2])
        theta = int(rng.integers(-4, 5))
        g = gate_rule(w, theta, H)
        text = gate_text(g)
        forms.add("atleast" if text.startswith("atleast") else "and" if " and " in text
                  else "or" if " or " in text else "constant" if text in "01" else "literal")
        code = compile(text, "<gate>", "eval")
        for x in itertools.product([0, 1], repeat=H + E):
            got = eval(code, {"atleast": lambda k, *t: sum(t) >= k}, dict(zip(names, x)))
            assert bool(got) == (int(np.dot(w, x)) >= theta), (w, theta, text)
    assert forms == {"atleast", "and", "or", "constant", "literal"}
    w = np.array([1, -1, 0, 1, 0], np.int8)  # s0 - s1 + e0: one negative weight, k = theta + 1
    assert gate_text(gate_rule(w, 2, H)) == "(s0 and not s1 and e0)"
    assert gate_text(gate_rule(w, 0, H)) == "(s0 or not s1 or e0)"
    assert gate_text(gate_rule(w, 1, H)) == "atleast(2, s0, not s1, e0)"
    assert gate_rule(w, -1, H) == 1 and gate_rule(w, 3, H) == 0


# -- named bits -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def named_small(machines, tmp_path_factory):
    from trnn.logic.explain import bit_names, explain, name_note
    from trnn.logic.trace import run_trace
    m = machines["small"]
    stats = explain(m, run_trace(m, make_stories(120, 4)))
    names = bit_names(m, stats)
    notes = {i: name_note(m, stats[i]) for i in names}
    prog = write_program(m, tmp_path_factory.mktemp("named") / "talker_named.py", names=names,
                         notes=notes)
    return m, names, prog


def test_named_program_equals_reference(named_small):
    m, names, prog = named_small
    assert names, "the small model names some bits on story text"
    src = prog.read_text()
    step_src = src[src.index("def step("):src.index("# -- choosing")]
    for i, nm in names.items():
        assert re.search(rf"\b{nm}\b", step_src) and not re.search(rf"\bs{i}\b", step_src)
        assert f"#   {nm} = s{i}: turns " in src
    for case in CASES[:4]:
        assert run(prog, *options(**case)).stdout == reference(m, **case), case


@pytest.mark.parametrize("bad", ["s3", "not", "step", "two words", "EOT", "len"])
def test_unusable_bit_names_are_refused(machines, bad):
    with pytest.raises(ValueError, match="not a usable identifier"):
        decompile(machines["sparse_gated_bytes"], names={0: bad})
    with pytest.raises(ValueError, match="distinct"):
        decompile(machines["sparse_gated_bytes"], names={0: "a_b", 1: "a_b"})
