"""The forms of an MLETR :class:`~etr.mletr.result.Assessment`: text (a table per input) and a
self-contained HTML report (Jinja2, autoescaping on: every value that came from a document is text).

Text, per input::

    env.json: WARN [MLETR] bill of lading (DCSA PINT envelope): transferable record
      holders: Nordic Timber AB [EBL1] → Hanseatic Bank AG [EBL2]; current holder: Hanseatic Bank AG [EBL2]
      R00-CLASSIFY                 PASS                  MLETR art. 1; MLETR art. 2
          bill of lading (DCSA PINT envelope): a transferable record (…)
      R11-1a-EXCLUSIVE             FAIL                  MLETR art. 11(1)(a)
          more than one person exercised control (PINT-CHAIN-FORK)
          evidence: PINT-CHAIN-FORK at /envelopeTransferChain/2
      …
      The evidence shows: …; Resting on attestations: …

JSON and JSON Lines are the shared renderers (``to_dict()``, ``schemas/report/assessment-2.schema.json``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from .. import __version__
from ..model import Outcome, Result, Severity
from . import Renderer, Sink, finding_line, make_renderer
from .text import TextRenderer, printable

if TYPE_CHECKING:
    import jinja2

    from ..mletr.result import Assessment

__all__ = ["HtmlRenderer", "assessment_lines", "make_assess_renderer", "render_html"]

_WIDTH_ID = 29
_WIDTH_OUTCOME = 21
#: The text names at most this many pieces of evidence of a row that is not PASS (JSON and HTML: all).
_REFS_SHOWN = 3


def assessment_lines(a: Assessment, *, quiet: bool = False) -> list[str]:
    """The text of one assessment: a header, the chain in one line, a row per requirement (outcome and
    references, then the reason indented), the statement of what the evidence shows."""
    c = a.classification
    kind = {"transferable": "transferable record", "not-transferable": "not a transferable record",
            "unknown": "type not recognised"}[c.kind]
    lines = [f"{a.source}: {a.outcome.value} [{a.profile.short}] {c.document_type}: {kind}"]
    if a.holders:
        lines.append(f"  holders: {' → '.join(a.holders)}; current holder: {a.current_holder}")
    lines.extend(f"  note: {n}" for n in a.notes)
    for r in a.rows:
        if quiet and r.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
            continue
        basis = " (attestation)" if r.basis == "attestation" else ""
        lines.append(f"  {r.id:<{_WIDTH_ID}}{(r.outcome.value + basis):<{_WIDTH_OUTCOME}} {'; '.join(r.articles)}")
        lines.append(f"      {r.reason}")
        if r.refs and r.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.NOT_EVALUABLE):
            shown = "; ".join(ref.ref for ref in r.refs[:_REFS_SHOWN])
            more = f" (+{len(r.refs) - _REFS_SHOWN} more)" if len(r.refs) > _REFS_SHOWN else ""
            lines.append(f"      evidence: {shown}{more}")
    counts = a.summary()["counts"]
    lines.append("  " + ", ".join(f"{n} {o}" for o, n in counts.items() if n))
    lines.append("  " + a.statement())
    lines.extend(finding_line(f) for f in a.findings if not f.code.startswith("MLETR-"))
    return lines


class AssessmentTextRenderer(TextRenderer):
    """The shared text renderer, with an assessment's table for assessments."""

    def write(self, result: Result, failed: bool) -> None:
        if result.kind != "assessment":
            super().write(result, failed)
            return
        if self.quiet and not failed:
            return
        lines = assessment_lines(cast("Assessment", result), quiet=self.quiet)
        self.out.write("\n".join(printable(line) for line in lines) + "\n")


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    # Autoescaping on for every template: reasons, party names and file names come from documents.
    return jinja2.Environment(loader=jinja2.PackageLoader("etr.render", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _template() -> Any:
    return _environment().get_template("assessment.html.j2")


OUTCOME_CLASSES = {o.value: o.value.lower().replace("_", "-") for o in Outcome}


class HtmlRenderer(Renderer):
    """One self-contained HTML document for the run: a section per input, a summary at the end."""

    def __init__(self, out: Sink, *, command: str = "assess", tool_version: str = __version__, quiet: bool = False,
                 fail_on: Severity = Severity.ERROR) -> None:
        super().__init__(out, quiet=quiet, fail_on=fail_on)
        self.module = _template().module
        self.tool_version = tool_version
        self.command = command

    def start(self) -> None:
        self.out.write(str(self.module.head(self.tool_version, self.command)))

    def write(self, result: Result, failed: bool) -> None:
        if self.quiet and not failed:
            return
        if result.kind == "assessment":
            self.out.write(str(self.module.assessment(_view(cast("Assessment", result)), failed, OUTCOME_CLASSES)))
        else:
            self.out.write(str(self.module.other(result.source, result.outcome.value,
                                                 [f.to_dict() for f in result.findings], OUTCOME_CLASSES)))

    def finish(self) -> None:
        self.out.write(str(self.module.tail(self.summary.to_dict())))


def _view(a: Assessment) -> dict[str, Any]:
    """What the template reads: the JSON shape, plus the requirement rows' counts in order."""
    data = a.to_dict()
    data["outcomeCounts"] = [(o, n) for o, n in data["summary"]["counts"].items() if n]
    return data


def render_html(results: list[Assessment] | Assessment, *, fail_on: Severity = Severity.ERROR) -> str:
    """A whole HTML report for one or more assessments (for the library and the screenshot script)."""
    import io

    out = io.StringIO()
    renderer = HtmlRenderer(out, fail_on=fail_on)
    renderer.start()
    for r in results if isinstance(results, list) else [results]:
        renderer.add(r)
    renderer.finish()
    return out.getvalue()


def make_assess_renderer(fmt: str, out: Sink, *, command: str, tool_version: str, quiet: bool = False,
                         fail_on: Severity = Severity.ERROR) -> Renderer:
    """The renderer for ``etr assess --format``: text and html here, json and jsonl the shared ones.

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "text":
        return AssessmentTextRenderer(out, quiet=quiet, fail_on=fail_on)
    if fmt == "html":
        return HtmlRenderer(out, command=command, tool_version=tool_version, quiet=quiet, fail_on=fail_on)
    return make_renderer(fmt, out, command=command, tool_version=tool_version, quiet=quiet, fail_on=fail_on)
