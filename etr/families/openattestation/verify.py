"""Verify one OpenAttestation document offline: integrity, DID signature, issuance status, identity.

Order (each check is answered whatever the others say, so the result tells the whole story):

1. **integrity** — v2: flatten ``data``, hash each leaf, add ``privacy.obfuscatedData``, sort, hash:
   ``targetHash``; then the Merkle proof from ``targetHash`` to ``merkleRoot``. v3: decode the salts,
   compare the count of visible leaves with the count of salts, hash each salted leaf, then the same.
   v4: every leaf needs its salt. The step that fails is named by its code (``OA-INTEGRITY-…``).
   When integrity holds, :mod:`.exposure` names what the root does not protect (warnings).
2. **signature** — DID-signed documents only: EIP-191 over ``merkleRoot``, the signer recovered and
   compared with the ``did:ethr`` address (a key rotation on chain cannot be seen offline).
3. **issuance-status** — what the chain would have to say (document store, token registry,
   revocation store, OCSP responder): NOT_EVALUABLE with the contract, token id or URL to query.
4. **identity** — DNS-TXT / DNS-DID / DID: NOT_EVALUABLE with the domain and record to look up,
   or PASS / FAIL against the trusted issuers given.

Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...model import Finding, Location, Outcome, Severity
from . import did as did_
from .exposure import unprotected
from .forms import V2_DID_PROOF_TYPE, Form, classify, issuers_of, revealed_data
from .hashing import (
    KeyDelimiterError,
    Salt,
    SaltError,
    SaltNotFoundError,
    decode_salts,
    is_hash,
    merkle_root_of,
    traverse_v3,
    v2_target_hash,
    v3_target_hash,
    v4_target_hash,
)
from .issuers import TrustedIssuers
from .result import Check, OAVerificationResult

REF_V2 = "OpenAttestation v2 (open-attestation src/2.0/verify.ts, digest.ts; shared/merkle)"
REF_V3 = "OpenAttestation v3 (open-attestation src/3.0/verify.ts, digest.ts)"
REF_V4 = "OpenAttestation v4 (open-attestation beta src/4.0/verify.ts, hash.ts)"
REF_DID = "OpenAttestationSignature2018 (oa-verify src/did/verifier.ts; EIP-191)"
REF_STATUS = "oa-verify DOCUMENT_STATUS verifiers (document store, token registry, DID revocation)"
REF_IDENTITY = "oa-verify ISSUER_IDENTITY verifiers (DNS-TXT, DNS-DID); etr trusted issuers (--trust)"
#: The top-level members of a DCSA PINT envelope (EblEnvelope): none belongs in an OpenAttestation document.
PINT_ENVELOPE_MEMBERS = ("transportDocument", "envelopeManifestSignedContent", "envelopeTransferChain")
ROTATION_NOTE = ("a did:ethr key rotation or delegate (ERC-1056, on chain) cannot be seen offline: the signature "
                 "is checked against the DID's own address")


def _f(code: str, severity: Severity, message: str, reference: str, pointer: str | None = None,
       detail: Mapping[str, Any] | None = None) -> Finding:
    return Finding(code, severity, message, Location(pointer=pointer) if pointer is not None else None, reference,
                   detail)


def verify_document(content: Any, source: str, *, issuers: TrustedIssuers | None = None,
                    raw: bytes | None = None) -> OAVerificationResult:
    """Verify one parsed OpenAttestation document (``content``) named ``source``.

    ``issuers``: the trusted issuers (``--trust``) that make identity PASS/FAIL; ``raw``: the bytes it
    was read from (to see numbers' spelling). Never raises for a bad document: everything wrong is a
    finding, and the checks say what could not be answered.
    """
    form = classify(content)
    if form is None:
        return OAVerificationResult(source, None, (), (_f(
            "OA-NOT-OA", Severity.ERROR, "not an OpenAttestation document (no v2 data/signature, no OA v3/v4 "
            "context)", REF_V2),), form="unreadable")
    if form.form == "unsupported":
        return OAVerificationResult(source, None, (), (_f(
            "OA-UNSUPPORTED-FORMAT", Severity.ERROR, f"{form.evidence}: a TrustVC credential, not an "
            "OpenAttestation document; etr verifies OA v2/v3/v4 only", REF_V2),), form="unsupported")
    revealed = revealed_data(content)
    parties = issuers_of(form, revealed)
    public = tuple({k: v for k, v in p.items() if k != "pointer"} for p in parties)
    if form.form == "raw":
        return OAVerificationResult(source, form.version, (
            Check("integrity", Outcome.NOT_EVALUABLE, "not wrapped: the document has no targetHash or merkleRoot"),
        ), (_f("OA-NOT-WRAPPED", Severity.ERROR, "raw (unwrapped) document: no targetHash, no merkleRoot, nothing "
                                                 "proves it was issued; wrap and issue it first", REF_V2),),
            form="raw", revealed=revealed, issuers=public)
    findings: list[Finding] = []
    envelope = [m for m in PINT_ENVELOPE_MEMBERS if m in content]
    if envelope:
        # Also a DCSA PINT envelope: etr validate and etr assess read such a file as the envelope, this verifier
        # as the OA document; which record it is would depend on the tool (a forged envelope would pass here).
        findings.append(_f("OA-AMBIGUOUS-PINT", Severity.ERROR, "the document also carries a DCSA PINT envelope's "
                           f"member(s) {', '.join(envelope)}: it is two documents at once, and which one a reader "
                           "verifies depends on the tool; refused", REF_V2, f"/{envelope[0]}",
                           {"members": envelope}))
    integrity, target, root, salts = _integrity(form, content, findings)
    if integrity.outcome is Outcome.PASS:
        findings.extend(unprotected(form.version or "", content, raw, salts))
        hidden = _obfuscated(form, content)
        if hidden:
            findings.append(_f("OA-OBFUSCATED", Severity.INFO, f"{hidden} field(s) hidden by selective disclosure "
                                                               "(their hashes are in the document)",
                               REF_V2 if form.version == "2.0" else REF_V3, detail={"count": hidden}))
    signature = _signature(form, content, parties, root, findings)
    status = _status(form, parties, root, target, signature, revealed, findings)
    network = revealed.get("network")
    chain_id = network.get("chainId") if isinstance(network, dict) else None
    identity = _identity(parties, signature, issuers, findings, chain_id if isinstance(chain_id, str | int) else None,
                         intact=integrity.outcome is Outcome.PASS)
    registry = next((p.get("tokenRegistry") for p in parties if p.get("tokenRegistry")), None)
    return OAVerificationResult(
        source, form.version, (integrity, signature, status, identity), tuple(findings), form="wrapped",
        revealed=revealed, transferable=registry is not None, token_registry=registry,
        token_id=f"0x{root}" if registry and root else None, target_hash=target, merkle_root=root, issuers=public)


# --------------------------------------------------------------------------- 1. integrity


def _integrity(form: Form, content: Mapping[str, Any], findings: list[Finding],
               ) -> tuple[Check, str | None, str | None, list[Salt] | None]:
    ref = {"2.0": REF_V2, "3.0": REF_V3}.get(form.version or "", REF_V4)
    if form.version == "2.0":
        block, proof_key, obf = content.get("signature"), "proof", ("privacy", "obfuscatedData")
        where = "/signature"
    else:
        block, proof_key, obf = content.get("proof"), "proofs", ("privacy", "obfuscated")
        where = "/proof"
    block = block if isinstance(block, dict) else {}
    target, root, proof = block.get("targetHash"), block.get("merkleRoot"), block.get(proof_key)
    holder = content if form.version == "2.0" else block
    privacy = holder.get(obf[0]) if isinstance(holder.get(obf[0]), dict) else {}
    # v2 defaults a missing list to [] (lodash get with a default); v3/v4 read proof.privacy.obfuscated as is.
    obfuscated = privacy.get(obf[1], [] if form.version == "2.0" else None) if privacy else (
        [] if form.version == "2.0" else None)
    problems = []
    if not is_hash(target):
        problems.append(f"{where}/targetHash")
    if not is_hash(root):
        problems.append(f"{where}/merkleRoot")
    if not (isinstance(proof, list) and all(is_hash(p) for p in proof)):
        problems.append(f"{where}/{proof_key}")
    if not (isinstance(obfuscated, list) and all(is_hash(h) for h in obfuscated)):
        problems.append(f"{'' if form.version == '2.0' else where}/{obf[0]}/{obf[1]}")
    if problems:
        findings.append(_f("OA-INTEGRITY-FORMAT", Severity.ERROR, "not 64 lower-case hex characters (a hash, or a "
                           f"list of hashes): {', '.join(problems)}", ref, problems[0], {"members": problems}))
        return Check("integrity", Outcome.FAIL, "the proof's hashes are malformed"), None, None, None
    assert isinstance(target, str) and isinstance(root, str) and isinstance(proof, list)
    assert isinstance(obfuscated, list)
    salts: list[Salt] | None = None
    body: dict[str, Any] = {k: v for k, v in content.items() if k != "proof"}
    try:
        if form.version == "2.0":
            computed = v2_target_hash(content.get("data"), obfuscated)
        else:
            salts = decode_salts(block.get("salts"))
            if form.version == "3.0":
                visible = sum(1 for _ in traverse_v3(body))
                if visible != len(salts):
                    findings.append(_f("OA-INTEGRITY-LEAF-COUNT", Severity.ERROR,
                                       f"{visible} visible value(s) but {len(salts)} salt(s): a value was added or "
                                       "removed", ref, "/proof/salts", {"visible": visible, "salts": len(salts)}))
                    return Check("integrity", Outcome.FAIL, "leaf count differs from salt count",
                                 {"step": "leaf-count"}), target, root, salts
                computed = v3_target_hash(body, salts, obfuscated)
            else:
                computed = v4_target_hash(body, salts, obfuscated)
    except KeyDelimiterError as exc:
        findings.append(_f("OA-INTEGRITY-KEY-DOT", Severity.ERROR, f"key {exc.path!r} contains '.', which the v2 "
                           "flattening cannot hash (the reference verifier errors)", ref, exc.pointer))
        return Check("integrity", Outcome.FAIL, "a key contains '.'", {"step": "flatten"}), target, root, None
    except SaltError as exc:
        findings.append(_f("OA-INTEGRITY-SALTS", Severity.ERROR, f"proof.salts cannot be decoded: {exc}", ref,
                           "/proof/salts"))
        return Check("integrity", Outcome.FAIL, "salts undecodable", {"step": "salts"}), target, root, None
    except SaltNotFoundError as exc:
        findings.append(_f("OA-INTEGRITY-SALT-MISSING", Severity.ERROR, f"value {exc.path!r} has no salt: it was "
                           "added after wrapping", ref, exc.pointer))
        return Check("integrity", Outcome.FAIL, "a value has no salt", {"step": "salts"}), target, root, salts
    if computed != target:
        findings.append(_f("OA-INTEGRITY-TARGET-HASH", Severity.ERROR, "the data does not hash to targetHash: the "
                           "document was changed after wrapping", ref, f"{where}/targetHash",
                           {"targetHash": target, "computed": computed}))
        return Check("integrity", Outcome.FAIL, "targetHash does not match the data",
                     {"step": "targetHash", "targetHash": target, "computed": computed}), target, root, salts
    reached = merkle_root_of(target, proof)
    if reached != root:
        findings.append(_f("OA-INTEGRITY-MERKLE-ROOT", Severity.ERROR, f"the proof from targetHash leads to {reached},"
                           " not to merkleRoot", ref, f"{where}/merkleRoot", {"merkleRoot": root, "computed": reached}))
        return Check("integrity", Outcome.FAIL, "the Merkle proof does not reach merkleRoot",
                     {"step": "merkleRoot", "merkleRoot": root, "computed": reached}), target, root, salts
    return Check("integrity", Outcome.PASS, "targetHash matches the data and the proof reaches merkleRoot",
                 {"targetHash": target, "merkleRoot": root, "proofLength": len(proof)}), target, root, salts


def _obfuscated(form: Form, content: Mapping[str, Any]) -> int:
    if form.version == "2.0":
        privacy = content.get("privacy")
        items = privacy.get("obfuscatedData") if isinstance(privacy, dict) else None
    else:
        proof = content.get("proof")
        privacy = proof.get("privacy") if isinstance(proof, dict) else None
        items = privacy.get("obfuscated") if isinstance(privacy, dict) else None
    return len(items) if isinstance(items, list) else 0


# --------------------------------------------------------------------------- 2. signature


def _did_parties(parties: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in parties if p.get("identityProofType") in ("DID", "DNS-DID")]


def _signature(form: Form, content: Mapping[str, Any], parties: Sequence[Mapping[str, Any]], root: str | None,
               findings: list[Finding]) -> Check:
    signed: list[tuple[Mapping[str, Any], str, str, str]] = []  # (issuer, did, key, signature)
    dids = _did_parties(parties)
    if form.version == "2.0":
        proofs = content.get("proof")
        entries = [p for p in proofs if isinstance(p, dict) and p.get("type") == V2_DID_PROOF_TYPE] \
            if isinstance(proofs, list) else []
        if not entries:
            return Check("signature", Outcome.NOT_APPLICABLE, "the document carries no DID signature (proof)")
        if not dids:
            findings.append(_f("OA-SIGNATURE-NO-DID-ISSUER", Severity.ERROR, "the document carries a DID signature but "
                               "names no DID or DNS-DID issuer to check it against", REF_DID, "/proof"))
            return Check("signature", Outcome.FAIL, "no DID issuer for the signature")
        for party in dids:
            key, did = party.get("key"), party.get("did")
            entry = next((e for e in entries if isinstance(e.get("verificationMethod"), str) and isinstance(key, str)
                          and e["verificationMethod"].lower() == key.lower()), None)
            if entry is None or not isinstance(key, str) or not isinstance(did, str):
                findings.append(_f("OA-SIGNATURE-MISSING", Severity.ERROR, f"no proof signed with the issuer's key "
                                   f"{key!r} (identityProof.key) for DID {did!r}", REF_DID, party.get("pointer")))
                return Check("signature", Outcome.FAIL, "no signature by the issuer's key")
            signed.append((party, did, key, str(entry.get("signature"))))
    else:
        proof = content.get("proof") if isinstance(content.get("proof"), dict) else {}
        assert isinstance(proof, dict)
        key, signature = proof.get("key"), proof.get("signature")
        if key is None and signature is None:
            return Check("signature", Outcome.NOT_APPLICABLE, "the document carries no DID signature (proof.key, "
                                                              "proof.signature)")
        party = dids[0] if dids else (parties[0] if parties else {})
        did = party.get("did")
        if not isinstance(key, str) or not isinstance(signature, str) or not isinstance(did, str):
            findings.append(_f("OA-SIGNATURE-MISSING", Severity.ERROR, "a DID signature needs proof.key, "
                               "proof.signature and the issuer's DID (openAttestationMetadata.proof.value)", REF_DID,
                               "/proof"))
            return Check("signature", Outcome.FAIL, "incomplete DID signature")
        signed.append((party, did, key, signature))
    if root is None:
        return Check("signature", Outcome.NOT_EVALUABLE, "merkleRoot is malformed: nothing to check the signature over")
    addresses = []
    for party, did, key, signature in signed:
        where = party.get("pointer") if form.version == "2.0" else "/proof/key"
        if key.split("#", 1)[0].lower() != did.lower():
            findings.append(_f("OA-SIGNATURE-KEY-NOT-IN-DID", Severity.ERROR, f"the signing key {key!r} is not a key "
                               f"of the issuer's DID {did!r}", REF_DID, where))
            return Check("signature", Outcome.FAIL, "the key is not the issuer's")
        parsed = did_.parse_did_ethr(did)
        fragment = key.split("#", 1)[1] if "#" in key else ""
        if parsed is None or fragment not in ("controller", "controllerKey"):
            why = (f"DID method of {did!r} needs resolution" if parsed is None
                   else f"key #{fragment} is not in the DID's default document (an on-chain delegate?)")
            findings.append(_f("OA-SIGNATURE-OFFLINE", Severity.INFO, f"the signature cannot be checked offline: {why}",
                               REF_DID, where, {"did": did, "key": key}))
            return Check("signature", Outcome.NOT_EVALUABLE, why, {"did": did, "key": key})
        try:
            recovered = did_.recover_address(root, signature)
        except did_.SignatureFormatError as exc:
            findings.append(_f("OA-SIGNATURE-MALFORMED", Severity.ERROR, str(exc), REF_DID, where))
            return Check("signature", Outcome.FAIL, "the signature is malformed", {"did": did})
        if recovered != parsed.address:
            findings.append(_f("OA-SIGNATURE-INVALID", Severity.ERROR, f"merkleRoot was signed by {recovered}, not by "
                               f"the DID's address {parsed.address}", REF_DID, where,
                               {"did": did, "recovered": recovered, "expected": parsed.address}))
            return Check("signature", Outcome.FAIL, "signed by another key",
                         {"did": did, "recovered": recovered, "expected": parsed.address})
        addresses.append({"did": did, "key": key, "address": recovered})
    findings.append(_f("OA-DID-ROTATION-UNSEEN", Severity.INFO, ROTATION_NOTE, REF_DID, detail={"signers": addresses}))
    return Check("signature", Outcome.PASS, "merkleRoot signed by the DID's address (EIP-191); " + ROTATION_NOTE,
                 {"signers": addresses})


# --------------------------------------------------------------------------- 3. issuance status


def _status(form: Form, parties: Sequence[Mapping[str, Any]], root: str | None, target: str | None,
            signature: Check, revealed: Mapping[str, Any], findings: list[Finding]) -> Check:
    queries: list[dict[str, Any]] = []
    outcome = Outcome.PASS
    reasons: list[str] = []
    network = revealed.get("network") if isinstance(revealed.get("network"), dict) else None
    root_0x = f"0x{root}" if root else None
    for party in parties:
        registry = party.get("tokenRegistry")
        store = party.get("documentStore") or party.get("certificateStore")
        kind = party.get("identityProofType")
        if registry:
            queries.append({"what": "token registry ownerOf(tokenId)", "contract": registry, "tokenId": root_0x,
                            **({"network": network} if network else {})})
            findings.append(_f("OA-TOKEN-REGISTRY-OFFLINE", Severity.INFO,
                               f"transferable record: ownerOf({root_0x}) on token registry {registry} tells who holds "
                               "it (minted, surrendered, burnt): needs the chain", REF_STATUS, party.get("pointer"),
                               queries[-1]))
            outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
            reasons.append(f"token registry {registry}: ownerOf({root_0x})")
        elif store:
            queries.append({"what": "document store isIssued(merkleRoot), isRevoked(targetHash, merkleRoot)",
                            "contract": store, "merkleRoot": root_0x, "targetHash": f"0x{target}" if target else None,
                            **({"network": network} if network else {})})
            findings.append(_f("OA-DOCUMENT-STORE-OFFLINE", Severity.INFO, f"isIssued({root_0x}) and isRevoked on "
                               f"document store {store}: needs the chain", REF_STATUS, party.get("pointer"),
                               queries[-1]))
            outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
            reasons.append(f"document store {store}: isIssued({root_0x})")
        elif kind in ("DID", "DNS-DID"):
            if signature.outcome is Outcome.NOT_APPLICABLE:
                findings.append(_f("OA-DID-NOT-SIGNED", Severity.ERROR, "the issuer is a DID but the document "
                                   "carries no signature: a DID document is issued by signing it", REF_STATUS,
                                   party.get("pointer")))
                outcome = _worse(outcome, Outcome.FAIL)
                reasons.append("DID issuer, not signed")
                continue
            revocation = party.get("revocation")
            # v2/v3 name the revocation method per issuer and the reference refuses a document that does not
            # (no block, a location missing, an unknown type); v4 has none unless credentialStatus names one.
            default = "NONE" if form.version == "4.0" and revocation is None else None
            rtype, location = (revocation or {}).get("type", default), (revocation or {}).get("location")
            problem = ("names no revocation method (revocation.type)" if rtype is None
                       else f"revocation type {rtype!r} is not NONE, REVOCATION_STORE or OCSP_RESPONDER"
                       if rtype not in _REVOCATION_TYPES
                       else f"revocation {rtype} names no location" if rtype != "NONE" and not location else None)
            if problem is not None:
                findings.append(_f("OA-REVOCATION-INVALID", Severity.ERROR, f"the DID issuer {problem}: nothing says "
                                   "whether the document was revoked (the reference verifier errs)", REF_STATUS,
                                   party.get("pointer")))
                outcome = _worse(outcome, Outcome.FAIL)
                reasons.append(f"revocation: {problem}")
                continue
            if signature.outcome is not Outcome.PASS:
                outcome = _worse(outcome, Outcome.NOT_EVALUABLE if signature.outcome is Outcome.NOT_EVALUABLE
                                 else Outcome.FAIL)
                reasons.append("issued only by a DID signature, which does not hold" if signature.outcome is
                               Outcome.FAIL else "issued by a DID signature that cannot be checked offline")
                continue
            if rtype == "NONE":
                reasons.append("issued by its DID signature; revocation NONE")
                continue
            what = ("revocation store isRevoked(targetHash, merkleRoot)" if rtype == "REVOCATION_STORE"
                    else "OCSP responder GET" if rtype == "OCSP_RESPONDER" else f"revocation {rtype}")
            queries.append({"what": what, ("contract" if rtype == "REVOCATION_STORE" else "location"): location,
                            "merkleRoot": root_0x})
            findings.append(_f("OA-REVOCATION-OFFLINE", Severity.INFO, f"{what} at {location}: needs the network",
                               REF_STATUS, party.get("pointer"), queries[-1]))
            outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
            reasons.append(f"{what} at {location}")
        else:
            findings.append(_f("OA-ISSUER-NO-METHOD", Severity.ERROR, "the issuer names no document store, token "
                               "registry or DID: nothing says how the document was issued", REF_STATUS,
                               party.get("pointer")))
            outcome = _worse(outcome, Outcome.FAIL)
            reasons.append("no issuance method")
    if not parties:
        findings.append(_f("OA-ISSUER-MISSING", Severity.ERROR, "the document names no issuer", REF_STATUS))
        return Check("issuance-status", Outcome.FAIL, "no issuer")
    return Check("issuance-status", outcome, "; ".join(reasons), {"queries": queries} if queries else None)


_REVOCATION_TYPES = ("NONE", "REVOCATION_STORE", "OCSP_RESPONDER")
_RANK = {Outcome.PASS: 0, Outcome.NOT_APPLICABLE: 0, Outcome.WARN: 1, Outcome.NOT_EVALUABLE: 2, Outcome.FAIL: 3}


def _worse(a: Outcome, b: Outcome) -> Outcome:
    return a if _RANK[a] >= _RANK[b] else b


# --------------------------------------------------------------------------- 4. identity


def _identity(parties: Sequence[Mapping[str, Any]], signature: Check, trusted: TrustedIssuers | None,
              findings: list[Finding], chain_id: str | int | None = None, *, intact: bool = True) -> Check:
    """Identity per issuer; ``chain_id`` (the document's ``network.chainId``) goes into the DNS-TXT record to
    look up (``<chain id>`` when the document does not say). When the document's integrity does not hold
    (``intact`` false), the issuer it names is what an editor wrote: trusting that name proves nothing, so
    identity is NOT_EVALUABLE rather than PASS or FAIL."""
    outcome = Outcome.PASS
    reasons: list[str] = []
    lookups: list[dict[str, Any]] = []
    for party in parties:
        kind, domain, pointer = party.get("identityProofType"), party.get("domain"), party.get("pointer")
        member = next((m for m in ("tokenRegistry", "documentStore", "certificateStore") if party.get(m)), None)
        address = party.get(member) if member else None
        did = party.get("did") or (party.get("key", "").split("#", 1)[0] or None)
        if trusted and not intact:
            outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
            reasons.append(f"{domain or did or party.get('name') or 'issuer'}: the document's integrity does not "
                           "hold, so the issuer it names is not established")
            continue
        if kind == "DNS-TXT" and address and domain:
            lookups.append({"type": "DNS-TXT", "domain": domain,
                            "record": f"openatts net=ethereum netId={chain_id or '<chain id>'} addr={address}"})
            if trusted:
                match = trusted.match_address(domain, address, member or "")
                outcome, reason = _judge(outcome, match is not None, f"{address} for {domain}", findings, pointer)
                reasons.append(reason)
                continue
        elif kind in ("DNS-DID", "DID") and isinstance(did, str) and (domain or kind == "DID"):
            lookups.append({"type": "DNS-DID", "domain": domain, "record": f"openatts a=dns-did; p={party.get('key')}; "
                            "v=1.0"} if kind == "DNS-DID" else {"type": "DID", "did": did})
            if trusted and signature.outcome is not Outcome.PASS:
                # Only the signature ties the document to the DID: without it, trusting the DID proves nothing.
                outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
                reasons.append(f"{did}: the DID signature does not hold, so nothing shows this DID issued it")
                continue
            if trusted:
                match = trusted.match_did(did, domain, need_domain=kind == "DNS-DID")
                outcome, reason = _judge(outcome, match is not None, f"{did} for {domain}" if domain else did,
                                         findings, pointer)
                reasons.append(reason)
                continue
        else:
            findings.append(_f("OA-IDENTITY-UNKNOWN", Severity.ERROR, f"identityProof type {kind!r} with what it needs "
                               "(DNS-TXT: location and a contract; DNS-DID: location and key; DID: id) is missing",
                               REF_IDENTITY, pointer))
            outcome = _worse(outcome, Outcome.FAIL)
            reasons.append("no usable identityProof")
            continue
        findings.append(_f("OA-IDENTITY-OFFLINE", Severity.INFO, f"{lookups[-1]['type']} identity needs the network "
                           f"({'DNS TXT at ' + domain if kind != 'DID' and domain else 'DID resolution'}); give "
                           "--trust with a trusted-issuers file to decide it offline", REF_IDENTITY, pointer,
                           lookups[-1]))
        outcome = _worse(outcome, Outcome.NOT_EVALUABLE)
        reasons.append(f"{lookups[-1]['type']} {domain or did}: not evaluable offline")
    if not parties:
        return Check("identity", Outcome.FAIL, "no issuer")
    return Check("identity", outcome, "; ".join(reasons), {"lookups": lookups} if lookups else None)


def _judge(outcome: Outcome, ok: bool, what: str, findings: list[Finding], pointer: str | None,
           ) -> tuple[Outcome, str]:
    if ok:
        findings.append(_f("OA-ISSUER-TRUSTED", Severity.INFO, f"{what} is among the trusted issuers given",
                           REF_IDENTITY, pointer))
        return outcome, f"{what}: trusted"
    findings.append(_f("OA-ISSUER-UNTRUSTED", Severity.ERROR, f"{what} is not among the trusted issuers given",
                       REF_IDENTITY, pointer))
    return _worse(outcome, Outcome.FAIL), f"{what}: not trusted"
