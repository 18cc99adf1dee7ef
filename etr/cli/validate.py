"""``etr validate``: check documents against their standard."""

from __future__ import annotations

import sys
import time

import click

from .. import __version__
from ..batch import run_batch
from ..load import Limits, expand_inputs
from ..model import Severity
from ..render import make_renderer
from ..validate import Options
from . import EXIT_CODES_HELP, EXIT_FAIL, EXIT_OK

FAMILY_CHOICES = ["dcsa-ebl", "dcsa-pint"]


class _Progress:
    """A progress bar on stderr, shown only on a terminal and for batches of 20 inputs or more.

    The total is counted by walking the inputs once more (cheap next to validating them).
    """

    MIN_INPUTS = 20
    WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total = total
        self.enabled = total >= self.MIN_INPUTS
        self.count = 0
        self.failed = 0
        self.last = 0.0

    def step(self, failed: bool) -> None:
        self.count += 1
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.1 or self.count == self.total):
            self.last = now
            done = self.WIDTH * self.count // max(self.total, 1)
            bar = "#" * done + "-" * (self.WIDTH - done)
            click.echo(f"\r[{bar}] {self.count}/{self.total}, {self.failed} failed", err=True, nl=False)

    def close(self) -> None:
        if self.enabled:
            click.echo("", err=True)


@click.command("validate", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True,
              help="text: one line per finding, grouped by input; json: one document; jsonl: one object per input.")
@click.option("--family", type=click.Choice(FAMILY_CHOICES), help="Force the document family instead of detecting it.")
@click.option("--schema-version", "version", metavar="VERSION",
              help="Version of the standard to validate against (dcsa-ebl: 3.0.0 to 3.0.4; default 3.0.4).")
@click.option("--strict", is_flag=True, help="Warnings fail too (same as --fail-on warning).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that makes an input fail [default: error].")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Validate in N processes; output keeps input order.")
@click.option("-q", "--quiet", is_flag=True, help="Print only inputs that fail; no summary, no progress.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Largest input accepted [16 MiB].")
@click.option("--max-depth", type=click.IntRange(min=1), default=None, help="Deepest nesting accepted [128].")
def validate_cmd(paths: tuple[str, ...], fmt: str, family: str | None, version: str | None, strict: bool,
                 fail_on: str | None, jobs: int, quiet: bool, max_bytes: int | None, max_depth: int | None) -> None:
    """Validate documents against their standard's schema and business rules.

    PATHS are files, directories (walked recursively for .json, .jsonld, .xml
    and .pdf files), glob patterns, or - for standard input. The family is
    detected from each document's content unless --family is given.
    """
    threshold = Severity(fail_on) if fail_on else (Severity.WARNING if strict else Severity.ERROR)
    if strict and fail_on == "error":
        raise click.UsageError("--strict and --fail-on error contradict each other")
    limits = Limits(max_bytes or Limits().max_bytes, max_depth or Limits().max_depth)
    options = Options(family, version, limits)
    options.check()

    renderer = make_renderer(fmt, sys.stdout, quiet=quiet, fail_on=threshold,
                             tool_version=__version__)
    interactive = not quiet and sys.stderr.isatty() and "-" not in paths
    progress = _Progress(sum(1 for _ in expand_inputs(paths)) if interactive else 0)
    renderer.start()
    for report in run_batch(expand_inputs(paths), options, jobs=jobs):
        renderer.add(report)
        progress.step(renderer.fails(report))
    renderer.finish()
    progress.close()
    raise SystemExit(EXIT_FAIL if renderer.failed else EXIT_OK)
