"""XSD as a schema kind: compiled once, errors as findings with XPath and line, no reach outside the folder.

The schemas are the tiny ones in ``tests/assets/xsd`` (written for these tests).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etr.errors import EnvironmentProblem
from etr.load import load_bytes
from etr.model import Finding, Severity
from etr.schemas import compiled_xsd, xsd_findings

XSD = Path(__file__).resolve().parents[1] / "assets" / "xsd"

VALID = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:etr:test:invoice">
  <ID>INV-42</ID>
  <Amount>100.50</Amount>
  <Line qty="2"/>
</Invoice>
"""

INVALID = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:etr:test:invoice">
  <ID>inv-42</ID>
  <Amount>a hundred</Amount>
  <Line qty="2"/>
  <Line qty="0"/>
</Invoice>
"""


def findings(data: bytes) -> list[Finding]:
    schema = compiled_xsd("invoice.xsd", XSD)
    return list(xsd_findings(schema, load_bytes(data).content, "TEST", "test schema"))


def test_compiled_once_per_process() -> None:
    assert compiled_xsd("invoice.xsd", XSD) is compiled_xsd("invoice.xsd", XSD)


def test_a_valid_document_has_no_findings() -> None:
    assert findings(VALID) == []


def test_errors_are_findings_with_xpath_and_line() -> None:
    found = findings(INVALID)
    assert [(f.code, f.severity) for f in found] == [("TEST-SCHEMA-XSD", Severity.ERROR)] * 3
    where = [(f.location.xpath, f.location.line) for f in found]
    assert where == [("/*/*[1]", 3), ("/*/*[2]", 4), ("/*/*[4]", 6)]
    assert "inv-42" in found[0].message and "\n" not in found[0].message
    assert all(f.reference == "test schema" for f in found)
    # libxml2's own error name is detail, never the code.
    assert all(f.detail is not None and f.detail["xsdError"].startswith("SCHEMAV_") for f in found)


def test_xpath_uses_the_documents_prefixes() -> None:
    doc = INVALID.replace(b'<Invoice xmlns="urn:etr:test:invoice">', b'<i:Invoice xmlns:i="urn:etr:test:invoice">')
    doc = doc.replace(b"<ID>", b"<i:ID>").replace(b"</ID>", b"</i:ID>").replace(b"<Amount>", b"<i:Amount>")
    doc = doc.replace(b"</Amount>", b"</i:Amount>").replace(b"<Line", b"<i:Line").replace(b"</Invoice>",
                                                                                        b"</i:Invoice>")
    expected = ["/i:Invoice/i:ID", "/i:Invoice/i:Amount", "/i:Invoice/i:Line[2]"]
    assert [f.location.xpath for f in findings(doc) if f.location] == expected


@pytest.mark.parametrize("name, reached", [
    ("escapes-folder.xsd", "xsd-outside/common.xsd"),
    ("imports-url.xsd", "http://127.0.0.1:9/common.xsd"),
    ("imports-system-file.xsd", "/etc/passwd"),
])
def test_imports_outside_the_folder_are_refused(name: str, reached: str) -> None:
    # Had libxml2 loaded the outside file, the schema would compile (escapes-folder's target is a
    # copy of the good common.xsd): refusing to compile shows nothing outside was read.
    with pytest.raises(EnvironmentProblem) as info:
        compiled_xsd(name, XSD)
    assert info.value.code == "ETR-SCHEMA-INVALID"
    assert reached in str(info.value) and "outside the schema folder" in str(info.value)


def test_the_outside_copy_is_itself_a_good_schema() -> None:
    # The control for the test above: the file escapes-folder.xsd reaches for compiles on its own.
    assert compiled_xsd("common.xsd", XSD.parent / "xsd-outside") is not None


@pytest.mark.parametrize("relpath", ["missing.xsd", "../xsd-outside/common.xsd"])
def test_a_schema_file_must_be_in_the_folder(relpath: str) -> None:
    with pytest.raises(EnvironmentProblem) as info:
        compiled_xsd(relpath, XSD)
    assert info.value.code == "ETR-SCHEMAS-MISSING"
