"""The output is the tokens' bytes, which need not be valid UTF-8 (docs/machine.md): a pipe
gets them exactly, a terminal gets them decoded as UTF-8 with U+FFFD for what cannot be."""

from __future__ import annotations

import io
import os
import subprocess
import tty

from conftest import trnn_argv

from trnn.model.output import TerminalText

# small at T = 1.2, seed 3: a byte-level BPE token with part of a character (checked below)
ARGV = ["generate", "--model", "small", "--temperature", "1.2", "--seed", "3"]


def _read_all(fd) -> bytes:
    out = bytearray()
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:        # EIO: the other side was closed
            break
        if not chunk:
            break
        out += chunk
    return bytes(out)


def test_pipe_gets_exact_bytes_and_terminal_gets_whole_characters():
    piped = subprocess.run([*trnn_argv(), *ARGV], capture_output=True, check=True).stdout
    try:
        piped.decode("utf-8")
        raise AssertionError("the case no longer has invalid UTF-8; pick another seed")
    except UnicodeDecodeError:
        pass
    master, slave = os.openpty()
    tty.setraw(slave)          # no newline translation: compare bytes as written
    try:
        proc = subprocess.Popen([*trnn_argv(), *ARGV], stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        shown = _read_all(master)
        assert proc.wait(60) == 0, proc.stderr.read()
    finally:
        os.close(master)
    assert shown == piped.decode("utf-8", "replace").encode("utf-8")
    assert shown.decode("utf-8")        # whole characters only


class FakeTTY(io.BytesIO):
    def isatty(self):
        return True


def test_terminal_text_waits_for_the_rest_of_a_character():
    out = FakeTTY()
    t = TerminalText(out)
    t.write("é".encode()[:1])
    assert out.getvalue() == b""                       # half a character waits
    t.write("é".encode()[1:] + b"ok\x99")
    assert out.getvalue() == "éok\ufffd".encode()      # a stray byte shows as U+FFFD
    t.write(b"\xe2\x80")
    t.finish()                                         # an unfinished character at the end
    assert out.getvalue() == "éok\ufffd\ufffd".encode()
    pipe = io.BytesIO()
    t = TerminalText(pipe)
    t.write(b"\xe2\x80")
    t.write(b"x\x99")
    t.finish()
    assert pipe.getvalue() == b"\xe2\x80x\x99"        # a pipe: the exact bytes
