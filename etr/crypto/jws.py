"""Compact JWS (RFC 7515 §7.1) with an explicit algorithm allow-list.

Signing goes through ``joserfc`` (imported on first use). Parsing is our own and
strict, because the DCSA checksums are computed over the JWS string exactly as
received, and because the header must pass the hardened JSON loader (no
duplicate keys: two parsers that disagree on which ``alg`` counts is a classic
bypass). Verification calls ``cryptography`` directly with the algorithm's
fixed parameters, and decoded headers are cached (the entries of one chain share
one header, and decoding an ``x5c`` header costs about as much as an RSA
verification); ``joserfc`` would add header re-checks and a second decode.

Measured per call (one core), raw ``cryptography`` verify vs
:func:`verify_compact` from the token string vs ``joserfc``'s
``deserialize_compact`` with a pre-imported key: PINT-demo Ed25519 token
(3.8 kB, x5c header) 106/118/138 µs; PINT-demo RS256 token (4.5 kB) 22/35/56 µs;
ES256 (1.1 kB) 64/74/85 µs; PS256 (1.4 kB) 23/33/41 µs. The remaining ~10 µs
is the strict parse (base64url checks, payload decode), which only shows
against RSA's fast verification.

Rules, whatever the caller asks:

- ``none`` and HMAC (``HS*``) are never accepted; putting them in an allow-list
  is a :class:`~etr.errors.UsageError`.
- The algorithm must be allowed *and* fit the key type (RSA: RS256/PS256,
  EC P-256: ES256, Ed25519: EdDSA; and the key's own ``alg`` when it declares
  one), checked before any signature arithmetic.
- ``crit`` is refused (we understand no extension), and so is ``b64: false``
  (RFC 7797 unencoded payloads).
- ES256 signatures are raw ``r || s`` (64 bytes), not DER.
"""

from __future__ import annotations

import binascii
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ..errors import DocumentError, UsageError
from .keys import ALGORITHMS, PublicKey, SigningKey

__all__ = [
    "DEFAULT_ALLOWED",
    "JwsError",
    "ParsedJws",
    "check_allowed",
    "parse_compact",
    "payload_json",
    "sign_compact",
    "verify_compact",
]

DEFAULT_ALLOWED = frozenset({"RS256", "PS256", "ES256", "EdDSA"})
_SUPPORTED = frozenset(ALGORITHMS)

#: Largest token accepted (characters): a 16 MiB payload in base64url plus a header.
MAX_TOKEN_CHARS = 24 * 1024 * 1024
#: Largest protected header accepted (base64url characters); an x5c chain of a few certificates fits easily.
MAX_HEADER_CHARS = 64 * 1024
_HEADER_DEPTH = 8

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALPHABET_BYTES = _ALPHABET.encode("ascii")
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_STANDARD_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _is_base64_list(value: object) -> bool:
    """A non-empty list of non-empty, padded, standard base64 strings (RFC 7515 §4.1.6)."""
    if not isinstance(value, list) or not value:
        return False
    for item in value:
        if not isinstance(item, str) or not item or len(item) % 4:
            return False
        try:
            raw = item.encode("ascii")
        except UnicodeEncodeError:
            return False
        body = raw[:-2] + raw[-2:].rstrip(b"=")
        if body.translate(None, _STANDARD_BYTES) or len(raw) - len(body) > 2:
            return False
    return True


class JwsError(DocumentError):
    """A JWS is malformed, uses a forbidden algorithm, or does not verify.

    Codes: ``JWS-MALFORMED``, ``JWS-HEADER``, ``JWS-ALG-FORBIDDEN``,
    ``JWS-KEY-MISMATCH``, ``JWS-BAD-SIGNATURE``, ``JWS-PAYLOAD``. ``detail``
    carries a lower-level code when there is one (e.g. the loader's
    ``LOAD-JSON-DUPLICATE-KEY``).
    """

    code = "JWS-MALFORMED"

    def __init__(self, message: str, *, code: str, hint: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, code=code, hint=hint)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A compact JWS split and decoded, not yet verified.

    ``token`` is the string exactly as received (hash this, never a
    re-serialisation); ``signing_input`` is ``ASCII(header "." payload)``.
    """

    token: str
    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        """The header's ``alg`` (always a non-empty string once parsed)."""
        alg: str = self.header["alg"]
        return alg

    @property
    def kid(self) -> str | None:
        """The header's ``kid``, if any."""
        kid: str | None = self.header.get("kid")
        return kid


# --------------------------------------------------------------------------- parsing

def _decode_segment(segment: str, what: str) -> bytes:
    try:
        raw = segment.encode("ascii")
    except UnicodeEncodeError:
        raw = b"\x00"
    if not raw:
        raise JwsError(f"the JWS {what} is empty", code="JWS-MALFORMED")
    if raw.translate(None, _ALPHABET_BYTES):  # C-speed alphabet check; '=' padding is not in it
        raise JwsError(f"the JWS {what} is not base64url without padding", code="JWS-MALFORMED")
    rest = len(raw) % 4
    if rest == 1:
        raise JwsError(f"the JWS {what} has an impossible base64url length", code="JWS-MALFORMED")
    # Unused trailing bits must be zero, so one value has exactly one encoding (else the
    # token, and every checksum over it, could change while the signature still verifies).
    if rest and _ALPHABET.index(segment[-1]) & (0x0F if rest == 2 else 0x03):
        raise JwsError(f"the JWS {what} is not canonical base64url", code="JWS-MALFORMED")
    return binascii.a2b_base64(raw.translate(_TO_STANDARD) + b"=" * (-rest % 4))


def parse_compact(token: str) -> ParsedJws:
    """Split and decode a compact JWS strictly, without verifying it.

    Raises:
        JwsError: ``JWS-MALFORMED`` (not three non-empty base64url parts without
            padding, too large, not a string) or ``JWS-HEADER`` (header not a
            JSON object, duplicate keys, no string ``alg``, ``crit`` present,
            ``b64`` other than true, ill-typed ``kid`` or ``x5c``).
    """
    if not isinstance(token, str):
        raise JwsError(f"a compact JWS must be a string, not {type(token).__name__}", code="JWS-MALFORMED")
    if len(token) > MAX_TOKEN_CHARS:
        raise JwsError(f"the JWS is longer than {MAX_TOKEN_CHARS} characters", code="JWS-MALFORMED")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwsError(f"a compact JWS has 3 dot-separated parts, this one has {len(parts)}", code="JWS-MALFORMED",
                       hint="JWS JSON serialisation and JWE are not accepted here")
    head, body, sig = parts
    if len(head) > MAX_HEADER_CHARS:
        raise JwsError(f"the JWS header is longer than {MAX_HEADER_CHARS} characters", code="JWS-HEADER")
    header = _copy_json(_parse_header(head))
    payload = _decode_segment(body, "payload")
    signature = _decode_segment(sig, "signature")
    return ParsedJws(token, header, payload, f"{head}.{body}".encode("ascii"), signature)


@lru_cache(maxsize=128)
def _parse_header(head: str) -> dict[str, Any]:
    """Decode and check a header segment. Cached: the entries of one chain usually share
    one header (same alg, kid and x5c), and decoding an x5c header costs more than an
    RSA verification. Callers get a copy (:func:`_copy_json`), never the cached object."""
    from ..load import Limits, LoadError, load_json

    header_bytes = _decode_segment(head, "header")
    try:
        header = load_json(header_bytes, "JWS header", Limits(max_bytes=MAX_HEADER_CHARS, max_depth=_HEADER_DEPTH)
                           ).content
    except LoadError as exc:
        raise JwsError(f"the JWS header is not valid JSON ({exc.code}: {exc})", code="JWS-HEADER",
                       detail=exc.code) from None
    _check_header(header)
    return header  # type: ignore[no-any-return]


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _check_header(header: object) -> None:
    if not isinstance(header, dict):
        raise JwsError("the JWS header is not a JSON object", code="JWS-HEADER")
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise JwsError("the JWS header has no 'alg' string", code="JWS-HEADER")
    if "crit" in header:
        raise JwsError("the JWS header has 'crit'; no critical extension is understood", code="JWS-HEADER")
    if "b64" in header and header["b64"] is not True:
        raise JwsError("unencoded payloads (RFC 7797 'b64') are not accepted", code="JWS-HEADER")
    kid = header.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise JwsError("the JWS header 'kid' is not a non-empty string", code="JWS-HEADER")
    if "x5c" in header and not _is_base64_list(header["x5c"]):
        raise JwsError("the JWS header 'x5c' is not a non-empty array of base64 strings", code="JWS-HEADER")


def payload_json(parsed: ParsedJws) -> object:
    """The payload parsed with the hardened JSON loader.

    Raises:
        JwsError: ``JWS-PAYLOAD``; ``detail`` holds the loader's code (e.g.
            ``LOAD-JSON-DUPLICATE-KEY``).
    """
    from ..load import LoadError, load_json

    try:
        return load_json(parsed.payload, "JWS payload").content
    except LoadError as exc:
        raise JwsError(f"the JWS payload is not acceptable JSON ({exc.code}: {exc})", code="JWS-PAYLOAD",
                       detail=exc.code) from None


# --------------------------------------------------------------------------- allow-lists

def _forbidden(alg: str) -> bool:
    return alg.lower() == "none" or alg.upper().startswith("HS")


@lru_cache(maxsize=64)
def _checked_allowed(allowed: frozenset[str]) -> frozenset[str]:
    bad = sorted(a for a in allowed if not isinstance(a, str) or _forbidden(a))
    if bad:
        raise UsageError(f"algorithms {', '.join(map(str, bad))} are never accepted for signatures",
                         code="JWS-ALLOW-LIST", hint="'none' and HMAC (HS*) cannot prove who signed")
    unknown = sorted(a for a in allowed if a not in _SUPPORTED)
    if unknown:
        raise UsageError(f"algorithms {', '.join(unknown)} are not supported", code="JWS-ALLOW-LIST",
                         hint=f"supported: {', '.join(ALGORITHMS)}")
    return allowed


def check_allowed(allowed: Iterable[str]) -> frozenset[str]:
    """Validate an allow-list once; returns it as a frozenset.

    Raises:
        UsageError: ``JWS-ALLOW-LIST`` if it names ``none``, an HMAC or an unsupported algorithm.
    """
    return _checked_allowed(allowed if isinstance(allowed, frozenset) else frozenset(allowed))


# --------------------------------------------------------------------------- verification

_PKCS1 = padding.PKCS1v15()
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)  # RFC 7518 §3.5: salt = hash size
_SHA256 = hashes.SHA256()
_ECDSA = ec.ECDSA(_SHA256)


def _signature_ok(alg: str, key: object, message: bytes, signature: bytes) -> bool:
    try:
        if alg == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, message, _ECDSA)
        elif alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, _PKCS1, _SHA256)
        elif alg == "PS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, _PSS, _SHA256)
        else:  # unreachable after the key-type check; fail closed
            return False
    except InvalidSignature:
        return False
    return True


def verify_compact(token_or_parsed: str | ParsedJws, key: PublicKey, *,
                   allowed: frozenset[str] = DEFAULT_ALLOWED) -> ParsedJws:
    """Verify a compact JWS with ``key``; return the parsed token.

    Order: parse strictly; the algorithm must not be ``none``/HMAC and must be
    in ``allowed`` (``JWS-ALG-FORBIDDEN``); it must fit the key
    (``JWS-KEY-MISMATCH``); then the signature (``JWS-BAD-SIGNATURE``).

    Raises:
        JwsError: with one of the codes above, or a parsing code (see :func:`parse_compact`).
        UsageError: ``allowed`` names ``none``, an HMAC or an unsupported algorithm.
    """
    parsed = token_or_parsed if isinstance(token_or_parsed, ParsedJws) else parse_compact(token_or_parsed)
    if allowed is not DEFAULT_ALLOWED:
        allowed = check_allowed(allowed)
    alg = parsed.header.get("alg")
    if not isinstance(alg, str):
        raise JwsError("the JWS header has no 'alg' string", code="JWS-HEADER")
    if _forbidden(alg) or alg not in allowed:
        raise JwsError(f"algorithm {alg[:40]!r} is not accepted (allowed: {', '.join(sorted(allowed))})",
                       code="JWS-ALG-FORBIDDEN")
    if alg not in key.algorithms:
        raise JwsError(f"algorithm {alg} does not fit the {key.key_type} key {key.kid!r}"
                       + (f" (declared for {key.alg})" if key.alg else ""), code="JWS-KEY-MISMATCH")
    if not _signature_ok(alg, key.key, parsed.signing_input, parsed.signature):
        raise JwsError(f"the {alg} signature does not verify with key {key.kid!r}", code="JWS-BAD-SIGNATURE")
    return parsed


# --------------------------------------------------------------------------- signing

_JOSE_KEYS: weakref.WeakKeyDictionary[SigningKey, Any] = weakref.WeakKeyDictionary()


def _jose_key(key: SigningKey) -> Any:
    cached = _JOSE_KEYS.get(key)
    if cached is None:
        from joserfc import jwk

        private: dict[str, str | list[str]] = {**key.private_jwk()}
        cached = jwk.import_key(private)
        _JOSE_KEYS[key] = cached
    return cached


@lru_cache(maxsize=1)
def _jose_registry() -> Any:
    """A joserfc registry limited to our algorithms that does not warn about "EdDSA".

    RFC 9864 deprecates the polymorphic "EdDSA" name in favour of "Ed25519", and
    joserfc warns on every use; DCSA PINT uses "EdDSA", so the warning is noise.
    Overriding ``get_alg`` on our own instance changes no global joserfc state.
    """
    from joserfc.errors import UnsupportedAlgorithmError
    from joserfc.jws import JWSRegistry

    class _Registry(JWSRegistry):
        def get_alg(self, name: str) -> Any:
            if name not in _SUPPORTED or name not in self.algorithms:
                raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not supported")
            return self.algorithms[name]

    return _Registry(algorithms=sorted(_SUPPORTED))


def sign_compact(payload: bytes, key: SigningKey, *, x5c: list[str] | None = None, include_kid: bool = True) -> str:
    """Sign ``payload`` (bytes as given; callers pass JCS bytes) as a compact JWS.

    The protected header is exactly ``{"alg"}``, then ``"kid"`` (unless
    ``include_kid`` is false), then ``"x5c"`` when given (standard base64 DER,
    leaf first), in that order, serialised without whitespace.

    Raises:
        UsageError: ``x5c`` is not a non-empty list of base64 strings, or
            ``payload`` is not bytes.
    """
    from joserfc import jws

    if not isinstance(payload, bytes):
        raise UsageError("the JWS payload must be bytes (e.g. etr.crypto.digests.jcs(value))", code="JWS-PAYLOAD")
    header: dict[str, Any] = {"alg": key.alg}
    if include_kid:
        header["kid"] = key.kid
    if x5c is not None:
        if not _is_base64_list(x5c):
            raise UsageError("x5c must be a non-empty list of base64 (not base64url) DER certificates", code="JWS-X5C")
        header["x5c"] = list(x5c)
    token: str = jws.serialize_compact(header, payload, _jose_key(key), registry=_jose_registry())
    return token
