"""Verification of PINT envelopes: the tamper matrix (each attack with its code and response code), modes,
documents, recipients, and the result object."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pint_simulator import (
    T0,
    VERIFY_AT,
    Pki,
    RawChain,
    World,
    at,
    forged,
    hs256,
    party,
    payload_of,
    sample_td,
    signing_key,
    tx_dict,
    with_payload,
)

from etr.crypto.digests import sha256_hex
from etr.crypto.keys import generate_key
from etr.crypto.trust import TrustStore
from etr.model import Outcome, Severity
from etr.transfer.sign import canonical_json
from etr.transfer.verify import EnvelopeVerificationFailed, verify_envelope, verify_envelope_or_raise


def four(world: World) -> RawChain:
    """ISSUE -> alice, TRANSFER alice -> bob, TRANSFER bob -> carol, TRANSFER carol -> dave."""
    return (RawChain(world).issue().add("TRANSFER", "alice", "bob").add("TRANSFER", "bob", "carol")
            .add("TRANSFER", "carol", "dave"))


# --------------------------------------------------------------------------- tampering


def t_payload_edited(w: World) -> dict[str, Any]:
    chain = four(w)
    data = payload_of(chain.tokens[2])
    data["transactions"][0]["recipient"] = party("dave").to_dict()
    chain.tokens[2] = with_payload(chain.tokens[2], canonical_json(data))
    return chain.envelope(tokens=chain.tokens)


def t_resigned_with_wrong_key(w: World) -> dict[str, Any]:
    chain = four(w)
    data = payload_of(chain.tokens[1])
    data["transactions"][0]["recipient"] = party("carol").to_dict()
    impostor = generate_key(w.alg, kid=w.key("EBL1").kid)  # same kid, other key
    chain.tokens[1] = chain.sign(data, "EBL1", key=impostor)
    return chain.envelope()


def t_resigned_by_other_platform(w: World) -> dict[str, Any]:
    chain = four(w)
    data = payload_of(chain.tokens[1])
    chain.tokens[1] = chain.sign(data, "EBL1", key=w.key("EBL2"))  # trusted, but registered for EBL2
    return chain.envelope()


def t_entry_removed(w: World) -> dict[str, Any]:
    chain = four(w)
    del chain.tokens[2]
    return chain.envelope()


def t_entries_reordered(w: World) -> dict[str, Any]:
    chain = four(w)
    chain.tokens[1], chain.tokens[2] = chain.tokens[2], chain.tokens[1]
    return chain.envelope(platform="EBL3")


def t_entry_spliced(w: World) -> dict[str, Any]:
    chain = four(w)
    other = four(w).__class__(w, sample_td(reference="OTHER00001"))
    other.issue().add("TRANSFER", "alice", "bob").add("TRANSFER", "bob", "carol")
    chain.tokens[2] = other.tokens[2]
    return chain.envelope()


def t_entry_replayed(w: World) -> dict[str, Any]:
    chain = four(w)
    chain.tokens.append(chain.tokens[-1])
    return chain.envelope()


def t_payload_replayed_resigned(w: World) -> dict[str, Any]:
    chain = four(w)
    chain.tokens.append(chain.sign(payload_of(chain.tokens[-1]), "EBL3"))  # same payload, new signature
    return chain.envelope()


def t_forked(w: World) -> dict[str, Any]:
    chain = RawChain(w).issue().add("TRANSFER", "alice", "bob")
    fork = RawChain(w, chain.td, chain.tokens[:1]).add("TRANSFER", "alice", "carol")  # alice sells twice
    chain.tokens.append(fork.tokens[1])
    return chain.envelope(platform="EBL1")


def t_alg_none(w: World) -> dict[str, Any]:
    chain = four(w)
    chain.tokens[3] = forged({"alg": "none", "kid": w.key("EBL2").kid}, canonical_json(payload_of(chain.tokens[3])),
                             b"\x00")
    return chain.envelope()


def t_hs256_public_key(w: World) -> dict[str, Any]:
    chain = four(w)
    key = w.key("EBL2")
    chain.tokens[3] = hs256(canonical_json(payload_of(chain.tokens[3])), key.public.pem(), key.kid)
    return chain.envelope()


def t_manifest_hs256(w: World) -> dict[str, Any]:
    chain = four(w)
    env = chain.envelope()
    key = w.key("EBL3")
    env["envelopeManifestSignedContent"] = hs256(canonical_json(payload_of(env["envelopeManifestSignedContent"])),
                                                 key.public.pem(), key.kid)
    return env


def t_wrong_document_checksum(w: World) -> dict[str, Any]:
    env = four(w).envelope()
    env["transportDocument"]["transportDocumentReference"] = "CHANGED001"
    return env


def t_after_sacc(w: World) -> dict[str, Any]:
    chain = (RawChain(w).issue().add("SURRENDER_FOR_DELIVERY", "alice", "carrier").add("SACC", "carrier", "alice")
             .add("TRANSFER", "carrier", "bob"))
    return chain.envelope()


def t_endorse_by_non_holder(w: World) -> dict[str, Any]:
    chain = RawChain(w).issue().add("TRANSFER", "alice", "bob").add("ENDORSE", "alice", "carol")
    return chain.envelope()


def t_issuance_by_non_carrier(w: World) -> dict[str, Any]:
    chain = RawChain(w)
    chain.issue(issuance=chain.issuance(key=w.key("EBL1")))  # trusted key, registered for EBL1 not CAR1
    return chain.add("TRANSFER", "alice", "bob").envelope()


def t_issuance_for_other_document(w: World) -> dict[str, Any]:
    chain = RawChain(w)
    chain.issue(issuance=chain.issuance(document_checksum="0" * 64))
    return chain.envelope()


def t_issuance_missing(w: World) -> dict[str, Any]:
    chain = RawChain(w)
    payload = chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)])
    chain.tokens.append(chain.sign(payload, "CAR1"))
    return chain.envelope()


def t_first_not_issue(w: World) -> dict[str, Any]:
    chain = RawChain(w)
    payload = chain.payload("EBL1", [tx_dict("TRANSFER", "alice", "bob", 0)],
                            issuanceManifestSignedContent=chain.issuance())
    chain.tokens.append(chain.sign(payload, "EBL1"))
    return chain.envelope()


def t_duplicate_key_in_payload(w: World) -> dict[str, Any]:
    chain = four(w)
    good = canonical_json(payload_of(chain.tokens[3])).decode()
    evil = good.replace('{"eblPlatform":"EBL3"', '{"eblPlatform":"EBL3","eblPlatform":"EBL1"', 1).encode()
    chain.tokens[3] = chain.sign(evil, "EBL3")  # validly signed, but ambiguous
    return chain.envelope(platform="EBL3")


def t_manifest_by_wrong_platform(w: World) -> dict[str, Any]:
    return four(w).envelope(key=w.key("EBL1"))  # the last entry is EBL3's


def t_manifest_stale(w: World) -> dict[str, Any]:
    chain = four(w)
    env = chain.envelope(tokens=chain.tokens[:-1])
    env["envelopeTransferChain"] = chain.tokens  # an entry added without a new manifest
    return env


def t_first_entry_has_previous(w: World) -> dict[str, Any]:
    chain = RawChain(w)
    chain.tokens.append("x")  # make payload() add a previous checksum
    payload = chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)],
                            issuanceManifestSignedContent=chain.issuance())
    chain.tokens[0] = chain.sign(payload, "CAR1")
    return chain.envelope()


def t_malformed_jws(w: World) -> dict[str, Any]:
    chain = four(w)
    chain.tokens[2] = chain.tokens[2] + "."
    return chain.envelope()


@dataclass(frozen=True)
class Tamper:
    name: str
    make: Callable[[World], dict[str, Any]]
    code: str
    response: str

    def __str__(self) -> str:
        return self.name


TAMPERS = [
    Tamper("payload-edited", t_payload_edited, "PINT-JWS-BAD-SIGNATURE", "BSIG"),
    Tamper("resigned-with-wrong-key", t_resigned_with_wrong_key, "PINT-JWS-BAD-SIGNATURE", "BSIG"),
    Tamper("resigned-by-other-platform", t_resigned_by_other_platform, "PINT-KEY-PLATFORM-MISMATCH", "BSIG"),
    Tamper("entry-removed", t_entry_removed, "PINT-CHAIN-LINK", "BENV"),
    Tamper("entries-reordered", t_entries_reordered, "PINT-CHAIN-ORDER", "BENV"),
    Tamper("entry-spliced-from-other-document", t_entry_spliced, "PINT-TD-CHECKSUM-ENTRY", "BENV"),
    Tamper("entry-replayed", t_entry_replayed, "PINT-CHAIN-REPLAY", "DISE"),
    Tamper("payload-replayed-resigned", t_payload_replayed_resigned, "PINT-CHAIN-REPLAY", "DISE"),
    Tamper("forked-chain", t_forked, "PINT-CHAIN-FORK", "DISE"),
    Tamper("alg-none", t_alg_none, "PINT-JWS-ALG-FORBIDDEN", "BSIG"),
    Tamper("hs256-public-key-as-secret", t_hs256_public_key, "PINT-JWS-ALG-FORBIDDEN", "BSIG"),
    Tamper("manifest-hs256", t_manifest_hs256, "PINT-JWS-ALG-FORBIDDEN", "BSIG"),
    Tamper("wrong-document-checksum", t_wrong_document_checksum, "PINT-TD-CHECKSUM-MANIFEST", "BENV"),
    Tamper("transactions-after-sacc", t_after_sacc, "PINT-STATE-AFTER-SACC", "BENV"),
    Tamper("endorsement-by-non-holder", t_endorse_by_non_holder, "PINT-STATE-NOT-POSSESSOR", "BENV"),
    Tamper("issuance-by-non-carrier", t_issuance_by_non_carrier, "PINT-ISSUANCE-NOT-CARRIER", "BSIG"),
    Tamper("issuance-for-other-document", t_issuance_for_other_document, "PINT-ISSUANCE-CHECKSUM", "BENV"),
    Tamper("issuance-missing", t_issuance_missing, "PINT-ISSUANCE-MISSING", "BENV"),
    Tamper("first-not-issue", t_first_not_issue, "PINT-STATE-FIRST-NOT-ISSUE", "BENV"),
    Tamper("duplicate-key-in-payload", t_duplicate_key_in_payload, "PINT-DUPLICATE-KEY", "BENV"),
    Tamper("manifest-by-wrong-platform", t_manifest_by_wrong_platform, "PINT-KEY-PLATFORM-MISMATCH", "BSIG"),
    Tamper("manifest-stale", t_manifest_stale, "PINT-MANIFEST-LAST-ENTRY", "BENV"),
    Tamper("first-entry-has-previous", t_first_entry_has_previous, "PINT-CHAIN-FIRST-HAS-PREVIOUS", "BENV"),
    Tamper("malformed-jws", t_malformed_jws, "PINT-JWS-MALFORMED", "BSIG"),
]


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
@pytest.mark.parametrize("tamper", TAMPERS, ids=str)
def test_tamper_matrix(tamper: Tamper, alg: str) -> None:
    world = World(alg)
    assert world.verify(four(world).envelope()).outcome is Outcome.PASS  # the untampered baseline
    result = world.verify(json.dumps(tamper.make(world)).encode())
    assert result.outcome is Outcome.FAIL
    matching = [f for f in result.findings if f.code == tamper.code]
    assert matching, result.codes
    assert all(f.severity is Severity.ERROR for f in matching)
    assert matching[0].detail is not None and matching[0].detail["responseCode"] == tamper.response
    assert result.response_code in {"BSIG", "BENV", "DISE"}


# --------------------------------------------------------------------------- certificates (x5c)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def _x5c_world(pki: Pki) -> tuple[World, TrustStore]:
    """A world whose platforms sign with x5c chains; the store trusts only the root and the registry."""
    world = World()
    from pint_simulator import thumbprint_registry_csv

    store = TrustStore()
    store.add_certificate(pki.root)
    store.add_registry(thumbprint_registry_csv(world.keys))  # a kid alone does not bind a certificate
    return world, store


def _x5c_chain(world: World, pki: Pki, *, leaf_for_ebl1: list[str] | None = None) -> dict[str, Any]:
    """ISSUE (CAR1) -> alice, alice (EBL1) -> bob, bob (EBL2) -> carol; every JWS carries its x5c."""
    chains = {p: pki.leaf(f"{p.lower()}.example", world.key(p)) for p in world.keys}
    if leaf_for_ebl1 is not None:
        chains["EBL1"] = leaf_for_ebl1
    chain = RawChain(world)
    chain.issue(issuance=chain.issuance(x5c_chain=chains["CAR1"]), x5c_chain=chains["CAR1"])
    chain.add("TRANSFER", "alice", "bob", x5c_chain=chains["EBL1"])
    chain.add("TRANSFER", "bob", "carol", x5c_chain=chains["EBL2"])
    return chain.envelope(x5c_chain=chains["EBL2"])


def test_x5c_chain_to_trusted_root_passes(pki: Pki) -> None:
    world, store = _x5c_world(pki)
    result = verify_envelope(_x5c_chain(world, pki), store, at=VERIFY_AT, validate_document=False)
    assert result.outcome is Outcome.PASS, result.codes
    assert all(e.signature.how == "x5c" for e in result.entries)


def test_x5c_from_untrusted_ca(pki: Pki) -> None:
    world, store = _x5c_world(pki)
    rogue = Pki("Rogue CA")
    env = _x5c_chain(world, pki, leaf_for_ebl1=rogue.leaf("ebl1.example", world.key("EBL1")))
    result = verify_envelope(env, store, at=VERIFY_AT, validate_document=False)
    assert "PINT-KEY-X5C-UNTRUSTED" in result.codes and result.response_code == "BSIG"


def test_x5c_expired_at_transaction_time(pki: Pki) -> None:
    """The entry claims a time after its certificate expired (the manifest is signed by another platform)."""
    world, store = _x5c_world(pki)
    expired = pki.leaf("ebl1.example", world.key("EBL1"), not_before=T0 - timedelta(days=10),
                       not_after=at(1) - timedelta(seconds=1))
    result = verify_envelope(_x5c_chain(world, pki, leaf_for_ebl1=expired), store, at=VERIFY_AT,
                             validate_document=False)
    assert "PINT-KEY-X5C-EXPIRED" in result.codes and result.response_code == "BSIG"


def test_certificate_checked_at_entry_time_not_now(pki: Pki) -> None:
    """A certificate valid when the entry was signed stays good after it expires."""
    world, store = _x5c_world(pki)
    short = pki.leaf("ebl1.example", world.key("EBL1"), not_before=T0 - timedelta(days=1),
                     not_after=at(1) + timedelta(minutes=1))
    env = _x5c_chain(world, pki, leaf_for_ebl1=short)
    assert verify_envelope(env, store, at=VERIFY_AT, validate_document=False).outcome is Outcome.PASS


# --------------------------------------------------------------------------- keys and trust


def test_unknown_key_is_bsig() -> None:
    world = World()
    env = four(world).envelope()
    other = World("ES256")  # a trust store that knows none of these keys
    result = other.verify(env)
    assert result.response_code == "BSIG" and "PINT-KEY-UNKNOWN" in result.codes


def _jwks_only_registry(world: World) -> bytes:
    """A registry that lists every platform of ``world`` with only a JWKS endpoint (never fetched): it names
    the platforms but binds no key to any of them."""
    rows = "".join(f"{p},https://{p.lower()}.example,https://{p.lower()}.example/jwks.json,\n" for p in world.keys)
    return ("Code,Site,jwks_endpoint,manual_key_id\n" + rows).encode()


def test_trusted_keys_without_registry_speak_for_no_platform() -> None:
    """Keys trusted as such, with no registry: nothing binds any of them to a platform, so any of them could
    sign for any platform. Every signature fails (BSIG), saying how to fix the trust store."""
    world = World()
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    result = verify_envelope(four(world).envelope(), store, at=VERIFY_AT, validate_document=False)
    assert result.outcome is Outcome.FAIL and result.response_code == "BSIG"
    assert "PINT-KEY-PLATFORM-UNBOUND" in result.codes and "PINT-PLATFORM-UNBOUND" not in result.codes
    assert result.current_holder is None or not result.entries[0].ok


def test_platforms_listed_without_a_key_id_are_not_evaluable_offline() -> None:
    """A registry row with only a JWKS endpoint names the platform but binds no key offline: the verdict is
    NOT_EVALUABLE (PINT-PLATFORM-UNBOUND), never PASS."""
    world = World()
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    store.add_registry(_jwks_only_registry(world))
    result = verify_envelope(four(world).envelope(), store, at=VERIFY_AT, validate_document=False)
    assert result.outcome is Outcome.NOT_EVALUABLE
    assert "PINT-PLATFORM-UNBOUND" in result.codes and not result.errors


def test_issuance_by_other_trusted_key_without_registry_is_a_warning() -> None:
    world = World()
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    store.add_registry(_jwks_only_registry(world))
    chain = RawChain(world)
    chain.issue(issuance=chain.issuance(key=world.key("EBL1")))
    result = verify_envelope(chain.envelope(), store, at=VERIFY_AT, validate_document=False)
    assert result.outcome is Outcome.WARN
    assert "PINT-ISSUANCE-CARRIER-UNBOUND" in result.codes


def test_mixed_algorithms_across_platforms() -> None:
    world = World(algs={"CAR1": "PS256", "EBL1": "ES256", "EBL2": "EdDSA", "EBL3": "RS256"})
    result = world.verify(four(world).envelope())
    assert result.outcome is Outcome.PASS
    assert [e.signature.alg for e in result.entries] == ["PS256", "ES256", "EdDSA", "RS256"]


# --------------------------------------------------------------------------- recipient, documents


def test_expected_recipient() -> None:
    world = World()
    env = four(world).envelope()
    assert world.verify(env, expected_recipient="EBL1").outcome is Outcome.PASS  # dave is on EBL1
    assert world.verify(env, expected_recipient=party("dave")).outcome is Outcome.PASS
    wrong = world.verify(env, expected_recipient="EBL2")
    assert wrong.response_code == "BENV" and "PINT-RECIPIENT-MISMATCH" in wrong.codes
    assert "PINT-RECIPIENT-MISMATCH" in world.verify(env, expected_recipient=party("alice")).codes


def _with_documents(world: World, docs: dict[str, bytes]) -> dict[str, Any]:
    chain = four(world)
    meta = [{"name": n, "size": len(b), "mediaType": "application/pdf", "documentChecksum": sha256_hex(b)}
            for n, b in docs.items()]
    return chain.envelope(supportingDocuments=meta)


DOCS = {"invoice.pdf": b"%PDF invoice", "packing.pdf": b"%PDF packing list"}


def test_documents_verified_by_name_or_checksum() -> None:
    world = World()
    env = _with_documents(world, DOCS)
    by_name = world.verify(env, supporting_documents=DOCS)
    assert by_name.outcome is Outcome.PASS
    assert by_name.manifest is not None and {d.status for d in by_name.manifest.documents} == {"verified"}
    by_sum = world.verify(env, supporting_documents={sha256_hex(b): b for b in DOCS.values()})
    assert by_sum.outcome is Outcome.PASS
    renamed = world.verify(env, supporting_documents={"a.pdf": DOCS["invoice.pdf"], "b.pdf": DOCS["packing.pdf"]})
    assert renamed.outcome is Outcome.PASS


def test_documents_not_given_are_not_checked() -> None:
    world = World()
    result = world.verify(_with_documents(world, DOCS))
    assert result.outcome is Outcome.PASS and "PINT-DOCUMENTS-NOT-CHECKED" in result.codes
    required = world.verify(_with_documents(world, DOCS), require_documents=True)
    assert required.response_code == "MDOC"


@pytest.mark.parametrize("given, code, response", [
    ({"invoice.pdf": DOCS["invoice.pdf"]}, "PINT-DOCUMENT-MISSING", "MDOC"),
    ({"invoice.pdf": b"%PDF corrupted", "packing.pdf": DOCS["packing.pdf"]}, "PINT-DOCUMENT-CHECKSUM", "INCD"),
    ({**DOCS, "unrelated.pdf": b"other"}, "PINT-DOCUMENT-UNRELATED", "INCD"),
])
def test_document_problems(given: dict[str, bytes], code: str, response: str) -> None:
    world = World()
    result = world.verify(_with_documents(world, DOCS), supporting_documents=given)
    assert code in result.codes
    finding = next(f for f in result.findings if f.code == code)
    assert finding.detail is not None and finding.detail["responseCode"] == response


def test_document_size_mismatch() -> None:
    world = World()
    chain = four(world)
    data = DOCS["invoice.pdf"]
    env = chain.envelope(supportingDocuments=[{"name": "invoice.pdf", "size": len(data) + 1,
                                               "mediaType": "application/pdf", "documentChecksum": sha256_hex(data)}])
    result = world.verify(env, supporting_documents={"invoice.pdf": data})
    assert "PINT-DOCUMENT-SIZE" in result.codes and result.response_code == "INCD"


# --------------------------------------------------------------------------- envelope level, modes


@pytest.mark.parametrize("raw, code", [
    (b'{"transportDocument": {}, "transportDocument": {}}', "PINT-DUPLICATE-KEY"),
    (b"[1, 2]", "PINT-ENVELOPE-UNREADABLE"),
    (b"not json", "PINT-ENVELOPE-UNREADABLE"),
    (b'{"transportDocument": {}}', "PINT-SCHEMA-REQUIRED"),
])
def test_unreadable_envelopes_fail_with_a_code(raw: bytes, code: str) -> None:
    result = World().verify(raw)
    assert result.outcome is Outcome.FAIL and code in result.codes


def _legacy_chain(world: World) -> dict[str, Any]:
    chain = RawChain(world)
    issuance = chain.issuance()
    issue = chain.payload("CAR1", [{"action": "ISSU", "actionCode": "ISSUE", "actor": party("carrier").to_dict(),
                                    "recipient": party("alice").to_dict(), "timestamp": 1780304400000}])
    chain.tokens.append(chain.sign(issue, "CAR1"))
    transfer = chain.payload("EBL1", [{"action": "TRNS", "actionCode": "ISSUE", "actor": party("alice").to_dict(),
                                       "recipient": party("bob").to_dict(), "timestamp": 1780304460000}])
    chain.tokens.append(chain.sign(transfer, "EBL1"))
    env = chain.envelope()
    env["issuanceManifestSignedContent"] = issuance  # Conformance Gateway layout
    return env


def test_legacy_layout_fails_strict_and_warns_in_legacy_mode() -> None:
    world = World()
    env = _legacy_chain(world)
    strict = world.verify(env)
    assert strict.outcome is Outcome.FAIL
    for code in ("PINT-LEGACY-ACTION-FIELD", "PINT-LEGACY-TIMESTAMP", "PINT-LEGACY-ROOT-ISSUANCE-MANIFEST"):
        assert code in strict.codes
    legacy = world.verify(env, mode="legacy")
    assert legacy.outcome is Outcome.WARN, [(f.code, f.severity.value) for f in legacy.findings]
    assert all(f.severity is not Severity.ERROR for f in legacy.findings)
    assert {"PINT-LEGACY-ACTION-FIELD", "PINT-LEGACY-ACTION-CONFLICT", "PINT-LEGACY-TIMESTAMP"} <= set(legacy.codes)
    assert legacy.issuance is not None and legacy.issuance.placement == "root"
    assert legacy.current_holder is not None and legacy.current_holder.same_as(party("bob"))


def test_control_tracking_registry_is_not_evaluable_offline() -> None:
    world = World()
    chain = RawChain(world)
    payload = chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)],
                            issuanceManifestSignedContent=chain.issuance(),
                            controlTrackingRegistry="https://ctr.dcsa.org/v1")
    chain.tokens.append(chain.sign(payload, "CAR1"))
    result = world.verify(chain.envelope())
    assert result.outcome is Outcome.NOT_EVALUABLE and "PINT-CTR-NOT-CHECKED" in result.codes


def test_transaction_in_the_future_is_a_warning() -> None:
    world = World()
    result = world.verify(four(world).envelope(), at=T0 - timedelta(hours=1))  # before the transactions
    assert result.outcome is Outcome.WARN and "PINT-TIME-FUTURE" in result.codes


def test_result_object_and_or_raise() -> None:
    world = World()
    env = four(world).envelope()
    result = world.verify(env)
    data = result.to_dict()
    assert data["outcome"] == "PASS" and data["responseCode"] == "RECE"
    assert [e["platform"] for e in data["entries"]] == ["CAR1", "EBL1", "EBL2", "EBL3"]
    assert data["entries"][1]["signature"]["keyKid"] == world.key("EBL1").kid
    assert data["entries"][1]["signature"]["how"] == "kid"
    assert data["entries"][1]["checksum"] == sha256_hex(env["envelopeTransferChain"][1].encode())
    assert data["currentHolder"]["partyName"] == "Dave Trading"
    json.dumps(data)  # serialisable
    assert verify_envelope_or_raise(env, world.trust, at=VERIFY_AT).ok
    with pytest.raises(EnvelopeVerificationFailed) as info:
        verify_envelope_or_raise(t_forked(world), world.trust, at=VERIFY_AT)
    assert info.value.code == "PINT-CHAIN-FORK" and info.value.result.response_code == "DISE"


def test_signing_keys_are_cached_per_session() -> None:
    assert signing_key("EdDSA", "X") is signing_key("EdDSA", "X")


# --------------------------------------------------------------------------- the result model, the TD version


def test_the_result_is_an_etr_result() -> None:
    from etr.model import Result, counts

    world = World()
    result = world.verify(t_forked(world))
    assert isinstance(result, Result) and result.kind == "verification"
    data = result.to_dict()
    assert list(data)[:3] == ["kind", "source", "outcome"] and data["kind"] == "verification"
    assert "format" not in data and "formatVersion" not in data
    assert data["counts"] == counts(result.findings) and data["responseCode"] == "DISE" and data["mode"] == "strict"
    assert [e["index"] for e in data["entries"]] == list(range(len(result.entries)))


def test_the_transport_document_is_validated_against_the_version_asked_for() -> None:
    from etr.families import get_family

    world = World()
    env = four(world).envelope()
    versions = get_family("dcsa-ebl").versions
    for version in (versions[0], versions[-1]):
        result = verify_envelope(env, world.trust, at=VERIFY_AT, td_version=version)
        assert result.td_report is not None and result.td_report.version == version
    default = verify_envelope(env, world.trust, at=VERIFY_AT)
    assert default.td_report is not None and default.td_report.version == get_family("dcsa-ebl").default_version


def test_an_unknown_td_version_is_a_usage_error_before_any_work() -> None:
    from etr.errors import UsageError

    world = World()
    with pytest.raises(UsageError) as caught:
        verify_envelope(b"not even json", world.trust, td_version="9.9.9")
    assert caught.value.code == "ETR-UNKNOWN-VERSION"


def test_an_input_that_is_no_json_says_what_it_is() -> None:
    world = World()
    result = verify_envelope(b"<envelope/>", world.trust, at=VERIFY_AT)
    [finding] = [f for f in result.findings if f.code == "PINT-ENVELOPE-UNREADABLE"]
    assert "the input is XML" in finding.message
