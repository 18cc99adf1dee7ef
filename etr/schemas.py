"""Schema kinds and the packaged schema files: JSON Schema (jsonschema-rs) and XSD (lxml), each compiled once.

The schema files live in the top-level ``schemas/`` folder of the source tree
and are shipped inside the wheel as ``etr/schemas/``. Compiling is cached per
process (``functools.cache`` keyed by the schema file), so a batch pays for it once.

Finding codes are etr's own, never the engine's: a JSON Schema error is coded
``<PREFIX>-SCHEMA-<SUFFIX>`` from the fixed table :data:`JSON_SCHEMA_CODES`
(keyword -> suffix; a keyword missing from it gives ``<PREFIX>-SCHEMA-OTHER``),
so an engine upgrade cannot rename a code. Every XSD error is
``<PREFIX>-SCHEMA-XSD``, located by XPath and line.

XSD files are read with the loader's hardened parser options and a resolver
that serves ``xs:import`` / ``xs:include`` only from files under the schema
folder: nothing is fetched from the network, nothing outside the folder is read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .errors import EnvironmentProblem
from .model import Finding, Location, Severity

if TYPE_CHECKING:
    from lxml import etree


@functools.cache
def schema_root() -> Path:
    """The folder holding the schema files (installed wheel, or source tree).

    Raises:
        EnvironmentProblem: ``ETR-SCHEMAS-MISSING``, the folder is not where a wheel or a checkout has it.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / "report").is_dir():
            return candidate
    raise EnvironmentProblem("the packaged schemas are missing", code="ETR-SCHEMAS-MISSING",
                             hint="reinstall etr; a wheel must contain etr/schemas/")


@functools.cache
def load_schema(relpath: str) -> Mapping[str, Any]:
    """The parsed JSON Schema at ``relpath`` under :func:`schema_root` (cached, do not mutate).

    Raises:
        EnvironmentProblem: ``ETR-SCHEMAS-MISSING``, the file cannot be read.
    """
    path = schema_root() / relpath
    try:
        with open(path, "rb") as fh:
            loaded: dict[str, Any] = json.load(fh)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read schema {relpath}: {exc}", code="ETR-SCHEMAS-MISSING") from None
    return loaded


def compile_schema(schema: dict[str, Any]) -> Any:
    """A jsonschema-rs validator for ``schema``, formats checked. Callers cache the result."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema, validate_formats=True)


@functools.cache
def compiled(relpath: str) -> Any:
    """A jsonschema-rs validator for the JSON Schema at ``relpath``, built once per process."""
    return compile_schema(dict(load_schema(relpath)))


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    """One packaged schema, as listed by ``etr schemas list``."""

    family: str
    versions: tuple[str, ...]
    path: str
    id: str
    title: str


def all_schemas() -> Iterator[SchemaInfo]:
    """Every schema file shipped with etr, with the family that uses it (JSON Schema ``$id`` / ``title``;
    for an XSD, its ``targetNamespace`` as the id)."""
    from .families import FAMILY_NAMES, get_family

    for name in FAMILY_NAMES:
        family = get_family(name)
        for relpath in family.schema_files:
            if relpath.endswith(".xsd"):
                yield SchemaInfo(name, family.versions, relpath, _xsd_target_namespace(relpath), "")
                continue
            schema = load_schema(relpath)
            yield SchemaInfo(name, family.versions, relpath, str(schema.get("$id", "")), str(schema.get("title", "")))
    report = load_schema(REPORT_SCHEMA)
    yield SchemaInfo("report", ("1",), REPORT_SCHEMA, str(report.get("$id", "")), str(report.get("title", "")))


REPORT_SCHEMA = "report/run-2.schema.json"


# --------------------------------------------------------------------------- JSON Schema errors -> findings

#: JSON Schema keyword (draft 2020-12 and the drafts before it) -> the suffix of etr's finding code,
#: ``<PREFIX>-SCHEMA-<SUFFIX>``. Fixed here so that codes never follow an engine's naming; a keyword
#: an engine reports that is not listed gives :data:`OTHER_SUFFIX`. ``falseSchema`` is what an engine
#: reports for a ``false`` subschema (a property forbidden outright).
JSON_SCHEMA_CODES: Mapping[str, str] = MappingProxyType({
    "additionalItems": "ADDITIONAL-ITEMS",
    "additionalProperties": "ADDITIONAL-PROPERTIES",
    "allOf": "ALL-OF",
    "anyOf": "ANY-OF",
    "const": "CONST",
    "contains": "CONTAINS",
    "contentEncoding": "CONTENT-ENCODING",
    "contentMediaType": "CONTENT-MEDIA-TYPE",
    "dependentRequired": "DEPENDENT-REQUIRED",
    "dependentSchemas": "DEPENDENT-SCHEMAS",
    "enum": "ENUM",
    "exclusiveMaximum": "EXCLUSIVE-MAXIMUM",
    "exclusiveMinimum": "EXCLUSIVE-MINIMUM",
    "falseSchema": "FALSE-SCHEMA",
    "format": "FORMAT",
    "if": "IF",
    "items": "ITEMS",
    "maxContains": "MAX-CONTAINS",
    "maxItems": "MAX-ITEMS",
    "maxLength": "MAX-LENGTH",
    "maxProperties": "MAX-PROPERTIES",
    "maximum": "MAXIMUM",
    "minContains": "MIN-CONTAINS",
    "minItems": "MIN-ITEMS",
    "minLength": "MIN-LENGTH",
    "minProperties": "MIN-PROPERTIES",
    "minimum": "MINIMUM",
    "multipleOf": "MULTIPLE-OF",
    "not": "NOT",
    "oneOf": "ONE-OF",
    "pattern": "PATTERN",
    "prefixItems": "PREFIX-ITEMS",
    "propertyNames": "PROPERTY-NAMES",
    "required": "REQUIRED",
    "type": "TYPE",
    "unevaluatedItems": "UNEVALUATED-ITEMS",
    "unevaluatedProperties": "UNEVALUATED-PROPERTIES",
    "uniqueItems": "UNIQUE-ITEMS",
})
#: The suffix for a keyword that is not in :data:`JSON_SCHEMA_CODES`.
OTHER_SUFFIX = "OTHER"
#: The suffix of every XSD validation error.
XSD_SUFFIX = "XSD"


def schema_code(prefix: str, keyword: str) -> str:
    """etr's finding code for a JSON Schema error of ``keyword``: ``<prefix>-SCHEMA-<suffix>``."""
    return f"{prefix}-SCHEMA-{JSON_SCHEMA_CODES.get(keyword, OTHER_SUFFIX)}"


def schema_codes(prefix: str, keywords: Iterator[str] | Sequence[str] | None = None) -> tuple[str, ...]:
    """The codes :func:`schema_findings` can give under ``prefix`` (for ``keywords``, else for every
    listed keyword), with the fallback ``…-SCHEMA-OTHER``, sorted: for the finding-code catalogue."""
    names = JSON_SCHEMA_CODES if keywords is None else keywords
    return tuple(sorted({schema_code(prefix, k) for k in names} | {f"{prefix}-SCHEMA-{OTHER_SUFFIX}"}))


def schema_keywords(schema: Any) -> frozenset[str]:
    """The JSON Schema keywords of :data:`JSON_SCHEMA_CODES` that ``schema`` uses anywhere (plus
    ``falseSchema`` when it has a ``false`` subschema): what its errors can be coded as."""
    found: set[str] = set()
    stack: list[tuple[Any, bool]] = [(schema, False)]
    while stack:
        node, is_map = stack.pop()
        if node is False:
            found.add("falseSchema")
        elif isinstance(node, dict):
            for key, value in node.items():
                if is_map:  # the keys of "properties", "$defs" … are names, not keywords
                    stack.append((value, False))
                    continue
                if key in JSON_SCHEMA_CODES:
                    found.add(key)
                if not key.startswith("x-") and key not in ("enum", "const", "examples", "default"):
                    stack.append((value, key in ("properties", "$defs", "definitions", "patternProperties",
                                                 "dependentSchemas")))
        elif isinstance(node, list):
            stack.extend((item, False) for item in node)
    return frozenset(found)


def pointer(parts: Sequence[str | int]) -> str:
    """An RFC 6901 JSON Pointer for a path of keys and indexes."""
    if not parts:
        return ""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_MAX_MESSAGE = 160


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _branch_summary(error: Any) -> list[list[str]] | None:
    context = getattr(error.kind, "context", None)
    if not context:
        return None
    return [[f"{pointer(e.instance_path) or '/'}: {_message(e)}" for e in branch[:3]] for branch in context]


def _message(error: Any) -> str:
    keyword = error.kind.name
    if keyword in ("anyOf", "oneOf"):
        context = getattr(error.kind, "context", None) or []
        what = "more than one" if type(error.kind).__name__ == "OneOfMultipleValid" else "none"
        return f"{_short(error.instance, 40)} matches {what} of the {len(context) or 'listed'} {keyword} alternatives"
    message: str = error.message
    if len(message) <= _MAX_MESSAGE:
        return message
    return f"{_short(error.instance)} fails {keyword} {_short(getattr(error.kind, 'value', None), 80)}"


def schema_findings(errors: Iterator[Any], prefix: str, reference: str) -> Iterator[Finding]:
    """Turn jsonschema-rs errors into findings coded by :func:`schema_code`.

    The instance path becomes a JSON Pointer; the keyword, the schema path and, for
    ``anyOf``/``oneOf``, the first errors of each branch go into ``detail`` so the
    one-line message stays short.
    """
    for error in errors:
        keyword: str = error.kind.name
        detail: dict[str, Any] = {"keyword": keyword, "schemaPath": pointer(error.schema_path)}
        branches = _branch_summary(error)
        if branches is not None:
            detail["branches"] = branches
        yield Finding(schema_code(prefix, keyword), Severity.ERROR, _message(error),
                      Location(pointer=pointer(error.instance_path)), reference, detail)


# --------------------------------------------------------------------------- XSD

class _FolderResolver:
    """An lxml resolver that serves only files under ``root`` and records what it refused."""

    def __init__(self, root: Path) -> None:
        from lxml import etree

        self.root = root.resolve()
        self.refused: list[str] = []

        outer = self

        class Resolver(etree.Resolver):
            def resolve(self, system_url: str | None, public_id: str | None,  # type: ignore[override]
                        context: Any) -> Any:
                path = outer.local(system_url)
                if path is None:
                    outer.refused.append(str(system_url))
                    # Raising makes libxml2 give up on the resource: nothing else gets to load it.
                    raise PermissionError(f"etr reads schemas only from {outer.root}: {system_url}")
                return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]  # not in the stubs

        self.resolver = Resolver()

    def local(self, url: str | None) -> Path | None:
        """The file under ``root`` that ``url`` names, or ``None`` (another scheme, outside, missing)."""
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            path = self.root / path
        path = path.resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None


@functools.cache
def compiled_xsd(relpath: str, root: Path | None = None) -> etree.XMLSchema:
    """The XSD at ``relpath`` under ``root`` (default :func:`schema_root`), compiled once per process.

    Its ``xs:import`` / ``xs:include`` / ``xs:redefine`` are resolved from files under
    ``root`` only; a reference to anything else (a URL, a file outside) fails the compile.

    Raises:
        EnvironmentProblem: ``ETR-SCHEMAS-MISSING`` (the file is not there) or
            ``ETR-SCHEMA-INVALID`` (it does not compile, or refers outside ``root``).
    """
    from lxml import etree

    from .load import XML_PARSER_OPTIONS

    folder = (root if root is not None else schema_root()).resolve()
    guard = _FolderResolver(folder)
    path = guard.local(str(folder / relpath))
    if path is None:
        raise EnvironmentProblem(f"schema {relpath} is not a file under {folder}", code="ETR-SCHEMAS-MISSING")
    parser = etree.XMLParser(**XML_PARSER_OPTIONS)
    parser.resolvers.add(guard.resolver)
    try:
        document = etree.parse(str(path), parser)
        return etree.XMLSchema(document)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        why = f"it refers outside the schema folder: {', '.join(guard.refused)}" if guard.refused else str(exc)
        raise EnvironmentProblem(f"schema {relpath} does not compile: {why}", code="ETR-SCHEMA-INVALID") from None


def _xsd_target_namespace(relpath: str) -> str:
    """The ``targetNamespace`` of a packaged XSD (``""`` for a schema without one).

    Raises:
        EnvironmentProblem: ``ETR-SCHEMAS-MISSING``, the file cannot be read or parsed.
    """
    from lxml import etree

    from .load import XML_PARSER_OPTIONS

    try:
        root = etree.parse(str(schema_root() / relpath), etree.XMLParser(**XML_PARSER_OPTIONS)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise EnvironmentProblem(f"cannot read schema {relpath}: {exc}", code="ETR-SCHEMAS-MISSING") from None
    return str(root.get("targetNamespace", ""))


_XSD_SEVERITY = {"WARNING": Severity.WARNING}


#: At most this many schema findings per document; the rest are counted in one ``ETR-FINDINGS-LIMIT``.
MAX_SCHEMA_FINDINGS = 1000


def xsd_findings(schema: etree.XMLSchema, root: etree._Element, prefix: str, reference: str) -> Iterator[Finding]:
    """Validate the tree of ``root`` against ``schema``; each error becomes a ``<prefix>-SCHEMA-XSD``
    finding located by XPath (``getpath`` of the element, prefixes as in the document) and line.

    libxml2's own error type goes into ``detail`` (``xsdError``), never into the code.
    """
    tree = root.getroottree()
    if schema.validate(tree):
        return
    errors: list[Any] = list(schema.error_log)  # type: ignore[call-overload]  # iterable; the stubs do not say so
    for listed, entry in enumerate(errors):
        if listed == MAX_SCHEMA_FINDINGS:  # 50,000 bad attributes must not become 21 MB of report
            yield Finding("ETR-FINDINGS-LIMIT", Severity.WARNING,
                          f"{len(errors) - listed} more XSD error{'s' if len(errors) - listed != 1 else ''} not listed "
                          f"(the first {listed} are)",
                          reference=reference, detail={"listed": listed, "total": len(errors)})
            return
        xpath = entry.path or None
        if xpath:
            try:
                nodes = tree.xpath(xpath)
            except Exception:  # an odd path from libxml2: keep it as it is
                nodes = []
            if isinstance(nodes, list) and nodes and hasattr(nodes[0], "getroottree"):
                xpath = tree.getpath(nodes[0])  # type: ignore[arg-type]  # an element, checked above
        yield Finding(f"{prefix}-SCHEMA-{XSD_SUFFIX}", _XSD_SEVERITY.get(entry.level_name, Severity.ERROR),
                      " ".join(entry.message.split())[:300],
                      Location(xpath=xpath, line=entry.line or None), reference,
                      {"xsdError": entry.type_name})
