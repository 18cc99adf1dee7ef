"""Business rules of the DCSA eBL 3.0 TransportDocument.

The JSON Schema cannot say "a sea waybill is never to order" or "every cargo
item sits in a declared container"; these rules do. Sources: the field
descriptions of ``dcsaorg/DCSA-OpenAPI`` ``ebl/v3/EBL_v3.0.x.yaml`` and the
checks of the DCSA Conformance Gateway (``EblChecks``); see
``reference/dcsa-ebl-pint.md`` §1.7.

A rule is a small function registered on :data:`RULE_SET` (an
:class:`etr.rules.RuleSet`) with :func:`rule`. It receives a :class:`RuleContext`
(the document, walked once) and returns the ``(json_pointer, message)`` pairs of
what is wrong, usually none; the engine records where, as
:class:`~etr.model.Finding`. A rule that raises becomes the warning
``ETR-RULE-ERROR`` (never a silent skip).

Versions: every rule states the patch versions whose text has it (``since`` /
``until``; none given = every 3.0.x). Outside them it does not run: the
"originals with + without ≤ 1" rule is in the 3.0.2 text, not before; ``eblPlatform``
exists from 3.0.3. Code lists are per version (:mod:`.codes`).

Rules run on schema-invalid documents too, so every rule reads the document
through ``_obj`` / ``_list`` and never trusts a type.

Severities: rules that the specification text states are errors. Warnings are
rules that DCSA's own examples contradict, open code lists that grow every patch,
and rules found only in the DCSA Conformance Gateway: those say so in their
message and reference (a counterpart testing against the Gateway rejects the
document, but the standard's text does not).

JSON Pointers: every segment used here is a literal property name of the
standard or an array index. None contains ``~`` or ``/``, so the RFC 6901
escaped form equals the plain one and pointers are built with f-strings. A
member that is missing is reported at its parent object.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ...model import Finding, Severity
from ...rules import NO_HITS, Hit, Hits, JsonLocator, Rule, RuleSet
from . import codes as C

__all__ = ["RULES", "RULE_SET", "Rule", "RuleContext", "iso6346_check_digit", "rule", "run_rules"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_REF = "DCSA eBL 3.0 TransportDocument"
#: Rules stated only by the DCSA Conformance Gateway: warnings, and their references say so.
_GATEWAY = "DCSA Conformance Gateway EblChecks (not in the eBL 3.0 text)"


# --------------------------------------------------------------------------- defensive readers

def _obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty (read-only) one."""
    return value if isinstance(value, dict) else _EMPTY


def _list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    """An integer count (booleans are not counts), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _show(value: Any) -> str:
    """A short, one-line rendering of a JSON value for a message (never a whole object)."""
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:39]}…"'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return str(value)


# --------------------------------------------------------------------------- ISO 6346

# Letter values run from A=10 and skip the multiples of 11 (11, 22, 33): A=10, B=12 … K=21,
# L=23 … U=32, V=34 … Z=38. Digits count as themselves.
_LETTER_VALUES: dict[str, int] = {}
_value = 10
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    if _value % 11 == 0:
        _value += 1
    _LETTER_VALUES[_letter] = _value
    _value += 1
del _value, _letter
# A bound dict method: the fastest lookup to map over (module-private, never mutated).
_char_value = {**_LETTER_VALUES, **{str(d): d for d in range(10)}}.__getitem__
_WEIGHTS = tuple(1 << i for i in range(10))
# Owner code (3 letters), category U/J/Z, 6-digit serial, check digit.
_CONTAINER_NUMBER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")


def iso6346_check_digit(prefix: str) -> int:
    """The ISO 6346 check digit of a container number's first 10 characters.

    Each character's value is weighted by 2**position (0-based); the sum modulo
    11, then modulo 10 (a remainder of 10 gives 0), is the check digit.

    Raises:
        KeyError: a character outside A-Z and 0-9.
    """
    total: int = sum(map(operator.mul, map(_char_value, prefix[:10]), _WEIGHTS))
    return total % 11 % 10


# ISO 6346 size/type code: length, height/width, then the type group letter and a detail
# character. Group R is "thermal, refrigerated" (R0-R3 and the group codes RE, RT, RS).
# Group H (thermal with removable equipment, or insulated) is left undecided: the standard
# does not say whether it counts as a reefer, so neither way is flagged. So are codes that
# are not in this shape (old numeric codes, lower case, wrong length).
_ISO_TYPE = re.compile(r"[0-9A-Z]{2}([A-Z])[0-9A-Z]")


def _reefer_kind(code: Any) -> bool | None:
    """True for a reefer ISO size/type code, False for another known type, None when unknown."""
    if not isinstance(code, str) or not (m := _ISO_TYPE.fullmatch(code)):
        return None
    group = m.group(1)
    return None if group == "H" else group == "R"


# --------------------------------------------------------------------------- context

_VERSION_KEYS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {v: tuple(int(part) for part in v.split(".")) for v in C.VERSIONS})


class RuleContext:
    """One document under one version, walked once so that rules need no traversal.

    Collections hold ``(pointer, object)`` pairs; an item that is not a JSON
    object is left out (the schema reports it).
    """

    __slots__ = ("cargo_items", "codes", "consignment_items", "doc", "document_parties", "other_parties", "parties",
                 "parties_pointer", "utes", "version", "vkey")

    def __init__(self, doc: Any, version: str) -> None:
        if isinstance(doc, Mapping) and not isinstance(doc, dict):
            doc = dict(doc)
        self.doc: Mapping[str, Any] = _obj(doc)
        self.version = version
        self.vkey = _VERSION_KEYS[version]
        self.codes: Mapping[str, frozenset[str]] = C.CODE_LISTS[version]
        raw_dp = self.doc.get("documentParties")
        dp = _obj(raw_dp)
        #: ``documentParties``, or an empty object.
        self.document_parties = dp
        #: Where a missing party is reported: documentParties, or the root when it is absent.
        self.parties_pointer = "/documentParties" if isinstance(raw_dp, dict) else ""
        #: Every party object: (pointer, role, party); role is the key, or notifyParties / other.
        self.parties: list[tuple[str, str, Mapping[str, Any]]] = [
            (f"/documentParties/{role}", role, party)
            for role in ("shipper", "onBehalfOfShipper", "consignee", "onBehalfOfConsignee", "endorsee",
                         "issuingParty", "carriersAgentAtDestination")
            if isinstance(party := dp.get(role), dict)
        ]
        for i, party in enumerate(_list(dp.get("notifyParties"))):
            if isinstance(party, dict):
                self.parties.append((f"/documentParties/notifyParties/{i}", "notifyParties", party))
        #: ``other[]`` entries (the wrapper with partyFunction, not the party): (pointer, entry).
        self.other_parties: list[tuple[str, Mapping[str, Any]]] = []
        for i, entry in enumerate(_list(dp.get("other"))):
            if isinstance(entry, dict):
                ptr = f"/documentParties/other/{i}"
                self.other_parties.append((ptr, entry))
                if isinstance(party := entry.get("party"), dict):
                    self.parties.append((f"{ptr}/party", "other", party))
        self.consignment_items: list[tuple[str, Mapping[str, Any]]] = []
        self.cargo_items: list[tuple[str, Mapping[str, Any]]] = []
        for i, ci in enumerate(_list(self.doc.get("consignmentItems"))):
            if isinstance(ci, dict):
                ptr = f"/consignmentItems/{i}"
                self.consignment_items.append((ptr, ci))
                for j, item in enumerate(_list(ci.get("cargoItems"))):
                    if isinstance(item, dict):
                        self.cargo_items.append((f"{ptr}/cargoItems/{j}", item))
        #: Utilized transport equipment: (pointer, ute, equipmentReference, ISOEquipmentCode, reefer kind).
        self.utes: list[tuple[str, Mapping[str, Any], Any, Any, bool | None]] = []
        for i, ute in enumerate(_list(self.doc.get("utilizedTransportEquipments"))):
            if isinstance(ute, dict):
                equipment = _obj(ute.get("equipment"))
                iso = equipment.get("ISOEquipmentCode")
                self.utes.append((f"/utilizedTransportEquipments/{i}", ute, equipment.get("equipmentReference"),
                                  iso, _reefer_kind(iso)))

    def party(self, role: str) -> Mapping[str, Any]:
        """The object at ``documentParties.<role>``, or an empty one."""
        return _obj(self.document_parties.get(role))

    def party_given(self, role: str) -> bool:
        """Whether ``documentParties.<role>`` is given (any value but null)."""
        return self.document_parties.get(role) is not None


# --------------------------------------------------------------------------- registry

#: Every eBL rule, over the patch versions in order.
RULE_SET: RuleSet[RuleContext] = RuleSet("dcsa-ebl", C.VERSIONS)


def rule(code: str, severity: Severity, summary: str, *, reference: str, since: str,
         until: str | None = None) -> Callable[[Callable[[RuleContext], Hits]], Callable[[RuleContext], Hits]]:
    """Register the decorated check on :data:`RULE_SET` for versions ``since`` .. ``until`` (inclusive;
    no ``until``: up to the latest). Every eBL rule states where it starts, so a reader sees it.

    Raises:
        ValueError: ``code`` is already registered, or a version is not a DCSA eBL 3.0.x version.
    """
    return RULE_SET.rule(code, severity, summary, reference=reference, since=since, until=until)


E, W = Severity.ERROR, Severity.WARNING


# --------------------------------------------------------------------------- to order, parties

@rule("EBL-SWB-TO-ORDER", E, "A sea waybill (SWB) cannot be to order", reference=f"{_REF}.isToOrder", since="3.0.0")
def _swb_to_order(c: RuleContext) -> Hits:
    if c.doc.get("transportDocumentTypeCode") == "SWB" and c.doc.get("isToOrder") is True:
        return [("/isToOrder", "a sea waybill (transportDocumentTypeCode SWB) cannot be to order; isToOrder is true")]
    return NO_HITS


@rule("EBL-STRAIGHT-CONSIGNEE-MISSING", E, "A straight document (isToOrder=false) needs a consignee",
      reference=f"{_REF}.documentParties.consignee", since="3.0.0")
def _straight_consignee(c: RuleContext) -> Hits:
    if c.doc.get("isToOrder") is False and not c.party_given("consignee"):
        return [(c.parties_pointer, "a straight (non-negotiable) document, isToOrder=false, needs a consignee")]
    return NO_HITS


@rule("EBL-STRAIGHT-ENDORSEE", E, "A straight document (isToOrder=false) cannot have an endorsee",
      reference=f"{_REF}.documentParties.endorsee", since="3.0.0")
def _straight_endorsee(c: RuleContext) -> Hits:
    if c.doc.get("isToOrder") is False and c.party_given("endorsee"):
        return [("/documentParties/endorsee", "an endorsee is only allowed on a to-order document; isToOrder is false")]
    return NO_HITS


@rule("EBL-CONSIGNEE-ENDORSEE", E, "A to-order document names a consignee or an endorsee, not both",
      reference=f"{_REF}.documentParties.consignee / endorsee (mutually exclusive)", since="3.0.0")
def _consignee_endorsee(c: RuleContext) -> Hits:
    # On a straight document the endorsee itself is wrong (EBL-STRAIGHT-ENDORSEE says so, once).
    if c.doc.get("isToOrder") is True and c.party_given("consignee") and c.party_given("endorsee"):
        return [("/documentParties/endorsee", "consignee and endorsee are mutually exclusive, but both are given")]
    return NO_HITS


@rule("EBL-TO-ORDER-CONSIGNEE", W, "A to-order document naming a consignee is rejected by the DCSA Conformance Gateway",
      reference=f"{_GATEWAY}: VALIDATE_DOCUMENT_PARTIES_MATCH_EBL", since="3.0.0")
def _to_order_consignee(c: RuleContext) -> Hits:
    # Warning: the specification allows a to-order document "to the order of" the consignee
    # (3.0.4's isNotifyParty wording assumes it) and only makes consignee and endorsee
    # exclusive; the Conformance Gateway alone rejects a consignee on a to-order document.
    # With an endorsee as well, EBL-CONSIGNEE-ENDORSEE (an error) covers it.
    if c.doc.get("isToOrder") is True and c.party_given("consignee") and not c.party_given("endorsee"):
        return [("/documentParties/consignee", "a to-order document (isToOrder=true) names a consignee: allowed by the "
                                               "eBL text, but the DCSA Conformance Gateway rejects it")]
    return NO_HITS


@rule("EBL-NOTIFY-PARTY-TO-ORDER", W, "A to-order document should name notify parties",
      reference=f"{_REF}.documentParties.notifyParties", since="3.0.0")
def _notify_to_order(c: RuleContext) -> Hits:
    # Warning, not error: the description makes notify parties mandatory for to-order BLs
    # and the Conformance Gateway enforces it, but every official DCSA example is a
    # to-order BL without any. From 3.0.4, consignee/endorsee.isNotifyParty=true stands in.
    if c.doc.get("isToOrder") is not True or _list(c.document_parties.get("notifyParties")):
        return NO_HITS
    if c.vkey >= (3, 0, 4) and (c.party("consignee").get("isNotifyParty") is True
                                or c.party("endorsee").get("isNotifyParty") is True):
        return NO_HITS
    return [(c.parties_pointer, "a to-order document (isToOrder=true) should name at least one notify party")]


_ADDRESS_OR_CODE_ROLES = frozenset({"shipper", "onBehalfOfShipper", "notifyParties", "other"})


@rule("EBL-PARTY-ADDRESS-OR-CODE", W, "A party should have an address (or displayed address) or an identifying code",
      reference=f"{_REF}.documentParties (Party.identifyingCodes condition)", since="3.0.0")
def _party_address_or_code(c: RuleContext) -> Hits:
    # Checked where the specification states the condition: shipper, onBehalfOfShipper,
    # notifyParties[], other[].party (consignee and endorsee require identifyingCodes in
    # the schema; issuingParty and carriersAgentAtDestination require an address).
    # Warning: the condition is written for the Shipping Instructions; in a transport
    # document a displayedAddress replaces the address (NotifyParty description), and
    # DCSA's examples have a shipper with only a displayedAddress. addressLines counts
    # from 3.0.3, the version that added it (earlier recipients may ignore it).
    lines_count = c.vkey >= (3, 0, 3)
    hits: list[Hit] = []
    for ptr, role, party in c.parties:
        if role in _ADDRESS_OR_CODE_ROLES and not (
                party.get("address") or party.get("displayedAddress") or party.get("identifyingCodes")
                or (lines_count and party.get("addressLines"))):
            hits.append((ptr, f"party {_show(party.get('partyName'))} has neither an address nor identifyingCodes"))
    return hits


def _displayed_address(c: RuleContext, limit: int, medium: str) -> Hits:
    hits: list[Hit] = []
    for ptr, _role, party in c.parties:
        lines = party.get("displayedAddress")
        if isinstance(lines, list) and len(lines) > limit:
            hits.append((f"{ptr}/displayedAddress",
                         f"displayedAddress has {len(lines)} lines; {medium} allows at most {limit}"))
    return hits


@rule("EBL-DISPLAYED-ADDRESS-LINES", E, "An eBL (isElectronic=true) displayedAddress has at most 6 lines",
      reference=f"{_REF}.documentParties.*.displayedAddress", since="3.0.0")
def _displayed_address_ebl(c: RuleContext) -> Hits:
    return _displayed_address(c, 6, "an eBL") if c.doc.get("isElectronic") is True else NO_HITS


@rule("EBL-DISPLAYED-ADDRESS-LINES-PAPER", W, "A paper BL (isElectronic=false) displayedAddress has at most 2 lines",
      reference=f"{_REF}.documentParties.*.displayedAddress", since="3.0.0")
def _displayed_address_paper(c: RuleContext) -> Hits:
    # Warning: the 2-line limit for paper is prose in the description only; the schema
    # allows 6 lines whatever the medium, and the carrier lays out the printed document.
    return _displayed_address(c, 2, "a paper BL") if c.doc.get("isElectronic") is False else NO_HITS


def _duplicate_type_country(hits: list[Hit], ptr: str, items: Any, what: str) -> None:
    """Append a hit for each item of ``items`` whose (type, countryCode) was seen before in it."""
    if not isinstance(items, list) or len(items) < 2:
        return
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        obj = _obj(item)
        kind, country = obj.get("type"), obj.get("countryCode")
        if isinstance(kind, str) and isinstance(country, str):
            if (kind, country) in seen:
                hits.append((f"{ptr}/{i}", f"{what} type {_show(kind)} for country {_show(country)} appears more "
                                           f"than once in this list (not an eBL rule; the DCSA Conformance Gateway "
                                           f"rejects it)"))
            seen.add((kind, country))


# The three duplicate checks below are warnings: no 3.0.x text requires unique entries; the
# DCSA Conformance Gateway does (reference §1.7, corrected 2026-11-30).

@rule("EBL-TAX-LEGAL-REFERENCE-DUPLICATE", W,
      "A party's taxLegalReferences repeat a (type, countryCode): rejected by the DCSA Conformance Gateway",
      reference=f"{_GATEWAY}: unique taxLegalReferences (type, countryCode)", since="3.0.0")
def _tax_duplicates(c: RuleContext) -> Hits:
    hits: list[Hit] = []
    for ptr, _role, party in c.parties:
        _duplicate_type_country(hits, f"{ptr}/taxLegalReferences", party.get("taxLegalReferences"),
                                "taxLegalReference")
    return hits


@rule("EBL-PARTY-FUNCTION-DUPLICATE", W,
      "documentParties.other[] repeats a partyFunction: rejected by the DCSA Conformance Gateway",
      reference=f"{_GATEWAY}: unique documentParties.other[].partyFunction", since="3.0.0")
def _party_function_duplicates(c: RuleContext) -> Hits:
    if len(c.other_parties) < 2:
        return NO_HITS
    hits: list[Hit] = []
    seen: set[str] = set()
    for ptr, entry in c.other_parties:
        function = entry.get("partyFunction")
        if isinstance(function, str):
            if function in seen:
                hits.append((f"{ptr}/partyFunction", f"partyFunction {_show(function)} appears more than once "
                                                     f"(not an eBL rule; the DCSA Conformance Gateway rejects it)"))
            seen.add(function)
    return hits


# --------------------------------------------------------------------------- originals and copies

_ORIGINALS = ("numberOfOriginalsWithCharges", "numberOfOriginalsWithoutCharges")
_COPIES = ("numberOfCopiesWithCharges", "numberOfCopiesWithoutCharges")


def _positive(c: RuleContext, keys: tuple[str, str], why: str) -> Hits:
    hits: list[Hit] = []
    for key in keys:
        n = _count(c.doc.get(key))
        if n is not None and n > 0:
            hits.append((f"/{key}", f"{key} is {n}, {why}"))
    return hits


@rule("EBL-ORIGINALS-SWB", E, "A sea waybill has no originals",
      reference=f"{_REF}.numberOfOriginalsWithCharges / numberOfOriginalsWithoutCharges", since="3.0.0")
def _originals_swb(c: RuleContext) -> Hits:
    # The counts are "only applicable" to a BOL. A count of 0 is tolerated: it states what
    # an SWB is (no originals); only a positive count contradicts it. (The Conformance
    # Gateway wants both absent.)
    if c.doc.get("transportDocumentTypeCode") != "SWB":
        return NO_HITS
    return _positive(c, _ORIGINALS, "but a sea waybill (SWB) has no originals")


def _electronic_bol(c: RuleContext) -> bool:
    return c.doc.get("transportDocumentTypeCode") == "BOL" and c.doc.get("isElectronic") is True


@rule("EBL-ORIGINALS-ELECTRONIC", E, "An electronic BOL has 0 or 1 originals with charges, and 0 or 1 without",
      reference=f"{_REF}.numberOfOriginalsWithCharges / numberOfOriginalsWithoutCharges", since="3.0.0")
def _originals_electronic(c: RuleContext) -> Hits:
    if not _electronic_bol(c):
        return NO_HITS
    hits: list[Hit] = []
    for key in _ORIGINALS:
        n = _count(c.doc.get(key))
        if n is not None and n > 1:
            hits.append((f"/{key}", f"{key} is {n}; an electronic BOL allows 0 or 1"))
    return hits


@rule("EBL-ORIGINALS-ELECTRONIC-TOTAL", E,
      "An electronic BOL has at most one original in all (with + without charges <= 1)",
      reference=f"{_REF}.numberOfOriginalsWithCharges / numberOfOriginalsWithoutCharges (3.0.2 text)",
      since="3.0.2")
def _originals_electronic_total(c: RuleContext) -> Hits:
    # The sum rule is in the description from 3.0.2 on; 3.0.0 and 3.0.1 allow 1 + 1. A count
    # above 1 is EBL-ORIGINALS-ELECTRONIC's, reported once, there.
    if not _electronic_bol(c):
        return NO_HITS
    with_ = _count(c.doc.get(_ORIGINALS[0])) or 0
    without = _count(c.doc.get(_ORIGINALS[1])) or 0
    if with_ <= 1 and without <= 1 and with_ + without > 1:
        return [(f"/{_ORIGINALS[1]}", "an electronic BOL has a single original, but originals with and without "
                                      "charges are both 1")]
    return NO_HITS


@rule("EBL-COPIES-ELECTRONIC", W, "An electronic BOL should have no copies",
      reference=f"{_REF}.numberOfCopiesWithCharges / numberOfCopiesWithoutCharges; {_GATEWAY}", since="3.0.0")
def _copies_electronic(c: RuleContext) -> Hits:
    # Warning, not error: the description's table calls copies of an electronic BOL "not
    # applicable" without forbidding a count; only the DCSA Conformance Gateway requires
    # them absent or 0. Worth knowing (a counterpart testing against it rejects the
    # document), but not invalid by the standard's text.
    if not _electronic_bol(c):
        return NO_HITS
    return _positive(c, _COPIES, "but the DCSA Conformance Gateway expects no copies of an electronic BOL")


# --------------------------------------------------------------------------- pairs

@rule("EBL-DECLARED-VALUE-CURRENCY", E, "declaredValue and declaredValueCurrency go together",
      reference=f"{_REF}.declaredValueCurrency", since="3.0.0")
def _declared_value(c: RuleContext) -> Hits:
    value, currency = c.doc.get("declaredValue"), c.doc.get("declaredValueCurrency")
    if value is not None and currency is None:
        return [("/declaredValue", f"declaredValue {_show(value)} is given without declaredValueCurrency")]
    if value is None and currency is not None:
        return [("/declaredValueCurrency", f"declaredValueCurrency {_show(currency)} is given without declaredValue")]
    return NO_HITS


def _reefer_pair(c: RuleContext, value_key: str, unit_key: str) -> Hits:
    hits: list[Hit] = []
    for ptr, ute, _ref, _iso, _kind in c.utes:
        settings = ute.get("activeReeferSettings")
        if not isinstance(settings, dict):
            continue
        value, unit = settings.get(value_key), settings.get(unit_key)
        if value is not None and unit is None:
            hits.append((f"{ptr}/activeReeferSettings/{value_key}",
                         f"{value_key} {_show(value)} is given without {unit_key}"))
        elif value is None and unit is not None:
            hits.append((f"{ptr}/activeReeferSettings/{unit_key}",
                         f"{unit_key} {_show(unit)} is given without {value_key}"))
    return hits


@rule("EBL-REEFER-TEMPERATURE-UNIT", E, "temperatureSetpoint and temperatureUnit go together",
      reference=f"{_REF}.utilizedTransportEquipments.activeReeferSettings.temperatureUnit", since="3.0.0")
def _temperature_unit(c: RuleContext) -> Hits:
    return _reefer_pair(c, "temperatureSetpoint", "temperatureUnit")


@rule("EBL-REEFER-AIR-EXCHANGE-UNIT", E, "airExchangeSetpoint and airExchangeUnit go together",
      reference=f"{_REF}.utilizedTransportEquipments.activeReeferSettings.airExchangeUnit", since="3.0.0")
def _air_exchange_unit(c: RuleContext) -> Hits:
    return _reefer_pair(c, "airExchangeSetpoint", "airExchangeUnit")


# --------------------------------------------------------------------------- dates

def _issued(c: RuleContext) -> bool:
    status = c.doc.get("transportDocumentStatus")
    return isinstance(status, str) and status in C.ISSUED_STATUSES


@rule("EBL-DATES-BOTH", E, "shippedOnBoardDate and receivedForShipmentDate exclude each other",
      reference=f"{_REF}.shippedOnBoardDate / receivedForShipmentDate", since="3.0.0")
def _dates_both(c: RuleContext) -> Hits:
    if c.doc.get("shippedOnBoardDate") is not None and c.doc.get("receivedForShipmentDate") is not None:
        return [("/receivedForShipmentDate",
                 "both shippedOnBoardDate and receivedForShipmentDate are given; at most one is allowed")]
    return NO_HITS


def _date_for_type(c: RuleContext, sob_type: bool, own: str, other: str, kind: str) -> Hits:
    # A draft may not have its date yet, so a missing date counts only once issued. When
    # both dates are given, EBL-DATES-BOTH says so, once.
    if c.doc.get("isShippedOnBoardType") is not sob_type:
        return NO_HITS
    has_own, has_other = c.doc.get(own) is not None, c.doc.get(other) is not None
    if has_other and not has_own:
        return [(f"/{other}", f"a {kind} document (isShippedOnBoardType={str(sob_type).lower()}) gives {other} "
                              f"instead of {own}")]
    if not has_own and not has_other and _issued(c):
        return [("", f"{own} is missing on a {kind} document in status "
                     f"{_show(c.doc.get('transportDocumentStatus'))}")]
    return NO_HITS


@rule("EBL-SHIPPED-ON-BOARD-DATE", E,
      "A shipped-on-board document has shippedOnBoardDate (once issued), never receivedForShipmentDate alone",
      reference=f"{_REF}.isShippedOnBoardType / shippedOnBoardDate", since="3.0.0")
def _shipped_on_board_date(c: RuleContext) -> Hits:
    return _date_for_type(c, True, "shippedOnBoardDate", "receivedForShipmentDate", "shipped-on-board")


@rule("EBL-RECEIVED-FOR-SHIPMENT-DATE", E,
      "A received-for-shipment document has receivedForShipmentDate (once issued), never shippedOnBoardDate alone",
      reference=f"{_REF}.isShippedOnBoardType / receivedForShipmentDate", since="3.0.0")
def _received_for_shipment_date(c: RuleContext) -> Hits:
    return _date_for_type(c, False, "receivedForShipmentDate", "shippedOnBoardDate", "received-for-shipment")


@rule("EBL-ISSUE-DATE-MISSING", W, "An issued document should have an issueDate", reference=f"{_REF}.issueDate",
      since="3.0.0")
def _issue_date(c: RuleContext) -> Hits:
    # Warning: the description requires it once issued, but the official dgExample of
    # 3.0.0 and 3.0.4 (status ISSUED) omits it.
    if _issued(c) and c.doc.get("issueDate") is None:
        return [("", f"issueDate is missing although the status is {_show(c.doc.get('transportDocumentStatus'))}")]
    return NO_HITS


# --------------------------------------------------------------------------- transports

def _carriage_place(c: RuleContext, mode_key: str, place_key: str) -> Hits:
    transports = _obj(c.doc.get("transports"))
    mode = transports.get(mode_key)
    if mode is not None and transports.get(place_key) is None:
        return [(f"/transports/{mode_key}", f"{mode_key} is {_show(mode)} but transports.{place_key} is missing")]
    return NO_HITS


@rule("EBL-PRE-CARRIAGE-PLACE", E, "preCarriageBy needs a placeOfReceipt",
      reference=f"{_REF}.transports.preCarriageBy", since="3.0.0")
def _pre_carriage(c: RuleContext) -> Hits:
    return _carriage_place(c, "preCarriageBy", "placeOfReceipt")


@rule("EBL-ON-CARRIAGE-PLACE", E, "onCarriageBy needs a placeOfDelivery",
      reference=f"{_REF}.transports.onCarriageBy", since="3.0.0")
def _on_carriage(c: RuleContext) -> Hits:
    return _carriage_place(c, "onCarriageBy", "placeOfDelivery")


# --------------------------------------------------------------------------- equipment and cargo

@rule("EBL-EQUIPMENT-UNKNOWN", E, "Every cargo item refers to a declared utilized transport equipment",
      reference=f"{_REF}.consignmentItems.cargoItems.equipmentReference", since="3.0.0")
def _equipment_unknown(c: RuleContext) -> Hits:
    known = {ref for _ptr, _ute, ref, _iso, _kind in c.utes if isinstance(ref, str)}
    hits: list[Hit] = []
    for ptr, item in c.cargo_items:
        ref = item.get("equipmentReference")
        if isinstance(ref, str) and ref not in known:
            hits.append((f"{ptr}/equipmentReference",
                         f"equipmentReference {_show(ref)} is not among utilizedTransportEquipments"))
    return hits


@rule("EBL-EQUIPMENT-DUPLICATE", E, "Utilized transport equipment references are unique",
      reference=f"{_REF}.utilizedTransportEquipments.equipment.equipmentReference", since="3.0.0")
def _equipment_duplicate(c: RuleContext) -> Hits:
    if len(c.utes) < 2:
        return NO_HITS
    hits: list[Hit] = []
    seen: set[str] = set()
    for ptr, _ute, ref, _iso, _kind in c.utes:
        if isinstance(ref, str):
            if ref in seen:
                hits.append((f"{ptr}/equipment/equipmentReference",
                             f"equipment {_show(ref)} is listed more than once in utilizedTransportEquipments"))
            seen.add(ref)
    return hits


@rule("EBL-CUSTOMS-REFERENCE-DUPLICATE", W,
      "A customsReferences list repeats a (type, countryCode): rejected by the DCSA Conformance Gateway",
      reference=f"{_GATEWAY}: unique customsReferences (type, countryCode)", since="3.0.0")
def _customs_duplicates(c: RuleContext) -> Hits:
    hits: list[Hit] = []
    _duplicate_type_country(hits, "/customsReferences", c.doc.get("customsReferences"), "customsReference")
    for ptr, obj in c.consignment_items:
        _duplicate_type_country(hits, f"{ptr}/customsReferences", obj.get("customsReferences"), "customsReference")
    for ptr, obj in c.cargo_items:
        _duplicate_type_country(hits, f"{ptr}/customsReferences", obj.get("customsReferences"), "customsReference")
    for ptr, ute, _ref, _iso, _kind in c.utes:
        _duplicate_type_country(hits, f"{ptr}/customsReferences", ute.get("customsReferences"), "customsReference")
    return hits


@rule("EBL-DG-PACKAGING-CODE", E, "Outer packaging of dangerous goods has a packageCode or an imoPackagingCode",
      reference=f"{_REF}.consignmentItems.cargoItems.outerPackaging.imoPackagingCode", since="3.0.0")
def _dg_packaging(c: RuleContext) -> Hits:
    hits: list[Hit] = []
    for ptr, item in c.cargo_items:
        packaging = _obj(item.get("outerPackaging"))
        if (_list(packaging.get("dangerousGoods")) and packaging.get("packageCode") is None
                and packaging.get("imoPackagingCode") is None):
            hits.append((f"{ptr}/outerPackaging",
                         "outer packaging of dangerous goods has neither packageCode nor imoPackagingCode"))
    return hits


@rule("EBL-REEFER-NOR-MISSING", E, "A reefer container states isNonOperatingReefer",
      reference=f"{_REF}.utilizedTransportEquipments.isNonOperatingReefer", since="3.0.0")
def _reefer_nor_missing(c: RuleContext) -> Hits:
    return [(ptr, f"ISOEquipmentCode {_show(iso)} is a reefer, but isNonOperatingReefer is missing")
            for ptr, ute, _ref, iso, kind in c.utes if kind is True and ute.get("isNonOperatingReefer") is None]


@rule("EBL-REEFER-SETTINGS-NON-REEFER", E,
      "A non-reefer container has neither isNonOperatingReefer nor activeReeferSettings",
      reference=f"{_REF}.utilizedTransportEquipments.isNonOperatingReefer", since="3.0.0")
def _reefer_settings_non_reefer(c: RuleContext) -> Hits:
    return [(f"{ptr}/{key}", f"{key} is given for ISOEquipmentCode {_show(iso)}, which is not a reefer")
            for ptr, ute, _ref, iso, kind in c.utes if kind is False
            for key in ("isNonOperatingReefer", "activeReeferSettings") if ute.get(key) is not None]


@rule("EBL-REEFER-SETTINGS-MISSING", E, "An operating reefer (isNonOperatingReefer=false) has activeReeferSettings",
      reference=f"{_REF}.utilizedTransportEquipments.activeReeferSettings", since="3.0.0")
def _reefer_settings_missing(c: RuleContext) -> Hits:
    # Also when the ISO code is absent or undecided: the flag itself says "reefer".
    return [(ptr, "an operating reefer (isNonOperatingReefer=false) needs activeReeferSettings")
            for ptr, ute, _ref, _iso, kind in c.utes
            if kind is not False and ute.get("isNonOperatingReefer") is False
            and ute.get("activeReeferSettings") is None]


@rule("EBL-REEFER-SETTINGS-NOR", E, "A non-operating reefer (isNonOperatingReefer=true) has no activeReeferSettings",
      reference=f"{_REF}.utilizedTransportEquipments.activeReeferSettings", since="3.0.0")
def _reefer_settings_nor(c: RuleContext) -> Hits:
    return [(f"{ptr}/activeReeferSettings",
             "a non-operating reefer (isNonOperatingReefer=true) must not have activeReeferSettings")
            for ptr, ute, _ref, _iso, kind in c.utes
            if kind is not False and ute.get("isNonOperatingReefer") is True
            and ute.get("activeReeferSettings") is not None]


@rule("EBL-ISO6346-CHECK-DIGIT", W, "A container number in ISO 6346 shape should have a correct check digit",
      reference=f"{_REF}.utilizedTransportEquipments.equipment.equipmentReference (ISO 6346)", since="3.0.0")
def _iso6346(c: RuleContext) -> Hits:
    # Warning: the schema does not require ISO 6346 (SMDG Recommendation #2 allows other
    # references), so only references shaped like a container number are checked, and only
    # on the equipment itself (cargo items point at it; EBL-EQUIPMENT-UNKNOWN covers them).
    hits: list[Hit] = []
    for ptr, _ute, ref, _iso, _kind in c.utes:
        if isinstance(ref, str) and _CONTAINER_NUMBER.fullmatch(ref):
            expected = iso6346_check_digit(ref)
            if expected != int(ref[10]):
                hits.append((f"{ptr}/equipment/equipmentReference",
                             f"container number {_show(ref)} ends in {ref[10]}; ISO 6346 check digit is {expected}"))
    return hits


# --------------------------------------------------------------------------- code lists

@rule("EBL-CODE-LIST-PROVIDER-UNKNOWN", W, "identifyingCodes[].codeListProvider is listed by the version",
      reference=f"{_REF}.documentParties.*.identifyingCodes.codeListProvider", since="3.0.0")
def _code_list_provider(c: RuleContext) -> Hits:
    known = C.CODE_LIST_PROVIDERS[c.version]
    hits: list[Hit] = []
    for ptr, _role, party in c.parties:
        codes = party.get("identifyingCodes")
        if not isinstance(codes, list):
            continue
        for i, code in enumerate(codes):
            provider = _obj(code).get("codeListProvider")
            if isinstance(provider, str) and provider not in known:
                hits.append((f"{ptr}/identifyingCodes/{i}/codeListProvider",
                             f"codeListProvider {_show(provider)} is not listed by DCSA eBL {c.version}"))
    return hits


_PLATFORM_ROLES = frozenset({"shipper", "consignee", "endorsee"})


@rule("EBL-PLATFORM-UNKNOWN", W, "eblPlatform is an eBL solution provider listed by the version",
      reference=f"{_REF}.documentParties.*.eblPlatform", since="3.0.3")
def _platform(c: RuleContext) -> Hits:
    known = C.EBL_PLATFORMS[c.version]
    return [(f"{ptr}/eblPlatform", f"eblPlatform {_show(platform)} is not listed by DCSA eBL {c.version}")
            for ptr, role, party in c.parties
            if role in _PLATFORM_ROLES and isinstance(platform := party.get("eblPlatform"), str)
            and platform not in known]


class _CodeCheck:
    """Collects unknown codes for one document; a pointer is built only for a hit."""

    __slots__ = ("codes", "hits", "version")

    def __init__(self, c: RuleContext) -> None:
        self.codes = c.codes
        self.version = c.version
        self.hits: list[Hit] = []

    def __call__(self, value: Any, list_name: str, field: str, base: str, leaf: str = "") -> None:
        if isinstance(value, str) and (known := self.codes.get(list_name)) is not None and value not in known:
            self.hits.append((f"{base}{leaf}", f"{field} {_show(value)} is not a code of DCSA eBL {self.version}"))

    def types(self, items: Any, list_name: str, field: str, base: str, leaf: str) -> None:
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    self(item.get("type"), list_name, field, base, f"{leaf}/{i}/type")


@rule("EBL-CODE-UNKNOWN", W, "A field whose description lists its codes uses one of them",
      reference=f"{_REF} (code lists in the field descriptions)", since="3.0.0")
def _code_unknown(c: RuleContext) -> Hits:
    check = _CodeCheck(c)
    doc = c.doc
    check(doc.get("transportDocumentStatus"), C.STATUS, "transportDocumentStatus", "/transportDocumentStatus")
    for key in ("cargoMovementTypeAtOrigin", "cargoMovementTypeAtDestination"):
        check(doc.get(key), C.CARGO_MOVEMENT, key, "/", key)
    transports = _obj(doc.get("transports"))
    for key in ("preCarriageBy", "onCarriageBy"):
        check(transports.get(key), C.MODE_OF_TRANSPORT, key, "/transports/", key)
    for i, voyage in enumerate(_list(transports.get("vesselVoyages"))):
        if isinstance(voyage, dict) and "role" in voyage:
            check(voyage["role"], C.VESSEL_VOYAGE_ROLE, "vesselVoyages.role", f"/transports/vesselVoyages/{i}", "/role")
    for ptr, _role, party in c.parties:
        if "typeOfPerson" in party:
            check(party["typeOfPerson"], C.TYPE_OF_PERSON, "typeOfPerson", ptr, "/typeOfPerson")
    for ptr, entry in c.other_parties:
        check(entry.get("partyFunction"), C.PARTY_FUNCTION, "partyFunction", ptr, "/partyFunction")
    check.types(doc.get("references"), C.REFERENCE_TYPE, "references.type", "", "/references")
    for ptr, ute, _ref, _iso, _kind in c.utes:
        check.types(ute.get("references"), C.REFERENCE_TYPE, "references.type", ptr, "/references")
    for ptr, ci in c.consignment_items:
        check.types(ci.get("references"), C.CONSIGNMENT_ITEM_REFERENCE_TYPE, "references.type", ptr, "/references")
    for group in (c.consignment_items, c.cargo_items):
        for ptr, obj in group:
            for key in ("nationalCommodityCodes", "extendedNationalCommodityCodes"):
                if key in obj:
                    check.types(obj[key], C.NATIONAL_COMMODITY_CODE_TYPE, f"{key}.type", ptr, f"/{key}")
    for ptr, item in c.cargo_items:
        packaging = item.get("outerPackaging")
        if not isinstance(packaging, dict):
            continue
        check(packaging.get("woodDeclaration"), C.WOOD_DECLARATION, "woodDeclaration", ptr,
              "/outerPackaging/woodDeclaration")
        for i, dg in enumerate(_list(packaging.get("dangerousGoods"))):
            if not isinstance(dg, dict):
                continue
            dg_ptr = f"{ptr}/outerPackaging/dangerousGoods/{i}"
            check(dg.get("inhalationZone"), C.INHALATION_ZONE, "inhalationZone", dg_ptr, "/inhalationZone")
            for j, group_code in enumerate(_list(dg.get("segregationGroups"))):
                check(group_code, C.SEGREGATION_GROUP, "segregationGroups", dg_ptr, f"/segregationGroups/{j}")
    for i, feedback in enumerate(_list(doc.get("feedbacks"))):
        if isinstance(feedback, dict):
            check(feedback.get("severity"), C.FEEDBACK_SEVERITY, "feedbacks.severity", f"/feedbacks/{i}", "/severity")
            check(feedback.get("code"), C.FEEDBACK_CODE, "feedbacks.code", f"/feedbacks/{i}", "/code")
    return check.hits


# --------------------------------------------------------------------------- driver

#: Every rule, in the order it runs (grouped by topic; errors and warnings mixed).
RULES: tuple[Rule[RuleContext], ...] = RULE_SET.rules
_ROOT = JsonLocator()


def run_rules(doc: object, version: str) -> Iterator[Finding]:
    """The business-rule findings for ``doc`` (a parsed TransportDocument) under ``version``.

    ``doc`` may have any shape: rules never assume a type, and a rule that
    raises anyway gives an ``ETR-RULE-ERROR`` warning instead of its findings.
    Only the rules of ``version`` run. Findings come rule by rule, in the order
    of :data:`RULES`; pointers are relative to ``doc``.

    Raises:
        ValueError: ``version`` is not one of :data:`etr.families.ebl.codes.VERSIONS`
            (raised by the call itself, before iteration).
    """
    return RULE_SET.run(version, lambda: RuleContext(doc, version), _ROOT)
