"""Keys: generation, PEM/JWK round trips, RFC 7638 thumbprints, refusals, safe writing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import need_shared
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from etr.crypto.keys import (
    ALGORITHMS,
    KeyFileError,
    PublicKey,
    SigningKey,
    generate_key,
    load_public_keys,
    load_signing_key,
    public_key_from_jwk,
    write_signing_key,
)
from etr.errors import EnvironmentProblem, UsageError

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
PINT_DEMO = SHARED_DATA / "dcsa" / "pint-demo"

# RFC 7638 §3.1 example key and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
         "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZH"
         "zu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU"
         "8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

EXPECTED_KTY = {"ES256": "EC", "PS256": "RSA", "RS256": "RSA", "EdDSA": "OKP"}


@pytest.fixture(scope="module")
def generated() -> dict[str, SigningKey]:
    return {alg: generate_key(alg) for alg in ALGORITHMS}


def test_rfc7638_example_thumbprint() -> None:
    key = public_key_from_jwk(dict(RFC7638_JWK))
    assert key.thumbprint == RFC7638_THUMBPRINT
    assert key.kid == "2011-04-29" and key.alg == "RS256"


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_thumbprint_agrees_with_joserfc(generated: dict[str, SigningKey], alg: str) -> None:
    from joserfc import jwk

    public = generated[alg].public
    assert jwk.import_key(public.jwk()).thumbprint() == public.thumbprint


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_generate_defaults_kid_to_thumbprint(generated: dict[str, SigningKey], alg: str) -> None:
    key = generated[alg]
    assert key.alg == alg
    assert key.kid == key.public.thumbprint
    assert key.public.jwk()["kty"] == EXPECTED_KTY[alg]
    assert "d" not in key.public.jwk()


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_private_pem_round_trip(generated: dict[str, SigningKey], alg: str) -> None:
    key = generated[alg]
    loaded = load_signing_key(key.private_pem(), alg=alg, kid=key.kid)
    assert loaded.public == key.public
    if alg != "RS256":  # RSA infers PS256 when no alg is given
        assert load_signing_key(key.private_pem()).alg == alg
    else:
        assert load_signing_key(key.private_pem()).alg == "PS256"


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_private_jwk_round_trip_keeps_alg_and_kid(generated: dict[str, SigningKey], alg: str) -> None:
    key = generated[alg]
    loaded = load_signing_key(json.dumps(key.private_jwk()).encode())
    assert (loaded.alg, loaded.kid) == (alg, key.kid)
    assert loaded.public == key.public


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_public_pem_and_jwk_round_trip(generated: dict[str, SigningKey], alg: str) -> None:
    public = generated[alg].public
    [from_pem] = load_public_keys(public.pem())
    assert from_pem.same_key(public) and from_pem.kid == public.thumbprint and from_pem.alg is None
    [from_jwk] = load_public_keys(json.dumps(public.jwk()).encode())
    assert from_jwk == public
    [from_jwks] = load_public_keys(json.dumps({"keys": [public.jwk()]}).encode())
    assert from_jwks == public


def test_traditional_pem_is_read() -> None:
    native = ec.generate_private_key(ec.SECP256R1())
    pem = native.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                               serialization.NoEncryption())
    assert b"BEGIN EC PRIVATE KEY" in pem
    assert load_signing_key(pem).alg == "ES256"


def test_rsa_private_jwk_without_crt_parameters_is_recovered(generated: dict[str, SigningKey]) -> None:
    jwk = generated["PS256"].private_jwk()
    for member in ("p", "q", "dp", "dq", "qi"):
        del jwk[member]
    assert load_signing_key(json.dumps(jwk).encode()).public.same_key(generated["PS256"].public)


def test_rsa_1024_is_refused_everywhere() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = weak.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    with pytest.raises(KeyFileError) as info:
        load_signing_key(pem)
    assert info.value.code == "KEY-TOO-WEAK"
    public_pem = weak.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(KeyFileError) as info:
        load_public_keys(public_pem)
    assert info.value.code == "KEY-TOO-WEAK"
    with pytest.raises(UsageError) as usage:
        generate_key("PS256", rsa_bits=1024)
    assert usage.value.code == "KEY-TOO-WEAK"


@pytest.mark.parametrize("native", [
    pytest.param(lambda: ec.generate_private_key(ec.SECP384R1()), id="P-384"),
    pytest.param(lambda: ec.generate_private_key(ec.SECP256K1()), id="secp256k1"),
    pytest.param(lambda: ed448.Ed448PrivateKey.generate(), id="Ed448"),
    pytest.param(lambda: dsa.generate_private_key(2048), id="DSA"),
])
def test_unsupported_key_types_are_refused(native: object) -> None:
    key = native()  # type: ignore[operator]
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    with pytest.raises(KeyFileError) as info:
        load_signing_key(pem)
    assert info.value.code == "KEY-UNSUPPORTED"
    assert isinstance(info.value, EnvironmentProblem)


def test_encrypted_private_key_is_unsupported() -> None:
    native = ed25519.Ed25519PrivateKey.generate()
    pem = native.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.BestAvailableEncryption(b"secret"))
    with pytest.raises(KeyFileError) as info:
        load_signing_key(pem)
    assert info.value.code == "KEY-UNSUPPORTED"


def test_alg_must_suit_the_key(generated: dict[str, SigningKey]) -> None:
    with pytest.raises(UsageError) as info:
        load_signing_key(generated["ES256"].private_pem(), alg="EdDSA")
    assert info.value.code == "KEY-ALG-MISMATCH"
    with pytest.raises(UsageError):
        SigningKey(generated["EdDSA"].key, "ES256", "k")


def test_public_key_is_not_a_signing_key(generated: dict[str, SigningKey]) -> None:
    with pytest.raises(KeyFileError) as info:
        load_signing_key(generated["ES256"].public.pem())
    assert info.value.code == "KEY-NOT-PRIVATE"
    with pytest.raises(KeyFileError) as info:
        load_signing_key(json.dumps(generated["ES256"].public.jwk()).encode())
    assert info.value.code == "KEY-NOT-PRIVATE"


def test_private_material_is_refused_where_public_is_expected(generated: dict[str, SigningKey]) -> None:
    for data in (generated["EdDSA"].private_pem(), json.dumps(generated["EdDSA"].private_jwk()).encode()):
        with pytest.raises(KeyFileError) as info:
            load_public_keys(data)
        assert info.value.code == "KEY-PRIVATE"


@pytest.mark.parametrize(("jwk", "code"), [
    ({"kty": "oct", "k": "c2VjcmV0"}, "KEY-UNSUPPORTED"),
    ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "KEY-UNSUPPORTED"),
    ({"kty": "OKP", "crv": "X25519", "x": "AA"}, "KEY-UNSUPPORTED"),
    ({"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}, "KEY-UNREADABLE"),  # not on the curve
    ({"kty": "OKP", "crv": "Ed25519", "x": "not base64!"}, "KEY-UNREADABLE"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "use": "enc"}, "KEY-UNSUPPORTED"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "alg": "HS256"}, "KEY-UNSUPPORTED"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "alg": "ES256"}, "KEY-UNSUPPORTED"),
    ({"kty": "XYZ"}, "KEY-UNSUPPORTED"),
])
def test_bad_jwks_are_refused_with_a_code(jwk: dict[str, str], code: str) -> None:
    with pytest.raises(KeyFileError) as info:
        load_public_keys(json.dumps(jwk).encode())
    assert info.value.code == code


@pytest.mark.parametrize("data", [b"", b"garbage", b"-----BEGIN PUBLIC KEY-----\nAAAA", b'{"kty": "EC", "kty": "EC"}',
                                  b"[1, 2]", b'{"keys": []}'])
def test_unreadable_inputs(data: bytes) -> None:
    with pytest.raises(KeyFileError) as info:
        load_public_keys(data)
    assert info.value.code == "KEY-UNREADABLE"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as info:
        load_public_keys(tmp_path / "nope.pem")
    assert info.value.code == "KEY-UNREADABLE"


def test_certificate_chain_yields_each_public_key() -> None:
    chain = PINT_DEMO / "certs" / "rsa-carrier.example.com-fullchain.crt"
    need_shared(chain)
    keys = load_public_keys(chain)
    assert [k.key_type for k in keys] == ["RSA 2048", "Ed25519", "Ed25519"]
    [jwk_key] = load_public_keys(PINT_DEMO / "keys" / "public" / "rsa-carrier.example.com.public.jwk")
    assert keys[0].same_key(jwk_key)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_write_signing_key_modes_and_round_trip(generated: dict[str, SigningKey], alg: str, tmp_path: Path) -> None:
    key = generated[alg]
    private_path, public_path = write_signing_key(key, tmp_path / "keys")
    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert private_path.name == f"{key.kid}.private.pem"
    assert load_signing_key(private_path).public.same_key(key.public)
    [public] = load_public_keys(public_path)
    assert public == key.public
    assert "d" not in json.loads(public_path.read_text())["keys"][0]


def test_write_refuses_to_overwrite(generated: dict[str, SigningKey], tmp_path: Path) -> None:
    key = generated["EdDSA"]
    private_path, _ = write_signing_key(key, tmp_path)
    before = private_path.read_bytes()
    with pytest.raises(KeyFileError) as info:
        write_signing_key(key, tmp_path)
    assert info.value.code == "KEY-EXISTS"
    assert private_path.read_bytes() == before


def test_unsafe_kid_falls_back_to_thumbprint_file_name(tmp_path: Path) -> None:
    key = generate_key("EdDSA", kid="../../etc/evil")
    private_path, public_path = write_signing_key(key, tmp_path)
    assert private_path.parent == tmp_path and private_path.name == f"{key.public.thumbprint}.private.pem"
    assert json.loads(public_path.read_text())["keys"][0]["kid"] == "../../etc/evil"


def test_signing_key_repr_hides_material(generated: dict[str, SigningKey]) -> None:
    text = repr(generated["ES256"])
    assert "alg='ES256'" in text and "key=" not in text


def test_public_key_equality_and_hash(generated: dict[str, SigningKey]) -> None:
    public = generated["ES256"].public
    same = PublicKey(public.key, public.kid, public.alg)
    assert same == public and hash(same) == hash(public)
    assert PublicKey(public.key, "other", None) != public


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA"])
def test_generated_pem_key_keeps_its_kid_and_alg(tmp_path: Path, alg: str) -> None:
    from etr.crypto.keys import generate_key, load_signing_key, write_signing_key

    private, _ = write_signing_key(generate_key(alg, kid=f"team-{alg.lower()}"), tmp_path)
    loaded = load_signing_key(private)
    assert (loaded.kid, loaded.alg) == (f"team-{alg.lower()}", alg)
    other = tmp_path / "copy.private.pem"  # no companion JWK: thumbprint kid, inferred alg
    other.write_bytes(private.read_bytes())
    assert load_signing_key(other).kid == loaded.public.thumbprint
