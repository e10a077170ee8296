"""One deadline, explained (konpfoi deadline): the day it started, the rule it follows, and
each counted and each skipped day, with the holiday's name, nation and source (LAW.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from konpfoi.errors import InvalidInput
from konpfoi.law.bank_holidays import Holiday, nations_label
from konpfoi.law.dates import add_months
from konpfoi.law.regimes import REGIMES, RULES, STATUTE
from konpfoi.law.workdays import Calendar, Calendars
from konpfoi.workspace.words import count

MAX_DAYS = 260  # a year of working days: more is a typing mistake


@dataclass(frozen=True)
class Step:
    """One line of a clock's working: a day and what it counted as."""

    date: dt.date
    what: str  # "day 0", "counted", "weekend", "holiday", "due", "rolled"
    number: int | None = None
    holiday: Holiday | None = None

    def describe(self) -> str:
        if self.what == "holiday" and self.holiday:
            h = self.holiday
            where = nations_label(h.nations)
            extra = f"; not in {', '.join(h.missing_from)}" if h.missing_from else ""
            return f"skipped: {h.name} ({where}) [{', '.join(h.sources)}{extra}]"
        if self.what == "weekend":
            name = f" ({self.holiday.name})" if self.holiday else ""
            return f"weekend{name}"
        return self.what


@dataclass
class Deadline:
    start: dt.date
    regime: str
    rule: str
    due: dt.date
    day0: dt.date
    days: int | None  # working days; None for a calendar-month clock
    months: int | None
    basis: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[Holiday]:
        return [s.holiday for s in self.steps if s.what == "holiday" and s.holiday]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "regime": self.regime, "rule": self.rule,
            "days": self.days, "months": self.months, "day0": self.day0.isoformat(),
            "due": self.due.isoformat(), "basis": self.basis,
            "skipped": [h.to_dict() for h in self.skipped],
            "weekend_days": sum(1 for s in self.steps if s.what == "weekend"),
            "notes": self.notes, "warnings": self.warnings,
        }


def day_zero(start: dt.date, cal: Calendar, rule: str) -> dt.date:
    """Rule A: the day of receipt is day 0, whatever day it is. Rule B: a request received on a
    non-working day is treated as received on the next working day."""
    return start if rule == "a" else cal.next_working(start)


def working_deadline(start: dt.date, days: int, cal: Calendar, rule: str = "a",
                     regime: str = "foia", statute: str | None = None) -> Deadline:
    """`days` working days from `start`, with every counted and skipped day."""
    day0 = day_zero(start, cal, rule)
    due = cal.add(day0, days)
    steps = [Step(start, "day 0" if day0 == start else "received (not a working day)")]
    if day0 != start:
        steps.append(Step(day0, "day 0 (rule B: the next working day)"))
    day, n = day0, 0
    while day < due:
        day += dt.timedelta(days=1)
        h = cal.holiday(day)
        if day.weekday() >= 5:
            steps.append(Step(day, "weekend", holiday=h))
        elif h is not None:
            steps.append(Step(day, "holiday", holiday=h))
        else:
            n += 1
            steps.append(Step(day, "due" if day == due else "counted", number=n))
    basis = f"{days} working days ({statute or STATUTE.get(regime, regime)})"
    dl = Deadline(start, regime, rule, due, day0, days, None, basis, steps)
    _coverage_warning(dl, cal)
    return dl


def month_deadline(start: dt.date, months: int, cal: Calendar, extra_days: int = 0,
                   regime: str = "sar") -> Deadline:
    """A subject access clock: calendar months from receipt, rolled to a working day."""
    target = add_months(start, months)
    steps = [Step(start, "day 0")]
    notes = []
    span = "one calendar month" if months == 1 else f"{months} calendar months"
    if target.day != start.day:
        notes.append(f"{span} from {start} has no day {start.day}: the last day of that month, "
                     f"{target}, applies")
    if extra_days:
        target += dt.timedelta(days=extra_days)
        notes.append(f"paused for {count(extra_days, 'day')} while waiting for clarification")
    due = cal.next_working(target)
    if due != target:
        h = cal.holiday(target)
        why = h.name if h and target.weekday() < 5 else target.strftime("%A")
        notes.append(f"{target} is not a working day ({why}): rolled to the next working day")
        day = target
        while day < due:
            h = cal.holiday(day)
            steps.append(Step(day, "weekend" if day.weekday() >= 5 else "holiday", holiday=h))
            day += dt.timedelta(days=1)
    steps.append(Step(due, "due"))
    basis = f"{span} ({STATUTE['sar']})"
    dl = Deadline(start, regime, "a", due, start, None, months, basis, steps, notes)
    _coverage_warning(dl, cal)
    return dl


def _coverage_warning(dl: Deadline, cal: Calendar) -> None:
    last = cal.table.last_covered_year()
    if dl.due.year > last:
        dl.warnings.append(
            f"the due date is in {dl.due.year}, beyond the years the holiday data covers "
            f"(to {last}): a bank holiday proclaimed later would move it; check nearer the time "
            "or import the latest GOV.UK feed (konpfoi holidays import)"
        )


def deadline(start: dt.date, regime: str, cals: Calendars, *, days: int | None = None,
             rule: str = "a", nation: str | None = None) -> Deadline:
    """The response deadline for a request received on `start` (konpfoi deadline)."""
    if regime not in REGIMES:
        raise InvalidInput(f"unknown regime {regime!r}", hint="regimes: " + ", ".join(REGIMES))
    if rule not in RULES:
        raise InvalidInput(f"unknown rule {rule!r}", hint="rule a (default) or b")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days {days} is out of range",
                           hint=f"give a number of working days from 1 to {MAX_DAYS}")
    if regime == "sar":
        if days is not None:
            raise InvalidInput("a subject access request runs for a calendar month, not "
                               "working days", hint="leave out --days for --regime sar")
        return month_deadline(start, 1, cals.for_regime("sar", nation))
    return working_deadline(start, days or 20, cals.for_regime(regime), rule, regime)
