"""``trnn logic …`` and ``trnn decompile``: the model read as a logic machine.

Thin wrappers: each subcommand loads a model, calls one module of :mod:`trnn.logic` and prints
its report (and writes files where asked). The parsers are added by :func:`add_parsers`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from trnn.logic import automaton as au
from trnn.logic import greedy
from trnn.logic import query as q
from trnn.logic.aig import load_aag
from trnn.logic.decompile import write_program
from trnn.logic.explain import bit_names, explain, name_note, token_text, write_report
from trnn.logic.prove import alter, check_equivalence
from trnn.logic.trace import Trace, run_trace
from trnn.model.data import read_stories, resolve_split
from trnn.model.machine import Machine

from .common import CLIError, Parser, load_machine, number, pos_int, user_errors


def _load(a: argparse.Namespace) -> Machine:
    return load_machine(a.model)


def _write_json(path: str | None, obj) -> None:
    """Write ``obj`` as JSON to ``path`` (parents made) and say so; nothing when ``path`` is
    None."""
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(obj, indent=1, sort_keys=True) + "\n")
        print(f"wrote {p}")


def _trace(a: argparse.Namespace, m: Machine) -> Trace:
    """``m`` run over the validation stories of ``--data``/``--stories``."""
    stories = read_stories(resolve_split(a.data, "valid"), a.stories)
    print(f"reading {len(stories)} validation stories …", file=sys.stderr)
    return run_trace(m, stories, progress=not a.quiet)


# -- simplify / prove ----------------------------------------------------------------------------
def _blocks(a: argparse.Namespace) -> tuple[str, ...]:
    # Yosys synthesis of Amaranth designs (about 0.1 s to import): only for simplify/prove
    from trnn.logic.simplify import BLOCKS
    return BLOCKS if a.block == "all" else (a.block,)


def cmd_simplify(a: argparse.Namespace) -> int:
    """``trnn logic simplify``: Yosys/ABC on the chosen blocks, a report per block."""
    from trnn.logic.simplify import format_report, simplify   # Amaranth: see _blocks

    m = _load(a)
    out = {}
    for block in _blocks(a):
        wd = Path(a.out) / block if a.out else None
        print(f"simplifying {block} logic with Yosys/ABC …", file=sys.stderr)
        rep = simplify(m, block, workdir=wd)
        print(format_report(rep))
        if a.per_bit and rep.cones:
            print("  bit  inputs(model→after)  ANDs(before→after)  depth")
            for c in rep.cones:
                print(f"  {c.bit:>3}  {c.inputs_model:>6} → {c.inputs_after:<6}     "
                      f"{c.ands_before:>6} → {c.ands_after:<6}  {c.depth_after:>5}")
        if wd:
            print(f"  AIGs: {wd}/before.aag, {wd}/after.aag")
        out[block] = rep.to_dict()
    _write_json(a.json, {"model": a.model, **out})
    return 0


def cmd_prove(a: argparse.Namespace) -> int:
    """``trnn logic prove``: the simplified logic proved equal to the generated logic (exit
    status 1 if it is not)."""
    from trnn.logic.simplify import simplify   # Amaranth: see _blocks

    m = _load(a)
    results = {}
    ok = True
    with tempfile.TemporaryDirectory(prefix="trnn-prove-") as tmp:
        for block in _blocks(a):
            print(f"simplifying {block} logic with Yosys/ABC …", file=sys.stderr)
            wd = Path(a.out) / block if a.out else Path(tmp) / block
            rep = simplify(m, block, workdir=wd, luts=False)
            gold, gate = load_aag(wd / "before.aag"), load_aag(wd / "after.aag")
            if a.alter:
                with user_errors():   # a graph without an AND node to alter
                    gate, where = alter(gate, seed=a.alter)
                print(f"{block}: altered copy — {where}")
            print(f"{block}: proving {gate.n_ands:,} AND nodes (simplified) equal to "
                  f"{gold.n_ands:,} (generated) …", file=sys.stderr)
            r = check_equivalence(gold, gate)
            print(f"{block}: {r.format()}")
            ok &= r.equivalent
            results[block] = {"equivalent": r.equivalent, "outputs": r.outputs,
                              "proved": r.proved, "seconds": round(r.seconds, 1),
                              "ands_generated": gold.n_ands, "ands_simplified": gate.n_ands,
                              "synth_seconds": rep.seconds, "altered": bool(a.alter)}
    _write_json(a.json, {"model": a.model, **results})
    return 0 if ok else 1


# -- query -----------------------------------------------------------------------------------------
def cmd_query(a: argparse.Namespace) -> int:
    """``trnn logic query``: one SAT question about a step of the machine."""
    m = _load(a)
    if a.question in ("bit", "tokens") and not 0 <= a.bit < m.H:
        raise CLIError(f"bit {a.bit} is out of range: 0..{m.H - 1} ({a.model} has "
                       f"{m.H} state bits)")
    if a.question == "greedy":
        toks = _tokens(m, a.tokens)
        if toks is None:
            states = _trace(a, m).h_after if a.data_states else None
            sw = greedy.greedy_sweep(m, states=states, progress=not a.quiet)
            print(sw.format(m))
            _write_json(a.json, {"model": a.model, "by_sampling": sw.by_sampling,
                                 "by_sat": sw.by_sat, "never": sw.never,
                                 "sat_seconds": round(sw.sat_seconds, 1),
                                 "seconds": round(sw.seconds, 1)})
            return 0
        for v in toks:
            r = greedy.can_be_greedy(m, v)
            print(f"token {v} {q.token_repr(m, v)}: "
                  + (f"yes — e.g. the state with bits {_ones(r.state)} set" if r.sat else
                     "NO state makes it the greedy choice (UNSAT)") + f"  [{r.seconds:.2f} s]")
        return 0
    cnf = q.encode_step(m)
    print(f"one step of {a.model} as CNF: {cnf.n_vars:,} variables, {len(cnf.clauses):,} "
          f"clauses ({cnf.seconds:.1f} s)")
    given = q.parse_assignment(m, a.given)
    frm = None if a.from_value is None else int(a.from_value)
    if a.question == "bits":
        t0 = time.time()
        res = q.all_bits(cnf)
        dt = time.time() - t0
        for k, v in res.items():
            print(f"  {k}: {len(v)}" + (f" ({', '.join(map(str, v))})" if v else ""))
        print(f"  ({4 * m.H} questions, {dt:.1f} s; 'any state' means any of "
              f"the 2^{m.H} bit patterns, reachable or not)")
        _write_json(a.json, {"model": a.model, **res, "seconds": round(dt, 1)})
    elif a.question == "bit":
        r = q.can_become(cnf, a.bit, a.value, given, frm)
        print(f"{r.question}{_given(given)}: " + (
            f"SAT — e.g. token {r.token} {q.token_repr(m, r.token)} in the state with bits "
            f"{_ones(r.state)} set" if r.sat else "UNSAT — impossible")
            + f"  [{r.seconds:.3f} s]")
    elif a.question == "tokens":
        ts = q.tokens_setting(cnf, a.bit, a.value, given, frm, always=a.always)
        print(f"{ts.question}{_given(given)}"
              + (f" from h[{a.bit}] = {frm}" if frm is not None else "")
              + f": {len(ts.tokens)} of {m.V} tokens  [{ts.solves} solves, {ts.seconds:.1f} s]")
        print("  " + " ".join(q.token_repr(m, v) for v in ts.tokens[:80])
              + (" …" if len(ts.tokens) > 80 else ""))
    cnf.close()
    return 0


def _tokens(m: Machine, spec: list[str] | None) -> list[int] | None:
    """Token ids of ``--tokens`` (ids, or strings that are one token of ``m``)."""
    if not spec:
        return None
    out = []
    for s in spec:
        try:
            v = int(s)
        except ValueError:
            ids = m.tokenizer.encode(s)
            if len(ids) != 1:
                raise CLIError(f"{s!r} is not one token of this model (it encodes to "
                               f"{len(ids)} tokens); give a token id") from None
            v = ids[0]
        out.append(v)
    return out


def _ones(bits) -> str:
    on = [str(i) for i, b in enumerate(bits) if b]
    return ("{" + ", ".join(on[:40]) + (", …" if len(on) > 40 else "") + "}") if on else "{}"


def _given(given) -> str:
    return f" given {', '.join(f'h[{k}]={v}' for k, v in given.items())}" if given else ""


# -- reach -------------------------------------------------------------------------------------------
def cmd_reach(a: argparse.Namespace) -> int:
    """``trnn logic reach``: questions over the states reachable from h0 (model checking)."""
    from trnn.logic import reach   # Amaranth and Yosys: only here

    m = _load(a)
    if a.survey:
        tr = _trace(a, m)
        print(f"model checking with ABC {a.method} in Yosys (up to {a.timeout:g} s per "
              f"question) …", file=sys.stderr)
        with user_errors():
            sv = reach.survey(m, tr, a.survey, a.method, a.timeout, a.frames,
                              bigrams=a.bigrams)
        print(sv.format(m))
        _write_json(a.json, {"model": a.model, "method": a.method, "timeout": a.timeout,
                             **sv.to_dict()})
        return 0
    if a.greedy:
        if a.bit is not None or a.after is not None or a.ever:
            raise CLIError("--greedy is a question of its own: no --bit, --after or --ever")
        return _reach_greedy(a, m, reach)
    if a.bit is None:
        raise CLIError("give --bit I (with --after TOKEN or --ever), --greedy TOKEN or "
                       "--survey N")
    if a.ever == (a.after is not None):
        raise CLIError("give exactly one of --after TOKEN and --ever")
    if a.before is not None and a.ever:
        raise CLIError("--before goes with --after, not --ever")
    question = (reach.BitEver(a.bit, a.value) if a.ever
                else reach.BitAfter(a.bit, _tokens(m, [a.after])[0], a.value,
                                    None if a.before is None else _tokens(m, [a.before])[0]))
    with user_errors():
        reach.check_question(m, question)
        ans = reach.check(m, [question], a.method, a.timeout, a.frames)[0]
    if isinstance(question, reach.BitAfter):
        cnf = q.encode_step(m)
        t0 = time.time()
        sat = reach.one_step_possible(cnf, question)
        print(f"{ans.question}: from any state (one step): "
              f"{'possible (SAT)' if sat else 'impossible (UNSAT)'}  [{time.time() - t0:.3f} s]")
        cnf.close()
    what = {"proved": "impossible — proved for every token sequence from h0 (UNSAT)",
            "reachable": "possible — some token sequence from h0 reaches it (SAT)",
            "bounded": f"not within {ans.frames} tokens from h0 (bounded: no proof)",
            "unknown": f"undecided within {a.timeout:g} s"}[ans.status]
    print(f"{ans.question}: from h0 ({ans.method}): {what}  [{ans.seconds:.2f} s]")
    _write_json(a.json, {"model": a.model, **ans.to_dict()})
    return 0


def _reach_greedy(a: argparse.Namespace, m, reach) -> int:
    """``trnn logic reach --greedy TOKEN …``: can each token be the greedy choice, one step
    from any state and over the states reachable from h0."""
    toks = _tokens(m, a.greedy)
    qs = [reach.Greedy(t) for t in toks]
    print(f"model checking with ABC {a.method} in Yosys (up to {a.timeout:g} s per question; "
          f"the design compares {m.V - 1} scores per token) …", file=sys.stderr)
    with user_errors():
        answers = reach.check(m, qs, a.method, a.timeout, a.frames)
    what = {"proved": "never — proved for every token sequence from h0 (UNSAT)",
            "reachable": "yes — in a state some token sequence from h0 reaches (SAT)",
            "bounded": f"not within {a.frames} tokens from h0 (bounded: no proof)",
            "unknown": f"undecided within {a.timeout:g} s"}
    out = []
    for t, ans in zip(toks, answers):
        one = greedy.can_be_greedy(m, t)
        print(f"{ans.question}: from any state: "
              f"{'possible (SAT)' if one.sat else 'impossible (UNSAT)'}  [{one.seconds:.2f} s]")
        print(f"{ans.question}: from h0 ({ans.method}): {what[ans.status]}  "
              f"[{ans.seconds:.2f} s]")
        out.append({**ans.to_dict(), "token": t, "one_step_sat": one.sat})
    _write_json(a.json, {"model": a.model, "answers": out})
    return 0


# -- explore -----------------------------------------------------------------------------------------
def cmd_explore(a: argparse.Namespace) -> int:
    """``trnn logic explore``: the static HTML page of a machine you can watch."""
    from trnn.logic.explore import screenshot, write_page
    from trnn.model.machine import temperature_to_tq

    m = _load(a)
    with user_errors():
        prompt = m.tokenizer.encode(a.prompt)
        tq = temperature_to_tq(a.temperature, m.logit_scale)
    stats = None if a.no_stats else explain(m, _trace(a, m))
    out = write_page(m, a.output, a.title or Path(a.model).stem, prompt, a.max_tokens, tq,
                     a.seed, stats)
    print(f"wrote {out}: open it in a browser (no server needed)")
    if a.screenshot:
        with user_errors():
            png = screenshot(out, a.screenshot, a.shot_step, a.shot_bit)
        print(f"wrote {png}")
    return 0


# -- split / explain -----------------------------------------------------------------------------
def cmd_split(a: argparse.Namespace) -> int:
    """``trnn logic split``: the dependency graph of the state bits, before and after
    pruning."""
    # networkx and matplotlib (about 0.2 s to import): only here
    from trnn.logic.drawing import draw
    from trnn.logic.split import split_report

    m = _load(a)
    tr = None if a.no_prune else _trace(a, m)
    rep = split_report(m, tr, name=a.model)
    print(rep.format())
    names = bit_names(m, explain(m, tr)) if tr is not None else None
    if names is not None:
        print(f"named bits (trnn logic explain): {len(names)} of {m.H}"
              + (": " + ", ".join(f"{i} {n}" for i, n in sorted(names.items())[:12])
                 + (", …" if len(names) > 12 else "") if names else ""))
    if a.png:
        draw(rep, a.png, names=names)
        print(f"wrote {a.png}")
    if a.pruned and rep.pruned is not None:
        rep.pruned.save(a.pruned)
        print(f"wrote {a.pruned}")
    _write_json(a.json, rep.to_dict())
    return 0


def cmd_explain(a: argparse.Namespace) -> int:
    """``trnn logic explain``: per-bit statistics over validation text, as a report."""
    m = _load(a)
    tr = _trace(a, m)
    stats = explain(m, tr)
    out = write_report(m, stats, a.output, title=f"{a.model}: state bits on "
                       f"{tr.n_stories} validation stories", trace=tr)
    best = sorted(stats, key=lambda s: -s.label_score)[:a.top]
    print(f"{len(stats)} bits, {len(tr)} steps; most label-like bits:")
    for s in best:
        on = ", ".join(token_text(m, t.token) for t in s.on_by_lift[:3])
        off = ", ".join(token_text(m, t.token) for t in s.off_by_lift[:3])
        print(f"  bit {s.bit:>3}: set {s.frac_set:5.1%}; on after {on or '—'}; "
              f"off after {off or '—'}")
    print(f"wrote {out}")
    return 0


# -- automaton -------------------------------------------------------------------------------------
def cmd_automaton(a: argparse.Namespace) -> int:
    """``trnn logic automaton``: the task's automaton (running sum mod p, or bracket depth up
    to D) recovered from a trained (or hand-built) machine (exit status 1 if it is not)."""
    if a.task == "sum":
        if a.bound is not None:
            raise CLIError("--bound is for --task depth; the sum task takes --p")
        p = 3 if a.p is None else a.p
        if p < 2:
            raise CLIError(f"--p must be at least 2, got {p}")
        task = au.SumModTask(p)
    else:
        if a.p is not None:
            raise CLIError("--p is for --task sum; the depth task takes --bound")
        task = au.BracketDepthTask(3 if a.bound is None else a.bound)
    over = {k: v for k, v in (("state_bits", a.state_bits), ("steps", a.steps),
                              ("lr", a.lr), ("gate_noise", a.gate_noise),
                              ("seq_len", a.seq_len)) if v is not None}
    rep = au.report(task=task, seed=a.seed, constructed=a.constructed,
                    log=lambda line: print(line, file=sys.stderr), **over)
    m = rep.machine
    print(rep)
    if a.save:
        m.save(a.save)
        print(f"wrote {a.save}")
    _write_json(a.json, rep.to_dict())
    return 0 if rep.isomorphic else 1


# -- decompile -------------------------------------------------------------------------------------
def cmd_decompile(a: argparse.Namespace) -> int:
    """``trnn decompile``: the model as one standalone Python program."""
    m = _load(a)
    names = notes = None
    if a.names:
        stats = explain(m, _trace(a, m))
        names = bit_names(m, stats)
        notes = {i: name_note(m, stats[i]) for i in names}
    path = write_program(m, a.output, names=names, notes=notes, classes=a.classes)
    n = len(Path(path).read_text().splitlines())
    print(f"wrote {path}: {n} lines, one rule per state bit ({m.H}"
          + (f", {len(names)} named" if names is not None else "") + f"); run it with "
          f"'python {path} --prompt \"Once upon a time\"'")
    return 0


# -- parsers ---------------------------------------------------------------------------------------
def add_parsers(sub) -> None:
    """Add ``logic`` (with its subcommands) and ``decompile`` to the subparsers ``sub``."""
    lg = sub.add_parser("logic", help="read a model as a logic machine (simplify, prove, "
                        "query, split, explain, automaton)",
                        description="Interpretability tools: the model as combinational logic "
                        "plus a state register. See docs/interpretability.md.")
    ls = lg.add_subparsers(dest="logic_cmd", required=True, parser_class=Parser)

    def model_arg(p):
        p.add_argument("model", nargs="?", default="small",
                       help="model file or shipped model name (default: small)")

    def data_args(p):
        p.add_argument("--data", help="validation text: a TinyStories .txt/.txt.xz file or "
                       "directory (default: $TRNN_DATA or shared/data/tinystories)")
        p.add_argument("--stories", type=pos_int, default=200,
                       help="validation stories to run (default 200)")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")

    def synth_args(p):
        model_arg(p)
        p.add_argument("--block", choices=("step", "readout", "all"), default="step",
                       help="step: next state from state and embedding bits; readout: the "
                       "scores of all tokens; all: both (default: step)")
        p.add_argument("--out", help="keep the AIGs (before.aag, after.aag) under this "
                       "directory")
        p.add_argument("--json", help="also write the results to this JSON file")
    s = ls.add_parser("simplify", help="Yosys/ABC on the next-state and readout logic: sizes "
                      "before and after, per-bit cones, constant/duplicated/unread bits",
                      description="Synthesize the model's logic with Yosys and optimise it "
                      "with ABC; report AND nodes, LUT4s and depth before and after, the cone "
                      "of influence of every state bit, and state bits that are constant, "
                      "never updated, duplicated or never read.")
    synth_args(s)
    s.add_argument("--per-bit", action="store_true", help="print every bit's cone")
    s.set_defaults(fn=cmd_simplify)

    p = ls.add_parser("prove", help="SAT proof that the simplified logic equals the "
                      "generated logic",
                      description="Simplify, then prove with a SAT miter (CaDiCaL) that every "
                      "output of the simplified AIG equals the AIG generated from the model, "
                      "for all inputs. Exit status 1 if not equivalent; --alter N flips one "
                      "AND input of the simplified copy (choice N) to show the proof failing.")
    synth_args(p)
    p.add_argument("--alter", type=pos_int, metavar="N",
                   help="prove a deliberately altered copy instead (expect NOT EQUIVALENT)")
    p.set_defaults(fn=cmd_prove)

    q = ls.add_parser("query", help="SAT questions about one step of the machine",
                      description="Encode one step (docs/machine.md §2) as CNF with cardinality "
                      "constraints and ask a SAT solver. 'Any state' ranges over all 2^H bit "
                      "patterns, reachable or not. Questions: "
                      "'bits' — which bits can never become 1 / 0 / turn on / turn off; "
                      "'bit I --value V' — can bit I become V (a witness if so); "
                      "'tokens I' — which tokens can set bit I to --value (default 1) given "
                      "--given bits (and --from its old value), or with --always which tokens "
                      "set it from every such state; "
                      "'greedy [TOKEN …]' — can a state make TOKEN the greedy output "
                      "(no token: all of them).")
    model_arg(q)
    q.add_argument("question", choices=("bits", "bit", "tokens", "greedy"))
    q.add_argument("bit", nargs="?", type=int, default=0, help="state bit (bit, tokens)")
    q.add_argument("--value", type=int, choices=(0, 1), default=1)
    q.add_argument("--from", dest="from_value", choices=("0", "1"),
                   help="the bit's current value (e.g. --from 0 --value 1: turns on)")
    q.add_argument("--given", help="partial state, e.g. '3=1,17=0'")
    q.add_argument("--always", action="store_true", help="tokens: only tokens that set the "
                   "bit from EVERY such state (proved: no state gives the other value)")
    q.add_argument("--tokens", nargs="+", metavar="TOKEN",
                   help="greedy: token ids or one-token strings to ask about")
    q.add_argument("--data-states", action="store_true",
                   help="greedy: also use states of validation text as witnesses")
    data_args(q)
    q.add_argument("--json", help="also write the answer to this JSON file (bits, greedy)")
    q.set_defaults(fn=cmd_query)

    r = ls.add_parser("reach", help="questions over the states reachable from h0: model "
                      "checking (PDR, BMC) of the state register and its logic",
                      description="Ask the sequential machine — the state register from h0, "
                      "its next-state logic and a free token each step — whether state bit "
                      "--bit can be --value right after token --after (or --ever). 'pdr' "
                      "(ABC's IC3 inside Yosys) proves it impossible over all token sequences "
                      "or finds it reachable; 'bmc' searches sequences up to --frames tokens. "
                      "The one-step answer from any of the 2^H states is printed beside it. "
                      "--survey N asks it for every bit and value that validation text never "
                      "shows after each of the N most frequent tokens; --greedy whether a token "
                      "can be the greedy choice.")
    model_arg(r)
    r.add_argument("--bit", type=int, help="state bit")
    r.add_argument("--value", type=int, choices=(0, 1), default=1)
    r.add_argument("--after", metavar="TOKEN", help="token id or one-token string")
    r.add_argument("--before", metavar="TOKEN", help="with --after: right after this token "
                   "then the --after token")
    r.add_argument("--ever", action="store_true", help="at any time (h0 included)")
    r.add_argument("--greedy", nargs="+", metavar="TOKEN", help="instead: can each TOKEN (id "
                   "or one-token string) be the greedy choice of a reachable state? (the design "
                   "holds V-1 score comparisons per token: for models of a few hundred tokens)")
    r.add_argument("--method", choices=("pdr", "bmc"), default="pdr")
    r.add_argument("--timeout", type=number(float, 1, 86400), default=60.0,
                   help="seconds per question (default 60)")
    r.add_argument("--frames", type=pos_int, default=50, help="bmc: tokens (default 50)")
    r.add_argument("--survey", type=pos_int, metavar="N", help="survey the N most frequent "
                   "tokens of validation text (see above)")
    r.add_argument("--bigrams", action="store_true", help="survey the N most frequent pairs "
                   "of consecutive tokens instead (bit i after b then u)")
    data_args(r)
    r.add_argument("--json", help="also write the answers to this JSON file")
    r.set_defaults(fn=cmd_reach)

    xp = ls.add_parser("explore", help="a static HTML page: a story written token by token, "
                       "the state bits lighting up, a click on a bit shows its rule",
                       description="Write one self-contained HTML page (no server): the "
                       "golden engine writes a story from --prompt; the state bits after each "
                       "token light up, grouped by module (weakly connected components of the "
                       "bit dependency graph) and named where 'trnn logic explain' names them; "
                       "a click on a bit shows its decompiled rule, its statistics on "
                       "validation text and the tokens that set and clear it. page.html#step=N"
                       "&bit=I opens at step N with bit I selected.")
    model_arg(xp)
    xp.add_argument("-o", "--output", default="explorer.html",
                    help="page file (default explorer.html)")
    xp.add_argument("--prompt", default="Once upon a time", help="text to start from")
    xp.add_argument("--max-tokens", type=pos_int, default=60, help="tokens to generate "
                    "(default 60)")
    xp.add_argument("--temperature", type=number(float, 0), default=0.0,
                    help="0 = greedy (default)")
    xp.add_argument("--seed", type=number(int, 0, 2**32 - 2), default=0)
    xp.add_argument("--title", help="page title (default: the model's name)")
    xp.add_argument("--screenshot", metavar="PNG", help="also save a picture of the page "
                    "(headless Chromium)")
    xp.add_argument("--shot-step", type=number(int, 0), help="the screenshot's step")
    xp.add_argument("--shot-bit", type=number(int, 0), help="the bit selected in it")
    xp.add_argument("--no-stats", action="store_true", help="no validation statistics (no "
                    "data needed; bits stay numbered)")
    data_args(xp)
    xp.set_defaults(fn=cmd_explore)

    sp = ls.add_parser("split", help="dependency graph of state bits: SCCs, components, a "
                       "picture; before and after pruning on validation text",
                       description="Graph of state bits (j → i when bit j feeds a gate of bit "
                       "i) and bits → tokens; strongly connected components and weakly "
                       "connected components. Unless --no-prune, also prunes the weights that "
                       "never change a gate on the validation text (verified by re-running "
                       "it) and reports the graph again.")
    model_arg(sp)
    data_args(sp)
    sp.add_argument("--no-prune", action="store_true", help="graph of the model only")
    sp.add_argument("--png", help="draw the graphs (force-directed layout) to this PNG")
    sp.add_argument("--pruned", help="save the pruned model file here")
    sp.add_argument("--json", help="also write the numbers to this JSON file")
    sp.set_defaults(fn=cmd_split)

    ex = ls.add_parser("explain", help="per-bit statistics over validation text, as a "
                       "browsable Markdown report",
                       description="For every state bit: how often it is set, which tokens "
                       "turn it on and off (count and lift), and examples of the text before "
                       "each event — so a person can label bits.")
    model_arg(ex)
    data_args(ex)
    ex.add_argument("-o", "--output", default="bits.md", help="report file (default bits.md)")
    ex.add_argument("--top", type=pos_int, default=5,
                    help="print this many most label-like bits")
    ex.set_defaults(fn=cmd_explain)

    au = ls.add_parser("automaton", help="train on a task with a known automaton (running "
                       "sum mod p, or bracket depth up to D) and recover it from the trained "
                       "machine",
                       description="Train the same kind of model on a task with a known "
                       "automaton — the running sum of digits mod p (--task sum), or the depth "
                       "of brackets saturating at D (--task depth: '(' adds 1 up to D, ')' "
                       "takes 1 down to 0, digits leave it, the output is the depth as a "
                       "digit) — extract the states reachable from h0, minimise them "
                       "(Moore partition refinement, output = greedy token) and check that the "
                       "minimal machine is the task's automaton (p or D + 1 states). Exit "
                       "status 1 if it is not.")
    au.add_argument("--task", choices=["sum", "depth"], default="sum",
                    help="'sum': running sum of digits mod p (default); 'depth': bracket "
                    "depth up to D")
    au.add_argument("--p", type=number(int, 2, 64, why=" (the hand-built machine has "
                    "p(p+1) state bits)"),
                    help="modulus of --task sum, 2..64 (default 3; see the docs for what "
                    "trains)")
    au.add_argument("--bound", type=number(int, 1, 9, why=" (the depth is output as one "
                    "digit)"), metavar="D",
                    help="bound D of --task depth, 1..9 (default 3; see the docs for what "
                    "trains)")
    au.add_argument("--seed", type=number(int, 0, 2**32 - 1, why=" (NumPy seeds are 32 "
                    "bits)"), default=0, help="training seed (default 0)")
    au.add_argument("--state-bits", type=pos_int, help="H (default 16)")
    au.add_argument("--steps", type=pos_int, help="maximum training steps (default 2000)")
    au.add_argument("--lr", type=number(float, above=0), help="learning rate (default 0.03; "
                    "the language models' recipe: 0.1)")
    au.add_argument("--gate-noise", type=number(float, 0), dest="gate_noise",
                    help="stochastic binary units, decaying to 0 (default 0; the language "
                    "models' recipe: 0.5)")
    au.add_argument("--seq-len", type=pos_int, dest="seq_len", help="training sequence "
                    "length (default 16)")
    au.add_argument("--constructed", action="store_true", help="analyse the hand-built "
                    "machine for the task (one state bit per automaton state and last token) "
                    "instead of training one")
    au.add_argument("--save", help="save the machine as a model file")
    au.add_argument("--json", help="also write the report to this JSON file")
    au.set_defaults(fn=cmd_automaton)

    d = sub.add_parser("decompile", help="write the model as one readable, standalone Python "
                       "program", description="Write a standard-library-only Python program "
                       "that generates exactly what 'trnn generate' does with this model "
                       "(greedy and seeded sampling), with one named rule per state bit.")
    d.add_argument("model", help="model file or shipped model name")
    d.add_argument("-o", "--output", default="talker.py", help="program file (default "
                   "talker.py)")
    d.add_argument("--names", action="store_true", help="name the state bits that 'trnn logic "
                   "explain' names on validation text (--data, --stories), in the rules too")
    d.add_argument("--data", help="validation text for --names (default: TRNN_DATA or the "
                   "cache)")
    d.add_argument("--stories", type=pos_int, default=200, help="validation stories for "
                   "--names (default 200)")
    d.add_argument("--classes", choices=["auto", "off", "features", "needs"], default="auto",
                   help="how the rules read the token: 'off' its embedding bits; 'features' "
                   "the classes of tokens with equal embeddings, each embedding bit defined as "
                   "a set of classes; 'needs' every rule as the state literals each class needs "
                   "(longer); 'auto' (default) 'features' for a model trained with "
                   "--token-classes, else 'off'")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    d.set_defaults(fn=cmd_decompile)
