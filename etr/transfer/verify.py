"""Verify a DCSA PINT 3.0 envelope: signatures, hash links, checksums, issuance, and who holds the eBL.

Two doors, as in python-tuf: :func:`verify_envelope` returns a
:class:`VerificationResult` saying what was verified, by which key, and what
failed; :func:`verify_envelope_or_raise` raises :class:`EnvelopeVerificationFailed`
when the outcome is FAIL.

**Order of the checks** (reference §2.9; every check runs, so one result
tells the whole story):

1. The envelope is strict JSON (duplicate keys refused) of the ``EblEnvelope``
   shape; the TD checksum is ``sha256(JCS(transportDocument))``.
2. Every chain entry, oldest first: the JWS string is hashed exactly as
   received; it parses strictly; its payload is strict JSON of the
   ``EnvelopeTransferChainEntry`` shape; its signature verifies with a key the
   trust store accepts **for that entry's** ``eblPlatform``, certificates
   (``x5c``) being checked at the entry's signing time (its last
   ``actionDateTime``); entry 0 has no previous checksum and every later entry
   names the checksum of the entry just before it; its TD checksum is the TD's.
3. Entry 0 carries ``issuanceManifestSignedContent``, signed by the **carrier**
   (below), whose ``documentChecksum`` is the TD checksum.
4. The transactions run through the state machine (:mod:`etr.transfer.state`).
5. The manifest is signed by the sending platform — the platform of the last
   entry — (certificates checked at ``at``), names the last entry's checksum
   and the TD checksum.
6. Optional: the expected recipient, and the supporting documents.

**Who is the carrier.** The carrier is the platform of entry 0 (or
``carrier_platform`` when given). The issuance manifest's key must be
registered for that platform in the trust store's registry. When the registry
does not bind that platform to key ids, the key must be the one that signed
entry 0; a different trusted key gives a warning
(``PINT-ISSUANCE-CARRIER-UNBOUND``): nothing then proves it is the carrier's.

**issueToChecksum.** It covers the Issuance API ``IssueToParty`` (partyName,
sendToPlatform, identifyingCodes, taxLegalReferences), which the envelope does
not carry. It is verified against ``issue_to`` when the caller gives it, else
against the party derived from the ISSUE recipient
(:meth:`~etr.transfer.model.Party.to_issue_to`); when neither matches, the
result says it could not be verified (``PINT-ISSUETO-UNVERIFIED``, info) —
except a mismatch with an ``issue_to`` the caller gave, which is an error.

**Forks and replays** inside one envelope are ``DISE`` (a double-spend
attempt): an entry whose JWS or payload repeats an earlier one
(``PINT-CHAIN-REPLAY``), or whose previous checksum names an earlier entry
than the one before it, or a previous checksum already used
(``PINT-CHAIN-FORK``). A previous checksum naming a later entry is a reordering
(``PINT-CHAIN-ORDER``, ``BENV``); one naming no entry of the chain is a broken
link (``PINT-CHAIN-LINK``, ``BENV``).

**The embedded TD** is validated (``etr.validate(..., family="dcsa-ebl")``)
and its report attached as :attr:`VerificationResult.td_report`. Its findings
do not change the outcome: the verification is about the chain of control,
and sample envelopes in the wild carry TDs that break business rules. An
``info`` finding (``PINT-TD-INVALID``) points at the report.

**Outcome.** FAIL when any finding is an error; WARN when any is a warning
(legacy fields in legacy mode, a time going backwards …); NOT_EVALUABLE when
all checks pass but entry 0 names a control tracking registry (whose state
overrides PINT and cannot be read offline); PASS otherwise.

**Modes.** ``strict`` follows the OA HEAD schema: legacy ``action`` /
``timestamp`` / ``reason`` fields, legacy action codes (``ISSU``, ``TRNS`` …),
a ``null`` previous checksum and a root-level ``issuanceManifestSignedContent``
are errors. ``legacy`` (Conformance Gateway compatible) accepts them with
``PINT-LEGACY-…`` warnings; where CG sends both ``action`` and a hard-coded
``actionCode``, ``action`` wins.

**Parallel signatures.** The signatures of a long chain are checked in a
worker process (:mod:`etr.crypto.worker`) while this one parses, schema-checks,
links and replays the entries: ``parallel=None`` (the default) does so for
chains of :data:`~etr.crypto.worker.MIN_ENTRIES` entries or more once the
worker runs (a chain of :data:`~etr.crypto.worker.START_ENTRIES` or more
starts it), on a machine with two or more usable CPUs; ``True`` for any chain
of two or more; ``False`` never. The worker checks one signature at a time, so
a chain is never checked faster than one core verifies signatures (the bound
``benchmarks/verify_pint.py`` measures). The result — findings and their
order, entry results, outcome — is the same in every case: outcomes are
applied in entry order once all signatures are known, and whatever the worker
fails to answer is checked here. Meanwhile this process checks what needs no
entry signature (the envelope's shape, the TD, the issuance manifest and the
manifest), whose findings keep their place in the order of the checks. So that
the loop starts sooner, envelope bytes are first read by orjson, which refuses
what the hardened loader refuses but for three things, checked after the loop:
nesting deeper than the limit, integers beyond 64 bits (orjson makes them
floats) and duplicate keys (the loader's own scan). When any is found, the
verification starts again from the loader's reading: the result is always the
hardened loader's.

Each finding has ``location.pointer`` (``/envelopeTransferChain/3``,
``/envelopeManifestSignedContent`` …) and ``detail`` with the PINT
``responseCode`` a receiving platform would answer (BSIG, BENV, INCD, MDOC,
DISE), the ``entry`` index where there is one, and ``payloadPointer`` inside
the JWS payload.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson

from ..crypto import worker
from ..crypto.digests import CanonicalizationError, jcs_sha256, sha256_hex
from ..crypto.jws import (
    DEFAULT_ALLOWED,
    JwsError,
    ParsedJws,
    bad_signature,
    check_key_fit,
    parse_compact,
    payload_json,
    signature_segment_valid,
    signature_valid,
)
from ..crypto.keys import PublicKey
from ..crypto.trust import KeyResolution, TrustStore
from ..errors import DocumentError, UsageError
from ..model import Finding, Location, Outcome, Report, Severity
from . import _schema
from .model import (
    LEGACY_ACTION_CODES,
    ActionCode,
    EnvelopeManifest,
    IssuanceManifest,
    Party,
    PartyMemo,
    PintModelError,
    TransferChainEntry,
    format_datetime,
    parse_datetime,
)
from .state import ChainResult, StateMachine, Step

__all__ = [
    "RESPONSE_PRIORITY",
    "DocumentCheck",
    "EntryResult",
    "EnvelopeVerificationFailed",
    "IssuanceResult",
    "ManifestResult",
    "SignatureCheck",
    "VerificationResult",
    "verify_envelope",
    "verify_envelope_or_raise",
]

log = logging.getLogger("etr.transfer")

Mode = Literal["strict", "legacy"]
#: When a chain fails for several reasons, the receiver answers the first of these present.
RESPONSE_PRIORITY = ("BSIG", "DISE", "BENV", "INCD", "MDOC")
RESULT_FORMAT_VERSION = "1.0"
_REFERENCE = "DCSA PINT 3.0 (EBL_PINT_v3.0.0.yaml) §2.9"
_PREV = "previousEnvelopeTransferChainEntrySignedContentChecksum"
_ISSUANCE = "issuanceManifestSignedContent"
_MANIFEST_PTR = "/envelopeManifestSignedContent"
#: How far in the future (against the verification time) an actionDateTime may be before it is flagged.
CLOCK_SKEW = timedelta(minutes=5)

_TRUST_CODES = {
    "TRUST-UNKNOWN-KEY": "PINT-KEY-UNKNOWN",
    "TRUST-AMBIGUOUS-KEY": "PINT-KEY-AMBIGUOUS",
    "TRUST-X5C-UNTRUSTED": "PINT-KEY-X5C-UNTRUSTED",
    "TRUST-X5C-EXPIRED": "PINT-KEY-X5C-EXPIRED",
    "TRUST-X5C-NOT-YET-VALID": "PINT-KEY-X5C-NOT-YET-VALID",
    "TRUST-X5C-INVALID": "PINT-KEY-X5C-INVALID",
    "TRUST-KEY-EXPIRED": "PINT-KEY-EXPIRED",
    "TRUST-KEY-NOT-YET-VALID": "PINT-KEY-NOT-YET-VALID",
    "TRUST-PLATFORM-MISMATCH": "PINT-KEY-PLATFORM-MISMATCH",
}
_JWS_CODES = {
    "JWS-MALFORMED": ("PINT-JWS-MALFORMED", "BSIG"),
    "JWS-HEADER": ("PINT-JWS-HEADER", "BSIG"),
    "JWS-ALG-FORBIDDEN": ("PINT-JWS-ALG-FORBIDDEN", "BSIG"),
    "JWS-KEY-MISMATCH": ("PINT-JWS-KEY-MISMATCH", "BSIG"),
    "JWS-BAD-SIGNATURE": ("PINT-JWS-BAD-SIGNATURE", "BSIG"),
    "JWS-PAYLOAD": ("PINT-JWS-PAYLOAD", "BENV"),
}


class EnvelopeVerificationFailed(DocumentError):
    """Raised by :func:`verify_envelope_or_raise`; ``result`` holds the full :class:`VerificationResult`."""

    code = "PINT-FAILED"

    def __init__(self, result: VerificationResult, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, hint="run `etr verify ENVELOPE --trust …` for the whole story")
        self.result = result


# --------------------------------------------------------------------------- result objects


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """One JWS signature: verified or not, with which key, found how."""

    verified: bool
    alg: str | None = None
    kid: str | None = None
    how: str | None = None
    key_kid: str | None = None
    key_thumbprint: str | None = None
    platform: str | None = None
    platform_binding: str | None = None
    code: str | None = None
    x5c_subject: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "alg": self.alg, "kid": self.kid, "how": self.how,
                "keyKid": self.key_kid, "keyThumbprint": self.key_thumbprint, "platform": self.platform,
                "platformBinding": self.platform_binding, "code": self.code, "x5cSubject": self.x5c_subject}

    def describe(self) -> str:
        """``EdDSA key 'kid' (kid, registered for EBL1)`` or why not."""
        if not self.verified:
            return f"NOT verified ({self.code or 'unknown'})"
        who = f"key {self.key_kid!r}" if self.key_kid else "a trusted key"
        bits = [self.how or "?"]
        if self.platform_binding == "registered":
            bits.append(f"registered for {self.platform}")
        elif self.platform_binding in ("claimed", "unknown"):
            bits.append(f"{self.platform_binding} for {self.platform}")
        if self.x5c_subject:
            bits.append(self.x5c_subject)
        return f"{self.alg} {who} ({', '.join(bits)})"


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What was found about one chain entry."""

    index: int
    checksum: str
    platform: str | None
    previous_checksum: str | None
    signature: SignatureCheck
    actions: tuple[str, ...]
    signed_at: str | None
    holder_after: Party | None
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "checksum": self.checksum, "platform": self.platform,
                "previousChecksum": self.previous_checksum, "signature": self.signature.to_dict(),
                "actions": list(self.actions), "signedAt": self.signed_at,
                "holderAfter": self.holder_after.to_dict() if self.holder_after else None, "ok": self.ok}


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """A document named by the manifest and whether the given bytes match it.

    ``status``: ``verified``, ``mismatch`` (checksum), ``size`` (size only),
    ``missing`` (not given), ``not-checked`` (no documents given), or
    ``unrelated`` (given, named by no manifest entry).
    """

    name: str
    document_checksum: str
    size: float | None
    role: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "documentChecksum": self.document_checksum, "size": self.size, "role": self.role,
                "status": self.status}


@dataclass(frozen=True, slots=True)
class ManifestResult:
    """The envelope manifest: signature, and whether its checksums match."""

    signature: SignatureCheck
    transport_document_checksum: str | None
    last_entry_checksum: str | None
    last_entry_checksum_ok: bool
    transport_document_checksum_ok: bool
    documents: tuple[DocumentCheck, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"signature": self.signature.to_dict(), "transportDocumentChecksum": self.transport_document_checksum,
                "lastEntryChecksum": self.last_entry_checksum, "lastEntryChecksumOk": self.last_entry_checksum_ok,
                "transportDocumentChecksumOk": self.transport_document_checksum_ok,
                "documents": [d.to_dict() for d in self.documents]}


@dataclass(frozen=True, slots=True)
class IssuanceResult:
    """The carrier-signed issuance manifest of entry 0."""

    signature: SignatureCheck
    carrier_platform: str | None
    placement: str
    document_checksum: str | None = None
    document_checksum_ok: bool = False
    issue_to_checksum: str | None = None
    issue_to_verified: bool | None = None
    issue_to_basis: str | None = None
    visualisation_checksum: str | None = None
    visualisation_ok: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"signature": self.signature.to_dict(), "carrierPlatform": self.carrier_platform,
                "placement": self.placement, "documentChecksum": self.document_checksum,
                "documentChecksumOk": self.document_checksum_ok, "issueToChecksum": self.issue_to_checksum,
                "issueToVerified": self.issue_to_verified, "issueToBasis": self.issue_to_basis,
                "visualisationChecksum": self.visualisation_checksum, "visualisationOk": self.visualisation_ok}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Everything :func:`verify_envelope` found, with a bottom line (:attr:`outcome`)."""

    source: str
    mode: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    transport_document_checksum: str | None = None
    entries: tuple[EntryResult, ...] = ()
    manifest: ManifestResult | None = None
    issuance: IssuanceResult | None = None
    steps: tuple[Step, ...] = ()
    holders: tuple[Party, ...] = ()
    current_holder: Party | None = None
    td_report: Report | None = None
    verified_at: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the outcome is FAIL."""
        return self.outcome is not Outcome.FAIL

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def response_code(self) -> str:
        """What a receiving platform would answer: ``RECE`` when nothing fails, else the first of
        :data:`RESPONSE_PRIORITY` among the errors."""
        present = {(f.detail or {}).get("responseCode") for f in self.errors}
        return next((code for code in RESPONSE_PRIORITY if code in present), "RECE" if not present else "BENV")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "etr-pint-verification",
            "formatVersion": RESULT_FORMAT_VERSION,
            "source": self.source,
            "mode": self.mode,
            "outcome": self.outcome.value,
            "responseCode": self.response_code,
            "verifiedAt": self.verified_at,
            "transportDocumentChecksum": self.transport_document_checksum,
            "currentHolder": self.current_holder.to_dict() if self.current_holder else None,
            "holders": [h.to_dict() for h in self.holders],
            "entries": [e.to_dict() for e in self.entries],
            "manifest": self.manifest.to_dict() if self.manifest else None,
            "issuance": self.issuance.to_dict() if self.issuance else None,
            "steps": [s.to_dict() for s in self.steps],
            "counts": {s.value: sum(1 for f in self.findings if f.severity is s) for s in Severity},
            "findings": [f.to_dict() for f in self.findings],
            "tdReport": self.td_report.to_dict() if self.td_report else None,
        }


# --------------------------------------------------------------------------- the verifier


@dataclass
class _Entry:
    """What the checks after the chain loop need of the first and the last entry."""

    index: int
    checksum: str
    data: dict[str, Any] | None = None
    model: TransferChainEntry | None = None


@dataclass
class _Verifier:
    trust: TrustStore
    mode: Mode
    at: datetime
    allowed: frozenset[str]
    findings: list[Finding] = field(default_factory=list)
    bindings: set[str] = field(default_factory=set)
    #: Error findings recorded so far (an entry is ok when it adds none).
    errors: int = 0
    #: TrustStore.resolve_memo's memo: the entries of a chain share a header and a few platforms.
    resolved: dict[Any, Any] = field(default_factory=dict)
    #: (id(header), platform) -> (header, valid from, valid until, check, key) of a good key: the entries of a
    #: chain share one parsed header object per header segment, so most look-ups end here.
    known: dict[tuple[int, str | None], tuple[Any, Any, Any, SignatureCheck, PublicKey]] = field(default_factory=dict)
    #: Chain entries that are not a JWS the strict parser accepts.
    unparsed: int = 0
    #: id(KeyResolution) -> (resolution, alg, platform, the SignatureCheck of a good signature, subject).
    checks: dict[int, tuple[KeyResolution, str, str | None, SignatureCheck]] = field(default_factory=dict)

    # -- recording

    def finding(self, code: str, message: str, response: str, *, pointer: str | None = None,
                entry: int | None = None, payload_pointer: str | None = None, severity: Severity = Severity.ERROR,
                **extra: Any) -> Finding:
        detail: dict[str, Any] = {"responseCode": response}
        if entry is not None:
            detail["entry"] = entry
            if pointer is None:
                pointer = f"/envelopeTransferChain/{entry}"
        if payload_pointer is not None:
            detail["payloadPointer"] = payload_pointer
        detail.update(extra)
        return Finding(code, severity, message, Location(pointer=pointer) if pointer is not None else None,
                       _REFERENCE, detail)

    def add(self, code: str, message: str, response: str, *, pointer: str | None = None, entry: int | None = None,
            payload_pointer: str | None = None, severity: Severity = Severity.ERROR, **extra: Any) -> None:
        if severity is Severity.ERROR:
            self.errors += 1
        self.findings.append(self.finding(code, message, response, pointer=pointer, entry=entry,
                                          payload_pointer=payload_pointer, severity=severity, **extra))

    def legacy(self, code: str, message: str, *, pointer: str, entry: int | None = None,
               payload_pointer: str | None = None) -> None:
        strict = self.mode == "strict"
        self.add(code, message + ("" if not strict else " (strict mode; use --mode legacy to accept it)"), "BENV",
                 pointer=pointer, entry=entry, payload_pointer=payload_pointer,
                 severity=Severity.ERROR if strict else Severity.WARNING)

    def schema(self, definition: str, instance: Any, *, pointer: str, entry: int | None = None,
               prefix: str = "") -> bool:
        ok = True
        for f in _schema.findings(definition, instance):
            ok = False
            where = prefix + (f.location.pointer if f.location and f.location.pointer else "")
            if pointer == "":  # the envelope itself: the instance path is the location
                self.add(f.code, f"{where or '/'}: {f.message}", "BENV", pointer=where, **dict(f.detail or {}))
                continue
            self.add(f.code, f"{where or '/'}: {f.message}", "BENV", pointer=pointer, entry=entry,
                     payload_pointer=where or "/", **dict(f.detail or {}))
        return ok

    # -- JWS

    def parse(self, token: Any, *, pointer: str, entry: int | None, part: str) -> tuple[ParsedJws, Any] | None:
        """Parse a JWS and its payload; record why not and return None on failure."""
        try:
            parsed = parse_compact(token)
        except JwsError as exc:
            self._jws_error(exc, pointer=pointer, entry=entry, part=part)
            return None
        try:
            data = payload_json(parsed)
        except JwsError as exc:
            self._jws_error(exc, pointer=pointer, entry=entry, part=part)
            return parsed, None
        if not isinstance(data, dict):
            self.add("PINT-JWS-PAYLOAD", f"the {part} payload is not a JSON object", "BENV", pointer=pointer,
                     entry=entry, part=part)
            return parsed, None
        return parsed, data

    def parse_entry(self, token: str, i: int) -> tuple[ParsedJws | None, dict[str, Any] | None]:
        """:meth:`parse` for chain entry ``i`` (the header shared, never mutated; messages built on failure only)."""
        try:
            parsed = parse_compact(token, share_header=True)
            data = payload_json(parsed)
        except JwsError as exc:
            self._jws_error(exc, pointer=f"/envelopeTransferChain/{i}", entry=i, part=f"entry {i}")
            if exc.code != "JWS-PAYLOAD":
                self.unparsed += 1
                return None, None
            return parsed, None
        if data.__class__ is not dict:
            self.add("PINT-JWS-PAYLOAD", f"the entry {i} payload is not a JSON object", "BENV",
                     pointer=f"/envelopeTransferChain/{i}", entry=i, part=f"entry {i}")
            return parsed, None
        return parsed, data

    def _jws_error(self, exc: JwsError, *, pointer: str, entry: int | None, part: str) -> None:
        if exc.detail == "LOAD-JSON-DUPLICATE-KEY":
            where = "header" if exc.code == "JWS-HEADER" else "payload"
            self.add("PINT-DUPLICATE-KEY", f"the {part} JWS {where} has a duplicate JSON key: {exc}", "BENV",
                     pointer=pointer, entry=entry, part=part)
            return
        code, response = _JWS_CODES.get(exc.code, ("PINT-JWS-MALFORMED", "BSIG"))
        self.add(code, f"{part}: {exc}", response, pointer=pointer, entry=entry, part=part)

    def key_for(self, parsed: ParsedJws, *, platform: str | None, at: datetime, pointer: str | None,
                entry: int | None, part: str | None, mismatch_code: str | None = None,
                ) -> tuple[SignatureCheck, PublicKey | None]:
        """The key that must verify ``parsed`` (``platform`` at ``at``) and the :class:`SignatureCheck` of a
        good signature with it; or, recorded as findings, why there is none (the check then says so).
        ``pointer`` and ``part`` default to those of chain entry ``entry`` (built only for a finding)."""
        header = parsed.header
        hit = self.known.get((id(header), platform))
        if hit is not None and hit[0] is header and (hit[1] is None or hit[1] <= at) \
                and (hit[2] is None or at <= hit[2]):
            return hit[3], hit[4]  # the same header (shared by the parser) for the same platform, still valid
        alg = header.get("alg")
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS") or alg not in self.allowed:
            code = "PINT-JWS-ALG-FORBIDDEN"
            part = part or f"entry {entry}"
            self.add(code, f"{part}: algorithm {str(alg)[:20]!r} is never accepted (allowed: "
                           f"{', '.join(sorted(self.allowed))})", "BSIG", pointer=pointer, entry=entry, part=part)
            return SignatureCheck(False, alg if isinstance(alg, str) else None, kid, platform=platform, code=code), None
        resolution: KeyResolution = self.trust.resolve_memo(header, platform=platform, at=at, memo=self.resolved)
        if resolution.key is None or resolution.code is not None:
            trust_code = resolution.code or "TRUST-UNKNOWN-KEY"
            code = _TRUST_CODES.get(trust_code, "PINT-KEY-UNKNOWN")
            if mismatch_code and trust_code == "TRUST-PLATFORM-MISMATCH":
                code = mismatch_code
            part = part or f"entry {entry}"
            self.add(code, f"{part}: {resolution.message or 'no trusted key'}", "BSIG", pointer=pointer, entry=entry,
                     part=part, trustCode=trust_code)
            return SignatureCheck(False, alg, kid, platform=platform, platform_binding=resolution.platform_binding,
                                  code=code), None
        key = resolution.key
        if resolution.platform_binding in ("unknown", "not-checked") and platform is not None:
            self.bindings.add(platform)
        try:
            check_key_fit(alg, key)
        except JwsError as exc:
            failed, response = _JWS_CODES.get(exc.code, ("PINT-JWS-BAD-SIGNATURE", "BSIG"))
            part = part or f"entry {entry}"
            self.add(failed, f"{part}: {exc}", response, pointer=pointer, entry=entry, part=part)
            return self._check(resolution, alg, kid, platform, failed), key
        check = self._check(resolution, alg, kid, platform, None)
        x5c = header.get("x5c")
        remembered = self.resolved.get((kid, tuple(x5c) if x5c.__class__ is list else None, platform))
        if remembered is not None and remembered[0] is resolution and mismatch_code is None:
            self.known[(id(header), platform)] = (header, remembered[1], remembered[2], check, key)
        return check, key

    def _check(self, resolution: KeyResolution, alg: str, kid: str | None, platform: str | None,
               failed: str | None) -> SignatureCheck:
        """The SignatureCheck for a resolved key (one object per resolution for good signatures)."""
        if failed is None:
            hit = self.checks.get(id(resolution))
            if hit is not None and hit[0] is resolution and hit[1] == alg and hit[2] == platform:
                return hit[3]
        key = resolution.key
        assert key is not None
        subject = None
        if resolution.chain:
            try:
                subject = resolution.chain[0].subject.rfc4514_string()[:120]
            except ValueError:
                subject = None
        check = SignatureCheck(failed is None, alg, kid, resolution.how, key.kid, key.thumbprint, platform,
                               resolution.platform_binding, failed, subject)
        if failed is None:  # the resolution is kept in the value, so its id is not reused meanwhile
            self.checks[id(resolution)] = (resolution, alg, platform, check)
        return check

    def signature(self, parsed: ParsedJws, *, platform: str | None, at: datetime, pointer: str, entry: int | None,
                  part: str, mismatch_code: str | None = None) -> tuple[SignatureCheck, PublicKey | None]:
        """Resolve the key for ``platform`` at ``at`` and verify; record failures."""
        check, key = self.key_for(parsed, platform=platform, at=at, pointer=pointer, entry=entry, part=part,
                                  mismatch_code=mismatch_code)
        if not check.verified or key is None:
            return check, key
        if signature_valid(check.alg or "", key, parsed.signing_input, parsed.signature):
            return check, key
        self.add("PINT-JWS-BAD-SIGNATURE", f"{part}: {bad_signature(check.alg or '', key)}", "BSIG", pointer=pointer,
                 entry=entry, part=part)
        return replace(check, verified=False, code="PINT-JWS-BAD-SIGNATURE"), key

    # -- legacy normalisation

    def normalise_entry(self, data: dict[str, Any], index: int) -> dict[str, Any]:
        """A copy of ``data`` with legacy fields mapped to PINT 3.0 (findings recorded); ``data`` if none."""
        out = data
        if _PREV in data and data[_PREV] is None:
            out = dict(data)
            del out[_PREV]
            self.legacy("PINT-LEGACY-NULL-PREVIOUS", f"{_PREV} is null; PINT 3.0 omits it in the first entry",
                        pointer=f"/envelopeTransferChain/{index}", entry=index, payload_pointer=f"/{_PREV}")
        txs = data.get("transactions")
        if not isinstance(txs, list):
            return out
        new_txs: list[Any] | None = None
        for t, tx in enumerate(txs):
            if not isinstance(tx, dict):
                continue
            fixed = self._normalise_tx(tx, index, t)
            if fixed is not tx:
                if new_txs is None:
                    new_txs = list(txs)
                new_txs[t] = fixed
        if new_txs is not None:
            out = dict(out) if out is data else out
            out["transactions"] = new_txs
        return out

    def _normalise_tx(self, tx: dict[str, Any], entry: int, t: int) -> dict[str, Any]:
        code = tx.get("actionCode")
        if "action" not in tx and "timestamp" not in tx and "reason" not in tx and code not in LEGACY_ACTION_CODES:
            return tx
        if code in ActionCode.__members__ and "action" not in tx and "timestamp" not in tx and "reason" not in tx:
            return tx  # SACC / SREJ are both legacy and current
        out = dict(tx)
        ptr = f"/envelopeTransferChain/{entry}"
        base = f"/transactions/{t}"
        if "action" in tx:
            legacy_value = tx["action"]
            mapped = LEGACY_ACTION_CODES.get(legacy_value, legacy_value) if isinstance(legacy_value, str) else None
            self.legacy("PINT-LEGACY-ACTION-FIELD", f"transaction uses the legacy 'action' field ({legacy_value!r}); "
                                                    "PINT 3.0 uses 'actionCode'", pointer=ptr, entry=entry,
                        payload_pointer=f"{base}/action")
            if code is None:
                if mapped is not None:
                    out["actionCode"] = str(mapped)
            elif mapped is not None and LEGACY_ACTION_CODES.get(code, code) != mapped:
                self.legacy("PINT-LEGACY-ACTION-CONFLICT",
                            f"'action' {legacy_value!r} and 'actionCode' {code!r} disagree; "
                            + ("'action' is used (Conformance Gateway layout)" if self.mode == "legacy"
                               else "'actionCode' is used"), pointer=ptr, entry=entry,
                            payload_pointer=f"{base}/actionCode")
                if self.mode == "legacy":
                    out["actionCode"] = str(mapped)
            del out["action"]
        code = out.get("actionCode")
        if isinstance(code, str) and code in LEGACY_ACTION_CODES and code not in ActionCode.__members__:
            self.legacy("PINT-LEGACY-ACTION-CODE", f"legacy action code {code!r}; PINT 3.0 uses "
                                                   f"{LEGACY_ACTION_CODES[code].value!r}",
                        pointer=ptr, entry=entry, payload_pointer=f"{base}/actionCode")
            out["actionCode"] = LEGACY_ACTION_CODES[code].value
        if "timestamp" in tx:
            self.legacy("PINT-LEGACY-TIMESTAMP", "transaction uses the legacy 'timestamp' (epoch ms); PINT 3.0 uses "
                                                 "'actionDateTime'", pointer=ptr, entry=entry,
                        payload_pointer=f"{base}/timestamp")
            stamp = tx["timestamp"]
            if "actionDateTime" not in tx and isinstance(stamp, int) and not isinstance(stamp, bool):
                with contextlib.suppress(OverflowError, OSError, ValueError):  # else the schema reports it
                    out["actionDateTime"] = format_datetime(datetime.fromtimestamp(stamp / 1000, UTC))
            del out["timestamp"]
        if "reason" in tx:
            self.legacy("PINT-LEGACY-REASON", "transaction uses the legacy 'reason'; PINT 3.0 uses 'reasonCode'",
                        pointer=ptr, entry=entry, payload_pointer=f"{base}/reason")
            if "reasonCode" not in tx:
                out["reasonCode"] = tx["reason"]
            del out["reason"]
        return out


def _entry_time(data: Mapping[str, Any] | None, fallback: datetime) -> tuple[datetime, str | None]:
    """The entry's signing time: its last transaction's actionDateTime (else ``fallback``)."""
    txs = data.get("transactions") if data is not None else None
    if isinstance(txs, list):
        for tx in reversed(txs):
            stamp = tx.get("actionDateTime") if isinstance(tx, dict) else None
            if isinstance(stamp, str):
                try:
                    return parse_datetime(stamp), stamp
                except ValueError:
                    break
    return fallback, None


def _coerce_time(at: datetime | str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if isinstance(at, str):
        try:
            return parse_datetime(at)
        except ValueError:
            raise UsageError(f"--at/at {at!r} is not an RFC 3339 date-time", code="PINT-AT") from None
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at


def _coerce_party(value: Party | Mapping[str, Any] | None, what: str) -> Party | None:
    if value is None or isinstance(value, Party):
        return value
    try:
        return Party.from_dict(value, what)
    except PintModelError as exc:
        raise UsageError(f"{what}: {exc}", code="PINT-PARTY") from None


def verify_envelope(envelope: bytes | Mapping[str, Any], trust: TrustStore, *, mode: Mode = "strict",
                    expected_recipient: str | Party | Mapping[str, Any] | None = None,
                    supporting_documents: Mapping[str, bytes] | None = None, require_documents: bool = False,
                    at: datetime | str | None = None, carrier_platform: str | None = None,
                    issue_to: Mapping[str, Any] | None = None, validate_document: bool = True,
                    allowed_algorithms: frozenset[str] = DEFAULT_ALLOWED, source: str = "<envelope>",
                    parallel: bool | None = None, _optimistic: bool = True) -> VerificationResult:
    """Verify a PINT envelope; see the module docstring for the checks and the outcome.

    ``envelope`` is the raw bytes (preferred: duplicate keys are then
    detected) or a parsed dict. ``trust`` decides which keys may sign for which
    platform. ``expected_recipient`` is a platform code or a party the last
    transaction must be addressed to. ``supporting_documents`` maps a document
    checksum or name to its **decoded** bytes; when given (or when
    ``require_documents``), every document the manifest names must be there.
    ``at`` is the verification time (default now): the manifest's certificates
    must be valid then, and no transaction may claim a later time. ``issue_to``
    is the Issuance API ``IssueToParty`` to check ``issueToChecksum`` against.
    ``parallel``: whether the entries' signatures are checked in the worker
    process while this one checks the rest (see the module docstring):
    ``None`` (default) for long chains when two CPUs are usable (see
    :func:`etr.crypto.worker.open_batches`), ``True`` for any chain of two or
    more, ``False`` never. The result is the same either way.

    Problems in the envelope are findings, never exceptions.

    Raises:
        UsageError: ``mode`` is unknown, ``at`` is not a date-time, a party is
            malformed, ``allowed_algorithms`` names a forbidden algorithm, or
            ``parallel`` is not None, True or False.
    """
    if mode not in ("strict", "legacy"):
        raise UsageError(f"unknown mode {mode!r}; choose strict or legacy", code="PINT-MODE")
    if parallel is not None and parallel.__class__ is not bool:
        raise UsageError(f"parallel must be None, True or False, not {parallel!r}", code="PINT-PARALLEL")
    when = _coerce_time(at)
    recipient_party = expected_recipient if isinstance(expected_recipient, str) else \
        _coerce_party(expected_recipient, "expected recipient")
    if allowed_algorithms is not DEFAULT_ALLOWED:
        from ..crypto.jws import check_allowed

        allowed_algorithms = check_allowed(allowed_algorithms)
    v = _Verifier(trust, mode, when, allowed_algorithms)
    stamp = format_datetime(when)

    def done(**parts: Any) -> VerificationResult:
        return _finish(v, source, stamp, **parts)

    def again() -> VerificationResult:
        """Start again, the envelope read by the hardened loader first (see _confirm)."""
        return verify_envelope(confirm or b"", trust, mode=mode, expected_recipient=expected_recipient,
                               supporting_documents=supporting_documents, require_documents=require_documents,
                               at=at, carrier_platform=carrier_platform, issue_to=issue_to,
                               validate_document=validate_document, allowed_algorithms=allowed_algorithms,
                               source=source, parallel=parallel, _optimistic=False)

    # 1. The envelope itself. Bytes are read at once by orjson, so that the entries' signatures reach the
    # worker sooner; the hardened loader confirms the reading after the chain loop (see _confirm).
    confirm: bytes | None = None  # the bytes orjson read, to confirm
    env: Any = envelope
    if isinstance(envelope, bytes | bytearray):
        from ..load import LoadError, load_json

        data = bytes(envelope)
        env = _optimistic_json(data) if _optimistic else None
        if env is not None:
            confirm = data
        else:
            try:
                env = load_json(data, source).content
            except LoadError as exc:
                code = "PINT-DUPLICATE-KEY" if exc.code == "LOAD-JSON-DUPLICATE-KEY" else "PINT-ENVELOPE-UNREADABLE"
                v.add(code, f"envelope: {exc}", "BENV", pointer="", loadCode=exc.code)
                return done()
    if not isinstance(env, Mapping):
        v.add("PINT-ENVELOPE-UNREADABLE", "the envelope is not a JSON object", "BENV", pointer="")
        return done()
    td = env.get("transportDocument")
    chain = env.get("envelopeTransferChain")
    if not isinstance(td, Mapping) or not isinstance(chain, list) or not chain:
        if confirm is not None:  # nothing to gain: the hardened loader reads it first
            return again()
        _check_envelope(v, env)
        return done()
    try:
        td_checksum = jcs_sha256(td)
    except CanonicalizationError as exc:
        if confirm is not None:
            return again()
        _check_envelope(v, env)
        v.add("PINT-TD-UNREPRESENTABLE", f"the transport document has no RFC 8785 form ({exc}): its checksum, "
                                         "which the manifest and every entry name, cannot be computed", "BENV",
              pointer="/transportDocument")
        return done()

    # 2. The chain entries, oldest first (each JWS hashed as received, as the loop reaches it; see
    # _Checksums), before anything else, so that the worker (if any) gets their signatures early.
    n = len(chain)
    sums = _Checksums(chain)
    entries = [_Entry(0, "")] + ([_Entry(n - 1, "")] if n > 1 else [])  # checksums set by the loop
    jobs = _Signatures(parallel, n)
    try:
        results, first_key, ctr, machine = _check_entries(v, chain, sums, entries, td, td_checksum, jobs)
        jobs.batches.flush()  # the last signatures go to the worker now, not when their outcome is needed
        if confirm is not None and not _confirm(confirm, env):
            jobs.batches.results()  # the hardened loader refuses the envelope, or reads it otherwise: the
            return again()          # worker finishes this chain's requests, then start again
        # Then what needs no entry's signature, while the worker checks the last ones. 1. The envelope
        # shape and the embedded TD: their findings go before the entries' (the order of the checks).
        entry_findings, v.findings = v.findings, []
        _check_envelope(v, env, chain_parsed=v.unparsed == 0)
        td_report = _validate_td(td, source, v) if validate_document else None
        front, v.findings = v.findings, entry_findings

        # 3. Issuance manifest (carrier-signed, entry 0).
        issuance = _check_issuance(v, env, entries[0], first_key, td_checksum, carrier_platform, issue_to)

        # 5. Envelope manifest (sending platform = platform of the last entry).
        last = entries[-1]
        sender = last.data.get("eblPlatform") if last.data is not None else None
        manifest_result, manifest = _check_manifest(v, env, last, sender if isinstance(sender, str) else None,
                                                    td_checksum)
        if issuance is not None and manifest is not None:
            issuance = _check_visualisation(v, issuance, manifest)
        jobs.finish(v, results)  # the entries' signature findings go where the entry-by-entry order puts them
    finally:
        jobs.close()
    v.findings[0:0] = front

    # 6. Expected recipient and documents.
    results, chain_result = _story_of_verified_entries(v, results, machine.result())
    if expected_recipient is not None:
        _check_recipient(v, entries[-1], chain_result, expected_recipient if isinstance(expected_recipient, str)
                         else recipient_party)
    if manifest is not None and manifest_result is not None:
        docs = _check_documents(v, manifest, supporting_documents, require_documents)
        manifest_result = _replace_manifest(manifest_result, docs)
    if v.bindings:
        v.add("PINT-PLATFORM-UNBOUND", "keys were accepted for platform(s) " + ", ".join(sorted(v.bindings))
              + " without a registry binding them: any trusted key could sign for them", "BSIG",
              severity=Severity.INFO, platforms=sorted(v.bindings))
    if ctr is not None:
        v.add("PINT-CTR-NOT-CHECKED", f"entry 0 names the control tracking registry {ctr[:200]!r}; its records "
                                      "override PINT and cannot be checked offline", "BENV", entry=0,
              severity=Severity.INFO, payload_pointer="/controlTrackingRegistry")
    return done(td_checksum=td_checksum, entries=tuple(results), manifest=manifest_result, issuance=issuance,
                chain=chain_result, td_report=td_report, ctr=ctr)


def _check_envelope(v: _Verifier, env: Mapping[str, Any], chain_parsed: bool = False) -> None:
    """Step 1 (after the load): the ``EblEnvelope`` shape, and the legacy root issuance manifest.
    ``chain_parsed``: every chain entry passed the strict JWS parser, which accepts nothing the schema's
    JWS pattern refuses: the schema then need not scan them all again (one is kept for ``minItems``)."""
    shape = env if isinstance(env, dict) else dict(env)
    chain = shape.get("envelopeTransferChain")
    if chain_parsed and isinstance(chain, list) and len(chain) > 1:
        shape = {**shape, "envelopeTransferChain": chain[:1]}
    v.schema("EblEnvelope", shape, pointer="")
    if _ISSUANCE in env:
        v.legacy("PINT-LEGACY-ROOT-ISSUANCE-MANIFEST", "issuanceManifestSignedContent at the envelope root (older "
                                                       "beta layout); PINT 3.0 puts it in the first chain entry",
                 pointer=f"/{_ISSUANCE}")


def _story_of_verified_entries(v: _Verifier, results: list[EntryResult], chain: ChainResult,
                               ) -> tuple[list[EntryResult], ChainResult]:
    """Tell who held the eBL only as far as the signatures hold.

    An entry whose signature does not verify says nothing trustworthy about
    possession, nor does any entry after it: the holders are cut before it
    (``PINT-STATE-UNVERIFIED``, info; the signature failure itself is the error).
    """
    bad = next((r.index for r in results if not r.signature.verified), None)
    if bad is None:
        return results, chain
    steps = tuple(step for step in chain.steps if step.entry < bad)
    holders: list[Party] = []
    for step in steps:
        if step.holder is not None and (not holders or not step.holder.same_as(holders[-1])):
            holders.append(step.holder)
    current = steps[-1].holder if steps else None
    v.add("PINT-STATE-UNVERIFIED", f"the holder is told only up to entry {bad - 1}: entry {bad}'s signature "
                                   "does not verify, so it and what follows prove nothing about possession", "BSIG",
          entry=bad, severity=Severity.INFO)
    results = [replace(r, holder_after=None) if r.index >= bad else r for r in results]
    return results, replace(chain, steps=steps, holders=tuple(holders), state=replace(chain.state, holder=current))


def _stop(v: _Verifier, machine_on: bool, index: int) -> bool:
    if machine_on:
        v.add("PINT-STATE-INCOMPLETE", f"the holder cannot be followed past entry {index}, which cannot be read",
              "BENV", entry=index, severity=Severity.INFO)
    return False


_UNCHECKED = SignatureCheck(False)


class _Signatures:
    """The signature arithmetic of the chain entries: checked at once, or queued for the worker process
    (:mod:`etr.crypto.worker`) while the entries after it are checked. :meth:`finish` applies the queued
    outcomes in entry order, as the immediate path records them: a bad signature's finding goes where it
    would have been added, and the entry result is corrected."""

    def __init__(self, parallel: bool | None, entries: int) -> None:
        self.batches = worker.open_batches(signature_segment_valid, entries, parallel)
        self.queued: list[tuple[int, int, str, PublicKey]] = []  # (entry, findings slot, alg, key)

    def check(self, v: _Verifier, i: int, sig: SignatureCheck, key: PublicKey, parsed: ParsedJws) -> SignatureCheck:
        """The entry's SignatureCheck: checked now, or queued (the check of a good signature, corrected by
        :meth:`finish` if it is not)."""
        alg = sig.alg or ""
        if self.batches.parallel:
            self.queued.append((i, len(v.findings), alg, key))
            self.batches.add(alg, key, parsed.signing_input, parsed.signature_segment)
            return sig
        if signature_valid(alg, key, parsed.signing_input, parsed.signature):
            return sig
        v.add("PINT-JWS-BAD-SIGNATURE", f"entry {i}: {bad_signature(alg, key)}", "BSIG", entry=i,
              pointer=f"/envelopeTransferChain/{i}", part=f"entry {i}")
        return replace(sig, verified=False, code="PINT-JWS-BAD-SIGNATURE")

    def finish(self, v: _Verifier, results: list[EntryResult]) -> None:
        """Wait for the queued signatures and apply their outcomes as the immediate path would."""
        if not self.queued:
            return
        outcomes = self.batches.results()
        for (i, slot, alg, key), ok in reversed(list(zip(self.queued, outcomes, strict=True))):
            if ok:
                continue
            v.errors += 1
            v.findings.insert(slot, v.finding("PINT-JWS-BAD-SIGNATURE", f"entry {i}: {bad_signature(alg, key)}",
                                              "BSIG", entry=i, pointer=f"/envelopeTransferChain/{i}",
                                              part=f"entry {i}"))
            entry = results[i]
            results[i] = replace(entry, signature=replace(entry.signature, verified=False,
                                                          code="PINT-JWS-BAD-SIGNATURE"), ok=False)

    def close(self) -> None:
        self.batches.close()


def _optimistic_json(data: bytes) -> dict[str, Any] | None:
    """The envelope as orjson reads it (a JSON object within the default size limit), else None."""
    from ..load import DEFAULT_MAX_BYTES

    if len(data) > DEFAULT_MAX_BYTES:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return value if value.__class__ is dict else None


def _confirm(data: bytes, env: Mapping[str, Any]) -> bool:
    """Whether the hardened loader reads ``data`` exactly as orjson read it (``env``). orjson already
    refuses what the loader refuses but for three things, checked here: nesting deeper than the
    limit, integers beyond 64 bits (orjson reads them as floats: any integral float that large sends
    the envelope to the loader), and duplicate keys (the loader's own scan)."""
    from ..load import DEFAULT_MAX_DEPTH, LoadError, has_duplicate_key

    todo: list[tuple[Any, int]] = [(env, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > DEFAULT_MAX_DEPTH:
            return False
        for item in (value.values() if value.__class__ is dict else value):
            kind = item.__class__
            if kind is dict or kind is list:
                todo.append((item, depth + 1))
            elif kind is float and abs(item) >= 2.0**63 and item.is_integer():
                return False
    try:
        return not has_duplicate_key(data)
    except LoadError:
        return False


class _Checksums:
    """The SHA-256 of each chain entry's JWS as received: computed as the entry loop reaches each entry
    (so that the first signatures reach the worker sooner), all of them only when a link that does not
    follow must be explained (:meth:`first_index`)."""

    def __init__(self, chain: list[Any]) -> None:
        self.chain = chain
        self.of: list[str] = []  # "" for an entry that is not a string
        self._first: dict[str, int] | None = None

    def at(self, i: int) -> str:
        of, chain = self.of, self.chain
        while len(of) <= i:
            token = chain[len(of)]
            of.append(sha256_hex(token.encode("utf-8")) if isinstance(token, str) else "")
        return of[i]

    def first_index(self) -> dict[str, int]:
        """checksum -> the index of the first entry with it."""
        if self._first is None:
            self.at(len(self.chain) - 1)
            self._first = dict(zip(reversed(self.of), range(len(self.of) - 1, -1, -1), strict=True))
        return self._first


def _check_entries(v: _Verifier, chain: list[Any], sums: _Checksums,
                   entries: list[_Entry], td: Mapping[str, Any], td_checksum: str, jobs: _Signatures,
                   ) -> tuple[list[EntryResult], PublicKey | None, str | None, StateMachine]:
    """Step 2, entry by entry (see the module docstring); returns the entry results, the key of entry 0,
    entry 0's control tracking registry and the state machine. Messages and pointers are built only for
    findings; the signature arithmetic goes to ``jobs``."""
    when = v.at
    stamp: str | None = None
    n = len(chain)
    machine = StateMachine.for_document(td)
    machine_on = True
    validator = _schema.validator("EnvelopeTransferChainEntry")
    memo: PartyMemo = {}
    seen_payloads: dict[bytes, int] = {}
    seen_previous: dict[str, int] = {}
    first_seen: dict[str, int] = {}  # checksum -> the first entry with it
    results: list[EntryResult] = []
    first_key: PublicKey | None = None
    ctr: str | None = None
    for i, token in enumerate(chain):
        if not isinstance(token, str):
            v.unparsed += 1
            machine_on = _stop(v, machine_on, i)
            results.append(EntryResult(i, "", None, None, _UNCHECKED, (), None, None, False))
            continue
        checksum = sums.at(i)
        first = first_seen.setdefault(checksum, i)
        if first != i:
            v.add("PINT-CHAIN-REPLAY", f"entry {i} repeats entry {first} (same JWS): a replayed entry", "DISE",
                  entry=i, duplicateOf=first)
        errors_before = v.errors
        parsed, data = v.parse_entry(token, i)
        if parsed is not None and first == i:
            earlier = seen_payloads.setdefault(parsed.payload, i)
            if earlier != i:
                v.add("PINT-CHAIN-REPLAY", f"entry {i} repeats the payload of entry {earlier} (re-signed): "
                                           "a replayed entry", "DISE", entry=i, duplicateOf=earlier)
        platform = None
        schema_ok = False
        if data is None:
            signed_at_dt, signed_at = when, None
        else:
            data = v.normalise_entry(data, i)
            schema_ok = validator.is_valid(data) or v.schema("EnvelopeTransferChainEntry", data,
                                                              pointer=f"/envelopeTransferChain/{i}", entry=i)
            signed_at_dt, signed_at = _entry_time(data, when)
            platform = data.get("eblPlatform")
            if platform.__class__ is not str:
                platform = platform if isinstance(platform, str) else None
            _check_links(v, i, data, sums, seen_previous)
            doc_sum = data.get("transportDocumentChecksum")
            if doc_sum != td_checksum and isinstance(doc_sum, str):
                v.add("PINT-TD-CHECKSUM-ENTRY", f"entry {i} is for another transport document (checksum "
                                                f"{doc_sum[:12]}…, the TD's is {td_checksum[:12]}…)", "BENV", entry=i,
                      payload_pointer="/transportDocumentChecksum")
            if i > 0 and _ISSUANCE in data:
                v.add("PINT-ISSUANCE-MISPLACED", f"entry {i} carries an issuance manifest; only the first entry may",
                      "BENV", entry=i, payload_pointer=f"/{_ISSUANCE}")
            if "controlTrackingRegistry" in data:
                if i == 0:
                    ctr = str(data["controlTrackingRegistry"])
                else:
                    v.add("PINT-CTR-MISPLACED", f"entry {i} names a controlTrackingRegistry; only the first entry may",
                          "BENV", entry=i, payload_pointer="/controlTrackingRegistry")
            if signed_at is not None and signed_at_dt > when + CLOCK_SKEW:
                stamp = stamp or format_datetime(when)
                v.add("PINT-TIME-FUTURE", f"entry {i} claims {signed_at}, later than the verification time {stamp}",
                      "BENV", entry=i, severity=Severity.WARNING, payload_pointer="/transactions")
        sig = _UNCHECKED
        if parsed is not None:
            sig, key = v.key_for(parsed, platform=platform, at=signed_at_dt, pointer=None, entry=i, part=None)
            if i == 0:
                first_key = key
            if sig.verified and key is not None:
                sig = jobs.check(v, i, sig, key, parsed)
        # The story: only entries that were read and are well formed feed the machine.
        model = None
        if schema_ok and data is not None and machine_on and 0 < i < n - 1 \
                and _transfer(machine, i, platform, data, memo):
            actions, holder = _TRANSFER, machine.holder  # the usual entry, told without building its model
        else:
            actions, holder, model, machine_on = _tell(v, machine, machine_on, i, data, schema_ok, memo)
        if i == 0 or i == n - 1:  # only the first and last entries are needed later
            entry = entries[0 if i == 0 else -1]
            entry.checksum, entry.data, entry.model = checksum, data, model
        previous = data.get(_PREV) if data else None
        results.append(EntryResult(i, checksum, platform, previous if isinstance(previous, str) else None, sig,
                                   actions, signed_at, holder, v.errors == errors_before and sig.verified))
    return results, first_key, ctr, machine


def _tell(v: _Verifier, machine: StateMachine, machine_on: bool, i: int, data: dict[str, Any] | None,
          schema_ok: bool, memo: PartyMemo,
          ) -> tuple[tuple[str, ...], Party | None, TransferChainEntry | None, bool]:
    """Feed entry ``i`` to the machine through its model; return its actions, the holder after it, the
    model, and whether the machine can go on (only entries that were read and are well formed feed it)."""
    model = None
    if schema_ok and data is not None:
        try:
            model = TransferChainEntry.from_dict(data, f"entry {i}", memo=memo)
        except PintModelError as exc:  # the schema should have caught it; be safe
            v.add("PINT-SCHEMA-TYPE", f"entry {i}: {exc}", "BENV", entry=i)
    if model is None:
        actions: tuple[str, ...] = ()
        if data is not None and isinstance(data.get("transactions"), list):
            actions = tuple(str(t.get("actionCode")) for t in data["transactions"] if isinstance(t, dict))
        return actions, None, None, _stop(v, machine_on, i)
    txs = model.transactions
    actions = (txs[0].action_code,) if len(txs) == 1 else tuple([t.action_code for t in txs])
    if not machine_on:
        return actions, None, model, False
    for viol in machine.feed_entry(i, model):
        v.add(viol.code, f"entry {i} transaction {viol.transaction}: {viol.message}", "BENV", entry=i,
              payload_pointer=viol.field, transaction=viol.transaction,
              severity=Severity.WARNING if viol.warning else Severity.ERROR)
    return actions, machine.holder, model, True


_TRANSFER: tuple[str, ...] = ("TRANSFER",)


def _transfer(machine: StateMachine, i: int, platform: str | None, data: dict[str, Any], memo: PartyMemo) -> bool:
    """Feed a schema-valid entry that holds one plain TRANSFER (actionCode, actionDateTime, actor and
    recipient only) straight to the machine; False (nothing done) for any other entry."""
    txs = data["transactions"]
    if platform is None:
        return False
    if len(txs) != 1:
        return False
    tx = txs[0]
    if len(tx) != 4 or tx.get("actionCode") != "TRANSFER" or "recipient" not in tx:
        return False
    actor = Party.from_dict(tx["actor"], memo=memo)
    return machine.transfer(i, 0, platform, actor, Party.from_dict(tx["recipient"], memo=memo),
                            tx["actionDateTime"])


def _check_links(v: _Verifier, i: int, data: Mapping[str, Any], sums: _Checksums,
                 seen_previous: dict[str, int]) -> None:
    prev = data.get(_PREV)
    if i == 0:
        if prev is not None:
            v.add("PINT-CHAIN-FIRST-HAS-PREVIOUS", "the first entry names a previous entry; it must have none "
                                                   "(entries removed or reordered?)", "BENV", entry=0,
                  payload_pointer=f"/{_PREV}")
        return
    if not isinstance(prev, str):
        v.add("PINT-CHAIN-LINK-MISSING", f"entry {i} does not name the checksum of entry {i - 1}", "BENV", entry=i,
              payload_pointer=f"/{_PREV}")
        return
    expected = sums.at(i - 1)
    earlier_user = seen_previous.setdefault(prev, i)
    if prev == expected and earlier_user == i:
        return
    target = sums.first_index().get(prev)
    if earlier_user != i:
        v.add("PINT-CHAIN-FORK", f"entries {earlier_user} and {i} both follow the same entry: the chain forks", "DISE",
              entry=i, payload_pointer=f"/{_PREV}", forkOf=earlier_user)
    elif target is not None and target < i - 1:
        v.add("PINT-CHAIN-FORK", f"entry {i} follows entry {target}, not entry {i - 1}: the chain forks after entry "
                                 f"{target}", "DISE", entry=i, payload_pointer=f"/{_PREV}", forkOf=target)
    elif target is not None:
        v.add("PINT-CHAIN-ORDER", f"entry {i} names entry {target} as its predecessor: entries are out of order",
              "BENV", entry=i, payload_pointer=f"/{_PREV}")
    else:
        v.add("PINT-CHAIN-LINK", f"entry {i} does not follow entry {i - 1}: its previous checksum names no entry "
                                 "of this chain (entry removed or spliced in?)", "BENV", entry=i,
              payload_pointer=f"/{_PREV}")


def _validate_td(td: Mapping[str, Any], source: str, v: _Verifier) -> Report | None:
    try:
        from ..validate import validate

        report = validate(td, family="dcsa-ebl", name=f"{source}#/transportDocument")
    except Exception as exc:  # the family is optional for the chain verdict; never sink the verification
        log.debug("TD validation failed", exc_info=True)
        v.add("PINT-TD-NOT-VALIDATED", f"the embedded transport document could not be validated "
                                       f"({type(exc).__name__})", "BENV", pointer="/transportDocument",
              severity=Severity.INFO)
        return None
    if not report.valid:
        errors = report.count(Severity.ERROR)
        v.add("PINT-TD-INVALID", f"the embedded transport document has {errors} error finding(s) "
                                 f"(first: {next(f.code for f in report.findings if f.severity is Severity.ERROR)}); "
                                 "see the TD report — the chain is judged on its own", "BENV",
              pointer="/transportDocument", severity=Severity.INFO, errors=errors)
    return report


def _check_issuance(v: _Verifier, env: Mapping[str, Any], first: _Entry, entry_key: PublicKey | None,
                    td_checksum: str, carrier_platform: str | None,
                    issue_to: Mapping[str, Any] | None) -> IssuanceResult | None:
    data = first.data
    token = data.get(_ISSUANCE) if data is not None else None
    placement = "entry"
    pointer = "/envelopeTransferChain/0"
    if token is None and v.mode == "legacy" and _ISSUANCE in env:
        token, placement, pointer = env[_ISSUANCE], "root", f"/{_ISSUANCE}"
    if data is None:
        return None
    entry = 0 if placement == "entry" else None
    platform = carrier_platform or (data.get("eblPlatform") if isinstance(data.get("eblPlatform"), str) else None)
    if token is None:
        v.add("PINT-ISSUANCE-MISSING", "the first entry has no issuanceManifestSignedContent (the carrier's signed "
                                       "issuance manifest)", "BENV", entry=0, payload_pointer=f"/{_ISSUANCE}")
        return IssuanceResult(SignatureCheck(False), platform, "missing")
    got = v.parse(token, pointer=pointer, entry=entry, part="issuance manifest")
    if got is None:
        return IssuanceResult(SignatureCheck(False), platform, placement)
    parsed, payload = got
    signed_at, _ = _entry_time(data, v.at)
    sig, key = v.signature(parsed, platform=platform, at=signed_at, pointer=pointer, entry=entry,
                           part="issuance manifest", mismatch_code="PINT-ISSUANCE-NOT-CARRIER")
    if sig.verified and key is not None and sig.platform_binding != "registered" \
            and (entry_key is None or key.thumbprint != entry_key.thumbprint):
        v.add("PINT-ISSUANCE-CARRIER-UNBOUND",
              f"the issuance manifest is signed by trusted key {key.kid!r}, not the key of entry 0, and no registry "
              f"binds keys to carrier platform {platform!r}: it cannot be shown to be the carrier's", "BSIG",
              pointer=pointer, entry=entry, severity=Severity.WARNING)
    result = IssuanceResult(sig, platform, placement)
    if payload is None or not v.schema("IssuanceManifest", payload, pointer=pointer, entry=entry,
                                       prefix=f"/{_ISSUANCE}" if entry is not None else ""):
        return result
    manifest = IssuanceManifest.from_dict(payload)
    doc_ok = manifest.document_checksum == td_checksum
    if not doc_ok:
        v.add("PINT-ISSUANCE-CHECKSUM", "the carrier's issuance manifest is for another transport document "
                                        f"(documentChecksum {manifest.document_checksum[:12]}…, the TD's is "
                                        f"{td_checksum[:12]}…)", "BENV", pointer=pointer, entry=entry,
              payload_pointer=f"/{_ISSUANCE}/documentChecksum" if entry is not None else "/documentChecksum")
    verified, basis = _issue_to(v, manifest, first, issue_to, pointer, entry)
    return IssuanceResult(sig, platform, placement, manifest.document_checksum, doc_ok, manifest.issue_to_checksum,
                          verified, basis, manifest.ebl_visualisation_by_carrier_checksum, None)


def _issue_to(v: _Verifier, manifest: IssuanceManifest, first: _Entry, issue_to: Mapping[str, Any] | None,
              pointer: str, entry: int | None) -> tuple[bool | None, str | None]:
    if issue_to is not None:
        try:
            given = jcs_sha256(issue_to)
        except CanonicalizationError as exc:
            raise UsageError(f"issue_to has no RFC 8785 form: {exc}", code="PINT-ISSUE-TO") from None
        if given == manifest.issue_to_checksum:
            return True, "given"
        v.add("PINT-ISSUETO-CHECKSUM", "issueToChecksum does not match the IssueToParty given", "BENV",
              pointer=pointer, entry=entry, payload_pointer="/issueToChecksum")
        return False, "given"
    model = first.model
    tx = model.transactions[0] if model is not None and model.transactions else None
    if tx is not None and tx.action is ActionCode.ISSUE and tx.recipient is not None:
        with contextlib.suppress(CanonicalizationError):  # free-form members without an RFC 8785 form: no match
            if jcs_sha256(tx.recipient.to_issue_to()) == manifest.issue_to_checksum:
                return True, "issue-recipient"
    v.add("PINT-ISSUETO-UNVERIFIED", "issueToChecksum covers the Issuance API IssueToParty, which the envelope does "
                                     "not carry, and the ISSUE recipient does not reproduce it: not verified", "BENV",
          pointer=pointer, entry=entry, payload_pointer="/issueToChecksum", severity=Severity.INFO)
    return None, None


def _check_visualisation(v: _Verifier, issuance: IssuanceResult, manifest: EnvelopeManifest) -> IssuanceResult:
    from dataclasses import replace

    carrier_sum = issuance.visualisation_checksum
    if carrier_sum is None:
        return issuance
    vis = manifest.ebl_visualisation_by_carrier
    if vis is None:
        v.add("PINT-VISUALISATION-MISSING", "the carrier issued a visualisation (eBLVisualisationByCarrierChecksum) "
                                            "but the manifest no longer lists it; it must accompany every transfer",
              "BENV", pointer=_MANIFEST_PTR, payload_pointer="/eBLVisualisationByCarrier")
        return replace(issuance, visualisation_ok=False)
    if vis.document_checksum != carrier_sum:
        v.add("PINT-VISUALISATION-CHECKSUM", "the manifest's eBLVisualisationByCarrier is not the one the carrier "
                                             "signed at issuance", "BENV", pointer=_MANIFEST_PTR,
              payload_pointer="/eBLVisualisationByCarrier/documentChecksum")
        return replace(issuance, visualisation_ok=False)
    return replace(issuance, visualisation_ok=True)


def _check_manifest(v: _Verifier, env: Mapping[str, Any], last: _Entry, sender: str | None,
                    td_checksum: str) -> tuple[ManifestResult | None, EnvelopeManifest | None]:
    token = env.get("envelopeManifestSignedContent")
    got = v.parse(token, pointer=_MANIFEST_PTR, entry=None, part="manifest") if isinstance(token, str) else None
    if got is None:
        return None, None
    parsed, payload = got
    sig, _ = v.signature(parsed, platform=sender, at=v.at, pointer=_MANIFEST_PTR, entry=None, part="manifest")
    if payload is None or not v.schema("EnvelopeManifest", payload, pointer=_MANIFEST_PTR):
        return ManifestResult(sig, None, None, False, False), None
    manifest = EnvelopeManifest.from_dict(payload)
    last_ok = manifest.last_entry_checksum == last.checksum
    if not last_ok:
        v.add("PINT-MANIFEST-LAST-ENTRY", "the manifest's lastEnvelopeTransferChainEntrySignedContentChecksum is not "
                                          f"the checksum of the last entry ({last.index}): entries added, removed or "
                                          "changed after signing", "BENV", pointer=_MANIFEST_PTR,
              payload_pointer="/lastEnvelopeTransferChainEntrySignedContentChecksum")
    td_ok = manifest.transport_document_checksum == td_checksum
    if not td_ok:
        v.add("PINT-TD-CHECKSUM-MANIFEST", "the manifest's transportDocumentChecksum is not the checksum of the "
                                           "envelope's transportDocument (TD changed, or another TD's manifest)",
              "BENV", pointer=_MANIFEST_PTR, payload_pointer="/transportDocumentChecksum")
    return ManifestResult(sig, manifest.transport_document_checksum, manifest.last_entry_checksum, last_ok,
                          td_ok), manifest


def _replace_manifest(result: ManifestResult, docs: tuple[DocumentCheck, ...]) -> ManifestResult:
    from dataclasses import replace

    return replace(result, documents=docs)


def _check_recipient(v: _Verifier, last: _Entry, chain: ChainResult, expected: str | Party | None) -> None:
    model = last.model
    if model is None or expected is None:
        v.add("PINT-RECIPIENT-UNKNOWN", "the recipient of the last transaction cannot be read", "BENV",
              entry=last.index)
        return
    tx = model.transactions[-1]
    target = tx.recipient or chain.current_holder
    where = f"/transactions/{len(model.transactions) - 1}/recipient"
    if isinstance(expected, str):
        ok = target is not None and target.ebl_platform == expected
        wanted = f"a party of platform {expected!r}"
    else:
        ok = expected.same_as(target)
        wanted = expected.describe()
    if not ok:
        got = target.describe() if target is not None else "nobody"
        v.add("PINT-RECIPIENT-MISMATCH", f"the envelope is addressed to {got}, not to {wanted}", "BENV",
              entry=last.index, payload_pointer=where)


def _check_documents(v: _Verifier, manifest: EnvelopeManifest, given: Mapping[str, bytes] | None,
                     required: bool) -> tuple[DocumentCheck, ...]:
    listed = [("visualisation", 0, manifest.ebl_visualisation_by_carrier)] if manifest.ebl_visualisation_by_carrier \
        else []
    listed += [("supporting", n, d) for n, d in enumerate(manifest.supporting_documents)]
    out: list[DocumentCheck] = []
    if given is None and not required:
        if listed:
            v.add("PINT-DOCUMENTS-NOT-CHECKED", f"the manifest names {len(listed)} document(s); none were given, so "
                                                "they were not checked", "MDOC", pointer=_MANIFEST_PTR,
                  severity=Severity.INFO)
        return tuple(DocumentCheck(d.name, d.document_checksum, d.size, role, "not-checked") for role, _, d in listed)
    given = given or {}
    by_content: dict[str, str] = {}
    for name, data in given.items():  # each document is hashed once
        by_content.setdefault(sha256_hex(data), name)
    used: set[str] = set()
    for role, n, d in listed:
        ptr = "/eBLVisualisationByCarrier" if role == "visualisation" else f"/supportingDocuments/{n}"
        key = d.document_checksum if d.document_checksum in given else d.name if d.name in given \
            else by_content.get(d.document_checksum)
        if key is None:
            v.add("PINT-DOCUMENT-MISSING", f"document {d.name!r} ({d.document_checksum[:12]}…) named by the manifest "
                                           "was not given", "MDOC", pointer=_MANIFEST_PTR, payload_pointer=ptr)
            out.append(DocumentCheck(d.name, d.document_checksum, d.size, role, "missing"))
            continue
        used.add(key)
        data = given[key]
        actual = next((c for c, k in by_content.items() if k == key), None) or sha256_hex(data)
        if actual != d.document_checksum:
            v.add("PINT-DOCUMENT-CHECKSUM", f"document {d.name!r}: SHA-256 of the bytes given is {actual[:12]}…, the "
                                            f"manifest says {d.document_checksum[:12]}…", "INCD",
                  pointer=_MANIFEST_PTR, payload_pointer=f"{ptr}/documentChecksum")
            status = "mismatch"
        elif len(data) != d.size:
            v.add("PINT-DOCUMENT-SIZE", f"document {d.name!r}: {len(data)} bytes given, the manifest says {d.size}",
                  "INCD", pointer=_MANIFEST_PTR, payload_pointer=f"{ptr}/size")
            status = "size"
        else:
            status = "verified"
        out.append(DocumentCheck(d.name, d.document_checksum, d.size, role, status))
    for key in given:
        if key not in used:
            v.add("PINT-DOCUMENT-UNRELATED", f"document {key[:80]!r} was given but the manifest names no such "
                                             "document", "INCD", pointer=_MANIFEST_PTR)
            out.append(DocumentCheck(key, sha256_hex(given[key]), len(given[key]), "given", "unrelated"))
    return tuple(out)


def _finish(v: _Verifier, source: str, stamp: str, *, td_checksum: str | None = None,
            entries: tuple[EntryResult, ...] = (), manifest: ManifestResult | None = None,
            issuance: IssuanceResult | None = None, chain: ChainResult | None = None,
            td_report: Report | None = None, ctr: str | None = None) -> VerificationResult:
    findings = tuple(v.findings)
    if any(f.severity is Severity.ERROR for f in findings):
        outcome = Outcome.FAIL
    elif any(f.severity is Severity.WARNING for f in findings):
        outcome = Outcome.WARN
    elif ctr is not None:
        outcome = Outcome.NOT_EVALUABLE
    else:
        outcome = Outcome.PASS
    if not entries and outcome is Outcome.PASS:  # nothing was verified
        outcome = Outcome.FAIL
    return VerificationResult(
        source, v.mode, outcome, findings, td_checksum, entries, manifest, issuance,
        chain.steps if chain else (), chain.holders if chain else (),
        chain.current_holder if chain else None, td_report, stamp)


def verify_envelope_or_raise(envelope: bytes | Mapping[str, Any], trust: TrustStore, **kwargs: Any,
                             ) -> VerificationResult:
    """Like :func:`verify_envelope`, but raise when the outcome is FAIL.

    Raises:
        EnvelopeVerificationFailed: the outcome is FAIL; ``.code`` is the first error's
            code and ``.result`` the whole result.
        UsageError: as :func:`verify_envelope`.
    """
    result = verify_envelope(envelope, trust, **kwargs)
    if result.outcome is Outcome.FAIL:
        first = result.errors[0] if result.errors else None
        code = first.code if first else "PINT-FAILED"
        message = f"{result.source}: {result.response_code}: " + (f"{first.code}: {first.message}" if first
                                                                  else "verification failed")
        raise EnvelopeVerificationFailed(result, message, code=code)
    return result
