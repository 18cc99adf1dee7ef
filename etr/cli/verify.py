"""``etr verify``: verify DCSA PINT 3.0 envelopes (the story of each chain) and TradeTrust / OpenAttestation
documents (integrity, DID signature, what needs the network), each input after what it is."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..load import Limits, Source
from ..model import Result, Severity
from .options import VERIFY_EXIT_HELP, batch_options, registry_option, schema_version_option, trust_paths_option
from .run import run_inputs


@click.command("verify", epilog=VERIFY_EXIT_HELP)
@click.argument("envelopes", nargs=-1, required=True, metavar="INPUTS...")
@trust_paths_option
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
              help="Verification time (RFC 3339), default the time the run starts: the manifest's certificates must "
                   "be valid then. Entries' certificates are checked at their own transaction time.")
@click.option("--carrier-platform", metavar="CODE",
              help="Platform code whose keys sign for the carrier (default: the first entry's platform).")
@click.option("--issue-to", "issue_to", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The Issuance API IssueToParty JSON, to check the issuance manifest's issueToChecksum.")
@click.option("--no-td", is_flag=True, help="Do not validate the embedded transport document.")
@schema_version_option("DCSA eBL version to validate the embedded transport document against (3.0.0 to 3.0.4; "
                       "default 3.0.4).")
@registry_option
@click.option("--show-document", is_flag=True,
              help="Text lists the embedded transport document's findings (its validation report).")
@batch_options
def verify_cmd(envelopes: tuple[str, ...], trust_paths: tuple[Path, ...], mode: str, expect_recipient: str | None,
               documents: tuple[Path, ...], require_documents: bool, at: str | None, carrier_platform: str | None,
               issue_to: Path | None, no_td: bool, version: str | None, registry: str | None, show_document: bool,
               fmt: str, quiet: bool, jobs: int, fail_on: Severity, limits: Limits) -> None:
    """Verify DCSA PINT 3.0 envelopes and TradeTrust / OpenAttestation documents.

    INPUTS are files, directories (walked recursively for .json, .jsonld,
    .tt, .xml and .pdf files), glob patterns, or - for standard input. Each
    is verified after what it is.

    A PINT envelope (EblEnvelope JSON): every signature against the keys
    trusted with --trust, each bound to its platform by the registry CSV given
    there, the hash links of the chain, the TD checksum, the carrier-signed
    issuance manifest, the possession/endorsement state machine, and
    optionally the recipient and the supporting documents. Prints, per entry,
    who signed with which key, the actions, and who held the eBL after them.
    Without --trust an envelope FAILs (PINT-NO-TRUST); the batch goes on.

    An OpenAttestation document (v2, v3, v4): its integrity (targetHash,
    Merkle proof) and DID signature, offline, with no trust store; what needs
    the network (document store, token registry, DNS identity) is
    NOT_EVALUABLE with the contract, token id or domain to query. A
    trusted-issuers file given with --trust (TOML: format =
    "etr-trusted-issuers", then [[issuer]] tables with domain, document-store,
    token-registry, did) makes identity PASS or FAIL. Parts of a document its
    hash does not protect are warnings (OA-UNPROTECTED-...): --strict refuses them.
    """
    from datetime import UTC, datetime

    from ..transfer.model import format_datetime
    from ..verify import Options, verify_source

    options = Options(
        tuple(str(p) for p in trust_paths), "legacy" if mode == "legacy" else "strict",
        # One verification time for the whole run, so that every result of a batch is judged at the same instant.
        at if at is not None else format_datetime(datetime.now(UTC)),  # "" is refused, never "now"
        _recipient(expect_recipient), _documents(documents) if documents else None,
        require_documents, carrier_platform, _json_file(issue_to, "--issue-to") if issue_to is not None else None,
        not no_td, version, limits, tuple(str(p) for p in trust_paths), "fail", registry)
    options.check()
    work: Callable[[Source], Result] = functools.partial(verify_source, options=options)
    run_inputs("verify", envelopes, work, fmt=fmt, jobs=jobs, quiet=quiet, fail_on=fail_on,
               show_document=show_document)


def _documents(paths: tuple[Path, ...]) -> dict[str, bytes]:
    """The supporting documents by file name (the manifest names them so). Two files of one name would
    leave only the last in the map, silently: refused instead.

    Raises:
        UsageError: ``PINT-USAGE``: two --document files share a name, or one cannot be read.
    """
    from ..errors import UsageError

    documents: dict[str, bytes] = {}
    for path in paths:
        if path.name in documents:
            raise UsageError(f"--document {path}: another --document is also named {path.name!r}; documents are "
                             "matched to the manifest by file name", code="PINT-USAGE",
                             hint="give each supporting document once, under the name the manifest lists")
        try:
            documents[path.name] = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"--document {path}: {exc.strerror or exc}", code="PINT-USAGE") from None
    return documents


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


def _recipient(value: str | None) -> str | dict[str, Any] | None:
    """A platform code, or the party in a JSON file (checked here, handed on as its JSON)."""
    if value is None:
        return None
    path = Path(value)
    if value.lower().endswith(".json") or path.is_file():
        from ..errors import UsageError
        from ..transfer.model import Party, PintModelError

        party = _json_file(path, "--expect-recipient")
        try:
            Party.from_dict(party, str(path))
        except PintModelError as exc:
            raise UsageError(f"--expect-recipient {path}: {exc}", code="PINT-PARTY") from None
        return party
    return value
