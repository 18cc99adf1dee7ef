"""Factur-X / ZUGFeRD 2: the PDF around the invoice (cheap structural checks only).

The invoice itself is the CII XML the container step (:mod:`etr.load.pdf`) takes out of the PDF; it
is validated like any other. Here only what ties the PDF to it is checked (Factur-X 1.0 § 6.2 and its
XMP extension schema), without claiming PDF/A conformance (that needs a full PDF/A validator):

* the XMP metadata carries the Factur-X extension properties (``fx:DocumentFileName``,
  ``fx:ConformanceLevel``) — else ``EINV-FACTURX-XMP``;
* ``fx:ConformanceLevel`` is the level BT-24 names — else ``EINV-FACTURX-LEVEL``;
* the embedded file is named as the specifications say (``factur-x.xml``; ``zugferd-invoice.xml`` and
  ``xrechnung.xml`` in ZUGFeRD 2) and as ``fx:DocumentFileName`` says — else ``EINV-FACTURX-FILENAME``;
* its ``/AFRelationship`` is ``Data``, ``Source`` or ``Alternative`` — else ``EINV-FACTURX-RELATIONSHIP``.

* it carries one e-invoice only — else ``EINV-FACTURX-SEVERAL`` (each is validated, but which one is the
  invoice of the PDF is then a reader's guess).

All are warnings: the invoice data is validated whatever the wrapping says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...load import Document
from ...model import Finding, Location, Severity
from .detect import InvoiceInfo

REFERENCE = "Factur-X 1.0 (ZUGFeRD 2.x) § 6.2: the XML in the PDF/A-3, its AFRelationship and XMP extension schema"
#: The embedded file names the specifications give the invoice (compared without case).
FILE_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
RELATIONSHIPS = ("Data", "Source", "Alternative")
#: XMP ``fx:ConformanceLevel`` per level (Factur-X XMP extension schema; ZUGFeRD 2 writes the same values).
XMP_LEVELS = {"MINIMUM": "MINIMUM", "BASIC WL": "BASIC WL", "BASIC": "BASIC", "EN 16931": "EN 16931",
              "EXTENDED": "EXTENDED", "COMFORT": "EN 16931"}


def _xmp_properties(xmp: bytes) -> dict[str, str] | None:
    """``DocumentFileName``, ``ConformanceLevel``… of the Factur-X / ZUGFeRD extension schema in ``xmp``
    (as elements or as attributes of ``rdf:Description``); ``None`` when the packet cannot be read."""
    from lxml import etree

    from ...load import XML_PARSER_OPTIONS

    if b"<!DOCTYPE" in xmp or b"<!ENTITY" in xmp:  # refused, as in any XML etr reads
        return None
    try:
        root = etree.fromstring(xmp.strip(b"\x00 \r\n\t"), etree.XMLParser(**XML_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return None
    found: dict[str, str] = {}

    def ours(name: Any) -> str | None:
        qname = etree.QName(name)
        return qname.localname if qname.namespace and "CrossIndustryDocument" in qname.namespace else None

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if (local := ours(element.tag)) is not None and element.text:
            found.setdefault(local, " ".join(element.text.split()))
        for attribute, value in element.attrib.items():
            if (local := ours(attribute)) is not None:
                found.setdefault(local, " ".join(str(value).split()))
    return found


def several_invoices(pdf: Document) -> Iterator[Finding]:
    """``EINV-FACTURX-SEVERAL`` when the PDF ``pdf`` embeds more than one UBL or CII invoice (Factur-X 1.0 § 6.2
    carries one; a second one, valid or not, leaves readers to pick)."""
    from .detect import read_invoice

    names = [d.attachment or d.source for d in pdf.inner if d.syntax == "xml" and read_invoice(d.content) is not None]
    if len(names) > 1:
        yield Finding("EINV-FACTURX-SEVERAL", Severity.WARNING,
                      f"the PDF embeds {len(names)} e-invoices ({', '.join(repr(n) for n in names)}); Factur-X "
                      f"carries one, and readers may not take the one this report names", None, REFERENCE,
                      {"attachments": ", ".join(names)})


def container_findings(pdf: Document, invoice: Document, info: InvoiceInfo) -> Iterator[Finding]:
    """Warnings about how the PDF ``pdf`` carries ``invoice`` (its embedded CII document, read as ``info``)."""
    name = invoice.attachment or ""
    where = Location(attachment=name or None)
    content = pdf.content
    attachment = next((a for a in getattr(content, "attachments", ()) if a.name == name), None)
    if attachment is not None and attachment.relationship not in RELATIONSHIPS:
        yield Finding("EINV-FACTURX-RELATIONSHIP", Severity.WARNING,
                      f"the invoice's /AFRelationship is {attachment.relationship or 'missing'}; Factur-X asks for "
                      f"{', '.join(RELATIONSHIPS)}", where, REFERENCE)
    if name.lower() not in FILE_NAMES:
        yield Finding("EINV-FACTURX-FILENAME", Severity.WARNING,
                      f"the invoice is embedded as {name!r}; Factur-X names it factur-x.xml", where, REFERENCE)
    xmp = getattr(content, "xmp", None)
    properties = _xmp_properties(xmp) if xmp else None
    if not properties or "ConformanceLevel" not in properties:
        why = "has no XMP metadata" if not xmp else (
            "has XMP metadata etr cannot read" if properties is None else "has no Factur-X XMP properties")
        yield Finding("EINV-FACTURX-XMP", Severity.WARNING,
                      f"the PDF {why} (fx:ConformanceLevel, fx:DocumentFileName): readers cannot tell it is a "
                      f"Factur-X invoice", where, REFERENCE)
        return
    level = properties["ConformanceLevel"]
    stated = XMP_LEVELS.get(level.upper())
    if info.facturx_name is not None and stated != info.facturx_name:
        yield Finding("EINV-FACTURX-LEVEL", Severity.WARNING,
                      f"the XMP says Factur-X {level!r} but the invoice's BT-24 names {info.facturx_name}", where,
                      REFERENCE, {"xmp": level, "bt24": info.specification_identifier or ""}, ("BT-24",))
    file_name = properties.get("DocumentFileName")
    if file_name is not None and file_name != name:
        yield Finding("EINV-FACTURX-FILENAME", Severity.WARNING,
                      f"the XMP names the invoice {file_name!r} but it is embedded as {name!r}", where, REFERENCE)
