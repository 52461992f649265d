#!/usr/bin/env python3
"""talker: a storyteller decompiled from a trnn recurrent language model into plain Python.

Model      fingerprint f4a7d582, gated cell, H = 64 state bits, E = 16 embedding bits,
           V = 512 tokens (byte-level BPE), end of story = token 0
Generated  by `trnn decompile`; regenerate it rather than edit it. Python 3.10+, standard
           library only.

    python3 THIS_FILE [--prompt TEXT] [--max-tokens N] [--temperature T --seed S] [--no-stop]

writes to stdout exactly the bytes that `trnn generate --model MODEL` writes for the same
options (--show-eot too; but 200 tokens by default).

How it works (trnn's docs/machine.md defines every step):
  * The model's memory is H bits, s0 ... s63. Each token has E fixed bits, e0 ... e15
    (EMBEDDING).
  * Reading a token computes all new state bits at once, one rule per bit (`step`), from the
    old state bits and the token's bits (the end-of-story token first resets the state to
    H0). A rule counts: `atleast(k, s3, not s9, e5)` is true when at least k of those
    literals are true.
    A gated bit changes only when its update rule fires: `keep_or(s7, update=U, cand=C)`
    is C when U holds, else the old s7.
  * A token's score counts the state bits that vote for it minus those that vote against it
    (READOUT), plus its OFFSET. Greedy generation takes the best score, the lowest token id
    among equals; with a temperature, a seeded xorshift32 generator adds Gumbel noise (NOISE)
    to every score and the best noisy score wins.
  * The prompt is encoded as GPT-2-style byte-level BPE: split into words (letters,
    numbers, other symbols, white space; `pre_tokenize`), then each word's bytes
    merged pairwise by rank (MERGES). Letters and numbers are told apart with
    unicodedata, which matches the tokenizers library on every character
    assigned in this Python's Unicode database; characters assigned only in a
    newer Unicode version may be split differently.
"""

import argparse
import re
import sys
import unicodedata


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


# -- the rules: one per state bit -----------------------------------------------------------------
def step(state, token):
    """The state after reading `token` in `state` (an int whose bit i is s_i)."""
    if token == EOT:
        state = H0  # a story ends: the next one starts from the initial state
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20,
     s21, s22, s23, s24, s25, s26, s27, s28, s29, s30, s31, s32, s33, s34, s35, s36, s37, s38, s39,
     s40, s41, s42, s43, s44, s45, s46, s47, s48, s49, s50, s51, s52, s53, s54, s55, s56, s57, s58,
     s59, s60, s61, s62, s63) = bits(state, H)
    (e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14,
     e15) = bits(EMBEDDING[token], E)
    h = [0] * H
    h[0] = keep_or(s0,
                   update=atleast(7, not s2, s14, not s29, not s43, not s46, s55, e0, e1, e2,
                                  not e4, e5, e6, not e7, e10, not e15),
                   cand=atleast(9, s3, not s15, s32, s36, e0, not e1, e2, e3, not e5, e6, e7,
                                not e9, e10, not e13, e14))
    h[1] = keep_or(s1,
                   update=atleast(6, s1, not s2, s24, s31, not s37, s46, not e0, not e2, e5, e6, e7,
                                  e9, e12, e13, not e14),
                   cand=atleast(8, s3, e0, not e2, e3, e4, not e5, e7, e8, e9, not e10, e11,
                                not e12, e13, not e14, not e15))
    h[2] = keep_or(s2,
                   update=atleast(6, s0, s36, not s47, s57, e0, not e1, not e2, e4, e5, not e8, e10,
                                  not e11, e12, e14, e15),
                   cand=atleast(9, not s13, s24, not s36, s61, not s62, e2, e3, e5, e8, e9, e10,
                                not e11, e12, e14, not e15))
    h[3] = keep_or(s3,
                   update=atleast(7, s3, not s17, s26, s48, not s49, e1, not e2, e4, not e5, e6,
                                  not e7, e8, e12, not e14, e15),
                   cand=atleast(9, not s11, s15, s42, not s63, not e0, not e2, e3, e4, not e6,
                                not e7, e8, not e9, e11, not e12, not e13))
    h[4] = keep_or(s4,
                   update=atleast(6, s6, s10, not s29, not s36, s42, not s58, e0, not e1, not e2,
                                  e3, e4, e10, e12, e14, not e15),
                   cand=atleast(8, not s11, s30, not s34, e0, not e1, not e2, e4, e5, e6, not e8,
                                not e10, not e11, e12, not e13, e15))
    h[5] = keep_or(s5,
                   update=atleast(6, s26, s34, not s35, not s39, not s43, s48, not s52, s58, e1, e4,
                                  e7, e9, e10, e12, e13),
                   cand=atleast(8, s8, not s36, s47, s59, not s63, e0, e1, not e2, not e4, not e5,
                                not e7, e8, e9, e11, not e14))
    h[6] = keep_or(s6,
                   update=atleast(7, not s19, s23, not s31, s36, not s58, e0, e1, e2, e3, e4, e9,
                                  e10, not e11, e12, e15),
                   cand=atleast(8, s6, e0, e1, e3, not e4, not e5, not e6, not e7, e8, not e9,
                                not e10, e11, not e13, e14, e15))
    h[7] = keep_or(s7,
                   update=atleast(7, s7, s10, not s20, s28, not s41, s44, not s49, not s52, not s62,
                                  e1, not e4, not e9, not e10, e12, not e13),
                   cand=atleast(9, not s40, s48, s52, e0, not e2, e5, not e6, e7, e8, not e9,
                                not e10, not e12, not e13, e14, not e15))
    h[8] = keep_or(s8,
                   update=atleast(7, s8, s10, not s12, s22, s51, s57, not s63, not e3, e7, e8, e9,
                                  e10, not e11, not e14, e15),
                   cand=atleast(9, s12, s22, s42, not e2, not e3, not e4, e5, e6, e7, not e8, e10,
                                not e11, e12, not e14, e15))
    h[9] = keep_or(s9,
                   update=atleast(7, s6, not s52, not s56, not s58, not e0, e2, e3, e4, e5, not e7,
                                  e9, e10, not e11, e13, not e15),
                   cand=atleast(9, s37, s52, not s58, not e1, e2, e3, not e4, e5, e6, not e7,
                                not e8, e9, e11, not e14, e15))
    h[10] = keep_or(s10,
                    update=atleast(6, not s2, s7, not s43, not s44, not s55, s56, s60, not e1, e2,
                                   e4, not e7, e10, e12, e14, e15),
                    cand=atleast(8, not s21, s36, s37, not s54, e0, not e3, not e4, not e5, e6, e8,
                                 not e10, e11, not e12, not e14, e15))
    h[11] = keep_or(s11,
                    update=atleast(7, not s3, s8, s11, s12, not s28, not s32, s51, not s52, not e0,
                                   e1, not e4, not e10, e12, e13, e14),
                    cand=atleast(9, not s27, not s42, s46, not s53, not s59, s61, s63, e0, e2,
                                 not e6, e7, not e9, e12, not e13, e14))
    h[12] = keep_or(s12,
                    update=atleast(7, s3, not s27, not s28, s45, s49, not s50, not s57, not e0,
                                   not e1, e3, not e4, e6, e7, e10, not e14),
                    cand=atleast(9, not s15, not s18, s47, e0, not e2, not e3, e4, not e5, e7, e8,
                                 e10, not e11, e12, not e13, e15))
    h[13] = keep_or(s13,
                    update=atleast(8, not s2, s10, not s13, not s37, not s44, not s48, not s59, s63,
                                   not e0, e3, not e4, not e5, e9, e10, e13),
                    cand=atleast(8, not s8, not s22, not s24, not s45, not s48, not e0, not e1, e2,
                                 e3, e4, e5, e6, e8, not e9, not e10))
    h[14] = keep_or(s14,
                    update=atleast(7, not s2, not s5, not s11, s14, not s35, not s38, not s48,
                                   not s59, e0, e1, e7, e9, not e11, not e12, e15),
                    cand=atleast(8, s1, not s2, not s44, s47, e0, not e1, not e3, e5, e6, not e10,
                                 e11, not e12, e13, not e14, e15))
    h[15] = keep_or(s15,
                    update=atleast(7, not s8, not s36, not s41, e1, not e2, e3, not e4, e6, e8, e10,
                                   not e11, e12, e13, e14, e15),
                    cand=atleast(9, not s46, not s63, not e1, not e2, not e4, not e5, e7, not e8,
                                 e9, e10, e11, not e12, e13, not e14, e15))
    h[16] = keep_or(s16,
                    update=atleast(8, not s8, not s16, not s22, not s25, not s38, not s41, not s47,
                                   not s52, not s53, not s54, s57, e3, not e8, not e9, e15),
                    cand=atleast(8, s10, s11, s33, s39, s46, not s47, s49, s53, s58, s62, not e1,
                                 not e3, not e4, e11, e12))
    h[17] = keep_or(s17,
                    update=atleast(7, not s2, s3, s17, not s19, not s31, s42, not s46, not s55,
                                   not e2, not e5, e6, not e7, e9, not e13, not e14),
                    cand=atleast(8, not s17, s35, not e0, e1, not e2, e4, not e5, not e7, e8,
                                 not e10, e11, e12, e13, e14, not e15))
    h[18] = keep_or(s18,
                    update=atleast(7, s1, not s11, not s13, s18, not s19, not s33, s39, s46, not e1,
                                   not e6, e7, e8, e9, e10, e14),
                    cand=atleast(9, s3, not s23, s53, s62, not e1, e2, e4, not e5, not e6, e7, e9,
                                 e10, e11, e12, e13))
    h[19] = keep_or(s19,
                    update=atleast(7, not s2, s19, s32, not s62, s63, e0, e1, not e3, e4, not e5,
                                   not e8, e10, not e11, e13, e15),
                    cand=atleast(9, s17, not s24, not s58, e0, e2, e4, e5, not e6, not e8, not e9,
                                 not e10, not e11, e12, e13, not e14))
    h[20] = keep_or(s20,
                    update=atleast(7, not s13, s14, s17, not s26, not s40, not s48, not s57, s59,
                                   not e0, e1, e3, e7, not e8, e10, not e14),
                    cand=atleast(9, not s11, not s13, s17, not s34, s42, s56, s59, not e1, e2,
                                 not e4, not e7, not e10, e12, e13, e14))
    h[21] = keep_or(s21,
                    update=atleast(7, s4, s10, s27, not s41, not s52, s54, s57, e2, not e3, e4, e6,
                                   e9, not e11, e12, e15),
                    cand=atleast(9, s10, not s32, not s44, not s54, e0, e1, e2, e3, e5, e6, not e7,
                                 e8, not e10, e11, not e12))
    h[22] = keep_or(s22,
                    update=atleast(6, s3, not s8, s32, not s52, s63, e0, not e1, e3, e4, not e5,
                                   not e6, e7, not e9, not e13, not e14),
                    cand=atleast(9, s6, s34, not e0, e1, not e2, e3, not e4, e5, e6, e8, e9,
                                 not e11, not e13, not e14, e15))
    h[23] = keep_or(s23,
                    update=atleast(7, not s2, not s20, not s22, s32, not s36, not s39, not s47,
                                   not s48, s56, e1, e2, e3, e8, not e11, e12),
                    cand=atleast(9, s1, s3, s27, not e0, not e1, e3, e4, e6, e7, e8, e10, not e11,
                                 not e12, not e14, e15))
    h[24] = keep_or(s24,
                    update=atleast(6, not s3, not s7, not s13, s24, not s46, s55, e1, not e3,
                                   not e5, e7, e8, e9, e10, e12, e15),
                    cand=atleast(9, s3, not s11, s12, e0, e2, not e3, not e4, not e5, e6, not e7,
                                 not e8, e9, e12, e14, e15))
    h[25] = keep_or(s25,
                    update=atleast(7, s17, not s24, not s31, not s35, not s36, s44, not s48, s56,
                                   e0, e1, e2, e7, not e9, e10, e13),
                    cand=atleast(9, not s16, s18, s30, s34, s41, s46, not e2, not e3, e4, e6, e9,
                                 not e10, not e11, not e14, not e15))
    h[26] = keep_or(s26,
                    update=atleast(6, not s18, s26, not s36, not s43, s53, not e0, e1, not e5, e6,
                                   not e7, e8, not e11, e12, e13, not e14),
                    cand=atleast(9, s5, not s13, s22, not e0, not e1, e2, e3, not e5, e6, e7,
                                 not e8, not e11, e12, not e13, e15))
    h[27] = keep_or(s27,
                    update=atleast(7, not s6, not s9, not s24, s27, not s28, not s29, not s47,
                                   not s57, not s59, not e1, e3, e9, e10, e12, not e13),
                    cand=atleast(9, not s26, not e0, not e1, not e2, not e3, e4, e5, e6, e7, e9,
                                 e10, e11, e12, not e13, e14))
    h[28] = keep_or(s28,
                    update=atleast(7, s1, s25, s28, s39, not s47, not e0, not e1, e2, not e4, e6,
                                   e7, not e9, e10, e12, e15),
                    cand=atleast(9, s2, not s13, not s19, s44, not s49, e0, not e1, not e4, e5, e6,
                                 e8, not e9, e11, e13, not e14))
    h[29] = keep_or(s29,
                    update=atleast(7, s1, not s2, not s6, s29, s35, s45, not s49, not s52, s53,
                                   not e2, e6, not e8, e12, not e13, e14),
                    cand=atleast(8, s12, s27, s41, s42, s58, e0, not e1, e3, not e6, e7, not e10,
                                 e11, e12, not e13, not e15))
    h[30] = keep_or(s30,
                    update=atleast(8, s2, s13, s30, not s32, s44, not s46, not s47, not s52,
                                   not s56, e3, e9, e11, e12, not e13, not e15),
                    cand=atleast(9, s22, s28, s41, s44, e0, e4, e5, e6, e7, not e8, e9, e10, e11,
                                 e14, not e15))
    h[31] = keep_or(s31,
                    update=atleast(6, s21, s31, s57, not s60, e0, e1, not e2, not e3, not e4, e5,
                                   not e7, e9, e10, not e11, not e15),
                    cand=atleast(9, s17, not s24, s27, e1, not e3, not e4, e5, not e6, not e8,
                                 not e9, not e10, not e11, not e13, not e14, e15))
    h[32] = keep_or(s32,
                    update=atleast(7, not s2, not s13, s17, not s25, not s44, not s49, not s55, e0,
                                   e2, e3, not e7, e10, not e11, e12, e13),
                    cand=atleast(8, s0, s21, s39, s41, not e0, e1, e2, not e3, e4, not e6, e7,
                                 not e8, not e12, e13, e15))
    h[33] = keep_or(s33,
                    update=atleast(6, s4, s33, not s37, s40, s57, not s58, not s62, e3, e5, not e7,
                                   e9, e10, not e11, e14, e15),
                    cand=atleast(9, not s36, s43, s46, not s52, e0, e4, e5, e6, e8, not e9, e10,
                                 not e11, e12, e14, not e15))
    h[34] = keep_or(s34,
                    update=atleast(7, s12, s20, s22, s31, s34, s58, e1, not e2, e4, e6, not e8, e10,
                                   e11, not e12, e14),
                    cand=atleast(9, not s12, not s26, not s27, s34, not e1, not e2, e3, not e5,
                                 not e6, e7, not e8, e10, not e12, not e13, e14))
    h[35] = keep_or(s35,
                    update=atleast(6, s6, not s14, not s19, s35, s39, not s41, e0, e5, e6, e7, e8,
                                   e10, not e11, e12, not e14),
                    cand=atleast(8, not s6, not s29, not s37, e0, e2, e3, e4, not e7, e8, not e9,
                                 e10, e11, e12, e13, e14))
    h[36] = keep_or(s36,
                    update=atleast(6, not s0, s5, not s13, s14, not s23, not s36, not s37, e0, e1,
                                   not e5, e6, e10, not e11, e12, e13),
                    cand=atleast(7, not e1, e2, e3, e4, e5, e6, e7, e8, not e9, not e10, not e11,
                                 not e12, not e13, e14, e15))
    h[37] = keep_or(s37,
                    update=atleast(6, s10, s17, not s27, s38, not s41, not s52, not s62, e0, e4, e5,
                                   e9, e10, e12, not e14, e15),
                    cand=atleast(9, not s0, s5, not e0, not e1, e2, e3, e4, e5, not e6, not e7,
                                 not e9, not e11, e12, e14, not e15))
    h[38] = keep_or(s38,
                    update=atleast(7, s3, s6, s8, s20, s22, s38, s42, not s47, s58, not e0, e2,
                                   not e4, e8, e10, e12),
                    cand=atleast(8, s8, s25, s30, not s36, s38, s41, s47, s53, e1, not e5, not e8,
                                 e9, not e10, not e11, e13))
    h[39] = keep_or(s39,
                    update=atleast(7, not s4, not s20, not s43, not s48, not s51, not s55, not s57,
                                   not e1, e2, e3, e5, not e7, not e8, e10, e12),
                    cand=atleast(8, not s10, not e0, e1, e2, e3, e4, e6, not e7, not e8, not e10,
                                 e11, e12, not e13, not e14, not e15))
    h[40] = keep_or(s40,
                    update=atleast(8, not s0, s4, s7, s16, not s24, s25, not s26, not s35, not s47,
                                   not e3, e6, e9, e10, e14, e15),
                    cand=atleast(9, s1, s3, not s62, e0, e3, e4, not e5, not e6, not e8, not e9,
                                 e10, not e12, e13, e14, e15))
    h[41] = keep_or(s41,
                    update=atleast(8, not s4, s16, s36, not s38, not s47, not s54, not s55, s58,
                                   not e1, e3, e4, not e5, not e7, not e12, not e13),
                    cand=atleast(9, s1, s5, s15, s38, s45, not s49, not e0, e2, e6, not e9, e10,
                                 not e11, not e12, e13, not e15))
    h[42] = keep_or(s42,
                    update=atleast(7, not s6, s12, not s13, not s33, not s34, s42, s45, s52, s58,
                                   e0, not e5, e6, not e7, e8, not e15),
                    cand=atleast(9, s22, s41, s48, s53, not e0, e1, not e2, e4, e6, not e7, e8, e9,
                                 e12, e14, e15))
    h[43] = keep_or(s43,
                    update=atleast(6, not s4, not s22, s33, s43, s44, not s47, not s52, e1, e2, e3,
                                   e5, not e9, not e10, e12, not e15),
                    cand=atleast(9, s1, s15, s30, s63, e0, e1, e2, e3, not e5, not e6, not e8, e10,
                                 not e11, e12, not e15))
    h[44] = keep_or(s44,
                    update=atleast(6, not s15, not s23, not s26, s44, not s46, not e1, e3, e4, e5,
                                   e9, e10, not e11, e12, e14, e15),
                    cand=atleast(8, s34, s38, s54, e1, e2, e3, e5, not e6, e8, e9, e10, not e11,
                                 e13, e14, not e15))
    h[45] = keep_or(s45,
                    update=atleast(6, s24, not s27, not s30, s58, not s62, not e0, e1, not e2, e3,
                                   e5, e6, e10, not e11, e13, not e15),
                    cand=atleast(9, not s63, not e0, e1, not e2, not e3, not e4, e6, not e7, e8, e9,
                                 not e10, e12, not e13, not e14, e15))
    h[46] = keep_or(s46,
                    update=atleast(7, s4, s6, s13, s14, s31, s46, e0, not e1, e3, e4, e6, e7,
                                   not e8, e10, not e11),
                    cand=atleast(9, not s4, s43, not s47, not e0, not e2, e3, not e6, e7, not e8,
                                 not e10, e11, not e12, e13, not e14, not e15))
    h[47] = keep_or(s47,
                    update=atleast(8, s16, not s30, s36, not s38, not s41, not s44, not s54,
                                   not s55, not e0, e3, not e5, not e7, not e8, not e9, e12),
                    cand=atleast(10, not s6, not s26, s44, s52, not e0, not e1, not e2, e4, not e5,
                                 not e7, not e9, not e10, e12, e14, e15))
    h[48] = keep_or(s48,
                    update=atleast(6, not s13, s24, s31, s48, not e0, e1, e3, not e5, e7, e9,
                                   not e11, e12, not e13, not e14, not e15),
                    cand=atleast(9, not s34, not s36, not e0, e2, not e4, not e5, e6, e8, e9, e10,
                                 not e11, e12, not e13, e14, e15))
    h[49] = keep_or(s49,
                    update=atleast(6, s0, not s1, s13, s35, not s46, s49, not s52, s53, e1, e3,
                                   not e5, e7, not e8, not e9, not e14),
                    cand=atleast(8, not s6, s44, not s49, s62, e0, e2, e4, e6, not e7, not e8,
                                 not e9, not e10, not e11, e13, e14))
    h[50] = keep_or(s50,
                    update=atleast(7, not s7, s12, not s34, not s36, s45, not s46, s50, not s52,
                                   not s57, e1, e2, not e9, not e11, e13, not e15),
                    cand=atleast(9, not s3, not s13, s24, s31, not s63, not e0, not e1, e3, e6, e7,
                                 not e9, e10, e11, not e12, not e14))
    h[51] = keep_or(s51,
                    update=atleast(6, s22, s25, not s28, not s34, s36, s44, s51, not s59, e0, e3,
                                   e5, not e7, not e8, not e11, e15),
                    cand=atleast(8, not s0, not s2, s46, e0, not e1, e2, e5, not e6, not e7, e9,
                                 not e10, not e12, not e13, e14, e15))
    h[52] = keep_or(s52,
                    update=atleast(7, s1, not s8, not s10, not s12, not s15, s37, not s47, s52, s60,
                                   e6, not e9, e12, not e13, not e14, not e15),
                    cand=atleast(9, s2, not s4, s43, s44, not s49, s62, not e0, not e2, e5, e6, e7,
                                 not e9, not e12, not e14, not e15))
    h[53] = keep_or(s53,
                    update=atleast(7, not s12, s13, s36, s43, not s47, s53, not s59, not e1, e2, e3,
                                   not e4, e7, not e11, e12, not e13),
                    cand=atleast(9, s1, s6, not e0, e1, e2, not e3, not e4, not e5, e6, e7, e10,
                                 not e11, e12, e14, not e15))
    h[54] = keep_or(s54,
                    update=atleast(7, not s4, not s30, s45, not s52, s55, s59, e0, e3, not e5,
                                   not e6, not e9, e10, not e11, e12, not e15),
                    cand=atleast(8, not s4, s6, not e1, not e2, e3, not e4, not e5, not e6, e7, e8,
                                 e9, e10, not e12, not e14, e15))
    h[55] = keep_or(s55,
                    update=atleast(7, not s1, not s12, s14, s24, not s25, s36, not s52, s55, e0, e4,
                                   e5, e7, not e9, e10, not e11),
                    cand=atleast(9, s22, s30, not s37, s46, not e1, e2, not e3, not e4, e5, not e7,
                                 not e9, e10, not e11, not e12, e14))
    h[56] = keep_or(s56,
                    update=atleast(7, s1, not s2, s10, s17, not s33, s36, s42, not s53, e2, e9, e10,
                                   not e11, e12, e13, e15),
                    cand=atleast(8, not s1, s47, s56, s58, not e0, e1, not e2, not e4, e6, not e7,
                                 not e9, not e11, not e12, not e13, not e14))
    h[57] = keep_or(s57,
                    update=atleast(7, s22, not s48, not s55, s57, s60, not s62, e3, not e4, e7, e9,
                                   e10, not e11, e12, e13, not e14),
                    cand=atleast(8, s1, s10, e0, not e2, e3, not e4, not e5, e6, e7, not e8, not e9,
                                 e12, not e13, not e14, not e15))
    h[58] = keep_or(s58,
                    update=atleast(7, not s6, not s21, not s51, s56, s58, not e2, e3, not e6,
                                   not e7, e9, e10, e12, e13, e14, e15),
                    cand=atleast(9, s25, s53, not e0, not e3, not e4, e6, not e7, not e8, not e9,
                                 e10, not e11, not e12, e13, e14, e15))
    h[59] = keep_or(s59,
                    update=atleast(8, s1, s12, not s18, s22, s25, not s37, s38, s45, s53, s56, s59,
                                   not s62, not e0, e9, e14),
                    cand=atleast(8, not s1, s2, not s6, s8, not s14, not s17, s48, s58, s59, s62,
                                 not s63, e0, not e3, e6, not e11))
    h[60] = keep_or(s60,
                    update=atleast(7, s1, not s6, not s8, not s27, not s30, not s51, not s59, s60,
                                   not e2, e3, e4, e5, e6, e10, not e11),
                    cand=atleast(8, s12, s13, s45, not e0, e1, not e2, e4, not e5, e6, e7, not e8,
                                 not e9, not e11, e13, not e15))
    h[61] = keep_or(s61,
                    update=atleast(7, not s1, s8, s15, not s33, not s36, s58, not s59, s63, e1,
                                   not e4, not e7, e9, not e10, not e14, e15),
                    cand=atleast(9, s6, not s22, not s24, not s53, not s56, e0, e2, not e4, e5,
                                 not e6, not e8, not e11, not e13, not e14, e15))
    h[62] = keep_or(s62,
                    update=atleast(6, not s8, not s9, not s10, not s14, not s20, not s31, s36,
                                   not s51, s60, s62, e2, e3, e5, not e9, not e11),
                    cand=atleast(8, not s7, not s36, not s39, s44, s55, not e0, e2, e6, e7, e8,
                                 not e9, e12, e13, e14, not e15))
    h[63] = keep_or(s63,
                    update=atleast(8, not s2, s8, s10, not s38, s47, not s62, not s63, e1, not e3,
                                   not e4, not e5, e6, e10, not e13, e15),
                    cand=atleast(8, s1, not s8, s19, s40, s43, s61, s63, e2, e3, e4, not e6, not e7,
                                 e11, e13, e14))
    return pack(h)


# -- choosing the next token ----------------------------------------------------------------------
def scores(state):
    """Every token's score: state bits voting for it, minus those voting against, plus offset."""
    return [(state & plus).bit_count() - (state & minus).bit_count() + offset
            for (plus, minus), offset in zip(READOUT, OFFSETS)]


def xorshift32(r):
    """Marsaglia's xorshift32 (shifts 13, 17, 5) on a nonzero 32-bit state."""
    r ^= (r << 13) & 0xFFFFFFFF
    r ^= r >> 17
    r ^= (r << 5) & 0xFFFFFFFF
    return r


def choose(scores, r, tq):
    """(next token, new PRNG state). Greedy when tq == 0; otherwise Gumbel-max sampling:
    every token, in id order, draws 8 noise bits and the largest score*2^16 + tq*noise wins."""
    if tq == 0:
        return max(range(len(scores)), key=scores.__getitem__), r  # max keeps the lowest id
    best = best_key = None
    for token, score in enumerate(scores):
        r = xorshift32(r)
        key = (score << 16) + tq * NOISE[r >> 24]
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


# -- command line ---------------------------------------------------------------------------------
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
    p.add_argument("--seed", type=int, default=0, help="PRNG seed, 0..4294967294")
    p.add_argument("--no-stop", action="store_true", help="keep going after end-of-story")
    p.add_argument("--show-eot", action="store_true", help="print the end-of-story marker")
    a = p.parse_args(argv)
    try:
        if not 0 <= a.seed <= 4294967294:
            raise ValueError(f"seed must be in 0..4294967294, got {a.seed}")
        # the one floating-point step: the temperature as a 16-bit integer
        tq = int(round(a.temperature * 256 / LOGIT_SCALE))
        if tq > 65535:
            raise ValueError(f"temperature {a.temperature:g} is above this model's largest "
                             f"(t_q = {tq} > 65535, the 16-bit integer temperature)")
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


# -- the model's integers -------------------------------------------------------------------------
H, E, V = 64, 16, 512  # state bits, embedding bits, tokens
EOT = 0  # the end-of-story token
LOGIT_SCALE = 0.41926929354667664  # only converts --temperature to an integer
H0 = 0x58e3b6e4465c1b46  # the initial state, bit i = s_i

EMBEDDING = (  # per token: its embedding bits, bit j = e_j
    0x6382, 0x96c2, 0x0a46, 0xb17c, 0x3e06, 0x3d16, 0xa033, 0x089a, 0x7d48, 0x1604, 0xb4a0, 0xe3d4,
    0xae62, 0x6a34, 0x96c2, 0x7252, 0x8bab, 0x0c20, 0x8c88, 0x0ea2, 0x89e3, 0x8d43, 0x3a0a, 0x7f0a,
    0xae8a, 0x3223, 0xa642, 0xbe60, 0x43bd, 0xa5c7, 0x59e8, 0xb6c0, 0x456c, 0xa0fc, 0xe537, 0x5b3e,
    0x7daf, 0x04de, 0x67bd, 0x47ad, 0x546d, 0xbd11, 0x653f, 0xb465, 0xc52e, 0x544f, 0x55ed, 0x70f2,
    0x4534, 0x6576, 0x557d, 0x6572, 0x525f, 0x329d, 0xcba9, 0xd775, 0x9329, 0x5d1b, 0x55af, 0xdc10,
    0xbf66, 0xe14b, 0x205d, 0x999c, 0x88e8, 0x20f3, 0x4031, 0xd5d4, 0xe03c, 0x0922, 0xe9e4, 0x7931,
    0x0986, 0x51d0, 0x75bf, 0x8025, 0x4986, 0x49e4, 0xc9c5, 0x2092, 0xc4b5, 0x6576, 0x698f, 0xcb20,
    0x4115, 0x48f8, 0xc52f, 0x4d05, 0xa058, 0x8b88, 0x5104, 0xdc08, 0x77c3, 0x549f, 0x2068, 0xb763,
    0xa6d6, 0x130b, 0xad12, 0x4cd9, 0x9640, 0x3f91, 0x91f1, 0xec8c, 0x14fa, 0x7686, 0xe453, 0x697c,
    0x2d7d, 0x8184, 0xf5bd, 0xe17c, 0x2b43, 0x67fa, 0xf42c, 0xd5c8, 0x7cef, 0x5116, 0x3c1c, 0xfd21,
    0x92c2, 0x9e23, 0x0991, 0xc310, 0xb935, 0xea9f, 0xa742, 0x5e22, 0x5a02, 0x56c3, 0x1088, 0x772b,
    0xe247, 0x2da9, 0x17c4, 0xb249, 0x9e51, 0x2d0c, 0x11d4, 0xf915, 0xb820, 0xcdd9, 0x91cf, 0x877c,
    0x16f4, 0x87c6, 0xd692, 0xa4f5, 0x3d91, 0x3225, 0x582b, 0xf19a, 0x231e, 0x5c4c, 0x946f, 0x3840,
    0xacbb, 0x5253, 0x0276, 0x5e81, 0xf5a4, 0xeea6, 0x61f8, 0xec28, 0x6a24, 0x5ff4, 0x67ec, 0x28bb,
    0x5d6d, 0x0238, 0x321a, 0x711c, 0xd5a8, 0xafa9, 0x68c8, 0x2f74, 0x01a4, 0x892f, 0xbda8, 0x4205,
    0xedbe, 0x55fd, 0x852d, 0xef17, 0x5d2c, 0x2ff5, 0x723d, 0x9815, 0x7da5, 0x49d5, 0xecc4, 0xf65b,
    0x6f53, 0xca9a, 0x4639, 0xdb51, 0x88e9, 0x6934, 0xb752, 0x7742, 0x8f00, 0x7cef, 0x9c65, 0x10c6,
    0x2023, 0xfd4a, 0xbb08, 0x5d67, 0x151c, 0xaeae, 0xc520, 0x36f2, 0xb1b6, 0x49ae, 0x1ab9, 0xe273,
    0x2020, 0x15d0, 0x120a, 0xe89a, 0x61a3, 0x7686, 0x7911, 0x770a, 0x2554, 0x10f8, 0x612e, 0x5803,
    0xaf16, 0x724e, 0x93f1, 0xad10, 0x872d, 0xf68d, 0x7ad4, 0xc11e, 0x70a0, 0xa2bb, 0xa443, 0x32e8,
    0xffb8, 0xdf9d, 0xae61, 0xfa61, 0x8da6, 0x36d4, 0xc923, 0x7646, 0xbadc, 0x9f42, 0xb735, 0x7642,
    0x9282, 0xe854, 0xb182, 0x74f8, 0x0f59, 0x5bb8, 0x3f7c, 0x6e9a, 0x3436, 0x56a7, 0xc821, 0x2e8b,
    0x8b6f, 0x67b4, 0x3a4b, 0x3a43, 0x75be, 0xe9e0, 0x657d, 0xe498, 0x292c, 0x577f, 0xd839, 0x0eb8,
    0x7db4, 0x7fbd, 0x57fe, 0x77b5, 0x8aa9, 0x89b2, 0x7de4, 0xee07, 0x0b52, 0x8122, 0x2e88, 0xda54,
    0x881d, 0x29f1, 0x55af, 0xd819, 0x91fa, 0x4995, 0x28dc, 0x20dc, 0x8aa1, 0xc7bc, 0x4b71, 0x657a,
    0xb911, 0xcb56, 0xf8e0, 0x0bae, 0xb8b4, 0xc8d4, 0x50ad, 0xcf40, 0x8bd1, 0x523f, 0x810a, 0xc81c,
    0x2b0a, 0x5f57, 0x0b53, 0xb867, 0xaba0, 0x307a, 0x7d3c, 0x501a, 0x7646, 0x9a65, 0xa21d, 0x6d52,
    0x32dd, 0x0d8b, 0x85e1, 0xa965, 0xd019, 0x20e0, 0xba07, 0x5d68, 0x2b12, 0xb227, 0xc229, 0x81a1,
    0x8a6c, 0x793e, 0x8b29, 0x9225, 0x04de, 0x579c, 0x017c, 0xbd91, 0x0c8b, 0xa025, 0xdfcd, 0x0a6d,
    0x1bf9, 0x0901, 0x8f91, 0x8952, 0xb865, 0xae89, 0xa995, 0xc11c, 0xe51e, 0x8b3b, 0xaa07, 0xaa07,
    0x6564, 0xc975, 0x1d98, 0x8a65, 0x9af9, 0x8571, 0x2b52, 0xce11, 0x08a1, 0xf012, 0x2b01, 0x834c,
    0xc415, 0xe537, 0x89bb, 0x6800, 0x0b52, 0x58a3, 0xa630, 0x0164, 0xbe61, 0xbf0b, 0x2d01, 0xba07,
    0x8368, 0x2e0b, 0x57bf, 0x544f, 0x895a, 0x9683, 0xa247, 0xae91, 0xdfc9, 0x0227, 0x8f29, 0xaa67,
    0x81e1, 0x307a, 0x4b73, 0xf465, 0x35f9, 0x2e99, 0x96c2, 0x8a1d, 0x04ea, 0xee0b, 0xec08, 0xca25,
    0xdd75, 0x8972, 0xbe40, 0x8727, 0x08e4, 0x834c, 0xb327, 0x9243, 0x9642, 0x892b, 0x8f29, 0xfc95,
    0x45c7, 0xfbd1, 0x4bd3, 0x9b2f, 0xa8a0, 0xef05, 0x1fe2, 0x30e0, 0x70f3, 0xca91, 0x8b25, 0x8309,
    0x830c, 0xfb41, 0x8b72, 0x0b7b, 0xaf27, 0xdf7f, 0xabe8, 0xb040, 0x9015, 0x20cc, 0x8b3b, 0x3dfc,
    0x8f23, 0x8f11, 0x8b32, 0x756c, 0x8e35, 0xbc6f, 0x30fb, 0x9ba9, 0xbd85, 0xf97d, 0xb05c, 0x09bc,
    0x8f0b, 0x8ab9, 0x8461, 0xf814, 0x8927, 0xbc89, 0x838b, 0xf45c, 0xc811, 0x8921, 0x89a8, 0x79fc,
    0xeb53, 0x8b52, 0x0e8b, 0x8b8c, 0x3a89, 0x0b71, 0xdd7d, 0x3b03, 0x8265, 0x8a79, 0x6c07, 0xa8b5,
    0x8178, 0x8b29, 0x9642, 0xb660, 0x6550, 0x93a9, 0x704f, 0x007a, 0x75d8, 0x505a, 0x566d, 0xcb73,
    0xf59f, 0xaaa7, 0xcb73, 0xffbd, 0x81a3, 0xccd7, 0x9229, 0xc1a3, 0xdf57, 0x8b27, 0x0b08, 0x8aab,
    0x8b33, 0x8b4c, 0x8b2d, 0xa9ab, 0x8b7b, 0x8a6c, 0x55f8, 0x9219,
)

READOUT = (  # per token: (state bits voting for it, state bits voting against it)
    (0x332120008d409100, 0xc89ad1ba703e60ce), (0x8848201010406ed0, 0x50211a4a41140104),
    (0x7d00340201424124, 0x021ecab56c1c284b), (0x0000000000000000, 0xf73d23bfe39fefbd),
    (0x0000000000000000, 0x7e7e6fbdfe71d7c3), (0x0000000000000000, 0xaf63bbfb71cfe5e9),
    (0x0000000000000000, 0xe3e76ff7fff7cfbf), (0x085400082804922a, 0xa28add56c3e02150),
    (0x0000000000000000, 0xedd5cdff9fdddcb3), (0x0000000000000000, 0xbe79f3ffff174ddc),
    (0x0000000040000100, 0xe932dbd9bb40f6bf), (0x0000000000000000, 0xd3ecff7d215ff38a),
    (0x0bc80014904045f0, 0x54211c2801040004), (0xa421104100000800, 0x4bc0018a4caab165),
    (0xa048601092616eda, 0x48221a2a05140005), (0x0000000000000000, 0xf6a63bd9abfabcbb),
    (0x4010000000000000, 0x3b2bdf0baeef64ff), (0x0400000000000004, 0x195ea71efcefe6f9),
    (0x0000080000000000, 0xd3dee7beeeedfedb), (0x0021584001100000, 0x1b5e2498f8e1f6fb),
    (0x0000000000000000, 0xbd7cb7bfdcc967d7), (0x0000000000000000, 0xa9fee35fec7eedda),
    (0x0000000000000000, 0xbbddfc17bf69fcf7), (0x0000000000000000, 0xe777c7ff7d9dcfb9),
    (0x0000000000001000, 0xe2ee63c668fbedb7), (0x0000000000000000, 0xff5721d638eceebd),
    (0x0040000090405520, 0x5c239eed63130004), (0x0200000000400800, 0x7cb79eaf6907902c),
    (0x0000000000000000, 0xc7ffab39d7ffceef), (0x0000000000000000, 0xa1d76c3ef827d637),
    (0x0000000000000000, 0x7237e7f7fb9fef6b), (0x0800201010004a98, 0x50a11a6941010005),
    (0x0000000000000000, 0xefd97f7e27d5de7b), (0x0d21344201420024, 0xa21a4935f4aceadb),
    (0x1d01344001420024, 0xa2084135f0aceadb), (0x0421184001100004, 0xa248c11efaa8eddb),
    (0x0401184101100004, 0xa25cc11efaa8e6db), (0x0c21184101541000, 0xa2dec59efea8efdb),
    (0x0421184101440004, 0xa25ec19cfea8e6db), (0x0c01184105100004, 0x8248c13efaa8e5db),
    (0x0d0124c001500004, 0xa248c134f8acecda), (0x1d831ec005500004, 0xa248c13cfaacfcda),
    (0x0421904001140024, 0x825e419cf8a8e6db), (0x0c00006101140004, 0xa24c019ed0a8eecb),
    (0x0d0136c001400024, 0xa2084135f8aceedb), (0x0d01244001400024, 0xa2484135f8acecdb),
    (0x1c01184005500004, 0xa248c13efaa8ecdb), (0x0d030cc005500004, 0xa248c13e7aa8fcda),
    (0x0401184101100004, 0x825ac11efaa8e6db), (0x1801000000000004, 0x83dec13c7aadefdb),
    (0x0421184001100000, 0x824ec11efaa8e5db), (0x5d01344200420024, 0xa2084935f0acecdb),
    (0x1d81344001400024, 0xa2184135f8aceedb), (0x0801004001000004, 0xa3ce413efeacecdb),
    (0x00011c8041200014, 0x5754e205b09fc7ea), (0x1c21184001400004, 0xa248c11cfaa8ecdb),
    (0x0020080001000000, 0xbecee3975eafeeba), (0x1c03184101500004, 0xa248c11efaa8ecdb),
    (0x0021184101100000, 0xa25e411eeea8e7db), (0x0000000000000000, 0xff1ddff66ccbfd7b),
    (0x0000000000000000, 0xfcfe9f768f3feffd), (0x0000000000000000, 0xf0ffeedfa9a9dbef),
    (0x0000000000000000, 0xfea6a73de9cfcebf), (0x0000000000000000, 0xb9aebdff1ed5fafa),
    (0x0000000000000000, 0xfde7f9fdeaffeadf), (0xc1a410be1081208d, 0x10022400c1408330),
    (0x90124107c06800d2, 0x04a1380811104724), (0x5502c5944003601b, 0x0ae9384005441224),
    (0x0010c1a540080293, 0x40a13e028140d524), (0x408e803a18214a1d, 0x1160784100408102),
    (0xd022424518138880, 0x03c9302a00683125), (0x9012410312078802, 0x0da828200060022c),
    (0x880b04ba4b620411, 0x23f42104b00c8182), (0xa681013601012001, 0x0000640100009120),
    (0x0063045400124098, 0x7b94b2805fe82347), (0x563440219419a110, 0x01493c0c61a010af),
    (0x90cc13240081a000, 0x0321a00021520ce2), (0x8014099d3482000a, 0x278b8402c9101334),
    (0x0a464989340ce603, 0x00913400cb62009c), (0x40a11a3a002010c5, 0x0040608087008132),
    (0x1416c4b082c22088, 0x08e9180061009561), (0x44a0586183180000, 0x0b5c241068e0d7f3),
    (0x804810354c858004, 0x0732204091600561), (0x800e4091a0496292, 0x05a13c0800021024),
    (0xc4d686a81189a610, 0x03283842e24011a6), (0xc4a2163b00036004, 0x0240a0c485008238),
    (0xd4314a4505080000, 0x08c8a40a284097e4), (0x421079a0804a2214, 0x096980150100d5c1),
    (0x53340b9484802000, 0x08c98409411c5362), (0x88ac811541050081, 0x40117e808042012e),
    (0x1031c0610b0a0890, 0x0bcc24080064876c), (0x0000000000000000, 0xf6f6b7768fdd755f),
    (0x0000000000000000, 0xf5adeef69b8dee77), (0x0000000000000000, 0xf3bf6b1cd3f35f95),
    (0x0000000000000000, 0xfeedaffb7defdef2), (0x0000000000000100, 0xffd92eff978a7cbf),
    (0x0000000000000000, 0x7ffde7bfecd7fff1), (0x0000000000000000, 0xffdd3ffffcfbf657),
    (0x0000000000000000, 0xddfdfff6b51b6cda), (0x0000000000000000, 0x4ec8eb9f5bfff51f),
    (0x0000000000000000, 0xb5fbfbf6ae7ffc93), (0x0000000000000000, 0x6ea7bbfbadfdebeb),
    (0x0000000000000000, 0xfaf3fdf7e5ffef77), (0x0000000000000000, 0xefffbf739dabeff2),
    (0x0000000000000000, 0x53fbfffeedfbff59), (0x0000000000000000, 0xf3aeb37abfbf7dfb),
    (0x0000000000000000, 0xd7ffd9e7fcabe7bd), (0x0000000000000000, 0xffab79ffdc49fecd),
    (0x0000000000000000, 0xdfb8b5f8bbbad68b), (0x0000000000000000, 0x96da693d3f1f7dd5),
    (0x0000000000000000, 0xffba335cbbffdad2), (0x0000000000000000, 0xfbd793fdda566d7f),
    (0x0000000000000000, 0xdfdeef7dedef691b), (0x0000000000000000, 0xfbf65db3ffadc5d4),
    (0x0000000000000000, 0xffec9d9babf7de7b), (0x0000000000000000, 0xdc4de8b2331dfed6),
    (0x0000000000000000, 0xff67b67fffc1fdef), (0x0000000000000000, 0xefee7b82f3f74d83),
    (0x0000000000000000, 0xff0f7b9f7d7ffeff), (0x0000000000000000, 0x787deabf63fbf59b),
    (0x0000000020000000, 0xf3cfa5f997bdffd8), (0x0000000000000000, 0x6053effed57ff0ef),
    (0x0000000000000000, 0xffefdd7ca729dfe7), (0x0000000000000200, 0xff52ed5b0cd4edb3),
    (0x0000000000000000, 0x248c72ffff6fffba), (0x0000000000000000, 0xfbceee97bd8ff6ff),
    (0x0000000000000000, 0x5a38ba97f4b5f37f), (0x0001000000001100, 0xee8851febfffecd7),
    (0x0000000000000000, 0xf7eab6d38ff7fde6), (0x0000000000000000, 0xdc182fff7efbfedf),
    (0x0000000000000000, 0xffa6fc9fd3e5fcdf), (0x0000000000000000, 0xfbdb0c7715bedc4a),
    (0x0000000000000000, 0xd6fcf575cbb7fdd5), (0x0000000000000000, 0xbfdf42f7bd47e6b5),
    (0x0000000000000000, 0x7ef777bf7d69ecea), (0x0000000000000000, 0x0af5f9befbffdbaa),
    (0x0000000000000000, 0x3cafde1ff97167ae), (0x0000000000000000, 0xfddbbd54ea80edcd),
    (0x0000000000000000, 0xf78ff7d7fdbbf736), (0x0000000000000000, 0xffdbdbdddf6f7e1f),
    (0x0000000000000000, 0x67d2eff9de767fad), (0x0000000000000000, 0xfdbf407feb6ffc7f),
    (0x0000000000000000, 0x9d526ffb9defe9b2), (0x0000000000000000, 0x99d7f4fdedffefac),
    (0x0000000000000000, 0x3f27cff6e1d1efda), (0x0000000000000000, 0xd2efe656d3db4af0),
    (0x0000000000000000, 0xceb1f5fbd5edcd77), (0x0000000000000000, 0xefffef7d189f7ff5),
    (0x0000000000000000, 0xb9df7bc9cc5ba6f0), (0x0000000000000000, 0xfdfe4b0dbafbf64f),
    (0x0000000000000000, 0x99fe3bffbdfe5177), (0x0000000000000000, 0xd1e7fb7dcddffeee),
    (0x0000000000000000, 0xfef6ffb7f6cfefde), (0x0000000000000000, 0x69b37f76ebcffdfa),
    (0x0000000000000000, 0xbfedaf7d677c6fcb), (0x0000000000000000, 0x59befd37d9fff4bd),
    (0x0000000000000000, 0x7a2f5dfdffe5e67d), (0x0000000000000000, 0x9c7e33f7f83fb4fb),
    (0x0000000000000000, 0xc66fcffdeef7e3ef), (0x0001004001549010, 0xc008c59ac02a204a),
    (0x0000000000000000, 0xbfeeff3f8ed37737), (0x0000000000000000, 0x6a9fbe3fbbebacf7),
    (0x0000000000000000, 0xeabd7eb9f46fdfbf), (0x0000000000000000, 0xedfd2ebdefabfff7),
    (0x0000000000000000, 0xbbfefefcb5fbff3d), (0x0000000002000000, 0xf3eb35facd9bee6a),
    (0x0000000000000000, 0x53fcf9bf7bffedd9), (0x0000000000000000, 0x5abacffffd7d7db1),
    (0x0000000000000000, 0xfafebf7dbaafddfa), (0x0000000000000000, 0xb657be3b33fecfbf),
    (0x0000000000000000, 0xefdbdb5cb8c7e53f), (0x0000000000000000, 0xc1effbb75fffeefb),
    (0x0000000000000000, 0xdbf368ff0dd778d7), (0x0000000000000000, 0x7bff4ff386b7fafb),
    (0x0000000000000000, 0xe7bbf8d0f7fffaff), (0x0000000000000000, 0xf5eef979fef7ee4a),
    (0x0000000000000000, 0x75dfcae7bdfaed6f), (0x0000000000000000, 0xbf6aebf658ff57ff),
    (0x0000000000000000, 0x5ec56fd7988d6f9f), (0x0000000000000000, 0xcfceef7ffc1fcff5),
    (0x0000000000000000, 0xbfbeffdbfebbffcb), (0x0000000000000000, 0x9fd7c936dfbe7cd6),
    (0x0000000000000000, 0x9772abbd551feebf), (0x0000000000000000, 0x7ff7aaf7f173e7d7),
    (0x0000000000000000, 0xdf9be5a5959fffc5), (0x0000000000000000, 0x92ff47d9bdbfaff5),
    (0x0000000000000000, 0xf7b7fe7eda3deeba), (0x0000000000000000, 0x976b5ffe1279f8f1),
    (0x0000000000000000, 0xfdffbfd7bfdfe7cf), (0x0000000000000000, 0xbef89ff77fe9eade),
    (0x0000000000000000, 0xfffd9bdf4f9ee8cf), (0x0000000000000000, 0xbded5cfef3abfedf),
    (0x0000000000000000, 0x9b9268fe4b4f5ddf), (0x0000000000000000, 0x8f7f7df7b4176bea),
    (0x0000000000000000, 0xfab479f5d4badfdb), (0x0000000000000000, 0x6efe75f79cffefdf),
    (0x0000000000000000, 0xcf9e9f3add36fdef), (0x0000000000000000, 0xfffdb9f5bfffefda),
    (0x0000000000000000, 0x6ed7f95e91667f9f), (0x3321280005441100, 0x809ac11a703a60cb),
    (0x0000000000000000, 0x5acf40b5fdcb7aac), (0x0000000000000000, 0xedf7fcde61a7fdfe),
    (0x0000000000000000, 0x4cd9cfb0cc77ffdf), (0x0000000000000000, 0xde77f9b767f8cebb),
    (0x0000000000000000, 0x9bbbf37bc7dfffdf), (0x0000000000000000, 0x7fea3ffbe6affcb8),
    (0x0000000000000000, 0xdde1aedef64beb1e), (0x0000000000000000, 0xdfafbbfac1d15ef1),
    (0x0000000000000000, 0x9fdeffbfafbf7ddf), (0x0000000000000000, 0xdbcbffbfafffedbb),
    (0x0000000000000000, 0xebb7fdd3fbbfeea4), (0x0000000000000000, 0xf69bbdfac9bff9fd),
    (0x0000000000000000, 0xd67efede7df5f9f7), (0x0000000000000000, 0xffe7ebfd6977efd7),
    (0x0000000000000000, 0xd7ffffb7ed7defb8), (0x0000000000000000, 0xfced4e7af7f7fedf),
    (0x0000000000000000, 0xfd5b5bfbf5a7cc7d), (0x0000000000000000, 0xd35d7f575cadffff),
    (0x0000000000000000, 0xfcfc75e9f93d6fcb), (0x0000000000000000, 0x86fff9b7bedbfee5),
    (0x0000000000000000, 0xbf677aded81978ff), (0x2321210085418c02, 0x4092923a0000208d),
    (0x0000000000000000, 0xf9fb3ffb7dfbfdb9), (0x08610804610498a1, 0x959ac53a92e8655a),
    (0x0000000000000000, 0xaf9bef1dc475ed6d), (0x0000000000000000, 0xd9e4ebdf8bffef5e),
    (0x0000000000000000, 0x7347373d1e69ff59), (0x0000000000000000, 0x5ff7fedbdffd7afb),
    (0x0000000000000000, 0xdcef7beffafde68f), (0x0000000000000000, 0xdcbaeaeefde7fed3),
    (0x0000000000000000, 0xfffffdf55fbff9f7), (0x0000000000000000, 0xec7bbfaf4fcbe69b),
    (0x0000000000000000, 0x9fdf5afff1cd5e8b), (0x0000000000000000, 0x8c67f3fccec9fb67),
    (0x0000000000000000, 0xe7f37cffadf7edfd), (0x0000000000000000, 0xfa5ed3f20bdffeff),
    (0x0000000000000000, 0xfbefff7fa397fadb), (0x0000000000000000, 0xf4efcfe3bce7fdff),
    (0x0000000000000000, 0xf7cfefbd37faecf1), (0x0000000000000000, 0xde9ef6dd79df6daf),
    (0x0000000000000000, 0xfefcfd977ecbddfd), (0x0000000000000000, 0xda6cf7f291fe4bf1),
    (0x0001080200020004, 0xbb9e81b59df0fddb), (0x0001084000000020, 0xdf9463356bf3fe9b),
    (0x0000000000000000, 0xbb2c03faefb9fe85), (0x0000000000000000, 0xfdf66cfbbbeffdfe),
    (0x0000000000000000, 0xf5d8fcfdf33dfb3d), (0x0000000000000000, 0xadcf73d675affdd5),
    (0x40411c4000020064, 0x2e9ec3919fe8fd93), (0x0000000000000000, 0x9eb3b95efdffff1f),
    (0x0000000000000000, 0xf9ff77f5faffff86), (0x40611c402012006c, 0xae9e8191cfa8fd93),
    (0x40611c402002006c, 0xa69ec311dfa8fd93), (0x0000000000000000, 0xffbbdbff7fffd6ff),
    (0x0000000000000000, 0xdecfff155efeffed), (0x0000000000000000, 0x77eadfdfffdfecfe),
    (0x0000000000000000, 0xdf9baf396ecb6de5), (0x00a91c1048400c05, 0x054061411018c062),
    (0x8a0020000021842a, 0x443312320c082104), (0x2048a201d130c662, 0x5020083606001105),
    (0x8a4420002021c422, 0x402182320e003005), (0xaa4064001023c6aa, 0x4433823207102004),
    (0x52064ad00688a002, 0x04c9b4084962176c), (0x200a2080b139c672, 0x502196324404100c),
    (0x800a89b824923259, 0x6d301242ca408024), (0xa040610420018642, 0x443300320c083104),
    (0x2149209004f0e668, 0x5c321a2a48021104), (0xa148201082e06eda, 0x40011a684c101005),
    (0xa244210000a08662, 0x4c3082ba09080104), (0x000a103a00040085, 0x1720a08104404728),
    (0x8a446400000286aa, 0x44b380300d002104), (0xa8406100402284a2, 0x409b923a8c003105),
    (0x100890b668832094, 0x0722260091109740), (0x2200200085409120, 0xc09a937a7002608c),
    (0x4480813789003101, 0x091120801262862a), (0x4020083e000208ad, 0x0658224087e0c712),
    (0x90446101c0038402, 0x4433803a0d003004), (0x214461000023866a, 0x4031121208083104),
    (0x834045041067846a, 0x403180300d003105), (0x824460040023c422, 0x4411903a8d103104),
    (0x40a2192980182004, 0x205064545b60c302), (0x8a8a0074a4014891, 0x5030368110609120),
    (0xa94429042023c67a, 0x4031923202002104), (0x0908a450422254ba, 0xe481482c051c0105),
    (0x070420001101c7b0, 0x40319a3a000c3044), (0x52221baa00080845, 0x005ce0003884c78a),
    (0x332120008d409110, 0xc89ad13a703a60ce), (0x681c1a32b0280885, 0x0061a48108c0d62a),
    (0x5210163a0882200d, 0x0c4ac001a10c8f60), (0x00001834a0132881, 0x221924800140c612),
    (0x054441000021c4f2, 0x403312120a003100), (0x54a08b3b11182a11, 0x2b5c7444aa60d4e8),
    (0x00031d6a051c9841, 0x1294e000bac067ba), (0x501022b0b0a22088, 0x00e98c010154d642),
    (0xa04445000021c462, 0x4cbb12320c103114), (0xa2402104002084ca, 0x409982b24c4c2114),
    (0xa40a1934a010a8d0, 0x5830664808045022), (0xa240200000278462, 0x403382320d082104),
    (0x41b402b600202285, 0x0442e4486b4ad11a), (0x2700288085508530, 0xc81ad13a6004208d),
    (0x048b113d00386048, 0x527060803b408532), (0x00cc153d08842089, 0x1300a0c08742c762),
    (0x400810b2203220c4, 0x37e1620009c0d730), (0x008a81328e092011, 0x0440208011348766),
    (0x20a11824a1010880, 0x115024c014e0c262), (0x5006120a42804006, 0x0321a44181401768),
    (0x2301200085401120, 0xc09ad13a703a60cf), (0x44d9203180502084, 0x12004cc027209772),
    (0x000a2080913166f0, 0x5831567e4000100c), (0x290420002261c422, 0x40019a324c000104),
    (0x4594133e10a0220c, 0x0a68e8008d1cd572), (0x5210002a38c87117, 0x05e9ac4581068668),
    (0x332120008d409100, 0xc89ad13a703a60ce), (0x4080182a00082804, 0x0d5ba40407c09532),
    (0x332120008d409100, 0xc89ad1ba703a60ce), (0xa0489010827066c0, 0x583008020c020005),
    (0x93100ca004ca2014, 0x0ce9a00a5904dfe2), (0x2b44200000208668, 0x54b102b00c000115),
    (0x8044010400000602, 0x4cb216320d181004), (0x400050a06cb42205, 0x1fc02010804095e2),
    (0x35d4200181e09330, 0xc029c1be6a1e28cf), (0x08a8153b004c500c, 0x2344e08435928f30),
    (0x4009183a68302a85, 0x1504e4c097c2c528), (0x8240694020468632, 0x5431823a0c000005),
    (0x214820000052c42a, 0x5431161a18001005), (0xa00820808138c670, 0x482096360800110c),
    (0x09002480006344f2, 0xe0119a24641c3904), (0x0809042a4d000010, 0xb274fb45829bece2),
    (0x1012410182161080, 0x2fa92c0811604764), (0x4009143b02400004, 0x1212a0403100d77a),
    (0xa2482130a2706270, 0x5d32928b40060401), (0x22546000806182a0, 0x582b94380d002000),
    (0x332120008d409100, 0xc89ad13a703a60ce), (0x4c01104001401004, 0xa2da41bcfeb9efdb),
    (0x8200688031328662, 0x58bf8637cc003105), (0x0a49040c7d409476, 0x15b219e180882008),
    (0x54228561851a0118, 0x2add18164ae040a6), (0x824021402002c422, 0x403382320c083105),
    (0x5032c2121e000890, 0x0dcd38090144072c), (0x121248e2a23a0020, 0x2ce9b01550001d85),
    (0x830028002033c662, 0x583394330c000005), (0x004001000023c462, 0x4433023204003105),
    (0x1431406183140000, 0x0bcc249a40e0c76a), (0x1b00200185008710, 0xc088537a400a204e),
    (0xa00828808138ce70, 0x5830923e4800118d), (0xd012c0a62e022890, 0x0dcd30089164c726),
    (0x13340a9504800005, 0x00c9a002bb5a57f2), (0x50324321829a0190, 0x0dcc300c5160866d),
    (0x020448a0648c2212, 0x4de9b403894255e4), (0xf012439258226002, 0x09e9184105441624),
    (0x281a0000b115c6b0, 0xc021964e48c0300e), (0x2300200085408570, 0xc018913e2006208f),
    (0x204821100010c730, 0x11301e0a04080004), (0xb044514540a48002, 0x42b3803a8e587915),
    (0x408058ab001a200c, 0x1355a0140d408731), (0x00880038001e2200, 0x5f306ec6dfe09170),
    (0xa109b01000504660, 0x58364a2f1e00918b), (0x0dc9973c1400004d, 0x122048c26b05dd30),
    (0xa08c4011002066c0, 0x50331a4205001124), (0x010024800022446a, 0x64039b3c051c0904),
    (0x2b00200085408550, 0xc018d03a2007208f), (0x4024103a38046007, 0x3d0bee4484489670),
    (0x0800400010108710, 0x1029125a08083805), (0x200a200000e4e650, 0x5a30184f480a1104),
    (0x0800000140000004, 0xb722a8c2b36b7ffa), (0x834c4804800084c9, 0x4cb384924b5c5910),
    (0x0d8020401001c790, 0x40311a3e400c184c), (0x42140a3a5ac80117, 0x014b6001810486e0),
    (0x0100043c381338cd, 0x0c59134001008502), (0x090400402222003a, 0x64819ab805112105),
    (0x02402108111cd563, 0x1113c6f64a422814), (0x084020003007d4aa, 0xf799ddf4c5e82114),
    (0x46b20a2a91080104, 0x1049f4152ae2b4ca), (0x230020808510c510, 0xc098913a600c208d),
    (0x4023840849802401, 0x3bd05945b058812e), (0x844831000120c660, 0x4a158ab20e083005),
    (0x078020041141c730, 0x40319b3a0008204e), (0x0a40080020268622, 0x44bb963385002104),
    (0x1250409562082a82, 0x05ab36420130d46c), (0x8088191484022048, 0x5a5000083118c722),
    (0x2848210080404640, 0x50219c28480a1104), (0x02811820e118119d, 0x9d56e4c012e2e462),
    (0x844811090130c46a, 0x4b028ab28e083115), (0x200800000060e4c2, 0x58339aca4b000004),
    (0x84c813040033c468, 0x7a038cb2eecc3995), (0x094c2410080204d9, 0xf220db68a40c0904),
    (0x8240200000278662, 0x402192320c082104), (0x2300200085408520, 0xc018d03e4006208c),
    (0x2b440804a40086c9, 0x40ab14324b5e6114), (0x0d84120010400004, 0xb20069c4ebaf9df2),
    (0x09002480002344aa, 0x60319a34251c0905), (0x1944d34570808602, 0x44a320320f1978d5),
    (0x5c21b04000401024, 0xa21a419ceca0ee99), (0xd212409248036012, 0x08e13a4084d0122c),
    (0x0080101800000001, 0x1f7380e1c759d732), (0x40825b0e102820cf, 0x3b55a481af449730),
    (0x8078d64d7804046a, 0x5c01293280d17311), (0xa0406004800182aa, 0x44b3823a0b082104),
    (0x25d0b240d2c04330, 0x0803483e0017280d), (0x824441040020c022, 0x40b900328f083005),
    (0x9840018140228442, 0x400300222d183b05), (0x5d01344201420024, 0xa20ac9b5f4aceadb),
    (0x224800109840ec82, 0x54211a6b45100104), (0xc2880906ea084090, 0x1d76f48001f62662),
    (0xa240400460008022, 0x44b326ab8d1a3105), (0x014424c0302240ea, 0x66331b2805849905),
    (0x4412332a90a8608d, 0x3361ccc507469760), (0x002b248a49263c71, 0x3dd45375b4c8c308),
    (0x2b04080000000049, 0x84b312224add6134), (0x210028c083008550, 0xc05cd03e6804208d),
    (0xa580200080e0c310, 0x483f88fe0c1a304f), (0x94028561841a0018, 0x2ad9109a6264cea5),
    (0xc014a1a22cc62a00, 0x07c95a00810885a0), (0x09242400022244aa, 0x60919b3e05140904),
    (0x40a400ba58126805, 0x191ae3458048947a), (0x8048c7525a22647a, 0x7317082484151a05),
    (0x2a0000109041448a, 0x40209f4b45000004), (0xa3440804a02084c8, 0x4ca190f34a0e5114),
    (0x70a0182b00082804, 0x035ce0543300c77a), (0x004820410110c062, 0x58219cb20e021105),
    (0x00006100d0204670, 0x4021022c0c191004), (0x50305133829c2000, 0x2f0da4c425608f78),
    (0x322120008d409100, 0xc89ad13a703a60ce), (0xe4a12041803a0880, 0x1a12868c7f809123),
    (0x080821000060c4ea, 0x40818a944c080105), (0x080c0010222356f0, 0xe4915b2a80882104),
    (0x44e1a2c002500066, 0xa91c491b6da3ee19), (0x0400200020238762, 0x503382364c003005),
    (0x8844200808048222, 0x56a3c23606402905), (0x0400010b0028100c, 0x3375a09045d58f33),
    (0xc4c442151900e100, 0x03323888a07c10ee), (0x400480aaec1e0a10, 0x17b02e440300d1e2),
    (0x090024001222446a, 0x6039182e051d1905), (0x204c244020316268, 0x4c31921e4c841005),
    (0x2300200081008530, 0xc018d03e2004208f), (0x024440452204c222, 0x44b316ba811a3005),
    (0x42f186807e441164, 0xbc08497d80a36c19), (0x0a000840a2020880, 0xa4db92b815b5f527),
    (0xc0a0021a1800680d, 0x1952e4c0824c1232), (0x0920208000214400, 0x40019a24541c2004),
    (0x0a002800203ac662, 0x54bf963644402105), (0x2300200085408110, 0xc018d13a0002208f),
    (0x400216fa000800c5, 0x174461009fe0f732), (0x024020800022c422, 0x603b82360d002104),
    (0x288a831650b84530, 0x12314ca10d448002), (0x48a91a220018110c, 0x1154e0c01242e462),
    (0x5530163b0022208c, 0x02496800ff1dd732), (0x2200200000238422, 0x40a382320c082104),
    (0x44881b1291384905, 0x1150e481264696e0), (0x21882000807044e2, 0xd43082aa4c860105),
    (0x0049103448842004, 0x1f32e0408108d570), (0xb0484001c130cc42, 0x4fb1863a0e403115),
    (0x08002400102244aa, 0xe4a1db24c5180904), (0x0200280030278662, 0x44bb92378d002105),
    (0x408018ab400a2004, 0x0b59e0542540956a), (0x000a00c0811c4200, 0x1bf5963e0ae23599),
    (0x4021943a4cc03005, 0x0b1a6040b202caea), (0xa2444804800186c9, 0x4cb3943a0f1a7114),
    (0x091200c080280091, 0xe6e9b90d59d2ee06), (0x00888128080c4402, 0x1b1524c184e00140),
    (0x80c4300208e0202c, 0x0e12c050e114d350), (0x800024801822442a, 0x66b39b34a5180b41),
    (0x20c9132408e0200d, 0x1730e4c08306c672), (0x004811386814600b, 0x1f3362c087420570),
    (0xc02118382c94300c, 0x2d9ac4c1d1628f70), (0x22480030a4706370, 0x5db2d28b41860001),
    (0xa00828808038c670, 0x5c64d63e4802110d), (0x0000000420048200, 0x76b3a6b2987b69cf),
    (0x0044c1455e84c302, 0x479330ba81733855), (0x1f16669084e00048, 0x20e9992e4b191d04),
    (0xa008208091284e50, 0x5d3196364604118d), (0x020008083012846a, 0x50239633c4402105),
    (0x09502000280412aa, 0xd6abdb4247782840), (0x0240c04460844222, 0x44b316ba09121005),
    (0xa24449040200c622, 0x4c3326aa891a3105), (0x429600123114ccb3, 0x8509bce188e0000c),
    (0x002384180f163412, 0x6b1479c43020826c), (0x8020510500028882, 0x2f9ea42a85587734),
    (0x09500480280402bb, 0xf6a39b0a57882904), (0x204920100070a270, 0x5a30988f00021104),
    (0x4008412e280a48da, 0x1f77a68185d4b721), (0x2008208080386650, 0x5d60966e4200100d),
    (0x2800001098206a92, 0x51215a6845000005), (0x28891420cd041b15, 0x955463c11282e46a),
    (0x408a802202804000, 0x334168c025649725), (0x6088183a0a0c6804, 0x1717a48185f097f8),
    (0xa048000400a0c600, 0x50319ea208121104), (0x45a1183a10102045, 0x1858a1c1e304d5b2),
    (0x024464400020462a, 0x441192121d002105), (0x8240400400608c22, 0x449312b30d1a3104),
    (0x004020081007d42a, 0x6499d335cd082115), (0x0344c1446004c222, 0x44b334ba091a3804),
    (0x2000000000628462, 0x4432923b0d003105), (0x080020802007922a, 0x74ab9357c5c02104),
    (0x0044c3457a84c302, 0x46b330ba817b3815), (0x8040400400038402, 0x4c3382320c003105),
    (0x8448110c0032c468, 0x52060cf2ee483915), (0x200c414081384602, 0x44a086b208423185),
    (0x014424400022406a, 0x6e9b9b3c440c3904), (0xa244404460248602, 0x44b1863a0f121114),
    (0x000a19f0a03800dc, 0x3dd4e0041ac4d720), (0x090024400062444a, 0xe4839a2c551c2904),
    (0x04c924040952dc81, 0x723459e3f48c0364), (0xa021580101040804, 0x1b5ca492ece8f7fa),
    (0xc04d001c4844b845, 0x159284e082b04312), (0x0926240102a2443a, 0xe081182e55152904),
    (0x204d201004e0a240, 0x5cb212e9090a1104), (0x2202c850a68032d0, 0x4ddd130b5126c006),
    (0x47830a6a01200045, 0xa058e405ca84c59a), (0x204020002006d4a2, 0x42115e974d000105),
    (0x844021000012c460, 0x48138af2cc483915), (0x4201183a68c02005, 0x0d46e1459100c76a),
)

OFFSETS = (  # per token: added to its score
    -2, -2, 1, -2, -2, -2, -2, 0, -2, -2, -1, -2, 1, -1, 2, -2, -1, -1, -1, -2, -1, -1, -2, -2, -1,
    -2, -3, -2, -2, -1, -2, -3, -2, -1, -2, 0, 2, 1, 1, -1, -1, -1, 3, 0, 0, -1, -1, -1, 0, -1, 0,
    -1, 0, -1, -2, 2, -1, 1, -1, -2, -2, -2, -2, -2, -2, 1, 1, -1, 2, 1, 2, 1, 0, 1, -1, 1, 2, 1, 1,
    2, 1, 0, 2, 1, 1, 1, 1, 2, 0, 2, -1, -2, -2, -2, -2, -1, -2, -2, -2, -2, -2, -2, -2, -2, -3, -2,
    -1, -2, -1, -2, -2, -2, -2, -2, -2, -1, -2, -2, -3, -2, -2, -2, -2, -1, -2, -2, -1, -1, -2, -2,
    -2, -2, -2, -2, -2, -2, -2, -1, -2, -2, -2, -2, -1, -2, -1, -2, -2, -2, -1, -2, -2, -2, -2, -2,
    -2, -2, -2, -2, -2, 0, -2, -2, -2, -2, -2, -1, -2, -2, -2, -2, -1, -2, -2, -2, -2, -2, -2, -2,
    -2, -2, -2, -1, -2, -2, -2, -2, -2, -2, -3, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, 3, -2, -2,
    -2, -1, -2, -2, -2, -2, -2, -3, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, 2, -2, 1, -1, -2,
    -2, -2, -2, -2, -2, -2, -2, -1, -2, -2, -2, -2, -2, -2, -2, -2, -1, -1, -2, -3, -2, -2, 0, -2,
    -2, 0, -1, -2, -2, -3, -2, -2, 1, 2, 2, 1, 0, 2, 1, 2, 1, 1, 1, -1, 2, 0, 0, -2, -1, 1, 1, 1, 1,
    2, 0, 1, 2, 1, 1, 0, 0, 0, 1, 2, 0, -3, 0, 0, -2, -1, 0, 1, 1, 0, 1, -1, 2, 1, 2, -1, -2, 1, 1,
    0, -1, -2, 0, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0, 1, -1, 0, 1, -3, 0, -1, -1, -1, 0, -2, 1, -2, 1,
    1, -1, 1, 0, 1, 1, 0, -1, -1, -1, 0, 0, -1, 1, 0, -1, 1, -1, -1, -3, -3, -1, 1, -1, 0, 0, -2,
    -2, 0, 1, -3, 0, -1, 1, 1, -2, 0, -2, 0, 0, 0, 0, -1, 0, -1, 0, -1, 1, -1, 0, 0, 1, -3, 0, 0, 2,
    -2, -2, -1, -2, 1, -2, -1, 0, 0, -2, -1, 0, 0, -1, -1, -2, -1, 1, 0, -1, -1, -1, -4, -2, 0, 0,
    -1, -1, -1, -1, 0, -1, -2, 1, -2, 0, -2, 0, -1, -1, 0, -1, 0, -2, -2, -1, -1, -1, -1, -2, -1,
    -3, -2, -2, -1, -2, -2, -1, -1, 0, 0, 0, -2, -3, -1, -2, 0, 1, 0, -1, -2, -2, -2, -3, -2, 0, -2,
    -2, 0, 2, 0, 0, -3, -2, 2, 0, -2, -1, -2, -2, -2, -2, -3, -1, -2, -1, -1, 0, -1, -1, 1, -1, -1,
    -1, -1, 0, -1, -2, -2, -1, 3, -2, -3, -2, 0, -2, -1, -1, -3,
)

NOISE = (  # Gumbel noise for 8 PRNG bits u: round(256*(-ln(-ln((u + 1/2) / 256))))
    -469, -419, -392, -373, -358, -344, -333, -323, -314, -305, -297, -290, -283, -276, -270, -264,
    -258, -253, -247, -242, -237, -232, -227, -223, -218, -214, -210, -205, -201, -197, -193, -189,
    -186, -182, -178, -174, -171, -167, -164, -160, -157, -153, -150, -147, -143, -140, -137, -133,
    -130, -127, -124, -121, -118, -115, -112, -109, -106, -103, -100, -97, -94, -91, -88, -85,
    -82, -79, -76, -74, -71, -68, -65, -62, -59, -57, -54, -51, -48, -46, -43, -40,
    -37, -35, -32, -29, -26, -24, -21, -18, -15, -13, -10, -7, -5, -2, 1, 4,
    6, 9, 12, 14, 17, 20, 23, 25, 28, 31, 34, 36, 39, 42, 45, 47,
    50, 53, 56, 58, 61, 64, 67, 70, 72, 75, 78, 81, 84, 87, 90, 92,
    95, 98, 101, 104, 107, 110, 113, 116, 119, 122, 125, 128, 131, 134, 137, 140,
    143, 146, 149, 152, 156, 159, 162, 165, 168, 172, 175, 178, 182, 185, 188, 192,
    195, 198, 202, 205, 209, 212, 216, 220, 223, 227, 230, 234, 238, 242, 246, 249,
    253, 257, 261, 265, 269, 273, 277, 282, 286, 290, 294, 299, 303, 308, 312, 317,
    321, 326, 331, 336, 340, 345, 350, 356, 361, 366, 371, 377, 382, 388, 394, 399,
    405, 411, 418, 424, 430, 437, 443, 450, 457, 464, 472, 479, 487, 495, 503, 511,
    520, 529, 538, 547, 557, 567, 577, 588, 599, 611, 623, 636, 649, 663, 678, 693,
    710, 728, 746, 767, 788, 812, 838, 867, 900, 937, 980, 1032, 1097, 1184, 1315, 1597,
)

TOKENS = (  # per token: its bytes
    b'\n<|endoftext|>\n', b'!', b'"', b'#', b'$', b'%', b'&', b"'", b'(', b')', b'*', b'+', b',',
    b'-', b'.', b'/', b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b':', b';', b'<',
    b'=', b'>', b'?', b'@', b'A', b'B', b'C', b'D', b'E', b'F', b'G', b'H', b'I', b'J', b'K', b'L',
    b'M', b'N', b'O', b'P', b'Q', b'R', b'S', b'T', b'U', b'V', b'W', b'X', b'Y', b'Z', b'[', b'\\',
    b']', b'^', b'_', b'`', b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h', b'i', b'j', b'k', b'l',
    b'm', b'n', b'o', b'p', b'q', b'r', b's', b't', b'u', b'v', b'w', b'x', b'y', b'z', b'{', b'|',
    b'}', b'~', b'\xa1', b'\xa2', b'\xa3', b'\xa4', b'\xa5', b'\xa6', b'\xa7', b'\xa8', b'\xa9',
    b'\xaa', b'\xab', b'\xac', b'\xae', b'\xaf', b'\xb0', b'\xb1', b'\xb2', b'\xb3', b'\xb4',
    b'\xb5', b'\xb6', b'\xb7', b'\xb8', b'\xb9', b'\xba', b'\xbb', b'\xbc', b'\xbd', b'\xbe',
    b'\xbf', b'\xc0', b'\xc1', b'\xc2', b'\xc3', b'\xc4', b'\xc5', b'\xc6', b'\xc7', b'\xc8',
    b'\xc9', b'\xca', b'\xcb', b'\xcc', b'\xcd', b'\xce', b'\xcf', b'\xd0', b'\xd1', b'\xd2',
    b'\xd3', b'\xd4', b'\xd5', b'\xd6', b'\xd7', b'\xd8', b'\xd9', b'\xda', b'\xdb', b'\xdc',
    b'\xdd', b'\xde', b'\xdf', b'\xe0', b'\xe1', b'\xe2', b'\xe3', b'\xe4', b'\xe5', b'\xe6',
    b'\xe7', b'\xe8', b'\xe9', b'\xea', b'\xeb', b'\xec', b'\xed', b'\xee', b'\xef', b'\xf0',
    b'\xf1', b'\xf2', b'\xf3', b'\xf4', b'\xf5', b'\xf6', b'\xf7', b'\xf8', b'\xf9', b'\xfa',
    b'\xfb', b'\xfc', b'\xfd', b'\xfe', b'\xff', b'\x00', b'\x01', b'\x02', b'\x03', b'\x04',
    b'\x05', b'\x06', b'\x07', b'\x08', b'\t', b'\n', b'\x0b', b'\x0c', b'\r', b'\x0e', b'\x0f',
    b'\x10', b'\x11', b'\x12', b'\x13', b'\x14', b'\x15', b'\x16', b'\x17', b'\x18', b'\x19',
    b'\x1a', b'\x1b', b'\x1c', b'\x1d', b'\x1e', b'\x1f', b' ', b'\x7f', b'\x80', b'\x81', b'\x82',
    b'\x83', b'\x84', b'\x85', b'\x86', b'\x87', b'\x88', b'\x89', b'\x8a', b'\x8b', b'\x8c',
    b'\x8d', b'\x8e', b'\x8f', b'\x90', b'\x91', b'\x92', b'\x93', b'\x94', b'\x95', b'\x96',
    b'\x97', b'\x98', b'\x99', b'\x9a', b'\x9b', b'\x9c', b'\x9d', b'\x9e', b'\x9f', b'\xa0',
    b'\xad', b'he', b' t', b' a', b' s', b' w', b'nd', b' the', b'ed', b' b', b' to', b' and',
    b' h', b'in', b' f', b' wa', b're', b' T', b'it', b'ou', b' l', b' d', b' c', b' p', b'ay',
    b'er', b' m', b' was', b' he', b'om', b' The', b'is', b'ar', b'on', b' n', b'id', b'im', b'll',
    b' sa', b' ha', b'ing', b' g', b'at', b' S', b'en', b'ot', b'an', b'le', b'or', b'ir', b' H',
    b'et', b' it', b' th', b'am', b'il', b' They', b'ig', b' He', b' in', b'ver', b' o', b' pl',
    b'ri', b' "', b'ut', b'ow', b' be', b' u', b' her', b' said', b'ith', b'pp', b'oo', b' with',
    b' y', b' She', b'On', b' play', b' day', b'ked', b' r', b'ce', b'ld', b' e', b' st', b'ke',
    b' I', b' his', b'ck', b'very', b've', b'nt', b'st', b' you', b' Tim', b' on', b' big', b'un',
    b'end', b' happ', b'ily', b' of', b' had', b' L', b'ad', b' we', b' up', b'riend', b' friend',
    b' they', b'all', b'es', b' li', b' not', b' want', b'itt', b' B', b'her', b' so', b' she',
    b' do', b'se', b'ent', b' that', b'ould', b' very', b' for', b' happy', b"'s", b' sh', b' M',
    b' mom', b'ittle', b' saw', b' little', b'One', b'ch', b'ime', b'ound', b' time', b' ne',
    b' there', b' k', b' sm', b'The', b'."', b'out', b' bo', b' were', b'el', b'ht', b' nam',
    b' Lily', b' but', b'ved', b'al', b' wanted', b'ake', b' named', b'!"', b' friends', b'ome',
    b' an', b' wh', b'ug', b' It', b'ide', b' too', b' is', b'Once', b' loo', b' lo', b'ird',
    b'ter', b'ry', b' went', b' all', b' Tom', b' bird', b' upon', b'lp', b'ore', b' as', b' help',
    b' A', b'ack', b' re', b'ly', b'ill', b'ue', b' j', b'ind', b' at', b'ra', b' fun', b' did',
    b' se', b'ur', b'get', b'ame', b' toy', b'gether', b'ic', b'ard', b' could', b'ood', b'ec',
    b'art', b' together', b' him', b' gir', b' girl', b'my', b' their', b' go', b' can', b' cat',
    b' tre', b"'t", b'hed', b'way', b' are', b' out', b'ain', b' them', b'?"', b'hen', b'ul',
    b'ark', b' fr', b'um', b' le', b' ro', b' kn', b' dog', b' cl', b' have', b' boy', b' sp',
    b' sad', b' man', b' played', b' ball', b'oug', b' looked', b'hing', b'other', b'one',
    b' loved', b' back', b'ful', b'ax', b' like', b' sc', b'are',
)

MERGES = (  # BPE merges by rank: earlier ones apply first
    (b'h', b'e'), (b' ', b't'), (b' ', b'a'), (b' ', b's'), (b' ', b'w'), (b'n', b'd'),
    (b' t', b'he'), (b'e', b'd'), (b' ', b'b'), (b' t', b'o'), (b' a', b'nd'), (b' ', b'h'),
    (b'i', b'n'), (b' ', b'f'), (b' w', b'a'), (b'r', b'e'), (b' ', b'T'), (b'i', b't'),
    (b'o', b'u'), (b' ', b'l'), (b' ', b'd'), (b' ', b'c'), (b' ', b'p'), (b'a', b'y'),
    (b'e', b'r'), (b' ', b'm'), (b' wa', b's'), (b' ', b'he'), (b'o', b'm'), (b' T', b'he'),
    (b'i', b's'), (b'a', b'r'), (b'o', b'n'), (b' ', b'n'), (b'i', b'd'), (b'i', b'm'),
    (b'l', b'l'), (b' s', b'a'), (b' h', b'a'), (b'in', b'g'), (b' ', b'g'), (b'a', b't'),
    (b' ', b'S'), (b'e', b'n'), (b'o', b't'), (b'a', b'n'), (b'l', b'e'), (b'o', b'r'),
    (b'i', b'r'), (b' ', b'H'), (b'e', b't'), (b' ', b'it'), (b' t', b'h'), (b'a', b'm'),
    (b'i', b'l'), (b' The', b'y'), (b'i', b'g'), (b' H', b'e'), (b' ', b'in'), (b'v', b'er'),
    (b' ', b'o'), (b' p', b'l'), (b'r', b'i'), (b' ', b'"'), (b'u', b't'), (b'o', b'w'),
    (b' b', b'e'), (b' ', b'u'), (b' he', b'r'), (b' sa', b'id'), (b'it', b'h'), (b'p', b'p'),
    (b'o', b'o'), (b' w', b'ith'), (b' ', b'y'), (b' S', b'he'), (b'O', b'n'), (b' pl', b'ay'),
    (b' d', b'ay'), (b'k', b'ed'), (b' ', b'r'), (b'c', b'e'), (b'l', b'd'), (b' ', b'e'),
    (b' s', b't'), (b'k', b'e'), (b' ', b'I'), (b' h', b'is'), (b'c', b'k'), (b'ver', b'y'),
    (b'v', b'e'), (b'n', b't'), (b's', b't'), (b' y', b'ou'), (b' T', b'im'), (b' ', b'on'),
    (b' b', b'ig'), (b'u', b'n'), (b'e', b'nd'), (b' ha', b'pp'), (b'il', b'y'), (b' o', b'f'),
    (b' ha', b'd'), (b' ', b'L'), (b'a', b'd'), (b' w', b'e'), (b' u', b'p'), (b'ri', b'end'),
    (b' f', b'riend'), (b' the', b'y'), (b'a', b'll'), (b'e', b's'), (b' l', b'i'), (b' n', b'ot'),
    (b' wa', b'nt'), (b'it', b't'), (b' ', b'B'), (b'he', b'r'), (b' s', b'o'), (b' s', b'he'),
    (b' d', b'o'), (b's', b'e'), (b'en', b't'), (b' th', b'at'), (b'ou', b'ld'), (b' ', b'very'),
    (b' f', b'or'), (b' happ', b'y'), (b"'", b's'), (b' s', b'h'), (b' ', b'M'), (b' m', b'om'),
    (b'itt', b'le'), (b' sa', b'w'), (b' l', b'ittle'), (b'On', b'e'), (b'c', b'h'), (b'im', b'e'),
    (b'ou', b'nd'), (b' t', b'ime'), (b' n', b'e'), (b' the', b're'), (b' ', b'k'), (b' s', b'm'),
    (b'T', b'he'), (b'.', b'"'), (b'ou', b't'), (b' b', b'o'), (b' we', b're'), (b'e', b'l'),
    (b'h', b't'), (b' n', b'am'), (b' L', b'ily'), (b' b', b'ut'), (b'v', b'ed'), (b'a', b'l'),
    (b' want', b'ed'), (b'a', b'ke'), (b' nam', b'ed'), (b'!', b'"'), (b' friend', b's'),
    (b'om', b'e'), (b' a', b'n'), (b' w', b'h'), (b'u', b'g'), (b' I', b't'), (b'id', b'e'),
    (b' to', b'o'), (b' ', b'is'), (b'On', b'ce'), (b' l', b'oo'), (b' l', b'o'), (b'ir', b'd'),
    (b't', b'er'), (b'r', b'y'), (b' w', b'ent'), (b' a', b'll'), (b' T', b'om'), (b' b', b'ird'),
    (b' up', b'on'), (b'l', b'p'), (b'o', b're'), (b' a', b's'), (b' he', b'lp'), (b' ', b'A'),
    (b'a', b'ck'), (b' ', b're'), (b'l', b'y'), (b'i', b'll'), (b'u', b'e'), (b' ', b'j'),
    (b'i', b'nd'), (b' a', b't'), (b'r', b'a'), (b' f', b'un'), (b' d', b'id'), (b' s', b'e'),
    (b'u', b'r'), (b'g', b'et'), (b'am', b'e'), (b' to', b'y'), (b'get', b'her'), (b'i', b'c'),
    (b'ar', b'd'), (b' c', b'ould'), (b'oo', b'd'), (b'e', b'c'), (b'ar', b't'),
    (b' to', b'gether'), (b' h', b'im'), (b' g', b'ir'), (b' gir', b'l'), (b'm', b'y'),
    (b' the', b'ir'), (b' g', b'o'), (b' c', b'an'), (b' c', b'at'), (b' t', b're'), (b"'", b't'),
    (b'he', b'd'), (b'w', b'ay'), (b' a', b're'), (b' ', b'out'), (b'a', b'in'), (b' the', b'm'),
    (b'?', b'"'), (b'he', b'n'), (b'u', b'l'), (b'ar', b'k'), (b' f', b'r'), (b'u', b'm'),
    (b' l', b'e'), (b' r', b'o'), (b' k', b'n'), (b' do', b'g'), (b' c', b'l'), (b' ha', b've'),
    (b' bo', b'y'), (b' s', b'p'), (b' sa', b'd'), (b' m', b'an'), (b' play', b'ed'),
    (b' b', b'all'), (b'ou', b'g'), (b' loo', b'ked'), (b'h', b'ing'), (b'ot', b'her'),
    (b'on', b'e'), (b' lo', b'ved'), (b' b', b'ack'), (b'f', b'ul'), (b'a', b'x'), (b' li', b'ke'),
    (b' s', b'c'), (b'a', b're'),
)
RANK = {pair: rank for rank, pair in enumerate(MERGES)}
VOCAB = {piece: token for token, piece in enumerate(TOKENS) if token != EOT}


if __name__ == "__main__":
    sys.exit(main())
