"""Who holds the eBL, and who may endorse it: the PINT possession/endorsement state machine.

The machine is fed the transactions of the chain in order (entry by entry,
transaction by transaction). It never looks at signatures or checksums; the
verifier (:mod:`etr.transfer.verify`) does that and feeds it only entries it
could read. Each transaction is checked in this order, and a transaction that
breaks a rule is reported and **not applied** (the state stays as it was):

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
10. **Time.** ``actionDateTime`` should not go backwards along the chain
    (``PINT-STATE-TIME-ORDER``, a warning: clocks of different platforms are
    not comparable to the millisecond).

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
from typing import Any, NamedTuple, Protocol

from .model import (
    LEGACY_ACTION_CODES,
    REASON_CODES,
    ActionCode,
    Party,
    Transaction,
    TransferChainEntry,
    parse_datetime,
)

__all__ = ["ChainResult", "ChainState", "Endorsement", "StateMachine", "Step", "Violation", "replay"]

_ENDORSEMENTS = frozenset({ActionCode.ENDORSE, ActionCode.ENDORSE_TO_ORDER, ActionCode.BLANK_ENDORSE})
_SURRENDERS = frozenset({ActionCode.SURRENDER_FOR_DELIVERY, ActionCode.SURRENDER_FOR_AMENDMENT})
_NEEDS_RECIPIENT = frozenset({ActionCode.ISSUE, ActionCode.TRANSFER, ActionCode.ENDORSE, ActionCode.ENDORSE_TO_ORDER})
_NO_RECIPIENT = frozenset({ActionCode.BLANK_ENDORSE, ActionCode.SIGN})
#: ``actionCode`` (current or legacy) -> action, as :attr:`Transaction.action` resolves it.
_ACTIONS = {**{code: action for code, action in LEGACY_ACTION_CODES.items()}, **{a.value: a for a in ActionCode}}


class Endorsement(enum.StrEnum):
    """Who may endorse next."""

    NONE = "none"  # before issuance
    STRAIGHT = "straight"  # not negotiable: nobody
    ORDER = "order"  # the named endorsee (when also holder)
    FINAL = "final"  # endorsed (not to order): nobody
    BLANK = "blank"  # bearer: any holder


class _Bad(Protocol):  # the local ``bad`` helper of :meth:`StateMachine.check`
    def __call__(self, code: str, message: str, where: str = "", warning: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the transaction breaks. ``field`` is a JSON Pointer inside the entry's payload."""

    code: str
    message: str
    entry: int
    transaction: int
    field: str
    warning: bool = False


@dataclass(frozen=True, slots=True)
class ChainState:
    """A snapshot of the machine between two transactions."""

    issued: bool = False
    carrier: Party | None = None
    holder: Party | None = None
    endorsement: Endorsement = Endorsement.NONE
    endorsee: Party | None = None
    surrendered_by: Party | None = None
    surrender: ActionCode | None = None
    accomplished: bool = False
    last_time: datetime | None = None


class Step(NamedTuple):
    """One applied transaction and what it left behind (a named tuple: a chain of a thousand entries has a
    thousand of them, made each time a result is)."""

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


class StateMachine:
    """Feed transactions in chain order; see the module docstring for the rules.

    ``to_order`` comes from the TD's ``isToOrder`` (``None``: unknown, treated
    as to-order). ``blank_endorsed`` is true for a to-order TD that names no
    endorsee (DCSA's definition of a blank-endorsed eBL): after issuance any
    holder may endorse it. Use :meth:`for_document` to derive both from a TD.

    The live state is kept in plain attributes (a chain of a thousand entries
    is replayed for every verification and every signature): :attr:`state`
    and :attr:`steps` are built from them when asked for.
    """

    __slots__ = (
        "_accomplished",
        "_carrier",
        "_endorsee",
        "_endorsement",
        "_holder",
        "_issued",
        "_last_time",
        "_seen_any",
        "_snapshot",
        "_steps",
        "_surrender",
        "_surrendered_by",
        "blank_endorsed",
        "holders",
        "to_order",
        "violations",
    )

    _snapshot: ChainState | None

    def __init__(self, to_order: bool | None = None, blank_endorsed: bool = False) -> None:
        self.to_order = to_order
        self.blank_endorsed = blank_endorsed
        self.holders: list[Party] = []
        self.violations: list[Violation] = []
        self._seen_any = False
        self._steps: list[tuple[Any, ...]] = []  # Step fields, made Steps by :attr:`steps`
        self._set(ChainState())

    @classmethod
    def for_document(cls, transport_document: object) -> StateMachine:
        """A machine for the given transport document (any shape; unknown fields mean "unknown")."""
        td = transport_document if isinstance(transport_document, dict) else {}
        to_order = td.get("isToOrder")
        parties = td.get("documentParties")
        has_endorsee = isinstance(parties, dict) and parties.get("endorsee") is not None
        return cls(to_order=to_order if isinstance(to_order, bool) else None,
                   blank_endorsed=to_order is True and not has_endorsee)

    # -- the state, as snapshots

    @property
    def state(self) -> ChainState:
        """The state now (a frozen snapshot)."""
        snap = self._snapshot
        if snap is None:
            snap = self._snapshot = ChainState(self._issued, self._carrier, self._holder, self._endorsement,
                                               self._endorsee, self._surrendered_by, self._surrender,
                                               self._accomplished, self._last_time)
        return snap

    @property
    def holder(self) -> Party | None:
        """Who holds the eBL now (``state.holder`` without building a snapshot)."""
        return self._holder

    @property
    def steps(self) -> list[Step]:
        """Every applied transaction so far."""
        return list(map(Step._make, self._steps))

    def _set(self, st: ChainState) -> None:
        self._issued, self._carrier, self._holder = st.issued, st.carrier, st.holder
        self._endorsement, self._endorsee = st.endorsement, st.endorsee
        self._surrendered_by, self._surrender = st.surrendered_by, st.surrender
        self._accomplished, self._last_time = st.accomplished, st.last_time
        self._snapshot = st

    def mark(self) -> tuple[Any, ...]:
        """A bookmark for :meth:`rollback` (a signer marks before it feeds what it may not sign)."""
        return (self._issued, self._carrier, self._holder, self._endorsement, self._endorsee, self._surrendered_by,
                self._surrender, self._accomplished, self._last_time, self._snapshot, self._seen_any,
                len(self._steps), len(self.holders), len(self.violations))

    def rollback(self, mark: tuple[Any, ...]) -> None:
        """Forget everything fed since :meth:`mark` returned ``mark``."""
        (self._issued, self._carrier, self._holder, self._endorsement, self._endorsee, self._surrendered_by,
         self._surrender, self._accomplished, self._last_time, self._snapshot, self._seen_any,
         steps, holders, violations) = mark
        del self._steps[steps:], self.holders[holders:], self.violations[violations:]

    # -- public doors

    def feed_entry(self, index: int, entry: TransferChainEntry) -> list[Violation]:
        """Apply every transaction of chain entry ``index``; return the violations found."""
        txs = entry.transactions
        if len(txs) == 1:
            return self.feed(index, 0, entry.ebl_platform, txs[0])
        found: list[Violation] = []
        for t, tx in enumerate(txs):
            found.extend(self.feed(index, t, entry.ebl_platform, tx))
        return found

    def feed(self, entry: int, index: int, platform: str, tx: Transaction) -> list[Violation]:
        """Check one transaction and apply it when it breaks no rule; return the violations."""
        if tx.action_code == "TRANSFER" and self._transfer(entry, index, platform, tx):
            return []
        problems = self.check(entry, index, platform, tx)
        if not problems or all(v.warning for v in problems):
            self._apply(entry, index, tx)
        elif not self._seen_any:
            # The start of the chain is unusable: assume a plausible first holder so the rest can be told.
            first = tx.recipient if tx.action is ActionCode.ISSUE and tx.recipient is not None else tx.actor
            negotiable = self.to_order is not False
            self._issued, self._holder, self._carrier = True, first, tx.actor
            self._endorsement = Endorsement.ORDER if negotiable else Endorsement.STRAIGHT
            self._endorsee = first if negotiable else None
            self._snapshot = None
            self.holders.append(first)
        self._seen_any = True
        if problems:
            self.violations.extend(problems)
        return problems

    def _transfer(self, entry: int, index: int, platform: str, tx: Transaction) -> bool:
        if tx.recipient is None or tx.reason_code is not None:
            return False
        return self.transfer(entry, index, platform, tx.actor, tx.recipient, tx.action_date_time)

    def transfer(self, entry: int, index: int, platform: str, actor: Party, recipient: Party,
                 action_date_time: str) -> bool:
        """The common step — a ``TRANSFER`` (no ``reasonCode``) by the holder to ``recipient`` — checked and
        applied in one go, without a :class:`Transaction`; False (nothing done) when any rule needs a closer
        look: :meth:`feed` the transaction then, which says which."""
        holder = self._holder
        if self._surrender is not None or self._accomplished or not self._seen_any or actor.ebl_platform != platform \
                or (actor is not holder and not actor.same_as(holder)):
            return False
        try:
            when = parse_datetime(action_date_time)
        except ValueError:
            return False
        last = self._last_time
        if last is not None and when < last:
            return False
        self._holder, self._last_time, self._snapshot = recipient, when, None
        holders = self.holders
        if not holders or (recipient is not holders[-1] and not recipient.same_as(holders[-1])):
            holders.append(recipient)
        self._steps.append((entry, index, ActionCode.TRANSFER, actor, recipient, action_date_time, recipient,
                            self._endorsement, self._endorsee))
        return True

    def check(self, entry: int, index: int, platform: str, tx: Transaction) -> list[Violation]:
        """The violations ``tx`` would raise in the current state (the state is not changed)."""
        out: list[Violation] = []

        def bad(code: str, message: str, where: str = "", warning: bool = False) -> None:
            out.append(Violation(code, message, entry, index, f"/transactions/{index}{where}", warning))

        action = _ACTIONS.get(tx.action_code)
        first = not self._seen_any
        if self._accomplished:
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
            bad("PINT-STATE-ISSUE-REPEATED",
                "ISSUE appears only once, as the first transaction of the first entry", "/actionCode")
            return out
        actor, recipient = tx.actor, tx.recipient
        if actor.ebl_platform != platform:
            bad("PINT-STATE-ACTOR-PLATFORM",
                f"actor is on platform {actor.ebl_platform!r} but the entry is signed by {platform!r}",
                "/actor/eblPlatform")
        self._check_time(tx, bad)
        if tx.reason_code is not None:
            if action is not ActionCode.SURRENDER_FOR_AMENDMENT:
                bad("PINT-STATE-REASON-CODE", "reasonCode is only allowed with SURRENDER_FOR_AMENDMENT",
                    "/reasonCode")
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
        holder, surrender = self._holder, self._surrender
        if actor is not holder and not actor.same_as(holder):
            described = holder.describe() if holder else "nobody"
            bad("PINT-STATE-NOT-POSSESSOR",
                f"{action.value} by {actor.describe()}, who does not hold the eBL (holder: {described})", "/actor")
        if action is ActionCode.TRANSFER and surrender is None:
            return out  # none of the checks below applies
        if surrender is not None and action not in (ActionCode.SACC, ActionCode.SREJ):
            bad("PINT-STATE-SURRENDER-PENDING",
                f"{action.value} while a surrender awaits the carrier's SACC or SREJ", "/actionCode")
        if action in (ActionCode.SACC, ActionCode.SREJ) and surrender is None:
            bad("PINT-STATE-NO-SURRENDER", f"{action.value} answers a surrender, but none is pending", "/actionCode")
        if action is ActionCode.SREJ and recipient is not None and not recipient.same_as(self._surrendered_by):
            bad("PINT-STATE-SREJ-RECIPIENT", "SREJ returns the eBL to the party that surrendered it", "/recipient")
        carrier = self._carrier
        if action in _SURRENDERS and recipient is not None and carrier is not None \
                and recipient.ebl_platform != carrier.ebl_platform:
            bad("PINT-STATE-SURRENDER-RECIPIENT",
                f"surrender must be addressed to the issuing carrier on {carrier.ebl_platform!r}, "
                f"not to {recipient.describe()}", "/recipient")
        if action in _ENDORSEMENTS:
            self._check_endorser(tx, action, bad)
        return out

    def result(self) -> ChainResult:
        """The story so far."""
        return ChainResult(tuple(self.steps), tuple(self.holders), self.state, tuple(self.violations))

    # -- internals

    def _check_time(self, tx: Transaction, bad: _Bad) -> None:
        try:
            when = parse_datetime(tx.action_date_time)
        except ValueError:
            return  # the schema check reports the format
        last = self._last_time
        if last is not None and when < last:
            bad("PINT-STATE-TIME-ORDER", f"actionDateTime {tx.action_date_time} is earlier than the one before",
                "/actionDateTime", True)

    def _check_endorser(self, tx: Transaction, action: ActionCode, bad: _Bad) -> None:
        endorsement, endorsee = self._endorsement, self._endorsee
        if endorsement is Endorsement.STRAIGHT:
            bad("PINT-STATE-NOT-NEGOTIABLE", f"{action.value} on a straight (not to-order) eBL", "/actionCode")
        elif endorsement is Endorsement.FINAL:
            bad("PINT-STATE-ENDORSE-FINAL",
                "the eBL was endorsed (not to order); its endorsee cannot endorse it further", "/actionCode")
        elif endorsement is Endorsement.ORDER and not tx.actor.same_as(endorsee):
            described = endorsee.describe() if endorsee else "nobody"
            bad("PINT-STATE-NOT-ENDORSEE",
                f"{action.value} by {tx.actor.describe()}, who is not the current endorsee ({described})", "/actor")

    def _apply(self, entry: int, index: int, tx: Transaction) -> None:
        action = tx.action
        assert action is not None  # checked
        last = self._last_time
        try:
            when: datetime | None = parse_datetime(tx.action_date_time)
        except ValueError:
            when = last
        if last is not None and (when is None or when < last):
            when = last
        carrier, holder = self._carrier, self._holder
        endorsement, endorsee = self._endorsement, self._endorsee
        if action is ActionCode.ISSUE:
            negotiable = self.to_order is not False
            self._issued, carrier, holder = True, tx.actor, tx.recipient
            if not negotiable:
                endorsement, endorsee = Endorsement.STRAIGHT, None
            elif self.blank_endorsed:
                endorsement, endorsee = Endorsement.BLANK, None
            else:
                endorsement, endorsee = Endorsement.ORDER, tx.recipient
        elif action is ActionCode.TRANSFER:
            holder = tx.recipient
        elif action is ActionCode.ENDORSE:
            endorsement, endorsee = Endorsement.FINAL, tx.recipient
        elif action is ActionCode.ENDORSE_TO_ORDER:
            endorsement, endorsee = Endorsement.ORDER, tx.recipient
        elif action is ActionCode.BLANK_ENDORSE:
            endorsement, endorsee = Endorsement.BLANK, None
        elif action in _SURRENDERS:
            holder = tx.recipient or carrier
            self._surrendered_by, self._surrender = tx.actor, action
        elif action is ActionCode.SREJ:
            holder, self._surrendered_by, self._surrender = self._surrendered_by, None, None
        elif action is ActionCode.SACC:
            self._accomplished = True
        self._carrier, self._holder, self._endorsement, self._endorsee = carrier, holder, endorsement, endorsee
        self._last_time, self._snapshot = when, None
        if holder is not None and (not self.holders or not holder.same_as(self.holders[-1])):
            self.holders.append(holder)
        self._steps.append((entry, index, action, tx.actor, tx.recipient, tx.action_date_time, holder,
                            endorsement, endorsee))


def replay(entries: Iterable[TransferChainEntry] | Sequence[TransferChainEntry], *,
           to_order: bool | None = None) -> ChainResult:
    """Run the machine over whole entries (index = position) and return the story."""
    machine = StateMachine(to_order=to_order)
    for i, entry in enumerate(entries):
        machine.feed_entry(i, entry)
    return machine.result()
