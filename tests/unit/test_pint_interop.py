"""Interoperability with public PINT data: the pint-demo envelopes verify; the DCSA spec example does not.

Data: ``$ETR_SHARED_DATA/dcsa`` (default ``<repo>/../shared/data``); skipped when absent, a failure under
``ETR_REQUIRE_SHARED_DATA=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import need_shared

from etr.crypto.trust import TrustStore
from etr.model import Outcome, Severity
from etr.transfer.verify import verify_envelope

TD_CHECKSUM = "8f765417773a026d4f9ead6187d961d28dffbb7d0a11dda9ba6fee16423bc05a"


@pytest.fixture
def demo(shared_data: Path) -> Path:
    return need_shared(shared_data / "dcsa" / "pint-demo")


@pytest.fixture
def demo_trust(demo: Path) -> TrustStore:
    """The pint-demo public JWKs, bound to platforms by its registry CSV."""
    return TrustStore.from_paths([demo / "keys" / "public", demo / "platform-registry" / "eblsolutionproviders.csv"])


@pytest.mark.parametrize("variant, alg, holder, outcome", [
    ("ed25519", "EdDSA", "ebl2 Party", Outcome.PASS),
    # The registry lists CAR2 with a JWKS endpoint only (never fetched): its binding cannot be checked offline.
    ("rsa", "RS256", "ebl1 Party", Outcome.NOT_EVALUABLE),
])
def test_pint_demo_envelopes_verify(demo: Path, demo_trust: TrustStore, variant: str, alg: str, holder: str,
                                    outcome: Outcome) -> None:
    raw = (demo / "pint-transfers" / f"HHL71800000-ebl-envelope-{variant}.json").read_bytes()
    result = verify_envelope(raw, demo_trust, source=variant)
    assert result.outcome is outcome, [(f.code, f.message) for f in result.findings]
    assert ("PINT-PLATFORM-UNBOUND" in result.codes) is (outcome is Outcome.NOT_EVALUABLE)
    assert result.response_code == "RECE"
    assert result.transport_document_checksum == TD_CHECKSUM
    assert [e.signature.alg for e in result.entries] == [alg, alg]
    assert all(e.signature.verified and e.signature.how == "kid" for e in result.entries)
    assert [a for e in result.entries for a in e.actions] == ["ISSUE", "TRANSFER"]
    assert result.manifest is not None and result.manifest.last_entry_checksum_ok
    assert result.issuance is not None and result.issuance.document_checksum_ok and result.issuance.signature.verified
    assert result.issuance.visualisation_ok is True
    assert result.current_holder is not None and result.current_holder.party_name == holder
    # The embedded TD: schema-valid, but it breaks business rules — informative only.
    td = result.td_report
    assert td is not None and not td.valid
    assert not any(code.startswith("EBL-SCHEMA") for code in td.codes), td.codes
    assert "PINT-TD-INVALID" in result.codes
    assert next(f for f in result.findings if f.code == "PINT-TD-INVALID").severity is Severity.INFO


def test_pint_demo_with_x5c_checked_at_transaction_time(demo: Path) -> None:
    """Trusting the test root CA (and the registry, which binds each platform's key by thumbprint prefix),
    the x5c chains are checked at each entry's actionDateTime. The demo stamps its transactions 2006-01-02
    (Go's reference time), before its certificates were issued (2026)."""
    store = TrustStore.from_paths([demo / "certs" / "root-ca.crt",
                                   demo / "platform-registry" / "eblsolutionproviders.csv"])
    raw = (demo / "pint-transfers" / "HHL71800000-ebl-envelope-ed25519.json").read_bytes()
    result = verify_envelope(raw, store, at="2026-06-01T00:00:00Z")
    assert result.outcome is Outcome.FAIL and "PINT-KEY-X5C-NOT-YET-VALID" in result.codes
    assert result.manifest is not None and result.manifest.signature.verified  # checked at `at`: valid then
    assert result.manifest.signature.how == "x5c"


def test_dcsa_spec_example_envelope_fails_with_bsig(shared_data: Path, demo_trust: TrustStore) -> None:
    path = need_shared(shared_data / "dcsa" / "dcsa-openapi-examples" /
                       "EBL_PINT_v3.0.0_envelope_regularSTDExample.json")
    for mode in ("strict", "legacy"):
        result = verify_envelope(path.read_bytes(), demo_trust, mode=mode)  # type: ignore[arg-type]
        assert result.outcome is Outcome.FAIL
        assert result.response_code == "BSIG"
        assert "PINT-KEY-UNKNOWN" in result.codes
        assert "PINT-LEGACY-ACTION-FIELD" in result.codes


def test_pint_demo_documents_are_checked_by_checksum(demo: Path, demo_trust: TrustStore) -> None:
    """The demo ships no PDFs: giving none of them, with --require-documents semantics, is MDOC."""
    raw = (demo / "pint-transfers" / "HHL71800000-ebl-envelope-ed25519.json").read_bytes()
    result = verify_envelope(raw, demo_trust, require_documents=True)
    assert result.response_code == "MDOC"
    assert result.codes.count("PINT-DOCUMENT-MISSING") == 3
