"""Faults of the registry found in review, one test (or a few) each: a lock held by another session, a
password in a URL's query string, damaged databases (both backends where it concerns the database)."""

from __future__ import annotations

import json
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


# --------------------------------------------------------------------------- what a refusal says


def test_another_issuance_of_the_same_document_names_the_issuances_not_one_checksum_twice(url: str) -> None:
    reg = etr.registry.open(url)
    reg.init()
    first = reg.record(envelope(build(WORLD)), trust=WORLD.trust, at=VERIFY_AT)
    other = reg.record(envelope(build(WORLD, issue_to="bob")), trust=WORLD.trust, at=VERIFY_AT)
    assert first.key is not None and other.key is not None
    finding = next(f for f in other.findings if f.code == "REG-DOCUMENT-CONFLICT")
    td = first.status.transport_document_checksum[:12]  # type: ignore[union-attr]
    assert finding.message.count(td) == 1, finding.message
    assert first.key.issuance_manifest_checksum[:12] in finding.message
    assert other.key.issuance_manifest_checksum[:12] in finding.message


def test_a_refusal_of_a_known_record_says_how_many_entries_it_holds(url: str) -> None:
    from etr.render.registration import registration_lines

    reg = etr.registry.open(url)
    reg.init()
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    reg.record(envelope(chain), trust=WORLD.trust, at=VERIFY_AT)
    forged = json.loads(envelope(chain))
    head, body, _ = forged["envelopeTransferChain"][1].split(".")
    forged["envelopeTransferChain"][1] = f"{head}.{body}.{chain.tokens[0].split('.')[2]}"
    refused = reg.record(json.dumps(forged).encode(), trust=WORLD.trust, at=VERIFY_AT)
    fork = build(WORLD, [("TRANSFER", "alice", "carol")])
    disputed = reg.record(envelope(fork), trust=WORLD.trust, at=VERIFY_AT)
    for rec, response in ((refused, "BSIG"), (disputed, "DISE")):
        assert rec.response == response and rec.entries == 2
        text = "\n".join(registration_lines(rec))
        assert "the record holds 2" in text, text


def test_the_same_fork_sent_again_counts_once(url: str) -> None:
    reg = etr.registry.open(url)
    reg.init()
    base = build(WORLD, [("TRANSFER", "alice", "bob")])
    key = reg.record(envelope(base), trust=WORLD.trust, at=VERIFY_AT).key
    assert key is not None
    fork = build(WORLD, [("TRANSFER", "alice", "carol")])
    answers = [reg.record(envelope(fork), trust=WORLD.trust, at=VERIFY_AT) for _ in range(3)]
    fork.add("TRANSFER", "carol", "dave")  # the same rival successor of entry 0, one entry longer
    answers.append(reg.record(envelope(fork), trust=WORLD.trust, at=VERIFY_AT))
    assert [a.response for a in answers] == ["DISE"] * 4
    assert [a.status.conflicts for a in answers] == [1, 1, 1, 1]  # type: ignore[union-attr]
    assert reg.status(key).conflicts == 1  # type: ignore[union-attr]
    other = build(WORLD, [("TRANSFER", "alice", "dave")])
    assert reg.record(envelope(other), trust=WORLD.trust, at=VERIFY_AT).response == "DISE"
    base.add("TRANSFER", "bob", "carol")
    replay = reg.record(envelope(base, tokens=[*base.tokens[:2], base.tokens[1]]), trust=WORLD.trust, at=VERIFY_AT)
    again = reg.record(envelope(base, tokens=[*base.tokens[:2], base.tokens[1]]), trust=WORLD.trust, at=VERIFY_AT)
    assert replay.response == again.response == "DISE"
    # a second issuance of the same reference, sent twice: one more conflict
    for _ in range(2):
        assert reg.record(envelope(build(WORLD, issue_to="bob")), trust=WORLD.trust, at=VERIFY_AT).response == "DISE"
    assert reg.status(key).conflicts == 4  # type: ignore[union-attr]


def test_a_version_1_registry_is_migrated_by_init_and_keeps_its_records(url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from etr.errors import RegistryNotInitialised
    from etr.registry import backend

    with monkeypatch.context() as patch:
        patch.setattr(backend, "SCHEMA_VERSION", 1)  # an etr of schema version 1 writes the database
        old = etr.registry.open(url)
        assert old.init() == 1
        key = old.record(envelope(build(WORLD, [("TRANSFER", "alice", "bob")])), trust=WORLD.trust,
                         at=VERIFY_AT).key
        old.close()
    assert key is not None
    reg = etr.registry.open(url)
    with pytest.raises(RegistryNotInitialised) as exc:  # used unmigrated, it says what to run
        reg.status(key)
    assert "init" in (exc.value.hint or "")
    assert reg.backend.migrate() == (1, 2)
    status = reg.status(key)
    assert status is not None and status.entries == 2
    fork = envelope(build(WORLD, [("TRANSFER", "alice", "carol")]))
    assert [reg.record(fork, trust=WORLD.trust, at=VERIFY_AT).response for _ in range(2)] == ["DISE", "DISE"]
    assert reg.status(key).conflicts == 1  # type: ignore[union-attr]
