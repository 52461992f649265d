"""TinyStories text: stories separated by lines that hold exactly ``<|endoftext|>``.

Files may be plain text or ``.xz``. :func:`default_data_dir` finds the shared copy next to a
checkout (``../shared/data/tinystories``); :func:`download_tinystories` fetches the corpus
from the Hugging Face hub for users who are online.
"""

from __future__ import annotations

import lzma
import os
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


def read_stories(path: str | os.PathLike, limit: int | None = None) -> list[str]:
    """The stories of a TinyStories text file, outer whitespace stripped, empty ones dropped."""
    path = Path(path)
    try:
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        raise DataError(f"data file not found: {path}") from None
    except (lzma.LZMAError, EOFError):
        raise DataError(f"{path} is not a valid .xz file") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{path} is not UTF-8 text (byte {e.start})") from None
    stories = []
    cur: list[str] = []
    for line in text.split("\n"):
        if line == EOT_TEXT:
            stories.append("\n".join(cur).strip())
            cur = []
        else:
            cur.append(line)
    stories.append("\n".join(cur).strip())
    stories = [s for s in stories if s]
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
