"""Renderers shared by the CLI (and later a service): text, JSON, JSON Lines.

Each renderer is a small class fed one report at a time, so batches stream.
"""

from __future__ import annotations

import json
from typing import IO

from ..model import REPORT_FORMAT_VERSION, Report, Severity, Summary, run_head, run_tail


class Renderer:
    """Writes reports to a stream as they come."""

    def __init__(self, out: IO[str], *, quiet: bool = False, fail_on: Severity = Severity.ERROR) -> None:
        self.out = out
        self.quiet = quiet
        self.fail_on = fail_on
        self.total = 0
        self.failed = 0
        self.summary = Summary()

    def fails(self, report: Report) -> bool:
        return not report.passes(strict=self.fail_on is not Severity.ERROR) or (
            self.fail_on is Severity.INFO and bool(report.findings))

    def start(self) -> None:
        """Called before the first report."""

    def add(self, report: Report) -> None:
        self.total += 1
        failed = self.fails(report)
        if failed:
            self.failed += 1
        self.summary.add(report, failed)
        self.write(report)

    def write(self, report: Report) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last report."""


def _count(n: int, severity: Severity) -> str:
    plural = "s" if n != 1 and severity is not Severity.INFO else ""
    return f"{n} {severity.value}{plural}"


class TextRenderer(Renderer):
    """One header line per input, then one line per finding."""

    def write(self, report: Report) -> None:
        failed = self.fails(report)
        if self.quiet and not failed:
            return
        kind = f"{report.family} {report.version}" if report.family else "unrecognised"
        verdict = "FAIL" if failed else "ok"
        counts = ", ".join(_count(report.count(s), s) for s in Severity)
        lines = [f"{report.source}: {verdict} [{kind}] ({counts})"]
        for f in report.findings:
            if self.quiet and f.severity is Severity.INFO:
                continue
            where = f" at {f.location}" if f.location is not None else ""
            lines.append(f"  {f.severity.value:<7} {f.code}{where}: {f.message}")
        self.out.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        if not self.quiet:
            self.out.write(f"{self.total} input{'s' if self.total != 1 else ''}: "
                           f"{self.total - self.failed} passed, {self.failed} failed\n")


class JsonLinesRenderer(Renderer):
    """One JSON object per input and line."""

    def write(self, report: Report) -> None:
        self.out.write(json.dumps({"formatVersion": REPORT_FORMAT_VERSION, **report.to_dict()},
                                  ensure_ascii=False) + "\n")


class JsonRenderer(Renderer):
    """One JSON document for the whole run, written incrementally."""

    def __init__(self, out: IO[str], *, tool_version: str, **kwargs: object) -> None:
        super().__init__(out, **kwargs)  # type: ignore[arg-type]
        self.tool_version = tool_version

    def start(self) -> None:
        self.out.write(json.dumps(run_head(self.tool_version, "validate"))[:-1] + ', "reports": [')

    def write(self, report: Report) -> None:
        sep = "\n" if self.total == 1 else ",\n"
        self.out.write(sep + json.dumps(report.to_dict(), ensure_ascii=False))

    def finish(self) -> None:
        self.out.write("\n], " + json.dumps(run_tail(self.summary))[1:] + "\n")


def make_renderer(fmt: str, out: IO[str], *, quiet: bool, fail_on: Severity, tool_version: str) -> Renderer:
    """The renderer for ``--format``."""
    if fmt == "json":
        return JsonRenderer(out, quiet=quiet, fail_on=fail_on, tool_version=tool_version)
    if fmt == "jsonl":
        return JsonLinesRenderer(out, quiet=quiet, fail_on=fail_on)
    return TextRenderer(out, quiet=quiet, fail_on=fail_on)
