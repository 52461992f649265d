"""Token classes by distribution, for a model whose state sees only the class of the token it
reads (``trnn train --token-classes C``).

Each token ``t`` is described by its neighbours in the training stream: the Hellinger
embedding ``[√P(next | t), √P(previous | t)]`` (two vectors of V probabilities from the bigram
counts), and the V tokens are grouped by k-means (scikit-learn's ``KMeans``, weighted by each
token's count) into C classes. This is the distributional clustering behind class-based
language models (Brown et al. 1992, "Class-based n-gram models of natural language"), with
k-means in place of Brown's greedy merges of mutual information.

With classes, every rule of the decompiled program reads "the class of the token" instead of
embedding bits: tokens of one class give every gate the same contribution
(``trnn.logic.decompile``).
"""

from __future__ import annotations

import warnings

import numpy as np


def distributional_classes(stream: np.ndarray, vocab_size: int, classes: int, seed: int = 0
                           ) -> np.ndarray:
    """Class of each token, int64 [vocab_size] with values in ``0..classes-1``, every class
    used, numbered by its first token id (class 0 holds token 0).

    ``stream`` is the training token stream (ints in ``0..vocab_size-1``, at least two);
    ``seed`` fixes the k-means initialisation, so the same stream gives the same classes.
    Tokens that never occur have an all-zero description and join the class k-means puts it
    in. ``ValueError`` for ``classes`` outside ``1..vocab_size`` or a stream too short."""
    from sklearn.cluster import KMeans  # only training with classes needs scikit-learn
    from sklearn.exceptions import ConvergenceWarning

    V, C = int(vocab_size), int(classes)
    if not 1 <= C <= V:
        raise ValueError(f"token classes must be in 1..{V} (the vocabulary), got {C}")
    s = np.asarray(stream, dtype=np.int64)
    if s.ndim != 1 or len(s) < 2:
        raise ValueError("the token stream needs at least two tokens")
    if s.min() < 0 or s.max() >= V:
        raise ValueError(f"token ids must be in 0..{V - 1}")
    pairs = np.bincount(s[:-1] * V + s[1:], minlength=V * V).reshape(V, V).astype(np.float64)
    # P(next | t) from row t, P(previous | t) from column t
    out_n = pairs.sum(axis=1, keepdims=True)
    in_n = pairs.sum(axis=0, keepdims=True)
    nxt = np.sqrt(pairs / np.maximum(out_n, 1))
    prv = np.sqrt((pairs / np.maximum(in_n, 1)).T)
    feats = np.concatenate([nxt, prv], axis=1)
    count = np.bincount(s, minlength=V).astype(np.float64)
    km = KMeans(n_clusters=C, n_init=4, random_state=seed)
    with warnings.catch_warnings():
        # fewer distinct descriptions than classes (tokens that never occur): handled below
        warnings.simplefilter("ignore", ConvergenceWarning)
        raw = km.fit_predict(feats, sample_weight=count + 1.0)
    # k-means leaves a cluster empty only in degenerate cases: give each missing one the most
    # frequent token of the then largest class (it has two or more, as C <= V)
    for missing in sorted(set(range(C)) - set(raw.tolist())):
        members = np.flatnonzero(raw == np.bincount(raw, minlength=C).argmax())
        raw[members[count[members].argmax()]] = missing
    order = {c: n for n, c in enumerate(dict.fromkeys(raw.tolist()))}
    return np.array([order[c] for c in raw.tolist()], dtype=np.int64)
