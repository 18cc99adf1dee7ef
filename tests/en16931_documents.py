"""Small invoices written for the EN 16931 business-rule tests: each breaks a family of rules.

Together the UBL documents make every catalogued BR rule fire at least once and the CII documents every rule
of the CII rule set; tests/unit/test_en16931_rules.py checks both, and (with saxonche) that the official
rules fire exactly the same ids on them. Written for etr; not taken from the CEN test sets.
"""

from __future__ import annotations

UBL_NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
CII_NS = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
    'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
    'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"'
)


def ubl(body: str) -> bytes:
    """A UBL Invoice with ``body`` inside."""
    return f"<Invoice {UBL_NS}>{body}</Invoice>".encode()


def cii(body: str) -> bytes:
    """A CII CrossIndustryInvoice with ``body`` inside."""
    return f"<rsm:CrossIndustryInvoice {CII_NS}>{body}</rsm:CrossIndustryInvoice>".encode()


VAT = "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"


def _tc(tag: str, cat: str, percent: str | None, extra: str = "") -> str:
    pct = f"<cbc:Percent>{percent}</cbc:Percent>" if percent is not None else ""
    return f"<cac:{tag}><cbc:ID>{cat}</cbc:ID>{pct}{extra}{VAT}</cac:{tag}>"


def category_case(cat: str, *, bad_percent: str | None, exemption: bool, seller_vat: bool) -> bytes:
    """A UBL invoice whose line, allowance, charge and (two) breakdowns of VAT category ``cat`` break the
    category's rules: wrong rates, amounts that do not add up, the wrong exemption reason state, the seller
    VAT identifier wrongly missing (or present, for O)."""
    reason = "<cbc:TaxExemptionReason>why</cbc:TaxExemptionReason>" if exemption else ""
    seller = (f"<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>DE123</cbc:CompanyID>"
              f"{VAT}</cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>"
              "<cac:AccountingCustomerParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>FR9</cbc:CompanyID>"
              f"{VAT}</cac:PartyTaxScheme></cac:Party></cac:AccountingCustomerParty>") if seller_vat else ""
    subtotal = (f"<cac:TaxSubtotal><cbc:TaxableAmount>7</cbc:TaxableAmount><cbc:TaxAmount>5</cbc:TaxAmount>"
                f"{_tc('TaxCategory', cat, bad_percent if bad_percent is not None else '10', reason)}"
                "</cac:TaxSubtotal>")
    return ubl(
        seller
        + "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:Amount>1</cbc:Amount>"
        + f"{_tc('TaxCategory', cat, bad_percent)}</cac:AllowanceCharge>"
        + "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:Amount>2</cbc:Amount>"
        + f"{_tc('TaxCategory', cat, bad_percent)}</cac:AllowanceCharge>"
        + f"<cac:TaxTotal><cbc:TaxAmount>10</cbc:TaxAmount>{subtotal}{subtotal}</cac:TaxTotal>"
        + "<cac:InvoiceLine><cbc:LineExtensionAmount>100</cbc:LineExtensionAmount>"
        + f"<cac:Item>{_tc('ClassifiedTaxCategory', cat, bad_percent)}</cac:Item></cac:InvoiceLine>"
    )


#: name -> UBL document. The names say what each breaks.
UBL_DOCUMENTS: dict[str, bytes] = {
    "empty-invoice": ubl(""),
    # Each VAT category: rate rules (x-05/06/07), x-01 (two breakdowns), x-02/03/04 (seller VAT id),
    # x-08/09 (amounts), x-10 (exemption reason).
    "category-S": category_case("S", bad_percent="0", exemption=True, seller_vat=False),
    "category-Z": category_case("Z", bad_percent="5", exemption=True, seller_vat=False),
    "category-E": category_case("E", bad_percent="5", exemption=False, seller_vat=False),
    "category-AE": category_case("AE", bad_percent="5", exemption=False, seller_vat=False),
    "category-K": category_case("K", bad_percent="5", exemption=False, seller_vat=False),
    "category-G": category_case("G", bad_percent="5", exemption=False, seller_vat=False),
    "category-O": category_case("O", bad_percent="5", exemption=False, seller_vat=True),
    "category-L": category_case("L", bad_percent="-1", exemption=True, seller_vat=False),
    "category-M": category_case("M", bad_percent="-1", exemption=True, seller_vat=False),
    "not-subject-to-VAT-mixed": ubl(
        f"<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>{_tc('TaxCategory', 'S', '20')}"
        f"</cac:AllowanceCharge><cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator>"
        f"{_tc('TaxCategory', 'S', '20')}</cac:AllowanceCharge>"
        f"<cac:TaxTotal><cac:TaxSubtotal>{_tc('TaxCategory', 'O', None)}</cac:TaxSubtotal>"
        f"<cac:TaxSubtotal>{_tc('TaxCategory', 'S', '20')}</cac:TaxSubtotal></cac:TaxTotal>"
        f"<cac:InvoiceLine><cac:Item>{_tc('ClassifiedTaxCategory', 'S', '20')}</cac:Item></cac:InvoiceLine>"),
    "IGIC-and-IPSI-without-breakdown": ubl(
        f"<cac:InvoiceLine><cac:Item>{_tc('ClassifiedTaxCategory', 'L', '7')}</cac:Item></cac:InvoiceLine>"
        f"<cac:InvoiceLine><cac:Item>{_tc('ClassifiedTaxCategory', 'M', '4')}</cac:Item></cac:InvoiceLine>"),
    "split-payment-B-with-S": ubl(
        "<cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>DE"
        "</cbc:IdentificationCode></cac:Country></cac:PostalAddress></cac:Party></cac:AccountingSupplierParty>"
        f"<cac:TaxTotal><cac:TaxSubtotal>{_tc('TaxCategory', 'B', '10')}</cac:TaxSubtotal>"
        f"<cac:TaxSubtotal>{_tc('TaxCategory', 'S', '10')}</cac:TaxSubtotal></cac:TaxTotal>"),
    "intra-community-without-delivery": ubl(
        f"<cac:TaxTotal><cac:TaxSubtotal>{_tc('TaxCategory', 'K', '0')}</cac:TaxSubtotal></cac:TaxTotal>"),
    "totals-wrong": ubl(
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>SEK</cbc:TaxCurrencyCode>"
        "<cbc:TaxPointDate>2024-01-01</cbc:TaxPointDate>"
        "<cac:InvoicePeriod><cbc:DescriptionCode>35</cbc:DescriptionCode></cac:InvoicePeriod>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:Amount>1.001</cbc:Amount>"
        "<cbc:BaseAmount>9.999</cbc:BaseAmount></cac:AllowanceCharge>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:Amount>2.001</cbc:Amount>"
        "<cbc:BaseAmount>9.999</cbc:BaseAmount></cac:AllowanceCharge>"
        "<cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">9.999</cbc:TaxAmount><cac:TaxSubtotal>"
        "<cbc:TaxableAmount>100.001</cbc:TaxableAmount><cbc:TaxAmount>30.001</cbc:TaxAmount>"
        f"{_tc('TaxCategory', 'Z', '20')}</cac:TaxSubtotal></cac:TaxTotal>"
        "<cac:TaxTotal><cac:TaxSubtotal/></cac:TaxTotal>"
        "<cac:LegalMonetaryTotal/>"
        "<cac:LegalMonetaryTotal><cbc:LineExtensionAmount>10.001</cbc:LineExtensionAmount>"
        "<cbc:TaxExclusiveAmount>5.001</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount>6.001</cbc:TaxInclusiveAmount>"
        "<cbc:AllowanceTotalAmount>7.001</cbc:AllowanceTotalAmount><cbc:ChargeTotalAmount>8.001</cbc:ChargeTotalAmount>"
        "<cbc:PrepaidAmount>1.001</cbc:PrepaidAmount><cbc:PayableRoundingAmount>0.001</cbc:PayableRoundingAmount>"
        "<cbc:PayableAmount>99.001</cbc:PayableAmount></cac:LegalMonetaryTotal>"
        "<cac:InvoiceLine><cbc:LineExtensionAmount>1.001</cbc:LineExtensionAmount></cac:InvoiceLine>"),
    "lines-incomplete": ubl(
        "<cac:InvoicePeriod><cbc:StartDate>2024-02-01</cbc:StartDate><cbc:EndDate>2024-01-01</cbc:EndDate>"
        "</cac:InvoicePeriod><cac:InvoicePeriod/>"
        "<cac:InvoiceLine><cbc:InvoicedQuantity>1</cbc:InvoicedQuantity>"
        "<cac:InvoicePeriod><cbc:StartDate>2024-02-01</cbc:StartDate><cbc:EndDate>2024-01-01</cbc:EndDate>"
        "</cac:InvoicePeriod><cac:InvoicePeriod/>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:BaseAmount>1.001</cbc:BaseAmount>"
        "</cac:AllowanceCharge><cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
        "<cbc:Amount>1.001</cbc:Amount></cac:AllowanceCharge>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:BaseAmount>1.001</cbc:BaseAmount>"
        "</cac:AllowanceCharge><cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator>"
        "<cbc:Amount>1.001</cbc:Amount></cac:AllowanceCharge>"
        "<cac:Item><cac:StandardItemIdentification><cbc:ID>1</cbc:ID></cac:StandardItemIdentification>"
        "<cac:CommodityClassification><cbc:ItemClassificationCode>1</cbc:ItemClassificationCode>"
        "</cac:CommodityClassification><cac:AdditionalItemProperty/></cac:Item>"
        "<cac:Price><cbc:PriceAmount>-1</cbc:PriceAmount><cac:AllowanceCharge><cbc:BaseAmount>-2</cbc:BaseAmount>"
        "</cac:AllowanceCharge></cac:Price></cac:InvoiceLine>"
        "<cac:InvoiceLine/>"),
    "parties-incomplete": ubl(
        "<cac:AdditionalDocumentReference/><cac:BillingReference/>"
        "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID>1</cbc:EndpointID>"
        "<cac:PostalAddress/><cac:PartyTaxScheme><cbc:CompanyID>QQ1</cbc:CompanyID>" + VAT + "</cac:PartyTaxScheme>"
        "</cac:Party></cac:AccountingSupplierParty><cac:AccountingSupplierParty/>"
        "<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID>1</cbc:EndpointID><cac:PostalAddress/>"
        "</cac:Party></cac:AccountingCustomerParty>"
        "<cac:PayeeParty/><cac:TaxRepresentativeParty><cac:PostalAddress/></cac:TaxRepresentativeParty>"
        "<cac:TaxRepresentativeParty/>"
        "<cac:Delivery><cac:DeliveryLocation><cac:Address/></cac:DeliveryLocation></cac:Delivery>"
        "<cac:PaymentMeans/><cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
        "<cac:PayeeFinancialAccount/></cac:PaymentMeans>"
        "<cac:PaymentMeans><cac:CardAccount><cbc:PrimaryAccountNumberID>1234567890123456</cbc:PrimaryAccountNumberID>"
        "</cac:CardAccount></cac:PaymentMeans>"),
    "codes-unknown": ubl(
        "<cbc:InvoiceTypeCode>1</cbc:InvoiceTypeCode><cbc:CreditNoteTypeCode>1</cbc:CreditNoteTypeCode>"
        "<cbc:Note>#ZZZZ#x</cbc:Note><cbc:Note>#QQQ#x</cbc:Note>"
        "<cbc:DocumentCurrencyCode>XXX1</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>XXX1</cbc:TaxCurrencyCode>"
        "<cac:InvoicePeriod><cbc:DescriptionCode>99</cbc:DescriptionCode></cac:InvoicePeriod>"
        "<cac:AdditionalDocumentReference><cbc:ID schemeID=\"QQQ1\">1</cbc:ID>"
        "<cbc:DocumentTypeCode>130</cbc:DocumentTypeCode><cac:Attachment>"
        "<cbc:EmbeddedDocumentBinaryObject mimeCode=\"text/html\">AA==</cbc:EmbeddedDocumentBinaryObject>"
        "</cac:Attachment></cac:AdditionalDocumentReference>"
        "<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"XX\">1</cbc:EndpointID>"
        "<cac:PartyIdentification><cbc:ID schemeID=\"SEPA\">1</cbc:ID></cac:PartyIdentification>"
        "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>XX</cbc:IdentificationCode></cac:Country>"
        "</cac:PostalAddress><cac:PartyLegalEntity><cbc:CompanyID schemeID=\"99999\">1</cbc:CompanyID>"
        "</cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>"
        "<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID=\"1\">1</cbc:ID></cac:DeliveryLocation></cac:Delivery>"
        "<cac:PaymentMeans><cbc:PaymentMeansCode>999</cbc:PaymentMeansCode></cac:PaymentMeans>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
        "<cbc:AllowanceChargeReasonCode>ZZ</cbc:AllowanceChargeReasonCode>"
        "<cbc:Amount currencyID=\"XXX1\">1</cbc:Amount><cac:TaxCategory><cbc:ID>Q</cbc:ID>"
        "<cbc:TaxExemptionReasonCode>VATEX-XX</cbc:TaxExemptionReasonCode></cac:TaxCategory></cac:AllowanceCharge>"
        "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator>"
        "<cbc:AllowanceChargeReasonCode>ZZ1</cbc:AllowanceChargeReasonCode></cac:AllowanceCharge>"
        "<cac:InvoiceLine><cbc:InvoicedQuantity unitCode=\"QQQQ\">1</cbc:InvoicedQuantity><cac:Item>"
        "<cac:StandardItemIdentification><cbc:ID schemeID=\"1\">1</cbc:ID></cac:StandardItemIdentification>"
        "<cac:OriginCountry><cbc:IdentificationCode>XX</cbc:IdentificationCode></cac:OriginCountry>"
        "<cac:CommodityClassification><cbc:ItemClassificationCode listID=\"QQ1\">1</cbc:ItemClassificationCode>"
        "</cac:CommodityClassification><cac:ClassifiedTaxCategory><cbc:ID>Q</cbc:ID></cac:ClassifiedTaxCategory>"
        "</cac:Item></cac:InvoiceLine>"),
}


def _att(cat: str, rate: str | None = None, *, basis: str | None = None, calc: str | None = None,
         extra: str = "", tag: str = "ApplicableTradeTax") -> str:
    parts = [f"<ram:CalculatedAmount>{calc}</ram:CalculatedAmount>" if calc is not None else "",
             "<ram:TypeCode>VAT</ram:TypeCode>", extra,
             f"<ram:BasisAmount>{basis}</ram:BasisAmount>" if basis is not None else "",
             f"<ram:CategoryCode>{cat}</ram:CategoryCode>",
             f"<ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>" if rate is not None else ""]
    return f"<ram:{tag}>{''.join(parts)}</ram:{tag}>"


def _stac(charge: bool, body: str) -> str:
    return (f"<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>{str(charge).lower()}"
            f"</udt:Indicator></ram:ChargeIndicator>{body}</ram:SpecifiedTradeAllowanceCharge>")


def cii_category_case(cat: str, *, bad_rate: str, exemption: bool, seller_vat: bool) -> bytes:
    """A CII invoice breaking the rules of VAT category ``cat`` (as :func:`category_case` does for UBL)."""
    reason = "<ram:ExemptionReason>why</ram:ExemptionReason>" if exemption else ""
    seller = ("<ram:SellerTradeParty><ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">DE1</ram:ID>"
              "</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>") if seller_vat else ""
    header = _att(cat, "10", basis="7", calc="5", extra=reason)
    return cii(
        "<rsm:SupplyChainTradeTransaction>"
        "<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement>"
        f"{_att(cat, bad_rate)}<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>100"
        "</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
        "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
        f"<ram:ApplicableHeaderTradeAgreement>{seller}</ram:ApplicableHeaderTradeAgreement>"
        "<ram:ApplicableHeaderTradeSettlement><ram:RateApplicablePercent>3</ram:RateApplicablePercent>"
        f"{header}{header}"
        f"{_stac(False, '<ram:ActualAmount>1</ram:ActualAmount>' + _att(cat, bad_rate, tag='CategoryTradeTax'))}"
        f"{_stac(True, '<ram:ActualAmount>2</ram:ActualAmount>' + _att(cat, bad_rate, tag='CategoryTradeTax'))}"
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>")


_HMS = "ram:SpecifiedTradeSettlementHeaderMonetarySummation"

#: name -> CII document.
CII_DOCUMENTS: dict[str, bytes] = {
    "empty-invoice": cii(""),
    "category-S": cii_category_case("S", bad_rate="0", exemption=True, seller_vat=False),
    "category-Z": cii_category_case("Z", bad_rate="5", exemption=True, seller_vat=False),
    "category-E": cii_category_case("E", bad_rate="5", exemption=False, seller_vat=False),
    "category-AE": cii_category_case("AE", bad_rate="5", exemption=False, seller_vat=False),
    "category-K": cii_category_case("K", bad_rate="5", exemption=False, seller_vat=False),
    "category-G": cii_category_case("G", bad_rate="5", exemption=False, seller_vat=False),
    "category-O": cii_category_case("O", bad_rate="5", exemption=False, seller_vat=True),
    "category-L": cii_category_case("L", bad_rate="-1", exemption=True, seller_vat=False),
    "category-M": cii_category_case("M", bad_rate="-1", exemption=True, seller_vat=False),
    "S-L-M-lines-without-breakdown": cii(
        "<rsm:SupplyChainTradeTransaction><ram:IncludedSupplyChainTradeLineItem/>"
        "<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement>"
        f"{_att('S', '20')}{_att('L', '7')}{_att('M', '4')}</ram:SpecifiedLineTradeSettlement>"
        "</ram:IncludedSupplyChainTradeLineItem></rsm:SupplyChainTradeTransaction>"),
    "O-mixed-and-B-with-S": cii(
        "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty>"
        "<ram:PostalTradeAddress><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty>"
        "</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeSettlement>"
        f"{_att('O', None, basis='0', calc='0')}{_att('S', '20')}{_att('B', '10')}"
        f"{_stac(True, _att('S', '20', tag='CategoryTradeTax'))}"
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>"),
    "totals-wrong": cii(
        "<rsm:SupplyChainTradeTransaction>"
        "<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement>"
        "<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>1.001</ram:LineTotalAmount>"
        "</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
        "</ram:IncludedSupplyChainTradeLineItem>"
        "<ram:ApplicableHeaderTradeSettlement><ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>"
        "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>"
        + _att("Z", "20", basis="100.001", calc="30.001", extra="<ram:DueDateTypeCode>5</ram:DueDateTypeCode>")
        .replace("<ram:TypeCode>", "<ram:TaxPointDate><udt:DateString>20240101</udt:DateString></ram:TaxPointDate>"
                 "<ram:TypeCode>")
        + "<ram:ApplicableTradeTax/>"
        + _stac(False, "<ram:ActualAmount>1.001</ram:ActualAmount><ram:BasisAmount>9.999</ram:BasisAmount>")
        + _stac(True, "<ram:ActualAmount>2.001</ram:ActualAmount><ram:BasisAmount>9.999</ram:BasisAmount>")
        + f"<{_HMS}/><{_HMS}><ram:LineTotalAmount>10.001</ram:LineTotalAmount>"
        "<ram:ChargeTotalAmount>8.001</ram:ChargeTotalAmount><ram:AllowanceTotalAmount>7.001</ram:AllowanceTotalAmount>"
        "<ram:TaxBasisTotalAmount>5.001</ram:TaxBasisTotalAmount>"
        "<ram:TaxTotalAmount currencyID=\"EUR\">9.999</ram:TaxTotalAmount>"
        "<ram:TaxTotalAmount currencyID=\"EUR\">1.111</ram:TaxTotalAmount>"
        "<ram:RoundingAmount>0.001</ram:RoundingAmount><ram:GrandTotalAmount>6.001</ram:GrandTotalAmount>"
        "<ram:TotalPrepaidAmount>1.001</ram:TotalPrepaidAmount><ram:DuePayableAmount>99.001</ram:DuePayableAmount>"
        f"</{_HMS}></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>"),
    "lines-and-parties-incomplete": cii(
        "<rsm:SupplyChainTradeTransaction>"
        "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument/>"
        "<ram:SpecifiedTradeProduct><ram:GlobalID>1</ram:GlobalID><ram:ApplicableProductCharacteristic/>"
        "<ram:DesignatedProductClassification><ram:ClassCode>1</ram:ClassCode></ram:DesignatedProductClassification>"
        "</ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:GrossPriceProductTradePrice>"
        "<ram:ChargeAmount>-2</ram:ChargeAmount></ram:GrossPriceProductTradePrice><ram:NetPriceProductTradePrice>"
        "<ram:ChargeAmount>-1</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
        "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity>1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>"
        "<ram:SpecifiedLineTradeSettlement><ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString "
        "format=\"102\">20240201</udt:DateTimeString></ram:StartDateTime><ram:EndDateTime><udt:DateTimeString "
        "format=\"102\">20240101</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod>"
        "<ram:BillingSpecifiedPeriod/>"
        + _stac(False, "<ram:BasisAmount>1.001</ram:BasisAmount>")
        + _stac(False, "<ram:ActualAmount>1.001</ram:ActualAmount>")
        + _stac(True, "<ram:BasisAmount>1.001</ram:BasisAmount>")
        + _stac(True, "<ram:ActualAmount>1.001</ram:ActualAmount>")
        + "<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>1.001</ram:LineTotalAmount>"
        "</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
        "</ram:IncludedSupplyChainTradeLineItem>"
        "<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:URIUniversalCommunication><ram:URIID>x"
        "</ram:URIID></ram:URIUniversalCommunication><ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">QQ1"
        "</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty><ram:SellerTradeParty/>"
        "<ram:BuyerTradeParty><ram:URIUniversalCommunication><ram:URIID>x</ram:URIID>"
        "</ram:URIUniversalCommunication></ram:BuyerTradeParty>"
        "<ram:SellerTaxRepresentativeTradeParty><ram:PostalTradeAddress/></ram:SellerTaxRepresentativeTradeParty>"
        "<ram:SellerTaxRepresentativeTradeParty/>"
        "<ram:AdditionalReferencedDocument/></ram:ApplicableHeaderTradeAgreement>"
        "<ram:ApplicableHeaderTradeDelivery><ram:ShipToTradeParty><ram:PostalTradeAddress/></ram:ShipToTradeParty>"
        "</ram:ApplicableHeaderTradeDelivery>"
        "<ram:ApplicableHeaderTradeSettlement><ram:PayeeTradeParty/>"
        "<ram:SpecifiedTradeSettlementPaymentMeans/><ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30"
        "</ram:TypeCode><ram:ApplicableTradeSettlementFinancialCard><ram:ID>1234567890123456</ram:ID>"
        "</ram:ApplicableTradeSettlementFinancialCard><ram:PayeePartyCreditorFinancialAccount/>"
        "</ram:SpecifiedTradeSettlementPaymentMeans>"
        "<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format=\"102\">20240201"
        "</udt:DateTimeString></ram:StartDateTime><ram:EndDateTime><udt:DateTimeString format=\"102\">20240101"
        "</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod><ram:BillingSpecifiedPeriod/>"
        + _stac(False, "") + _stac(True, "")
        + "<ram:InvoiceReferencedDocument/></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>"),
}

#: A small valid UBL invoice (two lines, an allowance, one S breakdown): no business rule fires.
VALID_UBL = ubl(
    "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ID>INV-1</cbc:ID>"
    "<cbc:IssueDate>2024-05-01</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
    "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
    "<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0088\">5790000435968</cbc:EndpointID>"
    "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>"
    "</cac:PostalAddress><cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID><cac:TaxScheme>"
    "<cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>Seller"
    "</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>"
    "<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"0088\">5790000435975</cbc:EndpointID>"
    "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>"
    "</cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>Buyer</cbc:RegistrationName>"
    "</cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>"
    "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount>"
    "<cbc:ID>DE89370400440532013000</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>"
    "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Discount"
    "</cbc:AllowanceChargeReason><cbc:Amount currencyID=\"EUR\">10.00</cbc:Amount><cac:TaxCategory><cbc:ID>S"
    "</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
    "</cac:AllowanceCharge>"
    "<cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">36.10</cbc:TaxAmount><cac:TaxSubtotal>"
    "<cbc:TaxableAmount currencyID=\"EUR\">190.00</cbc:TaxableAmount><cbc:TaxAmount currencyID=\"EUR\">36.10"
    "</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT"
    "</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>"
    "<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID=\"EUR\">200.00</cbc:LineExtensionAmount>"
    "<cbc:TaxExclusiveAmount currencyID=\"EUR\">190.00</cbc:TaxExclusiveAmount>"
    "<cbc:TaxInclusiveAmount currencyID=\"EUR\">226.10</cbc:TaxInclusiveAmount>"
    "<cbc:AllowanceTotalAmount currencyID=\"EUR\">10.00</cbc:AllowanceTotalAmount>"
    "<cbc:PayableAmount currencyID=\"EUR\">226.10</cbc:PayableAmount></cac:LegalMonetaryTotal>"
    + "".join(
        f"<cac:InvoiceLine><cbc:ID>{i}</cbc:ID><cbc:InvoicedQuantity unitCode=\"C62\">2</cbc:InvoicedQuantity>"
        "<cbc:LineExtensionAmount currencyID=\"EUR\">100.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Widget"
        "</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme>"
        "<cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price>"
        "<cbc:PriceAmount currencyID=\"EUR\">50.00</cbc:PriceAmount></cac:Price></cac:InvoiceLine>"
        for i in (1, 2)))

#: The same invoice in CII.
VALID_CII = cii(
    "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017"
    "</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
    "<rsm:ExchangedDocument><ram:ID>INV-1</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime>"
    "<udt:DateTimeString format=\"102\">20240501</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>"
    "<rsm:SupplyChainTradeTransaction>"
    + "".join(
        f"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{i}</ram:LineID>"
        "</ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>Widget</ram:Name>"
        "</ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>"
        "<ram:ChargeAmount>50.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
        "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"C62\">2</ram:BilledQuantity>"
        "</ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT"
        "</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19"
        "</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>"
        "<ram:LineTotalAmount>100.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
        "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>" for i in (1, 2))
    + "<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>Seller</ram:Name><ram:PostalTradeAddress>"
    "<ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress><ram:SpecifiedTaxRegistration>"
    "<ram:ID schemeID=\"VA\">DE123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>"
    "<ram:BuyerTradeParty><ram:Name>Buyer</ram:Name><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID>"
    "</ram:PostalTradeAddress></ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement>"
    "<ram:ApplicableHeaderTradeDelivery/><ram:ApplicableHeaderTradeSettlement>"
    "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:SpecifiedTradeSettlementPaymentMeans>"
    "<ram:TypeCode>30</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE89370400440532013000"
    "</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>"
    "<ram:ApplicableTradeTax><ram:CalculatedAmount>36.10</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
    "<ram:BasisAmount>190.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19"
    "</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator>"
    "<udt:Indicator>false</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>10.00</ram:ActualAmount>"
    "<ram:Reason>Discount</ram:Reason><ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S"
    "</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:CategoryTradeTax>"
    "</ram:SpecifiedTradeAllowanceCharge><ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
    "<ram:LineTotalAmount>200.00</ram:LineTotalAmount><ram:AllowanceTotalAmount>10.00</ram:AllowanceTotalAmount>"
    "<ram:TaxBasisTotalAmount>190.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"EUR\">36.10"
    "</ram:TaxTotalAmount><ram:GrandTotalAmount>226.10</ram:GrandTotalAmount><ram:DuePayableAmount>226.10"
    "</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
    "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>")
