"""``etr validate`` on e-invoices, as a new user tries it: an XML invoice, a Factur-X PDF, a folder of
bills of lading and invoices, ``--engine``, ``--schema-version FAMILY=VERSION``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLES
from report_schemas import assert_conforms
from vefa import need_official

from etr.cli import main
from etr.families.en16931 import official

EINV = SAMPLES / "einvoice"
BROKEN = EINV / "invalid" / "BR-CO-10-sum-of-lines.xml"
PDF = EINV / "valid" / "facturx-en16931.pdf"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_an_invoice_prints_rule_id_terms_xpath_and_line() -> None:
    need_official()
    result = invoke("validate", "--engine", "official", str(BROKEN))
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if x.lstrip().startswith("error") and "BR-CO-10" in x)
    assert "[BT-106, BT-131]" in line and "/*/cac:LegalMonetaryTotal" in line and "(line " in line
    assert "[en16931 1.3.16 urn:cen.eu:en16931:2017]" in result.stdout


def test_a_facturx_pdf_validates_and_json_conforms_to_the_schema() -> None:
    result = invoke("validate", "--format", "json", str(PDF))
    document = json.loads(result.stdout)
    assert_conforms(document)
    report = document["reports"][0]
    assert report["family"] == "en16931" and report["profile"] == "Factur-X EN 16931"
    assert report["detail"]["attachment"] == "factur-x.xml" and report["detail"]["engine"] == "native"


def test_a_folder_of_bills_of_lading_and_invoices_in_one_run(tmp_path: Path) -> None:
    for path in [*sorted((SAMPLES / "ebl" / "valid").iterdir())[:2], *sorted((EINV / "valid").iterdir())]:
        shutil.copy(path, tmp_path / path.name)
    result = invoke("validate", "--format", "jsonl", "-j", "2", str(tmp_path))
    families = sorted(json.loads(x)["family"] for x in result.stdout.splitlines() if '"kind"' in x)
    assert families == ["dcsa-ebl"] * 2 + ["en16931"] * 6


def test_schema_version_family_equals_version_in_a_mixed_folder(tmp_path: Path) -> None:
    for path in [next((SAMPLES / "ebl" / "valid").iterdir()), EINV / "valid" / "ubl-invoice.xml"]:
        shutil.copy(path, tmp_path / path.name)
    scoped = invoke("validate", "--format", "jsonl", "--schema-version", "dcsa-ebl=3.0.2", str(tmp_path))
    versions = sorted((r["family"], r["version"]) for r in map(json.loads, scoped.stdout.splitlines()) if "kind" in r)
    assert versions == [("dcsa-ebl", "3.0.2"), ("en16931", "1.3.16")]
    bare = invoke("validate", "--format", "jsonl", "--schema-version", "3.0.2", str(tmp_path))
    assert bare.exit_code == 1  # the invoice was not validated against what was asked: said, not aborted
    codes = [[f["code"] for f in r["findings"]] for r in map(json.loads, bare.stdout.splitlines()) if "kind" in r]
    assert ["DETECT-VERSION-MISMATCH"] in codes and len(codes) == 2


def test_engine_official_without_saxonche_exits_2_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(official, "available", lambda: False)
    result = invoke("validate", "--engine", "official", str(BROKEN))
    assert result.exit_code == 2
    assert "ETR-ENGINE-UNAVAILABLE" in result.stderr and "pip install 'etr[official]'" in result.stderr
    assert result.stdout == ""


def test_engine_choices_are_checked_by_click() -> None:
    assert invoke("validate", "--engine", "fast", str(BROKEN)).exit_code == 2


def test_engine_official_in_worker_processes() -> None:
    need_official()
    result = invoke("validate", "--engine", "official", "-j", "2", "--format", "jsonl", str(EINV / "invalid"))
    reports = [json.loads(x) for x in result.stdout.splitlines() if '"kind"' in x]
    assert result.exit_code == 1 and len(reports) == len(list((EINV / "invalid").iterdir()))
    for report in reports:
        named = Path(report["source"]).name
        assert report["detail"]["engine"] == "official"
        assert any(named.startswith(f["code"] + "-") for f in report["findings"]), (named, report["findings"])


def _pdf_with(name: str, data: bytes) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


UBL = (EINV / "valid" / "ubl-invoice.xml").read_bytes()


@pytest.mark.parametrize(("name", "data", "code"), [
    ("truncated.xml", UBL[: len(UBL) // 2], "LOAD-XML-SYNTAX"),
    ("dtd.xml", UBL.replace(b"?>", b'?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1),
     "LOAD-XML-DTD"),
    ("latin1.xml", UBL.replace(b"Nordhafen", "Nördhafen".encode("latin-1")), "LOAD-XML-SYNTAX"),
    ("broken-facturx.pdf", _pdf_with("factur-x.xml", UBL[:500]), "LOAD-XML-SYNTAX"),
    ("no-invoice.pdf", _pdf_with("factur-x.xml", b"<Order xmlns='urn:example'/>"), "DETECT-UNKNOWN"),
])
@pytest.mark.parametrize("engine", ["native", "official"])
def test_broken_invoices_give_a_finding_and_exit_1(tmp_path: Path, name: str, data: bytes, code: str,
                                                   engine: str) -> None:
    if engine == "official":
        need_official()
    path = tmp_path / name
    path.write_bytes(data)
    result = invoke("validate", "--engine", engine, "--format", "json", str(path))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)["reports"][0]
    assert code in [f["code"] for f in report["findings"]]
    assert "Traceback" not in result.output
