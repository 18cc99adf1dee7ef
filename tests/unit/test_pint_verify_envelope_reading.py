"""Envelope bytes are read at once by orjson and confirmed by the hardened loader after the chain loop:
whatever the bytes, the result is the one of reading them with the hardened loader first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pint_simulator import VERIFY_AT, World

from etr.transfer.verify import verify_envelope


def _envelope(world: World) -> dict[str, Any]:
    return world.build([("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "alice")])


def _texts(world: World) -> dict[str, bytes]:
    env = _envelope(world)
    compact = json.dumps(env, separators=(",", ":")).encode()
    td = json.dumps(env["transportDocument"], separators=(",", ":"))
    return {
        "compact": compact,
        "pretty": json.dumps(env, indent=2).encode(),
        "big-integer-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":1180591620717411303424}').encode()),
        "huge-integer-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":123456789012345678901234567890}').encode()),
        "float-forms-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":[1E2,-0,0.1,1e-7]}').encode()),
        "duplicate-key-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":1,"x":2}').encode()),
        "duplicate-top-level-key": compact[:-1] + b',"envelopeTransferChain":[]}',
        "nan-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":NaN}').encode()),
        "surrogate-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":"\\ud800"}').encode()),
        "deep-in-td": compact.replace(td.encode(), (td[:-1] + ',"x":' + "[" * 200 + "]" * 200 + "}").encode()),
        "bom": b"\xef\xbb\xbf" + compact,
        "not-an-object": b"[" + compact + b"]",
        "no-chain": json.dumps({"transportDocument": env["transportDocument"]}).encode(),
    }


@pytest.mark.parametrize("name", list(_texts(World()).keys()))
def test_the_result_is_the_hardened_readings(name: str) -> None:
    world = World()
    raw = _texts(world)[name]
    quick = verify_envelope(raw, world.trust, at=VERIFY_AT, parallel=False)
    hardened = verify_envelope(raw, world.trust, at=VERIFY_AT, parallel=False, _optimistic=False)
    assert quick.to_dict() == hardened.to_dict()
    if name in ("compact", "pretty"):
        assert quick.outcome.value == "PASS", quick.codes
    if name.startswith("duplicate"):
        assert "PINT-DUPLICATE-KEY" in quick.codes
    if name == "huge-integer-in-td":  # beyond 2**53: no RFC 8785 form, so no checksum; a finding, not a crash
        assert quick.codes == ("PINT-TD-UNREPRESENTABLE",)


def test_an_issue_to_without_an_rfc_8785_form_is_a_usage_error() -> None:
    from etr.errors import UsageError

    world = World()
    with pytest.raises(UsageError) as caught:
        verify_envelope(_envelope(world), world.trust, at=VERIFY_AT, issue_to={"partyName": "x", "n": 2**60})
    assert caught.value.code == "PINT-ISSUE-TO"
