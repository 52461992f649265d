"""Questions over the *reachable* states: model checking of the state register and its logic.

:mod:`trnn.logic.query` asks one step "from any state" — any of the 2^H bit patterns, almost
all of which the machine never visits. Here the question is asked of the sequential machine
itself: the H-bit state register starting at ``h0``, the next-state logic of docs/machine.md §2
(the same :func:`trnn.hdl.step.step_logic` the hardware uses, with the end-of-story reset in
front) and a free token input each clock. A *property* is a "bad" signal that a question
turns on when its event happens; it is **proved** when no sequence of tokens from ``h0`` ever
turns it on, over all lengths.

Questions (:class:`Question`):

* ``BitAfter(i, u, value)`` — can state bit ``i`` be ``value`` right after token ``u`` is
  read? A one-bit monitor register remembers whether the last token read was ``u``;
* ``BitEver(i, value)`` — can state bit ``i`` ever be ``value`` (``h0`` included)?
* ``Greedy(t)`` — can token ``t`` be the greedy choice of some reachable state? The readout's
  comparisons (every other token's score against ``t``'s) are built into the design.

The design is built in Amaranth, made into an and-inverter graph by Yosys and checked by ABC
inside the YoWASP Yosys (``abc -dff``): ``pdr`` (property-directed reachability, IC3; Bradley
2011, Een–Mishchenko–Brayton 2011) for an unbounded proof or a counterexample, ``bmc3``
(bounded model checking, Biere et al. 1999) for a counterexample up to a depth. ABC reports
through ``write_status``: ``UNSAT`` (the bad signal is never on: *proved*), ``SAT`` (it is
on after some token sequence: *reachable*) or undecided within the time limit. Registers
start at zero in AIGER, so the design keeps ``h ⊕ h0`` in its state register.

Tokens ≥ V (the token input has ⌈log₂ V⌉ bits) change nothing: they stutter, which adds no
state. Every question's design has the same state register; only the monitor and the bad
signal differ.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..boards.synth import run_yosys
from ..hdl.step import step_logic
from ..model.machine import pack_bits
from .greedy import greedy_comparisons
from .query import QueryError
from .simplify import yosys_command

METHODS = ("pdr", "bmc")


class ReachError(QueryError):
    """A question that does not fit the model (bit or token out of range, bad value)."""


@dataclass(frozen=True)
class BitAfter:
    """Can state bit ``bit`` be ``value`` right after token ``token`` is read (and, if
    ``before`` is set, right after the two tokens ``before``, ``token``)?"""
    bit: int
    token: int
    value: int = 1
    before: int | None = None

    def text(self, m) -> str:
        from .query import token_repr
        what = f"{token_repr(m, self.token)} ({self.token})"
        if self.before is not None:
            what = f"{token_repr(m, self.before)} ({self.before}) then " + what
        return f"h[{self.bit}] = {self.value} after {what}"


@dataclass(frozen=True)
class BitEver:
    """Can state bit ``bit`` ever be ``value`` (in ``h0`` or after any tokens)?"""
    bit: int
    value: int = 1

    def text(self, m) -> str:
        return f"h[{self.bit}] = {self.value} ever"


@dataclass(frozen=True)
class Greedy:
    """Can token ``token`` be the greedy choice (docs/machine.md §4: the highest score, the
    lowest id among equal scores) of some reachable state, ``h0`` included?"""
    token: int

    def text(self, m) -> str:
        from .query import token_repr
        return f"{token_repr(m, self.token)} ({self.token}) greedy"


Question = BitAfter | BitEver | Greedy


def check_question(m, q: Question) -> None:
    """:class:`ReachError` unless ``q`` fits machine ``m``."""
    if isinstance(q, Greedy):
        if not 0 <= q.token < m.V:
            raise ReachError(f"token {q.token} out of range (the model has {m.V}: "
                             f"0..{m.V - 1})")
        return
    if not 0 <= q.bit < m.H:
        raise ReachError(f"state bit {q.bit} out of range (the model has {m.H}: 0..{m.H - 1})")
    if q.value not in (0, 1):
        raise ReachError(f"a bit's value is 0 or 1, not {q.value}")
    if isinstance(q, BitAfter):
        for t in (q.token, q.before):
            if t is not None and not 0 <= t < m.V:
                raise ReachError(f"token {t} out of range (the model has {m.V}: 0..{m.V - 1})")


class ReachDesign(wiring.Component):
    """The machine as a Moore machine with one bad output per question.

    Ports: ``token`` In(⌈log₂ V⌉) — the token read this clock (≥ V: ignored); ``bad``
    Out(len(questions)) — bit k is on while question k's event holds in the current state.
    The state register holds ``h ⊕ h0`` (zero at start). The questions must fit ``m``
    (:func:`check_question`)."""

    def __init__(self, m, questions: list[Question], adder: str = "csa"):
        self.m, self.questions, self.adder = m, list(questions), adder
        super().__init__({"token": In(max(1, (m.V - 1).bit_length())),
                          "bad": Out(len(self.questions))})

    def elaborate(self, platform):
        m, mod = self.m, Module()
        h0 = Const(pack_bits(m.h0), m.H)
        q = Signal(m.H, reset_less=True)           # h ⊕ h0
        h = q ^ h0
        valid = self.token < m.V
        x = Mux(self.token == m.eot_id, h0, h)     # docs/machine.md §2 step 1
        e = Signal(m.E)
        with mod.Switch(self.token):
            for v in range(m.V):
                with mod.Case(v):
                    mod.d.comb += e.eq(pack_bits(m.embedding[v]))
        h_next = step_logic(mod, m, x, e, self.adder)
        with mod.If(valid):
            mod.d.sync += q.eq(h_next ^ h0)
        for k, qu in enumerate(self.questions):
            if isinstance(qu, Greedy):
                mod.d.comb += self.bad[k].eq(_greedy(mod, m, h, qu.token, self.adder))
                continue
            hit = h[qu.bit] if qu.value else ~h[qu.bit]
            if isinstance(qu, BitAfter):
                seen = Signal(reset_less=True, name=f"after_{k}")   # last token read was u
                match = self.token == qu.token
                if qu.before is not None:   # … and the one before it was `before`
                    prev = Signal(reset_less=True, name=f"before_{k}")
                    with mod.If(valid):
                        mod.d.sync += prev.eq(self.token == qu.before)
                    match = match & prev
                with mod.If(valid):
                    mod.d.sync += seen.eq(match)
                hit = hit & seen
            mod.d.comb += self.bad[k].eq(hit)
        return mod


def never_in_any_state(m, q: Question) -> bool:
    """Whether ``q`` cannot happen in any state at all, by counting alone: a token that some
    other token outscores or ties with precedence whatever the state (``d·h`` is at most
    the sum of the positive ``d``). Such a question is decided without a solver."""
    if not isinstance(q, Greedy):
        return False
    return any(int(d[d > 0].sum()) < theta for _, d, theta in greedy_comparisons(m, q.token))


def _greedy(mod, m, h, tok: int, adder: str):
    """1 when token ``tok`` is the greedy choice of state ``h``: for every other token ``v``,
    ``score[tok] − score[v] = d·h + c[tok] − c[v]`` with ``d = R[tok] − R[v]`` in {−2…2} is
    ≥ 1 for ``v < tok`` (ties go to the lowest id) and ≥ 0 for ``v > tok``. A weight ±2 is
    two ternary weights on two copies of the bit, so each comparison is one
    :func:`trnn.hdl.popcount.threshold`."""
    from ..hdl.popcount import threshold
    from ..model.machine import folded_bound

    x = Cat(h, h)
    wins = []
    for _v, d, theta in greedy_comparisons(m, tok):
        w = np.concatenate([np.sign(d) * (np.abs(d) >= 1), np.sign(d) * (np.abs(d) == 2)])
        win = threshold(mod, x, w, int(folded_bound(w, theta)), adder)
        if isinstance(win, Const) and win.value == 0:
            return Const(0, 1)   # some token always beats it
        wins.append(win)
    return Cat(*wins).all() if wins else Const(1, 1)


@dataclass
class ReachAnswer:
    """One question's answer. ``status``: ``"proved"`` (never happens, over all token
    sequences from ``h0``: ``pdr``'s unbounded proof), ``"reachable"`` (happens after some
    token sequence), ``"bounded"`` (``bmc``: no counterexample within ``frames`` tokens or
    the time limit — no proof) or
    ``"unknown"`` (undecided within the time limit); ``method`` ``pdr`` or ``bmc``, or
    ``count`` for a question decided without a solver (:func:`never_in_any_state`);
    ``seconds``: wall clock of the check (Yosys's preparation excluded)."""
    question: str
    status: str
    method: str
    seconds: float
    frames: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _parse_status(text: str, method: str) -> str:
    """ABC's ``write_status`` file → the answer's status. For ``bmc`` no counterexample is
    ``"bounded"`` (none within the frames or the time checked), never a proof."""
    words = text.split()
    kind = words[0] if words else ""
    if kind == "snl_SAT":
        return "reachable"
    if method == "bmc":
        return "bounded"
    return "proved" if kind == "snl_UNSAT" else "unknown"


def _abc_command(method: str, timeout: float, frames: int) -> str:
    if method == "pdr":
        return f"pdr,-T,{max(1, int(timeout))}"
    if method == "bmc":
        return f"bmc3,-F,{frames},-T,{max(1, int(timeout))}"
    raise ReachError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def check(m, questions: list[Question], method: str = "pdr", timeout: float = 60.0,
          frames: int = 50, workdir: Path | None = None, progress=None) -> list[ReachAnswer]:
    """Answer every question over the states reachable from ``h0`` (see the module
    docstring). ``method``: ``"pdr"`` (unbounded; ``timeout`` seconds per question) or
    ``"bmc"`` (counterexamples up to ``frames`` tokens). ``progress(k, answer)`` is called
    for each question once the one Yosys run that checks them all has ended. Raises
    :class:`ReachError` for a question that does not fit and
    :class:`trnn.boards.build.BuildError` when Yosys fails."""
    from amaranth.back import rtlil

    cmd = _abc_command(method, timeout, frames)
    for q in questions:   # before any design exists
        check_question(m, q)
    # questions the counting alone decides never reach the solver (their bad output would be
    # a constant that Yosys removes): proved, over every state and so over the reachable ones
    never = [never_in_any_state(m, q) for q in questions]
    if any(never):
        rest = [q for q, nv in zip(questions, never) if not nv]
        solved = iter(check(m, rest, method, timeout, frames, workdir) if rest else [])
        answers = []
        for k, (q, nv) in enumerate(zip(questions, never)):
            ans = ReachAnswer(q.text(m), "proved", "count", 0.0) if nv else next(solved)
            answers.append(ans)
            if progress:
                progress(k, ans)
        return answers
    own = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="trnn-reach-")) if own else Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    try:
        (wd / "design.il").write_text(rtlil.convert(ReachDesign(m, questions), name="top"))
        # one Yosys run: prepare once, then per question keep only its bad output and let ABC
        # check it; each question's status file is written when its check ends, so the files'
        # times give the solver time of each (YoWASP's in-process ABC silences the console)
        script = ["read_rtlil design.il", "hierarchy -top top", "proc", "flatten", "opt", "memory_map", "opt",
                  "techmap", "opt -fast", "dfflegalize -cell $_DFF_P_ 01", "aigmap", "opt_clean",
                  "splitnets -ports -format _", "design -save base",
                  "tee -q -o prepared.txt stat"]
        for k in range(len(questions)):
            (wd / f"status_{k}.txt").unlink(missing_ok=True)
            script += ["design -load base"]
            if len(questions) > 1:
                script += [f"delete -port top/w:bad_* top/w:bad_{k} %d", "opt_clean"]
            # Yosys's optimisations may move inverters through registers (init 1); AIGER with
            # -zinit makes every register start at 0 again, which is what ABC assumes
            script += [f"write_aiger -ascii -zinit q_{k}.aag", "design -reset",
                       f"read_aiger -clk_name clk q_{k}.aag",
                       f"abc -dff -script +strash;{cmd};write_status,status_{k}.txt"]
        t0 = time.time()
        run_yosys(yosys_command(), "; ".join(script), wd)
        answers = []
        last = (wd / "prepared.txt").stat().st_mtime if (wd / "prepared.txt").exists() else t0
        for k, q in enumerate(questions):
            f = wd / f"status_{k}.txt"
            st = _parse_status(f.read_text() if f.exists() else "", method)
            done = f.stat().st_mtime if f.exists() else last
            ans = ReachAnswer(q.text(m), st, method, round(max(0.0, done - last), 2),
                              frames if st == "bounded" else None)
            last = done
            answers.append(ans)
            if progress:
                progress(k, ans)
    finally:
        if own:
            shutil.rmtree(wd, ignore_errors=True)
    return answers


# -- a survey: where "from any state" and "from h0" disagree ---------------------------------------
@dataclass
class SurveyRow:
    """One question of a survey: its one-step answer (``one_step_sat``: some state of all
    2^H and token ``u`` give the value) and, where that is satisfiable, the reachable one."""
    bit: int
    token: int
    value: int
    text: str
    one_step_sat: bool
    one_step_seconds: float
    reach: ReachAnswer | None = None
    before: int | None = None
    two_step_sat: bool | None = None   # bigrams: reading b then u from any state gives it

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reach"] = self.reach.to_dict() if self.reach else None
        return d


@dataclass
class Survey:
    """:func:`survey`'s result: the questions asked and what each method said."""
    tokens: list[tuple[int | None, int]]
    rows: list[SurveyRow]
    trace_steps: int
    seconds: float

    def counts(self) -> dict[str, int]:
        """How many questions: ``one-step UNSAT`` (proved from any state), and of the rest
        (one-step SAT) how many were ``proved``, ``reachable``, ``unknown`` from h0."""
        out = {"questions": len(self.rows), "one-step UNSAT": 0, "proved": 0, "reachable": 0,
               "unknown": 0, "bounded": 0, "two-step UNSAT": 0,
               "proved, two-step SAT": 0}
        for r in self.rows:
            if not r.one_step_sat:
                out["one-step UNSAT"] += 1
            elif r.reach:
                out[r.reach.status] += 1
            if r.two_step_sat is False:
                out["two-step UNSAT"] += 1
            if r.two_step_sat and r.reach and r.reach.status == "proved":
                out["proved, two-step SAT"] += 1
        return out

    def to_dict(self) -> dict:
        return {"tokens": self.tokens, "trace_steps": self.trace_steps,
                "seconds": round(self.seconds, 1), "counts": self.counts(),
                "rows": [r.to_dict() for r in self.rows]}

    def format(self, m) -> str:
        """A short text report: the counts, then the questions only the reachable-state
        check proves."""
        c = self.counts()
        solved = [r for r in self.rows if r.reach]
        secs = [r.reach.seconds for r in solved]
        pairs = any(b is not None for b, _ in self.tokens)
        ctx = "tokens b then u" if pairs else "token u"
        lines = [f"questions: 'can bit i be v right after {ctx}', for the {len(self.tokens)} "
                 f"most frequent {'pairs' if pairs else 'tokens'}, where {self.trace_steps:,} "
                 f"steps of text never show it: {c['questions']}",
                 f"  from any state (one step reading u, SAT): impossible for "
                 f"{c['one-step UNSAT']}, "
                 f"possible for {c['questions'] - c['one-step UNSAT']}",
                 f"  of those, from h0 (reachable states, {solved[0].reach.method if solved else 'pdr'}): "
                 f"proved impossible {c['proved']}, reachable {c['reachable']}, undecided "
                 f"{c['unknown'] + c['bounded']}"
                 + (f"  [{sum(secs):.1f} s; per question median {sorted(secs)[len(secs) // 2]:.2f} s, "
                    f"max {max(secs):.2f} s]" if secs else "")]
        if pairs:
            lines.append(f"  two steps (b then u) from any state: impossible for "
                         f"{c['two-step UNSAT']} of the one-step-possible ones; proved from h0 "
                         f"although two steps from any state say possible: "
                         f"{c['proved, two-step SAT']}")
        proved = [r for r in solved if r.reach.status == "proved"]
        if proved:
            lines.append("proved only over the reachable states (one step from any state says "
                         "possible):")
            lines += [f"  {r.text}  [{r.reach.seconds:.2f} s]"
                      + ("" if r.two_step_sat is None else
                         "  (two steps from any state: "
                         + ("possible)" if r.two_step_sat else "impossible)"))
                      for r in proved[:40]]
            if len(proved) > 40:
                lines.append(f"  … {len(proved) - 40} more")
        return "\n".join(lines)


def one_step_possible(cnf, q: BitAfter) -> bool:
    """The one-step answer to ``q`` without its ``before`` token: is there a state (any of
    the 2^H) from which reading ``q.token`` gives bit ``q.bit`` the value ``q.value``?
    ``cnf``: :func:`trnn.logic.query.encode_step` of the machine."""
    goal = cnf.h_next[q.bit] if q.value else -cnf.h_next[q.bit]
    return bool(cnf.solver().solve(assumptions=[goal, cnf.t[q.token]]))


def _two_steps(cnf):
    """A solver over two chained copies of ``cnf``'s step (the second reads the first's next
    state) and a map from the first copy's variables to the second's."""
    from pysat.solvers import Solver

    from .query import SOLVER
    top = cnf.top
    shift = lambda lit: lit + top if lit > 0 else lit - top
    s = Solver(name=SOLVER, bootstrap_with=cnf.clauses)
    for c in cnf.clauses:
        s.add_clause([shift(x) for x in c])
    for a, b in zip(cnf.h_next, cnf.h):       # h of step 2 = h' of step 1
        s.add_clause([-a, shift(b)])
        s.add_clause([a, -shift(b)])
    return s, shift


def survey(m, trace, tokens: int = 8, method: str = "pdr", timeout: float = 60.0,
           frames: int = 50, progress=None, bigrams: bool = False) -> Survey:
    """Compare one-step and reachable answers where it matters: for the ``tokens`` most
    frequent input tokens ``u`` of ``trace`` and every state bit ``i`` and value ``v`` that
    the trace *never* shows right after ``u``, ask "can bit i be v right after u" from any
    state (one SAT call, :mod:`trnn.logic.query`) and, where that is possible, over the
    states reachable from h0 (:func:`check`). With ``bigrams`` the contexts are the
    ``tokens`` most frequent pairs of consecutive tokens ``(b, u)`` instead: "can bit i be v
    right after b then u"; the one-step question is still about ``u`` from any state."""
    from .query import encode_step
    t0 = time.time()
    prev = np.concatenate([[-1], trace.token[:-1]]).astype(np.int64)
    prev[trace.starts[:-1]] = -1          # an opening EOT has no token before it
    if bigrams:
        ok = prev >= 0
        pairs = prev[ok] * m.V + trace.token[ok].astype(np.int64)
        counts = np.bincount(pairs)
        top = [(int(k // m.V), int(k % m.V)) for k in np.argsort(-counts, kind="stable")[:tokens]
               if counts[k] > 0]
    else:
        counts = np.bincount(trace.token, minlength=m.V)
        top = [(None, int(v)) for v in np.argsort(-counts, kind="stable")[:tokens]
               if counts[v] > 0]
    cnf = encode_step(m)
    s2, shift = _two_steps(cnf) if bigrams else (None, None)
    rows = []
    for b, u in top:
        sel = trace.token == u
        if b is not None:
            sel &= prev == b
        after = trace.h_after[sel]
        seen = {1: after.any(axis=0), 0: (after == 0).any(axis=0)}
        for i in range(m.H):
            for v in (1, 0):
                if seen[v][i]:
                    continue
                q = BitAfter(i, u, v, b)
                t1 = time.time()
                sat = one_step_possible(cnf, q)
                row = SurveyRow(i, u, v, q.text(m), sat, round(time.time() - t1, 3),
                                before=b)
                if s2 is not None and sat:
                    goal = shift(cnf.h_next[i]) if v else -shift(cnf.h_next[i])
                    row.two_step_sat = bool(s2.solve(assumptions=[cnf.t[b], shift(cnf.t[u]),
                                                                  goal]))
                rows.append(row)
    cnf.close()
    if s2 is not None:
        s2.delete()
    ask = [r for r in rows if r.one_step_sat]
    if ask:
        answers = check(m, [BitAfter(r.bit, r.token, r.value, r.before) for r in ask], method,
                        timeout, frames, progress=progress)
        for r, a in zip(ask, answers):
            r.reach = a
    return Survey(top, rows, len(trace), time.time() - t0)
