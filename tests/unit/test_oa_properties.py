"""Properties of selective disclosure and integrity (issue 11 item 9): hiding any subset of fields keeps the
document valid; editing any visible field breaks it. For v2, v3 and v4 documents of arbitrary shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oa_factory import v2_data, v3_credential, v4_credential, wrap_v2, wrap_v3

from etr.errors import UsageError
from etr.families.openattestation import hashing as h
from etr.families.openattestation import obfuscate, verify_document
from etr.model import Outcome

KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé_-$ ", min_size=1, max_size=8).filter(
    lambda k: not k.isdigit())
LEAVES = st.one_of(st.text(max_size=12), st.integers(-(2**53) + 1, 2**53 - 1), st.booleans(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                                                      st.dictionaries(KEYS, inner, min_size=1, max_size=4)),
                      max_leaves=12)
DATA = st.dictionaries(KEYS, VALUES, min_size=1, max_size=6)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def integrity(document: dict[str, Any]) -> Outcome:
    """The integrity outcome; an edit that makes the input no wrapped OA document at all (its @context, its
    version) fails integrity as surely."""
    result = verify_document(document, "<property>")
    check = result.check("integrity")
    if check is None or result.form != "wrapped":
        assert result.outcome is Outcome.FAIL
        return Outcome.FAIL
    return check.outcome


def wrapped(version: str, extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A wrapped document holding ``extra`` under ``extra``, and the paths of its extra leaves."""
    if version == "2.0":
        doc = wrap_v2(v2_data(extra=extra))
        paths = [p for p, _, _ in h.flatten_v2(doc["data"]) if p.startswith("extra.")]
    else:
        make = v4_credential if version == "4.0" else v3_credential
        doc = wrap_v3(make(extra=extra), v4=version == "4.0")
        body = {k: v for k, v in doc.items() if k != "proof"}
        paths = [p for p, _, _ in h.traverse_v3(body, empty_leaves=version == "4.0")
                 if p.startswith("credentialSubject.extra")]
    return doc, paths


@pytest.mark.parametrize("version", ["2.0", "3.0", "4.0"])
@SETTINGS
@given(extra=DATA, data=st.data())
def test_hiding_any_subset_of_fields_keeps_integrity(version: str, extra: dict[str, Any], data: Any) -> None:
    doc, paths = wrapped(version, extra)
    assert integrity(doc) is Outcome.PASS
    fields = data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=len(paths), unique=True))
    try:
        hidden = obfuscate(doc, fields)
    except UsageError as exc:
        # Refused only for an array item that does not end its array (it would leave a hole).
        assert exc.code == "OA-OBFUSCATE-ARRAY"
        assume(False)
        return
    assert integrity(hidden) is Outcome.PASS
    root = doc["signature"]["merkleRoot"] if version == "2.0" else doc["proof"]["merkleRoot"]
    assert (hidden["signature"] if version == "2.0" else hidden["proof"])["merkleRoot"] == root
    # and what is still visible stays protected
    _, left = wrapped_paths(version, hidden)
    if left:
        assert integrity(edit(version, hidden, data.draw(st.sampled_from(left)))) is Outcome.FAIL


@pytest.mark.parametrize("version", ["2.0", "3.0", "4.0"])
@SETTINGS
@given(extra=DATA, data=st.data())
def test_editing_any_visible_field_breaks_integrity(version: str, extra: dict[str, Any], data: Any) -> None:
    doc, _ = wrapped(version, extra)
    _, every = wrapped_paths(version, doc)
    target = data.draw(st.sampled_from(every))
    assert integrity(edit(version, doc, target)) is Outcome.FAIL


def wrapped_paths(version: str, doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every visible leaf of ``doc`` (its JSON Pointer), the issuers' and template's included."""
    if version == "2.0":
        return doc, [ptr for _, _, ptr in h.flatten_v2(doc["data"])]
    body = {k: v for k, v in doc.items() if k != "proof"}
    return doc, [ptr for _, _, ptr in h.traverse_v3(body, empty_leaves=version == "4.0")]


def edit(version: str, doc: dict[str, Any], pointer: str) -> dict[str, Any]:
    """``doc`` with the leaf at ``pointer`` changed to a value whose text differs (an edit a reader sees)."""
    out = copy.deepcopy(doc)
    node: Any = out["data"] if version == "2.0" else out
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    value = node[last]
    node[last] = value + "x" if isinstance(value, str) else (["x"] if value in ({}, []) and version == "4.0"
                                                             else "changed")
    return out
