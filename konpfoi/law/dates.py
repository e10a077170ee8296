"""Dates as a user types them and as a letter prints them."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from konpfoi.errors import InvalidInput


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"{what} {text!r} is not a real date",
                           hint="write it as YYYY-MM-DD, e.g. 2026-03-12") from None


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
