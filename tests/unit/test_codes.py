"""The finding-code catalogue (etr.codes, etr/catalogue/*.toml) and ``etr codes``.

Two proofs keep the catalogue true:

- here, statically: every code written in etr's source (a string literal with the prefix of a catalogue
  family, and the codes each f-string code builder makes) is catalogued;
- dynamically, tests/_code_recorder.py (a pytest plugin loaded by conftest.py): at the end of a run of
  the whole suite, every code the tests made etr emit is catalogued, with the catalogued severity, fault
  group and PINT response code, and every catalogued code was emitted by some test. Codes no test can
  produce go in its NOT_EMITTED_BY_TESTS, with the reason (it is empty: keep it so).

To add a code: write the test that makes etr emit it and add its entry to etr/catalogue/<family>.toml;
the recorder names what is missing.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _code_recorder import NOT_EMITTED_BY_TESTS, paused, problems
from click.testing import CliRunner

import etr
from etr import codes
from etr.cli import main
from etr.codes import CodeInfo, Fault, catalogue, families, lookup, parse_file, select, text_lines, to_document
from etr.errors import EnvironmentProblem, UsageError
from etr.model import Severity
from etr.schemas import JSON_SCHEMA_CODES

REPO = Path(__file__).resolve().parents[2]
ETR = REPO / "etr"
_CODE_SHAPE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")

#: Code-shaped string literals with a catalogue prefix that are not codes etr emits, each with the reason.
#: Keep it small: every entry is a literal the static proof does not check.
NOT_EMITTED: dict[str, str] = {
    "ETR-ERROR": "EtrError's class default: etr names a specific code on every raise",
    "ETR-DOCUMENT": "DocumentError's class default: etr names a specific code on every raise",
    "ETR-ENVIRONMENT": "EnvironmentProblem's class default: etr names a specific code on every raise",
    "ETR-USAGE": "UsageError's class default: etr names a specific code on every raise",
    "REG-ERROR": "RegistryError's class default: etr names a specific registry code on every raise",
    "REG-REFUSED": "RecordingRefused's class default: a refusal always carries its first error finding's code",
    "ETR-NOT-VERIFIED": "VerificationFailed's class default: etr.verify_or_raise gives the result's first error code",
    "MLETR-FAILED": "AssessmentFailed's class default: etr.assess_or_raise gives the first failing requirement's code",
    "LOAD-ERROR": "LoadError's class default: a LoadError is always made with its code",
    "PINT-REFUSED": "TransferRefused's class default: a refusal always carries the violation's code",
    "PINT-FAILED": "EnvelopeVerificationFailed's class default, and the fallback for a FAIL without an error "
                   "finding, which verify_envelope never returns",
}
#: Code-shaped literals without a catalogue prefix that are not codes, each with the reason.
#: EN 16931 business terms and groups (BT-24, BG-25) written in the source for Finding.terms: not codes.
_EN16931_TERM = re.compile(r"B[TG]-[0-9]+")
NOT_CODES: dict[str, str] = {
    "P-256": "the JWK 'crv' name of the EC curve (RFC 7518 §6.2.1.1)",
    # The evidence kinds of the MLETR evidence model (etr.mletr.requirements.EVIDENCE_KINDS).
    **{kind: "an MLETR evidence kind (reference §A6), not a code"
       for kind in ("E-DOC", "E-SIG", "E-CHAIN", "E-REG", "E-ID", "E-PLAT", "E-ATTEST")},
    "DNS-TXT": "an OpenAttestation identityProof type (issuer identity by a DNS TXT record)",
    "DNS-DID": "an OpenAttestation identityProof type (issuer identity by a DID named in DNS)",
    # The suffixes of <PREFIX>-SCHEMA-<SUFFIX>: the schema code builder expands them per family.
    **{suffix: f"suffix of <PREFIX>-SCHEMA-{suffix} (etr.schemas.JSON_SCHEMA_CODES), not a code by itself"
       for suffix in JSON_SCHEMA_CODES.values() if "-" in suffix},
}


# --------------------------------------------------------------------------- the static proof


def _schema_codes() -> set[str]:
    """The codes ``etr.schemas.schema_findings`` makes for each JSON Schema keyword the packaged schemas
    use, asked of the function itself (so a renamed or tabled keyword code is followed), per prefix."""
    from etr.schemas import load_schema, schema_findings

    class Kind:
        context = None

        def __init__(self, name: str) -> None:
            self.name = name

    class Error:
        def __init__(self, keyword: str) -> None:
            self.kind = Kind(keyword)
            self.instance_path: list[str] = []
            self.schema_path = [keyword]
            self.message = "x"
            self.instance = None

    out: set[str] = set()
    for prefix, relpath in (("EBL", "dcsa-ebl/transport-document.schema.json"),
                            ("PINT", "dcsa-pint/pint-3.0.schema.json"),
                            ("UNTP", "untp/dcc-working.schema.json"),
                            ("UNTP", "untp/dpp-working.schema.json")):
        keywords = _assertion_keywords(load_schema(relpath))
        with paused():  # made-up errors: asking the code is not emitting it
            out.update(f.code for f in schema_findings(iter(Error(k) for k in sorted(keywords)), prefix, "-"))
    return out


#: JSON Schema 2020-12 keywords that fail on their own (applicators like allOf/items/properties report
#: their subschemas' errors, annotations never fail).
_ASSERTIONS = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
    "contains", "maxProperties", "minProperties", "required", "dependentRequired", "format", "anyOf", "oneOf",
    "not", "additionalProperties", "propertyNames", "unevaluatedProperties", "unevaluatedItems",
})


def _assertion_keywords(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in _ASSERTIONS:
                    found.add(key)
                if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
                    stack.extend(value.values())
                elif not key.startswith("x-"):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


#: Code builders (f-strings and + chains), by "file:shape" (each placeholder written {}), and the codes
#: each can make. A new builder fails test_every_code_in_the_source_is_catalogued until it is listed here.
def _key_codes() -> set[str]:
    """Every PINT-KEY-… code the verifier derives from a trust store's TRUST-… refusal."""
    from etr.transfer.checks import _key_code

    return {_key_code(c.code) for c in catalogue() if c.code.startswith("TRUST-") and c.code != "TRUST-TIME"}


def _mletr_codes() -> set[str]:
    """The codes of the MLETR requirements that can FAIL or WARN (their data says which)."""
    from etr.mletr import requirements

    return {r.code for r in requirements() if r.code is not None}


BUILDERS: dict[str, Callable[[], set[str]]] = {
    "etr/schemas.py:{}-SCHEMA-{}": _schema_codes,
    "etr/transfer/checks.py:PINT-KEY-{}": _key_codes,
    "etr/mletr/requirements.py:MLETR-{}": _mletr_codes,
}


#: A code with placeholders for what is filled in: "{}-SCHEMA-{}", "PINT-KEY-{}".
_BUILDER_SHAPE = re.compile(r"(?:\{\}|[A-Z][A-Z0-9]*)(?:-(?:\{\}|[A-Z0-9]+)|\{\})+")


def _added(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a chain of ``+`` (``a + b + c`` is ``(a + b) + c``), left to right; the inner
    additions are marked so that only the outermost is read as a whole."""
    parts: list[ast.expr] = []
    left: ast.expr = node
    while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
        parts.insert(0, left.right)
        if isinstance(left.left, ast.BinOp):
            left.left._parent_add = left  # type: ignore[attr-defined]
        left = left.left
    parts.insert(0, left)
    return parts


def _source_codes() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Code-shaped string literals in etr/**/*.py (docstrings left out) -> where they are, and the code
    builders (f-strings and ``+`` chains shaped like a code, e.g. ``f"{prefix}-SCHEMA-{suffix}"`` or
    ``"PINT-KEY-" + suffix``) by "file:shape" (each placeholder written {}) -> where."""
    literals: dict[str, list[str]] = {}
    builders: dict[str, list[str]] = {}
    for path in sorted(ETR.rglob("*.py")):
        _scan(path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8"), literals, builders)
    return literals, builders


def _scan(rel: str, text: str, literals: dict[str, list[str]], builders: dict[str, list[str]]) -> None:
    tree = ast.parse(text, rel)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))  # a docstring
        parts: list[ast.expr] | None = None
        if isinstance(node, ast.JoinedStr):  # f"{prefix}-SCHEMA-{suffix}"
            parts = list(node.values)
            skip.update(id(v) for v in node.values)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
                and not isinstance(getattr(node, "_parent_add", None), ast.BinOp):  # "PINT-KEY-" + suffix
            parts = _added(node)
        if parts is not None:
            shape = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
                            for v in parts)
            if _BUILDER_SHAPE.fullmatch(shape) and "{}" in shape and "-" in shape:
                builders.setdefault(f"{rel}:{shape}", []).append(f"{rel}:{node.lineno}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and _CODE_SHAPE.fullmatch(node.value):
            literals.setdefault(node.value, []).append(f"{rel}:{node.lineno}")


def test_every_code_in_the_source_is_catalogued() -> None:
    literals, builders = _source_codes()
    prefixes = {p for name in families() for p in codes.family_info(name).prefixes}
    unknown_builders = sorted(set(builders) - set(BUILDERS))
    assert not unknown_builders, f"code builders not in BUILDERS (add each with the codes it can make): " \
                                 f"{unknown_builders}"
    stale = sorted(set(BUILDERS) - set(builders))
    assert not stale, f"BUILDERS entries that match no f-string any more (remove them): {stale}"
    made = {code: key for key, builder in BUILDERS.items() for code in builder()}
    assert made, "the code builders made no code"
    emitted = {code: where for code, where in literals.items() if code.split("-", 1)[0] in prefixes}
    emitted.update({code: [f"built by {key}"] for code, key in made.items()})
    missing = sorted(f"{code} ({where[0]})" for code, where in emitted.items()
                     if lookup(code) is None and code not in NOT_EMITTED)
    assert not missing, f"codes in etr's source but not in etr/catalogue/*.toml: {missing}"
    strays = sorted(f"{code} ({where[0]})" for code, where in literals.items()
                    if code.split("-", 1)[0] not in prefixes and code not in NOT_CODES
                    and not _EN16931_TERM.fullmatch(code))
    assert not strays, (f"code-shaped literals whose prefix no catalogue family declares: {strays}; a new "
                        "family's prefix goes in its catalogue file, a literal that is not a code in NOT_CODES")


def test_the_allow_lists_hold_only_what_is_in_the_source_and_give_reasons() -> None:
    literals, _ = _source_codes()
    for allowed in (NOT_EMITTED, NOT_CODES):
        for literal, reason in allowed.items():
            assert literal in literals, f"{literal} is no longer in etr's source: remove it from the allow-list"
            assert len(reason) > 20
    assert not set(NOT_EMITTED) & {c.code for c in catalogue()}, "a catalogued code cannot be 'not emitted'"


def test_the_static_scan_finds_literals_and_builders() -> None:
    source = ('''"""A docstring naming DOC-CODE."""\n'''
              '''def f(x):\n    """DOC-TOO"""\n    raise E("message DEMO-NOT", code="DEMO-RAISED")\n'''
              '''CODES = {"TRUST-A": "PINT-A"}\n'''
              '''def g(kind, n):\n    return "PINT-KEY-" + kind + "-" + n, f"{kind}-SCHEMA-{n}", f"entry {n}"\n''')
    literals: dict[str, list[str]] = {}
    builders: dict[str, list[str]] = {}
    _scan("demo.py", source, literals, builders)
    assert sorted(literals) == ["DEMO-RAISED", "PINT-A", "TRUST-A"]
    assert builders == {"demo.py:PINT-KEY-{}-{}": ["demo.py:7"], "demo.py:{}-SCHEMA-{}": ["demo.py:7"]}
    # And on etr itself: PINT-CHAIN-FORK in the verifier and the schema code builder.
    literals, builders = _source_codes()
    assert any(w.startswith("etr/transfer/") for w in literals["PINT-CHAIN-FORK"])
    assert "etr/schemas.py:{}-SCHEMA-{}" in builders
    assert "EBL-SCHEMA-REQUIRED" in _schema_codes() and "PINT-SCHEMA-PATTERN" in _schema_codes()
    assert "EBL-SCHEMA-CONST" not in _schema_codes()  # no packaged schema uses const


def test_every_schema_keyword_in_use_has_its_own_code() -> None:
    # The <PREFIX>-SCHEMA-OTHER fallback is for keywords outside the table: the packaged schemas use none,
    # which is why NOT_EMITTED_BY_TESTS may list those codes.
    assert not {c for c in _schema_codes() if c.endswith("-SCHEMA-OTHER")}


def test_escape_hatch_entries_are_catalogued_with_a_reason() -> None:
    for key, reason in NOT_EMITTED_BY_TESTS.items():
        code, _, facet = key.partition(":")
        info = lookup(code)
        assert info is not None, f"NOT_EMITTED_BY_TESTS names {code}, which is not catalogued"
        assert not facet or facet in {s.value for s in info.severities} | {f"raised:{f.value}" for f in info.raised}
        assert len(reason) > 20, f"{key}: say why no test can produce it"


# --------------------------------------------------------------------------- the data


def test_catalogue_has_every_family_and_unique_codes() -> None:
    entries = catalogue()
    assert {"certificates", "crypto", "dcsa-ebl", "dcsa-pint", "en16931", "en16931-document", "en16931-syntax",
            "ephyto", "etr", "load", "mletr", "openattestation", "origin", "registry", "untp"} <= set(families())
    assert len({c.code for c in entries}) == len(entries) > 150
    assert catalogue() is entries  # read once per process
    for c in entries:
        assert not c.title.endswith(".") and len(c.title) <= 120, c.code
        assert c.code.split("-", 1)[0] in codes.family_info(c.family).prefixes
        assert bool(c.severities) != bool(c.raised), c.code
        assert c.response_code is None or c.family in ("dcsa-pint", "registry")


def test_lookup_gives_the_entry() -> None:
    fork = lookup("PINT-CHAIN-FORK")
    assert fork is not None
    assert (fork.family, fork.severity, fork.response_code, fork.kind) == ("dcsa-pint", Severity.ERROR, "DISE",
                                                                           "finding")
    legacy = lookup("PINT-LEGACY-TIMESTAMP")
    assert legacy is not None and legacy.severities == (Severity.ERROR, Severity.WARNING) and legacy.note
    usage = lookup("ETR-UNKNOWN-FAMILY")
    assert usage is not None and usage.raised == (Fault.USAGE,) and usage.severity is None and usage.kind == "error"
    assert lookup("EBL-SCHEMA-REQUIRED") is not None
    assert lookup("PINT-NO-SUCH-CODE") is None
    assert lookup("ETR-USAGE") is None  # a class default etr never emits


def test_select_narrows_and_refuses_what_it_does_not_know() -> None:
    pint = select("dcsa-pint")
    assert pint and all(c.family == "dcsa-pint" for c in pint)
    assert [c.code for c in select(None, ["LOAD-EMPTY", "DETECT-UNKNOWN"])] == ["DETECT-UNKNOWN", "LOAD-EMPTY"]
    assert select("load", ["DETECT-UNKNOWN"]) == ()
    assert [c.code for c in select(None, ["load-empty"])] == ["LOAD-EMPTY"]  # as a user might type it
    with pytest.raises(UsageError) as family:
        select("dcsa-nope")
    assert family.value.code == "ETR-UNKNOWN-FAMILY"
    with pytest.raises(UsageError) as code:
        select(None, ["LOAD-EMPTY", "LOAD-NOPE"])
    assert code.value.code == "ETR-UNKNOWN-CODE" and "LOAD-NOPE" in str(code.value)


_GOOD = """
family = "demo"
title = "A demo family"
prefixes = ["DEMO"]

[DEMO-ONE]
severity = ["error", "warning"]
response = "BSIG"
title = "One thing"
reference = "Demo §1"
note = "a warning in legacy mode"

[DEMO-TWO]
raised = "usage"
title = "Two things"
reference = "Demo §2"
"""


def test_a_catalogue_file_is_read_as_documented() -> None:
    info, entries = parse_file("demo.toml", _GOOD)
    assert (info.name, info.title, info.prefixes) == ("demo", "A demo family", ("DEMO",))
    assert entries == (
        CodeInfo("DEMO-ONE", "demo", "One thing", "Demo §1", (Severity.ERROR, Severity.WARNING), (), "BSIG",
                 "a warning in legacy mode"),
        CodeInfo("DEMO-TWO", "demo", "Two things", "Demo §2", (), (Fault.USAGE,)),
    )


@pytest.mark.parametrize(("change", "says"), [
    (lambda t: t.replace('prefixes = ["DEMO"]\n', ""), "exactly the keys"),
    (lambda t: t.replace('family = "demo"', 'family = "Demo Family"'), "lowercase name"),
    (lambda t: t.replace('prefixes = ["DEMO"]', 'prefixes = ["demo"]'), "prefixes"),
    (lambda t: t.replace("[DEMO-TWO]", "[OTHER-TWO]"), "prefixes (DEMO)"),
    (lambda t: t.replace("[DEMO-TWO]", "[DEMO_TWO]"), "is not a code"),
    (lambda t: t.replace('raised = "usage"', 'raised = "usage"\nseverity = "error"'), "not both"),
    (lambda t: t.replace('raised = "usage"\n', ""), "not neither"),
    (lambda t: t.replace('raised = "usage"', 'raised = "caller"'), "'caller' is not one of"),
    (lambda t: t.replace('["error", "warning"]', '["error", "fatal"]'), "'fatal' is not one of"),
    (lambda t: t.replace('["error", "warning"]', '["error", "error"]'), "repeated"),
    (lambda t: t.replace('["error", "warning"]', "[]"), "non-empty list"),
    (lambda t: t.replace('response = "BSIG"', 'response = "RECE"'), "response 'RECE'"),
    (lambda t: t.replace('title = "One thing"', 'title = ""'), "one-line string"),
    (lambda t: t.replace('reference = "Demo §2"\n', ""), "'reference' must be"),
    (lambda t: t.replace('note = "a warning in legacy mode"', 'notes = "x"'), "unknown key(s) notes"),
    (lambda t: t.split("[DEMO-ONE]")[0], "lists no code"),
    (lambda t: t + "\n[DEMO-TWO]\ntitle = 'again'\n", "not TOML"),
])
def test_a_broken_catalogue_file_is_an_environment_problem(change: Callable[[str], str], says: str) -> None:
    with pytest.raises(EnvironmentProblem) as exc:
        parse_file("demo.toml", change(_GOOD))
    assert exc.value.code == "ETR-CATALOGUE-INVALID"
    assert says in str(exc.value) and "demo.toml" in str(exc.value)


def test_files_that_clash_are_refused() -> None:
    other = _GOOD.replace('"demo"', '"other"').replace("DEMO-", "OTHER-").replace('["DEMO"]', '["OTHER"]')
    assert len(codes._build([("demo.toml", _GOOD), ("other.toml", other)])[1]) == 4
    for files, says in (
        ([("demo.toml", _GOOD), ("again.toml", _GOOD.replace('["DEMO"]', '["DEMO2"]').replace("DEMO-", "DEMO2-"))],
         "a family is in two files"),
        ([("demo.toml", _GOOD), ("other.toml", other.replace('["OTHER"]', '["OTHER", "DEMO"]'))],
         "prefix DEMO belongs to demo and other"),
        ([], "empty"),
    ):
        with pytest.raises(EnvironmentProblem, match=says) as exc:
            codes._build(files)
        assert exc.value.code == "ETR-CATALOGUE-INVALID"


def test_text_lines_align_the_columns() -> None:
    chosen = select(None, ["PINT-CHAIN-FORK", "PINT-LEGACY-REASON", "PINT-MODE"])
    lines = list(text_lines(chosen))
    assert len(lines) == 3
    fork, legacy, mode = lines
    assert fork.split()[:3] == ["PINT-CHAIN-FORK", "error", "DISE"]
    assert legacy.split()[:3] == ["PINT-LEGACY-REASON", "error/warning", "BENV"]
    assert mode.split()[:3] == ["PINT-MODE", "raised:", "usage"]
    assert fork.index("error") == legacy.index("error/warning") == mode.index("raised:")
    assert fork.endswith("[DCSA PINT 3.0 (EBL_PINT_v3.0.0.yaml) §2.9 step 3, §2.10 DISE (double-spend risk)]")
    assert list(text_lines(())) == []


def test_the_json_document() -> None:
    doc = to_document(select("load"), etr_version="9.9")
    assert (doc["format"], doc["formatVersion"], doc["etrVersion"]) == ("etr-codes", "1.0", "9.9")
    assert doc["families"] == [{"name": "load", "title": codes.family_info("load").title, "prefixes": ["LOAD"]}]
    bom = next(c for c in doc["codes"] if c["code"] == "LOAD-BOM")
    assert bom == {"code": "LOAD-BOM", "family": "load", "kind": "finding", "severity": "info",
                   "severities": ["info"], "raised": [], "responseCode": None,
                   "title": "A UTF-8 byte order mark was ignored", "reference": "RFC 8259 §8.1"}


# --------------------------------------------------------------------------- etr codes


def test_cli_lists_every_code_one_line_each() -> None:
    result = CliRunner().invoke(main, ["codes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [c.code for c in catalogue()]


def test_cli_family_and_json() -> None:
    result = CliRunner().invoke(main, ["codes", "--family", "dcsa-ebl", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format"] == "etr-codes" and doc["etrVersion"] == etr.__version__
    assert {c["family"] for c in doc["codes"]} == {"dcsa-ebl"}
    assert any(c["code"] == "EBL-SWB-TO-ORDER" for c in doc["codes"])


def test_cli_looks_up_codes() -> None:
    result = CliRunner().invoke(main, ["codes", "PINT-DOCUMENT-MISSING"])
    assert result.exit_code == 0
    assert result.output.split()[:3] == ["PINT-DOCUMENT-MISSING", "error", "MDOC"]


@pytest.mark.parametrize(("args", "code"), [
    (["codes", "--family", "nope"], "ETR-UNKNOWN-FAMILY"),
    (["codes", "PINT-NOPE"], "ETR-UNKNOWN-CODE"),
])
def test_cli_usage_errors_exit_2(args: list[str], code: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert code in result.output and "hint:" in result.output


def test_cli_help_names_every_family_and_only_its_exit_statuses() -> None:
    text = CliRunner().invoke(main, ["codes", "--help"]).output
    assert all(name in text.replace("\n", " ") for name in families())
    assert "0  the codes were listed" in text and "2  usage error" in text and "1  " not in text


def test_help_lists_codes_without_importing_the_catalogue() -> None:
    import subprocess
    import sys

    script = "import sys, etr.cli; etr.cli.main(['--help'], standalone_mode=False); print('etr.codes' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert "codes" in out.stdout and out.stdout.strip().endswith("False")


# --------------------------------------------------------------------------- the recorder's verdict


def _entry(code: str, severities: tuple[Severity, ...] = (), raised: tuple[Fault, ...] = (),
           response: str | None = None) -> CodeInfo:
    return CodeInfo(code, "demo", "t", "r", severities, raised, response)


_DEMO = (
    _entry("DEMO-FINDING", (Severity.ERROR, Severity.WARNING), response="BSIG"),
    _entry("DEMO-RAISED", raised=(Fault.USAGE, Fault.ENVIRONMENT)),
    _entry("DEMO-QUIET", (Severity.INFO,)),
)


def test_recorder_passes_a_catalogue_the_session_bears_out() -> None:
    seen = {"DEMO-FINDING": {"error", "warning", "response:BSIG", "raised:document"},
            "DEMO-RAISED": {"raised:usage", "raised:environment"}, "DEMO-QUIET": {"info"}}
    assert not any(problems(seen, _DEMO, {}).values())


def test_recorder_lists_what_is_wrong() -> None:
    seen = {"DEMO-FINDING": {"error", "info", "response:BENV"}, "DEMO-RAISED": {"raised:document"},
            "DEMO-NEW": {"warning"}, "DEMO-DETAIL": {"detail"}}
    found = problems(seen, _DEMO, {})
    assert found["uncatalogued"] == ["DEMO-DETAIL (detail)", "DEMO-NEW (warning)"]
    assert found["mismatched"] == [
        "DEMO-FINDING: a finding of severity info; catalogued: error/warning",
        "DEMO-FINDING: PINT response BENV; catalogued: BSIG",
        "DEMO-RAISED: raised as a document error; catalogued: usage/environment",
    ]
    assert found["never-emitted"] == ["DEMO-FINDING:warning", "DEMO-RAISED:raised:usage",
                                      "DEMO-RAISED:raised:environment", "DEMO-QUIET"]
    assert found["escape-emitted"] == []


def test_recorder_escape_hatch() -> None:
    seen = {"DEMO-FINDING": {"error", "response:BSIG"}, "DEMO-RAISED": {"raised:other"}}
    escape = {"DEMO-QUIET": "no test can", "DEMO-FINDING:warning": "no test can"}
    found = problems(seen, _DEMO, escape)
    assert not found["never-emitted"]  # an error class outside the groups stands for any group
    seen["DEMO-QUIET"] = {"info"}
    seen["DEMO-FINDING"].add("warning")
    assert problems(seen, _DEMO, escape)["escape-emitted"] == ["DEMO-FINDING:warning", "DEMO-QUIET"]


# --------------------------------------------------------------------------- the recorder's wiring


@pytest.fixture
def recording() -> Any:
    """The recorder's store, emptied for the test and restored after: made-up codes never reach the verdict."""
    import _code_recorder as recorder

    saved = {code: set(facets) for code, facets in recorder._seen.items()}
    recorder._seen.clear()
    yield recorder._seen
    recorder._seen.clear()
    recorder._seen.update(saved)


@pytest.fixture
def as_if_etr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count what this test makes as made by etr (the recorder otherwise leaves test-made codes out)."""
    import _code_recorder as recorder

    monkeypatch.setattr(recorder, "_made_by_tests", lambda depth: False)


def test_recorder_counts_what_etr_makes_not_what_tests_make(recording: dict[str, set[str]]) -> None:
    import dataclasses

    from etr.load import LoadError, load_bytes
    from etr.model import Finding

    sample = Finding("DEMO-SAMPLE", Severity.ERROR, "a model test's sample finding")
    dataclasses.replace(sample, code="DEMO-REPLACED")
    UsageError("a test's own error", code="DEMO-RAISED")
    assert recording == {}
    bom = load_bytes(b"\xef\xbb\xbf{}", "bom.json")  # etr makes the LOAD-BOM finding
    assert bom.findings[0].code == "LOAD-BOM" and recording == {"LOAD-BOM": {"info"}}
    with pytest.raises(LoadError):
        load_bytes(b"", "empty.json")
    assert recording["LOAD-EMPTY"] == {"error", "raised:document"}


@pytest.mark.usefixtures("as_if_etr")
def test_recorder_sees_findings_with_severity_response_and_detail_codes(recording: dict[str, set[str]]) -> None:
    from etr.model import Finding

    Finding("DEMO-FINDING", Severity.WARNING, "m", detail={"responseCode": "BSIG", "trustCode": "DEMO-TRUST",
                                                           "loadCode": "not a code", "entry": 3})
    assert recording == {"DEMO-FINDING": {"warning", "response:BSIG"}, "DEMO-TRUST": {"detail"}}
    with paused():
        Finding("DEMO-PAUSED", Severity.ERROR, "m")
    assert "DEMO-PAUSED" not in recording


@pytest.mark.usefixtures("as_if_etr")
def test_recorder_sees_the_final_code_of_an_error_defined_after_it(recording: dict[str, set[str]]) -> None:
    from etr.errors import DocumentError, EtrError

    class Renamed(DocumentError):  # defined now: wrapped through EtrError.__init_subclass__
        def __init__(self, message: str) -> None:
            super().__init__(message, code="DEMO-FIRST")
            self.code = "DEMO-FINAL"

    class Plain(Renamed):
        pass

    class Outside(EtrError):
        code = "DEMO-OUTSIDE"

    Renamed("x")
    Plain("y")
    Outside("z")
    UsageError("u", code="DEMO-USAGE")
    assert recording == {"DEMO-FINAL": {"raised:document"}, "DEMO-OUTSIDE": {"raised:other"},
                         "DEMO-USAGE": {"raised:usage"}}


@pytest.mark.usefixtures("as_if_etr")
def test_recorder_hears_forked_workers(recording: dict[str, set[str]]) -> None:
    import multiprocessing

    import _code_recorder as recorder

    assert recorder._spool is not None
    before = set(recorder._spool.iterdir())
    child = multiprocessing.get_context("fork").Process(target=_finding_in_child)
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert "DEMO-CHILD" not in recording  # seen only in the child's memory ...
    try:
        recorder._read_spool()  # ... and told through the spool
        assert recording["DEMO-CHILD"] == {"info"}
    finally:
        for path in set(recorder._spool.iterdir()) - before:
            path.unlink()  # the made-up code must not reach the session's verdict


def _finding_in_child() -> None:
    from etr.model import Finding

    Finding("DEMO-CHILD", Severity.INFO, "from a worker")
