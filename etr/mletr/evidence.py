"""Evidence for the assessment: neutral objects built from what etr already verifies.

One adapter per source, each keyed on result types, family names and finding codes (never on message
text), each producing the neutral objects the checks read (reference §A6):

- :func:`classify`: the document family (a validation :class:`~etr.model.Report`) decides whether the
  document is a transferable record (an eBL, a PINT envelope, an OpenAttestation document bound to a
  token registry) or not (a sea waybill, a certificate of origin, a phytosanitary certificate, a UNTP
  credential, an OpenAttestation document without a token registry);
- :func:`chain_evidence`: a PINT :class:`~etr.transfer.results.VerificationResult` (E-CHAIN, E-SIG);
- :func:`signature_evidence`: the JWS headers of the envelope beside that result: algorithm, key type
  and size, certificate validity at the time of the event each signature was judged at;
- :func:`registry_evidence`: the registry's view of the chain (``etr.registry``; any object with
  ``compare(result)``, :class:`RegistryLike`) (E-REG);
- :func:`oa_evidence`: an OpenAttestation verification result (any object of the ``OAVerificationResult``
  shape, :class:`OAResultLike`) (E-SIG, E-ID, E-REG);
- the attestation file (:mod:`etr.mletr.attestation`) (E-ATTEST, E-PLAT).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..model import Finding, Outcome, Report

if TYPE_CHECKING:
    from ..crypto.trust import TrustStore
    from ..transfer.model import Party
    from ..transfer.results import VerificationResult
    from .attestation import Attestation

__all__ = [
    "CERTIFICATE_FAMILIES",
    "ChainEvidence",
    "Classification",
    "Event",
    "Evidence",
    "OAEvidence",
    "OAResultLike",
    "Ref",
    "RegistryEvidence",
    "RegistryLike",
    "SignatureInfo",
    "chain_evidence",
    "classify",
    "oa_evidence",
    "registry_evidence",
    "signature_evidence",
]

#: Families whose documents are certificates, never transferable records (MLETR arts. 10, 11, 15-18 do not
#: apply): what the document is, in words.
CERTIFICATE_FAMILIES: Mapping[str, str] = {
    "ephyto": "phytosanitary certificate (IPPC ePhyto)",
    "origin": "certificate of origin",
    "untp": "UNTP credential (conformity, product or traceability)",
}
#: DCSA transportDocumentTypeCode: a bill of lading is a document of title; a sea waybill is not.
_TD_TYPES = {"BOL": ("transferable", "bill of lading"), "SWB": ("not-transferable", "sea waybill")}


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to one piece of evidence: its kind (``E-CHAIN`` …), where (a JSON Pointer, a finding
    code, an attestation member) and a note."""

    kind: str
    ref: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "note": self.note}


@dataclass(frozen=True, slots=True)
class Classification:
    """``kind``: ``transferable``, ``not-transferable`` or ``unknown``; ``document_type`` in words."""

    kind: str
    family: str | None
    version: str | None
    document_type: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "family": self.family, "version": self.version,
                "documentType": self.document_type, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Event:
    """One applied transaction of the chain, for the timeline."""

    entry: int
    transaction: int
    action: str
    actor: str
    recipient: str | None
    time: str
    moment: datetime | None
    platform: str | None
    holder_after: str | None
    reason_code: str | None = None
    actor_party: Party | None = None
    recipient_party: Party | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "transaction": self.transaction, "action": self.action, "actor": self.actor,
                "recipient": self.recipient, "at": self.time, "platform": self.platform,
                "holderAfter": self.holder_after, "reasonCode": self.reason_code}


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """One signature: what it signs (``what``, ``pointer``), the JWS algorithm, the key (``key_type``:
    ``RSA``, ``EC``, ``Ed25519``; ``bits``), its certificate (when ``x5c`` carries one: hash algorithm
    of its signature, validity) and whether it held at ``event_time`` (the time it was judged at)."""

    what: str
    pointer: str
    alg: str | None
    key_type: str | None
    bits: int | None
    verified: bool
    code: str | None
    event_time: datetime | None
    certificate_subject: str | None = None
    certificate_hash: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None

    def describe(self) -> str:
        key = f"{self.key_type} {self.bits}" if self.key_type and self.bits else self.key_type or "key unknown"
        return f"{self.what}: {self.alg or '?'}, {key}{'' if self.verified else f' (not verified: {self.code})'}"

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat().replace("+00:00", "Z") if moment else None

        return {"what": self.what, "pointer": self.pointer, "alg": self.alg, "keyType": self.key_type,
                "bits": self.bits, "verified": self.verified, "code": self.code, "eventTime": iso(self.event_time),
                "certificateSubject": self.certificate_subject, "certificateHash": self.certificate_hash,
                "notBefore": iso(self.not_before), "notAfter": iso(self.not_after)}


@dataclass(frozen=True, slots=True)
class ChainEvidence:
    """What a PINT verification established (E-CHAIN): its outcome, findings by code, the events and
    holders, the record's identifier, and whether the chain has ended (``SACC``)."""

    outcome: Outcome
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]
    holders: tuple[str, ...]
    current_holder: Party | None
    holder_established: bool
    identifier: Mapping[str, str | None]
    terminated: bool
    td_report: Report | None
    entries: int
    verified_at: str | None

    def has(self, *codes: str) -> tuple[Finding, ...]:
        """The findings with one of ``codes``."""
        wanted = set(codes)
        return tuple(f for f in self.findings if f.code in wanted)

    def refs(self, *codes: str) -> tuple[Ref, ...]:
        return tuple(Ref("E-CHAIN", f.code + (f" at {f.location.pointer}" if f.location and f.location.pointer else ""),
                         f.message[:160]) for f in self.has(*codes))


@dataclass(frozen=True, slots=True)
class RegistryEvidence:
    """The registry's view (E-REG): ``relation`` of the copy to the registered chain (``unknown``,
    ``current``, ``stale``, ``ahead``, ``fork``), the record's ``state``, ``holder`` and refused
    ``conflicts``; ``error`` when the registry could not be read."""

    name: str
    relation: str | None = None
    state: str | None = None
    holder: str | None = None
    conflicts: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OAEvidence:
    """An OpenAttestation verification (``checks``: name -> (outcome, reason)), as the OA adapter reads it."""

    version: str | None
    checks: Mapping[str, tuple[Outcome, str]]
    transferable: bool
    token_registry: str | None
    token_id: str | None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything one assessment reads. ``at`` is the assessment (verification) time; ``notes`` say what
    could not be gathered and why (no trust store, registry unreachable)."""

    source: str
    at: datetime
    classification: Classification
    report: Report | None = None
    chain: ChainEvidence | None = None
    signatures: tuple[SignatureInfo, ...] = ()
    registry: RegistryEvidence | None = None
    oa: OAEvidence | None = None
    attestation: Attestation | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    loaded: bool = True
    envelope: Mapping[str, Any] | None = None
    #: The transport document's own validation report (an envelope's, read off the envelope's report).
    td_report: Report | None = None

    @property
    def event_times(self) -> tuple[datetime, ...]:
        """The times of the record's events (the chain's transactions), oldest first."""
        if self.chain is None:
            return ()
        return tuple(e.moment for e in self.chain.events if e.moment is not None)


# --------------------------------------------------------------------------- classification


def classify(report: Report | None, oa: OAEvidence | None = None, td: Mapping[str, Any] | None = None,
             ) -> Classification:
    """Transferable record or not, from the family name (and, for an eBL, its DCSA document type code)."""
    if report is None or report.family is None:
        return Classification("unknown", None, None, "unrecognised document",
                              "etr does not recognise the document type, so cannot say whether it is transferable")
    family, version = report.family, report.version
    if family in CERTIFICATE_FAMILIES:
        return Classification("not-transferable", family, version, CERTIFICATE_FAMILIES[family],
                              "a certificate does not entitle its holder to claim performance: not a transferable "
                              "record; arts. 10, 11 and 15-18 do not apply")
    if family == "openattestation":
        if oa is not None and oa.transferable:
            return Classification("transferable", family, version, "OpenAttestation transferable record",
                                  f"bound to token registry {oa.token_registry} (token {oa.token_id})")
        return Classification("not-transferable", family, version, "OpenAttestation verifiable document",
                              "no token registry: a document store or DID issuance, not a transferable record")
    if family in ("dcsa-ebl", "dcsa-pint"):
        code = (td or {}).get("transportDocumentTypeCode")
        kind, what = _TD_TYPES.get(code if isinstance(code, str) else "", ("transferable", "transport document"))
        carrier = "DCSA PINT envelope" if family == "dcsa-pint" else "DCSA eBL transport document"
        if kind == "not-transferable":
            return Classification(kind, family, version, f"{what} ({carrier})",
                                  "transportDocumentTypeCode SWB: a sea waybill is not a document of title")
        reason = ("transportDocumentTypeCode BOL: a bill of lading is a document of title" if code == "BOL"
                  else "a DCSA transport document, taken as a bill of lading (no document type code says otherwise)")
        return Classification(kind, family, version, f"{what} ({carrier})", reason)
    return Classification("unknown", family, version, f"{family} document",
                          f"etr has no classification for family {family!r}")


# --------------------------------------------------------------------------- PINT


def _describe(party: Party | None) -> str | None:
    return party.describe() if party is not None else None


def chain_evidence(result: VerificationResult) -> ChainEvidence:
    """The chain's story from a PINT verification result."""
    from ..transfer.model import ActionCode, parse_datetime

    events: list[Event] = []
    terminated = False
    for step in result.steps:
        try:
            moment: datetime | None = parse_datetime(step.action_date_time)
        except ValueError:
            moment = None
        entry = result.entries[step.entry] if step.entry < len(result.entries) else None
        events.append(Event(step.entry, step.transaction, step.action.value, step.actor.describe(),
                            _describe(step.recipient), step.action_date_time, moment,
                            entry.platform if entry else None, _describe(step.holder), None, step.actor,
                            step.recipient))
        terminated = terminated or step.action is ActionCode.SACC
    established = result.outcome is not Outcome.FAIL and not any(f.code == "PINT-STATE-UNVERIFIED"
                                                                  for f in result.findings)
    td = result.td_report
    identifier = {"transportDocumentChecksum": result.transport_document_checksum,
                  "issuanceManifest": result.issuance.placement if result.issuance else None,
                  "firstEntryChecksum": result.entries[0].checksum if result.entries else None}
    return ChainEvidence(result.outcome, result.findings, tuple(events), tuple(h.describe() for h in result.holders),
                         result.current_holder, established, identifier, terminated, td, len(result.entries),
                         result.verified_at)


def _b64json(part: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def jws_parts(token: object) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The protected header and payload of a compact JWS, as JSON objects (``None`` where unreadable).
    Read for evidence only: what they say was verified (or not) by the PINT verifier."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None, None
    head, payload, _ = token.split(".")
    h, p = _b64json(head), _b64json(payload)
    return (h if isinstance(h, dict) else None), (p if isinstance(p, dict) else None)


def reason_codes(envelope: Mapping[str, Any]) -> dict[tuple[int, int], str]:
    """(entry, transaction) -> the ``reasonCode`` of each transaction that has one."""
    out: dict[tuple[int, int], str] = {}
    chain = envelope.get("envelopeTransferChain")
    for i, token in enumerate(chain if isinstance(chain, list) else ()):
        _, payload = jws_parts(token)
        txs = (payload or {}).get("transactions")
        for j, tx in enumerate(txs if isinstance(txs, list) else ()):
            if isinstance(tx, dict) and isinstance(tx.get("reasonCode"), str):
                out[(i, j)] = tx["reasonCode"]
    return out


def with_reason_codes(chain: ChainEvidence, envelope: Mapping[str, Any]) -> ChainEvidence:
    """``chain`` with each event's ``reasonCode`` (SWTP: switch to paper) read from the entry's signed payload
    (the state machine's steps do not keep it)."""
    from dataclasses import replace

    codes = reason_codes(envelope)
    if not codes:
        return chain
    events = tuple(replace(e, reason_code=codes.get((e.entry, e.transaction))) for e in chain.events)
    return replace(chain, events=events)


def _key_info(native: Any) -> tuple[str | None, int | None]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(native, rsa.RSAPublicKey):
        return "RSA", native.key_size
    if isinstance(native, ec.EllipticCurvePublicKey):
        return f"EC {native.curve.name}", native.curve.key_size
    if isinstance(native, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(native, ed448.Ed448PublicKey):
        return "Ed448", 456
    if isinstance(native, dsa.DSAPublicKey):
        return "DSA", native.key_size
    return (type(native).__name__, None) if native is not None else (None, None)


def _leaf(header: Mapping[str, Any]) -> Any:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        return None
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(base64.b64decode(x5c[0], validate=True))
    except (ValueError, binascii.Error):
        return None


def _signature(what: str, pointer: str, token: object, verified: bool, code: str | None, key_thumbprint: str | None,
               event_time: datetime | None, store: TrustStore | None) -> SignatureInfo:
    header, _ = jws_parts(token)
    header = header or {}
    alg = header.get("alg") if isinstance(header.get("alg"), str) else None
    key_type: str | None = None
    bits: int | None = None
    subject = cert_hash = None
    not_before = not_after = None
    cert = _leaf(header)
    if cert is not None:
        from cryptography.exceptions import UnsupportedAlgorithm

        try:
            key_type, bits = _key_info(cert.public_key())
        except (ValueError, TypeError, UnsupportedAlgorithm):  # a key type cryptography cannot load
            key_type = "unsupported"
        try:
            subject = cert.subject.rfc4514_string()[:200]
        except ValueError:
            subject = "unreadable subject"
        try:
            hash_alg = cert.signature_hash_algorithm
            cert_hash = hash_alg.name.upper() if hash_alg is not None else None
        except UnsupportedAlgorithm:
            cert_hash = "unsupported"
        not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    elif store is not None and key_thumbprint:
        key = next((k for k in store.keys if k.thumbprint == key_thumbprint), None)
        if key is not None:
            key_type, bits = _key_info(key.key)
    return SignatureInfo(what, pointer, alg, key_type, bits, verified, code, event_time, subject, cert_hash,
                         not_before, not_after)


def signature_evidence(result: VerificationResult, envelope: Mapping[str, Any], store: TrustStore | None,
                       ) -> tuple[SignatureInfo, ...]:
    """Every signature of the envelope, as :class:`SignatureInfo` (E-SIG).

    The algorithm and the key come from the JWS header (the ``x5c`` leaf certificate) or, for a key
    named by ``kid``, from the trust store's key that verified it; ``event_time`` is the time the
    verifier judged the key at (the entry's transaction time; the verification time for the manifest).
    """
    from ..transfer.model import parse_datetime

    out: list[SignatureInfo] = []
    chain = envelope.get("envelopeTransferChain")
    tokens = chain if isinstance(chain, list) else []
    at = None
    if result.verified_at:
        try:
            at = parse_datetime(result.verified_at)
        except ValueError:
            at = None
    for e in result.entries:
        token = tokens[e.index] if e.index < len(tokens) else None
        try:
            moment = parse_datetime(e.signed_at) if e.signed_at else None
        except ValueError:
            moment = None
        out.append(_signature(f"entry {e.index}", f"/envelopeTransferChain/{e.index}", token, e.signature.verified,
                              e.signature.code, e.signature.key_thumbprint, moment, store))
    if result.issuance is not None and tokens:
        _, payload = jws_parts(tokens[0])
        token = (payload or {}).get("issuanceManifestSignedContent") or envelope.get("issuanceManifestSignedContent")
        s = result.issuance.signature
        first = out[0].event_time if out else at
        out.append(_signature("issuance manifest", "/envelopeTransferChain/0 issuanceManifestSignedContent", token,
                              s.verified, s.code, s.key_thumbprint, first, store))
    if result.manifest is not None:
        s = result.manifest.signature
        out.append(_signature("envelope manifest", "/envelopeManifestSignedContent",
                              envelope.get("envelopeManifestSignedContent"), s.verified, s.code, s.key_thumbprint,
                              at, store))
    return tuple(out)


# --------------------------------------------------------------------------- registry


class _StatusLike(Protocol):
    @property
    def state(self) -> str: ...

    @property
    def holder(self) -> Mapping[str, Any] | None: ...

    @property
    def conflicts(self) -> int: ...


class _ViewLike(Protocol):
    @property
    def relation(self) -> str: ...

    @property
    def status(self) -> _StatusLike | None: ...


class RegistryLike(Protocol):
    """What the assessment needs of a registry (``etr.registry.open(url)``): ``compare(result)``."""

    def compare(self, result: VerificationResult) -> _ViewLike: ...


def registry_evidence(registry: RegistryLike, result: VerificationResult, name: str) -> RegistryEvidence:
    """The registry's view of the chain in ``result``; a registry that cannot answer is an ``error``
    (the rows that need it become NOT_EVALUABLE), never an exception."""
    from ..errors import EtrError

    try:
        view = registry.compare(result)
    except EtrError as exc:
        return RegistryEvidence(name, error=f"{exc.code}: {exc}")
    except OSError as exc:
        return RegistryEvidence(name, error=f"unreachable: {exc}")
    status = view.status
    holder = None
    if status is not None and isinstance(status.holder, Mapping):
        holder = str(status.holder.get("partyName") or status.holder)
    return RegistryEvidence(name, str(view.relation), str(status.state) if status is not None else None, holder,
                            int(status.conflicts) if status is not None else 0)


# --------------------------------------------------------------------------- OpenAttestation


class _CheckLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def outcome(self) -> Outcome: ...

    @property
    def reason(self) -> str: ...


class OAResultLike(Protocol):
    """The ``OAVerificationResult`` shape (INTERFACES.md): checks, transferable, token registry and id."""

    @property
    def checks(self) -> Sequence[_CheckLike]: ...

    @property
    def transferable(self) -> bool: ...


def oa_evidence(result: OAResultLike) -> OAEvidence:
    """The neutral view of an OpenAttestation verification (checks by name: integrity, signature,
    issuance-status, identity)."""
    checks: dict[str, tuple[Outcome, str]] = {}
    for check in result.checks:
        checks[str(check.name)] = (Outcome(check.outcome), str(check.reason))
    findings: Iterable[Finding] = getattr(result, "findings", ()) or ()
    return OAEvidence(getattr(result, "version", None), checks, bool(result.transferable),
                      getattr(result, "token_registry", None), getattr(result, "token_id", None), tuple(findings))
