"""Traces of validation stories and the per-bit explanations built on them."""

import re

import numpy as np
import pytest

from conftest import make_stories
from trnn.logic.explain import explain, md_escape, write_report
from trnn.logic.trace import run_trace
from trnn.model.evaluate import machine_bpb
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine
from trnn.model.tokenizer import Tokenizer

BYTES = Tokenizer.bytes()


def test_trace_rows_match_a_story_by_story_run():
    m = Machine.random(np.random.default_rng(1), H=10, E=5, tokenizer=BYTES)
    stories = make_stories(7, 3)
    tr = run_trace(m, stories)
    eng = NumpyEngine(m)
    assert len(tr) == sum(len(s) + 1 for s in stories) and tr.n_stories == 7
    assert tr.h_before.dtype == np.uint8 and tr.h_after.shape == (len(tr), 10)
    for s, text in enumerate(stories):                 # the stories keep their own index
        rows = np.arange(tr.starts[s], tr.starts[s + 1])
        toks = [m.eot_id] + list(text.encode())
        assert tr.story[rows].tolist() == [s] * len(toks)
        assert tr.pos[rows].tolist() == list(range(len(toks)))
        assert tr.token[rows].tolist() == toks
        assert tr.target[rows].tolist() == toks[1:] + [m.eot_id]
        assert bytes(tr.story_tokens(s).tolist()) == text.encode()
        h = m.h0.copy()
        for r, t in zip(rows, toks):
            assert np.array_equal(tr.h_before[r], h)
            h = eng.step(h, t)
            assert np.array_equal(tr.h_after[r], h)
            assert tr.greedy[r] == int(np.argmax(eng.scores(h)))
    # the same predictions as evaluation: bits per byte from the trace's states
    sc = tr.h_after.astype(np.int64) @ m.R.T.astype(np.int64) + m.c
    z = sc * m.logit_scale
    lp = z - z.max(1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(1, keepdims=True))
    bits = -lp[np.arange(len(tr)), tr.target].sum() / np.log(2)
    bpb, nbytes = machine_bpb(m, stories)
    assert bits / nbytes == pytest.approx(bpb, rel=1e-12)
    # context: the story text before a row, the row's token marked
    r = int(tr.starts[2]) + 30
    assert tr.context(r, m, chars=12) == stories[2][17:29] + "⟦" + stories[2][29] + "⟧"
    assert tr.context(int(tr.starts[2]), m) == "⟦⟨EOT⟩⟧"


def tracker_machine():
    """Threshold cell on bytes: bit 0 copies "the token was 'a'"; bit 1 is constant 0
    (never changes); bit 2 is h0 = 1 and stays 1; bit 3 starts 0 and is 1 after every step
    (it turns on at each opening EOT)."""
    H, E, V = 4, 2, 257
    emb = np.zeros((V, E), dtype=np.uint8)
    emb[ord("a"), 0] = 1
    emb[128:256, 1] = 1                      # never set by ASCII text
    W = np.zeros((H, H + E), dtype=np.int8)
    W[0, H + 0] = 1
    W[1, H + 1] = 1
    theta = np.array([1, 1, 0, 0], dtype=np.int32)
    R = np.zeros((V, H), dtype=np.int8)
    R[ord("b"), 0] = 1
    m = Machine(cell="threshold", embedding=emb, h0=np.array([0, 0, 1, 0], dtype=np.uint8),
                W={"cand": W}, theta={"cand": theta}, R=R, c=np.zeros(V, dtype=np.int32),
                tokenizer=BYTES, logit_scale=1.0)
    m.validate()
    return m


def test_a_bit_that_copies_a_token_lists_it_first():
    m = tracker_machine()
    stories = make_stories(12, 4)
    tr = run_trace(m, stories)
    stats = explain(m, tr, min_count=3)
    s = stats[0]
    n_a = sum(x.count("a") for x in stories)
    assert s.n_on == s.n_off == n_a > 10                # "aa" never occurs in these words
    assert s.frac_set == pytest.approx(n_a / len(tr))
    assert s.on_by_count[0].token == ord("a") and s.on_by_count[0].count == n_a
    assert s.on_by_lift[0].token == ord("a")
    assert s.on_by_lift[0].lift == pytest.approx(len(tr) / n_a)
    assert len(s.on_by_count) == 1 and s.on_by_count[0].precision == 1.0
    assert s.on_score == 1.0 and s.on_score_token == ord("a")
    assert all(a.token != ord("a") for a in s.off_by_count)
    assert sum(a.count for a in s.off_by_count) <= n_a
    # the off events follow the letter: their tokens are the letters that come after 'a'
    after_a = {c for x in stories for c in re.findall("a(.)", x)}
    assert {chr(a.token) for a in s.off_by_count} <= after_a
    assert s.flags == [] and s.constant is None and not s.never_changes
    # examples: the text before the event, the token marked
    assert 1 <= len(s.on_examples) <= 4
    for e in s.on_examples:
        text = stories[e.story]
        assert text[e.pos - 1] == "a"
        assert e.text == text[:e.pos - 1][-40:] + "⟦a⟧"
    # constant / never-changing bits
    assert stats[1].constant == 0 and stats[1].never_changes and stats[1].n_on == 0
    assert stats[2].constant == 1 and stats[2].never_changes and stats[2].flags == [
        "constant 1", "never changes"]
    assert stats[3].constant == 1 and not stats[3].never_changes
    assert stats[3].n_on == len(stories) and stats[3].n_off == 0
    assert stats[3].on_by_count[0].token == m.eot_id and stats[3].on_score == 1.0
    assert stats[3].on_examples[0].text == "⟦⟨EOT⟩⟧"
    assert "rare" in stats[3].flags


def test_markdown_report_is_escaped_and_linked(tmp_path):
    m = tracker_machine()
    stories = ["Once upon *b* |\nthe `x` [x](y) <b> x_b #y ~z~ & a.",
               "Once upon a time a|girl was happy."]
    tr = run_trace(m, stories)
    stats = explain(m, tr, min_count=1)
    p = write_report(m, stats, tmp_path / "bits.md", title="bits | test", trace=tr)
    text = p.read_text(encoding="utf-8")
    assert text.startswith("# bits \\| test\n")
    assert "Trace: 2 stories" in text
    table = [ln for ln in text.splitlines() if ln.startswith("| [")]
    assert len(table) == m.H
    for ln in table:                                     # 10 column borders, none escaped away
        assert len(re.findall(r"(?<!\\)\|", ln)) == 10
    assert "⟦\\|⟧ " in table[0]                         # bit 0 turns off on a pipe
    for i in range(m.H):
        assert f"| [{i}](#bit-{i}) |" in text
        assert f'<a id="bit-{i}"></a>' in text and re.search(rf"\n### bit {i}( — \S+)?\n", text)
    assert "turns on at ⟦a⟧" in text                     # bit 0 is the most label-like
    # the example before the only 'a' of story 0 (position 49) has its pipe, newline and
    # Markdown characters escaped
    assert ("  - story 0 @ 49: n \\*b\\* \\|⏎the \\`x\\` \\[x\\](y) \\<b\\> x\\_b \\#y "
            "\\~z\\~ \\& ⟦a⟧\n") in text
    assert (md_escape("a|b\nc\r\t*_[]<>#~&`\\")
            == "a\\|b⏎c␍⇥\\*\\_\\[\\]\\<\\>\\#\\~\\&\\`\\\\")


def test_explain_random_machine_counts_are_consistent(tmp_path):
    m = Machine.random(np.random.default_rng(2), H=20, E=6, tokenizer=BYTES)
    tr = run_trace(m, make_stories(10, 6))
    stats = explain(m, tr)
    assert [s.bit for s in stats] == list(range(20))
    hb, ha = tr.h_before.astype(int), tr.h_after.astype(int)
    for s in stats:
        i = s.bit
        assert s.n_on == int(((hb[:, i] == 0) & (ha[:, i] == 1)).sum())
        assert s.n_off == int(((hb[:, i] == 1) & (ha[:, i] == 0)).sum())
        assert s.frac_set == pytest.approx(ha[:, i].mean())
        if s.on_by_count:
            assert s.on_by_count[0].count == max(a.count for a in s.on_by_count)
            assert all(a.count >= 5 for a in s.on_by_lift)
            lifts = [a.lift for a in s.on_by_lift]
            assert lifts == sorted(lifts, reverse=True)
        assert 0.0 <= s.on_score <= 1.0 and 0.0 <= s.off_score <= 1.0
    write_report(m, stats, tmp_path / "r.md")
    assert (tmp_path / "r.md").stat().st_size > 1000


def test_names_go_to_bits_a_token_set_explains():
    from trnn.logic.explain import NAME_THRESHOLD, bit_names, name_note, token_slug
    m = tracker_machine()
    stats = explain(m, run_trace(m, make_stories(12, 4)), min_count=3)
    assert stats[0].on_set == [ord("a")] and stats[0].on_set_score == 1.0
    # bit 0 turns on at 'a' (F1 1); bit 3 turns on at each opening EOT (F1 1); the constant
    # bits have no events and no name
    names = bit_names(m, stats)
    assert names == {0: "on_a", 3: "on_eot"}
    assert name_note(m, stats[0]).startswith("turns on at 'a' (F1 1.00")
    assert name_note(m, stats[1]) == ""
    # a set is named only from the threshold up
    stats[0].on_set_score = stats[0].off_set_score = NAME_THRESHOLD - 0.01
    assert 0 not in bit_names(m, stats)
    assert [token_slug(m, t) for t in (ord("."), ord("\n"), ord("Q"), 200, m.eot_id)] == [
        "period", "newline", "Q", "t200", "eot"]
