"""The certificate samples (samples/certificates/): each valid one is clean, each invalid one raises
its code and no other error or warning, and the build script reproduces the committed files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import etr
from etr.model import Severity

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "certificates"
VALID = {
    "ephyto-export.xml": ("ephyto", "17", None),
    "ubl-certificate-of-origin.xml": ("origin", "ubl-2.1", "UBL"),
    "tradetrust-coo.json": ("origin", "tradetrust", "TradeTrust (raw OpenAttestation v2 data)"),
    "untp-dcc.json": ("untp", "working", "dcc"),
    "untp-dpp.json": ("untp", "working", "dpp"),
}


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_invalid", SAMPLES / "build_invalid.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_invalid"] = module
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_samples_are_clean(name: str) -> None:
    report = etr.validate(SAMPLES / "valid" / name)
    family, version, profile = VALID[name]
    assert (report.family, report.version, report.profile) == (family, version, profile)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    # C5 and C6 are always reported as a lookup to make, never silently passed.
    assert {"CERT-ISSUER-AUTHORITY", "CERT-STATUS"} <= set(report.codes)
    for finding in report.findings:
        if finding.code.startswith("CERT-"):
            assert finding.detail is not None and finding.detail["lookup"] and finding.detail["check"] in \
                ("C4", "C5", "C6")


@pytest.mark.parametrize("code", sorted(BUILD.CASES))
def test_each_invalid_sample_raises_its_code_only(code: str) -> None:
    name, _ = BUILD.build(code)
    report = etr.validate(SAMPLES / "invalid" / name)
    raised = {f.code for f in report.findings if f.severity is not Severity.INFO}
    assert raised == {code}
    assert all(f.location is not None for f in report.findings if f.code == code)


@pytest.mark.parametrize("code", sorted(BUILD.CASES))
def test_the_build_script_reproduces_the_committed_sample(code: str) -> None:
    name, text = BUILD.build(code)
    assert (SAMPLES / "invalid" / name).read_text(encoding="utf-8") == text


def test_every_invalid_file_has_a_case() -> None:
    names = {BUILD.build(code)[0] for code in BUILD.CASES}
    assert {p.name for p in (SAMPLES / "invalid").iterdir()} == names
