"""The EN 16931 semantic model: the business terms (BT-…) and groups (BG-…) of an invoice, read from
either syntax, each value keeping the element it was read from (so a finding can give its XPath and line).

:func:`build_model` maps a UBL 2.1 Invoice / CreditNote or a CII CrossIndustryInvoice onto the same shape:

- ``terms``: document-level terms, BT id -> :class:`Term` (the first occurrence; ``all_terms`` has every
  occurrence, e.g. several invoice notes BT-22);
- ``lines`` (BG-25), ``vat_breakdown`` (BG-23), ``allowances`` (BG-20) and ``charges`` (BG-21): one
  :class:`Group` each, holding the group's own terms.

The bindings are the syntax mappings of EN 16931-3-2 (UBL) and -3-3 (CII) for the terms listed in
:data:`HEADER`, :data:`LINE`, :data:`BREAKDOWN` and :data:`ALLOWANCE_CHARGE`, read from the data file
``bindings.toml`` next to this module. The business rules
(:mod:`.rules`) do not go through this model: to give exactly the official answers they follow the official
rule contexts on the syntax tree, odd documents included. The model is the reading of a well-formed invoice,
for reports and for users of the library.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from lxml import etree

from ...model import Location
from .xmlutil import CII, UBL, location_of

__all__ = ["ALLOWANCE_CHARGE", "BREAKDOWN", "CHARGE_TERMS", "HEADER", "LINE", "Group", "InvoiceModel", "Term",
           "build_model"]

Syntax = Literal["UBL", "CII"]

_SETTLE = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
Binding = Mapping[str, tuple[str, str, str]]


def _bindings() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("bindings.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _table(section: Mapping[str, Any]) -> Binding:
    return {term: (str(entry["name"]), str(entry["ubl"]), str(entry["cii"]))
            for term, entry in section["terms"].items()}


_DATA = _bindings()
#: Document-level terms: BT id -> (name, UBL path, CII path), paths relative to the document element.
HEADER: Binding = _table(_DATA["header"])
#: Invoice line terms (BG-25), relative to the line element.
LINE: Binding = _table(_DATA["line"])
#: VAT breakdown terms (BG-23), relative to the breakdown element.
BREAKDOWN: Binding = _table(_DATA["breakdown"])
#: Document-level allowance (BG-20) terms; a charge (BG-21) has the same, renamed by :data:`CHARGE_TERMS`.
ALLOWANCE_CHARGE: Binding = _table(_DATA["allowance"])
CHARGE_TERMS: Mapping[str, str] = dict(_DATA["charge"]["rename"])
_GROUPS = {name: str(_DATA[name]["group"]) for name in ("line", "breakdown", "allowance", "charge")}

_NS = {**UBL, **CII}


@dataclass(frozen=True, slots=True)
class Term:
    """One business term's value: ``term`` (e.g. "BT-106"), ``value`` (the element's text, stripped) and
    the ``element`` it was read from."""

    term: str
    value: str
    element: etree._Element = field(repr=False, compare=False)

    @property
    def location(self) -> Location:
        """XPath and line of the element."""
        return location_of(self.element)


@dataclass(frozen=True, slots=True)
class Group:
    """A business group (BG-25 line, BG-23 breakdown, BG-20 allowance, BG-21 charge): its ``group`` id, its
    ``element`` and its terms, BT id -> every occurrence."""

    group: str
    element: etree._Element = field(repr=False, compare=False)
    terms: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)

    def get(self, term: str) -> Term | None:
        """The first occurrence of ``term``, or None."""
        found = self.terms.get(term)
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class InvoiceModel:
    """The semantic model of one invoice (see the module docstring)."""

    syntax: Syntax
    all_terms: Mapping[str, tuple[Term, ...]]
    lines: tuple[Group, ...]
    vat_breakdown: tuple[Group, ...]
    allowances: tuple[Group, ...]
    charges: tuple[Group, ...]

    @property
    def terms(self) -> Mapping[str, Term]:
        """Document-level terms present, BT id -> first occurrence."""
        return {term: found[0] for term, found in self.all_terms.items() if found}

    def get(self, term: str) -> Term | None:
        """The first occurrence of the document-level ``term``, or None."""
        found = self.all_terms.get(term)
        return found[0] if found else None


def _text(el: etree._Element) -> str:
    return "".join(str(t) for t in el.itertext()).strip()


def _read(element: etree._Element, table: Mapping[str, tuple[str, str, str]], syntax: Syntax,
          rename: Mapping[str, str] | None = None) -> dict[str, tuple[Term, ...]]:
    out: dict[str, tuple[Term, ...]] = {}
    for term, (_, ubl_path, cii_path) in table.items():
        path = ubl_path if syntax == "UBL" else cii_path
        found = element.xpath("|".join(path.split("|")), namespaces=_NS)
        assert isinstance(found, list)
        name = rename.get(term, term) if rename else term
        terms = tuple(Term(name, _text(el), el) for el in found if isinstance(el, etree._Element))
        if terms:
            out[name] = terms
    return out


def _charge(ac: etree._Element, syntax: Syntax) -> bool | None:
    path = "cbc:ChargeIndicator" if syntax == "UBL" else "ram:ChargeIndicator/udt:Indicator"
    found = ac.xpath(path, namespaces=_NS)
    assert isinstance(found, list)
    values = {_text(el) for el in found if isinstance(el, etree._Element)}
    return True if values & {"true", "1"} else False if values & {"false", "0"} else None


def build_model(root: etree._Element, syntax: Syntax) -> InvoiceModel:
    """The semantic model of the invoice whose document element is ``root``.

    Missing terms are simply absent; nothing is validated here (the rules do that). Raises ValueError for
    a syntax other than "UBL" and "CII"."""
    if syntax not in ("UBL", "CII"):
        raise ValueError(f"unknown syntax {syntax!r}")

    def each(path: str) -> list[etree._Element]:
        found = root.xpath(path, namespaces=_NS)
        assert isinstance(found, list)
        return [el for el in found if isinstance(el, etree._Element)]

    if syntax == "UBL":
        line_elements = each("cac:InvoiceLine|cac:CreditNoteLine")
        breakdowns = each("cac:TaxTotal/cac:TaxSubtotal")
        acs = each("cac:AllowanceCharge")
    else:
        line_elements = each("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem")
        breakdowns = each(f"{_SETTLE}/ram:ApplicableTradeTax")
        acs = each(f"{_SETTLE}/ram:SpecifiedTradeAllowanceCharge")
    allowances = tuple(Group(_GROUPS["allowance"], ac, _read(ac, ALLOWANCE_CHARGE, syntax)) for ac in acs
                       if _charge(ac, syntax) is False)
    charges = tuple(Group(_GROUPS["charge"], ac, _read(ac, ALLOWANCE_CHARGE, syntax, CHARGE_TERMS)) for ac in acs
                    if _charge(ac, syntax) is True)
    return InvoiceModel(
        syntax=syntax,
        all_terms=_read(root, HEADER, syntax),
        lines=tuple(Group(_GROUPS["line"], el, _read(el, LINE, syntax)) for el in line_elements),
        vat_breakdown=tuple(Group(_GROUPS["breakdown"], el, _read(el, BREAKDOWN, syntax)) for el in breakdowns),
        allowances=allowances,
        charges=charges,
    )
