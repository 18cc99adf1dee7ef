"""``etr validate`` on PINT envelopes: the envelope's structure and its transport document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import need_shared

import etr
from etr.families.ebl import VERSIONS as EBL_VERSIONS

REPO = Path(__file__).resolve().parents[2]
TD = json.loads((REPO / "samples" / "ebl" / "valid" / "straight-bl.json").read_bytes())
JWS = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"  # well formed, not verified by validate


def envelope(**changes: Any) -> dict[str, Any]:
    env: dict[str, Any] = {"transportDocument": json.loads(json.dumps(TD)), "envelopeManifestSignedContent": JWS,
                           "envelopeTransferChain": [JWS]}
    env.update(changes)
    return env


def test_envelope_is_detected_and_its_structure_checked() -> None:
    report = etr.validate(envelope())
    assert (report.family, report.valid) == ("dcsa-pint", True)
    assert report.codes == ("PINT-NOT-VERIFIED",)


def test_transport_document_findings_keep_their_codes_under_the_envelope() -> None:
    env = envelope()
    env["transportDocument"]["transportDocumentTypeCode"] = "SWB"
    env["transportDocument"]["isToOrder"] = True
    report = etr.validate(env)
    hit = next(f for f in report.findings if f.code == "EBL-SWB-TO-ORDER")
    assert hit.location is not None and hit.location.pointer == "/transportDocument/isToOrder"
    assert not report.valid


def test_broken_envelope_structure() -> None:
    env = envelope(envelopeTransferChain="not a list")
    del env["envelopeManifestSignedContent"]
    codes = set(etr.validate(env, family="dcsa-pint").codes)
    assert {"PINT-SCHEMA-REQUIRED", "PINT-SCHEMA-TYPE"} <= codes


def test_pint_demo_envelope_carries_a_business_rule_invalid_document(shared_data: Path) -> None:
    path = need_shared(shared_data / "dcsa" / "pint-demo" / "pint-transfers" /
                       "HHL71800000-ebl-envelope-ed25519.json")
    report = etr.validate(path)
    assert report.family == "dcsa-pint"
    assert not any(c.startswith(("PINT-SCHEMA-", "EBL-SCHEMA-")) for c in report.codes)
    assert "EBL-SWB-TO-ORDER" in report.codes and not report.valid


# --------------------------------------------------------------------------- versions

def test_the_default_version_is_the_transport_documents() -> None:
    report = etr.validate(envelope())
    assert report.version == EBL_VERSIONS[-1]


@pytest.mark.parametrize("version", EBL_VERSIONS)
def test_an_explicit_version_is_that_of_the_transport_document(version: str) -> None:
    report = etr.validate(envelope(), version=version)
    assert (report.family, report.version) == ("dcsa-pint", version)


def test_the_explicit_version_reaches_the_transport_documents_rules() -> None:
    # One original with and one without charges: allowed by 3.0.1, not from 3.0.2 (the sum rule).
    env = envelope()
    env["transportDocument"]["numberOfOriginalsWithoutCharges"] = 1
    assert "EBL-ORIGINALS-ELECTRONIC-TOTAL" not in etr.validate(env, version="3.0.1").codes
    hit = next(f for f in etr.validate(env, version="3.0.2").findings if f.code == "EBL-ORIGINALS-ELECTRONIC-TOTAL")
    assert hit.location is not None and hit.location.pointer == "/transportDocument/numberOfOriginalsWithoutCharges"


def test_the_explicit_version_reaches_the_transport_documents_schema() -> None:
    # eblPlatform was added in 3.0.3: under 3.0.2 it is a later-version field, under 3.0.3 it is known.
    env = envelope()
    env["transportDocument"]["documentParties"]["consignee"]["eblPlatform"] = "WAVE"
    assert "EBL-LATER-VERSION-FIELD" in etr.validate(env, version="3.0.2").codes
    assert "EBL-LATER-VERSION-FIELD" not in etr.validate(env, version="3.0.3").codes


def test_a_version_no_family_knows_is_a_usage_error() -> None:
    with pytest.raises(etr.UsageError) as info:
        etr.validate(envelope(), version="3.1.0")
    assert info.value.code == "ETR-UNKNOWN-VERSION"
