"""Errors raised by etr, grouped by who is at fault.

Problems *in a document* are normally reported as findings, not raised. These
exceptions are for the cases where a caller asked for one (``…_or_raise``) or
where the environment, not the document, is at fault. Every public exception
etr raises is defined here:

- :class:`DocumentError` — the document: :class:`ValidationFailed`
  (``etr.validate_or_raise``), :class:`VerificationFailed` (``etr.verify_or_raise``),
  :class:`LoadError` (unreadable or hostile input), :class:`TrustError` (no trusted
  key for a signature), :class:`RecordingRefused` (``Registry.record_or_raise``);
- :class:`EnvironmentProblem` — the environment: :class:`KeyFileError` (a key,
  certificate or registry file that cannot be used), a missing packaged schema,
  :class:`RegistryError` (the registry of record's database: unavailable,
  not initialised, written by a newer etr, corrupted, no driver);
- :class:`UsageError` — the caller: an unknown family, version, mode or option,
  no trust store, no input (the CLI exits 2).

Every one has a stable ``code`` (listed by ``etr codes``) and a ``hint`` for a person.
The CLI maps them to exit statuses: usage 2, everything else 1.
"""

from __future__ import annotations

from .model import Finding, Location, Severity


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


# --------------------------------------------------------------------------- document

class LoadError(DocumentError):
    """The input could not be loaded; ``finding`` says why and where (a ``LOAD-…`` code).

    Raised by :mod:`etr.load`; ``etr.validate`` and ``etr.verify`` turn it into the finding.
    """

    code = "LOAD-ERROR"

    def __init__(self, code: str, message: str, *, line: int | None = None, column: int | None = None,
                 pointer: str | None = None) -> None:
        super().__init__(message, code=code)
        location = Location(pointer=pointer, line=line, column=column) if (line or pointer) else None
        self.finding = Finding(code, Severity.ERROR, message, location, reference="etr loading rules")


class TrustError(DocumentError):
    """A JWS header names no key the trust store accepts; raised by ``KeyResolution.key_or_raise``.

    Codes: ``TRUST-UNKNOWN-KEY``, ``TRUST-AMBIGUOUS-KEY``, ``TRUST-X5C-UNTRUSTED``,
    ``TRUST-X5C-EXPIRED``, ``TRUST-X5C-NOT-YET-VALID``, ``TRUST-X5C-INVALID``,
    ``TRUST-KEY-EXPIRED``, ``TRUST-KEY-NOT-YET-VALID``, ``TRUST-PLATFORM-MISMATCH``,
    ``TRUST-PLATFORM-UNBOUND``, ``TRUST-KID-MISMATCH``.
    """

    code = "TRUST-UNKNOWN-KEY"


# --------------------------------------------------------------------------- environment

class KeyFileError(EnvironmentProblem):
    """A key, certificate or registry file cannot be used.

    Codes: ``KEY-UNREADABLE`` (missing, unreadable, malformed), ``KEY-UNSUPPORTED``
    (key type, curve, algorithm or encryption etr does not support),
    ``KEY-TOO-WEAK`` (RSA below 2048 bits), ``KEY-NOT-PRIVATE`` (a signing key
    was expected), ``KEY-PRIVATE`` (private material where only public keys
    belong), ``KEY-EXISTS`` (refusing to overwrite), ``KEY-UNWRITABLE``; and, from a
    trust store, ``KEY-REGISTRY`` (a malformed platform registry CSV) and
    ``KEY-CERT-UNUSABLE`` (a leaf certificate that may not sign documents).
    """

    code = "KEY-UNREADABLE"


# --------------------------------------------------------------------------- the registry of record

class RegistryError(EnvironmentProblem):
    """The registry of record (:mod:`etr.registry`) cannot do what was asked: its database is at fault.

    Subclasses: :class:`RegistryUnavailable` (``REG-UNAVAILABLE``: cannot be opened, reached or written),
    :class:`RegistryNotInitialised` (``REG-UNINITIALISED``: no registry schema there yet),
    :class:`RegistrySchemaNewer` (``REG-SCHEMA-NEWER``: written by a newer etr), :class:`RegistryCorrupt`
    (``REG-CORRUPT``: a stored row cannot be read back), :class:`RegistryDriverMissing`
    (``REG-DRIVER-MISSING``: the database driver is not installed). A URL etr cannot use is the caller's
    fault: :class:`UsageError` ``REG-URL``.
    """

    code = "REG-ERROR"


class RegistryUnavailable(RegistryError):
    """The registry's database cannot be opened, reached or written (server down, permissions, busy)."""

    code = "REG-UNAVAILABLE"


class RegistryNotInitialised(RegistryError):
    """The database holds no registry yet: run ``etr registry init``."""

    code = "REG-UNINITIALISED"


class RegistrySchemaNewer(RegistryError):
    """The registry was written by a newer etr (a higher schema version); it is never downgraded."""

    code = "REG-SCHEMA-NEWER"


class RegistryCorrupt(RegistryError):
    """A stored row cannot be read back (changed outside etr, or the file is damaged)."""

    code = "REG-CORRUPT"


class RegistryDriverMissing(RegistryError):
    """The driver for the registry's database is not installed (``pip install 'etr[postgres]'``)."""

    code = "REG-DRIVER-MISSING"


class RecordingRefused(DocumentError):
    """Raised by :meth:`etr.registry.Registry.record_or_raise` when the registry refuses an envelope (DISE,
    BSIG, BENV); ``recording`` holds the whole :class:`~etr.registry.Recording`, ``code`` its first error's
    code (e.g. ``REG-FORK``)."""

    code = "REG-REFUSED"

    def __init__(self, recording: object, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, hint="`etr registry status CARRIER REFERENCE --db URL` shows the "
                                                  "recorded chain's holder and state")
        self.recording = recording
