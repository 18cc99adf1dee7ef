"""verify_entry: one chain entry against a known, verified head. Envelope verification is a loop over it,
and a registry appends entries to a stored head with it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pint_simulator import VERIFY_AT, RawChain, World, at, party, payload_of, tx_dict, with_payload
from test_pint_verify import TAMPERS, four

from etr.crypto.keys import generate_key
from etr.errors import UsageError
from etr.model import Outcome
from etr.transfer.entries import ChainHead, verify_entry
from etr.transfer.sign import ChainBuilder, canonical_json, transaction
from etr.transfer.verify import verify_envelope


def _loop(envelope: dict[str, Any], world: World, **kwargs: Any) -> list[Any]:
    """verify_entry over the chain, each entry against the head the one before left."""
    head = ChainHead.start(envelope["transportDocument"])
    out = []
    for token in envelope["envelopeTransferChain"]:
        checked = verify_entry(token, head, world.trust, at=VERIFY_AT, **kwargs)
        out.append(checked)
        head = checked.head
    return out


def _in_order_within(part: list[Any], whole: tuple[Any, ...]) -> bool:
    """Every item of ``part`` is in ``whole``, in the same order."""
    rest = iter(whole)
    return all(any(item == other for other in rest) for item in part)


# --------------------------------------------------------------------------- (a) the loop is the envelope's


@dataclass(frozen=True)
class Chain:
    name: str
    build: Any

    def __str__(self) -> str:
        return self.name


CHAINS = [Chain("clean", lambda w: four(w).envelope()),
          Chain("endorse-and-transfer", lambda w: w.build([("ENDORSE_TO_ORDER", "alice", "bob"),
                                                           ("TRANSFER", "alice", "bob"), ("SIGN", "bob", None)])),
          *(Chain(t.name, t.make) for t in TAMPERS if t.name not in {"entries-reordered", "wrong-document-checksum"})]


@pytest.mark.parametrize("chain", CHAINS, ids=str)
def test_looping_verify_entry_gives_the_envelopes_entry_results(chain: Chain) -> None:
    """Except for what only a whole envelope knows (a later entry named, one TD checksum named by several)."""
    world = World()
    env = chain.build(world)
    envelope = world.verify(env)
    looped = _loop(env, world)
    story_cut = next((e.index for e in envelope.entries if not e.signature.verified), len(envelope.entries))
    for mine, theirs in zip(looped, envelope.entries, strict=True):  # the envelope tells holders up to a bad signature
        assert mine.result == (theirs if theirs.index < story_cut else
                               theirs._replace(holder_after=mine.result.holder_after))
    assert _in_order_within([f for e in looped for f in e.findings], envelope.findings)
    assert looped[-1].head == envelope.head


def test_the_envelope_knows_a_reordering_the_step_calls_a_broken_link() -> None:
    world = World()
    env = next(t for t in TAMPERS if t.name == "entries-reordered").make(world)
    assert "PINT-CHAIN-LINK" in [f.code for e in _loop(env, world) for f in e.findings]
    codes = world.verify(env).codes
    assert "PINT-CHAIN-ORDER" in codes and "PINT-CHAIN-LINK" not in codes


# --------------------------------------------------------------------------- (b) appending to a stored head


def test_a_stored_head_takes_the_next_signed_entry() -> None:
    world = World()
    builder = ChainBuilder(four(world).td)
    builder.issue(party("alice"), world.key("CAR1"), "CAR1", carrier=party("carrier"), at=at(0))
    builder.append_entry([transaction("TRANSFER", party("alice"), party("bob"), at=at(1))], world.key("EBL1"), "EBL1")
    received = world.verify(builder.envelope())
    assert received.outcome is Outcome.PASS and received.head is not None
    kept = json.loads(json.dumps(_as_plain(received.head)))  # what a registry keeps: strings (and the state)
    stored = ChainHead(kept["transport_document_checksum"], received.head.state, tuple(kept["checksums"]),
                       tuple(kept["previous"]), tuple(kept["payloads"]))
    assert stored == received.head

    token = builder.append_entry([transaction("TRANSFER", party("bob"), party("carol"), at=at(2))],
                                 world.key("EBL2"), "EBL2")
    step = verify_entry(token, stored, world.trust, at=VERIFY_AT)
    assert step.ok and not step.findings
    assert step.result.index == 2 and step.head.length == 3 and step.head.checksum == step.result.checksum
    assert step.head.state is not None and step.head.state.holder == party("carol")
    assert [s.action.value for s in step.steps] == ["TRANSFER"] and step.holders == (party("carol"),)
    # ... and the next one against the head it returned
    token = builder.append_entry([transaction("SURRENDER_FOR_DELIVERY", party("carol"), party("carrier"), at=at(3))],
                                 world.key("EBL3"), "EBL3")
    assert verify_entry(token, step.head, world.trust, at=VERIFY_AT).ok
    assert world.verify(builder.envelope()).head == verify_entry(token, step.head, world.trust, at=VERIFY_AT).head


def _as_plain(head: ChainHead) -> dict[str, Any]:
    return {"transport_document_checksum": head.transport_document_checksum, "checksums": list(head.checksums),
            "previous": list(head.previous), "payloads": list(head.payloads)}



def test_a_head_holding_only_its_last_entry_verifies_the_next_as_the_full_head_does() -> None:
    """ChainHead.first: a registry keeps the last entry only; the next entry gets the same index, result and
    new head (shifted by ``first``), and a replay of the kept entry names its index in the whole chain."""
    world = World()
    chain = RawChain(world).issue().add("TRANSFER", "alice", "bob").add("TRANSFER", "bob", "carol")
    full = ChainHead.start(chain.td)
    for token in chain.tokens:
        full = verify_entry(token, full, world.trust, at=VERIFY_AT).head
    short = ChainHead(full.transport_document_checksum, full.state, full.checksums[-1:], full.previous[-1:],
                      full.payloads[-1:], full.length - 1)
    assert short.length == full.length == 3 and short.checksum == full.checksum

    token = RawChain(world, tokens=list(chain.tokens)).add("TRANSFER", "carol", "dave").tokens[-1]
    by_full, by_short = (verify_entry(token, head, world.trust, at=VERIFY_AT) for head in (full, short))
    assert by_short.ok and by_short.result == by_full.result and by_short.findings == by_full.findings
    assert by_short.head.first == 2 and by_short.head.length == 4
    assert by_short.head.checksums == by_full.head.checksums[2:]
    assert by_short.head.state == by_full.head.state

    replay = verify_entry(chain.tokens[2], short, world.trust, at=VERIFY_AT)
    assert [(f.code, (f.detail or {}).get("duplicateOf")) for f in replay.findings
            if f.code == "PINT-CHAIN-REPLAY"] == [("PINT-CHAIN-REPLAY", 2)]

def test_the_first_entry_against_the_head_of_an_empty_chain() -> None:
    world = World()
    chain = RawChain(world).issue()
    step = verify_entry(chain.tokens[0], ChainHead.start(chain.td), world.trust, at=VERIFY_AT)
    assert step.ok and step.head.state is not None and step.head.state.holder == party("alice")
    assert step.head.state.carrier == party("carrier")


# --------------------------------------------------------------------------- (c) what must fail against the head


def _head_after_two(world: World) -> tuple[RawChain, ChainHead]:
    chain = RawChain(world).issue().add("TRANSFER", "alice", "bob")
    head = ChainHead.start(chain.td)
    for token in chain.tokens:
        step = verify_entry(token, head, world.trust, at=VERIFY_AT)
        assert step.ok, step.findings
        head = step.head
    return chain, head


def _forged_by_impostor(world: World, chain: RawChain) -> str:
    data = chain.payload("EBL2", [tx_dict("TRANSFER", "bob", "carol", 2)])
    return chain.sign(data, "EBL2", key=generate_key(world.alg, kid=world.key("EBL2").kid))  # same kid, other key


def _payload_edited(world: World, chain: RawChain) -> str:
    token = RawChain(world, chain.td, list(chain.tokens)).add("TRANSFER", "bob", "carol").tokens[-1]
    data = payload_of(token)
    data["transactions"][0]["recipient"] = party("dave").to_dict()
    return with_payload(token, canonical_json(data))


def _skips_an_entry(world: World, chain: RawChain) -> str:
    longer = RawChain(world, chain.td, list(chain.tokens)).add("TRANSFER", "bob", "carol").add("TRANSFER", "carol",
                                                                                               "dave")
    return longer.tokens[-1]  # entry 3, offered where entry 2 is due


def _follows_entry_zero(world: World, chain: RawChain) -> str:
    return RawChain(world, chain.td, chain.tokens[:1]).add("TRANSFER", "alice", "carol").tokens[-1]  # alice sells twice


def _replayed(world: World, chain: RawChain) -> str:
    return chain.tokens[-1]


def _not_the_holder(world: World, chain: RawChain) -> str:
    return RawChain(world, chain.td, list(chain.tokens)).add("TRANSFER", "alice", "carol").tokens[-1]


def _other_document(world: World, chain: RawChain) -> str:
    other = RawChain(world, {**chain.td, "transportDocumentReference": "OTHER00001"}, list(chain.tokens))
    return other.add("TRANSFER", "bob", "carol").tokens[-1]


@pytest.mark.parametrize("make, code", [
    (_forged_by_impostor, "PINT-JWS-BAD-SIGNATURE"),
    (_payload_edited, "PINT-JWS-BAD-SIGNATURE"),
    (_skips_an_entry, "PINT-CHAIN-LINK"),
    (_follows_entry_zero, "PINT-CHAIN-FORK"),
    (_replayed, "PINT-CHAIN-REPLAY"),
    (_not_the_holder, "PINT-STATE-NOT-POSSESSOR"),
    (_other_document, "PINT-TD-CHECKSUM-ENTRY"),
], ids=lambda v: getattr(v, "__name__", v))
def test_a_forged_or_misplaced_entry_fails_against_the_head(make: Any, code: str) -> None:
    world = World()
    chain, head = _head_after_two(world)
    step = verify_entry(make(world, chain), head, world.trust, at=VERIFY_AT)
    assert not step.ok
    assert code in [f.code for f in step.findings]
    assert all(f.location is not None and f.location.pointer == "/envelopeTransferChain/2" for f in step.findings)


def test_usage_errors_come_before_any_work() -> None:
    world = World()
    chain, head = _head_after_two(world)
    for kwargs in ({"mode": "lenient"}, {"at": "yesterday"}, {"allowed_algorithms": frozenset({"HS256"})}):
        with pytest.raises(UsageError):
            verify_entry(chain.tokens[-1], head, world.trust, **kwargs)


def test_a_non_string_entry_is_a_finding() -> None:
    world = World()
    _, head = _head_after_two(world)
    step = verify_entry(42, head, world.trust, at=VERIFY_AT)
    assert [f.code for f in step.findings] == ["PINT-JWS-MALFORMED", "PINT-STATE-INCOMPLETE"]
    assert step.head.state is None and step.head.length == 3


def test_envelope_results_expose_the_head() -> None:
    world = World()
    env = four(world).envelope()
    result = verify_envelope(env, world.trust, at=VERIFY_AT)
    assert result.head is not None and result.head.length == 4
    assert result.head.checksums == tuple(e.checksum for e in result.entries)
