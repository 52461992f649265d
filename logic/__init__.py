"""Reading a trained machine as logic: simplify, prove, query, split, explain, decompile.

Each capability is one module; the ``trnn logic …`` and ``trnn decompile`` commands
(``cli/logic_cmds.py``) are thin wrappers around them:

* :mod:`.synth` — the next-state and readout logic through Yosys/ABC (the only module that
  elaborates Amaranth designs, through :mod:`trnn.hdl`), measured as and-inverter graphs
  (:mod:`.aig`);
* :mod:`.prove` — SAT-miter equivalence of two AIGs;
* :mod:`.query` — one step as CNF, questions for a SAT solver;
* :mod:`.trace`, :mod:`.graph`, :mod:`.explain` — runs over validation text, the dependency
  graph and its pruning, per-bit statistics;
* :mod:`.decompile` — the model as a standalone Python program;
* :mod:`.automaton` — a task with a known automaton, recovered by minimisation (trains with
  PyTorch, imported inside its functions).

All of them work from the integer arrays of a :class:`trnn.model.machine.Machine`, whose
semantics are docs/machine.md.
"""
