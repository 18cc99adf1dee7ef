"""JSON and JSON Lines: every result's ``to_dict()``, in the shapes published in ``schemas/report/``.

``--format json`` prints one run document (``run-2.schema.json``), written as
results arrive: ``format``, ``formatVersion``, ``etrVersion``, ``command``,
``reports``, ``summary`` and ``outcome``. ``--format jsonl`` prints one result
per line, each with ``formatVersion``. Strings are written as they are
(``ensure_ascii=False``); the CLI encodes the output as UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import REPORT_FORMAT_VERSION, Result, Severity, run_head, run_tail
from . import Renderer, Sink


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class JsonLinesRenderer(Renderer):
    """One JSON object per input and line, in input order."""

    def write(self, result: Result, failed: bool) -> None:
        self.out.write(_dumps({"formatVersion": REPORT_FORMAT_VERSION, **result.to_dict()}) + "\n")


class JsonRenderer(Renderer):
    """One JSON run document for the whole run, written incrementally."""

    def __init__(self, out: Sink, *, command: str, tool_version: str, quiet: bool = False,
                 fail_on: Severity = Severity.ERROR) -> None:
        super().__init__(out, quiet=quiet, fail_on=fail_on)
        self.command = command
        self.tool_version = tool_version

    def start(self) -> None:
        self.out.write(_dumps(run_head(self.tool_version, self.command))[:-1] + ', "reports": [')

    def write(self, result: Result, failed: bool) -> None:
        self.out.write(("\n" if self.summary.inputs == 1 else ",\n") + _dumps(result.to_dict()))

    def finish(self) -> None:
        self.out.write("\n], " + _dumps(run_tail(self.summary))[1:] + "\n")
