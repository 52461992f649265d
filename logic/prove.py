"""Prove: formal equivalence of two and-inverter graphs with a SAT miter.

Both graphs are encoded into one CNF (Tseitin: three clauses per AND node) over shared input
variables, matched by port name. For each output, a miter variable ``d ↔ (gold ⊕ gate)`` is
added and the solver is asked for ``d``: *unsatisfiable* means the two outputs agree on every
one of the 2^inputs assignments — a proof, not a test. A satisfying assignment is a
counterexample, returned so that the caller can check it independently (by evaluating both
graphs, or the model, on it).

Random simulation runs first: it finds most differences in milliseconds, leaving the solver
only the outputs that are (probably) equal.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from .aig import AIG


@dataclass
class Counterexample:
    """An input assignment (input name → 0/1) on which output ``output`` differs: ``gold`` and
    ``gate`` are the two values."""
    output: str
    inputs: dict[str, int]       # input name -> 0/1
    gold: int
    gate: int


@dataclass
class EquivResult:
    """``equivalent`` is True only when every output was proved equal (UNSAT miter)."""
    equivalent: bool
    outputs: int
    proved: int
    seconds: float
    sat_seconds: float
    counterexample: Counterexample | None = None
    missing: list[str] = field(default_factory=list)

    def format(self) -> str:
        """One line: EQUIVALENT with the counts and times, or NOT EQUIVALENT with the first
        counterexample or the ports that differ."""
        if self.missing:
            return f"NOT EQUIVALENT: ports differ ({', '.join(self.missing[:5])})"
        if self.equivalent:
            return (f"EQUIVALENT: all {self.outputs} outputs proved equal by SAT "
                    f"(unsatisfiable miter), {self.seconds:.1f} s "
                    f"({self.sat_seconds:.1f} s in the solver)")
        c = self.counterexample
        ones = sorted((k for k, v in c.inputs.items() if v), key=_port_key)
        return (f"NOT EQUIVALENT: output {c.output} is {c.gold} in the reference and "
                f"{c.gate} in the other for the input with these bits set: "
                f"{' '.join(ones[:40])}{' …' if len(ones) > 40 else ''}")


def _port_key(name: str):
    base, _, idx = name.partition("[")
    return (base, int(idx.rstrip("]") or 0))


def evaluate(aig: AIG, inputs: dict[str, int]) -> dict[str, int]:
    """Every output of ``aig`` for one input assignment (names → 0/1; absent names are 0)."""
    return _simulate(aig, {n: int(inputs.get(n, 0)) & 1 for n in aig.input_names}, 1)


def _simulate(aig: AIG, words: dict[str, int], mask: int) -> dict[str, int]:
    """Bit-parallel evaluation: each input carries a word of patterns, ``mask`` has one bit
    per pattern."""
    val = {0: 0}
    for name, v in zip(aig.input_names, aig.inputs):
        val[v] = words[name]

    def lit(x):
        w = val[x >> 1]
        return w ^ mask if x & 1 else w
    for v in sorted(aig.ands):       # AIGER numbers an AND after its fan-ins
        a, b = aig.ands[v]
        val[v] = lit(a) & lit(b)
    return {n: lit(o) for n, o in zip(aig.output_names, aig.outputs)}


def check_equivalence(gold: AIG, gate: AIG, solver: str = "cadical153", sim_patterns: int = 256,
                      seed: int = 0) -> EquivResult:
    """Prove that ``gate`` computes the same outputs as ``gold`` on every input, or find an
    input where one output differs. Ports are matched by name; differing port sets are
    reported as not equivalent."""
    from pysat.solvers import Solver

    t0 = time.time()
    missing = sorted(set(gold.output_names) ^ set(gate.output_names))
    extra_in = set(gate.input_names) - set(gold.input_names)
    if missing or extra_in:
        return EquivResult(False, len(gold.outputs), 0, time.time() - t0, 0.0,
                           missing=missing + sorted(extra_in))
    names = sorted(set(gold.input_names))
    # 1. random simulation: a cheap search for a counterexample
    rnd = random.Random(seed)
    mask = (1 << sim_patterns) - 1
    words = {n: rnd.getrandbits(sim_patterns) for n in names}
    sg, sh = _simulate(gold, words, mask), _simulate(gate, words, mask)
    for out in gold.output_names:
        diff = sg[out] ^ sh[out]
        if diff:
            k = (diff & -diff).bit_length() - 1
            cex = {n: (words[n] >> k) & 1 for n in names}
            return EquivResult(False, len(gold.outputs), 0, time.time() - t0, 0.0,
                               _cex(gold, gate, out, cex))
    # 2. SAT miter, one output at a time (incremental, under an assumption)
    var = {n: k + 1 for k, n in enumerate(names)}
    top = len(names)

    def encode(aig: AIG, s) -> dict[int, int]:
        nonlocal top
        m = {v: var[n] for n, v in zip(aig.input_names, aig.inputs)}
        for v in sorted(aig.ands):
            top += 1
            m[v] = top
        const = top = top + 1
        s.add_clause([-const])          # variable 0 of AIGER is constant false
        m[0] = const

        def lit(x):
            return -m[x >> 1] if x & 1 else m[x >> 1]
        for v, (a, b) in aig.ands.items():
            y, la, lb = m[v], lit(a), lit(b)
            s.add_clause([-y, la])
            s.add_clause([-y, lb])
            s.add_clause([y, -la, -lb])
        return {n: lit(o) for n, o in zip(aig.output_names, aig.outputs)}

    sat_s = 0.0
    with Solver(name=solver) as s:
        og, oh = encode(gold, s), encode(gate, s)
        proved = 0
        for out in gold.output_names:
            top += 1
            d, a, b = top, og[out], oh[out]
            s.append_formula([[-d, a, b], [-d, -a, -b], [d, -a, b], [d, a, -b]])
            t1 = time.time()
            sat = s.solve(assumptions=[d])
            sat_s += time.time() - t1
            if sat:
                model = set(x for x in s.get_model() if x > 0)
                cex = {n: int(var[n] in model) for n in names}
                return EquivResult(False, len(gold.outputs), proved, time.time() - t0, sat_s,
                                   _cex(gold, gate, out, cex))
            proved += 1
            s.add_clause([-d])          # proved: keep it as a fact for later outputs
    return EquivResult(True, len(gold.outputs), proved, time.time() - t0, sat_s)


def _cex(gold: AIG, gate: AIG, out: str, inputs: dict[str, int]) -> Counterexample:
    return Counterexample(out, inputs, evaluate(gold, inputs)[out], evaluate(gate, inputs)[out])


def alter(aig: AIG, seed: int = 1) -> tuple[AIG, str]:
    """A copy of ``aig`` with one deliberate fault: the first fan-in of one AND node (picked by
    ``seed`` among the nodes that some output uses) is inverted. For demonstrating and testing
    that :func:`check_equivalence` catches a change."""
    used = sorted(set().union(*(aig.cone(o)[0] for o in aig.outputs)))
    if not used:
        raise ValueError("the graph has no AND node to alter")
    v = used[random.Random(seed).randrange(len(used))]
    ands = dict(aig.ands)
    a, b = ands[v]
    ands[v] = (a ^ 1, b)
    return (AIG(aig.input_names, aig.inputs, aig.output_names, aig.outputs, ands),
            f"AND node {v}: first input inverted")
