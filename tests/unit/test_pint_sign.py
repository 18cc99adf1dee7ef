"""Signing: every envelope etr signs verifies, for every key type; the signer refuses illegal steps;
payloads are JCS; manifests are fresh; the visualisation is carried forward."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jcs_reference import reference_jcs
from pint_simulator import ALGS, World, party, payload_of, sample_td

from etr.crypto.digests import CanonicalizationError, jcs, jcs_sha256, sha256_hex
from etr.model import Outcome
from etr.transfer.model import ActionCode, IdentifyingCode, Party, Transaction
from etr.transfer.sign import (
    ChainBuilder,
    TransferRefused,
    _entry_payload,
    append,
    append_entry,
    issue,
    transaction,
)

FULL_LIFE: list[tuple[str, str, str | None]] = [
    ("SIGN", "alice", None),
    ("ENDORSE_TO_ORDER", "alice", "bob"),
    ("TRANSFER", "alice", "bob"),
    ("BLANK_ENDORSE", "bob", None),
    ("TRANSFER", "bob", "carol"),
    ("SURRENDER_FOR_AMENDMENT", "carol", "carrier"),
    ("SREJ", "carrier", "carol"),
    ("ENDORSE", "carol", "dave"),
    ("TRANSFER", "carol", "dave"),
    ("SURRENDER_FOR_DELIVERY", "dave", "carrier"),
    ("SACC", "carrier", "dave"),
]


@pytest.mark.parametrize("alg", ALGS)
def test_every_action_round_trips_for_every_key_type(alg: str) -> None:
    world = World(alg)
    env = world.build(FULL_LIFE)
    result = world.verify(json.dumps(env).encode())
    assert result.outcome is Outcome.PASS, [(f.code, f.message) for f in result.findings]
    assert {a.value for a in ActionCode} == {s.action.value for s in result.steps}
    assert all(e.signature.alg == alg and e.signature.verified for e in result.entries)
    assert result.current_holder is not None and result.current_holder.same_as(party("carrier"))
    assert result.issuance is not None and result.issuance.issue_to_verified is True


@pytest.mark.parametrize("alg", ALGS)
def test_functional_api_round_trip(alg: str) -> None:
    world = World(alg)
    td = sample_td()
    env = issue(td, party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"),
                visualisation=("bl.pdf", b"%PDF visual", "application/pdf"), at="2026-06-01T09:00:00Z")
    env = append(env, "TRANSFER", party("alice"), party("bob"), world.key("EBL1"), "EBL1",
                 supporting_documents={"invoice.pdf": b"%PDF inv"}, at="2026-06-01T09:05:00Z")
    env = append(env, ActionCode.SURRENDER_FOR_AMENDMENT, party("bob"), None, world.key("EBL2"), "EBL2",
                 reason_code="COD", at="2026-06-01T09:10:00Z")
    result = world.verify(env, supporting_documents={"bl.pdf": b"%PDF visual"})
    assert result.outcome is Outcome.PASS, result.codes
    assert result.issuance is not None and result.issuance.visualisation_ok is True
    manifest = payload_of(env["envelopeManifestSignedContent"])
    assert manifest["eBLVisualisationByCarrier"]["name"] == "bl.pdf"  # carried forward unchanged
    assert "supportingDocuments" not in manifest  # not given again


def test_payloads_are_jcs_and_checksums_are_over_the_jws_string() -> None:
    world = World()
    env = world.build([("TRANSFER", "alice", "bob")])
    tokens = env["envelopeTransferChain"]
    for token in tokens:
        import base64

        body = token.split(".")[1]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        assert raw == jcs(json.loads(raw))
    second = payload_of(tokens[1])
    assert second["previousEnvelopeTransferChainEntrySignedContentChecksum"] == sha256_hex(tokens[0].encode())
    assert second["transportDocumentChecksum"] == jcs_sha256(env["transportDocument"])
    assert "previousEnvelopeTransferChainEntrySignedContentChecksum" not in payload_of(tokens[0])
    manifest = payload_of(env["envelopeManifestSignedContent"])
    assert manifest["lastEnvelopeTransferChainEntrySignedContentChecksum"] == sha256_hex(tokens[-1].encode())
    issuance = payload_of(payload_of(tokens[0])["issuanceManifestSignedContent"])
    assert issuance["issueToChecksum"] == jcs_sha256(party("alice").to_issue_to())


def test_reproducible_with_explicit_time() -> None:
    world = World("EdDSA")  # Ed25519 signatures are deterministic
    one = world.build([("TRANSFER", "alice", "bob")])
    two = world.build([("TRANSFER", "alice", "bob")])
    assert one == two
    tx = payload_of(one["envelopeTransferChain"][1])["transactions"][0]
    assert tx["actionDateTime"] == "2026-06-01T09:01:00.000Z"


def test_append_refuses_before_signing() -> None:
    world = World()
    env = world.build([("TRANSFER", "alice", "bob")])
    with pytest.raises(TransferRefused) as info:
        append(env, "TRANSFER", party("alice"), party("carol"), world.key("EBL1"), "EBL1")
    assert info.value.code == "PINT-STATE-NOT-POSSESSOR"
    assert "does not hold" in str(info.value)
    with pytest.raises(TransferRefused) as info:
        append(env, "ISSU", party("bob"), party("carol"), world.key("EBL2"), "EBL2")
    assert info.value.code == "PINT-STATE-UNKNOWN-ACTION"
    with pytest.raises(TransferRefused):
        append(env, "ISSUE", party("bob"), party("carol"), world.key("EBL2"), "EBL2")


def test_builder_state_is_unchanged_after_a_refusal() -> None:
    world = World()
    builder = ChainBuilder(sample_td())
    builder.issue(party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"))
    bad = [transaction("TRANSFER", party("alice"), party("bob")),
           transaction("TRANSFER", party("alice"), party("carol"))]
    with pytest.raises(TransferRefused):
        builder.append_entry(bad, world.key("EBL1"), "EBL1")
    assert len(builder.chain) == 1 and builder.machine.state.holder is not None
    assert builder.machine.state.holder.same_as(party("alice"))
    builder.append_entry([transaction("TRANSFER", party("alice"), party("carol"))], world.key("EBL1"), "EBL1")
    assert world.verify(builder.envelope(), at=None).outcome is Outcome.PASS  # signed now


def test_from_envelope_refuses_a_broken_chain() -> None:
    world = World()
    env = world.build([("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")])
    broken = dict(env, envelopeTransferChain=[env["envelopeTransferChain"][0], env["envelopeTransferChain"][2]])
    with pytest.raises(TransferRefused) as info:
        ChainBuilder.from_envelope(broken)
    assert info.value.code == "PINT-CHAIN-LINK"
    with pytest.raises(TransferRefused):
        ChainBuilder.from_envelope({"not": "an envelope"})


def test_endorse_and_transfer_in_one_entry() -> None:
    world = World()
    env = world.build([])
    env = append_entry(env, [transaction("ENDORSE", party("alice"), party("bob")),
                             transaction("TRANSFER", party("alice"), party("bob"))], world.key("EBL1"), "EBL1")
    result = world.verify(env, expected_recipient=party("bob"), at=None)
    assert result.outcome is Outcome.PASS
    assert result.entries[-1].actions == ("ENDORSE", "TRANSFER")


def test_default_carrier_comes_from_the_td() -> None:
    world = World()
    env = issue(sample_td(), party("alice"), world.key("CAR1"), "CAR1")
    actor = payload_of(env["envelopeTransferChain"][0])["transactions"][0]["actor"]
    assert actor["eblPlatform"] == "CAR1"
    assert actor["identifyingCodes"] == [{"codeListProvider": "SMDG", "partyCode": "CARR"}]
    assert world.verify(env, at=None).outcome is Outcome.PASS


def test_x5c_in_headers() -> None:
    from pint_simulator import Pki, thumbprint_registry_csv

    from etr.crypto.trust import TrustStore
    from etr.transfer.verify import verify_envelope

    world, pki = World("ES256"), Pki()
    chains = {p: pki.leaf(p, world.key(p)) for p in world.keys}
    builder = ChainBuilder(sample_td())
    builder.issue(party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"), x5c=chains["CAR1"])
    builder.append_entry([transaction("TRANSFER", party("alice"), party("bob"))], world.key("EBL1"), "EBL1",
                         x5c=chains["EBL1"])
    store = TrustStore()
    store.add_certificate(pki.root)
    store.add_registry(thumbprint_registry_csv(world.keys))  # a kid alone does not bind a certificate
    result = verify_envelope(builder.envelope(), store, validate_document=False)  # signed now
    assert result.outcome is Outcome.PASS, result.codes
    assert {e.signature.how for e in result.entries} == {"x5c"}


# --------------------------------------------------------------------------- the entry payload

_TEXT = st.text(max_size=10) | st.sampled_from(["", "\x00\x1f\"\\\u2028é𝄞", "\ud800"])
_FREE = st.dictionaries(st.text(max_size=5), st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
                        max_size=2)  # free-form members: any JSON, non-ASCII keys, floats, bad values
_CODES = st.builds(IdentifyingCode, _TEXT, _TEXT, st.none() | _TEXT, st.just({}) | _FREE)
_PARTIES = st.builds(Party, _TEXT, _TEXT, st.lists(_CODES, max_size=2).map(tuple),
                     st.just(()) | st.lists(_FREE, max_size=1).map(tuple), st.none() | _FREE, st.just({}) | _FREE)
_TRANSACTIONS = st.builds(Transaction, _TEXT | st.sampled_from(["TRANSFER", 7]), _PARTIES, _TEXT,
                          st.none() | _PARTIES, st.none() | _TEXT, st.none() | _TEXT, st.none() | _TEXT,
                          st.just({}) | _FREE)


def _reference_entry(platform: str, td_checksum: str, previous: str | None, issuance: str | None, ctr: str | None,
                     transactions: list[Transaction]) -> bytes | str:
    """The entry payload written by the ``rfc8785`` package from a dict built here (members as the PINT schema
    names them), or "refused"."""
    payload: dict[str, Any] = {"eblPlatform": platform, "transportDocumentChecksum": td_checksum,
                               "transactions": [tx.to_dict() for tx in transactions],
                               "previousEnvelopeTransferChainEntrySignedContentChecksum": previous,
                               "issuanceManifestSignedContent": issuance, "controlTrackingRegistry": ctr}
    return reference_jcs({k: v for k, v in payload.items() if v is not None}) or "refused"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.none() | _TEXT, st.none() | _TEXT, st.none() | _TEXT, st.lists(_TRANSACTIONS, min_size=1, max_size=3))
def test_entry_payload_is_byte_for_byte_rfc8785(platform: str, previous: str | None, issuance: str | None,
                                                ctr: str | None, transactions: list[Transaction]) -> None:
    td_checksum = "0" * 64
    expected = _reference_entry(platform, td_checksum, previous, issuance, ctr, transactions)
    if expected == "refused":
        with pytest.raises(CanonicalizationError):
            _entry_payload(platform, td_checksum, previous, issuance, ctr, transactions)
    else:
        assert _entry_payload(platform, td_checksum, previous, issuance, ctr, transactions) == expected


def test_state_machine_is_rolled_back_when_signing_fails() -> None:
    world = World()
    builder = ChainBuilder(sample_td())
    builder.issue(party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"))
    when = transaction("TRANSFER", party("alice"), party("bob")).action_date_time
    odd = Transaction("TRANSFER", party("alice"), when, party("bob"), extra={"bad": float("nan")})  # no RFC 8785 form
    before = builder.machine.state
    with pytest.raises(CanonicalizationError):
        builder.append_entry([odd], world.key("EBL1"), "EBL1")
    assert builder.machine.state is before and len(builder.chain) == 1 and len(builder.machine.steps) == 1
    builder.append_entry([transaction("TRANSFER", party("alice"), party("bob"))], world.key("EBL1"), "EBL1")
    assert world.verify(builder.envelope(), at=None).outcome is Outcome.PASS
