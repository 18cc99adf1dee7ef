"""Where a finding points: the element a rule is about, when the document has it.

The official rules report their context element (an invoice line, the monetary totals, a VAT breakdown's
category). Where a rule is about one value of that context (an amount with three decimals, a total that does
not add up, a rate) the finding points at that value's element instead, if present: ``FOCUS[syntax][rule]``
is its path relative to the context (ElementPath with the prefixes of :mod:`..xmlutil`). Otherwise, or when
the element is missing, the context element is the location.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from ..xmlutil import CII, UBL
from .meta import CATEGORY_RULES

__all__ = ["FOCUS", "focus_of"]

_UBL: dict[str, str] = {
    "BR-21": "cbc:ID", "BR-27": "cac:Price/cbc:PriceAmount", "BR-28": "cac:Price/cac:AllowanceCharge/cbc:BaseAmount",
    "BR-29": "cbc:EndDate", "BR-30": "cbc:EndDate", "BR-53": "cbc:TaxCurrencyCode",
    "BR-CO-03": "cbc:TaxPointDate", "BR-CO-09": "cbc:CompanyID", "BR-CO-10": "cbc:LineExtensionAmount",
    "BR-CO-11": "cbc:AllowanceTotalAmount", "BR-CO-12": "cbc:ChargeTotalAmount",
    "BR-CO-13": "cbc:TaxExclusiveAmount", "BR-CO-14": "cbc:TaxAmount",
    "BR-CO-15": "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "BR-CO-16": "cbc:PayableAmount",
    "BR-CO-17": "cbc:TaxAmount",
    "BR-DEC-01": "cbc:Amount", "BR-DEC-02": "cbc:BaseAmount", "BR-DEC-05": "cbc:Amount",
    "BR-DEC-06": "cbc:BaseAmount", "BR-DEC-09": "cbc:LineExtensionAmount", "BR-DEC-10": "cbc:AllowanceTotalAmount",
    "BR-DEC-11": "cbc:ChargeTotalAmount", "BR-DEC-12": "cbc:TaxExclusiveAmount",
    "BR-DEC-14": "cbc:TaxInclusiveAmount", "BR-DEC-16": "cbc:PrepaidAmount", "BR-DEC-17": "cbc:PayableRoundingAmount",
    "BR-DEC-18": "cbc:PayableAmount", "BR-DEC-19": "cbc:TaxableAmount", "BR-DEC-20": "cbc:TaxAmount",
    "BR-DEC-23": "cbc:LineExtensionAmount", "BR-DEC-24": "cbc:Amount", "BR-DEC-25": "cbc:BaseAmount",
    "BR-DEC-27": "cbc:Amount", "BR-DEC-28": "cbc:BaseAmount",
}
_CII: dict[str, str] = {
    "BR-21": "ram:AssociatedDocumentLineDocument/ram:LineID",
    "BR-27": "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
    "BR-28": "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount",
    "BR-29": "ram:EndDateTime", "BR-30": "ram:EndDateTime", "BR-CO-10": "ram:LineTotalAmount",
    "BR-CO-11": "ram:AllowanceTotalAmount", "BR-CO-12": "ram:ChargeTotalAmount", "BR-CO-13": "ram:TaxBasisTotalAmount",
    "BR-CO-15": "ram:GrandTotalAmount", "BR-CO-16": "ram:DuePayableAmount", "BR-CO-17": "ram:CalculatedAmount",
    "BR-DEC-01": "../ram:ActualAmount", "BR-DEC-02": "../ram:BasisAmount", "BR-DEC-05": "../ram:ActualAmount",
    "BR-DEC-06": "../ram:BasisAmount", "BR-DEC-09": "ram:LineTotalAmount", "BR-DEC-10": "ram:AllowanceTotalAmount",
    "BR-DEC-11": "ram:ChargeTotalAmount", "BR-DEC-12": "ram:TaxBasisTotalAmount", "BR-DEC-13": "ram:TaxTotalAmount",
    "BR-DEC-14": "ram:GrandTotalAmount", "BR-DEC-15": "ram:TaxTotalAmount", "BR-DEC-16": "ram:TotalPrepaidAmount",
    "BR-DEC-17": "ram:RoundingAmount", "BR-DEC-18": "ram:DuePayableAmount", "BR-DEC-19": "ram:BasisAmount",
    "BR-DEC-20": "ram:CalculatedAmount",
    "BR-DEC-23": "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                 "ram:LineTotalAmount",
    "BR-DEC-24": "../ram:ActualAmount", "BR-DEC-25": "../ram:BasisAmount", "BR-DEC-27": "../ram:ActualAmount",
    "BR-DEC-28": "../ram:BasisAmount",
}
for _rules in CATEGORY_RULES.values():
    for _n in (5, 6, 7):
        _UBL[_rules[_n]] = "cbc:Percent"
        _CII[_rules[_n]] = "ram:RateApplicablePercent"
    _UBL[_rules[8]] = "../cbc:TaxableAmount"
    _UBL[_rules[9]] = "../cbc:TaxAmount"
    _CII[_rules[8]] = "../ram:BasisAmount"  # the CII contexts of x-08/09 are the category code
    _CII[_rules[9]] = "../ram:CalculatedAmount"

#: syntax -> rule id -> path of the element the rule is about, relative to its context element.
FOCUS: Mapping[str, Mapping[str, str]] = {"UBL": _UBL, "CII": _CII}
_NS = {"UBL": UBL, "CII": CII}


def focus_of(rule: str, context: etree._Element, syntax: str) -> etree._Element:
    """The element a finding of ``rule`` on ``context`` points at (``context`` itself when the rule has no
    focus or the focused element is absent)."""
    path = FOCUS[syntax].get(rule)
    if path is None:
        return context
    found = context.find(path, namespaces=_NS[syntax])
    return found if found is not None else context
