"""Intake: the one way a received message enters the ledger, from a mailbox import or by hand.

Each message is kept (raw, by content) and matched to its request, or kept as unmatched with
the best guesses; a message is recorded once, however often it is imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger.model import Event, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.mail import attachments, incoming
from konpfoi.mail.mailboxes import Mailbox
from konpfoi.mail.matching import Matcher, is_auto_reply, their_reference
from konpfoi.tracking.events import outcome_word, parse_day
from konpfoi.workspace.files import sync_files


@dataclass
class Outcome:
    label: str  # where the message came from (file and position)
    status: str  # recorded, acknowledged, duplicate, unmatched, failed
    key: str = ""
    item_id: str | None = None
    why: str = ""
    subject: str = ""
    sender: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", [])}


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def import_source(ledger: Ledger, files_dir: Path, box: Mailbox, addresses: dict[str, set[str]],
                  today: dt.date) -> Summary:
    """Read every message in a mailbox, record the matched ones, keep the rest as unmatched.

    One transaction: an import that is interrupted leaves nothing half-recorded, and running
    it again skips what was recorded.
    """
    summary = Summary()
    stored: list[Path] = []
    with ledger.write():
        items = ledger.items()
        matcher = Matcher(items, ledger.events([i.id for i in items] if len(items) <= 500
                                               else None), addresses)
        for label, raw in box.messages():
            if isinstance(raw, Exception):
                summary.outcomes.append(Outcome(label, "failed",
                                                problems=[f"unreadable: {raw}"]))
                continue
            try:
                summary.outcomes.append(receive(ledger, files_dir, matcher, label, raw, today,
                                                stored))
            except Exception as exc:  # recorded as a problem; the rest of the batch goes on
                summary.outcomes.append(Outcome(label, "failed",
                                                problems=[f"{type(exc).__name__}: {exc}"]))
    if stored:
        sync_files(stored)
    return summary


def message_key(mail: incoming.Mail, raw: bytes) -> str:
    return mail.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def receive(ledger: Ledger, files_dir: Path, matcher: Matcher, label: str, raw: bytes,
            today: dt.date, stored: list[Path]) -> Outcome:
    """Keep one raw message, match it, and record it on its item (or as unmatched)."""
    mail = incoming.parse(raw)
    key = message_key(mail, raw)
    out = Outcome(label, "duplicate", key, subject=mail.subject, sender=mail.from_addr or "",
                  problems=mail.problems)
    seen = ledger.inbound(key)
    if seen is not None:
        out.item_id, out.why = seen["item_id"], f"already imported ({seen['status']})"
        return out
    kept = attachments.store(ledger, files_dir, raw, "message.eml", "message/rfc822", sync=False)
    stored.append(kept.path)
    item_id, why, candidates = matcher.match(mail)
    record: dict[str, Any] = {
        "key": key, "imported_at": now_utc(), "sender": mail.from_addr,
        "date": mail.date.isoformat() if mail.date else None, "subject": mail.subject,
        "sha256": kept.sha256, "problems": mail.problems,
    }
    if item_id is None:
        ledger.add_inbound({**record, "status": "unmatched", "candidates": candidates})
        out.status, out.why, out.candidates = "unmatched", why, candidates
        return out
    event, _ = record_message(ledger, files_dir, item_id, mail, kept, today, stored)
    ledger.add_inbound({**record, "status": "matched", "item_id": item_id,
                        "event_uid": event.uid})
    out.status = "acknowledged" if event.kind == "acknowledged" else "recorded"
    out.item_id, out.why = item_id, why
    return out


def record_message(ledger: Ledger, files_dir: Path, item_id: str, mail: incoming.Mail,
                   kept: attachments.Stored, today: dt.date, stored: list[Path], *,
                   kind: str | None = None, day: str | None = None,
                   extra: Sequence[attachments.Stored] = (), data: dict[str, Any] | None = None,
                   note: str | None = None) -> tuple[Event, list[attachments.Stored]]:
    """Record a parsed message on an item: a reply, or an acknowledgement if automatic.
    Returns the event and every file kept with it (the message first)."""
    day = day or min(mail.date or today, today).isoformat()
    data = {**{k: v for k, v in (("from", mail.from_addr), ("subject", mail.subject),
                                 ("message_id", mail.message_id)) if v}, **(data or {})}
    ref = their_reference(mail)
    if ref:
        data["their_ref"] = ref
    files = [kept]
    for a in mail.attachments:
        s = attachments.store(ledger, files_dir, a.content, a.name, a.content_type, sync=False)
        stored.append(s.path)
        files.append(s)
    files += list(extra)
    data["attachments"] = [f.name for f in files]
    kind = kind or ("acknowledged" if is_auto_reply(mail) else "reply")
    event = ledger.add_event(item_id, kind, day, data=data, note=note)
    for f in files:
        ledger.add_attachment(event.uid, f)
    return event, files


# -- a reply recorded by hand ---------------------------------------------------------------


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
    mail = incoming.parse(eml[1]) if eml else incoming.parse(b"")
    day = parse_day(date if date is not None or not (eml and mail.date)
                    else min(mail.date, today).isoformat(), today, "reply")
    stored: list[Path] = []
    with ledger.write():
        item = ledger.item(item_id)
        key = message_key(mail, eml[1]) if eml else None
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
            event, files = record_message(
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
