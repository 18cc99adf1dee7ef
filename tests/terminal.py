"""Running etr on a pseudo-terminal, as a shell does, and reading back what the screen shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def run_in_terminal(args: list[str], cwd: Path) -> bytes:
    """Run ``python -m etr ARGS`` with stdout and stderr on one pseudo-terminal, as in a shell; return
    every byte the terminal received."""
    import pty  # POSIX only, as the shells this mimics

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.Popen([sys.executable, "-m", "etr", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    received = bytearray()
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            received += data
    finally:
        os.close(master)
        proc.wait(timeout=120)
    return bytes(received)


def screen(raw: bytes) -> list[str]:
    """What a terminal shows for ``raw``: carriage returns overwrite, newlines start a line."""
    lines: list[list[str]] = [[]]
    col = 0
    for ch in raw.decode("utf-8"):
        if ch == "\n":
            lines.append([])
            col = 0
        elif ch == "\r":
            col = 0
        else:
            line = lines[-1]
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    return ["".join(line).rstrip() for line in lines]


BAR = re.compile(r"\[[#-]{30}\] \d+/\d+, \d+ failed")


def assert_no_line_starts_mid_bar(raw: bytes, headers: re.Pattern[bytes]) -> None:
    assert BAR.search(raw.decode("utf-8")), "the progress bar was never drawn: the test would prove nothing"
    starts = [m.start() for m in headers.finditer(raw)]
    assert starts, raw[:400]
    for start in starts:
        # Since the last newline, whatever was drawn (the bar) must have been erased, and the cursor be
        # back at the start of the line.
        before = raw[raw.rfind(b"\n", 0, start) + 1:start]
        assert before == b"" or (before.endswith(b"\r") and screen(before)[-1] == ""), \
            f"a result line starts after {before[-80:]!r}"
    shown = screen(raw)
    assert not [line for line in shown if BAR.search(line)], "the bar is left on screen"
