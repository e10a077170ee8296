"""Recording a received message on an item: the day it came (in the UK), its files, what it
teaches (the body's reference), and what the user should check. Shared by the intake, the
supporters' mail and the messages a user records by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.law.correspondence import kind_of
from konpfoi.law.dates import uk_day
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.mail import attachments, incoming
from konpfoi.mail.classify import Verdict
from konpfoi.mail.matching import Contacts, Matcher, their_reference
from konpfoi.tracking.lifecycle import effective


@dataclass
class Outcome:
    label: str  # where the message came from (file and position)
    status: str  # one of STATUSES
    key: str = ""  # its content hash: with the Message-ID, which message it is
    handle: str = ""  # the short name `replies assign|dismiss|undo` take
    message_id: str | None = None
    item_id: str | None = None
    kind: str = ""  # what the message is (ledger.model.MESSAGE_CLASSES)
    how: str = ""  # the evidence it was matched by
    why: str = ""
    subject: str = ""
    sender: str = ""
    event: int | None = None
    check: str | None = None  # something the user should look at
    candidates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", [])}


@dataclass
class Inbox:
    """Who the user is and what the ledger knows, for one import."""

    ledger: Ledger
    files_dir: Path
    matcher: Matcher
    own: set[str]  # the user's own addresses
    today: dt.date
    stored: list[Path] = field(default_factory=list)  # files written, not yet synced
    supporters: dict[str, list[str]] = field(default_factory=dict)  # address -> their letters
    left_out: set[str] = field(default_factory=set)  # hashes of supporters forgotten

    @property
    def ours(self) -> set[str]:
        return set(self.matcher.by_msgid)


def open_inbox(ledger: Ledger, files_dir: Path, contacts: dict[str, Contacts],
               own: set[str], today: dt.date) -> Inbox:
    items = ledger.items()
    events = ledger.events([i.id for i in items] if len(items) <= 500 else None)
    supporters: dict[str, list[str]] = {}
    for i in items:
        if kind_of(i.kind).signer == "supporter" and i.sender_email:
            supporters.setdefault(i.sender_email.lower(), []).append(i.id)
    return Inbox(ledger, files_dir, Matcher(items, events, contacts),
                 {a.lower() for a in own if a}, today, supporters=supporters,
                 left_out=set(ledger.left_out()))


_UNDATED = "it has no readable date: recorded as today"


def event_day(inbox: Inbox, mail: incoming.Mail) -> tuple[dt.date, list[str]]:
    """The day a message came, in the UK: its Date header, else when our server got it."""
    moment = mail.moment or mail.received
    notes = []
    if moment is None:
        return inbox.today, [_UNDATED]
    if mail.moment is None:
        notes.append("it has no readable Date header: recorded on the day it was received")
    day = uk_day(moment)
    if day > inbox.today:
        return inbox.today, [f"it is dated {day}, in the future: recorded as today"]
    return day, notes


def record(inbox: Inbox, item: Item, mail: incoming.Mail, kept: attachments.Stored, kind: str,
           verdict: Verdict | None = None, *, day: dt.date | None = None,
           extra: Sequence[attachments.Stored] = (), data: dict[str, Any] | None = None,
           note: str | None = None) -> tuple[Event, list[str]]:
    """Record a message on an item as `kind`, with its files; what the user should check."""
    ledger = inbox.ledger
    notes: list[str] = []
    if day is None:
        day, notes = event_day(inbox, mail)
    info: dict[str, Any] = {k: v for k, v in (("from", mail.from_addr),
                                              ("subject", mail.subject),
                                              ("message_id", mail.message_id)) if v}
    ref = their_reference(mail) if kind in ("reply", "acknowledged", "review-outcome") else None
    if ref:
        info["their_ref"] = ref
        inbox.matcher.learn(item.id, ref)
    if verdict is not None:
        info.update(_verdict_data(verdict, kind, item))
    sent = _sent(ledger, item)
    early = None  # the send date it is dated before, and when the request was drafted
    if kind in ("reply", "review-outcome") and sent is not None and day < sent[0]:
        received = uk_day(mail.received) if mail.received else None
        if received is not None and sent[0] <= received <= inbox.today:
            notes.append(f"its Date header says {day}, before {item.id} was sent: recorded on "
                         f"{received}, the day it arrived")
            day = received
        else:
            info["dated_before_sent"] = sent[0].isoformat()
            early = sent
    files = [kept]
    for a in mail.attachments:
        s = attachments.store(ledger, inbox.files_dir, a.content, a.name, a.content_type,
                              sync=False)
        inbox.stored.append(s.path)
        files.append(s)
    files += list(extra)
    info["attachments"] = [f.name for f in files]
    event = ledger.add_event(item.id, kind, day.isoformat(), data={**info, **(data or {})},
                             note=note)
    for f in files:
        ledger.add_attachment(event.uid, f)
    if early is not None:
        notes.append(_date_fix(item, early, day, event))
    if _UNDATED in notes:
        notes[notes.index(_UNDATED)] = (
            f"{_UNDATED} ({day}); if it came earlier: konpfoi record {item.id} correction "
            f"--event {event.id} --date YYYY-MM-DD")
    if verdict is not None and verdict.check:
        notes.insert(0, verdict.check)
    return event, notes


def _date_fix(item: Item, sent: tuple[dt.date, int, dt.date | None], day: dt.date,
              event: Event) -> str:
    """What to correct when a reply is dated before the request was sent: the send date, if
    it could have been that early; else the reply's own date, which must be wrong."""
    said = f"it is dated {day}, before {item.id} was recorded as sent ({sent[0]})"
    if sent[2] is None or day >= sent[2]:
        return (f"{said}: if you sent it earlier, konpfoi record {item.id} correction --event "
                f"{sent[1]} --date {day}")
    return (f"{said} or even drafted ({sent[2]}): its Date header must be wrong; give the day "
            f"it came: konpfoi record {item.id} correction --event {event.id} --date YYYY-MM-DD")


def _verdict_data(verdict: Verdict, kind: str, item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"class": verdict.kind}
    if verdict.kind != "reply":
        out["reason"] = verdict.reason
    if verdict.auto:
        out["auto"] = verdict.auto
    if verdict.interim and kind == "reply":
        out["interim"] = True
    if verdict.check:
        out["check"] = verdict.check
    if kind.startswith("delivery-"):
        returned = verdict.returned
        out["failed"] = verdict.failed
        out["request"] = bool(
            (returned and returned.message_id and returned.message_id == item.message_id)
            or (not (returned and returned.message_id) and item.body_email
                and item.body_email.lower() in verdict.failed))
        if returned and returned.subject:
            out["returned_subject"] = returned.subject
    return out


def _sent(ledger: Ledger, item: Item) -> tuple[dt.date, int, dt.date | None] | None:
    """When the item was (first) recorded as sent, that event's number, and when the request
    was drafted."""
    events = effective(ledger.events([item.id]).get(item.id, []))
    first = min((e for e in events if e.kind == "sent"), key=lambda e: e.date, default=None)
    made = next((e.date for e in events if e.kind == "drafted"), None)
    return (dt.date.fromisoformat(first.date), first.id,
            dt.date.fromisoformat(made) if made else None) if first else None


