"""Reading a trained machine as logic: simplify, prove, query, split, explain, decompile.

Each capability is one module; the ``trnn logic …`` and ``trnn decompile`` commands
(``cli/logic_cmds.py``) are thin wrappers around them:

* :mod:`.simplify` — the next-state and readout logic through Yosys/ABC (the only module that
  elaborates Amaranth designs: the components of :mod:`trnn.hdl.step` and
  :mod:`trnn.hdl.readout`), measured as and-inverter graphs (:mod:`.aig`);
* :mod:`.prove` — SAT-miter equivalence of two AIGs;
* :mod:`.query` — one step as CNF, questions for a SAT solver; :mod:`.greedy` — which tokens
  the greedy readout can choose;
* :mod:`.trace` — runs over validation text; :mod:`.depgraph` — the dependency graph and its
  components (SCCs, weakly connected); :mod:`.prune` — pruning on a trace, the gates
  evaluated by the golden engine; :mod:`.split` and :mod:`.drawing` — its report and picture;
  :mod:`.explain` — per-bit statistics;
* :mod:`.decompile` (with :mod:`.program_text`) — the model as a standalone Python program;
* :mod:`.fsm` — finite-state-machine tools: reachable states, Moore-machine minimisation,
  isomorphism; :mod:`.automaton` — a task with a known automaton (the running sum mod p),
  recovered with them (trains with PyTorch, imported inside its functions).

All of them work from the integer arrays of a :class:`trnn.model.machine.Machine`, whose
semantics are docs/machine.md.
"""
