"""Who holds the eBL, and who may endorse it: the PINT possession/endorsement state machine.

The machine is a function: :func:`feed` takes a :class:`ChainState` and one
transaction and returns the next state (a frozen snapshot, so a verified head
can be stored and resumed), the applied :class:`Step` and the rules broken;
:func:`feed_entry` does so for a whole chain entry and :class:`StateMachine`
keeps the story of a chain fed in order. It never looks at signatures or
checksums; the verifier (:mod:`etr.transfer.entries`) does that and feeds it
only entries it could read. Each transaction is checked in this order, and a
transaction that breaks a rule is reported and **not applied** (the state stays
as it was):

1. **End of life.** After ``SACC`` nothing may follow (``PINT-STATE-AFTER-SACC``).
2. **Known action.** ``actionCode`` must be a PINT 3.0 value (legacy values are
   mapped before the machine sees them) (``PINT-STATE-UNKNOWN-ACTION``).
3. **Issuance.** ``ISSUE`` is the first transaction of the first entry and
   appears exactly once (``PINT-STATE-FIRST-NOT-ISSUE``,
   ``PINT-STATE-ISSUE-REPEATED``). Its actor is the issuing **carrier**; its
   recipient (required) is the issue-to party, who becomes the first holder.
   When the first transaction is not ``ISSUE``, the first actor is assumed to
   hold the document so that the rest of the chain can still be told.
4. **Actor's platform.** Every actor acts on the platform that signs the entry:
   ``actor.eblPlatform == entry.eblPlatform`` (``PINT-STATE-ACTOR-PLATFORM``).
5. **Possession.** Exactly one party holds the eBL at each step and only the
   holder acts: every action other than ``ISSUE`` must be performed by the
   current holder (``PINT-STATE-NOT-POSSESSOR``). While a surrender is pending,
   the carrier (or the representative it was surrendered to) holds the eBL and
   may only answer with ``SACC`` or ``SREJ`` (``PINT-STATE-SURRENDER-PENDING``);
   ``SACC``/``SREJ`` without a pending surrender are refused
   (``PINT-STATE-NO-SURRENDER``).
6. **Recipient.** ``TRANSFER``, ``ENDORSE`` and ``ENDORSE_TO_ORDER`` need a
   recipient (``PINT-STATE-RECIPIENT-REQUIRED``); ``BLANK_ENDORSE`` and ``SIGN``
   must not have one (``PINT-STATE-RECIPIENT-UNEXPECTED``). A surrender is
   addressed to the issuing carrier: its recipient, when given, must be on the
   carrier's platform (a different party there is taken as the carrier's
   representative) (``PINT-STATE-SURRENDER-RECIPIENT``). ``SREJ``'s recipient,
   when given, must be the surrendering party (``PINT-STATE-SREJ-RECIPIENT``).
7. **Reason.** ``reasonCode`` only with ``SURRENDER_FOR_AMENDMENT``
   (``PINT-STATE-REASON-CODE``); its value must be SWTP, COD or SWI
   (``PINT-STATE-REASON-CODE`` too).
8. **Endorsement.** Title (who may endorse) is tracked apart from possession:

   - after ``ISSUE`` of a to-order eBL the issue-to party is the *endorsee*:
     the first holder may endorse; when the TD is to order but names no
     endorsee (DCSA: blank endorsed), the eBL starts as a bearer document;
   - ``ENDORSE_TO_ORDER`` names a new endorsee, who may endorse further;
   - ``ENDORSE`` names a final endorsee, who may not endorse again
     (``PINT-STATE-ENDORSE-FINAL``);
   - ``BLANK_ENDORSE`` makes the eBL a bearer document: whoever holds it may
     endorse (until a later endorsement names someone);
   - an endorsement (any of the three) is made by the holder who is also the
     current endorsee, or by any holder of a blank-endorsed eBL
     (``PINT-STATE-NOT-ENDORSEE``);
   - a straight eBL (``isToOrder`` false in the TD) cannot be endorsed at all
     (``PINT-STATE-NOT-NEGOTIABLE``). When the TD is not known, the eBL is
     treated as to-order.

   Endorsing does not move possession: the endorser still holds the eBL until
   a ``TRANSFER`` (usually in the same entry) hands it over. ``TRANSFER`` does
   not change the endorsee.
9. **Effects.** ``TRANSFER`` → the recipient holds it. ``SIGN`` changes
   nothing. A surrender → the carrier (or the addressed representative) holds
   it and the surrendering party is remembered. ``SREJ`` → possession returns
   to the surrendering party. ``SACC`` ends the chain (the carrier keeps it);
   after an accepted ``SURRENDER_FOR_AMENDMENT`` an amended eBL is issued on a
   new chain.
10. **Time.** ``actionDateTime`` must be readable (RFC 3339, leap seconds
    included: :func:`~etr.transfer.model.parse_datetime`), else the transaction
    is refused (``PINT-TIME-UNREADABLE``: never replaced by another time); it
    should not go backwards along the chain (``PINT-STATE-TIME-ORDER``, a
    warning: clocks of different platforms are not comparable to the millisecond).

Party identity is :meth:`etr.transfer.model.Party.same_as` (same platform, and
a shared identifying code, or the same name when codes are missing).

What the machine cannot know: whether the TD's own ``endorsee`` matches the
PINT parties (TD parties carry no platform), whether a holder who is not the
endorsee may lawfully surrender (it only requires possession), and anything
recorded in a control tracking registry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from .model import REASON_CODES, ActionCode, Party, Transaction, TransferChainEntry, parse_datetime, resolve_action

__all__ = [
    "ChainResult",
    "ChainState",
    "Endorsement",
    "EntryStory",
    "StateMachine",
    "Step",
    "Violation",
    "add_holders",
    "check",
    "feed",
    "feed_entry",
    "replay",
]

_ENDORSEMENTS = frozenset({ActionCode.ENDORSE, ActionCode.ENDORSE_TO_ORDER, ActionCode.BLANK_ENDORSE})
_SURRENDERS = frozenset({ActionCode.SURRENDER_FOR_DELIVERY, ActionCode.SURRENDER_FOR_AMENDMENT})
_NEEDS_RECIPIENT = frozenset({ActionCode.ISSUE, ActionCode.TRANSFER, ActionCode.ENDORSE, ActionCode.ENDORSE_TO_ORDER})
_NO_RECIPIENT = frozenset({ActionCode.BLANK_ENDORSE, ActionCode.SIGN})


class Endorsement(enum.StrEnum):
    """Who may endorse next."""

    NONE = "none"  # before issuance
    STRAIGHT = "straight"  # not negotiable: nobody
    ORDER = "order"  # the named endorsee (when also holder)
    FINAL = "final"  # endorsed (not to order): nobody
    BLANK = "blank"  # bearer: any holder


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the transaction breaks. ``field`` is a JSON Pointer inside the entry's payload."""

    code: str
    message: str
    entry: int
    transaction: int
    field: str
    warning: bool = False


class ChainState(NamedTuple):
    """A snapshot of the machine between two transactions: all that checking the next one needs
    (immutable; a named tuple, so that each transaction makes the next one cheaply).

    ``to_order`` (the TD's ``isToOrder``; ``None``: unknown, treated as to-order) and
    ``blank_endorsed`` (a to-order TD naming no endorsee) matter only at ``ISSUE``; build the
    state before issuance with :meth:`for_document`.
    """

    issued: bool = False
    carrier: Party | None = None
    holder: Party | None = None
    endorsement: Endorsement = Endorsement.NONE
    endorsee: Party | None = None
    surrendered_by: Party | None = None
    surrender: ActionCode | None = None
    accomplished: bool = False
    last_time: datetime | None = None
    to_order: bool | None = None
    blank_endorsed: bool = False

    @classmethod
    def for_document(cls, transport_document: object) -> ChainState:
        """The state before issuance of the given transport document (any shape; unknown fields mean "unknown")."""
        td = transport_document if isinstance(transport_document, dict) else {}
        to_order = td.get("isToOrder")
        parties = td.get("documentParties")
        has_endorsee = isinstance(parties, dict) and parties.get("endorsee") is not None
        return cls(to_order=to_order if isinstance(to_order, bool) else None,
                   blank_endorsed=to_order is True and not has_endorsee)


class Step(NamedTuple):
    """One applied transaction and what it left behind."""

    entry: int
    transaction: int
    action: ActionCode
    actor: Party
    recipient: Party | None
    action_date_time: str
    holder: Party | None
    endorsement: Endorsement
    endorsee: Party | None

    def to_dict(self) -> dict[str, object]:
        return {"entry": self.entry, "transaction": self.transaction, "action": self.action.value,
                "actor": self.actor.to_dict(), "recipient": self.recipient.to_dict() if self.recipient else None,
                "actionDateTime": self.action_date_time,
                "holderAfter": self.holder.to_dict() if self.holder else None,
                "endorsement": self.endorsement.value,
                "endorsee": self.endorsee.to_dict() if self.endorsee else None}


class EntryStory(NamedTuple):
    """What one chain entry did to the state: the state after it, the transactions applied, the rules
    broken, and who came to hold the eBL (in order; an unusable start assumes a first holder)."""

    state: ChainState
    steps: tuple[Step, ...]
    violations: tuple[Violation, ...]
    holders: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class ChainResult:
    """The story of the chain: every applied step, holders over time, the current holder, violations."""

    steps: tuple[Step, ...]
    holders: tuple[Party, ...]
    state: ChainState
    violations: tuple[Violation, ...]

    @property
    def current_holder(self) -> Party | None:
        return self.state.holder

    @property
    def ok(self) -> bool:
        return not any(not v.warning for v in self.violations)


# --------------------------------------------------------------------------- the rules


def check(state: ChainState, entry: int, index: int, platform: str, tx: Transaction) -> list[Violation]:
    """The violations transaction ``index`` of chain entry ``entry`` (signed for ``platform``) would
    raise in ``state``, in the order of the module docstring."""
    out: list[Violation] = []

    def bad(code: str, message: str, where: str = "", warning: bool = False) -> None:
        out.append(Violation(code, message, entry, index, f"/transactions/{index}{where}", warning))

    action = resolve_action(tx.action_code)[0]
    first = not state.issued
    if state.accomplished:
        bad("PINT-STATE-AFTER-SACC", "no transaction may follow SACC (surrender accepted)", "/actionCode")
        return out
    if action is None:
        bad("PINT-STATE-UNKNOWN-ACTION", f"unknown actionCode {tx.action_code[:50]!r}", "/actionCode")
        return out
    if first and action is not ActionCode.ISSUE:
        bad("PINT-STATE-FIRST-NOT-ISSUE",
            f"the first transaction of the first entry must be ISSUE, not {action.value}", "/actionCode")
        return out
    if action is ActionCode.ISSUE and not first:
        bad("PINT-STATE-ISSUE-REPEATED", "ISSUE appears only once, as the first transaction of the first entry",
            "/actionCode")
        return out
    actor, recipient = tx.actor, tx.recipient
    if actor.ebl_platform != platform:
        bad("PINT-STATE-ACTOR-PLATFORM", f"actor is on platform {actor.ebl_platform!r} but the entry is signed by "
                                         f"{platform!r}", "/actor/eblPlatform")
    try:
        when = parse_datetime(tx.action_date_time)
    except ValueError as exc:
        bad("PINT-TIME-UNREADABLE", f"actionDateTime cannot be read: {exc}", "/actionDateTime")
    else:
        if state.last_time is not None and when < state.last_time:
            bad("PINT-STATE-TIME-ORDER", f"actionDateTime {tx.action_date_time} is earlier than the one before",
                "/actionDateTime", True)
    if tx.reason_code is not None:
        if action is not ActionCode.SURRENDER_FOR_AMENDMENT:
            bad("PINT-STATE-REASON-CODE", "reasonCode is only allowed with SURRENDER_FOR_AMENDMENT", "/reasonCode")
        elif tx.reason_code not in REASON_CODES:
            bad("PINT-STATE-REASON-CODE", f"reasonCode {tx.reason_code[:8]!r} is not one of SWTP, COD, SWI",
                "/reasonCode")
    if recipient is None:
        if action in _NEEDS_RECIPIENT:
            bad("PINT-STATE-RECIPIENT-REQUIRED", f"{action.value} needs a recipient", "/recipient")
    elif action in _NO_RECIPIENT:
        bad("PINT-STATE-RECIPIENT-UNEXPECTED", f"{action.value} has no recipient", "/recipient")
    if action is ActionCode.ISSUE:
        return out
    if not actor.same_as(state.holder):
        held = state.holder.describe() if state.holder else "nobody"
        bad("PINT-STATE-NOT-POSSESSOR", f"{action.value} by {actor.describe()}, who does not hold the eBL "
                                        f"(holder: {held})", "/actor")
    surrender = state.surrender
    if surrender is not None and action not in (ActionCode.SACC, ActionCode.SREJ):
        bad("PINT-STATE-SURRENDER-PENDING", f"{action.value} while a surrender awaits the carrier's SACC or SREJ",
            "/actionCode")
    if action in (ActionCode.SACC, ActionCode.SREJ) and surrender is None:
        bad("PINT-STATE-NO-SURRENDER", f"{action.value} answers a surrender, but none is pending", "/actionCode")
    if action is ActionCode.SREJ and recipient is not None and not recipient.same_as(state.surrendered_by):
        bad("PINT-STATE-SREJ-RECIPIENT", "SREJ returns the eBL to the party that surrendered it", "/recipient")
    carrier = state.carrier
    if action in _SURRENDERS and recipient is not None and carrier is not None \
            and recipient.ebl_platform != carrier.ebl_platform:
        bad("PINT-STATE-SURRENDER-RECIPIENT", f"surrender must be addressed to the issuing carrier on "
                                              f"{carrier.ebl_platform!r}, not to {recipient.describe()}", "/recipient")
    if action in _ENDORSEMENTS:
        if state.endorsement is Endorsement.STRAIGHT:
            bad("PINT-STATE-NOT-NEGOTIABLE", f"{action.value} on a straight (not to-order) eBL", "/actionCode")
        elif state.endorsement is Endorsement.FINAL:
            bad("PINT-STATE-ENDORSE-FINAL", "the eBL was endorsed (not to order); its endorsee cannot endorse it "
                                            "further", "/actionCode")
        elif state.endorsement is Endorsement.ORDER and not actor.same_as(state.endorsee):
            named = state.endorsee.describe() if state.endorsee else "nobody"
            bad("PINT-STATE-NOT-ENDORSEE", f"{action.value} by {actor.describe()}, who is not the current endorsee "
                                           f"({named})", "/actor")
    return out


def _apply(state: ChainState, tx: Transaction, action: ActionCode) -> ChainState:
    """The state after ``tx`` (whose action is ``action``), which :func:`check` found free of errors (so its
    time is known)."""
    when = parse_datetime(tx.action_date_time)
    if state.last_time is not None and when < state.last_time:
        when = state.last_time  # a time going backwards is a warning only: keep the latest for the next check
    if action is ActionCode.ISSUE:
        if state.to_order is False:
            endorsement, endorsee = Endorsement.STRAIGHT, None
        elif state.blank_endorsed:
            endorsement, endorsee = Endorsement.BLANK, None
        else:
            endorsement, endorsee = Endorsement.ORDER, tx.recipient
        return state._replace(issued=True, carrier=tx.actor, holder=tx.recipient, endorsement=endorsement,
                              endorsee=endorsee, last_time=when)
    if action is ActionCode.TRANSFER:
        return state._replace(holder=tx.recipient, last_time=when)
    if action is ActionCode.ENDORSE:
        return state._replace(endorsement=Endorsement.FINAL, endorsee=tx.recipient, last_time=when)
    if action is ActionCode.ENDORSE_TO_ORDER:
        return state._replace(endorsement=Endorsement.ORDER, endorsee=tx.recipient, last_time=when)
    if action is ActionCode.BLANK_ENDORSE:
        return state._replace(endorsement=Endorsement.BLANK, endorsee=None, last_time=when)
    if action in _SURRENDERS:
        return state._replace(holder=tx.recipient or state.carrier, surrendered_by=tx.actor, surrender=action,
                              last_time=when)
    if action is ActionCode.SREJ:
        return state._replace(holder=state.surrendered_by, surrendered_by=None, surrender=None, last_time=when)
    if action is ActionCode.SACC:
        return state._replace(accomplished=True, last_time=when)
    return state._replace(last_time=when)  # SIGN changes nothing


def feed(state: ChainState, entry: int, index: int, platform: str, tx: Transaction,
         ) -> tuple[ChainState, Step | None, list[Violation]]:
    """Check one transaction and apply it when it breaks no rule (warnings aside): the new state, the
    applied :class:`Step` (``None`` when refused) and the violations. A refused transaction leaves the
    state as it was — except a refused first transaction: a plausible first holder (the ISSUE
    recipient, else the actor) is then assumed, so that the rest of the chain can still be told."""
    problems = check(state, entry, index, platform, tx)
    if not problems or all(v.warning for v in problems):
        action = resolve_action(tx.action_code)[0]
        assert action is not None  # checked
        new = _apply(state, tx, action)
        return new, Step(entry, index, action, tx.actor, tx.recipient, tx.action_date_time, new.holder,
                         new.endorsement, new.endorsee), problems
    if state.issued:
        return state, None, problems
    first = tx.recipient if tx.action is ActionCode.ISSUE and tx.recipient is not None else tx.actor
    negotiable = state.to_order is not False
    return state._replace(issued=True, holder=first, carrier=tx.actor,
                          endorsement=Endorsement.ORDER if negotiable else Endorsement.STRAIGHT,
                          endorsee=first if negotiable else None), None, problems


def feed_entry(state: ChainState, index: int, entry: TransferChainEntry) -> EntryStory:
    """Feed every transaction of chain entry ``index``, in order (see :func:`feed`)."""
    steps: list[Step] = []
    violations: list[Violation] = []
    holders: list[Party] = []
    for t, tx in enumerate(entry.transactions):
        before = state.holder
        state, step, problems = feed(state, index, t, entry.ebl_platform, tx)
        violations.extend(problems)
        if step is not None:
            steps.append(step)
        if state.holder is not None and state.holder is not before and not state.holder.same_as(before):
            holders.append(state.holder)
    return EntryStory(state, tuple(steps), tuple(violations), tuple(holders))


def add_holders(holders: list[Party], new: Iterable[Party]) -> None:
    """Append each party of ``new`` to ``holders`` unless it is the same party as the last one."""
    for party in new:
        if not holders or not party.same_as(holders[-1]):
            holders.append(party)


class StateMachine:
    """:func:`feed` with the story kept: feed transactions or entries in chain order, read :meth:`result`.

    ``to_order`` comes from the TD's ``isToOrder`` (``None``: unknown, treated as to-order);
    ``blank_endorsed`` is true for a to-order TD that names no endorsee (DCSA's blank-endorsed eBL):
    after issuance any holder may endorse it. :meth:`for_document` derives both from a TD.
    """

    def __init__(self, to_order: bool | None = None, blank_endorsed: bool = False) -> None:
        self.state = ChainState(to_order=to_order, blank_endorsed=blank_endorsed)
        self.steps: list[Step] = []
        self.holders: list[Party] = []
        self.violations: list[Violation] = []

    @classmethod
    def for_document(cls, transport_document: object) -> StateMachine:
        """A machine for the given transport document (see :meth:`ChainState.for_document`)."""
        state = ChainState.for_document(transport_document)
        return cls(state.to_order, state.blank_endorsed)

    @property
    def holder(self) -> Party | None:
        """Who holds the eBL now."""
        return self.state.holder

    def feed_entry(self, index: int, entry: TransferChainEntry) -> list[Violation]:
        """Apply every transaction of chain entry ``index``; return the violations found."""
        story = feed_entry(self.state, index, entry)
        self.state = story.state
        self.steps.extend(story.steps)
        add_holders(self.holders, story.holders)
        self.violations.extend(story.violations)
        return list(story.violations)

    def feed(self, entry: int, index: int, platform: str, tx: Transaction) -> list[Violation]:
        """Check one transaction and apply it when it breaks no rule; return the violations."""
        before = self.state.holder
        self.state, step, problems = feed(self.state, entry, index, platform, tx)
        if step is not None:
            self.steps.append(step)
        if self.state.holder is not None and self.state.holder is not before:
            add_holders(self.holders, [self.state.holder])
        self.violations.extend(problems)
        return problems

    def mark(self) -> tuple[Any, ...]:
        """A bookmark for :meth:`rollback` (a signer marks before it feeds what it may not sign)."""
        return self.state, len(self.steps), len(self.holders), len(self.violations)

    def rollback(self, mark: tuple[Any, ...]) -> None:
        """Forget everything fed since :meth:`mark` returned ``mark``."""
        self.state, steps, holders, violations = mark
        del self.steps[steps:], self.holders[holders:], self.violations[violations:]

    def result(self) -> ChainResult:
        """The story so far."""
        return ChainResult(tuple(self.steps), tuple(self.holders), self.state, tuple(self.violations))


def replay(entries: Iterable[TransferChainEntry] | Sequence[TransferChainEntry], *,
           to_order: bool | None = None) -> ChainResult:
    """Run the machine over whole entries (index = position) and return the story."""
    machine = StateMachine(to_order=to_order)
    for i, entry in enumerate(entries):
        machine.feed_entry(i, entry)
    return machine.result()
