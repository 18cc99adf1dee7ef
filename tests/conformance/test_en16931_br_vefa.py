"""The EN 16931 business rules against the CEN artefacts' own test data (../shared/data/einvoice).

- every VEFA unit test set (``testSet``): each embedded document fires the scoped BR rules exactly as the
  test expects (``<success>``: not at all; ``<error number=n>``: n times), read with a small local runner
  (inv-core's tests/vefa.py is the project's full runner; this one covers the BR scopes only);
- every CEN example invoice: no business-rule error;
- with saxonche: the native and official rules fire the same multiset of BR ids on every document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SHARED_DATA, need_shared
from en16931_official import official_ids
from lxml import etree

from etr.families.en16931.rules import check_business_rules, fire
from etr.model import Severity

_VEFA = "http://difi.no/xsd/vefa/validator/1.0"
_ROOT = SHARED_DATA / "einvoice" / "en16931"


def _files() -> list[Path]:
    return sorted(p for p in _ROOT.rglob("*") if p.suffix.lower() == ".xml") if _ROOT.exists() else []


def _syntax(root: etree._Element) -> str:
    return "CII" if "CrossIndustryInvoice" in str(root.tag) else "UBL"


def _documents(path: Path) -> Iterator[tuple[str, etree._Element, list[str], list[tuple[str, str, int]]]]:
    """(name, document root, scope, expectations) of each test in a VEFA file, or the file itself."""
    root = etree.parse(str(path)).getroot()
    if root.tag != f"{{{_VEFA}}}testSet":
        yield path.name, root, [], []
        return
    scope = [s.text.strip() for s in root.iterfind(f"{{{_VEFA}}}assert/{{{_VEFA}}}scope") if s.text]
    for test in root.iterfind(f"{{{_VEFA}}}test"):
        document = next(c for c in test if isinstance(c.tag, str) and not c.tag.startswith(f"{{{_VEFA}}}"))
        expectations = [(etree.QName(e).localname, (e.text or "").strip(), int(e.get("number", "1")))
                        for e in test.iterfind(f"{{{_VEFA}}}assert/*")
                        if etree.QName(e).localname in ("success", "error", "warning", "fatal")]
        yield f"{path.name}#{test.get('id')}", etree.fromstring(etree.tostring(document)), scope, expectations


@pytest.fixture(scope="module")
def einvoice_data() -> Path:
    return need_shared(_ROOT)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_vefa_expectations_and_examples(path: Path, einvoice_data: Path) -> None:
    failures = []
    for name, root, scope, expectations in _documents(path):
        fired = Counter(rule for rule, _ in fire(root, _syntax(root)))  # type: ignore[arg-type]
        if not expectations:
            errors = [f.code for f in check_business_rules(root, _syntax(root))  # type: ignore[arg-type]
                      if f.severity is Severity.ERROR]
            assert errors == [], f"{name}: an example invoice fires {errors}"
            continue
        for kind, rule, number in expectations:
            if not rule.startswith("BR-") or (scope and rule not in scope):
                continue  # UBL-*/CII-* syntax rules are checked by the syntax binding's tests
            want = 0 if kind == "success" else number
            if fired[rule] != want:
                failures.append(f"{name}: {rule} fired {fired[rule]} time(s), the test expects {want}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_native_and_official_rules_fire_the_same_ids(path: Path, einvoice_data: Path) -> None:
    differences = []
    for name, root, _, _ in _documents(path):
        syntax = _syntax(root)
        native = Counter(rule for rule, _ in fire(root, syntax))  # type: ignore[arg-type]
        official = official_ids(etree.tostring(root), syntax)
        if native != official:
            differences.append(f"{name}: native only {dict(native - official)}, official only "
                               f"{dict(official - native)}")
    assert not differences, "\n".join(differences)


def test_the_cen_test_data_is_there(einvoice_data: Path) -> None:
    # the parametrized tests above are empty when the data is missing: this one skips (or fails under CI)
    files = _files()
    assert len(files) > 100 and any(p.parent.name == "examples" for p in files)
