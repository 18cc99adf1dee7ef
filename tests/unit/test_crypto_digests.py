"""Digests: SHA-256 hex and RFC 8785 canonical JSON, as DCSA PINT computes checksums (reference §2.7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rfc8785
from conftest import need_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jcs_reference import reference_jcs

from etr.crypto.digests import CanonicalizationError, _plain, jcs, jcs_sha256, sha256_hex


def test_sha256_hex_is_lowercase_64_chars() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_jcs_sorts_keys_and_drops_whitespace() -> None:
    assert jcs({"b": [1, 2.0, "é"], "a": None, "c": {"z": True, "y": 1e21}}) == \
        '{"a":null,"b":[1,2,"é"],"c":{"y":1e+21,"z":true}}'.encode()


def test_jcs_sorts_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: U+FF61 sorts after U+1F600 (UTF-16 D83D DE00), unlike code point order.
    assert jcs({"\uff61": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"\U0001f600":2,"\uff61":1}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53 + 1, -(2**53) - 1, 10**400, {1: 2}, object(),
                                   "\ud800"])
def test_jcs_refuses_what_has_no_canonical_form(value: object) -> None:
    with pytest.raises(CanonicalizationError) as info:
        jcs({"v": value})
    assert info.value.code == "JCS-UNREPRESENTABLE"


@pytest.mark.parametrize("integer, text", [
    (10**20, b"100000000000000000000"),  # 1e20: still written in full (ECMAScript switches at 1e21)
    (2**53, b"9007199254740992"),
    (2**60, b"1152921504606847000"),  # the shortest digits of the double, as ECMAScript writes it
    (10**21, b"1e+21"),
    (-(10**22), b"-1e+22"),
])
def test_integers_that_are_doubles_are_written_as_the_double(integer: int, text: bytes) -> None:
    """RFC 8785 §3.2.2.3: a number is the IEEE 754 double it is, however it is spelled."""
    assert jcs(integer) == jcs(float(integer)) == text


def test_jcs_sha256_matches_pint_demo_transport_document_checksum(shared_data: Path) -> None:
    envelope_path = need_shared(shared_data / "dcsa" / "pint-demo" / "pint-transfers" /
                                "HHL71800000-ebl-envelope-ed25519.json")
    envelope = json.loads(envelope_path.read_bytes())
    assert jcs_sha256(envelope["transportDocument"]) == \
        "8f765417773a026d4f9ead6187d961d28dffbb7d0a11dda9ba6fee16423bc05a"


# --------------------------------------------------------------------------- the fast path of jcs() vs rfc8785

_SAFE = 2**53 - 1
_ASCII_KEYS = st.text(st.characters(max_codepoint=0x7F), max_size=8)
_ANY_KEYS = st.text(max_size=6)  # non-ASCII, astral (UTF-16 order), lone surrogates: the reference path
_STRINGS = st.text(max_size=12) | st.sampled_from(["", "\x00\x1f\x7f\"\\/\b\f\n\r\t", "\u2028\u2029é𝄞", "\ud800"])


_reference = reference_jcs


def _json(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                        max_leaves=20)


_PLAIN_SCALARS = st.none() | st.booleans() | st.integers(-_SAFE, _SAFE) | _STRINGS
_ANY_SCALARS = _PLAIN_SCALARS | st.integers() | st.floats() | st.sampled_from([2**53, -(2**53), 2**53 + 1, 10**20,
                                                                              10**30, 2**70 + 1])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json(_ASCII_KEYS, _PLAIN_SCALARS))
def test_fast_path_writes_exactly_rfc8785(value: object) -> None:
    expected = _reference(value)
    if expected is None:  # only a lone surrogate can make a plain value unrepresentable
        with pytest.raises(CanonicalizationError):
            jcs(value)
    else:
        assert jcs(value) == expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json(_ANY_KEYS | _ASCII_KEYS, _ANY_SCALARS))
def test_jcs_agrees_with_rfc8785_on_any_json(value: object) -> None:
    expected = _reference(value)
    if expected is None:
        with pytest.raises(CanonicalizationError):
            jcs(value)
    else:
        assert jcs(value) == expected


@pytest.mark.parametrize("value", [
    1.0, {"a": 0.5}, [2**53], [-(2**53)], {"é": 1}, {"\U0001f600": 1, "\uff61": 2}, {1: 2}, (1, 2),
    type("S", (str,), {})("str subclass"), {"a": {"b": [1, 2, 3.0]}},
])
def test_what_does_not_take_the_fast_path(value: object) -> None:
    assert not _plain(value)


def test_plain_values_take_the_fast_path() -> None:
    assert _plain({"a": [1, -(2**53) + 1, 2**53 - 1, True, None, "é\ud800", {}, [[]]]})


def test_deep_and_cyclic_values_leave_the_fast_path() -> None:
    deep: list[object] = []
    cur = deep
    for _ in range(100):
        nxt: list[object] = []
        cur.append(nxt)
        cur = nxt
    assert not _plain(deep)
    assert jcs(deep) == rfc8785.dumps(deep)
    cyclic: list[object] = []
    cyclic.append(cyclic)
    assert not _plain(cyclic)  # no endless walk; the reference implementation decides


# --------------------------------------------------------------------------- a number is the double it is

_DOUBLES = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=500, deadline=None)
@given(_DOUBLES)
def test_integral_doubles_spelled_as_integers_canonicalise_alike(value: float) -> None:
    """The same double read from ``1e20`` (a float) or ``100000000000000000000`` (an int) has one form."""
    if value.is_integer():
        assert jcs({"n": int(value)}) == jcs({"n": value}) == rfc8785.dumps({"n": value})
    else:
        assert jcs({"n": value}) == rfc8785.dumps({"n": value})


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=2**53 + 1, max_value=2**1100))
def test_an_integer_is_refused_exactly_when_it_is_not_a_double(value: int) -> None:
    try:
        exact = float(value) == value
    except OverflowError:
        exact = False
    for n in (value, -value):
        if exact:
            assert jcs(n) == rfc8785.dumps(float(n))
        else:
            with pytest.raises(CanonicalizationError):
                jcs(n)
