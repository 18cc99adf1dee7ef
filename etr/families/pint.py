"""DCSA PINT 3.0 envelopes, as documents: their structure and the transport document they carry.

``etr validate`` answers "is it well formed": the envelope against the PINT
schema, and the embedded ``transportDocument`` through the DCSA eBL family
(its findings keep their codes, under ``/transportDocument``). Signatures,
checksums and the transfer chain are not checked here: that is ``etr verify``,
which needs a trust store; a single info finding says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..load import Document
from . import Match
from ..model import Finding, Location, Severity
from ..transfer._schema import REFERENCE, findings


class PintEnvelopeFamily:
    """The DCSA PINT 3.0 ``EblEnvelope``."""

    name = "dcsa-pint"
    title = "DCSA PINT 3.0 envelope (structure and transport document; signatures: etr verify)"
    versions = ("3.0.0",)
    default_version = "3.0.0"
    schema_files = ("dcsa-pint/pint-3.0.schema.json",)

    def detect(self, document: Document) -> Match | None:
        content = document.content
        if (document.syntax == "json" and isinstance(content, dict)
                and "envelopeTransferChain" in content
                and ("envelopeManifestSignedContent" in content or "transportDocument" in content)):
            return Match(self.name, None, None, "EblEnvelope members")
        return None

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        from .ebl import FAMILY as EBL

        envelope = document.content
        yield from findings("EblEnvelope", envelope)
        td = envelope.get("transportDocument")
        if isinstance(td, dict):
            inner = Document(f"{document.source}#/transportDocument", "json", td, b"")
            for finding in EBL.check(inner, EBL.default_version):
                yield _under("/transportDocument", finding)
        yield Finding("PINT-NOT-VERIFIED", Severity.INFO,
                      "signatures, checksums and the transfer chain are not checked by validate; run etr verify "
                      "with --trust", reference=REFERENCE)


def _under(prefix: str, finding: Finding) -> Finding:
    location = finding.location or Location()
    return replace(finding, location=replace(location, pointer=prefix + (location.pointer or "")))


FAMILY = PintEnvelopeFamily()
