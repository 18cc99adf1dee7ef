"""The CEN/TC 434 unit tests (VEFA test sets in ../shared/data/einvoice) with the native engine, and the
CEN example invoices validating without an error finding.

Each test document's scoped rules must fire exactly as the test set says (see tests/vefa.py); a
failure names the file, the test and what differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_DATA, need_shared
from vefa import full_documents, judge, load_test_set, native_findings, vefa_files

import etr
from etr.model import Severity

EINVOICE = SHARED_DATA / "einvoice"


def _params(paths: list[Path]) -> list[object]:
    if not paths:  # the data is absent: one case that skips (or fails under CI)
        return [pytest.param(None, id="shared-data-missing")]
    return [pytest.param(p, id=str(p.relative_to(EINVOICE))) for p in paths]


TEST_SETS = list(vefa_files(EINVOICE)) if EINVOICE.is_dir() else []
EXAMPLES = list(full_documents(EINVOICE)) if EINVOICE.is_dir() else []


def test_the_shared_data_holds_the_cen_tests() -> None:
    need_shared(EINVOICE)
    assert len(TEST_SETS) >= 180 and len(EXAMPLES) >= 10, (len(TEST_SETS), len(EXAMPLES))


@pytest.mark.parametrize("path", _params(TEST_SETS))
def test_vefa_test_set(path: Path | None) -> None:
    need_shared(EINVOICE if path is None else path)
    assert path is not None
    tests = load_test_set(path)
    assert tests, f"{path}: no tests"
    failures = [f"{t.name}: {'; '.join(p)}" for t in tests if (p := judge(t, native_findings(t.document)))]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", _params(EXAMPLES))
def test_cen_example_has_no_error(path: Path | None) -> None:
    need_shared(EINVOICE if path is None else path)
    assert path is not None
    report = etr.validate(path)
    assert report.family == "en16931", report.codes
    errors = [f"{f.code} at {f.location}: {f.message}" for f in report.findings if f.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)
