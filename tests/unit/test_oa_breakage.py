"""Hostile and broken OpenAttestation documents: any node replaced by junk never raises, in verify, validate or
obfuscate; the result is always a finding with a stable code (never a traceback)."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from coincurve import PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oa_factory import did_issuer, sign_v2, sign_v3, v2_data, v3_credential, v4_credential, wrap_v2, wrap_v3

import etr
from etr.errors import DocumentError, UsageError
from etr.families.openattestation import FAMILY, obfuscate, verify_document
from etr.load import Document
from etr.model import Outcome

KEY = PrivateKey(bytes.fromhex("55" * 32))
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False,
                 allow_infinity=False), st.text(max_size=5), st.just([]), st.just({}), st.lists(st.integers(),
                 max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.just("0x" + "ab" * 65), st.just("ab" * 32), st.just("did:ethr:0x" + "1" * 40 + "#controller"))
DOCS = {
    "v2": wrap_v2(v2_data()),
    "v2-did": sign_v2(wrap_v2(v2_data(did_issuer(KEY))), KEY),
    "v3": wrap_v3(v3_credential(marks=["a", "b"], flag=True)),
    "v3-did": sign_v3(wrap_v3(v3_credential("DID", "did:ethr:0x" + "1" * 40, "DID", "did:ethr:0x" + "1" * 40)), KEY),
    "v4": sign_v3(wrap_v3(v4_credential(empty={}), v4=True), KEY),
}


def nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(nodes(v, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(nodes(v, (*path, i)))
    return out


def replaced(doc: Any, path: tuple[Any, ...], junk: Any) -> Any:
    if not path:
        return junk
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    return out


@pytest.mark.parametrize("name", sorted(DOCS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_node_replaced_by_junk_never_raises(name: str, data: Any) -> None:
    doc = DOCS[name]
    path = data.draw(st.sampled_from(nodes(doc)))
    broken = replaced(doc, path, data.draw(JUNK))
    result = verify_document(broken, "junk")
    assert result.outcome in set(Outcome)
    result.to_dict()
    if isinstance(broken, dict):
        list(FAMILY.check(Document("junk", "json", broken, b""), FAMILY.versions[0]))
        for version in FAMILY.versions:
            list(FAMILY.check(Document("junk", "json", broken, b""), version))
        field = data.draw(st.sampled_from(["recipient.name", "credentialSubject.name", "/x", "a[0]"]))
        with contextlib.suppress(UsageError, DocumentError):  # refusals carry their code
            obfuscate(broken, [field])
    if isinstance(broken, dict):
        list(etr.iter_verify([broken]))  # a batch: a non-OA input is read as an envelope and FAILs, no raise
