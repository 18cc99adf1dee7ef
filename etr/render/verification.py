"""The text of a PINT verification result: the story of one chain, one line per fact, findings last::

    env.json: PASS (response RECE) [strict]
      transport document 9473b4d5…1179; TD report: 0 errors, 0 warnings (informative)
      issuance (entry): carrier platform CAR1; signature ES256 key 'car1-2026' (…); documentChecksum ok
      [ok ] entry 0  CAR1  signed 2026-11-02T09:00:00.000Z  ES256 key 'car1-2026' (…)  #d5a3385e…e3d8
            ISSUE by Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX → Nordic Timber AB [EBL1] …
            holder after: Nordic Timber AB [EBL1] EBL1:nordic-timber
      manifest: signature ES256 key 'car1-2026' (…); last entry checksum ok; TD checksum ok
      holders: Nordic Timber AB [EBL1] EBL1:nordic-timber
      current holder: Nordic Timber AB [EBL1] EBL1:nordic-timber

When the chain fails, the current holder is "not established": a failing chain
proves nothing about who holds the record now, whatever its verified part says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Finding, Outcome, Severity
from . import count, finding_line

if TYPE_CHECKING:
    from ..transfer.verify import VerificationResult

#: The text names at most this many holders (the first and the last half).
HOLDERS_SHOWN = 10
#: The finding that says the holders are told only up to an entry whose signature fails.
_UNVERIFIED = "PINT-STATE-UNVERIFIED"


def _short(checksum: str | None) -> str:
    return f"{checksum[:8]}…{checksum[-4:]}" if checksum else "?"


def _finding(f: Finding) -> str:
    detail = f.detail or {}
    response = f" [{detail['responseCode']}]" if f.severity is Severity.ERROR and "responseCode" in detail else ""
    where = f" at {f.location}" if f.location is not None and f.location.pointer else ""
    return f"  {f.severity.value:<7} {f.code}{response}{where}: {f.message}"


def current_holder(result: VerificationResult) -> str:
    """Who holds the record now, as far as the verification establishes it."""
    if result.outcome is Outcome.FAIL or any(f.code == _UNVERIFIED for f in result.findings):
        return "not established"
    return result.current_holder.describe() if result.current_holder is not None else "unknown"


def verification_lines(result: VerificationResult, *, quiet: bool = False, show_document: bool = False,
                       ) -> list[str]:
    """The story of one envelope. ``show_document`` lists the transport document's findings (its
    validation report); ``quiet`` leaves out info findings."""
    lines = [f"{result.source}: {result.outcome.value} (response {result.response_code}) [{result.mode}]"]
    if result.transport_document_checksum:
        td = result.td_report
        note = ""
        if td is not None:
            listed = [f for f in td.findings if not (quiet and f.severity is Severity.INFO)]
            hint = "; --show-document lists them" if listed and not show_document and (
                td.count(Severity.ERROR) or td.count(Severity.WARNING)) else ""
            note = (f"; TD report: {count(td.count(Severity.ERROR), 'error')}, "
                    f"{count(td.count(Severity.WARNING), 'warning')} (informative{hint})")
        lines.append(f"  transport document {_short(result.transport_document_checksum)}{note}")
        if td is not None and show_document:
            version = f" [{td.family} {td.version}]" if td.family else ""
            lines.append(f"    TD report{version}:" if listed else f"    TD report{version}: no findings")
            lines.extend(finding_line(f, "    ") for f in listed)
    iss = result.issuance
    if iss is not None:
        bits = [f"carrier platform {iss.carrier_platform}", f"signature {iss.signature.describe()}"]
        if iss.document_checksum is not None:
            bits.append("documentChecksum " + ("ok" if iss.document_checksum_ok else "MISMATCH"))
        if iss.issue_to_checksum is not None:
            bits.append("issueTo " + {True: f"verified ({iss.issue_to_basis})", False: "MISMATCH",
                                      None: "not verifiable"}[iss.issue_to_verified])
        lines.append(f"  issuance ({iss.placement}): " + "; ".join(bits))
    steps: dict[int, list[str]] = {}
    for s in result.steps:
        arrow = f" → {s.recipient.describe()}" if s.recipient else ""
        steps.setdefault(s.entry, []).append(f"{s.action.value} by {s.actor.describe()}{arrow}")
    for e in result.entries:
        mark = "ok " if e.ok else "BAD"
        lines.append(f"  [{mark}] entry {e.index}  {e.platform or '?'}  signed {e.signed_at or '?'}  "
                     f"{e.signature.describe()}  #{_short(e.checksum)}")
        applied = steps.get(e.index)
        if applied:
            lines.extend(f"        {text}" for text in applied)
        elif e.actions:
            why = "not applied" if e.signature.verified else "unverified: not applied"
            lines.append(f"        {', '.join(e.actions)} ({why})")
        if e.holder_after is not None:
            lines.append(f"        holder after: {e.holder_after.describe()}")
    m = result.manifest
    if m is not None:
        bits = [f"signature {m.signature.describe()}",
                "last entry checksum " + ("ok" if m.last_entry_checksum_ok else "MISMATCH"),
                "TD checksum " + ("ok" if m.transport_document_checksum_ok else "MISMATCH")]
        if m.documents:
            statuses: dict[str, int] = {}
            for d in m.documents:
                statuses[d.status] = statuses.get(d.status, 0) + 1
            bits.append("documents " + ", ".join(f"{n} {status}" for status, n in statuses.items()))
        lines.append("  manifest: " + "; ".join(bits))
    if result.holders:
        holders = [h.describe() for h in result.holders]
        head = "  holders: "
        if len(holders) > HOLDERS_SHOWN:  # a long chain: its ends (every holder is in the entries above)
            half = HOLDERS_SHOWN // 2
            head = f"  holders ({len(holders):,}): "
            holders = [*holders[:half], f"… {len(holders) - 2 * half:,} more …", *holders[-half:]]
        lines.append(head + " → ".join(holders))
    lines.append(f"  current holder: {current_holder(result)}")
    lines.extend(_finding(f) for f in result.findings if not (quiet and f.severity is Severity.INFO))
    return lines
