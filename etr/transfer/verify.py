"""Verify a DCSA PINT 3.0 envelope: signatures, hash links, checksums, issuance, and who holds the eBL.

Two doors, as in python-tuf: :func:`verify_envelope` returns a :class:`VerificationResult` saying what
was verified, by which key, and what failed; :func:`verify_envelope_or_raise` raises
:class:`EnvelopeVerificationFailed` when the outcome is FAIL.

**Order of the checks** (reference §2.9; every check runs, so one result tells the whole story):

1. The envelope is strict JSON (read by the hardened loader, :func:`etr.load.load_bytes`: duplicate
   keys refused) of the ``EblEnvelope`` shape; the TD checksum is ``sha256(JCS(transportDocument))``;
   the TD is validated through the DCSA eBL family (:attr:`VerificationResult.td_report`; its findings
   do not change the outcome — the verification is about the chain of control — and an info finding,
   ``PINT-TD-INVALID``, points at the report).
2. Every chain entry, oldest first, is verified against the head of the chain before it:
   :func:`~etr.transfer.entries.verify_entry` (its module docstring lists its checks). A previous
   checksum that names a *later* entry of the envelope is a reordering (``PINT-CHAIN-ORDER``).
3. The carrier's issuance manifest, then the envelope manifest and the documents it names
   (:mod:`etr.transfer.manifests`).
4. A transport document changed after signing makes every entry and both manifests name another
   checksum than the TD's: each checksum named in place of the TD's is reported once, naming where.
5. The holders are told only as far as the signatures hold (``PINT-STATE-UNVERIFIED``, info); then
   the expected recipient, platforms whose registry row binds no key offline (``PINT-PLATFORM-UNBOUND``),
   and a control tracking registry named by entry 0.

**Outcome.** FAIL when any finding is an error; WARN when any is a warning (legacy fields in legacy
mode, a time going backwards …); NOT_EVALUABLE when all checks pass but entry 0 names a control
tracking registry (whose state overrides PINT and cannot be read offline) or a signer's platform is
listed in the registry with only a JWKS endpoint (which is never fetched); PASS otherwise.

**Modes.** ``strict`` follows the OA HEAD schema: legacy ``action`` / ``timestamp`` / ``reason``
fields, legacy action codes (``ISSU``, ``TRNS`` …), a ``null`` previous checksum and a root-level
``issuanceManifestSignedContent`` are errors. ``legacy`` (Conformance Gateway compatible) accepts them
with ``PINT-LEGACY-…`` warnings (:mod:`etr.transfer.legacy`).

Each finding has ``location.pointer`` (``/envelopeTransferChain/3``, ``/envelopeManifestSignedContent``
…) and ``detail`` with the PINT ``responseCode`` a receiving platform would answer (BSIG, BENV, INCD,
MDOC, DISE), the ``entry`` index where there is one, and ``payloadPointer`` inside the JWS payload.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..crypto.digests import CanonicalizationError, jcs_sha256
from ..crypto.jws import DEFAULT_ALLOWED, check_allowed
from ..crypto.trust import TrustStore
from ..errors import UsageError
from ..load import Limits
from ..model import Finding, Outcome, Report, Severity
from .checks import REFERENCE, Mode, Recorder, entry_pointer
from .entries import ChainHead, EntryVerification, check_entry, coerce_time, verify_entry
from .manifests import (
    ISSUANCE,
    check_documents,
    check_issuance,
    check_manifest,
    check_recipient,
    check_visualisation,
)
from .model import Party, PintModelError, format_datetime
from .results import (
    RESPONSE_PRIORITY,
    DocumentCheck,
    EntryResult,
    EnvelopeVerificationFailed,
    IssuanceResult,
    ManifestResult,
    SignatureCheck,
    VerificationResult,
)
from .state import Step, add_holders

__all__ = [
    "RESPONSE_PRIORITY",
    "ChainHead",
    "DocumentCheck",
    "EntryResult",
    "EntryVerification",
    "EnvelopeVerificationFailed",
    "IssuanceResult",
    "ManifestResult",
    "SignatureCheck",
    "VerificationResult",
    "verify_entry",
    "verify_envelope",
    "verify_envelope_or_raise",
]

log = logging.getLogger("etr.transfer")
_TD_CHECKSUM_CODES = ("PINT-TD-CHECKSUM-MANIFEST", "PINT-TD-CHECKSUM-ENTRY", "PINT-ISSUANCE-CHECKSUM")


def verify_envelope(envelope: bytes | Mapping[str, Any], trust: TrustStore, *, mode: Mode = "strict",
                    expected_recipient: str | Party | Mapping[str, Any] | None = None,
                    supporting_documents: Mapping[str, bytes] | None = None, require_documents: bool = False,
                    at: datetime | str | None = None, carrier_platform: str | None = None,
                    issue_to: Mapping[str, Any] | None = None, validate_document: bool = True,
                    allowed_algorithms: frozenset[str] = DEFAULT_ALLOWED, source: str = "<envelope>",
                    td_version: str | None = None, limits: Limits | None = None) -> VerificationResult:
    """Verify a PINT envelope; see the module docstring for the checks and the outcome.

    ``envelope`` is the raw bytes (preferred: duplicate keys are then detected) or a parsed mapping.
    ``trust`` decides which keys may sign for which platform. ``expected_recipient`` is a platform code
    or a party the last transaction must be addressed to. ``supporting_documents`` maps a document
    checksum or name to its **decoded** bytes; when given (or when ``require_documents``), every
    document the manifest names must be there. ``at`` is the verification time (default now; a naive
    datetime is UTC): the manifest's certificates must be valid then, and no transaction may claim a
    later time. ``issue_to`` is the Issuance API ``IssueToParty`` to check ``issueToChecksum`` against.
    ``td_version`` is the DCSA eBL version the embedded TD is validated against (default: the eBL
    family's default). ``limits`` are the loader's size and depth limits for envelope bytes.

    Problems in the envelope are findings, never exceptions.

    Raises:
        UsageError: raised before any work: ``mode`` is unknown, ``at`` is not a date-time, a party is
            malformed, ``issue_to`` has no RFC 8785 form, ``allowed_algorithms`` names a forbidden
            algorithm, or ``td_version`` is not a version of the eBL family (``ETR-UNKNOWN-VERSION``).
    """
    if mode not in ("strict", "legacy"):
        raise UsageError(f"unknown mode {mode!r}; choose strict or legacy", code="PINT-MODE")
    when = coerce_time(at)
    recipient = expected_recipient if isinstance(expected_recipient, str | None | Party) else \
        _party(expected_recipient, "expected recipient")
    allowed = allowed_algorithms if allowed_algorithms is DEFAULT_ALLOWED else check_allowed(allowed_algorithms)
    _check_td_version(td_version)
    issue_to_checksum = None
    if issue_to is not None:
        try:
            issue_to_checksum = jcs_sha256(issue_to)
        except CanonicalizationError as exc:
            raise UsageError(f"issue_to has no RFC 8785 form: {exc}", code="PINT-ISSUE-TO") from None
    rec = Recorder(mode)
    stamp = format_datetime(when)

    # 1. The envelope, its shape, its TD.
    env = _read(rec, envelope, source, limits)
    if env is None:
        return _finish(rec, source, stamp)
    chain = env.get("envelopeTransferChain")
    # Each entry is read by check_entry, more strictly than by the schema's JWS pattern: the shape needs one.
    rec.schema("EblEnvelope", {**env, "envelopeTransferChain": chain[:1]} if isinstance(chain, list) else env,
               pointer="", explained={entry_pointer(0)})
    if ISSUANCE in env:
        rec.legacy("PINT-LEGACY-ROOT-ISSUANCE-MANIFEST", "issuanceManifestSignedContent at the envelope root (older "
                                                         "beta layout); PINT 3.0 puts it in the first chain entry",
                   pointer=f"/{ISSUANCE}")
    td = env.get("transportDocument")
    if not isinstance(td, Mapping) or not isinstance(chain, list) or not chain:
        return _finish(rec, source, stamp)
    try:
        td_checksum = jcs_sha256(td)
    except CanonicalizationError as exc:
        rec.add("PINT-TD-UNREPRESENTABLE", f"the transport document has no RFC 8785 form ({exc}): its checksum, "
                                           "which the manifest and every entry name, cannot be computed", "BENV",
                pointer="/transportDocument")
        return _finish(rec, source, stamp)
    td_report = _validate_td(rec, td, source, td_version) if validate_document else None

    # 2. The chain, entry by entry, each against the head before it.
    head = ChainHead.start(td, td_checksum)
    entries: list[EntryVerification] = []
    memo: dict[Any, Any] = {}  # the trust store's look-ups, for this envelope's signatures
    for token in chain:
        checked = check_entry(token, head, trust, when, mode, allowed, memo)
        rec.findings.extend(checked.findings)
        entries.append(checked)
        head = checked.head
    if "PINT-CHAIN-LINK" in (f.code for e in entries for f in e.findings):
        rec.findings = _reordered(rec.findings, chain)

    # 3. The issuance manifest (entry 0), the envelope manifest (the last entry's platform), the documents.
    first, last = entries[0], entries[-1]
    issuance = check_issuance(rec, trust, allowed, memo, env, first, td_checksum, carrier_platform, issue_to_checksum)
    manifest_result, manifest = check_manifest(rec, trust, allowed, memo, env, last, td_checksum, when)
    if issuance is not None and manifest is not None:
        issuance = check_visualisation(rec, issuance, manifest)

    # 4. A transport document changed after signing: said once.
    rec.findings = _one_finding_per_td_checksum(rec.findings, td_checksum)

    # 5. The story, as far as the signatures hold; the recipient; the documents; what the trust store does not bind.
    results, steps, holders, current = _story(rec, entries)
    if recipient is not None:
        check_recipient(rec, last, current, recipient)
    if manifest is not None and manifest_result is not None:
        documents = check_documents(rec, manifest, supporting_documents, require_documents)
        if documents:  # most manifests name no document; dataclasses.replace costs 1.4 µs
            manifest_result = replace(manifest_result, documents=documents)
    signatures = [e.result.signature for e in entries] + [s.signature for s in (issuance, manifest_result) if s]
    unbound = sorted({s.platform for s in signatures if s.key_thumbprint is not None and s.platform is not None
                      and s.platform_binding in ("unknown", "not-checked")})
    if unbound:
        rec.add("PINT-PLATFORM-UNBOUND", "platform(s) " + ", ".join(unbound) + " are listed in the registry without "
                "a key id or pin (a JWKS endpoint is never fetched): which key speaks for them cannot be checked "
                "offline; add manual_key_id or a pin to their rows", "BSIG", severity=Severity.INFO,
                platforms=unbound)
    ctr = first.payload.get("controlTrackingRegistry") if first.payload is not None else None
    if ctr is not None:
        rec.add("PINT-CTR-NOT-CHECKED", f"entry 0 names the control tracking registry {str(ctr)[:200]!r}; its records "
                                        "override PINT and cannot be checked offline", "BENV", entry=0,
                severity=Severity.INFO, payload_pointer="/controlTrackingRegistry")
    return _finish(rec, source, stamp, td_checksum=td_checksum, entries=results, manifest=manifest_result,
                   issuance=issuance, steps=steps, holders=holders, current=current, td_report=td_report,
                   not_evaluable=ctr is not None or bool(unbound), head=head)


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
        message = f"{result.source}: {result.response_code}: " + (f"{first.code}: {first.message}" if first
                                                                  else "verification failed")
        raise EnvelopeVerificationFailed(result, message, code=first.code if first else "PINT-FAILED")
    return result


def _party(value: Mapping[str, Any], what: str) -> Party:
    try:
        return Party.from_dict(value, what)
    except PintModelError as exc:
        raise UsageError(f"{what}: {exc}", code="PINT-PARTY") from None


def _check_td_version(version: str | None) -> None:
    """Raises UsageError (``ETR-UNKNOWN-VERSION``) for a version the DCSA eBL family does not know."""
    if version is None:
        return
    from ..families import get_family

    known = get_family("dcsa-ebl").versions
    if version not in known:
        raise UsageError(f"no version {version!r} of dcsa-ebl for the transport document", code="ETR-UNKNOWN-VERSION",
                         hint=f"choose one of: {', '.join(known)}")


def _read(rec: Recorder, envelope: bytes | Mapping[str, Any], source: str,
          limits: Limits | None) -> Mapping[str, Any] | None:
    """The envelope as a mapping: bytes read by the hardened loader; ``None`` (recorded) when it cannot be."""
    syntax = "json"
    if isinstance(envelope, bytes | bytearray):
        from ..load import LoadError, load_bytes

        try:
            document = load_bytes(bytes(envelope), source, limits)
            rec.findings.extend(document.findings)  # e.g. LOAD-BOM
            envelope, syntax = document.content, document.syntax
        except LoadError as exc:
            code = "PINT-DUPLICATE-KEY" if exc.code == "LOAD-JSON-DUPLICATE-KEY" else "PINT-ENVELOPE-UNREADABLE"
            rec.add(code, f"envelope: {exc}", "BENV", pointer="", loadCode=exc.code)
            return None
    elif isinstance(envelope, Mapping):
        # A caller's own mapping is held to what the hardened loader would give, once, here.
        from ..load import Limits, LoadError, check_json_value

        try:
            check_json_value(envelope if isinstance(envelope, dict) else dict(envelope), limits or Limits())
        except LoadError as exc:
            rec.add("PINT-ENVELOPE-UNREADABLE", f"envelope: {exc}", "BENV", pointer=exc.finding.location.pointer
                    if exc.finding.location else "", loadCode=exc.code)
            return None
    if not isinstance(envelope, Mapping):
        cause = "the envelope is not a JSON object" if syntax == "json" else \
            f"the input is {syntax.upper()}, not a JSON envelope (EblEnvelope)"
        rec.add("PINT-ENVELOPE-UNREADABLE", cause, "BENV", pointer="")
        return None
    return envelope


def _validate_td(rec: Recorder, td: Mapping[str, Any], source: str, version: str | None) -> Report | None:
    try:
        from ..load import Document
        from ..validate import Options, validate_document

        # The envelope was read strictly (or checked, when a caller gave a mapping): the TD needs no second look.
        document = Document(f"{source}#/transportDocument", "json", td, b"")
        report = validate_document(document, Options("dcsa-ebl", version))
    except Exception as exc:  # the family is optional for the chain verdict; never sink the verification
        log.debug("TD validation failed", exc_info=True)
        rec.add("PINT-TD-NOT-VALIDATED", f"the embedded transport document could not be validated "
                                         f"({type(exc).__name__})", "BENV", pointer="/transportDocument",
                severity=Severity.INFO)
        return None
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if errors:
        rec.add("PINT-TD-INVALID", f"the embedded transport document has {len(errors)} error finding(s) (first: "
                                   f"{errors[0].code}); see the TD report — the chain is judged on its own", "BENV",
                pointer="/transportDocument", severity=Severity.INFO, errors=len(errors))
    return report


def _reordered(findings: list[Finding], chain: list[Any]) -> list[Finding]:
    """To :func:`verify_entry`, which knows the entries before it, a previous checksum naming no earlier entry
    is a broken link (``PINT-CHAIN-LINK``); the envelope knows better when it names a later one."""
    position = {hashlib.sha256(t.encode("utf-8")).hexdigest(): i for i, t in reversed(list(enumerate(chain)))
                if isinstance(t, str)}
    out = []
    for f in findings:
        detail = f.detail or {}
        target = position.get(detail.get("named"), -1) if f.code == "PINT-CHAIN-LINK" else -1  # type: ignore[arg-type]
        if target > detail.get("entry", target):
            f = replace(f, code="PINT-CHAIN-ORDER", message=f"entry {detail['entry']} names entry {target} as its "
                                                             "predecessor: entries are out of order")
        out.append(f)
    return out


def _one_finding_per_td_checksum(findings: list[Finding], td_checksum: str) -> list[Finding]:
    """Step 4: the findings about one checksum named in place of the TD's (by entries, the issuance manifest,
    the manifest) become one, at the place of the first, naming them all."""
    groups: dict[object, list[Finding]] = {}
    for f in findings:
        if f.code in _TD_CHECKSUM_CODES:
            groups.setdefault((f.detail or {}).get("named"), []).append(f)
    out: list[Finding] = []
    for f in findings:
        group = groups.get((f.detail or {}).get("named"), []) if f.code in _TD_CHECKSUM_CODES else []
        if len(group) < 2:
            out.append(f)
        elif f is group[0]:
            out.append(_named_instead_of_td(group, td_checksum))
    return out


def _named_instead_of_td(group: list[Finding], td_checksum: str) -> Finding:
    codes = {f.code for f in group}
    entries = [int((f.detail or {})["entry"]) for f in group if f.code == "PINT-TD-CHECKSUM-ENTRY"]
    names = (["the manifest"] if "PINT-TD-CHECKSUM-MANIFEST" in codes else []) \
        + (["the issuance manifest"] if "PINT-ISSUANCE-CHECKSUM" in codes else []) \
        + ([f"entr{'y' if len(entries) == 1 else 'ies'} {', '.join(map(str, entries))}"] if entries else [])
    lead = next(f for code in _TD_CHECKSUM_CODES for f in group if f.code == code)
    named = str((lead.detail or {}).get("named"))
    who = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return Finding(lead.code, Severity.ERROR, f"{who} name transport document checksum {named[:12]}…, not the TD's "
                   f"{td_checksum[:12]}…: the TD was changed after they were signed, or they are another TD's",
                   lead.location, REFERENCE, {**(lead.detail or {}), "entries": entries})


def _story(rec: Recorder, entries: list[EntryVerification],
           ) -> tuple[tuple[EntryResult, ...], tuple[Step, ...], tuple[Party, ...], Party | None]:
    """The entry results, steps, holders and current holder, told only as far as the signatures hold: an
    entry whose signature does not verify says nothing trustworthy about possession, nor does any entry
    after it (``PINT-STATE-UNVERIFIED``, info; the signature failure itself is the error)."""
    bad = next((e.result.index for e in entries if not e.result.signature.verified), len(entries))
    told = entries[:bad]
    steps = tuple(step for e in told for step in e.steps)
    holders: list[Party] = []
    for e in told:
        add_holders(holders, e.holders)
    current = next((e.head.state.holder for e in reversed(told) if e.head.state is not None), None)
    results = tuple(e.result if e.result.index < bad else e.result._replace(holder_after=None) for e in entries)
    if bad < len(entries):
        told_to = f"the holder is told only up to entry {bad - 1}" if bad else "no holder is established"
        rec.add("PINT-STATE-UNVERIFIED", f"{told_to}: entry {bad}'s signature does not verify, so it and what follows "
                                         "prove nothing about possession", "BSIG", entry=bad, severity=Severity.INFO)
    return results, steps, tuple(holders), current


def _finish(rec: Recorder, source: str, stamp: str, *, td_checksum: str | None = None,
            entries: tuple[EntryResult, ...] = (), manifest: ManifestResult | None = None,
            issuance: IssuanceResult | None = None, steps: tuple[Step, ...] = (), holders: tuple[Party, ...] = (),
            current: Party | None = None, td_report: Report | None = None, not_evaluable: bool = False,
            head: ChainHead | None = None) -> VerificationResult:
    findings = tuple(rec.findings)
    if any(f.severity is Severity.ERROR for f in findings) or not entries:  # no entry: nothing was verified
        outcome = Outcome.FAIL
    elif any(f.severity is Severity.WARNING for f in findings):
        outcome = Outcome.WARN
    else:
        outcome = Outcome.NOT_EVALUABLE if not_evaluable else Outcome.PASS
    return VerificationResult(source, rec.mode, outcome, findings, td_checksum, entries, manifest, issuance, steps,
                              holders, current, td_report, stamp, head)
