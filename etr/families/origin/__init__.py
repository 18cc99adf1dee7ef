"""Certificates of origin: OASIS UBL 2.x ``CertificateOfOrigin`` XML and TradeTrust certificate-of-origin JSON.

Versions: ``ubl-2.1`` … ``ubl-2.4`` (from the document's ``cbc:UBLVersionID``; default
``ubl-2.1``) and ``tradetrust`` (the TradeTrust data fields, read from a raw, unwrapped
OpenAttestation v2 document's root or a TradeTrust W3C VC's ``credentialSubject``). A wrapped
OpenAttestation document (``signature.targetHash``) belongs to the ``openattestation`` family,
which calls :func:`check_tradetrust_data` on its revealed data.

UBL checks: the OASIS XSD when ``ETR_UBL_SCHEMAS`` names an installed bundle (else the info
``COO-XSD-NOT-RUN`` says so), then the project's rules (:mod:`etr.families.origin.ubl`). Then,
for every format, the checks C4–C6 that need a lookup (``CERT-…``, naming it).

A certificate of origin is not a transferable record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...errors import EnvironmentProblem
from ...load import Document
from ...model import Finding, Location, Outcome, Severity
from ...rules import XmlLocator
from ...schemas import compiled_xsd, xsd_findings
from .. import Match
from ..certificates import ISSUER_AUTHORITY, PROOF_ABSENT, PROOF_NOT_VERIFIED, STATUS, lookup_finding, text_of
from . import ubl
from .tradetrust import check_tradetrust_data, looks_like_coo

__all__ = ["DEFAULT_VERSION", "FAMILY", "VERSIONS", "OriginFamily", "check_tradetrust_data"]

TRADETRUST = "tradetrust"
VERSIONS = (*(f"ubl-{v}" for v in ubl.UBL_VERSIONS), TRADETRUST)
DEFAULT_VERSION = "ubl-2.1"
TRUSTVC_COO_CONTEXT = "https://trustvc.io/context/coo.json"
_ROOT = f"{{{ubl.NS_COO}}}CertificateOfOrigin"


def _is_wrapped_oa(content: Mapping[str, Any]) -> bool:
    signature = content.get("signature")
    return isinstance(signature, Mapping) and "targetHash" in signature


def _vc_coo(content: Mapping[str, Any]) -> bool:
    context = content.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return TRUSTVC_COO_CONTEXT in contexts and isinstance(content.get("credentialSubject"), Mapping)


class OriginFamily:
    """Certificates of origin (UBL CertificateOfOrigin-2, TradeTrust CoO data)."""

    name = "origin"
    title = "Certificate of origin (OASIS UBL CertificateOfOrigin-2; TradeTrust CoO)"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    schema_files: tuple[str, ...] = ()

    def detect(self, document: Document) -> Match | None:
        content = document.content
        if document.syntax == "xml":
            if getattr(content, "tag", None) != _ROOT:
                return None
            declared = ubl.text(content.find(ubl.cbc("UBLVersionID")))
            return Match(self.name, f"ubl-{declared}" if declared else None, "UBL",
                         "root CertificateOfOrigin in the UBL CertificateOfOrigin-2 namespace")
        if document.syntax != "json" or not isinstance(content, dict) or _is_wrapped_oa(content):
            return None
        if _vc_coo(content):
            return Match(self.name, TRADETRUST, "TradeTrust W3C VC", f"@context {TRUSTVC_COO_CONTEXT}")
        if looks_like_coo(content):
            return Match(self.name, TRADETRUST, "TradeTrust (raw OpenAttestation v2 data)",
                         "supplyChainConsignment with a certificate-of-origin template or isPreferential")
        return None

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        content = document.content
        if document.syntax == "xml":
            yield from self._check_ubl(document, version)
        elif isinstance(content, Mapping):
            yield from self._check_tradetrust(content)
        else:
            yield Finding("COO-TT-TYPE", Severity.ERROR, "the certificate of origin is not a JSON object",
                          Location(pointer=""), "TradeTrust certificate of origin")

    def _check_ubl(self, document: Document, version: str) -> Iterator[Finding]:
        root = document.content
        if not version.startswith("ubl-"):
            yield Finding("COO-VERSION-FORMAT", Severity.ERROR, f"version {version!r} is not a UBL version: a UBL "
                          f"certificate of origin is checked as one of {', '.join(VERSIONS[:-1])}",
                          Location(xpath=f"/{root.prefix + ':' if root.prefix else ''}CertificateOfOrigin",
                                   line=root.sourceline), "etr family detection")
            return
        ubl_version = version[len("ubl-"):]
        if root.tag != _ROOT:  # --family origin on another XML document
            yield Finding("COO-MISSING", Severity.ERROR, f"the root element is {root.tag!r}, not CertificateOfOrigin "
                          f"in {ubl.NS_COO}: not a UBL certificate of origin",
                          Location(xpath="/*", line=root.sourceline), ubl.UBL)
            return
        locate = XmlLocator(root, attachment=document.attachment)
        try:
            bundle = ubl.bundle_xsd(ubl_version)
            schema = compiled_xsd(bundle[1], bundle[0]) if bundle is not None else None
        except EnvironmentProblem as exc:
            # The user's bundle, not the document, is at fault; the driver reports one input at a time,
            # so this is the finding that says how to fix the setting (never an "internal error").
            yield Finding("COO-UBL-SCHEMAS", Severity.ERROR, f"the OASIS UBL XSD could not be used: {exc}",
                          reference=f"etr configuration ({ubl.SCHEMAS_ENV})",
                          detail={"hint": exc.hint} if exc.hint else None)
        else:
            if schema is None:
                yield Finding("COO-XSD-NOT-RUN", Severity.INFO, f"the OASIS UBL {ubl_version} CertificateOfOrigin XSD "
                              f"was not run: set {ubl.SCHEMAS_ENV} to an installed OASIS UBL bundle (etr does not "
                              "ship it)", reference=f"OASIS UBL {ubl_version} {ubl.maindoc(ubl_version)}")
            else:
                yield from xsd_findings(schema, root, "COO", f"OASIS UBL {ubl_version} {ubl.maindoc(ubl_version)}")
        yield from ubl.rules.run(ubl_version, lambda: root, locate)
        number = ubl.text(root.find(ubl.cbc("ID")))
        issuer = ubl.text(root.find(f"{ubl.cac('CertificateOfOriginApplication')}/{ubl.cac('IssuerParty')}"))
        signature = ubl.signature(root)
        certificate = f"certificate of origin {number or '(no ID)'}"
        if signature is not None:
            yield lookup_finding(PROOF_NOT_VERIFIED, "C4", "the certificate carries a signature; etr does not verify "
                                 "UBL / XML signatures", f"verify the signature of {certificate} with the issuing "
                                 "chamber's certificate", location=locate(signature))
        else:
            yield lookup_finding(PROOF_ABSENT, "C4", "the certificate carries no signature (cac:Signature or "
                                 "ds:Signature): nothing in it proves who issued it", f"the issuing chamber's "
                                 f"record of {certificate}", severity=Severity.WARNING, outcome=Outcome.FAIL,
                                 location=locate(""))
        yield lookup_finding(ISSUER_AUTHORITY, "C5", "the issuing chamber's accreditation is not checked (offline)",
                             f"ICC WCF certificate-of-origin verification: CO number {number or '(none)'} with the "
                             f"accreditation code of the issuer {issuer[:60] or '(not named)'!r}")
        yield lookup_finding(STATUS, "C6", "whether the certificate was cancelled or replaced is not checked "
                             "(offline)", f"ICC WCF certificate-of-origin verification / the issuing chamber's "
                             f"register: status of {certificate}")

    def _check_tradetrust(self, content: Mapping[str, Any]) -> Iterator[Finding]:
        vc = _vc_coo(content)
        base = "/credentialSubject" if vc else ""
        data = content["credentialSubject"] if vc else content
        yield from check_tradetrust_data(data, base)
        issuers = content.get("issuers")
        issuer = issuers[0] if isinstance(issuers, list) and issuers and isinstance(issuers[0], Mapping) else {}
        if vc:
            vc_issuer = content.get("issuer")
            issuer = vc_issuer if isinstance(vc_issuer, Mapping) else {"id": vc_issuer}
        store = text_of(issuer.get("documentStore")) or text_of(issuer.get("tokenRegistry")) \
            or text_of(issuer.get("id"))
        proof = issuer.get("identityProof")
        proof = proof if isinstance(proof, Mapping) else {}
        where = text_of(proof.get("location")) or "(no identityProof.location)"
        if vc and "proof" in content:
            yield lookup_finding(PROOF_NOT_VERIFIED, "C4", "the credential's proof is not verified here",
                                 f"verify the proof with the verification method of issuer {store or '(none)'}",
                                 location=Location(pointer="/proof"))
        else:
            yield lookup_finding(PROOF_ABSENT, "C4", "a raw (unwrapped) TradeTrust document: no proof yet; it is "
                                 "evidence once wrapped and issued (OpenAttestation)", "wrap the document and "
                                 "verify it with etr verify", outcome=Outcome.NOT_APPLICABLE)
        kind = text_of(proof.get("type")) or "none"
        yield lookup_finding(ISSUER_AUTHORITY, "C5", f"the issuer's identity proof ({kind}) is not checked (offline)",
                             f"DNS TXT records at {where} naming {store or '(no store)'}")
        yield lookup_finding(STATUS, "C6", "issuance and revocation are not checked (offline)",
                             f"document store {store or '(none)'}: isIssued / isRevoked of the wrapped document's "
                             "merkleRoot")


FAMILY = OriginFamily()
