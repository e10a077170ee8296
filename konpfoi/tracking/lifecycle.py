"""An item's state, running clocks and next action: a pure function of its events.

Only a request runs a statutory clock and can be "overdue". A letter to an MP or a board
(law.correspondence) is "awaiting reply", then "reminder due" after the campaign's reminder
days, then "replied": never overdue, never past a legal deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from konpfoi.law.clocks import Clock, clocks_for
from konpfoi.law.correspondence import kind_of
from konpfoi.law.regimes import DEFAULT_POLICY, ITEM_REGIME, REGULATOR, Policy
from konpfoi.law.workdays import Calendar, Calendars
from konpfoi.ledger.model import FINAL_OUTCOMES, OUTCOME_LABELS, Event
from konpfoi.tracking import facts

STATES = (
    "drafted", "send unknown", "undelivered", "awaiting response", "overdue",
    "clarification needed", "extended", "answered", "partly answered", "refused", "not held",
    "internal review requested", "review overdue", "with regulator", "withdrawn", "closed",
    "awaiting reply", "reminder due", "replied",
)
CLOSED_STATES = frozenset({"withdrawn", "closed"})
OVERDUE_STATES = ("overdue", "review overdue")
OUTCOME_STATES = {o: OUTCOME_LABELS[o] for o in FINAL_OUTCOMES}
_UNHAPPY = frozenset({"partly answered", "refused", "not held"})


@dataclass(slots=True)
class View:
    """What the ledger says about one item today."""

    state: str
    item_id: str = "ID"
    sent: dt.date | None = None
    due: dt.date | None = None  # the due date of the clock that matters now
    left: int | None = None  # working days (or days) left on it; negative when overdue
    next_date: dt.date | None = None
    clocks: list[Clock] = field(default_factory=list)
    their_ref: str | None = None
    outcome: str | None = None
    events: list[Event] = field(default_factory=list)  # effective: voids and corrections applied
    action: str = ""  # the next action, with {id} and {when} filled in only when read
    when: dt.date | None = None

    @property
    def next_action(self) -> str:
        return self.action.format(id=self.item_id, when=self.when)

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def overdue(self) -> bool:
        return self.state in OVERDUE_STATES

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"state": self.state, "sent": iso(self.sent), "due": iso(self.due),
                "left": self.left, "next_action": self.next_action,
                "next_date": iso(self.next_date), "their_ref": self.their_ref,
                "outcome": self.outcome}


def effective(events: list[Event]) -> list[Event]:
    """The events that stand: a `void` removes the one it names; a `correction` replaces it."""
    for e in events:
        if e.kind == "void" or e.kind == "correction":
            break
    else:
        return events
    active: dict[str, Event] = {}
    for e in events:
        if e.kind == "void":
            active.pop(e.voids or "", None)
        elif e.kind == "correction":
            old = active.pop(e.voids or "", None)
            if old is not None:
                data = {k: v for k, v in {**old.data, **e.data}.items() if k != "kind"}
                active[e.uid] = Event.make(e.id, e.uid, e.item_id, old.kind, e.date,
                                           e.recorded_at, e.note or old.note, data,
                                           actor=e.actor)
        else:
            active[e.uid] = e
    return list(active.values())


# Next actions: {id} is the item, {when} the date the action is due by.
SEND = "send it (konpfoi send {id}), or konpfoi mark-sent {id} if you sent it yourself"
# A supporter's letter is theirs to send: konpfoi sends them their pack, then waits for them.
SUPPORTER_SENDS = ("the supporter sends it: konpfoi send {id} delivers their pack; their copy "
                   "to the group records it (or konpfoi supporters confirm {id})")
SUPPORTER_HAS_IT = ("with the supporter since {when}: their copy to the group records it as "
                    "sent (or konpfoi supporters confirm {id})")
SEND_UNKNOWN = ("check your Sent folder: if it went, konpfoi mark-sent {id}; if not, "
                "konpfoi send {id} --retry")
SEND_FAILED = "the server refused it: check the address, then konpfoi send {id} --retry"
UNDELIVERED = ("it bounced: check the body's address (konpfoi show {id}), correct it "
               "(konpfoi bodies set BODY foi=ADDRESS --source URL), send it again, then "
               "konpfoi mark-sent {id} --again (the clock starts again)")
DATES = ("the reply is dated {when}, before the request was recorded as sent: correct the "
         "send date (konpfoi show {id} gives the event number; konpfoi record {id} "
         "correction --event N --date {when})")
WAIT = "wait; chase if no answer by {when}"
CHASE = "chase now (konpfoi followup {id} --kind chaser)"
CLARIFY = "send your clarification, then konpfoi record {id} clarification-sent"
PAY = "pay the fee, then konpfoi record {id} fee-paid"
REVIEW = "ask for internal review by {when} (konpfoi followup {id} --kind internal-review)"
CODE = "code the answers (konpfoi code {id})"
READ = "read the reply; close it when done (konpfoi record {id} closed)"
CLOSE = "close it (konpfoi record {id} closed), or ask for internal review by {when}"
WAIT_REVIEW = "wait for the review outcome, due {when}"
COMPLAIN = "complain to {regulator} by {when} (konpfoi followup {id} --kind {complaint})"
WAIT_REGULATOR = "wait for {regulator}'s decision"
# A letter with no statutory clock: a courteous reminder, never a chaser.
WAIT_REPLY = "no deadline; a reminder is due after {when} if no reply has come"
REMIND = "send a reminder (konpfoi followup {id} --kind reminder)"


def _complain(kind: str) -> str:
    regime = ITEM_REGIME.get(kind, "foia")
    return COMPLAIN.replace("{regulator}", REGULATOR[regime]).replace(
        "{complaint}", "sic-application" if regime == "foisa" else "ico-complaint")


@dataclass(slots=True)
class Summary:
    """What an item's events add up to, whatever the day: the facts its state needs, and its
    clocks. `judge` turns it into the state on a given day."""

    sent: dt.date | None
    undelivered: dt.date | None
    reply_before_sent: dt.date | None
    their_ref: str | None
    outcome: str | None
    withdrawn: bool
    closed: bool
    attempt_pending: bool
    send_failed: bool
    complaint_filed: bool
    replied: bool
    coded: bool
    extension: bool
    review_outcome: bool
    review_result: str | None
    clocks: list[Clock]
    pack_sent: dt.date | None = None


def summarise(kind: str, evs: list[Event], cals: Calendars, *,
              policy: Policy = DEFAULT_POLICY, nation: str | None = None,
              explain: bool = False) -> Summary:
    """The day-independent part of an item's view, from its effective events."""
    f = facts.read(evs)
    clocks = clocks_for(kind, f, cals, policy=policy, nation=nation, explain=explain) \
        if f.sent is not None else []
    return Summary(f.sent, f.undelivered, f.reply_before_sent, f.their_ref, f.outcome,
                   f.withdrawn, f.closed, f.attempt_pending,
                   f.send_failed, f.complaint_filed is not None, f.replied is not None, f.coded,
                   f.extension, f.review_outcome is not None, f.review_result, clocks,
                   f.pack_sent)


def derive(kind: str, events: list[Event], cals: Calendars, today: dt.date, *,
           item_id: str = "ID", nation: str | None = None,
           policy: Policy = DEFAULT_POLICY, explain: bool = False) -> View:
    """State, clocks and next action of one item on `today`."""
    evs = effective(events)
    s = summarise(kind, evs, cals, policy=policy, nation=nation, explain=explain)
    view = judge(kind, s, cals, today, item_id=item_id, nation=nation)
    view.events = evs
    return view


def judge(kind: str, s: Summary, cals: Calendars, today: dt.date, *, item_id: str = "ID",
          nation: str | None = None) -> View:
    """The state and next action on `today` of an item summarised as `s`."""
    view = View("drafted", item_id, their_ref=s.their_ref, outcome=s.outcome)
    if s.withdrawn:
        view.state = "withdrawn"
        return view
    if s.sent is None:
        if s.closed:
            view.state = "closed"
        elif s.attempt_pending:
            view.state = "send unknown"
            _act(view, SEND_UNKNOWN, today)
        elif kind_of(kind).signer == "supporter":
            _act(view, SUPPORTER_HAS_IT if s.pack_sent else SUPPORTER_SENDS, today, s.pack_sent)
        else:
            _act(view, SEND_FAILED if s.send_failed else SEND, today)
        return view
    view.sent = s.sent
    view.clocks = clocks = s.clocks
    if s.closed:
        view.state = "closed"
        return view
    if s.undelivered is not None:
        view.state = "undelivered"
        _act(view, UNDELIVERED, today)
        return view
    if s.complaint_filed:
        view.state = "with regulator"
        view.action = WAIT_REGULATOR.replace(
            "{regulator}", REGULATOR.get(ITEM_REGIME.get(kind, ""), "the ICO"))
        return view
    cal = cals.for_regime(ITEM_REGIME.get(kind, "email"), nation)
    response = clocks[0]  # the response clock (or, for a letter, the reminder date)
    if kind not in ITEM_REGIME:
        return _letter(view, s, response, cal, today)
    second = clocks[1] if len(clocks) > 1 else None
    if second is not None and second.key == "review-answer":
        return _in_review(view, kind, s, second, clocks[2] if len(clocks) > 2 else None,
                          cal, today)
    window = second if second is not None and second.key == "review-window" else None
    view.due, view.left = response.due, response.left(today, cal)
    if s.replied:
        view.state = OUTCOME_STATES.get(s.outcome or "", "answered")
        if s.reply_before_sent is not None:
            _act(view, DATES, today, s.reply_before_sent)
        elif view.state in _UNHAPPY and window is not None:
            _act(view, REVIEW, window.due)
        elif not s.coded:
            _act(view, CODE, today)
        else:
            _act(view, CLOSE, today, window.due if window else None)
        return view
    if response.paused:
        clarifying = "clarification" in response.paused
        view.state = "clarification needed" if clarifying else "awaiting response"
        _act(view, CLARIFY if clarifying else PAY, today)
        return view
    if view.left is not None and view.left < 0:
        view.state = "overdue"
        # FOISA: a missed deadline opens the internal review window as well
        _act(view, CHASE + ("; or " + REVIEW.split(" (")[0] if window else ""), today,
             window.due if window else None)
        return view
    view.state = "extended" if s.extension and kind != "foisa" else "awaiting response"
    _act(view, WAIT, response.due)
    return view


def _act(view: View, action: str, next_date: dt.date | None,
         when: dt.date | None = None) -> None:
    view.action = action
    view.next_date = next_date
    view.when = when or next_date


def _letter(view: View, s: Summary, reminder: Clock, cal: Calendar, today: dt.date) -> View:
    """A letter to an MP or a board: awaiting reply, reminder due, or replied."""
    view.due, view.left = reminder.due, reminder.left(today, cal)
    if s.replied:
        view.state = "replied"
        _act(view, READ, today)
    elif view.left is not None and view.left < 0:
        view.state = "reminder due"
        _act(view, REMIND, today)
    else:
        view.state = "awaiting reply"
        _act(view, WAIT_REPLY, reminder.due)
    return view


def _in_review(view: View, kind: str, s: Summary, review: Clock, regulator: Clock | None,
               cal: Calendar, today: dt.date) -> View:
    complain = _complain(kind)
    if s.review_outcome:
        view.outcome = s.review_result or view.outcome
        view.state = OUTCOME_STATES.get(view.outcome or "", "answered")
        if view.state in _UNHAPPY and regulator is not None:
            view.due, view.left = regulator.due, regulator.left(today, cal)
            _act(view, complain, regulator.due)
        else:
            _act(view, READ, today)
        return view
    view.due, view.left = review.due, review.left(today, cal)
    if view.left is not None and view.left < 0:
        view.state = "review overdue"
        _act(view, complain, today, regulator.due if regulator else None)
    else:
        view.state = "internal review requested"
        _act(view, WAIT_REVIEW, review.due)
    return view
