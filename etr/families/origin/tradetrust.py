"""TradeTrust certificate-of-origin data (the CHAFTA_COO field vocabulary of the edi3 / trade-portal
``ExchangedDocument`` model): the checks of the data a reader sees, wrapped or not.

The data fields are those of the certificates reference §B2 item 5 (``iD`` or ``id``,
``issueDateTime``, ``isPreferential``, ``supplyChainConsignment{exportCountry, exporter,
importCountry, importer, …}``). Which of them are mandatory is not published as a schema; etr
asks for what a certificate of origin cannot do without (KTDDE core elements, reference §B2
item 2): the certificate number, the issue date, the exporter, the export (origin) country and
the import country.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...model import Finding, Location, Severity
from ...schemas import pointer
from ..certificates import is_country, is_locode, parse_date_time, text_of

__all__ = ["TEMPLATE_NAMES", "check_tradetrust_data", "looks_like_coo"]

_REFERENCE = "TradeTrust certificate of origin (CHAFTA_COO data fields); ICC DSI KTDDE certificate-of-origin core"
#: ``$template.name`` values of TradeTrust certificate-of-origin renderers.
TEMPLATE_NAMES = frozenset({"CHAFTA_COO", "COO", "AANZFTA_COO", "ASEAN_COO"})


def looks_like_coo(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` (revealed, unsalted) is a certificate of origin by TradeTrust's shape: a CoO
    renderer template, or ``supplyChainConsignment`` with ``isPreferential`` / ``freeTradeAgreement``."""
    template = data.get("$template")
    name = template.get("name") if isinstance(template, Mapping) else None
    if isinstance(name, str) and name.upper() in TEMPLATE_NAMES:
        return True
    return isinstance(data.get("supplyChainConsignment"), Mapping) \
        and ("isPreferential" in data or "freeTradeAgreement" in data)


def _finding(code: str, message: str, where: list[str | int], base: str, severity: Severity = Severity.ERROR
             ) -> Finding:
    return Finding(code, severity, message, Location(pointer=base + pointer(where)), _REFERENCE)


def _json_type(value: Any) -> str:
    """The JSON type of a parsed JSON ``value``, as a reader would name it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, Mapping) else "a string"


def _party_name(party: Any) -> str:
    return text_of(party.get("name")) if isinstance(party, Mapping) else ""


def _field(data: Mapping[str, Any], consignment: Mapping[str, Any] | None, keys: tuple[str, ...]
           ) -> tuple[Any, list[str | int]]:
    """The first of ``keys`` present under ``supplyChainConsignment`` (CHAFTA_COO data) or at the top
    (the TradeTrust W3C VC form), with its path; ``(None, path of the first key)`` when none is."""
    for scope, at in ((consignment, ["supplyChainConsignment"]), (data, [])):
        if scope is None:
            continue
        for key in keys:
            if key in scope:
                return scope[key], [*at, key]
    return None, (["supplyChainConsignment", keys[0]] if consignment is not None else [keys[0]])


def check_tradetrust_data(data: Mapping[str, Any], base_pointer: str = "") -> list[Finding]:
    """The data findings for a TradeTrust certificate of origin's revealed (unsalted) ``data``.

    Two vocabularies are read: the CHAFTA_COO data of OpenAttestation v2 documents (``iD``,
    ``supplyChainConsignment.exporter.name``, ``supplyChainConsignment.exportCountry.code``) and the
    flatter W3C VC form of TradeTrust's certificate-of-origin template (``cooId``, ``exporter.exporterName``,
    ``exportCountry.exportCountryCode``). ``base_pointer`` is where ``data`` sits in the document the
    caller reports on (``"/data"`` in an OpenAttestation v2 document, ``"/credentialSubject"`` in a W3C
    VC), put in front of every finding's JSON Pointer. A field the issuer obfuscated is not in the
    revealed data, so it is reported missing: a reader cannot see it.

    Codes: ``COO-TT-MISSING`` (a core field missing or empty), ``COO-TT-TYPE`` (a field of the wrong
    JSON type), ``COO-TT-COUNTRY`` (not ISO 3166-1 alpha-2), ``COO-TT-DATE`` (an unreadable date-time),
    ``COO-TT-LOCODE`` (a loading / unloading port that is not of the UN/LOCODE form).
    Never raises.
    """
    findings: list[Finding] = []
    if not isinstance(data, Mapping):
        return [_finding("COO-TT-TYPE", "the certificate data is not a JSON object", [], base_pointer)]
    number_key = next((k for k in ("iD", "id", "cooId") if k in data), "iD")
    if not text_of(data.get(number_key)):
        findings.append(_finding("COO-TT-MISSING", f"the certificate number ({number_key}) is missing or empty",
                                 [number_key], base_pointer))
    issued = data.get("issueDateTime")
    if issued is not None and not isinstance(issued, str):
        findings.append(_finding("COO-TT-TYPE", f"issueDateTime is not a string (an ISO 8601 date-time) but "
                                 f"{_json_type(issued)}", ["issueDateTime"], base_pointer))
    elif not text_of(issued):
        findings.append(_finding("COO-TT-MISSING", "the issue date (issueDateTime) is missing or empty",
                                 ["issueDateTime"], base_pointer))
    elif parse_date_time(str(issued)) is None:
        findings.append(_finding("COO-TT-DATE", f"issueDateTime {issued!r} is not an ISO 8601 date-time",
                                 ["issueDateTime"], base_pointer))
    for key in ("firstSignatoryAuthentication", "secondSignatoryAuthentication"):
        signatory = data.get(key)
        when = signatory.get("actualDateTime") if isinstance(signatory, Mapping) else None
        if when is not None and not isinstance(when, str):
            findings.append(_finding("COO-TT-TYPE", f"{key}.actualDateTime is not a string (an ISO 8601 date-time) "
                                     f"but {_json_type(when)}", [key, "actualDateTime"], base_pointer))
        elif text_of(when) and parse_date_time(str(when)) is None:
            findings.append(_finding("COO-TT-DATE", f"{key}.actualDateTime {when!r} is not an ISO 8601 date-time",
                                     [key, "actualDateTime"], base_pointer))
    if "isPreferential" in data and not isinstance(data["isPreferential"], bool):
        findings.append(_finding("COO-TT-TYPE", "isPreferential is not true or false", ["isPreferential"],
                                 base_pointer))
    consignment = data.get("supplyChainConsignment")
    if consignment is not None and not isinstance(consignment, Mapping):
        findings.append(_finding("COO-TT-TYPE", "supplyChainConsignment is not a JSON object",
                                 ["supplyChainConsignment"], base_pointer))
        return findings
    if consignment is None and not any(k in data for k in ("exporter", "exportCountry", "importCountry")):
        findings.append(_finding("COO-TT-MISSING", "supplyChainConsignment (exporter, countries) is missing",
                                 ["supplyChainConsignment"], base_pointer))
        return findings
    exporter, at = _field(data, consignment, ("exporter", "consignor"))
    if exporter is not None and not isinstance(exporter, Mapping):
        findings.append(_finding("COO-TT-TYPE", f"{at[-1]} is not a JSON object", at, base_pointer))
    elif not (isinstance(exporter, Mapping)
              and (text_of(exporter.get("name")) or text_of(exporter.get("exporterName")))):
        findings.append(_finding("COO-TT-MISSING", f"the exporter's name ({'.'.join(map(str, at))}.name) is missing "
                                 "or empty", at, base_pointer))
    for key in ("exportCountry", "importCountry"):
        country, at = _field(data, consignment, (key,))
        if country is not None and not isinstance(country, Mapping):
            findings.append(_finding("COO-TT-TYPE", f"{key} is not a JSON object", at, base_pointer))
            continue
        code_key = "code" if country is None or "code" in country or f"{key}Code" not in country else f"{key}Code"
        code = text_of(country.get(code_key)) if country is not None else ""
        if not code and not (country is not None and text_of(country.get("name"))):
            findings.append(_finding("COO-TT-MISSING", f"{key} (code or name) is missing or empty", at, base_pointer))
        elif code and not is_country(code):
            findings.append(_finding("COO-TT-COUNTRY", f"{key}.{code_key} {code!r} is not an ISO 3166-1 alpha-2 code",
                                     [*at, code_key], base_pointer))
    for key in ("loadingBaseportLocation", "unloadingBaseportLocation"):
        port, at = _field(data, consignment, (key,))
        if port is None:
            continue
        if not isinstance(port, Mapping):
            findings.append(_finding("COO-TT-TYPE", f"{key} is not a JSON object", at, base_pointer))
            continue
        code_key = next((k for k in ("iD", "id", f"{key}Id") if k in port), "iD")  # the VC form: <key>Id
        port_id = port.get(code_key)
        if port_id is not None and not isinstance(port_id, str):
            findings.append(_finding("COO-TT-TYPE", f"{key}.{code_key} is not a string", [*at, code_key],
                                     base_pointer))
        elif text_of(port_id) and not is_locode(text_of(port_id)):
            findings.append(_finding("COO-TT-LOCODE", f"{key}.{code_key} {port_id!r} is not a UN/LOCODE (ISO 3166 "
                                     "country and three characters)", [*at, code_key], base_pointer))
    for role in ("exporter", "importer", "consignor", "consignee"):
        party, at = _field(data, consignment, (role,))
        if not isinstance(party, Mapping):
            continue
        address = party.get("postalAddress")
        if isinstance(address, Mapping):
            code, where = text_of(address.get("countryCode")), [*at, "postalAddress", "countryCode"]
        else:
            code, where = text_of(party.get(f"{role}CountryCode")), [*at, f"{role}CountryCode"]
        if code and not is_country(code):
            findings.append(_finding("COO-TT-COUNTRY", f"{'.'.join(map(str, where[len(at) - 1:]))} {code!r} is not "
                                     "an ISO 3166-1 alpha-2 code", where, base_pointer))
    return findings
