"""``etr validate`` as a forwarder uses it on hostile batches: what broke, written down as tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from etr.cli import main

REPO = Path(__file__).resolve().parents[2]
EQUIPMENT_UNKNOWN = REPO / "samples" / "ebl" / "invalid" / "EBL-EQUIPMENT-UNKNOWN.json"

#: A line that looks like another input's verdict, and terminal escapes (colour, window title, erase screen).
FORGED = "X\nforged.json: ok [dcsa-ebl 3.0.4] (0 errors, 0 warnings, 0 info)"
ESCAPES = "\x1b[31m\x1b]0;pwned\x07\x1b[2J\x9b1m\u202e"


def _text(*args: str) -> str:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _has_control(text: str) -> bool:
    return any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text)


def test_document_values_cannot_forge_lines_or_send_terminal_escapes(tmp_path: Path) -> None:
    document = json.loads(EQUIPMENT_UNKNOWN.read_bytes())
    document["consignmentItems"][0]["cargoItems"][1]["equipmentReference"] = ESCAPES + FORGED
    path = tmp_path / "bl.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = _text(str(path))
    lines = out.splitlines()
    assert not any(line.startswith("forged.json") for line in lines), out
    assert lines[0].startswith(f"{path}: FAIL")
    assert all(line.startswith("  ") for line in lines[1:-1]), out  # every finding stays on its own line
    assert not _has_control(out), repr(out)
    assert "\\n" in out and "\\x1b" in out  # shown, escaped: the reader still sees what the document holds


def test_file_names_cannot_forge_lines_or_send_terminal_escapes(tmp_path: Path) -> None:
    path = tmp_path / ("a\nforged.json: ok [dcsa-ebl 3.0.4]\x1b[2J.json")
    path.write_bytes(EQUIPMENT_UNKNOWN.read_bytes())
    out = _text(str(path))
    assert not any(line.startswith("forged.json") for line in out.splitlines()), out
    assert not _has_control(out), repr(out)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_machine_formats_keep_values_exact(tmp_path: Path, fmt: str) -> None:
    # Escaping is for people reading text; JSON already escapes, and must give back the exact value.
    path = tmp_path / "a\nb.json"
    path.write_bytes(EQUIPMENT_UNKNOWN.read_bytes())
    result = CliRunner().invoke(main, ["validate", "--format", fmt, str(path)])
    loaded = json.loads(result.stdout)
    report = loaded["reports"][0] if fmt == "json" else loaded
    assert report["source"] == str(path)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
def test_ctrl_c_with_jobs_prints_no_worker_traceback(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group: the workers too, which printed a
    KeyboardInterrupt traceback each."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(50):
        (folder / f"{i:02}.json").write_bytes(EQUIPMENT_UNKNOWN.read_bytes())
    args = [sys.executable, "-m", "etr", "validate", "-j", "2", *[str(folder)] * 400]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout is not None
    process.stdout.readline()  # running; soon blocked on the full pipe (not read until the signal)
    # Let the workers finish the chunks in flight and wait, idle, for more: that is where the signal
    # used to print their tracebacks. (Interrupted while working, they handed it back quietly.)
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err, err.decode()
    assert err.decode().strip() == "etr: interrupted"
