"""The OpenAttestation samples (samples/openattestation) give what their README says: each valid one verifies
(PASS or NOT_EVALUABLE, never a FAIL), each invalid one FAILs with the code it is named after."""

from __future__ import annotations

from pathlib import Path

import pytest

import etr
from etr.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "openattestation"
TRUST = SAMPLES / "trust"


@pytest.mark.parametrize("path", sorted((SAMPLES / "valid").iterdir()), ids=lambda p: p.name)
def test_valid_samples_verify(path: Path) -> None:
    result = etr.verify(path, TRUST)
    assert result.outcome in (Outcome.PASS, Outcome.NOT_EVALUABLE), result.codes
    assert result.check("integrity").outcome is Outcome.PASS  # type: ignore[union-attr]
    assert result.check("identity").outcome is Outcome.PASS  # type: ignore[union-attr]
    assert etr.validate(path).family == "openattestation"


def test_the_signed_certificate_of_origin_passes_offline() -> None:
    result = etr.verify(SAMPLES / "valid" / "certificate-of-origin-did-signed.json", TRUST)
    assert result.outcome is Outcome.PASS and "OA-DID-ROTATION-UNSEEN" in result.codes


@pytest.mark.parametrize("path", sorted((SAMPLES / "invalid").iterdir()), ids=lambda p: p.name)
def test_invalid_samples_fail_with_their_code(path: Path) -> None:
    result = etr.verify(path, TRUST)
    assert result.outcome is Outcome.FAIL and path.stem in result.codes, result.codes


def test_the_bill_of_lading_names_what_the_network_would_have_to_say() -> None:
    result = etr.verify(SAMPLES / "valid" / "bill-of-lading.tt")
    assert result.transferable and result.token_id == "0x" + str(result.merkle_root)
    status = result.check("issuance-status")
    identity = result.check("identity")
    assert status is not None and identity is not None
    query = status.detail["queries"][0]  # type: ignore[index]
    assert query["contract"] == result.token_registry and query["tokenId"] == result.token_id
    assert query["network"] == {"chain": "ETH", "chainId": "11155111"}
    lookup = identity.detail["lookups"][0]  # type: ignore[index]
    assert lookup["domain"] == "meridian-lines.example.com"
    assert lookup["record"] == f"openatts net=ethereum netId=11155111 addr={result.token_registry}"
