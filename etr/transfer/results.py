"""What PINT verification found: plain, frozen result objects with ``to_dict()``.

:class:`VerificationResult` (one envelope) satisfies :class:`etr.model.Result`
(``kind = "verification"``); it holds an :class:`EntryResult` per chain entry,
the :class:`IssuanceResult` of the carrier's issuance manifest, the
:class:`ManifestResult` of the envelope manifest, the state machine's steps and
the holders over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import DocumentError
from ..model import Finding, Outcome, Report, Severity, counts
from .model import Party
from .state import Step

if TYPE_CHECKING:
    from .entries import ChainHead

__all__ = ["RESPONSE_PRIORITY", "DocumentCheck", "EntryResult", "EnvelopeVerificationFailed", "IssuanceResult",
           "ManifestResult", "SignatureCheck", "VerificationResult"]

#: When a chain fails for several reasons, the receiver answers the first of these present.
RESPONSE_PRIORITY = ("BSIG", "DISE", "BENV", "INCD", "MDOC")


class SignatureCheck(NamedTuple):
    """One JWS signature: verified or not, with which key, found how (``kid``, ``x5c`` …).

    This and :class:`EntryResult` are named tuples (immutable; ``_replace`` makes a changed copy): one of
    each is built per chain entry, and a named tuple costs a fifth of a frozen dataclass to build."""

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


class EntryResult(NamedTuple):
    """What was found about one chain entry; ``ok`` when it added no error finding and its signature verified."""

    index: int  # type: ignore[assignment]  # the entry's index, in place of tuple.index
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
    """The carrier-signed issuance manifest of entry 0 (``placement``: ``entry``, ``root`` or ``missing``)."""

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
    """Everything :func:`~etr.transfer.verify.verify_envelope` found, with a bottom line (:attr:`outcome`).

    ``head`` is where the chain stands after its last entry (:class:`~etr.transfer.entries.ChainHead`):
    what :func:`~etr.transfer.entries.verify_entry` needs to check the next one. Store it only when the
    outcome is not FAIL.
    """

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
    head: ChainHead | None = None

    kind = "verification"

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
        """The published JSON shape (``schemas/report/``): ``kind``, ``source``, ``outcome`` first."""
        return {
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome.value,
            "responseCode": self.response_code,
            "mode": self.mode,
            "verifiedAt": self.verified_at,
            "transportDocumentChecksum": self.transport_document_checksum,
            "currentHolder": self.current_holder.to_dict() if self.current_holder else None,
            "holders": [h.to_dict() for h in self.holders],
            "entries": [e.to_dict() for e in self.entries],
            "manifest": self.manifest.to_dict() if self.manifest else None,
            "issuance": self.issuance.to_dict() if self.issuance else None,
            "steps": [s.to_dict() for s in self.steps],
            "counts": counts(self.findings),
            "findings": [f.to_dict() for f in self.findings],
            "tdReport": self.td_report.to_dict() if self.td_report else None,
        }


class EnvelopeVerificationFailed(DocumentError):
    """Raised by :func:`~etr.transfer.verify.verify_envelope_or_raise`; ``result`` holds the whole
    :class:`VerificationResult`."""

    code = "PINT-FAILED"

    def __init__(self, result: VerificationResult, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, hint="run `etr verify ENVELOPE --trust …` for the whole story")
        self.result = result
