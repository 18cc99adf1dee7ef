"""The report model: findings, reports and outcomes.

Everything here is plain, frozen data with a ``to_dict()`` that produces the
documented JSON shape (``schemas/report/report-1.schema.json``). Renderers and
the CLI read these objects; nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Version of the JSON shape produced by :meth:`Report.to_dict`. Bumped on any
#: breaking change of that shape; additions of optional keys keep it.
REPORT_FORMAT_VERSION = "1.0"


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

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in ("pointer", "xpath", "line", "column") if (v := getattr(self, k)) is not None}

    def __str__(self) -> str:
        where = self.pointer if self.pointer is not None else self.xpath or ""
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "message": self.message}
        if self.location is not None:
            out["location"] = self.location.to_dict()
        if self.reference is not None:
            out["reference"] = self.reference
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
        return {
            "source": self.source,
            "family": self.family,
            "version": self.version,
            "valid": self.valid,
            "counts": {s.value: self.count(s) for s in Severity},
            "findings": [f.to_dict() for f in self.findings],
        }


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Order findings by severity, keeping production order within a severity."""
    return tuple(sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity]))


def run_head(tool_version: str) -> dict[str, Any]:
    """The members that open the top-level JSON document of ``--format json``."""
    return {"format": "etr-report", "formatVersion": REPORT_FORMAT_VERSION, "etrVersion": tool_version}


def run_tail(inputs: int, failed: int) -> dict[str, Any]:
    """The members that close it: the summary and the bottom line."""
    return {"summary": {"inputs": inputs, "passed": inputs - failed, "failed": failed}, "valid": failed == 0}


def reports_to_dict(reports: Iterable[Report], *, tool_version: str) -> dict[str, Any]:
    """The top-level JSON document for ``--format json`` (an input fails when it has an error)."""
    items = [r.to_dict() for r in reports]
    failed = sum(1 for r in items if not r["valid"])
    return {**run_head(tool_version), "reports": items, **run_tail(len(items), failed)}
