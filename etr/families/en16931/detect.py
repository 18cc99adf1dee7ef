"""What an e-invoice is: its syntax, document type, specification identifier (BT-24) and profile.

EN 16931-1 has two syntax bindings (EN 16931-3-2 UBL 2.1, EN 16931-3-3 UN/CEFACT CII D16B); the
root element names the syntax and the document type. BT-24, the specification identifier, sits
in ``cbc:CustomizationID`` (UBL) or in
``rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID`` (CII). A
Factur-X / ZUGFeRD 2 invoice is a CII invoice whose BT-24 names its level (Factur-X 1.0 § 6.1):
MINIMUM and BASIC WL are not EN 16931 invoices, so the business rules do not apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#: ZUGFeRD 1.0's root (``CrossIndustryDocument``): recognised, but not an EN 16931 syntax.
ZUGFERD1_NS = "urn:ferd:CrossIndustryDocument:invoice:1p0"

SyntaxName = Literal["UBL", "CII"]

#: Root element (Clark notation) -> (syntax, document type).
ROOTS: dict[str, tuple[SyntaxName, str]] = {
    f"{{{UBL_INVOICE_NS}}}Invoice": ("UBL", "Invoice"),
    f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote": ("UBL", "CreditNote"),
    f"{{{CII_NS}}}CrossIndustryInvoice": ("CII", "CrossIndustryInvoice"),
}
ZUGFERD1_ROOT = f"{{{ZUGFERD1_NS}}}CrossIndustryDocument"

#: Factur-X / ZUGFeRD 2 levels, keyed by the BT-24 value that names them (Factur-X 1.0.07+ § 6.1,
#: the values factur-x's ``get_level`` reads), with their display name and whether the level is an
#: EN 16931 invoice (MINIMUM and BASIC WL carry too little to be one).
FACTURX_LEVELS: dict[str, tuple[str, str, bool]] = {
    "urn:factur-x.eu:1p0:minimum": ("minimum", "MINIMUM", False),
    "urn:factur-x.eu:1p0:basicwl": ("basicwl", "BASIC WL", False),
    "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic": ("basic", "BASIC", True),
    "urn:cen.eu:en16931:2017": ("en16931", "EN 16931", True),
    "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended": ("extended", "EXTENDED", True),
}


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    """What :func:`read_invoice` read off a document's root."""

    syntax: SyntaxName
    document_type: str
    #: BT-24 as written (whitespace trimmed), or ``None`` when absent (BR-01 reports that).
    specification_identifier: str | None
    #: The Factur-X level key (``minimum`` … ``extended``) BT-24 names, for CII only, else ``None``.
    facturx_level: str | None

    @property
    def en16931(self) -> bool:
        """Whether the EN 16931 rules apply: every UBL/CII invoice except Factur-X MINIMUM and BASIC WL."""
        if self.facturx_level is None:
            return True
        return next(v[2] for v in FACTURX_LEVELS.values() if v[0] == self.facturx_level)

    @property
    def facturx_name(self) -> str | None:
        """The Factur-X level as the specification writes it (``EN 16931``, ``BASIC WL`` …)."""
        return next((v[1] for v in FACTURX_LEVELS.values() if v[0] == self.facturx_level), None)


def _text(element: Any) -> str | None:
    if element is None or element.text is None:
        return None
    value = " ".join(element.text.split())
    return value or None


def specification_identifier(root: Any, syntax: SyntaxName) -> str | None:
    """BT-24 of the document ``root`` (an lxml element), or ``None``."""
    if syntax == "UBL":
        return _text(root.find(f"{{{CBC_NS}}}CustomizationID"))
    return _text(root.find(f"{{{CII_NS}}}ExchangedDocumentContext/"
                           f"{{{RAM_NS}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM_NS}}}ID"))


def read_invoice(root: Any) -> InvoiceInfo | None:
    """Syntax, document type, BT-24 and Factur-X level of ``root``, or ``None`` when ``root`` is not a
    UBL 2.1 Invoice / CreditNote nor a CII CrossIndustryInvoice. Never raises."""
    tag = getattr(root, "tag", None)
    if not isinstance(tag, str) or tag not in ROOTS:
        return None
    syntax, document_type = ROOTS[tag]
    spec = specification_identifier(root, syntax)
    level = FACTURX_LEVELS[spec][0] if syntax == "CII" and spec in FACTURX_LEVELS else None
    return InvoiceInfo(syntax, document_type, spec, level)


def is_zugferd1(root: Any) -> bool:
    """Whether ``root`` is a ZUGFeRD 1.0 ``CrossIndustryDocument`` (not an EN 16931 syntax)."""
    return getattr(root, "tag", None) == ZUGFERD1_ROOT
