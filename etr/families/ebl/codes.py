"""Code lists of the DCSA eBL 3.0 TransportDocument, per patch version.

The OpenAPI files define these values only in field descriptions ("codes(desc)"),
never as a schema ``enum``, so a value outside them is a warning
(``EBL-CODE-UNKNOWN`` and friends), not a schema error.

Sources: ``dcsaorg/DCSA-OpenAPI`` ``ebl/v3/EBL_v3.0.{0,1,2,3,4}.yaml`` @5d0f8337, every
list read from each version's YAML (the field lists in ``reference/dcsa-fields/`` cover
3.0.0, 3.0.2 and 3.0.4). Every list is per version: a code a later patch added is unknown
under an earlier one, and a list is absent for a version whose text does not have the field.

Plain frozensets and dicts: no I/O, imported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

VERSIONS: tuple[str, ...] = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4")

# --------------------------------------------------------------------------- identical in every 3.0.x

#: ``transportDocumentStatus``: the same eight values in every 3.0.x description (3.0.0 lists
#: them without backquotes, so the 3.0.0 field list in ``reference/dcsa-fields/`` misses them).
TRANSPORT_DOCUMENT_STATUSES = frozenset({
    "DRAFT", "APPROVED", "ISSUED", "PENDING_SURRENDER_FOR_AMENDMENT", "SURRENDERED_FOR_AMENDMENT",
    "PENDING_SURRENDER_FOR_DELIVERY", "SURRENDERED_FOR_DELIVERY", "VOIDED",
})

#: Statuses in which the document has certainly been issued. ``VOIDED`` is left
#: out: a document can be voided without ever having been issued.
ISSUED_STATUSES = frozenset({
    "ISSUED", "PENDING_SURRENDER_FOR_AMENDMENT", "SURRENDERED_FOR_AMENDMENT",
    "PENDING_SURRENDER_FOR_DELIVERY", "SURRENDERED_FOR_DELIVERY",
})

CARGO_MOVEMENT_TYPES = frozenset({"FCL", "LCL"})
MODES_OF_TRANSPORT = frozenset({"VESSEL", "RAIL", "TRUCK", "BARGE", "MULTIMODAL"})
TYPES_OF_PERSON = frozenset({"NATURAL_PERSON", "LEGAL_PERSON", "ASSOCIATION_OF_PERSONS"})
#: ``references[].type`` on the document and on utilized transport equipment.
REFERENCE_TYPES = frozenset({"CR", "AKG"})
#: ``consignmentItems[].references[].type``.
CONSIGNMENT_ITEM_REFERENCE_TYPES = frozenset({"CR", "AKG", "SPO", "CPO"})
NATIONAL_COMMODITY_CODE_TYPES = frozenset({"NCM", "HTS", "SCHEDULE_B", "TARIC", "CN", "CUS"})
WOOD_DECLARATIONS = frozenset({"NOT_APPLICABLE", "NOT_TREATED_AND_NOT_CERTIFIED", "PROCESSED", "TREATED_AND_CERTIFIED"})
SEGREGATION_GROUPS = frozenset(str(n) for n in range(1, 19))
INHALATION_ZONES = frozenset({"A", "B", "C", "D"})

# Added by a patch release.
VESSEL_VOYAGE_ROLES = frozenset({"FIRST_SEA_GOING", "MOTHER"})  # 3.0.3+
FEEDBACK_SEVERITIES = frozenset({"INFO", "WARN", "ERROR"})  # 3.0.2+
FEEDBACK_CODES = frozenset({  # 3.0.2+
    "INFORMATIONAL_MESSAGE", "PROPERTY_WILL_BE_IGNORED", "PROPERTY_VALUE_MUST_CHANGE",
    "PROPERTY_VALUE_HAS_BEEN_CHANGED", "PROPERTY_VALUE_MAY_CHANGE", "PROPERTY_HAS_BEEN_DELETED",
})

# Not checked on purpose: ``codeListName`` (the description gives examples, DID/LEI/DUNS,
# and the reference names EORI too), ``imoClass`` (examples only), ``facilityCode``
# (the description names the providers, not codes).

# --------------------------------------------------------------------------- differ by version

#: ``documentParties.other[].partyFunction``: 3.0.1 removed CS, MF and WH from the
#: TransportDocument (they remain for the Shipping Instructions / House B/L).
_PARTY_FUNCTIONS_300 = frozenset({"SCO", "DDR", "DDS", "COW", "COX", "CS", "MF", "WH"})
_PARTY_FUNCTIONS_301 = frozenset({"SCO", "DDR", "DDS", "COW", "COX"})

# eBL solution providers (platforms), in the order the specification lists them, by the patch
# that added them (IdentifyingCode.codeListProvider descriptions of EBL_v3.0.0 … 3.0.4.yaml,
# dcsaorg/DCSA-OpenAPI@5d0f8337; reference §1.7, corrected 2026-11-30).
_PLATFORMS_300 = ("WAVE", "CARX", "ESSD", "IDT", "BOLE", "EDOX", "IQAX", "SECR", "TRGO", "ETEU", "TRAC", "BRIT")
_PLATFORMS_301 = (*_PLATFORMS_300, "COVA", "ETIT", "KTNE", "CRED")
_PLATFORMS_302 = (*_PLATFORMS_301, "BLOC")
_PLATFORMS_303 = (*_PLATFORMS_302, "DOCU", "AEOT", "SGTD")
# Other identifying-code providers (registries, standards bodies, "mutually defined"); the same in every 3.0.x.
_OTHER_PROVIDERS = ("GSBN", "WISE", "GLEIF", "W3C", "DNB", "FMC", "DCSA", "ZZZ")

#: ``identifyingCodes[].codeListProvider`` per version: 20 codes in 3.0.0, 24 in 3.0.1, 25 in
#: 3.0.2, 28 in 3.0.3 and 3.0.4.
CODE_LIST_PROVIDERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "3.0.0": frozenset(_PLATFORMS_300 + _OTHER_PROVIDERS),
    "3.0.1": frozenset(_PLATFORMS_301 + _OTHER_PROVIDERS),
    "3.0.2": frozenset(_PLATFORMS_302 + _OTHER_PROVIDERS),
    "3.0.3": frozenset(_PLATFORMS_303 + _OTHER_PROVIDERS),
    "3.0.4": frozenset(_PLATFORMS_303 + _OTHER_PROVIDERS),
})

#: ``eblPlatform`` (shipper, consignee, endorsee), a field added in 3.0.3: the platform codes its
#: description lists (those of the same version's codeListProvider list). No entry before 3.0.3,
#: where the field does not exist (the schema reports it as a later-version field).
EBL_PLATFORMS: Mapping[str, frozenset[str]] = MappingProxyType({
    "3.0.3": frozenset(_PLATFORMS_303),
    "3.0.4": frozenset(_PLATFORMS_303),
})

#: Names of the code lists below (the keys of :data:`CODE_LISTS` values).
STATUS = "transportDocumentStatus"
CARGO_MOVEMENT = "cargoMovementType"
MODE_OF_TRANSPORT = "modeOfTransport"
TYPE_OF_PERSON = "typeOfPerson"
PARTY_FUNCTION = "partyFunction"
REFERENCE_TYPE = "referenceType"
CONSIGNMENT_ITEM_REFERENCE_TYPE = "consignmentItemReferenceType"
NATIONAL_COMMODITY_CODE_TYPE = "nationalCommodityCodeType"
WOOD_DECLARATION = "woodDeclaration"
SEGREGATION_GROUP = "segregationGroup"
INHALATION_ZONE = "inhalationZone"
VESSEL_VOYAGE_ROLE = "vesselVoyageRole"
FEEDBACK_SEVERITY = "feedbackSeverity"
FEEDBACK_CODE = "feedbackCode"

_COMMON: dict[str, frozenset[str]] = {
    STATUS: TRANSPORT_DOCUMENT_STATUSES,
    CARGO_MOVEMENT: CARGO_MOVEMENT_TYPES,
    MODE_OF_TRANSPORT: MODES_OF_TRANSPORT,
    TYPE_OF_PERSON: TYPES_OF_PERSON,
    REFERENCE_TYPE: REFERENCE_TYPES,
    CONSIGNMENT_ITEM_REFERENCE_TYPE: CONSIGNMENT_ITEM_REFERENCE_TYPES,
    NATIONAL_COMMODITY_CODE_TYPE: NATIONAL_COMMODITY_CODE_TYPES,
    WOOD_DECLARATION: WOOD_DECLARATIONS,
    SEGREGATION_GROUP: SEGREGATION_GROUPS,
    INHALATION_ZONE: INHALATION_ZONES,
}
_FEEDBACKS = {FEEDBACK_SEVERITY: FEEDBACK_SEVERITIES, FEEDBACK_CODE: FEEDBACK_CODES}

#: Version -> list name -> codes. A list missing for a version is not checked
#: there (the field does not exist in that version: ``vesselVoyages[].role``
#: before 3.0.3, ``feedbacks`` before 3.0.2).
CODE_LISTS: Mapping[str, Mapping[str, frozenset[str]]] = MappingProxyType({
    "3.0.0": MappingProxyType({**_COMMON, PARTY_FUNCTION: _PARTY_FUNCTIONS_300}),
    "3.0.1": MappingProxyType({**_COMMON, PARTY_FUNCTION: _PARTY_FUNCTIONS_301}),
    "3.0.2": MappingProxyType({**_COMMON, PARTY_FUNCTION: _PARTY_FUNCTIONS_301, **_FEEDBACKS}),
    "3.0.3": MappingProxyType({**_COMMON, PARTY_FUNCTION: _PARTY_FUNCTIONS_301, **_FEEDBACKS,
                               VESSEL_VOYAGE_ROLE: VESSEL_VOYAGE_ROLES}),
    "3.0.4": MappingProxyType({**_COMMON, PARTY_FUNCTION: _PARTY_FUNCTIONS_301, **_FEEDBACKS,
                               VESSEL_VOYAGE_ROLE: VESSEL_VOYAGE_ROLES}),
})

__all__ = [
    "CODE_LISTS",
    "CODE_LIST_PROVIDERS",
    "EBL_PLATFORMS",
    "ISSUED_STATUSES",
    "TRANSPORT_DOCUMENT_STATUSES",
    "VERSIONS",
]
