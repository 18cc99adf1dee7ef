"""Build, for every row of the EN 16931 syntax tables, a small document that breaks the row's rule.

Used by tests/unit/test_en16931_syntax.py (native: the rule fires) and
tests/conformance/test_en16931_syntax_oracle.py (native and official agree on every such document).
The documents are fragments, as the CEN unit tests are: only the context of the rule and what breaks
it, under the root element of the syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from etr.families.en16931.syntax.engine import NAMESPACES, _read_rows, _split_predicates, _split_top

ROOTS = {
    "ubl": ("ubl", "Invoice"),
    "cii": ("rsm", "CrossIndustryInvoice"),
}


@dataclass(frozen=True)
class Breaker:
    table: str
    code: str
    check: str
    path: str
    document: bytes
    #: False when the rule cannot fire on its own row's document (a context shadowed by a higher-ranked
    #: one); the official engine is then the judge.
    expect: bool = True


#: Hand-written documents for the rules whose check is a condition ("test"): the body under the root.
TEST_BODIES: dict[str, str] = {
    "UBL-SR-43": '<cac:AdditionalDocumentReference><cbc:ID schemeID="X">1</cbc:ID>'
    "</cac:AdditionalDocumentReference>",
    "UBL-SR-53": "<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
    "</cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>",
    "UBL-CR-002": "<cbc:UBLVersionID>2.0</cbc:UBLVersionID>",
    "UBL-CR-412": "<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans>",
    "UBL-SR-19": "<cac:PayeeParty><cac:PartyName><cbc:Name>A</cbc:Name></cac:PartyName><cac:PartyName>"
    "<cbc:Name>B</cbc:Name></cac:PartyName></cac:PayeeParty>",
    "UBL-SR-20": '<cac:PayeeParty><cac:PartyIdentification><cbc:ID schemeID="X">1</cbc:ID></cac:PartyIdentification>'
    '<cac:PartyIdentification><cbc:ID schemeID="Y">2</cbc:ID></cac:PartyIdentification></cac:PayeeParty>',
    "UBL-SR-21": "<cac:PayeeParty><cac:PartyLegalEntity><cbc:CompanyID>1</cbc:CompanyID><cbc:CompanyID>2"
    "</cbc:CompanyID></cac:PartyLegalEntity></cac:PayeeParty>",
    "CII-SR-464": "<rsm:SupplyChainTransaction/>",  # the condition is a tautology: it never fires
    "CII-SR-470": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>"
    "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>"
    "</ram:SpecifiedTradeSettlementPaymentMeans></ram:ApplicableHeaderTradeSettlement>"
    "</rsm:SupplyChainTradeTransaction>",
    "CII-SR-467": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>"
    "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>"
    "</ram:SpecifiedTradeSettlementPaymentMeans><ram:SpecifiedTradeSettlementPaymentMeans>"
    "<ram:TypeCode>30</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>"
    "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>",
    "CII-SR-468": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>"
    "<ram:SpecifiedTradeSettlementPaymentMeans><ram:Information>a</ram:Information>"
    "</ram:SpecifiedTradeSettlementPaymentMeans><ram:SpecifiedTradeSettlementPaymentMeans>"
    "<ram:Information>b</ram:Information></ram:SpecifiedTradeSettlementPaymentMeans>"
    "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>",
    "CII-SR-465": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty>"
    "<ram:DefinedTradeContact><ram:PersonName>a</ram:PersonName><ram:DepartmentName>b</ram:DepartmentName>"
    "</ram:DefinedTradeContact></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>"
    "</rsm:SupplyChainTradeTransaction>",
    "CII-SR-466": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:BuyerTradeParty>"
    "<ram:DefinedTradeContact><ram:PersonName>a</ram:PersonName><ram:DepartmentName>b</ram:DepartmentName>"
    "</ram:DefinedTradeContact></ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement>"
    "</rsm:SupplyChainTradeTransaction>",
    "FX-SCH-A-000265": "<rsm:SupplyChainTradeTransaction/>",
    "FX-SCH-A-000173": "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement/>"
    "</rsm:SupplyChainTradeTransaction>",
}
#: Rules that no document can break (the condition always holds), with the reason.
NEVER_FIRES = {"CII-SR-464": "its condition (A or B) or (not A and not B) is always true"}


def _qname(name: str, table: str) -> str:
    prefix, local = name.split(":", 1)
    return f"{{{NAMESPACES[table][prefix]}}}{local}"


def _concrete(name: str, table: str = "ubl") -> str:
    """A concrete element name for a name test: a QName, '(a|b)', '*~Suffix-...' or '*-...'."""
    head = name.split("-*")[0].split("-cbc:")[0]
    if head.startswith("("):
        return head[1:-1].split("|")[0]
    if head.startswith("*~"):
        return {"Amount": "cbc:PayableAmount", "BinaryObject": "cbc:EmbeddedDocumentBinaryObject"}.get(
            head[2:], f"cbc:Test{head[2:]}"
        )
    if head == "*":
        return "cbc:Note" if table == "ubl" else "ram:Content"
    return head


def _satisfy(el: etree._Element, predicate: str, table: str) -> None:
    """Make ``el`` satisfy ``predicate`` (the forms the tables use), or leave it alone (a negation)."""
    p = predicate.strip()
    m = re.fullmatch(r"([\w:]+)(?:/([\w:]+))?\s*=\s*['\"]([^'\"]*)['\"]", p)
    if m:
        child = etree.SubElement(el, _qname(m.group(1), table))
        if m.group(2):
            child = etree.SubElement(child, _qname(m.group(2), table))
        child.text = m.group(3)
        return
    m = re.fullmatch(r"([\w:]+)/@(\w+)\s*=\s*['\"]([^'\"]*)['\"]", p)
    if m:
        etree.SubElement(el, _qname(m.group(1), table)).set(m.group(2), m.group(3))
        return
    m = re.fullmatch(r"([\w:]+)\s*=\s*(true|false)\(\)", p)
    if m:
        etree.SubElement(el, _qname(m.group(1), table)).text = m.group(2)
        return
    m = re.fullmatch(r"([\w:]+)\[upper-case\(([\w:]+)\)\s*(!?=)\s*'(\w+)'\]", p)
    if m:
        child = etree.SubElement(el, _qname(m.group(1), table))
        etree.SubElement(child, _qname(m.group(2), table)).text = m.group(4) if m.group(3) == "=" else "GST"
        return
    m = re.fullmatch(r"upper-case\(@(\w+)\)\s*(!?=)\s*'(\w+)'", p)
    if m:
        el.set(m.group(1), m.group(3) if m.group(2) == "=" else "IBAN")
        return
    m = re.fullmatch(r"normalize-space\(([\w:]+)\) = '(\w+)'( or .*)?", p)
    if m:
        etree.SubElement(el, _qname(m.group(1), table)).text = m.group(2)
        return
    m = re.fullmatch(r"@(\w+)\s*=\s*\.\./\.\./([\w:]+)", p)
    if m:
        el.set(m.group(1), "EUR")
        grand = el.getparent().getparent()  # type: ignore[union-attr]
        etree.SubElement(grand, _qname(m.group(2), table)).text = "EUR"
        return
    # negations (not(...), "!= ... or not(...)", preceding::) are satisfied by adding nothing


def _chain(parent: etree._Element, steps: list[str], table: str) -> etree._Element:
    el = parent
    for step in steps:
        name, preds = _split_predicates(step)
        el = etree.SubElement(el, _qname(_concrete(name, table), table))
        for p in preds:
            _satisfy(el, p, table)
    return el


def _context(table: str, context: str) -> tuple[etree._Element, etree._Element]:
    """A root element and the context element inside it (first alternative of the context path)."""
    prefix, local = ROOTS[table]
    first = _split_top(context, " | ")[0].strip()
    parts = [p for p in _split_top(first.lstrip("/"), "/") if p]
    if first.startswith("//"):
        root = etree.Element(_qname(f"{prefix}:{local}", table), nsmap=NAMESPACES[table])
        name, preds = _split_predicates(parts[0])
        if _qname(_concrete(name, table), table) == root.tag:
            el = root
            for p in preds:
                _satisfy(el, p, table)
            return root, _chain(el, parts[1:], table)
        if table == "cii" and len(parts) == 1:
            # floating CII contexts live under the header settlement
            holder = _chain(root, ["rsm:SupplyChainTradeTransaction", "ram:ApplicableHeaderTradeSettlement"], table)
            return root, _chain(holder, parts, table)
        return root, _chain(root, parts, table)
    name, preds = _split_predicates(parts[0])
    root = etree.Element(_qname(name, table), nsmap=NAMESPACES[table])
    for p in preds:
        _satisfy(root, p, table)
    return root, _chain(root, parts[1:], table)


def _break(table: str, ctx: etree._Element, kind: str, bound: int, path: str, context: str) -> None:
    if kind == "absent":
        if path.startswith("//@") or path.startswith("//*-"):
            attr = path.rsplit("@", 1)[1]
            etree.SubElement(ctx, _qname("cbc:Note" if table == "ubl" else "ram:Content", table)).set(attr, "x")
            return
        steps = [p for p in _split_top(path.lstrip("/"), "/") if p]
        attr = steps.pop()[1:] if steps[-1].startswith("@") else None
        el = _chain(ctx, steps, table)
        if attr:
            el.set(attr, "x")
        return
    if kind == "equal":
        kind, bound = "max", 1
    if kind in ("max", "count", "distinct"):
        steps = [p for p in _split_top(path.lstrip("/"), "/") if p]
        attr = steps.pop()[1:] if steps[-1].startswith("@") else None
        head = _split_predicates(steps[0])[0]
        # exactly N: break with none, unless the context's own predicate needs one (then with N + 1)
        copies = bound + 1 if kind != "count" or head in context else 0
        if copies == 0:
            return
        parent = _chain(ctx, steps[:-1], table)
        for i in range(copies):
            el = _chain(parent, steps[-1:], table)
            el.text = str(i + 1)
            if attr:
                el.set(attr, f"a{i}")
        return
    if kind == "present":
        return  # the context without the path
    if kind == "digits":
        ctx.text = "1.234"
        return
    if kind == "codelist":
        if path.startswith("@"):
            old = ctx.get(path[1:])
            ctx.set(path[1:], "not-a-code")
            ctx.text = ctx.text or "1"
            grand = ctx.getparent().getparent() if ctx.getparent() is not None else None  # type: ignore[union-attr]
            for el in grand if grand is not None and old is not None else ():
                if el.text == old:  # a predicate compares the attribute with this element: keep it true
                    el.text = "not-a-code"
        else:
            ctx.text = "not-a-code"
        return
    if kind == "fail":
        return  # the context element is an empty leaf
    raise ValueError(kind)


def breakers(table: str) -> Iterator[Breaker]:
    """A document per rule row of ``table`` ("ubl" or "cii") that breaks the rule."""
    prefix, local = ROOTS[table]
    for code, _flag, _pattern, _rank, context, check, path, _terms in _read_rows(table):
        if check == "none" or code in NEVER_FIRES:
            continue
        kind, _, bound = check.partition(":")
        if kind == "test":
            body = TEST_BODIES[code]
            ns = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES[table].items())
            data = f"<{prefix}:{local} {ns}>{body}</{prefix}:{local}>".encode()
            yield Breaker(table, code, check, path, data)
            continue
        root, ctx = _context(table, context)
        _break(table, ctx, kind, int(bound or 0), path, context)
        yield Breaker(table, code, check, path, etree.tostring(root))
