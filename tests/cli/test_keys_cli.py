"""``etr keys generate`` and ``etr keys show``: files, modes, and never a private member on screen."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from etr.cli import main
from etr.cli.keys import _ALGORITHMS
from etr.crypto.keys import ALGORITHMS, generate_key, load_public_keys, load_signing_key

PRIVATE_MEMBERS = re.compile(r'"(d|p|q|dp|dq|qi)"\s*:')


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_algorithms_match_the_library() -> None:
    assert _ALGORITHMS == ALGORITHMS


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_generate_writes_private_0600_and_prints_no_secret(alg: str, tmp_path: Path) -> None:
    code, out, _ = run("keys", "generate", "--alg", alg, "--out", str(tmp_path / "k"))
    assert code == 0, out
    private = next((tmp_path / "k").glob("*.private.pem"))
    public = next((tmp_path / "k").glob("*.public.jwk"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in out and not PRIVATE_MEMBERS.search(out)
    key = load_signing_key(private)
    assert key.alg == alg  # read from the public JWK written beside the PEM
    assert f"kid:         {key.kid}" in out and key.public.thumbprint in out
    assert str(private) in out and str(public) in out
    [pub] = load_public_keys(public)
    assert pub.alg == alg and pub.same_key(key.public)


def test_generate_with_kid_and_refusal_to_overwrite(tmp_path: Path) -> None:
    code, out, _ = run("keys", "generate", "--alg", "EdDSA", "--out", str(tmp_path), "--kid", "platform-2026")
    assert code == 0 and "kid:         platform-2026" in out
    assert (tmp_path / "platform-2026.private.pem").exists()
    code, _, err = run("keys", "generate", "--alg", "EdDSA", "--out", str(tmp_path), "--kid", "platform-2026")
    assert code == 1 and "KEY-EXISTS" in err and "Traceback" not in err


def test_generate_usage_errors(tmp_path: Path) -> None:
    assert run("keys", "generate", "--alg", "HS256", "--out", str(tmp_path))[0] == 2
    assert run("keys", "generate", "--alg", "PS256", "--rsa-bits", "1024", "--out", str(tmp_path))[0] == 2
    assert run("keys", "generate", "--out", str(tmp_path))[0] == 2
    code, _, err = run("keys", "generate", "--alg", "ES256", "--kid", " ", "--out", str(tmp_path))
    assert code == 2 and "KEY-KID" in err


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("form", ["pem", "jwk"])
def test_show_private_key_shows_only_public_part(alg: str, form: str, tmp_path: Path) -> None:
    key = generate_key(alg)
    path = tmp_path / f"key.{form}"
    path.write_bytes(key.private_pem() if form == "pem" else json.dumps(key.private_jwk()).encode())
    for fmt in ("text", "json"):
        code, out, _ = run("keys", "show", "--format", fmt, str(path))
        assert code == 0, out
        assert not PRIVATE_MEMBERS.search(out), out
        assert "PRIVATE KEY" not in out and key.public.thumbprint in out
    doc = json.loads(run("keys", "show", "--format", "json", str(path))[1])
    assert doc["private"] is True
    assert set(doc["keys"][0]["jwk"]) <= {"kty", "crv", "x", "y", "n", "e", "kid", "alg"}
    assert doc["keys"][0]["thumbprint"] == key.public.thumbprint


def test_show_public_files(tmp_path: Path) -> None:
    key = generate_key("PS256", kid="k1")
    path = tmp_path / "pub.pem"
    path.write_bytes(key.public.pem())
    code, out, _ = run("keys", "show", str(path))
    assert code == 0 and "RSA 2048" in out and "any of PS256, RS256" in out
    jwks = tmp_path / "set.json"
    jwks.write_text(json.dumps({"keys": [key.public.jwk(), generate_key("ES256").public.jwk()]}))
    doc = json.loads(run("keys", "show", "--format", "json", str(jwks))[1])
    assert [k["alg"] for k in doc["keys"]] == ["PS256", "ES256"] and doc["private"] is False


def test_show_refuses_weak_and_unreadable(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    path = tmp_path / "weak.pem"
    path.write_bytes(weak.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
    code, out, err = run("keys", "show", str(path))
    assert code == 1 and "KEY-TOO-WEAK" in err and out == ""
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    code, _, err = run("keys", "show", str(junk))
    assert code == 1 and "KEY-UNREADABLE" in err and "Traceback" not in err
    assert run("keys", "show", str(tmp_path / "missing.pem"))[0] == 2


def test_keys_is_listed_in_help() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "keys" in out and "Generate and inspect signing keys." in out


def test_show_certificate_gives_the_registry_pins_that_bind_it(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from cryptography import x509
    from x509_factory import Ca, name, sha256_hex, x5c

    from etr.crypto.trust import TrustStore

    ca = Ca(name("Test CA"))
    key = generate_key("ES256")
    cert = ca.leaf(name("ebl1.example", "Platform One"), key.key.public_key(),
                   san=[x509.DNSName("EBL1.example"), x509.UniformResourceIdentifier("https://ebl1.example/")])
    path = tmp_path / "ebl1.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca.cert.public_bytes(serialization.Encoding.PEM))
    code, out, _ = run("keys", "show", str(path))
    assert code == 0 and f"cert_sha256:    {sha256_hex(cert)}" in out
    assert "subject:        O=Platform One,CN=ebl1.example" in out
    assert "san:            DNS:ebl1.example URI:https://ebl1.example/" in out
    doc = json.loads(run("keys", "show", "--format", "json", str(path))[1])
    pins = doc["certificates"][0]
    assert pins["key_thumbprint"] == key.public.thumbprint and len(doc["certificates"]) == 2
    # Each pin, written into a registry row, binds the certificate to the platform.
    for column in ("cert_sha256", "key_thumbprint", "subject", "san"):
        value = " ".join(pins[column]) if column == "san" else pins[column]
        store = TrustStore()
        store.add_certificate(ca.cert)
        store.add_registry(f'Code,{column}\nEBL1,"{value}"\n'.encode())
        result = store.resolve({"x5c": x5c(cert)}, platform="EBL1", at=datetime(2026, 6, 1, tzinfo=UTC))
        assert result.ok and result.bound_by == column.replace("_", "-"), (column, result.message)
    # A key file has no certificate.
    assert json.loads(run("keys", "show", "--format", "json", str(_jwk(tmp_path)))[1])["certificates"] == []


def _jwk(tmp_path: Path) -> Path:
    path = tmp_path / "k.jwk"
    path.write_text(json.dumps(generate_key("EdDSA").public.jwk()))
    return path
