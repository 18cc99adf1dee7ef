"""The real-world eBL cases of ../shared/cases/2026-11-30 give the results its README demands.

The kinds of fault behind them are tested on the project's own samples in test_ebl_rules.py
(rules at their version edges, per-version code lists, Conformance Gateway rules as
warnings); this file runs the reported inputs themselves, read where they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import etr
from etr import Severity

ROUND = "2026-11-30"


def case(shared_cases: Path, name: str) -> Path:
    path = shared_cases / ROUND / name
    assert path.is_file(), f"case file missing: {path}"
    return path


def errors(report: etr.Report) -> list[str]:
    return [f.code for f in report.findings if f.severity is Severity.ERROR]


def test_01_originals_sum_exists_only_from_3_0_2(shared_cases: Path) -> None:
    path = case(shared_cases, "01-originals-sum-v3.0.1.json")
    before = etr.validate(path, version="3.0.1")
    assert (before.family, before.version) == ("dcsa-ebl", "3.0.1")
    assert before.valid, errors(before)
    after = etr.validate(path, version="3.0.2")
    assert errors(after) == ["EBL-ORIGINALS-ELECTRONIC-TOTAL"]


def test_20_cred_is_listed_from_3_0_1(shared_cases: Path) -> None:
    path = case(shared_cases, "20-codelist-provider-of-3.0.1.json")
    report = etr.validate(path, version="3.0.1")
    assert "EBL-CODE-LIST-PROVIDER-UNKNOWN" not in report.codes
    assert report.valid
    # The list is per version: 3.0.0 does not list CRED yet.
    assert "EBL-CODE-LIST-PROVIDER-UNKNOWN" in etr.validate(path, version="3.0.0").codes


def test_21_to_order_with_consignee_is_no_error(shared_cases: Path) -> None:
    report = etr.validate(case(shared_cases, "21-to-order-with-consignee.json"))
    assert report.valid, errors(report)
    warning = next(f for f in report.findings if f.code == "EBL-TO-ORDER-CONSIGNEE")
    assert warning.severity is Severity.WARNING
    assert "Conformance Gateway" in warning.message
    assert warning.reference is not None and "Conformance Gateway" in warning.reference


@pytest.mark.parametrize("version", ["3.0.0", "3.0.4"])
def test_22_duplicate_customs_reference_is_a_warning_at_most(shared_cases: Path, version: str) -> None:
    report = etr.validate(case(shared_cases, "22-duplicate-customs-reference.json"), version=version)
    assert report.valid, errors(report)
    duplicate = next(f for f in report.findings if f.code == "EBL-CUSTOMS-REFERENCE-DUPLICATE")
    assert duplicate.severity is Severity.WARNING
    assert duplicate.location is not None and duplicate.location.pointer == "/customsReferences/1"
