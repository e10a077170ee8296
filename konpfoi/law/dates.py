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
