"""Every DCSA transport document in the public sample data validates without an error.

The official examples must pass; the warnings each raises are recorded here so that
a change in what etr reports about them shows up in review.
"""

from __future__ import annotations

import json

import pytest
from conftest import SHARED_DATA, need_shared

import etr

EXAMPLES = SHARED_DATA / "dcsa" / "dcsa-openapi-examples"
PINT_DEMO = SHARED_DATA / "dcsa" / "pint-demo" / "pint-transfers"


@pytest.fixture(autouse=True)
def _shared_data() -> None:
    """Skipped without ../shared/data; a failure when CI requires it (ETR_REQUIRE_SHARED_DATA=1)."""
    need_shared(EXAMPLES)

# All three official examples are to-order and blank endorsed without notify parties, which the
# specification's prose says is mandatory for To Order BLs and DCSA's own examples ignore. The dangerous
# goods example is ISSUED without an issue date, and its container HLXU1234567 has a wrong ISO 6346
# check digit (it should end in 1).
_DG = {"EBL-NOTIFY-PARTY-TO-ORDER", "EBL-ISSUE-DATE-MISSING", "EBL-ISO6346-CHECK-DIGIT"}
EXPECTED_WARNINGS = {
    "EBL_v3.0.0_transport-document_regularSTDExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.0_transport-document_reeferExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.0_transport-document_dgExample.json": _DG,
    "EBL_v3.0.4_transport-document_regularSTDExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.4_transport-document_reeferExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.4_transport-document_dgExample.json": _DG,
}


def _examples() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("EBL_v3*_transport-document_*.json")) if EXAMPLES.is_dir() else []


@pytest.mark.parametrize("name", _examples() or ["<none>"])
def test_official_example_validates(name: str) -> None:
    if name == "<none>":
        pytest.skip("no official examples found")
    version = name.split("_")[1][1:]  # EBL_v3.0.4_… -> 3.0.4
    report = etr.validate(EXAMPLES / name, version=version)
    assert report.family == "dcsa-ebl"
    assert report.valid, [(f.code, str(f.location), f.message) for f in report.findings]
    warnings = {f.code for f in report.findings if f.severity is etr.Severity.WARNING}
    assert warnings == EXPECTED_WARNINGS[name]


def test_every_official_example_is_covered() -> None:
    assert set(_examples()) == set(EXPECTED_WARNINGS)


@pytest.mark.parametrize("version", ["3.0.0", "3.0.4"])
def test_examples_validate_against_every_version_without_error(version: str) -> None:
    for name in _examples():
        report = etr.validate(EXAMPLES / name, version=version)
        assert report.valid, (name, report.codes)


@pytest.mark.parametrize("name", ["HHL71800000-ebl-envelope-ed25519.json", "HHL71800000-ebl-envelope-rsa.json"])
def test_pint_demo_transport_document_is_schema_valid_but_breaks_rules(name: str) -> None:
    envelope = json.loads((PINT_DEMO / name).read_bytes())
    report = etr.validate(envelope["transportDocument"], family="dcsa-ebl")
    assert not any(code.startswith("EBL-SCHEMA-") for code in report.codes)
    # SWB that is to order, with both consignee and endorsee, and both on-board and received dates.
    assert {"EBL-SWB-TO-ORDER", "EBL-CONSIGNEE-ENDORSEE", "EBL-DATES-BOTH"} <= set(report.codes)
    assert not report.valid
