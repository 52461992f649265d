"""A recorded run of a machine over validation stories: every step's token, states and choice.

:func:`run_trace` reads the stories exactly as :func:`trnn.model.evaluate.machine_bpb` does
(docs/machine.md §7): each story is read as EOT, its tokens, from ``h0``; all stories run as
one batch through :class:`trnn.model.golden.NumpyEngine`, longest first, finished stories
dropping off the end of the batch. It records, for every step (one *row* of the trace):

- ``story``: the index of the story in the list given to :func:`run_trace`,
- ``pos``: the step's position in that story, ``0`` for the opening EOT, ``k`` for the
  story's ``k``-th token,
- ``token``: the input token of the step,
- ``target``: the token predicted after the step (the story's next token, or the closing EOT
  after the last one),
- ``h_before`` / ``h_after``: the state the gates read and the state the step returns. Each
  story starts from ``h0`` and its first input is EOT, so ``h_before`` at ``pos == 0`` is
  ``h0`` and the EOT reset of §2 changes nothing: ``h_before`` is exactly the state part of
  the gate input ``x`` of every step,
- ``greedy``: the greedy token (§4) of ``h_after``, i.e. the machine's prediction of
  ``target``.

Rows are in story order and, within a story, in position order, so the text before a row is
the story's earlier rows (:meth:`Trace.context`). The closing EOT is predicted but not read,
as in evaluation, so a story of ``n`` tokens has ``n + 1`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trnn.model.evaluate import run_stories
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine

EOT_MARK = "⟨EOT⟩"


def token_text(m: Machine, v: int) -> str:
    """Token ``v`` as text (``⟨EOT⟩`` for the end-of-story token), not yet escaped."""
    if v == m.eot_id:
        return EOT_MARK
    return m.tokenizer.decode([v]).decode("utf-8", errors="replace")


@dataclass
class Trace:
    """The steps of a machine on a list of stories; all arrays have one row per step.

    ``story``, ``pos``, ``token``, ``target``, ``greedy``: int32 [T]; ``h_before``,
    ``h_after``: uint8 [T, H]; ``starts``: int64 [S + 1], story ``s`` owns rows
    ``starts[s] : starts[s + 1]`` (its row ``starts[s]`` is the opening EOT). ``eot_id`` is the
    machine's end-of-story token."""

    story: np.ndarray
    pos: np.ndarray
    token: np.ndarray
    target: np.ndarray
    h_before: np.ndarray
    h_after: np.ndarray
    greedy: np.ndarray
    starts: np.ndarray
    eot_id: int

    def __len__(self) -> int:
        return int(self.token.shape[0])

    @property
    def n_stories(self) -> int:
        """The number of stories traced."""
        return int(self.starts.shape[0] - 1)

    @property
    def H(self) -> int:
        """State bits of the traced machine."""
        return int(self.h_after.shape[1])

    def story_tokens(self, s: int) -> np.ndarray:
        """The token ids of story ``s`` (without the EOTs around it)."""
        return self.token[self.starts[s] + 1:self.starts[s + 1]]

    def context(self, row: int, m: Machine, chars: int = 40, mark: tuple[str, str] = ("⟦", "⟧")
                ) -> str:
        """Up to ``chars`` characters of story text before row ``row``, followed by the row's
        input token between ``mark``; the opening EOT is shown as ``⟨EOT⟩``. Bytes are decoded
        as UTF-8 with replacement characters where a token splits a character."""
        s = int(self.story[row])
        tok = int(self.token[row])
        start = int(self.starts[s])
        prev = self.token[max(start + 1, row - chars):row]
        before = m.tokenizer.decode(prev.tolist()).decode("utf-8", errors="replace")[-chars:]
        return before + mark[0] + token_text(m, tok) + mark[1]


def _run(m: Machine, enc: list[list[int]], progress: bool = False, engine=None) -> Trace:
    """Trace of already-encoded stories ``enc`` (see the module docstring)."""
    if not enc:
        raise ValueError("no stories to trace")
    eng = engine or NumpyEngine(m)
    S, H = len(enc), m.H
    n_rows = np.array([len(e) + 1 for e in enc], dtype=np.int64)     # EOT + tokens
    starts = np.zeros(S + 1, dtype=np.int64)
    starts[1:] = np.cumsum(n_rows)
    T = int(starts[-1])

    token = np.empty(T, dtype=np.int32)
    target = np.empty(T, dtype=np.int32)
    greedy = np.empty(T, dtype=np.int32)
    h_before = np.empty((T, H), dtype=np.uint8)
    h_after = np.empty((T, H), dtype=np.uint8)
    story = np.repeat(np.arange(S, dtype=np.int32), n_rows)
    pos = (np.arange(T, dtype=np.int64) - np.repeat(starts[:-1], n_rows)).astype(np.int32)

    prev = eng.initial_state(S)           # batch rows follow run_stories' order
    for t, rows, inputs, targets, h in run_stories(eng, enc, m.eot_id, progress):
        dest = starts[rows] + t
        h_before[dest] = prev[:len(rows)]
        h_after[dest] = h
        token[dest] = inputs
        target[dest] = targets
        greedy[dest] = np.argmax(eng.scores(h), axis=1)            # ties: lowest id
        prev = h
    return Trace(story=story, pos=pos, token=token, target=target, h_before=h_before,
                 h_after=h_after, greedy=greedy, starts=starts, eot_id=int(m.eot_id))


def run_trace(m: Machine, stories: list[str], progress: bool = False, engine=None) -> Trace:
    """Run ``stories`` through ``m`` as evaluation does and record every step (module docs).

    ``engine`` (default :class:`~trnn.model.golden.NumpyEngine`) needs ``initial_state``,
    ``step`` and ``scores`` returning NumPy arrays. Raises
    :class:`trnn.model.tokenizer.TokenizerError` if a story cannot be encoded and
    ``ValueError`` if there are no stories."""
    return _run(m, [m.tokenizer.encode(s) for s in stories], progress, engine)


def replay(m: Machine, trace: Trace, progress: bool = False, engine=None) -> Trace:
    """Run machine ``m`` (e.g. a pruned copy of the traced one) on the same token stories as
    ``trace``; the result has the same rows, so states and choices compare with ``==``."""
    return _run(m, [trace.story_tokens(s).tolist() for s in range(trace.n_stories)], progress,
                engine)
