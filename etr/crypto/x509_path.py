"""X.509 certification paths for JWS ``x5c`` headers: built from the leaf to a trust anchor and checked
against etr's profile of RFC 5280 (§4.2 extensions, §6.1 path validation).

The profile:

- A critical extension other than basicConstraints, keyUsage,
  extendedKeyUsage and subjectAltName (the ones etr processes) makes a
  certificate unusable, on the leaf, on issuers and on anchors alike (e.g. a
  critical nameConstraints or certificatePolicies, which etr does not enforce).
- The signing (leaf) certificate must not be a CA; when it has keyUsage, it must
  include digitalSignature (contentCommitment alone is not enough).
- Every issuer must have basicConstraints ``cA=TRUE``; when it has keyUsage, it
  must include keyCertSign; its pathLenConstraint bounds the CA certificates
  below it in the path (self-issued ones counted too: stricter than §6.1.4).
- extendedKeyUsage, where present on any certificate of the path, must include
  anyExtendedKeyUsage or id-kp-documentSigning (RFC 9336), the purposes of a
  JWS over a document (:data:`SIGNING_EKUS`): a certificate restricted to TLS,
  code signing, e-mail or time stamping may not sign transfers. An absent
  extendedKeyUsage does not restrict.
- Certificates signed with MD5, SHA-1 or SHA-224 are refused.
- Every certificate of the path must be valid at the time of the event the JWS
  signs (the caller's ``at``; bounds included).

``cryptography.x509.verification`` is not used: its web-PKI profile requires
subjectAltName on leaves and forbids Ed25519 throughout the chain, and the
DCSA PINT demo chains are Ed25519-signed without SAN. The walk is written out.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

    from .keys import PublicKey

__all__ = ["MAX_X5C_CERTS", "SIGNING_EKUS", "Anchors", "Chain", "build_chain", "describe", "is_ca", "leaf_problem",
           "validity"]

MAX_X5C_CERTS = 10
#: extendedKeyUsage purposes with which a certificate may sign a JWS (dotted OID -> name).
SIGNING_EKUS = {"2.5.29.37.0": "anyExtendedKeyUsage", "1.3.6.1.5.5.7.3.36": "id-kp-documentSigning"}
_EKU_NAMES = {"1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth", "1.3.6.1.5.5.7.3.3": "codeSigning",
              "1.3.6.1.5.5.7.3.4": "emailProtection", "1.3.6.1.5.5.7.3.8": "timeStamping",
              "1.3.6.1.5.5.7.3.9": "OCSPSigning", **SIGNING_EKUS}
#: Extensions etr processes (basicConstraints, keyUsage, extendedKeyUsage, subjectAltName): any other one
#: marked critical makes a certificate unusable (RFC 5280 §4.2).
_PROCESSED_CRITICAL = frozenset({"2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17"})
_WEAK_HASHES = ("md5", "sha1", "sha224")
_INVALID, _UNTRUSTED = "TRUST-X5C-INVALID", "TRUST-X5C-UNTRUSTED"


@dataclass
class Anchors:
    """The trust anchors (CA certificates) of a store, by DER and by subject name."""

    by_der: dict[bytes, x509.Certificate] = field(default_factory=dict)
    by_subject: dict[bytes, list[x509.Certificate]] = field(default_factory=dict)

    def add(self, cert: x509.Certificate) -> bool:
        """Add ``cert``; False when it was there already."""
        der = _der(cert)
        if der in self.by_der:
            return False
        self.by_der[der] = cert
        self.by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
        return True


@dataclass(frozen=True)
class Chain:
    """The time-independent result of checking an x5c chain: ``code`` is ``None`` when ``path`` (leaf first,
    through the anchor) is valid; ``leaf`` is the leaf's key whenever the leaf itself is usable (also when
    the chain is untrusted, so that a stored key can still be recognised)."""

    code: str | None
    message: str
    path: tuple[x509.Certificate, ...] = ()
    leaf: PublicKey | None = None


def build_chain(x5c: tuple[str, ...], anchors: Anchors) -> Chain:
    """Decode an x5c value (standard base64 DER, leaf first), build a path to one of ``anchors`` and check it
    against the profile. Codes: ``TRUST-X5C-INVALID`` (undecodable, too long, or a certificate unfit for its
    place), ``TRUST-X5C-UNTRUSTED`` (no path to an anchor). Validity in time is checked by the caller."""
    import base64

    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    from .keys import KeyFileError, public_key_from_native

    if len(x5c) > MAX_X5C_CERTS:
        return Chain(_INVALID, f"x5c holds {len(x5c)} certificates; at most {MAX_X5C_CERTS} are accepted")
    certs: list[x509.Certificate] = []
    for i, item in enumerate(x5c):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (ValueError, binascii.Error):
            return Chain(_INVALID, f"x5c[{i}] is not a base64 DER certificate")
    try:
        leaf = certs[0]
        if is_ca(leaf):
            return Chain(_INVALID, "x5c[0] is a CA certificate, not a signing (end-entity) certificate")
        problem = leaf_problem(leaf)
        if problem:
            return Chain(_INVALID, f"x5c[0] {describe(leaf)} may not sign documents: {problem}")
        try:
            leaf_key = public_key_from_native(leaf.public_key(), where="x5c[0]")
        except (KeyFileError, UnsupportedAlgorithm) as exc:
            return Chain(_INVALID, f"x5c[0]: {exc}")
        path, problem = _build_path(certs, anchors)
        if problem:
            return Chain(_INVALID, problem)
        if path is None:
            return Chain(_UNTRUSTED, f"no path from {describe(leaf)} to a trust anchor in the store", tuple(certs),
                         leaf_key)
        # pathLenConstraint: the number of CA certificates below an issuer in the path (§4.2.1.9).
        for idx, cert in enumerate(path[1:], start=1):
            limit = _path_length(cert)
            if limit is not None and idx - 1 > limit:
                return Chain(_INVALID, f"the path length constraint of {describe(cert)} ({limit}) is exceeded")
        for cert in path[:-1]:
            hash_alg = cert.signature_hash_algorithm
            if hash_alg is not None and hash_alg.name in _WEAK_HASHES:
                return Chain(_INVALID, f"certificate {describe(cert)} is signed with {hash_alg.name}")
    except (ValueError, InvalidSignature, UnsupportedAlgorithm) as exc:  # e.g. malformed extensions
        return Chain(_INVALID, f"x5c certificate cannot be processed: {exc}")
    return Chain(None, "", tuple(path), leaf_key)


def _build_path(certs: list[x509.Certificate], anchors: Anchors,
                ) -> tuple[list[x509.Certificate] | None, str | None]:
    """Walk up from the leaf to an anchor; return (path, None), (None, None) when no anchor is
    reached (untrusted), or (None, why) when a certificate that did sign the next is unfit.

    Issuers are looked for among the other x5c certificates (in header order), then among
    the anchors, by subject name and then by signature; a same-name certificate whose
    signature does not match is not the issuer (so a chain that "continues" with someone
    else's intermediate, as pint-demo's ``*-invalid*`` one does, is untrusted).
    """
    path = [certs[0]]
    used = {_der(certs[0])}
    while len(path) <= MAX_X5C_CERTS:
        current = path[-1]
        if len(path) > 1 and _der(current) in anchors.by_der:
            return path, None
        issuer_name = current.issuer.public_bytes()
        candidates = [c for c in certs[1:] if c.subject.public_bytes() == issuer_name]
        candidates += anchors.by_subject.get(issuer_name, [])
        for candidate in candidates:
            if _der(candidate) in used or not _signed_by(current, candidate):
                continue
            problem = _ca_problem(candidate)
            if problem:
                return None, f"{describe(current)} is signed by {describe(candidate)}, but {problem}"
            path.append(candidate)
            used.add(_der(candidate))
            break
        else:
            return None, None
    return None, f"the certification path is longer than {MAX_X5C_CERTS} certificates"


def _utc(at: datetime) -> str:
    """``at`` as RFC 3339 in UTC with milliseconds and ``Z``, as every other time etr prints."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def validity(certs: Iterable[x509.Certificate], at: datetime, expired: str, not_yet: str) -> tuple[str, str] | None:
    """(code, message) for the first certificate not valid at ``at`` (bounds included), else ``None``."""
    for cert in certs:
        if at < cert.not_valid_before_utc:
            return not_yet, (f"certificate {describe(cert)} is not valid until "
                             f"{cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ} (checked at {_utc(at)})")
        if at > cert.not_valid_after_utc:
            return expired, (f"certificate {describe(cert)} expired at "
                             f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ} (checked at {_utc(at)})")
    return None


def describe(cert: x509.Certificate) -> str:
    """The certificate's subject for messages (quoted, at most 120 characters)."""
    try:
        return repr(cert.subject.rfc4514_string()[:120])
    except ValueError:
        return "<unreadable subject>"


def is_ca(cert: x509.Certificate) -> bool:
    """True when basicConstraints says cA=TRUE. Raises ``ValueError`` for unreadable extensions."""
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def leaf_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert`` may not sign a JWS as an end-entity certificate, or ``None``. Raises ``ValueError`` for
    unreadable extensions."""
    problem = _unprocessed_critical(cert)
    if problem:
        return problem
    usage = _key_usage(cert)
    if usage is not None and not usage.digital_signature:
        return "its key usage does not include digitalSignature"
    return _eku_problem(cert)


def _ca_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert`` may not issue certificates in a document-signing path, or ``None``."""
    if not is_ca(cert):
        return "that is not a CA certificate (basicConstraints cA=TRUE)"
    usage = _key_usage(cert)
    if usage is not None and not usage.key_cert_sign:
        return "its key usage does not allow certificate signing (keyCertSign)"
    return _unprocessed_critical(cert) or _eku_problem(cert)


def _unprocessed_critical(cert: x509.Certificate) -> str | None:
    """Why ``cert`` has a critical extension etr does not process (§4.2), or ``None``."""
    for ext in cert.extensions:
        if ext.critical and ext.oid.dotted_string not in _PROCESSED_CRITICAL:
            known = getattr(ext.oid, "_name", None)
            label = f"{known} ({ext.oid.dotted_string})" if known and known != "Unknown OID" else ext.oid.dotted_string
            return f"it has a critical extension etr does not process: {label}"
    return None


def _eku_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert``'s extendedKeyUsage excludes signing documents, or ``None`` (absent: no restriction)."""
    from cryptography import x509

    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    purposes = [oid.dotted_string for oid in usages]
    if any(p in SIGNING_EKUS for p in purposes):
        return None
    listed = ", ".join(_EKU_NAMES.get(p, p) for p in purposes) or "none"
    return f"its extendedKeyUsage ({listed}) allows none of {', '.join(SIGNING_EKUS.values())}"


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _path_length(cert: x509.Certificate) -> int | None:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
    except x509.ExtensionNotFound:
        return None


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when ``parent``'s key signed ``child`` (names are compared by the caller)."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)
