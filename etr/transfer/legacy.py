"""Legacy PINT payloads (before the 2025-11-14 snapshot), mapped to PINT 3.0 before they are checked.

What is mapped (reference §0): ``action`` -> ``actionCode`` (``ISSU`` -> ``ISSUE`` …), legacy action
codes in ``actionCode``, ``timestamp`` (epoch milliseconds) -> ``actionDateTime`` (RFC 3339),
``reason`` -> ``reasonCode``, and a ``null`` previous checksum in the first entry (dropped). Each is
a ``PINT-LEGACY-…`` finding: an error in strict mode, a warning in legacy mode. Where the
Conformance Gateway sends both ``action`` and a hard-coded ``actionCode``, legacy mode takes
``action``. A value that cannot be mapped is an error that names it (``PINT-LEGACY-TIMESTAMP-INVALID``),
never replaced by a default.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .checks import Recorder, entry_pointer
from .model import LEGACY_ACTION_CODES, ActionCode, format_datetime

__all__ = ["PREVIOUS", "normalise_entry"]

PREVIOUS = "previousEnvelopeTransferChainEntrySignedContentChecksum"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def normalise_entry(rec: Recorder, data: dict[str, Any], index: int) -> tuple[dict[str, Any], set[str]]:
    """``data`` (entry ``index``'s payload) with legacy fields mapped to PINT 3.0, findings recorded.

    Returns the payload (``data`` itself when nothing is legacy, else a copy) and the payload pointers
    whose problem is already reported with its cause: a legacy ``timestamp`` that is not epoch
    milliseconds leaves ``actionDateTime`` ``null``, which the schema must not report again.
    """
    explained: set[str] = set()  # (not set[str](): calling the alias costs more than the set)
    out = data
    if PREVIOUS in data and data[PREVIOUS] is None:
        out = {k: v for k, v in data.items() if k != PREVIOUS}
        rec.legacy("PINT-LEGACY-NULL-PREVIOUS", f"{PREVIOUS} is null; PINT 3.0 omits it in the first entry",
                   pointer=entry_pointer(index), entry=index, payload_pointer=f"/{PREVIOUS}")
    txs = data.get("transactions")
    if isinstance(txs, list):
        new = None
        for t, tx in enumerate(txs):
            mapped = _normalise_tx(rec, tx, index, t, explained) if isinstance(tx, dict) else tx
            if mapped is not tx:
                new = new or list(txs)
                new[t] = mapped
        if new is not None:
            out = {**out, "transactions": new}
    return out, explained


def _normalise_tx(rec: Recorder, tx: dict[str, Any], entry: int, t: int, explained: set[str]) -> dict[str, Any]:
    code = tx.get("actionCode")
    if "action" not in tx and "timestamp" not in tx and "reason" not in tx and not _legacy_code(code):
        return tx
    out = dict(tx)
    ptr, base = entry_pointer(entry), f"/transactions/{t}"
    if "action" in tx:
        value = tx["action"]
        mapped = LEGACY_ACTION_CODES.get(value, value) if isinstance(value, str) else None
        rec.legacy("PINT-LEGACY-ACTION-FIELD", f"transaction uses the legacy 'action' field ({value!r}); PINT 3.0 "
                                               "uses 'actionCode'", pointer=ptr, entry=entry,
                   payload_pointer=f"{base}/action")
        if code is None:
            if mapped is not None:
                out["actionCode"] = str(mapped)
        elif mapped is not None and (LEGACY_ACTION_CODES.get(code, code) if isinstance(code, str) else code) != mapped:
            rec.legacy("PINT-LEGACY-ACTION-CONFLICT",
                       f"'action' {value!r} and 'actionCode' {code!r} disagree; "
                       + ("'action' is used (Conformance Gateway layout)" if rec.mode == "legacy"
                          else "'actionCode' is used"), pointer=ptr, entry=entry, payload_pointer=f"{base}/actionCode")
            if rec.mode == "legacy":
                out["actionCode"] = str(mapped)
        del out["action"]
    code = out.get("actionCode")
    if isinstance(code, str) and _legacy_code(code):
        rec.legacy("PINT-LEGACY-ACTION-CODE", f"legacy action code {code!r}; PINT 3.0 uses "
                                              f"{LEGACY_ACTION_CODES[code].value!r}",
                   pointer=ptr, entry=entry, payload_pointer=f"{base}/actionCode")
        out["actionCode"] = LEGACY_ACTION_CODES[code].value
    if "timestamp" in tx:
        rec.legacy("PINT-LEGACY-TIMESTAMP", "transaction uses the legacy 'timestamp' (epoch ms); PINT 3.0 uses "
                                            "'actionDateTime'", pointer=ptr, entry=entry,
                   payload_pointer=f"{base}/timestamp")
        if "actionDateTime" not in tx:
            when, cause = from_epoch_millis(tx["timestamp"])
            if when is None:
                rec.add("PINT-LEGACY-TIMESTAMP-INVALID", f"transaction {t}: the legacy timestamp "
                                                         f"{str(tx['timestamp'])[:40]} is not epoch milliseconds "
                                                         f"({cause}): the transaction's time cannot be read", "BENV",
                        entry=entry, payload_pointer=f"{base}/timestamp")
                explained.add(f"{base}/actionDateTime")
            out["actionDateTime"] = format_datetime(when) if when is not None else None
        del out["timestamp"]
    if "reason" in tx:
        rec.legacy("PINT-LEGACY-REASON", "transaction uses the legacy 'reason'; PINT 3.0 uses 'reasonCode'",
                   pointer=ptr, entry=entry, payload_pointer=f"{base}/reason")
        if "reasonCode" not in tx:
            out["reasonCode"] = tx["reason"]
        del out["reason"]
    return out


def _legacy_code(code: object) -> bool:
    """A pre-3.0 action code (SACC and SREJ are both legacy and current codes)."""
    return isinstance(code, str) and code in LEGACY_ACTION_CODES and code not in ActionCode.__members__


def from_epoch_millis(value: object) -> tuple[datetime | None, str]:
    """The instant ``value`` milliseconds after 1970-01-01T00:00:00Z, or ``None`` and why not.

    Any JSON number spelling counts (``1780304400000`` and ``1.7803044e12`` are one instant); the
    result must be a date between the years 1 and 9999 (epoch micro- or nanoseconds are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"a {type(value).__name__ if value is not None else 'null'}, not a number"
    try:
        when = _EPOCH + timedelta(milliseconds=value)
    except (OverflowError, ValueError):
        return None, "as milliseconds it is no date between the years 1 and 9999: seconds, microseconds or " \
                     "nanoseconds?"
    return when, ""
