"""etr: validate electronic trade documents and verify transfers of control, offline.

Public API::

    import etr
    report = etr.validate("bl.json")          # a path, bytes, or a parsed dict
    for report in etr.iter_validate(["docs/"]):
        ...
"""

from __future__ import annotations

from .errors import DocumentError, EnvironmentProblem, EtrError, UsageError, ValidationFailed
from .load import Document, Limits, load_bytes
from .model import Finding, Location, Outcome, Report, Severity
from .validate import iter_validate, validate, validate_or_raise

__version__ = "0.1.0"

__all__ = [
    "Document",
    "DocumentError",
    "EnvironmentProblem",
    "EtrError",
    "Finding",
    "Limits",
    "Location",
    "Outcome",
    "Report",
    "Severity",
    "UsageError",
    "ValidationFailed",
    "__version__",
    "iter_validate",
    "load_bytes",
    "validate",
    "validate_or_raise",
]
