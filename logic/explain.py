"""Explain bits: what each state bit does on the validation text, as material for labelling.

For every state bit ``i`` :func:`explain` reads a :class:`~trnn.logic.trace.Trace` (one row per
step; a step reads ``h_before``, its input token, and yields ``h_after``) and counts:

- ``frac_set``: the fraction of steps after which the bit is 1 (``h_after[:, i]``);
- *turn-on* events (``h_before = 0``, ``h_after = 1``) and *turn-off* events (1 → 0), each
  triggered by the step's input token;
- the tokens most associated with each event, by count and by *lift*
  ``P(token | event) / P(token)`` (``P(token)`` over all steps); only tokens seen with the
  event at least ``min_count`` times are ranked by lift, so rare tokens do not dominate. With
  each token also ``precision = P(event | token, bit in the state the event leaves)`` — e.g.
  for turn-on, of the steps that read this token while the bit was 0, the share that set it;
- a *label score* per event: the best F1 over single tokens of "this token triggers the event"
  (precision as above, recall = share of the events that this token triggers); near 1 means
  the event is one token's doing, as for a bit that copies "the token was X";
- examples: for the top lift tokens, then spread over the trace, the ~40 characters of story
  text before the event, the triggering token between ``⟦ ⟧`` (``⟨EOT⟩`` for the opening
  end-of-story token);
- a *name* for a bit whose explanation is clear enough (:func:`bit_names`): the turn-on or
  turn-off event is predicted by "the token read is one of a set S" of at most
  :data:`NAME_TOKENS` tokens with an F1 of at least :data:`NAME_THRESHOLD` (S grown greedily
  by precision among tokens with ≥ ``min_count`` events, kept while F1 rises); the name says
  the event and the tokens, e.g. ``on_period_bang`` (turns on at ``.`` or ``!``);
- flags: ``constant`` (the same value after every step), ``never changes`` (no event at all:
  the bit stays ``h0``), ``rare`` (fewer than ``min_count`` events of either kind).

:func:`write_report` writes this as Markdown: a summary table (one row per bit, linked to its
section) with the top on/off tokens, the most label-like bits, then one section per bit. Story
text is escaped for Markdown (``\\``, backticks, ``* _ [ ] < > | ~ & #`` get a backslash;
newline shows as ``⏎``, carriage return as ``␍``, tab as ``⇥``) so that pipes and newlines
cannot break tables or lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trnn.model.machine import Machine

from .trace import Trace, token_text

#: a bit is named when one event is predicted by a set of at most NAME_TOKENS tokens with an
#: F1 of at least NAME_THRESHOLD (half the events explained at half precision or better)
NAME_THRESHOLD = 0.5
NAME_TOKENS = 4


@dataclass
class TokenAssoc:
    """One token's association with an event of one bit."""

    token: int
    count: int          # events triggered by this token
    lift: float         # P(token | event) / P(token)
    precision: float    # P(event | token, bit in the state the event leaves)


@dataclass
class Example:
    """One event: its trace row, story, position, token and text (context ⟦token⟧)."""

    row: int
    story: int
    pos: int
    token: int
    text: str


@dataclass
class BitStats:
    """What bit ``bit`` does on a trace (see the module docstring)."""

    bit: int
    h0: int
    steps: int
    frac_set: float
    n_on: int
    n_off: int
    constant: int | None
    never_changes: bool
    on_by_count: list[TokenAssoc] = field(default_factory=list)
    on_by_lift: list[TokenAssoc] = field(default_factory=list)
    off_by_count: list[TokenAssoc] = field(default_factory=list)
    off_by_lift: list[TokenAssoc] = field(default_factory=list)
    on_score: float = 0.0
    on_score_token: int | None = None
    off_score: float = 0.0
    off_score_token: int | None = None
    on_examples: list[Example] = field(default_factory=list)
    off_examples: list[Example] = field(default_factory=list)
    min_count: int = 5
    on_set: list[int] = field(default_factory=list)     # best token set for turn-on
    on_set_score: float = 0.0                            # its F1
    off_set: list[int] = field(default_factory=list)
    off_set_score: float = 0.0

    @property
    def name_event(self) -> tuple[str, list[int], float] | None:
        """``(event, tokens, F1)`` of the better token-set explanation if its F1 reaches
        :data:`NAME_THRESHOLD`, else None (the bit stays numbered)."""
        best = max((("on", self.on_set, self.on_set_score),
                    ("off", self.off_set, self.off_set_score)), key=lambda x: x[2])
        return best if best[1] and best[2] >= NAME_THRESHOLD else None

    @property
    def label_score(self) -> float:
        """The better of the two events' label scores."""
        return max(self.on_score, self.off_score)

    @property
    def flags(self) -> list[str]:
        """Short labels for what is special about this bit (constant, never read, ...), for the
        report."""
        out = []
        if self.constant is not None:
            out.append(f"constant {self.constant}")
        if self.never_changes:
            out.append("never changes")
        elif min(self.n_on, self.n_off) < self.min_count:
            out.append("rare")
        return out


def _assoc(ev_counts: np.ndarray, base_counts: np.ndarray, tok_counts: np.ndarray,
           n_ev: int, T: int, min_count: int, top: int
           ) -> tuple[list[TokenAssoc], list[TokenAssoc], float, int | None]:
    """Top tokens by count and by lift, and the best single-token F1, for one event."""
    if n_ev == 0:
        return [], [], 0.0, None
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(tok_counts > 0, (ev_counts / n_ev) / (tok_counts / T), 0.0)
        prec = np.where(base_counts > 0, ev_counts / np.maximum(base_counts, 1), 0.0)
    rec = ev_counts / n_ev
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-300), 0.0)

    def mk(v):
        return TokenAssoc(int(v), int(ev_counts[v]), float(lift[v]), float(prec[v]))
    seen = np.nonzero(ev_counts > 0)[0]
    by_count = sorted(seen, key=lambda v: (-ev_counts[v], -lift[v], v))[:top]
    ok = seen[ev_counts[seen] >= min_count]
    by_lift = sorted(ok, key=lambda v: (-lift[v], -ev_counts[v], v))[:top]
    best = None
    if ok.size:
        best = int(ok[np.argmax(f1[ok])])
    return ([mk(v) for v in by_count], [mk(v) for v in by_lift],
            float(f1[best]) if best is not None else 0.0, best)


def _best_set(ev_counts: np.ndarray, base_counts: np.ndarray, n_ev: int, min_count: int,
              k: int = NAME_TOKENS) -> tuple[list[int], float]:
    """The token set S (≤ ``k`` tokens, each with ≥ ``min_count`` events) whose "token ∈ S"
    best predicts the event, grown greedily by precision while F1 rises; ``(S, F1)``."""
    if n_ev == 0:
        return [], 0.0
    ok = np.nonzero(ev_counts >= min_count)[0]
    if ok.size == 0:
        return [], 0.0
    prec = ev_counts[ok] / np.maximum(base_counts[ok], 1)
    order = ok[np.lexsort((ok, -ev_counts[ok], -prec))]
    chosen, best, hits, base = [], 0.0, 0, 0
    for v in order[:64]:
        if len(chosen) == k:
            break
        h, b = hits + int(ev_counts[v]), base + int(base_counts[v])
        p, r = h / max(b, 1), h / n_ev
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 <= best:
            continue
        chosen, best, hits, base = chosen + [int(v)], f1, h, b
    return chosen, best


_PUNCT = {".": "period", ",": "comma", "!": "bang", "?": "question", '"': "quote",
          "'": "apos", ":": "colon", ";": "semicolon", "-": "dash", "\n": "newline",
          "(": "lparen", ")": "rparen"}


def token_slug(m: Machine, v: int) -> str:
    """A short identifier-safe word for token ``v``: an ASCII word as it is (its leading space
    dropped, case kept), punctuation by name (``."`` → ``period_quote``), ``eot`` for end of
    story, else ``t<id>``."""
    if v == m.eot_id:
        return "eot"
    text = token_text(m, v).strip(" ")
    if text == "\n":
        return "newline"
    if text and all(c.isascii() and c.isalnum() for c in text):
        return text
    if text and all(c in _PUNCT for c in text) and len(text) <= 2:
        return "_".join(_PUNCT[c] for c in text)
    return f"t{v}"


def bit_names(m: Machine, stats: list[BitStats]) -> dict[int, str]:
    """Names of the bits whose explanation is clear enough (:attr:`BitStats.name_event`):
    ``on_<tokens>`` or ``off_<tokens>``, made unique by a ``_<bit>`` suffix on a clash; bits
    without a name are left out. The names are Python identifiers."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for s in stats:
        ev = s.name_event
        if ev is None:
            continue
        event, toks, _ = ev
        parts: list[str] = []
        for v in toks[:2]:   # the two most precise tokens name it; the report lists all
            slug = token_slug(m, v)
            parts.append(slug if slug not in parts else f"t{v}")
        base = f"{event}_" + "_".join(parts)
        name = base if base not in used else f"{base}_{s.bit}"
        used.add(name)
        names[s.bit] = name
    return names


def name_note(m: Machine, s: BitStats) -> str:
    """One line on a named bit: its event, all the tokens of its set, the F1 and the steps
    it was measured on (empty for an unnamed bit)."""
    ev = s.name_event
    if ev is None:
        return ""
    toks = ", ".join(repr(token_text(m, v)) for v in ev[1])
    return f"turns {ev[0]} at {toks} (F1 {ev[2]:.2f} over {s.steps:,} steps)"


def _examples(rows: np.ndarray, trace: Trace, m: Machine, by_lift: list[TokenAssoc], n: int,
              chars: int) -> list[Example]:
    """Up to ``n`` events: first one for each top-lift token (earliest, in a story not used
    yet where possible), then events spread evenly over the rest of the trace."""
    if rows.size == 0 or n <= 0:
        return []
    picked: list[int] = []
    stories: set[int] = set()
    toks = trace.token[rows]
    for a in by_lift[:max(1, n // 2)]:
        cand = rows[toks == a.token]
        fresh = [r for r in cand if int(trace.story[r]) not in stories]
        r = int(fresh[0] if fresh else cand[0])
        if r not in picked:
            picked.append(r)
            stories.add(int(trace.story[r]))
    rest = [int(r) for r in rows[np.linspace(0, rows.size - 1, min(n, rows.size)).astype(int)]
            if int(r) not in picked]
    picked += rest[:n - len(picked)]
    return [Example(r, int(trace.story[r]), int(trace.pos[r]), int(trace.token[r]),
                    trace.context(r, m, chars)) for r in picked[:n]]


def explain(m: Machine, trace: Trace, top: int = 5, min_count: int = 5, examples: int = 4,
            chars: int = 40) -> list[BitStats]:
    """Statistics of every state bit of ``m`` on ``trace`` (a trace of ``m``), bit order.

    ``top`` tokens are listed per ranking, ``min_count`` events are needed for a token to be
    ranked by lift or scored, ``examples`` events are shown per kind with ``chars``
    characters of preceding text."""
    hb = trace.h_before.astype(bool)
    ha = trace.h_after.astype(bool)
    if ha.shape[1] != m.H:
        raise ValueError(f"trace has {ha.shape[1]} state bits, the machine {m.H}")
    T, V = len(trace), m.V
    tok = trace.token.astype(np.int64)
    tok_counts = np.bincount(tok, minlength=V)
    on = ~hb & ha
    off = hb & ~ha
    out = []
    for i in range(m.H):
        on_rows = np.nonzero(on[:, i])[0]
        off_rows = np.nonzero(off[:, i])[0]
        on_c = np.bincount(tok[on_rows], minlength=V)
        off_c = np.bincount(tok[off_rows], minlength=V)
        was0 = np.bincount(tok[~hb[:, i]], minlength=V)
        was1 = tok_counts - was0
        col = ha[:, i]
        n_set = int(col.sum())
        constant = 1 if n_set == T else 0 if n_set == 0 else None
        s = BitStats(bit=i, h0=int(m.h0[i]), steps=T, frac_set=n_set / T if T else 0.0,
                     n_on=int(on_rows.size), n_off=int(off_rows.size), constant=constant,
                     never_changes=on_rows.size == 0 and off_rows.size == 0,
                     min_count=min_count)
        s.on_by_count, s.on_by_lift, s.on_score, s.on_score_token = _assoc(
            on_c, was0, tok_counts, s.n_on, T, min_count, top)
        s.off_by_count, s.off_by_lift, s.off_score, s.off_score_token = _assoc(
            off_c, was1, tok_counts, s.n_off, T, min_count, top)
        s.on_set, s.on_set_score = _best_set(on_c, was0, s.n_on, min_count)
        s.off_set, s.off_set_score = _best_set(off_c, was1, s.n_off, min_count)
        s.on_examples = _examples(on_rows, trace, m, s.on_by_lift, examples, chars)
        s.off_examples = _examples(off_rows, trace, m, s.off_by_lift, examples, chars)
        out.append(s)
    return out


# -- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = set("\\`*_[]<>|~&#")


def md_escape(text: str) -> str:
    """``text`` safe inside a Markdown line or table cell (module docstring)."""
    for raw, shown in (("\r\n", "⏎"), ("\n", "⏎"), ("\r", "␍"), ("\t", "⇥")):
        text = text.replace(raw, shown)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def _tok(m: Machine, v: int) -> str:
    return "⟦" + md_escape(token_text(m, v)) + "⟧"


def _short(m: Machine, lst: list[TokenAssoc], k: int = 3) -> str:
    return ", ".join(f"{_tok(m, a.token)} {a.lift:.1f}×" for a in lst[:k]) or "–"


def _long(m: Machine, lst: list[TokenAssoc]) -> str:
    return "; ".join(f"{_tok(m, a.token)} n={a.count}, lift {a.lift:.1f}, "
                     f"P={a.precision:.2f}" for a in lst) or "–"


def write_report(m: Machine, stats: list[BitStats], path: str | Path,
                 title: str = "State bits", trace: Trace | None = None, best: int = 10) -> Path:
    """Write the Markdown report of ``stats`` (from :func:`explain`) to ``path``: summary
    table linked to one section per bit, then the ``best`` most label-like bits, then the
    sections. ``trace`` only adds its size to the header."""
    lines = [f"# {md_escape(title)}", ""]
    steps = stats[0].steps if stats else 0
    lines.append(f"Model: {m.cell} cell, H={m.H} state bits, E={m.E}, V={m.V}. "
                 + (f"Trace: {trace.n_stories} stories, " if trace is not None else "Trace: ")
                 + f"{steps} steps.")
    lines += ["",
              "*set*: share of steps after which the bit is 1. *on* / *off*: steps that turn "
              "it 0→1 / 1→0; the token that step reads triggers it. *lift* = P(token | event) "
              "/ P(token), ranked only for tokens with ≥ "
              f"{stats[0].min_count if stats else 0} events. *P* = share of the steps reading "
              "that token (with the bit in the state the event leaves) that do trigger it. "
              "*score*: best F1 of a single token as the trigger (1 = one token does it). "
              "Examples show the text before the event with the token in ⟦ ⟧.", ""]
    names = bit_names(m, stats)
    lines += [f"**Named bits: {len(names)} of {len(stats)}** (a set of at most {NAME_TOKENS} "
              f"tokens predicts the bit turning on or off with F1 ≥ {NAME_THRESHOLD}; the name "
              "is the event and its two most precise tokens).", ""]
    lines += ["## Summary", "",
              "| bit | name | set | on | off | score on/off | flags | top on-tokens (lift) "
              "| top off-tokens (lift) |",
              "|---:|---|---:|---:|---:|---:|---|---|---|"]
    for s in stats:
        lines.append(f"| [{s.bit}](#bit-{s.bit}) | {md_escape(names.get(s.bit, ''))} | "
                     f"{100 * s.frac_set:.1f}% | {s.n_on} | "
                     f"{s.n_off} | {s.on_score:.2f}/{s.off_score:.2f} | {', '.join(s.flags)} | "
                     f"{_short(m, s.on_by_lift)} | {_short(m, s.off_by_lift)} |")
    ranked = sorted(stats, key=lambda s: (-s.label_score, s.bit))[:best]
    lines += ["", "## Most label-like bits", ""]
    for s in ranked:
        if s.label_score <= 0:
            continue
        ev, tokv = (("on", s.on_score_token) if s.on_score >= s.off_score
                    else ("off", s.off_score_token))
        lines.append(f"- [bit {s.bit}](#bit-{s.bit}): turns {ev} at {_tok(m, tokv)} "
                     f"(score {s.label_score:.2f})")
    lines += ["", "## Bits", ""]
    for s in stats:
        title = f"bit {s.bit}" + (f" — {md_escape(names[s.bit])}" if s.bit in names else "")
        lines += [f'<a id="bit-{s.bit}"></a>', "", f"### {title}", "",
                  f"Set after {100 * s.frac_set:.1f}% of steps (h0 = {s.h0}); turns on "
                  f"{s.n_on}×, off {s.n_off}×" + (f"; **{', '.join(s.flags)}**" if s.flags
                                                 else "") + ".", ""]
        for kind in ("on", "off"):
            by_lift, by_count = getattr(s, f"{kind}_by_lift"), getattr(s, f"{kind}_by_count")
            score, stok = getattr(s, f"{kind}_score"), getattr(s, f"{kind}_score_token")
            exs = getattr(s, f"{kind}_examples")
            if not by_count:
                continue
            lines.append(f"- turn-{kind} tokens by lift: {_long(m, by_lift)}")
            lines.append(f"- turn-{kind} tokens by count: {_long(m, by_count)}")
            if stok is not None:
                lines.append(f"- turn-{kind} score {score:.2f} ({_tok(m, stok)})")
            tset, tscore = getattr(s, f"{kind}_set"), getattr(s, f"{kind}_set_score")
            if tset:
                lines.append(f"- turn-{kind} token set: {', '.join(_tok(m, v) for v in tset)} "
                             f"(F1 {tscore:.2f})")
            lines.append(f"- turn-{kind} examples:")
            for e in exs:
                lines.append(f"  - story {e.story} @ {e.pos}: {md_escape(e.text)}")
        lines.append("")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
