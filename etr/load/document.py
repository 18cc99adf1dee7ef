"""What every reader shares: the limits, the parsed :class:`Document`, and :class:`~etr.errors.LoadError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import LoadError as LoadError  # re-exported: it lives in etr.errors
from ..model import Finding

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_DEPTH = 128
#: Indirect objects a PDF may hold (its cross-reference entries). A Factur-X invoice of a few
#: pages has a few hundred; the bound keeps the JavaScript scan, which reads every object, short.
DEFAULT_MAX_PDF_OBJECTS = 50_000
#: Embedded files a PDF may carry (a Factur-X invoice has one, a few more with supporting documents).
DEFAULT_MAX_ATTACHMENTS = 64

Syntax = Literal["json", "xml", "pdf"]

#: The reference every ``LOAD-…`` finding carries.
REFERENCE = "etr loading rules"


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard limits applied while loading. All must be positive.

    ``max_bytes`` bounds an input and, once decompressed, each document embedded in a PDF;
    ``max_depth`` the nesting of JSON and XML; ``max_pdf_objects`` and ``max_attachments``
    the indirect objects and embedded files of a PDF.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_pdf_objects: int = DEFAULT_MAX_PDF_OBJECTS
    max_attachments: int = DEFAULT_MAX_ATTACHMENTS

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_depth, self.max_pdf_objects, self.max_attachments) <= 0:
            raise ValueError("limits must be positive")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed input.

    ``content`` is the JSON value, the lxml root element, or for a PDF the names of its
    embedded files (a tuple of str); ``raw`` the bytes it was read from (empty for a
    mapping given by a caller). ``findings`` are what loading noticed without refusing
    the input (a byte order mark, a repaired PDF, an attachment that could not be read).
    A PDF's XML and JSON attachments are ``inner`` documents, each with ``attachment``
    set to its file name.
    """

    source: str
    syntax: Syntax
    content: Any
    raw: bytes
    findings: tuple[Finding, ...] = ()
    inner: tuple[Document, ...] = ()
    #: The file name of this document inside its container (a PDF attachment), else ``None``.
    attachment: str | None = None


def check_size(size: int, limits: Limits) -> None:
    """Raise ``LOAD-TOO-LARGE`` when ``size`` bytes exceed ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise LoadError("LOAD-TOO-LARGE", f"input is larger than the limit of {limits.max_bytes} bytes")


def line_col(text: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    nl = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(nl, 0, offset) + 1  # type: ignore[arg-type]
    return line, offset - (text.rfind(nl, 0, offset) + 1) + 1  # type: ignore[arg-type]
