"""The text of a validation :class:`~etr.model.Report`: a header line, then one line per finding::

    bl.json: FAIL [dcsa-ebl 3.0.4] (1 error, 0 warnings, 0 info)
      error   EBL-EQUIPMENT-UNKNOWN at /consignmentItems/0/cargoItems/1/equipmentReference: …
"""

from __future__ import annotations

from ..model import Report, Severity
from . import count, finding_line


def report_lines(report: Report, failed: bool, *, quiet: bool = False) -> list[str]:
    """The lines of one report; ``failed`` is the verdict at the run's ``--fail-on``; ``quiet`` drops info."""
    kind = " ".join(filter(None, (report.family, report.version))) or "unrecognised"
    if report.profile:
        kind += f" {report.profile}"
    counts = ", ".join(count(report.count(s), s.value) for s in Severity)
    lines = [f"{report.source}: {'FAIL' if failed else 'ok'} [{kind}] ({counts})"]
    lines.extend(finding_line(f) for f in report.findings if not (quiet and f.severity is Severity.INFO))
    return lines
