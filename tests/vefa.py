"""A runner for the VEFA test-set format the CEN/TC 434 unit tests use, and the engines the tests compare.

VEFA (anskaffelser/vefa-validator, namespace ``http://difi.no/xsd/vefa/validator/1.0``)::

    testSet @configuration
      assert / scope …            only the scoped rule ids are judged (all, when no scope)
      test
        assert / success X        X must not fire
               / error X  @number n (default 1)   X must fire exactly n times as fatal (error)
               / fatal X, warning X                likewise, as fatal / as a warning
        <the document: a UBL Invoice/CreditNote or CII fragment>

A scoped id that fires without being named by the test is a failure too (vefa keeps unexpected
firings as errors). The documents are fragments, not schema-valid invoices: only the rules run.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from etr.families.en16931.detect import read_invoice
from etr.model import Finding, Severity

VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
_KINDS = {"success": None, "error": Severity.ERROR, "fatal": Severity.ERROR, "warning": Severity.WARNING}
#: CI installs the official extra: then a test that needs saxonche fails instead of skipping.
REQUIRE_OFFICIAL = (os.environ.get("ETR_REQUIRE_OFFICIAL") == "1"
                    or os.environ.get("ETR_REQUIRE_SHARED_DATA") == "1")


def need_official() -> None:
    """Skip the test when saxonche is absent (the ``official`` extra), or fail under CI."""
    from etr.families.en16931.official import available

    if not available():
        message = "saxonche is not installed (pip install 'etr[official]'): the official engine cannot run"
        if REQUIRE_OFFICIAL:
            pytest.fail(message + "; ETR_REQUIRE_SHARED_DATA=1 / ETR_REQUIRE_OFFICIAL=1 make this a failure")
        pytest.skip(message)


@dataclass(frozen=True)
class Expectation:
    kind: str  # success | error | fatal | warning
    rule: str
    number: int


@dataclass(frozen=True)
class VefaTest:
    file: Path
    id: str
    scope: frozenset[str]
    expectations: tuple[Expectation, ...]
    document: Any  # the lxml root of the test's own document

    @property
    def name(self) -> str:
        return f"{self.file.parent.name}/{self.file.name}#{self.id}"


def _scope(assert_element: Any) -> set[str]:
    return {" ".join(s.text.split()) for s in assert_element.iter(f"{VEFA}scope") if s.text and s.text.strip()}


def load_test_set(path: Path) -> list[VefaTest]:
    """The tests of the VEFA test set at ``path``, each with its document parsed on its own."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    assert root.tag == f"{VEFA}testSet", f"{path} is not a VEFA testSet"
    scope: set[str] = set()
    for element in root.findall(f"{VEFA}assert"):
        scope |= _scope(element)
    tests = []
    for number, test in enumerate(root.findall(f"{VEFA}test"), 1):
        expectations = []
        test_scope = set(scope)
        for element in test.findall(f"{VEFA}assert"):
            test_scope |= _scope(element)
            for child in element:
                kind = etree.QName(child).localname
                if kind in _KINDS and child.text and child.text.strip():
                    expectations.append(Expectation(kind, child.text.strip(), int(child.get("number", "1"))))
        documents = [c for c in test if isinstance(c.tag, str) and not c.tag.startswith(VEFA)]
        assert len(documents) == 1, f"{path} test {number}: {len(documents)} documents"
        document = etree.fromstring(etree.tostring(documents[0]))
        tests.append(VefaTest(path, test.get("id", str(number)).strip(), frozenset(test_scope),
                              tuple(expectations), document))
    return tests


def judge(test: VefaTest, findings: Iterable[Finding]) -> list[str]:
    """What is wrong with ``findings`` for ``test`` (empty: the test passes)."""
    fired: Counter[tuple[str, Severity]] = Counter()
    for f in findings:
        if not test.scope or f.code in test.scope:
            fired[(f.code, f.severity)] += 1
    problems = []
    named = set()
    for e in test.expectations:
        named.add(e.rule)
        if e.kind == "success":
            n = sum(c for (code, _), c in fired.items() if code == e.rule)
            if n:
                problems.append(f"{e.rule} must not fire, fired {n} time(s)")
        else:
            severity = _KINDS[e.kind]
            assert severity is not None
            n = fired[(e.rule, severity)]
            if n != e.number:
                problems.append(f"{e.rule} must fire {e.number} time(s) as {severity.value}, fired {n}")
    for (code, severity), n in sorted(fired.items()):
        if code not in named:
            problems.append(f"{code} fired {n} time(s) as {severity.value}, not expected")
    return problems


def syntax_of(root: Any) -> str:
    info = read_invoice(root)
    assert info is not None, f"not an invoice root: {root.tag}"
    return info.syntax


def native_findings(root: Any) -> list[Finding]:
    """The native engine's rule findings for ``root`` (business rules, then syntax-binding rules; no XSD)."""
    from etr.families.en16931.rules import check_business_rules
    from etr.families.en16931.syntax import check_syntax_rules

    syntax = syntax_of(root)
    return [*check_business_rules(root, syntax), *check_syntax_rules(root, syntax)]  # type: ignore[arg-type]


def official_findings(root: Any) -> list[Finding]:
    """The official engine's findings for ``root`` (the official XSLT through saxonche)."""
    from etr.families.en16931.official import check_official

    return check_official(root, syntax_of(root))  # type: ignore[arg-type]


@functools.cache
def official_rule_ids(syntax: str) -> frozenset[str]:
    """The rule ids the official stylesheet for ``syntax`` defines (BR-…, UBL-…, CII-…, FX-SCH-…, PEPPOL-…)."""
    from etr.families.en16931.official import STYLESHEETS
    from etr.families.en16931.xsd import facturx_folder

    text = (facturx_folder() / STYLESHEETS[syntax]).read_text(encoding="utf-8")  # type: ignore[index]
    return frozenset(re.findall(r'<xsl:attribute name="id">([^<]+)</xsl:attribute>', text))


def fatal_ids(findings: Iterable[Finding], vocabulary: frozenset[str]) -> Counter[str]:
    """The multiset of error-severity rule ids among ``findings`` that are in ``vocabulary``."""
    return Counter(f.code for f in findings if f.severity is Severity.ERROR and f.code in vocabulary)


def difference(native: Counter[str], official: Counter[str]) -> str | None:
    """``None`` when the multisets agree, else which ids differ and how."""
    if native == official:
        return None
    only_native = native - official
    only_official = official - native
    return (f"only native: {dict(sorted(only_native.items()))}; "
            f"only official: {dict(sorted(only_official.items()))}")


def vefa_files(folder: Path) -> Iterator[Path]:
    """Every VEFA test set under ``folder`` (files whose root is ``testSet``), sorted."""
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".xml" and b"<testSet" in path.read_bytes()[:2000]:
            yield path


def full_documents(folder: Path) -> Iterator[Path]:
    """Every full invoice under ``folder`` (not a VEFA test set), sorted."""
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".xml" and b"<testSet" not in path.read_bytes()[:2000]:
            yield path
