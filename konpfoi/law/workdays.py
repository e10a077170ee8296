"""Working days per regime: pure functions over a holiday table, fast enough for huge ledgers."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from itertools import accumulate

from konpfoi.law.bank_holidays import Holiday, HolidayTable
from konpfoi.workspace.config import NATIONS, holiday_nations

# Whose bank holidays stop the clock (LAW.md): FOIA and EIR, a bank holiday in any part of the
# UK (FOIA s.10(6)); FOISA, Scotland's only (FOISA s.73).
REGIME_NATIONS = {
    "foia": frozenset(NATIONS),
    "eir": frozenset(NATIONS),
    "foisa": frozenset({"scotland"}),
}


class Calendar:
    """Working days for one set of nations: weekends and their bank holidays excluded."""

    def __init__(self, table: HolidayTable, nations: frozenset[str],
                 first: dt.date | None = None, last: dt.date | None = None) -> None:
        self.nations = nations
        self.table = table
        self.holidays: dict[dt.date, Holiday] = table.holidays(nations)
        self.first = first or dt.date(table.first_covered_year() if table.coverage else 2000,
                                      1, 1)
        self.last = last or dt.date(max(table.last_covered_year(), self.first.year) + 15, 12, 31)
        self._base = self.first.toordinal()
        off = {d.toordinal() - self._base for d in self.holidays}
        n = self.last.toordinal() - self._base + 1
        wd0 = self.first.weekday()
        # cum[i]: working days in [first, first + i]. bisect on it finds the n-th working day.
        self._cum = list(accumulate(
            0 if ((wd0 + i) % 7 >= 5 or i in off) else 1 for i in range(n)))

    def is_working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def holiday(self, day: dt.date) -> Holiday | None:
        return self.holidays.get(day)

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself is day 0, whatever it is)."""
        if n <= 0:
            return start
        i = start.toordinal() - self._base
        cum = self._cum
        if 0 <= i < len(cum):
            target = cum[i] + n
            j = bisect_left(cum, target, i)
            if j < len(cum):
                return dt.date.fromordinal(self._base + j)
        day, left = start, n
        while left:
            day += dt.timedelta(days=1)
            if self.is_working(day):
                left -= 1
        return day

    def count(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        return self.count_ord(a.toordinal(), b.toordinal())

    def count_ord(self, a: int, b: int) -> int:
        """`count` for day ordinals."""
        if b < a:
            return -self.count_ord(b, a)
        i, j = a - self._base, b - self._base
        if i >= 0 and j < len(self._cum):
            return self._cum[j] - self._cum[i]
        return sum(1 for k in range(a + 1, b + 1) if self.is_working(dt.date.fromordinal(k)))

    def next_working(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working(day):
            day += dt.timedelta(days=1)
        return day


class Calendars:
    """One Calendar per regime or nation, built when first asked for."""

    def __init__(self, table: HolidayTable) -> None:
        self.table = table
        self._cache: dict[frozenset[str], Calendar] = {}

    def for_nations(self, nations: frozenset[str]) -> Calendar:
        if nations not in self._cache:
            self._cache[nations] = Calendar(self.table, nations)
        return self._cache[nations]

    def for_regime(self, regime: str, nation: str | None = None) -> Calendar:
        """FOIA/EIR: all-UK; FOISA: Scotland; SAR and emails: the body's own nation (every
        nation for a UK-wide body)."""
        if regime in REGIME_NATIONS:
            return self.for_nations(REGIME_NATIONS[regime])
        return self.for_nations(holiday_nations(nation))
