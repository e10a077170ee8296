"""Dates as a user types them and as a letter prints them."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

# Reading a date has one home, below every room, so that a YAML file, a ledger row and an
# option are held to the same rule: a real day, YYYY-MM-DD, within sane years.
from konpfoi.workspace.dates import parse_date

__all__ = ["add_months", "fmt", "parse_date"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the last day of the month where that day does not exist."""
    return day + relativedelta(months=months)


def fmt(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y")


def uk_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in the UK: GMT, or BST (UTC+1) from 01:00 UTC on the last
    Sunday of March to 01:00 UTC on the last Sunday of October (the Summer Time Order 2002).
    A reply sent at 00:30 +0100 on 1 December arrived on 30 November in the UK."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)

    def last_sunday(month: int) -> dt.datetime:
        last = dt.datetime(utc.year, month, 31, 1, tzinfo=dt.UTC)
        return last - dt.timedelta(days=(last.weekday() + 1) % 7)

    summer = last_sunday(3) <= utc < last_sunday(10)
    return (utc + dt.timedelta(hours=1 if summer else 0)).date()
