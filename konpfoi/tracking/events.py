"""Append what happened to an item: marked sent, acknowledged, clarified, replied, corrected."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi import attachments, mailparse
from konpfoi.errors import Conflict, InvalidInput
from konpfoi.law.correspondence import FOLLOWUPS
from konpfoi.ledger.model import (
    EVENT_KINDS,
    FINAL_OUTCOMES,
    PAST_ONLY,
    Event,
    Item,
    now_utc,
    parse_outcome,
)
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.config import has_placeholder
from konpfoi.workspace.files import sync_files

# What `konpfoi record` accepts; sent, reply, drafted and coded have their own commands.
RECORDABLE = (
    "acknowledged", "clarification-requested", "clarification-sent", "fee-notice", "fee-paid",
    "extension-claimed", "review-requested", "review-outcome", "complaint-filed",
    "complaint-outcome", "withdrawn", "closed", "reopened", "note", "void", "correction",
)
_BEFORE_SENDING = frozenset({"note", "withdrawn", "closed", "reopened", "void", "correction"})
def parse_day(text: str | None, today: dt.date, kind: str, what: str = "--date") -> str:
    """An event's date: today by default; never in the future for something that happened."""
    if text is None:
        return today.isoformat()
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a real date",
                           hint="write it as YYYY-MM-DD") from None
    if kind in PAST_ONLY and day > today:
        raise InvalidInput(f"{what} {day} is in the future; '{kind}' records something that "
                           "has happened", hint="give the day it happened (default: today)")
    return day.isoformat()


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


def record(ledger: Ledger, item_id: str, kind: str, *, today: dt.date, date: str | None = None,
           note: str | None = None, their_ref: str | None = None, until: str | None = None,
           outcome: str | None = None, event_no: int | None = None) -> Event:
    """Append one event to an item, after checking it makes sense; one transaction."""
    _check_kind(kind)
    day = parse_day(date, today, kind)
    data: dict[str, Any] = {}
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
            voids = _target(ledger, item, events, eff, kind, event_no).uid
        elif event_no is not None:
            raise InvalidInput("--event is only for void and correction")
        if kind not in _BEFORE_SENDING and not any(e.kind == "sent" for e in eff):
            raise Conflict(f"{item.id} has not been sent, so it cannot be {kind}",
                           hint=f"record the sending first: konpfoi mark-sent {item.id}")
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
            if _still_has_placeholders(item, root):
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
            data: dict[str, Any] = {"followup": kind, "via": "own mail client"}
            if draft:
                data["message_id"] = draft.data.get("message_id")
            out.append(Marked(item, ledger.add_event(item.id, FOLLOWUPS[kind].event, day,
                                                     data=data)))
    return out


def _still_has_placeholders(item: Item, root: Path) -> bool:
    if item.sender_name and has_placeholder(item.sender_name + (item.sender_email or "")):
        return True
    if item.draft_path:
        path = root / item.draft_path
        if path.with_suffix(".txt").is_file():
            return has_placeholder(path.with_suffix(".txt").read_text(encoding="utf-8"))
    return False


@dataclass
class ReplyResult:
    event: Event
    stored: list[attachments.Stored] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def store_reply(ledger: Ledger, files_dir: Path, item_id: str, paths: list[Path], *,
                today: dt.date, outcome: str | None = None, date: str | None = None,
                note: str | None = None) -> ReplyResult:
    """Record a reply by hand: an .eml is read (date, sender, subject) and kept with its
    attachments; other files are kept as attachments. Everything is stored by content hash.
    A message `replies import` could not match is marked matched to this item."""
    from konpfoi import replies

    word = outcome_word(outcome)
    if not paths:
        raise InvalidInput("no files given", hint="konpfoi reply ID --file reply.eml")
    blobs = []
    for p in paths:
        try:
            blobs.append((p, p.read_bytes()))
        except OSError as exc:
            raise InvalidInput(f"{p}: cannot read ({exc.strerror})") from None
    eml = next(((p, raw) for p, raw in blobs if p.suffix.lower() == ".eml"), None)
    mail = mailparse.parse(eml[1]) if eml else mailparse.parse(b"")
    day = parse_day(date if date is not None or not (eml and mail.date)
                    else min(mail.date, today).isoformat(), today, "reply")
    stored: list[Path] = []
    with ledger.write():
        item = ledger.item(item_id)
        key = replies.message_key(mail, eml[1]) if eml else None
        seen = ledger.inbound(key) if key else None
        if seen is not None and seen["status"] == "matched":
            raise Conflict(f"this reply ({key}) is already recorded on {seen['item_id']}")
        extra = [attachments.store(ledger, files_dir, raw, p.name, None, sync=False)
                 for p, raw in blobs if eml is None or p != eml[0]]
        stored += [x.path for x in extra]
        if eml:
            kept = attachments.store(ledger, files_dir, eml[1], eml[0].name, "message/rfc822",
                                     sync=False)
            stored.append(kept.path)
            event, files = replies.record_message(
                ledger, files_dir, item.id, mail, kept, today, stored, kind="reply", day=day,
                extra=extra, data={"outcome": word} if word else None, note=note)
        else:
            data: dict[str, Any] = {"attachments": [x.name for x in extra]}
            if word:
                data["outcome"] = word
            event = ledger.add_event(item.id, "reply", day, note=note, data=data)
            for x in extra:
                ledger.add_attachment(event.uid, x)
            files = extra
        if key and seen is not None:
            ledger.match_inbound(key, item.id, event.uid)
        elif key:
            ledger.add_inbound({"key": key, "imported_at": now_utc(), "sender": mail.from_addr,
                                "date": mail.date.isoformat() if mail.date else None,
                                "subject": mail.subject, "sha256": files[0].sha256,
                                "item_id": item.id, "event_uid": event.uid,
                                "status": "matched"})
    sync_files(stored)
    return ReplyResult(event, files, mail.problems if eml else [])


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
                and e.kind == FOLLOWUPS[kind].event:
            return e
    return None
