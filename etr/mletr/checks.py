"""The checks: one function per requirement, each reading the neutral evidence and returning a verdict.

Every check keys on finding codes, result types and family names (the code catalogue is the contract),
never on message text. A check returns a :class:`Verdict`: the outcome, a one-line reason, the evidence
references, and its ``basis``: ``evidence`` (what etr verified), ``attestation`` (a declaration in the
attestation file, recorded but not verified) or ``none`` (nothing to go on).

Outcomes follow the reference's evidence model (§A6): PASS (evidence present and verified), FAIL
(evidence contradicts the requirement), WARN (verified, with a weakness), NOT_EVALUABLE (evidence missing
or unreachable), ATTESTATION_REQUIRED (software cannot establish it), NOT_APPLICABLE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..model import Outcome, Severity
from .evidence import Evidence, Ref

if TYPE_CHECKING:
    from .attestation import Period
    from .requirements import Profile, Requirement

__all__ = ["CHECKS", "Verdict"]

P, F, W, NE, AR, NA = (Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.NOT_EVALUABLE, Outcome.ATTESTATION_REQUIRED,
                       Outcome.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str
    refs: tuple[Ref, ...] = ()
    basis: str = "evidence"
    attestation: Mapping[str, Any] | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[Evidence, "Requirement", "Profile"], Verdict]

# --------------------------------------------------------------------------- finding codes, by what they prove

#: The content changed after signing, or a signature does not match what it signs: integrity contradicted.
INTEGRITY = ("PINT-JWS-BAD-SIGNATURE", "PINT-TD-CHECKSUM-MANIFEST", "PINT-TD-CHECKSUM-ENTRY", "PINT-ISSUANCE-CHECKSUM",
             "PINT-MANIFEST-LAST-ENTRY", "PINT-CHAIN-LINK", "PINT-CHAIN-LINK-MISSING", "PINT-VISUALISATION-CHECKSUM",
             "PINT-DOCUMENT-CHECKSUM", "PINT-DOCUMENT-SIZE", "PINT-TD-UNREPRESENTABLE", "PINT-DUPLICATE-KEY")
#: A signature could not be verified for want of a trusted, valid key, or with an algorithm not allowed.
KEY = ("PINT-KEY-UNKNOWN", "PINT-KEY-AMBIGUOUS", "PINT-KEY-X5C-UNTRUSTED", "PINT-KEY-X5C-INVALID",
       "PINT-KEY-X5C-EXPIRED", "PINT-KEY-X5C-NOT-YET-VALID", "PINT-KEY-EXPIRED", "PINT-KEY-NOT-YET-VALID",
       "PINT-KEY-PLATFORM-MISMATCH", "PINT-KEY-PLATFORM-UNBOUND", "PINT-KEY-KID-MISMATCH", "PINT-JWS-ALG-FORBIDDEN",
       "PINT-JWS-KEY-MISMATCH", "PINT-JWS-MALFORMED", "PINT-JWS-HEADER", "PINT-JWS-PAYLOAD")
#: A certificate or key outside its validity at the time of the event it signs.
EXPIRED_AT_EVENT = ("PINT-KEY-X5C-EXPIRED", "PINT-KEY-X5C-NOT-YET-VALID", "PINT-KEY-EXPIRED", "PINT-KEY-NOT-YET-VALID")
#: The chain is not one unbroken life cycle from issuance: gaps, reordering, a second issuance, events after the end.
LIFECYCLE = ("PINT-STATE-AFTER-SACC", "PINT-STATE-FIRST-NOT-ISSUE", "PINT-STATE-ISSUE-REPEATED", "PINT-CHAIN-ORDER",
             "PINT-CHAIN-LINK", "PINT-CHAIN-LINK-MISSING", "PINT-CHAIN-FIRST-HAS-PREVIOUS", "PINT-ISSUANCE-MISSING",
             "PINT-ISSUANCE-MISPLACED", "PINT-STATE-UNKNOWN-ACTION", "PINT-CHAIN-FORK", "PINT-CHAIN-REPLAY")
#: Two successors of one entry, or someone other than the holder acting: control was not exclusive.
EXCLUSIVE = ("PINT-CHAIN-FORK", "PINT-CHAIN-REPLAY", "PINT-STATE-NOT-POSSESSOR", "PINT-STATE-ACTOR-PLATFORM",
             "PINT-STATE-SURRENDER-PENDING")
#: The transferor acted again after a transfer (or transferred twice): the transfer did not divest.
DIVESTS = ("PINT-STATE-NOT-POSSESSOR", "PINT-CHAIN-FORK", "PINT-CHAIN-REPLAY")
#: An endorsement the document's terms or the endorsement state do not allow.
ENDORSEMENT = ("PINT-STATE-NOT-ENDORSEE", "PINT-STATE-NOT-NEGOTIABLE", "PINT-STATE-ENDORSE-FINAL",
               "PINT-STATE-RECIPIENT-REQUIRED", "PINT-STATE-RECIPIENT-UNEXPECTED")
TIME_FAIL = ("PINT-TIME-UNREADABLE", "PINT-TIME-FUTURE", "PINT-LEGACY-TIMESTAMP-INVALID")
TIME_WARN = ("PINT-STATE-TIME-ORDER",)
#: The signer of the issuance is not the carrier, or is bound to it only weakly.
ISSUER_FAIL = ("PINT-ISSUANCE-NOT-CARRIER",)
ISSUER_WARN = ("PINT-ISSUANCE-CARRIER-UNBOUND",)
#: What cannot be known offline (a JWKS endpoint never fetched, a control tracking registry).
OFFLINE = ("PINT-PLATFORM-UNBOUND", "PINT-CTR-NOT-CHECKED")
_ENDORSE_ACTIONS = ("ENDORSE", "ENDORSE_TO_ORDER", "BLANK_ENDORSE")
MIN_RSA_BITS = 2048
_WEAK_HASHES = ("SHA1", "MD5", "SHA224")


def _schema_codes(ev: Evidence) -> tuple[str, ...]:
    """The envelope's departures from the PINT schema: from its validation report (the dcsa-pint family)
    and from the verification."""
    findings = [*(ev.chain.findings if ev.chain else ()), *(ev.report.findings if ev.report else ())]
    return tuple(f.code for f in findings if f.code.startswith("PINT-SCHEMA-") or f.code == "PINT-ENVELOPE-UNREADABLE")


def _no_chain(ev: Evidence, what: str) -> Verdict:
    """The verdict when the chain evidence is missing: NOT_EVALUABLE, saying why."""
    why = "; ".join(ev.notes) or "the document carries no transfer chain and no registry was consulted"
    return Verdict(NE, f"{what} cannot be evaluated: {why}", basis="none")


# --------------------------------------------------------------------------- classification and document


def classify(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    c = ev.classification
    ref = (Ref("E-DOC", f"family {c.family} {c.version or ''}".strip() if c.family else "no family recognised",
               c.document_type),)
    if c.kind == "unknown":
        return Verdict(W, f"document type not recognised ({c.reason}): assessed as a possible transferable record",
                       ref, detail={"classification": c.kind})
    kind = "a transferable record" if c.kind == "transferable" else "not a transferable record"
    return Verdict(P, f"{c.document_type}: {kind} ({c.reason}); whether it is transferable under the applicable "
                      "law rests on an attestation", ref, detail={"classification": c.kind})


def extra_info(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    report = ev.report
    if report is None or report.family is None:
        return Verdict(NE, "the document's structure could not be read, so conflicts cannot be looked for",
                       basis="none")
    td = ev.td_report or report
    errors = [f for f in td.findings if f.severity is Severity.ERROR]
    ref = (Ref("E-DOC", f"{td.family} {td.version} validation", f"{len(errors)} errors"),)
    if errors:
        return Verdict(W, f"the record's data breaks {len(errors)} rule(s) of its standard: additional information "
                          "may conflict with required information (see R10-1a)", ref)
    return Verdict(P, "any additional information sits beside the required information without breaking the "
                      "standard's rules", ref)


def consent(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    statement = ev.attestation.statement("consent") if ev.attestation else None
    if statement is None:
        return Verdict(AR, "no evidence of the parties' consent (onboarding, rulebook acceptance); only an "
                           "attestation can establish it", basis="none")
    ref = Ref("E-ATTEST", f"{ev.attestation.source if ev.attestation else ''}#/consent", statement["basis"])
    return Verdict(AR, f"declared by {statement['issuer']} on {statement['date']}: {statement['basis']}; an "
                       "unsigned declaration, recorded but not verified", (ref,), "attestation",
                   {"present": True, "issuer": statement["issuer"], "date": statement["date"]})


def writing(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if not ev.loaded:
        return Verdict(F, "the record cannot be read (see its LOAD finding): not accessible for later reference",
                       (Ref("E-DOC", "load", "unreadable"),))
    if ev.classification.family is None:
        return Verdict(NE, "the record parses, but its format is not one etr knows: whether it is usable for "
                           "later reference (a documented, renderable format) is not established", basis="none")
    return Verdict(P, f"the record parses as {ev.classification.family}, an openly documented format, and is "
                      "retained in full", (Ref("E-DOC", f"family {ev.classification.family}"),))


def content(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    report = ev.td_report or ev.report
    if report is None or report.family is None:
        return Verdict(NE, "the record's content was not validated against its document type", basis="none")
    errors = report.count(Severity.ERROR)
    warnings = report.count(Severity.WARNING)
    ref = (Ref("E-DOC", f"{report.family} {report.version} validation",
               f"{errors} errors, {warnings} warnings"),)
    if errors:
        codes = sorted({f.code for f in report.findings if f.severity is Severity.ERROR})[:5]
        return Verdict(F, f"required information missing or wrong ({', '.join(codes)})", ref)
    if warnings:
        return Verdict(W, f"content valid against {report.family} {report.version}, with {warnings} warning(s); legal "
                          "sufficiency under the governing law rests on an attestation", ref)
    return Verdict(P, f"content valid against {report.family} {report.version}; legal sufficiency under the governing "
                      "law rests on an attestation", ref)


# --------------------------------------------------------------------------- singularity and control


def _registry_refs(ev: Evidence) -> tuple[Ref, ...]:
    r = ev.registry
    if r is None:
        return ()
    return (Ref("E-REG", r.name, r.error or f"relation {r.relation}, state {r.state}, conflicts {r.conflicts}"),)


def singular(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.oa is not None:
        return _oa_singular(ev)
    if ev.chain is None:
        return _no_chain(ev, "singularity")
    chain = ev.chain
    refs = (*_registry_refs(ev),)
    forks = chain.refs("PINT-CHAIN-FORK", "PINT-CHAIN-REPLAY")
    if forks:
        return Verdict(F, "two chains grow from one issuance: more than one instance claims to be the record",
                       forks + refs)
    mismatch = chain.refs("PINT-TD-CHECKSUM-MANIFEST", "PINT-TD-CHECKSUM-ENTRY", "PINT-ISSUANCE-CHECKSUM")
    if mismatch:
        return Verdict(F, "this copy's transport document is not the one the issuance manifest names: it is not "
                          "the record", mismatch + refs)
    if chain.has("PINT-ISSUANCE-MISSING"):
        return Verdict(F, "no carrier-signed issuance manifest identifies the record",
                       chain.refs("PINT-ISSUANCE-MISSING"))
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify, so this copy cannot be identified as the record",
                       _failing(ev) + refs, basis="none")
    ident = Ref("E-CHAIN", "/envelopeTransferChain/0 issuanceManifestSignedContent",
                f"TD checksum {str(chain.identifier.get('transportDocumentChecksum'))[:16]}…, signed by the carrier")
    r = ev.registry
    if r is not None:
        if r.error is not None:
            return Verdict(NE, f"the registry could not be read ({r.error}); the copy matches its issuance manifest",
                           (ident, *refs), basis="none")
        if r.relation == "fork":
            return Verdict(F, "the registry holds another chain for this record: this copy is a duplicate instance",
                           (ident, *refs))
        if r.relation == "stale":
            return Verdict(F, "the registry holds a later state of this record: this copy is an outdated copy, not "
                              "the record", (ident, *refs))
        if r.conflicts:
            return Verdict(W, f"the copy is the registry's record, but the registry refused {r.conflicts} conflicting "
                              "chain(s) for it: another instance was presented somewhere", (ident, *refs))
        if r.relation in ("unknown", "ahead"):
            gap = "does not know the record" if r.relation == "unknown" else "is behind this copy"
            return Verdict(W, f"the copy matches its issuance manifest, but the registry {gap}",
                           (ident, *refs))
        return Verdict(P, "the copy matches its issuance manifest and is the registry's current state",
                       (ident, *refs))
    return Verdict(P, "identified by the carrier-signed issuance manifest (TD checksum) and the chain's first entry; "
                      "no other instance in the evidence; that no copy exists outside it rests on an attestation",
                   (ident,))


def _only_control_failures(ev: Evidence) -> bool:
    """Whether every error of the chain is about who may do what (the state machine), not about what was
    signed: the signatures and checksums then hold, whatever the chain's outcome."""
    assert ev.chain is not None
    return all(f.code.startswith("PINT-STATE-") for f in ev.chain.findings if f.severity is Severity.ERROR)


def _codes_of(refs: tuple[Ref, ...]) -> str:
    """The finding codes that ``refs`` cite (each ref starts with its code), sorted, comma-separated."""
    return ", ".join(sorted({r.ref.split(" ")[0] for r in refs}))


def _failing(ev: Evidence) -> tuple[Ref, ...]:
    assert ev.chain is not None
    codes = sorted({f.code for f in ev.chain.findings if f.severity is Severity.ERROR})
    return ev.chain.refs(*codes[:4])


def _oa_singular(ev: Evidence) -> Verdict:
    assert ev.oa is not None
    outcome, reason = ev.oa.checks.get("issuance-status", (NE, "not checked"))
    ref = (Ref("E-REG", f"token registry {ev.oa.token_registry} token {ev.oa.token_id}", reason),)
    if outcome is F:
        return Verdict(F, f"the token registry contradicts the record: {reason}", ref)
    if outcome is P:
        return Verdict(P, "the token (registry, id) identifies the record and is active", ref)
    return Verdict(NE, f"the token registry's state cannot be read offline: {reason}", ref, "none")


def lifecycle(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "control over the life cycle")
    chain = ev.chain
    found = chain.refs(*LIFECYCLE)
    if found:
        return Verdict(F, "the life cycle is broken: "
                          + _codes_of(found), found)
    r = ev.registry
    if r is not None and r.error is None and r.state in ("accomplished", "void") and not chain.terminated:
        return Verdict(F, f"the registry says the record is {r.state}, but this chain has not ended",
                       _registry_refs(ev))
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify, so its life cycle is not established", _failing(ev), "none")
    offline = chain.refs(*OFFLINE)
    if offline and any(f.code == "PINT-CTR-NOT-CHECKED" for f in chain.findings):
        return Verdict(NE, "a control tracking registry named by the chain overrides it and cannot be read offline",
                       offline, "none")
    end = "ended by an accepted surrender (SACC)" if chain.terminated else "still live"
    return Verdict(P, f"issued by the carrier, then {len(chain.events) - 1} event(s), each signed, ordered and "
                      f"hash-linked without gaps; {end}",
                   (Ref("E-CHAIN", "/envelopeTransferChain", f"{chain.entries} entries"),))


def integrity(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.oa is not None:
        outcome, reason = ev.oa.checks.get("integrity", (NE, "not checked"))
        ref = (Ref("E-SIG", "OpenAttestation targetHash / Merkle root", reason),)
        return Verdict(outcome if outcome in (P, F) else NE,
                       ("targetHash and Merkle proof recomputed and matching" if outcome is P
                        else f"the document's hash does not match its proof: {reason}" if outcome is F else reason),
                       ref)
    if ev.chain is None:
        if not ev.loaded:
            return Verdict(NE, "the record cannot be read", basis="none")
        return _no_chain(ev, "integrity")
    chain = ev.chain
    found = chain.refs(*INTEGRITY)
    if found:
        return Verdict(F, "the record or its chain was altered after signing (unexplained change: "
                          + _codes_of(found) + ")", found)
    unverified = chain.refs(*KEY)
    if unverified:
        return Verdict(NE, "checksums and hash links match, but signatures could not be verified, so who vouches "
                           "for them is not established", unverified, "none")
    if chain.outcome is F and not _only_control_failures(ev):
        return Verdict(NE, "the chain does not verify", _failing(ev), "none")
    return Verdict(P, "SHA-256 of the RFC 8785 transport document matches the issuance manifest, every entry and the "
                      "envelope manifest; every entry is signed and hash-linked",
                   (Ref("E-SIG", "/envelopeManifestSignedContent", "TD checksum and last entry checksum verified"),
                    Ref("E-CHAIN", "/envelopeTransferChain", f"{chain.entries} signed entries")))


def exclusive(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        if ev.oa is not None and ev.classification.kind == "transferable":
            return Verdict(NE, "exclusive control rests on the token registry's TitleEscrow, which cannot be read "
                               "offline", basis="none")
        return _no_chain(ev, "exclusive control")
    chain = ev.chain
    found = chain.refs(*EXCLUSIVE)
    if found:
        return Verdict(F, "more than one person exercised control ("
                          + _codes_of(found) + ")", found)
    r = ev.registry
    if r is not None and r.error is None and r.relation == "fork":
        return Verdict(F, "the registry's chain and this copy have different successors of one entry: two persons "
                          "were given control", _registry_refs(ev))
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify, so who held control is not established", _failing(ev), "none")
    if r is not None and r.error is None and r.conflicts:
        return Verdict(W, f"one holder at every step, but the registry refused {r.conflicts} attempt(s) to give "
                          "control of this record to a second person", (*chain.refs(), *_registry_refs(ev)))
    return Verdict(P, f"one holder at every step ({len(chain.holders)} in turn), each transfer to exactly one "
                      "recipient and signed by the holder's platform; no entry has two successors in the evidence. "
                      "Exclusivity inside each platform rests on an attestation",
                   (Ref("E-CHAIN", "holders", " → ".join(chain.holders)[:300]), *_registry_refs(ev)))


def controller(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "the person in control")
    chain = ev.chain
    if not chain.holder_established or chain.current_holder is None:
        return Verdict(NE, "the chain does not establish who holds the record now", _failing(ev), "none")
    holder = chain.current_holder
    r = ev.registry
    refs = (Ref("E-CHAIN", "current holder", holder.describe()), *_registry_refs(ev))
    if not holder.identifying_codes:
        return Verdict(W, f"the holder is named ({holder.party_name}) but has no identifying code (party code, LEI, "
                          "DID): the identification is by name only", refs)
    if r is not None and r.error is None and r.holder is not None and r.relation in ("current", "stale") \
            and r.holder != holder.party_name:
        return Verdict(F, f"the registry names another holder ({r.holder}) than this copy ({holder.party_name}): "
                          "the person this copy names is not in control", refs)
    how = (f"{holder.ebl_platform}'s signature on the entry that made it holder" if not chain.terminated
           else "the carrier's acceptance of the surrender")
    return Verdict(P, f"the person in control is {holder.describe()}, identified by party code; control is "
                      f"demonstrated by {how}", refs)


def divests(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "divesting transfers")
    chain = ev.chain
    found = chain.refs(*DIVESTS)
    if found:
        return Verdict(F, "a previous holder acted again after transferring control ("
                          + _codes_of(found) + ")", found)
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify", _failing(ev), "none")
    transfers = sum(1 for e in chain.events if e.action == "TRANSFER")
    if not transfers:
        return Verdict(NA, "no transfer of control in the chain", basis="none")
    return Verdict(P, f"{transfers} transfer(s): after each, only the new holder acted",
                   (Ref("E-CHAIN", "steps", f"{transfers} TRANSFER"),))


# --------------------------------------------------------------------------- reliability factors


def _event_span(ev: Evidence) -> tuple[datetime, ...]:
    return ev.event_times


def _coverage(periods: Iterable[Period], events: tuple[datetime, ...]) -> tuple[Period | None, list[datetime]]:
    """The first period that covers every event, else the best one and the events it leaves out."""
    best: Period | None = None
    best_missed: list[datetime] = list(events)
    for p in periods:
        missed = [t for t in events if not p.covers(t)]
        if not missed:
            return p, []
        if best is None or len(missed) < len(best_missed):
            best, best_missed = p, missed
    return best, best_missed


def _uncovered_platforms(ev: Evidence) -> list[str]:
    """The platforms the chain's events happened on that the attestation does not speak for."""
    if ev.chain is None or ev.attestation is None:
        return []
    covered = set(ev.attestation.platform_codes)
    return sorted({e.platform for e in ev.chain.events if e.platform and e.platform not in covered})


def _attest_ref(ev: Evidence, p: Period) -> Ref:
    return Ref("E-ATTEST", f"{ev.attestation.source if ev.attestation else ''}#{p.pointer}", p.describe())


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def rules(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    rb = ev.attestation.rulebook() if ev.attestation else None
    platforms = sorted({e.platform for e in ev.chain.events if e.platform}) if ev.chain else []
    plat = (Ref("E-PLAT", "eblPlatform", ", ".join(platforms)),) if platforms else ()
    if rb is None:
        return Verdict(AR, "no rulebook declared: the rules of the system in force at each event rest on an "
                           "attestation", plat, "none")
    events = _event_span(ev)
    if not events:
        return Verdict(AR, f"{rb.describe()}; the record's event dates are not established, so whether it was in "
                           "force at each event is not known", (_attest_ref(ev, rb), *plat), "attestation",
                       rb.to_dict())
    _, missed = _coverage([rb], events)
    elsewhere = _uncovered_platforms(ev)
    if elsewhere:
        return Verdict(W, f"{rb.describe()} does not speak for platform(s) {', '.join(elsewhere)} where events took "
                          "place", (_attest_ref(ev, rb), *plat), "attestation", rb.to_dict())
    if missed:
        return Verdict(W, f"{rb.describe()} does not cover the event(s) at {', '.join(_iso(t) for t in missed[:3])}",
                       (_attest_ref(ev, rb), *plat), "attestation", rb.to_dict())
    return Verdict(P, f"{rb.describe()}, in force at every event date (declared, not verified)",
                   (_attest_ref(ev, rb), *plat), "attestation", rb.to_dict())


def data_integrity(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    sigs = ev.signatures
    if ev.oa is not None and not sigs:
        outcome, reason = ev.oa.checks.get("integrity", (NE, "not checked"))
        # What the Merkle root leaves unprotected (the verifier's OA-UNPROTECTED-… warnings) is a weakness of the
        # integrity measure itself: a reader could be shown an edit that keeps the hash.
        exposed = [f for f in ev.oa.findings if f.code.startswith("OA-UNPROTECTED-")]
        if outcome is P and exposed:
            return Verdict(W, "OpenAttestation SHA3 Merkle proof: the hash matches, but it does not protect every "
                              "part a reader sees (" + ", ".join(dict.fromkeys(f.code for f in exposed)) + ")",
                           (Ref("E-SIG", "signature", reason),
                            *(Ref("E-SIG", f.location.pointer if f.location and f.location.pointer else f.code,
                                  f"{f.code}: {f.message}") for f in exposed)))
        return Verdict(outcome if outcome in (P, F) else NE, f"OpenAttestation SHA3 Merkle proof: {reason}",
                       (Ref("E-SIG", "signature", reason),))
    if not sigs:
        return _no_chain(ev, "the data-integrity measures")
    refs = tuple(Ref("E-SIG", s.pointer, s.describe()) for s in sigs)
    detail = {"algorithms": sorted({s.alg for s in sigs if s.alg}),
              "keys": sorted({f"{s.key_type} {s.bits}" if s.bits else str(s.key_type) for s in sigs if s.key_type})}
    problems: list[str] = []
    for s in sigs:
        if s.key_type == "RSA" and s.bits is not None and s.bits < MIN_RSA_BITS:
            problems.append(f"{s.what}: RSA key of {s.bits} bits (below {MIN_RSA_BITS})")
        if s.certificate_hash in _WEAK_HASHES:
            problems.append(f"{s.what}: certificate signed with {s.certificate_hash}")
        if s.alg is not None and s.alg not in ("ES256", "PS256", "RS256", "EdDSA"):
            problems.append(f"{s.what}: algorithm {s.alg} is not one etr accepts")
        if s.event_time is not None and s.not_after is not None and not (
                (s.not_before is None or s.not_before <= s.event_time) and s.event_time <= s.not_after):
            problems.append(f"{s.what}: certificate not valid at the event ({_iso(s.event_time)}; valid "
                            f"{_iso(s.not_before) if s.not_before else '?'} to {_iso(s.not_after)})")
    assert ev.chain is not None or ev.oa is not None
    if ev.chain is not None:
        for f in ev.chain.has(*EXPIRED_AT_EVENT):
            problems.append(f"{f.code}: key or certificate not valid at the time of the event")
        if ev.chain.has(*INTEGRITY):
            problems.append("integrity contradicted (R10-1b-iii)")
    if problems:
        return Verdict(F, "; ".join(dict.fromkeys(problems)), refs, detail=detail)
    if any(not s.verified for s in sigs):
        return Verdict(NE, "some signatures could not be verified: " + "; ".join(
            s.describe() for s in sigs if not s.verified)[:300], refs, "none", detail=detail)
    at = ev.at
    expired_now = [s for s in sigs if s.not_after is not None and s.not_after < at]
    if expired_now:
        return Verdict(W, "certificates valid at their events but expired now ("
                          + ", ".join(s.what for s in expired_now) + "): the signatures can no longer be checked "
                          "against a current certificate", refs, detail=detail)
    keys = ", ".join(detail["keys"]) or "trusted keys"
    return Verdict(P, f"signatures {', '.join(detail['algorithms'])} with {keys}; "
                      "SHA-256 checksums; every key valid at its event", refs, detail=detail)


def access(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    statement = ev.attestation.statement("accessControls") if ev.attestation else None
    if statement is None:
        return Verdict(AR, "nothing in the evidence shows how the platform prevents unauthorised access and use",
                       basis="none")
    measures = ", ".join(statement["measures"])
    return Verdict(AR, f"declared by {statement['issuer']} on {statement['date']}: {measures}; recorded, not "
                       "verified", (Ref("E-ATTEST", "#/accessControls", measures),), "attestation",
                   {"present": True, "issuer": statement["issuer"], "date": statement["date"]})


def hw_sw(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    certs = ev.attestation.certifications() if ev.attestation else ()
    if not certs:
        return Verdict(AR, "no security certification declared (ISO/IEC 27001, SOC 2, code audit)", basis="none")
    events = _event_span(ev)
    refs = tuple(_attest_ref(ev, c) for c in certs)
    lapsed = [c for c in certs if any(not c.covers(t) for t in events)]
    if lapsed:
        return Verdict(W, "; ".join(f"{c.describe()} not valid at every event date" for c in lapsed), refs,
                       "attestation", {"certifications": [c.to_dict() for c in certs]})
    return Verdict(AR, f"{len(certs)} certification(s) declared, valid at every event date ("
                       + "; ".join(c.what for c in certs) + "); the security of hardware and software rests on them",
                   refs, "attestation", {"certifications": [c.to_dict() for c in certs]})


def audit(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    audits = ev.attestation.audits() if ev.attestation else ()
    if not audits:
        return Verdict(AR, "no independent audit declared", basis="none")
    independent = [a for a in audits if a.data.get("independent")]
    text = "; ".join(a.describe() for a in audits)
    if not independent:
        text += " — no audit is declared independent"
    return Verdict(AR, f"declared: {text}", tuple(_attest_ref(ev, a) for a in audits), "attestation",
                   {"audits": [a.to_dict() for a in audits]})


def declaration(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    accreditations = ev.attestation.accreditations() if ev.attestation else ()
    if not accreditations:
        return Verdict(AR, "no declaration, approval or accreditation declared", basis="none")
    events = _event_span(ev)
    refs = tuple(_attest_ref(ev, a) for a in accreditations)
    detail = {"accreditations": [a.to_dict() for a in accreditations]}
    if not events:
        return Verdict(AR, f"declared: {'; '.join(a.describe() for a in accreditations)}; the record's event dates "
                           "are not established, so the period cannot be checked", refs, "attestation", detail)
    best, missed = _coverage(accreditations, events)
    elsewhere = _uncovered_platforms(ev)
    if elsewhere:
        return Verdict(W, f"the declarations cover {', '.join(ev.attestation.platform_codes if ev.attestation else ())}"
                          f", not platform(s) {', '.join(elsewhere)} where events took place", refs, "attestation",
                       detail)
    if best is not None and not missed:
        return Verdict(P, f"{best.describe()} covers every event date (declared, not verified)", refs, "attestation",
                       detail)
    return Verdict(W, f"no declared accreditation covers the whole period: the event(s) at "
                      f"{', '.join(_iso(t) for t in missed[:3])} fall outside {best.describe() if best else '?'}",
                   refs, "attestation", detail)


def standard(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is not None:
        schema = _schema_codes(ev)
        ref = (Ref("E-CHAIN", "DCSA PINT 3.0 EblEnvelope schema", f"{len(schema)} schema finding(s)"),)
        if schema:
            return Verdict(F, f"the envelope does not conform to DCSA PINT 3.0 ({', '.join(sorted(set(schema))[:4])})",
                           ref)
        td = ev.td_report
        extra = f" and its transport document to {td.family} {td.version}" if td is not None and td.valid else ""
        return Verdict(P, f"the envelope conforms to DCSA PINT 3.0 (EBL_PINT_v3.0.0){extra}", ref)
    report = ev.report
    if report is None or report.family is None:
        return Verdict(NA, "no industry standard recognised for this document", basis="none")
    ref = (Ref("E-DOC", f"{report.family} {report.version}", f"{report.count(Severity.ERROR)} errors"),)
    if not report.valid:
        return Verdict(F, f"the document does not conform to {report.family} {report.version}", ref)
    return Verdict(P, f"the document conforms to {report.family} {report.version}", ref)


def proven_in_fact(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    bundle: list[Ref] = []
    if ev.chain is not None:
        bundle.append(Ref("E-CHAIN", "/envelopeTransferChain",
                          f"{ev.chain.entries} entries, verification {ev.chain.outcome.value}, "
                          f"{'ended' if ev.chain.terminated else 'live'}"))
    bundle.extend(Ref("E-SIG", s.pointer, s.describe()) for s in ev.signatures)
    bundle.extend(_registry_refs(ev))
    return Verdict(AR, "whether the method was proven in fact to have fulfilled its function is for a court, ex post; "
                       "the evidence bundle lists what etr verified", tuple(bundle), "none")


def time(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "the time of the record's events")
    chain = ev.chain
    bad = chain.refs(*TIME_FAIL)
    if bad:
        return Verdict(F, "an event's time is unreadable or in the future ("
                          + _codes_of(bad) + ")", bad)
    if chain.outcome is F and chain.has(*KEY, "PINT-JWS-BAD-SIGNATURE"):
        return Verdict(NE, "the event times are not covered by verified signatures", _failing(ev), "none")
    backwards = chain.refs(*TIME_WARN)
    if backwards:
        return Verdict(W, "an event's time goes backwards along the chain (the platforms' clocks disagree)", backwards)
    first = chain.events[0].time if chain.events else "?"
    last = chain.events[-1].time if chain.events else "?"
    return Verdict(P, f"every event time ({first} to {last}) is inside the signed entry, readable, in order and not "
                      "in the future; the times are the platforms' own (no independent time-stamp)",
                   (Ref("E-CHAIN", "actionDateTime", f"{len(chain.events)} events"),))


def _domain_like(code: str) -> bool:
    return "@" in code or (code.count(".") >= 1 and " " not in code and code.rsplit(".", 1)[-1].isalpha())


def place_of_business(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return Verdict(P, "etr infers no place of business from servers, platforms, domain names or e-mail "
                          "addresses; only declared addresses count", (Ref("E-DOC", "declared addresses"),))
    domain_only: list[str] = []
    for e in ev.chain.events:
        for party in (e.actor_party, e.recipient_party):
            if party is not None and party.identifying_codes and all(_domain_like(c.party_code)
                                                                     for c in party.identifying_codes):
                domain_only.append(party.party_name)
    if domain_only:
        return Verdict(W, "only a domain name or e-mail address identifies "
                          + ", ".join(sorted(set(domain_only)))
                          + ": that does not show a place of business (art. 14(2))",
                       (Ref("E-ID", "identifyingCodes", "domain or e-mail only"),))
    return Verdict(P, "no place of business is inferred from platforms, servers or domains; the parties are "
                      "identified by party codes", (Ref("E-ID", "identifyingCodes", "party codes"),))


def endorsement(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "endorsement")
    chain = ev.chain
    bad = chain.refs(*ENDORSEMENT)
    if bad:
        return Verdict(F, "an endorsement the document or its endorsement state does not allow ("
                          + _codes_of(bad) + ")", bad)
    endorsements = [e for e in chain.events if e.action in _ENDORSE_ACTIONS]
    if not endorsements:
        return Verdict(NA, "no endorsement in the chain", basis="none")
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify, so its endorsements are not established", _failing(ev), "none")
    return Verdict(P, f"{len(endorsements)} endorsement(s), each inside a signed entry, by the holder entitled to "
                      "endorse, naming the endorsee",
                   tuple(Ref("E-CHAIN", f"/envelopeTransferChain/{e.entry}", f"{e.action} by {e.actor}")
                         for e in endorsements))


def amendment(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "amendment")
    chain = ev.chain
    silent = chain.refs("PINT-TD-CHECKSUM-MANIFEST", "PINT-TD-CHECKSUM-ENTRY", "PINT-ISSUANCE-CHECKSUM")
    if silent:
        return Verdict(F, "the transport document differs from the issued one without a signed amendment (silent "
                          "change)", silent)
    amendments = [e for e in chain.events if e.action == "SURRENDER_FOR_AMENDMENT" and e.reason_code != "SWTP"]
    if not amendments:
        return Verdict(NA, "no amendment: the content is the issued content", basis="none")
    state = ("accepted by the carrier: the amended record is issued on a new chain" if chain.terminated
             else "pending the carrier")
    return Verdict(P, f"amendment by surrender ({amendments[0].reason_code or 'no reason code'}) {state}; "
                      "this record's content stays as issued",
                   tuple(Ref("E-CHAIN", f"/envelopeTransferChain/{e.entry}", e.action) for e in amendments))


def paper_to_etr(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    statement = ev.attestation.statement("paperOriginal") if ev.attestation else None
    if statement is None:
        return Verdict(NA, "nothing in the evidence says the record replaced a paper document", basis="none")
    ref = Ref("E-ATTEST", "#/paperOriginal", f"paper {statement['reference']}")
    pointer = statement.get("statementPointer")
    td = (ev.envelope or {}).get("transportDocument") if ev.envelope is not None else None
    if pointer is None:
        return Verdict(AR, f"the attestation says the record replaced paper {statement['reference']} but names no "
                           "change-of-medium statement in the record", (ref,), "attestation")
    value = _resolve(td, pointer)
    if not isinstance(value, str) or not value.strip():
        return Verdict(F, f"no change-of-medium statement at {pointer} in the record", (ref,))
    if "madeInoperative" not in statement:
        return Verdict(AR, f"the record states the change of medium ({pointer}); nothing shows the paper original "
                           f"{statement['reference']} was made inoperative", (ref, Ref("E-DOC", pointer, value[:120])),
                       "attestation")
    return Verdict(P, f"the record states the change of medium ({pointer}); the paper original "
                      f"{statement['reference']} "
                      f"was made inoperative on {statement['madeInoperative']} (declared by {statement['issuer']}, "
                      "not verified)", (ref, Ref("E-DOC", pointer, value[:120])), "attestation")


def _resolve(value: Any, pointer: str) -> Any:
    if pointer in ("", "/"):
        return value
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def etr_to_paper(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.chain is None:
        return _no_chain(ev, "change of medium to paper")
    chain = ev.chain
    switches = [e for e in chain.events if e.action == "SURRENDER_FOR_AMENDMENT" and e.reason_code == "SWTP"]
    if not switches:
        return Verdict(NA, "no surrender for switch to paper in the chain", basis="none")
    refs = tuple(Ref("E-CHAIN", f"/envelopeTransferChain/{e.entry}", f"{e.action} (SWTP)") for e in switches)
    after = chain.refs("PINT-STATE-AFTER-SACC")
    if after:
        return Verdict(F, "activity after the record was surrendered for switch to paper", refs + after)
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify", _failing(ev), "none")
    if not chain.terminated:
        return Verdict(W, "surrendered for switch to paper, but the carrier has not yet accepted: the record is not "
                          "yet inoperative", refs)
    issued = ev.attestation.statement("paperIssued") if ev.attestation else None
    if issued is None:
        return Verdict(AR, "the record was made inoperative (surrender for switch to paper, accepted); that the "
                           "paper document bears the change-of-medium statement rests on an attestation", refs, "none")
    return Verdict(P, f"the record was made inoperative (surrender for switch to paper, accepted); paper "
                      f"{issued['reference']} bears the statement (declared by {issued['issuer']}, not verified)",
                   (*refs, Ref("E-ATTEST", "#/paperIssued", issued["statement"][:120])), "attestation")


def foreign(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    platforms = sorted({e.platform for e in ev.chain.events if e.platform}) if ev.chain else []
    where = f" (platforms {', '.join(platforms)})" if platforms else ""
    return Verdict(P, f"no outcome depends on where the issuer, platform or servers are{where}; the conflict-of-laws "
                      "analysis is the reader's", (Ref("E-PLAT", "eblPlatform", ", ".join(platforms)),) if platforms
                   else ())


def sg_presumption(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    accreditations = [a for a in (ev.attestation.accreditations() if ev.attestation else ())
                      if a.data.get("scheme") == "sg-eta-16q"]
    if not accreditations:
        return Verdict(NA, "no s.16Q accreditation declared: the presumption of reliability is not claimed",
                       basis="none")
    events = _event_span(ev)
    refs = tuple(_attest_ref(ev, a) for a in accreditations)
    detail = {"accreditations": [a.to_dict() for a in accreditations], "events": [_iso(t) for t in events]}
    if not events:
        return Verdict(NE, "the record's event dates are not established, so the accreditation period cannot be "
                           "checked against them", refs, "attestation", detail)
    best, missed = _coverage(accreditations, events)
    elsewhere = _uncovered_platforms(ev)
    if elsewhere:
        return Verdict(W, f"events took place on platform(s) {', '.join(elsewhere)}, which the accredited "
                          "attestation does not cover: the presumption needs the record issued, transferred, "
                          "controlled and stored on an accredited system throughout", refs, "attestation", detail)
    if best is not None and not missed:
        return Verdict(P, f"{best.describe()} covers every event ({_iso(events[0])} to {_iso(events[-1])}): the "
                          "methods are presumed reliable unless there is evidence to the contrary", refs,
                       "attestation", detail)
    return Verdict(W, f"the accreditation does not cover the event(s) at {', '.join(_iso(t) for t in missed[:3])}: "
                      "the presumption covers only the accredited period", refs, "attestation", detail)


def signature(ev: Evidence, req: Requirement, prof: Profile) -> Verdict:
    if ev.oa is not None:
        outcome, reason = ev.oa.checks.get("identity", (NE, "not checked"))
        sig_outcome, sig_reason = ev.oa.checks.get("signature", (NA, ""))
        status, status_reason = ev.oa.checks.get("issuance-status", (NE, ""))
        oa_refs = (Ref("E-ID", "identity", reason), Ref("E-SIG", "signature", sig_reason))
        if F in (outcome, sig_outcome):
            return Verdict(F, f"the issuer is not established: {reason if outcome is F else sig_reason}", oa_refs)
        if status is F:
            # The verifier found that the issuance does not hold (a DID issuer without a signature or without a
            # readable revocation method, no issuer, no issuance method): nothing identifies who issued it.
            return Verdict(F, f"the document's issuance does not hold: {status_reason}",
                           (*oa_refs, Ref("E-SIG", "issuance-status", status_reason)))
        if outcome is P:
            return Verdict(P, f"issuer identified ({reason}); issuance records the issuer's intention", oa_refs)
        if outcome is W:
            return Verdict(W, f"issuer identified weakly: {reason}", oa_refs)
        return Verdict(NE, f"the issuer's identity cannot be checked offline: {reason}", oa_refs, "none")
    if ev.chain is None:
        return _no_chain(ev, "the signature")
    chain = ev.chain
    bad = chain.refs(*ISSUER_FAIL, *KEY, "PINT-JWS-BAD-SIGNATURE")
    if bad:
        return Verdict(F, "a signature does not identify its signer ("
                          + _codes_of(bad) + ")", bad)
    if chain.outcome is F:
        return Verdict(NE, "the chain does not verify", _failing(ev), "none")
    weak = chain.refs(*ISSUER_WARN)
    refs: tuple[Ref, ...] = tuple(Ref("E-SIG", s.pointer, s.describe()) for s in ev.signatures[:6])
    if weak:
        return Verdict(W, "the carrier's issuance key is trusted but not bound to the carrier's platform", weak + refs)
    offline = chain.refs("PINT-PLATFORM-UNBOUND")
    if offline:
        return Verdict(NE, "a signer's platform publishes its keys only at a JWKS endpoint, never fetched offline",
                       offline, "none")
    return Verdict(P, "every signature verified with a key the trust store binds to the signer's platform; the "
                      "carrier's ISSUE and each holder's action record their intention; whether the method is as "
                      "reliable as appropriate rests on an attestation", refs)


CHECKS: Mapping[str, Check] = {
    "classify": classify, "extra_info": extra_info, "consent": consent, "writing": writing, "signature": signature,
    "content": content, "singular": singular, "lifecycle": lifecycle, "integrity": integrity,
    "exclusive": exclusive, "controller": controller, "divests": divests, "rules": rules,
    "data_integrity": data_integrity, "access": access, "hw_sw": hw_sw, "audit": audit, "declaration": declaration,
    "standard": standard, "proven_in_fact": proven_in_fact, "time": time, "place_of_business": place_of_business,
    "endorsement": endorsement, "amendment": amendment, "paper_to_etr": paper_to_etr, "etr_to_paper": etr_to_paper,
    "foreign": foreign, "sg_presumption": sg_presumption,
}
