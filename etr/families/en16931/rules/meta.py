"""What each EN 16931 business rule says, in the project's words: its severity (the official flag:
fatal is an error, warning a warning), the BT/BG terms it concerns and a one-line message.

The ids, flags and terms are facts of the CEN validation artefacts (v1.3.16); the messages are ours.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["NEVER_FIRES", "RULES", "RuleInfo"]


class RuleInfo(NamedTuple):
    """One business rule: ``severity`` \"error\" | \"warning\", ``terms`` (BT-/BG- ids), ``message``."""

    severity: str
    terms: tuple[str, ...]
    message: str


#: Every BR rule id of EN 16931 (223), in catalogue order.
RULES: dict[str, RuleInfo] = {
    "BR-01": RuleInfo("error", ("BT-24",), "The specification identifier (BT-24) is missing or empty"),
    "BR-02": RuleInfo("error", ("BT-1",), "The invoice number (BT-1) is missing or empty"),
    "BR-03": RuleInfo("error", ("BT-2",), "The invoice issue date (BT-2) is missing or empty"),
    "BR-04": RuleInfo("error", ("BT-3",), "The invoice type code (BT-3) is missing or empty"),
    "BR-05": RuleInfo("error", ("BT-5",), "The invoice currency code (BT-5) is missing or empty"),
    "BR-06": RuleInfo("error", ("BT-27",), "The seller name (BT-27) is missing or empty"),
    "BR-07": RuleInfo("error", ("BT-44",), "The buyer name (BT-44) is missing or empty"),
    "BR-08": RuleInfo("error", ("BG-5",), "The seller postal address (BG-5) is missing"),
    "BR-09": RuleInfo(
        "error", ("BG-5", "BT-40"),
        "The seller postal address (BG-5) has no seller country code (BT-40)",
    ),
    "BR-10": RuleInfo("error", ("BG-8",), "The buyer postal address (BG-8) is missing"),
    "BR-11": RuleInfo("error", ("BT-55",), "The buyer postal address (BG-8) has no buyer country code (BT-55)"),
    "BR-12": RuleInfo("error", ("BT-106",), "The sum of invoice line net amounts (BT-106) is missing"),
    "BR-13": RuleInfo("error", ("BT-109",), "The invoice total without VAT (BT-109) is missing"),
    "BR-14": RuleInfo("error", ("BT-112",), "The invoice total with VAT (BT-112) is missing"),
    "BR-15": RuleInfo("error", ("BT-115",), "The amount due for payment (BT-115) is missing"),
    "BR-16": RuleInfo("error", ("BG-25",), "The invoice has no invoice line (BG-25)"),
    "BR-17": RuleInfo(
        "error", ("BT-59", "BG-10", "BG-4"),
        "A payee (BG-10) other than the seller needs a payee name (BT-59)",
    ),
    "BR-18": RuleInfo("error", ("BT-62", "BG-4", "BG-11"), "The seller tax representative (BG-11) has no name (BT-62)"),
    "BR-19": RuleInfo(
        "error", ("BG-12", "BG-4", "BG-11"),
        "The seller tax representative (BG-11) has no postal address (BG-12)",
    ),
    "BR-20": RuleInfo(
        "error", ("BG-12", "BT-69", "BG-4", "BG-11"),
        "The seller tax representative postal address (BG-12) has no country code (BT-69)",
    ),
    "BR-21": RuleInfo("error", ("BG-25", "BT-126"), "An invoice line (BG-25) has no line identifier (BT-126)"),
    "BR-22": RuleInfo("error", ("BG-25", "BT-129"), "An invoice line (BG-25) has no invoiced quantity (BT-129)"),
    "BR-23": RuleInfo(
        "error", ("BG-25", "BT-130"),
        "An invoice line (BG-25) has no unit of measure code (BT-130) for its quantity",
    ),
    "BR-24": RuleInfo("error", ("BG-25", "BT-131"), "An invoice line (BG-25) has no line net amount (BT-131)"),
    "BR-25": RuleInfo("error", ("BG-25", "BT-153"), "An invoice line (BG-25) has no item name (BT-153)"),
    "BR-26": RuleInfo("error", ("BG-25", "BT-146"), "An invoice line (BG-25) has no item net price (BT-146)"),
    "BR-27": RuleInfo("error", ("BT-146",), "The item net price (BT-146) is negative (or missing)"),
    "BR-28": RuleInfo("error", ("BT-148",), "The item gross price (BT-148) is negative"),
    "BR-29": RuleInfo("error", ("BT-73", "BT-74"), "The invoicing period ends (BT-74) before it starts (BT-73)"),
    "BR-30": RuleInfo("error", ("BT-134", "BT-135"), "The invoice line period ends (BT-135) before it starts (BT-134)"),
    "BR-31": RuleInfo("error", ("BG-20", "BT-92"), "A document level allowance (BG-20) has no amount (BT-92)"),
    "BR-32": RuleInfo(
        "error", ("BG-20", "BT-95"),
        "A document level allowance (BG-20) has no VAT category code (BT-95)",
    ),
    "BR-33": RuleInfo(
        "error", ("BG-20", "BT-97", "BT-98"),
        "A document level allowance (BG-20) has neither a reason (BT-97) nor a reason code (BT-98)",
    ),
    "BR-36": RuleInfo("error", ("BG-21", "BT-99"), "A document level charge (BG-21) has no amount (BT-99)"),
    "BR-37": RuleInfo(
        "error", ("BG-21", "BT-102"),
        "A document level charge (BG-21) has no VAT category code (BT-102)",
    ),
    "BR-38": RuleInfo(
        "error", ("BG-21", "BT-104", "BT-105"),
        "A document level charge (BG-21) has neither a reason (BT-104) nor a reason code (BT-105)",
    ),
    "BR-41": RuleInfo("error", ("BG-27", "BT-136"), "An invoice line allowance (BG-27) has no amount (BT-136)"),
    "BR-42": RuleInfo(
        "error", ("BG-27", "BT-139", "BT-140"),
        "An invoice line allowance (BG-27) has neither a reason (BT-139) nor a reason code (BT-140)",
    ),
    "BR-43": RuleInfo("error", ("BG-28", "BT-141"), "An invoice line charge (BG-28) has no amount (BT-141)"),
    "BR-44": RuleInfo(
        "error", ("BG-28", "BT-144", "BT-145"),
        "An invoice line charge (BG-28) has neither a reason (BT-144) nor a reason code (BT-145)",
    ),
    "BR-45": RuleInfo(
        "error", ("BG-23", "BT-116"),
        "A VAT breakdown (BG-23) has no VAT category taxable amount (BT-116)",
    ),
    "BR-46": RuleInfo("error", ("BG-23", "BT-117"), "A VAT breakdown (BG-23) has no VAT category tax amount (BT-117)"),
    "BR-47": RuleInfo("error", ("BG-23", "BT-118"), "A VAT breakdown (BG-23) has no VAT category code (BT-118)"),
    "BR-48": RuleInfo(
        "error", ("BG-23", "BT-119"),
        "A VAT breakdown (BG-23) has no VAT category rate (BT-119) though its category is not 'not subject to"
        " VAT'",
    ),
    "BR-49": RuleInfo(
        "error", ("BG-16", "BT-81"),
        "A payment instruction (BG-16) has no payment means type code (BT-81)",
    ),
    "BR-50": RuleInfo(
        "error", ("BT-84", "BG-17"),
        "A credit transfer (BG-17) has no payment account identifier (BT-84)",
    ),
    "BR-51": RuleInfo(
        "warning", ("BT-87",),
        "A payment card primary account number (BT-87) should hold at most the last few digits, never the "
        "full number",
    ),
    "BR-52": RuleInfo(
        "error", ("BG-24", "BT-122"),
        "An additional supporting document (BG-24) has no document reference (BT-122)",
    ),
    "BR-53": RuleInfo(
        "error", ("BT-6", "BT-111"),
        "A VAT accounting currency (BT-6) is given but no total VAT amount in that currency (BT-111)",
    ),
    "BR-54": RuleInfo(
        "error", ("BG-32", "BT-160", "BT-161"),
        "An item attribute (BG-32) lacks its name (BT-160) or value (BT-161)",
    ),
    "BR-55": RuleInfo(
        "error", ("BG-3", "BT-25"),
        "A preceding invoice reference (BG-3) has no invoice reference (BT-25)",
    ),
    "BR-56": RuleInfo(
        "error", ("BG-11", "BT-63"),
        "The seller tax representative (BG-11) has no VAT identifier (BT-63)",
    ),
    "BR-57": RuleInfo("error", ("BG-15", "BT-80"), "A deliver-to address (BG-15) has no country code (BT-80)"),
    "BR-61": RuleInfo(
        "error", ("BT-81", "BT-84"),
        "A credit transfer payment means (BT-81 30 or 58) needs a payment account identifier (BT-84)",
    ),
    "BR-62": RuleInfo("error", ("BT-34",), "The seller electronic address (BT-34) has no scheme identifier"),
    "BR-63": RuleInfo("error", ("BT-49",), "The buyer electronic address (BT-49) has no scheme identifier"),
    "BR-64": RuleInfo("error", ("BT-157",), "An item standard identifier (BT-157) has no scheme identifier"),
    "BR-65": RuleInfo("error", ("BT-158",), "An item classification identifier (BT-158) has no scheme identifier"),
    "BR-CL-01": RuleInfo(
        "error", ("BT-3",),
        "The invoice type code (BT-3) is not in the UNTDID 1001 invoice or credit note codes",
    ),
    "BR-CL-03": RuleInfo("error", (), "A currencyID is not an ISO 4217 alpha-3 currency code"),
    "BR-CL-04": RuleInfo("error", ("BT-5",), "The invoice currency code (BT-5) is not an ISO 4217 alpha-3 code"),
    "BR-CL-05": RuleInfo("error", ("BT-6",), "The VAT accounting currency code (BT-6) is not an ISO 4217 alpha-3 code"),
    "BR-CL-06": RuleInfo(
        "error", ("BT-8",),
        "The VAT point date code (BT-8) is not one of the UNTDID 2005 codes allowed (3, 35, 432)",
    ),
    "BR-CL-07": RuleInfo("error", ("BT-18",), "The object identifier scheme (BT-18-1) is not a UNTDID 1153 code"),
    "BR-CL-08": RuleInfo("error", ("BT-21",), "The invoice note subject code (BT-21) is not a UNTDID 4451 code"),
    "BR-CL-10": RuleInfo(
        "error", ("BT-29", "BT-46", "BT-60", "BT-71"),
        "An identifier scheme identifier is not an ISO 6523 ICD code",
    ),
    "BR-CL-11": RuleInfo(
        "error", ("BT-30", "BT-47", "BT-61"),
        "A legal registration identifier scheme identifier is not an ISO 6523 ICD code",
    ),
    "BR-CL-13": RuleInfo(
        "error", ("BT-158",),
        "An item classification identifier scheme (BT-158-1) is not a UNTDID 7143 code",
    ),
    "BR-CL-14": RuleInfo(
        "error", ("BT-40", "BT-55", "BT-69", "BT-80"),
        "A country code is not an ISO 3166-1 alpha-2 code",
    ),
    "BR-CL-15": RuleInfo("error", ("BT-159",), "The item country of origin (BT-159) is not an ISO 3166-1 alpha-2 code"),
    "BR-CL-16": RuleInfo("error", ("BT-81",), "A payment means type code (BT-81) is not a UNTDID 4461 code"),
    "BR-CL-17": RuleInfo(
        "error", ("BT-95", "BT-102", "BT-118"),
        "A VAT category code is not one of the UNTDID 5305 codes EN 16931 uses",
    ),
    "BR-CL-18": RuleInfo(
        "error", ("BT-151",),
        "An invoiced item VAT category code (BT-151) is not one of the UNTDID 5305 codes EN 16931 uses",
    ),
    "BR-CL-19": RuleInfo("error", ("BT-98", "BT-140"), "An allowance reason code is not a UNTDID 5189 code"),
    "BR-CL-20": RuleInfo("error", ("BT-105", "BT-145"), "A charge reason code is not a UNTDID 7161 code"),
    "BR-CL-21": RuleInfo(
        "error", ("BT-157",),
        "An item standard identifier scheme (BT-157-1) is not an ISO 6523 ICD code",
    ),
    "BR-CL-22": RuleInfo("error", ("BT-121",), "A VAT exemption reason code (BT-121) is not a CEF VATEX code"),
    "BR-CL-23": RuleInfo(
        "error", ("BT-130", "BT-150"),
        "A unit code is not a UN/ECE Recommendation 20 (with Recommendation 21) code",
    ),
    "BR-CL-24": RuleInfo(
        "error", ("BT-125",),
        "An attached document's MIME code (BT-125-1) is not one of the MIME types allowed",
    ),
    "BR-CL-25": RuleInfo("error", ("BT-34", "BT-49"), "An electronic address scheme identifier is not a CEF EAS code"),
    "BR-CL-26": RuleInfo(
        "error", ("BT-71",),
        "A deliver-to location identifier scheme (BT-71-1) is not an ISO 6523 ICD code",
    ),
    "BR-CO-03": RuleInfo(
        "error", ("BT-7", "BT-8"),
        "The VAT point date (BT-7) and the VAT point date code (BT-8) are both given; only one may be",
    ),
    "BR-CO-04": RuleInfo(
        "error", ("BG-25", "BT-151"),
        "An invoice line (BG-25) has no invoiced item VAT category code (BT-151)",
    ),
    "BR-CO-05": RuleInfo(
        "error", ("BT-98", "BT-97"),
        "A document level allowance reason code (BT-98) and reason (BT-97) must mean the same allowance",
    ),
    "BR-CO-06": RuleInfo(
        "error", ("BT-105", "BT-104"),
        "A document level charge reason code (BT-105) and reason (BT-104) must mean the same charge",
    ),
    "BR-CO-07": RuleInfo(
        "error", ("BT-140", "BT-139"),
        "An invoice line allowance reason code (BT-140) and reason (BT-139) must mean the same allowance",
    ),
    "BR-CO-08": RuleInfo(
        "error", ("BT-145", "BT-144"),
        "An invoice line charge reason code (BT-145) and reason (BT-144) must mean the same charge",
    ),
    "BR-CO-09": RuleInfo(
        "error", ("BT-31", "BT-63", "BT-48"),
        "A VAT identifier (BT-31, BT-63, BT-48) does not start with a country prefix (ISO 3166-1 alpha-2, EL "
        "or XI)",
    ),
    "BR-CO-10": RuleInfo(
        "error", ("BT-106", "BT-131"),
        "The sum of invoice line net amounts (BT-106) is not the sum of the line net amounts (BT-131)",
    ),
    "BR-CO-11": RuleInfo(
        "error", ("BT-107", "BT-92"),
        "The sum of document level allowances (BT-107) is not the sum of the allowance amounts (BT-92)",
    ),
    "BR-CO-12": RuleInfo(
        "error", ("BT-108", "BT-99"),
        "The sum of document level charges (BT-108) is not the sum of the charge amounts (BT-99)",
    ),
    "BR-CO-13": RuleInfo(
        "error", ("BT-109", "BT-131", "BT-107", "BT-108"),
        "The total without VAT (BT-109) is not line net amounts (BT-106) minus allowances (BT-107) plus "
        "charges (BT-108)",
    ),
    "BR-CO-14": RuleInfo(
        "error", ("BT-110", "BT-117"),
        "The total VAT amount (BT-110) is not the sum of the VAT category tax amounts (BT-117)",
    ),
    "BR-CO-15": RuleInfo(
        "error", ("BT-112", "BT-109", "BT-110"),
        "The total with VAT (BT-112) is not the total without VAT (BT-109) plus the total VAT amount (BT-110)",
    ),
    "BR-CO-16": RuleInfo(
        "error", ("BT-115", "BT-112", "BT-113", "BT-114"),
        "The amount due (BT-115) is not the total with VAT (BT-112) minus the paid amount (BT-113) plus the "
        "rounding amount (BT-114)",
    ),
    "BR-CO-17": RuleInfo(
        "error", ("BT-117", "BT-116", "BT-119"),
        "A VAT category tax amount (BT-117) is not its taxable amount (BT-116) times its rate (BT-119) / 100,"
        " rounded to 2 decimals (±1 allowed)",
    ),
    "BR-CO-18": RuleInfo("error", ("BG-23",), "The invoice has no VAT breakdown (BG-23)"),
    "BR-CO-19": RuleInfo(
        "error", ("BG-14", "BT-73", "BT-74"),
        "An invoicing period (BG-14) has neither a start date (BT-73) nor an end date (BT-74)",
    ),
    "BR-CO-20": RuleInfo(
        "error", ("BG-26", "BT-134", "BT-135"),
        "An invoice line period (BG-26) has neither a start date (BT-134) nor an end date (BT-135)",
    ),
    "BR-CO-21": RuleInfo(
        "error", ("BG-20", "BT-97", "BT-98"),
        "A document level allowance (BG-20) has neither a reason (BT-97) nor a reason code (BT-98)",
    ),
    "BR-CO-22": RuleInfo(
        "error", ("BG-21", "BT-104", "BT-105"),
        "A document level charge (BG-21) has neither a reason (BT-104) nor a reason code (BT-105)",
    ),
    "BR-CO-23": RuleInfo(
        "error", ("BG-27", "BT-139", "BT-140"),
        "An invoice line allowance (BG-27) has neither a reason (BT-139) nor a reason code (BT-140)",
    ),
    "BR-CO-24": RuleInfo(
        "error", ("BG-28", "BT-144", "BT-145"),
        "An invoice line charge (BG-28) has neither a reason (BT-144) nor a reason code (BT-145)",
    ),
    "BR-CO-26": RuleInfo(
        "error", ("BT-29", "BT-30", "BT-31"),
        "The seller has no identifier (BT-29), legal registration identifier (BT-30) or VAT identifier "
        "(BT-31)",
    ),
    "BR-DEC-01": RuleInfo("error", ("BT-92",), "The document level allowance amount (BT-92) has more than 2 decimals"),
    "BR-DEC-02": RuleInfo(
        "error", ("BT-93",),
        "The document level allowance base amount (BT-93) has more than 2 decimals",
    ),
    "BR-DEC-05": RuleInfo("error", ("BT-99",), "The document level charge amount (BT-99) has more than 2 decimals"),
    "BR-DEC-06": RuleInfo(
        "error", ("BT-100",),
        "The document level charge base amount (BT-100) has more than 2 decimals",
    ),
    "BR-DEC-09": RuleInfo("error", ("BT-106",), "The sum of Invoice line net amount (BT-106) has more than 2 decimals"),
    "BR-DEC-10": RuleInfo(
        "error", ("BT-107",),
        "The sum of allowances on document level (BT-107) has more than 2 decimals",
    ),
    "BR-DEC-11": RuleInfo(
        "error", ("BT-108",),
        "The sum of charges on document level (BT-108) has more than 2 decimals",
    ),
    "BR-DEC-12": RuleInfo(
        "error", ("BT-109",),
        "The invoice total amount without VAT (BT-109) has more than 2 decimals",
    ),
    "BR-DEC-13": RuleInfo("error", ("BT-110",), "The invoice total VAT amount (BT-110) has more than 2 decimals"),
    "BR-DEC-14": RuleInfo("error", ("BT-112",), "The invoice total amount with VAT (BT-112) has more than 2 decimals"),
    "BR-DEC-15": RuleInfo(
        "error", ("BT-111",),
        "The invoice total VAT amount in accounting currency (BT-111) has more than 2 decimals",
    ),
    "BR-DEC-16": RuleInfo("error", ("BT-113",), "The paid amount (BT-113) has more than 2 decimals"),
    "BR-DEC-17": RuleInfo("error", ("BT-114",), "The rounding amount (BT-114) has more than 2 decimals"),
    "BR-DEC-18": RuleInfo("error", ("BT-115",), "The amount due for payment (BT-115) has more than 2 decimals"),
    "BR-DEC-19": RuleInfo("error", ("BT-116",), "The vAT category taxable amount (BT-116) has more than 2 decimals"),
    "BR-DEC-20": RuleInfo("error", ("BT-117",), "The vAT category tax amount (BT-117) has more than 2 decimals"),
    "BR-DEC-23": RuleInfo("error", ("BT-131",), "The invoice line net amount (BT-131) has more than 2 decimals"),
    "BR-DEC-24": RuleInfo("error", ("BT-136",), "The invoice line allowance amount (BT-136) has more than 2 decimals"),
    "BR-DEC-25": RuleInfo(
        "error", ("BT-137",),
        "The invoice line allowance base amount (BT-137) has more than 2 decimals",
    ),
    "BR-DEC-27": RuleInfo("error", ("BT-141",), "The invoice line charge amount (BT-141) has more than 2 decimals"),
    "BR-DEC-28": RuleInfo(
        "error", ("BT-142",),
        "The invoice line charge base amount (BT-142) has more than 2 decimals",
    ),
    "BR-AE-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category AE (reverse charge) need exactly one VAT breakdown "
        "(BG-23) of that category",
    ),
    "BR-AE-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category AE (reverse charge) the invoice needs the seller's VAT "
        "or tax registration identifier and the buyer's VAT or legal registration identifier",
    ),
    "BR-AE-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category AE (reverse charge) the invoice needs the "
        "seller's VAT or tax registration identifier and the buyer's VAT or legal registration identifier",
    ),
    "BR-AE-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category AE (reverse charge) the invoice needs the "
        "seller's VAT or tax registration identifier and the buyer's VAT or legal registration identifier",
    ),
    "BR-AE-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category AE (reverse charge) the invoice line item VAT rate (BT-152) must be 0",
    ),
    "BR-AE-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category AE (reverse charge) the document level allowance VAT rate (BT-96) must be 0",
    ),
    "BR-AE-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category AE (reverse charge) the document level charge VAT rate (BT-103) must be 0",
    ),
    "BR-AE-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category AE (reverse charge) breakdown is not the sum of its "
        "lines' net amounts plus charges minus allowances",
    ),
    "BR-AE-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category AE (reverse charge) breakdown must be 0",
    ),
    "BR-AE-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "The VAT category AE (reverse charge) breakdown needs an exemption reason (BT-120) or exemption "
        "reason code (BT-121)",
    ),
    "BR-AF-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category L (IGIC (Canary Islands)) need exactly one VAT "
        "breakdown (BG-23) of that category",
    ),
    "BR-AF-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category L (IGIC (Canary Islands)) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AF-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category L (IGIC (Canary Islands)) the invoice needs "
        "the seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AF-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category L (IGIC (Canary Islands)) the invoice needs the"
        " seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AF-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category L (IGIC (Canary Islands)) the invoice line item VAT rate (BT-152) must be zero or "
        "more",
    ),
    "BR-AF-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category L (IGIC (Canary Islands)) the document level allowance VAT rate (BT-96) must be "
        "zero or more",
    ),
    "BR-AF-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category L (IGIC (Canary Islands)) the document level charge VAT rate (BT-103) must be zero "
        "or more",
    ),
    "BR-AF-08": RuleInfo(
        "error", ("BT-119", "BT-118", "BT-116", "BG-23"),
        "The taxable amount (BT-116) of a VAT category L (IGIC (Canary Islands)) breakdown is not the sum of "
        "its lines' net amounts plus charges minus allowances at that rate (±1)",
    ),
    "BR-AF-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118", "BT-116"),
        "The tax amount (BT-117) of a VAT category L (IGIC (Canary Islands)) breakdown is not its taxable "
        "amount times its rate, rounded to 2 decimals (±1)",
    ),
    "BR-AF-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "A VAT category L (IGIC (Canary Islands)) breakdown must not have an exemption reason (BT-120) or "
        "code (BT-121)",
    ),
    "BR-AG-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category M (IPSI (Ceuta and Melilla)) need exactly one VAT "
        "breakdown (BG-23) of that category",
    ),
    "BR-AG-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category M (IPSI (Ceuta and Melilla)) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AG-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category M (IPSI (Ceuta and Melilla)) the invoice "
        "needs the seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AG-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category M (IPSI (Ceuta and Melilla)) the invoice needs "
        "the seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-AG-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category M (IPSI (Ceuta and Melilla)) the invoice line item VAT rate (BT-152) must be zero "
        "or more",
    ),
    "BR-AG-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category M (IPSI (Ceuta and Melilla)) the document level allowance VAT rate (BT-96) must be "
        "zero or more",
    ),
    "BR-AG-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category M (IPSI (Ceuta and Melilla)) the document level charge VAT rate (BT-103) must be "
        "zero or more",
    ),
    "BR-AG-08": RuleInfo(
        "error", ("BT-119", "BT-118", "BT-116", "BG-23"),
        "The taxable amount (BT-116) of a VAT category M (IPSI (Ceuta and Melilla)) breakdown is not the sum "
        "of its lines' net amounts plus charges minus allowances at that rate (±1)",
    ),
    "BR-AG-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118", "BT-116"),
        "The tax amount (BT-117) of a VAT category M (IPSI (Ceuta and Melilla)) breakdown is not its taxable "
        "amount times its rate, rounded to 2 decimals (±1)",
    ),
    "BR-AG-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "A VAT category M (IPSI (Ceuta and Melilla)) breakdown must not have an exemption reason (BT-120) or "
        "code (BT-121)",
    ),
    "BR-B-01": RuleInfo(
        "error", ("BT-151", "BT-95", "BT-102", "BT-40", "BT-55"),
        "Split payment (category B) is only for Italian domestic invoices: every country code must be IT",
    ),
    "BR-B-02": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-118", "BT-102"),
        "An invoice with split payment (category B) must not also use standard rated VAT (category S)",
    ),
    "BR-E-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category E (exempt from VAT) need exactly one VAT breakdown "
        "(BG-23) of that category",
    ),
    "BR-E-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category E (exempt from VAT) the invoice needs the seller's VAT "
        "or tax registration identifier (or the tax representative's)",
    ),
    "BR-E-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category E (exempt from VAT) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-E-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category E (exempt from VAT) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-E-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category E (exempt from VAT) the invoice line item VAT rate (BT-152) must be 0",
    ),
    "BR-E-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category E (exempt from VAT) the document level allowance VAT rate (BT-96) must be 0",
    ),
    "BR-E-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category E (exempt from VAT) the document level charge VAT rate (BT-103) must be 0",
    ),
    "BR-E-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category E (exempt from VAT) breakdown is not the sum of its "
        "lines' net amounts plus charges minus allowances",
    ),
    "BR-E-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category E (exempt from VAT) breakdown must be 0",
    ),
    "BR-E-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "The VAT category E (exempt from VAT) breakdown needs an exemption reason (BT-120) or exemption "
        "reason code (BT-121)",
    ),
    "BR-G-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category G (export outside the EU) need exactly one VAT "
        "breakdown (BG-23) of that category",
    ),
    "BR-G-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category G (export outside the EU) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-G-03": RuleInfo(
        "error", ("BG-20", "BT-95"),
        "With a document level allowance (BG-20) of VAT category G (export outside the EU) the invoice needs "
        "the seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-G-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category G (export outside the EU) the invoice needs the"
        " seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-G-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category G (export outside the EU) the invoice line item VAT rate (BT-152) must be 0",
    ),
    "BR-G-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category G (export outside the EU) the document level allowance VAT rate (BT-96) must be 0",
    ),
    "BR-G-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category G (export outside the EU) the document level charge VAT rate (BT-103) must be 0",
    ),
    "BR-G-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category G (export outside the EU) breakdown is not the sum "
        "of its lines' net amounts plus charges minus allowances",
    ),
    "BR-G-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category G (export outside the EU) breakdown must be 0",
    ),
    "BR-G-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121"),
        "The VAT category G (export outside the EU) breakdown needs an exemption reason (BT-120) or exemption"
        " reason code (BT-121)",
    ),
    "BR-IC-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category K (intra-community supply) need exactly one VAT "
        "breakdown (BG-23) of that category",
    ),
    "BR-IC-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category K (intra-community supply) the invoice needs the "
        "seller's (or tax representative's) VAT identifier and the buyer's VAT identifier",
    ),
    "BR-IC-03": RuleInfo(
        "error", ("BG-20", "BT-95"),
        "With a document level allowance (BG-20) of VAT category K (intra-community supply) the invoice needs"
        " the seller's (or tax representative's) VAT identifier and the buyer's VAT identifier",
    ),
    "BR-IC-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-3"),
        "With a document level charge (BG-21) of VAT category K (intra-community supply) the invoice needs "
        "the seller's (or tax representative's) VAT identifier and the buyer's VAT identifier",
    ),
    "BR-IC-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category K (intra-community supply) the invoice line item VAT rate (BT-152) must be 0",
    ),
    "BR-IC-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category K (intra-community supply) the document level allowance VAT rate (BT-96) must be 0",
    ),
    "BR-IC-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category K (intra-community supply) the document level charge VAT rate (BT-103) must be 0",
    ),
    "BR-IC-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category K (intra-community supply) breakdown is not the sum "
        "of its lines' net amounts plus charges minus allowances",
    ),
    "BR-IC-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category K (intra-community supply) breakdown must be 0",
    ),
    "BR-IC-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121"),
        "The VAT category K (intra-community supply) breakdown needs an exemption reason (BT-120) or "
        "exemption reason code (BT-121)",
    ),
    "BR-IC-11": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-72", "BG-14"),
        "With a VAT category K (intra-community supply) breakdown the actual delivery date (BT-72) or the "
        "invoicing period (BG-14) must be given",
    ),
    "BR-IC-12": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-80"),
        "With a VAT category K (intra-community supply) breakdown the deliver-to country code (BT-80) must be"
        " given",
    ),
    "BR-O-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category O (not subject to VAT) need exactly one VAT breakdown "
        "(BG-23) of that category",
    ),
    "BR-O-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category O (not subject to VAT) the invoice must not carry a "
        "seller, tax representative or buyer VAT identifier",
    ),
    "BR-O-03": RuleInfo(
        "error", ("BG-20", "BT-95"),
        "With a document level allowance (BG-20) of VAT category O (not subject to VAT) the invoice must not "
        "carry a seller, tax representative or buyer VAT identifier",
    ),
    "BR-O-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category O (not subject to VAT) the invoice must not "
        "carry a seller, tax representative or buyer VAT identifier",
    ),
    "BR-O-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category O (not subject to VAT) no invoice line item VAT rate (BT-152) may be given",
    ),
    "BR-O-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category O (not subject to VAT) no document level allowance VAT rate (BT-96) may be given",
    ),
    "BR-O-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category O (not subject to VAT) no document level charge VAT rate (BT-103) may be given",
    ),
    "BR-O-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category O (not subject to VAT) breakdown is not the sum of "
        "its lines' net amounts plus charges minus allowances",
    ),
    "BR-O-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category O (not subject to VAT) breakdown must be 0",
    ),
    "BR-O-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121"),
        "The VAT category O (not subject to VAT) breakdown needs an exemption reason (BT-120) or exemption "
        "reason code (BT-121)",
    ),
    "BR-O-11": RuleInfo(
        "error", ("BG-23", "BT-118"),
        "A VAT category O (not subject to VAT) breakdown excludes any VAT breakdown of another category",
    ),
    "BR-O-12": RuleInfo(
        "error", ("BG-23", "BT-118", "BG-25"),
        "With a VAT category O (not subject to VAT) breakdown no invoice line may have another VAT category",
    ),
    "BR-O-13": RuleInfo(
        "error", ("BG-23", "BT-118", "BG-20"),
        "With a VAT category O (not subject to VAT) breakdown no document level allowance may have another "
        "VAT category",
    ),
    "BR-O-14": RuleInfo(
        "error", ("BG-23", "BT-118", "BG-21"),
        "With a VAT category O (not subject to VAT) breakdown no document level charge may have another VAT "
        "category",
    ),
    "BR-S-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category S (standard rated) need exactly one VAT breakdown "
        "(BG-23) of that category",
    ),
    "BR-S-02": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category S (standard rated) the invoice needs the seller's VAT "
        "or tax registration identifier (or the tax representative's)",
    ),
    "BR-S-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category S (standard rated) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-S-04": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category S (standard rated) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-S-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category S (standard rated) the invoice line item VAT rate (BT-152) must be greater than "
        "zero",
    ),
    "BR-S-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category S (standard rated) the document level allowance VAT rate (BT-96) must be greater "
        "than zero",
    ),
    "BR-S-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category S (standard rated) the document level charge VAT rate (BT-103) must be greater than"
        " zero",
    ),
    "BR-S-08": RuleInfo(
        "error", ("BT-119", "BT-118", "BT-116", "BG-23"),
        "The taxable amount (BT-116) of a VAT category S (standard rated) breakdown is not the sum of its "
        "lines' net amounts plus charges minus allowances at that rate (±1)",
    ),
    "BR-S-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118", "BT-116"),
        "The tax amount (BT-117) of a VAT category S (standard rated) breakdown is not its taxable amount "
        "times its rate, rounded to 2 decimals (±1)",
    ),
    "BR-S-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "A VAT category S (standard rated) breakdown must not have an exemption reason (BT-120) or code "
        "(BT-121)",
    ),
    "BR-Z-01": RuleInfo(
        "error", ("BG-25", "BG-20", "BG-21", "BT-151", "BT-95", "BT-102"),
        "Lines, allowances or charges of VAT category Z (zero rated) need exactly one VAT breakdown (BG-23) "
        "of that category",
    ),
    "BR-Z-02": RuleInfo(
        "error", ("BT-151", "BT-31"),
        "With an invoice line (BG-25) of VAT category Z (zero rated) the invoice needs the seller's VAT or "
        "tax registration identifier (or the tax representative's)",
    ),
    "BR-Z-03": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-31"),
        "With a document level allowance (BG-20) of VAT category Z (zero rated) the invoice needs the "
        "seller's VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-Z-04": RuleInfo(
        "error", ("BT-102", "BT-31"),
        "With a document level charge (BG-21) of VAT category Z (zero rated) the invoice needs the seller's "
        "VAT or tax registration identifier (or the tax representative's)",
    ),
    "BR-Z-05": RuleInfo(
        "error", ("BG-25", "BT-151", "BT-152"),
        "For VAT category Z (zero rated) the invoice line item VAT rate (BT-152) must be 0",
    ),
    "BR-Z-06": RuleInfo(
        "error", ("BG-20", "BT-95", "BT-96"),
        "For VAT category Z (zero rated) the document level allowance VAT rate (BT-96) must be 0",
    ),
    "BR-Z-07": RuleInfo(
        "error", ("BG-21", "BT-102", "BT-103"),
        "For VAT category Z (zero rated) the document level charge VAT rate (BT-103) must be 0",
    ),
    "BR-Z-08": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-116", "BT-131"),
        "The taxable amount (BT-116) of the VAT category Z (zero rated) breakdown is not the sum of its "
        "lines' net amounts plus charges minus allowances",
    ),
    "BR-Z-09": RuleInfo(
        "error", ("BT-117", "BG-23", "BT-118"),
        "The tax amount (BT-117) of the VAT category Z (zero rated) breakdown must be 0",
    ),
    "BR-Z-10": RuleInfo(
        "error", ("BG-23", "BT-118", "BT-121", "BT-120"),
        "A VAT category Z (zero rated) breakdown must not have an exemption reason (BT-120) or code (BT-121)",
    ),
}

#: Rules whose official test always holds (the reason codes and reasons of an allowance or charge "shall
#: indicate the same type": not machine-checkable, the artefacts assert ``true()``). They never fire, so the
#: code catalogue does not list them.
NEVER_FIRES = frozenset({"BR-CO-05", "BR-CO-06", "BR-CO-07", "BR-CO-08"})
