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
    (tmp_path / "y.txt").write_bytes(b"ok\nstill ok \xff bad")
    with pytest.raises(DataError, match=r"y.txt is not UTF-8 text: byte 0xff at line 2, "
                                        r"column 10"):
        read_stories(tmp_path / "y.txt")
    (tmp_path / "z.txt").write_bytes(b"\xff\xfe\x00\xd8")   # UTF-16 mark, lone surrogate
    with pytest.raises(DataError, match="z.txt starts with a UTF-16 byte-order mark"):
        read_stories(tmp_path / "z.txt")


# the same file as other systems and editors write it
VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "cr": lambda t: t.replace("\n", "\r").encode(),
    "mixed": lambda t: "".join(line + ("\r\n", "\n", "\r")[i % 3]
                               for i, line in enumerate(t.split("\n")[:-1])).encode(),
    "bom": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "bom-crlf": lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(),
    "utf16-le": lambda t: t.replace("\n", "\r\n").encode("utf-16"),
    "utf16-be": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "unicode-separators": lambda t: t.replace("\n", "\u2028").encode(),
    "nel": lambda t: t.replace("\n", "\x85").encode(),
    "zero-width": lambda t: t.replace("story", "sto\u200bry").replace(
        "two", "\ufefftwo\u2060").encode(),
    "marker-with-spaces": lambda t: t.replace("<|endoftext|>\n", " <|endoftext|>\t\n").encode(),
    "no-final-newline": lambda t: t.rstrip("\n").encode(),
}


@pytest.mark.parametrize("kind", VARIANTS)
def test_data_as_users_have_it_gives_the_same_stories(tmp_path, kind):
    want = read_stories(_write(tmp_path / "clean.txt", TEXT.encode()))
    got = read_stories(_write(tmp_path / f"{kind}.txt", VARIANTS[kind](TEXT)))
    assert got == want == ["First story.\nSecond paragraph.", "Story two."]
    xz = _write(tmp_path / f"{kind}.txt.xz", lzma.compress(VARIANTS[kind](TEXT)))
    assert read_stories(xz) == want


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_same_bpb_whatever_the_line_endings(tmp_path):
    """`trnn eval` on the shipped model: CRLF, CR and UTF-16 copies of a file give the same
    story count and exactly the same bits per byte as the LF file."""
    import re

    from conftest import make_stories, write_split

    from trnn.main import main
    write_split(tmp_path / "lf.txt", make_stories(6, 3))
    text = (tmp_path / "lf.txt").read_text()
    for kind in ("crlf", "cr", "utf16-le"):
        _write(tmp_path / f"{kind}.txt", VARIANTS[kind](text))
    results = {}
    for kind in ("lf", "crlf", "cr", "utf16-le"):
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["eval", "small", "--data", str(tmp_path / f"{kind}.txt"),
                         "--stories", "5", "--quiet"]) == 0
        results[kind] = out.getvalue()
    assert re.search(r"\b5 stories\b", results["lf"]), results["lf"]
    assert len(set(results.values())) == 1, results


def test_marker_inside_a_line_names_the_file_and_line(tmp_path):
    path = _write(tmp_path / "bad.txt", b"One.\n<|endoftext|>\nTwo. <|endoftext|>\n")
    with pytest.raises(DataError, match=r"bad.txt, line 3: <\|endoftext\|> inside a line"):
        read_stories(path)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"<|endoftext|>\n<|endoftext|>\n",
                                     b"\xef\xbb\xbf\r\n"])
def test_a_file_without_stories_is_an_error(tmp_path, content):
    path = _write(tmp_path / "empty.txt", content)
    with pytest.raises(DataError, match="empty.txt holds no story"):
        read_stories(path)


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(DataError, match="d.txt is a directory"):
        read_stories(tmp_path / "d.txt")


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
