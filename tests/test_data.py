import lzma

import numpy as np
import pytest

from trnn.model.data import DataError, encode_stream, read_stories, resolve_split
from trnn.model.ngram import NGram
from trnn.model.tokenizer import Tokenizer

TEXT = "First story.\nSecond paragraph.\n<|endoftext|>\n  Story two.  \n<|endoftext|>\n"


def test_read_plain_and_xz(tmp_path):
    (tmp_path / "valid.txt").write_text(TEXT)
    (tmp_path / "train.txt.xz").write_bytes(lzma.compress(TEXT.encode()))
    want = ["First story.\nSecond paragraph.", "Story two."]
    assert read_stories(resolve_split(tmp_path, "valid")) == want
    assert read_stories(resolve_split(tmp_path, "train")) == want
    assert read_stories(tmp_path / "valid.txt", limit=1) == want[:1]


def test_bad_data_one_line(tmp_path):
    with pytest.raises(DataError, match="no valid.txt"):
        resolve_split(tmp_path, "valid")
    (tmp_path / "x.txt.xz").write_bytes(b"not xz at all")
    with pytest.raises(DataError, match="not a valid .xz"):
        read_stories(tmp_path / "x.txt.xz")
    (tmp_path / "y.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(DataError, match="not UTF-8"):
        read_stories(tmp_path / "y.txt")


def test_stream_layout():
    tok = Tokenizer.bytes()
    s = encode_stream(tok, ["ab", "c"])
    assert s.tolist() == [256, 97, 98, 256, 99, 256]


def test_ngram_orders_improve():
    from conftest import make_stories
    train, valid = make_stories(400, 1), make_stories(30, 2)
    bpbs = [NGram(n, train).bpb(valid) for n in (1, 3, 5)]
    assert bpbs[0] > bpbs[1] > bpbs[2]
    # an unseen byte still gets nonzero probability (interpolation down to uniform)
    assert np.isfinite(NGram(3, train).bpb(["zzz \u2603"]))


def test_ngram_probabilities_sum_to_one():
    m = NGram(3, ["abcab", "abd", "ba"])
    for hist in ([], [97], [97, 98], [120, 121]):   # seen and unseen contexts
        p = m.distribution(hist)
        assert p.shape == (257,) and np.all(p > 0)
        assert abs(p.sum() - 1.0) < 1e-12
    # 'ab' was followed by c, EOT, d: those dominate
    p = m.distribution([97, 98])
    assert p[ord("c")] > p[ord("z")] and p[ord("d")] > p[ord("z")]


def test_download_writes_tinystories_layout(tmp_path, monkeypatch):
    """The hub path, with a stand-in ``datasets`` module (no network in tests)."""
    import sys
    import types

    rows = {"train": [{"text": "One.\n\nTwo."}, {"text": " Three. "}, {"text": "Four."}],
            "validation": [{"text": "Val story."}]}
    fake = types.ModuleType("datasets")
    fake.load_dataset = lambda name, split: rows[split]
    monkeypatch.setitem(sys.modules, "datasets", fake)
    from trnn.model.data import download_tinystories
    out = download_tinystories(tmp_path / "ts", max_train=2)
    assert read_stories(out / "train.txt") == ["One.\nTwo.", "Three."]
    assert read_stories(resolve_split(out, "valid")) == ["Val story."]
