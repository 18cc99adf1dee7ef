"""Hardened loading: bytes in, a parsed :class:`Document` out, or a finding.

Nothing here touches the network. Every rejection raises :class:`LoadError`
carrying one finding with a stable ``LOAD-…`` code and, where the parser knows
it, a line and column. The limits are explicit (:class:`Limits`).

JSON: strict UTF-8, no duplicate keys (two parsers may disagree on which one
counts, a classic signature-bypass vector), no NaN/Infinity (nor numbers that
overflow to infinity), no lone surrogates, bounded nesting and size.

XML: lxml with DTDs refused outright, no entity resolution, no network, no
XInclude processing (etr never calls ``xinclude()``), bounded depth and size.
"""

from __future__ import annotations

import glob
import io
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from .errors import DocumentError
from .model import Finding, Location, Severity

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_DEPTH = 128

#: File name endings picked up when a directory is walked. Named files are
#: always read, whatever their name: the family is decided by content.
DIRECTORY_SUFFIXES = frozenset({".json", ".jsonld", ".xml", ".pdf"})

Syntax = Literal["json", "xml"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard limits applied while loading. Both must be positive."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_depth <= 0:
            raise ValueError("limits must be positive")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed input. ``content`` is the JSON value or the lxml root element."""

    source: str
    syntax: Syntax
    content: Any
    raw: bytes
    findings: tuple[Finding, ...] = field(default_factory=tuple)


class LoadError(DocumentError):
    """The input could not be loaded; ``finding`` says why and where."""

    code = "LOAD-ERROR"

    def __init__(self, code: str, message: str, *, line: int | None = None, column: int | None = None,
                 pointer: str | None = None) -> None:
        super().__init__(message, code=code)
        location = Location(pointer=pointer, line=line, column=column) if (line or pointer) else None
        self.finding = Finding(code, Severity.ERROR, message, location, reference="etr loading rules")


# --------------------------------------------------------------------------- sources

@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a path, or stdin when ``path`` is ``None``."""

    name: str
    path: Path | None = None
    missing: bool = False

    def read(self, limits: Limits, stdin: BinaryIO | None = None) -> bytes:
        """Read at most ``limits.max_bytes``; raise :class:`LoadError` otherwise."""
        if self.missing:
            raise LoadError("LOAD-NOT-FOUND", f"no such file, directory or match: {self.name}")
        if self.path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(limits.max_bytes + 1)
            _check_size(len(data), limits)
            return data
        try:
            with open(self.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                _check_size(size, limits)
                data = fh.read(limits.max_bytes + 1)
        except IsADirectoryError:
            raise LoadError("LOAD-IO", f"is a directory: {self.name}") from None
        except OSError as exc:
            raise LoadError("LOAD-IO", f"cannot read {self.name}: {exc.strerror or exc}") from None
        _check_size(len(data), limits)
        return data


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise LoadError("LOAD-TOO-LARGE", f"input is larger than the limit of {limits.max_bytes} bytes")


_GLOB_CHARS = re.compile(r"[*?\[]")


def expand_inputs(inputs: Iterable[str]) -> Iterator[Source]:
    """Turn command-line inputs into sources, in a stable order.

    ``-`` is stdin; a directory is walked recursively (sorted, hidden entries
    skipped, only :data:`DIRECTORY_SUFFIXES`); a pattern with ``*``, ``?`` or
    ``[`` that is not an existing path is expanded as a recursive glob. An
    input that matches nothing yields a ``missing`` source, reported as
    ``LOAD-NOT-FOUND``.
    """
    for item in inputs:
        if item == "-":
            yield Source("<stdin>")
            continue
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or not _GLOB_CHARS.search(item):
            yield Source(item, path, missing=not path.exists())
        else:
            # glob.glob, unlike Path.glob, skips hidden entries as a shell does and as _walk does.
            matches = sorted(Path(match) for match in glob.glob(item, recursive=True))
            if not matches:
                yield Source(item, None, missing=True)
            for match in matches:
                if match.is_dir():
                    yield from _walk(match)
                else:
                    yield Source(str(match), match)


def _walk(root: Path) -> Iterator[Source]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in DIRECTORY_SUFFIXES:
                continue
            full = Path(dirpath, name)
            yield Source(str(full), full)


# --------------------------------------------------------------------------- bytes -> Document

def load_bytes(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Parse ``data`` as JSON or XML (decided by content).

    Raises:
        LoadError: the input is empty, too large, of an unknown or unsupported
            syntax, malformed, or breaks a security rule. ``.finding`` holds
            the stable code.
    """
    limits = limits or Limits()
    _check_size(len(data), limits)
    syntax, start = sniff(data)
    if syntax == "json":
        return load_json(data, source, limits, _start=start)
    return load_xml(data, source, limits)


_BOM = b"\xef\xbb\xbf"
_LEADING_SPACE = re.compile(rb"\s*")


def sniff(data: bytes) -> tuple[Syntax, int]:
    """Decide the syntax from the first significant byte; return it and the offset of the text."""
    if not data.removeprefix(_BOM).strip():
        raise LoadError("LOAD-EMPTY", "input is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        raise LoadError("LOAD-ENCODING", "input looks like UTF-16 or UTF-32; JSON and these XML inputs must be UTF-8")
    start = 3 if data.startswith(_BOM) else 0
    pos = _LEADING_SPACE.match(data, start).end()  # type: ignore[union-attr]  # any run of whitespace
    first = data[pos:pos + 1]
    if first in (b"{", b"["):
        return "json", start
    if first == b"<":
        return "xml", 0
    if data.startswith(b"%PDF-"):
        raise LoadError("LOAD-UNSUPPORTED", "PDF input is not supported yet")
    raise LoadError("LOAD-UNKNOWN-SYNTAX", "input is neither a JSON object or array nor an XML document")


# ---- JSON

_DEFAULT_LIMITS = Limits()


class _Reject(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Reject("LOAD-JSON-DUPLICATE-KEY", f"duplicate object key {dup[:60]!r}")
    return obj


def _constant(name: str) -> Any:
    raise _Reject("LOAD-JSON-CONSTANT", f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Reject("LOAD-JSON-CONSTANT", f"number {text[:40]} overflows to infinity")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__
_SPACE = re.compile(r"[ \t\n\r]*")
# A string literal, unrolled for speed; used only to blank strings out before counting brackets.
# An unterminated string runs to the end of the input: a match never fails, so blanking stays linear
# (a pattern that fails at each of many quotes would rescan the rest of the input from each one).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_depth_exceeds(data: bytes, max_depth: int) -> bool:
    """True when the JSON text nests deeper than ``max_depth`` (cheap, no parse)."""
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return False  # cannot nest deeper than it has brackets
    skeleton = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    skeleton = skeleton.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(max_depth):
        inner = skeleton.replace(b"[]", b"")
        if len(inner) == len(skeleton):
            return False  # unbalanced: the parser will say where
        skeleton = inner
        if not skeleton:
            return False
    return True


def _line_col(text: bytes | str, offset: int) -> tuple[int, int]:
    nl = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(nl, 0, offset) + 1  # type: ignore[arg-type]
    return line, offset - (text.rfind(nl, 0, offset) + 1) + 1  # type: ignore[arg-type]


def load_json(data: bytes, source: str = "<bytes>", limits: Limits | None = None, *, _start: int = 0) -> Document:
    """Parse strict JSON. See :func:`load_bytes` for what it raises."""
    value = json_value(data, limits or _DEFAULT_LIMITS, _start)
    findings: tuple[Finding, ...] = ()
    if _start:
        findings = (Finding("LOAD-BOM", Severity.INFO, "UTF-8 byte order mark ignored", reference="RFC 8259 §8.1"),)
    return Document(source, "json", value, data, findings)


def has_duplicate_key(data: bytes) -> bool:
    """Whether the JSON text ``data`` has an object with a key twice: the strict scan of
    :func:`json_value` alone, its value discarded, for a text another parser has already read.

    Raises:
        LoadError: ``data`` is not strict UTF-8 JSON after all.
    """
    try:
        text = data.decode("utf-8")
        _SCAN(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
    except _Reject as exc:
        if exc.code == "LOAD-JSON-DUPLICATE-KEY":
            return True
        raise LoadError(exc.code, str(exc)) from None
    except (StopIteration, ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise LoadError("LOAD-JSON-SYNTAX", "malformed JSON") from None
    return False


def json_value(data: bytes, limits: Limits, start: int = 0) -> Any:
    """The value of strict JSON ``data`` (from byte ``start``, after a BOM): :func:`load_json` without the
    :class:`Document` around it, for callers that parse many small texts (JWS payloads).

    Raises:
        LoadError: as :func:`load_bytes`.
    """
    if len(data) > limits.max_bytes:
        _check_size(len(data), limits)
    try:
        text = data[start:].decode("utf-8") if start else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start + start)
        raise LoadError("LOAD-ENCODING", f"invalid UTF-8 at byte {exc.start + start}", line=line, column=col) from None
    if json_depth_exceeds(data, limits.max_depth):
        raise LoadError("LOAD-JSON-DEPTH", f"JSON nests deeper than the limit of {limits.max_depth}")
    try:
        # JSONDecoder.decode without its Python wrappers: the C scanner, then "only whitespace may follow".
        value, end = _SCAN(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
        if end != len(text) and _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise json.JSONDecodeError("Extra data", text, _SPACE.match(text, end).end())  # type: ignore[union-attr]
    except StopIteration as exc:
        line, col = _line_col(text, exc.value)
        raise LoadError("LOAD-JSON-SYNTAX", "malformed JSON: expecting a value", line=line, column=col) from None
    except _Reject as exc:
        raise LoadError(exc.code, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise LoadError("LOAD-JSON-SYNTAX", f"malformed JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise LoadError("LOAD-JSON-DEPTH", "JSON nests too deeply to parse") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise LoadError("LOAD-JSON-NUMBER", f"number cannot be read: {str(exc)[:80]}") from None
    if b"\\u" in data and _SURROGATE_ESCAPE.search(text):  # no \u, no surrogate escape: skip the regex
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LoadError("LOAD-JSON-SURROGATE", "string contains a lone UTF-16 surrogate escape") from None
    return value


# ---- XML

def _xml_parser_kwargs() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_pis": False,
    }


def load_xml(data: bytes, source: str = "<bytes>", limits: Limits | None = None) -> Document:
    """Parse XML safely. See :func:`load_bytes` for what it raises."""
    from lxml import etree  # heavy: imported only when XML is met

    limits = limits or Limits()
    _check_size(len(data), limits)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused",
                        line=_line_col(data, max(data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")))[0])
    depth = 0
    root = None
    try:
        for event, element in etree.iterparse(io.BytesIO(data), events=("start", "end"), **_xml_parser_kwargs()):
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
        raise LoadError("LOAD-XML-SYNTAX", f"malformed XML: {str(exc.msg or exc)[:160]}", line=line,
                        column=col) from None
    if root is None:
        raise LoadError("LOAD-XML-SYNTAX", "XML has no root element")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # belt and braces
        raise LoadError("LOAD-XML-DTD", "XML with a document type declaration (DTD) is refused")
    return Document(source, "xml", root, data)
