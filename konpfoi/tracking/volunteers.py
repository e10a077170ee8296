"""Who does what in a group's ledger: the volunteer who looks after each item (whoever it was
last assigned to, else whoever drafted it), assigning items, and what each volunteer did."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from konpfoi.errors import Ambiguous, InvalidInput, NotFound
from konpfoi.ledger.model import Event, Volunteer
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.yamlfile import is_email

# What `konpfoi volunteers` counts for each volunteer: column -> the event kind it counts.
COUNTED = {"drafted": "drafted", "sent": "sent", "replies": "reply", "coded": "coded"}
_OWNERSHIP = ("drafted", "assigned", "void", "correction")


def owner_of(events: Sequence[Event]) -> str | None:
    """The email of the volunteer who looks after an item, from its effective events."""
    who = None
    for e in events:
        if e.kind == "assigned":
            who = e.data.get("to") or who
        elif e.kind == "drafted" and who is None:
            who = e.actor
    return who


def find(ledger: Ledger, who: str) -> Volunteer:
    """A volunteer by email, name, the start of a word of their name or email ("jo" for Jo
    Campaigner), or failing those a part of either."""
    known = [Volunteer(v["email"], v["name"]) for v in ledger.volunteers()]
    text = who.strip().lower()
    for test in (lambda v: v.email == text, lambda v: v.name.lower() == text,
                 lambda v: v.email.startswith(text)
                 or any(w.startswith(text) for w in v.name.lower().split()),
                 lambda v: text in v.name.lower() or text in v.email):
        found = [v for v in known if test(v)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Ambiguous(f"{who!r} could be " + ", ".join(_label(v) for v in found),
                            hint="give the email address")
    raise NotFound(f"no volunteer {who!r} in this ledger",
                   hint=("volunteers: " + ", ".join(_label(v) for v in known)) if known
                   else "a volunteer appears once they record something in the ledger")


def _label(v: Volunteer) -> str:
    return f"{v.name} <{v.email}>"


def assign(ledger: Ledger, item_ids: list[str], to: str, today: dt.date) -> tuple[
        Volunteer, list[str]]:
    """Give items to a volunteer (a known one, or a new one by email); one transaction."""
    if not item_ids:
        raise InvalidInput("which items?", hint="give item ids, e.g. konpfoi assign K-0001 "
                                                "--to jo")
    with ledger.write():
        if is_email(to.strip()) and not any(v["email"] == to.strip().lower()
                                            for v in ledger.volunteers()):
            volunteer = Volunteer.of(None, to)
            assert volunteer is not None
            ledger.add_volunteer(volunteer)
        else:
            volunteer = find(ledger, to)
        done = []
        for item_id in item_ids:
            item = ledger.item(item_id)
            ledger.add_event(item.id, "assigned", today.isoformat(),
                             data={"to": volunteer.email})
            done.append(item.id)
    return volunteer, done


@dataclass
class Summary:
    """One volunteer and what they did."""

    email: str
    name: str
    joined_at: str
    looks_after: int = 0  # items assigned to them, or drafted by them and not reassigned
    drafted: int = 0
    sent: int = 0
    replies: int = 0
    coded: int = 0
    events: int = 0  # everything they recorded
    last_active: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def roster(ledger: Ledger) -> list[Summary]:
    """Every volunteer with counts of what they did, by name."""
    with ledger.read():
        people = {v["email"]: Summary(v["email"], v["name"], v["joined_at"])
                  for v in ledger.volunteers()}
        activity = ledger.activity()
        owned = Counter(owner_of(effective(evs)) for evs in
                        ledger.events(lean=True, kinds=_OWNERSHIP).values())
    for actor, kind, n, last in activity:
        s = people.setdefault(actor, Summary(actor, actor, ""))
        s.events += n
        s.last_active = max(s.last_active or "", last)
        for column, counted in COUNTED.items():
            if kind == counted:
                setattr(s, column, getattr(s, column) + n)
    for email, n in owned.items():
        if email in people:
            people[email].looks_after = n
    return sorted(people.values(), key=lambda s: (s.name.lower(), s.email))


def names(ledger: Ledger) -> dict[str, str]:
    """Each volunteer's name by email."""
    return {v["email"]: v["name"] for v in ledger.volunteers()}
