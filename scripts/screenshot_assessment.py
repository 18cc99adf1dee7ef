"""Render the sample assessment report as HTML and screenshot it in headless Chromium (for the README).

Usage (from the repository root, with etr and Playwright for Python installed, and Debian's chromium)::

    python scripts/screenshot_assessment.py [--out docs/assessment-report.png] [--html report.html]

The report is ``etr assess samples/pint/valid/5-accepted.json --trust samples/pint/trust --attestation
samples/mletr/attestation.toml --profile sg-eta-2021 --format html`` at a fixed assessment time, so the
picture only changes when the report does. Playwright drives the system's Chromium
(``ETR_CHROMIUM``, default ``/usr/bin/chromium``); no browser is downloaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def sample_report() -> str:
    import etr
    from etr.render.assessment import render_html

    os.chdir(ROOT)  # the report names the files as a user in the repository would
    assessment = etr.assess("samples/pint/valid/5-accepted.json", "samples/pint/trust", profile="sg-eta-2021",
                            attestation="samples/mletr/attestation.toml", at="2026-11-21T12:00:00Z")
    return render_html(assessment)


def screenshot(html: str, out: Path, *, width: int = 1100, height: int = 1500) -> None:
    """The top of the report (``width`` x ``height`` CSS pixels): summary, statement and the first rows."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("ETR_CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_file.as_uri())
                page.screenshot(path=str(out), full_page=False)
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "assessment-report.png")
    parser.add_argument("--html", type=Path, default=None, help="also write the HTML report here")
    args = parser.parse_args(argv)
    html = sample_report()
    if args.html is not None:
        args.html.write_text(html, encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    screenshot(html, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
