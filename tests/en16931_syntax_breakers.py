"""Build, for every row of the EN 16931 syntax tables, a small document that breaks the row's rule.

Used by tests/unit/test_en16931_syntax.py (native: the rule fires) and
tests/conformance/test_en16931_syntax_oracle.py (native and official agree on every such document).
The documents are fragments, as the CEN unit tests are: only the context of the rule and what breaks
it, under the root element of the syntax.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from etr.families.en16931.syntax.derive import rows
from etr.families.en16931.syntax.engine import NAMESPACES, _split_predicates, _split_top

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
    m = re.fullmatch(r"not\(not ?\(@(\w+)\)\) and\s+not\(@\1=\"[^\"]*\"\)", p)
    if m:
        el.set(m.group(1), "another")
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
    if ctx.tag.endswith(("Amount", "Quantity", "Percent")) and not ctx.text and kind != "fail":
        ctx.text = "1"  # a number where the business rules read one (an empty one stops the official engine)
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
    if kind in ("fail", "unused"):
        return  # the context element alone: an empty leaf, or an element not used there
    raise ValueError(kind)


def breakers(table: str) -> Iterator[Breaker]:
    """A document per rule row of ``table`` ("ubl" or "cii") that breaks the rule."""
    prefix, local = ROOTS[table]
    for code, _flag, _pattern, _rank, context, check, path, _terms in rows(table):
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


#: Documents that probe the semantics the official rules rely on (first-match contexts, xs:boolean casts,
#: value comparisons, comments inside values, a credit note); (root, body) pairs.
EDGE_CASES: list[tuple[str, str]] = [
    ("Invoice", (
        '<cac:AllowanceCharge><cbc:ChargeIndicator> 0 </cbc:ChargeIndicator><cbc:AllowanceChargeReason>a</cbc'
        ':AllowanceChargeReason><cbc:AllowanceChargeReason>b</cbc:AllowanceChargeReason></cac:AllowanceCharge'
        '><cac:AllowanceCharge><cbc:ChargeIndicator>1</cbc:ChargeIndicator><cbc:AllowanceChargeReason>a</cbc:'
        'AllowanceChargeReason><cbc:AllowanceChargeReason>b</cbc:AllowanceChargeReason></cac:AllowanceCharge>'
    )),
    ("Invoice", (
        '<cac:InvoiceLine><cbc:LineExtensionAmount>1.234</cbc:LineExtensionAmount><cac:Price><cbc:PriceAmount'
        '>1.2345</cbc:PriceAmount><cbc:BaseAmount>1.111</cbc:BaseAmount><cac:AllowanceCharge><cbc:Amount>1.99'
        '9</cbc:Amount><cbc:BaseAmount>2.222</cbc:BaseAmount></cac:AllowanceCharge></cac:Price><cac:Price><cb'
        'c:BaseAmount>3.333</cbc:BaseAmount></cac:Price></cac:InvoiceLine><cbc:TaxAmount>1.2<!-- c -->34</cbc'
        ":TaxAmount><cbc:TaxAmount>1.23<x:Foo xmlns:x='urn:x'>456</x:Foo></cbc:TaxAmount>"
    )),
    ("CreditNote", (
        '<cac:PaymentMeans><cbc:PaymentDueDate>2024-01-01</cbc:PaymentDueDate></cac:PaymentMeans><cac:Additio'
        "nalDocumentReference><cbc:ID schemeID='X'>1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode><"
        "/cac:AdditionalDocumentReference><cac:AdditionalDocumentReference><cbc:ID schemeID='X'>1</cbc:ID><cb"
        'c:DocumentTypeCode>51</cbc:DocumentTypeCode></cac:AdditionalDocumentReference><cbc:UBLVersionID>2.1<'
        '/cbc:UBLVersionID>'
    )),
    ("Invoice", (
        '<cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>S</cbc:Registrat'
        'ionName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty><cac:PayeeParty><cac:PartyN'
        'ame><cbc:Name>S</cbc:Name></cac:PartyName></cac:PayeeParty><cac:PaymentMeans><cbc:PaymentID>a</cbc:P'
        'aymentID><cbc:PaymentID>a</cbc:PaymentID></cac:PaymentMeans><cac:PaymentMeans><cbc:PaymentID>a</cbc:'
        "PaymentID><cbc:PaymentMeansCode name='x'>30</cbc:PaymentMeansCode></cac:PaymentMeans><cac:PaymentMea"
        "ns><cbc:PaymentMeansCode name='y'> 30</cbc:PaymentMeansCode></cac:PaymentMeans>"
    )),
    ("Invoice", (
        '<cac:PayeeParty><cac:PartyName><cbc:Name>T</cbc:Name></cac:PartyName></cac:PayeeParty><cac:Accountin'
        'gSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>1</cbc:CompanyID><cac:TaxScheme><cbc:ID'
        '>vat</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyTaxScheme><cbc:CompanyID>2</cbc:CompanyI'
        'D><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyTaxScheme><cac:T'
        'axScheme/></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty><cac:Delivery><cac:Delivery'
        'Party><cac:PartyName><cbc:Name>a</cbc:Name></cac:PartyName><cac:PartyName><cbc:Name>b</cbc:Name></ca'
        'c:PartyName></cac:DeliveryParty></cac:Delivery><cac:Delivery/><cac:InvoiceLine><cac:Delivery/></cac:'
        'InvoiceLine>'
    )),
    ("Invoice", (
        '<cac:PostalAddress><cac:AddressLine/><cac:AddressLine/></cac:PostalAddress><cac:Foo><cac:Address><ca'
        'c:AddressLine/><cac:AddressLine/></cac:Address></cac:Foo><cbc:EmbeddedDocumentBinaryObject/><cbc:Not'
        "e name='x' schemeName='y' languageID='en'/><cac:Foo><cac:InvoiceLine><cbc:Note/><cbc:Note/></cac:Inv"
        'oiceLine></cac:Foo><cac:BillingReference><cac:InvoiceDocumentReference/><cac:InvoiceDocumentReferenc'
        'e/></cac:BillingReference>'
    )),
    ("CrossIndustryInvoice", (
        '<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en1'
        '6931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID></ram:GuidelineSpecifiedDocumentContextParamet'
        "er></rsm:ExchangedDocumentContext><rsm:ExchangedDocument><ram:ID schemeID='x'>1</ram:ID><ram:TypeCod"
        "e>999</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format='999'>20240101</udt:DateTimeString"
        '></ram:IssueDateTime><ram:IncludedNote><ram:Content/> <ram:Content>x</ram:Content></ram:IncludedNote'
        '></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction><ram:IncludedSupplyChainTradeLineItem><ram'
        ':SpecifiedLineTradeSettlement><ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator'
        '>false</udt:Indicator></ram:ChargeIndicator><ram:ReasonCode>zz</ram:ReasonCode></ram:SpecifiedTradeA'
        'llowanceCharge><ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indi'
        "cator></ram:ChargeIndicator><ram:ReasonCode listID='5153'>zz</ram:ReasonCode><ram:ReasonCode>zz</ram"
        ':ReasonCode></ram:SpecifiedTradeAllowanceCharge><ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndica'
        'tor><udt:Indicator>maybe</udt:Indicator></ram:ChargeIndicator></ram:SpecifiedTradeAllowanceCharge></'
        'ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem><ram:ApplicableHeaderTradeAg'
        'reement><ram:AdditionalReferencedDocument><ram:TypeCode>916</ram:TypeCode><ram:Name>a</ram:Name><ram'
        ':Name>b</ram:Name></ram:AdditionalReferencedDocument><ram:AdditionalReferencedDocument><ram:TypeCode'
        '>50</ram:TypeCode><ram:IssuerAssignedID>a</ram:IssuerAssignedID><ram:IssuerAssignedID>b</ram:IssuerA'
        'ssignedID></ram:AdditionalReferencedDocument><ram:SellerTradeParty><ram:SpecifiedTaxRegistration><ra'
        "m:ID schemeID='VA'>x</ram:ID></ram:SpecifiedTaxRegistration><ram:SpecifiedTaxRegistration><ram:ID sc"
        "hemeID='XX'>x</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty></ram:ApplicableHeaderTr"
        'adeAgreement><ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyC'
        "ode><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:TaxTotalAmount currencyID='EUR'>1</ram"
        ":TaxTotalAmount><ram:TaxTotalAmount currencyID='USD'>1</ram:TaxTotalAmount><ram:TaxTotalAmount curre"
        "ncyID='EUR'>1</ram:TaxTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:Specifi"
        'edTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount'
        '><ram:IBANID>x</ram:IBANID><ram:ProprietaryID>y</ram:ProprietaryID></ram:PayeePartyCreditorFinancial'
        'Account></ram:SpecifiedTradeSettlementPaymentMeans><ram:SpecifiedTradeSettlementPaymentMeans><ram:Ty'
        'peCode> 30 </ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans></ram:ApplicableHeaderTradeSett'
        'lement></rsm:SupplyChainTradeTransaction>'
    )),
]


def edge_documents() -> Iterator[tuple[str, bytes]]:
    """(name, document) for each edge case."""
    for n, (root, body) in enumerate(EDGE_CASES, 1):
        if root == "CrossIndustryInvoice":
            ns = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES["cii"].items())
            text = f"<rsm:CrossIndustryInvoice {ns}>{body}</rsm:CrossIndustryInvoice>"
        else:
            key = "ubl" if root == "Invoice" else "cn"
            ns = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES["ubl"].items() if p not in ("ubl", "cn"))
            text = f'<{root} xmlns="{NAMESPACES["ubl"][key]}" {ns}>{body}</{root}>'
        yield f"edge-{n}", text.encode()


_ATTRIBUTES = ["schemeID", "listID", "name", "format", "languageID", "currencyID", "unitCode", "mimeCode",
               "filename", "schemeName", "listAgencyID"]
_VALUES = ["", " ", "1.234", "130", "916", "50", "VAT", "false", "true", "0", "58", "30", "urn:cen.eu:en16931:2017"]


def mutate(root: etree._Element, rng: random.Random) -> None:
    """One to four random edits of an invoice tree: duplicate, remove, move or copy an element, set an
    attribute the rules look at, or replace a leaf's text with a value they compare against."""
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 4)):
        el = rng.choice(elements)
        parent = el.getparent()
        op = rng.randrange(6)
        if op == 0 and parent is not None:
            parent.insert(parent.index(el) + 1, copy.deepcopy(el))
        elif op == 1 and parent is not None:
            parent.remove(el)
        elif op == 2:
            el.set(rng.choice(_ATTRIBUTES), rng.choice(["x", "VA", "FC", "SEPA", "5153", "EUR", "2.1"]))
        elif op == 3 and len(el) == 0:
            el.text = rng.choice(_VALUES)
        elif op == 4 and parent is not None:
            target = rng.choice(elements)
            if target is not el and el not in target.iterancestors():
                parent.remove(el)
                target.append(el)
        elif op == 5:
            rng.choice(elements).append(copy.deepcopy(rng.choice(elements[1:] or elements)))
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
