"""The EN 16931 business rules (BR-*) over a UBL 2.1 Invoice or CreditNote, evaluated natively.

Each group below is one rule context of the CEN UBL binding (a Schematron ``rule``); as in Schematron, an
element is checked by at most one group per pattern (the model pattern and the code-list pattern), the first
whose context it matches, and every assertion of that group that does not hold is one firing. The
assertions keep the official XPath semantics (see :mod:`._xpath`): what an absent, empty, repeated or
non-numeric element gives, decimal arithmetic, ``round`` half towards +∞ and the ±1 tolerances.

The document is walked once; what several rules sum over the whole invoice (line net amounts, allowances
and charges per VAT category and rate) is computed once in :class:`_Doc`, so the cost is linear in lines.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree

from ..codelists import code_set, codes, joined
from ..tree import Node, Tree, build
from ..xmlutil import UBL
from ._xpath import (
    XPathError,
    bool_value,
    dbl_minus,
    dbl_ordered,
    dec,
    dec_opt,
    dec_sum,
    decimals_ok,
    normalize_space,
    nsv,
    path,
    round2,
    round_half_up,
    string_value,
    sv_first,
)
from .meta import CATEGORY_RULES

Element = Node
Fired = list[tuple[str, Element]]
_NONE: list[Element] = []

_CAC = f"{{{UBL['cac']}}}"
_CBC = f"{{{UBL['cbc']}}}"
_ROOTS = {f"{{{UBL['ubl']}}}Invoice", f"{{{UBL['cn']}}}CreditNote"}


@functools.cache
def _a(name: str) -> str:
    return _CAC + name


@functools.cache
def _b(name: str) -> str:
    return _CBC + name


# Clark names of the elements the rules read, computed once.
A_AccountingCustomerParty = _a("AccountingCustomerParty")
A_AccountingSupplierParty = _a("AccountingSupplierParty")
A_AdditionalDocumentReference = _a("AdditionalDocumentReference")
A_AdditionalItemProperty = _a("AdditionalItemProperty")
A_Address = _a("Address")
A_AllowanceCharge = _a("AllowanceCharge")
A_BillingReference = _a("BillingReference")
A_CardAccount = _a("CardAccount")
A_ClassifiedTaxCategory = _a("ClassifiedTaxCategory")
A_CommodityClassification = _a("CommodityClassification")
A_Country = _a("Country")
A_CreditNoteLine = _a("CreditNoteLine")
A_Delivery = _a("Delivery")
A_DeliveryLocation = _a("DeliveryLocation")
A_DocumentReference = _a("DocumentReference")
A_InvoiceDocumentReference = _a("InvoiceDocumentReference")
A_InvoiceLine = _a("InvoiceLine")
A_InvoicePeriod = _a("InvoicePeriod")
A_Item = _a("Item")
A_LegalMonetaryTotal = _a("LegalMonetaryTotal")
A_OriginCountry = _a("OriginCountry")
A_Party = _a("Party")
A_PartyIdentification = _a("PartyIdentification")
A_PartyLegalEntity = _a("PartyLegalEntity")
A_PartyName = _a("PartyName")
A_PartyTaxScheme = _a("PartyTaxScheme")
A_PayeeFinancialAccount = _a("PayeeFinancialAccount")
A_PayeeParty = _a("PayeeParty")
A_PaymentMeans = _a("PaymentMeans")
A_PostalAddress = _a("PostalAddress")
A_Price = _a("Price")
A_StandardItemIdentification = _a("StandardItemIdentification")
A_TaxCategory = _a("TaxCategory")
A_TaxRepresentativeParty = _a("TaxRepresentativeParty")
A_TaxScheme = _a("TaxScheme")
A_TaxSubtotal = _a("TaxSubtotal")
A_TaxTotal = _a("TaxTotal")
B_ActualDeliveryDate = _b("ActualDeliveryDate")
B_AllowanceChargeReason = _b("AllowanceChargeReason")
B_AllowanceChargeReasonCode = _b("AllowanceChargeReasonCode")
B_Amount = _b("Amount")
B_BaseAmount = _b("BaseAmount")
B_BaseQuantity = _b("BaseQuantity")
B_ChargeIndicator = _b("ChargeIndicator")
B_CompanyID = _b("CompanyID")
B_CreditNoteTypeCode = _b("CreditNoteTypeCode")
B_CreditedQuantity = _b("CreditedQuantity")
B_CustomizationID = _b("CustomizationID")
B_DescriptionCode = _b("DescriptionCode")
B_DocumentCurrencyCode = _b("DocumentCurrencyCode")
B_DocumentTypeCode = _b("DocumentTypeCode")
B_EmbeddedDocumentBinaryObject = _b("EmbeddedDocumentBinaryObject")
B_EndDate = _b("EndDate")
B_EndpointID = _b("EndpointID")
B_ID = _b("ID")
B_IdentificationCode = _b("IdentificationCode")
B_InvoiceTypeCode = _b("InvoiceTypeCode")
B_InvoicedQuantity = _b("InvoicedQuantity")
B_IssueDate = _b("IssueDate")
B_ItemClassificationCode = _b("ItemClassificationCode")
B_LineExtensionAmount = _b("LineExtensionAmount")
B_Name = _b("Name")
B_Note = _b("Note")
B_PaymentMeansCode = _b("PaymentMeansCode")
B_Percent = _b("Percent")
B_PriceAmount = _b("PriceAmount")
B_PrimaryAccountNumberID = _b("PrimaryAccountNumberID")
B_RegistrationName = _b("RegistrationName")
B_StartDate = _b("StartDate")
B_TaxAmount = _b("TaxAmount")
B_TaxCurrencyCode = _b("TaxCurrencyCode")
B_TaxExclusiveAmount = _b("TaxExclusiveAmount")
B_TaxExemptionReason = _b("TaxExemptionReason")
B_TaxExemptionReasonCode = _b("TaxExemptionReasonCode")
B_TaxInclusiveAmount = _b("TaxInclusiveAmount")
B_TaxPointDate = _b("TaxPointDate")
B_TaxableAmount = _b("TaxableAmount")
B_Value = _b("Value")


INVOICE_LINE, CREDIT_NOTE_LINE = A_InvoiceLine, A_CreditNoteLine
LINES = (INVOICE_LINE, CREDIT_NOTE_LINE)
ALLOWANCE_CHARGE, TAX_CATEGORY, CLASSIFIED = A_AllowanceCharge, A_TaxCategory, A_ClassifiedTaxCategory
TAX_SCHEME, TAX_TOTAL, TAX_SUBTOTAL = A_TaxScheme, A_TaxTotal, A_TaxSubtotal
ID, PERCENT, AMOUNT, CHARGE_INDICATOR = B_ID, B_Percent, B_Amount, B_ChargeIndicator
LEA, TAX_AMOUNT, TAXABLE = B_LineExtensionAmount, B_TaxAmount, B_TaxableAmount
REASON, REASON_CODE = B_AllowanceChargeReason, B_AllowanceChargeReasonCode
EXEMPTION, EXEMPTION_CODE = B_TaxExemptionReason, B_TaxExemptionReasonCode
PARTY, PTS, COMPANY_ID = A_Party, A_PartyTaxScheme, B_CompanyID

#: VAT category codes with their own rule family, in the priority order of the official contexts.
CATEGORY_FAMILY = {"AE": "AE", "E": "E", "G": "G", "K": "IC", "L": "AF", "M": "AG", "O": "O", "S": "S", "Z": "Z"}


def is_vat(category: Element) -> bool:
    """``cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT'`` (any TaxScheme child)."""
    for ts in category.kids.get(TAX_SCHEME, _NONE):
        ids = ts.kids.get(ID)
        if ids:
            text = ids[0].string_value
            if text == "VAT" or normalize_space(text.upper()) == "VAT":  # the first test: the usual text
                return True
    return False


def _indicators(ac: Element) -> tuple[bool, bool]:
    """(``[cbc:ChargeIndicator = false()]``, ``[cbc:ChargeIndicator = true()]``) of an AllowanceCharge."""
    values = [bool_value(ci) for ci in ac.findall(CHARGE_INDICATOR)]
    return (False in values, True in values)


def _decs(nodes: list[Element]) -> list[Decimal]:
    return [dec(string_value(n)) for n in nodes]


class _Doc:
    """One UBL document: the element index and the whole-document figures several rules use."""

    def __init__(self, root: etree._Element, tree: Tree | None = None) -> None:
        if tree is None:
            tree = build(root)
        self.tree = tree
        self.root = tree.root
        self.elements = tree.nodes
        self.index = tree.index
        self._cache: dict[str, object] = {}

    def all(self, tag: str) -> list[Element]:
        return self.index.get(tag, [])

    # ------------------------------------------------------------------ cached whole-document facts
    def vat_ids(self, tag: str) -> list[str]:
        """normalize-space of every ``//<tag>[VAT]/cbc:ID`` (one entry per ID element)."""
        key = "ids" + tag
        if key not in self._cache:
            vat = self.classified(True) if tag == CLASSIFIED else [c for c in self.all(tag) if is_vat(c)]
            self._cache[key] = [normalize_space(string_value(i)) for c in vat for i in c.findall(ID)]
        return self._cache[key]  # type: ignore[return-value]

    def seller_tax_ids(self) -> tuple[bool, bool, bool, bool]:
        """(any seller PartyTaxScheme CompanyID, any VAT one, any VAT tax representative one,
        any VAT buyer one)."""
        if "seller" not in self._cache:
            seller_any = seller_vat = False
            for asp in self.all(A_AccountingSupplierParty):
                for pts in path(asp, PARTY, PTS):
                    if pts.findall(COMPANY_ID):
                        seller_any = True
                        seller_vat = seller_vat or is_vat(pts)
            rep_vat = any(pts.findall(COMPANY_ID) and is_vat(pts)
                          for rep in self.all(A_TaxRepresentativeParty) for pts in rep.findall(PTS))
            buyer_vat = any(pts.findall(COMPANY_ID) and is_vat(pts)
                            for acp in self.all(A_AccountingCustomerParty) for pts in path(acp, PARTY, PTS))
            self._cache["seller"] = (seller_any, seller_vat, rep_vat, buyer_vat)
        return self._cache["seller"]  # type: ignore[return-value]

    def buyer_legal_company_id(self) -> bool:
        return any(path(acp, PARTY, A_PartyLegalEntity, COMPANY_ID)
                   for acp in self.all(A_AccountingCustomerParty))

    def ac_categories(self, want: bool | None, vat: bool) -> list[Element]:
        """``//cac:AllowanceCharge[ChargeIndicator = want]/cac:TaxCategory`` (want None: any AllowanceCharge),
        only VAT ones when ``vat``."""
        key = f"ac{want}{vat}"
        if key not in self._cache:
            out: list[Element] = []
            for ac in self.all(ALLOWANCE_CHARGE):
                if want is not None:
                    is_false, is_true = _indicators(ac)
                    if not (is_false if want is False else is_true):
                        continue
                out.extend(tc for tc in ac.findall(TAX_CATEGORY) if not vat or is_vat(tc))
            self._cache[key] = out
        return self._cache[key]  # type: ignore[return-value]

    def classified(self, vat: bool) -> list[Element]:
        key = f"ctc{vat}"
        if key not in self._cache:
            self._cache[key] = [c for c in self.all(CLASSIFIED) if not vat or is_vat(c)]
        return self._cache[key]  # type: ignore[return-value]

    def sums(self) -> _Sums:
        if "sums" not in self._cache:
            self._cache["sums"] = _Sums(self.root)
        return self._cache["sums"]  # type: ignore[return-value]


class _Sums:
    """Net amounts per VAT category (and per category and rate) of the root's lines and document-level
    allowances and charges: the right-hand sides of BR-x-08, computed once for all breakdowns."""

    def __init__(self, root: Element) -> None:
        self.line_by_cat: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.line_by_cat_rate: dict[tuple[str, str, Decimal], Decimal] = defaultdict(Decimal)
        self.line_keys_cat_rate: set[tuple[str, str, Decimal]] = set()
        self.ac_by_cat: dict[tuple[bool, str], Decimal] = defaultdict(Decimal)
        self.ac_by_cat_rate: dict[tuple[bool, str, Decimal], Decimal] = defaultdict(Decimal)
        line_by_cat, line_by_cat_rate, line_keys = self.line_by_cat, self.line_by_cat_rate, self.line_keys_cat_rate
        for child in root.children:
            kind = child.tag
            if kind in LINES:
                cats: set[str] = set()
                rates: set[Decimal] = set()
                kids = child.kids
                for item in kids.get(A_Item, _NONE):
                    for ctc in item.kids.get(CLASSIFIED, _NONE):
                        cats.add(_cat_code(ctc))
                        for percent in ctc.kids.get(PERCENT, _NONE):
                            rates.add(dec(percent.string_value))
                amounts = [dec(lea.string_value) for lea in kids.get(LEA, _NONE)]
                for cat in cats:
                    for amount in amounts:
                        line_by_cat[(kind, cat)] += amount
                    for rate in rates:
                        key = (kind, cat, rate)
                        line_keys.add(key)
                        for amount in amounts:
                            line_by_cat_rate[key] += amount
            elif kind == ALLOWANCE_CHARGE:
                is_false, is_true = _indicators(child)
                if not (is_false or is_true):
                    continue
                cats = set()
                rates = set()
                for tc in child.findall(TAX_CATEGORY):
                    cats.add(nsv(tc.findall(ID)))
                    rates.update(_decs(tc.findall(PERCENT)))
                amounts = _decs(child.findall(AMOUNT))
                for charge, applies in ((False, is_false), (True, is_true)):
                    if not applies:
                        continue
                    for cat in cats:
                        for amount in amounts:
                            self.ac_by_cat[(charge, cat)] += amount
                        for rate in rates:
                            for amount in amounts:
                                self.ac_by_cat_rate[(charge, cat, rate)] += amount

    def total(self, kind: str, cat: str) -> Decimal:
        return self.line_by_cat[(kind, cat)] + self.ac_by_cat[(True, cat)] - self.ac_by_cat[(False, cat)]

    def total_rate(self, kind: str, cat: str, rate: Decimal) -> Decimal:
        return (self.line_by_cat_rate[(kind, cat, rate)] + self.ac_by_cat_rate[(True, cat, rate)]
                - self.ac_by_cat_rate[(False, cat, rate)])


# ====================================================================== the model pattern (BR, BR-CO, ...)
def _check(out: Fired, el: Element, rule: str, test: Callable[..., bool], *args: Any) -> None:
    """Fire ``rule`` on ``el`` unless ``test(*args)`` holds; a dynamic error (a failed cast) fires it too."""
    try:
        ok = test(*args)
    except XPathError:
        ok = False
    if not ok:
        out.append((rule, el))


def _ac_document_allowance(el: Element, doc: _Doc, out: Fired, charge: bool) -> None:
    def reason() -> bool:
        return bool(el.findall(REASON) or el.findall(REASON_CODE))

    ids = ("BR-36", "BR-37", "BR-38", "BR-CO-22", "BR-DEC-05", "BR-DEC-06") if charge else \
        ("BR-31", "BR-32", "BR-33", "BR-CO-21", "BR-DEC-01", "BR-DEC-02")
    _check(out, el, ids[0], lambda: bool(el.findall(AMOUNT)))
    _check(out, el, ids[1], lambda: any(tc.findall(ID) for tc in el.findall(TAX_CATEGORY) if is_vat(tc)))
    _check(out, el, ids[2], reason)
    _check(out, el, ids[3], reason)
    _check(out, el, ids[4], lambda: decimals_ok(el.findall(AMOUNT)))
    _check(out, el, ids[5], lambda: decimals_ok(el.findall(B_BaseAmount)))


def _g_monetary_total(el: Element, doc: _Doc, out: Fired) -> None:
    def has(name: str) -> bool:
        return bool(el.findall(_b(name)))

    def val(name: str) -> Decimal | None:
        return dec_opt(el.findall(_b(name)))

    for rule, name in (("BR-12", "LineExtensionAmount"), ("BR-13", "TaxExclusiveAmount"),
                       ("BR-14", "TaxInclusiveAmount"), ("BR-15", "PayableAmount")):
        _check(out, el, rule, has, name)

    def co10() -> bool:
        total = dec_sum(v for tag in LINES for line in doc.all(tag) for v in _decs(line.findall(LEA)))
        lea = val("LineExtensionAmount")
        return lea is not None and lea == round2(total)

    _check(out, el, "BR-CO-10", co10)
    parent = el.getparent()
    siblings = parent.findall(ALLOWANCE_CHARGE) if parent is not None else []

    def co11_12(charge: bool, total_name: str) -> bool:
        chosen = [ac for ac in siblings if _indicators(ac)[1 if charge else 0]]
        total = val(total_name)
        if total is not None and total == round2(dec_sum(v for ac in chosen for v in _decs(ac.findall(AMOUNT)))):
            return True
        return not has(total_name) and not chosen

    _check(out, el, "BR-CO-11", lambda: co11_12(False, "AllowanceTotalAmount"))
    _check(out, el, "BR-CO-12", lambda: co11_12(True, "ChargeTotalAmount"))

    def co13() -> bool:
        charges, allowances = has("ChargeTotalAmount"), has("AllowanceTotalAmount")
        tea, lea = val("TaxExclusiveAmount"), val("LineExtensionAmount")
        cta, ata = val("ChargeTotalAmount"), val("AllowanceTotalAmount")
        if tea is None or lea is None:
            return False
        if charges and allowances:
            return cta is not None and ata is not None and tea == round2(lea + cta - ata)
        if allowances:
            return ata is not None and tea == round2(lea - ata)
        if charges:
            return cta is not None and tea == round2(lea + cta)
        return tea == lea

    _check(out, el, "BR-CO-13", co13)

    def co16() -> bool:
        prepaid, rounding = has("PrepaidAmount"), has("PayableRoundingAmount")
        pay, tia = val("PayableAmount"), val("TaxInclusiveAmount")
        ppa, pra = val("PrepaidAmount"), val("PayableRoundingAmount")
        if pay is None or tia is None:
            return False
        if prepaid and not rounding:
            return ppa is not None and pay == round2(tia - ppa)
        if not prepaid and not rounding:
            return pay == tia
        if prepaid and rounding:
            return ppa is not None and pra is not None and round2(pay - pra) == round2(tia - ppa)
        return pra is not None and round2(pay - pra) == tia

    _check(out, el, "BR-CO-16", co16)
    for rule, name in (("BR-DEC-09", "LineExtensionAmount"), ("BR-DEC-10", "AllowanceTotalAmount"),
                       ("BR-DEC-11", "ChargeTotalAmount"), ("BR-DEC-12", "TaxExclusiveAmount"),
                       ("BR-DEC-14", "TaxInclusiveAmount"), ("BR-DEC-16", "PrepaidAmount"),
                       ("BR-DEC-17", "PayableRoundingAmount"), ("BR-DEC-18", "PayableAmount")):
        _check(out, el, rule, decimals_ok, el.findall(_b(name)))


def _cat_code(category: Element) -> str:
    """``normalize-space(cbc:ID)`` of a tax category (its first ID; ``""`` for none)."""
    ids = category.kids.get(ID)
    return normalize_space(ids[0].string_value) if ids else ""


def _g_root(el: Element, doc: _Doc, out: Fired) -> None:
    # Plain tests (none can raise XPathError) are written out; the one with decimal casts goes through _check.
    def c(*tags: str) -> list[Element]:
        return path(el, *tags)

    def nonempty(*tags: str) -> bool:
        return nsv(path(el, *tags)) != ""

    if not nonempty(B_CustomizationID):
        out.append(("BR-01", el))
    if not nonempty(ID):
        out.append(("BR-02", el))
    if not nonempty(B_IssueDate):
        out.append(("BR-03", el))
    if not (nonempty(B_InvoiceTypeCode) or nonempty(B_CreditNoteTypeCode)):
        out.append(("BR-04", el))
    if not nonempty(B_DocumentCurrencyCode):
        out.append(("BR-05", el))
    if not nonempty(A_AccountingSupplierParty, PARTY, A_PartyLegalEntity, B_RegistrationName):
        out.append(("BR-06", el))
    if not nonempty(A_AccountingCustomerParty, PARTY, A_PartyLegalEntity, B_RegistrationName):
        out.append(("BR-07", el))
    if not c(A_AccountingSupplierParty, PARTY, A_PostalAddress):
        out.append(("BR-08", el))
    if not c(A_AccountingCustomerParty, PARTY, A_PostalAddress):
        out.append(("BR-10", el))
    if not (el.findall(INVOICE_LINE) or el.findall(CREDIT_NOTE_LINE)):
        out.append(("BR-16", el))

    currencies = {a.get("currencyID") for t in doc.all(TAX_TOTAL) for a in t.findall(TAX_AMOUNT)}
    if not all(string_value(tc) in currencies for tc in el.findall(B_TaxCurrencyCode)):
        out.append(("BR-53", el))
    seller_any, seller_vat, rep_vat, buyer_vat = doc.seller_tax_ids()
    subtotal_cats = [tc for tc in c(TAX_TOTAL, TAX_SUBTOTAL, TAX_CATEGORY)]
    subtotal_vat_ids = [normalize_space(string_value(i)) for tc in subtotal_cats if is_vat(tc) for i in tc.findall(ID)]
    tc_ids, ctc_ids = doc.vat_ids(TAX_CATEGORY), doc.vat_ids(CLASSIFIED)

    def x01(cat: str) -> bool:
        used = cat in tc_ids or cat in ctc_ids
        return (used and subtotal_vat_ids.count(cat) == 1) or not used

    # Each list of categories is read once: the normalized code of each (in order), the set of them, and
    # the set of the raw values of all their IDs. Keyed by the list's id(): every list is alive till the end.
    codes_in: dict[int, list[str]] = {}
    code_sets: dict[int, set[str]] = {}
    raw_sets: dict[int, set[str]] = {}

    def codes(cats: list[Element]) -> list[str]:
        """``normalize-space(cbc:ID)`` of each category of ``cats``."""
        found = codes_in.get(id(cats))
        if found is None:
            found = codes_in[id(cats)] = [_cat_code(tc) for tc in cats]
        return found

    def with_cat(cats: list[Element], cat: str) -> bool:
        """``exists(cats[normalize-space(cbc:ID) = cat])``."""
        found = code_sets.get(id(cats))
        if found is None:
            found = code_sets[id(cats)] = set(codes(cats))
        return cat in found

    def raw(cats: list[Element], code: str) -> bool:
        """``exists(cats/cbc:ID[. = code])`` (every ID, its value as it is)."""
        found = raw_sets.get(id(cats))
        if found is None:
            found = raw_sets[id(cats)] = {string_value(i) for tc in cats for i in tc.findall(ID)}
        return code in found

    seller_or_rep = seller_any or rep_vat
    seller_vat_or_rep = seller_vat or rep_vat
    buyer_ae = buyer_vat or doc.buyer_legal_company_id()
    ctc_vat, ctc_any = doc.classified(True), doc.classified(False)
    acf_vat, act_vat = doc.ac_categories(False, True), doc.ac_categories(True, True)
    acf_any, act_any = doc.ac_categories(False, False), doc.ac_categories(True, False)
    ac_all_vat, ac_all_any = doc.ac_categories(None, True), doc.ac_categories(None, False)

    # Reverse charge (AE)
    if not x01("AE"):
        out.append(("BR-AE-01", el))
    if not (not with_cat(ctc_vat, "AE") or (seller_or_rep and buyer_ae)):
        out.append(("BR-AE-02", el))
    if not (not with_cat(acf_vat, "AE") or (seller_or_rep and buyer_ae)):
        out.append(("BR-AE-03", el))
    if not (not with_cat(act_vat, "AE") or (seller_or_rep and buyer_ae)):
        out.append(("BR-AE-04", el))
    if el.findall(B_TaxPointDate) and c(A_InvoicePeriod, B_DescriptionCode):
        out.append(("BR-CO-03", el))

    def co15() -> bool:
        for currency in el.findall(B_DocumentCurrencyCode):
            cur = string_value(currency)
            amounts = [v for t in el.findall(TAX_TOTAL) for v in
                       _decs([a for a in t.findall(TAX_AMOUNT) if a.get("currencyID") == cur])]
            if len(amounts) != 1:
                return False
            tia = [v for m in el.findall(A_LegalMonetaryTotal) for v in _decs(m.findall(B_TaxInclusiveAmount))]
            tea = [v for m in el.findall(A_LegalMonetaryTotal) for v in _decs(m.findall(B_TaxExclusiveAmount))]
            if len(tea) != 1:
                return False
            if round2(tea[0] + amounts[0]) not in tia:
                return False
        return True

    _check(out, el, "BR-CO-15", co15)
    if not c(TAX_TOTAL, TAX_SUBTOTAL):
        out.append(("BR-CO-18", el))
    # BR-DEC-13 and BR-DEC-15: as bound in UBL their predicate reads the currency code below the TaxAmount,
    # which never exists, so they always hold. Nothing to check.
    if not x01("E"):
        out.append(("BR-E-01", el))
    if not (not with_cat(ctc_vat, "E") or seller_or_rep):
        out.append(("BR-E-02", el))
    if not (not with_cat(acf_vat, "E") or seller_or_rep):
        out.append(("BR-E-03", el))
    if not (not with_cat(act_vat, "E") or seller_or_rep):
        out.append(("BR-E-04", el))
    if not x01("G"):
        out.append(("BR-G-01", el))
    if not (not with_cat(ctc_vat, "G") or seller_vat_or_rep):
        out.append(("BR-G-02", el))
    if not ((with_cat(acf_any, "G") and seller_vat_or_rep) or not with_cat(acf_vat, "G")):
        out.append(("BR-G-03", el))
    if not ((with_cat(act_any, "G") and seller_vat_or_rep) or not with_cat(act_vat, "G")):
        out.append(("BR-G-04", el))
    if not x01("K"):
        out.append(("BR-IC-01", el))
    if not (not with_cat(ctc_vat, "K") or (seller_vat_or_rep and buyer_vat)):
        out.append(("BR-IC-02", el))
    if not (not with_cat(acf_vat, "K") or (seller_vat_or_rep and buyer_vat)):
        out.append(("BR-IC-03", el))
    if not (not with_cat(act_vat, "K") or (seller_vat_or_rep and buyer_vat)):
        out.append(("BR-IC-04", el))
    has_k = "K" in subtotal_vat_ids
    if has_k:
        delivery = sv_first(c(A_Delivery, B_ActualDeliveryDate))
        if not (len(delivery) > 1 or any(isinstance(ch.tag, str) for p in el.findall(A_InvoicePeriod) for ch in p)):
            out.append(("BR-IC-11", el))
        if not len(sv_first(c(A_Delivery, A_DeliveryLocation, A_Address, A_Country, B_IdentificationCode))) > 1:
            out.append(("BR-IC-12", el))

    def x01_count(cat: str, exact_first: bool) -> bool:
        used = codes(ac_all_vat).count(cat) + codes(ctc_vat).count(cat)
        if exact_first:  # BR-AF-01 compares the raw code, without the VAT scheme test
            present = sum(1 for tc in subtotal_cats if any(string_value(i) == cat for i in tc.findall(ID)))
        else:  # BR-AG-01: the raw code with the VAT scheme test
            present = sum(1 for tc in subtotal_cats
                          if is_vat(tc) and any(string_value(i) == cat for i in tc.findall(ID)))
        clean = sum(1 for tc in subtotal_cats if is_vat(tc) and _cat_code(tc) == cat)
        return (used > 0 and present > 0) or (used == 0 and clean == 0)

    if not x01_count("L", True):
        out.append(("BR-AF-01", el))
    if not (not with_cat(ctc_vat, "L") or seller_or_rep):
        out.append(("BR-AF-02", el))
    if not (not with_cat(acf_vat, "L") or seller_or_rep):
        out.append(("BR-AF-03", el))
    if not ((with_cat(act_vat, "L") and seller_or_rep) or not raw(act_vat, "L")):
        out.append(("BR-AF-04", el))
    if not x01_count("M", False):
        out.append(("BR-AG-01", el))
    if not (not with_cat(ctc_vat, "M") or seller_or_rep):
        out.append(("BR-AG-02", el))
    if not (not with_cat(acf_vat, "M") or seller_or_rep):
        out.append(("BR-AG-03", el))
    if not (not with_cat(act_vat, "M") or seller_or_rep):
        out.append(("BR-AG-04", el))
    no_vat_ids = not seller_vat and not rep_vat and not buyer_vat
    if not x01("O"):
        out.append(("BR-O-01", el))
    if not (not with_cat(ctc_vat, "O") or no_vat_ids):
        out.append(("BR-O-02", el))
    doc_acf = [tc for ac in el.findall(ALLOWANCE_CHARGE) if _indicators(ac)[0]
               for tc in ac.findall(TAX_CATEGORY) if is_vat(tc)]
    doc_act = [tc for ac in el.findall(ALLOWANCE_CHARGE) if _indicators(ac)[1]
               for tc in ac.findall(TAX_CATEGORY) if is_vat(tc)]
    if el.tag not in _ROOTS:
        doc_acf = doc_act = []
    if not (not with_cat(doc_acf, "O") or no_vat_ids):
        out.append(("BR-O-03", el))
    if not (not with_cat(doc_act, "O") or no_vat_ids):
        out.append(("BR-O-04", el))
    if "O" in subtotal_vat_ids:
        if any(_cat_code(tc) != "O" for tc in subtotal_cats if is_vat(tc)):
            out.append(("BR-O-11", el))
        if any(code != "O" for code in codes(ctc_vat)):
            out.append(("BR-O-12", el))
        if any(code != "O" for code in codes(acf_vat)):
            out.append(("BR-O-13", el))
        if any(code != "O" for code in codes(act_vat)):
            out.append(("BR-O-14", el))

    used_s = codes(ac_all_any).count("S") + codes(ctc_any).count("S")
    present_s = codes(subtotal_cats).count("S")
    if not ((used_s > 0 and present_s > 0) or (used_s == 0 and present_s == 0)):
        out.append(("BR-S-01", el))
    if not ((with_cat(ctc_vat, "S") and seller_or_rep) or not with_cat(ctc_any, "S")):
        out.append(("BR-S-02", el))
    if not (not with_cat(acf_vat, "S") or seller_or_rep):
        out.append(("BR-S-03", el))
    if not (not with_cat(act_vat, "S") or seller_or_rep):
        out.append(("BR-S-04", el))
    if not x01("Z"):
        out.append(("BR-Z-01", el))
    if not (not with_cat(ctc_vat, "Z") or seller_or_rep):
        out.append(("BR-Z-02", el))
    if not (not with_cat(acf_vat, "Z") or seller_or_rep):
        out.append(("BR-Z-03", el))
    if not (not with_cat(act_vat, "Z") or seller_or_rep):
        out.append(("BR-Z-04", el))

    all_tc, all_ctc = doc.all(TAX_CATEGORY), doc.all(CLASSIFIED)
    b_used = raw(all_tc, "B") or raw(all_ctc, "B")
    if b_used and any(string_value(i) != "IT" for i in doc.all(B_IdentificationCode)):
        out.append(("BR-B-01", el))
    root_ac_tc = c(ALLOWANCE_CHARGE, TAX_CATEGORY)
    b_here = raw(subtotal_cats, "B") or raw(root_ac_tc, "B") or raw(all_ctc, "B")
    s_here = raw(subtotal_cats, "S") or raw(root_ac_tc, "S") or raw(all_ctc, "S")
    if b_here and s_here:
        out.append(("BR-B-02", el))


def _g_line(el: Element, doc: _Doc, out: Fired) -> None:
    # The hottest group (once per line): plain tests, the two numeric casts through _check.
    kids = el.kids
    ids = kids.get(ID)
    if not ids or normalize_space(ids[0].string_value) == "":
        out.append(("BR-21", el))
    quantities = kids.get(B_InvoicedQuantity, _NONE) + kids.get(B_CreditedQuantity, _NONE)
    if not quantities:
        out.append(("BR-22", el))
    for q in quantities:
        if q.el.get("unitCode") is not None:
            break
    else:
        out.append(("BR-23", el))
    amounts = kids.get(LEA)
    if not amounts:
        out.append(("BR-24", el))
    items = kids.get(A_Item, _NONE)
    if nsv(path(el, A_Item, B_Name) if len(items) != 1 else items[0].kids.get(B_Name, _NONE)) == "":
        out.append(("BR-25", el))
    price_nodes = kids.get(A_Price, _NONE)
    prices = path(el, A_Price, B_PriceAmount) if len(price_nodes) != 1 else \
        price_nodes[0].kids.get(B_PriceAmount, _NONE)
    if not prices:
        out.append(("BR-26", el))
    _check(out, el, "BR-27", _any_at_least, prices, False)
    if price_nodes and (len(price_nodes) != 1 or ALLOWANCE_CHARGE in price_nodes[0].kids):
        bases = path(el, A_Price, ALLOWANCE_CHARGE, B_BaseAmount)
        if bases:
            _check(out, el, "BR-28", _any_at_least, bases, False)
    ctcs = path(el, A_Item, CLASSIFIED) if len(items) != 1 else items[0].kids.get(CLASSIFIED, _NONE)
    for ctc in ctcs:
        if ctc.kids.get(ID) and is_vat(ctc):
            break
    else:
        out.append(("BR-CO-04", el))
    if amounts and len(amounts[0].string_value.partition(".")[2]) > 2:
        out.append(("BR-DEC-23", el))


_ZERO = Decimal(0)


def _any_at_least(nodes: list[Element], strict: bool) -> bool:
    """``(nodes) > 0`` (strict) or ``(nodes) >= 0``: untyped values compared as xs:double, any one (in
    order: a value that is not a number before the first that holds raises XPathError)."""
    for node in nodes:
        value = dbl_ordered(node.string_value)
        if (value > _ZERO) if strict else (value >= _ZERO):
            return True
    return False


def _line_allowance_charge(el: Element, out: Fired, charge: bool) -> None:
    ids = ("BR-43", "BR-44", "BR-CO-24", "BR-DEC-27", "BR-DEC-28") if charge else \
        ("BR-41", "BR-42", "BR-CO-23", "BR-DEC-24", "BR-DEC-25")
    def reason() -> bool:
        return bool(el.findall(REASON) or el.findall(REASON_CODE))

    _check(out, el, ids[0], lambda: bool(el.findall(AMOUNT)))
    _check(out, el, ids[1], reason)
    _check(out, el, ids[2], reason)
    _check(out, el, ids[3], lambda: decimals_ok(el.findall(AMOUNT)))
    _check(out, el, ids[4], lambda: decimals_ok(el.findall(B_BaseAmount)))


def _period_ok(el: Element) -> bool:
    start, end = el.findall(B_StartDate), el.findall(B_EndDate)
    if not start or not end:
        return True
    return _date(end[0]) >= _date(start[0])


_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?")


def _date(el: Element) -> tuple[int, str, str]:
    """``xs:date(el)`` as a sortable key; raises XPathError for a value that is not a date."""
    s = string_value(el).strip(" \t\r\n")
    m = _DATE.fullmatch(s)
    if not m or not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31):
        raise XPathError(f"{s!r} is not a date")
    return (int(m.group(1)), m.group(2), m.group(3))


def _g_line_period(el: Element, doc: _Doc, out: Fired) -> None:
    _check(out, el, "BR-30", lambda: _period_ok(el))
    _check(out, el, "BR-CO-20", lambda: bool(el.findall(B_StartDate) or el.findall(B_EndDate)))


def _g_period(el: Element, doc: _Doc, out: Fired) -> None:
    _check(out, el, "BR-29", lambda: _period_ok(el))
    _check(out, el, "BR-CO-19", lambda: bool(el.findall(B_StartDate) or el.findall(B_EndDate)
                                             or el.findall(B_DescriptionCode)))


def _g_note(el: Element, doc: _Doc, out: Fired) -> None:
    text = string_value(el)

    def cl08() -> bool:
        if "#" not in text:
            return True
        subject = text.partition("#")[2]
        subject = subject.partition("#")[0] if "#" in subject else ""
        return len(subject) != 3 or subject in joined("untdid4451")

    _check(out, el, "BR-CL-08", cl08)


def _g_payee(el: Element, doc: _Doc, out: Fired) -> None:
    parent = el.getparent()
    seller = path(parent, A_AccountingSupplierParty, PARTY) if parent is not None else []
    names = {string_value(n) for n in path(el, A_PartyName, B_Name)}
    ids = {string_value(n) for n in path(el, A_PartyIdentification, ID)}
    seller_names = {string_value(n) for p in seller for n in path(p, A_PartyName, B_Name)}
    seller_ids = {string_value(n) for p in seller for n in path(p, A_PartyIdentification, ID)}
    _check(out, el, "BR-17", lambda: bool(names) and not (names & seller_names) and not (ids & seller_ids))


def _g_payment_means(el: Element, doc: _Doc, out: Fired) -> None:
    code = nsv(el.findall(B_PaymentMeansCode))
    _check(out, el, "BR-49", lambda: bool(el.findall(B_PaymentMeansCode)))
    _check(out, el, "BR-61", lambda: (bool(path(el, A_PayeeFinancialAccount, ID)) and code in ("30", "58"))
           or code not in ("30", "58"))


def _g_supplier(el: Element, doc: _Doc, out: Fired) -> None:
    _check(out, el, "BR-CO-26", lambda: any(pts.findall(COMPANY_ID) for pts in path(el, PARTY, PTS) if is_vat(pts))
           or any(i.get("schemeID") != "SEPA" for i in path(el, PARTY, A_PartyIdentification, ID))
           or bool(path(el, PARTY, A_PartyLegalEntity, COMPANY_ID)))


def _g_tax_representative(el: Element, doc: _Doc, out: Fired) -> None:
    _check(out, el, "BR-18", lambda: nsv(path(el, A_PartyName, B_Name)) != "")
    _check(out, el, "BR-19", lambda: bool(el.findall(A_PostalAddress)))
    _check(out, el, "BR-56", lambda: any(pts.findall(COMPANY_ID) for pts in el.findall(PTS) if is_vat(pts)))


def _g_tax_total(el: Element, doc: _Doc, out: Fired) -> None:
    subtotals = el.findall(TAX_SUBTOTAL)

    def co14() -> bool:
        if not subtotals:
            return True
        own = dec_opt(el.findall(TAX_AMOUNT))
        total = dec_sum(v for s in subtotals for v in _decs(s.findall(TAX_AMOUNT)))
        return own is not None and own == round2(total)

    _check(out, el, "BR-CO-14", co14)


def _g_subtotal(el: Element, doc: _Doc, out: Fired) -> None:
    vat_cats = [tc for tc in el.findall(TAX_CATEGORY) if is_vat(tc)]
    _check(out, el, "BR-45", lambda: bool(el.findall(TAXABLE)))
    _check(out, el, "BR-46", lambda: bool(el.findall(TAX_AMOUNT)))
    _check(out, el, "BR-47", lambda: any(tc.findall(ID) for tc in vat_cats))
    _check(out, el, "BR-48", lambda: any(tc.findall(PERCENT) for tc in vat_cats)
           or any(nsv(tc.findall(ID)) == "O" for tc in vat_cats))

    def co17() -> bool:
        rates = [v for tc in vat_cats for v in _decs(tc.findall(PERCENT))]
        tax = dec_opt(el.findall(TAX_AMOUNT))
        rounded_tax = round_half_up(tax) if tax is not None else None
        if not rates:
            return rounded_tax == 0
        rate = round_half_up(rates[0])
        if rate == 0:
            return rounded_tax == 0
        base = dec_opt(el.findall(TAXABLE))
        if tax is None or base is None:
            return False
        expected = round2(abs(base) * (rates[0] / 100))
        return abs(tax) - 1 < expected < abs(tax) + 1

    _check(out, el, "BR-CO-17", co17)
    _check(out, el, "BR-DEC-19", lambda: decimals_ok(el.findall(TAXABLE)))
    _check(out, el, "BR-DEC-20", lambda: decimals_ok(el.findall(TAX_AMOUNT)))


def _g_party_tax_scheme(el: Element, doc: _Doc, out: Fired) -> None:
    prefix = sv_first(el.findall(COMPANY_ID))[:2]
    _check(out, el, "BR-CO-09", lambda: prefix in joined("vat-id-prefixes"))


# ---------------------------------------------------------------------------- VAT category families
def _g_subtotal_category(el: Element, doc: _Doc, out: Fired, cat: str) -> None:
    subtotal = el.getparent()
    assert subtotal is not None
    has_il, has_cnl = bool(doc.all(INVOICE_LINE)), bool(doc.all(CREDIT_NOTE_LINE))
    taxable_nodes = subtotal.findall(TAXABLE)
    tax_nodes = subtotal.findall(TAX_AMOUNT)

    if cat in ("S", "L", "M"):
        def x08() -> bool:
            for rate in _decs(el.findall(PERCENT)):
                if not taxable_nodes:
                    return False
                low = dbl_minus(string_value(taxable_nodes[0]), -1)
                high = dbl_minus(string_value(taxable_nodes[0]), 1)
                ok = False
                for kind, present in ((INVOICE_LINE, has_il), (CREDIT_NOTE_LINE, has_cnl)):
                    if cat == "S":
                        present = (kind, "S", rate) in _line_rate_keys(doc, kind) or _ac_rate_exists(doc, rate)
                    if present:
                        total = doc.sums().total_rate(kind, cat, rate)
                        if low < total < high:
                            ok = True
                if not ok:
                    return False
            return True

        def x09() -> bool:
            tax, base = dec_opt(tax_nodes), dec_opt(taxable_nodes)
            rates = _decs(el.findall(PERCENT))
            if tax is None or base is None or not rates:
                return False
            expected = round2(abs(base) * (rates[0] / 100))
            return abs(tax) - 1 < expected < abs(tax) + 1

        _check(out, el, CATEGORY_RULES[cat][8], x08)
        _check(out, el, CATEGORY_RULES[cat][9], x09)
        _check(out, el, CATEGORY_RULES[cat][10], lambda: not el.findall(EXEMPTION) and not el.findall(EXEMPTION_CODE))
        return

    def x08_exact() -> bool:
        taxable = dec_opt(taxable_nodes)
        if taxable is None:
            return False
        return (has_il and taxable == doc.sums().total(INVOICE_LINE, cat)) or \
            (has_cnl and taxable == doc.sums().total(CREDIT_NOTE_LINE, cat))

    _check(out, el, CATEGORY_RULES[cat][8], x08_exact)
    _check(out, el, CATEGORY_RULES[cat][9], lambda: dec_opt(tax_nodes) == 0)
    if cat == "Z":
        _check(out, el, "BR-Z-10", lambda: not el.findall(EXEMPTION) and not el.findall(EXEMPTION_CODE))
    else:
        _check(out, el, CATEGORY_RULES[cat][10], lambda: bool(el.findall(EXEMPTION) or el.findall(EXEMPTION_CODE)))


def _line_rate_keys(doc: _Doc, kind: str) -> set[tuple[str, str, Decimal]]:
    """(kind, category, rate) of every line anywhere in the document (``//cac:InvoiceLine[...]``)."""
    key = "lrk" + kind
    if key not in doc._cache:
        keys: set[tuple[str, str, Decimal]] = set()
        lines = doc.all(kind)
        if all(line.parent is doc.root for line in lines):  # the usual case: the sums pass has them
            doc._cache[key] = {k for k in doc.sums().line_keys_cat_rate if k[0] == kind}
            return doc._cache[key]  # type: ignore[return-value]
        for line in lines:
            ctcs = path(line, A_Item, CLASSIFIED)
            cats = {nsv(c.findall(ID)) for c in ctcs}
            rates = {v for c in ctcs for v in _decs(c.findall(PERCENT))}
            keys.update((kind, c, r) for c in cats for r in rates)
        doc._cache[key] = keys
    return doc._cache[key]  # type: ignore[return-value]


def _ac_rate_exists(doc: _Doc, rate: Decimal) -> bool:
    """Whether some ``//cac:AllowanceCharge`` (any level) has a TaxCategory with ID S and one with this
    Percent (the two tests are separate, as in BR-S-08)."""
    if "acs" not in doc._cache:
        rates: set[Decimal] = set()
        for ac in doc.all(ALLOWANCE_CHARGE):
            tcs = ac.findall(TAX_CATEGORY)
            if any(nsv(t.findall(ID)) == "S" for t in tcs):
                rates.update(v for t in tcs for v in _decs(t.findall(PERCENT)))
        doc._cache["acs"] = rates
    return rate in doc._cache["acs"]  # type: ignore[operator]


def _rate_rule(out: Fired, el: Element, rule: str, cat: str) -> None:
    percents = el.kids.get(PERCENT, _NONE)
    if cat == "O":
        if percents:
            out.append((rule, el))
    elif cat == "S":
        _check(out, el, rule, _any_at_least, percents, True)
    elif cat in ("L", "M"):
        _check(out, el, rule, _any_at_least, percents, False)
    else:
        _check(out, el, rule, _is_zero, percents)


def _is_zero(nodes: list[Element]) -> bool:
    """``xs:decimal(node) = 0`` (false for no node)."""
    return dec_opt(nodes) == 0


# ====================================================================== dispatch: one walk, two patterns
def _parent_tag(el: Element, up: int = 1) -> str | None:
    node: Element | None = el
    for _ in range(up):
        node = node.getparent() if node is not None else None
    return node.tag if node is not None else None


def _is_document_child(el: Element) -> bool:
    parent = el.getparent()
    return parent is not None and parent.tag in _ROOTS and parent.getparent() is None


def _model(el: Element, doc: _Doc, out: Fired) -> None:
    """The model pattern: the first matching context of ``el``, its assertions."""
    handler = _MODEL_BY_TAG.get(el.tag)
    if handler is not None:
        parent = el.parent
        handler(el, doc, out, parent, parent.tag if parent is not None else None)


# The contexts of the model pattern, grouped by the element name each requires. Within one name they keep
# the official order (the first match wins); contexts of different names can never both match, so looking
# the name up first gives the same first match as trying every context in turn.
_Handler = Callable[[Element, "_Doc", Fired, "Element | None", "str | None"], None]


def _m_additional_document_reference(el: Element, doc: _Doc, out: Fired, parent: Element | None,
                                     ptag: str | None) -> None:
    _check(out, el, "BR-52", lambda: nsv(el.findall(ID)) != "")


def _m_endpoint_id(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag == PARTY:
        grand = _parent_tag(el, 2)
        if grand == A_AccountingCustomerParty:
            _check(out, el, "BR-63", lambda: "schemeID" in el.attrib)
        elif grand == A_AccountingSupplierParty:
            _check(out, el, "BR-62", lambda: "schemeID" in el.attrib)


def _m_postal_address(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    grand = _parent_tag(el, 2) if ptag == PARTY else None
    if grand == A_AccountingCustomerParty:
        _check(out, el, "BR-11", lambda: nsv(path(el, A_Country, B_IdentificationCode)) != "")
    elif grand == A_AccountingSupplierParty:
        _check(out, el, "BR-09", lambda: nsv(path(el, A_Country, B_IdentificationCode)) != "")
    elif ptag == A_TaxRepresentativeParty:
        _check(out, el, "BR-20", lambda: nsv(path(el, A_Country, B_IdentificationCode)) != "")


def _m_primary_account_number(el: Element, doc: _Doc, out: Fired, parent: Element | None,
                              ptag: str | None) -> None:
    if ptag == A_CardAccount and _parent_tag(el, 2) == A_PaymentMeans:
        _check(out, el, "BR-51", lambda: len(normalize_space(string_value(el))) <= 10)


def _m_address(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag == A_DeliveryLocation and _parent_tag(el, 2) == A_Delivery:
        _check(out, el, "BR-57", lambda: bool(path(el, A_Country, B_IdentificationCode)))


def _m_allowance_charge(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if _is_document_child(el) and any(_indicators(el)):
        _ac_document_allowance(el, doc, out, charge=not _indicators(el)[0])
    elif ptag in LINES and any(_indicators(el)):
        _line_allowance_charge(el, out, charge=not _indicators(el)[0])


def _m_root(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if parent is None:
        _g_root(el, doc, out)


def _m_invoice_period(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag in LINES:
        _g_line_period(el, doc, out)
    else:
        _g_period(el, doc, out)


def _m_additional_item_property(el: Element, doc: _Doc, out: Fired, parent: Element | None,
                                ptag: str | None) -> None:
    _check(out, el, "BR-54", lambda: bool(el.findall(B_Name) and el.findall(B_Value)))


def _m_item_classification_code(el: Element, doc: _Doc, out: Fired, parent: Element | None,
                                ptag: str | None) -> None:
    if ptag == A_CommodityClassification and _parent_tag(el, 2) == A_Item and _parent_tag(el, 3) in LINES:
        _check(out, el, "BR-65", lambda: "listID" in el.attrib)


def _m_id(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag == A_StandardItemIdentification and _parent_tag(el, 2) == A_Item and _parent_tag(el, 3) in LINES:
        _check(out, el, "BR-64", lambda: "schemeID" in el.attrib)


def _m_note(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag in _ROOTS and parent is not None and parent.getparent() is None:
        _g_note(el, doc, out)


def _m_payee_financial_account(el: Element, doc: _Doc, out: Fired, parent: Element | None,
                               ptag: str | None) -> None:
    if ptag == A_PaymentMeans and parent is not None and any(
            string_value(c) in ("30", "58") for c in parent.findall(B_PaymentMeansCode)):
        _check(out, el, "BR-50", lambda: nsv(el.findall(ID)) != "")


def _m_billing_reference(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    _check(out, el, "BR-55", lambda: bool(path(el, A_InvoiceDocumentReference, ID)))


def _m_tax_total(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if _is_document_child(el):
        _g_tax_total(el, doc, out)


def _m_tax_subtotal(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if ptag == TAX_TOTAL:
        _g_subtotal(el, doc, out)


def _m_party_tax_scheme(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    if is_vat(el):
        _g_party_tax_scheme(el, doc, out)


def _m_category(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
    _category(el, doc, out, ptag)


def _m_group(group: Callable[[Element, _Doc, Fired], None]) -> _Handler:
    def handler(el: Element, doc: _Doc, out: Fired, parent: Element | None, ptag: str | None) -> None:
        group(el, doc, out)
    return handler


def _category(el: Element, doc: _Doc, out: Fired, ptag: str | None) -> None:
    ids = el.kids.get(ID)
    cat = normalize_space(ids[0].string_value) if ids else ""
    if cat not in CATEGORY_FAMILY or not is_vat(el):
        return
    parent = el.parent
    assert parent is not None
    if el.tag == TAX_CATEGORY:
        if ptag == TAX_SUBTOTAL and _parent_tag(el, 2) == TAX_TOTAL:
            total = parent.getparent()
            assert total is not None
            top = total.getparent()
            if top is not None and top.getparent() is None:
                _g_subtotal_category(el, doc, out, cat)
                return
        if ptag == ALLOWANCE_CHARGE:
            is_false, is_true = _indicators(parent)
            if is_false:
                _rate_rule(out, el, CATEGORY_RULES[cat][6], cat)
            elif is_true:
                _rate_rule(out, el, CATEGORY_RULES[cat][7], cat)
    elif ptag == A_Item and (grand := parent.parent) is not None and grand.tag in LINES:
        _rate_rule(out, el, CATEGORY_RULES[cat][5], cat)


# ---------------------------------------------------------------------------- the code-list pattern
_AMOUNTS = {_b(n) for n in ("Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount",
                            "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount",
                            "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount",
                            "PayableRoundingAmount", "PayableAmount")}
_QUANTITIES = {B_InvoicedQuantity, B_BaseQuantity, B_CreditedQuantity}


def _in_list(value: str, name: str) -> bool:
    """``not(contains(v, ' ')) and contains(' list ', concat(' ', v, ' '))`` with v normalized: for a v
    without a space, whether v is one of the list's codes (no code has a space: :func:`.code_set`)."""
    return " " not in value and value in code_set(name)


#: The code-list contexts that are a plain membership test: (tag, parent tag or None for any parent) ->
#: (rule, attribute tested or None for the element's text, code list, whether the context requires the
#: attribute, as ``cbc:EndpointID[@schemeID]`` does).
_CODE_CONTEXTS: dict[tuple[str, str | None], tuple[str, str | None, str, bool]] = {
    (B_InvoiceTypeCode, None): ("BR-CL-01", None, "untdid1001-invoice", False),
    (B_CreditNoteTypeCode, None): ("BR-CL-01", None, "untdid1001-credit-note", False),
    **{(amount, None): ("BR-CL-03", "currencyID", "iso4217", False) for amount in _AMOUNTS},
    (B_DocumentCurrencyCode, None): ("BR-CL-04", None, "iso4217", False),
    (B_TaxCurrencyCode, None): ("BR-CL-05", None, "iso4217", False),
    (B_DescriptionCode, A_InvoicePeriod): ("BR-CL-06", None, "untdid2005-subset", False),
    (COMPANY_ID, A_PartyLegalEntity): ("BR-CL-11", "schemeID", "iso6523-icd", True),
    (B_ItemClassificationCode, A_CommodityClassification): ("BR-CL-13", "listID", "untdid7143", True),
    (B_IdentificationCode, A_Country): ("BR-CL-14", None, "iso3166-1", False),
    (B_IdentificationCode, A_OriginCountry): ("BR-CL-15", None, "iso3166-1", False),
    (B_PaymentMeansCode, A_PaymentMeans): ("BR-CL-16", None, "untdid4461", False),
    (ID, TAX_CATEGORY): ("BR-CL-17", None, "untdid5305-subset", False),
    (ID, CLASSIFIED): ("BR-CL-18", None, "untdid5305-subset", False),
    (ID, A_StandardItemIdentification): ("BR-CL-21", "schemeID", "iso6523-icd", True),
    **{(quantity, None): ("BR-CL-23", "unitCode", "unece-rec20-rec21", True) for quantity in _QUANTITIES},
    (B_EndpointID, None): ("BR-CL-25", "schemeID", "cef-eas", True),
    (ID, A_DeliveryLocation): ("BR-CL-26", "schemeID", "iso6523-icd", True),
}


def _codes(el: Element, ptag: str | None, out: Fired) -> None:
    """The code-list pattern: the context ``el`` (its parent's name ``ptag``) matches (at most one), its
    assertion."""
    tag = el.tag
    parent = el.parent
    spec = _CODE_ANY_PARENT.get(tag)
    if spec is None:
        under = _CODE_UNDER.get(tag)
        if under is not None:
            spec = under.get(ptag)  # type: ignore[arg-type]
    if spec is not None:
        rule, attribute, name, required = spec
        if attribute is None:
            value = normalize_space(el.string_value)
        else:
            raw = el.el.get(attribute)
            if raw is None:
                if required:
                    return
                raw = ""
            value = normalize_space(raw)
        if " " in value or value not in code_set(name):  # not _in_list(value, name), without the call
            out.append((rule, el))
        return
    if tag == ID and parent is not None and (scheme_id := el.el.get("schemeID")) is not None:
        scheme = normalize_space(scheme_id)
        if ptag in (A_AdditionalDocumentReference, A_DocumentReference):
            if any(string_value(c) == "130" for c in parent.findall(B_DocumentTypeCode)) \
                    and not _in_list(scheme, "untdid1153"):
                out.append(("BR-CL-07", el))
        elif ptag == A_PartyIdentification and not _in_list(scheme, "iso6523-icd") and not (
                scheme == "SEPA" and any(a.tag in (A_AccountingSupplierParty, A_PayeeParty)
                                         for a in el.iterancestors())):
            out.append(("BR-CL-10", el))
    elif tag == REASON_CODE and ptag == ALLOWANCE_CHARGE and parent is not None:
        is_false, is_true = _indicators(parent)
        value = normalize_space(el.string_value)
        if is_false:
            if not _in_list(value, "untdid5189-subset"):
                out.append(("BR-CL-19", el))
        elif is_true and not _in_list(value, "untdid7161"):
            out.append(("BR-CL-20", el))
    elif tag == EXEMPTION_CODE:
        value = normalize_space(el.string_value)
        upper = normalize_space(el.string_value.upper())
        # as in _in_list, a value without a space is in the list when it is one of its codes; one with a
        # space (which upper-casing is not known to add) keeps the substring test
        if not (" " not in value and (upper in code_set("cef-vatex")
                                      or (" " in upper and f" {upper} " in joined("cef-vatex")))):
            out.append(("BR-CL-22", el))
    elif tag == B_EmbeddedDocumentBinaryObject and "mimeCode" in el.attrib \
            and el.get("mimeCode") not in codes("mime-codes"):
        out.append(("BR-CL-24", el))


#: The same, by name: the contexts for any parent, and those for given parents (no name has both, so the
#: first match is the one context there is).
_CODE_ANY_PARENT = {tag: spec for (tag, ptag), spec in _CODE_CONTEXTS.items() if ptag is None}
_CODE_UNDER: dict[str, dict[str, tuple[str, str | None, str, bool]]] = {}
for (_tag, _ptag), _spec in _CODE_CONTEXTS.items():
    if _ptag is not None:
        _CODE_UNDER.setdefault(_tag, {})[_ptag] = _spec
assert not set(_CODE_ANY_PARENT) & set(_CODE_UNDER)


def fire(root: etree._Element, tree: Tree | None = None) -> list[tuple[str, etree._Element]]:
    """Every firing of a business rule on a UBL document: ``(rule id, context element)`` in document order
    (model pattern first, then code lists, as the official engine reports them). ``tree``: the mirror of
    ``root`` when the caller built it (and releases it); else one is built and released here."""
    doc = _Doc(root, tree)
    model: Fired = []
    code_lists: Fired = []
    by_tag, code_tags, id_parents = _MODEL_BY_TAG, _CODE_TAGS, _ID_PARENTS
    for el in doc.elements:
        tag = el.tag
        parent = el.parent
        ptag = parent.tag if parent is not None else None
        if tag == ID and ptag not in id_parents:
            continue  # the commonest element; below other parents no context of either pattern is a cbc:ID
        handler = by_tag.get(tag)
        if handler is not None:
            handler(el, doc, model, parent, ptag)
        if tag in code_tags:
            _codes(el, ptag, code_lists)
    fired: list[tuple[str, etree._Element]] = [(rule, node.el) for rule, node in model + code_lists]
    if tree is None:
        doc.tree.release()
    return fired


#: Tags some context of the model pattern / the code-list pattern can match (the rest are skipped).
_MODEL_TAGS = _ROOTS | {_a(n) for n in (
    "AdditionalDocumentReference", "PostalAddress", "Address", "AllowanceCharge", "LegalMonetaryTotal",
    "InvoiceLine", "CreditNoteLine", "InvoicePeriod", "AdditionalItemProperty", "PayeeParty",
    "PayeeFinancialAccount", "PaymentMeans", "BillingReference", "AccountingSupplierParty",
    "TaxRepresentativeParty", "TaxTotal", "TaxSubtotal", "PartyTaxScheme", "TaxCategory",
    "ClassifiedTaxCategory")} | {_b(n) for n in (
        "EndpointID", "PrimaryAccountNumberID", "ItemClassificationCode", "ID", "Note")}
_CODE_TAGS = _AMOUNTS | _QUANTITIES | {_b(n) for n in (
    "InvoiceTypeCode", "CreditNoteTypeCode", "DocumentCurrencyCode", "TaxCurrencyCode", "DescriptionCode", "ID",
    "CompanyID", "ItemClassificationCode", "IdentificationCode", "PaymentMeansCode", "AllowanceChargeReasonCode",
    "TaxExemptionReasonCode", "EmbeddedDocumentBinaryObject", "EndpointID")}

#: The parents below which a cbc:ID can be a context of the model pattern (:func:`_m_id`) or of the code-list
#: pattern (:data:`_CODE_CONTEXTS`, and the schemeID tests of :func:`_codes`); below any other, neither
#: pattern has anything to check on it.
_ID_PARENTS = frozenset({A_StandardItemIdentification, A_AdditionalDocumentReference, A_DocumentReference,
                         A_PartyIdentification} | set(_CODE_UNDER[ID]))

#: The model pattern's contexts by the element name they require (see :func:`_model`).
_MODEL_BY_TAG: dict[str, _Handler] = {
    A_AdditionalDocumentReference: _m_additional_document_reference,
    B_EndpointID: _m_endpoint_id,
    A_PostalAddress: _m_postal_address,
    B_PrimaryAccountNumberID: _m_primary_account_number,
    A_Address: _m_address,
    ALLOWANCE_CHARGE: _m_allowance_charge,
    A_LegalMonetaryTotal: _m_group(_g_monetary_total),
    **{root: _m_root for root in _ROOTS},
    **{line: _m_group(_g_line) for line in LINES},
    A_InvoicePeriod: _m_invoice_period,
    A_AdditionalItemProperty: _m_additional_item_property,
    B_ItemClassificationCode: _m_item_classification_code,
    ID: _m_id,
    B_Note: _m_note,
    A_PayeeParty: _m_group(_g_payee),
    A_PayeeFinancialAccount: _m_payee_financial_account,
    A_PaymentMeans: _m_group(_g_payment_means),
    A_BillingReference: _m_billing_reference,
    A_AccountingSupplierParty: _m_group(_g_supplier),
    A_TaxRepresentativeParty: _m_group(_g_tax_representative),
    TAX_TOTAL: _m_tax_total,
    TAX_SUBTOTAL: _m_tax_subtotal,
    PTS: _m_party_tax_scheme,
    TAX_CATEGORY: _m_category,
    CLASSIFIED: _m_category,
}
assert set(_MODEL_BY_TAG) == _MODEL_TAGS
