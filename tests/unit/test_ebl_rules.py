"""Business rules of the DCSA eBL 3.0 TransportDocument (``etr.families.ebl.rules``).

Cases are built by mutating a deep copy of one of our valid samples (``samples/ebl/valid``)
and assert codes, never prose. Official DCSA examples are read from ``ETR_SHARED_DATA``
(default ``<repo>/../shared/data``) and skipped when absent.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED_DATA, need_shared

from etr.families.ebl import rules
from etr.families.ebl.codes import VERSIONS
from etr.families.ebl.rules import RULES, RuleContext, iso6346_check_digit, run_rules
from etr.model import Severity

REPO = Path(__file__).parents[2]
SAMPLES = REPO / "samples" / "ebl"
SCHEMA_PATH = REPO / "schemas" / "dcsa-ebl" / "transport-document.schema.json"
DCSA_EXAMPLES = SHARED_DATA / "dcsa" / "dcsa-openapi-examples"
PINT_DEMO = SHARED_DATA / "dcsa" / "pint-demo" / "pint-transfers"

CODES = {r.code for r in RULES}
LATEST = VERSIONS[-1]

STRAIGHT, TO_ORDER, REEFER = "straight-bl", "to-order-blank-endorsed-bl", "reefer-dangerous-goods-bl"

# Invalid samples that cannot stay schema-valid: the eBL limit is also the schema's maxItems.
SCHEMA_INVALID_SAMPLES = {"EBL-DISPLAYED-ADDRESS-LINES"}


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


_VALID_CACHE: dict[str, Any] = {}


def valid(name: str) -> Any:
    """A fresh deep copy of a valid sample."""
    if name not in _VALID_CACHE:
        _VALID_CACHE[name] = _read(SAMPLES / "valid" / f"{name}.json")
    return copy.deepcopy(_VALID_CACHE[name])


def codes_of(doc: Any, version: str = LATEST) -> set[str]:
    return {f.code for f in run_rules(doc, version)}


# --------------------------------------------------------------------------- small mutations

Mutation = Callable[[Any], None]


def parties(d: Any) -> Any:
    return d["documentParties"]


def ute(d: Any, i: int = 0) -> Any:
    return d["utilizedTransportEquipments"][i]


def settings(d: Any) -> Any:
    return ute(d, 0)["activeReeferSettings"]


def cargo(d: Any, ci: int = 0, i: int = 0) -> Any:
    return d["consignmentItems"][ci]["cargoItems"][i]


def pop(getter: Callable[[Any], Any], *keys: str) -> Mutation:
    def mutate(d: Any) -> None:
        target = getter(d)
        for key in keys:
            del target[key]
    return mutate


def put(getter: Callable[[Any], Any], **values: Any) -> Mutation:
    return lambda d: getter(d).update(copy.deepcopy(values))


def chain(*mutations: Mutation) -> Mutation:
    def mutate(d: Any) -> None:
        for m in mutations:
            m(d)
    return mutate


def root(d: Any) -> Any:
    return d


def identity(d: Any) -> None:
    return None


ENDORSEE = {"partyName": "First Lakes Commercial Bank",
            "identifyingCodes": [{"codeListProvider": "DNB", "codeListName": "DUNS", "partyCode": "120447731"}]}
CONSIGNEE = {"partyName": "Rheinland Moebelhandel GmbH",
             "identifyingCodes": [{"codeListProvider": "DNB", "codeListName": "DUNS", "partyCode": "315774210"}]}
ADDRESS = {"street": "Am Sandtorkai", "streetNumber": "41", "postCode": "20457", "city": "Hamburg", "countryCode": "DE"}


def set_equipment_reference(ref: str) -> Mutation:
    def mutate(d: Any) -> None:
        ute(d, 0)["equipment"]["equipmentReference"] = ref
        cargo(d)["equipmentReference"] = ref
    return mutate


def wrong_check_digit(d: Any) -> None:
    ref = ute(d, 0)["equipment"]["equipmentReference"]
    set_equipment_reference(ref[:10] + str((int(ref[10]) + 1) % 10))(d)


def add_customs_reference(getter: Callable[[Any], Any], ref: dict[str, Any]) -> Mutation:
    return lambda d: getter(d).setdefault("customsReferences", []).append(copy.deepcopy(ref))


def add_other(function: str) -> Mutation:
    return lambda d: parties(d)["other"].append(
        {"partyFunction": function, "party": {"partyName": "Hanseatic Cargo Agents GmbH", "address": ADDRESS}})


def notify_only(**fields: Any) -> Mutation:
    """Replace the second notify party by one that has only ``fields`` besides its name."""
    return lambda d: parties(d)["notifyParties"].__setitem__(1, {"partyName": "Elbkai Zollservice GmbH", **fields})


def append_shipper_code(provider: str) -> Mutation:
    return lambda d: parties(d)["shipper"]["identifyingCodes"].append({"codeListProvider": provider, "partyCode": "X1"})


@dataclass(frozen=True)
class Case:
    code: str
    base: str
    mutate: Mutation
    version: str = LATEST
    why: str = ""
    #: Whether the breach is the same in every version (then it must show at the rule's version edges).
    edges: bool = True

    @property
    def id(self) -> str:
        return f"{self.code}:{self.why or 'base'}@{self.version}"


# Each failing case must raise its code; each passing case (a near miss) must not.
FAILING = [
    Case("EBL-SWB-TO-ORDER", TO_ORDER, chain(put(root, transportDocumentTypeCode="SWB"),
                                             pop(root, "numberOfOriginalsWithoutCharges")), why="swb to order"),
    Case("EBL-STRAIGHT-CONSIGNEE-MISSING", STRAIGHT, pop(parties, "consignee"), why="no consignee"),
    Case("EBL-STRAIGHT-ENDORSEE", STRAIGHT, put(parties, endorsee=ENDORSEE), why="endorsee"),
    Case("EBL-TO-ORDER-CONSIGNEE", TO_ORDER, put(parties, consignee=CONSIGNEE), why="consignee"),
    Case("EBL-CONSIGNEE-ENDORSEE", TO_ORDER, put(parties, consignee=CONSIGNEE, endorsee=ENDORSEE), why="both"),
    Case("EBL-NOTIFY-PARTY-TO-ORDER", TO_ORDER, pop(parties, "notifyParties"), why="no notify"),
    Case("EBL-NOTIFY-PARTY-TO-ORDER", TO_ORDER,
         chain(pop(parties, "notifyParties"), put(parties, endorsee={**ENDORSEE, "isNotifyParty": True})),
         version="3.0.3", why="isNotifyParty before 3.0.4", edges=False),
    Case("EBL-PARTY-ADDRESS-OR-CODE", TO_ORDER, pop(lambda d: parties(d)["notifyParties"][1], "address"),
         why="no address"),
    Case("EBL-PARTY-ADDRESS-OR-CODE", TO_ORDER, notify_only(addressLines=["Koreastrasse 7", "20457 Hamburg"]),
         version="3.0.2", why="addressLines before 3.0.3", edges=False),
    Case("EBL-DISPLAYED-ADDRESS-LINES", STRAIGHT,
         put(lambda d: parties(d)["shipper"], displayedAddress=[f"line {i}" for i in range(7)]), why="7 lines"),
    Case("EBL-DISPLAYED-ADDRESS-LINES-PAPER", REEFER,
         put(lambda d: parties(d)["consignee"], displayedAddress=["a", "b", "c"]), why="3 lines"),
    Case("EBL-TAX-LEGAL-REFERENCE-DUPLICATE", STRAIGHT,
         lambda d: parties(d)["shipper"]["taxLegalReferences"].append(
             {"type": "EORI", "countryCode": "DK", "value": "DK41827366"}), why="same type and country"),
    Case("EBL-PARTY-FUNCTION-DUPLICATE", TO_ORDER, add_other("DDR"), why="two DDR"),
    Case("EBL-ORIGINALS-SWB", STRAIGHT, put(root, transportDocumentTypeCode="SWB"), why="1 original"),
    Case("EBL-ORIGINALS-ELECTRONIC", STRAIGHT, put(root, numberOfOriginalsWithCharges=3), why="3 originals"),
    Case("EBL-ORIGINALS-ELECTRONIC", STRAIGHT, put(root, numberOfOriginalsWithCharges=0,
                                                   numberOfOriginalsWithoutCharges=2), why="2 without"),
    Case("EBL-ORIGINALS-ELECTRONIC-TOTAL", STRAIGHT, put(root, numberOfOriginalsWithoutCharges=1), why="sum 2"),
    Case("EBL-COPIES-ELECTRONIC", STRAIGHT, put(root, numberOfCopiesWithCharges=2), why="2 copies"),
    Case("EBL-DECLARED-VALUE-CURRENCY", TO_ORDER, pop(root, "declaredValueCurrency"), why="no currency"),
    Case("EBL-DECLARED-VALUE-CURRENCY", TO_ORDER, pop(root, "declaredValue"), why="no value"),
    Case("EBL-REEFER-TEMPERATURE-UNIT", REEFER, pop(settings, "temperatureUnit"), why="no unit"),
    Case("EBL-REEFER-TEMPERATURE-UNIT", REEFER, pop(settings, "temperatureSetpoint"), why="no setpoint"),
    Case("EBL-REEFER-AIR-EXCHANGE-UNIT", REEFER, pop(settings, "airExchangeUnit"), why="no unit"),
    Case("EBL-REEFER-AIR-EXCHANGE-UNIT", REEFER, pop(settings, "airExchangeSetpoint"), why="no setpoint"),
    Case("EBL-DATES-BOTH", STRAIGHT, put(root, receivedForShipmentDate="2024-11-06"), why="both"),
    Case("EBL-SHIPPED-ON-BOARD-DATE", STRAIGHT, pop(root, "shippedOnBoardDate"), why="issued without date"),
    Case("EBL-SHIPPED-ON-BOARD-DATE", STRAIGHT,
         chain(pop(root, "shippedOnBoardDate"), put(root, receivedForShipmentDate="2024-11-06",
                                                    transportDocumentStatus="DRAFT")), why="wrong date in draft"),
    Case("EBL-RECEIVED-FOR-SHIPMENT-DATE", TO_ORDER,
         chain(pop(root, "receivedForShipmentDate"), put(root, shippedOnBoardDate="2024-10-05")), why="wrong date"),
    Case("EBL-RECEIVED-FOR-SHIPMENT-DATE", TO_ORDER, pop(root, "receivedForShipmentDate"), why="issued without"),
    Case("EBL-ISSUE-DATE-MISSING", STRAIGHT, pop(root, "issueDate"), why="issued"),
    Case("EBL-ISSUE-DATE-MISSING", STRAIGHT,
         chain(pop(root, "issueDate"), put(root, transportDocumentStatus="SURRENDERED_FOR_DELIVERY")),
         why="surrendered"),
    Case("EBL-PRE-CARRIAGE-PLACE", TO_ORDER, pop(lambda d: d["transports"], "placeOfReceipt"), why="no place"),
    Case("EBL-ON-CARRIAGE-PLACE", TO_ORDER, pop(lambda d: d["transports"], "placeOfDelivery"), why="no place"),
    Case("EBL-EQUIPMENT-UNKNOWN", STRAIGHT, put(lambda d: cargo(d, 0, 1), equipmentReference="BLNU7730476"),
         why="undeclared container"),
    Case("EBL-EQUIPMENT-DUPLICATE", STRAIGHT,
         lambda d: d["utilizedTransportEquipments"].append(copy.deepcopy(ute(d, 0))), why="listed twice"),
    Case("EBL-CUSTOMS-REFERENCE-DUPLICATE", TO_ORDER,
         add_customs_reference(root, {"type": "ECD", "countryCode": "VN", "values": ["305718842461"]}),
         why="document level"),
    Case("EBL-CUSTOMS-REFERENCE-DUPLICATE", STRAIGHT,
         chain(add_customs_reference(cargo, {"type": "ITN", "countryCode": "US", "values": ["X20241108000001"]}),
               add_customs_reference(cargo, {"type": "ITN", "countryCode": "US", "values": ["X20241108000002"]})),
         why="cargo item level"),
    Case("EBL-DG-PACKAGING-CODE", REEFER, pop(lambda d: cargo(d, 1)["outerPackaging"], "imoPackagingCode"),
         why="no code"),
    Case("EBL-REEFER-NOR-MISSING", REEFER, pop(lambda d: ute(d, 0), "isNonOperatingReefer"), why="45R1"),
    Case("EBL-REEFER-NOR-MISSING", REEFER,
         chain(pop(lambda d: ute(d, 0), "isNonOperatingReefer"),
               put(lambda d: ute(d, 0)["equipment"], ISOEquipmentCode="22RE")), why="group code RE"),
    Case("EBL-REEFER-SETTINGS-NON-REEFER", REEFER, put(lambda d: ute(d, 1), isNonOperatingReefer=False),
         why="flag on dry"),
    Case("EBL-REEFER-SETTINGS-NON-REEFER", REEFER,
         put(lambda d: ute(d, 1), activeReeferSettings={"temperatureSetpoint": 5, "temperatureUnit": "CEL"}),
         why="settings on dry"),
    Case("EBL-REEFER-SETTINGS-MISSING", REEFER, pop(lambda d: ute(d, 0), "activeReeferSettings"), why="operating"),
    Case("EBL-REEFER-SETTINGS-NOR", REEFER, put(lambda d: ute(d, 0), isNonOperatingReefer=True), why="nor"),
    Case("EBL-ISO6346-CHECK-DIGIT", STRAIGHT, wrong_check_digit, why="digit + 1"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("EORI"), why="EORI"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("CRED"), version="3.0.0",
         why="CRED before 3.0.1", edges=False),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("BLOC"), version="3.0.1",
         why="BLOC before 3.0.2", edges=False),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("DOCU"), version="3.0.2",
         why="DOCU before 3.0.3", edges=False),
    Case("EBL-PLATFORM-UNKNOWN", STRAIGHT, put(lambda d: parties(d)["consignee"], eblPlatform="TRDX"), why="TRDX"),
    Case("EBL-CODE-UNKNOWN", TO_ORDER, put(lambda d: d["transports"], preCarriageBy="ROAD"), why="ROAD"),
    Case("EBL-CODE-UNKNOWN", TO_ORDER, put(lambda d: parties(d)["other"][0], partyFunction="CS"),
         why="CS after 3.0.0", edges=False),
    Case("EBL-CODE-UNKNOWN", TO_ORDER, put(lambda d: parties(d)["other"][0], partyFunction="CS"),
         version="3.0.1", why="CS from 3.0.1", edges=False),
    Case("EBL-CODE-UNKNOWN", STRAIGHT, put(lambda d: d["transports"]["vesselVoyages"][0], role="FEEDER"),
         why="vessel role", edges=False),
    Case("EBL-CODE-UNKNOWN", STRAIGHT, put(lambda d: d["transports"]["vesselVoyages"][0], role="FEEDER"),
         version="3.0.3", why="vessel role from 3.0.3", edges=False),
    Case("EBL-CODE-UNKNOWN", REEFER, put(lambda d: cargo(d, 1)["outerPackaging"]["dangerousGoods"][0],
                                         segregationGroups=["19"]), why="segregation group"),
    Case("EBL-CODE-UNKNOWN", STRAIGHT,
         put(root, feedbacks=[{"severity": "WARNING", "code": "INFORMATIONAL_MESSAGE", "message": "m"}]),
         why="feedback severity", edges=False),
    Case("EBL-CODE-UNKNOWN", STRAIGHT,
         put(root, feedbacks=[{"severity": "WARNING", "code": "INFORMATIONAL_MESSAGE", "message": "m"}]),
         version="3.0.2", why="feedbacks from 3.0.2", edges=False),
]

PASSING = [
    Case("EBL-SWB-TO-ORDER", STRAIGHT, chain(put(root, transportDocumentTypeCode="SWB"),
                                             pop(root, "numberOfOriginalsWithCharges")), why="straight swb"),
    Case("EBL-STRAIGHT-CONSIGNEE-MISSING", TO_ORDER, identity, why="to order without consignee"),
    Case("EBL-STRAIGHT-ENDORSEE", TO_ORDER, put(parties, endorsee=ENDORSEE), why="endorsed to order"),
    Case("EBL-TO-ORDER-CONSIGNEE", STRAIGHT, identity, why="straight with consignee"),
    Case("EBL-TO-ORDER-CONSIGNEE", TO_ORDER, put(parties, consignee=CONSIGNEE, endorsee=ENDORSEE),
         why="with an endorsee: the exclusion error's"),
    Case("EBL-CONSIGNEE-ENDORSEE", TO_ORDER, put(parties, endorsee=ENDORSEE), why="endorsee only"),
    Case("EBL-CONSIGNEE-ENDORSEE", TO_ORDER, put(parties, consignee=CONSIGNEE), why="consignee only"),
    Case("EBL-CONSIGNEE-ENDORSEE", STRAIGHT, put(parties, endorsee=ENDORSEE), why="straight: the endorsee error's"),
    Case("EBL-NOTIFY-PARTY-TO-ORDER", TO_ORDER,
         chain(pop(parties, "notifyParties"), put(parties, endorsee={**ENDORSEE, "isNotifyParty": True})),
         why="isNotifyParty in 3.0.4"),
    Case("EBL-NOTIFY-PARTY-TO-ORDER", STRAIGHT, identity, why="straight without notify"),
    Case("EBL-PARTY-ADDRESS-OR-CODE", TO_ORDER, notify_only(addressLines=["Koreastrasse 7", "20457 Hamburg"]),
         version="3.0.3", why="addressLines from 3.0.3"),
    Case("EBL-PARTY-ADDRESS-OR-CODE", TO_ORDER, notify_only(displayedAddress=["Koreastrasse 7"]),
         why="displayedAddress"),
    Case("EBL-PARTY-ADDRESS-OR-CODE", TO_ORDER,
         notify_only(identifyingCodes=[{"codeListProvider": "DNB", "partyCode": "315774211"}]), why="code only"),
    Case("EBL-DISPLAYED-ADDRESS-LINES", STRAIGHT,
         put(lambda d: parties(d)["shipper"], displayedAddress=[f"line {i}" for i in range(6)]), why="6 lines"),
    Case("EBL-DISPLAYED-ADDRESS-LINES-PAPER", REEFER,
         put(lambda d: parties(d)["consignee"], displayedAddress=["a", "b"]), why="2 lines"),
    Case("EBL-DISPLAYED-ADDRESS-LINES-PAPER", STRAIGHT, identity, why="3 lines on an eBL"),
    Case("EBL-TAX-LEGAL-REFERENCE-DUPLICATE", STRAIGHT,
         lambda d: parties(d)["shipper"]["taxLegalReferences"].append(
             {"type": "EORI", "countryCode": "SE", "value": "SE5567123456"}), why="other country"),
    Case("EBL-PARTY-FUNCTION-DUPLICATE", TO_ORDER, add_other("DDS"), why="two functions"),
    Case("EBL-ORIGINALS-SWB", STRAIGHT, put(root, transportDocumentTypeCode="SWB", numberOfOriginalsWithCharges=0),
         why="0 tolerated"),
    Case("EBL-ORIGINALS-ELECTRONIC", REEFER, identity, why="paper with 3"),
    Case("EBL-ORIGINALS-ELECTRONIC", STRAIGHT,
         put(root, numberOfOriginalsWithCharges=0, numberOfOriginalsWithoutCharges=1), why="0 + 1"),
    Case("EBL-ORIGINALS-ELECTRONIC", STRAIGHT, put(root, numberOfOriginalsWithoutCharges=1), why="1 + 1"),
    Case("EBL-ORIGINALS-ELECTRONIC-TOTAL", STRAIGHT,
         put(root, numberOfOriginalsWithCharges=0, numberOfOriginalsWithoutCharges=1), why="0 + 1"),
    Case("EBL-ORIGINALS-ELECTRONIC-TOTAL", STRAIGHT, put(root, numberOfOriginalsWithoutCharges=1), version="3.0.1",
         why="1 + 1 before 3.0.2"),
    Case("EBL-ORIGINALS-ELECTRONIC-TOTAL", STRAIGHT, put(root, numberOfOriginalsWithoutCharges=3),
         why="1 + 3: the per-count rule's"),
    Case("EBL-ORIGINALS-ELECTRONIC-TOTAL", REEFER, identity, why="paper"),
    Case("EBL-COPIES-ELECTRONIC", STRAIGHT, put(root, numberOfCopiesWithCharges=0), why="0 copies"),
    Case("EBL-COPIES-ELECTRONIC", REEFER, identity, why="paper with copies"),
    Case("EBL-DECLARED-VALUE-CURRENCY", TO_ORDER, pop(root, "declaredValue", "declaredValueCurrency"), why="none"),
    Case("EBL-REEFER-TEMPERATURE-UNIT", REEFER, pop(settings, "temperatureSetpoint", "temperatureUnit"), why="none"),
    Case("EBL-REEFER-AIR-EXCHANGE-UNIT", REEFER, pop(settings, "airExchangeSetpoint", "airExchangeUnit"),
         why="none"),
    Case("EBL-DATES-BOTH", TO_ORDER, identity, why="one date"),
    Case("EBL-SHIPPED-ON-BOARD-DATE", STRAIGHT,
         chain(pop(root, "shippedOnBoardDate", "issueDate"), put(root, transportDocumentStatus="DRAFT")),
         why="draft without date"),
    Case("EBL-RECEIVED-FOR-SHIPMENT-DATE", TO_ORDER,
         chain(pop(root, "receivedForShipmentDate", "issueDate"), put(root, transportDocumentStatus="APPROVED")),
         why="approved without date"),
    Case("EBL-ISSUE-DATE-MISSING", STRAIGHT,
         chain(pop(root, "issueDate"), put(root, transportDocumentStatus="APPROVED")), why="approved"),
    Case("EBL-ISSUE-DATE-MISSING", STRAIGHT,
         chain(pop(root, "issueDate"), put(root, transportDocumentStatus="VOIDED")), why="voided"),
    Case("EBL-PRE-CARRIAGE-PLACE", TO_ORDER, pop(lambda d: d["transports"], "preCarriageBy", "placeOfReceipt"),
         why="port to port"),
    Case("EBL-ON-CARRIAGE-PLACE", TO_ORDER, pop(lambda d: d["transports"], "onCarriageBy", "placeOfDelivery"),
         why="port to port"),
    Case("EBL-EQUIPMENT-UNKNOWN", STRAIGHT, lambda d: d["utilizedTransportEquipments"].append(
        {"equipment": {"equipmentReference": "BLNU9000012"}, "isShipperOwned": False, "seals": [{"number": "S1"}]}),
         why="unused container"),
    Case("EBL-EQUIPMENT-DUPLICATE", STRAIGHT,
         put(lambda d: cargo(d, 0, 1), equipmentReference="BLNU5182049"), why="two cargo items, one box"),
    Case("EBL-CUSTOMS-REFERENCE-DUPLICATE", TO_ORDER,
         add_customs_reference(lambda d: d["consignmentItems"][0],
                               {"type": "ECD", "countryCode": "VN", "values": ["305718842460"]}),
         why="same reference in another list"),
    Case("EBL-DG-PACKAGING-CODE", REEFER,
         chain(pop(lambda d: cargo(d, 1)["outerPackaging"], "imoPackagingCode"),
               put(lambda d: cargo(d, 1)["outerPackaging"], packageCode="1A")), why="packageCode"),
    Case("EBL-REEFER-NOR-MISSING", REEFER,
         chain(pop(lambda d: ute(d, 0), "isNonOperatingReefer"), pop(lambda d: ute(d, 0)["equipment"],
                                                                     "ISOEquipmentCode")),
         why="no ISO code"),
    Case("EBL-REEFER-SETTINGS-NON-REEFER", REEFER, put(lambda d: ute(d, 0)["equipment"], ISOEquipmentCode="22H0"),
         why="thermal group H undecided"),
    Case("EBL-REEFER-SETTINGS-NON-REEFER", REEFER, pop(lambda d: ute(d, 0)["equipment"], "ISOEquipmentCode"),
         why="no ISO code"),
    Case("EBL-REEFER-SETTINGS-MISSING", REEFER,
         chain(pop(lambda d: ute(d, 0), "activeReeferSettings"), put(lambda d: ute(d, 0), isNonOperatingReefer=True)),
         why="non-operating"),
    Case("EBL-REEFER-SETTINGS-NOR", REEFER, identity, why="operating with settings"),
    Case("EBL-ISO6346-CHECK-DIGIT", STRAIGHT, set_equipment_reference("BLNTRL00042"), why="not ISO shaped"),
    Case("EBL-ISO6346-CHECK-DIGIT", STRAIGHT, set_equipment_reference("CSQU3054383"), why="known good"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("CRED"), version="3.0.1",
         why="CRED from 3.0.1"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("COVA"), version="3.0.1",
         why="COVA from 3.0.1"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("BLOC"), version="3.0.2",
         why="BLOC from 3.0.2"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("DOCU"), version="3.0.3",
         why="DOCU from 3.0.3"),
    Case("EBL-CODE-LIST-PROVIDER-UNKNOWN", STRAIGHT, append_shipper_code("SGTD"), version="3.0.4", why="SGTD"),
    Case("EBL-PLATFORM-UNKNOWN", STRAIGHT, put(lambda d: parties(d)["consignee"], eblPlatform="DOCU"), why="DOCU"),
    Case("EBL-PLATFORM-UNKNOWN", STRAIGHT, put(lambda d: parties(d)["consignee"], eblPlatform="DOCU"),
         version="3.0.3", why="DOCU from 3.0.3"),
    Case("EBL-PLATFORM-UNKNOWN", STRAIGHT, put(lambda d: parties(d)["consignee"], eblPlatform="TRDX"),
         version="3.0.2", why="no eblPlatform before 3.0.3"),
    Case("EBL-CODE-UNKNOWN", TO_ORDER, put(lambda d: parties(d)["other"][0], partyFunction="CS"), version="3.0.0",
         why="CS in 3.0.0"),
    Case("EBL-CODE-UNKNOWN", STRAIGHT, put(lambda d: d["transports"]["vesselVoyages"][0], role="FEEDER"),
         version="3.0.2", why="role not in 3.0.2"),
    Case("EBL-CODE-UNKNOWN", STRAIGHT,
         put(root, feedbacks=[{"severity": "WARN", "code": "PROPERTY_VALUE_MAY_CHANGE", "message": "m"}]),
         why="feedback"),
]


@pytest.mark.parametrize("case", FAILING, ids=lambda c: c.id)
def test_rule_fails(case: Case) -> None:
    doc = valid(case.base)
    case.mutate(doc)
    assert case.code in codes_of(doc, case.version)


@pytest.mark.parametrize("case", PASSING, ids=lambda c: c.id)
def test_rule_passes(case: Case) -> None:
    doc = valid(case.base)
    case.mutate(doc)
    assert case.code not in codes_of(doc, case.version)


RULE_BY_CODE = {r.code: r for r in RULES}


def _edges(code: str) -> tuple[list[str], list[str]]:
    """The first and last version a rule applies to, and the versions just outside them."""
    applies = RULE_BY_CODE[code].versions
    first, last = VERSIONS.index(applies[0]), VERSIONS.index(applies[-1])
    inside = sorted({applies[0], applies[-1]})
    outside = [VERSIONS[i] for i in (first - 1, last + 1) if 0 <= i < len(VERSIONS)]
    return inside, outside


@pytest.mark.parametrize("case", [c for c in FAILING if c.edges], ids=lambda c: c.id)
def test_rule_holds_exactly_at_its_version_edges(case: Case) -> None:
    """A breach that does not depend on the version shows at both ends of the rule's versions
    and not in the version just before (or after) them."""
    doc = valid(case.base)
    case.mutate(doc)
    inside, outside = _edges(case.code)
    for version in inside:
        assert case.code in codes_of(doc, version), version
    for version in outside:
        assert case.code not in codes_of(doc, version), version


def test_rule_versions_follow_the_reference() -> None:
    # reference/dcsa-ebl-pint.md §1.7 (corrected 2026-11-30): the originals sum rule is in the
    # 3.0.2 text; eblPlatform exists from 3.0.3; every other rule is in every 3.0.x text.
    versioned = {"EBL-ORIGINALS-ELECTRONIC-TOTAL": VERSIONS[2:], "EBL-PLATFORM-UNKNOWN": VERSIONS[3:]}
    for r in RULES:
        assert r.versions == versioned.get(r.code, VERSIONS), r.code


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    assert {c.code for c in FAILING} == CODES
    assert {c.code for c in PASSING} == CODES


def test_rule_table_is_well_formed() -> None:
    assert len(CODES) == len(RULES)
    for r in RULES:
        assert r.code.startswith("EBL-") and r.code == r.code.upper() and " " not in r.code
        assert r.severity in (Severity.ERROR, Severity.WARNING)
        assert r.summary and "\n" not in r.summary
        assert r.reference.startswith(("DCSA eBL 3.0 TransportDocument", "DCSA Conformance Gateway"))
        if "Conformance Gateway" in r.reference:  # a checker's rule, not the standard's: never an error
            assert r.severity is Severity.WARNING, r.code


# Rules the corrected reference (§1.7, 2026-11-30) names as the Conformance Gateway's alone.
GATEWAY_ONLY = {"EBL-TO-ORDER-CONSIGNEE", "EBL-CUSTOMS-REFERENCE-DUPLICATE", "EBL-TAX-LEGAL-REFERENCE-DUPLICATE",
                "EBL-PARTY-FUNCTION-DUPLICATE", "EBL-COPIES-ELECTRONIC"}


@pytest.mark.parametrize("code", sorted(GATEWAY_ONLY))
def test_gateway_rules_are_warnings_that_say_so(code: str) -> None:
    r = RULE_BY_CODE[code]
    assert r.severity is Severity.WARNING
    assert "Conformance Gateway" in r.reference
    case = next(c for c in FAILING if c.code == code)
    doc = valid(case.base)
    case.mutate(doc)
    messages = [f.message for f in run_rules(doc, case.version) if f.code == code]
    assert messages and all("Conformance Gateway" in m for m in messages)


# --------------------------------------------------------------------------- samples

def _sample_names(kind: str) -> list[str]:
    return sorted(p.stem for p in (SAMPLES / kind).glob("*.json"))


@pytest.mark.parametrize("name", _sample_names("valid"))
@pytest.mark.parametrize("version", VERSIONS)
def test_valid_samples_raise_nothing(name: str, version: str) -> None:
    findings = list(run_rules(valid(name), version))
    assert [(f.code, f.location) for f in findings] == []


def test_every_rule_has_an_invalid_sample() -> None:
    assert set(_sample_names("invalid")) == CODES


@pytest.mark.parametrize("code", _sample_names("invalid"))
@pytest.mark.parametrize("version", VERSIONS)
def test_invalid_sample_raises_exactly_its_code(code: str, version: str) -> None:
    """Its code in every version the rule belongs to, nothing in the others."""
    doc = _read(SAMPLES / "invalid" / f"{code}.json")
    expected = {code} if RULE_BY_CODE[code].applies_to(version) else set()
    assert codes_of(doc, version) == expected


def test_samples_readme_lists_every_invalid_sample() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`invalid/"):
            rows[cells[0].strip("`")] = cells[1:4]
    for code in _sample_names("invalid"):
        row = rows[f"invalid/{code}.json"]
        r = RULE_BY_CODE[code]
        since = "all" if r.versions == VERSIONS else f"{r.versions[0]}+"
        assert row == [code, r.severity.value, since], code


def test_samples_are_schema_valid() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA_PATH.exists():
        pytest.skip(f"schema not found at {SCHEMA_PATH}")
    validator_cls = jsonschema.Draft202012Validator
    validator = validator_cls(_read(SCHEMA_PATH), format_checker=validator_cls.FORMAT_CHECKER)
    for path in sorted(SAMPLES.glob("*/*.json")):
        errors = [e.message for e in validator.iter_errors(_read(path))]
        if path.stem in SCHEMA_INVALID_SAMPLES:
            assert errors, path
        else:
            assert errors == [], path


def _resolve(doc: Any, pointer: str) -> Any:
    """RFC 6901 resolution (``~1`` then ``~0``); raises on a pointer that does not resolve."""
    if pointer == "":
        return doc
    assert pointer.startswith("/")
    node = doc
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


@pytest.mark.parametrize("code", _sample_names("invalid"))
def test_finding_pointers_resolve(code: str) -> None:
    doc = _read(SAMPLES / "invalid" / f"{code}.json")
    findings = list(run_rules(doc, LATEST))
    assert findings
    for f in findings:
        assert f.location is not None and f.location.pointer is not None
        _resolve(doc, f.location.pointer)
        assert "\n" not in f.message and len(f.message) < 200
        assert f.reference


# --------------------------------------------------------------------------- robustness

GARBAGE_DOCUMENTS: list[Any] = [
    None, True, 0, 1.5, "", "transport document", [], [{}], {},
    {"documentParties": 5},
    {"documentParties": {"shipper": [], "consignee": "x", "notifyParties": {"a": 1}, "other": [1, {"party": "x"}]}},
    {"documentParties": {"other": [{"partyFunction": ["DDR"]}, {"partyFunction": {"a": 1}}]}},
    {"isToOrder": "yes", "transportDocumentTypeCode": ["SWB"], "isElectronic": 1},
    {"consignmentItems": "none"},
    {"consignmentItems": ["a", 1, None, {"cargoItems": ["x", None, {"outerPackaging": "y"}]}]},
    {"consignmentItems": [{"cargoItems": [{"equipmentReference": ["A"], "outerPackaging": {"dangerousGoods": "x"}}]}]},
    {"utilizedTransportEquipments": [None, {"equipment": 5}, {"equipment": {"equipmentReference": 12345678901}},
                                     {"activeReeferSettings": [], "isNonOperatingReefer": "no"}]},
    {"utilizedTransportEquipments": [{"equipment": {"equipmentReference": "ABCU1234567", "ISOEquipmentCode": 45}}]},
    {"utilizedTransportEquipments": [{"equipment": {"equipmentReference": "ÄBCU1234567"}}]},
    {"transports": [], "customsReferences": {"type": "x"}, "feedbacks": "x", "references": [None, 3]},
    {"numberOfOriginalsWithCharges": "2", "numberOfCopiesWithCharges": True, "transportDocumentTypeCode": "BOL",
     "isElectronic": True, "numberOfOriginalsWithoutCharges": 2.5},
    {"transportDocumentStatus": {"a": 1}, "isShippedOnBoardType": True},
]


@pytest.mark.parametrize("doc", GARBAGE_DOCUMENTS, ids=range(len(GARBAGE_DOCUMENTS)))
def test_garbage_shapes_never_raise(doc: Any) -> None:
    for version in VERSIONS:
        list(run_rules(doc, version))
        context = RuleContext(doc, version)
        for r in RULES:  # each rule is defensive on its own, not only saved by the engine
            if r.applies_to(version):
                list(r.check(context))
        assert "ETR-RULE-ERROR" not in codes_of(doc, version)


_JUNK: list[Any] = [None, 0, -1, "", "x", [], [None], {}, True, 1.5]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*path, i)))
    return out


@pytest.mark.parametrize("name", _sample_names("valid"))
def test_any_node_replaced_by_junk_never_raises(name: str) -> None:
    base = valid(name)
    for path in _paths(base)[1:]:
        for junk in _JUNK:
            doc = copy.deepcopy(base)
            node = doc
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = junk
            context = RuleContext(doc, LATEST)
            for r in RULES:
                r.check(context)


def test_a_raising_rule_becomes_a_rule_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(context: RuleContext) -> Any:
        raise RuntimeError("bug")

    # Rules are frozen: the version's plan (what the engine calls) is patched instead.
    plan = rules.RULE_SET.plan(LATEST)
    broken = tuple((boom, code, sev, ref) if code == "EBL-DATES-BOTH" else (check, code, sev, ref)
                   for check, code, sev, ref in plan)
    monkeypatch.setitem(rules.RULE_SET._plans, LATEST, broken)
    doc = _read(SAMPLES / "invalid" / "EBL-SWB-TO-ORDER.json")
    findings = list(run_rules(doc, LATEST))
    assert [f.code for f in findings] == ["EBL-SWB-TO-ORDER", "ETR-RULE-ERROR"]
    error = findings[1]
    assert error.severity is Severity.WARNING
    assert error.message == "rule EBL-DATES-BOTH not evaluated: RuntimeError"
    assert error.detail == {"rule": "EBL-DATES-BOTH", "exception": "RuntimeError"}


def test_a_context_that_cannot_be_built_is_a_rule_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: RuleContext, doc: Any, version: str) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(RuleContext, "__init__", broken)
    findings = list(run_rules({}, LATEST))
    assert [(f.code, f.severity) for f in findings] == [("ETR-RULE-ERROR", Severity.WARNING)]
    assert findings[0].message == "rule dcsa-ebl (all rules) not evaluated: KeyError"


def test_unknown_version_is_refused_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"3\.1\.0"):
        run_rules({}, "3.1.0")


# --------------------------------------------------------------------------- ISO 6346

# Letter values as tabulated in ISO 6346 (multiples of 11 skipped), written out independently.
_ISO_TABLE = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                      [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35,
                       36, 37, 38], strict=True))


def _reference_check_digit(number: str) -> int:
    total = 0
    for position, ch in enumerate(number[:10]):
        total += (_ISO_TABLE[ch] if ch.isalpha() else int(ch)) * 2 ** position
    return total % 11 % 10


@pytest.mark.parametrize("number", ["CSQU3054383", "MSKU9070323", "APZU4812090", "NARU3472484", "KKFU6671914",
                                    "BLNU5182049", "SGCU5301880"])
def test_iso6346_known_good_numbers(number: str) -> None:
    assert iso6346_check_digit(number) == int(number[10])
    assert _reference_check_digit(number) == int(number[10])


def test_iso6346_matches_the_table_on_many_numbers() -> None:
    for owner in ("CSQU", "MSKU", "ZZZJ", "AAAZ", "XKLU"):
        for serial in range(0, 1_000_000, 7919):
            prefix = f"{owner}{serial:06d}"
            assert iso6346_check_digit(prefix) == _reference_check_digit(prefix)


def test_iso6346_wrong_digit_is_reported_once() -> None:
    doc = valid(STRAIGHT)
    wrong_check_digit(doc)
    findings = [f for f in run_rules(doc, LATEST) if f.code == "EBL-ISO6346-CHECK-DIGIT"]
    assert len(findings) == 1
    assert findings[0].location is not None
    assert findings[0].location.pointer == "/utilizedTransportEquipments/0/equipment/equipmentReference"


# --------------------------------------------------------------------------- official DCSA data

# Warnings the rules raise on the official examples (none raises an error). Recorded so that a
# change shows up: all three are to order without notify parties; the dgExample is ISSUED
# without issueDate and uses HLXU1234567, whose ISO 6346 check digit is 1, not 7.
OFFICIAL_WARNINGS = {
    "EBL_v3.0.0_transport-document_regularSTDExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.0_transport-document_reeferExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.0_transport-document_dgExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER", "EBL-ISSUE-DATE-MISSING",
                                                     "EBL-ISO6346-CHECK-DIGIT"},
    "EBL_v3.0.4_transport-document_regularSTDExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.4_transport-document_reeferExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER"},
    "EBL_v3.0.4_transport-document_dgExample.json": {"EBL-NOTIFY-PARTY-TO-ORDER", "EBL-ISSUE-DATE-MISSING",
                                                     "EBL-ISO6346-CHECK-DIGIT"},
}


@pytest.mark.parametrize("name", sorted(OFFICIAL_WARNINGS))
def test_official_examples(name: str) -> None:
    path = need_shared(DCSA_EXAMPLES / name)
    version = "3.0.0" if "_v3.0.0_" in name else "3.0.4"
    findings = list(run_rules(_read(path), version))
    assert [f.code for f in findings if f.severity is Severity.ERROR] == []
    assert {f.code for f in findings if f.severity is Severity.WARNING} == OFFICIAL_WARNINGS[name]


def test_pint_demo_document_breaks_the_expected_rules() -> None:
    # Its SOURCES.txt: schema-valid but SWB + isToOrder=true + consignee + endorsee, both dates;
    # it also puts reefer settings on a 22G1 and gives originals to the SWB.
    paths = sorted(need_shared(PINT_DEMO).glob("*-ebl-envelope-*.json"))
    assert paths
    for path in paths:
        codes = codes_of(_read(path)["transportDocument"], LATEST)
        assert codes == {"EBL-SWB-TO-ORDER", "EBL-CONSIGNEE-ENDORSEE", "EBL-ORIGINALS-SWB", "EBL-DATES-BOTH",
                         "EBL-REEFER-SETTINGS-NON-REEFER"}
