"""Platform registries: which keys and certificates the trust store binds to which eBL platform code.

A registry is a CSV. The DCSA columns ``Code,Site,jwks_endpoint,manual_key_id``
work as they are, and optional pin columns extend them (column names are
case-insensitive, in any order; ``Code`` and at least one of
``manual_key_id``, ``cert_sha256``, ``key_thumbprint``, ``subject``, ``san``
are required)::

    Code,Site,jwks_endpoint,manual_key_id,cert_sha256,key_thumbprint,subject,san
    EBL1,https://ebl1.example,,ebl1-2026,,,,
    EBL2,https://ebl2.example,,,9f86d0…(64 hex),,,
    CAR1,https://car1.example,,,,,"CN=car1.example,O=Carrier One",DNS:car1.example

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
  wildcard matching. A certificate matches when it carries one of them; with
  ``subject`` as well, it must match both.

``etr keys show CERT`` prints a certificate's pins. A row without any kid or pin
(e.g. only a ``jwks_endpoint``, which is **never fetched**: etr is offline)
names a platform without binding any key to it. A platform may appear in
several rows or files only with the same kids and pins.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509

    from .keys import PublicKey

__all__ = ["MIN_THUMBPRINT_PREFIX", "PIN_COLUMNS", "THUMBPRINT_LENGTH", "PlatformRegistration", "is_thumbprint_of",
           "read_registry", "registry_pins"]

#: A kid of at least this many characters that starts a key's RFC 7638 thumbprint names that key
#: (the DCSA pint-demo convention: kid = first 16 characters of the thumbprint; 96 bits).
MIN_THUMBPRINT_PREFIX = 16
#: The length of an RFC 7638 SHA-256 thumbprint in base64url without padding.
THUMBPRINT_LENGTH = 43
MAX_REGISTRY_ROWS = 10_000
#: The columns that bind keys (``manual_key_id`` is DCSA's; the others are etr's pins).
PIN_COLUMNS = ("manual_key_id", "cert_sha256", "key_thumbprint", "subject", "san")
_SPLIT = re.compile(r"[\s;|]+")
B64URL = re.compile(r"[A-Za-z0-9_-]+")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_SAN_TYPES = {"dns": "DNS", "uri": "URI", "email": "email", "ip": "IP"}


def is_thumbprint_of(kid: str, thumbprint: str) -> bool:
    """True when ``kid`` is ``thumbprint`` or a prefix of it of at least :data:`MIN_THUMBPRINT_PREFIX` characters."""
    return kid == thumbprint or (len(kid) >= MIN_THUMBPRINT_PREFIX and thumbprint.startswith(kid))


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
        """How this row binds ``key`` or ``None``: ``kid``, ``thumbprint``, ``key-thumbprint``,
        ``cert-sha256``, ``subject``, ``san`` or ``subject+san``.

        ``names`` are the key's names in the trust store (a header's kid is not one), and
        ``certificates`` certificates of this key that the caller has found trustworthy
        (stored ones, or an x5c leaf whose chain reaches an anchor).
        """
        names = set(names)
        if any(kid in names for kid in self.kids):
            return "kid"
        thumbprint = key.thumbprint
        if any(is_thumbprint_of(kid, thumbprint) for kid in self.kids):
            return "thumbprint"
        if thumbprint in self.key_thumbprints:
            return "key-thumbprint"
        for cert in certificates:
            if self.cert_sha256 and sha256_hex(cert) in self.cert_sha256:
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
        if self.sans and not self.sans & sans_of(cert):
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

    def same_binding(self, other: PlatformRegistration) -> bool:
        """True when both rows bind the same (their ``Site`` may differ)."""
        return dataclasses.replace(self, site="") == dataclasses.replace(other, site="")


def read_registry(data: bytes, name: str = "<registry>") -> Iterator[PlatformRegistration]:
    """The rows of a registry CSV, in order (rows without a ``Code`` are skipped).

    Raises:
        KeyFileError: ``KEY-REGISTRY`` when the CSV is not UTF-8, is malformed
            (an unterminated quote, a row with more cells than the header), lacks
            the columns, has more than 10,000 rows, or a pin is malformed (the
            message names the line).
    """
    from .keys import KeyFileError

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KeyFileError(f"{name}: a registry CSV must be UTF-8", code="KEY-REGISTRY") from None
    # strict: an unterminated quote is an error, not a cell that swallows every later row.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
    if "code" not in columns or not any(c in columns for c in PIN_COLUMNS):
        raise KeyFileError(f"{name}: a registry CSV needs columns Code and manual_key_id (or a pin column: "
                           f"{', '.join(PIN_COLUMNS[1:])}); found: {', '.join(columns) or 'none'}",
                           code="KEY-REGISTRY")

    def cell(row: dict[str, str | None], column: str) -> str:
        return (row.get(columns[column]) or "").strip() if column in columns else ""

    try:
        for n, row in enumerate(reader, start=1):
            if n > MAX_REGISTRY_ROWS:
                raise KeyFileError(f"{name}: more than {MAX_REGISTRY_ROWS} rows", code="KEY-REGISTRY")
            if None in row:  # DictReader's key for cells beyond the header: a row that does not fit its columns
                raise KeyFileError(f"{name} line {reader.line_num}: more cells than the header has columns",
                                   code="KEY-REGISTRY")
            code = cell(row, "code")
            if not code:
                continue
            try:
                yield _registration(code, {c: cell(row, c) for c in ("site", *PIN_COLUMNS)})
            except ValueError as exc:
                raise KeyFileError(f"{name} line {reader.line_num}: platform {code!r}: {exc}",
                                   code="KEY-REGISTRY") from None
    except csv.Error as exc:
        raise KeyFileError(f"{name}: malformed CSV: {exc}", code="KEY-REGISTRY") from None


def _registration(code: str, cells: dict[str, str]) -> PlatformRegistration:
    """A :class:`PlatformRegistration` from one row's cells. Raises ``ValueError`` naming the bad pin."""
    from cryptography import x509

    kids = tuple(k for k in _SPLIT.split(cells["manual_key_id"]) if k)
    fingerprints = set()
    for item in _SPLIT.split(cells["cert_sha256"]):
        if item:
            value = item.replace(":", "").lower()
            if not _SHA256_HEX.fullmatch(value):
                raise ValueError(f"cert_sha256 {item[:80]!r} is not a SHA-256 fingerprint (64 hex digits)")
            fingerprints.add(value)
    thumbprints = set()
    for item in _SPLIT.split(cells["key_thumbprint"]):
        if item:
            if len(item) != THUMBPRINT_LENGTH or not B64URL.fullmatch(item):
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
    sans = {_san(item) for item in _SPLIT.split(cells["san"]) if item}
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


def sha256_hex(cert: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint (of its DER encoding), lowercase hex."""
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256()).hex()


def sans_of(cert: x509.Certificate) -> frozenset[tuple[str, str]]:
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


def registry_pins(cert: x509.Certificate) -> dict[str, Any]:
    """The values that pin ``cert`` in a registry row: ``cert_sha256`` (hex), ``key_thumbprint`` (RFC 7638),
    ``subject`` (RFC 4514) and ``san`` (``TYPE:value`` entries, sorted).

    Raises:
        KeyFileError: the certificate's key is not one etr supports.
    """
    from .keys import public_key_from_native

    return {"cert_sha256": sha256_hex(cert),
            "key_thumbprint": public_key_from_native(cert.public_key(), where="certificate").thumbprint,
            "subject": cert.subject.rfc4514_string(),
            "san": [f"{kind}:{value}" for kind, value in sorted(sans_of(cert))]}
