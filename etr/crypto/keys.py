"""Signing keys and public keys: generate, load, write, JWK/PEM, RFC 7638 thumbprints.

Only four signature algorithms exist here (:data:`ALGORITHMS`), each bound to
one key type:

=========  =========================================
``ES256``  EC P-256
``PS256``  RSA, at least 2048 bits (the default for RSA)
``RS256``  RSA, at least 2048 bits
``EdDSA``  Ed25519
=========  =========================================

Key files are read offline and bounded in size. Private keys are PEM
(PKCS #8 or "traditional" OpenSSL, unencrypted) or a private JWK; public keys
are PEM public keys, PEM/DER certificates, a JWK or a JWK Set. Every problem
with a key file raises :class:`KeyFileError` with a stable ``KEY-…`` code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ..errors import KeyFileError, UsageError

__all__ = [
    "ALGORITHMS",
    "MAX_KEY_FILE_BYTES",
    "MIN_RSA_BITS",
    "KeyFileError",
    "NativePrivateKey",
    "NativePublicKey",
    "PublicKey",
    "SigningKey",
    "algorithms_for",
    "b64url_decode",
    "b64url_encode",
    "generate_key",
    "jwk_entries",
    "load_public_keys",
    "load_signing_key",
    "looks_like_json",
    "parse_jwk_json",
    "pem_blocks",
    "public_key_from_jwk",
    "public_key_from_native",
    "read_key_source",
    "write_signing_key",
]

ALGORITHMS = ("ES256", "PS256", "RS256", "EdDSA")
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384
#: Key files larger than this are refused unread (a JWKS or chain is a few KiB).
MAX_KEY_FILE_BYTES = 1024 * 1024

NativePublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
NativePrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

KeySource = str | os.PathLike[str] | bytes


# --------------------------------------------------------------------------- encodings

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding. Raises ``ValueError`` on anything else."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_bytes(value: int, length: int | None = None) -> bytes:
    return value.to_bytes(length if length is not None else max(1, (value.bit_length() + 7) // 8), "big")


# --------------------------------------------------------------------------- key checks

def algorithms_for(key: NativePublicKey | NativePrivateKey) -> tuple[str, ...]:
    """The JWS algorithms this key may be used with; the first is the default."""
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return ("PS256", "RS256")
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        return ("ES256",) if isinstance(key.curve, ec.SECP256R1) else ()
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return ("EdDSA",)
    return ()


def _describe(key: object) -> str:
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return f"RSA {key.key_size}"
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        return f"EC {key.curve.name}"
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return "Ed25519"
    return type(key).__name__


def _check_key(key: object, where: str) -> None:
    """Refuse key types, curves and sizes outside :data:`ALGORITHMS`."""
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        if key.key_size < MIN_RSA_BITS:
            raise KeyFileError(f"{where}: RSA key of {key.key_size} bits is too weak",
                               code="KEY-TOO-WEAK", hint=f"use an RSA key of at least {MIN_RSA_BITS} bits, or EC P-256")
        return
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyFileError(f"{where}: EC curve {key.curve.name} is not supported", code="KEY-UNSUPPORTED",
                               hint="etr signs and verifies EC keys on P-256 (ES256) only")
        return
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return
    raise KeyFileError(f"{where}: {_describe(key)} keys are not supported", code="KEY-UNSUPPORTED",
                       hint="supported: RSA >= 2048 (PS256/RS256), EC P-256 (ES256), Ed25519 (EdDSA)")


def _public_members(key: NativePublicKey) -> dict[str, str]:
    """The RFC 7638 required members, in lexicographic order."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"e": b64url_encode(_int_bytes(numbers.e)), "kty": "RSA", "n": b64url_encode(_int_bytes(numbers.n))}
    if isinstance(key, ec.EllipticCurvePublicKey):
        size = (key.curve.key_size + 7) // 8
        ecn = key.public_numbers()
        return {"crv": "P-256", "kty": "EC", "x": b64url_encode(_int_bytes(ecn.x, size)),
                "y": b64url_encode(_int_bytes(ecn.y, size))}
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw)}


# --------------------------------------------------------------------------- PublicKey / SigningKey

@dataclass(frozen=True, eq=False)
class PublicKey:
    """A public verification key with its key id and, when declared, its algorithm.

    Equality and hashing use the key material (thumbprint), ``kid`` and ``alg``.
    """

    key: NativePublicKey = field(repr=False)
    kid: str
    alg: str | None = None

    def __post_init__(self) -> None:
        _check_key(self.key, "public key")
        if self.alg is not None and self.alg not in algorithms_for(self.key):
            raise KeyFileError(f"algorithm {self.alg!r} cannot be used with an {_describe(self.key)} key",
                               code="KEY-UNSUPPORTED")

    @cached_property
    def algorithms(self) -> tuple[str, ...]:
        """JWS algorithms compatible with this key; only ``alg`` when the key declares one."""
        return (self.alg,) if self.alg is not None else algorithms_for(self.key)

    @property
    def key_type(self) -> str:
        """A short description: ``RSA 2048``, ``EC secp256r1``, ``Ed25519``."""
        return _describe(self.key)

    @cached_property
    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        canonical = json.dumps(_public_members(self.key), separators=(",", ":"), sort_keys=True)
        return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())

    def jwk(self) -> dict[str, str]:
        """The public JWK, with ``kid`` (and ``alg`` when known). Never private material."""
        members = _public_members(self.key)
        out = {"kty": members.pop("kty"), **members, "kid": self.kid}
        if self.alg is not None:
            out["alg"] = self.alg
        return out

    def pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM."""
        return self.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def same_key(self, other: PublicKey) -> bool:
        """True when both hold the same key material (whatever their kid or alg)."""
        return self.thumbprint == other.thumbprint

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return (self.thumbprint, self.kid, self.alg) == (other.thumbprint, other.kid, other.alg)

    def __hash__(self) -> int:
        return hash((self.thumbprint, self.kid, self.alg))


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A private signing key bound to one algorithm and key id. Its repr shows no key material."""

    key: NativePrivateKey = field(repr=False)
    alg: str
    kid: str

    def __post_init__(self) -> None:
        _check_key(self.key, "signing key")
        if self.alg not in algorithms_for(self.key):
            raise UsageError(f"algorithm {self.alg!r} cannot be used with an {_describe(self.key)} key",
                             code="KEY-ALG-MISMATCH")
        if not isinstance(self.kid, str) or not self.kid:
            raise UsageError("a key id (kid) must be a non-empty string", code="KEY-KID")

    @cached_property
    def public(self) -> PublicKey:
        """The matching public key, with the same ``kid`` and ``alg``."""
        return PublicKey(self.key.public_key(), self.kid, self.alg)

    @cached_property
    def _jws_signer(self) -> Callable[[bytes], bytes]:
        """Bytes -> the raw JWS signature under ``alg`` (see :func:`etr.crypto.jws.sign_compact`), bound
        once per key so that each signature skips the algorithm dispatch."""
        from .jws import _bind_signer  # jws imports this module

        return _bind_signer(self.key, self.alg)

    def private_jwk(self) -> dict[str, str]:
        """The private JWK (RFC 7517/7518/8037), with ``kid`` and ``alg``. Handle with care."""
        out = {k: v for k, v in self.public.jwk().items() if k not in ("kid", "alg")}
        key = self.key
        if isinstance(key, rsa.RSAPrivateKey):
            pn = key.private_numbers()
            for name, value in (("d", pn.d), ("p", pn.p), ("q", pn.q), ("dp", pn.dmp1), ("dq", pn.dmq1),
                                ("qi", pn.iqmp)):
                out[name] = b64url_encode(_int_bytes(value))
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            out["d"] = b64url_encode(_int_bytes(key.private_numbers().private_value, 32))
        else:
            out["d"] = b64url_encode(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                       serialization.NoEncryption()))
        out["kid"] = self.kid
        out["alg"] = self.alg
        return out

    def private_pem(self) -> bytes:
        """Unencrypted PKCS #8 PEM. Handle with care."""
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


# --------------------------------------------------------------------------- generate

def generate_key(alg: str, *, rsa_bits: int = 2048, kid: str | None = None) -> SigningKey:
    """A new signing key for ``alg``; ``kid`` defaults to the RFC 7638 thumbprint.

    Raises:
        UsageError: unknown algorithm, or ``rsa_bits`` outside 2048..16384.
    """
    key: NativePrivateKey
    if alg == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif alg in ("PS256", "RS256"):
        if not MIN_RSA_BITS <= rsa_bits <= MAX_RSA_BITS:
            raise UsageError(f"RSA keys must have {MIN_RSA_BITS} to {MAX_RSA_BITS} bits, not {rsa_bits}",
                             code="KEY-TOO-WEAK" if rsa_bits < MIN_RSA_BITS else "KEY-UNSUPPORTED")
        key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    elif alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        raise UsageError(f"unknown algorithm {alg!r}; choose one of {', '.join(ALGORITHMS)}", code="KEY-UNSUPPORTED")
    if kid is None:
        kid = PublicKey(key.public_key(), "-").thumbprint
    return SigningKey(key, alg, kid)


# --------------------------------------------------------------------------- reading

def read_key_source(source: KeySource, *, limit: int = MAX_KEY_FILE_BYTES) -> tuple[bytes, str]:
    """Return the bytes of ``source`` (a path, or the bytes themselves) and a name for messages.

    Raises:
        KeyFileError: ``KEY-UNREADABLE`` when the file is missing, unreadable or too large.
    """
    if isinstance(source, bytes):
        if len(source) > limit:
            raise KeyFileError(f"key data is larger than {limit} bytes")
        return source, "<bytes>"
    name = os.fspath(source)
    try:
        with open(name, "rb") as fh:
            data = fh.read(limit + 1)
    except IsADirectoryError:
        raise KeyFileError(f"{name}: is a directory") from None
    except OSError as exc:
        raise KeyFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise KeyFileError(f"{name}: larger than {limit} bytes; not a key file")
    return data, name


def looks_like_json(data: bytes) -> bool:
    """True when ``data`` starts (after a BOM and whitespace) with ``{``."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_jwk_json(data: bytes, name: str) -> dict[str, Any]:
    """Parse a JWK or JWK Set with the hardened JSON loader. Raises :class:`KeyFileError`."""
    from ..load import LoadError, load_json

    try:
        value = load_json(data, name).content
    except LoadError as exc:
        raise KeyFileError(f"{name}: not a valid JWK ({exc.code}: {exc})") from None
    if not isinstance(value, dict):
        raise KeyFileError(f"{name}: a JWK or JWK Set must be a JSON object")
    return value


def jwk_entries(value: dict[str, Any], name: str) -> list[tuple[dict[str, Any], str]]:
    """The JWKs of a JWK or JWK Set, each with a name for messages. Raises :class:`KeyFileError`."""
    if "keys" in value and "kty" not in value:
        keys = value["keys"]
        if not isinstance(keys, list) or not keys:
            raise KeyFileError(f"{name}: a JWK Set needs a non-empty 'keys' array")
        out = []
        for i, item in enumerate(keys):
            if not isinstance(item, dict):
                raise KeyFileError(f"{name}: keys[{i}] is not a JSON object")
            out.append((item, f"{name} keys[{i}]"))
        return out
    return [(value, name)]


def _member(jwk: dict[str, Any], member: str, where: str, size: int | None = None) -> bytes:
    value = jwk.get(member)
    try:
        raw = b64url_decode(value) if isinstance(value, str) else None
    except ValueError:
        raw = None
    if raw is None or not raw or (size is not None and len(raw) != size):
        raise KeyFileError(f"{where}: member {member!r} is missing or not valid base64url"
                           + (f" of {size} bytes" if size else ""))
    return raw


def _check_jwk_params(jwk: dict[str, Any], where: str, operation: str) -> tuple[str | None, str | None]:
    """Validate ``kid``, ``alg``, ``use``, ``key_ops``; return (kid, alg)."""
    kid, alg = jwk.get("kid"), jwk.get("alg")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise KeyFileError(f"{where}: 'kid' must be a non-empty string")
    if alg is not None and alg not in ALGORITHMS:
        raise KeyFileError(f"{where}: algorithm {alg!r} is not supported", code="KEY-UNSUPPORTED",
                           hint=f"supported: {', '.join(ALGORITHMS)}")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise KeyFileError(f"{where}: key 'use' is {use!r}, not 'sig'", code="KEY-UNSUPPORTED")
    ops = jwk.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or operation not in ops):
        raise KeyFileError(f"{where}: 'key_ops' does not allow {operation!r}", code="KEY-UNSUPPORTED")
    return kid, alg


def _native_public_from_jwk(jwk: dict[str, Any], where: str) -> NativePublicKey:
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            n = int.from_bytes(_member(jwk, "n", where), "big")
            e = int.from_bytes(_member(jwk, "e", where), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise KeyFileError(f"{where}: EC curve {jwk.get('crv')!r} is not supported", code="KEY-UNSUPPORTED",
                                   hint="etr supports EC keys on P-256 (ES256) only")
            x = int.from_bytes(_member(jwk, "x", where, 32), "big")
            y = int.from_bytes(_member(jwk, "y", where, 32), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        if kty == "OKP":
            if jwk.get("crv") != "Ed25519":
                raise KeyFileError(f"{where}: OKP curve {jwk.get('crv')!r} is not supported", code="KEY-UNSUPPORTED",
                                   hint="etr supports Ed25519 (EdDSA) only")
            return ed25519.Ed25519PublicKey.from_public_bytes(_member(jwk, "x", where, 32))
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{where}: invalid {kty} key: {exc}") from None
    if kty == "oct":
        raise KeyFileError(f"{where}: symmetric (oct) keys are never accepted for signatures", code="KEY-UNSUPPORTED")
    raise KeyFileError(f"{where}: key type {kty!r} is not supported", code="KEY-UNSUPPORTED")


def public_key_from_jwk(jwk: dict[str, Any], where: str = "JWK") -> PublicKey:
    """A :class:`PublicKey` from a public JWK; ``kid`` defaults to the thumbprint.

    Raises:
        KeyFileError: ``KEY-PRIVATE`` if the JWK holds private material, or as
            described in :class:`KeyFileError`.
    """
    if "d" in jwk:
        raise KeyFileError(f"{where}: holds a private key where a public key was expected", code="KEY-PRIVATE",
                           hint="give the public JWK (without 'd'); keep private keys out of trust stores")
    kid, alg = _check_jwk_params(jwk, where, "verify")
    return public_key_from_native(_native_public_from_jwk(jwk, where), kid=kid, alg=alg, where=where)


def public_key_from_native(key: object, *, kid: str | None = None, alg: str | None = None,
                           where: str = "public key") -> PublicKey:
    """Wrap a ``cryptography`` public key, checking its type and size; ``kid`` defaults to the thumbprint."""
    _check_key(key, where)
    assert isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))
    if alg is not None and alg not in algorithms_for(key):
        raise KeyFileError(f"{where}: algorithm {alg!r} cannot be used with an {_describe(key)} key",
                           code="KEY-UNSUPPORTED")
    probe = PublicKey(key, kid or "-", alg)
    return probe if kid else PublicKey(key, probe.thumbprint, alg)


def _private_from_jwk(jwk: dict[str, Any], where: str) -> NativePrivateKey:
    public = _native_public_from_jwk(jwk, where)
    try:
        private: NativePrivateKey
        if isinstance(public, rsa.RSAPublicKey):
            pub = public.public_numbers()
            d = int.from_bytes(_member(jwk, "d", where), "big")
            if all(m in jwk for m in ("p", "q")):
                p = int.from_bytes(_member(jwk, "p", where), "big")
                q = int.from_bytes(_member(jwk, "q", where), "big")
            else:
                p, q = rsa.rsa_recover_prime_factors(pub.n, pub.e, d)
            numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                            rsa.rsa_crt_iqmp(p, q), pub)
            private = numbers.private_key()
        elif isinstance(public, ec.EllipticCurvePublicKey):
            private = ec.derive_private_key(int.from_bytes(_member(jwk, "d", where, 32), "big"), ec.SECP256R1())
        else:
            private = ed25519.Ed25519PrivateKey.from_private_bytes(_member(jwk, "d", where, 32))
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{where}: invalid private key: {exc}") from None
    if _public_members(private.public_key()) != _public_members(public):
        raise KeyFileError(f"{where}: the private key does not match the public members of the JWK")
    return private


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", re.DOTALL)


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """The PEM blocks in ``data`` as (label, block bytes), in order."""
    return [(m.group(1).decode("ascii"), m.group(0)) for m in _PEM_BLOCK.finditer(data)]


def load_signing_key(source: KeySource, *, alg: str | None = None, kid: str | None = None) -> SigningKey:
    """Load a private key from a PEM (PKCS #8 or traditional, unencrypted) or JWK file, or from bytes.

    The algorithm is ``alg``, else the JWK's ``alg``, else inferred from the key:
    EC P-256 → ES256, Ed25519 → EdDSA, RSA → PS256. The key id is ``kid``,
    else the JWK's ``kid``, else the RFC 7638 thumbprint. For a PEM file named
    ``<stem>.private.pem`` (as ``etr keys generate`` writes), ``kid`` and ``alg``
    come from the ``<stem>.public.jwk`` beside it when that holds the same key.

    Raises:
        KeyFileError: see its codes; RSA below 2048 bits is ``KEY-TOO-WEAK``.
        UsageError: ``KEY-ALG-MISMATCH`` when ``alg`` does not suit the key.
    """
    data, name = read_key_source(source)
    file_alg = file_kid = None
    key: object
    if looks_like_json(data):
        jwks = jwk_entries(parse_jwk_json(data, name), name)
        if len(jwks) != 1:
            raise KeyFileError(f"{name}: holds {len(jwks)} keys; a signing key file must hold exactly one")
        jwk, where = jwks[0]
        if "d" not in jwk:
            raise KeyFileError(f"{where}: a public JWK, not a private key", code="KEY-NOT-PRIVATE")
        file_kid, file_alg = _check_jwk_params(jwk, where, "sign")
        key = _private_from_jwk(jwk, where)
    else:
        key = _load_private_pem_or_der(data, name)
        file_kid, file_alg = _companion_params(source, key)
    _check_key(key, name)
    assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey))
    allowed = algorithms_for(key)
    if alg is not None and file_alg is not None and alg != file_alg:
        raise UsageError(f"{name}: the key declares {file_alg}, not {alg}", code="KEY-ALG-MISMATCH")
    if file_alg is not None and file_alg not in allowed:
        raise KeyFileError(f"{name}: algorithm {file_alg} cannot be used with an {_describe(key)} key",
                           code="KEY-UNSUPPORTED")
    chosen = alg or file_alg or allowed[0]
    if chosen not in allowed:
        raise UsageError(f"{name}: {chosen} cannot be used with an {_describe(key)} key "
                         f"(use {' or '.join(allowed)})", code="KEY-ALG-MISMATCH")
    if kid is None:
        kid = file_kid or PublicKey(key.public_key(), "-").thumbprint
    return SigningKey(key, chosen, kid)


def _companion_params(source: KeySource, key: object) -> tuple[str | None, str | None]:
    """``kid`` and ``alg`` of a PEM private key written by :func:`write_signing_key`.

    A PEM file cannot carry them, so they are read from the ``<stem>.public.jwk``
    beside ``<stem>.private.pem`` — and only when that JWK holds this key's public
    half. Anything else (no such file, another key, unreadable) gives ``(None, None)``.
    """
    if isinstance(source, bytes):
        return None, None
    path = os.fspath(source)
    if not path.endswith(".private.pem"):
        return None, None
    companion = path[: -len(".private.pem")] + ".public.jwk"
    try:
        publics = load_public_keys(companion)
    except (KeyFileError, OSError):
        return None, None
    public = getattr(key, "public_key", None)
    if public is None or len(publics) != 1 or not publics[0].same_key(public_key_from_native(public())):
        return None, None
    return publics[0].kid, publics[0].alg


def _load_private_pem_or_der(data: bytes, name: str) -> object:
    is_pem = b"-----BEGIN" in data
    if is_pem:
        labels = [label for label, _ in pem_blocks(data)]
        if "ENCRYPTED PRIVATE KEY" in labels or b"Proc-Type: 4,ENCRYPTED" in data:
            raise KeyFileError(f"{name}: encrypted private keys are not supported", code="KEY-UNSUPPORTED",
                               hint="decrypt it first, e.g. openssl pkey -in KEY -out PLAIN (mode 0600)")
        if not any(label.endswith("PRIVATE KEY") for label in labels):
            code = "KEY-NOT-PRIVATE" if labels else "KEY-UNREADABLE"
            raise KeyFileError(f"{name}: no private key found (PEM blocks: {', '.join(labels) or 'none'})", code=code)
    try:
        if is_pem:
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_der_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(f"{name}: encrypted private keys are not supported", code="KEY-UNSUPPORTED") from None
    except UnsupportedAlgorithm as exc:
        raise KeyFileError(f"{name}: unsupported key: {exc}", code="KEY-UNSUPPORTED") from None
    except ValueError:
        raise KeyFileError(f"{name}: not a PEM or DER private key, nor a private JWK") from None


def load_public_keys(source: KeySource) -> list[PublicKey]:
    """Load public keys from a PEM file (public keys and/or certificates), a DER
    certificate or public key, a JWK or a JWK Set; or from bytes.

    A certificate yields its subject public key (kid = thumbprint); nothing
    about its validity or issuer is checked here (see :mod:`etr.crypto.trust`).

    Raises:
        KeyFileError: ``KEY-PRIVATE`` when the file holds private material;
            otherwise see its codes.
    """
    data, name = read_key_source(source)
    if looks_like_json(data):
        return [public_key_from_jwk(jwk, where) for jwk, where in jwk_entries(parse_jwk_json(data, name), name)]
    if b"-----BEGIN" in data:
        blocks = pem_blocks(data)
        if not blocks:
            raise KeyFileError(f"{name}: no complete PEM block")
        return [_public_from_pem_block(label, block, f"{name} block {i + 1}")
                for i, (label, block) in enumerate(blocks)]
    return [_public_from_der(data, name)]


def _public_from_pem_block(label: str, block: bytes, where: str) -> PublicKey:
    if label.endswith("PRIVATE KEY"):
        raise KeyFileError(f"{where}: holds a private key where a public key was expected", code="KEY-PRIVATE",
                           hint="give the public key or certificate; keep private keys out of trust stores")
    try:
        if label in ("CERTIFICATE", "TRUSTED CERTIFICATE"):
            native: object = x509.load_pem_x509_certificate(block).public_key()
        elif label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
            native = serialization.load_pem_public_key(block)
        else:
            raise KeyFileError(f"{where}: PEM block {label!r} is not a public key or certificate",
                               code="KEY-UNSUPPORTED")
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{where}: cannot read {label}: {exc}") from None
    return public_key_from_native(native, where=where)


def _public_from_der(data: bytes, name: str) -> PublicKey:
    native: object
    try:
        native = x509.load_der_x509_certificate(data).public_key()
    except ValueError:
        try:
            native = serialization.load_der_public_key(data)
        except (ValueError, UnsupportedAlgorithm):
            raise KeyFileError(f"{name}: not a PEM, DER or JWK public key or certificate") from None
    except UnsupportedAlgorithm as exc:
        raise KeyFileError(f"{name}: unsupported key: {exc}", code="KEY-UNSUPPORTED") from None
    return public_key_from_native(native, where=name)


# --------------------------------------------------------------------------- writing

_SAFE_STEM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def write_signing_key(key: SigningKey, directory: Path) -> tuple[Path, Path]:
    """Write ``<stem>.private.pem`` (PKCS #8, mode 0600) and ``<stem>.public.jwk`` (a JWK Set, mode 0644).

    ``stem`` is the kid when it is a safe file name, else the thumbprint. The
    private file is created with ``O_CREAT | O_EXCL`` and mode 0600 in one step,
    so it is never readable by others, not even briefly; existing files are
    never overwritten. Returns (private path, public path).

    Raises:
        KeyFileError: ``KEY-EXISTS`` if either file exists, ``KEY-UNWRITABLE``
            if the directory or files cannot be written.
    """
    stem = key.kid if _SAFE_STEM.fullmatch(key.kid) else key.public.thumbprint
    private_path = directory / f"{stem}.private.pem"
    public_path = directory / f"{stem}.public.jwk"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise KeyFileError(f"{directory}: cannot create directory: {exc.strerror or exc}",
                           code="KEY-UNWRITABLE") from None
    for path in (private_path, public_path):
        if os.path.lexists(path):
            raise KeyFileError(f"{path}: already exists; refusing to overwrite a key file", code="KEY-EXISTS",
                               hint="choose another --out directory or --kid")
    public_doc = {"keys": [{**key.public.jwk(), "use": "sig"}]}
    _create_exclusive(private_path, key.private_pem(), 0o600)
    try:
        _create_exclusive(public_path, (json.dumps(public_doc, indent=2) + "\n").encode("ascii"), 0o644)
    except KeyFileError:
        private_path.unlink(missing_ok=True)
        raise
    return private_path, public_path


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists; refusing to overwrite a key file", code="KEY-EXISTS") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot create: {exc.strerror or exc}", code="KEY-UNWRITABLE") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise KeyFileError(f"{path}: cannot write: {exc.strerror or exc}", code="KEY-UNWRITABLE") from None
