"""The DCSA eBL family driver: detection, schema findings, unknown and later-version properties."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import etr
from etr.families.ebl import VERSIONS

REPO = Path(__file__).resolve().parents[2]
STRAIGHT = json.loads((REPO / "samples" / "ebl" / "valid" / "straight-bl.json").read_bytes())


def doc() -> dict[str, Any]:
    return copy.deepcopy(STRAIGHT)


def findings(report: etr.Report, code: str) -> list[etr.Finding]:
    return [f for f in report.findings if f.code == code]


def test_detected_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "whatever.txt"
    path.write_bytes(json.dumps(doc()).encode())
    report = etr.validate(path)
    assert (report.family, report.version, report.valid) == ("dcsa-ebl", "3.0.4", True)


def test_not_detected_without_transport_document_shape() -> None:
    assert etr.validate({"transportDocumentReference": "X"}).codes == ("DETECT-UNKNOWN",)


def test_family_can_be_forced() -> None:
    report = etr.validate({"transportDocumentReference": "X"}, family="dcsa-ebl")
    assert report.family == "dcsa-ebl"
    assert "EBL-SCHEMA-REQUIRED" in report.codes and not report.valid


@pytest.mark.parametrize("version", VERSIONS)
def test_valid_sample_is_valid_for_every_version(version: str) -> None:
    report = etr.validate(doc(), version=version)
    assert report.valid and report.version == version
    assert {f.severity for f in report.findings} <= {etr.Severity.INFO}
    # The sample names the parties' eBL platforms, a field added in 3.0.3.
    assert bool(report.findings) == (version < "3.0.3")


def test_unknown_properties_are_info_and_located() -> None:
    d = doc()
    d["carrierInternalNote"] = "x"
    d["documentParties"]["shipper"]["loyaltyTier"] = "gold"
    d["invoicePayableAt"]["comment"] = "inside a oneOf parent"
    report = etr.validate(d)
    extra = findings(report, "EBL-EXTRA-PROPERTY")
    assert {f.location.pointer for f in extra if f.location} == {
        "/carrierInternalNote", "/documentParties/shipper/loyaltyTier", "/invoicePayableAt/comment"}
    assert all(f.severity is etr.Severity.INFO for f in extra)
    assert report.valid


def test_oneof_branch_properties_are_not_unknown() -> None:
    d = doc()
    assert "UNLocationCode" in d["invoicePayableAt"] or "freeText" in d["invoicePayableAt"]
    assert findings(etr.validate(d), "EBL-EXTRA-PROPERTY") == []


@pytest.mark.parametrize(("version", "reported"), [("3.0.0", True), ("3.0.2", True), ("3.0.3", False),
                                                   ("3.0.4", False)])
def test_field_from_later_patch_is_info_for_earlier_versions(version: str, reported: bool) -> None:
    d = doc()
    d["documentParties"]["shipper"]["addressLines"] = ["Keizersgracht 1", "1015 CJ Amsterdam"]  # since 3.0.3
    report = etr.validate(d, version=version)
    later = [f for f in findings(report, "EBL-LATER-VERSION-FIELD")
             if f.location and f.location.pointer.endswith("/addressLines")]
    assert report.valid
    if reported:
        assert [(f.location.pointer if f.location else None, f.severity, dict(f.detail or {})) for f in later] == [
            ("/documentParties/shipper/addressLines", etr.Severity.INFO, {"since": "3.0.3"})]
    else:
        assert later == []


def test_schema_errors_have_keyword_codes_pointer_and_short_message() -> None:
    d = doc()
    d["transportDocumentReference"] = "R" * 21
    d["isToOrder"] = "no"
    d["invoicePayableAt"] = {"UNLocationCode": "NLRTM", "freeText": "Rotterdam"}
    del d["transports"]
    report = etr.validate(d)
    got = {(f.code, f.location.pointer if f.location else None) for f in report.findings
           if f.code.startswith("EBL-SCHEMA-")}
    assert got == {("EBL-SCHEMA-MAX-LENGTH", "/transportDocumentReference"), ("EBL-SCHEMA-TYPE", "/isToOrder"),
                   ("EBL-SCHEMA-ONE-OF", "/invoicePayableAt"), ("EBL-SCHEMA-REQUIRED", "")}
    assert all(len(f.message) <= 160 and "\n" not in f.message for f in report.findings)
    one_of = next(f for f in report.findings if f.code == "EBL-SCHEMA-ONE-OF")
    assert one_of.detail and one_of.detail["keyword"] == "oneOf" and one_of.detail["schemaPath"]
    assert not report.valid


def test_unknown_version_is_a_usage_error() -> None:
    with pytest.raises(etr.UsageError) as info:
        etr.validate(doc(), version="3.1.0")
    assert info.value.code == "ETR-UNKNOWN-VERSION"


def test_unknown_version_is_never_replaced_by_the_default() -> None:
    # The driver itself refuses it, not only the early option check (which the CLI's workers skip).
    from etr.load import Document
    from etr.validate import Options, validate_document

    with pytest.raises(etr.UsageError) as info:
        validate_document(Document("bl.json", "json", doc(), b""), Options(version="3.1.0"))
    assert info.value.code == "ETR-UNKNOWN-VERSION"
    assert "3.0.4" in (info.value.hint or "")


def test_validate_or_raise() -> None:
    etr.validate_or_raise(doc())
    bad = doc()
    bad["transportDocumentTypeCode"] = "SWB"
    bad["isToOrder"] = True
    with pytest.raises(etr.ValidationFailed) as info:
        etr.validate_or_raise(bad)
    assert "EBL-SWB-TO-ORDER" in info.value.report.codes  # type: ignore[attr-defined]
