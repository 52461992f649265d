import numpy as np
import pytest

from trnn.model.machine import Machine
from trnn.model.tokenizer import EOT_BYTES, Tokenizer, TokenizerError

from conftest import make_stories


def test_bytes_tokenizer_roundtrip():
    t = Tokenizer.bytes()
    text = "Once upon a time, é ü\n\x00\xff"
    ids = t.encode(text)
    assert max(ids) < 256 and t.decode(ids) == text.encode()
    assert t.vocab_size == 257 and t.token_bytes[t.eot_id] == EOT_BYTES


@pytest.fixture(scope="module")
def bpe():
    return Tokenizer.train_bpe(make_stories(200, 3), vocab_size=300)


def test_bpe_roundtrip_and_merges(bpe):
    text = "Once upon a time. The cat ran with his friend. Ünïcode ☃"
    ids = bpe.encode(text)
    assert bpe.decode(ids) == text.encode()
    assert len(ids) < len(text.encode())          # merges were learned and used
    assert bpe.vocab_size == 300
    assert all(len(t) >= 1 for t in bpe.token_bytes)


def test_bpe_stored_in_model_file(bpe, tmp_path):
    m = Machine.random(np.random.default_rng(0), tokenizer=bpe)
    m.save(tmp_path / "b.trnn")
    t2 = Machine.load(tmp_path / "b.trnn").tokenizer
    text = "The happy dog saw the sun."
    assert t2.encode(text) == bpe.encode(text) and t2.token_bytes == bpe.token_bytes


def test_limited_alphabet_rejects_unknown_bytes():
    t = Tokenizer.train_bpe(make_stories(100, 4), vocab_size=60, limit_alphabet=30)
    t.encode("the cat")
    with pytest.raises(TokenizerError, match="cannot encode"):
        t.encode("the cat \u2603")


def test_bytes_kind_must_be_standard():
    bad = Tokenizer("bytes", [b"a", b"b"], 1)
    with pytest.raises(ValueError):
        Tokenizer.from_config(bad.to_config(), bad.to_arrays())
