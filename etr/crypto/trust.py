"""Trust stores: which keys may sign, decided offline, and key resolution from a JWS header.

A :class:`TrustStore` is built from any mix of

- JWK / JWK Set files and PEM or DER public keys — each key is trusted as is;
- X.509 certificates (PEM or DER). A certificate with ``basicConstraints
  cA=TRUE`` is a **trust anchor**: every CA certificate given is an anchor,
  intermediates included (like OpenSSL's partial-chain mode), so trusting an
  intermediate trusts only what it issued. Any other certificate is a **leaf**
  whose key is trusted as is, within the certificate's validity period;
- a DCSA platform registry CSV (``Code,Site,jwks_endpoint,manual_key_id``)
  that binds platform codes to key ids. The ``jwks_endpoint`` is **never
  fetched**: etr is offline.

Private keys are **refused** (``KEY-PRIVATE``), in named files and in
directories alike: a trust store holds public material only, and a private key
in a trust directory is a mistake worth stopping for.

:meth:`TrustStore.resolve` picks the key for a JWS header at a given time (the
transaction time, supplied by the caller so results are reproducible):

1. ``x5c`` present (standard base64 DER, leaf first): a path is built from the
   leaf upwards — each issuer found among the other x5c certificates or the
   anchors by subject name *and* signature (``verify_directly_issued_by``) —
   until it reaches an anchor of the store. No path: ``TRUST-X5C-UNTRUSTED``.
   Structural faults are ``TRUST-X5C-INVALID``: undecodable certificates, a
   CA or non-signing leaf, an issuer without ``cA=TRUE`` or ``keyCertSign``,
   an exceeded path length, an unknown critical extension, SHA-1/MD5
   signatures. Then every certificate of the path must be valid at ``at``
   (``TRUST-X5C-EXPIRED`` / ``TRUST-X5C-NOT-YET-VALID``). A leaf whose own key
   is in the store is accepted even when its chain is not anchored (the chain
   is then ignored). A ``kid`` that names a stored key other than the leaf's
   is ``TRUST-X5C-INVALID``.
2. Else ``kid``: a stored key whose kid or RFC 7638 thumbprint equals it, or
   whose thumbprint starts with it when it has at least 16 characters (the
   pint-demo convention: kid = the thumbprint's first 16 characters).
3. Else, when the registry binds the platform to key ids: those keys; else the
   store's only key. Otherwise ``TRUST-UNKNOWN-KEY``.

``cryptography.x509.verification`` is not used: its web-PKI profile requires
subjectAltName on leaves and forbids Ed25519 throughout the chain, and the
DCSA PINT demo chains are Ed25519-signed without SAN. The walk above is
written out instead.

Platform binding (:attr:`KeyResolution.platform_binding`), when ``platform``
is given:

- ``registered`` — the registry lists one of the key's names (kid,
  thumbprint, or a thumbprint prefix of 16+ characters) for that platform;
- ``claimed`` — the key came from an anchored ``x5c``; the header's ``kid`` is
  the one registered, but the store holds no key under that kid to compare
  material with, so the binding rests on the kid claim;
- ``unknown`` — no registry, the platform is not in it, or its row lists no
  key id (e.g. only a JWKS endpoint, which is never fetched). The key is
  accepted; callers that need a binding must check this flag;
- ``not-checked`` — no platform was asked for.

When the registry does list key ids for the platform and the key matches none
of them, the answer is ``TRUST-PLATFORM-MISMATCH``.
"""

from __future__ import annotations

import binascii
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DocumentError, UsageError

if TYPE_CHECKING:
    from cryptography import x509

    from .keys import PublicKey

__all__ = ["TRUST_SUFFIXES", "KeyResolution", "TrustError", "TrustStore"]

#: File name endings loaded from a trust directory (non-recursive, hidden files skipped).
TRUST_SUFFIXES = frozenset({".jwk", ".json", ".pem", ".crt", ".cer", ".der", ".csv"})
MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024
MAX_X5C_CERTS = 10
MAX_REGISTRY_ROWS = 10_000
_CHAIN_CACHE_SIZE = 256
#: A kid of at least this many characters that starts a key's RFC 7638 thumbprint names that key
#: (the DCSA pint-demo convention: kid = first 16 characters of the thumbprint; 96 bits).
MIN_THUMBPRINT_PREFIX = 16
_KID_SPLIT = re.compile(r"[\s;|]+")
_WEAK_HASHES = ("md5", "sha1", "sha224")


class TrustError(DocumentError):
    """A JWS header names no key the trust store accepts; raised by :meth:`KeyResolution.key_or_raise`.

    Codes: ``TRUST-UNKNOWN-KEY``, ``TRUST-AMBIGUOUS-KEY``, ``TRUST-X5C-UNTRUSTED``,
    ``TRUST-X5C-EXPIRED``, ``TRUST-X5C-NOT-YET-VALID``, ``TRUST-X5C-INVALID``,
    ``TRUST-KEY-EXPIRED``, ``TRUST-KEY-NOT-YET-VALID``, ``TRUST-PLATFORM-MISMATCH``.
    """

    code = "TRUST-UNKNOWN-KEY"


@dataclass(frozen=True)
class KeyResolution:
    """Which key verifies a JWS, and how it was found; or why none does.

    ``key`` is set and ``code`` is ``None`` on success. ``how`` is ``"x5c"``
    (anchored certificate chain), ``"kid"``, ``"thumbprint"`` (the kid is the
    key's RFC 7638 thumbprint, or an unanchored x5c leaf whose key is stored),
    ``"platform"`` (no kid; the registry's key for the platform) or
    ``"only-key"`` (no kid; the store holds one key). ``chain`` is the
    validated path (leaf first, through the anchor) when ``how == "x5c"``.
    ``candidates`` lists the keys when ``code == "TRUST-AMBIGUOUS-KEY"``.
    """

    key: PublicKey | None
    how: str | None
    code: str | None = None
    message: str = ""
    platform_binding: str = "not-checked"
    chain: tuple[x509.Certificate, ...] = ()
    candidates: tuple[PublicKey, ...] = ()

    @property
    def ok(self) -> bool:
        """True when a key was found."""
        return self.key is not None and self.code is None

    def key_or_raise(self) -> PublicKey:
        """The key, or raise :class:`TrustError` with :attr:`code`."""
        if self.key is None or self.code is not None:
            raise TrustError(self.message or "no trusted key", code=self.code or "TRUST-UNKNOWN-KEY",
                             hint="is the trust store (--trust) the one this platform publishes?")
        return self.key


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
        return any(k in self.names or k == tp or (len(k) >= MIN_THUMBPRINT_PREFIX and tp.startswith(k))
                   for k in kids)


@dataclass(frozen=True)
class _Chain:
    """The time-independent part of an x5c check (cached per chain)."""

    code: str | None
    message: str
    path: tuple[x509.Certificate, ...] = ()
    leaf: PublicKey | None = None


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
        self._registry: dict[str, tuple[str, ...]] = {}
        self._sites: dict[str, str] = {}
        self._chains: dict[tuple[str, ...], _Chain] = {}
        self._bound: dict[tuple[tuple[str, ...], str | None], PublicKey] = {}  # x5c leaf key under a header kid
        self.sources: list[str] = []

    # ------------------------------------------------------------------ building

    @classmethod
    def from_paths(cls, paths: Iterable[Path | str]) -> TrustStore:
        """A store from files and directories (see :meth:`add_path`).

        Raises:
            KeyFileError: a path is missing, unreadable, malformed, holds a
                private key, or a directory holds no trust material.
        """
        store = cls()
        for path in paths:
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
            KeyFileError: a leaf's key type is not supported.
        """
        from cryptography.hazmat.primitives import serialization

        from .keys import public_key_from_native

        if _is_ca(cert):
            der = cert.public_bytes(serialization.Encoding.DER)
            if der not in self._anchors:
                self._anchors[der] = cert
                self._anchors_by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
                self._chains.clear()
                self._bound.clear()
            return
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
        self._bound.clear()

    def add_registry(self, data: bytes, name: str = "<registry>") -> None:
        """Read a platform registry CSV (``Code,Site,jwks_endpoint,manual_key_id``).

        ``manual_key_id`` may list several kids separated by spaces, ``;`` or
        ``|``; an empty one leaves the platform known but unbound. The
        ``jwks_endpoint`` is recorded, never fetched.

        Raises:
            KeyFileError: ``KEY-REGISTRY`` when the CSV lacks the columns, or
                names one platform twice with different kids.
        """
        from .keys import KeyFileError

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KeyFileError(f"{name}: a registry CSV must be UTF-8", code="KEY-REGISTRY") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
        if "code" not in columns or "manual_key_id" not in columns:
            raise KeyFileError(f"{name}: a registry CSV needs columns Code and manual_key_id "
                               f"(found: {', '.join(columns) or 'none'})", code="KEY-REGISTRY")
        try:
            for n, row in enumerate(reader, start=2):
                if n > MAX_REGISTRY_ROWS:
                    raise KeyFileError(f"{name}: more than {MAX_REGISTRY_ROWS} rows", code="KEY-REGISTRY")
                code = (row.get(columns["code"]) or "").strip()
                if not code:
                    continue
                kids = tuple(k for k in _KID_SPLIT.split((row.get(columns["manual_key_id"]) or "").strip()) if k)
                if code in self._registry and self._registry[code] != kids:
                    raise KeyFileError(f"{name} line {n}: platform {code!r} is already registered with other kids",
                                       code="KEY-REGISTRY")
                self._registry[code] = kids
                site = row.get(columns.get("site", ""), "") if "site" in columns else ""
                self._sites[code] = (site or "").strip()
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
        """Platform code -> registered key ids (empty tuple: platform known, no kid)."""
        return dict(self._registry)

    def is_empty(self) -> bool:
        """True when the store holds no key, no anchor and no registry row."""
        return not (self._keys or self._anchors or self._registry)

    def _registered(self, platform: str | None) -> tuple[str, ...]:
        return self._registry.get(platform, ()) if platform is not None else ()

    def _lookup(self, kid: str) -> list[_TrustedKey]:
        found = [self._keys[tp] for tp in self._names.get(kid, ())]
        if not found and kid in self._keys:
            found = [self._keys[kid]]  # the kid is a thumbprint
        if not found and len(kid) >= MIN_THUMBPRINT_PREFIX:
            found = [e for tp, e in self._keys.items() if tp.startswith(kid)]
        return found

    def keys_for(self, *, kid: str | None, platform: str | None) -> list[PublicKey]:
        """Trusted keys matching ``kid`` (kid or thumbprint; any when ``None``).

        When the registry lists key ids for ``platform``, only keys named by one
        of them are returned. A platform unknown to the registry (or listed
        without a kid) does not filter; :meth:`resolve` reports that as
        ``platform_binding == "unknown"``.
        """
        entries = self._lookup(kid) if kid is not None else list(self._keys.values())
        registered = self._registered(platform)
        if registered:
            entries = [e for e in entries if e.named_by(registered)]
        return [e.public for e in entries]

    # ------------------------------------------------------------------ resolution

    def resolve(self, header: dict[str, Any], *, platform: str | None, at: datetime) -> KeyResolution:
        """Pick the key that must verify a JWS with this protected ``header``.

        ``platform`` is the platform code the signer claims (e.g. a PINT
        ``eblPlatform``), or ``None``; ``at`` is the (timezone-aware) time at
        which certificates must be valid. Never raises for a bad header:
        failures come back with a ``code`` (see :class:`TrustError`).

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
        if kid is not None:
            entries = self._lookup(kid)
            if not entries:
                return _fail("TRUST-UNKNOWN-KEY", f"no trusted key has kid {kid[:80]!r}"), None
            how = "kid" if kid in self._names else "thumbprint"
        else:
            registered = self._registered(platform)
            if registered:
                entries = [e for e in self._keys.values() if e.named_by(registered)]
                how = "platform"
                if not entries:
                    return _fail("TRUST-UNKNOWN-KEY", f"the JWS names no key and the store holds none of the kids "
                                                      f"registered for platform {platform!r}"), None
            elif len(self._keys) == 1:
                entries, how = list(self._keys.values()), "only-key"
            else:
                return _fail("TRUST-UNKNOWN-KEY", f"the JWS header names no key (no kid, no x5c) and the store "
                                                  f"holds {len(self._keys)} keys"), None
        binding = self._binding(entries, platform, kid, claimed_ok=False)
        if binding is None:
            return _fail("TRUST-PLATFORM-MISMATCH", self._mismatch_message(kid, platform)), None
        if binding == "registered":
            entries = [e for e in entries if e.named_by(self._registered(platform))]
        if len(entries) > 1:
            return _fail("TRUST-AMBIGUOUS-KEY", f"{len(entries)} trusted keys match; the header must name one",
                         binding=binding, candidates=tuple(e.public for e in entries)), None
        entry = entries[0]
        problem = self._entry_validity(entry, at)
        if problem:
            return _fail(*problem, binding=binding), None
        return (KeyResolution(entry.public, how, None, f"key {entry.public.kid!r} found by {how}", binding),
                _entry_window(entry, at))

    def _entry_validity(self, entry: _TrustedKey, at: datetime) -> tuple[str, str] | None:
        if entry.bare or not entry.certificates:
            return None
        problems = [_validity([c], at, "TRUST-KEY-EXPIRED", "TRUST-KEY-NOT-YET-VALID") for c in entry.certificates]
        if any(p is None for p in problems):
            return None  # at least one stored certificate for this key is valid at `at`
        return problems[0]

    def _binding(self, entries: list[_TrustedKey], platform: str | None, kid: str | None, *,
                 claimed_ok: bool) -> str | None:
        """The platform binding of the candidate keys, or ``None`` for a mismatch."""
        if platform is None:
            return "not-checked"
        registered = self._registered(platform)
        if not registered:
            return "unknown"
        if any(e.named_by(registered) for e in entries):
            return "registered"
        if claimed_ok and kid is not None and kid in registered and kid not in self._names:
            return "claimed"
        return None

    def _mismatch_message(self, kid: str | None, platform: str | None) -> str:
        listed = ", ".join(self._registered(platform))
        return f"key {kid!r} is not registered for platform {platform!r} (registered: {listed})"

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
                self._bound.clear()
            self._chains[chain_key] = chain
        if chain.leaf is None:
            return _fail(chain.code or "TRUST-X5C-INVALID", chain.message), None
        leaf = chain.leaf
        named = self._lookup(kid) if kid is not None else []
        if named and not any(e.public.thumbprint == leaf.thumbprint for e in named):
            return _fail("TRUST-X5C-INVALID", f"kid {kid!r} names a trusted key other than the x5c certificate's"), None
        direct = self._keys.get(leaf.thumbprint)
        if chain.code is None:
            problem = _validity(chain.path, at, "TRUST-X5C-EXPIRED", "TRUST-X5C-NOT-YET-VALID")
            if problem:
                return _fail(*problem), None
            window: tuple[datetime | None, datetime | None] = (
                max(c.not_valid_before_utc for c in chain.path), min(c.not_valid_after_utc for c in chain.path))
            entries = [direct] if direct else []
            if direct:
                key = direct.public
            else:
                bound = self._bound.get((chain_key, kid))
                key = bound if bound is not None else self._bound.setdefault((chain_key, kid), _with_kid(leaf, kid))
            how, path = "x5c", chain.path
        elif direct is not None:
            # The chain does not reach an anchor, but the leaf's key is itself trusted; the
            # certificates then add nothing (their dates are unanchored claims) and are ignored.
            problem = self._entry_validity(direct, at)
            if problem:
                return _fail(*problem), None
            window = _entry_window(direct, at)
            entries, key, path = [direct], direct.public, ()
            how = "kid" if kid is not None and kid in direct.names else "thumbprint"
        else:
            return _fail(chain.code, chain.message), None
        binding = self._binding(entries or [_TrustedKey(key, set(), [])], platform, kid, claimed_ok=how == "x5c")
        if binding is None:
            return _fail("TRUST-PLATFORM-MISMATCH", self._mismatch_message(kid, platform)), None
        return KeyResolution(key, how, None, f"key {key.kid!r} found by {how}", binding, chain=path), window

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
            for i, cert in enumerate(certs):
                for ext in cert.extensions:
                    if ext.critical and isinstance(ext.value, x509.UnrecognizedExtension):
                        return _Chain(invalid, f"x5c[{i}] has an unknown critical extension {ext.oid.dotted_string}")
            leaf = certs[0]
            if _is_ca(leaf):
                return _Chain(invalid, "x5c[0] is a CA certificate, not a signing (end-entity) certificate")
            usage = _key_usage(leaf)
            if usage is not None and not (usage.digital_signature or usage.content_commitment):
                return _Chain(invalid, "x5c[0] key usage does not allow digital signatures")
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


def _with_kid(key: PublicKey, kid: str | None) -> PublicKey:
    from .keys import PublicKey

    return PublicKey(key.key, kid, key.alg) if kid else key


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


def _ca_problem(cert: x509.Certificate) -> str | None:
    """Why ``cert`` may not issue certificates, or ``None``."""
    if not _is_ca(cert):
        return "that is not a CA certificate (basicConstraints cA=TRUE)"
    usage = _key_usage(cert)
    if usage is not None and not usage.key_cert_sign:
        return "its key usage does not allow certificate signing"
    return None
