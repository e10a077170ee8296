"""Append what happened to an item: marked sent, acknowledged, clarified, replied, corrected."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput, NotFound
from konpfoi.law.correspondence import FOLLOWUPS, sent_event
from konpfoi.ledger.model import (
    EVENT_KINDS,
    FINAL_OUTCOMES,
    PAST_ONLY,
    Event,
    Item,
    parse_outcome,
)
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.config import has_placeholder
from konpfoi.workspace.dates import parse_date

# What `konpfoi record` accepts; sent, reply, drafted and coded have their own commands.
RECORDABLE = (
    "acknowledged", "clarification-requested", "clarification-sent", "fee-notice", "fee-paid",
    "extension-claimed", "review-requested", "review-outcome", "complaint-filed",
    "complaint-outcome", "withdrawn", "closed", "reopened", "note", "linked", "void",
    "correction",
)
_BEFORE_SENDING = frozenset({"note", "linked", "withdrawn", "closed", "reopened", "void",
                             "correction"})
def parse_day(text: str | None, today: dt.date, kind: str, what: str = "--date") -> str:
    """An event's date: today by default; never in the future for something that happened."""
    if text is None:
        return today.isoformat()
    day = parse_date(text, what, today)
    if kind in PAST_ONLY and day > today:
        raise InvalidInput(f"{what} {day} is in the future; '{kind}' records something that "
                           "has happened", hint="give the day it happened (default: today)")
    return day.isoformat()


def check_url(text: str) -> str:
    """An item's address elsewhere: an http(s) URL with a host, one line, nothing else (it is
    shown as a link in reports people publish)."""
    from urllib.parse import urlsplit

    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
            c.isspace() or c in "<>\"'`" for c in url) or len(url) > 2000:
        raise InvalidInput(f"--url {url[:60]!r} is not a web address",
                           hint="give the request's page, e.g. "
                                "https://www.whatdotheyknow.com/request/fdp_contracts")
    return url


def outcome_word(text: str | None) -> str | None:
    """The outcome of a whole reply or review, as typed (`--outcome partial`)."""
    return None if text is None else parse_outcome(text, FINAL_OUTCOMES)


def _check_kind(kind: str) -> None:
    if kind not in RECORDABLE:
        close = difflib.get_close_matches(kind, list(RECORDABLE), n=1)
        own = {"sent": "konpfoi mark-sent", "reply": "konpfoi reply",
               "coded": "konpfoi code"}.get(kind)
        raise InvalidInput(
            f"unknown event {kind!r}" if kind not in EVENT_KINDS else
            f"'{kind}' is recorded with {own}",
            hint=(f"did you mean {close[0]}? " if close else "")
            + "events: " + ", ".join(RECORDABLE),
        )


def record(ledger: Ledger, item_id: str, kind: str | None, *, today: dt.date,
           date: str | None = None, note: str | None = None, their_ref: str | None = None,
           until: str | None = None, outcome: str | None = None, event_no: int | None = None,
           url: str | None = None) -> Event:
    """Append one event to an item, after checking it makes sense; one transaction. With
    only a `url` (no kind), it records where the same request is on WhatDoTheyKnow."""
    if kind is None:
        if url is None:
            raise InvalidInput("which event?", hint="events: " + ", ".join(RECORDABLE)
                               + "; or --url URL to link the item to WhatDoTheyKnow")
        kind = "linked"
    _check_kind(kind)
    if kind == "linked" and url is None:
        raise InvalidInput("'linked' needs --url URL",
                           hint="e.g. --url https://www.whatdotheyknow.com/request/...")
    day = parse_day(date, today, kind)
    data: dict[str, Any] = {}
    if url is not None:
        data["url"] = check_url(url)
    if their_ref:
        data["their_ref"] = their_ref.strip()
    if until:
        data["until"] = parse_day(until, today, "note", "--until")
    if outcome:
        data["outcome"] = outcome_word(outcome)
    with ledger.write():
        item = ledger.item(item_id)
        events = ledger.events([item.id]).get(item.id, [])
        eff = effective(events)
        voids = None
        if kind in ("void", "correction"):
            target = _target(ledger, item, events, eff, kind, event_no)
            voids = target.uid
            made = next((e.date for e in eff if e.kind == "drafted"), None)
            if kind == "correction" and target.kind == "sent" and made and day < made:
                raise InvalidInput(f"{item.id} was drafted on {made}: it cannot have been sent "
                                   f"on {day}", hint=f"give the day you sent it, {made} or later")
        elif event_no is not None:
            raise InvalidInput("--event is only for void and correction")
        if kind not in _BEFORE_SENDING and not any(e.kind == "sent" for e in eff):
            raise Conflict(f"{item.id} has not been sent, so it cannot be {kind}",
                           hint=f"record the sending first: konpfoi mark-sent {item.id}")
        if kind == "linked" and note is None:  # the same address again changes nothing
            last = next((e for e in reversed(eff) if e.kind == "linked"), None)
            if last is not None and last.data.get("url") == data["url"]:
                return last
        if kind == "extension-claimed" and until and data["until"] < day:
            raise InvalidInput("--until is before the day the extension was claimed")
        return ledger.add_event(item.id, kind, day, note=note, data=data, voids=voids)


def _target(ledger: Ledger, item: Item, events: list[Event], eff: list[Event], kind: str,
            event_no: int | None) -> Event:
    if event_no is None:
        raise InvalidInput(f"'{kind}' needs --event N: the number of the event it cancels",
                           hint=f"see the numbers with: konpfoi show {item.id}")
    target = next((e for e in events if e.id == event_no), None)
    if target is None:
        raise InvalidInput(f"event #{event_no} is not one of {item.id}'s",
                           hint=f"see the numbers with: konpfoi show {item.id}")
    if target.kind in ("void", "drafted"):
        raise Conflict(f"event #{event_no} ({target.kind}) cannot be {kind}ed")
    if not any(e.uid == target.uid for e in eff):
        raise Conflict(f"event #{event_no} is already voided or corrected",
                       hint=f"see what stands with: konpfoi show {item.id}")
    return target


@dataclass
class Marked:
    item: Item
    event: Event | None
    skipped: str | None = None
    warning: str | None = None


def mark_sent(ledger: Ledger, root: Path, *, item_ids: list[str] | None, campaign: str | None,
              today: dt.date, date: str | None = None, again: bool = False,
              followup: str | None = None) -> list[Marked]:
    """Record items (or a follow-up of each) as sent from the user's own mail client."""
    day = parse_day(date, today, "sent")
    if followup:
        return _mark_followup(ledger, item_ids or [], followup, day)
    out: list[Marked] = []
    with ledger.write():
        items = ledger.pick(item_ids, campaign)
        events = ledger.events([i.id for i in items])
        for item in items:
            eff = effective(events.get(item.id, []))
            sent = next((e for e in eff if e.kind == "sent"), None)
            reason = None
            made = next((e.date for e in eff if e.kind == "drafted"), None)
            if made is not None and day < made:
                if item_ids:
                    raise InvalidInput(
                        f"{item.id} was drafted on {made}: it cannot have been sent on {day}",
                        hint=f"give the day you sent it, {made} or later")
                out.append(Marked(item, None, f"drafted on {made}, after {day}"))
                continue
            if _still_has_placeholders(ledger, item):
                reason = ("still has placeholders for your name or email: run konpfoi init "
                          "--name ... --email ..., then draft it again")
            elif sent and not again:
                reason = f"already sent on {sent.date}"
            elif any(e.kind in ("withdrawn",) for e in eff):
                reason = "withdrawn"
            if reason:
                if item_ids:  # named items: refuse (nothing is written); a campaign: skip
                    raise Conflict(f"{item.id} {reason}",
                                   hint="use --again to record a re-send (it does not restart "
                                        "the clock)" if sent and not again else None)
                out.append(Marked(item, None, reason))
                continue
            data: dict[str, Any] = {"via": "own mail client"}
            if sent:
                data["resend"] = True
            out.append(Marked(item, ledger.add_event(item.id, "sent", day, data=data)))
            ledger.drop_claim(item.id, "")  # a claim left by a konpfoi that died: it went
    return out


def _mark_followup(ledger: Ledger, item_ids: list[str], kind: str, day: str) -> list[Marked]:
    """A follow-up sent by hand starts its clock: review-requested, complaint-filed..."""
    if kind not in FOLLOWUPS:
        raise InvalidInput(f"unknown follow-up {kind!r}", hint="kinds: " + ", ".join(FOLLOWUPS))
    if not item_ids:
        raise InvalidInput("which items?", hint="give the item ids")
    out = []
    with ledger.write():
        for item_id in item_ids:
            item = ledger.item(item_id)
            evs = effective(ledger.events([item.id]).get(item.id, []))
            draft = drafted(evs, kind)
            if draft and sent_after(evs, kind, draft):
                raise Conflict(f"{item.id}: its {kind.replace('-', ' ')} is already recorded "
                               "as sent")
            name = FOLLOWUPS[kind].name
            if draft and day < draft.date:
                raise InvalidInput(f"{item.id}: its {name} was drafted on {draft.date}: it "
                                   f"cannot have been sent on {day}",
                                   hint=f"give the day you sent it, {draft.date} or later")
            # The letter's dates ("was due on ..., 6 working days ago") were counted for the
            # day it was drafted: sent by hand on a later day, they no longer held.
            stale = (f"its {name} was written for {draft.date} and sent on {day}: the days "
                     f"late it states were counted to {draft.date}"
                     if draft and day > draft.date else None)
            data: dict[str, Any] = {"followup": kind, "via": "own mail client"}
            if draft:
                data["message_id"] = draft.data.get("message_id")
            out.append(Marked(item, ledger.add_event(item.id, FOLLOWUPS[kind].event, day,
                                                     data=data), warning=stale))
            ledger.drop_claim(item.id, kind)
    return out


def _still_has_placeholders(ledger: Ledger, item: Item) -> bool:
    """Whether the draft as the ledger keeps it (never a file a ledger row names) still
    carries a placeholder for the requester's name or email."""
    if item.sender_name and has_placeholder(item.sender_name + (item.sender_email or "")):
        return True
    if item.message_sha256:
        try:
            raw = ledger.blob(item.message_sha256)
        except NotFound:
            return False
        return has_placeholder(raw.decode("utf-8", "replace"))
    return False


# -- follow-ups in the record -------------------------------------------------------------


def drafted(events: list[Event], kind: str) -> Event | None:
    """The latest follow-up of this kind drafted for an item."""
    return next((e for e in reversed(events) if e.kind == "followup-drafted"
                 and e.data.get("kind") == kind), None)


def sent_after(events: list[Event], kind: str, after: Event) -> Event | None:
    """The event that records this follow-up as sent, if any came after its draft."""
    seen = False
    for e in events:
        if e.uid == after.uid:
            seen = True
        elif seen and e.mentions("followup") and e.data.get("followup") == kind \
                and e.kind == sent_event(kind):
            return e
    return None


def waiting_followups(events: list[Event]) -> list[str]:
    """The follow-ups drafted for an item and not sent yet, by kind, in the order drafted."""
    kinds = dict.fromkeys(e.data.get("kind") for e in events if e.kind == "followup-drafted")
    return [k for k in kinds if isinstance(k, str)
            and (d := drafted(events, k)) is not None and sent_after(events, k, d) is None]

