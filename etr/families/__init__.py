"""Document families: each knows how to recognise its documents and check them.

A family is any object with the attributes and methods of :class:`Family`. The
registry below maps a family name to where it lives, so that only the families
actually met are imported (and their schemas compiled).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from ..errors import UsageError
from ..load import Document
from ..model import Finding


@dataclass(frozen=True, slots=True)
class Match:
    """What :meth:`Family.detect` found: the document is this family's.

    ``version`` is the version the document declares (a UBL ``CustomizationID``'s
    version, a JSON-LD ``@context`` version), or ``None`` when it declares none
    (the family's default is then used). ``profile`` is a finer profile or
    customization (EN 16931 CIUS, Factur-X level), when the family has one.
    ``evidence`` says in a few words what was recognised (for ``-v`` and reports).
    """

    family: str
    version: str | None = None
    profile: str | None = None
    evidence: str = ""


class Family(Protocol):
    """What the validation driver needs from a document family.

    Families are listed in :data:`_REGISTRY` (data: a new family adds one line).
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


#: name -> "module:attribute", in detection order.
_REGISTRY: dict[str, str] = {
    "dcsa-ebl": "etr.families.ebl:FAMILY",
    "dcsa-pint": "etr.families.pint:FAMILY",
}
FAMILY_NAMES: tuple[str, ...] = tuple(_REGISTRY)


@functools.cache
def get_family(name: str) -> Family:
    """The family called ``name``.

    Raises:
        UsageError: no family has that name.
    """
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown family {name!r}", code="ETR-UNKNOWN-FAMILY",
                         hint=f"choose one of: {', '.join(FAMILY_NAMES)}") from None
    module, _, attr = target.partition(":")
    family: Family = getattr(importlib.import_module(module), attr)
    return family


def detect(document: Document) -> tuple[Family, Match] | None:
    """The first family that recognises ``document`` by content, with its match, or ``None``."""
    for name in FAMILY_NAMES:
        family = get_family(name)
        match = family.detect(document)
        if match is not None:
            return family, match
    return None
