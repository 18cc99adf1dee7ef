"""XML: lxml with DTDs refused outright, no entity resolution, no network, no XInclude processing
(etr never calls ``xinclude()``), bounded depth and size."""

from __future__ import annotations

import functools
from typing import Any, cast

from .document import Document, Limits, LoadError, check_size, line_col

#: Options of the lxml parser for XSD files (:mod:`etr.schemas`; documents add ``huge_tree``, below):
#: no entity expansion, no network, no DTD, libxml2's own size limits kept.
XML_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_pis": False,
}

#: The parser for documents: as :data:`XML_PARSER_OPTIONS` but with libxml2's ``XML_PARSE_HUGE``, which
#: lifts its 10,000,000-character cap on one text node (a certificate's base64 attachment of 7.5 MB) and
#: its nesting cap of 256 (to 2048). That is safe only because etr bounds documents itself: the input is
#: at most ``Limits.max_bytes`` before parsing and its depth is checked after; and no entity can be
#: declared (a DTD is refused before parsing) or resolved (``resolve_entities`` off), while libxml2 keeps
#: its entity amplification bound with the option. XSD files keep the stricter defaults.
XML_DOCUMENT_PARSER_OPTIONS: dict[str, Any] = {**XML_PARSER_OPTIONS, "huge_tree": True}

#: What the prolog may hold before the root element besides a DTD, and where each ends.
_PROLOG_MARKUP = ((b"<?", b"?>"), (b"<!--", b"-->"))


def dtd_offset(data: bytes) -> int:
    """The offset of a document type or entity declaration in the prolog of ``data``, else -1.

    A DTD (and so any entity declaration) can only come before the root element (XML 1.0 §2.8);
    libxml2 reads ``<!DOCTYPE`` nowhere else (later it is a syntax error, or text of a comment or
    CDATA section). So only the prolog is read: the XML declaration, processing instructions and
    comments are skipped, and the first other markup decides. The work is the prolog's length, not
    the document's (a certificate's base64 attachment is most of its bytes).
    """
    at = data.find(b"<")
    while at >= 0:
        for start, end in _PROLOG_MARKUP:
            if data.startswith(start, at):
                close = data.find(end, at + len(start))
                if close < 0:
                    return -1  # unterminated: the parser says where
                at = data.find(b"<", close + len(end))
                break
        else:
            return at if data.startswith((b"<!DOCTYPE", b"<!ENTITY"), at) else -1
    return -1


#: What libxml2 says when a document nests deeper than it allows, and how deep that is (with ``huge_tree``).
_PARSER_DEPTH_ERROR = "Excessive depth in document"
_PARSER_MAX_DEPTH = 2048


#: Levels below which a document is taken as shallow (an ePhyto certificate has about 8).
_SHALLOW = 16


@functools.lru_cache(maxsize=8)
def _too_deep(max_depth: int) -> Any:
    """An XPath selecting the first element ``max_depth + 1`` levels down (the root is level 1), if any:
    libxml2 walks the tree a level at a time. Compiled once per limit (an lxml XPath object serialises
    its own evaluations, so threads may share it)."""
    from lxml import etree

    return etree.XPath("(/" + "/".join(["*"] * (max_depth + 1)) + ")[1]")


def load_xml(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Parse XML safely; ``content`` is the root element (its ``sourceline`` kept for findings).

    The whole input is parsed by libxml2 in one call (no Python work per element): the DTD
    refusal reads the prolog before parsing (:func:`dtd_offset`), the parsed tree's document
    type is checked again after, and the depth limit is an XPath over the parsed tree (libxml2
    itself stops at 2048 levels while parsing). Text nodes are read up to the size limit
    (:data:`XML_DOCUMENT_PARSER_OPTIONS`).

    Raises:
        LoadError: ``LOAD-TOO-LARGE``, ``LOAD-XML-DTD`` (any document type declaration,
            so no entity can be defined), ``LOAD-XML-DEPTH``, ``LOAD-XML-SYNTAX``.
    """
    from lxml import etree  # heavy: imported only when XML is met

    limits = limits or Limits()
    check_size(len(data), limits)
    if (dtd := dtd_offset(data)) >= 0:
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused",
                        line=line_col(data, dtd)[0])
    etree.clear_error_log()  # the log is per thread, not per document: keep only this document's errors
    try:
        root: Any = etree.fromstring(data, etree.XMLParser(**XML_DOCUMENT_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        line, col = (exc.position if exc.position else (None, None))
        message = str(exc.msg or exc)
        entries: list[Any] = list(cast(Any, exc.error_log))  # lxml-stubs declare the log without members
        first = entries[0] if entries else None
        if first is not None and not line:
            message, line, col = first.message, first.line, first.column
        if _PARSER_DEPTH_ERROR in message:
            raise LoadError("LOAD-XML-DEPTH", f"XML nests deeper than the limit of "
                            f"{min(limits.max_depth, _PARSER_MAX_DEPTH)}", line=line or None) from None
        raise LoadError("LOAD-XML-SYNTAX", f"malformed XML: {message[:160]}", line=line or None,
                        column=col or None) from None
    # Most documents are shallow: when nothing is _SHALLOW levels down, no limit of at least that is
    # exceeded, and the XPath for the limit itself (one step per level) is not needed.
    for levels in (min(limits.max_depth, _SHALLOW), limits.max_depth):
        too_deep = _too_deep(levels)(root)
        if not too_deep:
            break
        if levels == limits.max_depth:
            element = cast(list[Any], too_deep)[0]
            raise LoadError("LOAD-XML-DEPTH", f"XML nests deeper than the limit of {limits.max_depth}",
                            line=element.sourceline)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # belt and braces
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused")
    return Document(source, "xml", root, data)
