"""UN Transparency Protocol credentials: Digital Conformity Credential (DCC) and Digital Product Passport (DPP).

A UNTP credential is a W3C Verifiable Credential 2.0 (JSON-LD). It is recognised by a UNTP
context in ``@context`` (``https://test.uncefact.org/vocabulary/untp/<kind>/<version>/``); the
kind (``dcc``, ``dpp``) is the profile and the context's last segment the version. The JSON
Schemas (draft 2020-12, ``schemas/untp/``) are the project's, written from the required fields of
the UNTP working data models (certificates reference §B3); one per kind and version, chosen by the
``@context``. A version etr has no schema for is reported as such (``UNTP-VERSION-UNKNOWN``)
and only the W3C VC structure is checked: the data models changed between versions, so another
version's schema would report differences, not faults. Other UNTP credentials (facility
records, traceability events, identity anchors) get the VC structure checks and
``UNTP-TYPE-NOT-SUPPORTED``.

Then the rules (validity period, secure links) and the checks that need a lookup (C4 proof,
C5 issuer identity anchor, C6 status list) as ``CERT-…`` findings naming it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...load import Document
from ...model import Finding, Location, Outcome, Severity
from ...rules import NO_HITS, Hit, Hits, JsonLocator, RuleSet
from ...schemas import compiled, schema_findings
from .. import Match
from ..certificates import (
    ISSUER_AUTHORITY,
    PROOF_ABSENT,
    PROOF_NOT_VERIFIED,
    STATUS,
    lookup_finding,
    not_after,
    parse_date_time,
    text_of,
)

__all__ = ["DEFAULT_VERSION", "FAMILY", "KINDS", "VERSIONS", "UntpFamily", "declared"]

VERSIONS = ("working",)
DEFAULT_VERSION = "working"
#: The credential kinds etr has schemas for, with the credential type each declares.
KINDS = {"dcc": "DigitalConformityCredential", "dpp": "DigitalProductPassport"}
SCHEMAS = {(kind, version): f"untp/{kind}-{version}.schema.json" for kind in KINDS for version in VERSIONS}
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
_UNTP_CONTEXT = re.compile(r"https?://(?:test\.uncefact\.org/vocabulary|vocabulary\.uncefact\.org)/untp/([a-z]+)(?:/(.*))?")
_SEMVER = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
#: What :func:`declared` gives for a UNTP context that names no version (``…/untp/dcc/``).
UNVERSIONED = ""
_REFERENCE = "UN Transparency Protocol (uncefact/spec-untp) data models; W3C VC Data Model 2.0"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def declared(content: Any) -> tuple[str, str] | None:
    """``(kind, version)`` from the first UNTP context in ``content["@context"]``, or ``None``.

    The context forms seen: ``…/untp/dcc/working/``, ``…/untp/dcc/0.3.10/``,
    ``…/untp/dpp/0/untp-dpp-context-0.3.9.jsonld``, and ``…/untp/dcc/`` (no version:
    :data:`UNVERSIONED`).
    """
    if not isinstance(content, Mapping):
        return None
    context = content.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        match = _UNTP_CONTEXT.fullmatch(entry) if isinstance(entry, str) else None
        if match:
            rest = (match.group(2) or "").strip("/")
            semver = _SEMVER.search(rest)
            return match.group(1), semver.group() if semver else rest.split("/", 1)[0]
    return None


@functools.cache
def _validator(kind: str, version: str) -> Any:
    return compiled(SCHEMAS[(kind, version)])


rules: RuleSet[Mapping[str, Any]] = RuleSet("untp", VERSIONS)


@rules.rule("UNTP-VALIDITY-PERIOD", Severity.ERROR, "validFrom is after validUntil",
            reference="W3C VC Data Model 2.0 §4.9 validity period (check C9)")
def _validity(vc: Mapping[str, Any]) -> Hits:
    start, end = vc.get("validFrom"), vc.get("validUntil")
    first = parse_date_time(start) if isinstance(start, str) else None
    last = parse_date_time(end) if isinstance(end, str) else None
    if first is None or last is None or not_after(first, last):
        return NO_HITS
    return [("/validUntil", f"validUntil {end!r} is before validFrom {start!r}")]


def _links(node: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if "linkURL" in node and "hashDigest" in node:
            yield path, node
        for key, value in node.items():
            if isinstance(value, (Mapping, list)):
                yield from _links(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _links(value, f"{path}/{index}")


@rules.rule("UNTP-SECURE-LINK", Severity.ERROR, "A secure link's hash is not a SHA-256 digest, or names no method",
            reference="UNTP SecureLink (linkURL, hashDigest, hashMethod SHA-256)")
def _secure_link(vc: Mapping[str, Any]) -> Hits:
    hits: list[Hit] = []
    for path, link in _links(vc, ""):
        method, digest = link.get("hashMethod"), link.get("hashDigest")
        if not isinstance(method, str) or not method:
            hits.append((path, "a SecureLink with a hashDigest but no hashMethod"))
        elif method.upper().replace("-", "") == "SHA256" and not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
            hits.append((f"{path}/hashDigest", "hashDigest is not 64 hexadecimal digits (a SHA-256 digest)"))
    return hits


def _vc_structure(content: Mapping[str, Any]) -> Iterator[Finding]:
    """W3C VC structure (C1) for a credential no UNTP schema covers: contexts, type, issuer, subject."""
    context = content.get("@context")
    if not (isinstance(context, list) and context and context[0] in (VC_V2, VC_V1)):
        yield Finding("UNTP-VC", Severity.ERROR, f"@context does not start with {VC_V2}",
                      Location(pointer="/@context"), "W3C VC Data Model 2.0 §4.3 contexts")
    types = content.get("type")
    if not (isinstance(types, list) and "VerifiableCredential" in types):
        yield Finding("UNTP-VC", Severity.ERROR, "type does not list VerifiableCredential",
                      Location(pointer="/type"), "W3C VC Data Model 2.0 §4.5 types")
    for member in ("issuer", "credentialSubject"):
        if member not in content:
            yield Finding("UNTP-VC", Severity.ERROR, f"{member} is missing", Location(pointer=f"/{member}"),
                          "W3C VC Data Model 2.0 §4.7 issuer, §4.8 credential subject")


class UntpFamily:
    """UNTP Digital Conformity Credentials and Digital Product Passports (W3C VC 2.0)."""

    name = "untp"
    title = "UN Transparency Protocol credential (DCC, DPP; W3C VC 2.0)"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    schema_files = tuple(SCHEMAS.values())
    #: A credential of a version etr does not know is not checked against another version's schema
    #: (``UNTP-VERSION-UNKNOWN`` says what is checked, the one message; the report names the declared version).
    unknown_version_uses_default = False

    def detect(self, document: Document) -> Match | None:
        if document.syntax != "json":
            return None
        found = declared(document.content)
        if found is None:
            return None
        kind, version = found
        # A context without a version declares none: the check says so (UNTP-VERSION-UNKNOWN).
        return Match(self.name, version or None, kind, f"@context untp/{kind}/{version}")

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        content = document.content
        found = declared(content)
        if not isinstance(content, Mapping) or found is None:
            yield Finding("UNTP-VC", Severity.ERROR, "not a JSON object with a UNTP @context",
                          Location(pointer=""), _REFERENCE)
            return
        kind, stated = found
        if kind not in KINDS:
            yield Finding("UNTP-TYPE-NOT-SUPPORTED", Severity.WARNING, f"UNTP {kind!r} credentials are not checked "
                          f"beyond the W3C VC structure (etr has schemas for {', '.join(KINDS)})",
                          Location(pointer="/@context"), _REFERENCE, {"kind": kind})
            yield from _vc_structure(content)
        elif stated != version and stated not in VERSIONS:
            says = f"declares UNTP {kind} {stated}" if stated else f"names no UNTP {kind} version in its @context"
            yield Finding("UNTP-VERSION-UNKNOWN", Severity.WARNING, f"the credential {says}; "
                          f"etr has schemas for {', '.join(VERSIONS)} only: the {version} schema was not applied, "
                          "only the W3C VC structure is checked",
                          Location(pointer="/@context"), _REFERENCE, {"declared": stated, "kind": kind})
            yield from _vc_structure(content)
        else:
            validator = _validator(kind, version)
            if not validator.is_valid(content):
                yield from schema_findings(validator.iter_errors(content), "UNTP",
                                           f"etr UNTP {kind} {version} schema ({_REFERENCE})")
        yield from rules.run(version, lambda: content, JsonLocator("", document.attachment))
        yield from _lookups(content)


def _lookups(content: Mapping[str, Any]) -> Iterator[Finding]:
    issuer = content.get("issuer")
    issuer_id = text_of(issuer.get("id")) if isinstance(issuer, Mapping) else text_of(issuer)
    if "proof" in content:
        proof = content["proof"]
        method = text_of(proof.get("verificationMethod")) if isinstance(proof, Mapping) else ""
        yield lookup_finding(PROOF_NOT_VERIFIED, "C4", "the credential's proof is not verified here",
                             f"resolve {method or issuer_id or '(no verification method)'} and verify the proof",
                             location=Location(pointer="/proof"))
    else:
        yield lookup_finding(PROOF_ABSENT, "C4", "no embedded proof: an unsecured credential (verify the "
                             "VC-JOSE-COSE envelope it came in, if any)", f"the securing envelope of the credential "
                             f"from {issuer_id or '(no issuer)'}", severity=Severity.WARNING, outcome=Outcome.FAIL,
                             location=Location(pointer=""))
    yield lookup_finding(ISSUER_AUTHORITY, "C5", f"the issuer {issuer_id or '(none)'!r} is not checked against an "
                         "identity anchor (offline)", f"resolve DID {issuer_id or '(none)'} and find a UNTP Digital "
                         "Identity Anchor credential from the registrar of its issuerAlsoKnownAs identifiers",
                         location=Location(pointer="/issuer"))
    status = content.get("credentialStatus")
    entries = status if isinstance(status, list) else [status] if isinstance(status, Mapping) else []
    if entries:
        lookups = "; ".join(f"{text_of(e.get('statusListCredential')) or '(no list)'} index "
                            f"{e.get('statusListIndex', '(none)')} ({text_of(e.get('statusPurpose')) or 'revocation'})"
                            for e in entries if isinstance(e, Mapping))
        yield lookup_finding(STATUS, "C6", "the credential's status is not checked (offline)",
                             f"fetch the status list: {lookups}", location=Location(pointer="/credentialStatus"))
    else:
        yield lookup_finding(STATUS, "C6", "the credential has no credentialStatus: revocation cannot be checked",
                             "none: the issuer publishes no status for this credential",
                             outcome=Outcome.NOT_APPLICABLE)


FAMILY = UntpFamily()
