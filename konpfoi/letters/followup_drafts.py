"""Follow-ups in the ledger: drafting one (with its attachments), and rendering it again on the
day it is sent so that every date in it is true that day (see letters.followups)."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, KonpfoiError
from konpfoi.law.regimes import DEFAULT_POLICY, Policy
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event, Item
from konpfoi.ledger.store import Ledger
from konpfoi.letters import followups, grounds
from konpfoi.letters.drafting import group_context
from konpfoi.letters.followups import Letter
from konpfoi.letters.templates import Templates
from konpfoi.mail import outgoing
from konpfoi.tracking.events import drafted, sent_after
from konpfoi.tracking.lifecycle import effective
from konpfoi.workspace.config import Config

MAX_ATTACHMENT = 20 * 1024 * 1024  # most mail servers refuse more in one message


@dataclass
class Followup:
    kind: str
    event: Event
    eml: Path
    txt: Path
    to: str
    warnings: list[str] = field(default_factory=list)
    by_hand: str | None = None  # a supporter's letter: who sends it, from their own address


@dataclass(frozen=True)
class Setup:
    """What every follow-up is drafted with: the workspace's templates, folders and settings."""

    templates: Templates
    root: Path
    drafts: Path
    cals: Calendars
    config: Config
    policy: Policy = DEFAULT_POLICY


def read_attachments(paths: list[Path]) -> list[outgoing.Attachment]:
    """The files given with --attach, read before anything is written; a bad one names it."""
    out = []
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"{path}: no such file to attach")
        size = path.stat().st_size
        if size > MAX_ATTACHMENT:
            raise InvalidInput(f"{path}: {size // 1_000_000} MB is too large to attach",
                               hint="most mail servers refuse messages over 20 MB")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        out.append(outgoing.Attachment(path.name, ctype, path.read_bytes()))
    return out


def draft(ledger: Ledger, setup: Setup, item_id: str, kind: str, *, reason: str | None,
          now: dt.datetime, late: bool = False, attach: list[Path] | None = None) -> Followup:
    """Draft a follow-up to an item and record it (`followup-drafted`), with what it was made
    from, so that `send` can render it again on the day it goes."""
    files = read_attachments(attach or [])
    with ledger.write():
        item = ledger.item(item_id)
        stored = [{"name": a.name, "type": a.content_type, "sha256": ledger.put_blob(a.data)}
                  for a in files]
        inputs = {"kind": kind, "reason": " ".join((reason or "").split()), "late": late,
                  "attachments": stored}
        letter, raw = _render(ledger, setup, item, inputs, files, now)
        event, eml, txt = _record(ledger, setup, item, inputs, letter, raw, now)
    who = item.sender_email if item.sender_email != setup.config.email else None
    return Followup(kind, event, eml, txt, letter.to_email, letter.warnings, who)


def _render(ledger: Ledger, setup: Setup, item: Item, inputs: dict[str, Any],
            files: list[outgoing.Attachment], now: dt.datetime) -> tuple[Letter, bytes]:
    today = now.date()
    events = ledger.events([item.id]).get(item.id, [])
    answers = ledger.answers([item.id]).get(item.id, {})
    g = grounds.read(item, events, answers, setup.cals, today, setup.policy)
    config = setup.config
    own = (item.sender_email or "").lower() == (config.email or "").lower()
    requester = {"name": item.sender_name or config.name or "",
                 "email": item.sender_email or config.email or "",
                 "address": (config.address or "") if own else ""}
    letter = followups.compose(
        setup.templates, g, inputs["kind"], reason=inputs["reason"], late=inputs["late"],
        attachments=tuple(a.name for a in files), requester=requester,
        group=group_context(config),
        original=followups.original(followups.blob_or_none(ledger, item.message_sha256), item,
                                    g.facts.sent))
    msg_id = outgoing.message_id(f"{item.id}-{inputs['kind']}", requester["email"])
    raw = outgoing.build(sender_name=requester["name"], sender_email=requester["email"],
                         to_name=letter.to_name, to_email=letter.to_email,
                         subject=letter.subject, text=letter.text, msg_id=msg_id, date=now,
                         in_reply_to=item.message_id if letter.to_body else None,
                         attachments=files)
    return letter, raw


def _record(ledger: Ledger, setup: Setup, item: Item, inputs: dict[str, Any], letter: Letter,
            raw: bytes, now: dt.datetime, redated: Event | None = None
            ) -> tuple[Event, Path, Path]:
    kind = inputs["kind"]
    stem, n = f"{item.id}-{kind}", 1
    while (setup.drafts / f"{stem}.eml").exists():
        n += 1
        stem = f"{item.id}-{kind}-{n}"
    names = [a["name"] for a in inputs["attachments"]]
    eml, txt = outgoing.write_draft(
        raw, outgoing.text_copy(letter.to_name, letter.to_email, letter.subject, letter.text,
                                names), setup.drafts, stem)
    data = {**inputs, "draft": str(eml.relative_to(setup.root)), "to": letter.to_email,
            "subject": letter.subject,
            "message_id": _message_id(raw), "message": ledger.put_blob(raw)}
    if redated is not None:
        data["redated"] = redated.id
    event = ledger.add_event(item.id, "followup-drafted", now.date().isoformat(), data=data)
    return event, eml, txt


def _message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=default)["Message-ID"])


@dataclass
class Redated:
    """What re-rendering drafted follow-ups for the day they are sent found."""

    notes: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # item id -> why it cannot go today


def redate(ledger: Ledger, setup: Setup, items: list[Item], kind: str, now: dt.datetime, *,
           write: bool) -> Redated:
    """Render each item's latest unsent follow-up of `kind` again for today. A follow-up that
    is no longer true today is refused; one whose words changed (a date, a count of days) is
    recorded again when `write` (else only noted, for a dry run)."""
    out = Redated()
    for item in items:
        evs = effective(ledger.events([item.id]).get(item.id, []))
        event = drafted(evs, kind)
        if event is None or sent_after(evs, kind, event) or followups.inputs(event) is None:
            continue
        inputs: dict[str, Any] = {k: event.data[k] for k in
                                  ("kind", "reason", "late", "attachments") if k in event.data}
        inputs.setdefault("attachments", [])
        files = [outgoing.Attachment(a["name"], a["type"], ledger.blob(a["sha256"]))
                 for a in inputs["attachments"]]
        try:
            letter, raw = _render(ledger, setup, item, inputs, files, now)
        except KonpfoiError as exc:
            out.refused[item.id] = f"no longer true today: {exc.message}"
            continue
        old = followups.blob_or_none(ledger, event.data.get("message"))
        if old is not None and _text(old) == _text(raw):
            continue
        what = f"{item.id}'s {kind.replace('-', ' ')}"
        if write:
            with ledger.write():
                _record(ledger, setup, item, inputs, letter, raw, now, redated=event)
            out.notes.append(f"{what} was drafted on {event.date}: its dates are now counted "
                             f"from today, {now.date()}")
        else:
            out.notes.append(f"{what} was drafted on {event.date}: sending it will count its "
                             "dates from the day it goes")
    return out


def _text(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=default)
    part = msg.get_body(("plain",))  # type: ignore[attr-defined]
    return part.get_content() if part is not None else ""
