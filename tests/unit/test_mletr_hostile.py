"""Hostile inputs to `etr assess` found by a reviewer (round 3): each test is the attack as a user makes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import etr
from etr.cli import main
from etr.errors import UsageError
from etr.mletr.attestation import parse_attestation
from etr.model import Outcome

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-06-01T00:00:00Z"


def _attestation(**accreditation: str) -> bytes:
    data = {"format": "etr-attestation", "formatVersion": "1.0",
            "platform": {"name": "Sim", "codes": ["CAR1"]},
            "accreditations": [{"scheme": "sg-eta-16q", "body": "Sim Authority", "issuer": "Sim Operator",
                                "date": "2026-01-10", **accreditation}]}
    return json.dumps(data).encode()


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_the_last_day_a_date_can_name_is_open_ended_not_a_crash(until: str) -> None:
    # 9999-12-31 is how many registers write "no end date"; its last instant is datetime.max, not an overflow.
    attestation = parse_attestation(_attestation(validFrom="2026-01-01", validUntil=until), "<test>")
    (period,) = attestation.accreditations()
    assert period.end is not None and period.end.year == 9999
    assert period.covers(period.start)  # type: ignore[arg-type]


def test_a_date_beyond_what_can_be_read_is_refused_with_its_code() -> None:
    with pytest.raises(UsageError) as caught:
        parse_attestation(_attestation(validFrom="2026-01-01", validUntil="9999-12-31T23:59:59-01:00"), "<test>")
    assert caught.value.code == "MLETR-ATTESTATION-INVALID"


def test_an_empty_at_is_a_usage_error_not_now() -> None:
    # No silent default: --at "" is a value that cannot be read, not "the time the run starts".
    envelope = ROOT / "samples" / "pint" / "valid" / "1-issued.json"
    result = CliRunner().invoke(main, ["assess", str(envelope), "--trust", str(ROOT / "samples" / "pint" / "trust"),
                                       "--at", "", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "PINT-AT" in result.stderr


def test_a_tampered_oa_document_does_not_identify_its_issuer() -> None:
    # The consignee was edited after wrapping: the issuer named in the data is no longer vouched for by the
    # hash the issuer issued, so a trusted issuer list cannot make the signature row PASS.
    tampered = ROOT / "samples" / "openattestation" / "invalid" / "OA-INTEGRITY-TARGET-HASH.json"
    trust = ROOT / "samples" / "openattestation" / "trust"
    a = etr.assess(tampered, trust, at=AT)
    assert a.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.FAIL
    assert a.outcomes["R09-SIGNATURE"] is not Outcome.PASS
    genuine = etr.assess(ROOT / "samples" / "openattestation" / "valid" / "bill-of-lading.tt", trust, at=AT)
    assert genuine.outcomes["R09-SIGNATURE"] is Outcome.PASS


def test_parts_the_merkle_root_does_not_protect_weaken_data_integrity() -> None:
    # A v3 document holding a number: 1 and "1" hash alike (OA-UNPROTECTED-TYPE). The integrity row says the hash
    # matches; the data-integrity factor must not be a plain PASS while the verifier warns that an editor could
    # change what a reader sees without changing the hash.
    import oa_factory as oa

    weak = etr.assess(json.dumps(oa.wrap_v3(oa.v3_credential(quantity=1))).encode(), at=AT, name="weak.json")
    assert weak.outcomes["R10-1b-iii-INTEGRITY"] is Outcome.PASS
    row = next(r for r in weak.rows if r.id == "R12-a-ii-DATA-INTEGRITY")
    assert row.outcome is Outcome.WARN and "OA-UNPROTECTED-TYPE" in row.reason, row
    strong = etr.assess(json.dumps(oa.wrap_v3(oa.v3_credential(quantity="one"))).encode(), at=AT, name="ok.json")
    assert strong.outcomes["R12-a-ii-DATA-INTEGRITY"] is Outcome.PASS


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_did_document_that_was_never_signed_fails_the_signature_row(version: str) -> None:
    # The upstream did-wrapped fixtures name a DID issuer but carry no signature: etr verify FAILs them
    # (OA-DID-NOT-SIGNED: a DID document is issued by signing it). etr assess said NOT_EVALUABLE, exit 0.
    import oa_factory as oa

    did = "did:ethr:0xE712878f6E8d5d4F9e87E10DA604F9cB564C9a89"
    if version == "v2":
        issuer = {"id": did, "name": "Demo", "revocation": {"type": "NONE"},
                  "identityProof": {"type": "DID", "key": f"{did}#controller"}}
        doc = oa.wrap_v2(oa.v2_data(issuer))
    else:
        doc = oa.wrap_v3(oa.v3_credential(method="DID", proof_value=did, identity="DID", identifier=did))
    data = json.dumps(doc).encode()
    verified = etr.verify(data)
    assert "OA-DID-NOT-SIGNED" in verified.codes and verified.outcome is Outcome.FAIL
    a = etr.assess(data, at=AT, name="did.json")
    assert a.outcomes["R09-SIGNATURE"] is Outcome.FAIL
    assert a.outcome is Outcome.FAIL
