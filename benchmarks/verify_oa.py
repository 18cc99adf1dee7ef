"""Benchmark: OpenAttestation v2 integrity, the hot path of ``etr verify`` on a TradeTrust document.

For a wrapped v2 document of 50 fields (50 salted leaves in ``data``), it prints documents/s of

* ``integrity``: the v2 integrity check alone (flatten ``data``, 50 leaf hashes, the sorted list hashed,
  the Merkle proof) as :func:`etr.families.openattestation.verify.verify_document` runs it;
* ``verify_document``: the whole offline verification of the parsed document (integrity, the parts the
  hash does not protect, issuance status and identity stated);
* ``etr.verify(bytes)``: the same from the file's bytes (the hardened loader included);

each next to the bound measured in the same run: the raw keccak256 (pycryptodome) of the same 50 leaf texts
plus the one of the sorted list (51 digests, the inputs prepared beforehand), and the ratio. The two are
timed in alternating blocks of about 25 ms (both see the same load); each rate is the best of five rounds,
the ratio the median of the five rounds' own ratios (robust when the machine's load changes).
Timings are reported, never asserted.

Usage: python benchmarks/verify_oa.py [--fields N] [--seconds S]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path

from _timing import interleaved

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def document(fields: int) -> dict[str, object]:
    """A wrapped v2 TradeTrust-like document whose ``data`` has exactly ``fields`` leaves."""
    from oa_factory import REGISTRY, wrap_v2

    data: dict[str, object] = {
        "$template": {"name": "BILL_OF_LADING", "type": "EMBEDDED_RENDERER", "url": "https://example.com"},
        "issuers": [{"name": "Carrier", "tokenRegistry": REGISTRY,
                     "identityProof": {"type": "DNS-TXT", "location": "carrier.example.com"}}],
    }
    base = 7  # the leaves above
    data["packages"] = [{"marks": f"box {i}", "weight": 10 * i, "hazardous": i % 2 == 0}
                        for i in range((fields - base) // 3)]
    for i in range(fields - base - 3 * ((fields - base) // 3)):
        data[f"note{i}"] = f"note {i}"
    doc = wrap_v2(data)
    from etr.families.openattestation.hashing import flatten_v2

    assert sum(1 for _ in flatten_v2(doc["data"])) == fields
    return doc


def raw_bound(doc: dict[str, object]) -> Callable[[], None]:
    """One call: keccak256 of each leaf text and of the sorted list text (the inputs prepared beforehand)."""
    from Crypto.Hash import keccak

    from etr.families.openattestation import _js
    from etr.families.openattestation.hashing import flatten_v2

    texts = [("{" + json.dumps(p, ensure_ascii=False) + ":" + _js.stringify(v) + "}").encode()
             for p, v, _ in flatten_v2(doc["data"])]
    hashes = sorted(keccak.new(data=t, digest_bits=256).hexdigest() for t in texts)
    listed = ("[" + ",".join(f'"{x}"' for x in hashes) + "]").encode()

    def bound() -> None:
        for text in texts:
            keccak.new(data=text, digest_bits=256).hexdigest()
        keccak.new(data=listed, digest_bits=256).hexdigest()

    return bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fields", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    import etr
    from etr.families.openattestation.forms import classify
    from etr.families.openattestation.verify import _integrity, verify_document
    from etr.model import Outcome

    doc = document(args.fields)
    raw = json.dumps(doc).encode()
    form = classify(doc)
    assert form is not None
    result = verify_document(doc, "bench")
    check = result.check("integrity")
    assert check is not None and check.outcome is Outcome.PASS, result.codes  # never benchmark a failing path

    def integrity() -> None:
        _integrity(form, doc, [])

    works: list[tuple[str, Callable[[], object]]] = [
        ("integrity", integrity),
        ("verify_document", lambda: verify_document(doc, "bench")),
        ("etr.verify(bytes)", lambda: etr.verify(raw)),
    ]
    bound = raw_bound(doc)
    print(f"OpenAttestation v2, {args.fields} fields ({len(raw):,} bytes); bound = raw keccak256 (pycryptodome) of "
          f"the {args.fields} leaf texts + the sorted list ({args.fields + 1} digests); "
          f"{args.seconds:.1f} s per figure")
    for name, work in works:
        gc.collect()
        rate, limit, ratio = interleaved(work, bound, args.seconds)
        print(f"  {name:<18} {rate:>9,.0f} documents/s, bound {limit:>9,.0f}/s, ratio {ratio:6.1%}")


if __name__ == "__main__":
    main()
