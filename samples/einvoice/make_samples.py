#!/usr/bin/env python3
"""Write etr's EN 16931 e-invoice samples (our own documents, not copies of CEN examples).

    python samples/einvoice/make_samples.py          # (re)writes samples/einvoice/{valid,invalid}/

* ``valid/``: a UBL invoice and credit note, a CII invoice and credit note (20 lines each, VAT
  category S), a Factur-X EN 16931 PDF made by the ``factur-x`` package itself from the CII invoice,
  and a 500-line UBL invoice;
* ``invalid/``: one invoice per rule family, each breaking one rule and named after it
  (``BR-CO-10-sum-of-lines.xml`` …).

Amounts are computed with :class:`decimal.Decimal` and rounded as EN 16931 does (2 decimals, half up).
The invoices are also what ``benchmarks/validate_invoice.py`` measures (it imports this module).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
UBL_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Party:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    vat_id: str | None


@dataclass
class Spec:
    """What an invoice says; the amounts follow from the lines."""

    number: str = "INV-2026-0001"
    type_code: str = "380"
    currency: str = "EUR"
    issue_date: str = "2026-11-30"
    due_date: str = "2026-12-30"
    lines: int = 20
    category: str = "S"
    rate: Decimal = Decimal("19")
    exemption_reason: str | None = None
    delivery_date: str | None = None
    deliver_to_country: str | None = None
    seller: Party = field(default_factory=lambda: Party("Nordhafen Logistik GmbH", "Kehrwieder 12", "Hamburg", "20457",
                                                        "DE", "DE123456789"))
    buyer: Party = field(default_factory=lambda: Party("Rijnmond Trading B.V.", "Wilhelminakade 90", "Rotterdam",
                                                       "3072 AP", "NL", "NL123456789B01"))

    def line_amounts(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(quantity, net price, line net amount) per line."""
        out = []
        for i in range(1, self.lines + 1):
            quantity = Decimal(1 + i % 7)
            price = Decimal(12) + Decimal(i % 13) * Decimal("3.75")
            out.append((quantity, price, money(quantity * price)))
        return out

    def totals(self) -> tuple[Decimal, Decimal, Decimal]:
        """(sum of line net amounts BT-106, VAT BT-110, total with VAT BT-112)."""
        net = sum((a for _, _, a in self.line_amounts()), Decimal(0))
        vat = money(net * self.rate / 100)
        return net, vat, net + vat


# --------------------------------------------------------------------------- UBL

def _sub(parent: etree._Element, ns: str, tag: str, text: object = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = str(text)
    return el


def _ubl_party(parent: etree._Element, role: str, party: Party) -> None:
    p = _sub(_sub(parent, CAC, role), CAC, "Party")
    address = _sub(p, CAC, "PostalAddress")
    _sub(address, CBC, "StreetName", party.street)
    _sub(address, CBC, "CityName", party.city)
    _sub(address, CBC, "PostalZone", party.postcode)
    _sub(_sub(address, CAC, "Country"), CBC, "IdentificationCode", party.country)
    if party.vat_id:
        scheme = _sub(p, CAC, "PartyTaxScheme")
        _sub(scheme, CBC, "CompanyID", party.vat_id)
        _sub(_sub(scheme, CAC, "TaxScheme"), CBC, "ID", "VAT")
    _sub(_sub(p, CAC, "PartyLegalEntity"), CBC, "RegistrationName", party.name)


def _ubl_category(parent: etree._Element, tag: str, spec: Spec, reason: bool) -> None:
    category = _sub(parent, CAC, tag)
    _sub(category, CBC, "ID", spec.category)
    if spec.category != "O":
        _sub(category, CBC, "Percent", spec.rate)
    if reason and spec.exemption_reason:
        _sub(category, CBC, "TaxExemptionReason", spec.exemption_reason)
    _sub(_sub(category, CAC, "TaxScheme"), CBC, "ID", "VAT")


def ubl(spec: Spec, document_type: str = "Invoice") -> etree._Element:
    """A UBL 2.1 Invoice or CreditNote for ``spec``."""
    ns = UBL_NS[document_type]
    root = etree.Element(f"{{{ns}}}{document_type}", nsmap={None: ns, "cac": CAC, "cbc": CBC})
    cur = {"currencyID": spec.currency}
    _sub(root, CBC, "CustomizationID", "urn:cen.eu:en16931:2017")
    _sub(root, CBC, "ID", spec.number)
    _sub(root, CBC, "IssueDate", spec.issue_date)
    if document_type == "Invoice":
        _sub(root, CBC, "DueDate", spec.due_date)
        _sub(root, CBC, "InvoiceTypeCode", spec.type_code)
    else:
        _sub(root, CBC, "CreditNoteTypeCode", "381")
    _sub(root, CBC, "DocumentCurrencyCode", spec.currency)
    _sub(root, CBC, "BuyerReference", "PO-4711")
    _ubl_party(root, "AccountingSupplierParty", spec.seller)
    _ubl_party(root, "AccountingCustomerParty", spec.buyer)
    if spec.delivery_date or spec.deliver_to_country:
        delivery = _sub(root, CAC, "Delivery")
        if spec.delivery_date:
            _sub(delivery, CBC, "ActualDeliveryDate", spec.delivery_date)
        if spec.deliver_to_country:
            address = _sub(_sub(delivery, CAC, "DeliveryLocation"), CAC, "Address")
            _sub(address, CBC, "CityName", spec.buyer.city)
            _sub(_sub(address, CAC, "Country"), CBC, "IdentificationCode", spec.deliver_to_country)
    means = _sub(root, CAC, "PaymentMeans")
    _sub(means, CBC, "PaymentMeansCode", "58")
    _sub(_sub(means, CAC, "PayeeFinancialAccount"), CBC, "ID", "DE89370400440532013000")
    net, vat, gross = spec.totals()
    tax_total = _sub(root, CAC, "TaxTotal")
    _sub(tax_total, CBC, "TaxAmount", vat, **cur)
    subtotal = _sub(tax_total, CAC, "TaxSubtotal")
    _sub(subtotal, CBC, "TaxableAmount", net, **cur)
    _sub(subtotal, CBC, "TaxAmount", vat, **cur)
    _ubl_category(subtotal, "TaxCategory", spec, reason=True)
    totals = _sub(root, CAC, "LegalMonetaryTotal")
    _sub(totals, CBC, "LineExtensionAmount", net, **cur)
    _sub(totals, CBC, "TaxExclusiveAmount", net, **cur)
    _sub(totals, CBC, "TaxInclusiveAmount", gross, **cur)
    _sub(totals, CBC, "PayableAmount", gross, **cur)
    line_tag, quantity_tag = ("InvoiceLine", "InvoicedQuantity") if document_type == "Invoice" else (
        "CreditNoteLine", "CreditedQuantity")
    for i, (quantity, price, amount) in enumerate(spec.line_amounts(), 1):
        line = _sub(root, CAC, line_tag)
        _sub(line, CBC, "ID", i)
        _sub(line, CBC, quantity_tag, quantity, unitCode="C62")
        _sub(line, CBC, "LineExtensionAmount", amount, **cur)
        item = _sub(line, CAC, "Item")
        _sub(item, CBC, "Name", f"Container lashing set, type {i % 5 + 1}")
        _ubl_category(item, "ClassifiedTaxCategory", spec, reason=False)
        _sub(_sub(line, CAC, "Price"), CBC, "PriceAmount", price, **cur)
    return root


# --------------------------------------------------------------------------- CII

def _cii_party(parent: etree._Element, role: str, party: Party) -> None:
    p = _sub(parent, RAM, role)
    _sub(p, RAM, "Name", party.name)
    address = _sub(p, RAM, "PostalTradeAddress")
    _sub(address, RAM, "PostcodeCode", party.postcode)
    _sub(address, RAM, "LineOne", party.street)
    _sub(address, RAM, "CityName", party.city)
    _sub(address, RAM, "CountryID", party.country)
    if party.vat_id:
        _sub(_sub(p, RAM, "SpecifiedTaxRegistration"), RAM, "ID", party.vat_id, schemeID="VA")


def _cii_date(parent: etree._Element, tag: str, value: str) -> None:
    _sub(_sub(parent, RAM, tag), UDT, "DateTimeString", value.replace("-", ""), format="102")


def cii(spec: Spec, type_code: str | None = None,
        guideline: str = "urn:cen.eu:en16931:2017") -> etree._Element:
    """A CII CrossIndustryInvoice (an invoice, or with ``type_code`` 381 a credit note) for ``spec``."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap={"rsm": RSM, "ram": RAM, "udt": UDT})
    cur = {"currencyID": spec.currency}
    _sub(_sub(_sub(root, RSM, "ExchangedDocumentContext"), RAM, "GuidelineSpecifiedDocumentContextParameter"),
         RAM, "ID", guideline)
    document = _sub(root, RSM, "ExchangedDocument")
    _sub(document, RAM, "ID", spec.number)
    _sub(document, RAM, "TypeCode", type_code or spec.type_code)
    _sub(_sub(document, RAM, "IssueDateTime"), UDT, "DateTimeString", spec.issue_date.replace("-", ""),
         format="102")
    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    for i, (quantity, price, amount) in enumerate(spec.line_amounts(), 1):
        item = _sub(transaction, RAM, "IncludedSupplyChainTradeLineItem")
        _sub(_sub(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", i)
        _sub(_sub(item, RAM, "SpecifiedTradeProduct"), RAM, "Name", f"Container lashing set, type {i % 5 + 1}")
        _sub(_sub(_sub(item, RAM, "SpecifiedLineTradeAgreement"), RAM, "NetPriceProductTradePrice"),
             RAM, "ChargeAmount", price)
        _sub(_sub(item, RAM, "SpecifiedLineTradeDelivery"), RAM, "BilledQuantity", quantity, unitCode="C62")
        settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
        tax = _sub(settlement, RAM, "ApplicableTradeTax")
        _sub(tax, RAM, "TypeCode", "VAT")
        _sub(tax, RAM, "CategoryCode", spec.category)
        if spec.category != "O":
            _sub(tax, RAM, "RateApplicablePercent", spec.rate)
        _sub(_sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation"), RAM, "LineTotalAmount", amount)
    agreement = _sub(transaction, RAM, "ApplicableHeaderTradeAgreement")
    _sub(agreement, RAM, "BuyerReference", "PO-4711")
    _cii_party(agreement, "SellerTradeParty", spec.seller)
    _cii_party(agreement, "BuyerTradeParty", spec.buyer)
    delivery = _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    if spec.deliver_to_country:
        ship_to = _sub(delivery, RAM, "ShipToTradeParty")
        _sub(_sub(ship_to, RAM, "PostalTradeAddress"), RAM, "CountryID", spec.deliver_to_country)
    _sub(_sub(_sub(delivery, RAM, "ActualDeliverySupplyChainEvent"), RAM, "OccurrenceDateTime"), UDT,
         "DateTimeString", (spec.delivery_date or spec.issue_date).replace("-", ""), format="102")
    settlement = _sub(transaction, RAM, "ApplicableHeaderTradeSettlement")
    _sub(settlement, RAM, "InvoiceCurrencyCode", spec.currency)
    means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    _sub(means, RAM, "TypeCode", "58")
    _sub(_sub(means, RAM, "PayeePartyCreditorFinancialAccount"), RAM, "IBANID", "DE89370400440532013000")
    net, vat, gross = spec.totals()
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _sub(tax, RAM, "CalculatedAmount", vat)
    _sub(tax, RAM, "TypeCode", "VAT")
    if spec.exemption_reason:
        _sub(tax, RAM, "ExemptionReason", spec.exemption_reason)
    _sub(tax, RAM, "BasisAmount", net)
    _sub(tax, RAM, "CategoryCode", spec.category)
    if spec.category != "O":
        _sub(tax, RAM, "RateApplicablePercent", spec.rate)
    _cii_date(_sub(settlement, RAM, "SpecifiedTradePaymentTerms"), "DueDateDateTime", spec.due_date)
    sums = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(sums, RAM, "LineTotalAmount", net)
    _sub(sums, RAM, "TaxBasisTotalAmount", net)
    _sub(sums, RAM, "TaxTotalAmount", vat, **cur)
    _sub(sums, RAM, "GrandTotalAmount", gross)
    _sub(sums, RAM, "DuePayableAmount", gross)
    return root


# --------------------------------------------------------------------------- breaking one rule

CBC_ = f"{{{CBC}}}"
CAC_ = f"{{{CAC}}}"
RAM_ = f"{{{RAM}}}"


def _first(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path)
    assert found is not None, path
    return found


def _set(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        _first(root, path).text = value
    return change


def _remove(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        element = _first(root, path)
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
    return change


def _extra_zero(path: str) -> Callable[[etree._Element], None]:
    """A third decimal on an amount, the value unchanged (``31.50`` → ``31.500``)."""
    def change(root: etree._Element) -> None:
        element = _first(root, path)
        element.text = f"{element.text}0"
    return change


def _seller_contact(root: etree._Element) -> None:
    """CII: a seller contact (BT-41) given twice, as a person and as a department."""
    seller = _first(root, f"{_CII_TX}/{RAM_}ApplicableHeaderTradeAgreement/{RAM_}SellerTradeParty")
    contact = etree.Element(f"{RAM_}DefinedTradeContact")
    _sub(contact, RAM, "PersonName", "Hanna Petersen")
    _sub(contact, RAM, "DepartmentName", "Accounts receivable")
    _first(seller, f"{RAM_}Name").addnext(contact)


def _twice(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        element = _first(root, path)
        element.addnext(etree.fromstring(etree.tostring(element)))
    return change


_LINE = f"{CAC_}InvoiceLine"
_SELLER = f"{CAC_}AccountingSupplierParty/{CAC_}Party"
_CII_TX = f"{{{RSM}}}SupplyChainTradeTransaction"
_CII_SETTLEMENT = f"{_CII_TX}/{RAM_}ApplicableHeaderTradeSettlement"

#: Categories other than S, each valid as built: (spec changes).
_CATEGORY = {
    "Z": {"category": "Z", "rate": Decimal(0)},
    "E": {"category": "E", "rate": Decimal(0), "exemption_reason": "Exempt: financial service"},
    "AE": {"category": "AE", "rate": Decimal(0), "exemption_reason": "Reverse charge"},
    "K": {"category": "K", "rate": Decimal(0), "exemption_reason": "Intra-community supply",
          "delivery_date": "2026-11-28", "deliver_to_country": "NL"},
    "G": {"category": "G", "rate": Decimal(0), "exemption_reason": "Export outside the EU"},
    "L": {"category": "L", "rate": Decimal("7")},
    "M": {"category": "M", "rate": Decimal("4")},
}


@dataclass(frozen=True)
class Broken:
    """One invalid sample: the file name (the rule it breaks first), its syntax and how it is made."""

    name: str
    syntax: str
    spec: Spec
    change: Callable[[etree._Element], None]


def _spec(**changes: object) -> Spec:
    return replace(Spec(lines=3, number="INV-2026-0100"), **changes)  # type: ignore[arg-type]


BROKEN: tuple[Broken, ...] = (
    Broken("BR-06-seller-name", "UBL", _spec(), _remove(f"{_SELLER}/{CAC_}PartyLegalEntity")),
    Broken("BR-CO-10-sum-of-lines", "UBL", _spec(), _set(f"{CAC_}LegalMonetaryTotal/{CBC_}LineExtensionAmount",
                                                         "999.99")),
    Broken("BR-DEC-23-line-amount-decimals", "UBL", _spec(), _extra_zero(f"{_LINE}/{CBC_}LineExtensionAmount")),
    Broken("BR-CL-01-invoice-type-code", "UBL", _spec(), _set(f"{CBC_}InvoiceTypeCode", "999")),
    Broken("BR-S-08-taxable-amount", "UBL", _spec(),
           _set(f"{CAC_}TaxTotal/{CAC_}TaxSubtotal/{CBC_}TaxableAmount", "1.00")),
    Broken("BR-Z-05-line-rate", "UBL", _spec(**_CATEGORY["Z"]),
           _set(f"{_LINE}/{CAC_}Item/{CAC_}ClassifiedTaxCategory/{CBC_}Percent", "5")),
    Broken("BR-E-10-exemption-reason", "UBL", _spec(**_CATEGORY["E"]),
           _remove(f"{CAC_}TaxTotal/{CAC_}TaxSubtotal/{CAC_}TaxCategory/{CBC_}TaxExemptionReason")),
    Broken("BR-AE-02-vat-identifiers", "UBL", _spec(**_CATEGORY["AE"]),
           _remove(f"{CAC_}AccountingCustomerParty/{CAC_}Party/{CAC_}PartyTaxScheme")),
    Broken("BR-IC-11-delivery-date", "UBL", _spec(**_CATEGORY["K"]),
           _remove(f"{CAC_}Delivery/{CBC_}ActualDeliveryDate")),
    Broken("BR-G-10-exemption-reason", "UBL", _spec(**_CATEGORY["G"]),
           _remove(f"{CAC_}TaxTotal/{CAC_}TaxSubtotal/{CAC_}TaxCategory/{CBC_}TaxExemptionReason")),
    # Category O ("not subject to VAT") excludes VAT identifiers; the seller's is left in.
    Broken("BR-O-02-seller-vat-identifier", "CII", _spec(category="O", rate=Decimal(0),
                                                         exemption_reason="Not subject to VAT"), lambda root: None),
    Broken("BR-AF-05-line-rate", "UBL", _spec(**_CATEGORY["L"]),
           _set(f"{_LINE}/{CAC_}Item/{CAC_}ClassifiedTaxCategory/{CBC_}Percent", "-1")),
    Broken("BR-AG-05-line-rate", "UBL", _spec(**_CATEGORY["M"]),
           _set(f"{_LINE}/{CAC_}Item/{CAC_}ClassifiedTaxCategory/{CBC_}Percent", "-1")),
    # Split payment (B) is Italian: a German seller may not use it.
    Broken("BR-B-01-split-payment-not-italian", "UBL", _spec(category="B", rate=Decimal("22")), lambda root: None),
    Broken("UBL-SR-12-seller-vat-identifier-twice", "UBL", _spec(), _twice(f"{_SELLER}/{CAC_}PartyTaxScheme")),
    Broken("UBL-DT-01-amount-decimals", "UBL", _spec(), _extra_zero(f"{CAC_}LegalMonetaryTotal/{CBC_}PayableAmount")),
    Broken("CII-SR-465-seller-contact-twice", "CII", _spec(), _seller_contact),
)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def facturx_pdf(xml: bytes) -> bytes:
    """A Factur-X PDF made by the ``factur-x`` package from a one-page PDF (written with pypdf) and ``xml``."""
    from facturx import generate_from_binary
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Invoice INV-2026-0001", "/Author": "Nordhafen Logistik GmbH"})
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf: bytes = generate_from_binary(buffer.getvalue(), xml, flavor="factur-x", level="en16931", check_xsd=True,
                                      pdf_metadata={"author": "Nordhafen Logistik GmbH",
                                                    "keywords": "Factur-X, invoice",
                                                    "title": "Invoice INV-2026-0001",
                                                    "subject": "Invoice INV-2026-0001"})
    return pdf


def write_all(folder: Path = HERE) -> list[Path]:
    """Write every sample under ``folder``; the paths written."""
    written: list[Path] = []

    def put(relpath: str, data: bytes) -> None:
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    spec = Spec()
    put("valid/ubl-invoice.xml", serialise(ubl(spec)))
    put("valid/ubl-credit-note.xml", serialise(ubl(replace(spec, number="CN-2026-0007"), "CreditNote")))
    cii_invoice = serialise(cii(spec))
    put("valid/cii-invoice.xml", cii_invoice)
    put("valid/cii-credit-note.xml", serialise(cii(replace(spec, number="CN-2026-0008"), type_code="381")))
    put("valid/facturx-en16931.pdf", facturx_pdf(cii_invoice))
    put("valid/ubl-invoice-500-lines.xml", serialise(ubl(replace(spec, lines=500, number="INV-2026-0500"))))
    for broken in BROKEN:
        root = ubl(broken.spec) if broken.syntax == "UBL" else cii(broken.spec)
        broken.change(root)
        put(f"invalid/{broken.name}.xml", serialise(root))
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(HERE))
    sys.exit(0)
