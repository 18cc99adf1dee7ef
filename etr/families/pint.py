"""DCSA PINT 3.0 envelopes, as documents: their structure and the transport document they carry.

``etr validate`` answers "is it well formed": the envelope against the PINT
schema, and the embedded ``transportDocument`` through the DCSA eBL family
(its findings keep their codes, under ``/transportDocument``). Signatures,
checksums and the transfer chain are not checked here: that is ``etr verify``,
which needs a trust store; a single info finding says so.

Versions: an envelope does not say which eBL version its transport document
follows, and PINT 3.0.0 is the only envelope version. So this family's
versions are the DCSA eBL versions (3.0.0 to 3.0.4, default 3.0.4): an
explicit ``--schema-version`` (or ``version=``) is the version of the transport
document inside, and the report names it. The envelope itself is always
checked against the PINT 3.0.0 schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..load import Document
from ..model import Finding, Location, Severity
from ..transfer._schema import REFERENCE, findings
from . import Match
from .ebl import DEFAULT_VERSION as EBL_DEFAULT_VERSION
from .ebl import VERSIONS as EBL_VERSIONS

#: The envelope schema's version (the same for every transport document version).
PINT_VERSION = "3.0.0"


class PintEnvelopeFamily:
    """The DCSA PINT 3.0 ``EblEnvelope``; its versions are those of the transport document it carries."""

    name = "dcsa-pint"
    title = "DCSA PINT 3.0 envelope (structure and transport document; signatures: etr verify)"
    versions = EBL_VERSIONS
    default_version = EBL_DEFAULT_VERSION
    schema_files = ("dcsa-pint/pint-3.0.schema.json",)

    def detect(self, document: Document) -> Match | None:
        content = document.content
        if (document.syntax == "json" and isinstance(content, dict)
                and "envelopeTransferChain" in content
                and ("envelopeManifestSignedContent" in content or "transportDocument" in content)):
            # Neither the envelope nor its transport document declares a version.
            return Match(self.name, None, None, "EblEnvelope members")
        return None

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        """The envelope against PINT 3.0.0, then its ``transportDocument`` as DCSA eBL ``version``."""
        from .ebl import FAMILY as EBL

        envelope = document.content
        yield from findings("EblEnvelope", envelope)
        td = envelope.get("transportDocument") if isinstance(envelope, dict) else None
        if isinstance(td, dict):
            inner = Document(f"{document.source}#/transportDocument", "json", td, b"")
            for finding in EBL.check(inner, version):
                yield _under("/transportDocument", finding)
        yield Finding("PINT-NOT-VERIFIED", Severity.INFO,
                      "signatures, checksums and the transfer chain are not checked by validate; run etr verify "
                      "with --trust", reference=REFERENCE)


def _under(prefix: str, finding: Finding) -> Finding:
    location = finding.location or Location()
    return replace(finding, location=replace(location, pointer=prefix + (location.pointer or "")))


FAMILY = PintEnvelopeFamily()
