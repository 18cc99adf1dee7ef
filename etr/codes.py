"""The finding-code catalogue: every code etr can emit, what it means, and where the rule comes from.

The catalogue is data, one TOML file per family (or area) under ``etr/catalogue/``,
shipped inside the wheel and read with the standard library's ``tomllib``::

    family = "dcsa-pint"                        # the name `etr codes --family` takes
    title = "DCSA PINT 3.0 envelopes …"         # one line
    prefixes = ["PINT"]                         # every code of the file starts with one of these

    [PINT-CHAIN-FORK]                           # the code: one table per code
    severity = "error"                          # as a finding: "error" | "warning" | "info",
                                                # or a list when it depends (usual one first)
    response = "DISE"                           # the PINT responseCode, where one applies
    title = "Two entries follow the same entry: the chain forks"
    reference = "DCSA PINT 3.0 §2.9 step 3 (hash links); DISE"
    note = "…"                                  # optional: when the severity changes, what else to know

A code that etr only ever *raises* (an :class:`~etr.errors.EtrError`, never a
finding) has ``raised = "usage"`` (or ``"environment"``, ``"document"``, or a
list) instead of ``severity``: who is at fault, as :mod:`etr.errors` groups them.
A finding code may also be raised with the same meaning (``…_or_raise``, a
refused signing, a loading error), so ``raised`` is given only for codes that
are never findings.

``tests/_code_recorder.py`` proves the catalogue right during the test suite:
every code the tests make etr emit is catalogued, with the severity and fault
group catalogued, and every catalogued code is emitted by some test;
``tests/unit/test_codes.py`` proves every code written in the source is
catalogued.
"""

from __future__ import annotations

import enum
import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .errors import EnvironmentProblem, UsageError
from .model import Severity

__all__ = [
    "CATALOGUE_FORMAT",
    "CATALOGUE_FORMAT_VERSION",
    "RESPONSE_CODES",
    "CodeInfo",
    "FamilyInfo",
    "Fault",
    "catalogue",
    "families",
    "family_info",
    "lookup",
    "parse_file",
    "select",
    "text_lines",
    "to_document",
]

#: ``format`` and ``formatVersion`` of the JSON document ``etr codes --format json`` prints.
CATALOGUE_FORMAT = "etr-codes"
CATALOGUE_FORMAT_VERSION = "1.0"
#: The PINT response codes a receiving platform answers with (DCSA PINT 3.0 §2.10), RECE and DUPE aside.
RESPONSE_CODES = frozenset({"BSIG", "BENV", "DISE", "INCD", "MDOC"})

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
_PREFIX = re.compile(r"[A-Z][A-Z0-9]*")
_FAMILY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_FILE_KEYS = frozenset({"family", "title", "prefixes"})
_ENTRY_KEYS = frozenset({"severity", "raised", "response", "title", "reference", "note"})


class Fault(enum.StrEnum):
    """Who is at fault when a code is raised as an error (the groups of :mod:`etr.errors`)."""

    DOCUMENT = "document"
    ENVIRONMENT = "environment"
    USAGE = "usage"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One catalogued code.

    ``severities`` are the severities the code is reported with as a finding,
    the usual one first (more than one when it depends, e.g. on the PINT
    verification mode; ``note`` says when); empty for a code that is only
    raised. ``raised`` are the fault groups of a code that is only raised.
    ``response_code`` is the PINT response (BSIG, BENV, DISE, INCD, MDOC) a
    receiving platform answers for it, where one applies. ``reference`` names
    the clause of the standard or the etr rule.
    """

    code: str
    family: str
    title: str
    reference: str
    severities: tuple[Severity, ...] = ()
    raised: tuple[Fault, ...] = ()
    response_code: str | None = None
    note: str | None = None

    @property
    def severity(self) -> Severity | None:
        """The usual severity as a finding, or ``None`` for a code that is only raised."""
        return self.severities[0] if self.severities else None

    @property
    def kind(self) -> str:
        """``"finding"`` or ``"error"`` (only raised)."""
        return "finding" if self.severities else "error"

    def status(self) -> str:
        """``error``, ``error/warning`` or ``raised: usage`` — the text column of ``etr codes``."""
        if self.severities:
            return "/".join(s.value for s in self.severities)
        return "raised: " + "/".join(f.value for f in self.raised)

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON: code, family, kind, severity, severities, raised, responseCode, title,
        reference, and note when there is one."""
        out: dict[str, Any] = {
            "code": self.code,
            "family": self.family,
            "kind": self.kind,
            "severity": self.severity.value if self.severity else None,
            "severities": [s.value for s in self.severities],
            "raised": [f.value for f in self.raised],
            "responseCode": self.response_code,
            "title": self.title,
            "reference": self.reference,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """One catalogue file: a family (``dcsa-pint``) or an area (``load``, ``crypto``) and its code prefixes."""

    name: str
    title: str
    prefixes: tuple[str, ...]


class _Invalid(Exception):
    """A catalogue file breaks the format (the message says where)."""


def _catalogue_files() -> list[tuple[str, str]]:
    """(file name, text) of every ``etr/catalogue/*.toml``, sorted by name."""
    try:
        folder = resources.files("etr").joinpath("catalogue")
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
        return [(f.name, f.read_text(encoding="utf-8")) for f in files]
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(f"the code catalogue cannot be read: {exc}") from None


def _problem(message: str) -> EnvironmentProblem:
    return EnvironmentProblem(message, code="ETR-CATALOGUE-INVALID",
                              hint="reinstall etr; the wheel must contain etr/catalogue/*.toml")


def _strings(value: Any, where: str, allowed: Iterable[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise _Invalid(f"{where}: expected a string or a non-empty list of strings")
    known = set(allowed)
    unknown = [i for i in items if i not in known]
    if unknown:
        raise _Invalid(f"{where}: {', '.join(map(repr, unknown))} is not one of {', '.join(sorted(known))}")
    if len(set(items)) != len(items):
        raise _Invalid(f"{where}: a value is repeated")
    return tuple(items)


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise _Invalid(f"{where}: {key!r} must be a non-empty, one-line string")
    return value


def parse_file(name: str, text: str) -> tuple[FamilyInfo, tuple[CodeInfo, ...]]:
    """One catalogue file (see the module docstring for its shape), checked strictly.

    Raises:
        EnvironmentProblem: ``ETR-CATALOGUE-INVALID``: not TOML, an unknown or missing key, a
            code outside the file's prefixes, a severity or fault that does not exist, both
            ``severity`` and ``raised`` or neither, a response code PINT does not define.
    """
    try:
        return _parse(name, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise _problem(f"code catalogue {name}: not TOML: {exc}") from None
    except _Invalid as exc:
        raise _problem(f"code catalogue {name}: {exc}") from None


def _parse(name: str, data: dict[str, Any]) -> tuple[FamilyInfo, tuple[CodeInfo, ...]]:
    meta = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if set(meta) != _FILE_KEYS:
        raise _Invalid(f"the file needs exactly the keys {', '.join(sorted(_FILE_KEYS))} before its codes "
                       f"(found: {', '.join(sorted(meta)) or 'none'})")
    family = meta["family"]
    if not isinstance(family, str) or not _FAMILY.fullmatch(family):
        raise _Invalid(f"family {family!r} is not a lowercase name like 'dcsa-pint'")
    title = _text(meta, "title", "title")
    assert title is not None
    prefixes = meta["prefixes"]
    if not isinstance(prefixes, list) or not prefixes \
            or not all(isinstance(p, str) and _PREFIX.fullmatch(p) for p in prefixes):
        raise _Invalid("prefixes must be a non-empty list of code prefixes like 'PINT'")
    prefixes = tuple(prefixes)
    codes: list[CodeInfo] = []
    for code, entry in data.items():
        if not isinstance(entry, dict):
            continue
        if not _CODE.fullmatch(code):
            raise _Invalid(f"[{code}] is not a code (UPPER-CASE-WITH-HYPHENS)")
        if code.split("-", 1)[0] not in prefixes:
            raise _Invalid(f"[{code}] does not start with one of the file's prefixes ({', '.join(prefixes)})")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise _Invalid(f"[{code}]: unknown key(s) {', '.join(sorted(unknown))}")
        if ("severity" in entry) == ("raised" in entry):
            raise _Invalid(f"[{code}]: give either 'severity' (a finding) or 'raised' (only raised), not "
                           + ("both" if "severity" in entry else "neither"))
        severities = tuple(Severity(s) for s in _strings(entry["severity"], f"[{code}] severity",
                                                         [s.value for s in Severity])) if "severity" in entry else ()
        raised = tuple(Fault(f) for f in _strings(entry["raised"], f"[{code}] raised",
                                                  [f.value for f in Fault])) if "raised" in entry else ()
        response = entry.get("response")
        if response is not None and response not in RESPONSE_CODES:
            raise _Invalid(f"[{code}]: response {response!r} is not one of {', '.join(sorted(RESPONSE_CODES))}")
        title_ = _text(entry, "title", f"[{code}]")
        reference = _text(entry, "reference", f"[{code}]")
        assert title_ is not None and reference is not None
        codes.append(CodeInfo(code, family, title_, reference, severities, raised, response,
                              _text(entry, "note", f"[{code}]", required=False)))
    if not codes:
        raise _Invalid("the file lists no code")
    return FamilyInfo(family, title, prefixes), tuple(codes)


@functools.cache
def _load() -> tuple[tuple[FamilyInfo, ...], tuple[CodeInfo, ...], dict[str, CodeInfo]]:
    return _build(_catalogue_files())


def _build(files: Iterable[tuple[str, str]]) -> tuple[tuple[FamilyInfo, ...], tuple[CodeInfo, ...],
                                                       dict[str, CodeInfo]]:
    """The catalogue from (file name, text) pairs: families, codes, and codes by name.

    Raises:
        EnvironmentProblem: ``ETR-CATALOGUE-INVALID``: a broken file (see :func:`parse_file`), a family
            in two files, a prefix claimed by two families, a code listed twice, or no file at all.
    """
    infos: list[FamilyInfo] = []
    codes: list[CodeInfo] = []
    for name, text in files:
        info, entries = parse_file(name, text)
        infos.append(info)
        codes.extend(entries)
    if len({info.name for info in infos}) != len(infos):
        raise _problem("code catalogue: a family is in two files")
    owners: dict[str, str] = {}
    for info in infos:
        for prefix in info.prefixes:
            if prefix in owners:
                raise _problem(f"code catalogue: prefix {prefix} belongs to {owners[prefix]} and {info.name}")
            owners[prefix] = info.name
    by_code: dict[str, CodeInfo] = {}
    for entry in codes:
        if entry.code in by_code:  # two files (tomllib refuses a table twice in one file)
            raise _problem(f"code catalogue: {entry.code} is listed twice")
        by_code[entry.code] = entry
    if not codes:
        raise _problem("the code catalogue is empty")
    return tuple(infos), tuple(codes), by_code


def catalogue() -> tuple[CodeInfo, ...]:
    """Every catalogued code, file by file (families in name order), in the order each file lists them.

    Read once per process. Raises:
        EnvironmentProblem: ``ETR-CATALOGUE-INVALID`` when a packaged catalogue file is missing or broken.
    """
    return _load()[1]


def lookup(code: str) -> CodeInfo | None:
    """The catalogue entry of ``code``, or ``None`` when etr does not emit it. Raises like :func:`catalogue`."""
    return _load()[2].get(code)


def families() -> tuple[str, ...]:
    """The catalogue's family (and area) names, e.g. ``("crypto", "dcsa-ebl", "dcsa-pint", "etr", "load")``."""
    return tuple(info.name for info in _load()[0])


def family_info(name: str) -> FamilyInfo:
    """The title and code prefixes of the catalogue family ``name``.

    Raises:
        UsageError: ``ETR-UNKNOWN-FAMILY``: the catalogue has no such family.
    """
    for info in _load()[0]:
        if info.name == name:
            return info
    raise UsageError(f"the code catalogue has no family {name!r}", code="ETR-UNKNOWN-FAMILY",
                     hint=f"choose one of: {', '.join(families())}")


def select(family: str | None = None, codes: Iterable[str] = ()) -> tuple[CodeInfo, ...]:
    """The catalogue, narrowed to one ``family`` and/or to the given ``codes`` (in catalogue order; codes
    are upper case, so ``pint-chain-fork`` finds ``PINT-CHAIN-FORK``).

    Raises:
        UsageError: ``ETR-UNKNOWN-FAMILY`` (no such family) or ``ETR-UNKNOWN-CODE`` (a code
            the catalogue does not list).
    """
    chosen = catalogue()
    if family is not None:
        family_info(family)
        chosen = tuple(c for c in chosen if c.family == family)
    wanted = list(dict.fromkeys(c.upper() for c in codes))
    if wanted:
        unknown = [c for c in wanted if lookup(c) is None]
        if unknown:
            raise UsageError(f"etr does not emit {', '.join(unknown)}", code="ETR-UNKNOWN-CODE",
                             hint="`etr codes` lists every code")
        keep = set(wanted)
        chosen = tuple(c for c in chosen if c.code in keep)
    return chosen


def to_document(codes: Iterable[CodeInfo], *, etr_version: str) -> dict[str, Any]:
    """The JSON document of ``etr codes --format json``: ``format`` (``etr-codes``), ``formatVersion``,
    ``etrVersion``, ``families`` (name, title, prefixes of those listed) and ``codes``."""
    listed = tuple(codes)
    names = {c.family for c in listed}
    return {
        "format": CATALOGUE_FORMAT,
        "formatVersion": CATALOGUE_FORMAT_VERSION,
        "etrVersion": etr_version,
        "families": [{"name": f.name, "title": f.title, "prefixes": list(f.prefixes)}
                     for f in _load()[0] if f.name in names],
        "codes": [c.to_dict() for c in listed],
    }


def text_lines(codes: Iterable[CodeInfo]) -> Iterator[str]:
    """One line per code: code, severity (or ``raised: <fault>``), PINT response code if any, title,
    and the reference in brackets; columns aligned."""
    listed = tuple(codes)
    if not listed:
        return
    width = max(len(c.code) for c in listed)
    status = max(len(c.status()) for c in listed)
    response = 4 if any(c.response_code for c in listed) else 0
    for c in listed:
        cells = [c.code.ljust(width), c.status().ljust(status)]
        if response:
            cells.append((c.response_code or "").ljust(response))
        cells.append(f"{c.title} [{c.reference}]")
        yield "  ".join(cells)
