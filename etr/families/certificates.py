"""What the trade-certificate families (``ephyto``, ``origin``, ``untp``) share: the checks C1–C9
of the certificate reference, code lists, and the findings for what cannot be settled offline.

Checks C4 (issuer proof), C5 (issuer authority) and C6 (status) need, for most certificates, a
lookup etr does not make (the ePhyto hub, a chamber's register, a DID document, a status list).
Each gives a ``CERT-…`` finding whose ``detail`` holds ``check`` (``"C5"``), ``outcome``
(``"NOT_EVALUABLE"``) and ``lookup``: the exact query that would settle it. They are info
findings (a certificate is not invalid because etr is offline) unless the document itself
shows a problem (an unsecured credential, a status other than issued), then a warning.

The codes are catalogued in ``etr/catalogue/certificates.toml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from ..model import Finding, Location, Outcome, Severity

__all__ = [
    "CHECKS",
    "ISSUER_AUTHORITY",
    "PROOF_ABSENT",
    "PROOF_NOT_VERIFIED",
    "STATUS",
    "country_codes",
    "is_country",
    "is_locode",
    "local_name",
    "lookup_finding",
    "not_after",
    "parse_date_time",
]

#: The reference's certificate checks (certificates.md §B4), by id.
CHECKS: dict[str, str] = {
    "C1": "format / schema",
    "C2": "mandatory elements",
    "C3": "code lists",
    "C4": "issuer proof",
    "C5": "issuer authority",
    "C6": "status",
    "C7": "replacement chain",
    "C8": "cross-document consistency",
    "C9": "time / place",
}

PROOF_NOT_VERIFIED = "CERT-PROOF-NOT-VERIFIED"
PROOF_ABSENT = "CERT-PROOF-ABSENT"
ISSUER_AUTHORITY = "CERT-ISSUER-AUTHORITY"
STATUS = "CERT-STATUS"

_REFERENCE = "etr certificate checks C1–C9 (certificates reference §B4)"


def lookup_finding(code: str, check: str, message: str, lookup: str, *, location: Location | None = None,
                   severity: Severity = Severity.INFO, outcome: Outcome = Outcome.NOT_EVALUABLE) -> Finding:
    """A ``CERT-…`` finding for check ``check`` (``"C4"`` … ``"C6"``) that a lookup would settle.

    ``lookup`` names the exact query (service, key); ``outcome`` is what etr can say offline
    (NOT_EVALUABLE, or NOT_APPLICABLE when the document gives nothing to look up).
    """
    # The lookup is in the message too: text output shows messages, not details.
    return Finding(code, severity, f"{message}; lookup: {lookup}", location, f"{_REFERENCE}: {check} {CHECKS[check]}",
                   {"check": check, "outcome": outcome.value, "lookup": lookup})


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from :mod:`pycountry`, read once per process)."""
    import pycountry

    return frozenset(str(country.alpha_2) for country in pycountry.countries)


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code (exact case, as the code lists write them)."""
    return code in country_codes()


# UN/LOCODE: the ISO 3166-1 alpha-2 country, then three letters or digits 2-9 (UNECE Rec 16).
_LOCODE = re.compile(r"([A-Z]{2}) ?([A-Z2-9]{3})")


def is_locode(code: str) -> bool:
    """Whether ``code`` has the UN/LOCODE form (country + 3 characters, an optional space between)
    with a real ISO 3166 country. Whether the location exists needs the UN/LOCODE list (not shipped)."""
    match = _LOCODE.fullmatch(code)
    return match is not None and is_country(match.group(1))


def parse_date_time(text: str) -> dt.datetime | dt.date | None:
    """An ISO 8601 date (``2016-04-22``) or date-time (``2016-04-22T13:53:08-03:00``, ``…Z``,
    without an offset too); ``None`` when ``text`` is neither."""
    text = text.strip()
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if "T" not in text and " " not in text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def not_after(first: dt.datetime | dt.date, second: dt.datetime | dt.date) -> bool:
    """Whether ``first`` is not after ``second``. Two date-times with offsets compare as instants;
    otherwise (a date, or a date-time without an offset on either side) their calendar dates compare,
    since the clock of the other one is unknown."""
    if isinstance(first, dt.datetime) and isinstance(second, dt.datetime) \
            and first.tzinfo is not None and second.tzinfo is not None:
        return first <= second
    return _day(first) <= _day(second)


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def text_of(value: Any) -> str:
    """``value`` when it is a string with something other than spaces in it, else ``""``."""
    return value.strip() if isinstance(value, str) else ""


def local_name(tag: object) -> str:
    """An XML element's name without its namespace (``{urn:…}ID`` → ``ID``); a comment's or a processing
    instruction's tag (not a string) as its text."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else str(tag)
