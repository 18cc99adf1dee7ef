"""The validation driver: input -> load -> detect -> check -> :class:`Report`.

Three doors, as in jsonschema: :func:`validate` returns a report,
:func:`iter_validate` streams reports for many inputs (in input order), and
:func:`validate_or_raise` raises :class:`~etr.errors.ValidationFailed`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

from . import families
from .errors import UsageError, ValidationFailed
from .families import Family, Match, detect, get_family
from .load import Document, Limits, LoadError, Source, check_json_value, expand_inputs, load_bytes
from .model import Finding, Location, Report, Severity

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
        candidates = ([get_family(self.family)] if self.family is not None
                      else [get_family(e.name) for e in families.REGISTRY])
        if not any(self.version in fam.versions for fam in candidates):
            known = sorted({v for fam in candidates for v in fam.versions})
            raise UsageError(f"no version {self.version!r} of {' or '.join(f.name for f in candidates)}",
                             code="ETR-UNKNOWN-VERSION", hint=f"choose one of: {', '.join(known)}")


def validate_document(document: Document, options: Options | None = None) -> Report:
    """Check an already loaded document: detect its family (unless ``options.family``), choose the
    version, run the family's checks. A PDF's embedded documents are checked each in turn; their
    findings carry the attachment's name in their location, and the report names the family,
    version and profile of the first one recognised.

    Raises:
        UsageError: ``options.version`` is not a version of the family found (``ETR-UNKNOWN-VERSION``),
            or ``options.family`` does not exist.
    """
    options = options or Options()
    if document.syntax == "pdf":
        return _validate_container(document, options)
    family, version, profile, findings = _check(document, options)
    return Report(document.source, family, version, findings, profile)


#: What :func:`_check` found: family, version, profile (each ``None`` when not recognised) and the findings.
_Checked = tuple[str | None, str | None, str | None, tuple[Finding, ...]]
_NO_FINDINGS: tuple[Finding, ...] = ()


def _check(document: Document, options: Options) -> _Checked:
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
        return None, None, None, (*document.findings, finding)
    version, notes = _version(family, match, options.version)
    findings = [*document.findings, *notes] if document.findings or notes else []
    reported = version
    declared = match.version if match is not None else None
    if options.version is None and declared is not None and declared not in family.versions \
            and not getattr(family, "unknown_version_uses_default", True):
        reported = declared  # no version's schema was applied: the report names the one declared
    try:
        findings.extend(family.check(document, version))
    except Exception as exc:  # a bug must not sink a whole batch; -v shows the traceback
        log.info("internal error while checking %s", document.source, exc_info=True)
        findings.append(Finding("ETR-INTERNAL", Severity.ERROR,
                                f"internal error while checking ({type(exc).__name__}); please report it",
                                reference="etr"))
    return family.name, reported, match.profile if match else None, tuple(findings)


def _version(family: Family, match: Match | None, explicit: str | None) -> tuple[str, tuple[Finding, ...]]:
    """The version to check against, and what to say about the choice.

    An explicit version wins, and must be one of the family's (never silently replaced);
    else the version the document declares, when the family knows it; else the family's
    default (saying so when the document declared a version etr does not know).
    """
    declared = match.version if match is not None else None
    if explicit is not None:
        if explicit not in family.versions:
            raise UsageError(f"{family.name} has no version {explicit!r}", code="ETR-UNKNOWN-VERSION",
                             hint=f"choose one of: {', '.join(family.versions)}")
        if declared is not None and declared != explicit:
            return explicit, (Finding("DETECT-VERSION-OVERRIDDEN", Severity.INFO,
                                      f"the document declares {family.name} {declared}; validated against "
                                      f"{explicit} as asked", reference="etr family detection",
                                      detail={"declared": declared}),)
        return explicit, _NO_FINDINGS
    if declared is None:
        return family.default_version, _NO_FINDINGS
    if declared in family.versions:
        return declared, _NO_FINDINGS
    # A family whose versions differ too much to check one against another's schema
    # (``unknown_version_uses_default = False``) reports the unknown version and what it checked
    # itself: one message, not a second, vaguer one from here.
    if not getattr(family, "unknown_version_uses_default", True):
        return family.default_version, _NO_FINDINGS
    return family.default_version, (Finding(
        "DETECT-VERSION-UNKNOWN", Severity.WARNING,
        f"the document declares {family.name} {declared}, a version etr does not know; "
        f"validated against {family.default_version}", reference="etr family detection",
        detail={"declared": declared}),)


def _validate_container(document: Document, options: Options) -> Report:
    findings = list(document.findings)
    first: _Checked | None = None
    recognised = {id(d) for d in document.inner if options.family or detect(d) is not None}
    for inner in document.inner:
        name = inner.attachment or inner.source  # the loader always names an embedded document
        if recognised and id(inner) not in recognised:
            # Another family's document is there: this one is an extra attachment, not the data.
            findings.append(Finding("LOAD-PDF-ATTACHMENT-SKIPPED", Severity.INFO,
                                    f"embedded file {name!r} not validated: not a document of any known family",
                                    Location(attachment=name), reference="etr family detection"))
            continue
        checked = _check(inner, options)
        findings.extend(_in_attachment(f, name) for f in checked[3])
        if first is None and checked[0] is not None:
            first = checked
    if first is None:
        return Report(document.source, None, None, tuple(findings))
    family, version, profile, _ = first
    return Report(document.source, family, version, tuple(findings), profile)


def _in_attachment(finding: Finding, name: str) -> Finding:
    location = finding.location or Location()
    return finding if location.attachment == name else replace(finding, location=replace(location, attachment=name))


def _load(item: Input, options: Options, name: str | None) -> Document:
    if isinstance(item, Mapping):
        # Held to what the JSON reader would give (a date or a set would reach the rules otherwise).
        value = item if isinstance(item, dict) else dict(item)
        check_json_value(value, options.limits)
        return Document(name or "<object>", "json", value, b"")
    if isinstance(item, bytes | bytearray):
        return load_bytes(bytes(item), name or "<bytes>", options.limits)
    source = Source.of_path(name or str(item), Path(item))
    return load_bytes(source.read(options.limits), source.name, options.limits)


def validate(item: Input, *, family: str | None = None, version: str | None = None, limits: Limits | None = None,
             name: str | None = None) -> Report:
    """Validate one document given as a path, raw bytes or an already parsed JSON mapping.

    Problems with the document, including unreadable or hostile input, are
    findings in the report, never exceptions.

    Raises:
        UsageError: ``family`` or ``version`` does not exist, or ``version`` is not a version of
            the family the document belongs to (``ETR-UNKNOWN-VERSION``; never replaced by a default).
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
    """Validate one :class:`~etr.load.Source` (used by the CLI and worker processes). A source that
    is missing, unreadable or too large gives a report with its ``LOAD-…`` finding.

    Raises:
        UsageError: as :func:`validate_document`.
    """
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
        TypeError: ``items`` is one input (a path, bytes, a mapping) instead of an iterable of them:
            a string would otherwise be validated character by character.
        UsageError: ``family`` or ``version`` does not exist (before any input is read), or
            ``version`` is not a version of the family an input belongs to (when that input is reached).
    """
    if isinstance(items, str | bytes | bytearray | PathLike | Mapping):
        raise TypeError(f"iter_validate takes an iterable of inputs, not one {type(items).__name__}: "
                        f"pass a list, e.g. iter_validate([item]), or call validate(item)")
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
