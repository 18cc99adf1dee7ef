"""One chain entry, verified against the head of the chain before it: :func:`verify_entry`.

An envelope is verified as a loop over it (:mod:`etr.transfer.verify`), and a registry that keeps one
chain per eBL appends a received entry to its stored :class:`ChainHead` with it.

**Order of the checks** of entry *n* (every check runs, so one result tells the whole story):

1. The JWS string is hashed exactly as received; an entry that repeats an earlier one (the same JWS,
   or the same payload signed again) is a replay (``PINT-CHAIN-REPLAY``, ``DISE``): it is not linked
   nor applied (its link and its transactions would only repeat the earlier entry's).
2. It parses strictly (``PINT-JWS-…``); its payload is strict JSON; legacy fields are mapped
   (:mod:`etr.transfer.legacy`); it has the ``EnvelopeTransferChainEntry`` shape (``PINT-SCHEMA-…``).
3. Its signing time is its last transaction's ``actionDateTime``; a time the schema accepts but that
   cannot be read is an error (``PINT-TIME-UNREADABLE``), never replaced by another time without a
   finding. A time later than the verification time (plus :data:`CLOCK_SKEW`) is a warning.
4. Entry 0 names no previous entry; entry *n* > 0 names the checksum of entry *n* - 1, the head's
   (``PINT-CHAIN-LINK-MISSING``, ``-FIRST-HAS-PREVIOUS``, ``-FORK`` (``DISE``) when it follows an
   earlier entry or one another entry already follows, ``-LINK`` when it names no entry of the chain).
5. Its ``transportDocumentChecksum`` is the head's (``PINT-TD-CHECKSUM-ENTRY``). Checksums are
   compared only when well formed (64 lowercase hex digits): the schema reports the others, with
   their cause (``PINT-CHECKSUM-UPPERCASE`` for uppercase hex).
6. Only entry 0 may carry an issuance manifest or a control tracking registry.
7. Its signature verifies with a key the trust store accepts **for the entry's** ``eblPlatform``,
   certificates (``x5c``) checked at its signing time.
8. Its transactions run through the state machine (:mod:`etr.transfer.state`) from the head's state —
   only an entry that was read, is well formed and has readable times; after one that is not, the
   holder cannot be followed (``PINT-STATE-INCOMPLETE``, info) and the head's state is ``None``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from ..crypto.digests import jcs_sha256
from ..crypto.jws import DEFAULT_ALLOWED, check_allowed
from ..crypto.trust import TrustStore
from ..errors import UsageError
from ..model import Finding, Severity
from . import _schema
from .checks import Mode, Recorder, check_signature, entry_pointer, read_jws
from .legacy import PREVIOUS, normalise_entry
from .model import Party, PintModelError, TransferChainEntry, format_datetime, parse_datetime
from .results import EntryResult, SignatureCheck
from .state import ChainState, Step, feed_entry

__all__ = ["CLOCK_SKEW", "ChainHead", "EntryVerification", "coerce_time", "verify_entry"]

#: How far in the future (against the verification time) an actionDateTime may be before it is flagged.
CLOCK_SKEW = timedelta(minutes=5)
_ISSUANCE = "issuanceManifestSignedContent"
_CHECKSUM = re.compile(r"[0-9a-f]{64}")
_UNCHECKED = SignatureCheck(False)


class ChainHead(NamedTuple):
    """Where a chain stands after the entries verified so far: all that verifying the next one needs.

    Plain, immutable data (a named tuple of strings and a :class:`~etr.transfer.state.ChainState`), so a
    registry can store it. ``checksums`` are the SHA-256 of each entry's JWS as received, oldest first
    (``""`` for an entry that is not a string); ``previous`` the previous-entry checksum each one named;
    ``payloads`` the SHA-256 of each one's JWS payload (``""`` when unreadable), to tell a replay. ``state``
    is ``None`` once an entry could not be read: the holder cannot be followed after it.

    ``first`` is the index of the first entry the tuples hold (0: the whole chain). A registry that stores
    a long chain hands :func:`verify_entry` a head holding only its last entry (``first`` = its index), so
    verifying the next entry costs the same whatever the chain's length; the head then cannot tell a replay
    of, or a fork after, an earlier entry from a broken link (``PINT-CHAIN-LINK``), and the registry asks its
    database which it is.
    """

    transport_document_checksum: str
    state: ChainState | None = ChainState()
    checksums: tuple[str, ...] = ()
    previous: tuple[str | None, ...] = ()
    payloads: tuple[str, ...] = ()
    first: int = 0

    @classmethod
    def start(cls, transport_document: Mapping[str, Any], checksum: str | None = None) -> ChainHead:
        """The head of an empty chain for ``transport_document`` (whose checksum, when known, is ``checksum``).

        Raises:
            CanonicalizationError: the TD has no RFC 8785 form, so no checksum.
        """
        return cls(checksum or jcs_sha256(transport_document), ChainState.for_document(transport_document))

    @property
    def length(self) -> int:
        """How many entries the chain has: the index of the next one."""
        return self.first + len(self.checksums)

    @property
    def checksum(self) -> str | None:
        """The checksum of the last entry (``None`` before the first)."""
        return self.checksums[-1] if self.checksums else None


class EntryVerification(NamedTuple):
    """What :func:`verify_entry` found about one entry (a named tuple: one is built per entry).

    ``head`` is the chain's head with the entry appended — where the chain stands if it is accepted:
    store it only when :attr:`ok`. ``steps`` are the transactions the state machine applied,
    ``holders`` who came to hold the eBL (in order). ``payload`` is the payload as checked (legacy
    fields mapped; ``None`` when unreadable), ``model`` its parsed form (``None`` unless well formed),
    ``signed_at`` the time its key was judged at (its signing time, or the verification time when that
    cannot be read — then a finding says why).
    """

    result: EntryResult
    findings: tuple[Finding, ...]
    head: ChainHead
    signed_at: datetime
    steps: tuple[Step, ...] = ()
    holders: tuple[Party, ...] = ()
    payload: dict[str, Any] | None = None
    model: TransferChainEntry | None = None

    @property
    def ok(self) -> bool:
        """No error finding, and the signature verified."""
        return self.result.ok


def coerce_time(at: datetime | str | None) -> datetime:
    """The verification time: ``at`` (a naive datetime is taken as UTC; a string must be RFC 3339), or now.

    Raises:
        UsageError: ``PINT-AT``: ``at`` is a string that is not an RFC 3339 date-time.
    """
    if at is None:
        return datetime.now(UTC)
    if isinstance(at, str):
        try:
            return parse_datetime(at)
        except ValueError as exc:
            raise UsageError(f"--at/at: {exc}", code="PINT-AT") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def verify_entry(token: object, head: ChainHead, trust: TrustStore, *, at: datetime | str | None = None,
                 mode: Mode = "strict", allowed_algorithms: frozenset[str] = DEFAULT_ALLOWED) -> EntryVerification:
    """Verify the compact JWS ``token`` as chain entry number ``head.length``, appended to ``head``.

    ``head`` must be already verified: :meth:`ChainHead.start` for the first entry (ISSUE), else the
    ``head`` of the previous entry's :class:`EntryVerification` (or of an envelope's
    :class:`~etr.transfer.results.VerificationResult`). ``trust`` decides which keys may sign for
    which platform; ``at`` is the verification time (default now); ``mode`` ``"legacy"`` accepts
    pre-3.0 fields with warnings. The checks, in order, are in the module docstring; problems with
    the entry are findings (``location.pointer`` ``/envelopeTransferChain/<n>``, ``detail`` with the
    PINT ``responseCode``, ``entry`` and ``payloadPointer``), never exceptions.

    What it does not do: entry 0's issuance manifest (the carrier's signature over the transport document)
    is checked by :func:`~etr.transfer.verify.verify_envelope`, which needs the document; start a stored
    chain from a verified envelope, and append to its ``head`` here. A signature whose
    ``platform_binding`` is ``"unknown"`` (the platform's registry row names only a JWKS endpoint) was
    not shown to be the platform's: the envelope's outcome is then NOT_EVALUABLE, and a registry should
    refuse to append on it.

    Returns:
        An :class:`EntryVerification`: ``ok`` when the entry may be appended (see above for a binding that
        is ``"unknown"``), ``head`` the new head.

    Raises:
        UsageError: ``mode`` is unknown, ``at`` is not a date-time, or ``allowed_algorithms`` names
            ``none``, an HMAC or an unknown algorithm.
    """
    if mode not in ("strict", "legacy"):
        raise UsageError(f"unknown mode {mode!r}; choose strict or legacy", code="PINT-MODE")
    allowed = allowed_algorithms if allowed_algorithms is DEFAULT_ALLOWED else check_allowed(allowed_algorithms)
    return check_entry(token, head, trust, coerce_time(at), mode, allowed, {})


def check_entry(token: object, head: ChainHead, trust: TrustStore, when: datetime, mode: Mode,
                allowed: frozenset[str], memo: dict[Any, Any]) -> EntryVerification:
    """:func:`verify_entry` with its arguments already checked (``when`` aware, ``allowed`` checked); ``memo``
    is the trust store's look-up memo (:meth:`~etr.crypto.trust.TrustStore.resolve_memo`) for one envelope."""
    i, rec = head.length, Recorder(mode)
    where, part = entry_pointer(i), f"entry {i}"
    # 1. Hashed as received; a replay is not linked nor applied.
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest() if isinstance(token, str) else ""
    replayed = checksum in head.checksums
    if replayed:
        first = head.first + head.checksums.index(checksum)
        rec.add("PINT-CHAIN-REPLAY", f"entry {i} repeats entry {first} (same JWS): a replayed entry", "DISE",
                entry=i, duplicateOf=first)

    # 2. The JWS, its payload, the legacy mapping, the shape.
    parsed, data = read_jws(rec, token, pointer=where, entry=i, part=part)
    payload_sum = hashlib.sha256(parsed.payload).hexdigest() if parsed is not None else ""
    if parsed is not None and not replayed and payload_sum in head.payloads:
        earlier = head.first + head.payloads.index(payload_sum)
        rec.add("PINT-CHAIN-REPLAY", f"entry {i} repeats the payload of entry {earlier} (signed again): a replayed "
                                     "entry", "DISE", entry=i, duplicateOf=earlier)
        replayed = True
    schema_ok = readable = False
    signed_at, stamp, platform, previous = when, None, None, None
    if data is not None:
        data, explained = normalise_entry(rec, data, i)
        schema_ok = _schema.validator("EnvelopeTransferChainEntry").is_valid(data) or rec.schema(
            "EnvelopeTransferChainEntry", data, pointer=where, entry=i, explained=explained)
        # 3.-6. The signing time, the link, the TD checksum, what only entry 0 may carry, a time in the future.
        signed_at, stamp, readable = _signing_time(rec, data, i, when, schema_ok)
        platform, previous = data.get("eblPlatform"), data.get(PREVIOUS)
        platform = platform if isinstance(platform, str) else None
        previous = previous if isinstance(previous, str) else None
        if not replayed:
            _check_link(rec, i, data, head)
        named = data.get("transportDocumentChecksum")
        if isinstance(named, str) and _CHECKSUM.fullmatch(named) and named != head.transport_document_checksum:
            rec.add("PINT-TD-CHECKSUM-ENTRY", f"entry {i} names transport document checksum {named[:12]}…, not the "
                                              f"TD's {head.transport_document_checksum[:12]}…", "BENV", entry=i,
                    payload_pointer="/transportDocumentChecksum", named=named)
        for member, code in ((_ISSUANCE, "PINT-ISSUANCE-MISPLACED"), ("controlTrackingRegistry", "PINT-CTR-MISPLACED")):
            if member in data and i > 0:
                rec.add(code, f"entry {i} carries {member}; only the first entry may", "BENV", entry=i,
                        payload_pointer=f"/{member}")
        if stamp is not None and signed_at > when + CLOCK_SKEW:
            rec.add("PINT-TIME-FUTURE", f"entry {i} claims {stamp}, later than the verification time "
                                        f"{format_datetime(when)}", "BENV", entry=i, severity=Severity.WARNING,
                    payload_pointer="/transactions")

    # 7. The signature, with a key trusted for the entry's platform at its signing time.
    sig = _UNCHECKED
    if parsed is not None:
        sig, _ = check_signature(rec, trust, allowed, parsed, platform=platform, at=signed_at, pointer=where,
                                 entry=i, part=part, memo=memo)

    # 8. The story: only entries that were read, are well formed and have readable times feed the machine.
    state, model = head.state, None
    steps: tuple[Step, ...] = ()
    holders: tuple[Party, ...] = ()
    if data is not None and schema_ok and readable:
        try:
            model = TransferChainEntry.from_dict(data, part)
        except PintModelError as exc:  # the schema should have caught it; be safe
            rec.add("PINT-SCHEMA-TYPE", f"entry {i}: {exc}", "BENV", entry=i)
    if state is not None and not replayed:
        if model is None:
            rec.add("PINT-STATE-INCOMPLETE", f"the holder cannot be followed past entry {i}, which cannot be read",
                    "BENV", entry=i, severity=Severity.INFO)
            state = None
        else:
            story = feed_entry(state, i, model)
            for v in story.violations:
                rec.add(v.code, f"entry {i} transaction {v.transaction}: {v.message}", "BENV", entry=i,
                        payload_pointer=v.field, transaction=v.transaction,
                        severity=Severity.WARNING if v.warning else Severity.ERROR)
            state, steps, holders = story.state, story.steps, story.holders
    if model is not None:
        actions = tuple([t.action_code for t in model.transactions])
    else:
        txs = data.get("transactions") if data is not None else None
        actions = tuple([str(t.get("actionCode")) for t in txs if isinstance(t, dict)]) if isinstance(txs, list) \
            else ()
    new_head = ChainHead(head.transport_document_checksum, state, (*head.checksums, checksum),
                         (*head.previous, previous), (*head.payloads, payload_sum), head.first)
    findings = tuple(rec.findings)
    result = EntryResult(i, checksum, platform, previous, sig, actions, stamp,
                         state.holder if state is not None and model is not None else None,
                         sig.verified and not any(f.severity is Severity.ERROR for f in findings))
    return EntryVerification(result, findings, new_head, signed_at, steps, holders, data, model)


def _signing_time(rec: Recorder, data: dict[str, Any], i: int, at: datetime,
                  schema_ok: bool) -> tuple[datetime, str | None, bool]:
    """The entry's signing time (its last transaction's ``actionDateTime``), that string, and whether every
    transaction's time can be read. A time that cannot be read in a well-formed entry (the schema took it)
    is an error naming the field and the cause (``PINT-TIME-UNREADABLE``); in any other entry the schema
    has named them. Without a signing time, keys are judged at the verification time ``at``."""
    txs = data.get("transactions")
    txs = txs if isinstance(txs, list) else []
    times: list[tuple[datetime, str] | None] = []
    for t, tx in enumerate(txs):
        stamp = tx.get("actionDateTime") if isinstance(tx, dict) else None
        try:
            if not isinstance(stamp, str):
                raise ValueError("no actionDateTime string")
            times.append((parse_datetime(stamp), stamp))
        except ValueError as exc:
            times.append(None)
            if schema_ok:
                last = t == len(txs) - 1
                rec.add("PINT-TIME-UNREADABLE", f"entry {i} transaction {t}: actionDateTime cannot be read ({exc})"
                        + (f"; the entry's key was judged at the verification time {format_datetime(at)} instead"
                           if last else ""), "BENV", entry=i, payload_pointer=f"/transactions/{t}/actionDateTime")
    last_time = times[-1] if times else None
    if last_time is None:
        return at, None, False
    return last_time[0], last_time[1], None not in times


def _check_link(rec: Recorder, i: int, data: Mapping[str, Any], head: ChainHead) -> None:
    """Step 4: entry ``i`` names the checksum of entry ``i - 1``; say which entry it follows if not."""
    prev = data.get(PREVIOUS)
    if i == 0:
        if prev is not None:
            rec.add("PINT-CHAIN-FIRST-HAS-PREVIOUS", "the first entry names a previous entry; it must have none "
                                                     "(entries removed or reordered?)", "BENV", entry=0,
                    payload_pointer=f"/{PREVIOUS}")
        return
    if not isinstance(prev, str):
        rec.add("PINT-CHAIN-LINK-MISSING", f"entry {i} does not name the checksum of entry {i - 1}", "BENV", entry=i,
                payload_pointer=f"/{PREVIOUS}")
        return
    if not _CHECKSUM.fullmatch(prev):
        return  # the schema has said what is wrong with it
    if prev in head.previous:
        other = head.first + head.previous.index(prev)
        rec.add("PINT-CHAIN-FORK", f"entries {other} and {i} both follow the same entry: the chain forks", "DISE",
                entry=i, payload_pointer=f"/{PREVIOUS}", forkOf=other)
    elif prev == head.checksum:
        return
    elif prev in head.checksums:
        target = head.first + head.checksums.index(prev)
        rec.add("PINT-CHAIN-FORK", f"entry {i} follows entry {target}, not entry {i - 1}: the chain forks after "
                                   f"entry {target}", "DISE", entry=i, payload_pointer=f"/{PREVIOUS}", forkOf=target)
    else:
        rec.add("PINT-CHAIN-LINK", f"entry {i} does not follow entry {i - 1}: its previous checksum {prev[:12]}… names "
                                   "no earlier entry (entry removed or spliced in?)", "BENV", entry=i,
                payload_pointer=f"/{PREVIOUS}", named=prev)
