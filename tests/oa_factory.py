"""Builds OpenAttestation documents in memory for the tests: wrap (v2, v3, v4, batches), sign with a DID key.

It follows the reference wrappers (open-attestation src/2.0/wrap.ts, src/3.0/wrap.ts, src/4.0/digest.ts,
src/2.0/sign.ts, src/3.0/sign.ts) using etr's hashing primitives; the primitives themselves are pinned by
the reference's worked example and the upstream fixtures (tests/unit/test_oa_hashing.py,
tests/conformance/test_openattestation_shared.py), so a document built here is one the reference would build.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from typing import Any

from coincurve import PrivateKey

from etr.families.openattestation import did as did_
from etr.families.openattestation import hashing as h
from etr.families.openattestation.forms import V2_SCHEMA, V3_CONTEXT, V4_CONTEXT, W3C_VC_V1, W3C_VC_V2

STORE = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"
REGISTRY = "0x142Ca30e3b78A840a82192529cA047ED759a6F7e"
DOMAIN = "demo-tradetrust.openattestation.com"


def salt_v2(node: Any) -> Any:
    """Every primitive as ``<uuid4>:<type>:<value>`` (JS ``typeof`` and ``String``)."""
    from etr.families.openattestation import _js

    if isinstance(node, dict):
        return {k: salt_v2(v) for k, v in node.items()}
    if isinstance(node, list):
        return [salt_v2(v) for v in node]
    if node is None:
        return f"{uuid.uuid4()}:null:null"
    kind = "boolean" if isinstance(node, bool) else "number" if isinstance(node, int | float) else "string"
    return f"{uuid.uuid4()}:{kind}:{_js.template_text(node)}"


def _seal_v2(doc: dict[str, Any], proofs: dict[str, list[str]] | None = None, root: str | None = None) -> None:
    target = h.v2_target_hash(doc["data"], doc.get("privacy", {}).get("obfuscatedData", []))
    doc["signature"] = {"type": "SHA3MerkleProof", "targetHash": target,
                        "proof": (proofs or {}).get(target, []), "merkleRoot": root or target}


def wrap_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A wrapped v2 document of the raw ``data`` (single-document batch: merkleRoot = targetHash)."""
    doc: dict[str, Any] = {"version": V2_SCHEMA, "data": salt_v2(data)}
    _seal_v2(doc)
    return doc


def wrap_v2_batch(datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several v2 documents wrapped in one batch (one Merkle root, a proof each)."""
    docs = [{"version": V2_SCHEMA, "data": salt_v2(d)} for d in datas]
    targets = [h.v2_target_hash(d["data"], []) for d in docs]
    root, proofs = h.merkle_tree(targets)
    for doc in docs:
        _seal_v2(doc, proofs, root)
    return docs


def v2_data(issuer: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """Raw v2 data: one DNS-TXT document-store issuer (or ``issuer``), a recipient, and ``extra``."""
    return {
        "$template": {"name": "BILL_OF_LADING", "type": "EMBEDDED_RENDERER", "url": "https://example.com"},
        "issuers": [issuer or {"name": "Demo Issuer", "documentStore": STORE,
                               "identityProof": {"type": "DNS-TXT", "location": DOMAIN}}],
        "recipient": {"name": "Nordic Timber AB", "address": {"street": "1 Harbour Road", "country": "SE"}},
        **extra,
    }


def did_issuer(key: PrivateKey, *, dns: str | None = None, revocation: dict[str, str] | None = None,
               ) -> dict[str, Any]:
    """A v2 DID issuer for ``key`` (DID, or DNS-DID when ``dns`` names the domain)."""
    did = f"did:ethr:{address(key)}"
    identity: dict[str, Any] = {"type": "DNS-DID" if dns else "DID", "key": f"{did}#controller"}
    if dns:
        identity["location"] = dns
    return {"id": did, "name": "DID Issuer", "revocation": revocation or {"type": "NONE"}, "identityProof": identity}


def address(key: PrivateKey) -> str:
    return did_._address_of_key(key.public_key.format(compressed=False))


def signature(key: PrivateKey, merkle_root: str) -> str:
    """``personal_sign`` of the 32 bytes of ``merkle_root``: ``0x`` + r + s + v (27/28)."""
    raw = key.sign_recoverable(did_.eip191_digest(merkle_root), hasher=None)
    return "0x" + raw[:64].hex() + bytes([raw[64] + 27]).hex()


def sign_v2(doc: dict[str, Any], key: PrivateKey, method: str | None = None) -> dict[str, Any]:
    """``doc`` with a ``proof`` entry signed by ``key`` (verificationMethod: its DID's controller key)."""
    out = copy.deepcopy(doc)
    method = method or f"did:ethr:{address(key)}#controller"
    out["proof"] = [{"type": "OpenAttestationSignature2018", "created": "2026-11-30T08:00:00.000Z",
                     "proofPurpose": "assertionMethod", "verificationMethod": method,
                     "signature": signature(key, doc["signature"]["merkleRoot"])}]
    return out


# --------------------------------------------------------------------------- v3 / v4


def v3_credential(method: str = "DOCUMENT_STORE", proof_value: str = STORE, identity: str = "DNS-TXT",
                  identifier: str = DOMAIN, **subject: Any) -> dict[str, Any]:
    """A raw v3 credential."""
    return {
        "version": "https://schema.openattestation.com/3.0/schema.json",
        "@context": [W3C_VC_V1, V3_CONTEXT],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-11-30T08:00:00Z",
        "issuer": {"id": "https://example.com", "name": "Demo Issuer"},
        "credentialSubject": {"id": "urn:uuid:1", "name": "Nordic Timber AB", **subject},
        "openAttestationMetadata": {
            "template": {"name": "main", "type": "EMBEDDED_RENDERER", "url": "https://example.com"},
            "proof": {"type": "OpenAttestationProofMethod", "method": method, "value": proof_value},
            "identityProof": {"type": identity, "identifier": identifier},
        },
    }


def wrap_v3(credential: dict[str, Any], *, v4: bool = False) -> dict[str, Any]:
    """A wrapped v3 (or v4) document: a salt per leaf, targetHash, merkleRoot = targetHash."""
    doc = copy.deepcopy(credential)
    salts = [h.Salt(path, secrets.token_hex(32)) for path, _, _ in h.traverse_v3(doc, empty_leaves=v4)]
    target = (h.v4_target_hash if v4 else h.v3_target_hash)(doc, salts, [])
    doc["proof"] = {"type": "OpenAttestationHashProof2018" if v4 else "OpenAttestationMerkleProofSignature2018",
                    "proofPurpose": "assertionMethod", "targetHash": target, "proofs": [], "merkleRoot": target,
                    "salts": h.encode_salts(salts), "privacy": {"obfuscated": []}}
    return doc


def v4_credential(did: str = "did:ethr:0xE712878f6E8d5d4F9e87E10DA604F9cB564C9a89", **subject: Any) -> dict[str, Any]:
    """A raw v4 credential (W3C VC 2.0 contexts; a DNS-DID issuer ``did``)."""
    return {
        "@context": [W3C_VC_V2, V4_CONTEXT],
        "type": ["VerifiableCredential", "OpenAttestationCredential"],
        "issuer": {"id": did, "type": "OpenAttestationIssuer",
                   "name": "Demo Issuer",
                   "identityProof": {"identityProofType": "DNS-DID", "identifier": DOMAIN}},
        "credentialSubject": {"id": "urn:uuid:1", "name": "Nordic Timber AB", **subject},
    }


def sign_v3(doc: dict[str, Any], key: PrivateKey, key_id: str | None = None) -> dict[str, Any]:
    """``doc`` with ``proof.key`` and ``proof.signature`` by ``key``."""
    out = copy.deepcopy(doc)
    out["proof"]["key"] = key_id or f"did:ethr:{address(key)}#controller"
    out["proof"]["signature"] = signature(key, doc["proof"]["merkleRoot"])
    return out


def resalt(doc: dict[str, Any], salts: list[h.Salt]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["proof"]["salts"] = h.encode_salts(salts)
    return out
