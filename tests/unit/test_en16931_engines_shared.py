"""The native EN 16931 engines as the family runs them: one mirror tree for the business rules and the
syntax walk, code lists looked up in a set. Each shortcut gives what the plain form gives.
"""

from __future__ import annotations

import gc
import random
from copy import deepcopy
from pathlib import Path

import pytest
from en16931_documents import CII_DOCUMENTS, UBL_DOCUMENTS, VALID_CII, VALID_UBL
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etr.families.en16931 import FAMILY
from etr.families.en16931.codelists import code_set, codes, joined
from etr.families.en16931.rules import check_business_rules
from etr.families.en16931.rules.ubl import _in_list
from etr.families.en16931.syntax import check_syntax_rules
from etr.families.en16931.syntax.engine import NAMESPACES
from etr.families.en16931.syntax.xpath import Document, compile_xpath, evaluate_boolean
from etr.families.en16931.tree import Node, build, gc_paused
from etr.load import load_bytes

_LISTS = ("cef-eas", "cef-vatex", "iso3166-1", "iso4217", "iso6523-icd", "mime-codes", "unece-rec20-rec21",
          "untdid1001-credit-note", "untdid1001-invoice", "untdid1153", "untdid2005-subset", "untdid4451",
          "untdid4461", "untdid5189-subset", "untdid5305-subset", "untdid7143", "untdid7161", "vat-id-prefixes",
          "vat-id-prefixes-facturx")


@pytest.mark.parametrize("name", _LISTS)
def test_set_membership_is_the_official_substring_test(name: str) -> None:
    """``contains(' A B C ', concat(' ', v, ' '))`` for a v without a space is membership of the codes: no
    code is empty or holds whitespace, and values that only overlap codes are no members."""
    listed = codes(name)
    assert all(code and not any(c.isspace() for c in code) for code in listed)
    rnd = random.Random(name)
    values = {"", " ", "A B", *listed, *rnd.sample(listed, min(len(listed), 20))}
    for code in rnd.sample(listed, min(len(listed), 40)):
        values.update({code[:-1], code[1:], code + "X", code.lower(), f"{code} {code}"})
    for value in values:
        official = " " not in value and f" {value} " in joined(name)
        assert _in_list(value, name) == official, (name, value)
        assert (value in code_set(name)) == (value in listed)


def _documents() -> list[tuple[str, bytes]]:
    return [("UBL", VALID_UBL), ("CII", VALID_CII), *(("UBL", d) for d in UBL_DOCUMENTS.values()),
            *(("CII", d) for d in CII_DOCUMENTS.values())]


def _with_comments(document: bytes) -> bytes:
    """The document with a comment and a processing instruction inside every element that has children."""
    root = etree.fromstring(document)
    for el in list(root.iter(etree.Element)):
        if len(el):
            el.insert(0, etree.Comment("c"))
            el.append(etree.ProcessingInstruction("pi", "x"))
    return etree.tostring(root)


@pytest.mark.parametrize("odd", [False, True], ids=["plain", "comments-and-pis"])
def test_one_shared_mirror_gives_the_findings_of_separate_walks(odd: bool) -> None:
    for syntax, document in _documents():
        data = _with_comments(document) if odd else document
        root = etree.fromstring(data)
        alone = [*check_business_rules(root, syntax), *check_syntax_rules(root, syntax)]  # type: ignore[arg-type]
        copy = deepcopy(root)
        with gc_paused():
            tree = build(copy)
            shared = [*check_business_rules(copy, syntax, tree),  # type: ignore[arg-type]
                      *check_syntax_rules(copy, syntax, tree)]  # type: ignore[arg-type]
            tree.release()
            del tree
        assert shared == alone
        # the family's own check (one mirror for both engines), less its XSD findings and the Factur-X rules
        # it leaves out for a plain CII invoice
        family = list(FAMILY.check(load_bytes(data), "1.3.16"))
        other = ("EINV-", "FX-SCH-", "PEPPOL-")
        assert [f for f in family if not f.code.startswith(other)] == \
            [f for f in alone if not f.code.startswith(other)]


def test_no_collection_while_the_mirror_lives() -> None:
    """The mirror (parent links) is built, torn down and freed while the collector is paused: no collection,
    however often they run, ever sees one of its nodes (a collection that did would scan it and move it to
    older generations, which full collections then scan again: in a large process, most of a check)."""
    documents = [load_bytes(VALID_UBL), load_bytes(VALID_CII)]
    for document in documents:
        list(FAMILY.check(document, "1.3.16"))  # first use: tables and caches
    saw_nodes: list[bool] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            saw_nodes.append(any(type(o) is Node for o in gc.get_objects(0)))

    threshold = gc.get_threshold()
    gc.set_threshold(1)
    gc.callbacks.append(watch)
    try:
        for document in documents:
            list(FAMILY.check(document, "1.3.16"))
    finally:
        gc.callbacks.remove(watch)
        gc.set_threshold(*threshold)
    assert saw_nodes  # collections did run around the check
    assert not any(saw_nodes)


_UBL = NAMESPACES["ubl"]
_INVOICE = "<Invoice xmlns=\"{}\" {}>{{}}</Invoice>".format(
    _UBL["ubl"], " ".join(f'xmlns:{p}="{u}"' for p, u in _UBL.items() if p != "ubl"))
_NAMES = st.sampled_from(["cac:Price", "cac:Item", "cbc:Amount", "cbc:Note", "cac:TaxScheme", "cbc:ID"])
#: Expressions whose child steps go through the child axis by name (the mirror's shortcut), also below
#: predicates, in counts, comparisons, after ``..``, and where the order of the children matters.
_EXPRESSIONS = [
    "exists(cac:Item/cbc:Note)", "count(cac:Price/cac:Item) = 1", "cbc:Note = 'x'", "not(cbc:Amount)",
    "exists(cac:TaxScheme/cbc:ID) and exists(cbc:Amount)", "count(../cbc:Note) > 1",
    "exists(cac:Item[cbc:ID = 'x']/cac:Price)", "string(cac:Item/cbc:Note) = ' 1 '", "exists(../../cac:Price)",
    "count(*/cbc:ID) = 2", "exists(//cac:Item/cbc:Note)", "cbc:Note[1] = 'x'", "(cac:Item/cbc:ID)[1] = ' 1 '",
]


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_NAMES)
    if depth >= 3 or draw(st.booleans()):
        text = draw(st.sampled_from(["", " ", "x", " 1 "]))
        comment = draw(st.sampled_from(["", "<!-- c -->", "<?pi x?>"]))
        return f"<{name}>{comment}{text}</{name}>"
    children = draw(st.lists(_trees(depth + 1), min_size=1, max_size=3))
    return f"<{name}>{''.join(children)}</{name}>"


@settings(max_examples=150, deadline=None)
@given(st.lists(_trees(), min_size=1, max_size=3))
def test_the_child_axis_read_off_the_mirror_is_lxml_s(parts: list[str]) -> None:
    """Every expression gives at every element (and at a fragment's root, whose ``..`` is outside the
    mirror) what it gives when lxml is asked for the children."""
    whole = etree.fromstring(_INVOICE.format("".join(parts)).encode())
    compiled = [(text, compile_xpath(text, _UBL)) for text in _EXPRESSIONS]
    for root in (whole, whole[0]):  # the invoice, and a fragment of it
        plain = Document(root)
        with gc_paused():
            tree = build(root)
            mirrored = Document(root, tree.by_element)
            for el in root.iter(etree.Element):
                for text, f in compiled:
                    expected = evaluate_boolean(f, el, plain)
                    assert evaluate_boolean(f, el, mirrored) == expected, (text, etree.tostring(el))
            tree.release()
            del tree, mirrored


def test_the_collector_is_running_again_after_threads_interleave_their_pauses() -> None:
    """Thread A pauses the collector, thread B pauses it while A is inside, A leaves, then B leaves: the
    collector runs again (B must not take A's pause for the caller's own choice to keep it off)."""
    import gc
    import threading

    assert gc.isenabled()
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def a() -> None:
        with gc_paused():
            a_inside.set()
            b_inside.wait(5)
        a_left.set()

    def b() -> None:
        a_inside.wait(5)
        with gc_paused():
            b_inside.set()
            a_left.wait(5)
            seen.append(gc.isenabled())  # still paused for B after A left

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False] and gc.isenabled()


def test_many_threads_validating_invoices_leave_the_collector_running() -> None:
    import gc
    import sys
    import threading

    import etr

    data = (Path(__file__).resolve().parents[2] / "samples" / "einvoice" / "valid" / "ubl-invoice.xml").read_bytes()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(10):
            threads = [threading.Thread(target=lambda: [etr.validate(data, name="x.xml") for _ in range(3)])
                       for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert gc.isenabled()
    finally:
        sys.setswitchinterval(interval)


def test_a_caller_who_turned_the_collector_off_keeps_it_off() -> None:
    import gc

    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
