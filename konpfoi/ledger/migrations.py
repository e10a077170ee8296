"""The ledger's schema as named, ordered migrations (as simonw/llm's `migrations.py`): a ledger
records which it has applied, and never runs one twice. Never edit a migration that shipped:
add the next one.

One model for every backend: a statement may name a type as {pk}, {int} or {blob}, which each
dialect spells its own way; a step may also be a function, for what SQL cannot say portably.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from konpfoi.ledger.model import new_uid, now_utc

APP_ID = "konpfoi-ledger"


@dataclass(frozen=True)
class Dialect:
    name: str
    types: dict[str, str]

    def sql(self, statement: str) -> str:
        return statement.format(**self.types)


SQLITE = Dialect("sqlite", {"pk": "INTEGER PRIMARY KEY", "int": "INTEGER", "blob": "BLOB"})

Step = str | Callable[[Any], None]  # a statement, or a function of the open connection


def _meta(db: Any) -> None:
    db.executemany("INSERT INTO konpfoi_meta (key, value) VALUES (?, ?)",
                   [("app", APP_ID), ("uid", new_uid())])


def _id_counters(db: Any) -> None:
    """Each id prefix's counter starts at the highest number it has used."""
    top: dict[str, int] = {}
    for (item_id,) in db.execute("SELECT id FROM items").fetchall():
        prefix, _, number = item_id.rpartition("-")
        if prefix and number.isdigit():
            top[prefix] = max(top.get(prefix, 0), int(number))
    db.executemany("INSERT INTO counters (name, value) VALUES (?, ?)",
                   [(f"id:{p}", n) for p, n in sorted(top.items())])


def batch_key(campaign: str, body_id: str, sender_email: str | None) -> str:
    """What a batch drafts once: a body, in a campaign, from a sender."""
    return json.dumps([campaign, body_id, sender_email], ensure_ascii=False)


def _claim_existing(db: Any) -> None:
    """What campaigns drafted before claims were kept is claimed by its first item."""
    rows = db.execute("SELECT id, campaign, body_id, sender_email FROM items "
                      "WHERE campaign IS NOT NULL ORDER BY seq").fetchall()
    claims: dict[str, str] = {}
    for item_id, campaign, body_id, sender in rows:
        claims.setdefault(batch_key(campaign, body_id, sender), item_id)
    db.executemany("INSERT INTO batch_claims (key, item_id) VALUES (?, ?)",
                   [(k, i) for k, i in claims.items()])


MIGRATIONS: list[tuple[str, tuple[Step, ...]]] = [
    ("m001_initial", (
        """CREATE TABLE konpfoi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE items (
            id TEXT PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            seq {int} NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            campaign TEXT,
            body_id TEXT NOT NULL,
            body_name TEXT NOT NULL,
            body_email TEXT,
            nation TEXT,
            sender_name TEXT,
            sender_email TEXT,
            subject TEXT NOT NULL,
            template TEXT,
            question_set TEXT,
            questions TEXT NOT NULL,
            draft_path TEXT,
            content_hash TEXT,
            message_id TEXT,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX items_campaign ON items (campaign)",
        "CREATE INDEX items_body ON items (body_id)",
        "CREATE INDEX items_message_id ON items (message_id)",
        """CREATE TABLE events (
            id {pk},
            uid TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL REFERENCES items (id),
            kind TEXT NOT NULL,
            date TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            note TEXT,
            data TEXT,
            voids TEXT REFERENCES events (uid))""",
        "CREATE INDEX events_item ON events (item_id)",
        """CREATE TABLE attachments (
            id {pk},
            event_uid TEXT NOT NULL REFERENCES events (uid),
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            original_name TEXT,
            size {int} NOT NULL,
            content_type TEXT)""",
        "CREATE INDEX attachments_event ON attachments (event_uid)",
        """CREATE TABLE answers (
            id {pk},
            event_uid TEXT NOT NULL REFERENCES events (uid),
            item_id TEXT NOT NULL REFERENCES items (id),
            question {int} NOT NULL,
            outcome TEXT NOT NULL,
            exemptions TEXT NOT NULL,
            answer TEXT)""",
        "CREATE INDEX answers_item ON answers (item_id)",
        """CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)""",
        _meta,
    )),
    ("m002_inbound", (
        # Every message `replies import` has seen, matched or not: a message is recorded once.
        """CREATE TABLE inbound (
            key TEXT PRIMARY KEY,
            imported_at TEXT NOT NULL,
            date TEXT,
            sender TEXT,
            subject TEXT,
            sha256 TEXT NOT NULL,
            item_id TEXT REFERENCES items (id),
            event_uid TEXT REFERENCES events (uid),
            status TEXT NOT NULL,
            candidates TEXT,
            problems TEXT)""",
        "CREATE INDEX inbound_status ON inbound (status)",
    )),
    ("m003_store", (
        # Ids are allocated from counters in one statement, so two writers never share one;
        # drafted messages and received files live in the ledger by content, so a ledger
        # shared by several machines can send a draft made on another.
        "CREATE TABLE counters (name TEXT PRIMARY KEY, value {int} NOT NULL)",
        "INSERT INTO counters (name, value) SELECT 'seq', COALESCE(MAX(seq), 0) FROM items",
        _id_counters,
        "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size {int} NOT NULL, "
        "content {blob} NOT NULL)",
        "ALTER TABLE items ADD COLUMN message_sha256 TEXT",
    )),
    ("m004_mail_folders", (
        # How far `replies fetch` has read each IMAP folder: written in the transaction that
        # records the messages, so a fetch killed at any point neither loses nor repeats one.
        # UIDVALIDITY is the server's opaque name for a folder's numbering: kept as text.
        """CREATE TABLE mail_folders (
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity TEXT NOT NULL,
            last_uid {int} NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (account, folder))""",
    )),
    ("m005_inbound_identity", (
        # A received message is known by its Message-ID AND a hash of its content, so that
        # two different messages sharing a Message-ID are both kept; each keeps what it is
        # (own mail, bounce, automatic reply, reply), why, and when the user last changed it
        # (assigned, dismissed, undone).
        "ALTER TABLE inbound ADD COLUMN message_id TEXT",
        "ALTER TABLE inbound ADD COLUMN identity TEXT",
        "ALTER TABLE inbound ADD COLUMN class TEXT",
        "ALTER TABLE inbound ADD COLUMN reason TEXT",
        "ALTER TABLE inbound ADD COLUMN changed_at TEXT",
        "UPDATE inbound SET message_id = key WHERE key LIKE '<%'",
        "CREATE INDEX inbound_message_id ON inbound (message_id)",
        "CREATE UNIQUE INDEX inbound_identity ON inbound (identity)",
    )),
    ("m006_batch_claims", (
        # One row per (campaign, body, sender) a batch has drafted: the primary key is the
        # rule that two batches of one campaign run at once cannot both draft a body (a
        # uniqueness rule, not a check-then-insert race). A local guard: not exported.
        "CREATE TABLE batch_claims (key TEXT PRIMARY KEY, "
        "item_id TEXT NOT NULL REFERENCES items (id))",
        _claim_existing,
    )),
    ("m007_facts", (
        # The FDP register: claims about bodies, each with its evidence (a coded FOI answer,
        # item and question, or a URL) and the day it was checked. Appended, never
        # overwritten: claims that disagree are shown as a conflict until one settles the key.
        """CREATE TABLE facts (
            id {pk},
            uid TEXT NOT NULL UNIQUE,
            body_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            source TEXT NOT NULL,
            item_id TEXT,
            question {int},
            checked TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            note TEXT,
            settles {int} NOT NULL)""",
        "CREATE INDEX facts_body ON facts (body_id, key)",
        # Supporters who asked to be left out, by a keyed hash of their address (never the
        # address itself): a later supporters file that names them again is not written to.
        "CREATE TABLE left_out (digest TEXT PRIMARY KEY, recorded_at TEXT NOT NULL)",
    )),
]
SCHEMA_VERSION = len(MIGRATIONS)
KNOWN = frozenset(name for name, _ in MIGRATIONS)


def pending(applied: set[str]) -> list[tuple[str, tuple[Step, ...]]]:
    return [(name, steps) for name, steps in MIGRATIONS if name not in applied]


def apply(db: Any, dialect: Dialect, applied: set[str]) -> None:
    """Run every migration not yet applied, inside the caller's transaction."""
    for name, steps in pending(applied):
        for step in steps:
            if callable(step):
                step(db)
            else:
                db.execute(dialect.sql(step))
        db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now_utc()))
