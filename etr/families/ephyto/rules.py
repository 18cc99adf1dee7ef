"""The ePhyto rules: ISPM 12 mandatory content, code lists and consistency, over the SPS Certificate XML.

The hub's XSD makes almost every element optional (only ``TypeCode`` and ``StatusCode`` are
required in ``SPSExchangedDocument``); the mandatory boxes of the ISPM 12 model certificate are
enforced by the hub's *MandatoryElements* rule set, which is not published. The table
:data:`MANDATORY` is etr's reading of the ISPM 12 model certificate mapped to the XML (the
certificates reference §B1): one row per box. An element that is present but holds no text
counts as missing (public samples carry empty ``Name`` / ``DateTimeString`` elements).

The hub's levels SEVERE / WARNING / INFO are etr's error / warning / info.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lxml import etree

from ...model import Severity
from ...rules import NO_HITS, Hit, Hits, RuleSet
from ..certificates import is_country, is_locode, not_after, parse_date_time
from ..certificates import local_name as _local

NS_RSM = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
NS_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
NS_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"

VERSIONS = ("17",)
DEFAULT_VERSION = "17"

ISPM12 = "ISPM 12 (2014) Appendix 1 model phytosanitary certificate; IPPC ePhyto SPS Certificate mapping"
HUB = "IPPC ePhyto hub validation (MandatoryElements / Mapping)"

#: Certificate types (SPSExchangedDocument/TypeCode): phytosanitary certificate for export, for re-export.
TYPE_EXPORT = "851"
TYPE_REEXPORT = "657"
TYPE_CODES = {TYPE_EXPORT: "export", TYPE_REEXPORT: "re-export"}
#: The status the hub's samples give a normally issued certificate.
STATUS_ISSUED = "70"

#: UNECE Recommendation 19 modes of transport (one digit: 0 not specified … 9 not applicable).
TRANSPORT_MODES = frozenset("0123456789")
#: UNECE Rec 20 units of mass and of volume (the ones a weight or volume measure may carry).
MASS_UNITS = frozenset({"KGM", "GRM", "MGM", "TNE", "LBR", "ONZ", "DTN", "HGM", "KTN", "STN", "LTN", "CTM"})
VOLUME_UNITS = frozenset({"MTQ", "LTR", "MLT", "CMQ", "DMQ", "HLT", "CLT", "DLT", "MMQ", "FTQ", "INQ", "YDQ",
                          "GLL", "GLI", "QT", "PT", "BLL", "MQ", "KL"})
_UNIT = re.compile(r"[A-Z0-9]{2,3}")
#: UNECE Rec 21 package type: two characters (letters or digits).
_PACKAGE_TYPE = re.compile(r"[A-Z0-9]{2}")
_HS_CODE = re.compile(r"[0-9]{6,10}")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_STATUS = re.compile(r"[0-9]{1,3}")
_BASE64 = re.compile(r"[A-Za-z0-9+/ \t\r\n]*(=[ \t\r\n]*){0,2}")
#: IPPC additional-declaration subjects of a replacement certificate: ADRP (replacement), ADRPN
#: (number of the certificate replaced), ADRPR (reason), ADRD (date).
_REPLACEMENT_SUBJECTS = ("ADRP", "ADRPN", "ADRPR", "ADRD")
#: IPPC note subjects that carry an "other quantity" (value, unit) on a trade line item.
_OTHER_QUANTITY = ("OQV", "OQU")


#: Clark names, per aggregate namespace (shared by every document of that namespace).
_NAMES: dict[str, dict[str, str]] = {}
#: The children of an element that has none.
_NO_KIDS: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True)
class Certificate:
    """The parts of one SPSCertificate the rules read; names are Clark names in the document's namespaces.

    ``index`` maps each element name (Clark) to its elements in document order, and ``kids`` each
    element with children to ``{Clark name: its first child of that name}``, both made in one pass
    over the tree so that the rules look elements up instead of walking the tree each.
    """

    root: Any
    ram: str
    udt: str
    #: The bytes the document was read from (``b""`` when not known).
    raw: bytes = b""
    document: Any = None
    consignment: Any = None
    signatory: Any = None
    items: Sequence[Any] = ()
    index: dict[str, list[Any]] = field(default_factory=dict)
    kids: dict[Any, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: The names (Clark) of the ``…SPSLocation`` elements the certificate has, in the order first met.
    location_tags: list[str] = field(default_factory=list)
    #: The dates the rules read, parsed once (see ``_date_elements``).
    dates: list[tuple[Any, str, str, Any]] | None = None
    #: Every element that is not the first of its name under its parent (the rules read the first).
    repeats: list[Any] = field(default_factory=list)

    def q(self, name: str) -> str:
        """The Clark name of an aggregate element ``name``."""
        clark = self.names.get(name)
        if clark is None:
            clark = self.names[name] = f"{{{self.ram}}}{name}"
        return clark

    def child(self, element: Any, name: str) -> Any:
        """The first child of ``element`` called ``name`` (an aggregate name), or ``None``."""
        return self.kids.get(element, _NO_KIDS).get(self.names.get(name) or self.q(name))

    def children(self, element: Any) -> Mapping[str, Any]:
        """``{Clark name: first child of that name}`` of ``element``."""
        return self.kids.get(element, _NO_KIDS)

    def children_named(self, element: Any, name: str) -> list[Any]:
        """The children of ``element`` called ``name`` (an aggregate name), in document order."""
        # A walk over the children (lxml's iterchildren(tag) would first look the name up in the
        # document's dictionary, which costs more than these few comparisons).
        clark = self.names.get(name) or self.q(name)
        return [kid for kid in element if kid.tag == clark]

    def all(self, name: str) -> Sequence[Any]:
        """Every aggregate element called ``name``, anywhere in the certificate, in document order."""
        return self.index.get(self.names.get(name) or self.q(name), ())


def read(root: Any, raw: bytes = b"") -> Certificate:
    """The :class:`Certificate` of ``root`` (an ``SPSCertificate`` element); the aggregate and data-type
    namespaces are taken from the document (version 17 uses the :21 ones)."""
    index: dict[str, list[Any]] = {}
    kids: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
    locations: list[str] = []
    repeats: list[Any] = []
    for element in root.iter():
        tag = element.tag
        if tag.__class__ is not str:  # a comment or processing instruction: not an element
            continue
        found = index.get(tag)
        if found is None:
            index[tag] = [element]
            if tag.endswith("SPSLocation"):  # a name met for the first time: is it a location?
                locations.append(tag)
        else:
            found.append(element)
        # Parents come before their children in document order, so each parent is indexed (kept
        # alive, the same object) when its first child is met.
        siblings = kids[element.getparent()]
        if tag not in siblings:
            siblings[tag] = element
        else:
            repeats.append(element)
    rsm = root.tag[1:].split("}", 1)[0]
    top = kids.get(root, _NO_KIDS)
    document = top.get(f"{{{rsm}}}SPSExchangedDocument")
    consignment = top.get(f"{{{rsm}}}SPSConsignment")
    ram = NS_RAM
    for part in (document, consignment):
        first = next(iter(kids.get(part, _NO_KIDS)), None) if part is not None else None
        if first is not None and first.startswith("{"):
            ram = first[1:].split("}", 1)[0]
            break
    cert = Certificate(root, ram, NS_UDT, raw, document, consignment, index=index, kids=kids,
                       names=_NAMES.setdefault(ram, {}), location_tags=locations, repeats=repeats)
    if document is not None:
        cert.signatory = cert.child(document, "SignatorySPSAuthentication")
    if consignment is not None:
        cert.items = cert.all("IncludedSPSTradeLineItem")
    return cert


def text(element: Any) -> str:
    """The text of ``element`` and its descendants, stripped (``""`` for ``None`` or an empty element)."""
    if element is None:
        return ""
    own: str | None = element.text
    if own and (own := own.strip()):
        return own
    if len(element) == 0:
        return ""
    # The text nodes of the subtree, as itertext() gives them, collected by libxml2 in one call.
    text_content: str = etree.tostring(element, method="text", encoding=str, with_tail=False)
    return text_content.strip()


def walk(cert: Certificate, base: Any, path: tuple[str, ...]) -> tuple[Any, str | None]:
    """Follow the child names ``path`` from ``base``: ``(element, None)`` when all are there, else
    ``(deepest element found, first name missing)``."""
    current = base
    for name in path:
        found = cert.child(current, name)
        if found is None:
            return current, name
        current = found
    return current, None


rules: RuleSet[Certificate] = RuleSet("ephyto", VERSIONS)


# --------------------------------------------------------------------------- C2 mandatory elements

@dataclass(frozen=True, slots=True)
class Box:
    """One ISPM 12 box: where it is (``scope`` ``document`` / ``consignment`` / ``signatory`` /
    ``item``), and the child paths of which one must hold text."""

    box: str
    scope: str
    alternatives: tuple[tuple[str, ...], ...]


MANDATORY: tuple[Box, ...] = (
    Box("Certificate No.", "document", (("ID",),)),
    Box("Certificate type", "document", (("TypeCode",),)),
    Box("Certificate status", "document", (("StatusCode",),)),
    Box("Date of issue", "document", (("IssueDateTime",),)),
    Box("Plant Protection Organization of (issuing NPPO)", "document", (("IssuerSPSParty", "Name"),)),
    Box("To: Plant Protection Organization(s) of (importing country)", "consignment", (("ImportSPSCountry", "ID"),)),
    Box("Country of export", "consignment", (("ExportSPSCountry", "ID"),)),
    Box("Name of exporter", "consignment", (("ConsignorSPSParty", "Name"),)),
    Box("Address of exporter", "consignment", (("ConsignorSPSParty", "SpecifiedSPSAddress"),)),
    Box("Declared name of consignee", "consignment", (("ConsigneeSPSParty", "Name"),)),
    Box("Declared means of conveyance", "consignment", (("MainCarriageSPSTransportMovement", "ModeCode"),)),
    Box("Declared point of entry", "consignment",
        (("UnloadingBaseportSPSLocation", "ID"), ("UnloadingBaseportSPSLocation", "Name"))),
    Box("Place of issue", "signatory", (("IssueSPSLocation", "Name"), ("IssueSPSLocation", "ID"))),
    Box("Name of authorized officer", "signatory", (("ProviderSPSParty", "SpecifiedSPSPerson", "Name"),)),
    Box("Date (signature)", "signatory", (("ActualDateTime",),)),
    Box("Certifying statement", "signatory", (("IncludedSPSClause", "ID"), ("IncludedSPSClause", "Content"))),
    Box("Name of produce", "item", (("Description",), ("CommonName",))),
    Box("Botanical name of plants", "item", (("ScientificName",),)),
    Box("Place of origin", "item", (("OriginSPSCountry", "ID"),)),
)

_SCOPE_PARENT = {"document": "SPSExchangedDocument", "consignment": "SPSConsignment",
                 "signatory": "SignatorySPSAuthentication"}


def _given(cert: Certificate, base: Any, alternatives: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one of the child paths (Clark names) from ``base`` ends at an element with text."""
    kids = cert.kids
    for path in alternatives:
        element = base
        for tag in path:
            element = kids.get(element, _NO_KIDS).get(tag)
            if element is None:
                break
        else:
            if text(element):
                return True
    return False


def _box_hit(cert: Certificate, box: Box, base: Any, where: str) -> Hit:
    """Where and what for a box that is not given: how much of its first path is there."""
    element, missing = walk(cert, base, box.alternatives[0])
    names = " or ".join("/".join(p) for p in box.alternatives)
    state = "is present but empty" if missing is None else "is missing"
    return element, f"ISPM 12 box {box.box!r}: {names} {state}{where}"


def _clark_boxes(cert: Certificate) -> list[tuple[Box, tuple[tuple[str, ...], ...]]]:
    """:data:`MANDATORY` with each path in Clark names of the certificate's namespace (made once per namespace)."""
    plan = _BOX_PLANS.get(cert.ram)
    if plan is None:
        plan = _BOX_PLANS[cert.ram] = [(box, tuple(tuple(cert.q(n) for n in path) for path in box.alternatives))
                                       for box in MANDATORY]
    return plan


_BOX_PLANS: dict[str, list[tuple[Box, tuple[tuple[str, ...], ...]]]] = {}


@rules.rule("PHYTO-MISSING", Severity.ERROR, "An element the ISPM 12 model certificate requires is missing or empty",
            reference=f"{ISPM12}; {HUB}")
def _mandatory(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    bases = {"document": cert.document, "consignment": cert.consignment, "signatory": cert.signatory}
    for scope, base in bases.items():
        if base is None:
            parent = cert.root if scope != "signatory" else cert.document
            if parent is not None:
                hits.append((parent, f"{_SCOPE_PARENT[scope]} is missing: the ISPM 12 boxes it holds are not given"))
    if cert.consignment is not None and not cert.items:
        hits.append((cert.consignment, "no IncludedSPSConsignmentItem/IncludedSPSTradeLineItem: the ISPM 12 box "
                                       "'Name of produce and quantity declared' is not given"))
    for box, alternatives in _clark_boxes(cert):
        if box.scope == "item":
            for index, item in enumerate(cert.items, 1):
                if not _given(cert, item, alternatives):
                    hits.append(_box_hit(cert, box, item, f" (trade line item {index})"))
        elif (base := bases[box.scope]) is not None and not _given(cert, base, alternatives):
            hits.append(_box_hit(cert, box, base, ""))
    return hits


# --------------------------------------------------------------------------- elements allowed once

#: The children each parent may have at most once (local names), etr's reading of the SPS Certificate
#: 17 schema's cardinalities (0..1 or 1..1) for the elements the rules read. A parent is named by its
#: local name, or by the suffix its kind shares (``…SPSCountry``, ``…SPSLocation``, ``…SPSParty``). The
#: rules read the first of a name; a second one would be silently ignored by etr and may be the one a
#: receiver reads (the XML twin of the JSON duplicate-key rule).
ONCE: Mapping[str, frozenset[str]] = MappingProxyType({
    "SPSCertificate": frozenset({"SPSExchangedDocument", "SPSConsignment"}),
    "SPSExchangedDocument": frozenset({"ID", "TypeCode", "StatusCode", "IssueDateTime", "IssuerSPSParty"}),
    "SPSConsignment": frozenset({"ID", "ConsignorSPSParty", "ConsigneeSPSParty", "ExportSPSCountry",
                                 "ImportSPSCountry", "LoadingBaseportSPSLocation", "UnloadingBaseportSPSLocation",
                                 "ExaminationSPSEvent"}),
    "SignatorySPSAuthentication": frozenset({"TypeCode", "ActualDateTime", "IssueSPSLocation", "ProviderSPSParty"}),
    "SPSCountry": frozenset({"ID"}),
    "SPSLocation": frozenset({"ID"}),
    "SPSParty": frozenset({"ID", "Name", "SpecifiedSPSAddress"}),
    "SpecifiedSPSAddress": frozenset({"CountryID", "PostcodeCode", "CityName"}),
    "SpecifiedSPSPerson": frozenset({"Name"}),
    "MainCarriageSPSTransportMovement": frozenset({"ModeCode"}),
    "IncludedSPSTradeLineItem": frozenset({"SequenceNumeric", "NetWeightMeasure", "GrossWeightMeasure",
                                           "NetVolumeMeasure", "GrossVolumeMeasure"}),
    "PhysicalSPSPackage": frozenset({"LevelCode", "TypeCode", "ItemQuantity"}),
    "ApplicableSPSClassification": frozenset({"ClassCode"}),
    "AppliedSPSProcess": frozenset({"TypeCode", "CompletionSPSPeriod"}),
    "CompletionSPSPeriod": frozenset({"StartDateTime", "EndDateTime", "DurationMeasure"}),
    "IncludedSPSNote": frozenset({"Subject"}),
    "ReferenceSPSReferencedDocument": frozenset({"ID"}),
})
_ONCE_KINDS = ("SPSCountry", "SPSLocation", "SPSParty")


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _once(parent_local: str) -> frozenset[str]:
    found = ONCE.get(parent_local)
    if found is None:
        kind = next((k for k in _ONCE_KINDS if parent_local.endswith(k)), None)
        found = ONCE[kind] if kind is not None else frozenset()
    return found


@rules.rule("PHYTO-DUPLICATE", Severity.ERROR, "An element the SPS Certificate model allows once is given more "
            "than once", reference="UN/CEFACT SPS Certificate 17 schema (cardinality 0..1 / 1..1); IPPC ePhyto hub")
def _duplicate(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    reported: set[tuple[Any, str]] = set()
    for element in cert.repeats:
        parent = element.getparent()
        parent_local, local = _local(parent.tag), _local(element.tag)
        if local not in _once(parent_local) or (parent, element.tag) in reported:
            continue
        reported.add((parent, element.tag))
        first = cert.children(parent)[element.tag]
        hits.append((element, f"{parent_local}/{local} is given more than once ({_short(text(first))!r}, then "
                              f"{_short(text(element))!r}); the model allows one, and etr reads only the first"))
    return hits


#: The elements whose content is a value (a code, an identifier, a text, a number or a measure, a
#: date string) that the rules read: child elements there are no value (the data types are simple).
VALUE_ELEMENTS = ("ID", "Name", "TypeCode", "StatusCode", "Subject", "Content", "ModeCode", "CountryID",
                  "CityName", "PostcodeCode", "LineOne", "Description", "CommonName", "ScientificName",
                  "IntendedUse", "SequenceNumeric", "SystemName", "ClassCode", "LevelCode", "ItemQuantity",
                  "AttachmentBinaryObject", "NetWeightMeasure", "GrossWeightMeasure", "NetVolumeMeasure",
                  "GrossVolumeMeasure", "ValueMeasure", "DurationMeasure")


@rules.rule("PHYTO-NOT-A-VALUE", Severity.ERROR, "An element where a value is expected holds child elements",
            reference="UN/CEFACT SPS Certificate 17 schema (simple-content data types: ID, Code, Text, Measure, "
                      "DateTimeString)")
def _not_a_value(cert: Certificate) -> Hits:
    # Every element with element children is a key of ``cert.kids`` (comments are not indexed): the
    # parents are few, the value elements many.
    names = _VALUE_NAMES.get(cert.ram)
    if names is None:
        names = _VALUE_NAMES[cert.ram] = frozenset([cert.q(n) for n in VALUE_ELEMENTS]
                                                   + [f"{{{NS_UDT}}}DateTimeString"])
    hits: list[Hit] = []
    for element, children in cert.kids.items():
        if element is not None and element.tag in names:
            child = next(iter(children.values()))
            hits.append((element, f"{_local(element.getparent().tag)}/{_local(element.tag)} holds the element "
                                  f"{_local(child.tag)!r} where a value is expected: its text is no value"))
    return hits


_VALUE_NAMES: dict[str, frozenset[str]] = {}


# --------------------------------------------------------------------------- C3 code lists

@rules.rule("PHYTO-TYPE-CODE", Severity.ERROR, "The certificate type is not 851 (export) or 657 (re-export)",
            reference=f"{HUB}: CertificateType")
def _type_code(cert: Certificate) -> Hits:
    element = cert.child(cert.document, "TypeCode") if cert.document is not None else None
    value = text(element)
    if element is None or not value or value in TYPE_CODES:
        return NO_HITS
    return [(element, f"TypeCode {value!r} is not a phytosanitary certificate type "
                      f"({TYPE_EXPORT} export, {TYPE_REEXPORT} re-export)")]


@rules.rule("PHYTO-STATUS-CODE", Severity.ERROR, "The certificate status is not a numeric status code",
            reference=f"{HUB}: CertificateStatus")
def _status_code(cert: Certificate) -> Hits:
    element = cert.child(cert.document, "StatusCode") if cert.document is not None else None
    value = text(element)
    if element is None or not value or _STATUS.fullmatch(value):
        return NO_HITS
    return [(element, f"StatusCode {value!r} is not a numeric document status code (70: issued)")]


_COUNTRY_PLACES = ("ImportSPSCountry", "ExportSPSCountry", "TransitSPSCountry", "OriginSPSCountry")


@rules.rule("PHYTO-COUNTRY", Severity.ERROR, "A country is not an ISO 3166-1 alpha-2 code",
            reference="ISO 3166-1 alpha-2 (IPPC ePhyto harmonised code list)")
def _country(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for place in _COUNTRY_PLACES:
        for country in cert.all(place):
            element = cert.child(country, "ID")
            value = text(element)
            if value and not is_country(value):
                hits.append((element, f"{place}/ID {value!r} is not an ISO 3166-1 alpha-2 country code"))
    for address in cert.all("SpecifiedSPSAddress"):  # the consignor's, the consignee's, any party's
        element = cert.child(address, "CountryID")
        value = text(element)
        if value and not is_country(value):
            hits.append((element, f"{_local(address.getparent().tag)}/SpecifiedSPSAddress/CountryID {value!r} is "
                                  "not an ISO 3166-1 alpha-2 country code"))
    return hits


def _locations(cert: Certificate) -> list[Any]:
    prefix = cert.q("")
    return [element for tag in cert.location_tags if tag.startswith(prefix) for element in cert.index[tag]]


@rules.rule("PHYTO-LOCODE", Severity.ERROR, "A location identifier is not a UN/LOCODE",
            reference="UNECE Recommendation 16 (UN/LOCODE); IPPC ePhyto harmonised code list")
def _locode(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for location in _locations(cert):
        element = cert.child(location, "ID")
        value = text(element)
        if value and not is_locode(value):
            hits.append((element, f"{_local(location.tag)}/ID {value!r} is not a UN/LOCODE "
                                  "(ISO 3166 country and three characters)"))
    return hits


@rules.rule("PHYTO-TRANSPORT-MODE", Severity.ERROR, "A mode of transport is not a UNECE Rec 19 code",
            reference="UNECE Recommendation 19 (modes of transport)")
def _transport_mode(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for movement in cert.all("MainCarriageSPSTransportMovement"):
        element = cert.child(movement, "ModeCode")
        value = text(element)
        if value and value not in TRANSPORT_MODES:
            hits.append((element, f"ModeCode {value!r} is not a UNECE Rec 19 mode of transport (0-9)"))
    return hits


_WEIGHTS = ("NetWeightMeasure", "GrossWeightMeasure")
_VOLUMES = ("NetVolumeMeasure", "GrossVolumeMeasure")


_MEASURES = (*_WEIGHTS, *_VOLUMES, "ValueMeasure", "DurationMeasure")


def _measures(cert: Certificate) -> list[tuple[Any, str]]:
    """Every measure in the certificate (weights, volumes, treatment values and durations)."""
    return [(element, name) for name in _MEASURES for element in cert.all(name)]


@rules.rule("PHYTO-UNIT", Severity.ERROR, "A measure has no unit, or a unit that is not a UNECE Rec 20 code "
            "of the right kind", reference="UNECE Recommendation 20 (units of measure)")
def _unit(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for element, name in _measures(cert):
        unit = (element.get("unitCode") or "").strip()
        if not unit:
            hits.append((element, f"{name} has no unitCode"))
        elif not _UNIT.fullmatch(unit):
            hits.append((element, f"{name} unitCode {unit!r} is not a UNECE Rec 20 code"))
        elif name in _WEIGHTS and unit not in MASS_UNITS:
            hits.append((element, f"{name} unitCode {unit!r} is not a unit of mass"))
        elif name in _VOLUMES and unit not in VOLUME_UNITS:
            hits.append((element, f"{name} unitCode {unit!r} is not a unit of volume"))
    return hits


#: Measures that may be below zero (a cold treatment's temperature); the others are amounts or durations.
_SIGNED_MEASURES = frozenset({"ValueMeasure"})


@rules.rule("PHYTO-MEASURE", Severity.ERROR, "A measure is present but empty, or is not a number (a duration: "
            "not a non-negative number)", reference="UN/CEFACT UDT MeasureType (decimal value and unitCode); "
            f"{ISPM12}: treatment and quantity boxes")
def _measure(cert: Certificate) -> Hits:
    # Weights and volumes that are not non-negative numbers are PHYTO-QUANTITY's; an empty measure is
    # missing whatever its unitCode says (no silent default).
    hits: list[Hit] = []
    for element, name in _measures(cert):
        value = text(element)
        if not value:
            hits.append((element, f"{name} is present but empty"))
        elif name in _SIGNED_MEASURES and not _NUMBER.fullmatch(value):
            hits.append((element, f"{name} {_short(value)!r} is not a number"))
        elif name == "DurationMeasure" and (not _NUMBER.fullmatch(value) or value.startswith("-")):
            hits.append((element, f"{name} {_short(value)!r} is not a non-negative number"))
    return hits


@rules.rule("PHYTO-PACKAGE-TYPE", Severity.ERROR, "A package type is not a UNECE Rec 21 code",
            reference="UNECE Recommendation 21 (codes for types of cargo, packages and packaging materials)")
def _package_type(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for package in cert.all("PhysicalSPSPackage"):
        element = cert.child(package, "TypeCode")
        value = text(element)
        if value and not _PACKAGE_TYPE.fullmatch(value):
            hits.append((element, f"PhysicalSPSPackage/TypeCode {value!r} is not a UNECE Rec 21 package type "
                                  "(two letters or digits)"))
    return hits


@rules.rule("PHYTO-HS-CODE", Severity.ERROR, "An HS classification has no code, or a code that is not 6 to 10 digits",
            reference="WCO Harmonized System; IPPC ePhyto ApplicableSPSClassification (SystemName HS)")
def _hs_code(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for classification in cert.all("ApplicableSPSClassification"):
        if text(cert.child(classification, "SystemName")).upper() != "HS":
            continue
        element = cert.child(classification, "ClassCode")
        value = text(element).replace(".", "")
        if not value:
            hits.append((classification, "an HS classification without a ClassCode"))
        elif not _HS_CODE.fullmatch(value):
            hits.append((element, f"HS ClassCode {text(element)!r} is not 6 to 10 digits"))
    return hits


# --------------------------------------------------------------------------- consistency, C7, C9

def date_text(cert: Certificate, element: Any) -> str:
    """The text of a UDT DateTimeType element: its ``DateTimeString`` child's, else its own."""
    if element is None:
        return ""
    string = cert.children(element).get(f"{{{cert.udt}}}DateTimeString")
    return (string.text or "").strip() if string is not None and len(string) == 0 else text(element)


def _date_elements(cert: Certificate) -> list[tuple[Any, str, str, Any]]:
    """Every date the rules read: ``(element, name, text, parsed or None)``, read once per certificate."""
    if cert.dates is None:
        found: list[tuple[Any, str, str, Any]] = []
        places = [(cert.child(scope, name), name) for scope, name in
                  ((cert.document, "IssueDateTime"), (cert.signatory, "ActualDateTime")) if scope is not None]
        places += [(element, f"CompletionSPSPeriod/{name}") for name in ("StartDateTime", "EndDateTime")
                   for element in cert.all(name)]
        for element, name in places:
            if element is not None:
                value = date_text(cert, element)
                found.append((element, name, value, parse_date_time(value) if value else None))
        cert.dates = found
    return cert.dates


@rules.rule("PHYTO-DATE", Severity.ERROR, "A date cannot be read as an ISO 8601 date or date-time",
            reference="UN/CEFACT UDT DateTimeType (ISO 8601); ISPM 12 dates of issue and treatment")
def _date(cert: Certificate) -> Hits:
    return [(element, f"{name} {value!r} is not an ISO 8601 date or date-time")
            for element, name, value, parsed in _date_elements(cert) if value and parsed is None]


@rules.rule("PHYTO-ISSUE-AFTER-SIGNATURE", Severity.ERROR, "The date of issue is after the date of signature",
            reference=f"{ISPM12}: date of issue and of the authorized officer's signature (check C9)")
def _issue_after_signature(cert: Certificate) -> Hits:
    found = {name: (element, value, parsed) for element, name, value, parsed in _date_elements(cert)}
    issue, signature = found.get("IssueDateTime"), found.get("ActualDateTime")
    if issue is None or signature is None or issue[2] is None or signature[2] is None:
        return NO_HITS
    if not_after(issue[2], signature[2]):
        return NO_HITS
    return [(issue[0], f"IssueDateTime {issue[1]!r} is after the signature's ActualDateTime {signature[1]!r}")]


@rules.rule("PHYTO-REEXPORT-REFERENCE", Severity.ERROR, "A re-export certificate does not reference the "
            "original phytosanitary certificate", reference=f"{ISPM12}: phytosanitary certificate for re-export")
def _reexport_reference(cert: Certificate) -> Hits:
    if cert.document is None or text(cert.child(cert.document, "TypeCode")) != TYPE_REEXPORT:
        return NO_HITS
    for reference in cert.children_named(cert.document, "ReferenceSPSReferencedDocument"):
        if text(cert.child(reference, "ID")):
            return NO_HITS
    return [(cert.document, f"TypeCode {TYPE_REEXPORT} (re-export) without a ReferenceSPSReferencedDocument/ID "
                            "naming the original certificate")]


_TREATMENT_DATES = ("StartDateTime", "EndDateTime")


@rules.rule("PHYTO-TREATMENT", Severity.WARNING, "A treatment is given without its type, date or details",
            reference=f"{ISPM12}: disinfestation and/or disinfection treatment box")
def _treatment(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for index, item in enumerate(cert.items, 1):
        for process in cert.children_named(item, "AppliedSPSProcess"):
            missing = []
            if not text(cert.child(process, "TypeCode")):
                missing.append("TypeCode (treatment type)")
            period = cert.child(process, "CompletionSPSPeriod")
            if period is None or not any(text(cert.child(period, n)) for n in _TREATMENT_DATES):
                missing.append("CompletionSPSPeriod date (date of treatment)")
            if cert.child(process, "ApplicableSPSProcessCharacteristic") is None:
                missing.append("ApplicableSPSProcessCharacteristic (chemical, duration, temperature, concentration)")
            if missing:
                hits.append((process, f"treatment of trade line item {index} without {', '.join(missing)}"))
    return hits


def _has_quantity(cert: Certificate, item: Any) -> bool:
    for name in (*_WEIGHTS, *_VOLUMES):
        if text(cert.child(item, name)):
            return True
    for package in cert.children_named(item, "PhysicalSPSPackage"):
        if text(cert.child(package, "ItemQuantity")):
            return True
    subjects = {text(cert.child(note, "Subject")): text(cert.child(note, "Content"))
                for note in cert.children_named(item, "AdditionalInformationSPSNote")}
    return all(subjects.get(s) for s in _OTHER_QUANTITY)


@rules.rule("PHYTO-QUANTITY", Severity.ERROR, "A trade line item declares no quantity, or a quantity that is not "
            "a non-negative number", reference=f"{ISPM12}: name of produce and quantity declared")
def _quantity(cert: Certificate) -> Hits:
    hits: list[Hit] = []
    for index, item in enumerate(cert.items, 1):
        if not _has_quantity(cert, item):
            hits.append((item, f"trade line item {index} declares no quantity (weight, volume, package "
                               "ItemQuantity or OQV/OQU note)"))
        quantities = [cert.child(item, n) for n in (*_WEIGHTS, *_VOLUMES)]
        quantities += [cert.child(p, "ItemQuantity") for p in cert.children_named(item, "PhysicalSPSPackage")]
        for element in quantities:
            value = text(element)
            if value and (not _NUMBER.fullmatch(value) or value.startswith("-")):
                hits.append((element, f"{_local(element.tag)} {value!r} is not a non-negative number"))
    return hits


def _notes(cert: Certificate) -> dict[str, list[Any]]:
    notes: dict[str, list[Any]] = {}
    if cert.document is not None:
        for note in cert.children_named(cert.document, "IncludedSPSNote"):
            notes.setdefault(text(cert.child(note, "Subject")), []).append(note)
    return notes


@rules.rule("PHYTO-REPLACEMENT", Severity.ERROR, "A replacement certificate does not name the certificate it "
            "replaces, or names itself", reference=f"{ISPM12}: replacement of phytosanitary certificates (check C7)")
def _replacement(cert: Certificate) -> Hits:
    notes = _notes(cert)
    if not any(s in notes for s in _REPLACEMENT_SUBJECTS):
        return NO_HITS
    replaced = [text(cert.child(n, "Content")) for n in notes.get("ADRPN", [])]
    own = text(cert.child(cert.document, "ID"))
    if not any(replaced):
        where = notes.get("ADRPN", notes.get("ADRP", notes.get("ADRPR", notes.get("ADRD", [cert.document]))))[0]
        return [(where, "replacement notes (ADRP/ADRPR/ADRD) without an ADRPN note naming the replaced certificate")]
    if own and own in replaced:
        return [(notes["ADRPN"][replaced.index(own)], f"the certificate {own!r} names itself as the one it replaces")]
    return NO_HITS


_ATTACHMENT_TAG = re.compile(rb"<(?:[A-Za-z_][A-Za-z0-9_.-]*:)?(AttachmentBinaryObject)(?=[\s/>])"
                             rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_WHITESPACE = (" ", "\t", "\r", "\n")


def base64_text(data: str) -> tuple[bool, int]:
    """``(is base64, characters other than whitespace)`` of an element's text (the reference path).

    The alphabet is matched in place and the length counted by subtraction, but lxml has already
    made ``data`` a copy of the attachment: :func:`base64_spans` avoids it.
    """
    length = len(data) - sum(map(data.count, _WHITESPACE))
    return bool(data.strip()) and _BASE64.fullmatch(data) is not None and length % 4 == 0, length


#: The base64 alphabet and the whitespace a base64 text may hold: deleted, what is left is padding or wrong.
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_WHITESPACE_BYTES = b" \t\r\n"
#: Bytes read at a time: what the check copies, whatever the size of the attachment.
_CHUNK = 64 * 1024


def _base64_span(raw: bytes, start: int, end: int) -> tuple[bool, int, int] | None:
    """``(is base64, characters other than whitespace, line breaks)`` of ``raw[start:end]``, read in
    chunks (C speed, memory bounded by :data:`_CHUNK`), or ``None`` when the span holds what the XML
    parser would change (a character reference ``&``, a non-ASCII byte) and only the element text can say."""
    length = padding = newlines = 0
    ok = True
    padded = False
    for offset in range(start, end, _CHUNK):
        chunk = raw[offset:min(offset + _CHUNK, end)]
        rest = chunk.translate(None, _BASE64_ALPHABET)  # whitespace, padding and anything wrong: small
        other = rest.translate(None, _WHITESPACE_BYTES) if rest else rest
        newlines += rest.count(b"\n")
        text_length = len(chunk) - (len(rest) - len(other))
        if other:
            if b"&" in other or max(other) >= 0x80:
                return None
            if other.strip(b"="):
                ok = False
            else:
                # Padding: nothing but padding and whitespace may follow the first "=".
                first = chunk.find(b"=")
                if padded or chunk[first:].translate(None, b"= \t\r\n"):
                    ok = False
                padded = True
                padding += len(other)
        elif padded and text_length:
            ok = False  # base64 after the padding
        length += text_length
    ok = ok and padding <= 2 and length > 0 and length % 4 == 0
    return ok, length, newlines


def _attachment_start(raw: bytes, position: int) -> re.Match[bytes] | None:
    """The next AttachmentBinaryObject start tag (any prefix) at or after ``position``, or ``None``."""
    at = raw.find(b"AttachmentBinaryObject", position)
    while at >= 0:
        lt = raw.rfind(b"<", max(position, at - 128), at)
        match = _ATTACHMENT_TAG.match(raw, lt) if lt >= 0 else None
        if match is not None and match.start(1) == at:
            return match
        at = raw.find(b"AttachmentBinaryObject", at + 1)
    return None


def base64_spans(raw: bytes, elements: Sequence[Any]) -> list[tuple[bool, int]] | None:
    """The :func:`base64_text` answer for each of ``elements`` (the document's AttachmentBinaryObject
    elements, in document order), read from the document's bytes in one pass over each attachment and
    without a copy of it; ``None`` when the bytes cannot be matched to the elements one to one (another
    encoding, a tag inside a comment or of another namespace, CDATA, a character reference, a non-ASCII
    byte, a line that disagrees), and the caller reads the element text instead.

    Every element has a start tag in the bytes, and anything else only adds matches: as many matches
    as elements, each on its element's line, is a one-to-one match.
    """
    out: list[tuple[bool, int]] = []
    line, position = 1, 0
    for element in elements:
        match = _attachment_start(raw, position)
        if match is None:
            return None
        line += raw.count(b"\n", position, match.end())
        if element.sourceline != line - match.group().count(b"\n") or match.group().endswith(b"/>"):
            return None
        start = match.end()
        end = raw.find(b"<", start)
        if end < 0 or raw.startswith(b"<!", end):  # CDATA or a comment inside the text
            return None
        answer = _base64_span(raw, start, end)
        if answer is None:
            return None
        ok, length, newlines = answer
        line += newlines
        position = end
        out.append((ok, length))
    if _attachment_start(raw, position) is not None:
        return None
    return out


@rules.rule("PHYTO-ATTACHMENT", Severity.ERROR, "An attached file is not base64", reference=
            "UN/CEFACT UDT BinaryObjectType (base64Binary); ReferenceSPSReferencedDocument/AttachmentBinaryObject")
def _attachment(cert: Certificate) -> Hits:
    if cert.document is None:
        return NO_HITS
    elements = cert.all("AttachmentBinaryObject")
    if not elements:
        return NO_HITS
    # Attachments are most of an ePhyto's bytes; reading them from the raw input keeps memory flat in
    # their size (the element text would be one more copy of each). The property test in
    # tests/unit/test_ephyto_attachments.py proves both paths agree.
    answers = base64_spans(cert.raw, elements) if cert.raw else None
    if answers is None:
        answers = [base64_text(element.text or "") for element in elements]
    hits: list[Hit] = []
    for element, (ok, length) in zip(elements, answers, strict=True):
        if not ok:
            name = element.get("filename") or "(no file name)"
            hits.append((element, f"attachment {name!r} is not base64 ({length} characters)"))
    return hits
