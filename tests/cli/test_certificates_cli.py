"""``etr validate`` on trade certificates through the command line: the family and version named,
precise findings, exit codes, json/jsonl output valid against the published report schemas, -j."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from report_schemas import errors as schema_errors

from etr.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "certificates"
VALID = sorted(str(p) for p in (SAMPLES / "valid").iterdir())
INVALID = sorted(str(p) for p in (SAMPLES / "invalid").iterdir())


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_text_names_format_and_version() -> None:
    result = invoke("validate", *VALID)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ephyto-export.xml: ok [ephyto 17]" in out
    assert "ubl-certificate-of-origin.xml: ok [origin ubl-2.1 UBL]" in out
    assert "untp-dcc.json: ok [untp working dcc]" in out
    assert "tradetrust-coo.json: ok [origin tradetrust" in out
    assert "CERT-ISSUER-AUTHORITY" in out


def test_an_invalid_certificate_fails_with_its_code_and_xpath_line() -> None:
    result = invoke("validate", str(SAMPLES / "invalid" / "PHYTO-LOCODE.xml"))
    assert result.exit_code == 1
    line = next(ln for ln in result.output.splitlines() if ln.startswith("  error   PHYTO-LOCODE"))
    assert "ram:UnloadingBaseportSPSLocation/ram:ID (line " in line and "'Montreal' is not a UN/LOCODE" in line


def test_a_warning_only_certificate_passes_unless_strict() -> None:
    path = str(SAMPLES / "invalid" / "PHYTO-TREATMENT.xml")
    assert invoke("validate", path).exit_code == 0
    assert invoke("validate", "--strict", path).exit_code == 1


def test_json_output_is_valid_against_the_run_schema() -> None:
    result = invoke("validate", "--format", "json", *VALID, *INVALID)
    document = json.loads(result.output)
    assert schema_errors(document) == []
    by_name = {Path(r["source"]).name: r for r in document["reports"]}
    assert by_name["PHYTO-MISSING.xml"]["family"] == "ephyto"
    cert = next(f for f in by_name["untp-dcc.json"]["findings"] if f["code"] == "CERT-STATUS")
    assert cert["detail"]["outcome"] == "NOT_EVALUABLE" and cert["detail"]["check"] == "C6"


def test_jsonl_in_parallel_keeps_order() -> None:
    files = [*VALID, *INVALID]
    result = invoke("validate", "--format", "jsonl", "-j", "2", *files)
    sources = [json.loads(line)["source"] for line in result.output.splitlines()]
    assert sources == files


def test_stdin_is_detected_by_content() -> None:
    data = (SAMPLES / "valid" / "ephyto-export.xml").read_bytes()
    result = invoke("validate", "--format", "jsonl", "-", stdin=data)
    assert json.loads(result.output)["family"] == "ephyto"


def test_a_family_forced_on_the_wrong_document_gives_findings_not_a_crash() -> None:
    result = invoke("validate", "--family", "ephyto", "--format", "jsonl", str(SAMPLES / "valid" / "untp-dcc.json"))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["family"] == "ephyto"
    assert "ETR-INTERNAL" not in {f["code"] for f in report["findings"]}


def test_etr_codes_lists_the_certificate_families() -> None:
    result = invoke("codes", "--family", "ephyto")
    assert result.exit_code == 0 and "PHYTO-MISSING" in result.output
    assert "CERT-STATUS" in invoke("codes", "--family", "certificates").output
