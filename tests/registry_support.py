"""Shared by the registry's tests: the backends as a fixture, chains to record, and a check that a stored
chain is intact (read with plain SQL, not through the registry's own code)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pg_cluster
import pytest
from pint_simulator import RawChain, World, registry_csv, sample_td

from etr.crypto.digests import sha256_hex
from etr.crypto.trust import TrustStore

BACKENDS = ("sqlite", "postgresql")


def postgres_server() -> str:
    """The throwaway server's URL; skip (fail under CI) without one."""
    url = pg_cluster.server_url()
    if url is None:
        reason = f"PostgreSQL tests need a server: {pg_cluster.unavailable_reason()}"
        if pg_cluster.REQUIRE:
            pytest.fail(reason + "; ETR_REQUIRE_POSTGRES=1 (or ETR_REQUIRE_SHARED_DATA=1) makes this a failure")
        pytest.skip(reason)
    return url


def registry_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of ``kind``: its URL (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    server = postgres_server()
    url = pg_cluster.fresh_database(server)
    try:
        yield url
    finally:
        pg_cluster.drop_database(server, url)


def build(world: World, steps: Sequence[tuple[str, str, str | None]] = (), *,
          td: dict[str, Any] | None = None, issue_to: str = "alice") -> RawChain:
    """A chain: ISSUE to ``issue_to``, then one entry per (action, actor, recipient)."""
    chain = RawChain(world, td=td if td is not None else sample_td())
    chain.issue(issue_to)
    for action, actor, recipient in steps:
        chain.add(action, actor, recipient)
    return chain


def envelope(chain: RawChain, upto: int | None = None, tokens: Sequence[str] | None = None) -> bytes:
    """The envelope (bytes) of the chain's first ``upto`` entries, or of ``tokens``."""
    return json.dumps(chain.envelope(tokens=list(tokens) if tokens is not None else chain.tokens[:upto])).encode()


def loose_trust(world: World, platform: str = "EBL1") -> TrustStore:
    """A store whose registry lists ``platform`` with only a JWKS endpoint: its key's binding is unknown."""
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    rows = registry_csv({p: k for p, k in world.keys.items() if p != platform}).decode()
    store.add_registry((rows + f"{platform},https://x.example,https://x.example/jwks.json,\n").encode(), "<loose>")
    return store


def stored_chains(url: str) -> dict[tuple[str, str, str], list[tuple[int, str, str | None, str]]]:
    """Every record's entries (idx, checksum, previous, token), read with plain SQL."""
    conn, mark = _connect(url)
    try:
        records = conn.execute("SELECT id, carrier_code, transport_document_reference, issuance_manifest_checksum "
                               "FROM etr_records").fetchall()
        out = {}
        for rid, carrier, ref, issuance in records:
            rows = conn.execute(f"SELECT idx, checksum, previous_checksum, token FROM etr_entries WHERE record_id = "
                                f"{mark} ORDER BY idx", (rid,)).fetchall()
            out[(carrier, ref, issuance)] = [tuple(r) for r in rows]
        return out
    finally:
        conn.close()


def assert_intact(url: str) -> None:
    """Every stored chain is whole: entries 0..n-1, each linked to the one before, its checksum that of its
    JWS, the record's head and length those of its last entry; no entry without its record."""
    conn, mark = _connect(url)
    try:
        records = conn.execute("SELECT id, entries, head_checksum FROM etr_records").fetchall()
        orphans = conn.execute("SELECT count(*) FROM etr_entries WHERE record_id NOT IN (SELECT id FROM "
                               "etr_records)").fetchone()[0]
        assert orphans == 0
        for rid, count, head in records:
            rows = conn.execute(f"SELECT idx, checksum, previous_checksum, token FROM etr_entries WHERE record_id = "
                                f"{mark} ORDER BY idx", (rid,)).fetchall()
            assert [r[0] for r in rows] == list(range(count)), f"record {rid}: entries {[r[0] for r in rows]}"
            assert rows[-1][1] == head
            for i, (_, checksum, previous, token) in enumerate(rows):
                assert checksum == sha256_hex(token.encode())
                assert previous == (rows[i - 1][1] if i else None)
    finally:
        conn.close()


def _connect(url: str) -> tuple[Any, str]:
    if url.startswith("sqlite:"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///")), "?"
    import psycopg

    return psycopg.connect(url, autocommit=True), "%s"
