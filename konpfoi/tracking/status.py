"""`konpfoi status`: every item's state and clock on a given day, most urgent first.

States come from the lifecycle module's pure functions. So that a ledger of a hundred
thousand items answers in a second, each item's state before and after its due date is kept in
a disposable cache beside the ledger (refreshed for any item with a newer event, or for all
when holidays or settings change): the cache orders and counts; only the rows shown are
derived in full.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi import __version__
from konpfoi.errors import no_match
from konpfoi.law.correspondence import kind_of
from konpfoi.law.regimes import DEFAULT_POLICY, Policy
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import (
    CLOSED_STATES,
    OVERDUE_STATES,
    STATES,
    View,
    derive,
    effective,
    judge,
    summarise,
)
from konpfoi.tracking.volunteers import owner_of

_VIEWS_FORMAT = "3"  # bump when the lifecycle's rules (or what a view holds) change
_ANY_DAY = dt.date(2000, 1, 3)  # for judging items whose state does not depend on the day


@dataclass
class Row:
    item: Item
    view: View
    owner: str | None = None  # the email of the volunteer who looks after it

    def to_dict(self) -> dict[str, Any]:
        i = self.item
        return {"id": i.id, "body_id": i.body_id, "body": i.body_name, "campaign": i.campaign,
                "kind": i.kind, "kind_name": kind_of(i.kind).name, "subject": i.subject,
                **self.view.to_dict(), "owner": self.owner}


@dataclass
class Report:
    today: dt.date
    rows: list[Row]
    matched: int  # items matching every filter (rows may hold fewer: --limit)
    hidden_closed: int  # closed items left out (without --all)
    counts: dict[str, int] = field(default_factory=dict)  # by state: campaign/body/owner only
    filters: dict[str, str] = field(default_factory=dict)  # what chose the items, in words
    overdue: int = 0  # overdue items among those matched

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def check_filters(ledger: Ledger, campaign: str | None, body_id: str | None) -> None:
    """A campaign or body the ledger has no request for is an error that says so, with the
    close matches: a misspelt filter must never read as "nothing to do"."""
    for what, value, known in (("campaign", campaign, ledger.campaigns),
                               ("body", body_id, lambda: sorted(ledger.body_counts()))):
        if value is None:
            continue
        names = known()
        if value not in names:
            raise no_match(what, value, names, message=f"no requests for {what} {value!r} "
                           "in the ledger", among=f"{what}s with requests")


def parse_state(text: str) -> str:
    state = text.strip().lower().replace("-", " ").replace("_", " ")
    if state not in STATES:
        raise no_match("state", text, [s.replace(" ", "-") for s in STATES],
                       message=f"--state {text!r}: there is no such state", among="states")
    return state


def build(ledger: Ledger, cals: Calendars, today: dt.date, *, cache_dir: Path,
          campaign: str | None = None, body_id: str | None = None, state: str | None = None,
          overdue: bool = False, due_within: int | None = None, include_closed: bool = False,
          limit: int | None = None, policy: Policy = DEFAULT_POLICY,
          owner: str | None = None) -> Report:
    """The items matching the filters on `today`, most urgent first (at most `limit`); with
    `owner`, only the items that volunteer looks after (see tracking.volunteers). A campaign
    or body with no items is an error, with the close matches."""
    check_filters(ledger, campaign, body_id)
    # A large ledger makes many small objects that live until the command ends and hold no
    # cycles: the garbage collector would only rescan them, again and again.
    gc.disable()
    try:
        stamp = _stamp(cals, policy)
        ledger.attach_views(cache_dir, stamp)
        _refresh(ledger, cals, campaign, body_id, policy, stamp)
        t = today.toordinal()
        states = [state] if state else (list(OVERDUE_STATES) if overdue else None)
        due_by = cals.for_regime("foia").add(today, due_within).toordinal() \
            if due_within is not None else None
        items, matched = ledger.view_page(
            t, campaign=campaign, body_id=body_id, states=states,
            open_only=not include_closed and state is None, due_by=due_by, limit=limit,
            owner=owner)
        counts = ledger.view_counts(t, campaign, body_id, owner)
        events = ledger.events([i.id for i in items] if len(items) <= 500 else None)
        rows = [Row(i, derive(i.kind, events.get(i.id, []), cals, today, item_id=i.id,
                              nation=i.nation, policy=policy),
                    owner_of(effective(events.get(i.id, []))))
                for i in items]
    finally:
        gc.freeze()
        gc.enable()
    hidden = 0 if include_closed or state else sum(counts.get(s, 0) for s in CLOSED_STATES)
    if state is not None:
        late = matched if state in OVERDUE_STATES else 0
    elif overdue:
        late = matched
    elif due_within is not None:
        late = 0  # due soon, not yet overdue
    else:
        late = sum(counts.get(s, 0) for s in OVERDUE_STATES)
    filters = {k: v for k, v in (
        ("campaign", campaign), ("body", body_id), ("looked after by", owner), ("state", state),
        ("overdue", "only" if overdue else None),
        ("due within", f"{due_within} working days" if due_within is not None else None),
        ("closed", "included" if include_closed else None)) if v}
    return Report(today, rows, matched, hidden, counts, filters, late)


def _stamp(cals: Calendars, policy: Policy) -> str:
    return f"{_VIEWS_FORMAT}:{__version__}:{cals.table.key}:{policy.rule}:{policy.chase_days}"


def _refresh(ledger: Ledger, cals: Calendars, campaign: str | None, body_id: str | None,
             policy: Policy, stamp: str) -> None:
    """Re-derive the cached view of every item that changed since it was cached: item by
    item as the ledger reads their events, so that a first run over a large ledger never
    holds all its events at once."""
    stale = {item_id: (kind, nation, last, seq)
             for item_id, kind, nation, last, seq in ledger.stale_views(stamp, campaign,
                                                                        body_id)}
    if not stale:
        return
    rows = [_view_row(item_id, *stale.pop(item_id), effective(evs), cals, policy, stamp)
            for item_id, evs in ledger.events_by_item(list(stale), lean=True)]
    rows += [_view_row(item_id, *rest, [], cals, policy, stamp)  # items with no events
             for item_id, rest in stale.items()]
    ledger.save_views(rows)


_DAY = dt.timedelta(days=1)


def _view_row(item_id: str, kind: str, nation: str | None, last: int | None, seq: int,
              evs: list[Event], cals: Calendars, policy: Policy, stamp: str
              ) -> tuple[Any, ...]:
    """An item's cached view (ledger.sql.views.VIEW_COLUMNS): its state the day before and
    the day after its due date, and who looks after it."""
    s = summarise(kind, evs, cals, policy=policy, nation=nation)
    probe = judge(kind, s, cals, _ANY_DAY, nation=nation)
    if probe.due is None:  # no clock decides: the state does not change with the day
        early = late = probe
        early_day = late_day = _ANY_DAY
    else:  # the state turns at the due date: judge it the day before and the day after
        if s.sent is not None and s.sent > _ANY_DAY:
            # every date of the item is after _ANY_DAY: the probe, judged on a day before
            # them all, already is its view on the day before the due date
            early, early_day = probe, _ANY_DAY
        else:
            early_day = probe.due - _DAY
            early = judge(kind, s, cals, early_day, nation=nation)
        late_day = probe.due + _DAY
        late = judge(kind, s, cals, late_day, nation=nation)
    return (item_id, last, stamp, seq, probe.due.toordinal() if probe.due else None,
            early.state, late.state, _rank(early), _rank(late),
            _next(early, early_day), _next(late, late_day), owner_of(evs))


def _rank(view: View) -> int:
    return 0 if view.overdue else (1 if view.is_open else 2)


def _next(view: View, judged_on: dt.date) -> int | None:
    """The ordinal of the next action's date; None where it is 'now' (whatever day it is)."""
    if view.next_date is None or view.next_date == judged_on:
        return None
    return view.next_date.toordinal()


CSV_COLUMNS = ("id", "body_id", "body", "campaign", "kind", "subject", "state", "sent", "due",
               "left", "next_action", "next_date", "their_ref", "outcome", "url")


def to_csv(report: Report) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in report.rows:
        w.writerow({k: ("" if v is None else v) for k, v in row.to_dict().items()})
    return buf.getvalue()
