"""Supporters and their letters: who has a letter, whose pack went, who sent it, who got a
reply; a letter recorded as sent by hand when a supporter says so; and a supporter who asks
to be left out removed everywhere, keeping only what a record of sent mail needs (that a
letter went to an MP, when, and what came back) — never their name, address or words."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput, NotFound
from konpfoi.law.correspondence import SUPPORTER_PACK, kind_of
from konpfoi.ledger.model import Event, Item, left_out_digest
from konpfoi.ledger.store import Ledger
from konpfoi.mail import attachments
from konpfoi.tracking.events import drafted, parse_day
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.files import atomic_write

REMOVED = "(removed)"  # what stands where a supporter's name or address was


def is_supporters(item: Item) -> bool:
    return kind_of(item.kind).signer == "supporter"


@dataclass
class Letter:
    """One supporter's letter, as far as it has gone."""

    item: str
    campaign: str | None
    name: str
    email: str
    mp: str
    drafted: str | None
    pack: str  # not delivered | delivered | refused | bounced | no pack | unknown
    pack_date: str | None
    sent: str | None
    sent_how: str | None
    reply: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def roster(ledger: Ledger, campaign: str | None = None) -> list[Letter]:
    """Every supporter's letter (of a campaign), in the order drafted."""
    items = [i for i in ledger.items(campaign=campaign) if is_supporters(i)]
    if campaign and not items:
        raise NotFound(f"no supporters' letters in campaign {campaign!r}",
                       hint="campaigns: " + (", ".join(ledger.campaigns()) or "none yet"))
    events = ledger.events([i.id for i in items] if len(items) <= 500 else None)
    return [_letter(i, effective(events.get(i.id, []))) for i in items]


def _letter(item: Item, evs: list[Event]) -> Letter:
    made = next((e.date for e in evs if e.kind == "drafted"), None)
    sent = next((e for e in evs if e.kind == "sent"), None)
    reply = next((e.date for e in evs if e.kind == "reply"), None)
    pack, when = "no pack", None
    if drafted(evs, SUPPORTER_PACK.key) is not None:
        pack = "not delivered"
        for e in evs:
            if e.mentions("followup") and e.data.get("followup") == SUPPORTER_PACK.key:
                pack, when = {"pack-sent": ("delivered", e.date),
                              "send-failed": ("refused", e.date),
                              "send-attempt": ("unknown", e.date)}.get(e.kind, (pack, when))
            elif e.kind == "delivery-failed" and not e.data.get("request"):
                pack, when = "bounced", e.date
    how = None
    if sent is not None:
        how = str(sent.data.get("via") or ("by hand" if sent.data.get("by") else "sent"))
    return Letter(item.id, item.campaign, item.sender_name or "", item.sender_email or "",
                  item.body_name, made, pack, when, sent.date if sent else None, how, reply)


def confirm(ledger: Ledger, item_id: str, today: dt.date, date: str | None = None) -> Event:
    """A supporter says they sent their letter: recorded as sent by them (the reminder clock
    starts)."""
    day = parse_day(date, today, "sent")
    with ledger.write():
        item = ledger.item(item_id)
        if not is_supporters(item):
            raise InvalidInput(f"{item.id} is not a supporter's letter",
                               hint=f"for your own letters: konpfoi mark-sent {item.id}")
        evs = effective(ledger.events([item.id]).get(item.id, []))
        done = next((e for e in evs if e.kind == "sent"), None)
        if done is not None:
            raise Conflict(f"{item.id} is already recorded as sent on {done.date}",
                           hint=f"to change the day: konpfoi record {item.id} correction "
                                f"--event {done.id} --date YYYY-MM-DD")
        if any(e.kind == "withdrawn" for e in evs):
            raise Conflict(f"{item.id} was withdrawn")
        made = next((e.date for e in evs if e.kind == "drafted"), None)
        if made and day < made:
            raise InvalidInput(f"{item.id} was drafted on {made}: it cannot have been sent on "
                               f"{day}")
        return ledger.add_event(item.id, "sent", day, data={
            "by": "supporter", "via": "confirmed by the organiser"})


# -- left out ----------------------------------------------------------------------------------


@dataclass
class Forgotten:
    items: list[str] = field(default_factory=list)  # their letters (kept, without them)
    withdrawn: list[str] = field(default_factory=list)  # letters not sent: never will be
    messages: int = 0  # received messages from them, emptied
    files: list[Path] = field(default_factory=list)  # drafts and kept files deleted
    mboxes: list[Path] = field(default_factory=list)  # batch mboxes rewritten without them


def forget(ledger: Ledger, email: str, *, root: Path, drafts_dir: Path, files_dir: Path,
           write: bool) -> Forgotten:
    """Remove a supporter everywhere: their letters keep only that they went (to which MP,
    when, what came back); their drafts, packs, copies and forwards are deleted; their
    address is kept only as a hash, so that no later batch writes to them. With `write`
    False, say what would go and change nothing."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(f"not an email address: {email!r}")
    out = Forgotten()
    gone: set[Path] = set()
    with ledger.write():
        items = [i for i in ledger.items() if is_supporters(i)
                 and (i.sender_email or "").lower() == email]
        inbound = [r for r in ledger.inbound_list() if (r.get("sender") or "").lower() == email]
        if not items and not inbound:
            raise NotFound(f"no supporter {email} in the ledger",
                           hint="konpfoi supporters list shows who is there")
        names = sorted({i.sender_name for i in items if i.sender_name}, key=len, reverse=True)
        events = ledger.events([i.id for i in items])
        for item in items:
            out.items.append(item.id)
            evs = events.get(item.id, [])
            blobs = {item.message_sha256} if item.message_sha256 else set()
            gone |= _drafts(root, item.draft_path)
            for e in evs:
                if e.kind == "followup-drafted":
                    blobs.add(str(e.data.get("message") or ""))
                    gone |= _drafts(root, e.data.get("draft"))
            kept = ledger.attachments([e.uid for e in evs])
            blobs |= {a["sha256"] for files in kept.values() for a in files}
            stands = effective(evs)
            if not any(e.kind in ("sent", "withdrawn") for e in stands):
                out.withdrawn.append(item.id)
            if not write:
                gone |= {attachments.where(files_dir, sha) for sha in blobs}
                continue
            ledger.drop_attachments([e.uid for e in evs])
            for e in evs:
                data, note = _scrub(e, email, names)
                if data != e.data or note != e.note:
                    ledger.redact_event(e.uid, data, note)
            ledger.redact_item(item.id, sender_name=REMOVED, sender_email=None)
            if item.id in out.withdrawn:
                ledger.add_event(item.id, "withdrawn", dt.date.today().isoformat(),
                                 data={"reason": "the supporter asked to be left out"})
            for sha in blobs - {""}:
                if ledger.drop_blob(sha):
                    gone.add(attachments.where(files_dir, sha))
        out.messages = len(inbound)
        if not write:
            gone |= {attachments.where(files_dir, r["sha256"]) for r in inbound}
        else:
            for r in inbound:
                ledger.redact_inbound(r["key"])
                if ledger.drop_blob(r["sha256"]):
                    gone.add(attachments.where(files_dir, r["sha256"]))
            ledger.leave_out(left_out_digest(email))
    out.files = sorted(p for p in gone if p.exists())
    if write:
        for p in out.files:
            _remove(p, files_dir)
    out.mboxes = [p for p in sorted(drafts_dir.glob("*.mbox")) if _mentions(p, email)]
    if write:
        for p in out.mboxes:
            _without(p, email)
    return out


def _drafts(root: Path, draft: Any) -> set[Path]:
    if not draft:
        return set()
    path = root / str(draft)
    return {path, path.with_suffix(".txt")}


def _scrub(e: Event, email: str, names: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """An event's data and note with the supporter's address and name taken out."""
    raw = e.raw or ""
    note = e.note
    for word in [email, *names]:
        pattern = re.compile(re.escape(word), re.I)
        raw = pattern.sub(REMOVED, raw) if raw else raw
        note = pattern.sub(REMOVED, note) if note else note
    data = json.loads(raw) if raw else None
    if data and data.get("to") == REMOVED:
        data.pop("to")
    return data, note


def _remove(path: Path, files_dir: Path) -> None:
    if path.is_dir():  # files/<hash>/: the kept copy and its folder
        for p in path.iterdir():
            p.unlink(missing_ok=True)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
        folder = path.parent
        if folder.parent == files_dir and not any(folder.iterdir()):
            folder.rmdir()


_FROM = re.compile(rb"(?m)^From konpfoi ")


def _chunks(raw: bytes) -> list[bytes]:
    starts = [m.start() for m in _FROM.finditer(raw)] + [len(raw)]
    return [raw[a:b] for a, b in zip(starts, starts[1:], strict=False)]


def _mentions(path: Path, email: str) -> bool:
    return email.encode() in path.read_bytes().lower()


def _without(path: Path, email: str) -> None:
    """A batch's mbox without the supporter's messages (written atomically)."""
    kept = [c for c in _chunks(path.read_bytes()) if email.encode() not in c.lower()]
    if kept:
        atomic_write(path, b"".join(kept))
    else:
        path.unlink()
