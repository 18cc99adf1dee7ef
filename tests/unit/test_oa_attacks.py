"""Issue 11 item 7: edits the reference's hashing does not see. Each attack is written as the edit an attacker
makes to a genuine document; the test pins that etr reports integrity exactly as the reference algorithm does
(the edit passes: the reference verifier would accept the copy) AND names the unprotected part with a
warning, so that --strict (fail-on warning) refuses the document. Edits the hashing does see, and edits that
are no change of content, are pinned too, so the class is bounded on both sides.

Sources of the class: open-attestation src/2.0/digest.ts + flatley (paths join keys and indices with '.'),
src/3.0/digest.ts (`${salt}:${value}`: the JSON type is lost; lodash get; salts filtered by whether their path
resolves; PR #273 "digest should handle falsy values correctly"), src/3.0/verify.ts (only the number of leaves
is compared: PR #112), src/3.0/traverseAndFlatten.ts (empty objects and arrays give no leaf), src/4.0/hash.ts
(the type tag and empty leaves that v4 added: PR #277 "issues with v4 tampering and obfuscation", which names
the v3 weaknesses: inserted [] / {}, values coerced to the same text, obfuscation leaving new leaves),
JavaScript numbers (IEEE 754 doubles).
"""

from __future__ import annotations

import copy
import json
import unicodedata
from typing import Any

import pytest
from coincurve import PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from oa_factory import address, resalt, sign_v3, v2_data, v3_credential, v4_credential, wrap_v2, wrap_v3

import etr
from etr.families.openattestation import hashing as h
from etr.model import Outcome, Severity, fails


def integrity(result: Any) -> Outcome:
    check = result.check("integrity")
    assert check is not None
    return check.outcome


def accepted_but_named(doc: Any, code: str, part: str | None = None) -> None:
    """The reference accepts the edited document: integrity PASS; etr names the part; --strict refuses."""
    result = etr.verify(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    assert integrity(result) is Outcome.PASS, result.codes
    finding = next((f for f in result.findings if f.code == code), None)
    assert finding is not None and finding.severity is Severity.WARNING, result.codes
    if part is not None:
        assert part in finding.detail["parts"], finding.detail  # type: ignore[index]
    assert not fails(result) and fails(result, Severity.WARNING)


def refused(doc: Any, code: str = "OA-INTEGRITY-TARGET-HASH") -> None:
    result = etr.verify(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    assert integrity(result) is Outcome.FAIL and code in result.codes, result.codes


def clean(doc: Any) -> None:
    result = etr.verify(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    assert integrity(result) is Outcome.PASS
    assert not [f.code for f in result.findings if f.severity is Severity.WARNING], result.codes


# --------------------------------------------------------------------------- v2


def test_v2_members_outside_data_are_not_hashed() -> None:
    doc = wrap_v2(v2_data())
    clean(doc)
    doc["schema"] = "https://evil.example/schema.json"
    doc["$template"] = {"name": "A DIFFERENT DOCUMENT"}
    accepted_but_named(doc, "OA-UNPROTECTED-MEMBER", "/$template")


def test_v2_an_array_and_an_object_keyed_like_it_hash_alike() -> None:
    doc = wrap_v2(v2_data(marks=["box 1", "box 2"]))
    clean(doc)
    doc["data"]["marks"] = {str(i): v for i, v in enumerate(doc["data"]["marks"])}
    accepted_but_named(doc, "OA-UNPROTECTED-STRUCTURE", "/data/marks")


def test_v2_types_and_texts_are_protected() -> None:
    doc = wrap_v2(v2_data(quantity=5000, fragile=True))
    salted = doc["data"]["quantity"]
    for edit in (salted.replace(":number:", ":string:"), salted.replace(":5000", ":5e3"),
                 salted.replace(":5000", ":5000.0")):
        changed = copy.deepcopy(doc)
        changed["data"]["quantity"] = edit
        refused(changed)
    raw = wrap_v2({**v2_data(), "n": 5})
    raw["data"]["n"] = 5
    raw["signature"]["targetHash"] = h.v2_target_hash(raw["data"], [])
    raw["signature"]["merkleRoot"] = raw["signature"]["targetHash"]
    clean_raw = copy.deepcopy(raw)
    clean_raw["data"]["n"] = "5"  # an unsalted number swapped for its text: JSON.stringify tells them apart
    refused(clean_raw)


def test_v2_obfuscation_that_leaves_an_empty_object_or_a_hole_fails_as_in_the_reference() -> None:
    doc = wrap_v2(v2_data(marks=["a", "b"]))
    hidden = copy.deepcopy(doc)
    name = hidden["data"]["recipient"]
    hidden["privacy"] = {"obfuscatedData": [h.v2_leaf_hash(f"recipient.{k}", v) if not isinstance(v, dict) else ""
                                            for k, v in name.items()][:1]}
    del hidden["data"]["recipient"]["name"]
    hidden["data"]["recipient"].pop("address")
    refused(hidden)  # `recipient: {}` is hashed as a leaf (and the address is simply missing)
    hole = copy.deepcopy(doc)
    hole["privacy"] = {"obfuscatedData": [h.v2_leaf_hash("marks.0", doc["data"]["marks"][0])]}
    hole["data"]["marks"][0] = None  # lodash unset leaves a hole, which JSON writes as null
    refused(hole)


def test_v2_reordering_is_no_edit() -> None:
    doc = wrap_v2(v2_data(a="1", b="2"))
    reordered = {**doc, "data": dict(reversed(list(doc["data"].items())))}
    clean(reordered)
    hidden = etr.families.openattestation.obfuscate(doc, ["a", "b"])  # type: ignore[attr-defined]
    hidden["privacy"]["obfuscatedData"].reverse()
    result = etr.verify(hidden)
    assert integrity(result) is Outcome.PASS and "OA-OBFUSCATED" in result.codes


# --------------------------------------------------------------------------- v3


@pytest.mark.parametrize(("genuine", "edited"), [
    (30, "30"), ("30", 30), (True, "true"), ("false", False), (None, "null"), ("null", None), (1.5, "1.5"),
    ("Infinity", 10**400), (1e21, "1e+21"),
])
def test_v3_a_type_change_whose_text_does_not_change(genuine: Any, edited: Any) -> None:
    doc = wrap_v3(v3_credential(value=genuine))
    doc["credentialSubject"]["value"] = edited
    accepted_but_named(doc, "OA-UNPROTECTED-TYPE", "/credentialSubject/value")


def test_v3_a_plain_string_is_not_named() -> None:
    clean(wrap_v3(v3_credential(value="Nordic Timber", number_like="30 pallets")))


def test_v3_empty_objects_and_arrays_are_not_hashed() -> None:
    doc = wrap_v3(v3_credential())
    doc["credentialSubject"]["endorsements"] = []
    doc["credentialSubject"]["conditions"] = {}
    accepted_but_named(doc, "OA-UNPROTECTED-EMPTY", "/credentialSubject/endorsements")


def test_v3_a_value_added_with_a_salt_that_resolves_nowhere() -> None:
    """The leaf count is kept (one leaf, one salt more) and the digest skips the salt (its path is undefined)."""
    doc = wrap_v3(v3_credential())
    salts = h.decode_salts(doc["proof"]["salts"])
    doc["credentialSubject"]["consignee"] = "Mallory Ltd"
    doc = resalt(doc, [*salts, h.Salt("nowhere.at.all", "ab" * 32)])
    accepted_but_named(doc, "OA-UNPROTECTED-LEAF", "/credentialSubject/consignee")


def test_v3_an_array_turned_into_an_object_and_back() -> None:
    doc = wrap_v3(v3_credential(marks=["box 1", "box 2"]))
    doc["credentialSubject"]["marks"] = {"0": "box 1", "1": "box 2"}  # lodash still reads marks[0]
    accepted_but_named(doc, "OA-UNPROTECTED-LEAF", "/credentialSubject/marks/0")
    keyed = wrap_v3(v3_credential(marks={"0": "box 1"}))
    keyed["credentialSubject"]["marks"] = ["box 1"]  # and marks.0 on an array
    accepted_but_named(keyed, "OA-UNPROTECTED-LEAF", "/credentialSubject/marks/0")


def test_a_key_with_a_dot_reads_as_nesting() -> None:
    """v4 hashes the paths it writes (``a.b`` for both ``{"a.b": x}`` and ``{"a": {"b": x}}``) at any depth;
    v3 looks salts up with lodash ``get``, which takes a dotted path as a key of the root first."""
    key = PrivateKey(bytes.fromhex("33" * 32))
    doc = sign_v3(wrap_v3(v4_credential(did=f"did:ethr:{address(key)}", goods={"weight": "10 t"}), v4=True), key)
    clean(doc)
    doc["credentialSubject"]["goods.weight"] = doc["credentialSubject"].pop("goods")["weight"]
    accepted_but_named(doc, "OA-UNPROTECTED-STRUCTURE", "/credentialSubject/goods.weight")
    v3 = v3_credential()
    v3["goods"] = {"weight": "10 t"}
    doc = wrap_v3(v3)
    clean(doc)
    doc["goods.weight"] = doc.pop("goods")["weight"]
    accepted_but_named(doc, "OA-UNPROTECTED-STRUCTURE", "/goods.weight")
    nested = wrap_v3(v3_credential(goods={"weight": "10 t"}))
    nested["credentialSubject"]["goods.weight"] = nested["credentialSubject"].pop("goods")["weight"]
    refused(nested)  # below the root lodash splits the path: the value is not found


def test_v3_falsy_values_are_hashed() -> None:
    """Before open-attestation PR #273 the digest skipped falsy values (false, 0, ""): any of them could be
    swapped for another. The reference now hashes every value that is not undefined, and so does etr."""
    doc = wrap_v3(v3_credential(flag=False, count=0, note=""))
    for key, edit in (("flag", 0), ("count", ""), ("note", False)):
        changed = copy.deepcopy(doc)
        changed["credentialSubject"][key] = edit
        refused(changed)


# --------------------------------------------------------------------------- v4 closes what v3 leaves open


def test_v4_hashes_types_and_empty_containers() -> None:
    key = PrivateKey(bytes.fromhex("33" * 32))
    doc = sign_v3(wrap_v3(v4_credential(did=f"did:ethr:{address(key)}", value=30, empty={}), v4=True), key)
    clean(doc)
    typed = copy.deepcopy(doc)
    typed["credentialSubject"]["value"] = "30"
    refused(typed)
    emptied = copy.deepcopy(doc)
    del emptied["credentialSubject"]["empty"]
    refused(emptied)
    added = copy.deepcopy(doc)
    added["credentialSubject"]["more"] = []
    refused(added, "OA-INTEGRITY-SALT-MISSING")


# --------------------------------------------------------------------------- every version


def test_a_number_more_precise_than_its_double() -> None:
    doc = wrap_v3(v3_credential(amount=9007199254740993))  # 2**53 + 1: hashed as 9007199254740992
    accepted_but_named(doc, "OA-UNPROTECTED-NUMBER", "/credentialSubject/amount")
    text = json.dumps(wrap_v3(v3_credential(rate=0.1))).replace('"rate": 0.1', '"rate": 0.1000000000000000055511151')
    assert "0.1000000000000000055511151" in text
    accepted_but_named(text.encode(), "OA-UNPROTECTED-NUMBER", "/credentialSubject/rate")
    # Other spellings of the same value are the same value: not named.
    spelled = etr.verify(json.dumps(wrap_v3(v3_credential(rate=5000))).replace(": 5000", ": 5e3").encode())
    assert integrity(spelled) is Outcome.PASS and "OA-UNPROTECTED-NUMBER" not in spelled.codes
    v2 = wrap_v2({**v2_data(), "big": 9007199254740993})
    v2["data"]["big"] = 9007199254740993
    v2["signature"]["targetHash"] = v2["signature"]["merkleRoot"] = h.v2_target_hash(v2["data"], [])
    accepted_but_named(v2, "OA-UNPROTECTED-NUMBER", "/data/big")


def test_duplicate_keys_are_refused_before_hashing() -> None:
    doc = json.dumps(wrap_v2(v2_data()))
    twice = doc.replace('"recipient": {', '"recipient": {"name": "Mallory", ', 1)
    result = etr.verify(twice.encode())
    assert result.outcome is Outcome.FAIL and "LOAD-JSON-DUPLICATE-KEY" in result.codes


def test_unicode_normalisation_is_an_edit() -> None:
    doc = wrap_v2(v2_data(port="Gävle"))
    assert unicodedata.normalize("NFD", "Gävle") != "Gävle"
    doc["data"]["port"] = unicodedata.normalize("NFD", doc["data"]["port"])
    refused(doc)
    v3 = wrap_v3(v3_credential(port="Gävle"))
    v3["credentialSubject"]["port"] = unicodedata.normalize("NFD", "Gävle")
    refused(v3)


def test_key_order_and_whitespace_are_no_edit() -> None:
    doc = wrap_v3(v3_credential(a="x", b="y"))
    doc["credentialSubject"] = dict(reversed(list(doc["credentialSubject"].items())))
    clean(json.dumps(doc, indent=4).encode())


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-(2**60), 2**60), st.text(max_size=4),
                              st.floats(allow_nan=False, allow_infinity=False)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner,
                                                                                         max_size=3)),
                    max_leaves=10)


@given(JSON, st.sampled_from(["{}", "{:.20g}", "{!r}"]))
def test_numbers_short_cut_agrees_with_reading_the_text_again(value: Any, spelling: str) -> None:
    """exposure._numbers reads the text again (as Decimals) only when the parsed content holds a fraction; a
    text without one yields the same parts as reading it again every time."""
    import decimal

    from etr.families.openattestation import exposure

    def spell(node: Any) -> str:
        if isinstance(node, float):
            text = spelling.format(node)
            return text if any(c in text for c in ".eE") else text + ".0"
        if isinstance(node, list):
            return "[" + ",".join(spell(v) for v in node) + "]"
        if isinstance(node, dict):
            return "{" + ",".join(json.dumps(k) + ":" + spell(v) for k, v in node.items()) + "}"
        return json.dumps(node)

    raw = ('{"data":' + spell(value) + "}").encode()
    content = json.loads(raw)
    exact = json.loads(raw, parse_float=decimal.Decimal)
    expected = sorted(where for node, where in exposure._walk(exact.get("data"), "/data")
                      if not isinstance(node, bool) and isinstance(node, int | decimal.Decimal)
                      and exposure._imprecise(node))
    found = exposure._numbers(raw, content, ("data",))
    assert sorted(found[0].detail["parts"] if found else []) == expected  # type: ignore[index]
