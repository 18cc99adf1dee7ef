"""Every upstream OpenAttestation fixture in ../shared/data/openattestation gives the offline result its
SOURCES.txt expects (integrity VALID / INVALID / SKIPPED; the DID signature n/a for these unsigned files)."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED_DATA, need_shared
from report_schemas import assert_conforms

import etr
from etr.model import Outcome

ROOT = SHARED_DATA / "openattestation"
_EXPECT = {"VALID": Outcome.PASS, "INVALID": Outcome.FAIL, "SKIPPED": Outcome.NOT_EVALUABLE}


def _expectations() -> list[tuple[str, str, str]]:
    """(file, integrity, did_signature) from SOURCES.txt."""
    sources = ROOT / "SOURCES.txt"
    if not sources.exists():
        return []
    out = []
    current = None
    for line in sources.read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"open-attestation/\S+\.json", line.strip()):
            current = line.strip()
        elif current and line.strip().startswith("expected offline:"):
            match = re.search(r"integrity=(\w+).*did_signature=([\w/]+)", line)
            assert match, line
            out.append((current, match.group(1), match.group(2)))
            current = None
    return out


def test_sources_lists_every_file() -> None:
    need_shared(ROOT)
    listed = {name for name, _, _ in _expectations()}
    present = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*.json")}
    assert listed == present and len(listed) >= 13


@pytest.mark.parametrize(("name", "integrity", "signature"), _expectations() or [("missing", "VALID", "n/a")])
def test_each_file_gives_the_expected_offline_result(name: str, integrity: str, signature: str) -> None:
    path = need_shared(ROOT / name)
    result = etr.verify(path)
    assert result.family == "openattestation"
    check = result.check("integrity")
    assert check is not None and check.outcome is _EXPECT[integrity], (name, check, result.codes)
    if integrity == "SKIPPED":
        assert result.form == "raw" and "OA-NOT-WRAPPED" in result.codes
    else:
        sig = result.check("signature")
        assert sig is not None and sig.outcome is Outcome.NOT_APPLICABLE and signature.startswith("n/a")
    if integrity == "INVALID":
        assert "OA-INTEGRITY-TARGET-HASH" in result.codes  # the edge case: obfuscation left `recipient: {}`
    assert_conforms(result.to_dict(), "oa-verification-2.schema.json")
    report = etr.validate(path)
    assert report.family == "openattestation" and report.valid, report.codes
