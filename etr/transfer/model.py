"""The DCSA PINT 3.0 data model: envelope, JWS payloads, transactions and parties.

Every class is a frozen dataclass built with ``from_dict`` and written back with
``to_dict``. Fields the model does not know are kept in ``extra``, so a payload
read and written again is equal to what was read (``to_dict(from_dict(d)) ==
d``). Values are kept as received (``actionDateTime`` stays a string); the
helpers below parse them on demand.

Names follow the reference (``../shared/reference/dcsa-ebl-pint.md`` §2):

- :class:`Envelope` — ``EblEnvelope`` (TD as plain JSON, the signed manifest,
  the chain of signed entries, oldest first).
- :class:`EnvelopeManifest`, :class:`DocumentMetadata` — payload of
  ``envelopeManifestSignedContent``.
- :class:`TransferChainEntry` — payload of each ``envelopeTransferChain`` JWS.
- :class:`Transaction`, :class:`Party`, :class:`IdentifyingCode`.
- :class:`IssuanceManifest` — carrier-signed payload of
  ``issuanceManifestSignedContent``.

**Party identity** (used by the state machine): two parties are the same when
they are on the same ``eblPlatform`` and either share at least one identifying
code — the triple (``codeListProvider``, ``partyCode``, ``codeListName``) — or,
when either has no identifying code, have exactly the same ``partyName``.
Identifying codes name a party within their code list, so one shared code is
enough; names are compared only as a last resort because their spelling
varies. ``taxLegalReferences`` and ``representedParty`` (acting on behalf of)
do not take part.
"""

from __future__ import annotations

import copy
import enum
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..errors import DocumentError

__all__ = [
    "LEGACY_ACTION_CODES",
    "REASON_CODES",
    "ActionCode",
    "DocumentMetadata",
    "Envelope",
    "EnvelopeManifest",
    "IdentifyingCode",
    "IssuanceManifest",
    "Party",
    "PintModelError",
    "Transaction",
    "TransferChainEntry",
    "format_datetime",
    "parse_datetime",
    "resolve_action",
]


class PintModelError(DocumentError):
    """A PINT object does not have the shape the model needs (missing or mistyped field)."""

    code = "PINT-MALFORMED"


class ActionCode(enum.StrEnum):
    """``Transaction.actionCode`` values of PINT 3.0 (since the 2025-11-14 snapshot)."""

    ISSUE = "ISSUE"
    TRANSFER = "TRANSFER"
    ENDORSE = "ENDORSE"
    ENDORSE_TO_ORDER = "ENDORSE_TO_ORDER"
    BLANK_ENDORSE = "BLANK_ENDORSE"
    SIGN = "SIGN"
    SURRENDER_FOR_DELIVERY = "SURRENDER_FOR_DELIVERY"
    SURRENDER_FOR_AMENDMENT = "SURRENDER_FOR_AMENDMENT"
    SACC = "SACC"
    SREJ = "SREJ"


#: Pre-2025-11-14 ``action`` values and their current ``actionCode``.
LEGACY_ACTION_CODES: Mapping[str, ActionCode] = {
    "ISSU": ActionCode.ISSUE,
    "TRNS": ActionCode.TRANSFER,
    "ENDO": ActionCode.ENDORSE,
    "RESD": ActionCode.SURRENDER_FOR_DELIVERY,
    "RESA": ActionCode.SURRENDER_FOR_AMENDMENT,
    "SACC": ActionCode.SACC,
    "SREJ": ActionCode.SREJ,
}

#: ``reasonCode`` values (only with SURRENDER_FOR_AMENDMENT): switch to paper,
#: change of destination, switch BL.
REASON_CODES = frozenset({"SWTP", "COD", "SWI"})

_ACTION_VALUES = {a.value: a for a in ActionCode}


def resolve_action(code: str | None) -> tuple[ActionCode | None, bool]:
    """The action for ``code`` and whether ``code`` was a legacy value (``TRNS`` …)."""
    if code is None:
        return None, False
    action = _ACTION_VALUES.get(code)
    if action is not None:
        return action, False
    legacy = LEGACY_ACTION_CODES.get(code)
    return legacy, legacy is not None


# --------------------------------------------------------------------------- time


def format_datetime(when: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision, e.g. ``2024-04-17T07:11:19.531Z``.

    A naive datetime is taken to be UTC.
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    # Not strftime: glibc's %Y does not pad years before 1000, and RFC 3339 needs four digits.
    return (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}."
            f"{when.microsecond // 1000:03d}Z")


#: RFC 3339 §5.6 ``date-time``, ASCII digits only (``\d`` would take other scripts' digits).
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
                      r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))")


@functools.lru_cache(maxsize=4096)
def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 ``date-time`` (§5.6: a ``Z`` or ``±hh:mm`` offset is required) into an aware datetime.

    Fractions beyond microseconds are cut (never rounded up: a time is never read as later than
    written). **Leap seconds** (second 60, allowed by §5.6 and §5.7 only at 23:59 UTC, as the JSON
    Schema ``date-time`` format checks) are read as the last microsecond of that minute,
    ``23:59:59.999999``: a datetime has no second 60, and this is the latest instant that is still
    *before* the following ``00:00:00`` — so times along a chain keep their order, and a certificate
    is judged inside the UTC day of the leap second (one that expires at the next ``00:00:00`` is
    still valid, one that starts then is not yet).

    Raises:
        ValueError: ``text`` is not an RFC 3339 date-time; the message names the cause.
    """
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{str(text)[:40]!r} is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fff] and Z or "
                         "an offset ±hh:mm)")
    year, month, day, hour, minute, second = (int(g) for g in match.group(1, 2, 3, 4, 5, 6))
    fraction, sign, off_h, off_m = match.group(7, 8, 9, 10)
    if sign is not None and (int(off_h) > 23 or int(off_m) > 59):
        raise ValueError(f"{text[:40]!r}: time zone offset {sign}{off_h}:{off_m} is out of range")
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1) if sign else timedelta(0)
    leap = second == 60
    try:
        value = datetime(year, month, day, hour, minute, 59 if leap else second,
                         999999 if leap else int((fraction or "0")[:6].ljust(6, "0")), timezone(offset))
        value.astimezone(UTC)  # in range in UTC too (year 1 with a positive offset is not)
    except (ValueError, OverflowError) as exc:  # month 13, day 30 in February, hour 24, year 0 …
        raise ValueError(f"{text[:40]!r}: {exc}") from None
    if leap and (hour * 60 + minute - offset // timedelta(minutes=1)) % 1440 != 23 * 60 + 59:  # 23:59 UTC
        raise ValueError(f"{text[:40]!r}: second 60 is a leap second, which RFC 3339 allows only at 23:59:60 UTC")
    return value


# --------------------------------------------------------------------------- helpers


def _require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    try:
        value = data[key]
    except KeyError:
        raise PintModelError(f"{where} has no {key!r}") from None
    except TypeError:
        raise PintModelError(f"{where} is not a JSON object") from None
    if not isinstance(value, kind) or (value.__class__ is bool and kind is not bool):
        raise PintModelError(f"{where}.{key} has the wrong type")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if value is not None and (value.__class__ is bool or not isinstance(value, kind)):
        raise PintModelError(f"{where}.{key} has the wrong type")
    return value


class _NoExtra(Mapping[str, Any]):
    """The ``extra`` of an object without unknown members: empty, immutable and — unlike an empty
    ``MappingProxyType`` — picklable, so results travel from the worker processes of ``-j N``."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


_NO_EXTRA: Mapping[str, Any] = _NoExtra()


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    unknown = data.keys() - known
    if not unknown:
        return _NO_EXTRA
    return {k: v for k, v in data.items() if k in unknown}


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True, slots=True)
class IdentifyingCode:
    """A party code within a code list (``codeListProvider`` e.g. a platform code, GLEIF, W3C)."""

    code_list_provider: str
    party_code: str
    code_list_name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"codeListProvider", "partyCode", "codeListName"})

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What identity compares: (provider, code, list name)."""
        return (self.code_list_provider, self.party_code, self.code_list_name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "identifyingCode") -> IdentifyingCode:
        """Raises: PintModelError."""
        try:  # the hot path of chain verification: one attempt, checked after
            provider, code, name = data["codeListProvider"], data["partyCode"], data.get("codeListName")
        except (KeyError, TypeError, AttributeError):
            provider = _require(data, "codeListProvider", str, where)
            code = _require(data, "partyCode", str, where)
            name = None
        if provider.__class__ is not str or code.__class__ is not str or name.__class__ not in (str, type(None)):
            _require(data, "codeListProvider", str, where)
            _require(data, "partyCode", str, where)
            _optional(data, "codeListName", str, where)
        return cls(provider, code, name, _extra(data, cls._KNOWN) if len(data) > 2 + (name is not None) else _NO_EXTRA)

    @classmethod
    def parse(cls, text: str) -> IdentifyingCode:
        """``PROVIDER:CODE`` or ``PROVIDER/LISTNAME:CODE`` (e.g. ``GLEIF/LEI:529900T8BM49AURSDO55``,
        ``W3C/DID:did:web:example.com``); the code is everything after the first ``:``.

        Raises:
            ValueError: no provider or no code.
        """
        head, sep, code = text.partition(":")
        provider, _, name = head.partition("/")
        if not sep or not provider or not code:
            raise ValueError(f"identifying code {text!r} is not PROVIDER[/LISTNAME]:CODE")
        return cls(provider, code, name or None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"codeListProvider": self.code_list_provider, "partyCode": self.party_code}
        _put(out, "codeListName", self.code_list_name)
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out

    def __str__(self) -> str:
        tail = f" ({self.code_list_name})" if self.code_list_name else ""
        return f"{self.code_list_provider}:{self.party_code}{tail}"


def _plain_codes(codes: list[Any]) -> tuple[tuple[str, str, str | None], ...] | None:
    """The (provider, code, list name) of each identifying code when every one is a dict of
    string members among ``codeListProvider``, ``partyCode`` and ``codeListName`` (what the schema
    allows); ``None`` otherwise (then :meth:`IdentifyingCode.from_dict` decides)."""
    out = []
    for c in codes:
        if c.__class__ is not dict:
            return None
        provider, code, name = c.get("codeListProvider"), c.get("partyCode"), c.get("codeListName")
        if provider.__class__ is not str or code.__class__ is not str \
                or len(c) != (2 if name is None else 3) or (name is not None and name.__class__ is not str):
            return None
        out.append((provider, code, name))
    return tuple(out)


_PARTY_KNOWN = frozenset({"partyName", "eblPlatform", "identifyingCodes", "taxLegalReferences", "representedParty"})
_ISSUE_TO_KNOWN = (_PARTY_KNOWN - {"eblPlatform"}) | {"sendToPlatform"}


@dataclass(frozen=True, slots=True)
class Party:
    """An ``ActorParty`` / ``RecipientParty`` of a transaction. See the module docstring for identity."""

    party_name: str
    ebl_platform: str
    identifying_codes: tuple[IdentifyingCode, ...] = ()
    tax_legal_references: tuple[Mapping[str, Any], ...] = ()
    represented_party: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "party") -> Party:
        """Build from a PINT party object (or an Issuance API ``IssueToParty``, whose
        ``sendToPlatform`` stands for ``eblPlatform``).

        Raises:
            PintModelError: a required field is missing or mistyped.
        """
        if data.__class__ is dict and len(data) == 3:  # the common shape: one (cached) Party per distinct party
            name, platform, codes = data.get("partyName"), data.get("eblPlatform"), data.get("identifyingCodes")
            if name.__class__ is str and platform.__class__ is str and codes.__class__ is list:
                keys = _plain_codes(codes)
                if keys is not None:
                    return _plain_party(name, platform, keys)
        if not isinstance(data, Mapping):
            raise PintModelError(f"{where} is not a JSON object")
        issue_to = "eblPlatform" not in data and "sendToPlatform" in data
        codes = _optional(data, "identifyingCodes", list, where) or ()
        taxes = _optional(data, "taxLegalReferences", list, where) or ()
        return cls(
            _require(data, "partyName", str, where),
            _require(data, "sendToPlatform" if issue_to else "eblPlatform", str, where),
            tuple([IdentifyingCode.from_dict(c, where) for c in codes]),
            tuple([t for t in taxes if isinstance(t, Mapping)]) if taxes else (),
            _optional(data, "representedParty", Mapping, where),
            _extra(data, _ISSUE_TO_KNOWN if issue_to else _PARTY_KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        """The PINT party object (``partyName``, ``eblPlatform``, ``identifyingCodes`` …)."""
        out: dict[str, Any] = {"partyName": self.party_name, "eblPlatform": self.ebl_platform,
                               "identifyingCodes": [c.to_dict() for c in self.identifying_codes]}
        if self.tax_legal_references:
            out["taxLegalReferences"] = copy.deepcopy([dict(t) for t in self.tax_legal_references])
        if self.represented_party is not None:
            out["representedParty"] = copy.deepcopy(dict(self.represented_party))
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out

    def to_issue_to(self) -> dict[str, Any]:
        """The Issuance API ``IssueToParty`` for this party (what ``issueToChecksum`` covers):
        ``partyName``, ``sendToPlatform``, ``identifyingCodes`` and ``taxLegalReferences`` when present."""
        out: dict[str, Any] = {"partyName": self.party_name, "sendToPlatform": self.ebl_platform}
        if self.identifying_codes:
            out["identifyingCodes"] = [c.to_dict() for c in self.identifying_codes]
        if self.tax_legal_references:
            out["taxLegalReferences"] = copy.deepcopy([dict(t) for t in self.tax_legal_references])
        return out

    @property
    def code_keys(self) -> frozenset[tuple[str, str, str | None]]:
        return frozenset(c.key for c in self.identifying_codes)

    def same_as(self, other: Party | None) -> bool:
        """Party identity as defined in the module docstring."""
        if other is None or self.ebl_platform != other.ebl_platform:
            return False
        if other is self:
            return True
        mine, theirs = self.identifying_codes, other.identifying_codes
        if mine and theirs:
            return any(a.party_code == b.party_code and a.code_list_provider == b.code_list_provider
                       and a.code_list_name == b.code_list_name for a in mine for b in theirs)
        return self.party_name == other.party_name

    def describe(self) -> str:
        """One line for a person: ``name [PLATFORM] code, code``."""
        codes = ", ".join(str(c) for c in self.identifying_codes)
        return f"{self.party_name} [{self.ebl_platform}]" + (f" {codes}" if codes else "")

    def __str__(self) -> str:
        return self.describe()


@functools.lru_cache(maxsize=1024)
def _plain_party(name: str, platform: str, codes: tuple[tuple[str, str, str | None], ...]) -> Party:
    """The :class:`Party` of a plain party object (name, platform, identifying codes of string members only):
    frozen all through, so one object serves every entry that names the same party."""
    return Party(name, platform, tuple([IdentifyingCode(p, c, n, _NO_EXTRA) for p, c, n in codes]), (), None,
                 _NO_EXTRA)


# --------------------------------------------------------------------------- transactions


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ``Transaction`` of a chain entry.

    ``action_code`` is the string as received; :attr:`action` resolves it
    (legacy values included, see :data:`LEGACY_ACTION_CODES`).
    """

    action_code: str
    actor: Party
    action_date_time: str
    recipient: Party | None = None
    reason_code: str | None = None
    comments: str | None = None
    audit_reference: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"actionCode", "actor", "actionDateTime", "recipient", "reasonCode", "comments",
                        "auditReference"})

    @property
    def action(self) -> ActionCode | None:
        """The action, or ``None`` for an unknown code."""
        return resolve_action(self.action_code)[0]

    @property
    def when(self) -> datetime:
        """``actionDateTime`` parsed. Raises: ValueError."""
        return parse_datetime(self.action_date_time)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "transaction") -> Transaction:
        """Raises: PintModelError (missing ``actionCode``, ``actor`` or ``actionDateTime``)."""
        if data.__class__ is dict:  # the common shape: exact types, no unknown member, no null
            code, actor, when = data.get("actionCode"), data.get("actor"), data.get("actionDateTime")
            recipient, reason = data.get("recipient"), data.get("reasonCode")
            comments, audit = data.get("comments"), data.get("auditReference")
            if code.__class__ is str and actor.__class__ is dict and when.__class__ is str \
                    and (recipient is None or recipient.__class__ is dict) \
                    and (reason is None or reason.__class__ is str) \
                    and (comments is None or comments.__class__ is str) and (audit is None or audit.__class__ is str) \
                    and len(data) == 3 + (recipient is not None) + (reason is not None) + (comments is not None) \
                    + (audit is not None):
                return cls(code, Party.from_dict(actor, where), when,
                           Party.from_dict(recipient, where) if recipient is not None else None,
                           reason, comments, audit, _NO_EXTRA)
        recipient = _optional(data, "recipient", Mapping, where)
        return cls(
            _require(data, "actionCode", str, where),
            Party.from_dict(_require(data, "actor", Mapping, where), where),
            _require(data, "actionDateTime", str, where),
            Party.from_dict(recipient, where) if recipient is not None else None,
            _optional(data, "reasonCode", str, where),
            _optional(data, "comments", str, where),
            _optional(data, "auditReference", str, where),
            _extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"actionCode": self.action_code, "actor": self.actor.to_dict(),
                               "actionDateTime": self.action_date_time}
        if self.recipient is not None:
            out["recipient"] = self.recipient.to_dict()
        _put(out, "reasonCode", self.reason_code)
        _put(out, "comments", self.comments)
        _put(out, "auditReference", self.audit_reference)
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out


@dataclass(frozen=True, slots=True)
class TransferChainEntry:
    """Payload of one ``envelopeTransferChain`` JWS (``EnvelopeTransferChainEntry``)."""

    ebl_platform: str
    transport_document_checksum: str
    transactions: tuple[Transaction, ...]
    previous_checksum: str | None = None
    issuance_manifest_signed_content: str | None = None
    control_tracking_registry: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"eblPlatform", "transportDocumentChecksum", "transactions",
                        "previousEnvelopeTransferChainEntrySignedContentChecksum",
                        "issuanceManifestSignedContent", "controlTrackingRegistry"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "entry") -> TransferChainEntry:
        """Raises: PintModelError."""
        if data.__class__ is dict:  # the common shape: exact types, no unknown member, no null
            platform, td_sum, txs = data.get("eblPlatform"), data.get("transportDocumentChecksum"), \
                data.get("transactions")
            prev, issuance = data.get("previousEnvelopeTransferChainEntrySignedContentChecksum"), \
                data.get("issuanceManifestSignedContent")
            ctr = data.get("controlTrackingRegistry")
            if platform.__class__ is str and td_sum.__class__ is str and txs.__class__ is list \
                    and (prev is None or prev.__class__ is str) and (issuance is None or issuance.__class__ is str) \
                    and (ctr is None or ctr.__class__ is str) \
                    and len(data) == 3 + (prev is not None) + (issuance is not None) + (ctr is not None):
                return cls(platform, td_sum, tuple([Transaction.from_dict(t, where) for t in txs]),
                           prev, issuance, ctr, _NO_EXTRA)
        txs = _require(data, "transactions", list, where)
        return cls(
            _require(data, "eblPlatform", str, where),
            _require(data, "transportDocumentChecksum", str, where),
            tuple([Transaction.from_dict(t, where) for t in txs]),
            _optional(data, "previousEnvelopeTransferChainEntrySignedContentChecksum", str, where),
            _optional(data, "issuanceManifestSignedContent", str, where),
            _optional(data, "controlTrackingRegistry", str, where),
            _extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"eblPlatform": self.ebl_platform,
                               "transportDocumentChecksum": self.transport_document_checksum}
        _put(out, "previousEnvelopeTransferChainEntrySignedContentChecksum", self.previous_checksum)
        _put(out, "issuanceManifestSignedContent", self.issuance_manifest_signed_content)
        _put(out, "controlTrackingRegistry", self.control_tracking_registry)
        out["transactions"] = [t.to_dict() for t in self.transactions]
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out


# --------------------------------------------------------------------------- manifests


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    """``DocumentMetadata`` of a supporting document or the carrier's visualisation.

    ``size`` is the decoded byte size; ``document_checksum`` the SHA-256 of the decoded bytes.
    """

    name: str
    size: int | float
    media_type: str
    document_checksum: str
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"name", "size", "mediaType", "documentChecksum"})

    @classmethod
    def from_bytes(cls, name: str, data: bytes, media_type: str = "application/octet-stream") -> DocumentMetadata:
        """Metadata of a document given as its decoded bytes."""
        from ..crypto.digests import sha256_hex

        return cls(name, len(data), media_type, sha256_hex(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "document") -> DocumentMetadata:
        """Raises: PintModelError."""
        return cls(
            _require(data, "name", str, where),
            _require(data, "size", (int, float), where),
            _require(data, "mediaType", str, where),
            _require(data, "documentChecksum", str, where),
            _extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "size": self.size, "mediaType": self.media_type,
                               "documentChecksum": self.document_checksum}
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out


@dataclass(frozen=True, slots=True)
class EnvelopeManifest:
    """Payload of ``envelopeManifestSignedContent``, signed by the sending platform."""

    transport_document_checksum: str
    last_entry_checksum: str
    ebl_visualisation_by_carrier: DocumentMetadata | None = None
    supporting_documents: tuple[DocumentMetadata, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"transportDocumentChecksum", "lastEnvelopeTransferChainEntrySignedContentChecksum",
                        "eBLVisualisationByCarrier", "supportingDocuments"})

    @property
    def documents(self) -> tuple[DocumentMetadata, ...]:
        """The visualisation (when present) and the supporting documents."""
        first = (self.ebl_visualisation_by_carrier,) if self.ebl_visualisation_by_carrier else ()
        return first + self.supporting_documents

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "manifest") -> EnvelopeManifest:
        """Raises: PintModelError."""
        vis = _optional(data, "eBLVisualisationByCarrier", Mapping, where)
        docs = _optional(data, "supportingDocuments", list, where) or []
        return cls(
            _require(data, "transportDocumentChecksum", str, where),
            _require(data, "lastEnvelopeTransferChainEntrySignedContentChecksum", str, where),
            DocumentMetadata.from_dict(vis, f"{where}.eBLVisualisationByCarrier") if vis is not None else None,
            tuple(DocumentMetadata.from_dict(d, f"{where}.supportingDocuments[{i}]") for i, d in enumerate(docs)),
            _extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"transportDocumentChecksum": self.transport_document_checksum,
                               "lastEnvelopeTransferChainEntrySignedContentChecksum": self.last_entry_checksum}
        if self.ebl_visualisation_by_carrier is not None:
            out["eBLVisualisationByCarrier"] = self.ebl_visualisation_by_carrier.to_dict()
        if self.supporting_documents:
            out["supportingDocuments"] = [d.to_dict() for d in self.supporting_documents]
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out


@dataclass(frozen=True, slots=True)
class IssuanceManifest:
    """Payload of ``issuanceManifestSignedContent``, signed by the carrier."""

    document_checksum: str
    issue_to_checksum: str
    ebl_visualisation_by_carrier_checksum: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"documentChecksum", "issueToChecksum", "eBLVisualisationByCarrierChecksum"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "issuanceManifest") -> IssuanceManifest:
        """Raises: PintModelError."""
        return cls(
            _require(data, "documentChecksum", str, where),
            _require(data, "issueToChecksum", str, where),
            _optional(data, "eBLVisualisationByCarrierChecksum", str, where),
            _extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"documentChecksum": self.document_checksum, "issueToChecksum": self.issue_to_checksum}
        _put(out, "eBLVisualisationByCarrierChecksum", self.ebl_visualisation_by_carrier_checksum)
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out


# --------------------------------------------------------------------------- envelope


@dataclass(frozen=True, slots=True)
class Envelope:
    """An ``EblEnvelope``: the TD as plain JSON, the signed manifest and the signed chain (oldest first).

    The JWS strings are kept exactly as received; checksums are computed over them.
    """

    transport_document: Mapping[str, Any]
    manifest_signed_content: str
    transfer_chain: tuple[str, ...]
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    _KNOWN = frozenset({"transportDocument", "envelopeManifestSignedContent", "envelopeTransferChain"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Envelope:
        """Raises: PintModelError."""
        chain = _require(data, "envelopeTransferChain", list, "envelope")
        if not all(isinstance(c, str) for c in chain):
            raise PintModelError("envelope.envelopeTransferChain holds a value that is not a JWS string")
        return cls(
            _require(data, "transportDocument", Mapping, "envelope"),
            _require(data, "envelopeManifestSignedContent", str, "envelope"),
            tuple(chain),
            _extra(data, cls._KNOWN),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Envelope:
        """Parse an envelope with etr's hardened JSON loader (duplicate keys refused).

        Raises:
            LoadError: the bytes are not acceptable JSON.
            PintModelError: the JSON is not an envelope.
        """
        from ..load import load_json

        raw = data.encode("utf-8") if isinstance(data, str) else data
        return cls.from_dict(load_json(raw, "<envelope>").content)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"transportDocument": copy.deepcopy(dict(self.transport_document)),
                               "envelopeManifestSignedContent": self.manifest_signed_content,
                               "envelopeTransferChain": list(self.transfer_chain)}
        if self.extra:
            out.update(copy.deepcopy(dict(self.extra)))
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """The envelope as JSON text (the TD's key order is kept; JWS strings are unchanged)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

