"""Append what happened to an item: marked sent, acknowledged, clarified, replied, corrected."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi import attachments, mailparse
from konpfoi.drafting import has_placeholder
from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger import Ledger
from konpfoi.lifecycle import effective
from konpfoi.records import EVENT_KINDS, PAST_ONLY, Event, Item

# What `konpfoi record` accepts; sent, reply, drafted and coded have their own commands.
RECORDABLE = (
    "acknowledged", "clarification-requested", "clarification-sent", "fee-notice", "fee-paid",
    "extension-claimed", "review-requested", "review-outcome", "complaint-filed",
    "complaint-outcome", "withdrawn", "closed", "reopened", "note", "void", "correction",
)
_BEFORE_SENDING = frozenset({"note", "withdrawn", "closed", "reopened", "void", "correction"})
OUTCOME_WORDS = {"answered": "answered", "partial": "partly-answered",
                 "partly-answered": "partly-answered", "refused": "refused",
                 "not-held": "not-held"}


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
    if text is None:
        return None
    word = OUTCOME_WORDS.get(text.strip().lower())
    if word is None:
        raise InvalidInput(f"unknown outcome {text!r}",
                           hint="outcomes: answered, partial, refused, not-held")
    return word


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
              today: dt.date, date: str | None = None, again: bool = False) -> list[Marked]:
    """Record items as sent from the user's own mail client (one transaction)."""
    day = parse_day(date, today, "sent")
    out: list[Marked] = []
    with ledger.write():
        if item_ids:
            items = [ledger.item(i) for i in item_ids]
        elif campaign:
            items = ledger.items(campaign=campaign)
            if not items:
                raise InvalidInput(f"no items in campaign {campaign!r}",
                                   hint="campaigns: " + ", ".join(ledger.campaigns()))
        else:
            raise InvalidInput("which items?", hint="give item ids, or --campaign NAME")
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
            data = {"via": "own mail client"}
            if sent:
                data["resend"] = True
            out.append(Marked(item, ledger.add_event(item.id, "sent", day, data=data)))
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
    """Record a reply: an .eml is read (date, sender, subject) and kept with its attachments;
    other files are kept as attachments. Everything is stored by content hash."""
    word = outcome_word(outcome)
    if not paths:
        raise InvalidInput("no files given", hint="konpfoi reply ID --file reply.eml")
    blobs = []
    for p in paths:
        try:
            blobs.append((p, p.read_bytes()))
        except OSError as exc:
            raise InvalidInput(f"{p}: cannot read ({exc.strerror})") from None
    mail = None
    files: list[tuple[bytes, str | None, str | None]] = []
    problems: list[str] = []
    for p, raw in blobs:
        if p.suffix.lower() == ".eml" and mail is None:
            mail = mailparse.parse(raw)
            problems += mail.problems
            files.append((raw, p.name, "message/rfc822"))
            files += [(a.content, a.name, a.content_type) for a in mail.attachments]
        else:
            files.append((raw, p.name, None))
    data: dict[str, Any] = {}
    if mail is not None:
        data.update({k: v for k, v in (
            ("from", mail.from_addr), ("subject", mail.subject),
            ("message_id", mail.message_id)) if v})
    if word:
        data["outcome"] = word
    if date is None and mail is not None and mail.date is not None:
        day = parse_day(min(mail.date, today).isoformat(), today, "reply")
    else:
        day = parse_day(date, today, "reply")
    with ledger.write():
        item = ledger.item(item_id)
        eff = effective(ledger.events([item.id]).get(item.id, []))
        if mail and mail.message_id and any(
                e.kind == "reply" and e.data.get("message_id") == mail.message_id for e in eff):
            raise Conflict(f"this reply ({mail.message_id}) is already recorded on {item.id}")
        stored = [attachments.store(files_dir, c, n, t) for c, n, t in files]
        data["attachments"] = [s.name for s in stored]
        event = ledger.add_event(item.id, "reply", day, note=note, data=data)
        for s in stored:
            ledger.add_attachment(event.uid, s)
    return ReplyResult(event, stored, problems)
