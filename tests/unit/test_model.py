"""The result model (findings, reports, the Result protocol, outcomes, the run summary) and its published
JSON shapes (schemas/report/run-2, validation-2, verification-2, finding-2)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_schemas import FINDING, RUN, VALIDATION, VERIFICATION, assert_conforms, errors, schema

import etr
from etr import Finding, Location, Outcome, Report, Result, Severity, Summary
from etr.cli import main
from etr.model import (
    REPORT_FORMAT_VERSION,
    counts,
    fails,
    outcome_of,
    run_document,
    run_head,
    run_tail,
    sort_findings,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples").glob("ebl/*/*.json"))

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
    assert_conforms(ERROR.to_dict(), FINDING)


def test_terms_and_report_detail_are_published() -> None:
    """EN 16931 findings name the BT-/BG- terms they concern; a report names what the family read
    off the document (syntax, specification identifier, the XSD used)."""
    finding = Finding("BR-CO-10", Severity.ERROR, "sum", Location(xpath="/Invoice[1]", line=2),
                      terms=("BT-106", "BT-131"))
    assert finding.to_dict()["terms"] == ["BT-106", "BT-131"]
    assert_conforms(finding.to_dict(), FINDING)
    report = Report("a.xml", "en16931", "1.3.16", (finding,), profile="EN16931",
                    detail={"syntax": "UBL", "xsd": "UBL-Invoice-2.1.xsd"})
    out = report.to_dict()
    assert out["detail"] == {"syntax": "UBL", "xsd": "UBL-Invoice-2.1.xsd"}
    assert_conforms(out, VALIDATION)
    assert "terms" not in WARNING.to_dict() and "detail" not in Report("b").to_dict()
    from etr.render.validation import report_lines

    lines = report_lines(report, True)
    assert "[en16931 1.3.16 EN16931]" in lines[0]
    assert "BR-CO-10 [BT-106, BT-131] at /Invoice[1] (line 2)" in lines[1]


def test_empty_detail_is_left_out() -> None:
    assert "detail" not in Finding("A-B", Severity.INFO, "m", detail={}).to_dict()


def test_location() -> None:
    assert Location().to_dict() == {}
    assert Location(xpath="/a/b", line=4).to_dict() == {"xpath": "/a/b", "line": 4}
    assert Location(pointer="").to_dict() == {"pointer": ""}  # the whole document
    assert Location(xpath="/r", attachment="factur-x.xml").to_dict() == {"attachment": "factur-x.xml", "xpath": "/r"}
    assert str(Location(pointer="/a", line=2, column=5)) == "/a (line 2:5)"
    assert str(Location(line=2)) == "line 2"
    assert str(Location(pointer="")) == "/"
    assert str(Location(xpath="/r/b", attachment="factur-x.xml", line=9)) == "factur-x.xml:/r/b (line 9)"


def test_model_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ERROR.code = "OTHER"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Report("x").source = "y"  # type: ignore[misc]


def test_report_to_dict_starts_with_kind_source_outcome() -> None:
    report = Report("bl.json", "dcsa-ebl", "3.0.4", (INFO, ERROR, WARNING))
    assert report.to_dict() == {
        "kind": "validation", "source": "bl.json", "outcome": "FAIL", "family": "dcsa-ebl", "version": "3.0.4",
        "valid": False, "counts": {"error": 1, "warning": 1, "info": 1},
        "findings": [INFO.to_dict(), ERROR.to_dict(), WARNING.to_dict()],
    }
    assert list(report.to_dict())[:3] == ["kind", "source", "outcome"]
    assert Report("p.xml", "en16931", "1.3", (), profile="urn:cen.eu:en16931:2017").to_dict()["profile"] \
        == "urn:cen.eu:en16931:2017"
    assert_conforms(report.to_dict(), VALIDATION)


def test_unrecognised_report_has_null_family_and_version() -> None:
    d = Report("<bytes>", findings=(Finding("LOAD-EMPTY", Severity.ERROR, "input is empty"),)).to_dict()
    assert d["family"] is None and d["version"] is None and d["valid"] is False and d["outcome"] == "FAIL"


@pytest.mark.parametrize(("findings", "valid", "strict", "outcome"), [
    ((), True, True, Outcome.PASS),
    ((INFO,), True, True, Outcome.PASS),
    ((WARNING, INFO), True, False, Outcome.WARN),
    ((ERROR,), False, False, Outcome.FAIL),
    ((INFO, WARNING, ERROR), False, False, Outcome.FAIL),
])
def test_report_valid_passes_and_outcome(findings: tuple[Finding, ...], valid: bool, strict: bool,
                                         outcome: Outcome) -> None:
    report = Report("x", findings=findings)
    assert report.valid is valid
    assert report.passes() is valid
    assert report.passes(strict=True) is strict
    assert report.codes == tuple(f.code for f in findings)
    assert report.outcome is outcome is outcome_of(findings)


def test_sort_findings_is_stable_by_severity() -> None:
    w2 = dataclasses.replace(WARNING, code="EBL-W2")
    assert sort_findings([INFO, WARNING, ERROR, w2]) == (ERROR, WARNING, w2, INFO)


def test_severity_and_outcome_serialise_as_strings() -> None:
    assert str(Severity.ERROR) == "error"
    assert json.dumps({"s": Severity.WARNING}) == '{"s": "warning"}'
    assert [str(o) for o in etr.Outcome] == ["PASS", "FAIL", "WARN", "NOT_EVALUABLE", "ATTESTATION_REQUIRED",
                                              "NOT_APPLICABLE"]


def test_counts() -> None:
    assert counts([INFO, ERROR, ERROR, WARNING]) == {"error": 2, "warning": 1, "info": 1}
    assert counts([]) == {"error": 0, "warning": 0, "info": 0}


# --------------------------------------------------------------------------- the Result protocol and fails()

@dataclasses.dataclass(frozen=True)
class Verdict:
    """A result type the model does not know: anything with the protocol's members is a Result."""

    source: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    kind: str = "verification"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "outcome": self.outcome.value}


def test_reports_and_verification_results_are_results() -> None:
    assert isinstance(Report("x"), Result)
    result = etr.verify(b"[]", REPO / "samples" / "pint" / "trust")
    assert isinstance(result, Result) and result.kind == "verification"
    assert list(result.to_dict())[:3] == ["kind", "source", "outcome"]
    assert "format" not in result.to_dict() and "formatVersion" not in result.to_dict()


@pytest.mark.parametrize(("result", "fail_on", "expected"), [
    (Report("a", findings=(ERROR,)), Severity.ERROR, True),
    (Report("a", findings=(WARNING,)), Severity.ERROR, False),
    (Report("a", findings=(WARNING,)), Severity.WARNING, True),
    (Report("a", findings=(INFO,)), Severity.WARNING, False),
    (Report("a", findings=(INFO,)), Severity.INFO, True),
    (Report("a"), Severity.INFO, False),
    # An outcome of FAIL fails whatever the findings say; NOT_EVALUABLE never does by itself.
    (Verdict("v", Outcome.FAIL), Severity.ERROR, True),
    (Verdict("v", Outcome.NOT_EVALUABLE, (INFO,)), Severity.WARNING, False),
    (Verdict("v", Outcome.NOT_EVALUABLE, (INFO,)), Severity.INFO, True),
    (Verdict("v", Outcome.WARN, (WARNING,)), Severity.ERROR, False),
])
def test_fails(result: Result, fail_on: Severity, expected: bool) -> None:
    assert fails(result, fail_on) is expected


# --------------------------------------------------------------------------- summary and run document

def test_summary_counts_inputs_findings_and_top_codes() -> None:
    summary = Summary()
    reports = [Report("a", findings=(ERROR, WARNING, INFO)), Report("b", findings=(WARNING,)),
               Report("c", findings=(dataclasses.replace(ERROR, code="EBL-Z"),)), Report("d")]
    for r in reports:
        summary.add(r, fails(r))
    assert (summary.inputs, summary.passed, summary.failed) == (4, 2, 2)
    assert summary.counts == {"error": 2, "warning": 2, "info": 1}
    # Most frequent first, ties by code; info findings are not counted among the codes.
    assert summary.top_codes() == [("EBL-W", 2), ("EBL-X-Y", 1), ("EBL-Z", 1)]
    assert summary.to_dict() == {"inputs": 4, "passed": 2, "failed": 2,
                                 "findings": {"error": 2, "warning": 2, "info": 1},
                                 "topCodes": [{"code": "EBL-W", "count": 2}, {"code": "EBL-X-Y", "count": 1},
                                              {"code": "EBL-Z", "count": 1}]}


def test_summary_keeps_only_the_most_frequent_codes() -> None:
    summary = Summary()
    for i in range(Summary.TOP_CODES + 3):
        summary.add(Report(str(i), findings=(dataclasses.replace(WARNING, code=f"EBL-W{i}"),) * (i + 1)), False)
    assert [c for c, _ in summary.top_codes()] == [f"EBL-W{i}" for i in range(Summary.TOP_CODES + 2, 2, -1)]


def test_run_document_conforms_and_has_one_bottom_line() -> None:
    reports = [Report("a", "dcsa-ebl", "3.0.4", (INFO,)), Report("b", findings=(ERROR, WARNING))]
    run = run_document(reports, tool_version=etr.__version__, command="validate")
    assert list(run) == ["format", "formatVersion", "etrVersion", "command", "reports", "summary", "outcome"]
    assert run["formatVersion"] == REPORT_FORMAT_VERSION == "2.0"
    assert run["outcome"] == "FAIL" and run["summary"]["failed"] == 1
    assert_conforms(run)
    empty = run_document([], tool_version="0", command="verify")
    assert empty["outcome"] == "PASS" and empty["reports"] == []
    assert_conforms(empty)
    # --fail-on warning: the warning of "b" alone would fail it too; both fail with info.
    assert run_document(reports, tool_version="0", command="validate", fail_on=Severity.INFO)["summary"][
        "failed"] == 2


def test_run_head_and_tail_make_the_streamed_document() -> None:
    summary = Summary()
    summary.add(Report("a"), False)
    streamed = {**run_head("1.2.3", "verify"), "reports": [], **run_tail(summary)}
    assert streamed["outcome"] == "PASS" and streamed["command"] == "verify"


# --------------------------------------------------------------------------- the schemas themselves

def test_every_published_schema_is_a_valid_2020_12_schema() -> None:
    from jsonschema import Draft202012Validator

    for name in (RUN, VALIDATION, VERIFICATION, FINDING):
        Draft202012Validator.check_schema(schema(name))
        assert schema(name)["$id"].endswith(f"/schemas/report/{name}")


def test_schema_rejects_bad_shapes() -> None:
    report = Report("a", findings=(ERROR,)).to_dict()
    line = {"formatVersion": REPORT_FORMAT_VERSION, **report}
    assert_conforms(line)
    run = run_document([Report("a", findings=(ERROR,))], tool_version="0", command="validate")
    for bad in (
        report,  # a line needs formatVersion
        {**line, "formatVersion": "1.0"},
        {**line, "kind": "assessment"},
        {**line, "outcome": "NOT_EVALUABLE"},  # validation outcomes are PASS, WARN, FAIL
        {**line, "valid": "no"},
        {**line, "findings": [{**ERROR.to_dict(), "severity": "fatal"}]},
        {**line, "findings": [{**ERROR.to_dict(), "code": "lowercase"}]},
        {**line, "findings": [{**ERROR.to_dict(), "location": {"line": 0}}]},
        {**run, "outcome": "WARN"},
        {**run, "command": "verify"},  # a verify run holds verification results only
        {k: v for k, v in run.items() if k != "summary"},
        {**run, "summary": {**run["summary"], "topCodes": [{"code": "X-Y", "count": 0}]}},
    ):
        assert errors(bad), bad


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
def test_every_json_output_conforms(inputs: list[str], extra: list[str]) -> None:
    result = _run(["validate", "--format", "json", *extra, *inputs, "-"], stdin=b'{"a": NaN}')
    run = json.loads(result.stdout)
    assert_conforms(run)
    assert run["formatVersion"] == REPORT_FORMAT_VERSION and run["etrVersion"] == etr.__version__
    assert run["command"] == "validate"
    assert run["summary"]["inputs"] == len(run["reports"]) >= len(HOSTILE) + 2
    assert run["summary"]["passed"] + run["summary"]["failed"] == run["summary"]["inputs"]
    assert run["outcome"] == "FAIL" and result.exit_code == 1
    assert {"<stdin>", inputs[-1]} <= {r["source"] for r in run["reports"]}


@pytest.mark.parametrize("extra", [[], ["--strict"], ["-j", "2"]], ids=["default", "strict", "jobs"])
def test_every_jsonl_line_conforms(inputs: list[str], extra: list[str]) -> None:
    result = _run(["validate", "--format", "jsonl", *extra, *inputs, "-"], stdin=b"\xef\xbb\xbf[1]")
    lines = result.stdout.splitlines()
    assert len(lines) >= len(HOSTILE) + 2
    for line in lines:
        assert_conforms(json.loads(line))


def test_every_code_matches_the_documented_pattern(inputs: list[str]) -> None:
    import re

    pattern = re.compile(schema(FINDING)["$defs"]["finding"]["properties"]["code"]["pattern"])
    codes = {f.code for r in etr.iter_validate(inputs) for f in r.findings}
    assert {"LOAD-XML-DTD", "LOAD-JSON-DEPTH", "LOAD-NOT-FOUND", "DETECT-UNKNOWN"} <= codes
    assert [c for c in codes if not pattern.match(c)] == []


def test_single_report_conforms() -> None:
    for data in [*HOSTILE.values(), *(p.read_bytes() for p in SAMPLES)]:
        report = etr.validate(data)
        assert_conforms(report.to_dict(), VALIDATION)
        assert_conforms({"formatVersion": REPORT_FORMAT_VERSION, **report.to_dict()})
