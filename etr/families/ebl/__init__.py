"""DCSA eBL 3.0 transport documents (``TransportDocument``, 3.0.0 to 3.0.4).

Checks run in this order: the project's JSON Schema (jsonschema-rs), then the
business rules of :mod:`etr.families.ebl.rules`. One schema file describes the
3.0.4 superset; properties added by a patch release carry ``x-etr-since``.
For each version a variant of the schema is compiled once, in which

* every object forbids additional properties (those its own ``properties`` and
  its ``anyOf``/``oneOf``/``allOf`` branches do not name), so an unknown property is
  seen (reported as ``EBL-EXTRA-PROPERTY``, info: the standard allows them),
* properties newer than the chosen version are ``false``, so a field from a
  later patch is seen (reported as ``EBL-LATER-VERSION-FIELD``, info).

All other schema errors are errors, coded ``EBL-SCHEMA-<KEYWORD>``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any

from ...load import Document
from .. import Match
from ...model import Finding, Location, Severity
from ...schemas import compile_schema, load_schema, pointer, schema_findings
from .rules import run_rules

SCHEMA_FILE = "dcsa-ebl/transport-document.schema.json"
VERSIONS = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4")
DEFAULT_VERSION = "3.0.4"
_REFERENCE = "DCSA eBL 3.0 TransportDocument (OpenAPI components.schemas.TransportDocument)"
_DETECT_KEYS = ("transportDocumentTypeCode", "documentParties", "utilizedTransportEquipments", "consignmentItems")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


_COMBINATORS = ("anyOf", "oneOf", "allOf")
_MAPS = ("properties", "$defs", "patternProperties")


def _variant(node: Any, version: tuple[int, ...], *, branch: bool = False) -> Any:
    """Copy of a schema node, strict about unknown and too-new properties (see module doc).

    ``additionalProperties: false`` goes on each object schema but not on the
    branches of ``anyOf``/``oneOf``/``allOf``: the object holding the
    combinator lists the names its branches define.
    """
    if isinstance(node, list):
        return [_variant(item, version) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _COMBINATORS and isinstance(value, list):
            out[key] = [_variant(item, version, branch=True) for item in value]
        elif key in _MAPS and isinstance(value, dict):
            out[key] = {name: _variant(sub, version) for name, sub in value.items()}
        else:
            out[key] = _variant(value, version)
    props = out.get("properties")
    if isinstance(props, dict):
        for name, sub in node["properties"].items():
            since = sub.get("x-etr-since") if isinstance(sub, dict) else None
            if since and _version_key(since) > version:
                props[name] = False
    if not branch and (isinstance(props, dict) or any(k in out for k in _COMBINATORS)):
        # Names the branches define count as known here; additionalProperties is much
        # cheaper to evaluate than unevaluatedProperties.
        known = out.setdefault("properties", {})
        for combinator in _COMBINATORS:
            for sub in node.get(combinator) or ():
                for name in (sub.get("properties") or {}) if isinstance(sub, dict) else ():
                    known.setdefault(name, True)
        out["additionalProperties"] = False
    return out


@functools.cache
def _validator(version: str) -> Any:
    base = load_schema(SCHEMA_FILE)
    schema = _variant(copy.deepcopy(dict(base)), _version_key(version))
    # The variant keeps the base $id; give it its own so both may be compiled.
    schema["$id"] = f"urn:etr:dcsa-ebl:transport-document:variant:{version}"
    return compile_schema(schema)


def _since_of(path: list[str | int]) -> str | None:
    """The ``x-etr-since`` of the property at ``path`` (last element), if annotated."""
    return _since_index().get(path[-1]) if path and isinstance(path[-1], str) else None


@functools.cache
def _since_index() -> dict[str, str]:
    """Property name -> the patch version that added it, from the schema's annotations."""
    index: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "x-etr-since" in sub:
                    index.setdefault(name, sub["x-etr-since"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(load_schema(SCHEMA_FILE))
    return index


class EblFamily:
    """The DCSA eBL 3.0 transport document family."""

    name = "dcsa-ebl"
    title = "DCSA eBL 3.0 transport document"
    versions = VERSIONS
    default_version = DEFAULT_VERSION
    schema_files = (SCHEMA_FILE,)

    def detect(self, document: Document) -> Match | None:
        content = document.content
        if (document.syntax == "json" and isinstance(content, dict)
                and "transportDocumentReference" in content
                and any(key in content for key in _DETECT_KEYS)):
            # A TransportDocument does not declare its version: the caller's or the default applies.
            return Match(self.name, None, None, "TransportDocument members")
        return None

    def check(self, document: Document, version: str) -> Iterator[Finding]:
        content = document.content
        validator = _validator(version)
        if not validator.is_valid(content):
            yield from self._schema_findings(validator, content, version)
        yield from run_rules(content, version)

    def _schema_findings(self, validator: Any, content: Any, version: str) -> Iterator[Finding]:
        errors = []
        for error in validator.iter_errors(content):
            keyword = error.kind.name
            path = list(error.instance_path)
            if keyword == "additionalProperties":
                for name in getattr(error.kind, "unexpected", ()):
                    yield Finding("EBL-EXTRA-PROPERTY", Severity.INFO,
                                  f"property {name!r} is not defined by DCSA eBL {version} (allowed, not checked)",
                                  Location(pointer=pointer([*path, name])), _REFERENCE)
            elif keyword == "falseSchema" and (since := _since_of(path)):
                yield Finding("EBL-LATER-VERSION-FIELD", Severity.INFO,
                              f"{path[-1]!r} was added in DCSA eBL {since}; validating against {version}",
                              Location(pointer=pointer(path)), _REFERENCE, {"since": since})
            else:
                errors.append(error)
        yield from schema_findings(iter(errors), "EBL", _REFERENCE)


FAMILY = EblFamily()

__all__ = ["DEFAULT_VERSION", "FAMILY", "VERSIONS", "EblFamily"]
