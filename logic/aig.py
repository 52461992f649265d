"""And-inverter graphs as Yosys writes them (ASCII AIGER with a port map), and what we measure
on them: size, depth, per-output cones of influence, constant and duplicated outputs.

An :class:`AIG` is purely combinational (no latches). Literals follow AIGER: ``2·v`` is variable
``v``, ``2·v + 1`` its negation, ``0``/``1`` the constants. Inputs and outputs are named by the
port map (``h[3]``, ``e[0]``, ``h_next[17]``), so two AIGs of the same ports can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class AIGError(ValueError):
    """A file that is not the combinational ASCII AIGER this module reads."""


@dataclass
class AIG:
    """``inputs[k]`` is the variable of input ``input_names[k]``; ``outputs[k]`` the literal of
    output ``output_names[k]``; ``ands`` maps an AND variable to its two fan-in literals."""

    input_names: list[str]
    inputs: list[int]
    output_names: list[str]
    outputs: list[int]
    ands: dict[int, tuple[int, int]]
    _depth: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def n_ands(self) -> int:
        """The number of AND nodes."""
        return len(self.ands)

    def output(self, name: str) -> int:
        """The literal of the output named ``name``; ``ValueError`` if there is none."""
        return self.outputs[self.output_names.index(name)]

    def cone(self, lit: int) -> tuple[set[int], set[int]]:
        """``(and_vars, input_vars)`` in the transitive fan-in of literal ``lit``."""
        ands, ins, stack = set(), set(), [lit >> 1]
        inputs = set(self.inputs)
        while stack:
            v = stack.pop()
            if v in ands or v in ins or v == 0:
                continue
            if v in inputs:
                ins.add(v)
            else:
                ands.add(v)
                a, b = self.ands[v]
                stack += [a >> 1, b >> 1]
        return ands, ins

    def depth(self, lit: int) -> int:
        """AND levels between literal ``lit`` and the inputs (0 for an input or a constant)."""
        d = self._depth
        todo = [lit >> 1]
        while todo:
            v = todo[-1]
            if v in d:
                todo.pop()
                continue
            if v not in self.ands:
                d[v] = 0
                todo.pop()
                continue
            a, b = (x >> 1 for x in self.ands[v])
            missing = [x for x in (a, b) if x not in d]
            if missing:
                todo += missing
            else:
                d[v] = 1 + max(d[a], d[b])
                todo.pop()
        return d[lit >> 1]

    @property
    def max_depth(self) -> int:
        """The largest number of AND nodes on a path from an input to an output."""
        return max((self.depth(o) for o in self.outputs), default=0)


def read_aag(text: str, port_map: str) -> AIG:
    """Parse ASCII AIGER ``text`` and the port map Yosys writes with ``write_aiger -map``
    (lines ``input K BIT NAME`` / ``output K BIT NAME``)."""
    lines = text.splitlines()
    try:
        kind, M, I, L, O, A = lines[0].split()[:6]
        M, I, L, O, A = map(int, (M, I, L, O, A))
    except (ValueError, IndexError):
        raise AIGError("not an ASCII AIGER file (bad header)") from None
    if kind != "aag" or L != 0:
        raise AIGError("expected a combinational ASCII AIGER file (aag, no latches)")
    inputs = [int(lines[1 + k]) >> 1 for k in range(I)]
    outputs = [int(lines[1 + I + k]) for k in range(O)]
    ands = {}
    for line in lines[1 + I + O: 1 + I + O + A]:
        lhs, a, b = map(int, line.split())
        if a >> 1 >= lhs >> 1 or b >> 1 >= lhs >> 1:
            # evaluation and encoding walk the nodes in variable order
            raise AIGError("AND nodes must come after their fan-ins")
        ands[lhs >> 1] = (a, b)
    names = {"input": [""] * I, "output": [""] * O}
    for line in port_map.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in names:
            names[parts[0]][int(parts[1])] = f"{parts[3]}[{parts[2]}]"
    # Yosys leaves constant outputs out of the map; ports are written bit by bit in order, so
    # an unnamed output is the next bit of the output before it
    outs = names["output"]
    for order in (range(len(outs)), reversed(range(len(outs)))):
        step = 1 if isinstance(order, range) else -1
        for k in order:
            prev = k - step
            if not outs[k] and 0 <= prev < len(outs) and outs[prev]:
                base, _, idx = outs[prev].partition("[")
                outs[k] = f"{base}[{int(idx.rstrip(']')) + step}]"
    if not all(outs):
        raise AIGError("an output has no name in the port map")
    if len(set(outs)) != len(outs) or len(set(names["input"])) != len(names["input"]):
        raise AIGError("port map names are not unique")
    return AIG(names["input"], inputs, outs, outputs, ands)


def load_aag(path: Path) -> AIG:
    """Read the ASCII AIG at ``path`` and its port map ``path.map`` (as Yosys writes them)."""
    return read_aag(Path(path).read_text(), Path(str(path) + ".map").read_text())
