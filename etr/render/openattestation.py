"""The text of an OpenAttestation verification: one line per check, then what a reader sees, then findings::

    bl.tt: NOT_EVALUABLE [openattestation 2.0 wrapped, transferable]
      [PASS          ] integrity        targetHash matches the data and the proof reaches merkleRoot
      [NOT_APPLICABLE] signature        the document carries no DID signature (proof)
      [NOT_EVALUABLE ] issuance-status  token registry 0x142C…: ownerOf(0x53bc…)
      [NOT_EVALUABLE ] identity         DNS-TXT tradetrust.io: not evaluable offline
      token registry 0x142Ca30e3b78A840a82192529cA047ED759a6F7e, token id 0x53bc5e7c…8d07
      issuer: Demo Issuer (DNS-TXT tradetrust.io)
      info    OA-TOKEN-REGISTRY-OFFLINE at /data/issuers/0: …
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Severity
from . import finding_line

if TYPE_CHECKING:
    from ..families.openattestation import OAVerificationResult

_WIDTH = max(len(o) for o in ("PASS", "FAIL", "WARN", "NOT_EVALUABLE", "NOT_APPLICABLE"))


def oa_lines(result: OAVerificationResult, *, quiet: bool = False) -> list[str]:
    """The lines of one OpenAttestation verification; ``quiet`` leaves out info findings."""
    what = f"openattestation {result.version} {result.form}" if result.version else result.form
    if result.transferable:
        what += ", transferable"
    lines = [f"{result.source}: {result.outcome.value} [{what}]"]
    for check in result.checks:
        lines.append(f"  [{check.outcome.value:<{_WIDTH}}] {check.name:<16} {check.reason}")
    if result.token_registry:
        lines.append(f"  token registry {result.token_registry}, token id {result.token_id}")
    elif result.merkle_root:
        lines.append(f"  merkleRoot {result.merkle_root}")
    for issuer in result.issuers:
        how = issuer.get("identityProofType", "?")
        where = issuer.get("domain") or issuer.get("did") or ""
        lines.append(f"  issuer: {issuer.get('name', '(no name)')} ({how} {where})".rstrip())
    lines.extend(finding_line(f) for f in result.findings if not (quiet and f.severity is Severity.INFO))
    return lines
