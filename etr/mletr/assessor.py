"""The assessor: evidence in, one row per requirement of the profile out.

:func:`assess_evidence` is the pure core (evidence and a profile -> :class:`~etr.mletr.result.Assessment`).
:func:`assess_source` gathers the evidence for one input first: it loads it with the hardened loader,
recognises its family (:func:`etr.validate.validate_document`), verifies a PINT envelope's chain when
trust is given (:func:`etr.transfer.verify.verify_envelope`), asks the registry when one is given, and
reads the attestation file once per process.

Rows:
- a requirement that applies only to transferable records (arts. 10, 11, 15-18) is NOT_APPLICABLE for
  a document classified as not transferable (a certificate, a sea waybill);
- otherwise its check (:data:`etr.mletr.checks.CHECKS`) decides; a check that raises (a bug) makes the
  row NOT_EVALUABLE with an ``ETR-INTERNAL`` finding, never a traceback.

Findings: each FAIL row gives an error and each WARN row a warning with the requirement's code
(``MLETR-`` + its id), and each NOT_EVALUABLE row an info finding ``MLETR-NOT-EVALUABLE``; so the shared
``--fail-on`` machinery reads them (fail: errors; warn: warnings; not-evaluable: info).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import UsageError
from ..load import Limits, LoadError, Source, load_bytes
from ..model import Finding, Outcome, Report, Severity
from .checks import CHECKS
from .evidence import (
    Evidence,
    RegistryEvidence,
    chain_evidence,
    classify,
    registry_evidence,
    signature_evidence,
    with_reason_codes,
)
from .requirements import DEFAULT_PROFILE, Profile, profile
from .result import Assessment, Row

if TYPE_CHECKING:
    from ..crypto.trust import TrustStore
    from .attestation import Attestation
    from .evidence import OAEvidence, RegistryLike

__all__ = ["AssessOptions", "assess_evidence", "assess_source"]

log = logging.getLogger("etr.mletr")
NOT_EVALUABLE_CODE = "MLETR-NOT-EVALUABLE"


def _row_finding(row: Row, code: str | None, reference: str) -> Finding | None:
    detail = {"requirement": row.id, "outcome": row.outcome.value}
    if row.outcome in (Outcome.FAIL, Outcome.WARN):
        severity = Severity.ERROR if row.outcome is Outcome.FAIL else Severity.WARNING
        # A check giving an outcome its requirement does not declare is a bug: still reported, never lost.
        return Finding(code or "ETR-INTERNAL", severity, f"{row.id}: {row.reason}", reference=reference,
                       detail=detail)
    if row.outcome is Outcome.NOT_EVALUABLE:
        return Finding(NOT_EVALUABLE_CODE, Severity.INFO, f"{row.id}: {row.reason}", reference=reference,
                       detail=detail)
    return None


def assess_evidence(evidence: Evidence, prof: Profile | str = DEFAULT_PROFILE, *,
                    extra_findings: tuple[Finding, ...] = ()) -> Assessment:
    """Assess ``evidence`` against the profile (an id or a :class:`Profile`).

    Raises:
        UsageError: ``MLETR-PROFILE``: an unknown profile id.
    """
    from ..transfer.model import format_datetime

    p = profile(prof) if isinstance(prof, str) else prof
    rows: list[Row] = []
    findings: list[Finding] = list(extra_findings)
    not_transferable = evidence.classification.kind == "not-transferable"
    for req in p.requirements:
        articles = req.articles[p.id]
        if req.transferable_only and not_transferable:
            row = Row(req.id, req.title_in(p.id), req.function, articles, Outcome.NOT_APPLICABLE,
                      f"{evidence.classification.document_type} is not a transferable record: "
                      f"{'; '.join(articles)} does not apply", (), "none", req.evidence, req.attestation)
        else:
            try:
                v = CHECKS[req.check](evidence, req, p)
            except Exception as exc:  # a bug in a check must not lose the other rows
                log.debug("check %s failed", req.check, exc_info=True)
                findings.append(Finding("ETR-INTERNAL", Severity.ERROR,
                                        f"{req.id}: the check failed ({type(exc).__name__}); it was not evaluated"))
                row = Row(req.id, req.title_in(p.id), req.function, articles, Outcome.NOT_EVALUABLE,
                          "the check failed (an internal error); not evaluated", (), "none", req.evidence,
                          req.attestation)
            else:
                row = Row(req.id, req.title_in(p.id), req.function, articles, v.outcome, v.reason, v.refs, v.basis,
                          req.evidence, req.attestation, v.attestation, v.detail)
        rows.append(row)
        finding = _row_finding(row, req.code, "; ".join(articles))
        if finding is not None:
            findings.append(finding)
    chain = evidence.chain
    holder = None
    if chain is not None:
        holder = (chain.current_holder.describe() if chain.holder_established and chain.current_holder is not None
                  else "not established")
    return Assessment(evidence.source, p, evidence.classification, tuple(rows), tuple(findings),
                      format_datetime(evidence.at), chain.events if chain else (),
                      chain.holders if chain else (), holder, evidence.signatures, evidence.registry,
                      evidence.attestation.summary() if evidence.attestation else None, evidence.notes)


# --------------------------------------------------------------------------- gathering evidence for one input


@dataclass(frozen=True, slots=True)
class AssessOptions:
    """How to assess: every input of a batch gets the same options (picklable for ``-j N``: trust and the
    registry are given as paths / a URL and opened once per process).

    ``trust``: a built store or paths (none: chains are not verified, their rows NOT_EVALUABLE);
    ``profile``: ``mletr``, ``uk-etda-2023`` or ``sg-eta-2021``; ``attestation``: a parsed
    :class:`~etr.mletr.attestation.Attestation` or ``None``; ``registry``: a URL for
    ``etr.registry.open`` or an object with ``compare(result)``; ``at``: the assessment time (RFC 3339;
    default now, fixed once for a batch).
    """

    trust: TrustStore | tuple[str, ...] = ()
    profile: str = DEFAULT_PROFILE
    attestation: Attestation | None = None
    registry: str | RegistryLike | None = None
    at: str | None = None
    mode: str = "strict"
    td_version: str | None = None
    limits: Limits = field(default_factory=Limits)
    #: The trusted issuers of OpenAttestation documents (default: those in the ``trust`` paths' issuers files).
    issuers: Any = None

    def check(self) -> None:
        """Fail early on what no input can fix.

        Raises:
            UsageError: an unknown profile (``MLETR-PROFILE``), an ``at`` that is not a date-time
                (``PINT-AT``), a registry URL when ``etr.registry`` is not installed
                (``MLETR-REGISTRY-UNAVAILABLE``) or that is no registry URL (``REG-URL``).
            KeyFileError: trust paths that cannot be read.
        """
        profile(self.profile)
        self.moment()
        if isinstance(self.registry, str):
            _open_registry(self.registry)  # a URL that is no registry URL: REG-URL now (nothing is read yet)
        self.store()
        self.trusted_issuers()

    def moment(self) -> datetime:
        if self.at is None:
            return datetime.now(UTC)
        from ..transfer.model import parse_datetime

        try:
            return parse_datetime(self.at)
        except ValueError as exc:
            raise UsageError(f"--at: {exc}", code="PINT-AT", hint="e.g. 2026-06-01T12:00:00Z") from None

    def store(self) -> TrustStore | None:
        """The PINT trust store (``None`` when it holds nothing: chains are then not verified)."""
        if isinstance(self.trust, tuple):
            if not self.trust:
                return None
            from ..verify import trust_store

            store = trust_store(self.trust)  # once per process; trusted-issuers files are left out
        else:
            store = self.trust
        return None if store.is_empty() else store

    def trusted_issuers(self) -> Any:
        """The trusted issuers of OpenAttestation documents, or ``None`` (when this etr has no OA family)."""
        if self.issuers is not None:
            return self.issuers
        if isinstance(self.trust, tuple) and self.trust:
            try:
                from ..verify import trusted_issuers
            except ImportError:
                return None
            return trusted_issuers(self.trust)
        return None


def _registry_module() -> Any:
    try:
        import importlib

        return importlib.import_module("etr.registry")
    except ImportError:
        raise UsageError("--registry needs the registry module (etr.registry), which this etr does not include",
                         code="MLETR-REGISTRY-UNAVAILABLE",
                         hint="install an etr with the registry, or assess without --registry") from None


@functools.lru_cache(maxsize=4)
def _open_registry(url: str) -> Any:
    """The registry at ``url``, opened once per process (worker processes included)."""
    module = _registry_module()
    return module.open(url)


def assess_source(source: Source, options: AssessOptions, stdin: BinaryIO | None = None) -> Assessment:
    """Assess one :class:`~etr.load.Source` (the CLI's work function, run in worker processes too).

    Problems with the input are rows and findings, never exceptions.
    """
    moment = options.moment()
    try:
        data = source.read(options.limits, stdin)
    except LoadError as exc:
        return _unreadable(source.name, moment, options, exc.finding)
    return assess_bytes(data, source.name, options, moment)


def _unreadable(name: str, moment: datetime, options: AssessOptions, finding: Finding) -> Assessment:
    evidence = Evidence(name, moment, classify(None), notes=(f"the input cannot be read: {finding.code}",),
                        attestation=options.attestation, loaded=False)
    return assess_evidence(evidence, options.profile, extra_findings=(finding,))


def assess_bytes(data: bytes, name: str, options: AssessOptions, moment: datetime | None = None) -> Assessment:
    """Assess one input given as bytes (see :func:`assess_source`)."""
    moment = moment or options.moment()
    try:
        evidence, extra = gather_evidence(data, name, options, moment)
    except LoadError as exc:
        return _unreadable(name, moment, options, exc.finding)
    return assess_evidence(evidence, options.profile, extra_findings=extra)


def gather_evidence(data: bytes, name: str, options: AssessOptions, moment: datetime | None = None,
                    ) -> tuple[Evidence, tuple[Finding, ...]]:
    """The evidence for one input, and the loader's findings (a byte order mark …).

    Raises:
        LoadError: the input cannot be loaded.
    """
    from ..validate import validate_document

    moment = moment or options.moment()
    document = load_bytes(data, name, options.limits)
    report = validate_document(document)
    notes: list[str] = []
    chain = None
    signatures: tuple[Any, ...] = ()
    registry: RegistryEvidence | None = None
    oa: OAEvidence | None = None
    envelope = document.content if report.family == "dcsa-pint" and isinstance(document.content, dict) else None
    td: Mapping[str, Any] | None = None
    td_report: Report | None = None
    if envelope is not None:
        raw_td = envelope.get("transportDocument")
        td = raw_td if isinstance(raw_td, dict) else None
        td_report = _td_report(report, name) if td is not None else None
        store = options.store()
        if store is None:
            notes.append("no trust store (--trust): the transfer chain's signatures were not verified")
        else:
            from ..transfer.verify import verify_envelope

            # The family's report above has validated the transport document already: not twice.
            result = verify_envelope(data, store, mode="legacy" if options.mode == "legacy" else "strict",
                                     at=moment, source=name, td_version=options.td_version, limits=options.limits,
                                     validate_document=False)
            chain = with_reason_codes(chain_evidence(result), envelope)
            if td_report is not None:
                chain = replace(chain, td_report=td_report)
            signatures = signature_evidence(result, envelope, store)
            if options.registry is not None:
                reg = _open_registry(options.registry) if isinstance(options.registry, str) else options.registry
                registry = registry_evidence(reg, result, options.registry if isinstance(options.registry, str)
                                             else type(options.registry).__name__)
                if registry.error:
                    notes.append(f"registry: {registry.error}")
    elif report.family == "dcsa-ebl" and isinstance(document.content, dict):
        td = document.content
        td_report = report
        notes.append("a transport document alone carries no transfer chain: control and singularity need a PINT "
                     "envelope or a registry")
    elif report.family == "openattestation":
        oa = _oa(document, name, notes, options.trusted_issuers())
    evidence = Evidence(name, moment, classify(report, oa, td), report, chain, signatures, registry, oa,
                        options.attestation, tuple(notes), True, envelope, td_report)
    return evidence, tuple(document.findings)


def _td_report(report: Report, name: str) -> Report:
    """The transport document's own report, out of the envelope's (the dcsa-pint family validates the TD
    through the eBL family: its findings are the ones not coded ``PINT-…``, under ``/transportDocument``)."""
    from ..families.ebl import VERSIONS as EBL_VERSIONS

    version = report.version if report.version in EBL_VERSIONS else None
    findings = tuple(f for f in report.findings if not f.code.startswith("PINT-"))
    return Report(f"{name}#/transportDocument", "dcsa-ebl", version, findings)


def _oa(document: Any, name: str, notes: list[str], issuers: Any) -> OAEvidence | None:
    """The OpenAttestation verification of ``document`` (``etr.families.openattestation.verify_document``,
    offline: an issuer's identity by DNS is NOT_EVALUABLE unless ``issuers`` (``--trust``) names it), when
    this etr has the OA family."""
    try:
        from ..families.openattestation import verify_document
    except ImportError:
        notes.append("OpenAttestation verification is not available in this etr")
        return None
    from .evidence import oa_evidence

    return oa_evidence(verify_document(document.content, name, issuers=issuers, raw=document.raw))
