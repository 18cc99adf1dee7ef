"""Benchmark: DCSA PINT envelope verification and signing.

For each key type and chain length (1, 10, 100, 1,000 entries) it prints, measured in this run:

* verification: envelopes/s and entries/s of ``verify_envelope`` (raw envelope bytes in: strict JSON,
  every JWS parsed and verified, hash links, schemas, issuance, state machine, manifest; the embedded TD
  validated once per envelope), next to the bound — raw signature verifications/s of the same key type
  with ``cryptography`` directly on an entry-sized message, on one thread, timed in blocks of about
  25 ms alternating with blocks of envelopes verified back to back (so both see the same load; each
  rate is the best of five rounds) — and the ratio per
  entry. Three figures per length: ``inline`` (``parallel=False``: everything in this process),
  ``worker`` (``parallel=True``: the entries' signatures checked by the worker process while this one
  does the rest) and ``default`` (``parallel=None``: the worker for chains of 32 entries or more, once started). The
  worker checks the entries' signatures one at a time, so entries/s cannot exceed the single-core raw
  rate (only the manifest's and the issuance manifest's signatures are checked in this process,
  meanwhile): the bound stays a true bound;
* signing: entries signed/s through ``ChainBuilder.append_entry`` (state machine check, JCS, JWS, hash;
  the ``Transaction`` objects are built before the clock starts), next to raw signatures with
  ``cryptography`` timed in between the chains (so both see the same load; each rate is the best of
  five rounds, as for verification), and the ratio;
* linearity: the cost per entry at 1,000 entries over that at 100, per verification mode (1.00 = flat).

Targets (reported, never asserted): verification >= 70% of raw per entry at 100 and 1,000 entries, cost
linear in chain length; signing >= 70% of raw.

Usage: python benchmarks/verify_pint.py [--algs EdDSA,ES256,PS256] [--lengths 1,10,100,1000] [--seconds S] [--no-td]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
TD_FILE = SHARED / "dcsa" / "dcsa-openapi-examples" / "EBL_v3.0.4_transport-document_regularSTDExample.json"
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def per_second(fn: Callable[[], object], seconds: float, *, batch: int = 1) -> float:
    """Calls per second of ``fn`` (each call counts ``batch``) over about ``seconds``, after one warm-up call."""
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def raw_rates(alg: str, message: bytes, seconds: float) -> tuple[float, float]:
    """(verifications/s, signatures/s) of ``alg`` with cryptography directly: the bound."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    if alg == "EdDSA":
        ed = ed25519.Ed25519PrivateKey.generate()
        sig, pub = ed.sign(message), ed.public_key()
        return (per_second(lambda: pub.verify(sig, message), seconds),
                per_second(lambda: ed.sign(message), seconds))
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())
        eck = ec.generate_private_key(ec.SECP256R1())
        der, ecpub = eck.sign(message, ecdsa), eck.public_key()
        return (per_second(lambda: ecpub.verify(der, message, ecdsa), seconds),
                per_second(lambda: eck.sign(message, ecdsa), seconds))
    pad = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32) if alg == "PS256"
           else padding.PKCS1v15())
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsig, rpub = rk.sign(message, pad, hashes.SHA256()), rk.public_key()
    return (per_second(lambda: rpub.verify(rsig, message, pad, hashes.SHA256()), seconds),
            per_second(lambda: rk.sign(message, pad, hashes.SHA256()), seconds))


def raw_verifier(alg: str, message: bytes) -> Callable[[], object]:
    """One raw ``cryptography`` verification of ``alg`` over ``message`` per call: the verification bound."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    if alg == "EdDSA":
        ed = ed25519.Ed25519PrivateKey.generate()
        sig, pub = ed.sign(message), ed.public_key()
        return lambda: pub.verify(sig, message)
    sha256 = hashes.SHA256()
    if alg == "ES256":
        ecdsa, eck = ec.ECDSA(sha256), ec.generate_private_key(ec.SECP256R1())
        der, ecpub = eck.sign(message, ecdsa), eck.public_key()
        return lambda: ecpub.verify(der, message, ecdsa)
    pad = padding.PSS(mgf=padding.MGF1(sha256), salt_length=32) if alg == "PS256" else padding.PKCS1v15()
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsig, rpub = rk.sign(message, pad, sha256), rk.public_key()
    return lambda: rpub.verify(rsig, message, pad, sha256)


def interleaved(envelope: Callable[[], object], raw_one: Callable[[], object], entries: int,
                seconds: float, rounds: int = 5, block: float = 0.025) -> tuple[float, float]:
    """(envelopes/s, raw verifications/s): a block of envelopes back to back (about ``block`` seconds),
    then as many raw verifications as those envelopes have entries, and again, for about ``seconds`` of
    envelope time (after a warm-up of each), split in ``rounds``; each rate is that of its best round
    (the machine is shared: noise only ever adds time). Blocks, not single envelopes: the figure is the
    throughput of back-to-back verification, as a service or a batch sees it; after a pause, the first
    envelope also pays for waking the signature worker up."""
    start = time.perf_counter()
    envelope()
    per_envelope = time.perf_counter() - start
    raw_one()
    count = max(1, int(block / max(per_envelope, 1e-6)))
    best_envelope = best_raw = 0.0
    for _ in range(rounds):
        spent = raw_spent = 0.0
        done = 0
        while spent < seconds / rounds:
            start = time.perf_counter()
            for _ in range(count):
                envelope()
            spent += time.perf_counter() - start
            done += count
            start = time.perf_counter()
            for _ in range(count * entries):
                raw_one()
            raw_spent += time.perf_counter() - start
        best_envelope, best_raw = max(best_envelope, done / spent), max(best_raw, done * entries / raw_spent)
    return best_envelope, best_raw


def raw_signer(alg: str) -> Callable[[bytes], bytes]:
    """One raw ``cryptography`` signature of ``alg`` per call, with a fresh key: the signing bound."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate().sign
    sha256 = hashes.SHA256()
    if alg == "ES256":
        ecdsa, eck = ec.ECDSA(sha256), ec.generate_private_key(ec.SECP256R1())
        return lambda message: eck.sign(message, ecdsa)
    pad = padding.PSS(mgf=padding.MGF1(sha256), salt_length=32) if alg == "PS256" else padding.PKCS1v15()
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return lambda message: rk.sign(message, pad, sha256)


class Setup:
    """Keys for three platforms, a trust store with a registry, two alternating holders."""

    def __init__(self, alg: str) -> None:
        from etr.crypto.keys import generate_key
        from etr.crypto.trust import TrustStore
        from etr.transfer.model import IdentifyingCode, Party

        self.alg = alg
        self.keys = {p: generate_key(alg, kid=f"{p.lower()}-{alg.lower()}") for p in ("CAR1", "EBL1", "EBL2")}
        self.trust = TrustStore()
        for key in self.keys.values():
            self.trust.add_key(key.public)
        rows = "".join(f"{p},,,{k.kid}\n" for p, k in self.keys.items())
        self.trust.add_registry(("Code,Site,jwks_endpoint,manual_key_id\n" + rows).encode())
        self.parties = (Party("Alice Exports Ltd", "EBL1", (IdentifyingCode("EBL1", "alice"),)),
                        Party("Bob Bank plc", "EBL2", (IdentifyingCode("EBL2", "bob"),
                                                       IdentifyingCode("GLEIF", "529900T8BM49AURSDO55", "LEI"))))
        self.carrier = Party("Carrier Line A/S", "CAR1", (IdentifyingCode("SMDG", "CARR"),))

    def build(self, td: dict[str, Any], entries: int) -> tuple[Any, float]:
        """A builder holding a chain of ``entries`` entries, and the seconds spent appending after ISSUE."""
        from etr.transfer.sign import ChainBuilder, transaction

        builder = ChainBuilder(td)
        builder.issue(self.parties[0], self.keys["CAR1"], "CAR1", carrier=self.carrier, at=T0)
        holder, other = self.parties
        todo = []  # the transactions are the caller's input: built before the clock starts, like the raw message
        for i in range(1, entries):
            todo.append(([transaction("TRANSFER", holder, other, at=T0 + timedelta(seconds=i))],
                         self.keys[holder.ebl_platform], holder.ebl_platform))
            holder, other = other, holder
        append = builder.append_entry
        start = time.perf_counter()
        for transactions, key, platform in todo:
            append(transactions, key, platform)
        return builder, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algs", default="EdDSA,ES256,PS256", help="comma-separated: EdDSA, ES256, PS256, RS256")
    parser.add_argument("--lengths", default="1,10,100,1000")
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per figure")
    parser.add_argument("--no-td", action="store_true", help="do not validate the embedded TD")
    args = parser.parse_args()
    from etr.crypto import worker

    worker.start(timeout=30)  # a long-running service would do the same; its start-up is not a chain's cost
    warnings.simplefilter("ignore")  # joserfc warns that EdDSA is deprecated in favour of Ed25519 (RFC 9864)

    from etr.transfer.verify import verify_envelope

    td = json.loads(TD_FILE.read_text()) if TD_FILE.exists() else {
        "transportDocumentReference": "BENCH00001", "isToOrder": True, "carrierCode": "CARR",
        "carrierCodeListProvider": "SMDG"}
    lengths = [int(x) for x in args.lengths.split(",")]
    at = T0 + timedelta(days=30)
    print(f"PINT benchmark: python {sys.version.split()[0]}, TD {'validated' if not args.no_td else 'not validated'}"
          f" once per envelope ({TD_FILE.name if TD_FILE.exists() else 'synthetic TD'}), {args.seconds:.1f} s per "
          "figure; bound = raw cryptography on an entry-sized message, same run")
    for alg in args.algs.split(","):
        setup = Setup(alg)
        sample, _ = setup.build(td, 3)
        message = sample.chain[1].rsplit(".", 1)[0].encode()  # the signing input of a real entry
        raw_verify, raw_sign = raw_rates(alg, message, args.seconds)
        print(f"\n{alg}: raw verify {raw_verify:,.0f}/s, raw sign {raw_sign:,.0f}/s "
              f"(entry signing input {len(message)} bytes)")
        modes = {"inline": False, "worker": True, "default": None}
        per_entry: dict[str, dict[int, float]] = {mode: {} for mode in modes}
        raw_one = raw_verifier(alg, message)
        for n in lengths:
            builder, _ = setup.build(td, n)
            raw = json.dumps(builder.envelope()).encode()
            check = verify_envelope(raw, setup.trust, at=at, validate_document=not args.no_td)
            assert check.outcome.value == "PASS", check.codes  # a benchmark of a failing path would be meaningless
            for mode, threads in modes.items():
                if mode == "worker" and n < 2:
                    print(f"  verify  {n:>5} entries  {mode:<7}  = inline (one entry)")
                    continue
                gc.collect()
                rate, raw_rate = interleaved(
                    lambda: verify_envelope(raw, setup.trust, at=at, validate_document=not args.no_td,  # noqa: B023
                                            parallel=threads),  # noqa: B023
                    raw_one, n, args.seconds)
                per_entry[mode][n] = 1e6 / (rate * n)
                print(f"  verify  {n:>5} entries  {mode:<7}: {rate:>9,.1f} envelopes/s {rate * n:>8,.0f} entries/s  "
                      f"ratio {rate * n / raw_rate:6.1%} of raw  ({per_entry[mode][n]:,.1f} us/entry; raw "
                      f"{1e6 / raw_rate:,.1f} us, interleaved)")
        sign_raw = raw_signer(alg)
        for n in lengths:
            if n < 10:
                continue
            gc.collect()
            rate = raw_rate = 0.0
            for _ in range(5):  # rounds; chains and raw signatures interleaved: both see the same machine load
                spent, done, raw_spent = 0.0, 0, 0.0
                while spent < args.seconds / 5:
                    _, seconds = setup.build(td, n)
                    spent += seconds
                    done += n - 1
                    start = time.perf_counter()
                    for _ in range(n - 1):
                        sign_raw(message)
                    raw_spent += time.perf_counter() - start
                rate, raw_rate = max(rate, done / spent), max(raw_rate, done / raw_spent)  # each its best round
            print(f"  sign    {n:>5} entries: {rate:>10,.0f} entries signed/s  ratio {rate / raw_rate:6.1%} of raw "
                  f"({1e6 / rate:,.1f} us/entry; raw {1e6 / raw_rate:,.1f} us, interleaved)")
        if 100 in lengths and 1000 in lengths:
            print("  linearity: us/entry at 1,000 / at 100 = " + ", ".join(
                f"{mode} {cost[1000] / cost[100]:.2f}" for mode, cost in per_entry.items()) + " (1.00 = linear)")


if __name__ == "__main__":
    main()
