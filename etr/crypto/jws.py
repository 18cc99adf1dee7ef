"""Compact JWS (RFC 7515 §7.1) with an explicit algorithm allow-list.

Signing calls ``cryptography`` directly, with the protected header encoded once
per (alg, kid, x5c); ``joserfc`` (an independent implementation) is used by
the tests only, to check that it verifies what we sign. Parsing is our own and
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

import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

import orjson
import pybase64
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ..errors import DocumentError, UsageError
from .keys import ALGORITHMS, NativePrivateKey, PublicKey, SigningKey

__all__ = [
    "DEFAULT_ALLOWED",
    "JwsError",
    "ParsedJws",
    "bad_signature",
    "check_allowed",
    "check_key_fit",
    "parse_compact",
    "payload_json",
    "sign_compact",
    "sign_compact_bytes",
    "signature_valid",
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


class ParsedJws(NamedTuple):
    """A compact JWS split and decoded, not yet verified (a named tuple: one is built per chain entry).

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
    """The bytes of a base64url segment, which must be canonical base64url without padding. Raises JwsError."""
    try:
        raw = segment.encode("ascii")
    except UnicodeEncodeError:
        raw = b"\x00"
    if not raw:
        raise JwsError(f"the JWS {what} is empty", code="JWS-MALFORMED")
    if raw.translate(None, _ALPHABET_BYTES):  # C-speed alphabet check; '=' padding is not in it
        raise JwsError(f"the JWS {what} is not base64url without padding", code="JWS-MALFORMED")
    rest = len(raw) % 4
    if rest:
        if rest == 1:
            raise JwsError(f"the JWS {what} has an impossible base64url length", code="JWS-MALFORMED")
        # Unused trailing bits must be zero, so one value has exactly one encoding (else the
        # token, and every checksum over it, could change while the signature still verifies).
        if _ALPHABET.index(segment[-1]) & (0x0F if rest == 2 else 0x03):
            raise JwsError(f"the JWS {what} is not canonical base64url", code="JWS-MALFORMED")
        raw += b"==" if rest == 2 else b"="
    return pybase64.b64decode(raw, altchars=b"-_", validate=True)


def parse_compact(token: str) -> ParsedJws:
    """Split and decode a compact JWS strictly, without verifying it.

    Raises:
        JwsError: ``JWS-MALFORMED`` (not three non-empty base64url parts without
            padding, too large, not a string) or ``JWS-HEADER`` (header not a
            JSON object, duplicate keys, no string ``alg``, ``crit`` present,
            ``b64`` other than true, ill-typed ``kid`` or ``x5c``).
    """
    if token.__class__ is not str and not isinstance(token, str):
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
    header, flat = _parse_header(head)
    payload = _decode_segment(body, "payload")
    signature = _decode_segment(sig, "signature")
    # Three ASCII parts (checked above), so the signing input is the token up to the last dot.
    own = header.copy() if flat else _copy_json(header)  # a copy: the cache's stays intact
    return ParsedJws(token, own, payload, token[:len(head) + len(body) + 1].encode("ascii"), signature)


@lru_cache(maxsize=128)
def _parse_header(head: str) -> tuple[dict[str, Any], bool]:
    """Decode and check a header segment; also whether its values are all strings (then a shallow copy is a
    full one). Cached: the entries of one chain usually share one header (same alg, kid and x5c), and
    decoding an x5c header costs more than an RSA verification. Callers get a copy, never the cached object."""
    from ..load import Limits, LoadError, load_json

    header_bytes = _decode_segment(head, "header")
    try:
        header = load_json(header_bytes, "JWS header", Limits(max_bytes=MAX_HEADER_CHARS, max_depth=_HEADER_DEPTH)
                           ).content
    except LoadError as exc:
        raise JwsError(f"the JWS header is not valid JSON ({exc.code}: {exc})", code="JWS-HEADER",
                       detail=exc.code) from None
    _check_header(header)
    return header, all(v.__class__ is str for v in header.values())


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
    if "kid" in header and (not isinstance(kid, str) or not kid):  # null included: present, but no kid
        raise JwsError("the JWS header 'kid' is not a non-empty string", code="JWS-HEADER")
    if "x5c" in header and not _is_base64_list(header["x5c"]):
        raise JwsError("the JWS header 'x5c' is not a non-empty array of base64 strings", code="JWS-HEADER")


def payload_json(parsed: ParsedJws) -> object:
    """The payload parsed with the hardened JSON loader.

    Compact payloads (what signers write: DCSA's own demo envelopes, and etr's RFC 8785 ones) take a
    short cut: parsed with ``orjson`` and accepted only when ``orjson`` writes the value back byte for
    byte as received. Equal bytes mean the text had no duplicate key (the value would have fewer
    members than the text), no NaN, no number that does not round-trip, no surrogate escape; the depth
    limit is checked first. Anything else goes through the hardened loader, which decides and names the
    problem: the value, and every error, are the loader's.

    Raises:
        JwsError: ``JWS-PAYLOAD``; ``detail`` holds the loader's code (e.g.
            ``LOAD-JSON-DUPLICATE-KEY``).
    """
    loader = _LOADER or _loader()
    payload = parsed.payload
    try:
        value = orjson.loads(payload)
        if orjson.dumps(value) == payload:
            depth = loader[2].max_depth
            if payload.count(b"{") + payload.count(b"[") <= depth or not loader[3](payload, depth):
                return value
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError):
        pass
    try:
        return loader[0](payload, loader[2])
    except loader[1] as exc:
        raise JwsError(f"the JWS payload is not acceptable JSON ({exc.code}: {exc})", code="JWS-PAYLOAD",
                       detail=exc.code) from None


#: (json_value, LoadError, default Limits, json_depth_exceeds), imported on first use (the CLI imports
#: modules lazily).
_LOADER: tuple[Any, Any, Any, Any] | None = None


def _loader() -> tuple[Any, Any, Any, Any]:
    global _LOADER
    from ..load import Limits, LoadError, json_depth_exceeds, json_value

    _LOADER = (json_value, LoadError, Limits(), json_depth_exceeds)
    return _LOADER


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


#: The algorithms a native key's class can verify, by class (an ABC ``isinstance`` check costs 0.3 µs per
#: signature, a dict look-up 0.03 µs; a class's answer never changes).
_KINDS: dict[type, frozenset[str]] = {}


def _kinds(cls: type) -> frozenset[str]:
    kinds = _KINDS.get(cls)
    if kinds is None:
        kinds = _KINDS[cls] = frozenset(
            {"EdDSA"} if issubclass(cls, ed25519.Ed25519PublicKey) else {"ES256"}
            if issubclass(cls, ec.EllipticCurvePublicKey) else {"RS256", "PS256"}
            if issubclass(cls, rsa.RSAPublicKey) else ())
    return kinds


def _signature_ok(alg: str, key: Any, message: bytes, signature: bytes) -> bool:
    if alg not in _kinds(key.__class__):  # unreachable after the key-type check; fail closed
        return False
    try:
        if alg == "PS256":
            key.verify(signature, message, _PSS, _SHA256)
        elif alg == "EdDSA":
            key.verify(signature, message)
        elif alg == "ES256":
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, message, _ECDSA)
        else:  # RS256, the only other algorithm _kinds admits
            key.verify(signature, message, _PKCS1, _SHA256)
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
    check_key_fit(alg, key)
    if not signature_valid(alg, key, parsed.signing_input, parsed.signature):
        raise bad_signature(alg, key)
    return parsed


def check_key_fit(alg: str, key: PublicKey) -> None:
    """The step of :func:`verify_compact` after the allow-list: ``alg`` must fit ``key``.

    Raises:
        JwsError: ``JWS-KEY-MISMATCH``.
    """
    if alg not in key.algorithms:
        raise JwsError(f"algorithm {alg} does not fit the {key.key_type} key {key.kid!r}"
                       + (f" (declared for {key.alg})" if key.alg else ""), code="JWS-KEY-MISMATCH")


def signature_valid(alg: str, key: PublicKey, signing_input: bytes, signature: bytes) -> bool:
    """The signature arithmetic of :func:`verify_compact` alone, for callers that have already checked
    the allow-list and :func:`check_key_fit`."""
    return _signature_ok(alg, key.key, signing_input, signature)


def bad_signature(alg: str, key: PublicKey) -> JwsError:
    """The ``JWS-BAD-SIGNATURE`` error :func:`verify_compact` raises when :func:`signature_valid` is false."""
    return JwsError(f"the {alg} signature does not verify with key {key.kid!r}", code="JWS-BAD-SIGNATURE")


# --------------------------------------------------------------------------- signing

@lru_cache(maxsize=256)
def _header_segment(alg: str, kid: str | None, x5c: tuple[str, ...] | None) -> bytes:
    """The base64url protected header ``{"alg", "kid"?, "x5c"?}`` (compact JSON, ASCII-escaped), checked
    and encoded once: a chain signs many entries with one key, so each signature costs one base64url of
    its payload. Raises UsageError for a bad ``x5c`` (not cached)."""
    header: dict[str, Any] = {"alg": alg}
    if kid is not None:
        header["kid"] = kid
    if x5c is not None:
        certs = list(x5c)
        if not _is_base64_list(certs):
            raise UsageError("x5c must be a non-empty list of base64 (not base64url) DER certificates", code="JWS-X5C")
        header["x5c"] = certs
    return _b64url(json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


def _b64url(data: bytes) -> bytes:
    return pybase64.b64encode(data, altchars=b"-_").rstrip(b"=")


def _raw_r_s(der: bytes) -> bytes:
    """An ECDSA P-256 DER signature (SEQUENCE of two INTEGERs) as JWS ``r || s``, 32 + 32 bytes."""
    try:
        r_len = der[3]
        if der[0] == 0x30 and der[1] == len(der) - 2 and der[2] == 0x02 and der[4 + r_len] == 0x02 \
                and 6 + r_len + der[5 + r_len] == len(der):  # short-form lengths: always so for P-256
            r, s = der[4:4 + r_len].lstrip(b"\x00"), der[6 + r_len:].lstrip(b"\x00")
            if len(r) <= 32 and len(s) <= 32:
                return r.rjust(32, b"\x00") + s.rjust(32, b"\x00")
    except IndexError:
        pass
    r_int, s_int = decode_dss_signature(der)  # anything else: the full DER decoder (raises if malformed)
    return r_int.to_bytes(32, "big") + s_int.to_bytes(32, "big")


def _bind_signer(native: NativePrivateKey, alg: str) -> Callable[[bytes], bytes]:
    """A function: bytes -> the raw JWS signature of them (RFC 7518 §3) with ``native`` under ``alg``.
    :attr:`SigningKey._jws_signer` keeps one per key.

    Raises:
        UsageError: ``KEY-ALG-MISMATCH``: ``alg`` does not fit the key (a :class:`SigningKey` never allows it).
    """
    if alg == "EdDSA" and isinstance(native, ed25519.Ed25519PrivateKey):
        return native.sign
    if alg == "ES256" and isinstance(native, ec.EllipticCurvePrivateKey):
        ec_sign = native.sign
        return lambda message: _raw_r_s(ec_sign(message, _ECDSA))
    if alg in ("PS256", "RS256") and isinstance(native, rsa.RSAPrivateKey):
        rsa_sign, pad = native.sign, _PSS if alg == "PS256" else _PKCS1
        return lambda message: rsa_sign(message, pad, _SHA256)
    raise UsageError(f"algorithm {alg!r} cannot be used with this key", code="KEY-ALG-MISMATCH")


def sign_compact_bytes(payload: bytes, key: SigningKey, *, x5c: list[str] | None = None,
                       include_kid: bool = True) -> bytes:
    """:func:`sign_compact`, returning the token as ASCII bytes (what a checksum hashes)."""
    if not isinstance(payload, bytes):
        raise UsageError("the JWS payload must be bytes (e.g. etr.crypto.digests.jcs(value))", code="JWS-PAYLOAD")
    kid = key.kid if include_kid else None
    if x5c is None:
        head = _header_segment(key.alg, kid, None)
    else:
        try:
            head = _header_segment(key.alg, kid, tuple(x5c) if isinstance(x5c, list) else ())
        except TypeError:  # an unhashable item: not a string anyway
            head = _header_segment(key.alg, kid, ())
    signing_input = head + b"." + _b64url(payload)
    return signing_input + b"." + _b64url(key._jws_signer(signing_input))


def sign_compact(payload: bytes, key: SigningKey, *, x5c: list[str] | None = None, include_kid: bool = True) -> str:
    """Sign ``payload`` (bytes as given; callers pass JCS bytes) as a compact JWS.

    The protected header is exactly ``{"alg"}``, then ``"kid"`` (unless
    ``include_kid`` is false), then ``"x5c"`` when given (standard base64 DER,
    leaf first), in that order, serialised without whitespace (non-ASCII
    escaped). Signed with ``cryptography`` directly: EdDSA (Ed25519), ES256
    (raw ``r || s``), PS256 (MGF1-SHA-256, 32-byte salt), RS256 (PKCS #1 v1.5).

    Raises:
        UsageError: ``x5c`` is not a non-empty list of base64 strings, or
            ``payload`` is not bytes.
    """
    return sign_compact_bytes(payload, key, x5c=x5c, include_kid=include_kid).decode("ascii")
