"""The simulated board as a serial device: Verilator harness of the whole design behind a pty.

``build_harness`` verilates the board's :class:`~trnn.hdl.system.System` together with
``harness.cpp`` into one executable (cached by a hash of the Verilog, the harness and the
Verilator version, so the second start is quick); ``SimDevice`` runs it and knows its pty.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

from ..boards.build import default_cache_dir
from .runner import simulator_env

HARNESS = Path(__file__).resolve().parent / "harness.cpp"


class SimError(Exception):
    """The simulated board could not be built or started; one line for the user."""


def build_harness(verilog: str, cache_dir: Path | None = None, log=print) -> Path:
    """The harness executable for this Verilog (top ``trnn_system``), built if not cached."""
    env = {**os.environ, **simulator_env("verilator")}
    try:
        version = subprocess.run(["verilator", "--version"], capture_output=True, text=True,
                                 env=env).stdout.strip()
    except OSError as e:
        raise SimError(f"cannot run Verilator: {e}") from None
    key = hashlib.sha256(verilog.encode() + HARNESS.read_bytes() + version.encode()).hexdigest()
    out = (cache_dir or default_cache_dir("sim")) / key[:20]
    exe = out / "obj" / "trnn_sim"
    if exe.exists():
        return exe
    out.mkdir(parents=True, exist_ok=True)
    (out / "trnn_system.v").write_text(verilog)
    log(f"verilating the simulated board into {out} (once per design; a few minutes)")
    # -O1 C++: the generated code is large and compile time dominates, while the harness still
    # has to run fast (it is the interactive device)
    cmd = ["verilator", "--cc", "--exe", "--build", "-j", "2", "-Wno-fatal", "-O3",
           "--x-assign", "fast", "--x-initial", "fast", "--top-module", "trnn_system",
           "-Mdir", str(out / "obj"), "-o", "trnn_sim", "-CFLAGS", "-O1",
           str(HARNESS), str(out / "trnn_system.v")]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    (out / "build.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0 or not exe.exists():
        raise SimError(f"Verilator build failed (exit {r.returncode}); log in "
                       f"{out / 'build.log'}")
    return exe


class SimDevice:
    """A running simulated board. Use as a context manager; ``path`` is its serial device."""

    def __init__(self, exe: Path, divisor: int, link: str | None = None):
        self.exe, self.divisor, self.link = exe, divisor, link
        self.proc = None
        self.path = None
        self.cycles = None   # clock cycles simulated, known once closed

    def __enter__(self):
        args = [str(self.exe), str(self.divisor)] + ([self.link] if self.link else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("pty "):
            self.close()
            raise SimError("the simulated board did not start")
        self.path = self.link or line[4:]
        return self

    def cycles_now(self) -> int:
        """Clock cycles simulated so far (asks the running harness)."""
        import signal
        self.proc.send_signal(signal.SIGUSR1)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("cycles "):
            raise SimError("the simulated board did not report its cycle count")
        return int(line.split()[1])

    def wait(self):
        return self.proc.wait()

    def close(self):
        if self.proc is None or self.proc.stdout.closed:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for line in self.proc.stdout.read().splitlines():
            if line.startswith("cycles "):
                self.cycles = int(line.split()[1])
        self.proc.stdout.close()

    def __exit__(self, *exc):
        self.close()


def wait_for(path: str, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SimError(f"{path} did not appear")
        time.sleep(0.01)
