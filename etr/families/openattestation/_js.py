"""What the OpenAttestation hashing takes from JavaScript: how a value becomes text.

The reference (open-attestation, TypeScript) hashes ``JSON.stringify`` of small
objects, and in v3/v4 a template string ``${value}``. Python's ``json`` differs
from both for numbers (``1.0`` against ``1``, ``1e+21`` against ``1e21``, integers
beyond 2**53, which JavaScript rounds to a double), so numbers are written here
as ECMAScript ``Number::toString`` writes the double the value denotes. Strings,
``null`` and booleans are written by ``json.dumps`` with ``ensure_ascii=False``
and compact separators, which is byte for byte ``JSON.stringify`` for them
(the same escapes; non-ASCII kept; lone surrogates cannot occur: the loader
refuses them).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # json.dumps(text, ensure_ascii=False), without its wrappers
from typing import Any

from ...crypto.digests import _number as _es_number_of_double

_SAFE = 2**53


def to_double(value: int | float) -> float:
    """The IEEE 754 double JavaScript reads for ``value`` (an integer is rounded to the nearest one,
    ties to even, as ``JSON.parse`` does; one beyond the double range is infinite)."""
    if isinstance(value, int) and not -_SAFE < value < _SAFE:
        try:
            return float(value)
        except OverflowError:
            return float("inf") if value > 0 else float("-inf")
    return float(value)


def number_text(value: int | float) -> str:
    """``String(value)`` in JavaScript: ``1.0`` -> ``1``, ``1e21`` -> ``1e+21``, ``-0`` -> ``0``,
    ``9007199254740993`` -> ``9007199254740992``, ``Infinity``."""
    if isinstance(value, int) and -_SAFE < value < _SAFE:
        return str(int(value))  # bool is an int: callers pass numbers only
    double = to_double(value)
    if double != double:
        return "NaN"
    if double in (float("inf"), float("-inf")):
        return "Infinity" if double > 0 else "-Infinity"
    return _es_number_of_double(double)


def stringify(value: Any) -> str:
    """``JSON.stringify(value)`` for a JSON value (compact; numbers as JavaScript writes them; a number
    that is not finite as a double is ``null``, as JavaScript writes it)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        text = number_text(value)
        return "null" if text in ("NaN", "Infinity", "-Infinity") else text
    if isinstance(value, list):
        return "[" + ",".join(stringify(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(encode_basestring(k) + ":" + stringify(v) for k, v in value.items()) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def template_text(value: Any) -> str:
    """The text of ``${value}`` in a JavaScript template string (``String(value)``): numbers as
    :func:`number_text`, ``true``/``false``/``null``, an array as its items joined by ``,`` (``null``
    items empty), an object as ``[object Object]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, list):
        return ",".join("" if item is None else template_text(item) for item in value)
    return "[object Object]"


def string_key_object(key: str, text: str) -> bytes:
    """UTF-8 of ``JSON.stringify({[key]: text})`` for a string value (the v3/v4 leaf)."""
    return ("{" + encode_basestring(key) + ":" + encode_basestring(text) + "}").encode()
