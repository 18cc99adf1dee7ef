"""Errors raised by etr, grouped by who is at fault.

Problems *in a document* are normally reported as findings, not raised. These
exceptions are for the cases where a caller asked for one (``…_or_raise``) or
where the environment, not the document, is at fault:

- :class:`DocumentError` — the document: :class:`ValidationFailed`
  (``etr.validate_or_raise``), :class:`VerificationFailed` (``etr.verify_or_raise``);
- :class:`EnvironmentProblem` — the environment: a file or a trust store that
  cannot be read;
- :class:`UsageError` — the caller: an unknown family, version, mode or option,
  no trust store, no input (the CLI exits 2).

Every one has a stable ``code`` and a ``hint`` for a person.
"""

from __future__ import annotations


class EtrError(Exception):
    """Base class of every error etr raises on purpose.

    ``code`` is stable (like a finding code); ``hint`` tells a person what to
    do next.
    """

    code = "ETR-ERROR"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.hint = hint

    def diagnostics(self) -> str:
        """One or two lines for a person: what went wrong and what to try."""
        text = f"{self.code}: {self}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class DocumentError(EtrError):
    """The document is at fault (malformed, hostile, fails verification)."""

    code = "ETR-DOCUMENT"


class EnvironmentProblem(EtrError):
    """The environment is at fault: a file is missing, a store cannot be opened."""

    code = "ETR-ENVIRONMENT"


class UsageError(EtrError):
    """The caller asked for something that cannot be done (unknown family, bad option)."""

    code = "ETR-USAGE"


class ValidationFailed(DocumentError):
    """Raised by :func:`etr.validate_or_raise` when a report has an error finding."""

    code = "ETR-INVALID"

    def __init__(self, report: object, message: str) -> None:
        super().__init__(message)
        self.report = report


class VerificationFailed(DocumentError):
    """Raised by :func:`etr.verify_or_raise` when a verification's outcome is FAIL.

    ``result`` holds the whole result (every finding, the entries, the holders);
    ``code`` is its first error's code.
    """

    code = "ETR-NOT-VERIFIED"

    def __init__(self, result: object, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, code=code, hint=hint)
        self.result = result
