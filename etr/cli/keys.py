"""``etr keys``: generate and inspect signing keys. Private key material is never printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..crypto.keys import PublicKey

# Same as etr.crypto.keys.ALGORITHMS; repeated so `etr keys --help` does not import cryptography.
_ALGORITHMS = ("ES256", "PS256", "RS256", "EdDSA")

KEYS_EXIT_HELP = """\b
Exit status:
  0  the key was written, or shown
  1  a key file cannot be read or used, or a file to write exists
  2  usage error: bad option
"""


@click.group("keys", epilog=KEYS_EXIT_HELP)
def keys_cmd() -> None:
    """Generate and inspect signing keys (ES256, PS256, RS256, EdDSA)."""


@keys_cmd.command("generate", epilog=KEYS_EXIT_HELP)
@click.option("--alg", type=click.Choice(_ALGORITHMS), required=True,
              help="Signature algorithm: ES256 (EC P-256), PS256/RS256 (RSA), EdDSA (Ed25519).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for the key files (created with mode 0700 if missing).")
@click.option("--kid", help="Key id. Default: the RFC 7638 thumbprint of the public key.")
@click.option("--rsa-bits", type=click.IntRange(2048, 16384), default=2048, show_default=True,
              help="RSA modulus size (PS256/RS256 only).")
def generate_cmd(alg: str, out: Path, kid: str | None, rsa_bits: int) -> None:
    """Generate a key pair: OUT/<kid>.private.pem (PKCS #8, mode 0600) and OUT/<kid>.public.jwk.

    The private key is written once, created with mode 0600, and never printed;
    existing files are never overwritten. When the kid is not a safe file name,
    the files are named after the thumbprint instead.
    """
    from ..crypto.keys import generate_key, write_signing_key
    from ..errors import UsageError

    if kid is not None and not kid.strip():
        raise UsageError("--kid must not be empty", code="KEY-KID")
    key = generate_key(alg, rsa_bits=rsa_bits, kid=kid)
    private_path, public_path = write_signing_key(key, out)
    public = key.public
    click.echo(f"generated {key.alg} key ({public.key_type})")
    click.echo(f"kid:         {public.kid}")
    click.echo(f"thumbprint:  {public.thumbprint}  (RFC 7638, SHA-256)")
    click.echo(f"private key: {private_path}  (mode 0600; keep it secret)")
    click.echo(f"public key:  {public_path}")


@keys_cmd.command("show", epilog=KEYS_EXIT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_cmd(file: Path, fmt: str) -> None:
    """Show the public information of a key file: type, algorithm, kid, RFC 7638 thumbprint, public JWK.

    FILE may be a PEM public or private key, a PEM/DER certificate (chain), a
    JWK or a JWK Set. For a private key only its public part is shown. For a
    certificate, the values that pin it to a platform in a trust store's
    registry CSV (cert_sha256, key_thumbprint, subject, san) are shown too.
    """
    keys, private = _read_public(file)
    certificates = _read_certificate_pins(file)
    if fmt == "json":
        doc = {"file": str(file), "private": private, "keys": [_describe(k) for k in keys],
               "certificates": certificates}
        click.echo(json.dumps(doc, indent=2))
        return
    click.echo(f"file:        {file}" + ("  (private key: only its public part is shown)" if private else ""))
    for i, key in enumerate(keys):
        info = _describe(key)
        if len(keys) > 1:
            click.echo(f"key {i + 1}:")
        click.echo(f"type:        {info['type']}")
        click.echo(f"alg:         {info['alg'] or 'any of ' + ', '.join(info['algorithms'])}")
        click.echo(f"kid:         {info['kid']}")
        click.echo(f"thumbprint:  {info['thumbprint']}  (RFC 7638, SHA-256)")
        click.echo(f"public jwk:  {json.dumps(info['jwk'], separators=(',', ':'))}")
    for i, pins in enumerate(certificates):
        click.echo(f"certificate{f' {i + 1}' if len(certificates) > 1 else ''}: registry pins")
        click.echo(f"  cert_sha256:    {pins['cert_sha256']}")
        click.echo(f"  key_thumbprint: {pins['key_thumbprint']}")
        click.echo(f"  subject:        {pins['subject']}")
        click.echo(f"  san:            {' '.join(pins['san']) or '(none)'}")


def _read_certificate_pins(file: Path) -> list[dict[str, Any]]:
    """The registry pins of each certificate in ``file`` (PEM blocks or one DER certificate); none for keys."""
    from cryptography import x509

    from ..crypto.keys import KeyFileError, pem_blocks, read_key_source
    from ..crypto.registry import registry_pins

    data, name = read_key_source(file)
    try:
        if b"-----BEGIN" in data:
            certs = [x509.load_pem_x509_certificate(block) for label, block in pem_blocks(data)
                     if label in ("CERTIFICATE", "TRUSTED CERTIFICATE")]
        else:
            try:
                certs = [x509.load_der_x509_certificate(data)]
            except ValueError:
                return []  # a DER public key, or a JWK
        return [registry_pins(cert) for cert in certs]
    except ValueError as exc:
        raise KeyFileError(f"{name}: cannot read a certificate: {exc}") from None


def _read_public(file: Path) -> tuple[list[PublicKey], bool]:
    """The public keys of ``file``, and whether it held a private key."""
    from ..crypto.keys import KeyFileError, load_public_keys, load_signing_key

    try:
        return load_public_keys(file), False
    except KeyFileError as exc:
        if exc.code not in ("KEY-PRIVATE", "KEY-UNREADABLE"):
            raise
        first = exc
    try:
        return [load_signing_key(file).public], True
    except KeyFileError as exc:
        if first.code == "KEY-PRIVATE" or exc.code not in ("KEY-UNREADABLE", "KEY-NOT-PRIVATE"):
            raise
        raise first from None


def _describe(key: PublicKey) -> dict[str, Any]:
    return {
        "type": key.key_type,
        "alg": key.alg,
        "algorithms": list(key.algorithms),
        "kid": key.kid,
        "thumbprint": key.thumbprint,
        "jwk": key.jwk(),
    }
