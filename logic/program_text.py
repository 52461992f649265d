"""The fixed text of a decompiled program (:mod:`trnn.logic.decompile`).

The parts every generated program shares, as templates: the header (``@NAME@``-style fields
filled in per model), the rule helpers, the readout and sampler, the three prompt encoders and
the command line. :func:`trnn.logic.decompile.decompile` fills the fields from the machine's
spec (:mod:`trnn.model.machine`: the PRNG shifts, the noise index, the key's shift) and places
the model's rules and tables between them. The text is program code for a reader, so it spells
out what ``docs/machine.md`` defines rather than importing trnn.
"""

HEADER = '''#!/usr/bin/env python3
"""@NAME@: a storyteller decompiled from a trnn recurrent language model into plain Python.

Model      fingerprint @FP@, @CELL@ cell, H = @H@ state bits, E = @E@ embedding bits,
           V = @V@ tokens (@TOKDESC@), end of story = token @EOT@
Generated  by `trnn decompile`; regenerate it rather than edit it. Python 3.10+, standard
           library only.

    python3 THIS_FILE [--prompt TEXT] [--max-tokens N] [--temperature T --seed S] [--no-stop]

writes to stdout exactly the bytes that `trnn generate --model MODEL` writes for the same
options (--show-eot too; but 200 tokens by default).

How it works (trnn's docs/machine.md defines every step):
@INPUTS@@GATED@
  * A token's score counts the state bits that vote for it minus those that vote against it
    (READOUT), plus its OFFSET. Greedy generation takes the best score, the lowest token id
    among equals; with a temperature, a seeded xorshift32 generator adds Gumbel noise (NOISE)
    to every score and the best noisy score wins.
  * @ENCODER@
"""

import argparse
@IMPORTS@
'''

# how the rules read the token: embedding bits, or (a model trained with token classes) classes
EMBED_TEXT = """\
  * The model's memory is H bits, s0 ... s@HM1@. Each token has E fixed bits, e0 ... e@EM1@
    (EMBEDDING).
  * Reading a token computes all new state bits at once, one rule per bit (`step`), from the
    old state bits and the token's bits (the end-of-story token first resets the state to
    H0). A rule counts: `atleast(k, s3, not s9, e5)` is true when at least k of those
    literals are true."""

FEATURE_TEXT = """\
  * The model's memory is H bits, s0 ... s@HM1@. Of the token it reads, the rules see only
    its class: one of @C@ classes of tokens (K0_... above the rules; CLASS maps each token).
    Its E bits e0 ... e@EM1@ are sets of classes, defined at the top of `step`.
  * Reading a token computes all new state bits at once, one rule per bit (`step`), from the
    old state bits and the token's bits (the end-of-story token first resets the state to
    H0). A rule counts: `atleast(k, s3, not s9, e5)` is true when at least k of those
    literals are true."""

CLASS_TEXT = """\
  * The model's memory is H bits, s0 ... s@HM1@. Of the token it reads, the rules see only
    its class: one of @C@ classes of tokens (K0_... above the rules; CLASS maps each token).
    All tokens of a class have the same E embedding bits.
  * Reading a token computes all new state bits at once, one rule per bit (`step`), from the
    old state bits and the token's class `cls` (the end-of-story token first resets the
    state to H0). A rule counts: `atleast(k, s3, not s9)` is true when at least k of those
    literals are true; in `atleast({K2_the: 0, K7_period: 3}.get(cls, 2), s3, not s9)` the
    number needed depends on the class (2 for the classes not listed): 0 is always true,
    more than the literals never."""

GATED_TEXT = ("\n    A gated bit changes only when its update rule fires: "
               "`keep_or(s7, update=U, cand=C)`\n    is C when U holds, else the old s7.")

RUNTIME = r'''

def atleast(k, *literals):
    """A threshold rule: true when at least k of the literals are true."""
    return sum(literals) >= k


def keep_or(old, update, cand):
    """A gated state bit: the candidate value when the update rule fires, else the old value."""
    return cand if update else old


def bits(x, n):
    """The n low bits of the int x, bit 0 first."""
    return [(x >> i) & 1 for i in range(n)]


def pack(h):
    """The int whose bit i is h[i]."""
    return sum(1 << i for i, b in enumerate(h) if b)

'''

READOUT = r'''

# -- choosing the next token ----------------------------------------------------------------------
def scores(state):
    """Every token's score: state bits voting for it, minus those voting against, plus offset."""
    return [(state & plus).bit_count() - (state & minus).bit_count() + offset
            for (plus, minus), offset in zip(READOUT, OFFSETS)]


def xorshift32(r):
    """Marsaglia's xorshift32 (shifts @XS_A@, @XS_B@, @XS_C@) on a nonzero 32-bit state."""
    r ^= (r << @XS_A@) & 0xFFFFFFFF
    r ^= r >> @XS_B@
    r ^= (r << @XS_C@) & 0xFFFFFFFF
    return r


def choose(scores, r, tq):
    """(next token, new PRNG state). Greedy when tq == 0; otherwise Gumbel-max sampling:
    every token, in id order, draws @NOISE_BITS@ noise bits and the largest score*2^@SHIFT@ + tq*noise wins."""
    if tq == 0:
        return max(range(len(scores)), key=scores.__getitem__), r  # max keeps the lowest id
    best = best_key = None
    for token, score in enumerate(scores):
        r = xorshift32(r)
        key = (score << @SHIFT@) + tq * NOISE[r >> @NOISE_SHIFT@]
        if best_key is None or key > best_key:
            best, best_key = token, key
    return best, r


def generate(prompt_ids, max_tokens, tq, seed, stop_at_eot, emit):
    """Read end-of-story and the prompt from H0, then choose and read up to max_tokens tokens,
    calling emit(token) for each."""
    r = seed + 1
    state = H0
    for token in [EOT, *prompt_ids]:
        state = step(state, token)
    for n in range(max_tokens):
        token, r = choose(scores(state), r, tq)
        emit(token)
        if (stop_at_eot and token == EOT) or n == max_tokens - 1:
            break
        state = step(state, token)

'''

ENCODE_BYTES = r'''

# -- the prompt ---------------------------------------------------------------------------------------
def encode(text):
    """Token ids of the prompt: one token per UTF-8 byte."""
    return list(text.encode("utf-8"))

'''

ENCODE_IDS = r'''

# -- the prompt ---------------------------------------------------------------------------------------
def encode(text):
    """This model's vocabulary has no text encoder (a test vocabulary of token ids)."""
    raise ValueError("a 'ids' vocabulary cannot encode text")

'''

ENCODE_BPE = r'''

# -- the prompt: byte-level BPE -------------------------------------------------------------------
# Unicode White_Space (the \s of the tokenizers library's regex engine; str.isspace differs)
WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                        "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
CONTRACTION = re.compile(r"'(?:s|t|re|ve|m|ll|d)")


def char_class(c):
    """' ' white space, 'L' letter, 'N' number, '.' anything else."""
    if c in WHITE_SPACE:
        return " "
    kind = unicodedata.category(c)[0]
    return kind if kind in "LN" else "."


def pre_tokenize(text):
    r"""Split text into words as GPT-2's pattern does:
    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    cls = [char_class(c) for c in text]
    words, i, n = [], 0, len(text)
    while i < n:
        contraction = text[i] == "'" and CONTRACTION.match(text, i)
        if contraction:
            j = contraction.end()
        elif cls[i] != " " or (text[i] == " " and i + 1 < n and cls[i + 1] != " "):
            # a run of letters, of numbers or of other symbols, after at most one space
            j = i + 1 if cls[i] == " " else i
            kind = cls[j]
            while j < n and cls[j] == kind:
                j += 1
        else:
            # white space; before a non-space its last character starts the next word instead
            j = i + 1
            while j < n and cls[j] == " ":
                j += 1
            if j < n and j - i > 1:
                j -= 1
        words.append(text[i:j])
        i = j
    return words


def bpe(word):
    """Token ids of one word: start from its bytes, merge the lowest-ranked adjacent pair
    (leftmost first) until no pair has a merge."""
    parts = [bytes([b]) for b in word]
    while len(parts) > 1:
        rank, i = min((RANK.get(pair, len(RANK)), i)
                      for i, pair in enumerate(zip(parts, parts[1:])))
        if rank == len(RANK):
            break
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return [VOCAB[p] for p in parts]


def encode(text):
    """Token ids of the prompt, as the model's byte-level BPE tokenizer encodes it."""
    raw = text.encode("utf-8")
    missing = sorted(set(raw) - {t[0] for t in VOCAB if len(t) == 1})
    if missing or "<|endoftext|>" in text:
        what = (", ".join(f"0x{b:02x}" for b in missing[:8]) if missing
                else repr("<|endoftext|>") + " (reserved)")
        raise ValueError(f"text has bytes the tokenizer cannot encode: {what}")
    return [t for word in pre_tokenize(text) for t in bpe(word.encode("utf-8"))]

'''

MAIN = r'''

# -- command line -------------------------------------------------------------------------------------
def nonneg_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {s!r}")
    return v


def pos_int(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {s!r}")
    return v


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--prompt", default="Once upon a time", help="text to start from")
    p.add_argument("--max-tokens", type=pos_int, default=200, help="tokens to generate")
    p.add_argument("--temperature", type=nonneg_float, default=0.0, help="0 = greedy")
    p.add_argument("--seed", type=int, default=0, help="PRNG seed, 0..@MAX_SEED@")
    p.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    p.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    a = p.parse_args(argv)
    try:
        if not 0 <= a.seed <= @MAX_SEED@:
            raise ValueError(f"seed must be in 0..@MAX_SEED@, got {a.seed}")
        # the one floating-point step: the temperature as a 16-bit integer
        tq = int(round(a.temperature * @NOISE_SCALE@ / LOGIT_SCALE))
        if tq > @MAX_TQ@:
            raise ValueError(f"temperature {a.temperature:g} is above this model's largest "
                             f"(t_q = {tq} > @MAX_TQ@, the 16-bit integer temperature)")
        ids = encode(a.prompt)
    except ValueError as e:
        print(f"{p.prog}: error: {e}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    out.write(a.prompt.encode())
    out.flush()

    def emit(token):
        if token != EOT or a.show_eot:
            out.write(TOKENS[token])
            out.flush()

    try:
        generate(ids, a.max_tokens, tq, a.seed, not a.no_stop, emit)
        out.write(b"\n")
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away: stop quietly
    return 0

'''
