"""The registry's schema, as numbered migrations per database dialect.

A database records the schema version it has in ``etr_registry_meta`` (``name = 'schema_version'``).
:meth:`~etr.registry.Registry.init` applies, in one transaction, every migration above it; a database whose
version is higher than :data:`SCHEMA_VERSION` was written by a newer etr and is refused
(``REG-SCHEMA-NEWER``), never downgraded. Migrations are append-only: a released one is never edited.

The guarantees live in the constraints, not in etr's code (any number of processes, on any number of
machines for PostgreSQL, write at once):

- ``PRIMARY KEY (record_id, idx)``: one entry per position of a chain;
- ``UNIQUE (record_id, previous_checksum)``: one successor per entry (entry 0 names none; its position is
  unique by the key above);
- ``FOREIGN KEY (record_id, previous_checksum) REFERENCES etr_entries (record_id, checksum)``: an entry
  follows an accepted entry of the same chain;
- ``UNIQUE (record_id, checksum)`` and ``UNIQUE (record_id, payload_checksum)``: no entry twice, not even
  signed again;
- ``UNIQUE (carrier_code, transport_document_reference) WHERE live``: one live record per carrier and
  reference (a record is no longer live once an amendment's surrender is accepted: ``void``);
- ``PRIMARY KEY (record_id, contradiction)`` of ``etr_conflicts`` (version 2): a record's ``conflicts``
  counts each distinct contradiction once, however often it is sent.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "statements"]

_V1 = """
CREATE TABLE etr_registry_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE etr_records (
    id {serial} PRIMARY KEY,
    carrier_code TEXT NOT NULL,
    transport_document_reference TEXT NOT NULL,
    issuance_manifest_checksum TEXT NOT NULL,
    transport_document_checksum TEXT NOT NULL,
    entries INTEGER NOT NULL CHECK (entries >= 1),
    head_checksum TEXT NOT NULL,
    head_previous TEXT,
    head_payload TEXT NOT NULL,
    head_digest TEXT NOT NULL,
    chain_state TEXT NOT NULL,
    state TEXT NOT NULL,
    live INTEGER NOT NULL CHECK (live IN (0, 1)),
    holder TEXT,
    platform TEXT,
    conflicts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (carrier_code, transport_document_reference, issuance_manifest_checksum)
);
CREATE UNIQUE INDEX etr_records_live ON etr_records (carrier_code, transport_document_reference) WHERE live = 1;
CREATE TABLE etr_entries (
    record_id {bigint} NOT NULL REFERENCES etr_records (id),
    idx INTEGER NOT NULL CHECK (idx >= 0),
    checksum TEXT NOT NULL,
    payload_checksum TEXT NOT NULL,
    previous_checksum TEXT,
    chain_digest TEXT NOT NULL,
    actions TEXT NOT NULL,
    actor_platform TEXT,
    recipient_platform TEXT,
    action_date_time TEXT,
    signer TEXT,
    recorded_at TEXT NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (record_id, idx),
    UNIQUE (record_id, checksum),
    UNIQUE (record_id, payload_checksum),
    UNIQUE (record_id, previous_checksum),
    FOREIGN KEY (record_id, previous_checksum) REFERENCES etr_entries (record_id, checksum),
    CHECK ((idx = 0 AND previous_checksum IS NULL) OR (idx > 0 AND previous_checksum IS NOT NULL))
);
CREATE INDEX etr_entries_first_payload ON etr_entries (payload_checksum) WHERE idx = 0;
"""

_TYPES = {
    "sqlite": {"serial": "INTEGER", "bigint": "INTEGER"},
    "postgresql": {"serial": "BIGSERIAL", "bigint": "BIGINT"},
}

# Version 2: the contradictions a record's ``conflicts`` counts, one row per distinct one (a fork sent again
# is the same fork: counted once). Counts made under version 1 stay as they were.
_V2 = """
CREATE TABLE etr_conflicts (
    record_id {bigint} NOT NULL REFERENCES etr_records (id),
    contradiction TEXT NOT NULL,
    first_refused_at TEXT NOT NULL,
    PRIMARY KEY (record_id, contradiction)
);
"""

#: version -> the migration's SQL (``{serial}`` / ``{bigint}`` filled per dialect).
MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2}
#: The schema version this etr writes and reads.
SCHEMA_VERSION = max(MIGRATIONS)


def statements(version: int, dialect: str) -> list[str]:
    """The SQL statements of migration ``version`` for ``dialect`` (``sqlite`` or ``postgresql``)."""
    sql = MIGRATIONS[version].format(**_TYPES[dialect])
    return [s.strip() for s in sql.split(";") if s.strip()]
