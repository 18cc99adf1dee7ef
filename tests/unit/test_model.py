"""The report model and its documented JSON shape (schemas/report/report-1.schema.json)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import etr
from etr import Finding, Location, Report, Severity
from etr.cli import main
from etr.model import REPORT_FORMAT_VERSION, reports_to_dict, sort_findings

REPO = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = REPO / "schemas" / "report" / "report-1.schema.json"
SAMPLES = sorted((REPO / "samples").glob("*/*/*.json"))


@pytest.fixture(scope="module")
def schema_validator() -> Draft202012Validator:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_conforms(validator: Draft202012Validator, instance: Any) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


ERROR = Finding("EBL-X-Y", Severity.ERROR, "bad", Location(pointer="/a/0", line=3, column=7), "DCSA §1",
                {"keyword": "type", "expected": ["string"]})
WARNING = Finding("EBL-W", Severity.WARNING, "careful")
INFO = Finding("LOAD-BOM", Severity.INFO, "bom ignored", reference="RFC 8259 §8.1")


# --------------------------------------------------------------------------- shapes

def test_finding_to_dict_minimal() -> None:
    assert WARNING.to_dict() == {"code": "EBL-W", "severity": "warning", "message": "careful"}


def test_finding_to_dict_full() -> None:
    assert ERROR.to_dict() == {
        "code": "EBL-X-Y", "severity": "error", "message": "bad",
        "location": {"pointer": "/a/0", "line": 3, "column": 7},
        "reference": "DCSA §1",
        "detail": {"keyword": "type", "expected": ["string"]},
    }
    assert json.loads(json.dumps(ERROR.to_dict())) == ERROR.to_dict()


def test_empty_detail_is_left_out() -> None:
    assert "detail" not in Finding("A-B", Severity.INFO, "m", detail={}).to_dict()


def test_location() -> None:
    assert Location().to_dict() == {}
    assert Location(xpath="/a/b", line=4).to_dict() == {"xpath": "/a/b", "line": 4}
    assert Location(pointer="").to_dict() == {"pointer": ""}  # the whole document
    assert str(Location(pointer="/a", line=2, column=5)) == "/a (line 2:5)"
    assert str(Location(line=2)) == "line 2"
    assert str(Location(pointer="")) == "/"


def test_model_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ERROR.code = "OTHER"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Report("x").source = "y"  # type: ignore[misc]


def test_report_to_dict() -> None:
    report = Report("bl.json", "dcsa-ebl", "3.0.4", (INFO, ERROR, WARNING))
    assert report.to_dict() == {
        "source": "bl.json", "family": "dcsa-ebl", "version": "3.0.4", "valid": False,
        "counts": {"error": 1, "warning": 1, "info": 1},
        "findings": [INFO.to_dict(), ERROR.to_dict(), WARNING.to_dict()],
    }
    assert list(report.to_dict()) == ["source", "family", "version", "valid", "counts", "findings"]


def test_unrecognised_report_has_null_family_and_version() -> None:
    d = Report("<bytes>", findings=(Finding("LOAD-EMPTY", Severity.ERROR, "input is empty"),)).to_dict()
    assert d["family"] is None and d["version"] is None and d["valid"] is False


@pytest.mark.parametrize(("findings", "valid", "strict"), [
    ((), True, True),
    ((INFO,), True, True),
    ((WARNING, INFO), True, False),
    ((ERROR,), False, False),
    ((INFO, WARNING, ERROR), False, False),
])
def test_report_valid_and_passes(findings: tuple[Finding, ...], valid: bool, strict: bool) -> None:
    report = Report("x", findings=findings)
    assert report.valid is valid
    assert report.passes() is valid
    assert report.passes(strict=True) is strict
    assert report.codes == tuple(f.code for f in findings)


def test_sort_findings_is_stable_by_severity() -> None:
    w2 = dataclasses.replace(WARNING, code="EBL-W2")
    assert sort_findings([INFO, WARNING, ERROR, w2]) == (ERROR, WARNING, w2, INFO)


def test_severity_and_outcome_serialise_as_strings() -> None:
    assert str(Severity.ERROR) == "error"
    assert json.dumps({"s": Severity.WARNING}) == '{"s": "warning"}'
    assert [str(o) for o in etr.Outcome] == ["PASS", "FAIL", "WARN", "NOT_EVALUABLE", "ATTESTATION_REQUIRED",
                                              "NOT_APPLICABLE"]


def test_reports_to_dict_conforms(schema_validator: Draft202012Validator) -> None:
    reports = [Report("a", "dcsa-ebl", "3.0.4", (INFO,)), Report("b", findings=(ERROR, WARNING))]
    run = reports_to_dict(reports, tool_version=etr.__version__)
    assert_conforms(schema_validator, run)
    assert run["valid"] is False
    assert run["summary"] == {"inputs": 2, "passed": 1, "failed": 1}
    assert_conforms(schema_validator, reports_to_dict([], tool_version="0"))


def test_a_report_line_needs_format_version(schema_validator: Draft202012Validator) -> None:
    line = Report("a", findings=(ERROR,)).to_dict()
    assert not schema_validator.is_valid(line)
    assert_conforms(schema_validator, {"formatVersion": REPORT_FORMAT_VERSION, **line})


def test_schema_rejects_bad_shapes(schema_validator: Draft202012Validator) -> None:
    good = {"formatVersion": "1.0", **Report("a", findings=(ERROR,)).to_dict()}
    for bad in (
        {**good, "formatVersion": "2.0"},
        {**good, "valid": "no"},
        {**good, "findings": [{**ERROR.to_dict(), "severity": "fatal"}]},
        {**good, "findings": [{**ERROR.to_dict(), "code": "lowercase"}]},
        {**good, "findings": [{**ERROR.to_dict(), "location": {"line": 0}}]},
    ):
        assert not schema_validator.is_valid(bad), bad


# --------------------------------------------------------------------------- real output

HOSTILE: dict[str, bytes] = {
    "laughs.xml": b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>',
    "deep.json": b"[" * 10_000 + b"]" * 10_000,
    "dup.json": b'{"a": 1, "a": 2}',
    "nan.json": b"[NaN]",
    "utf8.json": b'{\n"a": "\xff"}',
    "utf16.json": '{"a": 1}'.encode("utf-16"),
    "surrogate.json": b'["\\ud800"]',
    "empty.json": b"",
    "bigint.json": b"[" + b"1" * 100_000 + b"]",
    "truncated.json": b'{"a": [1,',
    "prose.json": b"hello",
    "pdf.pdf": b"%PDF-1.7\n",
    "syntax.xml": b"<a>\n<b></a>",
    "unknown.json": b'{"hello": "world"}',
    "unknown.xml": b"<invoice/>",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("inputs")
    for name, data in HOSTILE.items():
        (folder / name).write_bytes(data)
    paths = [str(p) for p in SAMPLES]
    if SAMPLES:
        bom = folder / "bom.json"
        bom.write_bytes(b"\xef\xbb\xbf" + SAMPLES[0].read_bytes())
        paths.append(str(bom))
    return [*paths, str(folder), str(folder / "missing.json")]


def _run(args: list[str], stdin: bytes | None = None) -> Any:
    result = CliRunner().invoke(main, args, input=stdin)
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr, result.exception)
    return result


@pytest.mark.parametrize("extra", [[], ["--strict"], ["--fail-on", "info"], ["-q"], ["-j", "2"]],
                         ids=["default", "strict", "fail-on-info", "quiet", "jobs"])
def test_every_json_output_conforms(schema_validator: Draft202012Validator, inputs: list[str],
                                    extra: list[str]) -> None:
    result = _run(["validate", "--format", "json", *extra, *inputs, "-"], stdin=b'{"a": NaN}')
    run = json.loads(result.stdout)
    assert_conforms(schema_validator, run)
    assert run["formatVersion"] == REPORT_FORMAT_VERSION and run["etrVersion"] == etr.__version__
    assert run["summary"]["inputs"] == len(run["reports"]) >= len(HOSTILE) + 2
    assert run["summary"]["passed"] + run["summary"]["failed"] == run["summary"]["inputs"]
    assert run["valid"] is False and result.exit_code == 1
    assert {"<stdin>", inputs[-1]} <= {r["source"] for r in run["reports"]}


@pytest.mark.parametrize("extra", [[], ["--strict"], ["-j", "2"]], ids=["default", "strict", "jobs"])
def test_every_jsonl_line_conforms(schema_validator: Draft202012Validator, inputs: list[str],
                                   extra: list[str]) -> None:
    result = _run(["validate", "--format", "jsonl", *extra, *inputs, "-"], stdin=b"\xef\xbb\xbf[1]")
    lines = result.stdout.splitlines()
    assert len(lines) >= len(HOSTILE) + 2
    for line in lines:
        assert_conforms(schema_validator, json.loads(line))


def test_every_code_matches_the_documented_pattern(inputs: list[str]) -> None:
    import re

    pattern = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$")
    codes = {f.code for r in etr.iter_validate(inputs) for f in r.findings}
    assert {"LOAD-XML-DTD", "LOAD-JSON-DEPTH", "LOAD-NOT-FOUND", "DETECT-UNKNOWN"} <= codes
    assert [c for c in codes if not pattern.match(c)] == []


def test_single_report_conforms(schema_validator: Draft202012Validator) -> None:
    for data in [*HOSTILE.values(), *(p.read_bytes() for p in SAMPLES)]:
        report = etr.validate(data)
        assert_conforms(schema_validator, {"formatVersion": REPORT_FORMAT_VERSION, **report.to_dict()})
