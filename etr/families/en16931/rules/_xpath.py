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

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from lxml import etree

__all__ = [
    "XPathError", "bool_value", "dbl", "dec", "dec_opt", "decimals_ok", "dbl_minus", "kids", "nsv",
    "normalize_space", "path", "round_half_up", "round2", "string_value", "sv_first",
]

Element = etree._Element

_WS = re.compile(r"[ \t\r\n]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_XML_WS = " \t\r\n"
_ONE = Decimal(1)
_HALF = Decimal("0.5")
_HUNDRED = Decimal(100)


class XPathError(ValueError):
    """A dynamic error of the official rules (a cast that fails): the rule cannot hold."""


def normalize_space(text: str) -> str:
    """XPath ``normalize-space``: strip and collapse runs of space, tab, CR, LF (no other whitespace)."""
    return _WS.sub(" ", text).strip(" ")


def string_value(el: Element) -> str:
    """The string value of an element: all its descendant text, in order."""
    return "".join(el.itertext())


def kids(el: Element, tag: str) -> list[Element]:
    """Child elements named ``tag`` (Clark notation)."""
    return el.findall(tag)


def path(el: Element, *tags: str) -> list[Element]:
    """``el/t1/t2/...``: every element reached along the child steps, in document order."""
    nodes = [el]
    for tag in tags:
        nodes = [c for n in nodes for c in n.findall(tag)]
    return nodes


def sv_first(nodes: Sequence[Element]) -> str:
    """String value of the first node, ``""`` for none (a repeated node is an XPath type error; the official
    engine would stop, the first one is taken here)."""
    return string_value(nodes[0]) if nodes else ""


def nsv(nodes: Sequence[Element]) -> str:
    """``normalize-space(nodes)``."""
    return normalize_space(sv_first(nodes))


def dec(text: str) -> Decimal:
    """``xs:decimal(text)``; raises XPathError when text is not a decimal."""
    s = text.strip(_XML_WS)
    if not _DECIMAL.fullmatch(s):
        raise XPathError(f"{text!r} is not a decimal number")
    return Decimal(s)


def dec_opt(nodes: Sequence[Element]) -> Decimal | None:
    """``xs:decimal(nodes)`` where nodes has zero or one item: ``None`` for the empty sequence."""
    return dec(string_value(nodes[0])) if nodes else None


def dbl(text: str) -> Decimal:
    """An untyped value cast to ``xs:double``, kept exact as a Decimal (comparisons only); NaN and
    infinities as Decimal's own. Raises XPathError when text is not a number."""
    s = text.strip(_XML_WS)
    if s in ("INF", "-INF", "NaN"):
        return Decimal(s.replace("INF", "Infinity"))
    if not _DOUBLE.fullmatch(s):
        raise XPathError(f"{text!r} is not a number")
    return Decimal(s)


def dbl_minus(text: str, delta: int) -> Decimal:
    """``xs:decimal(node + delta)`` with untyped node: the sum is taken in ``xs:double`` (binary floating
    point), then converted to decimal (its shortest repr, as Saxon does). Raises XPathError."""
    s = text.strip(_XML_WS)
    if not _DOUBLE.fullmatch(s):
        raise XPathError(f"{text!r} is not a number")
    try:
        return Decimal(repr(float(s) + delta))
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
