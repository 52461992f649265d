"""Shared fixtures: small synthetic TinyStories-format data the tests make themselves."""

from __future__ import annotations

import random

import pytest

WORDS = ("the cat dog sun tree ball girl boy happy sad big little ran jumped saw "
         "played with a and was in on to his her friend mom said").split()


def make_stories(n: int, seed: int) -> list[str]:
    """``n`` short pseudo-stories, deterministic in ``seed`` (ASCII only)."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        sents = []
        for _ in range(r.randint(2, 5)):
            w = [r.choice(WORDS) for _ in range(r.randint(3, 8))]
            sents.append(" ".join(w).capitalize() + ".")
        para = " ".join(sents)
        out.append("Once upon a time. " + para + ("\n" + para if r.random() < 0.3 else ""))
    return out


def write_split(path, stories):
    path.write_text("".join(s + "\n<|endoftext|>\n" for s in stories), encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """A directory with ``train.txt`` (300 stories) and ``valid.txt`` (20 stories)."""
    d = tmp_path_factory.mktemp("data")
    write_split(d / "train.txt", make_stories(300, 1))
    write_split(d / "valid.txt", make_stories(20, 2))
    return d


def trnn_argv() -> list[str]:
    """The ``trnn`` command as a user starts it: the console script beside the interpreter
    (``.venv/bin/trnn``) when there is one, else ``python -m trnn``."""
    import os
    import sys
    exe = os.path.join(os.path.dirname(sys.executable), "trnn")
    return [exe] if os.path.isfile(exe) else [sys.executable, "-m", "trnn"]


def system_path_env(**extra) -> dict[str, str]:
    """``os.environ`` with PATH cut to the system directories, as on a fresh machine where the
    venv is not activated; ``extra`` added."""
    import os
    return {**os.environ, "PATH": "/usr/bin:/bin", **extra}


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (Linux /proc)."""
    import os
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return out
