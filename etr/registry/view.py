"""The registry's view of a verified envelope, as a finding (``etr verify --registry URL``).

An envelope can verify and still not be the record: a stale copy (the registry accepted later transfers:
the holder it names no longer holds the record) or a fork (it contradicts the authoritative chain). One
finding says which, with the record's state and holder:

- ``REG-VIEW-CURRENT`` (info): the envelope is the registry's chain;
- ``REG-VIEW-AHEAD`` (info): it extends the registry's chain with entries not recorded yet;
- ``REG-VIEW-UNKNOWN`` (info): the registry holds no such record;
- ``REG-VIEW-STALE`` (warning): an older copy of the registry's chain;
- ``REG-VIEW-FORK`` (error, DISE): it contradicts the registry's chain (the verification FAILs).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Finding, Location, Outcome, Severity
from .model import ChainView

if TYPE_CHECKING:
    from ..transfer.results import VerificationResult
    from .core import Registry

__all__ = ["view_finding", "with_registry_view"]

_REFERENCE = "etr registry of record (MLETR art. 10: the one authoritative record)"


def view_finding(view: ChainView) -> Finding:
    """The finding that says how an envelope relates to the registry's chain."""
    status = view.status
    detail: dict[str, object] = {"relation": view.relation, "envelopeEntries": view.envelope_entries}
    if view.key is not None:
        detail["key"] = view.key.to_dict()
    if status is None:
        return Finding("REG-VIEW-UNKNOWN", Severity.INFO, "the registry holds no record of this chain", None,
                       _REFERENCE, detail)
    holder = status.holder or {}
    who = f"{holder.get('partyName', '?')} [{holder.get('eblPlatform', '?')}]" if holder else "unknown"
    detail.update(recordedEntries=status.entries, state=status.state, holder=status.holder,
                  headChecksum=status.head_checksum)
    recorded = f"the registry's chain has {status.entries} entr{'y' if status.entries == 1 else 'ies'} (state " \
               f"{status.state}, holder {who})"
    if view.relation == "current":
        return Finding("REG-VIEW-CURRENT", Severity.INFO, f"the envelope is the registry's chain: {recorded}", None,
                       _REFERENCE, detail)
    if view.relation == "ahead":
        return Finding("REG-VIEW-AHEAD", Severity.INFO, f"the envelope extends the registry's chain with "
                       f"{view.envelope_entries - status.entries} entr"
                       f"{'y' if view.envelope_entries - status.entries == 1 else 'ies'} not recorded yet: {recorded}",
                       None, _REFERENCE, detail)
    if view.relation == "stale":
        return Finding("REG-VIEW-STALE", Severity.WARNING, f"a stale copy: {recorded}; the envelope has only "
                       f"{view.envelope_entries}, so the holder it names no longer holds the record",
                       Location(pointer="/envelopeTransferChain"), _REFERENCE, detail)
    at = view.diverges_at if view.diverges_at is not None else 0
    detail.update(responseCode="DISE", entry=at)
    return Finding("REG-VIEW-FORK", Severity.ERROR, f"a forked copy: entry {at} is not the registry's entry {at}; "
                   f"{recorded}", Location(pointer=f"/envelopeTransferChain/{at}"), _REFERENCE, detail)


def with_registry_view(result: VerificationResult, registry: Registry) -> VerificationResult:
    """``result`` with the registry's view added as its last finding (a fork FAILs it; a stale copy makes a
    PASS a WARN).

    Raises:
        RegistryError: the registry cannot be read.
    """
    if getattr(result, "head", None) is None:  # nothing was read that far (an unreadable input, another family)
        return result
    finding = view_finding(registry.compare(result))
    outcome = result.outcome
    if finding.severity is Severity.ERROR:
        outcome = Outcome.FAIL
    elif finding.severity is Severity.WARNING and outcome is Outcome.PASS:
        outcome = Outcome.WARN
    return replace(result, findings=(*result.findings, finding), outcome=outcome)
