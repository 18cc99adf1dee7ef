"""Command-line inputs that broke ``expand_inputs``: recursive patterns over symlink loops, and
patterns whose matches overlap (a directory and the directories below it)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from etr.load import expand_inputs

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def _expand_with_deadline(items: list[str], seconds: float = 20.0) -> list[str]:
    """``expand_inputs(items)`` by name; fail (rather than hang the suite) when it does not end."""
    names: list[str] = []
    done = threading.Event()

    def run() -> None:
        names.extend(s.name for s in expand_inputs(items))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(seconds), "expand_inputs did not end: a symlink loop is followed"
    return names


@pytest.fixture
def looped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``box/a.json``, ``box/sub/b.json``, and two links back up (``box/self``, ``box/sub/up``)."""
    box = tmp_path / "box"
    (box / "sub").mkdir(parents=True)
    (box / "a.json").write_bytes(b"{}")
    (box / "sub" / "b.json").write_bytes(b"{}")
    (box / "self").symlink_to(box, target_is_directory=True)
    (box / "sub" / "up").symlink_to(box, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return box


@pytest.mark.usefixtures("looped")
@pytest.mark.parametrize("pattern", ["box/**", "box/**/*.json", "**/*.json", "box/**/sub/*.json"])
def test_a_recursive_pattern_does_not_follow_a_symlink_loop(pattern: str) -> None:
    names = _expand_with_deadline([pattern])
    assert "box/a.json" in names or pattern == "box/**/sub/*.json"
    assert all("self" not in name and "/up/" not in name for name in names), names


@pytest.mark.usefixtures("looped")
def test_a_symlinked_directory_named_in_a_pattern_is_still_read() -> None:
    # Only ``**`` refuses to descend into links; a link spelled out in the pattern is followed once.
    assert _expand_with_deadline(["box/self/*.json"]) == ["box/self/a.json"]


def test_each_file_of_a_pattern_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for rel in ["tree/y.json", "tree/a/b/x.json", "tree/a/w.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"{}")
    monkeypatch.chdir(tmp_path)
    # ``tree/**`` matches tree/, tree/a/ and tree/a/b/: each directory's walk used to repeat the files below it.
    names = [s.name for s in expand_inputs(["tree/**"])]
    assert sorted(names) == ["tree/a/b/x.json", "tree/a/w.json", "tree/y.json"]
    assert len(names) == len(set(names))


def test_hidden_entries_stay_skipped_by_recursive_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for rel in ["d/.git/x.json", "d/.h.json", "d/v.json", "d/s/w.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"{}")
    monkeypatch.chdir(tmp_path)
    assert [s.name for s in expand_inputs(["d/**/*.json"])] == ["d/s/w.json", "d/v.json"]
    assert [s.name for s in expand_inputs(["d/**/.h*"])] == ["d/.h.json"]  # asked for by name
