"""Intake: the one way a received message enters the ledger, from a mailbox or by hand.

Every message is kept as it came (raw, by content), then classified (own mail, bounce,
automatic reply, forward, reply) and matched, and what became of it is kept with the reason:
recorded on its item, skipped as the user's own, or left unmatched with ranked guesses. A
message is known by its Message-ID and a hash of its content, so it is recorded once however
often it is imported, and two different messages sharing a Message-ID are both kept. A message
that cannot be fully processed is still kept, and listed as unmatched with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import StorageError
from konpfoi.ledger.model import Item, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.mail import attachments, incoming, supporter_mail
from konpfoi.mail.classify import Verdict, classify
from konpfoi.mail.mailboxes import Mailbox
from konpfoi.mail.matching import Contacts, Match, Matcher
from konpfoi.mail.recording import Inbox, Outcome, open_inbox, record
from konpfoi.workspace.files import Syncer

# What each outcome of an import is called, in the order a summary gives them ("sent": a
# supporter's copy of their own letter, which says it went).
STATUSES = ("recorded", "acknowledged", "bounce", "sent", "own", "duplicate", "unmatched",
            "failed")
_EVENT_STATUS = {"reply": "recorded", "review-outcome": "recorded",
                 "acknowledged": "acknowledged", "delivery-failed": "bounce",
                 "delivery-delayed": "bounce"}


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}


def import_source(ledger: Ledger, files_dir: Path, box: Mailbox, contacts: dict[str, Contacts],
                  own: set[str], today: dt.date) -> Summary:
    """Read every message in a mailbox: keep it, classify it, match it, record it.

    One transaction: an import that is interrupted leaves nothing half-recorded, and running
    it again skips what was recorded. Messages left unmatched are tried again at the end
    with what the import learnt (a body's reference from its acknowledgement, say).
    """
    summary = Summary()
    syncer = Syncer()  # the files kept go to disk while the next messages are read
    try:
        with ledger.write():
            inbox = open_inbox(ledger, files_dir, contacts, own, today)
            for label, raw in box.messages():
                if isinstance(raw, Exception):
                    summary.outcomes.append(Outcome(label, "failed", why="could not be read",
                                                    problems=[f"unreadable: {raw}"]))
                    continue
                summary.outcomes.append(receive(inbox, label, raw))
                syncer.add(inbox.stored)
                inbox.stored.clear()
            _retry(inbox, summary)
        syncer.add(inbox.stored)
        syncer.wait()
    finally:
        syncer.stop()
    return summary


def receive(inbox: Inbox, label: str, raw: bytes) -> Outcome:
    """Keep one raw message, then classify, match and record it (or list it as unmatched)."""
    ledger = inbox.ledger
    ident = incoming.identity(raw)
    quick = incoming.quick_message_id(raw)
    out = Outcome(label, "duplicate", key=ident, handle=ident[:8], message_id=quick)
    seen = _seen(ledger, ident, quick)
    if seen is not None:
        out.key, out.item_id, out.subject = seen["key"], seen["item_id"], seen["subject"] or ""
        out.why = f"already imported ({seen['status']})"
        return out
    kept = attachments.store(ledger, inbox.files_dir, raw, "message.eml", "message/rfc822",
                             sync=False)
    inbox.stored.append(kept.path)
    mail: incoming.Mail | None = None
    try:
        mail = incoming.parse(raw)
        out.subject, out.sender, out.problems = mail.subject, mail.from_addr or "", mail.problems
        verdict = classify(mail, inbox.own, inbox.ours, inbox.matcher.knows(mail.from_addr))
        found = inbox.matcher.match(mail, verdict)
    except Exception as exc:  # kept, and listed for the user: never lost, never a crash
        why = f"could not be processed ({type(exc).__name__}: {exc})"
        ledger.add_inbound(_row(ident, mail, kept, status="unmatched", reason=why,
                                problems=out.problems))
        out.status, out.why = "failed", why
        return out
    ledger.add_inbound(_row(ident, mail, kept, status="unmatched", cls=verdict.kind,
                            reason=found.why, problems=mail.problems))
    out.kind = verdict.kind
    try:
        if not supporter_mail.settle(inbox, out, mail, kept, verdict, found):
            settle(inbox, out, mail, kept, verdict, found)
    except StorageError:
        raise  # the ledger itself failed: the whole import is rolled back
    except Exception as exc:  # files are written before any event: nothing half-recorded
        why = f"could not be recorded ({type(exc).__name__}: {exc})"
        ledger.update_inbound(ident, status="unmatched", item_id=None, event_uid=None,
                              reason=why)
        out.status, out.why, out.item_id = "failed", why, None
    return out


def _seen(ledger: Ledger, ident: str, message_id: str | None) -> dict[str, Any] | None:
    """The record of this very message, if it was imported before. A record from before
    content hashes were kept is compared by the content it kept."""
    for rec in ledger.inbound_seen(ident, message_id):
        if rec["identity"] == ident:
            return rec
        try:
            same = incoming.identity(ledger.blob(rec["sha256"])) == ident
        except Exception:
            same = True  # nothing to compare: trust the Message-ID, as before
        if same:
            ledger.update_inbound(rec["key"], identity=ident)
            return rec
    return None


def _row(ident: str, mail: incoming.Mail | None, kept: attachments.Stored, **fields: Any
         ) -> dict[str, Any]:
    return {"key": ident, "identity": ident, "imported_at": now_utc(),
            "sha256": kept.sha256, "message_id": mail.message_id if mail else None,
            "sender": mail.from_addr if mail else None,
            "date": mail.date.isoformat() if mail and mail.date else None,
            "subject": mail.subject if mail else None, "class": fields.pop("cls", None),
            **fields}


def settle(inbox: Inbox, out: Outcome, mail: incoming.Mail, kept: attachments.Stored,
           verdict: Verdict, found: Match) -> None:
    """Decide what becomes of a classified, matched message, and record it."""
    ledger = inbox.ledger
    out.how, out.why, out.item_id = found.how, found.why, found.item
    if verdict.kind == "own":
        out.status, out.why = "own", verdict.reason
        ledger.update_inbound(out.key, status="skipped", item_id=found.item,
                              reason=verdict.reason)
        return
    item = inbox.matcher.items.get(found.item or "")
    why_not = _doubt(verdict, found, item, inbox.matcher)
    if item is None or why_not:
        out.status, out.item_id = "unmatched", None
        out.why = why_not or found.why
        out.candidates = _candidates(found, why_not)
        if verdict.kind == "forward" and found.item:
            out.check = (f"a forward: if it is {found.item}'s, konpfoi replies assign "
                         f"{out.handle} {found.item}")
        ledger.update_inbound(out.key, reason=out.why, candidates=out.candidates)
        return
    kind = _event_kind(verdict, found, inbox.matcher)
    event, notes = record(inbox, item, mail, kept, kind, verdict)
    out.status, out.event = _EVENT_STATUS[kind], event.id
    out.check = "; ".join(notes) or None
    ledger.update_inbound(out.key, status="matched", item_id=item.id, event_uid=event.uid)


def _doubt(verdict: Verdict, found: Match, item: Item | None, matcher: Matcher) -> str | None:
    """Why a match must not be recorded without the user: a forward, or a bounce of a
    message that never went to the item's body."""
    if item is None:
        return None
    if verdict.kind == "forward":
        return f"forwarded by someone else ({found.why}): check it is {item.id}'s first"
    if verdict.kind == "bounce" and found.how in ("our-ref", "their-ref") and verdict.failed \
            and not any(item.body_id in matcher.bodies_of(a) for a in verdict.failed):
        return (f"a message to {', '.join(verdict.failed)} bounced; it names {item.id} "
                f"but did not go to {item.body_name}")
    return None


def _candidates(found: Match, why_not: str | None) -> list[dict[str, Any]]:
    first = [{"item": found.item, "score": 0.9, "why": found.why}] if found.item and why_not \
        else []
    return first + [c for c in found.candidates if c["item"] != found.item]


def _event_kind(verdict: Verdict, found: Match, matcher: Matcher) -> str:
    if verdict.kind == "bounce":
        return "delivery-failed" if verdict.final else "delivery-delayed"
    if verdict.kind == "auto":
        return "acknowledged"
    if found.origin == "internal-review":
        return "review-outcome"
    return "reply"


def _retry(inbox: Inbox, summary: Summary) -> None:
    """Match again what this import left unmatched, with what it has learnt since."""
    for _ in range(3):
        changed = False
        for out in summary.outcomes:
            if out.status != "unmatched" or out.kind in ("forward", "own", "supporter", ""):
                continue
            rec = inbox.ledger.inbound(out.key)
            if rec is None or rec["status"] != "unmatched":
                continue
            raw = inbox.ledger.blob(rec["sha256"])
            mail = incoming.parse(raw)
            verdict = classify(mail, inbox.own, inbox.ours, inbox.matcher.knows(mail.from_addr))
            found = inbox.matcher.match(mail, verdict)
            if found.item is None:
                continue
            kept = attachments.store(inbox.ledger, inbox.files_dir, raw, "message.eml",
                                     "message/rfc822", sync=False)
            if not supporter_mail.settle(inbox, out, mail, kept, verdict, found):
                settle(inbox, out, mail, kept, verdict, found)
            changed = changed or out.status != "unmatched"
        if not changed:
            return
