"""Signatures checked on the worker thread give exactly the result of the inline path: same findings in
the same order, same entry results, same outcome and response code (clean and tampered chains)."""

from __future__ import annotations

import json
import os
import select
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pint_simulator import T0, VERIFY_AT, Pki, RawChain, World, at, payload_of, registry_csv

import etr.transfer.verify as verify_module
from etr.crypto.keys import generate_key
from etr.crypto.trust import TrustStore
from etr.errors import UsageError
from etr.transfer.verify import OVERLAP_MIN_ENTRIES, verify_envelope

LENGTH = OVERLAP_MIN_ENTRIES + 9


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


def _all_ways(envelope: dict[str, Any], trust: TrustStore, monkeypatch: pytest.MonkeyPatch,
              **kwargs: Any) -> list[dict[str, Any]]:
    """to_dict() inline, overlapped, and with the automatic choice made either way."""
    raw = json.dumps(envelope).encode()
    out = [verify_envelope(raw, trust, signature_threads=threads, **kwargs).to_dict() for threads in (0, 1)]
    for choice in (True, False):
        with monkeypatch.context() as m:
            m.setattr(verify_module, "_choose_overlap", lambda alg: choice)  # noqa: B023
            out.append(verify_envelope(raw, trust, **kwargs).to_dict())
    return out


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
@pytest.mark.parametrize("build, codes", CASES, ids=[c[0].__name__ for c in CASES])
def test_threaded_and_inline_results_are_identical(build: Callable[[World], dict[str, Any]], codes: set[str],
                                                    alg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(alg)
    inline, threaded, auto_overlapped, auto_inline = _all_ways(build(world), world.trust, monkeypatch, at=VERIFY_AT,
                                                    validate_document=False)
    assert threaded == inline
    assert auto_overlapped == inline
    assert auto_inline == inline
    found = {f["code"] for f in inline["findings"]}
    assert codes <= found
    assert (inline["outcome"] == "PASS") == (not codes)


def test_certificates_expiring_mid_chain_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys resolved once per chain are reused only while their certificates are valid."""
    pki = Pki()
    world = World()
    store = TrustStore()
    store.add_certificate(pki.root)
    store.add_registry(registry_csv(world.keys))
    chains = {p: pki.leaf(f"{p.lower()}.example", world.key(p)) for p in world.keys}
    chains["EBL2"] = pki.leaf("ebl2.example", world.key("EBL2"), not_before=T0 - timedelta(days=1),
                              not_after=at(LENGTH // 2))  # bob's certificate expires half way
    envelope = _long(world, **chains).envelope(x5c_chain=chains["EBL1"], platform="EBL1")
    inline, threaded, auto_overlapped, auto_inline = _all_ways(envelope, store, monkeypatch, at=VERIFY_AT,
                                                    validate_document=False)
    assert threaded == inline == auto_overlapped == auto_inline
    expired = [f["detail"]["entry"] for f in inline["findings"] if f["code"] == "PINT-KEY-X5C-EXPIRED"]
    assert expired and min(expired) > LENGTH // 2 - 2
    assert [e["signature"]["how"] for e in inline["entries"][:LENGTH // 2]] == ["x5c"] * (LENGTH // 2)


@pytest.mark.parametrize("value", [2, -1, True, "1"])
def test_signature_threads_is_none_0_or_1(value: Any) -> None:
    world = World()
    with pytest.raises(UsageError):
        verify_envelope(_long(world, 3).envelope(), world.trust, signature_threads=value)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_worker_thread_is_restarted_in_a_forked_child() -> None:
    world = World()
    raw = json.dumps(_long(world).envelope()).encode()
    assert verify_envelope(raw, world.trust, at=VERIFY_AT, signature_threads=1).codes == \
        verify_envelope(raw, world.trust, at=VERIFY_AT, signature_threads=0).codes  # the parent's worker runs
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its copy of the executor has no thread; a stale one would hang here
        code = 1
        try:
            result = verify_envelope(raw, world.trust, at=VERIFY_AT, validate_document=False, signature_threads=1)
            os.write(write, result.outcome.value.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 60)
        assert ready, "the child did not answer"
        assert os.read(read, 100).decode() in ("PASS", "WARN")
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def test_automatic_choice_follows_the_measurements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_module, "_COSTS", {})
    monkeypatch.setattr(verify_module, "_OVERLAPPING", set())
    choose = verify_module._choose_overlap
    assert choose("EdDSA") is False  # nothing measured: inline first
    verify_module._record("EdDSA", False, 100e-6)
    assert choose("EdDSA") is True  # then the other way once
    verify_module._record("EdDSA", True, 80e-6)
    picks = [choose("EdDSA") for _ in range(200)]
    assert 0 < picks.count(False) < 20  # mostly the faster way, now and then the other
    verify_module._OVERLAPPING.add(1)
    assert choose("EdDSA") is False  # the worker is busy with another chain
