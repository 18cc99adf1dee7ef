"""What ``etr.verify`` returns for an OpenAttestation document: the checks, one per question, and the findings.

The checks follow the reference verifier's fragments (oa-verify), each answered
offline as far as the file allows:

``integrity``
    targetHash recomputed from the data, then the Merkle proof up to merkleRoot
    (the reference's ``OpenAttestationHash``).
``signature``
    the DID signature over merkleRoot (``OpenAttestationSignature2018``);
    NOT_APPLICABLE when the document is not DID-signed.
``issuance-status``
    document store ``isIssued``/``isRevoked``, token registry ``ownerOf``, a
    DID document's revocation: these need the chain (NOT_EVALUABLE, with the
    contract, token id or location to query); a DID-signed document with
    revocation NONE is issued by its signature.
``identity``
    DNS-TXT / DNS-DID / DID identity: NOT_EVALUABLE offline, PASS or FAIL
    against the trusted issuers given with ``--trust``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...model import Finding, Outcome, Severity, counts

FAMILY = "openattestation"
CHECK_NAMES = ("integrity", "signature", "issuance-status", "identity")


@dataclass(frozen=True, slots=True)
class Check:
    """One verification question: ``name`` (one of :data:`CHECK_NAMES`), its ``outcome``, a one-line
    ``reason``, and ``detail`` (what was compared, or what would have to be queried online)."""

    name: str
    outcome: Outcome
    reason: str
    detail: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "outcome": self.outcome.value, "reason": self.reason}
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


@dataclass(frozen=True, slots=True)
class OAVerificationResult:
    """The verification of one OpenAttestation document (``kind == "verification"``,
    ``family == "openattestation"``).

    ``version`` is "2.0", "3.0" or "4.0" (``None`` when the input is no OA document it can read);
    ``form`` says what the input is: ``wrapped``, ``raw`` (unwrapped: nothing to verify),
    ``unsupported`` (a TrustVC / W3C credential OA does not define) or ``unreadable``.
    ``revealed`` is the data a reader sees (v2 values unsalted). ``transferable`` is true when the
    issuer is a token registry (a TradeTrust transferable record, whose token id is the merkleRoot).
    """

    source: str
    version: str | None
    checks: tuple[Check, ...] = ()
    findings: tuple[Finding, ...] = ()
    form: str = "wrapped"
    revealed: Mapping[str, Any] = field(default_factory=dict)
    transferable: bool = False
    token_registry: str | None = None
    token_id: str | None = None
    target_hash: str | None = None
    merkle_root: str | None = None
    issuers: tuple[Mapping[str, Any], ...] = ()

    kind = "verification"
    family = FAMILY

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it was made."""
        return next((c for c in self.checks if c.name == name), None)

    @property
    def outcome(self) -> Outcome:
        """FAIL when a check fails or a finding is an error; else NOT_EVALUABLE when a check needs the
        network; else WARN with a warning; else PASS. An OA document is never PASS offline unless every
        check could be answered (a DID-signed document with revocation NONE and a trusted issuer)."""
        outcomes = {c.outcome for c in self.checks}
        if Outcome.FAIL in outcomes or any(f.severity is Severity.ERROR for f in self.findings):
            return Outcome.FAIL
        if Outcome.NOT_EVALUABLE in outcomes or not self.checks:
            return Outcome.NOT_EVALUABLE
        if any(f.severity is Severity.WARNING for f in self.findings):
            return Outcome.WARN
        return Outcome.PASS

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome.value,
            "family": self.family,
            "version": self.version,
            "form": self.form,
            "checks": [c.to_dict() for c in self.checks],
            "transferable": self.transferable,
            "tokenRegistry": self.token_registry,
            "tokenId": self.token_id,
            "targetHash": self.target_hash,
            "merkleRoot": self.merkle_root,
            "issuers": [dict(i) for i in self.issuers],
            "revealed": dict(self.revealed),
            "counts": counts(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }
