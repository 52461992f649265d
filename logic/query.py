"""Query with SAT: one step of the machine as CNF, and questions answered by a solver.

The encoding (:class:`StepCNF`) follows docs/machine.md §2–§4 literally:

* ``h[i]`` — the current state, free unless a question fixes it (so "any state" means any of
  the 2^H bit patterns, reachable or not — a superset of what the machine can visit);
* ``t[v]`` — the input token, one-hot (exactly one is true);
* ``e[k] ↔ OR{t[v] : embedding[v, k] = 1}``;
* ``x[i] ↔ (t[eot] ? h0[i] : h[i])`` — the reset on end of story;
* for each gate ``g`` and bit ``i``: ``g[i] ↔ Σ_j W[i,j]·x[j] ≥ θ[i]``, as two cardinality
  constraints on the folded literals (``x_j`` for weight +1, ``¬x_j`` for −1; bound
  ``θ + #neg``): ``g → atleast(bound)`` and ``¬g → atmost(bound − 1)`` (totalizer encoding, each
  clause guarded by the gate literal);
* ``h'[i] ↔ cand[i]`` (threshold cell) or ``h'[i] ↔ (update[i] ? cand[i] : x[i])`` (gated).

Which tokens the greedy readout can choose is asked in :mod:`trnn.logic.greedy`.

Every satisfying assignment is turned into a witness (state, token) that callers can re-check
with the golden engine; the tests do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SOLVER = "cadical153"


class QueryError(ValueError):
    """A question that does not fit the model (bit or token out of range, bad assignment)."""


@dataclass
class Answer:
    """One solver answer: ``sat`` (a witness exists) and, if so, the witness."""
    question: str
    sat: bool
    seconds: float
    state: np.ndarray | None = None      # h (uint8 [H])
    token: int | None = None
    next_state: np.ndarray | None = None


@dataclass
class TokenSet:
    """Tokens for which a question is satisfiable, with the time spent."""
    question: str
    tokens: list[int]
    seconds: float
    solves: int


@dataclass
class StepCNF:
    """CNF of one step of machine ``m`` (see the module docstring); build with
    :func:`encode_step`. ``h``, ``t``, ``e``, ``x``, ``h_next`` and ``gates[g]`` are lists of
    solver variables."""
    m: object
    clauses: list[list[int]]
    h: list[int]
    t: list[int]
    e: list[int]
    x: list[int]
    gates: dict[str, list[int]]
    h_next: list[int]
    top: int
    seconds: float
    _solver: object = field(default=None, repr=False)

    @property
    def n_vars(self) -> int:
        """The number of CNF variables."""
        return self.top

    def new_var(self) -> int:
        """A fresh variable number."""
        self.top += 1
        return self.top

    def solver(self):
        """An incremental solver holding the clauses (created once, reused)."""
        if self._solver is None:
            from pysat.solvers import Solver
            self._solver = Solver(name=SOLVER, bootstrap_with=self.clauses)
        return self._solver

    def close(self) -> None:
        """Free the incremental solver, if one was created."""
        if self._solver is not None:
            self._solver.delete()
            self._solver = None

    def witness(self, model) -> tuple[np.ndarray, int, np.ndarray]:
        """Decode a satisfying assignment: the state h uint8 [H], the token read, and the next
        state uint8 [H]."""
        pos = set(x for x in model if x > 0)
        h = np.array([int(v in pos) for v in self.h], dtype=np.uint8)
        tok = next(v for v, var in enumerate(self.t) if var in pos)
        hn = np.array([int(v in pos) for v in self.h_next], dtype=np.uint8)
        return h, tok, hn


def _card(lits: list[int], bound: int, kind: str, guard: int, top: int
          ) -> tuple[list[list[int]], int]:
    """Clauses of ``guard → (Σ lits ≥ bound)`` (kind "atleast") or ``guard → (Σ lits ≤ bound)``
    ("atmost"); ``guard`` is a literal. Returns the clauses and the new top variable."""
    from pysat.card import CardEnc, EncType

    n = len(lits)
    if kind == "atleast":
        if bound <= 0:
            return [], top
        if bound > n:
            return [[-guard]], top
        enc = CardEnc.atleast(lits, bound=bound, top_id=top, encoding=EncType.totalizer)
    else:
        if bound >= n:
            return [], top
        if bound < 0:
            return [[-guard]], top
        enc = CardEnc.atmost(lits, bound=bound, top_id=top, encoding=EncType.totalizer)
    return [[-guard, *c] for c in enc.clauses], max(top, enc.nv)


def encode_step(m) -> StepCNF:
    """The CNF of one step of machine ``m`` (a :class:`~trnn.model.machine.Machine`)."""
    from pysat.card import CardEnc, EncType

    t0 = time.time()
    H, E, V = m.H, m.E, m.V
    top = 0

    def fresh(n):
        nonlocal top
        out = list(range(top + 1, top + n + 1))
        top += n
        return out
    h, t, e, x = fresh(H), fresh(V), fresh(E), fresh(H)
    clauses: list[list[int]] = []
    one = CardEnc.equals(t, bound=1, top_id=top, encoding=EncType.seqcounter)
    clauses += one.clauses
    top = max(top, one.nv)
    for k in range(E):
        on = [t[v] for v in range(V) if m.embedding[v, k]]
        clauses.append([-e[k], *on])
        clauses += [[e[k], -tv] for tv in on]
    te = t[m.eot_id]
    for i in range(H):
        if m.h0[i]:           # x = eot ∨ h
            clauses += [[-x[i], te, h[i]], [x[i], -te], [x[i], -h[i]]]
        else:                 # x = ¬eot ∧ h
            clauses += [[-x[i], -te], [-x[i], h[i]], [x[i], te, -h[i]]]
    inputs = x + e
    gates = {}
    for g in m.gates:
        gates[g] = fresh(H)
        bounds = m.folded_bounds(g)
        for i in range(H):
            w = m.W[g][i]
            lits = [inputs[j] if w[j] > 0 else -inputs[j] for j in np.flatnonzero(w)]
            bound = int(bounds[i])
            cl, top = _card(lits, bound, "atleast", gates[g][i], top)
            clauses += cl
            cl, top = _card(lits, bound - 1, "atmost", -gates[g][i], top)
            clauses += cl
    hn = fresh(H)
    for i in range(H):
        c = gates["cand"][i]
        if m.cell == "threshold":
            clauses += [[-hn[i], c], [hn[i], -c]]
        else:
            u = gates["update"][i]
            clauses += [[-u, -hn[i], c], [-u, hn[i], -c], [u, -hn[i], x[i]], [u, hn[i], -x[i]]]
    return StepCNF(m, clauses, h, t, e, x, gates, hn, top, time.time() - t0)


def _solve(cnf: StepCNF, assumptions: list[int], question: str) -> Answer:
    s = cnf.solver()
    t0 = time.time()
    sat = s.solve(assumptions=assumptions)
    dt = time.time() - t0
    if not sat:
        return Answer(question, False, dt)
    h, tok, hn = cnf.witness(s.get_model())
    return Answer(question, True, dt, h, tok, hn)


def token_repr(m, v: int) -> str:
    """Token ``v``'s bytes as a quoted Python string, for answers printed on one line."""
    return repr(m.tokenizer.token_bytes[v].decode("utf-8", "replace"))


def _check_bit(m, i: int) -> None:
    if not 0 <= i < m.H:
        raise QueryError(f"state bit {i} out of range (the model has {m.H} bits: 0..{m.H - 1})")


def parse_assignment(m, text: str | None) -> dict[int, int]:
    """``"3=1,7=0"`` → ``{3: 1, 7: 0}`` (state bit → value)."""
    out: dict[int, int] = {}
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        try:
            k, v = part.split("=")
            k, v = int(k), int(v)
        except ValueError:
            raise QueryError(f"bad state assignment {part!r}; write BIT=VALUE, e.g. 3=1,7=0") \
                from None
        _check_bit(m, k)
        if v not in (0, 1):
            raise QueryError(f"bit {k} must be set to 0 or 1, not {v}")
        out[k] = v
    return out


def _assumptions(cnf: StepCNF, i: int, value: int, given: dict[int, int] | None,
                 from_value: int | None) -> list[int]:
    """Solver assumptions: ``h'[i] = value``, the ``given`` state bits, ``h[i] = from_value``."""
    _check_bit(cnf.m, i)
    a = [cnf.h_next[i] if value else -cnf.h_next[i]]
    a += [cnf.h[k] if v else -cnf.h[k] for k, v in (given or {}).items()]
    if from_value is not None:
        a.append(cnf.h[i] if from_value else -cnf.h[i])
    return a


def can_become(cnf: StepCNF, i: int, value: int, given: dict[int, int] | None = None,
               from_value: int | None = None) -> Answer:
    """Is there a state (consistent with ``given``; with ``h[i] = from_value`` if set) and a
    token after which state bit ``i`` is ``value``?"""
    a = _assumptions(cnf, i, value, given, from_value)
    q = f"h'[{i}] = {value}" + (f" from h[{i}] = {from_value}" if from_value is not None else "")
    return _solve(cnf, a, q)


def all_bits(cnf: StepCNF) -> dict[str, list[int]]:
    """For every state bit, both values: the bits that can never become 1, never 0, never turn
    on (0 → 1) and never turn off (1 → 0), from any state under any token."""
    out = {"never 1": [], "never 0": [], "never turns on": [], "never turns off": []}
    for i in range(cnf.m.H):
        for key, val, frm in (("never 1", 1, None), ("never 0", 0, None),
                              ("never turns on", 1, 0), ("never turns off", 0, 1)):
            if not can_become(cnf, i, val, from_value=frm).sat:
                out[key].append(i)
    return out


def tokens_setting(cnf: StepCNF, i: int, value: int = 1, given: dict[int, int] | None = None,
                   from_value: int | None = None, always: bool = False) -> TokenSet:
    """The tokens ``v`` for which some state consistent with ``given`` (and ``h[i] =
    from_value`` if set) leads to ``h'[i] = value`` — or, with ``always``, for which *every*
    such state does (no state gives the other value: a proof that the token forces the bit).
    One incremental solve per token."""
    base = _assumptions(cnf, i, value if not always else 1 - value, given, from_value)
    s = cnf.solver()
    t0 = time.time()
    toks = [v for v in range(cnf.m.V) if s.solve(assumptions=base + [cnf.t[v]]) != always]
    q = f"tokens {'forcing' if always else 'giving'} h'[{i}] = {value}"
    return TokenSet(q, toks, time.time() - t0, cnf.m.V)
