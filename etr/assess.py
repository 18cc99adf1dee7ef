"""The assessment driver: input -> evidence -> one row per MLETR requirement (:mod:`etr.mletr`).

The library door for ``etr assess``, mirroring :mod:`etr.validate` and :mod:`etr.verify`:

- :func:`assess` returns an :class:`~etr.mletr.result.Assessment` for one input (a path, raw bytes or
  a parsed mapping);
- :func:`iter_assess` streams assessments for many inputs, in input order (directories and globs
  expanded as the CLI does);
- :func:`assess_or_raise` raises :class:`AssessmentFailed` when a requirement FAILs.

An assessment never says "compliant": each row says what the evidence shows, contradicts, or leaves to
an attestation (see :mod:`etr.mletr.result`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .errors import DocumentError, UsageError
from .load import Limits, Source, expand_inputs
from .model import Outcome, Severity

if TYPE_CHECKING:
    from .crypto.trust import TrustStore
    from .families.openattestation import TrustedIssuers
    from .mletr.assessor import AssessOptions
    from .mletr.attestation import Attestation
    from .mletr.evidence import RegistryLike
    from .mletr.result import Assessment

__all__ = ["AssessmentFailed", "assess", "assess_or_raise", "iter_assess"]

Input = str | PathLike[str] | bytes | Mapping[str, Any]
TrustInput = Union["TrustStore", "TrustedIssuers", str, PathLike[str], Iterable[str | PathLike[str]], None]


class AssessmentFailed(DocumentError):
    """Raised by :func:`assess_or_raise` when a requirement FAILs; ``assessment`` holds the whole result,
    ``code`` the first failing requirement's code (``MLETR-…``)."""

    code = "MLETR-FAILED"

    def __init__(self, assessment: Assessment, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, hint="run `etr assess INPUT --trust …` for every requirement")
        self.assessment = assessment


def _trust(trust: TrustInput) -> tuple[TrustStore | tuple[str, ...], Any]:
    """The PINT trust store and the OpenAttestation trusted issuers, built afresh from paths (a caller's
    files may change between two calls)."""
    from .crypto.trust import TrustStore

    if trust is None:
        return (), None
    if isinstance(trust, TrustStore):
        return trust, None
    try:
        from .families.openattestation import TrustedIssuers
    except ImportError:  # an etr without the OpenAttestation family
        TrustedIssuers = None  # type: ignore[assignment,misc]
    if TrustedIssuers is not None and isinstance(trust, TrustedIssuers):
        return TrustStore(), trust
    if isinstance(trust, str | PathLike):
        trust = [trust]
    if isinstance(trust, Iterable):
        paths = [os.fspath(p) for p in trust]
        if TrustedIssuers is None:
            return TrustStore.from_paths(paths), None
        from .verify import pint_paths

        return TrustStore.from_paths(pint_paths(paths)), TrustedIssuers.from_paths(paths)
    raise UsageError(f"trust must be a TrustStore, TrustedIssuers or paths, not {type(trust).__name__}",
                     code="PINT-NO-TRUST")


def _attestation(value: Attestation | str | PathLike[str] | None) -> Attestation | None:
    from .mletr.attestation import Attestation, load_attestation

    if value is None or isinstance(value, Attestation):
        return value
    if isinstance(value, str | PathLike):
        return load_attestation(value)
    raise UsageError(f"attestation must be a path or an Attestation, not {type(value).__name__}",
                     code="MLETR-ATTESTATION-INVALID")


def _options(trust: TrustInput, profile: str, attestation: Attestation | str | PathLike[str] | None,
             registry: str | RegistryLike | None, at: str | None, limits: Limits | None) -> AssessOptions:
    from .mletr.assessor import AssessOptions

    if at is not None and not isinstance(at, str):
        at = at.isoformat() if hasattr(at, "isoformat") else at
    store, issuers = _trust(trust)
    options = AssessOptions(store, profile, _attestation(attestation), registry, at, limits=limits or Limits(),
                            issuers=issuers)
    options.check()
    if options.at is None:  # one time for every input of the call
        from dataclasses import replace
        from datetime import UTC, datetime

        from .transfer.model import format_datetime

        options = replace(options, at=format_datetime(datetime.now(UTC)))
    return options


def _assess_one(item: Input, options: AssessOptions, name: str | None) -> Assessment:
    from .mletr.assessor import assess_bytes, assess_source

    if isinstance(item, Mapping):
        from .load import LoadError, check_json_value

        try:
            check_json_value(item if isinstance(item, dict) else dict(item), options.limits)
        except LoadError as exc:
            from .mletr.assessor import _unreadable

            return _unreadable(name or "<object>", options.moment(), options, exc.finding)
        return assess_bytes(json.dumps(item, ensure_ascii=False).encode(), name or "<object>", options)
    if isinstance(item, bytes | bytearray):
        return assess_bytes(bytes(item), name or "<bytes>", options)
    if not isinstance(item, str | PathLike):
        raise UsageError(f"an input is a path, bytes or a parsed JSON object, not {type(item).__name__}",
                         code="MLETR-USAGE")
    return assess_source(Source.of_path(name or str(item), Path(item)), options)


def assess(item: Input, trust: TrustInput = None, *, profile: str = "mletr",
           attestation: Attestation | str | PathLike[str] | None = None, registry: str | RegistryLike | None = None,
           at: str | None = None, limits: Limits | None = None, name: str | None = None) -> Assessment:
    """Assess one input against the MLETR requirements of ``profile``.

    ``item``: a path, raw bytes or a parsed JSON mapping: a DCSA PINT envelope, a DCSA transport
    document, or any document etr recognises (a certificate is classified as not transferable).
    ``trust``: a :class:`~etr.TrustStore` or paths (none: a chain's signatures are not verified and its
    rows are NOT_EVALUABLE). ``profile``: ``mletr`` (default), ``uk-etda-2023``, ``sg-eta-2021``.
    ``attestation``: the platform's attestation file (TOML or JSON, ``schemas/mletr/``) or a parsed one.
    ``registry``: a registry URL for ``etr.registry.open`` or an object with ``compare(result)``.
    ``at``: the assessment time (RFC 3339; default now).

    Returns an :class:`~etr.mletr.result.Assessment` (``kind == "assessment"``): ``rows`` (one per
    requirement: outcome, reason, evidence, basis), ``outcome`` (the worst row), ``findings``
    (``MLETR-…`` per FAIL and WARN row). Problems with the input are rows and findings, never exceptions.

    Raises:
        UsageError: an unknown profile (``MLETR-PROFILE``), an unreadable or invalid attestation
            (``MLETR-ATTESTATION-UNREADABLE`` / ``-INVALID``), a registry URL without ``etr.registry``
            (``MLETR-REGISTRY-UNAVAILABLE``), a bad ``at``.
        KeyFileError: trust material that cannot be read.
    """
    return _assess_one(item, _options(trust, profile, attestation, registry, at, limits), name)


def iter_assess(items: Iterable[Input], trust: TrustInput = None, *, profile: str = "mletr",
                attestation: Attestation | str | PathLike[str] | None = None,
                registry: str | RegistryLike | None = None, at: str | None = None, limits: Limits | None = None,
                ) -> Iterator[Assessment]:
    """Assess many inputs lazily, one assessment per input, in input order (keywords as :func:`assess`).

    Raises:
        TypeError: ``items`` is one input instead of an iterable of them.
        UsageError, KeyFileError: as :func:`assess`, when called.
    """
    if isinstance(items, str | bytes | bytearray | PathLike | Mapping):
        raise TypeError(f"iter_assess takes an iterable of inputs, not one {type(items).__name__}: "
                        "pass a list, or call assess(item)")
    options = _options(trust, profile, attestation, registry, at, limits)
    return _iter(items, options)


def _iter(items: Iterable[Input], options: AssessOptions) -> Iterator[Assessment]:
    from .mletr.assessor import assess_source

    for item in items:
        if isinstance(item, str | PathLike):
            for source in expand_inputs([str(item)]):
                yield assess_source(source, options)
        else:
            yield _assess_one(item, options, None)


def assess_or_raise(item: Input, trust: TrustInput = None, **kwargs: Any) -> Assessment:
    """Like :func:`assess`, but raise when a requirement FAILs.

    Raises:
        AssessmentFailed: a row is FAIL; ``.assessment`` holds the result, ``.code`` the first failing
            requirement's ``MLETR-…`` code.
        UsageError, KeyFileError: as :func:`assess`.
    """
    result = assess(item, trust, **kwargs)
    if result.outcome is Outcome.FAIL:
        first = next((f for f in result.findings if f.severity is Severity.ERROR), None)
        failed = [r.id for r in result.rows if r.outcome is Outcome.FAIL]
        raise AssessmentFailed(result, f"{result.source}: FAIL: {', '.join(failed) or first.code if first else ''}",
                               code=first.code if first else None)
    return result
