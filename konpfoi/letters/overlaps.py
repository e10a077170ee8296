"""The ledger's earlier requests to a body, held against a new one by the one rule in
law.aggregation: `draft` refuses, `batch` skips and `send` holds back a request that overlaps
(s.12 aggregation, a s.14(2) repeat, or the same request drafted and not sent), unless --force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from konpfoi.law.aggregation import REPEAT_MONTHS, Earlier, Overlap, overlaps, shingles
from konpfoi.law.correspondence import kind_of
from konpfoi.law.workdays import Calendar
from konpfoi.ledger.model import Item
from konpfoi.ledger.store import Ledger
from konpfoi.tracking import facts
from konpfoi.tracking.lifecycle import effective

_COMPLIED = ("answered", "partly-answered", "not-held", None)  # None: a reply not yet coded


def words_of(questions: Iterable[dict[str, Any]]) -> frozenset[tuple[str, ...]]:
    """What a request asks, as the rule compares it: its questions' words."""
    return shingles(" ".join(str(q.get("text", "")) for q in questions))


def earlier_requests(ledger: Ledger, body_ids: set[str], exclude: set[str] | None = None
                     ) -> dict[str, list[Earlier]]:
    """The requests (FOIA, EIR, FOISA) the ledger holds for these bodies, by body: each with
    the day it was sent (None if not yet) and the day it was answered; withdrawn ones, and
    drafts closed unsent, are left out."""
    exclude = exclude or set()
    if len(body_ids) <= 20:
        items = [i for b in sorted(body_ids) for i in ledger.items(body_id=b)]
    else:
        items = [i for i in ledger.items() if i.body_id in body_ids]
    items = [i for i in items if kind_of(i.kind).request and i.id not in exclude]
    events = ledger.events([i.id for i in items]) if items else {}
    out: dict[str, list[Earlier]] = {}
    for item in items:
        f = facts.read(effective(events.get(item.id, [])))
        if f.withdrawn or (f.sent is None and f.closed):
            continue
        complied = f.replied if f.replied and f.outcome in _COMPLIED else None
        out.setdefault(item.body_id, []).append(Earlier(
            item.id, words_of(item.questions), dt.date.fromisoformat(item.created_at[:10]),
            f.sent, complied))
    return out


def check(ledger: Ledger, wanted: list[tuple[str, str, frozenset[tuple[str, ...]]]],
          cal: Calendar, day: dt.date, *, repeat_months: int = REPEAT_MONTHS,
          exclude: set[str] | None = None, sent_now: bool = False
          ) -> dict[str, list[Overlap]]:
    """For each (key, body id, words) wanted, what it overlaps on `day`. With `sent_now`, the
    ones earlier in the list count as sent that day (a batch going out in one run)."""
    earlier = earlier_requests(ledger, {b for _, b, _ in wanted}, exclude)
    out: dict[str, list[Overlap]] = {}
    for key, body_id, words in wanted:
        if not words:
            continue
        found = overlaps(words, day, earlier.get(body_id, []), cal,
                         repeat_months=repeat_months)
        if found:
            out[key] = found
        if sent_now:
            earlier.setdefault(body_id, []).append(Earlier(key, words, day, day))
    return out


def describe(body: str, found: list[Overlap]) -> str:
    """One line for a target: its body and its most serious overlap."""
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{body}: {found[0].describe()}{more}"


def for_items(ledger: Ledger, items: list[Item], cal: Calendar, day: dt.date,
              repeat_months: int = REPEAT_MONTHS) -> dict[str, str]:
    """Requests about to be sent that overlap one already sent (or going earlier in the same
    run): item id -> why."""
    wanted = [(i.id, i.body_id, words_of(i.questions)) for i in items
              if kind_of(i.kind).request]
    ids = {i.id for i in items}
    found = check(ledger, wanted, cal, day, repeat_months=repeat_months, exclude=ids,
                  sent_now=True)
    names = {i.id: f"{i.id} to {i.body_name}" for i in items}
    out = {}
    for key, hits in found.items():
        sent = [o for o in hits if o.rule != "unsent"]
        if sent:
            out[key] = describe(names[key], sent)
    return out
