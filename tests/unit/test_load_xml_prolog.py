"""The XML loader's refusals without Python work per element: the DTD refusal reads only the prolog
(:func:`etr.load.xml.dtd_offset`), and the depth limit is an XPath over the parsed tree. Each is
checked against what libxml2 itself reads (the property tests) and fed the attacks it must stop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import etr
from etr import Limits
from etr.load import LoadError, load_bytes
from etr.load.xml import dtd_offset

pytestmark = pytest.mark.timeout(60)

#: What a prolog may hold, and what may look like markup inside it.
_MISC = st.sampled_from([
    "", " ", "\n", "\r\n\t", "<!-- c -->", "<!-- <a> <!DOCTYPE x> -->", "<!---->", "<?pi?>", "<?pi <a> ?>",
    "<?pi <!DOCTYPE x> ?>", "<?pi --> ?>", "<!-- ?> -->",
])
#: A harmless document type declaration (nothing external, one entity never used).
_DOCTYPES = st.sampled_from(["", '<!DOCTYPE r>', '<!DOCTYPE r [<!ENTITY e "x">]>', '<!DOCTYPE r [<!-- <r> -->]>'])
_ROOTS = st.sampled_from(["<r/>", "<r><!-- <!DOCTYPE x> <!ENTITY y 'z'> --></r>", "<r><![CDATA[<!DOCTYPE x>]]></r>",
                          "<r>a</r>"])


def _libxml2_reads_a_doctype(raw: bytes) -> bool | None:
    """Whether libxml2 (not resolving anything) finds a document type; ``None`` when it refuses the bytes."""
    try:
        root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return None
    docinfo = root.getroottree().docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None


@settings(max_examples=300, deadline=None)
@given(st.booleans(), st.lists(_MISC, max_size=4), _DOCTYPES, st.lists(_MISC, max_size=3), _ROOTS)
def test_the_prolog_scan_finds_every_doctype_libxml2_reads(declaration: bool, before: list[str], doctype: str,
                                                            after: list[str], root: str) -> None:
    prolog = ('<?xml version="1.0"?>' if declaration else "") + "".join(before)
    raw = (prolog + doctype + "".join(after) + root).encode()
    libxml2 = _libxml2_reads_a_doctype(raw)
    if libxml2 is not None:
        assert (dtd_offset(raw) >= 0) == libxml2, raw
    if doctype:
        assert dtd_offset(raw) == len(prolog.encode()), raw
        with pytest.raises(LoadError) as info:
            load_bytes(raw)
        assert info.value.finding.code == "LOAD-XML-DTD"


@pytest.mark.parametrize("doc", [
    b'<?xml version="1.0"?><!-- <a/> --><?pi <b/> ?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    b'<!-- --><!ENTITY x SYSTEM "file:///etc/passwd"><a>&x;</a>',
    b'\xef\xbb\xbf  <!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>',
], ids=["after-comment-and-pi", "entity-without-doctype", "after-bom"])
def test_a_dtd_anywhere_in_the_prolog_is_refused(doc: bytes) -> None:
    report = etr.validate(doc)
    assert report.codes == ("LOAD-XML-DTD",), report.codes
    assert "root:" not in json.dumps(report.to_dict())


def test_a_doctype_after_the_root_element_is_not_read() -> None:
    # libxml2 reads a DTD only in the prolog: later it is malformed XML, and nothing is fetched.
    for doc in (b'<a/><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                b'<a><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>&x;</a>'):
        report = etr.validate(doc)
        assert report.codes == ("LOAD-XML-SYNTAX",), report.codes
        assert "root:" not in json.dumps(report.to_dict())


def test_declarations_inside_comments_and_cdata_of_the_element_are_text() -> None:
    doc = b"<a><!-- <!DOCTYPE a> <!ENTITY b 'c'> --><![CDATA[<!ENTITY d 'e'>]]></a>"
    assert load_bytes(doc).content.tag == "a"


def test_an_unterminated_comment_before_a_doctype_is_malformed() -> None:
    assert etr.validate(b'<!-- <!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>').codes \
        == ("LOAD-XML-SYNTAX",)


def _nested(depths: list[int]) -> bytes:
    """Sibling chains under one root, chain ``i`` ``depths[i]`` elements deep (the root is level 1)."""
    return b"<r>" + b"".join(b"<a>" * d + b"x" + b"</a>" * d for d in depths) + b"</r>"


def _deepest(element: etree._Element) -> int:
    return 1 + max((_deepest(kid) for kid in element), default=0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=5), st.integers(1, 42))
def test_the_depth_limit_agrees_with_a_walk_of_the_tree(depths: list[int], limit: int) -> None:
    # Depths and limits on both sides of the shallow pre-check's 16 levels.
    raw = _nested(depths)
    deepest = _deepest(etree.fromstring(raw))
    try:
        load_bytes(raw, limits=Limits(max_depth=limit))
    except LoadError as exc:
        assert exc.finding.code == "LOAD-XML-DEPTH"
        assert deepest > limit
    else:
        assert deepest <= limit


def test_the_depth_finding_names_the_line_of_the_first_element_too_deep() -> None:
    raw = b"<r>\n<a>\n<b/>\n</a>\n<a>\n<b>\n<c/>\n</b>\n</a>\n</r>"
    with pytest.raises(LoadError) as info:
        load_bytes(raw, limits=Limits(max_depth=3))
    assert info.value.finding.code == "LOAD-XML-DEPTH"
    assert info.value.finding.location is not None and info.value.finding.location.line == 7


@pytest.mark.parametrize("limit", [128, 1000, 5000])
def test_deeper_than_libxml2_allows_is_a_depth_finding(limit: int) -> None:
    # libxml2 with huge_tree stops at 2048 levels while parsing; etr's own limit below that.
    with pytest.raises(LoadError) as info:
        load_bytes(b"<a>" * 3000 + b"</a>" * 3000, limits=Limits(max_depth=limit))
    assert info.value.finding.code == "LOAD-XML-DEPTH"
    assert str(min(limit, 2048)) in info.value.finding.message


def test_a_large_attachment_is_parsed_in_one_piece(tmp_path: Path) -> None:
    # libxml2 keeps a text node whole (no chunk boundaries); the loader gives the element its full text.
    payload = b"QUJD" * 600_000
    document = load_bytes(b"<a><b>" + payload + b"</b></a>")
    assert len(document.content[0].text) == len(payload)
