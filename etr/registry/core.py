"""The registry of record: one authoritative PINT chain per transferable record.

:class:`Registry` is the one interface; the database behind it is a :class:`~etr.registry.backend.Backend`
(SQLite or PostgreSQL), chosen by URL (:func:`etr.registry.open`).

**Recording an envelope** (:meth:`Registry.record`), in order:

1. The envelope is read as the verifier reads it (strict JSON, the loader's limits). The record it
   concerns is identified (:class:`~etr.registry.model.RecordKey`) from its transport document's
   ``carrierCode`` and ``transportDocumentReference`` and entry 0's issuance manifest; one that cannot be
   identified is refused (``REG-RECORD-UNIDENTIFIED``, BENV) unless the verifier refuses it first.
2. **A new record**: the whole envelope is verified (:func:`~etr.transfer.verify.verify_envelope`); a FAIL
   answers the verifier's response (BSIG, BENV, DISE). Another live record of the same carrier code and
   reference (a different issuance, so a different document checksum) makes it DISE
   (``REG-DOCUMENT-CONFLICT``).
3. **A known record** holding *n* entries: the envelope's first entries are compared with the recorded ones
   through a digest of their JWS strings (one hash over the envelope's bytes and one stored value, whatever
   the chain's length: no stored entry is read; when this process stored or matched that chain itself, its
   memo of the strings is compared instead, see :class:`_ChainMemo`). When they
   are the recorded entries, the answer is still about the envelope as received: its shape, its transport
   document (against the record's checksum, ``REG-TD-CHECKSUM``) and its manifest (signature, last-entry and
   TD checksums) are checked — O(1) signatures — and then an envelope of *n* entries or fewer is DUPE
   (``REG-DUPLICATE``; an older copy also ``REG-STALE``), while the entries after the *n*-th are verified
   one by one with :func:`~etr.transfer.entries.verify_entry` against the stored head, then the envelope
   manifest — so a transfer costs its new entries, not the chain. When they differ, the envelope holds
   entries this registry never verified as received, so the whole envelope is verified and its BSIG/BENV
   stands; when it verifies, the entries are compared one by one: an entry signed again over the same
   payload is the same entry (a re-signed retransmission is DUPE); any other difference is a fork
   (``REG-FORK``, DISE); new entries that follow a re-signed copy of the head, not its recorded JWS, are
   ``REG-RESIGNED-LINK`` (BENV: the registry's chain links by the JWS it recorded and never replaces one).
   A new entry that repeats a recorded one is ``REG-REPLAY`` (DISE); one that follows a recorded entry
   other than the head is ``REG-FORK``.
4. A signature whose key the trust store cannot bind to its platform offline (``platform_binding``
   ``"unknown"``: the platform's row names only a JWKS endpoint) is refused (``REG-BINDING-UNKNOWN``,
   BSIG): the registry stores only what it could check.
5. Accepted entries are stored in one transaction with the record's new head; the database's constraints
   (:mod:`etr.registry.migrations`) refuse a second successor of an entry, whatever the concurrency. A
   write that loses a race is rolled back and the envelope is judged again against the new head (so a
   conflicting successor becomes DISE). Each distinct contradiction a DISE refuses counts once in the record's
   ``conflicts`` (the same fork sent again is not counted again: table ``etr_conflicts``).

The stored head is the verifier's :class:`~etr.transfer.entries.ChainHead` with its per-entry tuples kept in
the ``entries`` table: the head handed to ``verify_entry`` holds the last entry's checksums only
(``ChainHead.first``), and the registry asks the database, by index, what the full head would have told (a
replay of a recorded entry, a fork after one). ``tests/unit/test_registry.py`` proves the two agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..crypto.digests import CanonicalizationError, jcs_sha256
from ..crypto.jws import DEFAULT_ALLOWED, JwsError, check_allowed, parse_compact, payload_json
from ..errors import RecordingRefused, RegistryCorrupt, RegistryUnavailable, UsageError
from ..load import Limits, LoadError, Source, check_json_value, load_bytes
from ..model import Finding, Location, Outcome, Severity
from ..transfer.checks import Mode, Recorder
from ..transfer.entries import ChainHead, EntryVerification, coerce_time, verify_entry
from ..transfer.model import Party, format_datetime
from ..transfer.results import RESPONSE_PRIORITY, SignatureCheck
from .backend import Backend, Conflict, EntryRow, RecordRow
from .model import (
    ChainView,
    HistoryEntry,
    Recording,
    RecordKey,
    RecordStatus,
    record_state,
    state_from_json,
    state_to_json,
)

if TYPE_CHECKING:
    from ..crypto.trust import TrustStore
    from ..transfer.results import VerificationResult

__all__ = ["Registry"]

#: What the registry's own findings cite.
REG_REFERENCE = "etr registry of record (MLETR art. 10: one authoritative record, exclusive control); " \
                "DCSA PINT 3.0 §2.10 (DUPE, DISE)"
#: How many times one envelope is judged again after losing a race, before the registry counts as unavailable.
MAX_ATTEMPTS = 200
_ISSUANCE = "issuanceManifestSignedContent"
#: What verify_entry says about an entry that does not follow the head it was given.
_LINK_CODES = frozenset({"PINT-CHAIN-LINK", "PINT-CHAIN-FORK", "PINT-CHAIN-REPLAY", "PINT-CHAIN-LINK-MISSING"})

Envelope = bytes | bytearray | str | os.PathLike[str] | Mapping[str, Any]


def _finding(code: str, severity: Severity, message: str, response: str | None = None, *,
             pointer: str | None = None, **detail: Any) -> Finding:
    data: dict[str, Any] = {"responseCode": response} if response else {}
    data.update(detail)
    return Finding(code, severity, message, Location(pointer=pointer) if pointer is not None else None,
                   REG_REFERENCE, data or None)


def _now() -> str:
    return format_datetime(datetime.now(UTC))


def _chain_hash(tokens: Sequence[str]) -> Any:
    """A SHA-256 object over the chain's first entries, each written ``<length>:<JWS>`` (so no two lists of
    strings hash alike); ``.copy()`` extends it by further entries without hashing the first ones again.
    Its hex digest is an entry's ``chain_digest``: the chain up to and including it."""
    # Built as one string, the lengths and the tokens interleaved by slice assignment: half the time of one
    # f-string per entry, and one update call for the whole chain (a megabyte at 1,000 entries).
    parts: list[str] = [""] * (2 * len(tokens))
    parts[::2] = [f"{len(t)}:" for t in tokens]
    parts[1::2] = tokens
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass"))


def _extended(h: Any, token: str) -> Any:
    h = h.copy()
    h.update(f"{len(token)}:{token}".encode("utf-8", "surrogatepass"))
    return h


#: The most JWS characters (about as many bytes) a process's :class:`_ChainMemo` holds.
MEMO_CHARS = 32 * 1024 * 1024


class _ChainMemo:
    """The chains this process last stored or found recorded, by record: their JWS strings, the digest over
    them, and the SHA-256 state that digest came from (least recently used first out, within
    :data:`MEMO_CHARS`).

    An envelope whose first entries are these very strings — compared as strings, so every character is
    still compared — has their digest without hashing them again: the next transfer of a record this
    process recorded costs a string comparison over the chain (a fraction of a millisecond at 1,000
    entries), not SHA-256 over it. Anything else, or a record whose head another process moved since (its
    stored digest is no longer the remembered one), is hashed as before. Shared by the threads of a process
    (a lock guards the table, never the comparison); a forked child takes a fresh lock."""

    def __init__(self) -> None:
        self.chains: OrderedDict[RecordKey, tuple[str, tuple[str, ...], Any, int]] = OrderedDict()
        self.chars = 0
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _guard(self) -> threading.Lock:
        if self._pid != os.getpid():  # forked: another thread of the parent may have held the lock
            self._lock, self._pid = threading.Lock(), os.getpid()
        return self._lock

    def prefix(self, key: RecordKey, digest: str, tokens: tuple[str, ...]) -> Any | None:
        """A copy of the SHA-256 state over ``tokens`` when they are the chain remembered for ``key`` and its
        digest is ``digest`` (the stored one); else ``None``."""
        with self._guard():
            hit = self.chains.get(key)
            if hit is None or hit[0] != digest:
                return None
            self.chains.move_to_end(key)
        # The entry is immutable (a tuple of str, a hash state only ever copied): compared outside the lock.
        return hit[2].copy() if hit[1] == tokens else None

    def remember(self, key: RecordKey, tokens: tuple[str, ...], state: Any) -> None:
        """Remember ``tokens`` for ``key``: ``state`` is :func:`_chain_hash` of them (extended or not)."""
        size = sum(map(len, tokens))
        entry = (state.hexdigest(), tokens, state.copy(), size)
        with self._guard():
            old = self.chains.pop(key, None)
            if old is not None:
                self.chars -= old[3]
            if size > MEMO_CHARS:
                return
            self.chains[key] = entry
            self.chars += size
            while self.chars > MEMO_CHARS:
                self.chars -= self.chains.popitem(last=False)[1][3]

    def clear(self) -> None:
        with self._guard():
            self.chains.clear()
            self.chars = 0


def _response(findings: Iterable[Finding]) -> str:
    """The PINT response for a refusal: the first of BSIG, DISE, BENV, INCD, MDOC among the errors."""
    present = {(f.detail or {}).get("responseCode") for f in findings if f.severity is Severity.ERROR}
    return next((code for code in RESPONSE_PRIORITY if code in present), "BENV")


@dataclass(slots=True)
class _Plan:
    """What recording one envelope comes to: the answer, and the rows to write (``None``: nothing), and
    the records whose ``conflicts`` count a refused contradiction."""

    recording: Recording
    write: Callable[[], None] | None = None
    conflicts: tuple[tuple[int, str], ...] = ()  # (record id, the contradiction: see _contradiction)


class _LastResult(NamedTuple):
    index: int  # type: ignore[assignment]  # as EntryResult's
    checksum: str
    platform: str | None


class _Last(NamedTuple):
    """A recorded last entry, as :func:`~etr.transfer.manifests.check_manifest` reads one."""

    result: _LastResult


@dataclass(frozen=True, slots=True)
class _Read:
    """An envelope read far enough to identify its record."""

    env: Mapping[str, Any]
    tokens: tuple[str, ...]
    key: RecordKey
    td_checksum: str


class Registry:
    """One authoritative chain per transferable record, in a SQLite or PostgreSQL database.

    Build it with :func:`etr.registry.open`. One object per process serves every thread: each thread gets
    its own connection (and a forked child its own), and every guarantee is the database's, so any number
    of processes — on any number of machines, with PostgreSQL — may record at once.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._chains = _ChainMemo()

    def _memo(self) -> _ChainMemo:
        return self._chains

    @property
    def url(self) -> str:
        return self.backend.url

    def __repr__(self) -> str:
        return f"<Registry {self.backend.describe()}>"

    def init(self) -> int:
        """Create the schema, or bring it to this etr's version (idempotent; one transaction).
        Returns the schema version.

        Raises:
            RegistryUnavailable: the database cannot be opened or written.
            RegistrySchemaNewer: a newer etr wrote it.
        """
        return self.backend.migrate()[1]

    def close(self) -> None:
        """Close the calling thread's connection (a later call opens a new one)."""
        self.backend.close()

    # ------------------------------------------------------------------ recording

    def record(self, envelope: Envelope, *, trust: TrustStore, at: datetime | str | None = None,
               source: str | None = None, mode: Mode = "strict", limits: Limits | None = None,
               allowed_algorithms: frozenset[str] = DEFAULT_ALLOWED) -> Recording:
        """Record a PINT envelope (raw bytes, preferred; a path; or a parsed mapping) and answer as a
        receiving platform would: RECE, DUPE, DISE, BSIG or BENV (the module docstring gives the order).

        ``trust`` decides which keys sign for which platform; ``at`` is the verification time (default
        now); ``mode`` ``"legacy"`` accepts pre-3.0 fields with warnings; ``source`` names the input in the
        result. Problems with the envelope are findings of the :class:`~etr.registry.model.Recording`,
        never exceptions.

        Raises:
            UsageError: ``mode``, ``at`` or ``allowed_algorithms`` is not acceptable, or ``envelope`` is
                none of the types above.
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer, RegistryCorrupt: the database
                is at fault; nothing was stored.
        """
        if mode not in ("strict", "legacy"):
            raise UsageError(f"unknown mode {mode!r}; choose strict or legacy", code="PINT-MODE")
        when = coerce_time(at)
        allowed = allowed_algorithms if allowed_algorithms is DEFAULT_ALLOWED else check_allowed(allowed_algorithms)
        limits = limits or Limits()
        name, raw, env = self._load(envelope, source, limits)
        context = _Context(self.backend, trust, when, mode, allowed, name, self._memo())
        if env is None:  # unreadable: the verifier says why, from the raw input
            if isinstance(raw, Recording):
                return raw
            return context.refused_by_verifier(raw, None)
        read = _identify(env, mode)
        if read is None:
            result = context.verify(env)
            if not result.ok:
                return context.refused_by_verifier(env, None, result)
            return Recording(name, "BENV", (*result.findings, _finding(
                "REG-RECORD-UNIDENTIFIED", Severity.ERROR, "the record cannot be identified: the transport document "
                "needs carrierCode and transportDocumentReference (strings) and entry 0 the carrier's issuance "
                "manifest", "BENV", pointer="/transportDocument")), verification=result)
        for _ in range(MAX_ATTEMPTS):
            with self.backend.reading() as conn:
                row = self.backend.record_by_key(conn, read.key)
                plan = context.plan_new(read) if row is None else context.plan_known(conn, read, row)
            try:
                if plan.write is not None:
                    plan.write()
                if plan.conflicts:
                    with self.backend.write() as conn:
                        self.backend.add_conflicts(conn, plan.conflicts, _now())
            except Conflict:
                continue  # judged again against what the winner stored (the envelope's own verification stands)
            return plan.recording
        raise RegistryUnavailable(f"{self.backend.describe()}: {name} lost the race to record {read.key.describe()} "
                                  f"{MAX_ATTEMPTS} times", hint="the record is being written continuously; retry")

    def record_or_raise(self, envelope: Envelope, **kwargs: Any) -> Recording:
        """Like :meth:`record`, but raise when the envelope is refused (DISE, BSIG, BENV).

        Raises:
            RecordingRefused: ``.recording`` holds the answer, ``.code`` its first error's code.
            UsageError, RegistryError: as :meth:`record`.
        """
        recording = self.record(envelope, **kwargs)
        if recording.outcome is Outcome.FAIL:
            first = next((f for f in recording.findings if f.severity is Severity.ERROR), None)
            raise RecordingRefused(recording, f"{recording.source}: {recording.response}"
                                   + (f": {first.code}: {first.message}" if first else ""),
                                   code=first.code if first else None)
        return recording

    def _load(self, envelope: Envelope, source: str | None, limits: Limits,
              ) -> tuple[str, Any, Mapping[str, Any] | None]:
        """(name, the raw input or a refusal, the envelope as a mapping or ``None``)."""
        if isinstance(envelope, bytes | bytearray):
            name = source or "<bytes>"
            try:
                document = load_bytes(bytes(envelope), name, limits)
            except LoadError:
                return name, bytes(envelope), None
            content = document.content if document.syntax == "json" else None
            return name, bytes(envelope), content if isinstance(content, Mapping) else None
        if isinstance(envelope, Mapping):
            name = source or "<object>"
            try:
                check_json_value(envelope if isinstance(envelope, dict) else dict(envelope), limits)
            except LoadError:
                return name, envelope, None
            return name, envelope, envelope
        if isinstance(envelope, str | os.PathLike):
            name = source or os.fspath(envelope)
            try:
                data = Source.of_path(name, Path(envelope)).read(limits)
            except LoadError as exc:
                return name, Recording(name, "BENV", (exc.finding,)), None
            return self._load(data, name, limits)
        raise UsageError(f"an envelope is bytes, a path or a parsed JSON object, not {type(envelope).__name__}",
                         code="PINT-USAGE")

    # ------------------------------------------------------------------ reading

    def status(self, key: RecordKey) -> RecordStatus | None:
        """The record's status (``None`` when the registry holds no such record).

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer, RegistryCorrupt.
        """
        with self.backend.reading() as conn:
            row = self.backend.record_by_key(conn, key)
            if row is None:
                return None
            last = self.backend.entry_at(conn, row.id, row.entries - 1)
        status = _status(row)
        # The holder, platform and state columns are copies of the chain state, and the head that of the last
        # entry: a row changed outside etr is reported, not shown as the record's status.
        try:
            state = state_from_json(row.chain_state)
        except ValueError as exc:
            raise RegistryCorrupt(f"{self.backend.describe()}: record {key.describe()}: {exc}") from None
        holder = state.holder if state is not None else None
        expected = (holder.to_dict() if holder else None, holder.ebl_platform if holder else None, record_state(state),
                    row.head_checksum)
        found = (status.holder, status.platform, status.state, last.checksum if last is not None else None)
        wrong = [name for name, a, b in zip(("holder", "platform", "state", "head"), expected, found, strict=True)
                 if a != b]
        if wrong:
            raise RegistryCorrupt(f"{self.backend.describe()}: record {key.describe()}: the stored "
                                  f"{', '.join(wrong)} contradict{'s' if len(wrong) == 1 else ''} its chain "
                                  "(changed outside etr?)", hint="restore the database from a backup")
        return status

    def history(self, key: RecordKey) -> tuple[HistoryEntry, ...]:
        """Every accepted entry of the record, oldest first (empty when the registry holds no such record).

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer, RegistryCorrupt.
        """
        with self.backend.reading() as conn:
            row = self.backend.record_by_key(conn, key)
            rows = self.backend.entries(conn, row.id) if row is not None else []
        return tuple(_history(r) for r in rows)

    def find(self, carrier_code: str, transport_document_reference: str) -> tuple[RecordKey, ...]:
        """The records of this carrier code and transport document reference, oldest first (several when
        the carrier re-issued an amended eBL under the same reference).

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer.
        """
        with self.backend.reading() as conn:
            rows = self.backend.records_by_reference(conn, carrier_code, transport_document_reference)
        return tuple(r.key for r in rows)

    def chain(self, key: RecordKey) -> tuple[str, ...]:
        """The accepted entries' JWS strings, as received, oldest first (to rebuild or re-verify the chain).

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer.
        """
        with self.backend.reading() as conn:
            row = self.backend.record_by_key(conn, key)
            rows = self.backend.entries(conn, row.id) if row is not None else []
        return tuple(r.token for r in rows)

    def compare(self, result: VerificationResult) -> ChainView:
        """How a verified envelope's chain relates to the registry's: ``unknown``, ``current``, ``stale``,
        ``ahead`` or ``fork`` (:class:`~etr.registry.model.ChainView`). The record is found by the payload
        of the envelope's entry 0; entries match by JWS or, signed again, by payload.

        Raises:
            RegistryUnavailable, RegistryNotInitialised, RegistrySchemaNewer, RegistryCorrupt.
        """
        head = result.head
        if head is None or not head.payloads or not head.payloads[0]:
            return ChainView(None, "unknown", envelope_entries=len(result.entries))
        m = head.length
        with self.backend.reading() as conn:
            row = self.backend.record_by_first_payload(conn, head.payloads[0])
            if row is None:
                return ChainView(None, "unknown", envelope_entries=m)
            stored = self.backend.entries(conn, row.id, below=min(m, row.entries))
        status = _status(row)
        for entry in stored:
            i = entry.idx
            if entry.checksum != head.checksums[i] and entry.payload_checksum != head.payloads[i]:
                return ChainView(row.key, "fork", status, m, i)
        relation = "current" if m == row.entries else "stale" if m < row.entries else "ahead"
        return ChainView(row.key, relation, status, m)


class _Context:
    """One envelope being recorded: the options, and the verification of the whole envelope once it was
    needed (it does not depend on what the registry holds, so a lost race does not redo it)."""

    def __init__(self, backend: Backend, trust: TrustStore, when: datetime, mode: Mode, allowed: frozenset[str],
                 name: str, memo: _ChainMemo) -> None:
        self.backend, self.trust, self.when, self.mode, self.allowed, self.name, self.memo = \
            backend, trust, when, mode, allowed, name, memo
        self.verified: VerificationResult | None = None

    # ------------------------------------------------------------------ the verifier's view

    def verify(self, env: Any) -> VerificationResult:
        """The whole envelope, verified (once per envelope; the result does not depend on the registry)."""
        if self.verified is None:
            from ..transfer.verify import verify_envelope

            self.verified = verify_envelope(env, self.trust, mode=self.mode, at=self.when, validate_document=False,
                                            allowed_algorithms=self.allowed, source=self.name)
        return self.verified

    def refused_by_verifier(self, env: Any, key: RecordKey | None,
                            result: VerificationResult | None = None, row: RecordRow | None = None) -> Recording:
        """The verifier's refusal; ``row``: the record it concerns, when recorded (its length and status)."""
        result = result or self.verify(env)
        return Recording(self.name, result.response_code if not result.ok else "BENV", result.findings, key,
                         0, row.entries if row is not None else 0, _status(row) if row is not None else None,
                         verification=result)

    def unbound(self, signatures: Iterable[SignatureCheck | None]) -> Finding | None:
        """``REG-BINDING-UNKNOWN`` when a verified signature's key is not bound to its platform."""
        loose = sorted({s.platform or "?" for s in signatures
                        if s is not None and s.verified and s.platform_binding != "registered"})
        if not loose:
            return None
        return _finding("REG-BINDING-UNKNOWN", Severity.ERROR, "refused: the trust store cannot show offline that "
                        f"the keys signing for platform(s) {', '.join(loose)} are theirs (their registry row names "
                        "only a JWKS endpoint); the registry stores only what it could check", "BSIG",
                        platforms=loose)

    # ------------------------------------------------------------------ a new record

    def plan_new(self, read: _Read) -> _Plan:
        result = self.verify(read.env)
        if not result.ok:
            return _Plan(self.refused_by_verifier(read.env, read.key, result))
        signatures: list[SignatureCheck | None] = [e.signature for e in result.entries]
        signatures += [result.manifest.signature if result.manifest else None,
                       result.issuance.signature if result.issuance else None]
        loose = self.unbound(signatures)
        if loose is not None:
            return _Plan(Recording(self.name, "BSIG", (*result.findings, loose), read.key, verification=result))
        with self.backend.reading() as conn:
            named = self.backend.records_by_reference(conn, read.key.carrier_code,
                                                      read.key.transport_document_reference)
            same = next((r for r in named if r.key == read.key), None)
            if same is not None:  # recorded meanwhile by another writer: judged as a known record
                return self.plan_known(conn, read, same)
            live = [r for r in named if r.live]
            contradiction = f"issuance:{read.key.issuance_manifest_checksum}"
            known = bool(live) and self.backend.conflict_known(conn, live[0].id, contradiction)
        if live:
            other = live[0]
            where = f"carrier {read.key.carrier_code!r} reference {read.key.transport_document_reference!r}"
            if other.transport_document_checksum == read.td_checksum:  # the same document, issued again
                what = (f"{where} is already recorded from another issuance of this transport document (checksum "
                        f"{read.td_checksum[:12]}…, state {other.state}): issuance manifest checksum "
                        f"{other.key.issuance_manifest_checksum[:12]}… recorded, this one's "
                        f"{read.key.issuance_manifest_checksum[:12]}…")
            else:
                what = (f"{where} is already recorded from another issuance (transport document checksum "
                        f"{other.transport_document_checksum[:12]}…, state {other.state}); this one's is "
                        f"{read.td_checksum[:12]}…")
            finding = _finding("REG-DOCUMENT-CONFLICT", Severity.ERROR, f"{what}: two originals of one record",
                               "DISE", pointer="/transportDocument", recorded=other.key.to_dict())
            # The refused record holds nothing; the status is the live record's (its key says which).
            return _Plan(Recording(self.name, "DISE", (*result.findings, finding), read.key, entries=0,
                                   status=_status(other, disputed=not known), verification=result),
                         conflicts=((other.id, contradiction),))
        head = result.head
        assert head is not None  # a verified envelope has a head
        now = _now()
        steps_by_entry: dict[int, Any] = {}
        for applied in result.steps:
            steps_by_entry[applied.entry] = applied
        rows: list[EntryRow] = []
        running = hashlib.sha256()
        for i, (entry, token) in enumerate(zip(result.entries, read.tokens, strict=True)):
            running = _extended(running, token)
            digest = running.hexdigest()
            step: Any = steps_by_entry.get(i)
            rows.append(EntryRow(i, entry.checksum, head.payloads[i], entry.previous_checksum, digest,
                                 json.dumps(list(entry.actions)), entry.platform,
                                 step.recipient.ebl_platform if step is not None and step.recipient else None,
                                 entry.signed_at, _signer(entry.signature), now, token))
        values = _head_values(head, rows[-1], now)
        values.update(carrier_code=read.key.carrier_code,
                      transport_document_reference=read.key.transport_document_reference,
                      issuance_manifest_checksum=read.key.issuance_manifest_checksum,
                      transport_document_checksum=read.td_checksum, conflicts=0, created_at=now)
        status = _status_of(read.key, values, head.state.holder if head.state is not None else None)
        recording = Recording(self.name, "RECE", (*result.findings, _received(rows, status)), read.key, len(rows),
                              len(rows), status, result, now)

        def write() -> None:
            self.backend.store_new(values, rows)
            self.memo.remember(read.key, read.tokens, running)

        return _Plan(recording, write)

    # ------------------------------------------------------------------ a known record

    def plan_known(self, conn: Any, read: _Read, row: RecordRow) -> _Plan:
        tokens, n = read.tokens, row.entries
        m = len(tokens)
        k = min(m, n)
        covered = tokens[:k]  # what the digests of the new entries extend: the recorded JWS strings
        stored_digest = row.head_digest if k == n else self._entry(conn, row, k - 1).chain_digest
        prefix = self.memo.prefix(read.key, stored_digest, covered) if k == n else None
        if prefix is None:
            prefix = _chain_hash(covered)
            if prefix.hexdigest() != stored_digest:
                checksums = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in covered]
                fork, resigned = self._first_difference(conn, row, tokens, checksums, k)
                # Entries that are not the recorded JWS were never verified as received (their signature, and the
                # links of the chain they make): the whole envelope is, and its answer stands when it fails.
                result = self.verify(read.env)
                if not result.ok:
                    return _Plan(self.refused_by_verifier(read.env, read.key, result, row))
                if fork is not None:
                    return self._fork(conn, read, row, fork, f"entry {fork} is not the recorded entry {fork}"
                                      + (": another first entry for the same record" if fork == 0 else
                                         f": another successor of entry {fork - 1}"))
                if m <= n:
                    return self._duplicate(read, row, m, resigned)
                # A sound envelope whose entries match the recorded ones by payload links each entry to the JWS
                # before it, so only the last recorded one can differ: the new entries follow that copy, a JWS
                # the registry does not hold (its chain links by the recorded JWS, which it never replaces).
                return _Plan(Recording(self.name, "BENV", (*result.findings, _finding(
                    "REG-RESIGNED-LINK", Severity.ERROR, f"entry {n} follows entry {n - 1} as signed again in this "
                    f"envelope (the recorded payload, another JWS), not the recorded JWS of entry {n - 1}: the "
                    "registry's chain cannot be extended from a copy; send the recorded entries", "BENV",
                    pointer=f"/envelopeTransferChain/{n}", entry=n, resigned=resigned)), read.key, 0, n,
                    _status(row), result))
            elif k == n:
                self.memo.remember(read.key, covered, prefix)
        if m <= n:
            return self._recorded_envelope(conn, read, row, m)
        return self._append(conn, read, row, covered, prefix)

    def _recorded_envelope(self, conn: Any, read: _Read, row: RecordRow, m: int) -> _Plan:
        """An envelope whose ``m`` entries are the recorded JWS strings: they were verified when recorded, so
        what is left to check is what makes this envelope — its shape, its transport document (against the
        record's checksum) and its manifest (signature, last-entry and TD checksums): O(1) signatures."""
        last = self._entry(conn, row, m - 1)
        rec = self._envelope_checks(read, row)
        self._check_manifest(rec, read, last.idx, last.checksum, last.actor_platform)
        errors = [f for f in rec.findings if f.severity is Severity.ERROR]
        if errors:
            return _Plan(Recording(self.name, _response(errors), tuple(rec.findings), read.key, 0, row.entries,
                                   _status(row)))
        plan = self._duplicate(read, row, m, [])
        recording = plan.recording
        return _Plan(Recording(recording.source, recording.response, (*rec.findings, *recording.findings),
                               recording.key, 0, row.entries, recording.status))

    def _envelope_checks(self, read: _Read, row: RecordRow) -> Recorder:
        """The envelope's shape, as the verifier checks it (each entry is read by verify_entry, more strictly),
        and its transport document against the record's (``REG-TD-CHECKSUM``)."""
        rec = Recorder(self.mode)
        rec.schema("EblEnvelope", {**read.env, "envelopeTransferChain": list(read.tokens[:1])}, pointer="",
                   explained={"/envelopeTransferChain/0"})
        if read.td_checksum != row.transport_document_checksum:
            rec.findings.append(_finding(
                "REG-TD-CHECKSUM", Severity.ERROR, f"the envelope's transport document (checksum "
                f"{read.td_checksum[:12]}…) is not the record's ({row.transport_document_checksum[:12]}…): changed "
                "after issuance", "BENV", pointer="/transportDocument", named=read.td_checksum))
        return rec

    def _check_manifest(self, rec: Recorder, read: _Read, index: int, checksum: str, platform: str | None,
                        ) -> SignatureCheck | None:
        """The envelope manifest against its last entry (``index``, ``checksum``, signed for ``platform``):
        its signature by that platform, its last-entry and transport document checksums."""
        from ..transfer.manifests import check_manifest

        # check_manifest reads only the last entry's index, checksum and platform: a recorded entry has them.
        last = cast("EntryVerification", _Last(_LastResult(index, checksum, platform)))
        manifest, _ = check_manifest(rec, self.trust, self.allowed, {}, read.env, last, read.td_checksum, self.when)
        return manifest.signature if manifest is not None else None

    def _entry(self, conn: Any, row: RecordRow, idx: int) -> EntryRow:
        entry = self.backend.entry_at(conn, row.id, idx)
        if entry is None:
            raise RegistryCorrupt(f"{self.backend.describe()}: record {row.key.describe()} holds {row.entries} "
                                  f"entries but entry {idx} is missing")
        return entry

    def _first_difference(self, conn: Any, row: RecordRow, tokens: Sequence[str], checksums: Sequence[str],
                          k: int) -> tuple[int | None, list[int]]:
        """The first envelope entry that is not the recorded one (``None``: all are, some signed again),
        and the entries signed again (same payload, another JWS)."""
        resigned: list[int] = []
        for entry in self.backend.entries(conn, row.id, below=k):
            i = entry.idx
            if checksums[i] == entry.checksum:
                continue
            if _payload_checksum(tokens[i]) == entry.payload_checksum:
                resigned.append(i)
                continue
            return i, resigned
        return None, resigned

    def _fork(self, conn: Any, read: _Read, row: RecordRow, at_entry: int, why: str) -> _Plan:
        """A verified envelope that contradicts the recorded chain is DISE; an unverified one gets the
        verifier's answer (nobody can dispute a record with an envelope that does not verify)."""
        result = self.verify(read.env)
        if not result.ok:
            return _Plan(self.refused_by_verifier(read.env, read.key, result, row))
        contradiction = _contradiction(at_entry, _payload_checksum(read.tokens[at_entry]))
        status = _status(row, disputed=not self.backend.conflict_known(conn, row.id, contradiction))
        finding = _finding("REG-FORK", Severity.ERROR, f"{why}: the envelope contradicts the recorded chain "
                           f"({row.entries} entries, holder {status.holder_text()})", "DISE",
                           pointer=f"/envelopeTransferChain/{at_entry}", entry=at_entry, recordedEntries=row.entries)
        return _Plan(Recording(self.name, "DISE", (*result.findings, finding), read.key, 0, row.entries, status,
                               result), conflicts=((row.id, contradiction),))

    def _duplicate(self, read: _Read, row: RecordRow, m: int, resigned: list[int]) -> _Plan:
        status = _status(row)
        again = f"; entr{'y' if len(resigned) == 1 else 'ies'} {', '.join(map(str, resigned))} signed again over " \
                "the same payload" if resigned else ""
        findings = [_finding("REG-DUPLICATE", Severity.INFO, f"already recorded: the envelope's {m} entries are the "
                             f"record's first {m}{again}", duplicateOf=m - 1,
                             resigned=resigned)]
        if m < row.entries:
            findings.append(_finding("REG-STALE", Severity.WARNING, f"a stale copy: the registry has accepted "
                                     f"{row.entries - m} later entr{'y' if row.entries - m == 1 else 'ies'}; the "
                                     f"holder now is {status.holder_text()}", pointer="/envelopeTransferChain",
                                     recordedEntries=row.entries))
        return _Plan(Recording(self.name, "DUPE", tuple(findings), read.key, 0, row.entries, status))

    def _append(self, conn: Any, read: _Read, row: RecordRow, covered: tuple[str, ...], prefix: Any) -> _Plan:
        """Verify the entries after the recorded head, one by one, then the envelope manifest. ``covered``: the
        recorded entries' JWS strings, ``prefix`` the SHA-256 state over them (:func:`_chain_hash`)."""
        n = row.entries
        try:
            state = state_from_json(row.chain_state)
        except ValueError as exc:
            raise RegistryCorrupt(f"{self.backend.describe()}: record {row.key.describe()}: {exc}") from None
        # The head holds the last recorded entry only (first = its index): verifying costs the same at any length.
        head = ChainHead(row.transport_document_checksum, state, (row.head_checksum,), (row.head_previous,),
                         (row.head_payload,), n - 1)
        rec = self._envelope_checks(read, row)
        checked: list[EntryVerification] = []
        for i in range(n, len(read.tokens)):
            ev = verify_entry(read.tokens[i], head, self.trust, at=self.when, mode=self.mode,
                              allowed_algorithms=self.allowed)
            rec.findings.extend(self._against_recorded(conn, row, ev))
            checked.append(ev)
            head = ev.head
        last = checked[-1].result
        signed = self._check_manifest(rec, read, last.index, last.checksum, last.platform)
        loose = self.unbound([e.result.signature for e in checked] + [signed])
        if loose is not None:
            rec.findings.append(loose)
        findings = tuple(rec.findings)
        if any(f.severity is Severity.ERROR for f in findings) or not all(e.ok for e in checked):
            response = _response(findings)
            if response != "DISE":
                return _Plan(Recording(self.name, response, findings, read.key, 0, n, _status(row)))
            # The contradiction: the first new entry a DISE finding names (a replay, another successor).
            rival = next((f.detail["entry"] for f in findings if f.severity is Severity.ERROR and f.detail
                          and f.detail.get("responseCode") == "DISE" and isinstance(f.detail.get("entry"), int)
                          and n <= f.detail["entry"] < len(read.tokens)), None)
            contradiction = _contradiction(rival, checked[rival - n].head.payloads[-1]) if rival is not None else \
                "envelope:" + _chain_hash(read.tokens).hexdigest()
            status = _status(row, disputed=not self.backend.conflict_known(conn, row.id, contradiction))
            return _Plan(Recording(self.name, response, findings, read.key, 0, n, status),
                         conflicts=((row.id, contradiction),))
        now = _now()
        rows: list[EntryRow] = []
        running = prefix
        for ev in checked:
            r = ev.result
            running = _extended(running, read.tokens[r.index])
            digest = running.hexdigest()
            model = ev.model
            recipient = model.transactions[-1].recipient if model is not None and model.transactions else None
            rows.append(EntryRow(r.index, r.checksum, ev.head.payloads[-1], r.previous_checksum, digest,
                                 json.dumps(list(r.actions)), r.platform,
                                 recipient.ebl_platform if recipient is not None else None, r.signed_at,
                                 _signer(r.signature), now, read.tokens[r.index]))
        values = _head_values(head, rows[-1], now)
        status = _status_of(row.key, {**values, "transport_document_checksum": row.transport_document_checksum,
                                      "conflicts": row.conflicts, "created_at": row.created_at},
                            head.state.holder if head.state is not None else None)
        recording = Recording(self.name, "RECE", (*findings, _received(rows, status)), read.key, len(rows),
                              len(read.tokens), status, None, now)

        def write() -> None:
            self.backend.store_append(row.id, n, row.head_checksum, values, rows)
            # covered is read.tokens[:n] (an append has m > n entries): the whole envelope, no concatenation.
            self.memo.remember(read.key, read.tokens, running)

        return _Plan(recording, write)

    def _against_recorded(self, conn: Any, row: RecordRow, ev: EntryVerification) -> list[Finding]:
        """What the full head would have said about a new entry: a replay of a recorded entry, or a fork
        after one (the head handed to verify_entry holds only the last recorded entry)."""
        i = ev.result.index
        if not any(f.code in _LINK_CODES for f in ev.findings):
            # An entry that follows the head names the head's checksum, so it repeats no recorded entry (each
            # names its own predecessor): the database is asked only about an entry that does not follow it.
            return list(ev.findings)
        match = self.backend.entry_matching(conn, row.id, ev.result.checksum, ev.head.payloads[-1])
        if match is not None:
            how = "the same JWS" if match.checksum == ev.result.checksum else "the same payload, signed again"
            return [_finding("REG-REPLAY", Severity.ERROR, f"entry {i} repeats recorded entry {match.idx} ({how}): "
                             "a replayed entry", "DISE", pointer=f"/envelopeTransferChain/{i}", entry=i,
                             duplicateOf=match.idx)]
        out: list[Finding] = []
        for f in ev.findings:
            named = (f.detail or {}).get("named")
            if f.code == "PINT-CHAIN-LINK" and isinstance(named, str):
                target = self.backend.entry_by_checksum(conn, row.id, named)
                if target is not None:
                    out.append(_finding("REG-FORK", Severity.ERROR, f"entry {i} follows recorded entry {target.idx}, "
                                        f"not entry {i - 1}: another successor of entry "
                                        f"{target.idx}", "DISE", pointer=f"/envelopeTransferChain/{i}", entry=i,
                                        forkOf=target.idx))
                    continue
            out.append(f)
        return out


# --------------------------------------------------------------------------- helpers


def _identify(env: Mapping[str, Any], mode: Mode) -> _Read | None:
    """The record an envelope concerns, and what identifying it needed; ``None`` when it cannot be told."""
    td, chain = env.get("transportDocument"), env.get("envelopeTransferChain")
    # map(isinstance, …) runs the check in C: a generator expression costs ~40 µs at 1,000 entries, per append.
    if not isinstance(td, Mapping) or not isinstance(chain, list) or not chain \
            or not all(map(isinstance, chain, repeat(str))):
        return None
    carrier, reference = td.get("carrierCode"), td.get("transportDocumentReference")
    if not isinstance(carrier, str) or not isinstance(reference, str) or not carrier or not reference:
        return None
    try:
        first = payload_json(parse_compact(chain[0]))
        issuance = first.get(_ISSUANCE) if isinstance(first, dict) else None
        if issuance is None and mode == "legacy":
            issuance = env.get(_ISSUANCE)
        if not isinstance(issuance, str):
            return None
        issuance_checksum = hashlib.sha256(parse_compact(issuance).payload).hexdigest()
        td_checksum = jcs_sha256(td)
    except (JwsError, CanonicalizationError):
        return None
    return _Read(env, tuple(chain), RecordKey(carrier, reference, issuance_checksum), td_checksum)


def _contradiction(entry: int, payload_checksum: str) -> str:
    """What identifies a contradiction of a recorded chain: the rival entry, by position and payload (so the
    same fork sent again, signed again or carried further, is the same contradiction)."""
    return f"entry:{entry}:{payload_checksum}"


def _payload_checksum(token: str) -> str:
    try:
        return hashlib.sha256(parse_compact(token).payload).hexdigest()
    except JwsError:
        return ""


def _signer(signature: SignatureCheck) -> str | None:
    return signature.key_kid or signature.key_thumbprint


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _head_values(head: ChainHead, last: EntryRow, now: str) -> dict[str, Any]:
    """The columns of a record row that move with its head."""
    state = head.state
    holder = state.holder if state is not None else None
    name = record_state(state)
    return {"entries": last.idx + 1, "head_checksum": last.checksum, "head_previous": last.previous_checksum,
            "head_payload": last.payload_checksum, "head_digest": last.chain_digest,
            "chain_state": state_to_json(state), "state": name, "live": 0 if name == "void" else 1,
            "holder": _COMPACT_JSON.encode(holder.to_dict()) if holder else None,
            "platform": holder.ebl_platform if holder else None, "updated_at": now}


def _status_of(key: RecordKey, values: Mapping[str, Any], holder: Party | None) -> RecordStatus:
    """The status of a record whose row will hold ``values``; ``holder`` is the one its ``holder`` column names."""
    return RecordStatus(key, values["state"], holder.to_dict() if holder else None, values["platform"],
                        values["head_checksum"], values["entries"], values["updated_at"], values["conflicts"],
                        values["transport_document_checksum"], values["created_at"])


def _status(row: RecordRow, *, disputed: bool = False) -> RecordStatus:
    """The row's status; ``disputed``: counting the contradiction being refused now."""
    try:
        holder = json.loads(row.holder) if row.holder else None
    except ValueError:
        raise RegistryCorrupt(f"record {row.key.describe()}: the stored holder is not JSON") from None
    return RecordStatus(row.key, row.state, holder, row.platform, row.head_checksum, row.entries, row.updated_at,
                        row.conflicts + disputed, row.transport_document_checksum, row.created_at)


def _history(row: EntryRow) -> HistoryEntry:
    try:
        actions = tuple(str(a) for a in json.loads(row.actions))
    except (ValueError, TypeError):
        raise RegistryCorrupt(f"entry {row.idx}: the stored actions are not a JSON list") from None
    return HistoryEntry(row.idx, row.checksum, actions, row.actor_platform, row.recipient_platform,
                        row.action_date_time, row.signer, row.recorded_at)


def _received(rows: Sequence[EntryRow], status: RecordStatus) -> Finding:
    first, last = rows[0].idx, rows[-1].idx
    which = f"entry {first}" if first == last else f"entries {first}–{last}"
    return _finding("REG-RECEIVED", Severity.INFO, f"recorded {which}; state {status.state}, holder "
                    f"{status.holder_text()}", first=first, last=last)

