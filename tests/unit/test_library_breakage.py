"""The library as a developer embedding it calls it: what broke, written down as tests."""

from __future__ import annotations

import datetime
import json
import math
import types
from pathlib import Path
from typing import Any

import pytest

import etr
from etr.load import Limits

REPO = Path(__file__).resolve().parents[2]
STRAIGHT = REPO / "samples" / "ebl" / "valid" / "straight-bl.json"


@pytest.fixture
def bl() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(STRAIGHT.read_bytes())
    return loaded


def _nested(levels: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels):
        node["a"] = {}
        node = node["a"]
    return root


def _cyclic(bl: dict[str, Any]) -> dict[str, Any]:
    looped = dict(bl)
    looped["self"] = looped
    return looped


@pytest.mark.parametrize(("change", "code", "pointer"), [
    (lambda bl: {**bl, "issueDate": datetime.date(2026, 11, 2)}, "LOAD-JSON-TYPE", "/issueDate"),
    (lambda bl: {**bl, "x": {1, 2}}, "LOAD-JSON-TYPE", "/x"),
    (lambda bl: {**bl, "x": [b"bytes"]}, "LOAD-JSON-TYPE", "/x/0"),
    (lambda bl: {**bl, 7: "int key"}, "LOAD-JSON-TYPE", "/"),
    (lambda bl: {**bl, "a/b~": (1, 2)}, "LOAD-JSON-TYPE", "/a~1b~0"),  # a tuple: rules would not see an array
    (lambda bl: {**bl, "declaredValue": math.nan}, "LOAD-JSON-CONSTANT", "/declaredValue"),
    (lambda bl: {**bl, "declaredValue": math.inf}, "LOAD-JSON-CONSTANT", "/declaredValue"),
    (lambda bl: {**bl, "x": "\ud800"}, "LOAD-JSON-SURROGATE", "/x"),
    (lambda bl: {**bl, "x": _nested(100_000)}, "LOAD-JSON-DEPTH", None),
    (_cyclic, "LOAD-JSON-DEPTH", None),
])
def test_a_mapping_that_is_not_json_is_a_load_finding_not_an_internal_error(
        bl: dict[str, Any], change: Any, code: str, pointer: str | None) -> None:
    report = etr.validate(change(bl))
    assert report.codes == (code,), report.findings
    finding = report.findings[0]
    assert "internal" not in finding.message
    if pointer is not None:
        assert finding.location is not None and finding.location.pointer == pointer


def test_a_mapping_obeys_the_depth_limit(bl: dict[str, Any]) -> None:
    assert etr.validate(bl, limits=Limits(max_depth=3)).codes == ("LOAD-JSON-DEPTH",)
    assert etr.validate(bl).valid


def test_any_mapping_at_the_root_is_read_as_an_object(bl: dict[str, Any]) -> None:
    # The signature takes a Mapping: a read-only view of a valid document is that valid document.
    assert etr.validate(types.MappingProxyType(bl)).valid


def test_iter_validate_and_validate_or_raise_check_mappings_too(bl: dict[str, Any]) -> None:
    reports = list(etr.iter_validate([bl, {**bl, "x": object()}]))
    assert [r.codes for r in reports] == [(), ("LOAD-JSON-TYPE",)]
    with pytest.raises(etr.ValidationFailed) as caught:
        etr.validate_or_raise({**bl, "x": object()})
    assert caught.value.report.codes == ("LOAD-JSON-TYPE",)


def test_the_depth_limit_of_a_mapping_is_the_depth_limit_of_its_json_text(bl: dict[str, Any]) -> None:
    raw = STRAIGHT.read_bytes()
    for depth in range(1, 9):
        limits = Limits(max_depth=depth)
        assert etr.validate(bl, limits=limits).codes == etr.validate(raw, limits=limits).codes, depth


@pytest.mark.parametrize("single", ["samples/ebl/valid", STRAIGHT, STRAIGHT.read_bytes(), {"a": 1}])
def test_iter_validate_of_one_input_instead_of_a_list_says_so(single: Any) -> None:
    # A string is iterable: iter_validate("inbox/") validated "i", "n", "b", … each as a missing file.
    with pytest.raises(TypeError, match="list"):
        next(iter(etr.iter_validate(single)))


@pytest.mark.parametrize("first", [b"<a><b></a>", b"<a x='1' x='2'/>"])
def test_an_undefined_entity_is_named_with_its_line(first: bytes) -> None:
    # lxml's iterparse says only "no element found" (at 0:0) for an entity it was told not to resolve;
    # its error log, which holds the cause, also keeps the errors of earlier documents.
    etr.validate(first)
    finding = etr.validate(b"<x>\n\n&unknown;</x>").findings[0]
    assert finding.code == "LOAD-XML-SYNTAX"
    assert "'unknown' not defined" in finding.message, finding.message
    assert finding.location is not None and finding.location.line == 3


def test_an_xml_error_is_this_documents_own() -> None:
    etr.validate(b"<x>&e;</x>")
    message = etr.validate(b"<a/><b/>").findings[0].message
    assert "Extra content" in message and "Entity" not in message, message


def test_a_name_the_system_will_not_look_up_is_a_load_finding(tmp_path: Path) -> None:
    # ENAMETOOLONG: the library door reports it as the CLI does (LOAD-IO), never as an OSError.
    name = str(tmp_path / ("n" * 5000 + ".json"))
    assert etr.validate(name).codes == ("LOAD-IO",)
    assert [r.codes for r in etr.iter_validate([name])] == [("LOAD-IO",)]
