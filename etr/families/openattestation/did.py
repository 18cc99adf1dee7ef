"""DID signatures of OpenAttestation documents (``OpenAttestationSignature2018``), checked offline.

The issuer signs the 32 raw bytes of ``merkleRoot`` with Ethereum's
``personal_sign`` (EIP-191): the digest is ``keccak256("\\x19Ethereum Signed
Message:\\n32" || root)``. The signature is ``r || s || v`` (65 bytes, hex with
``0x``). The signer's public key is recovered from it (secp256k1, coincurve),
its Ethereum address derived (the last 20 bytes of the keccak256 of the
uncompressed key) and compared with the address of the ``did:ethr`` DID.

Offline assumption: a ``did:ethr`` DID whose registry entry was never changed
has its address as controller key. An on-chain owner change or delegate (ERC-1056)
would need the chain: a key rotation cannot be seen offline, and the result says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .hashing import keccak256

_EIP191_PREFIX = b"\x19Ethereum Signed Message:\n32"
_DID_ETHR = re.compile(r"did:ethr:(?:(?P<network>[A-Za-z0-9_.-]+):)?(?P<id>0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})")
_SIGNATURE = re.compile(r"0x([0-9a-fA-F]{130}|[0-9a-fA-F]{128})")


class SignatureFormatError(ValueError):
    """The signature is not ``0x`` + 65 bytes with v in 27, 28 (or 0, 1), or no key can be recovered from it."""


@dataclass(frozen=True, slots=True)
class DidEthr:
    """A ``did:ethr`` DID: its network (``None``: mainnet) and the controller's Ethereum address (lower case)."""

    did: str
    network: str | None
    address: str


def parse_did_ethr(did_url: str) -> DidEthr | None:
    """The ``did:ethr`` DID of a DID or DID URL (``did:ethr:0xAB…#controller``), or ``None`` for another method.

    An identifier that is a compressed public key (33 bytes) stands for the address of that key.
    """
    did = did_url.split("#", 1)[0].split("?", 1)[0]
    match = _DID_ETHR.fullmatch(did)
    if match is None:
        return None
    ident = match.group("id")
    if len(ident) == 42:
        address = ident.lower()
    else:
        try:
            address = _address_of_key(bytes.fromhex(ident[2:]))
        except ValueError:
            return None
    return DidEthr(did, match.group("network"), address)


def eip191_digest(merkle_root: str) -> bytes:
    """The digest ``personal_sign`` signs for the 32 bytes of ``merkle_root`` (64 hex characters)."""
    return keccak256(_EIP191_PREFIX + bytes.fromhex(merkle_root))


def recover_address(merkle_root: str, signature: str) -> str:
    """The Ethereum address (``0x`` + 40 lower-case hex) whose key made ``signature`` over ``merkle_root``.

    The signature is ``r || s || v`` (65 bytes), or the EIP-2098 compact form ``r || yParity·s``
    (64 bytes), which ethers also reads. A high-s signature (the mirror image of a low-s one, EIP-2 applies
    to transactions) is taken, as ethers takes it: it is the same key over the same root.

    Raises:
        SignatureFormatError: ``signature`` is not ``0x`` + 130 (or 128) hex characters, ``v`` is not 27/28
            (or 0/1, which ethers also takes), or no public key can be recovered.
    """
    from coincurve import PublicKey

    match = _SIGNATURE.fullmatch(signature) if isinstance(signature, str) else None
    if match is None:
        raise SignatureFormatError("the signature is not 0x followed by 65 bytes (or 64, EIP-2098) in hex")
    raw = bytes.fromhex(match.group(1))
    if len(raw) == 64:  # EIP-2098: the top bit of s is the y parity
        parity = raw[32] >> 7
        raw = raw[:32] + bytes([raw[32] & 0x7F]) + raw[33:] + bytes([27 + parity])
    v = raw[64]
    recid = v - 27 if v >= 27 else v
    if recid not in (0, 1):
        raise SignatureFormatError(f"the signature's recovery byte v={v} is not 27 or 28")
    try:
        key = PublicKey.from_signature_and_message(raw[:64] + bytes([recid]), eip191_digest(merkle_root), hasher=None)
    except Exception as exc:  # coincurve raises plain Exception/ValueError for an unrecoverable signature
        raise SignatureFormatError(f"no public key can be recovered from the signature ({exc})") from None
    return _address_of_key(key.format(compressed=False))


def _address_of_key(key: bytes) -> str:
    from coincurve import PublicKey

    if len(key) == 33:
        key = PublicKey(key).format(compressed=False)
    if len(key) != 65 or key[0] != 4:
        raise ValueError("not a secp256k1 public key")
    return "0x" + keccak256(key[1:])[-20:].hex()
