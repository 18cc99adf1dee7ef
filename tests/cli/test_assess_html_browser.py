"""The HTML assessment report in a real headless Chromium (Debian's ``chromium``, driven by Playwright for
Python): what a person sees, that a document field holding markup shows as text and runs nothing, and
that the report prints.

Skipped when Playwright or the browser is missing, except under CI (``ETR_REQUIRE_SHARED_DATA=1``), where
``.ci/run`` installs both and a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mletr_world as mw
import pytest
from pint_simulator import World

import etr
from etr.render.assessment import render_html

CHROMIUM = os.environ.get("ETR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRED = os.environ.get("ETR_REQUIRE_SHARED_DATA") == "1"


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"the browser test cannot run under CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = World()
    assessments = [etr.assess(json.dumps(build(world)[0]).encode(), world.trust, at=mw.AT, name=name)
                   for name, build in (("clean.json", mw.clean_life_cycle), ("forked.json", mw.forked_chain),
                                       ("hostile.json", mw.hostile_party))]
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(assessments), encoding="utf-8")
    return path


@pytest.fixture()
def page(browser: Any, report: Path) -> Iterator[Any]:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.dialogs = dialogs
    try:
        yield page
    finally:
        page.close()


def test_a_person_sees_the_summary_rows_and_colours(page: Any) -> None:
    assert page.title() == "etr assessment report"
    sections = page.locator("section.assessment")
    assert sections.count() == 3
    clean = sections.nth(0)
    assert clean.locator("h2").inner_text() == "clean.json"
    assert "not a finding of compliance" in clean.locator(".statement").inner_text()
    row = clean.locator('tr[data-requirement="R10-1b-iii-INTEGRITY"]')
    assert row.locator(".badge").inner_text().strip() == "PASS"
    assert row.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(27, 127, 59)"
    forked = sections.nth(1).locator('tr[data-requirement="R11-1a-EXCLUSIVE"] .badge')
    assert forked.inner_text().strip() == "FAIL"
    assert forked.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    attest = clean.locator('tr[data-requirement="R12-b-PROVEN-IN-FACT"] .badge')
    assert attest.inner_text().strip() == "ATTESTATION REQUIRED"
    assert clean.locator("tr.requirement").count() == 27


def test_the_chain_of_holders_is_a_timeline(page: Any) -> None:
    clean = page.locator("section.assessment").nth(0)
    items = clean.locator("ol.timeline li")
    assert items.count() == 6
    assert "ISSUE" in items.nth(0).inner_text() and "SACC" in items.nth(5).inner_text()
    assert "Carrier Line A/S" in clean.locator(".current-holder").inner_text()


def test_a_document_field_holding_script_is_shown_as_text(page: Any) -> None:
    hostile = page.locator("section.assessment").nth(2)
    timeline = hostile.locator("ol.timeline").inner_text()
    assert mw.HOSTILE_NAME in timeline  # the markup, as characters a person can read
    assert page.locator("script").count() == 0 and hostile.locator("ol.timeline i").count() == 0
    assert page.title() == "etr assessment report" and page.dialogs == []


def test_the_report_prints(page: Any) -> None:
    assert not page.locator(".print-only ul.evidence").first.is_visible()
    page.emulate_media(media="print")
    assert page.locator(".print-only ul.evidence").first.is_visible()  # evidence lists open on paper
    assert not page.locator("details").first.is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF-")
