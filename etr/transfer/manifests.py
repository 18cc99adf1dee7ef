"""The two manifests of an envelope, and what they name.

- The **issuance manifest** (``issuanceManifestSignedContent`` in entry 0, or at the envelope root in
  the legacy layout) is signed by the **carrier**: the platform of entry 0, or ``carrier_platform``
  when given. Its key must be registered for that platform; when the registry binds no key ids to it,
  the key must be entry 0's (another trusted key: ``PINT-ISSUANCE-CARRIER-UNBOUND``, a warning: nothing
  then proves it is the carrier's). Its ``documentChecksum`` is the TD checksum.
- **issueToChecksum** covers the Issuance API ``IssueToParty``, which the envelope does not carry. It
  is checked against ``issue_to`` when the caller gives it (a mismatch is an error), else against the
  party derived from the ISSUE recipient (:meth:`~etr.transfer.model.Party.to_issue_to`); when neither
  matches it is not verified (``PINT-ISSUETO-UNVERIFIED``, info).
- The **envelope manifest** is signed by the sending platform — the platform of the last entry — with
  certificates checked at the verification time; it names the last entry's checksum and the TD
  checksum, and the carrier's visualisation (as signed at issuance) and the supporting documents, whose
  bytes are checked when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..crypto.digests import CanonicalizationError, jcs_sha256, sha256_hex
from ..crypto.trust import TrustStore
from ..model import Severity
from .checks import Recorder, check_signature, entry_pointer, read_jws
from .entries import EntryVerification
from .model import ActionCode, EnvelopeManifest, IssuanceManifest, Party
from .results import DocumentCheck, IssuanceResult, ManifestResult, SignatureCheck

__all__ = ["ISSUANCE", "MANIFEST", "check_documents", "check_issuance", "check_manifest", "check_recipient",
           "check_visualisation"]

ISSUANCE = "issuanceManifestSignedContent"
MANIFEST = "/envelopeManifestSignedContent"


def check_issuance(rec: Recorder, trust: TrustStore, allowed: frozenset[str], memo: dict[Any, Any],
                   env: Mapping[str, Any], first: EntryVerification, td_checksum: str, carrier_platform: str | None,
                   issue_to_checksum: str | None) -> IssuanceResult | None:
    """The carrier's issuance manifest (see the module docstring); ``None`` when entry 0 cannot be read.
    ``issue_to_checksum`` is the checksum of the ``IssueToParty`` the caller gave, if any."""
    data = first.payload
    if data is None:
        return None
    token, placement, pointer = data.get(ISSUANCE), "entry", entry_pointer(0)
    if token is None and rec.mode == "legacy" and ISSUANCE in env:
        token, placement, pointer = env[ISSUANCE], "root", f"/{ISSUANCE}"
    entry = 0 if placement == "entry" else None
    platform = carrier_platform or first.result.platform
    if token is None:
        rec.add("PINT-ISSUANCE-MISSING", "the first entry has no issuanceManifestSignedContent (the carrier's signed "
                                         "issuance manifest)", "BENV", entry=0, payload_pointer=f"/{ISSUANCE}")
        return IssuanceResult(SignatureCheck(False), platform, "missing")
    parsed, payload = read_jws(rec, token, pointer=pointer, entry=entry, part="issuance manifest")
    if parsed is None:
        return IssuanceResult(SignatureCheck(False), platform, placement)
    sig, key = check_signature(rec, trust, allowed, parsed, platform=platform, at=first.signed_at,
                               pointer=pointer, entry=entry, part="issuance manifest", memo=memo,
                               mismatch_code="PINT-ISSUANCE-NOT-CARRIER")
    if sig.verified and key is not None and sig.platform_binding != "registered" \
            and key.thumbprint != first.result.signature.key_thumbprint:
        rec.add("PINT-ISSUANCE-CARRIER-UNBOUND",
                f"the issuance manifest is signed by trusted key {key.kid!r}, not the key of entry 0, and no registry "
                f"binds keys to carrier platform {platform!r}: it cannot be shown to be the carrier's", "BSIG",
                pointer=pointer, entry=entry, severity=Severity.WARNING)
    result = IssuanceResult(sig, platform, placement)
    if payload is None or not rec.schema("IssuanceManifest", payload, pointer=pointer, entry=entry,
                                         prefix=f"/{ISSUANCE}" if entry is not None else ""):
        return result
    manifest = IssuanceManifest.from_dict(payload)
    doc_ok = manifest.document_checksum == td_checksum
    if not doc_ok:
        rec.add("PINT-ISSUANCE-CHECKSUM", f"the carrier's issuance manifest names transport document checksum "
                                          f"{manifest.document_checksum[:12]}…, not the TD's {td_checksum[:12]}…",
                "BENV", pointer=pointer, entry=entry, named=manifest.document_checksum,
                payload_pointer=f"/{ISSUANCE}/documentChecksum" if entry is not None else "/documentChecksum")
    verified, basis = _issue_to(rec, manifest, first, issue_to_checksum, pointer, entry)
    return IssuanceResult(sig, platform, placement, manifest.document_checksum, doc_ok, manifest.issue_to_checksum,
                          verified, basis, manifest.ebl_visualisation_by_carrier_checksum, None)


def _issue_to(rec: Recorder, manifest: IssuanceManifest, first: EntryVerification, given: str | None,
              pointer: str, entry: int | None) -> tuple[bool | None, str | None]:
    if given is not None:
        if given == manifest.issue_to_checksum:
            return True, "given"
        rec.add("PINT-ISSUETO-CHECKSUM", "issueToChecksum does not match the IssueToParty given", "BENV",
                pointer=pointer, entry=entry, payload_pointer="/issueToChecksum")
        return False, "given"
    model = first.model
    tx = model.transactions[0] if model is not None and model.transactions else None
    if tx is not None and tx.action is ActionCode.ISSUE and tx.recipient is not None:
        try:
            if jcs_sha256(tx.recipient.to_issue_to()) == manifest.issue_to_checksum:
                return True, "issue-recipient"
        except CanonicalizationError:
            pass  # free-form members without an RFC 8785 form: no match, said below
    rec.add("PINT-ISSUETO-UNVERIFIED", "issueToChecksum covers the Issuance API IssueToParty, which the envelope does "
                                       "not carry, and the ISSUE recipient does not reproduce it: not verified", "BENV",
            pointer=pointer, entry=entry, payload_pointer="/issueToChecksum", severity=Severity.INFO)
    return None, None


def check_visualisation(rec: Recorder, issuance: IssuanceResult, manifest: EnvelopeManifest) -> IssuanceResult:
    """The visualisation the carrier signed at issuance must accompany every transfer, unchanged."""
    signed = issuance.visualisation_checksum
    if signed is None:
        return issuance
    listed = manifest.ebl_visualisation_by_carrier
    if listed is None:
        rec.add("PINT-VISUALISATION-MISSING", "the carrier issued a visualisation (eBLVisualisationByCarrierChecksum) "
                                              "but the manifest no longer lists it; it must accompany every transfer",
                "BENV", pointer=MANIFEST, payload_pointer="/eBLVisualisationByCarrier")
        return replace(issuance, visualisation_ok=False)
    if listed.document_checksum != signed:
        rec.add("PINT-VISUALISATION-CHECKSUM", "the manifest's eBLVisualisationByCarrier is not the one the carrier "
                                               "signed at issuance", "BENV", pointer=MANIFEST,
                payload_pointer="/eBLVisualisationByCarrier/documentChecksum")
        return replace(issuance, visualisation_ok=False)
    return replace(issuance, visualisation_ok=True)


def check_manifest(rec: Recorder, trust: TrustStore, allowed: frozenset[str], memo: dict[Any, Any],
                   env: Mapping[str, Any], last: EntryVerification, td_checksum: str, at: datetime,
                   ) -> tuple[ManifestResult | None, EnvelopeManifest | None]:
    """The envelope manifest, signed by the platform of the ``last`` entry (certificates checked at ``at``)."""
    token = env.get("envelopeManifestSignedContent")
    if not isinstance(token, str):
        return None, None  # the envelope schema says so
    parsed, payload = read_jws(rec, token, pointer=MANIFEST, entry=None, part="manifest")
    if parsed is None:
        return None, None
    sig, _ = check_signature(rec, trust, allowed, parsed, platform=last.result.platform, at=at, pointer=MANIFEST,
                             entry=None, part="manifest", memo=memo)
    if payload is None or not rec.schema("EnvelopeManifest", payload, pointer=MANIFEST):
        return ManifestResult(sig, None, None, False, False), None
    manifest = EnvelopeManifest.from_dict(payload)
    last_ok = manifest.last_entry_checksum == last.result.checksum
    if not last_ok:
        rec.add("PINT-MANIFEST-LAST-ENTRY", "the manifest's lastEnvelopeTransferChainEntrySignedContentChecksum is not "
                                            f"the checksum of the last entry ({last.result.index}): entries added, "
                                            "removed or changed after signing", "BENV", pointer=MANIFEST,
                payload_pointer="/lastEnvelopeTransferChainEntrySignedContentChecksum")
    td_ok = manifest.transport_document_checksum == td_checksum
    if not td_ok:
        rec.add("PINT-TD-CHECKSUM-MANIFEST", f"the manifest names transport document checksum "
                                             f"{manifest.transport_document_checksum[:12]}…, not the TD's "
                                             f"{td_checksum[:12]}…", "BENV", pointer=MANIFEST,
                payload_pointer="/transportDocumentChecksum", named=manifest.transport_document_checksum)
    return ManifestResult(sig, manifest.transport_document_checksum, manifest.last_entry_checksum, last_ok,
                          td_ok), manifest


def check_recipient(rec: Recorder, last: EntryVerification, current_holder: Party | None,
                    expected: str | Party) -> None:
    """The last transaction is addressed to ``expected`` (a platform code, or a party)."""
    model = last.model
    if model is None:
        rec.add("PINT-RECIPIENT-UNKNOWN", "the recipient of the last transaction cannot be read", "BENV",
                entry=last.result.index)
        return
    target = model.transactions[-1].recipient or current_holder
    if isinstance(expected, str):
        ok = target is not None and target.ebl_platform == expected
        wanted = f"a party of platform {expected!r}"
    else:
        ok = expected.same_as(target)
        wanted = expected.describe()
    if not ok:
        got = target.describe() if target is not None else "nobody"
        rec.add("PINT-RECIPIENT-MISMATCH", f"the envelope is addressed to {got}, not to {wanted}", "BENV",
                entry=last.result.index, payload_pointer=f"/transactions/{len(model.transactions) - 1}/recipient")


def check_documents(rec: Recorder, manifest: EnvelopeManifest, given: Mapping[str, bytes] | None,
                    required: bool) -> tuple[DocumentCheck, ...]:
    """Each document the manifest names against the bytes given (matched by checksum, then name, then content)."""
    listed = [("visualisation", "/eBLVisualisationByCarrier", manifest.ebl_visualisation_by_carrier)] \
        if manifest.ebl_visualisation_by_carrier else []
    listed += [("supporting", f"/supportingDocuments/{n}", d) for n, d in enumerate(manifest.supporting_documents)]
    if given is None and not required:
        if listed:
            rec.add("PINT-DOCUMENTS-NOT-CHECKED", f"the manifest names {len(listed)} document(s); none were given, so "
                                                  "they were not checked", "MDOC", pointer=MANIFEST,
                    severity=Severity.INFO)
        return tuple(DocumentCheck(d.name, d.document_checksum, d.size, role, "not-checked") for role, _, d in listed)
    given = given or {}
    sums = {name: sha256_hex(data) for name, data in given.items()}  # each document is hashed once
    by_content = {checksum: name for name, checksum in reversed(sums.items())}
    out: list[DocumentCheck] = []
    used: set[str] = set()
    for role, ptr, d in listed:
        key = d.document_checksum if d.document_checksum in given else d.name if d.name in given \
            else by_content.get(d.document_checksum)
        if key is None:
            rec.add("PINT-DOCUMENT-MISSING", f"document {d.name!r} ({d.document_checksum[:12]}…) named by the manifest "
                                             "was not given", "MDOC", pointer=MANIFEST, payload_pointer=ptr)
            out.append(DocumentCheck(d.name, d.document_checksum, d.size, role, "missing"))
            continue
        used.add(key)
        if sums[key] != d.document_checksum:
            rec.add("PINT-DOCUMENT-CHECKSUM", f"document {d.name!r}: SHA-256 of the bytes given is {sums[key][:12]}…, "
                                              f"the manifest says {d.document_checksum[:12]}…", "INCD",
                    pointer=MANIFEST, payload_pointer=f"{ptr}/documentChecksum")
            status = "mismatch"
        elif len(given[key]) != d.size:
            rec.add("PINT-DOCUMENT-SIZE", f"document {d.name!r}: {len(given[key])} bytes given, the manifest says "
                                          f"{d.size}", "INCD", pointer=MANIFEST, payload_pointer=f"{ptr}/size")
            status = "size"
        else:
            status = "verified"
        out.append(DocumentCheck(d.name, d.document_checksum, d.size, role, status))
    for key in given:
        if key not in used:
            rec.add("PINT-DOCUMENT-UNRELATED", f"document {key[:80]!r} was given but the manifest names no such "
                                               "document", "INCD", pointer=MANIFEST)
            out.append(DocumentCheck(key, sums[key], len(given[key]), "given", "unrelated"))
    return tuple(out)
