"""An in-memory PINT world for tests: platforms with keys, parties, a trust store, and chains built to order.

Two ways to build a chain:

- :meth:`World.build` goes through :class:`etr.transfer.sign.ChainBuilder`, so the
  state machine refuses illegal steps (what a user of etr gets);
- :class:`RawChain` signs whatever it is told — illegal steps, forged
  headers, tampered payloads — so the verifier can be tested against them.

Keys are cached per (algorithm, platform) for the session: RSA generation is slow.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from etr.crypto.digests import jcs_sha256, sha256_hex
from etr.crypto.jws import sign_compact
from etr.crypto.keys import SigningKey, b64url_encode, generate_key
from etr.crypto.trust import TrustStore
from etr.transfer.model import IdentifyingCode, Party, format_datetime
from etr.transfer.sign import ChainBuilder, canonical_json, transaction
from etr.transfer.verify import VerificationResult, verify_envelope

ALGS = ("ES256", "PS256", "RS256", "EdDSA")
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
#: Verification time used by default: after every simulated transaction.
VERIFY_AT = T0 + timedelta(days=30)
PLATFORMS = ("CAR1", "EBL1", "EBL2", "EBL3")

#: name -> (party name, platform)
PARTIES: Mapping[str, tuple[str, str]] = {
    "carrier": ("Carrier Line A/S", "CAR1"),
    "agent": ("Carrier Line Agency", "CAR1"),
    "alice": ("Alice Exports Ltd", "EBL1"),
    "bob": ("Bob Bank plc", "EBL2"),
    "carol": ("Carol Imports GmbH", "EBL3"),
    "dave": ("Dave Trading", "EBL1"),
}


@functools.cache
def signing_key(alg: str, name: str) -> SigningKey:
    """A session-cached key for ``name`` (a platform code or any label), kid ``<name>-<alg>``."""
    return generate_key(alg, kid=f"{name.lower()}-{alg.lower()}")


def party(name: str) -> Party:
    """The simulated party ``name`` (see :data:`PARTIES`), identified by ``PLATFORM:name``."""
    party_name, platform = PARTIES[name]
    return Party(party_name, platform, (IdentifyingCode(platform, name),))


def registry_csv(keys: Mapping[str, SigningKey]) -> bytes:
    rows = "".join(f"{platform},https://{platform.lower()}.example,,{key.kid}\n" for platform, key in keys.items())
    return ("Code,Site,jwks_endpoint,manual_key_id\n" + rows).encode()


def thumbprint_registry_csv(keys: Mapping[str, SigningKey]) -> bytes:
    """A registry listing each platform's key by its RFC 7638 thumbprint: it binds certificates (x5c) that
    carry that key, which a kid alone (:func:`registry_csv`) does not when the store holds only a CA."""
    rows = "".join(f"{platform},https://{platform.lower()}.example,,{key.public.thumbprint}\n"
                   for platform, key in keys.items())
    return ("Code,Site,jwks_endpoint,manual_key_id\n" + rows).encode()


def sample_td(*, to_order: bool = True, blank: bool = False, reference: str = "SIM0000001") -> dict[str, Any]:
    """A small transport document: enough for checksums and ``isToOrder`` (not a valid eBL).

    A to-order TD names an endorsee unless ``blank`` (DCSA: blank endorsed, any holder may endorse).
    """
    td: dict[str, Any] = {"transportDocumentReference": reference, "transportDocumentStatus": "ISSUED",
                          "transportDocumentTypeCode": "BOL", "isToOrder": to_order, "isElectronic": True,
                          "carrierCode": "CARR", "carrierCodeListProvider": "SMDG"}
    if to_order and not blank:
        td["documentParties"] = {"endorsee": {"partyName": "Alice", "identifyingCodes": [
            {"codeListProvider": "EBL1", "partyCode": "alice"}]}}
    return td


def at(step: int) -> datetime:
    return T0 + timedelta(minutes=step)


# --------------------------------------------------------------------------- a small PKI


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(cn: str, public: Any, issuer_cn: str, issuer_key: Any, *, ca: bool,
              not_before: datetime = T0 - timedelta(days=365), not_after: datetime = T0 + timedelta(days=365),
              ) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer_cn))
               .public_key(public).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                            crl_sign=ca, encipher_only=False, decipher_only=False), critical=True))
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)  # type: ignore[arg-type]


def x5c(*certs: x509.Certificate) -> list[str]:
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs]


@dataclass
class Pki:
    """A root CA and a way to issue platform leaf certificates."""

    name: str = "Sim Root CA"
    key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    @functools.cached_property
    def root(self) -> x509.Certificate:
        return make_cert(self.name, self.key.public_key(), self.name, self.key, ca=True,
                         not_before=T0 - timedelta(days=3650), not_after=T0 + timedelta(days=3650))

    def leaf(self, cn: str, key: SigningKey, **validity: datetime) -> list[str]:
        """The x5c (leaf, root) for ``key``."""
        cert = make_cert(cn, key.key.public_key(), self.name, self.key, ca=False, **validity)
        return x5c(cert, self.root)


# --------------------------------------------------------------------------- the world


class World:
    """Platforms (each with a key of ``alg``), parties, a trust store with a registry binding them."""

    def __init__(self, alg: str = "EdDSA", *, algs: Mapping[str, str] | None = None) -> None:
        self.alg = alg
        self.keys = {p: signing_key((algs or {}).get(p, alg), p) for p in PLATFORMS}
        self.trust = TrustStore()
        for key in self.keys.values():
            self.trust.add_key(key.public)
        self.trust.add_registry(registry_csv(self.keys), "<sim registry>")

    def key(self, platform: str) -> SigningKey:
        return self.keys[platform]

    def build(self, steps: Sequence[tuple[str, str, str | None]], *, td: Mapping[str, Any] | None = None,
              first_holder: str = "alice") -> dict[str, Any]:
        """Issue to ``first_holder``, then one entry per (action, actor, recipient) through ChainBuilder.

        Raises TransferRefused like etr's users see it.
        """
        builder = ChainBuilder(td if td is not None else sample_td())
        builder.issue(party(first_holder), self.key("CAR1"), "CAR1", carrier=party("carrier"), at=at(0))
        for n, (action, actor, recipient) in enumerate(steps, start=1):
            who = party(actor)
            tx = transaction(action, who, party(recipient) if recipient else None, at=at(n),
                             reason_code="SWTP" if action == "SURRENDER_FOR_AMENDMENT" else None)
            builder.append_entry([tx], self.key(who.ebl_platform), who.ebl_platform)
        return builder.envelope()

    def verify(self, envelope: Mapping[str, Any] | bytes, **kwargs: Any) -> VerificationResult:
        kwargs.setdefault("at", VERIFY_AT)
        kwargs.setdefault("validate_document", False)
        return verify_envelope(envelope if isinstance(envelope, bytes) else dict(envelope), self.trust, **kwargs)


def tx_dict(action: str, actor: str, recipient: str | None, step: int, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"actionCode": action, "actor": party(actor).to_dict(),
                           "actionDateTime": format_datetime(at(step))}
    if recipient is not None:
        out["recipient"] = party(recipient).to_dict()
    out.update(extra)
    return out


@dataclass
class RawChain:
    """Signs any chain, legal or not. ``tokens`` are the chain's JWS strings, oldest first."""

    world: World
    td: dict[str, Any] = field(default_factory=sample_td)
    tokens: list[str] = field(default_factory=list)

    @property
    def td_checksum(self) -> str:
        return jcs_sha256(self.td)

    @property
    def last_checksum(self) -> str | None:
        return sha256_hex(self.tokens[-1].encode()) if self.tokens else None

    def issuance(self, *, key: SigningKey | None = None, issue_to: str = "alice",
                 document_checksum: str | None = None, x5c_chain: list[str] | None = None) -> str:
        manifest = {"documentChecksum": document_checksum or self.td_checksum,
                    "issueToChecksum": jcs_sha256(party(issue_to).to_issue_to())}
        return sign_compact(canonical_json(manifest), key or self.world.key("CAR1"), x5c=x5c_chain)

    def payload(self, platform: str, transactions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"eblPlatform": platform, "transportDocumentChecksum": self.td_checksum}
        if self.last_checksum is not None:
            out["previousEnvelopeTransferChainEntrySignedContentChecksum"] = self.last_checksum
        out["transactions"] = transactions
        out.update(extra)
        return out

    def sign(self, payload: Mapping[str, Any] | bytes, platform: str, *, key: SigningKey | None = None,
             x5c_chain: list[str] | None = None) -> str:
        data = payload if isinstance(payload, bytes) else canonical_json(payload)
        return sign_compact(data, key or self.world.key(platform), x5c=x5c_chain)

    def issue(self, issue_to: str = "alice", *, issuance: str | None = None, key: SigningKey | None = None,
              x5c_chain: list[str] | None = None) -> RawChain:
        payload = self.payload("CAR1", [tx_dict("ISSUE", "carrier", issue_to, 0)],
                               issuanceManifestSignedContent=issuance or self.issuance(issue_to=issue_to))
        self.tokens.append(self.sign(payload, "CAR1", key=key, x5c_chain=x5c_chain))
        return self

    def add(self, action: str, actor: str, recipient: str | None, *, step: int | None = None,
            platform: str | None = None, key: SigningKey | None = None, x5c_chain: list[str] | None = None,
            **tx_extra: Any) -> RawChain:
        """One entry with one transaction, signed by ``platform`` (default: the actor's)."""
        platform = platform or party(actor).ebl_platform
        n = len(self.tokens) if step is None else step
        payload = self.payload(platform, [tx_dict(action, actor, recipient, n, **tx_extra)])
        self.tokens.append(self.sign(payload, platform, key=key, x5c_chain=x5c_chain))
        return self

    def envelope(self, *, platform: str | None = None, key: SigningKey | None = None,
                 tokens: Sequence[str] | None = None, td: Mapping[str, Any] | None = None,
                 x5c_chain: list[str] | None = None, **manifest_extra: Any) -> dict[str, Any]:
        """The envelope, with a manifest over ``tokens`` (default: the chain) signed by the last entry's platform."""
        chain = list(self.tokens if tokens is None else tokens)
        if platform is None:
            platform = json.loads(_b64d(chain[-1].split(".")[1]))["eblPlatform"]
        manifest = {"transportDocumentChecksum": self.td_checksum,
                    "lastEnvelopeTransferChainEntrySignedContentChecksum": sha256_hex(chain[-1].encode()),
                    **manifest_extra}
        token = sign_compact(canonical_json(manifest), key or self.world.key(platform), x5c=x5c_chain)
        return {"transportDocument": dict(td if td is not None else self.td), "envelopeManifestSignedContent": token,
                "envelopeTransferChain": chain}


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_of(token: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_b64d(token.split(".")[1]))
    return data


def with_payload(token: str, payload: bytes) -> str:
    """``token`` with its payload replaced and its signature kept (a tampered JWS)."""
    head, _, sig = token.split(".")
    return f"{head}.{b64url_encode(payload)}.{sig}"


def forged(header: Mapping[str, Any], payload: bytes, signature: bytes) -> str:
    return ".".join(b64url_encode(x) for x in (json.dumps(dict(header)).encode(), payload, signature))


def hs256(payload: bytes, secret: bytes, kid: str) -> str:
    """An HS256 JWS keyed with ``secret`` (the classic public-key-as-HMAC-secret confusion)."""
    import hmac

    head = b64url_encode(json.dumps({"alg": "HS256", "kid": kid}).encode())
    body = b64url_encode(payload)
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url_encode(mac)}"
