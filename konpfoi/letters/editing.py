"""Changing a draft by hand before it goes (`konpfoi edit`), and withdrawing an item
(`konpfoi withdraw`). The ledger keeps every version: an edit stores the new message as a blob
beside the old one, points the item at it, and records an `edited` event naming both, so
`send` sends the edited text and `show` tells the story; a withdrawal is an event too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters.wording import wrap
from konpfoi.mail import outgoing
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.config import has_placeholder

# How the text a person edits begins: the subject on its own line, then a blank line.
SUBJECT = "Subject: "


@dataclass
class Edited:
    item: Item
    event: Event | None  # None: nothing changed
    eml: Path | None = None
    txt: Path | None = None
    warnings: list[str] = field(default_factory=list)


def edit(ledger: Ledger, item_id: str, drafts_dir: Path, editor: Callable[[str], str | None],
         today: dt.date) -> Edited:
    """Let `editor` change an unsent draft: it is given the subject and text as a person reads
    them and returns them changed (or None to leave the draft as it was). The change is
    recorded only if the draft is still as it was when the editor opened it."""
    with ledger.read():
        item = ledger.item(item_id)
        _check_editable(item, effective(ledger.events([item.id]).get(item.id, [])))
        before = item.message_sha256 or ""
        msg = message_from_bytes(ledger.blob(before), policy=default)
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
    changed = editor(f"{SUBJECT}{item.subject}\n\n{text}")
    if changed is None:
        return Edited(item, None)
    subject, new_text = _parse(changed)
    if subject == item.subject and new_text == text:
        return Edited(item, None)
    raw = outgoing.build(
        sender_name=item.sender_name or "", sender_email=item.sender_email or "",
        to_name=item.body_name, to_email=item.body_email or "", subject=subject,
        text=new_text, msg_id=item.message_id or outgoing.message_id(
            item.id, item.sender_email or ""), date=_date(msg))
    with ledger.write():
        now = ledger.item(item.id)
        if now.message_sha256 != before:
            raise Conflict(f"{item.id}'s draft changed while you were editing it; your "
                           "version was not kept", hint=f"run konpfoi edit {item.id} again")
        _check_editable(now, effective(ledger.events([item.id]).get(item.id, [])))
        sha = ledger.put_blob(raw)
        digest = outgoing.content_hash(new_text)
        ledger.update_draft(item.id, subject=subject, message_sha256=sha,
                            content_hash=digest)
        event = ledger.add_event(item.id, "edited", today.isoformat(), data={
            "before": before, "after": sha, "subject": subject if subject != item.subject
            else None})
        eml, txt = outgoing.write_draft(
            raw, outgoing.text_copy(item.body_name, item.body_email or "", subject, new_text),
            drafts_dir, item.id)
    return Edited(replace(item, subject=subject, message_sha256=sha, content_hash=digest),
                  event, eml, txt, _warnings(item, subject, new_text,
                                             item.id in item.subject or item.id in text))


def _gone(evs: list[Event]) -> Event | None:
    """The withdrawal or closing that stands (a later `reopened` undoes it)."""
    gone = None
    for e in evs:
        if e.kind in ("withdrawn", "closed"):
            gone = e
        elif e.kind == "reopened":
            gone = None
    return gone


def _check_editable(item: Item, evs: list[Event]) -> None:
    sent = next((e for e in evs if e.kind in ("sent", "send-attempt")), None)
    if sent is not None:
        raise Conflict(f"{item.id} was sent on {sent.date}: a letter that went cannot change",
                       hint=f"write again with a follow-up: konpfoi followup {item.id} "
                            "--kind ...")
    gone = _gone(evs)
    if gone is not None:
        raise Conflict(f"{item.id} was {gone.kind} on {gone.date}",
                       hint=f"konpfoi record {item.id} reopened first, if you mean to send it")
    if not item.message_sha256:
        raise Conflict(f"{item.id} has no draft in the ledger to edit",
                       hint="draft it again: konpfoi draft ...")


def _parse(text: str) -> tuple[str, str]:
    """(subject, letter) from what the person saved: a 'Subject:' line, a blank line, the
    letter. A subject on more than one line, or none, is refused."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    head, sep, letter = text.partition("\n\n")
    if not head.startswith(SUBJECT) or "\n" in head.strip():
        raise InvalidInput("the edited draft must start with its 'Subject: ...' line, then a "
                           "blank line, then the letter", hint="nothing was changed")
    subject = " ".join(head[len(SUBJECT):].split())
    if not subject:
        raise InvalidInput("the subject is empty", hint="nothing was changed")
    outgoing.check_header(subject, "subject")
    letter = wrap(letter.strip("\n")).rstrip() + "\n"
    if not letter.strip():
        raise InvalidInput("the letter is empty",
                           hint="nothing was changed; to give it up: konpfoi withdraw ID")
    return subject, letter


def _date(msg: object) -> dt.datetime:
    try:
        return parsedate_to_datetime(str(msg["Date"]))  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return dt.datetime.now().astimezone()


def _warnings(item: Item, subject: str, text: str, had_reference: bool) -> list[str]:
    out = []
    if has_placeholder(subject + text):
        out.append(f"{item.id} still has placeholders: it cannot be sent until they are gone")
    if had_reference and item.id not in subject and item.id not in text:
        out.append(f"{item.id}'s reference is no longer in it: replies will be matched by "
                   "Message-ID and address only")
    return out


def withdraw(ledger: Ledger, item_ids: list[str], today: dt.date, note: str | None = None
             ) -> list[Event]:
    """Record that the group withdrew these items (decided not to send, or gave up on one
    sent): nothing is deleted, and status leaves them out unless --all."""
    if not item_ids:
        raise InvalidInput("which items?", hint="give the item ids, e.g. konpfoi withdraw K-0007")
    out = []
    with ledger.write():
        for item_id in item_ids:
            item = ledger.item(item_id)
            evs = effective(ledger.events([item.id]).get(item.id, []))
            done = _gone(evs)
            if done is not None and done.kind == "withdrawn":
                raise Conflict(f"{item.id} was already withdrawn on {done.date}",
                               hint=f"konpfoi show {item.id} tells its story")
            out.append(ledger.add_event(item.id, "withdrawn", today.isoformat(), note=note))
    return out
