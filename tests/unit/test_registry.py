"""The registry of record, against both backends (SQLite, and a real PostgreSQL server).

The guarantees first (a race of 8 processes, a SIGKILL mid-batch), then the answers (RECE, DUPE on a
re-signed retransmission, DISE on a fork, a replay, another issuance), the status and history of a record
through issue -> transfers -> surrender, and the refusals (a signature bound to no platform, an
unidentifiable record, a database that is not there).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pint_simulator import VERIFY_AT, RawChain, World, payload_of, sample_td
from registry_support import BACKENDS, assert_intact, build, envelope, loose_trust, registry_url, stored_chains

import etr.registry
from etr.crypto.jws import sign_compact
from etr.errors import (
    RegistryCorrupt,
    RegistryDriverMissing,
    RegistryNotInitialised,
    RegistrySchemaNewer,
    RegistryUnavailable,
    UsageError,
)
from etr.model import Outcome
from etr.registry import RecordKey, Registry
from etr.transfer.sign import canonical_json
from etr.transfer.verify import verify_envelope

WORLD = World("EdDSA")  # deterministic signatures: a chain's prefix is the same JWS however often it is built
FORK = multiprocessing.get_context("fork")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from registry_url(request.param, tmp_path)


@pytest.fixture()
def reg(url: str) -> Iterator[Registry]:
    registry = etr.registry.open(url)
    assert registry.init() == 2
    yield registry
    registry.close()


def record(reg: Registry, data: bytes, **kwargs: Any) -> etr.registry.Recording:
    kwargs.setdefault("trust", WORLD.trust)
    return reg.record(data, at=VERIFY_AT, **kwargs)


# --------------------------------------------------------------------------- the story of one record


def test_status_and_history_through_issue_transfers_and_surrender(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol"),
                          ("SURRENDER_FOR_DELIVERY", "carol", "carrier"), ("SACC", "carrier", None)])
    expected = [("active", "alice"), ("active", "bob"), ("active", "carol"), ("surrendered-for-delivery", "carrier"),
                ("accomplished", "carrier")]
    key = None
    for n, (state, holder) in enumerate(expected, start=1):
        rec = record(reg, envelope(chain, n))
        assert (rec.response, rec.accepted, rec.entries, rec.outcome) == ("RECE", 1, n, Outcome.PASS), rec.findings
        assert rec.codes[-1] == "REG-RECEIVED"
        key = rec.key
        status = reg.status(key)
        assert status is not None and status.state == state and status.entries == n
        assert status.holder is not None and status.holder["identifyingCodes"][0]["partyCode"] == holder
        assert status.platform == status.holder["eblPlatform"]
        assert status.head_checksum == reg.history(key)[-1].checksum
    assert key == RecordKey("CARR", "SIM0000001", key.issuance_manifest_checksum if key else "")
    history = reg.history(key)
    assert [h.actions for h in history] == [("ISSUE",), ("TRANSFER",), ("TRANSFER",), ("SURRENDER_FOR_DELIVERY",),
                                            ("SACC",)]
    assert [h.actor_platform for h in history] == ["CAR1", "EBL1", "EBL2", "EBL3", "CAR1"]
    assert [h.recipient_platform for h in history] == ["EBL1", "EBL2", "EBL3", "CAR1", None]
    assert [h.signer for h in history] == ["car1-eddsa", "ebl1-eddsa", "ebl2-eddsa", "ebl3-eddsa", "car1-eddsa"]
    assert history[1].action_date_time == "2026-06-01T09:01:00.000Z"
    assert all(h.recorded_at.endswith("Z") for h in history)
    assert reg.find("CARR", "SIM0000001") == (key,)
    assert reg.find("CARR", "OTHER") == ()
    assert reg.chain(key) == tuple(chain.tokens)
    assert_intact(reg.url)


def test_a_whole_chain_at_once_then_one_more_transfer(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol"), ("TRANSFER", "carol", "dave")])
    first = record(reg, envelope(chain, 3))
    assert (first.response, first.accepted) == ("RECE", 3)
    assert first.verification is not None and first.verification.outcome is Outcome.PASS
    rec = record(reg, envelope(chain))
    assert (rec.response, rec.accepted, rec.entries) == ("RECE", 1, 4)
    assert rec.verification is None  # only the new entry was verified
    assert rec.status is not None and rec.status.holder is not None
    assert rec.status.holder["partyName"] == "Dave Trading"


def test_amendment_voids_the_record_and_the_reissue_is_a_new_record(reg: Registry) -> None:
    chain = build(WORLD, [("SURRENDER_FOR_AMENDMENT", "alice", "carrier")])
    rec = record(reg, envelope(chain))
    assert rec.status is not None and rec.status.state == "surrendered-for-amendment"
    # While the original is live, another issuance of the same reference is a second original.
    amended = build(WORLD, td={**sample_td(), "transportDocumentSubReference": "Version_2"})
    refused = record(reg, envelope(amended))
    assert refused.response == "DISE" and "REG-DOCUMENT-CONFLICT" in refused.codes
    chain.add("SACC", "carrier", None)
    assert record(reg, envelope(chain)).status.state == "void"  # type: ignore[union-attr]
    again = record(reg, envelope(amended))
    assert again.response == "RECE", again.findings
    assert len(reg.find("CARR", "SIM0000001")) == 2
    original = reg.status(rec.key)  # type: ignore[arg-type]
    assert original is not None and original.conflicts == 1


# --------------------------------------------------------------------------- DUPE


def test_dupe_on_an_identical_and_on_a_re_signed_retransmission(url: str) -> None:
    world = World("ES256")  # ECDSA signs with a fresh nonce: signing again gives another JWS
    reg = etr.registry.open(url)
    reg.init()
    chain = build(world, [("TRANSFER", "alice", "bob")])
    assert reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT).response == "RECE"
    same = reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT)
    assert (same.response, same.codes, same.outcome) == ("DUPE", ("REG-DUPLICATE",), Outcome.PASS)
    resigned_token = chain.sign(canonical_json(payload_of(chain.tokens[1])), "EBL1")
    assert resigned_token != chain.tokens[1]
    resigned = reg.record(envelope(chain, tokens=[chain.tokens[0], resigned_token]), trust=world.trust, at=VERIFY_AT)
    assert resigned.response == "DUPE" and resigned.accepted == 0
    assert resigned.findings[0].detail is not None and resigned.findings[0].detail["resigned"] == [1]
    stale = reg.record(envelope(chain, 1), trust=world.trust, at=VERIFY_AT)
    assert (stale.response, stale.codes, stale.outcome) == ("DUPE", ("REG-DUPLICATE", "REG-STALE"), Outcome.WARN)
    status = reg.status(same.key)  # type: ignore[arg-type]
    assert status is not None and status.entries == 2 and status.conflicts == 0


# --------------------------------------------------------------------------- DISE


def test_dise_on_a_fork(reg: Registry) -> None:
    base = build(WORLD, [("TRANSFER", "alice", "bob")])
    fork = build(WORLD, [("TRANSFER", "alice", "carol")])
    assert record(reg, envelope(base)).response == "RECE"
    rec = record(reg, envelope(fork))
    assert (rec.response, rec.outcome, rec.accepted) == ("DISE", Outcome.FAIL, 0)
    finding = next(f for f in rec.findings if f.code == "REG-FORK")
    assert finding.detail is not None and finding.detail["entry"] == 1 and finding.detail["responseCode"] == "DISE"
    status = reg.status(rec.key)  # type: ignore[arg-type]
    assert status is not None and status.conflicts == 1 and status.holder is not None
    assert status.holder["partyName"] == "Bob Bank plc"
    # A longer fork, and a transfer built on it, are refused the same way; the record is unchanged.
    fork.add("TRANSFER", "carol", "dave")
    assert record(reg, envelope(fork)).response == "DISE"
    assert reg.chain(rec.key) == tuple(base.tokens)  # type: ignore[arg-type]
    assert_intact(reg.url)


def test_a_fork_that_does_not_verify_gets_the_verifiers_answer(reg: Registry) -> None:
    base = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(base))
    forged = build(WORLD, [("TRANSFER", "alice", "carol")])
    head, body, _ = forged.tokens[1].split(".")
    forged.tokens[1] = f"{head}.{body}.{base.tokens[1].split('.')[2]}"  # another entry's signature
    rec = record(reg, envelope(forged))
    assert rec.response == "BSIG" and "REG-FORK" not in rec.codes
    assert reg.status(rec.key).conflicts == 0  # type: ignore[arg-type, union-attr]


def test_a_replayed_entry_and_a_successor_of_an_earlier_entry_are_dise(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")])
    record(reg, envelope(chain))
    replay = record(reg, envelope(chain, tokens=[*chain.tokens, chain.tokens[1]]))
    assert replay.response == "DISE" and "REG-REPLAY" in replay.codes
    # An entry appended to the envelope but naming entry 0 as its predecessor: a second successor of entry 0.
    side = RawChain(WORLD, tokens=chain.tokens[:1])
    side.add("TRANSFER", "alice", "dave", step=7)
    late = record(reg, envelope(chain, tokens=[*chain.tokens, side.tokens[1]]))
    assert late.response == "DISE" and "REG-FORK" in late.codes and "PINT-CHAIN-LINK" not in late.codes
    assert reg.status(replay.key).entries == 3  # type: ignore[arg-type, union-attr]


def _stored_then(reg: Registry, tokens: list[str], candidate: str) -> tuple[str, str]:
    """(the registry's answer, the verifier's on the whole envelope) for ``candidate`` after ``tokens``."""
    chain = RawChain(WORLD, tokens=list(tokens))
    whole = chain.envelope(tokens=[*tokens, candidate])
    return record(reg, json.dumps(whole).encode()).response, \
        verify_envelope(whole, WORLD.trust, at=VERIFY_AT, validate_document=False).response_code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["honest", "replay", "replay-resigned", "fork", "unlinked"]), target=st.integers(0, 3))
def test_the_stored_head_and_the_full_head_agree(tmp_path_factory: pytest.TempPathFactory, kind: str,
                                                 target: int) -> None:
    """The registry hands verify_entry a head with only the last recorded entry (ChainHead.first: its index)
    and asks the database what the full head would know; both must give the same answer for any next entry."""
    world = World("ES256") if kind == "replay-resigned" else WORLD
    reg = etr.registry.open(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'r.db'}")
    reg.init()
    chain = build(world, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol"), ("TRANSFER", "carol", "dave")])
    assert reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT).response == "RECE"
    if kind == "honest":
        candidate = RawChain(world, tokens=list(chain.tokens)).add("TRANSFER", "dave", "alice").tokens[-1]
    elif kind == "replay":
        candidate = chain.tokens[target]
    elif kind == "replay-resigned":
        platform = payload_of(chain.tokens[target])["eblPlatform"]
        candidate = sign_compact(canonical_json(payload_of(chain.tokens[target])), world.key(platform))
    elif kind == "fork":
        holder = ["alice", "bob", "carol", "dave"][target]
        candidate = RawChain(world, tokens=chain.tokens[:target + 1]).add("TRANSFER", holder, "agent",
                                                                           step=9).tokens[-1]
    else:
        side = RawChain(world, tokens=[chain.tokens[0]])
        side.tokens[0] = chain.tokens[0][:-4] + "AAAA"  # names a checksum no entry has
        candidate = side.add("TRANSFER", "dave", "alice").tokens[-1]
    ours = reg.record(json.dumps(RawChain(world, tokens=list(chain.tokens)).envelope(
        tokens=[*chain.tokens, candidate])).encode(), trust=world.trust, at=VERIFY_AT).response
    whole = verify_envelope(RawChain(world, tokens=list(chain.tokens)).envelope(tokens=[*chain.tokens, candidate]),
                            world.trust, at=VERIFY_AT, validate_document=False).response_code
    assert ours == whole, (kind, target)


def test_another_issuance_of_a_live_record_is_dise(reg: Registry) -> None:
    first = record(reg, envelope(build(WORLD)))
    other = record(reg, envelope(build(WORLD, issue_to="bob")))
    assert other.response == "DISE" and "REG-DOCUMENT-CONFLICT" in other.codes
    assert other.key != first.key and reg.find("CARR", "SIM0000001") == (first.key,)


# --------------------------------------------------------------------------- the guarantees


def _race(url: str, data: bytes, barrier: Any, out: Any) -> None:
    reg = etr.registry.open(url)
    barrier.wait()
    try:
        out.send(reg.record(data, trust=WORLD.trust, at=VERIFY_AT).response)
    except Exception as exc:  # reported, so the test says what went wrong
        out.send(f"{type(exc).__name__}: {exc}")


def _run_race(url: str, payloads: list[bytes]) -> list[str]:
    barrier = FORK.Barrier(len(payloads))
    pipes = [FORK.Pipe(duplex=False) for _ in payloads]
    procs = [FORK.Process(target=_race, args=(url, data, barrier, send)) for data, (_, send) in zip(payloads, pipes,
                                                                                                   strict=True)]
    for p in procs:
        p.start()
    answers = [recv.recv() if recv.poll(120) else "no answer" for recv, _ in pipes]
    for p in procs:
        p.join(30)
    return sorted(answers)


RECIPIENTS = ["bob", "carol", "dave", "agent", "carrier", "bob", "carol", "dave"]


def test_a_race_of_8_processes_for_conflicting_successors(reg: Registry) -> None:
    base = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(base))
    holder = "bob"
    payloads = []
    for n, recipient in enumerate(RECIPIENTS):
        racer = RawChain(WORLD, tokens=list(base.tokens))
        racer.add("TRANSFER", holder, recipient if recipient != holder else "alice", step=10 + n)
        payloads.append(envelope(racer))
    answers = _run_race(reg.url, payloads)
    assert answers == ["DISE"] * 7 + ["RECE"], answers
    status = reg.status(reg.find("CARR", "SIM0000001")[0])
    assert status is not None and status.entries == 3 and status.conflicts == 7
    assert_intact(reg.url)


def test_a_race_of_8_processes_for_the_same_new_record_and_for_rival_issuances(reg: Registry) -> None:
    same = envelope(build(WORLD, [("TRANSFER", "alice", "bob")]))
    assert _run_race(reg.url, [same] * 8) == ["DUPE"] * 7 + ["RECE"]
    rivals = [envelope(RawChain(WORLD, td=sample_td(reference="RIVAL")).issue(who))
              for who in ["alice", "bob", "carol", "dave", "agent", "alice", "bob", "carol"]]
    answers = _run_race(reg.url, rivals)
    assert answers.count("RECE") == 1 and set(answers) <= {"RECE", "DISE", "DUPE"}, answers
    assert len(reg.find("CARR", "RIVAL")) == 1
    assert_intact(reg.url)


def test_threads_share_one_registry_object(reg: Registry) -> None:
    answers: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        rec = record(reg, envelope(build(WORLD, [("TRANSFER", "alice", "bob")], td=sample_td(reference=f"T{n}"))))
        with lock:
            answers.append(rec.response)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == ["RECE"] * 8
    assert_intact(reg.url)


def _crash_child(url: str, batch: list[bytes], out: Any) -> None:
    reg = etr.registry.open(url)
    for n, data in enumerate(batch):
        rec = reg.record(data, trust=WORLD.trust, at=VERIFY_AT)
        out.send((n, rec.response, rec.entries))


def test_sigkill_mid_batch_loses_no_accepted_entry_and_leaves_no_partial_one(reg: Registry) -> None:
    # Each envelope adds 4 entries to one of two records: a kill inside a transaction would leave a partial one.
    chains = [build(WORLD, td=sample_td(reference=f"CRASH{r}")) for r in range(2)]
    holders = ["alice", "bob", "carol", "dave"]
    batch: list[bytes] = []
    for n in range(1, 41):  # long enough that the kill lands mid-batch even on a loaded machine
        for chain in chains:
            for step in range(4):
                i = len(chain.tokens) - 1
                chain.add("TRANSFER", holders[i % 4], holders[(i + 1) % 4], step=n * 10 + step)
            batch.append(envelope(chain))
    recv, send = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_crash_child, args=(reg.url, batch, send))
    child.start()
    send.close()
    reported: list[tuple[int, str, int]] = []
    while len(reported) < 5 and recv.poll(60):
        reported.append(recv.recv())
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    while recv.poll(0.5):
        try:
            reported.append(recv.recv())
        except EOFError:
            break
    assert reported and all(r[1] == "RECE" for r in reported)
    assert len(reported) < len(batch), "the child finished before it was killed: nothing was tested"
    again = etr.registry.open(reg.url)  # reopened, as after a restart
    assert_intact(again.url)
    stored = stored_chains(again.url)
    for n, _, entries in reported:  # every accepted entry is there
        reference = f"CRASH{n % 2}"
        key = next(k for k in stored if k[1] == reference)
        assert len(stored[key]) >= entries
    # and recording resumes where the stored chains stand
    for chain in chains:
        assert again.record(envelope(chain), trust=WORLD.trust, at=VERIFY_AT).response == "RECE"
    assert_intact(again.url)


# --------------------------------------------------------------------------- refusals


def test_a_signature_bound_to_no_platform_is_refused(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    loose = loose_trust(WORLD, "EBL1")
    new = record(reg, envelope(chain), trust=loose)
    assert new.verification is not None and new.verification.outcome is Outcome.NOT_EVALUABLE
    assert (new.response, new.outcome) == ("BSIG", Outcome.FAIL) and new.codes[-1] == "REG-BINDING-UNKNOWN"
    assert reg.find("CARR", "SIM0000001") == ()
    assert record(reg, envelope(chain, 1)).response == "RECE"
    appended = record(reg, envelope(chain), trust=loose)
    assert appended.response == "BSIG" and "REG-BINDING-UNKNOWN" in appended.codes
    assert reg.status(appended.key).entries == 1  # type: ignore[arg-type, union-attr]


def test_a_bad_signature_on_a_new_entry_is_bsig(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(chain, 1))
    head, body, _ = chain.tokens[1].split(".")
    tampered = f"{head}.{body}.{chain.tokens[0].split('.')[2]}"
    rec = record(reg, envelope(chain, tokens=[chain.tokens[0], tampered]))
    assert rec.response == "BSIG" and "PINT-JWS-BAD-SIGNATURE" in rec.codes


def test_an_envelope_whose_document_changed_is_benv(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(chain, 1))
    changed = json.dumps(chain.envelope(td={**chain.td, "termsAndConditions": "changed"})).encode()
    rec = record(reg, changed)
    assert rec.response == "BENV" and "REG-TD-CHECKSUM" in rec.codes


def test_a_record_that_cannot_be_identified_is_benv(reg: Registry) -> None:
    td = sample_td()
    del td["carrierCode"]
    rec = record(reg, envelope(build(WORLD, td=td)))
    assert (rec.response, rec.codes[-1], rec.key) == ("BENV", "REG-RECORD-UNIDENTIFIED", None)


def test_unreadable_inputs_are_findings(reg: Registry, tmp_path: Path) -> None:
    assert record(reg, b"{not json").response == "BENV"
    assert record(reg, b"[]").response == "BENV"
    missing = reg.record(str(tmp_path / "nope.json"), trust=WORLD.trust)
    assert (missing.response, missing.codes) == ("BENV", ("LOAD-NOT-FOUND",))
    path = tmp_path / "env.json"
    path.write_bytes(envelope(build(WORLD)))
    assert reg.record(path, trust=WORLD.trust, at=VERIFY_AT).source == str(path)
    assert reg.record(json.loads(path.read_bytes()), trust=WORLD.trust, at=VERIFY_AT).response == "DUPE"
    with pytest.raises(UsageError):
        reg.record(42, trust=WORLD.trust)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        reg.record(b"{}", trust=WORLD.trust, mode="lax")  # type: ignore[arg-type]


def test_compare_tells_current_stale_ahead_fork_and_unknown(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")])

    def view(data: bytes) -> etr.registry.ChainView:
        return reg.compare(verify_envelope(data, WORLD.trust, at=VERIFY_AT, validate_document=False))

    assert view(envelope(chain)).relation == "unknown"
    record(reg, envelope(chain, 2))
    assert [view(envelope(chain, n)).relation for n in (1, 2, 3)] == ["stale", "current", "ahead"]
    forked = view(envelope(build(WORLD, [("TRANSFER", "alice", "dave")])))
    assert (forked.relation, forked.diverges_at) == ("fork", 1)
    assert forked.status is not None and forked.status.entries == 2 and forked.key is not None
    assert forked.to_dict()["relation"] == "fork"


# --------------------------------------------------------------------------- the database


def test_init_is_idempotent_and_a_newer_schema_is_refused(url: str) -> None:
    reg = etr.registry.open(url)
    with pytest.raises(RegistryNotInitialised):
        reg.find("CARR", "X")
    assert reg.init() == 2 and reg.init() == 2
    assert reg.find("CARR", "X") == ()
    conn, _ = _raw(url)
    conn.execute("UPDATE etr_registry_meta SET value = '99' WHERE name = 'schema_version'")
    conn.close()
    with pytest.raises(RegistrySchemaNewer):
        etr.registry.open(url).find("CARR", "X")
    with pytest.raises(RegistrySchemaNewer):
        etr.registry.open(url).init()


def test_a_corrupted_row_is_reported_not_trusted(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(chain, 1))
    conn, _ = _raw(reg.url)
    conn.execute("UPDATE etr_records SET chain_state = '{\"issued\": 1}', holder = 'not json'")
    conn.close()
    with pytest.raises(RegistryCorrupt):
        record(reg, envelope(chain))
    with pytest.raises(RegistryCorrupt):
        reg.status(reg.find("CARR", "SIM0000001")[0])


def test_urls() -> None:
    for bad in ("", "mysql://x/y", "sqlite:///:memory:", "sqlite://host/x.db", "sqlite:///", "registry.db"):
        with pytest.raises(UsageError) as exc:
            etr.registry.open(bad)
        assert exc.value.code == "REG-URL"


def test_unavailable_databases(tmp_path: Path) -> None:
    with pytest.raises(RegistryNotInitialised):
        etr.registry.open(f"sqlite:///{tmp_path / 'absent.db'}").status(RecordKey("A", "B", "C"))
    with pytest.raises(RegistryUnavailable):
        etr.registry.open(f"sqlite:///{tmp_path / 'no' / 'dir' / 'r.db'}").init()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RegistryUnavailable):
        etr.registry.open(f"sqlite:///{garbage}").init()
    with pytest.raises(RegistryUnavailable):
        etr.registry.open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2").init()


def test_without_psycopg_a_postgres_url_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(RegistryDriverMissing) as exc:
        etr.registry.open("postgresql://localhost/x")
    assert "etr[postgres]" in (exc.value.hint or "")


def test_sqlite_durability_settings(tmp_path: Path) -> None:
    reg = etr.registry.open(f"sqlite:///{tmp_path / 'r.db'}")
    reg.init()
    record(reg, envelope(build(WORLD)))
    conn = reg.backend.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_the_constraints_refuse_a_second_successor_whatever_the_code_does(url: str) -> None:
    """Written straight into the tables: the database itself refuses a second successor of an entry."""
    reg = etr.registry.open(url)
    reg.init()
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(chain))
    conn, mark = _raw(url)
    rid = conn.execute("SELECT id FROM etr_records").fetchone()[0]
    first, second = conn.execute("SELECT checksum FROM etr_entries ORDER BY idx").fetchall()
    insert = (f"INSERT INTO etr_entries (record_id, idx, checksum, payload_checksum, previous_checksum, chain_digest, "
              f"actions, recorded_at, token) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, 'd', '[]', 'now', 't')")
    errors = (sqlite3.IntegrityError,) if url.startswith("sqlite") else (_psycopg_integrity(),)
    for idx, checksum, payload, previous in ((2, "c2", "p2", first[0]),  # a second successor of entry 0
                                             (1, "c3", "p3", first[0]),  # a second entry 1
                                             (2, "c4", "p4", "no-such-entry")):  # follows no entry
        with pytest.raises(errors):
            conn.execute(insert, (rid, idx, checksum, payload, previous))
    conn.execute(insert, (rid, 2, "c5", "p5", second[0]))  # a proper successor is accepted
    conn.close()


def _psycopg_integrity() -> type[BaseException]:
    import psycopg

    return psycopg.IntegrityError


def _raw(url: str) -> tuple[Any, str]:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn, "?"
    import psycopg

    return psycopg.connect(url, autocommit=True), "%s"


def test_recording_to_dict_conforms_to_the_published_schema(reg: Registry) -> None:
    from report_schemas import REGISTRATION, assert_conforms

    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    for data in (envelope(chain, 1), envelope(chain), envelope(chain), envelope(build(WORLD, [("TRANSFER", "alice",
                                                                                              "carol")])), b"{"):
        assert_conforms(record(reg, data).to_dict(), REGISTRATION)


def test_without_a_postgresql_server_the_tests_skip_locally_and_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import pg_cluster
    from registry_support import postgres_server

    monkeypatch.setattr(pg_cluster, "_state", {"url": None, "reason": "no binaries here"})
    monkeypatch.setattr(pg_cluster, "REQUIRE", False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL tests need a server: no binaries here"):
        postgres_server()
    monkeypatch.setattr(pg_cluster, "REQUIRE", True)
    with pytest.raises(pytest.fail.Exception, match="ETR_REQUIRE_POSTGRES=1"):
        postgres_server()


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "prose": b"not an envelope",
    "duplicate-key": b'{"transportDocument": {}, "transportDocument": {}}',
    "nan": b'{"a": NaN}',
    "deep": b"[" * 10_000 + b"]" * 10_000,
    "utf16": '{"a": 1}'.encode("utf-16"),
    "bad-utf8": b'{"a": "\xff"}',
    "truncated": b'{"envelopeTransferChain": [',
    "garbage-chain": b'{"transportDocument": {"carrierCode": "CARR", "transportDocumentReference": "X"}, '
                     b'"envelopeTransferChain": ["x.y.z", 7], "envelopeManifestSignedContent": "a.b.c"}',
    "chain-not-a-list": b'{"transportDocument": {"carrierCode": "C", "transportDocumentReference": "X"}, '
                        b'"envelopeTransferChain": "x.y.z", "envelopeManifestSignedContent": "a.b.c"}',
    "xml": b"<?xml version='1.0'?><envelope/>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused_with_a_finding_and_stores_nothing(reg: Registry, name: str) -> None:
    rec = record(reg, HOSTILE[name])
    assert rec.response in ("BENV", "BSIG") and rec.outcome is Outcome.FAIL and rec.findings, rec
    assert rec.accepted == 0 and stored_chains(reg.url) == {}


def test_hostile_entries_appended_to_a_recorded_chain_store_nothing(reg: Registry) -> None:
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    record(reg, envelope(chain, 1))
    for junk in ("x.y.z", "", "a" * 5000, chain.tokens[0][::-1]):
        data = json.loads(envelope(chain))
        data["envelopeTransferChain"][1] = junk
        rec = record(reg, json.dumps(data).encode())
        assert rec.response in ("BENV", "BSIG", "DISE") and rec.accepted == 0, (junk[:10], rec.codes)
    assert reg.status(reg.find("CARR", "SIM0000001")[0]).entries == 1  # type: ignore[union-attr]
    assert_intact(reg.url)


@pytest.mark.parametrize("steps", [
    [("ENDORSE_TO_ORDER", "alice", "bob"), ("TRANSFER", "alice", "bob")],
    [("BLANK_ENDORSE", "alice", None), ("TRANSFER", "alice", "carol"), ("SIGN", "carol", None)],
    [("SURRENDER_FOR_DELIVERY", "alice", "carrier"), ("SREJ", "carrier", "alice"), ("TRANSFER", "alice", "dave")],
    [("SURRENDER_FOR_AMENDMENT", "alice", "carrier")],
])
def test_the_stored_chain_state_is_the_verifiers(tmp_path: Path, steps: list[tuple[str, str, str | None]]) -> None:
    """The head's state goes through JSON in the database; read back, it is the verifier's, field for field."""
    from etr.registry.model import state_from_json, state_to_json

    reg = etr.registry.open(f"sqlite:///{tmp_path / 'r.db'}")
    reg.init()
    env = WORLD.build(steps)
    result = verify_envelope(env, WORLD.trust, at=VERIFY_AT, validate_document=False)
    assert result.outcome is Outcome.PASS and result.head is not None and result.head.state is not None
    assert record(reg, json.dumps(env).encode()).response == "RECE"
    conn, _ = _raw(reg.url)
    stored = conn.execute("SELECT chain_state FROM etr_records").fetchone()[0]
    conn.close()
    assert state_from_json(stored) == result.head.state
    assert state_to_json(state_from_json(stored)) == stored
    # The process's table of states it wrote or read gives what parsing the text gives.
    from etr.registry import model

    remembered = state_from_json(stored)
    assert model._STATES.get(stored) is remembered
    model._STATES.clear()
    parsed = state_from_json(stored)
    assert parsed == remembered and parsed is not remembered and state_to_json(parsed) == stored
    assert state_from_json("null") is None
    for broken in ("[]", '{"issued": true}', '{"lastTime": "yesterday"}'):
        with pytest.raises(ValueError):
            state_from_json(broken)


def test_legacy_envelopes_with_the_issuance_manifest_at_the_root(reg: Registry) -> None:
    from pint_simulator import tx_dict

    chain = RawChain(WORLD)
    chain.tokens.append(chain.sign(chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)]), "CAR1"))
    env = {**chain.envelope(), "issuanceManifestSignedContent": chain.issuance()}
    data = json.dumps(env).encode()
    strict = record(reg, data)
    assert strict.response == "BENV" and "PINT-LEGACY-ROOT-ISSUANCE-MANIFEST" in strict.codes
    legacy = record(reg, data, mode="legacy")
    assert (legacy.response, legacy.outcome) == ("RECE", Outcome.WARN)
    assert "PINT-LEGACY-ROOT-ISSUANCE-MANIFEST" in legacy.codes
    assert reg.record(data, trust=WORLD.trust, at="2026-07-01T00:00:00Z", mode="legacy").response == "DUPE"


def test_record_or_raise(reg: Registry) -> None:
    from etr.errors import RecordingRefused

    assert reg.record_or_raise(envelope(build(WORLD, [("TRANSFER", "alice", "bob")])), trust=WORLD.trust,
                               at=VERIFY_AT).response == "RECE"
    with pytest.raises(RecordingRefused) as exc:
        reg.record_or_raise(envelope(build(WORLD, [("TRANSFER", "alice", "carol")])), trust=WORLD.trust,
                            at=VERIFY_AT)
    assert exc.value.code == "REG-FORK" and exc.value.recording.response == "DISE"  # type: ignore[attr-defined]


def test_an_earlier_entry_signed_again_in_an_appending_envelope(url: str) -> None:
    """An envelope whose entry 1 was signed again while entry 2 still names the recorded entry 1 is broken as
    received (entry 2 does not follow the envelope's entry 1): the verifier's BENV, nothing stored. The same
    transfer sent with the recorded entries is recorded, its digest over the recorded JWS."""
    from etr.registry.core import _chain_hash

    world = World("ES256")
    reg = etr.registry.open(url)
    reg.init()
    chain = build(world, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")])
    assert reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT).response == "RECE"
    chain.add("TRANSFER", "carol", "dave")
    copy = chain.sign(canonical_json(payload_of(chain.tokens[1])), "EBL1")
    broken = envelope(chain, tokens=[chain.tokens[0], copy, *chain.tokens[2:]])
    rec = reg.record(broken, trust=world.trust, at=VERIFY_AT)
    verdict = verify_envelope(json.loads(broken), world.trust, at=VERIFY_AT, validate_document=False)
    assert (rec.response, rec.accepted) == (verdict.response_code, 0) == ("BENV", 0), rec.codes
    assert "PINT-CHAIN-LINK" in rec.codes and rec.entries == 3
    rec = reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT)
    assert (rec.response, rec.accepted) == ("RECE", 1), rec.codes
    assert reg.chain(rec.key) == tuple(chain.tokens)  # type: ignore[arg-type]
    conn, _ = _raw(url)
    digest = conn.execute("SELECT chain_digest FROM etr_entries WHERE idx = 3").fetchone()[0]
    conn.close()
    assert digest == _chain_hash(chain.tokens).hexdigest()
    same = reg.record(envelope(chain), trust=world.trust, at=VERIFY_AT)
    assert same.response == "DUPE" and same.findings[0].detail is not None and same.findings[0].detail["resigned"] == []
