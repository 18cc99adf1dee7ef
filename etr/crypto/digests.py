"""Digests exactly as DCSA PINT computes them (see reference §2.7).

All checksums are SHA-256 written as 64 lowercase hex characters. A JSON
object is hashed over the UTF-8 bytes of its RFC 8785 (JCS) canonical form; a
received JWS is hashed as the string received — never re-serialised.
"""

from __future__ import annotations

import hashlib

import rfc8785

from ..errors import DocumentError

__all__ = ["CanonicalizationError", "jcs", "jcs_sha256", "sha256_hex"]


class CanonicalizationError(DocumentError):
    """A value has no RFC 8785 form (NaN, an integer beyond ±2**53, a non-JSON type)."""

    code = "JCS-UNREPRESENTABLE"


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex characters."""
    return hashlib.sha256(data).hexdigest()


def jcs(value: object) -> bytes:
    """The RFC 8785 canonical JSON of ``value``, as UTF-8 bytes.

    Raises:
        CanonicalizationError: ``value`` cannot be written as I-JSON (NaN or
            infinity, an integer outside the IEEE 754 safe range, a non-string
            key, a type that is not JSON).
    """
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # any JSON value; the rest raises
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"cannot canonicalise as RFC 8785 JSON: {exc}") from None


def jcs_sha256(value: object) -> str:
    """``sha256_hex(jcs(value))``: the DCSA checksum of a JSON value. Raises like :func:`jcs`."""
    return hashlib.sha256(jcs(value)).hexdigest()
