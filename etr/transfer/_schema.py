"""The PINT JSON Schemas (``schemas/dcsa-pint/pint-3.0.schema.json``), one validator per definition.

Each definition is compiled once per process (``functools.cache``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from ..model import Finding
from ..schemas import compile_schema, load_schema, schema_findings

SCHEMA_FILE = "dcsa-pint/pint-3.0.schema.json"
REFERENCE = "DCSA PINT 3.0 (EBL_PINT_v3.0.0.yaml)"

#: Definitions that payloads are checked against.
DEFINITIONS = ("EblEnvelope", "EnvelopeManifest", "EnvelopeTransferChainEntry", "Transaction", "IssuanceManifest",
               "IssueToParty", "TransactionParty", "DocumentMetadata")


@functools.cache
def validator(definition: str) -> Any:
    """A jsonschema-rs validator for ``#/$defs/<definition>``, built once per process."""
    schema = dict(load_schema(SCHEMA_FILE))
    schema["$ref"] = f"#/$defs/{definition}"
    return compile_schema(schema)


def findings(definition: str, instance: Any) -> Iterator[Finding]:
    """Schema findings (``PINT-SCHEMA-…``) for ``instance``; the pointers are relative to it."""
    v = validator(definition)
    if v.is_valid(instance):
        return iter(())
    return schema_findings(v.iter_errors(instance), "PINT", REFERENCE)
