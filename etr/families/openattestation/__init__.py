"""TradeTrust / OpenAttestation documents (v2 wrapped, v3 W3C-VC form, v4): detection, shape, verification.

``etr validate`` recognises the document (version "2.0", "3.0" or "4.0"; profile
``wrapped`` or ``raw``) and checks its shape (:mod:`.structure`); the hashes and
signatures are ``etr verify``'s business (:func:`verify_document`), which needs
no trust store. TrustVC credentials (BBS+ / ECDSA-SD W3C credentials) are
recognised and reported as unsupported (``OA-UNSUPPORTED-FORMAT``).

Public names: :data:`FAMILY`, :func:`revealed_data`, :func:`verify_document`,
:class:`OAVerificationResult`, :class:`Check`, :class:`TrustedIssuers`,
:func:`obfuscate` (selective disclosure).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from ...load import Document
from ...model import Finding, Location, Severity
from .. import Match
from .forms import classify, revealed_data
from .issuers import TrustedIssuers
from .obfuscate import obfuscate
from .result import Check, OAVerificationResult
from .verify import verify_document

log = logging.getLogger("etr")

VERSIONS = ("2.0", "3.0", "4.0")
DEFAULT_VERSION = "2.0"
REFERENCE = "OpenAttestation (open-attestation, oa-verify)"


class OpenAttestationFamily:
    """OpenAttestation v2/v3/v4 documents (TradeTrust); verification: ``etr verify``."""

    name = "openattestation"
    title = "TradeTrust / OpenAttestation document (shape; integrity and signatures: etr verify)"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    schema_files: tuple[str, ...] = ()

    def detect(self, document: Document) -> Match | None:
        if document.syntax != "json":
            return None
        form = classify(document.content)
        if form is None:
            return None
        if form.form == "raw" and form.version == "2.0" and _is_certificate_of_origin(document.content) \
                and _origin_registered():
            return None  # a raw TradeTrust certificate of origin is the origin family's
        return Match(self.name, form.version, form.form, form.evidence)

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        """Shape findings, then (for a wrapped certificate of origin) the origin family's data checks."""
        from .structure import check_structure

        form = classify(document.content)
        if form is None:
            yield Finding("OA-NOT-OA", Severity.ERROR, "not an OpenAttestation document (no v2 data/signature, no "
                          "OA v3/v4 context)", reference=REFERENCE)
            return
        if form.form == "unsupported":
            yield Finding("OA-UNSUPPORTED-FORMAT", Severity.ERROR, f"{form.evidence}: a TrustVC credential, not an "
                          "OpenAttestation document; etr reads OA v2/v3/v4 only", reference=REFERENCE)
            return
        if form.version != version:
            yield Finding("OA-VERSION-MISMATCH", Severity.ERROR, f"the document is OpenAttestation {form.version}; "
                          f"its structure is not that of {version}", reference=REFERENCE,
                          detail={"declared": form.version})
            return
        yield from check_structure(form, document.content)
        if form.form == "raw":
            yield Finding("OA-RAW", Severity.INFO, "raw (unwrapped) OpenAttestation document: it has no targetHash "
                          "yet; wrap and issue it to make it verifiable", reference=REFERENCE)
        else:
            yield Finding("OA-NOT-VERIFIED", Severity.INFO, "integrity, signature, issuance status and identity are "
                          "not checked by validate; run etr verify (no trust store needed)", reference=REFERENCE)
        revealed = revealed_data(document.content)
        if _is_certificate_of_origin(revealed):
            base = "/data" if form.version == "2.0" and form.form == "wrapped" else ""
            yield from _origin_findings(revealed, base)


def _template_name(data: Any) -> str:
    if not isinstance(data, Mapping):
        return ""
    template = data.get("$template")
    if isinstance(template, Mapping) and isinstance(template.get("name"), str):
        return str(template["name"])
    metadata = data.get("openAttestationMetadata")
    template = metadata.get("template") if isinstance(metadata, Mapping) else None
    if isinstance(template, Mapping) and isinstance(template.get("name"), str):
        return str(template["name"])
    data_ = data.get("data")
    return _template_name(data_) if isinstance(data_, Mapping) and "$template" in data_ else ""


def _is_certificate_of_origin(data: Any) -> bool:
    """Whether the (revealed) data is a TradeTrust certificate of origin: as the origin family reads it
    (``looks_like_coo``) when it is installed, else by its template name."""
    module = _origin_module()
    looks_like_coo = getattr(module, "looks_like_coo", None) if module is not None else None
    if looks_like_coo is not None and isinstance(data, Mapping):
        try:
            return bool(looks_like_coo(data))
        except Exception:  # another family's bug must not hide the OA findings
            log.info("origin looks_like_coo failed", exc_info=True)
    from .forms import unsalt

    name = str(unsalt(_template_name(data))).upper().replace("-", "_").replace(" ", "_")
    return "CERTIFICATE_OF_ORIGIN" in name or name in ("COO", "CHAFTA_COO", "CO")


def _origin_module() -> Any:
    """``etr.families.origin`` when it is there (the certificates issue builds it), else ``None``."""
    try:
        return importlib.import_module("etr.families.origin")
    except ImportError:
        return None


def _origin_registered() -> bool:
    from .. import FAMILY_NAMES

    return "origin" in FAMILY_NAMES


def _origin_findings(revealed: Mapping[str, Any], base: str) -> Iterator[Finding]:
    """The certificate-of-origin data findings of the origin family (when installed), on the revealed data."""
    module = _origin_module()
    check = getattr(module, "check_tradetrust_data", None) if module is not None else None
    if check is None:
        return
    try:
        yield from check(revealed, base)
    except Exception as exc:  # another family's bug must not hide the OA findings
        log.info("origin data checks failed", exc_info=True)
        yield Finding("ETR-INTERNAL", Severity.ERROR, f"internal error in the certificate-of-origin checks "
                      f"({type(exc).__name__}); please report it", Location(pointer=base or "/"), "etr")


FAMILY = OpenAttestationFamily()

__all__ = ["DEFAULT_VERSION", "FAMILY", "VERSIONS", "Check", "OAVerificationResult", "OpenAttestationFamily",
           "TrustedIssuers", "obfuscate", "revealed_data", "verify_document"]
