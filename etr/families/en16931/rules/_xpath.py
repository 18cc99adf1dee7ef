"""XPath 2.0 semantics the official EN 16931 rules rely on, for exact native re-implementation.

The official rules are XSLT 2.0 Schematron; their outcome on odd input (an element missing, empty, repeated,
a number with spaces around it) follows XPath 2.0 rules that Python does not share. These helpers give the
XPath answer:

- a missing node is an *empty sequence*: arithmetic on it gives empty (``None`` here), a comparison with it
  is false, ``sum`` of nothing is 0;
- ``xs:decimal(...)`` accepts surrounding whitespace, an optional sign and a decimal point, no exponent;
  a value that is not a decimal is a dynamic error (:class:`XPathError`), which ends the official engine's
  run: the native rules treat it as the rule not holding;
- comparing an untyped node with a number converts the node to ``xs:double`` (exponents and ``INF`` allowed);
- ``round`` rounds half towards positive infinity (``round(-2.5) = -2``), ``normalize-space`` collapses only
  space, tab, CR and LF;
- ``ChargeIndicator = false()`` casts the node to ``xs:boolean`` (``true``/``false``/``1``/``0``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from ..tree import Node

__all__ = [
    "NEGATIVE_ZERO",
    "XPathError",
    "bool_value",
    "dbl",
    "dbl_minus",
    "dbl_ordered",
    "dec",
    "dec_opt",
    "decimals_ok",
    "double_value",
    "kids",
    "normalize_space",
    "nsv",
    "path",
    "round2",
    "round_half_up",
    "string_value",
    "sv_first",
]

Element = Node
_NONE: list[Node] = []

_WS = re.compile(r"[ \t\r\n]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_XML_WS = " \t\r\n"
_ONE = Decimal(1)
_HALF = Decimal("0.5")
_HUNDRED = Decimal(100)


class XPathError(ValueError):
    """A dynamic error of the official rules (a cast that fails): the rule cannot hold."""


@functools.lru_cache(maxsize=4096)
def normalize_space(text: str) -> str:
    """XPath ``normalize-space``: strip and collapse runs of space, tab, CR, LF (no other whitespace).
    Cached: invoices repeat the same short codes many times."""
    return _WS.sub(" ", text).strip(" ")


def string_value(el: Node) -> str:
    """The string value of an element: all its descendant text, in order."""
    return el.string_value


def kids(el: Element, tag: str) -> list[Element]:
    """Child elements named ``tag`` (Clark notation)."""
    return el.findall(tag)


def path(el: Element, *tags: str) -> list[Element]:
    """``el/t1/t2/...``: every element reached along the child steps, in document order."""
    if len(tags) == 1:
        return el.kids.get(tags[0], _NONE)
    nodes = [el]
    for tag in tags:
        nodes = [c for n in nodes for c in n.kids.get(tag, _NONE)]
    return nodes


def sv_first(nodes: Sequence[Element]) -> str:
    """String value of the first node, ``""`` for none (a repeated node is an XPath type error; the official
    engine would stop, the first one is taken here)."""
    return string_value(nodes[0]) if nodes else ""


def nsv(nodes: Sequence[Element]) -> str:
    """``normalize-space(nodes)``."""
    return normalize_space(sv_first(nodes))


@functools.lru_cache(maxsize=8192)
def dec(text: str) -> Decimal:
    """``xs:decimal(text)``; raises XPathError when text is not a decimal. Cached: amounts and rates repeat
    (a failed cast raises each time; only results are cached)."""
    s = text.strip(_XML_WS)
    if not _DECIMAL.fullmatch(s):
        raise XPathError(f"{text!r} is not a decimal number")
    return Decimal(s)


def dec_opt(nodes: Sequence[Element]) -> Decimal | None:
    """``xs:decimal(nodes)`` where nodes has zero or one item: ``None`` for the empty sequence."""
    return dec(string_value(nodes[0])) if nodes else None


#: Negative zero as the official engine (Saxon) orders an untyped value cast to ``xs:double``: below +0 and
#: unequal to it, above every negative number (``"-0.0" = 0`` is false there, ``"-0.0" < 0`` true).
NEGATIVE_ZERO = Decimal("-1E-999999")


@functools.lru_cache(maxsize=8192)
def dbl(text: str) -> Decimal:
    """An untyped value compared with a number: its ``xs:double`` value, exactly, as a Decimal (NaN and the
    infinities as Decimal's own, negative zero as :data:`NEGATIVE_ZERO`). Raises XPathError when text is not
    a number."""
    s = text.strip(_XML_WS)
    if s in ("INF", "-INF", "NaN"):
        return Decimal(s.replace("INF", "Infinity"))
    if not _DOUBLE.fullmatch(s):
        raise XPathError(f"{text!r} is not a number")
    return double_value(float(s), integral=not any(c in s for c in ".eE"))


_ABOVE_ALL = Decimal("Infinity")


@functools.lru_cache(maxsize=8192)
def dbl_ordered(text: str) -> Decimal:
    """An untyped value compared with a number literal (``. >= 0``, ``. > 0``, ``. = 0``): as :func:`dbl`, but
    NaN as +infinity. Saxon orders an untyped ``"NaN"`` above every number (``"NaN" >= 0`` and ``"NaN" > 0``
    are true, ``"NaN" < 100`` and ``"NaN" = 0`` false), which +infinity reproduces against any finite literal.
    Raises XPathError when text is not a number."""
    value = dbl(text)
    return _ABOVE_ALL if value.is_nan() else value


def double_value(value: float, *, integral: bool = False) -> Decimal:
    """The exact Decimal of an ``xs:double``, negative zero as :data:`NEGATIVE_ZERO` (an integer-looking
    ``"-0"`` is read as +0 by the official engine: ``integral``)."""
    if value == 0 and math.copysign(1.0, value) < 0 and not integral:
        return NEGATIVE_ZERO
    return Decimal(value)


def dbl_minus(text: str, delta: int) -> Decimal:
    """``xs:decimal(node + delta)`` with untyped node: the sum is taken in ``xs:double`` (binary floating
    point), then converted to decimal exactly (the binary value, as Saxon does: 183.23 - 1 is a little
    below 182.23). Raises XPathError."""
    s = text.strip(_XML_WS)
    if not _DOUBLE.fullmatch(s):
        raise XPathError(f"{text!r} is not a number")
    try:
        return Decimal(float(s) + delta)
    except InvalidOperation as exc:  # pragma: no cover - inf/nan after the regex cannot happen
        raise XPathError(str(exc)) from exc


def bool_value(el: Element) -> bool | None:
    """An untyped node cast to ``xs:boolean``; ``None`` when the value is none of true/false/1/0 (a pattern
    with such a predicate does not match)."""
    s = string_value(el).strip(_XML_WS)
    if s in ("true", "1"):
        return True
    if s in ("false", "0"):
        return False
    return None


def round_half_up(d: Decimal) -> Decimal:
    """XPath 2 ``round``: the nearest integer, halves towards positive infinity."""
    return (d + _HALF).quantize(_ONE, rounding=ROUND_FLOOR)


def round2(d: Decimal) -> Decimal:
    """``round(d * 10 * 10) div 100``: two decimals, halves towards positive infinity."""
    return round_half_up(d * _HUNDRED) / _HUNDRED


def decimals_ok(nodes: Sequence[Element]) -> bool:
    """``string-length(substring-after(node, '.')) <= 2`` on the first node (absent: true)."""
    return len(sv_first(nodes).partition(".")[2]) <= 2


def dec_sum(values: Iterable[Decimal]) -> Decimal:
    """``sum(...)`` of decimals (0 for none)."""
    total = Decimal(0)
    for v in values:
        total += v
    return total
