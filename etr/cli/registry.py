"""``etr registry``: keep one authoritative PINT chain per transferable record (:mod:`etr.registry`).

``init`` creates or migrates the schema; ``record`` records envelopes (files, directories, globs, ``-``,
with the options every command that reads documents shares); ``status``, ``history`` and ``find`` read a
record, named by its carrier code and transport document reference.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import click

from ..errors import UsageError
from ..load import Limits, LoadError, Source
from ..model import Result, Severity
from ..render.text import printable
from .options import batch_options, trust_paths_option
from .run import run_inputs

RECORD_EXIT_HELP = """\b
Exit status:
  0  every envelope is recorded (RECE) or already was (DUPE; a stale copy
     warns, REG-STALE), with no finding at the --fail-on severity
  1  at least one is refused: DISE (it contradicts the recorded chain),
     BSIG (a signature, or a key the trust store cannot bind to its
     platform offline), BENV (a bad envelope); or the registry cannot be
     opened (REG-UNAVAILABLE, REG-UNINITIALISED, REG-SCHEMA-NEWER)
  2  usage error: bad option or URL, no --trust, no input
"""

READ_EXIT_HELP = """\b
Exit status:
  0  the record was found
  1  no such record, or the registry cannot be opened
  2  usage error
"""

_db = click.option("--db", "db", required=True, metavar="URL", envvar="ETR_REGISTRY_URL",
                   help="The registry: sqlite:///relative.db, sqlite:////absolute.db or postgresql://user@host/db "
                        "(also from ETR_REGISTRY_URL).")
_read_format = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                            show_default=True, help="text: for people; json: one document (its JSON Schema: "
                                                    "schemas/report/registry-<command>-2.schema.json).")
_record_args = (click.argument("carrier_code", metavar="CARRIER"),
                click.argument("reference", metavar="REFERENCE"),
                click.option("--issuance", metavar="CHECKSUM",
                             help="The record's issuance manifest checksum (or its first 8+ hex digits) when the "
                                  "carrier issued the reference more than once (an amended eBL)."))


def _record_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_record_args):
        command = option(command)
    return command


@click.group("registry")
def registry_cmd() -> None:
    """Keep one authoritative DCSA PINT chain per transferable record.

    The registry remembers every chain it accepted and refuses a second
    successor of an entry (a double transfer): DISE. SQLite (one machine) or
    PostgreSQL (several nodes share one), chosen by --db URL.
    """


INIT_EXIT_HELP = """\b
Exit status:
  0  the schema is in place (created, migrated or up to date)
  1  the registry cannot be opened or written, or a newer etr wrote it
  2  usage error
"""


@registry_cmd.command("init", epilog=INIT_EXIT_HELP)
@_db
def init_cmd(db: str) -> None:
    """Create the registry's schema, or migrate it to this etr's version."""
    import etr.registry

    reg = etr.registry.open(db)
    before, after = reg.backend.migrate()
    what = "created" if before == 0 else "up to date" if before == after else f"migrated from version {before}"
    click.echo(f"registry {reg.backend.describe()}: schema version {after} ({what})")


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """How ``etr registry record`` records each input (picklable, for ``-j N`` worker processes)."""

    db: str
    trust: tuple[str, ...]
    mode: Literal["strict", "legacy"] = "strict"
    at: str | None = None
    limits: Limits = field(default_factory=Limits)


def record_source(source: Source, options: RecordOptions) -> Result:
    """Record one input (used by the CLI and its worker processes)."""
    from ..registry.model import Recording
    from ..verify import registry_of, trust_store

    try:
        data = source.read(options.limits)
    except LoadError as exc:
        return Recording(source.name, "BENV", (exc.finding,))
    recording: Recording = registry_of(options.db).record(data, trust=trust_store(options.trust), at=options.at,
                                                          source=source.name, mode=options.mode,
                                                          limits=options.limits)
    return recording


@registry_cmd.command("record", epilog=RECORD_EXIT_HELP)
@click.argument("envelopes", nargs=-1, required=True)
@_db
@trust_paths_option
@click.option("--mode", type=click.Choice(["strict", "legacy"]), default="strict", show_default=True,
              help="strict: PINT 3.0 as published; legacy: accept pre-2025-11 fields as warnings.")
@click.option("--at", "at", metavar="TIME",
              help="Verification time (RFC 3339), default the time the run starts.")
@batch_options
def record_cmd(envelopes: tuple[str, ...], db: str, trust_paths: tuple[Path, ...], mode: str, at: str | None,
               fmt: str, quiet: bool, jobs: int, fail_on: Severity, limits: Limits) -> None:
    """Record DCSA PINT 3.0 envelopes in the registry.

    ENVELOPES are files, directories (walked recursively for .json, .jsonld,
    .xml and .pdf files), glob patterns, or - for standard input.

    Each gets the answer a receiving platform gives: RECE (new entries
    recorded), DUPE (already recorded; a re-signed copy too), DISE (it
    contradicts the recorded chain: another successor of an entry, or another
    issuance of a live record), BSIG or BENV (it does not verify). Only the
    entries after the recorded ones are verified, against the stored head.
    """
    from ..transfer.model import format_datetime, parse_datetime
    from ..verify import registry_of, trust_store

    if at is not None:
        try:
            parse_datetime(at)
        except ValueError as exc:
            raise UsageError(f"--at: {exc}", code="PINT-AT", hint="e.g. 2026-06-01T12:00:00Z") from None
    if not trust_paths:
        raise UsageError("no trust store: give the platforms' public keys, certificates or registry",
                         code="PINT-NO-TRUST", hint="e.g. --trust keys/ --trust eblsolutionproviders.csv")
    options = RecordOptions(db, tuple(str(p) for p in trust_paths), "legacy" if mode == "legacy" else "strict",
                            at or format_datetime(datetime.now(UTC)), limits)
    if trust_store(options.trust).is_empty():
        raise UsageError("no trust store: the --trust paths hold no key", code="PINT-NO-TRUST")
    registry_of(db).find("", "")  # fails now (exit 1) when the registry cannot be used
    work: Callable[[Source], Result] = functools.partial(record_source, options=options)
    run_inputs("registry record", envelopes, work, fmt=fmt, jobs=jobs, quiet=quiet, fail_on=fail_on)


def _keys(db: str, carrier_code: str, reference: str, issuance: str | None,
          document: str | None = None) -> tuple[Any, list[Any]]:
    """The registry and the records named on the command line (exit 1 when there is none, after printing
    ``document``'s JSON with no records when one is asked for)."""
    import etr.registry

    reg = etr.registry.open(db)
    keys = list(reg.find(carrier_code, reference))
    if issuance is not None:
        if len(issuance) < 8:
            raise UsageError("--issuance: give at least 8 hex digits of the issuance manifest checksum",
                             code="REG-USAGE")
        keys = [k for k in keys if k.issuance_manifest_checksum.startswith(issuance.lower())]
    if not keys:
        if document is not None:
            _echo_document(document, [])
        click.echo(f"etr: no record of carrier {carrier_code!r} reference {reference!r}"
                   + (f" issuance {issuance}…" if issuance else "") + f" in {reg.backend.describe()}\n"
                   "  hint: CARRIER is the transport document's carrierCode and REFERENCE its "
                   "transportDocumentReference (the first line of `etr registry record`'s answer shows both as "
                   "CARRIER/REFERENCE), not the code of a platform such as the one that issued it", err=True)
        raise SystemExit(1)
    return reg, keys


def _echo_document(command: str, records: list[Any]) -> None:
    """Print the JSON document of ``etr registry status|history|find`` (``schemas/report/registry-*-2``)."""
    from .. import __version__
    from ..model import REPORT_FORMAT_VERSION

    click.echo(json.dumps({"format": "etr-registry", "formatVersion": REPORT_FORMAT_VERSION, "etrVersion": __version__,
                           "command": command, "records": records}, ensure_ascii=False))


@registry_cmd.command("status", epilog=READ_EXIT_HELP)
@_record_options
@_db
@_read_format
def status_cmd(carrier_code: str, reference: str, issuance: str | None, db: str, fmt: str) -> None:
    """Who holds the record now, on which platform, and in which state."""
    reg, keys = _keys(db, carrier_code, reference, issuance)
    statuses = [s for s in (reg.status(k) for k in keys) if s is not None]
    if fmt == "json":
        _echo_document("registry status", [s.to_dict() for s in statuses])
        return
    for s in statuses:  # the document's strings escaped, as `record` and `validate` print them
        click.echo(printable(f"{s.key.describe()}: {s.state}; holder {s.holder_text()}; {s.entries} "
                             f"entr{'y' if s.entries == 1 else 'ies'}, head {s.head_checksum[:8]}…"
                             f"{s.head_checksum[-4:]}, updated {s.updated_at}; {s.conflicts} conflict(s) refused"))


@registry_cmd.command("history", epilog=READ_EXIT_HELP)
@_record_options
@_db
@_read_format
def history_cmd(carrier_code: str, reference: str, issuance: str | None, db: str, fmt: str) -> None:
    """Every accepted entry of the record: its actions, signer, and when it was recorded."""
    reg, keys = _keys(db, carrier_code, reference, issuance)
    records = [(k, reg.history(k)) for k in keys]
    if fmt == "json":
        _echo_document("registry history", [{"key": k.to_dict(), "entries": [h.to_dict() for h in history]}
                                            for k, history in records])
        return
    for k, history in records:
        click.echo(printable(f"{k.describe()}:"))
        for h in history:
            to = f" → {h.recipient_platform}" if h.recipient_platform else ""
            click.echo(printable(f"  [{h.index}] {' '.join(h.actions)} {h.actor_platform}{to} at "
                                 f"{h.action_date_time}; signed by {h.signer}; recorded {h.recorded_at}; "
                                 f"#{h.checksum[:8]}…{h.checksum[-4:]}"))


@registry_cmd.command("find", epilog=READ_EXIT_HELP)
@click.argument("carrier_code", metavar="CARRIER")
@click.argument("reference", metavar="REFERENCE")
@_db
@_read_format
def find_cmd(carrier_code: str, reference: str, db: str, fmt: str) -> None:
    """The records of a carrier code and transport document reference (several after an amendment)."""
    _, keys = _keys(db, carrier_code, reference, None, "registry find" if fmt == "json" else None)
    if fmt == "json":
        _echo_document("registry find", [k.to_dict() for k in keys])
        return
    for k in keys:
        click.echo(printable(f"{k.carrier_code} {k.transport_document_reference} {k.issuance_manifest_checksum}"))
