"""Import replies from an mbox, a maildir or a folder of .eml files, and match each to its item.

Matching, most certain first: the In-Reply-To/References headers against the Message-IDs we
sent; our item id (K-0042) or the body's own reference in the subject or text; the sender's
address (or a domain no other body shares) with a similar subject. Only one confident match is
recorded; anything else waits in `replies unmatched` with its best guesses. A message is
recorded once, however often it is imported.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import mailbox
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi import attachments, mailparse
from konpfoi.errors import InvalidInput
from konpfoi.ledger.model import Event, Item, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.files import sync_files

# Mail domains many bodies share: a sender there says nothing about which body wrote.
SHARED_DOMAINS = frozenset({
    "nhs.net", "nhs.uk", "parliament.uk", "gov.uk", "gov.scot", "gov.wales", "gmail.com",
    "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.co.uk",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "btinternet.com",
})
_OUR_ID = re.compile(r"\bK-\d{4,}\b")
_AUTO = re.compile(
    r"auto(?:matic)?[ -]?(?:reply|response|acknowledg)|out of (?:the )?office|"
    r"(?:we|i) (?:have )?(?:received|acknowledge) (?:your|receipt)|"
    r"thank you for (?:your )?(?:request|email|enquiry|message)|request (?:has been )?"
    r"(?:received|logged)|acknowledg(?:e)?ment", re.I)
_THEIR_REF = (
    re.compile(r"\b(?:our|your)\s+ref(?:erence)?(?:\s+(?:no|number))?\.?\s*[:#\-]?\s*"
               r"([A-Za-z0-9][\w/\-.]{2,40})", re.I),
    re.compile(r"\b((?:FOI|FOIR|EIR|SAR)[\s\-/_]?\d[\w/\-]{1,30})", re.I),
)


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


# -- reading a source -----------------------------------------------------------------------------


def messages(path: Path) -> Iterator[tuple[str, bytes | Exception]]:
    """(label, raw message) for each message in an mbox, a maildir, a folder of .eml files or
    one .eml file. A message that cannot be read at all comes as the exception."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(maildir.iterkeys()):
                yield from _read(f"{path.name}/{key}", lambda k=key: maildir.get_bytes(k))
        else:
            for f in sorted(path.rglob("*.eml")):
                yield from _read(str(f.relative_to(path)), f.read_bytes)
        return
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file or folder",
                           hint="give an mbox file, a maildir, or a folder of .eml files")
    if path.suffix.lower() == ".eml":
        yield from _read(path.name, path.read_bytes)
        return
    with path.open("rb") as fh:
        if not fh.read(5) == b"From ":
            raise InvalidInput(f"{path}: not an mbox (it does not start with 'From ')",
                               hint="give an mbox file, a maildir, or a folder of .eml files")
    box = mailbox.mbox(path, create=False)
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            yield from _read(f"{path.name} #{n}", lambda k=key: box.get_bytes(k))
    finally:
        box.close()


def _read(label: str, get: Any) -> Iterator[tuple[str, bytes | Exception]]:
    try:
        yield label, get()
    except Exception as exc:  # one unreadable message must not stop the rest
        yield label, exc


# -- matching -------------------------------------------------------------------------------------


def _subject_key(subject: str) -> str:
    s = re.sub(r"^\s*((re|fw|fwd|aw|sv)\s*(\[\d+\])?\s*:\s*)+", "", subject, flags=re.I)
    return " ".join(re.findall(r"[a-z0-9]+", s.lower()))


class Matcher:
    """What we know of every item, to match a reply to the request it answers."""

    def __init__(self, items: list[Item], events: dict[str, list[Event]],
                 addresses: dict[str, set[str]]) -> None:
        self.items = {i.id: i for i in items}
        self.by_msgid: dict[str, str] = {}
        self.their_refs: dict[str, set[str]] = {}
        for i in items:
            if i.message_id:
                self.by_msgid[i.message_id.strip()] = i.id
            for e in effective(events.get(i.id, [])):
                if e.mentions("message_id") and e.data.get("message_id"):
                    self.by_msgid.setdefault(str(e.data["message_id"]).strip(), i.id)
                if e.mentions("their_ref") and e.data.get("their_ref"):
                    self.their_refs.setdefault(str(e.data["their_ref"]).lower(), set()).add(i.id)
        self.by_address: dict[str, list[str]] = {}
        self.by_domain: dict[str, list[str]] = {}
        for i in items:
            known = {a.lower() for a in addresses.get(i.body_id, set())}
            if i.body_email:
                known.add(i.body_email.lower())
            for a in known:
                self.by_address.setdefault(a, []).append(i.id)
                domain = a.rpartition("@")[2]
                if domain and domain not in SHARED_DOMAINS:
                    self.by_domain.setdefault(domain, []).append(i.id)
        self.subjects = {i.id: _subject_key(i.subject) for i in items}

    def match(self, mail: mailparse.Mail) -> tuple[str | None, str, list[dict[str, Any]]]:
        """(item id, why) for one confident match; else (None, why not, candidates)."""
        for ref in reversed(mail.in_reply_to):
            if ref in self.by_msgid:
                return self.by_msgid[ref], f"In-Reply-To/References {ref}", []
        text = f"{mail.subject}\n{mail.text}"
        ours = sorted({m for m in _OUR_ID.findall(text) if m in self.items})
        if len(ours) == 1:
            return ours[0], f"our reference {ours[0]} in the message", []
        if len(ours) > 1:
            return None, "it names several of our items", [
                {"item": i, "why": "named in the message"} for i in ours]
        lowered = text.lower()
        theirs = sorted({i for ref, ids in self.their_refs.items()
                         if re.search(rf"(?<![\w/-]){re.escape(ref)}(?![\w/-])", lowered)
                         for i in ids})
        if len(theirs) == 1:
            return theirs[0], "the body's own reference in the message", []
        sender = (mail.from_addr or "").lower()
        pool = self.by_address.get(sender) or self.by_domain.get(
            sender.rpartition("@")[2], [])
        if theirs:
            pool = [i for i in pool if i in theirs] or theirs
        if not pool:
            why = f"nothing we sent went to {sender or 'its sender'}"
            return None, why, self._guesses(mail, list(self.items))
        scored = sorted(((difflib.SequenceMatcher(None, _subject_key(mail.subject),
                                                  self.subjects[i]).ratio(), i)
                         for i in set(pool)), reverse=True)
        best, item = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best >= 0.6 and best - runner_up >= 0.15:
            return item, f"from {sender}, subject {best:.0%} alike", []
        return None, (f"{len(scored)} items went to {sender.rpartition('@')[2]} and the "
                      "subject does not single one out"), [
            {"item": i, "score": round(s, 2), "why": "same sender"} for s, i in scored[:5]]

    def _guesses(self, mail: mailparse.Mail, pool: list[str]) -> list[dict[str, Any]]:
        key = _subject_key(mail.subject)
        scored = sorted(((difflib.SequenceMatcher(None, key, self.subjects[i]).quick_ratio(),
                          i) for i in pool), reverse=True)[:3]
        return [{"item": i, "score": round(s, 2), "why": "similar subject"}
                for s, i in scored if s >= 0.5]


def their_reference(mail: mailparse.Mail) -> str | None:
    text = f"{mail.subject}\n{mail.text[:4000]}"
    for pattern in _THEIR_REF:
        for m in pattern.finditer(text):
            ref = m.group(1).rstrip(".,;:)")
            if not _OUR_ID.fullmatch(ref) and any(ch.isdigit() for ch in ref):
                return ref
    return None


def is_auto_reply(mail: mailparse.Mail) -> bool:
    """An automatic acknowledgement (or out-of-office), not the answer."""
    if mail.auto_submitted:
        return True
    short = len(mail.text) < 3000 and not any(
        not (a.name or "").lower().endswith((".eml",)) for a in mail.attachments)
    return short and bool(_AUTO.search(f"{mail.subject}\n{mail.text[:1500]}"))


# -- importing -------------------------------------------------------------------------------------


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def import_source(ledger: Ledger, files_dir: Path, path: Path, addresses: dict[str, set[str]],
                  today: dt.date) -> Summary:
    """Read every message at `path`, record the matched ones, keep the rest as unmatched.

    One transaction: an import that is interrupted leaves nothing half-recorded, and running
    it again skips what was recorded.
    """
    summary = Summary()
    stored: list[Path] = []
    with ledger.write():
        items = ledger.items()
        matcher = Matcher(items, ledger.events([i.id for i in items] if len(items) <= 500
                                               else None), addresses)
        for label, raw in messages(path):
            if isinstance(raw, Exception):
                summary.outcomes.append(Outcome(label, "failed",
                                                problems=[f"unreadable: {raw}"]))
                continue
            try:
                summary.outcomes.append(_one(ledger, files_dir, matcher, label, raw, today,
                                             stored))
            except Exception as exc:  # recorded as a problem; the rest of the batch goes on
                summary.outcomes.append(Outcome(label, "failed",
                                                problems=[f"{type(exc).__name__}: {exc}"]))
    if stored:
        sync_files(stored)
    return summary


def message_key(mail: mailparse.Mail, raw: bytes) -> str:
    return mail.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def _one(ledger: Ledger, files_dir: Path, matcher: Matcher, label: str, raw: bytes,
         today: dt.date, stored: list[Path]) -> Outcome:
    mail = mailparse.parse(raw)
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


def record_message(ledger: Ledger, files_dir: Path, item_id: str, mail: mailparse.Mail,
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
