"""The ledger: items and append-only events in SQLite. All of konpfoi's SQL lives here.

The SQL is kept portable (standard types, ON CONFLICT, no SQLite-only functions in queries) so a
PostgreSQL backend can follow; only `_connect` and the PRAGMAs are SQLite's own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, NotFound, StorageError
from konpfoi.fsutil import PRIVATE_FILE
from konpfoi.records import Event, Item

APP_ID = "konpfoi-ledger"
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Named, ordered migrations; a ledger records which it has applied. Never edit one that shipped.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("m001_initial", (
        """CREATE TABLE konpfoi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE items (
            id TEXT PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            seq INTEGER NOT NULL UNIQUE,
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
            id INTEGER PRIMARY KEY,
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
            id INTEGER PRIMARY KEY,
            event_uid TEXT NOT NULL REFERENCES events (uid),
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            original_name TEXT,
            size INTEGER NOT NULL,
            content_type TEXT)""",
        "CREATE INDEX attachments_event ON attachments (event_uid)",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            event_uid TEXT NOT NULL REFERENCES events (uid),
            item_id TEXT NOT NULL REFERENCES items (id),
            question INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            exemptions TEXT NOT NULL,
            answer TEXT)""",
        "CREATE INDEX answers_item ON answers (item_id)",
        """CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)""",
    )),
]
SCHEMA_VERSION = len(MIGRATIONS)

_ITEM_COLUMNS = ("id", "uid", "kind", "campaign", "body_id", "body_name", "body_email", "nation",
                 "sender_name", "sender_email", "subject", "template", "question_set",
                 "questions", "draft_path", "content_hash", "message_id", "created_at")
_EVENT_COLUMNS = ("id", "uid", "item_id", "kind", "date", "recorded_at", "note", "data", "voids")


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_uid() -> str:
    return uuid.uuid4().hex


def format_item_id(seq: int) -> str:
    return f"K-{seq:04d}"


class Ledger:
    """One open ledger. Use `with ledger.write():` for each command's single transaction."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        if not path.exists():
            if not create:
                raise NotFound(f"no ledger at {path}", hint="draft something first")
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        else:
            _check_is_sqlite(path)
        try:
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"{path} cannot be used as a ledger ({exc}); it was left untouched",
                hint="restore it from a backup (konpfoi export) or move it aside",
            ) from None
        self._in_tx = False

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {r[0] for r in rows}

    def _migrate(self) -> None:
        tables = self._tables()
        if tables and "konpfoi_meta" not in tables:
            raise StorageError(
                f"{self.path} is an SQLite database that konpfoi did not create; "
                "it was left untouched",
                hint="move it aside, or use another workspace folder",
            )
        applied = set()
        if "migrations" in tables:
            applied = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        unknown = applied - known
        if unknown:
            raise Conflict(
                f"{self.path} was written by a newer konpfoi (schema {len(applied)}, "
                f"this konpfoi knows {SCHEMA_VERSION})",
                hint="upgrade konpfoi: pip install -U konpfoi",
            )
        pending = [(n, sql) for n, sql in MIGRATIONS if n not in applied]
        if not pending:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if "migrations" in self._tables():
                applied = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
            for name, statements in MIGRATIONS:
                if name in applied:
                    continue
                for statement in statements:
                    self.db.execute(statement)
                if name == "m001_initial":
                    self.db.execute("INSERT INTO konpfoi_meta (key, value) VALUES (?, ?)",
                                    ("app", APP_ID))
                self.db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                                (name, now_utc()))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM migrations").fetchone()[0])

    # -- transactions ----------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        """One write transaction: all of it lands, or none of it."""
        if self._in_tx:
            yield self
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._in_tx = False

    @contextmanager
    def read(self) -> Iterator[Ledger]:
        """A consistent snapshot for reading several tables."""
        if self._in_tx:
            yield self
            return
        self.db.execute("BEGIN")
        self._in_tx = True
        try:
            yield self
        finally:
            self.db.execute("COMMIT")
            self._in_tx = False

    # -- items -----------------------------------------------------------------------------------

    def next_item_id(self) -> str:
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM items").fetchone()
        return format_item_id(int(row[0]))

    def add_item(self, item: Item) -> Item:
        seq = int(item.id.split("-", 1)[1])
        values = _item_row(item)
        self.db.execute(
            f"INSERT INTO items (seq, {', '.join(_ITEM_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(_ITEM_COLUMNS))})",
            (seq, *values),
        )
        return item

    def item(self, item_id: str) -> Item:
        row = self.db.execute(
            f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items WHERE id = ?", (item_id.upper(),)
        ).fetchone()
        if row is None:
            ids = [r[0] for r in self.db.execute("SELECT id FROM items ORDER BY seq")]
            close = difflib.get_close_matches(item_id.upper(), ids, n=3, cutoff=0.6)
            raise NotFound(
                f"no item {item_id!r} in the ledger",
                hint=("did you mean " + ", ".join(close) + "?") if close
                else "list items with: konpfoi status --all",
                suggestions=close,
            )
        return _item(row)

    def items(self, campaign: str | None = None, body_id: str | None = None,
              ids: Sequence[str] | None = None) -> list[Item]:
        sql = f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items"
        where, args = [], []
        if campaign is not None:
            where.append("campaign = ?")
            args.append(campaign)
        if body_id is not None:
            where.append("body_id = ?")
            args.append(body_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + " ORDER BY seq", args).fetchall()
        items = [_item(r) for r in rows]
        if ids is not None:
            wanted = set(ids)
            items = [i for i in items if i.id in wanted]
        return items

    def campaigns(self) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT campaign FROM items WHERE campaign IS NOT NULL ORDER BY campaign")
        return [r[0] for r in rows]

    # -- events ----------------------------------------------------------------------------------

    def add_event(self, item_id: str, kind: str, date: str, *, note: str | None = None,
                  data: dict[str, Any] | None = None, voids: str | None = None,
                  uid: str | None = None, recorded_at: str | None = None) -> Event:
        event = Event(id=0, uid=uid or new_uid(), item_id=item_id, kind=kind, date=date,
                      recorded_at=recorded_at or now_utc(), note=note, data=data or {},
                      voids=voids)
        cur = self.db.execute(
            "INSERT INTO events (uid, item_id, kind, date, recorded_at, note, data, voids) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (event.uid, item_id, kind, date, event.recorded_at, note,
             json.dumps(event.data, sort_keys=True) if event.data else None, voids),
        )
        event.id = int(cur.lastrowid or 0)
        return event

    def events(self, item_ids: Sequence[str] | None = None) -> dict[str, list[Event]]:
        """Events per item, in the order they were recorded."""
        sql = f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events"
        args: list[str] = []
        if item_ids is not None and len(item_ids) <= 500:
            sql += f" WHERE item_id IN ({', '.join('?' * len(item_ids))})"
            args = list(item_ids)
        out: dict[str, list[Event]] = {}
        wanted = set(item_ids) if item_ids is not None else None
        loads = json.loads
        for eid, uid, item_id, kind, date, rec, note, data, voids in self.db.execute(
                sql + " ORDER BY id", args):
            if wanted is not None and item_id not in wanted:
                continue
            out.setdefault(item_id, []).append(
                Event(eid, uid, item_id, kind, date, rec, note, loads(data) if data else {},
                      voids))
        return out

    def event(self, event_id: int) -> Event:
        row = self.db.execute(
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no event #{event_id}", hint="see the event numbers: konpfoi show ID")
        return _event(row)


def _check_is_sqlite(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StorageError(f"cannot read the ledger {path} ({exc.strerror})") from None
    if head and head != _SQLITE_MAGIC:
        raise StorageError(
            f"{path} is not a konpfoi ledger (not an SQLite database); it was left untouched",
            hint="move it aside, or restore the ledger from a backup",
        )


def _item_row(item: Item) -> tuple[Any, ...]:
    values = []
    for col in _ITEM_COLUMNS:
        v = getattr(item, col)
        values.append(json.dumps(v, ensure_ascii=False) if col == "questions" else v)
    return tuple(values)


def _item(row: Sequence[Any]) -> Item:
    d = dict(zip(_ITEM_COLUMNS, row, strict=True))
    d["questions"] = json.loads(d["questions"]) if d["questions"] else []
    return Item(**d)


def _event(row: Sequence[Any]) -> Event:
    d = dict(zip(_EVENT_COLUMNS, row, strict=True))
    d["data"] = json.loads(d["data"]) if d["data"] else {}
    return Event(**d)
