"""The strict JSON loader's short cuts give the verdict of the plain reading, on any input.

Two short cuts keep the loader's cost on a large input (a PINT envelope of a 1,000-entry chain: a megabyte of
base64) to the parse itself:

* opening brackets are counted by jumping from one to the next (``bytes.find``) and only up to the depth
  limit, instead of ``bytes.count`` over every byte, from ``_JUMP_FROM`` bytes on;
* the search for a surrogate escape (``\\uD800``…) runs only when the input holds a backslash.

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
def _jump_from(size: int) -> Iterator[None]:
    with mock.patch.object(strict, "_JUMP_FROM", size):
        yield


def _agree(data: bytes, limits: Limits) -> None:
    expected = _outcome(lambda: _reference(data, limits))
    for threshold in (0, 1 << 60):  # the jumping count, and bytes.count
        with _jump_from(threshold):
            assert _outcome(lambda: json_value(data, limits)) == expected, (threshold, data[:200])


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
