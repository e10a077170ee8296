"""What the user does with received messages by hand: record a reply from a file, list what
is unmatched, assign a message to an item (as a reply, an acknowledgement or a bounce),
dismiss it, or undo either. Nothing is deleted: a message moved or dismissed voids the event
it made (the item's history shows it), and `undo` puts it back among the unmatched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import Ambiguous, Conflict, InvalidInput, NotFound
from konpfoi.ledger.model import RECORD_AS, Event, Item, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.mail import attachments, incoming
from konpfoi.mail.classify import Verdict, classify
from konpfoi.mail.matching import Contacts
from konpfoi.mail.recording import Inbox, open_inbox, record
from konpfoi.tracking.events import outcome_word, parse_day
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.files import sync_files

_AS_WORDS = {"reply": "a reply", "acknowledged": "an acknowledgement",
             "delivery-failed": "a delivery failure", "delivery-delayed": "a delivery delay",
             "review-outcome": "a review outcome"}


@dataclass
class Recorded:
    """A message recorded on an item by hand, and what the user should check."""

    item: Item
    event: Event
    kind: str
    stored: list[attachments.Stored] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    moved_from: str | None = None

    @property
    def as_words(self) -> str:
        return _AS_WORDS.get(self.kind, self.kind)


def _kind(verdict: Verdict, as_: str | None) -> str:
    if as_ is not None:
        if as_ not in RECORD_AS:
            raise InvalidInput(f"--as {as_!r}: not a way to record a message",
                               hint="--as " + "|".join(RECORD_AS))
        kind = RECORD_AS[as_]
        return "delivery-delayed" if kind == "delivery-failed" and not verdict.final else kind
    return {"bounce": "delivery-failed" if verdict.final else "delivery-delayed",
            "auto": "acknowledged"}.get(verdict.kind, "reply")


def store_reply(ledger: Ledger, files_dir: Path, item_id: str, paths: list[Path], *,
                today: dt.date, own: set[str], contacts: dict[str, Contacts],
                outcome: str | None = None, date: str | None = None, note: str | None = None,
                as_: str | None = None) -> Recorded:
    """Record a message by hand: an .eml is read (date, sender, subject), classified (an
    automatic acknowledgement is recorded as one, a bounce as a delivery failure, unless
    `as_` says otherwise) and kept with its attachments; other files are kept beside it."""
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
    with ledger.write():
        item = ledger.item(item_id)
        inbox = open_inbox(ledger, files_dir, contacts, own, today)
        extra = [attachments.store(ledger, files_dir, raw, p.name, None, sync=False)
                 for p, raw in blobs if eml is None or p != eml[0]]
        inbox.stored += [x.path for x in extra]
        if eml is None:
            day = parse_day(date, today, "reply")
            data: dict[str, Any] = {"attachments": [x.name for x in extra]}
            if word:
                data["outcome"] = word
            event = ledger.add_event(item.id, "reply", day, note=note, data=data)
            for x in extra:
                ledger.add_attachment(event.uid, x)
            done = Recorded(item, event, "reply", extra)
        else:
            done = _record_file(inbox, item, eml, extra, as_=as_, word=word, date=date,
                                note=note)
    sync_files(inbox.stored)
    return done


def _record_file(inbox: Inbox, item: Item, eml: tuple[Path, bytes],
                 extra: list[attachments.Stored], *, as_: str | None, word: str | None,
                 date: str | None, note: str | None) -> Recorded:
    ledger = inbox.ledger
    path, raw = eml
    ident = incoming.identity(raw)
    rec = ledger.inbound(ident)
    standing = _standing_event(ledger, rec)
    if standing is not None:
        raise Conflict(f"this message is already recorded on {rec['item_id']} "  # type: ignore[index]
                       f"(event #{standing.id})",
                       hint=f"to move it: konpfoi replies assign {ident[:8]} {item.id}")
    mail = incoming.parse(raw)
    verdict = classify(mail, inbox.own, inbox.ours, inbox.matcher.knows(mail.from_addr))
    if verdict.kind == "own" and as_ is None:
        raise Conflict(f"{path.name} is your own mail ({verdict.reason})",
                       hint=f"to record it anyway: konpfoi reply {item.id} --file {path} "
                            "--as reply")
    kind = _kind(verdict, as_)
    if word and kind != "reply":
        raise InvalidInput(f"--outcome is for a reply, and this is {_AS_WORDS[kind]} "
                           f"({verdict.reason})", hint="add --as reply if it is the answer")
    kept = attachments.store(ledger, inbox.files_dir, raw, path.name, "message/rfc822",
                             sync=False)
    inbox.stored.append(kept.path)
    day = dt.date.fromisoformat(parse_day(date, inbox.today, kind)) if date else None
    event, notes = record(inbox, item, mail, kept, kind, verdict, day=day, extra=extra,
                          data={"outcome": word} if word else None, note=note)
    if rec is None:
        ledger.add_inbound({"key": ident, "identity": ident, "imported_at": now_utc(),
                            "sha256": kept.sha256, "message_id": mail.message_id,
                            "sender": mail.from_addr, "subject": mail.subject,
                            "date": mail.date.isoformat() if mail.date else None,
                            "class": verdict.kind, "status": "matched", "item_id": item.id,
                            "event_uid": event.uid, "reason": "recorded by hand"})
    else:
        ledger.update_inbound(ident, status="matched", item_id=item.id, event_uid=event.uid,
                              reason="recorded by hand")
    files = ledger.attachments([event.uid]).get(event.uid, [])
    stored = [kept] + [attachments.Stored(f["sha256"], f["name"], f["original_name"],
                                          f["size"], f["content_type"],
                                          attachments.where(inbox.files_dir, f["sha256"]))
                       for f in files[1:]]
    return Recorded(item, event, kind, stored, notes, mail.problems)


def _standing_event(ledger: Ledger, rec: dict[str, Any] | None) -> Event | None:
    """The event a message made on an item, if it still stands (not voided)."""
    if rec is None or not rec.get("event_uid") or not rec.get("item_id"):
        return None
    events = ledger.events([rec["item_id"]]).get(rec["item_id"], [])
    return next((e for e in effective(events) if e.uid == rec["event_uid"]), None)


def find(ledger: Ledger, handle: str) -> dict[str, Any]:
    """The one received message a handle names (its short hash, key or Message-ID)."""
    found = ledger.find_inbound(handle)
    if not found:
        raise NotFound(f"no received message {handle!r}",
                       hint="see them with: konpfoi replies unmatched --all")
    if len(found) > 1:
        raise Ambiguous(f"{handle!r} names {len(found)} messages",
                        hint="give more of it: " + ", ".join(r["identity"][:12] if
                                                             r["identity"] else r["key"]
                                                             for r in found[:5]),
                        suggestions=[r["key"] for r in found])
    return found[0]


def _void(ledger: Ledger, today: dt.date, rec: dict[str, Any], why: str) -> str | None:
    """Cancel the event a message made, if it stands; the item it was on."""
    standing = _standing_event(ledger, rec)
    if standing is None:
        return None
    ledger.add_event(standing.item_id, "void", today.isoformat(), voids=standing.uid, note=why)
    return str(standing.item_id)


def assign(ledger: Ledger, files_dir: Path, handle: str, item_id: str, *, today: dt.date,
           own: set[str], contacts: dict[str, Contacts], as_: str | None = None) -> Recorded:
    """Record a received message on an item (moving it, if it was on another)."""
    with ledger.write():
        rec = find(ledger, handle)
        item = ledger.item(item_id)
        inbox = open_inbox(ledger, files_dir, contacts, own, today)
        if rec["status"] == "matched" and rec["item_id"] == item.id \
                and _standing_event(ledger, rec) is not None:
            raise Conflict(f"this message is already recorded on {item.id}",
                           hint=f"to record it another way: konpfoi replies undo {handle}, "
                                "then assign it again with --as")
        moved = _void(ledger, today, rec, f"moved to {item.id} by konpfoi replies assign")
        raw = ledger.blob(rec["sha256"])
        mail = incoming.parse(raw)
        verdict = classify(mail, inbox.own, inbox.ours, inbox.matcher.knows(mail.from_addr))
        kind = _kind(verdict, as_)
        kept = attachments.store(ledger, files_dir, raw, "message.eml", "message/rfc822",
                                 sync=False)
        event, notes = record(inbox, item, mail, kept, kind, verdict)
        ledger.update_inbound(rec["key"], status="matched", item_id=item.id,
                              event_uid=event.uid, reason="assigned by you")
    sync_files(inbox.stored + [kept.path])
    return Recorded(item, event, kind, [kept], notes, mail.problems, moved_from=moved)


def set_aside(ledger: Ledger, handle: str, *, today: dt.date, undo: bool = False
              ) -> tuple[dict[str, Any], str | None]:
    """Dismiss a message (or, with `undo`, put it back among the unmatched); either way the
    event it made, if any, is voided. Returns the message and the item it was taken from."""
    with ledger.write():
        rec = find(ledger, handle)
        status = "unmatched" if undo else "dismissed"
        if rec["status"] == status:
            raise Conflict(f"this message is already {status}",
                           hint="see it with: konpfoi replies unmatched --all")
        why = "undone by konpfoi replies undo" if undo else "dismissed by konpfoi replies dismiss"
        taken = _void(ledger, today, rec, why)
        ledger.update_inbound(rec["key"], status=status, reason=why, item_id=None,
                              event_uid=None)
    return rec, taken


def listing(ledger: Ledger, files_dir: Path, everything: bool = False) -> list[dict[str, Any]]:
    """The received messages waiting for the user (every one, with `everything`), each with
    its short handle and where its copy is."""
    rows = ledger.inbound_list(None if everything else "unmatched")
    for r in rows:
        r["handle"] = (r.get("identity") or r["key"])[:8]
        r["file"] = str(attachments.where(files_dir, r["sha256"]))
    return rows
