"""The bundled PINT samples: every valid one verifies, every invalid one fails with the code it is named after."""

from __future__ import annotations

from pathlib import Path

import pytest

from etr.crypto.trust import TrustStore
from etr.model import Outcome
from etr.transfer.verify import verify_envelope

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pint"
AT = "2026-11-27T00:00:00Z"


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return TrustStore.from_paths([SAMPLES / "trust"])


@pytest.mark.parametrize("path", sorted((SAMPLES / "valid").glob("*.json")), ids=lambda p: p.name)
def test_valid_samples_verify(path: Path, trust: TrustStore) -> None:
    result = verify_envelope(path.read_bytes(), trust, at=AT)
    assert result.outcome is Outcome.PASS, result.codes
    assert "PINT-PLATFORM-UNBOUND" not in result.codes  # the registry binds every platform


def test_the_closed_chain_tells_the_whole_story(trust: TrustStore) -> None:
    result = verify_envelope((SAMPLES / "valid" / "5-accepted.json").read_bytes(), trust, at=AT)
    assert [p.party_name for p in result.holders] == ["Nordic Timber AB", "Hanseatic Bank AG",
                                                      "Pacific Imports Pty Ltd", "Meridian Ocean Lines Pte. Ltd."]
    assert [e.actions for e in result.entries] == [("ISSUE",), ("TRANSFER",), ("ENDORSE_TO_ORDER", "TRANSFER"),
                                                   ("SURRENDER_FOR_DELIVERY",), ("SACC",)]


@pytest.mark.parametrize("path", sorted((SAMPLES / "invalid").glob("*.json")), ids=lambda p: p.name)
def test_invalid_samples_fail_with_their_code(path: Path, trust: TrustStore) -> None:
    result = verify_envelope(path.read_bytes(), trust, at=AT)
    assert result.outcome is Outcome.FAIL
    assert path.stem in result.codes


def test_an_unverified_entry_says_nothing_about_the_holder(trust: TrustStore) -> None:
    result = verify_envelope((SAMPLES / "invalid" / "PINT-JWS-BAD-SIGNATURE.json").read_bytes(), trust, at=AT)
    assert [p.party_name for p in result.holders] == ["Nordic Timber AB"]  # not the edited recipient
    assert result.current_holder is not None and result.current_holder.party_name == "Nordic Timber AB"
    assert result.entries[1].holder_after is None
    assert "PINT-STATE-UNVERIFIED" in result.codes
