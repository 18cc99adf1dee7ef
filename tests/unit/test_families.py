"""The family interface: a registry that is data, detection with a version and profile, the version
chosen for a report, and a family of XML documents (XSD + XML rules) alone and inside a PDF.

The XML family here is written for the test (``test-invoice``, schema ``tests/assets/xsd``); it is
added to the registry by a fixture, as a new family adds its line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

import etr
import etr.families as families
from etr import Severity
from etr.families import FAMILY_NAMES, REGISTRY, Entry, Match, detect, get_family
from etr.load import Document, load_bytes
from etr.model import Finding, Location
from etr.rules import NO_HITS, RuleSet, XmlLocator
from etr.schemas import compiled_xsd, xsd_findings

REPO = Path(__file__).resolve().parents[2]
XSD = REPO / "tests" / "assets" / "xsd"
TD = json.loads((REPO / "samples" / "ebl" / "valid" / "straight-bl.json").read_bytes())
NS = {"i": "urn:etr:test:invoice"}

RULES: RuleSet[Any] = RuleSet("test-invoice", ("1.0", "2.0"))


@RULES.rule("TINV-AMOUNT-LIMIT", Severity.ERROR, "An amount is at most 1000 (version 2.0)", reference="test",
            since="2.0")
def _amount_limit(root: Any) -> Any:
    amount = root.find("i:Amount", NS)
    if amount is not None and float(amount.text) > 1000:
        return [(amount, f"amount {amount.text} is above 1000")]
    return NO_HITS


class InvoiceFamily:
    """An XML family that declares its version (``version`` attribute) and a profile."""

    name = "test-invoice"
    title = "test invoice"
    versions = ("1.0", "2.0")
    default_version = "2.0"
    schema_files = ()

    def detect(self, document: Document) -> Match | None:
        root = document.content
        if document.syntax == "xml" and root.tag == "{urn:etr:test:invoice}Invoice":
            return Match(self.name, root.get("version"), root.get("profile"), "Invoice root element")
        return None

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        root = document.content
        yield from xsd_findings(compiled_xsd("invoice.xsd", XSD), root, "TINV", "test invoice schema")
        yield from RULES.run(version, lambda: root, XmlLocator(root, NS))


FAMILY = InvoiceFamily()


@pytest.fixture
def invoice_family(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    entry = Entry("test-invoice", f"{__name__}:FAMILY", frozenset({"xml"}))
    monkeypatch.setattr(families, "REGISTRY", (*REGISTRY, entry))
    monkeypatch.setattr(families, "FAMILY_NAMES", (*FAMILY_NAMES, entry.name))
    get_family.cache_clear()
    yield
    get_family.cache_clear()


def invoice(*, version: str | None = "1.0", profile: str | None = "basic", amount: str = "100.00",
            code: str = "INV-1") -> bytes:
    attrs = "".join(f' {k}="{v}"' for k, v in (("version", version), ("profile", profile)) if v is not None)
    return (f'<?xml version="1.0"?>\n<Invoice xmlns="urn:etr:test:invoice"{attrs}>\n  <ID>{code}</ID>\n'
            f"  <Amount>{amount}</Amount>\n</Invoice>\n").encode()


# --------------------------------------------------------------------------- the registry

def test_the_registry_is_a_table_of_importable_families() -> None:
    assert tuple(e.name for e in REGISTRY) == FAMILY_NAMES
    for entry in REGISTRY:
        family = get_family(entry.name)
        assert family.name == entry.name
        assert entry.syntaxes and entry.syntaxes <= {"json", "xml", "pdf"}
        assert family.default_version in family.versions


def test_unknown_family() -> None:
    with pytest.raises(etr.UsageError) as info:
        get_family("nope")
    assert info.value.code == "ETR-UNKNOWN-FAMILY"


def test_detection_asks_only_families_of_the_documents_syntax(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Spy:
        name = "spy"

        def detect(self, document: Document) -> Match | None:
            asked.append(document.syntax)
            return None

    monkeypatch.setattr(families, "REGISTRY", (Entry("spy", "x:y", frozenset({"json"})),))
    monkeypatch.setattr(families, "get_family", lambda name: Spy())
    assert detect(load_bytes(b"<a/>")) is None
    assert detect(load_bytes(b"{}")) is None
    assert asked == ["json"]


def test_ebl_declares_no_version() -> None:
    found = detect(Document("x", "json", TD, b""))
    assert found is not None
    family, match = found
    assert (family.name, match.family, match.version, match.profile) == ("dcsa-ebl", "dcsa-ebl", None, None)
    assert match.evidence


# --------------------------------------------------------------------------- versions

@pytest.mark.usefixtures("invoice_family")
def test_the_declared_version_and_profile_are_reported() -> None:
    report = etr.validate(invoice(version="1.0", profile="basic"))
    assert (report.family, report.version, report.profile) == ("test-invoice", "1.0", "basic")
    assert report.valid and report.codes == ()
    assert report.to_dict()["profile"] == "basic"


@pytest.mark.usefixtures("invoice_family")
def test_no_declared_version_means_the_default() -> None:
    assert etr.validate(invoice(version=None)).version == "2.0"


@pytest.mark.usefixtures("invoice_family")
def test_a_declared_version_etr_does_not_know_is_said() -> None:
    report = etr.validate(invoice(version="9.9"))
    assert report.version == "2.0"
    finding = next(f for f in report.findings if f.code == "DETECT-VERSION-UNKNOWN")
    assert finding.severity is Severity.WARNING and "9.9" in finding.message


@pytest.mark.usefixtures("invoice_family")
def test_an_explicit_version_wins_and_says_so() -> None:
    report = etr.validate(invoice(version="2.0", amount="5000"), version="1.0")
    assert report.version == "1.0"
    assert report.codes == ("DETECT-VERSION-OVERRIDDEN",)  # and the 2.0-only rule did not run
    assert report.findings[0].severity is Severity.INFO


@pytest.mark.usefixtures("invoice_family")
def test_the_versions_rules_follow_the_declared_version() -> None:
    assert etr.validate(invoice(version="1.0", amount="5000")).codes == ()
    assert etr.validate(invoice(version="2.0", amount="5000")).codes == ("TINV-AMOUNT-LIMIT",)


@pytest.mark.usefixtures("invoice_family")
def test_an_explicit_version_the_detected_family_does_not_know_is_a_usage_error() -> None:
    # 3.0.4 is a version of an etr family (dcsa-ebl), so the early check passes; the document
    # found is a test invoice, which has no 3.0.4: never silently replaced by its default.
    with pytest.raises(etr.UsageError) as info:
        etr.validate(invoice(), version="3.0.4")
    assert info.value.code == "ETR-UNKNOWN-VERSION"
    assert "test-invoice" in str(info.value) and "1.0" in (info.value.hint or "")
    with pytest.raises(etr.UsageError):
        etr.validate(TD, version="1.0")  # the other way round: dcsa-ebl has no 1.0


def test_a_version_no_family_has_is_refused_before_any_input_is_read() -> None:
    with pytest.raises(etr.UsageError) as info:
        list(etr.iter_validate(["/nonexistent/file.json"], version="0.1"))
    assert info.value.code == "ETR-UNKNOWN-VERSION"


# --------------------------------------------------------------------------- an XML family: XSD and rules

@pytest.mark.usefixtures("invoice_family")
def test_xsd_and_rule_findings_have_xpath_and_line() -> None:
    report = etr.validate(invoice(version="2.0", code="bad", amount="5000"))
    assert [(f.code, f.location) for f in report.findings] == [
        ("TINV-SCHEMA-XSD", Location(xpath="/*/*[1]", line=3)),
        ("TINV-AMOUNT-LIMIT", Location(xpath="/*/*[2]", line=4)),
    ]


def factur_x(xml: bytes, name: str = "factur-x.xml") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment(name, xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.usefixtures("invoice_family")
def test_a_pdf_reports_its_embedded_documents_family_version_and_profile() -> None:
    report = etr.validate(factur_x(invoice(version="1.0", profile="en16931")), name="invoice.pdf")
    assert (report.source, report.family, report.version, report.profile) == ("invoice.pdf", "test-invoice", "1.0",
                                                                              "en16931")
    assert report.valid


@pytest.mark.usefixtures("invoice_family")
def test_findings_inside_a_pdf_name_the_attachment_xpath_and_line() -> None:
    report = etr.validate(factur_x(invoice(version="2.0", code="bad", amount="5000")))
    assert [(f.code, f.location) for f in report.findings] == [
        ("TINV-SCHEMA-XSD", Location(xpath="/*/*[1]", line=3, attachment="factur-x.xml")),
        ("TINV-AMOUNT-LIMIT", Location(xpath="/*/*[2]", line=4, attachment="factur-x.xml")),
    ]
    assert not report.valid


@pytest.mark.usefixtures("invoice_family")
def test_forcing_the_family_applies_to_the_embedded_document() -> None:
    report = etr.validate(factur_x(invoice()), family="test-invoice")
    assert report.family == "test-invoice" and report.valid
