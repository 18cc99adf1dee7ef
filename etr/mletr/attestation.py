"""The platform attestation file (``etr assess --attestation FILE``): what software cannot establish.

A TOML or JSON document of the shape ``schemas/mletr/attestation-1.schema.json`` (samples in
``samples/mletr/``): the platform's rulebook and version, audits, certifications, accreditations and
their periods, access controls, the participants' consent, and the change of medium. Each statement
names its issuer and date. The assessment records these declarations next to the requirements they
concern and checks their periods against the record's event dates; it never verifies them: a row that
rests on an attestation says so.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["ATTESTATION_SCHEMA", "Attestation", "Period", "load_attestation", "parse_attestation", "parse_date"]

#: The schema file, under the packaged ``schemas/`` folder.
ATTESTATION_SCHEMA = "mletr/attestation-1.schema.json"
MAX_ATTESTATION_BYTES = 1024 * 1024


def parse_date(value: str) -> tuple[datetime, datetime]:
    """The first and last instant an RFC 3339 date (a whole UTC day) or date-time names.

    Raises:
        ValueError: not a date or date-time.
    """
    if len(value) == 10:
        day = date.fromisoformat(value)
        # time.max, not the next midnight less a microsecond: 9999-12-31 (a common "no end") has no next day.
        return datetime.combine(day, time(0, 0), tzinfo=UTC), datetime.combine(day, time.max, tzinfo=UTC)
    from ..transfer.model import parse_datetime

    moment = parse_datetime(value)
    return moment, moment


@dataclass(frozen=True, slots=True)
class Period:
    """One declared statement with a period: ``what`` it is, ``issuer``, ``date``, ``start``/``end``
    (``end`` ``None``: open-ended), ``pointer`` in the attestation file, and the raw ``data``."""

    what: str
    issuer: str
    date: str
    start: datetime | None
    end: datetime | None
    pointer: str
    data: Mapping[str, Any]

    def covers(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (self.end is None or moment <= self.end)

    def describe(self) -> str:
        until = self.data.get("validUntil", "open-ended")
        span = f", valid {self.data['validFrom']} to {until}" if "validFrom" in self.data else ""
        return f"{self.what} (declared by {self.issuer} on {self.date}{span})"

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "issuer": self.issuer, "date": self.date, "pointer": self.pointer,
                "validFrom": self.data.get("validFrom"), "validUntil": self.data.get("validUntil")}


@dataclass(frozen=True, slots=True)
class Attestation:
    """A parsed, schema-valid attestation; ``source`` names the file."""

    source: str
    data: Mapping[str, Any]

    @property
    def platform_codes(self) -> tuple[str, ...]:
        return tuple(self.data["platform"]["codes"])

    @property
    def platform_name(self) -> str:
        return str(self.data["platform"]["name"])

    def _period(self, what: str, item: Mapping[str, Any], pointer: str) -> Period:
        parse_date(item["date"])  # readable, or ValueError
        start = parse_date(item["validFrom"])[0] if "validFrom" in item else None
        end = parse_date(item["validUntil"])[1] if "validUntil" in item else None
        return Period(what, item["issuer"], item["date"], start, end, pointer, item)

    def rulebook(self) -> Period | None:
        rb = self.data.get("rulebook")
        return self._period(f"rulebook {rb['id']} version {rb['version']}", rb, "/rulebook") if rb else None

    def audits(self) -> tuple[Period, ...]:
        audits = self.data.get("audits", ())
        return tuple(self._period(f"audit by {a['auditor']}{'' if a['independent'] else ' (not independent)'}: "
                                  f"{a['scope']}", a, f"/audits/{i}") for i, a in enumerate(audits))

    def certifications(self) -> tuple[Period, ...]:
        return tuple(self._period(f"certification {c['standard']}", c, f"/certifications/{i}")
                     for i, c in enumerate(self.data.get("certifications", ())))

    def accreditations(self) -> tuple[Period, ...]:
        return tuple(self._period(f"accreditation {a['scheme']} by {a['body']}", a, f"/accreditations/{i}")
                     for i, a in enumerate(self.data.get("accreditations", ())))

    def statement(self, name: str) -> Mapping[str, Any] | None:
        value = self.data.get(name)
        return value if isinstance(value, Mapping) else None

    def summary(self) -> dict[str, Any]:
        """What the assessment's JSON says about the file: source, platform, and which statements it holds."""
        present = [k for k in ("rulebook", "audits", "certifications", "accreditations", "accessControls", "consent",
                               "paperOriginal", "paperIssued") if self.data.get(k)]
        return {"source": self.source, "platform": self.platform_name, "platformCodes": list(self.platform_codes),
                "statements": present}


def _invalid(source: str, message: str) -> UsageError:
    return UsageError(f"attestation {source}: {message}", code="MLETR-ATTESTATION-INVALID",
                      hint="see schemas/mletr/attestation-1.schema.json and samples/mletr/")


def parse_attestation(data: bytes, source: str, *, syntax: str | None = None) -> Attestation:
    """Parse and check an attestation. ``syntax`` is ``"toml"`` or ``"json"`` (default: JSON when the text
    starts with ``{``, else TOML).

    Raises:
        UsageError: ``MLETR-ATTESTATION-INVALID``: not strict JSON or TOML, not of the schema's shape,
            or a date that is not a date.
    """
    text_start = data.lstrip()[:1]
    syntax = syntax or ("json" if text_start == b"{" else "toml")
    value: Any
    if syntax == "json":
        from ..load import LoadError, load_json

        try:
            value = load_json(data, source).content
        except LoadError as exc:
            raise _invalid(source, f"{exc.code}: {exc}") from None
    else:
        try:
            value = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise _invalid(source, f"not TOML: {exc}") from None
        value = _plain(value)
    from ..schemas import compiled

    errors = list(compiled(ATTESTATION_SCHEMA).iter_errors(value))
    if errors:
        from ..schemas import pointer

        first = errors[0]
        raise _invalid(source, f"at {pointer(first.instance_path) or '/'}: {first.message[:200]}"
                               + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    attestation = Attestation(source, value)
    try:  # every period must be readable (the pattern admits 2026-02-31)
        periods = [attestation.rulebook(), *attestation.audits(), *attestation.certifications(),
                   *attestation.accreditations()]
        for period in periods:
            if period is not None and period.start and period.end and period.end < period.start:
                raise _invalid(source, f"at {period.pointer}: validUntil is before validFrom")
        for name in ("accessControls", "consent", "paperOriginal", "paperIssued"):
            statement = attestation.statement(name)
            if statement is not None:
                parse_date(statement["date"])
                if "madeInoperative" in statement:
                    parse_date(statement["madeInoperative"])
    except ValueError as exc:
        raise _invalid(source, f"a date is not a date: {exc}") from None
    return attestation


def _plain(value: Any) -> Any:
    """TOML values as JSON has them: a TOML date or date-time becomes its RFC 3339 text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()  # refused by the schema's pattern: a local time names no instant
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def load_attestation(path: str | os.PathLike[str]) -> Attestation:
    """Read the attestation file at ``path`` (``.toml`` or ``.json``; other names: by content).

    Raises:
        UsageError: ``MLETR-ATTESTATION-INVALID`` (see :func:`parse_attestation`), or
            ``MLETR-ATTESTATION-UNREADABLE``: missing, unreadable, or larger than 1 MiB.
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_ATTESTATION_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"attestation {p}: {exc.strerror or exc}", code="MLETR-ATTESTATION-UNREADABLE") from None
    if len(data) > MAX_ATTESTATION_BYTES:
        raise UsageError(f"attestation {p}: larger than {MAX_ATTESTATION_BYTES} bytes",
                         code="MLETR-ATTESTATION-UNREADABLE")
    suffix = p.suffix.lower()
    return parse_attestation(data, str(p), syntax="json" if suffix == ".json" else "toml" if suffix == ".toml"
                             else None)
