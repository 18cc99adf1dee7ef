"""``etr verify``: verify DCSA PINT 3.0 envelopes and tell the story of each chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..crypto.trust import trust_options
from . import EXIT_CODES_HELP, EXIT_FAIL, EXIT_OK

if TYPE_CHECKING:
    from ..crypto.trust import TrustStore
    from ..transfer.model import Party
    from ..transfer.verify import VerificationResult

VERIFY_FORMAT_VERSION = "1.0"
#: The text output names at most this many holders (the first and the last half).
_HOLDERS_SHOWN = 10


@click.command("verify", epilog=EXIT_CODES_HELP + """
\b
A FAIL (exit 1) carries the PINT response code a receiving platform would
answer: BSIG (signature), BENV (envelope), DISE (disputed: fork or replay),
INCD (document mismatch), MDOC (document missing). WARN, NOT_EVALUABLE
(e.g. a control tracking registry is named) and PASS exit 0.
""")
@click.argument("envelopes", nargs=-1, required=True)
@trust_options
@click.option("--mode", type=click.Choice(["strict", "legacy"]), default="strict", show_default=True,
              help="strict: PINT 3.0 as published; legacy: accept pre-2025-11 fields (action, timestamp, ISSU/TRNS, "
                   "root-level issuance manifest) as warnings, as the DCSA Conformance Gateway sends them.")
@click.option("--expect-recipient", metavar="PLATFORM|PARTY.json",
              help="The last transaction must be addressed to this platform code, or to the party in this JSON file.")
@click.option("--document", "documents", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A supporting document or the carrier's visualisation (decoded bytes), matched to the manifest by "
                   "checksum or file name. Repeatable; when given, every document the manifest names must be given.")
@click.option("--require-documents", is_flag=True, help="Fail (MDOC) when the manifest names documents not given.")
@click.option("--at", "at", metavar="TIME",
              help="Verification time (RFC 3339), default now: the manifest's certificates must be valid then. "
                   "Entries' certificates are checked at their own transaction time.")
@click.option("--carrier-platform", metavar="CODE",
              help="Platform code whose keys sign for the carrier (default: the first entry's platform).")
@click.option("--issue-to", "issue_to", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The Issuance API IssueToParty JSON, to check the issuance manifest's issueToChecksum.")
@click.option("--no-td", is_flag=True, help="Do not validate the embedded transport document.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the story of each chain; json: one document with every result.")
def verify_cmd(envelopes: tuple[str, ...], trust_store: TrustStore, mode: str, expect_recipient: str | None,
               documents: tuple[Path, ...], require_documents: bool, at: str | None, carrier_platform: str | None,
               issue_to: Path | None, no_td: bool, fmt: str) -> None:
    """Verify DCSA PINT 3.0 envelopes (EblEnvelope JSON files, or - for stdin).

    Checks every signature against the keys trusted with --trust (bound to
    platforms by a registry CSV when one is given), the hash links of the
    chain, the TD checksum, the carrier-signed issuance manifest, the
    possession/endorsement state machine, and optionally the recipient and the
    supporting documents. Prints, per entry, who signed with which key, the
    actions, and who held the eBL after them.
    """
    from .. import __version__
    from ..errors import UsageError
    from ..load import Limits, LoadError, Source
    from ..transfer.verify import verify_envelope

    if trust_store.is_empty():
        raise UsageError("no trust store: give --trust with the platforms' public keys, certificates or registry",
                         code="PINT-NO-TRUST", hint="e.g. --trust keys/ --trust eblsolutionproviders.csv")
    recipient: str | Party | None = _recipient(expect_recipient)
    issue_to_party = _json_file(issue_to, "--issue-to") if issue_to is not None else None
    docs = {p.name: p.read_bytes() for p in documents} if documents else None
    results: list[dict[str, Any]] = []
    failed = 0
    for name in envelopes:
        source = Source("<stdin>") if name == "-" else Source(name, Path(name), missing=not Path(name).exists())
        try:
            raw = source.read(Limits())
        except LoadError as exc:
            raw = b""
            click.echo(f"etr: {exc.diagnostics()}", err=True)
        result = verify_envelope(raw, trust_store, mode="legacy" if mode == "legacy" else "strict",
                                 expected_recipient=recipient, supporting_documents=docs,
                                 require_documents=require_documents, at=at, carrier_platform=carrier_platform,
                                 issue_to=issue_to_party, validate_document=not no_td, source=source.name)
        failed += not result.ok
        if fmt == "json":
            results.append(result.to_dict())
        else:
            click.echo("\n".join(render_text(result)))
    if fmt == "json":
        doc = {"format": "etr-pint-verify", "formatVersion": VERIFY_FORMAT_VERSION, "etrVersion": __version__,
               "ok": failed == 0, "results": results}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif len(envelopes) > 1:
        click.echo(f"{len(envelopes)} envelopes: {len(envelopes) - failed} verified, {failed} failed")
    raise SystemExit(EXIT_FAIL if failed else EXIT_OK)


def _json_file(path: Path, what: str) -> dict[str, Any]:
    from ..errors import UsageError
    from ..load import LoadError, load_json

    try:
        data = load_json(path.read_bytes(), str(path)).content
    except (OSError, LoadError) as exc:
        raise UsageError(f"{what} {path}: {exc}", code="PINT-USAGE") from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} {path}: not a JSON object", code="PINT-USAGE")
    return data


def _recipient(value: str | None) -> str | Party | None:
    if value is None:
        return None
    path = Path(value)
    if value.lower().endswith(".json") or path.is_file():
        from ..errors import UsageError
        from ..transfer.model import Party, PintModelError

        try:
            return Party.from_dict(_json_file(path, "--expect-recipient"), str(path))
        except PintModelError as exc:
            raise UsageError(f"--expect-recipient {path}: {exc}", code="PINT-PARTY") from None
    return value


def _short(checksum: str | None) -> str:
    return f"{checksum[:8]}…{checksum[-4:]}" if checksum else "?"


def render_text(result: VerificationResult) -> list[str]:
    """The story of one envelope, one line per fact, findings last."""
    from ..model import Severity

    lines = [f"{result.source}: {result.outcome.value} (response {result.response_code}) [{result.mode}]"]
    if result.transport_document_checksum:
        td = result.td_report
        note = ""
        if td is not None:
            note = (f"; TD report: {td.count(Severity.ERROR)} errors, {td.count(Severity.WARNING)} warnings "
                    "(informative)")
        lines.append(f"  transport document {_short(result.transport_document_checksum)}{note}")
    iss = result.issuance
    if iss is not None:
        bits = [f"carrier platform {iss.carrier_platform}", f"signature {iss.signature.describe()}"]
        if iss.document_checksum is not None:
            bits.append("documentChecksum " + ("ok" if iss.document_checksum_ok else "MISMATCH"))
        if iss.issue_to_checksum is not None:
            bits.append("issueTo " + {True: f"verified ({iss.issue_to_basis})", False: "MISMATCH",
                                      None: "not verifiable"}[iss.issue_to_verified])
        lines.append(f"  issuance ({iss.placement}): " + "; ".join(bits))
    steps: dict[int, list[str]] = {}
    for s in result.steps:
        arrow = f" → {s.recipient.describe()}" if s.recipient else ""
        steps.setdefault(s.entry, []).append(f"{s.action.value} by {s.actor.describe()}{arrow}")
    for e in result.entries:
        mark = "ok " if e.ok else "BAD"
        lines.append(f"  [{mark}] entry {e.index}  {e.platform or '?'}  signed {e.signed_at or '?'}  "
                     f"{e.signature.describe()}  #{_short(e.checksum)}")
        applied = steps.get(e.index)
        if applied:
            for text in applied:
                lines.append(f"        {text}")
        elif e.actions:
            why = "not applied" if e.signature.verified else "unverified: not applied"
            lines.append(f"        {', '.join(e.actions)} ({why})")
        if e.holder_after is not None:
            lines.append(f"        holder after: {e.holder_after.describe()}")
    m = result.manifest
    if m is not None:
        bits = [f"signature {m.signature.describe()}",
                "last entry checksum " + ("ok" if m.last_entry_checksum_ok else "MISMATCH"),
                "TD checksum " + ("ok" if m.transport_document_checksum_ok else "MISMATCH")]
        if m.documents:
            counts: dict[str, int] = {}
            for d in m.documents:
                counts[d.status] = counts.get(d.status, 0) + 1
            bits.append("documents " + ", ".join(f"{n} {status}" for status, n in counts.items()))
        lines.append("  manifest: " + "; ".join(bits))
    if result.holders:
        holders = [h.describe() for h in result.holders]
        head = "  holders: "
        if len(holders) > _HOLDERS_SHOWN:  # a long chain: its ends (every holder is in the entries above)
            half = _HOLDERS_SHOWN // 2
            head = f"  holders ({len(holders):,}): "
            holders = [*holders[:half], f"… {len(holders) - 2 * half:,} more …", *holders[-half:]]
        lines.append(head + " → ".join(holders))
    lines.append(f"  current holder: {result.current_holder.describe() if result.current_holder else 'unknown'}")
    for f in result.findings:
        detail = f.detail or {}
        response = f" [{detail['responseCode']}]" if f.severity is Severity.ERROR and "responseCode" in detail else ""
        where = f" at {f.location}" if f.location is not None and f.location.pointer else ""
        lines.append(f"  {f.severity.value:<7} {f.code}{response}{where}: {f.message}")
    return lines
