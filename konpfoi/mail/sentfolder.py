"""The user's Sent folder as evidence of sending: a message there whose Message-ID the ledger
issued (a request, or a follow-up) was sent, on the day the server dated it. `replies fetch`
records what the user sent from their own client; `send --reconcile` settles a message whose
outcome konpfoi never heard.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from konpfoi.law.correspondence import sent_event
from konpfoi.ledger.model import Event
from konpfoi.ledger.store import Ledger
from konpfoi.mail.imap import Fetched, ImapConnection
from konpfoi.tracking.events import drafted, sent_after
from konpfoi.tracking.lifecycle import effective

_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Issued:
    item_id: str
    followup: str | None  # None: the request itself


@dataclass
class Found:
    item_id: str
    followup: str | None
    date: str
    message_id: str
    event: str  # the kind recorded ("sent", "review-requested", ...), or why nothing was


def message_id(raw: bytes) -> str | None:
    """The Message-ID of a message (or of its headers), normalised to <...>."""
    value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Message-ID")
    m = _ID.search(str(value or ""))
    return m.group(0) if m else None


def issued(ledger: Ledger) -> dict[str, Issued]:
    """Every Message-ID the ledger gave a message: requests and drafted follow-ups."""
    out: dict[str, Issued] = {}
    for item in ledger.items():
        if item.message_id:
            out[item.message_id] = Issued(item.id, None)
    for item_id, events in ledger.events().items():
        for e in events:
            if e.kind == "followup-drafted" and e.data.get("message_id"):
                out[str(e.data["message_id"])] = Issued(item_id, str(e.data.get("kind")))
    return out


def server_day(when: dt.datetime | None, today: dt.date) -> str:
    """The local day the server dated a message (never after today)."""
    day = when.astimezone().date() if when is not None else today
    return min(day, today).isoformat()


def already_sent(events: list[Event], followup: str | None) -> Event | None:
    eff = effective(events)
    if followup is None:
        return next((e for e in eff if e.kind == "sent"), None)
    draft = drafted(eff, followup)
    return sent_after(eff, followup, draft) if draft else None


def record(ledger: Ledger, fetched: Iterable[Fetched], known: dict[str, Issued],
           today: dt.date, folder: str, via: str = "Sent folder") -> list[Found]:
    """Record as sent each message of the ledger's found in a Sent folder and not yet
    recorded; call it inside the caller's write transaction."""
    out: list[Found] = []
    for f in fetched:
        mid = message_id(f.raw)
        who = known.get(mid) if mid else None
        if who is None or mid is None:
            continue
        day = server_day(f.date, today)
        events = ledger.events([who.item_id]).get(who.item_id, [])
        done = already_sent(events, who.followup)
        if done is not None:
            out.append(Found(who.item_id, who.followup, done.date, mid, "already recorded"))
            continue
        kind = sent_event(who.followup) if who.followup else "sent"
        data: dict[str, Any] = {"via": via, "folder": folder, "message_id": mid}
        if who.followup:
            data["followup"] = who.followup
        ledger.add_event(who.item_id, kind, day, data=data)
        out.append(Found(who.item_id, who.followup, day, mid, kind))
    return out


def reconcile(ledger: Ledger, conn: ImapConnection, folder: str, item_ids: list[str],
              today: dt.date) -> tuple[list[Found], list[str]]:
    """Settle items whose outcome is unknown: each message of theirs found in the Sent folder
    is recorded as sent on the server's date. Returns what was found, and the items whose
    message is not there (they may still have gone: a server that does not file SMTP mail in
    Sent, or a run killed before its copy was made)."""
    wanted = set(item_ids)
    known = {mid: who for mid, who in issued(ledger).items() if who.item_id in wanted}
    found: list[Found] = []
    for mid, who in known.items():
        copies = conn.find(folder, mid)
        with ledger.write():
            found += record(ledger, copies[:1], {mid: who}, today, folder,
                            via="Sent folder (reconcile)")
    settled = {f.item_id for f in found}
    return found, [i for i in item_ids if i not in settled]
