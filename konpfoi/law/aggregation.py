"""Requests a body may add together (FOIA s.12 and the Fees Regulations, SI 2004/3244, reg 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from konpfoi.law.workdays import Calendar


@dataclass(frozen=True)
class Earlier:
    item_id: str
    date: dt.date
    similar: bool


def aggregation_conflicts(new_date: dt.date, earlier: Iterable[Earlier], cal: Calendar,
                          window: int = 60) -> list[tuple[Earlier, int]]:
    """Similar earlier requests to the same body within `window` working days (FOIA s.12 and
    the Fees Regulations, reg 5: they may be added together and refused on cost)."""
    out = []
    for e in earlier:
        if not e.similar:
            continue
        gap = abs(cal.count(min(e.date, new_date), max(e.date, new_date)))
        if gap < window:
            out.append((e, gap))
    return sorted(out, key=lambda t: t[1])
