"""jsonschema (pure Python) is kept as an independent second engine: on every sample, it must find
schema errors at exactly the places, and for the keywords, where etr (jsonschema-rs) finds them."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import need_shared
from jsonschema import Draft202012Validator

import etr
from etr.schemas import load_schema, pointer

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples" / "ebl").rglob("*.json"))
DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
SCHEMA = dict(load_schema("dcsa-ebl/transport-document.schema.json"))
PYTHON_ENGINE = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def python_errors(doc: Any) -> set[tuple[str, str]]:
    return {(pointer(list(e.absolute_path)), str(e.validator)) for e in PYTHON_ENGINE.iter_errors(doc)}


def etr_errors(doc: Any) -> set[tuple[str, str]]:
    report = etr.validate(doc, family="dcsa-ebl")
    return {(f.location.pointer or "", f.detail["keyword"]) for f in report.findings
            if f.code.startswith("EBL-SCHEMA-") and f.location is not None and f.detail}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engines_agree_on_samples(path: Path) -> None:
    doc = json.loads(path.read_bytes())
    assert etr_errors(doc) == python_errors(doc)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]
    return mutate


MUTATIONS = {
    "reference too long": _set("transportDocumentReference", "X" * 21),
    "reference with spaces": _set("transportDocumentReference", " ABC "),
    "type code not in enum": _set("transportDocumentTypeCode", "XYZ"),
    "boolean as string": _set("isToOrder", "false"),
    "missing transports": _delete("transports"),
    "bad date": _set("transports/plannedArrivalDate", "2025-02-30"),
    "bad UN/LOCODE": _set("transports/portOfLoading/UNLocationCode", "nl rtm"),
    "empty consignment items": _set("consignmentItems", []),
    "negative weight": _set("consignmentItems/0/cargoItems/0/cargoGrossWeight/value", -1),
    "bad HS code": _set("consignmentItems/0/HSCodes/0", "12"),
    "invoicePayableAt matches neither": _set("invoicePayableAt", {}),
    "seal not an object": _set("utilizedTransportEquipments/0/seals/0", "SEAL1"),
    "document is empty": lambda doc: doc.clear(),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_engines_agree_on_mutations(name: str) -> None:
    base = REPO / "samples" / "ebl" / "valid" / "straight-bl.json"
    doc = copy.deepcopy(json.loads(base.read_bytes()))
    MUTATIONS[name](doc)
    expected = python_errors(doc)
    assert expected, "the mutation must break the schema"
    assert etr_errors(doc) == expected


def test_engines_agree_on_official_examples() -> None:
    folder = DATA / "dcsa" / "dcsa-openapi-examples"
    need_shared(folder)
    for path in sorted(folder.glob("EBL_v3*_transport-document_*.json")):
        doc = json.loads(path.read_bytes())
        assert etr_errors(doc) == python_errors(doc) == set(), path.name
