"""Hardened loading: bytes in, a parsed :class:`Document` out, or a finding.

Nothing here touches the network. Every rejection raises :class:`LoadError`
carrying one finding with a stable ``LOAD-…`` code and, where the parser knows
it, a line and column. The limits are explicit (:class:`Limits`).

* :mod:`.json`: strict JSON (duplicate keys, NaN/Infinity, lone surrogates,
  invalid UTF-8 refused; bounded nesting and size);
* :mod:`.xml`: lxml with DTDs refused, no entities, no network, no XInclude;
* :mod:`.pdf`: a container: the XML and JSON files embedded in a PDF (PDF/A-3,
  as in Factur-X / ZUGFeRD) become the document's ``inner`` documents;
* :mod:`.sources`: command-line inputs (files, directories, globs, ``-``) and
  reading them within the limits.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from .document import (
    DEFAULT_MAX_ATTACHMENTS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_PDF_OBJECTS,
    Document,
    Limits,
    LoadError,
    Syntax,
    check_size,
)
from .json import check_json_value, has_duplicate_key, json_depth_exceeds, json_value, load_json
from .sources import DIRECTORY_SUFFIXES, Source, expand_inputs
from .xml import XML_DOCUMENT_PARSER_OPTIONS, XML_PARSER_OPTIONS, load_xml

__all__ = [
    "DEFAULT_MAX_ATTACHMENTS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_PDF_OBJECTS",
    "DIRECTORY_SUFFIXES",
    "XML_DOCUMENT_PARSER_OPTIONS",
    "XML_PARSER_OPTIONS",
    "Document",
    "Limits",
    "LoadError",
    "Source",
    "Syntax",
    "check_json_value",
    "check_size",
    "expand_inputs",
    "has_duplicate_key",
    "json_depth_exceeds",
    "json_value",
    "load_bytes",
    "load_json",
    "load_pdf",
    "load_source",
    "load_xml",
    "sniff",
]

_DEFAULT_LIMITS = Limits()


def load_bytes(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Parse ``data`` as JSON, XML or PDF (decided by content, never by a file name).

    Raises:
        LoadError: the input is empty, too large, of an unknown or unsupported
            syntax, malformed, or breaks a security rule. ``.finding`` holds
            the stable code. (A PDF whose embedded files cannot be read is not
            refused: the problems are findings of the returned document.)
    """
    limits = limits or _DEFAULT_LIMITS
    check_size(len(data), limits)
    syntax, start = sniff(data)
    if syntax == "json":
        return load_json(data, source, limits, _start=start)
    if syntax == "xml":
        return load_xml(data, source, limits)
    return load_pdf(data, source, limits)


def load_pdf(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Open a PDF and load its embedded XML and JSON files; see :func:`etr.load.pdf.load_pdf`."""
    from .pdf import load_pdf as _load_pdf  # pypdf is imported only when a PDF is met

    return _load_pdf(data, source, limits)


def load_source(source: Source, limits: Limits | None = None, stdin: BinaryIO | None = None) -> Document:
    """Read ``source`` within ``limits`` and parse it: :meth:`Source.read`, then :func:`load_bytes`.

    Raises:
        LoadError: as :meth:`Source.read` (``LOAD-NOT-FOUND``, ``LOAD-IO``,
            ``LOAD-TOO-LARGE``) and :func:`load_bytes`.
    """
    limits = limits or _DEFAULT_LIMITS
    return load_bytes(source.read(limits, stdin), source.name, limits)


_BOM = b"\xef\xbb\xbf"
_LEADING_SPACE = re.compile(rb"\s*")


def sniff(data: bytes) -> tuple[Syntax, int]:
    """Decide the syntax from the first significant bytes; return it and the offset of the text.

    Raises:
        LoadError: ``LOAD-EMPTY``, ``LOAD-ENCODING`` (UTF-16 or UTF-32), ``LOAD-UNKNOWN-SYNTAX``.
    """
    if data.startswith(b"%PDF-"):
        return "pdf", 0
    start = 3 if data.startswith(_BOM) else 0
    pos = _LEADING_SPACE.match(data, start).end()  # type: ignore[union-attr]  # any run of whitespace
    if pos == len(data):  # found where the text starts, without a stripped copy of the whole input
        raise LoadError("LOAD-EMPTY", "input is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        raise LoadError("LOAD-ENCODING", "input looks like UTF-16 or UTF-32; JSON and these XML inputs must be UTF-8")
    first = data[pos:pos + 1]
    if first in (b"{", b"["):
        return "json", start
    if first == b"<":
        return "xml", 0
    raise LoadError("LOAD-UNKNOWN-SYNTAX", "input is neither a JSON object or array, an XML document nor a PDF")
