"""Trust stores: which keys may sign, and for which platform, decided offline; key resolution from a JWS header.

A :class:`TrustStore` is built from any mix of

- JWK / JWK Set files and PEM or DER public keys — each key is trusted as is;
- X.509 certificates (PEM or DER). A certificate with ``basicConstraints
  cA=TRUE`` is a **trust anchor**: every CA certificate given is an anchor,
  intermediates included (like OpenSSL's partial-chain mode), so trusting an
  intermediate trusts only what it issued. Any other certificate is a **leaf**
  whose key is trusted as is, within the certificate's validity period (a leaf
  that may not sign documents — see the X.509 profile below — is refused when
  loaded, ``KEY-CERT-UNUSABLE``);
- platform registry CSVs (below) that bind platform codes to keys.

Private keys are **refused** (``KEY-PRIVATE``), in named files and in
directories alike: a trust store holds public material only, and a private key
in a trust directory is a mistake worth stopping for.

Platform registry CSV
---------------------

The DCSA columns ``Code,Site,jwks_endpoint,manual_key_id`` work as they are,
and optional pin columns extend them (column names are case-insensitive, in any
order; ``Code`` and at least one of ``manual_key_id``, ``cert_sha256``,
``key_thumbprint``, ``subject``, ``san`` are required)::

    Code,Site,jwks_endpoint,manual_key_id,cert_sha256,key_thumbprint,subject,san
    EBL1,https://ebl1.example,,ebl1-2026,,,,
    EBL2,https://ebl2.example,,,9f86d0…(64 hex),,,
    CAR1,https://car1.example,,,,"CN=car1.example,O=Carrier One",DNS:car1.example

- ``manual_key_id``: key ids, separated by spaces, ``;`` or ``|``. A kid
  binds the stored key (JWK/JWKS/PEM/leaf certificate) that declares it, or —
  when it is the key's RFC 7638 thumbprint or a prefix of it of at least
  :data:`MIN_THUMBPRINT_PREFIX` characters (pint-demo's convention) — the key
  with that thumbprint, whether stored or presented in an anchored ``x5c``.
- ``cert_sha256``: SHA-256 fingerprints of DER certificates (64 hex digits,
  colons and case ignored), several separated as above.
- ``key_thumbprint``: RFC 7638 SHA-256 thumbprints (43 base64url characters).
- ``subject``: one distinguished name in RFC 4514 form (as
  ``openssl x509 -noout -subject -nameopt RFC2253`` prints it), compared
  attribute by attribute; quote the cell, since it contains commas.
- ``san``: subjectAltName entries ``DNS:name``, ``URI:uri``, ``email:addr`` or
  ``IP:addr`` (an entry without a type is a DNS name), separated as above. DNS
  names and e-mail addresses are compared case-insensitively, literally: no
  wildcard matching. A certificate matches when it carries one of them.

A row without any of these (e.g. only a ``jwks_endpoint``, which is **never
fetched**: etr is offline) names a platform without binding any key to it.
A platform may appear in several rows or files only with the same kids and pins.

Platform binding
----------------

A key counts as a platform's key only when the store binds it to that platform
(:attr:`KeyResolution.platform_binding` ``"registered"``, and
:attr:`KeyResolution.bound_by` says how): the platform's own stored key under a
kid its row lists (``kid``); a key whose thumbprint a listed kid is
(``thumbprint``); a key whose thumbprint is pinned (``key-thumbprint``); a
certificate whose fingerprint is pinned (``cert-sha256``); or a certificate
whose subject and/or SAN match the row's ``subject`` and ``san`` (both when
both are given: ``subject``, ``san`` or ``subject+san``). Name pins are matched
against certificates of the store and against an ``x5c`` leaf whose chain
reaches an anchor: they trust every anchor of the store to name platforms
correctly, so prefer fingerprint or thumbprint pins when several CAs are
trusted. A pin binds; it never makes a certificate trusted (its chain must
still reach an anchor, or its key be stored).

A certificate that merely chains to a trusted CA, with a kid copied from the
registry into the JWS header, proves nothing about which platform holds the
key: when the platform's row binds keys and none of its kids and pins matches,
the answer is ``TRUST-PLATFORM-UNBOUND`` for an anchored ``x5c`` leaf (no kid,
or the row's kid) and ``TRUST-PLATFORM-MISMATCH`` otherwise (a stored key, or
a header kid the row does not list). The header's kid never relabels a key.

``platform_binding`` is ``"unknown"`` when the platform has no row, or a row
that binds nothing: the key is accepted and the caller must report it (the PINT
verifier does, ``PINT-PLATFORM-UNBOUND``); ``"not-checked"`` when no platform
was asked for.

Resolution
----------

:meth:`TrustStore.resolve` picks the key for a JWS header at a given time (the
time of the event the JWS signs, supplied by the caller so results are
reproducible):

1. ``x5c`` present (standard base64 DER, leaf first): a path is built from the
   leaf upwards — each issuer found among the other x5c certificates or the
   anchors by subject name *and* signature (``verify_directly_issued_by``) —
   until it reaches an anchor of the store. No path: ``TRUST-X5C-UNTRUSTED``.
   A certificate unfit for its place (the X.509 profile below) is
   ``TRUST-X5C-INVALID``. Then every certificate of the path must be valid at
   ``at`` (``TRUST-X5C-EXPIRED`` / ``TRUST-X5C-NOT-YET-VALID``). A leaf whose
   own key is in the store is accepted even when its chain is not anchored (the
   chain is then ignored). A ``kid`` that names a stored key other than the
   leaf's is ``TRUST-X5C-INVALID``; a ``kid`` that has the shape of a
   thumbprint — 43 base64url characters, or 16+ base64url characters that a
   registry lists (a thumbprint prefix) — and is not the leaf key's thumbprint
   (or a prefix of it) nor a stored name of that key is ``TRUST-KID-MISMATCH``.
   Other kids are labels: a kid that is no registry's and names no stored key
   does not change the answer.
2. Else ``kid``: a stored key whose kid or RFC 7638 thumbprint equals it, or
   whose thumbprint starts with it when it has at least 16 characters.
3. Else, when the registry binds keys to the platform: those keys; else the
   store's only key. Otherwise ``TRUST-UNKNOWN-KEY``.

X.509 profile (RFC 5280 §4.2, §6.1)
-----------------------------------

- A critical extension other than basicConstraints, keyUsage,
  extendedKeyUsage and subjectAltName (the ones etr processes) makes a
  certificate unusable, on the leaf, on issuers and on anchors alike (e.g. a
  critical nameConstraints or certificatePolicies, which etr does not enforce).
- The signing (leaf) certificate must not be a CA; when it has keyUsage, it must
  include digitalSignature (contentCommitment alone is not enough).
- Every issuer must have basicConstraints ``cA=TRUE``; when it has keyUsage, it
  must include keyCertSign; its pathLenConstraint bounds the CA certificates
  below it in the path.
- extendedKeyUsage, where present on any certificate of the path, must include
  anyExtendedKeyUsage or id-kp-documentSigning (RFC 9336), the purposes of a
  JWS over a document (:data:`SIGNING_EKUS`); a certificate restricted to TLS,
  code signing, e-mail or time stamping may not sign transfers. An absent
  extendedKeyUsage does not restrict.
- Certificates signed with MD5, SHA-1 or SHA-224 are refused.

``cryptography.x509.verification`` is not used: its web-PKI profile requires
subjectAltName on leaves and forbids Ed25519 throughout the chain, and the
DCSA PINT demo chains are Ed25519-signed without SAN. The walk above is
written out instead.
"""

from __future__ import annotations

import binascii
import csv
import dataclasses
import functools
import io
import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import DocumentError, UsageError

if TYPE_CHECKING:
    from cryptography import x509

    from .keys import PublicKey

__all__ = ["BINDING_CODES", "SIGNING_EKUS", "TRUST_SUFFIXES", "KeyResolution", "PlatformRegistration", "TrustError",
           "TrustStore", "registry_pins", "trust_options"]

#: File name endings loaded from a trust directory (non-recursive, hidden files skipped).
TRUST_SUFFIXES = frozenset({".jwk", ".json", ".pem", ".crt", ".cer", ".der", ".csv"})
MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024
MAX_X5C_CERTS = 10
MAX_REGISTRY_ROWS = 10_000
_CHAIN_CACHE_SIZE = 256
#: A kid of at least this many characters that starts a key's RFC 7638 thumbprint names that key
#: (the DCSA pint-demo convention: kid = first 16 characters of the thumbprint; 96 bits).
MIN_THUMBPRINT_PREFIX = 16
#: The length of an RFC 7638 SHA-256 thumbprint in base64url without padding.
THUMBPRINT_LENGTH = 43
#: Resolution codes that say a key is not the platform's (as opposed to not trusted at all).
BINDING_CODES = frozenset({"TRUST-PLATFORM-MISMATCH", "TRUST-PLATFORM-UNBOUND", "TRUST-KID-MISMATCH"})
#: extendedKeyUsage purposes with which a certificate may sign a JWS (dotted OID -> name).
SIGNING_EKUS = {"2.5.29.37.0": "anyExtendedKeyUsage", "1.3.6.1.5.5.7.3.36": "id-kp-documentSigning"}
_EKU_NAMES = {"1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth", "1.3.6.1.5.5.7.3.3": "codeSigning",
              "1.3.6.1.5.5.7.3.4": "emailProtection", "1.3.6.1.5.5.7.3.8": "timeStamping",
              "1.3.6.1.5.5.7.3.9": "OCSPSigning", **SIGNING_EKUS}
#: Extensions etr processes (basicConstraints, keyUsage, extendedKeyUsage, subjectAltName): any other one
#: marked critical makes a certificate unusable (RFC 5280 §4.2).
_PROCESSED_CRITICAL = frozenset({"2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17"})
_KID_SPLIT = re.compile(r"[\s;|]+")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_WEAK_HASHES = ("md5", "sha1", "sha224")
_PIN_COLUMNS = ("manual_key_id", "cert_sha256", "key_thumbprint", "subject", "san")
_SAN_TYPES = {"dns": "DNS", "uri": "URI", "email": "email", "ip": "IP"}


class TrustError(DocumentError):
    """A JWS header names no key the trust store accepts; raised by :meth:`KeyResolution.key_or_raise`.

    Codes: ``TRUST-UNKNOWN-KEY``, ``TRUST-AMBIGUOUS-KEY``, ``TRUST-X5C-UNTRUSTED``,
    ``TRUST-X5C-EXPIRED``, ``TRUST-X5C-NOT-YET-VALID``, ``TRUST-X5C-INVALID``,
    ``TRUST-KEY-EXPIRED``, ``TRUST-KEY-NOT-YET-VALID``, ``TRUST-PLATFORM-MISMATCH``,
    ``TRUST-PLATFORM-UNBOUND``, ``TRUST-KID-MISMATCH``.
    """

    code = "TRUST-UNKNOWN-KEY"


@dataclass(frozen=True)
class KeyResolution:
    """Which key verifies a JWS, and how it was found; or why none does.

    ``key`` is set and ``code`` is ``None`` on success; the key keeps its own
    kid (the one the store gave it, else its thumbprint), never the header's.
    ``how`` is ``"x5c"`` (anchored certificate chain), ``"kid"``,
    ``"thumbprint"`` (the kid is the key's RFC 7638 thumbprint, or an
    unanchored x5c leaf whose key is stored), ``"platform"`` (no kid; the
    registry's key for the platform) or ``"only-key"`` (no kid; the store holds
    one key). ``chain`` is the validated path (leaf first, through the anchor)
    when ``how == "x5c"``. ``platform_binding`` is ``"registered"``,
    ``"unknown"`` or ``"not-checked"`` (see the module docstring) and
    ``bound_by`` how a registered key is bound (``kid``, ``thumbprint``,
    ``key-thumbprint``, ``cert-sha256``, ``subject``, ``san``,
    ``subject+san``). ``candidates`` lists the keys when
    ``code == "TRUST-AMBIGUOUS-KEY"``.
    """

    key: PublicKey | None
    how: str | None
    code: str | None = None
    message: str = ""
    platform_binding: str = "not-checked"
    chain: tuple[x509.Certificate, ...] = ()
    candidates: tuple[PublicKey, ...] = ()
    bound_by: str | None = None

    @property
    def ok(self) -> bool:
        """True when a key was found."""
        return self.key is not None and self.code is None

    def key_or_raise(self) -> PublicKey:
        """The key, or raise :class:`TrustError` with :attr:`code`."""
        if self.key is None or self.code is not None:
            hint = ("bind the key to the platform in the trust store's registry (see `etr keys show` for a "
                    "certificate's pins)" if self.code in BINDING_CODES
                    else "is the trust store (--trust) the one this platform publishes?")
            raise TrustError(self.message or "no trusted key", code=self.code or "TRUST-UNKNOWN-KEY", hint=hint)
        return self.key


@dataclass(frozen=True)
class PlatformRegistration:
    """One platform's registry row: the kids and pins that bind keys to it (see the module docstring).

    ``cert_sha256`` holds lowercase hex fingerprints, ``key_thumbprints`` RFC 7638
    thumbprints, ``sans`` (type, value) pairs with DNS names and e-mail addresses
    lowercased.
    """

    code: str
    site: str = ""
    kids: tuple[str, ...] = ()
    cert_sha256: frozenset[str] = frozenset()
    key_thumbprints: frozenset[str] = frozenset()
    subject: x509.Name | None = None
    sans: frozenset[tuple[str, str]] = frozenset()

    @property
    def binds(self) -> bool:
        """True when the row lists any kid or pin (else it names the platform and binds no key)."""
        return bool(self.kids or self.cert_sha256 or self.key_thumbprints or self.subject is not None or self.sans)

    def bound_by(self, key: PublicKey, names: Iterable[str] = (),
                 certificates: Sequence[x509.Certificate] = ()) -> str | None:
        """How this row binds ``key`` — known to the store under ``names`` and presented with (or stored
        as) ``certificates`` of that key, which the caller has found trustworthy — or ``None``."""
        names = set(names)
        if any(kid in names for kid in self.kids):
            return "kid"
        thumbprint = key.thumbprint
        if any(_is_thumbprint_of(kid, thumbprint) for kid in self.kids):
            return "thumbprint"
        if thumbprint in self.key_thumbprints:
            return "key-thumbprint"
        for cert in certificates:
            if self.cert_sha256 and _sha256_hex(cert) in self.cert_sha256:
                return "cert-sha256"
            by_name = self._named(cert)
            if by_name is not None:
                return by_name
        return None

    def _named(self, cert: x509.Certificate) -> str | None:
        if self.subject is None and not self.sans:
            return None
        if self.subject is not None and cert.subject != self.subject:
            return None
        if self.sans and not self.sans & _sans_of(cert):
            return None
        return "subject+san" if self.subject is not None and self.sans else "san" if self.sans else "subject"

    def describe(self) -> str:
        """What the row binds, for messages: ``kid 'a', cert_sha256 9f86d081…``."""
        bits = [f"kid {k!r}" for k in self.kids]
        bits += [f"cert_sha256 {h[:16]}…" for h in sorted(self.cert_sha256)]
        bits += [f"key_thumbprint {t!r}" for t in sorted(self.key_thumbprints)]
        if self.subject is not None:
            bits.append(f"subject {self.subject.rfc4514_string()!r}")
        bits += [f"san {t}:{v}" for t, v in sorted(self.sans)]
        return ", ".join(bits) or "nothing"


@dataclass
class _TrustedKey:
    public: PublicKey
    names: set[str]
    sources: list[str]
    certificates: list[x509.Certificate] = field(default_factory=list)
    bare: bool = False  # trusted as a bare key (JWK/PEM): no validity period applies

    def named_by(self, kids: Iterable[str]) -> bool:
        """True when one of ``kids`` is a name of this key, its thumbprint, or a thumbprint prefix."""
        tp = self.public.thumbprint
        return any(k in self.names or _is_thumbprint_of(k, tp) for k in kids)


@dataclass(frozen=True)
class _Chain:
    """The time-independent part of an x5c check (cached per chain)."""

    code: str | None
    message: str
    path: tuple[x509.Certificate, ...] = ()
    leaf: PublicKey | None = None


def _is_thumbprint_of(kid: str, thumbprint: str) -> bool:
    """True when ``kid`` is ``thumbprint`` or a prefix of it of at least :data:`MIN_THUMBPRINT_PREFIX` characters."""
    return kid == thumbprint or (len(kid) >= MIN_THUMBPRINT_PREFIX and thumbprint.startswith(kid))


def _sha256_hex(cert: x509.Certificate) -> str:
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256()).hex()


def _sans_of(cert: x509.Certificate) -> frozenset[tuple[str, str]]:
    """The certificate's subjectAltName entries as registry pins compare them; empty when absent or unreadable."""
    from cryptography import x509

    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return frozenset()
    out: set[tuple[str, str]] = set()
    for value in names.get_values_for_type(x509.DNSName):
        out.add(("DNS", value.lower()))
    for value in names.get_values_for_type(x509.RFC822Name):
        out.add(("email", value.lower()))
    for value in names.get_values_for_type(x509.UniformResourceIdentifier):
        out.add(("URI", value))
    for address in names.get_values_for_type(x509.IPAddress):
        out.add(("IP", str(address)))
    return frozenset(out)


def _fail(code: str, message: str, *, binding: str = "not-checked",
          candidates: tuple[PublicKey, ...] = ()) -> KeyResolution:
    return KeyResolution(None, None, code, message, binding, candidates=candidates)


def _check_time(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise UsageError("the validation time must be a timezone-aware datetime", code="TRUST-TIME",
                         hint="e.g. datetime(2026, 6, 1, tzinfo=timezone.utc)")
    return at


def _validity(certs: Iterable[x509.Certificate], at: datetime, expired: str, not_yet: str) -> tuple[str, str] | None:
    for cert in certs:
        if at < cert.not_valid_before_utc:
            return not_yet, (f"certificate {_cn(cert)} is not valid until "
                             f"{cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ} (checked at {at.isoformat()})")
        if at > cert.not_valid_after_utc:
            return expired, (f"certificate {_cn(cert)} expired at "
                             f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ} (checked at {at.isoformat()})")
    return None


def _entry_window(entry: _TrustedKey, at: datetime) -> tuple[datetime | None, datetime | None]:
    """The period around ``at`` in which :meth:`TrustStore._entry_validity` stays None (it is None at ``at``)."""
    if entry.bare or not entry.certificates:
        return None, None
    for cert in entry.certificates:
        if cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            return cert.not_valid_before_utc, cert.not_valid_after_utc
    return at, at  # unreachable when valid at `at`; remember nothing beyond it


def _cn(cert: x509.Certificate) -> str:
    try:
        return repr(cert.subject.rfc4514_string()[:120])
    except ValueError:
        return "<unreadable subject>"


def _is_ca(cert: x509.Certificate) -> bool:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


class TrustStore:
    """Keys, anchors and platform bindings the caller trusts. See the module docstring.

    Build with :meth:`from_paths` or :meth:`add_path`; the ``add_*`` methods
    take already-parsed material. Not meant to be mutated while another thread
    resolves.
    """

    def __init__(self) -> None:
        self._keys: dict[str, _TrustedKey] = {}  # thumbprint -> entry
        self._names: dict[str, list[str]] = {}  # kid -> thumbprints
        self._anchors: dict[bytes, x509.Certificate] = {}  # DER -> CA certificate
        self._anchors_by_subject: dict[bytes, list[x509.Certificate]] = {}
        self._platforms: dict[str, PlatformRegistration] = {}
        self._registered_kids: set[str] = set()  # every kid some registry row lists
        self._chains: dict[tuple[str, ...], _Chain] = {}
        self.sources: list[str] = []

    # ------------------------------------------------------------------ building

    @classmethod
    def from_paths(cls, paths: Iterable[Path | str] | Path | str) -> TrustStore:
        """A store from files and directories (see :meth:`add_path`); one path may be given alone.

        Raises:
            KeyFileError: a path is missing, unreadable, malformed, holds a
                private key or an unusable certificate, or a directory holds no
                trust material.
        """
        store = cls()
        # A str is an iterable of one-character "paths": take it, and any path-like, as one path.
        for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
            store.add_path(path)
        return store

    def add_path(self, path: Path | str) -> None:
        """Add a file, or every ``*.jwk *.json *.pem *.crt *.cer *.der *.csv`` directly inside a directory.

        Files are recognised by content (JWK/JWKS JSON, PEM, DER); ``.csv`` files
        (or files starting with a ``Code,`` header) are platform registries.
        Raises like :meth:`from_paths`.
        """
        from .keys import KeyFileError

        p = Path(path)
        if p.is_dir():
            files = sorted(c for c in p.iterdir()
                           if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in TRUST_SUFFIXES)
            if not files:
                raise KeyFileError(f"{p}: no trust material (*{', *'.join(sorted(TRUST_SUFFIXES))}) in this directory")
            for child in files:
                self._add_file(child)
        elif p.exists():
            self._add_file(p)
        else:
            raise KeyFileError(f"{p}: no such file or directory")

    def _add_file(self, path: Path) -> None:
        from cryptography import x509
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization

        from .keys import (
            KeyFileError,
            jwk_entries,
            looks_like_json,
            parse_jwk_json,
            pem_blocks,
            public_key_from_jwk,
            public_key_from_native,
            read_key_source,
        )

        data, name = read_key_source(path, limit=MAX_TRUST_FILE_BYTES)
        self.sources.append(name)
        if path.suffix.lower() == ".csv" or data.lstrip(b"\xef\xbb\xbf")[:5].lower() == b"code,":
            self.add_registry(data, name)
            return
        if looks_like_json(data):
            for jwk, where in jwk_entries(parse_jwk_json(data, name), name):
                self.add_key(public_key_from_jwk(jwk, where), source=where)
            return
        if b"-----BEGIN" in data:
            blocks = pem_blocks(data)
            if not blocks:
                raise KeyFileError(f"{name}: no complete PEM block")
            for i, (label, block) in enumerate(blocks):
                where = f"{name} block {i + 1}"
                if label.endswith("PRIVATE KEY"):
                    raise KeyFileError(f"{where}: a private key in a trust store", code="KEY-PRIVATE",
                                       hint="trust stores hold public keys and certificates only; move it out")
                try:
                    if label in ("CERTIFICATE", "TRUSTED CERTIFICATE"):
                        self.add_certificate(x509.load_pem_x509_certificate(block), source=where)
                    elif label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
                        native = serialization.load_pem_public_key(block)
                        self.add_key(public_key_from_native(native, where=where), source=where)
                    else:
                        raise KeyFileError(f"{where}: PEM block {label!r} is not a key or certificate",
                                           code="KEY-UNSUPPORTED")
                except (ValueError, UnsupportedAlgorithm) as exc:
                    raise KeyFileError(f"{where}: cannot read {label}: {exc}") from None
            return
        try:
            cert = x509.load_der_x509_certificate(data)
        except ValueError:
            try:
                native = serialization.load_der_public_key(data)
            except (ValueError, UnsupportedAlgorithm):
                raise KeyFileError(f"{name}: not a JWK, JWKS, PEM or DER key or certificate, nor a registry CSV"
                                   ) from None
            self.add_key(public_key_from_native(native, where=name), source=name)
            return
        self.add_certificate(cert, source=name)

    def add_key(self, key: PublicKey, *, source: str = "<api>") -> None:
        """Trust ``key`` as is (no validity period), under its kid and thumbprint."""
        self._add(key, source, cert=None)

    def add_certificate(self, cert: x509.Certificate, *, source: str = "<api>") -> None:
        """Add a CA certificate as an anchor, or trust a leaf certificate's key within its validity.

        Raises:
            KeyFileError: ``KEY-CERT-UNUSABLE`` when a leaf may not sign documents
                (see the module docstring's X.509 profile) or its extensions
                cannot be read; or a leaf's key type is not supported.
        """
        from cryptography.hazmat.primitives import serialization

        from .keys import KeyFileError, public_key_from_native

        try:
            is_ca = _is_ca(cert)
            problem = None if is_ca else _leaf_problem(cert)
        except ValueError as exc:  # malformed or duplicate extensions
            raise KeyFileError(f"{source}: certificate {_cn(cert)} cannot be processed: {exc}",
                               code="KEY-CERT-UNUSABLE") from None
        if is_ca:
            der = cert.public_bytes(serialization.Encoding.DER)
            if der not in self._anchors:
                self._anchors[der] = cert
                self._anchors_by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
                self._chains.clear()
            return
        if problem:
            raise KeyFileError(f"{source}: certificate {_cn(cert)} may not sign documents: {problem}",
                               code="KEY-CERT-UNUSABLE",
                               hint="a trust store holds CA certificates and signing (leaf) certificates only")
        self._add(public_key_from_native(cert.public_key(), where=source), source, cert=cert)

    def _add(self, key: PublicKey, source: str, cert: x509.Certificate | None) -> None:
        entry = self._keys.get(key.thumbprint)
        if entry is None:
            entry = self._keys[key.thumbprint] = _TrustedKey(key, set(), [])
        elif entry.public.alg is None and key.alg is not None:
            entry.public = key
        if cert is None:
            entry.bare = True
            if entry.public.kid == entry.public.thumbprint and key.kid != key.thumbprint:
                entry.public = key  # prefer a declared kid over the thumbprint
        else:
            entry.certificates.append(cert)
        entry.sources.append(source)
        if key.kid not in entry.names:
            entry.names.add(key.kid)
            self._names.setdefault(key.kid, []).append(key.thumbprint)
        self._chains.clear()

    def add_registry(self, data: bytes, name: str = "<registry>") -> None:
        """Read a platform registry CSV (see the module docstring for its columns).

        ``manual_key_id`` may list several kids separated by spaces, ``;`` or
        ``|``; a row without kid or pin leaves the platform known but unbound.
        The ``jwks_endpoint`` is never fetched.

        Raises:
            KeyFileError: ``KEY-REGISTRY`` when the CSV lacks the columns, a pin
                is malformed (the message names the line), or one platform is
                registered twice with different kids or pins.
        """
        from .keys import KeyFileError

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KeyFileError(f"{name}: a registry CSV must be UTF-8", code="KEY-REGISTRY") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
        if "code" not in columns or not any(c in columns for c in _PIN_COLUMNS):
            raise KeyFileError(f"{name}: a registry CSV needs columns Code and manual_key_id (or a pin column: "
                               f"{', '.join(_PIN_COLUMNS[1:])}); found: {', '.join(columns) or 'none'}",
                               code="KEY-REGISTRY")

        def cell(row: dict[str, str | None], column: str) -> str:
            return (row.get(columns[column]) or "").strip() if column in columns else ""

        try:
            for n, row in enumerate(reader, start=1):
                line = reader.line_num
                if n > MAX_REGISTRY_ROWS:
                    raise KeyFileError(f"{name}: more than {MAX_REGISTRY_ROWS} rows", code="KEY-REGISTRY")
                code = cell(row, "code")
                if not code:
                    continue
                try:
                    registration = _registration(code, {c: cell(row, c) for c in ("site", *_PIN_COLUMNS)})
                except ValueError as exc:
                    raise KeyFileError(f"{name} line {line}: platform {code!r}: {exc}", code="KEY-REGISTRY") from None
                known = self._platforms.get(code)
                if known is not None and dataclasses.replace(known, site="") != dataclasses.replace(registration,
                                                                                                     site=""):
                    raise KeyFileError(f"{name} line {line}: platform {code!r} is already registered with other "
                                       f"kids or pins ({known.describe()})", code="KEY-REGISTRY")
                self._platforms[code] = registration
                self._registered_kids.update(registration.kids)
        except csv.Error as exc:
            raise KeyFileError(f"{name}: malformed CSV: {exc}", code="KEY-REGISTRY") from None

    # ------------------------------------------------------------------ queries

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> list[PublicKey]:
        """Every trusted key (bare keys and leaf-certificate keys)."""
        return [e.public for e in self._keys.values()]

    @property
    def anchors(self) -> list[x509.Certificate]:
        """The CA certificates (trust anchors)."""
        return list(self._anchors.values())

    @property
    def registry(self) -> dict[str, tuple[str, ...]]:
        """Platform code -> registered key ids (empty tuple: no kid; the row may still pin certificates)."""
        return {code: reg.kids for code, reg in self._platforms.items()}

    def platform(self, code: str) -> PlatformRegistration | None:
        """The registry row of platform ``code``, or ``None``."""
        return self._platforms.get(code)

    def is_empty(self) -> bool:
        """True when the store holds no key, no anchor and no registry row."""
        return not (self._keys or self._anchors or self._platforms)

    def _binding_row(self, platform: str | None) -> PlatformRegistration | None:
        """The platform's row when it binds keys; ``None`` when nothing is bound (binding "unknown")."""
        reg = self._platforms.get(platform) if platform is not None else None
        return reg if reg is not None and reg.binds else None

    def _lookup(self, kid: str) -> list[_TrustedKey]:
        found = [self._keys[tp] for tp in self._names.get(kid, ())]
        if not found and kid in self._keys:
            found = [self._keys[kid]]  # the kid is a thumbprint
        if not found and len(kid) >= MIN_THUMBPRINT_PREFIX:
            found = [e for tp, e in self._keys.items() if tp.startswith(kid)]
        return found

    def _claims_thumbprint(self, kid: str) -> bool:
        """True when ``kid`` reads as a thumbprint: 43 base64url characters, or a registered kid of 16+ of them.

        Shorter or unregistered labels (``ebl1-signing-key-2026``) are names, not claims about key material.
        """
        if not _B64URL.fullmatch(kid):
            return False
        return len(kid) == THUMBPRINT_LENGTH or (len(kid) >= MIN_THUMBPRINT_PREFIX and kid in self._registered_kids)

    def keys_for(self, *, kid: str | None, platform: str | None) -> list[PublicKey]:
        """Trusted keys matching ``kid`` (kid or thumbprint; any when ``None``).

        When the registry binds keys to ``platform``, only keys it binds are
        returned. A platform unknown to the registry (or listed without kid or
        pin) does not filter; :meth:`resolve` reports that as
        ``platform_binding == "unknown"``.
        """
        entries = self._lookup(kid) if kid is not None else list(self._keys.values())
        reg = self._binding_row(platform)
        if reg is not None:
            entries = [e for e in entries if reg.bound_by(e.public, e.names, e.certificates)]
        return [e.public for e in entries]

    def platforms_binding(self, key: PublicKey, *, certificate: x509.Certificate | None = None) -> list[str]:
        """The platform codes whose registry rows bind ``key`` (sorted), e.g. to refuse signing for another.

        The key's stored names and certificates count, and ``certificate`` — one the
        key will be presented with — when it holds this key (its trust is not
        checked here; :meth:`resolve` does that).
        """
        from .keys import KeyFileError, public_key_from_native

        entry = self._keys.get(key.thumbprint)
        names = set(entry.names) if entry else set()
        certificates = list(entry.certificates) if entry else []
        if certificate is not None:
            try:
                if public_key_from_native(certificate.public_key()).thumbprint == key.thumbprint:
                    certificates.append(certificate)
            except (KeyFileError, ValueError):
                pass  # not a key etr can use: it cannot be this key's certificate
        return sorted(code for code, reg in self._platforms.items() if reg.bound_by(key, names, certificates))

    # ------------------------------------------------------------------ resolution

    def resolve(self, header: dict[str, Any], *, platform: str | None, at: datetime) -> KeyResolution:
        """Pick the key that must verify a JWS with this protected ``header``.

        ``platform`` is the platform code the signer claims (e.g. a PINT
        ``eblPlatform``), or ``None``; ``at`` is the (timezone-aware) time of
        the event the JWS signs, at which certificates must be valid. Never
        raises for a bad header: failures come back with a ``code`` (see
        :class:`TrustError`).

        Raises:
            UsageError: ``at`` is naive.
        """
        return self._resolve(header, platform, _check_time(at))[0]

    def resolve_memo(self, header: dict[str, Any], *, platform: str | None, at: datetime,
                     memo: dict[Any, Any]) -> KeyResolution:
        """:meth:`resolve`, remembered in ``memo`` (a dict the caller keeps for a batch of look-ups, e.g.
        the entries of one chain, which share a header and a few platforms).

        Only what cannot change with ``at`` is reused: a success is remembered with the period in which
        the certificates it rests on are all valid (any time for a bare key), and reused for another
        ``at`` only inside that period; failures are not remembered. The answer is always the one
        :meth:`resolve` gives. The store must not change while ``memo`` is in use.

        Raises:
            UsageError: ``at`` is naive.
        """
        at = _check_time(at)
        kid, x5c = header.get("kid"), header.get("x5c")
        if (kid is not None and kid.__class__ is not str) or (x5c is not None and not (
                x5c.__class__ is list and all(c.__class__ is str for c in x5c))):
            return self._resolve(header, platform, at)[0]  # malformed: nothing to remember
        key = (kid, tuple(x5c) if x5c is not None else None, platform)
        hit = memo.get(key)
        if hit is not None:
            resolution, lo, hi = hit
            if (lo is None or lo <= at) and (hi is None or at <= hi):
                return resolution  # type: ignore[no-any-return]
        resolution, window = self._resolve(header, platform, at)
        if window is not None:
            memo[key] = (resolution, *window)
        return resolution

    def _resolve(self, header: dict[str, Any], platform: str | None, at: datetime,
                 ) -> tuple[KeyResolution, tuple[datetime | None, datetime | None] | None]:
        """:meth:`resolve` and, on success, the period (bounds included, ``None``: open) in which the
        answer holds whatever the time."""
        kid, x5c = header.get("kid"), header.get("x5c")
        if kid is not None and (not isinstance(kid, str) or not kid):
            return _fail("TRUST-UNKNOWN-KEY", "the JWS header 'kid' is not a non-empty string"), None
        if x5c is not None:
            return self._resolve_x5c(x5c, kid, platform, at)
        reg = self._binding_row(platform)
        if kid is not None:
            entries = self._lookup(kid)
            if not entries:
                return _fail("TRUST-UNKNOWN-KEY", f"no trusted key has kid {kid[:80]!r}"), None
            how = "kid" if kid in self._names else "thumbprint"
        elif reg is not None:
            entries = [e for e in self._keys.values() if reg.bound_by(e.public, e.names, e.certificates)]
            how = "platform"
            if not entries:
                return _fail("TRUST-UNKNOWN-KEY", f"the JWS names no key and the store holds none of the keys "
                                                  f"registered for platform {platform!r} ({reg.describe()})"), None
        elif len(self._keys) == 1:
            entries, how = list(self._keys.values()), "only-key"
        else:
            return _fail("TRUST-UNKNOWN-KEY", f"the JWS header names no key (no kid, no x5c) and the store "
                                              f"holds {len(self._keys)} keys"), None
        binding, bound_by = "not-checked" if platform is None else "unknown", None
        if reg is not None:
            bound = [(e, by) for e in entries if (by := reg.bound_by(e.public, e.names, e.certificates))]
            if not bound:
                return _fail("TRUST-PLATFORM-MISMATCH", _mismatch_message(kid, reg)), None
            entries, bound_by, binding = [e for e, _ in bound], bound[0][1], "registered"
        if len(entries) > 1:
            return _fail("TRUST-AMBIGUOUS-KEY", f"{len(entries)} trusted keys match; the header must name one",
                         binding=binding, candidates=tuple(e.public for e in entries)), None
        entry = entries[0]
        problem = self._entry_validity(entry, at)
        if problem:
            return _fail(*problem, binding=binding), None
        return (KeyResolution(entry.public, how, None, f"key {entry.public.kid!r} found by {how}", binding,
                              bound_by=bound_by), _entry_window(entry, at))

    def _entry_validity(self, entry: _TrustedKey, at: datetime) -> tuple[str, str] | None:
        if entry.bare or not entry.certificates:
            return None
        problems = [_validity([c], at, "TRUST-KEY-EXPIRED", "TRUST-KEY-NOT-YET-VALID") for c in entry.certificates]
        if any(p is None for p in problems):
            return None  # at least one stored certificate for this key is valid at `at`
        return problems[0]

    def _resolve_x5c(self, x5c: object, kid: str | None, platform: str | None, at: datetime,
                     ) -> tuple[KeyResolution, tuple[datetime | None, datetime | None] | None]:
        if not isinstance(x5c, (list, tuple)) or not x5c or not all(isinstance(c, str) for c in x5c):
            return _fail("TRUST-X5C-INVALID", "'x5c' is not a non-empty array of strings"), None
        chain_key = tuple(x5c)
        chain = self._chains.get(chain_key)
        if chain is None:
            chain = self._build_chain(chain_key)
            if len(self._chains) >= _CHAIN_CACHE_SIZE:
                self._chains.clear()
            self._chains[chain_key] = chain
        if chain.leaf is None:
            return _fail(chain.code or "TRUST-X5C-INVALID", chain.message), None
        leaf = chain.leaf
        named = self._lookup(kid) if kid is not None else []
        if named and not any(e.public.thumbprint == leaf.thumbprint for e in named):
            return _fail("TRUST-X5C-INVALID", f"kid {kid!r} names a trusted key other than the x5c certificate's"), None
        direct = self._keys.get(leaf.thumbprint)
        if kid is not None and not (direct is not None and kid in direct.names) and self._claims_thumbprint(kid) \
                and not _is_thumbprint_of(kid, leaf.thumbprint):
            return _fail("TRUST-KID-MISMATCH", f"kid {kid[:80]!r} has the form of an RFC 7638 key thumbprint (or a "
                                               f"registered prefix of one), but the x5c certificate's key has "
                                               f"thumbprint {leaf.thumbprint!r}: the header names another key than "
                                               f"the one that signed"), None
        names: set[str] = set(direct.names) if direct is not None else set()
        certificates: list[x509.Certificate] = list(direct.certificates) if direct is not None else []
        if chain.code is None:
            problem = _validity(chain.path, at, "TRUST-X5C-EXPIRED", "TRUST-X5C-NOT-YET-VALID")
            if problem:
                return _fail(*problem), None
            window: tuple[datetime | None, datetime | None] = (
                max(c.not_valid_before_utc for c in chain.path), min(c.not_valid_after_utc for c in chain.path))
            key = direct.public if direct is not None else leaf
            certificates.insert(0, chain.path[0])  # anchored: its names may be matched against name pins
            how, path = "x5c", chain.path
        elif direct is not None:
            # The chain does not reach an anchor, but the leaf's key is itself trusted; the
            # certificates then add nothing (their dates and names are unanchored claims) and are ignored.
            problem = self._entry_validity(direct, at)
            if problem:
                return _fail(*problem), None
            window = _entry_window(direct, at)
            key, path = direct.public, ()
            how = "kid" if kid is not None and kid in direct.names else "thumbprint"
        else:
            return _fail(chain.code, chain.message), None
        binding, bound_by = "not-checked" if platform is None else "unknown", None
        reg = self._binding_row(platform)
        if reg is not None:
            bound_by = reg.bound_by(key, names, certificates)
            if bound_by is None:
                if how == "x5c" and direct is None and (kid is None or kid in reg.kids):
                    return _fail("TRUST-PLATFORM-UNBOUND", _unbound_message(chain.path[0], leaf, kid, reg)), None
                return _fail("TRUST-PLATFORM-MISMATCH", _mismatch_message(kid, reg)), None
            binding = "registered"
        return (KeyResolution(key, how, None, f"key {key.kid!r} found by {how}", binding, chain=path,
                              bound_by=bound_by), window)

    def _build_path(self, certs: list[x509.Certificate]) -> tuple[list[x509.Certificate] | None, str | None]:
        """Walk up from the leaf to an anchor; return (path, None), (None, None) when no anchor is
        reached (untrusted), or (None, why) when a certificate that did sign the next is unfit.

        Issuers are looked for among the other x5c certificates (in header order), then among
        the anchors, by subject name and then by signature; a same-name certificate whose
        signature does not match is not the issuer (so a chain that "continues" with someone
        else's intermediate, as pint-demo's ``*-invalid*`` one does, is untrusted).
        """
        from cryptography.hazmat.primitives import serialization

        def der(cert: x509.Certificate) -> bytes:
            return cert.public_bytes(serialization.Encoding.DER)

        path = [certs[0]]
        used = {der(certs[0])}
        while len(path) <= MAX_X5C_CERTS:
            current = path[-1]
            if len(path) > 1 and der(current) in self._anchors:
                return path, None
            issuer_name = current.issuer.public_bytes()
            candidates = [c for c in certs[1:] if c.subject.public_bytes() == issuer_name]
            candidates += self._anchors_by_subject.get(issuer_name, [])
            for candidate in candidates:
                if der(candidate) in used or not _signed_by(current, candidate):
                    continue
                problem = _ca_problem(candidate)
                if problem:
                    return None, f"{_cn(current)} is signed by {_cn(candidate)}, but {problem}"
                path.append(candidate)
                used.add(der(candidate))
                break
            else:
                return None, None
        return None, f"the certification path is longer than {MAX_X5C_CERTS} certificates"

    def _build_chain(self, x5c: tuple[str, ...]) -> _Chain:
        """Decode and check an x5c chain, and anchor it; independent of time."""
        import base64

        from cryptography import x509
        from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

        from .keys import KeyFileError, public_key_from_native

        invalid = "TRUST-X5C-INVALID"
        if len(x5c) > MAX_X5C_CERTS:
            return _Chain(invalid, f"x5c holds {len(x5c)} certificates; at most {MAX_X5C_CERTS} are accepted")
        certs: list[x509.Certificate] = []
        for i, item in enumerate(x5c):
            try:
                certs.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
            except (ValueError, binascii.Error):
                return _Chain(invalid, f"x5c[{i}] is not a base64 DER certificate")
        try:
            leaf = certs[0]
            if _is_ca(leaf):
                return _Chain(invalid, "x5c[0] is a CA certificate, not a signing (end-entity) certificate")
            problem = _leaf_problem(leaf)
            if problem:
                return _Chain(invalid, f"x5c[0] {_cn(leaf)} may not sign documents: {problem}")
            try:
                leaf_key = public_key_from_native(leaf.public_key(), where="x5c[0]")
            except (KeyFileError, UnsupportedAlgorithm) as exc:
                return _Chain(invalid, f"x5c[0]: {exc}")
            path, problem = self._build_path(certs)
            if problem:
                return _Chain(invalid, problem)
            if path is None:
                return _Chain("TRUST-X5C-UNTRUSTED", f"no path from {_cn(leaf)} to a trust anchor in the store",
                              tuple(certs), leaf_key)
            # pathLenConstraint: the number of CA certificates below an issuer in the path (RFC 5280 §4.2.1.9;
            # self-issued certificates are counted too, which is stricter than §6.1.4 (l)).
            for idx, cert in enumerate(path[1:], start=1):
                limit = _path_length(cert)
                if limit is not None and idx - 1 > limit:
                    return _Chain(invalid, f"the path length constraint of {_cn(cert)} ({limit}) is exceeded")
            for cert in path[:-1]:
                hash_alg = cert.signature_hash_algorithm
                if hash_alg is not None and hash_alg.name in _WEAK_HASHES:
                    return _Chain(invalid, f"certificate {_cn(cert)} is signed with {hash_alg.name}")
        except (ValueError, InvalidSignature, UnsupportedAlgorithm) as exc:  # e.g. malformed extensions
            return _Chain(invalid, f"x5c certificate cannot be processed: {exc}")
        return _Chain(None, "", tuple(path), leaf_key)


def _registration(code: str, cells: dict[str, str]) -> PlatformRegistration:
    """A :class:`PlatformRegistration` from one row's cells. Raises ``ValueError`` naming the bad pin."""
    from cryptography import x509

    kids = tuple(k for k in _KID_SPLIT.split(cells["manual_key_id"]) if k)
    fingerprints = set()
    for item in _KID_SPLIT.split(cells["cert_sha256"]):
        if item:
            value = item.replace(":", "").lower()
            if not _SHA256_HEX.fullmatch(value):
                raise ValueError(f"cert_sha256 {item[:80]!r} is not a SHA-256 fingerprint (64 hex digits)")
            fingerprints.add(value)
    thumbprints = set()
    for item in _KID_SPLIT.split(cells["key_thumbprint"]):
        if item:
            if len(item) != THUMBPRINT_LENGTH or not _B64URL.fullmatch(item):
                raise ValueError(f"key_thumbprint {item[:80]!r} is not an RFC 7638 SHA-256 thumbprint "
                                 f"({THUMBPRINT_LENGTH} base64url characters)")
            thumbprints.add(item)
    subject = None
    if cells["subject"]:
        try:
            subject = x509.Name.from_rfc4514_string(cells["subject"])
        except ValueError:
            subject = None
        if subject is None or not len(subject):
            raise ValueError(f"subject {cells['subject'][:120]!r} is not an RFC 4514 distinguished name "
                             "(e.g. \"CN=ebl1.example,O=Platform One\")")
    sans = {_san(item) for item in _KID_SPLIT.split(cells["san"]) if item}
    return PlatformRegistration(code, cells["site"], kids, frozenset(fingerprints), frozenset(thumbprints), subject,
                                frozenset(sans))


def _san(item: str) -> tuple[str, str]:
    """A registry ``san`` entry as (type, comparable value). Raises ``ValueError``."""
    kind, sep, value = item.partition(":")
    if not sep:
        kind, value = "dns", item
    canonical = _SAN_TYPES.get(kind.lower())
    if canonical is None or not value:
        raise ValueError(f"san {item[:120]!r} is not DNS:name, URI:uri, email:address or IP:address")
    if canonical == "IP":
        try:
            return canonical, str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(f"san {item[:120]!r}: {value[:60]!r} is not an IP address") from None
    return canonical, value if canonical == "URI" else value.lower()


def registry_pins(cert: x509.Certificate) -> dict[str, Any]:
    """The values that pin ``cert`` in a registry row (see the module docstring): ``cert_sha256`` (hex),
    ``key_thumbprint`` (RFC 7638), ``subject`` (RFC 4514) and ``san`` (``TYPE:value`` entries, sorted).

    Raises:
        KeyFileError: the certificate's key is not one etr supports.
    """
    from .keys import public_key_from_native

    return {"cert_sha256": _sha256_hex(cert),
            "key_thumbprint": public_key_from_native(cert.public_key(), where="certificate").thumbprint,
            "subject": cert.subject.rfc4514_string(),
            "san": [f"{kind}:{value}" for kind, value in sorted(_sans_of(cert))]}


def _mismatch_message(kid: str | None, reg: PlatformRegistration) -> str:
    what = f"key {kid!r}" if kid is not None else "the key"
    return (f"{what} is not bound to platform {reg.code!r} by the trust store (its registry row binds "
            f"{reg.describe()}); if the key is {reg.code}'s, list it in that row")


def _unbound_message(cert: x509.Certificate, leaf: PublicKey, kid: str | None, reg: PlatformRegistration) -> str:
    claim = ""
    if kid is not None:
        claim = (f"; kid {kid!r} is registered for {reg.code}, but the store holds no key under it, and a kid "
                 "copied into a header proves nothing")
    return (f"the x5c certificate {_cn(cert)} chains to a trust anchor, but the trust store does not bind it to "
            f"platform {reg.code!r}{claim}. If it is {reg.code}'s certificate, pin it in the registry row of "
            f"{reg.code} (cert_sha256 {_sha256_hex(cert)}, or key_thumbprint {leaf.thumbprint}, or its subject or "
            f"san), or add {reg.code}'s public key to the store under its registered kid")


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


def _unprocessed_critical(cert: x509.Certificate) -> str | None:
    """Why ``cert`` has a critical extension etr does not process (RFC 5280 §4.2), or ``None``."""
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
    return (f"its extendedKeyUsage ({listed}) allows none of {', '.join(SIGNING_EKUS.values())}")


def _leaf_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert`` may not sign a JWS as an end-entity certificate, or ``None``. Raises ``ValueError`` for
    unreadable extensions."""
    problem = _unprocessed_critical(cert)
    if problem:
        return problem
    usage = _key_usage(cert)
    if usage is not None and not usage.digital_signature:
        return "its key usage does not include digitalSignature"
    return _eku_problem(cert)


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when ``parent``'s key signed ``child`` (names are compared by the caller)."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _ca_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert`` may not issue certificates in a document-signing path, or ``None``."""
    if not _is_ca(cert):
        return "that is not a CA certificate (basicConstraints cA=TRUE)"
    usage = _key_usage(cert)
    if usage is not None and not usage.key_cert_sign:
        return "its key usage does not allow certificate signing (keyCertSign)"
    return _unprocessed_critical(cert) or _eku_problem(cert)


# --------------------------------------------------------------------------- CLI option

def trust_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Click decorator: adds repeatable ``--trust PATH`` and passes ``trust_store: TrustStore``.

    The store is built inside the callback (cryptography is imported only
    then); with no ``--trust`` it is empty. Errors in trust files surface as
    :class:`~etr.crypto.keys.KeyFileError` (exit 1 at the CLI boundary).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, trust_paths: tuple[Path, ...] = (), **kwargs: Any) -> Any:
        kwargs["trust_store"] = TrustStore.from_paths(trust_paths)
        return command(*args, **kwargs)

    option = click.option(
        "--trust", "trust_paths", multiple=True, metavar="PATH",
        type=click.Path(exists=True, path_type=Path),
        help="Trusted keys: JWK/JWKS, PEM public keys, X.509 CA or leaf certificates (PEM/DER), a platform "
             "registry CSV, or a directory of them. Repeatable. Nothing is fetched.")
    return option(wrapper)
