"""PDF as a container: the XML and JSON files embedded in a PDF become inner documents.

A Factur-X / ZUGFeRD invoice is a PDF/A-3 file whose structured data is an
embedded XML file (ISO 19005-3 § 6.8: embedded files, listed in the catalog's
``/Names /EmbeddedFiles`` name tree and, as "associated files", in its ``/AF``
array). This reader opens the PDF with pypdf, takes every embedded file, and
parses those that are XML or JSON with the same hardened readers as any other
input. The PDF itself is not validated (PDF/A conformance is out of scope).

pypdf is a large parser of a hostile format, so it is fenced in:

* **size**: the input within ``Limits.max_bytes`` (checked before pypdf sees it); each
  embedded file is inflated by this module, never by pypdf, and stops at
  ``Limits.max_bytes`` (a compression bomb costs that much and no more);
* **objects**: at most ``Limits.max_pdf_objects`` cross-reference entries, and at most
  ``Limits.max_attachments`` embedded files;
* **no JavaScript**: a PDF with a JavaScript action (``/S /JavaScript``, a ``/JS`` entry,
  or a ``/JavaScript`` name tree) anywhere is refused (``LOAD-PDF-JAVASCRIPT``): PDF/A
  forbids it (ISO 19005-3 § 6.6.1), so such a file is not the archival invoice it claims to be,
  and etr will not vouch for the data of a document built to run code when opened;
* **no network**: only embedded file streams are read; a file specification that points
  outside the PDF (a URL or a path) is reported, never fetched; no URI is followed;
* **errors**: an encrypted PDF is refused (PDF/A forbids encryption), and any exception
  of pypdf (malformed, truncated, cyclic, too deeply nested input) becomes
  ``LOAD-PDF-MALFORMED``, never a traceback. What pypdf repaired on the way (it
  rebuilds a broken cross-reference table, for one) is reported as ``LOAD-PDF-REPAIRED``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..model import Finding, Location, Severity
from .document import REFERENCE, Document, Limits, LoadError, check_size

if TYPE_CHECKING:
    from pypdf import PdfReader

#: ISO 19005-3 (PDF/A-3) § 6.8 and the Factur-X 1.0 specification § 6.2 (the XML as an embedded file).
PDF_REFERENCE = "ISO 19005-3 (PDF/A-3) § 6.8 embedded files; Factur-X / ZUGFeRD"

_MAX_NAME = 200
_MAX_NOTES = 5
# Name tree nodes visited at most: every node holds at least one file or one kid, so this is
# never the binding limit for a PDF within max_attachments; it stops a cyclic or bloated tree.
_MAX_TREE_NODES = 1_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One embedded file of a PDF, as listed in :attr:`PdfContent.attachments`."""

    name: str
    #: The file specification's ``/AFRelationship`` (``Data``, ``Alternative``, ``Source`` …), without the slash.
    relationship: str | None
    #: The embedded stream's ``/Subtype`` (a MIME type such as ``text/xml``), when given.
    mime_type: str | None
    #: Its length once inflated, or ``None`` when it could not be read.
    size: int | None


@dataclass(frozen=True, slots=True)
class PdfContent:
    """What a PDF :class:`~etr.load.Document` holds as ``content``: its embedded files and its XMP metadata
    (the catalog's ``/Metadata`` stream, where Factur-X states its profile), inflated within the limits."""

    attachments: tuple[Attachment, ...]
    xmp: bytes | None


def load_pdf(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Open the PDF ``data``; its embedded XML and JSON files become the ``inner`` documents.

    Each inner document has ``attachment`` set to the file's name (``/UF``, else ``/F``)
    and ``source`` set to ``source``. What could not be read of one embedded file is a
    finding of the returned document, located by ``attachment``. A PDF without any XML
    or JSON file gets the error ``LOAD-PDF-NO-XML``.

    Raises:
        LoadError: ``LOAD-TOO-LARGE``, ``LOAD-PDF-ENCRYPTED``, ``LOAD-PDF-OBJECTS``
            (more objects than ``limits.max_pdf_objects``), ``LOAD-PDF-ATTACHMENTS`` (more
            embedded files than ``limits.max_attachments``), ``LOAD-PDF-JAVASCRIPT``,
            ``LOAD-PDF-MALFORMED`` (pypdf could not read it, whatever the reason).
    """
    limits = limits or Limits()
    check_size(len(data), limits)
    notes: list[str] = []
    try:
        with _collect_pypdf_log(notes):
            files, xmp, xmp_problem = _read(data, limits)
    except LoadError:
        raise
    except RecursionError:
        raise LoadError("LOAD-PDF-MALFORMED", "malformed PDF: objects nest too deeply to read") from None
    except Exception as exc:  # pypdf is a large attack surface: whatever it raises is the input's fault
        raise LoadError("LOAD-PDF-MALFORMED", f"malformed PDF ({type(exc).__name__}): {_one_line(str(exc))}") from None
    findings: list[Finding] = [xmp_problem] if xmp_problem is not None else []
    if notes:
        findings.append(Finding("LOAD-PDF-REPAIRED", Severity.INFO,
                                f"the PDF is damaged; pypdf read it anyway ({len(notes)} problem(s), first: "
                                f"{_one_line(notes[0])})", reference=PDF_REFERENCE,
                                detail={"notes": notes[:_MAX_NOTES]}))
    inner: list[Document] = []
    attachments: list[Attachment] = []
    for file in files:
        attachments.append(Attachment(file.name, file.relationship, file.mime_type,
                                      None if file.data is None else len(file.data)))
        if file.problem is not None:
            findings.append(file.problem)
            continue
        assert file.data is not None
        document, finding = _inner(file, source, limits)
        if document is not None:
            inner.append(document)
        if finding is not None:
            findings.append(finding)
    if not inner and not any(f.severity is Severity.ERROR for f in findings):
        listed = ", ".join(a.name for a in attachments) or "none"
        findings.append(Finding("LOAD-PDF-NO-XML", Severity.ERROR,
                                f"the PDF embeds no XML or JSON document (embedded files: {listed}); a Factur-X or "
                                f"ZUGFeRD invoice embeds its XML as a file such as factur-x.xml",
                                reference=PDF_REFERENCE))
    return Document(source, "pdf", PdfContent(tuple(attachments), xmp), data, tuple(findings), tuple(inner))


# --------------------------------------------------------------------------- embedded files

@dataclass(slots=True)
class _File:
    name: str
    relationship: str | None
    mime_type: str | None
    data: bytes | None
    problem: Finding | None


def _inner(file: _File, source: str, limits: Limits) -> tuple[Document | None, Finding | None]:
    """Parse one embedded file when it is XML or JSON; else say it was skipped."""
    from . import load_json, load_xml, sniff

    assert file.data is not None
    try:
        syntax, start = sniff(file.data)
        if syntax == "json":
            document = load_json(file.data, source, limits, _start=start)
        elif syntax == "xml":
            document = load_xml(file.data, source, limits)
        else:
            return None, _skipped(file, "a PDF inside the PDF is not opened")
    except LoadError as exc:
        if exc.finding.code in ("LOAD-UNKNOWN-SYNTAX", "LOAD-EMPTY", "LOAD-ENCODING") and not _looks_like_data(file):
            return None, _skipped(file, "neither XML nor JSON")
        return None, _at(exc.finding, file.name)
    return replace(document, attachment=file.name), None


def _looks_like_data(file: _File) -> bool:
    """Whether an embedded file that did not parse was meant to be XML or JSON (its name or MIME type says so)."""
    lowered = file.name.lower()
    return lowered.endswith((".xml", ".json", ".jsonld")) or bool(
        file.mime_type and ("xml" in file.mime_type or "json" in file.mime_type))


def _skipped(file: _File, why: str) -> Finding:
    return Finding("LOAD-PDF-ATTACHMENT-SKIPPED", Severity.INFO, f"embedded file {file.name!r} not validated: {why}",
                   Location(attachment=file.name), PDF_REFERENCE)


def _at(finding: Finding, attachment: str) -> Finding:
    location = finding.location or Location()
    return replace(finding, location=replace(location, attachment=attachment))


def _read(data: bytes, limits: Limits) -> tuple[list[_File], bytes | None, Finding | None]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise LoadError("LOAD-PDF-ENCRYPTED", "the PDF is encrypted; etr does not decrypt (PDF/A forbids encryption)")
    ids = _object_ids(reader)
    if len(ids) > limits.max_pdf_objects:
        raise LoadError("LOAD-PDF-OBJECTS",
                        f"the PDF has {len(ids)} objects, more than the limit of {limits.max_pdf_objects}")
    _refuse_javascript(reader, ids)
    catalog = _resolve(reader.trailer.get("/Root"))
    if not isinstance(catalog, dict):
        raise LoadError("LOAD-PDF-MALFORMED", "malformed PDF: the trailer has no document catalog (/Root)")
    specs = _file_specs(catalog, limits)
    files = [_embedded(spec, i, limits) for i, spec in enumerate(specs)]
    return (files, *_xmp(catalog, limits))


def _object_ids(reader: PdfReader) -> list[tuple[int, int]]:
    """(object number, generation) of every object the cross-reference data lists."""
    ids = [(num, gen) for gen, table in reader.xref.items() for num in table]
    ids.extend((num, 0) for num in reader.xref_objStm)
    return ids


def _resolve(value: Any) -> Any:
    """The object an indirect reference points to, ``None`` for PDF ``null`` (ISO 32000-1 § 7.3.9:
    a reference to a missing object, or a null value, is the same as no entry)."""
    from pypdf.generic import IndirectObject, NullObject

    seen = 0
    while isinstance(value, IndirectObject):
        seen += 1
        if seen > 32:
            raise LoadError("LOAD-PDF-MALFORMED", "malformed PDF: a chain of references that does not end")
        value = value.get_object()
    return None if isinstance(value, NullObject) else value


def _refuse_javascript(reader: PdfReader, ids: list[tuple[int, int]]) -> None:
    """Raise ``LOAD-PDF-JAVASCRIPT`` when any object (or the trailer) holds a JavaScript action, and
    ``LOAD-PDF-MALFORMED`` when any refers to an object the cross-reference data does not list.

    Every listed object is read once (pypdf parses it and decodes escaped names such as
    ``/J#53``); its direct members are walked without following references, since every
    referenced object is itself in the list. A reference to an unlisted object is refused: pypdf
    (and a viewer) would search the whole file for it — at every reference, a denial of service —
    and might find an object this walk never read, so two readers would read the PDF two ways.
    """
    from pypdf.generic import IndirectObject

    listed = set(ids)
    if _has_javascript(reader.trailer, listed):
        raise _javascript()
    for num, gen in ids:
        obj = IndirectObject(num, gen, reader).get_object()
        if _has_javascript(obj, listed):
            raise _javascript()


def _javascript() -> LoadError:
    return LoadError("LOAD-PDF-JAVASCRIPT", "the PDF carries JavaScript; refused (PDF/A forbids it, and etr does not "
                                            "vouch for a document built to run code when opened)")


def _has_javascript(obj: Any, listed: set[tuple[int, int]]) -> bool:
    """Whether ``obj`` holds a JavaScript action (not following references). Raises ``LOAD-PDF-MALFORMED``
    for a reference to an object outside ``listed``."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, DictionaryObject):
            if "/JS" in node or "/JavaScript" in node or node.get("/S") == "/JavaScript":
                return True
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, IndirectObject) and (node.idnum, node.generation) not in listed:
            raise LoadError("LOAD-PDF-MALFORMED", f"malformed PDF: it refers to object {node.idnum} "
                                                  f"{node.generation}, which its cross-reference data does not list")
    return False


def _file_specs(catalog: dict[str, Any], limits: Limits) -> list[Any]:
    """The catalog's file specifications: the ``/EmbeddedFiles`` name tree, then ``/AF``; each once."""
    from pypdf.generic import IndirectObject

    specs: list[Any] = []
    seen: set[tuple[int, int] | int] = set()

    def add(spec: Any) -> None:
        key = (spec.idnum, spec.generation) if isinstance(spec, IndirectObject) else id(spec)
        if key in seen:
            return
        seen.add(key)
        resolved = _resolve(spec)
        if isinstance(resolved, dict):
            specs.append(resolved)
            if len(specs) > limits.max_attachments:
                raise LoadError("LOAD-PDF-ATTACHMENTS",
                                f"the PDF has more than the limit of {limits.max_attachments} embedded files")

    names = _resolve(catalog.get("/Names"))
    if isinstance(names, dict):
        for spec in _name_tree_values(names.get("/EmbeddedFiles")):
            add(spec)
    associated = _resolve(catalog.get("/AF"))
    if isinstance(associated, list):
        for spec in associated:
            add(spec)
    return specs


def _name_tree_values(root: Any) -> Iterator[Any]:
    """The values of a PDF name tree (ISO 32000-1 § 7.9.6), each node visited once, iteratively."""
    from pypdf.generic import IndirectObject

    stack = [root]
    visited: set[tuple[int, int]] = set()
    nodes = 0
    while stack:
        ref = stack.pop()
        if isinstance(ref, IndirectObject):
            key = (ref.idnum, ref.generation)
            if key in visited:
                continue  # a cycle, or a node listed twice
            visited.add(key)
        nodes += 1
        if nodes > _MAX_TREE_NODES:
            raise LoadError("LOAD-PDF-MALFORMED", "malformed PDF: the embedded files name tree is too large")
        node = _resolve(ref)
        if not isinstance(node, dict):
            continue
        pairs = _resolve(node.get("/Names"))
        if isinstance(pairs, list):
            yield from pairs[1::2]
        kids = _resolve(node.get("/Kids"))
        if isinstance(kids, list):
            stack.extend(reversed(kids))


def _embedded(spec: dict[str, Any], index: int, limits: Limits) -> _File:
    from pypdf.generic import StreamObject

    name = _file_name(spec, index)
    relationship = _name_value(spec.get("/AFRelationship"))
    ef = _resolve(spec.get("/EF"))
    stream = _resolve(ef.get("/UF") or ef.get("/F")) if isinstance(ef, dict) else None
    mime = _name_value(stream.get("/Subtype")) if isinstance(stream, StreamObject) else None
    if not isinstance(stream, StreamObject):
        where = "a URL" if spec.get("/FS") == "/URL" else "a file outside the PDF"
        return _File(name, relationship, mime, None, Finding(
            "LOAD-PDF-ATTACHMENT-EXTERNAL", Severity.WARNING,
            f"file specification {name!r} names {where} instead of embedding it; etr does not fetch it",
            Location(attachment=name), PDF_REFERENCE))
    try:
        data = _stream_data(stream, limits, f"embedded file {name!r}")
    except LoadError as exc:
        return _File(name, relationship, mime, None, _at(exc.finding, name))
    return _File(name, relationship, mime, data, None)


def _xmp(catalog: dict[str, Any], limits: Limits) -> tuple[bytes | None, Finding | None]:
    """The catalog's XMP metadata, or ``None`` when there is none; unreadable metadata is a warning
    (the embedded files are what is validated, but a family may need the metadata's profile)."""
    from pypdf.generic import StreamObject

    stream = _resolve(catalog.get("/Metadata"))
    if stream is None:
        return None, None
    if not isinstance(stream, StreamObject):
        return None, Finding("LOAD-PDF-METADATA", Severity.WARNING,
                             "the catalog's /Metadata is not a stream; the XMP metadata cannot be read",
                             reference=PDF_REFERENCE)
    try:
        return _stream_data(stream, limits, "the XMP metadata"), None
    except LoadError as exc:
        return None, Finding("LOAD-PDF-METADATA", Severity.WARNING,
                             f"the XMP metadata cannot be read: {exc}", reference=PDF_REFERENCE,
                             detail={"cause": exc.finding.code})


def _stream_data(stream: Any, limits: Limits, what: str) -> bytes:
    """A stream's bytes, inflated here (never by pypdf) and bounded by ``limits.max_bytes``.

    Only the filter a PDF writer uses for embedded files is supported: none, or
    ``/FlateDecode`` without a predictor (ISO 32000-1 § 7.4.4).

    Raises:
        LoadError: ``LOAD-TOO-LARGE``, ``LOAD-PDF-FILTER`` (another filter), ``LOAD-PDF-STREAM``
            (the compressed data is corrupt).
    """
    raw: bytes = stream._data  # the bytes as stored, before any filter (pypdf's own decoding is bypassed)
    filters = _resolve(stream.get("/Filter"))
    names = [filters] if not isinstance(filters, list) else [_resolve(f) for f in filters]
    names = [n for n in names if n is not None]
    params = _resolve(stream.get("/DecodeParms"))
    if names and (any(n not in ("/FlateDecode", "/Fl") for n in names) or len(names) > 1 or params):
        shown = " ".join(str(n) for n in names) + (" with /DecodeParms" if params else "")
        raise LoadError("LOAD-PDF-FILTER", f"{what} is encoded with {shown}; etr reads only /FlateDecode streams "
                                           f"without parameters")
    if not names:
        check_size(len(raw), limits)
        return raw
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, limits.max_bytes + 1)
    except zlib.error as exc:
        raise LoadError("LOAD-PDF-STREAM", f"{what} cannot be inflated: {exc}") from None
    if len(data) > limits.max_bytes:
        raise LoadError("LOAD-TOO-LARGE", f"{what} inflates to more than the limit of {limits.max_bytes} bytes")
    # A cut stream would read as a prefix of the file, and bytes after its end as nothing: both are refused
    # (white space after the end is a writer's line end).
    if not inflater.eof:
        raise LoadError("LOAD-PDF-STREAM", f"{what} cannot be inflated: the compressed data is truncated")
    if inflater.unused_data.strip():
        raise LoadError("LOAD-PDF-STREAM", f"{what} has {len(inflater.unused_data)} bytes after the end of its "
                                           f"compressed data")
    return data


def _file_name(spec: dict[str, Any], index: int) -> str:
    for key in ("/UF", "/F"):
        value = _resolve(spec.get(key))
        if isinstance(value, str) and value.strip():
            return _CONTROL.sub("?", value.strip())[:_MAX_NAME]
    return f"embedded-file-{index + 1}"


def _name_value(value: Any) -> str | None:
    value = _resolve(value)
    return str(value).removeprefix("/") if isinstance(value, str) and value else None


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- pypdf's log

class _Collect(logging.Handler):
    def __init__(self, notes: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.notes) < 100:
            self.notes.append(record.getMessage())


@contextlib.contextmanager
def _collect_pypdf_log(notes: list[str]) -> Iterator[None]:
    """pypdf logs what it repaired; collect it into ``notes`` (it becomes a finding) instead of stderr.

    The ``pypdf`` logger stops propagating while a PDF is read; a thread logging through
    pypdf at that very moment would have its message collected here too (etr reads one
    input per process at a time).
    """
    logger = logging.getLogger("pypdf")
    handler = _Collect(notes)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


__all__ = ["PDF_REFERENCE", "REFERENCE", "Attachment", "PdfContent", "load_pdf"]
