"""What the registry answers: plain, frozen values with ``to_dict()``.

- :class:`RecordKey` names one transferable record: carrier code, transport document reference and
  issuance manifest checksum (a carrier may re-issue an amended eBL under the same reference, on a new
  chain, with a new issuance manifest).
- :class:`Recording` is the answer to :meth:`~etr.registry.Registry.record` (an :class:`etr.model.Result`,
  ``kind = "registration"``): the PINT response (RECE, DUPE, DISE, BSIG, BENV), the entries stored, and the
  findings.
- :class:`RecordStatus`, :class:`HistoryEntry` and :class:`ChainView` are what the registry holds about a
  record, its accepted entries, and how an envelope relates to its chain.

The stored chain head is a :class:`~etr.transfer.entries.ChainHead` whose per-entry tuples are kept in the
``entries`` table, not in the head: :func:`state_to_json` / :func:`state_from_json` store its
:class:`~etr.transfer.state.ChainState` (a few parties, whatever the chain's length).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model import Finding, Outcome, Severity, counts
from ..transfer.model import ActionCode, Party, PintModelError
from ..transfer.state import ChainState, Endorsement

__all__ = [
    "RESPONSES",
    "STATES",
    "ChainView",
    "HistoryEntry",
    "RecordKey",
    "RecordStatus",
    "Recording",
    "record_state",
    "state_from_json",
    "state_to_json",
]

#: What :meth:`~etr.registry.Registry.record` answers (DCSA PINT 3.0 §2.10 response codes).
RESPONSES = ("RECE", "DUPE", "DISE", "BSIG", "BENV")
#: The states of a record (:func:`record_state`).
STATES = ("active", "surrendered-for-delivery", "surrendered-for-amendment", "accomplished", "void")


@dataclass(frozen=True, slots=True, order=True)
class RecordKey:
    """One transferable record: ``carrier_code`` and ``transport_document_reference`` (from the transport
    document) and ``issuance_manifest_checksum``: SHA-256 (64 lowercase hex digits) of the payload of the
    carrier's signed issuance manifest (entry 0's ``issuanceManifestSignedContent``) — what the carrier
    signed, not its signature, so a re-signed issuance manifest names the same issuance."""

    carrier_code: str
    transport_document_reference: str
    issuance_manifest_checksum: str

    def to_dict(self) -> dict[str, str]:
        return {"carrierCode": self.carrier_code, "transportDocumentReference": self.transport_document_reference,
                "issuanceManifestChecksum": self.issuance_manifest_checksum}

    def describe(self) -> str:
        """``CARR/REF#0123abcd…`` for a person."""
        return f"{self.carrier_code}/{self.transport_document_reference}#{self.issuance_manifest_checksum[:8]}…"


@dataclass(frozen=True, slots=True)
class RecordStatus:
    """Where a record stands: ``state`` (one of :data:`STATES`), who holds it (``holder``, the PINT party
    as JSON, and its ``platform``), the checksum of its last accepted entry (``head_checksum``), how many
    entries are accepted, when the last was (``updated_at``, RFC 3339 UTC), and how many distinct
    contradictions (DISE) were refused for it (``conflicts``; the same fork sent again counts once)."""

    key: RecordKey
    state: str
    holder: dict[str, Any] | None
    platform: str | None
    head_checksum: str
    entries: int
    updated_at: str
    conflicts: int
    transport_document_checksum: str
    created_at: str

    def holder_text(self) -> str:
        """``Name [PLATFORM]`` of the holder, for a person (``unknown`` when it cannot be followed)."""
        if not self.holder:
            return "unknown"
        return f"{self.holder.get('partyName', '?')} [{self.holder.get('eblPlatform', '?')}]"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key.to_dict(), "state": self.state, "holder": self.holder, "platform": self.platform,
                "headChecksum": self.head_checksum, "entries": self.entries, "updatedAt": self.updated_at,
                "conflicts": self.conflicts, "transportDocumentChecksum": self.transport_document_checksum,
                "createdAt": self.created_at}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One accepted chain entry: its ``index``, ``checksum`` (SHA-256 of the JWS as received), the
    ``actions`` of its transactions, the platform that signed it (``actor_platform``), the platform of its
    last transaction's recipient (``recipient_platform``, ``None`` when it names none), that transaction's
    ``action_date_time`` (RFC 3339), the ``signer`` (the key's kid, else its RFC 7638 thumbprint) and when
    the registry accepted it (``recorded_at``, RFC 3339 UTC)."""

    index: int
    checksum: str
    actions: tuple[str, ...]
    actor_platform: str | None
    recipient_platform: str | None
    action_date_time: str | None
    signer: str | None
    recorded_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "checksum": self.checksum, "actions": list(self.actions),
                "actorPlatform": self.actor_platform, "recipientPlatform": self.recipient_platform,
                "actionDateTime": self.action_date_time, "signer": self.signer, "recordedAt": self.recorded_at}


@dataclass(frozen=True, slots=True)
class ChainView:
    """How a verified envelope's chain relates to the registry's (:meth:`~etr.registry.Registry.compare`).

    ``relation``: ``unknown`` (the registry holds no such record), ``current`` (the envelope is the
    registry's chain), ``stale`` (an older copy: the registry accepted more entries since), ``ahead`` (it
    extends the registry's chain with entries not recorded yet), ``fork`` (it contradicts the registry's
    chain from entry ``diverges_at`` on). ``status`` is the record's, when known.
    """

    key: RecordKey | None
    relation: str
    status: RecordStatus | None = None
    envelope_entries: int = 0
    diverges_at: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key.to_dict() if self.key else None, "relation": self.relation,
                "status": self.status.to_dict() if self.status else None, "envelopeEntries": self.envelope_entries,
                "divergesAt": self.diverges_at}


@dataclass(frozen=True, slots=True)
class Recording:
    """What :meth:`~etr.registry.Registry.record` did with one envelope (an :class:`etr.model.Result`).

    ``response`` is the PINT response a receiving platform answers: ``RECE`` (new entries stored),
    ``DUPE`` (every entry already recorded, matched by payload: a re-signed retransmission too),
    ``DISE`` (it contradicts the recorded chain), ``BSIG`` / ``BENV`` (the verifier's: a bad signature or
    envelope, or a signature the trust store cannot bind to its platform offline). ``key`` names the
    record (``None`` when the envelope cannot be read that far), ``accepted`` is how many entries were
    stored now, ``entries`` how many the record holds after it, ``status`` the record's status after it (for
    ``REG-DOCUMENT-CONFLICT``: the live record's, whose ``key`` differs).
    ``verification`` is the verifier's result when the whole envelope was verified (a new record), else
    ``None`` (only the new entries were). The outcome is PASS for RECE and DUPE (WARN for a stale copy),
    FAIL otherwise.
    """

    source: str
    response: str
    findings: tuple[Finding, ...]
    key: RecordKey | None = None
    accepted: int = 0
    entries: int = 0
    status: RecordStatus | None = None
    verification: Any = None  # VerificationResult | None (kept untyped here: no import of the verifier's results)
    recorded_at: str | None = None

    kind = "registration"

    @property
    def outcome(self) -> Outcome:
        if self.response not in ("RECE", "DUPE") or any(f.severity is Severity.ERROR for f in self.findings):
            return Outcome.FAIL
        if any(f.severity is Severity.WARNING for f in self.findings):
            return Outcome.WARN
        return Outcome.PASS

    @property
    def ok(self) -> bool:
        """True for RECE and DUPE."""
        return self.outcome is not Outcome.FAIL

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The published JSON shape (``schemas/report/registration-2.schema.json``)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome.value,
            "responseCode": self.response,
            "key": self.key.to_dict() if self.key else None,
            "accepted": self.accepted,
            "entries": self.entries,
            "recordedAt": self.recorded_at,
            "status": self.status.to_dict() if self.status else None,
            "counts": counts(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def record_state(state: ChainState | None) -> str:
    """The record's state (one of :data:`STATES`) from the chain's: a pending surrender is
    ``surrendered-for-…``; an accepted one (SACC) is ``accomplished`` for delivery and ``void`` for
    amendment (the amended eBL is issued on a new chain); anything else is ``active``."""
    if state is None:
        return "active"
    if state.accomplished:
        return "void" if state.surrender is ActionCode.SURRENDER_FOR_AMENDMENT else "accomplished"
    if state.surrender is ActionCode.SURRENDER_FOR_DELIVERY:
        return "surrendered-for-delivery"
    if state.surrender is ActionCode.SURRENDER_FOR_AMENDMENT:
        return "surrendered-for-amendment"
    return "active"


def _party(value: Any) -> Party | None:
    return None if value is None else Party.from_dict(value, "stored party")


#: The chain states this process last wrote or read, by their stored text: the next append to a record reads
#: back the text the previous one wrote, and gets its state without parsing it again (a ChainState is
#: immutable). Bounded: emptied when full. Item reads and writes of a dict are atomic, so threads share it.
_STATES: dict[str, ChainState] = {}
_STATE_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True)
_STATES_MAX = 4096


def _remember_state(text: str, state: ChainState) -> None:
    if len(_STATES) >= _STATES_MAX:
        _STATES.clear()
    _STATES[text] = state


def state_to_json(state: ChainState | None) -> str:
    """The chain state as compact JSON (``"null"`` for ``None``: the holder cannot be followed)."""
    if state is None:
        return "null"

    def p(party: Party | None) -> dict[str, Any] | None:
        return None if party is None else party.to_dict()

    text = _STATE_JSON.encode({
        "issued": state.issued, "carrier": p(state.carrier), "holder": p(state.holder),
        "endorsement": state.endorsement.value, "endorsee": p(state.endorsee),
        "surrenderedBy": p(state.surrendered_by), "surrender": state.surrender.value if state.surrender else None,
        "accomplished": state.accomplished,
        "lastTime": state.last_time.isoformat() if state.last_time is not None else None,
        "toOrder": state.to_order, "blankEndorsed": state.blank_endorsed,
    })
    _remember_state(text, state)
    return text


def state_from_json(text: str) -> ChainState | None:
    """The inverse of :func:`state_to_json`.

    Raises:
        ValueError: the text is not a stored chain state (a corrupted row; the caller says which).
    """
    known = _STATES.get(text)
    if known is not None:
        return known
    data = json.loads(text)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("a stored chain state is a JSON object")
    try:
        last = data["lastTime"]
        state = ChainState(
            issued=bool(data["issued"]), carrier=_party(data["carrier"]), holder=_party(data["holder"]),
            endorsement=Endorsement(data["endorsement"]), endorsee=_party(data["endorsee"]),
            surrendered_by=_party(data["surrenderedBy"]),
            surrender=ActionCode(data["surrender"]) if data["surrender"] is not None else None,
            accomplished=bool(data["accomplished"]),
            last_time=datetime.fromisoformat(last) if last is not None else None,
            to_order=data["toOrder"], blank_endorsed=bool(data["blankEndorsed"]))
    except (KeyError, TypeError, ValueError, PintModelError) as exc:
        raise ValueError(f"a stored chain state cannot be read: {exc}") from None
    _remember_state(text, state)
    return state
