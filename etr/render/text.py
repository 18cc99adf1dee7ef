"""Text for people: one block per input (its form depends on the result type), then a summary line.

The summary line is the same for every command::

    3 inputs: 2 passed, 1 failed; 1 error, 1 warning; top codes: EBL-EQUIPMENT-UNKNOWN (1), EBL-W (1)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from ..model import Report, Result, Severity, Summary
from . import Renderer, Sink, count, finding_line
from .validation import report_lines
from .verification import verification_lines

if TYPE_CHECKING:
    from ..families.openattestation import OAVerificationResult
    from ..registry.model import Recording
    from ..transfer.verify import VerificationResult


#: What a line of text must not carry raw: C0 and C1 controls and DEL (a newline would forge a line of
#: its own, an escape sequence drives the terminal: colours, window title, clear screen), the Unicode line
#: and paragraph separators (line breaks to str.splitlines and some terminals) and the bidirectional
#: controls (they reorder what is shown, "Trojan Source"). File names and document values reach the text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def printable(line: str) -> str:
    """``line`` with every character of :data:`_UNPRINTABLE` escaped as Python does (``\\n``, ``\\x1b``,
    ``\\u202e``): what the text shows stays one line and the reader still sees what was there."""
    return _UNPRINTABLE.sub(_escape, line)


def summary_line(summary: Summary) -> str:
    """Inputs, passed and failed, error and warning counts, and the most frequent codes."""
    line = (f"{count(summary.inputs, 'input')}: {summary.passed} passed, {summary.failed} failed; "
            f"{count(summary.counts[Severity.ERROR.value], 'error')}, "
            f"{count(summary.counts[Severity.WARNING.value], 'warning')}")
    top = summary.top_codes()
    if top:
        line += "; top codes: " + ", ".join(f"{code} ({n})" for code, n in top)
    return line


class TextRenderer(Renderer):
    """Each result in the text of its type; ``-q`` leaves out the inputs that pass, and info findings."""

    def __init__(self, out: Sink, *, quiet: bool = False, fail_on: Severity = Severity.ERROR,
                 show_document: bool = False) -> None:
        super().__init__(out, quiet=quiet, fail_on=fail_on)
        self.show_document = show_document

    def write(self, result: Result, failed: bool) -> None:
        if self.quiet and not failed:
            return
        if result.kind == "verification" and getattr(result, "family", None) == "openattestation":
            from .openattestation import oa_lines

            lines = oa_lines(cast("OAVerificationResult", result), quiet=self.quiet)
        elif result.kind == "verification":
            lines = verification_lines(cast("VerificationResult", result), quiet=self.quiet,
                                       show_document=self.show_document)
        elif isinstance(result, Report):
            lines = report_lines(result, failed, quiet=self.quiet)
        elif result.kind == "registration":
            from .registration import registration_lines

            lines = registration_lines(cast("Recording", result), quiet=self.quiet)
        else:  # a result type without a text form of its own: its bottom line and findings
            lines = [f"{result.source}: {result.outcome.value}",
                     *(finding_line(f) for f in result.findings if not (self.quiet and f.severity is Severity.INFO))]
        self.out.write("\n".join(printable(line) for line in lines) + "\n")

    def finish(self) -> None:
        self.out.write(printable(summary_line(self.summary)) + "\n")
