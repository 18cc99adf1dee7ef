"""The shape checks ``etr validate`` makes of an OpenAttestation document (no hashing: that is ``etr verify``).

What the reference's schemas require of a document that can be verified
(open-attestation src/2.0/schema/schema.json, src/3.0/schema/schema.json, src/2.0/types.ts):
the proof members and their hash format, the issuers with an identity proof and an issuance
method, and, for v2, that every value is salted. Each problem is ``OA-STRUCTURE`` (error) at
its JSON Pointer; a value that is not salted is ``OA-UNSALTED`` (warning: hashed, but guessable
once obfuscated, and its type is then only what JSON says).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import Finding, Location, Severity
from .forms import (
    V2_SIGNATURE_TYPE,
    V3_CONTEXT,
    W3C_VC_V1,
    Form,
    is_address,
    is_salted,
    issuers_of,
    revealed_data,
)
from .hashing import flatten_v2, is_hash

REF_V2 = "OpenAttestation v2 schema (open-attestation src/2.0/schema/schema.json, src/2.0/types.ts)"
REF_V3 = "OpenAttestation v3 schema (open-attestation src/3.0/schema/schema.json, src/3.0/types.ts)"
_IDENTITY_TYPES = ("DNS-TXT", "DNS-DID", "DID")
_METHODS = ("DOCUMENT_STORE", "TOKEN_REGISTRY", "DID")


def _problem(message: str, pointer: str, reference: str) -> Finding:
    return Finding("OA-STRUCTURE", Severity.ERROR, message, Location(pointer=pointer or "/"), reference)


def check_structure(form: Form, content: Mapping[str, Any]) -> Iterator[Finding]:
    """Findings on the shape of ``content`` (a document :func:`~.forms.classify` recognised as ``form``)."""
    if form.version == "2.0":
        yield from _v2(form, content)
    elif form.version == "3.0":
        yield from _v3(form, content)
    elif form.version == "4.0":
        yield from _proof(form, content, REF_V3)
        yield from _issuers(form, content, REF_V3)


def _v2(form: Form, content: Mapping[str, Any]) -> Iterator[Finding]:
    if form.form == "wrapped":
        signature = content.get("signature")
        assert isinstance(signature, dict)
        if signature.get("type") != V2_SIGNATURE_TYPE:
            yield _problem(f"signature.type must be {V2_SIGNATURE_TYPE!r}", "/signature/type", REF_V2)
        for member in ("targetHash", "merkleRoot"):
            if not is_hash(signature.get(member)):
                yield _problem(f"signature.{member} must be 64 lower-case hex characters", f"/signature/{member}",
                               REF_V2)
        proof = signature.get("proof")
        if not (isinstance(proof, list) and all(is_hash(p) for p in proof)):
            yield _problem("signature.proof must be a list of hashes (64 lower-case hex)", "/signature/proof", REF_V2)
        privacy = content.get("privacy")
        if privacy is not None:
            hidden = privacy.get("obfuscatedData") if isinstance(privacy, dict) else None
            if not (isinstance(hidden, list) and all(is_hash(h) for h in hidden)):
                yield _problem("privacy.obfuscatedData must be a list of hashes", "/privacy", REF_V2)
        try:
            unsalted = [pointer for _, value, pointer in flatten_v2(content["data"])
                        if not is_salted(value) and value not in ({}, [])]
        except ValueError:
            unsalted = []  # a key with '.': etr verify reports it (OA-INTEGRITY-KEY-DOT)
        if unsalted:
            shown = ", ".join(unsalted[:5]) + (f" and {len(unsalted) - 5} more" if len(unsalted) > 5 else "")
            yield Finding("OA-UNSALTED", Severity.WARNING, f"value(s) not salted ('<uuid>:<type>:<value>'): {shown}",
                          Location(pointer=unsalted[0]), REF_V2, {"pointers": unsalted})
    yield from _issuers(form, content, REF_V2)


def _v3(form: Form, content: Mapping[str, Any]) -> Iterator[Finding]:
    context = content.get("@context")
    contexts = context if isinstance(context, list) else [context]
    for required in (W3C_VC_V1, V3_CONTEXT):
        if required not in contexts:
            yield _problem(f"@context must include {required}", "/@context", REF_V3)
    types = content.get("type")
    if not (isinstance(types, list) and "VerifiableCredential" in types) and types != "VerifiableCredential":
        yield _problem("type must include VerifiableCredential", "/type", REF_V3)
    for member in ("issuanceDate", "credentialSubject", "issuer", "openAttestationMetadata"):
        if member not in content:
            yield _problem(f"{member} is required", f"/{member}", REF_V3)
    metadata = content.get("openAttestationMetadata")
    if isinstance(metadata, dict):
        proof = metadata.get("proof")
        if not isinstance(proof, dict) or proof.get("method") not in _METHODS \
                or not isinstance(proof.get("value"), str):
            yield _problem(f"openAttestationMetadata.proof needs method ({', '.join(_METHODS)}) and value",
                           "/openAttestationMetadata/proof", REF_V3)
        identity = metadata.get("identityProof")
        if not isinstance(identity, dict) or identity.get("type") not in _IDENTITY_TYPES \
                or not isinstance(identity.get("identifier"), str):
            yield _problem(f"openAttestationMetadata.identityProof needs type ({', '.join(_IDENTITY_TYPES)}) and "
                           "identifier", "/openAttestationMetadata/identityProof", REF_V3)
    if form.form == "wrapped":
        yield from _proof(form, content, REF_V3)


def _proof(form: Form, content: Mapping[str, Any], reference: str) -> Iterator[Finding]:
    if form.form != "wrapped":
        return
    proof = content.get("proof")
    assert isinstance(proof, dict)
    for member in ("targetHash", "merkleRoot"):
        if not is_hash(proof.get(member)):
            yield _problem(f"proof.{member} must be 64 lower-case hex characters", f"/proof/{member}", reference)
    proofs = proof.get("proofs")
    if not (isinstance(proofs, list) and all(is_hash(p) for p in proofs)):
        yield _problem("proof.proofs must be a list of hashes", "/proof/proofs", reference)
    if not isinstance(proof.get("salts"), str):
        yield _problem("proof.salts must be a string (base64)", "/proof/salts", reference)
    privacy = proof.get("privacy")
    hidden = privacy.get("obfuscated") if isinstance(privacy, dict) else None
    if not (isinstance(hidden, list) and all(is_hash(h) for h in hidden)):
        yield _problem("proof.privacy.obfuscated must be a list of hashes", "/proof/privacy", reference)


def _issuers(form: Form, content: Mapping[str, Any], reference: str) -> Iterator[Finding]:
    revealed = revealed_data(content)
    parties = issuers_of(form, revealed)
    if form.version == "2.0":
        issuers = revealed.get("issuers")
        base = "/data" if form.form == "wrapped" else ""
        if not (isinstance(issuers, list) and issuers):
            yield _problem("issuers must be a non-empty array", f"{base}/issuers", reference)
            return
    for party in parties:
        pointer = str(party.get("pointer", ""))
        kind = party.get("identityProofType")
        if kind not in _IDENTITY_TYPES:
            yield _problem(f"identityProof.type must be one of {', '.join(_IDENTITY_TYPES)}",
                           f"{pointer}/identityProof", reference)
        for member in ("documentStore", "tokenRegistry", "certificateStore"):
            if member in party and not is_address(party[member]):
                yield _problem(f"{member} must be an Ethereum address (0x + 40 hex)", f"{pointer}/{member}", reference)
        if kind in ("DNS-TXT", "DNS-DID") and "domain" not in party:
            yield _problem("a DNS identity proof needs its location (domain)", f"{pointer}/identityProof", reference)
        if kind in ("DID", "DNS-DID") and form.version == "2.0" and not ("did" in party and "key" in party):
            yield _problem("a DID issuer needs id (the DID) and identityProof.key", pointer, reference)
