"""Packaged schemas: where they are, and each compiled once per process.

The schema files live in the top-level ``schemas/`` folder of the source tree
and are shipped inside the wheel as ``etr/schemas/``. Compiling is cached, so a
batch of documents pays for it once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EnvironmentProblem
from .model import Finding, Location, Severity


@functools.cache
def schema_root() -> Path:
    """The folder holding the schema files (installed wheel, or source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / "report").is_dir():
            return candidate
    raise EnvironmentProblem("the packaged schemas are missing", code="ETR-SCHEMAS-MISSING",
                             hint="reinstall etr; a wheel must contain etr/schemas/")


@functools.cache
def load_schema(relpath: str) -> Mapping[str, Any]:
    """The parsed schema at ``relpath`` under :func:`schema_root` (cached, do not mutate)."""
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
    """A jsonschema-rs validator for the schema at ``relpath``, built once per process."""
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
    """Every schema file shipped with etr, with the family that uses it."""
    from .families import FAMILY_NAMES, get_family

    for name in FAMILY_NAMES:
        family = get_family(name)
        for relpath in family.schema_files:
            schema = load_schema(relpath)
            yield SchemaInfo(name, family.versions, relpath, str(schema.get("$id", "")), str(schema.get("title", "")))
    report = load_schema(REPORT_SCHEMA)
    yield SchemaInfo("report", ("1",), REPORT_SCHEMA, str(report.get("$id", "")), str(report.get("title", "")))


REPORT_SCHEMA = "report/run-2.schema.json"


# --------------------------------------------------------------------------- errors -> findings

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
    """Turn jsonschema-rs errors into findings coded ``{prefix}-SCHEMA-{KEYWORD}``.

    The instance path becomes a JSON Pointer; the schema path and, for
    ``anyOf``/``oneOf``, the first errors of each branch go into ``detail`` so
    the one-line message stays short.
    """
    for error in errors:
        keyword: str = error.kind.name
        detail: dict[str, Any] = {"keyword": keyword, "schemaPath": pointer(error.schema_path)}
        branches = _branch_summary(error)
        if branches is not None:
            detail["branches"] = branches
        yield Finding(
            f"{prefix}-SCHEMA-{_kebab(keyword)}",
            Severity.ERROR,
            _message(error),
            Location(pointer=pointer(error.instance_path)),
            reference,
            detail,
        )


@functools.cache
def _kebab(keyword: str) -> str:
    out: list[str] = []
    for ch in keyword:
        if ch.isupper() and out:
            out.append("-")
        out.append(ch.upper())
    return "".join(out)
