import json
import struct

import numpy as np
import pytest

from trnn.model.machine import Machine
from trnn.model.modelfile import FORMAT_VERSION, ModelFileError, read_model_file


@pytest.fixture
def saved(tmp_path):
    m = Machine.random(np.random.default_rng(0))
    p = tmp_path / "m.trnn"
    m.save(p)
    return m, p


def test_roundtrip_is_exact(saved):
    m, p = saved
    m2 = Machine.load(p)
    assert m2.cell == m.cell and m2.meta == m.meta
    for name in ("embedding", "h0", "R", "c", "noise"):
        a, b = getattr(m, name), getattr(m2, name)
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for g in m.gates:
        assert np.array_equal(m.W[g], m2.W[g]) and np.array_equal(m.theta[g], m2.theta[g])
    assert m2.tokenizer.token_bytes == m.tokenizer.token_bytes
    assert m2.logit_scale == m.logit_scale


def test_header_lists_every_array_with_dtype_and_shape(saved):
    _, p = saved
    config, arrays = read_model_file(p)
    assert config["cell"] == "gated"
    assert arrays["W_update"].dtype == np.int8 and arrays["W_update"].shape == (12, 18)
    assert arrays["theta_cand"].dtype == np.int32


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b[:len(b) - 7], "truncated"),
    (lambda b: b[:8], "not a trnn model file"),
    (lambda b: b"XXXX" + b[4:], "bad magic"),
    (lambda b: b[:4] + struct.pack("<H", FORMAT_VERSION + 1) + b[6:], "newer than this trnn"),
    (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "checksum"),
    (lambda b: b + b"\0", "trailing"),
])
def test_bad_files_give_one_line_errors(saved, tmp_path, mutate, message):
    _, p = saved
    bad = tmp_path / "bad.trnn"
    bad.write_bytes(mutate(p.read_bytes()))
    with pytest.raises(ModelFileError) as e:
        Machine.load(bad)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        Machine.load(tmp_path / "nope.trnn")


def test_invalid_contents_rejected(tmp_path):
    m = Machine.random(np.random.default_rng(1))
    m.W["cand"] = m.W["cand"] * 2  # not ternary
    with pytest.raises(ModelFileError, match="ternary"):
        m.save(tmp_path / "x.trnn")


def test_header_is_json(saved):
    _, p = saved
    raw = p.read_bytes()
    (hlen,) = struct.unpack("<I", raw[6:10])
    header = json.loads(raw[10:10 + hlen])
    assert set(header) == {"config", "arrays", "data_nbytes", "data_crc32"}
