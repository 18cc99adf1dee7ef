"""The assessment of OpenAttestation documents through the real OA verifier (``etr.families.openattestation``):
a document-store document is not a transferable record; a token-registry one is, and what rests on the
registry's on-chain state is NOT_EVALUABLE offline; an edited document fails integrity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import etr
from etr.model import Outcome

pytest.importorskip("etr.families.openattestation")
oa = pytest.importorskip("oa_factory")

AT = "2026-06-01T00:00:00Z"


def test_a_document_store_document_is_not_transferable() -> None:
    doc = oa.wrap_v2(oa.v2_data())
    a = etr.assess(json.dumps(doc).encode(), at=AT, name="oa.json")
    assert a.classification.family == "openattestation" and a.classification.kind == "not-transferable"
    assert a.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.PASS
    assert a.outcomes["R11-1a-EXCLUSIVE"] is Outcome.NOT_APPLICABLE
    assert a.outcomes["R09-SIGNATURE"] is Outcome.NOT_EVALUABLE  # DNS-TXT identity: not offline


def test_a_token_registry_document_is_a_transferable_record_not_evaluable_offline() -> None:
    issuer = {"name": "Demo Carrier", "tokenRegistry": oa.REGISTRY,
              "identityProof": {"type": "DNS-TXT", "location": oa.DOMAIN}}
    doc = oa.wrap_v2(oa.v2_data(issuer))
    a = etr.assess(json.dumps(doc).encode(), at=AT, name="ebl-oa.json")
    assert a.classification.kind == "transferable", a.classification
    assert a.outcomes["R10-1b-i-SINGULAR"] is Outcome.NOT_EVALUABLE
    assert a.outcomes["R11-1a-EXCLUSIVE"] is Outcome.NOT_EVALUABLE
    assert a.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.PASS


def test_an_edited_document_fails_integrity() -> None:
    doc = oa.wrap_v2(oa.v2_data())
    doc["data"]["recipient"]["name"] = doc["data"]["recipient"]["name"].replace("Nordic", "Southern")
    a = etr.assess(json.dumps(doc).encode(), at=AT, name="edited.json")
    assert a.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.FAIL
    assert a.outcome is Outcome.FAIL


OA_SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "openattestation"


def test_trusted_issuers_identify_the_issuer() -> None:
    doc = OA_SAMPLES / "valid" / "bill-of-lading.tt"
    if not doc.exists():
        pytest.skip("samples/openattestation is not in this checkout")
    offline = etr.assess(doc, at=AT)
    assert offline.outcomes["R09-SIGNATURE"] is Outcome.NOT_EVALUABLE
    trusted = etr.assess(doc, OA_SAMPLES / "trust", at=AT)
    assert trusted.outcomes["R09-SIGNATURE"] is Outcome.PASS
    assert trusted.classification.kind == "transferable"
    # The same trust directory holds no PINT key: an envelope's chain is then not verified (not FAILed).
    envelope = Path(__file__).resolve().parents[2] / "samples" / "pint" / "valid" / "5-accepted.json"
    a = etr.assess(envelope, OA_SAMPLES / "trust", at=AT)
    assert a.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.NOT_EVALUABLE
    assert "no trust store" in a.row("R10-1b-iii-INTEGRITY").reason
