"""`replies fetch`: read what is new in the user's IMAP folders. Replies go through the one
intake (as `replies import`); the Sent folder tells which requests the user sent from their own
client, and when.

Incremental and safe to kill: each folder's UIDVALIDITY and last UID are remembered in the
ledger, written in the same transaction as the messages they cover, so a fetch stopped at any
point is taken up where the last transaction ended; a message is never recorded twice (intake
knows each by its Message-ID and content) and nothing is marked read (BODY.PEEK).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from konpfoi.ledger.store import Ledger
from konpfoi.mail import intake, sentfolder
from konpfoi.mail.imap import FetchedMessages, ImapConnection
from konpfoi.mail.matching import Contacts

CHUNK = 200  # messages per transaction: a kill loses at most this much work, never a message


@dataclass
class FolderRead:
    folder: str
    role: str  # "replies" or "sent"
    uidvalidity: str
    after: int  # the last UID read before this fetch (0: from the start, or --since)
    last_uid: int
    new: int = 0
    renumbered: bool = False  # the server renumbered the folder: read again from the start
    top: int = 0  # the highest UID in the folder when it was opened
    saved: bool = True  # whether the ledger holds this folder's state as it now stands

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in ("top", "saved")}


@dataclass
class FetchResult:
    account: str
    folders: list[FolderRead] = field(default_factory=list)
    replies: intake.Summary = field(default_factory=intake.Summary)
    sent: list[sentfolder.Found] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    folders: Sequence[str]
    sent: str | None  # the Sent folder to read, if any
    since: dt.date | None  # read from this day (the first run: from the first request)


def first_day(ledger: Ledger, today: dt.date) -> dt.date:
    """A first fetch reads from the day the ledger's first item was made: no reply to it can
    be older, and the rest of the mailbox is none of konpfoi's business."""
    made = [i.created_at for i in ledger.items() if i.created_at]
    first = dt.date.fromisoformat(min(made)[:10]) if made else today
    return min(first, today) - dt.timedelta(days=1)  # the server may date in another zone


def fetch(ledger: Ledger, files_dir: Path, conn: ImapConnection, plan: Plan, *,
          contacts: dict[str, Contacts], own: set[str], today: dt.date,
          on_total: Callable[[int], None] | None = None,
          on_progress: Callable[[int], None] | None = None, chunk: int = CHUNK) -> FetchResult:
    """Read the new messages of each folder (and of Sent), recording as it goes."""
    result = FetchResult(conn.srv.account)
    todo: list[tuple[FolderRead, list[int]]] = []
    roles = [(f, "replies") for f in plan.folders] + ([(plan.sent, "sent")] if plan.sent else [])
    for name, role in roles:
        read, uids = _new_uids(ledger, conn, name, role, plan.since, today)
        todo.append((read, uids))
    if on_total:
        on_total(sum(len(u) for _, u in todo))
    done = 0
    known: dict[str, sentfolder.Issued] | None = None
    for read, uids in todo:
        result.folders.append(read)
        if conn.select(read.folder)[0] != read.uidvalidity:
            continue  # renumbered while we looked: the next fetch reads it again
        for start in range(0, len(uids), chunk):
            part = uids[start:start + chunk]
            fetched = conn.fetch(part, headers_only=read.role == "sent")
            top = max(read.last_uid, part[-1])  # every UID up to here is recorded
            with ledger.write():  # the messages and how far we got: together, or neither
                if read.role == "replies":
                    box = FetchedMessages(read.folder, fetched)
                    summary = intake.import_source(ledger, files_dir, box, contacts, own,
                                                   today)
                    result.replies.outcomes += summary.outcomes
                else:
                    if known is None:
                        known = sentfolder.issued(ledger)
                    result.sent += sentfolder.record(ledger, fetched, known, today,
                                                     read.folder)
                ledger.save_mail_folder(result.account, read.folder, read.uidvalidity, top)
            read.last_uid, read.new = top, read.new + len(part)
            done += len(part)
            if on_progress:
                on_progress(done)
        if read.top > read.last_uid or not read.saved:
            # Read to the end: what --since (or the first day) left out is passed over.
            read.last_uid = max(read.last_uid, read.top)
            with ledger.write():
                ledger.save_mail_folder(result.account, read.folder, read.uidvalidity,
                                        read.last_uid)
    return result


def _new_uids(ledger: Ledger, conn: ImapConnection, folder: str, role: str,
              since: dt.date | None, today: dt.date) -> tuple[FolderRead, list[int]]:
    validity, top = conn.select(folder)
    state = ledger.mail_folder(conn.srv.account, folder)
    if state is not None and state[0] == validity and since is None:
        read = FolderRead(folder, role, validity, state[1], state[1], top=top)
        return read, conn.uids(after=state[1])
    # A first read, a renumbered folder, or --since: from a day (what was recorded before is
    # known to intake and to the ledger, so reading it again records nothing twice).
    kept = state[1] if state is not None and state[0] == validity else 0
    read = FolderRead(folder, role, validity, 0, kept, top=top,
                      renumbered=state is not None and state[0] != validity,
                      saved=state is not None and state[0] == validity)
    return read, conn.uids(since=since or first_day(ledger, today))
