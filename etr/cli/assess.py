"""``etr assess``: the MLETR reliability assessment, one table of requirements per input."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..load import Limits, Source
from ..model import Result, Severity
from .options import trust_paths_option
from .run import run_inputs

ASSESS_FORMATS = ("text", "json", "jsonl", "html")
#: --fail-on level -> the lowest finding severity that fails an input (FAIL rows are errors, WARN rows
#: warnings, NOT_EVALUABLE rows info findings; ATTESTATION_REQUIRED rows never fail a run).
FAIL_ON = {"fail": Severity.ERROR, "warn": Severity.WARNING, "not-evaluable": Severity.INFO}

ASSESS_EXIT_HELP = """\b
Exit status:
  0  no requirement FAILs in any input (WARN, NOT_EVALUABLE and
     ATTESTATION_REQUIRED rows do not change it unless --fail-on asks)
  1  a requirement FAILs in at least one input (unreadable inputs
     included), or with --fail-on warn a row is WARN, or with
     --fail-on not-evaluable a row is WARN or NOT_EVALUABLE
  2  usage error: bad option, unknown profile, an attestation file
     that is not of its schema, --registry without etr.registry

\b
Outcomes per requirement: PASS (evidence verified), FAIL (evidence
contradicts it), WARN (verified, with a weakness), NOT_EVALUABLE
(evidence missing or unreachable), ATTESTATION_REQUIRED (software
cannot establish it), NOT_APPLICABLE. The report never says
"compliant": it says what the evidence shows and what rests on
attestations.
"""

_DEFAULTS = Limits()


@click.command("assess", epilog=ASSESS_EXIT_HELP)
@click.argument("inputs", nargs=-1, required=True)
@trust_paths_option
@click.option("--profile", type=click.Choice(["mletr", "uk-etda-2023", "sg-eta-2021"]), default="mletr",
              show_default=True, help="The law to assess against: the UNCITRAL Model Law, the UK Electronic Trade "
                                      "Documents Act 2023, or Singapore's Electronic Transactions Act Part 2A.")
@click.option("--attestation", type=click.Path(dir_okay=False, path_type=Path),
              help="The platform's attestation (TOML or JSON; schemas/mletr/attestation-1.schema.json): rulebook, "
                   "audits, certifications, accreditations, access controls, change of medium. Recorded, not verified.")
@click.option("--registry", "registry", metavar="URL",
              help="A registry (sqlite:///path, postgresql://…) to compare each chain with: its current state, "
                   "forks, refused conflicts.")
@click.option("--at", "at", metavar="TIME",
              help="Assessment time (RFC 3339), default the time the run starts.")
@click.option("--format", "fmt", type=click.Choice(ASSESS_FORMATS), default="text", show_default=True,
              help="text: a table per input; json: one run document; jsonl: one object per line; html: one "
                   "self-contained report to read and print.")
@click.option("-q", "--quiet", is_flag=True, help="Text lists only the inputs that fail (and the summary).")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="fail", show_default=True,
              help="Lowest row outcome that makes an input fail: fail, warn, or not-evaluable (each includes the "
                   "ones before it).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Work in N processes; output keeps input order.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help=f"Largest input accepted [{_DEFAULTS.max_bytes // 2**20} MiB].")
@click.option("--max-depth", type=click.IntRange(min=1), default=None,
              help=f"Deepest nesting accepted [{_DEFAULTS.max_depth}].")
def assess_cmd(inputs: tuple[str, ...], trust_paths: tuple[Path, ...], profile: str, attestation: Path | None,
               registry: str | None, at: str | None, fmt: str, quiet: bool, fail_on: str, jobs: int,
               max_bytes: int | None, max_depth: int | None) -> None:
    """Assess electronic transferable records against the MLETR reliability
    requirements (arts. 6-19), or the UK ETDA 2023 / Singapore ETA profile.

    INPUTS are files, directories (walked recursively), glob patterns, or -
    for standard input: DCSA PINT envelopes, DCSA transport documents, and
    any document etr recognises (certificates are classified as not
    transferable: arts. 10, 11 and 15-18 do not apply).

    Each requirement gets an outcome, a one-line reason and its evidence:
    the document, the transfer chain verified with --trust, the registry
    (--registry) and the platform's attestation (--attestation).
    """
    from datetime import UTC, datetime

    from ..mletr.assessor import AssessOptions, assess_source
    from ..mletr.attestation import load_attestation
    from ..render.assessment import make_assess_renderer
    from ..transfer.model import format_datetime

    options = AssessOptions(tuple(str(p) for p in trust_paths), profile,
                            load_attestation(attestation) if attestation is not None else None, registry,
                            at if at is not None else format_datetime(datetime.now(UTC)),  # --at "" is checked, not now
                            limits=Limits(max_bytes or _DEFAULTS.max_bytes, max_depth or _DEFAULTS.max_depth))
    options.check()
    work: Callable[[Source], Result] = functools.partial(assess_source, options=options)
    make: Any = functools.partial(make_assess_renderer, fmt)
    run_inputs("assess", inputs, work, fmt=fmt, jobs=jobs, quiet=quiet, fail_on=FAIL_ON[fail_on], make=make)
