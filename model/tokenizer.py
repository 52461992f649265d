"""Tokenizers: raw bytes, and byte-level BPE trained with the ``tokenizers`` library.

Every token has a fixed byte string; decoding is concatenation of those byte strings. The
end-of-story token (``eot_id``) stands between stories; its byte string is
:data:`EOT_BYTES`, the separator line of the TinyStories text files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

EOT_TEXT = "<|endoftext|>"
EOT_BYTES = b"\n" + EOT_TEXT.encode() + b"\n"


class TokenizerError(ValueError):
    """Text that this tokenizer cannot encode; the message is one line for the user."""


def _byte_level_alphabet() -> dict[str, int]:
    """Map each character of the byte-level BPE alphabet back to the byte it stands for.

    Byte-level BPE writes every byte as one printable character: bytes that are printable in
    Latin-1 stand for themselves, the others are given code points 256, 257, … in byte order.
    """
    printable = [b for b in range(256)
                 if ord("!") <= b <= ord("~") or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    mapping = {chr(b): b for b in printable}
    extra = 256
    for b in range(256):
        if b not in printable:
            mapping[chr(extra)] = b
            extra += 1
    return mapping


@dataclass
class Tokenizer:
    """A vocabulary of byte strings plus the rule that turns text into token ids.

    ``kind`` is ``"bytes"`` (token ``b`` is the byte ``b`` for ``b < 256``), ``"bpe"``
    (encoding runs the stored ``tokenizers`` JSON) or ``"ids"`` (a vocabulary for test
    machines that runs token ids only and encodes no text). ``token_bytes[i]`` is token
    ``i``'s bytes.
    """

    kind: str
    token_bytes: list[bytes]
    eot_id: int
    bpe_json: str | None = None
    _hf: object = field(default=None, repr=False, compare=False)

    @property
    def vocab_size(self) -> int:
        """The number of tokens, V."""
        return len(self.token_bytes)

    # -- construction --------------------------------------------------------------------
    @classmethod
    def bytes(cls) -> "Tokenizer":
        """The raw-byte tokenizer: 256 byte tokens, then the end-of-story token (id 256)."""
        return cls("bytes", [bytes([b]) for b in range(256)] + [EOT_BYTES], 256)

    @classmethod
    def train_bpe(cls, texts: Iterable[str], vocab_size: int, limit_alphabet: int | None = None
                  ) -> "Tokenizer":
        """Train a byte-level BPE with ``vocab_size`` tokens (including the EOT token, id 0).

        With ``limit_alphabet`` only that many of the most frequent bytes become tokens; text
        with other bytes then cannot be encoded.
        """
        from tokenizers import Tokenizer as HF, decoders, models, pre_tokenizers, trainers

        if limit_alphabet is None and vocab_size < 257:
            raise TokenizerError(f"a BPE vocabulary over all 256 bytes needs vocab_size >= 257 "
                                 f"(got {vocab_size}); use --limit-alphabet for a smaller one")
        hf = HF(models.BPE())
        hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        hf.decoder = decoders.ByteLevel()
        kw = dict(vocab_size=vocab_size, special_tokens=[EOT_TEXT], show_progress=False)
        if limit_alphabet is None:
            kw["initial_alphabet"] = pre_tokenizers.ByteLevel.alphabet()
        else:
            kw["limit_alphabet"] = limit_alphabet
        hf.train_from_iterator(texts, trainers.BpeTrainer(**kw))
        return cls.from_bpe_json(hf.to_str())

    @classmethod
    def from_bpe_json(cls, bpe_json: str) -> "Tokenizer":
        """A ``bpe`` tokenizer from the ``tokenizers`` library's JSON serialisation; the
        vocabulary is its tokens' bytes."""
        vocab = json.loads(bpe_json)["model"]["vocab"]
        alphabet = _byte_level_alphabet()
        token_bytes: list[bytes] = [b""] * len(vocab)
        for piece, idx in vocab.items():
            token_bytes[idx] = (EOT_BYTES if piece == EOT_TEXT
                                else bytes(alphabet[ch] for ch in piece))
        eot = vocab[EOT_TEXT]
        return cls("bpe", token_bytes, eot, bpe_json)

    # -- use -------------------------------------------------------------------------------
    def encode(self, text: str | bytes) -> list[int]:
        """Token ids for ``text`` (no EOT added). Raises :class:`TokenizerError` if the
        text has bytes this vocabulary cannot represent."""
        raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        if self.kind == "bytes":
            return list(raw)
        if self.kind != "bpe":
            raise TokenizerError(f"a {self.kind!r} vocabulary cannot encode text")
        if self._hf is None:
            from tokenizers import Tokenizer as HF
            self._hf = HF.from_str(self.bpe_json)
        try:
            ids = self._hf.encode(raw.decode("utf-8"), add_special_tokens=False).ids
        except UnicodeDecodeError:
            raise TokenizerError("text is not valid UTF-8, which a BPE tokenizer needs") from None
        if self.decode(ids) != raw:
            missing = sorted(set(raw) - {t[0] for t in self.token_bytes if len(t) == 1})
            what = (", ".join(f"0x{b:02x}" for b in missing[:8]) if missing
                    else repr(EOT_TEXT) + " (reserved)")
            raise TokenizerError(f"text has bytes the tokenizer cannot encode: {what}")
        return ids

    def decode(self, ids: Iterable[int]) -> bytes:
        """The bytes of token ids ``ids`` (not necessarily UTF-8; docs/machine.md §6)."""
        return b"".join(self.token_bytes[i] for i in ids)

    # -- storage inside the model file -------------------------------------------------------
    def to_config(self) -> dict:
        """The model-file header entry ``tokenizer`` (docs/machine.md §1)."""
        cfg = {"kind": self.kind, "eot_id": self.eot_id}
        if self.bpe_json is not None:
            cfg["bpe_json"] = self.bpe_json
        return cfg

    def to_arrays(self):
        """The model-file arrays ``token_offsets`` u32 [V+1] and ``token_bytes`` u8 [total]."""
        import numpy as np
        offsets = np.zeros(self.vocab_size + 1, dtype=np.uint32)
        offsets[1:] = np.cumsum([len(t) for t in self.token_bytes])
        data = np.frombuffer(b"".join(self.token_bytes), dtype=np.uint8)
        return {"token_offsets": offsets, "token_bytes": data}

    @classmethod
    def from_config(cls, cfg: dict, arrays) -> "Tokenizer":
        """The tokenizer of a model file from its header entry and arrays (inverse of
        :meth:`to_config` and :meth:`to_arrays`)."""
        off = arrays["token_offsets"]
        raw = arrays["token_bytes"].tobytes()
        toks = [raw[off[i]:off[i + 1]] for i in range(len(off) - 1)]
        tok = cls(cfg["kind"], toks, int(cfg["eot_id"]), cfg.get("bpe_json"))
        if tok.kind == "bytes" and tok.token_bytes != cls.bytes().token_bytes:
            raise ValueError("a 'bytes' tokenizer must have the 257 standard tokens")
        if tok.kind == "bpe" and not tok.bpe_json:
            raise ValueError("a 'bpe' tokenizer needs its bpe_json")
        if tok.kind not in ("bytes", "bpe", "ids"):
            raise ValueError(f"unknown tokenizer kind {tok.kind!r}")
        return tok
