"""The HTML explorer: the page a headless Chromium renders shows the golden engine's story and
states, the modules, the names and the rule of the bit clicked."""

import html
import json
import os
import re

import numpy as np
import pytest

from conftest import make_stories
from trnn.logic.decompile import bit_rule
from trnn.logic.explain import bit_names, explain
from trnn.logic.explore import (find_browser, lit_bits, page_data, rendered_dom, screenshot,
                                story_steps, write_page)
from trnn.logic.trace import run_trace
from trnn.main import main
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine
from trnn.model.tokenizer import Tokenizer

BYTES = Tokenizer.bytes()

needs_browser = pytest.mark.skipif(
    find_browser() is None and not os.environ.get("TRNN_REQUIRE_TOOLS"),
    reason="no headless Chromium (apt-get install chromium)")


def two_module_machine(seed=0):
    """A random gated machine on bytes whose bits 0–5 and 6–11 never read each other."""
    rng = np.random.default_rng(seed)
    H, E, V = 12, 8, BYTES.vocab_size
    W = {}
    for g in ("update", "cand"):
        w = rng.integers(-1, 2, (H, H + E)).astype(np.int8)
        w[:6, 6:H] = 0
        w[6:, :6] = 0
        W[g] = w
    m = Machine(cell="gated", embedding=rng.integers(0, 2, (V, E)).astype(np.uint8),
                h0=rng.integers(0, 2, H).astype(np.uint8), W=W,
                theta={g: rng.integers(-2, 3, H).astype(np.int32) for g in W},
                R=rng.integers(-1, 2, (V, H)).astype(np.int8),
                c=rng.integers(-3, 3, V).astype(np.int32), tokenizer=BYTES, logit_scale=1.0)
    m.validate()
    return m


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    m = two_module_machine()
    stats = explain(m, run_trace(m, make_stories(30, 3)), min_count=2)
    path = tmp_path_factory.mktemp("explore") / "page.html"
    prompt = BYTES.encode("The cat")
    write_page(m, path, "two modules </script> & co", prompt, max_tokens=20, stats=stats)
    return m, stats, path, story_steps(m, prompt, 20)


def test_steps_are_the_golden_generation(page):
    m, _, _, steps = page
    g = generate(NumpyEngine(m), BYTES.encode("The cat"), 20, record=True)
    assert [s["token"] for s in steps] == [m.eot_id, *BYTES.encode("The cat"), *g.tokens]
    read = [s for s in steps if s["state"] is not None]
    assert len(read) == len(g.states)
    for s, h in zip(read, g.states):
        assert s["state"] == "".join(map(str, h.tolist()))


def test_page_data_has_modules_names_and_rules(page):
    m, stats, _, steps = page
    d = page_data(m, "t", steps, stats)
    assert sorted(map(sorted, d["modules"])) == [list(range(6)), list(range(6, 12))]
    names = bit_names(m, stats)
    assert d["named"] == len(names)
    for b in d["bits"]:
        assert b["name"] == names.get(b["bit"])
        assert b["rule"].splitlines()[0] in "\n".join(bit_rule(m, b["bit"]))
        assert b["explain"]["n_on"] == stats[b["bit"]].n_on


def test_the_data_block_cannot_end_the_script(page):
    text = page[2].read_text()
    block = re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S)
    assert json.loads(block.group(1))["title"] == "two modules </script> & co"


def _lit(dom):
    return sorted(int(b) for b in re.findall(r'class="bit[^"]*\bon\b[^"]*"[^>]*data-bit="(\d+)"',
                                             dom))


@needs_browser
@pytest.mark.parametrize("k", [0, 5, 14])
def test_chromium_renders_the_states_of_the_golden_engine(page, k):
    m, _, path, steps = page
    dom = rendered_dom(path, step=k, bit=7)
    assert len(re.findall(r'class="bit[ "]', dom)) == m.H
    assert _lit(dom) == lit_bits(steps, k) and f'data-step="{k}"' in dom
    # the story so far is shown, the rest hidden; two module boxes; bit 7's rule in the panel
    assert dom.count('class="module"') == 2
    rule = re.search(r'<pre id="rule">(.*?)</pre>', dom, re.S).group(1)
    assert html.unescape(rule) == "\n".join(x[4:] for x in bit_rule(m, 7))
    assert re.search(r"<h1>bit 7\b", dom)


@needs_browser
def test_screenshot_and_cli(page, tmp_path, capsys):
    png = screenshot(page[2], tmp_path / "shot.png", step=3, bit=1, size=(800, 600))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mf = tmp_path / "m.trnn"
    page[0].save(mf)
    out = tmp_path / "x.html"
    assert main(["logic", "explore", str(mf), "-o", str(out), "--no-stats", "--prompt", "A",
                 "--max-tokens", "5", "--screenshot", str(tmp_path / "s.png")]) == 0
    assert out.exists() and (tmp_path / "s.png").exists()
    assert "wrote" in capsys.readouterr().out
