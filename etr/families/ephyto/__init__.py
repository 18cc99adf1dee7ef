"""IPPC ePhyto phytosanitary certificates (UN/CEFACT SPS Certificate XML, ``SPSCertificate:17``).

Detected by the root element ``SPSCertificate`` in ``urn:un:unece:uncefact:data:standard:SPSCertificate:<n>``;
the version is ``<n>`` (17, the one the IPPC hub exchanges). The hub's XSD is not shipped (its
licence is not stated) and would say little: nearly every element in it is optional. The checks
are etr's own rules (:mod:`etr.families.ephyto.rules`): the ISPM 12 mandatory boxes (C2), code lists
(C3), consistency, replacement (C7) and dates (C9); then the checks that need the hub
(C4 proof, C5 issuing NPPO, C6 status) as ``CERT-…`` findings naming the lookup.

The certificate is not transferable: nothing here is about control.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...load import Document
from ...model import Finding, Location, Outcome, Severity
from ...rules import XmlLocator
from .. import Match
from ..certificates import ISSUER_AUTHORITY, PROOF_ABSENT, PROOF_NOT_VERIFIED, STATUS, lookup_finding
from ..certificates import local_name as _local
from .rules import (
    DEFAULT_VERSION,
    ISPM12,
    NS_DSIG,
    STATUS_ISSUED,
    VERSIONS,
    Certificate,
    read,
    rules,
    text,
    walk,
)

__all__ = ["DEFAULT_VERSION", "FAMILY", "VERSIONS", "EphytoFamily"]

_NS_PREFIX = "urn:un:unece:uncefact:data:standard:SPSCertificate:"


class EphytoFamily:
    """The IPPC ePhyto (SPS Certificate XML) family."""

    name = "ephyto"
    title = "IPPC ePhyto phytosanitary certificate (UN/CEFACT SPS Certificate XML)"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    schema_files: tuple[str, ...] = ()

    def detect(self, document: Document) -> Match | None:
        root = document.content
        tag = getattr(root, "tag", None)
        if document.syntax != "xml" or not isinstance(tag, str) or not tag.startswith("{" + _NS_PREFIX):
            return None
        namespace, _, local = tag[1:].partition("}")
        if local != "SPSCertificate":
            return None
        return Match(self.name, namespace[len(_NS_PREFIX):] or None, None, f"root SPSCertificate in {namespace}")

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        root = document.content
        if self.detect(document) is None:  # --family ephyto on another document
            what = f"root {_local(root.tag)!r}" if document.syntax == "xml" else f"{document.syntax} content"
            location = Location(xpath="/*", line=root.sourceline) if document.syntax == "xml" \
                else Location(pointer="")
            yield Finding("PHYTO-MISSING", Severity.ERROR, f"no SPSCertificate in the {_NS_PREFIX}<n> namespace "
                          f"({what}): not an ePhyto certificate", location, ISPM12)
            return
        locate = XmlLocator(root, attachment=document.attachment)
        cert = read(root, document.raw)
        yield from rules.run(version, lambda: cert, locate)
        yield from _lookups(cert, locate)


def _lookups(cert: Certificate, locate: XmlLocator) -> Iterator[Finding]:
    """C4, C5, C6: what only the hub (or a signature check etr does not make here) can settle."""
    number = text(cert.child(cert.document, "ID")) if cert.document is not None else ""
    consignment = cert.consignment
    country = text(walk(cert, consignment, ("ExportSPSCountry", "ID"))[0]) if consignment is not None else ""
    issuer = text(walk(cert, cert.document, ("IssuerSPSParty", "Name"))[0]) if cert.document is not None else ""
    certificate = f"NPPOCertificateNumber {number or '(none)'} from {country or '(no export country)'}"
    signature = next(iter(cert.index.get(f"{{{NS_DSIG}}}Signature", ())), None)
    if signature is not None:
        yield lookup_finding(PROOF_NOT_VERIFIED, "C4", "the certificate carries an XML signature; etr does not "
                             "verify XML signatures", f"verify the XMLDSig with the issuing NPPO's certificate "
                             f"(IPPC ePhyto Link 17) for {certificate}", location=locate(signature))
    else:
        yield lookup_finding(PROOF_ABSENT, "C4", "no XML signature in the certificate: its authenticity rests on "
                             "the IPPC hub envelope it came in", f"IPPC ePhyto hub delivery record (hubDeliveryNumber) "
                             f"of {certificate}", outcome=Outcome.NOT_APPLICABLE)
    yield lookup_finding(ISSUER_AUTHORITY, "C5", f"issuing NPPO {issuer or '(not named)'!r} not checked against "
                         "the IPPC hub's NPPO list (offline)", f"IPPC ePhyto hub GetActiveNppos: an active NPPO for "
                         f"country {country or '(none)'} named {issuer or '(none)'!r}")
    status_element = cert.child(cert.document, "StatusCode") if cert.document is not None else None
    status = text(status_element)
    lookup = f"IPPC ePhyto hub envelope tracking and CertificateStatus of {certificate} (withdrawn / replaced)"
    if status.isdigit() and status != STATUS_ISSUED:
        yield lookup_finding(STATUS, "C6", f"StatusCode {status!r} is not {STATUS_ISSUED} (issued): the certificate "
                             "may be withdrawn or replaced", lookup, severity=Severity.WARNING,
                             location=locate(status_element))
    else:
        yield lookup_finding(STATUS, "C6", "withdrawal or replacement of the certificate not checked (offline)",
                             lookup)


FAMILY = EphytoFamily()
