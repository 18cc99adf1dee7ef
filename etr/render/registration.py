"""The text of a registration (an envelope recorded in the registry of record)::

    env.json: PASS (response RECE) CARR/SIM0000001#1800c18f…: 1 entry recorded, the record holds 2
      state active; holder Bob Bank plc [EBL2]; head 1f4b534e…152e
      info    REG-RECEIVED: recorded entry 1; state active, holder Bob Bank plc [EBL2]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Severity
from . import finding_line

if TYPE_CHECKING:
    from ..registry.model import Recording


def registration_lines(result: Recording, *, quiet: bool = False) -> list[str]:
    """One block per recorded envelope; ``quiet`` leaves out info findings."""
    what = result.key.describe() if result.key is not None else "record not identified"
    plural = "entry" if result.accepted == 1 else "entries"
    lines = [f"{result.source}: {result.outcome.value} (response {result.response}) {what}: {result.accepted} "
             f"{plural} recorded, the record holds {result.entries}"]
    status = result.status
    if status is not None:
        holder = status.holder or {}
        who = f"{holder.get('partyName', '?')} [{holder.get('eblPlatform', '?')}]" if holder else "unknown"
        head = status.head_checksum
        lines.append(f"  state {status.state}; holder {who}; head {head[:8]}…{head[-4:]}"
                     + (f"; {status.conflicts} conflict(s) refused" if status.conflicts else ""))
    lines += [finding_line(f) for f in result.findings if not (quiet and f.severity is Severity.INFO)]
    return lines
