"""The verification driver: input -> load -> detect the kind -> verify -> a verification result.

The library door for verifying transfers of control and issued trade documents,
mirroring :mod:`etr.validate`. Each input is verified after what it is:

- an OpenAttestation / TradeTrust document (recognised by
  :func:`etr.families.openattestation.forms.classify`) gives an
  ``OAVerificationResult``: integrity, DID signature, issuance status, identity,
  offline; it needs no trust store (trusted-issuers files among the trust paths
  make identity PASS/FAIL);
- anything else is read as a DCSA PINT 3.0 envelope and gives a
  ``VerificationResult``; it needs a trust store. Without one, :func:`verify`
  raises ``PINT-NO-TRUST`` (a usage error) and a batch (:func:`iter_verify`, the
  CLI) gives that input a FAIL result with a ``PINT-NO-TRUST`` finding, so that a
  batch mixing OA documents and envelopes is not aborted.

The doors:

- :func:`verify` returns a result for one input (a path, raw bytes or a parsed
  mapping);
- :func:`iter_verify` streams results for many inputs, in input order
  (directories and globs expanded as the CLI does);
- :func:`verify_or_raise` raises :class:`~etr.errors.VerificationFailed` when
  the outcome is FAIL.

Inputs are read by the same loader as :func:`etr.validate` (:meth:`Source.read
<etr.load.Source.read>` then :func:`~etr.load.load_bytes`, under the same
:class:`~etr.load.Limits`): a missing, unreadable, oversized or malformed input
is a FAIL result carrying its ``LOAD-…`` finding, never an exception. What is
then checked, and in which order, is :func:`etr.transfer.verify.verify_envelope`'s
business (see its module docstring).

The heavy modules (``etr.transfer``, ``cryptography``) are imported on first
use, so ``import etr`` stays cheap.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Union

from .errors import UsageError, VerificationFailed
from .load import Limits, LoadError, Source, expand_inputs, load_bytes
from .model import Finding, Outcome, Severity

if TYPE_CHECKING:
    from typing import TypeAlias

    from .crypto.trust import TrustStore
    from .families.openattestation import OAVerificationResult, TrustedIssuers
    from .transfer.model import Party
    from .transfer.verify import VerificationResult

    #: What verifying one input gives: a PINT envelope's result or an OpenAttestation document's.
    AnyVerification: TypeAlias = VerificationResult | OAVerificationResult

Input = str | PathLike[str] | bytes | Mapping[str, Any]
#: Trust material: a built store, or paths (one path as a string, or several) to build it from.
TrustInput = Union["TrustStore", str, PathLike[str], Iterable[str | PathLike[str]], None]
Mode = Literal["strict", "legacy"]


@dataclass(frozen=True, slots=True)
class Options:
    """How to verify: every input of a batch gets the same options.

    ``trust`` is either a built :class:`~etr.crypto.trust.TrustStore` or the
    paths to build one from. With paths the options are picklable, which the
    process pool behind ``etr verify -j N`` needs: each worker process then
    builds the store once (:func:`trust_store`). The other fields are the
    keyword arguments of :func:`etr.transfer.verify.verify_envelope`;
    ``td_version`` is the DCSA eBL version the embedded transport document is
    validated against (``None``: the family's default). ``issuers`` are the
    trusted issuers of OpenAttestation documents (or the paths of their files).
    ``pint_without_trust`` says what an envelope gets when the store is empty:
    ``"raise"`` (``PINT-NO-TRUST``, a usage error: one input) or ``"fail"``
    (a FAIL result with that finding: a batch goes on).
    """

    trust: TrustStore | tuple[str, ...]
    mode: Mode = "strict"
    at: datetime | str | None = None
    expected_recipient: str | Mapping[str, Any] | None = None
    supporting_documents: Mapping[str, bytes] | None = None
    require_documents: bool = False
    carrier_platform: str | None = None
    issue_to: Mapping[str, Any] | None = None
    validate_document: bool = True
    td_version: str | None = None
    limits: Limits = field(default_factory=Limits)
    issuers: TrustedIssuers | tuple[str, ...] = ()
    pint_without_trust: Literal["raise", "fail"] = "raise"
    #: A registry of record (its URL, or an open :class:`~etr.registry.Registry`): each result then says
    #: whether the envelope is the registry's chain, a stale or a forked copy (``REG-VIEW-…``).
    registry: Any = None

    def check(self) -> None:
        """Fail early on what no input can fix.

        Raises:
            UsageError: an unknown mode, an ``at`` that is not an RFC 3339
                date-time, a ``td_version`` the DCSA eBL family does not know.
            KeyFileError: a trust path is missing or holds no usable material, or a
                trusted-issuers file is malformed (``OA-TRUST-FILE``).
        """
        if self.mode not in ("strict", "legacy"):
            raise UsageError(f"unknown mode {self.mode!r}; choose strict or legacy", code="PINT-MODE")
        if isinstance(self.at, str):
            from .transfer.model import parse_datetime

            try:
                parse_datetime(self.at)
            except ValueError as exc:  # the parser's message names the cause (the field, the range)
                raise UsageError(f"--at: {exc}", code="PINT-AT", hint="e.g. 2026-06-01T12:00:00Z") from None
        elif self.at is not None and not isinstance(self.at, datetime):
            raise UsageError(f"at must be an RFC 3339 string or a datetime, not {type(self.at).__name__}",
                             code="PINT-AT")
        self._check_arguments()
        if self.td_version is not None:
            from .validate import Options as ValidateOptions

            ValidateOptions("dcsa-ebl", self.td_version).check()
        self.store()
        self.trusted_issuers()
        if self.registry is not None:
            registry_of(self.registry).find("", "")  # fails now when the registry cannot be read

    def no_trust(self) -> UsageError:
        """The usage error of an envelope met without a trust store."""
        return UsageError("no trust store: a PINT envelope is verified against the platforms' public keys, "
                          "certificates or registry", code="PINT-NO-TRUST",
                          hint="e.g. --trust keys/ --trust eblsolutionproviders.csv (OpenAttestation documents "
                               "need none)")

    def _check_arguments(self) -> None:
        """The caller's other values have the types the verifier reads (a wrong one would otherwise surface
        as an AttributeError deep inside, or be judged as a document's fault)."""
        recipient = self.expected_recipient
        if recipient is not None and not isinstance(recipient, Mapping) and not (isinstance(recipient, str)
                                                                                 and recipient.strip()):
            raise UsageError(f"expected recipient {str(recipient)[:60]!r} is neither a platform code nor a party "
                             "(a JSON object)", code="PINT-USAGE",
                             hint="e.g. --expect-recipient EBL2, or --expect-recipient party.json")
        for doc_name, content in (self.supporting_documents or {}).items():
            if not isinstance(content, bytes | bytearray):
                raise UsageError(f"supporting document {str(doc_name)[:60]!r} must be bytes (its checksum is taken "
                                 f"over the decoded bytes), not {type(content).__name__}", code="PINT-USAGE")
        if self.issue_to is not None and not isinstance(self.issue_to, Mapping):
            raise UsageError(f"issue_to must be the IssueToParty JSON object, not {type(self.issue_to).__name__}",
                             code="PINT-USAGE")

    def store(self) -> TrustStore:
        """The trust store (built once per process from paths; see :func:`trust_store`)."""
        return trust_store(self.trust) if isinstance(self.trust, tuple) else self.trust

    def trusted_issuers(self) -> TrustedIssuers:
        """The trusted issuers of OpenAttestation documents (read once per process from paths)."""
        return trusted_issuers(self.issuers) if isinstance(self.issuers, tuple) else self.issuers


def registry_of(registry: Any) -> Any:
    """The :class:`~etr.registry.Registry` for a URL (opened once per process) or the one given.

    Raises:
        UsageError: ``REG-URL``: not a registry URL.
    """
    return _open_registry(registry) if isinstance(registry, str) else registry


@functools.lru_cache(maxsize=8)
def _open_registry(url: str) -> Any:
    import etr.registry

    return etr.registry.open(url)


@functools.lru_cache(maxsize=8)
def trust_store(paths: tuple[str, ...]) -> TrustStore:
    """The store built from ``paths``, once per process (worker processes of a pool included); trusted-issuers
    files (OpenAttestation) among them are left to :func:`trusted_issuers`.

    Raises:
        KeyFileError: a path is missing, unreadable or malformed, or holds a private key.
    """
    from .crypto.trust import TrustStore

    return TrustStore.from_paths(pint_paths(paths))


@functools.lru_cache(maxsize=8)
def trusted_issuers(paths: tuple[str, ...]) -> TrustedIssuers:
    """The trusted issuers of the trusted-issuers files among ``paths`` (files, or ``*.toml`` in directories),
    once per process.

    Raises:
        KeyFileError: ``OA-TRUST-FILE``: such a file is malformed.
    """
    from .families.openattestation import TrustedIssuers

    return TrustedIssuers.from_paths(paths)


def pint_paths(paths: Iterable[str | PathLike[str]]) -> list[str]:
    """The trust paths that are for PINT: all but the files that are trusted-issuers files and the directories
    that hold only such files (a directory holding both is for both: the PINT store does not read ``*.toml``)."""
    from .crypto.trust import TRUST_SUFFIXES
    from .families.openattestation.issuers import read_issuers_file

    out = []
    for path in paths:
        p = Path(path)
        if p.is_file() and read_issuers_file(p) is not None:
            continue
        if p.is_dir():
            children = [c for c in p.iterdir() if c.is_file() and not c.name.startswith(".")]
            if not any(c.suffix.lower() in TRUST_SUFFIXES for c in children) and any(
                    c.suffix.lower() == ".toml" and read_issuers_file(c) is not None for c in children):
                continue  # a directory of trusted-issuers files only
        out.append(os.fspath(path))
    return out


def _store(trust: TrustInput) -> tuple[TrustStore, TrustedIssuers]:
    """The store the library is given, or a fresh one built from the paths it is given (a caller's trust
    files may change between two calls; the per-process cache is for the CLI's worker processes), and the
    trusted issuers of the trusted-issuers files among those paths."""
    from .crypto.trust import TrustStore
    from .families.openattestation import TrustedIssuers

    if trust is None:
        return TrustStore(), TrustedIssuers()
    if isinstance(trust, TrustStore):
        return trust, TrustedIssuers()
    if isinstance(trust, TrustedIssuers):
        return TrustStore(), trust
    if isinstance(trust, str | PathLike):  # one path, never its characters
        trust = [trust]
    if isinstance(trust, Iterable):
        paths = [os.fspath(p) for p in trust]
        return TrustStore.from_paths(pint_paths(paths)), TrustedIssuers.from_paths(paths)
    raise UsageError(f"trust must be a TrustStore, TrustedIssuers or paths, not {type(trust).__name__}",
                     code="PINT-NO-TRUST")


def _options(trust: TrustInput, limits: Limits | None, kwargs: dict[str, Any]) -> Options:
    expected = kwargs.pop("expected_recipient", None)
    if expected is not None and not isinstance(expected, str | Mapping) and hasattr(expected, "to_dict"):
        expected = expected.to_dict()  # a Party (anything else is refused by Options.check)
    store, issuers = _store(trust)
    try:
        options = Options(store, expected_recipient=expected, limits=limits or Limits(), issuers=issuers, **kwargs)
    except TypeError as exc:  # an unknown keyword
        raise UsageError(str(exc), code="ETR-USAGE") from None
    options.check()
    return options


# --------------------------------------------------------------------------- one input


def verify_source(source: Source, options: Options, stdin: BinaryIO | None = None) -> AnyVerification:
    """Verify one :class:`~etr.load.Source` (used by the CLI and by worker processes).

    Raises:
        UsageError: as :func:`verify` (normally caught earlier by :meth:`Options.check`).
    """
    try:
        data = source.read(options.limits, stdin)
    except LoadError as exc:
        return _unreadable(source.name, options, exc)
    return _viewed(_verify_bytes(data, source.name, options), options)


def _viewed(result: AnyVerification, options: Options) -> AnyVerification:
    """The result with the registry's view, when ``options`` name a registry (see :mod:`etr.registry.view`);
    the registry holds PINT chains, so an OpenAttestation result is left as it is."""
    from .transfer.results import VerificationResult

    if options.registry is None or not isinstance(result, VerificationResult):
        return result
    from .registry.view import with_registry_view

    return with_registry_view(result, registry_of(options.registry))


def _verify_bytes(data: bytes, name: str, options: Options) -> AnyVerification:
    try:
        document = load_bytes(data, name, options.limits)
    except LoadError as exc:
        return _unreadable(name, options, exc)
    if document.syntax == "json" and _is_open_attestation(document.content):
        return _verify_oa(document.content, name, options, data, document.findings)
    # An XML document is no envelope: the verifier says so (PINT-ENVELOPE-UNREADABLE) from the bytes.
    envelope = document.content if document.syntax == "json" else data
    result = _verify_envelope(envelope, name, options)
    if document.findings:  # what the loader noticed (a byte order mark) comes first, as in a validation report
        from dataclasses import replace

        result = replace(result, findings=(*document.findings, *result.findings))
    return result


def _is_open_attestation(content: Any) -> bool:
    from .families.openattestation.forms import classify

    return classify(content) is not None


def _verify_oa(content: Any, name: str, options: Options, raw: bytes | None,
               loaded: tuple[Finding, ...] = ()) -> OAVerificationResult:
    from .families.openattestation import verify_document

    result = verify_document(content, name, issuers=options.trusted_issuers(), raw=raw)
    ignored = _pint_only_options(options)
    if ignored:  # a check the caller asked for and that cannot apply is said, never silently skipped
        note = Finding("OA-OPTION-NOT-APPLICABLE", Severity.WARNING,
                       f"{', '.join(ignored)} appl{'ies' if len(ignored) == 1 else 'y'} to DCSA PINT envelopes only: "
                       "not checked for this OpenAttestation document", reference="etr verify",
                       detail={"options": list(ignored)})
        loaded = (*loaded, note)
    if loaded:  # what the loader noticed (a byte order mark) comes first
        from dataclasses import replace

        result = replace(result, findings=(*loaded, *result.findings))
    return result


def _pint_only_options(options: Options) -> tuple[str, ...]:
    """The options given that only a PINT envelope's verification reads (CLI spelling)."""
    given = (("--expect-recipient", options.expected_recipient is not None),
             ("--document", bool(options.supporting_documents)),
             ("--require-documents", options.require_documents),
             ("--carrier-platform", options.carrier_platform is not None),
             ("--issue-to", options.issue_to is not None),
             ("--mode legacy", options.mode == "legacy"))
    return tuple(name for name, present in given if present)


def _verify_envelope(envelope: bytes | Mapping[str, Any], name: str, options: Options) -> VerificationResult:
    from .transfer.verify import VerificationResult, verify_envelope

    if options.store().is_empty():
        if options.pint_without_trust == "raise":
            raise options.no_trust()
        error = options.no_trust()
        finding = Finding("PINT-NO-TRUST", Severity.ERROR, f"{error} (give --trust)", reference="etr verify")
        return VerificationResult(name, options.mode, Outcome.FAIL, (finding,))

    return verify_envelope(envelope, options.store(), mode=options.mode,
                           expected_recipient=options.expected_recipient,
                           supporting_documents=options.supporting_documents,
                           require_documents=options.require_documents, at=options.at,
                           carrier_platform=options.carrier_platform, issue_to=options.issue_to,
                           validate_document=options.validate_document, source=name, td_version=options.td_version,
                           limits=options.limits)


def _unreadable(name: str, options: Options, exc: LoadError) -> VerificationResult:
    """A FAIL result for an input that could not be loaded: its ``LOAD-…`` finding, nothing verified."""
    from .transfer.verify import VerificationResult

    return VerificationResult(name, options.mode, Outcome.FAIL, (exc.finding,))


def _verify_one(item: Input, options: Options, name: str | None) -> AnyVerification:
    if isinstance(item, Mapping):
        # Held to what the JSON reader would give: a NaN, a key that is not a string or a set would
        # otherwise be judged on a shape JSON does not have, or end in an exception.
        from .load import check_json_value

        value = item if isinstance(item, dict) else dict(item)
        try:
            check_json_value(value, options.limits)
        except LoadError as exc:
            return _unreadable(name or "<object>", options, exc)
        if _is_open_attestation(value):
            return _verify_oa(value, name or "<object>", options, None)
        return _viewed(_verify_envelope(value, name or "<object>", options), options)
    if isinstance(item, bytes | bytearray):
        return _viewed(_verify_bytes(bytes(item), name or "<bytes>", options), options)
    if not isinstance(item, str | PathLike):
        raise UsageError(f"an input is a path, bytes or a parsed JSON object, not {type(item).__name__}",
                         code="PINT-USAGE")
    return verify_source(Source.of_path(name or str(item), Path(item)), options)


# --------------------------------------------------------------------------- the doors


def verify(item: Input, trust: TrustInput = None, *, mode: Mode = "strict",
           expected_recipient: str | Party | Mapping[str, Any] | None = None,
           supporting_documents: Mapping[str, bytes] | None = None, require_documents: bool = False,
           at: datetime | str | None = None, carrier_platform: str | None = None,
           issue_to: Mapping[str, Any] | None = None, validate_document: bool = True, td_version: str | None = None,
           limits: Limits | None = None, name: str | None = None, registry: Any = None) -> AnyVerification:
    """Verify one DCSA PINT 3.0 envelope or OpenAttestation document given as a path, raw bytes or a
    parsed JSON mapping (what it is is read from its content).

    ``trust`` is a :class:`~etr.TrustStore`, a
    :class:`~etr.families.openattestation.TrustedIssuers`, or the path (a
    string) or paths of the trust material to build them from (JWK/JWKS, PEM,
    X.509, a platform registry CSV, trusted-issuers files, or directories of
    them); ``None`` for none (enough for an OpenAttestation document). ``mode``: ``"strict"`` (PINT 3.0 as
    published) or ``"legacy"`` (pre-2025-11 fields accepted as warnings).
    ``at``: the verification time (RFC 3339 or an aware datetime; default now).
    ``td_version``: the DCSA eBL version the embedded transport document is
    validated against. The other keywords are those of
    :func:`etr.transfer.verify.verify_envelope`. ``name`` names the input in
    the result (default: the path, ``<bytes>`` or ``<object>``). ``registry`` (a
    registry URL or an :class:`etr.registry.Registry`) adds the registry's
    view: a ``REG-VIEW-…`` finding says whether the envelope is its chain, a
    stale copy (a warning) or a fork (an error).

    Returns a ``VerificationResult`` (``kind == "verification"``): ``outcome``
    (PASS, WARN, NOT_EVALUABLE or FAIL), ``response_code`` (what a receiving
    platform would answer: RECE, BSIG, BENV, DISE, INCD, MDOC), ``findings``,
    ``entries`` (who signed each, with which key), ``holders`` and
    ``current_holder``. An OpenAttestation document gives an
    ``OAVerificationResult`` (``family == "openattestation"``): its ``checks``
    (integrity, signature, issuance-status, identity), ``revealed`` data,
    ``transferable``, ``token_registry`` and ``token_id``; the PINT keywords do
    not apply to it. Problems with the input, including unreadable or hostile
    input, are findings, never exceptions.

    Raises:
        UsageError: an unknown mode or keyword, an ``at`` that is not a
            date-time, an unknown ``td_version``, a ``registry`` that is no
            registry URL (``REG-URL``); ``PINT-NO-TRUST``: the input is an
            envelope and the trust store is empty.
        KeyFileError: trust material is missing or unreadable.
        RegistryError: the registry cannot be read.
    """
    options = _options(trust, limits, {
        "mode": mode, "expected_recipient": expected_recipient, "supporting_documents": supporting_documents,
        "require_documents": require_documents, "at": at, "carrier_platform": carrier_platform,
        "issue_to": issue_to, "validate_document": validate_document, "td_version": td_version,
        "registry": registry})
    return _verify_one(item, options, name)


def iter_verify(items: Iterable[Input], trust: TrustInput = None, *, limits: Limits | None = None, **kwargs: Any,
                ) -> Iterator[AnyVerification]:
    """Verify many envelopes and OpenAttestation documents lazily, one result per input, in input order.

    Strings and paths naming directories or globs are expanded as the CLI does;
    the trust store is built once. Keywords as :func:`verify` (but ``name``).
    An envelope met without a trust store gets a FAIL result with a
    ``PINT-NO-TRUST`` finding (the batch goes on).

    Raises:
        TypeError: ``items`` is one input (a path, bytes, a mapping) instead of an iterable of them:
            a string would otherwise be read character by character (``"."`` being the working directory).
        UsageError, KeyFileError: as :func:`verify`, when called (before the first result).
    """
    if isinstance(items, str | bytes | bytearray | PathLike | Mapping):
        raise TypeError(f"iter_verify takes an iterable of inputs, not one {type(items).__name__}: "
                        "pass a list, e.g. iter_verify([item], trust), or call verify(item, trust)")
    return _iter_verify(items, _options(trust, limits, {"pint_without_trust": "fail", **kwargs}))


def _iter_verify(items: Iterable[Input], options: Options) -> Iterator[AnyVerification]:
    for item in items:
        if isinstance(item, str | PathLike):
            for source in expand_inputs([str(item)]):
                yield verify_source(source, options)
        else:
            yield _verify_one(item, options, None)


def verify_or_raise(item: Input, trust: TrustInput = None, **kwargs: Any) -> AnyVerification:
    """Like :func:`verify`, but raise when the outcome is FAIL.

    Raises:
        VerificationFailed: the outcome is FAIL; ``.result`` holds the result,
            ``.code`` its first error's code.
        UsageError, KeyFileError: as :func:`verify`.
    """
    result = verify(item, trust, **kwargs)
    if result.outcome is Outcome.FAIL:
        first = next((f for f in result.findings if f.severity is Severity.ERROR), None)
        raise VerificationFailed(result, _failure_message(result, first), code=first.code if first else None,
                                 hint="run `etr verify INPUT --trust …` for the whole story")
    return result


def _failure_message(result: AnyVerification, first: Finding | None) -> str:
    what = f"{first.code}: {first.message}" if first else "nothing could be verified"
    response = getattr(result, "response_code", None)
    return f"{result.source}: {result.outcome.value}{f' (response {response})' if response else ''}: {what}"
