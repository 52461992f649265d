"""TinyStories text: stories separated by lines that hold exactly ``<|endoftext|>``.

Files may be plain text or ``.xz``. :func:`default_data_dir` finds the shared copy next to a
checkout (``../shared/data/tinystories``); :func:`download_tinystories` fetches the corpus
from the Hugging Face hub for users who are online.
"""

from __future__ import annotations

import lzma
import os
import re
from pathlib import Path

import numpy as np

from .tokenizer import EOT_TEXT, Tokenizer


class DataError(Exception):
    """Unusable data; the message is one line for the user."""


def default_data_dir() -> Path | None:
    """``$TRNN_DATA``, else ``shared/data/tinystories`` beside the current directory or
    beside the repository that holds this file, if it exists."""
    env = os.environ.get("TRNN_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for base in (Path.cwd(), here):
        cand = base.parent / "shared" / "data" / "tinystories"
        if cand.is_dir():
            return cand
    return None


def resolve_split(path: str | os.PathLike | None, split: str) -> Path:
    """A data file: ``path`` itself if it is a file, else ``{split}.txt[.xz]`` inside the
    directory ``path`` (default: :func:`default_data_dir`)."""
    base = Path(path) if path is not None else default_data_dir()
    if base is None:
        raise DataError("no data found: pass --data PATH (a TinyStories .txt/.txt.xz file or "
                        "directory) or set TRNN_DATA, or use 'trnn data download'")
    if base.is_file():
        return base
    for name in (f"{split}.txt.xz", f"{split}.txt"):
        if (base / name).is_file():
            return base / name
    raise DataError(f"no {split}.txt or {split}.txt.xz in {base}")


# line breaks other systems write: Windows (CR LF), classic Mac OS (CR), Unicode line and
# paragraph separators, and NEL (from EBCDIC and Latin-1 conversions)
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# characters with no glyph that editors and converters leave in text: the byte-order mark
# (U+FEFF, also mid-file where files were concatenated), zero-width space/joiners and the
# word joiner; never part of a TinyStories story
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def _decode(raw: bytes, path: Path) -> str:
    """Text of a data file: UTF-8 (with or without a byte-order mark), or UTF-16 when it
    starts with a UTF-16 byte-order mark (Windows 'Unicode' text). DataError naming the file,
    line and column of the first byte that is not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path} starts with a UTF-16 byte-order mark but is not valid "
                            f"UTF-16") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataError(f"{path} is not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line}, "
                        f"column {col} (save it as UTF-8)") from None


def normalize_text(text: str) -> str:
    """``text`` with every kind of line break as ``\\n`` and the invisible characters above
    removed: what a clean TinyStories file holds."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def read_stories(path: str | os.PathLike, limit: int | None = None) -> list[str]:
    """The stories of a TinyStories text file (plain or ``.xz``), outer whitespace stripped,
    empty ones dropped; a story ends at a line that holds only ``<|endoftext|>`` (spaces
    around it allowed).

    Files as users have them give the same stories as the clean file: any line breaks
    (LF, CR LF, CR, U+2028/2029, NEL), a byte-order mark, zero-width characters, UTF-16
    with a byte-order mark (:func:`normalize_text`). DataError, naming the file (and line)
    and what is wrong: missing, not .xz, not UTF-8, the end-of-story marker inside a line,
    or no story at all."""
    path = Path(path)
    try:
        if path.suffix == ".xz":
            with lzma.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"data file not found: {path}") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a directory, not a data file") from None
    except (lzma.LZMAError, EOFError):
        raise DataError(f"{path} is not a valid .xz file") from None
    text = normalize_text(_decode(raw, path))
    stories = []
    cur: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip() == EOT_TEXT:
            story = "\n".join(cur).strip()
            cur = []
            if story:
                stories.append(story)
                if limit is not None and len(stories) >= limit:
                    break
        elif EOT_TEXT in line:
            raise DataError(f"{path}, line {number}: {EOT_TEXT} inside a line; the marker "
                            f"that ends a story must be alone on its line")
        else:
            cur.append(line)
    else:
        if "\n".join(cur).strip():
            stories.append("\n".join(cur).strip())
    if not stories:
        raise DataError(f"{path} holds no story (TinyStories text: stories separated by "
                        f"lines that hold only {EOT_TEXT})")
    return stories[:limit] if limit is not None else stories


def encode_stream(tok: Tokenizer, stories: list[str]) -> np.ndarray:
    """One token stream for training: EOT, story 1, EOT, story 2, …, EOT (int32)."""
    parts = [np.array([tok.eot_id], dtype=np.int32)]
    for s in stories:
        parts.append(np.asarray(tok.encode(s), dtype=np.int32))
        parts.append(np.array([tok.eot_id], dtype=np.int32))
    return np.concatenate(parts)


def download_tinystories(out_dir: str | os.PathLike, max_train: int | None = None) -> Path:
    """Write ``train.txt`` and ``valid.txt`` from the hub dataset ``roneneldan/TinyStories``
    (needs the ``datasets`` package and internet access)."""
    try:
        from datasets import load_dataset
    except ImportError:
        raise DataError("downloading needs the 'datasets' package: pip install datasets") from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for split, name in (("train", "train"), ("validation", "valid")):
        try:
            ds = load_dataset("roneneldan/TinyStories", split=split)
        except Exception as e:  # the hub client raises many types; report one line
            raise DataError(f"download failed: {type(e).__name__}: {e}".splitlines()[0]) from None
        tmp = out / f"{name}.txt.part"
        with open(tmp, "w", encoding="utf-8") as f:
            for i, row in enumerate(ds):
                if split == "train" and max_train is not None and i >= max_train:
                    break
                f.write(row["text"].strip().replace("\n\n", "\n") + f"\n{EOT_TEXT}\n")
        tmp.replace(out / f"{name}.txt")
    return out
