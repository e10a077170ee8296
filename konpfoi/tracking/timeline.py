"""One item as `konpfoi show` tells it: every event as recorded (with what cancelled it, and
which volunteer recorded it), the files kept with each, the coded answers, who looks after it,
and its state and clocks on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from konpfoi.law.regimes import DEFAULT_POLICY, Policy, calendar_regime
from konpfoi.law.workdays import Calendar, Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import View, derive, effective
from konpfoi.tracking.volunteers import owner_of


@dataclass
class Timeline:
    item: Item
    events: list[Event]  # all of them, as recorded
    cancelled: dict[str, Event]  # an event's uid -> the void or correction that cancels it
    files: dict[str, list[dict[str, Any]]]  # an event's uid -> the files kept with it
    answers: dict[int, dict[str, Any]]  # question -> its latest coded answer
    view: View
    calendar: Calendar  # whose working days its clocks count
    names: dict[str, str]  # each volunteer's name by email
    owner: str | None  # the email of the volunteer who looks after it

    def who(self, email: str | None) -> str | None:
        """A volunteer as people know them: their name, else their email."""
        return self.names.get(email, email) if email else None


def view_of(item: Item, events: list[Event], cals: Calendars, today: dt.date,
            policy: Policy = DEFAULT_POLICY, explain: bool = False) -> View:
    """An item's state, clocks and next action on `today`."""
    return derive(item.kind, events, cals, today, item_id=item.id, nation=item.nation,
                  policy=policy, explain=explain)


def current_view(ledger: Ledger, item_id: str, cals: Calendars, today: dt.date,
                 policy: Policy = DEFAULT_POLICY) -> View:
    item = ledger.item(item_id)
    return view_of(item, ledger.events([item.id]).get(item.id, []), cals, today, policy)


def timeline(ledger: Ledger, item_id: str, cals: Calendars, today: dt.date,
             policy: Policy = DEFAULT_POLICY) -> Timeline:
    with ledger.read():
        item = ledger.item(item_id)
        events = ledger.events([item.id]).get(item.id, [])
        files = ledger.attachments([e.uid for e in events])
        answers = ledger.answers([item.id]).get(item.id, {})
        names = {v["email"]: v["name"] for v in ledger.volunteers()}
    view = view_of(item, events, cals, today, policy, explain=True)
    cancelled = {e.voids: e for e in events if e.voids}
    return Timeline(item, events, cancelled, files, answers, view,
                    cals.for_regime(calendar_regime(item.kind), item.nation), names,
                    owner_of(effective(events)))
