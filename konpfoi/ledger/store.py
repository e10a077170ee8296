"""The ledger interface every command and domain module talks to; `ledger.backends.open_ledger`
chooses the backend that implements it.

A ledger holds items and their append-only events, the messages konpfoi drafted and the files
it received (content-addressed blobs), coded answers, every inbound message it has seen, and a
disposable cache of each item's derived state. Backends raise konpfoi's own StorageError and
Conflict, never a driver's exception.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput, no_match
from konpfoi.ledger.model import Claim, Event, Fact, Item, Volunteer

# `add_event(actor=CURRENT)`: the volunteer who opened the ledger (an import gives its own).
CURRENT = "<the current volunteer>"


class ImportConflict(Conflict):
    """An imported record contradicts one the ledger holds: the same id for a different item,
    or a record changed since it was exported."""


class Ledger(ABC):
    """One open ledger. Use `with ledger.write():` for each command's single transaction."""

    url: str  # where it is, for people: never a password
    # Opened where this user cannot write (a backup mounted read-only, a shared folder): it
    # answers every read; `write()` refuses with "this workspace is read-only".
    read_only: bool = False
    volunteer: Volunteer | None = None  # who is recording: each event they add says so

    # -- life and transactions -------------------------------------------------------------

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def write(self) -> AbstractContextManager[Ledger]:
        """One write transaction: all of it lands, or none of it."""

    @abstractmethod
    def read(self) -> AbstractContextManager[Ledger]:
        """A consistent snapshot for reading several tables."""

    @property
    @abstractmethod
    def uid(self) -> str:
        """This ledger's own random id (a copy keeps it; a new ledger gets a new one)."""

    @abstractmethod
    def schema_version(self) -> int: ...

    # -- items -----------------------------------------------------------------------------

    @abstractmethod
    def allocate_ids(self, n: int, prefix: str = "K") -> list[str]:
        """`n` new item ids, allocated atomically: two writers never get the same one."""

    @abstractmethod
    def add_item(self, item: Item) -> Item: ...

    @abstractmethod
    def item(self, item_id: str) -> Item:
        """One item; NotFound (with close matches) when there is none."""

    @abstractmethod
    def items(self, campaign: str | None = None, body_id: str | None = None,
              ids: Sequence[str] | None = None, lean: bool = False) -> list[Item]:
        """Items in the order they were added; `lean` reads only id to nation."""

    def pick(self, item_ids: Sequence[str] | None, campaign: str | None) -> list[Item]:
        """The named items, or every item of a campaign."""
        if item_ids:
            return [self.item(i) for i in item_ids]
        if not campaign:
            raise InvalidInput("which items?", hint="give item ids, or --campaign NAME")
        items = self.items(campaign=campaign)
        if not items:
            raise no_match("campaign", campaign, self.campaigns(),
                           message=f"no items in campaign {campaign!r}", among="campaigns")
        return items

    @abstractmethod
    def update_draft(self, item_id: str, *, subject: str, message_sha256: str,
                     content_hash: str) -> None:
        """Point an unsent item at its edited draft (a blob already put); the caller
        records the `edited` event in the same transaction."""

    @abstractmethod
    def claimed(self, keys: Sequence[str]) -> set[str]:
        """Which of these batch keys (migrations.batch_key) a batch has already drafted."""

    @abstractmethod
    def claim(self, key: str, item_id: str) -> None:
        """Record that `item_id` drafts `key`; Conflict if another batch got there first (a
        uniqueness rule in the store, so concurrent batches cannot both draft one body)."""

    @abstractmethod
    def body_counts(self) -> dict[str, int]:
        """How many items refer to each body."""

    @abstractmethod
    def campaigns(self) -> list[str]: ...

    # -- events ----------------------------------------------------------------------------

    @abstractmethod
    def add_event(self, item_id: str, kind: str, date: str, *, note: str | None = None,
                  data: dict[str, Any] | None = None, voids: str | None = None,
                  uid: str | None = None, recorded_at: str | None = None,
                  actor: str | None = CURRENT) -> Event:
        """Append one event, recorded by `actor` (by default the ledger's volunteer)."""

    @abstractmethod
    def events(self, item_ids: Sequence[str] | None = None, lean: bool = False,
               kinds: Sequence[str] | None = None) -> dict[str, list[Event]]:
        """Events per item, in the order they were recorded (`lean`: no recorded_at, note)."""

    @abstractmethod
    def events_by_item(self, item_ids: Sequence[str], lean: bool = False
                       ) -> Iterator[tuple[str, list[Event]]]:
        """Each of these items' events, item by item, holding one item's at a time."""

    @abstractmethod
    def lock_item(self, item_id: str) -> bool:
        """Inside a write transaction: hold the item until it ends, so that no other writer
        records an intent to send it at the same time. False when another writer holds it
        now (skip it: it is theirs)."""

    # -- claims: who is sending what right now ---------------------------------------------

    @abstractmethod
    def put_claim(self, claim: Claim) -> None:
        """Claim an item's message (replacing a claim that ran out)."""

    @abstractmethod
    def drop_claim(self, item_id: str, what: str) -> None: ...

    @abstractmethod
    def claims(self, item_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Claim]:
        """The claims held, by (item, what)."""

    # -- volunteers ------------------------------------------------------------------------

    @abstractmethod
    def join(self, volunteer: Volunteer | None) -> None:
        """Work as `volunteer` from now on: every event added says so, and the ledger keeps
        their row (a new name for their email replaces the old one)."""

    @abstractmethod
    def add_volunteer(self, volunteer: Volunteer, joined_at: str | None = None) -> None:
        """Keep a volunteer (a new name for a known email replaces the old one)."""

    @abstractmethod
    def volunteers(self) -> list[dict[str, Any]]:
        """Every volunteer: email, name, joined_at; by email."""

    @abstractmethod
    def activity(self) -> list[tuple[str, str, int, str]]:
        """(actor, event kind, how many, the latest recorded_at) for every recorded event."""

    @abstractmethod
    def event(self, event_id: int) -> Event: ...

    # -- blobs: drafted messages and received files, by content ----------------------------

    @abstractmethod
    def put_blob(self, content: bytes) -> str:
        """Keep `content` once; its SHA-256, by which it is found again."""

    @abstractmethod
    def blob(self, sha256: str) -> bytes:
        """The content kept under `sha256`; NotFound if the ledger lacks it."""

    # -- attachments and coded answers -----------------------------------------------------

    @abstractmethod
    def add_attachment(self, event_uid: str, stored: Any) -> None: ...

    @abstractmethod
    def attachments(self, event_uids: Sequence[str]) -> dict[str, list[dict[str, Any]]]: ...

    @abstractmethod
    def add_answer(self, event_uid: str, item_id: str, question: int, outcome: str,
                   exemptions: list[str], answer: str | None) -> None: ...

    @abstractmethod
    def answers(self, item_ids: Sequence[str] | None = None) -> dict[str, dict[int, dict]]:
        """The latest coded answer per item and question."""

    # -- inbound mail ----------------------------------------------------------------------

    @abstractmethod
    def inbound(self, key: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def inbound_seen(self, identity: str, message_id: str | None) -> list[dict[str, Any]]:
        """The messages already kept with this content hash, and older records (kept before
        content hashes) with this Message-ID."""

    @abstractmethod
    def add_inbound(self, rec: dict[str, Any]) -> None: ...

    @abstractmethod
    def update_inbound(self, key: str, **changes: Any) -> None:
        """Change what became of a message (status, item, event, reason...); stamps
        changed_at."""

    @abstractmethod
    def find_inbound(self, handle: str) -> list[dict[str, Any]]:
        """Messages by key, Message-ID, or the start (4+ hex digits) of their content hash."""

    @abstractmethod
    def inbound_list(self, status: str | None = None) -> list[dict[str, Any]]: ...

    # -- IMAP folders: how far each has been read -------------------------------------------

    @abstractmethod
    def mail_folder(self, account: str, folder: str) -> tuple[str, int] | None:
        """(UIDVALIDITY, last UID recorded) of a folder of an account, if it was read."""

    @abstractmethod
    def save_mail_folder(self, account: str, folder: str, uidvalidity: str,
                         last_uid: int) -> None:
        """Remember how far a folder was read: call it in the transaction that records the
        messages, so that the two land together."""

    # -- the register: claims about bodies, with their evidence ---------------------------

    @abstractmethod
    def add_fact(self, fact: Fact) -> bool:
        """Keep a claim unless one with its uid is here already; True if it was added."""

    @abstractmethod
    def facts(self, body_id: str | None = None) -> list[Fact]:
        """Every claim (about one body), in the order they were recorded."""

    # -- supporters: who asked to be left out, and erasure -----------------------------------

    @abstractmethod
    def leave_out(self, digest: str, recorded_at: str | None = None) -> bool:
        """Remember a keyed hash of an address that must not be written to again."""

    @abstractmethod
    def left_out(self) -> dict[str, str]:
        """The keyed hashes of those left out, and when each was recorded."""

    @abstractmethod
    def redact_item(self, item_id: str, *, sender_name: str | None,
                    sender_email: str | None) -> None:
        """Replace an item's sender, and let go of its drafted message."""

    @abstractmethod
    def redact_event(self, uid: str, data: dict[str, Any] | None, note: str | None) -> None:
        """Erasure only: replace what an event holds."""

    @abstractmethod
    def drop_attachments(self, event_uids: Sequence[str]) -> list[str]:
        """Forget the files kept with these events; the hashes of their content."""

    @abstractmethod
    def drop_blob(self, sha256: str) -> bool:
        """Let content go unless something still refers to it."""

    @abstractmethod
    def redact_inbound(self, key: str) -> None:
        """Forget who sent a received message and what it was called."""

    # -- export and import -----------------------------------------------------------------

    @abstractmethod
    def dump(self) -> Iterator[dict[str, Any]]:
        """Every record, in an order that an import into an empty ledger reproduces."""

    @abstractmethod
    def load_record(self, rec: dict[str, Any], ids: dict[str, str]) -> bool:
        """Import one exported record unless it is already here; True if it was added."""

    # -- the status cache ------------------------------------------------------------------
    # Each item's state before and after its due date, derived by the lifecycle module and
    # kept where the backend keeps disposable data, so that `status` over a large ledger
    # orders and counts in SQL and derives in full only the rows it shows.

    @abstractmethod
    def attach_views(self, cache_dir: Path, stamp: str) -> None:
        """Use the cache of views derived under `stamp` (holidays, settings, version)."""

    @abstractmethod
    def stale_views(self, stamp: str, campaign: str | None, body_id: str | None
                    ) -> list[tuple[str, str, str | None, int | None, int]]:
        """(id, kind, nation, latest event id, seq) of the items whose cached view is missing
        or out of date."""

    @abstractmethod
    def save_views(self, rows: list[tuple[Any, ...]]) -> None: ...

    @abstractmethod
    def view_page(self, today: int, *, campaign: str | None, body_id: str | None,
                  states: Sequence[str] | None, open_only: bool, due_by: int | None,
                  limit: int | None, owner: str | None = None) -> tuple[list[Item], int]: ...

    @abstractmethod
    def view_counts(self, today: int, campaign: str | None, body_id: str | None,
                    owner: str | None = None) -> dict[str, int]: ...
