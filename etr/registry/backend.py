"""The SQL both databases share, over a connection per thread (and per process).

A backend (:class:`~etr.registry.sqlite.SqliteBackend`, :class:`~etr.registry.postgres.PostgresBackend`)
gives connections, the dialect's way to open a write transaction, and which driver exceptions mean what;
:class:`Backend` holds the statements. Statements are written with ``?`` placeholders (the PostgreSQL
backend turns them into ``%s``; no statement holds a literal question mark).

Writes go through :meth:`Backend.write`, one explicit transaction: either all of its rows are stored or
none (a crash in the middle leaves none visible). A write that loses a race — a row the constraints refuse
because another writer stored a conflicting one first — raises :class:`Conflict`, and the registry reads
again and decides again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import RegistryCorrupt, RegistryNotInitialised, RegistrySchemaNewer, RegistryUnavailable
from .migrations import SCHEMA_VERSION, statements
from .model import RecordKey

__all__ = ["ENTRY_COLUMNS", "ENTRY_TYPES", "Backend", "Conflict", "EntryRow", "RecordRow", "redact_url"]

_USER_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
#: libpq's connection parameters that hold a secret or name a file of them (in a URL's query string).
_SECRET_PARAMETERS = re.compile(r"([?&](?:password|passfile|sslpassword)=)[^&#]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """``url`` fit for a message: the password of ``user:password@`` and the values of the ``password``,
    ``passfile`` and ``sslpassword`` query parameters become ``***``."""
    return _SECRET_PARAMETERS.sub(r"\1***", _USER_PASSWORD.sub(r"\1***@", url))

_RECORD_COLUMNS = ("id, carrier_code, transport_document_reference, issuance_manifest_checksum, "
                   "transport_document_checksum, entries, head_checksum, head_previous, head_payload, head_digest, "
                   "chain_state, state, live, holder, platform, conflicts, created_at, updated_at")
ENTRY_TYPES = ("INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT")
_ENTRY_COLUMNS = ("idx, checksum, payload_checksum, previous_checksum, chain_digest, actions, actor_platform, "
                  "recipient_platform, action_date_time, signer, recorded_at, token")
#: The entry columns, in the order of :class:`EntryRow` (``record_id`` aside), and their SQL types.
ENTRY_COLUMNS = _ENTRY_COLUMNS


class Conflict(Exception):
    """A write lost a race (a constraint refused it, or the row it updates changed): read again."""


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One row of ``etr_records``: a record and the head of its chain."""

    id: int
    key: RecordKey
    transport_document_checksum: str
    entries: int
    head_checksum: str
    head_previous: str | None
    head_payload: str
    head_digest: str
    chain_state: str
    state: str
    live: bool
    holder: str | None
    platform: str | None
    conflicts: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, row: Sequence[Any]) -> RecordRow:
        return cls(int(row[0]), RecordKey(row[1], row[2], row[3]), row[4], int(row[5]), row[6], row[7], row[8],
                   row[9], row[10], row[11], bool(row[12]), row[13], row[14], int(row[15]), row[16], row[17])


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One row of ``etr_entries``: an accepted chain entry."""

    idx: int
    checksum: str
    payload_checksum: str
    previous_checksum: str | None
    chain_digest: str
    actions: str
    actor_platform: str | None
    recipient_platform: str | None
    action_date_time: str | None
    signer: str | None
    recorded_at: str
    token: str

    @classmethod
    def of(cls, row: Sequence[Any]) -> EntryRow:
        return cls(int(row[0]), *row[1:])


class Backend:
    """Connections and the registry's SQL; subclasses supply the dialect."""

    dialect = ""
    #: Driver exceptions that mean a constraint refused a row (or the transaction must be retried).
    conflict_errors: tuple[type[BaseException], ...] = ()
    #: Driver exceptions that mean the database cannot be used (unreachable, locked for too long …).
    unavailable_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()

    # -------------------------------------------------------------- what a dialect supplies

    def connect(self, *, create: bool) -> Any:
        """A new connection in autocommit mode (each statement outside :meth:`write` is its own transaction)."""
        raise NotImplementedError

    def begin(self, conn: Any) -> None:
        """Open a write transaction."""
        raise NotImplementedError

    def table_exists(self, conn: Any, name: str) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        """The database, for messages (no password)."""
        return self.url

    def damage(self, exc: BaseException) -> str | None:
        """What a driver error says is damaged in the database (``None``: it says the database cannot be
        used now)."""
        return None

    def failure(self, exc: BaseException) -> RegistryCorrupt | RegistryUnavailable:
        """The registry's error for a driver error: :class:`RegistryCorrupt` when the database is damaged
        (a table missing, text that is not UTF-8), else :class:`RegistryUnavailable`."""
        damage = self.damage(exc)
        if damage is not None:
            return RegistryCorrupt(f"{self.describe()}: {damage}")
        return RegistryUnavailable(f"registry {self.describe()}: {_reason(exc)}")

    # -------------------------------------------------------------- connections

    def _sql(self, sql: str) -> str:
        return sql

    def connection(self) -> Any:
        """This thread's connection (a new one in a forked child: a connection is never shared across
        processes), checked once for the schema version.

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer.
        """
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            if self._local.pid == os.getpid():
                return conn
            _keep_inherited(conn)
            self._local.conn = None
        conn = self._open(create=False)
        version = self._version(conn)
        if version is None:
            self._close(conn)
            raise RegistryNotInitialised(f"{self.describe()} holds no etr registry",
                                         hint="run `etr registry init --db URL` (or Registry.init()) first")
        if version > SCHEMA_VERSION:
            self._close(conn)
            raise _newer(self.describe(), version)
        if version < SCHEMA_VERSION:
            self._close(conn)
            raise RegistryNotInitialised(f"{self.describe()} has registry schema version {version}; this etr "
                                         f"uses {SCHEMA_VERSION}", hint="run `etr registry init --db URL` (or "
                                         "Registry.init()) to migrate it")
        try:
            self._check_tables(conn, version)
        except BaseException:
            self._close(conn)
            raise
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _open(self, *, create: bool) -> Any:
        try:
            return self.connect(create=create)
        except self.unavailable_errors as exc:
            raise RegistryUnavailable(f"cannot open the registry {self.describe()}: {_reason(exc)}",
                                      hint="check the URL, that the database server runs and accepts this user, "
                                           "and the file's permissions") from None

    @staticmethod
    def _close(conn: Any) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection: nothing more to do
            conn.close()

    def close(self) -> None:
        """Close this thread's connection (others close when their thread's objects are collected)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            if self._local.pid == os.getpid():
                self._close(conn)
            else:
                _keep_inherited(conn)
        self._local.conn = None

    def _version(self, conn: Any) -> int | None:
        try:
            if not self.table_exists(conn, "etr_registry_meta"):
                return None
            row = self._one(conn, "SELECT value FROM etr_registry_meta WHERE name = 'schema_version'", ())
        except self.unavailable_errors as exc:
            raise RegistryUnavailable(f"cannot read the registry {self.describe()}: {_reason(exc)}") from None
        if row is None:
            raise RegistryCorrupt(f"{self.describe()}: etr_registry_meta holds no schema_version (deleted outside "
                                  "etr?); the schema cannot be told, so it is neither used nor created again",
                                  hint="restore the database from a backup")
        try:
            return int(row[0])
        except (TypeError, ValueError):
            raise RegistryCorrupt(f"{self.describe()}: schema version {str(row[0])[:20]!r} is not a number") from None

    def migrate(self) -> tuple[int, int]:
        """Create or upgrade the schema in one transaction; return (version before, version after).

        Raises:
            RegistryUnavailable: the database cannot be opened or written.
            RegistrySchemaNewer: the database was written by a newer etr.
        """
        conn = self._open(create=True)
        try:
            self.begin(conn)
            try:
                self.lock_for_migration(conn)
                before = self._version(conn) or 0
                if before > SCHEMA_VERSION:
                    raise _newer(self.describe(), before)
                for version in range(before + 1, SCHEMA_VERSION + 1):
                    for statement in statements(version, self.dialect):
                        self._run(conn, statement, ())
                if before == 0:
                    self._run(conn, "INSERT INTO etr_registry_meta (name, value) VALUES ('schema_version', ?)",
                              (str(SCHEMA_VERSION),))
                elif before < SCHEMA_VERSION:
                    self._run(conn, "UPDATE etr_registry_meta SET value = ? WHERE name = 'schema_version'",
                              (str(SCHEMA_VERSION),))
                self._check_tables(conn, SCHEMA_VERSION)  # "up to date" only when it is whole
            except BaseException:
                self._rollback(conn)
                raise
            self._commit(conn)
            return before, SCHEMA_VERSION
        except (*self.conflict_errors, *self.unavailable_errors) as exc:
            raise RegistryUnavailable(f"cannot initialise {self.describe()}: {_reason(exc)}") from None
        finally:
            self._close(conn)

    def _check_tables(self, conn: Any, version: int) -> None:
        """The tables of schema ``version`` are there (one dropped outside etr is damage, not an empty registry).

        Raises:
            RegistryCorrupt: one is missing.
            RegistryUnavailable: the database cannot be read.
        """
        try:
            missing = [t for t in ("etr_records", "etr_entries", "etr_conflicts")[:2 if version < 2 else 3]
                       if not self.table_exists(conn, t)]
        except self.unavailable_errors as exc:
            raise RegistryUnavailable(f"cannot read the registry {self.describe()}: {_reason(exc)}") from None
        if missing:
            raise RegistryCorrupt(f"{self.describe()}: schema version {version}, but table {', '.join(missing)} "
                                  "is missing (dropped outside etr?)", hint="restore the database from a backup")

    def lock_for_migration(self, conn: Any) -> None:
        """Serialise concurrent migrations (SQLite's write transaction already does)."""

    # -------------------------------------------------------------- statements

    def _run(self, conn: Any, sql: str, params: Sequence[Any]) -> Any:
        return conn.execute(self._sql(sql), tuple(params))

    def _one(self, conn: Any, sql: str, params: Sequence[Any]) -> Any:
        return self._run(conn, sql, params).fetchone()

    def _all(self, conn: Any, sql: str, params: Sequence[Any]) -> list[Any]:
        return list(self._run(conn, sql, params).fetchall())

    def _commit(self, conn: Any) -> None:
        self._run(conn, "COMMIT", ())

    def _rollback(self, conn: Any) -> None:
        with contextlib.suppress(Exception):  # the transaction may already be gone with the connection
            self._run(conn, "ROLLBACK", ())

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """This thread's connection for reads; driver failures become :class:`RegistryUnavailable`."""
        conn = self.connection()
        try:
            yield conn
        except self.unavailable_errors as exc:
            self.close()
            raise self.failure(exc) from None

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One explicit transaction: committed when the block ends, rolled back when it raises.
        A constraint's refusal becomes :class:`Conflict`.

        Raises:
            Conflict: the write lost a race; nothing was stored.
            RegistryUnavailable: the database failed.
        """
        conn = self.connection()
        try:
            self.begin(conn)
        except self.unavailable_errors as exc:
            self.close()
            raise self.failure(exc) from None
        try:
            yield conn
            self._commit(conn)
        except Conflict:
            self._rollback(conn)
            raise
        except self.conflict_errors:
            self._rollback(conn)
            raise Conflict() from None
        except self.unavailable_errors as exc:
            self._rollback(conn)
            self.close()
            raise self.failure(exc) from None
        except BaseException:
            self._rollback(conn)
            raise

    def store_new(self, values: dict[str, Any], rows: Sequence[EntryRow]) -> None:
        """Store a new record and its entries, all or nothing.

        Raises:
            Conflict: another writer stored the record (or another live one of its reference) first.
            RegistryUnavailable: the database failed.
        """
        with self.write() as conn:
            record_id = self.insert_record(conn, values)
            self.insert_entries(conn, record_id, rows)

    def store_append(self, record_id: int, expected_entries: int, expected_head: str, values: dict[str, Any],
                     rows: Sequence[EntryRow]) -> None:
        """Move the record's head and store the entries after it, all or nothing, only if the head is still
        where it was read.

        Raises:
            Conflict: the head moved, or a constraint refused an entry.
            RegistryUnavailable: the database failed.
        """
        with self.write() as conn:
            self.update_head(conn, record_id, expected_entries, expected_head, values)
            self.insert_entries(conn, record_id, rows)

    @contextmanager
    def statement(self) -> Iterator[Any]:
        """This thread's connection for one statement that is its own transaction (autocommit): driver errors
        mapped as :meth:`write` maps them."""
        conn = self.connection()
        try:
            yield conn
        except self.conflict_errors:
            raise Conflict() from None
        except self.unavailable_errors as exc:
            self.close()
            raise self.failure(exc) from None

    def record_by_key(self, conn: Any, key: RecordKey) -> RecordRow | None:
        row = self._one(conn, f"SELECT {_RECORD_COLUMNS} FROM etr_records WHERE carrier_code = ? AND "
                              "transport_document_reference = ? AND issuance_manifest_checksum = ?",
                        (key.carrier_code, key.transport_document_reference, key.issuance_manifest_checksum))
        return RecordRow.of(row) if row is not None else None

    def records_by_reference(self, conn: Any, carrier_code: str, reference: str) -> list[RecordRow]:
        rows = self._all(conn, f"SELECT {_RECORD_COLUMNS} FROM etr_records WHERE carrier_code = ? AND "
                               "transport_document_reference = ? ORDER BY id", (carrier_code, reference))
        return [RecordRow.of(r) for r in rows]

    def record_by_first_payload(self, conn: Any, payload_checksum: str) -> RecordRow | None:
        row = self._one(conn, f"SELECT {', '.join('r.' + c.strip() for c in _RECORD_COLUMNS.split(','))} "
                              "FROM etr_entries e JOIN etr_records r ON r.id = e.record_id "
                              "WHERE e.idx = 0 AND e.payload_checksum = ? ORDER BY r.id", (payload_checksum,))
        return RecordRow.of(row) if row is not None else None

    def entry_at(self, conn: Any, record_id: int, idx: int) -> EntryRow | None:
        row = self._one(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? AND idx = ?",
                        (record_id, idx))
        return EntryRow.of(row) if row is not None else None

    def entries(self, conn: Any, record_id: int, below: int | None = None) -> list[EntryRow]:
        """The record's entries in chain order (those with ``idx < below`` when given)."""
        if below is None:
            rows = self._all(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? ORDER BY idx",
                             (record_id,))
        else:
            rows = self._all(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? AND idx < ? "
                                   "ORDER BY idx", (record_id, below))
        return [EntryRow.of(r) for r in rows]

    def entry_matching(self, conn: Any, record_id: int, checksum: str, payload_checksum: str) -> EntryRow | None:
        """The accepted entry with this JWS checksum or this payload checksum, if any (two look-ups, each by
        a unique index: an ``OR`` would scan the record's entries)."""
        row = self._one(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? AND checksum = ?",
                        (record_id, checksum))
        if row is None:
            row = self._one(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? AND "
                                  "payload_checksum = ?", (record_id, payload_checksum))
        return EntryRow.of(row) if row is not None else None

    def entry_by_checksum(self, conn: Any, record_id: int, checksum: str) -> EntryRow | None:
        row = self._one(conn, f"SELECT {_ENTRY_COLUMNS} FROM etr_entries WHERE record_id = ? AND checksum = ?",
                        (record_id, checksum))
        return EntryRow.of(row) if row is not None else None

    def insert_record(self, conn: Any, values: dict[str, Any]) -> int:
        """Insert a record row; return its id."""
        names = list(values)
        row = self._one(conn, f"INSERT INTO etr_records ({', '.join(names)}) VALUES "
                              f"({', '.join('?' for _ in names)}) RETURNING id", [values[n] for n in names])
        return int(row[0])

    def update_head(self, conn: Any, record_id: int, expected_entries: int, expected_head: str,
                    values: dict[str, Any]) -> None:
        """Move the record's head, only if it is still where it was read (else :class:`Conflict`)."""
        cursor = self._run(conn, _update_head_sql(tuple(values)),
                           [*values.values(), record_id, expected_entries, expected_head])
        if cursor.rowcount != 1:
            raise Conflict()

    @staticmethod
    def entry_values(row: EntryRow) -> tuple[Any, ...]:
        """An entry's column values, in the order of :data:`ENTRY_COLUMNS`."""
        return (row.idx, row.checksum, row.payload_checksum, row.previous_checksum, row.chain_digest, row.actions,
                row.actor_platform, row.recipient_platform, row.action_date_time, row.signer, row.recorded_at,
                row.token)

    def insert_entries(self, conn: Any, record_id: int, rows: Sequence[EntryRow]) -> None:
        self._executemany(conn, self._sql(_INSERT_ENTRY), [(record_id, *self.entry_values(r)) for r in rows])

    def _executemany(self, conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            conn.execute(sql, row)

    def add_conflicts(self, conn: Any, conflicts: Sequence[tuple[int, str]], now: str) -> None:
        """Count each (record id, contradiction) not counted before in its record's ``conflicts``."""
        for record_id, contradiction in conflicts:
            cursor = self._run(conn, "INSERT INTO etr_conflicts (record_id, contradiction, first_refused_at) "
                                     "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (record_id, contradiction, now))
            if cursor.rowcount == 1:
                self._run(conn, "UPDATE etr_records SET conflicts = conflicts + 1 WHERE id = ?", (record_id,))

    def conflict_known(self, conn: Any, record_id: int, contradiction: str) -> bool:
        """Whether this contradiction of the record was refused (and counted) before."""
        return self._one(conn, "SELECT 1 FROM etr_conflicts WHERE record_id = ? AND contradiction = ?",
                         (record_id, contradiction)) is not None


_INSERT_ENTRY = f"INSERT INTO etr_entries (record_id, {_ENTRY_COLUMNS}) VALUES ({', '.join(['?'] * 13)})"


@functools.lru_cache(maxsize=32)
def _update_head_sql(names: tuple[str, ...]) -> str:
    """The statement moving a record's head: the columns ``names``, then the id and the head it was read at."""
    return f"UPDATE etr_records SET {', '.join(n + ' = ?' for n in names)} WHERE id = ? AND entries = ? AND " \
        "head_checksum = ?"


#: Connections a forked child inherited from its parent: never used there, and never closed either (closing a
#: SQLite file in a process drops every POSIX lock the process holds on it, its own connections' included).
_INHERITED: list[Any] = []


def _keep_inherited(conn: Any) -> None:
    _INHERITED.append(conn)


def _newer(where: str, version: int) -> RegistrySchemaNewer:
    return RegistrySchemaNewer(f"{where} has registry schema version {version}; this etr knows up to "
                               f"{SCHEMA_VERSION}", hint="upgrade etr; a registry is never downgraded")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
