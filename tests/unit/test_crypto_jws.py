"""Compact JWS: round trips, the algorithm allow-list, strict parsing, and the pint-demo tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from conftest import need_shared

from etr.crypto.digests import jcs
from etr.crypto.jws import (
    DEFAULT_ALLOWED,
    JwsError,
    ParsedJws,
    parse_compact,
    payload_json,
    sign_compact,
    signature_valid,
    verify_compact,
)
from etr.crypto.keys import ALGORITHMS, SigningKey, generate_key, load_public_keys
from etr.errors import DocumentError, UsageError

PAYLOAD = jcs({"transportDocumentChecksum": "0" * 64, "eblPlatform": "EBL1", "transactions": []})


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token_with_header(header: bytes | str, payload: bytes = PAYLOAD, signature: bytes = b"\x01" * 64) -> str:
    raw = header.encode() if isinstance(header, str) else header
    return f"{b64u(raw)}.{b64u(payload)}.{b64u(signature)}"


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {alg: generate_key(alg) for alg in ALGORITHMS}


def code_of(token: object, key: SigningKey, **kwargs: object) -> str:
    with pytest.raises(JwsError) as info:
        verify_compact(token, key.public, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, DocumentError)
    return info.value.code


# --------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("alg", ALGORITHMS)
def test_sign_verify_round_trip(keys: dict[str, SigningKey], alg: str) -> None:
    key = keys[alg]
    token = sign_compact(PAYLOAD, key)
    parsed = verify_compact(token, key.public)
    assert parsed.payload == PAYLOAD and parsed.token == token
    assert parsed.header == {"alg": alg, "kid": key.kid}
    assert list(parsed.header) == ["alg", "kid"]
    assert payload_json(parsed) == json.loads(PAYLOAD)


def test_header_is_exactly_alg_kid_x5c_in_order(keys: dict[str, SigningKey]) -> None:
    key = keys["ES256"]
    token = sign_compact(PAYLOAD, key, x5c=["AAAA", "BBBB"])
    head = base64.urlsafe_b64decode(token.split(".")[0] + "==")
    assert head == json.dumps({"alg": "ES256", "kid": key.kid, "x5c": ["AAAA", "BBBB"]},
                              separators=(",", ":")).encode()
    bare = sign_compact(PAYLOAD, key, include_kid=False)
    assert parse_compact(bare).header == {"alg": "ES256"}
    verify_compact(bare, key.public)


def test_es256_signature_is_raw_r_s(keys: dict[str, SigningKey]) -> None:
    parsed = parse_compact(sign_compact(PAYLOAD, keys["ES256"]))
    assert len(parsed.signature) == 64


def test_payload_is_signed_as_given(keys: dict[str, SigningKey]) -> None:
    odd = b'{"b": 1,  "a": 2}'  # not canonical: must not be re-serialised
    parsed = verify_compact(sign_compact(odd, keys["EdDSA"]), keys["EdDSA"].public)
    assert parsed.payload == odd


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_joserfc_verifies_our_tokens(keys: dict[str, SigningKey], alg: str) -> None:
    import warnings

    from joserfc import jwk, jws

    token = sign_compact(PAYLOAD, keys[alg])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc: "EdDSA is deprecated via RFC 9864"
        result = jws.deserialize_compact(token, jwk.import_key(keys[alg].public.jwk()), algorithms=[alg])
    assert result.payload == PAYLOAD


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize(("x5c", "include_kid"), [(None, False), (["AAAA", "BBBB"], True), (["QUJD"], False)])
def test_joserfc_agrees_with_our_signer(keys: dict[str, SigningKey], alg: str, x5c: list[str] | None,
                                        include_kid: bool) -> None:
    """Signing no longer goes through joserfc: it must still verify every token, whose header and
    payload segments it would have written byte for byte (and, for the deterministic EdDSA and RS256,
    the whole token)."""
    import warnings

    from joserfc import jwk, jws

    key = keys[alg]
    token = sign_compact(PAYLOAD, key, x5c=x5c, include_kid=include_kid)
    header: dict[str, object] = {"alg": alg, **({"kid": key.kid} if include_kid else {}),
                                 **({"x5c": x5c} if x5c else {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc: "EdDSA is deprecated via RFC 9864"
        result = jws.deserialize_compact(token, jwk.import_key(key.public.jwk()), algorithms=[alg])
        theirs = jws.serialize_compact(header, PAYLOAD, jwk.import_key({**key.private_jwk()}), algorithms=[alg])
    assert result.payload == PAYLOAD and result.headers() == header
    assert token.rsplit(".", 1)[0] == theirs.rsplit(".", 1)[0]
    if alg in ("EdDSA", "RS256"):
        assert token == theirs


def test_es256_der_to_r_s_agrees_with_the_der_decoder(keys: dict[str, SigningKey]) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

    from etr.crypto.jws import _ECDSA, _raw_r_s

    def reference(der: bytes) -> bytes:
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    native = keys["ES256"].key
    ders = [native.sign(i.to_bytes(4, "big"), _ECDSA) for i in range(300)]  # type: ignore[call-arg, arg-type]
    edges = [(1, 2**256 - 1), (2**255, 1), (2**248 - 1, 2**247), (0x80, 0x7F)]  # 33-byte, short, leading zeros
    ders += [encode_dss_signature(r, s) for r, s in edges]
    for der in ders:
        assert _raw_r_s(der) == reference(der)
    with pytest.raises(ValueError):
        _raw_r_s(b"\x30\x03\x02")


def test_header_escapes_non_ascii_kid_like_joserfc() -> None:
    key = SigningKey(generate_key("EdDSA").key, "EdDSA", "clé-\u2028")
    head = base64.urlsafe_b64decode(sign_compact(PAYLOAD, key).split(".")[0] + "==")
    assert head == b'{"alg":"EdDSA","kid":"cl\\u00e9-\\u2028"}'
    verify_compact(sign_compact(PAYLOAD, key), key.public)


# --------------------------------------------------------------------------- failures

@pytest.mark.parametrize("alg", ALGORITHMS)
def test_tampered_payload_or_signature_fails(keys: dict[str, SigningKey], alg: str) -> None:
    key = keys[alg]
    head, body, sig = sign_compact(PAYLOAD, key).split(".")
    other = b64u(PAYLOAD.replace(b"EBL1", b"EBL2"))
    assert code_of(f"{head}.{other}.{sig}", key) == "JWS-BAD-SIGNATURE"
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[5] ^= 0x01
    assert code_of(f"{head}.{body}.{b64u(bytes(raw))}", key) == "JWS-BAD-SIGNATURE"
    assert code_of(f"{head}.{body}.{b64u(bytes(raw[:-1]))}", key) == "JWS-BAD-SIGNATURE"


def test_wrong_key_fails(keys: dict[str, SigningKey]) -> None:
    token = sign_compact(PAYLOAD, keys["EdDSA"])
    other = generate_key("EdDSA")
    assert code_of(token, other) == "JWS-BAD-SIGNATURE"


def test_alg_none_is_forbidden(keys: dict[str, SigningKey]) -> None:
    for name in ("none", "None", "NONE"):
        token = f"{b64u(json.dumps({'alg': name}).encode())}.{b64u(PAYLOAD)}.{b64u(b'x')}"
        assert code_of(token, keys["ES256"]) == "JWS-ALG-FORBIDDEN"


def test_hs256_with_public_key_as_secret_is_forbidden(keys: dict[str, SigningKey]) -> None:
    """The classic key-confusion attack: HMAC keyed with the verifier's public key bytes."""
    for alg in ("PS256", "EdDSA"):
        key = keys[alg]
        for secret in (key.public.pem(), json.dumps(key.public.jwk()).encode()):
            head = b64u(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
            signing_input = f"{head}.{b64u(PAYLOAD)}"
            mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
            assert code_of(f"{signing_input}.{b64u(mac)}", key) == "JWS-ALG-FORBIDDEN"


def test_alg_outside_allow_list_is_forbidden(keys: dict[str, SigningKey]) -> None:
    token = sign_compact(PAYLOAD, keys["EdDSA"])
    assert code_of(token, keys["EdDSA"], allowed=frozenset({"ES256", "PS256"})) == "JWS-ALG-FORBIDDEN"
    for alg in ("RS512", "ES384", "Ed25519"):
        forged = f"{b64u(json.dumps({'alg': alg}).encode())}.{b64u(PAYLOAD)}.{b64u(b'x' * 64)}"
        assert code_of(forged, keys["EdDSA"]) == "JWS-ALG-FORBIDDEN"


@pytest.mark.parametrize("allowed", [{"none"}, {"HS256", "ES256"}, {"hs512"}, {"RS512"}])
def test_allow_list_refuses_none_hmac_and_unknown(keys: dict[str, SigningKey], allowed: set[str]) -> None:
    token = sign_compact(PAYLOAD, keys["ES256"])
    with pytest.raises(UsageError) as info:
        verify_compact(token, keys["ES256"].public, allowed=frozenset(allowed))
    assert info.value.code == "JWS-ALLOW-LIST"


def test_alg_must_fit_the_key_type(keys: dict[str, SigningKey]) -> None:
    # ES256 header on an RSA key, RS256 header on an Ed25519 key: refused before any arithmetic.
    es = sign_compact(PAYLOAD, keys["ES256"])
    assert code_of(es, keys["PS256"]) == "JWS-KEY-MISMATCH"
    rs = sign_compact(PAYLOAD, keys["RS256"])
    assert code_of(rs, keys["EdDSA"]) == "JWS-KEY-MISMATCH"
    # an RSA key declared for PS256 refuses RS256
    assert code_of(rs, keys["PS256"]) == "JWS-KEY-MISMATCH"


def test_rsa_key_without_declared_alg_accepts_both_rsa_algs(keys: dict[str, SigningKey]) -> None:
    [undeclared] = load_public_keys(keys["PS256"].public.pem())
    verify_compact(sign_compact(PAYLOAD, keys["PS256"]), undeclared)
    rs = SigningKey(keys["PS256"].key, "RS256", "k")
    verify_compact(sign_compact(PAYLOAD, rs), undeclared)


# --------------------------------------------------------------------------- strict parsing

@pytest.mark.parametrize(("token", "code"), [
    ("", "JWS-MALFORMED"),
    ("abc", "JWS-MALFORMED"),
    ("eyJhbGciOiJFUzI1NiJ9.e30", "JWS-MALFORMED"),  # two parts
    ("eyJhbGciOiJFUzI1NiJ9.e30.AA.AA", "JWS-MALFORMED"),  # four parts (JWE-like)
    ("eyJhbGciOiJFUzI1NiJ9..AAAA", "JWS-MALFORMED"),  # empty payload (detached)
    ("eyJhbGciOiJFUzI1NiJ9.e30=.AAAA", "JWS-MALFORMED"),  # padding
    ("eyJhbGciOiJFUzI1NiJ9.e30.AA==", "JWS-MALFORMED"),
    ("eyJhbGciOiJFUzI1NiJ9.e3+0.AAAA", "JWS-MALFORMED"),  # standard base64 alphabet
    ("eyJhbGciOiJFUzI1NiJ9.e30.A", "JWS-MALFORMED"),  # impossible length
    ("eyJhbGciOiJFUzI1NiJ9.e30.AB", "JWS-MALFORMED"),  # non-canonical trailing bits
    ("eyJhbGciOiJFUzI1NiJ9.é30.AAAA", "JWS-MALFORMED"),
    ("eyJhbGciOiJFUzI1NiJ9 .e30.AAAA", "JWS-MALFORMED"),
])
def test_malformed_tokens(token: str, code: str) -> None:
    with pytest.raises(JwsError) as info:
        parse_compact(token)
    assert info.value.code == code


@pytest.mark.parametrize(("header", "detail"), [
    (b'{"alg":"ES256","alg":"none"}', "LOAD-JSON-DUPLICATE-KEY"),
    (b'{"alg":"none","alg":"ES256"}', "LOAD-JSON-DUPLICATE-KEY"),
    (b'["ES256"]', None),
    (b'"ES256"', None),
    (b"{}", None),
    (b'{"alg":""}', None),
    (b'{"alg":256}', None),
    (b'{"alg":"ES256","crit":["exp"],"exp":1}', None),
    (b'{"alg":"ES256","b64":false,"crit":["b64"]}', None),
    (b'{"alg":"ES256","b64":false}', None),
    (b'{"alg":"ES256","kid":7}', None),
    (b'{"alg":"ES256","x5c":"MIIB"}', None),
    (b'{"alg":"ES256","x5c":["MII-_"]}', None),
    (b'{"alg":"ES256","x5c":[]}', None),
    (b'{"alg":"ES256"', "LOAD-JSON-SYNTAX"),
    (b'{"alg":NaN}', "LOAD-JSON-CONSTANT"),
    (b'{"alg":"ES256","x":' + b"[" * 50 + b"]" * 50 + b"}", "LOAD-JSON-DEPTH"),
    (b'\xff{"alg":"ES256"}', None),
])
def test_bad_headers(header: bytes, detail: str | None) -> None:
    with pytest.raises(JwsError) as info:
        parse_compact(token_with_header(header))
    assert info.value.code == "JWS-HEADER"
    if detail:
        assert info.value.detail == detail


def test_huge_header_is_refused_cheaply() -> None:
    header = json.dumps({"alg": "ES256", "pad": "x" * 200_000}).encode()
    with pytest.raises(JwsError) as info:
        parse_compact(token_with_header(header))
    assert info.value.code == "JWS-HEADER"


def test_non_string_token() -> None:
    with pytest.raises(JwsError) as info:
        parse_compact(b"a.b.c")  # type: ignore[arg-type]
    assert info.value.code == "JWS-MALFORMED"


def test_duplicate_key_in_payload_is_reported(keys: dict[str, SigningKey]) -> None:
    token = sign_compact(b'{"eblPlatform":"EBL1","eblPlatform":"EBL2"}', keys["EdDSA"])
    parsed = verify_compact(token, keys["EdDSA"].public)  # the signature is fine ...
    with pytest.raises(JwsError) as info:
        payload_json(parsed)  # ... but which platform is meant is not
    assert info.value.code == "JWS-PAYLOAD"
    assert info.value.detail == "LOAD-JSON-DUPLICATE-KEY"
    assert "LOAD-JSON-DUPLICATE-KEY" in str(info.value)


def test_parsed_header_is_a_private_copy(keys: dict[str, SigningKey]) -> None:
    token = sign_compact(PAYLOAD, keys["ES256"], x5c=["AAAA"])
    first = parse_compact(token)
    first.header["alg"] = "none"
    first.header["x5c"].append("BBBB")
    again = parse_compact(token)
    assert again.header == {"alg": "ES256", "kid": keys["ES256"].kid, "x5c": ["AAAA"]}


def test_sign_refuses_bad_input(keys: dict[str, SigningKey]) -> None:
    with pytest.raises(UsageError):
        sign_compact("text", keys["ES256"])  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        sign_compact(PAYLOAD, keys["ES256"], x5c=["not base64url-_"])


def test_default_allow_list() -> None:
    assert frozenset({"RS256", "PS256", "ES256", "EdDSA"}) == DEFAULT_ALLOWED


# --------------------------------------------------------------------------- pint-demo tokens

def test_pint_demo_tokens_verify_with_the_published_jwks(shared_data: Path) -> None:
    demo = need_shared(shared_data / "dcsa" / "pint-demo")
    tokens = []
    for name in ("ed25519", "rsa"):
        path = need_shared(demo / "pint-transfers" / f"HHL71800000-ebl-envelope-{name}.json")
        envelope = json.loads(path.read_bytes())
        tokens += [envelope["envelopeManifestSignedContent"], *envelope["envelopeTransferChain"]]
    by_kid = {}
    for path in (demo / "keys" / "public").glob("*.jwk"):
        for key in load_public_keys(path):
            by_kid[key.kid] = key
    for token in tokens:
        parsed = parse_compact(token)
        assert isinstance(parsed, ParsedJws)
        verify_compact(parsed, by_kid[parsed.header["kid"]])
        assert json.dumps(payload_json(parsed), separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode() \
            == parsed.payload  # PD signs JCS bytes


def test_a_parsed_header_is_the_callers_own() -> None:
    """Headers are decoded once per header segment (cached); changing one parsed header changes no other."""
    key = generate_key("EdDSA")
    token = sign_compact(b"{}", key, x5c=["AAAA"])
    first = parse_compact(token)
    first.header["alg"] = "none"
    first.header["x5c"].append("BBBB")
    again = parse_compact(token)
    assert again.header == {"alg": "EdDSA", "kid": key.kid, "x5c": ["AAAA"]}


def test_signature_arithmetic_fails_closed_for_a_key_of_another_type(keys: dict[str, SigningKey]) -> None:
    # signature_valid trusts its caller to have run check_key_fit, yet still refuses (never raises, never
    # verifies) an algorithm the key's type cannot verify: each algorithm against each other key type.
    for alg, signer in keys.items():
        parsed = parse_compact(sign_compact(PAYLOAD, signer))
        for other_alg, other in keys.items():
            got = signature_valid(alg, other.public, parsed.signing_input, parsed.signature)
            assert got is (other is signer), (alg, other_alg)
