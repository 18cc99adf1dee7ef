"""The validation driver: input -> load -> detect -> check -> :class:`Report`.

Three doors, as in jsonschema: :func:`validate` returns a report,
:func:`iter_validate` streams reports for many inputs (in input order), and
:func:`validate_or_raise` raises :class:`~etr.errors.ValidationFailed`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

from .errors import UsageError, ValidationFailed
from .families import FAMILY_NAMES, Family, Match, detect, get_family
from .load import Document, Limits, LoadError, Source, expand_inputs, load_bytes
from .model import Finding, Report, Severity

log = logging.getLogger("etr")

Input = str | PathLike[str] | bytes | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Options:
    """What to validate against. ``family``/``version`` ``None`` mean detect / the family's default."""

    family: str | None = None
    version: str | None = None
    limits: Limits = field(default_factory=Limits)

    def check(self) -> None:
        """Fail early on a family or version that does not exist.

        Raises:
            UsageError: unknown family, or a version the family does not know.
        """
        if self.version is None:
            if self.family is not None:
                get_family(self.family)
            return
        families = [get_family(self.family)] if self.family is not None else [get_family(n) for n in FAMILY_NAMES]
        if not any(self.version in fam.versions for fam in families):
            known = sorted({v for fam in families for v in fam.versions})
            raise UsageError(f"no version {self.version!r} of {' or '.join(f.name for f in families)}",
                             code="ETR-UNKNOWN-VERSION", hint=f"choose one of: {', '.join(known)}")


def validate_document(document: Document, options: Options | None = None) -> Report:
    """Check an already loaded document."""
    options = options or Options()
    family: Family | None
    match: Match | None
    if options.family:
        family = get_family(options.family)
        match = family.detect(document)
    else:
        found = detect(document)
        family, match = found if found is not None else (None, None)
    if family is None:
        finding = Finding("DETECT-UNKNOWN", Severity.ERROR,
                          "not a document of any known family; use --family to force one",
                          reference="etr family detection")
        return Report(document.source, None, None, (*document.findings, finding))
    version = options.version if options.version in family.versions else family.default_version
    findings = list(document.findings)
    try:
        findings.extend(family.check(document, version))
    except Exception as exc:  # a bug must not sink a whole batch; -v shows the traceback
        log.info("internal error while checking %s", document.source, exc_info=True)  # -v shows it
        findings.append(Finding("ETR-INTERNAL", Severity.ERROR,
                                f"internal error while checking ({type(exc).__name__}); please report it",
                                reference="etr"))
    return Report(document.source, family.name, version, tuple(findings), match.profile if match else None)


def _load(item: Input, options: Options, name: str | None) -> Document:
    if isinstance(item, Mapping):
        return Document(name or "<object>", "json", item, b"")
    if isinstance(item, bytes | bytearray):
        return load_bytes(bytes(item), name or "<bytes>", options.limits)
    path = Path(item)
    source = Source(name or str(item), path, missing=not path.exists())
    return load_bytes(source.read(options.limits), source.name, options.limits)


def validate(item: Input, *, family: str | None = None, version: str | None = None, limits: Limits | None = None,
             name: str | None = None) -> Report:
    """Validate one document given as a path, raw bytes or an already parsed JSON mapping.

    Problems with the document, including unreadable or hostile input, are
    findings in the report, never exceptions.

    Raises:
        UsageError: ``family`` or ``version`` does not exist.
    """
    options = Options(family, version, limits or Limits())
    options.check()
    return _validate_one(item, options, name)


def _validate_one(item: Input, options: Options, name: str | None = None) -> Report:
    try:
        document = _load(item, options, name)
    except LoadError as exc:
        source = name or (str(item) if isinstance(item, str | PathLike) else "<bytes>")
        return Report(source, None, None, (exc.finding,))
    return validate_document(document, options)


def validate_source(source: Source, options: Options, stdin: BinaryIO | None = None) -> Report:
    """Validate one :class:`~etr.load.Source` (used by the CLI and worker processes)."""
    try:
        document = load_bytes(source.read(options.limits, stdin), source.name, options.limits)
    except LoadError as exc:
        return Report(source.name, None, None, (exc.finding,))
    return validate_document(document, options)


def iter_validate(items: Iterable[Input], *, family: str | None = None, version: str | None = None,
                  limits: Limits | None = None) -> Iterator[Report]:
    """Validate many documents lazily, one report per input, in input order.

    Strings and paths naming directories or globs are expanded as the CLI does.

    Raises:
        UsageError: ``family`` or ``version`` does not exist.
    """
    options = Options(family, version, limits or Limits())
    options.check()
    for item in items:
        if isinstance(item, str | PathLike):
            for source in expand_inputs([str(item)]):
                yield validate_source(source, options)
        else:
            yield _validate_one(item, options)


def validate_or_raise(item: Input, **kwargs: Any) -> Report:
    """Like :func:`validate`, but raise when the report has an error finding.

    Raises:
        ValidationFailed: the report is not valid; ``.report`` holds it.
        UsageError: as :func:`validate`.
    """
    report = validate(item, **kwargs)
    if not report.valid:
        first = next(f for f in report.findings if f.severity is Severity.ERROR)
        raise ValidationFailed(report, f"{report.source}: {first.code}: {first.message}")
    return report
