"""etr: validate electronic trade documents and verify transfers of control, offline.

Public API::

    import etr
    report = etr.validate("bl.json")          # a path, bytes, or a parsed dict
    for report in etr.iter_validate(["docs/"]):
        ...
    trust = etr.TrustStore.from_paths(["trust/"])
    result = etr.verify("envelope.json", trust)   # a DCSA PINT 3.0 envelope: path, bytes or dict
    result.outcome, result.current_holder
    oa = etr.verify("bill-of-lading.tt")          # a TradeTrust / OpenAttestation document: no trust store
    oa.check("integrity").outcome, oa.token_registry, oa.token_id
    assessment = etr.assess("envelope.json", trust, profile="uk-etda-2023")   # MLETR requirements
    assessment.rows, assessment.outcome

Every result (a validation :class:`Report`, a ``VerificationResult``, an ``OAVerificationResult``) has
``source``, ``kind``, ``outcome``, ``findings`` and ``to_dict()``
(:class:`Result`). Errors are grouped by who is at fault
(:mod:`etr.errors`): the document, the environment, or the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .assess import AssessmentFailed, assess, assess_or_raise, iter_assess
from .errors import (
    DocumentError,
    EnvironmentProblem,
    EtrError,
    UsageError,
    ValidationFailed,
    VerificationFailed,
)
from .load import Document, Limits, load_bytes
from .model import Finding, Location, Outcome, Report, Result, Severity, Summary
from .validate import iter_validate, validate, validate_or_raise
from .verify import iter_verify, verify, verify_or_raise

if TYPE_CHECKING:
    from .crypto.trust import TrustStore
    from .families.openattestation import OAVerificationResult, TrustedIssuers
    from .mletr.result import Assessment
    from .transfer.verify import VerificationResult

__version__ = "0.3.0"

__all__ = [
    "Assessment",
    "AssessmentFailed",
    "Document",
    "DocumentError",
    "EnvironmentProblem",
    "EtrError",
    "Finding",
    "Limits",
    "Location",
    "OAVerificationResult",
    "Outcome",
    "Report",
    "Result",
    "Severity",
    "Summary",
    "TrustStore",
    "TrustedIssuers",
    "UsageError",
    "ValidationFailed",
    "VerificationFailed",
    "VerificationResult",
    "__version__",
    "assess",
    "assess_or_raise",
    "iter_assess",
    "iter_validate",
    "iter_verify",
    "load_bytes",
    "validate",
    "validate_or_raise",
    "verify",
    "verify_or_raise",
]

#: Names whose modules are imported on first use (they pull in cryptography), so ``import etr`` stays cheap.
_LAZY = {"TrustStore": "etr.crypto.trust", "VerificationResult": "etr.transfer.verify",
         "OAVerificationResult": "etr.families.openattestation", "TrustedIssuers": "etr.families.openattestation",
         "Assessment": "etr.mletr.result"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'etr' has no attribute {name!r}")
