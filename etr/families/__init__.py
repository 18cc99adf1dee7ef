"""Document families: each knows how to recognise its documents and check them.

A family is any object with the attributes and methods of :class:`Family`. The
registry below (:data:`REGISTRY`, a table: a new family adds one line) maps a
family name to where it lives and to the syntaxes it reads, so that only the
families that can match a document are imported (and their schemas compiled).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..errors import UsageError
from ..load import Document, Syntax
from ..model import Finding


@dataclass(frozen=True, slots=True)
class Match:
    """What :meth:`Family.detect` found: the document is this family's.

    ``version`` is the version the document declares (a UBL ``CustomizationID``'s
    version, a JSON-LD ``@context`` version), or ``None`` when it declares none
    (the family's default is then used). ``profile`` is a finer profile or
    customization (EN 16931 CIUS, Factur-X level), when the family has one.
    ``evidence`` says in a few words what was recognised (for ``-v`` and reports).
    ``detail`` is what the family read off the document for the report (:attr:`etr.model.Report.detail`).
    """

    family: str
    version: str | None = None
    profile: str | None = None
    evidence: str = ""
    detail: Mapping[str, str] | None = None


class Family(Protocol):
    """What the validation driver needs from a document family.

    Families are listed in :data:`REGISTRY` (data: a new family adds one line).
    ``versions`` are in order, oldest first (rules state theirs as ranges over them).
    A family may set ``unknown_version_uses_default = False`` when a document of a version it does
    not know is not checked against its default version's schema: the family then reports the
    unknown version itself (the driver adds no ``DETECT-VERSION-UNKNOWN``), ``check`` still gets the
    default version, and the report names the version the document declares. By default the
    document is checked against the default version and the driver says so.

    Two more optional members, looked up with ``getattr`` by the driver (:mod:`etr.validate`):
    ``engines`` (a tuple of rule-engine names, first the default; then ``check`` takes an
    ``engine=`` keyword, and the report's ``detail["engine"]`` says which ran), and
    ``check_container(container, document)`` (findings about how a PDF carries the family's
    document, e.g. Factur-X's XMP metadata).
    """

    name: str
    title: str
    versions: tuple[str, ...]
    default_version: str
    schema_files: tuple[str, ...]

    def detect(self, document: Document) -> Match | None:
        """A :class:`Match` when ``document`` (already parsed) belongs to this family, else ``None``;
        must be cheap and must never raise."""
        ...

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        """Findings for ``document`` under ``version`` (one of :attr:`versions`): schema first,
        then business rules."""
        ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the family registry."""

    name: str
    #: Where the family object lives: ``"module:attribute"`` (imported when first needed).
    target: str
    #: The document syntaxes the family can recognise; detection asks it about no other.
    syntaxes: frozenset[Syntax]


_JSON: frozenset[Syntax] = frozenset({"json"})
_XML_PDF: frozenset[Syntax] = frozenset({"xml", "pdf"})
_XML: frozenset[Syntax] = frozenset({"xml"})
_JSON_XML: frozenset[Syntax] = frozenset({"json", "xml"})

#: Every family, in detection order (the first whose ``detect`` matches wins).
REGISTRY: tuple[Entry, ...] = (
    Entry("dcsa-ebl", "etr.families.ebl:FAMILY", _JSON),
    Entry("dcsa-pint", "etr.families.pint:FAMILY", _JSON),
    Entry("en16931", "etr.families.en16931:FAMILY", _XML_PDF),
    Entry("ephyto", "etr.families.ephyto:FAMILY", _XML),
    Entry("origin", "etr.families.origin:FAMILY", _JSON_XML),
    Entry("untp", "etr.families.untp:FAMILY", _JSON),
    # After origin: a raw TradeTrust certificate of origin and the TrustVC (W3C VC) one are origin's; the
    # wrapped OpenAttestation documents (which origin leaves) and every other OA document are this family's.
    Entry("openattestation", "etr.families.openattestation:FAMILY", _JSON),
)
FAMILY_NAMES: tuple[str, ...] = tuple(entry.name for entry in REGISTRY)


def family_syntaxes(name: str) -> frozenset[Syntax]:
    """The document syntaxes the family called ``name`` reads (empty for an unknown name)."""
    return next((entry.syntaxes for entry in REGISTRY if entry.name == name), frozenset())


@functools.cache
def get_family(name: str) -> Family:
    """The family called ``name``.

    Raises:
        UsageError: no family has that name.
    """
    target = next((entry.target for entry in REGISTRY if entry.name == name), None)
    if target is None:
        raise UsageError(f"unknown family {name!r}", code="ETR-UNKNOWN-FAMILY",
                         hint=f"choose one of: {', '.join(e.name for e in REGISTRY)}")
    module, _, attr = target.partition(":")
    family: Family = getattr(importlib.import_module(module), attr)
    return family


def versions_summary() -> str:
    """Every family's versions and default, from :data:`REGISTRY`, for help texts: ``"dcsa-ebl: 3.0.0,
    …, 3.0.4 (default 3.0.4); ephyto: 17; …"`` (imports every family)."""
    parts = []
    for entry in REGISTRY:
        family = get_family(entry.name)
        default = f" (default {family.default_version})" if len(family.versions) > 1 else ""
        parts.append(f"{entry.name}: {', '.join(family.versions)}{default}")
    return "; ".join(parts)


def detect(document: Document) -> tuple[Family, Match] | None:
    """The first family that recognises ``document`` by content, with its match, or ``None``.

    Only families registered for the document's syntax are asked.
    """
    for entry in REGISTRY:
        if document.syntax not in entry.syntaxes:
            continue
        family = get_family(entry.name)
        match = family.detect(document)
        if match is not None:
            return family, match
    return None
