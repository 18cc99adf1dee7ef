"""Where inputs come from: command-line names turned into :class:`Source` objects, read within limits."""

from __future__ import annotations

import glob
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .document import Limits, LoadError, check_size

#: File name endings picked up when a directory is walked. Named files are
#: always read, whatever their name: the family is decided by content.
#: ``.tt`` is TradeTrust's name for an OpenAttestation document (JSON).
DIRECTORY_SUFFIXES = frozenset({".json", ".jsonld", ".xml", ".pdf", ".tt"})


@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a path, or stdin when ``path`` is ``None``."""

    name: str
    path: Path | None = None
    missing: bool = False

    @classmethod
    def of_path(cls, name: str, path: Path) -> Source:
        """The source for a file named by a caller. A name the system refuses to look up (too long …)
        counts as present, so that reading it reports the system's reason (``LOAD-IO``), never an
        exception."""
        try:
            missing = not path.exists()
        except OSError:
            missing = False
        return cls(name, path, missing)

    def read(self, limits: Limits, stdin: BinaryIO | None = None) -> bytes:
        """The input's bytes, at most ``limits.max_bytes``.

        Raises:
            LoadError: ``LOAD-NOT-FOUND`` (no such file, or a pattern that matched
                nothing), ``LOAD-IO`` (a directory, a pipe or socket, unreadable),
                ``LOAD-TOO-LARGE`` (checked on the file's size before reading, and
                on what was read, for stdin and special files).
        """
        if self.missing:
            raise LoadError("LOAD-NOT-FOUND", f"no such file, directory or match: {self.name}")
        if self.path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(limits.max_bytes + 1)
            check_size(len(data), limits)
            return data
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            raise LoadError("LOAD-NOT-FOUND", f"no such file: {self.name}") from None
        except OSError as exc:
            raise LoadError("LOAD-IO", f"cannot read {self.name}: {exc.strerror or exc}") from None
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            # Opening a named pipe blocks until someone writes to it: refuse rather than hang.
            raise LoadError("LOAD-IO", f"not a regular file (a pipe or socket): {self.name}")
        try:
            with open(self.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                check_size(size, limits)
                data = fh.read(limits.max_bytes + 1)
        except IsADirectoryError:
            raise LoadError("LOAD-IO", f"is a directory: {self.name}") from None
        except OSError as exc:
            raise LoadError("LOAD-IO", f"cannot read {self.name}: {exc.strerror or exc}") from None
        check_size(len(data), limits)
        return data


_GLOB_CHARS = re.compile(r"[*?\[]")


def expand_inputs(inputs: Iterable[str]) -> Iterator[Source]:
    """Turn command-line inputs into sources, in a stable order.

    ``-`` is stdin; a directory is walked recursively (sorted, hidden entries
    skipped, only :data:`DIRECTORY_SUFFIXES`); a pattern with ``*``, ``?`` or
    ``[`` that is not an existing path is expanded as a recursive glob. An
    input that matches nothing yields a ``missing`` source, reported as
    ``LOAD-NOT-FOUND``.
    """
    for item in inputs:
        if item == "-":
            yield Source("<stdin>")
            continue
        path = Path(item)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError:  # a name the system will not look up (too long): reading it reports why (LOAD-IO)
            yield Source(item, path)
            continue
        if is_dir:
            yield from _walk(path)
        elif exists or not _GLOB_CHARS.search(item):
            yield Source(item, path, missing=not exists)
        else:
            matches = sorted(Path(match) for match in _glob(item))
            if not matches:
                yield Source(item, None, missing=True)
            seen: set[str] = set()  # matches overlap (a directory and those below it): read each file once
            for match in matches:
                for source in (_walk(match) if match.is_dir() else (Source(str(match), match),)):
                    if source.name not in seen:
                        seen.add(source.name)
                        yield source


def _glob(pattern: str) -> list[str]:
    """``glob.glob(pattern, recursive=True)``, except that ``**`` never descends into a symbolic link.

    glob.glob (unlike Path.glob) skips hidden entries as a shell does and as :func:`_walk` does, but its
    ``**`` follows links to directories: a link back up (``dir/self -> dir``) makes it recurse until the
    path is too long, for ever in practice. Here ``**`` is a walk that does not follow links (as os.walk
    and :func:`_walk`); a link spelled out in the pattern is still followed, once.
    """
    parts = pattern.split(os.sep)
    if "**" not in parts:
        return glob.glob(pattern)
    i = parts.index("**")
    prefix, rest = os.sep.join(parts[:i]), parts[i + 1:]
    if i and not prefix:
        prefix = os.sep  # "/**/…": from the root
    if _GLOB_CHARS.search(prefix):
        bases = [b for b in glob.glob(prefix) if os.path.isdir(b)]
    else:
        bases = [prefix] if not prefix or os.path.isdir(prefix) else []
    found: list[str] = []
    for base in bases:
        for directory in _directories(base):
            if rest:
                found.extend(_glob(os.path.join(glob.escape(directory), *rest)))
            else:  # a trailing "**": every file below (a link to a directory is not descended into either)
                found.extend(entry.path for entry in _entries(directory) if not _is_dir(entry))
    return found


def _directories(base: str) -> Iterator[str]:
    """``base`` ("" for the working directory) and every directory below it, hidden ones and links skipped."""
    stack = [base]
    while stack:
        directory = stack.pop()
        yield directory
        below = sorted(e.path for e in _entries(directory) if e.is_dir(follow_symlinks=False))
        stack.extend(reversed(below))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: not a directory to walk, and read as a file it says why (LOAD-IO)
        return False


def _entries(directory: str) -> list[os.DirEntry[str]]:
    """The entries of ``directory`` not hidden; none when it cannot be listed (as glob.glob)."""
    try:
        with os.scandir(directory or os.curdir) as it:
            return [e for e in it if not e.name.startswith(".")]
    except OSError:
        return []


def _walk(root: Path) -> Iterator[Source]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in DIRECTORY_SUFFIXES:
                continue
            full = Path(dirpath, name)
            yield Source(str(full), full)
