"""The registry's chain memo (a process remembers the JWS strings of the chains it stored, so the next envelope
of a record is compared with them as strings instead of hashed) changes no answer and no stored byte.

Property: for any sequence of envelopes of one record — longer and shorter copies, entries signed again,
tampered entries, forks — a registry with the memo and one without it answer the same (response, codes,
entries accepted, status) and store the same rows (tokens and chain digests). The digests are also checked
against their definition, recomputed here from the stored tokens.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pint_simulator import VERIFY_AT, RawChain, World, payload_of, sample_td, with_payload
from registry_support import assert_intact, envelope

import etr.registry
from etr.registry import Registry
from etr.registry import core as registry_core
from etr.transfer.sign import canonical_json

WORLD = World("ES256")  # ECDSA signs with a fresh nonce: an entry signed again is another JWS
HOLDERS = ("alice", "bob", "carol", "dave")


class _NoMemo(registry_core._ChainMemo):
    def prefix(self, key: Any, digest: str, tokens: tuple[str, ...]) -> Any:
        return None

    def remember(self, key: Any, tokens: tuple[str, ...], state: Any) -> None:
        pass


def _without_memo(reg: Registry) -> Registry:
    reg._memo = lambda: _NoMemo()  # type: ignore[method-assign]
    return reg


def _master(length: int) -> RawChain:
    chain = RawChain(WORLD, td=sample_td(reference="MEMO0001"))
    chain.issue("alice")
    for t in range(length - 1):
        chain.add("TRANSFER", HOLDERS[t % 4], HOLDERS[(t + 1) % 4], step=t + 1)
    return chain


def _envelope(master: RawChain, op: tuple[str, int, int], last: list[str]) -> list[str]:
    """The chain of the envelope ``op`` asks for; ``last``: the one before (``again`` sends it once more,
    ``extend`` with the master chain's next entry)."""
    kind, upto, at = op
    if kind == "again" and last:
        return last
    if kind == "extend" and last and len(last) < len(master.tokens):
        return [*last, master.tokens[len(last)]]
    upto = 1 + upto % len(master.tokens)
    tokens = list(master.tokens[:upto])
    at %= upto
    if kind == "resign":  # the same payload, signed again by its platform
        payload = payload_of(tokens[at])
        tokens[at] = master.sign(canonical_json(payload), payload["eblPlatform"])
    elif kind == "tamper":  # another payload under the old signature
        payload = payload_of(tokens[at])
        tokens[at] = with_payload(tokens[at], canonical_json({**payload, "tampered": True}))
    elif kind == "fork" and at >= 1:  # another successor of entry at-1: the holder transfers elsewhere
        fork = RawChain(WORLD, td=master.td, tokens=tokens[:at])
        fork.add("TRANSFER", HOLDERS[(at - 1) % 4], HOLDERS[(at + 1) % 4], step=at)
        tokens = fork.tokens
    return tokens


def _answer(rec: etr.registry.Recording) -> tuple[Any, ...]:
    status = rec.status.to_dict() if rec.status else None
    if status is not None:
        status = {k: v for k, v in status.items() if k not in ("updatedAt", "createdAt")}
    findings = [(f.code, f.severity, f.message, f.detail) for f in rec.findings]
    return rec.response, findings, rec.accepted, rec.entries, status


def _stored(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT r.entries, r.head_digest, e.idx, e.checksum, e.chain_digest, e.token FROM "
                            "etr_entries e JOIN etr_records r ON r.id = e.record_id ORDER BY e.idx").fetchall()
    running = hashlib.sha256()
    for row in rows:  # each chain digest is SHA-256 over "<length>:<JWS>" of the entries up to it
        running.update(f"{len(row[5])}:{row[5]}".encode())
        assert row[4] == running.hexdigest()
    if rows:
        assert rows[0][1] == rows[-1][4]  # the record's head digest is its last entry's
    return [tuple(r) for r in rows]


_OPS = st.lists(st.tuples(st.sampled_from(["upto", "upto", "resign", "tamper", "fork", "again", "extend"]),
                          st.integers(0, 99),
                          st.integers(0, 99)), min_size=1, max_size=7)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 6), _OPS)
@example(4, [("upto", 1, 0), ("resign", 2, 1), ("again", 0, 0), ("extend", 0, 0)])
def test_the_memo_changes_no_answer_and_no_stored_byte(length: int, ops: list[tuple[str, int, int]]) -> None:
    master = _master(length)
    with tempfile.TemporaryDirectory() as folder:
        paths = Path(folder, "memo.db"), Path(folder, "plain.db")
        remembering = etr.registry.open(f"sqlite:///{paths[0]}")
        plain = _without_memo(etr.registry.open(f"sqlite:///{paths[1]}"))
        for reg in (remembering, plain):
            reg.init()
        tokens: list[str] = []
        for op in ops:
            tokens = _envelope(master, op, tokens)
            data = envelope(master, tokens=tokens)
            answers = [_answer(reg.record(data, trust=WORLD.trust, at=VERIFY_AT)) for reg in (remembering, plain)]
            assert answers[0] == answers[1], op
        stored = [_stored(p) for p in paths]
        assert [[r[:5] for r in s] for s in stored] == [[r[:5] for r in stored[1]]] * 2
        for reg, path in zip((remembering, plain), paths, strict=True):
            assert_intact(f"sqlite:///{path}")
            reg.close()


def test_the_memo_is_used_and_a_chain_moved_elsewhere_is_hashed_again(tmp_path: Path) -> None:
    """Consecutive transfers recorded by one registry object hit the memo; after another registry object
    (another process, another node) appended, the first one's memo no longer matches the stored digest, and
    the envelope is hashed: the answer and the digests are right either way."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    here, elsewhere = etr.registry.open(url), etr.registry.open(url)
    here.init()
    master = _master(6)
    hits: list[bool] = []
    real = registry_core._ChainMemo.prefix

    def counted(self: registry_core._ChainMemo, *args: Any) -> Any:
        state = real(self, *args)
        hits.append(state is not None)
        return state

    registry_core._ChainMemo.prefix = counted  # type: ignore[method-assign]
    try:
        for upto, reg in ((1, here), (2, here), (3, here), (4, elsewhere), (5, here), (6, here)):
            rec = reg.record(envelope(master, upto), trust=WORLD.trust, at=VERIFY_AT)
            assert (rec.response, rec.accepted) == ("RECE", 1), rec.codes
        again = here.record(envelope(master, 6), trust=WORLD.trust, at=VERIFY_AT)
        assert again.response == "DUPE"
    finally:
        registry_core._ChainMemo.prefix = real  # type: ignore[method-assign]
    # 2 and 3: hits; 4 (elsewhere, empty memo): miss; 5: here's memo is of 3 entries, stored 4: miss; 6, DUPE: hits
    assert hits == [True, True, False, False, True, True]
    _stored(tmp_path / "r.db")
    assert_intact(url)


def test_threads_share_one_registry_and_its_memo(tmp_path: Path) -> None:
    """Four threads, one registry object, each transferring its own record entry by entry (the memo shared,
    within its bound: 3 chains' worth, so the threads evict each other's): every answer is RECE and every
    stored digest is right."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    reg = etr.registry.open(url)
    reg.init()
    masters = [RawChain(WORLD, td=sample_td(reference=f"THREAD{n}")).issue("alice") for n in range(4)]
    for master in masters:
        for t in range(5):
            master.add("TRANSFER", HOLDERS[t % 4], HOLDERS[(t + 1) % 4], step=t + 1)
    answers: list[tuple[str, int]] = []
    chain_chars = sum(map(len, masters[0].tokens))

    def work(master: RawChain) -> None:
        for upto in range(1, len(master.tokens) + 1):
            rec = reg.record(envelope(master, upto), trust=WORLD.trust, at=VERIFY_AT)
            answers.append((rec.response, rec.accepted))

    with mock.patch.object(registry_core, "MEMO_CHARS", 3 * chain_chars):
        threads = [threading.Thread(target=work, args=(m,)) for m in masters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [("RECE", 1)] * 24
    assert reg._memo().chars <= 3 * chain_chars
    with sqlite3.connect(tmp_path / "r.db") as conn:
        records = [r[0] for r in conn.execute("SELECT id FROM etr_records")]
        for rid in records:
            running = hashlib.sha256()
            for token, digest in conn.execute("SELECT token, chain_digest FROM etr_entries WHERE record_id = ? "
                                              "ORDER BY idx", (rid,)):
                running.update(f"{len(token)}:{token}".encode())
                assert digest == running.hexdigest()
    assert len(records) == 4
    assert_intact(url)
