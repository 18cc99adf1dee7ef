"""The JWS payload short cut (orjson, accepted only on a byte-for-byte round trip) gives exactly what the
hardened loader gives: the same value (types included) or the same error code, for any payload."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etr.crypto.jws import JwsError, ParsedJws, payload_json
from etr.load import Limits, LoadError, json_value

_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
            | st.sampled_from(["\u2028", "é", "𝄞", "\x00\x1f", '"\\/']))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=12)


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        value = run()
    except (JwsError, LoadError) as exc:
        code = getattr(exc, "detail", None) or exc.code
        return "error", code
    return "value", (type(value).__name__, json.dumps(value, sort_keys=False, allow_nan=True))


def _both(payload: bytes) -> tuple[tuple[str, Any], tuple[str, Any]]:
    parsed = ParsedJws("t", {"alg": "EdDSA"}, payload, b"", b"")
    return _outcome(lambda: payload_json(parsed)), _outcome(lambda: json_value(payload, Limits()))


def _same(payload: bytes) -> None:
    fast, slow = _both(payload)
    assert fast == slow, payload


_TWEAKS = st.sampled_from(["none", "dup", "space", "bom", "nan", "bigint", "escape", "surrogate", "trail", "deep"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUES, _TWEAKS)
@example({"a": 1}, "dup")
@example([1.0, 2.5, -0.0, 1e300], "none")
def test_short_cut_agrees_with_the_loader(value: Any, tweak: str) -> None:
    try:
        text = orjson.dumps(value)  # compact: the short cut's own form, before any tweak
    except (TypeError, orjson.JSONEncodeError):  # an integer beyond 64 bits: write it the standard way
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if tweak == "dup":
        text = b'{"k":1,"k":' + text + b"}"
    elif tweak == "space":
        text = b" " + text
    elif tweak == "bom":
        text = b"\xef\xbb\xbf" + text
    elif tweak == "nan":
        text = b'{"n":NaN,"v":' + text + b"}"
    elif tweak == "bigint":
        text = b'{"big":123456789012345678901234567890,"v":' + text + b"}"
    elif tweak == "escape":
        text = b'{"e":"\\u00e9\\/","v":' + text + b"}"
    elif tweak == "surrogate":
        text = b'{"s":"\\ud800","v":' + text + b"}"
    elif tweak == "trail":
        text = text + b"x"
    elif tweak == "deep":
        text = b"[" * 130 + text + b"]" * 130
    _same(text)


def test_examples_named_in_the_docstring() -> None:
    for payload in (b'{"a":1,"a":2}', b'{"a":1e400}', b'{"a":NaN}', b'{"a":"\\ud800"}', b'{"a":1E2}', b'{"a":-0}',
                    b'{"a":123456789012345678901234567890}', b"[" * 129 + b"]" * 129, b"[" * 128 + b"]" * 128,
                    b'{"a":"\\u00e9"}', b'\xff', b'{"a":1} ', b'{"a":0.1,"b":[true,false,null]}'):
        _same(payload)
    fast, _ = _both(b'{"a":1,"a":2}')
    assert fast == ("error", "LOAD-JSON-DUPLICATE-KEY")
    fast, _ = _both(b'{"big":123456789012345678901234567890}')
    assert fast == ("value", ("dict", '{"big": 123456789012345678901234567890}'))  # exact, not a float


# --------------------------------------------------------------------------- base64url segments

_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _reference_segment(segment: str) -> bytes | None:
    """Strict base64url without padding, by the book: the alphabet only, a possible length, canonical
    trailing bits; None when refused."""
    import base64

    if not segment or any(c not in _B64_CHARS for c in segment) or len(segment) % 4 == 1:
        return None
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(data).decode().rstrip("=") != segment:
        return None  # non-zero unused bits: another encoding of the same bytes
    return data


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_B64_CHARS + "+/= .\n\x00é", max_size=12) | st.binary(max_size=9).map(
    lambda b: __import__("base64").urlsafe_b64encode(b).decode().rstrip("=")))
def test_segments_decode_exactly_as_strict_base64url(segment: str) -> None:
    from etr.crypto.jws import _decode_segment

    expected = _reference_segment(segment)
    try:
        got: bytes | None = _decode_segment(segment, "payload")
    except JwsError as exc:
        assert exc.code == "JWS-MALFORMED"
        got = None
    assert got == expected, segment


def test_a_key_colliding_with_one_orjson_has_cached_is_read_as_written() -> None:
    """orjson looks keys of up to 64 bytes up in a process-wide cache by their 64-bit xxh3 hash alone, so a key
    whose hash collides with a cached one is read as that one. These two keys collide (found by a Pollard rho
    search): the short cut must not take orjson's reading, since it does not write the payload back."""
    first, second = "KEY__OzwfPAGszIB", "KEY__hA5O3JVn1mM"
    orjson.loads(json.dumps({first: 0}).encode())  # the cache now holds the first key
    payload = json.dumps({"a": {first: 1}, "b": {second: 2}}, separators=(",", ":")).encode()
    _same(payload)
    parsed = ParsedJws("t", {"alg": "EdDSA"}, payload, b"", b"")
    assert list(payload_json(parsed)["b"]) == [second]
