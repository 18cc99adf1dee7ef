"""The syntax-binding rule tables, compiled once, and the one walk that evaluates them.

A table row (derived at run time by :mod:`.derive`, which describes the vocabulary) names a rule, its flag, the
Schematron pattern and rank of its context, the context path, a check and the checked path. Loading
a table compiles every context path and every checked path into one automaton over element names
(a lazily built DFA: state = the set of pattern positions still alive, one dictionary lookup per
element). :meth:`RuleTable.check` then walks the tree once:

- at each element the automaton says which context paths and which checked paths end there;
- a context path that ends there makes the element a *context node* of its pattern when it is the
  highest-ranked context of that pattern whose predicates hold (Schematron: a node is judged by the
  first rule of a pattern that matches it); the checks on the node itself run at once;
- a checked path that ends there counts one node for the context node it starts from.

A check of one child step (``count(cac:InvoicePeriod) <= 1``) is judged at the context node from
its children's names; a check on the node itself (an attribute, fraction digits, a code list, a
condition in the XPath subset of :mod:`.xpath`) is judged there and then. After the walk every
context node's counts are compared with the bounds. Cost: one dictionary lookup per element plus the
work where something ends; linear in the document; the automaton is shared by all documents.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from etr.model import Finding, Location, Severity

from ..tree import Node, Tree, build, gc_paused
from .derive import SyntaxRulesUnavailable, rows, stylesheet
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

#: Transitions remembered per automaton state: beyond this, a state's next state is computed each time
#: (a hostile stream of distinct element names costs time, not memory).
_MAX_TRANSITIONS = 4096

#: Child-name sequences remembered per context as passing its child rules.
_MAX_SIGNATURES = 256

_PATH_KINDS = frozenset({"absent", "max", "count", "present", "distinct", "equal"})


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
    return all(anc.find(allowance) is None for anc in el.iterancestors(price))


def _empty_leaf(el: etree._Element, doc: Document) -> bool:
    if len(el):
        if any(isinstance(c.tag, str) for c in el):
            return False
        return not string_value(el).strip()
    text = el.text
    return not text or text.isspace()


NATIVE_PREDICATES: dict[str, Predicate] = {
    "not(ancestor::cac:Price/cac:AllowanceCharge)": _not_in_price_allowance,
    "not(*) and not(normalize-space())": _empty_leaf,
}


def _predicate(text: str, ns: Mapping[str, str], native_ok: bool = True) -> Predicate:
    native = NATIVE_PREDICATES.get(text.strip()) if native_ok else None
    if native is not None:
        return native
    try:
        f = compile_xpath(text, ns)
    except XPathSyntaxError as exc:
        raise TableError(str(exc)) from exc
    return lambda el, doc: evaluate_boolean(f, el, doc)


def _name_test(text: str, ns: Mapping[str, str]) -> NameTest:
    """A step's name test: ``cbc:ID``, ``(cac:A|cac:B)``, ``*``, ``*~Suffix`` (a local name ending so),
    each optionally minus exclusions: ``*~Amount-*~PriceAmount``, ``*-cbc:PaymentMeansCode``."""
    head, *rest = _split_exclusions(text)
    excl = tuple(_name_test(r, ns) for r in rest)
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


def compile_path(text: str, ns: Mapping[str, str], native_ok: bool = True) -> list[Path]:
    """The alternatives of a table path (a top-level ``|`` or a first step ``(a|b)``)."""
    out: list[Path] = []
    for alt in _split_top(text.strip(), " | "):
        out.extend(_compile_alternative(alt.strip(), ns, native_ok))
    return out


def _compile_alternative(text: str, ns: Mapping[str, str], native_ok: bool = True) -> list[Path]:
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
        steps.append(Step(_name_test(name, ns), tuple(_predicate(p, ns, native_ok) for p in preds), gap))
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
    #: for a check on the context node itself: ``judge(element, document)`` -> message when broken
    judge: Callable[[etree._Element, Document], str | None] | None = None


@dataclass(eq=False)
class Context:
    pattern: str
    rank: int
    text: str
    paths: list[Path]
    rules: list[Rule] = field(default_factory=list)
    immediate: list[Rule] = field(default_factory=list)
    counted: list[Rule] = field(default_factory=list)
    #: counted rules whose path is one child step (no predicate): judged from the context node's children
    child: list[tuple[Rule, str, str | None, int, int]] = field(default_factory=list)
    #: counted rules (not child ones) that a context node breaks when nothing was counted
    zero: list[Rule] = field(default_factory=list)
    #: whether any rule is checked at this context (set when the table is compiled)
    active: bool = False
    #: whether its rules are all checks on the context node itself (nothing counted below it)
    judges_only: bool = False
    #: "absent @name" rules on the context node itself, by attribute name (judged from its attribute names)
    unwanted_attributes: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    #: child-name sequences known to pass every child rule (None: a child rule looks at attributes)
    passing: set[tuple[Any, ...]] | None = None


class _Pattern:
    """One automaton pattern: a context path, or a context path followed by a rule's path.

    Where each step's element sits on the walk's ancestor stack is fixed by the pattern: steps before
    the last ``//`` count from the root, the others from the current element."""

    __slots__ = ("attribute", "context", "ctx_slot", "key", "pred_slots", "rule", "steps")

    def __init__(self, steps: tuple[Step, ...], context: Context, rule: Rule | None, context_end: int) -> None:
        self.steps = steps
        self.context = context
        self.rule = rule
        self.key = context.pattern
        last_gap = max((i for i, s in enumerate(steps) if s.gap_before), default=-1)
        n = len(steps)

        def slot(i: int) -> tuple[bool, int]:
            return (True, i) if i < last_gap else (False, n - i)

        self.ctx_slot = slot(context_end)
        first = 0 if rule is None else context_end + 1
        self.pred_slots = tuple((*slot(i), steps[i].predicates) for i in range(first, n) if steps[i].predicates)
        self.attribute = rule.path.attribute if rule is not None and rule.path is not None else None


class RuleTable:
    """A compiled syntax table (one syntax). Safe to share between threads: the automaton grows lazily,
    its states under a lock, its transitions idempotently."""

    def __init__(self, name: str, rows: Iterable[Sequence[str]], strict: bool = False) -> None:
        #: strict: none of the shortcuts (native predicates, child-name counting, remembered passing
        #: children, judging before predicates, the any-element fast path): every path goes through the
        #: automaton and every predicate through the XPath subset. The tests prove both ways agree.
        self.strict = strict
        self.name = name
        self.ns = NAMESPACES[name]
        self.reference = REFERENCES[name]
        self.rules: list[Rule] = []
        self.contexts: list[Context] = []
        self._attr_rules: dict[str, list[tuple[Rule, NameTest]]] = {}
        #: contexts that may be any element ("//*[P]"): checked beside the automaton, not through it
        self._every: list[tuple[Context, Predicate]] = []
        by_key: dict[tuple[str, int, str], Context] = {}
        for row in rows:
            code, flag, pattern, rank, ctx_text, check, path_text, terms = row
            key = (pattern, int(rank), ctx_text)
            ctx = by_key.get(key)
            if ctx is None:
                ctx = Context(pattern, int(rank), ctx_text, compile_path(ctx_text, self.ns, not strict))
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
                if not strict and self._every_element(ctx, alt):
                    continue
                self._patterns.append(_Pattern(alt.steps, ctx, None, len(alt.steps) - 1))
            for rule in ctx.counted:
                if rule.path is None:
                    continue
                for alt in ctx.paths:
                    steps = alt.steps + rule.path.steps
                    self._check_positions(steps, rule.code)
                    self._patterns.append(_Pattern(steps, ctx, rule, len(alt.steps) - 1))
        for ctx in self.contexts:
            ctx.rules.sort(key=lambda r: r.index)
            ctx.active = bool(ctx.counted or ctx.child or ctx.immediate or ctx.unwanted_attributes)
            ctx.judges_only = bool(ctx.immediate or ctx.unwanted_attributes) and not ctx.counted and not ctx.child
            if not strict and ctx.child and all(attribute is None for _, _, attribute, _, _ in ctx.child):
                ctx.passing = set()
        # the automaton: state 0 is the document node
        self._states: list[frozenset[tuple[int, int]]] = []
        self._state_ids: dict[tuple[frozenset[tuple[int, int]], tuple[int, ...]], int] = {}
        self._trans: list[dict[str, int]] = []
        self._plans: list[_Plan | Context | None] = []
        self._lock = threading.Lock()
        self._floating = frozenset((i, 0) for i, p in enumerate(self._patterns) if p.steps and p.steps[0].gap_before)
        self._state(frozenset((i, 0) for i in range(len(self._patterns)) if self._patterns[i].steps), ())

    def _every_element(self, ctx: Context, alt: Path) -> bool:
        if len(alt.steps) != 1 or not alt.steps[0].gap_before or not alt.steps[0].test.any_name:
            return False
        step = alt.steps[0]
        if step.test.exclude or len(step.predicates) != 1 or ctx.counted or len(ctx.paths) != 1:
            return False
        self._every.append((ctx, step.predicates[0]))
        return True

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
                self._immediate(rule)
                return
            paths = compile_path(text, self.ns, not self.strict)
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
            step = path.steps[0]
            if (not self.strict and len(path.steps) == 1 and not step.gap_before and not step.predicates
                    and len(step.test.names) == 1):
                (tag,) = step.test.names
                if not step.test.any_name and step.test.suffix is None and not step.test.exclude:
                    low, high = _ALLOWED[rule.kind](rule.bound)
                    ctx.child.append((rule, tag, path.attribute, low, high))
                    return
            ctx.counted.append(rule)
            if _verdict(rule, ()) is not None:
                ctx.zero.append(rule)
        elif rule.kind in ("digits", "codelist"):
            if rule.path_text.startswith("@"):
                rule.attribute = _clark(rule.path_text[1:], self.ns)
            elif rule.path_text != ".":
                raise TableError(f"{rule.code}: {rule.kind} applies to '.' or an attribute")
            self._immediate(rule)
        elif rule.kind == "test":
            try:
                rule.test = compile_xpath(rule.path_text, self.ns)
            except XPathSyntaxError as exc:
                raise TableError(f"{rule.code}: {exc}") from exc
            self._immediate(rule)
        elif rule.kind in ("fail", "unused"):
            self._immediate(rule)
        else:
            raise TableError(f"{rule.code}: unknown check {rule.kind!r}")

    def _immediate(self, rule: Rule) -> None:
        rule.judge = _judge(rule)
        ctx = rule.context
        if rule.kind == "absent" and rule.attribute is not None and not self.strict:
            ctx.unwanted_attributes[rule.attribute] = (*ctx.unwanted_attributes.get(rule.attribute, ()), rule)
            return
        ctx.immediate.append(rule)

    # automaton ---------------------------------------------------------------------------------
    def _state(self, items: frozenset[tuple[int, int]], done: tuple[_Pattern, ...]) -> int:
        """The id of the state (alive pattern positions, patterns completed on entering it)."""
        key = (items, tuple(id(p) for p in done))
        sid = self._state_ids.get(key)
        if sid is None:
            with self._lock:  # the three lists grow together, also when threads share the table
                sid = self._state_ids.get(key)
                if sid is None:
                    sid = len(self._states)
                    self._states.append(items)
                    self._trans.append({})
                    self._plans.append(_plan(done, self.strict))
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
        new = self._state(frozenset(nxt), tuple(done))
        trans = self._trans[sid]
        if len(trans) < _MAX_TRANSITIONS:  # element names never seen in an invoice must not grow it forever
            trans[tag] = new
        return new

    # the walk ----------------------------------------------------------------------------------
    def check(self, root: etree._Element, tree: Tree | None = None) -> list[Finding]:
        """Every finding of this table on the tree under ``root`` (sorted by line). The walk goes over the
        mirror of ``root`` (:mod:`..tree`: element names and children without lxml's per-access cost):
        ``tree`` when the caller has built it, else one built here."""
        if tree is not None:
            run = _Run(self, root, tree)
            run.walk(tree.root)
            return run.finish()
        with gc_paused():  # the mirror is freed before the collector resumes (see ..tree.gc_paused)
            tree = build(root)
            try:
                run = _Run(self, root, tree)
                run.walk(tree.root)
                findings = run.finish()
            finally:
                tree.release()
                del tree
        return findings


_Plan = tuple[tuple[tuple[Any, ...], ...], tuple[_Pattern, ...]]


def _plan(done: tuple[_Pattern, ...], strict: bool = False) -> _Plan | Context | None:
    """What to do at an element where the patterns ``done`` end: per Schematron pattern, the contexts
    in rank order (cut after the first one without predicates: lower ones can never be chosen), and
    the rule paths that end there."""
    if not done:
        return None
    groups: dict[str, list[_Pattern]] = {}
    rules: list[_Pattern] = []
    for pat in done:
        if pat.rule is None:
            groups.setdefault(pat.key, []).append(pat)
        else:
            rules.append(pat)
    contexts: list[tuple[Any, ...]] = []
    for pats in groups.values():
        pats.sort(key=lambda p: -p.context.rank)
        chain: list[tuple[Context, tuple[Any, ...]]] = []
        for p in pats:
            chain.append((p.context, p.pred_slots))
            if not p.pred_slots:
                break
        # how the group is decided at such an element (first candidate that holds wins):
        ctx, pred_slots = chain[0]
        if strict:
            contexts.append((_CHAIN, tuple(chain)))
        elif len(chain) == 1 and not ctx.active:
            continue  # nothing to check, nothing below it to shadow
        elif len(chain) == 1 and not pred_slots:
            contexts.append((_DIRECT, ctx))
        elif len(chain) == 1 and ctx.judges_only:
            contexts.append((_JUDGE_FIRST, ctx, pred_slots))
        else:
            contexts.append((_CHAIN, tuple(chain)))
    if not contexts and not rules:
        return None
    if not strict and len(contexts) == 1 and contexts[0][0] == _DIRECT and not rules:
        only: Context = contexts[0][1]
        return only  # the common case: one context, chosen outright
    return tuple(contexts), tuple(rules)


#: How a plan decides a Schematron pattern's context at an element (see :func:`_plan`).
_DIRECT, _JUDGE_FIRST, _CHAIN = 0, 1, 2


@functools.cache
def _codedb() -> dict[int, frozenset[str]]:
    """The Factur-X code lists (``FACTUR-X_EN16931_codedb.xml`` beside the CII stylesheet in factur-x).

    Raises :class:`TableError` when the file cannot be read or parsed (the table is then refused)."""
    source = stylesheet("cii").parent / "FACTUR-X_EN16931_codedb.xml"
    try:
        tree = etree.fromstring(source.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise TableError(f"the Factur-X code lists {source} cannot be read: {exc}") from None
    out: dict[int, frozenset[str]] = {}
    for cl in tree.iter("cl"):
        out[int(cl.get("id", "0"))] = frozenset(e.get("value", "") for e in cl.iter("enumeration"))
    return out


def _judge(rule: Rule) -> Callable[[etree._Element, Document], str | None]:
    """The check of ``rule`` on its context node itself, as ``judge(element, document) -> message``."""
    kind, bound, attribute, path = rule.kind, rule.bound, rule.attribute, rule.path_text
    if kind in _PATH_KINDS:
        assert attribute is not None
        if kind == "absent":
            what = "must not" if rule.severity is Severity.ERROR else "should not"
            return lambda el, doc: None if el.get(attribute) is None else f"attribute {path} {what} be used here"
        if kind == "present":
            return lambda el, doc: None if el.get(attribute) is not None else f"attribute {path} is required here"
        raise TableError(f"{rule.code}: {kind} of an attribute of the context node")
    if kind == "digits":

        def digits(el: etree._Element, doc: Document) -> str | None:
            value = string_value(el) if attribute is None else (el.get(attribute) or "")
            _, dot, fraction = value.partition(".")
            if dot and len(fraction) > bound:
                return f"{value.strip()!r} has more than {bound} fraction digits"
            return None

        return digits
    if kind == "codelist":
        codes = _codedb().get(bound)
        if codes is None:
            raise TableError(f"{rule.code}: no Factur-X code list {bound}")
        where = "" if attribute is None else f" (attribute {path})"

        def codelist(el: etree._Element, doc: Document) -> str | None:
            value = string_value(el) if attribute is None else (el.get(attribute) or "")
            if value and value not in codes:
                return f"{value!r}{where} is not a code of Factur-X code list {bound}"
            return None

        return codelist
    if kind == "test":
        test = rule.test
        assert test is not None
        message = f"the condition of {rule.code} does not hold: {path}"
        return lambda el, doc: None if evaluate_boolean(test, el, doc) else message
    if kind == "fail":
        return lambda el, doc: "an element with no content (no child element and no text)"
    if kind == "unused":
        return lambda el, doc: f"{_prefixed(el)} is not used in this context (Factur-X EN16931 profile)"
    raise TableError(f"{rule.code}: unknown check {kind!r}")


def _unwanted_message(rule: Rule) -> str:
    what = "must not" if rule.severity is Severity.ERROR else "should not"
    return f"attribute {rule.path_text} {what} be used here"


def _prefixed(el: etree._Element) -> str:
    q = etree.QName(el)
    return f"{el.prefix}:{q.localname}" if el.prefix else q.localname


def _ancestry(node: Node) -> list[Node]:
    """The node's ancestors from the root of the walk (the mirror's root: the element checked, maybe
    inside a larger tree) down, then the node."""
    chain = [node]
    parent = node.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    chain.reverse()
    return chain


class _Run:
    """The state of one check: context nodes chosen, counts, findings."""

    def __init__(self, table: RuleTable, root: etree._Element, tree: Tree) -> None:
        self.t = table
        self.root = root
        self.doc = Document(root, tree.by_element)
        self.chosen: dict[tuple[str, int], Context] = {}
        self.instances: list[tuple[Context, etree._Element]] = []
        self.counts: dict[tuple[int, int], list[Any]] = {}
        self.findings: list[tuple[int, Finding]] = []

    def walk(self, top: Node) -> None:
        """Walk the tree whose root is ``top`` (the mirror of ``self.root``)."""
        t = self.t
        tag = self.root.tag
        if not isinstance(tag, str):
            return
        sid = t._trans[0].get(tag)
        if sid is None:
            sid = t._advance(0, tag)
        plan = t._plans[sid]
        if isinstance(plan, Context):
            self._choose(plan, self.root, top)
        elif plan is not None:
            self._act(plan, self.root, top)
        for ctx, pred in t._every:
            if pred(self.root, self.doc):
                self._choose(ctx, self.root, top)
        if t._attr_rules:
            self._attributes(self.root, self.root.keys(), tag)
        self._descend(top, sid)

    def _descend(self, top: Node, sid: int) -> None:
        # iterative (an explicit stack of child iterators): a deep document cannot exhaust Python's stack
        t = self.t
        transitions = t._trans
        plans = t._plans
        attr = self._attributes if t._attr_rules else None
        # "any element" contexts: the empty-leaf predicate (PEPPOL-EN16931-R008) is inlined
        every = [(ctx, pred) for ctx, pred in t._every if pred is not _empty_leaf]
        empty_leaf = [ctx for ctx, pred in t._every if pred is _empty_leaf]
        doc = self.doc
        # the mirror's children are the elements only (no comments or processing instructions), in order
        stack: list[tuple[Iterator[Node], int]] = [(iter(top.children), sid)]
        while stack:
            nodes, sid = stack[-1]
            trans = transitions[sid]
            for node in nodes:
                tag = node.tag
                child = node.el
                nsid = trans.get(tag)
                if nsid is None:
                    nsid = t._advance(sid, tag)
                plan = plans[nsid]
                if plan is not None:
                    if plan.__class__ is Context:
                        self._choose(plan, child, node)
                    else:
                        self._act(plan, child, node)  # type: ignore[arg-type]
                if attr is not None:
                    names = child.keys()
                    if names:
                        attr(child, names, tag)
                inner = node.children
                if inner or ((empty_leaf or every) and len(child)):  # lxml's len: comments and PIs too
                    if empty_leaf and child[0].tag.__class__ is not str and _empty_leaf(child, doc):
                        for ctx in empty_leaf:  # only comments or processing instructions inside
                            self._choose(ctx, child, node)
                    if every:
                        for ctx, pred in every:
                            if pred(child, doc):
                                self._choose(ctx, child, node)
                    if inner:
                        stack.append((iter(inner), nsid))
                        break
                    continue
                if empty_leaf:
                    text = child.text
                    if not text or text.isspace():
                        for ctx in empty_leaf:
                            self._choose(ctx, child, node)
                if every:
                    for ctx, pred in every:
                        if pred(child, doc):
                            self._choose(ctx, child, node)
            else:
                stack.pop()

    def _attributes(self, el: etree._Element, names: Sequence[Any], tag: str) -> None:
        """Count ``el``'s attributes (``names``, from lxml's ``keys()``; ``tag``: its name) for the rules
        whose path ends in one."""
        for name in names:
            entries = self.t._attr_rules.get(name)
            if not entries:
                continue
            for rule, test in entries:
                if not test.accepts(tag):
                    continue
                if self.chosen.get((rule.context.pattern, id(self.root))) is not rule.context:
                    continue
                self._count(rule, self.root, el)

    def _act(self, plan: _Plan, el: etree._Element, node: Node) -> None:
        contexts, rules = plan
        doc = self.doc
        for decision in contexts:
            how = decision[0]
            if how == _DIRECT:
                self._choose(decision[1], el, node)
            elif how == _JUDGE_FIRST:
                # the only candidate, judged on the node itself: judge first, and look at the (costlier)
                # predicates only when something is to be reported
                ctx, pred_slots = decision[1], decision[2]
                if ctx.unwanted_attributes and el.keys() and self._holds(pred_slots, el, node, doc):
                    for name in el.keys():  # noqa: SIM118
                        for rule in ctx.unwanted_attributes.get(name, ()):
                            self._report(rule, el, _unwanted_message(rule))
                for rule in ctx.immediate:
                    message = rule.judge(el, doc)
                    if message is not None and self._holds(pred_slots, el, node, doc):
                        self._report(rule, el, message)
            else:
                for ctx, pred_slots in decision[1]:
                    if pred_slots and not self._holds(pred_slots, el, node, doc):
                        continue
                    if ctx.active:  # a context without rules only keeps lower-ranked ones from being chosen
                        self._choose(ctx, el, node)
                    break
        if not rules:
            return
        chosen = self.chosen
        chain: list[Node] | None = None
        for pat in rules:
            if pat.attribute is not None and el.get(pat.attribute) is None:
                continue
            from_root, off = pat.ctx_slot
            if from_root:
                if chain is None:
                    chain = _ancestry(node)
                ctx_el = chain[off].el
            else:
                up = node
                for _ in range(off - 1):
                    up = up.parent  # type: ignore[assignment]
                ctx_el = up.el
            if chosen.get((pat.key, id(ctx_el))) is not pat.context:
                continue
            if pat.pred_slots and not self._holds(pat.pred_slots, el, node, doc):
                continue
            assert pat.rule is not None
            self._count(pat.rule, ctx_el, el)

    @staticmethod
    def _holds(pred_slots: tuple[Any, ...], el: etree._Element, node: Node, doc: Document) -> bool:
        """Whether the predicates of a path hold at its steps, the path ending at ``el`` (mirror ``node``)."""
        chain: list[Node] | None = None
        for from_root, off, preds in pred_slots:
            if from_root:
                if chain is None:
                    chain = _ancestry(node)
                at = chain[off].el
            else:
                up = node
                for _ in range(off - 1):
                    up = up.parent  # type: ignore[assignment]
                at = up.el
            for p in preds:
                if not p(at, doc):
                    return False
        return True

    def _choose(self, ctx: Context, el: etree._Element, node: Node) -> None:
        """Make ``el`` (whose mirror is ``node``) a context node of ``ctx``: judge its children's names
        and the checks on the node itself."""
        if ctx.counted:
            self.chosen[(ctx.pattern, id(el))] = ctx
            self.instances.append((ctx, el))
        if ctx.child:
            memo = ctx.passing
            if memo is not None:
                # the child rules judge only the names of the children: a sequence of names once found
                # to pass them all passes again (invoice lines repeat the same shape)
                signature = tuple([c.tag for c in node.children])
                if signature in memo:
                    self._judge_node(ctx, el)
                    return
            kids = node.kids
            passed = True
            for rule, tag, attribute, low, high in ctx.child:
                named = kids.get(tag, ())
                n = len(named)
                if n and attribute is not None:
                    n = sum(1 for c in named if c.el.get(attribute) is not None)
                if not low <= n <= high:
                    passed = False
                    nodes = [c.el for c in named if attribute is None or c.el.get(attribute) is not None]
                    verdict = _verdict(rule, nodes)
                    if verdict is not None:
                        target, text = verdict
                        self._report(rule, target if target is not None else el, text)
            if passed and memo is not None and len(memo) < _MAX_SIGNATURES:
                memo.add(signature)
        self._judge_node(ctx, el)

    def _judge_node(self, ctx: Context, el: etree._Element) -> None:
        unwanted = ctx.unwanted_attributes
        if unwanted and el.keys():
            for name in el.keys():  # noqa: SIM118 (lxml: keys() avoids building the attribute proxy)
                for rule in unwanted.get(name, ()):  # type: ignore[arg-type]
                    self._report(rule, el, _unwanted_message(rule))
        doc = self.doc
        for rule in ctx.immediate:
            judge = rule.judge
            assert judge is not None
            message = judge(el, doc)
            if message is not None:
                self._report(rule, el, message)

    def _count(self, rule: Rule, ctx_el: etree._Element, el: etree._Element) -> None:
        key = (rule.index, id(ctx_el))
        seen = self.counts.get(key)
        if seen is None:
            self.counts[key] = [el]
        else:
            seen.append(el)

    def _report(self, rule: Rule, el: etree._Element, message: str) -> None:
        line: int | None = el.sourceline  # type: ignore[assignment]
        finding = Finding(
            code=rule.code,
            severity=rule.severity,
            message=message,
            location=Location(xpath=el.getroottree().getpath(el), line=line),
            reference=f"{self.t.reference}, {rule.code}",
            terms=rule.terms,
        )
        self.findings.append((line or 0, finding))

    def finish(self) -> list[Finding]:
        counts = self.counts
        rules = self.t.rules
        for (index, _), nodes in counts.items():
            rule = rules[index]
            verdict = _verdict(rule, nodes)
            if verdict is not None:
                target, message = verdict
                self._report(rule, target if target is not None else nodes[0], message)
        for ctx, el in self.instances:
            key = id(el)
            for rule in ctx.zero:
                if (rule.index, key) not in counts:
                    verdict = _verdict(rule, ())
                    if verdict is not None:
                        self._report(rule, el, verdict[1])
        self.findings.sort(key=lambda pair: pair[0])
        return [f for _, f in self.findings]


#: The counts of nodes a rule of each kind allows (for a child step: no value comparison involved).
_ALLOWED: dict[str, Callable[[int], tuple[int, int]]] = {
    "absent": lambda b: (0, 0),
    "max": lambda b: (0, b),
    "count": lambda b: (b, b),
    "present": lambda b: (1, 1 << 62),
    "distinct": lambda b: (0, b),  # a count within the bound cannot have more values; above it, look
    "equal": lambda b: (0, 1),
}


def _verdict(rule: Rule, nodes: Sequence[Any]) -> tuple[Any, str] | None:
    """(offending node or None for the context node, message) when ``nodes`` break ``rule``."""
    n, kind, bound, path = len(nodes), rule.kind, rule.bound, rule.path_text
    if kind == "absent":
        if n:
            what = "must not" if rule.severity is Severity.ERROR else "should not"
            return nodes[0], f"{path} {what} be present (found {n})"
    elif kind == "max":
        if n > bound:
            return nodes[bound], f"{path} occurs {n} times; at most {bound} allowed"
    elif kind == "count":
        if n != bound:
            return (nodes[bound] if n > bound else None), f"{path} occurs {n} times; exactly {bound} required"
    elif kind == "present":
        if not n:
            return None, f"{path} is required here"
    elif kind == "distinct":
        values: dict[str, Any] = {}
        for node in nodes:
            values.setdefault(string_value(node), node)
        if len(values) > bound:
            extra = list(values.values())[bound]
            return extra, f"{path} has {len(values)} different values; at most {bound} allowed"
    elif kind == "equal" and nodes:
        first = " ".join(string_value(nodes[0]).split())
        for node in nodes[1:]:
            if " ".join(string_value(node).split()) != first:
                return node, f"{path} values differ ({first!r} first); all must be equal"
    return None


_tables: dict[tuple[str, bool], RuleTable | SyntaxRulesUnavailable] = {}
_tables_lock = threading.Lock()


def load_table(name: str, strict: bool = False) -> RuleTable:
    """The compiled table ``name`` ("ubl" or "cii"): derived from the installed factur-x
    (:func:`.derive.rows`) and compiled once per process (``strict``: see :class:`RuleTable`).

    Raises :class:`~.derive.SyntaxRulesUnavailable` when the rules cannot be derived, or a derived
    rule cannot be compiled (a factur-x release whose rules etr does not know); remembered, so later
    calls raise it again at no cost."""
    key = (name, strict)
    found = _tables.get(key)
    if found is None:
        with _tables_lock:
            found = _tables.get(key)
            if found is None:
                try:
                    found = RuleTable(name, rows(name), strict)
                except TableError as exc:
                    found = SyntaxRulesUnavailable(name, str(stylesheet(name)), f"a rule etr cannot evaluate: {exc}")
                except SyntaxRulesUnavailable as exc:
                    found = exc
                _tables[key] = found
    if isinstance(found, SyntaxRulesUnavailable):
        raise found
    return found
