"""Digests: SHA-256 hex and RFC 8785 canonical JSON, as DCSA PINT computes checksums (reference §2.7)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from etr.crypto.digests import CanonicalizationError, jcs, jcs_sha256, sha256_hex

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
PINT_DEMO = SHARED_DATA / "dcsa" / "pint-demo"


def test_sha256_hex_is_lowercase_64_chars() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_jcs_sorts_keys_and_drops_whitespace() -> None:
    assert jcs({"b": [1, 2.0, "é"], "a": None, "c": {"z": True, "y": 1e21}}) == \
        '{"a":null,"b":[1,2,"é"],"c":{"y":1e+21,"z":true}}'.encode()


def test_jcs_sorts_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: U+FF61 sorts after U+1F600 (UTF-16 D83D DE00), unlike code point order.
    assert jcs({"\uff61": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"\U0001f600":2,"\uff61":1}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**60, {1: 2}, object()])
def test_jcs_refuses_what_has_no_canonical_form(value: object) -> None:
    with pytest.raises(CanonicalizationError) as info:
        jcs({"v": value})
    assert info.value.code == "JCS-UNREPRESENTABLE"


def test_jcs_sha256_matches_pint_demo_transport_document_checksum() -> None:
    envelope_path = PINT_DEMO / "pint-transfers" / "HHL71800000-ebl-envelope-ed25519.json"
    if not envelope_path.exists():
        pytest.skip(f"pint-demo data not found under {SHARED_DATA} (set ETR_SHARED_DATA)")
    envelope = json.loads(envelope_path.read_bytes())
    assert jcs_sha256(envelope["transportDocument"]) == \
        "8f765417773a026d4f9ead6187d961d28dffbb7d0a11dda9ba6fee16423bc05a"
