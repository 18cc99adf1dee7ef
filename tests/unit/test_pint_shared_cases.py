"""The real-world PINT cases of ../shared/cases (README there): each gives the result the standard demands.
The kinds of fault behind them have their own tests in test_pint_fault_classes.py; these run the files."""

from __future__ import annotations

from pathlib import Path

from conftest import need_shared

from etr.crypto.trust import TrustStore
from etr.model import Outcome
from etr.transfer.verify import VerificationResult, verify_envelope

ROUND = "2026-11-30"


def _verify(cases: Path, name: str, trust: str = "00-pint-trust", **kwargs: object) -> VerificationResult:
    folder = need_shared(cases / ROUND)
    path = folder / name
    return verify_envelope(path.read_bytes(), TrustStore.from_paths([folder / trust]), source=path.name,
                           **kwargs)  # type: ignore[arg-type]


def test_09_an_integer_beyond_2_53_that_is_a_double_passes(shared_cases: Path) -> None:
    result = _verify(shared_cases, "09-jcs-integer-beyond-2pow53.json")
    assert result.outcome is Outcome.PASS, result.codes


def test_14_a_legacy_timestamp_that_is_not_epoch_millis_says_so(shared_cases: Path) -> None:
    result = _verify(shared_cases, "14-legacy-timestamp-not-millis.json", mode="legacy")
    assert result.outcome is Outcome.FAIL and result.response_code == "BENV"
    assert "PINT-LEGACY-TIMESTAMP-INVALID" in result.codes
    assert not any("required property" in f.message for f in result.findings)


def test_15_an_entry_signed_in_a_leap_second_verifies_as_one_second_earlier(shared_cases: Path) -> None:
    """The verdict is the one-second-earlier file's, and nothing is judged at another time. (Whether that
    verdict is PASS depends on the trust folder binding the carrier's certificate to its platform.)"""
    trust = "15-leap-second-action-time/trust"
    leap = _verify(shared_cases, "15-leap-second-action-time/a-leap-second.json", trust)
    earlier = _verify(shared_cases, "15-leap-second-action-time/b-one-second-earlier.json", trust)
    assert leap.entries[0].signed_at is not None and ":60" in leap.entries[0].signed_at
    assert (leap.outcome, leap.codes) == (earlier.outcome, earlier.codes)
    assert not {"PINT-TIME-UNREADABLE", "PINT-KEY-X5C-EXPIRED", "PINT-KEY-X5C-NOT-YET-VALID"} & set(leap.codes)


def test_15_with_the_carriers_certificate_pinned_both_files_pass(shared_cases: Path, tmp_path: Path) -> None:
    """The case's trust folder binds CAR1 only by the kid ``car1`` that its x5c header repeats, which proves
    nothing (DESIGN, security rules), so as given both files FAIL with BSIG alike (test above). With the
    carrier's certificate pinned for CAR1 in the registry, the leap-second entry PASSes as the case demands:
    second 60 is read, and the certificate is judged at that time, never at "now"."""
    import base64
    import hashlib
    import json
    import shutil

    case = need_shared(shared_cases / ROUND / "15-leap-second-action-time")
    envelope = json.loads((case / "a-leap-second.json").read_bytes())
    header = json.loads(base64.urlsafe_b64decode(envelope["envelopeTransferChain"][0].split(".")[0] + "=="))
    pin = hashlib.sha256(base64.b64decode(header["x5c"][0])).hexdigest()
    trust = tmp_path / "trust"
    shutil.copytree(case / "trust", trust)
    rows = (trust / "platforms.csv").read_text().splitlines()
    (trust / "platforms.csv").write_text("\n".join(
        [rows[0] + ",cert_sha256"] + [row + (f",{pin}" if row.startswith("CAR1,") else ",") for row in rows[1:]]
    ) + "\n")
    store = TrustStore.from_paths(trust)
    for name in ("a-leap-second.json", "b-one-second-earlier.json"):
        result = verify_envelope((case / name).read_bytes(), store, source=name)
        assert result.outcome is Outcome.PASS, (name, result.codes)


def test_17_uppercase_hex_checksums_are_reported_as_such(shared_cases: Path) -> None:
    result = _verify(shared_cases, "17-uppercase-hex-checksums.json")
    assert result.outcome is Outcome.FAIL and result.response_code == "BENV"
    assert "PINT-CHECKSUM-UPPERCASE" in result.codes
    assert all("uppercase hex" in f.message for f in result.errors)
    assert not any("another transport document" in f.message for f in result.findings)
