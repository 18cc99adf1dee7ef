"""The EN 16931 semantic model: the business terms (BT-…) and groups (BG-…) of an invoice, read from
either syntax, each value keeping the element it was read from (so a finding can give its XPath and line).

:func:`build_model` maps a UBL 2.1 Invoice / CreditNote or a CII CrossIndustryInvoice onto the same shape:

- ``terms``: document-level terms, BT id -> :class:`Term` (the first occurrence; ``all_terms`` has every
  occurrence, e.g. several invoice notes BT-22);
- ``lines`` (BG-25), ``vat_breakdown`` (BG-23), ``allowances`` (BG-20) and ``charges`` (BG-21): one
  :class:`Group` each, holding the group's own terms.

The bindings are the syntax mappings of EN 16931-3-2 (UBL) and -3-3 (CII) for the terms listed in
:data:`HEADER`, :data:`LINE`, :data:`BREAKDOWN` and :data:`ALLOWANCE_CHARGE`. The business rules
(:mod:`.rules`) do not go through this model: to give exactly the official answers they follow the official
rule contexts on the syntax tree, odd documents included. The model is the reading of a well-formed invoice,
for reports and for users of the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from ...model import Location
from .xmlutil import CII, UBL, location_of

__all__ = ["ALLOWANCE_CHARGE", "BREAKDOWN", "HEADER", "LINE", "Group", "InvoiceModel", "Term", "build_model"]

Syntax = Literal["UBL", "CII"]

_SETTLE = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_AGREE = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_DELIVER = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
_SUM = f"{_SETTLE}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"

#: Document-level terms: BT id -> (name, UBL path, CII path), paths relative to the document element.
HEADER: Mapping[str, tuple[str, str, str]] = {
    "BT-1": ("Invoice number", "cbc:ID", "rsm:ExchangedDocument/ram:ID"),
    "BT-2": ("Invoice issue date", "cbc:IssueDate",
             "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
    "BT-3": ("Invoice type code", "cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode", "rsm:ExchangedDocument/ram:TypeCode"),
    "BT-5": ("Invoice currency code", "cbc:DocumentCurrencyCode", f"{_SETTLE}/ram:InvoiceCurrencyCode"),
    "BT-6": ("VAT accounting currency code", "cbc:TaxCurrencyCode", f"{_SETTLE}/ram:TaxCurrencyCode"),
    "BT-7": ("Value added tax point date", "cbc:TaxPointDate",
             f"{_SETTLE}/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString"),
    "BT-9": ("Payment due date", "cbc:DueDate|cac:PaymentMeans/cbc:PaymentDueDate",
             f"{_SETTLE}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
    "BT-10": ("Buyer reference", "cbc:BuyerReference", f"{_AGREE}/ram:BuyerReference"),
    "BT-13": ("Purchase order reference", "cac:OrderReference/cbc:ID",
              f"{_AGREE}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
    "BT-22": ("Invoice note", "cbc:Note", "rsm:ExchangedDocument/ram:IncludedNote/ram:Content"),
    "BT-23": ("Business process type", "cbc:ProfileID",
              "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
    "BT-24": ("Specification identifier", "cbc:CustomizationID",
              "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
    "BT-27": ("Seller name", "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
              f"{_AGREE}/ram:SellerTradeParty/ram:Name"),
    "BT-30": ("Seller legal registration identifier",
              "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
              f"{_AGREE}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
    "BT-31": ("Seller VAT identifier", "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
              f"{_AGREE}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
    "BT-34": ("Seller electronic address", "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID",
              f"{_AGREE}/ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID"),
    "BT-40": ("Seller country code",
              "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
              f"{_AGREE}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID"),
    "BT-44": ("Buyer name", "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
              f"{_AGREE}/ram:BuyerTradeParty/ram:Name"),
    "BT-48": ("Buyer VAT identifier", "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
              f"{_AGREE}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
    "BT-49": ("Buyer electronic address", "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
              f"{_AGREE}/ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID"),
    "BT-55": ("Buyer country code",
              "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
              f"{_AGREE}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID"),
    "BT-72": ("Actual delivery date", "cac:Delivery/cbc:ActualDeliveryDate",
              f"{_DELIVER}/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"),
    "BT-81": ("Payment means type code", "cac:PaymentMeans/cbc:PaymentMeansCode",
              f"{_SETTLE}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
    "BT-84": ("Payment account identifier", "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
              f"{_SETTLE}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/"
              "ram:IBANID"),
    "BT-106": ("Sum of Invoice line net amount", "cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
               f"{_SUM}/ram:LineTotalAmount"),
    "BT-107": ("Sum of allowances on document level", "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount",
               f"{_SUM}/ram:AllowanceTotalAmount"),
    "BT-108": ("Sum of charges on document level", "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount",
               f"{_SUM}/ram:ChargeTotalAmount"),
    "BT-109": ("Invoice total amount without VAT", "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
               f"{_SUM}/ram:TaxBasisTotalAmount"),
    "BT-110": ("Invoice total VAT amount", "cac:TaxTotal/cbc:TaxAmount", f"{_SUM}/ram:TaxTotalAmount"),
    "BT-112": ("Invoice total amount with VAT", "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
               f"{_SUM}/ram:GrandTotalAmount"),
    "BT-113": ("Paid amount", "cac:LegalMonetaryTotal/cbc:PrepaidAmount", f"{_SUM}/ram:TotalPrepaidAmount"),
    "BT-114": ("Rounding amount", "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount", f"{_SUM}/ram:RoundingAmount"),
    "BT-115": ("Amount due for payment", "cac:LegalMonetaryTotal/cbc:PayableAmount", f"{_SUM}/ram:DuePayableAmount"),
}

#: Invoice line terms (BG-25): BT id -> (name, UBL path, CII path), relative to the line element.
LINE: Mapping[str, tuple[str, str, str]] = {
    "BT-126": ("Invoice line identifier", "cbc:ID", "ram:AssociatedDocumentLineDocument/ram:LineID"),
    "BT-129": ("Invoiced quantity", "cbc:InvoicedQuantity|cbc:CreditedQuantity",
               "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
    "BT-131": ("Invoice line net amount", "cbc:LineExtensionAmount",
               "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
               "ram:LineTotalAmount"),
    "BT-146": ("Item net price", "cac:Price/cbc:PriceAmount",
               "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
    "BT-151": ("Invoiced item VAT category code", "cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
               "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"),
    "BT-152": ("Invoiced item VAT rate", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
               "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
    "BT-153": ("Item name", "cac:Item/cbc:Name", "ram:SpecifiedTradeProduct/ram:Name"),
}

#: VAT breakdown terms (BG-23), relative to the breakdown element.
BREAKDOWN: Mapping[str, tuple[str, str, str]] = {
    "BT-116": ("VAT category taxable amount", "cbc:TaxableAmount", "ram:BasisAmount"),
    "BT-117": ("VAT category tax amount", "cbc:TaxAmount", "ram:CalculatedAmount"),
    "BT-118": ("VAT category code", "cac:TaxCategory/cbc:ID", "ram:CategoryCode"),
    "BT-119": ("VAT category rate", "cac:TaxCategory/cbc:Percent", "ram:RateApplicablePercent"),
    "BT-120": ("VAT exemption reason text", "cac:TaxCategory/cbc:TaxExemptionReason", "ram:ExemptionReason"),
    "BT-121": ("VAT exemption reason code", "cac:TaxCategory/cbc:TaxExemptionReasonCode", "ram:ExemptionReasonCode"),
}

#: Document-level allowance (BG-20) and charge (BG-21) terms; the allowance's ids (BT-92, 95, 96, 97, 98),
#: the charge's are BT-99, 102, 103, 104, 105 (:data:`CHARGE_TERMS`).
ALLOWANCE_CHARGE: Mapping[str, tuple[str, str, str]] = {
    "BT-92": ("Amount", "cbc:Amount", "ram:ActualAmount"),
    "BT-95": ("VAT category code", "cac:TaxCategory/cbc:ID", "ram:CategoryTradeTax/ram:CategoryCode"),
    "BT-96": ("VAT rate", "cac:TaxCategory/cbc:Percent", "ram:CategoryTradeTax/ram:RateApplicablePercent"),
    "BT-97": ("Reason", "cbc:AllowanceChargeReason", "ram:Reason"),
    "BT-98": ("Reason code", "cbc:AllowanceChargeReasonCode", "ram:ReasonCode"),
}
CHARGE_TERMS = {"BT-92": "BT-99", "BT-95": "BT-102", "BT-96": "BT-103", "BT-97": "BT-104", "BT-98": "BT-105"}

_NS = {**UBL, **CII}


@dataclass(frozen=True, slots=True)
class Term:
    """One business term's value: ``term`` (e.g. "BT-106"), ``value`` (the element's text, stripped) and
    the ``element`` it was read from."""

    term: str
    value: str
    element: etree._Element = field(repr=False, compare=False)

    @property
    def location(self) -> Location:
        """XPath and line of the element."""
        return location_of(self.element)


@dataclass(frozen=True, slots=True)
class Group:
    """A business group (BG-25 line, BG-23 breakdown, BG-20 allowance, BG-21 charge): its ``group`` id, its
    ``element`` and its terms, BT id -> every occurrence."""

    group: str
    element: etree._Element = field(repr=False, compare=False)
    terms: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)

    def get(self, term: str) -> Term | None:
        """The first occurrence of ``term``, or None."""
        found = self.terms.get(term)
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class InvoiceModel:
    """The semantic model of one invoice (see the module docstring)."""

    syntax: Syntax
    all_terms: Mapping[str, tuple[Term, ...]]
    lines: tuple[Group, ...]
    vat_breakdown: tuple[Group, ...]
    allowances: tuple[Group, ...]
    charges: tuple[Group, ...]

    @property
    def terms(self) -> Mapping[str, Term]:
        """Document-level terms present, BT id -> first occurrence."""
        return {term: found[0] for term, found in self.all_terms.items() if found}

    def get(self, term: str) -> Term | None:
        """The first occurrence of the document-level ``term``, or None."""
        found = self.all_terms.get(term)
        return found[0] if found else None


def _text(el: etree._Element) -> str:
    return "".join(str(t) for t in el.itertext()).strip()


def _read(element: etree._Element, table: Mapping[str, tuple[str, str, str]], syntax: Syntax,
          rename: Mapping[str, str] | None = None) -> dict[str, tuple[Term, ...]]:
    out: dict[str, tuple[Term, ...]] = {}
    for term, (_, ubl_path, cii_path) in table.items():
        path = ubl_path if syntax == "UBL" else cii_path
        found = element.xpath("|".join(path.split("|")), namespaces=_NS)
        assert isinstance(found, list)
        name = rename.get(term, term) if rename else term
        terms = tuple(Term(name, _text(el), el) for el in found if isinstance(el, etree._Element))
        if terms:
            out[name] = terms
    return out


def _charge(ac: etree._Element, syntax: Syntax) -> bool | None:
    path = "cbc:ChargeIndicator" if syntax == "UBL" else "ram:ChargeIndicator/udt:Indicator"
    found = ac.xpath(path, namespaces=_NS)
    assert isinstance(found, list)
    values = {_text(el) for el in found if isinstance(el, etree._Element)}
    return True if values & {"true", "1"} else False if values & {"false", "0"} else None


def build_model(root: etree._Element, syntax: Syntax) -> InvoiceModel:
    """The semantic model of the invoice whose document element is ``root``.

    Missing terms are simply absent; nothing is validated here (the rules do that). Raises ValueError for
    a syntax other than "UBL" and "CII"."""
    if syntax not in ("UBL", "CII"):
        raise ValueError(f"unknown syntax {syntax!r}")

    def each(path: str) -> list[etree._Element]:
        found = root.xpath(path, namespaces=_NS)
        assert isinstance(found, list)
        return [el for el in found if isinstance(el, etree._Element)]

    if syntax == "UBL":
        line_elements = each("cac:InvoiceLine|cac:CreditNoteLine")
        breakdowns = each("cac:TaxTotal/cac:TaxSubtotal")
        acs = each("cac:AllowanceCharge")
    else:
        line_elements = each("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem")
        breakdowns = each(f"{_SETTLE}/ram:ApplicableTradeTax")
        acs = each(f"{_SETTLE}/ram:SpecifiedTradeAllowanceCharge")
    allowances = tuple(Group("BG-20", ac, _read(ac, ALLOWANCE_CHARGE, syntax)) for ac in acs
                       if _charge(ac, syntax) is False)
    charges = tuple(Group("BG-21", ac, _read(ac, ALLOWANCE_CHARGE, syntax, CHARGE_TERMS)) for ac in acs
                    if _charge(ac, syntax) is True)
    return InvoiceModel(
        syntax=syntax,
        all_terms=_read(root, HEADER, syntax),
        lines=tuple(Group("BG-25", el, _read(el, LINE, syntax)) for el in line_elements),
        vat_breakdown=tuple(Group("BG-23", el, _read(el, BREAKDOWN, syntax)) for el in breakdowns),
        allowances=allowances,
        charges=charges,
    )
