"""Envelope bytes are read by the hardened loader (etr.load), as etr validate reads documents: whatever the
bytes, the result is the loader's reading, and what the loader refuses is a finding with its code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pint_simulator import VERIFY_AT, World

from etr.model import Outcome
from etr.transfer.verify import verify_envelope


def _envelope(world: World) -> dict[str, Any]:
    return world.build([("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "alice")])


def _in_td(compact: bytes, td: str, member: str) -> bytes:
    return compact.replace(td.encode(), (td[:-1] + "," + member + "}").encode())


def _texts(env: dict[str, Any]) -> dict[str, tuple[bytes, tuple[str, ...], str | None]]:
    """name -> (envelope bytes, the codes of the error findings, the loader's code)."""
    compact = json.dumps(env, separators=(",", ":")).encode()
    td = json.dumps(env["transportDocument"], separators=(",", ":"))
    changed_td = ("PINT-TD-CHECKSUM-MANIFEST",)  # a member added to the TD after signing: reported once
    return {
        "compact": (compact, (), None),
        "pretty": (json.dumps(env, indent=2).encode(), (), None),
        "bom": (b"\xef\xbb\xbf" + compact, (), None),
        "integer-that-is-a-double-in-td": (_in_td(compact, td, '"x":1180591620717411303424'), changed_td, None),
        "integer-that-is-no-double-in-td": (_in_td(compact, td, '"x":123456789012345678901234567890'),
                                            ("PINT-TD-UNREPRESENTABLE",), None),
        "float-forms-in-td": (_in_td(compact, td, '"x":[1E2,-0,0.1,1e-7]'), changed_td, None),
        "duplicate-key-in-td": (_in_td(compact, td, '"x":1,"x":2'), ("PINT-DUPLICATE-KEY",), "LOAD-JSON-DUPLICATE-KEY"),
        "duplicate-top-level-key": (compact[:-1] + b',"envelopeTransferChain":[]}', ("PINT-DUPLICATE-KEY",),
                                    "LOAD-JSON-DUPLICATE-KEY"),
        "nan-in-td": (_in_td(compact, td, '"x":NaN'), ("PINT-ENVELOPE-UNREADABLE",), "LOAD-JSON-CONSTANT"),
        "surrogate-in-td": (_in_td(compact, td, '"x":"\\ud800"'), ("PINT-ENVELOPE-UNREADABLE",), "LOAD-JSON-SURROGATE"),
        "deep-in-td": (_in_td(compact, td, '"x":' + "[" * 200 + "]" * 200), ("PINT-ENVELOPE-UNREADABLE",),
                       "LOAD-JSON-DEPTH"),
        "empty": (b"  ", ("PINT-ENVELOPE-UNREADABLE",), "LOAD-EMPTY"),
        "not-an-object": (b"[" + compact + b"]", ("PINT-ENVELOPE-UNREADABLE",), None),
        "no-chain": (json.dumps({"transportDocument": env["transportDocument"]}).encode(),
                     ("PINT-SCHEMA-REQUIRED",) * 2, None),  # no manifest, no chain
    }


@pytest.mark.parametrize("name", list(_texts(_envelope(World())).keys()))
def test_envelope_bytes_are_read_by_the_hardened_loader(name: str) -> None:
    world = World()
    raw, errors, load_code = _texts(_envelope(world))[name]
    result = verify_envelope(raw, world.trust, at=VERIFY_AT)
    assert tuple(f.code for f in result.errors) == errors
    assert result.outcome is (Outcome.FAIL if errors else Outcome.PASS)
    if load_code is not None:
        assert result.errors[0].detail is not None and result.errors[0].detail["loadCode"] == load_code
    if name == "bom":
        assert "LOAD-BOM" in result.codes


def test_bytes_and_the_mapping_they_hold_verify_alike() -> None:
    world = World()
    env = _envelope(world)
    raw = json.dumps(env).encode()
    assert verify_envelope(raw, world.trust, at=VERIFY_AT).to_dict() == \
        verify_envelope(env, world.trust, at=VERIFY_AT).to_dict()


def test_an_issue_to_without_an_rfc_8785_form_is_a_usage_error() -> None:
    from etr.errors import UsageError

    world = World()
    with pytest.raises(UsageError) as caught:
        verify_envelope(_envelope(world), world.trust, at=VERIFY_AT, issue_to={"partyName": "x", "n": 2**53 + 1})
    assert caught.value.code == "PINT-ISSUE-TO"
