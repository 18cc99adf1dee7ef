"""The PostgreSQL backend: ``postgresql://user:password@host:port/database`` (psycopg 3, ``etr[postgres]``).

Several nodes share one registry through it. Each thread has its own connection in autocommit mode;
writes are explicit transactions (READ COMMITTED): the record's head moves with a conditional ``UPDATE``
(``WHERE entries = … AND head_checksum = …``, which waits for a concurrent writer and then finds the row
moved), and the constraints of :mod:`etr.registry.migrations` refuse a second successor or a second live
record whatever the interleaving. A serialization failure or a deadlock is retried like a lost race.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import RegistryDriverMissing
from .backend import Backend

__all__ = ["PostgresBackend"]

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


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

    def describe(self) -> str:
        return "PostgreSQL database " + _PASSWORD.sub(r"\1***@", self.url)

    def connect(self, *, create: bool) -> Any:
        return self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)

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
