"""The report model: findings, reports and outcomes.

Everything here is plain, frozen data with a ``to_dict()`` that produces the
documented JSON shape (``schemas/report/report-1.schema.json``). Renderers and
the CLI read these objects; nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: Version of the JSON run document (``--format json``) and of each result's
#: ``to_dict()`` (``schemas/report/``). Bumped on any breaking change of that
#: shape; additions of optional keys keep it. 2.0: one run document for every
#: command (``outcome`` is its bottom line), ``kind`` and ``outcome`` on every result.
REPORT_FORMAT_VERSION = "2.0"


class Severity(enum.StrEnum):
    """How bad a finding is. Only ``ERROR`` makes a report invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Outcome(enum.StrEnum):
    """Bottom line of a verification step or of a legal requirement."""

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    NOT_EVALUABLE = "NOT_EVALUABLE"
    ATTESTATION_REQUIRED = "ATTESTATION_REQUIRED"
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is: a JSON Pointer for JSON, an XPath (plus line) for XML.

    ``line`` and ``column`` are 1-based and given where the parser knows them.
    """

    pointer: str | None = None
    xpath: str | None = None
    line: int | None = None
    column: int | None = None
    #: The container member the finding is in (a PDF attachment's file name, e.g. ``factur-x.xml``).
    attachment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in ("attachment", "pointer", "xpath", "line", "column")
                if (v := getattr(self, k)) is not None}

    def __str__(self) -> str:
        where = self.pointer if self.pointer is not None else self.xpath or ""
        if self.attachment is not None:
            where = f"{self.attachment}:{where}" if where else self.attachment
        if self.line is not None:
            pos = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
            return f"{where} (line {pos})" if where else f"line {pos}"
        return where if where else "/"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found in one document.

    ``code`` is stable and namespaced (``LOAD-…``, ``EBL-…``); tests and users
    match on it. ``message`` is one line for a person. ``reference`` names the
    clause or rule of the standard. ``detail`` holds structured extras (schema
    keyword, expected values) and never the whole document.
    """

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    reference: str | None = None
    detail: Mapping[str, Any] | None = None
    #: The standard's own terms the finding concerns, e.g. EN 16931 ``("BT-106", "BT-131")``.
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "message": self.message}
        if self.location is not None:
            out["location"] = self.location.to_dict()
        if self.reference is not None:
            out["reference"] = self.reference
        if self.terms:
            out["terms"] = list(self.terms)
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Report:
    """The result of validating one input.

    ``family`` and ``version`` are ``None`` when the input could not be loaded
    or recognised. A report is valid when it has no error-severity finding.
    """

    source: str
    family: str | None = None
    version: str | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    #: The profile or customization the family detected (a UBL ``CustomizationID``, a CII guideline id).
    profile: str | None = None
    #: What the family read off the document and what it checked it against, as short strings
    #: (for an invoice: ``syntax``, ``documentType``, ``specificationIdentifier``, ``xsd``).
    detail: Mapping[str, str] | None = None

    kind = "validation"

    @property
    def outcome(self) -> Outcome:
        """FAIL with an error finding, WARN with a warning, else PASS."""
        return outcome_of(self.findings)

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of all findings, in order (handy for tests and filters)."""
        return tuple(f.code for f in self.findings)

    def passes(self, *, strict: bool = False) -> bool:
        """True when no error (and, with ``strict``, no warning) was found."""
        bad = (Severity.ERROR, Severity.WARNING) if strict else (Severity.ERROR,)
        return not any(f.severity in bad for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome.value,
            "family": self.family,
            "version": self.version,
        }
        if self.profile is not None:
            out["profile"] = self.profile
        if self.detail:
            out["detail"] = dict(self.detail)
        out["valid"] = self.valid
        out["counts"] = counts(self.findings)
        out["findings"] = [f.to_dict() for f in self.findings]
        return out


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Order findings by severity, keeping production order within a severity."""
    return tuple(sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity]))


@runtime_checkable
class Result(Protocol):
    """What every command's per-input result offers: a validation :class:`Report`, a PINT
    ``VerificationResult``, later an assessment. Renderers, the batch driver and the run
    document read only this.

    ``kind`` names the result type (``"validation"``, ``"verification"``); ``outcome`` is its
    bottom line; ``to_dict()`` gives the JSON shape published in ``schemas/report/`` and
    starts with ``kind``, ``source`` and ``outcome``.
    """

    @property
    def source(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def outcome(self) -> Outcome: ...

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    def to_dict(self) -> dict[str, Any]: ...


def outcome_of(findings: Iterable[Finding]) -> Outcome:
    """FAIL when a finding is an error, WARN when one is a warning, else PASS."""
    worst = Outcome.PASS
    for f in findings:
        if f.severity is Severity.ERROR:
            return Outcome.FAIL
        if f.severity is Severity.WARNING:
            worst = Outcome.WARN
    return worst


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``."""
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


def fails(result: Result, fail_on: Severity = Severity.ERROR) -> bool:
    """Whether ``result`` fails the run: its outcome is FAIL, or it has a finding at
    ``fail_on`` or worse (``--fail-on`` / ``--strict``)."""
    if result.outcome is Outcome.FAIL:
        return True
    limit = _SEVERITY_ORDER[fail_on]
    return any(_SEVERITY_ORDER[f.severity] <= limit for f in result.findings)


def run_head(tool_version: str, command: str) -> dict[str, Any]:
    """The members that open the top-level JSON run document (``--format json``)."""
    return {"format": "etr-report", "formatVersion": REPORT_FORMAT_VERSION, "etrVersion": tool_version,
            "command": command}


class Summary:
    """Running totals of a batch: inputs, passed/failed, finding counts, the most frequent codes.

    ``add(result, failed)`` once per result; ``to_dict()`` is the run document's ``summary``.
    """

    TOP_CODES = 5

    def __init__(self) -> None:
        self.inputs = 0
        self.failed = 0
        self.counts = {s.value: 0 for s in Severity}
        self.codes: dict[str, int] = {}

    def add(self, result: Result, failed: bool) -> None:
        self.inputs += 1
        self.failed += failed
        for f in result.findings:
            self.counts[f.severity.value] += 1
            if f.severity is not Severity.INFO:
                self.codes[f.code] = self.codes.get(f.code, 0) + 1

    @property
    def passed(self) -> int:
        return self.inputs - self.failed

    def top_codes(self) -> list[tuple[str, int]]:
        """The most frequent error and warning codes, most frequent first (ties by code)."""
        return sorted(self.codes.items(), key=lambda kv: (-kv[1], kv[0]))[: self.TOP_CODES]

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "passed": self.passed, "failed": self.failed, "findings": dict(self.counts),
                "topCodes": [{"code": c, "count": n} for c, n in self.top_codes()]}


def run_tail(summary: Summary) -> dict[str, Any]:
    """The members that close the run document: the summary and the bottom line, ``outcome``."""
    return {"summary": summary.to_dict(), "outcome": (Outcome.FAIL if summary.failed else Outcome.PASS).value}


def run_document(results: Iterable[Result], *, tool_version: str, command: str,
                 fail_on: Severity = Severity.ERROR) -> dict[str, Any]:
    """The whole run document for ``results`` (for the library; the CLI streams the same shape)."""
    summary = Summary()
    items = []
    for r in results:
        summary.add(r, fails(r, fail_on))
        items.append(r.to_dict())
    return {**run_head(tool_version, command), "reports": items, **run_tail(summary)}
