"""Benchmark: the registry of record, on the workload a platform has: records issued, then transferred one
entry at a time (each envelope carries the whole chain; the registry verifies and stores its new entry).

For SQLite and PostgreSQL, with 1 and 4 concurrent writer processes (each on its own records), it prints
the recorded entries per second next to the bound measured in the same run: the raw insert rate of the same
rows (read back from the registry) into a fresh database with the same schema and durability settings (SQLite:
WAL, ``synchronous=FULL``; PostgreSQL: its defaults, ``fsync=on``), one transaction per envelope as the
registry commits (on PostgreSQL one statement per envelope, as the registry sends); the two take turns for
``--rounds`` rounds and the round with the median ratio is printed. What reads or judges the envelope as
received (the strict JSON reading, identifying its record from its signed content, its shape, the whole
envelope for a new record, the new entries and the envelope manifest for a transfer, its keys' trust bindings:
see :class:`Verification`) is timed inside the same run and reported apart as verification. "Excl.
verification" is the single writer recording the same envelopes again, into a fresh database, with the
verifier's answers kept from the first pass: the registry's own work alone (looking the record up, comparing
the chain with the stored one, the chain state, the rows, the write). The line also gives the first pass's
time with the verification time subtracted: lower, because a synchronous commit on this kind of host takes
longer when the process has worked for a while since the last one (the bound commits back to back).

Then the cost of one transfer appended to a recorded chain of 1 entry and of 1,000 entries (medians, the two
lengths taking turns), how much of it is reading the envelope (the JSON loader, linear in its size), and the
same cost when the registry object has not seen the chain's head (another process recorded it: the chain's
digest is computed again instead of the chain being compared with the memo of the strings this process stored).

Targets (reported, never asserted): SQLite recording (verification excluded) >= 50% of the raw insert rate;
PostgreSQL with 4 writers >= 1.5x its rate with 1; appending to a 1,000-entry chain within 2x of a 1-entry one.

Usage: python benchmarks/registry.py [--records N] [--transfers N] [--rounds N] [--pg-url URL | --no-postgres]
[--dir DIR]
(the SQLite databases go to a temporary directory in --dir, default the system's, removed at the end).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import etr.registry  # noqa: E402
import etr.registry.core as core  # noqa: E402
import etr.transfer.verify as transfer_verify  # noqa: E402
from etr.registry.migrations import SCHEMA_VERSION, statements  # noqa: E402
from etr.transfer.checks import Recorder  # noqa: E402

FORK = multiprocessing.get_context("fork")
HOLDERS = ("alice", "bob", "carol", "dave")
SQLITE_TARGET, PG_SCALING_TARGET, LENGTH_TARGET = 0.50, 1.5, 2.0


# --------------------------------------------------------------------------- the workload


def workload(records: int, transfers: int, prefix: str) -> list[list[bytes]]:
    """Per record, its envelopes: the issue (1 entry), then one more transfer each."""
    from pint_simulator import RawChain, sample_td

    out = []
    for r in range(records):
        chain = RawChain(WORLD, td=sample_td(reference=f"{prefix}{r:05d}"))
        chain.issue()
        envelopes = [json.dumps(chain.envelope()).encode()]
        for t in range(transfers):
            chain.add("TRANSFER", HOLDERS[t % 4], HOLDERS[(t + 1) % 4], step=t + 1)
            envelopes.append(json.dumps(chain.envelope()).encode())
        out.append(envelopes)
    return out


class Verification:
    """The verifier's part of recording, around the functions the registry calls: what reads or judges the
    envelope as received (the strict JSON reading, identifying its record from its signed content, its shape,
    its entries' signatures and links, its manifest, its keys' trust bindings). The rest (looking the record
    up, comparing the chain with the stored one, the chain state, the rows and the write) is the registry's
    own work: recording.

    It adds up the time spent in them, and keeps their answers; with ``replaying`` set, the same calls (the
    same envelope objects, recorded again into a fresh database) get the kept answers at once, so that
    recording can be measured with verification excluded: the registry then does its own work only."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.replaying = False
        self.answers: dict[tuple[str, Any], Any] = {}

    def wrap(self, fn: Callable[..., Any], name: str, key: Callable[..., Any]) -> Callable[..., Any]:
        def verified(*args: Any, **kwargs: Any) -> Any:
            if name == "unbound":  # its argument may be an iterator: read it once
                args = (args[0], list(args[1]))
            k = (name, key(*args))
            if self.replaying:
                answer, added = self.answers[k]
                if name == "_check_manifest":  # it adds its findings to the recorder it is given
                    args[1].findings.extend(added)
                if name == "_envelope_checks":  # a new recorder, which the registry adds to
                    return Recorder(answer.mode, list(answer.findings))
                return answer
            before = len(args[1].findings) if name == "_check_manifest" else 0
            started = time.perf_counter()
            try:
                answer = fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
            added = tuple(args[1].findings[before:]) if name == "_check_manifest" else ()
            self.answers[k] = (Recorder(answer.mode, list(answer.findings)) if name == "_envelope_checks" else answer,
                               added)
            return answer
        return verified

    def install(self) -> None:
        # Keyed by the objects the registry passes: in a replay they are the kept answers' own objects.
        core.load_bytes = self.wrap(core.load_bytes, "load_bytes", lambda data, *_: id(data))  # type: ignore
        core._identify = self.wrap(core._identify, "_identify", lambda env, *_: id(env))  # type: ignore
        context = core._Context
        context._envelope_checks = self.wrap(  # type: ignore[method-assign]
            context._envelope_checks, "_envelope_checks", lambda _, read, *__: id(read.env))
        context._check_manifest = self.wrap(  # type: ignore[method-assign]
            context._check_manifest, "_check_manifest", lambda _, __, read, *___: id(read.env))
        context.unbound = self.wrap(  # type: ignore[method-assign]
            context.unbound, "unbound", lambda _, signatures: tuple(map(id, signatures)))
        core.verify_entry = self.wrap(core.verify_entry, "verify_entry", lambda token, *_: id(token))  # type: ignore
        transfer_verify.verify_envelope = self.wrap(  # type: ignore[assignment]
            transfer_verify.verify_envelope, "verify_envelope", lambda env, *_: id(env))


def _record_all(reg: Any, share: list[list[bytes]]) -> int:
    from pint_simulator import VERIFY_AT

    entries = 0
    for envelopes in share:
        for data in envelopes:
            rec = reg.record(data, trust=WORLD.trust, at=VERIFY_AT)
            assert rec.response == "RECE", (rec.response, rec.codes)
            entries += rec.accepted
    return entries


def _writer(url: str, share: list[list[bytes]], start: Any, out: Any, replay_url: str | None) -> None:
    verification = Verification()
    verification.install()
    reg = etr.registry.open(url)
    reg.find("", "")  # connected before the clock starts
    start.wait()
    started = time.perf_counter()
    entries = _record_all(reg, share)
    elapsed = time.perf_counter() - started
    replayed = None
    if replay_url is not None:  # the same envelopes again, into a fresh database, the verifier's answers kept
        again = etr.registry.open(replay_url)
        again.find("", "")
        verification.replaying = True
        started = time.perf_counter()
        assert _record_all(again, share) == entries
        replayed = time.perf_counter() - started
    out.send((entries, verification.seconds, elapsed, replayed))


def run_registry(url: str, work: list[list[bytes]], writers: int, replay_url: str | None = None,
                 ) -> tuple[float, int, float, float | None]:
    """(seconds, entries, verification seconds summed over writers, and with ``replay_url`` (one writer) the
    seconds of recording the same envelopes again into that database with the verifier's answers kept)."""
    etr.registry.open(url).init()
    if replay_url is not None:
        assert writers == 1
        etr.registry.open(replay_url).init()
    shares = [work[w::writers] for w in range(writers)]
    start = FORK.Barrier(writers + 1)
    pipes = [FORK.Pipe(duplex=False) for _ in shares]
    procs = [FORK.Process(target=_writer, args=(url, share, start, send, replay_url))
             for share, (_, send) in zip(shares, pipes, strict=True)]
    for p in procs:
        p.start()
    start.wait()
    results = [recv.recv() for recv, _ in pipes]
    for p in procs:
        p.join()
    # The writers started together: the run lasted as long as the slowest one.
    return max(r[2] for r in results), sum(r[0] for r in results), sum(r[1] for r in results), results[0][3]


# --------------------------------------------------------------------------- the bound: the same rows, raw


def _rows(url: str) -> list[tuple[dict[str, Any], list[tuple[Any, ...]]]]:
    """Each record's row and its entry rows, read back from the registry's database."""
    conn, mark = _connect(url)
    out = []
    columns = [d for d in ("carrier_code", "transport_document_reference", "issuance_manifest_checksum",
                           "transport_document_checksum", "entries", "head_checksum", "head_previous", "head_payload",
                           "head_digest", "chain_state", "state", "live", "holder", "platform", "conflicts",
                           "created_at", "updated_at")]
    for row in conn.execute(f"SELECT id, {', '.join(columns)} FROM etr_records ORDER BY id").fetchall():
        entries = conn.execute(f"SELECT idx, checksum, payload_checksum, previous_checksum, chain_digest, actions, "
                               f"actor_platform, recipient_platform, action_date_time, signer, recorded_at, token "
                               f"FROM etr_entries WHERE record_id = {mark} ORDER BY idx", (row[0],)).fetchall()
        out.append((dict(zip(columns, row[1:], strict=True)), [tuple(e) for e in entries]))
    conn.close()
    return out


def _raw_writer(url: str, share: list[tuple[dict[str, Any], list[tuple[Any, ...]]]], start: Any, out: Any) -> None:
    conn, mark = _connect(url)
    start.wait()
    n = 0
    names = list(share[0][0]) if share else []
    insert_record = (f"INSERT INTO etr_records ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))}) "
                     "RETURNING id")
    insert_entry = (f"INSERT INTO etr_entries (record_id, idx, checksum, payload_checksum, previous_checksum, "
                    f"chain_digest, actions, actor_platform, recipient_platform, action_date_time, signer, "
                    f"recorded_at, token) VALUES ({', '.join([mark] * 13)})")
    # The columns the registry moves with a record's head (etr.registry.core._head_values), by its id.
    update = (f"UPDATE etr_records SET entries = {mark}, head_checksum = {mark}, head_previous = {mark}, "
              f"head_payload = {mark}, head_digest = {mark}, chain_state = {mark}, state = {mark}, live = {mark}, "
              f"holder = {mark}, platform = {mark}, updated_at = {mark} WHERE id = {mark}")
    # PostgreSQL: each envelope's rows in one statement (its own transaction), the fewest round trips there are.
    entry_columns = "idx, checksum, payload_checksum, previous_checksum, chain_digest, actions, actor_platform, " \
                    "recipient_platform, action_date_time, signer, recorded_at, token"
    pg_entry = f"INSERT INTO etr_entries (record_id, {entry_columns}) SELECT x.id, {', '.join(['%s'] * 12)} FROM x"
    pg_create = f"WITH x AS ({insert_record}), e AS ({pg_entry}) SELECT id FROM x"
    pg_append = f"WITH x AS ({update} RETURNING id) {pg_entry}"
    rid = 0
    for record, entries in share:
        for e in entries:  # one transaction per envelope, as the registry commits
            first = [record[c] if c != "entries" else 1 for c in names]
            head = (e[0] + 1, e[1], e[3], e[2], e[4], record["chain_state"], record["state"], record["live"],
                    record["holder"], record["platform"], e[10])
            n += 1
            if mark == "%s":
                if e[0] == 0:
                    rid = conn.execute(pg_create, [*first, *e]).fetchone()[0]
                else:
                    conn.execute(pg_append, [*head, rid, *e])
                continue
            conn.execute("BEGIN IMMEDIATE")
            if e[0] == 0:
                rid = conn.execute(insert_record, first).fetchone()[0]
            else:
                conn.execute(update, (*head, rid))
            conn.execute(insert_entry, (rid, *e))
            conn.execute("COMMIT")
    out.send(n)


def run_raw(url: str, rows: list[tuple[dict[str, Any], list[tuple[Any, ...]]]], writers: int) -> tuple[float, int]:
    conn, _ = _connect(url)
    if url.startswith("sqlite"):
        conn.execute("PRAGMA journal_mode = WAL")
    for version in range(1, SCHEMA_VERSION + 1):  # every migration: the registry's own tables
        for statement in statements(version, "sqlite" if url.startswith("sqlite") else "postgresql"):
            conn.execute(statement)
    conn.close()
    shares = [rows[w::writers] for w in range(writers)]
    start = FORK.Barrier(writers + 1)
    pipes = [FORK.Pipe(duplex=False) for _ in shares]
    procs = [FORK.Process(target=_raw_writer, args=(url, share, start, send)) for share, (_, send) in zip(
        shares, pipes, strict=True)]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    total = sum(recv.recv() for recv, _ in pipes)
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    return elapsed, total


def _connect(url: str) -> tuple[Any, str]:
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=60)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn, "?"
    import psycopg

    return psycopg.connect(url, autocommit=True), "%s"


# --------------------------------------------------------------------------- chain length


def append_costs(url: str, lengths: tuple[int, ...], samples: int, appends: int = 6,
                 ) -> dict[int, tuple[float, float, float]]:
    """Per chain length: the median seconds of recording one more transfer after a recorded chain of about that
    many entries, the median seconds of reading those envelopes alone (the hardened JSON loader: linear in
    the envelope's size, which grows with the chain), and the median seconds of such a transfer when the
    registry's memo of the chain is empty (the previous entry was recorded by another process: the chain is
    hashed again). The lengths take turns, one append each, so that they share the disk's mood (a synchronous
    commit's time varies several-fold from one to the next)."""
    from pint_simulator import VERIFY_AT, RawChain, sample_td

    from etr.load import load_bytes

    reg = etr.registry.open(url)
    reg.init()
    chains = {}
    for length in lengths:
        for s in range(samples):
            chain = RawChain(WORLD, td=sample_td(reference=f"LEN{length}-{s}"))
            chain.issue()
            for t in range(length - 1):
                chain.add("TRANSFER", HOLDERS[t % 4], HOLDERS[(t + 1) % 4], step=t + 1)
            data = json.dumps(chain.envelope()).encode()
            assert reg.record(data, trust=WORLD.trust, at=VERIFY_AT).response == "RECE"
            chains[(length, s)] = chain
    if url.startswith("sqlite"):  # the long chains' pages go to the database file now, not during an append
        reg.backend.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    times: dict[int, list[float]] = {length: [] for length in lengths}
    reading: dict[int, list[float]] = {length: [] for length in lengths}
    cold: dict[int, list[float]] = {length: [] for length in lengths}
    for _ in range(appends):
        for s in range(samples):
            for length in lengths:
                for forget in (True, False):  # the memo emptied (another process recorded the head), then kept
                    chain = chains[(length, s)]
                    t = len(chain.tokens) - 1
                    chain.add("TRANSFER", HOLDERS[t % 4], HOLDERS[(t + 1) % 4], step=t + 1)
                    data = json.dumps(chain.envelope()).encode()
                    if forget:
                        reg._memo().clear()
                    else:
                        start = time.perf_counter()
                        load_bytes(data)
                        reading[length].append(time.perf_counter() - start)
                    start = time.perf_counter()
                    rec = reg.record(data, trust=WORLD.trust, at=VERIFY_AT)
                    (cold if forget else times)[length].append(time.perf_counter() - start)
                    assert (rec.response, rec.accepted) == ("RECE", 1), rec.codes
    return {length: (statistics.median(times[length]), statistics.median(reading[length]),
                     statistics.median(cold[length])) for length in lengths}


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=16)
    parser.add_argument("--transfers", type=int, default=15)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="registry and bound runs, taking turns [3]")
    parser.add_argument("--pg-url", help="a PostgreSQL server (maintenance database URL); default: a throwaway one")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="etr-bench-", dir=args.dir))
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: Path) -> None:
    backends: list[tuple[str, Callable[[str], str]]] = [
        ("sqlite", lambda name: f"sqlite:///{folder / (name + '.db')}")]
    if not args.no_postgres:
        import pg_cluster

        server = args.pg_url or pg_cluster.server_url()
        if server is None:
            print(f"postgresql: skipped ({pg_cluster.unavailable_reason()})")
        else:
            backends.append(("postgresql", lambda name: pg_cluster.fresh_database(server)))

    print(f"workload: {args.records} records x (1 issue + {args.transfers} transfers) = "
          f"{args.records * (args.transfers + 1)} entries, one envelope each, EdDSA; databases in {folder}")
    work = workload(args.records, args.transfers, "BENCH")
    rates: dict[tuple[str, int], float] = {}
    for backend, make in backends:
        for writers in (1, 4):
            # The registry and its bound take turns, so that they share the disk's mood (a synchronous commit's
            # time moves several-fold from one minute to the next); the round with the median ratio is printed.
            rounds = []
            for r in range(args.rounds):
                url = make(f"{backend}-registry-{writers}-{r}")
                replay_url = make(f"{backend}-replay-{r}") if writers == 1 else None
                elapsed, entries, verifying, replayed = run_registry(url, work, writers, replay_url)
                raw_elapsed, raw_entries = run_raw(make(f"{backend}-raw-{writers}-{r}"), _rows(url), writers)
                assert raw_entries == entries
                rate, raw_rate = entries / elapsed, raw_entries / raw_elapsed
                excluded = entries / replayed if replayed is not None else 0.0
                subtracted = entries / max(elapsed - verifying, 1e-9)
                rounds.append(((excluded if writers == 1 else rate) / raw_rate, rate, raw_rate, verifying, excluded,
                               subtracted))
            _, rate, raw_rate, verifying, excluded, subtracted = sorted(rounds)[len(rounds) // 2]
            rates[(backend, writers)] = rate
            line = (f"{backend:<10} writers={writers}  recorded {rate:8.1f} entries/s  raw insert (bound) "
                    f"{raw_rate:8.1f} rows/s  ratio {rate / raw_rate:5.1%}  verification {verifying:6.2f} s")
            if writers == 1:
                line += (f"  excl. verification {excluded:8.1f} entries/s = {excluded / raw_rate:5.1%} of the bound"
                         + (f" (target >= {SQLITE_TARGET:.0%})" if backend == "sqlite" else "")
                         + f"; verification time subtracted instead: {subtracted / raw_rate:5.1%}")
            line += f"  [median of {len(rounds)} rounds: " + ", ".join(
                f"{r[0]:.0%}" for r in sorted(rounds)) + "]"
            print(line, flush=True)
        if (backend, 4) in rates:
            scale = rates[(backend, 4)] / rates[(backend, 1)]
            target = f" (target >= {PG_SCALING_TARGET}x)" if backend == "postgresql" else ""
            print(f"{backend:<10} 4 writers / 1 writer: {scale:4.2f}x{target}", flush=True)
    for backend, make in backends:
        costs = append_costs(make(f"{backend}-length"), (1, 1000), args.samples)
        (short, short_read, short_cold), (long, long_read, long_cold) = costs[1], costs[1000]
        print(f"{backend:<10} append one transfer: after 1 entry {short * 1000:7.2f} ms, after 1,000 entries "
              f"{long * 1000:7.2f} ms: {long / short:4.2f}x (target <= {LENGTH_TARGET}x); of which reading the "
              f"envelope (JSON loader) {short_read * 1000:.2f} ms / {long_read * 1000:.2f} ms; the rest "
              f"{(long - long_read) / (short - short_read):4.2f}x; head recorded by another process (chain hashed "
              f"again) {short_cold * 1000:.2f} ms / {long_cold * 1000:.2f} ms: {long_cold / short_cold:4.2f}x",
              flush=True)

if __name__ == "__main__":
    from pint_simulator import World

    WORLD = World("EdDSA")
    main()
