"""Document families: each knows how to recognise its documents and check them.

A family is any object with the attributes and methods of :class:`Family`. The
registry below maps a family name to where it lives, so that only the families
actually met are imported (and their schemas compiled).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from typing import Protocol

from ..errors import UsageError
from ..load import Document
from ..model import Finding


class Family(Protocol):
    """What the validation driver needs from a document family."""

    name: str
    title: str
    versions: tuple[str, ...]
    default_version: str
    schema_files: tuple[str, ...]

    def detect(self, document: Document) -> bool:
        """True when ``document`` (already parsed) belongs to this family; must be cheap."""
        ...

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        """Findings for ``document``: schema first, then business rules."""
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


def detect(document: Document) -> Family | None:
    """The first family that recognises ``document`` by content, or ``None``."""
    for name in FAMILY_NAMES:
        family = get_family(name)
        if family.detect(document):
            return family
    return None
