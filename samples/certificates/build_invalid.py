"""Writes invalid/<CODE>.<ext>: each a valid sample with one change that raises that code and no other
error or warning. Run from anywhere: ``python samples/certificates/build_invalid.py``; the files are
committed, and tests/unit/test_certificate_samples.py checks each one (and that this script reproduces it).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHYTO = "ephyto-export.xml"
UBL = "ubl-certificate-of-origin.xml"
TT = "tradetrust-coo.json"
DCC = "untp-dcc.json"

#: code -> (valid sample, [(old, new), ...]): text replacements, each of which must occur exactly once.
CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "PHYTO-MISSING": (PHYTO, [("<ram:ScientificName>Tulipa gesneriana</ram:ScientificName>",
                               "<ram:ScientificName/>")]),
    "PHYTO-TYPE-CODE": (PHYTO, [("<ram:TypeCode>851</ram:TypeCode>", "<ram:TypeCode>636</ram:TypeCode>")]),
    "PHYTO-STATUS-CODE": (PHYTO, [("<ram:StatusCode>70</ram:StatusCode>", "<ram:StatusCode>issued</ram:StatusCode>")]),
    "PHYTO-COUNTRY": (PHYTO, [("<ram:ImportSPSCountry>\n      <ram:ID>CA</ram:ID>",
                               "<ram:ImportSPSCountry>\n      <ram:ID>CAN</ram:ID>")]),
    "PHYTO-LOCODE": (PHYTO, [("<ram:ID>CAMTR</ram:ID>", "<ram:ID>Montreal</ram:ID>")]),
    "PHYTO-TRANSPORT-MODE": (PHYTO, [("<ram:ModeCode>1</ram:ModeCode>", "<ram:ModeCode>SEA</ram:ModeCode>")]),
    "PHYTO-UNIT": (PHYTO, [('<ram:NetWeightMeasure unitCode="KGM">', '<ram:NetWeightMeasure unitCode="MTQ">')]),
    "PHYTO-PACKAGE-TYPE": (PHYTO, [("<ram:TypeCode>CT</ram:TypeCode>", "<ram:TypeCode>carton</ram:TypeCode>")]),
    "PHYTO-HS-CODE": (PHYTO, [("<ram:ClassCode>060110</ram:ClassCode>", "<ram:ClassCode>0601</ram:ClassCode>")]),
    "PHYTO-DATE": (PHYTO, [("<udt:DateTimeString>2026-11-18</udt:DateTimeString>",
                            "<udt:DateTimeString>18/11/2026</udt:DateTimeString>")]),
    "PHYTO-ISSUE-AFTER-SIGNATURE": (PHYTO, [("2026-11-20T09:30:00+01:00", "2026-11-20T09:00:00+01:00")]),
    "PHYTO-REEXPORT-REFERENCE": (PHYTO, [("<ram:TypeCode>851</ram:TypeCode>", "<ram:TypeCode>657</ram:TypeCode>")]),
    "PHYTO-TREATMENT": (PHYTO, [("<ram:StartDateTime>\n              <udt:DateTimeString>2026-11-18"
                                 "</udt:DateTimeString>\n            </ram:StartDateTime>\n", "")]),
    "PHYTO-QUANTITY": (PHYTO, [('<ram:NetWeightMeasure unitCode="KGM">1200</ram:NetWeightMeasure>\n', ""),
                               ('<ram:GrossWeightMeasure unitCode="KGM">1350</ram:GrossWeightMeasure>\n', ""),
                               ("<ram:ItemQuantity>120</ram:ItemQuantity>", "")]),
    "PHYTO-REPLACEMENT": (PHYTO, [("<ram:Subject>ADEDL</ram:Subject>", "<ram:Subject>ADRPR</ram:Subject>")]),
    "PHYTO-ATTACHMENT": (PHYTO, [("    <ram:SignatorySPSAuthentication>",
                                  "    <ram:ReferenceSPSReferencedDocument>\n      <ram:ID>LAB-1</ram:ID>\n"
                                  '      <ram:AttachmentBinaryObject filename="lab.pdf">JVBERi0x!'
                                  "</ram:AttachmentBinaryObject>\n    </ram:ReferenceSPSReferencedDocument>\n"
                                  "    <ram:SignatorySPSAuthentication>")]),
    "PHYTO-DUPLICATE": (PHYTO, [("<ram:ID>NL-2026-0004711</ram:ID>",
                                 "<ram:ID>NL-2026-0004711</ram:ID>\n    <ram:ID>NL-2026-0004712</ram:ID>")]),
    "PHYTO-MEASURE": (PHYTO, [('<ram:DurationMeasure unitCode="HUR">3<', '<ram:DurationMeasure unitCode="HUR">-3<')]),
    "PHYTO-NOT-A-VALUE": (PHYTO, [("<ram:ID>NL-2026-0004711</ram:ID>",
                                   "<ram:ID><ram:Value>NL-2026-0004711</ram:Value></ram:ID>")]),
    "CERT-STATUS": (PHYTO, [("<ram:StatusCode>70</ram:StatusCode>", "<ram:StatusCode>40</ram:StatusCode>")]),
    "COO-MISSING": (UBL, [("  <cbc:IssueDate>2026-11-21</cbc:IssueDate>\n", "")]),
    "COO-ORIGIN-COUNTRY": (UBL, [("        <cac:OriginCountry><cbc:IdentificationCode>SG</cbc:IdentificationCode>"
                                  "</cac:OriginCountry>\n", "")]),
    "COO-COUNTRY": (UBL, [("<cbc:IdentificationCode>NZ</cbc:IdentificationCode>",
                           "<cbc:IdentificationCode>NZL</cbc:IdentificationCode>")]),
    "COO-DATE": (UBL, [("<cbc:IssueDate>2026-11-21</cbc:IssueDate>", "<cbc:IssueDate>2026-02-30</cbc:IssueDate>")]),
    "COO-DUPLICATE": (UBL, [("<cbc:ID>COO-SG-2026-000123</cbc:ID>",
                             "<cbc:ID>COO-SG-2026-000123</cbc:ID>\n  <cbc:ID>COO-SG-2026-000124</cbc:ID>")]),
    "COO-DATE-FUTURE": (UBL, [("<cbc:IssueDate>2026-11-21</cbc:IssueDate>",
                               "<cbc:IssueDate>2999-01-01</cbc:IssueDate>")]),
    "COO-HS-CODE": (UBL, [('listID="HS">853400<', 'listID="HS">85.34<')]),
    "CERT-PROOF-ABSENT": (UBL, [("  <cac:Signature>\n    <cbc:ID>SIG-1</cbc:ID>\n    <cac:SignatoryParty>\n"
                                 "      <cac:PartyName><cbc:Name>Example Chamber of Commerce</cbc:Name>"
                                 "</cac:PartyName>\n"
                                 "    </cac:SignatoryParty>\n  </cac:Signature>\n", "")]),
    "COO-TT-MISSING": (TT, [('"iD": "AU-2026-000042"', '"iD": ""')]),
    "COO-TT-TYPE": (TT, [('"isPreferential": true', '"isPreferential": "yes"')]),
    "COO-TT-COUNTRY": (TT, [('"countryCode": "CN"', '"countryCode": "CHN"')]),
    "COO-TT-LOCODE": (TT, [('"iD": "CNSHA"', '"iD": "ZZZZZ"')]),
    "COO-TT-DATE": (TT, [('"issueDateTime": "2026-11-22T10:00:00+11:00"', '"issueDateTime": "22 Nov 2026"')]),
    "UNTP-SCHEMA-REQUIRED": (DCC, [('"assessorLevel": "3rdParty",', "")]),
    "UNTP-SCHEMA-PATTERN": (DCC, [('"id": "did:web:certifier.example.com"', '"id": "https://certifier.example.com"')]),
    "UNTP-SCHEMA-TYPE": (DCC, [('"type": [\n    "DigitalConformityCredential",\n    "VerifiableCredential"\n  ],',
                                '"type": "DigitalConformityCredential",')]),
    "UNTP-SCHEMA-CONST": (DCC, [('"https://www.w3.org/ns/credentials/v2"', '"https://www.w3.org/2018/credentials/v1"')]),
    "UNTP-SCHEMA-CONTAINS": (DCC, [('    "DigitalConformityCredential",\n    "VerifiableCredential"\n',
                                    '    "DigitalConformityCredential"\n')]),
    "UNTP-SCHEMA-FORMAT": (DCC, [('"validFrom": "2026-01-01T00:00:00Z"', '"validFrom": "2026-01-01"')]),
    "UNTP-SCHEMA-MIN-LENGTH": (DCC, [('"name": "Example Certifier Ltd"', '"name": ""')]),
    "UNTP-VALIDITY-PERIOD": (DCC, [('"validUntil": "2028-01-01T00:00:00Z"', '"validUntil": "2025-01-01T00:00:00Z"')]),
    "UNTP-SECURE-LINK": (DCC, [('"hashDigest": "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"',
                                '"hashDigest": "3f79bb7b"')]),
    "UNTP-VERSION-UNKNOWN": (DCC, [("untp/dcc/working/", "untp/dcc/0.3.10/")]),
}


def build(code: str) -> tuple[str, str]:
    """``(file name, text)`` of the invalid sample for ``code``."""
    source, changes = CASES[code]
    text = (HERE / "valid" / source).read_text(encoding="utf-8")
    for old, new in changes:
        if text.count(old) != 1:
            raise ValueError(f"{code}: {old!r} occurs {text.count(old)} times in {source}")
        text = text.replace(old, new)
    if source.endswith(".json"):
        json.loads(text)  # still JSON
    return f"{code}{Path(source).suffix}", text


def main() -> None:
    out = HERE / "invalid"
    out.mkdir(exist_ok=True)
    for code in CASES:
        name, text = build(code)
        (out / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
