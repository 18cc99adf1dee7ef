"""The published report schemas (``schemas/report/*-2.schema.json``), loaded for ``jsonschema`` with
their cross-references resolved from the files themselves (nothing is fetched)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPORT_SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "report"
RUN = "run-2.schema.json"
VALIDATION = "validation-2.schema.json"
VERIFICATION = "verification-2.schema.json"
FINDING = "finding-2.schema.json"
OA_VERIFICATION = "oa-verification-2.schema.json"
REGISTRATION = "registration-2.schema.json"
ASSESSMENT = "assessment-2.schema.json"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REPORT_SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


@cache
def registry() -> Registry[Any]:
    names = (RUN, VALIDATION, VERIFICATION, FINDING, OA_VERIFICATION, REGISTRATION, ASSESSMENT)
    resources = [(schema(n)["$id"], Resource.from_contents(schema(n))) for n in names]
    return Registry().with_resources(resources)


@cache
def validator(name: str = RUN) -> Draft202012Validator:
    """A validator of the schema ``name``, its $refs to the sibling files resolved; formats checked."""
    Draft202012Validator.check_schema(schema(name))
    return Draft202012Validator(schema(name), registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(instance: Any, name: str = RUN) -> list[str]:
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in found]


def assert_conforms(instance: Any, name: str = RUN) -> None:
    problems = errors(instance, name)
    assert not problems, "\n".join(problems[:5])
