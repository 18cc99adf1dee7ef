"""The reference RFC 8785 writer for tests: the ``rfc8785`` package, with RFC 8785's rule for integers.

``rfc8785`` refuses every integer beyond ±2**53; RFC 8785 §3.2.2.3 writes any number as the IEEE 754
double it is, so an integer that is exactly a double (10**20) is that double, and one that is not
(2**53 + 1) has no canonical form. :func:`reference_jcs` hands the package the double.
"""

from __future__ import annotations

from typing import Any

import rfc8785

__all__ = ["as_doubles", "reference_jcs"]


class NotADouble(ValueError):
    pass


def as_doubles(value: Any) -> Any:
    """``value`` with each integer beyond ±2**53 replaced by the double it is. Raises NotADouble."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and not -(2**53) < value < 2**53:
        try:
            exact = float(value) == value
        except OverflowError:
            exact = False
        if not exact:
            raise NotADouble(value)
        return float(value)
    if isinstance(value, dict):
        return {k: as_doubles(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_doubles(v) for v in value]
    return value


def reference_jcs(value: Any) -> bytes | None:
    """The RFC 8785 bytes of ``value`` as the reference writes them, or ``None`` when it has no RFC 8785 form."""
    try:
        return rfc8785.dumps(as_doubles(value))  # type: ignore[no-any-return]
    except (NotADouble, rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError):
        return None
