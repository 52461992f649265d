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

import builtins
import json
import keyword
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from trnn.model.machine import (MAX_SEED, MAX_TQ, NOISE_BITS, NOISE_FRAC_BITS, SCORE_SHIFT,
                                XORSHIFT, Machine, folded_bound, pack_bits)
from trnn.model.tokenizer import EOT_TEXT, Tokenizer, _byte_level_alphabet

from . import program_text as T

WIDTH = 100  # the generated program's line length

# names the program itself defines or uses: a bit name must not shadow them
_RESERVED = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | {
    "atleast", "keep_or", "bits", "pack", "scores", "xorshift32", "choose", "generate",
    "encode", "char_class", "pre_tokenize", "bpe", "nonneg_float", "pos_int", "main", "step",
    "state", "token", "h", "H", "E", "V", "EOT", "H0", "EMBEDDING", "READOUT", "OFFSETS",
    "NOISE", "TOKENS", "MERGES", "RANK", "VOCAB", "LOGIT_SCALE", "argparse", "re", "sys",
    "unicodedata", "cls", "CLASS"}

CLASS_LIMIT = 256  # token classes are written as one byte per token
CLASS_MODES = ("auto", "off", "features", "needs")  # how the rules read the token


class DecompileError(ValueError):
    """A machine the program cannot reproduce (a tokenizer configuration its encoder does not
    implement); one line."""


# -- rules ---------------------------------------------------------------------------------------
def _input_name(j: int, H: int, names: dict[int, str] | None = None) -> str:
    if j < H:
        return (names or {}).get(j, f"s{j}")
    return f"e{j - H}"


def gate_rule(w: np.ndarray, theta: int, H: int, names: dict[int, str] | None = None
              ) -> int | tuple[int, list[str]]:
    """One threshold gate ``Σ_j w[j]·x[j] ≥ theta`` over the inputs ``s0…s{H-1}, e0…``
    (column ``j`` of ``w``) as ``(k, literals)`` — true when at least ``k`` of the literals
    (``"s3"`` for weight +1, ``"not s9"`` for −1) are true — or as the int 0/1 when constant.

    ``k`` is the folded threshold (:func:`trnn.model.machine.folded_bound`); k ≤ 0 is always
    true, k > #literals never. ``names`` renames state bits (bit → identifier; others stay
    ``s<i>``)."""
    lits = [_input_name(j, H, names) if w[j] > 0 else f"not {_input_name(j, H, names)}"
            for j in np.flatnonzero(w)]
    k = int(folded_bound(w, theta))
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
    if len(g) == 4:  # ("by", class entries, default, literals): the need depends on the class
        _, entries, default, lits = g
        items = list(entries)
        items[0] = "{" + items[0]
        items[-1] += f"}}.get(cls, {default})"
        return "atleast(", ", ", items + list(lits), ")"
    k, lits = g
    if len(lits) == 1:
        return "", "", lits, ""
    if k == len(lits) or k == 1:
        return ("" if bare else "("), (" and " if k == len(lits) else " or "), lits, \
            ("" if bare else ")")
    return f"atleast({k}, ", ", ", lits, ")"


def token_classes(m: Machine) -> np.ndarray:
    """The class of each token, int64 [V]: tokens whose embedding rows are equal (so that
    every gate sees them alike) share a class; classes are numbered by their first token, so
    class 0 holds token 0."""
    _, first, inv = np.unique(m.embedding, axis=0, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))  # unique row → its rank by first token
    return rank[inv.ravel()].astype(np.int64)


def class_names(m: Machine, cls: np.ndarray) -> list[str]:
    """An identifier per class of :func:`token_classes`: ``K<c>_<slug>``, the slug of one of
    its tokens (:func:`trnn.logic.explain.token_slug`), preferring a token that reads as a
    word or punctuation, then a merged token (a lower id: an earlier, more frequent merge),
    then a single byte."""
    from .explain import token_slug

    out = []
    for c in range(int(cls.max()) + 1):
        def key(v):
            slug = token_slug(m, v)
            generic = slug == f"t{v}"
            return generic, len(m.tokenizer.token_bytes[v]) == 1, v
        best = min(np.flatnonzero(cls == c).tolist(), key=key)
        out.append(f"K{c}_{token_slug(m, best)}")
    return out


def class_needs(w: np.ndarray, theta: int, H: int, rows: np.ndarray) -> np.ndarray:
    """int64 [len(rows)]: how many true state literals gate ``Σ w·x ≥ theta`` needs for each
    embedding row of ``rows`` [N, E] (a token's or a class's) — the folded threshold minus the
    row's true embedding literals — clamped to 0 (always fires) … n + 1 (never), n the gate's
    state literals."""
    ws, we = w[:H], w[H:]
    x = (((rows == 1) & (we > 0)) | ((rows == 0) & (we < 0))).sum(axis=1)
    return np.clip(int(folded_bound(w, theta)) - x, 0, int(np.count_nonzero(ws)) + 1)


def _class_test(on: list[str], off: list[str]) -> tuple[str, list[str]]:
    """How the program tests ``cls`` for a set of classes: ``(operator, names)`` — ``==`` or
    ``in`` on the members ``on``, or ``!=`` / ``not in`` on the others ``off`` when those are
    fewer."""
    neg = len(off) < len(on)
    items = off if neg else on
    if len(items) == 1:
        return ("!=" if neg else "=="), items
    return ("not in" if neg else "in"), items


def class_gate(w: np.ndarray, theta: int, H: int, rows: np.ndarray, cnames: list[str],
               names: dict[int, str] | None = None):
    """One gate of a machine whose tokens fall into classes, over the state literals and the
    token's class ``cls``. ``rows`` [C, E] are the classes' embedding rows, ``cnames`` their
    identifiers; each class needs :func:`class_needs` true state literals. Returns, like
    :func:`gate_rule`, 0/1 or ``(k, literals)`` when every class needs the same;
    ``(1, ["cls in (A, B)"])`` when the gate reads no state bit; otherwise ``("by", ["A: 0",
    "B: 3"], default, literals)`` — the need of the classes listed, ``default`` (the most
    common need) for the others."""
    ws = w[:H]
    lits = [_input_name(j, H, names) if ws[j] > 0 else f"not {_input_name(j, H, names)}"
            for j in np.flatnonzero(ws)]
    n = len(lits)
    need = class_needs(w, theta, H, rows)
    if (need == need[0]).all():
        k1 = int(need[0])
        return 1 if k1 == 0 else 0 if k1 > n else (k1, lits)
    if n == 0:   # a pure token rule: the classes that fire it
        op, items = _class_test([cnames[c] for c in np.flatnonzero(need == 0)],
                                [cnames[c] for c in np.flatnonzero(need != 0)])
        return 1, [f"cls {op} {items[0]}" if len(items) == 1
                   else f"cls {op} ({', '.join(items)})"]
    values, counts = np.unique(need, return_counts=True)
    default = int(values[counts.argmax()])
    entries = [f"{cnames[c]}: {int(need[c])}" for c in np.flatnonzero(need != default)]
    return "by", entries, default, lits


def _negate(lit: str) -> str:
    """The negation of one literal as Python text."""
    for a, b in (("not ", ""), ("cls in ", "cls not in "), ("cls not in ", "cls in "),
                 ("cls == ", "cls != "), ("cls != ", "cls == ")):
        if lit.startswith(a):
            return b + lit[len(a):]
    return "not " + lit


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


def bit_rule(m: Machine, i: int, names: dict[int, str] | None = None,
             classes: tuple[np.ndarray, list[str]] | None = None) -> list[str]:
    """State bit ``i``'s rule in the decompiled ``step``: the statement ``h[i] = …`` (indented
    by four spaces, possibly over several lines, with a comment for the special cases).
    ``names`` renames state bits (bit → identifier); ``classes`` (the classes' embedding rows
    and names) writes the token side as token classes (:func:`class_gate`)."""
    H, lead = m.H, f"    h[{i}] = "
    si = _input_name(i, H, names)
    if classes is None:
        def rule(g):
            return gate_rule(m.W[g][i], m.theta[g][i], H, names)
    else:
        def rule(g):
            return class_gate(m.W[g][i], m.theta[g][i], H, classes[0], classes[1], names)
    cand = rule("cand")
    # (as an input such a bit can still be H0's bit, in the step that reads end-of-story)
    every_token = f"every token sets it to {cand}" if isinstance(cand, int) else None
    comment = None
    if m.cell == "threshold":
        lines, comment = _gate_lines(lead, cand, "", bare=True), every_token
    else:
        update = rule("update")
        if update == 0:
            lines, comment = [lead + str(int(m.h0[i]))], "constant: never updated, keeps H0's bit"
        elif update == 1:
            lines = _gate_lines(lead, cand, "", bare=True)
            comment = every_token or "updated on every token"
        elif cand == 1:
            lines, comment = _gate_lines(f"{lead}{si} or ", update, ""), "set when updated"
        elif cand == 0:
            comment = "cleared when updated"
            if len(update) == 2 and len(update[1]) == 1:  # one literal: its negation
                lines = [f"{lead}{si} and {_negate(update[1][0])}"]
            else:
                lines = _gate_lines(f"{lead}{si} and not ", update, "")
        else:
            one = f"{lead}keep_or({si}, update={gate_text(update)}, cand={gate_text(cand)})"
            if len(one) <= WIDTH:
                lines = [one]
            else:  # the old bit, the update rule and the candidate rule on lines of their own
                col = " " * len(lead + "keep_or(")
                lines = ([f"{lead}keep_or({si},"] + _gate_lines(col + "update=", update, ",")
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
        raise DecompileError("cannot decompile this BPE tokenizer: " + "; ".join(problems))
    alphabet = _byte_level_alphabet()
    merges = []
    for mg in model["merges"]:
        a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
        merges.append((bytes(alphabet[c] for c in a), bytes(alphabet[c] for c in b)))
    return merges


# -- the program ---------------------------------------------------------------------------------------

def _section(title: str) -> str:
    return f"# -- {title} ".ljust(WIDTH - 1, "-")


def _unpack(names: list[str], rhs: str) -> list[str]:
    """``    a, b, c = rhs`` in lines of at most WIDTH columns (nothing for no names)."""
    if not names:
        return []
    if len(names) == 1:
        return [f"    {names[0]}, = {rhs}"]
    return _wrap("    (", names, f") = {rhs}")


def _class_defs(m: Machine, cls: np.ndarray, cnames: list[str]) -> list[str]:
    """The token classes as named constants, each with its size and first tokens."""
    out = ["", "", _section("the token classes: all the rules see of a token"),
           f"# the {len(cnames)} classes of tokens that the rules tell apart (CLASS maps a token "
           "to its class)"]
    for c, nm in enumerate(cnames):
        members = np.flatnonzero(cls == c)
        head = f"{nm} = {c}  # {len(members)} token{'s' if len(members) > 1 else ''}: "
        shown = []
        for v in members:
            piece = repr(m.tokenizer.token_bytes[int(v)].decode("utf-8", "replace")) \
                if int(v) != m.eot_id else "EOT"
            if len(head) + len(", ".join(shown + [piece])) + 5 > WIDTH:
                shown.append("...")
                break
            shown.append(piece)
        out.append(head + ", ".join(shown))
    return out


def _features(m: Machine, rows: np.ndarray, cnames: list[str]) -> list[str]:
    """The embedding bits that some rule reads, each defined as the set of token classes whose
    row has it set: ``    e5 = cls in (K1_period, K3_comma)`` (the shorter of the set and its
    complement; a constant where every class agrees)."""
    read = np.zeros(m.E, dtype=bool)
    for g in m.gates:
        read |= (m.W[g][:, m.H:] != 0).any(axis=0)
    out = [f"    # the token's bits: each is a set of classes ({int(read.sum())} of the {m.E} "
           "bits are read)"]
    for j in np.flatnonzero(read):
        on = [cnames[c] for c in np.flatnonzero(rows[:, j])]
        off = [cnames[c] for c in np.flatnonzero(rows[:, j] == 0)]
        if not off or not on:
            out.append(f"    e{j} = {int(not off)}  # the same for every class")
            continue
        op, items = _class_test(on, off)
        if len(items) == 1:
            out.append(f"    e{j} = cls {op} {items[0]}")
        else:
            out += _wrap(f"    e{j} = cls {op} (", items, ")")
    return out


def _step(m: Machine, names: dict[int, str] | None = None,
          notes: dict[int, str] | None = None,
          classes: tuple[np.ndarray, list[str]] | None = None,
          features: bool = False) -> list[str]:
    H, E = m.H, m.E
    out = ["", "",
           _section("the rules: one per state bit")]
    if names:
        out.append(f"# {len(names)} of the {H} state bits have names: what they do on "
                   "validation text (trnn logic explain)")
        for i, nm in sorted(names.items()):
            out += _wrap(f"#   {nm} = s{i}: ", [(notes or {}).get(i, "")], "")
    out += ["def step(state, token):",
            '    """The state after reading `token` in `state` (an int whose bit i is s_i)."""',
            "    if token == EOT:",
            "        state = H0  # a story ends: the next one starts from the initial state"]
    out += _unpack([_input_name(i, H, names) for i in range(H)], "bits(state, H)")
    if classes is None:
        out += _unpack([f"e{j}" for j in range(E)], "bits(EMBEDDING[token], E)")
    else:
        out.append("    cls = CLASS[token]  # the token's class")
        if features:
            out += _features(m, *classes)
    out.append("    h = [0] * H")
    for i in range(H):
        out += bit_rule(m, i, names, None if features else classes)
    out.append("    return pack(h)")
    return out


def _constants(m: Machine, cls: np.ndarray | None = None) -> list[str]:
    H, E, V = m.H, m.E, m.V
    tok = m.tokenizer
    out = ["", "",
           _section("the model's integers"),
           f"H, E, V = {H}, {E}, {V}  # state bits, embedding bits, tokens",
           f"EOT = {m.eot_id}  # the end-of-story token",
           f"LOGIT_SCALE = {float(m.logit_scale)!r}  # only converts --temperature to an integer",
           f"H0 = {_hex(pack_bits(m.h0), H)}  # the initial state, bit i = s_i",
           ""]
    if cls is None:
        out += _table("EMBEDDING", [_hex(pack_bits(row), E) for row in m.embedding],
                      "per token: its embedding bits, bit j = e_j")
    else:
        digits = "".join(f"{int(c):02x}" for c in cls)
        per = (WIDTH - 8) // 2 * 2
        out += ["CLASS = bytes.fromhex(  # per token: its class, two hex digits each"]
        out += [f'    "{digits[a:a + per]}"' for a in range(0, len(digits), per)]
        out[-1] += ")"
    out.append("")
    out += _table("READOUT", [f"({_hex(plus, H)}, {_hex(minus, H)})"
                              for plus, minus in m.readout_masks()],
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


def uses_classes(m: Machine) -> bool:
    """Whether ``m`` was trained with token classes (``trnn train --token-classes``; its
    training configuration in the model file's meta says so)."""
    tc = m.meta.get("train_config") if isinstance(m.meta, dict) else None
    model = tc.get("model") if isinstance(tc, dict) else None
    return bool(isinstance(model, dict) and model.get("token_classes"))


def decompile(m: Machine, name: str = "talker", names: dict[int, str] | None = None,
              notes: dict[int, str] | None = None, classes: str = "auto") -> str:
    """The source of one standalone Python 3.10+ program (standard library only) that writes
    exactly the bytes ``trnn generate`` writes for machine ``m`` and the same ``--prompt``,
    ``--max-tokens``, ``--temperature``, ``--seed``, ``--no-stop`` and ``--show-eot`` (its
    default ``--max-tokens`` is 200). ``name`` titles the program. Raises
    :class:`~trnn.model.modelfile.ModelFileError` for an invalid machine and
    :class:`DecompileError` for a BPE tokenizer configuration the encoder does not
    implement. ``names`` gives some state bits identifiers (e.g. those of
    :func:`trnn.logic.explain.bit_names`) that the rules use instead of ``s<i>``, ``notes``
    one line on each; ``ValueError`` for a name that is not a fresh identifier.

    ``classes`` chooses how the rules read the token. ``"off"``: its embedding bits, from the
    ``EMBEDDING`` table. Otherwise the tokens with equal embedding rows form classes
    (:func:`token_classes`), named constants ``K<c>_<slug>`` with a ``CLASS`` table in place
    of the embedding table, and ``"features"`` defines each embedding bit a rule reads as a
    set of classes (the rules stay as they are), while ``"needs"`` writes every rule's token
    side as the number of true state literals each class needs (:func:`class_gate`; longer).
    ``"auto"`` is ``"features"`` for a model trained with token classes
    (:func:`uses_classes`), else ``"off"``. :class:`DecompileError` if the embedding has more
    than 256 distinct rows; ``ValueError`` for another ``classes``."""
    m.validate()
    for nm in (names or {}).values():
        if not nm.isidentifier() or nm in _RESERVED or re.fullmatch(r"[seh]\d+", nm):
            raise ValueError(f"bit name {nm!r} is not a usable identifier")
    if names and len(set(names.values())) != len(names):
        raise ValueError("bit names must be distinct")
    tok = m.tokenizer
    if tok.kind == "bpe":
        _bpe_merges(tok)  # refuse unsupported tokenizers before writing anything
    if classes not in CLASS_MODES:
        raise ValueError(f"classes must be one of {', '.join(CLASS_MODES)}, got {classes!r}")
    if classes == "auto":
        classes = "features" if uses_classes(m) else "off"
    cls = cnames = None
    if classes != "off":
        cls = token_classes(m)
        if cls.max() >= CLASS_LIMIT:
            raise DecompileError(f"{int(cls.max()) + 1} distinct embedding rows: more token "
                                 f"classes than the {CLASS_LIMIT} a program writes")
        cnames = class_names(m, cls)
        clash = set(cnames) & set((names or {}).values())
        if clash:
            raise ValueError(f"bit name {sorted(clash)[0]!r} is also a class name")
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
    # the inputs' text first: it holds fields of its own
    subst = {"@INPUTS@": {"off": T.EMBED_TEXT, "features": T.FEATURE_TEXT,
                          "needs": T.CLASS_TEXT}[classes].replace("@C@", str(len(cnames or ()))),
             "@NAME@": name, "@FP@": f"{m.fingerprint():08x}", "@CELL@": m.cell,
             "@H@": str(m.H), "@E@": str(m.E), "@V@": str(m.V), "@HM1@": str(m.H - 1),
             "@EM1@": str(max(m.E - 1, 0)), "@TOKDESC@": tokdesc, "@EOT@": str(m.eot_id),
             "@GATED@": T.GATED_TEXT if m.cell == "gated" else "", "@ENCODER@": encoder,
             "@IMPORTS@": ("import re\nimport sys\nimport unicodedata" if tok.kind == "bpe"
                           else "import sys")}
    header = T.HEADER
    for k, v in subst.items():
        header = header.replace(k, v)
    readout = T.READOUT
    # the spec's constants, so that the program's PRNG and key are the machine's
    for k, v in {"@SHIFT@": SCORE_SHIFT, "@NOISE_SHIFT@": 32 - NOISE_BITS,
                 "@NOISE_BITS@": NOISE_BITS, "@XS_A@": XORSHIFT[0], "@XS_B@": XORSHIFT[1],
                 "@XS_C@": XORSHIFT[2]}.items():
        readout = readout.replace(k, str(v))
    main = (T.MAIN.replace("@MAX_SEED@", str(MAX_SEED)).replace("@MAX_TQ@", str(MAX_TQ))
            .replace("@NOISE_SCALE@", str(2**NOISE_FRAC_BITS)))
    encode = {"bpe": T.ENCODE_BPE, "bytes": T.ENCODE_BYTES, "ids": T.ENCODE_IDS}[tok.kind]
    rows = None if cls is None else m.embedding[[int(np.flatnonzero(cls == c)[0])
                                                 for c in range(len(cnames))]]
    step = _step(m, names, notes, None if cls is None else (rows, cnames),
                 features=classes == "features")
    if cls is not None:
        step = _class_defs(m, cls, cnames) + step
    parts = [header.rstrip("\n"), T.RUNTIME.rstrip("\n"), "\n".join(step),
             readout.rstrip("\n"), encode.rstrip("\n"), main.rstrip("\n"),
             "\n".join(_constants(m, cls)), "\n\nif __name__ == \"__main__\":\n    sys.exit(main())"]
    # the templates' section rules, drawn to one width
    return re.sub(r"(?m)^# -- (.*?) -+$", lambda mt: _section(mt[1]), "\n".join(parts) + "\n")


def write_program(m: Machine, path: str | Path, name: str = "talker",
                  names: dict[int, str] | None = None, notes: dict[int, str] | None = None,
                  classes: str = "auto") -> Path:
    """Write :func:`decompile`'s program to ``path`` atomically (a temporary file in the same
    directory, renamed over ``path``) with mode 0755, and return ``path``."""
    path = Path(path)
    text = decompile(m, name, names, notes, classes)
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
