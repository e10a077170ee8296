"""Calendar dates as people and files give them: YYYY-MM-DD, a day that exists, within sane bounds.

The one home for reading a date. Everything konpfoi takes in — an option, a YAML file, a ledger
export, a ledger row — is checked here, so that an impossible day (2026-02-30), a date given as
a number, or a far-off year (0001, 9999: arithmetic on it overflows) is refused where it enters
with one clear line, and can never reach a clock.
"""

from __future__ import annotations

import datetime as dt
import re

from konpfoi.errors import InvalidInput

EARLIEST = dt.date(1990, 1, 1)  # before FOIA 2000, with room for old correspondence
LATEST = dt.date(2100, 12, 31)  # far enough for any clock; far from date arithmetic's end
BOUNDS = f"{EARLIEST.year} to {LATEST.year}"
HINT = "write it as YYYY-MM-DD, e.g. 2026-03-12"

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_known: set[str] = set()  # days already found good: a large ledger repeats the same few


def problem(value: object, bounded: bool = True) -> str | None:
    """Why `value` is not a usable day ('YYYY-MM-DD' text or a date), or None if it is.

    `bounded=False` accepts any real day, for a date that is only shown, never counted from
    (the date a received message claims)."""
    if isinstance(value, str) and value in _known:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif not isinstance(value, str):
        return f"{value!r} is not a date (a {type(value).__name__}, not YYYY-MM-DD text)"
    elif not _ISO_DAY.fullmatch(value):
        return f"{_brief(value)} is not a real date in the form YYYY-MM-DD"
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a real date"
    if bounded and not EARLIEST <= day <= LATEST:
        return f"{day.isoformat()} is outside the years konpfoi accepts ({BOUNDS})"
    if bounded and isinstance(value, str) and len(_known) < 100_000:
        _known.add(value)
    return None


def is_day(value: object) -> bool:
    """Whether `value` is a usable day (see `problem`)."""
    return problem(value) is None


def to_day(value: object) -> dt.date:
    """The day `value` names; ValueError (saying why) if it is not a usable one."""
    why = problem(value)
    if why is not None:
        raise ValueError(why)
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse_date(text: str | None, what: str = "date") -> dt.date:
    """A date a user typed: InvalidInput naming `what` unless it is a real day within bounds."""
    value = text.strip() if isinstance(text, str) else text
    try:
        return to_day(value)
    except ValueError as exc:
        raise InvalidInput(f"{what}: {exc}", hint=HINT) from None


def problem_in_timestamp(value: object, strict: bool = True) -> str | None:
    """Why `value` is not a usable ISO date-time text (when something was recorded), or None.

    `strict=False` checks only its day (what is read from it), for reading many rows."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return f"{_brief(value)} is not a date and time (ISO 8601 text)"
    if not strict:
        return problem(value[:10])
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return f"{_brief(value)} is not a date and time (ISO 8601 text)"
    return problem(when.date())


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
