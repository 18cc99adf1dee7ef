"""Digests exactly as DCSA PINT computes them (see reference §2.7).

All checksums are SHA-256 written as 64 lowercase hex characters. A JSON
object is hashed over the UTF-8 bytes of its RFC 8785 (JCS) canonical form; a
received JWS is hashed as the string received — never re-serialised.

:func:`jcs` is etr's one RFC 8785 writer. Values of the shapes etr builds and
reads most (objects with ASCII keys, arrays, strings, booleans, null, integers
within ±2**53) are written by ``orjson`` with sorted keys, which then gives
exactly the RFC 8785 bytes (its string escapes are RFC 8785's); anything else
(floats, larger integers, non-ASCII keys, whose UTF-16 order may differ from
code-point order) by :func:`_write`. The property tests in
``tests/unit/test_crypto_digests.py`` hold both to the ``rfc8785`` package,
the reference.

**Numbers** (§3.2.2.3): a number is written as ECMAScript writes the IEEE 754
double it is. An integer is accepted when it *is* a double — ``100000000000000000000``
(10**20) is written ``100000000000000000000``, exactly as ``1e20`` is — and
refused when it is not (``9007199254740993``, 2**53 + 1, has no double: writing
the nearest one would hash another value than the one given). So a checksum
never depends on how a number is spelled.
"""

from __future__ import annotations

import hashlib
from json.encoder import encode_basestring
from typing import Any

import orjson

from ..errors import DocumentError

__all__ = ["CanonicalizationError", "jcs", "jcs_sha256", "sha256_hex"]


class CanonicalizationError(DocumentError):
    """A value has no RFC 8785 form (NaN or infinity, an integer that is not exactly an IEEE 754
    double, a lone surrogate, a non-string key, a type that is not JSON)."""

    code = "JCS-UNREPRESENTABLE"


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex characters."""
    return hashlib.sha256(data).hexdigest()


_SAFE_INT = 2**53
#: Deeper values take the general writer (and a cycle can never loop here).
_MAX_PLAIN_DEPTH = 64


def _scalar(value: Any) -> bool:
    kind = value.__class__
    return kind is str or kind is bool or value is None or (kind is int and -_SAFE_INT < value < _SAFE_INT)


def _plain(value: Any) -> bool:
    """True when ``orjson`` (keys sorted, compact) writes exactly RFC 8785 for ``value``: only dicts with
    ASCII ``str`` keys (so code-point order is UTF-16 order), lists, ``str``, ``bool``, ``None`` and
    ``int`` strictly within ±2**53 (no floats, whose formatting differs), at most
    :data:`_MAX_PLAIN_DEPTH` levels deep. Exact types only, no subclasses."""
    if value.__class__ is not dict and value.__class__ is not list:
        return _scalar(value)
    stack: list[tuple[Any, int]] = [(value, 1)]  # containers only
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        if item.__class__ is dict:
            for key in item:
                if key.__class__ is not str or not key.isascii():
                    return False
            item = item.values()
        for child in item:
            kind = child.__class__
            if kind is str or kind is bool or child is None:
                continue
            if kind is int:
                if not -_SAFE_INT < child < _SAFE_INT:
                    return False
            elif (kind is dict or kind is list) and depth < _MAX_PLAIN_DEPTH:
                push((child, depth + 1))
            else:
                return False
    return True


def _number(value: int | float) -> str:
    """ECMAScript ``Number::toString`` of the double ``value`` is (RFC 8785 §3.2.2.3)."""
    if isinstance(value, int):
        if -_SAFE_INT < value < _SAFE_INT:
            return str(int(value))
        try:
            exact = float(value) == value  # compared exactly: int == float does not round
        except OverflowError:
            exact = False
        if not exact:
            raise CanonicalizationError(f"the integer {str(value)[:40]} is not exactly an IEEE 754 double (I-JSON, "
                                        "RFC 7493 §2.2): it has no RFC 8785 form")
        value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise CanonicalizationError(f"{value} is not a JSON number")
    if value == 0:
        return "0"  # and -0
    # repr() gives the shortest digits that read back as the same double, as ECMAScript requires.
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))  # value = 0.digits × 10**point
    digits = digits.rstrip("0")
    sign, k = "-" if value < 0 else "", len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    tail = f"e{'+' if point > 0 else '-'}{abs(point - 1)}"
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + tail


def _write(value: Any, out: list[str]) -> None:
    """Append the RFC 8785 text of ``value`` to ``out`` (the general writer)."""
    if value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif isinstance(value, str):
        out.append(encode_basestring(value))  # RFC 8785 §3.2.2.2 escapes: the C escaper's, ensure_ascii off
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise CanonicalizationError("an object key is not a string")
        out.append("{")
        for n, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):  # §3.2.3
            out.append("," if n else "")
            out.append(encode_basestring(key) + ":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, item in enumerate(value):
            out.append("," if n else "")
            _write(item, out)
        out.append("]")
    else:
        raise CanonicalizationError(f"a {type(value).__name__} is not a JSON value")


def jcs(value: object) -> bytes:
    """The RFC 8785 canonical JSON of ``value``, as UTF-8 bytes.

    Raises:
        CanonicalizationError: ``value`` cannot be written as I-JSON (see the class).
    """
    try:
        if _plain(value):
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        out: list[str] = []
        _write(value, out)
        return "".join(out).encode("utf-8")
    except (UnicodeEncodeError, orjson.JSONEncodeError):  # orjson refuses nothing else a plain value holds
        raise CanonicalizationError("a string holds a lone UTF-16 surrogate, which UTF-8 cannot encode") from None
    except RecursionError:
        raise CanonicalizationError("the value nests too deeply (or contains itself)") from None


def jcs_sha256(value: object) -> str:
    """``sha256_hex(jcs(value))``: the DCSA checksum of a JSON value. Raises like :func:`jcs`."""
    return hashlib.sha256(jcs(value)).hexdigest()
