"""What every signed part of an envelope shares: recording findings, reading a JWS, checking its signature.

A :class:`Recorder` collects the findings of one verification (of an envelope, or of one chain entry):
each carries the PINT ``responseCode`` a receiving platform would answer, the ``entry`` index where
there is one, and the ``payloadPointer`` inside the JWS payload. :func:`read_jws` parses a compact JWS
and its payload strictly; :func:`check_signature` finds the key the trust store accepts for the
claimed platform at the given time and verifies the signature with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..crypto.jws import JwsError, ParsedJws, bad_signature, check_key_fit, parse_compact, payload_json, signature_valid
from ..crypto.keys import PublicKey
from ..crypto.trust import KeyResolution, TrustStore
from ..model import Finding, Location, Severity
from . import _schema
from .results import SignatureCheck

__all__ = ["REFERENCE", "Mode", "Recorder", "check_signature", "entry_pointer", "read_jws"]

Mode = Literal["strict", "legacy"]
REFERENCE = "DCSA PINT 3.0 (EBL_PINT_v3.0.0.yaml) §2.9"
_JWS_CODES = {
    "JWS-MALFORMED": ("PINT-JWS-MALFORMED", "BSIG"),
    "JWS-HEADER": ("PINT-JWS-HEADER", "BSIG"),
    "JWS-ALG-FORBIDDEN": ("PINT-JWS-ALG-FORBIDDEN", "BSIG"),
    "JWS-KEY-MISMATCH": ("PINT-JWS-KEY-MISMATCH", "BSIG"),
    "JWS-BAD-SIGNATURE": ("PINT-JWS-BAD-SIGNATURE", "BSIG"),
    "JWS-PAYLOAD": ("PINT-JWS-PAYLOAD", "BENV"),
}
_HEX_WITH_UPPERCASE = re.compile(r"(?=.*[A-F])[0-9A-Fa-f]+")


def entry_pointer(index: int) -> str:
    """``/envelopeTransferChain/<index>``."""
    return f"/envelopeTransferChain/{index}"


@dataclass(slots=True)
class Recorder:
    """The findings of one verification, in the order the checks ran."""

    mode: Mode
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Error findings so far."""
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    def add(self, code: str, message: str, response: str, *, pointer: str | None = None, entry: int | None = None,
            payload_pointer: str | None = None, severity: Severity = Severity.ERROR, **extra: Any) -> None:
        """Record a finding; ``pointer`` defaults to the entry's (``/envelopeTransferChain/<entry>``)."""
        detail: dict[str, Any] = {"responseCode": response}
        if entry is not None:
            detail["entry"] = entry
            pointer = entry_pointer(entry) if pointer is None else pointer
        if payload_pointer is not None:
            detail["payloadPointer"] = payload_pointer
        detail.update(extra)
        self.findings.append(Finding(code, severity, message, Location(pointer=pointer) if pointer is not None
                                     else None, REFERENCE, detail))

    def legacy(self, code: str, message: str, *, pointer: str, entry: int | None = None,
               payload_pointer: str | None = None) -> None:
        """A pre-3.0 layout: an error in strict mode, a warning in legacy mode."""
        strict = self.mode == "strict"
        self.add(code, message + (" (strict mode; use --mode legacy to accept it)" if strict else ""), "BENV",
                 pointer=pointer, entry=entry, payload_pointer=payload_pointer,
                 severity=Severity.ERROR if strict else Severity.WARNING)

    def schema(self, definition: str, instance: Any, *, pointer: str, entry: int | None = None, prefix: str = "",
               explained: Collection[str] = ()) -> bool:
        """Check ``instance`` against the PINT schema ``definition``; record its findings (located at
        ``pointer``, or at the instance path for the envelope itself, ``pointer == ""``) except those at a
        pointer in ``explained`` (already reported with their cause). True when the instance is valid.

        A checksum refused only for its uppercase hex digits gets its own code and says so
        (``PINT-CHECKSUM-UPPERCASE``), not just that a pattern failed."""
        valid = True
        for f in _schema.findings(definition, instance):
            valid = False
            where = f.location.pointer if f.location and f.location.pointer else ""
            if where in explained:
                continue
            code, message, detail = f.code, f.message, dict(f.detail or {})
            value = _value_at(instance, where)
            if code == "PINT-SCHEMA-PATTERN" and isinstance(value, str) and _HEX_WITH_UPPERCASE.fullmatch(value):
                code, message = "PINT-CHECKSUM-UPPERCASE", (f"{value[:12]}… is written in uppercase hex; PINT "
                                                            "checksums are lowercase hex (^[0-9a-f]+$)")
            where = prefix + where
            if pointer == "":
                self.add(code, f"{where or '/'}: {message}", "BENV", pointer=where, **detail)
            else:
                self.add(code, f"{where or '/'}: {message}", "BENV", pointer=pointer, entry=entry,
                         payload_pointer=where or "/", **detail)
        return valid


def _value_at(instance: Any, pointer: str) -> Any:
    """The value at JSON Pointer ``pointer`` in ``instance`` (``None`` where there is none)."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(instance, dict):
            instance = instance.get(token)
        elif isinstance(instance, list) and token.isdigit() and int(token) < len(instance):
            instance = instance[int(token)]
        else:
            return None
    return instance


def read_jws(rec: Recorder, token: object, *, pointer: str, entry: int | None, part: str,
             ) -> tuple[ParsedJws | None, dict[str, Any] | None]:
    """Parse a compact JWS and its payload (a JSON object, read by the hardened loader's rules);
    record why not. Returns (parsed or None, payload or None)."""
    try:
        parsed = parse_compact(token)  # type: ignore[arg-type]  # refuses what is not a str
    except JwsError as exc:
        _jws_error(rec, exc, pointer=pointer, entry=entry, part=part)
        return None, None
    try:
        data = payload_json(parsed)
    except JwsError as exc:
        _jws_error(rec, exc, pointer=pointer, entry=entry, part=part)
        return parsed, None
    if not isinstance(data, dict):
        rec.add("PINT-JWS-PAYLOAD", f"the {part} payload is not a JSON object", "BENV", pointer=pointer, entry=entry,
                part=part)
        return parsed, None
    return parsed, data


def _jws_error(rec: Recorder, exc: JwsError, *, pointer: str, entry: int | None, part: str) -> None:
    if exc.detail == "LOAD-JSON-DUPLICATE-KEY":
        where = "header" if exc.code == "JWS-HEADER" else "payload"
        rec.add("PINT-DUPLICATE-KEY", f"the {part} JWS {where} has a duplicate JSON key: {exc}", "BENV",
                pointer=pointer, entry=entry, part=part)
        return
    code, response = _JWS_CODES.get(exc.code, ("PINT-JWS-MALFORMED", "BSIG"))
    rec.add(code, f"{part}: {exc}", response, pointer=pointer, entry=entry, part=part)


def _key_code(trust_code: str) -> str:
    """The finding code for a trust store's refusal: ``TRUST-X5C-EXPIRED`` -> ``PINT-KEY-X5C-EXPIRED``,
    ``TRUST-UNKNOWN-KEY`` -> ``PINT-KEY-UNKNOWN``, ``TRUST-KEY-EXPIRED`` -> ``PINT-KEY-EXPIRED``."""
    return "PINT-KEY-" + trust_code.removeprefix("TRUST-").removeprefix("KEY-").removesuffix("-KEY")


def check_signature(rec: Recorder, trust: TrustStore, allowed: frozenset[str], parsed: ParsedJws, *,
                    platform: str | None, at: datetime, pointer: str, entry: int | None, part: str,
                    memo: dict[Any, Any], mismatch_code: str | None = None) -> tuple[SignatureCheck, PublicKey | None]:
    """Verify ``parsed`` with the key ``trust`` accepts for ``platform`` at ``at``; record why not. ``memo``
    is :meth:`TrustStore.resolve_memo`'s, kept for one envelope (its parts share a few headers and platforms).

    In order: the algorithm (never ``none`` nor HMAC; in ``allowed``), the key (``TrustStore.resolve``:
    ``PINT-KEY-…`` codes, ``mismatch_code`` instead of ``PINT-KEY-PLATFORM-MISMATCH`` when given), the
    algorithm fits the key, the signature. Returns the check and the key (when one was found)."""
    header = parsed.header
    alg, kid = header.get("alg"), header.get("kid")
    kid = kid if isinstance(kid, str) else None
    if not isinstance(alg, str) or alg not in allowed:  # an allow-list never holds none nor HMAC (check_allowed)
        rec.add("PINT-JWS-ALG-FORBIDDEN", f"{part}: algorithm {str(alg)[:20]!r} is not accepted (allowed: "
                                          f"{', '.join(sorted(allowed))})", "BSIG", pointer=pointer, entry=entry,
                part=part)
        return SignatureCheck(False, alg if isinstance(alg, str) else None, kid, platform=platform,
                              code="PINT-JWS-ALG-FORBIDDEN"), None
    resolution: KeyResolution = trust.resolve_memo(header, platform=platform, at=at, memo=memo)
    key = resolution.key
    if key is None or resolution.code is not None:
        trust_code = resolution.code or "TRUST-UNKNOWN-KEY"
        code = mismatch_code if mismatch_code and trust_code == "TRUST-PLATFORM-MISMATCH" else _key_code(trust_code)
        rec.add(code, f"{part}: {resolution.message or 'no trusted key'}", "BSIG", pointer=pointer, entry=entry,
                part=part, trustCode=trust_code)
        return SignatureCheck(False, alg, kid, platform=platform, platform_binding=resolution.platform_binding,
                              code=code), None
    subject = None
    if resolution.chain:
        try:
            subject = resolution.chain[0].subject.rfc4514_string()[:120]
        except ValueError:
            subject = None
    check = SignatureCheck(True, alg, kid, resolution.how, key.kid, key.thumbprint, platform,
                           resolution.platform_binding, None, subject)
    try:
        check_key_fit(alg, key)
    except JwsError as exc:
        code, response = _JWS_CODES.get(exc.code, ("PINT-JWS-KEY-MISMATCH", "BSIG"))
        rec.add(code, f"{part}: {exc}", response, pointer=pointer, entry=entry, part=part)
        return check._replace(verified=False, code=code), key
    if not signature_valid(alg, key, parsed.signing_input, parsed.signature):
        rec.add("PINT-JWS-BAD-SIGNATURE", f"{part}: {bad_signature(alg, key)}", "BSIG", pointer=pointer, entry=entry,
                part=part)
        return check._replace(verified=False, code="PINT-JWS-BAD-SIGNATURE"), key
    return check, key
