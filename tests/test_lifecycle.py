"""The lifecycle: an item's state, clocks and next action as a pure function of its events."""

from __future__ import annotations

import datetime as dt

import pytest

from konpfoi.law import bank_holidays
from konpfoi.law.regimes import Policy
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event
from konpfoi.tracking.lifecycle import derive, effective

D = dt.date.fromisoformat


def _cals() -> Calendars:
    table = bank_holidays.HolidayTable()
    bank_holidays.add_package(table, 2020, 2035, 2027)
    return Calendars(table)


CALS = _cals()
_n = iter(range(1, 10**6))


def ev(kind: str, date: str, voids: str | None = None, **data) -> Event:
    n = next(_n)
    return Event.make(n, f"u{n}", "K-0001", kind, date, "", None, data, voids)


def state(kind: str, events: list[Event], today: str) -> str:
    return derive(kind, events, CALS, D(today), item_id="K-0001").state


def test_the_states_of_a_request_through_its_life() -> None:
    evs = [ev("drafted", "2026-03-01")]
    assert state("foi", evs, "2026-03-02") == "drafted"
    evs.append(ev("sent", "2026-03-12"))
    assert state("foi", evs, "2026-04-14") == "awaiting response"  # due today
    assert state("foi", evs, "2026-04-15") == "overdue"
    evs.append(ev("reply", "2026-04-20", outcome="refused"))
    view = derive("foi", evs, CALS, D("2026-04-21"), item_id="K-0001")
    assert view.state == "refused"
    # 40 working days, skipping 4 and 25 May and Scotland's 15 June (FOIA: any UK nation)
    assert "ask for internal review by 2026-06-18" in view.next_action
    assert "konpfoi followup K-0001 --kind internal-review" in view.next_action
    evs.append(ev("review-requested", "2026-04-22"))
    assert state("foi", evs, "2026-05-20") == "internal review requested"
    view = derive("foi", evs, CALS, D("2026-05-22"), item_id="K-0001")
    assert view.state == "review overdue"
    assert "complain to the ICO by" in view.next_action
    evs.append(ev("complaint-filed", "2026-06-01"))
    assert state("foi", evs, "2026-06-02") == "with regulator"
    evs.append(ev("complaint-outcome", "2026-09-01"))
    assert state("foi", evs, "2026-09-02") == "closed"


def test_overdue_from_the_day_after_even_on_a_saturday() -> None:
    sent = D("2026-03-02")
    while derive("foi", [ev("sent", sent.isoformat())], CALS, sent).due.weekday() != 4:
        sent += dt.timedelta(days=1)
    evs = [ev("sent", sent.isoformat())]
    friday = derive("foi", evs, CALS, sent).due
    assert derive("foi", evs, CALS, friday).state == "awaiting response"
    saturday = derive("foi", evs, CALS, friday + dt.timedelta(days=1))
    assert (saturday.state, saturday.left) == ("overdue", -1)
    monday = derive("foi", evs, CALS, friday + dt.timedelta(days=3))
    assert (monday.state, monday.left) == ("overdue", -1)


def test_clarification_restarts_and_resend_does_not() -> None:
    evs = [ev("sent", "2026-03-12"), ev("clarification-requested", "2026-03-20")]
    v = derive("foi", evs, CALS, D("2026-04-30"))
    assert v.state == "clarification needed" and v.due is None
    evs.append(ev("clarification-sent", "2026-04-01"))
    assert state("foi", evs, "2026-04-30") == "awaiting response"
    again = [ev("sent", "2026-03-12"), ev("sent", "2026-04-01", resend=True)]
    assert derive("foi", again, CALS, D("2026-04-15")).state == "overdue"


def test_extension_state_and_foisa_has_none() -> None:
    evs = [ev("sent", "2026-03-12"), ev("extension-claimed", "2026-04-10", until="2026-05-12")]
    v = derive("foi", evs, CALS, D("2026-04-20"))
    assert v.state == "extended" and v.due == D("2026-05-12")
    assert derive("foisa", evs, CALS, D("2026-04-20")).state == "overdue"


def test_void_and_correction() -> None:
    wrong = ev("sent", "2026-03-01")
    evs = [ev("drafted", "2026-02-27"), wrong]
    evs.append(ev("correction", "2026-03-12", voids=wrong.uid))
    eff = effective(evs)
    assert [(e.kind, e.date) for e in eff] == [("drafted", "2026-02-27"), ("sent", "2026-03-12")]
    assert derive("foi", evs, CALS, D("2026-04-14")).due == D("2026-04-14")
    reply = ev("reply", "2026-04-01", outcome="answered")
    evs += [reply, ev("void", "2026-04-02", voids=reply.uid)]
    assert state("foi", evs, "2026-04-20") == "overdue"


def test_withdrawn_closed_reopened() -> None:
    evs = [ev("sent", "2026-03-12"), ev("closed", "2026-03-20")]
    assert state("foi", evs, "2026-05-01") == "closed"
    evs.append(ev("reopened", "2026-03-21"))
    assert state("foi", evs, "2026-05-01") == "overdue"
    evs.append(ev("withdrawn", "2026-05-02"))
    assert state("foi", evs, "2026-05-03") == "withdrawn"


@pytest.mark.parametrize("outcome, expected", [
    ("answered", "answered"), ("partly-answered", "partly answered"),
    ("refused", "refused"), ("not-held", "not held"), (None, "answered"),
])
def test_reply_outcomes(outcome, expected) -> None:
    data = {"outcome": outcome} if outcome else {}
    evs = [ev("sent", "2026-03-12"), ev("reply", "2026-04-01", **data)]
    view = derive("foi", evs, CALS, D("2026-04-02"), item_id="K-0001")
    assert view.state == expected
    if outcome is None:
        assert "code the answers" in view.next_action


def test_send_attempt_without_outcome_is_unknown() -> None:
    evs = [ev("drafted", "2026-03-01"), ev("send-attempt", "2026-03-02")]
    assert state("foi", evs, "2026-03-03") == "send unknown"
    evs.append(ev("send-failed", "2026-03-02"))
    assert state("foi", evs, "2026-03-03") == "drafted"


def test_email_chase_and_their_ref() -> None:
    evs = [ev("sent", "2026-11-02"), ev("acknowledged", "2026-11-03", their_ref="MP-77")]
    v = derive("email", evs, CALS, D("2026-12-01"), policy=Policy(chase_days=15))
    # A letter runs no statutory clock: never overdue, a courteous reminder is due.
    assert v.state == "reminder due" and v.their_ref == "MP-77" and not v.overdue
    assert "--kind reminder" in v.next_action
    for kind in ("mp", "constituent", "board"):
        early = derive(kind, evs, CALS, D("2026-11-20"), policy=Policy(chase_days=15))
        assert early.state == "awaiting reply" and "reminder is due after" in early.next_action
        assert derive(kind, evs + [ev("reply", "2026-11-25")], CALS, D("2026-12-01"),
                      policy=Policy(chase_days=15)).state == "replied"
        # a reminder sent starts the count again
        reminded = evs + [ev("chased", "2026-11-30", followup="reminder")]
        assert derive(kind, reminded, CALS, D("2026-12-01"),
                      policy=Policy(chase_days=15)).state == "awaiting reply"
