"""Verification of OpenAttestation documents: each check, each step that can fail, what needs the network."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from coincurve import PrivateKey
from oa_factory import (
    DOMAIN,
    REGISTRY,
    STORE,
    address,
    did_issuer,
    resalt,
    sign_v2,
    sign_v3,
    signature,
    v2_data,
    v3_credential,
    v4_credential,
    wrap_v2,
    wrap_v2_batch,
    wrap_v3,
)
from report_schemas import assert_conforms

import etr
from etr.errors import KeyFileError, UsageError
from etr.families.openattestation import TrustedIssuers, revealed_data, verify_document
from etr.families.openattestation import hashing as h
from etr.model import Outcome, Severity, fails

KEY = PrivateKey(bytes.fromhex("11" * 32))
OTHER = PrivateKey(bytes.fromhex("22" * 32))


def outcomes(result: Any) -> dict[str, Outcome]:
    return {c.name: c.outcome for c in result.checks}


def trust_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "issuers.toml"
    path.write_text('format = "etr-trusted-issuers"\n' + body, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- v2


def test_v2_document_store_offline_names_the_contract_and_the_domain() -> None:
    doc = wrap_v2(v2_data())
    result = etr.verify(doc)
    assert result.outcome is Outcome.NOT_EVALUABLE and result.version == "2.0" and not result.transferable
    assert outcomes(result) == {"integrity": Outcome.PASS, "signature": Outcome.NOT_APPLICABLE,
                                "issuance-status": Outcome.NOT_EVALUABLE, "identity": Outcome.NOT_EVALUABLE}
    query = result.check("issuance-status").detail["queries"][0]  # type: ignore[union-attr]
    assert query["contract"] == STORE and query["merkleRoot"] == "0x" + doc["signature"]["merkleRoot"]
    lookup = result.check("identity").detail["lookups"][0]  # type: ignore[union-attr]
    assert lookup == {"type": "DNS-TXT", "domain": DOMAIN, "record": f"openatts net=ethereum netId=<chain id> "
                                                                       f"addr={STORE}"}
    assert {"OA-DOCUMENT-STORE-OFFLINE", "OA-IDENTITY-OFFLINE"} <= set(result.codes)
    assert result.revealed["recipient"]["name"] == "Nordic Timber AB"
    assert_conforms(result.to_dict(), "oa-verification-2.schema.json")


def test_v2_transferable_record_gives_registry_and_token_id() -> None:
    issuer = {"name": "Carrier", "tokenRegistry": REGISTRY, "identityProof": {"type": "DNS-TXT", "location": DOMAIN}}
    doc = wrap_v2(v2_data(issuer))
    result = etr.verify(doc)
    assert result.transferable and result.token_registry == REGISTRY
    assert result.token_id == "0x" + doc["signature"]["merkleRoot"]
    finding = next(f for f in result.findings if f.code == "OA-TOKEN-REGISTRY-OFFLINE")
    assert finding.detail and finding.detail["contract"] == REGISTRY and finding.detail["tokenId"] == result.token_id


def test_v2_batch_proofs_reach_the_shared_root() -> None:
    docs = wrap_v2_batch([v2_data(n=str(i)) for i in range(5)])
    assert len({d["signature"]["merkleRoot"] for d in docs}) == 1
    for doc in docs:
        assert etr.verify(doc).check("integrity").outcome is Outcome.PASS  # type: ignore[union-attr]
    broken = copy.deepcopy(docs[0])
    broken["signature"]["proof"] = broken["signature"]["proof"][:-1]
    result = etr.verify(broken)
    assert "OA-INTEGRITY-MERKLE-ROOT" in result.codes and result.check("integrity").detail["step"] == "merkleRoot"


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: d["data"]["recipient"].update(name=d["data"]["recipient"]["name"] + "x"), "OA-INTEGRITY-TARGET-HASH"),
    (lambda d: d["signature"].update(merkleRoot="00" * 32), "OA-INTEGRITY-MERKLE-ROOT"),
    (lambda d: d["signature"].update(targetHash=d["signature"]["targetHash"].upper()), "OA-INTEGRITY-FORMAT"),
    (lambda d: d["signature"].update(merkleRoot=d["signature"]["merkleRoot"][:-1]), "OA-INTEGRITY-FORMAT"),
    (lambda d: d.update(privacy={"obfuscatedData": ["nothex"]}), "OA-INTEGRITY-FORMAT"),
    (lambda d: d["data"].update({"a.b": "x"}), "OA-INTEGRITY-KEY-DOT"),
])
def test_v2_tampering_fails_at_the_exact_step(change: Any, code: str) -> None:
    doc = wrap_v2(v2_data())
    change(doc)
    result = etr.verify(doc)
    assert result.outcome is Outcome.FAIL and code in result.codes
    assert result.check("integrity").outcome is Outcome.FAIL  # type: ignore[union-attr]
    with pytest.raises(etr.VerificationFailed) as info:
        etr.verify_or_raise(doc)
    assert info.value.code == code


def test_v2_did_signed_with_revocation_none_and_a_trusted_did_passes(tmp_path: Path) -> None:
    doc = sign_v2(wrap_v2(v2_data(did_issuer(KEY))), KEY)
    result = etr.verify(doc)
    assert outcomes(result) == {"integrity": Outcome.PASS, "signature": Outcome.PASS,
                                "issuance-status": Outcome.PASS, "identity": Outcome.NOT_EVALUABLE}
    assert "OA-DID-ROTATION-UNSEEN" in result.codes and "cannot be seen offline" in result.check("signature").reason
    trusted = trust_file(tmp_path, f'[[issuer]]\nname = "Me"\ndid = "did:ethr:{address(KEY).upper()[2:]}"\n'
                         .replace('did:ethr:', 'did:ethr:0x'))
    passed = etr.verify(doc, trusted)
    assert passed.outcome is Outcome.PASS and "OA-ISSUER-TRUSTED" in passed.codes
    stranger = trust_file(tmp_path, f'[[issuer]]\ndid = "did:ethr:{address(OTHER)}"\n')
    refused = etr.verify(doc, stranger)
    assert refused.outcome is Outcome.FAIL and "OA-ISSUER-UNTRUSTED" in refused.codes


def test_v2_signature_failures() -> None:
    base = wrap_v2(v2_data(did_issuer(KEY)))
    wrong = sign_v2(base, OTHER, method=f"did:ethr:{address(KEY)}#controller")
    result = etr.verify(wrong)
    assert "OA-SIGNATURE-INVALID" in result.codes
    assert result.check("signature").detail["recovered"] == address(OTHER)  # type: ignore[union-attr]
    malformed = sign_v2(base, KEY)
    malformed["proof"][0]["signature"] = malformed["proof"][0]["signature"][:-2] + "05"
    assert "OA-SIGNATURE-MALFORMED" in etr.verify(malformed).codes
    malformed["proof"][0]["signature"] = "0x1234"
    assert "OA-SIGNATURE-MALFORMED" in etr.verify(malformed).codes
    missing = sign_v2(base, KEY, method="did:ethr:0x0000000000000000000000000000000000000001#controller")
    assert "OA-SIGNATURE-MISSING" in etr.verify(missing).codes
    # identityProof.key of another DID than the issuer's id
    other_key = wrap_v2(v2_data({**did_issuer(KEY), "identityProof": {
        "type": "DID", "key": f"did:ethr:{address(OTHER)}#controller"}}))
    assert "OA-SIGNATURE-KEY-NOT-IN-DID" in etr.verify(sign_v2(other_key, OTHER)).codes
    # a proof on a document-store document
    assert "OA-SIGNATURE-NO-DID-ISSUER" in etr.verify(sign_v2(wrap_v2(v2_data()), KEY)).codes
    # the EIP-2098 compact form (64 bytes, y parity in the top bit of s) is read as ethers reads it
    compact = sign_v2(base, KEY)
    full = bytes.fromhex(compact["proof"][0]["signature"][2:])
    s_parity = bytes([full[32] | ((full[64] - 27) << 7)]) + full[33:64]
    compact["proof"][0]["signature"] = "0x" + (full[:32] + s_parity).hex()
    assert etr.verify(compact).check("signature").outcome is Outcome.PASS  # type: ignore[union-attr]
    # the high-s mirror of a signature is the same key over the same root (ethers takes it)
    mirror = sign_v2(base, KEY)
    raw = bytes.fromhex(mirror["proof"][0]["signature"][2:])
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (order - int.from_bytes(raw[32:64], "big")).to_bytes(32, "big")
    mirror["proof"][0]["signature"] = "0x" + (raw[:32] + high_s + bytes([55 - raw[64]])).hex()
    assert etr.verify(mirror).check("signature").outcome is Outcome.PASS  # type: ignore[union-attr]
    # v = 0/1 is accepted as ethers accepts it
    low_v = sign_v2(base, KEY)
    sig = low_v["proof"][0]["signature"]
    low_v["proof"][0]["signature"] = sig[:-2] + f"{int(sig[-2:], 16) - 27:02x}"
    assert etr.verify(low_v).check("signature").outcome is Outcome.PASS  # type: ignore[union-attr]


def test_v2_did_cases_offline() -> None:
    unsigned = etr.verify(wrap_v2(v2_data(did_issuer(KEY))))
    assert unsigned.outcome is Outcome.FAIL and "OA-DID-NOT-SIGNED" in unsigned.codes
    store = did_issuer(KEY, revocation={"type": "REVOCATION_STORE", "location": STORE})
    revocable = etr.verify(sign_v2(wrap_v2(v2_data(store)), KEY))
    assert "OA-REVOCATION-OFFLINE" in revocable.codes and revocable.outcome is Outcome.NOT_EVALUABLE
    delegate = wrap_v2(v2_data({**did_issuer(KEY), "identityProof": {
        "type": "DID", "key": f"did:ethr:{address(KEY)}#delegate-1"}}))
    offline = etr.verify(sign_v2(delegate, KEY, method=f"did:ethr:{address(KEY)}#delegate-1"))
    assert "OA-SIGNATURE-OFFLINE" in offline.codes and offline.check("signature").outcome is Outcome.NOT_EVALUABLE
    web = wrap_v2(v2_data({**did_issuer(KEY), "id": "did:web:example.com",
                           "identityProof": {"type": "DID", "key": "did:web:example.com#key-1"}}))
    assert "OA-SIGNATURE-OFFLINE" in etr.verify(sign_v2(web, KEY, method="did:web:example.com#key-1")).codes


def test_v2_dns_did_identity(tmp_path: Path) -> None:
    doc = sign_v2(wrap_v2(v2_data(did_issuer(KEY, dns=DOMAIN))), KEY)
    result = etr.verify(doc)
    lookup = result.check("identity").detail["lookups"][0]  # type: ignore[union-attr]
    assert lookup["type"] == "DNS-DID" and lookup["domain"] == DOMAIN and "a=dns-did" in lookup["record"]
    good = trust_file(tmp_path, f'[[issuer]]\ndomain = "{DOMAIN.upper()}."\ndid = "did:ethr:{address(KEY)}"\n')
    assert etr.verify(doc, good).check("identity").outcome is Outcome.PASS  # type: ignore[union-attr]
    other_domain = trust_file(tmp_path, f'[[issuer]]\ndomain = "example.org"\ndid = "did:ethr:{address(KEY)}"\n')
    assert etr.verify(doc, other_domain).check("identity").outcome is Outcome.FAIL  # type: ignore[union-attr]


def test_trusted_document_store_and_token_registry(tmp_path: Path) -> None:
    path = trust_file(tmp_path, f'[[issuer]]\ndomain = "{DOMAIN}"\ndocument-store = ["{STORE.lower()}"]\n'
                                f'token-registry = "{REGISTRY}"\n')
    store = etr.verify(wrap_v2(v2_data()), path)
    assert store.check("identity").outcome is Outcome.PASS  # type: ignore[union-attr]
    issuer = {"name": "x", "tokenRegistry": REGISTRY, "identityProof": {"type": "DNS-TXT", "location": "evil.com"}}
    assert etr.verify(wrap_v2(v2_data(issuer)), path).check("identity").outcome is Outcome.FAIL  # type: ignore
    # the same file as JSON, and a TrustedIssuers object
    json_path = tmp_path / "issuers.json"
    json_path.write_text(json.dumps({"format": "etr-trusted-issuers",
                                     "issuers": [{"domain": DOMAIN, "document-store": STORE}]}))
    assert etr.verify(wrap_v2(v2_data()), [json_path]).check("identity").outcome is Outcome.PASS  # type: ignore
    issuers = TrustedIssuers.from_paths([json_path])
    assert etr.verify(wrap_v2(v2_data()), issuers).check("identity").outcome is Outcome.PASS  # type: ignore
    # a directory: its *.toml trusted-issuers files are read (the PINT trust store ignores *.toml)
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "issuers.toml").write_bytes(path.read_bytes())
    assert etr.verify(wrap_v2(v2_data()), folder).check("identity").outcome is Outcome.PASS  # type: ignore


@pytest.mark.parametrize("body", [
    "[[issuer]]\nname = 1\n",
    '[[issuer]]\ndocument-store = "0x12"\ndomain = "a.com"\n',
    '[[issuer]]\ndocument-store = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"\n',
    '[[issuer]]\nname = "nothing"\n',
    '[[issuer]]\ndid = "did:ethr:0x1#controller"\n',
    '[[issuer]]\ndid = ["did:x:1", 2]\n',
    '[[issuer]]\ndid = "did:x:1"\ncolour = "red"\n',
    '[[issuer]]\ndid = "did:x:1"\ndomain = ""\n',
    'issuers = "none"\n',
    "[[issuer\n",
])
def test_a_malformed_trusted_issuers_file_is_an_environment_problem(tmp_path: Path, body: str) -> None:
    with pytest.raises(KeyFileError) as info:
        etr.verify(wrap_v2(v2_data()), trust_file(tmp_path, body))
    assert info.value.code == "OA-TRUST-FILE"


def test_issuer_problems() -> None:
    nothing = wrap_v2(v2_data({"name": "x", "identityProof": {"type": "DNS-TXT", "location": DOMAIN}}))
    result = etr.verify(nothing)
    assert {"OA-ISSUER-NO-METHOD", "OA-IDENTITY-UNKNOWN"} <= set(result.codes)
    none = wrap_v2({"issuers": [], "x": "y"})
    assert "OA-ISSUER-MISSING" in etr.verify(none).codes


# --------------------------------------------------------------------------- v3 / v4


def test_v3_wrapped_signed_and_tampered() -> None:
    cred = v3_credential("DID", f"did:ethr:{address(KEY)}", "DID", f"did:ethr:{address(KEY)}")
    cred["openAttestationMetadata"]["proof"]["revocation"] = {"type": "NONE"}
    signed = sign_v3(wrap_v3(cred), KEY)
    result = etr.verify(signed)
    assert outcomes(result)["signature"] is Outcome.PASS and outcomes(result)["issuance-status"] is Outcome.PASS
    forged = sign_v3(wrap_v3(cred), OTHER, key_id=f"did:ethr:{address(KEY)}#controller")
    assert "OA-SIGNATURE-INVALID" in etr.verify(forged).codes
    # an attacker re-signs with their own DID: the DID is in the hashed data, so the key is not the issuer's
    swapped = sign_v3(wrap_v3(cred), OTHER)
    assert "OA-SIGNATURE-KEY-NOT-IN-DID" in etr.verify(swapped).codes
    half = copy.deepcopy(signed)
    del half["proof"]["signature"]
    assert "OA-SIGNATURE-MISSING" in etr.verify(half).codes
    unsigned = etr.verify(wrap_v3(cred))
    assert "OA-DID-NOT-SIGNED" in unsigned.codes


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: d["credentialSubject"].update(name="Mallory"), "OA-INTEGRITY-TARGET-HASH"),
    (lambda d: d["credentialSubject"].update(extra="added"), "OA-INTEGRITY-LEAF-COUNT"),
    (lambda d: d["proof"].update(salts="not base64!"), "OA-INTEGRITY-SALTS"),
    (lambda d: d["proof"].update(proofs=["ab" * 32]), "OA-INTEGRITY-MERKLE-ROOT"),
    (lambda d: d["proof"].update(privacy={}), "OA-INTEGRITY-FORMAT"),
])
def test_v3_tampering_fails_at_the_exact_step(change: Any, code: str) -> None:
    doc = wrap_v3(v3_credential())
    change(doc)
    result = etr.verify(doc)
    assert result.outcome is Outcome.FAIL and code in result.codes, result.codes


def test_v3_transferable_and_dns_did() -> None:
    doc = wrap_v3(v3_credential("TOKEN_REGISTRY", REGISTRY))
    result = etr.verify(doc)
    assert result.transferable and result.token_id == "0x" + doc["proof"]["merkleRoot"]
    dns_did = v3_credential("DID", f"did:ethr:{address(KEY)}", "DNS-DID", DOMAIN)
    signed = etr.verify(sign_v3(wrap_v3(dns_did), KEY))
    assert outcomes(signed)["signature"] is Outcome.PASS
    assert signed.check("identity").detail["lookups"][0]["domain"] == DOMAIN  # type: ignore[union-attr]


def test_v4_integrity_and_signature() -> None:
    doc = wrap_v3(v4_credential(empty={}, items=[]), v4=True)
    result = etr.verify(doc)
    assert result.version == "4.0" and outcomes(result)["integrity"] is Outcome.PASS, result.codes
    added = copy.deepcopy(doc)
    added["credentialSubject"]["added"] = "x"
    assert "OA-INTEGRITY-SALT-MISSING" in etr.verify(added).codes
    changed = copy.deepcopy(doc)
    changed["credentialSubject"]["name"] = "Mallory"
    assert "OA-INTEGRITY-TARGET-HASH" in etr.verify(changed).codes


def test_v4_did_signed_with_a_revocation_store() -> None:
    cred = v4_credential(did=f"did:ethr:{address(KEY)}")
    cred["credentialStatus"] = {"id": STORE, "type": "OpenAttestationRevocationStore"}
    result = etr.verify(sign_v3(wrap_v3(cred, v4=True), KEY))
    assert outcomes(result) == {"integrity": Outcome.PASS, "signature": Outcome.PASS,
                                "issuance-status": Outcome.NOT_EVALUABLE, "identity": Outcome.NOT_EVALUABLE}
    query = result.check("issuance-status").detail["queries"][0]  # type: ignore[union-attr]
    assert query["contract"] == STORE and "revocation store" in query["what"]
    del cred["credentialStatus"]
    assert etr.verify(sign_v3(wrap_v3(cred, v4=True), KEY)).check("issuance-status").outcome is Outcome.PASS  # type: ignore


def test_raw_and_unsupported_and_not_oa() -> None:
    raw = etr.verify(v2_data())
    assert raw.form == "raw" and raw.outcome is Outcome.FAIL and "OA-NOT-WRAPPED" in raw.codes
    assert_conforms(raw.to_dict(), "oa-verification-2.schema.json")
    trustvc = {"@context": ["https://www.w3.org/2018/credentials/v1", "https://trustvc.io/context/bbs.json"],
               "type": ["VerifiableCredential"], "credentialSubject": {"id": "x"},
               "proof": {"type": "BbsBlsSignature2020", "proofValue": "abc"}}
    unsupported = etr.verify(trustvc)
    assert unsupported.form == "unsupported" and "OA-UNSUPPORTED-FORMAT" in unsupported.codes
    assert_conforms(unsupported.to_dict(), "oa-verification-2.schema.json")
    report = etr.validate(trustvc)
    assert report.family == "openattestation" and "OA-UNSUPPORTED-FORMAT" in report.codes
    not_oa = verify_document({"hello": "world"}, "x")
    assert "OA-NOT-OA" in not_oa.codes and not_oa.outcome is Outcome.FAIL


def test_revealed_data() -> None:
    doc = wrap_v2(v2_data(count=5000, ok=True, nothing=None, ratio=1.5))
    data = revealed_data(doc)
    assert (data["count"], data["ok"], data["nothing"], data["ratio"]) == (5000, True, None, 1.5)
    assert revealed_data(v2_data())["recipient"]["name"] == "Nordic Timber AB"
    v3 = wrap_v3(v3_credential())
    assert "proof" not in revealed_data(v3) and revealed_data(v3)["credentialSubject"]["name"] == "Nordic Timber AB"
    assert revealed_data({"hello": 1}) == {}


def test_pint_keywords_do_not_stop_an_oa_document_and_an_envelope_without_trust_raises() -> None:
    assert etr.verify(wrap_v2(v2_data()), mode="legacy").check("integrity").outcome is Outcome.PASS  # type: ignore
    envelope = Path(__file__).resolve().parents[2] / "samples" / "pint" / "valid" / "1-issued.json"
    with pytest.raises(UsageError) as info:
        etr.verify(envelope)
    assert info.value.code == "PINT-NO-TRUST"
    results = list(etr.iter_verify([envelope, wrap_v2(v2_data())]))
    assert [r.outcome for r in results] == [Outcome.FAIL, Outcome.NOT_EVALUABLE]
    assert results[0].codes == ("PINT-NO-TRUST",)


def test_warnings_fail_under_strict_only() -> None:
    doc = wrap_v2(v2_data())
    doc["schema"] = "https://example.com/schema.json"
    result = etr.verify(doc)
    assert "OA-UNPROTECTED-MEMBER" in result.codes and result.outcome is Outcome.NOT_EVALUABLE
    assert not fails(result) and fails(result, Severity.WARNING)


def test_the_signature_of_a_broken_root_is_not_evaluable() -> None:
    doc = sign_v2(wrap_v2(v2_data(did_issuer(KEY))), KEY)
    doc["signature"]["merkleRoot"] = "zz"
    assert etr.verify(doc).check("signature").outcome is Outcome.NOT_EVALUABLE  # type: ignore[union-attr]


def test_v3_salts_are_checked_before_the_digest() -> None:
    doc = wrap_v3(v3_credential())
    salts = h.decode_salts(doc["proof"]["salts"])
    bad = resalt(doc, [h.Salt(s.path, "zz" * 32) for s in salts])
    assert "OA-INTEGRITY-SALTS" in etr.verify(bad).codes
    assert signature(KEY, "00" * 32).startswith("0x")


def test_public_names() -> None:
    from etr.families.openattestation import OAVerificationResult

    assert etr.OAVerificationResult is OAVerificationResult and "OAVerificationResult" in etr.__all__
    assert etr.TrustedIssuers is TrustedIssuers and "TrustedIssuers" in etr.__all__
    result = etr.verify(wrap_v2(v2_data()))
    assert isinstance(result, etr.Result) and result.kind == "verification" and result.family == "openattestation"
