"""The OpenAttestation hashing primitives, pinned by the reference's own worked example and JavaScript facts."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etr.families.openattestation import _js
from etr.families.openattestation import hashing as h

#: open-attestation src/2.0/__tests__/digest.test.ts (the reference's worked example).
EXAMPLE = {"key1": "value1", "key2": {"key2-1": "value2-1", "key2-2": "value2-2",
                                      "key2-3": ["value2-3-1", "value2-3-2", "value2-3-3"]},
           "key3": ["value3-1", "value3-2"]}
EXAMPLE_LEAVES = {
    "key1": "1549a7b5fac4126fa0fbdea8c156930790691317e30400feb76c0f5cec06b396",
    "key2.key2-1": "bfde44f29cc03f4111c0e0dd5c9551705e9cfb03054e26e01f53c6dabff7aead",
    "key2.key2-2": "877b54b204a759620fd386e531d9a017655377f3645117665409da3c7ff5a61a",
    "key2.key2-3.0": "1cbeb0dc59c8e303b23bcfd5275211531348da401d971e120c0dded6fbc48c75",
    "key2.key2-3.1": "433691731088b4455fb31dee9b75fed687fb3acf9886c1359e01d3df3d059990",
    "key2.key2-3.2": "b75b6e1b511cae653f4bf5a8981e300a53b5e797f8de9ce0f4521d64d28a3e4e",
    "key3.0": "f290dec8eba6913285b09f712ea38e39da8ffdf1de9bf305b90d3b77ae77be96",
    "key3.1": "83cae3b56a3b5b874ddf7d9e237f8527791bde5459bd2d72529395782e6088d0",
}


def test_keccak256_is_keccak_not_fips_sha3() -> None:
    assert h.keccak256_hex(b"") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert h.keccak256_hex(b"") != hashlib.sha3_256(b"").hexdigest()


def test_the_reference_worked_example() -> None:
    leaves = {path: h.v2_leaf_hash(path, value) for path, value, _ in h.flatten_v2(EXAMPLE)}
    assert leaves == EXAMPLE_LEAVES
    assert h.v2_target_hash(EXAMPLE, []) == "3826fcc2b0122a3555051a29b09b8cf5a6a8c776abf5da4e966ab92dbdbd518c"
    # The order of the obfuscated hashes and of the keys does not matter (the list is sorted).
    shuffled = {"key3": EXAMPLE["key3"], "key2": EXAMPLE["key2"], "key1": "value1"}
    assert h.v2_target_hash(shuffled, []) == h.v2_target_hash(EXAMPLE, [])


def test_flatten_v2_paths_and_empty_containers_are_leaves() -> None:
    got = [(p, v, ptr) for p, v, ptr in h.flatten_v2({"a": {}, "b": [], "c": [{"d": None}], "e/f": 1})]
    assert got == [("a", {}, "/a"), ("b", [], "/b"), ("c.0.d", None, "/c/0/d"), ("e/f", 1, "/e~1f")]
    with pytest.raises(h.KeyDelimiterError) as info:
        list(h.flatten_v2({"a": {"b.c": "x"}}))
    assert info.value.path == "a.b.c" and info.value.pointer == "/a/b.c"


@pytest.mark.parametrize(("value", "text"), [
    (1, "1"), (1.0, "1"), (-0.0, "0"), (0.1, "0.1"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1.5e-7, "1.5e-7"), (0.000001, "0.000001"), (123456789012345680000.0, "123456789012345680000"),
    (2**53 + 1, "9007199254740992"), (10**400, "Infinity"), (-(10**400), "-Infinity"), (5e-324, "5e-324"),
])
def test_numbers_are_written_as_javascript_writes_them(value: float, text: str) -> None:
    assert _js.number_text(value) == text


def test_stringify_is_compact_json_with_javascript_numbers() -> None:
    assert _js.stringify({"a": [1.0, "é\n\u2028", None, True, {}]}) == '{"a":[1,"é\\n\u2028",null,true,{}]}'
    assert _js.stringify(10**400) == "null"
    assert _js.template_text([1, None, [2.0, "x"], {}]) == "1,,2,x,[object Object]"
    with pytest.raises(TypeError):
        _js.stringify({1, 2})


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_text_reads_back_as_the_same_double(value: float) -> None:
    """ECMAScript Number::toString gives a text that reads back as the same double (the shortest)."""
    text = _js.number_text(value)
    assert float(text) == value or (value == 0 and float(text) == 0)
    assert not math.isnan(float(text))


def test_merkle_tree_gives_proofs_that_reach_the_root() -> None:
    for n in (1, 2, 3, 5, 8, 13):
        targets = [h.keccak256_hex(str(i).encode()) for i in range(n)]
        root, proofs = h.merkle_tree(targets)
        assert all(h.merkle_root_of(t, proofs[t]) == root for t in targets)
        if n == 1:
            assert root == targets[0] and proofs[targets[0]] == []


def test_salts_decode_and_refuse_what_the_reference_refuses() -> None:
    salts = [h.Salt("a.b[0]", "ab" * 32), h.Salt("é", "CD" * 32)]
    assert h.decode_salts(h.encode_salts(salts)) == salts
    for bad in (None, "%%%", "bnVsbA==", h.encode_salts([h.Salt("a", "xyz")]), "W3siYSI6MX1d"):
        with pytest.raises(h.SaltError):
            h.decode_salts(bad)


@pytest.mark.parametrize(("root", "path", "value"), [
    ({"a": {"b": [1, {"c": 2}]}}, "a.b[1].c", 2),
    ({"a": {"b": [1, {"c": 2}]}}, "a.b.0", 1),        # lodash reads "0" on an array
    ({"a": {"0": "x"}}, "a[0]", "x"),                   # and [0] on an object
    ({"a.b": "direct"}, "a.b", "direct"),               # a key of the root wins over the split
    ({"a": {"b": "nested"}}, "a.b", "nested"),
    ({"a": {"x.y": 1}}, 'a["x.y"]', 1),
    ({"a": "abc"}, "a.length", 3),
    ({"a": [1]}, "a[1]", h.UNDEFINED),
    ({"a": [1]}, "a.01", h.UNDEFINED),
    ({"a": 1}, "a.b", h.UNDEFINED),
    ({"a": {}}, "a.constructor", h.UNDEFINED),          # JavaScript's inherited properties are not emulated
])
def test_lodash_get(root: dict[str, object], path: str, value: object) -> None:
    assert h.lodash_get(root, path) is value if value is h.UNDEFINED else h.lodash_get(root, path) == value


def test_v4_type_tags() -> None:
    assert [h.v4_type(v) for v in ("", 0, 1.5, True, None, {}, [])] == [
        "string", "number", "number", "boolean", "null", "object", "array"]
    with pytest.raises(h.SaltNotFoundError):
        h.v4_target_hash({"a": "x"}, [h.Salt("a", "")], [])
    assert h.v4_target_hash({}, [], []) == h.hash_list_digest([])
