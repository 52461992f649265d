"""The trnn model file: a versioned container of named integer arrays.

Layout (all integers little-endian; see ``docs/machine.md`` for the normative text):

====== ======= ==========================================================
offset size    field
====== ======= ==========================================================
0      4       magic ``b"TRNN"``
4      2       format version (u16), currently :data:`FORMAT_VERSION`
6      4       header length ``n`` in bytes (u32)
10     n       header: UTF-8 JSON object with keys ``config``, ``arrays``,
               ``data_nbytes`` and ``data_crc32``
10+n   ...     data section: the arrays, each at its ``offset`` (relative
               to the start of the data section), C order, no padding rules
====== ======= ==========================================================

Each entry of ``arrays`` is ``{"name", "dtype", "shape", "offset", "nbytes"}`` where
``dtype`` is one of :data:`DTYPES`. ``data_crc32`` is the CRC-32 (zlib) of the whole data
section, so a truncated or corrupted file is detected on load.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np

MAGIC = b"TRNN"
FORMAT_VERSION = 1

#: dtype names used in the header and the NumPy dtypes they denote (little-endian).
DTYPES = {
    "i8": np.dtype("<i1"),
    "u8": np.dtype("<u1"),
    "i16": np.dtype("<i2"),
    "i32": np.dtype("<i4"),
    "u32": np.dtype("<u4"),
    "f32": np.dtype("<f4"),
}
_NAMES = {v: k for k, v in DTYPES.items()}


class ModelFileError(Exception):
    """A model file that cannot be used; the message is one line meant for the user."""


def write_model_file(path: str | os.PathLike, config: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``config`` and ``arrays`` to ``path`` atomically (temp file + rename)."""
    entries = []
    chunks = []
    offset = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        if dt not in _NAMES:
            raise ValueError(f"array {name!r} has unsupported dtype {arr.dtype}")
        raw = arr.astype(dt, copy=False).tobytes()
        entries.append({"name": name, "dtype": _NAMES[dt], "shape": list(arr.shape),
                        "offset": offset, "nbytes": len(raw)})
        chunks.append(raw)
        offset += len(raw)
    data = b"".join(chunks)
    header = json.dumps({"config": config, "arrays": entries, "data_nbytes": len(data),
                         "data_crc32": zlib.crc32(data)}, sort_keys=True).encode()
    blob = MAGIC + struct.pack("<HI", FORMAT_VERSION, len(header)) + header + data
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a model file is for sharing
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_model_file(path: str | os.PathLike) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a model file; raise :class:`ModelFileError` with a one-line reason if unusable."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"model file not found: {path}") from None
    except IsADirectoryError:
        raise ModelFileError(f"model path is a directory, not a file: {path}") from None
    except OSError as e:
        raise ModelFileError(f"cannot read model file {path}: {e.strerror}") from None
    if len(blob) < 10 or blob[:4] != MAGIC:
        raise ModelFileError(f"{path} is not a trnn model file (bad magic)")
    version, hlen = struct.unpack("<HI", blob[4:10])
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{path} has format version {version}, newer than this trnn "
                             f"understands ({FORMAT_VERSION}); upgrade trnn")
    if version < 1:
        raise ModelFileError(f"{path} has invalid format version {version}")
    if len(blob) < 10 + hlen:
        raise ModelFileError(f"{path} is truncated (header incomplete)")
    try:
        header = json.loads(blob[10:10 + hlen].decode("utf-8"))
        data = blob[10 + hlen:]
        nbytes = int(header["data_nbytes"])
        crc = int(header["data_crc32"])
        entries = header["arrays"]
        config = header["config"]
    except (ValueError, KeyError, TypeError):
        raise ModelFileError(f"{path} has a corrupt header") from None
    if len(data) < nbytes:
        raise ModelFileError(f"{path} is truncated ({len(data)} of {nbytes} data bytes)")
    if len(data) > nbytes:
        raise ModelFileError(f"{path} has {len(data) - nbytes} unexpected trailing bytes")
    if zlib.crc32(data) != crc:
        raise ModelFileError(f"{path} is corrupt (data checksum mismatch)")
    arrays = {}
    for e in entries:
        try:
            dt = DTYPES[e["dtype"]]
            shape = tuple(int(s) for s in e["shape"])
            start, n = int(e["offset"]), int(e["nbytes"])
            if n != dt.itemsize * int(np.prod(shape, dtype=np.int64)) or start + n > nbytes:
                raise ValueError
            arrays[e["name"]] = np.frombuffer(data, dtype=dt, count=n // dt.itemsize,
                                              offset=start).reshape(shape).copy()
        except (KeyError, ValueError, TypeError):
            raise ModelFileError(f"{path} has a corrupt array entry {e.get('name')!r}") from None
    return config, arrays
