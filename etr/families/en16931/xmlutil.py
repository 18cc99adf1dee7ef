"""Namespaces of the two EN 16931 syntaxes and small helpers shared by the en16931 modules.

``UBL`` / ``CII`` map the prefixes the official bindings use to their namespace URIs; ``q(prefix, name)``
gives the Clark name lxml uses. ``location_of`` gives a finding's place: the element's XPath (lxml's
``getpath``, positional and with the document's own prefixes) and its source line.
"""

from __future__ import annotations

from lxml import etree

from ...model import Location

__all__ = ["CII", "UBL", "location_of", "q"]

UBL = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
_ALL = {**UBL, **CII}


def q(prefix: str, name: str) -> str:
    """Clark name ``{uri}name`` of ``prefix:name`` (prefixes of :data:`UBL` and :data:`CII`)."""
    return f"{{{_ALL[prefix]}}}{name}"


def location_of(el: etree._Element) -> Location:
    """XPath (lxml ``getpath``) and source line of ``el``."""
    line = el.sourceline
    return Location(xpath=el.getroottree().getpath(el), line=line if isinstance(line, int) else None)
