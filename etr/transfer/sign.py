"""Sign PINT envelopes: issue an eBL, then append transfers, endorsements, surrenders and answers.

Two doors:

- :func:`issue` and :func:`append` (and :func:`append_entry` for several
  transactions in one entry) take and return plain envelope dicts. Each call
  reads the chain it is given, so it costs O(chain length).
- :class:`ChainBuilder` keeps the chain's state between appends, so building a
  long chain costs one signature per entry (plus one for the manifest when the
  envelope is taken out). The benchmark uses it.

Every payload is signed as its RFC 8785 (JCS) bytes (:func:`etr.crypto.digests.jcs`).
Before anything is signed, the new transactions are run through the state
machine (:mod:`etr.transfer.state`); a transaction it refuses raises
:class:`TransferRefused` and nothing is signed (the machine is left as it
was, whatever stops the signature). Every call writes a fresh
envelope manifest signed by the platform that signed the last entry. The
carrier's visualisation metadata (``eBLVisualisationByCarrier``), once sent,
is carried forward unchanged; supporting documents are those given to the call
(give them again to keep them).

The builder reads an existing chain without verifying its signatures: verify
an envelope you received (:func:`etr.transfer.verify.verify_envelope`) before
extending it.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..crypto.digests import jcs, jcs_sha256, sha256_hex
from ..crypto.jws import JwsError, parse_compact, payload_json, sign_compact, sign_compact_bytes
from ..crypto.keys import SigningKey
from ..errors import EtrError
from .model import (
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
from .state import StateMachine, Violation

__all__ = [
    "ChainBuilder",
    "DocumentsInput",
    "TransferRefused",
    "append",
    "append_entry",
    "canonical_json",
    "default_carrier",
    "document_metadata",
    "issue",
    "transaction",
]

#: Documents to describe in the manifest: metadata as is, ``(name, bytes)``,
#: ``(name, bytes, mediaType)``, or a mapping name -> bytes.
DocumentsInput = Sequence[DocumentMetadata | tuple[str, bytes] | tuple[str, bytes, str]] | Mapping[str, bytes]
PartyInput = Party | Mapping[str, Any]
TimeInput = datetime | str | None


class TransferRefused(EtrError):
    """The requested transaction breaks the PINT state machine, or the chain to extend is unusable.

    ``code`` is the first violation's code (``PINT-STATE-…``); ``violations``
    lists them all. Nothing was signed.
    """

    code = "PINT-REFUSED"

    def __init__(self, message: str, *, code: str | None = None, violations: Sequence[Violation] = (),
                 hint: str | None = None) -> None:
        super().__init__(message, code=code, hint=hint)
        self.violations = tuple(violations)


# --------------------------------------------------------------------------- canonical JSON

#: RFC 8785 (JCS) bytes of a JSON value; kept here under its old name.
canonical_json = jcs


def _entry_payload(platform: str, td_checksum: str, previous: str | None, issuance: str | None, ctr: str | None,
                   transactions: Sequence[Transaction]) -> bytes:
    """The RFC 8785 bytes of an ``EnvelopeTransferChainEntry`` payload. Raises CanonicalizationError."""
    payload: dict[str, Any] = {"eblPlatform": platform, "transportDocumentChecksum": td_checksum,
                               "transactions": [tx.to_dict() for tx in transactions]}
    if previous is not None:
        payload["previousEnvelopeTransferChainEntrySignedContentChecksum"] = previous
    if issuance is not None:
        payload["issuanceManifestSignedContent"] = issuance
    if ctr is not None:
        payload["controlTrackingRegistry"] = ctr
    return jcs(payload)


# --------------------------------------------------------------------------- small builders


def _party(value: PartyInput, what: str) -> Party:
    if isinstance(value, Party):
        return value
    try:
        return Party.from_dict(value, what)
    except PintModelError as exc:
        raise TransferRefused(f"{what}: {exc}", code="PINT-PARTY") from None


def _time(at: TimeInput) -> str:
    if at is None:
        return format_datetime(datetime.now(UTC))
    if isinstance(at, str):
        try:
            return format_datetime(parse_datetime(at))
        except ValueError as exc:
            raise TransferRefused(f"at: {exc}", code="PINT-AT") from None
    return format_datetime(at)


def transaction(action: ActionCode | str, actor: PartyInput, recipient: PartyInput | None = None, *,
                at: TimeInput = None, reason_code: str | None = None, comments: str | None = None,
                audit_reference: str | None = None) -> Transaction:
    """A new transaction; ``at`` defaults to now (RFC 3339 UTC, milliseconds).

    Raises:
        TransferRefused: ``PINT-STATE-UNKNOWN-ACTION`` for an action that is not a
            PINT 3.0 ``actionCode`` (legacy codes are refused too), a malformed
            party, or ``PINT-AT`` for an ``at`` that is not an RFC 3339 date-time.
    """
    resolved, legacy = resolve_action(str(action))
    if resolved is None or legacy:
        raise TransferRefused(f"{action!s} is not a PINT 3.0 actionCode", code="PINT-STATE-UNKNOWN-ACTION",
                              hint=f"choose one of: {', '.join(a.value for a in ActionCode)}")
    return Transaction(resolved.value, _party(actor, "actor"), _time(at),
                       _party(recipient, "recipient") if recipient is not None else None,
                       reason_code, comments, audit_reference)


def document_metadata(documents: DocumentsInput | None) -> tuple[DocumentMetadata, ...]:
    """Metadata (name, decoded size, media type, SHA-256 of the decoded bytes) of ``documents``."""
    if not documents:
        return ()
    items = list(documents.items()) if isinstance(documents, Mapping) else list(documents)
    out: list[DocumentMetadata] = []
    for item in items:
        if isinstance(item, DocumentMetadata):
            out.append(item)
            continue
        name, data, *rest = item
        media = rest[0] if rest else (mimetypes.guess_type(name)[0] or "application/octet-stream")
        out.append(DocumentMetadata.from_bytes(name, data, media))
    return tuple(out)


def default_carrier(transport_document: Mapping[str, Any], platform: str) -> Party:
    """The carrier party for ``ISSUE`` when none is given: the TD's ``issuingParty`` name (else the
    carrier code) on ``platform``, identified by ``carrierCodeListProvider:carrierCode`` (else the
    platform code)."""
    parties = transport_document.get("documentParties")
    issuing = parties.get("issuingParty") if isinstance(parties, Mapping) else None
    code, provider = transport_document.get("carrierCode"), transport_document.get("carrierCodeListProvider")
    name = issuing.get("partyName") if isinstance(issuing, Mapping) else None
    if not isinstance(name, str) or not name.strip():
        name = code if isinstance(code, str) and code else platform
    ident = (IdentifyingCode(provider, code) if isinstance(code, str) and isinstance(provider, str) and code
             else IdentifyingCode(platform, platform))
    return Party(name[:70], platform, (ident,))


def _refuse(violations: Sequence[Violation]) -> TransferRefused:
    errors = [v for v in violations if not v.warning]
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return TransferRefused(f"refused: {first.message}{more}", code=first.code, violations=errors,
                           hint="check who holds the eBL now: etr verify ENVELOPE --trust …")


# --------------------------------------------------------------------------- the builder


@dataclass(slots=True)
class _Signer:
    key: SigningKey
    platform: str
    x5c: list[str] | None


class ChainBuilder:
    """Builds a chain entry by entry, keeping its state; take the envelope out with :meth:`envelope`."""

    def __init__(self, transport_document: Mapping[str, Any]) -> None:
        if not isinstance(transport_document, Mapping):
            raise TransferRefused("the transport document must be a JSON object", code="PINT-MALFORMED")
        self.transport_document = transport_document
        self.td_checksum = jcs_sha256(transport_document)
        self.machine = StateMachine.for_document(transport_document)
        self.chain: list[str] = []
        self.platforms: list[str] = []
        self.visualisation: DocumentMetadata | None = None
        self.supporting_documents: tuple[DocumentMetadata, ...] = ()
        self._last_checksum: str | None = None
        self._signer: _Signer | None = None

    # -- reading an existing envelope

    @classmethod
    def from_envelope(cls, envelope: Mapping[str, Any] | Envelope) -> ChainBuilder:
        """A builder holding ``envelope``'s chain (signatures are not verified here).

        Raises:
            TransferRefused: the envelope is malformed, its entries do not link up or
                do not match its TD, or its transactions break the state machine.
        """
        try:
            env = envelope if isinstance(envelope, Envelope) else Envelope.from_dict(envelope)
        except PintModelError as exc:
            raise TransferRefused(f"not a PINT envelope: {exc}", code="PINT-MALFORMED") from None
        builder = cls(env.transport_document)
        for i, token in enumerate(env.transfer_chain):
            try:
                data = payload_json(parse_compact(token))
                if not isinstance(data, Mapping):
                    raise PintModelError("payload is not a JSON object")
                entry = TransferChainEntry.from_dict(data, f"envelopeTransferChain[{i}]")
            except (JwsError, PintModelError) as exc:
                raise TransferRefused(f"entry {i} cannot be read: {exc}", code="PINT-MALFORMED",
                                      hint="etr writes PINT 3.0 (actionCode/actionDateTime) chains only") from None
            if entry.previous_checksum != builder._last_checksum:
                raise TransferRefused(f"entry {i} does not link to the entry before it", code="PINT-CHAIN-LINK")
            if entry.transport_document_checksum != builder.td_checksum:
                raise TransferRefused(f"entry {i} is for another transport document", code="PINT-TD-CHECKSUM-ENTRY")
            problems = builder.machine.feed_entry(i, entry)
            if any(not v.warning for v in problems):
                raise _refuse(problems)
            builder.chain.append(token)
            builder.platforms.append(entry.ebl_platform)
            builder._last_checksum = sha256_hex(token.encode("ascii"))
        try:  # a fresh manifest replaces it; the carrier's visualisation metadata is carried forward
            manifest = payload_json(parse_compact(env.manifest_signed_content))
            if not isinstance(manifest, Mapping):
                raise PintModelError("payload is not a JSON object")
            builder.visualisation = EnvelopeManifest.from_dict(manifest).ebl_visualisation_by_carrier
        except (JwsError, PintModelError) as exc:
            raise TransferRefused(f"the envelope manifest cannot be read, so the carrier's visualisation cannot be "
                                  f"carried forward: {exc}", code="PINT-MALFORMED") from None
        return builder

    # -- adding entries

    def issue(self, issue_to: PartyInput, carrier_key: SigningKey, carrier_platform: str, *,
              carrier: PartyInput | None = None, issue_to_party: Mapping[str, Any] | None = None,
              visualisation: DocumentMetadata | tuple[str, bytes] | tuple[str, bytes, str] | None = None,
              control_tracking_registry: str | None = None, comments: str | None = None,
              x5c: list[str] | None = None, at: TimeInput = None) -> str:
        """Write the first entry: a carrier-signed IssuanceManifest and an ``ISSUE`` transaction.

        ``issue_to_party`` is the Issuance API ``IssueToParty`` whose JCS SHA-256
        becomes ``issueToChecksum``; by default it is derived from ``issue_to``
        (:meth:`Party.to_issue_to`), which lets a verifier check it.

        Returns the entry's JWS. Raises: TransferRefused.
        """
        if self.chain:
            raise TransferRefused("the chain already has entries; ISSUE comes first", code="PINT-STATE-ISSUE-REPEATED")
        recipient = _party(issue_to, "issue_to")
        actor = _party(carrier, "carrier") if carrier is not None else default_carrier(self.transport_document,
                                                                                          carrier_platform)
        if visualisation is not None:
            self.visualisation = document_metadata([visualisation])[0]
        to = dict(issue_to_party) if issue_to_party is not None else recipient.to_issue_to()
        manifest = IssuanceManifest(self.td_checksum, jcs_sha256(to),
                                    self.visualisation.document_checksum if self.visualisation else None)
        issuance_jws = sign_compact(jcs(manifest.to_dict()), carrier_key, x5c=x5c)
        tx = transaction(ActionCode.ISSUE, actor, recipient, at=at, comments=comments)
        return self._append([tx], _Signer(carrier_key, carrier_platform, x5c),
                             issuance=issuance_jws, ctr=control_tracking_registry)

    def append_entry(self, transactions: Sequence[Transaction], key: SigningKey, platform: str, *,
                     x5c: list[str] | None = None) -> str:
        """Check ``transactions`` against the state machine, then sign them as one new entry.

        Returns the entry's JWS. Raises: TransferRefused (nothing is signed).
        """
        if not self.chain:
            raise TransferRefused("the chain is empty: issue the eBL first", code="PINT-STATE-FIRST-NOT-ISSUE")
        if not transactions:
            raise TransferRefused("an entry needs at least one transaction", code="PINT-MALFORMED")
        return self._append(list(transactions), _Signer(key, platform, x5c))

    def _append(self, transactions: list[Transaction], signer: _Signer, *, issuance: str | None = None,
                ctr: str | None = None) -> str:
        index = len(self.chain)
        machine = self.machine
        saved = machine.mark()
        try:
            for t, tx in enumerate(transactions):
                problems = machine.feed(index, t, signer.platform, tx)
                if problems and any(not v.warning for v in problems):
                    raise _refuse(problems)
            body = _entry_payload(signer.platform, self.td_checksum, self._last_checksum, issuance, ctr, transactions)
            raw = sign_compact_bytes(body, signer.key, x5c=signer.x5c)
        except BaseException:  # nothing was signed: the machine forgets what it was fed
            machine.rollback(saved)
            raise
        token = raw.decode("ascii")
        self.chain.append(token)
        self.platforms.append(signer.platform)
        self._last_checksum = hashlib.sha256(raw).hexdigest()
        self._signer = signer
        return token

    # -- taking the envelope out

    def manifest(self, supporting_documents: DocumentsInput | None = None) -> EnvelopeManifest:
        """The (unsigned) manifest for the chain as it is now."""
        if self._last_checksum is None:
            raise TransferRefused("the chain is empty: issue the eBL first", code="PINT-STATE-FIRST-NOT-ISSUE")
        docs = document_metadata(supporting_documents) if supporting_documents is not None \
            else self.supporting_documents
        return EnvelopeManifest(self.td_checksum, self._last_checksum, self.visualisation, docs)

    def envelope(self, key: SigningKey | None = None, *, supporting_documents: DocumentsInput | None = None,
                 x5c: list[str] | None = None) -> dict[str, Any]:
        """The envelope dict, with a fresh manifest signed by ``key`` (default: the key that signed the
        last entry — the sending platform's).

        Raises: TransferRefused (empty chain).
        """
        manifest = self.manifest(supporting_documents)
        signer = self._signer
        if key is None:
            if signer is None:
                raise TransferRefused("no key to sign the manifest with", code="PINT-MALFORMED")
            key, x5c = signer.key, signer.x5c if x5c is None else x5c
        token = sign_compact(jcs(manifest.to_dict()), key, x5c=x5c)
        return {"transportDocument": self.transport_document, "envelopeManifestSignedContent": token,
                "envelopeTransferChain": list(self.chain)}


# --------------------------------------------------------------------------- functional doors


def issue(transport_document: Mapping[str, Any], issue_to: PartyInput, carrier_key: SigningKey,
          carrier_platform: str, *, carrier: PartyInput | None = None, issue_to_party: Mapping[str, Any] | None = None,
          visualisation: DocumentMetadata | tuple[str, bytes] | tuple[str, bytes, str] | None = None,
          supporting_documents: DocumentsInput | None = None, control_tracking_registry: str | None = None,
          comments: str | None = None, x5c: list[str] | None = None, at: TimeInput = None) -> dict[str, Any]:
    """Issue an eBL: a new envelope whose first entry carries the carrier-signed IssuanceManifest
    (``documentChecksum``, ``issueToChecksum``, optional ``eBLVisualisationByCarrierChecksum``) and
    one ``ISSUE`` transaction from the carrier to ``issue_to``. The entry and the manifest are signed
    with ``carrier_key`` for platform ``carrier_platform``.

    Raises:
        TransferRefused: the ISSUE breaks a rule (e.g. carrier not on ``carrier_platform``).
        CanonicalizationError: the TD cannot be written as RFC 8785 JSON.
    """
    builder = ChainBuilder(transport_document)
    builder.issue(issue_to, carrier_key, carrier_platform, carrier=carrier, issue_to_party=issue_to_party,
                  visualisation=visualisation, control_tracking_registry=control_tracking_registry,
                  comments=comments, x5c=x5c, at=at)
    return builder.envelope(supporting_documents=supporting_documents)


def append_entry(envelope: Mapping[str, Any] | Envelope, transactions: Sequence[Transaction], key: SigningKey,
                 platform: str, *, supporting_documents: DocumentsInput | None = None,
                 x5c: list[str] | None = None) -> dict[str, Any]:
    """Append one entry holding ``transactions`` (signed by ``key`` for ``platform``); return the new envelope.

    Raises: TransferRefused.
    """
    builder = ChainBuilder.from_envelope(envelope)
    builder.append_entry(transactions, key, platform, x5c=x5c)
    return builder.envelope(supporting_documents=supporting_documents)


def append(envelope: Mapping[str, Any] | Envelope, action: ActionCode | str, actor: PartyInput,
           recipient: PartyInput | None, key: SigningKey, platform: str, *, reason_code: str | None = None,
           supporting_documents: DocumentsInput | None = None, comments: str | None = None,
           x5c: list[str] | None = None, at: TimeInput = None) -> dict[str, Any]:
    """Append one entry with one transaction (TRANSFER, ENDORSE, ENDORSE_TO_ORDER, BLANK_ENDORSE, SIGN,
    SURRENDER_FOR_DELIVERY, SURRENDER_FOR_AMENDMENT, SACC, SREJ); return the new envelope.

    The action is checked against the chain's state before anything is signed.

    Raises:
        TransferRefused: the action breaks a rule (code ``PINT-STATE-…``) or the envelope is unusable.
    """
    tx = transaction(action, actor, recipient, at=at, reason_code=reason_code, comments=comments)
    if tx.action is ActionCode.ISSUE:
        raise TransferRefused("use issue() to issue an eBL", code="PINT-STATE-ISSUE-REPEATED")
    return append_entry(envelope, [tx], key, platform, supporting_documents=supporting_documents, x5c=x5c)

