"""The two ways the ePhyto attachment check reads an attachment agree: from the document's bytes
(fast: no copy of the attachment) and from the element text (the reference). Whenever the byte path
answers, its answer is the text path's; where it cannot be sure it declines and the text path runs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etr.families.ephyto.rules import NS_RAM, base64_spans, base64_text
from etr.load import load_bytes

_PIECES = st.sampled_from(["QUJD", "ZA==", "YQ=", "=", "==", "AB", "+/", " ", "\n", "\r\n", "\t", "!", "é", "&amp;",
                           "&#65;", "&#x41;", "<![CDATA[QUJD]]>", "", "A", "0123", "z"])
_CONTENT = st.lists(_PIECES, max_size=8).map("".join)
_ATTRS = st.sampled_from(['', ' filename="a.pdf"', ' filename="a>b.pdf"', " filename='x/>y'", ' mimeCode="x"\n  '
                          'filename="multi-line"'])
_NOISE = st.sampled_from(["", "<!-- <ram:AttachmentBinaryObject>QUJD</ram:AttachmentBinaryObject> -->",
                          "<ram:Other>QUJD</ram:Other>", "\n\n", "<x:AttachmentBinaryObject xmlns:x='urn:other'>!"
                          "</x:AttachmentBinaryObject>", "<ram:Note>AttachmentBinaryObject</ram:Note>",
                          "<?pi <ram:AttachmentBinaryObject>?>",
                          "<ram:AttachmentBinaryObjectX>!</ram:AttachmentBinaryObjectX>"])


def _document(parts: list[tuple[str, str, str, bool]]) -> bytes:
    body = []
    for noise, attrs, content, empty in parts:
        body.append(noise)
        body.append(f"<ram:AttachmentBinaryObject{attrs}/>" if empty
                    else f"<ram:AttachmentBinaryObject{attrs}>{content}</ram:AttachmentBinaryObject>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ram:Doc xmlns:ram="{NS_RAM}">\n{"".join(body)}\n</ram:Doc>' \
        .encode()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_NOISE, _ATTRS, _CONTENT, st.booleans()), min_size=1, max_size=4))
def test_the_byte_path_agrees_with_the_text_path(parts: list[tuple[str, str, str, bool]]) -> None:
    raw = _document(parts)
    root = load_bytes(raw).content
    elements = list(root.iter(f"{{{NS_RAM}}}AttachmentBinaryObject"))
    reference = [base64_text(element.text or "") for element in elements]
    fast = base64_spans(raw, elements)
    if fast is not None:
        assert fast == reference


def test_the_byte_path_answers_for_plain_attachments() -> None:
    raw = _document([("", ' filename="a>b.pdf"', "QUJD\n ZA==", False), ("\n", "", "QUJ!", False)])
    elements = list(load_bytes(raw).content.iter(f"{{{NS_RAM}}}AttachmentBinaryObject"))
    assert base64_spans(raw, elements) == [(True, 8), (False, 4)]


def test_the_byte_path_declines_what_it_cannot_read_in_place() -> None:
    for content in ("<![CDATA[QUJD]]>", "QU&#74;D"):
        raw = _document([("", "", content, False)])
        elements = list(load_bytes(raw).content.iter(f"{{{NS_RAM}}}AttachmentBinaryObject"))
        assert base64_spans(raw, elements) is None
    commented = _document([("<!-- <ram:AttachmentBinaryObject>!</ram:AttachmentBinaryObject> -->", "", "QUJD", False)])
    elements = list(load_bytes(commented).content.iter(f"{{{NS_RAM}}}AttachmentBinaryObject"))
    assert base64_spans(commented, elements) is None
