"""Behaviour tests for catalogued codes that no other test made etr emit: for each, the input that
produces it and the code asserted (with its severity and PINT response code, or the error's group).

Written when tests/_code_recorder.py first checked the catalogue (etr/catalogue/*.toml) against a run
of the whole suite; grouped by catalogue family.
"""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pint_simulator import T0, VERIFY_AT, Pki, RawChain, World, at, forged, make_cert, party, tx_dict, x5c

from etr import validate
from etr.cli import main
from etr.crypto.digests import jcs_sha256, sha256_hex
from etr.crypto.jws import sign_compact
from etr.crypto.keys import KeyFileError, SigningKey, generate_key, write_signing_key
from etr.crypto.trust import TrustError, TrustStore
from etr.errors import DocumentError, EnvironmentProblem, UsageError
from etr.model import Finding, Severity
from etr.schemas import load_schema
from etr.transfer.sign import canonical_json
from etr.transfer.verify import VerificationResult, verify_envelope

REPO = Path(__file__).resolve().parents[2]
PREV = "previousEnvelopeTransferChainEntrySignedContentChecksum"


def the(result: VerificationResult, code: str, severity: Severity = Severity.ERROR,
        response: str | None = "BENV") -> Finding:
    """The finding ``code`` of ``result`` (the first, when there are more), checked for its severity and
    PINT response code."""
    found = [f for f in result.findings if f.code == code]
    assert found, result.codes
    assert found[0].severity is severity
    assert (found[0].detail or {}).get("responseCode") == response
    return found[0]


def issued(world: World) -> RawChain:
    """ISSUE to alice, TRANSFER alice -> bob."""
    return RawChain(world).issue().add("TRANSFER", "alice", "bob")


def signed_entry(chain: RawChain, platform: str, transactions: list[dict[str, Any]], **payload: Any) -> RawChain:
    """Append an entry signed by ``platform``: the usual payload, updated with ``payload``."""
    data = chain.payload(platform, transactions)
    data.update(payload)
    chain.tokens.append(chain.sign(data, platform))
    return chain


# --------------------------------------------------------------------------- etr


def test_a_schema_file_that_is_not_packaged_is_an_environment_problem() -> None:
    with pytest.raises(EnvironmentProblem) as exc:
        load_schema("dcsa-ebl/no-such.schema.json")
    assert exc.value.code == "ETR-SCHEMAS-MISSING"


# --------------------------------------------------------------------------- dcsa-ebl: schema keywords


def _reefer_td() -> dict[str, Any]:
    sample = REPO / "samples" / "ebl" / "valid" / "reefer-dangerous-goods-bl.json"
    td: dict[str, Any] = json.loads(sample.read_bytes())
    return td


@pytest.mark.parametrize(("change", "code", "pointer"), [
    # A contact with a name but neither phone nor email matches no branch of PartyContactDetail's anyOf.
    (lambda td: td.update(partyContactDetails=[{"name": "Lotte Peeters"}]), "EBL-SCHEMA-ANY-OF",
     "/partyContactDetails/0"),
    (lambda td: td.update(numberOfRiderPages=-1), "EBL-SCHEMA-MINIMUM", "/numberOfRiderPages"),
    (lambda td: td["utilizedTransportEquipments"][0]["activeReeferSettings"].update(humiditySetpoint=101),
     "EBL-SCHEMA-MAXIMUM", "/utilizedTransportEquipments/0/activeReeferSettings/humiditySetpoint"),
])
def test_ebl_schema_keywords(change: Any, code: str, pointer: str) -> None:
    td = _reefer_td()
    assert validate(td, family="dcsa-ebl").valid  # the sample is valid before the change
    change(td)
    report = validate(td, family="dcsa-ebl")
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.codes
    assert found[0].severity is Severity.ERROR and found[0].location is not None
    assert found[0].location.pointer == pointer


# --------------------------------------------------------------------------- dcsa-pint: schema keywords


def test_pint_schema_keywords_in_entries() -> None:
    world = World()
    chain = issued(world)
    signed_entry(chain, "EBL2", [tx_dict("TRANSFER", "bob", "carol", 2) | {"actionDateTime": "next Tuesday"}],
                 transportDocumentChecksum="abc")
    signed_entry(chain, "EBL3", [], eblPlatform="EBL3X")
    result = world.verify(chain.envelope(platform="EBL3"))
    for code, entry, where in (("PINT-SCHEMA-FORMAT", 2, "/transactions/0/actionDateTime"),
                               ("PINT-SCHEMA-MIN-LENGTH", 2, "/transportDocumentChecksum"),
                               ("PINT-SCHEMA-MIN-ITEMS", 3, "/transactions"),
                               ("PINT-SCHEMA-MAX-LENGTH", 3, "/eblPlatform")):
        finding = the(result, code)
        assert (finding.detail or {}).get("entry") == entry and (finding.detail or {})["payloadPointer"] == where


def test_pint_schema_minimum_in_the_manifest() -> None:
    world = World()
    chain = issued(world)
    envelope = chain.envelope(supportingDocuments=[{"name": "invoice.pdf", "size": 0, "mediaType": "application/pdf",
                                                    "documentChecksum": sha256_hex(b"")}])
    finding = the(world.verify(envelope), "PINT-SCHEMA-MINIMUM")
    assert finding.location is not None and finding.location.pointer == "/envelopeManifestSignedContent"


# --------------------------------------------------------------------------- dcsa-pint: JWS and keys


def test_a_critical_header_extension_is_bsig() -> None:
    world = World()
    chain = issued(world)
    chain.tokens[1] = forged({"alg": "EdDSA", "kid": "ebl1-eddsa", "crit": ["exp"], "exp": 1}, b"{}", b"sig")
    the(world.verify(chain.envelope(platform="EBL2", tokens=chain.tokens)), "PINT-JWS-HEADER", response="BSIG")


def test_a_payload_that_is_not_an_object_is_benv() -> None:
    world = World()
    chain = RawChain(world).issue()
    chain.tokens.append(chain.sign(b"[1, 2]", "EBL1"))
    the(world.verify(chain.envelope(platform="EBL1")), "PINT-JWS-PAYLOAD")


def test_an_algorithm_that_does_not_fit_the_key_is_bsig() -> None:
    # An Ed25519 key's kid under an ES256 header: the key is found, the algorithm cannot be its.
    world = World()
    chain = issued(world)
    _, body, sig = chain.tokens[1].split(".")
    head = forged({"alg": "ES256", "kid": world.key("EBL1").kid}, b"", b"").split(".")[0]
    chain.tokens[1] = f"{head}.{body}.{sig}"
    result = world.verify(chain.envelope(platform="EBL2", tokens=chain.tokens))
    assert the(result, "PINT-JWS-KEY-MISMATCH", response="BSIG").detail["entry"] == 1  # type: ignore[index]


def test_a_kid_two_trusted_keys_share_is_ambiguous() -> None:
    world = World()
    world.trust.add_key(generate_key("EdDSA", kid=world.key("EBL1").kid).public)
    result = world.verify(issued(world).envelope())
    finding = the(result, "PINT-KEY-AMBIGUOUS", response="BSIG")
    assert (finding.detail or {}).get("trustCode") == "TRUST-AMBIGUOUS-KEY"
    with pytest.raises(TrustError) as exc:
        world.trust.resolve({"alg": "EdDSA", "kid": world.key("EBL1").kid}, platform=None, at=T0).key_or_raise()
    assert exc.value.code == "TRUST-AMBIGUOUS-KEY"


def test_an_x5c_leaf_that_is_a_ca_is_invalid() -> None:
    pki = Pki()
    world = World()
    world.trust.add_certificate(pki.root)
    chain = RawChain(world).issue(x5c_chain=x5c(pki.root))  # a CA certificate as the signing certificate
    finding = the(world.verify(chain.envelope()), "PINT-KEY-X5C-INVALID", response="BSIG")
    assert (finding.detail or {}).get("trustCode") == "TRUST-X5C-INVALID"


def test_an_x5c_certificate_not_yet_valid_at_the_signing_time() -> None:
    pki = Pki()
    world = World()
    world.trust.add_certificate(pki.root)
    later = pki.leaf("Carrier Line", world.key("CAR1"), not_before=T0 + timedelta(days=1))
    chain = RawChain(world).issue(x5c_chain=later)  # signed at T0, a day before the certificate begins
    finding = the(world.verify(chain.envelope()), "PINT-KEY-X5C-NOT-YET-VALID", response="BSIG")
    assert (finding.detail or {}).get("entry") == 0


def _certified(valid_from: Any, valid_until: Any) -> tuple[World, SigningKey, TrustStore]:
    """A world whose carrier key is trusted through its own (leaf) certificate only, valid in the given
    period; the other platforms' keys as bare keys; a registry binding each platform's key by thumbprint."""
    world = World()
    carrier = generate_key("EdDSA")  # kid: its thumbprint, the name a certificate-trusted key goes by
    ca = Pki()
    cert = make_cert("Carrier Line", carrier.key.public_key(), ca.name, ca.key, ca=False,
                     not_before=valid_from, not_after=valid_until)
    trust = TrustStore()
    trust.add_certificate(cert)
    for platform in ("EBL1", "EBL2"):
        trust.add_key(world.key(platform).public)
    rows = [("CAR1", carrier.public.thumbprint), *((p, world.key(p).public.thumbprint) for p in ("EBL1", "EBL2"))]
    trust.add_registry(("Code,Site,jwks_endpoint,manual_key_id\n"
                        + "".join(f"{code},,,{kid}\n" for code, kid in rows)).encode())
    return world, carrier, trust


@pytest.mark.parametrize(("window", "code"), [
    ((T0 + timedelta(days=1), T0 + timedelta(days=2)), "NOT-YET-VALID"),
    ((T0 - timedelta(days=2), T0 - timedelta(days=1)), "EXPIRED"),
])
def test_a_key_certificate_outside_its_validity_at_the_signing_time(window: tuple[Any, Any], code: str) -> None:
    world, carrier, trust = _certified(*window)
    chain = RawChain(world)
    chain.issue(issuance=chain.issuance(key=carrier), key=carrier)
    chain.add("TRANSFER", "alice", "bob")
    result = verify_envelope(chain.envelope(), trust, at=VERIFY_AT, validate_document=False)
    finding = the(result, f"PINT-KEY-{code}", response="BSIG")
    assert (finding.detail or {}).get("trustCode") == f"TRUST-KEY-{code}"
    with pytest.raises(TrustError) as exc:
        trust.resolve({"alg": "EdDSA", "kid": carrier.kid}, platform=None, at=at(0)).key_or_raise()
    assert exc.value.code == f"TRUST-KEY-{code}"


def test_key_or_raise_raises_each_resolution_failure() -> None:
    world = World()
    pki = Pki()
    world.trust.add_certificate(pki.root)
    header = {"alg": "EdDSA", "kid": world.key("EBL1").kid}
    cases = [
        ({"alg": "EdDSA", "kid": "nobody"}, "CAR1", T0, "TRUST-UNKNOWN-KEY"),
        (header, "CAR1", T0, "TRUST-PLATFORM-MISMATCH"),  # EBL1's key, registered for EBL1, not CAR1
        ({**header, "x5c": ["not base64!"]}, None, T0, "TRUST-X5C-INVALID"),
        ({"alg": "EdDSA", "x5c": pki.leaf("x", world.key("EBL1"), not_before=T0 + timedelta(days=1))},
         None, T0, "TRUST-X5C-NOT-YET-VALID"),
        ({"alg": "EdDSA", "x5c": pki.leaf("x", world.key("EBL1"), not_after=T0 - timedelta(days=1))},
         None, T0, "TRUST-X5C-EXPIRED"),
    ]
    for head, platform, when, code in cases:
        resolution = world.trust.resolve(head, platform=platform, at=when)
        with pytest.raises(TrustError) as exc:
            resolution.key_or_raise()
        assert exc.value.code == code and isinstance(exc.value, DocumentError)


# --------------------------------------------------------------------------- dcsa-pint: the chain


def test_an_entry_after_the_first_without_a_previous_checksum() -> None:
    world = World()
    chain = RawChain(world).issue()
    data = chain.payload("EBL1", [tx_dict("TRANSFER", "alice", "bob", 1)])
    del data[PREV]
    chain.tokens.append(chain.sign(data, "EBL1"))
    the(world.verify(chain.envelope()), "PINT-CHAIN-LINK-MISSING")


def test_only_the_first_entry_carries_the_issuance_manifest_and_the_ctr() -> None:
    world = World()
    chain = RawChain(world).issue()
    signed_entry(chain, "EBL1", [tx_dict("TRANSFER", "alice", "bob", 1)],
                 issuanceManifestSignedContent=chain.issuance(), controlTrackingRegistry="https://ctr.example/v1")
    result = world.verify(chain.envelope())
    assert the(result, "PINT-ISSUANCE-MISPLACED").detail["entry"] == 1  # type: ignore[index]
    assert the(result, "PINT-CTR-MISPLACED").detail["entry"] == 1  # type: ignore[index]


def test_an_issue_to_party_that_is_not_the_one_signed() -> None:
    world = World()
    someone = {"partyName": "Mallory", "sendToPlatform": "EBL1",
               "identifyingCodes": [{"codeListProvider": "EBL1", "partyCode": "mallory"}]}
    result = world.verify(issued(world).envelope(), issue_to=someone)
    the(result, "PINT-ISSUETO-CHECKSUM")
    assert result.issuance is not None and result.issuance.issue_to_verified is False


def _with_visualisation(world: World) -> RawChain:
    chain = RawChain(world)
    manifest = {"documentChecksum": chain.td_checksum, "issueToChecksum": jcs_sha256(party("alice").to_issue_to()),
                "eBLVisualisationByCarrierChecksum": sha256_hex(b"%PDF-1.7 the carrier's BL")}
    return chain.issue(issuance=sign_compact(canonical_json(manifest), world.key("CAR1")))


def test_the_carrier_visualisation_must_accompany_every_transfer() -> None:
    world = World()
    the(world.verify(_with_visualisation(world).envelope()), "PINT-VISUALISATION-MISSING")


def test_the_carrier_visualisation_must_be_the_one_signed() -> None:
    world = World()
    other = {"name": "bl.pdf", "size": 12, "mediaType": "application/pdf", "documentChecksum": sha256_hex(b"another")}
    the(world.verify(_with_visualisation(world).envelope(eBLVisualisationByCarrier=other)),
        "PINT-VISUALISATION-CHECKSUM")


def test_an_expected_recipient_cannot_be_checked_when_the_last_entry_is_unreadable() -> None:
    world = World()
    chain = issued(world)
    signed_entry(chain, "EBL2", [])  # no transactions: not a readable entry
    the(world.verify(chain.envelope(), expected_recipient="EBL3"), "PINT-RECIPIENT-UNKNOWN")


@pytest.mark.parametrize(("mode", "severity"), [("strict", Severity.ERROR), ("legacy", Severity.WARNING)])
def test_legacy_fields_by_mode(mode: str, severity: Severity) -> None:
    world = World()
    chain = RawChain(world)
    issue = chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)],
                          issuanceManifestSignedContent=chain.issuance(), **{PREV: None})
    chain.tokens.append(chain.sign(issue, "CAR1"))
    chain.add("TRNS", "alice", "bob")  # the legacy code of TRANSFER
    chain.add("SURRENDER_FOR_AMENDMENT", "bob", "carrier", reason="SWTP")
    result = world.verify(chain.envelope(), mode=mode)
    for code in ("PINT-LEGACY-NULL-PREVIOUS", "PINT-LEGACY-ACTION-CODE", "PINT-LEGACY-REASON"):
        the(result, code, severity)


def test_the_transport_document_report_failing_does_not_sink_the_verification(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: etr's own validator failing on the embedded TD is reported, not raised.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("validator failure")

    monkeypatch.setattr(importlib.import_module("etr.validate"), "validate_document", broken)
    world = World()
    result = world.verify(issued(world).envelope(), validate_document=True)
    the(result, "PINT-TD-NOT-VALIDATED", Severity.INFO)
    assert result.td_report is None and result.ok


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"at": "yesterday"}, "PINT-AT"),
    ({"mode": "lenient"}, "PINT-MODE"),
])
def test_verify_envelope_usage_errors(kwargs: dict[str, Any], code: str) -> None:
    world = World()
    with pytest.raises(UsageError) as exc:
        verify_envelope(issued(world).envelope(), world.trust, **kwargs)
    assert exc.value.code == code


# --------------------------------------------------------------------------- dcsa-pint: etr pint usage


@pytest.fixture
def carrier_files(tmp_path: Path) -> dict[str, Path]:
    private, public = write_signing_key(generate_key("EdDSA", kid="car1-key"), tmp_path / "keys")
    td = tmp_path / "td.json"  # a valid transport document: etr pint may validate what it issues
    td.write_bytes((REPO / "samples" / "ebl" / "valid" / "straight-bl.json").read_bytes())
    text = tmp_path / "not-a-certificate.pem"
    text.write_text("hello\n")
    return {"key": private, "public": public, "td": td, "text": text}


TO_ALICE = ["--to-name", "Alice Exports", "--to-platform", "EBL1"]


@pytest.mark.parametrize(("args", "code"), [
    (["pint", "issue", "{td}", "--key", "{key}", *TO_ALICE], "PINT-PLATFORM"),
    (["pint", "issue", "{td}", "--key", "{key}", "--platform", "CAR1", *TO_ALICE, "--x5c", "{text}"], "PINT-X5C"),
    (["pint", "endorse", "{td}", "--key", "{key}", "--blank", "--to-order"], "PINT-USAGE"),
    (["verify", "{td}", "--trust", "{public}", "--issue-to", "{text}"], "PINT-USAGE"),
])
def test_pint_usage_errors_exit_2(carrier_files: dict[str, Path], args: list[str], code: str) -> None:
    argv = [a.format(**{k: str(v) for k, v in carrier_files.items()}) for a in args]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert f"etr: {code}:" in result.output


# --------------------------------------------------------------------------- crypto


def test_an_unknown_algorithm_to_generate_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as exc:
        generate_key("HS256")
    assert exc.value.code == "KEY-UNSUPPORTED"


def test_a_key_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(KeyFileError) as exc:
        write_signing_key(generate_key("EdDSA"), blocker / "keys")
    assert exc.value.code == "KEY-UNWRITABLE" and isinstance(exc.value, EnvironmentProblem)
