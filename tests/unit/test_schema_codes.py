"""Schema-error codes are etr's own: a fixed table from JSON Schema keyword to code, one fallback.

An engine upgrade that renames what it reports must not rename a code: an unknown name gives
``…-SCHEMA-OTHER``, and the canary below (every keyword provoked through the engine) fails
loudly if the engine stops reporting a keyword under its JSON Schema name.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
import pytest

from etr.families import REGISTRY, get_family
from etr.schemas import (
    JSON_SCHEMA_CODES,
    OTHER_SUFFIX,
    load_schema,
    schema_code,
    schema_codes,
    schema_findings,
    schema_keywords,
)


def _kebab(keyword: str) -> str:
    """How codes were spelled before the table (camelCase keyword -> KEBAB-CASE): the table keeps them."""
    return re.sub(r"(?<!^)([A-Z])", r"-\1", keyword).upper()


def test_the_table_keeps_every_code_that_existed() -> None:
    for keyword, suffix in JSON_SCHEMA_CODES.items():
        assert suffix == _kebab(keyword), keyword


def test_known_codes_today() -> None:
    codes = {schema_code("EBL", k) for k in ("required", "type", "maxLength", "pattern", "enum", "oneOf", "anyOf",
                                              "format", "minimum", "exclusiveMinimum", "maxItems", "minItems")}
    assert codes == {"EBL-SCHEMA-REQUIRED", "EBL-SCHEMA-TYPE", "EBL-SCHEMA-MAX-LENGTH", "EBL-SCHEMA-PATTERN",
                     "EBL-SCHEMA-ENUM", "EBL-SCHEMA-ONE-OF", "EBL-SCHEMA-ANY-OF", "EBL-SCHEMA-FORMAT",
                     "EBL-SCHEMA-MINIMUM", "EBL-SCHEMA-EXCLUSIVE-MINIMUM", "EBL-SCHEMA-MAX-ITEMS",
                     "EBL-SCHEMA-MIN-ITEMS"}


def _fake_error(keyword: str) -> Any:
    kind = SimpleNamespace(name=keyword, value=None)
    return SimpleNamespace(kind=kind, instance_path=["a", 0], schema_path=["properties", "a"], instance=1,
                           message="1 is not acceptable")


def test_an_unknown_keyword_gets_the_fallback_code() -> None:
    (finding,) = schema_findings(iter([_fake_error("someKeywordFromTheFuture")]), "EBL", "ref")
    assert finding.code == f"EBL-SCHEMA-{OTHER_SUFFIX}" == "EBL-SCHEMA-OTHER"
    assert finding.detail is not None and finding.detail["keyword"] == "someKeywordFromTheFuture"
    assert finding.location is not None and finding.location.pointer == "/a/0"


def test_an_engine_class_name_is_never_a_code() -> None:
    # jsonschema-rs's kinds are classes such as OneOfNotValid or FalseSchema: only the table decides.
    for name in ("OneOfNotValid", "OneOfMultipleValid", "BacktrackLimitExceeded", "Referencing"):
        assert schema_code("EBL", name) == "EBL-SCHEMA-OTHER"


@pytest.mark.parametrize("relpath", [f for e in REGISTRY for f in get_family(e.name).schema_files])
def test_every_keyword_a_packaged_schema_uses_has_its_code(relpath: str) -> None:
    used = schema_keywords(load_schema(relpath))
    assert used, relpath
    assert used <= set(JSON_SCHEMA_CODES), used - set(JSON_SCHEMA_CODES)


def test_schema_keywords_reads_keywords_not_property_names() -> None:
    schema = {"properties": {"pattern": {"type": "string"}, "enum": False}, "required": ["pattern"],
              "$defs": {"x": {"maxLength": 3}}, "enum": [{"minimum": 1}]}
    # "pattern" here is a property name and {"minimum": 1} an enum value: neither counts.
    assert schema_keywords(schema) == {"type", "falseSchema", "required", "maxLength", "enum"}


def test_schema_codes_lists_the_fallback_too() -> None:
    assert schema_codes("PINT", ["required", "type"]) == ("PINT-SCHEMA-OTHER", "PINT-SCHEMA-REQUIRED",
                                                          "PINT-SCHEMA-TYPE")
    assert len(schema_codes("X")) == len(JSON_SCHEMA_CODES) + 1


# Each keyword provoked through the engine, with the code etr gives it.
PROVOKED = [
    ({"type": "string"}, 1, "TYPE"),
    ({"required": ["a"]}, {}, "REQUIRED"),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, "ONE-OF"),
    ({"oneOf": [{"type": "string"}, {"type": "boolean"}]}, 1, "ONE-OF"),
    ({"anyOf": [{"type": "string"}]}, 1, "ANY-OF"),
    ({"properties": {"a": False}}, {"a": 1}, "FALSE-SCHEMA"),
    ({"format": "date"}, "x", "FORMAT"),
    ({"exclusiveMinimum": 0}, 0, "EXCLUSIVE-MINIMUM"),
    ({"minimum": 1}, 0, "MINIMUM"),
    ({"maximum": 1}, 2, "MAXIMUM"),
    ({"maxLength": 1}, "ab", "MAX-LENGTH"),
    ({"minLength": 2}, "a", "MIN-LENGTH"),
    ({"maxItems": 1}, [1, 2], "MAX-ITEMS"),
    ({"minItems": 1}, [], "MIN-ITEMS"),
    ({"pattern": "^a$"}, "b", "PATTERN"),
    ({"enum": ["a"]}, "b", "ENUM"),
    ({"const": 1}, 2, "CONST"),
    ({"not": {}}, 1, "NOT"),
    ({"uniqueItems": True}, [1, 1], "UNIQUE-ITEMS"),
    ({"multipleOf": 2}, 3, "MULTIPLE-OF"),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"b": 1}, "ADDITIONAL-PROPERTIES"),
]


@pytest.mark.parametrize("schema, instance, suffix", PROVOKED, ids=[p[2] for p in PROVOKED])
def test_engine_keywords_map_to_their_codes(schema: dict[str, Any], instance: Any, suffix: str) -> None:
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    codes = {f.code for f in schema_findings(validator.iter_errors(instance), "T", "ref")}
    assert codes == {f"T-SCHEMA-{suffix}"}
