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
        issuer, problems = _vc_issuer(content) if vc else _oa_issuer(content)
        yield from problems
        store = text_of(issuer.get("documentStore")) or text_of(issuer.get("tokenRegistry")) \
            or text_of(issuer.get("id"))
        proof = issuer.get("identityProof")
        proof = proof if isinstance(proof, Mapping) else {}
        where = text_of(proof.get("location"))
        if vc and "proof" in content:
            yield lookup_finding(PROOF_NOT_VERIFIED, "C4", "the credential's proof is not verified here",
                                 f"verify the proof with the verification method of issuer {store or '(none)'}",
                                 location=Location(pointer="/proof"))
        else:
            yield lookup_finding(PROOF_ABSENT, "C4", "a raw (unwrapped) TradeTrust document: no proof yet; it is "
                                 "evidence once wrapped and issued (OpenAttestation)", "wrap the document and "
                                 "verify it with etr verify", outcome=Outcome.NOT_APPLICABLE)
        kind = text_of(proof.get("type")) or "none"
        # A lookup is named only from parts the document gives; else the finding says which are missing
        # (and COO-TT-MISSING / COO-TT-TYPE above say where).
        if store and (where or vc):
            lookup = f"DNS TXT records at {where} naming {store}" if where else f"resolve the issuer {store}"
            yield lookup_finding(ISSUER_AUTHORITY, "C5", f"the issuer's identity proof ({kind}) is not checked "
                                 "(offline)", lookup)
        else:
            missing = " nor ".join(n for n, v in (("document store", store), ("identityProof.location", where))
                                   if not v)
            yield lookup_finding(ISSUER_AUTHORITY, "C5", "the issuer's identity cannot be looked up",
                                 f"none possible: the document gives no issuer {missing}",
                                 outcome=Outcome.FAIL)
        if store:
            yield lookup_finding(STATUS, "C6", "issuance and revocation are not checked (offline)",
                                 f"document store {store}: isIssued / isRevoked of the wrapped document's merkleRoot")
        else:
            yield lookup_finding(STATUS, "C6", "issuance and revocation cannot be looked up",
                                 "none possible: the document names no document store or token registry",
                                 outcome=Outcome.FAIL)


_TT_REFERENCE = "OpenAttestation v2 issuers (name, documentStore / tokenRegistry / id, identityProof)"


def _tt_finding(code: str, message: str, where: str) -> Finding:
    return Finding(code, Severity.ERROR, message, Location(pointer=where), _TT_REFERENCE)


def _oa_issuer(content: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[Finding]]:
    """The first issuer of a raw OpenAttestation v2 document, and the findings on ``issuers``: a list of at
    least one object with a document store (or token registry or id) and an identity proof location."""
    issuers = content.get("issuers")
    if issuers is None or issuers == []:
        return {}, [_tt_finding("COO-TT-MISSING", "issuers is missing or empty: the document names no issuer "
                                "(document store and identity proof)", "/issuers")]
    if not isinstance(issuers, list):
        return {}, [_tt_finding("COO-TT-TYPE", f"issuers is not a JSON array ({type(issuers).__name__})",
                                "/issuers")]
    issuer = issuers[0]
    if not isinstance(issuer, Mapping):
        return {}, [_tt_finding("COO-TT-TYPE", "issuers[0] is not a JSON object", "/issuers/0")]
    problems: list[Finding] = []
    keys = ("documentStore", "tokenRegistry", "id")
    given = [k for k in keys if k in issuer]
    if not given or not any(text_of(issuer.get(k)) for k in given):
        problems.append(_tt_finding("COO-TT-MISSING" if not given or all(isinstance(issuer[k], str) for k in given)
                                    else "COO-TT-TYPE", "issuers[0] names no documentStore, tokenRegistry or id",
                                    f"/issuers/0{'/' + given[0] if given else ''}"))
    proof = issuer.get("identityProof")
    if proof is None:
        problems.append(_tt_finding("COO-TT-MISSING", "issuers[0].identityProof is missing",
                                    "/issuers/0/identityProof"))
    elif not isinstance(proof, Mapping):
        problems.append(_tt_finding("COO-TT-TYPE", "issuers[0].identityProof is not a JSON object",
                                    "/issuers/0/identityProof"))
    else:
        location = proof.get("location")
        if location is not None and not isinstance(location, str):
            problems.append(_tt_finding("COO-TT-TYPE", "issuers[0].identityProof.location is not a string",
                                        "/issuers/0/identityProof/location"))
        elif not text_of(location):
            problems.append(_tt_finding("COO-TT-MISSING", "issuers[0].identityProof.location is missing or empty",
                                        "/issuers/0/identityProof/location"))
    return issuer, problems


def _vc_issuer(content: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[Finding]]:
    """The issuer of a TradeTrust W3C VC (a URL string or an object with ``id``), and a finding when absent."""
    issuer = content.get("issuer")
    found = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    if not text_of(found.get("id")):
        code = "COO-TT-MISSING" if issuer is None or isinstance(issuer, (str, Mapping)) else "COO-TT-TYPE"
        return found, [_tt_finding(code, "the credential's issuer (a URL or an object with id) is missing or empty",
                                   "/issuer")]
    return found, []


FAMILY = OriginFamily()
