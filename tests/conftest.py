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
