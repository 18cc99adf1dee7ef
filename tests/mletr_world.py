"""Chains, attestations and fakes for the MLETR assessment tests (built on tests/pint_simulator.py).

Every scenario of issue 12 is a function here returning ``(envelope, trust)``; the tests assess it and
compare the rows with the outcomes the scenario documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pint_simulator import (
    T0,
    VERIFY_AT,
    Pki,
    RawChain,
    World,
    make_cert,
    thumbprint_registry_csv,
    tx_dict,
    x5c,
)

from etr.crypto.keys import b64url_encode
from etr.crypto.trust import TrustStore
from etr.mletr.attestation import Attestation, parse_attestation
from etr.transfer.model import format_datetime
from etr.transfer.sign import canonical_json

REPO = Path(__file__).resolve().parents[1]
#: A valid DCSA eBL 3.0.4 transport document (to order, blank endorsed), so content rows can PASS.
TD: dict[str, Any] = json.loads((REPO / "samples/ebl/valid/to-order-blank-endorsed-bl.json").read_text("utf-8"))
AT = format_datetime(VERIFY_AT)

Built = tuple[dict[str, Any], TrustStore]


def td() -> dict[str, Any]:
    return json.loads(json.dumps(TD))


# --------------------------------------------------------------------------- the scenarios of the issue


def clean_life_cycle(w: World) -> Built:
    """Issuance, transfer, endorsement, transfer, surrender for delivery, accepted: the whole life."""
    return w.build([("TRANSFER", "alice", "bob"), ("ENDORSE", "bob", "carol"), ("TRANSFER", "bob", "carol"),
                    ("SURRENDER_FOR_DELIVERY", "carol", "carrier"), ("SACC", "carrier", "carol")], td=td()), w.trust


def live_chain(w: World) -> Built:
    """Issued and transferred once: still live."""
    return w.build([("TRANSFER", "alice", "bob")], td=td()), w.trust


def forked_chain(w: World) -> Built:
    """Alice transfers the same eBL to Bob and to Carol: two successors of entry 0."""
    chain = RawChain(w, td=td()).issue().add("TRANSFER", "alice", "bob")
    fork = RawChain(w, chain.td, chain.tokens[:1]).add("TRANSFER", "alice", "carol")
    chain.tokens.append(fork.tokens[1])
    return chain.envelope(platform="EBL1"), w.trust


def tampered_document(w: World) -> Built:
    """The transport document edited after every signature was made."""
    env = w.build([("TRANSFER", "alice", "bob")], td=td())
    env["transportDocument"]["shippedOnBoardDate"] = "2030-01-01"
    return env, w.trust


def transfer_after_surrender(w: World) -> Built:
    """The carrier accepts a surrender (the record is accomplished), then transfers it again."""
    chain = (RawChain(w, td=td()).issue().add("SURRENDER_FOR_DELIVERY", "alice", "carrier")
             .add("SACC", "carrier", "alice").add("TRANSFER", "carrier", "bob"))
    return chain.envelope(), w.trust


def switch_to_paper(w: World) -> Built:
    """Surrendered for amendment with reasonCode SWTP (switch to paper), accepted by the carrier."""
    return w.build([("TRANSFER", "alice", "bob"), ("SURRENDER_FOR_AMENDMENT", "bob", "carrier"),
                    ("SACC", "carrier", "bob")], td=td()), w.trust


def switch_to_paper_pending(w: World) -> Built:
    """Surrendered for switch to paper, not yet accepted."""
    return w.build([("SURRENDER_FOR_AMENDMENT", "alice", "carrier")], td=td()), w.trust


def switch_to_paper_then_transfer(w: World) -> Built:
    """Accepted surrender for switch to paper, then the electronic record is transferred anyway."""
    chain = (RawChain(w, td=td()).issue().add("SURRENDER_FOR_AMENDMENT", "alice", "carrier", reasonCode="SWTP")
             .add("SACC", "carrier", "alice").add("TRANSFER", "carrier", "bob"))
    return chain.envelope(), w.trust


def amendment(w: World) -> Built:
    """Surrendered for amendment (change of destination), accepted: the amended eBL is a new chain."""
    chain = (RawChain(w, td=td()).issue().add("SURRENDER_FOR_AMENDMENT", "alice", "carrier", reasonCode="COD")
             .add("SACC", "carrier", "alice"))
    return chain.envelope(), w.trust


def rsa_1024(w: World) -> Built:
    """The carrier signs the issuance entry with an RSA-1024 key, certified by a trusted CA (x5c)."""
    pki = Pki()
    trust = TrustStore()
    for key in w.keys.values():
        trust.add_key(key.public)
    trust.add_registry(thumbprint_registry_csv(w.keys))
    trust.add_certificate(pki.root)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    cert = make_cert("Weak Carrier", weak.public_key(), pki.name, pki.key, ca=False)
    chain = RawChain(w, td=td())
    payload = chain.payload("CAR1", [tx_dict("ISSUE", "carrier", "alice", 0)],
                            issuanceManifestSignedContent=chain.issuance())
    head = b64url_encode(json.dumps({"alg": "PS256", "x5c": x5c(cert, pki.root)}).encode())
    body = b64url_encode(canonical_json(payload))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    chain.tokens.append(f"{head}.{body}.{b64url_encode(weak.sign(f'{head}.{body}'.encode(), pss, hashes.SHA256()))}")
    chain.add("TRANSFER", "alice", "bob")
    return chain.envelope(), trust


def certificate_expired_since(w: World) -> Built:
    """The carrier's certificate (x5c) was valid when it signed, and has expired by the assessment time."""
    pki = Pki()
    trust = TrustStore()
    for key in w.keys.values():
        trust.add_key(key.public)
    trust.add_registry(thumbprint_registry_csv(w.keys))
    trust.add_certificate(pki.root)
    leaf = pki.leaf("Carrier Line", w.key("CAR1"), not_after=T0 + timedelta(days=1))
    chain = RawChain(w, td=td()).issue(x5c_chain=leaf).add("TRANSFER", "alice", "bob")
    return chain.envelope(), trust


def time_backwards(w: World) -> Built:
    """The second transfer claims a time before the first (platform clocks disagree)."""
    chain = RawChain(w, td=td()).issue().add("TRANSFER", "alice", "bob", step=5).add("TRANSFER", "bob", "carol",
                                                                                    step=2)
    return chain.envelope(), w.trust


def endorse_straight(w: World) -> Built:
    """An endorsement of a straight (not negotiable) bill of lading."""
    doc = td()
    doc["isToOrder"] = False
    doc.get("documentParties", {}).pop("endorsee", None)
    chain = RawChain(w, td=doc).issue().add("ENDORSE", "alice", "bob").add("TRANSFER", "alice", "bob")
    return chain.envelope(), w.trust


def domain_only_party(w: World) -> Built:
    """Bob is identified only by an e-mail address."""
    chain = RawChain(w, td=td()).issue()
    bob = {"partyName": "Bob Bank plc", "eblPlatform": "EBL2",
           "identifyingCodes": [{"codeListProvider": "EBL2", "partyCode": "payments@bob-bank.example"}]}
    tx = tx_dict("TRANSFER", "alice", None, 1)
    tx["recipient"] = bob
    chain.tokens.append(chain.sign(chain.payload("EBL1", [tx]), "EBL1"))
    return chain.envelope(), w.trust


def future_time(w: World) -> Built:
    """Assessed before the chain's last event (use with ``at=EARLY``)."""
    return w.build([("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")], td=td()), w.trust


EARLY = format_datetime(T0 - timedelta(hours=1))


def carrier_unbound(w: World) -> Built:
    """The issuance manifest is signed by a trusted key the registry does not bind to the carrier."""
    store = TrustStore()
    for key in w.keys.values():
        store.add_key(key.public)
    rows = "".join(f"{p},https://{p.lower()}.example,https://{p.lower()}.example/jwks.json,\n" for p in w.keys)
    store.add_registry(("Code,Site,jwks_endpoint,manual_key_id\n" + rows).encode())
    chain = RawChain(w, td=td())
    chain.issue(issuance=chain.issuance(key=w.key("EBL1")))
    return chain.envelope(), store


# --------------------------------------------------------------------------- attestations


def attestation(**sections: Any) -> Attestation:
    """An attestation for the simulated platforms with the given sections (JSON shapes)."""
    data = {"format": "etr-attestation", "formatVersion": "1.0",
            "platform": {"name": "Simulated platforms", "codes": ["CAR1", "EBL1", "EBL2", "EBL3"]}}
    data.update(sections)
    return parse_attestation(json.dumps(data).encode(), "<test attestation>")


ISSUER = {"issuer": "Sim Operator", "date": "2026-01-10"}


def accreditation(valid_from: str = "2026-01-01", valid_until: str | None = "2027-01-01",
                  scheme: str = "sg-eta-16q") -> dict[str, Any]:
    out = {"scheme": scheme, "body": "Sim Accreditation Authority", **ISSUER, "validFrom": valid_from}
    if valid_until is not None:
        out["validUntil"] = valid_until
    return out


FULL = dict(
    rulebook={"id": "Sim Rulebook", "version": "2.0", **ISSUER, "validFrom": "2026-01-01"},
    audits=[{"auditor": "Sim Audit LLP", "independent": True, "scope": "ETR functions", **ISSUER}],
    certifications=[{"standard": "ISO/IEC 27001:2022", **ISSUER, "validFrom": "2025-01-01",
                     "validUntil": "2028-01-01"}],
    accreditations=[accreditation()],
    accessControls={"measures": ["HSM keys", "MFA"], **ISSUER},
    consent={"basis": "accession agreement", **ISSUER},
)


# --------------------------------------------------------------------------- fakes for the registry and OA


@dataclass
class FakeStatus:
    state: str = "active"
    holder: Mapping[str, Any] | None = None
    conflicts: int = 0


@dataclass
class FakeView:
    relation: str
    status: FakeStatus | None


@dataclass
class FakeRegistry:
    """Answers ``compare`` with a fixed view (the ``etr.registry`` shape), or raises ``error``."""

    relation: str = "current"
    status: FakeStatus | None = field(default_factory=FakeStatus)
    error: Exception | None = None
    seen: list[Any] = field(default_factory=list)

    def compare(self, result: Any) -> FakeView:
        self.seen.append(result)
        if self.error is not None:
            raise self.error
        return FakeView(self.relation, self.status)


@dataclass
class FakeCheck:
    name: str
    outcome: str
    reason: str
    detail: Mapping[str, Any] | None = None


@dataclass
class FakeOAResult:
    """The ``OAVerificationResult`` shape of INTERFACES.md."""

    checks: tuple[FakeCheck, ...]
    transferable: bool = False
    token_registry: str | None = None
    token_id: str | None = None
    version: str = "2.0"
    family: str = "openattestation"
    kind: str = "verification"


#: A party name a hostile document may carry: markup that must be shown as text, never run.
HOSTILE_NAME = "<script>document.title='pwned'</script><i>Bob</i>"


def hostile_party(w: World) -> Built:
    """Alice transfers to a party whose name is markup (signed: the name is the document's, not ours)."""
    chain = RawChain(w, td=td()).issue()
    bob = {"partyName": HOSTILE_NAME, "eblPlatform": "EBL2",
           "identifyingCodes": [{"codeListProvider": "EBL2", "partyCode": "bob"}]}
    tx = tx_dict("TRANSFER", "alice", None, 1)
    tx["recipient"] = bob
    chain.tokens.append(chain.sign(chain.payload("EBL1", [tx]), "EBL1"))
    return chain.envelope(), w.trust


def _x5c_world(w: World) -> tuple[Pki, TrustStore]:
    pki = Pki()
    trust = TrustStore()
    for key in w.keys.values():
        trust.add_key(key.public)
    trust.add_registry(thumbprint_registry_csv(w.keys))
    trust.add_certificate(pki.root)
    return pki, trust


def certificate_expired_at_event(w: World) -> Built:
    """The carrier's certificate expired the day before it signed the issuance."""
    pki, trust = _x5c_world(w)
    leaf = pki.leaf("Carrier Line", w.key("CAR1"), not_after=T0 - timedelta(days=1))
    chain = RawChain(w, td=td()).issue(x5c_chain=leaf).add("TRANSFER", "alice", "bob")
    return chain.envelope(), trust


def unknown_algorithm(w: World) -> Built:
    """Entry 1's header names ES512, an algorithm etr does not accept (the signature is kept)."""
    env = w.build([("TRANSFER", "alice", "bob")], td=td())
    _, payload, signature = env["envelopeTransferChain"][1].split(".")
    head = b64url_encode(json.dumps({"alg": "ES512", "kid": w.key("EBL1").kid}).encode())
    env["envelopeTransferChain"][1] = f"{head}.{payload}.{signature}"
    return env, w.trust
