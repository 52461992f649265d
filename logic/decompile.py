"""Decompile a machine into one standalone, readable Python program (``trnn decompile``).

:func:`decompile` returns the source of a Python 3.10+ program that uses only the standard
library and generates text exactly as ``trnn generate`` does for the same model and options
(``docs/machine.md``: greedy choice, seeded xorshift32/Gumbel sampling, the generation loop,
the prompt encoding and the output format). The program is meant to be read:

* every state bit has one rule, one statement ``h[i] = …`` in ``step``, written as a counting
  rule over named inputs — state bits ``s0…s{H-1}`` and embedding bits ``e0…e{E-1}``:
  ``atleast(k, s3, not s9, e5)``, or the simpler form it reduces to (a constant, ``and``,
  ``or``). Negative weights are folded as in :mod:`trnn.hdl.popcount`:
  ``Σ w·x ≥ θ  ⇔  #{x_j : w_j = +1} + #{¬x_j : w_j = −1} ≥ θ + #{w_j = −1}``;
* a gated bit reads ``keep_or(s_i, update=…, cand=…)`` (the candidate when the update rule
  fires, else the old value); a gated bit whose update rule can never fire is the constant
  ``h0[i]``, since every state descends from ``h0``;
* the integer tables (embedding, ``h0``, readout, offsets, noise, token bytes, BPE merges) are
  named constants at the end of the file, bit masks as ints.

The prompt encoder of a ``bpe`` model is a hand-written scanner for GPT-2's pre-tokenizer
pattern followed by byte-level BPE merges by rank (the same order of merges as the
``tokenizers`` library: always the lowest-ranked adjacent pair, leftmost first). Letters,
numbers and white space are classified with ``unicodedata`` and the Unicode ``White_Space``
set, which agrees with the ``tokenizers`` library on every code point assigned in the running
Python's Unicode database; characters assigned only in a newer Unicode version than that
database (``unicodedata.unidata_version``) may be split differently.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from trnn.model.machine import MAX_SEED, MAX_TQ, NOISE_FRAC_BITS, SCORE_SHIFT, Machine
from trnn.model.tokenizer import EOT_TEXT, Tokenizer, _byte_level_alphabet

WIDTH = 100  # the generated program's line length


# -- rules ---------------------------------------------------------------------------------------
def _input_name(j: int, H: int) -> str:
    return f"s{j}" if j < H else f"e{j - H}"


def gate_rule(w: np.ndarray, theta: int, H: int) -> int | tuple[int, list[str]]:
    """One threshold gate ``Σ_j w[j]·x[j] ≥ theta`` over the inputs ``s0…s{H-1}, e0…``
    (column ``j`` of ``w``) as ``(k, literals)`` — true when at least ``k`` of the literals
    (``"s3"`` for weight +1, ``"not s9"`` for −1) are true — or as the int 0/1 when constant.

    Folding ``−x = (1 − x) − 1`` gives ``k = theta + #(−1 weights)``; k ≤ 0 is always true,
    k > #literals never."""
    lits = [_input_name(j, H) if w[j] > 0 else f"not {_input_name(j, H)}"
            for j in np.flatnonzero(w)]
    k = int(theta) + int((w < 0).sum())
    if k <= 0:
        return 1
    if k > len(lits):
        return 0
    return k, lits


def _gate_form(g, bare: bool = False) -> tuple[str, str, list[str], str]:
    """``(open, separator, items, close)`` of a gate's simplest Python form: a constant, one
    literal, ``(a and b …)`` (all needed), ``(a or b …)`` (one needed) or ``atleast(k, …)``;
    ``bare`` leaves out the parentheses of ``and``/``or`` (for a whole right-hand side)."""
    if isinstance(g, int):
        return "", "", [str(g)], ""
    k, lits = g
    if len(lits) == 1:
        return "", "", lits, ""
    if k == len(lits) or k == 1:
        return ("" if bare else "("), (" and " if k == len(lits) else " or "), lits, \
            ("" if bare else ")")
    return f"atleast({k}, ", ", ", lits, ")"


def gate_text(g) -> str:
    """A gate of :func:`gate_rule` as one Python expression."""
    open_, sep, items, close = _gate_form(g)
    return open_ + sep.join(items) + close


def _gate_lines(lead: str, g, end: str, bare: bool = False) -> list[str]:
    """``lead + gate_text(g) + end`` in lines of at most WIDTH columns: items are wrapped
    after a separator, continuation lines aligned under the first item. A bare ``and``/``or``
    (without parentheses) continues inside a pair of parentheses that this adds."""
    open_, sep, items, close = _gate_form(g, bare)
    if bare and sep in (" and ", " or ") and len(lead + sep.join(items) + end) > WIDTH:
        open_, close = "(", ")"
    indent = len(lead) + (len("atleast(") if open_.startswith("atleast") else len(open_))
    lines, cur = [], lead + open_
    for n, item in enumerate(items):
        piece = item + (sep if n < len(items) - 1 else close + end)
        if n and len(cur) + len(piece.rstrip()) > WIDTH:
            lines.append(cur.rstrip())
            cur = " " * indent
        cur += piece
    return lines + [cur]


def bit_rule(m: Machine, i: int) -> list[str]:
    """State bit ``i``'s rule in the decompiled ``step``: the statement ``h[i] = …`` (indented
    by four spaces, possibly over several lines, with a comment for the special cases)."""
    H, lead = m.H, f"    h[{i}] = "
    cand = gate_rule(m.W["cand"][i], m.theta["cand"][i], H)
    # (as an input such a bit can still be H0's bit, in the step that reads end-of-story)
    every_token = f"every token sets it to {cand}" if isinstance(cand, int) else None
    comment = None
    if m.cell == "threshold":
        lines, comment = _gate_lines(lead, cand, "", bare=True), every_token
    else:
        update = gate_rule(m.W["update"][i], m.theta["update"][i], H)
        if update == 0:
            lines, comment = [lead + str(int(m.h0[i]))], "constant: never updated, keeps H0's bit"
        elif update == 1:
            lines = _gate_lines(lead, cand, "", bare=True)
            comment = every_token or "updated on every token"
        elif cand == 1:
            lines, comment = _gate_lines(f"{lead}s{i} or ", update, ""), "set when updated"
        elif cand == 0:
            comment = "cleared when updated"
            if len(update[1]) == 1:  # one literal: write its negation, not "not not x"
                lit = update[1][0]
                lines = [f"{lead}s{i} and {lit[4:] if lit.startswith('not ') else 'not ' + lit}"]
            else:
                lines = _gate_lines(f"{lead}s{i} and not ", update, "")
        else:
            one = f"{lead}keep_or(s{i}, update={gate_text(update)}, cand={gate_text(cand)})"
            if len(one) <= WIDTH:
                lines = [one]
            else:  # the old bit, the update rule and the candidate rule on lines of their own
                col = " " * len(lead + "keep_or(")
                lines = ([f"{lead}keep_or(s{i},"] + _gate_lines(col + "update=", update, ",")
                         + _gate_lines(col + "cand=", cand, ")"))
    if comment and len(lines[0]) + len(comment) + 4 <= WIDTH:
        lines[0] += f"  # {comment}"
    elif comment:
        lines.insert(0, f"    # h[{i}]: {comment}")
    return lines


def _wrap(head: str, items: list[str], tail: str) -> list[str]:
    """``head + ", ".join(items) + tail`` in lines of at most WIDTH columns, continuation
    lines aligned under the first item."""
    lines, cur = [], head
    for n, item in enumerate(items):
        piece = item + (", " if n < len(items) - 1 else tail)
        if n and len(cur) + len(piece.rstrip()) > WIDTH:
            lines.append(cur.rstrip())
            cur = " " * len(head)
        cur += piece
    return lines + [cur]


# -- constant tables ---------------------------------------------------------------------------------
def _table(name: str, items: list[str], comment: str, per_line: int | None = None) -> list[str]:
    """``NAME = (  # comment`` + items packed into lines of at most WIDTH columns + ``)``."""
    out, cur = [f"{name} = (  # {comment}"], "   "
    for n, it in enumerate(items):
        if (per_line is not None and n and n % per_line == 0) or \
                len(cur) + 1 + len(it) + 1 > WIDTH:
            out.append(cur)
            cur = "   "
        cur += " " + it + ","
    if cur.strip():
        out.append(cur)
    out.append(")")
    return out


def _mask(bits) -> int:
    """An int whose bit ``i`` is ``bits[i]``."""
    return sum(1 << i for i, b in enumerate(np.asarray(bits).tolist()) if b)


def _hex(x: int, nbits: int) -> str:
    return f"0x{x:0{max(1, (nbits + 3) // 4)}x}"


def _bpe_merges(tok: Tokenizer) -> list[tuple[bytes, bytes]]:
    """The merges of a ``bpe`` tokenizer as byte-string pairs in rank order, after checking
    that its ``tokenizers`` configuration is the one the decompiled encoder implements."""
    cfg = json.loads(tok.bpe_json)
    model, pre = cfg["model"], cfg.get("pre_tokenizer") or {}
    problems = []
    if model.get("type") != "BPE":
        problems.append(f"model {model.get('type')!r}")
    if cfg.get("normalizer") is not None:
        problems.append("a normalizer")
    if (pre.get("type"), pre.get("add_prefix_space"), pre.get("use_regex", True)) != \
            ("ByteLevel", False, True):
        problems.append(f"pre-tokenizer {pre}")
    for key in ("dropout", "continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(key):
            problems.append(f"{key}={model[key]!r}")
    if model.get("ignore_merges") or model.get("byte_fallback"):
        problems.append("ignore_merges/byte_fallback")
    if [t["content"] for t in cfg.get("added_tokens", [])] not in ([], [EOT_TEXT]):
        problems.append("added tokens other than the end-of-story token")
    if Tokenizer.from_bpe_json(tok.bpe_json).token_bytes != tok.token_bytes:
        problems.append("a vocabulary that differs from the model's token table")
    if problems:
        raise ValueError("cannot decompile this BPE tokenizer: " + "; ".join(problems))
    alphabet = _byte_level_alphabet()
    merges = []
    for mg in model["merges"]:
        a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
        merges.append((bytes(alphabet[c] for c in a), bytes(alphabet[c] for c in b)))
    return merges


# -- the program ---------------------------------------------------------------------------------------
_HEADER = '''#!/usr/bin/env python3
"""@NAME@: a storyteller decompiled from a trnn recurrent language model into plain Python.

Model      fingerprint @FP@, @CELL@ cell, H = @H@ state bits, E = @E@ embedding bits,
           V = @V@ tokens (@TOKDESC@), end of story = token @EOT@
Generated  by `trnn decompile`; regenerate it rather than edit it. Python 3.10+, standard
           library only.

    python3 THIS_FILE [--prompt TEXT] [--max-tokens N] [--temperature T --seed S] [--no-stop]

writes to stdout exactly the bytes that `trnn generate --model MODEL` writes for the same
options (--show-eot too; but 200 tokens by default).

How it works (trnn's docs/machine.md defines every step):
  * The model's memory is H bits, s0 ... s@HM1@. Each token has E fixed bits, e0 ... e@EM1@
    (EMBEDDING).
  * Reading a token computes all new state bits at once, one rule per bit (`step`), from the
    old state bits and the token's bits (the end-of-story token first resets the state to
    H0). A rule counts: `atleast(k, s3, not s9, e5)` is true when at least k of those
    literals are true.@GATED@
  * A token's score counts the state bits that vote for it minus those that vote against it
    (READOUT), plus its OFFSET. Greedy generation takes the best score, the lowest token id
    among equals; with a temperature, a seeded xorshift32 generator adds Gumbel noise (NOISE)
    to every score and the best noisy score wins.
  * @ENCODER@
"""

import argparse
@IMPORTS@
'''

_GATED_TEXT = ("\n    A gated bit changes only when its update rule fires: "
               "`keep_or(s7, update=U, cand=C)`\n    is C when U holds, else the old s7.")

_RUNTIME = r'''

def atleast(k, *literals):
    """A threshold rule: true when at least k of the literals are true."""
    return sum(literals) >= k


def keep_or(old, update, cand):
    """A gated state bit: the candidate value when the update rule fires, else the old value."""
    return cand if update else old


def bits(x, n):
    """The n low bits of the int x, bit 0 first."""
    return [(x >> i) & 1 for i in range(n)]


def pack(h):
    """The int whose bit i is h[i]."""
    return sum(1 << i for i, b in enumerate(h) if b)

'''

_READOUT = r'''

# -- choosing the next token ----------------------------------------------------------------------
def scores(state):
    """Every token's score: state bits voting for it, minus those voting against, plus offset."""
    return [(state & plus).bit_count() - (state & minus).bit_count() + offset
            for (plus, minus), offset in zip(READOUT, OFFSETS)]


def xorshift32(r):
    """Marsaglia's xorshift32 (shifts 13, 17, 5) on a nonzero 32-bit state."""
    r ^= (r << 13) & 0xFFFFFFFF
    r ^= r >> 17
    r ^= (r << 5) & 0xFFFFFFFF
    return r


def choose(scores, r, tq):
    """(next token, new PRNG state). Greedy when tq == 0; otherwise Gumbel-max sampling:
    every token, in id order, draws 8 noise bits and the largest score*2^16 + tq*noise wins."""
    if tq == 0:
        return max(range(len(scores)), key=scores.__getitem__), r  # max keeps the lowest id
    best = best_key = None
    for token, score in enumerate(scores):
        r = xorshift32(r)
        key = (score << @SHIFT@) + tq * NOISE[r >> 24]
        if best_key is None or key > best_key:
            best, best_key = token, key
    return best, r


def generate(prompt_ids, max_tokens, tq, seed, stop_at_eot, emit):
    """Read end-of-story and the prompt from H0, then choose and read up to max_tokens tokens,
    calling emit(token) for each."""
    r = seed + 1
    state = H0
    for token in [EOT, *prompt_ids]:
        state = step(state, token)
    for n in range(max_tokens):
        token, r = choose(scores(state), r, tq)
        emit(token)
        if (stop_at_eot and token == EOT) or n == max_tokens - 1:
            break
        state = step(state, token)

'''

_ENCODE_BYTES = r'''

# -- the prompt ---------------------------------------------------------------------------------------
def encode(text):
    """Token ids of the prompt: one token per UTF-8 byte."""
    return list(text.encode("utf-8"))

'''

_ENCODE_IDS = r'''

# -- the prompt ---------------------------------------------------------------------------------------
def encode(text):
    """This model's vocabulary has no text encoder (a test vocabulary of token ids)."""
    raise ValueError("a 'ids' vocabulary cannot encode text")

'''

_ENCODE_BPE = r'''

# -- the prompt: byte-level BPE -------------------------------------------------------------------
# Unicode White_Space (the \s of the tokenizers library's regex engine; str.isspace differs)
WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                        "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
CONTRACTION = re.compile(r"'(?:s|t|re|ve|m|ll|d)")


def char_class(c):
    """' ' white space, 'L' letter, 'N' number, '.' anything else."""
    if c in WHITE_SPACE:
        return " "
    kind = unicodedata.category(c)[0]
    return kind if kind in "LN" else "."


def pre_tokenize(text):
    r"""Split text into words as GPT-2's pattern does:
    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    cls = [char_class(c) for c in text]
    words, i, n = [], 0, len(text)
    while i < n:
        contraction = text[i] == "'" and CONTRACTION.match(text, i)
        if contraction:
            j = contraction.end()
        elif cls[i] != " " or (text[i] == " " and i + 1 < n and cls[i + 1] != " "):
            # a run of letters, of numbers or of other symbols, after at most one space
            j = i + 1 if cls[i] == " " else i
            kind = cls[j]
            while j < n and cls[j] == kind:
                j += 1
        else:
            # white space; before a non-space its last character starts the next word instead
            j = i + 1
            while j < n and cls[j] == " ":
                j += 1
            if j < n and j - i > 1:
                j -= 1
        words.append(text[i:j])
        i = j
    return words


def bpe(word):
    """Token ids of one word: start from its bytes, merge the lowest-ranked adjacent pair
    (leftmost first) until no pair has a merge."""
    parts = [bytes([b]) for b in word]
    while len(parts) > 1:
        rank, i = min((RANK.get(pair, len(RANK)), i)
                      for i, pair in enumerate(zip(parts, parts[1:])))
        if rank == len(RANK):
            break
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return [VOCAB[p] for p in parts]


def encode(text):
    """Token ids of the prompt, as the model's byte-level BPE tokenizer encodes it."""
    raw = text.encode("utf-8")
    missing = sorted(set(raw) - {t[0] for t in VOCAB if len(t) == 1})
    if missing or "<|endoftext|>" in text:
        what = (", ".join(f"0x{b:02x}" for b in missing[:8]) if missing
                else repr("<|endoftext|>") + " (reserved)")
        raise ValueError(f"text has bytes the tokenizer cannot encode: {what}")
    return [t for word in pre_tokenize(text) for t in bpe(word.encode("utf-8"))]

'''

_MAIN = r'''

# -- command line -------------------------------------------------------------------------------------
def nonneg_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {s!r}")
    return v


def pos_int(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {s!r}")
    return v


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--prompt", default="Once upon a time", help="text to start from")
    p.add_argument("--max-tokens", type=pos_int, default=200, help="tokens to generate")
    p.add_argument("--temperature", type=nonneg_float, default=0.0, help="0 = greedy")
    p.add_argument("--seed", type=int, default=0, help="PRNG seed, 0..@MAX_SEED@")
    p.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    p.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    a = p.parse_args(argv)
    try:
        if not 0 <= a.seed <= @MAX_SEED@:
            raise ValueError(f"seed must be in 0..@MAX_SEED@, got {a.seed}")
        # the one floating-point step: the temperature as a 16-bit integer
        tq = int(round(a.temperature * @NOISE_SCALE@ / LOGIT_SCALE))
        if tq > @MAX_TQ@:
            raise ValueError(f"temperature {a.temperature:g} is above this model's largest "
                             f"(t_q = {tq} > @MAX_TQ@, the 16-bit integer temperature)")
        ids = encode(a.prompt)
    except ValueError as e:
        print(f"{p.prog}: error: {e}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    out.write(a.prompt.encode())
    out.flush()

    def emit(token):
        if token != EOT or a.show_eot:
            out.write(TOKENS[token])
            out.flush()

    try:
        generate(ids, a.max_tokens, tq, a.seed, not a.no_stop, emit)
        out.write(b"\n")
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away: stop quietly
    return 0

'''


def _section(title: str) -> str:
    return f"# -- {title} ".ljust(WIDTH - 1, "-")


def _unpack(names: list[str], rhs: str) -> list[str]:
    """``    a, b, c = rhs`` in lines of at most WIDTH columns (nothing for no names)."""
    if not names:
        return []
    if len(names) == 1:
        return [f"    {names[0]}, = {rhs}"]
    return _wrap("    (", names, f") = {rhs}")


def _step(m: Machine) -> list[str]:
    H, E = m.H, m.E
    out = ["", "",
           _section("the rules: one per state bit"),
           "def step(state, token):",
           '    """The state after reading `token` in `state` (an int whose bit i is s_i)."""',
           "    if token == EOT:",
           "        state = H0  # a story ends: the next one starts from the initial state"]
    out += _unpack([f"s{i}" for i in range(H)], "bits(state, H)")
    out += _unpack([f"e{j}" for j in range(E)], "bits(EMBEDDING[token], E)")
    out.append("    h = [0] * H")
    for i in range(H):
        out += bit_rule(m, i)
    out.append("    return pack(h)")
    return out


def _constants(m: Machine) -> list[str]:
    H, E, V = m.H, m.E, m.V
    tok = m.tokenizer
    out = ["", "",
           _section("the model's integers"),
           f"H, E, V = {H}, {E}, {V}  # state bits, embedding bits, tokens",
           f"EOT = {m.eot_id}  # the end-of-story token",
           f"LOGIT_SCALE = {float(m.logit_scale)!r}  # only converts --temperature to an integer",
           f"H0 = {_hex(_mask(m.h0), H)}  # the initial state, bit i = s_i",
           ""]
    out += _table("EMBEDDING", [_hex(_mask(row), E) for row in m.embedding],
                  "per token: its embedding bits, bit j = e_j")
    out.append("")
    R = m.R
    out += _table("READOUT", [f"({_hex(_mask(r > 0), H)}, {_hex(_mask(r < 0), H)})" for r in R],
                  "per token: (state bits voting for it, state bits voting against it)")
    out.append("")
    out += _table("OFFSETS", [str(int(c)) for c in m.c], "per token: added to its score")
    out.append("")
    out += _table("NOISE", [str(int(g)) for g in m.noise],
                  "Gumbel noise for 8 PRNG bits u: round(256*(-ln(-ln((u + 1/2) / 256))))",
                  per_line=16)
    out.append("")
    out += _table("TOKENS", [repr(t) for t in tok.token_bytes], "per token: its bytes")
    if tok.kind == "bpe":
        merges = _bpe_merges(tok)
        out.append("")
        out += _table("MERGES", [f"({a!r}, {b!r})" for a, b in merges],
                      "BPE merges by rank: earlier ones apply first")
        out += ["RANK = {pair: rank for rank, pair in enumerate(MERGES)}",
                "VOCAB = {piece: token for token, piece in enumerate(TOKENS) if token != EOT}"]
    return out


def decompile(m: Machine, name: str = "talker") -> str:
    """The source of one standalone Python 3.10+ program (standard library only) that writes
    exactly the bytes ``trnn generate`` writes for machine ``m`` and the same ``--prompt``,
    ``--max-tokens``, ``--temperature``, ``--seed``, ``--no-stop`` and ``--show-eot`` (its
    default ``--max-tokens`` is 200). ``name`` titles the program. Raises ``ValueError`` for
    an invalid machine or a BPE tokenizer configuration the encoder does not implement."""
    m.validate()
    tok = m.tokenizer
    if tok.kind == "bpe":
        _bpe_merges(tok)  # refuse unsupported tokenizers before writing anything
    tokdesc = {"bpe": "byte-level BPE", "bytes": "one per byte",
               "ids": "token ids only, no text encoder"}[tok.kind]
    encoder = {
        "bpe": "The prompt is encoded as GPT-2-style byte-level BPE: split into words (letters,\n"
               "    numbers, other symbols, white space; `pre_tokenize`), then each word's bytes\n"
               "    merged pairwise by rank (MERGES). Letters and numbers are told apart with\n"
               "    unicodedata, which matches the tokenizers library on every character\n"
               "    assigned in this Python's Unicode database; characters assigned only in a\n"
               "    newer Unicode version may be split differently.",
        "bytes": "The prompt is encoded as one token per UTF-8 byte.",
        "ids": "This model's vocabulary encodes no text: every prompt is refused.",
    }[tok.kind]
    subst = {"@NAME@": name, "@FP@": f"{m.fingerprint():08x}", "@CELL@": m.cell,
             "@H@": str(m.H), "@E@": str(m.E), "@V@": str(m.V), "@HM1@": str(m.H - 1),
             "@EM1@": str(max(m.E - 1, 0)), "@TOKDESC@": tokdesc, "@EOT@": str(m.eot_id),
             "@GATED@": _GATED_TEXT if m.cell == "gated" else "", "@ENCODER@": encoder,
             "@IMPORTS@": ("import re\nimport sys\nimport unicodedata" if tok.kind == "bpe"
                           else "import sys")}
    header = _HEADER
    for k, v in subst.items():
        header = header.replace(k, v)
    readout = _READOUT.replace("@SHIFT@", str(SCORE_SHIFT))
    main = (_MAIN.replace("@MAX_SEED@", str(MAX_SEED)).replace("@MAX_TQ@", str(MAX_TQ))
            .replace("@NOISE_SCALE@", str(2**NOISE_FRAC_BITS)))
    encode = {"bpe": _ENCODE_BPE, "bytes": _ENCODE_BYTES, "ids": _ENCODE_IDS}[tok.kind]
    parts = [header.rstrip("\n"), _RUNTIME.rstrip("\n"), "\n".join(_step(m)),
             readout.rstrip("\n"), encode.rstrip("\n"), main.rstrip("\n"),
             "\n".join(_constants(m)), "\n\nif __name__ == \"__main__\":\n    sys.exit(main())"]
    # the templates' section rules, drawn to one width
    return re.sub(r"(?m)^# -- (.*?) -+$", lambda mt: _section(mt[1]), "\n".join(parts) + "\n")


def write_program(m: Machine, path: str | Path, name: str = "talker") -> Path:
    """Write :func:`decompile`'s program to ``path`` atomically (a temporary file in the same
    directory, renamed over ``path``) with mode 0755, and return ``path``."""
    path = Path(path)
    text = decompile(m, name)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
