"""Public certificate files from upstream repositories, read where the user has them (never committed).

ETR_CERT_UPSTREAM names a folder holding, as fetched from the public repositories:

- ``ephyto-api/SPSCertificateContent.xml``: Mattilsynet/ephyto-api (MIT),
  ``src/test/resources/SPSCertificateContent.xml`` @ e8a0096a — the only public ePhyto instance found;
- ``tradetrust-website/coo-selective-disclosure.json``: TradeTrust/tradetrust-website (Apache-2.0)
  ``src/test/fixture/local/v2/coo-selective-disclosure.json`` @ 9ede5054, a wrapped OpenAttestation v2
  certificate of origin (its data is unsalted here the simple way: integrity is the openattestation family's);
- ``spec-untp/*.json``: uncefact/spec-untp (GPL-3.0) @ af6cd474, ``data-models/untp-{dcc,dpp}/artefacts/
  untp-*-instance.json`` and ``website/samples/*.json``.

The tests skip when the variable is unset or a file is absent (these files are not in ../shared/data).
Expected results are what the files contain: the working-model instances are clean; the upstream ePhyto
sample has present-but-empty elements where ISPM 12 requires a value, and a truncated attachment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import etr
from etr.families.origin.tradetrust import check_tradetrust_data, looks_like_coo
from etr.model import Severity

UPSTREAM = Path(os.environ["ETR_CERT_UPSTREAM"]) if os.environ.get("ETR_CERT_UPSTREAM") else None


def need(relpath: str) -> Path:
    path = UPSTREAM / relpath if UPSTREAM is not None else None
    if path is None or not path.is_file():
        pytest.skip(f"upstream certificate file {relpath} not found (set ETR_CERT_UPSTREAM)")
    return path


def errors(report: etr.Report) -> list[tuple[str, str]]:
    return sorted((f.code, f.message) for f in report.findings if f.severity is Severity.ERROR)


def test_the_mattilsynet_ephyto_sample() -> None:
    report = etr.validate(need("ephyto-api/SPSCertificateContent.xml"))
    assert (report.family, report.version) == ("ephyto", "17")
    assert errors(report) == [
        ("PHYTO-ATTACHMENT", "attachment 'UkjentFiltype' is not base64 (54 characters)"),
        ("PHYTO-HS-CODE", "an HS classification without a ClassCode"),
        ("PHYTO-MISSING", "ISPM 12 box 'Date (signature)': ActualDateTime is present but empty"),
    ]


@pytest.mark.parametrize("name, kind", [("untp-dcc-instance.json", "dcc"), ("untp-dpp-instance.json", "dpp")])
def test_the_untp_working_instances_are_clean(name: str, kind: str) -> None:
    report = etr.validate(need(f"spec-untp/{name}"))
    assert (report.family, report.version, report.profile) == ("untp", "working", kind)
    assert errors(report) == []


@pytest.mark.parametrize("name, kind", [("untp-digital-conformity-credential-v0.3.10.json", "dcc"),
                                        ("untp-digital-product-passport-v0.3.10.json", "dpp"),
                                        ("untp-digital-conformity-credential-v0.3.9.json", "dcc"),
                                        ("untp-digital-conformity-credential-v0.3.7.json", "dcc"),
                                        ("untp-digital-product-passport-v0.3.9.json", "dpp")])
def test_older_untp_samples_are_an_unknown_version_not_a_schema_failure(name: str, kind: str) -> None:
    report = etr.validate(need(f"spec-untp/{name}"))
    assert (report.family, report.profile) == ("untp", kind)
    assert "UNTP-VERSION-UNKNOWN" in report.codes
    assert not any(code.startswith("UNTP-SCHEMA-") for code in report.codes)
    # What remains are the samples' own placeholder digests ("6239119" labelled SHA-256).
    assert {code for code, _ in errors(report)} <= {"UNTP-SECURE-LINK"}


def _unsalted(value: Any) -> Any:
    """OpenAttestation v2 values are ``"<salt>:<type>:<value>"``; the value, typed (enough for these checks)."""
    if isinstance(value, dict):
        return {k: _unsalted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsalted(v) for v in value]
    if isinstance(value, str) and value.count(":") >= 2:
        _, kind, text = value.split(":", 2)
        return {"number": lambda: float(text), "boolean": lambda: text == "true", "null": lambda: None,
                "undefined": lambda: None}.get(kind, lambda: text)()
    return value


def test_the_tradetrust_certificate_of_origin_fixture() -> None:
    wrapped = json.loads(need("tradetrust-website/coo-selective-disclosure.json").read_text())
    data = _unsalted(wrapped["data"])
    assert looks_like_coo(data)
    assert check_tradetrust_data(data, "/data") == []
    assert etr.validate(wrapped).family != "origin"  # wrapped: the openattestation family's


@pytest.mark.parametrize("name", ["untp-digital-facility-record-v0.3.10.json",
                                  "untp-digital-facility-record-v0.3.0.json",
                                  "untp-digital-traceability-events-v0.3.10.json",
                                  "untp-digital-traceability-events-v0.3.0.json"])
def test_other_untp_credentials_are_recognised_and_not_failed_against_a_schema(name: str) -> None:
    report = etr.validate(need(f"spec-untp/{name}"))
    assert report.family == "untp" and report.profile in ("dfr", "dte")
    assert "UNTP-TYPE-NOT-SUPPORTED" in report.codes
    assert {code for code, _ in errors(report)} <= {"UNTP-SECURE-LINK"}
