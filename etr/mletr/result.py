"""The assessment result: one :class:`Row` per requirement of the profile, and a bottom line.

:class:`Assessment` satisfies :class:`etr.model.Result` (``kind = "assessment"``); its ``to_dict()`` is
the shape published in ``schemas/report/assessment-2.schema.json``.

The bottom line (:attr:`Assessment.outcome`) is the worst row: FAIL, then WARN, then NOT_EVALUABLE,
then ATTESTATION_REQUIRED; PASS only when every listed requirement passed on evidence or does not
apply. An ATTESTATION_REQUIRED row never becomes PASS, and nothing here says "compliant": the summary
says which functions the evidence shows and which rest on attestations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Finding, Outcome, counts

if TYPE_CHECKING:
    from .evidence import Classification, Event, Ref, RegistryEvidence, SignatureInfo
    from .requirements import Profile

__all__ = ["ASSESSMENT_ORDER", "Assessment", "Row", "bottom_line"]

#: Worst first: the bottom line is the first of these among the rows.
ASSESSMENT_ORDER = (Outcome.FAIL, Outcome.WARN, Outcome.NOT_EVALUABLE, Outcome.ATTESTATION_REQUIRED, Outcome.PASS,
                    Outcome.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Row:
    """One requirement's outcome: ``articles`` are the profile's references, ``reason`` one line,
    ``refs`` the evidence, ``basis`` ``evidence`` | ``attestation`` | ``none``, ``attestation_needed``
    what only an attestation can establish (the requirement's data)."""

    id: str
    title: str
    function: str
    articles: tuple[str, ...]
    outcome: Outcome
    reason: str
    refs: tuple[Ref, ...] = ()
    basis: str = "evidence"
    evidence_kinds: tuple[str, ...] = ()
    attestation_needed: str | None = None
    attestation: Mapping[str, Any] | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "function": self.function, "references": list(self.articles),
                "outcome": self.outcome.value, "reason": self.reason, "basis": self.basis,
                "evidenceKinds": list(self.evidence_kinds), "evidence": [r.to_dict() for r in self.refs],
                "attestationNeeded": self.attestation_needed,
                "attestation": dict(self.attestation) if self.attestation is not None else None,
                "detail": _plain(self.detail)}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def bottom_line(rows: tuple[Row, ...]) -> Outcome:
    """The worst outcome among ``rows`` (NOT_APPLICABLE only when every row is)."""
    seen = {r.outcome for r in rows}
    return next((o for o in ASSESSMENT_ORDER if o in seen), Outcome.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The assessment of one input against one profile. See the module docstring."""

    source: str
    profile: Profile
    classification: Classification
    rows: tuple[Row, ...]
    findings: tuple[Finding, ...]
    assessed_at: str
    timeline: tuple[Event, ...] = ()
    holders: tuple[str, ...] = ()
    current_holder: str | None = None
    signatures: tuple[SignatureInfo, ...] = ()
    registry: RegistryEvidence | None = None
    attestation: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = ()

    kind = "assessment"

    @property
    def outcome(self) -> Outcome:
        return bottom_line(self.rows)

    def row(self, requirement_id: str) -> Row:
        """The row of ``requirement_id``. Raises KeyError when the profile does not list it."""
        for r in self.rows:
            if r.id == requirement_id:
                return r
        raise KeyError(requirement_id)

    @property
    def outcomes(self) -> dict[str, Outcome]:
        """Requirement id -> outcome (handy for tests and filters)."""
        return {r.id: r.outcome for r in self.rows}

    @property
    def shown_by_evidence(self) -> tuple[Row, ...]:
        """Rows that PASS on what etr verified itself."""
        return tuple(r for r in self.rows if r.outcome is Outcome.PASS and r.basis == "evidence")

    @property
    def resting_on_attestations(self) -> tuple[Row, ...]:
        """Rows whose outcome rests on a declaration (PASS or WARN on the attestation file) or that need one."""
        return tuple(r for r in self.rows if r.outcome is Outcome.ATTESTATION_REQUIRED
                     or (r.basis == "attestation" and r.outcome in (Outcome.PASS, Outcome.WARN)))

    def summary(self) -> dict[str, Any]:
        """Counts per outcome and the ids of each group; never a verdict of compliance."""
        by_outcome = {o.value: [r.id for r in self.rows if r.outcome is o] for o in ASSESSMENT_ORDER}
        return {
            "counts": {k: len(v) for k, v in by_outcome.items()},
            "byOutcome": by_outcome,
            "shownByEvidence": [r.function for r in self.shown_by_evidence],
            "restingOnAttestations": [r.function for r in self.resting_on_attestations],
            "statement": self.statement(),
        }

    def statement(self) -> str:
        """One paragraph for a person: what the evidence shows, what it contradicts, what rests on attestations."""
        failed = [r.function for r in self.rows if r.outcome is Outcome.FAIL]
        shown = [r.function for r in self.shown_by_evidence]
        attested = [r.function for r in self.resting_on_attestations]
        unknown = [r.function for r in self.rows if r.outcome is Outcome.NOT_EVALUABLE]
        parts = []
        if failed:
            parts.append("The evidence contradicts: " + "; ".join(dict.fromkeys(failed)) + ".")
        parts.append("The evidence shows: " + ("; ".join(dict.fromkeys(shown)) if shown else "nothing") + ".")
        if unknown:
            parts.append("Not evaluable from the evidence given: " + "; ".join(dict.fromkeys(unknown)) + ".")
        if attested:
            parts.append("Resting on attestations: " + "; ".join(dict.fromkeys(attested)) + ".")
        parts.append(f"This is an assessment of evidence against {self.profile.short}, not a finding of compliance.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The published JSON shape (``schemas/report/assessment-2.schema.json``)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome.value,
            "profile": {"id": self.profile.id, "title": self.profile.title, "reliability": self.profile.reliability},
            "assessedAt": self.assessed_at,
            "classification": self.classification.to_dict(),
            "summary": self.summary(),
            "requirements": [r.to_dict() for r in self.rows],
            "timeline": [e.to_dict() for e in self.timeline],
            "holders": list(self.holders),
            "currentHolder": self.current_holder,
            "signatures": [s.to_dict() for s in self.signatures],
            "registry": _registry(self.registry),
            "attestation": dict(self.attestation) if self.attestation is not None else None,
            "notes": list(self.notes),
            "counts": counts(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def _registry(r: RegistryEvidence | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"name": r.name, "relation": r.relation, "state": r.state, "holder": r.holder, "conflicts": r.conflicts,
            "error": r.error}
