"""Simulation speed: how fast each engine runs the hardware design of the shipped models.

Engines: the Verilator harness behind a pty (`trnn sim`; whole board design, measured with a
`trnn talk` generation), cocotb driving the core's Verilog in Verilator or Icarus (the core
bench of tests/test_cocotb.py), and Amaranth's Python simulator (the core). Cycles per second
are simulated clock cycles per wall-clock second; tokens per second follow from the cycles
per token of `trnn.hdl.system.cycles_per_token` (plus the UART in the harness, measured end to end). Results:
benchmarks/results/sim.{md,json}.

    python benchmarks/sim.py [--models small,large]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def harness_row(m, name):
    from trnn.boards.host import Client, open_serial
    from trnn.hdl import protospec as ps
    from trnn.sim.device import SimDevice, build_harness
    from trnn.sim.verilog import system_verilog
    clk, baud = 12_000_000, 3_000_000
    t0 = time.time()
    exe = build_harness(system_verilog(m, clk, baud), log=lambda _: None)
    build_s = time.time() - t0
    n = 300
    with SimDevice(exe, clk // baud) as dev:
        port = open_serial(dev.path, baud)
        client = Client(port, timeout=30)
        client.info()
        c0, t0 = dev.cycles_now(), time.time()
        toks, _ = client.generate(ps.GenerateRequest((1, 2), n, 200, seed=1, stop_at_eot=False))
        dt = time.time() - t0
        cycles = dev.cycles_now() - c0
        port.close()
    return {"engine": "Verilator harness (pty, whole board, 3 Mbaud)", "model": name,
            "build_s": round(build_s, 1), "cycles_per_s": round(cycles / dt),
            "tokens_per_s": round(len(toks) / dt, 1)}


def cocotb_row(m, name, sim):
    from trnn.sim.plans import core_plan, run_core
    from trnn.hdl.system import cycles_per_token
    from trnn.sim.runner import available
    reason = available(sim)
    if reason:
        return {"engine": f"cocotb + {sim}", "model": name, "note": reason}
    the_plan = core_plan(m, 1, 2000)
    build = ROOT / "build" / "sim"
    t0 = time.time()
    failed = run_core(sim, m, the_plan, name, build)
    total = time.time() - t0
    xml = next((build / f"{sim}-core-{name}").glob("*/results-core_bench.xml"))
    case = ET.parse(xml).getroot().find(".//testcase")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    sim_ns, real_s = float(props["sim_time_duration"]), float(case.get("time"))
    cps = sim_ns / 10 / real_s
    return {"engine": f"cocotb + {sim} (core, Python drives every handshake)", "model": name,
            "build_s": round(total - real_s, 1), "cycles_per_s": round(cps),
            "tokens_per_s": round(cps / cycles_per_token(m), 1), "failed": failed}


def amaranth_row(m, name):
    from amaranth.sim import Simulator

    from trnn.hdl.core import Core
    dut = Core(m)
    n, cycles = 4, [0]

    async def bench(ctx):
        ctx.set(dut.tq, 200)
        ctx.set(dut.choice.ready, 1)
        tok = m.eot_id
        for _ in range(n):
            ctx.set(dut.tokens_in.payload, {"token": tok, "choose": 1})
            ctx.set(dut.tokens_in.valid, 1)
            await ctx.tick()
            cycles[0] += 1
            ctx.set(dut.tokens_in.valid, 0)
            while not ctx.get(dut.choice.valid):
                await ctx.tick()
                cycles[0] += 1
            tok = ctx.get(dut.choice.payload)
            await ctx.tick()
            cycles[0] += 1

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    t0 = time.time()
    sim.run()
    dt = time.time() - t0
    return {"engine": "Amaranth simulator (core, Python testbench)", "model": name,
            "build_s": 0.0, "cycles_per_s": round(cycles[0] / dt),
            "tokens_per_s": round(n / dt, 2)}


def main(argv=None):
    from trnn.model.machine import Machine
    from trnn.models import shipped_path
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="small,large")
    a = p.parse_args(argv)
    rows = []
    for name in a.models.split(","):
        m = Machine.load(shipped_path(name))
        for fn in (lambda: harness_row(m, name), lambda: cocotb_row(m, name, "verilator"),
                   lambda: cocotb_row(m, name, "icarus"), lambda: amaranth_row(m, name)):
            row = fn()
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sim.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# Simulation speed", "", "Written by `python benchmarks/sim.py` on the 2-core "
             "machine. `build s`: time to have a runnable simulation in that run (writing the "
             "Verilog, plus verilating and compiling unless that build was cached). The harness "
             "row is a 300-token generation through its pty; the cocotb row the core bench "
             "(2,000 stepping steps and three generations); the Amaranth row four tokens.", "", "| engine | model | build s | cycles/s | tokens/s | note |",
             "|---|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['model']} | {r.get('build_s', '')} | "
                     f"{r.get('cycles_per_s', ''):,} | {r.get('tokens_per_s', '')} | "
                     f"{r.get('note', '')} |" if "cycles_per_s" in r else
                     f"| {r['engine']} | {r['model']} | | | | {r.get('note', '')} |")
    (RESULTS / "sim.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
