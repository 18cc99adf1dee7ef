"""The strict JSON loader's short cuts give the verdict of the plain reading, on any input.

Two short cuts keep the loader's cost on a large input (a PINT envelope of a 1,000-entry chain: a megabyte of
base64) to the parse itself:

* opening brackets are counted by jumping from one to the next (``bytes.find``) and only up to the depth
  limit, instead of ``bytes.count`` over every byte, from ``_JUMP_FROM`` bytes on;
* the search for a surrogate escape (``\\uD800``…) runs only when the input holds a backslash;
* from ``_ORJSON_FROM`` bytes on, orjson reads the text and its value is kept only when ``_orjson_value`` can
  show it is the strict reading's (no backslash, no float that may be a 65-bit integer, as many colons in
  the text as members and strings account for: no key dropped).

Each is proved here against the reading without it: the same value (types included) or the same ``LOAD-``
code, for any input, both sides of the size threshold.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etr.load import Limits, LoadError, json_value
from etr.load import json as strict

# --------------------------------------------------------------------------- the reference reading


def _depth_exceeds(data: bytes, max_depth: int) -> bool:
    """The depth rule as first written: every opening bracket counted with ``bytes.count``, then the bracket
    skeleton (strings blanked out) peeled one level of matched pairs at a time."""
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return False
    skeleton = strict._STRING.sub(b"", data).translate(None, strict._NOT_BRACKET)
    skeleton = skeleton.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(max_depth):
        inner = skeleton.replace(b"[]", b"")
        if len(inner) == len(skeleton) or not inner:
            return False  # unbalanced (the parser says where), or no deeper than the limit
        skeleton = inner
    return True


def _reference(data: bytes, limits: Limits) -> Any:
    """The plain reading: the depth rule counting every bracket, the stdlib parser with
    the same refusals, and every string (keys included) checked for a lone surrogate (no backslash gate)."""
    if len(data) > limits.max_bytes:
        raise LoadError("LOAD-TOO-LARGE", "")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError("LOAD-ENCODING", "") from None
    if _depth_exceeds(data, limits.max_depth):
        raise LoadError("LOAD-JSON-DEPTH", "")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            raise LoadError("LOAD-JSON-DUPLICATE-KEY", "")
        return dict(items)

    def constant(name: str) -> Any:
        raise LoadError("LOAD-JSON-CONSTANT", "")

    def number(literal: str) -> float:
        if math.isinf(value := float(literal)):
            raise LoadError("LOAD-JSON-CONSTANT", "")
        return value

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number)
    except json.JSONDecodeError:
        raise LoadError("LOAD-JSON-SYNTAX", "") from None
    except RecursionError:
        raise LoadError("LOAD-JSON-DEPTH", "") from None
    except ValueError:
        raise LoadError("LOAD-JSON-NUMBER", "") from None
    stack = [value]
    while stack:
        node = stack.pop()
        strings = [*node, *node.values()] if isinstance(node, dict) else node if isinstance(node, list) else [node]
        for item in strings:
            if isinstance(item, dict | list):
                stack.append(item)
            elif isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise LoadError("LOAD-JSON-SURROGATE", "") from None
    return value


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        value = run()
    except LoadError as exc:
        return "error", exc.code
    return "value", (type(value).__name__, json.dumps(value, ensure_ascii=True))


@contextmanager
def _jump_from(size: int, orjson_from: int = 1 << 60) -> Iterator[None]:
    with mock.patch.object(strict, "_JUMP_FROM", size), mock.patch.object(strict, "_ORJSON_FROM", orjson_from):
        yield


def _agree(data: bytes, limits: Limits) -> None:
    expected = _outcome(lambda: _reference(data, limits))
    # the jumping count and bytes.count; orjson's reading (checked) and the stdlib scanner's
    for threshold, orjson_from in ((0, 0), (1 << 60, 1 << 60), (0, 1 << 60), (1 << 60, 0)):
        with _jump_from(threshold, orjson_from):
            assert _outcome(lambda: json_value(data, limits)) == expected, (threshold, orjson_from, data[:200])


# --------------------------------------------------------------------------- inputs

_SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d\ude00", "\ude00\ud83d"])
_TEXT = st.text(st.characters(codec=None, exclude_categories=("Cs",)), max_size=6) | _SURROGATES \
    | st.sampled_from(["[", "{", "]}", '"', "\\", "\\u", "\n", "é"])
_SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) \
    | st.floats(allow_nan=False, allow_infinity=False) | _TEXT
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(_TEXT, inner, max_size=4), max_leaves=20)
_NOISE = st.sampled_from([b"", b"{", b"[", b"]", b"}", b'"', b"\\", b"\\u", b"\\ud800", b"\\uDBFF", b",", b":",
                          b"NaN", b"1e999", b"\xff", b"\xed\xa0\x80", b" ", b"\n"])


def _write(value: Any, escapes: str, indent: int | None) -> bytes:
    """``escapes``: "none" (UTF-8, a lone surrogate as its invalid 3 bytes), "lower" (``\\ud800``), "upper"."""
    data = json.dumps(value, ensure_ascii=escapes != "none", indent=indent).encode("utf-8", "surrogatepass")
    return re.sub(rb"\\u[0-9a-f]{4}", lambda m: m[0].upper().replace(b"\\U", b"\\u"), data) \
        if escapes == "upper" else data


_EDITS = st.lists(st.tuples(st.integers(0, 10**6), _NOISE), max_size=3)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUES, st.sampled_from(["none", "lower", "upper"]), st.sampled_from([None, 0, 1]), _EDITS, st.integers(1, 6))
@example({"a": "\ud800"}, "lower", None, [], 128)
@example({"a": "\udbff"}, "upper", None, [], 128)
@example({"a": "\ud800"}, "none", None, [], 128)
@example({"a": [[[1]]]}, "lower", None, [], 3)
def test_short_cuts_agree_with_the_plain_reading(value: Any, escapes: str, indent: int | None,
                                                 edits: list[tuple[int, bytes]], depth: int) -> None:
    data = _write(value, escapes, indent)
    for at, noise in edits:  # damage anywhere: an unbalanced bracket, a stray escape, a bad byte
        at %= len(data) + 1
        data = data[:at] + noise + data[at:]
    _agree(data, Limits(max_depth=depth))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.lists(st.sampled_from([b"[", b"{", b"]", b"}", b'"', b"\\", b"a", b" ", b":",
                                                           b","]), max_size=300).map(b"".join),
       st.integers(0, 40))
def test_bracket_count_agrees_with_bytes_count(data: bytes, limit: int) -> None:
    expected = data.count(b"{") + data.count(b"[") <= limit
    for threshold in (0, 1 << 60):
        with _jump_from(threshold):
            assert strict._brackets_at_most(data, limit) is expected


# --------------------------------------------------------------------------- large inputs, for real

PAD = "A" * 40_000  # beyond _JUMP_FROM: the jumping count is the one that runs


def test_large_inputs_take_the_jumping_count() -> None:
    assert len(PAD) > strict._JUMP_FROM


@pytest.mark.parametrize(("depth", "code"), [(128, None), (129, "LOAD-JSON-DEPTH")])
def test_depth_limit_is_exact_in_a_large_input(depth: int, code: str | None) -> None:
    data = ("[" * depth + json.dumps(PAD) + "]" * depth).encode()
    outcome = _outcome(lambda: json_value(data, Limits()))
    assert outcome[0] == ("value" if code is None else "error")
    if code is not None:
        assert outcome[1] == code


def test_brackets_in_the_strings_of_a_large_input_do_not_count() -> None:
    data = json.dumps({"chain": [PAD, "[" * 500, "{" * 500]}).encode()
    assert json_value(data, Limits())["chain"][1] == "[" * 500


@pytest.mark.parametrize(("doc", "code"), [
    ({"a": "\ud800", "pad": PAD}, "LOAD-JSON-SURROGATE"),
    ({"\udc00": 1, "pad": PAD}, "LOAD-JSON-SURROGATE"),
    ({"a": "\ud83d\ude00", "pad": PAD}, None),
], ids=["lone-high", "lone-low-key", "pair"])
def test_surrogate_escapes_in_a_large_input(doc: dict[str, Any], code: str | None) -> None:
    data = json.dumps(doc).encode()  # ensure_ascii: written as \\uXXXX escapes
    assert b"\\u" in data
    outcome = _outcome(lambda: json_value(data, Limits()))
    assert outcome == (("error", code) if code else ("value", ("dict", json.dumps(doc))))


def test_duplicate_key_after_a_megabyte() -> None:
    data = b'{"chain": [' + b",".join([json.dumps(PAD).encode()] * 25) + b'], "a": 1, "a": 2}'
    assert _outcome(lambda: json_value(data, Limits())) == ("error", "LOAD-JSON-DUPLICATE-KEY")


# --------------------------------------------------------------------------- orjson's reading, where it differs

_KEYS = st.sampled_from(["a", "b", ":", "a:b", "::", "", "é:"])
_COLON_TEXT = st.sampled_from(["", ":", "a:b", "::x", "\\", "\u2028", "é"])
_TRICKY = st.none() | st.booleans() | _COLON_TEXT \
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**30, -(10**30)]) \
    | st.sampled_from([9.2e18, 9.3e18, -9.3e18, 1e20, 2.0**63, 0.5, -0.0, 1e308]) | st.integers()
_TRICKY_VALUES = st.recursive(_TRICKY, lambda inner: st.lists(inner, max_size=5)
                              | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=25)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TRICKY_VALUES, st.sampled_from(["none", "lower"]), st.lists(st.tuples(_KEYS, _TRICKY_VALUES), max_size=3),
       st.integers(0, 10**6))
@example({"a": 1}, "none", [("a", 2)], 0)
@example({"a:b": "x"}, "none", [("a:b", "y:z")], 0)
@example([2**64], "none", [], 0)
@example({"a": "\\u003a"}, "none", [("a", 1)], 0)
def test_orjson_reading_agrees_with_the_strict_one(value: Any, escapes: str, extra: list[tuple[str, Any]],
                                                   where: int) -> None:
    """Keys with colons, members repeated (written into an object of the text), integers about 64 bits,
    floats that are integers: orjson's reading is kept exactly when it is the strict one."""
    data = _write(value, escapes, None)
    objects = [m.end() for m in re.finditer(rb"\{", data)]
    if objects and extra:  # a member written again at the start of one of the text's objects
        at = objects[where % len(objects)]
        members = b"".join(json.dumps(k).encode() + b":" + _write(v, escapes, None) + b"," for k, v in extra)
        closing = data[at:at + 1] == b"}"
        data = data[:at] + (members[:-1] if closing else members) + data[at:]
    with _jump_from(1 << 60, 0):
        fast = _outcome(lambda: json_value(data, Limits()))
    assert fast == _outcome(lambda: _reference(data, Limits())), data[:300]


def test_a_large_envelope_is_read_by_orjson() -> None:
    """The path the loader takes on a PINT envelope of a long chain: orjson's value, vouched for."""
    envelope = {"transportDocument": {"a": "10:00:00", "b": [1, 2.5, None]}, "envelopeTransferChain": [PAD] * 3}
    data = json.dumps(envelope).encode()
    assert len(data) >= strict._ORJSON_FROM and strict._orjson_value(data) == envelope
    assert json_value(data, Limits()) == envelope
    for refused in (data.replace(b'"a"', b'"b"', 1), data.replace(b"2.5", str(2**64).encode(), 1),
                    data.replace(b"10:00", b"10\\u003a00", 1)):
        assert strict._orjson_value(refused) is None  # a dropped key, a 65-bit integer, an escape
    assert json_value(data.replace(b"2.5", str(2**64).encode(), 1), Limits())["transportDocument"]["b"][1] == 2**64


@pytest.mark.parametrize("literal", [
    "-1e-400", "0.30000000000000004441", "1.00000000000000011102230246251565404236316680908203125",
    "2.2250738585072011e-308", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623158e308",
    "1.7976931348623159e308", "9007199254740993", "9007199254740993.0", "123456789012345678901234567890e-10",
    "18446744073709551615", "18446744073709551616", "-9223372036854775809", "-0", "-0.0", "1e", "-", "+1", "01",
])
def test_orjson_reading_of_numbers_is_the_strict_one(literal: str) -> None:
    """Halfway and boundary decimals, 64-bit edges, malformed numbers: orjson's reading, where it is kept, is the
    strict reading's (the same float, bit for bit; the same integer; or the strict error)."""
    data = f'{{"n": [{literal}], "k": "a:b"}}'.encode()
    with _jump_from(1 << 60, 0):
        assert _outcome(lambda: json_value(data, Limits())) == _outcome(lambda: _reference(data, Limits()))
