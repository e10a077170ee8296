"""What supporters send the group, and what answers their packs.

A supporter's letter to their MP goes from their own address; the pack asks them to copy the
group (Bcc), and to forward their MP's reply. So mail from a supporter is read here, before
it could pass for a body's reply:

- a copy of their letter (From them, to their MP, or carrying the letter's Message-ID), or
  their own forward of it, records the letter as sent by the supporter on the day it went —
  which starts the reminder clock;
- their MP's reply, forwarded (inline, or attached as message/rfc822), is recorded as the
  reply to that supporter's letter, on the day the MP wrote it;
- anything else from them waits in `replies unmatched`, with the reason.

A reply to a pack itself (an out-of-office, a note from another address) is never taken for
the MP's reply.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from konpfoi.law.correspondence import SUPPORTER_PACK
from konpfoi.law.dates import uk_day
from konpfoi.ledger.model import ITEM_ID_PATTERN, Item, left_out_digest
from konpfoi.mail import attachments, incoming
from konpfoi.mail.classify import Verdict
from konpfoi.mail.forwarded import forwarded
from konpfoi.mail.matching import Match
from konpfoi.mail.recording import Inbox, Outcome, event_day, record
from konpfoi.tracking.lifecycle import effective

_OUR_ID = re.compile(rf"\b{ITEM_ID_PATTERN}\b")


def settle(inbox: Inbox, out: Outcome, mail: incoming.Mail, kept: attachments.Stored,
           verdict: Verdict, found: Match) -> bool:
    """Record a supporter's mail (or hold a reply to a pack); False if it is neither."""
    sender = (mail.from_addr or "").lower()
    if sender and left_out_digest(sender) in inbox.left_out:
        _hold(inbox, out, "from a supporter who asked to be left out: nothing of theirs is "
                          "recorded", None, f"konpfoi supporters forget {sender} --yes removes "
                                            "it again")
        return True
    letters = inbox.supporters.get(sender)
    if letters and sender not in inbox.own:
        items = [inbox.matcher.items[i] for i in letters if i in inbox.matcher.items]
        out.kind = "supporter"
        inbox.ledger.update_inbound(out.key, **{"class": "supporter"})
        _from_supporter(inbox, out, mail, kept, items)
        return True
    if found.origin == SUPPORTER_PACK.key and verdict.kind not in ("bounce", "own"):
        item = inbox.matcher.items.get(found.item or "")
        who = (item.sender_name if item else None) or "a supporter"
        _hold(inbox, out, f"an answer to the pack sent to {who} ({found.item}), not their MP's "
                          "reply", found.item,
              f"if they say they have sent their letter: konpfoi supporters confirm "
              f"{found.item}")
        return True
    return False


def _from_supporter(inbox: Inbox, out: Outcome, mail: incoming.Mail,
                    kept: attachments.Stored, items: list[Item]) -> None:
    name = items[0].sender_name or mail.from_addr or "a supporter"
    to_mp = [i for i in items if (i.body_email or "").lower() in mail.to
             or (mail.message_id and mail.message_id == i.message_id)]
    if to_mp:
        item = _one(to_mp, mail)
        if item is None:
            _hold(inbox, out, f"{name}'s copy of a letter, but it does not say which of "
                              f"{', '.join(i.id for i in to_mp)}", None,
                  "konpfoi supporters confirm ID for the one they sent", to_mp)
            return
        day, _ = event_day(inbox, mail)
        _sent(inbox, out, item, mail, kept, day, "their copy to the group")
        return
    enc = forwarded(mail)
    if enc is not None and enc.from_addr == (mail.from_addr or "").lower():
        own = [i for i in items if (i.body_email or "").lower() in enc.to]
        item = _one(own, mail)
        if item is not None:
            _sent(inbox, out, item, mail, kept, _day(inbox, enc.moment, mail),
                  "their forward of it to the group")
            return
    if enc is not None and enc.from_addr:
        theirs = [i for i in items if (i.body_email or "").lower() == enc.from_addr
                  or i.body_id in inbox.matcher.bodies_of(enc.from_addr)]
        item = _one(theirs, mail)
        if item is not None:
            _reply(inbox, out, item, mail, kept, enc)
            return
        _hold(inbox, out, f"a forward from {name}, of a message from {enc.from_addr}: not from "
                          "the MP they wrote to", None,
              f"if it is their MP's reply: konpfoi replies assign {out.handle} ID", items)
        return
    _hold(inbox, out, f"from {name}: neither a copy of their letter nor their MP's reply "
                      "forwarded", None,
          f"if they say they have sent it: konpfoi supporters confirm {items[0].id}", items)


def _one(items: list[Item], mail: incoming.Mail) -> Item | None:
    """The letter a message is about: the only one, the one it names, or the only unsent."""
    if len(items) <= 1:
        return items[0] if items else None
    named = set(_OUR_ID.findall(f"{mail.subject}\n{mail.text}"))
    picked = [i for i in items if i.id in named]
    return picked[0] if len(picked) == 1 else None


def _day(inbox: Inbox, moment: dt.datetime | None, mail: incoming.Mail) -> dt.date:
    if moment is None:
        return event_day(inbox, mail)[0]
    return min(uk_day(moment), inbox.today)


def _sent_event(inbox: Inbox, item: Item) -> Any:
    evs = effective(inbox.ledger.events([item.id]).get(item.id, []))
    return next((e for e in evs if e.kind == "sent"), None), next(
        (e.date for e in evs if e.kind == "drafted"), None)


def _sent(inbox: Inbox, out: Outcome, item: Item, mail: incoming.Mail,
          kept: attachments.Stored, day: dt.date, via: str) -> None:
    """The supporter sent their letter: recorded once, on the day it went."""
    ledger = inbox.ledger
    who = item.sender_name or "the supporter"
    out.status, out.item_id, out.how = "sent", item.id, "supporter"
    done, drafted = _sent_event(inbox, item)
    if done is not None:
        out.why = f"{who}'s letter to {item.body_name}: already recorded as sent on {done.date}"
        ledger.update_inbound(out.key, status="matched", item_id=item.id, reason=out.why)
        return
    if drafted and day.isoformat() < drafted:
        out.check = f"it is dated {day}, before the letter was drafted: recorded as {drafted}"
        day = dt.date.fromisoformat(drafted)
    event = ledger.add_event(item.id, "sent", day.isoformat(), data={
        "by": "supporter", "via": via, "message_id": mail.message_id,
        "subject": mail.subject, "attachments": [kept.name]})
    ledger.add_attachment(event.uid, kept)
    out.event = event.id
    out.why = f"{who}'s letter to {item.body_name}, {via}: sent on {day}"
    ledger.update_inbound(out.key, status="matched", item_id=item.id, event_uid=event.uid,
                          reason=out.why)


def _reply(inbox: Inbox, out: Outcome, item: Item, mail: incoming.Mail,
           kept: attachments.Stored, enc: incoming.Enclosed) -> None:
    """Their MP's reply, forwarded: recorded on their letter, on the day the MP wrote it."""
    ledger = inbox.ledger
    day = _day(inbox, enc.moment, mail)
    notes = []
    done, drafted = _sent_event(inbox, item)
    if done is None:  # the reply shows it went, by then at the latest
        sent_day = max(day.isoformat(), drafted or day.isoformat())
        ev = ledger.add_event(item.id, "sent", sent_day, data={
            "by": "supporter", "via": "their MP's reply shows it went", "date_unknown": True})
        notes.append(f"no copy of {item.id} came, so it is recorded as sent on {sent_day}, "
                     f"the day of the reply; if you know the day: konpfoi record {item.id} "
                     f"correction --event {ev.id} --date YYYY-MM-DD")
    event, more = record(inbox, item, mail, kept, "reply", None, day=day, data={
        "from": enc.from_addr, "subject": enc.subject, "forwarded_by": "the supporter"})
    out.status, out.item_id, out.how, out.event = "recorded", item.id, "supporter", event.id
    out.why = (f"{item.body_name}'s reply to {item.sender_name or 'the supporter'}, "
               "forwarded by them")
    out.check = "; ".join(notes + more) or None
    ledger.update_inbound(out.key, status="matched", item_id=item.id, event_uid=event.uid,
                          reason=out.why)


def _hold(inbox: Inbox, out: Outcome, why: str, item_id: str | None, check: str,
          guesses: list[Item] | None = None) -> None:
    """Left for the user, with the reason and what to do."""
    out.status, out.item_id, out.why, out.check = "unmatched", None, why, check
    out.candidates = [{"item": i.id, "score": 0.5, "why": f"{i.sender_name}'s letter to "
                       f"{i.body_name}"} for i in (guesses or [])][:5]
    if item_id and not out.candidates:
        out.candidates = [{"item": item_id, "score": 0.3, "why": "its pack"}]
    inbox.ledger.update_inbound(out.key, reason=why, candidates=out.candidates)
