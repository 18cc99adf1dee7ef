"""Which OpenAttestation document an input is: version, and wrapped, raw or a format OA does not define.

Recognition by content only (the reference's schema ids, contexts and proof types):

* v2 wrapped: ``version`` is the v2 schema id, or ``data`` and a ``signature`` of type ``SHA3MerkleProof``;
  v2 raw: a top-level ``issuers`` array whose issuers carry an ``identityProof`` (the v2 data schema);
* v3: the OA v3 context (or ``version`` the v3 schema id); wrapped when ``proof`` is an
  ``OpenAttestationMerkleProofSignature2018``;
* v4: the OA v4 context; wrapped when ``proof`` is an ``OpenAttestationHashProof2018``;
* a W3C credential with a TradeTrust / TrustVC mark (its context, a ``TransferableRecords`` status) and a
  BBS+ or ECDSA-SD proof: TrustVC, which OpenAttestation does not define (unsupported).

It also reads what the data says about its issuers (:func:`issuers_of`) and what a reader sees
(:func:`revealed_data`: v2 values unsalted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

V2_SCHEMA = "https://schema.openattestation.com/2.0/schema.json"
V3_SCHEMA = "https://schema.openattestation.com/3.0/schema.json"
V3_CONTEXT = "https://schemata.openattestation.com/com/openattestation/1.0/OpenAttestation.v3.json"
V4_CONTEXT = "https://schemata.openattestation.com/com/openattestation/4.0/context.json"
W3C_VC_V1 = "https://www.w3.org/2018/credentials/v1"
W3C_VC_V2 = "https://www.w3.org/ns/credentials/v2"
V2_SIGNATURE_TYPE = "SHA3MerkleProof"
V2_DID_PROOF_TYPE = "OpenAttestationSignature2018"
V3_PROOF_TYPE = "OpenAttestationMerkleProofSignature2018"
V4_PROOF_TYPE = "OpenAttestationHashProof2018"
#: Proof types of newer TradeTrust credentials (TrustVC), which are W3C credentials and not OA documents.
TRUSTVC_PROOF_TYPES = frozenset({"BbsBlsSignature2020", "BbsBlsSignatureProof2020", "DataIntegrityProof",
                                 "EcdsaSecp256k1Signature2019", "Ed25519Signature2020"})

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:")


def is_salted(value: Any) -> bool:
    """Whether ``value`` is a v2 salted value: a string starting ``<uuid>:`` (src/2.0/salt.ts)."""
    return isinstance(value, str) and _UUID.match(value) is not None
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True, slots=True)
class Form:
    """What a document is: ``version`` ("2.0", "3.0", "4.0", or ``None`` for TrustVC) and ``form``
    (``wrapped``, ``raw`` or ``unsupported``), with a few words of ``evidence``."""

    version: str | None
    form: str
    evidence: str


def _contexts(content: Mapping[str, Any]) -> list[str]:
    context = content.get("@context")
    if isinstance(context, str):
        return [context]
    if isinstance(context, list):
        return [c for c in context if isinstance(c, str)]
    return []


def _proof_types(proof: Any) -> set[str]:
    items = proof if isinstance(proof, list) else [proof]
    return {p["type"] for p in items if isinstance(p, dict) and isinstance(p.get("type"), str)}


def classify(content: Any) -> Form | None:
    """The :class:`Form` of a parsed JSON document, or ``None`` when it is no OpenAttestation document.
    Cheap; never raises."""
    if not isinstance(content, dict):
        return None
    signature = content.get("signature")
    if content.get("version") == V2_SCHEMA or (
            isinstance(content.get("data"), dict) and isinstance(signature, dict)
            and signature.get("type") == V2_SIGNATURE_TYPE):
        wrapped = isinstance(content.get("data"), dict) and isinstance(signature, dict)
        return Form("2.0", "wrapped" if wrapped else "raw", "v2 schema id" if "version" in content
                    else "data and a SHA3MerkleProof signature")
    contexts = _contexts(content)
    proof_types = _proof_types(content.get("proof"))
    if V4_CONTEXT in contexts:
        return Form("4.0", "wrapped" if V4_PROOF_TYPE in proof_types else "raw", "OA v4 context")
    if V3_CONTEXT in contexts or content.get("version") == V3_SCHEMA:
        return Form("3.0", "wrapped" if V3_PROOF_TYPE in proof_types else "raw", "OA v3 context")
    if (contexts and proof_types & TRUSTVC_PROOF_TYPES and (
            any("trustvc" in c.lower() or "tradetrust" in c.lower() for c in contexts)
            or _status_type(content) in ("TransferableRecords", "TransferableRecords2024"))):
        return Form(None, "unsupported", f"W3C credential with a {sorted(proof_types)[0]} proof (TrustVC)")
    issuers = content.get("issuers")
    if (isinstance(issuers, list) and issuers and all(isinstance(i, dict) for i in issuers)
            and any(isinstance(i.get("identityProof"), dict) for i in issuers)):
        return Form("2.0", "raw", "v2 issuers with identityProof")
    return None


def _status_type(content: Mapping[str, Any]) -> str | None:
    status = content.get("credentialStatus")
    if isinstance(status, dict) and isinstance(status.get("type"), str):
        return str(status["type"])
    return None


# --------------------------------------------------------------------------- what a reader sees


def unsalt(value: Any) -> Any:
    """A v2 salted value (``"<uuid>:<type>:<text>"``) as the reference unsalts it: ``number`` becomes a
    number (the text when it is none), ``boolean`` whether the text is ``true``, ``null``/``undefined``
    ``None``; anything not salted is returned as it is."""
    if not is_salted(value):
        return value
    kind, sep, text = value[37:].partition(":")
    if not sep:
        return value[37:]
    if kind == "number":
        return _number(text)
    if kind == "boolean":
        return text == "true"
    if kind in ("null", "undefined"):
        return None
    return text


def _number(text: str) -> Any:
    try:
        return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    except ValueError:
        return text


def unsalt_tree(node: Any) -> Any:
    """A v2 ``data`` with every salted value unsalted (structure kept)."""
    if isinstance(node, dict):
        return {k: unsalt_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [unsalt_tree(v) for v in node]
    return unsalt(node)


def revealed_data(document: Mapping[str, Any]) -> dict[str, Any]:
    """The data a reader of ``document`` sees: for v2 its ``data`` unsalted (a raw v2 document as it is);
    for v3/v4 the credential without its ``proof``. An input that is no OA document gives ``{}``."""
    form = classify(document)
    if form is None or form.form == "unsupported":
        return {}
    if form.version == "2.0":
        if form.form == "wrapped":
            data = document.get("data")
            return unsalt_tree(data) if isinstance(data, dict) else {}
        return dict(document)
    return {k: v for k, v in document.items() if k != "proof"}


def is_address(value: Any) -> bool:
    """Whether ``value`` is an Ethereum address (``0x`` + 40 hex characters)."""
    return isinstance(value, str) and _ADDRESS.fullmatch(value) is not None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def issuers_of(form: Form, revealed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The issuers the (revealed) data names, each normalised to the keys ``name``, ``identityProofType``,
    ``domain`` (DNS-TXT / DNS-DID location), ``key`` (DID URL of the signing key), ``did``,
    ``documentStore`` / ``tokenRegistry`` / ``certificateStore`` (addresses as written), ``revocation``
    (``{type, location}``) and ``pointer`` (where the issuer is), present when the document gives them."""
    if form.version == "2.0":
        return _v2_issuers(form, revealed)
    return [_credential_issuer(form, revealed)]


def _v2_issuers(form: Form, revealed: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    issuers = revealed.get("issuers")
    base = "/data" if form.form == "wrapped" else ""
    for index, issuer in enumerate(issuers if isinstance(issuers, list) else []):
        if not isinstance(issuer, dict):
            continue
        item: dict[str, Any] = {"pointer": f"{base}/issuers/{index}"}
        identity = _obj(issuer.get("identityProof"))
        _put(item, "name", issuer.get("name"))
        _put(item, "identityProofType", identity.get("type"))
        _put(item, "domain", identity.get("location"))
        _put(item, "key", identity.get("key"))
        ident = issuer.get("id")
        _put(item, "did", ident if isinstance(ident, str) and ident.startswith("did:") else None)
        for member in ("documentStore", "tokenRegistry", "certificateStore"):
            _put(item, member, issuer.get(member))
        _revocation(item, issuer.get("revocation"))
        out.append(item)
    return out


def _credential_issuer(form: Form, revealed: Mapping[str, Any]) -> dict[str, Any]:
    issuer = _obj(revealed.get("issuer"))
    item: dict[str, Any] = {"pointer": "/issuer"}
    _put(item, "name", issuer.get("name"))
    if form.version == "4.0":
        identity = _obj(issuer.get("identityProof"))
        kind = identity.get("identityProofType")
        _put(item, "identityProofType", kind)
        ident = issuer.get("id")
        _put(item, "did", ident if isinstance(ident, str) and ident.startswith("did:") else None)
        if kind in ("DNS-TXT", "DNS-DID"):
            _put(item, "domain", identity.get("identifier"))
        # v4 is DID-signed; its revocation is the credentialStatus (open-attestation beta src/4.0/types.ts).
        status = _obj(revealed.get("credentialStatus"))
        kinds = {"OpenAttestationRevocationStore": "REVOCATION_STORE", "OpenAttestationOcspResponder": "OCSP_RESPONDER"}
        if status.get("type") in kinds:
            item["revocation"] = {"type": kinds[status["type"]], **({"location": status["id"]}
                                                                   if isinstance(status.get("id"), str) else {})}
        return item
    metadata = _obj(revealed.get("openAttestationMetadata"))
    proof, identity = _obj(metadata.get("proof")), _obj(metadata.get("identityProof"))
    kind = identity.get("type")
    _put(item, "identityProofType", kind)
    method = proof.get("method")
    member = {"DOCUMENT_STORE": "documentStore", "TOKEN_REGISTRY": "tokenRegistry", "DID": "did"}.get(
        method if isinstance(method, str) else "")
    if member:
        _put(item, member, proof.get("value"))
    if kind in ("DNS-TXT", "DNS-DID"):
        _put(item, "domain", identity.get("identifier"))
    elif kind == "DID" and "did" not in item:
        _put(item, "did", identity.get("identifier"))
    _revocation(item, proof.get("revocation"))
    return item


def _revocation(item: dict[str, Any], revocation: Any) -> None:
    if isinstance(revocation, dict):
        item["revocation"] = {k: v for k, v in revocation.items() if k in ("type", "location") and isinstance(v, str)}


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, str) and value:
        item[key] = value
