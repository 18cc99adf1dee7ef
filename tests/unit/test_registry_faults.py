"""Faults of the registry found in review, one test (or a few) each: a lock held by another session, a
password in a URL's query string, damaged databases (both backends where it concerns the database)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pint_simulator import VERIFY_AT, World
from registry_support import BACKENDS, build, envelope, registry_url

import etr.registry
from etr.errors import RegistryCorrupt, RegistryUnavailable
from etr.registry import RecordKey, Registry

WORLD = World("EdDSA")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from registry_url(request.param, tmp_path)


def _raw(url: str) -> Any:
    if url.startswith("sqlite:"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    import psycopg

    return psycopg.connect(url, autocommit=True)


# --------------------------------------------------------------------------- a lock held elsewhere


def test_a_lock_held_by_another_session_makes_the_registry_unavailable_not_blocked(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite gives up after its busy timeout; PostgreSQL after its lock_timeout (both shortened here)."""
    monkeypatch.setattr("etr.registry.sqlite.BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr("etr.registry.postgres.LOCK_TIMEOUT_S", 0.3)
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    reg = etr.registry.open(url)
    reg.init()
    key = reg.record(envelope(chain, 1), trust=WORLD.trust, at=VERIFY_AT).key
    assert key is not None
    holder = _raw(url)
    try:
        if url.startswith("sqlite:"):
            holder.execute("BEGIN EXCLUSIVE")  # the write lock: readers in WAL mode still read
        else:
            holder.execute("BEGIN")
            holder.execute("LOCK TABLE etr_records, etr_entries IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(RegistryUnavailable) as exc:
            reg.record(envelope(chain), trust=WORLD.trust, at=VERIFY_AT)
        assert exc.value.code == "REG-UNAVAILABLE"
        if url.startswith("postgresql:"):
            with pytest.raises(RegistryUnavailable):
                reg.status(key)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once the lock is gone, the registry works again, with nothing half-stored.
    assert reg.record(envelope(chain), trust=WORLD.trust, at=VERIFY_AT).response == "RECE"
    status = reg.status(key)
    assert status is not None and status.entries == 2
    reg.close()


def test_postgres_sessions_carry_the_documented_timeouts() -> None:
    from registry_support import postgres_server

    from etr.registry import postgres

    reg = etr.registry.open(postgres_server())
    conn = reg.backend.connect(create=False)
    try:
        lock, statement = conn.execute("SELECT extract(epoch FROM current_setting('lock_timeout')::interval), "
                                       "extract(epoch FROM current_setting('statement_timeout')::interval)"
                                       ).fetchone()
    finally:
        conn.close()
    assert (float(lock), float(statement)) == (postgres.LOCK_TIMEOUT_S, postgres.STATEMENT_TIMEOUT_S) == (60, 120)


# --------------------------------------------------------------------------- secrets in a URL


@pytest.mark.parametrize(("url", "secrets"), [
    ("postgresql://user:S3CRET@127.0.0.1:1/db", ["S3CRET"]),
    ("postgresql://user@127.0.0.1:1/db?password=S3CRET", ["S3CRET"]),
    ("postgresql://user@127.0.0.1:1/db?sslmode=disable&passfile=/home/u/SECRETFILE&PASSWORD=S3CRET",
     ["SECRETFILE", "S3CRET"]),
    ("postgres://127.0.0.1:1/db?sslpassword=S3CRET#x", ["S3CRET"]),
    ("mysql://user:S3CRET@host/db?password=S3CRET", ["S3CRET"]),
])
def test_a_password_in_a_url_is_never_printed(url: str, secrets: list[str]) -> None:
    from click.testing import CliRunner

    from etr.cli import main
    from etr.registry import redact_url

    redacted = redact_url(url)
    assert "***" in redacted and not any(s in redacted for s in secrets)
    assert redacted.split("?")[0].split("@")[-1] == url.split("?")[0].split("@")[-1]  # host and database kept
    for args in (["registry", "init", "--db", url], ["registry", "status", "--db", url, "CARR", "X"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == (1 if url.startswith("postgres") else 2), result.output
        assert "127.0.0.1" in result.output or "mysql" in result.output
        assert not any(s in result.output for s in secrets), result.output


# --------------------------------------------------------------------------- damaged databases


def _recorded(url: str) -> tuple[Registry, RecordKey]:
    reg = etr.registry.open(url)
    reg.init()
    key = reg.record(envelope(build(WORLD, [("TRANSFER", "alice", "bob")])), trust=WORLD.trust, at=VERIFY_AT).key
    assert key is not None
    reg.close()
    return reg, key


def test_a_token_that_is_not_utf8_is_corrupt_and_not_quoted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    reg, key = _recorded(url)
    conn = _raw(url)
    conn.execute("UPDATE etr_entries SET token = CAST(X'" + "41" * 300 + "FF" + "' AS TEXT) WHERE idx = 1")
    conn.close()
    with pytest.raises(RegistryCorrupt) as exc:
        reg.chain(key)
    assert exc.value.code == "REG-CORRUPT" and "AAAAAAAA" not in str(exc.value) and "UTF-8" in str(exc.value)
    with pytest.raises(RegistryCorrupt):
        reg.record(envelope(build(WORLD, [("TRANSFER", "alice", "carol")])), trust=WORLD.trust, at=VERIFY_AT)


def test_a_dropped_table_is_corrupt_for_init_and_record(url: str) -> None:
    reg, key = _recorded(url)
    conn = _raw(url)
    conn.execute("DROP TABLE etr_entries")
    conn.close()
    for operation in (reg.init, lambda: reg.status(key),
                      lambda: reg.record(envelope(build(WORLD)), trust=WORLD.trust, at=VERIFY_AT)):
        with pytest.raises(RegistryCorrupt) as exc:
            operation()
        assert "etr_entries" in str(exc.value)


def test_a_deleted_schema_version_is_corrupt_not_a_loop(url: str) -> None:
    reg, key = _recorded(url)
    conn = _raw(url)
    conn.execute("DELETE FROM etr_registry_meta")
    conn.close()
    for operation in (reg.init, lambda: reg.status(key)):
        with pytest.raises(RegistryCorrupt) as exc:
            operation()
        assert "schema_version" in str(exc.value)


# --------------------------------------------------------------------------- status cross-checks its head


@pytest.mark.parametrize(("column", "value"), [
    ("holder", '{"partyName":"Mallory","eblPlatform":"EBL3","identifyingCodes":[]}'),
    ("platform", "EBL3"),
    ("state", "accomplished"),
    ("head_checksum", "0" * 64),
])
def test_status_does_not_trust_a_column_that_contradicts_the_chain(url: str, column: str, value: str) -> None:
    reg, key = _recorded(url)
    status = reg.status(key)
    assert status is not None and status.holder is not None and status.holder["partyName"] == "Bob Bank plc"
    reg.close()
    conn = _raw(url)
    if column == "head_checksum":  # the head moved in the record row only: the last entry says otherwise
        conn.execute("UPDATE etr_records SET head_checksum = '" + value + "'")
    else:
        conn.execute(f"UPDATE etr_records SET {column} = '" + value + "'")
    conn.close()
    with pytest.raises(RegistryCorrupt) as exc:
        reg.status(key)
    assert key.describe() in str(exc.value)
