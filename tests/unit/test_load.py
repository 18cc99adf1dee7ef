"""The hardened loader: one test per limit or rule, fed hostile input.

Every test goes through the public door ``etr.validate(bytes)`` (or a path) and
asserts that no exception escapes and that the report carries the exact ``LOAD-…``
code and is invalid, although the input is built to hang or blow up a naive
parser. Hangs are caught by pytest-timeout (the module's mark), never by timing
a call: no test here measures speed.
"""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

import etr
from etr import Finding, Limits, Report, Severity
from etr.load import LoadError, Source, expand_inputs, load_bytes

REPO = Path(__file__).resolve().parents[2]
VALID_SAMPLES = sorted((REPO / "samples" / "ebl" / "valid").glob("*.json"))

#: A hang or a blow-up takes minutes or more; a hardened loader takes milliseconds.
pytestmark = pytest.mark.timeout(60)

MB = 1024 * 1024


def hostile(data: bytes, code: str, *, limits: Limits | None = None) -> Finding:
    """Validate ``data``; assert it fails with ``code``; return that finding."""
    report = etr.validate(data, limits=limits)  # must not raise, whatever the bytes
    assert isinstance(report, Report)
    assert code in report.codes, report.codes
    assert report.valid is False
    assert report.family is None
    finding = next(f for f in report.findings if f.code == code)
    assert finding.severity is Severity.ERROR
    return finding


def accepted(data: bytes, *, limits: Limits | None = None) -> Report:
    """Validate ``data``; assert the loader raised no ``LOAD-…`` error (it may be of no known family)."""
    report = etr.validate(data, limits=limits)
    errors = [f.code for f in report.findings if f.severity is Severity.ERROR and f.code.startswith("LOAD-")]
    assert errors == [], errors
    return report


@pytest.fixture(scope="module")
def valid_sample() -> bytes:
    if not VALID_SAMPLES:
        pytest.skip("no samples/ebl/valid/*.json yet")
    return VALID_SAMPLES[0].read_bytes()


# --------------------------------------------------------------------------- XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


def _passwd_marker() -> str:
    """A line of /etc/passwd that must never leak into a report."""
    try:
        first = Path("/etc/passwd").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "root:x:0:0"
    return first.split(":")[0] + ":" + first.split(":")[1] + ":"  # e.g. "root:x:"


def test_billion_laughs_is_refused() -> None:
    finding = hostile(BILLION_LAUGHS, "LOAD-XML-DTD")
    assert finding.location is not None and finding.location.line is not None


@pytest.mark.parametrize("doc", [
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>&xxe;</foo>',
    b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><foo/>',
    b'<!DOCTYPE foo SYSTEM "file:///etc/passwd"><foo/>',
    b'<!DOCTYPE foo SYSTEM "http://127.0.0.1:9/evil.dtd"><foo/>',
], ids=["general-entity", "parameter-entity", "external-dtd-file", "external-dtd-network"])
def test_external_entities_are_refused_and_never_read(doc: bytes) -> None:
    hostile(doc, "LOAD-XML-DTD")
    dumped = json.dumps(etr.validate(doc).to_dict())
    assert _passwd_marker() not in dumped
    assert "root:" not in dumped


def test_dtd_hidden_by_a_declared_encoding_is_still_refused() -> None:
    # UTF-7 spells '<' as '+ADw-': the raw bytes hold no '<!DOCTYPE', only the parsed tree does.
    doc = (b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE foo +AFs-+ADw-!ENTITY xxe SYSTEM '
           b'+ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-+ADw-foo+AD4-+ACY-xxe+ADs-+ADw-/foo+AD4-')
    assert b"<!DOCTYPE" not in doc
    report = etr.validate(doc)
    assert not report.valid
    assert report.codes[0] in {"LOAD-XML-DTD", "LOAD-XML-SYNTAX"}, report.codes
    assert _passwd_marker() not in json.dumps(report.to_dict())


def test_xinclude_is_never_processed() -> None:
    doc = (b'<a xmlns:xi="http://www.w3.org/2001/XInclude">'
           b'<xi:include href="file:///etc/passwd" parse="text"/></a>')
    report = accepted(doc)
    assert report.codes == ("DETECT-UNKNOWN",)
    loaded = load_bytes(doc)
    from lxml import etree

    assert _passwd_marker().encode() not in etree.tostring(loaded.content)


def test_xml_deeper_than_the_limit() -> None:
    accepted(b"<a>" * 128 + b"</a>" * 128)  # exactly the default limit
    finding = hostile(b"<a>" * 129 + b"</a>" * 129, "LOAD-XML-DEPTH")
    assert finding.location is not None and finding.location.line == 1


def test_xml_nested_a_hundred_thousand_deep() -> None:
    hostile(b"<a>" * 100_000 + b"</a>" * 100_000, "LOAD-XML-DEPTH")


def test_malformed_xml_has_line_and_column() -> None:
    finding = hostile(b'<?xml version="1.0"?>\n<a>\n  <b>\n</a>\n', "LOAD-XML-SYNTAX")
    assert finding.location is not None
    assert finding.location.line == 4
    assert finding.location.column is not None and finding.location.column >= 1


def test_xml_without_root_element() -> None:
    hostile(b'<?xml version="1.0"?>\n', "LOAD-XML-SYNTAX")


#: libxml2's own cap on one text node without XML_PARSE_HUGE (a 7.5 MB attachment in base64).
LIBXML2_TEXT_CAP = 10_000_000


def test_text_node_longer_than_libxml2s_cap_is_read_within_max_bytes() -> None:
    # A certificate's base64 attachment is one text node; etr's own limit is max_bytes, not libxml2's.
    doc = b"<a><b>" + b"QUJD" * (LIBXML2_TEXT_CAP // 4 + 1) + b"</b></a>"
    assert LIBXML2_TEXT_CAP < len(doc) < Limits().max_bytes
    loaded = load_bytes(doc)
    assert len(loaded.content[0].text) == LIBXML2_TEXT_CAP + 4
    accepted(doc)
    hostile(doc, "LOAD-TOO-LARGE", limits=Limits(max_bytes=LIBXML2_TEXT_CAP))


def test_xml_depth_can_be_raised_past_libxml2s_default() -> None:
    doc = b"<a>" * 300 + b"</a>" * 300
    hostile(doc, "LOAD-XML-DEPTH")
    accepted(doc, limits=Limits(max_depth=300))
    finding = hostile(b"<a>" * 100_000 + b"</a>" * 100_000, "LOAD-XML-DEPTH", limits=Limits(max_depth=100_000))
    assert "2048" in finding.message  # libxml2's own bound still holds


_HUGE_TEXT = b"<big>" + b"A" * (LIBXML2_TEXT_CAP + 1) + b"</big>"


@pytest.mark.parametrize("doc", [
    BILLION_LAUGHS.replace(b"<lolz>", b"<lolz>" + _HUGE_TEXT),
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>' + _HUGE_TEXT
    + b"&xxe;</foo>",
], ids=["billion-laughs", "external-entity"])
def test_long_text_nodes_open_no_entity_expansion(doc: bytes) -> None:
    # Reading text nodes past libxml2's cap (XML_PARSE_HUGE) must not lift any entity defence.
    hostile(doc, "LOAD-XML-DTD")
    assert _passwd_marker() not in json.dumps(etr.validate(doc).to_dict())


@pytest.mark.parametrize("doc", [
    BILLION_LAUGHS,
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>&xxe;</foo>',
], ids=["billion-laughs", "external-entity"])
def test_document_parser_itself_expands_no_entity(doc: bytes) -> None:
    # The prolog check refuses these first; the parser options are the second wall, tried here alone.
    from lxml import etree

    from etr.load.xml import XML_DOCUMENT_PARSER_OPTIONS

    assert XML_DOCUMENT_PARSER_OPTIONS["huge_tree"] is True
    try:
        root = etree.fromstring(doc, etree.XMLParser(**XML_DOCUMENT_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return  # refused by libxml2 (its entity amplification bound): also safe
    text = etree.tostring(root)
    assert len(text) < 10 * len(doc)  # nothing expanded
    assert _passwd_marker().encode() not in text


# --------------------------------------------------------------------------- JSON depth

@pytest.mark.parametrize("doc", [
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b'[{"a":' * 5_000 + b"1" + b"}]" * 5_000,
    b"[" * 1_000_000,  # unbalanced: must not reach the recursive parser unguarded
], ids=["arrays", "objects", "mixed", "unbalanced"])
def test_json_nesting_ten_thousand_deep(doc: bytes) -> None:
    hostile(doc, "LOAD-JSON-DEPTH")


def test_json_depth_limit_is_exact() -> None:
    accepted(b"[" * 128 + b"]" * 128)
    hostile(b"[" * 129 + b"]" * 129, "LOAD-JSON-DEPTH")


@pytest.mark.parametrize("doc", [
    b'{"a": "' + b"[" * 1000 + b'"}',
    b'{"a": "' + b"{" * 1000 + b'"}',
    b'{"a": "\\"' + b"[" * 1000 + b'\\\\", "b": ["\\"]"]}',
    b'{"' + b"[" * 1000 + b'": 1}',
], ids=["brackets", "braces", "escaped-quotes", "in-key"])
def test_brackets_inside_strings_do_not_count(doc: bytes) -> None:
    assert accepted(doc).codes == ("DETECT-UNKNOWN",)


def test_depth_check_stays_linear_on_unterminated_strings() -> None:
    # Many quotes, none closing a string: a string-blanking regex that fails and rescans
    # from each quote is quadratic (minutes for this input).
    doc = b"[" * 200 + b'"' + b'\\"' * 200_000
    hostile(doc, "LOAD-JSON-SYNTAX")


# --------------------------------------------------------------------------- JSON values

@pytest.mark.parametrize("doc", [b'{"a": 1, "a": 2}', b'{"a": 1, "b": 2, "a": 1}'], ids=["different", "same"])
def test_duplicate_key_at_top_level(doc: bytes) -> None:
    finding = hostile(doc, "LOAD-JSON-DUPLICATE-KEY")
    assert "'a'" in finding.message


@pytest.mark.parametrize("doc", [
    b'{"x": {"y": {"a": 1, "a": 2}}}',
    b'{"x": [{"ok": 1}, {"a": 1, "a": 2}]}',
    b'[{"a": 1, "\\u0061": 2}]',  # the same key once decoded
], ids=["object", "in-array", "escaped"])
def test_duplicate_key_nested(doc: bytes) -> None:
    hostile(doc, "LOAD-JSON-DUPLICATE-KEY")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1.5E+400"])
def test_non_finite_numbers(literal: bytes) -> None:
    hostile(b'{"amount": ' + literal + b"}", "LOAD-JSON-CONSTANT")


def test_huge_integer_literal() -> None:
    hostile(b'{"n": ' + b"9" * 100_000 + b"}", "LOAD-JSON-NUMBER")
    hostile(b"[-" + b"1" * 100_000 + b"]", "LOAD-JSON-NUMBER")


def test_long_but_readable_numbers_are_fine() -> None:
    assert accepted(b'{"n": ' + b"7" * 4000 + b"}").codes == ("DETECT-UNKNOWN",)
    assert accepted(b'{"x": 0.' + b"1" * 10_000 + b"}").codes == ("DETECT-UNKNOWN",)


@pytest.mark.parametrize("doc", [b'{"a": "\\ud800"}', b'{"a": "x\\uDC00y"}', b'{"\\ud83d": 1}',
                                 b'["\\ude00\\ud83d"]'],
                         ids=["high", "low", "in-key", "reversed-pair"])
def test_lone_surrogate_escape(doc: bytes) -> None:
    hostile(doc, "LOAD-JSON-SURROGATE")


def test_surrogate_pair_escape_is_accepted() -> None:
    doc = b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}'  # a pair, and an escaped backslash before "ud800"
    accepted(doc)
    assert load_bytes(doc).content == {"a": "\U0001F600", "b": "\\ud800"}


def test_truncated_json_has_line_and_column() -> None:
    finding = hostile(b'{"a":\n [1,2', "LOAD-JSON-SYNTAX")
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (2, 6)


def test_json_syntax_error_position() -> None:
    finding = hostile(b'{\n  "a": 1,\n  "b": tru\n}', "LOAD-JSON-SYNTAX")
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (3, 8)


# --------------------------------------------------------------------------- encoding

def test_invalid_utf8_has_line_and_column() -> None:
    finding = hostile(b'{\n  "a": "\xff"}', "LOAD-ENCODING")
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (2, 9)


@pytest.mark.parametrize("bad", [b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"],
                         ids=["overlong", "encoded-surrogate", "truncated", "five-byte"])
def test_invalid_utf8_sequences(bad: bytes) -> None:
    finding = hostile(b'{"a":\n"' + bad + b'"}', "LOAD-ENCODING")
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (2, 2)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_input(encoding: str) -> None:
    hostile('{"a": 1}'.encode(encoding), "LOAD-ENCODING")
    hostile('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode(encoding), "LOAD-ENCODING")


def test_utf8_bom_is_accepted_with_an_info(valid_sample: bytes) -> None:
    report = etr.validate(b"\xef\xbb\xbf" + valid_sample)
    assert report.valid
    assert report.family == "dcsa-ebl"
    bom = [f for f in report.findings if f.code == "LOAD-BOM"]
    assert len(bom) == 1 and bom[0].severity is Severity.INFO


def test_leading_whitespace_of_any_length(valid_sample: bytes) -> None:
    report = etr.validate(b" \r\n\t" * 100 + valid_sample)
    assert report.valid and report.family == "dcsa-ebl"


# --------------------------------------------------------------------------- syntax sniffing

@pytest.mark.parametrize("doc", [b"", b" \n\t\r\n   "], ids=["empty", "whitespace"])
def test_empty_input(doc: bytes) -> None:
    hostile(doc, "LOAD-EMPTY")


@pytest.mark.parametrize("doc", [b"hello, world\n", b"transportDocumentReference: X\n", b"42", b'"a string"',
                                 b"\x7fELF\x02\x01\x01"],
                         ids=["prose", "yaml", "number", "string", "binary"])
def test_neither_json_nor_xml(doc: bytes) -> None:
    hostile(doc, "LOAD-UNKNOWN-SYNTAX")


def test_pdf_is_read_as_a_container() -> None:
    # A PDF header makes it a PDF whatever follows; this one has no cross-reference data
    # (the PDF container itself is tested in test_pdf.py).
    hostile(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "LOAD-PDF-MALFORMED")


def test_valid_json_of_no_known_family() -> None:
    for doc in (b'{"hello": "world"}', b"[1, 2, 3]", b"<invoice/>"):
        report = etr.validate(doc)
        assert report.codes == ("DETECT-UNKNOWN",)
        assert not report.valid and report.family is None


# --------------------------------------------------------------------------- size

class _Endless(io.RawIOBase):
    """An endless stream that counts what was read from it."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "an unbounded read of an endless stream"
        self.consumed += size
        return b"[" * size


def test_file_of_fifty_megabytes_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.write(b'{"a": "')
        fh.truncate(50 * MB)  # sparse: cheap to make, 50 MB to read
    read: list[int] = []
    opened: list[str] = []
    real_open = open

    class Counting:
        """Stands in for the file object the loader opens; counts the bytes it reads."""

        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def fileno(self) -> int:
            return int(self.fh.fileno())

        def read(self, size: int = -1) -> bytes:
            data: bytes = self.fh.read(size)
            read.append(len(data))
            return data

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, mode, *args, **kwargs)
        if Path(file) != big:
            return fh
        opened.append(mode)
        return Counting(fh)

    import etr.load.sources

    monkeypatch.setattr(etr.load.sources, "open", counting_open, raising=False)
    report = etr.validate(big)
    assert report.codes == ("LOAD-TOO-LARGE",) and not report.valid
    assert report.source == str(big)
    assert opened == ["rb"]
    assert sum(read) == 0, "the size check must come before any read"


def test_stdin_longer_than_the_limit_is_read_no_further() -> None:
    stream = _Endless()
    limits = Limits()
    with pytest.raises(LoadError) as info:
        Source("<stdin>").read(limits, stream)  # type: ignore[arg-type]
    assert info.value.finding.code == "LOAD-TOO-LARGE"
    assert stream.consumed <= limits.max_bytes + 1


def test_stdin_within_the_limit_is_read() -> None:
    data = Source("<stdin>").read(Limits(max_bytes=100), io.BytesIO(b"[1]"))
    assert data == b"[1]"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_endless_special_file_is_bounded() -> None:
    report = etr.validate("/dev/zero", limits=Limits(max_bytes=64 * 1024))
    assert report.codes == ("LOAD-TOO-LARGE",)


def test_bytes_larger_than_the_limit() -> None:
    hostile(b"[" + b"1," * 600 + b"1]", "LOAD-TOO-LARGE", limits=Limits(max_bytes=1000))


# --------------------------------------------------------------------------- configurable limits

def test_configured_max_bytes_is_honoured() -> None:
    doc = b'{"a": "' + b"x" * 90 + b'"}'
    assert len(doc) == 99
    accepted(doc, limits=Limits(max_bytes=99))
    hostile(doc, "LOAD-TOO-LARGE", limits=Limits(max_bytes=98))
    hostile(b"<a>" + b"x" * 100 + b"</a>", "LOAD-TOO-LARGE", limits=Limits(max_bytes=50))


def test_configured_max_depth_is_honoured() -> None:
    limits = Limits(max_depth=3)
    accepted(b'{"a": [[1]]}', limits=limits)
    hostile(b'{"a": [[[1]]]}', "LOAD-JSON-DEPTH", limits=limits)
    accepted(b"<a><b><c/></b></a>", limits=limits)
    hostile(b"<a><b><c><d/></c></b></a>", "LOAD-XML-DEPTH", limits=limits)


def test_configured_depth_can_be_raised() -> None:
    doc = b"[" * 300 + b"]" * 300
    hostile(doc, "LOAD-JSON-DEPTH")
    accepted(doc, limits=Limits(max_depth=300))


@pytest.mark.parametrize("kwargs", [{"max_bytes": 0}, {"max_depth": 0}, {"max_bytes": -1}, {"max_pdf_objects": 0},
                                    {"max_attachments": 0}])
def test_limits_must_be_positive(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Limits(**kwargs)


# --------------------------------------------------------------------------- files and inputs

def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    report = etr.validate(missing)
    assert report.codes == ("LOAD-NOT-FOUND",) and not report.valid
    assert report.source == str(missing)


def test_directory_given_as_a_document(tmp_path: Path) -> None:
    report = etr.validate(tmp_path)
    assert report.codes == ("LOAD-IO",) and not report.valid


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    # Opening a FIFO for reading blocks until a writer comes: the loader must not open it.
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    report = etr.validate(fifo)
    assert report.codes == ("LOAD-IO",)
    assert "pipe" in report.findings[0].message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions (and not root)")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.json"
    locked.write_bytes(b"{}")
    locked.chmod(0)
    report = etr.validate(locked)
    assert report.codes == ("LOAD-IO",)
    assert "cannot read" in report.findings[0].message


def test_load_source_reads_and_parses(tmp_path: Path) -> None:
    from etr.load import load_source

    path = tmp_path / "a.json"
    path.write_bytes(b'{"a": 1}')
    assert load_source(Source(str(path), path)).content == {"a": 1}
    with pytest.raises(LoadError) as info:
        load_source(Source(str(path), path), Limits(max_bytes=3))
    assert info.value.finding.code == "LOAD-TOO-LARGE"
    with pytest.raises(LoadError) as info:
        load_source(Source("gone.json", tmp_path / "gone.json", missing=True))
    assert info.value.finding.code == "LOAD-NOT-FOUND"


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert etr.validate(empty).codes == ("LOAD-EMPTY",)


def test_validate_or_raise_on_hostile_input() -> None:
    with pytest.raises(etr.ValidationFailed) as info:
        etr.validate_or_raise(BILLION_LAUGHS)
    assert info.value.report.codes == ("LOAD-XML-DTD",)  # type: ignore[attr-defined]
    assert "LOAD-XML-DTD" in str(info.value)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in ["b.json", "a.xml", "A.JSON", "c.jsonld", "d.pdf", "notes.txt", "README",
                "sub/z.json", "sub/deeper/y.xml", "sub/.secret.json", ".hidden.json",
                ".git/config.json", "aa/x.json"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
    return tmp_path


def _names(sources: list[Source], root: Path) -> list[str]:
    return [Path(s.name).relative_to(root).as_posix() if s.path is not None else s.name for s in sources]


def test_directory_walk_is_sorted_and_skips_hidden(tree: Path) -> None:
    sources = list(expand_inputs([str(tree)]))
    assert _names(sources, tree) == ["A.JSON", "a.xml", "b.json", "c.jsonld", "d.pdf",
                                     "aa/x.json", "sub/z.json", "sub/deeper/y.xml"]
    assert all(not s.missing and s.path == Path(s.name) for s in sources)


def test_inputs_keep_command_line_order(tree: Path) -> None:
    items = [str(tree / "sub"), str(tree / "b.json"), "-", str(tree / "notes.txt"), str(tree / "missing.json")]
    sources = list(expand_inputs(items))
    assert [s.name for s in sources] == [str(tree / "sub/z.json"), str(tree / "sub/deeper/y.xml"),
                                         str(tree / "b.json"), "<stdin>", str(tree / "notes.txt"),
                                         str(tree / "missing.json")]
    assert sources[3].path is None and not sources[3].missing
    assert sources[4].path == tree / "notes.txt"  # a named file is read whatever its suffix
    assert sources[5].missing


def test_glob_expansion(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = list(expand_inputs([str(tree / "*.json")]))
    assert _names(absolute, tree) == ["b.json"]  # not .hidden.json, not A.JSON
    monkeypatch.chdir(tree)
    assert [s.name for s in expand_inputs(["**/*.json"])] == ["aa/x.json", "b.json", "sub/z.json"]
    assert [s.name for s in expand_inputs(["**/*.xml", "s*"])] == [
        "a.xml", "sub/deeper/y.xml",  # the pattern's matches, sorted
        "sub/z.json", "sub/deeper/y.xml",  # a matching directory is walked
    ]
    assert [s.name for s in expand_inputs([".h*"])] == [".hidden.json"]  # asked for by name
    assert [s.name for s in expand_inputs([".hidden.json"])] == [".hidden.json"]
    nothing = list(expand_inputs(["*.nothing"]))
    assert len(nothing) == 1 and nothing[0].missing and nothing[0].name == "*.nothing"
    assert etr.validate(tree / "missing-[x].json").codes == ("LOAD-NOT-FOUND",)


def test_iter_validate_streams_in_input_order(tree: Path) -> None:
    (tree / "b.json").write_bytes(b"[NaN]")
    (tree / "a.xml").write_bytes(BILLION_LAUGHS)
    reports = list(etr.iter_validate([tree / "b.json", b"", str(tree / "sub"), tree / "a.xml", {"x": 1}]))
    assert [r.codes[0] for r in reports] == ["LOAD-JSON-CONSTANT", "LOAD-EMPTY", "DETECT-UNKNOWN",
                                             "DETECT-UNKNOWN", "LOAD-XML-DTD", "DETECT-UNKNOWN"]
    assert [r.source for r in reports] == [str(tree / "b.json"), "<bytes>", str(tree / "sub/z.json"),
                                           str(tree / "sub/deeper/y.xml"), str(tree / "a.xml"), "<object>"]


def test_no_hostile_input_leaks_an_exception(tmp_path: Path) -> None:
    """Every hostile input above, as a file: validate(path) returns an invalid report."""
    inputs = [BILLION_LAUGHS, b"[" * 10_000, b'{"a":1,"a":1}', b"[NaN]", b"\xff\xfe{", b'["\\ud800"]', b"",
              b"[" + b"9" * 100_000 + b"]", b'{"a":', b"hi", b"%PDF-1.4", b"<a><b></a>",
              random.Random(0).randbytes(4096)]
    for i, data in enumerate(inputs):
        path = tmp_path / f"{i}.json"
        path.write_bytes(data)
        report = etr.validate(path)
        assert not report.valid, (i, report.codes)
        assert report.codes[0].startswith(("LOAD-", "DETECT-")), (i, report.codes)
