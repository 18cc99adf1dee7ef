"""The PostgreSQL backend: ``postgresql://user:password@host:port/database`` (psycopg 3, ``etr[postgres]``).

Several nodes share one registry through it. Each thread has its own connection in autocommit mode;
writes are explicit transactions (READ COMMITTED): the record's head moves with a conditional ``UPDATE``
(``WHERE entries = … AND head_checksum = …``, which waits for a concurrent writer and then finds the row
moved) in the same statement that inserts the new entries (one round trip, its own transaction), and the
constraints of :mod:`etr.registry.migrations` refuse a second successor or a second live
record whatever the interleaving. A serialization failure or a deadlock is retried like a lost race.

No statement waits forever: every session sets ``lock_timeout`` (:data:`LOCK_TIMEOUT_S`, as long as SQLite's
busy timeout) and ``statement_timeout`` (:data:`STATEMENT_TIMEOUT_S`), so a lock held by a stuck session or
an administrator makes :meth:`~etr.registry.Registry.record`, ``status`` and the others answer
``REG-UNAVAILABLE`` (:class:`~etr.errors.RegistryUnavailable`), never block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import RegistryDriverMissing
from .backend import ENTRY_COLUMNS, ENTRY_TYPES, Backend, Conflict, EntryRow, redact_url

__all__ = ["LOCK_TIMEOUT_S", "STATEMENT_TIMEOUT_S", "PostgresBackend"]

#: How long a statement waits for a lock another session holds (seconds): SQLite's busy timeout.
LOCK_TIMEOUT_S = 60.0
#: How long one statement may run (seconds); the registry's largest — a whole envelope's entries inserted
#: in one statement — takes milliseconds, so this only ends a statement that cannot finish.
STATEMENT_TIMEOUT_S = 120.0



class PostgresBackend(Backend):
    """A registry in a PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            import psycopg
            from psycopg import errors
        except ImportError:
            raise RegistryDriverMissing("a postgresql:// registry needs psycopg 3, which is not installed",
                                        hint="pip install 'etr[postgres]'") from None
        self._psycopg = psycopg
        self.conflict_errors = (psycopg.IntegrityError, errors.SerializationFailure, errors.DeadlockDetected)
        self.unavailable_errors = (psycopg.OperationalError, psycopg.InterfaceError, psycopg.DatabaseError)

    def damage(self, exc: BaseException) -> str | None:
        if isinstance(exc, self._psycopg.errors.UndefinedTable):
            return f"{_reason_line(exc)} (dropped outside etr?)"
        return None

    def describe(self) -> str:
        return "PostgreSQL database " + redact_url(self.url)

    def connect(self, *, create: bool) -> Any:
        conn = self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        try:
            conn.execute("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                         (f"{int(LOCK_TIMEOUT_S * 1000)}ms", f"{int(STATEMENT_TIMEOUT_S * 1000)}ms"))
        except BaseException:
            conn.close()
            raise
        return conn

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN")

    def lock_for_migration(self, conn: Any) -> None:
        # Two nodes running `etr registry init` at once: the second waits, then finds the schema in place.
        conn.execute("SELECT pg_advisory_xact_lock(4242010)")

    def table_exists(self, conn: Any, name: str) -> bool:
        return conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _executemany(self, conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _entries_values(self, rows: Sequence[EntryRow]) -> tuple[str, list[Any]]:
        """``VALUES (…), (…)`` for ``rows``, typed, and its parameters."""
        one = "(" + ", ".join(f"%s::{t}" for t in ENTRY_TYPES) + ")"
        return ", ".join([one] * len(rows)), [v for r in rows for v in self.entry_values(r)]

    def store_new(self, values: dict[str, Any], rows: Sequence[EntryRow]) -> None:
        """One statement (its own transaction): the record row, then its entries."""
        names = list(values)
        entries, params = self._entries_values(rows)
        sql = (f"WITH created AS (INSERT INTO etr_records ({', '.join(names)}) VALUES "
               f"({', '.join(['%s'] * len(names))}) RETURNING id) "
               f"INSERT INTO etr_entries (record_id, {ENTRY_COLUMNS}) SELECT created.id, v.* FROM created "
               f"CROSS JOIN (VALUES {entries}) AS v")
        with self.statement() as conn:
            if conn.execute(sql, [*(values[n] for n in names), *params]).rowcount != len(rows):
                raise Conflict()

    def store_append(self, record_id: int, expected_entries: int, expected_head: str, values: dict[str, Any],
                     rows: Sequence[EntryRow]) -> None:
        """One statement (its own transaction): the head moves only if it is still where it was read, and the
        entries are inserted only with it (none when it moved: :class:`Conflict`)."""
        names = list(values)
        entries, params = self._entries_values(rows)
        sql = (f"WITH moved AS (UPDATE etr_records SET {', '.join(n + ' = %s' for n in names)} "
               "WHERE id = %s AND entries = %s AND head_checksum = %s RETURNING id) "
               f"INSERT INTO etr_entries (record_id, {ENTRY_COLUMNS}) SELECT moved.id, v.* FROM moved "
               f"CROSS JOIN (VALUES {entries}) AS v")
        with self.statement() as conn:
            cursor = conn.execute(sql, [*(values[n] for n in names), record_id, expected_entries, expected_head,
                                        *params])
            if cursor.rowcount != len(rows):
                raise Conflict()


def _reason_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
