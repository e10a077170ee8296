"""Clock speed: 100,000 due dates in one process (≤ 1 s) and `konpfoi deadline` (≤ 250 ms)."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from pathlib import Path

from common import (
    arguments,
    baseline,
    konpfoi,
    report,
    tempdir,
    time_call,
    time_command,
    workspace_env,
)

from konpfoi.law import bank_holidays, deadlines
from konpfoi.law.workdays import Calendars


def main() -> None:
    runs = arguments(__doc__, 15).parse_args().runs
    table = bank_holidays.HolidayTable()
    bank_holidays.add_package(table, 2000, 2041, 2027)
    cals = Calendars(table)
    rng = random.Random(1)
    starts = [dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(3650)) for _ in range(100_000)]
    foia = cals.for_regime("foia")

    def due_dates() -> None:
        add = foia.add
        for s in starts:
            add(s, 20)

    def deadlines_with_rule() -> None:
        for s in starts:
            foia.add(deadlines.day_zero(s, foia, "b"), 20)

    exe = konpfoi()
    with tempdir() as tmp:
        env = workspace_env(Path(tmp))
        base = baseline(runs)
        rows = [
            ("100,000 due dates (Calendar.add)", time_call(due_dates, runs), 1.0),
            ("100,000 due dates, rule B", time_call(deadlines_with_rule, runs), 1.0),
            ("konpfoi deadline 2026-03-12",
             time_command([exe, "deadline", "2026-03-12"], env, runs), 0.250),
            ("konpfoi deadline 2026-03-12 --explain --json",
             time_command([exe, "deadline", "2026-03-12", "--explain", "--json"], env, runs),
             0.250),
        ]
    report(rows, base)
    print(f"(per due date: {statistics.median(rows[0][1]) / 100_000 * 1e6:.2f} µs)")


if __name__ == "__main__":
    main()
