"""``etr validate``: check documents against their standard."""

from __future__ import annotations

import functools

import click

from ..families import FAMILY_NAMES, versions_summary
from ..load import Limits
from ..model import Severity
from ..validate import ENGINES, Options, validate_source
from .options import VALIDATE_EXIT_HELP, batch_options, schema_version_option
from .run import run_inputs


@click.command("validate", epilog=VALIDATE_EXIT_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--family", type=click.Choice(FAMILY_NAMES), help="Force the document family instead of detecting it.")
@schema_version_option(lambda: f"Version of the standard to validate against; known: {versions_summary()}. "
                       "FAMILY=VERSION applies it to that family's inputs only (a mixed batch).")
@click.option("--engine", type=click.Choice(ENGINES), default="native", show_default=True,
              help="Rule engine for e-invoices (en16931): etr's native rules, or the official XSLT rules run by "
                   "SaxonC-HE (needs: pip install 'etr[official]').")
@batch_options
def validate_cmd(paths: tuple[str, ...], family: str | None, version: str | None, engine: str, fmt: str, quiet: bool,
                 jobs: int, fail_on: Severity, limits: Limits) -> None:
    """Validate documents against their standard's schema and business rules.

    PATHS are files, directories (walked recursively for .json, .jsonld, .tt, .xml
    and .pdf files), glob patterns, or - for standard input. The family is
    detected from each document's content unless --family is given.
    """
    options = Options(family, version, limits, engine)
    options.check()
    run_inputs("validate", paths, functools.partial(validate_source, options=options), fmt=fmt, jobs=jobs,
               quiet=quiet, fail_on=fail_on)
