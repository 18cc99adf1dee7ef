"""Digests exactly as DCSA PINT computes them (see reference §2.7).

All checksums are SHA-256 written as 64 lowercase hex characters. A JSON
object is hashed over the UTF-8 bytes of its RFC 8785 (JCS) canonical form; a
received JWS is hashed as the string received — never re-serialised.

:func:`jcs` writes "plain" values (what etr builds: objects with ASCII keys,
arrays, strings, booleans, null, integers within ±2**53) with the C JSON
encoder, which then gives exactly the RFC 8785 bytes (about 3x faster than
``rfc8785``); anything else (floats, non-ASCII keys, whose UTF-16 order may
differ from code-point order, other types) goes through ``rfc8785``. The
property tests in ``tests/unit/test_crypto_digests.py`` hold both to the same
bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

from ..errors import DocumentError

__all__ = ["CanonicalizationError", "jcs", "jcs_sha256", "sha256_hex"]


class CanonicalizationError(DocumentError):
    """A value has no RFC 8785 form (NaN, an integer beyond ±2**53, a non-JSON type)."""

    code = "JCS-UNREPRESENTABLE"


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex characters."""
    return hashlib.sha256(data).hexdigest()


_SAFE_INT = 2**53
#: Deeper values take the reference path (and a cycle can never loop here).
_MAX_PLAIN_DEPTH = 64
_DUMPS = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def _plain(value: Any) -> bool:
    """True when the C encoder (sorted keys, compact, ``ensure_ascii=False``) writes exactly RFC 8785
    for ``value``: only dicts with ASCII ``str`` keys (so code-point order is UTF-16 order), lists,
    ``str``, ``bool``, ``None`` and ``int`` strictly within ±2**53 (no floats, whose formatting
    differs), at most :data:`_MAX_PLAIN_DEPTH` levels deep. Exact types only, no subclasses."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        kind = item.__class__
        if kind is str or kind is bool or item is None:
            continue
        if kind is dict or kind is list:
            if depth >= _MAX_PLAIN_DEPTH:
                return False
            depth += 1
            if kind is dict:
                for key in item:
                    if key.__class__ is not str or not key.isascii():
                        return False
                item = item.values()
            for child in item:
                child_kind = child.__class__
                if child_kind is str or child_kind is bool or child is None:
                    continue
                if child_kind is int:
                    if not -_SAFE_INT < child < _SAFE_INT:
                        return False
                    continue
                push((child, depth))
        elif kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        else:
            return False
    return True


def jcs(value: object) -> bytes:
    """The RFC 8785 canonical JSON of ``value``, as UTF-8 bytes.

    Raises:
        CanonicalizationError: ``value`` cannot be written as I-JSON (NaN or
            infinity, an integer outside the IEEE 754 safe range, a non-string
            key, a type that is not JSON).
    """
    if _plain(value):
        try:
            return _DUMPS(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference implementation report it
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # any JSON value; the rest raises
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"cannot canonicalise as RFC 8785 JSON: {exc}") from None


def jcs_sha256(value: object) -> str:
    """``sha256_hex(jcs(value))``: the DCSA checksum of a JSON value. Raises like :func:`jcs`."""
    return hashlib.sha256(jcs(value)).hexdigest()
