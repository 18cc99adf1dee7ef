"""The PINT data model: round trips keep unknown fields, party identity, time formats, canonical JSON."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from jcs_reference import reference_jcs
from pint_simulator import party

from etr.crypto.digests import CanonicalizationError, jcs
from etr.transfer import _schema
from etr.transfer.model import (
    ActionCode,
    DocumentMetadata,
    Envelope,
    EnvelopeManifest,
    IdentifyingCode,
    IssuanceManifest,
    Party,
    PintModelError,
    Transaction,
    TransferChainEntry,
    format_datetime,
    parse_datetime,
    resolve_action,
)
from etr.transfer.sign import canonical_json

ENTRY: dict[str, Any] = {
    "eblPlatform": "EBL1",
    "transportDocumentChecksum": "a" * 64,
    "previousEnvelopeTransferChainEntrySignedContentChecksum": "b" * 64,
    "futureField": {"kept": [1, 2, 3]},
    "transactions": [{
        "actionCode": "TRANSFER", "actionDateTime": "2026-01-02T03:04:05.678Z", "x-custom": True,
        "actor": {"partyName": "A", "eblPlatform": "EBL1", "identifyingCodes": [
            {"codeListProvider": "EBL1", "partyCode": "a", "x": 1}], "representedParty": {"partyName": "P"}},
        "recipient": {"partyName": "B", "eblPlatform": "EBL2", "identifyingCodes": [
            {"codeListProvider": "GLEIF", "partyCode": "529900", "codeListName": "LEI"}],
            "taxLegalReferences": [{"type": "VAT", "countryCode": "DK", "value": "1"}]},
        "comments": "hello", "auditReference": "ref-1"}],
}


def test_entry_round_trip_keeps_unknown_fields() -> None:
    entry = TransferChainEntry.from_dict(ENTRY)
    assert entry.extra == {"futureField": {"kept": [1, 2, 3]}}
    assert entry.transactions[0].extra == {"x-custom": True}
    assert entry.to_dict() == ENTRY
    assert canonical_json(entry.to_dict()) == jcs(ENTRY)


@pytest.mark.parametrize("cls, data", [
    (EnvelopeManifest, {"transportDocumentChecksum": "a" * 64, "lastEnvelopeTransferChainEntrySignedContentChecksum":
                        "b" * 64, "supportingDocuments": [{"name": "x.pdf", "size": 3, "mediaType": "application/pdf",
                                                           "documentChecksum": "c" * 64, "extra": 1}], "z": None}),
    (IssuanceManifest, {"documentChecksum": "a" * 64, "issueToChecksum": "b" * 64,
                        "eBLVisualisationByCarrierChecksum": "c" * 64, "more": "yes"}),
    (Envelope, {"transportDocument": {"k": 1}, "envelopeManifestSignedContent": "a.b.c",
                "envelopeTransferChain": ["a.b.c"], "issuanceManifestSignedContent": "x.y.z"}),
])
def test_round_trips(cls: Any, data: dict[str, Any]) -> None:
    assert cls.from_dict(data).to_dict() == data


def test_pint_demo_unsigned_payloads_round_trip(shared_data: Any) -> None:
    folder = shared_data / "dcsa" / "pint-demo" / "pint-transfers"
    envelope = json.loads((folder / "HHL71800000-ebl-envelope-ed25519.json").read_text())
    for index, kind in enumerate(("ISSU", "TRNS")):
        name = f"HHL71800000-transfer-chain-entry-{kind}-ed25519.json"
        data = json.loads((folder / name).read_text())
        assert TransferChainEntry.from_dict(data).to_dict() == data
        assert _schema.validator("EnvelopeTransferChainEntry").is_valid(data)
        body = envelope["envelopeTransferChain"][index].split(".")[1]
        assert base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)) == canonical_json(data)  # PD signs JCS
    manifest = json.loads((folder / "HHL71800000-envelope-manifest-ed25519.json").read_text())
    assert EnvelopeManifest.from_dict(manifest).to_dict() == manifest
    assert _schema.validator("EnvelopeManifest").is_valid(manifest)


@pytest.mark.parametrize("bad", [{}, {"eblPlatform": 1, "transportDocumentChecksum": "a", "transactions": []},
                                 {"eblPlatform": "X", "transportDocumentChecksum": "a", "transactions": [{}]},
                                 {"eblPlatform": "X", "transportDocumentChecksum": "a", "transactions": "no"}])
def test_malformed_entries_raise(bad: dict[str, Any]) -> None:
    with pytest.raises(PintModelError):
        TransferChainEntry.from_dict(bad)


def test_party_identity() -> None:
    a = Party("Alice", "EBL1", (IdentifyingCode("EBL1", "alice"),))
    assert a.same_as(Party("ALICE LTD", "EBL1", (IdentifyingCode("EBL1", "alice"), IdentifyingCode("GLEIF", "1"))))
    assert not a.same_as(Party("Alice", "EBL2", (IdentifyingCode("EBL1", "alice"),)))  # other platform
    assert not a.same_as(Party("Alice", "EBL1", (IdentifyingCode("EBL1", "alicia"),)))  # other code
    assert Party("Alice", "EBL1").same_as(Party("Alice", "EBL1", (IdentifyingCode("EBL1", "x"),)))  # names
    assert not Party("Alice", "EBL1").same_as(Party("Alicia", "EBL1"))
    assert not a.same_as(None)


def test_issue_to_party_form() -> None:
    alice = party("alice")
    issue_to = alice.to_issue_to()
    assert issue_to == {"partyName": "Alice Exports Ltd", "sendToPlatform": "EBL1",
                        "identifyingCodes": [{"codeListProvider": "EBL1", "partyCode": "alice"}]}
    assert Party.from_dict(issue_to).same_as(alice)
    assert _schema.validator("IssueToParty").is_valid(issue_to)


def test_identifying_code_parse() -> None:
    assert IdentifyingCode.parse("EBL1:alice@x.com").key == ("EBL1", "alice@x.com", None)
    assert IdentifyingCode.parse("W3C/DID:did:web:x.example").key == ("W3C", "did:web:x.example", "DID")
    for bad in ("nocolon", ":x", "EBL1:"):
        with pytest.raises(ValueError):
            IdentifyingCode.parse(bad)


def test_actions_and_legacy_codes() -> None:
    assert resolve_action("TRANSFER") == (ActionCode.TRANSFER, False)
    assert resolve_action("TRNS") == (ActionCode.TRANSFER, True)
    assert resolve_action("RESA") == (ActionCode.SURRENDER_FOR_AMENDMENT, True)
    assert resolve_action("SACC") == (ActionCode.SACC, False)
    assert resolve_action("NOPE") == (None, False)


def test_datetimes_are_rfc3339_utc_milliseconds() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(when) == "2026-01-02T01:04:05.678Z"
    assert format_datetime(datetime(2026, 1, 2)) == "2026-01-02T00:00:00.000Z"
    # Four-digit years before 1000 too (strftime's %Y does not pad them on glibc), and they read back.
    early = datetime(702, 6, 15, 0, 53, 20, tzinfo=UTC)
    assert format_datetime(early) == "0702-06-15T00:53:20.000Z"
    assert parse_datetime(format_datetime(early)) == early
    assert parse_datetime("2026-01-02T01:04:05.678Z") == datetime(2026, 1, 2, 1, 4, 5, 678000, tzinfo=UTC)
    assert parse_datetime("2026-01-02T03:04:05+02:00") == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    for bad in ("2026-01-02", "2026-01-02T03:04:05", "yesterday"):
        with pytest.raises(ValueError):
            parse_datetime(bad)


def test_document_metadata_from_bytes() -> None:
    meta = DocumentMetadata.from_bytes("a.pdf", b"%PDF-1.7 hello", "application/pdf")
    assert meta.size == 14 and len(meta.document_checksum) == 64
    assert _schema.validator("DocumentMetadata").is_valid(meta.to_dict())


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [True, False, None, "é\u2028\x7f", "\x00\x1f\"\\\n"], "c": {"z": "𝄞", "y": -(2**53) + 1}},
    {"k": "\ud7ff\ue000\uffff", "n": 0, "nested": [[[]], {}]},
    {"float": 1.5}, {"é": 1, "e": 2}, {"🙂": 1, "\ufb01": 2},
])
def test_canonical_json_equals_rfc8785(value: Any) -> None:
    assert canonical_json(value) == reference_jcs(value)


@pytest.mark.parametrize("value", [{"big": 2**53 + 1}, {"nan": float("nan")}, {1: "int key"}, ["\udc00"]])
def test_canonical_json_refuses_what_rfc8785_refuses(value: Any) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json(value)


def test_transaction_requires_core_fields() -> None:
    with pytest.raises(PintModelError):
        Transaction.from_dict({"actionCode": "SIGN", "actionDateTime": "2026-01-01T00:00:00.000Z"})


def test_results_pickle_for_the_worker_processes_of_a_batch() -> None:
    """``etr verify -j N`` sends results back from worker processes: the whole result must pickle."""
    import pickle

    from pint_simulator import World

    world = World()
    result = world.verify(world.build([("TRANSFER", "alice", "bob")]))
    again = pickle.loads(pickle.dumps(result))
    assert again.to_dict() == result.to_dict() and again.head == result.head
    assert again.current_holder is not None and not again.current_holder.extra
