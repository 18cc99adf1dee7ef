"""Fault classes from real-world reports (../shared/cases/README.md), each as the project's own tests:
numbers are the doubles they are, times are read (leap seconds included) or reported, messages state
the cause, and one cause is reported once."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st
from pint_simulator import (
    RawChain,
    World,
    at,
    make_cert,
    party,
    payload_of,
    registry_csv,
    sample_td,
    tx_dict,
    with_payload,
)

from etr.crypto.keys import generate_key
from etr.crypto.trust import TrustStore
from etr.model import Outcome, Severity
from etr.transfer.model import parse_datetime
from etr.transfer.sign import ChainBuilder, canonical_json, transaction
from etr.transfer.verify import verify_envelope

# --------------------------------------------------------------------------- RFC 8785 numbers


def _signed_with_number(world: World, number: float) -> bytes:
    """An envelope whose TD holds ``number`` (as the double it is), as compact JSON text."""
    builder = ChainBuilder({**sample_td(), "x-quantity": number})
    builder.issue(party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"), at=at(0))
    builder.append_entry([transaction("TRANSFER", party("alice"), party("bob"), at=at(1))], world.key("EBL1"), "EBL1")
    return json.dumps(builder.envelope(), separators=(",", ":")).encode()


def _respelled(text: bytes, number: float, spelling: str) -> bytes:
    written = json.dumps(number).encode()
    assert text.count(b'"x-quantity":' + written) == 1
    return text.replace(b'"x-quantity":' + written, b'"x-quantity":' + spelling.encode())


def test_an_integer_beyond_2_53_that_is_a_double_passes_like_its_exponent_spelling() -> None:
    """Case 09's kind: 100000000000000000000 is exactly 1e20; RFC 8785 writes both 100000000000000000000."""
    world = World()
    text = _signed_with_number(world, 1e20)
    as_integer = world.verify(_respelled(text, 1e20, "100000000000000000000"))
    as_exponent = world.verify(_respelled(text, 1e20, "1e20"))
    assert as_integer.outcome is Outcome.PASS, as_integer.codes
    assert as_integer.to_dict() == as_exponent.to_dict()


def test_an_integer_that_is_no_double_has_no_checksum() -> None:
    world = World()
    text = _respelled(_signed_with_number(world, 9007199254740992.0), 9007199254740992.0, "9007199254740993")
    result = world.verify(text)
    assert result.codes == ("PINT-TD-UNREPRESENTABLE",) and result.response_code == "BENV"
    assert "9007199254740993" in result.findings[0].message and "IEEE 754 double" in result.findings[0].message


@settings(max_examples=25, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e30, max_value=1e30).filter(float.is_integer))
def test_the_verdict_never_depends_on_how_a_number_is_spelled(number: float) -> None:
    world = World()
    text = _signed_with_number(world, number)
    spellings = (str(int(number)), repr(number), f"{number:.17e}", f"{int(number)}.0", f"{int(number)}E0")
    results = [world.verify(_respelled(text, number, spelling)).to_dict() for spelling in spellings]
    assert results[0]["outcome"] == "PASS", results[0]["findings"]
    assert all(r == results[0] for r in results)


# --------------------------------------------------------------------------- times


def test_rfc_3339_leap_seconds_are_read_as_the_last_instant_of_their_minute() -> None:
    leap = parse_datetime("2016-12-31T23:59:60Z")
    assert leap == datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_datetime("2016-12-31T23:59:59Z") < leap < parse_datetime("2017-01-01T00:00:00Z")
    assert parse_datetime("2017-01-01T01:59:60.5+02:00") == leap  # 23:59:60 UTC, written with an offset
    for bad in ("2016-12-31T22:59:60Z", "2016-12-31T23:58:60Z"):  # leap seconds only at 23:59:60 UTC
        with pytest.raises(ValueError, match="leap second"):
            parse_datetime(bad)


_DIGITS = st.integers(0, 99).map(lambda n: f"{n:02d}")
_DATE_TIMES = st.builds(
    lambda y, mo, d, h, mi, s, frac, t, zone: f"{y:04d}-{mo}-{d}{t}{h}:{mi}:{s}{frac}{zone}",
    st.integers(0, 9999), _DIGITS, _DIGITS, _DIGITS, _DIGITS, st.sampled_from(["00", "30", "59", "60", "61"]),
    st.sampled_from(["", ".5", ".123456789", "."]), st.sampled_from(["T", "t", " "]),
    st.sampled_from(["Z", "z", "+00:00", "-00:00", "+02:00", "-01:00", "+23:59", "+24:00", "+0000", ""]))


@settings(max_examples=600, deadline=None)
@given(_DATE_TIMES)
def test_times_are_read_exactly_when_the_schema_takes_them(text: str) -> None:
    """A time the PINT schema (JSON Schema ``date-time``) accepts is read, or refused with its cause (year 0
    and the edges of the calendar, which a datetime cannot hold); one it refuses is never read."""
    import jsonschema_rs

    schema_ok = jsonschema_rs.validator_for({"type": "string", "format": "date-time"},
                                            validate_formats=True).is_valid(text)
    try:
        parse_datetime(text)
    except ValueError as exc:
        assert not schema_ok or re.search(r"year 0 is out of range|date value out of range", str(exc)), (text, exc)
    else:
        assert schema_ok, text


def _pki_world(not_before: datetime, not_after: datetime) -> tuple[World, TrustStore, Any]:
    """EBL1's key is trusted through its own certificate (valid ``not_before``..``not_after``) and registered
    for EBL1 under its thumbprint; the other platforms' keys are trusted as they are."""
    world = World()
    ebl1 = generate_key("EdDSA")  # kid: its RFC 7638 thumbprint
    world.keys["EBL1"] = ebl1
    ca = generate_key("EdDSA")
    cert = make_cert("ebl1.example", ebl1.key.public_key(), "Test CA", ca.key, ca=False, not_before=not_before,
                     not_after=not_after)
    trust = TrustStore()
    for platform, key in world.keys.items():
        if platform != "EBL1":
            trust.add_key(key.public)
    trust.add_certificate(cert)
    trust.add_registry(registry_csv(world.keys), "<registry>")
    return world, trust, cert


def _transfer_at(world: World, stamp: str) -> dict[str, Any]:
    """ISSUE (at noon on 2016-12-31) to alice, alice (EBL1) transfers to bob at ``stamp``, bob (EBL2) signs the
    next day and sends the envelope: only entry 1 depends on EBL1's certificate."""
    chain = RawChain(world)
    for platform, (action, actor, recipient), when in (
            ("CAR1", ("ISSUE", "carrier", "alice"), "2016-12-31T12:00:00Z"),
            ("EBL1", ("TRANSFER", "alice", "bob"), stamp),
            ("EBL2", ("SIGN", "bob", None), "2017-01-01T10:00:00Z")):
        extra = {"issuanceManifestSignedContent": chain.issuance()} if action == "ISSUE" else {}
        payload = chain.payload(platform, [{**tx_dict(action, actor, recipient, 0), "actionDateTime": when}], **extra)
        chain.tokens.append(chain.sign(payload, platform))
    return chain.envelope()


LEAP_DAY = datetime(2016, 12, 31, tzinfo=UTC)
CHECKED_AT = datetime(2017, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("not_before, not_after, code", [
    (LEAP_DAY - timedelta(days=200), LEAP_DAY + timedelta(days=200), None),  # valid then: as one second earlier
    (LEAP_DAY - timedelta(days=200), LEAP_DAY + timedelta(days=1), None),  # expires at the next 00:00:00
    (LEAP_DAY + timedelta(days=1), LEAP_DAY + timedelta(days=200), "PINT-KEY-NOT-YET-VALID"),  # starts then
])
def test_an_entry_signed_in_a_leap_second_is_judged_at_that_second(not_before: datetime, not_after: datetime,
                                                                   code: str | None) -> None:
    """Case 15's kind: the certificate is checked at 23:59:60, never at 'now' (here a day later)."""
    world, trust, _ = _pki_world(not_before, not_after)
    leap = verify_envelope(_transfer_at(world, "2016-12-31T23:59:60Z"), trust, at=CHECKED_AT, validate_document=False)
    earlier = verify_envelope(_transfer_at(world, "2016-12-31T23:59:59Z"), trust, at=CHECKED_AT,
                              validate_document=False)
    assert "PINT-TIME-UNREADABLE" not in leap.codes
    assert leap.entries[1].signed_at == "2016-12-31T23:59:60Z"
    assert leap.outcome is earlier.outcome and leap.codes == earlier.codes
    if code is None:
        assert leap.outcome is Outcome.PASS, leap.codes
    else:  # a certificate that starts at the next 00:00:00 is not valid in the leap second before it
        assert code in tuple(f.code for f in leap.findings if f.detail and f.detail.get("entry") == 1)


def test_a_time_the_schema_takes_but_no_datetime_holds_is_a_finding_not_now() -> None:
    world = World()
    chain = RawChain(world).issue()
    payload = chain.payload("EBL1", [{**tx_dict("TRANSFER", "alice", "bob", 1), "actionDateTime":
                                      "0000-01-01T00:00:00Z"}])
    chain.tokens.append(chain.sign(payload, "EBL1"))
    result = world.verify(chain.envelope())
    found = [f for f in result.findings if f.code == "PINT-TIME-UNREADABLE"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert found[0].detail is not None and found[0].detail["payloadPointer"] == "/transactions/0/actionDateTime"
    assert "year 0 is out of range" in found[0].message and "verification time" in found[0].message
    assert result.entries[1].signed_at is None and result.response_code == "BENV"


# --------------------------------------------------------------------------- legacy timestamps


def _legacy(world: World, stamp: object, spelled: str | None = None) -> dict[str, Any]:
    """A legacy ISSUE entry whose ``timestamp`` is ``stamp`` (written as ``spelled`` when given), signed as
    written (legacy payloads are not always RFC 8785 JSON)."""
    chain = RawChain(world)
    issue = chain.payload("CAR1", [{"action": "ISSU", "actor": party("carrier").to_dict(),
                                    "recipient": party("alice").to_dict(), "timestamp": stamp}],
                          issuanceManifestSignedContent=chain.issuance())
    text = json.dumps(issue, sort_keys=True)
    if spelled is not None:
        text = text.replace(f'"timestamp": {json.dumps(stamp)}', f'"timestamp": {spelled}')
    chain.tokens.append(chain.sign(text.encode(), "CAR1"))
    return chain.envelope()


@pytest.mark.parametrize("stamp, cause", [
    (1658385166302442200, "nanoseconds"),  # epoch nanoseconds (case 14)
    (1658385166302442, "microseconds"),
    ("2026-11-02T09:00:00Z", "a str, not a number"),
    (None, "a null, not a number"),
])
def test_a_legacy_timestamp_that_is_not_epoch_millis_says_so(stamp: object, cause: str) -> None:
    world = World()
    result = world.verify(_legacy(world, stamp), mode="legacy")
    assert result.outcome is Outcome.FAIL and result.response_code == "BENV"
    found = [f for f in result.errors if f.code == "PINT-LEGACY-TIMESTAMP-INVALID"]
    assert len(found) == 1 and "not epoch milliseconds" in found[0].message and cause in found[0].message
    assert not any("required property" in f.message or ("actionDateTime" in f.message and "null" in f.message)
                   for f in result.findings)


@pytest.mark.parametrize("spelled", ["1780304400000", "1.7803044E12", "1780304400000.0", "17803044000e2"])
def test_legacy_epoch_millis_are_read_however_spelled(spelled: str) -> None:
    world = World()
    result = world.verify(_legacy(world, 1780304400000, spelled), mode="legacy")
    assert result.outcome is Outcome.WARN, result.codes
    assert result.entries[0].signed_at == "2026-06-01T09:00:00.000Z"


# --------------------------------------------------------------------------- causes, once


def _uppercase(world: World, *, previous: bool = False, manifest: bool = False) -> dict[str, Any]:
    chain = RawChain(world).issue()
    data = chain.payload("EBL1", [tx_dict("TRANSFER", "alice", "bob", 1)])
    if previous:
        data["previousEnvelopeTransferChainEntrySignedContentChecksum"] = chain.last_checksum.upper()  # type: ignore
    elif not manifest:
        data["transportDocumentChecksum"] = chain.td_checksum.upper()
    chain.tokens.append(chain.sign(data, "EBL1"))
    env = chain.envelope()
    if manifest:
        body = payload_of(env["envelopeManifestSignedContent"])
        body["lastEnvelopeTransferChainEntrySignedContentChecksum"] = body[
            "lastEnvelopeTransferChainEntrySignedContentChecksum"].upper()
        env["envelopeManifestSignedContent"] = chain.sign(body, "EBL1")
    return env


@pytest.mark.parametrize("where", ["transportDocumentChecksum", "previous", "manifest"])
def test_uppercase_hex_checksums_are_reported_as_uppercase_hex(where: str) -> None:
    """Case 17's kind: the cause (uppercase hex), not a consequence ("for another transport document")."""
    world = World()
    result = world.verify(_uppercase(world, previous=where == "previous", manifest=where == "manifest"))
    assert result.outcome is Outcome.FAIL and result.response_code == "BENV"
    upper = [f for f in result.errors if f.code == "PINT-CHECKSUM-UPPERCASE"]
    assert len(upper) == 1 and "uppercase hex" in upper[0].message and "^[0-9a-f]+$" in upper[0].message
    for consequence in ("PINT-TD-CHECKSUM-ENTRY", "PINT-CHAIN-LINK", "PINT-MANIFEST-LAST-ENTRY", "PINT-SCHEMA-PATTERN"):
        assert consequence not in result.codes
    assert not any("another transport document" in f.message for f in result.findings)


def test_a_changed_transport_document_is_reported_once_naming_where_its_checksum_is() -> None:
    world = World()
    chain = RawChain(world).issue().add("TRANSFER", "alice", "bob").add("TRANSFER", "bob", "carol")
    env = chain.envelope()
    env["transportDocument"] = {**env["transportDocument"], "transportDocumentReference": "CHANGED001"}
    result = world.verify(env)
    assert [f.code for f in result.errors] == ["PINT-TD-CHECKSUM-MANIFEST"]
    finding = result.errors[0]
    assert finding.detail is not None and finding.detail["entries"] == [0, 1, 2]
    assert "the manifest, the issuance manifest and entries 0, 1, 2" in finding.message
    assert [e.ok for e in result.entries] == [False, False, False]


def test_one_entry_of_another_document_is_reported_for_that_entry() -> None:
    world = World()
    chain = RawChain(world).issue().add("TRANSFER", "alice", "bob")
    other = RawChain(world, sample_td(reference="OTHER00001"), list(chain.tokens)).add("TRANSFER", "bob", "carol")
    chain.tokens.append(other.tokens[-1])
    result = world.verify(chain.envelope())
    found = [f for f in result.errors if f.code.startswith("PINT-TD-CHECKSUM")]
    assert [(f.code, (f.detail or {}).get("entry")) for f in found] == [("PINT-TD-CHECKSUM-ENTRY", 2)]


def _bad_signature_at(world: World, index: int) -> dict[str, Any]:
    chain = RawChain(world).issue().add("TRANSFER", "alice", "bob")
    data = payload_of(chain.tokens[index])
    chain.tokens[index] = with_payload(chain.tokens[index], canonical_json({**data, "x-edited": True}))
    return chain.envelope(tokens=chain.tokens)


@pytest.mark.parametrize("index", [0, 1])
def test_no_message_names_entry_minus_one(index: int) -> None:
    world = World()
    result = world.verify(_bad_signature_at(world, index))
    assert "PINT-JWS-BAD-SIGNATURE" in result.codes
    unverified = next(f for f in result.findings if f.code == "PINT-STATE-UNVERIFIED")
    assert ("no holder is established" in unverified.message) is (index == 0)
    assert not any(re.search(r"entry -\d", f.message) for f in result.findings)
    assert result.current_holder is (None if index == 0 else result.current_holder)


def test_a_certificate_is_checked_at_the_entrys_time_not_now() -> None:
    """With the entry's time read, a certificate valid then is fine a year after it expired."""
    world, trust, cert = _pki_world(LEAP_DAY - timedelta(days=10), LEAP_DAY + timedelta(days=10))
    assert isinstance(cert, x509.Certificate)
    result = verify_envelope(_transfer_at(world, "2016-12-31T23:59:60Z"), trust, at=CHECKED_AT + timedelta(days=365),
                             validate_document=False)
    assert result.entries[1].ok, result.codes
