"""The SQLite backend: ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``.

Durability and isolation, set on every connection:

- ``journal_mode=WAL``: readers never block the writer nor see its uncommitted rows;
- ``synchronous=FULL``: a commit is on disk (the WAL is synced) before :meth:`~etr.registry.Registry.record`
  returns, so an accepted entry survives a crash or a power cut;
- ``foreign_keys=ON`` (the chain's links are a foreign key) and a busy timeout, so concurrent writers wait
  for each other instead of failing;
- writes are explicit ``BEGIN IMMEDIATE`` transactions: the write lock is taken at the start, so two
  writers never both read-then-upgrade (SQLite's deadlock), and one transaction holds all of a recording.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import RegistryNotInitialised
from .backend import Backend

__all__ = ["BUSY_TIMEOUT_S", "SqliteBackend"]

_COLUMN = re.compile(r"column '([A-Za-z_]{1,40})'")

#: How long a writer waits for another one's transaction before the database counts as unavailable.
BUSY_TIMEOUT_S = 60.0


class SqliteBackend(Backend):
    """A registry in one SQLite file (WAL, ``synchronous=FULL``)."""

    dialect = "sqlite"
    conflict_errors = (sqlite3.IntegrityError,)
    unavailable_errors = (sqlite3.OperationalError, sqlite3.DatabaseError)

    def __init__(self, url: str, path: str) -> None:
        super().__init__(url)
        self.path = Path(path)

    def describe(self) -> str:
        return f"SQLite database {self.path}"

    def damage(self, exc: BaseException) -> str | None:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and text.startswith("Could not decode to UTF-8"):
            # The driver's message quotes the stored text (up to hundreds of characters of a token): not repeated.
            column = _COLUMN.search(text)
            return f"column {column.group(1) if column else '?'} holds text that is not UTF-8 (changed outside etr?)"
        if isinstance(exc, sqlite3.OperationalError) and text.startswith("no such table:"):
            return f"table {text.removeprefix('no such table:').strip()[:40]} is missing (dropped outside etr?)"
        return None

    def connect(self, *, create: bool) -> Any:
        if not create and not self.path.exists():
            raise RegistryNotInitialised(f"no registry at {self.path}",
                                         hint="run `etr registry init --db URL` (or Registry.init()) first")
        mode = "rwc" if create else "rw"
        conn = sqlite3.connect(f"file:{quote(str(self.path))}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S,
                               isolation_level=None, check_same_thread=True)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def table_exists(self, conn: Any, name: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
            is not None

    def _executemany(self, conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
        conn.executemany(sql, rows)
