"""Signatures checked in the worker process give exactly the result of the in-process path: same findings
in the same order, same entry results, same outcome and response code (clean and tampered chains), and
whatever goes wrong with the worker only makes the signatures be checked in-process."""

from __future__ import annotations

import json
import os
import select
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from pint_simulator import T0, VERIFY_AT, Pki, RawChain, World, at, payload_of, registry_csv, thumbprint_registry_csv

from etr.crypto import worker
from etr.crypto.keys import generate_key
from etr.crypto.trust import TrustStore
from etr.errors import UsageError
from etr.transfer.verify import verify_envelope

LENGTH = worker.BATCH_FIRST + worker.BATCH + 9  # several requests, small ones first and last

needs_worker = pytest.mark.skipif(not worker.available(), reason="the worker needs POSIX and two usable CPUs")


@pytest.fixture(autouse=True)
def fresh_worker() -> Iterator[None]:
    """Each test starts with no worker and leaves none behind, nor a 'gave up' flag."""
    worker.shutdown()
    worker._STATE["failed"] = False
    yield
    worker.shutdown()
    worker._STATE["failed"] = False


def _long(world: World, length: int = LENGTH, **x5c: list[str]) -> RawChain:
    """ISSUE -> alice, then alice and bob hand the eBL back and forth."""
    chain = RawChain(world).issue(x5c_chain=x5c.get("CAR1"))
    holder, other = "alice", "bob"
    for _ in range(length - 1):
        chain.add("TRANSFER", holder, other, x5c_chain=x5c.get("EBL1" if holder == "alice" else "EBL2"))
        holder, other = other, holder
    return chain


def _flip_signature(token: str) -> str:
    head, body, sig = token.split(".")
    return f"{head}.{body}.{'B' if sig[0] == 'A' else 'A'}{sig[1:]}"


def clean(w: World) -> dict[str, Any]:
    return _long(w).envelope()


def bad_signature_in_the_middle(w: World) -> dict[str, Any]:
    chain = _long(w)
    chain.tokens[LENGTH // 2] = _flip_signature(chain.tokens[LENGTH // 2])
    return chain.envelope()


def bad_signatures_at_both_ends_and_middle(w: World) -> dict[str, Any]:
    chain = _long(w)
    for i in (0, 3, LENGTH // 2, LENGTH - 1):
        chain.tokens[i] = _flip_signature(chain.tokens[i])
    return chain.envelope(tokens=chain.tokens)


def untrusted_key(w: World) -> dict[str, Any]:
    chain = _long(w)
    data = payload_of(chain.tokens[7])
    chain.tokens[7] = chain.sign(data, data["eblPlatform"], key=generate_key(w.alg, kid="stranger"))
    return chain.envelope()


def broken_link(w: World) -> dict[str, Any]:
    chain = _long(w)
    del chain.tokens[LENGTH // 3]
    return chain.envelope()


def everything_at_once(w: World) -> dict[str, Any]:
    chain = _long(w)
    chain.tokens[2] = _flip_signature(chain.tokens[2])
    data = payload_of(chain.tokens[9])
    chain.tokens[9] = chain.sign(data, data["eblPlatform"], key=generate_key(w.alg, kid="stranger"))
    chain.tokens[12] = chain.tokens[11]  # replayed
    chain.tokens[LENGTH - 2] = _flip_signature(chain.tokens[LENGTH - 2])
    return chain.envelope(tokens=chain.tokens)


CASES: list[tuple[Callable[[World], dict[str, Any]], set[str]]] = [
    (clean, set()),
    (bad_signature_in_the_middle, {"PINT-JWS-BAD-SIGNATURE"}),
    (bad_signatures_at_both_ends_and_middle, {"PINT-JWS-BAD-SIGNATURE"}),
    (untrusted_key, {"PINT-KEY-UNKNOWN"}),
    (broken_link, {"PINT-CHAIN-LINK"}),
    (everything_at_once, {"PINT-JWS-BAD-SIGNATURE", "PINT-KEY-UNKNOWN", "PINT-CHAIN-REPLAY"}),
]


def _both_ways(envelope: dict[str, Any], trust: TrustStore, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """to_dict() in-process, and with every signature checked by a ready worker."""
    raw = json.dumps(envelope).encode()
    inline = verify_envelope(raw, trust, parallel=False, **kwargs).to_dict()
    assert worker.start(timeout=60), "the worker did not start"
    before = worker.answered()
    remote = verify_envelope(raw, trust, parallel=True, **kwargs).to_dict()
    assert worker.answered() > before  # the worker did check them
    return inline, remote


@needs_worker
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "PS256"])
@pytest.mark.parametrize("build, codes", CASES, ids=[c[0].__name__ for c in CASES])
def test_worker_and_in_process_results_are_identical(build: Callable[[World], dict[str, Any]], codes: set[str],
                                                      alg: str) -> None:
    world = World(alg)
    inline, remote = _both_ways(build(world), world.trust, at=VERIFY_AT, validate_document=False)
    assert remote == inline
    found = {f["code"] for f in inline["findings"]}
    assert codes <= found
    assert (inline["outcome"] == "PASS") == (not codes)


@needs_worker
def test_certificates_expiring_mid_chain_give_the_same_result() -> None:
    """Keys resolved once per chain are reused only while their certificates are valid."""
    pki = Pki()
    world = World()
    store = TrustStore()
    store.add_certificate(pki.root)
    store.add_registry(thumbprint_registry_csv(world.keys))
    chains = {p: pki.leaf(f"{p.lower()}.example", world.key(p)) for p in world.keys}
    chains["EBL2"] = pki.leaf("ebl2.example", world.key("EBL2"), not_before=T0 - timedelta(days=1),
                              not_after=at(LENGTH // 2))  # bob's certificate expires half way
    envelope = _long(world, **chains).envelope(x5c_chain=chains["EBL1"], platform="EBL1")
    inline, remote = _both_ways(envelope, store, at=VERIFY_AT, validate_document=False)
    assert remote == inline
    expired = [f["detail"]["entry"] for f in inline["findings"] if f["code"] == "PINT-KEY-X5C-EXPIRED"]
    assert expired and min(expired) > LENGTH // 2 - 2
    assert [e["signature"]["how"] for e in inline["entries"][:LENGTH // 2]] == ["x5c"] * (LENGTH // 2)


@pytest.mark.parametrize("value", [2, 0, 1, -1, "1"])
def test_parallel_is_none_true_or_false(value: Any) -> None:
    world = World()
    with pytest.raises(UsageError) as caught:
        verify_envelope(_long(world, 3).envelope(), world.trust, parallel=value)
    assert caught.value.code == "PINT-PARALLEL"


@needs_worker
def test_a_worker_killed_mid_chain_leaves_the_result_unchanged() -> None:
    world = World()
    raw = json.dumps(bad_signature_in_the_middle(world)).encode()
    inline = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=False).to_dict()
    assert worker.start(timeout=60)
    worker._STATE["child"].process.kill()
    worker._STATE["child"].process.wait()
    remote = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).to_dict()
    assert remote == inline
    assert worker._STATE["child"] is None and worker._STATE["failed"]  # not started again in this process
    assert verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False).to_dict() == inline


@needs_worker
def test_an_answer_out_of_turn_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    raw = json.dumps(bad_signatures_at_both_ends_and_middle(world)).encode()
    inline = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=False).to_dict()
    assert worker.start(timeout=60)
    real = worker._Child.receive
    monkeypatch.setattr(worker._Child, "receive", lambda self: (0, b"\x01" * 10_000) if real(self) else None)
    remote = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).to_dict()
    assert remote == inline  # all ones of the wrong length and turn: refused, checked in-process instead


@pytest.mark.parametrize("executable", ["/nonexistent/python", "/bin/true"])
def test_a_worker_that_cannot_start_leaves_the_result_unchanged(executable: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    raw = json.dumps(bad_signature_in_the_middle(world)).encode()
    inline = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=False).to_dict()
    monkeypatch.setattr(sys, "executable", executable)
    assert worker.start(timeout=10) is False
    assert verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).to_dict() == inline


@needs_worker
def test_a_chain_that_finds_the_worker_busy_checks_in_process() -> None:
    world = World()
    raw = json.dumps(bad_signature_in_the_middle(world)).encode()
    inline = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=False).to_dict()
    assert worker.start(timeout=60)
    with worker.open_batches(lambda *a: True, 100, True) as holding:  # another thread's chain, say
        assert holding.parallel
        before = worker.answered()
        assert verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).to_dict() \
            == inline
        assert worker.answered() == before


@needs_worker
def test_a_chain_abandoned_half_way_does_not_confuse_the_next() -> None:
    world = World()
    raw = json.dumps(bad_signature_in_the_middle(world)).encode()
    inline = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=False).to_dict()
    assert worker.start(timeout=60)
    key = world.key("EBL1").public
    with pytest.raises(RuntimeError), worker.open_batches(lambda *a: True, 100, True) as batches:
        for _ in range(worker.BATCH_FIRST * 3):
            batches.add("EdDSA", key, b"x", b"y")  # sent, never collected
        raise RuntimeError("the caller failed half way")
    assert worker.start(timeout=60)  # a new child: the old one's answers are never read
    assert verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).to_dict() == inline


@needs_worker
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_process_does_not_use_its_parents_worker() -> None:
    world = World()
    raw = json.dumps(_long(world).envelope()).encode()
    assert worker.start(timeout=60)
    parent_child = worker._STATE["child"]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # talking on the parent's pipes would steal its answers
        code = 1
        try:
            result = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True)
            ours = worker._STATE["child"]
            os.write(write, f"{result.outcome.value} {ours is not None and ours is not parent_child}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 60)
        assert ready, "the forked process did not answer"
        assert os.read(read, 100).decode() == "PASS True"
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    before = worker.answered()
    assert verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, parallel=True).outcome.value \
        == "PASS"
    assert worker.answered() > before and worker._STATE["child"] is parent_child  # the parent's still works


@needs_worker
def test_etr_verify_of_a_long_chain_uses_the_worker_and_exits_cleanly(tmp_path: Any) -> None:
    """The command line, in its own process: the worker starts for a long chain, a tampered signature is
    still caught, and the process ends (the worker with it) with the usual exit code."""
    import subprocess

    world = World("ES256")
    clean_raw = json.dumps(_long(world).envelope()).encode()
    bad_raw = json.dumps(bad_signature_in_the_middle(world)).encode()
    (tmp_path / "clean.json").write_bytes(clean_raw)
    (tmp_path / "bad.json").write_bytes(bad_raw)
    trust = tmp_path / "trust"
    trust.mkdir()
    for platform, key in world.keys.items():
        (trust / f"{platform}.public.jwk").write_text(json.dumps(key.public.jwk()))
    (trust / "registry.csv").write_bytes(registry_csv(world.keys))
    probe = ("import sys, runpy; from etr.crypto import worker; sys.argv = ['etr'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('etr', run_name='__main__')\n"
             "finally:\n    sys.stderr.write(f'answered={worker.answered()}')")
    for name, code in (("clean.json", 0), ("bad.json", 1)):
        done = subprocess.run([sys.executable, "-c", probe, "verify", str(tmp_path / name), "--trust", str(trust),
                               "--at", "2026-07-01T00:00:00Z", "--no-td"], capture_output=True, text=True, timeout=120)
        assert done.returncode == code, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert ("BSIG" in done.stdout) == (code == 1), done.stdout
        assert "answered=" in done.stderr  # the finally ran: the process was not killed


@needs_worker
def test_a_worker_is_started_for_long_chains_and_used_by_shorter_ones_once_running() -> None:
    assert worker._STATE["child"] is None
    with worker.open_batches(lambda *a: True, worker.START_ENTRIES - 1, None) as batches:
        assert not batches.parallel and worker._STATE["child"] is None  # not worth a process for one chain
    with worker.open_batches(lambda *a: True, worker.START_ENTRIES, None) as batches:
        assert batches.parallel
    with worker.open_batches(lambda *a: True, worker.MIN_ENTRIES, None) as batches:
        assert batches.parallel  # running now: shorter chains use it too
    with worker.open_batches(lambda *a: True, worker.MIN_ENTRIES - 1, None) as batches:
        assert not batches.parallel
    with worker.open_batches(lambda *a: True, 2, True) as batches:
        assert batches.parallel
    with worker.open_batches(lambda *a: True, 10_000, False) as batches:
        assert not batches.parallel
