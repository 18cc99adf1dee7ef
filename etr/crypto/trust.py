"""Trust stores: which keys may sign, and for which platform, decided offline; key resolution from a JWS header.

A :class:`TrustStore` is built from any mix of

- JWK / JWK Set files and PEM or DER public keys — each key is trusted as is;
- X.509 certificates (PEM or DER). A certificate with ``basicConstraints
  cA=TRUE`` is a **trust anchor**: every CA certificate given is an anchor,
  intermediates included (like OpenSSL's partial-chain mode), so trusting an
  intermediate trusts only what it issued. Any other certificate is a **leaf**
  whose key is trusted as is, within the certificate's validity period; a leaf
  that may not sign documents (:mod:`etr.crypto.x509_path`) is refused when
  loaded (``KEY-CERT-UNUSABLE``);
- platform registry CSVs (:mod:`etr.crypto.registry`: DCSA's columns plus
  optional certificate and key pins) that bind platform codes to keys.

Private keys are **refused** (``KEY-PRIVATE``), in named files and in
directories alike: a trust store holds public material only, and a private key
in a trust directory is a mistake worth stopping for.

Platform binding
----------------

A key counts as a platform's key only when the store binds it to that platform
(:attr:`KeyResolution.platform_binding` ``"registered"``, and
:attr:`KeyResolution.bound_by` says how): the platform's own stored key under a
kid its registry row lists (``kid``); a key whose RFC 7638 thumbprint a listed
kid is, or starts with in 16+ characters (``thumbprint``); a key whose
thumbprint is pinned (``key-thumbprint``); a certificate whose fingerprint is
pinned (``cert-sha256``); or a certificate whose subject and/or SAN match the
row's (``subject``, ``san``, ``subject+san``). Name pins are matched against
certificates of the store and against an ``x5c`` leaf whose chain reaches an
anchor: they trust every anchor of the store to name platforms correctly, so
prefer fingerprint or thumbprint pins when several CAs are trusted. A pin
binds; it never makes a certificate trusted (its chain must still reach an
anchor, or its key be stored).

A certificate that merely chains to a trusted CA, with a kid copied from the
registry into the JWS header, proves nothing about which platform holds the
key: when the platform's row binds keys and none of its kids and pins matches,
the answer is ``TRUST-PLATFORM-UNBOUND`` for an anchored ``x5c`` leaf (no kid,
or the row's kid; the message names the pins that would bind it) and
``TRUST-PLATFORM-MISMATCH`` otherwise (a stored key, or a header kid the row
does not list). The header's kid never relabels a key.

A platform the registry does not list at all (or a store without a registry)
binds no key, so no key speaks for it: ``TRUST-PLATFORM-UNBOUND``.
``platform_binding`` is ``"unknown"`` when the platform's row lists no kid and
no pin (only a JWKS endpoint, which is never fetched) and no other row binds the
key (one that does makes it ``TRUST-PLATFORM-MISMATCH``): the key is accepted, the
binding cannot be checked offline, and the caller must say so (the PINT
verifier's outcome is then NOT_EVALUABLE, ``PINT-PLATFORM-UNBOUND``);
``"not-checked"`` when no platform was asked for.

Resolution
----------

:meth:`TrustStore.resolve` picks the key for a JWS header at a given time (the
time of the event the JWS signs, supplied by the caller so results are
reproducible):

1. ``x5c`` present: a path from the leaf to an anchor of the store, checked
   against etr's X.509 profile (:mod:`etr.crypto.x509_path`):
   ``TRUST-X5C-UNTRUSTED`` (no path), ``TRUST-X5C-INVALID`` (a certificate
   unfit for its place), ``TRUST-X5C-EXPIRED`` / ``TRUST-X5C-NOT-YET-VALID``
   at ``at``. A leaf whose own key is in the store is accepted even when its
   chain is not anchored (the chain is then ignored). A ``kid`` that names a
   stored key other than the leaf's is ``TRUST-X5C-INVALID``; a ``kid`` that
   has the shape of a thumbprint — 43 base64url characters, or 16+ base64url
   characters that a registry lists (a thumbprint prefix) — and is neither the
   leaf key's thumbprint (or a prefix of it) nor a stored name of that key is
   ``TRUST-KID-MISMATCH``. Other kids are labels: a kid that no registry lists
   and that names no stored key does not change the answer.
2. Else ``kid``: a stored key whose kid or RFC 7638 thumbprint equals it, or
   whose thumbprint starts with it when it has at least 16 characters.
3. Else, when the registry binds keys to the platform: those keys; else the
   store's only key. Otherwise ``TRUST-UNKNOWN-KEY``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TrustError, UsageError
from .registry import (
    B64URL,
    MIN_THUMBPRINT_PREFIX,
    THUMBPRINT_LENGTH,
    PlatformRegistration,
    is_thumbprint_of,
    read_registry,
    sha256_hex,
)
from .x509_path import SIGNING_EKUS, Anchors, Chain, build_chain, describe, is_ca, leaf_problem, validity

if TYPE_CHECKING:
    from cryptography import x509

    from .keys import PublicKey

__all__ = ["BINDING_CODES", "SIGNING_EKUS", "TRUST_SUFFIXES", "KeyResolution", "PlatformRegistration", "TrustError",
           "TrustStore"]

#: File name endings loaded from a trust directory (non-recursive, hidden files skipped).
TRUST_SUFFIXES = frozenset({".jwk", ".json", ".pem", ".crt", ".cer", ".der", ".csv"})
MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024
_CHAIN_CACHE_SIZE = 256
#: Resolution codes that say a key is not the platform's (as opposed to not trusted at all).
BINDING_CODES = frozenset({"TRUST-PLATFORM-MISMATCH", "TRUST-PLATFORM-UNBOUND", "TRUST-KID-MISMATCH"})


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
            hint = ("bind the key to the platform in the trust store's registry (`etr keys show CERT` prints a "
                    "certificate's pins)" if self.code in BINDING_CODES
                    else "is the trust store (--trust) the one this platform publishes?")
            raise TrustError(self.message or "no trusted key", code=self.code or "TRUST-UNKNOWN-KEY", hint=hint)
        return self.key


@dataclass
class _TrustedKey:
    public: PublicKey
    names: set[str]
    sources: list[str]
    certificates: list[x509.Certificate] = field(default_factory=list)
    bare: bool = False  # trusted as a bare key (JWK/PEM): no validity period applies


def _fail(code: str, message: str, *, binding: str = "not-checked",
          candidates: tuple[PublicKey, ...] = ()) -> KeyResolution:
    return KeyResolution(None, None, code, message, binding, candidates=candidates)


def _check_time(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise UsageError("the validation time must be a timezone-aware datetime", code="TRUST-TIME",
                         hint="e.g. datetime(2026, 6, 1, tzinfo=timezone.utc)")
    return at


def _entry_window(entry: _TrustedKey, at: datetime) -> tuple[datetime | None, datetime | None]:
    """The period around ``at`` in which :meth:`TrustStore._entry_validity` stays None (it is None at ``at``)."""
    if entry.bare or not entry.certificates:
        return None, None
    for cert in entry.certificates:
        if cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            return cert.not_valid_before_utc, cert.not_valid_after_utc
    return at, at  # unreachable when valid at `at`; remember nothing beyond it


class TrustStore:
    """Keys, anchors and platform bindings the caller trusts. See the module docstring.

    Build with :meth:`from_paths` or :meth:`add_path`; the ``add_*`` methods
    take already-parsed material. Not meant to be mutated while another thread
    resolves.
    """

    def __init__(self) -> None:
        self._keys: dict[str, _TrustedKey] = {}  # thumbprint -> entry
        self._names: dict[str, list[str]] = {}  # kid -> thumbprints
        self._anchors = Anchors()
        self._platforms: dict[str, PlatformRegistration] = {}
        self._registered_kids: set[str] = set()  # every kid some registry row lists
        self._chains: dict[tuple[str, ...], Chain] = {}
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
                (see :mod:`etr.crypto.x509_path`) or its extensions
                cannot be read; or a leaf's key type is not supported.
        """
        from .keys import KeyFileError, public_key_from_native

        try:
            anchor = is_ca(cert)
            problem = None if anchor else leaf_problem(cert)
        except ValueError as exc:  # malformed or duplicate extensions
            raise KeyFileError(f"{source}: certificate {describe(cert)} cannot be processed: {exc}",
                               code="KEY-CERT-UNUSABLE") from None
        if anchor:
            if self._anchors.add(cert):
                self._chains.clear()
            return
        if problem:
            raise KeyFileError(f"{source}: certificate {describe(cert)} may not sign documents: {problem}",
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
        """Read a platform registry CSV (columns: :mod:`etr.crypto.registry`); all its rows or none.

        ``manual_key_id`` may list several kids separated by spaces, ``;`` or
        ``|``; a row without kid or pin leaves the platform known but unbound.
        The ``jwks_endpoint`` is never fetched.

        Raises:
            KeyFileError: ``KEY-REGISTRY`` when the CSV lacks the columns, a pin
                is malformed (the message names the line), or one platform is
                registered twice with different kids or pins.
        """
        from .keys import KeyFileError

        added: dict[str, PlatformRegistration] = {}
        for registration in read_registry(data, name):
            known = added.get(registration.code) or self._platforms.get(registration.code)
            if known is not None and not known.same_binding(registration):
                raise KeyFileError(f"{name}: platform {registration.code!r} is registered twice, with other kids "
                                   f"or pins ({known.describe()})", code="KEY-REGISTRY")
            added[registration.code] = registration
        self._platforms.update(added)
        for registration in added.values():
            self._registered_kids.update(registration.kids)

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
        return list(self._anchors.by_der.values())

    @property
    def registry(self) -> dict[str, tuple[str, ...]]:
        """Platform code -> registered key ids (empty tuple: no kid; the row may still pin certificates)."""
        return {code: reg.kids for code, reg in self._platforms.items()}

    def platform(self, code: str) -> PlatformRegistration | None:
        """The registry row of platform ``code``, or ``None``."""
        return self._platforms.get(code)

    def is_empty(self) -> bool:
        """True when the store holds no key, no anchor and no registry row."""
        return not (self._keys or self._anchors.by_der or self._platforms)

    def _binding_row(self, platform: str | None) -> PlatformRegistration | None:
        """The platform's row when it binds keys; ``None`` when nothing is bound (binding "unknown")."""
        reg = self._platforms.get(platform) if platform is not None else None
        return reg if reg is not None and reg.binds else None

    def _unlisted(self, platform: str | None) -> KeyResolution | None:
        """For a platform that no registry row binds: ``TRUST-PLATFORM-UNBOUND`` when the registry does not
        list it at all (or there is no registry), since then any trusted key could speak for it; ``None``
        (accepted, binding ``"unknown"``) when its row lists it without a kid or pin — only a JWKS
        endpoint, which is never fetched — so that the binding cannot be checked offline and the caller
        must say so."""
        if platform is None or platform in self._platforms:
            return None
        where = "the registry has no row for it" if self._platforms else "the trust store has no platform registry"
        return _fail("TRUST-PLATFORM-UNBOUND", f"nothing in the trust store binds a key to platform {platform[:40]!r} "
                                               f"({where}), so any trusted key could sign for it. Add a registry "
                                               f"CSV row for {platform[:40]!r} naming its key id (manual_key_id) "
                                               f"or pinning its certificate (cert_sha256, key_thumbprint, subject, "
                                               f"san)")

    def _own_names(self, entry: _TrustedKey) -> set[str]:
        """The names of ``entry`` that name no other stored key: only these can bind it to a platform. A label
        two keys share (``key-1``) binds neither, else either key could sign for the platform that lists it."""
        return {name for name in entry.names if len(self._names.get(name, ())) == 1}

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
        if not B64URL.fullmatch(kid):
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
            entries = [e for e in entries if reg.bound_by(e.public, self._own_names(e), e.certificates)]
        return [e.public for e in entries]

    def platforms_binding(self, key: PublicKey, *, certificate: x509.Certificate | None = None) -> list[str]:
        """The platform codes whose registry rows bind ``key`` (sorted), e.g. to refuse signing for another.

        The key's stored names and certificates count, and ``certificate`` — one the
        key will be presented with — when it holds this key (its trust is not
        checked here; :meth:`resolve` does that).
        """
        from .keys import KeyFileError, public_key_from_native

        entry = self._keys.get(key.thumbprint)
        names = self._own_names(entry) if entry else set()
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
            entries = [e for e in self._keys.values() if reg.bound_by(e.public, self._own_names(e), e.certificates)]
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
        if reg is None and (refusal := self._unlisted(platform)) is not None:
            return refusal, None
        if reg is not None:
            bound = [(e, by) for e in entries if (by := reg.bound_by(e.public, self._own_names(e), e.certificates))]
            if not bound and len(entries) > 1:  # the header's kid names several keys, and the row tells none apart
                return _fail("TRUST-AMBIGUOUS-KEY", f"{len(entries)} trusted keys match; the header must name one",
                             binding="registered", candidates=tuple(e.public for e in entries)), None
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
        if binding == "unknown" and (other := self._bound_elsewhere(platform, entry.public, self._own_names(entry),
                                                                    entry.certificates)) is not None:
            return other, None
        return (KeyResolution(entry.public, how, None, f"key {entry.public.kid!r} found by {how}", binding,
                              bound_by=bound_by), _entry_window(entry, at))

    def _bound_elsewhere(self, platform: str | None, key: PublicKey, names: set[str],
                         certificates: list[x509.Certificate]) -> KeyResolution | None:
        """For a platform whose row binds nothing (binding "unknown"): ``TRUST-PLATFORM-MISMATCH`` when the
        registry binds ``key`` to other platforms — the store knows whose key it is, and it is not this one's."""
        others = [code for code, reg in self._platforms.items() if reg.bound_by(key, names, certificates)]
        if not others:
            return None
        return _fail("TRUST-PLATFORM-MISMATCH", f"the key is bound to platform(s) {', '.join(sorted(others))} by the "
                                                f"registry, not to {str(platform)[:40]!r}")

    def _entry_validity(self, entry: _TrustedKey, at: datetime) -> tuple[str, str] | None:
        if entry.bare or not entry.certificates:
            return None
        problems = [validity([c], at, "TRUST-KEY-EXPIRED", "TRUST-KEY-NOT-YET-VALID") for c in entry.certificates]
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
            chain = build_chain(chain_key, self._anchors)
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
                and not is_thumbprint_of(kid, leaf.thumbprint):
            return _fail("TRUST-KID-MISMATCH", f"kid {kid[:80]!r} has the form of an RFC 7638 key thumbprint (or a "
                                               f"registered prefix of one), but the x5c certificate's key has "
                                               f"thumbprint {leaf.thumbprint!r}: the header names another key than "
                                               f"the one that signed"), None
        names: set[str] = self._own_names(direct) if direct is not None else set()
        certificates: list[x509.Certificate] = list(direct.certificates) if direct is not None else []
        if chain.code is None:
            problem = validity(chain.path, at, "TRUST-X5C-EXPIRED", "TRUST-X5C-NOT-YET-VALID")
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
        if reg is None and (refusal := self._unlisted(platform)) is not None:
            return refusal, None
        if reg is not None:
            bound_by = reg.bound_by(key, names, certificates)
            if bound_by is None:
                if how != "x5c" or direct is not None:  # a stored key the row does not list
                    return _fail("TRUST-PLATFORM-MISMATCH", _mismatch_message(kid, reg)), None
                # An anchored certificate the row does not bind: with the row's kid (or none) in the header it is
                # "unbound" (the old "claimed" binding, which no longer counts); with another kid, a mismatch.
                code = "TRUST-PLATFORM-UNBOUND" if kid is None or kid in reg.kids else "TRUST-PLATFORM-MISMATCH"
                return _fail(code, _unbound_message(chain.path[0], leaf, kid, reg)), None
            binding = "registered"
        elif binding == "unknown" and (other := self._bound_elsewhere(platform, key, names, certificates)) is not None:
            return other, None
        return (KeyResolution(key, how, None, f"key {key.kid!r} found by {how}", binding, chain=path,
                              bound_by=bound_by), window)


def _mismatch_message(kid: str | None, reg: PlatformRegistration) -> str:
    what = f"key {kid!r}" if kid is not None else "the key"
    return (f"{what} is not bound to platform {reg.code!r} by the trust store (its registry row binds "
            f"{reg.describe()}); if the key is {reg.code}'s, list it in that row")


def _unbound_message(cert: x509.Certificate, leaf: PublicKey, kid: str | None, reg: PlatformRegistration) -> str:
    claim = ""
    if kid is not None and kid in reg.kids:
        claim = (f"; kid {kid!r} is registered for {reg.code}, but the store holds no key under it, and a kid "
                 "copied into a header proves nothing")
    elif kid is not None:
        claim = f"; its kid {kid[:80]!r} is not one the registry lists for {reg.code} ({reg.describe()})"
    return (f"the x5c certificate {describe(cert)} chains to a trust anchor, but the trust store does not bind it to "
            f"platform {reg.code!r}{claim}. If it is {reg.code}'s certificate, pin it in the registry row of "
            f"{reg.code} (cert_sha256 {sha256_hex(cert)}, or key_thumbprint {leaf.thumbprint}, or its subject or "
            f"san), or add {reg.code}'s public key to the store under its registered kid")
