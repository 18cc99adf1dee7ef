"""Certificates made to order for trust-store tests: every extension etr checks can be set or left out.

``issue(...)`` builds one certificate; :class:`Ca` keeps a CA's key and certificate so that leaves
and sub-CAs can be issued from it in one line. Nothing here is trusted by default: a test decides
which certificates go into a :class:`~etr.crypto.trust.TrustStore`.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2030, 1, 1, tzinfo=UTC)
#: An OID under the "example" private enterprise arc: no library processes it.
UNKNOWN_OID = x509.ObjectIdentifier("1.3.6.1.4.1.32473.1.1")
DEFAULT = object()


def name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def key_usage(*, signing: bool = False, cert_sign: bool = False, commitment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=commitment, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         encipher_only=False, decipher_only=False)


def issue(subject: x509.Name, public: Any, issuer: x509.Name, issuer_key: Any, *, ca: bool,
          path_length: int | None = None, basic_constraints: bool = True, usage: Any = DEFAULT,
          eku: Sequence[x509.ObjectIdentifier] | None = None, san: Sequence[x509.GeneralName] | None = None,
          extra: Sequence[tuple[x509.ExtensionType, bool]] = (), not_before: datetime = START,
          not_after: datetime = END) -> x509.Certificate:
    """One certificate. ``usage``: DEFAULT (digitalSignature for a leaf, keyCertSign for a CA), None (no
    keyUsage extension) or a :class:`x509.KeyUsage`. ``extra``: (extension, critical) pairs."""
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
               .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after))
    if basic_constraints:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None),
                                        critical=True)
    if usage is DEFAULT:
        usage = key_usage(cert_sign=True) if ca else key_usage(signing=True)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(san)), critical=False)
    for extension, critical in extra:
        builder = builder.add_extension(extension, critical=critical)
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)  # type: ignore[arg-type]


def unknown_extension() -> x509.UnrecognizedExtension:
    return x509.UnrecognizedExtension(UNKNOWN_OID, b"\x05\x00")


@dataclass
class Ca:
    """A CA: its key and certificate (self-signed unless ``parent`` is given)."""

    subject: x509.Name
    parent: Ca | None = None
    path_length: int | None = None
    key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        issuer, issuer_key = (self.parent.subject, self.parent.key) if self.parent else (self.subject, self.key)
        self.cert = issue(self.subject, self.key.public_key(), issuer, issuer_key, ca=True,
                          path_length=self.path_length, **self.options)

    def leaf(self, subject: x509.Name, public: Any, **options: Any) -> x509.Certificate:
        return issue(subject, public, self.subject, self.key, ca=False, **options)

    def sub_ca(self, subject: x509.Name, *, path_length: int | None = None, **options: Any) -> Ca:
        return Ca(subject, self, path_length, options=options)


def x5c(*certs: x509.Certificate) -> list[str]:
    """The JWS ``x5c`` value: standard base64 DER, in the order given (leaf first)."""
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in certs]


def sha256_hex(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()
