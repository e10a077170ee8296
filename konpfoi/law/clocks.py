"""A request's clocks (LAW.md): pure functions from what its events add up to, to due dates.

Every clock can explain itself: day 0, the rule it follows, and each step that moved it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from operator import itemgetter
from typing import Any, Protocol

from konpfoi.errors import KonpfoiWarning
from konpfoi.law.dates import add_months
from konpfoi.law.deadlines import day_zero, month_deadline
from konpfoi.law.regimes import DEFAULT_POLICY, ITEM_REGIME, REGULATOR, STATUTE, Policy
from konpfoi.law.workdays import Calendar, Calendars
from konpfoi.workspace import dates


class RequestFacts(Protocol):
    """What the clocks read of a request's events (tracking.facts.Facts)."""

    sent: dt.date | None
    replied: dt.date | None
    clock_events: list[tuple[str, dt.date, Any]]
    review_requested: dt.date | None
    review_extended: bool
    review_outcome: dt.date | None
    last_contact: dt.date | None
    chased: dt.date | None


def _ord(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


def _day(index: int) -> property:
    def get(self: tuple) -> dt.date | None:  # type: ignore[type-arg]
        o = self[index]
        return None if o is None else dt.date.fromordinal(o)
    return property(get)


class Clock(tuple):  # type: ignore[type-arg]
    """One running (or finished) clock of a request.

    A tuple holding its days as ordinals, so that thousands of clocks cost little to build,
    to cache and to compare; the date properties give `datetime.date`s.
    """

    __slots__ = ()

    @classmethod
    def make(cls, key: str, label: str, start: dt.date, due: dt.date | None, basis: str,
             working: bool, explanation: list[str] | None = None, *,
             stopped: dt.date | None = None, paused: str | None = None,
             day0: dt.date | None = None, days: int | None = None,
             disregarded: list[tuple[dt.date, dt.date]] | None = None) -> Clock:
        return cls((key, label, start.toordinal(), _ord(due), basis, working,
                    explanation or [], _ord(stopped), paused, _ord(day0), days,
                    [[a.toordinal(), b.toordinal()] for a, b in disregarded or ()]))

    key = property(itemgetter(0))  # response, review-window, review-answer, regulator, chase
    label = property(itemgetter(1))
    start = _day(2)
    due = _day(3)  # None while paused
    basis = property(itemgetter(4))
    working = property(itemgetter(5))  # counted in working days (else calendar days)
    explanation = property(itemgetter(6))
    stopped = _day(7)  # met: the day the answer came
    paused = property(itemgetter(8))
    day0 = _day(9)  # a working-day clock's day 0 and the days it counts, so that
    days = property(itemgetter(10))  # `show --explain` can list them one by one

    @property
    def disregarded(self) -> list[tuple[dt.date, dt.date]]:
        """Periods under a fees notice."""
        return [(dt.date.fromordinal(a), dt.date.fromordinal(b)) for a, b in self[11]]

    def left(self, today: dt.date, cal: Calendar) -> int | None:
        """Days left (working or calendar, as the clock counts); negative when overdue."""
        due = self[3]
        if due is None:
            return None
        end = self[7] if self[7] is not None else today.toordinal()
        if end <= due:
            return cal.count_ord(end, due) if self[5] else due - end
        # Overdue from the day after the due date, even when that day is a Saturday.
        return -max(1, cal.count_ord(due, end)) if self[5] else due - end

    def to_dict(self, today: dt.date, cal: Calendar) -> dict[str, Any]:
        return {
            "clock": self.key, "label": self.label, "start": self.start.isoformat(),
            "due": self.due.isoformat() if self.due else None, "basis": self.basis,
            "left": self.left(today, cal), "unit": "working days" if self.working else "days",
            "stopped": self.stopped.isoformat() if self.stopped else None,
            "paused": self.paused, "explanation": list(self.explanation),
        }


def _until(value: object) -> dt.date | None:
    """The date an extension runs to; one that is not a usable day is passed over (warned)."""
    try:
        return dates.to_day(value)
    except ValueError as exc:
        warnings.warn(KonpfoiWarning(f"an extension's date is passed over ({exc})"),
                      stacklevel=2)
        return None


def _say(notes: list[str] | None, text: str, *args: object) -> None:
    """Add a line of explanation, formatting it only when one was asked for."""
    if notes is not None:
        notes.append(text.format(*args))


def clocks_for(kind: str, f: RequestFacts, cals: Calendars, *, policy: Policy = DEFAULT_POLICY,
               nation: str | None = None, explain: bool = True) -> list[Clock]:
    """The clocks of a request from what its events add up to.

    A re-send does not restart the clock (the first `sent` counts); a clarification restarts it
    (FOIA, EIR, FOISA) or pauses it (SAR); a fees notice pauses it (FOIA, FOISA). Without
    `explain` the clocks carry no explanation (status over a large ledger does not need it).
    """
    sent = f.sent
    if sent is None:
        return []
    rule, chase_days = policy.rule, policy.chase_days
    regime = ITEM_REGIME.get(kind)
    if regime is None:  # a letter to an MP or a board: no statutory clock, a reminder date
        cal = cals.for_regime("email", nation)
        start = max(sent, f.chased or sent)  # counted again from the last reminder sent
        due = cal.add(start, chase_days)
        notes: list[str] | None = [] if explain else None
        _say(notes, "{} {}; no statutory deadline; a reminder after {} working days: {}",
             "last reminder" if start > sent else "sent", start, chase_days, due)
        return [Clock.make("chase", "Reminder due after", start, due,
                           f"{chase_days} working days (campaign setting, not statutory)", True,
                           notes, stopped=f.replied, day0=start, days=chase_days)]
    cal = cals.for_regime(regime, nation)
    response = _response_clock(regime, sent, f.clock_events, cal, rule,
                               [] if explain else None)
    return [response, *_after_response(regime, response, f, cal, explain)]


def _response_clock(regime: str, sent: dt.date, evs: list[tuple[str, dt.date, Any]],
                    cal: Calendar, rule: str, notes: list[str] | None) -> Clock:
    start = sent
    _say(notes, "received {} (an email is received the day it is sent); day 0", sent)
    if rule == "b" and not cal.is_working(sent):
        _say(notes, "rule B: counted from the next working day, {}", cal.next_working(sent))
    disregarded = 0  # working days under a fees notice (FOIA/FOISA s.10(2))
    fee_ranges: list[tuple[dt.date, dt.date]] = []
    sar_pause = 0  # calendar days waiting for clarification (SAR)
    paused: str | None = None
    waiting_since: dt.date | None = None
    fee_since: dt.date | None = None
    extension: tuple[dt.date, dict] | None = None
    answered: dt.date | None = None
    for k, d, ev in evs:
        if d < sent or answered:
            continue
        if k == "clarification-requested":
            waiting_since = d
            paused = f"waiting for your clarification (asked {d})"
            _say(notes, "{}: clarification asked: the clock stops", d)
        elif k == "clarification-sent":
            if regime == "sar":
                gap = (d - (waiting_since or d)).days
                sar_pause += gap
                _say(notes, "{}: clarification given: the clock resumes ({} day(s) paused)", d, gap)
            else:
                start = d
                disregarded = 0
                fee_ranges = []
                _say(notes, "{}: clarification given: the 20 working days start again from "
                     "this day (FOIA s.1(3); ICO)", d)
            paused, waiting_since = None, None
        elif k == "fee-notice" and regime in ("foia", "foisa"):
            fee_since = d
            paused = f"fees notice issued {d}: the clock stops until the fee is paid"
            _say(notes, "{}: fees notice: days until payment are disregarded (s.10(2))", d)
        elif k == "fee-paid" and fee_since is not None:
            gap = cal.count(fee_since - dt.timedelta(days=1), d)
            disregarded += gap
            fee_ranges.append((fee_since, d))
            _say(notes, "{}: fee paid: {} working day(s) from {} disregarded", d, gap, fee_since)
            paused, fee_since = None, None
        elif k == "extension-claimed":
            extension = (d, ev.data)
        elif k == "reply" and not (ev.mentions("interim") and ev.data.get("interim")):
            answered = d
    day0: dt.date | None = None
    if regime == "sar":
        dl = month_deadline(start, 3 if extension else 1, cal, sar_pause)
        due: dt.date | None = dl.due
        basis = dl.basis
        for line in dl.notes:
            _say(notes, "{}", line)
        if extension:
            _say(notes, "{}: extension claimed: three months from receipt in all (Art 12(3))",
                 extension[0])
            basis = "3 calendar months (UK GDPR Art 12(3), extended)"
    else:
        day0 = day_zero(start, cal, rule)
        due = cal.add(day0, 20 + disregarded)
        basis = f"20 working days ({STATUTE[regime]})"
        if disregarded:
            basis += f" + {disregarded} disregarded under a fees notice"
        if extension:
            due, basis = _extend(regime, extension, day0, due, cal, notes, basis)
    if paused:
        due = None
    label = "Response due" if not extension or regime == "foisa" else "Response due (extended)"
    counted = cal.count(day0, due) if day0 and due and notes is not None else None
    return Clock.make("response", label, start, due, basis, regime != "sar", notes,
                      stopped=answered, paused=paused, day0=day0, days=counted,
                      disregarded=fee_ranges)


def _extend(regime: str, extension: tuple[dt.date, dict], day0: dt.date, due: dt.date,
            cal: Calendar, notes: list[str] | None, basis: str) -> tuple[dt.date, str]:
    when, data = extension
    until = _until(data["until"]) if data.get("until") else None
    if regime == "foisa":
        _say(notes, "{}: the body claimed more time, but FOISA allows no extension: the "
             "deadline stays {}", when, due)
        return due, basis
    if regime == "eir":
        new = until or cal.add(day0, 40)
        limit = cal.add(day0, 40)
        _say(notes, "{}: extension for complex and voluminous information: up to 40 working "
             "days (EIR reg 7): {}", when, min(new, limit))
        return min(new, limit), "40 working days (EIR reg 7)"
    new = until or cal.add(due, 20)
    _say(notes, "{}: public interest extension (FOIA s.10(3)) to {}{}", when, new,
         "" if until else " (none given: 20 further working days, as the ICO expects)")
    if new > cal.add(day0, 40):
        _say(notes, "beyond 40 working days in all, which the ICO accepts only in exceptional "
             "cases")
    return new, "public interest extension (FOIA s.10(3))"


def _after_response(regime: str, response: Clock, f: RequestFacts, cal: Calendar,
                    explain: bool) -> list[Clock]:
    out: list[Clock] = []
    answered = response.stopped
    regulator = REGULATOR[regime]
    if regime == "sar":
        if answered and f.last_contact:
            last = f.last_contact
            due = add_months(last, 3)
            out.append(Clock.make("regulator", "Complain to the ICO by", last, due,
                                  "3 months from the last contact (ICO)", False,
                                  [f"last contact {last}; complain within 3 months: {due}"]
                                  if explain else None))
        return out
    review_req, review_out = f.review_requested, f.review_outcome
    if review_req is None:
        base = answered
        if base is None and regime in ("foisa", "eir") and response.due is not None:
            # FOISA s.20(5) and EIR reg 11(2): 40 working days from the missed deadline too
            base = response.due
        if base is not None:
            due = cal.add(base, 40)
            why = ("reg 11, statutory" if regime == "eir" else "FOISA s.20" if regime == "foisa"
                   else "s.45 Code of Practice")
            out.append(Clock.make(
                "review-window", "Ask for internal review by", base, due,
                f"40 working days ({why})", True,
                [f"from {'the response' if answered else 'the missed deadline'} {base}: "
                 f"40 working days: {due}"] if explain else None, day0=base, days=40))
        return out
    days = {"foia": 20, "eir": 40, "foisa": 20}[regime]
    if regime == "foia" and f.review_extended:
        days = 40
    due = cal.add(review_req, days)
    why = {"foia": "s.45 Code; up to 40 in exceptional cases", "eir": "EIR reg 11(4)",
           "foisa": "FOISA s.21(1)"}[regime]
    out.append(Clock.make("review-answer", "Internal review answer due", review_req, due,
                          f"{days} working days ({why})", True,
                          [f"review asked {review_req}: {days} working days: {due}"]
                          if explain else None, stopped=review_out, day0=review_req, days=days))
    if review_out is not None:
        base = review_out
        note = f"review outcome {review_out}"
    else:
        base = cal.add(review_req, 40) if regime != "foisa" else due
        note = f"no review outcome by {base}"
    if regime == "foisa":
        end = add_months(base, 6)
        out.append(Clock.make("regulator", f"Apply to {regulator} by", base, end,
                              "6 months (FOISA s.47(4))", False,
                              [f"{note}: 6 months: {end}"] if explain else None))
    else:
        end = base + dt.timedelta(weeks=6)
        out.append(Clock.make("regulator", f"Complain to {regulator} by", base, end,
                              "6 weeks (ICO)", False,
                              [f"{note}: 6 weeks: {end}"] if explain else None))
    return out
