"""``etr pint``: issue an eBL and sign transfers of control as DCSA PINT 3.0 envelopes.

Every subcommand reads an envelope (``issue`` reads a transport document),
checks the new transaction against the PINT state machine, signs one new chain
entry and a fresh manifest, and writes the new envelope to ``--out`` (or
stdout). A one-line summary goes to stderr.

Parties are given with options — ``--actor-name``, ``--actor-platform``,
``--actor-code PROVIDER[/LIST]:CODE`` (repeatable) — or as a PINT party JSON
file (``--actor-file``); the same for the recipient (``--to-…``). Without
``--…-code`` a party is identified by ``PLATFORM:NAME``.

Refusals before anything is signed or written:

- with ``--trust``, a signing key that the trust store binds to another
  platform than the acting one (``PINT-SIGN-KEY-PLATFORM``), or that the acting
  platform's registry row does not bind while it binds other keys
  (``PINT-SIGN-KEY-UNBOUND``): usage errors, exit 2. A key the store cannot
  resolve otherwise is signed with, and a warning says the entry will not
  verify with that store. An ``--x5c`` chain whose leaf does not hold ``--key``
  is ``PINT-X5C`` (exit 2);
- ``issue``: a transport document with error findings (the DCSA eBL family of
  ``etr validate``, at ``--schema-version``), ``PINT-ISSUE-TD-INVALID``, exit 1,
  unless ``--allow-invalid-document`` is given (then a warning on stderr);
- ``-o FILE`` onto an existing file without ``--force``: ``PINT-OUTPUT-EXISTS``,
  exit 1, as ``etr keys generate`` refuses to overwrite a key file. The file is
  written through a temporary file beside it; without ``--force`` it is linked
  into place only if the name is still free;
- ``--at`` that is not an RFC 3339 date-time: ``PINT-AT``, exit 2.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from cryptography import x509

    from ..crypto.keys import SigningKey
    from ..crypto.trust import TrustStore
    from ..transfer.model import Party

PINT_EXIT_HELP = """\b
Exit status:
  0  the entry was signed and the envelope written
  1  refused: the chain's state does not allow the step, the transport
     document has error findings, -o exists without --force, or a key,
     trust or input file cannot be read
  2  usage error: bad option or time, a key the trust store binds to
     another platform than the acting one
"""


F = Callable[..., Any]


# --------------------------------------------------------------------------- shared options


def _party_options(prefix: str, role: str, *, required: bool) -> Callable[[F], F]:
    """``--{prefix}-name/-platform/-code/-file`` for one party."""

    def decorate(command: F) -> F:
        need = " (required)" if required else ""
        options = [
            click.option(f"--{prefix}-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                         help=f"The {role} as a PINT party JSON file (partyName, eblPlatform, identifyingCodes…)."),
            click.option(f"--{prefix}-code", multiple=True, metavar="PROVIDER[/LIST]:CODE",
                         help=f"An identifying code of the {role}, e.g. EBL1:alice or GLEIF/LEI:5299… Repeatable."),
            click.option(f"--{prefix}-platform", metavar="CODE", help=f"eBL platform code of the {role}{need}."),
            click.option(f"--{prefix}-name", metavar="NAME", help=f"Party name of the {role}{need}."),
        ]
        for option in options:
            command = option(command)
        return command

    return decorate


def _signing_options(command: F) -> F:
    options = [
        click.option("--force", is_flag=True, help="Let -o replace an existing file."),
        click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), callback=_stdout_dash,
                     help="Write the new envelope here (default, or -: stdout); an existing file needs --force."),
        click.option("--at", "at", metavar="TIME",
                     help="actionDateTime (RFC 3339, e.g. 2026-05-01T12:00:00Z); default now."),
        click.option("--x5c", "x5c_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="PEM certificate chain (leaf first) to embed as the JWS x5c header."),
        click.option("--platform", metavar="CODE",
                     help="eBL platform code that signs the entry (default: the actor's platform)."),
        click.option("--alg", type=click.Choice(["ES256", "PS256", "RS256", "EdDSA"]),
                     help="Signature algorithm (default: from the key: EC→ES256, RSA→PS256, Ed25519→EdDSA)."),
        click.option("--kid", help="Key id for the JWS header (default: from a JWK, else the key's thumbprint)."),
        click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Private signing key (PEM or JWK) of the signing platform."),
    ]
    for option in options:
        command = option(command)
    return command


def _with_trust(command: F) -> F:
    from .options import trust_options

    return trust_options(command)


def _documents_option(command: F) -> F:
    return click.option("--document", "documents", multiple=True,
                        type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="A supporting document to list in the manifest (name, size, media type, SHA-256). "
                             "Repeatable.")(command)


# --------------------------------------------------------------------------- helpers


def _party(kwargs: dict[str, Any], prefix: str, role: str, *, required: bool) -> Party | None:
    from ..errors import UsageError
    from ..load import LoadError, load_json
    from ..transfer.model import IdentifyingCode, Party, PintModelError

    file = kwargs.pop(f"{prefix}_file", None)
    name = kwargs.pop(f"{prefix}_name", None)
    platform = kwargs.pop(f"{prefix}_platform", None)
    codes = kwargs.pop(f"{prefix}_code", ())
    if file is not None:
        if name or platform or codes:
            raise UsageError(f"give the {role} either as --{prefix}-file or with --{prefix}-name/-platform/-code",
                             code="PINT-PARTY")
        try:
            data = load_json(file.read_bytes(), str(file)).content
            return Party.from_dict(data, str(file))
        except (OSError, LoadError, PintModelError) as exc:
            raise UsageError(f"--{prefix}-file {file}: {exc}", code="PINT-PARTY") from None
    if not (name or platform or codes):
        if required:
            raise UsageError(f"the {role} is missing: give --{prefix}-name and --{prefix}-platform "
                             f"(or --{prefix}-file)", code="PINT-PARTY")
        return None
    if not name or not platform:
        raise UsageError(f"the {role} needs both --{prefix}-name and --{prefix}-platform", code="PINT-PARTY")
    try:
        parsed = tuple(IdentifyingCode.parse(c) for c in codes) or (IdentifyingCode(platform, name),)
    except ValueError as exc:
        raise UsageError(f"--{prefix}-code: {exc}", code="PINT-PARTY") from None
    return Party(name, platform, parsed)


def _key(key_file: Path, alg: str | None, kid: str | None) -> SigningKey:
    from ..crypto.keys import load_signing_key

    return load_signing_key(key_file, alg=alg, kid=kid)


def _x5c(path: Path | None, key: SigningKey) -> tuple[list[str] | None, x509.Certificate | None]:
    """The ``x5c`` header value of a PEM chain (leaf first) and its leaf; refuse a leaf that does not hold ``key``."""
    if path is None:
        return None, None
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from ..crypto.keys import KeyFileError, public_key_from_native
    from ..errors import UsageError

    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"--x5c {path}: not a PEM certificate chain ({exc})", code="PINT-X5C") from None
    try:
        leaf_key = public_key_from_native(certs[0].public_key(), where=f"--x5c {path}")
    except KeyFileError as exc:
        raise UsageError(str(exc), code="PINT-X5C") from None
    if not leaf_key.same_key(key.public):
        raise UsageError(f"--x5c {path}: the first certificate holds key {leaf_key.thumbprint}, not the signing key "
                         f"{key.public.thumbprint}", code="PINT-X5C",
                         hint="the chain starts with the signing key's own certificate")
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in certs], certs[0]


def _when(at: str | None) -> datetime:
    """The actionDateTime to sign: ``--at`` (RFC 3339) or now; the same time checks the signing key."""
    if at is None:
        return datetime.now(UTC)
    from ..errors import UsageError
    from ..transfer.model import parse_datetime

    try:
        return parse_datetime(at)
    except ValueError as exc:  # the parser's message names the cause (the field, the range)
        raise UsageError(f"--at: {exc}", code="PINT-AT", hint="e.g. --at 2026-05-01T12:00:00Z") from None


def _stdout_dash(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``-o -`` is standard output, as everywhere else in etr (never a file named ``-``)."""
    return None if value is not None and str(value) == "-" else value


def _check_out(out: Path | None, force: bool) -> None:
    """Refuse, before any work, to replace an existing ``-o`` file without ``--force``."""
    if out is not None and not force and os.path.lexists(out):
        _refuse_existing(out)


def _refuse_existing(out: Path) -> NoReturn:
    from ..errors import EnvironmentProblem

    raise EnvironmentProblem(f"{out}: already exists; refusing to overwrite it", code="PINT-OUTPUT-EXISTS",
                             hint="add --force to replace it, or choose another -o")


def _check_signing_key(trust: TrustStore, key: SigningKey, platform: str, x5c: list[str] | None,
                       leaf: x509.Certificate | None, when: datetime) -> None:
    """Refuse to sign for ``platform`` with a key the trust store binds to another platform, or that the
    platform's registry row does not bind; warn when the store cannot resolve the key at all."""
    if trust.is_empty():
        return
    from ..crypto.trust import BINDING_CODES
    from ..errors import UsageError

    bound = trust.platforms_binding(key.public, certificate=leaf)
    if bound and platform not in bound:
        raise UsageError(f"the trust store binds signing key {key.kid!r} (thumbprint {key.public.thumbprint}) to "
                         f"platform {', '.join(bound)}, not to {platform}, for which this entry is signed",
                         code="PINT-SIGN-KEY-PLATFORM",
                         hint=f"sign with {platform}'s key, or act for {' or '.join(bound)} (--platform / --actor-…)")
    header: dict[str, Any] = {"alg": key.alg, "kid": key.kid}
    if x5c is not None:
        header["x5c"] = x5c
    resolution = trust.resolve(header, platform=platform, at=when)
    if resolution.code in BINDING_CODES:
        raise UsageError(f"signing key {key.kid!r} does not speak for platform {platform}: {resolution.code}: "
                         f"{resolution.message}", code="PINT-SIGN-KEY-UNBOUND",
                         hint=f"sign with the key the registry binds to {platform}, or bind this one in the registry")
    if not resolution.ok:
        click.echo(f"etr: warning: the trust store cannot resolve signing key {key.kid!r} ({resolution.code}: "
                   f"{resolution.message}); the new entry will not verify with it", err=True)
    elif resolution.key is not None and not resolution.key.same_key(key.public):
        click.echo(f"etr: warning: in the trust store, kid {key.kid!r} names another key than the signing key; "
                   "the new entry will not verify with it", err=True)


def _check_document(td: dict[str, Any], name: str, version: str | None, allow_invalid: bool) -> None:
    """Refuse to issue a transport document with error findings, unless ``allow_invalid`` (then say so)."""
    from ..errors import DocumentError
    from ..model import Severity
    from ..validate import validate

    report = validate(td, family="dcsa-ebl", version=version, name=name)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if not errors:
        return
    codes = sorted({f.code for f in errors})
    listed = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
    what = f"{len(errors)} error finding(s) under DCSA eBL {report.version} ({listed})"
    if not allow_invalid:
        raise DocumentError(f"{name}: the transport document has {what}; refusing to issue it",
                            code="PINT-ISSUE-TD-INVALID",
                            hint=f"see: etr validate {name}; --allow-invalid-document issues it anyway")
    click.echo(f"etr: warning: issuing a transport document with {what}, as --allow-invalid-document asks",
               err=True)


def _documents(paths: tuple[Path, ...]) -> list[tuple[str, bytes]] | None:
    if not paths:
        return None
    return [(p.name, p.read_bytes()) for p in paths]


def _read_json(path: str, what: str) -> dict[str, Any]:
    from ..errors import DocumentError, EnvironmentProblem
    from ..load import Limits, LoadError, Source, load_json

    source = Source("<stdin>") if path == "-" else Source.of_path(path, Path(path))
    try:
        data = load_json(source.read(Limits()), source.name).content
    except LoadError as exc:
        kind = EnvironmentProblem if exc.code in ("LOAD-NOT-FOUND", "LOAD-IO") else DocumentError
        raise kind(f"{source.name}: cannot read the {what}: {exc}", code=exc.code) from None
    if not isinstance(data, dict):
        raise DocumentError(f"{source.name}: the {what} is not a JSON object", code="PINT-MALFORMED")
    return data


def _check_input(envelope: dict[str, Any], trust: TrustStore, name: str, mode: str) -> None:
    """Verify the envelope to extend when a trust store is given; refuse a failing one."""
    if trust.is_empty():
        click.echo(f"etr: warning: {name} was not verified (no --trust); only its structure and state are checked",
                   err=True)
        return
    from ..errors import DocumentError
    from ..transfer.verify import verify_envelope

    result = verify_envelope(envelope, trust, mode="legacy" if mode == "legacy" else "strict",
                             validate_document=False, source=name)
    if not result.ok:
        first = result.errors[0]
        raise DocumentError(f"{name} does not verify ({result.response_code}): {first.code}: {first.message}",
                            code=first.code, hint=f"see: etr verify {name} --trust …")


def _emit(envelope: dict[str, Any], out: Path | None, summary: str, *, force: bool) -> None:
    text = json.dumps(envelope, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        _write(out, text.encode("utf-8"), force=force)
    from ..render.text import printable

    # Party names come from the command line or a document: escaped, so they cannot forge or hide a line.
    click.echo(printable(summary + (f" -> {out}" if out else "")), err=True)


def _write(out: Path, data: bytes, *, force: bool) -> None:
    """Write ``out`` whole or not at all (through a temporary file beside it); without ``force`` never replace
    a file, not even one created since :func:`_check_out` looked."""
    from ..errors import EnvironmentProblem

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        try:
            tmp.unlink(missing_ok=True)  # a leftover of an interrupted run of this process id
            with open(tmp, "xb") as fh:
                fh.write(data)
            if force:
                tmp.replace(out)
            else:
                try:
                    os.link(tmp, out)  # atomic, and fails when the name is taken
                except FileExistsError:
                    raise
                except OSError:  # a file system without hard links: create exclusively instead
                    with open(out, "xb") as fh:
                        fh.write(data)
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        _refuse_existing(out)
    except OSError as exc:
        raise EnvironmentProblem(f"{out}: cannot write: {exc.strerror or exc}",
                                 code="PINT-OUTPUT-UNWRITABLE") from None


def _append(envelope_path: str, actions: list[tuple[str, Party | None, str | None]], actor: Party | None,
            kwargs: dict[str, Any], trust: TrustStore) -> None:
    from ..errors import UsageError
    from ..transfer.sign import ChainBuilder, transaction

    _check_out(kwargs["out"], kwargs["force"])
    when = _when(kwargs["at"])
    envelope = _read_json(envelope_path, "envelope")
    _check_input(envelope, trust, envelope_path, "strict")
    key = _key(kwargs["key_file"], kwargs["alg"], kwargs["kid"])
    x5c, leaf = _x5c(kwargs["x5c_file"], key)
    builder = ChainBuilder.from_envelope(envelope)
    if actor is None:  # only the holder may act: default to them
        actor = builder.machine.state.holder
        if actor is None:
            raise UsageError("nobody holds the eBL in this envelope; give the acting party with --actor-…",
                             code="PINT-PARTY")
    platform = kwargs["platform"] or actor.ebl_platform
    _check_signing_key(trust, key, platform, x5c, leaf, when)
    txs = [transaction(action, actor, recipient, at=when, reason_code=reason, comments=kwargs.get("comment"))
           for action, recipient, reason in actions]
    builder.append_entry(txs, key, platform, x5c=x5c)
    new = builder.envelope(supporting_documents=_documents(kwargs.get("documents", ())))
    holder = builder.machine.state.holder
    what = " + ".join(a for a, _, _ in actions)
    to = next((r for _, r, _ in actions if r is not None), None)
    summary = (f"entry {len(builder.chain) - 1} signed by {platform} (kid {key.kid}): {what} by {actor.describe()}"
               + (f" to {to.describe()}" if to else "") + f"; holder: {holder.describe() if holder else 'nobody'}")
    _emit(new, kwargs["out"], summary, force=kwargs["force"])


def _common(command: F) -> F:
    """Options shared by every appending subcommand, in help order."""
    command = click.option("--comment", help="Free-text comments of the transaction (≤255 characters).")(command)
    command = _documents_option(command)
    command = _signing_options(command)
    command = _with_trust(command)
    return command


# --------------------------------------------------------------------------- commands


@click.group("pint", epilog=PINT_EXIT_HELP)
def pint_cmd() -> None:
    """Sign DCSA PINT 3.0 envelopes: issue, transfer, endorse, sign, surrender, accept, reject.

    \b
    Example:
      etr pint issue td.json --key carrier.pem --platform CAR1 \\
          --to-name "Shipper Ltd" --to-platform EBL1 --to-code EBL1:shipper -o env.json
      etr pint transfer env.json --key ebl1.pem --actor-name "Shipper Ltd" \\
          --actor-platform EBL1 --actor-code EBL1:shipper \\
          --to-name "Bank plc" --to-platform EBL2 --to-code EBL2:bank -o env2.json
      etr verify env2.json --trust keys/
    """


@pint_cmd.command("issue", epilog=PINT_EXIT_HELP)
@click.argument("transport_document")
@_party_options("to", "issue-to party (first holder)", required=True)
@_party_options("carrier", "carrier (ISSUE actor; default: from the TD's issuingParty and carrierCode)",
                required=False)
@click.option("--visualisation", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The carrier's eBL visualisation (e.g. a PDF); its SHA-256 is signed in the issuance manifest.")
@click.option("--ctr", "ctr", metavar="URI", help="controlTrackingRegistry to name in the first entry.")
@click.option("--comment", help="Free-text comments of the ISSUE transaction.")
@click.option("--allow-invalid-document", is_flag=True,
              help="Issue the transport document even when it has error findings (a warning says so).")
@click.option("--schema-version", metavar="VERSION",
              help="DCSA eBL version to validate the transport document against (default: the latest etr knows).")
@_documents_option
@_signing_options
@_with_trust
def issue_cmd(transport_document: str, trust_store: TrustStore, **kwargs: Any) -> None:
    """Issue an eBL: TRANSPORT_DOCUMENT (JSON, or - for stdin) becomes a new envelope.

    The transport document is validated first (as `etr validate` does); one
    with error findings is refused unless --allow-invalid-document is given.
    The carrier signs the issuance manifest (documentChecksum, issueToChecksum,
    visualisation checksum) and the first chain entry (ISSUE) with --key, for
    platform --platform (required). With --trust, a key the trust store binds
    to another platform is refused.
    """
    from ..errors import UsageError
    from ..transfer.sign import ChainBuilder

    recipient = _party(kwargs, "to", "issue-to party", required=True)
    carrier = _party(kwargs, "carrier", "carrier", required=False)
    if not kwargs["platform"]:
        raise UsageError("issue needs --platform (the carrier's eBL platform code)", code="PINT-PLATFORM")
    assert recipient is not None
    _check_out(kwargs["out"], kwargs["force"])
    when = _when(kwargs["at"])
    td = _read_json(transport_document, "transport document")
    name = "<stdin>" if transport_document == "-" else transport_document
    _check_document(td, name, kwargs["schema_version"], kwargs["allow_invalid_document"])
    key = _key(kwargs["key_file"], kwargs["alg"], kwargs["kid"])
    x5c, leaf = _x5c(kwargs["x5c_file"], key)
    _check_signing_key(trust_store, key, kwargs["platform"], x5c, leaf, when)
    vis = kwargs["visualisation"]
    builder = ChainBuilder(td)
    builder.issue(recipient, key, kwargs["platform"], carrier=carrier, at=when, comments=kwargs["comment"],
                  visualisation=(vis.name, vis.read_bytes()) if vis is not None else None,
                  control_tracking_registry=kwargs["ctr"], x5c=x5c)
    envelope = builder.envelope(supporting_documents=_documents(kwargs["documents"]))
    _emit(envelope, kwargs["out"], f"issued by {kwargs['platform']} (kid {key.kid}) to {recipient.describe()}; "
                                   f"TD checksum {builder.td_checksum}", force=kwargs["force"])


def _appender(name: str, help_text: str, *, recipient: str | None, extra: list[Callable[[F], F]] | None = None,
              ) -> Callable[[Callable[..., list[tuple[str, Party | None, str | None]]]], click.Command]:
    """Build a subcommand that appends one entry; the decorated function returns its transactions."""

    def decorate(actions_for: Callable[..., list[tuple[str, Party | None, str | None]]]) -> click.Command:
        @click.argument("envelope")
        @_party_options("actor", "acting party (default: the current holder)", required=False)
        @_common
        @functools.wraps(actions_for)
        def command(envelope: str, trust_store: TrustStore, **kwargs: Any) -> None:
            actor = _party(kwargs, "actor", "actor", required=False)
            to = _party(kwargs, "to", recipient, required=False) if recipient else None
            _append(envelope, actions_for(to=to, **kwargs), actor, kwargs, trust_store)

        if recipient:
            command = _party_options("to", recipient, required=False)(command)
        for option in extra or []:
            command = option(command)
        command.__doc__ = help_text
        return pint_cmd.command(name, epilog=PINT_EXIT_HELP)(command)

    return decorate


def _require(party: Party | None, what: str) -> Party:
    from ..errors import UsageError

    if party is None:
        raise UsageError(f"{what} is required: give --to-name and --to-platform (or --to-file)", code="PINT-PARTY")
    return party


@_appender("transfer", "Transfer possession of the eBL in ENVELOPE to --to-… (TRANSFER).", recipient="new holder")
def transfer_cmd(to: Party | None, **_: Any) -> list[tuple[str, Party | None, str | None]]:
    return [("TRANSFER", _require(to, "the new holder"), None)]


@_appender("endorse", """Endorse the eBL in ENVELOPE.

    By default ENDORSE to --to-… (who then cannot endorse further) and TRANSFER
    it to them in the same entry. --to-order: ENDORSE_TO_ORDER (the endorsee may
    endorse again). --blank: BLANK_ENDORSE (no endorsee; any holder may endorse;
    nothing is transferred unless --to-… is given). --no-transfer: endorse only,
    keep possession.
    """, recipient="endorsee",
           extra=[click.option("--no-transfer", is_flag=True, help="Endorse only; do not hand the eBL over."),
                  click.option("--blank", is_flag=True, help="BLANK_ENDORSE (no endorsee)."),
                  click.option("--to-order", is_flag=True, help="ENDORSE_TO_ORDER: the endorsee may endorse again.")])
def endorse_cmd(to: Party | None, to_order: bool, blank: bool, no_transfer: bool,
                **_: Any) -> list[tuple[str, Party | None, str | None]]:
    from ..errors import UsageError

    if blank and to_order:
        raise UsageError("--blank and --to-order exclude each other", code="PINT-USAGE")
    if blank:
        actions: list[tuple[str, Party | None, str | None]] = [("BLANK_ENDORSE", None, None)]
        if to is not None and not no_transfer:
            actions.append(("TRANSFER", to, None))
        return actions
    endorsee = _require(to, "the endorsee")
    actions = [("ENDORSE_TO_ORDER" if to_order else "ENDORSE", endorsee, None)]
    if not no_transfer:
        actions.append(("TRANSFER", endorsee, None))
    return actions


@_appender("sign", "Add a SIGN transaction by the holder of the eBL in ENVELOPE (no recipient, no change of holder).",
           recipient=None)
def sign_cmd(**_: Any) -> list[tuple[str, Party | None, str | None]]:
    return [("SIGN", None, None)]


@_appender("surrender", """Surrender the eBL in ENVELOPE to the issuing carrier.

    --for delivery (SURRENDER_FOR_DELIVERY) or amendment
    (SURRENDER_FOR_AMENDMENT, with --reason SWTP|COD|SWI). --to-… names the
    carrier party (or its representative) on the carrier's platform; without
    it the surrender is addressed to the issuing carrier.
    """, recipient="carrier party",
           extra=[click.option("--reason", type=click.Choice(["SWTP", "COD", "SWI"]),
                               help="reasonCode (amendment only): switch to paper, change of destination, switch BL."),
                  click.option("--for", "purpose", type=click.Choice(["delivery", "amendment"]), required=True,
                               help="Surrender for delivery or for amendment.")])
def surrender_cmd(to: Party | None, purpose: str, reason: str | None,
                  **_: Any) -> list[tuple[str, Party | None, str | None]]:
    from ..errors import UsageError

    if reason and purpose != "amendment":
        raise UsageError("--reason is only allowed with --for amendment", code="PINT-STATE-REASON-CODE")
    action = "SURRENDER_FOR_AMENDMENT" if purpose == "amendment" else "SURRENDER_FOR_DELIVERY"
    return [(action, to, reason)]


@_appender("accept", "Accept the pending surrender of the eBL in ENVELOPE (SACC, by the carrier); the chain ends.",
           recipient="surrendering party (notified)")
def accept_cmd(to: Party | None, **_: Any) -> list[tuple[str, Party | None, str | None]]:
    return [("SACC", to, None)]


@_appender("reject", "Reject the pending surrender of the eBL in ENVELOPE (SREJ, by the carrier); possession returns "
                     "to the surrendering party.", recipient="surrendering party")
def reject_cmd(to: Party | None, **_: Any) -> list[tuple[str, Party | None, str | None]]:
    return [("SREJ", to, None)]

