"""Popcount and threshold logic for constant ternary weights: two adder structures.

A ternary weighted sum ``Σ_j w_j·x_j`` with w ∈ {−1, 0, +1} is folded into one unsigned
popcount: for w = −1, ``−x = (1 − x) − 1``, so

    Σ w·x  =  popcount({x_j : w_j = +1} ∪ {¬x_j : w_j = −1})  −  #{w_j = −1}

and ``Σ w·x ≥ θ`` becomes ``popcount(terms) ≥ θ + #neg`` — one adder tree and a comparison with a
constant, instead of two trees and a subtraction.

``ADDERS`` names the structures; each maps a list of 1-bit values to their sum:

* ``"tree"`` — a balanced tree of two-operand adders (Yosys maps each to a carry chain);
* ``"csa"``  — a carry-save (Wallace/Dadda) reduction: full adders compress the columns of equal
  bit weight until two rows remain, then one two-operand adder.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Signal

ADDERS = ("tree", "csa")


def popcount_tree(mod, bits: list):
    """Sum of 1-bit values as a balanced tree of adders (a linear chain would be as deep as the
    fan-in, both in logic and in the simulator's expression recursion)."""
    terms = list(bits) or [Const(0, 1)]
    while len(terms) > 1:
        pairs = [terms[k] + terms[k + 1] for k in range(0, len(terms) - 1, 2)]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]


def popcount_csa(mod, bits: list):
    """Sum of 1-bit values by carry-save reduction: columns of equal weight are compressed by
    full adders (3 bits → sum in the column, carry in the next) until every column holds at most
    two bits; the two remaining rows are added once. Each full adder drives named signals (added
    to ``mod``): an operand used by two expressions would otherwise be copied into both, and the
    copies grow exponentially with the depth of the reduction."""
    cols = [list(bits)]
    while any(len(c) > 2 for c in cols):
        nxt = [[] for _ in range(len(cols) + 1)]
        for w, col in enumerate(cols):
            k = 0
            while len(col) - k >= 3:
                a, b, c = col[k], col[k + 1], col[k + 2]
                s, carry = Signal(), Signal()
                mod.d.comb += [s.eq(a ^ b ^ c), carry.eq((a & b) | (a & c) | (b & c))]
                nxt[w].append(s)
                nxt[w + 1].append(carry)
                k += 3
            nxt[w].extend(col[k:])
        while nxt and not nxt[-1]:
            nxt.pop()
        cols = nxt
    if not cols:
        return Const(0, 1)
    rows = [Cat(*[c[r] if len(c) > r else Const(0, 1) for c in cols]) for r in range(2)]
    return rows[0] + rows[1]


def popcount(mod, bits: list, adder: str = "csa"):
    """Sum of 1-bit values with the named adder structure (one of :data:`ADDERS`); helper
    signals, where the structure needs them, are driven in ``mod``."""
    if adder == "tree":
        return popcount_tree(mod, bits)
    if adder == "csa":
        return popcount_csa(mod, bits)
    raise ValueError(f"unknown adder structure {adder!r}; choose one of {', '.join(ADDERS)}")


def threshold(mod, x, weights, bound: int, adder: str = "csa"):
    """1 when ``Σ_j weights[j]·x[j] ≥ θ`` for constant ternary ``weights``, in the folded form:
    ``bound`` is the folded threshold ``θ + #{w = −1}``
    (:func:`trnn.model.machine.folded_bound`, :meth:`~trnn.model.machine.Machine.folded_bounds`)."""
    terms = [x[j] if w > 0 else ~x[j] for j, w in enumerate(weights) if w != 0]
    bound = int(bound)
    if bound <= 0:
        return Const(1, 1)
    if bound > len(terms):
        return Const(0, 1)
    return popcount(mod, terms, adder) >= bound
