"""The possession/endorsement state machine, as scenario tables.

Each scenario is a chain of steps after ISSUE (carrier -> first holder). It is
run twice: signed without checks (:class:`RawChain`) and verified — the
verifier must reach the expected outcome, code and holder — and through
etr's own signer, which must refuse the same illegal step before signing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from pint_simulator import RawChain, World, at, party, sample_td

from etr.model import Outcome
from etr.transfer.sign import ChainBuilder, TransferRefused, transaction

Step = tuple[str, str, str | None]  # (action, actor, recipient)


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    holder: str | None  # who holds the eBL at the end (None: not asserted)
    code: str | None = None  # the violation expected (None: a legal chain)
    to_order: bool = True
    blank: bool = False  # the TD is to order without an endorsee: blank endorsed from issuance
    first_holder: str = "alice"
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # step index -> extra transaction fields

    def __str__(self) -> str:
        return self.name


SCENARIOS = [
    Scenario("issue-only", (), "alice"),
    Scenario("transfer", (("TRANSFER", "alice", "bob"),), "bob"),
    Scenario("transfer-twice", (("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")), "carol"),
    Scenario("transfer-by-non-holder", (("TRANSFER", "bob", "carol"),), "alice", "PINT-STATE-NOT-POSSESSOR"),
    Scenario("transfer-needs-recipient", (("TRANSFER", "alice", None),), "alice", "PINT-STATE-RECIPIENT-REQUIRED"),
    Scenario("endorse-to-order-chain", (("ENDORSE_TO_ORDER", "alice", "bob"), ("TRANSFER", "alice", "bob"),
                                        ("ENDORSE_TO_ORDER", "bob", "carol"), ("TRANSFER", "bob", "carol"),
                                        ("ENDORSE", "carol", "dave"), ("TRANSFER", "carol", "dave")), "dave"),
    Scenario("endorse-recipient-cannot-endorse", (("ENDORSE", "alice", "bob"), ("TRANSFER", "alice", "bob"),
                                                  ("ENDORSE", "bob", "carol")), "bob", "PINT-STATE-ENDORSE-FINAL"),
    Scenario("endorse-by-non-holder", (("ENDORSE_TO_ORDER", "bob", "carol"),), "alice", "PINT-STATE-NOT-POSSESSOR"),
    Scenario("holder-not-endorsee", (("TRANSFER", "alice", "bob"), ("ENDORSE", "bob", "carol")), "bob",
             "PINT-STATE-NOT-ENDORSEE"),
    Scenario("blank-endorsed-td-any-holder-endorses", (("TRANSFER", "alice", "bob"), ("ENDORSE", "bob", "carol"),
                                                      ("TRANSFER", "bob", "carol")), "carol", blank=True),
    Scenario("blank-endorsed-td-endorse-final", (("ENDORSE", "alice", "bob"), ("TRANSFER", "alice", "bob"),
                                                ("ENDORSE", "bob", "carol")), "bob", "PINT-STATE-ENDORSE-FINAL",
             blank=True),
    Scenario("endorser-keeps-possession", (("ENDORSE_TO_ORDER", "alice", "bob"), ("ENDORSE", "alice", "carol")),
             "alice", "PINT-STATE-NOT-ENDORSEE"),
    Scenario("blank-endorse-then-any-holder", (("BLANK_ENDORSE", "alice", None), ("TRANSFER", "alice", "bob"),
                                               ("TRANSFER", "bob", "carol"), ("ENDORSE_TO_ORDER", "carol", "dave"),
                                               ("TRANSFER", "carol", "dave")), "dave"),
    Scenario("blank-endorse-with-recipient", (("BLANK_ENDORSE", "alice", "bob"),), "alice",
             "PINT-STATE-RECIPIENT-UNEXPECTED"),
    Scenario("straight-bl-cannot-endorse", (("ENDORSE", "alice", "bob"),), "alice", "PINT-STATE-NOT-NEGOTIABLE",
             to_order=False),
    Scenario("straight-bl-transfers", (("TRANSFER", "alice", "bob"),), "bob", to_order=False),
    Scenario("sign", (("SIGN", "alice", None), ("TRANSFER", "alice", "bob"), ("SIGN", "bob", None)), "bob"),
    Scenario("sign-with-recipient", (("SIGN", "alice", "bob"),), "alice", "PINT-STATE-RECIPIENT-UNEXPECTED"),
    Scenario("surrender-accepted", (("TRANSFER", "alice", "bob"), ("SURRENDER_FOR_DELIVERY", "bob", "carrier"),
                                    ("SACC", "carrier", "bob")), "carrier"),
    Scenario("surrender-to-representative", (("SURRENDER_FOR_DELIVERY", "alice", "agent"), ("SACC", "agent", None)),
             "agent"),
    Scenario("surrender-without-recipient", (("SURRENDER_FOR_DELIVERY", "alice", None), ("SACC", "carrier", None)),
             "carrier"),
    Scenario("surrender-rejected", (("TRANSFER", "alice", "bob"), ("SURRENDER_FOR_DELIVERY", "bob", "carrier"),
                                    ("SREJ", "carrier", "bob"), ("TRANSFER", "bob", "carol")), "carol"),
    Scenario("surrender-to-non-carrier", (("SURRENDER_FOR_DELIVERY", "alice", "bob"),), "alice",
             "PINT-STATE-SURRENDER-RECIPIENT"),
    Scenario("amendment-with-reason", (("SURRENDER_FOR_AMENDMENT", "alice", "carrier"), ("SACC", "carrier", None)),
             "carrier", extra={0: {"reasonCode": "SWTP"}}),
    Scenario("reason-only-with-amendment", (("TRANSFER", "alice", "bob"),), "alice", "PINT-STATE-REASON-CODE",
             extra={0: {"reasonCode": "COD"}}),
    Scenario("unknown-reason", (("SURRENDER_FOR_AMENDMENT", "alice", "carrier"),), "alice", "PINT-STATE-REASON-CODE",
             extra={0: {"reasonCode": "XXXX"}}),
    Scenario("sacc-without-surrender", (("SACC", "alice", None),), "alice", "PINT-STATE-NO-SURRENDER"),
    Scenario("transfer-after-sacc", (("SURRENDER_FOR_DELIVERY", "alice", "carrier"), ("SACC", "carrier", None),
                                     ("TRANSFER", "carrier", "bob")), "carrier", "PINT-STATE-AFTER-SACC"),
    Scenario("carrier-moves-pending-surrender", (("SURRENDER_FOR_DELIVERY", "alice", "carrier"),
                                                 ("TRANSFER", "carrier", "bob")), "carrier",
             "PINT-STATE-SURRENDER-PENDING"),
    Scenario("srej-to-someone-else", (("SURRENDER_FOR_DELIVERY", "alice", "carrier"), ("SREJ", "carrier", "bob")),
             "carrier", "PINT-STATE-SREJ-RECIPIENT"),
    Scenario("issue-twice", (("ISSUE", "carrier", "bob"),), "alice", "PINT-STATE-ISSUE-REPEATED"),
    Scenario("unknown-action", (("TELEPORT", "alice", "bob"),), "alice", "PINT-STATE-UNKNOWN-ACTION"),
]


def _raw(world: World, s: Scenario) -> dict[str, Any]:
    chain = RawChain(world, sample_td(to_order=s.to_order, blank=s.blank)).issue(s.first_holder)
    for n, (action, actor, recipient) in enumerate(s.steps):
        chain.add(action, actor, recipient, **s.extra.get(n, {}))
    return chain.envelope()


@pytest.mark.parametrize("s", SCENARIOS, ids=str)
def test_verifier_follows_the_state_machine(s: Scenario) -> None:
    world = World()
    result = world.verify(_raw(world, s))
    state_codes = [c for c in result.codes if c.startswith("PINT-STATE-")]
    if s.code is None:
        assert result.outcome is Outcome.PASS, result.codes
        assert not state_codes
    else:
        assert result.outcome is Outcome.FAIL
        assert s.code in state_codes, state_codes
        finding = next(f for f in result.findings if f.code == s.code)
        assert finding.detail is not None and finding.detail["responseCode"] == "BENV"
        assert finding.location is not None
        assert finding.location.pointer == f"/envelopeTransferChain/{finding.detail['entry']}"
    if s.holder is not None:
        assert result.current_holder is not None and result.current_holder.same_as(party(s.holder)), \
            result.current_holder


def _signed(world: World, s: Scenario) -> dict[str, Any]:
    """The scenario through etr's signer (ChainBuilder), which checks each step before signing it."""
    builder = ChainBuilder(sample_td(to_order=s.to_order, blank=s.blank))
    builder.issue(party(s.first_holder), world.key("CAR1"), "CAR1", carrier=party("carrier"), at=at(0))
    for n, (action, actor, recipient) in enumerate(s.steps, start=1):
        who = party(actor)
        tx = transaction(action, who, party(recipient) if recipient else None, at=at(n),
                         reason_code=s.extra.get(n - 1, {}).get("reasonCode"))
        builder.append_entry([tx], world.key(who.ebl_platform), who.ebl_platform)
    return builder.envelope()


@pytest.mark.parametrize("s", SCENARIOS, ids=str)
def test_signer_refuses_what_the_verifier_rejects(s: Scenario) -> None:
    world = World()
    if s.code is None:
        assert world.verify(_signed(world, s)).outcome is Outcome.PASS
        return
    with pytest.raises(TransferRefused) as info:
        _signed(world, s)
    assert info.value.code == s.code
    assert not info.value.violations or info.value.violations[0].code == s.code


def test_holders_over_time() -> None:
    world = World()
    env = world.build([("TRANSFER", "alice", "bob"), ("SIGN", "bob", None), ("TRANSFER", "bob", "carol"),
                       ("TRANSFER", "carol", "alice")])
    result = world.verify(env)
    assert [h.party_name for h in result.holders] == ["Alice Exports Ltd", "Bob Bank plc", "Carol Imports GmbH",
                                                      "Alice Exports Ltd"]
    assert [e.holder_after.party_name if e.holder_after else None for e in result.entries] == [
        "Alice Exports Ltd", "Bob Bank plc", "Bob Bank plc", "Carol Imports GmbH", "Alice Exports Ltd"]
    assert [s.action.value for s in result.steps] == ["ISSUE", "TRANSFER", "SIGN", "TRANSFER", "TRANSFER"]


def test_actor_must_act_on_the_signing_platform() -> None:
    world = World()
    chain = RawChain(world).issue()
    chain.add("TRANSFER", "alice", "bob", platform="EBL2")  # EBL2 signs for a party of EBL1
    result = world.verify(chain.envelope())
    assert "PINT-STATE-ACTOR-PLATFORM" in result.codes


def test_time_going_backwards_is_a_warning() -> None:
    world = World()
    chain = RawChain(world).issue()
    chain.add("TRANSFER", "alice", "bob", step=5).add("TRANSFER", "bob", "carol", step=2)
    result = world.verify(chain.envelope())
    assert result.outcome is Outcome.WARN
    assert "PINT-STATE-TIME-ORDER" in result.codes


def test_several_transactions_in_one_entry() -> None:
    from pint_simulator import tx_dict

    world = World()
    chain = RawChain(world).issue()
    payload = chain.payload("EBL1", [tx_dict("ENDORSE", "alice", "bob", 1), tx_dict("TRANSFER", "alice", "bob", 1)])
    chain.tokens.append(chain.sign(payload, "EBL1"))
    result = world.verify(chain.envelope())
    assert result.outcome is Outcome.PASS
    assert result.entries[1].actions == ("ENDORSE", "TRANSFER")
    assert result.current_holder is not None and result.current_holder.same_as(party("bob"))
