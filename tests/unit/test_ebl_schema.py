"""Tests for the project's DCSA eBL 3.0 TransportDocument JSON Schema (draft 2020-12).

The schema is validated with two engines (``jsonschema`` and ``jsonschema_rs``), both with
format checking on.  Official DCSA examples live in the shared data folder
(``ETR_SHARED_DATA``, default ``<repo>/../shared/data``); those tests skip when it is absent.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from conftest import need_shared
from jsonschema import Draft202012Validator

REPO = Path(__file__).parents[2]
SCHEMA_PATH = REPO / "schemas" / "dcsa-ebl" / "transport-document.schema.json"
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
DCSA_DATA = SHARED_DATA / "dcsa"
OFFICIAL_TD_GLOB = "dcsa-openapi-examples/EBL_v3.0.*_transport-document_*.json"
PINT_ENVELOPE_GLOB = "pint-demo/pint-transfers/*-ebl-envelope-*.json"
PINT_SPEC_ENVELOPE = "dcsa-openapi-examples/EBL_PINT_v3.0.0_envelope_regularSTDExample.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def py_validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def rs_validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _py_errors(validator: Draft202012Validator, doc: Any) -> list[tuple[tuple[Any, ...], str]]:
    return [(tuple(e.absolute_path), e.message) for e in validator.iter_errors(doc)]


def _rs_errors(validator: Any, doc: Any) -> list[tuple[tuple[Any, ...], str]]:
    return [(tuple(e.instance_path), e.message) for e in validator.iter_errors(doc)]


# --------------------------------------------------------------------------- schema itself


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    Draft202012Validator.check_schema(schema)
    jsonschema_rs.validator_for(schema, validate_formats=True)  # compiles with the Rust engine too


def _walk(node: Any, where: str = "#"):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_schema_allows_unknown_properties(schema: dict[str, Any]) -> None:
    closed = [where for where, node in _walk(schema) if node.get("additionalProperties") is False]
    assert closed == []


def test_version_annotations(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    since = {where: node["x-etr-since"] for where, node in _walk(schema) if "x-etr-since" in node}
    assert set(since.values()) <= {"3.0.1", "3.0.2", "3.0.3", "3.0.4"}
    assert schema["properties"]["feedbacks"]["x-etr-since"] == "3.0.2"
    assert schema["properties"]["extendedContractQuotationReference"]["x-etr-since"] == "3.0.4"
    assert "x-etr-since" not in schema["properties"]["contractQuotationReference"]
    parties = defs["DocumentParties"]["properties"]
    assert parties["onBehalfOfShipper"] == {"$ref": "#/$defs/OnBehalfOfShipper", "x-etr-since": "3.0.2"}
    assert defs["Shipper"]["properties"]["addressLines"]["x-etr-since"] == "3.0.3"
    assert defs["Consignee"]["properties"]["isNotifyParty"]["x-etr-since"] == "3.0.4"
    assert defs["VesselVoyage"]["properties"]["role"]["x-etr-since"] == "3.0.3"
    assert defs["InnerPackaging"]["properties"]["innerPackagings"]["x-etr-since"] == "3.0.3"


def test_deprecated_fields_are_kept(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    assert schema["properties"]["contractQuotationReference"]["deprecated"] is True
    assert defs["Charge"]["properties"]["chargeName"]["deprecated"] is True
    assert defs["ConsignmentItem"]["properties"]["HSCodes"]["deprecated"] is True
    assert "HSCodes" in defs["ConsignmentItem"]["required"]


# --------------------------------------------------------------------------- official examples


def _official_documents() -> list[Any]:
    if not DCSA_DATA.is_dir():
        return [pytest.param(None, None, id="shared-data-absent")]
    params = []
    for path in sorted(DCSA_DATA.glob(OFFICIAL_TD_GLOB)):
        params.append(pytest.param(path, None, id=path.name))
    for path in sorted(DCSA_DATA.glob(PINT_ENVELOPE_GLOB)):
        params.append(pytest.param(path, "transportDocument", id=path.name))
    spec_envelope = DCSA_DATA / PINT_SPEC_ENVELOPE
    if spec_envelope.is_file():
        params.append(pytest.param(spec_envelope, "transportDocument", id=spec_envelope.name))
    return params


def test_official_examples_are_present() -> None:
    need_shared(DCSA_DATA)
    assert len(list(DCSA_DATA.glob(OFFICIAL_TD_GLOB))) == 6
    assert len(list(DCSA_DATA.glob(PINT_ENVELOPE_GLOB))) >= 2
    assert (DCSA_DATA / PINT_SPEC_ENVELOPE).is_file()


@pytest.mark.parametrize(("path", "member"), _official_documents())
def test_official_example_is_schema_valid(
    path: Path | None, member: str | None, py_validator: Draft202012Validator, rs_validator: Any
) -> None:
    if path is None:
        need_shared(DCSA_DATA)
    doc = json.loads(path.read_text(encoding="utf-8"))
    if member is not None:
        doc = doc[member]
    assert _py_errors(py_validator, doc) == []
    assert _rs_errors(rs_validator, doc) == []


# --------------------------------------------------------------------------- negative cases

VALID_TD: dict[str, Any] = {
    "transportDocumentReference": "HHL71800000",
    "transportDocumentStatus": "ISSUED",
    "transportDocumentTypeCode": "BOL",
    "isShippedOnBoardType": True,
    "isElectronic": True,
    "isToOrder": False,
    "shippedOnBoardDate": "2024-06-03",
    "issueDate": "2024-06-03",
    "termsAndConditions": "Carriage subject to the carrier's terms.",
    "receiptTypeAtOrigin": "CY",
    "deliveryTypeAtDestination": "CY",
    "cargoMovementTypeAtOrigin": "FCL",
    "cargoMovementTypeAtDestination": "FCL",
    "carrierCode": "HLC",
    "carrierCodeListProvider": "SMDG",
    "invoicePayableAt": {"UNLocationCode": "DKAAR"},
    "partyContactDetails": [{"name": "Jane Doe", "email": "jane@example.org"}],
    "transports": {
        "plannedDepartureDate": "2024-06-03",
        "plannedArrivalDate": "2024-06-07",
        "portOfLoading": {"UNLocationCode": "DKAAR"},
        "portOfDischarge": {"UNLocationCode": "DEBRV"},
        "vesselVoyages": [{"vesselName": "Berlin Express", "carrierExportVoyageNumber": "402E"}],
    },
    "documentParties": {
        "shipper": {"partyName": "Example Shipper"},
        "consignee": {
            "partyName": "Example Consignee",
            "identifyingCodes": [{"codeListProvider": "GLEIF", "partyCode": "529900T8BM49AURSDO55"}],
        },
        "issuingParty": {
            "partyName": "Example Carrier",
            "address": {"street": "Ballindamm", "city": "Hamburg", "countryCode": "DE"},
        },
    },
    "consignmentItems": [
        {
            "carrierBookingReference": "RTM1234567",
            "descriptionOfGoods": ["Shoes - black"],
            "HSCodes": ["640510"],
            "cargoItems": [
                {
                    "equipmentReference": "HLXU1234567",
                    "cargoGrossWeight": {"value": 12000, "unit": "KGM"},
                    "outerPackaging": {
                        "numberOfPackages": 400,
                        "description": "Drum, steel",
                        "dangerousGoods": [{"UNNumber": "3082", "properShippingName": "Substance", "imoClass": "9"}],
                    },
                }
            ],
        }
    ],
    "utilizedTransportEquipments": [
        {
            "equipment": {"equipmentReference": "HLXU1234567", "ISOEquipmentCode": "22G1"},
            "isShipperOwned": False,
            "seals": [{"number": "SEAL-1"}],
        }
    ],
}


def _set(doc: dict[str, Any], pointer: tuple[Any, ...], value: Any) -> None:
    target: Any = doc
    for key in pointer[:-1]:
        target = target[key]
    target[pointer[-1]] = value


def _delete(doc: dict[str, Any], pointer: tuple[Any, ...]) -> None:
    target: Any = doc
    for key in pointer[:-1]:
        target = target[key]
    del target[pointer[-1]]


_DELETE = object()

CI = ("consignmentItems", 0)
CARGO = (*CI, "cargoItems", 0)
DG = (*CARGO, "outerPackaging", "dangerousGoods", 0)

# (id, pointer of the change, new value or _DELETE, instance path where the error must be reported)
NEGATIVE_CASES = [
    ("wrong-type", ("isElectronic",), "yes", ("isElectronic",)),
    ("too-long", ("transportDocumentReference",), "X" * 21, ("transportDocumentReference",)),
    ("bad-pattern-nws", ("transportDocumentReference",), " HHL718", ("transportDocumentReference",)),
    (
        "bad-pattern-unlocode",
        ("transports", "portOfLoading", "UNLocationCode"),
        "dkaar",
        ("transports", "portOfLoading", "UNLocationCode"),
    ),
    ("bad-pattern-hscode", (*CI, "HSCodes", 0), "6405", (*CI, "HSCodes", 0)),
    ("missing-required-top", ("carrierCode",), _DELETE, ()),
    (
        "missing-required-nested",
        ("documentParties", "issuingParty", "address"),
        _DELETE,
        ("documentParties", "issuingParty"),
    ),
    ("invalid-enum", ("transportDocumentTypeCode",), "HBL", ("transportDocumentTypeCode",)),
    ("invalid-enum-unit", (*CARGO, "cargoGrossWeight", "unit"), "TON", (*CARGO, "cargoGrossWeight", "unit")),
    ("oneof-both", ("invoicePayableAt",), {"UNLocationCode": "DKAAR", "freeText": "Aarhus"}, ("invoicePayableAt",)),
    ("oneof-neither", ("invoicePayableAt",), {}, ("invoicePayableAt",)),
    ("oneof-dg-both-numbers", (*DG, "NANumber"), "9037", DG),
    (
        "anyof-contact-without-phone-or-email",
        ("partyContactDetails", 0),
        {"name": "Jane Doe"},
        ("partyContactDetails", 0),
    ),
    ("bad-date", ("shippedOnBoardDate",), "2024-13-45", ("shippedOnBoardDate",)),
    ("bad-date-format", ("transports", "plannedArrivalDate"), "07/06/2024", ("transports", "plannedArrivalDate")),
    ("exclusive-minimum", (*CARGO, "cargoGrossWeight", "value"), 0, (*CARGO, "cargoGrossWeight", "value")),
    ("minimum", ("numberOfOriginalsWithCharges",), -1, ("numberOfOriginalsWithCharges",)),
    ("min-items", ("consignmentItems",), [], ("consignmentItems",)),
    (
        "max-items",
        ("documentParties", "notifyParties"),
        [{"partyName": f"N{i}"} for i in range(4)],
        ("documentParties", "notifyParties"),
    ),
    (
        "min-items-consignee-codes",
        ("documentParties", "consignee", "identifyingCodes"),
        [],
        ("documentParties", "consignee", "identifyingCodes"),
    ),
]


def test_valid_document_passes(py_validator: Draft202012Validator, rs_validator: Any) -> None:
    assert _py_errors(py_validator, VALID_TD) == []
    assert _rs_errors(rs_validator, VALID_TD) == []


def test_unknown_properties_and_description_codes_are_accepted(
    py_validator: Draft202012Validator, rs_validator: Any
) -> None:
    doc = copy.deepcopy(VALID_TD)
    doc["x-vendorExtension"] = {"anything": True}
    doc["transportDocumentStatus"] = "NOT_A_LISTED_STATUS"  # codes(desc), checked by business rules
    doc["documentParties"]["shipper"]["eblPlatform"] = "ZZZZ"
    assert _py_errors(py_validator, doc) == []
    assert _rs_errors(rs_validator, doc) == []


@pytest.mark.parametrize(
    ("pointer", "value", "expected_path"),
    [pytest.param(p, v, e, id=i) for i, p, v, e in NEGATIVE_CASES],
)
def test_negative_case_reported_by_both_engines(
    pointer: tuple[Any, ...],
    value: Any,
    expected_path: tuple[Any, ...],
    py_validator: Draft202012Validator,
    rs_validator: Any,
) -> None:
    doc = copy.deepcopy(VALID_TD)
    if value is _DELETE:
        _delete(doc, pointer)
    else:
        _set(doc, pointer, value)
    py_paths = {path for path, _ in _py_errors(py_validator, doc)}
    rs_paths = {path for path, _ in _rs_errors(rs_validator, doc)}
    assert py_paths == {expected_path}
    assert rs_paths == {expected_path}
