"""Benchmark: DCSA PINT envelope verification, on the workload users have: envelopes of 1, 5 and 20 entries.

In process, for each key type (EdDSA, ES256, PS256) and chain length, it prints the envelopes/s of
``verify_envelope`` end to end (envelope bytes in: the hardened loader, the TD's checksum and its validation
through the eBL family, every entry, the issuance manifest, the envelope manifest), next to the bound measured
in the same run — every signature the envelope holds (its entries', the issuance manifest's and the envelope
manifest's) verified with ``cryptography`` directly, plus the raw jsonschema-rs validation of its transport
document — and the ratio. The two are timed in alternating blocks of about 25 ms (both see the same load);
each rate is the best of five rounds.

Then across processes: ``python -m etr verify DIR --trust T -q --format jsonl -j N`` on 2,000 envelope files
for N = 1 and 2, and the peak RSS of the etr processes (``RUSAGE_CHILDREN``) for 500 and for 2,000 files, to
show that memory stays flat in the number of files.

Targets (reported, never asserted): at 1 entry EdDSA >= 50%, ES256 >= 35%, PS256 >= 20% of the bound; at 20
entries EdDSA >= 65%, ES256 >= 50%, PS256 >= 40%; ``-j 2`` >= 1.6x ``-j 1``.

Usage: python benchmarks/verify_pint.py [--algs EdDSA,ES256,PS256] [--lengths 1,5,20] [--seconds S]
                                        [--files N] [--no-batch]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _timing import interleaved

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
TD_FILE = SHARED / "dcsa" / "dcsa-openapi-examples" / "EBL_v3.0.4_transport-document_regularSTDExample.json"
T0 = datetime(2026, 6, 1, tzinfo=UTC)
AT = T0 + timedelta(days=30)
#: (entries, alg) -> the share of the bound to reach.
TARGETS = {(1, "EdDSA"): 0.50, (1, "ES256"): 0.35, (1, "PS256"): 0.20,
           (20, "EdDSA"): 0.65, (20, "ES256"): 0.50, (20, "PS256"): 0.40}
BATCH_TARGET = 1.6


class Setup:
    """Keys for three platforms, a trust store with a registry binding them, two alternating holders."""

    def __init__(self, alg: str) -> None:
        from etr.crypto.keys import generate_key
        from etr.crypto.trust import TrustStore
        from etr.transfer.model import IdentifyingCode, Party

        self.keys = {p: generate_key(alg, kid=f"{p.lower()}-{alg.lower()}") for p in ("CAR1", "EBL1", "EBL2")}
        self.registry = ("Code,Site,jwks_endpoint,manual_key_id\n"
                         + "".join(f"{p},,,{k.kid}\n" for p, k in self.keys.items())).encode()
        self.trust = TrustStore()
        for key in self.keys.values():
            self.trust.add_key(key.public)
        self.trust.add_registry(self.registry)
        self.holders = (Party("Alice Exports Ltd", "EBL1", (IdentifyingCode("EBL1", "alice"),)),
                        Party("Bob Bank plc", "EBL2", (IdentifyingCode("EBL2", "bob"),
                                                       IdentifyingCode("GLEIF", "529900T8BM49AURSDO55", "LEI"))))
        self.carrier = Party("Carrier Line A/S", "CAR1", (IdentifyingCode("SMDG", "CARR"),))

    def envelope(self, td: dict[str, Any], entries: int) -> bytes:
        """An envelope of ``entries`` entries (ISSUE, then the eBL handed back and forth), as JSON bytes."""
        from etr.transfer.sign import ChainBuilder, transaction

        builder = ChainBuilder(td)
        builder.issue(self.holders[0], self.keys["CAR1"], "CAR1", carrier=self.carrier, at=T0)
        holder, other = self.holders
        for i in range(1, entries):
            builder.append_entry([transaction("TRANSFER", holder, other, at=T0 + timedelta(seconds=i))],
                                 self.keys[holder.ebl_platform], holder.ebl_platform)
            holder, other = other, holder
        return json.dumps(builder.envelope()).encode()

    def write_trust(self, folder: Path) -> None:
        """The trust store as files: one JWK per platform and the registry CSV."""
        folder.mkdir()
        for platform, key in self.keys.items():
            (folder / f"{platform.lower()}.jwk").write_text(json.dumps(key.public.jwk()))
        (folder / "platforms.csv").write_bytes(self.registry)


def raw_bound(envelope: bytes, setup: Setup) -> Callable[[], None]:
    """One call does the irreducible work of verifying ``envelope``: each of its signatures with ``cryptography``
    directly (ES256 turned into DER beforehand) and the raw jsonschema-rs validation of its TD."""
    import jsonschema_rs
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from etr.crypto.jws import parse_compact, payload_json
    from etr.schemas import load_schema

    env = json.loads(envelope)
    first = payload_json(parse_compact(env["envelopeTransferChain"][0]))
    assert isinstance(first, dict)
    tokens = [*env["envelopeTransferChain"], first["issuanceManifestSignedContent"],
              env["envelopeManifestSignedContent"]]
    by_kid = {k.kid: k.public.key for k in setup.keys.values()}
    sha256 = hashes.SHA256()
    ecdsa, pss = ec.ECDSA(sha256), padding.PSS(mgf=padding.MGF1(sha256), salt_length=32)
    calls: list[Callable[[], object]] = []
    for token in tokens:
        parsed = parse_compact(token)
        key, alg, message, signature = by_kid[parsed.header["kid"]], parsed.alg, parsed.signing_input, parsed.signature
        if alg == "EdDSA":
            calls.append(lambda k=key, s=signature, m=message: k.verify(s, m))
        elif alg == "ES256":
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            calls.append(lambda k=key, s=der, m=message: k.verify(s, m, ecdsa))
        else:
            calls.append(lambda k=key, s=signature, m=message: k.verify(s, m, pss, sha256))
    engine = jsonschema_rs.validator_for(dict(load_schema("dcsa-ebl/transport-document.schema.json")),
                                         validate_formats=True)
    td = env["transportDocument"]

    def bound() -> None:
        for call in calls:
            call()
        engine.is_valid(td)

    return bound


def in_process(algs: list[str], lengths: list[int], seconds: float, td: dict[str, Any]) -> None:
    from etr.transfer.verify import verify_envelope

    print(f"in process: verify_envelope(bytes), TD validated ({TD_FILE.name if TD_FILE.exists() else 'synthetic TD'});"
          f" bound = every signature with cryptography + raw jsonschema-rs on the TD; {seconds:.1f} s per figure")
    for alg in algs:
        setup = Setup(alg)
        for n in lengths:
            raw = setup.envelope(td, n)
            check = verify_envelope(raw, setup.trust, at=AT)
            assert check.outcome.value == "PASS", check.codes  # a benchmark of a failing path would be meaningless
            gc.collect()
            rate, bound, _ = interleaved(lambda: verify_envelope(raw, setup.trust, at=AT),  # noqa: B023
                                      raw_bound(raw, setup), seconds)
            target = TARGETS.get((n, alg))
            goal = f"target >= {target:.0%}: {'met' if rate / bound >= target else 'MISSED'}" if target else "no target"
            print(f"  {alg:<5} {n:>2} entries: {rate:>8,.0f} envelopes/s, bound {bound:>8,.0f}/s "
                  f"({n + 2} signatures + TD schema), ratio {rate / bound:6.1%}  ({goal})")


def _verify_run(files: Path, trust: Path, jobs: int) -> tuple[float, int, int, float]:
    """(seconds, exit status, peak RSS in KiB, CPU seconds) of the etr processes of one ``etr verify`` run,
    measured by a fresh wrapper process so that RUSAGE_CHILDREN holds this run only."""
    wrapper = ("import resource, subprocess, sys, time\n"
               "start = time.perf_counter()\n"
               "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
               "elapsed = time.perf_counter() - start\n"
               "sys.stderr.write(done.stderr.decode(errors='replace')[-400:])\n"
               "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "print(elapsed, done.returncode, use.ru_maxrss, use.ru_utime + use.ru_stime)\n")
    command = [sys.executable, "-m", "etr", "verify", str(files), "--trust", str(trust), "-q", "--format", "jsonl",
               "-j", str(jobs)]
    out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True,
                         cwd=REPO)
    elapsed, status, rss, cpu = out.stdout.split()
    if int(status) != 0:
        print(f"    etr verify exited {status}: {out.stderr.strip()[-300:]}")
    return float(elapsed), int(status), int(rss), float(cpu)


def batch(files: int, td: dict[str, Any]) -> None:
    help_text = subprocess.run([sys.executable, "-m", "etr", "verify", "--help"], capture_output=True, text=True,
                               cwd=REPO).stdout
    if "-j" not in help_text.replace("--jobs", "-j").split():
        print("\nbatch: skipped: etr verify has no -j yet")
        return
    setup = Setup("EdDSA")
    samples = [setup.envelope(td, n) for n in (1, 2, 5, 5, 20)]  # mostly short chains, as users have
    with tempfile.TemporaryDirectory(prefix="etr-bench-") as tmp:
        root = Path(tmp)
        setup.write_trust(root / "trust")
        small, large = root / "small", root / "large"
        for folder, count in ((small, min(500, files)), (large, files)):
            folder.mkdir()
            for i in range(count):
                (folder / f"envelope-{i:05d}.json").write_bytes(samples[i % len(samples)])
        print(f"\nbatch: python -m etr verify DIR --trust T -q --format jsonl -j N, {files:,} EdDSA envelopes of "
              f"1-20 entries (TD validated), wall clock incl. start-up")
        timings = {}
        for jobs in (1, 2):
            elapsed, status, rss, cpu = _verify_run(large, root / "trust", jobs)
            timings[jobs] = elapsed
            print(f"  -j {jobs}: {files / elapsed:>8,.0f} envelopes/s ({elapsed:.2f} s, exit {status}, peak RSS "
                  f"{rss / 1024:,.1f} MiB; {cpu:.2f} s of CPU = {cpu / elapsed:.2f} CPUs busy on average)")
        speedup = timings[1] / timings[2]
        print(f"  -j 2 / -j 1 = {speedup:.2f}x (target >= {BATCH_TARGET}x: "
              f"{'met' if speedup >= BATCH_TARGET else 'MISSED'}; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} — other processes share them)")
        for folder, count in ((small, min(500, files)), (large, files)):
            _, _, rss, _ = _verify_run(folder, root / "trust", 2)
            print(f"  peak RSS, -j 2, {count:>5,} files: {rss / 1024:,.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algs", default="EdDSA,ES256,PS256", help="comma-separated: EdDSA, ES256, PS256")
    parser.add_argument("--lengths", default="1,5,20", help="chain lengths, comma-separated")
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per in-process figure")
    parser.add_argument("--files", type=int, default=2000, help="envelope files for the batch runs")
    parser.add_argument("--no-batch", action="store_true", help="skip the etr verify -j runs")
    args = parser.parse_args()
    td = json.loads(TD_FILE.read_text()) if TD_FILE.exists() else {
        "transportDocumentReference": "BENCH00001", "isToOrder": True, "carrierCode": "CARR",
        "carrierCodeListProvider": "SMDG"}
    print(f"PINT benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    in_process(args.algs.split(","), [int(x) for x in args.lengths.split(",")], args.seconds, td)
    if not args.no_batch:
        batch(args.files, td)


if __name__ == "__main__":
    main()
