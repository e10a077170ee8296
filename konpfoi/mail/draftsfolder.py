"""`drafts upload`: put drafts in the user's IMAP Drafts folder, so that a volunteer can send
them from webmail or a phone. The Message-ID stays the one the ledger issued, so that
`replies fetch` finds the message in Sent once it has gone, and the clock starts that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from konpfoi.ledger.store import Ledger
from konpfoi.mail.imap import ImapConnection
from konpfoi.mail.outgoing import with_date
from konpfoi.mail.sending import Outgoing, message
from konpfoi.mail.sentfolder import message_id

DRAFT_FLAGS = "(\\Draft)"


@dataclass
class Uploaded:
    item_id: str
    to: str
    subject: str
    status: str  # uploaded, already there
    followup: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def upload(ledger: Ledger, root: Path, conn: ImapConnection, folder: str,
           outgoing: list[Outgoing], now: dt.datetime) -> list[Uploaded]:
    """Append each message to `folder` unless a message with its Message-ID is there."""
    out = []
    for o in outgoing:
        raw = with_date(message(ledger, root, o) or b"", now)
        mid = message_id(raw)
        there = bool(mid and conn.find(folder, mid))
        if not there:
            conn.append(folder, raw, DRAFT_FLAGS, now)
        out.append(Uploaded(o.item.id, o.to, o.item.subject,
                            "already there" if there else "uploaded", o.followup))
    return out
