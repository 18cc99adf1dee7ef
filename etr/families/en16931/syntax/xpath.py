"""A small XPath 2.0 subset, compiled to Python closures over lxml elements.

The syntax-binding tables (derived at run time by :mod:`.derive`) state most rules as an element path plus a
cardinality; those are matched during the one walk over the tree (:mod:`.engine`). A few rules, and
the predicates of some context and path steps, are conditions that a path cannot say (two values
compared, a count against another count, a value among the preceding ones). They are written in the
tables as expressions in this subset and evaluated here, with XPath 2.0 semantics where the two
versions differ:

- general comparisons (``=``, ``!=``, ``<``, ...) are existential over both operands; untyped values
  compare as strings with a string, as numbers with a number and as ``xs:boolean`` with a boolean
  (so ``cbc:ChargeIndicator = false()`` reads ``false``/``0`` as false, ``true``/``1`` as true);
- ``upper-case``, ``ends-with``, ``exists`` and ``normalize-space`` are available;
- the string value of an element is the concatenation of its descendant text (comments excluded).

Supported: ``or``, ``and``, comparisons, ``+``/``-`` (spaced), unary ``not()``, literals, numbers,
``(...)`` with predicates, function calls, and paths with the child, attribute (``@``), parent
(``..``), self (``.``), descendant (``//``), ``ancestor::`` and ``preceding::`` axes, name tests with a
prefix or ``*``, and predicates (boolean or a position). Anything else raises :class:`XPathSyntaxError`
when a table is loaded, never while a document is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from lxml import etree

from ..tree import Node

__all__ = ["Attr", "Document", "XPathSyntaxError", "compile_xpath", "string_value"]


class XPathSyntaxError(ValueError):
    """An expression in a syntax table is outside the supported subset (a packaging error)."""


class Attr:
    """An attribute node: its owner element, its (Clark) name and its value."""

    __slots__ = ("name", "parent", "value")

    def __init__(self, parent: etree._Element, name: str, value: str) -> None:
        self.parent = parent
        self.name = name
        self.value = value


class Document:
    """The document node above the root element (what ``/`` and the root's ``..`` select). ``mirror``:
    when given, the node of each element of the tree (:attr:`..tree.Tree.by_element`), whose children by
    name the child axis reads instead of asking lxml (the same elements, in the same order)."""

    __slots__ = ("mirror", "root")

    def __init__(self, root: etree._Element, mirror: Mapping[etree._Element, Node] | None = None) -> None:
        self.root = root
        self.mirror = mirror


Item = etree._Element | Attr | Document
Value = list[Any] | str | Decimal | bool
Context = tuple[Item, Document]
Compiled = Callable[[Item, Document], Any]
Select = Callable[[Any, Document], Iterator[Any]]


def string_value(item: Any) -> str:
    """The XPath string value of a node or an atomic value."""
    if isinstance(item, Attr):
        return item.value
    if isinstance(item, Document):
        return "".join(cast("Iterator[str]", item.root.itertext()))
    if isinstance(item, etree._Element):
        if len(item) == 0:
            return item.text or ""
        return "".join(cast("Iterator[str]", item.itertext()))
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, Decimal):
        return _number_string(item)
    return str(item)


def _number_string(n: Decimal) -> str:
    if n == n.to_integral_value():
        return str(int(n))
    return format(n.normalize(), "f")


def _boolean(value: Any) -> bool:
    """Effective boolean value."""
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value != 0
    return len(value) > 0


def _atomize(value: Any) -> list[Any]:
    """A sequence of atomic values; nodes become untyped strings (marked by a wrapper type)."""
    if isinstance(value, list):
        return [_Untyped(string_value(v)) for v in value]
    return [value]


class _Untyped(str):
    """An untypedAtomic value (the string value of a node)."""


_TO_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


class _CastError(Exception):
    """A value cannot be cast (an XPath dynamic error): the condition does not hold."""


def _cast_pair(a: Any, b: Any) -> tuple[Any, Any]:
    """Operands of a general comparison, cast the XPath 2.0 way."""
    if isinstance(a, _Untyped) and not isinstance(b, _Untyped):
        a = _cast_like(a, b)
    elif isinstance(b, _Untyped) and not isinstance(a, _Untyped):
        b = _cast_like(b, a)
    return a, b


def _cast_like(u: str, other: Any) -> Any:
    if isinstance(other, bool):
        key = u.strip()
        if key not in _TO_BOOLEAN:
            raise _CastError(u)
        return _TO_BOOLEAN[key]
    if isinstance(other, Decimal):
        try:
            return Decimal(u.strip())
        except InvalidOperation as exc:
            raise _CastError(u) from exc
    return str(u)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


def _general(op: str, left: Any, right: Any) -> bool:
    compare = _COMPARE[op]
    for a in _atomize(left):
        for b in _atomize(right):
            try:
                x, y = _cast_pair(a, b)
                if isinstance(x, str) != isinstance(y, str) or isinstance(x, bool) != isinstance(y, bool):
                    continue
                if compare(x, y):
                    return True
            except (_CastError, TypeError):
                continue
    return False


# ----------------------------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>//|::|!=|<=|>=|\.\.|[/()\[\]@,|=<>.*+-])
  | (?P<var>\$[A-Za-z_][\w.-]*)
  | (?P<name>[A-Za-z_][\w.-]*(?::[A-Za-z_*][\w.-]*)?)
    )""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise XPathSyntaxError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


# ----------------------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, namespaces: Mapping[str, str]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.ns = namespaces

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise XPathSyntaxError(f"expected {value!r} at token {self.pos} in {self.text!r}")
        self.pos += 1
        return tok

    def at(self, value: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] == value and tok[0] in ("op", "name")

    def parse(self) -> Compiled:
        f = self.expr()
        if self.peek() is not None:
            raise XPathSyntaxError(f"unexpected {self.peek()!r} in {self.text!r}")
        return f

    def expr(self) -> Compiled:
        f = self.and_expr()
        while self.at("or"):
            self.take()
            g = self.and_expr()
            f = _or(f, g)
        return f

    def and_expr(self) -> Compiled:
        f = self.comparison()
        while self.at("and"):
            self.take()
            g = self.comparison()
            f = _and(f, g)
        return f

    def comparison(self) -> Compiled:
        f = self.additive()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in _COMPARE:
            self.take()
            g = self.additive()
            op = tok[1]
            return lambda c, d: _general(op, f(c, d), g(c, d))
        return f

    def additive(self) -> Compiled:
        f = self.union()
        while self.peek() is not None and self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            g = self.union()
            f = _arith(op, f, g)
        return f

    def union(self) -> Compiled:
        f = self.path_expr()
        while self.at("|"):
            self.take()
            g = self.path_expr()
            f = _union(f, g)
        return f

    # paths ---------------------------------------------------------------------------------------
    def path_expr(self) -> Compiled:
        tok = self.peek()
        if tok is None:
            raise XPathSyntaxError(f"unexpected end of {self.text!r}")
        if tok == ("op", "/"):
            self.take()
            start: Compiled = lambda c, d: [d]  # noqa: E731
            nxt = self.peek()
            if nxt is None or not self._starts_step(nxt):
                return start
            return self.relative(start)
        if tok == ("op", "//"):
            self.take()
            return self.relative(lambda c, d: [d], descendant=True)
        if self._starts_step(tok):
            return self.relative(lambda c, d: [c])
        f = self.filter_expr()
        if self.peek() in (("op", "/"), ("op", "//")):
            descendant = self.take()[1] == "//"
            return self.relative(f, descendant=descendant)
        return f

    def _starts_step(self, tok: tuple[str, str]) -> bool:
        kind, value = tok
        if kind == "op":
            return value in ("@", ".", "..", "*")
        if kind == "name":
            nxt = self.peek(1)
            if nxt is not None and nxt == ("op", "("):
                return False  # a function call
            return value not in ("and", "or")
        return False

    def relative(self, start: Compiled, descendant: bool = False) -> Compiled:
        f = start
        while True:
            f = self.step(f, descendant)
            tok = self.peek()
            if tok == ("op", "/"):
                self.take()
                descendant = False
            elif tok == ("op", "//"):
                self.take()
                descendant = True
            else:
                return f

    def step(self, prev: Compiled, descendant: bool) -> Compiled:
        tok = self.take()
        axis = "child"
        if tok == ("op", "."):
            select: Select = _self_axis
            if descendant:
                select = _descendant_or_self
            return self.predicates(_apply(prev, select))
        if tok == ("op", ".."):
            return self.predicates(_apply(prev, _parent_axis))
        if tok == ("op", "@"):
            name = self.take()[1]
            clark = self.clark(name)
            return self.predicates(_apply(prev, _attribute_axis(clark), descendant))
        kind, name = tok
        if kind == "name" and self.peek() == ("op", "::"):
            self.take()
            axis = name
            kind, name = self.take()
        if kind == "op" and name == "*":
            name = "*"
        test = self.name_test(name)
        if axis == "child":
            only = None if name == "*" else self.clark(name)
            select = _descendant_axis(test, only) if descendant else _child_axis(test, only)
        elif axis == "ancestor":
            select = _ancestor_axis(test)
        elif axis == "preceding":
            select = _preceding_axis(test)
        else:
            raise XPathSyntaxError(f"axis {axis} is not supported in {self.text!r}")
        return self.predicates(_apply(prev, select))

    def clark(self, name: str) -> str:
        if ":" in name:
            prefix, local = name.split(":", 1)
            if prefix not in self.ns:
                raise XPathSyntaxError(f"unknown prefix {prefix!r} in {self.text!r}")
            return f"{{{self.ns[prefix]}}}{local}"
        return name

    def name_test(self, name: str) -> Callable[[Any], bool]:
        if name == "*":
            return lambda el: isinstance(el.tag, str)
        clark = self.clark(name)
        return lambda el: el.tag == clark

    def predicates(self, f: Compiled) -> Compiled:
        while self.at("["):
            self.take()
            pred = self.expr()
            self.take("]")
            f = _filter(f, pred)
        return f

    # primaries -----------------------------------------------------------------------------------
    def filter_expr(self) -> Compiled:
        kind, value = self.take()
        f: Compiled
        if kind == "string":
            text = value[1:-1]
            f = lambda c, d: text  # noqa: E731
        elif kind == "number":
            number = Decimal(value)
            f = lambda c, d: number  # noqa: E731
        elif value == "(":
            f = self.expr()
            self.take(")")
        elif kind == "name":
            f = self.call(value)
        else:
            raise XPathSyntaxError(f"unexpected {value!r} in {self.text!r}")
        return self.predicates(f)

    def call(self, name: str) -> Compiled:
        self.take("(")
        args: list[Compiled] = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take()
                args.append(self.expr())
        self.take(")")
        maker = _FUNCTIONS.get(name)
        if maker is None:
            raise XPathSyntaxError(f"function {name}() is not supported in {self.text!r}")
        return maker(args)


# ----------------------------------------------------------------------------------------- evaluators


def _or(f: Compiled, g: Compiled) -> Compiled:
    return lambda c, d: _boolean(f(c, d)) or _boolean(g(c, d))


def _and(f: Compiled, g: Compiled) -> Compiled:
    return lambda c, d: _boolean(f(c, d)) and _boolean(g(c, d))


def _number(value: Any) -> Decimal:
    atoms = _atomize(value)
    if len(atoms) != 1:
        raise _CastError("not a single number")
    a = atoms[0]
    if isinstance(a, Decimal):
        return a
    try:
        return Decimal(str(a).strip())
    except InvalidOperation as exc:
        raise _CastError(a) from exc


def _arith(op: str, f: Compiled, g: Compiled) -> Compiled:
    if op == "+":
        return lambda c, d: _number(f(c, d)) + _number(g(c, d))
    return lambda c, d: _number(f(c, d)) - _number(g(c, d))


def _dedupe(items: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for it in items:
        key = id(it) if not isinstance(it, Attr) else hash((id(it.parent), it.name))
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _union(f: Compiled, g: Compiled) -> Compiled:
    def run(c: Item, d: Document) -> list[Any]:
        a, b = f(c, d), g(c, d)
        if not isinstance(a, list) or not isinstance(b, list):
            raise _CastError("union of non-nodes")
        merged = _dedupe(a + b)
        return _in_document_order(merged, d)

    return run


def _in_document_order(items: list[Any], d: Document) -> list[Any]:
    if len(items) < 2 or not all(isinstance(i, etree._Element) for i in items):
        return items
    order = {id(e): n for n, e in enumerate(d.root.iter())}
    return sorted(items, key=lambda e: order.get(id(e), -1))


def _apply(prev: Compiled, select: Select, descendant: bool = False) -> Compiled:
    def run(c: Item, d: Document) -> list[Any]:
        base = prev(c, d)
        if not isinstance(base, list):
            raise _CastError("path step on a non-node")
        if descendant:
            base = [x for b in base for x in _descendant_or_self(b, d)]
        out: list[Any] = []
        for item in base:
            out.extend(select(item, d))
        return _dedupe(out) if len(base) > 1 else out

    return run


def _filter(f: Compiled, pred: Compiled) -> Compiled:
    def run(c: Item, d: Document) -> Any:
        items = f(c, d)
        if not isinstance(items, list):
            items = [items]
        out = []
        for pos, item in enumerate(items, 1):
            value = pred(item, d)
            keep = value == pos if isinstance(value, Decimal) else _boolean(value)
            if keep:
                out.append(item)
        return out

    return run


def _self_axis(item: Any, d: Document) -> Iterator[Any]:
    yield item


def _parent_axis(item: Any, d: Document) -> Iterator[Any]:
    if isinstance(item, Attr):
        yield item.parent
    elif item is d.root:
        yield d  # the element checked is the document's element, even inside a larger tree
    elif isinstance(item, etree._Element):
        parent = item.getparent()
        if parent is not None:
            yield parent


def _descendant_or_self(item: Any, d: Document) -> Iterator[Any]:
    if isinstance(item, Document):
        yield item
        yield from (el for el in item.root.iter() if isinstance(el.tag, str))
    elif isinstance(item, etree._Element):
        for el in item.iter():
            if isinstance(el.tag, str):
                yield el


def _child_axis(test: Callable[[Any], bool], clark: str | None = None) -> Select:
    def select(item: Any, d: Document) -> Iterator[Any]:
        if isinstance(item, etree._Element):
            if clark is not None:
                node = d.mirror.get(item) if d.mirror is not None else None
                if node is not None:  # the mirror has the children by name: no lxml iterator to set up
                    for child in node.kids.get(clark, ()):
                        yield child.el
                    return
                yield from item.iterchildren(clark)  # filtered by libxml2
                return
            for el in item:
                if isinstance(el.tag, str):
                    yield el
        elif isinstance(item, Document) and test(item.root):
            yield item.root

    return select


def _descendant_axis(test: Callable[[Any], bool], clark: str | None = None) -> Select:
    def select(item: Any, d: Document) -> Iterator[Any]:
        if isinstance(item, Document):
            if test(item.root):
                yield item.root
            start = item.root
        elif isinstance(item, etree._Element):
            start = item
        else:
            return
        if clark is not None:
            yield from start.iterdescendants(clark)
            return
        for el in start.iterdescendants():
            if isinstance(el.tag, str):
                yield el

    return select


def _attribute_axis(clark: str) -> Select:
    def select(item: Any, d: Document) -> Iterator[Any]:
        if isinstance(item, etree._Element):
            value = item.get(clark)
            if value is not None:
                yield Attr(item, clark, value)

    return select


def _ancestor_axis(test: Callable[[Any], bool]) -> Select:
    def select(item: Any, d: Document) -> Iterator[Any]:
        if isinstance(item, etree._Element):
            for el in item.iterancestors():
                if test(el):
                    yield el

    return select


def _preceding_axis(test: Callable[[Any], bool]) -> Select:
    def select(item: Any, d: Document) -> Iterator[Any]:
        if not isinstance(item, etree._Element):
            return
        ancestors = {id(a) for a in item.iterancestors()}
        for el in d.root.iter():
            if el is item:
                return
            if isinstance(el.tag, str) and id(el) not in ancestors and test(el):
                yield el

    return select


# ------------------------------------------------------------------------------------------ functions


def _fn_not(args: Sequence[Compiled]) -> Compiled:
    (f,) = args
    return lambda c, d: not _boolean(f(c, d))


def _fn_exists(args: Sequence[Compiled]) -> Compiled:
    (f,) = args

    def run(c: Item, d: Document) -> bool:
        value = f(c, d)
        return len(value) > 0 if isinstance(value, list) else True

    return run


def _fn_count(args: Sequence[Compiled]) -> Compiled:
    (f,) = args
    return lambda c, d: Decimal(len(f(c, d)))


def _single_string(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        if len(value) > 1:
            raise _CastError("a sequence of more than one item where one string is expected")
        return string_value(value[0])
    return string_value(value)


def _fn_string_function(fn: Callable[[str], Any]) -> Callable[[Sequence[Compiled]], Compiled]:
    def make(args: Sequence[Compiled]) -> Compiled:
        if not args:
            return lambda c, d: fn(string_value(c))
        (f,) = args
        return lambda c, d: fn(_single_string(f(c, d)))

    return make


def _fn_substring_after(args: Sequence[Compiled]) -> Compiled:
    f, g = args

    def run(c: Item, d: Document) -> str:
        s, t = _single_string(f(c, d)), _single_string(g(c, d))
        i = s.find(t)
        return "" if i < 0 else s[i + len(t):]

    return run


def _fn_ends_with(args: Sequence[Compiled]) -> Compiled:
    f, g = args
    return lambda c, d: _single_string(f(c, d)).endswith(_single_string(g(c, d)))


def _fn_name(local: bool) -> Callable[[Sequence[Compiled]], Compiled]:
    def make(args: Sequence[Compiled]) -> Compiled:
        def name_of(item: Any) -> str:
            if isinstance(item, etree._Element):
                q = etree.QName(item)
                if local or item.prefix is None:
                    return q.localname
                return f"{item.prefix}:{q.localname}"
            if isinstance(item, Attr):
                return etree.QName(item.name).localname
            return ""

        if not args:
            return lambda c, d: name_of(c)
        (f,) = args

        def run(c: Item, d: Document) -> str:
            items = f(c, d)
            return name_of(items[0]) if isinstance(items, list) and items else ""

        return run

    return make


_FUNCTIONS: dict[str, Callable[[Sequence[Compiled]], Compiled]] = {
    "not": _fn_not,
    "exists": _fn_exists,
    "boolean": lambda args: (lambda c, d: _boolean(args[0](c, d))),
    "count": _fn_count,
    "true": lambda args: (lambda c, d: True),
    "false": lambda args: (lambda c, d: False),
    "string": _fn_string_function(lambda s: s),
    "normalize-space": _fn_string_function(lambda s: " ".join(s.split())),
    "upper-case": _fn_string_function(str.upper),
    "string-length": _fn_string_function(lambda s: Decimal(len(s))),
    "substring-after": _fn_substring_after,
    "ends-with": _fn_ends_with,
    "name": _fn_name(local=False),
    "local-name": _fn_name(local=True),
}


def compile_xpath(text: str, namespaces: Mapping[str, str]) -> Callable[[Any, Document], Any]:
    """Compile ``text`` (the subset above) to ``f(context_item, document) -> value``.

    Raises :class:`XPathSyntaxError` for anything outside the subset. A dynamic error while
    evaluating (a value that cannot be cast) makes a comparison false rather than raising.
    """
    return _Parser(text, namespaces).parse()


def evaluate_boolean(f: Callable[[Any, Document], Any], item: Any, document: Document) -> bool:
    """The effective boolean value of ``f`` at ``item``; a dynamic error counts as false."""
    try:
        return _boolean(f(item, document))
    except _CastError:
        return False
