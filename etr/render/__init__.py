"""Renderers shared by every command: text, JSON, JSON Lines.

A renderer is fed one result at a time (any :class:`~etr.model.Result`: a
validation :class:`~etr.model.Report`, a PINT ``VerificationResult``), so
batches stream; it keeps the run's :class:`~etr.model.Summary`. The text form
of each result type lives in its own module (:mod:`.validation`,
:mod:`.verification`); the machine forms (:mod:`.json`) only call ``to_dict()``.
"""

from __future__ import annotations

from typing import Protocol

from ..model import Finding, Result, Severity, Summary, fails

FORMATS = ("text", "json", "jsonl")


def count(n: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``0 info``."""
    return f"{n} {word}{'s' if n != 1 and word != 'info' else ''}"


def finding_line(f: Finding, indent: str = "  ") -> str:
    """One finding in text: ``  error   CODE [BT-106, BT-131] at /pointer (line 3:7): message``
    (the bracket lists the standard's terms, when the finding names any)."""
    terms = f" [{', '.join(f.terms)}]" if f.terms else ""
    where = f" at {f.location}" if f.location is not None else ""
    return f"{indent}{f.severity.value:<7} {f.code}{terms}{where}: {f.message}"


class Sink(Protocol):
    """Where a renderer writes: ``sys.stdout``, an ``io.StringIO``, the CLI's UTF-8 writer."""

    def write(self, text: str, /) -> object: ...


class Renderer:
    """Writes results to ``out`` as they come and keeps the summary.

    ``fail_on`` is the lowest severity that makes an input fail (``--fail-on``);
    ``quiet`` leaves out, in text, the inputs that pass (the summary stays).
    """

    def __init__(self, out: Sink, *, quiet: bool = False, fail_on: Severity = Severity.ERROR) -> None:
        self.out = out
        self.quiet = quiet
        self.fail_on = fail_on
        self.summary = Summary()

    @property
    def failed(self) -> int:
        """How many inputs failed so far."""
        return self.summary.failed

    def start(self) -> None:
        """Called before the first result."""

    def add(self, result: Result) -> bool:
        """Count and write one result; return whether it fails the run."""
        failed = fails(result, self.fail_on)
        self.summary.add(result, failed)
        self.write(result, failed)
        return failed

    def write(self, result: Result, failed: bool) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last result."""


def make_renderer(fmt: str, out: Sink, *, command: str, tool_version: str, quiet: bool = False,
                  fail_on: Severity = Severity.ERROR, show_document: bool = False) -> Renderer:
    """The renderer for ``--format`` (one of :data:`FORMATS`).

    ``command`` names the run in the JSON run document; ``show_document`` makes
    the text of a verification list its transport document's findings.

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "text":
        from .text import TextRenderer

        return TextRenderer(out, quiet=quiet, fail_on=fail_on, show_document=show_document)
    if fmt == "json":
        from .json import JsonRenderer

        return JsonRenderer(out, quiet=quiet, fail_on=fail_on, command=command, tool_version=tool_version)
    if fmt == "jsonl":
        from .json import JsonLinesRenderer

        return JsonLinesRenderer(out, quiet=quiet, fail_on=fail_on)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
