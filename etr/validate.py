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
from .families import Family, Match, detect, family_syntaxes, get_family
from .load import Document, Limits, LoadError, Source, check_json_value, expand_inputs, load_bytes
from .model import Finding, Location, Report, Severity

log = logging.getLogger("etr")

Input = str | PathLike[str] | bytes | Mapping[str, Any]


#: The rule engines ``engine=`` / ``--engine`` can name: etr's own, or the standard's official artefacts
#: (EN 16931: the official XSLT run by SaxonC-HE, the ``official`` extra).
ENGINES = ("native", "official")


@dataclass(frozen=True, slots=True)
class Options:
    """What to validate against. ``family``/``version`` ``None`` mean detect / the family's default.

    ``version`` is a version (``3.0.2``), or ``FAMILY=VERSION`` (``dcsa-ebl=3.0.2``): then it applies to
    that family's documents only, and the others are validated against their own (a mixed batch).
    ``engine`` applies to the families that have more than one (EN 16931); the others have only
    their native rules.
    """

    family: str | None = None
    version: str | None = None
    limits: Limits = field(default_factory=Limits)
    engine: str = "native"

    @property
    def version_family(self) -> str | None:
        """The family named by a ``FAMILY=VERSION`` version, else ``None``."""
        return self.version.partition("=")[0] if self.version and "=" in self.version else None

    def version_for(self, family: str) -> str | None:
        """The explicit version that applies to ``family``'s documents (``None``: declared or default)."""
        scoped = self.version_family
        if scoped is None:
            return self.version
        return self.version.partition("=")[2] if scoped == family and self.version else None

    def check(self) -> None:
        """Fail early on a family, version or engine that does not exist or cannot run.

        Raises:
            UsageError: unknown family (``ETR-UNKNOWN-FAMILY``), a version the family does not know
                (``ETR-UNKNOWN-VERSION``), an unknown engine (``ETR-UNKNOWN-ENGINE``), or the official
                engine without its extra installed (``ETR-ENGINE-UNAVAILABLE``).
        """
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}", code="ETR-UNKNOWN-ENGINE",
                             hint=f"choose one of: {', '.join(ENGINES)}")
        if self.engine == "official":
            from .families.en16931.official import require

            require()
        if self.version is None:
            if self.family is not None:
                get_family(self.family)
            return
        scoped = self.version_family
        if scoped is not None:
            if self.family is not None and self.family != scoped:
                raise UsageError(f"--schema-version names {scoped} but --family is {self.family}",
                                 code="ETR-UNKNOWN-VERSION", hint=f"write {self.family}=VERSION or a bare VERSION")
            fam = get_family(scoped)
            version = self.version.partition("=")[2]
            if version not in fam.versions:
                raise UsageError(f"no version {version!r} of {fam.name}", code="ETR-UNKNOWN-VERSION",
                                 hint=f"choose one of: {', '.join(fam.versions)}")
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
    family, version, profile, findings, detail = _check(document, options)
    return Report(document.source, family, version, findings, profile, detail)


#: What :func:`_check` found: family, version, profile (each ``None`` when not recognised), the findings,
#: and what the family read off the document (``Report.detail``).
_Checked = tuple[str | None, str | None, str | None, tuple[Finding, ...], Mapping[str, str] | None]
_NO_FINDINGS: tuple[Finding, ...] = ()


def _check(document: Document, options: Options) -> _Checked:
    family: Family | None
    match: Match | None
    if options.family:
        family = get_family(options.family)
        readable = family_syntaxes(family.name)
        if document.syntax not in readable:  # its rules would be handed a tree they cannot read
            finding = Finding("DETECT-WRONG-SYNTAX", Severity.ERROR,
                              f"--family {family.name} reads {' or '.join(sorted(s.upper() for s in readable))} "
                              f"documents; this input is {document.syntax.upper()}", reference="etr family detection")
            return family.name, None, None, (*document.findings, finding), None
        match = family.detect(document)
    else:
        found = detect(document)
        family, match = found if found is not None else (None, None)
    if family is None:
        finding = Finding("DETECT-UNKNOWN", Severity.ERROR,
                          "not a document of any known family; use --family to force one",
                          reference="etr family detection")
        return None, None, None, (*document.findings, finding), None
    version, notes = _version(family, match, options.version_for(family.name))
    findings = [*document.findings, *notes] if document.findings or notes else []
    reported = version
    declared = match.version if match is not None else None
    if options.version_for(family.name) is None and declared is not None and declared not in family.versions \
            and not getattr(family, "unknown_version_uses_default", True):
        reported = declared  # no version's schema was applied: the report names the one declared
    engines: tuple[str, ...] = getattr(family, "engines", ("native",))
    detail = dict(match.detail) if match is not None and match.detail else None
    if len(engines) > 1:
        detail = {**(detail or {}), "engine": options.engine}
    try:
        if len(engines) > 1:
            findings.extend(family.check(document, version, engine=options.engine))  # type: ignore[call-arg]
        else:
            findings.extend(family.check(document, version))
    except Exception as exc:  # a bug must not sink a whole batch; -v shows the traceback
        log.info("internal error while checking %s", document.source, exc_info=True)
        findings.append(Finding("ETR-INTERNAL", Severity.ERROR,
                                f"internal error while checking ({type(exc).__name__}); please report it",
                                reference="etr"))
    return family.name, reported, match.profile if match else None, tuple(findings), detail


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
    first_inner: Document | None = None
    if options.family:  # a forced family reads the attachments of its syntax (all, when none is)
        readable = family_syntaxes(options.family)
        recognised = {id(d) for d in document.inner if d.syntax in readable}
        why = f"--family {options.family} does not read {{syntax}}"
    else:
        recognised = {id(d) for d in document.inner if detect(d) is not None}
        why = "not a document of any known family"
    for inner in document.inner:
        name = inner.attachment or inner.source  # the loader always names an embedded document
        if recognised and id(inner) not in recognised:
            # Another document is there: this one is an extra attachment, not the data.
            findings.append(Finding("LOAD-PDF-ATTACHMENT-SKIPPED", Severity.INFO,
                                    f"embedded file {name!r} not validated: "
                                    f"{why.format(syntax=inner.syntax.upper())}",
                                    Location(attachment=name), reference="etr family detection"))
            continue
        checked = _check(inner, options)
        findings.extend(_in_attachment(f, name) for f in checked[3])
        # The report is labelled with the document the container carries: the first whose family checks
        # containers (a Factur-X invoice beside a bl.json), else the first recognised.
        if checked[0] is not None and (first is None or (_checks_containers(checked[0])
                                                          and not _checks_containers(first[0]))):
            first, first_inner = checked, inner
    if first is None or first_inner is None:
        return Report(document.source, None, None, tuple(findings))
    family, version, profile, _, detail = first
    if detail is not None:
        detail = {**detail, "attachment": first_inner.attachment or first_inner.source}
    # A family may check how the container carries its document (Factur-X: XMP level, file name).
    container_check = getattr(get_family(family or ""), "check_container", None)
    if container_check is not None:
        try:
            findings.extend(container_check(document, first_inner))
        except Exception as exc:  # as in _check: a bug must not sink a whole batch
            log.info("internal error while checking the container %s", document.source, exc_info=True)
            findings.append(Finding("ETR-INTERNAL", Severity.ERROR,
                                    f"internal error while checking ({type(exc).__name__}); please report it",
                                    reference="etr"))
    return Report(document.source, family, version, tuple(findings), profile, detail)


def _checks_containers(family: str | None) -> bool:
    return family is not None and getattr(get_family(family), "check_container", None) is not None


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
             name: str | None = None, engine: str = "native") -> Report:
    """Validate one document given as a path, raw bytes or an already parsed JSON mapping.

    Problems with the document, including unreadable or hostile input, are
    findings in the report, never exceptions. ``engine`` (``"native"`` or ``"official"``) picks
    the rule engine of families that have two (EN 16931: ``official`` runs the official XSLT
    through saxonche, the ``etr[official]`` extra); ``version`` may be ``FAMILY=VERSION``.

    Raises:
        UsageError: ``family``, ``version`` or ``engine`` does not exist, ``engine="official"``
            without saxonche (``ETR-ENGINE-UNAVAILABLE``), or ``version`` is not a version of
            the family the document belongs to (``ETR-UNKNOWN-VERSION``; never replaced by a default).
    """
    options = Options(family, version, limits or Limits(), engine)
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

    In a batch, an input whose family does not know a bare ``options.version`` gets a report with
    ``DETECT-VERSION-MISMATCH`` (an error: it was not validated against what was asked) instead of
    ending the run; ``FAMILY=VERSION`` aims a version at one family of a mixed batch.

    Raises:
        UsageError: ``options.family`` does not exist.
    """
    try:
        document = load_bytes(source.read(options.limits, stdin), source.name, options.limits)
    except LoadError as exc:
        return Report(source.name, None, None, (exc.finding,))
    try:
        return validate_document(document, options)
    except UsageError as exc:
        if exc.code != "ETR-UNKNOWN-VERSION":
            raise
        return Report(source.name, None, None, (Finding(
            "DETECT-VERSION-MISMATCH", Severity.ERROR,
            f"not validated: {exc} (asked with --schema-version {options.version}); aim the version at one "
            f"family with FAMILY=VERSION", reference="etr family detection",
            detail={"hint": exc.hint or ""}),))


def iter_validate(items: Iterable[Input], *, family: str | None = None, version: str | None = None,
                  limits: Limits | None = None, engine: str = "native") -> Iterator[Report]:
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
    options = Options(family, version, limits or Limits(), engine)
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
