"""Reading a trained machine as logic: simplify, prove, query, split, decompile, explain.

Each capability is one module; the ``trnn logic …`` and ``trnn decompile`` commands are thin
wrappers around them. Only :mod:`.synth` and :mod:`.prove` touch Amaranth/Yosys (through
:mod:`trnn.hdl`); the others work on the integer arrays of a
:class:`trnn.model.machine.Machine` alone.
"""
