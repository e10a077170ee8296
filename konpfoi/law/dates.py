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
