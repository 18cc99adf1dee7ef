"""Hostile inputs found by a reviewer (round 3): each test is the attack as a user would make it."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

import pytest
from oa_factory import v2_data, v3_credential, wrap_v2, wrap_v3

import etr
from etr.errors import DocumentError
from etr.families.openattestation import hashing as h
from etr.families.openattestation import obfuscate, verify_document
from etr.model import Outcome


def integrity(result: Any) -> Outcome:
    check = result.check("integrity")
    assert check is not None
    return check.outcome


# --------------------------------------------------------------------------- etr oa obfuscate


@pytest.mark.parametrize("fields", [
    ("recipient", "recipient.name"),       # a field and one inside it: hashed once, not twice
    ("recipient.name", "recipient"),
    ("recipient.name", "/data/recipient/name"),
    ("issuers.0.name", "issuers.00.name"),  # two spellings of one index
])
def test_v2_overlapping_fields_are_hidden_once(fields: tuple[str, ...]) -> None:
    doc = wrap_v2(v2_data())
    copy_ = obfuscate(doc, fields)
    assert integrity(verify_document(copy_, "copy")) is Outcome.PASS


def test_v3_a_field_inside_another_hidden_one_is_hidden_once() -> None:
    doc = wrap_v3(v3_credential(origin={"country": "SG", "port": "SGSIN"}))
    for fields in (("credentialSubject.origin", "credentialSubject.origin.port"),
                   ("credentialSubject.origin.port", "credentialSubject.origin")):
        copy_ = obfuscate(doc, fields)
        assert integrity(verify_document(copy_, "copy")) is Outcome.PASS
        assert "origin" not in copy_["credentialSubject"]


@pytest.mark.parametrize("privacy", [[], "x", 1, None])
def test_v2_privacy_that_is_not_an_object_is_refused_not_a_crash(privacy: Any) -> None:
    doc = wrap_v2(v2_data())
    doc["privacy"] = privacy  # the reference reads privacy.obfuscatedData as [] here: integrity holds
    with pytest.raises(DocumentError) as caught:
        obfuscate(doc, ["recipient.name"])
    assert caught.value.code == "OA-OBFUSCATE-FORMAT"


def test_v3_a_copy_that_would_not_verify_is_refused_not_asserted() -> None:
    # Wrapped with the salt of 'credentialSubject.name' twice and none for 'credentialSubject.id': the
    # counts agree and the digest holds, but hiding the name leaves a leaf without a salt.
    doc = wrap_v3(v3_credential())
    salts = h.decode_salts(doc["proof"]["salts"])
    name = next(s for s in salts if s.path == "credentialSubject.name")
    salts = [s if s.path != "credentialSubject.id" else h.Salt(name.path, secrets.token_hex(32)) for s in salts]
    body = {k: v for k, v in doc.items() if k != "proof"}
    target = h.v3_target_hash(body, salts, [])
    doc["proof"].update(salts=h.encode_salts(salts), targetHash=target, merkleRoot=target)
    assert integrity(verify_document(doc, "doc")) is Outcome.PASS
    with pytest.raises(DocumentError) as caught:
        obfuscate(copy.deepcopy(doc), ["credentialSubject.name"])
    assert caught.value.code == "OA-OBFUSCATE-FORMAT"


def test_cli_overlapping_fields(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from etr.cli import main

    path = tmp_path / "bl.json"
    path.write_text(json.dumps(wrap_v2(v2_data())))
    result = CliRunner().invoke(main, ["oa", "obfuscate", str(path), "--field", "recipient", "--field",
                                       "recipient.name", "-o", str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    assert integrity(etr.verify(tmp_path / "o.json")) is Outcome.PASS


# --------------------------------------------------------------------------- identity of a tampered document


def test_trusted_issuers_do_not_vouch_for_a_tampered_document() -> None:
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "samples" / "openattestation"
    trust = samples / "trust"
    genuine = etr.verify(samples / "valid" / "bill-of-lading.tt", trust)
    assert genuine.check("identity").outcome is Outcome.PASS  # type: ignore[union-attr]
    for name in ("OA-INTEGRITY-TARGET-HASH.json", "OA-INTEGRITY-MERKLE-ROOT.json"):
        tampered = etr.verify(samples / "invalid" / name, trust)
        assert integrity(tampered) is Outcome.FAIL
        identity = tampered.check("identity")  # type: ignore[union-attr]
        assert identity is not None and identity.outcome is Outcome.NOT_EVALUABLE, identity
        assert "OA-ISSUER-TRUSTED" not in tampered.codes
    # An untrusted issuer written into an edited document is not a verdict on that issuer either.
    doc = wrap_v2(v2_data())
    doc["data"]["recipient"]["name"] = doc["data"]["recipient"]["name"].replace("Nordic", "Southern")
    edited = etr.verify(json.dumps(doc).encode(), trust)
    assert edited.check("identity").outcome is Outcome.NOT_EVALUABLE  # type: ignore[union-attr]


# --------------------------------------------------------------------------- a document that is two documents


PINT_MEMBERS = ("transportDocument", "envelopeManifestSignedContent", "envelopeTransferChain")


def test_an_oa_document_that_is_also_a_pint_envelope_is_refused() -> None:
    # A forged PINT envelope with a genuine OA document's members merged in: etr verify read it as the OA
    # document (integrity PASS, exit 0) while etr validate and etr assess read it as the envelope. What a
    # reader takes it for depends on the tool: refused, whatever the envelope's signatures say.
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "samples"
    envelope = json.loads((samples / "pint" / "invalid" / "PINT-JWS-BAD-SIGNATURE.json").read_text())
    sample = json.loads((samples / "openattestation" / "valid" / "bill-of-lading.tt").read_text())
    for oa in (wrap_v2(v2_data()), sample):
        hybrid = {**envelope, **oa}
        result = etr.verify(json.dumps(hybrid).encode(), samples / "pint" / "trust")
        assert "OA-AMBIGUOUS-PINT" in result.codes, result.codes
        assert result.outcome is Outcome.FAIL
    one = {**wrap_v2(v2_data()), "envelopeTransferChain": []}
    finding = next(f for f in verify_document(one, "x").findings if f.code == "OA-AMBIGUOUS-PINT")
    assert finding.location is not None and finding.location.pointer == "/envelopeTransferChain"


# --------------------------------------------------------------------------- trusted-issuers files


def test_a_trusted_issuers_file_with_both_issuer_and_issuers_is_refused(tmp_path: Any) -> None:
    # TOML [[issuer]] beside [[issuers]] (or JSON "issuer" beside "issuers"): one list was silently ignored.
    from etr.errors import KeyFileError
    from etr.families.openattestation import TrustedIssuers

    path = tmp_path / "issuers.toml"
    path.write_text('format = "etr-trusted-issuers"\n'
                    '[[issuer]]\ndomain = "a.example"\ndocument-store = "0x8ba63eab43342aac3adbb4b827b68cf4aae5caca"\n'
                    '[[issuers]]\ndomain = "b.example"\n'
                    'token-registry = "0x142ca30e3b78a840a82192529ca047ed759a6f7e"\n')
    with pytest.raises(KeyFileError) as caught:
        TrustedIssuers.from_paths([path])
    assert caught.value.code == "OA-TRUST-FILE"


# --------------------------------------------------------------------------- unprotected members beside data


@pytest.mark.parametrize(("edit", "part"), [
    (lambda d: d.__setitem__("privacy", "edited"), "/privacy"),
    (lambda d: d.__setitem__("privacy", {"obfuscatedData": [], "note": "edited"}), "/privacy/note"),
    (lambda d: d["signature"].__setitem__("issuedBy", "edited"), "/signature/issuedBy"),
])
def test_v2_members_beside_the_hashed_lists_are_named(edit: Any, part: str) -> None:
    # privacy and signature are read for obfuscatedData and the proof only: anything else in them is
    # carried unhashed (the reference reads a non-object privacy as no obfuscated data), and was not named.
    doc = wrap_v2(v2_data())
    edit(doc)
    result = verify_document(doc, "x")
    assert integrity(result) is Outcome.PASS
    finding = next((f for f in result.findings if f.code == "OA-UNPROTECTED-MEMBER"), None)
    assert finding is not None and part in finding.detail["parts"], result.findings  # type: ignore[index]


# --------------------------------------------------------------------------- revocation of DID-signed documents


@pytest.mark.parametrize("revocation", [
    None,                                   # no revocation block: the reference errs (MISSING_REVOCATION)
    {"type": 5},                            # a type that is no string: was read as NONE
    {"type": "REVOCATION_STORE"},           # nothing to query (REVOCATION_LOCATION_MISSING)
    {"type": "OCSP_RESPONDER", "location": ""},
    {"type": "WHATEVER", "location": "x"},  # UNRECOGNIZED_REVOCATION_TYPE: no network answers it
])
def test_v2_did_revocation_that_cannot_be_read_is_a_failure_not_none(revocation: Any) -> None:
    from coincurve import PrivateKey
    from oa_factory import did_issuer, sign_v2

    key = PrivateKey()
    issuer = did_issuer(key)
    if revocation is None:
        del issuer["revocation"]
    else:
        issuer["revocation"] = revocation
    doc = sign_v2(wrap_v2(v2_data(issuer)), key)
    result = verify_document(doc, "x")
    assert result.check("signature").outcome is Outcome.PASS  # type: ignore[union-attr]
    status = result.check("issuance-status")
    assert status is not None and status.outcome is Outcome.FAIL, status
    assert "OA-REVOCATION-INVALID" in result.codes


def test_v3_did_without_revocation_block_fails_issuance() -> None:
    from coincurve import PrivateKey
    from oa_factory import address, sign_v3

    key = PrivateKey()
    did = f"did:ethr:{address(key)}"
    doc = sign_v3(wrap_v3(v3_credential(method="DID", proof_value=did, identity="DID", identifier=did)), key)
    result = verify_document(doc, "x")
    assert result.check("signature").outcome is Outcome.PASS  # type: ignore[union-attr]
    assert result.check("issuance-status").outcome is Outcome.FAIL  # type: ignore[union-attr]
    assert "OA-REVOCATION-INVALID" in result.codes
