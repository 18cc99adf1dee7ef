"""The ePhyto rules read an element's text with one libxml2 call where it has children: the answer is
the reference reading below (its own text, else what lxml's ``itertext()`` gives, stripped) for any
mixed content a certificate may hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etr.families.ephyto.rules import text


def reference(element: etree._Element) -> str:
    own = (element.text or "").strip()
    if own or len(element) == 0:
        return own
    return "".join(element.itertext()).strip()

_PIECES = st.sampled_from(["", " ", "\n  ", "x", "2026-11-20", "&amp;", "&#233;", "é", "<!-- c -->", "<?pi d?>",
                           "<![CDATA[ q ]]>", "<b/>", "<b>y</b>", "<b> <c>z</c> </b>", "<b><!-- in --></b>t",
                           "<u:d xmlns:u='urn:u'>1</u:d>"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=6))
def test_text_is_the_reference_reading(pieces: list[str]) -> None:
    element = etree.fromstring(f"<a>{''.join(pieces)}</a>".encode())
    for descendant in element.iter():
        if isinstance(descendant.tag, str):
            assert text(descendant) == reference(descendant)


def test_text_of_nothing_is_empty() -> None:
    assert text(None) == ""
