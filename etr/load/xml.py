"""XML: lxml with DTDs refused outright, no entity resolution, no network, no XInclude processing
(etr never calls ``xinclude()``), bounded depth and size."""

from __future__ import annotations

import io
from typing import Any, cast

from .document import Document, Limits, LoadError, check_size, line_col

#: Options of every lxml parser etr makes (documents here, XSD files in :mod:`etr.schemas`):
#: no entity expansion, no network, no DTD, libxml2's own size limits kept.
XML_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_pis": False,
}


def load_xml(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Parse XML safely; ``content`` is the root element (its ``sourceline`` kept for findings).

    Raises:
        LoadError: ``LOAD-TOO-LARGE``, ``LOAD-XML-DTD`` (any document type declaration,
            so no entity can be defined), ``LOAD-XML-DEPTH``, ``LOAD-XML-SYNTAX``.
    """
    from lxml import etree  # heavy: imported only when XML is met

    limits = limits or Limits()
    check_size(len(data), limits)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused",
                        line=line_col(data, max(data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")))[0])
    depth = 0
    root = None
    etree.clear_error_log()  # the log is per thread, not per document: keep only this document's errors
    try:
        for event, element in etree.iterparse(io.BytesIO(data), events=("start", "end"), **XML_PARSER_OPTIONS):
            if event == "start":
                depth += 1
                if depth > limits.max_depth:
                    raise LoadError("LOAD-XML-DEPTH", f"XML nests deeper than the limit of {limits.max_depth}",
                                    line=element.sourceline)
                if root is None:
                    root = element
            else:
                depth -= 1
    except etree.XMLSyntaxError as exc:
        line, col = (exc.position if exc.position else (None, None))
        message = str(exc.msg or exc)
        entries: list[Any] = list(cast(Any, exc.error_log))  # lxml-stubs declare the log without members
        first = entries[0] if entries else None
        if first is not None and not line:
            # iterparse reports an undefined entity (never resolved here) as "no element found" at 0:0;
            # the parser's log holds the cause and where it is.
            message, line, col = first.message, first.line, first.column
        raise LoadError("LOAD-XML-SYNTAX", f"malformed XML: {message[:160]}", line=line or None,
                        column=col or None) from None
    if root is None:
        raise LoadError("LOAD-XML-SYNTAX", "XML has no root element")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # belt and braces
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused")
    return Document(source, "xml", root, data)
